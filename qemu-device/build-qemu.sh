#!/usr/bin/env bash
# build-qemu.sh - build the QEMU that hosts the cce-pci device.
#
# Idempotent. Steps (each prints a line starting with "==>"):
#   1. Debian build dependencies (apt-get; meson and python3-pycotap from
#      bookworm-backports). Apt entries for bookworm-backports (binary) and
#      sid (deb-src only) are derived from the URIs line of
#      /etc/apt/sources.list.d/debian.sources and written to
#      /etc/apt/sources.list.d/accel-testbed-qemu.sources.
#   2. Debian's qemu source package $QEMU_DEB_VERSION from the sid deb-src
#      index (apt-get source --download-only; apt checks the hashes against
#      the signed index, dpkg-source -x checks them against the .dsc).
#   3. Our device source (src/) is copied to hw/misc/cce/, patches/*.patch
#      are applied in order.
#   4. configure (x86_64-softmmu, --without-default-devices + config/cce.mak)
#      and ninja qemu-system-x86_64.
#   5. Install into ~/.cache/accel-testbed/qemu/<version>-<hash>/ where hash
#      covers this script, patches/, src/, config/ and the shared headers.
#      A complete install there is a cache hit: nothing else runs.
#
# Usage: build-qemu.sh [--print-path] [--jobs N] [--no-deps]
#   --print-path  print the install path of qemu-system-x86_64 and exit
#                 (exit 1 if it is not built yet)
#   --no-deps     do not run apt-get (deps must already be there)
# Environment: CCE_CACHE_DIR (default ~/.cache/accel-testbed), JOBS (default 2)
# Last line of output on success: the absolute path of qemu-system-x86_64.
set -euo pipefail

QEMU_DEB_VERSION="1:10.2.2+ds-1"
QEMU_UPSTREAM="10.2.2"
APT_FILE=/etc/apt/sources.list.d/accel-testbed-qemu.sources

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
CACHE="${CCE_CACHE_DIR:-$HOME/.cache/accel-testbed}"
JOBS="${JOBS:-2}"
PRINT_PATH=0
DO_DEPS=1

while [ $# -gt 0 ]; do
    case "$1" in
    --print-path) PRINT_PATH=1 ;;
    --no-deps) DO_DEPS=0 ;;
    --jobs) JOBS="$2"; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "build-qemu.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

step() { echo "==> [$(date +%H:%M:%S)] $*"; }
die() { echo "build-qemu.sh: ERROR: $*" >&2; exit 1; }

# Everything that goes into the binary, in a stable order.
input_files() {
    echo "$HERE/build-qemu.sh"
    find "$HERE/patches" "$HERE/src" "$HERE/config" -type f | LC_ALL=C sort
    echo "$REPO/include/cce/cce_hw.h"
    echo "$REPO/include/cce/cce_cosim.h"
}
HASH="$(input_files | while read -r f; do
            printf '%s\n' "${f#"$REPO"/}"; sha256sum < "$f"; done |
        sha256sum | cut -c1-12)"
PREFIX="$CACHE/qemu/$QEMU_UPSTREAM-$HASH"
BIN="$PREFIX/bin/qemu-system-x86_64"

if [ "$PRINT_PATH" = 1 ]; then
    if [ -x "$BIN" ] && [ -f "$PREFIX/.complete" ]; then
        echo "$BIN"; exit 0
    fi
    echo "build-qemu.sh: not built yet: $BIN" >&2
    exit 1
fi

if [ -x "$BIN" ] && [ -f "$PREFIX/.complete" ]; then
    step "cache hit: $PREFIX"
    echo "$BIN"
    exit 0
fi

T0=$(date +%s)
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

# ---------------------------------------------------------------- deps
BUILD_DEPS=(build-essential ninja-build pkg-config libglib2.0-dev libpixman-1-dev
            libslirp-dev libfdt-dev flex bison python3-venv dpkg-dev
            seabios qemu-system-data)
BPO_DEPS=(meson python3-pycotap)

missing() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
            echo "$p"
    done
}

setup_apt_sources() {
    local src=/etc/apt/sources.list.d/debian.sources uri keyring want
    [ -f "$src" ] || die "$src not found; cannot derive the Debian mirror URI"
    uri="$(awk '/^URIs:/ {print $2; exit}' "$src")"
    [ -n "$uri" ] || die "no URIs: line in $src"
    keyring="$(awk '/^Signed-By:/ {print $2; exit}' "$src")"
    keyring="${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}"
    want="# written by accel-testbed qemu-device/build-qemu.sh
# bookworm-backports binaries get apt priority 100: used only with -t.
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: $keyring

# Sources only (never binaries) from sid, for the qemu source package.
Types: deb-src
URIs: $uri
Suites: sid
Components: main
Signed-By: $keyring
"
    if [ ! -f "$APT_FILE" ] || [ "$(cat "$APT_FILE")" != "$(printf '%s' "$want")" ]; then
        step "writing $APT_FILE (mirror taken from $src)"
        printf '%s' "$want" | $SUDO tee "$APT_FILE" >/dev/null
        return 0   # changed: caller runs apt-get update
    fi
    return 1
}

APT_UPDATED=0
apt_update() {
    if [ "$APT_UPDATED" = 0 ]; then
        step "apt-get update"
        $SUDO apt-get update -qq || die "apt-get update failed"
        APT_UPDATED=1
    fi
}

if [ "$DO_DEPS" = 1 ]; then
    step "checking build dependencies"
    if setup_apt_sources; then apt_update; fi
    m="$(missing "${BUILD_DEPS[@]}")"
    if [ -n "$m" ]; then
        apt_update
        step "apt-get install $(echo $m)"
        # shellcheck disable=SC2086
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $m ||
            die "apt-get install failed"
    fi
    m="$(missing "${BPO_DEPS[@]}")"
    if [ -n "$m" ]; then
        apt_update
        step "apt-get install -t bookworm-backports $(echo $m)"
        # shellcheck disable=SC2086
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            -t bookworm-backports $m || die "apt-get install -t bookworm-backports failed"
    fi
fi
MESON_VER="$(meson --version 2>/dev/null || echo 0)"
dpkg --compare-versions "$MESON_VER" ge 1.5 ||
    die "meson >= 1.5 needed (have $MESON_VER); apt-get install -t bookworm-backports meson"

# ---------------------------------------------------------------- source
SRCCACHE="$CACHE/qemu-src/${QEMU_DEB_VERSION//:/_}"
PRISTINE="$SRCCACHE/pristine"
if [ ! -f "$PRISTINE/.extracted" ]; then
    step "fetching Debian source qemu=$QEMU_DEB_VERSION (sid deb-src)"
    rm -rf "$SRCCACHE"
    mkdir -p "$SRCCACHE/dl"
    chmod 755 "$SRCCACHE/dl"
    if ! (cd "$SRCCACHE/dl" && apt-get source -q --download-only "qemu=$QEMU_DEB_VERSION"); then
        if [ "$DO_DEPS" = 1 ]; then
            apt_update
            (cd "$SRCCACHE/dl" && apt-get source -q --download-only "qemu=$QEMU_DEB_VERSION") ||
                die "could not download source package qemu=$QEMU_DEB_VERSION from the sid deb-src index (see above). Is $APT_FILE present and the mirror reachable?"
        else
            die "could not download source package qemu=$QEMU_DEB_VERSION (run without --no-deps to set up apt)"
        fi
    fi
    DSC="$(ls "$SRCCACHE"/dl/qemu_*.dsc 2>/dev/null | head -1)"
    [ -n "$DSC" ] || die "no .dsc downloaded for qemu=$QEMU_DEB_VERSION"
    step "extracting and verifying $(basename "$DSC")"
    # dpkg-source checks every file against the checksums in the .dsc.
    (cd "$SRCCACHE" && dpkg-source -x "$DSC" pristine-tmp >/dev/null 2>dpkg-source.err) || {
        cat "$SRCCACHE/dpkg-source.err" >&2
        die "dpkg-source -x failed for $DSC: download incomplete or corrupt"
    }
    # dpkg-source warns (does not fail) when no keyring can check the .dsc
    # signature; the .dsc itself was verified by apt against the signed
    # Sources index. Check the tarballs against it once more, explicitly.
    (cd "$SRCCACHE/dl" && awk '/^Checksums-Sha256:/ {f=1; next} /^[^ ]/ {f=0} f {print $1"  "$3}' "$DSC" |
        sha256sum -c --quiet -) || die "sha256 mismatch in downloaded qemu source files"
    mv "$SRCCACHE/pristine-tmp" "$PRISTINE"
    touch "$PRISTINE/.extracted"
fi

# ---------------------------------------------------------------- tree
# The build tree is persistent per QEMU version, so a change to the device
# only recompiles what changed: a fresh staging copy (pristine + our files
# + patches) is synced into it by content.
WORK="$CACHE/qemu-build/$QEMU_UPSTREAM"
STAGE="$WORK/stage"
SRC="$WORK/src"
BUILD="$WORK/build"
step "preparing source tree (device source + $(ls "$HERE"/patches/*.patch | wc -l) patches)"
rm -rf "$STAGE"
mkdir -p "$WORK"
cp -a "$PRISTINE" "$STAGE"
rm -f "$STAGE/.extracted"
mkdir -p "$STAGE/hw/misc/cce/cce"
cp "$HERE"/src/*.c "$HERE"/src/*.h "$HERE/src/meson.build" "$HERE/src/Kconfig" \
   "$HERE/src/trace-events" "$STAGE/hw/misc/cce/"
cp "$REPO/include/cce/cce_hw.h" "$REPO/include/cce/cce_cosim.h" "$STAGE/hw/misc/cce/cce/"
cp "$HERE/config/cce.mak" "$STAGE/configs/devices/x86_64-softmmu/cce.mak"
for p in "$HERE"/patches/*.patch; do
    echo "    applying $(basename "$p")"
    (cd "$STAGE" && patch -p1 --quiet --forward --batch < "$p") ||
        die "patch $(basename "$p") does not apply to qemu $QEMU_DEB_VERSION"
done
if command -v rsync >/dev/null; then
    rsync -rlc --delete --exclude=/build "$STAGE/" "$SRC/"
else
    # Without rsync: copy only files whose content differs.
    mkdir -p "$SRC"
    (cd "$STAGE" && find . -type f) | while read -r f; do
        cmp -s "$STAGE/$f" "$SRC/$f" 2>/dev/null || { mkdir -p "$(dirname "$SRC/$f")"; cp -a "$STAGE/$f" "$SRC/$f"; }
    done
fi
rm -rf "$STAGE"

# ---------------------------------------------------------------- configure
CONF_ARGS=(--target-list=x86_64-softmmu --disable-docs --disable-user --disable-download
           --without-default-features --without-default-devices
           --with-devices-x86_64=cce --enable-slirp --enable-fdt=system
           --disable-install-blobs --disable-werror --python=/usr/bin/python3)
# No --prefix: the binary is copied into $PREFIX below, so the configured
# tree does not depend on the input hash and stays reusable.
CONF_STAMP="$(printf '%s\n' "${CONF_ARGS[@]}" | sha256sum | cut -c1-16)"
if [ ! -f "$BUILD/build.ninja" ] || [ "$(cat "$BUILD/.cce-conf" 2>/dev/null)" != "$CONF_STAMP" ]; then
    step "configure"
    rm -rf "$BUILD"
    mkdir -p "$BUILD"
    (cd "$BUILD" && "$SRC/configure" "${CONF_ARGS[@]}" > configure.log 2>&1) || {
        tail -40 "$BUILD/configure.log" >&2
        die "configure failed, log: $BUILD/configure.log"
    }
    echo "$CONF_STAMP" > "$BUILD/.cce-conf"
fi

# ---------------------------------------------------------------- build
step "ninja -j$JOBS qemu-system-x86_64"
TB=$(date +%s)
(cd "$BUILD" && ninja -j"$JOBS" qemu-system-x86_64 2>&1 | tee build.log | grep -E 'error|warning: |^\[[0-9]+/[0-9]+\] Linking' ; exit "${PIPESTATUS[0]}") ||
    die "QEMU build failed, log: $BUILD/build.log"
echo "    compile: $(( $(date +%s) - TB )) s"
"$BUILD/qemu-system-x86_64" -device cce-pci,help >/dev/null 2>&1 ||
    die "built QEMU does not know -device cce-pci"

# ---------------------------------------------------------------- install
step "installing into $PREFIX"
rm -rf "$PREFIX.tmp"
mkdir -p "$PREFIX.tmp/bin"
cp "$BUILD/qemu-system-x86_64" "$PREFIX.tmp/bin/"
cp "$BUILD/trace-events-all" "$PREFIX.tmp/" 2>/dev/null || true
rm -rf "$PREFIX"
mv "$PREFIX.tmp" "$PREFIX"
touch "$PREFIX/.complete"
step "done in $(( $(date +%s) - T0 )) s"
echo "$BIN"
