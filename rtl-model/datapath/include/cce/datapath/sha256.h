// SPDX-License-Identifier: MIT
// SHA-256 (FIPS 180-4), one-shot and streaming, with save()/restore() of
// the running state to a small byte buffer so the engine can carry a hash
// across descriptors (CCE_DF_FIRST / CCE_DF_LAST) in the stream context.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cce/cce_hw.h"

namespace cce::datapath {

inline constexpr size_t kSha256DigestSize = 32;
inline constexpr size_t kSha256BlockSize = 64;
// Bytes written by Sha256::save(); fits many times in CCE_STREAM_CTX_SIZE.
inline constexpr size_t kSha256StateSize = 112;

class Sha256 {
public:
    Sha256() { init(); }
    void init();
    void update(const void* data, size_t len);
    // Writes the digest and re-initialises the object.
    void final(uint8_t out[kSha256DigestSize]);

    // Serialise the running state (magic, version, byte count, H0..H7,
    // partial block), kSha256StateSize bytes.
    void save(uint8_t* buf) const;
    // Load a state written by save(). Rejects a buffer that is not one
    // (bad magic/version, inconsistent partial length) with
    // CCE_ST_INVALID_PARAM and leaves *this unchanged.
    cce_status restore(const uint8_t* buf);

    uint64_t bytes() const { return total_; }

    // Compression function over n full 64-byte blocks (exposed for HMAC).
    static void compress(uint32_t h[8], const uint8_t* blocks, size_t n);

private:
    uint32_t h_[8];
    uint64_t total_;
    uint8_t buf_[kSha256BlockSize];
    size_t buf_len_;
};

void sha256(const void* data, size_t len, uint8_t out[kSha256DigestSize]);

// One descriptor of CCE_OP_SHA256 (CCE_DF_FIRST / CCE_DF_LAST semantics):
// first -> start a new hash, else restore the state from ctx; absorb
// data[0..len); last -> write the digest to out, else save the state to
// ctx (kSha256StateSize bytes). first && last is a one-shot hash and ctx
// may be null. Returns INVALID_PARAM for a missing/corrupt ctx, a null
// out when last, or null data with len != 0; then neither ctx nor out is
// written.
cce_status sha256_stream(uint8_t* ctx, bool first, bool last, const uint8_t* data, size_t len,
                         uint8_t* out);

}  // namespace cce::datapath
