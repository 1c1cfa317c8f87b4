#!/usr/bin/env bash
# image.sh - build the accel-testbed guest initramfs.
#
# Usage: scenarios/vm/image.sh --kdir DIR --module CCE_KO --out FILE
#                              [--bin FILE]... [--file SRC:DEST]...
#
#   --kdir DIR      kernel cache dir from kernel/build-kernel.sh --print-path
#                   (its modules/ tree goes in: uacce.ko, tcrypt.ko, ...)
#   --module KO     cce.ko built against that kernel (lib/modules/*/updates)
#   --bin FILE[:NAME]  a static program for /bin (the cce CLI, guest tests),
#                   optionally under another name
#   --file S:D      any host file S at guest path D
#   --out FILE      the gzip'ed newc cpio to write
#
# The image holds busybox-static (every applet linked in /bin), the module
# tree with depmod run over it (so `modprobe cce` and `modprobe tcrypt`
# work), the programs, and scenarios/vm/init as /init. Takes ~2 s.
set -euo pipefail
# The whole script is one compound command: bash parses it before running
# it, so editing this file cannot change a run that is already going.
{

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KDIR=
MODULE=
OUT=
BINS=()
FILES=()

die() { echo "image.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--kdir) KDIR=$2; shift 2 ;;
	--module) MODULE=$2; shift 2 ;;
	--bin) BINS+=("$2"); shift 2 ;;
	--file) FILES+=("$2"); shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ -n "$KDIR" ] && [ -n "$MODULE" ] && [ -n "$OUT" ] || die "--kdir, --module and --out are required"
[ -f "$KDIR/build-info" ] || die "$KDIR is not a kernel cache dir (no build-info)"
[ -f "$MODULE" ] || die "module $MODULE not found"
KREL=$(sed -n 's/^kernelrelease=//p' "$KDIR/build-info")
[ -d "$KDIR/modules/lib/modules/$KREL" ] || die "no module tree for $KREL in $KDIR/modules"

BUSYBOX=$(command -v busybox || echo /bin/busybox)
[ -x "$BUSYBOX" ] || die "busybox not found (Debian package busybox-static)"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	die "$BUSYBOX is not statically linked; install busybox-static"
command -v cpio >/dev/null || die "cpio not found (Debian package cpio)"
command -v depmod >/dev/null || [ -x /sbin/depmod ] || die "depmod not found (Debian package kmod)"
DEPMOD=$(command -v depmod || echo /sbin/depmod)

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/cce-image.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,tmp,run,etc,mnt,root,lib/modules}
cp "$BUSYBOX" "$ROOT/bin/busybox"
# Applet links now, so the image works even before /init runs --install.
for a in $("$BUSYBOX" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$ROOT/bin/$a"
done
cp -a "$KDIR/modules/lib/modules/$KREL" "$ROOT/lib/modules/"
rm -f "$ROOT/lib/modules/$KREL/build" "$ROOT/lib/modules/$KREL/source"
mkdir -p "$ROOT/lib/modules/$KREL/updates"
cp "$MODULE" "$ROOT/lib/modules/$KREL/updates/"
"$DEPMOD" -b "$ROOT" "$KREL" || die "depmod failed"
for spec in "${BINS[@]}"; do
	b=${spec%%:*}
	name=$(basename "$b")
	[ "$b" = "$spec" ] || name=${spec#*:}
	[ -x "$b" ] || die "program $b not found"
	file -L "$b" | grep -q 'statically linked' || die "$b is not statically linked"
	rm -f "$ROOT/bin/$name"
	cp "$b" "$ROOT/bin/$name"
done
for f in "${FILES[@]}"; do
	src=${f%%:*}
	dst=${f#*:}
	[ -f "$src" ] || die "file $src not found"
	mkdir -p "$ROOT/$(dirname "$dst")"
	cp "$src" "$ROOT/$dst"
done
cp "$HERE/init" "$ROOT/init"
chmod +x "$ROOT/init"
echo "root:x:0:0:root:/root:/bin/sh" >"$ROOT/etc/passwd"
echo "root:x:0:" >"$ROOT/etc/group"

mkdir -p "$(dirname "$OUT")"
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "image.sh: $OUT ($(du -h "$OUT" | cut -f1), kernel $KREL)" >&2
}
