// SPDX-License-Identifier: MIT
// libcce through the loopback backend (the SystemC engine model in this
// process, addressing the process's own memory) against the software
// backend, zlib and OpenSSL. No exceptions are thrown around engine activity
// (ASan and SystemC coroutines): plain gtest assertions and error codes.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cce/cce_hw.h"
#include "cce/libcce.h"
#include "cce/libcce_loopback.h"

namespace {

using Bytes = std::vector<uint8_t>;

constexpr unsigned kRing = 16;  // small ring: wrap-around happens quickly

Bytes text_data(size_t n, uint32_t seed = 1) {
    // Compressible but not trivial: words from a small vocabulary + noise.
    static const char* words[] = {"accelerator ", "queue ", "descriptor ", "completion ", "phase ",
                                  "doorbell ",   "pasid ", "deflate ",    "engine ",     "\n"};
    std::mt19937 r(seed);
    Bytes v;
    v.reserve(n);
    while (v.size() < n) {
        if (r() % 16 == 0) v.push_back(uint8_t(r()));
        const char* w = words[r() % 10];
        for (const char* p = w; *p && v.size() < n; ++p) v.push_back(uint8_t(*p));
    }
    return v;
}

Bytes random_data(size_t n, uint32_t seed = 2) {
    std::mt19937 r(seed);
    Bytes v(n);
    for (auto& b : v) b = uint8_t(r());
    return v;
}

Bytes zlib_inflate(const Bytes& in, int fmt, size_t max_out) {
    z_stream z{};
    const int wb = fmt == CCE_FMT_RAW ? -15 : fmt == CCE_FMT_ZLIB ? 15 : 31;
    if (inflateInit2(&z, wb) != Z_OK) return {};
    Bytes out(max_out);
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = uInt(in.size());
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    const int rc = inflate(&z, Z_FINISH);
    out.resize(rc == Z_STREAM_END ? z.total_out : 0);
    inflateEnd(&z);
    return out;
}

Bytes zlib_deflate(const Bytes& in, int fmt, int level) {
    z_stream z{};
    const int wb = fmt == CCE_FMT_RAW ? -15 : fmt == CCE_FMT_ZLIB ? 15 : 31;
    deflateInit2(&z, level, Z_DEFLATED, wb, 8, Z_DEFAULT_STRATEGY);
    Bytes out(deflateBound(&z, in.size()) + 32);
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = uInt(in.size());
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

uint32_t crc32c_of(const Bytes& b) {
    // bitwise reference, independent of the library's table code
    uint32_t c = ~0u;
    for (uint8_t x : b) {
        c ^= x;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
    }
    return ~c;
}

class Lib : public ::testing::Test {
protected:
    void SetUp() override {
        cce_loopback_config cfg{};
        cfg.num_queues = 4;
        cfg.ring_entries = kRing;
        ASSERT_EQ(cce_loopback_register(&cfg), CCE_OK);
        hw_ = open(CCE_POLICY_HW_ONLY, "loopback");
        sw_ = open(CCE_POLICY_SW_ONLY, nullptr);
        ASSERT_NE(hw_, nullptr);
        ASSERT_NE(sw_, nullptr);
        ASSERT_STREQ(cce_backend_name(hw_), "loopback");
        ASSERT_STREQ(cce_backend_name(sw_), "software");
    }
    void TearDown() override {
        cce_close(hw_);
        cce_close(sw_);
        for (cce_ctx* c : extra_) cce_close(c);
    }
    cce_ctx* open(int policy, const char* dev, unsigned flags = 0, size_t chunk = 0) {
        cce_open_opts o;
        cce_open_opts_init(&o);
        o.policy = policy;
        o.device = dev;
        o.flags = flags;
        o.chunk_size = chunk;
        cce_ctx* c = nullptr;
        EXPECT_EQ(cce_open(&o, &c), CCE_OK);
        return c;
    }
    cce_ctx* keep(cce_ctx* c) {
        extra_.push_back(c);
        return c;
    }
    cce_stats stats(cce_ctx* c) {
        cce_stats s{};
        EXPECT_EQ(cce_get_stats(c, &s), CCE_OK);
        return s;
    }
    cce_ctx* hw_ = nullptr;
    cce_ctx* sw_ = nullptr;
    std::vector<cce_ctx*> extra_;
};

TEST_F(Lib, MemcpyMatches) {
    for (size_t n : {size_t(0), size_t(1), size_t(63), size_t(4096), size_t(4097), size_t(200000)}) {
        const Bytes src = random_data(n + 3, uint32_t(n));
        Bytes a(n + 8, 0xee), b(n + 8, 0xee);
        ASSERT_EQ(cce_memcpy(hw_, a.data() + 1, src.data() + 3, n), CCE_OK) << n;
        ASSERT_EQ(cce_memcpy(sw_, b.data() + 1, src.data() + 3, n), CCE_OK) << n;
        EXPECT_EQ(a, b) << n;
        EXPECT_EQ(0, std::memcmp(a.data() + 1, src.data() + 3, n));
    }
    EXPECT_GT(stats(hw_).jobs_hw, 0u);
}

TEST_F(Lib, CrcMatchesZlibAndVectors) {
    const char* v = "123456789";
    uint32_t c = 0;
    ASSERT_EQ(cce_crc32(hw_, v, 9, &c), CCE_OK);
    EXPECT_EQ(c, 0xCBF43926u);
    c = 0;
    ASSERT_EQ(cce_crc32c(hw_, v, 9, &c), CCE_OK);
    EXPECT_EQ(c, 0xE3069283u);
    const Bytes d = random_data(300001);
    uint32_t h = 0, s = 0, h2 = 0, s2 = 0;
    ASSERT_EQ(cce_crc32(hw_, d.data(), d.size(), &h), CCE_OK);
    ASSERT_EQ(cce_crc32(sw_, d.data(), d.size(), &s), CCE_OK);
    EXPECT_EQ(h, s);
    EXPECT_EQ(h, uint32_t(crc32_z(0, d.data(), d.size())));
    ASSERT_EQ(cce_crc32c(hw_, d.data(), d.size(), &h2), CCE_OK);
    ASSERT_EQ(cce_crc32c(sw_, d.data(), d.size(), &s2), CCE_OK);
    EXPECT_EQ(h2, s2);
    EXPECT_EQ(h2, crc32c_of(d));
    // Seed chaining: crc(a||b) = crc(b, seed = crc(a)).
    uint32_t chained = 0;
    ASSERT_EQ(cce_crc32c(hw_, d.data(), 1000, &chained), CCE_OK);
    ASSERT_EQ(cce_crc32c(hw_, d.data() + 1000, d.size() - 1000, &chained), CCE_OK);
    EXPECT_EQ(chained, h2);
}

TEST_F(Lib, CompressRoundTripsWithZlib) {
    const Bytes in = text_data(300000);
    for (int fmt : {CCE_FMT_RAW, CCE_FMT_ZLIB, CCE_FMT_GZIP}) {
        for (int level : {1, 6, 9}) {
            Bytes out(cce_compress_bound(in.size()));
            size_t n = 0;
            ASSERT_EQ(cce_compress(hw_, fmt, level, in.data(), in.size(), out.data(), out.size(), &n), CCE_OK);
            ASSERT_GT(n, 0u);
            EXPECT_LT(n, in.size() / 2) << "text should compress";
            out.resize(n);
            EXPECT_EQ(zlib_inflate(out, fmt, in.size() + 1), in) << fmt << " " << level;
            // device decompresses zlib's stream and its own
            const Bytes z = zlib_deflate(in, fmt, level);
            Bytes back(in.size());
            ASSERT_EQ(cce_decompress(hw_, fmt, z.data(), z.size(), back.data(), back.size(), &n), CCE_OK);
            EXPECT_EQ(n, in.size());
            EXPECT_EQ(back, in);
            ASSERT_EQ(cce_decompress(sw_, fmt, out.data(), out.size(), back.data(), back.size(), &n), CCE_OK);
            EXPECT_EQ(back, in);
        }
    }
}

TEST_F(Lib, CompressEmptyAndIncompressible) {
    Bytes out(cce_compress_bound(0)), back(16);
    size_t n = 0, m = 1;
    ASSERT_EQ(cce_compress(hw_, CCE_FMT_GZIP, 0, nullptr, 0, out.data(), out.size(), &n), CCE_OK);
    out.resize(n);
    ASSERT_EQ(cce_decompress(sw_, CCE_FMT_GZIP, out.data(), out.size(), back.data(), back.size(), &m), CCE_OK);
    EXPECT_EQ(m, 0u);
    const Bytes rnd = random_data(100000);
    Bytes o2(cce_compress_bound(rnd.size()));
    ASSERT_EQ(cce_compress(hw_, CCE_FMT_ZLIB, 9, rnd.data(), rnd.size(), o2.data(), o2.size(), &n), CCE_OK);
    o2.resize(n);
    EXPECT_EQ(zlib_inflate(o2, CCE_FMT_ZLIB, rnd.size() + 1), rnd);
}

TEST_F(Lib, StreamingAcrossDescriptors) {
    // 6 MiB through 1 MiB descriptors: compress/decompress with a context
    // buffer, SHA-256 with a context, CRC seed chaining, memcpy chunks.
    cce_ctx* c = keep(open(CCE_POLICY_HW_ONLY, "loopback", 0, 1u << 20));
    ASSERT_NE(c, nullptr);
    const Bytes in = text_data(6u << 20, 7);
    Bytes comp(cce_compress_bound(in.size()));
    size_t n = 0;
    const uint64_t d0 = stats(c).descriptors;
    ASSERT_EQ(cce_compress(c, CCE_FMT_GZIP, 6, in.data(), in.size(), comp.data(), comp.size(), &n), CCE_OK);
    EXPECT_GE(stats(c).descriptors - d0, 6u);
    comp.resize(n);
    EXPECT_EQ(zlib_inflate(comp, CCE_FMT_GZIP, in.size() + 1), in);
    Bytes back(in.size());
    cce_ctx* small = keep(open(CCE_POLICY_HW_ONLY, "loopback", 0, 128u << 10));
    ASSERT_NE(small, nullptr);
    ASSERT_GT(comp.size(), 256u << 10);
    const uint64_t d1 = stats(small).descriptors;
    ASSERT_EQ(cce_decompress(small, CCE_FMT_GZIP, comp.data(), comp.size(), back.data(), back.size(), &n), CCE_OK);
    EXPECT_GE(stats(small).descriptors - d1, comp.size() / (128u << 10));
    EXPECT_EQ(n, in.size());
    EXPECT_EQ(back, in);
    // zlib's stream of a large input, decompressed in several descriptors
    const Bytes z = zlib_deflate(in, CCE_FMT_ZLIB, 9);
    ASSERT_EQ(cce_decompress(c, CCE_FMT_ZLIB, z.data(), z.size(), back.data(), back.size(), &n), CCE_OK);
    EXPECT_EQ(back, in);

    uint8_t h[32], s[32];
    const uint64_t d2 = stats(c).descriptors;
    ASSERT_EQ(cce_sha256(c, in.data(), in.size(), h), CCE_OK);
    EXPECT_EQ(stats(c).descriptors - d2, 6u);
    ASSERT_EQ(cce_sha256(sw_, in.data(), in.size(), s), CCE_OK);
    EXPECT_EQ(0, std::memcmp(h, s, 32));
    uint32_t ch = 0;
    ASSERT_EQ(cce_crc32(c, in.data(), in.size(), &ch), CCE_OK);
    EXPECT_EQ(ch, uint32_t(crc32_z(0, in.data(), in.size())));
    Bytes cp(in.size());
    ASSERT_EQ(cce_memcpy(c, cp.data(), in.data(), in.size()), CCE_OK);
    EXPECT_EQ(cp, in);
}

TEST_F(Lib, DecompressOutputWindowContinues) {
    // Output larger than one descriptor's window is produced in several
    // descriptors (SUCCESS, no EOS, output full -> continue).
    const Bytes in(80u << 20, 'a');  // 80 MiB of one byte: tiny stream
    const Bytes z = zlib_deflate(in, CCE_FMT_RAW, 6);
    Bytes back(in.size());
    size_t n = 0;
    const uint64_t d0 = stats(hw_).descriptors;
    ASSERT_EQ(cce_decompress(hw_, CCE_FMT_RAW, z.data(), z.size(), back.data(), back.size(), &n), CCE_OK);
    EXPECT_GE(stats(hw_).descriptors - d0, 2u);
    EXPECT_EQ(n, in.size());
    EXPECT_TRUE(back == in);
}

TEST_F(Lib, XtsMatchesSoftware) {
    uint8_t key[64], tweak[16];
    for (int i = 0; i < 64; ++i) key[i] = uint8_t(i * 3 + 1);
    for (int i = 0; i < 16; ++i) tweak[i] = uint8_t(0xf0 + i);
    const Bytes in = random_data(64 * 1024 + 100);  // tail needs ciphertext stealing
    for (size_t klen : {size_t(32), size_t(64)}) {
        for (size_t sector : {size_t(0), size_t(512), size_t(4096)}) {
            const size_t len = sector ? in.size() - 100 + (sector == 512 ? 20 : 0) : in.size();
            Bytes a(len), b(len), d(len);
            ASSERT_EQ(cce_xts(hw_, 1, key, klen, tweak, sector, in.data(), a.data(), len), CCE_OK);
            ASSERT_EQ(cce_xts(sw_, 1, key, klen, tweak, sector, in.data(), b.data(), len), CCE_OK);
            EXPECT_EQ(a, b) << klen << " " << sector;
            ASSERT_EQ(cce_xts(hw_, 0, key, klen, tweak, sector, a.data(), d.data(), len), CCE_OK);
            EXPECT_EQ(0, std::memcmp(d.data(), in.data(), len));
            // in place
            ASSERT_EQ(cce_xts(hw_, 0, key, klen, tweak, sector, b.data(), b.data(), len), CCE_OK);
            EXPECT_EQ(b, d);
        }
    }
    // Cross-check the sector-0 result with OpenSSL directly.
    Bytes ref(4096), got(4096);
    EVP_CIPHER_CTX* x = EVP_CIPHER_CTX_new();
    int outl = 0;
    ASSERT_EQ(EVP_EncryptInit_ex(x, EVP_aes_256_xts(), nullptr, key, tweak), 1);
    ASSERT_EQ(EVP_EncryptUpdate(x, ref.data(), &outl, in.data(), 4096), 1);
    EVP_CIPHER_CTX_free(x);
    ASSERT_EQ(cce_xts(hw_, 1, key, 64, tweak, 4096, in.data(), got.data(), 4096), CCE_OK);
    EXPECT_EQ(got, ref);
    // key1 == key2 is refused by both
    uint8_t same[32];
    std::memset(same, 7, sizeof same);
    Bytes o(32);
    EXPECT_EQ(cce_xts(hw_, 1, same, 32, tweak, 0, in.data(), o.data(), 32), CCE_E_INVALID_PARAM);
    EXPECT_EQ(cce_xts(sw_, 1, same, 32, tweak, 0, in.data(), o.data(), 32), CCE_E_INVALID_PARAM);
}

TEST_F(Lib, GcmMatchesSoftware) {
    uint8_t key[32], iv[64], t1[16], t2[16];
    for (int i = 0; i < 32; ++i) key[i] = uint8_t(0x40 + i);
    for (int i = 0; i < 64; ++i) iv[i] = uint8_t(i);
    const Bytes aad = random_data(77, 9);
    for (size_t klen : {size_t(16), size_t(32)}) {
        for (size_t ivlen : {size_t(12), size_t(16), size_t(60)}) {
            for (size_t tlen : {size_t(16), size_t(12), size_t(8)}) {
                for (size_t n : {size_t(0), size_t(1), size_t(4096), size_t(100003)}) {
                    const Bytes in = random_data(n, uint32_t(n + ivlen));
                    Bytes a(n), b(n), d(n);
                    ASSERT_EQ(cce_gcm(hw_, 1, key, klen, iv, ivlen, aad.data(), aad.size(), in.data(), a.data(), n,
                                      t1, tlen),
                              CCE_OK);
                    ASSERT_EQ(cce_gcm(sw_, 1, key, klen, iv, ivlen, aad.data(), aad.size(), in.data(), b.data(), n,
                                      t2, tlen),
                              CCE_OK);
                    EXPECT_EQ(a, b);
                    EXPECT_EQ(0, std::memcmp(t1, t2, tlen)) << klen << " " << ivlen << " " << tlen << " " << n;
                    ASSERT_EQ(cce_gcm(hw_, 0, key, klen, iv, ivlen, aad.data(), aad.size(), a.data(), d.data(), n,
                                      t1, tlen),
                              CCE_OK);
                    EXPECT_EQ(d, in);
                }
            }
        }
    }
    // Tampered tag: AUTH_FAILED on both, and no plaintext in dst.
    const Bytes in = text_data(5000);
    Bytes ct(in.size()), pt(in.size(), 0);
    ASSERT_EQ(cce_gcm(hw_, 1, key, 32, iv, 12, nullptr, 0, in.data(), ct.data(), in.size(), t1, 16), CCE_OK);
    t1[3] ^= 1;
    EXPECT_EQ(cce_gcm(hw_, 0, key, 32, iv, 12, nullptr, 0, ct.data(), pt.data(), ct.size(), t1, 16),
              CCE_E_AUTH_FAILED);
    EXPECT_NE(pt, in);
    EXPECT_EQ(cce_gcm(sw_, 0, key, 32, iv, 12, nullptr, 0, ct.data(), pt.data(), ct.size(), t1, 16),
              CCE_E_AUTH_FAILED);
    EXPECT_NE(pt, in);
}

TEST_F(Lib, ShaAndHmacMatchOpenSsl) {
    for (size_t n : {size_t(0), size_t(3), size_t(64), size_t(1000), size_t(1u << 20)}) {
        const Bytes in = random_data(n, uint32_t(n));
        uint8_t h[32], ref[32];
        unsigned rl = 0;
        ASSERT_EQ(cce_sha256(hw_, in.data(), n, h), CCE_OK);
        EVP_Digest(in.data(), n, ref, &rl, EVP_sha256(), nullptr);
        EXPECT_EQ(0, std::memcmp(h, ref, 32)) << n;
        for (size_t kl : {size_t(0), size_t(20), size_t(64), size_t(100)}) {
            const Bytes key = random_data(kl, 3);
            uint8_t m[32], mr[32], ms[32];
            ASSERT_EQ(cce_hmac_sha256(hw_, key.data(), kl, in.data(), n, m), CCE_OK);
            ASSERT_EQ(cce_hmac_sha256(sw_, key.data(), kl, in.data(), n, ms), CCE_OK);
            static const uint8_t z = 0;
            HMAC(EVP_sha256(), kl ? key.data() : &z, int(kl), n ? in.data() : &z, n, mr, &rl);
            EXPECT_EQ(0, std::memcmp(m, mr, 32)) << n << " " << kl;
            EXPECT_EQ(0, std::memcmp(ms, mr, 32));
        }
    }
}

size_t resident_pages(const void* p, size_t n) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(p) & ~uintptr_t{4095};
    const size_t pages = (reinterpret_cast<uintptr_t>(p) + n - a + 4095) / 4096;
    std::vector<unsigned char> v(pages);
    if (mincore(reinterpret_cast<void*>(a), pages * 4096, v.data()) != 0) return SIZE_MAX;
    size_t r = 0;
    for (unsigned char c : v) r += c & 1;
    return r;
}

bool thp_always() {
    FILE* f = std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f) return false;
    char b[128] = {};
    const bool r = std::fgets(b, sizeof b, f) && std::strstr(b, "[always]");
    std::fclose(f);
    return r;
}

TEST_F(Lib, UntouchedOutputIsFaultedInByPageRequests) {
    const size_t n = 4u << 20, pages = n / 4096;
    const Bytes in = random_data(n);
    // Never-touched malloc'd memory: a fixed mmap threshold makes glibc hand
    // out a fresh mapping (not recycled heap), whose pages are not resident
    // except malloc's own header.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    auto* dst = static_cast<uint8_t*>(std::malloc(n));
    ASSERT_NE(dst, nullptr);
    const size_t absent = pages - resident_pages(dst, n);
    EXPECT_GE(absent, pages - 2);
    const cce_stats before = stats(hw_);
    ASSERT_EQ(cce_memcpy(hw_, dst, in.data(), n), CCE_OK);
    const cce_stats after = stats(hw_);
    const uint64_t prs = after.dev_page_requests - before.dev_page_requests;
    // One page request per absent page (4 KiB pages; fewer with THP always).
    if (thp_always()) EXPECT_GE(prs, 1u);
    else EXPECT_GE(prs, absent);
    EXPECT_EQ(resident_pages(dst, n), pages + (reinterpret_cast<uintptr_t>(dst) % 4096 ? 1 : 0));
    EXPECT_EQ(0, std::memcmp(dst, in.data(), n));
    std::free(dst);

    // Same for a fresh mapping read by the device (page requests for read).
    void* m = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(m, MAP_FAILED);
    madvise(m, n, MADV_NOHUGEPAGE);
    uint32_t crc = 0;
    const uint64_t pr0 = stats(hw_).dev_page_requests;
    ASSERT_EQ(cce_crc32(hw_, m, n, &crc), CCE_OK);  // zero pages
    EXPECT_EQ(stats(hw_).dev_page_requests - pr0, pages);
    EXPECT_EQ(crc, uint32_t(crc32_z(0, static_cast<const Bytef*>(m), n)));
    munmap(m, n);
}

TEST_F(Lib, BadPointerIsACleanError) {
    const Bytes in = random_data(8192);
    // Unmapped address: TRANSLATION_FAULT, reported as CCE_E_FAULT.
    void* bad = reinterpret_cast<void*>(uintptr_t{0x1000});
    cce_job j{};
    j.op = CCE_JOB_MEMCPY;
    j.src = in.data();
    j.src_len = in.size();
    j.dst = bad;
    j.dst_cap = in.size();
    EXPECT_EQ(cce_run(hw_, &j), CCE_E_FAULT);
    EXPECT_EQ(j.fault_addr, 0x1000u);
    EXPECT_EQ(j.dev_status, unsigned(CCE_ST_TRANSLATION_FAULT));
    EXPECT_EQ(j.dst_len, 0u);
    uint8_t digest[32];
    EXPECT_EQ(cce_sha256(hw_, bad, 100, digest), CCE_E_FAULT);
    // Read-only and PROT_NONE pages: no write permission -> fault, no crash.
    void* ro = mmap(nullptr, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(ro, MAP_FAILED);
    auto* p = static_cast<uint8_t*>(ro);
    std::memset(p, 0x5a, 3 * 4096);
    ASSERT_EQ(mprotect(p, 4096, PROT_READ), 0);
    ASSERT_EQ(mprotect(p + 8192, 4096, PROT_NONE), 0);
    EXPECT_EQ(cce_memcpy(hw_, p, in.data(), 4096), CCE_E_FAULT);
    EXPECT_EQ(p[0], 0x5a);
    EXPECT_EQ(cce_memcpy(hw_, p + 4096, in.data(), 8192), CCE_E_FAULT);  // runs into PROT_NONE
    uint32_t crc = 0;
    EXPECT_EQ(cce_crc32(hw_, p + 8192, 16, &crc), CCE_E_FAULT);
    // Reading a read-only page is fine.
    ASSERT_EQ(cce_crc32(hw_, p, 4096, &crc), CCE_OK);
    EXPECT_EQ(crc, uint32_t(crc32_z(0, p, 4096)));
    // A fault in the middle of a job of many descriptors in flight (XTS,
    // 512-byte units): the job fails once every descriptor has come back.
    ASSERT_EQ(mprotect(p, 4096, PROT_READ | PROT_WRITE), 0);
    ASSERT_EQ(mprotect(p + 4096, 4096, PROT_READ), 0);
    ASSERT_EQ(mprotect(p + 8192, 4096, PROT_READ | PROT_WRITE), 0);
    uint8_t key[32], tw[16] = {};
    for (int i = 0; i < 32; ++i) key[i] = uint8_t(i);
    const Bytes src3 = random_data(3 * 4096);
    cce_job x{};
    x.op = CCE_JOB_XTS_ENC;
    x.src = src3.data();
    x.src_len = 3 * 4096;
    x.dst = p;
    x.dst_cap = 3 * 4096;
    x.key = key;
    x.key_len = 32;
    x.iv = tw;
    x.iv_len = 16;
    x.sector_size = 512;
    const uint64_t d0 = stats(hw_).descriptors;
    EXPECT_EQ(cce_run(hw_, &x), CCE_E_FAULT);
    EXPECT_EQ(x.fault_addr, reinterpret_cast<uint64_t>(p + 4096));
    EXPECT_EQ(x.dst_len, 0u);
    EXPECT_GT(stats(hw_).descriptors - d0, 8u);
    munmap(ro, 3 * 4096);
    // The queue still works after faults.
    Bytes out(100);
    EXPECT_EQ(cce_memcpy(hw_, out.data(), in.data(), 100), CCE_OK);
    EXPECT_GT(stats(hw_).dev_translation_faults, 0u);
}

TEST_F(Lib, QueueWrapsWithManyJobs) {
    // 20x the ring size, synchronous and asynchronous.
    const Bytes in = random_data(1000);
    for (unsigned i = 0; i < kRing * 20; ++i) {
        uint32_t c = i;
        ASSERT_EQ(cce_crc32c(hw_, in.data(), 1 + i % 1000, &c), CCE_OK);
        uint32_t s = i;
        ASSERT_EQ(cce_crc32c(sw_, in.data(), 1 + i % 1000, &s), CCE_OK);
        ASSERT_EQ(c, s);
    }
    std::vector<cce_job> jobs(kRing * 10);
    std::vector<Bytes> outs(jobs.size(), Bytes(600));
    for (size_t i = 0; i < jobs.size(); ++i) {
        cce_job& j = jobs[i];
        j = cce_job{};
        j.op = CCE_JOB_MEMCPY;
        j.src = in.data() + i % 400;
        j.src_len = 600;
        j.dst = outs[i].data();
        j.dst_cap = 600;
        j.user_data = &outs[i];
        ASSERT_EQ(cce_submit(hw_, &j), CCE_OK);
    }
    EXPECT_EQ(cce_pending(hw_), jobs.size());
    size_t got = 0;
    cce_job* done[7];
    while (got < jobs.size()) {
        const int n = cce_poll(hw_, done, 7, 1000);
        ASSERT_GT(n, 0) << cce_strerror(n);
        for (int k = 0; k < n; ++k) {
            ASSERT_EQ(done[k]->status, CCE_OK);
            EXPECT_EQ(done[k]->path, CCE_PATH_HW);
            const size_t i = size_t(done[k] - jobs.data());
            EXPECT_EQ(0, std::memcmp(outs[i].data(), in.data() + i % 400, 600));
        }
        got += size_t(n);
    }
    EXPECT_EQ(cce_pending(hw_), 0u);
    EXPECT_EQ(cce_poll(hw_, done, 7, 0), CCE_E_AGAIN);
}

TEST_F(Lib, AsyncMixedJobs) {
    const Bytes in = text_data(200000);
    Bytes comp(cce_compress_bound(in.size())), cp(in.size());
    uint8_t dg[32];
    cce_job j[3] = {};
    j[0].op = CCE_JOB_COMPRESS;
    j[0].format = CCE_FMT_ZLIB;
    j[0].src = in.data();
    j[0].src_len = in.size();
    j[0].dst = comp.data();
    j[0].dst_cap = comp.size();
    j[1].op = CCE_JOB_SHA256;
    j[1].src = in.data();
    j[1].src_len = in.size();
    j[1].dst = dg;
    j[1].dst_cap = 32;
    j[2].op = CCE_JOB_CRC32;
    j[2].src = in.data();
    j[2].src_len = in.size();
    for (auto& x : j) ASSERT_EQ(cce_submit(hw_, &x), CCE_OK);
    int seen = 0;
    while (seen < 3) {
        cce_job* d[3];
        const int n = cce_poll(hw_, d, 3, -1);
        ASSERT_GT(n, 0);
        seen += n;
    }
    ASSERT_EQ(j[0].status, CCE_OK);
    comp.resize(j[0].dst_len);
    EXPECT_EQ(zlib_inflate(comp, CCE_FMT_ZLIB, in.size() + 1), in);
    uint8_t ref[32];
    ASSERT_EQ(cce_sha256(sw_, in.data(), in.size(), ref), CCE_OK);
    EXPECT_EQ(0, std::memcmp(dg, ref, 32));
    EXPECT_EQ(j[2].crc, uint32_t(crc32_z(0, in.data(), in.size())));
    // A sync call while async jobs are pending leaves them for cce_poll.
    cce_job a{};
    a.op = CCE_JOB_CRC32C;
    a.src = in.data();
    a.src_len = 100;
    ASSERT_EQ(cce_submit(hw_, &a), CCE_OK);
    uint32_t c = 0;
    ASSERT_EQ(cce_crc32(hw_, in.data(), 100, &c), CCE_OK);
    cce_job* d[2];
    ASSERT_EQ(cce_poll(hw_, d, 2, 0), 1);
    EXPECT_EQ(d[0], &a);
}

TEST_F(Lib, CloseWithJobsNotPolled) {
    // Jobs submitted and never polled: cce_close waits for the device and
    // frees everything (ASan/LSan check the rest).
    cce_ctx* c = open(CCE_POLICY_AUTO, "loopback");
    ASSERT_NE(c, nullptr);
    const Bytes in = random_data(20000);
    std::vector<cce_job> jobs(40);
    for (auto& j : jobs) {
        j = cce_job{};
        j.op = CCE_JOB_CRC32C;
        j.src = in.data();
        j.src_len = in.size();
        ASSERT_EQ(cce_submit(c, &j), CCE_OK);
    }
    EXPECT_EQ(cce_pending(c), jobs.size());
    cce_close(c);
    for (const auto& j : jobs) EXPECT_EQ(j.crc, crc32c_of(in));
}

TEST_F(Lib, CorruptAndTooSmallAreReportedByBoth) {
    const Bytes in = text_data(100000);
    const Bytes z = zlib_deflate(in, CCE_FMT_GZIP, 6);
    Bytes out(in.size());
    size_t n = 0;
    for (cce_ctx* c : {hw_, sw_}) {
        SCOPED_TRACE(cce_backend_name(c));
        Bytes bad = z;
        bad[bad.size() - 6] ^= 0xff;  // CRC trailer
        EXPECT_EQ(cce_decompress(c, CCE_FMT_GZIP, bad.data(), bad.size(), out.data(), out.size(), &n),
                  CCE_E_CORRUPT_INPUT);
        EXPECT_EQ(cce_decompress(c, CCE_FMT_GZIP, z.data(), z.size() / 2, out.data(), out.size(), &n),
                  CCE_E_CORRUPT_INPUT);  // truncated
        Bytes trailing = z;
        trailing.push_back(0);
        EXPECT_EQ(cce_decompress(c, CCE_FMT_GZIP, trailing.data(), trailing.size(), out.data(), out.size(), &n),
                  CCE_E_CORRUPT_INPUT);
        EXPECT_EQ(cce_decompress(c, CCE_FMT_ZLIB, z.data(), z.size(), out.data(), out.size(), &n),
                  CCE_E_CORRUPT_INPUT);  // wrong framing
        EXPECT_EQ(cce_decompress(c, CCE_FMT_GZIP, z.data(), z.size(), out.data(), 1000, &n), CCE_E_OUTPUT_TOO_SMALL);
        Bytes tiny(10);
        EXPECT_EQ(cce_compress(c, CCE_FMT_GZIP, 6, in.data(), in.size(), tiny.data(), tiny.size(), &n),
                  CCE_E_OUTPUT_TOO_SMALL);
        EXPECT_GE(n, in.size() / 100);  // a size hint
    }
}

TEST_F(Lib, InvalidArgumentsAreRefused) {
    uint8_t buf[64] = {}, key[32] = {1}, tag[16];
    EXPECT_EQ(cce_compress(hw_, 7, 0, buf, 10, buf + 32, 32, nullptr), CCE_E_INVAL);
    EXPECT_EQ(cce_compress(hw_, CCE_FMT_RAW, 12, buf, 10, buf + 32, 32, nullptr), CCE_E_INVAL);
    EXPECT_EQ(cce_memcpy(hw_, buf + 8, buf, 16), CCE_E_INVAL);  // overlap
    EXPECT_EQ(cce_xts(hw_, 1, key, 20, buf, 0, buf, buf, 32), CCE_E_INVAL);
    EXPECT_EQ(cce_xts(hw_, 1, key, 32, buf, 0, buf, buf, 8), CCE_E_INVAL);
    EXPECT_EQ(cce_gcm(hw_, 1, key, 32, buf, 0, nullptr, 0, buf, buf, 16, tag, 16), CCE_E_INVAL);
    EXPECT_EQ(cce_gcm(hw_, 1, key, 32, buf, 12, nullptr, 0, buf, buf, 16, tag, 5), CCE_E_INVAL);
    EXPECT_EQ(cce_crc32(hw_, nullptr, 5, reinterpret_cast<uint32_t*>(buf)), CCE_E_INVAL);
    cce_job j{};
    j.op = 99;
    EXPECT_EQ(cce_submit(hw_, &j), CCE_E_INVAL);
    EXPECT_EQ(j.status, CCE_E_INVAL);
    EXPECT_EQ(cce_submit(nullptr, &j), CCE_E_INVAL);
}

TEST_F(Lib, AutoWithoutDeviceUsesSoftware) {
    char dir[] = "/tmp/cce-empty-sysfs-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    cce_open_opts o;
    cce_open_opts_init(&o);
    o.sysfs_root = dir;  // no class/uacce: no device
    cce_ctx* c = nullptr;
    ASSERT_EQ(cce_open(&o, &c), CCE_OK);
    EXPECT_EQ(cce_has_device(c), 0);
    EXPECT_STREQ(cce_backend_name(c), "software");
    uint8_t d[32];
    cce_job j{};
    j.op = CCE_JOB_SHA256;
    j.src = "abc";
    j.src_len = 3;
    j.dst = d;
    j.dst_cap = 32;
    ASSERT_EQ(cce_run(c, &j), CCE_OK);
    EXPECT_EQ(j.path, CCE_PATH_SW);
    EXPECT_EQ(d[0], 0xba);  // SHA-256("abc") = ba7816bf...
    cce_close(c);
    o.policy = CCE_POLICY_HW_ONLY;
    EXPECT_EQ(cce_open(&o, &c), CCE_E_NODEV);
    EXPECT_EQ(c, nullptr);
    // A path that is not a CCE queue file: not a crash, an error.
    o.device = "/dev/null";
    EXPECT_EQ(cce_open(&o, &c), CCE_E_IO);
    rmdir(dir);
}

TEST_F(Lib, DeviceErrorFailsCleanlyOrFallsBack) {
    const Bytes in = random_data(50000);
    Bytes out(in.size(), 0);
    // Without the flag: the device error is the result; no success.
    cce_loopback_fail_next_dma(1);
    cce_job j{};
    j.op = CCE_JOB_MEMCPY;
    j.src = in.data();
    j.src_len = in.size();
    j.dst = out.data();
    j.dst_cap = out.size();
    EXPECT_EQ(cce_run(hw_, &j), CCE_E_DEV_DMA);
    EXPECT_EQ(j.dev_status, unsigned(CCE_ST_DMA_ERROR));
    EXPECT_TRUE(cce_is_device_error(j.status));
    EXPECT_EQ(j.dst_len, 0u);
    // With FALLBACK_ON_ERROR: retried in software, correct result.
    cce_ctx* fb = keep(open(CCE_POLICY_AUTO, "loopback", CCE_OPEN_FALLBACK_ON_ERROR));
    ASSERT_NE(fb, nullptr);
    ASSERT_EQ(cce_has_device(fb), 1);
    uint8_t dg[32], ref[32];
    cce_loopback_fail_next_dma(1);
    cce_job h{};
    h.op = CCE_JOB_SHA256;
    h.src = in.data();
    h.src_len = in.size();
    h.dst = dg;
    h.dst_cap = 32;
    ASSERT_EQ(cce_run(fb, &h), CCE_OK);
    EXPECT_EQ(h.path, CCE_PATH_SW_FALLBACK);
    ASSERT_EQ(cce_sha256(sw_, in.data(), in.size(), ref), CCE_OK);
    EXPECT_EQ(0, std::memcmp(dg, ref, 32));
    EXPECT_EQ(stats(fb).fallbacks, 1u);
    // Data errors are not retried: corrupt input stays corrupt input.
    Bytes junk(100, 0xff), o2(100);
    size_t n;
    EXPECT_EQ(cce_decompress(fb, CCE_FMT_RAW, junk.data(), junk.size(), o2.data(), o2.size(), &n),
              CCE_E_CORRUPT_INPUT);
    EXPECT_EQ(stats(fb).fallbacks, 1u);
    cce_loopback_fail_next_dma(0);
}

TEST_F(Lib, HaltedQueueFailsJobsAndRestarts) {
    const Bytes in = random_data(10000);
    Bytes out(in.size());
    // The descriptor fetch fails: queue error, the queue halts.
    cce_loopback_fail_next_ring_dma(1);
    EXPECT_EQ(cce_memcpy(hw_, out.data(), in.data(), in.size()), CCE_E_QUEUE_HALTED);
    // libcce restarted the queue: the next job runs on the device.
    cce_job j{};
    j.op = CCE_JOB_MEMCPY;
    j.src = in.data();
    j.src_len = in.size();
    j.dst = out.data();
    j.dst_cap = out.size();
    ASSERT_EQ(cce_run(hw_, &j), CCE_OK);
    EXPECT_EQ(j.path, CCE_PATH_HW);
    EXPECT_EQ(out, in);
    // With FALLBACK_ON_ERROR a halted queue is a device error: software redoes it.
    cce_ctx* fb = keep(open(CCE_POLICY_AUTO, "loopback", CCE_OPEN_FALLBACK_ON_ERROR));
    ASSERT_NE(fb, nullptr);
    std::fill(out.begin(), out.end(), 0);
    cce_loopback_fail_next_ring_dma(1);
    j.dst = out.data();
    ASSERT_EQ(cce_run(fb, &j), CCE_OK);
    EXPECT_EQ(j.path, CCE_PATH_SW_FALLBACK);
    EXPECT_EQ(out, in);
    cce_loopback_fail_next_ring_dma(0);
}

// A function reset under the queue (FLR, AER, recovery): the job that was
// on the ring is lost and must come back as CCE_E_DEV_RESET, never as success.
TEST_F(Lib, ResetLosesJobsOnTheRingAndStopsTheDevice) {
    const Bytes in = random_data(20000);
    Bytes out(in.size(), 0);
    cce_loopback_reset_at_next_doorbell();
    cce_job j{};
    j.op = CCE_JOB_MEMCPY;
    j.src = in.data();
    j.src_len = in.size();
    j.dst = out.data();
    j.dst_cap = out.size();
    ASSERT_EQ(cce_submit(hw_, &j), CCE_OK);
    cce_job* done[4];
    ASSERT_EQ(cce_poll(hw_, done, 4, 1000), 1);
    EXPECT_EQ(done[0], &j);
    EXPECT_EQ(j.status, CCE_E_DEV_RESET);
    EXPECT_EQ(j.path, CCE_PATH_HW);
    EXPECT_EQ(j.dst_len, 0u);
    EXPECT_TRUE(cce_is_device_error(j.status));
    EXPECT_NE(out, in);  // the engine never ran it
    // Without CCE_OPEN_REOPEN the context gives the device up (HW_ONLY: error).
    EXPECT_EQ(cce_memcpy(hw_, out.data(), in.data(), in.size()), CCE_E_DEV_RESET);
    EXPECT_EQ(cce_pending(hw_), 0u);
}

TEST_F(Lib, ResetWithReopenRestartsTheQueue) {
    const Bytes in = random_data(30000);
    Bytes out(in.size(), 0);
    cce_ctx* ro = keep(open(CCE_POLICY_HW_ONLY, "loopback", CCE_OPEN_REOPEN));
    ASSERT_NE(ro, nullptr);
    cce_loopback_reset_at_next_doorbell();
    EXPECT_EQ(cce_memcpy(ro, out.data(), in.data(), in.size()), CCE_E_DEV_RESET);
    // Restarted: the device runs the next jobs, with correct data.
    for (int k = 0; k < 3; ++k) {
        std::fill(out.begin(), out.end(), 0);
        cce_job j{};
        j.op = CCE_JOB_MEMCPY;
        j.src = in.data();
        j.src_len = in.size();
        j.dst = out.data();
        j.dst_cap = out.size();
        ASSERT_EQ(cce_run(ro, &j), CCE_OK) << k;
        EXPECT_EQ(j.path, CCE_PATH_HW);
        EXPECT_EQ(out, in);
    }
    // The fixture's queue, idle during the reset and opened without
    // REOPEN: its next job is not run on a reset queue, it fails cleanly.
    EXPECT_EQ(cce_memcpy(hw_, out.data(), in.data(), in.size()), CCE_E_DEV_RESET);
    // A queue opened after the reset works.
    cce_ctx* fresh = keep(open(CCE_POLICY_HW_ONLY, "loopback"));
    ASSERT_NE(fresh, nullptr);
    uint32_t crc = 0;
    ASSERT_EQ(cce_crc32c(fresh, in.data(), in.size(), &crc), CCE_OK);
    EXPECT_EQ(crc, crc32c_of(in));
}

TEST_F(Lib, ResetWithFallbackRerunsInSoftware) {
    const Bytes in = random_data(40000);
    cce_ctx* fb = keep(open(CCE_POLICY_AUTO, "loopback", CCE_OPEN_FALLBACK_ON_ERROR));
    ASSERT_NE(fb, nullptr);
    ASSERT_EQ(cce_has_device(fb), 1);
    uint8_t dg[32], ref[32];
    ASSERT_EQ(cce_sha256(sw_, in.data(), in.size(), ref), CCE_OK);
    cce_loopback_reset_at_next_doorbell();
    cce_job h{};
    h.op = CCE_JOB_SHA256;
    h.src = in.data();
    h.src_len = in.size();
    h.dst = dg;
    h.dst_cap = 32;
    ASSERT_EQ(cce_run(fb, &h), CCE_OK);
    EXPECT_EQ(h.path, CCE_PATH_SW_FALLBACK);
    EXPECT_EQ(0, std::memcmp(dg, ref, 32));
    EXPECT_EQ(stats(fb).fallbacks, 1u);
    // AUTO without REOPEN: the device is given up, later jobs run in software.
    std::memset(dg, 0, sizeof dg);
    h.dst = dg;
    ASSERT_EQ(cce_run(fb, &h), CCE_OK);
    EXPECT_EQ(h.path, CCE_PATH_SW);
    EXPECT_EQ(0, std::memcmp(dg, ref, 32));
}

TEST_F(Lib, LostDeviceFailsEveryDeviceJob) {
    const Bytes in = random_data(10000);
    Bytes out(in.size(), 0);
    cce_ctx* ro = keep(open(CCE_POLICY_HW_ONLY, "loopback", CCE_OPEN_REOPEN));
    cce_ctx* fb = keep(open(CCE_POLICY_AUTO, "loopback", CCE_OPEN_FALLBACK_ON_ERROR | CCE_OPEN_REOPEN));
    ASSERT_NE(ro, nullptr);
    ASSERT_NE(fb, nullptr);
    cce_loopback_lose_at_next_doorbell();
    EXPECT_EQ(cce_memcpy(hw_, out.data(), in.data(), in.size()), CCE_E_DEV_LOST);
    EXPECT_NE(out, in);
    EXPECT_EQ(cce_memcpy(hw_, out.data(), in.data(), in.size()), CCE_E_DEV_LOST);
    // REOPEN cannot bring a lost device back.
    EXPECT_EQ(cce_memcpy(ro, out.data(), in.data(), in.size()), CCE_E_DEV_LOST);
    // Software fallback still gives the right answer.
    ASSERT_EQ(cce_memcpy(fb, out.data(), in.data(), in.size()), CCE_OK);
    EXPECT_EQ(out, in);
    // No new device queue while the device is lost.
    cce_open_opts o;
    cce_open_opts_init(&o);
    o.policy = CCE_POLICY_HW_ONLY;
    o.device = "loopback";
    cce_ctx* c = nullptr;
    EXPECT_EQ(cce_open(&o, &c), CCE_E_NODEV);
    EXPECT_EQ(c, nullptr);
    EXPECT_STREQ(cce_strerror(CCE_E_DEV_LOST), "device lost (not responding)");
}

TEST(Errors, EveryStatusAndCodeHasText) {
    for (unsigned s = 0; s <= CCE_ST_MAX; ++s) {
        const int e = cce_status_to_error(s);
        EXPECT_EQ(e == CCE_OK, s == CCE_ST_SUCCESS);
        EXPECT_STRNE(cce_strerror(e), "unknown error") << s;
    }
    EXPECT_EQ(cce_status_to_error(0x7f), CCE_E_DEV_UNKNOWN);
    EXPECT_EQ(cce_status_to_error(CCE_ST_TRANSLATION_FAULT), CCE_E_FAULT);
    EXPECT_EQ(cce_status_to_error(CCE_ST_AUTH_FAILED), CCE_E_AUTH_FAILED);
    for (int e = 0; e >= -27; --e) {
        const char* t = cce_strerror(e);
        ASSERT_NE(t, nullptr);
        if ((e <= -15 && e >= -19)) EXPECT_STREQ(t, "unknown error");
        else EXPECT_STRNE(t, "unknown error") << e;
    }
    EXPECT_FALSE(cce_is_device_error(CCE_E_CORRUPT_INPUT));
    EXPECT_FALSE(cce_is_device_error(CCE_E_FAULT));
    EXPECT_TRUE(cce_is_device_error(CCE_E_DEV_INTERNAL));
    EXPECT_TRUE(cce_is_device_error(CCE_E_DEV_RESET));
    EXPECT_TRUE(cce_is_device_error(CCE_E_DEV_LOST));
    EXPECT_STRNE(cce_strerror(CCE_E_DEV_RESET), cce_strerror(CCE_E_DEV_LOST));
}

}  // namespace
