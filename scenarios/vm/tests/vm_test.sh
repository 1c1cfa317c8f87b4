#!/usr/bin/env bash
# vm_test.sh CASE - one vm-labelled test: boots the VM with scenarios/vm/vm.sh,
# runs the in-guest part, checks the host-side evidence (model statistics,
# guest kernel log: vm.sh fails on WARNING/BUG/Oops).
#
#   sva       never-touched buffers compressed through SVA; the model must
#             have seen at least one page request per touched page
#   pasid     two processes, two PASIDs; cross-process access must fault
#   teardown  a process killed with jobs in flight; the queue comes back
#   reload    rmmod/modprobe cce with the VM up
#   queue     kernel/tests/cce-queue-test: the raw uacce queue interface,
#             NOPs, PRI, an error halt by a doorbell beyond the ring and its
#             recovery, exit with the queue running
#   control   live fault injection through the model's control socket while
#             the guest runs (3 error completions, re-run in software)
#   cli       the static cce CLI: compress/decompress/encrypt/hash, verified
#   no_iommu  no IOMMU: the driver says SVA is unavailable, no /dev/cce-N
#   ras       RAS in the driver and libcce: sysfs counters and isolate
#             strategy, a queue error counted and recovered, FLR with jobs
#             in flight (each job correct or CCE_E_DEV_RESET, REOPEN works),
#             the watchdog aborting a hung queue; then the counters in the
#             guest kernel log lines are checked here
#   crypto    kernel crypto API: every *-cce algorithm passed testmgr (full
#             randomized tests) and outranks the generic one; tcrypt runs
#   afalg     AF_ALG clients with cce.sync_algs=1: the *-cce-sync variants
#             passed testmgr; the AfAlg gtest suite and Debian's kcapi-dgst/
#             kcapi-enc (host binaries put into the guest) match OpenSSL
#             run on the host; crypto_stats shows the requests went through
#             the sync variants and (ciphers, one-shot hashes) the device
#   dmcrypt   dm-crypt aes-xts-plain64 (host dmsetup and its libraries put
#             into the guest) written, read back, verified; device vs generic
#   zswap     zswap with deflate-cce under memory pressure, data verified
#
# Needs CCE_QEMU, CCE_KDIR, CCE_VM_IMAGE, CCE_MODEL: ./testbed test exports
# them and also writes them to build/main/vm.env (CCE_VM_ENV), read when
# they are not set, so ctest can run these by hand; fails when they are
# missing.
set -euo pipefail
# The whole script is one compound command: bash parses it before running
# it, so editing this file cannot change a run that is already going.
{
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM=$HERE/../vm.sh
CASE=${1:?usage: vm_test.sh CASE}
if [ -z "${CCE_QEMU:-}" ] && [ -f "${CCE_VM_ENV:-}" ]; then
	# shellcheck disable=SC1090
	. "$CCE_VM_ENV"
	export CCE_QEMU CCE_KDIR CCE_VM_IMAGE CCE_MODEL
fi

for v in CCE_QEMU CCE_KDIR CCE_VM_IMAGE CCE_MODEL; do
	if [ -z "${!v:-}" ]; then
		echo "FAIL: $v is not set: run the vm tests through ./testbed test (it builds QEMU, the kernel and the image)" >&2
		exit 1
	fi
done
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/cce-vm-test-$CASE.XXXXXX")
OUT=$LOGS/output
fail() {
	echo "FAIL: $*" >&2
	echo "logs: $LOGS" >&2
	exit 1
}
stat_of() { sed -n "s/^$1=//p" "$LOGS/model-0.stats" 2>/dev/null | head -n1; }
# --put arguments for a dynamically linked host program and its libraries.
dyn_puts() {
	local b lib
	b=$(command -v "$1") || fail "$1 is not installed on the host (Debian package: $2)"
	echo "--put $b:/bin/$(basename "$b")"
	for lib in $(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		echo "--put $(readlink -f "$lib"):$lib"
	done
}
no_testmgr_failure() {
	! grep -aE 'alg: .*(fail|error)|alg: self-tests .* failed' "$LOGS/console.log" ||
		fail "testmgr reported a failure in the guest log"
}
run_vm() {
	set +e
	"$VM" --log-dir "$LOGS" --timeout 600 "$@" | tee "$OUT"
	local rc=${PIPESTATUS[0]}
	set -e
	return "$rc"
}

case "$CASE" in
sva)
	run_vm -- cce-guest-test --gtest_filter='Sva.*' || fail "guest test failed"
	pages=$(sed -n 's/^SVA-PAGES: //p' "$OUT")
	prq=$(stat_of page_requests)
	echo "model: $prq page requests ($(stat_of page_responses_ok) ok), guest touched $pages pages through the device"
	[ -n "$pages" ] && [ -n "$prq" ] || fail "missing SVA-PAGES or model statistics"
	[ "$prq" -ge "$pages" ] || fail "expected at least $pages page requests, model saw $prq"
	;;
pasid)
	run_vm -- cce-guest-test --gtest_filter='Pasid.*' || fail "guest test failed"
	tf=$(stat_of translation_faults)
	echo "model: $tf translation faults completed"
	[ "${tf:-0}" -ge 3 ] || fail "expected >= 3 translation faults from the intruding process, model saw ${tf:-none}"
	;;
teardown)
	run_vm -- cce-guest-test --gtest_filter='Teardown.*' || fail "guest test failed"
	echo "model: $(stat_of jobs) jobs, $(stat_of status_aborted || true) aborted"
	;;
reload)
	run_vm -- cce-guest-test --gtest_filter='Driver.*' || fail "guest test failed"
	grep -aq 'cce 0000:.*CCE 1\.' "$LOGS/console.log" || fail "no probe line in the guest log"
	n=$(grep -ac 'cce 0000:.*CCE 1\.' "$LOGS/console.log")
	[ "$n" -ge 3 ] || fail "expected 3 probes (boot + 2 reloads), saw $n"
	;;
queue)
	run_vm -- cce-queue-test /dev/cce-0 || fail "cce-queue-test failed"
	grep -q 'CCE-QUEUE-TEST-OK' "$OUT" || fail "no CCE-QUEUE-TEST-OK"
	;;
control)
	# Live injection through the model's control socket while the guest
	# runs: 3 completions with an error status, re-run in software. No
	# kernel queues: the fault has no queue selector, and the crypto
	# self-tests must not be the ones to catch it.
	export CCE_VM_CONTROL_DIR=$LOGS/ctl
	"$VM" --log-dir "$LOGS" --timeout 600 --append cce.kernel_queues=0 -- \
		cce-stress --procs 2 --seconds 25 --fallback --seed 21 >"$OUT" 2>&1 &
	vm_pid=$!
	for _ in $(seq 600); do
		grep -q 'cce-stress: 2 processes' "$OUT" 2>/dev/null && break
		sleep 0.1
	done
	sleep 3
	"$CCE_MODEL" --send "$CCE_VM_CONTROL_DIR/cce0.ctl" "fault class=cpl_error status=internal-error count=3" ||
		fail "control socket refused the fault"
	"$CCE_MODEL" --send "$CCE_VM_CONTROL_DIR/cce0.ctl" "list"
	wait "$vm_pid" || fail "guest run failed"
	cat "$OUT"
	grep -q 'STRESS: .*errors=0 corrupt=0 .*fallbacks=3 ' "$OUT" ||
		fail "expected the 3 injected errors to be re-run in software"
	[ "$(stat_of fault_cpl_error)" = 3 ] || fail "model counted $(stat_of fault_cpl_error) injections"
	;;
cli)
	run_vm --put "$HERE/cli-check.sh:/root/cli-check.sh" -- sh /root/cli-check.sh ||
		fail "CLI check failed in the guest"
	;;
ras)
	run_vm -- sh -c 'cce-guest-test --gtest_filter="Ras.*" && cat /sys/bus/pci/drivers/cce/*/ras/resets /sys/bus/pci/drivers/cce/*/ras/hangs' ||
		fail "guest Ras tests failed"
	grep -Eq 'RAS-FLR: [0-9]+ jobs: [0-9]+ correct before the reset, [1-9][0-9]* lost' "$OUT" ||
		fail "no RAS-FLR line with jobs lost to the reset"
	log=$LOGS/console.log
	grep -q 'cce 0000:01:00.0: queue [0-9]* pasid [0-9]*: queue error: doorbell beyond the SQ' "$log" ||
		fail "no queue error line naming queue and PASID in the guest log"
	grep -q 'function level reset done' "$log" || fail "no FLR completion line"
	grep -q 'queue [0-9]* pasid [0-9]*: hang: no progress' "$log" || fail "no hang line"
	# The FLR, plus one function reset if the watchdog test (engine stopped)
	# also caught kernel-owned queues with self-test work in flight: each of
	# the 2 kernel queues that had a job then counts a hang, and the one
	# watchdog pass resets the function once for all of them.
	resets=$(tail -n2 "$OUT" | head -n1 | tr -d '\r')
	hangs=$(tail -n1 "$OUT" | tr -d '\r')
	[ "$resets" -ge 1 ] && [ "$resets" -le 2 ] || fail "sysfs resets is $resets, expected 1 or 2"
	[ "$hangs" -ge 1 ] && [ "$hangs" -le 3 ] || fail "sysfs hangs is $hangs, expected 1 to 3 (the uacce queue, plus each kernel queue caught with work)"
	;;
no_iommu)
	run_vm --no-iommu -- sh -c 'cat /sys/bus/pci/drivers/cce/*/sva; ls /dev/cce-* 2>/dev/null; cce list' ||
		true
	grep -q '^unavailable: ' "$OUT" || fail "sysfs sva does not say 'unavailable: ...'"
	! grep -q '^/dev/cce-' "$OUT" || fail "/dev/cce-N exists without SVA"
	grep -aq 'SVA unavailable\|sva.*unavailable\|SVA.*not' "$LOGS/console.log" ||
		fail "dmesg does not say why SVA is unavailable"
	;;
crypto)
	run_vm --put "$HERE/crypto-check.sh:/root/crypto-check.sh" -- sh /root/crypto-check.sh ||
		fail "crypto check failed in the guest"
	grep -q 'CRYPTO-OK' "$OUT" || fail "no CRYPTO-OK"
	no_testmgr_failure
	;;
afalg)
	D=$LOGS/afalg
	bash "$HERE/afalg-expect.sh" "$D" >/dev/null || fail "host-side expectations (openssl, python3-cryptography)"
	tar -C "$D" -cf "$LOGS/afalg.tar" --exclude=./expected . || fail "tar"
	# shellcheck disable=SC2046
	run_vm --append cce.sync_algs=1 $(dyn_puts kcapi-dgst kcapi-tools) $(dyn_puts kcapi-enc kcapi-tools) \
		--put "$LOGS/afalg.tar:/root/afalg.tar" --put "$HERE/afalg-check.sh:/root/afalg-check.sh" \
		-- sh -c 'mkdir -p /root/afalg && tar -xf /root/afalg.tar -C /root/afalg &&
			sh /root/afalg-check.sh /root/afalg' || fail "AF_ALG check failed in the guest"
	grep -q 'AFALG-OK' "$OUT" || fail "no AFALG-OK"
	tr -d '\r' <"$OUT" | grep '^R ' | sort >"$LOGS/afalg-got"
	sort "$D/expected" >"$LOGS/afalg-want"
	diff "$LOGS/afalg-want" "$LOGS/afalg-got" ||
		fail "kcapi-tools results differ from OpenSSL's on the host (< expected, > guest)"
	echo "kcapi-tools: $(wc -l <"$LOGS/afalg-want") results match OpenSSL (host)"
	no_testmgr_failure
	;;
dmcrypt)
	# shellcheck disable=SC2046
	run_vm $(dyn_puts dmsetup dmsetup) $(dyn_puts cryptsetup cryptsetup-bin) \
		--put "$HERE/dmcrypt-check.sh:/root/dmcrypt-check.sh" \
		-- sh /root/dmcrypt-check.sh 16 || fail "dm-crypt check failed in the guest"
	grep -q 'DMCRYPT-OK' "$OUT" || fail "no DMCRYPT-OK"
	no_testmgr_failure
	;;
zswap)
	run_vm --mem 256M --put "$HERE/zswap-check.sh:/root/zswap-check.sh" -- sh /root/zswap-check.sh 24 ||
		fail "zswap check failed in the guest"
	grep -q 'ZSWAP-OK' "$OUT" || fail "no ZSWAP-OK"
	no_testmgr_failure
	;;
*)
	fail "unknown case '$CASE'"
	;;
esac
echo "PASS: vm_$CASE"
rm -rf "$LOGS"
}
