// SPDX-License-Identifier: MIT
// HMAC-SHA256 (RFC 2104): H((K0 ^ opad) || H((K0 ^ ipad) || m)). The keyed
// pads are absorbed at init, so the streaming state is two SHA-256 states.
#include "cce/datapath/hmac.h"

#include <cstring>

#include "cce/datapath/aes.h"  // secure_zero

namespace cce::datapath {
namespace {
constexpr uint8_t kMagic[4] = {'H', 'M', 'S', '2'};
constexpr uint8_t kVersion = 1;
}  // namespace

cce_status HmacSha256::init(const uint8_t* key, size_t key_len) {
    if (!key && key_len) return CCE_ST_INVALID_PARAM;
    uint8_t k0[kSha256BlockSize] = {};
    if (key_len > kSha256BlockSize)
        sha256(key, key_len, k0);
    else if (key_len)
        std::memcpy(k0, key, key_len);
    uint8_t pad[kSha256BlockSize];
    for (size_t i = 0; i < kSha256BlockSize; ++i) pad[i] = k0[i] ^ 0x36;
    inner_.init();
    inner_.update(pad, sizeof pad);
    for (size_t i = 0; i < kSha256BlockSize; ++i) pad[i] = k0[i] ^ 0x5c;
    outer_.init();
    outer_.update(pad, sizeof pad);
    secure_zero(k0, sizeof k0);
    secure_zero(pad, sizeof pad);
    return CCE_ST_SUCCESS;
}

void HmacSha256::update(const void* data, size_t len) { inner_.update(data, len); }

void HmacSha256::final(uint8_t out[kSha256DigestSize]) {
    uint8_t ih[kSha256DigestSize];
    inner_.final(ih);
    outer_.update(ih, sizeof ih);
    outer_.final(out);
    secure_zero(ih, sizeof ih);
}

// Layout: 0 magic "HMS2", 4 version, 5..7 zero, 8 inner state, 8 + 112
// outer state (Sha256::save format each).
void HmacSha256::save(uint8_t* buf) const {
    std::memcpy(buf, kMagic, 4);
    buf[4] = kVersion;
    buf[5] = buf[6] = buf[7] = 0;
    inner_.save(buf + 8);
    outer_.save(buf + 8 + kSha256StateSize);
}

cce_status HmacSha256::restore(const uint8_t* buf) {
    if (!buf || std::memcmp(buf, kMagic, 4) != 0 || buf[4] != kVersion || buf[5] || buf[6] ||
        buf[7])
        return CCE_ST_INVALID_PARAM;
    Sha256 in, out;
    if (in.restore(buf + 8) != CCE_ST_SUCCESS ||
        out.restore(buf + 8 + kSha256StateSize) != CCE_ST_SUCCESS)
        return CCE_ST_INVALID_PARAM;
    // The outer hash has absorbed exactly the one pad block.
    if (out.bytes() != kSha256BlockSize || in.bytes() < kSha256BlockSize) return CCE_ST_INVALID_PARAM;
    inner_ = in;
    outer_ = out;
    return CCE_ST_SUCCESS;
}

HmacSha256::~HmacSha256() {
    inner_.init();
    outer_.init();
}

cce_status hmac_sha256(const uint8_t* key, size_t key_len, const void* data, size_t len,
                       uint8_t out[kSha256DigestSize]) {
    if (!data && len) return CCE_ST_INVALID_PARAM;
    HmacSha256 h;
    cce_status st = h.init(key, key_len);
    if (st != CCE_ST_SUCCESS) return st;
    h.update(data, len);
    h.final(out);
    return CCE_ST_SUCCESS;
}

}  // namespace cce::datapath

namespace cce::datapath {

cce_status hmac_sha256_stream(uint8_t* ctx, bool first, bool last, const uint8_t* key,
                              size_t key_len, const uint8_t* data, size_t len, uint8_t* out) {
    if ((!data && len) || (last && !out) || ((!first || !last) && !ctx)) return CCE_ST_INVALID_PARAM;
    HmacSha256 h;
    if (first) {
        if (h.init(key, key_len) != CCE_ST_SUCCESS) return CCE_ST_INVALID_PARAM;
    } else if (h.restore(ctx) != CCE_ST_SUCCESS) {
        return CCE_ST_INVALID_PARAM;
    }
    h.update(data, len);
    if (last)
        h.final(out);
    else
        h.save(ctx);
    return CCE_ST_SUCCESS;
}

}  // namespace cce::datapath
