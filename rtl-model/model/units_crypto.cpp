// SPDX-License-Identifier: MIT
// Crypto units: AES-XTS, AES-GCM, SHA-256 (streaming through a context
// buffer in host memory), HMAC-SHA256. A job's data is staged in the
// engine's buffer, processed, then written out; on any error the
// destination (and a streaming context) is left untouched, so a translation
// fault reports no progress and the job is resubmitted whole.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "cce/datapath/gcm.h"
#include "cce/datapath/hmac.h"
#include "cce/datapath/sha256.h"
#include "cce/datapath/xts.h"
#include "model.h"
#include "rtl_cores.h"

namespace cce::model {

namespace dp = cce::datapath;

namespace {

// Iterative AES core: one round per cycle.
unsigned aes_rounds(const cce_desc& d) { return CCE_AF_KEY(d.op_flags) == CCE_AF_KEY_256 ? 14 : 10; }
uint64_t blocks16(uint64_t n) { return (n + 15) / 16; }

bool is_encrypt(uint8_t op) { return op == CCE_OP_AES_XTS_ENC || op == CCE_OP_AES_GCM_ENC; }

JobResult check_aes_common(const cce_desc& d) {
    if (d.op_flags & ~CCE_AF_VALID_MASK) return job_invalid(CCE_INVD_OP_FLAGS);
    if (d.flags & (CCE_DF_FIRST | CCE_DF_LAST)) return job_invalid(CCE_INVD_FLAGS);
    if (d.seed) return job_invalid(CCE_INVD_RSVD);
    return {};
}

// ---- AES-XTS (IEEE 1619): src_len >= 16, ciphertext stealing for the tail.
JobResult xts_validate(const cce_desc& d, const EngineConfig& cfg) {
    if (auto r = check_aes_common(d); r.status) return r;
    if (auto r = check_param(d, sizeof(cce_xts_param)); r.status) return r;
    if (d.src_len < dp::kXtsMinLen || d.src_len > dp::kXtsMaxLen) return job_invalid(CCE_INVD_LENGTH);
    return check_buffers(d, cfg, true, d.src_len);
}

JobResult xts_execute(const cce_desc& d, JobIo& io) {
    JobResult res;
    cce_xts_param p{};
    std::vector<uint8_t> in;
    if (!read_param(io, d, p, res)) return res;
    if (!read_all(io, d.src, d.src_len, in, res)) return res;
    const unsigned r = aes_rounds(d);
    const bool key256 = CCE_AF_KEY(d.op_flags) == CCE_AF_KEY_256;
    std::vector<uint8_t> out(d.src_len);
    cce_status st;
#if CCE_MODEL_HAS_RTL
    if (RtlCores* rc = io.rtl(CCE_DP_UNIT_AES)) {
        rtl::RunStats rs;
        st = rtl::xts_crypt_rtl(p, key256, is_encrypt(d.opcode), in.data(), out.data(), d.src_len,
                                rc->aes, rs);
        io.compute(rs.cycles);
        io.rtl_ran(rs.cycles);
    } else
#endif
    {
        io.compute(2 * (r + 1) + blocks16(d.src_len) * (r + 1));  // key + tweak, then data
        st = dp::xts_crypt(p, key256, is_encrypt(d.opcode), in.data(), out.data(), d.src_len);
    }
    if (st != CCE_ST_SUCCESS) return job_fail(st);
    res.consumed = d.src_len;
    if (!write_all(io, d.dst, out.data(), out.size(), res)) return res;
    res.produced = d.src_len;
    return res;
}

// ---- AES-GCM: AAD from the parameter block; tag written back (ENC) or
// checked in constant time (DEC; on mismatch nothing is written).
JobResult gcm_validate(const cce_desc& d, const EngineConfig& cfg) {
    if (auto r = check_aes_common(d); r.status) return r;
    if (auto r = check_param(d, sizeof(cce_gcm_param)); r.status) return r;
    return check_buffers(d, cfg, true, d.src_len);
}

JobResult gcm_execute(const cce_desc& d, JobIo& io) {
    JobResult res;
    cce_gcm_param p{};
    std::vector<uint8_t> aad, in;
    if (!read_param(io, d, p, res)) return res;
    if (!param_buffer_ok(p.aad, p.aad_len, io.cfg())) return job_fail(CCE_ST_INVALID_PARAM);
    if (p.aad_len && !read_all(io, p.aad, p.aad_len, aad, res)) return res;
    if (!read_all(io, d.src, d.src_len, in, res)) return res;
    const unsigned r = aes_rounds(d);
    const bool key256 = CCE_AF_KEY(d.op_flags) == CCE_AF_KEY_256;
    std::vector<uint8_t> out(d.src_len);
    const bool enc = is_encrypt(d.opcode);
    cce_status st;
#if CCE_MODEL_HAS_RTL
    if (RtlCores* rc = io.rtl(CCE_DP_UNIT_AES)) {
        rtl::RunStats rs;
        st = rtl::gcm_crypt_rtl(p, key256, enc, aad.data(), in.data(), out.data(), d.src_len,
                                rc->aes, rs);
        // AES blocks from the core; GHASH (overlapped with the data blocks)
        // adds the AAD blocks and the length block.
        io.compute(rs.cycles + blocks16(p.aad_len) + 2);
        io.rtl_ran(rs.cycles);
    } else
#endif
    {
        // Key expansion + H + J0, AES blocks (GHASH overlaps), AAD through GHASH.
        io.compute(3 * (r + 1) + blocks16(p.iv_len) + blocks16(d.src_len) * (r + 1) +
                   blocks16(p.aad_len) + 2);
        st = dp::gcm_crypt(p, key256, enc, aad.data(), in.data(), out.data(), d.src_len);
    }
    if (st != CCE_ST_SUCCESS) return job_fail(st);  // AUTH_FAILED: no output at all
    res.consumed = d.src_len;
    if (!write_all(io, d.dst, out.data(), out.size(), res)) return res;
    res.produced = d.src_len;
    if (enc) write_all(io, d.param + offsetof(cce_gcm_param, tag), p.tag, sizeof p.tag, res);
    res.produced = d.src_len;  // the data is out even if the tag write failed
    return res;
}

// ---- SHA-256: FIRST|LAST = one shot (param 0); otherwise param is a
// context buffer of CCE_SHA256_CTX_SIZE; the digest goes to dst on LAST.
JobResult sha_validate(const cce_desc& d, const EngineConfig& cfg) {
    if (d.op_flags) return job_invalid(CCE_INVD_OP_FLAGS);
    if (d.seed) return job_invalid(CCE_INVD_RSVD);
    if (df_oneshot(d)) {
        if (d.param || d.param_len) return job_invalid(CCE_INVD_PARAM);
    } else if (auto r = check_param(d, CCE_SHA256_CTX_SIZE); r.status) {
        return r;
    }
    if (!df_last(d) && (d.dst || d.dst_len)) return job_invalid(CCE_INVD_LENGTH);
    return check_buffers(d, cfg, false, df_last(d) ? CCE_SHA256_DIGEST_SIZE : 0);
}

uint64_t sha_cycles(uint64_t bytes, bool last) { return (bytes / 64 + (last ? 2 : 0)) * 65 + 2; }

JobResult sha_execute(const cce_desc& d, JobIo& io) {
    static_assert(dp::kSha256StateSize <= CCE_SHA256_CTX_SIZE);
    JobResult res;
    std::vector<uint8_t> ctx(CCE_SHA256_CTX_SIZE, 0), in;
    const bool first = df_first(d), last = df_last(d);
    if (!first && !read_all(io, d.param, dp::kSha256StateSize, ctx, res)) return res;
    ctx.resize(CCE_SHA256_CTX_SIZE);
    if (!read_all(io, d.src, d.src_len, in, res)) return res;
    uint8_t digest[CCE_SHA256_DIGEST_SIZE];
    cce_status st;
#if CCE_MODEL_HAS_RTL
    // rtl mode covers one-descriptor hashes; streamed chunks keep their
    // state in the reference's context format and run on the reference.
    if (RtlCores* rc = io.rtl(CCE_DP_UNIT_SHA); rc && first && last) {
        rtl::RunStats rs;
        st = rtl::sha256_rtl(in.data(), in.size(), digest, rc->sha, rs);
        io.compute(rs.cycles);
        io.rtl_ran(rs.cycles);
    } else
#endif
    {
        io.compute(sha_cycles(d.src_len, last));
        st = dp::sha256_stream(ctx.data(), first, last, in.data(), in.size(), digest);
    }
    if (st != CCE_ST_SUCCESS) return job_fail(st);
    res.consumed = d.src_len;
    if (!last) {  // save the running state for the next descriptor
        write_all(io, d.param, ctx.data(), dp::kSha256StateSize, res);
        return res;
    }
    if (!write_all(io, d.dst, digest, sizeof digest, res)) return res;
    res.produced = CCE_SHA256_DIGEST_SIZE;
    return res;
}

// ---- HMAC-SHA256 (v1.0: one descriptor per message, FIRST|LAST).
JobResult hmac_validate(const cce_desc& d, const EngineConfig& cfg) {
    if (d.op_flags) return job_invalid(CCE_INVD_OP_FLAGS);
    if (d.seed) return job_invalid(CCE_INVD_RSVD);
    if (!df_oneshot(d)) return job_invalid(CCE_INVD_FLAGS);
    if (auto r = check_param(d, sizeof(cce_hmac_param)); r.status) return r;
    return check_buffers(d, cfg, false, CCE_SHA256_DIGEST_SIZE);
}

JobResult hmac_execute(const cce_desc& d, JobIo& io) {
    JobResult res;
    cce_hmac_param p{};
    std::vector<uint8_t> key, in;
    if (!read_param(io, d, p, res)) return res;
    if (p.rsvd || !param_buffer_ok(p.key, p.key_len, io.cfg())) return job_fail(CCE_ST_INVALID_PARAM);
    if (p.key_len && !read_all(io, p.key, p.key_len, key, res)) return res;
    if (!read_all(io, d.src, d.src_len, in, res)) return res;
    uint8_t mac[CCE_SHA256_DIGEST_SIZE];
    cce_status st;
#if CCE_MODEL_HAS_RTL
    if (RtlCores* rc = io.rtl(CCE_DP_UNIT_SHA)) {
        rtl::RunStats rs;
        st = rtl::hmac_sha256_rtl(key.data(), key.size(), in.data(), in.size(), mac, rc->sha, rs);
        io.compute(rs.cycles);
        io.rtl_ran(rs.cycles);
    } else
#endif
    {
        io.compute(sha_cycles(p.key_len, false) + sha_cycles(d.src_len + 64, true) + 3 * 65);
        st = dp::hmac_sha256(key.data(), key.size(), in.data(), in.size(), mac);
    }
    if (st != CCE_ST_SUCCESS) return job_fail(st);
    res.consumed = d.src_len;
    if (!write_all(io, d.dst, mac, sizeof mac, res)) return res;
    res.produced = CCE_SHA256_DIGEST_SIZE;
    return res;
}

const UnitOps kXts{"aes-xts", xts_validate, xts_execute};
const UnitOps kGcm{"aes-gcm", gcm_validate, gcm_execute};
const UnitOps kSha{"sha256", sha_validate, sha_execute};
const UnitOps kHmac{"hmac-sha256", hmac_validate, hmac_execute};

}  // namespace

void add_crypto_units(UnitTable& t) {
    t[CCE_OP_AES_XTS_ENC] = &kXts;
    t[CCE_OP_AES_XTS_DEC] = &kXts;
    t[CCE_OP_AES_GCM_ENC] = &kGcm;
    t[CCE_OP_AES_GCM_DEC] = &kGcm;
    t[CCE_OP_SHA256] = &kSha;
    t[CCE_OP_HMAC_SHA256] = &kHmac;
}

}  // namespace cce::model
