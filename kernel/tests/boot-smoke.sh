#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# boot-smoke.sh - boot the accel-testbed guest kernel under TCG with a tiny
# busybox initramfs that mounts proc/sys/devtmpfs, loads uacce.ko (and cce.ko,
# runs cce-queue-test on /dev/cce-0, rmmod cce), prints a marker, powers off.
# Checks the marker and reports the boot time (QEMU launch -> marker).
#
# Usage: kernel/tests/boot-smoke.sh [options]
#   --flavour plain|debug   kernel flavour (default plain; built if missing)
#   --qemu PATH             QEMU binary (default: $CCE_QEMU, else the
#                           project's build under ~/.cache/accel-testbed/qemu*,
#                           else qemu-system-x86_64 from PATH)
#   --module PATH           also put this .ko (e.g. cce.ko) in the initramfs
#                           and insmod it after uacce.ko
#   --expect-cce            require /dev/cce-0 and a passing cce-queue-test
#                           (NOP jobs, a MEMCPY into untouched memory) in
#                           the guest; without it the test runs if
#                           /dev/cce-0 exists and its failure fails the boot
#   --cce-model PATH        start this cce-model (the SystemC engine) on a
#                           socket, attach -device cce-pci to it behind a
#                           pcie-root-port, load --module (default: a copy
#                           of kernel/driver built here) and --expect-cce
#   --cli PATH              also put this static `cce` CLI (userspace/,
#                           target cce-static) in the guest and, with
#                           /dev/cce-0, run it through the device: list,
#                           compress (checked by software decompress),
#                           decompress, hash (checked against sha256sum),
#                           crc, and `cce bench` (device vs software)
#   --no-iommu              no intel-iommu (negative test: cce.ko must report
#                           SVA unavailable and create no /dev/cce-N)
#   --qemu-args "ARGS"      extra QEMU arguments (e.g. the cce-pci device
#                           behind a pcie-root-port); also $CCE_QEMU_EXTRA
#   --append "ARGS"         extra kernel command line
#   --timeout SEC           give up after SEC seconds (default 180, debug 900)
#   --log PATH              console log (default: a temp file, printed on failure)
#
# Exit status 0 when the marker was seen (and every insmod worked).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KERNEL_TOP=$(cd "$HERE/.." && pwd)
CACHE_ROOT=${ACCEL_TESTBED_CACHE:-$HOME/.cache/accel-testbed}
MARKER=ACCEL-TESTBED-SMOKE-OK

FLAVOUR=plain
QEMU=${CCE_QEMU:-}
MODULE=
EXPECT_CCE=0
CLI=
NO_IOMMU=0
CCE_MODEL=
QEMU_EXTRA=${CCE_QEMU_EXTRA:-}
APPEND=
TIMEOUT=
LOG=

while [ $# -gt 0 ]; do
	case "$1" in
	--flavour) FLAVOUR=$2; shift 2 ;;
	--qemu) QEMU=$2; shift 2 ;;
	--module) MODULE=$2; shift 2 ;;
	--expect-cce) EXPECT_CCE=1; shift ;;
	--cli) CLI=$2; shift 2 ;;
	--no-iommu) NO_IOMMU=1; shift ;;
	--cce-model) CCE_MODEL=$2; shift 2 ;;
	--qemu-args) QEMU_EXTRA="$QEMU_EXTRA $2"; shift 2 ;;
	--append) APPEND=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--log) LOG=$2; shift 2 ;;
	-h|--help) sed -n '4,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "boot-smoke.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$TIMEOUT" ] || { [ "$FLAVOUR" = debug ] && TIMEOUT=900 || TIMEOUT=180; }

log() { echo "[boot-smoke] $*" >&2; }
die() { echo "boot-smoke.sh: ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
need_pkg() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	[ "$(id -u)" = 0 ] || die "missing packages ${missing[*]}"
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
		--no-install-recommends "${missing[@]}" >&2
}
# busybox-static and cpio build the initramfs; seabios and qemu-system-data
# hold the firmware QEMU loads for a direct kernel boot (bios-256k.bin,
# linuxboot_dma.bin).
need_pkg busybox-static cpio gzip seabios qemu-system-data
[ -z "$MODULE" ] || need_pkg gcc libc6-dev

if [ -z "$QEMU" ]; then
	QEMU=$(find "$CACHE_ROOT" -maxdepth 4 -type f -name qemu-system-x86_64 -perm -u+x \
		-path "*qemu*" 2>/dev/null | sort | tail -n1) || true
fi
if [ -z "$QEMU" ]; then
	QEMU=$(command -v qemu-system-x86_64) ||
		die "no QEMU: set CCE_QEMU or --qemu (the project's QEMU build, or Debian's qemu-system-x86 for a plain boot)"
fi
[ -x "$QEMU" ] || die "QEMU '$QEMU' is not executable"
log "QEMU: $QEMU ($("$QEMU" --version | head -n1))"

# ---------------------------------------------------------------- kernel
KDIR=$("$KERNEL_TOP/build-kernel.sh" --flavour "$FLAVOUR" --print-path | tail -n1)
[ -f "$KDIR/bzImage" ] || die "no bzImage in $KDIR"
log "kernel: $KDIR/bzImage ($(grep kernelrelease "$KDIR/build-info" | cut -d= -f2))"

# ---------------------------------------------------------------- initramfs
WORK=$(mktemp -d /tmp/cce-boot-smoke.XXXXXX)
MODEL_PID=
cleanup() {
	[ -z "$MODEL_PID" ] || kill "$MODEL_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

if [ -n "$CCE_MODEL" ]; then
	[ -x "$CCE_MODEL" ] || die "cce-model '$CCE_MODEL' is not executable"
	if [ -z "$MODULE" ]; then
		# Build a copy against this flavour's tree (the work tree's
		# objects may be from another flavour).
		mkdir -p "$WORK/cce-src"
		cp "$KERNEL_TOP"/driver/{*.c,*.h,Kbuild} "$WORK/cce-src/"
		make -C "$KDIR/build" M="$WORK/cce-src" \
			CCE_INCLUDE="$KERNEL_TOP/../include" modules >"$WORK/cce-build.log" 2>&1 ||
			die "cannot build cce.ko: $(tail -n 20 "$WORK/cce-build.log")"
		MODULE=$WORK/cce-src/cce.ko
	fi
	EXPECT_CCE=1
	"$CCE_MODEL" --socket "$WORK/cce.sock" --queues 4 --log "$WORK/model.log" \
		>"$WORK/model.out" 2>&1 &
	MODEL_PID=$!
	for _ in $(seq 100); do
		[ -S "$WORK/cce.sock" ] && break
		sleep 0.1
	done
	[ -S "$WORK/cce.sock" ] || die "cce-model did not create its socket: $(cat "$WORK/model.out")"
	log "cce-model: $CCE_MODEL (pid $MODEL_PID, socket $WORK/cce.sock)"
	QEMU_EXTRA="$QEMU_EXTRA -device pcie-root-port,id=cce_rp,chassis=1"
	QEMU_EXTRA="$QEMU_EXTRA -device cce-pci,bus=cce_rp,socket=$WORK/cce.sock,num-queues=4"
fi
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,lib/modules}
BUSYBOX=$(command -v busybox || echo /bin/busybox)
file -L "$BUSYBOX" 2>/dev/null | grep -q 'dynamically linked' &&
	die "$BUSYBOX is dynamically linked; busybox-static is needed"
cp "$BUSYBOX" "$ROOT/bin/busybox"
cp "$KDIR/uacce.ko" "$ROOT/lib/modules/"
MODNAME=
if [ -n "$MODULE" ]; then
	[ -f "$MODULE" ] || die "module $MODULE not found"
	cp "$MODULE" "$ROOT/lib/modules/"
	if [ -n "$CLI" ]; then
		[ -x "$CLI" ] || die "CLI $CLI not found (build the cce-static target)"
		cp "$CLI" "$ROOT/bin/cce"
	fi
	MODNAME=$(basename "$MODULE")
	# The user-space queue test, static so it needs nothing in the guest.
	gcc -static -O2 -Wall -I"$KERNEL_TOP/../include" -o "$ROOT/bin/cce-queue-test" \
		"$HERE/cce-queue-test.c" || die "cannot build cce-queue-test"
fi

cat >"$ROOT/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "SMOKE: Linux \$(uname -r) up after \$(cut -d' ' -f1 /proc/uptime) s of guest time"
ok=1
insmod /lib/modules/uacce.ko || { echo "SMOKE-FAIL: insmod uacce.ko"; ok=0; }
if [ -n "$MODNAME" ]; then
	insmod /lib/modules/$MODNAME || { echo "SMOKE-FAIL: insmod $MODNAME"; ok=0; }
	for d in /sys/bus/pci/drivers/cce/0000:*; do
		[ -e "\$d" ] || continue
		echo "SMOKE: \$d sva: \$(cat \$d/sva) hw_version: \$(cat \$d/hw_version)"
	done
	for u in /sys/class/uacce/*; do
		[ -e "\$u" ] || continue
		echo "SMOKE: \$u api=\$(cat \$u/api) instances=\$(cat \$u/available_instances)"
		echo "SMOKE: algorithms: \$(cat \$u/algorithms | tr '\n' ' ')"
	done
	if [ -e /dev/cce-0 ]; then
		ls -l /dev/cce-*
		if [ -x /bin/cce ]; then
			cce list 2>&1 | sed 's/^/CLI: /'
			head -c 300000 /bin/busybox >/tmp/in
			if cce --backend hw compress </tmp/in >/tmp/in.gz &&
				cce --backend sw decompress </tmp/in.gz | cmp -s - /tmp/in; then
				echo "CLI: device compress, software decompress: OK"
			else
				echo "SMOKE-FAIL: cce device compress round trip"; ok=0
			fi
			if cce --backend hw decompress </tmp/in.gz | cmp -s - /tmp/in; then
				echo "CLI: device decompress: OK"
			else
				echo "SMOKE-FAIL: cce device decompress"; ok=0
			fi
			h=\$(cce --backend hw hash /tmp/in | cut -d' ' -f1)
			if [ "\$h" = "\$(sha256sum /tmp/in | cut -d' ' -f1)" ]; then
				echo "CLI: device sha256 matches sha256sum"
			else
				echo "SMOKE-FAIL: cce device hash \$h"; ok=0
			fi
			cce --backend hw crc /tmp/in 2>&1 | sed 's/^/CLI: crc32 /'
			cce --backend hw bench 2>&1 | sed 's/^/CLI: /'
		fi
		if cce-queue-test /dev/cce-0; then
			echo "SMOKE: cce-queue-test passed"
		else
			echo "SMOKE-FAIL: cce-queue-test"; ok=0
		fi
	else
		echo "SMOKE: no /dev/cce-*"
		[ $EXPECT_CCE = 1 ] && { echo "SMOKE-FAIL: /dev/cce-0 expected"; ok=0; }
	fi
	# Unbind path: uacce_remove(), engine disable, IRQ and BAR release.
	if rmmod ${MODNAME%.ko}; then
		echo "SMOKE: rmmod ${MODNAME%.ko} ok"
	else
		echo "SMOKE-FAIL: rmmod ${MODNAME%.ko}"; ok=0
	fi
fi
echo "SMOKE: modules: \$(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
echo "SMOKE: iommu groups: \$(ls /sys/kernel/iommu_groups 2>/dev/null | wc -l)"
[ \$ok = 1 ] && grep -q '^uacce ' /proc/modules && echo "$MARKER"
poweroff -f
EOF
chmod +x "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) >"$WORK/initramfs.gz"
log "initramfs: $(du -h "$WORK/initramfs.gz" | cut -f1)"

# ---------------------------------------------------------------- machine
# From shared/platform-facts.md: q35 with split irqchip (interrupt
# remapping), -cpu max without LA57 (else SVM is disabled in the guest), a
# scalable-mode intel-iommu with PASID and device IOTLB. Properties the
# given QEMU does not have (older QEMU, e.g. Debian's 7.2) are left out
# with a note: such a QEMU can boot the kernel but not do SVA.
IOMMU_HELP=$("$QEMU" -nodefaults -machine q35 -device intel-iommu,help 2>&1 || true)
IOMMU="intel-iommu,intremap=on"
for prop in x-scalable-mode=on x-flts=on x-pasid-mode=on device-iotlb=on svm=on aw-bits=48; do
	if grep -q "^ *${prop%%=*}=" <<<"$IOMMU_HELP"; then
		IOMMU="$IOMMU,$prop"
	else
		log "note: this QEMU's intel-iommu has no ${prop%%=*} (no SVA with it)"
	fi
done
IOMMU_ARGS=(-device "$IOMMU")
[ "$NO_IOMMU" = 1 ] && IOMMU_ARGS=()
FWARGS=()
for d in "$(dirname "$QEMU")/pc-bios" "$(dirname "$QEMU")/../share/qemu" \
	/usr/share/seabios /usr/share/qemu; do
	[ -d "$d" ] && FWARGS+=(-L "$d")
done

[ -n "$LOG" ] || LOG=$WORK/console.log
: >"$LOG"
# shellcheck disable=SC2206,SC2054 # QEMU_EXTRA is split on purpose; commas are QEMU syntax
CMD=("$QEMU" -nodefaults -no-reboot -display none
	-machine q35,kernel-irqchip=split -accel tcg -cpu max,la57=off
	-smp 2 -m 1G "${FWARGS[@]}"
	"${IOMMU_ARGS[@]}"
	-serial "file:$LOG"
	-kernel "$KDIR/bzImage" -initrd "$WORK/initramfs.gz"
	-append "console=ttyS0 intel_iommu=on,sm_on panic=-1 $APPEND"
	$QEMU_EXTRA)
log "launch: ${CMD[*]}"

T0=$(date +%s.%N)
"${CMD[@]}" >"$WORK/qemu.out" 2>&1 &
QPID=$!
T_MARK=
while kill -0 "$QPID" 2>/dev/null; do
	if [ -z "$T_MARK" ] && grep -q "^$MARKER" "$LOG"; then
		T_MARK=$(date +%s.%N)
	fi
	if [ "$(echo "$(date +%s.%N) - $T0 > $TIMEOUT" | bc)" = 1 ]; then
		log "timeout after $TIMEOUT s; killing QEMU (pid $QPID)"
		kill "$QPID" 2>/dev/null || true
		break
	fi
	sleep 0.1
done
wait "$QPID" 2>/dev/null || true
T_END=$(date +%s.%N)
[ -n "$T_MARK" ] || ! grep -q "^$MARKER" "$LOG" || T_MARK=$T_END

grep -E '^CLI|^SMOKE|^queue |NOPs|memcpy of|halted the queue|restarted|CCE-QUEUE' "$LOG" >&2 || true
grep -E '\] cce ' "$LOG" >&2 || true
if [ -n "$MODEL_PID" ]; then
	wait "$MODEL_PID" 2>/dev/null || true
	MODEL_PID=
	log "cce-model log:"
	tail -n 6 "$WORK/model.log" >&2 2>/dev/null || true
fi
if [ -z "$T_MARK" ]; then
	log "FAIL: marker not seen. QEMU said:"
	cat "$WORK/qemu.out" >&2
	log "console log ($LOG):"
	tail -n 80 "$LOG" >&2
	exit 1
fi
printf '[boot-smoke] PASS: marker after %.1f s (QEMU launch -> marker), %.1f s launch -> exit\n' \
	"$(echo "$T_MARK - $T0" | bc)" "$(echo "$T_END - $T0" | bc)" >&2
