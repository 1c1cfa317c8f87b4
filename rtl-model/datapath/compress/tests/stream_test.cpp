// SPDX-License-Identifier: MIT
// Streaming across descriptors: random splits, save/restore between every
// chunk, retry after errors, context validation.
#include <gtest/gtest.h>

#include <random>

#include "cce/datapath/crc.h"
#include "test_util.h"

namespace dfl = cce::datapath::deflate;
using namespace cce_test;

namespace {

// Compress `d` in chunks of random size; between chunks the state goes
// through a context buffer into a fresh object.
Bytes stream_compress(const Bytes& d, unsigned format, unsigned level, unsigned wbits, std::mt19937& rng,
                      size_t max_chunk, uint32_t* checksum) {
    Bytes ctx(CCE_STREAM_CTX_SIZE);
    size_t ctx_len = 0;
    Bytes out;
    size_t off = 0;
    bool first = true;
    for (;;) {
        size_t n = std::min<size_t>(d.size() - off, rng() % (max_chunk + 1));
        bool last = off + n == d.size() && (rng() % 3 != 0 || n == 0);
        dfl::CompressStream s;
        EXPECT_EQ(s.configure(format, level, wbits), CCE_ST_SUCCESS);
        if (!first) {
            EXPECT_EQ(s.restore(ctx.data(), ctx_len), CCE_ST_SUCCESS);
        }
        // First try with a tight buffer to exercise OUTPUT_TOO_SMALL + retry.
        Bytes buf(rng() % 2 ? 3 : dfl::compress_bound(n, format) + 8);
        auto r = s.process(d.data() + off, n, buf.data(), buf.size(), first, last);
        if (r.status == CCE_ST_OUTPUT_TOO_SMALL) {
            EXPECT_GT(r.detail, buf.size());
            buf.assign(r.detail, 0);
            r = s.process(d.data() + off, n, buf.data(), buf.size(), first, last);
            EXPECT_EQ(r.produced, buf.size());  // the reported size was exact
        }
        EXPECT_EQ(r.status, CCE_ST_SUCCESS);
        if (r.status != CCE_ST_SUCCESS) return {};
        EXPECT_EQ(r.consumed, n);
        EXPECT_LE(r.produced, dfl::compress_bound(n, format) + 8);
        out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.produced));
        off += n;
        first = false;
        *checksum = r.checksum;
        if (last) {
            EXPECT_TRUE(r.stream_end);
            EXPECT_EQ(s.save(ctx.data(), ctx.size()), 0u);  // no open stream
            break;
        }
        ctx_len = s.save(ctx.data(), ctx.size());
        EXPECT_GT(ctx_len, 0u);
        EXPECT_LE(ctx_len, CCE_STREAM_CTX_SIZE);
    }
    return out;
}

// Decompress with random input splits and random output buffer sizes,
// saving/restoring the context after every call.
bool stream_decompress(const Bytes& c, unsigned format, std::mt19937& rng, size_t max_in, size_t max_out,
                       Bytes& out, uint32_t* checksum) {
    Bytes ctx(CCE_STREAM_CTX_SIZE);
    size_t ctx_len = 0;
    out.clear();
    size_t off = 0;
    bool first = true;
    for (int guard = 0; guard < 10000000; ++guard) {
        size_t n = std::min<size_t>(c.size() - off, 1 + rng() % max_in);
        bool last = off + n == c.size();
        size_t cap = 1 + rng() % max_out;
        GuardedBuffer g(cap);
        dfl::DecompressStream s;
        EXPECT_EQ(s.configure(format), CCE_ST_SUCCESS);
        if (!first) {
            EXPECT_EQ(s.restore(ctx.data(), ctx_len), CCE_ST_SUCCESS);
        }
        auto r = s.process(c.data() + off, n, g.data(), cap, first, last);
        if (r.status != CCE_ST_SUCCESS) {
            ADD_FAILURE() << "status " << int(r.status) << " detail " << r.detail << " at " << off;
            return false;
        }
        EXPECT_LE(r.consumed, n);
        EXPECT_LE(r.produced, cap);
        out.insert(out.end(), g.data(), g.data() + r.produced);
        off += r.consumed;
        first = false;
        *checksum = r.checksum;
        if (r.stream_end) {
            EXPECT_EQ(off, c.size());
            return true;
        }
        ctx_len = s.save(ctx.data(), ctx.size());
        EXPECT_GT(ctx_len, 0u);
        EXPECT_LE(ctx_len, CCE_STREAM_CTX_SIZE);
    }
    return false;
}

}  // namespace

TEST(Stream, CompressRandomSplitsMatchOneShot) {
    std::mt19937 rng(1);
    for (unsigned f : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP})
        for (unsigned level : {1u, 3u, 6u, 9u})
            for (Kind k : {Kind::Text, Kind::Mixed, Kind::Random}) {
                Bytes d = make_data(k, 150000 + rng() % 1000, rng());
                unsigned wbits = 9 + rng() % 7;
                uint32_t ck = 0;
                Bytes c = stream_compress(d, f, level, wbits, rng, 40000, &ck);
                ASSERT_FALSE(c.empty());
                Bytes z;
                std::string msg;
                ASSERT_TRUE(zlib_inflate(c, f, wbits, z, &msg)) << msg << " level " << level;
                ASSERT_TRUE(z == d);
                Bytes ref(dfl::compress_bound(d.size(), f));
                auto r1 = dfl::compress(d.data(), d.size(), ref.data(), ref.size(), f, level, wbits);
                ASSERT_EQ(r1.status, CCE_ST_SUCCESS);
                EXPECT_EQ(ck, r1.checksum);
                // Streaming costs little ratio: within 2% + 64 bytes per chunk.
                EXPECT_LE(c.size(), r1.produced + r1.produced / 50 + 64 * 8 + 64);
            }
}

TEST(Stream, CompressSmallAndEmptyChunks) {
    std::mt19937 rng(2);
    for (unsigned f : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP}) {
        for (size_t n : {0u, 1u, 5u, 300u}) {
            Bytes d = make_data(Kind::Text, n, static_cast<uint32_t>(n));
            uint32_t ck = 0;
            Bytes c = stream_compress(d, f, 6, 15, rng, 3, &ck);
            Bytes z;
            std::string msg;
            ASSERT_TRUE(zlib_inflate(c, f, 15, z, &msg)) << msg;
            ASSERT_TRUE(z == d);
        }
    }
}

TEST(Stream, DecompressRandomSplitsEqualOneShot) {
    std::mt19937 rng(3);
    for (unsigned f : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP})
        for (int zl : {0, 1, 6, 9})
            for (Kind k : {Kind::Text, Kind::Mixed, Kind::Runs}) {
                size_t max_in = rng() % 2 ? 64 : 20000;
                size_t max_out = rng() % 2 ? 100 : 50000;
                // Small pieces mean many context round trips: keep those short.
                size_t n = (max_in < 100 || max_out < 200 ? 15000 : 120000) + rng() % 1000;
                Bytes d = make_data(k, n, rng());
                Bytes c = zlib_deflate(d, f, zl);
                Bytes one;
                auto r1 = our_decompress(c, f, one, d.size());
                ASSERT_EQ(r1.status, CCE_ST_SUCCESS);
                Bytes o;
                uint32_t ck = 0;
                ASSERT_TRUE(stream_decompress(c, f, rng, max_in, max_out, o, &ck)) << zl;
                ASSERT_TRUE(o == d);
                EXPECT_EQ(ck, r1.checksum);
            }
}

TEST(Stream, DecompressByteAtATime) {
    std::mt19937 rng(4);
    for (unsigned f : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP}) {
        Bytes d = make_data(Kind::Mixed, 6000, 7);
        for (unsigned level : {1u, 9u}) {
            Bytes c = our_compress(d, f, level);
            Bytes o;
            uint32_t ck = 0;
            ASSERT_TRUE(stream_decompress(c, f, rng, 1, 7, o, &ck));
            ASSERT_TRUE(o == d);
        }
    }
}

TEST(Stream, GzipHeaderOptionalFieldsSplitAnywhere) {
    Bytes d = make_data(Kind::Text, 3000, 9);
    Bytes raw = our_compress(d, CCE_CF_FMT_RAW, 6);
    // Header with FEXTRA, FNAME, FCOMMENT and FHCRC.
    Bytes h = {0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 1, 2, 3, 4, 0, 3};
    h.push_back(5);
    h.push_back(0);
    for (uint8_t b : {uint8_t{'A'}, uint8_t{'B'}, uint8_t{2}, uint8_t{0}, uint8_t{'x'}}) h.push_back(b);
    for (char ch : std::string("file.txt")) h.push_back(static_cast<uint8_t>(ch));
    h.push_back(0);
    for (char ch : std::string("a comment")) h.push_back(static_cast<uint8_t>(ch));
    h.push_back(0);
    uint32_t hc = cce::datapath::crc32(0, h.data(), h.size());
    h.push_back(static_cast<uint8_t>(hc));
    h.push_back(static_cast<uint8_t>(hc >> 8));
    Bytes gz = h;
    gz.insert(gz.end(), raw.begin(), raw.end());
    uint32_t crc = cce::datapath::crc32(0, d.data(), d.size());
    for (int i = 0; i < 4; ++i) gz.push_back(static_cast<uint8_t>(crc >> (8 * i)));
    for (int i = 0; i < 4; ++i) gz.push_back(static_cast<uint8_t>(d.size() >> (8 * i)));
    Bytes z;
    std::string msg;
    ASSERT_TRUE(zlib_inflate(gz, CCE_CF_FMT_GZIP, 15, z, &msg)) << msg;  // the oracle agrees
    Bytes o;
    auto r = our_decompress(gz, CCE_CF_FMT_GZIP, o, d.size());
    ASSERT_EQ(r.status, CCE_ST_SUCCESS) << r.detail;
    ASSERT_TRUE(o == d);
    std::mt19937 rng(5);
    uint32_t ck;
    ASSERT_TRUE(stream_decompress(gz, CCE_CF_FMT_GZIP, rng, 2, 5000, o, &ck));
    ASSERT_TRUE(o == d);
    // A wrong header CRC is a header error.
    Bytes bad = gz;
    bad[h.size() - 1] ^= 1;
    r = our_decompress(bad, CCE_CF_FMT_GZIP, o, d.size());
    EXPECT_EQ(r.status, CCE_ST_CORRUPT_INPUT);
    EXPECT_EQ(r.detail, CCE_CORRUPT_HEADER);
}

TEST(Stream, DecompressErrorDoesNotAdvanceContext) {
    Bytes d = make_data(Kind::Text, 50000, 10);
    Bytes c = our_compress(d, CCE_CF_FMT_ZLIB, 6);
    size_t half = c.size() / 2;
    dfl::DecompressStream s;
    s.configure(CCE_CF_FMT_ZLIB);
    Bytes out(d.size());
    auto r = s.process(c.data(), half, out.data(), out.size(), true, false);
    ASSERT_EQ(r.status, CCE_ST_SUCCESS);
    ASSERT_EQ(r.consumed, half);
    size_t produced = r.produced;
    // Submit the rest with a corrupted byte: error, state unchanged.
    Bytes rest(c.begin() + static_cast<ptrdiff_t>(half), c.end());
    Bytes bad = rest;
    bad[bad.size() - 1] ^= 0x55;  // trailer
    r = s.process(bad.data(), bad.size(), out.data() + produced, out.size() - produced, false, true);
    ASSERT_EQ(r.status, CCE_ST_CORRUPT_INPUT);
    EXPECT_EQ(r.detail, CCE_CORRUPT_CHECKSUM);
    // Marking the chunk last too early: truncated, state unchanged.
    r = s.process(rest.data(), rest.size() / 2, out.data() + produced, out.size() - produced, false, true);
    ASSERT_EQ(r.status, CCE_ST_CORRUPT_INPUT);
    EXPECT_EQ(r.detail, CCE_CORRUPT_TRUNCATED);
    // The correct retry succeeds.
    r = s.process(rest.data(), rest.size(), out.data() + produced, out.size() - produced, false, true);
    ASSERT_EQ(r.status, CCE_ST_SUCCESS);
    EXPECT_TRUE(r.stream_end);
    EXPECT_EQ(produced + r.produced, d.size());
    EXPECT_TRUE(out == d);
    // More data after the end.
    uint8_t x = 0;
    r = s.process(&x, 1, out.data(), out.size(), false, true);
    EXPECT_EQ(r.status, CCE_ST_CORRUPT_INPUT);
    EXPECT_EQ(r.detail, CCE_CORRUPT_TRAILING);
}

TEST(Stream, DecompressNoProgressIsOutputTooSmall) {
    Bytes d = make_data(Kind::Text, 1000, 12);
    Bytes c = our_compress(d, CCE_CF_FMT_RAW, 6);
    dfl::DecompressStream s;
    s.configure(CCE_CF_FMT_RAW);
    // The first call reads the block header, then stops at the first literal.
    auto r = s.process(c.data(), c.size(), nullptr, 0, true, false);
    EXPECT_EQ(r.status, CCE_ST_SUCCESS);
    EXPECT_GT(r.consumed, 0u);
    EXPECT_EQ(r.produced, 0u);
    size_t used = r.consumed;
    // No progress possible now: OUTPUT_TOO_SMALL, nothing consumed.
    r = s.process(c.data() + used, c.size() - used, nullptr, 0, false, true);
    EXPECT_EQ(r.status, CCE_ST_OUTPUT_TOO_SMALL);
    EXPECT_EQ(r.consumed, 0u);
    Bytes out(d.size());
    r = s.process(c.data() + used, c.size() - used, out.data(), out.size(), false, true);
    EXPECT_EQ(r.status, CCE_ST_SUCCESS);
    EXPECT_TRUE(out == d);
}

TEST(Stream, RestoreRejectsGarbage) {
    std::mt19937 rng(6);
    Bytes d = make_data(Kind::Mixed, 80000, 13);
    Bytes c = our_compress(d, CCE_CF_FMT_GZIP, 6);
    dfl::DecompressStream s;
    s.configure(CCE_CF_FMT_GZIP);
    Bytes out(d.size());
    auto r = s.process(c.data(), c.size() / 2, out.data(), out.size(), true, false);
    ASSERT_EQ(r.status, CCE_ST_SUCCESS);
    Bytes ctx(CCE_STREAM_CTX_SIZE);
    size_t n = s.save(ctx.data(), ctx.size());
    ASSERT_GT(n, 0u);
    // Random garbage, truncation, bit flips: INVALID_PARAM.
    for (int i = 0; i < 50; ++i) {
        Bytes g(rng() % ctx.size());
        for (auto& b : g) b = static_cast<uint8_t>(rng());
        dfl::DecompressStream t;
        EXPECT_EQ(t.restore(g.data(), g.size()), CCE_ST_INVALID_PARAM);
        dfl::CompressStream u;
        EXPECT_EQ(u.restore(g.data(), g.size()), CCE_ST_INVALID_PARAM);
    }
    dfl::DecompressStream t;
    EXPECT_EQ(t.restore(ctx.data(), n - 1), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(t.restore(nullptr, 0), CCE_ST_INVALID_PARAM);
    for (size_t pos = 0; pos < n; pos += 1 + rng() % 97) {
        Bytes g(ctx.begin(), ctx.begin() + static_cast<ptrdiff_t>(n));
        g[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
        EXPECT_EQ(t.restore(g.data(), g.size()), CCE_ST_INVALID_PARAM) << pos;
    }
    // A compress context is not a decompress context.
    dfl::CompressStream cs;
    cs.configure(CCE_CF_FMT_RAW, 1, 15);
    Bytes tmp(100000);
    ASSERT_EQ(cs.process(d.data(), 1000, tmp.data(), tmp.size(), true, false).status, CCE_ST_SUCCESS);
    Bytes cctx(CCE_STREAM_CTX_SIZE);
    size_t cn = cs.save(cctx.data(), cctx.size());
    ASSERT_GT(cn, 0u);
    EXPECT_EQ(t.restore(cctx.data(), cn), CCE_ST_INVALID_PARAM);
    EXPECT_EQ(cs.restore(ctx.data(), n), CCE_ST_INVALID_PARAM);
    // Continuing without a stream is refused.
    dfl::DecompressStream fresh;
    EXPECT_EQ(fresh.process(c.data(), 10, out.data(), 10, false, false).status, CCE_ST_INVALID_PARAM);
    dfl::CompressStream freshc;
    EXPECT_EQ(freshc.process(d.data(), 10, out.data(), 10, false, false).status, CCE_ST_INVALID_PARAM);
    // The original context still works.
    EXPECT_EQ(t.restore(ctx.data(), n), CCE_ST_SUCCESS);
}

TEST(Stream, CraftedContextsNeverCrash) {
    // Contexts with a valid CRC but modified fields: either refused or they
    // run to a defined status. Fix up the CRC (last 4 bytes) after each edit.
    Bytes d = make_data(Kind::Text, 40000, 14);
    Bytes c = our_compress(d, CCE_CF_FMT_ZLIB, 9);
    std::mt19937 rng(7);
    for (size_t split : {size_t{1}, size_t{3}, c.size() / 3, c.size() - 3}) {
        dfl::DecompressStream s;
        s.configure(CCE_CF_FMT_ZLIB);
        Bytes out(d.size());
        ASSERT_EQ(s.process(c.data(), split, out.data(), out.size(), true, false).status, CCE_ST_SUCCESS);
        Bytes ctx(CCE_STREAM_CTX_SIZE);
        size_t n = s.save(ctx.data(), ctx.size());
        for (size_t pos = 12; pos < std::min<size_t>(n - 4, 12 + 120 + 340); ++pos) {
            for (uint8_t v : {uint8_t{0}, uint8_t{0xff}, static_cast<uint8_t>(rng())}) {
                Bytes g(ctx.begin(), ctx.begin() + static_cast<ptrdiff_t>(n));
                g[pos] = v;
                uint32_t crc = cce::datapath::crc32(0, g.data(), n - 4);
                for (int i = 0; i < 4; ++i) g[n - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
                dfl::DecompressStream t;
                t.configure(CCE_CF_FMT_ZLIB);
                if (t.restore(g.data(), n) != CCE_ST_SUCCESS) continue;
                GuardedBuffer gb(d.size());
                auto r = t.process(c.data() + split, c.size() - split, gb.data(), gb.size(), false, true);
                EXPECT_LE(r.produced, gb.size());
                EXPECT_LE(r.status, CCE_ST_MAX);
            }
        }
    }
}

TEST(Stream, SingleChunkStreamEqualsOneShot) {
    for (unsigned f : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP})
        for (unsigned level : {1u, 5u, 9u}) {
            Bytes d = make_data(Kind::Mixed, 90000, level);
            Bytes one = our_compress(d, f, level, 12);
            dfl::CompressStream s;
            ASSERT_EQ(s.configure(f, level, 12), CCE_ST_SUCCESS);
            Bytes out(dfl::compress_bound(d.size(), f));
            auto r = s.process(d.data(), d.size(), out.data(), out.size(), true, true);
            ASSERT_EQ(r.status, CCE_ST_SUCCESS);
            out.resize(r.produced);
            EXPECT_EQ(out, one);
            EXPECT_FALSE(s.active());
            dfl::DecompressStream ds;
            ASSERT_EQ(ds.configure(f), CCE_ST_SUCCESS);
            Bytes back(d.size());
            auto rd = ds.process(one.data(), one.size(), back.data(), back.size(), true, true);
            ASSERT_EQ(rd.status, CCE_ST_SUCCESS);
            EXPECT_TRUE(rd.stream_end);
            EXPECT_EQ(back, d);
            EXPECT_EQ(rd.checksum, r.checksum);
        }
}

TEST(Stream, CompressUsesHistoryAcrossChunks) {
    // 4 KiB descriptors: matches reach into earlier chunks through the
    // context, so the stream is much smaller than independent compressions.
    Bytes unit = make_data(Kind::Random, 3000, 1);
    Bytes d;
    for (int i = 0; i < 20; ++i) d.insert(d.end(), unit.begin(), unit.end());
    size_t independent = 0, streamed = 0;
    Bytes ctx(CCE_STREAM_CTX_SIZE);
    size_t ctx_len = 0;
    Bytes all;
    for (size_t off = 0; off < d.size(); off += 4096) {
        size_t n = std::min<size_t>(4096, d.size() - off);
        Bytes piece(d.begin() + static_cast<ptrdiff_t>(off), d.begin() + static_cast<ptrdiff_t>(off + n));
        independent += our_compress(piece, CCE_CF_FMT_RAW, 6).size();
        dfl::CompressStream s;
        s.configure(CCE_CF_FMT_RAW, 6, 15);
        if (off) {
            ASSERT_EQ(s.restore(ctx.data(), ctx_len), CCE_ST_SUCCESS);
        }
        Bytes out(dfl::compress_bound(n, CCE_CF_FMT_RAW) + 8);
        bool last = off + n == d.size();
        auto r = s.process(piece.data(), n, out.data(), out.size(), off == 0, last);
        ASSERT_EQ(r.status, CCE_ST_SUCCESS);
        streamed += r.produced;
        all.insert(all.end(), out.begin(), out.begin() + static_cast<ptrdiff_t>(r.produced));
        if (!last) ctx_len = s.save(ctx.data(), ctx.size());
    }
    EXPECT_LT(streamed * 4, independent);
    Bytes z;
    std::string msg;
    ASSERT_TRUE(zlib_inflate(all, CCE_CF_FMT_RAW, 15, z, &msg)) << msg;
    EXPECT_EQ(z, d);
}

TEST(Stream, DecompressEndInNonLastChunkSavesContext) {
    // Software does not know where the stream ends: the end arrives in a
    // chunk without `last`. The context still saves; later chunks see EOS.
    Bytes d = make_data(Kind::Text, 5000, 15);
    Bytes c = our_compress(d, CCE_CF_FMT_GZIP, 6);
    dfl::DecompressStream s;
    s.configure(CCE_CF_FMT_GZIP);
    Bytes out(d.size());
    auto r = s.process(c.data(), c.size(), out.data(), out.size(), true, false);
    ASSERT_EQ(r.status, CCE_ST_SUCCESS);
    EXPECT_TRUE(r.stream_end);
    EXPECT_FALSE(s.active());
    EXPECT_EQ(out, d);
    Bytes ctx(CCE_STREAM_CTX_SIZE);
    size_t n = s.save(ctx.data(), ctx.size());
    ASSERT_GT(n, 0u);
    dfl::DecompressStream t;
    t.configure(CCE_CF_FMT_GZIP);
    ASSERT_EQ(t.restore(ctx.data(), ctx.size()), CCE_ST_SUCCESS);  // whole buffer is fine
    r = t.process(nullptr, 0, out.data(), out.size(), false, true);
    EXPECT_EQ(r.status, CCE_ST_SUCCESS);
    EXPECT_TRUE(r.stream_end);
    EXPECT_EQ(r.checksum, cce::datapath::crc32(0, d.data(), d.size()));
    uint8_t extra[3] = {1, 2, 3};
    r = t.process(extra, 3, out.data(), out.size(), false, true);
    EXPECT_EQ(r.status, CCE_ST_CORRUPT_INPUT);
    EXPECT_EQ(r.detail, CCE_CORRUPT_TRAILING);
}
