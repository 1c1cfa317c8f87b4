// SPDX-License-Identifier: MIT
// C++ runners around the Verilated datapath cores (rtl-model/rtl/*.sv).
// No SystemC: each runner owns a Verilated model and drives it clock by
// clock, feeding its valid/ready interface and counting real clock cycles
// from the first input valid to the last result taken (RunStats::cycles is
// accumulated, not reset, so a caller can sum a whole job).
//
// Waveforms: set_trace(path, from, to) dumps the runner's core to a VCD
// file for the cycles [from, to) of its own cycle counter (cycles()), which
// counts every clock the runner has ever driven, reset included. Off by
// default. Open with `gtkwave path`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cce/cce_hw.h"

namespace cce::rtl {

struct RunStats {
    uint64_t cycles = 0;
};

class CoreSim;  // private: model + context + trace

class CrcCore {
public:
    CrcCore();
    ~CrcCore();
    CrcCore(const CrcCore&) = delete;
    CrcCore& operator=(const CrcCore&) = delete;
    // Same contract as cce::datapath::crc_update(castagnoli ? Crc32c : Crc32,
    // seed, data, len). data may be null when len == 0.
    uint32_t run(bool castagnoli, uint32_t seed, const uint8_t* data, size_t len, RunStats& st);
    void set_trace(const std::string& path, uint64_t from_cycle, uint64_t to_cycle);
    uint64_t cycles() const;

private:
    std::unique_ptr<CoreSim> sim_;
};

class AesCore {
public:
    AesCore();
    ~AesCore();
    AesCore(const AesCore&) = delete;
    AesCore& operator=(const AesCore&) = delete;
    // len 16 (AES-128) or 32 (AES-256); false (nothing loaded) otherwise or
    // for a null key. Expands the schedule in the core.
    bool set_key(const uint8_t* key, size_t len, RunStats& st);
    // n independent blocks (ECB) through the core; in/out may alias.
    // Requires a successful set_key (without one, nothing is done).
    void encrypt_blocks(const uint8_t* in, uint8_t* out, size_t n, RunStats& st);
    void decrypt_blocks(const uint8_t* in, uint8_t* out, size_t n, RunStats& st);
    bool keyed() const { return keyed_; }
    void set_trace(const std::string& path, uint64_t from_cycle, uint64_t to_cycle);
    uint64_t cycles() const;

private:
    void crypt(bool decrypt, const uint8_t* in, uint8_t* out, size_t n, RunStats& st);
    std::unique_ptr<CoreSim> sim_;
    bool keyed_ = false;
};

class Sha256Core {
public:
    Sha256Core();
    ~Sha256Core();
    Sha256Core(const Sha256Core&) = delete;
    Sha256Core& operator=(const Sha256Core&) = delete;
    // Same contract as cce::datapath::Sha256::compress(h, blocks, n).
    void compress(uint32_t h[8], const uint8_t* blocks, size_t n, RunStats& st);
    void set_trace(const std::string& path, uint64_t from_cycle, uint64_t to_cycle);
    uint64_t cycles() const;

private:
    std::unique_ptr<CoreSim> sim_;
};

// LZ77 token, the reference encoder's sequence entry: dist == 0 is a
// literal (lit_or_len = byte), else a match of length lit_or_len (4..258)
// at distance dist (1..2^wbits - 1).
struct Lz77Token {
    uint16_t dist;
    uint16_t lit_or_len;
    bool operator==(const Lz77Token&) const = default;
};

class Lz77Core {
public:
    Lz77Core();
    ~Lz77Core();
    Lz77Core(const Lz77Core&) = delete;
    Lz77Core& operator=(const Lz77Core&) = delete;
    // The level-1 match finder over data[0..len) as one whole chunk (no
    // history), window 2^wbits (9..15): appends the token sequence the
    // reference deflate encoder (level 1, one-shot) codes. Returns false
    // (nothing appended) for wbits outside 9..15, len >= 2^32 or null data
    // with len != 0.
    bool run(const uint8_t* data, size_t len, unsigned wbits, std::vector<Lz77Token>& out,
             RunStats& st);
    void set_trace(const std::string& path, uint64_t from_cycle, uint64_t to_cycle);
    uint64_t cycles() const;

private:
    std::unique_ptr<CoreSim> sim_;
};

// One-shot SHA-256 and HMAC-SHA256 with the padding / key handling in C++
// and every compression in the core. Same results as cce::datapath::sha256
// and cce::datapath::hmac_sha256 (key may be null when key_len == 0;
// returns CCE_ST_INVALID_PARAM for a null key with key_len != 0, or null
// data with len != 0).
cce_status sha256_rtl(const uint8_t* data, size_t len, uint8_t out[32], Sha256Core& core,
                      RunStats& st);
cce_status hmac_sha256_rtl(const uint8_t* key, size_t key_len, const uint8_t* data, size_t len,
                           uint8_t out[32], Sha256Core& core, RunStats& st);

// AES-XTS and AES-GCM with the block cipher in the AES core: exactly the
// semantics (status codes, output, tag handling, zero-fill on auth failure)
// of cce::datapath::xts_crypt (key policy RejectEqual unless allow_equal_keys)
// and cce::datapath::gcm_crypt(cce_gcm_param&, ...). GHASH uses the
// reference Ghash class. The core is re-keyed as needed (XTS: key2 for the
// initial tweak, then key1).
cce_status xts_crypt_rtl(const cce_xts_param& param, bool key256, bool encrypt, const uint8_t* in,
                         uint8_t* out, size_t len, AesCore& aes, RunStats& st,
                         bool allow_equal_keys = false);
cce_status gcm_crypt_rtl(cce_gcm_param& param, bool key256, bool encrypt, const uint8_t* aad,
                         const uint8_t* in, uint8_t* out, size_t len, AesCore& aes, RunStats& st);

}  // namespace cce::rtl
