// SPDX-License-Identifier: MIT
// Register file: BAR0 (global + per-queue registers) and BAR2 (doorbell
// pages) behind a TLM-2.0 target socket. The payload address carries the
// BAR number in bits 47:40 and the offset in the BAR below.
#include <bit>

#include "model.h"
#include "regs64.h"

namespace cce::model {

RegFile::RegFile(sc_core::sc_module_name name, Top& top) : sc_module(name), socket("socket"), top_(top) {
    socket.register_b_transport(this, &RegFile::b_transport);
}

void RegFile::reset() {
    gctl = intcfg = 0;
    ras_status = ras_mask = 0;
    ras_ce_count = ras_ue_count = 0;
    ras_err_info = 0;
    fatal = false;
}

uint64_t RegFile::read_global(uint32_t off, unsigned size) {
    const unsigned sub = off & 4;
    const auto& st = top_.stats;
    switch (off & ~7u) {
    case CCE_REG_OPCAP: return reg64_read(opcap_bits(), sub, size);
    case CCE_REG_RAS_ERR_INFO: return reg64_read(ras_err_info, sub, size);
    case CCE_REG_QERR_SUMMARY: return reg64_read(top_.qerr_summary(), sub, size);
    case CCE_REG_STAT_JOBS: return reg64_read(st.jobs, sub, size);
    case CCE_REG_STAT_BYTES_IN: return reg64_read(st.bytes_in, sub, size);
    case CCE_REG_STAT_BYTES_OUT: return reg64_read(st.bytes_out, sub, size);
    case CCE_REG_STAT_PAGE_REQS: return reg64_read(st.page_requests, sub, size);
    case CCE_REG_STAT_ATC_HITS: return reg64_read(st.atc_hits, sub, size);
    case CCE_REG_STAT_ATC_MISSES: return reg64_read(st.atc_misses, sub, size);
    default: break;
    }
    if (size != 4) return 0;
    switch (off) {
    case CCE_REG_ID: return CCE_ID_MAGIC;
    case CCE_REG_VERSION: return CCE_VERSION;
    case CCE_REG_CAP0:
        return CCE_CAP0_MAKE(top_.cfg.num_queues, CCE_PASID_BITS,
                             std::countr_zero(CCE_MAX_QUEUE_ENTRIES));
    case CCE_REG_FEATURES:
        return CCE_FEAT_PASID | CCE_FEAT_ATS | CCE_FEAT_PRI | CCE_FEAT_IRQ_COALESCE |
               CCE_FEAT_RAS | CCE_FEAT_STREAMING;
    case CCE_REG_MAX_JOB_LEN: return top_.cfg.max_job_len;
    case CCE_REG_CLOCK_MHZ: return top_.cfg.clock_mhz;
    case CCE_REG_DATAPATH: return top_.cfg.rtl_units;
    case CCE_REG_GCTL: return gctl;
    case CCE_REG_GSTS: {
        uint32_t s = 0;
        if ((gctl & CCE_GCTL_ENABLE) && !fatal) s |= CCE_GSTS_READY;
        bool quiet = true;
        for (const auto& q : top_.queues) quiet = quiet && !q->in_flight();
        if (quiet) s |= CCE_GSTS_QUIESCED;
        if (fatal) s |= CCE_GSTS_FATAL;
        return s;
    }
    case CCE_REG_INTCFG: return intcfg;
    case CCE_REG_RAS_STATUS: return ras_status;
    case CCE_REG_RAS_MASK: return ras_mask;
    case CCE_REG_RAS_CE_COUNT: return ras_ce_count;
    case CCE_REG_RAS_UE_COUNT: return ras_ue_count;
    default: return 0;
    }
}

void RegFile::write_global(uint32_t off, uint64_t value, unsigned size) {
    if (size != 4) return;  // no writable 64-bit global register
    const auto v = static_cast<uint32_t>(value);
    switch (off) {
    case CCE_REG_GCTL:
        if (v & CCE_GCTL_RESET) {
            top_.function_reset();  // self-clearing; leaves GCTL at 0
            return;
        }
        gctl = v & CCE_GCTL_ENABLE;
        for (auto& q : top_.queues) q->kick();
        break;
    case CCE_REG_INTCFG: intcfg = v & CCE_INTCFG_ERR_IRQ_EN; break;
    case CCE_REG_RAS_STATUS: ras_status &= ~v; break;
    case CCE_REG_RAS_MASK: ras_mask = v; break;
    default: break;
    }
}

void RegFile::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const uint64_t addr = p.get_address();
    const unsigned bar = static_cast<unsigned>(addr >> 40);
    const uint64_t off = addr & ((1ull << 40) - 1);
    const unsigned size = p.get_data_length();
    uint8_t* data = p.get_data_ptr();
    delay += top_.clk * static_cast<double>(top_.cfg.mmio_cycles);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    if ((size != 4 && size != 8) || (off & (size - 1))) {
        // Only naturally aligned 32/64-bit accesses: reads give 0, writes drop.
        if (p.is_read()) std::memset(data, 0, size);
        return;
    }
    uint64_t value = 0;
    if (p.is_write()) std::memcpy(&value, data, size);

    const unsigned nq = top_.cfg.num_queues;
    if (bar == CCE_BAR0 && off < CCE_GLOBAL_REGS_END) {
        if (p.is_read())
            value = read_global(static_cast<uint32_t>(off), size);
        else
            write_global(static_cast<uint32_t>(off), value, size);
    } else if (bar == CCE_BAR0 && off >= CCE_BAR0_QUEUE_OFF &&
               off < CCE_BAR0_QUEUE_OFF + uint64_t(nq) * CCE_BAR0_QUEUE_STRIDE) {
        const uint64_t rel = off - CCE_BAR0_QUEUE_OFF;
        Queue& q = *top_.queues[rel / CCE_BAR0_QUEUE_STRIDE];
        const auto reg = static_cast<uint32_t>(rel % CCE_BAR0_QUEUE_STRIDE);
        if (p.is_read())
            value = q.reg_read(reg, size);
        else
            q.reg_write(reg, value, size);
    } else if (bar == CCE_BAR2 && off < CCE_BAR2_SIZE(nq)) {
        if (p.is_write() && size == 4)
            top_.queues[off / CCE_DB_PAGE_SIZE]->doorbell_write(
                static_cast<uint32_t>(off % CCE_DB_PAGE_SIZE), static_cast<uint32_t>(value));
        value = 0;  // doorbells are write-only
    }
    if (p.is_read()) std::memcpy(data, &value, size);
}

}  // namespace cce::model
