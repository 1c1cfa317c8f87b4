// SPDX-License-Identifier: MIT
// Randomized differential tests: our datapath against OpenSSL's EVP API
// (the oracle; never linked into cce_dp_crypto). Fixed seeds, so a failure
// reproduces; each test runs well under 10 s, also under ASan.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "cce/datapath/aes.h"
#include "cce/datapath/gcm.h"
#include "cce/datapath/hmac.h"
#include "cce/datapath/sha256.h"
#include "cce/datapath/xts.h"
#include "test_util.h"

namespace dp = cce::datapath;
using crypto_test::to_hex;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes rand_bytes(std::mt19937_64& rng, size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
}

size_t pick(std::mt19937_64& rng, std::initializer_list<size_t> fixed, size_t max_random) {
    // Half the time one of the interesting sizes, otherwise uniform.
    if (rng() & 1) {
        auto it = fixed.begin();
        std::advance(it, static_cast<long>(rng() % fixed.size()));
        return *it;
    }
    return static_cast<size_t>(rng() % (max_random + 1));
}

// ---- OpenSSL oracles

Bytes ossl_ecb(const Bytes& key, const Bytes& in, bool enc) {
    const EVP_CIPHER* c = key.size() == 16 ? EVP_aes_128_ecb()
                          : key.size() == 24 ? EVP_aes_192_ecb()
                                             : EVP_aes_256_ecb();
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    Bytes out(in.size());
    int n = 0;
    EXPECT_EQ(EVP_CipherInit_ex(ctx, c, nullptr, key.data(), nullptr, enc ? 1 : 0), 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EXPECT_EQ(EVP_CipherUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size())), 1);
    EVP_CIPHER_CTX_free(ctx);
    return out;
}

Bytes ossl_xts(const Bytes& k1, const Bytes& k2, const uint8_t* tweak, const Bytes& in, bool enc) {
    const EVP_CIPHER* c = k1.size() == 16 ? EVP_aes_128_xts() : EVP_aes_256_xts();
    Bytes key = k1;
    key.insert(key.end(), k2.begin(), k2.end());
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    Bytes out(in.size());
    int n = 0;
    EXPECT_EQ(EVP_CipherInit_ex(ctx, c, nullptr, key.data(), tweak, enc ? 1 : 0), 1);
    EXPECT_EQ(EVP_CipherUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size())), 1);
    EVP_CIPHER_CTX_free(ctx);
    return out;
}

// Encrypt: returns ciphertext, fills tag (16 bytes). Decrypt: returns
// plaintext, ok = tag verified.
Bytes ossl_gcm(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& in, bool enc,
               uint8_t* tag, size_t tag_len, bool* ok) {
    const EVP_CIPHER* c = key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    Bytes out(in.size() + 16);
    int n = 0;
    EXPECT_EQ(EVP_CipherInit_ex(ctx, c, nullptr, nullptr, nullptr, enc ? 1 : 0), 1);
    EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr), 1);
    EXPECT_EQ(EVP_CipherInit_ex(ctx, nullptr, nullptr, key.data(), iv.data(), -1), 1);
    if (!aad.empty()) {
        EXPECT_EQ(EVP_CipherUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())), 1);
    }
    int total = 0;
    if (!in.empty()) {
        EXPECT_EQ(EVP_CipherUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size())), 1);
        total = n;
    }
    if (!enc) {
        EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_len), tag), 1);
    }
    int r = EVP_CipherFinal_ex(ctx, out.data() + total, &n);
    if (enc) {
        EXPECT_EQ(r, 1);
        EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag), 1);
    } else {
        *ok = r == 1;
    }
    EVP_CIPHER_CTX_free(ctx);
    out.resize(in.size());
    return out;
}

Bytes ossl_sha256(const Bytes& m) {
    Bytes d(32);
    unsigned n = 0;
    EXPECT_EQ(EVP_Digest(m.data(), m.size(), d.data(), &n, EVP_sha256(), nullptr), 1);
    return d;
}

Bytes ossl_hmac(const Bytes& key, const Bytes& m) {
    Bytes d(32);
    unsigned n = 0;
    static const uint8_t dummy = 0;
    EXPECT_NE(HMAC(EVP_sha256(), key.empty() ? &dummy : key.data(), static_cast<int>(key.size()),
                   m.data(), m.size(), d.data(), &n),
              nullptr);
    return d;
}

}  // namespace

TEST(CryptoDiff, AesBlocksVsOpenSsl) {
    std::mt19937_64 rng(0xae5);
    for (int it = 0; it < 600; ++it) {
        const size_t kl = (it % 3 == 0) ? 16 : (it % 3 == 1) ? 24 : 32;
        Bytes key = rand_bytes(rng, kl);
        Bytes pt = rand_bytes(rng, 16 * (1 + rng() % 9));
        dp::Aes aes;
        ASSERT_EQ(aes.set_key(key.data(), kl), CCE_ST_SUCCESS);
        Bytes ct(pt.size()), back(pt.size());
        aes.encrypt_blocks(pt.data(), ct.data(), pt.size() / 16);
        ASSERT_EQ(ct, ossl_ecb(key, pt, true)) << "key " << to_hex(key);
        aes.decrypt_blocks(ct.data(), back.data(), ct.size() / 16);
        ASSERT_EQ(back, pt);
    }
}

TEST(CryptoDiff, XtsVsOpenSsl) {
    std::mt19937_64 rng(0x7175);
    for (int it = 0; it < 2500; ++it) {
        const bool k256 = rng() & 1;
        const size_t kl = k256 ? 32 : 16;
        Bytes k1 = rand_bytes(rng, kl), k2 = rand_bytes(rng, kl);
        if (k1 == k2) k2[0] ^= 1;
        size_t len = pick(rng, {16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 79, 511, 512, 513, 4096, 4111}, 3000);
        if (len < 16) len += 16;
        if (it < 8) len = 65536 + 16 * static_cast<size_t>(it) + static_cast<size_t>(it);  // large
        Bytes pt = rand_bytes(rng, len), tw = rand_bytes(rng, 16);
        cce_xts_param prm{};
        std::memcpy(prm.key1, k1.data(), kl);
        std::memcpy(prm.key2, k2.data(), kl);
        std::memcpy(prm.tweak, tw.data(), 16);
        // ours
        Bytes ct(len);
        ASSERT_EQ(dp::xts_crypt(prm, k256, true, pt.data(), ct.data(), len), CCE_ST_SUCCESS);
        Bytes ref = ossl_xts(k1, k2, tw.data(), pt, true);
        ASSERT_EQ(to_hex(ct), to_hex(ref)) << "it " << it << " len " << len << " k256 " << k256;
        // decrypt an OpenSSL ciphertext; sometimes in place
        Bytes back = ref;
        if (rng() & 1) {
            ASSERT_EQ(dp::xts_crypt(prm, k256, false, back.data(), back.data(), len), CCE_ST_SUCCESS);
        } else {
            Bytes tmp(len);
            ASSERT_EQ(dp::xts_crypt(prm, k256, false, ref.data(), tmp.data(), len), CCE_ST_SUCCESS);
            back = tmp;
        }
        ASSERT_EQ(back, pt) << "it " << it << " len " << len;
        // and OpenSSL decrypts ours
        ASSERT_EQ(ossl_xts(k1, k2, tw.data(), ct, false), pt);
    }
}

TEST(CryptoDiff, XtsContextReuse) {
    // One keyed context over many data units (sector-by-sector).
    std::mt19937_64 rng(0x5ec);
    Bytes k1 = rand_bytes(rng, 32), k2 = rand_bytes(rng, 32);
    dp::XtsContext enc, dec;
    ASSERT_EQ(enc.set_keys(k1.data(), k2.data(), 32, true), CCE_ST_SUCCESS);
    ASSERT_EQ(dec.set_keys(k1.data(), k2.data(), 32, false), CCE_ST_SUCCESS);
    for (uint64_t sector = 0; sector < 64; ++sector) {
        uint8_t tw[16] = {};
        std::memcpy(tw, &sector, 8);
        Bytes pt = rand_bytes(rng, 512 + sector % 7);
        Bytes ct(pt.size()), back(pt.size());
        ASSERT_EQ(enc.crypt(tw, pt.data(), ct.data(), pt.size()), CCE_ST_SUCCESS);
        ASSERT_EQ(ct, ossl_xts(k1, k2, tw, pt, true));
        ASSERT_EQ(dec.crypt(tw, ct.data(), back.data(), ct.size()), CCE_ST_SUCCESS);
        ASSERT_EQ(back, pt);
    }
    dp::XtsContext unkeyed;
    uint8_t tw[16] = {}, buf[16] = {};
    EXPECT_EQ(unkeyed.crypt(tw, buf, buf, 16), CCE_ST_INVALID_PARAM);
}

TEST(CryptoDiff, GcmVsOpenSslWithTamper) {
    std::mt19937_64 rng(0x6c3);
    const size_t tags[] = {4, 8, 12, 13, 14, 15, 16};
    for (int it = 0; it < 2500; ++it) {
        const size_t kl = (rng() & 1) ? 32 : 16;
        Bytes key = rand_bytes(rng, kl);
        size_t iv_len = (rng() % 3 == 0) ? 12 : 1 + rng() % 64;
        Bytes iv = rand_bytes(rng, iv_len);
        Bytes aad = rand_bytes(rng, pick(rng, {0, 1, 15, 16, 17, 31, 32, 33}, 300));
        size_t len = pick(rng, {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 4095, 4096, 4097}, 5000);
        if (it < 4) len = (1u << 20) + static_cast<size_t>(it) * 7;  // large, crosses chunking
        Bytes pt = rand_bytes(rng, len);
        const size_t tl = tags[rng() % 7];

        Bytes ct(len);
        uint8_t tag[16];
        ASSERT_EQ(dp::gcm_crypt(key.data(), kl, iv.data(), iv_len, aad.data(), aad.size(), pt.data(),
                                ct.data(), len, tag, tl, true),
                  CCE_ST_SUCCESS);
        uint8_t ref_tag[16];
        Bytes ref = ossl_gcm(key, iv, aad, pt, true, ref_tag, 16, nullptr);
        ASSERT_EQ(to_hex(ct), to_hex(ref)) << "it " << it;
        ASSERT_EQ(to_hex(tag, tl), to_hex(ref_tag, tl)) << "it " << it << " iv_len " << iv_len;
        // OpenSSL accepts our (truncated) tag
        bool ok = false;
        ASSERT_EQ(ossl_gcm(key, iv, aad, ct, false, tag, tl, &ok), pt);
        ASSERT_TRUE(ok);
        // we decrypt (sometimes in place)
        Bytes back = ct;
        const bool inplace = rng() & 1;
        Bytes tmp(len);
        ASSERT_EQ(dp::gcm_crypt(key.data(), kl, iv.data(), iv_len, aad.data(), aad.size(), back.data(),
                                inplace ? back.data() : tmp.data(), len, tag, tl, false),
                  CCE_ST_SUCCESS);
        if (!inplace) back = tmp;
        ASSERT_EQ(back, pt) << "it " << it;

        // Tamper: tag, ciphertext, AAD, IV, lengths -> AUTH_FAILED, no output.
        auto expect_fail = [&](const Bytes& a, const Bytes& c, uint8_t* t, const Bytes& v,
                               const char* what) {
            Bytes o(c.size() + 1, 0xa5);
            cce_status st = dp::gcm_crypt(key.data(), kl, v.data(), v.size(), a.data(), a.size(),
                                          c.data(), o.data(), c.size(), t, tl, false);
            ASSERT_EQ(st, CCE_ST_AUTH_FAILED) << what << " it " << it;
            for (size_t i = 0; i < c.size(); ++i) ASSERT_EQ(o[i], 0) << what;
            ASSERT_EQ(o[c.size()], 0xa5) << what;
        };
        uint8_t bad_tag[16];
        std::memcpy(bad_tag, tag, 16);
        bad_tag[rng() % tl] ^= static_cast<uint8_t>(1u << (rng() % 8));
        expect_fail(aad, ct, bad_tag, iv, "tag");
        if (len) {
            Bytes c2 = ct;
            c2[rng() % len] ^= static_cast<uint8_t>(1u << (rng() % 8));
            expect_fail(aad, c2, tag, iv, "ciphertext");
            Bytes c3(ct.begin(), ct.end() - 1);
            expect_fail(aad, c3, tag, iv, "truncated ciphertext");
        }
        if (!aad.empty()) {
            Bytes a2 = aad;
            a2[rng() % a2.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
            expect_fail(a2, ct, tag, iv, "aad");
        }
        Bytes iv2 = iv;
        iv2[rng() % iv_len] ^= 1;
        expect_fail(aad, ct, tag, iv2, "iv");
        if (it < 4) continue;  // keep the large iterations short
    }
}

TEST(CryptoDiff, GcmAadVsTextBoundary) {
    // Moving bytes between AAD and text must change the tag (length block).
    uint8_t key[16] = {1}, iv[12] = {2}, data[32] = {3}, t1[16], t2[16], out[32];
    ASSERT_EQ(dp::gcm_crypt(key, 16, iv, 12, data, 16, data + 16, out, 16, t1, 16, true), CCE_ST_SUCCESS);
    ASSERT_EQ(dp::gcm_crypt(key, 16, iv, 12, data, 32, nullptr, nullptr, 0, t2, 16, true), CCE_ST_SUCCESS);
    EXPECT_NE(to_hex(t1, 16), to_hex(t2, 16));
}

TEST(CryptoDiff, Sha256StreamingVsOpenSsl) {
    std::mt19937_64 rng(0x5a256);
    for (int it = 0; it < 400; ++it) {
        size_t len = pick(rng, {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129}, 20000);
        Bytes m = rand_bytes(rng, len);
        Bytes ref = ossl_sha256(m);
        uint8_t d[32];
        dp::sha256(m.data(), len, d);
        ASSERT_EQ(to_hex(d, 32), to_hex(ref)) << len;
        // random splits, a save/restore into a fresh object between updates
        dp::Sha256 s;
        size_t off = 0;
        while (off < len) {
            size_t n = std::min(len - off, static_cast<size_t>(rng() % 200));
            s.update(m.data() + off, n);
            off += n;
            if (rng() % 3 == 0) {
                uint8_t st[dp::kSha256StateSize];
                s.save(st);
                dp::Sha256 fresh;
                fresh.update("junk", 4);
                ASSERT_EQ(fresh.restore(st), CCE_ST_SUCCESS);
                s = fresh;
            }
        }
        s.final(d);
        ASSERT_EQ(to_hex(d, 32), to_hex(ref)) << len;
    }
}

TEST(CryptoDiff, HmacStreamingVsOpenSsl) {
    std::mt19937_64 rng(0x4ac);
    for (int it = 0; it < 400; ++it) {
        size_t kl = pick(rng, {0, 1, 32, 63, 64, 65, 128, 200}, 300);
        Bytes key = rand_bytes(rng, kl);
        size_t len = pick(rng, {0, 1, 63, 64, 65}, 5000);
        Bytes m = rand_bytes(rng, len);
        Bytes ref = ossl_hmac(key, m);
        uint8_t d[32];
        ASSERT_EQ(dp::hmac_sha256(key.data(), kl, m.data(), len, d), CCE_ST_SUCCESS);
        ASSERT_EQ(to_hex(d, 32), to_hex(ref)) << "key " << kl << " len " << len;
        dp::HmacSha256 h;
        ASSERT_EQ(h.init(key.data(), kl), CCE_ST_SUCCESS);
        size_t off = 0;
        while (off < len) {
            size_t n = std::min(len - off, static_cast<size_t>(rng() % 300));
            h.update(m.data() + off, n);
            off += n;
            if (rng() & 1) {
                uint8_t st[dp::kHmacStateSize];
                h.save(st);
                dp::HmacSha256 h2;
                ASSERT_EQ(h2.restore(st), CCE_ST_SUCCESS);
                h = h2;
            }
        }
        h.final(d);
        ASSERT_EQ(to_hex(d, 32), to_hex(ref)) << "streamed key " << kl << " len " << len;
    }
}
