#!/bin/sh
# In-guest part of vm_test.sh cli: the static cce CLI through /dev/cce-0,
# every result checked by the CLI's software path or by busybox.
set -e
fail() { echo "CLI-FAIL: $*"; exit 1; }
cce list
head -c 400000 /bin/busybox >in
cce --backend hw compress -f gzip -i in -o in.gz
cce --backend sw decompress -f gzip -i in.gz | cmp -s - in || fail "device gzip, software gunzip"
gunzip -c in.gz | cmp -s - in || fail "busybox gunzip of device output"
cce --backend hw decompress -f gzip -i in.gz | cmp -s - in || fail "device gunzip"
for f in raw zlib; do
	cce --backend hw compress -f $f -i in | cce --backend sw decompress -f $f | cmp -s - in ||
		fail "device $f, software inflate"
done
echo "CLI: compress/decompress gzip/zlib/raw verified"
head -c 64 /bin/busybox >key64
head -c 32 /bin/busybox >key32
# XTS needs key1 != key2.
dd if=/bin/busybox of=key64 bs=1 skip=1000 count=64 2>/dev/null
cce --backend hw encrypt -m xts -k key64 --sector-size 4096 -i in -o in.xts
cce --backend sw decrypt -m xts -k key64 --sector-size 4096 -i in.xts | cmp -s - in || fail "xts"
cmp -s in in.xts && fail "xts output equals input"
cce --backend hw encrypt -m gcm -k key32 -i in -o in.gcm
cce --backend sw decrypt -m gcm -k key32 -i in.gcm | cmp -s - in || fail "gcm"
cce --backend hw decrypt -m gcm -k key32 -i in.gcm | cmp -s - in || fail "gcm device decrypt"
echo "CLI: xts and gcm verified against the software path"
h=$(cce --backend hw hash in | cut -d' ' -f1)
[ "$h" = "$(sha256sum in | cut -d' ' -f1)" ] || fail "sha256 $h"
c=$(cce --backend hw crc in | cut -d' ' -f1)
# The gzip trailer (checked by busybox gunzip above) holds the CRC-32.
t=$(tail -c 8 in.gz | od -An -tx4 -N4 | tr -d ' ')
[ "$c" = "$t" ] || fail "crc32 $c, gzip trailer says $t"
echo "CLI: sha256 matches busybox sha256sum; crc32 $c"
echo "CLI-OK"
