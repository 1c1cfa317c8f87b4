#!/usr/bin/env bash
# vm.sh - boot the accel-testbed VM: cce-model process(es), QEMU with the
# cce-pci device(s) behind an SVA-capable intel-iommu, the guest kernel and
# initramfs; run one command in the guest or give a shell.
#
# Usage: scenarios/vm/vm.sh [options] [-- CMD ARGS...]
#
#   -- CMD ARGS     run CMD in the guest (busybox sh, cwd /root), print its
#                   output, exit with its exit status; without it: an
#                   interactive shell on the serial console
#   --image FILE    initramfs from image.sh      (default $CCE_VM_IMAGE; the
#                   four defaults are also read from the file $CCE_VM_ENV)
#   --kdir DIR      kernel cache dir             (default $CCE_KDIR)
#   --qemu PATH     QEMU with cce-pci            (default $CCE_QEMU)
#   --model PATH    cce-model                    (default $CCE_MODEL)
#   --devices N     cce-pci devices, one model process each (default 1)
#   --queues N      hardware queues per device (default 4)
#   --model-arg A   extra cce-model argument (repeatable), e.g.
#                   --model-arg --datapath --model-arg rtl
#   --put SRC:DEST  copy host file SRC to guest path DEST (repeatable)
#   --smp N --mem SIZE   vCPUs (default 2) and memory (default 1G)
#   --no-iommu      no intel-iommu (SVA unavailable: negative tests)
#   --no-driver     do not load cce.ko at boot
#   --append ARGS   extra kernel command line
#   --qemu-arg A    extra QEMU argument (repeatable), e.g.
#                   --qemu-arg -trace --qemu-arg 'cce_pci_msix' (to qemu.log)
#   --timeout SEC   kill the VM after SEC s (default 600); exit 124
#   --log-dir DIR   keep console.log, model-N.log, model-N.stats, qemu.log
#                   there (default: a temp dir, removed unless it failed)
#   --stats         print each model's statistics at the end (stderr)
#   (every model listens for live fault injection on a control socket,
#   $CCE_VM_CONTROL_DIR/cceN.ctl, default /tmp/cce-vm-control: use
#   ./testbed fault 'class=hang queue=0' or cce-model --send SOCKET LINE)
#   --allow-oops    do not fail on WARNING:/BUG:/Oops in the guest log
#   --quiet         no progress lines
#
# Exit status: the guest command's status; 124 timeout; 125 the VM did not
# boot or died (panic) before the command finished; 126 the guest kernel
# logged WARNING:, BUG:, Oops, a lockup or a hung task, or QEMU dropped a
# device access (re-entrancy guard) (unless --allow-oops); 2 usage error.
set -euo pipefail
# The whole script is one compound command: bash parses it before running
# it, so editing this file cannot change a run that is already going.
{

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# ./testbed writes the artefact paths to build/main/vm.env; CTest tests name
# it in CCE_VM_ENV. Variables already set win.
if [ -f "${CCE_VM_ENV:-}" ]; then
	while IFS='=' read -r k v; do
		case "$k" in
		CCE_QEMU|CCE_KDIR|CCE_VM_IMAGE|CCE_MODEL) [ -n "${!k:-}" ] || eval "$k=$v" ;;
		esac
	done <"$CCE_VM_ENV"
fi
IMAGE=${CCE_VM_IMAGE:-}
KDIR=${CCE_KDIR:-}
QEMU=${CCE_QEMU:-}
MODEL=${CCE_MODEL:-}
DEVICES=1
QUEUES=4
MODEL_ARGS=()
QEMU_XARGS=()
PUTS=()
SMP=2
MEM=1G
NO_IOMMU=0
NO_DRIVER=0
APPEND=
TIMEOUT=600
LOG_DIR=
STATS=0
ALLOW_OOPS=0
QUIET=0
CMD=()
ORIG_ARGS=("$@")

T0=$(date +%s.%N)
elapsed() { printf '%.1f' "$(echo "$(date +%s.%N) - $T0" | bc)"; }
log() { [ "$QUIET" = 1 ] || echo "[vm $(elapsed)s] $*" >&2; }
die() { echo "vm.sh: error: $*" >&2; exit "${2:-125}"; }

while [ $# -gt 0 ]; do
	case "$1" in
	--image) IMAGE=$2; shift 2 ;;
	--kdir) KDIR=$2; shift 2 ;;
	--qemu) QEMU=$2; shift 2 ;;
	--model) MODEL=$2; shift 2 ;;
	--devices) DEVICES=$2; shift 2 ;;
	--queues) QUEUES=$2; shift 2 ;;
	--model-arg) MODEL_ARGS+=("$2"); shift 2 ;;
	--put) PUTS+=("$2"); shift 2 ;;
	--smp) SMP=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--no-iommu) NO_IOMMU=1; shift ;;
	--no-driver) NO_DRIVER=1; shift ;;
	--append) APPEND="$APPEND $2"; shift 2 ;;
	--qemu-arg) QEMU_XARGS+=("$2"); shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--log-dir) LOG_DIR=$2; shift 2 ;;
	--stats) STATS=1; shift ;;
	--allow-oops) ALLOW_OOPS=1; shift ;;
	--quiet) QUIET=1; shift ;;
	--) shift; CMD=("$@"); break ;;
	-h|--help) sed -n '2,40p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" 2 ;;
	esac
done
[[ "$DEVICES" =~ ^[0-9]+$ ]] && [ "$DEVICES" -le 8 ] || die "--devices takes 0..8" 2
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout takes seconds" 2
[ -f "$IMAGE" ] || die "no initramfs (--image or CCE_VM_IMAGE; ./testbed vm builds it)" 2
[ -f "$KDIR/bzImage" ] || die "no kernel in '$KDIR' (--kdir or CCE_KDIR)" 2
[ -x "$QEMU" ] || die "no QEMU at '$QEMU' (--qemu or CCE_QEMU; ./testbed qemu builds it)" 2
[ "$DEVICES" = 0 ] || [ -x "$MODEL" ] || die "no cce-model at '$MODEL' (--model or CCE_MODEL)" 2

KEEP_LOGS=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cce-vm.XXXXXX")
if [ -n "$LOG_DIR" ]; then
	mkdir -p "$LOG_DIR"
	KEEP_LOGS=1
else
	LOG_DIR=$WORK
fi
QPID=
MODEL_PIDS=()
TAIL_PID=
cleanup() {
	[ -z "$TAIL_PID" ] || kill "$TAIL_PID" 2>/dev/null || true
	[ -z "$QPID" ] || kill "$QPID" 2>/dev/null || true
	for p in "${MODEL_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------- per-run cpio
# The command and the --put files go in a second newc archive appended to
# the image; the kernel unpacks both into the same rootfs.
EXTRA=$WORK/extra
mkdir -p "$EXTRA"
if [ ${#CMD[@]} -gt 0 ]; then
	MODE=run
	{
		echo "# generated by vm.sh"
		printf '%q ' "${CMD[@]}"
		echo
	} >"$EXTRA/run.sh"
else
	MODE=shell
fi
for p in "${PUTS[@]}"; do
	src=${p%%:*}
	dst=${p#*:}
	[ "$src" != "$p" ] || die "--put takes SRC:DEST" 2
	[ -f "$src" ] || die "--put: $src not found" 2
	mkdir -p "$EXTRA/$(dirname "$dst")"
	cp "$src" "$EXTRA/$dst"
done
cp "$IMAGE" "$WORK/initramfs.gz"
(cd "$EXTRA" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) \
	>>"$WORK/initramfs.gz"

# ------------------------------------------------------------------ models
CTL_DIR=${CCE_VM_CONTROL_DIR:-/tmp/cce-vm-control}
mkdir -p "$CTL_DIR"
DEV_ARGS=()
for ((i = 0; i < DEVICES; i++)); do
	sock=$WORK/cce$i.sock
	rm -f "$CTL_DIR/cce$i.ctl"
	"$MODEL" --socket "$sock" --queues "$QUEUES" --log "$LOG_DIR/model-$i.log" \
		--stats "$LOG_DIR/model-$i.stats" --accept-timeout-ms 60000 \
		--control "$CTL_DIR/cce$i.ctl" "${MODEL_ARGS[@]}" \
		>"$LOG_DIR/model-$i.out" 2>&1 &
	MODEL_PIDS+=($!)
	for _ in $(seq 100); do
		[ -S "$sock" ] && break
		kill -0 "${MODEL_PIDS[$i]}" 2>/dev/null || break
		sleep 0.05
	done
	[ -S "$sock" ] || die "cce-model $i did not start: $(cat "$LOG_DIR/model-$i.out" "$LOG_DIR/model-$i.log" 2>/dev/null | tail -5)"
	DEV_ARGS+=(-device "pcie-root-port,id=cce_rp$i,chassis=$((i + 1)),slot=$((i + 1))"
		-device "cce-pci,bus=cce_rp$i,socket=$sock,num-queues=$QUEUES")
done
log "$DEVICES cce-model process(es) started (${QUEUES} queues each${MODEL_ARGS[*]:+, ${MODEL_ARGS[*]}})"

# ---------------------------------------------------------------- machine
# From shared/platform-facts.md: q35 with split irqchip (interrupt
# remapping), -cpu max without LA57, a scalable-mode intel-iommu with PASID,
# device IOTLB and the svm property our QEMU patch adds.
IOMMU_ARGS=(-device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on,aw-bits=48)
[ "$NO_IOMMU" = 1 ] && IOMMU_ARGS=()
FW_ARGS=()
for d in "$(dirname "$QEMU")/pc-bios" /usr/share/seabios /usr/share/qemu; do
	[ -d "$d" ] && FW_ARGS+=(-L "$d")
done
KAPPEND="console=ttyS0 intel_iommu=on,sm_on panic=-1 cce_mode=$MODE"
[ "$NO_DRIVER" = 1 ] && KAPPEND="$KAPPEND cce_nodriver=1"
KAPPEND="$KAPPEND$APPEND"
CONSOLE=$LOG_DIR/console.log
OUT=$WORK/output
: >"$CONSOLE"
: >"$OUT"
QARGS=(-nodefaults -no-reboot -display none
	-machine q35,kernel-irqchip=split -accel tcg -cpu max,la57=off
	-smp "$SMP" -m "$MEM" "${FW_ARGS[@]}" "${IOMMU_ARGS[@]}"
	-kernel "$KDIR/bzImage" -initrd "$WORK/initramfs.gz" -append "$KAPPEND"
	"${DEV_ARGS[@]}" "${QEMU_XARGS[@]}")

if [ "$MODE" = shell ]; then
	log "interactive guest shell on the serial console (Ctrl-A X quits QEMU; 'poweroff' ends the VM)"
	log "live fault injection from another terminal: ./testbed fault 'class=cpl_error count=1' (sockets in $CTL_DIR)"
	set +e
	"$QEMU" "${QARGS[@]}" -serial mon:stdio
	rc=$?
	set -e
	for p in "${MODEL_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	MODEL_PIDS=()
	if [ "$STATS" = 1 ]; then
		for ((i = 0; i < DEVICES; i++)); do
			echo "--- cce-model $i statistics" >&2
			grep -v '^cce-model: link\|listening' "$LOG_DIR/model-$i.log" >&2 || true
		done
	fi
	exit $rc
fi

QARGS+=(-serial "file:$CONSOLE"
	-device virtio-serial-pci,id=vser
	-chardev "file,id=cmdout,path=$OUT"
	-device virtconsole,chardev=cmdout)
log "booting: QEMU $(basename "$QEMU"), kernel $(sed -n 's/^kernelrelease=//p' "$KDIR/build-info"), ${SMP} vCPUs, $MEM"
echo "$QEMU ${QARGS[*]}" >"$LOG_DIR/qemu.cmdline"
TQ=$(date +%s.%N)
"$QEMU" "${QARGS[@]}" >"$LOG_DIR/qemu.log" 2>&1 &
QPID=$!
# The command's output, live.
tail -n +1 -f --pid="$QPID" "$OUT" &
TAIL_PID=$!

T_READY=
RESULT=
while :; do
	if [ -z "$T_READY" ] && grep -aq 'CCE-VM-READY' "$CONSOLE"; then
		T_READY=$(date +%s.%N)
		log "guest ready: $(printf '%.1f' "$(echo "$T_READY - $TQ" | bc)") s from QEMU launch to command start ($(grep -a -m1 'CCE-VM-READY' "$CONSOLE" | sed 's/.*t=/guest uptime /') s)"
		[ "$QUIET" = 1 ] || grep -a 'cce-init:' "$CONSOLE" | sed 's/^.*cce-init:/    cce-init:/' >&2 || true
	fi
	if ! kill -0 "$QPID" 2>/dev/null; then
		break
	fi
	if [ "$(echo "$(date +%s.%N) - $TQ > $TIMEOUT" | bc)" = 1 ]; then
		RESULT=timeout
		kill "$QPID" 2>/dev/null || true
		break
	fi
	sleep 0.1
done
wait "$QPID" 2>/dev/null || true
QPID=
sleep 0.2
kill "$TAIL_PID" 2>/dev/null || true
wait "$TAIL_PID" 2>/dev/null || true
TAIL_PID=
# Let each model see the disconnect and write its statistics.
for p in "${MODEL_PIDS[@]}"; do
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
done
MODEL_PIDS=()

status=$(grep -a -m1 -o 'CCE-VM-EXIT=[0-9]*' "$CONSOLE" | cut -d= -f2) || true
rc=
if [ "$RESULT" = timeout ]; then
	echo "vm.sh: TIMEOUT: the guest did not finish within $TIMEOUT s; last console lines:" >&2
	tail -n 15 "$CONSOLE" | sed 's/^/    /' >&2
	rc=124
elif [ -z "$status" ]; then
	echo "vm.sh: the VM ended before the command finished; last console lines:" >&2
	tail -n 25 "$CONSOLE" | sed 's/^/    /' >&2
	tail -n 5 "$LOG_DIR/qemu.log" | sed 's/^/    qemu: /' >&2
	rc=125
else
	rc=$status
fi
if [ "$STATS" = 1 ]; then
	for ((i = 0; i < DEVICES; i++)); do
		echo "--- cce-model $i statistics" >&2
		grep -v '^cce-model: link\|listening' "$LOG_DIR/model-$i.log" >&2 || true
	done
fi
BAD='(WARNING:|BUG:|Oops|Kernel panic|general protection fault|soft lockup|hard LOCKUP|blocked for more than|UBSAN:|KASAN:|kmemleak:.*new suspected)'
if [ "$ALLOW_OOPS" = 0 ] && grep -aEq "$BAD" "$CONSOLE"; then
	echo "vm.sh: the guest kernel reported a problem:" >&2
	grep -aE -B2 -A12 "$BAD" "$CONSOLE" | head -60 | sed 's/^/    /' >&2
	[ "$rc" = 0 ] && rc=126
fi
# QEMU dropping an access (e.g. an MSI write blocked by its re-entrancy
# guard) loses an interrupt or a register write: never acceptable.
if [ "$ALLOW_OOPS" = 0 ] && grep -aq 'Blocked re-entrant IO' "$LOG_DIR/qemu.log"; then
	echo "vm.sh: QEMU dropped device accesses:" >&2
	grep -a 'Blocked re-entrant IO' "$LOG_DIR/qemu.log" | sort | uniq -c | head -5 | sed 's/^/    /' >&2
	[ "$rc" = 0 ] && rc=126
fi
for ((i = 0; i < DEVICES; i++)); do
	if grep -q 'cce-model: link' "$LOG_DIR/model-$i.log" 2>/dev/null &&
		! grep -q 'QEMU disconnected' "$LOG_DIR/model-$i.log"; then
		echo "vm.sh: cce-model $i: $(tail -n1 "$LOG_DIR/model-$i.log")" >&2
	fi
done
# QEMU's TCG aborting in iotlb_to_section (physmem.c assertion) before the
# guest was ready is a rare race inside QEMU's memory map, seen about once
# in 100+ boots during PCI enumeration, before the command ran: it is not
# the system under test. Boot once more, saying so and keeping the logs;
# anything else, or a second time, stands.
if [ "$rc" = 125 ] && [ -z "$T_READY" ] && [ -z "${CCE_VM_RETRY:-}" ] &&
	grep -aq 'iotlb_to_section: Assertion' "$LOG_DIR/qemu.log"; then
	KEEP=$(mktemp -d "${TMPDIR:-/tmp}/cce-vm-failed.XXXXXX")
	cp "$LOG_DIR"/*.log "$LOG_DIR"/*.stats "$KEEP/" 2>/dev/null || true
	echo "vm.sh: QEMU aborted in iotlb_to_section before the guest was ready (a TCG race in QEMU, not the device; logs kept in $KEEP); booting once more" >&2
	cleanup
	trap - EXIT
	CCE_VM_RETRY=1 exec "${BASH_SOURCE[0]}" "${ORIG_ARGS[@]}"
fi
if [ "$rc" != 0 ] && [ "$KEEP_LOGS" = 0 ]; then
	# Keep the evidence of a failure.
	KEEP=$(mktemp -d "${TMPDIR:-/tmp}/cce-vm-failed.XXXXXX")
	cp "$LOG_DIR"/*.log "$LOG_DIR"/*.stats "$KEEP/" 2>/dev/null || true
	echo "vm.sh: logs kept in $KEEP" >&2
fi
log "exit status $rc"
exit "$rc"
}
