#!/bin/sh
# In-guest part of vm_test.sh afalg (booted with cce.sync_algs=1): the
# *-cce-sync variants are registered at priority 900 and passed testmgr;
# the AfAlg gtest suite (raw AF_ALG sockets against OpenSSL in the guest);
# then Debian's kcapi-tools (libkcapi) hash and encrypt the files
# afalg-expect.sh made on the host, printing one "R NAME VALUE" line per
# result for the host to compare with OpenSSL's; crypto_stats must show the
# requests went through the driver. Last, a 1 MiB timing: device (sync
# variants) vs. the generic code after rmmod cce.
#   sh afalg-check.sh DIR   (DIR: the unpacked afalg-expect.sh output)
# Word splitting of $(...) and lists is intended (busybox sh, no arrays).
# shellcheck disable=SC2012,SC2046,SC2086
fail() { echo "AFALG-FAIL: $*"; exit 1; }
D=${1:?usage: afalg-check.sh DIR}
cd "$D" || fail "no $D"
# shellcheck disable=SC1091
. ./params
STATS=$(ls /sys/bus/pci/drivers/cce/*/crypto_stats 2>/dev/null | head -n1)
[ -n "$STATS" ] || fail "no crypto_stats (cce.ko not bound?)"
[ "$(cat /sys/module/cce/parameters/sync_algs)" = Y ] || fail "cce.sync_algs is not set"
# col ALG COLUMN [FILE]: one number of crypto_stats (or of a copy of it),
# the column named by the header.
col() {
	awk -v A="$1" -v C="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == C) c = i}
		NR > 1 && $1 == A {print $c}' "${3:-$STATS}"
}
now_cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }	# centiseconds
sha() { sha256sum "$1" | cut -d' ' -f1; }

cce-wait-selftests || fail "testmgr still running"
for pair in "xts(aes) xts-aes-cce-sync" "gcm(aes) gcm-aes-cce-sync" \
	"sha256 sha256-cce-sync" "hmac(sha256) hmac-sha256-cce-sync"; do
	set -- $pair
	line=$(awk -v N="$1" -v D="$2" '
		/^name/{n=$3} /^driver/{d=$3} /^priority/{p=$3} /^selftest/{s=$3}
		/^type/{ if (n == N && d == D && $3 != "larval") { ours = p; st = s } }
		END{ printf "%s %s\n", ours == "" ? "-" : ours, st == "" ? "-" : st }' /proc/crypto)
	set -- $pair $line
	[ "$3" = 900 ] || fail "$2 is not registered as $1 at priority 900 ($3)"
	[ "$4" = passed ] || fail "$2: selftest $4"
	echo "AFALG: $1 -> $2 priority $3, selftest $4"
done

cce-guest-test --gtest_filter='AfAlg.*' || fail "AfAlg gtest suite"

cp "$STATS" stats0
ops_xts=0
ops_gcm=0
ops_hash=0
for n in $SIZES; do
	echo "R sha256.$n $(kcapi-dgst -c sha256 --hex <in.$n)"
	echo "R hmac.$n $(kcapi-dgst -c 'hmac(sha256)' --keyfd 3 --hex <in.$n 3<hmac.key)"
	ops_hash=$((ops_hash + 1))
	[ "$n" -gt 0 ] || continue
	rm -f out.xts out.dec
	kcapi-enc -q -e -c 'xts(aes)' --keyfd 3 --iv "$XTS_IV" -i in.$n -o out.xts 3<xts.key ||
		fail "kcapi-enc xts encrypt $n"
	echo "R xts-enc.$n $(sha out.xts)"
	kcapi-enc -q -d -c 'xts(aes)' --keyfd 3 --iv "$XTS_IV" --nounpad -i xts.$n -o out.dec 3<xts.key ||
		fail "kcapi-enc xts decrypt $n"
	echo "R xts-dec.$n $(sha out.dec)"
	ops_xts=$((ops_xts + 2))
	for k in 16 32; do
		rm -f out.gcm out.gpt
		kcapi-enc -q -e -c 'gcm(aes)' --keyfd 3 --iv "$GCM_IV" --aad "$AAD" --taglen 16 \
			-i in.$n -o out.gcm 3<gcm$k.key || fail "kcapi-enc gcm$k encrypt $n"
		# Output: AAD, ciphertext, tag; compare what follows the AAD.
		tail -c $((n + 16)) out.gcm >out.ct
		echo "R gcm$k-enc.$n $(sha out.ct)"
		tag=$(cat gcm$k.$n.tag)
		kcapi-enc -q -d -c 'gcm(aes)' --keyfd 3 --iv "$GCM_IV" --aad "$AAD" --tag "$tag" \
			-i gcm$k.$n -o out.gpt 3<gcm$k.key || fail "kcapi-enc gcm$k decrypt $n"
		tail -c "$n" out.gpt >out.pt
		echo "R gcm$k-dec.$n $(sha out.pt)"
		# Tampered tag: last byte flipped.
		last=$(printf %d "0x$(echo "$tag" | cut -c31-32)")
		bad=$(echo "$tag" | cut -c1-30)$(printf %02x $((last ^ 1)))
		rm -f out.gpt
		if kcapi-enc -d -c 'gcm(aes)' --keyfd 3 --iv "$GCM_IV" --aad "$AAD" --tag "$bad" \
			-i gcm$k.$n -o out.gpt 3<gcm$k.key 2>out.err; then
			echo "R gcm$k-forged.$n accepted"
		elif grep -q 'integrity violation' out.err; then
			echo "R gcm$k-forged.$n refused"
		else
			echo "R gcm$k-forged.$n error: $(cat out.err)"
		fi
		ops_gcm=$((ops_gcm + 3))
	done
done

cat "$STATS"
# Ciphers: one request per kcapi-enc run (files up to 64 KiB are one
# chunk), through the sync variant, on the device.
for a in 'xts(aes)' 'gcm(aes)'; do
	[ "$a" = 'xts(aes)' ] && want=$ops_xts || want=$ops_gcm
	dd=$(($(col "$a" device) - $(col "$a" device stats0)))
	ds=$(($(col "$a" sync) - $(col "$a" sync stats0)))
	echo "AFALG-KCAPI: $a: $want kcapi-enc requests, $ds through the -cce-sync variant, $dd on the device"
	[ "$ds" -ge "$want" ] || fail "$a: $ds requests through the sync variant, expected $want"
	[ "$dd" -ge "$want" ] || fail "$a: $dd requests on the device, expected $want"
done
# Hashes: libkcapi always sends with MSG_MORE and reads the digest
# separately, so algif_hash uses init/update/final. sha256 streams them on
# the device (an update with data is one job, final the LAST job), so every
# kcapi-dgst run adds at least one device job and no "partial" request;
# hmac(sha256) streams the same way (the inner hash as SHA256 jobs starting
# with the K0 ^ ipad block, then one outer job), so each run adds at least
# two device jobs and no "partial" request either.
dp=$(($(col sha256 partial) - $(col sha256 partial stats0)))
dd=$(($(col sha256 device) - $(col sha256 device stats0)))
echo "AFALG-KCAPI: sha256: $ops_hash kcapi-dgst runs, $dd jobs on the device, $dp in the software fallback"
[ "$dd" -ge "$ops_hash" ] || fail "sha256: kcapi-dgst did not hash on the device ($dd jobs for $ops_hash runs)"
[ "$dp" -eq 0 ] || fail "sha256: $dp init/update/final sequences ran in the software fallback"
for n in nodev busy nomem aborted atomic; do
	x=$(($(col sha256 $n) - $(col sha256 $n stats0)))
	[ "$x" -eq 0 ] || fail "sha256: $x requests fell back ($n)"
done
dp=$(($(col 'hmac(sha256)' partial) - $(col 'hmac(sha256)' partial stats0)))
dd=$(($(col 'hmac(sha256)' device) - $(col 'hmac(sha256)' device stats0)))
echo "AFALG-KCAPI: hmac(sha256): $ops_hash kcapi-dgst runs, $dd jobs on the device, $dp in the software fallback"
[ "$dd" -ge $((2 * ops_hash)) ] || fail "hmac(sha256): kcapi-dgst did not hash on the device ($dd jobs for $ops_hash runs, expected at least 2 each)"
[ "$dp" -eq 0 ] || fail "hmac(sha256): $dp init/update/final sequences ran in the software fallback"
for n in nodev busy nomem aborted atomic; do
	x=$(($(col 'hmac(sha256)' $n) - $(col 'hmac(sha256)' $n stats0)))
	[ "$x" -eq 0 ] || fail "hmac(sha256): $x requests fell back ($n)"
done

# Timing, 4 MiB per algorithm: xts 4 x 1 MiB (kcapi-enc cuts a file into
# 64 KiB requests), gcm 64 x 64 KiB (kcapi-enc does one AEAD request per
# run), sha256 4 x 1 MiB.
head -c 1048576 /dev/urandom >big
head -c 65536 /dev/urandom >big64k
# timeit REPS KEYFILE CMD...: centiseconds for REPS runs, key on fd 3.
timeit() {
	reps=$1
	key=$2
	shift 2
	t0=$(now_cs)
	for _ in $(seq "$reps"); do
		rm -f big.out
		"$@" >/dev/null 2>&1 3<"$key" || { echo "AFALG-FAIL: timing run: $*" >&2; exit 1; }
	done
	echo $(($(now_cs) - t0))
}
run_all() {
	x=$(timeit 4 xts.key kcapi-enc -q -e -c 'xts(aes)' --keyfd 3 --iv "$XTS_IV" -i big -o big.out) ||
		fail "xts timing"
	g=$(timeit 64 gcm32.key kcapi-enc -q -e -c 'gcm(aes)' --keyfd 3 --iv "$GCM_IV" --aad "$AAD" \
		--taglen 16 -i big64k -o big.out) || fail "gcm timing"
	h=$(timeit 4 /dev/null kcapi-dgst -c sha256 -i big -o big.out) || fail "sha256 timing"
	echo "AFALG-SPEED: $1: 4 MiB each: xts(aes)-128 enc ${x} cs, gcm(aes)-256 enc ${g} cs, sha256 ${h} cs"
}
x0=$(col 'xts(aes)' device)
g0=$(col 'gcm(aes)' device)
h0=$(col sha256 device)
run_all "cce.sync_algs=1 (device)"
x1=$(($(col 'xts(aes)' device) - x0))
g1=$(($(col 'gcm(aes)' device) - g0))
h1=$(($(col sha256 device) - h0))
echo "AFALG-SPEED: device requests during the timing: xts(aes) $x1, gcm(aes) $g1, sha256 $h1"
[ "$x1" -ge 4 ] || fail "the xts timing runs did not reach the device"
[ "$g1" -ge 64 ] || fail "the gcm timing runs did not reach the device"
[ "$h1" -ge 64 ] || fail "the sha256 timing runs did not stream on the device ($h1 jobs; kcapi-dgst sends 1 MiB as 16 updates of 64 KiB, then final)"
rmmod cce || fail "rmmod cce"
grep -q -- '-cce-sync$' /proc/crypto && fail "cce algorithms still registered"
run_all "generic (cce.ko removed)"
echo "AFALG-OK"
