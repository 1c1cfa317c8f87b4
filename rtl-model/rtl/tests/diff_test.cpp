// SPDX-License-Identifier: MIT
// Differential tests: the RTL runners (Verilated cores) against the C++
// reference datapath, >= 10,000 randomized jobs per core, bit-identical
// results required. Also the documented cycle counts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <random>
#include <vector>

#include "cce/datapath/aes.h"
#include "cce/datapath/crc.h"
#include "cce/datapath/gcm.h"
#include "cce/datapath/hmac.h"
#include "cce/datapath/sha256.h"
#include "cce/datapath/xts.h"
#include "cce/rtl/cores.h"

namespace dp = cce::datapath;
using cce::rtl::RunStats;

namespace {

constexpr int kJobs = 10000;

std::vector<uint8_t> rand_bytes(std::mt19937_64& rng, size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) b = static_cast<uint8_t>(rng());
    return v;
}

// Mostly small lengths, the edge cases often, a few large ones.
size_t pick_len(std::mt19937_64& rng, int job, size_t large) {
    static const size_t kEdge[] = {0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65};
    if (job % 2000 == 1999) return large + rng() % 64;
    if (rng() % 4 == 0) return kEdge[rng() % std::size(kEdge)];
    return rng() % 200;
}

}  // namespace

TEST(RtlDiff, Crc) {
    std::mt19937_64 rng(1);
    cce::rtl::CrcCore core;
    RunStats st;
    uint64_t bytes = 0;
    for (int j = 0; j < kJobs; ++j) {
        const bool c = rng() & 1;
        const uint32_t seed = (rng() % 3 == 0) ? 0 : static_cast<uint32_t>(rng());
        const size_t len = pick_len(rng, j, 100000);
        auto data = rand_bytes(rng, len);
        const uint32_t want =
            dp::crc_update(c ? dp::CrcPoly::Crc32c : dp::CrcPoly::Crc32, seed, data.data(), len);
        const uint32_t got = core.run(c, seed, data.data(), len, st);
        ASSERT_EQ(got, want) << "job " << j << " len " << len << " castagnoli " << c;
        bytes += len;
    }
    // Known answers: CRC-32("123456789") = 0xCBF43926, CRC-32C = 0xE3069283.
    const char* s = "123456789";
    EXPECT_EQ(core.run(false, 0, reinterpret_cast<const uint8_t*>(s), 9, st), 0xCBF43926u);
    EXPECT_EQ(core.run(true, 0, reinterpret_cast<const uint8_t*>(s), 9, st), 0xE3069283u);
    // Chaining through the seed.
    EXPECT_EQ(core.run(false, core.run(false, 0, reinterpret_cast<const uint8_t*>(s), 4, st),
                       reinterpret_cast<const uint8_t*>(s) + 4, 5, st),
              0xCBF43926u);
    EXPECT_GT(st.cycles, bytes / 8);
}

TEST(RtlDiff, CrcCycles) {
    cce::rtl::CrcCore core;
    std::vector<uint8_t> d(8000, 0x5a);
    RunStats st;
    core.run(false, 0, d.data(), d.size(), st);
    EXPECT_EQ(st.cycles, 1000u + 1);  // 8 B/cycle + the result cycle
    st = {};
    core.run(true, 0, d.data(), 13, st);
    EXPECT_EQ(st.cycles, 2u + 1);
    st = {};
    core.run(true, 0, nullptr, 0, st);
    EXPECT_EQ(st.cycles, 1u + 1);
}

TEST(RtlDiff, Sha256Compress) {
    std::mt19937_64 rng(2);
    cce::rtl::Sha256Core core;
    RunStats st;
    for (int j = 0; j < kJobs; ++j) {
        const size_t n = (j % 2500 == 2499) ? 200 : 1 + rng() % 4;
        auto blocks = rand_bytes(rng, 64 * n);
        uint32_t h_ref[8], h_rtl[8];
        for (int i = 0; i < 8; ++i) h_ref[i] = h_rtl[i] = static_cast<uint32_t>(rng());
        dp::Sha256::compress(h_ref, blocks.data(), n);
        core.compress(h_rtl, blocks.data(), n, st);
        ASSERT_EQ(0, std::memcmp(h_ref, h_rtl, sizeof h_ref)) << "job " << j << " blocks " << n;
    }
}

TEST(RtlDiff, Sha256Cycles) {
    cce::rtl::Sha256Core core;
    std::vector<uint8_t> d(64 * 10, 1);
    uint32_t h[8] = {};
    RunStats st;
    core.compress(h, d.data(), 10, st);
    EXPECT_EQ(st.cycles, 65u * 10 + 1);
}

TEST(RtlDiff, Sha256AndHmacOneShot) {
    std::mt19937_64 rng(3);
    cce::rtl::Sha256Core core;
    RunStats st;
    for (int j = 0; j < 3000; ++j) {
        const size_t len = pick_len(rng, j, 20000);
        auto data = rand_bytes(rng, len);
        uint8_t want[32], got[32];
        dp::sha256(data.data(), len, want);
        ASSERT_EQ(CCE_ST_SUCCESS, cce::rtl::sha256_rtl(data.data(), len, got, core, st));
        ASSERT_EQ(0, std::memcmp(want, got, 32)) << "sha256 len " << len;
        const size_t klen = rng() % 4 == 0 ? 64 + rng() % 100 : rng() % 65;
        auto key = rand_bytes(rng, klen);
        ASSERT_EQ(CCE_ST_SUCCESS, dp::hmac_sha256(key.data(), klen, data.data(), len, want));
        ASSERT_EQ(CCE_ST_SUCCESS,
                  cce::rtl::hmac_sha256_rtl(key.data(), klen, data.data(), len, got, core, st));
        ASSERT_EQ(0, std::memcmp(want, got, 32)) << "hmac len " << len << " key " << klen;
    }
    // FIPS 180-2 "abc".
    uint8_t got[32];
    cce::rtl::sha256_rtl(reinterpret_cast<const uint8_t*>("abc"), 3, got, core, st);
    EXPECT_EQ(got[0], 0xba);
    EXPECT_EQ(got[31], 0xad);
    EXPECT_EQ(CCE_ST_INVALID_PARAM, cce::rtl::sha256_rtl(nullptr, 1, got, core, st));
    EXPECT_EQ(CCE_ST_INVALID_PARAM, cce::rtl::hmac_sha256_rtl(nullptr, 1, got, 0, got, core, st));
}

TEST(RtlDiff, AesEcb) {
    std::mt19937_64 rng(4);
    cce::rtl::AesCore core;
    RunStats st;
    EXPECT_FALSE(core.set_key(nullptr, 16, st));
    uint8_t k24[24] = {};
    EXPECT_FALSE(core.set_key(k24, 24, st));
    for (int j = 0; j < kJobs; ++j) {
        const size_t klen = (rng() & 1) ? 32 : 16;
        auto key = rand_bytes(rng, klen);
        const size_t n = (j % 2500 == 2499) ? 300 : rng() % 5;
        auto in = rand_bytes(rng, 16 * n);
        std::vector<uint8_t> want(16 * n), got(16 * n), back(16 * n);
        dp::Aes ref;
        ASSERT_EQ(CCE_ST_SUCCESS, ref.set_key(key.data(), klen));
        ASSERT_TRUE(core.set_key(key.data(), klen, st));
        ref.encrypt_blocks(in.data(), want.data(), n);
        core.encrypt_blocks(in.data(), got.data(), n, st);
        ASSERT_EQ(want, got) << "encrypt job " << j;
        ref.decrypt_blocks(in.data(), want.data(), n);
        core.decrypt_blocks(in.data(), got.data(), n, st);
        ASSERT_EQ(want, got) << "decrypt job " << j;
        core.decrypt_blocks(got.data(), got.data(), n, st);  // aliasing in == out
        core.encrypt_blocks(got.data(), back.data(), n, st);
        ref.encrypt_blocks(got.data(), want.data(), n);
        ASSERT_EQ(want, back);
    }
    // FIPS 197 C.1 / C.3.
    uint8_t pt[16], ct[16], k[32];
    for (int i = 0; i < 16; ++i) pt[i] = static_cast<uint8_t>(i * 0x11);
    for (int i = 0; i < 32; ++i) k[i] = static_cast<uint8_t>(i);
    ASSERT_TRUE(core.set_key(k, 16, st));
    core.encrypt_blocks(pt, ct, 1, st);
    EXPECT_EQ(ct[0], 0x69);
    EXPECT_EQ(ct[15], 0x5a);
    ASSERT_TRUE(core.set_key(k, 32, st));
    core.encrypt_blocks(pt, ct, 1, st);
    EXPECT_EQ(ct[0], 0x8e);
    EXPECT_EQ(ct[15], 0x89);
}

TEST(RtlDiff, AesCycles) {
    cce::rtl::AesCore core;
    uint8_t k[32] = {1};
    std::vector<uint8_t> d(16 * 10);
    RunStats st;
    ASSERT_TRUE(core.set_key(k, 16, st));
    EXPECT_EQ(st.cycles, 1u + 10);
    st = {};
    core.encrypt_blocks(d.data(), d.data(), 10, st);
    EXPECT_EQ(st.cycles, 11u * 10 + 1);
    st = {};
    ASSERT_TRUE(core.set_key(k, 32, st));
    EXPECT_EQ(st.cycles, 1u + 13);
    st = {};
    core.decrypt_blocks(d.data(), d.data(), 10, st);
    EXPECT_EQ(st.cycles, 15u * 10 + 1);
}

TEST(RtlDiff, Xts) {
    std::mt19937_64 rng(5);
    cce::rtl::AesCore core;
    RunStats st;
    for (int j = 0; j < kJobs; ++j) {
        cce_xts_param p;
        auto r = rand_bytes(rng, sizeof p);
        std::memcpy(&p, r.data(), sizeof p);
        const bool key256 = rng() & 1;
        const bool enc = rng() & 1;
        size_t len = pick_len(rng, j, 65536);
        if (j % 500 == 7) std::memcpy(p.key2, p.key1, 32);  // rejected: equal keys
        auto in = rand_bytes(rng, len);
        std::vector<uint8_t> want(len + 1, 0xee), got(len + 1, 0xee);
        const cce_status s_ref = dp::xts_crypt(p, key256, enc, in.data(), want.data(), len);
        const cce_status s_rtl =
            cce::rtl::xts_crypt_rtl(p, key256, enc, in.data(), got.data(), len, core, st);
        ASSERT_EQ(s_ref, s_rtl) << "job " << j << " len " << len;
        ASSERT_EQ(want, got) << "job " << j << " len " << len << " enc " << enc;
        if (s_ref == CCE_ST_SUCCESS && j % 10 == 0) {  // in place
            std::vector<uint8_t> io = in;
            ASSERT_EQ(CCE_ST_SUCCESS,
                      cce::rtl::xts_crypt_rtl(p, key256, enc, io.data(), io.data(), len, core, st));
            ASSERT_EQ(0, std::memcmp(io.data(), want.data(), len));
        }
    }
    // IEEE 1619 allows equal keys when asked.
    cce_xts_param p{};
    uint8_t in[32] = {}, a[32], b[32];
    ASSERT_EQ(CCE_ST_SUCCESS, dp::xts_crypt(p, false, true, in, a, 32, dp::XtsKeyPolicy::AllowEqual));
    ASSERT_EQ(CCE_ST_SUCCESS, cce::rtl::xts_crypt_rtl(p, false, true, in, b, 32, core, st, true));
    EXPECT_EQ(0, std::memcmp(a, b, 32));
    // IEEE 1619-2007 vector 1: all-zero keys/tweak/data -> 917cf69e...
    EXPECT_EQ(b[0], 0x91);
    EXPECT_EQ(b[1], 0x7c);
}

TEST(RtlDiff, Gcm) {
    std::mt19937_64 rng(6);
    cce::rtl::AesCore core;
    RunStats st;
    static const uint32_t kTags[] = {4, 8, 12, 13, 14, 15, 16};
    for (int j = 0; j < kJobs; ++j) {
        cce_gcm_param p;
        auto r = rand_bytes(rng, sizeof p);
        std::memcpy(&p, r.data(), sizeof p);
        const bool key256 = rng() & 1;
        p.iv_len = rng() % 3 ? 12 : 1 + static_cast<uint32_t>(rng() % 64);
        p.tag_len = kTags[rng() % std::size(kTags)];
        p.rsvd = 0;
        p.aad = 0;
        p.aad_len = static_cast<uint32_t>(rng() % 4 ? rng() % 40 : 0);
        if (j % 1000 == 3) p.tag_len = 7;  // invalid
        if (j % 1000 == 5) p.iv_len = 0;   // invalid
        if (j % 1000 == 9) p.rsvd = 1;     // invalid
        const size_t len = pick_len(rng, j, 65536);
        auto aad = rand_bytes(rng, p.aad_len);
        auto in = rand_bytes(rng, len);
        // Encrypt.
        cce_gcm_param pr = p, pt = p;
        std::vector<uint8_t> want(len + 1, 0xee), got(len + 1, 0xee);
        const cce_status s_ref = dp::gcm_crypt(pr, key256, true, aad.data(), in.data(),
                                               want.data(), len);
        const cce_status s_rtl = cce::rtl::gcm_crypt_rtl(pt, key256, true, aad.data(), in.data(),
                                                         got.data(), len, core, st);
        ASSERT_EQ(s_ref, s_rtl) << "job " << j;
        ASSERT_EQ(want, got) << "job " << j << " len " << len;
        ASSERT_EQ(0, std::memcmp(&pr, &pt, sizeof pr)) << "param/tag differs, job " << j;
        if (s_ref != CCE_ST_SUCCESS) continue;
        // Decrypt the ciphertext, with the right tag or (1 in 4) a corrupted one.
        cce_gcm_param dr = pr, dt = pr;
        if (rng() % 4 == 0) {
            const size_t at = rng() % dr.tag_len;
            dr.tag[at] ^= 1;
            dt.tag[at] ^= 1;
        }
        std::vector<uint8_t> pr_out(len + 1, 0xee), pt_out(len + 1, 0xee);
        const cce_status d_ref = dp::gcm_crypt(dr, key256, false, aad.data(), want.data(),
                                               pr_out.data(), len);
        const cce_status d_rtl = cce::rtl::gcm_crypt_rtl(dt, key256, false, aad.data(),
                                                         want.data(), pt_out.data(), len, core, st);
        ASSERT_EQ(d_ref, d_rtl) << "job " << j;
        ASSERT_EQ(pr_out, pt_out) << "job " << j;
        if (d_ref == CCE_ST_SUCCESS) {
            ASSERT_EQ(0, std::memcmp(pt_out.data(), in.data(), len));
        }
    }
}

// Waveforms: a VCD for the chosen cycle window only, results unchanged.
TEST(RtlTrace, VcdWindow) {
    const auto dir = std::filesystem::temp_directory_path();
    const auto path = dir / ("rtl_trace_test_" + std::to_string(::getpid()) + ".vcd");
    std::filesystem::remove(path);
    cce::rtl::CrcCore core;
    RunStats st;
    std::vector<uint8_t> d(800, 0x31);
    const uint32_t want = dp::crc32(0, d.data(), d.size());
    EXPECT_EQ(core.run(false, 0, d.data(), d.size(), st), want);
    EXPECT_FALSE(std::filesystem::exists(path)) << "tracing must be off by default";
    const uint64_t from = core.cycles() + 10, to = from + 20;
    core.set_trace(path.string(), from, to);
    EXPECT_EQ(core.run(false, 0, d.data(), d.size(), st), want);
    EXPECT_EQ(core.run(false, 0, d.data(), d.size(), st), want);  // window closed by now
    ASSERT_TRUE(std::filesystem::exists(path));
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string vcd = ss.str();
    EXPECT_NE(vcd.find("$enddefinitions"), std::string::npos);
    EXPECT_NE(vcd.find("in_ready"), std::string::npos);
    // Time stamps 2*cycle(+1) for cycles [from, to) only.
    EXPECT_NE(vcd.find("#" + std::to_string(2 * from) + "\n"), std::string::npos);
    EXPECT_NE(vcd.find("#" + std::to_string(2 * (to - 1) + 1) + "\n"), std::string::npos);
    EXPECT_EQ(vcd.find("#" + std::to_string(2 * to) + "\n"), std::string::npos);
    EXPECT_EQ(vcd.find("#" + std::to_string(2 * from - 1) + "\n"), std::string::npos);
    std::filesystem::remove(path);
}
