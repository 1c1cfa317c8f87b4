// SPDX-License-Identifier: MIT
// Pin-level test benches: drive the Verilated cores directly (not through
// the runners) with bubbles on the input valid, random back-pressure on the
// output ready, garbage on the data lines while valid is low, resets in the
// middle of a job, and check every result against the reference datapath
// plus the valid/ready rules (a presented result is held, unchanged, until
// taken).
#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <vector>

#include "Vcce_aes.h"
#include "Vcce_crc.h"
#include "Vcce_sha256.h"
#include "cce/datapath/aes.h"
#include "cce/datapath/crc.h"
#include "cce/datapath/sha256.h"
#include "verilated.h"

namespace dp = cce::datapath;

namespace {

template <class M>
struct Tb {
    VerilatedContext ctx;
    std::unique_ptr<M> m;
    uint64_t cycle = 0;
    Tb() : m(std::make_unique<M>(&ctx, "tb")) {
        m->clk = 0;
        reset(2);
    }
    ~Tb() { m->final(); }
    void settle() {
        m->clk = 0;
        m->eval();
    }
    void edge() {
        m->clk = 1;
        m->eval();
        ++cycle;
    }
    void reset(int n) {
        m->rst = 1;
        for (int i = 0; i < n; ++i) {
            settle();
            edge();
        }
        m->rst = 0;
        settle();
    }
};

std::vector<uint8_t> rand_bytes(std::mt19937_64& rng, size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) b = static_cast<uint8_t>(rng());
    return v;
}

// ---- CRC --------------------------------------------------------------------------

struct CrcJob {
    bool c;
    uint32_t seed;
    std::vector<uint8_t> data;
    uint32_t want;
};

CrcJob make_crc_job(std::mt19937_64& rng) {
    CrcJob j;
    j.c = rng() & 1;
    j.seed = static_cast<uint32_t>(rng());
    j.data = rand_bytes(rng, rng() % 5 == 0 ? rng() % 9 : rng() % 120);
    j.want = dp::crc_update(j.c ? dp::CrcPoly::Crc32c : dp::CrcPoly::Crc32, j.seed, j.data.data(),
                            j.data.size());
    return j;
}

// Streams `jobs` through the core with bubble probability p_gap (percent)
// and ready probability p_ready (percent); checks every result. If
// reset_after_beats >= 0, pulses reset after that many accepted beats of
// the first job and restarts everything (the reset job must leave no trace).
void crc_stream(Tb<Vcce_crc>& tb, std::mt19937_64& rng, std::vector<CrcJob> jobs, int p_gap,
                int p_ready) {
    auto* m = tb.m.get();
    size_t ji = 0, off = 0, out_i = 0;
    bool held = false;
    uint32_t held_val = 0;
    uint64_t guard = 0;
    while (out_i < jobs.size()) {
        ASSERT_LT(++guard, 1000000u) << "core hung";
        const bool have = ji < jobs.size();
        const bool gap = static_cast<int>(rng() % 100) < p_gap;
        if (have && !gap) {
            const auto& j = jobs[ji];
            const size_t n = std::min<size_t>(8, j.data.size() - off);
            uint64_t w = rng();  // bytes past keep are garbage
            if (n) std::memcpy(&w, j.data.data() + off, n);
            m->in_valid = 1;
            m->in_data = w;
            m->in_keep = static_cast<uint8_t>((1u << n) - 1);
            m->in_first = off == 0;
            m->in_last = off + n == j.data.size();
            m->in_seed = off == 0 ? j.seed : static_cast<uint32_t>(rng());
            m->in_castagnoli = off == 0 ? j.c : (rng() & 1);
        } else {
            m->in_valid = 0;
            m->in_data = rng();
            m->in_keep = static_cast<uint8_t>(rng());
            m->in_first = rng() & 1;
            m->in_last = rng() & 1;
            m->in_seed = static_cast<uint32_t>(rng());
        }
        m->out_ready = static_cast<int>(rng() % 100) < p_ready;
        tb.settle();
        if (held) {
            ASSERT_TRUE(m->out_valid) << "result dropped while not taken";
            ASSERT_EQ(m->out_crc, held_val) << "result changed while not taken";
        }
        const bool fire = m->in_valid && m->in_ready;
        const bool ofire = m->out_valid && m->out_ready;
        if (ofire) {
            ASSERT_EQ(m->out_crc, jobs[out_i].want) << "job " << out_i;
            ++out_i;
        }
        held = m->out_valid && !m->out_ready;
        held_val = m->out_crc;
        tb.edge();
        if (fire) {
            const size_t n = std::min<size_t>(8, jobs[ji].data.size() - off);
            off += n;
            if (off == jobs[ji].data.size()) {
                ++ji;
                off = 0;
            }
        }
    }
    m->in_valid = 0;
}

}  // namespace

TEST(RtlPin, CrcBubblesAndBackPressure) {
    std::mt19937_64 rng(11);
    Tb<Vcce_crc> tb;
    for (int round = 0; round < 20; ++round) {
        std::vector<CrcJob> jobs;
        for (int i = 0; i < 50; ++i) jobs.push_back(make_crc_job(rng));
        const int p_gap = round % 4 == 0 ? 0 : static_cast<int>(rng() % 70);
        const int p_ready = round % 4 == 1 ? 100 : 10 + static_cast<int>(rng() % 90);
        crc_stream(tb, rng, jobs, p_gap, p_ready);
    }
}

TEST(RtlPin, CrcResetMidJob) {
    std::mt19937_64 rng(12);
    Tb<Vcce_crc> tb;
    auto* m = tb.m.get();
    for (int round = 0; round < 200; ++round) {
        // Start a long job (or leave a result pending) and reset at a random point.
        CrcJob j = make_crc_job(rng);
        j.data = rand_bytes(rng, 64 + rng() % 64);
        const int beats = static_cast<int>(rng() % (j.data.size() / 8 + 2));
        m->out_ready = 0;
        for (int b = 0; b < beats; ++b) {
            const size_t off = std::min<size_t>(8 * b, j.data.size() - 1);
            const size_t n = std::min<size_t>(8, j.data.size() - off);
            uint64_t w = 0;
            std::memcpy(&w, j.data.data() + off, n);
            m->in_valid = 1;
            m->in_data = w;
            m->in_keep = static_cast<uint8_t>((1u << n) - 1);
            m->in_first = b == 0;
            m->in_last = off + n == j.data.size();
            m->in_seed = j.seed;
            m->in_castagnoli = j.c;
            tb.settle();
            tb.edge();
        }
        m->in_valid = rng() & 1;  // whatever is on the bus during reset
        tb.reset(1 + static_cast<int>(rng() % 3));
        m->in_valid = 0;
        tb.settle();
        ASSERT_FALSE(m->out_valid) << "result survived reset";
        ASSERT_TRUE(m->in_ready);
        // A fresh job without in_first on... no: every job starts with
        // in_first; the interrupted one must not leak into it.
        std::vector<CrcJob> jobs{make_crc_job(rng), make_crc_job(rng)};
        crc_stream(tb, rng, jobs, 30, 60);
    }
}

// ---- SHA-256 -------------------------------------------------------------------------

namespace {

struct ShaJob {
    uint32_t h[8];
    std::vector<uint8_t> blocks;
    uint32_t want[8];
};

ShaJob make_sha_job(std::mt19937_64& rng) {
    ShaJob j;
    for (auto& w : j.h) w = static_cast<uint32_t>(rng());
    j.blocks = rand_bytes(rng, 64 * (1 + rng() % 3));
    std::memcpy(j.want, j.h, sizeof j.h);
    dp::Sha256::compress(j.want, j.blocks.data(), j.blocks.size() / 64);
    return j;
}

void sha_present(Vcce_sha256* m, const ShaJob& j, size_t blk) {
    const uint8_t* b = j.blocks.data() + 64 * blk;
    for (int i = 0; i < 16; ++i)
        m->in_block[i] = (uint32_t{b[4 * i]} << 24) | (uint32_t{b[4 * i + 1]} << 16) |
                         (uint32_t{b[4 * i + 2]} << 8) | b[4 * i + 3];
    for (int i = 0; i < 8; ++i) m->in_h[i] = j.h[i];
    m->in_first = blk == 0;
    m->in_last = blk + 1 == j.blocks.size() / 64;
}

void sha_stream(Tb<Vcce_sha256>& tb, std::mt19937_64& rng, const std::vector<ShaJob>& jobs,
                int p_gap, int p_ready) {
    auto* m = tb.m.get();
    size_t ji = 0, blk = 0, out_i = 0;
    bool held = false;
    uint32_t held_h[8] = {};
    uint64_t guard = 0;
    while (out_i < jobs.size()) {
        ASSERT_LT(++guard, 1000000u) << "core hung";
        if (ji < jobs.size() && static_cast<int>(rng() % 100) >= p_gap) {
            sha_present(m, jobs[ji], blk);
            m->in_valid = 1;
        } else {
            m->in_valid = 0;
            for (int i = 0; i < 16; ++i) m->in_block[i] = static_cast<uint32_t>(rng());
            for (int i = 0; i < 8; ++i) m->in_h[i] = static_cast<uint32_t>(rng());
            m->in_first = rng() & 1;
            m->in_last = rng() & 1;
        }
        m->out_ready = static_cast<int>(rng() % 100) < p_ready;
        tb.settle();
        if (held) {
            ASSERT_TRUE(m->out_valid);
            for (int i = 0; i < 8; ++i) ASSERT_EQ(m->out_h[i], held_h[i]);
        }
        const bool fire = m->in_valid && m->in_ready;
        const bool ofire = m->out_valid && m->out_ready;
        if (ofire) {
            for (int i = 0; i < 8; ++i) ASSERT_EQ(m->out_h[i], jobs[out_i].want[i]) << "job " << out_i;
            ++out_i;
        }
        held = m->out_valid && !m->out_ready;
        for (int i = 0; i < 8; ++i) held_h[i] = m->out_h[i];
        tb.edge();
        if (fire && ++blk == jobs[ji].blocks.size() / 64) {
            ++ji;
            blk = 0;
        }
    }
    m->in_valid = 0;
}

}  // namespace

TEST(RtlPin, Sha256BubblesAndBackPressure) {
    std::mt19937_64 rng(21);
    Tb<Vcce_sha256> tb;
    for (int round = 0; round < 12; ++round) {
        std::vector<ShaJob> jobs;
        for (int i = 0; i < 30; ++i) jobs.push_back(make_sha_job(rng));
        sha_stream(tb, rng, jobs, round % 3 == 0 ? 0 : static_cast<int>(rng() % 90),
                   round % 3 == 1 ? 100 : 5 + static_cast<int>(rng() % 95));
    }
}

TEST(RtlPin, Sha256ResetMidJob) {
    std::mt19937_64 rng(22);
    Tb<Vcce_sha256> tb;
    auto* m = tb.m.get();
    for (int round = 0; round < 100; ++round) {
        ShaJob j = make_sha_job(rng);
        // Feed the first block and run a random number of cycles (mid-round,
        // between blocks or with the result pending), then reset.
        sha_present(m, j, 0);
        m->in_valid = 1;
        m->out_ready = 0;
        const int cycles = 1 + static_cast<int>(rng() % 200);
        for (int c = 0; c < cycles; ++c) {
            tb.settle();
            tb.edge();
            m->in_valid = 0;
        }
        tb.reset(1);
        tb.settle();
        ASSERT_FALSE(m->out_valid);
        ASSERT_TRUE(m->in_ready);
        sha_stream(tb, rng, {make_sha_job(rng), make_sha_job(rng)}, 20, 50);
    }
}

// ---- AES --------------------------------------------------------------------------------

namespace {

struct AesJob {
    std::vector<uint8_t> key;
    bool dec;
    std::vector<uint8_t> in, want;
};

AesJob make_aes_job(std::mt19937_64& rng) {
    AesJob j;
    j.key = rand_bytes(rng, (rng() & 1) ? 32 : 16);
    j.dec = rng() & 1;
    const size_t n = 1 + rng() % 6;
    j.in = rand_bytes(rng, 16 * n);
    j.want.resize(j.in.size());
    dp::Aes a;
    a.set_key(j.key.data(), j.key.size());
    if (j.dec)
        a.decrypt_blocks(j.in.data(), j.want.data(), n);
    else
        a.encrypt_blocks(j.in.data(), j.want.data(), n);
    return j;
}

// Each job: a key load, then its blocks (the core orders a key load after
// the in-flight block is taken). Expected results in order.
void aes_stream(Tb<Vcce_aes>& tb, std::mt19937_64& rng, const std::vector<AesJob>& jobs,
                int p_gap, int p_ready) {
    auto* m = tb.m.get();
    std::vector<const uint8_t*> want;
    for (const auto& j : jobs)
        for (size_t b = 0; b < j.in.size() / 16; ++b) want.push_back(j.want.data() + 16 * b);
    size_t ji = 0, blk = 0, out_i = 0;
    bool key_sent = false, held = false;
    uint8_t held_d[16] = {};
    uint64_t guard = 0;
    while (out_i < want.size()) {
        ASSERT_LT(++guard, 1000000u) << "core hung";
        m->key_valid = 0;
        m->in_valid = 0;
        for (int i = 0; i < 8; ++i) m->key[i] = static_cast<uint32_t>(rng());
        for (int i = 0; i < 4; ++i) m->in_data[i] = static_cast<uint32_t>(rng());
        m->in_decrypt = rng() & 1;
        m->key256 = rng() & 1;
        const bool gap = static_cast<int>(rng() % 100) < p_gap;
        if (ji < jobs.size() && !gap) {
            const auto& j = jobs[ji];
            if (!key_sent) {
                std::memset(m->key.data(), 0, 32);
                std::memcpy(m->key.data(), j.key.data(), j.key.size());
                m->key256 = j.key.size() == 32;
                m->key_valid = 1;
            } else {
                std::memcpy(m->in_data.data(), j.in.data() + 16 * blk, 16);
                m->in_decrypt = j.dec;
                m->in_valid = 1;
            }
        }
        m->out_ready = static_cast<int>(rng() % 100) < p_ready;
        tb.settle();
        if (held) {
            ASSERT_TRUE(m->out_valid);
            ASSERT_EQ(0, std::memcmp(m->out_data.data(), held_d, 16));
        }
        const bool kfire = m->key_valid && m->key_ready;
        const bool fire = m->in_valid && m->in_ready;
        const bool ofire = m->out_valid && m->out_ready;
        if (ofire) {
            ASSERT_EQ(0, std::memcmp(m->out_data.data(), want[out_i], 16)) << "block " << out_i;
            ++out_i;
        }
        held = m->out_valid && !m->out_ready;
        std::memcpy(held_d, m->out_data.data(), 16);
        tb.edge();
        if (kfire) key_sent = true;
        if (fire && ++blk == jobs[ji].in.size() / 16) {
            ++ji;
            blk = 0;
            key_sent = false;
        }
    }
}

}  // namespace

TEST(RtlPin, AesBubblesAndBackPressure) {
    std::mt19937_64 rng(31);
    Tb<Vcce_aes> tb;
    for (int round = 0; round < 20; ++round) {
        std::vector<AesJob> jobs;
        for (int i = 0; i < 40; ++i) jobs.push_back(make_aes_job(rng));
        aes_stream(tb, rng, jobs, round % 3 == 0 ? 0 : static_cast<int>(rng() % 80),
                   round % 3 == 1 ? 100 : 5 + static_cast<int>(rng() % 95));
    }
}

TEST(RtlPin, AesResetMidJob) {
    std::mt19937_64 rng(32);
    Tb<Vcce_aes> tb;
    auto* m = tb.m.get();
    for (int round = 0; round < 200; ++round) {
        // Load a key, push a block, reset at a random cycle (during key
        // expansion, mid-rounds, or with the result pending).
        auto key = rand_bytes(rng, 32);
        std::memcpy(m->key.data(), key.data(), 32);
        m->key256 = rng() & 1;
        m->key_valid = 1;
        m->in_valid = 1;
        m->out_ready = 0;
        const int cycles = 1 + static_cast<int>(rng() % 40);
        for (int c = 0; c < cycles; ++c) {
            tb.settle();
            const bool kf = m->key_valid && m->key_ready;
            tb.edge();
            if (kf) m->key_valid = 0;
        }
        m->key_valid = 0;
        m->in_valid = 0;
        tb.reset(1);
        tb.settle();
        ASSERT_FALSE(m->out_valid);
        ASSERT_FALSE(m->in_ready) << "a reset must forget the key schedule";
        ASSERT_TRUE(m->key_ready);
        aes_stream(tb, rng, {make_aes_job(rng), make_aes_job(rng)}, 20, 50);
    }
}

// ---- LZ77 ----------------------------------------------------------------------------

#include "Vcce_lz77.h"
#include "cce/rtl/cores.h"

namespace {

std::vector<uint8_t> lz_data(std::mt19937_64& rng, size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = (i > 8 && rng() % 3) ? v[i - 1 - rng() % 8] : static_cast<uint8_t>('a' + rng() % 4);
    return v;
}

// One job through the pins with bubbles / stalls; returns the tokens.
// Aborts (returns early) after `reset_at` cycles if reset_at > 0.
std::vector<cce::rtl::Lz77Token> lz_pins(Tb<Vcce_lz77>& tb, std::mt19937_64& rng,
                                         const std::vector<uint8_t>& d, unsigned wbits, int p_gap,
                                         int p_ready, uint64_t reset_at = 0) {
    auto* m = tb.m.get();
    std::vector<cce::rtl::Lz77Token> out;
    size_t off = 0;
    bool first = true, held = false;
    uint8_t hk = 0, hl = 0;
    uint16_t hlen = 0, hd = 0;
    for (uint64_t c = 0;; ++c) {
        EXPECT_LT(c, 10000000u);
        if (c >= 10000000u || (reset_at && c == reset_at)) return out;
        const bool more = first || off < d.size();
        if (more && static_cast<int>(rng() % 100) >= p_gap) {
            const size_t n = std::min<size_t>(8, d.size() - off);
            uint64_t w = rng();
            if (n) std::memcpy(&w, d.data() + off, n);
            m->in_data = w;
            m->in_first = first;
            m->cfg_len = first ? static_cast<uint32_t>(d.size()) : static_cast<uint32_t>(rng());
            m->cfg_wbits = first ? static_cast<uint8_t>(wbits) : static_cast<uint8_t>(rng() % 16);
            m->in_valid = 1;
        } else {
            m->in_valid = 0;
            m->in_data = rng();
            m->in_first = rng() & 1;
            m->cfg_len = static_cast<uint32_t>(rng());
        }
        m->out_ready = static_cast<int>(rng() % 100) < p_ready;
        tb.settle();
        if (held) {
            EXPECT_TRUE(m->out_valid);
            EXPECT_EQ(m->out_kind, hk);
            if (hk == 0) {
                EXPECT_EQ(m->out_lit, hl);
            } else if (hk == 1) {
                EXPECT_EQ(m->out_len, hlen);
                EXPECT_EQ(m->out_dist, hd);
            }
        }
        const bool fire = m->in_valid && m->in_ready;
        bool done = false;
        if (m->out_valid && m->out_ready) {
            if (m->out_kind == 0) out.push_back({0, m->out_lit});
            else if (m->out_kind == 1) out.push_back({m->out_dist, m->out_len});
            else done = true;
        }
        held = m->out_valid && !m->out_ready;
        hk = m->out_kind;
        hl = m->out_lit;
        hlen = m->out_len;
        hd = m->out_dist;
        tb.edge();
        if (fire) {
            off += std::min<size_t>(8, d.size() - off);
            first = false;
        }
        if (done) return out;
    }
}

}  // namespace

TEST(RtlPin, Lz77BubblesBackPressureAndReset) {
    std::mt19937_64 rng(41);
    Tb<Vcce_lz77> tb;
    cce::rtl::Lz77Core runner;  // validated against the reference in rtl_lz77_test
    cce::rtl::RunStats st;
    for (int round = 0; round < 60; ++round) {
        const size_t n = round % 10 == 9 ? 40000 + rng() % 20000 : rng() % 3000;
        auto d = lz_data(rng, n);
        const unsigned wbits = 9 + static_cast<unsigned>(rng() % 7);
        std::vector<cce::rtl::Lz77Token> want;
        ASSERT_TRUE(runner.run(d.data(), d.size(), wbits, want, st));
        if (round % 3 == 2) {
            // Abandon a job part-way through with a reset, then rerun it.
            auto other = lz_data(rng, 500 + rng() % 3000);
            lz_pins(tb, rng, other, 15, 30, 50, 1 + rng() % 2000);
            tb.reset(1 + static_cast<int>(rng() % 3));
            tb.settle();
            ASSERT_FALSE(tb.m->out_valid);
        }
        const int p_gap = round % 4 == 0 ? 0 : static_cast<int>(rng() % 80);
        const int p_ready = round % 4 == 1 ? 100 : 5 + static_cast<int>(rng() % 95);
        auto got = lz_pins(tb, rng, d, wbits, p_gap, p_ready);
        ASSERT_EQ(want.size(), got.size()) << "round " << round;
        ASSERT_TRUE(want == got) << "round " << round;
    }
}
