// SPDX-License-Identifier: MIT
// AES-GCM (SP 800-38D). GHASH uses Shoup's 8-bit table method: per key a
// 256-entry table of b(x)*H, per block 16 lookups folded with a multiply by
// x^8 (shift right one byte + a 256-entry reduction ROM).
//
// Field elements are kept as two 64-bit halves loaded big-endian, so the
// GCM bit order (bit 0 of byte 0 = MSB = coefficient of x^0) means
// "multiply by x" is a right shift by one of the 128-bit value.
#include "cce/datapath/gcm.h"

#include <array>
#include <cstring>

namespace cce::datapath {
namespace {

inline uint64_t load_be64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}
inline void store_be64(uint8_t* p, uint64_t v) {
    v = __builtin_bswap64(v);
    std::memcpy(p, &v, 8);
}

// R8[b]: the top 16 bits to fold back in when the byte b falls off the low
// end on a multiply by x^8. Bit k of b (from the LSB) is x^(127-k); times
// x^8 it is x^(7-k) * x^128 = x^(7-k) * (1 + x + x^2 + x^7), i.e. the
// constant 0xE1 << 120 shifted right by 7 - k.
constexpr std::array<uint16_t, 256> make_r8() {
    std::array<uint16_t, 256> r{};
    for (int b = 0; b < 256; ++b) {
        uint16_t v = 0;
        for (int k = 0; k < 8; ++k)
            if (b & (1 << k)) v ^= static_cast<uint16_t>(0xE100 >> (7 - k));
        r[b] = v;
    }
    return r;
}
constexpr std::array<uint16_t, 256> kR8 = make_r8();
static_assert(kR8[1] == 0x01C2 && kR8[0x80] == 0xE100, "GHASH reduction table");

}  // namespace

Ghash::~Ghash() {
    secure_zero(m_, sizeof m_);
    x_hi_ = x_lo_ = 0;
}

void Ghash::set_h(const uint8_t h[16]) {
    m_[0] = {0, 0};
    U128 v{load_be64(h), load_be64(h + 8)};
    // m[0x80] = H, m[0x40] = H*x, ..., m[0x01] = H*x^7.
    for (int bit = 0x80; bit; bit >>= 1) {
        m_[bit] = v;
        uint64_t carry = v.lo & 1;
        v.lo = (v.lo >> 1) | (v.hi << 63);
        v.hi = (v.hi >> 1) ^ (0xE100000000000000ull & (0 - carry));
    }
    // Linearity: m[a ^ b] = m[a] ^ m[b].
    for (int p = 2; p < 256; p <<= 1)
        for (int j = 1; j < p; ++j) m_[p + j] = {m_[p].hi ^ m_[j].hi, m_[p].lo ^ m_[j].lo};
    reset();
}

void Ghash::mul_h() {
    const uint64_t xh = x_hi_, xl = x_lo_;
    // Horner from byte 15 (highest powers) down to byte 0.
    uint64_t zh = m_[xl & 0xff].hi, zl = m_[xl & 0xff].lo;
    auto step = [&](unsigned b) {
        const unsigned rem = static_cast<unsigned>(zl & 0xff);
        zl = (zl >> 8) | (zh << 56);
        zh = (zh >> 8) ^ (uint64_t{kR8[rem]} << 48);
        zh ^= m_[b].hi;
        zl ^= m_[b].lo;
    };
    for (int s = 8; s < 64; s += 8) step(static_cast<unsigned>((xl >> s) & 0xff));
    for (int s = 0; s < 64; s += 8) step(static_cast<unsigned>((xh >> s) & 0xff));
    x_hi_ = zh;
    x_lo_ = zl;
}

void Ghash::update_padded(const uint8_t* data, size_t len) {
    while (len >= 16) {
        x_hi_ ^= load_be64(data);
        x_lo_ ^= load_be64(data + 8);
        mul_h();
        data += 16;
        len -= 16;
    }
    if (len) {
        uint8_t b[16] = {};
        std::memcpy(b, data, len);
        x_hi_ ^= load_be64(b);
        x_lo_ ^= load_be64(b + 8);
        mul_h();
    }
}

void Ghash::update_lengths(uint64_t aad_bytes, uint64_t text_bytes) {
    x_hi_ ^= aad_bytes * 8;
    x_lo_ ^= text_bytes * 8;
    mul_h();
}

void Ghash::digest(uint8_t out[16]) const {
    store_be64(out, x_hi_);
    store_be64(out + 8, x_lo_);
}

namespace {

// CTR keystream XOR, counter block ctr (inc32 on its last 4 bytes), starting
// value already incremented past J0; on return ctr holds the next counter.
// Four counter blocks per AES call.
void gctr(const Aes& aes, uint8_t ctr[16], const uint8_t* in, uint8_t* out, size_t len) {
    uint32_t c32 = (uint32_t{ctr[12]} << 24) | (uint32_t{ctr[13]} << 16) | (uint32_t{ctr[14]} << 8) | ctr[15];
    alignas(16) uint8_t cb[64], ks[64];
    for (int k = 0; k < 4; ++k) std::memcpy(cb + 16 * k, ctr, 12);
    auto set_ctr = [&](int k, uint32_t v) {
        uint8_t* p = cb + 16 * k + 12;
        p[0] = static_cast<uint8_t>(v >> 24);
        p[1] = static_cast<uint8_t>(v >> 16);
        p[2] = static_cast<uint8_t>(v >> 8);
        p[3] = static_cast<uint8_t>(v);
    };
    while (len >= 64) {
        for (int k = 0; k < 4; ++k) set_ctr(k, c32 + static_cast<uint32_t>(k));
        c32 += 4;
        aes.encrypt_blocks(cb, ks, 4);
        for (int k = 0; k < 8; ++k) {
            uint64_t a, b;
            std::memcpy(&a, in + 8 * k, 8);
            std::memcpy(&b, ks + 8 * k, 8);
            a ^= b;
            std::memcpy(out + 8 * k, &a, 8);
        }
        in += 64;
        out += 64;
        len -= 64;
    }
    while (len) {
        set_ctr(0, c32++);
        aes.encrypt_block(cb, ks);
        size_t n = len < 16 ? len : 16;
        for (size_t i = 0; i < n; ++i) out[i] = in[i] ^ ks[i];
        in += n;
        out += n;
        len -= n;
    }
    for (int k = 0; k < 4; ++k) ctr[12 + k] = static_cast<uint8_t>(c32 >> (24 - 8 * k));
    secure_zero(ks, sizeof ks);
}

inline void inc32(uint8_t b[16]) {
    uint32_t v = (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
    ++v;
    b[12] = static_cast<uint8_t>(v >> 24);
    b[13] = static_cast<uint8_t>(v >> 16);
    b[14] = static_cast<uint8_t>(v >> 8);
    b[15] = static_cast<uint8_t>(v);
}

// Chunk for interleaving CTR and GHASH on encryption (multiple of 16), so the
// GHASH pass reads ciphertext still in L1.
constexpr size_t kChunk = 4096;

}  // namespace

cce_status gcm_crypt(const uint8_t* key, size_t key_len, const uint8_t* iv, size_t iv_len,
                     const uint8_t* aad, size_t aad_len, const uint8_t* in, uint8_t* out,
                     size_t len, uint8_t* tag, size_t tag_len, bool encrypt) {
    if (!key || (key_len != 16 && key_len != 24 && key_len != 32)) return CCE_ST_INVALID_PARAM;
    if (!iv || iv_len == 0) return CCE_ST_INVALID_PARAM;
    if (!tag || !gcm_tag_len_ok(tag_len)) return CCE_ST_INVALID_PARAM;
    if (aad_len && !aad) return CCE_ST_INVALID_PARAM;
    if (len && (!in || !out)) return CCE_ST_INVALID_PARAM;
    if (uint64_t{len} > kGcmMaxLen || uint64_t{aad_len} > kGcmMaxAad) return CCE_ST_INVALID_PARAM;

    Aes aes;
    aes.set_key(key, key_len, false);
    uint8_t h[16] = {};
    aes.encrypt_block(h, h);
    Ghash g;
    g.set_h(h);
    secure_zero(h, sizeof h);

    uint8_t j0[16];
    if (iv_len == 12) {
        std::memcpy(j0, iv, 12);
        j0[12] = j0[13] = j0[14] = 0;
        j0[15] = 1;
    } else {
        g.update_padded(iv, iv_len);
        g.update_lengths(0, iv_len);  // 0^64 || [len(IV)]_64
        g.digest(j0);
        g.reset();
    }
    uint8_t ek0[16];
    aes.encrypt_block(j0, ek0);
    uint8_t ctr[16];
    std::memcpy(ctr, j0, 16);
    inc32(ctr);

    g.update_padded(aad, aad_len);
    uint8_t s[16];
    if (encrypt) {
        size_t done = 0;
        while (done < len) {
            size_t n = len - done < kChunk ? len - done : kChunk;
            gctr(aes, ctr, in + done, out + done, n);
            g.update_padded(out + done, n);
            done += n;
        }
        g.update_lengths(aad_len, len);
        g.digest(s);
        for (size_t i = 0; i < tag_len; ++i) tag[i] = s[i] ^ ek0[i];
    } else {
        // Authenticate first: no plaintext leaves the unit unless the tag
        // matches.
        if (len) g.update_padded(in, len);
        g.update_lengths(aad_len, len);
        g.digest(s);
        for (size_t i = 0; i < 16; ++i) s[i] ^= ek0[i];
        const bool ok = ct_equal(s, tag, tag_len);
        if (!ok) {
            if (len) secure_zero(out, len);
            secure_zero(s, sizeof s);
            secure_zero(ek0, sizeof ek0);
            return CCE_ST_AUTH_FAILED;
        }
        if (len) gctr(aes, ctr, in, out, len);
    }
    secure_zero(s, sizeof s);
    secure_zero(ek0, sizeof ek0);
    return CCE_ST_SUCCESS;
}

cce_status gcm_crypt(cce_gcm_param& param, bool key256, bool encrypt, const uint8_t* aad,
                     const uint8_t* in, uint8_t* out, size_t len) {
    if (param.iv_len < 1 || param.iv_len > sizeof param.iv) return CCE_ST_INVALID_PARAM;
    if (!gcm_tag_len_ok(param.tag_len)) return CCE_ST_INVALID_PARAM;
    if (param.rsvd != 0) return CCE_ST_INVALID_PARAM;
    uint8_t tag[16];
    if (!encrypt) std::memcpy(tag, param.tag, 16);
    cce_status st = gcm_crypt(param.key, key256 ? 32 : 16, param.iv, param.iv_len, aad,
                              param.aad_len, in, out, len, tag, param.tag_len, encrypt);
    if (encrypt && st == CCE_ST_SUCCESS) {
        std::memset(param.tag, 0, sizeof param.tag);
        std::memcpy(param.tag, tag, param.tag_len);
    }
    return st;
}

}  // namespace cce::datapath
