// SPDX-License-Identifier: MIT
// libFuzzer target for the descriptor and parameter-block decoders: the
// input is a batch of raw 64-byte descriptors (at most 15) submitted to a
// PASID queue, and whatever follows them is copied to the start of the
// mapped window, where steered param/context pointers land, so parameter
// blocks, GCM/HMAC parameters and streaming contexts get fuzzed content. The engine and harness persist across inputs (a function reset
// separates them). Properties: no crash, no hang (libFuzzer -timeout), every
// completion has a defined status, never more completions than descriptors.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "cce/cce_hw.h"
#include "cce/harness/harness.h"
#include "cce/harness/test_queue.h"
#include "cce/model/engine.h"

using namespace cce;

namespace {

constexpr uint32_t kPasid = 42;
constexpr size_t kWindow = 256 * 1024;

struct World {
    harness::Harness h{256u << 20};
    std::unique_ptr<model::Engine> engine;
    uint64_t mapped = 0, reserved = 0;
    std::unique_ptr<harness::TestQueue> q[2];  // without and with PRI
    World() {
        model::EngineConfig cfg;
        cfg.num_queues = 2;
        cfg.max_job_len = 1 << 20;
        engine = std::make_unique<model::Engine>(cfg, h);
        h.attach(engine.get());
        mapped = h.alloc(kPasid, kWindow);
        reserved = h.reserve(kPasid, kWindow);
        for (int pri = 0; pri < 2; ++pri) {
            harness::QueueOptions o;
            o.sq_entries = 16;
            o.cq_entries = 16;
            o.pasid = kPasid;
            o.pri = pri;
            q[pri] = std::make_unique<harness::TestQueue>(h, *engine, pri, o);
        }
    }
};

World& world() {
    static World* w = new World();  // lives for the fuzzing process
    return *w;
}

// Steer most addresses into memory that exists so the fuzzer reaches the
// execution paths, while raw values still exercise the checks.
uint64_t steer(uint64_t a, const World& w) {
    switch (a >> 62) {
    case 0: return w.mapped + (a % 4096) / 8 * 8;  // the fuzzed bytes, 8-byte aligned
    case 1: return w.mapped + (a % kWindow);
    case 2: return w.reserved + (a % kWindow);     // faulted in by page requests
    default: return a;                             // raw: exercises the checks
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    World& w = world();
    auto& e = *w.engine;
    e.function_reset();
    e.mmio_write(CCE_BAR0, CCE_REG_GCTL, CCE_GCTL_ENABLE, 4);
    harness::TestQueue& q = *w.q[size && (data[0] & 1)];
    q.enable();
    const size_t n = std::min<size_t>(size / CCE_DESC_SIZE, 15);
    // Fresh window content: zero, then the bytes after the descriptors.
    static std::vector<uint8_t> zero(kWindow, 0);
    w.h.write_va(kPasid, w.mapped, zero.data(), zero.size());
    const size_t rest = size - n * CCE_DESC_SIZE;
    w.h.write_va(kPasid, w.mapped, data + n * CCE_DESC_SIZE, std::min(rest, kWindow));
    for (size_t i = 0; i < n; ++i) {
        cce_desc d;
        std::memcpy(&d, data + i * CCE_DESC_SIZE, sizeof d);
        d.src = steer(d.src, w);
        d.dst = steer(d.dst, w);
        d.param = steer(d.param, w);
        // Keep lengths within the window most of the time (job time bound).
        if (!(d.rsvd0 & 0x8000)) {
            d.src_len %= 64 * 1024;
            d.dst_len %= 64 * 1024;
        }
        q.push(d);
    }
    if (n) q.ring();
    size_t got = 0;
    for (auto& c : q.run_and_collect()) {
        if (c.status > CCE_ST_MAX) std::abort();
        ++got;
    }
    // Descriptors may legally overwrite their own rings (same address
    // space), so fewer completions is possible; more is not.
    if (got > n) std::abort();
    return 0;
}
