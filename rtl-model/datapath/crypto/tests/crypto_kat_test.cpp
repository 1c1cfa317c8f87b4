// SPDX-License-Identifier: MIT
// Known-answer tests typed in from the standards:
//   FIPS 197 Appendix C (AES-128/192/256 block),
//   IEEE Std 1619-2007 Annex B (XTS-AES vectors 1-4, 10, 15-18),
//   McGrew/Viega GCM specification Appendix B (test cases 1-18),
//   FIPS 180-2 Appendix B (SHA-256 "abc", 448-bit message, 10^6 x 'a'),
//   RFC 4231 (HMAC-SHA256 test cases 1-7).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "cce/datapath/aes.h"
#include "cce/datapath/gcm.h"
#include "cce/datapath/hmac.h"
#include "cce/datapath/sha256.h"
#include "cce/datapath/xts.h"
#include "test_util.h"

namespace dp = cce::datapath;
using crypto_test::hex;
using crypto_test::to_hex;

// ---------------------------------------------------------------- AES

TEST(AesKat, Fips197AppendixC) {
    const auto pt = hex("00112233445566778899aabbccddeeff");
    struct {
        const char* key;
        const char* ct;
    } v[] = {
        {"000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"},
        {"000102030405060708090a0b0c0d0e0f1011121314151617", "dda97ca4864cdfe06eaf70a0ec0d7191"},
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
         "8ea2b7ca516745bfeafc49904b496089"},
    };
    for (auto& t : v) {
        auto key = hex(t.key);
        dp::Aes aes;
        ASSERT_EQ(aes.set_key(key.data(), key.size()), CCE_ST_SUCCESS);
        uint8_t out[16], back[16];
        aes.encrypt_block(pt.data(), out);
        EXPECT_EQ(to_hex(out, 16), t.ct) << t.key;
        aes.decrypt_block(out, back);
        EXPECT_EQ(to_hex(back, 16), to_hex(pt)) << t.key;
        // in-place and multi-block paths agree with the single-block path
        uint8_t four[64];
        for (int k = 0; k < 4; ++k) std::memcpy(four + 16 * k, pt.data(), 16);
        aes.encrypt_blocks(four, four, 4);
        for (int k = 0; k < 4; ++k) EXPECT_EQ(to_hex(four + 16 * k, 16), t.ct);
        aes.decrypt_blocks(four, four, 4);
        for (int k = 0; k < 4; ++k) EXPECT_EQ(to_hex(four + 16 * k, 16), to_hex(pt));
    }
}

TEST(AesKat, RejectsBadKeyLength) {
    dp::Aes aes;
    uint8_t key[32] = {};
    for (size_t len : {0u, 1u, 15u, 17u, 20u, 31u, 33u, 64u})
        EXPECT_EQ(aes.set_key(key, len), CCE_ST_INVALID_PARAM) << len;
    EXPECT_EQ(aes.set_key(nullptr, 16), CCE_ST_INVALID_PARAM);
}

// ---------------------------------------------------------------- XTS

namespace {

struct XtsVec {
    int number;
    const char* key1;
    const char* key2;
    const char* tweak;  // 16 bytes: data unit sequence number, little-endian
    std::string ptx;
    const char* ctx;
};

std::string pattern512() {  // 00 01 .. ff 00 01 .. ff
    std::string s;
    static const char* d = "0123456789abcdef";
    for (int r = 0; r < 2; ++r)
        for (int i = 0; i < 256; ++i) {
            s += d[i >> 4];
            s += d[i & 15];
        }
    return s;
}

void run_xts_vector(const XtsVec& v) {
    auto k1 = hex(v.key1), k2 = hex(v.key2), tw = hex(v.tweak), p = hex(v.ptx), c = hex(v.ctx);
    ASSERT_EQ(k1.size(), k2.size());
    ASSERT_EQ(p.size(), c.size());
    cce_xts_param prm{};
    std::memcpy(prm.key1, k1.data(), k1.size());
    std::memcpy(prm.key2, k2.data(), k2.size());
    std::memcpy(prm.tweak, tw.data(), 16);
    const bool k256 = k1.size() == 32;
    const auto policy = dp::XtsKeyPolicy::AllowEqual;  // vector 1 has key1 == key2
    std::vector<uint8_t> out(p.size());
    ASSERT_EQ(dp::xts_crypt(prm, k256, true, p.data(), out.data(), p.size(), policy), CCE_ST_SUCCESS);
    EXPECT_EQ(to_hex(out), to_hex(c)) << "IEEE 1619 vector " << v.number << " encrypt";
    ASSERT_EQ(dp::xts_crypt(prm, k256, false, c.data(), out.data(), c.size(), policy), CCE_ST_SUCCESS);
    EXPECT_EQ(to_hex(out), to_hex(p)) << "IEEE 1619 vector " << v.number << " decrypt";
    // in place, both directions
    std::vector<uint8_t> buf = p;
    ASSERT_EQ(dp::xts_crypt(prm, k256, true, buf.data(), buf.data(), buf.size(), policy), CCE_ST_SUCCESS);
    EXPECT_EQ(to_hex(buf), to_hex(c)) << "vector " << v.number << " in-place encrypt";
    ASSERT_EQ(dp::xts_crypt(prm, k256, false, buf.data(), buf.data(), buf.size(), policy), CCE_ST_SUCCESS);
    EXPECT_EQ(to_hex(buf), to_hex(p)) << "vector " << v.number << " in-place decrypt";
}

}  // namespace

TEST(XtsKat, Ieee1619Aes128) {
    const XtsVec v[] = {
        {1, "00000000000000000000000000000000", "00000000000000000000000000000000",
         "00000000000000000000000000000000",
         "0000000000000000000000000000000000000000000000000000000000000000",
         "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e"},
        {2, "11111111111111111111111111111111", "22222222222222222222222222222222",
         "33333333330000000000000000000000",
         "4444444444444444444444444444444444444444444444444444444444444444",
         "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0"},
        {3, "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0", "22222222222222222222222222222222",
         "33333333330000000000000000000000",
         "4444444444444444444444444444444444444444444444444444444444444444",
         "af85336b597afc1a900b2eb21ec949d292df4c047e0b21532186a5971a227a89"},
        {4, "27182818284590452353602874713526", "31415926535897932384626433832795",
         "00000000000000000000000000000000", pattern512(),
         "27a7479befa1d476489f308cd4cfa6e2a96e4bbe3208ff25287dd3819616e89c"
         "c78cf7f5e543445f8333d8fa7f56000005279fa5d8b5e4ad40e736ddb4d35412"
         "328063fd2aab53e5ea1e0a9f332500a5df9487d07a5c92cc512c8866c7e860ce"
         "93fdf166a24912b422976146ae20ce846bb7dc9ba94a767aaef20c0d61ad0265"
         "5ea92dc4c4e41a8952c651d33174be51a10c421110e6d81588ede82103a252d8"
         "a750e8768defffed9122810aaeb99f9172af82b604dc4b8e51bcb08235a6f434"
         "1332e4ca60482a4ba1a03b3e65008fc5da76b70bf1690db4eae29c5f1badd03c"
         "5ccf2a55d705ddcd86d449511ceb7ec30bf12b1fa35b913f9f747a8afd1b130e"
         "94bff94effd01a91735ca1726acd0b197c4e5b03393697e126826fb6bbde8ecc"
         "1e08298516e2c9ed03ff3c1b7860f6de76d4cecd94c8119855ef5297ca67e9f3"
         "e7ff72b1e99785ca0a7e7720c5b36dc6d72cac9574c8cbbc2f801e23e56fd344"
         "b07f22154beba0f08ce8891e643ed995c94d9a69c9f1b5f499027a78572aeebd"
         "74d20cc39881c213ee770b1010e4bea718846977ae119f7a023ab58cca0ad752"
         "afe656bb3c17256a9f6e9bf19fdd5a38fc82bbe872c5539edb609ef4f79c203e"
         "bb140f2e583cb2ad15b4aa5b655016a8449277dbd477ef2c8d6c017db738b18d"
         "eb4a427d1923ce3ff262735779a418f20a282df920147beabe421ee5319d0568"},
    };
    for (const auto& t : v) run_xts_vector(t);
}

TEST(XtsKat, Ieee1619Aes256Vector10) {
    run_xts_vector(
        {10, "2718281828459045235360287471352662497757247093699959574966967627",
         "3141592653589793238462643383279502884197169399375105820974944592",
         "ff000000000000000000000000000000", pattern512(),
         "1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b"
         "5d31e276f8fe4a8d66b317f9ac683f44680a86ac35adfc3345befecb4bb188fd"
         "5776926c49a3095eb108fd1098baec70aaa66999a72a82f27d848b21d4a741b0"
         "c5cd4d5fff9dac89aeba122961d03a757123e9870f8acf1000020887891429ca"
         "2a3e7a7d7df7b10355165c8b9a6d0a7de8b062c4500dc4cd120c0f7418dae3d0"
         "b5781c34803fa75421c790dfe1de1834f280d7667b327f6c8cd7557e12ac3a0f"
         "93ec05c52e0493ef31a12d3d9260f79a289d6a379bc70c50841473d1a8cc81ec"
         "583e9645e07b8d9670655ba5bbcfecc6dc3966380ad8fecb17b6ba02469a020a"
         "84e18e8f84252070c13e9f1f289be54fbc481457778f616015e1327a02b140f1"
         "505eb309326d68378f8374595c849d84f4c333ec4423885143cb47bd71c5edae"
         "9be69a2ffeceb1bec9de244fbe15992b11b77c040f12bd8f6a975a44a0f90c29"
         "a9abc3d4d893927284c58754cce294529f8614dcd2aba991925fedc4ae74ffac"
         "6e333b93eb4aff0479da9a410e4450e0dd7ae4c6e2910900575da401fc07059f"
         "645e8b7e9bfdef33943054ff84011493c27b3429eaedb4ed5376441a77ed4385"
         "1ad77f16f541dfd269d50d6a5f14fb0aab1cbb4c1550be97f7ab4066193c4caa"
         "773dad38014bd2092fa755c824bb5e54c4f36ffda9fcea70b9c6e693e148c151"});
}

TEST(XtsKat, Ieee1619CiphertextStealing) {
    const char* k1 = "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0";
    const char* k2 = "bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0";
    const char* tw = "9a785634120000000000000000000000";
    const XtsVec v[] = {
        {15, k1, k2, tw, "000102030405060708090a0b0c0d0e0f10", "6c1625db4671522d3d7599601de7ca09ed"},
        {16, k1, k2, tw, "000102030405060708090a0b0c0d0e0f1011", "d069444b7a7e0cab09e24447d24deb1fedbf"},
        {17, k1, k2, tw, "000102030405060708090a0b0c0d0e0f101112",
         "e5df1351c0544ba1350b3363cd8ef4beedbf9d"},
        {18, k1, k2, tw, "000102030405060708090a0b0c0d0e0f10111213",
         "9d84c813f719aa2c7be3f66171c7c5c2edbf9dac"},
    };
    for (const auto& t : v) run_xts_vector(t);
}

TEST(XtsKat, ParameterErrors) {
    cce_xts_param prm{};
    for (int i = 0; i < 32; ++i) {
        prm.key1[i] = static_cast<uint8_t>(i);
        prm.key2[i] = static_cast<uint8_t>(0x80 + i);
    }
    std::vector<uint8_t> in(64, 0x5a), out(64, 0xee);
    // Data units shorter than one block: INVALID_DESC (engine: CCE_INVD_LENGTH).
    for (size_t len : {0u, 1u, 15u}) {
        EXPECT_EQ(dp::xts_crypt(prm, false, true, in.data(), out.data(), len), CCE_ST_INVALID_DESC);
        EXPECT_EQ(dp::xts_crypt(prm, true, false, in.data(), out.data(), len), CCE_ST_INVALID_DESC);
    }
    EXPECT_EQ(out, std::vector<uint8_t>(64, 0xee));  // nothing written
    EXPECT_EQ(dp::xts_crypt(prm, false, true, in.data(), out.data(), dp::kXtsMaxLen + 1),
              CCE_ST_INVALID_DESC);
    EXPECT_EQ(dp::xts_crypt(prm, false, true, nullptr, out.data(), 16), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::xts_crypt(prm, false, true, in.data(), nullptr, 16), CCE_ST_INVALID_PARAM);
    // key1 == key2 rejected by default (SP 800-38E), both directions, both
    // key sizes; only the used bytes count.
    cce_xts_param eq = prm;
    std::memcpy(eq.key2, eq.key1, 16);
    EXPECT_EQ(dp::xts_crypt(eq, false, true, in.data(), out.data(), 32), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::xts_crypt(eq, false, false, in.data(), out.data(), 32), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::xts_crypt(eq, true, true, in.data(), out.data(), 32), CCE_ST_SUCCESS);  // upper halves differ
    std::memcpy(eq.key2, eq.key1, 32);
    EXPECT_EQ(dp::xts_crypt(eq, true, true, in.data(), out.data(), 32), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::xts_crypt(eq, true, true, in.data(), out.data(), 32, dp::XtsKeyPolicy::AllowEqual),
              CCE_ST_SUCCESS);
}

// ---------------------------------------------------------------- GCM

namespace {

struct GcmVec {
    int number;
    const char* key;
    const char* pt;
    const char* aad;
    const char* iv;
    const char* ct;
    const char* tag;
};

constexpr const char* kP60 =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
constexpr const char* kP64 =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
constexpr const char* kA20 = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
constexpr const char* kIv12 = "cafebabefacedbaddecaf888";
constexpr const char* kIv8 = "cafebabefacedbad";
constexpr const char* kIv60 =
    "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728"
    "c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b";
constexpr const char* kZ12 = "000000000000000000000000";
constexpr const char* kZ16 = "00000000000000000000000000000000";
constexpr const char* kK128 = "feffe9928665731c6d6a8f9467308308";
constexpr const char* kK192 = "feffe9928665731c6d6a8f9467308308feffe9928665731c";
constexpr const char* kK256 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";

const GcmVec kGcm[] = {
    {1, kZ16, "", "", kZ12, "", "58e2fccefa7e3061367f1d57a4e7455a"},
    {2, kZ16, kZ16, "", kZ12, "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"},
    {3, kK128, kP64, "", kIv12,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {4, kK128, kP60, kA20, kIv12,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {5, kK128, kP60, kA20, kIv8,
     "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c7423"
     "73806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598",
     "3612d2e79e3b0785561be14aaca2fccb"},
    {6, kK128, kP60, kA20, kIv60,
     "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca7"
     "01e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5",
     "619cc5aefffe0bfa462af43c1699d050"},
    {7, "000000000000000000000000000000000000000000000000", "", "", kZ12, "",
     "cd33b28ac773f74ba00ed1f312572435"},
    {8, "000000000000000000000000000000000000000000000000", kZ16, "", kZ12,
     "98e7247c07f0fe411c267e4384b0f600", "2ff58d80033927ab8ef4d4587514f0fb"},
    {9, kK192, kP64, "", kIv12,
     "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
     "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256",
     "9924a7c8587336bfb118024db8674a14"},
    {10, kK192, kP60, kA20, kIv12,
     "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
     "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
     "2519498e80f1478f37ba55bd6d27618c"},
    {11, kK192, kP60, kA20, kIv8,
     "0f10f599ae14a154ed24b36e25324db8c566632ef2bbb34f8347280fc4507057"
     "fddc29df9a471f75c66541d4d4dad1c9e93a19a58e8b473fa0f062f7",
     "65dcc57fcf623a24094fcca40d3533f8"},
    {12, kK192, kP60, kA20, kIv60,
     "d27e88681ce3243c4830165a8fdcf9ff1de9a1d8e6b447ef6ef7b79828666e45"
     "81e79012af34ddd9e2f037589b292db3e67c036745fa22e7e9b7373b",
     "dcf566ff291c25bbb8568fc3d376a6d9"},
    {13, "0000000000000000000000000000000000000000000000000000000000000000", "", "", kZ12, "",
     "530f8afbc74536b9a963b4f1c4cb738b"},
    {14, "0000000000000000000000000000000000000000000000000000000000000000", kZ16, "", kZ12,
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {15, kK256, kP64, "", kIv12,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {16, kK256, kP60, kA20, kIv12,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    {17, kK256, kP60, kA20, kIv8,
     "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0"
     "feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f",
     "3a337dbf46a792c45e454913fe2ea8f2"},
    {18, kK256, kP60, kA20, kIv60,
     "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf4"
     "0fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f",
     "a44a8266ee1c8eb0c8b5d4cf5ae9f19a"},
};

}  // namespace

TEST(GcmKat, McGrewViegaTestCases1to18) {
    for (const auto& v : kGcm) {
        auto key = hex(v.key), p = hex(v.pt), a = hex(v.aad), iv = hex(v.iv), c = hex(v.ct),
             tag = hex(v.tag);
        std::vector<uint8_t> out(p.size() + 1);
        uint8_t t[16];
        ASSERT_EQ(dp::gcm_crypt(key.data(), key.size(), iv.data(), iv.size(), a.data(), a.size(),
                                p.data(), out.data(), p.size(), t, 16, true),
                  CCE_ST_SUCCESS)
            << "test case " << v.number;
        EXPECT_EQ(to_hex(out.data(), p.size()), to_hex(c)) << "test case " << v.number;
        EXPECT_EQ(to_hex(t, 16), to_hex(tag)) << "test case " << v.number;
        // decrypt, every allowed tag length (a prefix of the full tag)
        for (size_t tl : {4u, 8u, 12u, 13u, 14u, 15u, 16u}) {
            std::vector<uint8_t> back(c.size() + 1, 0xcc);
            ASSERT_EQ(dp::gcm_crypt(key.data(), key.size(), iv.data(), iv.size(), a.data(), a.size(),
                                    c.data(), back.data(), c.size(), tag.data(), tl, false),
                      CCE_ST_SUCCESS)
                << "test case " << v.number << " tag_len " << tl;
            EXPECT_EQ(to_hex(back.data(), c.size()), to_hex(p)) << "test case " << v.number;
        }
        // tampered tag
        auto bad = tag;
        bad[15] ^= 0x80;
        std::vector<uint8_t> back(c.size() + 1, 0xcc);
        EXPECT_EQ(dp::gcm_crypt(key.data(), key.size(), iv.data(), iv.size(), a.data(), a.size(),
                                c.data(), back.data(), c.size(), bad.data(), 16, false),
                  CCE_ST_AUTH_FAILED)
            << "test case " << v.number;
        for (size_t i = 0; i < c.size(); ++i) ASSERT_EQ(back[i], 0) << "output not zeroed";
        EXPECT_EQ(back[c.size()], 0xcc) << "wrote past len";
    }
}

TEST(GcmKat, EngineParamBlock) {
    // Test case 16 through the cce_gcm_param wrapper (AES-256, 60-byte
    // plaintext, 20-byte AAD, tag_len 12).
    const auto& v = kGcm[15];
    ASSERT_EQ(v.number, 16);
    auto key = hex(v.key), p = hex(v.pt), a = hex(v.aad), iv = hex(v.iv), c = hex(v.ct),
         tag = hex(v.tag);
    cce_gcm_param prm{};
    std::memcpy(prm.key, key.data(), 32);
    std::memcpy(prm.iv, iv.data(), iv.size());
    prm.iv_len = static_cast<uint32_t>(iv.size());
    prm.aad_len = static_cast<uint32_t>(a.size());
    prm.tag_len = 12;
    std::memset(prm.tag, 0xff, 16);
    std::vector<uint8_t> out(p.size());
    ASSERT_EQ(dp::gcm_crypt(prm, true, true, a.data(), p.data(), out.data(), p.size()), CCE_ST_SUCCESS);
    EXPECT_EQ(to_hex(out), to_hex(c));
    EXPECT_EQ(to_hex(prm.tag, 12), to_hex(tag.data(), 12));
    EXPECT_EQ(to_hex(prm.tag + 12, 4), "00000000");
    std::vector<uint8_t> back(p.size());
    ASSERT_EQ(dp::gcm_crypt(prm, true, false, a.data(), c.data(), back.data(), c.size()), CCE_ST_SUCCESS);
    EXPECT_EQ(back, p);
    // Invalid parameter blocks.
    cce_gcm_param bad = prm;
    bad.iv_len = 0;
    EXPECT_EQ(dp::gcm_crypt(bad, true, false, a.data(), c.data(), back.data(), c.size()), CCE_ST_INVALID_PARAM);
    bad.iv_len = 65;
    EXPECT_EQ(dp::gcm_crypt(bad, true, false, a.data(), c.data(), back.data(), c.size()), CCE_ST_INVALID_PARAM);
    bad = prm;
    for (uint32_t tl : {0u, 1u, 3u, 5u, 7u, 9u, 10u, 11u, 17u, 32u}) {
        bad.tag_len = tl;
        EXPECT_EQ(dp::gcm_crypt(bad, true, true, a.data(), p.data(), back.data(), p.size()),
                  CCE_ST_INVALID_PARAM)
            << tl;
    }
    bad = prm;
    bad.rsvd = 1;
    EXPECT_EQ(dp::gcm_crypt(bad, true, true, a.data(), p.data(), back.data(), p.size()), CCE_ST_INVALID_PARAM);
    bad = prm;
    bad.aad_len = 4;
    EXPECT_EQ(dp::gcm_crypt(bad, true, true, nullptr, p.data(), back.data(), p.size()), CCE_ST_INVALID_PARAM);
}

TEST(GcmKat, FunctionParameterErrors) {
    uint8_t key[32] = {}, iv[12] = {}, tag[16] = {}, buf[32] = {};
    EXPECT_EQ(dp::gcm_crypt(key, 20, iv, 12, nullptr, 0, buf, buf, 16, tag, 16, true), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::gcm_crypt(key, 16, iv, 0, nullptr, 0, buf, buf, 16, tag, 16, true), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::gcm_crypt(key, 16, nullptr, 12, nullptr, 0, buf, buf, 16, tag, 16, true), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::gcm_crypt(key, 16, iv, 12, nullptr, 5, buf, buf, 16, tag, 16, true), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::gcm_crypt(key, 16, iv, 12, nullptr, 0, nullptr, buf, 16, tag, 16, true), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::gcm_crypt(key, 16, iv, 12, nullptr, 0, buf, buf, 16, nullptr, 16, true), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::gcm_crypt(key, 16, iv, 12, nullptr, 0, buf, buf, 16, tag, 6, true), CCE_ST_INVALID_PARAM);
    // empty plaintext with null buffers is fine
    EXPECT_EQ(dp::gcm_crypt(key, 16, iv, 12, nullptr, 0, nullptr, nullptr, 0, tag, 16, true), CCE_ST_SUCCESS);
    EXPECT_EQ(to_hex(tag, 16), "58e2fccefa7e3061367f1d57a4e7455a");
}

// ---------------------------------------------------------------- SHA-256

TEST(Sha256Kat, Fips180Examples) {
    uint8_t d[32];
    dp::sha256("abc", 3, d);
    EXPECT_EQ(to_hex(d, 32), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char* m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    dp::sha256(m448, std::strlen(m448), d);
    EXPECT_EQ(to_hex(d, 32), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    dp::sha256("", 0, d);
    EXPECT_EQ(to_hex(d, 32), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // one million 'a', streamed in uneven pieces with a save/restore between
    std::string a(1000, 'a');
    dp::Sha256 s;
    uint8_t st[dp::kSha256StateSize];
    size_t fed = 0, step = 1;
    while (fed < 1000000) {
        size_t n = std::min<size_t>(std::min<size_t>(step, a.size()), 1000000 - fed);
        s.update(a.data(), n);
        fed += n;
        step = step * 7 % 997 + 1;
        s.save(st);
        dp::Sha256 t;
        ASSERT_EQ(t.restore(st), CCE_ST_SUCCESS);
        s = t;
    }
    s.final(d);
    EXPECT_EQ(to_hex(d, 32), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Kat, RestoreRejectsGarbage) {
    dp::Sha256 s;
    s.update("hello", 5);
    uint8_t st[dp::kSha256StateSize];
    s.save(st);
    dp::Sha256 t;
    uint8_t bad[dp::kSha256StateSize];
    std::memcpy(bad, st, sizeof bad);
    bad[0] ^= 1;  // magic
    EXPECT_EQ(t.restore(bad), CCE_ST_INVALID_PARAM);
    std::memcpy(bad, st, sizeof bad);
    bad[4] = 99;  // version
    EXPECT_EQ(t.restore(bad), CCE_ST_INVALID_PARAM);
    std::memcpy(bad, st, sizeof bad);
    bad[5] = 64;  // partial length out of range
    EXPECT_EQ(t.restore(bad), CCE_ST_INVALID_PARAM);
    std::memcpy(bad, st, sizeof bad);
    bad[8] ^= 1;  // total no longer consistent with partial length
    EXPECT_EQ(t.restore(bad), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(t.restore(nullptr), CCE_ST_INVALID_PARAM);
    ASSERT_EQ(t.restore(st), CCE_ST_SUCCESS);
    uint8_t d1[32], d2[32];
    t.final(d1);
    dp::sha256("hello", 5, d2);
    EXPECT_EQ(to_hex(d1, 32), to_hex(d2, 32));
}

// ---------------------------------------------------------------- HMAC

TEST(HmacKat, Rfc4231) {
    struct {
        int number;
        std::vector<uint8_t> key, data;
        const char* mac;
        size_t mac_len;
    } v[] = {
        {1, std::vector<uint8_t>(20, 0x0b), hex("4869205468657265"),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32},
        {2, hex("4a656665"), hex("7768617420646f2079612077616e7420666f72206e6f7468696e673f"),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32},
        {3, std::vector<uint8_t>(20, 0xaa), std::vector<uint8_t>(50, 0xdd),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32},
        {4, hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::vector<uint8_t>(50, 0xcd),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32},
        {5, std::vector<uint8_t>(20, 0x0c), hex("546573742057697468205472756e636174696f6e"),
         "a3b6167473100ee06e0c796c2955552b", 16},
        {6, std::vector<uint8_t>(131, 0xaa),
         hex("54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
             "65204b6579202d2048617368204b6579204669727374"),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32},
        {7, std::vector<uint8_t>(131, 0xaa),
         hex("5468697320697320612074657374207573696e672061206c6172676572207468"
             "616e20626c6f636b2d73697a65206b657920616e642061206c61726765722074"
             "68616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
             "647320746f20626520686173686564206265666f7265206265696e6720757365"
             "642062792074686520484d414320616c676f726974686d2e"),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32},
    };
    for (auto& t : v) {
        uint8_t mac[32];
        ASSERT_EQ(dp::hmac_sha256(t.key.data(), t.key.size(), t.data.data(), t.data.size(), mac),
                  CCE_ST_SUCCESS);
        EXPECT_EQ(to_hex(mac, t.mac_len), t.mac) << "RFC 4231 test case " << t.number;
        // streaming, byte by byte with save/restore in the middle
        dp::HmacSha256 h;
        ASSERT_EQ(h.init(t.key.data(), t.key.size()), CCE_ST_SUCCESS);
        uint8_t st[dp::kHmacStateSize];
        for (size_t i = 0; i < t.data.size(); ++i) {
            h.update(&t.data[i], 1);
            if (i == t.data.size() / 2) {
                h.save(st);
                dp::HmacSha256 h2;
                ASSERT_EQ(h2.restore(st), CCE_ST_SUCCESS);
                h = h2;
            }
        }
        h.final(mac);
        EXPECT_EQ(to_hex(mac, t.mac_len), t.mac) << "RFC 4231 test case " << t.number << " streamed";
    }
}

TEST(HmacKat, ParameterErrors) {
    uint8_t mac[32];
    EXPECT_EQ(dp::hmac_sha256(nullptr, 4, "x", 1, mac), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::hmac_sha256(nullptr, 0, "x", 1, mac), CCE_ST_SUCCESS);  // empty key is legal
    dp::HmacSha256 h;
    uint8_t st[dp::kHmacStateSize] = {};
    EXPECT_EQ(h.restore(st), CCE_ST_INVALID_PARAM);
}

// ---------------------------------------------------------------- GHASH

namespace {

// SP 800-38D Algorithm 1, bit by bit: the slow reference for the table.
void gf128_mul_ref(const uint8_t x[16], const uint8_t y[16], uint8_t z[16]) {
    uint8_t v[16], r[16] = {};
    std::memcpy(v, y, 16);
    for (int i = 0; i < 128; ++i) {
        if (x[i / 8] & (0x80 >> (i % 8)))
            for (int k = 0; k < 16; ++k) r[k] ^= v[k];
        const bool lsb = v[15] & 1;
        for (int k = 15; k > 0; --k) v[k] = static_cast<uint8_t>((v[k] >> 1) | (v[k - 1] << 7));
        v[0] >>= 1;
        if (lsb) v[0] ^= 0xe1;
    }
    std::memcpy(z, r, 16);
}

}  // namespace

TEST(GhashKat, SpecTestCase2) {
    // GCM spec test case 2: H = E_0(0), GHASH(H, {}, C).
    auto h = hex("66e94bd4ef8a2c3b884cfa59ca342b2e");
    auto c = hex("0388dace60b6a392f328c2b971b2fe78");
    dp::Ghash g;
    g.set_h(h.data());
    g.update_padded(c.data(), c.size());
    g.update_lengths(0, c.size());
    uint8_t out[16];
    g.digest(out);
    EXPECT_EQ(to_hex(out, 16), "f38cbb1ad69223dcc3457ae5b6b0f885");
}

TEST(GhashKat, TableMatchesBitwiseReference) {
    uint32_t seed = 12345;
    auto rnd = [&] {
        seed = seed * 1103515245u + 12345u;
        return static_cast<uint8_t>(seed >> 16);
    };
    for (int it = 0; it < 200; ++it) {
        uint8_t h[16], x[16], ref[16], got[16];
        for (auto& b : h) b = rnd();
        if (it == 0) std::memset(h, 0, 16);
        if (it == 1) std::memset(h, 0xff, 16);
        dp::Ghash g;
        g.set_h(h);
        uint8_t acc[16] = {};
        const size_t blocks = 1 + it % 5;
        for (size_t b = 0; b < blocks; ++b) {
            for (auto& v : x) v = rnd();
            g.update_padded(x, 16);
            for (int k = 0; k < 16; ++k) acc[k] ^= x[k];
            gf128_mul_ref(acc, h, ref);
            std::memcpy(acc, ref, 16);
        }
        g.digest(got);
        ASSERT_EQ(to_hex(got, 16), to_hex(acc, 16)) << "it " << it;
    }
}

// ---------------------------------------------------------------- streaming helpers

TEST(StreamKat, Sha256DescriptorChain) {
    // 10^6 'a' as FIRST, middles, LAST through one context buffer of
    // CCE_STREAM_CTX_SIZE (the engine's layout: state at offset 0).
    std::vector<uint8_t> ctx(CCE_STREAM_CTX_SIZE, 0xee);
    std::vector<uint8_t> a(250000, 'a');
    uint8_t d[32] = {};
    ASSERT_EQ(dp::sha256_stream(ctx.data(), true, false, a.data(), 1, nullptr), CCE_ST_SUCCESS);
    ASSERT_EQ(dp::sha256_stream(ctx.data(), false, false, a.data(), 249999, nullptr), CCE_ST_SUCCESS);
    ASSERT_EQ(dp::sha256_stream(ctx.data(), false, false, a.data(), 250000, nullptr), CCE_ST_SUCCESS);
    ASSERT_EQ(dp::sha256_stream(ctx.data(), false, false, nullptr, 0, nullptr), CCE_ST_SUCCESS);
    ASSERT_EQ(dp::sha256_stream(ctx.data(), false, false, a.data(), 250000, nullptr), CCE_ST_SUCCESS);
    ASSERT_EQ(dp::sha256_stream(ctx.data(), false, true, a.data(), 250000, d), CCE_ST_SUCCESS);
    EXPECT_EQ(to_hex(d, 32), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    // FIRST|LAST one-shot without a context
    ASSERT_EQ(dp::sha256_stream(nullptr, true, true, reinterpret_cast<const uint8_t*>("abc"), 3, d),
              CCE_ST_SUCCESS);
    EXPECT_EQ(to_hex(d, 32), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // a middle chunk on a context that was never started
    std::vector<uint8_t> junk(CCE_STREAM_CTX_SIZE, 0);
    EXPECT_EQ(dp::sha256_stream(junk.data(), false, true, a.data(), 10, d), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::sha256_stream(nullptr, true, false, a.data(), 10, nullptr), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(dp::sha256_stream(ctx.data(), true, true, a.data(), 10, nullptr), CCE_ST_INVALID_PARAM);
}

TEST(StreamKat, HmacDescriptorChain) {
    // RFC 4231 test case 7 split over three descriptors.
    std::vector<uint8_t> key(131, 0xaa);
    const std::string m =
        "This is a test using a larger than block-size key and a larger than block-size data. "
        "The key needs to be hashed before being used by the HMAC algorithm.";
    const auto* p = reinterpret_cast<const uint8_t*>(m.data());
    std::vector<uint8_t> ctx(CCE_STREAM_CTX_SIZE);
    uint8_t d[32];
    ASSERT_EQ(dp::hmac_sha256_stream(ctx.data(), true, false, key.data(), key.size(), p, 50, nullptr),
              CCE_ST_SUCCESS);
    ASSERT_EQ(dp::hmac_sha256_stream(ctx.data(), false, false, nullptr, 0, p + 50, 50, nullptr),
              CCE_ST_SUCCESS);
    ASSERT_EQ(dp::hmac_sha256_stream(ctx.data(), false, true, nullptr, 0, p + 100, m.size() - 100, d),
              CCE_ST_SUCCESS);
    EXPECT_EQ(to_hex(d, 32), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    // a SHA-256 context is not an HMAC context
    std::vector<uint8_t> sctx(CCE_STREAM_CTX_SIZE);
    ASSERT_EQ(dp::sha256_stream(sctx.data(), true, false, p, 10, nullptr), CCE_ST_SUCCESS);
    EXPECT_EQ(dp::hmac_sha256_stream(sctx.data(), false, true, nullptr, 0, p, 10, d), CCE_ST_INVALID_PARAM);
}
