#!/bin/sh
# cce CLI round trips against gzip/gunzip, sha256sum and openssl, through
# the loopback backend (the engine model), software, and auto.
# usage: cli_test.sh PATH/TO/cce [PATH/TO/cce-static]
set -eu
CCE=$1
STATIC=${2:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Inputs: text (compressible, ~3 MiB so it spans descriptors with --chunk), random, empty.
i=0
while [ $i -lt 4000 ]; do
    echo "line $i of the cce cli test: accelerator queue descriptor completion phase doorbell pasid"
    i=$((i + 1))
done > "$T/text"
for k in 1 2 3 4 5 6 7 8; do cat "$T/text"; done > "$T/big"
head -c 300000 /dev/urandom > "$T/rand"
: > "$T/empty"
head -c 64 /dev/urandom > "$T/key64"
head -c 32 /dev/urandom > "$T/key32"
head -c 16 /dev/urandom > "$T/iv16"
head -c 12 /dev/urandom > "$T/iv12"
echo "header" > "$T/aad"

"$CCE" --help | grep -q "usage: cce" || fail "--help"
"$CCE" list --sysfs "$T" | grep -q "no CCE device" || fail "list without devices"

# list over a fake sysfs tree
mkdir -p "$T/sys/class/uacce/cce-0/device" "$T/sys/devices/system/node/node0"
echo cce_v1 > "$T/sys/class/uacce/cce-0/api"
printf 'memcpy\ndeflate\ninflate\nsha256\n' > "$T/sys/class/uacce/cce-0/algorithms"
echo 3 > "$T/sys/class/uacce/cce-0/available_instances"
echo 0 > "$T/sys/class/uacce/cce-0/device/numa_node"
echo enabled > "$T/sys/class/uacce/cce-0/device/sva"
echo "10" > "$T/sys/devices/system/node/node0/distance"
"$CCE" list --sysfs "$T/sys" > "$T/list"
grep -q "^cce-0  /dev/cce-0  api cce_v1" "$T/list" || fail "list: device line"
grep -q "free queues 3" "$T/list" || fail "list: free queues"
grep -q "algorithms: memcpy deflate inflate sha256" "$T/list" || fail "list: algorithms"

for B in loopback sw auto; do
    for f in text big rand empty; do
        # compress -> gunzip
        "$CCE" --backend $B --chunk 1048576 compress -i "$T/$f" -o "$T/$f.gz"
        gunzip -c "$T/$f.gz" | cmp -s - "$T/$f" || fail "$B compress $f | gunzip"
        # gzip -> decompress
        gzip -c -9 "$T/$f" > "$T/$f.ref.gz"
        "$CCE" --backend $B decompress < "$T/$f.ref.gz" | cmp -s - "$T/$f" || fail "$B gzip | decompress $f"
        # zlib and raw round trips
        for fmt in zlib raw; do
            "$CCE" --backend $B compress -f $fmt -l 9 < "$T/$f" | "$CCE" --backend $B decompress -f $fmt |
                cmp -s - "$T/$f" || fail "$B $fmt round trip $f"
        done
        # hash = sha256sum
        a=$("$CCE" --backend $B hash "$T/$f" | cut -d' ' -f1)
        b=$(sha256sum "$T/$f" | cut -d' ' -f1)
        [ "$a" = "$b" ] || fail "$B hash $f: $a != $b"
        # crc32 = gzip's CRC (trailer of gzip output, little endian)
        c=$("$CCE" --backend $B crc "$T/$f" | cut -d' ' -f1)
        g=$(tail -c 8 "$T/$f.ref.gz" | head -c 4 | od -An -tx4 | tr -d ' \n')
        [ "$c" = "$g" ] || fail "$B crc $f: $c != $g"
    done
    # encrypt/decrypt round trips
    for m in xts gcm; do
        if [ $m = xts ]; then K=$T/key64; IV=$T/iv16; X="--sector-size 4096"; else K=$T/key32; IV=$T/iv12; X="--aad $T/aad"; fi
        "$CCE" --backend $B encrypt -m $m -k "$K" --iv "$IV" $X -i "$T/rand" -o "$T/rand.$m"
        "$CCE" --backend $B decrypt -m $m -k "$K" --iv "$IV" $X -i "$T/rand.$m" | cmp -s - "$T/rand" ||
            fail "$B $m round trip"
        cmp -s "$T/rand.$m" "$T/rand" && fail "$B $m did not encrypt"
    done
    # tampered GCM fails
    cp "$T/rand.gcm" "$T/bad.gcm"
    printf 'X' | dd of="$T/bad.gcm" bs=1 seek=100 conv=notrunc 2>/dev/null
    if "$CCE" --backend $B decrypt -m gcm -k "$T/key32" --iv "$T/iv12" --aad "$T/aad" -i "$T/bad.gcm" > /dev/null 2> "$T/err"; then
        fail "$B tampered gcm accepted"
    fi
    grep -q "authentication failed" "$T/err" || fail "$B tampered gcm message"
    # corrupt gzip fails
    if printf 'not gzip at all' | "$CCE" --backend $B decompress > /dev/null 2>&1; then fail "$B corrupt accepted"; fi
done

# Device output equals software output for the deterministic operations.
for m in xts gcm; do
    if [ $m = xts ]; then K=$T/key64; IV=$T/iv16; else K=$T/key32; IV=$T/iv12; fi
    "$CCE" --backend loopback encrypt -m $m -k "$K" --iv "$IV" -i "$T/rand" -o "$T/a.$m"
    "$CCE" --backend sw encrypt -m $m -k "$K" --iv "$IV" -i "$T/rand" -o "$T/b.$m"
    cmp -s "$T/a.$m" "$T/b.$m" || fail "$m loopback != software"
done
# HMAC = openssl dgst -hmac
if command -v openssl > /dev/null; then
    printf 'secret-key' > "$T/hk"
    a=$("$CCE" --backend loopback hash --hmac-key "$T/hk" "$T/text" | cut -d' ' -f1)
    b=$(openssl dgst -sha256 -hmac secret-key "$T/text" | sed 's/.*= //')
    [ "$a" = "$b" ] || fail "hmac $a != $b"
fi
# bench runs and prints both columns
"$CCE" --backend loopback bench --ops crc32,compress --sizes 4096 --time 0.01 > "$T/bench"
grep -q "dev MB/s" "$T/bench" && grep -q "^compress" "$T/bench" || fail "bench output"
# The static guest build (software here: no device on the host).
if [ -n "$STATIC" ]; then
    "$STATIC" --backend sw compress < "$T/big" | gunzip -c | cmp -s - "$T/big" || fail "static compress"
    a=$("$STATIC" hash "$T/big" | cut -d' ' -f1)
    [ "$a" = "$(sha256sum "$T/big" | cut -d' ' -f1)" ] || fail "static hash"
    "$STATIC" --backend hw hash "$T/big" > /dev/null 2>&1 && fail "static: hw without a device succeeded"
    "$STATIC" --backend loopback hash "$T/big" > /dev/null 2>&1 && fail "static: has no loopback"
fi
echo "cli tests passed"
