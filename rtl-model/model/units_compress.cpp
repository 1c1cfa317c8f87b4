// SPDX-License-Identifier: MIT
// Compression units: deflate COMPRESS and inflate DECOMPRESS with raw, zlib
// or gzip framing, one-shot (FIRST|LAST) or streamed across descriptors with
// the engine state saved in a context buffer in host memory. The completion
// carries the running checksum (Adler-32 for zlib, CRC-32 otherwise) in
// `result` and, for DECOMPRESS, CCE_CPL_EOS once the stream has ended.
#include <optional>
#include <vector>

#include "cce/datapath/deflate.h"
#include "model.h"
#include "rtl_cores.h"

namespace cce::model {

namespace df = cce::datapath::deflate;

namespace {

constexpr uint32_t kSetupCycles = 50;

// Hardware-style match finder: deeper search costs more cycles per byte.
// Level 1 is calibrated against the RTL LZ77 core (about 1.5 cycles/byte on
// text-like data; RtlEngine.ReferenceAnnotationsMatchRtlWithin10Percent);
// deeper levels scale with their chain length.
uint64_t compress_cycles(unsigned level, uint64_t bytes) {
    const unsigned lv = level ? level : df::kDefaultLevel;
    const uint64_t quarter_cycles_per_byte = lv <= 1 ? 6 : lv <= 3 ? 8 : lv <= 6 ? 12 : 24;
    return kSetupCycles + bytes * quarter_cycles_per_byte / 4;
}

// Inflate: two output bytes per cycle plus the bit parser over the input.
uint64_t decompress_cycles(uint64_t in, uint64_t out) { return kSetupCycles + out / 2 + in / 8; }

// A job is streamed when it carries a context buffer. FIRST|LAST without one
// is self-contained; FIRST|LAST with one may still continue (DECOMPRESS whose
// output buffer filled: resubmit the rest with LAST only).
bool streamed(const cce_desc& d) { return d.param != 0; }

JobResult check_stream_param(const cce_desc& d) {
    if (!streamed(d)) {
        if (d.param_len || !df_oneshot(d)) return job_invalid(CCE_INVD_PARAM);
        return {};
    }
    return check_param(d, CCE_STREAM_CTX_SIZE);
}

JobResult compress_validate(const cce_desc& d, const EngineConfig& cfg) {
    const uint32_t f = d.op_flags;
    const unsigned wbits = CCE_CF_WBITS(f);
    if ((f & ~CCE_CF_VALID_MASK) || CCE_CF_FMT(f) > CCE_CF_FMT_GZIP || CCE_CF_LEVEL(f) > 9 ||
        (wbits && (wbits < df::kMinWbits || wbits > df::kMaxWbits)))
        return job_invalid(CCE_INVD_OP_FLAGS);
    if (d.seed) return job_invalid(CCE_INVD_RSVD);
    if (auto r = check_stream_param(d); r.status) return r;
    return check_buffers(d, cfg, false, 0);
}

JobResult decompress_validate(const cce_desc& d, const EngineConfig& cfg) {
    if ((d.op_flags & ~0x3u) || CCE_CF_FMT(d.op_flags) > CCE_CF_FMT_GZIP)
        return job_invalid(CCE_INVD_OP_FLAGS);
    if (d.seed) return job_invalid(CCE_INVD_RSVD);
    if (auto r = check_stream_param(d); r.status) return r;
    return check_buffers(d, cfg, false, 0);
}

// Load a stream's state for a continuation chunk.
template <typename Stream>
bool load_context(JobIo& io, const cce_desc& d, Stream& s, JobResult& res) {
    if (df_first(d)) return true;
    std::vector<uint8_t> ctx;
    if (!read_all(io, d.param, CCE_STREAM_CTX_SIZE, ctx, res)) return false;
    if (s.restore(ctx.data(), ctx.size()) != CCE_ST_SUCCESS) {
        res = job_fail(CCE_ST_INVALID_PARAM);
        return false;
    }
    return true;
}

// Save a stream's state after a successful non-final chunk.
template <typename Stream>
bool store_context(JobIo& io, const cce_desc& d, const Stream& s, JobResult& res) {
    if (df_last(d) && !s.active()) return true;
    std::vector<uint8_t> ctx(CCE_STREAM_CTX_SIZE);
    const size_t n = s.save(ctx.data(), ctx.size());
    if (!n) {
        res = job_fail(CCE_ST_INTERNAL_ERROR);
        return false;
    }
    return write_all(io, d.param, ctx.data(), n, res);
}

JobResult finish(JobIo& io, const cce_desc& d, const df::Result& r, const std::vector<uint8_t>& out,
                 JobResult res) {
    res.consumed = static_cast<uint32_t>(r.consumed);
    res.result = r.checksum;
    if (!write_all(io, d.dst, out.data(), r.produced, res)) return res;
    res.produced = static_cast<uint32_t>(r.produced);
    return res;
}

JobResult compress_execute(const cce_desc& d, JobIo& io) {
    JobResult res;
    std::vector<uint8_t> in;
    if (!read_all(io, d.src, d.src_len, in, res)) return res;
    const unsigned fmt = CCE_CF_FMT(d.op_flags), level = CCE_CF_LEVEL(d.op_flags);
    const unsigned wbits = CCE_CF_WBITS(d.op_flags) ? CCE_CF_WBITS(d.op_flags) : df::kMaxWbits;
    std::vector<uint8_t> out(d.dst_len);
#if CCE_MODEL_HAS_RTL
    // rtl mode: one-shot level-1 jobs take their LZ77 tokens from the RTL
    // match finder; the block encoder is the reference's, so the stream is
    // bit-identical. Other levels and streamed jobs run on the reference.
    if (RtlCores* rc = io.rtl(CCE_DP_UNIT_LZ77); rc && !streamed(d) && level == 1) {
        std::vector<rtl::Lz77Token> toks;
        rtl::RunStats rs;
        if (!rc->lz77.run(in.data(), in.size(), wbits, toks, rs)) return job_fail(CCE_ST_INTERNAL_ERROR);
        static_assert(sizeof(rtl::Lz77Token) == sizeof(df::Token));
        std::vector<df::Token> dt(toks.size());
        for (size_t i = 0; i < toks.size(); ++i) dt[i] = df::Token{toks[i].dist, toks[i].lit_or_len};
        io.compute(kSetupCycles + rs.cycles);  // the Huffman encoder trails the match finder
        io.rtl_ran(rs.cycles);
        const df::Result r = df::compress_tokens(in.data(), in.size(), dt.data(), dt.size(),
                                                 out.data(), out.size(), fmt, wbits);
        if (r.status != CCE_ST_SUCCESS) return job_fail(r.status, r.detail);
        return finish(io, d, r, out, res);
    }
#endif
    io.compute(compress_cycles(level, d.src_len));
    if (!streamed(d)) {
        // The library maps level 0 to its default itself.
        const df::Result r = df::compress(in.data(), in.size(), out.data(), out.size(), fmt, level, wbits);
        if (r.status != CCE_ST_SUCCESS) return job_fail(r.status, r.detail);
        return finish(io, d, r, out, res);
    }
    df::CompressStream s;
    if (s.configure(fmt, level, wbits) != CCE_ST_SUCCESS)
        return job_invalid(CCE_INVD_OP_FLAGS);
    if (!load_context(io, d, s, res)) return res;
    const df::Result r = s.process(in.data(), in.size(), out.data(), out.size(), df_first(d), df_last(d));
    if (r.status != CCE_ST_SUCCESS) return job_fail(r.status, r.detail);
    res = finish(io, d, r, out, res);
    if (res.status == CCE_ST_SUCCESS) store_context(io, d, s, res);
    return res;
}

JobResult decompress_execute(const cce_desc& d, JobIo& io) {
    JobResult res;
    std::vector<uint8_t> in;
    if (!read_all(io, d.src, d.src_len, in, res)) return res;
    const unsigned fmt = CCE_CF_FMT(d.op_flags);
    std::vector<uint8_t> out(d.dst_len);
    df::Result r;
    std::optional<df::DecompressStream> s;
    if (streamed(d)) {
        s.emplace().configure(fmt);
        if (!load_context(io, d, *s, res)) return res;
        r = s->process(in.data(), in.size(), out.data(), out.size(), df_first(d), df_last(d));
    } else {
        r = df::decompress(in.data(), in.size(), out.data(), out.size(), fmt);
    }
    io.compute(decompress_cycles(r.consumed, r.produced));
    if (r.status != CCE_ST_SUCCESS) return job_fail(r.status, r.detail);
    res = finish(io, d, r, out, res);
    if (s && res.status == CCE_ST_SUCCESS) store_context(io, d, *s, res);
    if (r.stream_end) res.cpl_flags |= CCE_CPL_EOS;
    return res;
}

const UnitOps kCompress{"compress", compress_validate, compress_execute};
const UnitOps kDecompress{"decompress", decompress_validate, decompress_execute};

}  // namespace

void add_compress_units(UnitTable& t) {
    t[CCE_OP_COMPRESS] = &kCompress;
    t[CCE_OP_DECOMPRESS] = &kDecompress;
}

}  // namespace cce::model
