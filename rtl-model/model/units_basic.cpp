// SPDX-License-Identifier: MIT
// Basic units: NOP, MEMCPY, CRC32, CRC32C. They stream in chunks, so a
// translation fault reports exactly how far they got (resumable).
#include <algorithm>
#include <vector>

#include "cce/datapath/crc.h"
#include "model.h"
#include "rtl_cores.h"

namespace cce::model {

namespace {

constexpr size_t kChunk = 64 * 1024;  // engine-internal buffer per burst

// Checks shared by units that take no parameter block and no stream flags.
JobResult check_plain(const cce_desc& d, bool uses_seed) {
    if (d.op_flags) return job_invalid(CCE_INVD_OP_FLAGS);
    if (d.flags & (CCE_DF_FIRST | CCE_DF_LAST)) return job_invalid(CCE_INVD_FLAGS);
    if (d.param || d.param_len) return job_invalid(CCE_INVD_PARAM);
    if (!uses_seed && d.seed) return job_invalid(CCE_INVD_RSVD);
    return {};
}

// ---- NOP: no data access. ----
JobResult nop_validate(const cce_desc& d, const EngineConfig&) {
    if (auto r = check_plain(d, false); r.status) return r;
    if (d.src_len || d.dst_len) return job_invalid(CCE_INVD_LENGTH);
    return {};
}

JobResult nop_execute(const cce_desc&, JobIo& io) {
    io.compute(1);
    return {};
}

// ---- MEMCPY ----
JobResult memcpy_validate(const cce_desc& d, const EngineConfig& cfg) {
    if (auto r = check_plain(d, false); r.status) return r;
    if (d.src_len > cfg.max_job_len) return job_invalid(CCE_INVD_LENGTH);
    if (addr_wraps(d.src, d.src_len) || addr_wraps(d.dst, d.dst_len))
        return job_invalid(CCE_INVD_ADDR_WRAP);
    if (ranges_overlap(d.src, d.src_len, d.dst, std::min(d.src_len, d.dst_len)))
        return job_invalid(CCE_INVD_OVERLAP);
    if (d.dst_len < d.src_len) return job_fail(CCE_ST_OUTPUT_TOO_SMALL, d.src_len);
    return {};
}

// Reads the source in engine-buffer chunks and hands each to sink(offset,
// data, n), which returns how many of the n bytes it fully handled (setting
// res on a failure of its own). Stops at a fault, an abort, or a short sink.
// Returns the bytes handled: the progress a fault completion reports.
template <typename Sink>
uint32_t for_each_chunk(const cce_desc& d, JobIo& io, JobResult& res, Sink sink) {
    std::vector<uint8_t> buf(std::min<size_t>(kChunk, d.src_len));
    uint32_t done = 0;
    while (done < d.src_len) {
        if (io.cancelled()) {
            res.status = CCE_ST_ABORTED;
            break;
        }
        const size_t n = std::min<size_t>(kChunk, d.src_len - done);
        const DmaOutcome rd = io.read(d.src + done, buf.data(), n);
        const size_t handled = rd.done ? sink(done, buf.data(), rd.done) : 0;
        done += static_cast<uint32_t>(handled);
        if (res.status) break;
        if (!rd.ok()) {
            res.status = rd.status;
            res.fault_addr = rd.fault_addr;
            break;
        }
    }
    return done;
}

JobResult memcpy_execute(const cce_desc& d, JobIo& io) {
    JobResult res;
    const uint32_t done = for_each_chunk(d, io, res, [&](uint32_t off, const uint8_t* p, size_t n) {
        const DmaOutcome wr = io.write(d.dst + off, p, n);
        if (!wr.ok()) {
            res.status = wr.status;
            res.fault_addr = wr.fault_addr;
        }
        return wr.done;
    });
    res.consumed = res.produced = done;
    return res;
}

// ---- CRC32 / CRC32C: result in the completion; seed continues a CRC. ----
JobResult crc_validate(const cce_desc& d, const EngineConfig& cfg) {
    if (auto r = check_plain(d, true); r.status) return r;
    if (d.src_len > cfg.max_job_len) return job_invalid(CCE_INVD_LENGTH);
    if (d.dst || d.dst_len) return job_invalid(CCE_INVD_LENGTH);
    if (addr_wraps(d.src, d.src_len)) return job_invalid(CCE_INVD_ADDR_WRAP);
    return {};
}

JobResult crc_execute(const cce_desc& d, JobIo& io) {
    const auto poly =
        d.opcode == CCE_OP_CRC32 ? datapath::CrcPoly::Crc32 : datapath::CrcPoly::Crc32c;
    JobResult res;
    uint32_t crc = d.seed;
#if CCE_MODEL_HAS_RTL
    if (RtlCores* rc = io.rtl(CCE_DP_UNIT_CRC)) {
        // rtl mode: every chunk through the Verilated core; time = its cycles.
        uint64_t cycles = 0;
        res.consumed = for_each_chunk(d, io, res, [&](uint32_t, const uint8_t* p, size_t n) {
            rtl::RunStats st;
            crc = rc->crc.run(poly == datapath::CrcPoly::Crc32c, crc, p, n, st);
            io.compute(st.cycles);
            cycles += st.cycles;
            return n;
        });
        io.rtl_ran(cycles);
        res.result = crc;
        return res;
    }
#endif
    io.compute(4);  // CRC core setup
    res.consumed = for_each_chunk(d, io, res, [&](uint32_t, const uint8_t* p, size_t n) {
        crc = datapath::crc_update(poly, crc, p, n);
        io.compute((n + 7) / 8);  // the core folds 8 bytes per cycle
        return n;
    });
    res.result = crc;  // partial CRC on a fault: resume with seed = result
    return res;
}

const UnitOps kNop{"nop", nop_validate, nop_execute};
const UnitOps kMemcpy{"memcpy", memcpy_validate, memcpy_execute};
const UnitOps kCrc32{"crc32", crc_validate, crc_execute};
const UnitOps kCrc32c{"crc32c", crc_validate, crc_execute};

}  // namespace

void add_basic_units(UnitTable& t) {
    t[CCE_OP_NOP] = &kNop;
    t[CCE_OP_MEMCPY] = &kMemcpy;
    t[CCE_OP_CRC32] = &kCrc32;
    t[CCE_OP_CRC32C] = &kCrc32c;
}


}  // namespace cce::model
