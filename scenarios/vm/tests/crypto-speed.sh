#!/bin/sh
# In-guest throughput of the kernel crypto API, device vs generic, same VM:
# tcrypt speed modes with cce.ko loaded (the *-cce drivers win on
# priority), then again after `rmmod cce` (the generic implementations):
# gcm(aes) (and rfc4106 over it) with 8 requests in flight, sha256.
#   ./testbed vm --put scenarios/vm/tests/crypto-speed.sh:/root/s.sh -- sh /root/s.sh [SECONDS]
# Each size runs SECONDS (default 1). Numbers under TCG are for comparing the
# two paths in this VM only, not hardware claims.
# Word splitting of $(...) and lists is intended (busybox sh, no arrays).
# shellcheck disable=SC2012,SC2046,SC2086
SEC=${1:-1}
fail() { echo "SPEED-FAIL: $*"; exit 1; }
run() {
	dmesg -c >/dev/null
	insmod "/lib/modules/$(uname -r)/kernel/crypto/tcrypt.ko" "$@" sec="$SEC" 2>/dev/null
	dmesg | grep -E 'testing speed|operations in|opers/sec|tests failed'
}
# tcrypt keys its skcipher speed tests with key1 == key2, which the engine
# refuses (xts-aes-cce then runs the fallback): XTS numbers come from the
# dm-crypt test (dmcrypt-check.sh) instead.
suite() {
	run mode=215 num_mb=8
	run mode=400 alg=sha256
}
cce-wait-selftests
echo "== SPEED device (cce.ko loaded)"
suite
cat /sys/bus/pci/drivers/cce/*/crypto_stats
rmmod cce || fail "rmmod cce"
grep -q -- '-cce$' /proc/crypto && fail "cce algorithms still registered"
echo "== SPEED generic (cce.ko removed)"
suite
echo "SPEED-DONE"
