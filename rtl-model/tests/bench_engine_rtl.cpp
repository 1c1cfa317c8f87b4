// SPDX-License-Identifier: MIT
// A 1 MiB job per datapath core through the whole engine (SystemC model,
// queue, DMA through ATS) in reference and in rtl mode. Counters:
//   core_cycles_per_s   RTL core cycles simulated per wall-clock second
//   bytes_per_cycle     job bytes / core cycles (rtl) or annotated cycles
//   sim_us              simulated time of the job
// Wall time per job is the benchmark's own time column.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <random>
#include <vector>

#include "cce/cce_hw.h"
#include "cce/harness/harness.h"
#include "cce/harness/test_queue.h"
#include "cce/model/engine.h"

using namespace cce;

namespace {

constexpr uint32_t kPasid = 1;
constexpr uint32_t kLen = 1 << 20;

enum Core { kCrc, kXts, kGcm, kSha, kLz77 };

uint32_t unit_of(Core c) {
    switch (c) {
    case kCrc: return CCE_DP_UNIT_CRC;
    case kXts:
    case kGcm: return CCE_DP_UNIT_AES;
    case kSha: return CCE_DP_UNIT_SHA;
    default: return CCE_DP_UNIT_LZ77;
    }
}

void BM_Job(benchmark::State& state) {
    const auto core = static_cast<Core>(state.range(0));
    const bool rtl = state.range(1) != 0;
    harness::Harness h(256u << 20);
    model::EngineConfig cfg;
    cfg.num_queues = 1;
    cfg.rtl_units = rtl ? unit_of(core) : 0;
    model::Engine e(cfg, h);
    h.attach(&e);
    e.mmio_write(CCE_BAR0, CCE_REG_GCTL, CCE_GCTL_ENABLE, 4);
    harness::QueueOptions o;
    o.pasid = kPasid;
    harness::TestQueue q(h, e, 0, o);
    q.enable();

    std::mt19937 rng(1);
    std::vector<uint8_t> data(kLen);
    const char* words[] = {"engine ", "queue ", "the ", "page ", "PASID "};
    for (size_t i = 0; i < kLen;) {  // text-like, so compression is meaningful
        const char* w = words[rng() % 5];
        for (size_t k = 0; w[k] && i < kLen; ++k) data[i++] = static_cast<uint8_t>(w[k]);
    }
    const uint64_t src = h.alloc(kPasid, kLen), dst = h.alloc(kPasid, kLen + 4096);
    h.write_va(kPasid, src, data.data(), kLen);
    cce_desc d = harness::make_desc(CCE_OP_NOP, src, kLen, dst, kLen + 4096, 0, 0);
    switch (core) {
    case kCrc:
        d.opcode = CCE_OP_CRC32;
        d.dst = d.dst_len = 0;
        break;
    case kXts: {
        cce_xts_param p{};
        p.key2[0] = 1;
        d.opcode = CCE_OP_AES_XTS_ENC;
        d.op_flags = CCE_AF_KEY_256;
        d.param = h.alloc(kPasid, sizeof p);
        h.write_va(kPasid, d.param, &p, sizeof p);
        d.param_len = sizeof p;
        break;
    }
    case kGcm: {
        cce_gcm_param p{};
        p.iv_len = 12;
        p.tag_len = 16;
        d.opcode = CCE_OP_AES_GCM_ENC;
        d.param = h.alloc(kPasid, sizeof p);
        h.write_va(kPasid, d.param, &p, sizeof p);
        d.param_len = sizeof p;
        break;
    }
    case kSha:
        d.opcode = CCE_OP_SHA256;
        d.flags = CCE_DF_FIRST | CCE_DF_LAST;
        d.dst_len = 32;
        break;
    case kLz77:
        d.opcode = CCE_OP_COMPRESS;
        d.flags = CCE_DF_FIRST | CCE_DF_LAST;
        d.op_flags = CCE_CF_MAKE(CCE_CF_FMT_GZIP, 1);
        break;
    }
    uint64_t core_cycles = 0, sim_cycles = 0, jobs = 0;
    double wall = 0;
    for (auto _ : state) {
        const auto before = e.stats();
        const uint64_t t0 = e.now_cycles();
        const auto w0 = std::chrono::steady_clock::now();
        q.submit(d);
        auto c = q.run_and_collect();
        wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
        if (c.size() != 1 || c[0].status != CCE_ST_SUCCESS) {
            state.SkipWithError("job failed");
            break;
        }
        core_cycles += e.stats().rtl_cycles - before.rtl_cycles;
        sim_cycles += e.now_cycles() - t0;
        ++jobs;
    }
    if (!jobs) return;
    state.SetBytesProcessed(int64_t(jobs) * kLen);
    state.counters["sim_us"] = double(sim_cycles) / jobs / cfg.clock_mhz;
    if (rtl) {
        state.counters["core_cycles_per_s"] = double(core_cycles) / wall;
        state.counters["bytes_per_cycle"] = double(jobs) * kLen / double(core_cycles);
    } else {
        state.counters["bytes_per_cycle"] = double(jobs) * kLen / double(sim_cycles);
    }
    static const char* names[] = {"crc32", "aes256-xts", "aes128-gcm", "sha256", "deflate-l1"};
    state.SetLabel(std::string(names[core]) + (rtl ? " rtl" : " reference"));
}

}  // namespace

BENCHMARK(BM_Job)
    ->ArgsProduct({{kCrc, kXts, kGcm, kSha, kLz77}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
