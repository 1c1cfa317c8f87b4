// SPDX-License-Identifier: MIT
// Device backend: turns jobs into descriptor sequences (streaming with a
// context buffer, XTS per data unit, CRC seed chaining, ...) and runs them
// over one hardware queue (queue.cpp) through a Transport (uacce or
// loopback). Each job has at most one descriptor in flight; many jobs may be
// in flight at once. Completion statuses map to CCE_E_* codes; a failed job
// never reports success.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "backend.h"
#include "queue.h"

namespace cce::lib {

namespace {

constexpr uint32_t kU32Max = 0xffffffffu;
constexpr size_t kDecompressOutCap = size_t{64} << 20;  // per-descriptor output window

uint8_t opcode_of(int op) {
    switch (op) {
    case CCE_JOB_MEMCPY: return CCE_OP_MEMCPY;
    case CCE_JOB_CRC32: return CCE_OP_CRC32;
    case CCE_JOB_CRC32C: return CCE_OP_CRC32C;
    case CCE_JOB_COMPRESS: return CCE_OP_COMPRESS;
    case CCE_JOB_DECOMPRESS: return CCE_OP_DECOMPRESS;
    case CCE_JOB_XTS_ENC: return CCE_OP_AES_XTS_ENC;
    case CCE_JOB_XTS_DEC: return CCE_OP_AES_XTS_DEC;
    case CCE_JOB_GCM_ENC: return CCE_OP_AES_GCM_ENC;
    case CCE_JOB_GCM_DEC: return CCE_OP_AES_GCM_DEC;
    case CCE_JOB_SHA256: return CCE_OP_SHA256;
    case CCE_JOB_HMAC_SHA256: return CCE_OP_HMAC_SHA256;
    default: return CCE_OP_MAX;
    }
}

uint64_t va(const void* p) { return reinterpret_cast<uint64_t>(p); }

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};

// One job on the device: its progress and the memory the device reads
// besides the caller's buffers (parameter block, streaming context).
struct DevJob {
    JobRec* rec = nullptr;
    cce_job& j() { return *rec->job; }
    size_t off = 0;       // source bytes done
    size_t out = 0;       // destination bytes produced
    bool first = true;
    bool need_ctx = false;
    uint32_t crc = 0;
    uint32_t retry_cap = 0;  // COMPRESS: dst_len the engine asked for
    cce_desc cur{};          // next descriptor to put on the ring (built, not yet pushed)
    bool queued = false;     // in waiting_ (cur is ready)
    unsigned inflight = 0;   // descriptors on the ring
    // MEMCPY / XTS: independent descriptors, several in flight at once.
    bool pipelined = false;
    size_t next = 0;                // source offset of the next descriptor
    uint64_t next_unit = 0;         // XTS data unit of the next descriptor
    std::deque<uint32_t> lens;      // src_len of the descriptors in flight, oldest first
    int err = CCE_OK;               // first failure; the job ends when none is in flight
    struct alignas(CCE_PARAM_ALIGN) XtsSlot {
        cce_xts_param p;
    };
    std::vector<XtsSlot> xts_slots;  // one parameter block per descriptor in flight
    unsigned xts_slot = 0;
    union Param {
        cce_xts_param xts;
        cce_gcm_param gcm;
        cce_hmac_param hmac;
    };
    alignas(64) Param param{};
    std::unique_ptr<uint8_t, FreeDeleter> ctx;  // streaming context
    ~DevJob() {
        explicit_bzero(&param, sizeof param);
        if (!xts_slots.empty()) explicit_bzero(xts_slots.data(), xts_slots.size() * sizeof(XtsSlot));
    }
};

enum class Step { Continue, Done };

class DeviceBackend final : public Backend {
public:
    DeviceBackend(std::unique_ptr<Transport> t, size_t chunk, bool reopen)
        : t_(std::move(t)), q_(*t_), name_(t_->name()), reopen_(reopen) {
        const QueueInfo& qi = t_->info();
        chunk_ = qi.max_job_len ? qi.max_job_len : (16u << 20);
        window_ = std::clamp<unsigned>(qi.entries / 2, 1, 32);
        if (chunk && chunk < chunk_) chunk_ = std::max<size_t>(chunk, 64);
    }
    // cce_close() drains first; what is still on the ring then is stopped by
    // the transport's destructor (abort + disable) before the jobs' parameter
    // blocks and contexts are freed.
    ~DeviceBackend() override { t_.reset(); }

    const char* name() const override { return name_.c_str(); }

    bool supports(const cce_job& j) const override {
        if (dead_) return false;
        const QueueInfo& qi = t_->info();
        const uint8_t op = opcode_of(j.op);
        if (op >= 64 || !(qi.opcap & (1ull << op))) return false;
        const size_t max = qi.max_job_len;
        const bool streaming = qi.features & CCE_FEAT_STREAMING;
        switch (j.op) {
        case CCE_JOB_COMPRESS:
        case CCE_JOB_SHA256: return streaming || j.src_len <= chunk_;
        case CCE_JOB_DECOMPRESS: return streaming;  // needs a context to continue a full output window
        case CCE_JOB_XTS_ENC:
        case CCE_JOB_XTS_DEC: return (j.sector_size ? j.sector_size : j.src_len) <= std::min<size_t>(max, 16u << 20);
        case CCE_JOB_GCM_ENC:
        case CCE_JOB_GCM_DEC: return j.src_len <= max && j.aad_len <= max;
        case CCE_JOB_HMAC_SHA256: return j.src_len <= max && j.key_len <= max;
        default: return true;
        }
    }

    int submit(JobRec* r) override {
        if (dead_) return dead_;
        auto dj = std::make_unique<DevJob>();
        dj->rec = r;
        cce_job& j = *r->job;
        j.dst_len = 0;
        dj->crc = j.seed;
        int err = prepare(*dj);
        if (err) return err;
        DevJob* p = dj.get();
        jobs_.emplace(r->id, std::move(dj));
        if (!build(*p)) {  // nothing for the device to do (empty CRC, memcpy)
            finish(p, CCE_OK);
            return CCE_OK;
        }
        enqueue(p);
        pump();
        return CCE_OK;
    }

    int poll(std::vector<JobRec*>& done, int timeout_ms) override {
        using clock = std::chrono::steady_clock;
        const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
        for (;;) {
            reap();
            if (!finished_.empty()) {
                done.insert(done.end(), finished_.begin(), finished_.end());
                finished_.clear();
                return CCE_OK;
            }
            if (jobs_.empty()) return CCE_E_AGAIN;
            const int qs = dead_ ? CCE_OK : t_->check();
            if (qs == CCE_E_QUEUE_HALTED) {
                fail_in_flight(qs);
                continue;
            }
            if (qs != CCE_OK) {
                on_reset(qs);
                continue;
            }
            if (timeout_ms == 0) return CCE_E_AGAIN;
            int left = -1;
            if (timeout_ms > 0) {
                const auto now = clock::now();
                if (now >= deadline) return CCE_E_TIMEOUT;
                left = int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) + 1;
            }
            const int w = t_->wait(left);
            if (w != CCE_OK && w != CCE_E_TIMEOUT) fail_all(w);  // the queue file is unusable

        }
    }

    size_t in_flight() const override { return jobs_.size() + finished_.size(); }

    int dead() const override { return dead_; }

    void stats(cce_stats& st) const override {
        st.descriptors += descriptors_;
        t_->stats(st);
    }

private:
    // Per-job memory and checks before the first descriptor.
    int prepare(DevJob& d) {
        cce_job& j = d.j();
        switch (j.op) {
        case CCE_JOB_COMPRESS:
            d.need_ctx = j.src_len > chunk_;
            break;
        case CCE_JOB_DECOMPRESS: d.need_ctx = true; break;
        case CCE_JOB_SHA256: d.need_ctx = j.src_len > chunk_; break;
        case CCE_JOB_GCM_ENC:
        case CCE_JOB_GCM_DEC: {
            cce_gcm_param& g = d.param.gcm;
            std::memcpy(g.key, j.key, j.key_len);
            std::memcpy(g.iv, j.iv, j.iv_len);
            g.aad = j.aad_len ? va(j.aad) : 0;
            g.aad_len = uint32_t(j.aad_len);
            g.iv_len = uint32_t(j.iv_len);
            g.tag_len = uint32_t(j.tag_len);
            if (j.op == CCE_JOB_GCM_DEC) std::memcpy(g.tag, j.tag, j.tag_len);
            break;
        }
        case CCE_JOB_HMAC_SHA256:
            d.param.hmac.key = j.key_len ? va(j.key) : 0;
            d.param.hmac.key_len = uint32_t(j.key_len);
            break;
        case CCE_JOB_XTS_ENC:
        case CCE_JOB_XTS_DEC: {
            const size_t half = j.key_len / 2;
            const size_t unit = j.sector_size ? j.sector_size : j.src_len;
            const size_t units = (j.src_len + unit - 1) / unit;
            d.pipelined = true;
            d.xts_slots.resize(std::min<size_t>(window_, units));
            for (auto& sl : d.xts_slots) {
                std::memcpy(sl.p.key1, j.key, half);
                std::memcpy(sl.p.key2, static_cast<const uint8_t*>(j.key) + half, half);
            }
            break;
        }
        case CCE_JOB_MEMCPY: d.pipelined = true; break;
        default: break;
        }
        if (d.need_ctx) {
            const size_t sz = j.op == CCE_JOB_SHA256 ? CCE_SHA256_CTX_SIZE : CCE_STREAM_CTX_SIZE;
            void* p = std::aligned_alloc(64, (sz + 63) & ~size_t{63});
            if (!p) return CCE_E_NOMEM;
            d.ctx.reset(static_cast<uint8_t*>(p));
        }
        return CCE_OK;
    }

    // Build the job's next descriptor into d.cur; false when nothing is left.
    bool build(DevJob& d) {
        cce_job& j = d.j();
        cce_desc& c = d.cur;
        c = cce_desc{};
        c.opcode = opcode_of(j.op);
        c.flags = CCE_DF_IRQ;
        c.cookie = d.rec->id;
        const auto* src = static_cast<const uint8_t*>(j.src);
        auto* dst = static_cast<uint8_t*>(j.dst);
        const size_t left = j.src_len - d.off;
        const size_t n = std::min(left, chunk_);
        const bool last = d.off + n == j.src_len;
        auto stream_flags = [&](bool is_last) {
            c.flags |= (d.first ? CCE_DF_FIRST : 0) | (is_last ? CCE_DF_LAST : 0);
            if (d.need_ctx) {
                c.param = va(d.ctx.get());
                c.param_len = j.op == CCE_JOB_SHA256 ? CCE_SHA256_CTX_SIZE : CCE_STREAM_CTX_SIZE;
            }
        };
        switch (j.op) {
        case CCE_JOB_MEMCPY: {
            if (d.err || d.next >= j.src_len || d.inflight >= window_) return false;
            const size_t m = std::min(j.src_len - d.next, chunk_);
            c.src = va(src + d.next);
            c.dst = va(dst + d.next);
            c.src_len = c.dst_len = uint32_t(m);
            d.next += m;
            return true;
        }
        case CCE_JOB_CRC32:
        case CCE_JOB_CRC32C:
            if (!left) return false;
            c.src = va(src + d.off);
            c.src_len = uint32_t(n);
            c.seed = d.crc;
            return true;
        case CCE_JOB_COMPRESS: {
            if (!d.first && !left) return false;
            c.src = n ? va(src + d.off) : 0;
            c.src_len = uint32_t(n);
            const size_t room = j.dst_cap - d.out;
            size_t cap = std::min(room, n + n / 8 + 4096);
            if (d.retry_cap > cap) cap = std::min<size_t>(d.retry_cap, room);
            c.dst = cap ? va(dst + d.out) : 0;
            c.dst_len = uint32_t(std::min<size_t>(cap, kU32Max));
            c.op_flags = CCE_CF_MAKE(j.format, j.level);
            stream_flags(last);
            return true;
        }
        case CCE_JOB_DECOMPRESS: {
            c.src = n ? va(src + d.off) : 0;
            c.src_len = uint32_t(n);
            const size_t cap = std::min({j.dst_cap - d.out, kDecompressOutCap, size_t{kU32Max}});
            c.dst = cap ? va(dst + d.out) : 0;
            c.dst_len = uint32_t(cap);
            c.op_flags = CCE_CF_MAKE(j.format, 0);
            stream_flags(last);
            return true;
        }
        case CCE_JOB_XTS_ENC:
        case CCE_JOB_XTS_DEC: {
            if (d.err || d.next >= j.src_len || d.inflight >= d.xts_slots.size()) return false;
            const size_t unit = j.sector_size ? j.sector_size : j.src_len;
            const size_t un = std::min(unit, j.src_len - d.next);
            // At most xts_slots.size() descriptors are in flight and they
            // complete in order, so the slot used W submissions ago is free.
            cce_xts_param& p = d.xts_slots[d.xts_slot++ % d.xts_slots.size()].p;
            const auto* iv = static_cast<const uint8_t*>(j.iv);
            uint64_t idx = d.next_unit;
            unsigned carry = 0;
            for (int b = 0; b < 16; ++b) {
                const unsigned s = iv[b] + unsigned(idx & 0xff) + carry;
                p.tweak[b] = uint8_t(s);
                carry = s >> 8;
                idx >>= 8;
            }
            c.src = va(src + d.next);
            c.dst = va(dst + d.next);
            c.src_len = c.dst_len = uint32_t(un);
            c.op_flags = j.key_len == 64 ? CCE_AF_KEY_256 : CCE_AF_KEY_128;
            c.param = va(&p);
            c.param_len = sizeof(cce_xts_param);
            d.next += un;
            ++d.next_unit;
            return true;
        }
        case CCE_JOB_GCM_ENC:
        case CCE_JOB_GCM_DEC:
            if (!d.first) return false;
            c.src = j.src_len ? va(src) : 0;
            c.dst = j.src_len ? va(dst) : 0;
            c.src_len = c.dst_len = uint32_t(j.src_len);
            c.op_flags = j.key_len == 32 ? CCE_AF_KEY_256 : CCE_AF_KEY_128;
            c.param = va(&d.param.gcm);
            c.param_len = sizeof(cce_gcm_param);
            return true;
        case CCE_JOB_SHA256:
            if (!d.first && !left) return false;
            c.src = n ? va(src + d.off) : 0;
            c.src_len = uint32_t(n);
            if (last) {
                c.dst = va(dst);
                c.dst_len = CCE_SHA256_DIGEST_SIZE;
            }
            stream_flags(last);
            return true;
        case CCE_JOB_HMAC_SHA256:
            if (!d.first) return false;
            c.src = j.src_len ? va(src) : 0;
            c.src_len = uint32_t(j.src_len);
            c.dst = va(dst);
            c.dst_len = CCE_SHA256_DIGEST_SIZE;
            c.flags |= CCE_DF_FIRST | CCE_DF_LAST;
            c.param = va(&d.param.hmac);
            c.param_len = sizeof(cce_hmac_param);
            return true;
        default: return false;
        }
    }

    // Account a successful completion; Done or Continue (with an error code
    // in err when the job must end in error despite the SUCCESS status).
    Step advance(DevJob& d, const cce_cpl& c, int& err) {
        cce_job& j = d.j();
        const cce_desc& s = d.cur;
        err = CCE_OK;
        switch (j.op) {
        case CCE_JOB_CRC32:
        case CCE_JOB_CRC32C:
            d.off += s.src_len;
            d.crc = c.result;
            j.crc = d.crc;
            return d.off == j.src_len ? Step::Done : Step::Continue;
        case CCE_JOB_COMPRESS:
            d.off += s.src_len;
            d.out += c.bytes_produced;
            d.first = false;
            d.retry_cap = 0;
            j.dst_len = d.out;
            return (s.flags & CCE_DF_LAST) ? Step::Done : Step::Continue;
        case CCE_JOB_DECOMPRESS: {
            d.off += c.bytes_consumed;
            d.out += c.bytes_produced;
            d.first = false;
            j.dst_len = d.out;
            if (c.flags & CCE_CPL_EOS) {
                if (d.off < j.src_len) err = CCE_E_CORRUPT_INPUT;  // data after the stream
                return Step::Done;
            }
            const bool out_full = c.bytes_produced == s.dst_len;
            if (out_full && d.out == j.dst_cap) {
                err = CCE_E_OUTPUT_TOO_SMALL;
                j.dst_len = 0;
                return Step::Done;
            }
            if (!out_full && (d.off == j.src_len || (!c.bytes_consumed && !c.bytes_produced))) {
                err = CCE_E_CORRUPT_INPUT;  // input ended before the end of the stream
                return Step::Done;
            }
            return Step::Continue;
        }
        case CCE_JOB_GCM_ENC:
        case CCE_JOB_GCM_DEC:
            d.first = false;
            j.dst_len = j.src_len;
            if (j.op == CCE_JOB_GCM_ENC) std::memcpy(j.tag, d.param.gcm.tag, j.tag_len);
            return Step::Done;
        case CCE_JOB_SHA256:
            d.off += s.src_len;
            d.first = false;
            if (s.flags & CCE_DF_LAST) {
                j.dst_len = CCE_SHA256_DIGEST_SIZE;
                return Step::Done;
            }
            return Step::Continue;
        case CCE_JOB_HMAC_SHA256:
            d.first = false;
            j.dst_len = CCE_SHA256_DIGEST_SIZE;
            return Step::Done;
        default: err = CCE_E_INVAL; return Step::Done;
        }
    }

    void on_cpl(const cce_cpl& c) {
        auto it = jobs_.find(c.cookie);
        if (it == jobs_.end()) return;  // not ours (cannot happen: one owner per queue)
        DevJob& d = *it->second;
        cce_job& j = d.j();
        if (d.inflight) --d.inflight;
        if (d.pipelined) {
            on_pipelined_cpl(d, c);
            return;
        }
        if (c.status != CCE_ST_SUCCESS) {
            // COMPRESS: the engine says how much output the chunk needs; the
            // context was not updated, so the chunk is retried once, larger.
            if (c.status == CCE_ST_OUTPUT_TOO_SMALL && j.op == CCE_JOB_COMPRESS && c.result > d.cur.dst_len &&
                d.retry_cap == 0 && j.dst_cap - d.out > d.cur.dst_len) {
                d.retry_cap = c.result;
                if (build(d)) {
                    enqueue(&d);
                    return;
                }
            }
            j.dev_status = c.status;
            j.dev_detail = c.result;
            j.fault_addr = c.fault_addr;
            if (c.status == CCE_ST_OUTPUT_TOO_SMALL)
                j.dst_len = j.op == CCE_JOB_COMPRESS ? cce_compress_bound(j.src_len) : c.result;
            else
                j.dst_len = 0;
            finish(&d, cce_status_to_error(c.status));
            return;
        }
        int err = CCE_OK;
        if (advance(d, c, err) == Step::Done || !build(d)) {
            finish(&d, err);
            return;
        }
        enqueue(&d);
    }

    // MEMCPY / XTS: completions arrive in submission order, so this one is
    // the oldest descriptor of the job in flight.
    void on_pipelined_cpl(DevJob& d, const cce_cpl& c) {
        cce_job& j = d.j();
        const uint32_t len = d.lens.empty() ? 0 : d.lens.front();
        if (!d.lens.empty()) d.lens.pop_front();
        if (c.status != CCE_ST_SUCCESS) {
            if (!d.err) {
                d.err = cce_status_to_error(c.status);
                j.dev_status = c.status;
                j.dev_detail = c.result;
                j.fault_addr = c.fault_addr;
            }
            unqueue(&d);  // submit nothing more; wait for the rest in flight
        } else if (!d.err) {
            d.off += len;
            j.dst_len = d.off;
        }
        if (d.inflight == 0 && (d.err || d.off == j.src_len)) {
            finish(&d, d.err);
            return;
        }
        if (!d.queued && build(d)) enqueue(&d);
    }

    void enqueue(DevJob* d) {
        d->queued = true;
        waiting_.push_back(d);
    }
    void unqueue(DevJob* d) {
        if (!d->queued) return;
        d->queued = false;
        waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), d), waiting_.end());
    }

    void finish(DevJob* d, int status) {
        unqueue(d);
        cce_job& j = d->j();
        j.status = status;
        if (status != CCE_OK && status != CCE_E_OUTPUT_TOO_SMALL) j.dst_len = 0;
        j.path = CCE_PATH_HW;
        finished_.push_back(d->rec);
        jobs_.erase(d->rec->id);
    }

    // Put waiting jobs' descriptors on the ring, then ring the doorbell.
    void pump() {
        // Starting from an empty ring: make sure the queue survived the
        // last idle period (a reset while idle would otherwise fail the
        // next, never-started job as if it had been on the reset queue).
        if (!dead_ && !waiting_.empty() && !q_.outstanding()) {
            const int qs = t_->check();
            if (qs == CCE_E_DEV_RESET || qs == CCE_E_DEV_LOST) {
                on_reset(qs);  // restarts (and pumps) or fails everything
                return;
            }
        }
        bool any = false;
        while (!waiting_.empty() && q_.space()) {
            DevJob* d = waiting_.front();
            waiting_.pop_front();
            d->queued = false;
            q_.push(d->cur);
            ++d->inflight;
            if (d->pipelined) d->lens.push_back(d->cur.src_len);
            ++descriptors_;
            any = true;
            if (d->pipelined && build(*d)) enqueue(d);  // more of the same job, behind the others
        }
        if (any) q_.publish();
    }

    void reap() {
        // The loopback completes inside publish(); a device at any time.
        for (;;) {
            cce_cpl c;
            bool got = false;
            while (q_.reap(c)) {
                got = true;
                on_cpl(c);
            }
            if (got) q_.ack();
            if (waiting_.empty() || !q_.space()) break;
            pump();
            if (!got) break;
        }
    }

    // Every job ends with err (a transport that can no longer be waited on):
    // jobs always come back, with an error rather than never.
    void fail_all(int err) {
        std::vector<DevJob*> all;
        for (auto& [id, d] : jobs_) all.push_back(d.get());
        for (DevJob* d : all) finish(d, d->err ? d->err : err);
    }

    // The hardware under the queue was reset (or the device is gone): what
    // was on the ring is lost, without completions. Fail those jobs with
    // err; restart when allowed, else give up the device for good.
    void on_reset(int err) {
        std::vector<DevJob*> victims;
        for (auto& [id, d] : jobs_)
            if (d->inflight) victims.push_back(d.get());
        for (DevJob* d : victims) finish(d, err);
        if (err == CCE_E_DEV_RESET && reopen_) {
            const int r = t_->restart();
            if (r == CCE_OK) {
                q_.reset();
                pump();
                return;
            }
            err = r == CCE_E_DEV_LOST ? r : err;
        }
        dead_ = err;
        fail_all(err);
    }

    void fail_in_flight(int err) {
        // Descriptors on the ring are lost with the halted queue: fail the
        // jobs that had one there, restart, and go on with the rest.
        std::vector<DevJob*> victims;
        for (auto& [id, d] : jobs_)
            if (d->inflight) victims.push_back(d.get());
        for (DevJob* d : victims) finish(d, err);
        if (t_->restart() != CCE_OK) {
            fail_all(err);
            return;
        }
        q_.reset();
        pump();
    }

    std::unique_ptr<Transport> t_;
    Queue q_;
    std::string name_;
    size_t chunk_ = 0;
    unsigned window_ = 1;  // descriptors in flight per pipelined job
    std::unordered_map<uint64_t, std::unique_ptr<DevJob>> jobs_;
    std::deque<DevJob*> waiting_;
    std::vector<JobRec*> finished_;
    uint64_t descriptors_ = 0;
    bool reopen_;
    int dead_ = CCE_OK;
};

}  // namespace

std::unique_ptr<Backend> make_device_backend(std::unique_ptr<Transport> t, size_t chunk_size, bool reopen) {
    return std::make_unique<DeviceBackend>(std::move(t), chunk_size, reopen);
}

}  // namespace cce::lib
