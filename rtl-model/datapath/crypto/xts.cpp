// SPDX-License-Identifier: MIT
// AES-XTS (IEEE 1619-2007): C_j = E_K1(P_j ^ T_j) ^ T_j, T_0 = E_K2(tweak),
// T_{j+1} = T_j * alpha in GF(2^128) (little-endian shift, 0x87 feedback).
// A final partial block is handled by ciphertext stealing (section 5.3.2).
#include "cce/datapath/xts.h"

#include <cstring>

namespace cce::datapath {
namespace {

struct Tweak {
    uint64_t lo, hi;  // bytes 0..7 and 8..15, little-endian
    void load(const uint8_t* p) {
        std::memcpy(&lo, p, 8);
        std::memcpy(&hi, p + 8, 8);
    }
    void mul_alpha() {
        uint64_t carry = hi >> 63;
        hi = (hi << 1) | (lo >> 63);
        lo = (lo << 1) ^ (0x87 & (0 - carry));
    }
};

inline void xor_tweak(uint8_t* dst, const uint8_t* src, const Tweak& t) {
    uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + 8, 8);
    a ^= t.lo;
    b ^= t.hi;
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + 8, &b, 8);
}

// One block under tweak t: out = F(in ^ t) ^ t. in/out may alias.
inline void xts_block(const Aes& aes, bool enc, const Tweak& t, const uint8_t* in, uint8_t* out) {
    uint8_t x[16];
    xor_tweak(x, in, t);
    if (enc)
        aes.encrypt_block(x, x);
    else
        aes.decrypt_block(x, x);
    xor_tweak(out, x, t);
}

// Processes `blocks` full blocks; returns the tweak for the next block.
// Four blocks per step: tweaks are computed ahead and the four AES
// evaluations are independent (a pipelined engine keeps four in flight).
Tweak xts_full(const Aes& aes, bool enc, Tweak t, const uint8_t* in, uint8_t* out, size_t blocks) {
    uint8_t x[64];
    while (blocks >= 4) {
        Tweak ts[4];
        for (int k = 0; k < 4; ++k) {
            ts[k] = t;
            t.mul_alpha();
            xor_tweak(x + 16 * k, in + 16 * k, ts[k]);
        }
        if (enc)
            aes.encrypt_blocks(x, x, 4);
        else
            aes.decrypt_blocks(x, x, 4);
        for (int k = 0; k < 4; ++k) xor_tweak(out + 16 * k, x + 16 * k, ts[k]);
        in += 64;
        out += 64;
        blocks -= 4;
    }
    while (blocks--) {
        xts_block(aes, enc, t, in, out);
        t.mul_alpha();
        in += 16;
        out += 16;
    }
    return t;
}

}  // namespace

cce_status XtsContext::set_keys(const uint8_t* key1, const uint8_t* key2, size_t key_len,
                                bool encrypt, XtsKeyPolicy policy) {
    keyed_ = false;
    if (!key1 || !key2 || (key_len != 16 && key_len != 32)) return CCE_ST_INVALID_PARAM;
    if (policy == XtsKeyPolicy::RejectEqual && ct_equal(key1, key2, key_len))
        return CCE_ST_INVALID_PARAM;
    cce_status st = data_.set_key(key1, key_len, !encrypt);
    if (st == CCE_ST_SUCCESS) st = tweak_.set_key(key2, key_len, false);
    if (st != CCE_ST_SUCCESS) return st;
    encrypt_ = encrypt;
    keyed_ = true;
    return CCE_ST_SUCCESS;
}

cce_status XtsContext::crypt(const uint8_t tweak[16], const uint8_t* in, uint8_t* out,
                             size_t len) const {
    if (!keyed_ || !tweak || !in || !out) return CCE_ST_INVALID_PARAM;
    if (len < kXtsMinLen || len > kXtsMaxLen) return CCE_ST_INVALID_DESC;

    uint8_t t0[16];
    tweak_.encrypt_block(tweak, t0);
    Tweak t;
    t.load(t0);

    const size_t tail = len % 16;
    size_t full = len / 16;
    if (tail == 0) {
        xts_full(data_, encrypt_, t, in, out, full);
        return CCE_ST_SUCCESS;
    }
    // Ciphertext stealing: the last full block (index m-1) and the partial
    // block m are processed together.
    const size_t m = full;  // >= 1 because len >= 16
    t = xts_full(data_, encrypt_, t, in, out, m - 1);
    const uint8_t* pin = in + 16 * (m - 1);
    uint8_t* pout = out + 16 * (m - 1);
    uint8_t last_in[16], tail_in[16];
    std::memcpy(last_in, pin, 16);
    std::memcpy(tail_in, pin + 16, tail);  // copy first: in may alias out
    Tweak t_next = t;
    t_next.mul_alpha();
    uint8_t cc[16], pp[16];
    if (encrypt_) {
        xts_block(data_, true, t, last_in, cc);           // CC = E(P_{m-1}) under T_{m-1}
        std::memcpy(pp, tail_in, tail);                   // PP = P_m || CC[tail..16)
        std::memcpy(pp + tail, cc + tail, 16 - tail);
        std::memcpy(pout + 16, cc, tail);                 // C_m = CC[0..tail)
        xts_block(data_, true, t_next, pp, pout);         // C_{m-1} = E(PP) under T_m
    } else {
        xts_block(data_, false, t_next, last_in, pp);     // PP = D(C_{m-1}) under T_m
        std::memcpy(cc, tail_in, tail);                   // CC = C_m || PP[tail..16)
        std::memcpy(cc + tail, pp + tail, 16 - tail);
        std::memcpy(pout + 16, pp, tail);                 // P_m = PP[0..tail)
        xts_block(data_, false, t, cc, pout);             // P_{m-1} = D(CC) under T_{m-1}
    }
    secure_zero(cc, 16);
    secure_zero(pp, 16);
    return CCE_ST_SUCCESS;
}

cce_status xts_crypt(const cce_xts_param& param, bool key256, bool encrypt, const uint8_t* in,
                     uint8_t* out, size_t len, XtsKeyPolicy policy) {
    if (!in || !out) return CCE_ST_INVALID_PARAM;
    if (len < kXtsMinLen || len > kXtsMaxLen) return CCE_ST_INVALID_DESC;
    XtsContext ctx;
    cce_status st = ctx.set_keys(param.key1, param.key2, key256 ? 32 : 16, encrypt, policy);
    if (st != CCE_ST_SUCCESS) return st;
    return ctx.crypt(param.tweak, in, out, len);
}

}  // namespace cce::datapath
