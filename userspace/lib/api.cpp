// SPDX-License-Identifier: MIT
// Public C API of libcce: contexts, backend policy and fallback, job
// validation, submit/poll, synchronous helpers and error texts.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backend.h"
#include "cce/libcce.h"
#include "discovery.h"
#include "soft.h"

using namespace cce::lib;

struct cce_ctx {
    int policy = CCE_POLICY_AUTO;
    unsigned flags = 0;
    std::unique_ptr<Backend> hw;
    std::unique_ptr<Backend> sw;
    std::string name;
    std::deque<JobRec*> done;  // finished, not yet returned by cce_poll
    size_t pending = 0;        // submitted, not yet returned
    uint64_t next_id = 1;
    cce_stats st{};
};

namespace cce::lib {

namespace {
std::atomic<LoopbackFactory> g_loopback{nullptr};

bool overlap(const void* a, size_t alen, const void* b, size_t blen) {
    if (!alen || !blen) return false;
    const auto x = reinterpret_cast<uintptr_t>(a), y = reinterpret_cast<uintptr_t>(b);
    return x < y + blen && y < x + alen;
}

// Argument checks common to every backend: CCE_OK or CCE_E_INVAL (or
// OUTPUT_TOO_SMALL when the output cannot fit by construction).
int validate(cce_job& j) {
    if (j.src_len && !j.src) return CCE_E_INVAL;
    switch (j.op) {
    case CCE_JOB_MEMCPY:
        if (j.src_len && !j.dst) return CCE_E_INVAL;
        if (j.dst_cap < j.src_len) {
            j.dst_len = j.src_len;
            return CCE_E_OUTPUT_TOO_SMALL;
        }
        if (overlap(j.src, j.src_len, j.dst, j.src_len)) return CCE_E_INVAL;
        return CCE_OK;
    case CCE_JOB_CRC32:
    case CCE_JOB_CRC32C: return CCE_OK;
    case CCE_JOB_COMPRESS:
    case CCE_JOB_DECOMPRESS:
        if (j.format < CCE_FMT_RAW || j.format > CCE_FMT_GZIP) return CCE_E_INVAL;
        if (j.op == CCE_JOB_COMPRESS && (j.level < 0 || j.level > 9)) return CCE_E_INVAL;
        if (j.dst_cap && !j.dst) return CCE_E_INVAL;
        if (overlap(j.src, j.src_len, j.dst, j.dst_cap)) return CCE_E_INVAL;
        return CCE_OK;
    case CCE_JOB_XTS_ENC:
    case CCE_JOB_XTS_DEC: {
        if (!j.key || (j.key_len != 32 && j.key_len != 64) || !j.iv || j.iv_len != 16) return CCE_E_INVAL;
        const size_t unit = j.sector_size ? j.sector_size : j.src_len;
        if (j.src_len < 16 || unit < 16 || (j.src_len % unit && j.src_len % unit < 16)) return CCE_E_INVAL;
        if (!j.dst) return CCE_E_INVAL;
        if (j.dst_cap < j.src_len) {
            j.dst_len = j.src_len;
            return CCE_E_OUTPUT_TOO_SMALL;
        }
        if (j.src != j.dst && overlap(j.src, j.src_len, j.dst, j.src_len)) return CCE_E_INVAL;
        return CCE_OK;
    }
    case CCE_JOB_GCM_ENC:
    case CCE_JOB_GCM_DEC:
        if (!j.key || (j.key_len != 16 && j.key_len != 32) || !j.iv || j.iv_len < 1 || j.iv_len > 64)
            return CCE_E_INVAL;
        if (!j.tag || !(j.tag_len == 4 || j.tag_len == 8 || (j.tag_len >= 12 && j.tag_len <= 16)))
            return CCE_E_INVAL;
        if ((j.aad_len && !j.aad) || (j.src_len && !j.dst) || j.src_len > 0xffffffffu) return CCE_E_INVAL;
        if (j.dst_cap < j.src_len) {
            j.dst_len = j.src_len;
            return CCE_E_OUTPUT_TOO_SMALL;
        }
        if (j.src != j.dst && overlap(j.src, j.src_len, j.dst, j.src_len)) return CCE_E_INVAL;
        return CCE_OK;
    case CCE_JOB_SHA256:
    case CCE_JOB_HMAC_SHA256:
        if (!j.dst || (j.op == CCE_JOB_HMAC_SHA256 && j.key_len && !j.key)) return CCE_E_INVAL;
        if (j.op == CCE_JOB_HMAC_SHA256 && j.src_len > 0xffffffffu) return CCE_E_INVAL;
        if (j.dst_cap < CCE_SHA256_DIGEST_SIZE) {
            j.dst_len = CCE_SHA256_DIGEST_SIZE;
            return CCE_E_OUTPUT_TOO_SMALL;
        }
        if (overlap(j.src, j.src_len, j.dst, CCE_SHA256_DIGEST_SIZE)) return CCE_E_INVAL;
        return CCE_OK;
    default: return CCE_E_INVAL;
    }
}

int open_device(cce_ctx& c, const cce_open_opts& o) {
    std::unique_ptr<Transport> t;
    int err = CCE_E_NODEV;
    if (o.device && std::strcmp(o.device, "loopback") == 0) {
        const LoopbackFactory f = g_loopback.load();
        err = f ? f(t) : CCE_E_NODEV;
    } else if (o.device) {
        err = open_uacce_transport(o.device, t);
    } else {
        std::vector<cce_device_info> devs;
        discover(o.sysfs_root, o.required_algs, o.numa_node, devs);
        for (const auto& d : devs) {
            if (d.available_queues == 0) {
                err = CCE_E_BUSY;
                continue;
            }
            err = open_uacce_transport(d.path, t);
            if (err == CCE_OK) break;
        }
    }
    if (err) return err;
    c.hw = make_device_backend(std::move(t), o.chunk_size, (o.flags & CCE_OPEN_REOPEN) != 0);
    return CCE_OK;
}

void record(cce_ctx& c, cce_job& j) {
    if (j.path == CCE_PATH_HW) ++c.st.jobs_hw;
    else ++c.st.jobs_sw;
    if (j.status != CCE_OK) ++c.st.errors;
}

// A device job that failed with a device error: run it again in software.
void maybe_fallback(cce_ctx& c, JobRec* r) {
    cce_job& j = *r->job;
    if (!(c.flags & CCE_OPEN_FALLBACK_ON_ERROR) || j.path != CCE_PATH_HW || !cce_is_device_error(j.status) ||
        c.policy == CCE_POLICY_HW_ONLY)
        return;
    j.status = run_soft(j);
    j.path = CCE_PATH_SW_FALLBACK;
    ++c.st.fallbacks;
}

// Move finished jobs of every backend into c.done; wait up to timeout_ms.
int collect(cce_ctx& c, int timeout_ms) {
    std::vector<JobRec*> fin;
    int err = CCE_OK;
    if (c.sw) c.sw->poll(fin, 0);
    if (c.hw && c.hw->in_flight()) err = c.hw->poll(fin, fin.empty() ? timeout_ms : 0);
    for (JobRec* r : fin) {
        if (r->job->path == CCE_PATH_NONE) r->job->path = CCE_PATH_SW;
        maybe_fallback(c, r);
        record(c, *r->job);
        c.done.push_back(r);
    }
    if (!fin.empty()) return CCE_OK;
    return err == CCE_OK ? CCE_E_AGAIN : err;
}

}  // namespace

void set_loopback_factory(LoopbackFactory f) { g_loopback.store(f); }

}  // namespace cce::lib

extern "C" {

const char* cce_strerror(int err) {
    switch (err) {
    case CCE_OK: return "success";
    case CCE_E_INVAL: return "invalid argument";
    case CCE_E_NOMEM: return "out of memory";
    case CCE_E_NODEV: return "no CCE device";
    case CCE_E_NOTSUP: return "operation not supported by this backend";
    case CCE_E_BUSY: return "every device queue is in use";
    case CCE_E_AGAIN: return "no job finished yet";
    case CCE_E_TIMEOUT: return "timed out";
    case CCE_E_IO: return "device I/O error (system call failed)";
    case CCE_E_QUEUE_HALTED: return "hardware queue halted";
    case CCE_E_OUTPUT_TOO_SMALL: return "output buffer too small";
    case CCE_E_CORRUPT_INPUT: return "corrupt compressed input";
    case CCE_E_AUTH_FAILED: return "authentication failed (tag mismatch)";
    case CCE_E_FAULT: return "bad address (translation fault)";
    case CCE_E_INVALID_PARAM: return "invalid parameters (key, IV or tag)";
    case CCE_E_DEV_INVALID_DESC: return "device refused the descriptor";
    case CCE_E_DEV_UNSUPPORTED: return "device does not implement the operation";
    case CCE_E_DEV_INTERNAL: return "device internal error";
    case CCE_E_DEV_ABORTED: return "device aborted the job";
    case CCE_E_DEV_DMA: return "device DMA error";
    case CCE_E_DEV_UNKNOWN: return "unknown device status";
    case CCE_E_DEV_RESET: return "device was reset: the job was lost";
    case CCE_E_DEV_LOST: return "device lost (not responding)";
    default: return "unknown error";
    }
}

int cce_status_to_error(unsigned status) {
    switch (status) {
    case CCE_ST_SUCCESS: return CCE_OK;
    case CCE_ST_INVALID_DESC: return CCE_E_DEV_INVALID_DESC;
    case CCE_ST_UNSUPPORTED_OP: return CCE_E_DEV_UNSUPPORTED;
    case CCE_ST_TRANSLATION_FAULT: return CCE_E_FAULT;
    case CCE_ST_OUTPUT_TOO_SMALL: return CCE_E_OUTPUT_TOO_SMALL;
    case CCE_ST_CORRUPT_INPUT: return CCE_E_CORRUPT_INPUT;
    case CCE_ST_INTERNAL_ERROR: return CCE_E_DEV_INTERNAL;
    case CCE_ST_ABORTED: return CCE_E_DEV_ABORTED;
    case CCE_ST_DMA_ERROR: return CCE_E_DEV_DMA;
    case CCE_ST_INVALID_PARAM: return CCE_E_INVALID_PARAM;
    case CCE_ST_AUTH_FAILED: return CCE_E_AUTH_FAILED;
    default: return CCE_E_DEV_UNKNOWN;
    }
}

int cce_is_device_error(int err) {
    switch (err) {
    case CCE_E_DEV_INVALID_DESC:
    case CCE_E_DEV_UNSUPPORTED:
    case CCE_E_DEV_INTERNAL:
    case CCE_E_DEV_ABORTED:
    case CCE_E_DEV_DMA:
    case CCE_E_DEV_UNKNOWN:
    case CCE_E_DEV_RESET:
    case CCE_E_DEV_LOST:
    case CCE_E_QUEUE_HALTED:
    case CCE_E_IO: return 1;
    default: return 0;
    }
}

void cce_open_opts_init(cce_open_opts* o) {
    if (!o) return;
    *o = cce_open_opts{};
    o->policy = CCE_POLICY_AUTO;
    o->numa_node = CCE_NUMA_CURRENT;
}

int cce_open(const cce_open_opts* opts, cce_ctx** out) {
    if (!out) return CCE_E_INVAL;
    *out = nullptr;
    cce_open_opts o;
    cce_open_opts_init(&o);
    if (opts) o = *opts;
    if (o.policy < CCE_POLICY_AUTO || o.policy > CCE_POLICY_SW_ONLY ||
        (o.flags & ~unsigned(CCE_OPEN_FALLBACK_ON_ERROR | CCE_OPEN_REOPEN)))
        return CCE_E_INVAL;
    auto c = std::make_unique<cce_ctx>();
    c->policy = o.policy;
    c->flags = o.flags;
    if (o.policy != CCE_POLICY_SW_ONLY) {
        const int err = open_device(*c, o);
        if (err && o.policy == CCE_POLICY_HW_ONLY) return err;
    }
    if (o.policy != CCE_POLICY_HW_ONLY) c->sw = make_soft_backend();
    c->name = c->hw ? c->hw->name() : "software";
    *out = c.release();
    return CCE_OK;
}

void cce_close(cce_ctx* c) {
    if (!c) return;
    for (JobRec* r : c->done) delete r;
    c->done.clear();
    std::vector<JobRec*> rest;
    if (c->sw) c->sw->poll(rest, 0);
    // Let the device finish what it owns (bounded), then stop the queue.
    for (int i = 0; c->hw && c->hw->in_flight() && i < 50; ++i) c->hw->poll(rest, 100);
    c->hw.reset();
    for (JobRec* r : rest) delete r;
    delete c;
}

const char* cce_backend_name(const cce_ctx* c) { return c ? c->name.c_str() : "none"; }
int cce_has_device(const cce_ctx* c) { return c && c->hw ? 1 : 0; }

int cce_get_stats(const cce_ctx* c, cce_stats* st) {
    if (!c || !st) return CCE_E_INVAL;
    *st = c->st;
    st->dev_jobs = st->dev_page_requests = st->dev_translation_faults = st->dev_atc_misses = st->dev_time_ns =
        UINT64_MAX;
    if (c->hw) c->hw->stats(*st);
    return CCE_OK;
}

int cce_submit(cce_ctx* c, cce_job* j) {
    if (!c || !j) return CCE_E_INVAL;
    j->status = CCE_OK;
    j->dst_len = 0;
    j->path = CCE_PATH_NONE;
    j->fault_addr = 0;
    j->dev_status = j->dev_detail = 0;
    j->crc = j->seed;
    int err = validate(*j);
    if (err) return j->status = err;
    Backend* b = nullptr;
    if (c->hw && c->hw->supports(*j)) b = c->hw.get();
    else if (c->sw) b = c->sw.get();
    if (!b) return j->status = (c->hw ? (c->hw->dead() ? c->hw->dead() : CCE_E_NOTSUP) : CCE_E_NODEV);
    auto* r = new (std::nothrow) JobRec;
    if (!r) return j->status = CCE_E_NOMEM;
    r->job = j;
    r->id = c->next_id++;
    err = b->submit(r);
    if (err) {
        delete r;
        return j->status = err;
    }
    ++c->pending;
    return CCE_OK;
}

int cce_poll(cce_ctx* c, cce_job** done, size_t max, int timeout_ms) {
    if (!c || !done || !max) return CCE_E_INVAL;
    if (c->done.empty()) {
        if (!c->pending) return CCE_E_AGAIN;
        const int err = collect(*c, timeout_ms);
        if (c->done.empty()) return err == CCE_OK ? CCE_E_AGAIN : err;
    }
    size_t n = 0;
    while (n < max && !c->done.empty()) {
        JobRec* r = c->done.front();
        c->done.pop_front();
        done[n++] = r->job;
        delete r;
        --c->pending;
    }
    return int(n);
}

size_t cce_pending(const cce_ctx* c) { return c ? c->pending : 0; }

int cce_run(cce_ctx* c, cce_job* j) {
    const int err = cce_submit(c, j);
    if (err) return err;
    for (;;) {
        for (auto it = c->done.begin(); it != c->done.end(); ++it) {
            if ((*it)->job == j) {
                delete *it;
                c->done.erase(it);
                --c->pending;
                return j->status;
            }
        }
        const int e = collect(*c, -1);
        if (e != CCE_OK && e != CCE_E_AGAIN && e != CCE_E_TIMEOUT) return j->status = e;
    }
}

size_t cce_compress_bound(size_t len) {
    // deflate stored blocks: 5 bytes per 16 KiB worst case (zlib's bound is
    // tighter), the device's chunking adds at most a few bytes per chunk;
    // plus the gzip header/trailer.
    return len + len / 8 + (len >> 14) * 5 + 4096;
}

static cce_job make_job(int op, const void* src, size_t len, void* dst, size_t cap) {
    cce_job j{};
    j.op = op;
    j.src = src;
    j.src_len = len;
    j.dst = dst;
    j.dst_cap = cap;
    return j;
}

int cce_compress(cce_ctx* c, int format, int level, const void* src, size_t len, void* dst, size_t cap,
                 size_t* out_len) {
    cce_job j = make_job(CCE_JOB_COMPRESS, src, len, dst, cap);
    j.format = format;
    j.level = level;
    const int err = cce_run(c, &j);
    if (out_len) *out_len = j.dst_len;
    return err;
}

int cce_decompress(cce_ctx* c, int format, const void* src, size_t len, void* dst, size_t cap,
                   size_t* out_len) {
    cce_job j = make_job(CCE_JOB_DECOMPRESS, src, len, dst, cap);
    j.format = format;
    const int err = cce_run(c, &j);
    if (out_len) *out_len = j.dst_len;
    return err;
}

int cce_xts(cce_ctx* c, int encrypt, const void* key, size_t key_len, const void* tweak, size_t sector_size,
            const void* src, void* dst, size_t len) {
    cce_job j = make_job(encrypt ? CCE_JOB_XTS_ENC : CCE_JOB_XTS_DEC, src, len, dst, len);
    j.key = key;
    j.key_len = key_len;
    j.iv = tweak;
    j.iv_len = 16;
    j.sector_size = sector_size;
    return cce_run(c, &j);
}

int cce_gcm(cce_ctx* c, int encrypt, const void* key, size_t key_len, const void* iv, size_t iv_len,
            const void* aad, size_t aad_len, const void* src, void* dst, size_t len, void* tag, size_t tag_len) {
    cce_job j = make_job(encrypt ? CCE_JOB_GCM_ENC : CCE_JOB_GCM_DEC, src, len, dst, len);
    j.key = key;
    j.key_len = key_len;
    j.iv = iv;
    j.iv_len = iv_len;
    j.aad = aad;
    j.aad_len = aad_len;
    j.tag = tag;
    j.tag_len = tag_len;
    return cce_run(c, &j);
}

int cce_sha256(cce_ctx* c, const void* src, size_t len, uint8_t digest[32]) {
    cce_job j = make_job(CCE_JOB_SHA256, src, len, digest, 32);
    return cce_run(c, &j);
}

int cce_hmac_sha256(cce_ctx* c, const void* key, size_t key_len, const void* src, size_t len, uint8_t mac[32]) {
    cce_job j = make_job(CCE_JOB_HMAC_SHA256, src, len, mac, 32);
    j.key = key;
    j.key_len = key_len;
    return cce_run(c, &j);
}

static int crc_job(cce_ctx* c, int op, const void* src, size_t len, uint32_t* crc) {
    if (!crc) return CCE_E_INVAL;
    cce_job j = make_job(op, src, len, nullptr, 0);
    j.seed = *crc;
    const int err = cce_run(c, &j);
    if (err == CCE_OK) *crc = j.crc;
    return err;
}

int cce_crc32(cce_ctx* c, const void* src, size_t len, uint32_t* crc) {
    return crc_job(c, CCE_JOB_CRC32, src, len, crc);
}
int cce_crc32c(cce_ctx* c, const void* src, size_t len, uint32_t* crc) {
    return crc_job(c, CCE_JOB_CRC32C, src, len, crc);
}

int cce_memcpy(cce_ctx* c, void* dst, const void* src, size_t len) {
    cce_job j = make_job(CCE_JOB_MEMCPY, src, len, dst, len);
    return cce_run(c, &j);
}

}  // extern "C"
