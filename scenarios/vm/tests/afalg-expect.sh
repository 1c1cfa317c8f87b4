#!/usr/bin/env bash
# afalg-expect.sh DIR - host part of vm_test.sh afalg: writes the inputs of
# the kcapi-tools run (afalg-check.sh) into DIR and the results OpenSSL on
# the host expects into DIR/expected, one "R NAME VALUE" line each:
#   sha256, hmac(sha256)   openssl dgst -sha256 [-mac HMAC -macopt hexkey:K]
#   xts(aes) (AES-128)     the openssl CLI refuses XTS in "enc" ("XTS ciphers
#   gcm(aes) (128, 256)    not supported") and has no AEAD mode: Python's
#                          "cryptography" (python3-cryptography, which calls
#                          the host's OpenSSL libcrypto EVP ciphers) computes
#                          them. XTS on the input padded the way kcapi-enc
#                          pads it (to 16 bytes, N bytes of value N);
#                          ciphertexts as their SHA-256
# Sizes: 0, 1, 4095, 4096, 65536 and 12345 bytes (ciphers: not 0, which
# kcapi-enc cannot mmap). Keys at most 32 bytes: kcapi-dgst/kcapi-enc read
# --keyfd into a 32-byte buffer, so XTS is AES-128 only here (AES-256 XTS
# is covered by the AfAlg gtest suite).
set -euo pipefail
D=${1:?usage: afalg-expect.sh DIR}
PY=/usr/bin/python3
command -v openssl >/dev/null || { echo "afalg-expect: openssl CLI missing (Debian package openssl)" >&2; exit 1; }
$PY -c 'import cryptography' 2>/dev/null ||
	{ echo "afalg-expect: $PY cannot import cryptography (Debian package python3-cryptography)" >&2; exit 1; }
mkdir -p "$D"
cd "$D"
hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
SIZES="0 1 4095 4096 65536 12345"

head -c 32 /dev/urandom >hmac.key
head -c 32 /dev/urandom >xts.key
head -c 16 /dev/urandom >gcm16.key
head -c 32 /dev/urandom >gcm32.key
XTS_IV=$(head -c 16 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
GCM_IV=$(head -c 12 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
AAD=$(head -c 20 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
cat >params <<EOF
XTS_IV=$XTS_IV
GCM_IV=$GCM_IV
AAD=$AAD
SIZES="$SIZES"
EOF

: >expected
for n in $SIZES; do
	head -c "$n" /dev/urandom >"in.$n"
	echo "R sha256.$n $(openssl dgst -sha256 -r "in.$n" | cut -d' ' -f1)" >>expected
	echo "R hmac.$n $(openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(hex hmac.key)" -r "in.$n" |
		cut -d' ' -f1)" >>expected
	[ "$n" -gt 0 ] || continue
	# kcapi-enc pads the plaintext to the block size (PKCS#7 style).
	pad=$(((16 - n % 16) % 16))
	cp "in.$n" "pad.$n"
	if [ "$pad" -gt 0 ]; then
		printf "\\x$(printf %02x "$pad")%.0s" $(seq "$pad") >>"pad.$n"
	fi
	$PY - xts.key "$XTS_IV" "pad.$n" "xts.$n" <<'EOF'
import sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
key = open(sys.argv[1], 'rb').read()
enc = Cipher(algorithms.AES(key), modes.XTS(bytes.fromhex(sys.argv[2]))).encryptor()
ct = enc.update(open(sys.argv[3], 'rb').read()) + enc.finalize()
open(sys.argv[4], 'wb').write(ct)
EOF
	echo "R xts-enc.$n $(sha "xts.$n")" >>expected
	echo "R xts-dec.$n $(sha "pad.$n")" >>expected
	for k in 16 32; do
		$PY - "gcm$k.key" "$GCM_IV" "$AAD" "in.$n" "gcm$k.$n" <<'EOF'
import sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key = open(sys.argv[1], 'rb').read()
iv, aad = bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
pt = open(sys.argv[4], 'rb').read()
ct_tag = AESGCM(key).encrypt(iv, pt, aad)
open(sys.argv[5], 'wb').write(ct_tag[:-16])
open(sys.argv[5] + '.tag', 'w').write(ct_tag[-16:].hex())
open(sys.argv[5] + '.all', 'wb').write(ct_tag)
EOF
		{
			echo "R gcm$k-enc.$n $(sha "gcm$k.$n.all")"
			echo "R gcm$k-dec.$n $(sha "in.$n")"
			echo "R gcm$k-forged.$n refused"
		} >>expected
		rm -f "gcm$k.$n.all"
	done
	rm -f "pad.$n"
done
wc -l <expected
