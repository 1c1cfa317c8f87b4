#!/bin/sh
# In-guest part of vm_test.sh zswap: zswap with the "deflate" compressor
# (deflate-cce wins on priority) in front of a swap device, memory pressure
# from tmpfs files 40 MiB bigger than the free RAM (boot the VM with
# --mem 384M), every file read back and verified; zswap's counters and
# crypto_stats must show the device compressed and decompressed the pages.
# The swap device is a loop device over a sparse tmpfs file, which costs RAM
# for every page written to it: zswap's pool limit is raised so that nothing
# is written back (a writeback would need memory under memory pressure).
#   sh zswap-check.sh [MiB above MemFree]   (default 40)
# Word splitting of $(...) and lists is intended (busybox sh, no arrays).
# shellcheck disable=SC2012,SC2046,SC2086
fail() { echo "ZSWAP-FAIL: $*"; exit 1; }
EXTRA=${1:-40}
STATS=$(ls /sys/bus/pci/drivers/cce/*/crypto_stats 2>/dev/null | head -n1)
[ -n "$STATS" ] || fail "no crypto_stats (cce.ko not bound?)"
deflate_dev() { awk '$1 == "deflate" {print $2}' "$STATS"; }
Z=/sys/module/zswap/parameters

cce-wait-selftests

# Swap: a loop device over a sparse file on a tmpfs of its own (only pages
# zswap writes back take memory there), and a tmpfs for the data that is
# not bounded by the default 50% of RAM.
mkdir -p /swapfs /fill
mount -t tmpfs -o size=512m tmpfs /swapfs || fail "tmpfs"
mount -t tmpfs -o size=1g tmpfs /fill || fail "tmpfs"
dd if=/dev/zero of=/swapfs/swap bs=1M seek=256 count=0 2>/dev/null || fail "swap file"
LOOP=$(losetup -f) || fail "no free loop device"
losetup "$LOOP" /swapfs/swap || fail "losetup"
mkswap "$LOOP" >/dev/null || fail "mkswap"
echo deflate >"$Z/compressor" || fail "zswap compressor"
echo 60 >"$Z/max_pool_percent" || fail "zswap max_pool_percent"
echo 1 >"$Z/enabled" || fail "enable zswap"
swapon "$LOOP" || fail "swapon"
echo "ZSWAP: compressor $(cat $Z/compressor), enabled $(cat $Z/enabled), $(grep -E 'MemTotal|MemFree' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"

MB=$(($(awk '$1 == "MemFree:" {print $2}' /proc/meminfo) / 1024 + EXTRA))
before=$(deflate_dev)
# Compressible, non-trivial pages: copies of the busybox binary.
REF=$(sha256sum /bin/busybox | cut -d' ' -f1)
SZ=$(wc -c </bin/busybox)
n=$((MB * 1048576 / SZ))
j=0
while [ $j -lt $n ]; do
	cat /bin/busybox >/fill/$j || fail "fill $j (out of memory?)"
	j=$((j + 1))
done
D=/sys/kernel/debug/zswap
[ -f $D/stored_pages ] || fail "no $D (debugfs)"
stored=$(cat $D/stored_pages)
echo "ZSWAP: wrote $n x $SZ bytes to tmpfs; zswap holds $stored pages ($(cat $D/pool_total_size) bytes)"
j=0
while [ $j -lt $n ]; do
	h=$(sha256sum /fill/$j | cut -d' ' -f1)
	[ "$h" = "$REF" ] || fail "file $j read back wrong after swapping"
	j=$((j + 1))
done
after=$(deflate_dev)
echo "ZSWAP: all $n files verified; deflate device requests $before -> $after"
for f in "$D"/*; do
	[ -f "$f" ] && echo "  zswap $(basename "$f"): $(cat "$f")"
done
cat "$STATS"
[ "$stored" -gt 0 ] || fail "zswap stored nothing (no memory pressure?)"
[ "$(cat $D/decompress_fail)" = 0 ] || fail "zswap decompression failures"
# Every stored page was compressed once, and read back (decompressed) once.
[ $((after - before)) -ge $((2 * stored)) ] ||
	fail "deflate-cce ran $((after - before)) requests for $stored stored pages"
rm -f /fill/*
swapoff "$LOOP"
echo "ZSWAP-OK"
