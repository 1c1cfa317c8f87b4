// SPDX-License-Identifier: MIT
// AES-GCM (NIST SP 800-38D): the engine's CCE_OP_AES_GCM_ENC / _DEC
// datapath. CTR keystream from the AES pipeline, GHASH with an 8-bit Shoup
// table (256 x 128-bit multiples of H per key, 16 lookups per block, plus a
// 256-entry reduction ROM).
#pragma once

#include <cstddef>
#include <cstdint>

#include "cce/cce_hw.h"
#include "cce/datapath/aes.h"

namespace cce::datapath {

inline constexpr size_t kGcmMaxTag = 16;
// SP 800-38D limits: plaintext <= 2^39 - 256 bits, AAD < 2^64 bits.
inline constexpr uint64_t kGcmMaxLen = (uint64_t{1} << 36) - 32;
inline constexpr uint64_t kGcmMaxAad = (uint64_t{1} << 61) - 1;

// True for the tag lengths GCM allows: 4, 8, 12, 13, 14, 15, 16.
constexpr bool gcm_tag_len_ok(size_t t) { return t == 4 || t == 8 || (t >= 12 && t <= 16); }

// GHASH state with a per-key 8-bit table (call set_h first). Exposed for
// tests; callers want gcm_crypt.
class Ghash {
public:
    void set_h(const uint8_t h[16]);
    void reset() { x_hi_ = x_lo_ = 0; }
    // Absorb data zero-padded to a multiple of 16 bytes (call with
    // multiples of 16 to absorb one logical string in several pieces).
    void update_padded(const uint8_t* data, size_t len);
    // Absorb the final length block [len(A)]_64 || [len(C)]_64 (bits).
    void update_lengths(uint64_t aad_bytes, uint64_t text_bytes);
    void digest(uint8_t out[16]) const;
    ~Ghash();

private:
    void mul_h();  // X = X * H
    struct U128 {
        uint64_t hi, lo;  // bytes 0..7 and 8..15 big-endian (GCM bit order)
    };
    U128 m_[256];  // m_[b] = b(x) * H, where b's MSB is the x^0 coefficient
    uint64_t x_hi_ = 0, x_lo_ = 0;
};

// One-shot GCM. key_len 16 or 32 (CCE_AF_KEY_128/256; 24 = AES-192 is also
// accepted here for the spec's test cases 7-12, the engine never uses it);
// iv_len >= 1 (12 is the fast path J0 = IV || 0^31 || 1, any other length
// is GHASHed); aad may be null when aad_len == 0; in/out may be the same
// buffer.
//
// encrypt: writes out[0..len) and tag[0..tag_len).
// decrypt: checks tag[0..tag_len) in constant time BEFORE producing any
//   plaintext (GHASH pass over the ciphertext, then the CTR pass). On a
//   mismatch returns CCE_ST_AUTH_FAILED, out[0..len) is zero-filled (also
//   when out == in) and the engine reports bytes_produced = 0.
//
// Status: SUCCESS, AUTH_FAILED (decrypt), INVALID_PARAM (bad key_len,
// iv_len == 0, tag_len not in {4,8,12..16}, null pointer with non-zero
// length, len/aad_len over the SP 800-38D limits). On INVALID_PARAM nothing
// is written.
cce_status gcm_crypt(const uint8_t* key, size_t key_len, const uint8_t* iv, size_t iv_len,
                     const uint8_t* aad, size_t aad_len, const uint8_t* in, uint8_t* out,
                     size_t len, uint8_t* tag, size_t tag_len, bool encrypt);

// Convenience for the engine: key from param.key (16 or 32 bytes per
// key256), IV param.iv[0..iv_len) with 1 <= iv_len <= 64, tag in param.tag.
// The AAD comes from host memory (param.aad is an IOVA) so the caller passes
// it already fetched. On encrypt param.tag is written (bytes past tag_len
// zeroed).
cce_status gcm_crypt(cce_gcm_param& param, bool key256, bool encrypt, const uint8_t* aad,
                     const uint8_t* in, uint8_t* out, size_t len);

}  // namespace cce::datapath
