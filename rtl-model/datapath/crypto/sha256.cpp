// SPDX-License-Identifier: MIT
// SHA-256 (FIPS 180-4 section 6.2), the engine's hash unit: one round per
// step with a 16-word rolling message schedule.
#include "cce/datapath/sha256.h"

#include <cstring>

namespace cce::datapath {
namespace {

constexpr uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

constexpr uint32_t kH0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
inline uint32_t load_be32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}
inline void store_be32(uint8_t* p, uint32_t v) {
    v = __builtin_bswap32(v);
    std::memcpy(p, &v, 4);
}
inline void store_le32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void store_le64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t load_le32(const uint8_t* p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline uint64_t load_le64(const uint8_t* p) { return load_le32(p) | uint64_t{load_le32(p + 4)} << 32; }

// Sigma0/Sigma1 in nested form (fewer register copies than three
// independent rotates): ROTR2(x ^ ROTR11(x ^ ROTR9(x))) and
// ROTR6(x ^ ROTR5(x ^ ROTR14(x))).
#define S0(x) rotr((x) ^ rotr((x) ^ rotr(x, 9), 11), 2)
#define S1(x) rotr((x) ^ rotr((x) ^ rotr(x, 14), 5), 6)
#define s0(x) (rotr(x, 7) ^ rotr(x, 18) ^ ((x) >> 3))
#define s1(x) (rotr(x, 17) ^ rotr(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))

// Round i: the working variables rotate by renaming instead of moving.
// Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)); this round's a ^ b is the next
// round's b ^ c, so it is carried in `bc`.
#define ROUND(a, b, c, d, e, f, g, h, i, w)                  \
    do {                                                      \
        uint32_t t1 = h + S1(e) + CH(e, f, g) + kK[i] + (w);  \
        uint32_t ab = (a) ^ (b);                              \
        uint32_t t2 = S0(a) + ((b) ^ (ab & bc));              \
        bc = ab;                                              \
        d += t1;                                              \
        h = t1 + t2;                                          \
    } while (0)

#define SCHED(i) (W[(i) & 15] += s1(W[((i) - 2) & 15]) + W[((i) - 7) & 15] + s0(W[((i) - 15) & 15]))

constexpr uint8_t kMagic[4] = {'S', '2', '5', '6'};
constexpr uint8_t kVersion = 1;

}  // namespace

void Sha256::compress(uint32_t h[8], const uint8_t* p, size_t n) {
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    while (n--) {
        uint32_t bc = b ^ c;
        uint32_t W[16];
        for (int i = 0; i < 16; ++i) W[i] = load_be32(p + 4 * i);
#pragma GCC unroll 8
        for (int i = 0; i < 16; i += 8) {
            ROUND(a, b, c, d, e, f, g, hh, i + 0, W[i + 0]);
            ROUND(hh, a, b, c, d, e, f, g, i + 1, W[i + 1]);
            ROUND(g, hh, a, b, c, d, e, f, i + 2, W[i + 2]);
            ROUND(f, g, hh, a, b, c, d, e, i + 3, W[i + 3]);
            ROUND(e, f, g, hh, a, b, c, d, i + 4, W[i + 4]);
            ROUND(d, e, f, g, hh, a, b, c, i + 5, W[i + 5]);
            ROUND(c, d, e, f, g, hh, a, b, i + 6, W[i + 6]);
            ROUND(b, c, d, e, f, g, hh, a, i + 7, W[i + 7]);
        }
#pragma GCC unroll 8
        for (int i = 16; i < 64; i += 8) {
            ROUND(a, b, c, d, e, f, g, hh, i + 0, SCHED(i + 0));
            ROUND(hh, a, b, c, d, e, f, g, i + 1, SCHED(i + 1));
            ROUND(g, hh, a, b, c, d, e, f, i + 2, SCHED(i + 2));
            ROUND(f, g, hh, a, b, c, d, e, i + 3, SCHED(i + 3));
            ROUND(e, f, g, hh, a, b, c, d, i + 4, SCHED(i + 4));
            ROUND(d, e, f, g, hh, a, b, c, i + 5, SCHED(i + 5));
            ROUND(c, d, e, f, g, hh, a, b, i + 6, SCHED(i + 6));
            ROUND(b, c, d, e, f, g, hh, a, i + 7, SCHED(i + 7));
        }
        a = h[0] += a;
        b = h[1] += b;
        c = h[2] += c;
        d = h[3] += d;
        e = h[4] += e;
        f = h[5] += f;
        g = h[6] += g;
        hh = h[7] += hh;
        p += 64;
    }
}

void Sha256::init() {
    std::memcpy(h_, kH0, sizeof h_);
    total_ = 0;
    buf_len_ = 0;
    std::memset(buf_, 0, sizeof buf_);
}

void Sha256::update(const void* data, size_t len) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    if (!len) return;
    total_ += len;
    if (buf_len_) {
        size_t n = kSha256BlockSize - buf_len_;
        if (n > len) n = len;
        std::memcpy(buf_ + buf_len_, p, n);
        buf_len_ += n;
        p += n;
        len -= n;
        if (buf_len_ < kSha256BlockSize) return;
        compress(h_, buf_, 1);
        buf_len_ = 0;
    }
    if (len >= kSha256BlockSize) {
        size_t nb = len / kSha256BlockSize;
        compress(h_, p, nb);
        p += nb * kSha256BlockSize;
        len -= nb * kSha256BlockSize;
    }
    if (len) {
        std::memcpy(buf_, p, len);
        buf_len_ = len;
    }
}

void Sha256::final(uint8_t out[kSha256DigestSize]) {
    const uint64_t bits = total_ * 8;
    buf_[buf_len_++] = 0x80;
    if (buf_len_ > 56) {
        std::memset(buf_ + buf_len_, 0, kSha256BlockSize - buf_len_);
        compress(h_, buf_, 1);
        buf_len_ = 0;
    }
    std::memset(buf_ + buf_len_, 0, 56 - buf_len_);
    for (int i = 0; i < 8; ++i) buf_[56 + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
    compress(h_, buf_, 1);
    for (int i = 0; i < 8; ++i) store_be32(out + 4 * i, h_[i]);
    init();
}

// Layout (little-endian): 0 magic "S256", 4 version, 5 buf_len, 6..7 zero,
// 8 total bytes (u64), 16 H0..H7 (u32 each), 48 partial block (64 bytes).
void Sha256::save(uint8_t* buf) const {
    std::memcpy(buf, kMagic, 4);
    buf[4] = kVersion;
    buf[5] = static_cast<uint8_t>(buf_len_);
    buf[6] = buf[7] = 0;
    store_le64(buf + 8, total_);
    for (int i = 0; i < 8; ++i) store_le32(buf + 16 + 4 * i, h_[i]);
    std::memcpy(buf + 48, buf_, kSha256BlockSize);
    static_assert(48 + kSha256BlockSize == kSha256StateSize, "state layout");
}

cce_status Sha256::restore(const uint8_t* buf) {
    if (!buf || std::memcmp(buf, kMagic, 4) != 0 || buf[4] != kVersion || buf[6] || buf[7])
        return CCE_ST_INVALID_PARAM;
    const size_t bl = buf[5];
    const uint64_t total = load_le64(buf + 8);
    if (bl >= kSha256BlockSize || total % kSha256BlockSize != bl) return CCE_ST_INVALID_PARAM;
    if (total > (UINT64_MAX >> 3)) return CCE_ST_INVALID_PARAM;  // bit length must fit
    total_ = total;
    buf_len_ = bl;
    for (int i = 0; i < 8; ++i) h_[i] = load_le32(buf + 16 + 4 * i);
    std::memcpy(buf_, buf + 48, kSha256BlockSize);
    return CCE_ST_SUCCESS;
}

void sha256(const void* data, size_t len, uint8_t out[kSha256DigestSize]) {
    Sha256 s;
    s.update(data, len);
    s.final(out);
}

}  // namespace cce::datapath

namespace cce::datapath {

cce_status sha256_stream(uint8_t* ctx, bool first, bool last, const uint8_t* data, size_t len,
                         uint8_t* out) {
    if ((!data && len) || (last && !out) || ((!first || !last) && !ctx)) return CCE_ST_INVALID_PARAM;
    Sha256 s;
    if (!first && s.restore(ctx) != CCE_ST_SUCCESS) return CCE_ST_INVALID_PARAM;
    s.update(data, len);
    if (last)
        s.final(out);
    else
        s.save(ctx);
    return CCE_ST_SUCCESS;
}

}  // namespace cce::datapath
