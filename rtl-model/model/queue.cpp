// SPDX-License-Identifier: MIT
// One queue of the engine: its registers, and the thread that fetches
// descriptors in order, validates them, executes them on a granted slot,
// writes completions with the phase bit and raises (moderated) MSI-X.
#include <bit>

#include "model.h"
#include "regs64.h"

namespace cce::model {

using sc_core::wait;

Queue::Queue(sc_core::sc_module_name name, Top& top, unsigned index)
    : sc_module(name), top_(top), index_(index), msix_vec_(index) {
    stats.by_status.assign(CCE_ST_MAX + 1, 0);
    stats.by_opcode.assign(64, 0);
    wake_or_reset_ |= wake_;
    wake_or_reset_ |= top_.reset_event;
    cq_or_reset_ |= cq_space_;
    cq_or_reset_ |= top_.reset_event;
    SC_THREAD(thread);
    SC_THREAD(irq_timer_thread);
}

bool Queue::config_ok() const {
    auto size_ok = [](uint32_t s) {
        return s >= CCE_MIN_QUEUE_ENTRIES && s <= CCE_MAX_QUEUE_ENTRIES && std::has_single_bit(s);
    };
    return size_ok(sq_size_) && size_ok(cq_size_) && (sq_base_ % CCE_RING_ALIGN) == 0 &&
           (cq_base_ % CCE_RING_ALIGN) == 0 &&
           !addr_wraps(sq_base_, uint64_t(sq_size_) * CCE_DESC_SIZE) &&
           !addr_wraps(cq_base_, uint64_t(cq_size_) * CCE_CPL_SIZE);
}

bool Queue::can_fetch() const {
    return enabled() && err_ == 0 && !hung_ && top_.accepting() && sq_head_ != sq_tail_;
}

bool Queue::busy() const { return in_flight_ || can_fetch(); }

uint32_t Queue::status_bits() const {
    uint32_t s = 0;
    if (enabled()) s |= CCE_QSTS_ENABLED;
    const bool nothing_left = sq_head_ == sq_tail_ || !enabled() || err_;
    if (!in_flight_ && nothing_left) s |= CCE_QSTS_IDLE;
    if (err_) s |= CCE_QSTS_ERROR;
    if ((ctrl_ & (CCE_QCTRL_DRAIN | CCE_QCTRL_ABORT)) && !in_flight_ && nothing_left)
        s |= CCE_QSTS_DRAINED;
    if (cq_full_) s |= CCE_QSTS_CQ_FULL;
    if (page_wait_) s |= CCE_QSTS_PAGE_WAIT;
    return s;
}

uint64_t Queue::reg_read(uint32_t reg, unsigned size) {
    const unsigned sub = reg & 4;
    switch (reg & ~7u) {
    case CCE_Q_SQ_BASE: return reg64_read(sq_base_, sub, size);
    case CCE_Q_CQ_BASE: return reg64_read(cq_base_, sub, size);
    case CCE_Q_STAT_JOBS: return reg64_read(stats.jobs, sub, size);
    case CCE_Q_STAT_ERRORS: return reg64_read(stats.errors, sub, size);
    case CCE_Q_STAT_DMA_BYTES: return reg64_read(stats.dma_bytes, sub, size);
    default: break;
    }
    if (size != 4) return 0;
    switch (reg) {
    case CCE_Q_SQ_SIZE: return sq_size_;
    case CCE_Q_CQ_SIZE: return cq_size_;
    case CCE_Q_PASID: return pasid_reg_;
    case CCE_Q_CTRL: return ctrl_;
    case CCE_Q_STATUS: return status_bits();
    case CCE_Q_ERR: return err_;
    case CCE_Q_SQ_HEAD: return sq_head_;
    case CCE_Q_SQ_TAIL: return sq_tail_;
    case CCE_Q_CQ_TAIL: return cq_tail_;
    case CCE_Q_CQ_HEAD: return cq_head_;
    case CCE_Q_IRQ: return irq_;
    case CCE_Q_MSIX_VEC: return msix_vec_;
    default: return 0;
    }
}

void Queue::reg_write(uint32_t reg, uint64_t value, unsigned size) {
    const unsigned sub = reg & 4;
    // Ring geometry and PASID are locked while the queue is enabled.
    switch (reg & ~7u) {
    case CCE_Q_SQ_BASE:
        if (!enabled()) sq_base_ = reg64_merge(sq_base_, sub, value, size);
        return;
    case CCE_Q_CQ_BASE:
        if (!enabled()) cq_base_ = reg64_merge(cq_base_, sub, value, size);
        return;
    default: break;
    }
    if (size != 4) return;
    const auto v = static_cast<uint32_t>(value);
    switch (reg) {
    case CCE_Q_SQ_SIZE:
        if (!enabled()) sq_size_ = v;
        break;
    case CCE_Q_CQ_SIZE:
        if (!enabled()) cq_size_ = v;
        break;
    case CCE_Q_PASID:
        if (!enabled()) pasid_reg_ = v & (CCE_QPASID_EN | CCE_QPASID_PASID_MASK);
        break;
    case CCE_Q_CTRL: set_ctrl(v); break;
    case CCE_Q_ERR: err_ &= ~v; break;
    case CCE_Q_IRQ: irq_ = v & (CCE_QIRQ_EN | 0xffffffu); break;
    case CCE_Q_MSIX_VEC:
        if (v < top_.cfg.num_queues + 1) msix_vec_ = v;
        break;
    default: break;
    }
}

void Queue::set_ctrl(uint32_t v) {
    v &= CCE_QCTRL_RW_MASK;
    const uint32_t old = ctrl_;
    ctrl_ = v;
    if ((v & CCE_QCTRL_ENABLE) && !(old & CCE_QCTRL_ENABLE)) {
        if (!config_ok()) {
            ctrl_ &= ~CCE_QCTRL_ENABLE;
            raise_error(CCE_QERR_BAD_CONFIG);
            return;
        }
        err_ = 0;
        sq_head_ = sq_tail_ = cq_tail_ = cq_head_ = 0;
        phase_ = 1;
        irq_pending_ = 0;
        cq_full_ = false;
    } else if (!(v & CCE_QCTRL_ENABLE) && (old & CCE_QCTRL_ENABLE)) {
        // A job in flight stops at its next chunk and writes no completion.
        hung_ = false;
        top_.abort_event.notify(sc_core::SC_ZERO_TIME);
    }
    if ((v & CCE_QCTRL_ABORT) && !(old & CCE_QCTRL_ABORT))
        top_.abort_event.notify(sc_core::SC_ZERO_TIME);
    wake_.notify(sc_core::SC_ZERO_TIME);
    cq_space_.notify(sc_core::SC_ZERO_TIME);
}

void Queue::doorbell_write(uint32_t off, uint32_t value) {
    if (off == CCE_DB_SQ_TAIL) {
        if (!enabled()) {
            err_ |= CCE_QERR_DISABLED_DB;  // recorded, does not halt a disabled queue
            return;
        }
        if (value >= sq_size_) {
            raise_error(CCE_QERR_DB_OUT_OF_RANGE);
            return;
        }
        if (ctrl_ & (CCE_QCTRL_DRAIN | CCE_QCTRL_ABORT)) return;  // no new work while draining
        sq_tail_ = value;
        wake_.notify(sc_core::SC_ZERO_TIME);
    } else if (off == CCE_DB_CQ_HEAD) {
        if (!enabled()) return;
        if (value >= cq_size_) {
            raise_error(CCE_QERR_CQ_DB_OUT_OF_RANGE);
            return;
        }
        cq_head_ = value;
        cq_space_.notify(sc_core::SC_ZERO_TIME);
    }
}

void Queue::raise_error(uint32_t qerr) {
    const bool first = err_ == 0;
    err_ |= qerr;
    if (first)
        top_.ras_event(CCE_RAS_QUEUE_ERROR, (uint64_t(index_) << 32) | qerr);
    wake_.notify(sc_core::SC_ZERO_TIME);
    top_.abort_event.notify(sc_core::SC_ZERO_TIME);
}

void Queue::reset() {
    sq_base_ = cq_base_ = 0;
    sq_size_ = cq_size_ = 0;
    pasid_reg_ = ctrl_ = err_ = 0;
    sq_head_ = sq_tail_ = cq_tail_ = cq_head_ = 0;
    irq_ = 0;
    msix_vec_ = index_;
    in_flight_ = page_wait_ = cq_full_ = hung_ = false;
    msix_lost_.reset();
    msix_dup_.reset();
    phase_ = 1;
    irq_pending_ = 0;
    irq_timer_armed_ = false;
    irq_timer_.cancel();
    wake_.notify(sc_core::SC_ZERO_TIME);
}

DmaContext Queue::dma_context(uint64_t gen) const {
    DmaContext c;
    c.queue = index_;
    c.pasid_en = (pasid_reg_ & CCE_QPASID_EN) != 0;
    c.pasid = pasid_reg_ & CCE_QPASID_PASID_MASK;
    c.pri_en = (ctrl_ & CCE_QCTRL_PRI_EN) != 0;
    c.gen = gen;
    return c;
}

void Queue::thread() {
    for (;;) {
        const uint64_t gen = top_.gen;
        if (!can_fetch()) {
            wait(wake_or_reset_);
            continue;
        }
        process_one(gen);
    }
}

void Queue::process_one(uint64_t gen) {
    // Descriptor fetch and completion writes are never cancelled by an
    // abort (the cookie must come back); the job's data accesses are.
    const DmaContext ring = dma_context(gen);
    DmaContext job = ring;
    job.cancelled = [this] { return !enabled() || (ctrl_ & CCE_QCTRL_ABORT) || err_; };

    in_flight_ = true;
    top_.wait_cycles(top_.cfg.desc_fetch_cycles);
    if (gen != top_.gen) return;
    cce_desc d{};
    const DmaOutcome f = top_.dma.read(ring, sq_base_ + uint64_t(sq_head_) * CCE_DESC_SIZE, &d,
                                       sizeof(d));
    if (gen != top_.gen) return;
    if (!f.ok()) {
        in_flight_ = false;
        raise_error(CCE_QERR_SQ_FETCH);
        return;
    }
    sq_head_ = (sq_head_ + 1) & (sq_size_ - 1);
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();

    // Faults armed for this job (fault injection, hw-spec section 18).
    JobFaults jf;
    const FaultSite site = top_.site(static_cast<int>(index_), ring.pasid_en, ring.pasid, d.opcode);
    if (!job.cancelled() && !arm_faults(d, site, jf)) {
        hang(gen);
        return;
    }
    if (gen != top_.gen) return;
    const uint64_t epoch = top_.ue_epoch;
    job.cancelled = [this, epoch] {
        return !enabled() || (ctrl_ & CCE_QCTRL_ABORT) || err_ || top_.ue_epoch != epoch;
    };
    job.opcode = d.opcode;
    job.faults = &jf;

    JobResult r;
    if (job.cancelled()) {
        r.status = CCE_ST_ABORTED;
    } else if (jf.internal_error) {
        r = job_fail(CCE_ST_INTERNAL_ERROR);
    } else {
        r = validate_common(d);
        const UnitOps* unit = r.status == CCE_ST_SUCCESS ? unit_for(d.opcode) : nullptr;
        if (unit) r = unit->validate(d, top_.cfg);
        if (unit && r.status == CCE_ST_SUCCESS) {
            if (!top_.arbiter.acquire(index_, gen, top_.gen)) return;
            JobIo io(top_, job);
            const uint64_t seq = top_.job_begin();
            r = unit->execute(d, io);
            top_.job_end(seq);
            top_.arbiter.release(index_, gen, top_.gen);
            if (gen != top_.gen) return;
        }
    }
    if (!enabled()) {  // disabled mid-job: no completion
        in_flight_ = false;
        return;
    }
    if (top_.ue_epoch != epoch) {
        // An uncorrectable error hit the engine while the job ran.
        r = job_fail(CCE_ST_INTERNAL_ERROR);
    }
    if (jf.bitflip && r.status == CCE_ST_SUCCESS) flip_output_bit(ring, d, r, site, *jf.bitflip);
    if (jf.cpl_error) {
        r.status = jf.cpl_error->spec.status;
        top_.fault_record(*jf.cpl_error, site, r.status);
    }
    const uint64_t busy = top_.cycles(sc_core::sc_time_stamp() - t0);

    cce_cpl cpl{};
    cpl.cookie = d.cookie;
    cpl.fault_addr = r.fault_addr;
    cpl.bytes_consumed = r.consumed;
    cpl.bytes_produced = r.produced;
    cpl.result = r.result;
    cpl.sq_head = static_cast<uint16_t>(sq_head_);
    cpl.status = r.status;
    if (!write_completion(ring, cpl, r.cpl_flags, gen)) return;
    in_flight_ = false;

    ++stats.jobs;
    if (r.status != CCE_ST_SUCCESS) ++stats.errors;
    if (r.status <= CCE_ST_MAX) ++stats.by_status[r.status];
    if (d.opcode < 64) ++stats.by_opcode[d.opcode];
    stats.bytes_in += r.consumed;
    stats.bytes_out += r.produced;
    stats.busy_cycles += busy;
    ++top_.stats.jobs;
    top_.stats.bytes_in += r.consumed;
    top_.stats.bytes_out += r.produced;
    top_.stats.busy_cycles += busy;

    completion_irq((d.flags & CCE_DF_IRQ) != 0);
}

bool Queue::write_completion(const DmaContext& c, cce_cpl cpl, uint8_t flags, uint64_t gen) {
    // The device never overwrites an entry software has not consumed.
    while (((cq_tail_ + 1) & (cq_size_ - 1)) == cq_head_) {
        cq_full_ = true;
        wait(cq_or_reset_);
        if (gen != top_.gen) return false;
        if (!enabled()) {
            cq_full_ = false;
            in_flight_ = false;
            return false;
        }
    }
    cq_full_ = false;
    top_.wait_cycles(top_.cfg.cpl_write_cycles);
    if (gen != top_.gen) return false;
    cpl.flags = static_cast<uint8_t>((flags & ~CCE_CPL_PHASE) | phase_);
    const DmaOutcome w =
        top_.dma.write(c, cq_base_ + uint64_t(cq_tail_) * CCE_CPL_SIZE, &cpl, sizeof(cpl));
    if (gen != top_.gen) return false;
    if (!w.ok()) {
        in_flight_ = false;
        raise_error(CCE_QERR_CQ_WRITE);
        return false;
    }
    cq_tail_ = (cq_tail_ + 1) & (cq_size_ - 1);
    if (cq_tail_ == 0) phase_ ^= 1;
    return true;
}

void Queue::completion_irq(bool requested) {
    if (!requested || !(irq_ & CCE_QIRQ_EN)) return;
    ++irq_pending_;
    const unsigned count = CCE_QIRQ_COUNT(irq_);
    const unsigned timer_us = CCE_QIRQ_TIMER_US(irq_);
    if (count <= 1 || irq_pending_ >= count) {
        fire_irq();
    } else if (timer_us && !irq_timer_armed_) {
        irq_timer_armed_ = true;
        irq_timer_.notify(sc_core::sc_time(timer_us, sc_core::SC_US));
    }
}

void Queue::fire_irq() {
    irq_pending_ = 0;
    irq_timer_armed_ = false;
    irq_timer_.cancel();
    const FaultSite s = top_.site(static_cast<int>(index_), pasid_reg_ & CCE_QPASID_EN,
                                  pasid_reg_ & CCE_QPASID_PASID_MASK, -1);
    if (msix_lost_) {  // fault: the message never leaves the device
        top_.fault_record(*msix_lost_, s, msix_vec_);
        msix_lost_.reset();
        return;
    }
    ++stats.msix;
    top_.raise_msix(static_cast<uint16_t>(msix_vec_));
    if (msix_dup_) {
        top_.fault_record(*msix_dup_, s, msix_vec_);
        msix_dup_.reset();
        ++stats.msix;
        top_.raise_msix(static_cast<uint16_t>(msix_vec_));
    }
}

bool Queue::arm_faults(const cce_desc& d, const FaultSite& site, JobFaults& jf) {
    FaultInjector& fi = top_.faults;
    if (auto f = fi.fire(FaultClass::Crash, site)) top_.crash(*f, site);
    if (auto f = fi.fire(FaultClass::Hang, site)) {
        top_.fault_record(*f, site, 0);
        return false;
    }
    if (auto f = fi.fire(FaultClass::Ce, site)) top_.internal_error(*f, site, false);
    if (auto f = fi.fire(FaultClass::Ue, site)) {
        top_.internal_error(*f, site, false);
        jf.internal_error = true;
    }
    auto inside = [&d](const FaultSpec& s) {
        if (!s.addr) return true;
        const uint64_t a = *s.addr;
        return (a >= d.src && a - d.src < d.src_len) || (a >= d.dst && a - d.dst < d.dst_len);
    };
    jf.xlate = fi.fire(FaultClass::XlateFault, site, inside);
    jf.bitflip = fi.fire(FaultClass::BitFlip, site);
    jf.cpl_error = fi.fire(FaultClass::CplError, site);
    // One armed MSI-X fault of each kind at a time: firing again before the
    // armed one reached an MSI-X would count an injection that never happens.
    if (!msix_lost_)
        if (auto f = fi.fire(FaultClass::MsixLost, site)) msix_lost_ = f;
    if (!msix_dup_)
        if (auto f = fi.fire(FaultClass::MsixDup, site)) msix_dup_ = f;
    return true;
}

// The queue stops: no completion for this job, nothing fetched after it,
// until software disables the queue or resets the function.
void Queue::hang(uint64_t gen) {
    hung_ = true;
    while (gen == top_.gen && enabled() && hung_) wait(wake_or_reset_);
    if (gen == top_.gen) {
        hung_ = false;
        in_flight_ = false;
    }
}

// Silent data corruption: one bit of the job's output (or of cpl.result for
// jobs whose output is a value, like CRC) flips; the status stays SUCCESS.
void Queue::flip_output_bit(const DmaContext& c, const cce_desc& d, JobResult& r,
                            const FaultSite& site, const FiredFault& f) {
    if (r.produced == 0) {
        const unsigned bit = static_cast<unsigned>((f.spec.bit ? *f.spec.bit : f.rand) % 32);
        r.result ^= 1u << bit;
        top_.fault_record(f, site, (1ull << 32) | bit);
        return;
    }
    const uint64_t nbits = uint64_t(r.produced) * 8;
    const uint64_t bit = (f.spec.bit ? *f.spec.bit : f.rand) % nbits;
    uint8_t b = 0;
    if (!top_.dma.read(c, d.dst + bit / 8, &b, 1).ok()) return;
    b ^= static_cast<uint8_t>(1u << (bit % 8));
    if (!top_.dma.write(c, d.dst + bit / 8, &b, 1).ok()) return;
    top_.fault_record(f, site, bit);
}

void Queue::irq_timer_thread() {
    for (;;) {
        wait(irq_timer_);
        if (irq_timer_armed_ && irq_pending_) fire_irq();
    }
}

}  // namespace cce::model
