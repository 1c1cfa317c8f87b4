// SPDX-License-Identifier: MIT
// The engine in rtl datapath mode: the same randomized jobs through the full
// queue engine (descriptors, parameter blocks, DMA through ATS) once with the
// C++ reference units and once with the Verilated cores must give
// bit-identical completions and output; the reference annotations must stay
// within 10% of the cycles the RTL really takes; waveforms can be dumped for
// a window of jobs.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cce/cce_hw.h"
#include "cce/datapath/gcm.h"
#include "cce/harness/harness.h"
#include "cce/harness/test_queue.h"
#include "cce/model/engine.h"

namespace cce::test {
namespace {

using harness::Harness;
using harness::TestQueue;
using model::Engine;
using model::EngineConfig;

constexpr uint32_t kPasid = 3;

// A job as the test describes it: a descriptor whose addresses are offsets
// into buffers the runner lays out in the process's address space.
struct JobSpec {
    uint8_t opcode = 0;
    uint8_t flags = CCE_DF_FIRST | CCE_DF_LAST;
    uint32_t op_flags = 0;
    uint32_t seed = 0;
    std::vector<uint8_t> src;
    uint32_t dst_len = 0;
    std::vector<uint8_t> param;   // parameter block (copied to 8-aligned memory)
    std::vector<uint8_t> extra;   // AAD (GCM) or key (HMAC), pointed to from param
};

struct JobOut {
    cce_cpl cpl{};
    std::vector<uint8_t> dst;
    std::vector<uint8_t> param;  // after the job (GCM tag write-back)
    uint64_t busy_cycles = 0;
};

struct BatchResult {
    std::vector<JobOut> jobs;
    model::EngineStats stats;
    uint32_t datapath_reg = 0;
};

BatchResult run_batch(const std::vector<JobSpec>& specs, uint32_t rtl_units,
                      const std::string& trace_prefix = {}, uint64_t trace_first = 0,
                      uint64_t trace_last = 0) {
    Harness h(512u << 20);
    EngineConfig cfg;
    cfg.num_queues = 1;
    cfg.exec_slots = 1;
    cfg.rtl_units = rtl_units;
    cfg.trace_prefix = trace_prefix;
    cfg.trace_first_job = trace_first;
    cfg.trace_last_job = trace_last;
    Engine e(cfg, h);
    h.attach(&e);
    e.mmio_write(CCE_BAR0, CCE_REG_GCTL, CCE_GCTL_ENABLE, 4);
    harness::QueueOptions o;
    o.pasid = kPasid;
    o.sq_entries = o.cq_entries = 64;
    TestQueue q(h, e, 0, o);
    q.enable();
    BatchResult out;
    out.datapath_reg = static_cast<uint32_t>(e.mmio_read(CCE_BAR0, CCE_REG_DATAPATH, 4));
    // Lay out one job at a time so memory stays bounded, and run it alone so
    // its busy cycles are its own.
    for (const auto& s : specs) {
        cce_desc d = harness::make_desc(s.opcode, 0, uint32_t(s.src.size()), 0, s.dst_len, 0, s.flags);
        d.op_flags = s.op_flags;
        d.seed = s.seed;
        if (!s.src.empty()) {
            d.src = h.alloc(kPasid, s.src.size());
            h.write_va(kPasid, d.src, s.src.data(), s.src.size());
        }
        if (s.dst_len) d.dst = h.alloc(kPasid, s.dst_len);
        std::vector<uint8_t> param = s.param;
        if (!s.extra.empty()) {
            const uint64_t x = h.alloc(kPasid, s.extra.size());
            h.write_va(kPasid, x, s.extra.data(), s.extra.size());
            // The pointer field is the first u64 of cce_hmac_param and at
            // offsetof(aad) in cce_gcm_param.
            const size_t at = s.opcode == CCE_OP_HMAC_SHA256 ? 0 : offsetof(cce_gcm_param, aad);
            std::memcpy(param.data() + at, &x, sizeof x);
        }
        if (!param.empty()) {
            d.param = h.alloc(kPasid, param.size());
            d.param_len = uint32_t(param.size());
            h.write_va(kPasid, d.param, param.data(), param.size());
        }
        const uint64_t busy0 = e.stats().busy_cycles;
        q.submit(d);
        auto c = q.run_and_collect();
        JobOut jo;
        if (c.size() == 1) jo.cpl = c[0];
        jo.busy_cycles = e.stats().busy_cycles - busy0;
        if (jo.cpl.bytes_produced) jo.dst = h.read_vec(kPasid, d.dst, jo.cpl.bytes_produced);
        if (!param.empty()) jo.param = h.read_vec(kPasid, d.param, param.size());
        out.jobs.push_back(std::move(jo));
    }
    out.stats = e.stats();
    return out;
}

std::vector<uint8_t> bytes(std::mt19937& rng, size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) b = static_cast<uint8_t>(rng());
    return v;
}

// Compressible data: words and runs, with some noise.
std::vector<uint8_t> texty(std::mt19937& rng, size_t n) {
    static const char* w[] = {"queue ", "engine ", "page ", "the ", "PASID ", "aaaaaaaa", "\n", "0123"};
    std::vector<uint8_t> v;
    while (v.size() < n) {
        if (rng() % 16 == 0) {
            v.push_back(static_cast<uint8_t>(rng()));
        } else {
            const char* s = w[rng() % 8];
            v.insert(v.end(), s, s + std::strlen(s));
        }
    }
    v.resize(n);
    return v;
}

// Lengths: the edge cases first, then mostly small random, a few large.
size_t pick_len(std::mt19937& rng, size_t i, size_t min_len = 0) {
    static const size_t edge[] = {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 4095, 4096, 4097};
    size_t n = i < std::size(edge) ? edge[i] : (i % 997 == 0 ? 100000 + rng() % 200000 : rng() % 1500);
    return std::max(n, min_len);
}

template <typename T>
std::vector<uint8_t> as_bytes(const T& t) {
    return std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(&t), reinterpret_cast<const uint8_t*>(&t) + sizeof t);
}

std::vector<JobSpec> crc_jobs(size_t n) {
    std::mt19937 rng(101);
    std::vector<JobSpec> v;
    for (size_t i = 0; i < n; ++i) {
        JobSpec s;
        s.opcode = i % 2 ? CCE_OP_CRC32C : CCE_OP_CRC32;
        s.flags = 0;
        s.seed = i % 3 ? static_cast<uint32_t>(rng()) : 0;
        s.src = bytes(rng, pick_len(rng, i / 2));
        v.push_back(std::move(s));
    }
    return v;
}

std::vector<JobSpec> xts_jobs(size_t n) {
    std::mt19937 rng(202);
    std::vector<JobSpec> v;
    for (size_t i = 0; i < n; ++i) {
        JobSpec s;
        s.opcode = rng() % 2 ? CCE_OP_AES_XTS_ENC : CCE_OP_AES_XTS_DEC;
        s.flags = 0;
        s.op_flags = rng() % 2 ? CCE_AF_KEY_256 : CCE_AF_KEY_128;
        cce_xts_param p{};
        for (auto& b : p.key1) b = static_cast<uint8_t>(rng());
        for (auto& b : p.key2) b = static_cast<uint8_t>(rng());
        for (auto& b : p.tweak) b = static_cast<uint8_t>(rng());
        if (i % 500 == 7) std::memcpy(p.key2, p.key1, sizeof p.key1);  // INVALID_PARAM both ways
        s.param = as_bytes(p);
        s.src = bytes(rng, pick_len(rng, i, 16));
        s.dst_len = uint32_t(s.src.size());
        v.push_back(std::move(s));
    }
    return v;
}

std::vector<JobSpec> gcm_jobs(size_t n) {
    std::mt19937 rng(303);
    static const uint32_t tags[] = {4, 8, 12, 13, 14, 15, 16};
    std::vector<JobSpec> v;
    for (size_t i = 0; i < n; ++i) {
        JobSpec s;
        s.opcode = rng() % 2 ? CCE_OP_AES_GCM_ENC : CCE_OP_AES_GCM_DEC;  // DEC: random tags fail alike
        s.flags = 0;
        s.op_flags = rng() % 2 ? CCE_AF_KEY_256 : CCE_AF_KEY_128;
        cce_gcm_param p{};
        for (auto& b : p.key) b = static_cast<uint8_t>(rng());
        for (auto& b : p.iv) b = static_cast<uint8_t>(rng());
        for (auto& b : p.tag) b = static_cast<uint8_t>(rng());
        p.iv_len = rng() % 4 ? 12 : 1 + rng() % 64;
        p.tag_len = tags[rng() % 7];
        s.extra = bytes(rng, rng() % 3 ? rng() % 100 : 0);
        p.aad_len = uint32_t(s.extra.size());
        s.src = bytes(rng, pick_len(rng, i));
        s.dst_len = uint32_t(s.src.size());
        if (s.opcode == CCE_OP_AES_GCM_DEC && rng() % 5) {
            // Mostly genuine ciphertext + tag (made with the reference
            // library), the rest random tags that must fail alike.
            std::vector<uint8_t> ct(s.src.size());
            cce_gcm_param e = p;
            datapath::gcm_crypt(e, s.op_flags == CCE_AF_KEY_256, true, s.extra.data(), s.src.data(),
                                ct.data(), ct.size());
            std::memcpy(p.tag, e.tag, sizeof p.tag);
            s.src = ct;
        }
        s.param = as_bytes(p);
        v.push_back(std::move(s));
    }
    return v;
}

std::vector<JobSpec> sha_jobs(size_t n) {
    std::mt19937 rng(404);
    std::vector<JobSpec> v;
    for (size_t i = 0; i < n; ++i) {
        JobSpec s;
        s.src = bytes(rng, pick_len(rng, i / 2));
        s.dst_len = 32;
        if (i % 2) {
            s.opcode = CCE_OP_HMAC_SHA256;
            s.extra = bytes(rng, 1 + rng() % 150);
            cce_hmac_param p{};
            p.key_len = uint32_t(s.extra.size());
            s.param = as_bytes(p);
        } else {
            s.opcode = CCE_OP_SHA256;
        }
        v.push_back(std::move(s));
    }
    return v;
}

std::vector<JobSpec> lz77_jobs(size_t n) {
    std::mt19937 rng(505);
    std::vector<JobSpec> v;
    for (size_t i = 0; i < n; ++i) {
        JobSpec s;
        s.opcode = CCE_OP_COMPRESS;
        const unsigned wbits = i % 4 ? 15 : 9 + rng() % 7;
        s.op_flags = CCE_CF_MAKE_W(rng() % 3, 1, wbits);
        const size_t len = pick_len(rng, i);
        s.src = rng() % 5 ? texty(rng, len) : bytes(rng, len);
        s.dst_len = uint32_t(s.src.size() + s.src.size() / 8 + 64);
        v.push_back(std::move(s));
    }
    return v;
}

void expect_identical(const std::vector<JobSpec>& specs, uint32_t unit) {
    const BatchResult ref = run_batch(specs, 0);
    const BatchResult rtl = run_batch(specs, unit);
    EXPECT_EQ(ref.datapath_reg, 0u);
    EXPECT_EQ(rtl.datapath_reg, unit);
    ASSERT_EQ(ref.jobs.size(), rtl.jobs.size());
    size_t ok = 0;
    for (size_t i = 0; i < specs.size(); ++i) {
        const auto &a = ref.jobs[i], &b = rtl.jobs[i];
        ASSERT_EQ(a.cpl.status, b.cpl.status) << "job " << i;
        ASSERT_EQ(a.cpl.result, b.cpl.result) << "job " << i;
        ASSERT_EQ(a.cpl.bytes_consumed, b.cpl.bytes_consumed) << "job " << i;
        ASSERT_EQ(a.cpl.bytes_produced, b.cpl.bytes_produced) << "job " << i;
        ASSERT_EQ(a.cpl.flags, b.cpl.flags) << "job " << i;
        ASSERT_EQ(a.dst, b.dst) << "job " << i << " len " << specs[i].src.size();
        ASSERT_EQ(a.param, b.param) << "job " << i;
        ok += a.cpl.status == CCE_ST_SUCCESS;
    }
    EXPECT_GT(ok, specs.size() / 2) << "most jobs should succeed";
    EXPECT_EQ(ref.stats.rtl_jobs, 0u);
    EXPECT_GE(rtl.stats.rtl_jobs, ok) << "the rtl run must really use the cores";
    EXPECT_GT(rtl.stats.rtl_cycles, 0u);
}

constexpr size_t kJobs = 10000;

TEST(RtlEngine, CrcJobsBitIdentical) { expect_identical(crc_jobs(kJobs), CCE_DP_UNIT_CRC); }
TEST(RtlEngine, XtsJobsBitIdentical) { expect_identical(xts_jobs(kJobs), CCE_DP_UNIT_AES); }
TEST(RtlEngine, GcmJobsBitIdentical) { expect_identical(gcm_jobs(kJobs), CCE_DP_UNIT_AES); }
TEST(RtlEngine, ShaAndHmacJobsBitIdentical) { expect_identical(sha_jobs(kJobs), CCE_DP_UNIT_SHA); }
TEST(RtlEngine, Level1CompressionBitIdentical) { expect_identical(lz77_jobs(kJobs), CCE_DP_UNIT_LZ77); }

// The reference annotations (hw-spec §17) must describe what the RTL does:
// per unit, a small job's latency and a large job's cycles per byte agree
// within 10% between the two modes.
TEST(RtlEngine, ReferenceAnnotationsMatchRtlWithin10Percent) {
    struct Unit {
        const char* name;
        uint32_t bit;
        std::function<std::vector<JobSpec>(size_t)> make;  // job 0 small, job 1 large
    };
    auto one = [](std::vector<JobSpec> (*gen)(size_t), size_t small, size_t large) {
        return [=](size_t) {
            auto v = gen(20);
            std::mt19937 rng(9);
            std::vector<JobSpec> out = {v[18], v[19]};
            for (auto* s : {&out[0], &out[1]}) {
                const size_t n = s == &out[0] ? small : large;
                s->src = s->opcode == CCE_OP_COMPRESS ? texty(rng, n) : bytes(rng, n);
                if (s->dst_len) s->dst_len = uint32_t(n + n / 8 + 64);
                if (s->opcode == CCE_OP_SHA256 || s->opcode == CCE_OP_HMAC_SHA256) s->dst_len = 32;
            }
            return out;
        };
    };
    const std::vector<Unit> units = {
        {"crc", CCE_DP_UNIT_CRC, one(crc_jobs, 256, 256 * 1024)},
        {"aes-xts", CCE_DP_UNIT_AES, one(xts_jobs, 256, 256 * 1024)},
        {"sha", CCE_DP_UNIT_SHA, one(sha_jobs, 256, 256 * 1024)},
        {"lz77", CCE_DP_UNIT_LZ77, one(lz77_jobs, 4096, 256 * 1024)},
    };
    for (const auto& u : units) {
        auto specs = u.make(0);
        for (auto& s : specs) {  // valid, successful jobs only
            if (s.opcode == CCE_OP_AES_XTS_ENC || s.opcode == CCE_OP_AES_XTS_DEC) {
                cce_xts_param p;
                std::memcpy(&p, s.param.data(), sizeof p);
                p.key2[0] = static_cast<uint8_t>(p.key1[0] + 1);
                s.param = as_bytes(p);
            }
        }
        const BatchResult ref = run_batch(specs, 0);
        const BatchResult rtl = run_batch(specs, u.bit);
        for (size_t j = 0; j < 2; ++j) {
            ASSERT_EQ(ref.jobs[j].cpl.status, CCE_ST_SUCCESS) << u.name;
            const double a = double(ref.jobs[j].busy_cycles), b = double(rtl.jobs[j].busy_cycles);
            const double drift = std::abs(a - b) / b;
            EXPECT_LE(drift, 0.10) << u.name << (j ? " cycles per byte" : " latency") << ": reference "
                                   << a << " vs rtl " << b << " cycles";
            RecordProperty(std::string(u.name) + (j ? "_large" : "_small"),
                           std::to_string(uint64_t(a)) + "/" + std::to_string(uint64_t(b)));
        }
    }
}

TEST(RtlEngine, WaveformWindowWritesVcdForTheChosenJobs) {
    const std::string prefix = (std::filesystem::temp_directory_path() / "cce-wave-test").string();
    for (const char* core : {"-crc.vcd", "-aes.vcd", "-sha.vcd", "-lz77.vcd"})
        std::filesystem::remove(prefix + core);
    auto specs = crc_jobs(20);
    run_batch(specs, CCE_DP_UNIT_CRC, prefix, 5, 7);
    const auto size = std::filesystem::file_size(prefix + "-crc.vcd");
    EXPECT_GT(size, 1000u);
    std::ifstream f(prefix + "-crc.vcd");
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("$enddefinitions"), std::string::npos);
    EXPECT_NE(text.find("#"), std::string::npos);  // timestamps: cycles were dumped
    EXPECT_FALSE(std::filesystem::exists(prefix + "-aes.vcd"));  // the AES core never ran in the window
    // Off by default: no file without a prefix.
    std::filesystem::remove(prefix + "-crc.vcd");
    run_batch(specs, CCE_DP_UNIT_CRC);
    EXPECT_FALSE(std::filesystem::exists(prefix + "-crc.vcd"));
}

TEST(RtlEngine, DatapathSelectionParsing) {
    uint32_t u = 99;
    EXPECT_TRUE(model::parse_datapath("reference", u));
    EXPECT_EQ(u, 0u);
    EXPECT_TRUE(model::parse_datapath("rtl", u));
    EXPECT_EQ(u, uint32_t(CCE_DP_UNIT_ALL));
    EXPECT_TRUE(model::parse_datapath("crc,sha", u));
    EXPECT_EQ(u, uint32_t(CCE_DP_UNIT_CRC | CCE_DP_UNIT_SHA));
    EXPECT_FALSE(model::parse_datapath("crc,bogus", u));
    EXPECT_FALSE(model::parse_datapath("", u));
    EXPECT_TRUE(model::rtl_available());
}

}  // namespace
}  // namespace cce::test
