// SPDX-License-Identifier: MIT
// Identity, capability and register-file behaviour.
#include "fixture.h"

namespace cce::test {

TEST_F(EngineTest, IdentityAndVersion) {
    EXPECT_EQ(rd(CCE_REG_ID), CCE_ID_MAGIC);
    EXPECT_EQ(CCE_VERSION_GET_MAJOR(rd(CCE_REG_VERSION)), CCE_VERSION_MAJOR);
    EXPECT_EQ(CCE_VERSION_GET_MINOR(rd(CCE_REG_VERSION)), CCE_VERSION_MINOR);
}

TEST_F(EngineTest, CapabilityWords) {
    const uint32_t cap0 = rd(CCE_REG_CAP0);
    EXPECT_EQ(CCE_CAP0_NUM_QUEUES(cap0), 16u);
    EXPECT_EQ(CCE_CAP0_PASID_BITS(cap0), CCE_PASID_BITS);
    EXPECT_EQ(1u << CCE_CAP0_MAX_QDEPTH_LOG2(cap0), CCE_MAX_QUEUE_ENTRIES);
    const uint32_t feat = rd(CCE_REG_FEATURES);
    EXPECT_TRUE(feat & CCE_FEAT_PASID);
    EXPECT_TRUE(feat & CCE_FEAT_ATS);
    EXPECT_TRUE(feat & CCE_FEAT_PRI);
    EXPECT_TRUE(feat & CCE_FEAT_IRQ_COALESCE);
    const uint64_t opcap = rd64(CCE_REG_OPCAP);
    EXPECT_TRUE(opcap & (1ull << CCE_OP_NOP));
    EXPECT_TRUE(opcap & (1ull << CCE_OP_MEMCPY));
    EXPECT_TRUE(opcap & (1ull << CCE_OP_CRC32));
    EXPECT_TRUE(opcap & (1ull << CCE_OP_CRC32C));
    // The 32-bit halves agree with the 64-bit read.
    EXPECT_EQ(uint64_t(rd(CCE_REG_OPCAP)) | (uint64_t(rd(CCE_REG_OPCAP + 4)) << 32), opcap);
    EXPECT_EQ(rd(CCE_REG_MAX_JOB_LEN), EngineConfig{}.max_job_len);
    EXPECT_EQ(rd(CCE_REG_CLOCK_MHZ), EngineConfig{}.clock_mhz);
}

TEST_F(EngineTest, OpcapMatchesWhatTheEngineExecutes) {
    // Every opcode the capability word lists completes with something other
    // than UNSUPPORTED_OP; every other one reports UNSUPPORTED_OP.
    auto& q = queue(0);
    q.enable();
    const uint64_t opcap = rd64(CCE_REG_OPCAP);
    // A 64-entry ring holds 63 descriptors: submit in two halves.
    std::vector<cce_cpl> c;
    for (unsigned half = 0; half < 2; ++half) {
        for (unsigned op = half * 32; op < half * 32 + 32; ++op)
            q.push(make_desc(static_cast<uint8_t>(op), 0, 0, 0, 0, op));
        q.ring();
        auto part = q.run_and_collect();
        c.insert(c.end(), part.begin(), part.end());
    }
    ASSERT_EQ(c.size(), 64u);
    for (const auto& cpl : c) {
        const bool listed = opcap & (1ull << cpl.cookie);
        EXPECT_EQ(cpl.status == CCE_ST_UNSUPPORTED_OP, !listed) << "opcode " << cpl.cookie;
    }
}

TEST_F(EngineTest, ConfigurableQueueCount) {
    EngineConfig cfg;
    cfg.num_queues = 3;
    make(cfg);
    EXPECT_EQ(CCE_CAP0_NUM_QUEUES(rd(CCE_REG_CAP0)), 3u);
    // Registers of a queue that does not exist read 0 and ignore writes.
    wr(CCE_QREG(3, CCE_Q_SQ_SIZE), 8);
    EXPECT_EQ(rd(CCE_QREG(3, CCE_Q_SQ_SIZE)), 0u);
}

// Not a fixture test: an exception thrown after SystemC coroutines have run
// confuses ASan's stack bookkeeping (a false positive), so this one throws
// before any engine exists in the process.
TEST(EngineConfigTest, RejectsOutOfRangeValues) {
    Harness hh;
    auto build = [&](auto tweak) {
        EngineConfig c;
        tweak(c);
        Engine e(c, hh);
    };
    EXPECT_THROW(build([](EngineConfig& c) { c.num_queues = 0; }), std::invalid_argument);
    EXPECT_THROW(build([](EngineConfig& c) { c.num_queues = 65; }), std::invalid_argument);
    EXPECT_THROW(build([](EngineConfig& c) { c.clock_mhz = 0; }), std::invalid_argument);
    EXPECT_THROW(build([](EngineConfig& c) { c.exec_slots = 0; }), std::invalid_argument);
    EXPECT_THROW(build([](EngineConfig& c) { c.max_job_len = 10; }), std::invalid_argument);
}

TEST_F(EngineTest, QueueRegistersReadBackAndLockWhileEnabled) {
    wr(CCE_QREG(2, CCE_Q_SQ_SIZE), 32);
    wr(CCE_QREG(2, CCE_Q_CQ_SIZE), 16);
    engine->mmio_write(CCE_BAR0, CCE_QREG(2, CCE_Q_SQ_BASE), 0x123456780040ull, 8);
    wr(CCE_QREG(2, CCE_Q_CQ_BASE), 0x1000);
    wr(CCE_QREG(2, CCE_Q_CQ_BASE) + 4, 0x2);
    wr(CCE_QREG(2, CCE_Q_PASID), CCE_QPASID_EN | 0xfffff | 0x00f00000);  // junk above PASID dropped
    EXPECT_EQ(rd(CCE_QREG(2, CCE_Q_SQ_SIZE)), 32u);
    EXPECT_EQ(rd(CCE_QREG(2, CCE_Q_CQ_SIZE)), 16u);
    EXPECT_EQ(rd64(CCE_QREG(2, CCE_Q_SQ_BASE)), 0x123456780040ull);
    EXPECT_EQ(rd64(CCE_QREG(2, CCE_Q_CQ_BASE)), 0x200001000ull);
    EXPECT_EQ(rd(CCE_QREG(2, CCE_Q_PASID)), CCE_QPASID_EN | 0xfffffu);
    auto& q = queue(5);
    EXPECT_EQ(q.enable() & (CCE_QSTS_ENABLED | CCE_QSTS_IDLE | CCE_QSTS_ERROR),
              CCE_QSTS_ENABLED | CCE_QSTS_IDLE);
    const uint64_t sq = q.reg64(CCE_Q_SQ_BASE);
    q.set_reg(CCE_Q_SQ_SIZE, 8);
    engine->mmio_write(CCE_BAR0, CCE_QREG(5, CCE_Q_SQ_BASE), 0x40, 8);
    EXPECT_EQ(q.reg(CCE_Q_SQ_SIZE), 64u);
    EXPECT_EQ(q.reg64(CCE_Q_SQ_BASE), sq);
}

TEST_F(EngineTest, BadQueueConfigRefusesEnable) {
    struct Case {
        uint32_t sq_size, cq_size;
        uint64_t sq_base;
    } cases[] = {{0, 8, 0x1000}, {6, 8, 0x1000}, {8, 8192, 0x1000}, {8, 8, 0x1020}, {1, 8, 0x1000},
                 {8, 8, ~0ull & ~63ull}};
    for (const auto& c : cases) {
        wr(CCE_QREG(0, CCE_Q_CTRL), 0);
        wr(CCE_QREG(0, CCE_Q_SQ_SIZE), c.sq_size);
        wr(CCE_QREG(0, CCE_Q_CQ_SIZE), c.cq_size);
        engine->mmio_write(CCE_BAR0, CCE_QREG(0, CCE_Q_SQ_BASE), c.sq_base, 8);
        engine->mmio_write(CCE_BAR0, CCE_QREG(0, CCE_Q_CQ_BASE), 0x2000, 8);
        wr(CCE_QREG(0, CCE_Q_CTRL), CCE_QCTRL_ENABLE);
        EXPECT_EQ(rd(CCE_QREG(0, CCE_Q_STATUS)) & CCE_QSTS_ENABLED, 0u) << c.sq_size << " " << c.sq_base;
        EXPECT_TRUE(rd(CCE_QREG(0, CCE_Q_ERR)) & CCE_QERR_BAD_CONFIG);
        EXPECT_TRUE(rd(CCE_REG_RAS_STATUS) & CCE_RAS_QUEUE_ERROR);
        wr(CCE_QREG(0, CCE_Q_ERR), 0xffffffff);  // W1C
        EXPECT_EQ(rd(CCE_QREG(0, CCE_Q_ERR)), 0u);
    }
}

TEST_F(EngineTest, OddAccessesAreHarmless) {
    // Unknown offsets, unaligned and 1/2-byte accesses, reads of BAR2,
    // a BAR that does not exist: defined values, no crash.
    EXPECT_EQ(rd(0x0fc), 0u);
    EXPECT_EQ(engine->mmio_read(CCE_BAR0, 0x2, 4), 0u);
    EXPECT_EQ(engine->mmio_read(CCE_BAR0, CCE_REG_ID, 2), 0u);   // only 4/8-byte accesses
    EXPECT_EQ(engine->mmio_read(CCE_BAR0, CCE_REG_ID, 8), 0u);   // 32-bit register, 64-bit read
    EXPECT_EQ(engine->mmio_read(CCE_BAR2, 0, 4), 0u);            // doorbells are write-only
    EXPECT_EQ(engine->mmio_read(4, 0, 4), 0u);                   // no BAR 4
    engine->mmio_write(CCE_BAR0, CCE_REG_ID, 0x1234, 4);          // RO register
    engine->mmio_write(CCE_BAR2, 1ull << 30, 5, 4);               // beyond the doorbell pages
    engine->mmio_write(CCE_BAR0, CCE_BAR0_MSIX_TABLE_OFF, 1, 4);  // MSI-X belongs to the PCI side
    EXPECT_EQ(rd(CCE_REG_ID), CCE_ID_MAGIC);
}

TEST_F(EngineTest, GlobalResetRestoresDefaults) {
    auto& q = queue(1);
    q.enable();
    wr(CCE_REG_RAS_MASK, 0xf);
    wr(CCE_REG_GCTL, CCE_GCTL_RESET);
    EXPECT_EQ(rd(CCE_REG_GCTL), 0u);
    EXPECT_EQ(rd(CCE_REG_RAS_MASK), 0u);
    EXPECT_EQ(rd(CCE_QREG(1, CCE_Q_CTRL)), 0u);
    EXPECT_EQ(rd(CCE_QREG(1, CCE_Q_STATUS)) & CCE_QSTS_ENABLED, 0u);
    EXPECT_EQ(rd64(CCE_QREG(1, CCE_Q_SQ_BASE)), 0u);
    EXPECT_TRUE(rd(CCE_REG_GSTS) & CCE_GSTS_QUIESCED);
    EXPECT_FALSE(rd(CCE_REG_GSTS) & CCE_GSTS_READY);
    EXPECT_EQ(rd(CCE_REG_ID), CCE_ID_MAGIC);
}

}  // namespace cce::test
