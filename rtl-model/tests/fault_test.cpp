// SPDX-License-Identifier: MIT
// Fault injection: the spec parser, and for every class that the injected
// effect happens exactly where the selector and trigger say, that the
// device reports it as hardware would (status, RAS registers, interrupts,
// AER), that other queues keep working, that the same seed replays the same
// run, and that reset recovers.
#include <bit>

#include "cce/datapath/crc.h"
#include "fixture.h"

namespace cce::test {

using model::AerSeverity;
using model::FaultClass;
using model::FaultSpec;
using model::parse_fault_spec;

namespace {

FaultSpec spec(const std::string& text) {
    FaultSpec s;
    std::string err;
    EXPECT_TRUE(parse_fault_spec(text, s, err)) << text << ": " << err;
    return s;
}

std::string parse_error(const std::string& text) {
    FaultSpec s;
    std::string err;
    EXPECT_FALSE(parse_fault_spec(text, s, err)) << text << " parsed";
    return err;
}

constexpr uint32_t kPasid = 11;

}  // namespace

// ------------------------------------------------------------- parser --

TEST(FaultSpecTest, ParsesTheDocumentedExamples) {
    auto a = spec("class=bitflip queue=1 opcode=compress after=10 count=1");
    EXPECT_EQ(a.cls, FaultClass::BitFlip);
    EXPECT_EQ(a.queue, 1u);
    EXPECT_EQ(a.opcode, CCE_OP_COMPRESS);
    EXPECT_EQ(a.after, 10u);
    EXPECT_EQ(a.max_count(), 1u);
    auto b = spec("class=ue at_ns=5000000");
    EXPECT_EQ(b.cls, FaultClass::Ue);
    EXPECT_EQ(b.at_ns, 5000000u);
    EXPECT_TRUE(b.fatal);
    EXPECT_TRUE(b.timed());
    auto c = spec("class=cpl_error status=internal prob=0.01 seed=7");
    EXPECT_EQ(c.status, CCE_ST_INTERNAL_ERROR);
    EXPECT_DOUBLE_EQ(*c.prob, 0.01);
    EXPECT_EQ(c.seed, 7u);
    EXPECT_EQ(c.max_count(), 0u) << "prob= defaults to unlimited";
    EXPECT_EQ(spec("opcode=aes-gcm-enc class=xlate addr=0x1000").opcode, CCE_OP_AES_GCM_ENC);
    EXPECT_EQ(spec("class=cpl_error status=dma-error").status, CCE_ST_DMA_ERROR);
    EXPECT_EQ(spec("class=cpl_error status=8").status, CCE_ST_DMA_ERROR);
    EXPECT_FALSE(spec("class=ue severity=nonfatal").fatal);
    EXPECT_EQ(spec("class=ats_delay").delay_ns, 10000u);
    EXPECT_FALSE(spec("class=ue queue=2 at_ns=5").timed()) << "a selector makes it job-bound";
}

TEST(FaultSpecTest, CanonicalTextParsesBackToTheSameSpec) {
    for (const char* t :
         {"class=bitflip queue=1 opcode=compress after=10 count=1 bit=77",
          "class=xlate pasid=9 addr=0xdead000", "class=ats_delay pasid=3 delay_ns=12345",
          "class=cpl_error status=auth-failed prob=0.25 seed=99", "class=ue severity=nonfatal",
          "class=msix_dup opcode=63", "class=crash at_ns=1", "class=hang queue=63 count=0"}) {
        const FaultSpec a = spec(t);
        const FaultSpec b = spec(a.text());
        EXPECT_EQ(a.text(), b.text()) << t;
        EXPECT_EQ(a.opcode, b.opcode) << t;
        EXPECT_EQ(a.prob, b.prob) << t;
        EXPECT_EQ(a.count, b.count) << t;
    }
}

TEST(FaultSpecTest, BadSpecsGetClearErrors) {
    EXPECT_EQ(parse_error(""), "empty fault spec");
    EXPECT_EQ(parse_error("queue=1"), "missing class=");
    EXPECT_NE(parse_error("class=melt").find("unknown class 'melt'"), std::string::npos);
    EXPECT_EQ(parse_error("class=ce colour=red"), "unknown key 'colour'");
    EXPECT_NE(parse_error("class=ce queue=x").find("bad value 'x' for queue"), std::string::npos);
    EXPECT_NE(parse_error("class=ce queue=64").find("queue 0..63"), std::string::npos);
    EXPECT_NE(parse_error("class=ce queue=-1").find("bad value"), std::string::npos);
    EXPECT_NE(parse_error("class=ce pasid=0x100000").find("20-bit"), std::string::npos);
    EXPECT_NE(parse_error("class=ce opcode=frobnicate").find("opcode"), std::string::npos);
    EXPECT_NE(parse_error("class=ce opcode=64").find("opcode"), std::string::npos);
    EXPECT_NE(parse_error("class=ce prob=0").find("0 < P <= 1"), std::string::npos);
    EXPECT_NE(parse_error("class=ce prob=1.5").find("0 < P <= 1"), std::string::npos);
    EXPECT_NE(parse_error("class=ce prob=nan").find("0 < P <= 1"), std::string::npos);
    EXPECT_NE(parse_error("class=ce after=12abc").find("unsigned integer"), std::string::npos);
    EXPECT_EQ(parse_error("class=ce seed=3"), "seed= only makes sense with prob=");
    EXPECT_EQ(parse_error("class=ce class=ue"), "duplicate key class");
    EXPECT_EQ(parse_error("class=ce after=1 after=2"), "duplicate key after");
    EXPECT_EQ(parse_error("class=ce addr=0x1000"), "class ce does not take addr=");
    EXPECT_EQ(parse_error("class=bitflip status=internal"), "class bitflip does not take status=");
    EXPECT_EQ(parse_error("class=ats_delay queue=1"), "class ats_delay does not take queue=");
    EXPECT_NE(parse_error("class=cpl_error status=success").find("bad value"), std::string::npos);
    EXPECT_NE(parse_error("class=ue severity=mild").find("fatal or nonfatal"), std::string::npos);
    EXPECT_NE(parse_error("class=ats_delay delay_ns=0").find("1 ns"), std::string::npos);
    EXPECT_EQ(parse_error("class=ce after"), "expected key=value, got 'after'");
    EXPECT_EQ(parse_error("class=ce after="), "empty value for after");
}

TEST_F(EngineTest, FaultOnAQueueTheEngineLacksIsRefused) {
    EXPECT_THROW(engine->add_fault(spec("class=hang queue=16")), std::invalid_argument);
    EXPECT_NO_THROW(engine->add_fault(spec("class=hang queue=15")));
}

// ------------------------------------------------------------ classes --

TEST_F(EngineTest, XlateFaultOnAChosenAddressOfAPasidJob) {
    QueueOptions o;
    o.pasid = kPasid;
    auto& q = queue(0, o);
    auto& other = queue(1);
    q.enable();
    other.enable();
    const auto data = pattern(4 * 4096, 1);
    const uint64_t src = buffer(kPasid, data);
    const uint64_t dst = h->alloc(kPasid, 4 * 4096);
    const uint64_t bad = dst + 2 * 4096 + 512;
    const unsigned id = engine->add_fault(spec("class=xlate queue=0 after=2 addr=" + std::to_string(bad)));
    for (int i = 0; i < 4; ++i) q.push(make_desc(CCE_OP_MEMCPY, src, 4 * 4096, dst, 4 * 4096, i));
    q.ring();
    const uint64_t nb = h->alloc(kNoPasid, 4096);
    other.submit(make_desc(CCE_OP_CRC32, nb, 4096, 0, 0, 77));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 4u);
    for (int i : {0, 1, 3}) EXPECT_EQ(c[i].status, CCE_ST_SUCCESS) << i;
    EXPECT_EQ(c[2].status, CCE_ST_TRANSLATION_FAULT);
    EXPECT_EQ(c[2].fault_addr, bad);
    EXPECT_EQ(c[2].bytes_produced, 2 * 4096u + 512) << "progress up to the faulting address";
    auto oc = other.run_and_collect();
    ASSERT_EQ(oc.size(), 1u);
    EXPECT_EQ(oc[0].status, CCE_ST_SUCCESS);
    const auto log = engine->fault_log();
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].fault_id, id);
    EXPECT_EQ(log[0].cls, FaultClass::XlateFault);
    EXPECT_EQ(log[0].queue, 0);
    EXPECT_TRUE(log[0].pasid_valid);
    EXPECT_EQ(log[0].pasid, kPasid);
    EXPECT_EQ(log[0].opcode, CCE_OP_MEMCPY);
    EXPECT_EQ(log[0].detail, bad);
    const auto st = engine->stats();
    EXPECT_EQ(st.faults_injected, 1u);
    EXPECT_EQ(st.faults_by_class[unsigned(FaultClass::XlateFault)], 1u);
    EXPECT_EQ(st.queues[0].translation_faults, 1u);
    EXPECT_EQ(engine->faults()[0].matched, 3u) << "jobs 0..2 matched, then exhausted";
}

TEST_F(EngineTest, XlateFaultOnAnUntranslatedQueueIsADmaError) {
    auto& q = queue(2);
    q.enable();
    const uint64_t src = buffer(kNoPasid, pattern(8192, 2));
    engine->add_fault(spec("class=xlate opcode=crc32"));
    q.push(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 1));
    q.push(make_desc(CCE_OP_CRC32, src, 8192, 0, 0, 2));
    q.push(make_desc(CCE_OP_CRC32, src, 8192, 0, 0, 3));
    q.ring();
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
    EXPECT_EQ(c[1].status, CCE_ST_DMA_ERROR) << "the next access of the job";
    EXPECT_EQ(c[1].fault_addr, src);
    EXPECT_EQ(c[2].status, CCE_ST_SUCCESS);
    EXPECT_TRUE(rd(CCE_REG_RAS_STATUS) & CCE_RAS_DMA_ERROR);
    EXPECT_EQ(rd64(CCE_REG_RAS_ERR_INFO), src);
}

TEST_F(EngineTest, PriFailTurnsASuccessfulPageResponseIntoATranslationFault) {
    QueueOptions o;
    o.pasid = kPasid;
    o.pri = true;
    auto& q = queue(0, o);
    q.enable();
    const auto data = pattern(2 * 4096, 3);
    const uint64_t src = buffer(kPasid, data);
    const uint64_t dst = h->reserve(kPasid, 2 * 4096);
    engine->add_fault(spec("class=pri_fail after=1"));
    q.submit(make_desc(CCE_OP_MEMCPY, src, 2 * 4096, dst, 2 * 4096, 1));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_TRANSLATION_FAULT);
    EXPECT_EQ(c[0].fault_addr, dst + 4096) << "the second page request was 'failed'";
    EXPECT_EQ(c[0].bytes_produced, 4096u);
    EXPECT_EQ(engine->stats().page_responses_ok, 2u) << "the host did answer success";
    // Resubmitted, the job gets the page (the fault is used up).
    q.submit(make_desc(CCE_OP_MEMCPY, src + 4096, 4096, dst + 4096, 4096, 2));
    c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
    EXPECT_EQ(h->read_vec(kPasid, dst, data.size()), data);
    ASSERT_EQ(engine->fault_log().size(), 1u);
    EXPECT_EQ(engine->fault_log()[0].detail, dst + 4096);
}

TEST_F(EngineTest, AtsInvalidationCompletesLateButCompletes) {
    QueueOptions o;
    o.pasid = kPasid;
    auto& q = queue(0, o);
    q.enable();
    const uint64_t src = buffer(kPasid, pattern(4096, 4));
    q.submit(make_desc(CCE_OP_CRC32, src, 4096, 0, 0, 1));
    ASSERT_EQ(q.run_and_collect().size(), 1u);
    engine->add_fault(spec("class=ats_delay pasid=" + std::to_string(kPasid) + " delay_ns=250000"));
    const uint64_t t0 = engine->now_ns();
    h->invalidate(kPasid + 1, 0, 4096);  // another address space: not delayed
    EXPECT_EQ(engine->now_ns(), t0);
    h->invalidate(kPasid, src, 4096);
    EXPECT_EQ(engine->now_ns() - t0, 250000u) << "the invalidation returned 250 us later";
    const uint64_t misses = engine->stats().atc_misses;
    q.submit(make_desc(CCE_OP_CRC32, src, 4096, 0, 0, 2));
    ASSERT_EQ(q.run_and_collect().size(), 1u);
    EXPECT_EQ(engine->stats().atc_misses, misses + 1) << "the entry is gone after the ack";
    const uint64_t t1 = engine->now_ns();
    h->invalidate(kPasid, src, 4096);
    EXPECT_EQ(engine->now_ns(), t1) << "count=1: the next one is on time";
    EXPECT_EQ(engine->stats().faults_by_class[unsigned(FaultClass::AtsDelay)], 1u);
}

TEST_F(EngineTest, HangStopsOneQueueUntilDisableOrReset) {
    auto& q = queue(1);
    auto& other = queue(0);
    q.enable();
    other.enable();
    engine->add_fault(spec("class=hang queue=1 after=1"));
    for (int i = 0; i < 3; ++i) q.push(make_desc(CCE_OP_NOP, 0, 0, 0, 0, i));
    q.ring();
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u) << "job 0 completes, job 1 hangs, job 2 is never fetched";
    engine->run_for_ns(10'000'000);
    EXPECT_FALSE(q.poll().has_value());
    const uint32_t st = q.reg(CCE_Q_STATUS);
    EXPECT_FALSE(st & CCE_QSTS_IDLE);
    EXPECT_FALSE(st & CCE_QSTS_ERROR) << "a hang is silent";
    EXPECT_EQ(q.reg(CCE_Q_SQ_HEAD), 2u);
    // Abort does not help a hung queue; the other queue works.
    q.set_reg(CCE_Q_CTRL, CCE_QCTRL_ENABLE | CCE_QCTRL_ABORT);
    engine->run_until_idle();
    EXPECT_FALSE(q.poll().has_value());
    other.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 9));
    ASSERT_EQ(other.run_and_collect().size(), 1u);
    // Disable recovers the queue.
    q.disable();
    engine->run_until_idle();
    EXPECT_TRUE(q.reg(CCE_Q_STATUS) & CCE_QSTS_IDLE);
    queues.erase(queues.begin());
    auto& q2 = queue(1);
    q2.enable();
    q2.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 5));
    auto c2 = q2.run_and_collect();
    ASSERT_EQ(c2.size(), 1u);
    EXPECT_EQ(c2[0].cookie, 5u);
    // A second hang, cleared by a function reset.
    engine->add_fault(spec("class=hang queue=1"));
    q2.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 6));
    EXPECT_TRUE(q2.run_and_collect().empty());
    EXPECT_FALSE(rd(CCE_REG_GSTS) & CCE_GSTS_QUIESCED);
    wr(CCE_REG_GCTL, CCE_GCTL_RESET);
    engine->run_until_idle();
    EXPECT_TRUE(rd(CCE_REG_GSTS) & CCE_GSTS_QUIESCED);
    EXPECT_FALSE(engine->busy());
    EXPECT_EQ(engine->stats().faults_by_class[unsigned(FaultClass::Hang)], 2u);
}

TEST_F(EngineTest, BitFlipCorruptsExactlyOneOutputBitSilently) {
    auto& q = queue(0);
    q.enable();
    const auto data = pattern(4096, 5);
    const uint64_t src = buffer(kNoPasid, data);
    const uint64_t dst = h->alloc(kNoPasid, 4096);
    const uint64_t dst2 = h->alloc(kNoPasid, 4096);
    engine->add_fault(spec("class=bitflip opcode=memcpy bit=1001"));
    q.push(make_desc(CCE_OP_MEMCPY, src, 4096, dst, 4096, 1));
    q.push(make_desc(CCE_OP_MEMCPY, src, 4096, dst2, 4096, 2));
    q.ring();
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
    EXPECT_EQ(c[0].bytes_produced, 4096u);
    auto got = h->read_vec(kNoPasid, dst, 4096);
    auto want = data;
    want[1001 / 8] ^= 1u << (1001 % 8);
    EXPECT_EQ(got, want);
    EXPECT_EQ(h->read_vec(kNoPasid, dst2, 4096), data) << "count=1";
    // A value output (CRC): the bit flips in cpl.result.
    engine->add_fault(spec("class=bitflip opcode=crc32 bit=3"));
    q.submit(make_desc(CCE_OP_CRC32, src, 4096, 0, 0, 3));
    c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
    EXPECT_EQ(c[0].result, datapath::crc32(0, data.data(), data.size()) ^ 8u);
    const auto log = engine->fault_log();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].detail, 1001u);
    EXPECT_EQ(log[1].detail, (1ull << 32) | 3);
}

TEST_F(EngineTest, CplErrorOnTheSelectedOpcodeOnly) {
    auto& q = queue(3);
    q.enable();
    const uint64_t src = buffer(kNoPasid, pattern(256, 6));
    const uint64_t dst = h->alloc(kNoPasid, 256);
    engine->add_fault(spec("class=cpl_error status=corrupt-input opcode=memcpy after=1 count=2"));
    for (int i = 0; i < 8; ++i) {
        if (i % 2)
            q.push(make_desc(CCE_OP_MEMCPY, src, 256, dst, 256, i));
        else
            q.push(make_desc(CCE_OP_NOP, 0, 0, 0, 0, i));
    }
    q.ring();
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 8u);
    // memcpys are jobs 1, 3, 5, 7: the 2nd and 3rd fail.
    for (int i = 0; i < 8; ++i)
        EXPECT_EQ(c[i].status, (i == 3 || i == 5) ? CCE_ST_CORRUPT_INPUT : CCE_ST_SUCCESS) << i;
    EXPECT_EQ(q.reg64(CCE_Q_STAT_ERRORS), 2u);
    EXPECT_EQ(engine->stats().faults_by_class[unsigned(FaultClass::CplError)], 2u);
}

TEST_F(EngineTest, MsixLostAndDuplicated) {
    auto& q = queue(0);
    q.enable();
    engine->add_fault(spec("class=msix_lost queue=0 after=1"));
    engine->add_fault(spec("class=msix_dup queue=0 after=3"));
    for (int i = 0; i < 6; ++i) q.push(make_desc(CCE_OP_NOP, 0, 0, 0, 0, i));
    q.ring();
    ASSERT_EQ(q.run_and_collect().size(), 6u);
    // 6 completions: one interrupt lost, one sent twice.
    EXPECT_EQ(h->msix_count(0), 6u);
    std::vector<uint64_t> t;
    for (const auto& m : h->msix) t.push_back(m.time_ns);
    ASSERT_EQ(t.size(), 6u);
    EXPECT_EQ(t[2], t[3]) << "the duplicate goes out with the original";
    EXPECT_LT(t[1], t[2]);
    const auto s = engine->stats();
    EXPECT_EQ(s.faults_by_class[unsigned(FaultClass::MsixLost)], 1u);
    EXPECT_EQ(s.faults_by_class[unsigned(FaultClass::MsixDup)], 1u);
    EXPECT_EQ(s.queues[0].msix, 6u);
}

// Both armed for the same jobs: a lost interrupt carries no duplicate, and
// every injection the counters report really happened (the duplicates go
// out on the next interrupts instead of being dropped while still counted).
TEST_F(EngineTest, MsixLostAndDuplicatedOnTheSameJobsCountExactly) {
    auto& q = queue(0);
    q.enable();
    engine->add_fault(spec("class=msix_lost queue=0 after=1 count=2"));
    engine->add_fault(spec("class=msix_dup queue=0 after=1 count=3"));
    for (int i = 0; i < 8; ++i) q.push(make_desc(CCE_OP_NOP, 0, 0, 0, 0, i));
    q.ring();
    ASSERT_EQ(q.run_and_collect().size(), 8u);
    const auto s = engine->stats();
    EXPECT_EQ(s.faults_by_class[unsigned(FaultClass::MsixLost)], 2u);
    EXPECT_EQ(s.faults_by_class[unsigned(FaultClass::MsixDup)], 3u);
    // 8 completions - 2 lost + 3 duplicates.
    EXPECT_EQ(h->msix_count(0), 9u);
    EXPECT_EQ(s.queues[0].msix, 9u);
}

TEST_F(EngineTest, CorrectableErrorIsReportedAndTheJobSucceeds) {
    auto& q = queue(4);
    q.enable();
    engine->add_fault(spec("class=ce queue=4 opcode=nop"));
    q.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 1));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
    EXPECT_EQ(rd(CCE_REG_RAS_STATUS), CCE_RAS_CE_INTERNAL);
    EXPECT_EQ(rd(CCE_REG_RAS_CE_COUNT), 1u);
    EXPECT_EQ(rd(CCE_REG_RAS_UE_COUNT), 0u);
    EXPECT_EQ(rd64(CCE_REG_RAS_ERR_INFO), (1ull << 63) | (4ull << 32) | CCE_OP_NOP);
    EXPECT_EQ(h->msix_count(err_vector()), 1u);
    ASSERT_EQ(h->aer.size(), 1u);
    EXPECT_EQ(h->aer[0].severity, AerSeverity::Correctable);
    EXPECT_EQ(h->aer[0].info, rd64(CCE_REG_RAS_ERR_INFO));
    EXPECT_FALSE(rd(CCE_REG_GSTS) & CCE_GSTS_FATAL);
    // Masked: counted and latched, no interrupt (AER still goes to the host).
    wr(CCE_REG_RAS_STATUS, CCE_RAS_CE_INTERNAL);
    wr(CCE_REG_RAS_MASK, CCE_RAS_CE_INTERNAL);
    engine->add_fault(spec("class=ce"));
    q.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 2));
    ASSERT_EQ(q.run_and_collect().size(), 1u);
    EXPECT_EQ(rd(CCE_REG_RAS_CE_COUNT), 2u);
    EXPECT_EQ(h->msix_count(err_vector()), 1u);
    EXPECT_EQ(h->aer.size(), 2u);
}

TEST_F(EngineTest, NonFatalUncorrectableErrorFailsOnlyThatJob) {
    auto& q = queue(0);
    q.enable();
    engine->add_fault(spec("class=ue severity=nonfatal after=1"));
    for (int i = 0; i < 3; ++i) q.push(make_desc(CCE_OP_NOP, 0, 0, 0, 0, i));
    q.ring();
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
    EXPECT_EQ(c[1].status, CCE_ST_INTERNAL_ERROR);
    EXPECT_EQ(c[2].status, CCE_ST_SUCCESS);
    EXPECT_TRUE(rd(CCE_REG_RAS_STATUS) & CCE_RAS_UE_INTERNAL);
    EXPECT_EQ(rd(CCE_REG_RAS_UE_COUNT), 1u);
    EXPECT_FALSE(rd64(CCE_REG_RAS_ERR_INFO) & (1ull << 62)) << "not fatal";
    EXPECT_FALSE(rd(CCE_REG_GSTS) & CCE_GSTS_FATAL);
    EXPECT_TRUE(rd(CCE_REG_GSTS) & CCE_GSTS_READY);
    ASSERT_EQ(h->aer.size(), 1u);
    EXPECT_EQ(h->aer[0].severity, AerSeverity::NonFatal);
}

TEST_F(EngineTest, FatalErrorAtATimeFailsJobsInFlightAndHaltsUntilReset) {
    auto& q = queue(0);
    auto& q2 = queue(1);
    q.enable();
    q2.enable();
    const uint32_t big = 4u << 20;  // ~130 us of DMA
    const uint64_t src = h->alloc(kNoPasid, big), dst = h->alloc(kNoPasid, big);
    engine->add_fault(spec("class=ue at_ns=50000"));
    q.submit(make_desc(CCE_OP_MEMCPY, src, big, dst, big, 1));
    engine->run_for_ns(10000);
    EXPECT_EQ(rd(CCE_REG_RAS_STATUS), 0u);
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_INTERNAL_ERROR);
    const auto log = engine->fault_log();
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].time_ns, 50000u) << "fired at the simulated time asked for";
    EXPECT_EQ(log[0].queue, -1);
    EXPECT_TRUE(rd(CCE_REG_GSTS) & CCE_GSTS_FATAL);
    EXPECT_FALSE(rd(CCE_REG_GSTS) & CCE_GSTS_READY);
    EXPECT_EQ(rd(CCE_REG_RAS_UE_COUNT), 1u);
    EXPECT_EQ(rd64(CCE_REG_RAS_ERR_INFO), (1ull << 63) | (1ull << 62) | (0xffull << 32) | 0xff);
    ASSERT_EQ(h->aer.size(), 1u);
    EXPECT_EQ(h->aer[0].severity, AerSeverity::Fatal);
    EXPECT_EQ(h->aer[0].time_ns, 50000u);
    EXPECT_EQ(h->msix_count(err_vector()), 1u);
    // Clearing RAS_STATUS does not clear FATAL; nothing is fetched.
    wr(CCE_REG_RAS_STATUS, ~0u);
    EXPECT_TRUE(rd(CCE_REG_GSTS) & CCE_GSTS_FATAL);
    q2.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 2));
    EXPECT_TRUE(q2.run_and_collect().empty());
    EXPECT_EQ(q2.reg(CCE_Q_SQ_HEAD), 0u);
    // A function reset recovers.
    wr(CCE_REG_GCTL, CCE_GCTL_RESET);
    EXPECT_FALSE(rd(CCE_REG_GSTS) & CCE_GSTS_FATAL);
    wr(CCE_REG_GCTL, CCE_GCTL_ENABLE);
    queues.clear();
    auto& q3 = queue(1);
    q3.enable();
    q3.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 3));
    auto c3 = q3.run_and_collect();
    ASSERT_EQ(c3.size(), 1u);
    EXPECT_EQ(c3[0].status, CCE_ST_SUCCESS);
    EXPECT_TRUE(rd(CCE_REG_GSTS) & CCE_GSTS_READY);
}

TEST_F(EngineTest, CrashCallsTheHandlerAtTheTrigger) {
    std::vector<model::FaultRecord> crashes;
    engine->set_crash_handler([&](const model::FaultRecord& r) { crashes.push_back(r); });
    auto& q = queue(2);
    q.enable();
    engine->add_fault(spec("class=crash queue=2 after=2"));
    for (int i = 0; i < 4; ++i) q.push(make_desc(CCE_OP_NOP, 0, 0, 0, 0, i));
    q.ring();
    engine->run_until_idle();
    ASSERT_EQ(crashes.size(), 1u);
    EXPECT_EQ(crashes[0].cls, FaultClass::Crash);
    EXPECT_EQ(crashes[0].queue, 2);
    engine->add_fault(spec("class=crash at_ns=" + std::to_string(engine->now_ns() + 1000)));
    engine->run_until_idle();
    ASSERT_EQ(crashes.size(), 2u);
    EXPECT_EQ(crashes[1].queue, -1);
}

TEST(FaultDeathTest, CrashAbortsTheProcessByDefault) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            Harness h(8u << 20);
            Engine e(EngineConfig{}, h);
            h.attach(&e);
            FaultSpec s;
            std::string err;
            if (!parse_fault_spec("class=crash at_ns=100", s, err)) std::exit(3);
            e.add_fault(s);
            e.run_until_idle();
            std::exit(0);
        },
        "injected crash: t=100ns fault=1 class=crash");
}

// ------------------------------------------------------ seeds, replay --

namespace {
// Which of n CRC jobs on queue 0 got a flipped result, and which bits.
std::vector<std::pair<int, uint32_t>> flip_run(const std::string& fault, uint64_t engine_seed,
                                                unsigned n) {
    Harness h(8u << 20);
    EngineConfig cfg;
    cfg.fault_seed = engine_seed;
    Engine e(cfg, h);
    h.attach(&e);
    e.mmio_write(CCE_BAR0, CCE_REG_GCTL, CCE_GCTL_ENABLE, 4);
    TestQueue q(h, e, 0, QueueOptions{512, 512});
    q.enable();
    std::vector<uint8_t> data(512, 0x5a);
    const uint64_t src = h.alloc(kNoPasid, data.size());
    h.write_va(kNoPasid, src, data.data(), data.size());
    const uint32_t good = datapath::crc32(0, data.data(), data.size());
    FaultSpec s;
    std::string err;
    EXPECT_TRUE(parse_fault_spec(fault, s, err)) << err;
    e.add_fault(s);
    for (unsigned i = 0; i < n; ++i) q.push(make_desc(CCE_OP_CRC32, src, 512, 0, 0, i));
    q.ring();
    auto c = q.run_and_collect();
    EXPECT_EQ(c.size(), n);
    std::vector<std::pair<int, uint32_t>> out;
    for (unsigned i = 0; i < c.size(); ++i)
        if (c[i].result != good) out.emplace_back(i, c[i].result ^ good);
    EXPECT_EQ(e.stats().faults_by_class[unsigned(FaultClass::BitFlip)], out.size());
    return out;
}
}  // namespace

TEST(FaultReplayTest, SameSeedSameRunOtherSeedOtherRun) {
    const auto a = flip_run("class=bitflip prob=0.2 seed=7", 1, 200);
    const auto b = flip_run("class=bitflip prob=0.2 seed=7", 99, 200);
    const auto c = flip_run("class=bitflip prob=0.2 seed=8", 1, 200);
    EXPECT_EQ(a, b) << "the fault's own seed wins over the engine's";
    EXPECT_NE(a, c);
    EXPECT_GT(a.size(), 20u);
    EXPECT_LT(a.size(), 70u);
    for (const auto& [job, diff] : a) EXPECT_EQ(std::popcount(diff), 1) << job;
    // Without seed=, the engine's fault seed (cce-model --fault-seed) decides.
    const auto d = flip_run("class=bitflip prob=0.2", 5, 200);
    const auto e = flip_run("class=bitflip prob=0.2", 5, 200);
    const auto f = flip_run("class=bitflip prob=0.2", 6, 200);
    EXPECT_EQ(d, e);
    EXPECT_NE(d, f);
}

TEST_F(EngineTest, ClearRemovesFaultsButKeepsTheLog) {
    auto& q = queue(0);
    q.enable();
    engine->add_fault(spec("class=cpl_error count=0"));
    q.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 1));
    ASSERT_EQ(q.run_and_collect()[0].status, CCE_ST_INTERNAL_ERROR);
    EXPECT_EQ(engine->clear_faults(), 1u);
    EXPECT_TRUE(engine->faults().empty());
    q.submit(make_desc(CCE_OP_NOP, 0, 0, 0, 0, 2));
    ASSERT_EQ(q.run_and_collect()[0].status, CCE_ST_SUCCESS);
    EXPECT_EQ(engine->fault_log().size(), 1u);
}

}  // namespace cce::test
