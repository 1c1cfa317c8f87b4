// SPDX-License-Identifier: MIT
// AF_ALG suite of cce-guest-test: a userspace client of the kernel crypto
// API (socket(AF_ALG)) hashes and encrypts; every result must match
// OpenSSL (linked in statically, the same library the host uses).
//
// Linux 7.2 binds AF_ALG sockets with AF_ALG_CRYPTOAPI_MASK
// (include/crypto/if_alg.h: CRYPTO_ALG_ASYNC | CRYPTO_ALG_ALLOCATES_MEMORY |
// CRYPTO_ALG_KERN_DRIVER_ONLY), so it never selects the asynchronous *-cce
// algorithms. With cce.sync_algs=1 the driver also registers synchronous
// *-cce-sync variants without KERN_DRIVER_ONLY, which AF_ALG then binds.
// The tests check both ways through the driver's crypto_stats: with
// sync_algs=1 every request counts in the "sync" column and runs on the
// device ("device" column); without it neither column moves.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <glob.h>
#include <linux/if_alg.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

namespace {

using Bytes = std::vector<uint8_t>;

Bytes random_bytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
}

// One column of the driver's crypto_stats ("device", "sync", a fallback
// reason), per algorithm name. Empty if there is no such file or column.
std::map<std::string, long long> stat_column(const std::string& column) {
    std::map<std::string, long long> m;
    glob_t g{};
    if (glob("/sys/bus/pci/drivers/cce/*/crypto_stats", 0, nullptr, &g) != 0) return m;
    std::ifstream f(g.gl_pathv[0]);
    globfree(&g);
    std::string line, word;
    std::getline(f, line);  // header: algorithm device <reasons...> sync
    std::istringstream hs(line);
    int col = -1;
    for (int i = 0; hs >> word; ++i)
        if (word == column) col = i;
    if (col < 1) return m;
    while (std::getline(f, line)) {
        std::istringstream is(line);
        std::string name;
        long long v = 0;
        if (!(is >> name)) continue;
        for (int i = 1; i <= col && is >> v; ++i) {
        }
        if (is) m[name] = v;
    }
    return m;
}

std::map<std::string, long long> device_counts() { return stat_column("device"); }
std::map<std::string, long long> sync_counts() { return stat_column("sync"); }

// cce.sync_algs=1: the *-cce-sync variants are registered.
bool sync_algs() {
    std::ifstream f("/sys/module/cce/parameters/sync_algs");
    std::string v;
    return (f >> v) && v == "Y";
}

// With sync_algs=1 each of the n requests went through a *-cce-sync
// variant and ran on the device; without, AF_ALG never reached the driver.
void expect_counters(const char* alg, const std::map<std::string, long long>& dev0,
                     const std::map<std::string, long long>& sync0, long long n) {
    const long long dev = device_counts()[alg] - dev0.at(alg);
    const long long sync = sync_counts()[alg] - sync0.at(alg);
    if (sync_algs()) {
        EXPECT_EQ(sync, n) << alg << ": requests through the *-cce-sync variant";
        EXPECT_EQ(dev, n) << alg << ": requests run on the device";
        std::printf("AFALG-DEVICE: %s %lld requests, %lld on the device\n", alg, sync, dev);
    } else {
        EXPECT_EQ(dev, 0) << "AF_ALG reached " << alg
                          << " on the device without sync_algs: the kernel no longer masks async drivers";
        EXPECT_EQ(sync, 0) << alg;
    }
}

// One AF_ALG transform socket and one operation socket.
class AlgSocket {
public:
    AlgSocket(const char* type, const char* name, const Bytes& key = {}, unsigned authsize = 0) {
        sockaddr_alg sa{};
        sa.salg_family = AF_ALG;
        std::strncpy(reinterpret_cast<char*>(sa.salg_type), type, sizeof(sa.salg_type) - 1);
        std::strncpy(reinterpret_cast<char*>(sa.salg_name), name, sizeof(sa.salg_name) - 1);
        tfm_ = socket(AF_ALG, SOCK_SEQPACKET, 0);
        if (tfm_ < 0) {
            err_ = "socket(AF_ALG): " + std::string(strerror(errno));
            return;
        }
        if (bind(tfm_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
            err_ = std::string("bind ") + name + ": " + strerror(errno);
            return;
        }
        if (!key.empty() && setsockopt(tfm_, SOL_ALG, ALG_SET_KEY, key.data(), key.size()) != 0) {
            err_ = "ALG_SET_KEY: " + std::string(strerror(errno));
            return;
        }
        if (authsize && setsockopt(tfm_, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, nullptr, authsize) != 0) {
            err_ = "ALG_SET_AEAD_AUTHSIZE: " + std::string(strerror(errno));
            return;
        }
        op_ = accept(tfm_, nullptr, nullptr);
        if (op_ < 0) err_ = "accept: " + std::string(strerror(errno));
    }
    ~AlgSocket() {
        if (op_ >= 0) close(op_);
        if (tfm_ >= 0) close(tfm_);
    }
    AlgSocket(const AlgSocket&) = delete;
    AlgSocket& operator=(const AlgSocket&) = delete;

    const std::string& error() const { return err_; }

    // One-shot hash: one send without MSG_MORE is one digest() request.
    Bytes hash(const Bytes& data, size_t digest_len) {
        Bytes out(digest_len);
        if (send(op_, data.data(), data.size(), 0) != static_cast<ssize_t>(data.size())) return {};
        if (read(op_, out.data(), out.size()) != static_cast<ssize_t>(out.size())) return {};
        return out;
    }

    // Streamed hash: every piece a send with MSG_MORE (algif_hash: init, then
    // one update each), the read is final(); no piece at all is init + final.
    Bytes hash_pieces(const std::vector<Bytes>& pieces, size_t digest_len) {
        for (const Bytes& p : pieces)
            if (!send_more(p)) return {};
        return read_digest(digest_len);
    }

    bool send_more(const Bytes& p) {
        return send(op_, p.data(), p.size(), MSG_MORE) == static_cast<ssize_t>(p.size());
    }

    // The digest of what the operation socket hashed so far (final()).
    Bytes read_digest(size_t digest_len) {
        Bytes out(digest_len);
        if (read(op_, out.data(), out.size()) != static_cast<ssize_t>(out.size())) return {};
        return out;
    }

    // accept() on the operation socket: algif_hash exports the state of this
    // one and imports it into the new one (a copy of the hash so far).
    int clone_op() const { return accept(op_, nullptr, nullptr); }

    // Cipher op: returns the bytes read back (out_len), or errno negated in rc.
    Bytes crypt(bool enc, const Bytes& iv, const Bytes& in, size_t out_len, int* rc,
                unsigned assoclen = 0, bool aead = false) {
        std::vector<char> cbuf(CMSG_SPACE(sizeof(uint32_t)) +
                               CMSG_SPACE(sizeof(af_alg_iv) + iv.size()) +
                               CMSG_SPACE(sizeof(uint32_t)));
        msghdr msg{};
        msg.msg_control = cbuf.data();
        msg.msg_controllen = cbuf.size();
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_ALG;
        c->cmsg_type = ALG_SET_OP;
        c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
        const uint32_t op = enc ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
        std::memcpy(CMSG_DATA(c), &op, sizeof(op));
        c = CMSG_NXTHDR(&msg, c);
        c->cmsg_level = SOL_ALG;
        c->cmsg_type = ALG_SET_IV;
        c->cmsg_len = CMSG_LEN(sizeof(af_alg_iv) + iv.size());
        auto* aiv = reinterpret_cast<af_alg_iv*>(CMSG_DATA(c));
        aiv->ivlen = static_cast<uint32_t>(iv.size());
        std::memcpy(aiv->iv, iv.data(), iv.size());
        if (aead) {
            c = CMSG_NXTHDR(&msg, c);
            c->cmsg_level = SOL_ALG;
            c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
            c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
            const uint32_t al = assoclen;
            std::memcpy(CMSG_DATA(c), &al, sizeof(al));
        } else {
            msg.msg_controllen = CMSG_SPACE(sizeof(uint32_t)) +
                                 CMSG_SPACE(sizeof(af_alg_iv) + iv.size());
        }
        iovec iov{const_cast<uint8_t*>(in.data()), in.size()};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        *rc = 0;
        if (sendmsg(op_, &msg, 0) != static_cast<ssize_t>(in.size())) {
            *rc = -errno;
            return {};
        }
        Bytes out(out_len);
        ssize_t n = read(op_, out.data(), out.size());
        if (n < 0) {
            *rc = -errno;
            return {};
        }
        out.resize(static_cast<size_t>(n));
        return out;
    }

private:
    int tfm_ = -1;
    int op_ = -1;
    std::string err_;
};

Bytes ossl_hmac(const Bytes& key, const Bytes& data) {
    Bytes out(32);
    size_t len = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                   data.data(), data.size(), out.data(), out.size(), &len))
        return {};
    return out;
}

Bytes ossl_cipher(const EVP_CIPHER* ciph, bool enc, const Bytes& key, const Bytes& iv,
                  const Bytes& in, const Bytes& aad = {}, Bytes* tag = nullptr) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    Bytes out(in.size() + 32);
    int len = 0, total = 0;
    bool ok = EVP_CipherInit_ex(ctx, ciph, nullptr, nullptr, nullptr, enc ? 1 : 0) == 1;
    if (ok && tag) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) == 1;
    ok = ok && EVP_CipherInit_ex(ctx, nullptr, nullptr, key.data(), iv.data(), enc ? 1 : 0) == 1;
    if (ok && !aad.empty()) ok = EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
    if (ok && !in.empty()) {
        ok = EVP_CipherUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(in.size())) == 1;
        total = len;
    }
    if (ok && tag && !enc)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag->size()), tag->data()) == 1;
    if (ok) {
        ok = EVP_CipherFinal_ex(ctx, out.data() + total, &len) == 1;
        total += len;
    }
    if (ok && tag && enc) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag->size()), tag->data()) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) return {};
    out.resize(static_cast<size_t>(total));
    return out;
}

// testmgr runs on the *-cce algorithms asynchronously after cce.ko loads;
// its requests would move the counters. Wait until every verdict is in.
bool selftests_done() {
    std::ifstream f("/proc/crypto");
    std::string line, driver;
    while (std::getline(f, line)) {
        std::istringstream is(line);
        std::string key, colon, value;
        if (!(is >> key >> colon >> value)) continue;
        if (key == "driver") driver = value;
        const bool ours = (driver.size() > 4 && driver.compare(driver.size() - 4, 4, "-cce") == 0) ||
                          (driver.size() > 9 && driver.compare(driver.size() - 9, 9, "-cce-sync") == 0);
        if (key == "selftest" && ours && value == "unknown") return false;
    }
    return true;
}

class AfAlg : public ::testing::Test {
protected:
    void SetUp() override {
        for (int i = 0; i < 3000 && !selftests_done(); ++i) usleep(100000);
        ASSERT_TRUE(selftests_done()) << "testmgr still running on the *-cce algorithms";
    }
};

const size_t kSizes[] = {16, 17, 31, 64, 100, 512, 4096, 4099, 16384};

}  // namespace

TEST_F(AfAlg, Sha256MatchesOpenssl) {
    const auto before = device_counts();
    const auto sync_before = sync_counts();
    ASSERT_TRUE(before.count("sha256") && sync_before.count("sha256")) << "no crypto_stats: cce.ko not bound?";
    int n = 0;
    for (size_t len : {1ul, 55ul, 64ul, 1000ul, 4096ul, 40000ul}) {
        AlgSocket s("hash", "sha256");
        ASSERT_EQ(s.error(), "");
        const Bytes data = random_bytes(len, static_cast<uint32_t>(len));
        Bytes want(SHA256_DIGEST_LENGTH);
        SHA256(data.data(), data.size(), want.data());
        EXPECT_EQ(s.hash(data, want.size()), want) << "sha256 of " << len << " bytes";
        n++;
    }
    expect_counters("sha256", before, sync_before, n);
    EXPECT_GT(n, 0);
}

TEST_F(AfAlg, HmacSha256MatchesOpenssl) {
    const auto before = device_counts();
    const auto sync_before = sync_counts();
    ASSERT_TRUE(before.count("hmac(sha256)") && sync_before.count("hmac(sha256)"));
    int n = 0;
    for (size_t klen : {1ul, 32ul, 64ul, 65ul, 200ul}) {
        for (size_t len : {1ul, 64ul, 3000ul}) {
            const Bytes key = random_bytes(klen, static_cast<uint32_t>(klen * 7));
            AlgSocket s("hash", "hmac(sha256)", key);
            ASSERT_EQ(s.error(), "");
            const Bytes data = random_bytes(len, static_cast<uint32_t>(len + klen));
            const Bytes want = ossl_hmac(key, data);
            ASSERT_EQ(want.size(), 32u);
            EXPECT_EQ(s.hash(data, 32), want) << "key " << klen << ", data " << len;
            n++;
        }
    }
    expect_counters("hmac(sha256)", before, sync_before, n);
    EXPECT_GT(n, 0);
}

// init/update/final through AF_ALG (sends with MSG_MORE, what kcapi-dgst
// does), keys of 1..200 bytes (kcapi-dgst takes at most 32): hmac-sha256-cce-
// sync streams these on the device, each hash at least two jobs (the inner
// hash, the outer job), none in the software fallback ("partial").
TEST_F(AfAlg, HmacSha256StreamedMatchesOpenssl) {
    const auto before = device_counts();
    const auto partial_before = stat_column("partial");
    ASSERT_TRUE(before.count("hmac(sha256)") && partial_before.count("hmac(sha256)"));
    const std::vector<std::vector<size_t>> splits = {{}, {0}, {1}, {64, 64}, {100, 3000, 1}, {70000, 5}};
    int n = 0;
    for (size_t klen : {1ul, 32ul, 64ul, 65ul, 200ul}) {
        const Bytes key = random_bytes(klen, static_cast<uint32_t>(klen * 11));
        for (const auto& split : splits) {
            AlgSocket s("hash", "hmac(sha256)", key);
            ASSERT_EQ(s.error(), "");
            std::vector<Bytes> pieces;
            Bytes all;
            for (size_t len : split) {
                pieces.push_back(random_bytes(len, static_cast<uint32_t>(len * 3 + klen + pieces.size())));
                all.insert(all.end(), pieces.back().begin(), pieces.back().end());
            }
            const Bytes want = ossl_hmac(key, all);
            ASSERT_EQ(want.size(), 32u);
            EXPECT_EQ(s.hash_pieces(pieces, 32), want) << "key " << klen << ", " << pieces.size()
                                                       << " pieces, " << all.size() << " bytes";
            n++;
        }
        // A hash copied mid-stream (export/import), both copies continued.
        AlgSocket s("hash", "hmac(sha256)", key);
        ASSERT_EQ(s.error(), "");
        const Bytes a = random_bytes(5000, 1), b = random_bytes(77, 2), c = random_bytes(4096, 3);
        ASSERT_TRUE(s.send_more(a));
        const int copy = s.clone_op();
        ASSERT_GE(copy, 0) << "accept: " << strerror(errno);
        Bytes ab = a, ac = a;
        ab.insert(ab.end(), b.begin(), b.end());
        ac.insert(ac.end(), c.begin(), c.end());
        Bytes got(32);
        EXPECT_EQ(send(copy, c.data(), c.size(), MSG_MORE), static_cast<ssize_t>(c.size()));
        EXPECT_EQ(read(copy, got.data(), got.size()), 32);
        close(copy);
        EXPECT_EQ(got, ossl_hmac(key, ac)) << "key " << klen << ": imported copy";
        EXPECT_TRUE(s.send_more(b));
        EXPECT_EQ(s.read_digest(32), ossl_hmac(key, ab)) << "key " << klen << ": original";
        n += 2;
    }
    const long long dev = device_counts()["hmac(sha256)"] - before.at("hmac(sha256)");
    const long long partial = stat_column("partial")["hmac(sha256)"] - partial_before.at("hmac(sha256)");
    EXPECT_EQ(partial, 0) << "hmac(sha256) init/update/final in the driver's software fallback";
    if (sync_algs())
        EXPECT_GE(dev, 2 * n) << "hmac(sha256): streamed hashes on the device";
    else
        EXPECT_EQ(dev, 0) << "AF_ALG reached hmac(sha256) on the device without sync_algs";
    std::printf("AFALG-DEVICE: hmac(sha256) streamed: %d hashes, %lld device jobs\n", n, dev);
}

TEST_F(AfAlg, XtsMatchesOpenssl) {
    const auto before = device_counts();
    const auto sync_before = sync_counts();
    ASSERT_TRUE(before.count("xts(aes)") && sync_before.count("xts(aes)"));
    int n = 0;
    for (size_t klen : {32ul, 64ul}) {
        const Bytes key = random_bytes(klen, static_cast<uint32_t>(klen));
        const EVP_CIPHER* ciph = klen == 32 ? EVP_aes_128_xts() : EVP_aes_256_xts();
        AlgSocket s("skcipher", "xts(aes)", key);
        ASSERT_EQ(s.error(), "");
        for (size_t len : kSizes) {
            const Bytes iv = random_bytes(16, static_cast<uint32_t>(len * 3));
            const Bytes pt = random_bytes(len, static_cast<uint32_t>(len));
            const Bytes want = ossl_cipher(ciph, true, key, iv, pt);
            ASSERT_EQ(want.size(), len);
            int rc = 0;
            const Bytes ct = s.crypt(true, iv, pt, len, &rc);
            ASSERT_EQ(rc, 0) << strerror(-rc);
            EXPECT_EQ(ct, want) << "xts encrypt, key " << klen << ", " << len << " bytes";
            EXPECT_EQ(s.crypt(false, iv, ct, len, &rc), pt) << "xts decrypt " << len;
            n += 2;
        }
    }
    expect_counters("xts(aes)", before, sync_before, n);
    EXPECT_GT(n, 0);
}

TEST_F(AfAlg, GcmMatchesOpensslAndRejectsForgery) {
    const auto before = device_counts();
    const auto sync_before = sync_counts();
    ASSERT_TRUE(before.count("gcm(aes)") && sync_before.count("gcm(aes)"));
    int n = 0;
    for (size_t klen : {16ul, 32ul}) {
        const Bytes key = random_bytes(klen, static_cast<uint32_t>(klen + 1));
        const EVP_CIPHER* ciph = klen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
        AlgSocket s("aead", "gcm(aes)", key, 16);
        ASSERT_EQ(s.error(), "");
        for (size_t len : {0ul, 1ul, 16ul, 100ul, 4096ul}) {
            for (size_t alen : {0ul, 13ul, 64ul}) {
                if (!len && !alen) continue;  // AF_ALG refuses a request with no data at all
                const Bytes iv = random_bytes(12, static_cast<uint32_t>(len + alen));
                const Bytes aad = random_bytes(alen, static_cast<uint32_t>(alen + 5));
                const Bytes pt = random_bytes(len, static_cast<uint32_t>(len + 9));
                Bytes tag(16);
                const Bytes ct = ossl_cipher(ciph, true, key, iv, pt, aad, &tag);
                ASSERT_EQ(ct.size(), len);
                Bytes in = aad;
                in.insert(in.end(), pt.begin(), pt.end());
                Bytes want = aad;
                want.insert(want.end(), ct.begin(), ct.end());
                want.insert(want.end(), tag.begin(), tag.end());
                int rc = 0;
                Bytes got = s.crypt(true, iv, in, alen + len + 16, &rc, static_cast<unsigned>(alen), true);
                ASSERT_EQ(rc, 0) << strerror(-rc);
                ASSERT_EQ(got.size(), want.size());
                // The AAD part of the output is not defined by the API: compare the rest.
                EXPECT_TRUE(std::equal(got.begin() + static_cast<long>(alen), got.end(),
                                       want.begin() + static_cast<long>(alen)))
                    << "gcm encrypt, key " << klen << ", aad " << alen << ", text " << len;
                Bytes back = s.crypt(false, iv, want, alen + len, &rc, static_cast<unsigned>(alen), true);
                ASSERT_EQ(rc, 0) << "gcm decrypt: " << strerror(-rc);
                EXPECT_TRUE(std::equal(back.begin() + static_cast<long>(alen), back.end(), pt.begin()));
                Bytes forged = want;
                forged.back() ^= 1;
                s.crypt(false, iv, forged, alen + len, &rc, static_cast<unsigned>(alen), true);
                EXPECT_EQ(rc, -EBADMSG) << "forged tag accepted, aad " << alen << ", text " << len;
                n += 3;
            }
        }
    }
    expect_counters("gcm(aes)", before, sync_before, n);
    EXPECT_GT(n, 0);
}
