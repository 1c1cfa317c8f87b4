// SPDX-License-Identifier: MIT
// RTL runners vs the reference datapath on 1 MiB jobs. Per RTL benchmark:
// sim_cycles/s (simulated clocks per wall-clock second), bytes_per_cycle
// (simulated throughput) and the wall time per 1 MiB job (the benchmark
// time); the *_Ref benchmarks give the reference C++ wall time.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <vector>

#include "cce/datapath/aes.h"
#include "cce/datapath/crc.h"
#include "cce/datapath/deflate.h"
#include "cce/datapath/gcm.h"
#include "cce/datapath/sha256.h"
#include "cce/datapath/xts.h"
#include "cce/rtl/cores.h"

namespace dp = cce::datapath;
using cce::rtl::RunStats;

namespace {

constexpr size_t kMiB = size_t{1} << 20;

const std::vector<uint8_t>& data() {
    static const std::vector<uint8_t> d = [] {
        std::vector<uint8_t> v(kMiB);
        std::mt19937_64 rng(7);
        for (auto& b : v) b = static_cast<uint8_t>(rng());
        return v;
    }();
    return d;
}

void report(benchmark::State& state, const RunStats& st, size_t bytes) {
    const double iters = static_cast<double>(state.iterations());
    state.counters["sim_cycles/s"] =
        benchmark::Counter(static_cast<double>(st.cycles), benchmark::Counter::kIsRate);
    state.counters["cycles/job"] = static_cast<double>(st.cycles) / iters;
    state.counters["bytes/cycle"] = static_cast<double>(bytes) * iters / static_cast<double>(st.cycles);
    state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
}

void BM_Crc32c_Rtl(benchmark::State& state) {
    cce::rtl::CrcCore core;
    RunStats st;
    for (auto _ : state) benchmark::DoNotOptimize(core.run(true, 0, data().data(), kMiB, st));
    report(state, st, kMiB);
}
void BM_Crc32c_Ref(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(dp::crc32c(0, data().data(), kMiB));
    state.SetBytesProcessed(static_cast<int64_t>(kMiB) * state.iterations());
}

void BM_Sha256Compress_Rtl(benchmark::State& state) {
    cce::rtl::Sha256Core core;
    RunStats st;
    uint32_t h[8] = {};
    for (auto _ : state) core.compress(h, data().data(), kMiB / 64, st);
    benchmark::DoNotOptimize(h);
    report(state, st, kMiB);
}
void BM_Sha256Compress_Ref(benchmark::State& state) {
    uint32_t h[8] = {};
    for (auto _ : state) dp::Sha256::compress(h, data().data(), kMiB / 64);
    benchmark::DoNotOptimize(h);
    state.SetBytesProcessed(static_cast<int64_t>(kMiB) * state.iterations());
}

void BM_AesEcb_Rtl(benchmark::State& state) {
    const size_t klen = static_cast<size_t>(state.range(0));
    const bool dec = state.range(1) != 0;
    cce::rtl::AesCore core;
    RunStats st, kst;
    uint8_t key[32] = {1, 2, 3};
    core.set_key(key, klen, kst);
    std::vector<uint8_t> out(kMiB);
    for (auto _ : state) {
        if (dec)
            core.decrypt_blocks(data().data(), out.data(), kMiB / 16, st);
        else
            core.encrypt_blocks(data().data(), out.data(), kMiB / 16, st);
    }
    report(state, st, kMiB);
}
void BM_AesEcb_Ref(benchmark::State& state) {
    const size_t klen = static_cast<size_t>(state.range(0));
    const bool dec = state.range(1) != 0;
    dp::Aes aes;
    uint8_t key[32] = {1, 2, 3};
    aes.set_key(key, klen);
    std::vector<uint8_t> out(kMiB);
    for (auto _ : state) {
        if (dec)
            aes.decrypt_blocks(data().data(), out.data(), kMiB / 16);
        else
            aes.encrypt_blocks(data().data(), out.data(), kMiB / 16);
    }
    state.SetBytesProcessed(static_cast<int64_t>(kMiB) * state.iterations());
}

cce_xts_param xts_param() {
    cce_xts_param p{};
    for (int i = 0; i < 32; ++i) {
        p.key1[i] = static_cast<uint8_t>(i);
        p.key2[i] = static_cast<uint8_t>(100 + i);
    }
    return p;
}
// XTS data units are capped at 16 MiB; one 1 MiB unit per iteration.
void BM_XtsEnc256_Rtl(benchmark::State& state) {
    cce::rtl::AesCore core;
    RunStats st;
    const auto p = xts_param();
    std::vector<uint8_t> out(kMiB);
    for (auto _ : state) cce::rtl::xts_crypt_rtl(p, true, true, data().data(), out.data(), kMiB, core, st);
    report(state, st, kMiB);
}
void BM_XtsEnc256_Ref(benchmark::State& state) {
    const auto p = xts_param();
    std::vector<uint8_t> out(kMiB);
    for (auto _ : state) dp::xts_crypt(p, true, true, data().data(), out.data(), kMiB);
    state.SetBytesProcessed(static_cast<int64_t>(kMiB) * state.iterations());
}

cce_gcm_param gcm_param() {
    cce_gcm_param p{};
    p.iv_len = 12;
    p.tag_len = 16;
    return p;
}
void BM_GcmEnc128_Rtl(benchmark::State& state) {
    cce::rtl::AesCore core;
    RunStats st;
    std::vector<uint8_t> out(kMiB);
    for (auto _ : state) {
        auto p = gcm_param();
        cce::rtl::gcm_crypt_rtl(p, false, true, nullptr, data().data(), out.data(), kMiB, core, st);
    }
    report(state, st, kMiB);
}
void BM_GcmEnc128_Ref(benchmark::State& state) {
    std::vector<uint8_t> out(kMiB);
    for (auto _ : state) {
        auto p = gcm_param();
        dp::gcm_crypt(p, false, true, nullptr, data().data(), out.data(), kMiB);
    }
    state.SetBytesProcessed(static_cast<int64_t>(kMiB) * state.iterations());
}

// Compressible 1 MiB (text-like: small alphabet with copies).
const std::vector<uint8_t>& text() {
    static const std::vector<uint8_t> d = [] {
        std::vector<uint8_t> v(kMiB);
        std::mt19937_64 rng(9);
        for (size_t i = 0; i < v.size(); ++i)
            v[i] = (i > 64 && rng() % 4) ? v[i - 1 - rng() % 64] : static_cast<uint8_t>('a' + rng() % 16);
        return v;
    }();
    return d;
}
void BM_Lz77Level1_Rtl(benchmark::State& state) {
    cce::rtl::Lz77Core core;
    RunStats st;
    std::vector<cce::rtl::Lz77Token> tok;
    tok.reserve(kMiB);
    for (auto _ : state) {
        tok.clear();
        core.run(text().data(), kMiB, 15, tok, st);
    }
    report(state, st, kMiB);
    state.counters["tokens"] = static_cast<double>(tok.size());
}
// The reference has no token-only entry point: this is the whole level-1
// deflate (match finder + block coding), an upper bound for its finder.
void BM_Lz77Level1_RefDeflate(benchmark::State& state) {
    std::vector<uint8_t> out(dp::deflate::compress_bound(kMiB, CCE_CF_FMT_RAW));
    for (auto _ : state)
        dp::deflate::compress(text().data(), kMiB, out.data(), out.size(), CCE_CF_FMT_RAW, 1, 15);
    state.SetBytesProcessed(static_cast<int64_t>(kMiB) * state.iterations());
}

}  // namespace

BENCHMARK(BM_Lz77Level1_Rtl)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Lz77Level1_RefDeflate)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Crc32c_Rtl)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Crc32c_Ref)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sha256Compress_Rtl)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sha256Compress_Ref)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AesEcb_Rtl)->ArgNames({"key", "dec"})->Args({16, 0})->Args({16, 1})->Args({32, 0})->Args({32, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AesEcb_Ref)->ArgNames({"key", "dec"})->Args({16, 0})->Args({16, 1})->Args({32, 0})->Args({32, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_XtsEnc256_Rtl)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_XtsEnc256_Ref)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GcmEnc128_Rtl)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GcmEnc128_Ref)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
