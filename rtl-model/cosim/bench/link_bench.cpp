// SPDX-License-Identifier: MIT
// Cosim link benchmark.
//
//  BM_MmioRoundTrip: MMIO read of CCE_REG_ID from a host (FakeHost, playing
//    QEMU) through the socket to a real cce-model process (Engine inside)
//    and back. Counters p50_us / p99_us. No busy polling unless --spin.
//  BM_DmaShared/N: the model's dma_read of N bytes at a translated address
//    in guest RAM shared with it (memfd), i.e. what a DMA costs the model.
//  BM_DmaViaHost/N: the same read without shared guest RAM: DMA_READ
//    message, the host copies into the transfer buffer, DMA_DONE.
//  BM_Memcpy/N: in-process memcpy of N bytes, the reference.
#include <algorithm>
#include <atomic>
#include <benchmark/benchmark.h>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>
#include <unistd.h>
#include <vector>

#include "../tests/proc.h"
#include "cce/cce_hw.h"
#include "cce/cosim/fake_host.h"
#include "cce/cosim/model_link.h"
#include "cce/cosim/sock.h"

using namespace cce::cosim;

namespace {

void BM_MmioRoundTrip(benchmark::State& state) {
    std::string dir = test::make_temp_dir("bench");
    std::string sock = dir + "/m.sock";
    test::Proc model;
    model.start({CCE_MODEL_PATH, "--socket", sock, "--queues", "4"}, dir + "/model.log");
    FakeHostOptions o;
    o.num_queues = 4;
    o.spin_us = static_cast<int>(state.range(0));
    auto hp = std::make_unique<FakeHost>(o);
    FakeHost& h = *hp;
    struct Cleanup {
        std::unique_ptr<FakeHost>& h;
        test::Proc& m;
        std::string d;
        ~Cleanup() {
            h.reset();
            if (!m.wait(5000)) m.kill_hard();
            std::error_code ec;
            std::filesystem::remove_all(d, ec);
        }
    } cleanup{hp, model, dir};
    if (!h.connect(sock)) {
        state.SkipWithError(("connect: " + h.error()).c_str());
        return;
    }
    std::vector<double> lat;
    lat.reserve(1 << 16);
    for (auto _ : state) {
        auto t0 = std::chrono::steady_clock::now();
        uint64_t v = h.rd32(CCE_REG_ID);
        auto t1 = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(v);
        if (v != CCE_ID_MAGIC) {
            state.SkipWithError("bad ID");
            break;
        }
        lat.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    if (!lat.empty()) {
        std::sort(lat.begin(), lat.end());
        state.counters["p50_us"] = lat[lat.size() / 2];
        state.counters["p99_us"] = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
    }
}
BENCHMARK(BM_MmioRoundTrip)->Arg(0)->ArgName("spin_us")->UseRealTime();

// In-process model side (ModelLink) with a FakeHost thread as the host.
struct DmaRig {
    std::string dir, sock;
    std::unique_ptr<FakeHost> host;
    std::unique_ptr<ModelLink> link;
    std::thread th;
    std::atomic<bool> stop{false};

    bool up(bool share) {
        dir = test::make_temp_dir("dma");
        sock = dir + "/l.sock";
        int lfd = listen_unix(sock);
        if (lfd < 0) return false;
        FakeHostOptions o;
        o.num_queues = 1;
        o.ram_size = 64u << 20;
        o.share_ram = share;
        host = std::make_unique<FakeHost>(o);
        bool ok = false;
        std::thread c([&] { ok = host->connect(sock); });
        int fd = accept_unix(lfd, 10000);
        close(lfd);
        LinkOptions lo;
        lo.num_queues = 1;
        lo.bus_master = true;
        lo.xfer_size = 4u << 20;
        lo.log = nullptr;
        link = std::make_unique<ModelLink>(fd, lo);
        bool hs = link->handshake();
        c.join();
        if (!ok || !hs) return false;
        th = std::thread([this] {
            while (!stop) host->serve_until_msix(~0ull, 50);
        });
        return true;
    }
    ~DmaRig() {
        stop = true;
        if (th.joinable()) th.join();
        link.reset();
        host.reset();
        unlink(sock.c_str());
        rmdir(dir.c_str());
    }
};

void dma_bench(benchmark::State& state, bool share) {
    const size_t n = static_cast<size_t>(state.range(0));
    DmaRig rig;
    if (!rig.up(share)) {
        state.SkipWithError("link setup failed");
        return;
    }
    // Page-aligned like the guest RAM side, so memcpy alignment matches BM_Memcpy.
    std::unique_ptr<uint8_t, decltype(&free)> mem(
        static_cast<uint8_t*>(aligned_alloc(4096, n)), &free);
    uint8_t* buf = mem.get();
    std::memset(buf, 0, n);
    std::memset(rig.host->ram(), 0x5a, n);
    cce::model::DmaAttrs a;
    a.translated = true;
    for (auto _ : state) {
        auto st = rig.link->dma_read(rig.host->gpa(0), buf, n, a);
        if (st != cce::model::DmaStatus::Ok) {
            state.SkipWithError("dma_read failed");
            break;
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}

void BM_DmaShared(benchmark::State& state) { dma_bench(state, true); }
void BM_DmaViaHost(benchmark::State& state) { dma_bench(state, false); }

void BM_Memcpy(benchmark::State& state) {
    const size_t n = static_cast<size_t>(state.range(0));
    std::unique_ptr<uint8_t, decltype(&free)> a(static_cast<uint8_t*>(aligned_alloc(4096, n)), &free),
        b(static_cast<uint8_t*>(aligned_alloc(4096, n)), &free);
    std::memset(a.get(), 0x5a, n);
    std::memset(b.get(), 0, n);
    for (auto _ : state) {
        std::memcpy(b.get(), a.get(), n);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}

BENCHMARK(BM_Memcpy)->Arg(4096)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();
BENCHMARK(BM_DmaShared)->Arg(4096)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();
BENCHMARK(BM_DmaViaHost)->Arg(4096)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
