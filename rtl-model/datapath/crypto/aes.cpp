// SPDX-License-Identifier: MIT
// AES (FIPS 197) with 32-bit T-tables generated at compile time from the
// field arithmetic (no typed-in tables).
//
// State layout: column c of the state is one 32-bit word holding bytes
// 4c..4c+3 of the block, little-endian (row r in bits 8r..8r+7), so blocks
// load and store without byte swaps on the little-endian host.
#include "cce/datapath/aes.h"

#include <array>
#include <bit>
#include <cstring>

namespace cce::datapath {
namespace {

constexpr uint8_t xtime(uint8_t a) { return static_cast<uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1b : 0)); }

constexpr uint8_t gmul(uint8_t a, uint8_t b) {
    uint8_t r = 0;
    while (b) {
        if (b & 1) r ^= a;
        a = xtime(a);
        b >>= 1;
    }
    return r;
}

constexpr uint8_t ginv(uint8_t a) {  // a^254, 0 -> 0
    uint8_t r = 1, p = a;
    for (int e = 254; e; e >>= 1) {
        if (e & 1) r = gmul(r, p);
        p = gmul(p, p);
    }
    return a ? r : 0;
}

constexpr uint8_t rotl8(uint8_t x, int s) { return static_cast<uint8_t>((x << s) | (x >> (8 - s))); }

struct Tables {
    uint8_t sbox[256];
    uint8_t inv_sbox[256];
    uint32_t te[4][256];  // te[r][x]: MixColumns column r times S(x)
    uint32_t td[4][256];  // td[r][x]: InvMixColumns column r times S^-1(x)
};

constexpr uint32_t rotl32(uint32_t x, int s) { return s ? (x << s) | (x >> (32 - s)) : x; }

constexpr Tables make_tables() {
    Tables t{};
    for (int x = 0; x < 256; ++x) {
        uint8_t b = ginv(static_cast<uint8_t>(x));
        uint8_t s = static_cast<uint8_t>(b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4) ^ 0x63);
        t.sbox[x] = s;
        t.inv_sbox[s] = static_cast<uint8_t>(x);
    }
    for (int x = 0; x < 256; ++x) {
        uint8_t s = t.sbox[x];
        // MixColumns column 0 = (2,1,1,3) in rows 0..3.
        uint32_t e = uint32_t{gmul(s, 2)} | uint32_t{s} << 8 | uint32_t{s} << 16 | uint32_t{gmul(s, 3)} << 24;
        uint8_t v = t.inv_sbox[x];
        // InvMixColumns column 0 = (14,9,13,11).
        uint32_t d = uint32_t{gmul(v, 14)} | uint32_t{gmul(v, 9)} << 8 | uint32_t{gmul(v, 13)} << 16 |
                     uint32_t{gmul(v, 11)} << 24;
        for (int r = 0; r < 4; ++r) {
            t.te[r][x] = rotl32(e, 8 * r);
            t.td[r][x] = rotl32(d, 8 * r);
        }
    }
    return t;
}

alignas(64) constexpr Tables kT = make_tables();

static_assert(kT.sbox[0x00] == 0x63 && kT.sbox[0x53] == 0xed && kT.sbox[0xff] == 0x16, "S-box");
static_assert(kT.inv_sbox[0x63] == 0x00, "inverse S-box");

inline uint32_t load32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;  // little-endian host (x86-64, aarch64-le): checked below
}
inline void store32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
static_assert(std::endian::native == std::endian::little, "little-endian host assumed");

inline uint32_t sub_word(uint32_t w) {
    return uint32_t{kT.sbox[w & 0xff]} | uint32_t{kT.sbox[(w >> 8) & 0xff]} << 8 |
           uint32_t{kT.sbox[(w >> 16) & 0xff]} << 16 | uint32_t{kT.sbox[w >> 24]} << 24;
}

inline uint32_t inv_mix_word(uint32_t w) {
    // td[r][S(b)] = InvMixColumns column r times b.
    return kT.td[0][kT.sbox[w & 0xff]] ^ kT.td[1][kT.sbox[(w >> 8) & 0xff]] ^
           kT.td[2][kT.sbox[(w >> 16) & 0xff]] ^ kT.td[3][kT.sbox[w >> 24]];
}

#define B0(x) ((x) & 0xff)
#define B1(x) (((x) >> 8) & 0xff)
#define B2(x) (((x) >> 16) & 0xff)
#define B3(x) ((x) >> 24)

// One encryption round for one block: ShiftRows takes row r of output
// column c from input column c + r.
#define ENC_ROUND(o0, o1, o2, o3, i0, i1, i2, i3, rk)                                            \
    do {                                                                                          \
        o0 = kT.te[0][B0(i0)] ^ kT.te[1][B1(i1)] ^ kT.te[2][B2(i2)] ^ kT.te[3][B3(i3)] ^ (rk)[0]; \
        o1 = kT.te[0][B0(i1)] ^ kT.te[1][B1(i2)] ^ kT.te[2][B2(i3)] ^ kT.te[3][B3(i0)] ^ (rk)[1]; \
        o2 = kT.te[0][B0(i2)] ^ kT.te[1][B1(i3)] ^ kT.te[2][B2(i0)] ^ kT.te[3][B3(i1)] ^ (rk)[2]; \
        o3 = kT.te[0][B0(i3)] ^ kT.te[1][B1(i0)] ^ kT.te[2][B2(i1)] ^ kT.te[3][B3(i2)] ^ (rk)[3]; \
    } while (0)

#define ENC_LAST_COL(a, b, c, d, k)                                                       \
    ((uint32_t{kT.sbox[B0(a)]} | uint32_t{kT.sbox[B1(b)]} << 8 |                           \
      uint32_t{kT.sbox[B2(c)]} << 16 | uint32_t{kT.sbox[B3(d)]} << 24) ^                   \
     (k))

// InvShiftRows: row r of output column c from input column c - r.
#define DEC_ROUND(o0, o1, o2, o3, i0, i1, i2, i3, rk)                                            \
    do {                                                                                          \
        o0 = kT.td[0][B0(i0)] ^ kT.td[1][B1(i3)] ^ kT.td[2][B2(i2)] ^ kT.td[3][B3(i1)] ^ (rk)[0]; \
        o1 = kT.td[0][B0(i1)] ^ kT.td[1][B1(i0)] ^ kT.td[2][B2(i3)] ^ kT.td[3][B3(i2)] ^ (rk)[1]; \
        o2 = kT.td[0][B0(i2)] ^ kT.td[1][B1(i1)] ^ kT.td[2][B2(i0)] ^ kT.td[3][B3(i3)] ^ (rk)[2]; \
        o3 = kT.td[0][B0(i3)] ^ kT.td[1][B1(i2)] ^ kT.td[2][B2(i1)] ^ kT.td[3][B3(i0)] ^ (rk)[3]; \
    } while (0)

#define DEC_LAST_COL(a, b, c, d, k)                                                               \
    ((uint32_t{kT.inv_sbox[B0(a)]} | uint32_t{kT.inv_sbox[B1(b)]} << 8 |                           \
      uint32_t{kT.inv_sbox[B2(c)]} << 16 | uint32_t{kT.inv_sbox[B3(d)]} << 24) ^                   \
     (k))

// Either direction, picked at compile time: Dec uses the inverse tables and
// InvShiftRows. LAST_COL takes the encryption order of columns; decryption
// reads them as (a, d, c, b).
#define ROUND(...)                     \
    do {                               \
        if constexpr (Dec)             \
            DEC_ROUND(__VA_ARGS__);    \
        else                           \
            ENC_ROUND(__VA_ARGS__);    \
    } while (0)
#define LAST_COL(a, b, c, d, k) (Dec ? DEC_LAST_COL(a, d, c, b, k) : ENC_LAST_COL(a, b, c, d, k))

template <bool Dec>
inline void crypt1(const uint32_t* rk, int nr, const uint8_t* in, uint8_t* out) {
    uint32_t s0 = load32(in) ^ rk[0], s1 = load32(in + 4) ^ rk[1];
    uint32_t s2 = load32(in + 8) ^ rk[2], s3 = load32(in + 12) ^ rk[3];
    uint32_t t0, t1, t2, t3;
    rk += 4;
    for (int r = 1; r < nr; r += 2) {
        ROUND(t0, t1, t2, t3, s0, s1, s2, s3, rk);
        if (r + 1 == nr) {
            s0 = t0, s1 = t1, s2 = t2, s3 = t3;
            rk += 4;
            goto last;
        }
        ROUND(s0, s1, s2, s3, t0, t1, t2, t3, rk + 4);
        rk += 8;
    }
last:
    store32(out, LAST_COL(s0, s1, s2, s3, rk[0]));
    store32(out + 4, LAST_COL(s1, s2, s3, s0, rk[1]));
    store32(out + 8, LAST_COL(s2, s3, s0, s1, rk[2]));
    store32(out + 12, LAST_COL(s3, s0, s1, s2, rk[3]));
}

// Two independent blocks, rounds interleaved: the two lookup chains overlap
// (a two-deep pipeline), which hides table-load latency.
template <bool Dec>
inline void crypt2(const uint32_t* rk, int nr, const uint8_t* in, uint8_t* out) {
    uint32_t a0 = load32(in) ^ rk[0], a1 = load32(in + 4) ^ rk[1];
    uint32_t a2 = load32(in + 8) ^ rk[2], a3 = load32(in + 12) ^ rk[3];
    uint32_t b0 = load32(in + 16) ^ rk[0], b1 = load32(in + 20) ^ rk[1];
    uint32_t b2 = load32(in + 24) ^ rk[2], b3 = load32(in + 28) ^ rk[3];
    uint32_t t0, t1, t2, t3, u0, u1, u2, u3;
    for (int r = 1; r < nr; ++r) {
        rk += 4;
        ROUND(t0, t1, t2, t3, a0, a1, a2, a3, rk);
        ROUND(u0, u1, u2, u3, b0, b1, b2, b3, rk);
        a0 = t0, a1 = t1, a2 = t2, a3 = t3;
        b0 = u0, b1 = u1, b2 = u2, b3 = u3;
    }
    rk += 4;
    store32(out, LAST_COL(a0, a1, a2, a3, rk[0]));
    store32(out + 4, LAST_COL(a1, a2, a3, a0, rk[1]));
    store32(out + 8, LAST_COL(a2, a3, a0, a1, rk[2]));
    store32(out + 12, LAST_COL(a3, a0, a1, a2, rk[3]));
    store32(out + 16, LAST_COL(b0, b1, b2, b3, rk[0]));
    store32(out + 20, LAST_COL(b1, b2, b3, b0, rk[1]));
    store32(out + 24, LAST_COL(b2, b3, b0, b1, rk[2]));
    store32(out + 28, LAST_COL(b3, b0, b1, b2, rk[3]));
}

}  // namespace

void secure_zero(void* p, size_t n) {
    if (!n) return;
    std::memset(p, 0, n);
    // The compiler must assume the asm reads the zeroed memory, so the
    // memset cannot be dropped as a dead store.
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

bool ct_equal(const uint8_t* a, const uint8_t* b, size_t n) {
    uint8_t d = 0;
    for (size_t i = 0; i < n; ++i) d |= static_cast<uint8_t>(a[i] ^ b[i]);
    // Turn "d != 0" into a bit without a data-dependent branch.
    volatile uint32_t v = d;
    return ((v - 1u) >> 31) & 1u;
}

void Aes::clear() {
    secure_zero(ek_, sizeof ek_);
    secure_zero(dk_, sizeof dk_);
    nr_ = 0;
    has_dec_ = false;
}

cce_status Aes::set_key(const uint8_t* key, size_t key_len, bool with_decrypt) {
    if (!key || (key_len != 16 && key_len != 24 && key_len != 32)) return CCE_ST_INVALID_PARAM;
    const int nk = static_cast<int>(key_len / 4);
    nr_ = nk + 6;
    const int total = 4 * (nr_ + 1);
    for (int i = 0; i < nk; ++i) ek_[i] = load32(key + 4 * i);
    uint8_t rcon = 1;
    for (int i = nk; i < total; ++i) {
        uint32_t t = ek_[i - 1];
        if (i % nk == 0) {
            // RotWord moves byte 1 to byte 0: a right rotate of the LE word.
            t = sub_word((t >> 8) | (t << 24)) ^ rcon;
            rcon = xtime(rcon);
        } else if (nk > 6 && i % nk == 4) {
            t = sub_word(t);
        }
        ek_[i] = ek_[i - nk] ^ t;
    }
    has_dec_ = with_decrypt;
    if (with_decrypt) {
        // Equivalent inverse cipher: reversed round keys, InvMixColumns on
        // the middle ones.
        for (int r = 0; r <= nr_; ++r) {
            for (int c = 0; c < 4; ++c) {
                uint32_t w = ek_[4 * (nr_ - r) + c];
                dk_[4 * r + c] = (r == 0 || r == nr_) ? w : inv_mix_word(w);
            }
        }
    }
    return CCE_ST_SUCCESS;
}

void Aes::encrypt_block(const uint8_t* in, uint8_t* out) const { crypt1<false>(ek_, nr_, in, out); }
void Aes::decrypt_block(const uint8_t* in, uint8_t* out) const { crypt1<true>(dk_, nr_, in, out); }

void Aes::encrypt_blocks(const uint8_t* in, uint8_t* out, size_t n) const {
    size_t i = 0;
    for (; i + 2 <= n; i += 2) crypt2<false>(ek_, nr_, in + 16 * i, out + 16 * i);
    if (i < n) crypt1<false>(ek_, nr_, in + 16 * i, out + 16 * i);
}
void Aes::decrypt_blocks(const uint8_t* in, uint8_t* out, size_t n) const {
    size_t i = 0;
    for (; i + 2 <= n; i += 2) crypt2<true>(dk_, nr_, in + 16 * i, out + 16 * i);
    if (i < n) crypt1<true>(dk_, nr_, in + 16 * i, out + 16 * i);
}

}  // namespace cce::datapath
