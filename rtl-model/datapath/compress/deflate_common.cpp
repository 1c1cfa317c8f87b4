// SPDX-License-Identifier: MIT
// Adler-32 and the context buffer framing.
#include "deflate_common.h"

#include <algorithm>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "cce/cce_hw.h"
#include "cce/datapath/crc.h"
#include "cce/datapath/deflate.h"

namespace cce::datapath::deflate {

// Adler-32: s1 = 1 + sum of bytes, s2 = sum of s1, both mod 65521. The sums
// are reduced only every kBlock bytes (the largest run, a multiple of 16, for
// which nothing can overflow 32 bits). Inside a block 16 lanes accumulate
// independently (a 16-byte-wide adder tree in hardware, SIMD here):
//   a += sum of all bytes
//   b += n * a0 + 16 * sum(lane prefix sums) + sum((16 - i) * lane_i)
uint32_t adler32(uint32_t adler, const void* data, size_t len) {
    constexpr uint32_t kMod = 65521;
    constexpr size_t kBlock = 5552;
    const auto* p = static_cast<const uint8_t*>(data);
    uint32_t a = adler & 0xffff;
    uint32_t b = adler >> 16;
    while (len >= 16) {
        size_t n = std::min(len, kBlock) & ~size_t{15};
        len -= n;
        b += static_cast<uint32_t>(n) * a;  // n * a0 (a0 < 65521, n <= 5552)
        b %= kMod;
        uint64_t sa = 0, sb = 0;
#if defined(__SSE2__)
        // Lanes: vs1 = bytes so far (SAD against zero), vs2 = sum of vs1
        // before each 16-byte step, vw = bytes weighted 16..1.
        const __m128i zero = _mm_setzero_si128();
        const __m128i wlo = _mm_setr_epi16(16, 15, 14, 13, 12, 11, 10, 9);
        const __m128i whi = _mm_setr_epi16(8, 7, 6, 5, 4, 3, 2, 1);
        __m128i vs1 = zero, vs2 = zero, vw = zero;
        for (size_t k = 0; k < n; k += 16, p += 16) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            vs2 = _mm_add_epi32(vs2, vs1);
            vs1 = _mm_add_epi32(vs1, _mm_sad_epu8(v, zero));
            vw = _mm_add_epi32(vw, _mm_madd_epi16(_mm_unpacklo_epi8(v, zero), wlo));
            vw = _mm_add_epi32(vw, _mm_madd_epi16(_mm_unpackhi_epi8(v, zero), whi));
        }
        uint32_t l1[4], l2[4], lw[4];
        _mm_storeu_si128(reinterpret_cast<__m128i*>(l1), vs1);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(l2), vs2);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(lw), vw);
        for (unsigned i = 0; i < 4; ++i) {
            sa += l1[i];
            sb += 16ull * l2[i] + lw[i];
        }
#else
        uint32_t s1[16] = {}, s2[16] = {};
        for (size_t k = 0; k < n; k += 16, p += 16) {
            for (unsigned i = 0; i < 16; ++i) s2[i] += s1[i];
            for (unsigned i = 0; i < 16; ++i) s1[i] += p[i];
        }
        for (unsigned i = 0; i < 16; ++i) {
            sa += s1[i];
            sb += 16ull * s2[i] + static_cast<uint64_t>(16 - i) * s1[i];
        }
#endif
        a = static_cast<uint32_t>((a + sa) % kMod);
        b = static_cast<uint32_t>((b + sb) % kMod);
    }
    while (len--) {
        a += *p++;
        b += a;
    }
    a %= kMod;
    b %= kMod;
    return (b << 16) | a;
}

namespace detail {

size_t ctx_finish(uint8_t* buf, size_t cap, uint16_t kind, size_t body_len) {
    size_t total = kCtxHeader + body_len + kCtxTrailer;
    if (total > cap || total > CCE_STREAM_CTX_SIZE) return 0;
    CtxWriter w(buf, cap);
    w.u32(kCtxMagic);
    w.u16(kCtxVersion);
    w.u16(kind);
    w.u32(static_cast<uint32_t>(body_len));
    uint32_t c = crc32(0, buf, kCtxHeader + body_len);
    CtxWriter t(buf + kCtxHeader + body_len, kCtxTrailer);
    t.u32(c);
    return total;
}

bool ctx_open(const uint8_t* buf, size_t len, uint16_t kind, const uint8_t** body,
              size_t* body_len) {
    if (!buf || len < kCtxHeader + kCtxTrailer || len > CCE_STREAM_CTX_SIZE) return false;
    CtxReader r(buf, len);
    if (r.u32() != kCtxMagic || r.u16() != kCtxVersion || r.u16() != kind) return false;
    uint32_t bl = r.u32();
    if (bl > len - kCtxHeader - kCtxTrailer) return false;
    CtxReader t(buf + kCtxHeader + bl, kCtxTrailer);
    if (t.u32() != crc32(0, buf, kCtxHeader + bl)) return false;
    *body = buf + kCtxHeader;
    *body_len = bl;
    return true;
}

}  // namespace detail
}  // namespace cce::datapath::deflate
