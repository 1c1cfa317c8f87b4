// SPDX-License-Identifier: MIT
// Malformed descriptors, ring misuse, reset/bus-master with jobs in flight,
// and randomized descriptors: every case gets its documented outcome and the
// model never crashes or hangs.
#include "fixture.h"

namespace cce::test {

namespace {
struct BadCase {
    const char* what;
    cce_desc desc;
    uint8_t status;
    uint32_t result;
};
}  // namespace

TEST_F(EngineTest, MalformedDescriptorsGetTheirDocumentedStatus) {
    auto& q = queue(0);
    q.enable();
    const uint64_t buf = h->alloc(kNoPasid, 8192);
    auto d = [&](uint8_t op) { return make_desc(op, buf, 4096, buf + 4096, 4096); };
    std::vector<BadCase> cases;
    {
        auto x = d(0x40);
        cases.push_back({"opcode >= 64", x, CCE_ST_INVALID_DESC, CCE_INVD_OPCODE});
    }
    {
        auto x = d(0xff);
        cases.push_back({"opcode 0xff", x, CCE_ST_INVALID_DESC, CCE_INVD_OPCODE});
    }
    {
        auto x = d(0x3e);
        cases.push_back({"undefined opcode < 64", x, CCE_ST_UNSUPPORTED_OP, 0});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.flags |= 0x80;
        cases.push_back({"unknown flag", x, CCE_ST_INVALID_DESC, CCE_INVD_FLAGS});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.flags |= CCE_DF_FIRST;
        cases.push_back({"stream flag on memcpy", x, CCE_ST_INVALID_DESC, CCE_INVD_FLAGS});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.rsvd0 = 1;
        cases.push_back({"rsvd0", x, CCE_ST_INVALID_DESC, CCE_INVD_RSVD});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.rsvd1 = 1ull << 63;
        cases.push_back({"rsvd1", x, CCE_ST_INVALID_DESC, CCE_INVD_RSVD});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.op_flags = 1;
        cases.push_back({"op_flags on memcpy", x, CCE_ST_INVALID_DESC, CCE_INVD_OP_FLAGS});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.param = buf;
        x.param_len = 16;
        cases.push_back({"param on memcpy", x, CCE_ST_INVALID_DESC, CCE_INVD_PARAM});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.seed = 5;
        cases.push_back({"seed on memcpy", x, CCE_ST_INVALID_DESC, CCE_INVD_RSVD});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.src_len = x.dst_len = EngineConfig{}.max_job_len + 1;
        cases.push_back({"length over MAX_JOB_LEN", x, CCE_ST_INVALID_DESC, CCE_INVD_LENGTH});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.src = ~0ull - 100;
        cases.push_back({"source wraps 2^64", x, CCE_ST_INVALID_DESC, CCE_INVD_ADDR_WRAP});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.dst = ~0ull - 10;
        cases.push_back({"destination wraps 2^64", x, CCE_ST_INVALID_DESC, CCE_INVD_ADDR_WRAP});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.dst = buf + 100;
        cases.push_back({"overlap", x, CCE_ST_INVALID_DESC, CCE_INVD_OVERLAP});
    }
    {
        auto x = d(CCE_OP_MEMCPY);
        x.dst_len = 100;
        cases.push_back({"destination too small", x, CCE_ST_OUTPUT_TOO_SMALL, 4096});
    }
    {
        auto x = d(CCE_OP_NOP);
        cases.push_back({"nop with lengths", x, CCE_ST_INVALID_DESC, CCE_INVD_LENGTH});
    }
    {
        auto x = d(CCE_OP_CRC32);
        cases.push_back({"crc with destination", x, CCE_ST_INVALID_DESC, CCE_INVD_LENGTH});
    }
    {
        auto x = make_desc(CCE_OP_CRC32C, ~0ull - 5, 100);
        cases.push_back({"crc source wraps", x, CCE_ST_INVALID_DESC, CCE_INVD_ADDR_WRAP});
    }
    {
        auto x = make_desc(CCE_OP_MEMCPY, 0x7ff000000000ull, 64, buf, 64);
        cases.push_back({"unmapped source IOVA", x, CCE_ST_DMA_ERROR, 0});
    }
    for (const auto& c : cases) {
        auto x = c.desc;
        x.cookie = 0xc0de;
        q.submit(x);
        auto got = q.run_and_collect();
        ASSERT_EQ(got.size(), 1u) << c.what;
        EXPECT_EQ(got[0].status, c.status) << c.what;
        EXPECT_EQ(got[0].result, c.result) << c.what;
        EXPECT_EQ(got[0].cookie, 0xc0deu) << c.what;
        if (c.status == CCE_ST_INVALID_DESC) {
            EXPECT_EQ(got[0].bytes_produced, 0u) << c.what;
        }
    }
    // Bad descriptors are per-job errors: the queue keeps working.
    EXPECT_EQ(q.reg(CCE_Q_STATUS) & CCE_QSTS_ERROR, 0u);
    q.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 1));
    auto ok = q.run_and_collect();
    ASSERT_EQ(ok.size(), 1u);
    EXPECT_EQ(ok[0].status, CCE_ST_SUCCESS);
}

TEST_F(EngineTest, DoorbellBeyondTheRingHaltsOnlyThatQueue) {
    QueueOptions o;
    o.sq_entries = 8;
    auto& q = queue(0, o);
    auto& other = queue(1);
    q.enable();
    other.enable();
    engine->mmio_write(CCE_BAR2, CCE_DB_SQ_TAIL, 8, 4);  // tail == size: beyond the ring
    EXPECT_TRUE(q.reg(CCE_Q_ERR) & CCE_QERR_DB_OUT_OF_RANGE);
    EXPECT_TRUE(q.reg(CCE_Q_STATUS) & CCE_QSTS_ERROR);
    EXPECT_EQ(rd64(CCE_REG_QERR_SUMMARY), 1u);
    EXPECT_TRUE(rd(CCE_REG_RAS_STATUS) & CCE_RAS_QUEUE_ERROR);
    EXPECT_EQ(h->msix_count(err_vector()), 1u);
    EXPECT_EQ((rd64(CCE_REG_RAS_ERR_INFO) >> 32), 0u);  // queue 0
    // A halted queue fetches nothing, even with a valid doorbell.
    q.submit(make_desc(CCE_OP_NOP));
    engine->run_until_idle();
    EXPECT_FALSE(q.poll().has_value());
    // Other queues are not affected.
    other.submit(make_desc(CCE_OP_NOP));
    EXPECT_EQ(other.run_and_collect().size(), 1u);
    // Recovery: disable, re-enable.
    q.disable();
    EXPECT_TRUE(q.enable() & CCE_QSTS_ENABLED);
    EXPECT_EQ(q.reg(CCE_Q_ERR), 0u);
    q.submit(make_desc(CCE_OP_NOP));
    EXPECT_EQ(q.run_and_collect().size(), 1u);
}

TEST_F(EngineTest, CqHeadDoorbellBeyondTheRingIsAnError) {
    auto& q = queue(0);
    q.enable();
    engine->mmio_write(CCE_BAR2, CCE_DB_CQ_HEAD, 1000, 4);
    EXPECT_TRUE(q.reg(CCE_Q_ERR) & CCE_QERR_CQ_DB_OUT_OF_RANGE);
}

TEST_F(EngineTest, DoorbellOnDisabledQueueIsRecordedAndIgnored) {
    engine->mmio_write(CCE_BAR2, 4 * CCE_DB_PAGE_SIZE + CCE_DB_SQ_TAIL, 3, 4);
    engine->run_until_idle();
    EXPECT_TRUE(rd(CCE_QREG(4, CCE_Q_ERR)) & CCE_QERR_DISABLED_DB);
    EXPECT_EQ(rd(CCE_QREG(4, CCE_Q_SQ_TAIL)), 0u);
    EXPECT_EQ(engine->stats().jobs, 0u);
    EXPECT_EQ(h->dma_read_calls, 0u);
}

TEST_F(EngineTest, UnreachableRingsHaltTheQueue) {
    auto& q = queue(0);
    // SQ base points at unmapped IOVA.
    engine->mmio_write(CCE_BAR0, CCE_QREG(0, CCE_Q_SQ_BASE), 0x6000000000ull, 8);
    engine->mmio_write(CCE_BAR0, CCE_QREG(0, CCE_Q_CQ_BASE), q.cq_va(), 8);
    wr(CCE_QREG(0, CCE_Q_SQ_SIZE), 8);
    wr(CCE_QREG(0, CCE_Q_CQ_SIZE), 8);
    wr(CCE_QREG(0, CCE_Q_CTRL), CCE_QCTRL_ENABLE);
    engine->mmio_write(CCE_BAR2, CCE_DB_SQ_TAIL, 1, 4);
    engine->run_until_idle();
    EXPECT_TRUE(rd(CCE_QREG(0, CCE_Q_ERR)) & CCE_QERR_SQ_FETCH);
    // CQ unreachable: the job runs, the completion write fails.
    wr(CCE_QREG(0, CCE_Q_CTRL), 0);
    engine->mmio_write(CCE_BAR0, CCE_QREG(0, CCE_Q_SQ_BASE), q.sq_va(), 8);
    engine->mmio_write(CCE_BAR0, CCE_QREG(0, CCE_Q_CQ_BASE), 0x6000000000ull, 8);
    wr(CCE_QREG(0, CCE_Q_CTRL), CCE_QCTRL_ENABLE);
    const cce_desc nop = make_desc(CCE_OP_NOP);
    h->write_va(kNoPasid, q.sq_va(), &nop, sizeof nop);
    engine->mmio_write(CCE_BAR2, CCE_DB_SQ_TAIL, 1, 4);
    engine->run_until_idle();
    EXPECT_TRUE(rd(CCE_QREG(0, CCE_Q_ERR)) & CCE_QERR_CQ_WRITE);
    EXPECT_TRUE(rd(CCE_QREG(0, CCE_Q_STATUS)) & CCE_QSTS_ERROR);
}

TEST_F(EngineTest, ResetWithJobsInFlightStopsAllDma) {
    std::vector<TestQueue*> qs;
    for (unsigned i = 0; i < 4; ++i) {
        QueueOptions o;
        if (i % 2) o.pasid = 20 + i;
        qs.push_back(&queue(i, o));
        qs.back()->enable();
        const uint32_t d = qs.back()->domain();
        const uint64_t src = h->alloc(d, 1 << 20), dst = h->alloc(d, 1 << 20);
        for (int j = 0; j < 4; ++j) qs.back()->push(make_desc(CCE_OP_MEMCPY, src, 1 << 20, dst, 1 << 20, j));
        qs.back()->ring();
    }
    engine->run_for_ns(20000);
    EXPECT_TRUE(engine->busy());
    const uint64_t writes_before = h->dma_write_calls;
    EXPECT_GT(writes_before, 0u);
    uint64_t writes_after_reset = 0;
    h->on_dma_write = [&](uint64_t, size_t) { ++writes_after_reset; };
    wr(CCE_REG_GCTL, CCE_GCTL_RESET);
    engine->run_until_idle();
    engine->run_for_ns(1000000);
    EXPECT_EQ(writes_after_reset, 0u) << "device wrote memory after reset";
    EXPECT_EQ(h->dma_write_calls, writes_before);
    EXPECT_FALSE(engine->busy());
    EXPECT_EQ(engine->stats().resets, 1u);
    for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(rd(CCE_QREG(i, CCE_Q_STATUS)) & CCE_QSTS_ENABLED, 0u);
    // The device is usable again after re-initialisation.
    h->on_dma_write = nullptr;
    wr(CCE_REG_GCTL, CCE_GCTL_ENABLE);
    qs.clear();
    queues.clear();
    auto& q = queue(0);
    q.enable();
    q.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 5));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
}

TEST_F(EngineTest, FunctionResetWhileWaitingForPageResponse) {
    h->defer_page_responses = true;
    QueueOptions o;
    o.pasid = 3;
    o.pri = true;
    auto& q = queue(0, o);
    q.enable();
    const uint64_t src = h->alloc(3, 4096), dst = h->reserve(3, 4096);
    q.submit(make_desc(CCE_OP_MEMCPY, src, 4096, dst, 4096));
    engine->run_until_idle();
    EXPECT_TRUE(q.reg(CCE_Q_STATUS) & CCE_QSTS_PAGE_WAIT);
    const uint64_t writes = h->dma_write_calls;
    engine->function_reset();
    h->respond_pending();  // a late response after the reset is dropped
    engine->run_until_idle();
    EXPECT_EQ(h->dma_write_calls, writes);
    EXPECT_EQ(engine->stats().page_responses_unexpected, 1u);
    EXPECT_FALSE(engine->busy());
}

TEST_F(EngineTest, BusMasterOffStopsDma) {
    auto& q = queue(0);
    q.enable();
    const uint64_t src = h->alloc(kNoPasid, 1 << 20), dst = h->alloc(kNoPasid, 1 << 20);
    q.submit(make_desc(CCE_OP_MEMCPY, src, 1 << 20, dst, 1 << 20));
    engine->run_for_ns(5000);
    engine->set_bus_master(false);
    const uint64_t writes = h->dma_write_calls, reads = h->dma_read_calls;
    engine->run_until_idle();
    EXPECT_EQ(h->dma_write_calls, writes);
    EXPECT_EQ(h->dma_read_calls, reads);
    // The job cannot even complete (no DMA): the queue reports the failure.
    EXPECT_TRUE(q.reg(CCE_Q_ERR) & CCE_QERR_CQ_WRITE);
    EXPECT_TRUE(rd(CCE_REG_RAS_STATUS) & CCE_RAS_DMA_ERROR);
}

TEST_F(EngineTest, DisablingAQueueMidJobWritesNoCompletion) {
    auto& q = queue(0);
    q.enable();
    const uint64_t src = h->alloc(kNoPasid, 1 << 20), dst = h->alloc(kNoPasid, 1 << 20);
    q.submit(make_desc(CCE_OP_MEMCPY, src, 1 << 20, dst, 1 << 20));
    engine->run_for_ns(5000);
    q.disable();
    engine->run_until_idle();
    EXPECT_TRUE(q.reg(CCE_Q_STATUS) & CCE_QSTS_IDLE);
    EXPECT_FALSE(q.poll().has_value());
    const uint64_t writes = h->dma_write_calls;
    engine->run_for_ns(100000);
    EXPECT_EQ(h->dma_write_calls, writes);
}

TEST_F(EngineTest, RandomDescriptorsNeverCrashOrHang) {
    // Two queues (one PASID with PRI, one untranslated), 3000 descriptors of
    // random bits biased towards plausible values. Every one must come back
    // with a defined status, in order.
    std::mt19937_64 rng(1234);
    QueueOptions pq;
    pq.pasid = 5;
    pq.pri = true;
    auto& qa = queue(0, pq);
    auto& qb = queue(1);
    qa.enable();
    qb.enable();
    const uint64_t ba = h->alloc(5, 64 * 1024), bb = h->alloc(kNoPasid, 64 * 1024);
    h->reserve(5, 64 * 1024);
    auto rnd_desc = [&](uint64_t base) {
        cce_desc d{};
        const uint64_t r = rng();
        d.opcode = (r & 3) ? static_cast<uint8_t>(rng() % 5) : static_cast<uint8_t>(rng());
        d.flags = (r & 4) ? CCE_DF_IRQ : static_cast<uint8_t>(rng());
        if ((r & 0x18) == 0) d.rsvd0 = static_cast<uint16_t>(rng());
        if ((r & 0x60) == 0) d.op_flags = static_cast<uint32_t>(rng());
        auto addr = [&] {
            switch (rng() % 4) {
            case 0: return rng();
            case 1: return base + rng() % (64 * 1024);
            case 2: return base + 64 * 1024 + 4096 + rng() % (64 * 1024);  // reserved region
            default: return base + (rng() % 16) * 4096;
            }
        };
        d.src = addr();
        d.dst = addr();
        d.src_len = static_cast<uint32_t>((r & 0x80) ? rng() : rng() % 20000);
        d.dst_len = static_cast<uint32_t>((r & 0x100) ? rng() : rng() % 20000);
        if ((r & 0x600) == 0) d.param = rng();
        if ((r & 0x1800) == 0) d.seed = static_cast<uint32_t>(rng());
        if ((r & 0x6000) == 0) d.rsvd1 = rng();
        return d;
    };
    uint64_t sent = 0, got = 0;
    std::vector<uint64_t> per_status(CCE_ST_MAX + 1, 0);
    for (int round = 0; round < 100; ++round) {
        for (TestQueue* q : {&qa, &qb}) {
            for (int i = 0; i < 15; ++i) {
                cce_desc d = rnd_desc(q == &qa ? ba : bb);
                d.cookie = sent++;
                q->push(d);
            }
            q->ring();
        }
        for (TestQueue* q : {&qa, &qb})
            for (const auto& c : q->run_and_collect()) {
                ASSERT_LE(c.status, CCE_ST_MAX);
                ++per_status[c.status];
                ++got;
            }
    }
    EXPECT_EQ(got, sent);
    EXPECT_EQ(qa.reg(CCE_Q_STATUS) & CCE_QSTS_ERROR, 0u);
    EXPECT_EQ(qb.reg(CCE_Q_STATUS) & CCE_QSTS_ERROR, 0u);
    EXPECT_GT(per_status[CCE_ST_SUCCESS], 0u);
    EXPECT_GT(per_status[CCE_ST_INVALID_DESC], 0u);
    EXPECT_GT(per_status[CCE_ST_UNSUPPORTED_OP], 0u);
}

}  // namespace cce::test
