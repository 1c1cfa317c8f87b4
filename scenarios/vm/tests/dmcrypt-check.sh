#!/bin/sh
# In-guest part of vm_test.sh dmcrypt: a plain dm-crypt mapping with
# aes-xts-plain64 (dmsetup, put into the guest by vm_test.sh) on a loop
# device over a tmpfs file. Write a pattern, drop caches, read it back and
# compare; the raw device must hold ciphertext; crypto_stats must show the
# device did the XTS work. Then the same sequential write/read timed with
# the device and, after rmmod cce, with the generic xts(aes). In between, a
# PCI function reset in the middle of a write: requests in the device are
# aborted and redone in software, new ones run in software until the engine
# is back, nothing is lost, and the device takes requests again after it.
#   sh dmcrypt-check.sh [MiB]   (default 16)
# Then the same through cryptsetup (plain mode, as a user would open it).
# Word splitting of $(...) and lists is intended (busybox sh, no arrays).
# shellcheck disable=SC2012,SC2046,SC2086
fail() { echo "DMCRYPT-FAIL: $*"; exit 1; }
MB=${1:-16}
STATS=$(ls /sys/bus/pci/drivers/cce/*/crypto_stats 2>/dev/null | head -n1)
[ -n "$STATS" ] || fail "no crypto_stats (cce.ko not bound?)"
xts_dev() { awk '$1 == "xts(aes)" {print $2}' /sys/bus/pci/drivers/cce/*/crypto_stats; }
now_cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }	# centiseconds

cce-wait-selftests

dd if=/dev/zero of=/tmp/disk.img bs=1M count="$MB" 2>/dev/null || fail "disk image"
LOOP=$(losetup -f) || fail "no free loop device"
losetup "$LOOP" /tmp/disk.img || fail "losetup"
SECTORS=$((MB * 2048))
KEY=$(head -c 64 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
head -c $((MB * 1048576)) /dev/urandom >/tmp/pattern

open_map() {
	dmsetup create cce-crypt --noudevsync \
		--table "0 $SECTORS crypt aes-xts-plain64 $KEY 0 $LOOP 0 1 sector_size:4096" ||
		fail "dmsetup create"
	dmsetup mknodes cce-crypt 2>/dev/null
	[ -b /dev/mapper/cce-crypt ] || fail "no /dev/mapper/cce-crypt"
}
close_map() { dmsetup remove --noudevsync cce-crypt || fail "dmsetup remove"; }

# write, drop caches, read back; prints "write_cs read_cs"
cycle() {
	t0=$(now_cs)
	dd if=/tmp/pattern of=/dev/mapper/cce-crypt bs=1M conv=fsync 2>/dev/null || fail "write"
	t1=$(now_cs)
	sync
	echo 3 >/proc/sys/vm/drop_caches
	blockdev --flushbufs /dev/mapper/cce-crypt 2>/dev/null
	dd if=/dev/mapper/cce-crypt of=/tmp/back bs=1M 2>/dev/null || fail "read"
	t2=$(now_cs)
	cmp -s /tmp/pattern /tmp/back || fail "read back differs from what was written"
	rm -f /tmp/back
	echo "$((t1 - t0)) $((t2 - t1))"
}

open_map
dmsetup table cce-crypt | sed 's/crypt aes-xts-plain64 [0-9a-f]*/crypt aes-xts-plain64 <key>/'
before=$(xts_dev)
set -- $(cycle)
after=$(xts_dev)
echo "DMCRYPT: device: ${MB} MiB written in $1 cs, read in $2 cs; xts(aes) device requests $before -> $after"
[ $((after - before)) -ge $((MB * 2 * 256)) ] ||
	fail "expected >= $((MB * 512)) 4 KiB sectors through the device, crypto_stats says $((after - before))"
cmp -s /tmp/pattern "$LOOP" && fail "the loop device holds plaintext"

# Function reset during I/O.
BDF=$(basename "$(dirname "$STATS")")
fb0=$(awk '$1 == "xts(aes)" {print $5 + $7}' "$STATS")	# nodev + aborted
x0=$(xts_dev)
dd if=/tmp/pattern of=/dev/mapper/cce-crypt bs=64k conv=fsync 2>/dev/null &
pid=$!
# Reset once the write is under way on the device (256 of its 4 KiB
# requests done), not after a fixed sleep: that raced with a fast write.
i=0
while [ $(($(xts_dev) - x0)) -lt 256 ] && [ $i -lt 400 ]; do
	sleep 0.05
	i=$((i + 1))
done
echo 1 >"/sys/bus/pci/devices/$BDF/reset" || fail "reset of $BDF"
wait $pid || fail "write across the reset"
fb1=$(awk '$1 == "xts(aes)" {print $5 + $7}' "$STATS")
dmesg | grep -q 'kernel queues back after reset' || fail "no 'kernel queues back after reset' in dmesg"
b=$(xts_dev)
set -- $(cycle)
a=$(xts_dev)
echo "DMCRYPT: reset during a write: $((fb1 - fb0)) requests ran in software (aborted or no device); after it: written in $1 cs, read in $2 cs, $((a - b)) device requests"
[ $((fb1 - fb0)) -gt 0 ] || fail "no request ran in software around the reset (did the reset hit the I/O?)"
[ $((a - b)) -ge $((MB * 512)) ] || fail "the device took only $((a - b)) requests after the reset"
sync
echo 3 >/proc/sys/vm/drop_caches
close_map
cat "$STATS"

# cryptsetup (Debian's, put into the guest with its libraries): a plain
# aes-xts-plain64 mapping, 512-bit key, 4 KiB sectors; no udev in the
# guest, so libdevmapper creates the nodes itself.
command -v cryptsetup >/dev/null || fail "cryptsetup is not in the guest"
head -c 64 /dev/urandom >/tmp/cs.key
b=$(xts_dev)
DM_DISABLE_UDEV=1 cryptsetup open --type plain --cipher aes-xts-plain64 --key-size 512 \
	--key-file /tmp/cs.key --sector-size 4096 --disable-locks "$LOOP" cce-cs ||
	fail "cryptsetup open"
dmsetup mknodes cce-cs 2>/dev/null
dmsetup table cce-cs | grep -q ' crypt aes-xts-plain64 ' || fail "cryptsetup did not map aes-xts-plain64"
dd if=/tmp/pattern of=/dev/mapper/cce-cs bs=64k conv=fsync 2>/dev/null || fail "write through cryptsetup"
sync
echo 3 >/proc/sys/vm/drop_caches
cmp -s /tmp/pattern /dev/mapper/cce-cs || fail "data read back through cryptsetup differs"
cmp -s /tmp/pattern "$LOOP" && fail "cryptsetup left plaintext on the loop device"
a=$(xts_dev)
DM_DISABLE_UDEV=1 cryptsetup close cce-cs || fail "cryptsetup close"
echo "DMCRYPT: cryptsetup plain aes-xts-plain64: ${MB} MiB written, read back, verified; $((a - b)) device XTS requests"
[ $((a - b)) -ge $((MB * 512)) ] || fail "cryptsetup mapping: only $((a - b)) device requests"

# The same with the generic implementation.
rmmod cce || fail "rmmod cce"
open_map
set -- $(cycle)
echo "DMCRYPT: generic: ${MB} MiB written in $1 cs, read in $2 cs"
close_map
losetup -d "$LOOP"
echo "DMCRYPT-OK"
