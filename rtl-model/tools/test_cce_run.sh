#!/bin/sh
# End-to-end check of cce-run (./testbed model) against the system's gzip,
# gunzip and sha256sum: real files through the engine model, both ways.
set -eu
RUN=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A mix of real files: text, a binary, already-compressed data.
cat /usr/share/common-licenses/GPL-3 > "$T/text"
head -c 3000000 "$(command -v cmake)" > "$T/bin"
gzip -9c /usr/share/common-licenses/GPL-2 > "$T/compressed"
for f in text bin compressed; do
	for fmt in gzip zlib raw; do
		"$RUN" compress --format $fmt --level 6 < "$T/$f" > "$T/$f.$fmt" || fail "compress $f $fmt"
		"$RUN" decompress --format $fmt < "$T/$f.$fmt" | cmp -s - "$T/$f" || fail "round trip $f $fmt"
	done
	gunzip -c "$T/$f.gzip" | cmp -s - "$T/$f" || fail "gunzip of our $f"
	gzip -9c "$T/$f" | "$RUN" decompress --chunk 5000 | cmp -s - "$T/$f" || fail "our inflate of gzip -9 $f"
	want=$(sha256sum < "$T/$f" | cut -d' ' -f1)
	[ "$("$RUN" hash --chunk 100000 < "$T/$f")" = "$want" ] || fail "sha256 $f"
	# CRC-32 against the trailer gzip wrote (little-endian, 4 bytes before ISIZE).
	crc=$(gzip -c "$T/$f" | tail -c 8 | od -An -tx1 -N4 | awk '{print $4$3$2$1}')
	[ "$("$RUN" crc32 --chunk 70000 < "$T/$f")" = "$crc" ] || fail "crc32 $f"
done
head -c 64 /dev/urandom > "$T/k64"
head -c 16 /dev/urandom > "$T/iv"
"$RUN" encrypt --key "$T/k64" --iv "$T/iv" --sector-size 4096 < "$T/bin" > "$T/x"
cmp -s "$T/x" "$T/bin" && fail "xts output equals input"
"$RUN" decrypt --key "$T/k64" --iv "$T/iv" --sector-size 4096 < "$T/x" | cmp -s - "$T/bin" || fail "xts"
head -c 32 /dev/urandom > "$T/k32"
"$RUN" encrypt --mode gcm --key "$T/k32" < "$T/text" > "$T/g"
"$RUN" decrypt --mode gcm --key "$T/k32" < "$T/g" | cmp -s - "$T/text" || fail "gcm"
printf 'x' >> "$T/g"
if "$RUN" decrypt --mode gcm --key "$T/k32" < "$T/g" > /dev/null 2>&1; then fail "gcm accepted a bad tag"; fi
# Corrupt input is an error, not output.
head -c 1000 "$T/text.gzip" > "$T/cut"
if "$RUN" decompress < "$T/cut" > /dev/null 2>&1; then fail "truncated stream accepted"; fi
echo "cce-run: all checks passed"
