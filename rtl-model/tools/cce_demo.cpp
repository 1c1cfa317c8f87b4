// SPDX-License-Identifier: MIT
// cce-demo: the model-only demo. Builds an engine behind the host test
// harness, plays four "processes" (one kernel-owned queue without PASID and
// three PASID queues, one of them on never-touched memory so page requests
// resolve its faults), submits a mixed batch of jobs, verifies every result
// on the CPU and prints a per-queue summary.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <zlib.h>

#include "cce/cce_hw.h"
#include "cce/harness/harness.h"
#include "cce/harness/test_queue.h"
#include "cce/model/engine.h"

using namespace cce;
using harness::kNoPasid;

namespace {

// Bitwise CRCs: an independent software check of the engine's CRC unit
// (compression is checked with the system's zlib).
uint32_t soft_crc(uint32_t poly, uint32_t crc, const uint8_t* p, size_t n) {
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (poly & (0u - (crc & 1)));
    }
    return ~crc;
}

struct Options {
    unsigned jobs = 64;  // per queue
    unsigned clock_mhz = 1000;
    unsigned seed = 1;
    bool verbose = false;
    uint32_t rtl_units = 0;
    std::string trace_prefix;
};

void usage(FILE* f) {
    std::fprintf(f,
                 "usage: cce-demo [--jobs N] [--clock-mhz N] [--seed N] [--verbose]\n"
                 "                [--datapath reference|rtl|crc,aes,sha,lz77] [--trace PREFIX]\n"
                 "Runs a mixed batch of jobs on the CCE engine model through the host test\n"
                 "harness (no VM) and prints a per-queue summary. Exit status 0 when every\n"
                 "result was verified.\n");
}

struct Job {
    cce_desc d;
    uint32_t domain;
    std::vector<uint8_t> src_data;
    uint8_t expect_status;
};

struct QueueInfo {
    const char* role;
    uint32_t domain;
    harness::TestQueue* q;
    std::vector<Job> jobs;
    unsigned verified = 0, mismatched = 0;
};

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto num = [&](unsigned& v) {
            if (i + 1 >= argc) {
                usage(stderr);
                std::exit(2);
            }
            v = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 0));
        };
        if (a == "--jobs") num(opt.jobs);
        else if (a == "--clock-mhz") num(opt.clock_mhz);
        else if (a == "--seed") num(opt.seed);
        else if (a == "--verbose") opt.verbose = true;
        else if (a == "--datapath" && i + 1 < argc) {
            if (!model::parse_datapath(argv[++i], opt.rtl_units)) {
                std::fprintf(stderr, "cce-demo: --datapath takes reference, rtl or crc,aes,sha,lz77\n");
                return 2;
            }
        } else if (a == "--trace" && i + 1 < argc) opt.trace_prefix = argv[++i];
        else if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        } else {
            std::fprintf(stderr, "cce-demo: unknown option '%s'\n", a.c_str());
            usage(stderr);
            return 2;
        }
    }
    if (opt.jobs < 1 || opt.jobs > 10000) {
        std::fprintf(stderr, "cce-demo: --jobs must be 1..10000\n");
        return 2;
    }

    harness::Harness h(512u << 20);
    model::EngineConfig cfg;
    cfg.num_queues = 8;
    cfg.clock_mhz = opt.clock_mhz;
    cfg.rtl_units = opt.rtl_units;
    if (!opt.trace_prefix.empty()) {  // waveforms of the first 8 jobs
        cfg.trace_prefix = opt.trace_prefix;
        cfg.trace_last_job = 7;
    }
    if (opt.rtl_units && !model::rtl_available()) {
        std::fprintf(stderr, "cce-demo: this build has no RTL cores (Verilator missing)\n");
        return 2;
    }
    model::Engine engine(cfg, h);
    h.attach(&engine);
    engine.mmio_write(CCE_BAR0, CCE_REG_GCTL, CCE_GCTL_ENABLE, 4);
    engine.mmio_write(CCE_BAR0, CCE_REG_INTCFG, CCE_INTCFG_ERR_IRQ_EN, 4);

    std::printf("CCE engine model: id %08x, interface v%u.%u, %u queues, %u MHz, opcap %016llx\n",
                unsigned(engine.mmio_read(CCE_BAR0, CCE_REG_ID, 4)),
                unsigned(CCE_VERSION_GET_MAJOR(engine.mmio_read(CCE_BAR0, CCE_REG_VERSION, 4))),
                unsigned(CCE_VERSION_GET_MINOR(engine.mmio_read(CCE_BAR0, CCE_REG_VERSION, 4))),
                unsigned(CCE_CAP0_NUM_QUEUES(engine.mmio_read(CCE_BAR0, CCE_REG_CAP0, 4))),
                unsigned(engine.mmio_read(CCE_BAR0, CCE_REG_CLOCK_MHZ, 4)),
                (unsigned long long)engine.mmio_read(CCE_BAR0, CCE_REG_OPCAP, 8));

    std::vector<harness::TestQueue> tq;
    tq.reserve(4);
    auto opts = [](std::optional<uint32_t> pasid, bool pri) {
        harness::QueueOptions o;
        o.sq_entries = 128;
        o.cq_entries = 128;
        o.pasid = pasid;
        o.pri = pri;
        o.irq = CCE_QIRQ_MAKE(8, 20);
        return o;
    };
    tq.emplace_back(h, engine, 0, opts(std::nullopt, false));
    tq.emplace_back(h, engine, 1, opts(1, true));
    tq.emplace_back(h, engine, 2, opts(2, false));
    tq.emplace_back(h, engine, 3, opts(3, true));
    std::vector<QueueInfo> qs = {
        {"kernel (DMA API, no PASID)", kNoPasid, &tq[0], {}},
        {"process A (PASID 1, PRI, untouched dst)", 1, &tq[1], {}},
        {"process B (PASID 2, CRC)", 2, &tq[2], {}},
        {"process C (PASID 3, mixed + bad jobs)", 3, &tq[3], {}},
    };
    for (auto& q : qs) q.q->enable();

    std::mt19937 rng(opt.seed);
    auto rand_bytes = [&](size_t n) {
        std::vector<uint8_t> v(n);
        for (auto& b : v) b = static_cast<uint8_t>(rng() % 7 ? rng() : 0);
        return v;
    };
    for (size_t qi = 0; qi < qs.size(); ++qi) {
        auto& q = qs[qi];
        for (unsigned j = 0; j < opt.jobs; ++j) {
            Job job;
            job.domain = q.domain;
            const uint32_t len = 1 + rng() % (qi == 1 ? 64 * 1024 : 16 * 1024);
            job.src_data = rand_bytes(len);
            const uint64_t src = h.alloc(q.domain, len);
            h.write_va(q.domain, src, job.src_data.data(), len);
            job.expect_status = CCE_ST_SUCCESS;
            const unsigned kind = qi == 2 ? 2 + j % 2 : qi == 1 ? 1 : qi == 3 ? j % 7 : j % 6;
            switch (kind) {
            case 0: job.d = harness::make_desc(CCE_OP_NOP); break;
            case 1: {
                const uint64_t dst = qi == 1 ? h.reserve(q.domain, len) : h.alloc(q.domain, len);
                job.d = harness::make_desc(CCE_OP_MEMCPY, src, len, dst, len);
                break;
            }
            case 2: job.d = harness::make_desc(CCE_OP_CRC32, src, len); break;
            case 3: job.d = harness::make_desc(CCE_OP_CRC32C, src, len); break;
            case 4: {  // zlib compression, checked by the system's zlib
                const uint32_t cap = len + len / 8 + 64;
                job.d = harness::make_desc(CCE_OP_COMPRESS, src, len, h.alloc(q.domain, cap), cap);
                job.d.flags |= CCE_DF_FIRST | CCE_DF_LAST;
                job.d.op_flags = CCE_CF_MAKE(CCE_CF_FMT_ZLIB, 1 + rng() % 9);
                break;
            }
            case 6:  // a malformed descriptor: reserved field set
                job.d = harness::make_desc(CCE_OP_MEMCPY, src, len, h.alloc(q.domain, len), len);
                job.d.rsvd0 = 0xbad;
                job.expect_status = CCE_ST_INVALID_DESC;
                break;
            case 5:  // a buffer the process never mapped: translation fault (no PRI answer)
                job.d = harness::make_desc(CCE_OP_MEMCPY, src, len, 0x6000000000ull + j * 0x10000, len);
                // Untranslated DMA refused by the IOMMU is a DMA error; a PASID
                // queue's ATS miss with no page behind it is a translation fault.
                job.expect_status =
                    q.domain == kNoPasid ? CCE_ST_DMA_ERROR : CCE_ST_TRANSLATION_FAULT;
                break;
            }
            job.d.cookie = (uint64_t(qi) << 32) | j;
            q.jobs.push_back(std::move(job));
        }
    }

    // Submit everything (respecting ring space) and collect, all queues at once.
    std::vector<size_t> next(qs.size(), 0), done(qs.size(), 0);
    std::vector<unsigned> by_status(CCE_ST_MAX + 1, 0);
    for (;;) {
        bool pending = false;
        for (size_t qi = 0; qi < qs.size(); ++qi) {
            auto& q = qs[qi];
            while (next[qi] < q.jobs.size() && q.q->sq_free()) q.q->push(q.jobs[next[qi]++].d);
            q.q->ring();
            pending = pending || done[qi] < q.jobs.size();
        }
        if (!pending) break;
        engine.run_until_idle();
        for (size_t qi = 0; qi < qs.size(); ++qi) {
            auto& q = qs[qi];
            while (auto c = q.q->poll()) {
                const Job& job = q.jobs[c->cookie & 0xffffffffu];
                ++done[qi];
                if (c->status <= CCE_ST_MAX) ++by_status[c->status];
                bool good = c->status == job.expect_status;
                if (good && c->status == CCE_ST_SUCCESS) {
                    const auto& d = job.d;
                    if (d.opcode == CCE_OP_MEMCPY)
                        good = h.read_vec(job.domain, d.dst, d.src_len) == job.src_data;
                    else if (d.opcode == CCE_OP_CRC32)
                        good = c->result == soft_crc(0xEDB88320u, 0, job.src_data.data(), d.src_len);
                    else if (d.opcode == CCE_OP_CRC32C)
                        good = c->result == soft_crc(0x82F63B78u, 0, job.src_data.data(), d.src_len);
                    else if (d.opcode == CCE_OP_COMPRESS) {
                        const auto z = h.read_vec(job.domain, d.dst, c->bytes_produced);
                        std::vector<uint8_t> back(d.src_len);
                        uLongf n = d.src_len;
                        good = uncompress(back.data(), &n, z.data(), z.size()) == Z_OK &&
                               n == d.src_len && back == job.src_data;
                    }
                }
                if (good && (c->status == CCE_ST_TRANSLATION_FAULT || c->status == CCE_ST_DMA_ERROR))
                    good = c->fault_addr == job.d.dst;
                (good ? q.verified : q.mismatched)++;
                if (opt.verbose || !good)
                    std::printf("  q%zu job %u: %s %s%s\n", qi, unsigned(c->cookie & 0xffffffffu),
                                model::status_name(c->status), good ? "ok" : "MISMATCH",
                                good ? "" : " (unexpected result)");
            }
        }
    }

    const auto st = engine.stats();
    std::printf("\n%-42s %6s %8s %8s %11s %11s %9s %6s %10s\n", "queue", "jobs", "verified", "wrong",
                "bytes-in", "bytes-out", "page-reqs", "msi-x", "busy-us");
    unsigned wrong = 0;
    for (size_t qi = 0; qi < qs.size(); ++qi) {
        const auto& s = st.queues[qi];
        wrong += qs[qi].mismatched;
        std::printf("%zu %-40s %6llu %8u %8u %11llu %11llu %9llu %6llu %10.1f\n", qi, qs[qi].role,
                    (unsigned long long)s.jobs, qs[qi].verified, qs[qi].mismatched,
                    (unsigned long long)s.bytes_in, (unsigned long long)s.bytes_out,
                    (unsigned long long)s.page_requests, (unsigned long long)s.msix,
                    double(s.busy_cycles) / cfg.clock_mhz);
    }
    std::printf("\ncompletions by status:");
    for (unsigned s = 0; s <= CCE_ST_MAX; ++s)
        if (by_status[s]) std::printf(" %s=%u", model::status_name(static_cast<uint8_t>(s)), by_status[s]);
    std::printf("\n%s", engine.stats_report().c_str());
    std::printf("result: %s (%u jobs, %u unexpected)\n", wrong ? "FAIL" : "PASS",
                unsigned(st.jobs), wrong);
    return wrong ? 1 : 0;
}
