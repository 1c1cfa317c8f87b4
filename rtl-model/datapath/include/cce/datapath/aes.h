// SPDX-License-Identifier: MIT
// AES block cipher (FIPS 197), the model of the engine's AES round pipeline:
// key expansion into a round-key RAM, then one table-driven round per stage
// (SubBytes+ShiftRows+MixColumns folded into four 256x32-bit T-tables, as a
// hardware round would use four ROM lookups per column). Decryption uses
// the equivalent inverse cipher, so both directions have the same shape.
//
// Part of cce_dp_crypto. No OpenSSL: the datapath is written from the
// standard; OpenSSL is a test oracle only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cce/cce_hw.h"

namespace cce::datapath {

inline constexpr size_t kAesBlockSize = 16;

class Aes {
public:
    static constexpr int kMaxRounds = 14;

    // key_len is 16 (AES-128), 24 (AES-192) or 32 (AES-256). Builds the
    // encryption schedule and, if with_decrypt, the decryption schedule.
    // Returns CCE_ST_INVALID_PARAM for any other length or a null key.
    cce_status set_key(const uint8_t* key, size_t key_len, bool with_decrypt = true);

    // One 16-byte block; in and out may alias. Requires a successful set_key
    // (and with_decrypt for decrypt_block).
    void encrypt_block(const uint8_t* in, uint8_t* out) const;
    void decrypt_block(const uint8_t* in, uint8_t* out) const;
    // n independent blocks (ECB), interleaved for throughput; in/out may alias.
    void encrypt_blocks(const uint8_t* in, uint8_t* out, size_t n) const;
    void decrypt_blocks(const uint8_t* in, uint8_t* out, size_t n) const;

    int rounds() const { return nr_; }
    bool has_decrypt() const { return has_dec_; }

    // Wipes the schedules (key material) from this object.
    void clear();
    ~Aes() { clear(); }

private:
    uint32_t ek_[4 * (kMaxRounds + 1)] = {};
    uint32_t dk_[4 * (kMaxRounds + 1)] = {};
    int nr_ = 0;
    bool has_dec_ = false;
};

// Overwrite memory so that the compiler cannot drop the stores.
void secure_zero(void* p, size_t n);
// Constant-time comparison: true if a[0..n) == b[0..n). Timing depends on n
// only.
bool ct_equal(const uint8_t* a, const uint8_t* b, size_t n);

}  // namespace cce::datapath
