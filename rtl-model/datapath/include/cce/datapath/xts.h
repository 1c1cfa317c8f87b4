// SPDX-License-Identifier: MIT
// AES-XTS (IEEE Std 1619-2007 / NIST SP 800-38E) with ciphertext stealing:
// the engine's CCE_OP_AES_XTS_ENC / CCE_OP_AES_XTS_DEC datapath.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cce/cce_hw.h"
#include "cce/datapath/aes.h"

namespace cce::datapath {

// Data-unit limits. A data unit (one descriptor) is at least one block;
// SP 800-38E caps it at 2^20 blocks (16 MiB).
inline constexpr size_t kXtsMinLen = 16;
inline constexpr size_t kXtsMaxLen = size_t{1} << 24;

enum class XtsKeyPolicy {
    RejectEqual,  // key1 == key2 -> CCE_ST_INVALID_PARAM (SP 800-38E, FIPS)
    AllowEqual,   // IEEE 1619-2007 behaviour (its vectors 1 and 2 use it)
};

// En/decrypt one data unit. param: key1 (data key), key2 (tweak key), each
// 16 bytes used (key256 == false, CCE_AF_KEY_128) or 32 bytes (key256);
// tweak: the 16-byte initial tweak, e.g. the sector number little-endian,
// encrypted with key2 to give T0. in and out may be the same buffer (not
// partially overlapping).
//
// Status:
//   CCE_ST_SUCCESS       out[0..len) written.
//   CCE_ST_INVALID_DESC  len < 16 or len > kXtsMaxLen (engine: result =
//                        CCE_INVD_LENGTH); nothing written.
//   CCE_ST_INVALID_PARAM key1 == key2 under RejectEqual (the default), or a
//                        null pointer; nothing written.
cce_status xts_crypt(const cce_xts_param& param, bool key256, bool encrypt, const uint8_t* in,
                     uint8_t* out, size_t len, XtsKeyPolicy policy = XtsKeyPolicy::RejectEqual);

// Reusable keyed context for callers that process many data units with one
// key pair (the bench and the engine's key cache). Same semantics as above.
class XtsContext {
public:
    cce_status set_keys(const uint8_t* key1, const uint8_t* key2, size_t key_len, bool encrypt,
                        XtsKeyPolicy policy = XtsKeyPolicy::RejectEqual);
    cce_status crypt(const uint8_t tweak[16], const uint8_t* in, uint8_t* out, size_t len) const;

private:
    Aes data_;   // key1, enc or dec schedule
    Aes tweak_;  // key2, enc schedule
    bool encrypt_ = true;
    bool keyed_ = false;
};

}  // namespace cce::datapath
