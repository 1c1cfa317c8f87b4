// SPDX-License-Identifier: MIT
// The crypto units through the queue engine (descriptors, parameter blocks,
// DMA through translation), checked against OpenSSL as the oracle.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstddef>
#include <cstring>

#include "fixture.h"

namespace cce::test {

namespace {

constexpr uint32_t kPasid = 11;

std::vector<uint8_t> ossl_xts(bool enc, const uint8_t* k1, const uint8_t* k2, size_t klen,
                              const uint8_t* tweak, const std::vector<uint8_t>& in) {
    std::vector<uint8_t> key(k1, k1 + klen);
    key.insert(key.end(), k2, k2 + klen);
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    EVP_CipherInit_ex(c, klen == 16 ? EVP_aes_128_xts() : EVP_aes_256_xts(), nullptr, key.data(), tweak,
                      enc);
    std::vector<uint8_t> out(in.size());
    int n = 0;
    EVP_CipherUpdate(c, out.data(), &n, in.data(), static_cast<int>(in.size()));
    EVP_CIPHER_CTX_free(c);
    return out;
}

std::vector<uint8_t> ossl_gcm_enc(const uint8_t* key, size_t klen, const uint8_t* iv, size_t ivlen,
                                  const std::vector<uint8_t>& aad, const std::vector<uint8_t>& in,
                                  uint8_t* tag, size_t taglen) {
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(c, klen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), nullptr, nullptr, nullptr);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(ivlen), nullptr);
    EVP_EncryptInit_ex(c, nullptr, nullptr, key, iv);
    int n = 0;
    if (!aad.empty()) EVP_EncryptUpdate(c, nullptr, &n, aad.data(), static_cast<int>(aad.size()));
    std::vector<uint8_t> out(in.size() + 16);
    int len = 0;
    EVP_EncryptUpdate(c, out.data(), &len, in.data(), static_cast<int>(in.size()));
    EVP_EncryptFinal_ex(c, out.data() + len, &n);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, static_cast<int>(taglen), tag);
    EVP_CIPHER_CTX_free(c);
    out.resize(in.size());
    return out;
}

class CryptoUnitTest : public EngineTest {
protected:
    void SetUp() override {
        EngineTest::SetUp();
        QueueOptions o;
        o.pasid = kPasid;
        q = &queue(0, o);
        q->enable();
    }
    template <typename P>
    uint64_t param_block(const P& p) {
        const uint64_t va = h->alloc(kPasid, sizeof(P));
        h->write_va(kPasid, va, &p, sizeof p);
        return va;
    }
    cce_cpl run_one(const cce_desc& d) {
        q->submit(d);
        auto c = q->run_and_collect();
        EXPECT_EQ(c.size(), 1u);
        return c.empty() ? cce_cpl{} : c[0];
    }
    TestQueue* q = nullptr;
};

}  // namespace

TEST_F(CryptoUnitTest, XtsMatchesOpenSslBothDirectionsAndInPlace) {
    std::mt19937 rng(5);
    for (size_t len : {16u, 17u, 31u, 32u, 33u, 512u, 4096u, 4111u, 100000u}) {
        for (bool k256 : {false, true}) {
            cce_xts_param p{};
            for (auto& b : p.key1) b = static_cast<uint8_t>(rng());
            for (auto& b : p.key2) b = static_cast<uint8_t>(rng());
            for (auto& b : p.tweak) b = static_cast<uint8_t>(rng());
            const size_t kl = k256 ? 32 : 16;
            const auto plain = pattern(len, static_cast<uint32_t>(len));
            const auto want = ossl_xts(true, p.key1, p.key2, kl, p.tweak, plain);
            const uint64_t pa = param_block(p);
            const uint64_t src = buffer(kPasid, plain), dst = h->alloc(kPasid, len);
            cce_desc d = make_desc(CCE_OP_AES_XTS_ENC, src, uint32_t(len), dst, uint32_t(len));
            d.op_flags = k256 ? CCE_AF_KEY_256 : CCE_AF_KEY_128;
            d.param = pa;
            d.param_len = sizeof p;
            auto c = run_one(d);
            ASSERT_EQ(c.status, CCE_ST_SUCCESS) << len;
            EXPECT_EQ(c.bytes_produced, len);
            ASSERT_EQ(h->read_vec(kPasid, dst, len), want) << len << " k256=" << k256;
            // Decrypt in place.
            d.opcode = CCE_OP_AES_XTS_DEC;
            d.src = d.dst = dst;
            c = run_one(d);
            ASSERT_EQ(c.status, CCE_ST_SUCCESS);
            EXPECT_EQ(h->read_vec(kPasid, dst, len), plain) << len;
        }
    }
}

TEST_F(CryptoUnitTest, GcmEncryptWritesTagAndDecryptVerifies) {
    std::mt19937 rng(6);
    for (size_t len : {0u, 1u, 16u, 60u, 4096u, 70000u}) {
        for (uint32_t ivlen : {12u, 8u, 60u}) {
            cce_gcm_param p{};
            for (auto& b : p.key) b = static_cast<uint8_t>(rng());
            for (auto& b : p.iv) b = static_cast<uint8_t>(rng());
            const auto aad = pattern(1 + rng() % 100, 7);
            p.aad = buffer(kPasid, aad);
            p.aad_len = static_cast<uint32_t>(aad.size());
            p.iv_len = ivlen;
            p.tag_len = 16;
            const auto plain = pattern(len, 8);
            uint8_t want_tag[16];
            const auto want = ossl_gcm_enc(p.key, 32, p.iv, ivlen, aad, plain, want_tag, 16);
            const uint64_t pa = param_block(p);
            const uint64_t src = len ? buffer(kPasid, plain) : 0, dst = len ? h->alloc(kPasid, len) : 0;
            cce_desc d = make_desc(CCE_OP_AES_GCM_ENC, src, uint32_t(len), dst, uint32_t(len));
            d.op_flags = CCE_AF_KEY_256;
            d.param = pa;
            d.param_len = sizeof p;
            auto c = run_one(d);
            ASSERT_EQ(c.status, CCE_ST_SUCCESS) << len << " iv " << ivlen;
            if (len) {
                EXPECT_EQ(h->read_vec(kPasid, dst, len), want);
            }
            const auto tag = h->read_vec(kPasid, pa + offsetof(cce_gcm_param, tag), 16);
            EXPECT_EQ(tag, std::vector<uint8_t>(want_tag, want_tag + 16)) << len << " iv " << ivlen;
            // Decrypt with the tag just written: plaintext back.
            const uint64_t back = len ? h->alloc(kPasid, len) : 0;
            d.opcode = CCE_OP_AES_GCM_DEC;
            d.src = dst;
            d.dst = back;
            c = run_one(d);
            ASSERT_EQ(c.status, CCE_ST_SUCCESS);
            if (len) {
                EXPECT_EQ(h->read_vec(kPasid, back, len), plain);
            }
        }
    }
}

TEST_F(CryptoUnitTest, GcmBadTagReleasesNoPlaintext) {
    cce_gcm_param p{};
    p.iv_len = 12;
    p.tag_len = 16;
    const auto plain = pattern(4096, 9);
    uint8_t tag[16];
    const auto ct = ossl_gcm_enc(p.key, 16, p.iv, 12, {}, plain, tag, 16);
    std::memcpy(p.tag, tag, 16);
    p.tag[3] ^= 1;
    const uint64_t pa = param_block(p);
    const uint64_t src = buffer(kPasid, ct), dst = h->alloc(kPasid, 4096);
    const std::vector<uint8_t> marker(4096, 0xa5);
    h->write_va(kPasid, dst, marker.data(), marker.size());
    cce_desc d = make_desc(CCE_OP_AES_GCM_DEC, src, 4096, dst, 4096);
    d.param = pa;
    d.param_len = sizeof p;
    const auto c = run_one(d);
    EXPECT_EQ(c.status, CCE_ST_AUTH_FAILED);
    EXPECT_EQ(c.bytes_produced, 0u);
    EXPECT_EQ(h->read_vec(kPasid, dst, 4096), marker);  // destination untouched
}

TEST_F(CryptoUnitTest, Sha256OneShotAndStreamedAcrossDescriptors) {
    const auto data = pattern(200003, 10);
    uint8_t want[32];
    SHA256(data.data(), data.size(), want);
    const uint64_t src = buffer(kPasid, data), out = h->alloc(kPasid, 32);
    cce_desc d = make_desc(CCE_OP_SHA256, src, uint32_t(data.size()), out, 32);
    d.flags |= CCE_DF_FIRST | CCE_DF_LAST;
    auto c = run_one(d);
    ASSERT_EQ(c.status, CCE_ST_SUCCESS);
    EXPECT_EQ(c.bytes_produced, 32u);
    EXPECT_EQ(h->read_vec(kPasid, out, 32), std::vector<uint8_t>(want, want + 32));
    // Three descriptors, odd split points, state in a context buffer.
    const uint64_t ctx = h->alloc(kPasid, CCE_SHA256_CTX_SIZE), out2 = h->alloc(kPasid, 32);
    const uint32_t cuts[] = {0, 77, 150001, uint32_t(data.size())};
    for (int i = 0; i < 3; ++i) {
        const bool last = i == 2;
        cce_desc s = make_desc(CCE_OP_SHA256, src + cuts[i], cuts[i + 1] - cuts[i], last ? out2 : 0,
                               last ? 32 : 0);
        s.flags |= (i == 0 ? CCE_DF_FIRST : 0) | (last ? CCE_DF_LAST : 0);
        s.param = ctx;
        s.param_len = CCE_SHA256_CTX_SIZE;
        q->push(s);
    }
    q->ring();
    auto cs = q->run_and_collect();
    ASSERT_EQ(cs.size(), 3u);
    for (const auto& x : cs) EXPECT_EQ(x.status, CCE_ST_SUCCESS);
    EXPECT_EQ(h->read_vec(kPasid, out2, 32), std::vector<uint8_t>(want, want + 32));
}

// What cce.ko's streamed sha256 (init/update/final) relies on: chunks of any
// length including 0, a FIRST chunk that is not LAST, a LAST chunk of no data,
// a zero-byte FIRST|LAST one-shot, and a context that the host copies out
// after each chunk and into a different buffer for the next one.
TEST_F(CryptoUnitTest, Sha256StreamLikeTheDriver) {
    const auto data = pattern(70001, 13);
    const std::vector<size_t> splits[] = {
        {70001},                 // one update, then an empty LAST
        {0, 1, 63, 64, 0, 65, 69808},  // empty and odd chunks in between
        {5, 0, 69996},           // LAST carries data (finup)
    };
    for (size_t v = 0; v < 3; ++v) {
        uint8_t want[32];
        SHA256(data.data(), data.size(), want);
        std::vector<uint8_t> saved(CCE_SHA256_CTX_SIZE, 0);
        size_t off = 0;
        const auto& parts = splits[v];
        const bool data_in_last = v == 2;
        for (size_t i = 0; i < parts.size(); ++i) {
            const bool last = data_in_last && i + 1 == parts.size();
            const uint64_t ctx = h->alloc(kPasid, CCE_SHA256_CTX_SIZE);  // fresh buffer each job
            h->write_va(kPasid, ctx, saved.data(), saved.size());
            const std::vector<uint8_t> chunk(data.begin() + long(off), data.begin() + long(off + parts[i]));
            const uint64_t src = chunk.empty() ? h->alloc(kPasid, 64) : buffer(kPasid, chunk);
            const uint64_t out = last ? h->alloc(kPasid, 32) : 0;
            cce_desc d = make_desc(CCE_OP_SHA256, src, uint32_t(chunk.size()), out, last ? 32 : 0);
            d.flags |= (i == 0 ? CCE_DF_FIRST : 0) | (last ? CCE_DF_LAST : 0);
            d.param = ctx;
            d.param_len = CCE_SHA256_CTX_SIZE;
            auto c = run_one(d);
            ASSERT_EQ(c.status, CCE_ST_SUCCESS) << "split " << v << " chunk " << i;
            EXPECT_EQ(c.bytes_consumed, chunk.size());
            off += parts[i];
            if (last) {
                EXPECT_EQ(h->read_vec(kPasid, out, 32), std::vector<uint8_t>(want, want + 32)) << v;
            } else {
                saved = h->read_vec(kPasid, ctx, CCE_SHA256_CTX_SIZE);
            }
        }
        ASSERT_EQ(off, data.size());
        if (data_in_last) continue;
        // final(): LAST with no data restores the saved context.
        const uint64_t ctx = h->alloc(kPasid, CCE_SHA256_CTX_SIZE), out = h->alloc(kPasid, 32);
        h->write_va(kPasid, ctx, saved.data(), saved.size());
        cce_desc d = make_desc(CCE_OP_SHA256, h->alloc(kPasid, 64), 0, out, 32);
        d.flags |= CCE_DF_LAST;
        d.param = ctx;
        d.param_len = CCE_SHA256_CTX_SIZE;
        auto c = run_one(d);
        ASSERT_EQ(c.status, CCE_ST_SUCCESS) << v;
        EXPECT_EQ(c.bytes_produced, 32u);
        EXPECT_EQ(h->read_vec(kPasid, out, 32), std::vector<uint8_t>(want, want + 32)) << "split " << v;
    }
    // init() + final() with nothing in between: a zero-byte one-shot.
    uint8_t empty[32];
    SHA256(nullptr, 0, empty);
    const uint64_t out = h->alloc(kPasid, 32);
    cce_desc d = make_desc(CCE_OP_SHA256, h->alloc(kPasid, 64), 0, out, 32);
    d.flags |= CCE_DF_FIRST | CCE_DF_LAST;
    ASSERT_EQ(run_one(d).status, CCE_ST_SUCCESS);
    EXPECT_EQ(h->read_vec(kPasid, out, 32), std::vector<uint8_t>(empty, empty + 32));
    // A non-LAST chunk with an output buffer is refused (the driver leaves
    // dst and dst_len 0 on those).
    const uint64_t ctx = h->alloc(kPasid, CCE_SHA256_CTX_SIZE);
    cce_desc bad = make_desc(CCE_OP_SHA256, h->alloc(kPasid, 64), 64, out, 32);
    bad.flags |= CCE_DF_FIRST;
    bad.param = ctx;
    bad.param_len = CCE_SHA256_CTX_SIZE;
    EXPECT_EQ(run_one(bad).status, CCE_ST_INVALID_DESC);
}

TEST_F(CryptoUnitTest, Sha256CorruptContextIsInvalidParam) {
    const uint64_t ctx = h->alloc(kPasid, CCE_SHA256_CTX_SIZE);
    const std::vector<uint8_t> junk = pattern(CCE_SHA256_CTX_SIZE, 12);
    h->write_va(kPasid, ctx, junk.data(), junk.size());
    const uint64_t src = h->alloc(kPasid, 100), out = h->alloc(kPasid, 32);
    cce_desc d = make_desc(CCE_OP_SHA256, src, 100, out, 32);
    d.flags |= CCE_DF_LAST;  // continues a stream whose context is garbage
    d.param = ctx;
    d.param_len = CCE_SHA256_CTX_SIZE;
    EXPECT_EQ(run_one(d).status, CCE_ST_INVALID_PARAM);
}

TEST_F(CryptoUnitTest, HmacMatchesOpenSsl) {
    for (size_t klen : {0u, 20u, 64u, 131u}) {
        const auto key = pattern(klen, 13);
        const auto data = pattern(5000, 14);
        uint8_t want[32];
        unsigned wl = 0;
        HMAC(EVP_sha256(), key.data(), static_cast<int>(klen), data.data(), data.size(), want, &wl);
        cce_hmac_param p{};
        p.key = klen ? buffer(kPasid, key) : 0;
        p.key_len = static_cast<uint32_t>(klen);
        const uint64_t src = buffer(kPasid, data), out = h->alloc(kPasid, 32);
        cce_desc d = make_desc(CCE_OP_HMAC_SHA256, src, 5000, out, 32);
        d.flags |= CCE_DF_FIRST | CCE_DF_LAST;
        d.param = param_block(p);
        d.param_len = sizeof p;
        const auto c = run_one(d);
        ASSERT_EQ(c.status, CCE_ST_SUCCESS) << klen;
        EXPECT_EQ(h->read_vec(kPasid, out, 32), std::vector<uint8_t>(want, want + 32)) << klen;
    }
}

TEST_F(CryptoUnitTest, MalformedCryptoDescriptors) {
    cce_xts_param xp{};
    xp.key2[0] = 1;
    const uint64_t xpa = param_block(xp);
    const uint64_t buf = h->alloc(kPasid, 8192), out = buf + 4096;
    auto xts = [&](uint32_t len) {
        cce_desc d = make_desc(CCE_OP_AES_XTS_ENC, buf, len, out, len);
        d.param = xpa;
        d.param_len = sizeof xp;
        return d;
    };
    struct Case {
        const char* what;
        cce_desc d;
        uint8_t status;
        uint32_t result;
    };
    std::vector<Case> cases;
    cases.push_back({"xts shorter than a block", xts(15), CCE_ST_INVALID_DESC, CCE_INVD_LENGTH});
    {
        auto d = xts(64);
        d.param = 0;
        cases.push_back({"xts without param", d, CCE_ST_INVALID_DESC, CCE_INVD_PARAM});
    }
    {
        auto d = xts(64);
        d.param = xpa + 4;
        cases.push_back({"xts misaligned param", d, CCE_ST_INVALID_DESC, CCE_INVD_PARAM});
    }
    {
        auto d = xts(64);
        d.param_len = 40;
        cases.push_back({"xts short param", d, CCE_ST_INVALID_DESC, CCE_INVD_PARAM});
    }
    {
        auto d = xts(64);
        d.op_flags = 0x10;
        cases.push_back({"xts bad key size flag", d, CCE_ST_INVALID_DESC, CCE_INVD_OP_FLAGS});
    }
    {
        auto d = xts(64);
        d.dst = buf + 16;
        cases.push_back({"xts partial overlap", d, CCE_ST_INVALID_DESC, CCE_INVD_OVERLAP});
    }
    {
        auto d = xts(64);
        d.dst_len = 63;
        cases.push_back({"xts output too small", d, CCE_ST_OUTPUT_TOO_SMALL, 64});
    }
    {
        cce_xts_param same{};
        auto d = xts(64);
        d.param = param_block(same);
        cases.push_back({"xts key1 == key2", d, CCE_ST_INVALID_PARAM, 0});
    }
    {
        cce_gcm_param gp{};
        gp.iv_len = 12;
        gp.tag_len = 7;
        cce_desc d = make_desc(CCE_OP_AES_GCM_ENC, buf, 64, out, 64);
        d.param = param_block(gp);
        d.param_len = sizeof gp;
        cases.push_back({"gcm tag length 7", d, CCE_ST_INVALID_PARAM, 0});
    }
    {
        cce_desc d = make_desc(CCE_OP_SHA256, buf, 64, out, 16);
        d.flags |= CCE_DF_FIRST | CCE_DF_LAST;
        cases.push_back({"sha digest buffer too small", d, CCE_ST_OUTPUT_TOO_SMALL, 32});
    }
    {
        cce_desc d = make_desc(CCE_OP_SHA256, buf, 64, out, 32);
        d.flags |= CCE_DF_LAST;  // continuation without a context buffer
        cases.push_back({"sha stream without context", d, CCE_ST_INVALID_DESC, CCE_INVD_PARAM});
    }
    {
        cce_hmac_param hp{};
        cce_desc d = make_desc(CCE_OP_HMAC_SHA256, buf, 64, out, 32);
        d.flags |= CCE_DF_FIRST;
        d.param = param_block(hp);
        d.param_len = sizeof hp;
        cases.push_back({"hmac streaming (not in v1.0)", d, CCE_ST_INVALID_DESC, CCE_INVD_FLAGS});
    }
    for (const auto& c : cases) {
        const auto got = run_one(c.d);
        EXPECT_EQ(got.status, c.status) << c.what;
        EXPECT_EQ(got.result, c.result) << c.what;
    }
}

TEST_F(CryptoUnitTest, TranslationFaultLeavesOutputUntouched) {
    cce_xts_param p{};
    p.key2[0] = 1;
    const uint64_t src = h->alloc(kPasid, 3 * 4096), dst = h->alloc(kPasid, 3 * 4096);
    h->unmap(kPasid, src + 2 * 4096, 4096);
    const std::vector<uint8_t> marker(3 * 4096, 0x5a);
    h->write_va(kPasid, dst, marker.data(), marker.size());
    cce_desc d = make_desc(CCE_OP_AES_XTS_ENC, src, 3 * 4096, dst, 3 * 4096);
    d.param = param_block(p);
    d.param_len = sizeof p;
    const auto c = run_one(d);
    EXPECT_EQ(c.status, CCE_ST_TRANSLATION_FAULT);
    EXPECT_EQ(c.fault_addr, src + 2 * 4096);
    EXPECT_EQ(c.bytes_produced, 0u);
    EXPECT_EQ(h->read_vec(kPasid, dst, marker.size()), marker);
}

}  // namespace cce::test
