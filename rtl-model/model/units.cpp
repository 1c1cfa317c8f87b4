// SPDX-License-Identifier: MIT
// Datapath units as the queue engine sees them: per-opcode field checks and
// execution through JobIo (DMA with translation, compute-time annotation).
// The arithmetic itself lives in rtl-model/datapath.
#include <algorithm>
#include <array>
#include <vector>

#include "cce/datapath/crc.h"
#include "model.h"

namespace cce::model {

namespace {

constexpr size_t kChunk = 64 * 1024;  // engine-internal buffer per burst

JobResult fail(uint8_t status, uint32_t result = 0) {
    JobResult r;
    r.status = status;
    r.result = result;
    return r;
}

JobResult invalid(cce_invd_reason why) { return fail(CCE_ST_INVALID_DESC, why); }

// Checks shared by units that take no parameter block and no stream flags.
JobResult check_plain(const cce_desc& d, bool uses_seed) {
    if (d.op_flags) return invalid(CCE_INVD_OP_FLAGS);
    if (d.flags & (CCE_DF_FIRST | CCE_DF_LAST)) return invalid(CCE_INVD_FLAGS);
    if (d.param || d.param_len) return invalid(CCE_INVD_PARAM);
    if (!uses_seed && d.seed) return invalid(CCE_INVD_RSVD);
    return {};
}

// ---- NOP: no data access. ----
JobResult nop_validate(const cce_desc& d, const EngineConfig&) {
    if (auto r = check_plain(d, false); r.status) return r;
    if (d.src_len || d.dst_len) return invalid(CCE_INVD_LENGTH);
    return {};
}

JobResult nop_execute(const cce_desc&, JobIo& io) {
    io.compute(1);
    return {};
}

// ---- MEMCPY ----
JobResult memcpy_validate(const cce_desc& d, const EngineConfig& cfg) {
    if (auto r = check_plain(d, false); r.status) return r;
    if (d.src_len > cfg.max_job_len) return invalid(CCE_INVD_LENGTH);
    if (addr_wraps(d.src, d.src_len) || addr_wraps(d.dst, d.dst_len))
        return invalid(CCE_INVD_ADDR_WRAP);
    if (ranges_overlap(d.src, d.src_len, d.dst, std::min(d.src_len, d.dst_len)))
        return invalid(CCE_INVD_OVERLAP);
    if (d.dst_len < d.src_len) return fail(CCE_ST_OUTPUT_TOO_SMALL, d.src_len);
    return {};
}

JobResult memcpy_execute(const cce_desc& d, JobIo& io) {
    JobResult res;
    std::vector<uint8_t> buf(std::min<size_t>(kChunk, d.src_len));
    uint32_t done = 0;
    while (done < d.src_len) {
        if (io.cancelled()) {
            res.status = CCE_ST_ABORTED;
            break;
        }
        const size_t n = std::min<size_t>(kChunk, d.src_len - done);
        const DmaOutcome rd = io.read(d.src + done, buf.data(), n);
        size_t copied = 0;
        if (rd.done) {
            const DmaOutcome wr = io.write(d.dst + done, buf.data(), rd.done);
            copied = wr.done;
            if (!wr.ok()) {
                res.status = wr.status;
                res.fault_addr = wr.fault_addr;
            }
        }
        done += static_cast<uint32_t>(copied);
        if (res.status) break;
        if (!rd.ok()) {
            res.status = rd.status;
            res.fault_addr = rd.fault_addr;
            break;
        }
    }
    res.consumed = res.produced = done;
    return res;
}

// ---- CRC32 / CRC32C: result in the completion; seed continues a CRC. ----
JobResult crc_validate(const cce_desc& d, const EngineConfig& cfg) {
    if (auto r = check_plain(d, true); r.status) return r;
    if (d.src_len > cfg.max_job_len) return invalid(CCE_INVD_LENGTH);
    if (d.dst || d.dst_len) return invalid(CCE_INVD_LENGTH);
    if (addr_wraps(d.src, d.src_len)) return invalid(CCE_INVD_ADDR_WRAP);
    return {};
}

JobResult crc_execute(const cce_desc& d, JobIo& io) {
    const auto poly =
        d.opcode == CCE_OP_CRC32 ? datapath::CrcPoly::Crc32 : datapath::CrcPoly::Crc32c;
    JobResult res;
    uint32_t crc = d.seed;
    std::vector<uint8_t> buf(std::min<size_t>(kChunk, d.src_len));
    uint32_t done = 0;
    io.compute(4);  // CRC core setup
    while (done < d.src_len) {
        if (io.cancelled()) {
            res.status = CCE_ST_ABORTED;
            break;
        }
        const size_t n = std::min<size_t>(kChunk, d.src_len - done);
        const DmaOutcome rd = io.read(d.src + done, buf.data(), n);
        crc = datapath::crc_update(poly, crc, buf.data(), rd.done);
        io.compute((rd.done + 7) / 8);  // the core folds 8 bytes per cycle
        done += static_cast<uint32_t>(rd.done);
        if (!rd.ok()) {
            res.status = rd.status;
            res.fault_addr = rd.fault_addr;
            break;
        }
    }
    res.consumed = done;
    res.result = crc;  // partial CRC on a fault: resume with seed = result
    return res;
}

const UnitOps kNop{"nop", nop_validate, nop_execute};
const UnitOps kMemcpy{"memcpy", memcpy_validate, memcpy_execute};
const UnitOps kCrc32{"crc32", crc_validate, crc_execute};
const UnitOps kCrc32c{"crc32c", crc_validate, crc_execute};

std::array<const UnitOps*, 64> make_table() {
    std::array<const UnitOps*, 64> t{};
    t[CCE_OP_NOP] = &kNop;
    t[CCE_OP_MEMCPY] = &kMemcpy;
    t[CCE_OP_CRC32] = &kCrc32;
    t[CCE_OP_CRC32C] = &kCrc32c;
    return t;
}

const std::array<const UnitOps*, 64> kUnits = make_table();

}  // namespace

bool addr_wraps(uint64_t addr, uint64_t len) { return len && addr + (len - 1) < addr; }

bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
    if (!alen || !blen) return false;
    return a < b + blen && b < a + alen;
}

JobResult validate_common(const cce_desc& d) {
    if (d.opcode > CCE_OP_MAX) return invalid(CCE_INVD_OPCODE);
    if (d.flags & ~CCE_DF_VALID_MASK) return invalid(CCE_INVD_FLAGS);
    if (d.rsvd0 || d.rsvd1) return invalid(CCE_INVD_RSVD);
    if (!unit_for(d.opcode)) return fail(CCE_ST_UNSUPPORTED_OP);
    return {};
}

const UnitOps* unit_for(uint8_t opcode) { return opcode < kUnits.size() ? kUnits[opcode] : nullptr; }

uint64_t opcap_bits() {
    uint64_t bits = 0;
    for (size_t i = 0; i < kUnits.size(); ++i)
        if (kUnits[i]) bits |= 1ull << i;
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

}  // namespace cce::model
