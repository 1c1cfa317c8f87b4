// SPDX-License-Identifier: MIT
// Modes around the cores: SHA-256 padding and HMAC, XTS tweaks and
// ciphertext stealing, GCM counter mode and tag (GHASH: the reference
// cce::datapath::Ghash). The block cipher and the compression function are
// the Verilated cores.
#include <cstring>
#include <vector>

#include "cce/datapath/aes.h"
#include "cce/datapath/gcm.h"
#include "cce/datapath/xts.h"
#include "cce/rtl/cores.h"

namespace cce::rtl {
namespace {

constexpr uint32_t kSha256Iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// h has already absorbed `prefix` bytes (a multiple of 64). Absorb data and
// the padding for a message of prefix + len bytes, write the digest.
void sha_finish(uint32_t h[8], uint64_t prefix, const uint8_t* data, size_t len, uint8_t out[32],
                Sha256Core& core, RunStats& st) {
    const size_t full = len / 64;
    core.compress(h, data, full, st);
    uint8_t tail[128] = {};
    const size_t rem = len % 64;
    if (rem) std::memcpy(tail, data + 64 * full, rem);
    tail[rem] = 0x80;
    const size_t tail_blocks = rem < 56 ? 1 : 2;
    const uint64_t bits = (prefix + len) * 8;
    for (int i = 0; i < 8; ++i)
        tail[64 * tail_blocks - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
    core.compress(h, tail, tail_blocks, st);
    for (int i = 0; i < 8; ++i) {
        out[4 * i] = static_cast<uint8_t>(h[i] >> 24);
        out[4 * i + 1] = static_cast<uint8_t>(h[i] >> 16);
        out[4 * i + 2] = static_cast<uint8_t>(h[i] >> 8);
        out[4 * i + 3] = static_cast<uint8_t>(h[i]);
    }
}

struct Tweak {
    uint64_t lo, hi;  // bytes 0..7 / 8..15 little-endian
    void mul_alpha() {
        const uint64_t carry = hi >> 63;
        hi = (hi << 1) | (lo >> 63);
        lo = (lo << 1) ^ (carry ? 0x87u : 0u);
    }
    void xor_into(uint8_t* b) const {
        uint64_t a, c;
        std::memcpy(&a, b, 8);
        std::memcpy(&c, b + 8, 8);
        a ^= lo;
        c ^= hi;
        std::memcpy(b, &a, 8);
        std::memcpy(b + 8, &c, 8);
    }
};

// Blocks per batch sent to the core (keeps the scratch buffer small).
constexpr size_t kBatch = 256;

// Full blocks under consecutive tweaks starting at t; returns the next tweak.
Tweak xts_full(AesCore& aes, bool enc, Tweak t, const uint8_t* in, uint8_t* out, size_t blocks,
               RunStats& st) {
    std::vector<uint8_t> buf(16 * (blocks < kBatch ? blocks : kBatch));
    Tweak ts[kBatch];
    while (blocks) {
        const size_t n = blocks < kBatch ? blocks : kBatch;
        std::memcpy(buf.data(), in, 16 * n);
        for (size_t k = 0; k < n; ++k) {
            ts[k] = t;
            t.mul_alpha();
            ts[k].xor_into(buf.data() + 16 * k);
        }
        if (enc)
            aes.encrypt_blocks(buf.data(), buf.data(), n, st);
        else
            aes.decrypt_blocks(buf.data(), buf.data(), n, st);
        for (size_t k = 0; k < n; ++k) ts[k].xor_into(buf.data() + 16 * k);
        std::memcpy(out, buf.data(), 16 * n);
        in += 16 * n;
        out += 16 * n;
        blocks -= n;
    }
    datapath::secure_zero(buf.data(), buf.size());
    return t;
}

void xts_one(AesCore& aes, bool enc, const Tweak& t, const uint8_t* in, uint8_t* out,
             RunStats& st) {
    uint8_t x[16];
    std::memcpy(x, in, 16);
    t.xor_into(x);
    if (enc)
        aes.encrypt_blocks(x, x, 1, st);
    else
        aes.decrypt_blocks(x, x, 1, st);
    t.xor_into(x);
    std::memcpy(out, x, 16);
    datapath::secure_zero(x, 16);
}

inline uint32_t ctr32(const uint8_t* b) {
    return (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
}
inline void set_ctr32(uint8_t* b, uint32_t v) {
    b[12] = static_cast<uint8_t>(v >> 24);
    b[13] = static_cast<uint8_t>(v >> 16);
    b[14] = static_cast<uint8_t>(v >> 8);
    b[15] = static_cast<uint8_t>(v);
}

// GCTR from counter block icb (inc32 per block), in/out may alias.
void gctr(AesCore& aes, const uint8_t icb[16], const uint8_t* in, uint8_t* out, size_t len,
          RunStats& st) {
    uint8_t cb[16 * kBatch];
    uint32_t c = ctr32(icb);
    while (len) {
        const size_t bytes = len < 16 * kBatch ? len : 16 * kBatch;
        const size_t n = (bytes + 15) / 16;
        for (size_t k = 0; k < n; ++k) {
            std::memcpy(cb + 16 * k, icb, 12);
            set_ctr32(cb + 16 * k, c++);
        }
        aes.encrypt_blocks(cb, cb, n, st);
        for (size_t i = 0; i < bytes; ++i) out[i] = in[i] ^ cb[i];
        in += bytes;
        out += bytes;
        len -= bytes;
    }
    datapath::secure_zero(cb, sizeof cb);
}

}  // namespace

cce_status sha256_rtl(const uint8_t* data, size_t len, uint8_t out[32], Sha256Core& core,
                      RunStats& st) {
    if ((!data && len) || !out) return CCE_ST_INVALID_PARAM;
    uint32_t h[8];
    std::memcpy(h, kSha256Iv, sizeof h);
    sha_finish(h, 0, data, len, out, core, st);
    return CCE_ST_SUCCESS;
}

cce_status hmac_sha256_rtl(const uint8_t* key, size_t key_len, const uint8_t* data, size_t len,
                           uint8_t out[32], Sha256Core& core, RunStats& st) {
    if ((!data && len) || (!key && key_len) || !out) return CCE_ST_INVALID_PARAM;
    uint8_t k0[64] = {};
    if (key_len > 64)
        sha256_rtl(key, key_len, k0, core, st);
    else if (key_len)
        std::memcpy(k0, key, key_len);
    uint8_t pad[64];
    uint32_t h[8];
    uint8_t inner[32];
    for (int i = 0; i < 64; ++i) pad[i] = k0[i] ^ 0x36;
    std::memcpy(h, kSha256Iv, sizeof h);
    core.compress(h, pad, 1, st);
    sha_finish(h, 64, data, len, inner, core, st);
    for (int i = 0; i < 64; ++i) pad[i] = k0[i] ^ 0x5c;
    std::memcpy(h, kSha256Iv, sizeof h);
    core.compress(h, pad, 1, st);
    sha_finish(h, 64, inner, 32, out, core, st);
    datapath::secure_zero(k0, sizeof k0);
    datapath::secure_zero(pad, sizeof pad);
    datapath::secure_zero(inner, sizeof inner);
    datapath::secure_zero(h, sizeof h);
    return CCE_ST_SUCCESS;
}

cce_status xts_crypt_rtl(const cce_xts_param& param, bool key256, bool encrypt, const uint8_t* in,
                         uint8_t* out, size_t len, AesCore& aes, RunStats& st,
                         bool allow_equal_keys) {
    if (!in || !out) return CCE_ST_INVALID_PARAM;
    if (len < datapath::kXtsMinLen || len > datapath::kXtsMaxLen) return CCE_ST_INVALID_DESC;
    const size_t klen = key256 ? 32 : 16;
    if (!allow_equal_keys && datapath::ct_equal(param.key1, param.key2, klen))
        return CCE_ST_INVALID_PARAM;

    // T0 = E_K2(tweak), then the data key.
    uint8_t t0[16];
    aes.set_key(param.key2, klen, st);
    aes.encrypt_blocks(param.tweak, t0, 1, st);
    aes.set_key(param.key1, klen, st);
    Tweak t;
    std::memcpy(&t.lo, t0, 8);
    std::memcpy(&t.hi, t0 + 8, 8);
    datapath::secure_zero(t0, sizeof t0);

    const size_t tail = len % 16;
    const size_t full = len / 16;
    if (tail == 0) {
        xts_full(aes, encrypt, t, in, out, full, st);
        return CCE_ST_SUCCESS;
    }
    // Ciphertext stealing over blocks m-1 (full) and m (partial).
    const size_t m = full;
    t = xts_full(aes, encrypt, t, in, out, m - 1, st);
    const uint8_t* pin = in + 16 * (m - 1);
    uint8_t* pout = out + 16 * (m - 1);
    uint8_t last_in[16], tail_in[16], cc[16], pp[16];
    std::memcpy(last_in, pin, 16);
    std::memcpy(tail_in, pin + 16, tail);
    Tweak t_next = t;
    t_next.mul_alpha();
    if (encrypt) {
        xts_one(aes, true, t, last_in, cc, st);
        std::memcpy(pp, tail_in, tail);
        std::memcpy(pp + tail, cc + tail, 16 - tail);
        std::memcpy(pout + 16, cc, tail);
        xts_one(aes, true, t_next, pp, pout, st);
    } else {
        xts_one(aes, false, t_next, last_in, pp, st);
        std::memcpy(cc, tail_in, tail);
        std::memcpy(cc + tail, pp + tail, 16 - tail);
        std::memcpy(pout + 16, pp, tail);
        xts_one(aes, false, t, cc, pout, st);
    }
    datapath::secure_zero(cc, 16);
    datapath::secure_zero(pp, 16);
    return CCE_ST_SUCCESS;
}

cce_status gcm_crypt_rtl(cce_gcm_param& param, bool key256, bool encrypt, const uint8_t* aad,
                         const uint8_t* in, uint8_t* out, size_t len, AesCore& aes, RunStats& st) {
    if (param.iv_len < 1 || param.iv_len > sizeof param.iv) return CCE_ST_INVALID_PARAM;
    if (!datapath::gcm_tag_len_ok(param.tag_len)) return CCE_ST_INVALID_PARAM;
    if (param.rsvd != 0) return CCE_ST_INVALID_PARAM;
    const size_t aad_len = param.aad_len;
    if (aad_len && !aad) return CCE_ST_INVALID_PARAM;
    if (len && (!in || !out)) return CCE_ST_INVALID_PARAM;
    if (uint64_t{len} > datapath::kGcmMaxLen) return CCE_ST_INVALID_PARAM;

    aes.set_key(param.key, key256 ? 32 : 16, st);
    uint8_t h[16] = {};
    aes.encrypt_blocks(h, h, 1, st);
    datapath::Ghash g;
    g.set_h(h);
    datapath::secure_zero(h, sizeof h);

    uint8_t j0[16];
    if (param.iv_len == 12) {
        std::memcpy(j0, param.iv, 12);
        j0[12] = j0[13] = j0[14] = 0;
        j0[15] = 1;
    } else {
        g.update_padded(param.iv, param.iv_len);
        g.update_lengths(0, param.iv_len);
        g.digest(j0);
        g.reset();
    }
    uint8_t ek0[16];
    aes.encrypt_blocks(j0, ek0, 1, st);
    uint8_t icb[16];
    std::memcpy(icb, j0, 16);
    set_ctr32(icb, ctr32(j0) + 1);

    g.update_padded(aad, aad_len);
    uint8_t s[16];
    if (encrypt) {
        if (len) {
            gctr(aes, icb, in, out, len, st);
            g.update_padded(out, len);
        }
        g.update_lengths(aad_len, len);
        g.digest(s);
        std::memset(param.tag, 0, sizeof param.tag);
        for (size_t i = 0; i < param.tag_len; ++i) param.tag[i] = s[i] ^ ek0[i];
    } else {
        if (len) g.update_padded(in, len);
        g.update_lengths(aad_len, len);
        g.digest(s);
        for (size_t i = 0; i < 16; ++i) s[i] ^= ek0[i];
        if (!datapath::ct_equal(s, param.tag, param.tag_len)) {
            if (len) datapath::secure_zero(out, len);
            datapath::secure_zero(s, sizeof s);
            datapath::secure_zero(ek0, sizeof ek0);
            return CCE_ST_AUTH_FAILED;
        }
        if (len) gctr(aes, icb, in, out, len, st);
    }
    datapath::secure_zero(s, sizeof s);
    datapath::secure_zero(ek0, sizeof ek0);
    return CCE_ST_SUCCESS;
}

}  // namespace cce::rtl
