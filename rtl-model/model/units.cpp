// SPDX-License-Identifier: MIT
// Datapath units as the queue engine sees them: the opcode table, common
// descriptor checks and the helpers units share (JobIo, whole-buffer DMA).
// Units live in units_*.cpp; their arithmetic in rtl-model/datapath.
#include <algorithm>
#include <array>
#include <vector>

#include "model.h"

namespace cce::model {

namespace {

UnitTable make_table() {
    UnitTable t{};
    add_basic_units(t);
    add_crypto_units(t);
    add_compress_units(t);
    return t;
}

// Built on first use: no dependence on static initialisation order.
const UnitTable& units() {
    static const UnitTable t = make_table();
    return t;
}

}  // namespace

bool addr_wraps(uint64_t addr, uint64_t len) { return len && addr + (len - 1) < addr; }

bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
    if (!alen || !blen) return false;
    return a < b + blen && b < a + alen;
}

JobResult job_fail(uint8_t status, uint32_t result) {
    JobResult r;
    r.status = status;
    r.result = result;
    return r;
}

JobResult validate_common(const cce_desc& d) {
    if (d.opcode > CCE_OP_MAX) return job_invalid(CCE_INVD_OPCODE);
    if (d.flags & ~CCE_DF_VALID_MASK) return job_invalid(CCE_INVD_FLAGS);
    if (d.rsvd0 || d.rsvd1) return job_invalid(CCE_INVD_RSVD);
    if (!unit_for(d.opcode)) return job_fail(CCE_ST_UNSUPPORTED_OP);
    return {};
}

JobResult check_param(const cce_desc& d, size_t size) {
    if (!d.param || d.param % CCE_PARAM_ALIGN || d.param_len < size || addr_wraps(d.param, d.param_len))
        return job_invalid(CCE_INVD_PARAM);
    return {};
}

JobResult check_buffers(const cce_desc& d, const EngineConfig& cfg, bool in_place_ok,
                        uint32_t out_needed) {
    if (d.src_len > cfg.max_job_len) return job_invalid(CCE_INVD_LENGTH);
    if (addr_wraps(d.src, d.src_len) || addr_wraps(d.dst, d.dst_len))
        return job_invalid(CCE_INVD_ADDR_WRAP);
    const bool in_place = in_place_ok && d.src == d.dst;
    if (!in_place && ranges_overlap(d.src, d.src_len, d.dst, d.dst_len))
        return job_invalid(CCE_INVD_OVERLAP);
    if (d.dst_len < out_needed) return job_fail(CCE_ST_OUTPUT_TOO_SMALL, out_needed);
    return {};
}

bool param_buffer_ok(uint64_t addr, uint64_t len, const EngineConfig& cfg) {
    return len <= cfg.max_job_len && (!len || (addr && !addr_wraps(addr, len)));
}

bool read_all(JobIo& io, uint64_t addr, size_t len, std::vector<uint8_t>& out, JobResult& res) {
    out.resize(len);
    const DmaOutcome r = io.read(addr, out.data(), len);
    if (r.ok()) return true;
    res.status = r.status;
    res.fault_addr = r.fault_addr;
    return false;
}

bool write_all(JobIo& io, uint64_t addr, const uint8_t* p, size_t len, JobResult& res) {
    const DmaOutcome w = io.write(addr, p, len);
    if (w.ok()) return true;
    res.status = w.status;
    res.fault_addr = w.fault_addr;
    res.produced = static_cast<uint32_t>(w.done);
    return false;
}

const UnitOps* unit_for(uint8_t opcode) { return opcode < units().size() ? units()[opcode] : nullptr; }

uint64_t opcap_bits() {
    uint64_t bits = 0;
    for (size_t i = 0; i < units().size(); ++i)
        if (units()[i]) bits |= 1ull << i;
    return bits;
}

const char* opcode_name(uint8_t op) {
    switch (op) {
    case CCE_OP_NOP: return "nop";
    case CCE_OP_MEMCPY: return "memcpy";
    case CCE_OP_CRC32: return "crc32";
    case CCE_OP_CRC32C: return "crc32c";
    case CCE_OP_COMPRESS: return "compress";
    case CCE_OP_DECOMPRESS: return "decompress";
    case CCE_OP_AES_XTS_ENC: return "aes-xts-enc";
    case CCE_OP_AES_XTS_DEC: return "aes-xts-dec";
    case CCE_OP_AES_GCM_ENC: return "aes-gcm-enc";
    case CCE_OP_AES_GCM_DEC: return "aes-gcm-dec";
    case CCE_OP_SHA256: return "sha256";
    case CCE_OP_HMAC_SHA256: return "hmac-sha256";
    default: return "unknown";
    }
}

const char* status_name(uint8_t st) {
    switch (st) {
    case CCE_ST_SUCCESS: return "success";
    case CCE_ST_INVALID_DESC: return "invalid-descriptor";
    case CCE_ST_UNSUPPORTED_OP: return "unsupported-op";
    case CCE_ST_TRANSLATION_FAULT: return "translation-fault";
    case CCE_ST_OUTPUT_TOO_SMALL: return "output-too-small";
    case CCE_ST_CORRUPT_INPUT: return "corrupt-input";
    case CCE_ST_INTERNAL_ERROR: return "internal-error";
    case CCE_ST_ABORTED: return "aborted";
    case CCE_ST_DMA_ERROR: return "dma-error";
    case CCE_ST_INVALID_PARAM: return "invalid-param";
    case CCE_ST_AUTH_FAILED: return "auth-failed";
    default: return "unknown";
    }
}

// ---- JobIo ----
DmaOutcome JobIo::read(uint64_t addr, void* buf, size_t len) { return top_.dma.read(ctx_, addr, buf, len); }
DmaOutcome JobIo::write(uint64_t addr, const void* buf, size_t len) {
    return top_.dma.write(ctx_, addr, buf, len);
}
void JobIo::compute(uint64_t cycles) { top_.wait_cycles(cycles); }
bool JobIo::cancelled() const {
    return ctx_.gen != top_.gen || (ctx_.cancelled && ctx_.cancelled());
}
const EngineConfig& JobIo::cfg() const { return top_.cfg; }
RtlCores* JobIo::rtl(uint32_t unit) const {
    return (top_.cfg.rtl_units & unit) ? top_.rtl.get() : nullptr;
}
void JobIo::rtl_ran(uint64_t cycles) {
    ++top_.stats.rtl_jobs;
    top_.stats.rtl_cycles += cycles;
}

}  // namespace cce::model
