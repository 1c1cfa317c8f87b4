// SPDX-License-Identifier: MIT
// Common fixture: a fresh engine + harness per test, globally enabled.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "cce/cce_hw.h"
#include "cce/harness/harness.h"
#include "cce/harness/test_queue.h"
#include "cce/model/engine.h"

namespace cce::test {

using harness::Harness;
using harness::kNoPasid;
using harness::make_desc;
using harness::QueueOptions;
using harness::TestQueue;
using model::Engine;
using model::EngineConfig;

class EngineTest : public ::testing::Test {
protected:
    void SetUp() override { make(EngineConfig{}); }
    void TearDown() override {
        queues.clear();
        engine.reset();
    }
    void make(const EngineConfig& cfg) {
        queues.clear();
        engine.reset();
        h = std::make_unique<Harness>(96u << 20);
        engine = std::make_unique<Engine>(cfg, *h);
        h->attach(engine.get());
        wr(CCE_REG_GCTL, CCE_GCTL_ENABLE);
        wr(CCE_REG_INTCFG, CCE_INTCFG_ERR_IRQ_EN);
    }
    uint32_t rd(uint32_t off) { return static_cast<uint32_t>(engine->mmio_read(CCE_BAR0, off, 4)); }
    uint64_t rd64(uint32_t off) { return engine->mmio_read(CCE_BAR0, off, 8); }
    void wr(uint32_t off, uint32_t v) { engine->mmio_write(CCE_BAR0, off, v, 4); }
    TestQueue& queue(unsigned idx, const QueueOptions& o = {}) {
        queues.push_back(std::make_unique<TestQueue>(*h, *engine, idx, o));
        return *queues.back();
    }
    static std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
        std::vector<uint8_t> v(n);
        std::mt19937 rng(seed);
        for (auto& b : v) b = static_cast<uint8_t>(rng());
        return v;
    }
    // Allocate a buffer in domain d holding data; returns its VA.
    uint64_t buffer(uint32_t d, const std::vector<uint8_t>& data) {
        const uint64_t va = h->alloc(d, data.size());
        EXPECT_TRUE(h->write_va(d, va, data.data(), data.size()));
        return va;
    }
    uint16_t err_vector() const { return static_cast<uint16_t>(CCE_MSIX_ERR_VECTOR(engine->config().num_queues)); }

    std::unique_ptr<Harness> h;
    std::unique_ptr<Engine> engine;
    std::vector<std::unique_ptr<TestQueue>> queues;
};

}  // namespace cce::test
