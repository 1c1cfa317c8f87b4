#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh - build the accel-testbed guest kernel (Linux 7.x from
# Debian's `linux` source package) and cache the result.
#
# Usage: kernel/build-kernel.sh [--flavour plain|debug] [--print-path]
#                               [--config-only]
#
#   --flavour plain   base config only (default)
#   --flavour debug   base + config/debug.config (LOCKDEP, KASAN, ...)
#   --print-path      progress goes to stderr; the last line on stdout is
#                     the cache directory of the built kernel
#   --config-only     fetch the source, generate and check the .config in a
#                     scratch directory, print its path, do not build
#
# Idempotent. Cache layout:
#   ~/.cache/accel-testbed/linux-src/<ver>/      tarball + unpacked source
#   ~/.cache/accel-testbed/kernel/<ver>-<flavour>-<hash>/
#       bzImage            the kernel
#       modules/           `make modules_install` tree (uacce.ko inside)
#       uacce.ko           copy, for initramfs builders
#       build/             O= build tree: KDIR for `make -C build M=...`
#       config             final .config
#       build-info         version, flavour, hash, build time
#       .complete          written last; its presence is a cache hit
# <hash> covers the config fragments used and this script.
#
# Environment:
#   ACCEL_TESTBED_CACHE   cache root (default ~/.cache/accel-testbed)
#   KERNEL_JOBS           make -j value (default 2)
#   KERNEL_VERSIONS       space-separated Debian versions to try, in order
#                         (default "7.2.8-1 7.1.8-2")
#   CCE_NO_APT=1          do not install packages or touch apt sources
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
CACHE_ROOT=${ACCEL_TESTBED_CACHE:-$HOME/.cache/accel-testbed}
JOBS=${KERNEL_JOBS:-2}
CANDIDATES=${KERNEL_VERSIONS:-"7.2.8-1 7.1.8-2"}
SRC_LIST=/etc/apt/sources.list.d/accel-testbed-kernel-src.sources
DEPS="bc bison flex libelf-dev libssl-dev dwarves ccache make gcc xz-utils cpio perl curl ca-certificates kmod"

FLAVOUR=plain
PRINT_PATH=0
CONFIG_ONLY=0

usage() {
	sed -n '4,15p' "$SELF" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--flavour) FLAVOUR=${2:-}; shift 2 ;;
	--flavour=*) FLAVOUR=${1#*=}; shift ;;
	--print-path) PRINT_PATH=1; shift ;;
	--config-only) CONFIG_ONLY=1; shift ;;
	-h|--help) usage 0 ;;
	*) echo "build-kernel.sh: unknown argument '$1'" >&2; usage 2 >&2 ;;
	esac
done

case "$FLAVOUR" in
plain) FRAGMENTS=("$HERE/config/base.config") ;;
debug) FRAGMENTS=("$HERE/config/base.config" "$HERE/config/debug.config") ;;
*) echo "build-kernel.sh: unknown flavour '$FLAVOUR' (plain|debug)" >&2; exit 2 ;;
esac

# All progress to stderr so --print-path can keep stdout clean.
T0=$(date +%s)
log() { printf '[build-kernel %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf 'build-kernel.sh: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(uname -m)" = x86_64 ] || die "only x86_64 hosts are supported"
for f in "${FRAGMENTS[@]}"; do
	[ -r "$f" ] || die "missing config fragment $f"
done

# Hash of the config fragments and this script: any change rebuilds.
CFG_HASH=$(cat "${FRAGMENTS[@]}" "$SELF" | sha256sum | cut -c1-12)

kernel_dir() { echo "$CACHE_ROOT/kernel/$1-$FLAVOUR-$CFG_HASH"; }

finish() {
	local dir=$1
	log "kernel: $dir/bzImage"
	log "KDIR for out-of-tree modules: $dir/build"
	if [ "$PRINT_PATH" = 1 ]; then
		echo "$dir"
	fi
	exit 0
}

# ---------------------------------------------------------------- cache hit
[ "$CONFIG_ONLY" = 1 ] ||
for cand in $CANDIDATES; do
	d=$(kernel_dir "${cand%-*}")
	if [ -f "$d/.complete" ]; then
		log "cache hit: $d (Linux ${cand%-*}, flavour $FLAVOUR, config hash $CFG_HASH)"
		finish "$d"
	fi
done
log "cache miss: flavour $FLAVOUR, config hash $CFG_HASH"

# ---------------------------------------------------------------- host deps
install_deps() {
	local missing=() p
	for p in $DEPS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		log "step 1/6: build dependencies already installed"
		return
	fi
	[ "${CCE_NO_APT:-0}" = 1 ] && die "missing packages (CCE_NO_APT=1): ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "missing packages ${missing[*]}; run as root or install them"
	log "step 1/6: installing build dependencies: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
		--no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install ${missing[*]} failed"
}

# deb-src entries for sid, derived from the machine's own mirror URIs.
# Types: deb-src only: source entries never change which binaries install.
ensure_deb_src() {
	local main_src=/etc/apt/sources.list.d/debian.sources uris
	# Any configured deb-src entry for sid will do (ours or another one).
	if apt-get source --download-only --print-uris "linux=${CANDIDATES%% *}" 2>/dev/null |
		grep -q 'orig\.tar'; then
		log "step 2/6: a deb-src index with Debian's linux source is configured"
		return
	fi
	[ "${CCE_NO_APT:-0}" = 1 ] && die "no deb-src entry for sid (CCE_NO_APT=1)"
	if [ ! -f "$SRC_LIST" ]; then
		[ -r "$main_src" ] ||
			die "$main_src not found: cannot derive the mirror URI for deb-src"
		# The first URIs line that is not the security archive.
		uris=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$main_src")
		[ -n "$uris" ] || die "no URIs line in $main_src"
		log "step 2/6: adding deb-src (sid, Types: deb-src only) to $SRC_LIST"
		cat >"$SRC_LIST" <<-EOF
			# Added by accel-testbed kernel/build-kernel.sh: source packages only.
			# Never change this to Types: deb (it would upgrade the system to sid).
			Types: deb-src
			URIs: $uris
			Suites: sid
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
	else
		log "step 2/6: $SRC_LIST present; refreshing the package indexes"
	fi
	apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 update >&2 ||
		die "apt-get update failed"
}

# ---------------------------------------------------------------- source
# Sets VER (upstream version) and SRC (unpacked tree).
fetch_source() {
	local cand ver dir line uri file size sum tmp got
	for cand in $CANDIDATES; do
		ver=${cand%-*}
		dir=$CACHE_ROOT/linux-src/$ver
		if [ -f "$dir/.unpacked" ]; then
			log "step 3/6: source cache hit: $dir/linux-$ver"
			VER=$ver
			SRC=$dir/linux-$ver
			return
		fi
	done
	for cand in $CANDIDATES; do
		ver=${cand%-*}
		dir=$CACHE_ROOT/linux-src/$ver
		log "step 3/6: trying Debian linux=$cand"
		line=$(apt-get source --download-only --print-uris "linux=$cand" 2>/dev/null |
			grep "linux_${ver}\.orig\.tar\.xz'" | head -n1) || true
		if [ -z "$line" ]; then
			log "  linux=$cand not in the deb-src index"
			continue
		fi
		# 'URI' file size SHA256:hex
		uri=$(echo "$line" | awk '{ print $1 }' | tr -d "'")
		file=$(echo "$line" | awk '{ print $2 }')
		size=$(echo "$line" | awk '{ print $3 }')
		sum=$(echo "$line" | grep -o 'SHA256:[0-9a-f]*' | cut -d: -f2) || true
		[ -n "$sum" ] || { log "  no SHA256 for $file in the index; skipping"; continue; }
		mkdir -p "$dir"
		if [ -f "$dir/$file" ] && echo "$sum  $dir/$file" | sha256sum -c --status; then
			log "  $file already downloaded and verified"
		else
			log "  downloading $file ($((size / 1048576)) MiB)"
			tmp=$dir/$file.part
			if ! curl -fsSL --retry 3 --connect-timeout 30 -o "$tmp" "$uri" >&2; then
				log "  download of $file failed (the index lists it, the mirror does not serve it)"
				rm -f "$tmp"
				continue
			fi
			got=$(sha256sum "$tmp" | cut -d' ' -f1)
			if [ "$got" != "$sum" ]; then
				log "  checksum mismatch for $file: got $got, index says $sum"
				rm -f "$tmp"
				continue
			fi
			mv "$tmp" "$dir/$file"
			log "  sha256 verified: $sum"
		fi
		log "  unpacking into $dir/linux-$ver"
		rm -rf "$dir/linux-$ver" "$dir/unpack.tmp"
		mkdir -p "$dir/unpack.tmp"
		tar -xf "$dir/$file" -C "$dir/unpack.tmp" || die "cannot unpack $dir/$file"
		# Debian's orig tarball unpacks to linux-<ver>/.
		local top
		top=$(find "$dir/unpack.tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
		[ -f "$top/Makefile" ] || die "unexpected layout in $file"
		mv "$top" "$dir/linux-$ver"
		rmdir "$dir/unpack.tmp"
		touch "$dir/.unpacked"
		VER=$ver
		SRC=$dir/linux-$ver
		return
	done
	die "no Linux source could be fetched (tried: $CANDIDATES). Check that the deb-src entry in $SRC_LIST works ('apt-get update'), or set KERNEL_VERSIONS to a version listed by 'apt-cache showsrc linux'"
}

# ---------------------------------------------------------------- config
# Symbols requested by the fragments that did not end up with the requested
# value after olddefconfig (a symbol with an unmet dependency is dropped).
check_config() {
	local cfg=$1 frag line sym want have bad=0
	shift
	for frag in "$@"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*)
				sym=${line%%=*}
				want=${line#*=}
				;;
			"# CONFIG_"*" is not set")
				sym=${line#\# }
				sym=${sym%% *}
				want=n
				;;
			*) continue ;;
			esac
			have=$(grep -E "^$sym=" "$cfg" | tail -n1 | cut -d= -f2-) || true
			[ -n "$have" ] || have=n
			if [ "$have" != "$want" ]; then
				echo "  $sym: requested $want, got $have ($(basename "$frag"))" >&2
				bad=1
			fi
		done <"$frag"
	done
	return $bad
}

configure() {
	local o=$1 i
	# tinyconfig, not kvm_guest.config: the VM runs under TCG (no KVM),
	# so paravirt, virtio-net, input and the IP stack only cost build time.
	log "step 4/6: configuring: tinyconfig + ${FRAGMENTS[*]##*/}"
	kmake "$o" tinyconfig >/dev/null
	# Merging twice lets a symbol whose dependency is enabled by a later
	# line of the same fragment settle; then every symbol must stick.
	for i in 1 2; do
		"$SRC/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "${FRAGMENTS[@]}" \
			>/dev/null
		kmake "$o" olddefconfig >/dev/null
	done
	if ! check_config "$o/.config" "${FRAGMENTS[@]}"; then
		die "the config symbols above did not take their requested value (unmet dependency, renamed or removed in Linux $VER); fix kernel/config/"
	fi
	log "  all $(grep -chE '^(CONFIG_|# CONFIG_.* is not set)' "${FRAGMENTS[@]}" |
		paste -sd+ | bc) fragment symbols stuck ($(grep -c '^CONFIG_' "$o/.config") options set)"
}

kmake() {
	local o=$1
	shift
	make -C "$SRC" O="$o" CC="$KCC" HOSTCC="$KHOSTCC" "$@"
}

# ---------------------------------------------------------------- main
install_deps
ensure_deb_src
fetch_source

if [ "$CONFIG_ONLY" = 1 ]; then
	OUT=$CACHE_ROOT/kernel/config-check-$VER-$FLAVOUR-$CFG_HASH
	rm -rf "$OUT"
	mkdir -p "$OUT"
	KCC=gcc
	KHOSTCC=gcc
	configure "$OUT"
	log "config OK: $OUT/.config"
	echo "$OUT/.config"
	exit 0
fi

OUT=$(kernel_dir "$VER")
# A later candidate may already be cached under another version.
if [ -f "$OUT/.complete" ]; then
	log "cache hit: $OUT"
	finish "$OUT"
fi

if command -v ccache >/dev/null; then
	KCC="ccache gcc"
	KHOSTCC="ccache gcc"
	export CCACHE_DIR=${CCACHE_DIR:-$CACHE_ROOT/ccache}
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
	# The kernel's build timestamp and paths vary; let ccache ignore them.
	export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-time_macros,include_file_mtime,include_file_ctime}
else
	KCC=gcc
	KHOSTCC=gcc
fi
export KBUILD_BUILD_TIMESTAMP="accel-testbed"
export KBUILD_BUILD_USER=accel-testbed KBUILD_BUILD_HOST=accel-testbed

rm -rf "$OUT"
mkdir -p "$OUT/build"
configure "$OUT/build"

log "step 5/6: make -j$JOBS bzImage modules (Linux $VER, flavour $FLAVOUR, cc: $KCC)"
TB=$(date +%s)
kmake "$OUT/build" -j"$JOBS" bzImage modules >"$OUT/build.log" 2>&1 || {
	tail -n 40 "$OUT/build.log" >&2
	die "kernel build failed; full log in $OUT/build.log"
}
TE=$(date +%s)
BUILD_SECS=$((TE - TB))
log "  build time: $((BUILD_SECS / 60)) min $((BUILD_SECS % 60)) s (make -j$JOBS)"

log "step 6/6: installing bzImage and modules into $OUT"
cp "$OUT/build/arch/x86/boot/bzImage" "$OUT/bzImage"
kmake "$OUT/build" INSTALL_MOD_PATH="$OUT/modules" INSTALL_MOD_STRIP=1 modules_install \
	>>"$OUT/build.log" 2>&1 || die "modules_install failed; see $OUT/build.log"
UACCE=$(find "$OUT/modules" -name uacce.ko | head -n1)
[ -n "$UACCE" ] || die "uacce.ko was not built (CONFIG_UACCE=m expected)"
cp "$UACCE" "$OUT/uacce.ko"
cp "$OUT/build/.config" "$OUT/config"
cat >"$OUT/build-info" <<EOF
linux_version=$VER
flavour=$FLAVOUR
config_hash=$CFG_HASH
build_seconds=$BUILD_SECS
jobs=$JOBS
cc=$KCC
kernelrelease=$(cat "$OUT/build/include/config/kernel.release")
EOF
touch "$OUT/.complete"
log "done in $((($(date +%s) - T0) / 60)) min $((($(date +%s) - T0) % 60)) s total"
finish "$OUT"
