#!/bin/sh
# In-guest part of `./testbed demo`: a guest process (the static cce CLI,
# libcce inside) hands plain pointers to /dev/cce-0; the device (cce-pci +
# the SystemC model) compresses and encrypts a file through SVA. Every
# result is verified; any mismatch fails the demo.
set -e
fail() { echo "DEMO: FAIL: $*"; exit 1; }
size() { wc -c <"$1" | tr -d ' '; }
cd /root
echo "== the device, as the guest sees it"
cce list
echo
echo "== compress hw-spec.md on the device (gzip), then encrypt it (AES-256-GCM)"
head -c 32 /dev/urandom >key
cce -v --backend hw compress -f gzip -l 6 -i hw-spec.md -o hw-spec.md.gz
cce -v --backend hw encrypt -m gcm -k key -i hw-spec.md.gz -o hw-spec.md.gz.enc
echo "   $(size hw-spec.md) bytes -> $(size hw-spec.md.gz) compressed -> $(size hw-spec.md.gz.enc) encrypted (+16-byte tag)"
echo
echo "== decrypt and decompress on the device, verify"
cce -v --backend hw decrypt -m gcm -k key -i hw-spec.md.gz.enc -o back.gz
cmp -s back.gz hw-spec.md.gz || fail "decrypted data differs from the compressed file"
cce -v --backend hw decompress -f gzip -i back.gz -o back
cmp -s back hw-spec.md || fail "round trip differs from the original"
gunzip -c hw-spec.md.gz | cmp -s - hw-spec.md || fail "busybox gunzip disagrees"
# A tampered ciphertext must be refused, not decrypted.
cp hw-spec.md.gz.enc bad.enc
printf 'X' | dd of=bad.enc bs=1 seek=100 conv=notrunc 2>/dev/null
if cce --backend hw decrypt -m gcm -k key -i bad.enc -o bad.out 2>err; then
	fail "tampered ciphertext decrypted"
fi
echo "   round trip identical; busybox gunzip agrees; tampered ciphertext refused: $(cat err)"
h1=$(cce --backend hw hash hw-spec.md | cut -d' ' -f1)
h2=$(sha256sum hw-spec.md | cut -d' ' -f1)
[ "$h1" = "$h2" ] || fail "sha256 mismatch"
echo "   sha256 on the device = busybox sha256sum: $h1"
echo
echo "DEMO: PASS"
