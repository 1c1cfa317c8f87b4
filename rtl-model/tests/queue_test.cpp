// SPDX-License-Identifier: MIT
// Doorbell -> fetch -> execute -> completion, phase bit, several queues,
// interrupts and moderation, CQ back-pressure, drain and abort.
#include <zlib.h>

#include "cce/datapath/crc.h"
#include "fixture.h"

namespace cce::test {

TEST_F(EngineTest, MemcpyCompletesWithCookieAndData) {
    auto& q = queue(0);
    ASSERT_TRUE(q.enable() & CCE_QSTS_ENABLED);
    const auto data = pattern(10000, 1);
    const uint64_t src = buffer(kNoPasid, data);
    const uint64_t dst = h->alloc(kNoPasid, data.size());
    q.submit(make_desc(CCE_OP_MEMCPY, src, 10000, dst, 10000, 0xfeedbeef));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
    EXPECT_EQ(c[0].cookie, 0xfeedbeefu);
    EXPECT_EQ(c[0].bytes_consumed, 10000u);
    EXPECT_EQ(c[0].bytes_produced, 10000u);
    EXPECT_EQ(c[0].sq_head, 1u);
    EXPECT_EQ(h->read_vec(kNoPasid, dst, data.size()), data);
    EXPECT_EQ(q.reg(CCE_Q_SQ_HEAD), 1u);
    EXPECT_EQ(q.reg(CCE_Q_CQ_TAIL), 1u);
    EXPECT_EQ(q.reg64(CCE_Q_STAT_JOBS), 1u);
    // Descriptor fetch + 10000 read + 10000 written + completion.
    EXPECT_EQ(q.reg64(CCE_Q_STAT_DMA_BYTES), uint64_t(CCE_DESC_SIZE + 20000 + CCE_CPL_SIZE));
    EXPECT_EQ(queue(1).reg64(CCE_Q_STAT_DMA_BYTES), 0u);
    EXPECT_EQ(h->msix_count(0), 1u);
    EXPECT_GT(engine->now_ns(), 0u);
}

TEST_F(EngineTest, UnalignedAndOddSizedBuffersCopyExactly) {
    auto& q = queue(0);
    q.enable();
    const auto data = pattern(3 * 4096 + 77, 2);
    const uint64_t src = buffer(kNoPasid, data) + 0;
    const uint64_t dst = h->alloc(kNoPasid, data.size() + 64);
    const std::vector<std::pair<uint32_t, uint32_t>> cuts = {{1, 4097}, {3, 1}, {4095, 8193}, {7, 0}};
    for (auto [off, len] : cuts) q.push(make_desc(CCE_OP_MEMCPY, src + off, len, dst + off + 5, len, off));
    q.ring();
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), cuts.size());
    for (size_t i = 0; i < cuts.size(); ++i) {
        auto [off, len] = cuts[i];
        EXPECT_EQ(c[i].status, CCE_ST_SUCCESS);
        EXPECT_EQ(c[i].bytes_produced, len);
        std::vector<uint8_t> want(data.begin() + off, data.begin() + off + len);
        EXPECT_EQ(h->read_vec(kNoPasid, dst + off + 5, len), want) << off;
    }
}

TEST_F(EngineTest, PhaseBitAcrossManyRingWraps) {
    QueueOptions o;
    o.sq_entries = 8;
    o.cq_entries = 4;
    auto& q = queue(3, o);
    q.enable();
    const uint64_t buf = h->alloc(kNoPasid, 64);
    uint64_t cookie = 0, expected = 0;
    std::vector<cce_cpl> all;
    // 300 jobs through an 8-entry SQ and a 4-entry CQ: ~75 CQ wraps.
    while (expected < 300) {
        while (q.sq_free() && cookie < 300) q.push(make_desc(CCE_OP_CRC32, buf, 64, 0, 0, cookie++));
        q.ring();
        engine->run_until_idle();
        while (auto c = q.poll()) {
            ASSERT_EQ(c->cookie, expected++);
            ASSERT_EQ(c->status, CCE_ST_SUCCESS);
        }
    }
    EXPECT_EQ(q.reg64(CCE_Q_STAT_JOBS), 300u);
    EXPECT_EQ(q.reg(CCE_Q_STATUS) & CCE_QSTS_ERROR, 0u);
}

TEST_F(EngineTest, CrcMatchesZlibAndChainsThroughSeed) {
    auto& q = queue(0);
    q.enable();
    const auto data = pattern(100000, 3);
    const uint64_t src = buffer(kNoPasid, data);
    q.push(make_desc(CCE_OP_CRC32, src, 100000, 0, 0, 1));
    q.push(make_desc(CCE_OP_CRC32C, src, 100000, 0, 0, 2));
    cce_desc first = make_desc(CCE_OP_CRC32, src, 40000, 0, 0, 3);
    q.push(first);
    q.ring();
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].result, static_cast<uint32_t>(::crc32(0, data.data(), 100000)));
    EXPECT_EQ(c[1].result, datapath::crc32c(0, data.data(), 100000));
    cce_desc second = make_desc(CCE_OP_CRC32, src + 40000, 60000, 0, 0, 4);
    second.seed = c[2].result;
    q.submit(second);
    auto c2 = q.run_and_collect();
    ASSERT_EQ(c2.size(), 1u);
    EXPECT_EQ(c2[0].result, c[0].result);
}

TEST_F(EngineTest, QueuesWithDifferentPasidsStayInTheirAddressSpaces) {
    // Four processes, same virtual addresses, different memory.
    constexpr unsigned kQ = 4;
    std::vector<TestQueue*> qs;
    std::vector<uint64_t> src(kQ), dst(kQ);
    std::vector<std::vector<uint8_t>> data(kQ);
    for (unsigned i = 0; i < kQ; ++i) {
        QueueOptions o;
        o.pasid = 100 + i;
        qs.push_back(&queue(i, o));
        data[i] = pattern(50000, 10 + i);
        src[i] = buffer(100 + i, data[i]);
        dst[i] = h->alloc(100 + i, 50000);
    }
    for (unsigned i = 1; i < kQ; ++i) {
        ASSERT_EQ(src[i], src[0]);  // identical VAs in every PASID
        ASSERT_EQ(dst[i], dst[0]);
    }
    for (unsigned i = 0; i < kQ; ++i) {
        qs[i]->enable();
        for (int j = 0; j < 5; ++j) qs[i]->push(make_desc(CCE_OP_MEMCPY, src[i], 50000, dst[i], 50000, j));
    }
    for (auto* q : qs) q->ring();  // all queues run at once
    engine->run_until_idle();
    for (unsigned i = 0; i < kQ; ++i) {
        unsigned n = 0;
        while (auto c = qs[i]->poll()) {
            EXPECT_EQ(c->status, CCE_ST_SUCCESS);
            ++n;
        }
        EXPECT_EQ(n, 5u);
        EXPECT_EQ(h->read_vec(100 + i, dst[i], 50000), data[i]) << "queue " << i;
    }
    const auto st = engine->stats();
    for (unsigned i = 0; i < kQ; ++i) EXPECT_EQ(st.queues[i].jobs, 5u);
    EXPECT_GT(st.atc_hits, 0u);
}

TEST_F(EngineTest, ArbiterSharesSlotsFairly) {
    EngineConfig cfg;
    cfg.exec_slots = 1;
    make(cfg);
    auto& a = queue(0);
    auto& b = queue(1);
    a.enable();
    b.enable();
    const uint64_t buf = h->alloc(kNoPasid, 8192);
    for (int i = 0; i < 10; ++i) a.push(make_desc(CCE_OP_CRC32, buf, 8192, 0, 0, i));
    for (int i = 0; i < 10; ++i) b.push(make_desc(CCE_OP_CRC32, buf, 8192, 0, 0, i));
    a.ring();
    b.ring();
    // Stop half-way through the work and check both queues progressed.
    engine->run_for_ns(20 * 1000);
    const auto st = engine->stats();
    const auto ja = st.queues[0].jobs, jb = st.queues[1].jobs;
    EXPECT_GT(ja + jb, 2u);
    EXPECT_LT(ja + jb, 20u) << "advance less simulated time";
    EXPECT_LE(ja > jb ? ja - jb : jb - ja, 1u) << ja << " vs " << jb;
    engine->run_until_idle();
    EXPECT_EQ(engine->stats().jobs, 20u);
}

TEST_F(EngineTest, MsixPerCompletionOnlyWhenRequested) {
    auto& q = queue(2);
    q.enable();
    for (int i = 0; i < 6; ++i) q.push(make_desc(CCE_OP_NOP, 0, 0, 0, 0, i, i % 2 ? CCE_DF_IRQ : 0));
    q.ring();
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 6u);
    EXPECT_EQ(h->msix_count(2), 3u);
    EXPECT_EQ(h->msix.size(), 3u);
    // A different vector can be chosen.
    q.set_reg(CCE_Q_MSIX_VEC, 7);
    q.submit(make_desc(CCE_OP_NOP));
    q.run_and_collect();
    EXPECT_EQ(h->msix_count(7), 1u);
    // Interrupts disabled in Q_IRQ: none.
    q.set_reg(CCE_Q_IRQ, 0);
    q.submit(make_desc(CCE_OP_NOP));
    q.run_and_collect();
    EXPECT_EQ(h->msix.size(), 4u);
}

TEST_F(EngineTest, MsixCoalescingByCount) {
    QueueOptions o;
    o.irq = CCE_QIRQ_MAKE(4, 0);
    auto& q = queue(0, o);
    q.enable();
    for (int i = 0; i < 8; ++i) q.push(make_desc(CCE_OP_NOP));
    q.ring();
    ASSERT_EQ(q.run_and_collect().size(), 8u);
    EXPECT_EQ(h->msix_count(0), 2u);
}

TEST_F(EngineTest, MsixCoalescingTimerFlushesStragglers) {
    QueueOptions o;
    o.irq = CCE_QIRQ_MAKE(16, 10);  // 16 completions or 10 us
    auto& q = queue(0, o);
    q.enable();
    for (int i = 0; i < 3; ++i) q.push(make_desc(CCE_OP_NOP));
    q.ring();
    engine->run_for_ns(2000);
    EXPECT_EQ(h->msix_count(0), 0u);  // held back
    engine->run_until_idle();         // the timer fires
    ASSERT_EQ(h->msix_count(0), 1u);
    EXPECT_GE(h->msix[0].time_ns, 10000u);
    EXPECT_LT(h->msix[0].time_ns, 12000u);
    EXPECT_EQ(q.run_and_collect().size(), 3u);
}

TEST_F(EngineTest, FullCqStallsInsteadOfOverwriting) {
    QueueOptions o;
    o.sq_entries = 16;
    o.cq_entries = 4;  // holds 3 unconsumed completions
    auto& q = queue(0, o);
    q.enable();
    for (int i = 0; i < 10; ++i) q.push(make_desc(CCE_OP_NOP, 0, 0, 0, 0, i));
    q.ring();
    engine->run_until_idle();
    EXPECT_TRUE(q.reg(CCE_Q_STATUS) & CCE_QSTS_CQ_FULL);
    EXPECT_EQ(engine->stats().jobs, 3u);
    // Consuming completions lets the device continue, in order, no loss.
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(c[i].cookie, uint64_t(i));
    EXPECT_FALSE(q.reg(CCE_Q_STATUS) & CCE_QSTS_CQ_FULL);
}

TEST_F(EngineTest, DrainFinishesSubmittedWorkAndRefusesNew) {
    auto& q = queue(0);
    q.enable();
    const uint64_t buf = h->alloc(kNoPasid, 65536);
    for (int i = 0; i < 5; ++i) q.push(make_desc(CCE_OP_CRC32, buf, 65536, 0, 0, i));
    q.ring();
    engine->run_for_ns(100);
    q.set_reg(CCE_Q_CTRL, CCE_QCTRL_ENABLE | CCE_QCTRL_DRAIN);
    q.push(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 99));
    q.ring();  // ignored while draining
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 5u);
    for (const auto& x : c) EXPECT_EQ(x.status, CCE_ST_SUCCESS);
    EXPECT_TRUE(q.reg(CCE_Q_STATUS) & CCE_QSTS_DRAINED);
    EXPECT_TRUE(q.reg(CCE_Q_STATUS) & CCE_QSTS_IDLE);
    EXPECT_EQ(q.reg(CCE_Q_SQ_TAIL), 5u);
}

TEST_F(EngineTest, AbortCompletesEverythingWithAborted) {
    auto& q = queue(0);
    q.enable();
    const uint64_t src = h->alloc(kNoPasid, 1 << 20);
    const uint64_t dst = h->alloc(kNoPasid, 1 << 20);
    for (int i = 0; i < 6; ++i) q.push(make_desc(CCE_OP_MEMCPY, src, 1 << 20, dst, 1 << 20, i));
    q.ring();
    engine->run_for_ns(5000);  // first job in flight
    EXPECT_FALSE(q.reg(CCE_Q_STATUS) & CCE_QSTS_IDLE);
    q.set_reg(CCE_Q_CTRL, CCE_QCTRL_ENABLE | CCE_QCTRL_ABORT);
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 6u);
    EXPECT_EQ(c[0].status, CCE_ST_ABORTED);
    EXPECT_GT(c[0].bytes_produced, 0u);        // stopped part-way, and says how far
    EXPECT_LT(c[0].bytes_produced, 1u << 20);
    for (int i = 1; i < 6; ++i) {
        EXPECT_EQ(c[i].status, CCE_ST_ABORTED);
        EXPECT_EQ(c[i].bytes_produced, 0u);
        EXPECT_EQ(c[i].cookie, uint64_t(i));
    }
    EXPECT_TRUE(q.reg(CCE_Q_STATUS) & CCE_QSTS_DRAINED);
    // Re-enabling gives a clean queue.
    q.disable();
    q.enable();
    q.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 42));
    auto c2 = q.run_and_collect();
    ASSERT_EQ(c2.size(), 1u);
    EXPECT_EQ(c2[0].status, CCE_ST_SUCCESS);
}

TEST_F(EngineTest, SimulatedTimeFollowsTheAnnotations) {
    auto& q = queue(0);
    q.enable();
    const uint64_t buf = h->alloc(kNoPasid, 1 << 20);
    const uint64_t t0 = engine->now_cycles();
    q.submit(make_desc(CCE_OP_CRC32, buf, 1 << 20, 0, 0, 1));
    q.run_and_collect();
    const uint64_t cycles = engine->now_cycles() - t0;
    const EngineConfig cfg;
    // DMA: 256 pages x (setup + 4096 / 32); CRC core 8 B/cycle.
    const uint64_t dma = 256 * (cfg.dma_setup_cycles + 4096 / cfg.dma_bytes_per_cycle);
    const uint64_t crc = (1 << 20) / 8;
    EXPECT_GE(cycles, dma + crc);
    EXPECT_LE(cycles, (dma + crc) * 11 / 10 + 1000);
    EXPECT_NEAR(double(engine->stats().queues[0].busy_cycles), double(dma + crc), (dma + crc) * 0.1);
    // Twice the clock, same cycles, half the time.
    EngineConfig fast;
    fast.clock_mhz = 2000;
    make(fast);
    auto& q2 = queue(0);
    q2.enable();
    const uint64_t b2 = h->alloc(kNoPasid, 1 << 20);
    q2.submit(make_desc(CCE_OP_CRC32, b2, 1 << 20, 0, 0, 1));
    q2.run_and_collect();
    EXPECT_NEAR(double(engine->now_cycles()), double(cycles), cycles * 0.02);
}

TEST_F(EngineTest, StatisticsAreExposedInRegistersAndApi) {
    auto& q = queue(0);
    q.enable();
    const auto data = pattern(4096, 9);
    const uint64_t src = buffer(kNoPasid, data);
    const uint64_t dst = h->alloc(kNoPasid, 4096);
    q.push(make_desc(CCE_OP_MEMCPY, src, 4096, dst, 4096));
    q.push(make_desc(CCE_OP_CRC32, src, 4096, 0, 0));
    q.push(make_desc(0x3e));  // unsupported
    q.ring();
    q.run_and_collect();
    const auto st = engine->stats();
    EXPECT_EQ(st.jobs, 3u);
    EXPECT_EQ(st.bytes_in, 8192u);
    EXPECT_EQ(st.bytes_out, 4096u);
    EXPECT_EQ(st.queues[0].errors, 1u);
    EXPECT_EQ(st.queues[0].by_status[CCE_ST_UNSUPPORTED_OP], 1u);
    EXPECT_EQ(st.queues[0].by_opcode[CCE_OP_MEMCPY], 1u);
    EXPECT_GT(st.busy_cycles, 0u);
    EXPECT_EQ(rd64(CCE_REG_STAT_JOBS), 3u);
    EXPECT_EQ(rd64(CCE_REG_STAT_BYTES_IN), 8192u);
    EXPECT_EQ(rd64(CCE_REG_STAT_BYTES_OUT), 4096u);
    EXPECT_EQ(q.reg64(CCE_Q_STAT_ERRORS), 1u);
    EXPECT_NE(engine->stats_report().find("total"), std::string::npos);
}

}  // namespace cce::test
