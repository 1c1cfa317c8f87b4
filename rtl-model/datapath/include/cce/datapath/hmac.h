// SPDX-License-Identifier: MIT
// HMAC-SHA256 (RFC 2104 / FIPS 198-1), any key length (keys longer than
// the 64-byte block are hashed first), streaming with save()/restore().
#pragma once

#include <cstddef>
#include <cstdint>

#include "cce/cce_hw.h"
#include "cce/datapath/sha256.h"

namespace cce::datapath {

// Bytes written by HmacSha256::save(): header + inner and outer states.
inline constexpr size_t kHmacStateSize = 8 + 2 * kSha256StateSize;

class HmacSha256 {
public:
    // key may be null when key_len == 0. Returns INVALID_PARAM for a null
    // key with key_len != 0.
    cce_status init(const uint8_t* key, size_t key_len);
    void update(const void* data, size_t len);
    // Writes the 32-byte MAC; the object must be init()ed again after.
    void final(uint8_t out[kSha256DigestSize]);

    // The state holds key-derived material (inner/outer pad hashes), not
    // the key itself; treat the buffer as secret.
    void save(uint8_t* buf) const;
    cce_status restore(const uint8_t* buf);

    ~HmacSha256();

private:
    Sha256 inner_, outer_;
};

// One descriptor of a streamed HMAC-SHA256, same FIRST/LAST rules as
// sha256_stream; the key is only read when first (later chunks carry the
// keyed state in ctx, kHmacStateSize bytes).
cce_status hmac_sha256_stream(uint8_t* ctx, bool first, bool last, const uint8_t* key,
                              size_t key_len, const uint8_t* data, size_t len, uint8_t* out);

cce_status hmac_sha256(const uint8_t* key, size_t key_len, const void* data, size_t len,
                       uint8_t out[kSha256DigestSize]);

}  // namespace cce::datapath
