// SPDX-License-Identifier: MIT
// bench_crypto: throughput of the crypto datapath (ours) against OpenSSL,
// with OpenSSL's hardware paths (AES-NI, PCLMULQDQ, SHA-NI, AVX...) and with
// them masked off. One invocation does both: the process runs "ours/*" and
// "openssl/*" itself, then re-executes itself with OPENSSL_ia32cap set (read
// once at OpenSSL initialisation, hence the exec) to run "openssl/*" again on
// the software-only path (it runs "ours/*" again too, so ours/SW compares
// two measurements taken in the same time window), and prints a summary
// table with both ratios.
//
// The mask (see README.md): OPENSSL_ia32cap="~0x1200020200000000:0"
//   first word, CPUID.1 ECX<<32 | EDX, bits cleared:
//     33 PCLMULQDQ, 41 SSSE3, 57 AES-NI, 60 AVX
//   ":0" sets the second word (CPUID.7 EBX/ECX) to zero: no SHA extensions,
//     AVX2, BMI1/2, ADX, AVX-512, VAES, VPCLMULQDQ.
// That leaves OpenSSL on its table-driven x86-64 AES (aes-x86_64), the 4-bit
// GHASH and the integer-only SHA-256 block function.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "cce/datapath/gcm.h"
#include "cce/datapath/sha256.h"
#include "cce/datapath/xts.h"

namespace dp = cce::datapath;

namespace {

constexpr const char* kSwMask = "~0x1200020200000000:0";
constexpr const char* kChildEnv = "CCE_BENCH_CRYPTO_CHILD";
constexpr const char* kResultTag = "@@cce-result ";

const char* const kAlgos[] = {"AES-128-XTS", "AES-256-XTS", "AES-128-GCM", "AES-256-GCM", "SHA-256"};
const int64_t kSizes[] = {4096, 1 << 20};

std::vector<uint8_t> filled(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 131);
    return v;
}

// ---- ours

void ours_xts(benchmark::State& st, size_t kl) {
    const size_t n = static_cast<size_t>(st.range(0));
    auto in = filled(n, 1), out = filled(n, 2), k1 = filled(32, 3), k2 = filled(32, 4);
    uint8_t tweak[16] = {7};
    dp::XtsContext ctx;
    if (ctx.set_keys(k1.data(), k2.data(), kl, true) != CCE_ST_SUCCESS) {
        st.SkipWithError("set_keys");
        return;
    }
    for (auto _ : st) {
        ctx.crypt(tweak, in.data(), out.data(), n);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(n));
}

void ours_gcm(benchmark::State& st, size_t kl) {
    const size_t n = static_cast<size_t>(st.range(0));
    auto in = filled(n, 1), out = filled(n, 2), key = filled(32, 3), iv = filled(12, 4);
    uint8_t tag[16];
    for (auto _ : st) {
        // one-shot, as the engine calls it: key schedule + GHASH table
        // setup are inside the timed region
        dp::gcm_crypt(key.data(), kl, iv.data(), 12, nullptr, 0, in.data(), out.data(), n, tag, 16, true);
        benchmark::DoNotOptimize(out.data());
        benchmark::DoNotOptimize(tag);
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(n));
}

void ours_sha(benchmark::State& st) {
    const size_t n = static_cast<size_t>(st.range(0));
    auto in = filled(n, 1);
    uint8_t d[32];
    for (auto _ : st) {
        dp::sha256(in.data(), n, d);
        benchmark::DoNotOptimize(d);
    }
    st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(n));
}

// ---- OpenSSL (EVP, context keyed once, IV reset per buffer)

void ossl_xts(benchmark::State& st, size_t kl) {
    const size_t n = static_cast<size_t>(st.range(0));
    auto in = filled(n, 1), out = filled(n, 2), k1 = filled(32, 3), k2 = filled(32, 4);
    std::vector<uint8_t> key(k1.begin(), k1.begin() + static_cast<long>(kl));
    key.insert(key.end(), k2.begin(), k2.begin() + static_cast<long>(kl));
    uint8_t tweak[16] = {7};
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(ctx, kl == 16 ? EVP_aes_128_xts() : EVP_aes_256_xts(), nullptr, key.data(), tweak);
    for (auto _ : st) {
        int len = 0;
        EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, tweak);
        if (EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(n)) != 1) {
            st.SkipWithError("EVP xts");
            break;
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    EVP_CIPHER_CTX_free(ctx);
    st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(n));
}

void ossl_gcm(benchmark::State& st, size_t kl) {
    const size_t n = static_cast<size_t>(st.range(0));
    auto in = filled(n, 1), out = filled(n + 16, 2), key = filled(32, 3), iv = filled(12, 4);
    uint8_t tag[16];
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(ctx, kl == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), nullptr, key.data(), iv.data());
    for (auto _ : st) {
        int len = 0, fl = 0;
        EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data());
        if (EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(n)) != 1 ||
            EVP_EncryptFinal_ex(ctx, out.data() + len, &fl) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1) {
            st.SkipWithError("EVP gcm");
            break;
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::DoNotOptimize(tag);
        benchmark::ClobberMemory();
    }
    EVP_CIPHER_CTX_free(ctx);
    st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(n));
}

void ossl_sha(benchmark::State& st) {
    const size_t n = static_cast<size_t>(st.range(0));
    auto in = filled(n, 1);
    uint8_t d[32];
    unsigned dl = 0;
    const EVP_MD* md = EVP_sha256();
    for (auto _ : st) {
        EVP_Digest(in.data(), n, d, &dl, md, nullptr);
        benchmark::DoNotOptimize(d);
    }
    st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(n));
}

void register_all() {
    auto reg = [](const std::string& name, auto fn) {
        auto* b = benchmark::RegisterBenchmark(name.c_str(), fn);
        for (int64_t s : kSizes) b->Arg(s);
        b->Unit(benchmark::kMicrosecond);
    };
    // Interleaved (ours, then OpenSSL, per algorithm) so each pair is
    // measured close together in time on a shared machine.
    reg("ours/AES-128-XTS", [](benchmark::State& s) { ours_xts(s, 16); });
    reg("openssl/AES-128-XTS", [](benchmark::State& s) { ossl_xts(s, 16); });
    reg("ours/AES-256-XTS", [](benchmark::State& s) { ours_xts(s, 32); });
    reg("openssl/AES-256-XTS", [](benchmark::State& s) { ossl_xts(s, 32); });
    reg("ours/AES-128-GCM", [](benchmark::State& s) { ours_gcm(s, 16); });
    reg("openssl/AES-128-GCM", [](benchmark::State& s) { ossl_gcm(s, 16); });
    reg("ours/AES-256-GCM", [](benchmark::State& s) { ours_gcm(s, 32); });
    reg("openssl/AES-256-GCM", [](benchmark::State& s) { ossl_gcm(s, 32); });
    reg("ours/SHA-256", [](benchmark::State& s) { ours_sha(s); });
    reg("openssl/SHA-256", [](benchmark::State& s) { ossl_sha(s); });
}

// Console output plus a name -> bytes/s map (and, in the child, tagged
// lines the parent parses).
class CollectingReporter : public benchmark::ConsoleReporter {
public:
    explicit CollectingReporter(bool emit)
        : ConsoleReporter(isatty(1) ? OO_Defaults : OO_Tabular), emit_(emit) {}
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& r : runs) {
            if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
            auto it = r.counters.find("bytes_per_second");
            if (it == r.counters.end()) continue;
            results[r.benchmark_name()] = it->second.value;
            if (emit_) std::printf("%s%s %.6e\n", kResultTag, r.benchmark_name().c_str(), it->second.value);
        }
        std::fflush(stdout);
    }
    std::map<std::string, double> results;

private:
    bool emit_;
};

// Re-run this binary with the software-only mask; returns its results.
std::map<std::string, double> run_sw_child(int argc, char** argv) {
    std::map<std::string, double> res;
    int fds[2];
    if (pipe(fds) != 0) return res;
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        setenv("OPENSSL_ia32cap", kSwMask, 1);
        setenv(kChildEnv, "1", 1);
        std::vector<char*> args;
        for (int i = 0; i < argc; ++i) args.push_back(argv[i]);
        args.push_back(nullptr);
        execv("/proc/self/exe", args.data());
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return res;
    }
    FILE* f = fdopen(fds[0], "r");
    char line[4096];
    while (f && std::fgets(line, sizeof line, f)) {
        if (const char* tag = std::strstr(line, kResultTag)) {
            char name[1024];
            double v = 0;
            if (std::sscanf(tag + std::strlen(kResultTag), "%1023s %lf", name, &v) == 2) res[name] = v;
        } else {
            std::printf("[sw] %s", line);
        }
    }
    if (f) std::fclose(f);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        std::printf("software-only child failed (status %d)\n", status);
    return res;
}

}  // namespace

int main(int argc, char** argv) {
    const bool child = std::getenv(kChildEnv) != nullptr;
    std::vector<char*> args(argv, argv + argc);  // RunSpecifiedBenchmarks flags
    int bargc = argc;
    benchmark::Initialize(&bargc, argv);
    if (benchmark::ReportUnrecognizedArguments(bargc, argv)) return 1;
    register_all();
    if (child) std::printf("software-only run: OPENSSL_ia32cap=%s\n", std::getenv("OPENSSL_ia32cap"));
    CollectingReporter rep(child);
    benchmark::RunSpecifiedBenchmarks(&rep);
    if (child) return 0;

    const char* user_cap = std::getenv("OPENSSL_ia32cap");
    auto sw = run_sw_child(argc, args.data());
    auto& hw = rep.results;

    std::printf("\nThroughput, MB/s (1 MB = 10^6 bytes). OpenSSL-HW: %s; OpenSSL-SW: "
                "OPENSSL_ia32cap=%s\n",
                user_cap ? user_cap : "default CPU features", kSwMask);
    std::printf("%-12s %6s | %9s %11s %8s | %9s %11s %8s\n", "algorithm", "buffer", "ours",
                "OpenSSL-HW", "ours/HW", "ours(2)", "OpenSSL-SW", "ours/SW");
    auto get = [](const std::map<std::string, double>& m, const std::string& k) {
        auto it = m.find(k);
        return it == m.end() ? 0.0 : it->second / 1e6;
    };
    for (const char* a : kAlgos) {
        for (int64_t s : kSizes) {
            const std::string suffix = std::string(a) + "/" + std::to_string(s);
            double o = get(hw, "ours/" + suffix), h = get(hw, "openssl/" + suffix);
            double o2 = get(sw, "ours/" + suffix), w = get(sw, "openssl/" + suffix);
            if (o == 0 && h == 0) continue;  // filtered out
            std::printf("%-12s %6s | %9.1f %11.1f %8.2f | %9.1f %11.1f %8.2f\n", a,
                        s >= (1 << 20) ? "1MiB" : "4KiB", o, h, h > 0 ? o / h : 0.0, o2, w,
                        w > 0 ? o2 / w : 0.0);
        }
    }
    std::printf("ours = first run (with OpenSSL-HW); ours(2) = re-run inside the "
                "OPENSSL_ia32cap child, next to OpenSSL-SW.\n");
    benchmark::Shutdown();
    return 0;
}
