// SPDX-License-Identifier: MIT
// cce-stress: the scenario workload. N processes, each with its own queue
// (own PASID), run a mix of operations on the device for a while and check
// every result against the software implementation in the same process.
//
//   cce-stress [--procs N] [--seconds S] [--ops LIST] [--max-size BYTES]
//              [--seed N] [--fallback] [--untouched]
//
// Every job ends in exactly one of three ways, counted per process and in
// total: "ok" (status success, output verified), "error" (a defined CCE_E_*
// code, by name), "corrupt" (status success but wrong output: the one thing
// a device and library must never produce unnoticed). Exit status: 0 no
// corrupt result and every process finished; 3 corrupt results were seen;
// 4 a process died or could not open a queue; 2 usage.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "cce/libcce.h"

namespace {

struct Options {
    int procs = 2;
    double seconds = 10;
    std::vector<std::string> ops = {"memcpy", "crc32", "crc32c", "compress", "decompress",
                                    "xts", "gcm", "sha256", "hmac"};
    size_t max_size = 256 * 1024;
    uint32_t seed = 1;
    bool fallback = false;
    bool untouched = false;
};

[[noreturn]] void usage(int rc) {
    std::fprintf(rc ? stderr : stdout,
                 "usage: cce-stress [--procs N] [--seconds S] [--ops LIST] [--max-size BYTES]\n"
                 "                  [--seed N] [--fallback] [--untouched]\n"
                 "  ops: memcpy,crc32,crc32c,compress,decompress,xts,gcm,sha256,hmac\n"
                 "  --fallback   the library re-runs device failures in software\n"
                 "  --untouched  outputs go to never-touched memory (page requests)\n");
    std::exit(rc);
}

struct Rng {
    uint64_t s;
    uint32_t next() {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return uint32_t(s >> 33);
    }
};

// Reference results, computed in software (zlib, OpenSSL).
uint32_t crc32c_sw(const uint8_t* p, size_t n) {
    uint32_t c = ~0u;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
    }
    return ~c;
}

bool xts_sw(bool enc, const uint8_t* key, const uint8_t* iv, const uint8_t* in, uint8_t* out, size_t n) {
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    int l = 0, l2 = 0;
    bool ok = EVP_CipherInit_ex(c, EVP_aes_128_xts(), nullptr, key, iv, enc) == 1 &&
              EVP_CipherUpdate(c, out, &l, in, int(n)) == 1 && EVP_CipherFinal_ex(c, out + l, &l2) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

bool gcm_sw(const uint8_t* key, const uint8_t* iv, const uint8_t* in, uint8_t* out, size_t n, uint8_t tag[16]) {
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    int l = 0, l2 = 0;
    bool ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1 &&
              EVP_EncryptInit_ex(c, nullptr, nullptr, key, iv) == 1 &&
              (n == 0 || EVP_EncryptUpdate(c, out, &l, in, int(n)) == 1) &&
              EVP_EncryptFinal_ex(c, out + l, &l2) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

struct Counts {
    uint64_t ok = 0, corrupt = 0;
    std::map<std::string, uint64_t> errors;  // cce_strerror text -> count
};

// Output memory: a vector, or a fresh never-touched mapping per job.
struct Out {
    uint8_t* p;
    size_t n;
    bool mapped;
    Out(size_t len, bool untouched) : n(std::max<size_t>(len, 1)), mapped(untouched) {
        if (mapped) {
            void* m = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m == MAP_FAILED) std::abort();
            p = static_cast<uint8_t*>(m);
        } else {
            p = static_cast<uint8_t*>(std::calloc(n, 1));
            if (!p) std::abort();
        }
    }
    ~Out() {
        if (mapped) munmap(p, n);
        else std::free(p);
    }
};

// One job of op on src; returns "ok", "corrupt" or the error text.
std::string one_job(cce_ctx* ctx, const std::string& op, const std::vector<uint8_t>& src, size_t n, Rng& r,
                    bool untouched) {
    const uint8_t* s = src.data();
    uint8_t key[64];
    for (auto& k : key) k = uint8_t(r.next());
    key[32] ^= 0x80;  // XTS: key1 != key2
    uint8_t iv[16];
    for (auto& v : iv) v = uint8_t(r.next());
    auto err = [](int rc) { return std::string(cce_strerror(rc)); };

    if (op == "memcpy") {
        Out o(n, untouched);
        int rc = cce_memcpy(ctx, o.p, s, n);
        if (rc) return err(rc);
        return std::memcmp(o.p, s, n) ? "corrupt" : "ok";
    }
    if (op == "crc32" || op == "crc32c") {
        uint32_t c = 0;
        int rc = op == "crc32" ? cce_crc32(ctx, s, n, &c) : cce_crc32c(ctx, s, n, &c);
        if (rc) return err(rc);
        uint32_t want = op == "crc32" ? uint32_t(crc32(0, s, uInt(n))) : crc32c_sw(s, n);
        return c == want ? "ok" : "corrupt";
    }
    if (op == "compress" || op == "decompress") {
        size_t bound = cce_compress_bound(n), clen = 0;
        Out c(bound, untouched);
        if (op == "compress") {
            int rc = cce_compress(ctx, CCE_FMT_ZLIB, 1 + int(r.next() % 9), s, n, c.p, bound, &clen);
            if (rc) return err(rc);
            std::vector<uint8_t> back(n + 1);
            uLongf bl = back.size();
            if (uncompress(back.data(), &bl, c.p, clen) != Z_OK || bl != n) return "corrupt";
            return std::memcmp(back.data(), s, n) ? "corrupt" : "ok";
        }
        uLongf cl = bound;
        if (compress2(c.p, &cl, s, uLong(n), 6) != Z_OK) return "software compress failed";
        Out o(n, untouched);
        size_t got = 0;
        int rc = cce_decompress(ctx, CCE_FMT_ZLIB, c.p, cl, o.p, o.n, &got);
        if (rc) return err(rc);
        return got == n && std::memcmp(o.p, s, n) == 0 ? "ok" : "corrupt";
    }
    if (op == "xts") {
        size_t len = std::max<size_t>(n & ~size_t(15), 16);
        if (len > src.size()) return "ok";
        Out o(len, untouched);
        std::vector<uint8_t> want(len);
        int rc = cce_xts(ctx, 1, key, 32, iv, 0, s, o.p, len);
        if (rc) return err(rc);
        if (!xts_sw(true, key, iv, s, want.data(), len)) return "software xts failed";
        return std::memcmp(o.p, want.data(), len) ? "corrupt" : "ok";
    }
    if (op == "gcm") {
        Out o(n, untouched);
        std::vector<uint8_t> want(n + 1);
        uint8_t tag[16], wtag[16];
        int rc = cce_gcm(ctx, 1, key, 32, iv, 12, nullptr, 0, s, o.p, n, tag, 16);
        if (rc) return err(rc);
        if (!gcm_sw(key, iv, s, want.data(), n, wtag)) return "software gcm failed";
        return std::memcmp(o.p, want.data(), n) || std::memcmp(tag, wtag, 16) ? "corrupt" : "ok";
    }
    if (op == "sha256" || op == "hmac") {
        uint8_t d[32], w[32];
        unsigned wl = 32;
        int rc = op == "sha256" ? cce_sha256(ctx, s, n, d) : cce_hmac_sha256(ctx, key, 32, s, n, d);
        if (rc) return err(rc);
        if (op == "sha256") SHA256(s, n, w);
        else HMAC(EVP_sha256(), key, 32, s, n, w, &wl);
        return std::memcmp(d, w, 32) ? "corrupt" : "ok";
    }
    return "unknown op " + op;
}

int worker(const Options& o, int id, int out_fd) {
    cce_open_opts oo;
    cce_open_opts_init(&oo);
    oo.policy = CCE_POLICY_HW_ONLY;
    if (o.fallback) {
        oo.policy = CCE_POLICY_AUTO;
        oo.flags |= CCE_OPEN_FALLBACK_ON_ERROR;
    }
    cce_ctx* ctx = nullptr;
    int rc = cce_open(&oo, &ctx);
    if (rc) {
        dprintf(out_fd, "proc %d: cannot open a queue: %s\n", id, cce_strerror(rc));
        return 4;
    }
    Rng r{o.seed * 1000003ull + uint64_t(id)};
    std::vector<uint8_t> src(o.max_size);
    for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t("the quick brown fox "[(r.next() >> 7) % 20]);
    Counts c;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.seconds);
    while (std::chrono::steady_clock::now() < end) {
        const std::string& op = o.ops[r.next() % o.ops.size()];
        size_t n = 1 + r.next() % o.max_size;
        if (r.next() % 4 == 0) n = std::min<size_t>(o.max_size, 4096u << (r.next() % 6));
        const std::string res = one_job(ctx, op, src, n, r, o.untouched);
        if (res == "ok") ++c.ok;
        else if (res == "corrupt") {
            ++c.corrupt;
            dprintf(out_fd, "proc %d: CORRUPT result: %s of %zu bytes returned success with wrong output\n", id,
                    op.c_str(), n);
        } else ++c.errors[op + ": " + res];
    }
    cce_stats st;
    cce_get_stats(ctx, &st);
    cce_close(ctx);
    // One summary line per process for the parent: ok corrupt hw sw fallbacks, then errors.
    std::string line = "R " + std::to_string(c.ok) + " " + std::to_string(c.corrupt) + " " +
                       std::to_string(st.jobs_hw) + " " + std::to_string(st.jobs_sw) + " " +
                       std::to_string(st.fallbacks);
    for (auto& [k, v] : c.errors) line += "\t" + k + "=" + std::to_string(v);
    dprintf(out_fd, "%s\n", line.c_str());
    return 0;
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> v;
    size_t p = 0;
    for (;;) {
        size_t q = s.find(',', p);
        if (q > p) v.push_back(s.substr(p, q == std::string::npos ? q : q - p));
        if (q == std::string::npos) return v;
        p = q + 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) usage(2);
            return argv[++i];
        };
        if (a == "--procs") o.procs = std::atoi(val().c_str());
        else if (a == "--seconds") o.seconds = std::atof(val().c_str());
        else if (a == "--ops") o.ops = split(val());
        else if (a == "--max-size") o.max_size = std::strtoul(val().c_str(), nullptr, 0);
        else if (a == "--seed") o.seed = uint32_t(std::strtoul(val().c_str(), nullptr, 0));
        else if (a == "--fallback") o.fallback = true;
        else if (a == "--untouched") o.untouched = true;
        else if (a == "-h" || a == "--help") usage(0);
        else usage(2);
    }
    if (o.procs < 1 || o.procs > 64 || o.seconds <= 0 || o.max_size < 16 || o.ops.empty()) usage(2);
    for (auto& op : o.ops)
        if (op != "memcpy" && op != "crc32" && op != "crc32c" && op != "compress" && op != "decompress" &&
            op != "xts" && op != "gcm" && op != "sha256" && op != "hmac") {
            std::fprintf(stderr, "cce-stress: unknown op '%s'\n", op.c_str());
            return 2;
        }
    std::printf("cce-stress: %d processes x %.0f s, ops %zu kinds, sizes 1..%zu, seed %u%s%s\n", o.procs, o.seconds,
                o.ops.size(), o.max_size, o.seed, o.fallback ? ", software fallback" : "",
                o.untouched ? ", untouched outputs" : "");
    std::fflush(stdout);
    int pfd[2];
    if (pipe(pfd)) return 4;
    std::vector<pid_t> kids;
    for (int i = 0; i < o.procs; ++i) {
        pid_t p = fork();
        if (p == 0) {
            close(pfd[0]);
            _exit(worker(o, i, pfd[1]));
        }
        kids.push_back(p);
    }
    close(pfd[1]);
    std::string all;
    char buf[4096];
    for (ssize_t n; (n = read(pfd[0], buf, sizeof buf)) > 0;) all.append(buf, size_t(n));
    int failed_procs = 0;
    for (pid_t p : kids) {
        int st = 0;
        waitpid(p, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) ++failed_procs;
    }
    uint64_t ok = 0, corrupt = 0, hw = 0, sw = 0, fb = 0;
    std::map<std::string, uint64_t> errors;
    size_t pos = 0;
    while (pos < all.size()) {
        size_t e = all.find('\n', pos);
        std::string line = all.substr(pos, e == std::string::npos ? e : e - pos);
        pos = e == std::string::npos ? all.size() : e + 1;
        if (line.rfind("R ", 0) != 0) {
            std::printf("%s\n", line.c_str());
            continue;
        }
        unsigned long long a, b, c, d, f;
        if (std::sscanf(line.c_str(), "R %llu %llu %llu %llu %llu", &a, &b, &c, &d, &f) == 5) {
            ok += a, corrupt += b, hw += c, sw += d, fb += f;
        }
        size_t t = line.find('\t');
        while (t != std::string::npos) {
            size_t t2 = line.find('\t', t + 1);
            std::string kv = line.substr(t + 1, t2 == std::string::npos ? t2 : t2 - t - 1);
            size_t eq = kv.rfind('=');
            if (eq != std::string::npos) errors[kv.substr(0, eq)] += std::strtoull(kv.c_str() + eq + 1, nullptr, 10);
            t = t2;
        }
    }
    uint64_t nerr = 0;
    for (auto& [k, v] : errors) nerr += v;
    std::printf("STRESS: jobs=%llu ok=%llu errors=%llu corrupt=%llu device=%llu software=%llu fallbacks=%llu "
                "failed_processes=%d\n",
                (unsigned long long)(ok + nerr + corrupt), (unsigned long long)ok, (unsigned long long)nerr,
                (unsigned long long)corrupt, (unsigned long long)hw, (unsigned long long)sw, (unsigned long long)fb,
                failed_procs);
    for (auto& [k, v] : errors) std::printf("STRESS: error %s: %llu\n", k.c_str(), (unsigned long long)v);
    if (corrupt) return 3;
    return failed_procs ? 4 : 0;
}
