// SPDX-License-Identifier: MIT
// DMA unit: moves data between the engine and host memory on behalf of a
// queue. PASID queues translate through the ATC and ATS (with PRI on a
// not-present page when the queue allows it); other queues send untranslated
// requests that the host's IOMMU translates. Every access is split at 4 KiB
// page boundaries, and nothing reaches the host after a reset.
#include <algorithm>

#include "model.h"

namespace cce::model {

using sc_core::sc_time;
using sc_core::wait;

namespace {
constexpr uint64_t kPageMask = CCE_PAGE_SIZE - 1;
}

DmaUnit::DmaUnit(Top& top) : top_(top) {
    pr_wait_ |= pr_event_;
    pr_wait_ |= top_.reset_event;
    pr_wait_ |= top_.abort_event;
}

void DmaUnit::transfer_time(size_t bytes) {
    const auto& cfg = top_.cfg;
    const uint64_t bpc = cfg.dma_bytes_per_cycle ? cfg.dma_bytes_per_cycle : 1;
    const uint64_t cyc = cfg.dma_setup_cycles + (bytes + bpc - 1) / bpc;
    const sc_time now = sc_core::sc_time_stamp();
    const sc_time start = std::max(now, bus_free_at_);
    bus_free_at_ = start + top_.clk * static_cast<double>(cyc);
    wait(bus_free_at_ - now);
}

bool DmaUnit::page_request(const DmaContext& c, uint64_t page, bool write, bool& success) {
    const uint16_t idx = next_prg_;
    next_prg_ = static_cast<uint16_t>((next_prg_ + 1) & 0x1ff);  // 9-bit PRG index
    pending_[idx] = PendingPr{c.pasid};
    ++top_.stats.page_requests;
    ++top_.queues[c.queue]->stats.page_requests;
    top_.queues[c.queue]->set_page_wait(true);
    top_.wait_cycles(top_.cfg.page_request_cycles);
    bool completed = false;
    if (c.gen == top_.gen && !(c.cancelled && c.cancelled())) {
        PageRequest req;
        req.pasid = c.pasid;
        req.addr = page;
        req.read = true;
        req.write = write;
        req.prg_index = idx;
        top_.host.page_request(req);
        for (;;) {
            auto it = pending_.find(idx);
            if (it != pending_.end() && it->second.done) {
                success = it->second.success;
                completed = true;
                break;
            }
            if (c.gen != top_.gen || (c.cancelled && c.cancelled())) break;
            wait(pr_wait_);
        }
    }
    pending_.erase(idx);
    if (c.gen == top_.gen) top_.queues[c.queue]->set_page_wait(false);
    if (completed && success) {
        // Fault pri_fail: the host said success, the device acts as if not.
        const FaultSite s = top_.site(static_cast<int>(c.queue), c.pasid_en, c.pasid, c.opcode);
        if (auto f = top_.faults.fire(FaultClass::PriFail, s)) {
            top_.fault_record(*f, s, page);
            success = false;
        }
    }
    return completed;
}

bool DmaUnit::injected_fault(const DmaContext& c, uint64_t cur, size_t& chunk, DmaOutcome& out) {
    const FiredFault& f = *c.faults->xlate;
    if (f.spec.addr && *f.spec.addr != cur) {
        // Transfer up to the target address first; it faults on its own chunk.
        if (*f.spec.addr > cur && *f.spec.addr - cur < chunk) chunk = *f.spec.addr - cur;
        return false;
    }
    const FaultSite s = top_.site(static_cast<int>(c.queue), c.pasid_en, c.pasid, c.opcode);
    top_.fault_record(f, s, cur);
    c.faults->xlate.reset();
    out.fault_addr = cur;
    if (c.pasid_en) {
        // As if ATS said "not present" and no page request could fix it.
        out.status = CCE_ST_TRANSLATION_FAULT;
        ++top_.queues[c.queue]->stats.translation_faults;
    } else {
        // Untranslated DMA the host IOMMU refused.
        out.status = CCE_ST_DMA_ERROR;
        top_.ras_event(CCE_RAS_DMA_ERROR, cur);
    }
    return true;
}

void DmaUnit::page_response(uint32_t pasid, uint16_t prg_index, bool success) {
    auto it = pending_.find(prg_index);
    if (it == pending_.end() || it->second.pasid != pasid || it->second.done) {
        ++top_.stats.page_responses_unexpected;
        return;
    }
    it->second.done = true;
    it->second.success = success;
    if (success)
        ++top_.stats.page_responses_ok;
    else
        ++top_.stats.page_responses_fail;
    pr_event_.notify(sc_core::SC_ZERO_TIME);
}

void DmaUnit::reset() {
    pending_.clear();
    bus_free_at_ = sc_core::SC_ZERO_TIME;
}

uint8_t DmaUnit::translate(const DmaContext& c, uint64_t addr, bool write, uint64_t& pa,
                           uint64_t& limit) {
    auto& st = top_.stats;
    for (int attempt = 0;; ++attempt) {
        if (const AtcEntry* e = top_.atc.lookup(c.pasid, addr); e && (write ? e->write : e->read)) {
            ++st.atc_hits;
            top_.wait_cycles(top_.cfg.atc_hit_cycles);
            pa = e->pa + (addr - e->va);
            limit = e->va + e->size - addr;
            return CCE_ST_SUCCESS;
        }
        ++st.atc_misses;
        top_.wait_cycles(top_.cfg.ats_miss_cycles);
        if (c.gen != top_.gen) return CCE_ST_ABORTED;
        const AtsResult r = top_.host.ats_translate(c.pasid, addr & ~kPageMask, write);
        if (!r.ok) return CCE_ST_TRANSLATION_FAULT;
        const unsigned shift = std::clamp(r.page_shift, 12u, 30u);
        const uint64_t size = 1ull << shift;
        if (r.read || r.write) {
            AtcEntry e;
            e.pasid = c.pasid;
            e.va = addr & ~(size - 1);
            e.size = size;
            e.pa = r.addr & ~(size - 1);
            e.read = r.read;
            e.write = r.write;
            top_.atc.insert(e);
            if (write ? r.write : r.read) {
                pa = e.pa + (addr - e.va);
                limit = e.va + e.size - addr;
                return CCE_ST_SUCCESS;
            }
        }
        // Not present or not writable: ask for the page, at most twice.
        if (!c.pri_en || attempt >= 2) {
            ++top_.queues[c.queue]->stats.translation_faults;
            return CCE_ST_TRANSLATION_FAULT;
        }
        bool ok = false;
        if (!page_request(c, addr & ~kPageMask, write, ok)) return CCE_ST_ABORTED;
        if (!ok) {
            ++top_.queues[c.queue]->stats.translation_faults;
            return CCE_ST_TRANSLATION_FAULT;
        }
    }
}

DmaOutcome DmaUnit::access(const DmaContext& c, uint64_t addr, uint8_t* buf, size_t len,
                           bool write) {
    DmaOutcome out;
    auto& st = top_.stats;
    while (out.done < len) {
        const uint64_t cur = addr + out.done;
        if (c.gen != top_.gen || (c.cancelled && c.cancelled())) {
            out.status = CCE_ST_ABORTED;
            break;
        }
        size_t chunk = std::min<uint64_t>(len - out.done, CCE_PAGE_SIZE - (cur & kPageMask));
        if (c.faults && c.faults->xlate && injected_fault(c, cur, chunk, out)) break;
        uint64_t target = cur;
        DmaAttrs attrs;
        if (c.pasid_en) {
            uint64_t pa = 0, limit = 0;
            const uint8_t s = translate(c, cur, write, pa, limit);
            if (s != CCE_ST_SUCCESS) {
                out.status = s;
                out.fault_addr = cur;
                break;
            }
            chunk = std::min<uint64_t>(chunk, limit);
            target = pa;
            attrs.pasid_valid = true;
            attrs.pasid = c.pasid;
            attrs.translated = true;
        }
        transfer_time(chunk);
        // Nothing touches the host once a reset or bus-master-off happened.
        if (c.gen != top_.gen) {
            out.status = CCE_ST_ABORTED;
            break;
        }
        DmaStatus ds = DmaStatus::BusError;
        if (top_.bus_master)
            ds = write ? top_.host.dma_write(target, buf + out.done, chunk, attrs)
                       : top_.host.dma_read(target, buf + out.done, chunk, attrs);
        if (ds != DmaStatus::Ok) {
            out.status = CCE_ST_DMA_ERROR;
            out.fault_addr = cur;
            top_.ras_event(CCE_RAS_DMA_ERROR, cur);
            break;
        }
        top_.queues[c.queue]->stats.dma_bytes += chunk;
        if (write) {
            ++st.dma_writes;
            st.dma_write_bytes += chunk;
        } else {
            ++st.dma_reads;
            st.dma_read_bytes += chunk;
        }
        out.done += chunk;
    }
    return out;
}

DmaOutcome DmaUnit::read(const DmaContext& c, uint64_t addr, void* buf, size_t len) {
    return access(c, addr, static_cast<uint8_t*>(buf), len, false);
}

DmaOutcome DmaUnit::write(const DmaContext& c, uint64_t addr, const void* buf, size_t len) {
    // access() only reads from buf when writing.
    return access(c, addr, static_cast<uint8_t*>(const_cast<void*>(buf)), len, true);
}

}  // namespace cce::model
