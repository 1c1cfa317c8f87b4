// SPDX-License-Identifier: MIT
// DMA through the ATC: translation faults with resumable progress, page
// requests, ATC caching and invalidation, untranslated DMA via the IOMMU.
#include "cce/datapath/crc.h"
#include "fixture.h"

namespace cce::test {

namespace {
constexpr uint32_t kPasid = 7;
QueueOptions pasid_queue(bool pri) {
    QueueOptions o;
    o.pasid = kPasid;
    o.pri = pri;
    return o;
}
}  // namespace

TEST_F(EngineTest, TranslationFaultReportsAddressAndProgressThenResumes) {
    auto& q = queue(0, pasid_queue(false));
    q.enable();
    const auto data = pattern(5 * 4096, 4);
    const uint64_t src = buffer(kPasid, data);
    const uint64_t dst = h->alloc(kPasid, 5 * 4096);
    h->unmap(kPasid, dst + 3 * 4096, 4096);  // page 3 of the destination absent
    q.submit(make_desc(CCE_OP_MEMCPY, src + 100, 5 * 4096 - 100, dst + 100, 5 * 4096 - 100, 1));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_TRANSLATION_FAULT);
    EXPECT_EQ(c[0].fault_addr, dst + 3 * 4096);
    EXPECT_EQ(c[0].bytes_produced, 3 * 4096 - 100u);
    EXPECT_EQ(c[0].bytes_consumed, c[0].bytes_produced);
    EXPECT_TRUE(h->page_requests.empty());  // PRI off: no page request
    // Software maps the page and resumes where the device stopped.
    h->map(kPasid, dst + 3 * 4096, h->alloc_phys(4096));
    const uint32_t done = c[0].bytes_produced;
    const uint32_t rest = 5 * 4096 - 100 - done;
    q.submit(make_desc(CCE_OP_MEMCPY, src + 100 + done, rest, dst + 100 + done, rest, 2));
    auto c2 = q.run_and_collect();
    ASSERT_EQ(c2.size(), 1u);
    EXPECT_EQ(c2[0].status, CCE_ST_SUCCESS);
    std::vector<uint8_t> want(data.begin() + 100, data.end());
    EXPECT_EQ(h->read_vec(kPasid, dst + 100, want.size()), want);
    EXPECT_EQ(engine->stats().queues[0].translation_faults, 1u);
}

TEST_F(EngineTest, CrcFaultReturnsPartialCrcForResume) {
    auto& q = queue(0, pasid_queue(false));
    q.enable();
    const auto data = pattern(4 * 4096, 5);
    const uint64_t src = buffer(kPasid, data);
    h->unmap(kPasid, src + 2 * 4096, 4096);
    q.submit(make_desc(CCE_OP_CRC32, src, 4 * 4096, 0, 0, 1));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_TRANSLATION_FAULT);
    EXPECT_EQ(c[0].bytes_consumed, 2 * 4096u);
    EXPECT_EQ(c[0].fault_addr, src + 2 * 4096);
    EXPECT_EQ(c[0].result, datapath::crc32(0, data.data(), 2 * 4096));
}

TEST_F(EngineTest, PageRequestFaultsInUntouchedMemory) {
    auto& q = queue(0, pasid_queue(true));
    q.enable();
    const auto data = pattern(8 * 4096, 6);
    const uint64_t src = buffer(kPasid, data);
    const uint64_t dst = h->reserve(kPasid, 8 * 4096);  // malloc'd, never touched
    q.submit(make_desc(CCE_OP_MEMCPY, src, 8 * 4096, dst, 8 * 4096, 1));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
    EXPECT_EQ(h->read_vec(kPasid, dst, data.size()), data);
    ASSERT_EQ(h->page_requests.size(), 8u);  // one per page
    for (unsigned i = 0; i < 8; ++i) {
        EXPECT_EQ(h->page_requests[i].pasid, kPasid);
        EXPECT_EQ(h->page_requests[i].addr, dst + i * 4096);
        EXPECT_TRUE(h->page_requests[i].write);
    }
    const auto st = engine->stats();
    EXPECT_EQ(st.page_requests, 8u);
    EXPECT_EQ(st.page_responses_ok, 8u);
    EXPECT_EQ(rd64(CCE_REG_STAT_PAGE_REQS), 8u);
}

TEST_F(EngineTest, DeferredPageResponseBlocksOnlyThatQueue) {
    h->defer_page_responses = true;
    auto& q = queue(0, pasid_queue(true));
    QueueOptions other;
    other.pasid = 9;
    auto& q2 = queue(1, other);
    q.enable();
    q2.enable();
    const uint64_t dst = h->reserve(kPasid, 4096);
    const uint64_t src = h->alloc(kPasid, 4096);
    q.submit(make_desc(CCE_OP_MEMCPY, src, 4096, dst, 4096, 1));
    const uint64_t b2 = h->alloc(9, 4096);
    for (int i = 0; i < 4; ++i) q2.push(make_desc(CCE_OP_CRC32, b2, 4096, 0, 0, i));
    q2.ring();
    engine->run_until_idle();
    EXPECT_TRUE(q.reg(CCE_Q_STATUS) & CCE_QSTS_PAGE_WAIT);
    EXPECT_FALSE(q.poll().has_value());
    EXPECT_EQ(q2.run_and_collect().size(), 4u);  // the other queue went on
    ASSERT_EQ(h->respond_pending(), 1u);
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
    EXPECT_FALSE(q.reg(CCE_Q_STATUS) & CCE_QSTS_PAGE_WAIT);
}

TEST_F(EngineTest, FailedPageRequestGivesTranslationFault) {
    auto& q = queue(0, pasid_queue(true));
    q.enable();
    const uint64_t src = h->alloc(kPasid, 4096);
    const uint64_t bogus = 0x7000000000ull;  // nothing reserved there
    q.submit(make_desc(CCE_OP_MEMCPY, src, 4096, bogus, 4096, 1));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_TRANSLATION_FAULT);
    EXPECT_EQ(c[0].fault_addr, bogus);
    EXPECT_EQ(c[0].bytes_produced, 0u);
    EXPECT_EQ(h->page_requests.size(), 1u);
    EXPECT_EQ(engine->stats().page_responses_fail, 1u);
}

TEST_F(EngineTest, StrayPageResponsesAreIgnored) {
    engine->page_response(kPasid, 17, true);  // nothing pending
    engine->run_until_idle();
    EXPECT_EQ(engine->stats().page_responses_unexpected, 1u);
}

TEST_F(EngineTest, WriteToReadOnlyPageFaultsWithPriUnlessHostUpgrades) {
    auto& q = queue(0, pasid_queue(true));
    q.enable();
    const uint64_t src = h->alloc(kPasid, 4096);
    const uint64_t dst = h->alloc(kPasid, 4096, true, false);  // read-only (e.g. COW)
    // The host's handler makes the page writable, as a COW break would.
    h->on_page_request = [&](const model::PageRequest& r) {
        h->protect(r.pasid, r.addr, 4096, true, true);
        return true;
    };
    q.submit(make_desc(CCE_OP_MEMCPY, src, 4096, dst, 4096, 1));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_SUCCESS);
    EXPECT_EQ(h->page_requests.size(), 1u);
    // Without PRI a read-only destination is a fault.
    auto& q2 = queue(1, pasid_queue(false));
    q2.enable();
    const uint64_t ro = h->alloc(kPasid, 4096, true, false);
    q2.submit(make_desc(CCE_OP_MEMCPY, src, 4096, ro, 4096, 2));
    auto c2 = q2.run_and_collect();
    ASSERT_EQ(c2.size(), 1u);
    EXPECT_EQ(c2[0].status, CCE_ST_TRANSLATION_FAULT);
    EXPECT_EQ(c2[0].fault_addr, ro);
}

TEST_F(EngineTest, AtcCachesAndInvalidationForcesRetranslation) {
    auto& q = queue(0, pasid_queue(false));
    q.enable();
    const auto one = pattern(4096, 11), two = pattern(4096, 12);
    const uint64_t src1 = buffer(kPasid, one), src2 = buffer(kPasid, two);
    const uint64_t dst = h->alloc(kPasid, 4096);
    const uint64_t pa_old = h->lookup(kPasid, dst)->pa;
    q.submit(make_desc(CCE_OP_MEMCPY, src1, 4096, dst, 4096, 1));
    q.run_and_collect();
    const uint64_t ats_after_first = h->ats_requests;
    // Same job again: served from the ATC, no new translation requests.
    q.submit(make_desc(CCE_OP_MEMCPY, src1, 4096, dst, 4096, 2));
    q.run_and_collect();
    EXPECT_EQ(h->ats_requests, ats_after_first);
    EXPECT_GT(engine->stats().atc_hits, 0u);

    // The OS moves dst to a new page. Until it invalidates, the device still
    // uses the cached translation (this is why invalidation exists)...
    const uint64_t pa_new = h->alloc_phys(4096);
    h->map(kPasid, dst, pa_new);
    q.submit(make_desc(CCE_OP_MEMCPY, src2, 4096, dst, 4096, 3));
    q.run_and_collect();
    EXPECT_EQ(std::vector<uint8_t>(h->phys_ptr(pa_old, 4096), h->phys_ptr(pa_old, 4096) + 4096), two);
    // ...and after the invalidation it must re-translate and use the new page.
    h->invalidate(kPasid, dst, 4096);
    q.submit(make_desc(CCE_OP_MEMCPY, src1, 4096, dst, 4096, 4));
    q.run_and_collect();
    EXPECT_GT(h->ats_requests, ats_after_first);
    EXPECT_EQ(std::vector<uint8_t>(h->phys_ptr(pa_new, 4096), h->phys_ptr(pa_new, 4096) + 4096), one);
    EXPECT_EQ(h->read_vec(kPasid, dst, 4096), one);
    const auto st = engine->stats();
    EXPECT_EQ(st.atc_invalidations, 1u);
    EXPECT_EQ(st.atc_entries_dropped, 1u);
}

TEST_F(EngineTest, InvalidationIsPerPasidAndRange) {
    auto& qa = queue(0, pasid_queue(false));
    QueueOptions ob;
    ob.pasid = 8;
    auto& qb = queue(1, ob);
    qa.enable();
    qb.enable();
    const uint64_t a = h->alloc(kPasid, 3 * 4096), b = h->alloc(8, 4096);
    qa.submit(make_desc(CCE_OP_CRC32, a, 3 * 4096, 0, 0));
    qb.submit(make_desc(CCE_OP_CRC32, b, 4096, 0, 0));
    engine->run_until_idle();
    const uint64_t ats = h->ats_requests;
    engine->ats_invalidate(kPasid, a + 4096, 4096);  // one page of one PASID
    EXPECT_EQ(engine->stats().atc_entries_dropped, 1u);
    qa.submit(make_desc(CCE_OP_CRC32, a, 3 * 4096, 0, 0));
    qb.submit(make_desc(CCE_OP_CRC32, b, 4096, 0, 0));
    qa.run_and_collect();
    qb.run_and_collect();
    EXPECT_EQ(h->ats_requests, ats + 1);  // only the dropped page
    engine->ats_invalidate_all();
    // PASID 7: SQ, CQ and 3 data pages; PASID 8: SQ, CQ and 1 data page.
    EXPECT_EQ(engine->stats().atc_entries_dropped, 1u + 8u);
}

TEST_F(EngineTest, AtcCapacityEvictsLeastRecentlyUsed) {
    EngineConfig cfg;
    cfg.atc_entries = 4;
    make(cfg);
    auto& q = queue(0, pasid_queue(false));
    q.enable();
    const uint64_t buf = h->alloc(kPasid, 16 * 4096);
    q.submit(make_desc(CCE_OP_CRC32, buf, 16 * 4096, 0, 0));
    q.run_and_collect();
    const uint64_t misses = engine->stats().atc_misses;
    q.submit(make_desc(CCE_OP_CRC32, buf, 16 * 4096, 0, 0));
    q.run_and_collect();
    // A 4-entry ATC cannot hold 16 pages + rings: every page misses again.
    EXPECT_GE(engine->stats().atc_misses - misses, 16u);
}

TEST_F(EngineTest, UntranslatedDmaGoesThroughTheIommu) {
    auto& q = queue(0);  // no PASID: kernel-owned queue on the DMA API
    q.enable();
    const auto data = pattern(8192, 13);
    const uint64_t src = buffer(kNoPasid, data);
    const uint64_t dst = h->alloc(kNoPasid, 8192);
    h->unmap(kNoPasid, dst + 4096, 4096);  // IOVA not mapped
    q.submit(make_desc(CCE_OP_MEMCPY, src, 8192, dst, 8192, 1));
    auto c = q.run_and_collect();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].status, CCE_ST_DMA_ERROR);
    EXPECT_EQ(c[0].fault_addr, dst + 4096);
    EXPECT_EQ(c[0].bytes_produced, 4096u);
    EXPECT_EQ(h->ats_requests, 0u);  // no ATS without PASID
    EXPECT_TRUE(rd(CCE_REG_RAS_STATUS) & CCE_RAS_DMA_ERROR);
    EXPECT_EQ(h->msix_count(err_vector()), 1u);
}

}  // namespace cce::test
