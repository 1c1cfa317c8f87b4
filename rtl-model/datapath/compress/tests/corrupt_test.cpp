// SPDX-License-Identifier: MIT
// Corrupt input: every failure gets its documented status/detail and no
// byte is ever written past out_cap (guarded buffers).
#include <gtest/gtest.h>

#include <random>

#include "cce/datapath/crc.h"
#include "test_util.h"

namespace dfl = cce::datapath::deflate;
using namespace cce_test;

namespace {

// LSB-first bit writer for hand-made streams.
struct Bits {
    Bytes b;
    unsigned n = 0;
    void put(uint32_t v, unsigned cnt) {
        for (unsigned i = 0; i < cnt; ++i) {
            if (n % 8 == 0) b.push_back(0);
            if ((v >> i) & 1) b.back() |= static_cast<uint8_t>(1u << (n % 8));
            ++n;
        }
    }
    // Huffman codes go MSB first.
    void code(uint32_t c, unsigned len) {
        for (unsigned i = len; i-- > 0;) put((c >> i) & 1, 1);
    }
    void align() {
        while (n % 8) put(0, 1);
    }
};

// Fixed-code helpers (RFC 1951 3.2.6).
void fixed_lit(Bits& w, unsigned v) {
    if (v < 144) w.code(0x30 + v, 8);
    else if (v < 256) w.code(0x190 + v - 144, 9);
    else if (v < 280) w.code(v - 256, 7);
    else w.code(0xc0 + v - 280, 8);
}

dfl::Result decode_guarded(const Bytes& in, unsigned format, size_t cap = 4096) {
    GuardedBuffer g(cap);
    return dfl::decompress(in.data(), in.size(), g.data(), cap, format);
}

void expect_corrupt(const Bytes& in, unsigned format, uint32_t reason, const char* what) {
    auto r = decode_guarded(in, format, 1 << 16);
    EXPECT_EQ(r.status, CCE_ST_CORRUPT_INPUT) << what;
    EXPECT_EQ(r.detail, reason) << what;
    // Same verdict through the streaming path, fed one byte at a time.
    dfl::DecompressStream s;
    s.configure(format);
    Bytes ctx(CCE_STREAM_CTX_SIZE);
    GuardedBuffer g(1 << 16);
    size_t produced = 0;
    dfl::Result last{};
    for (size_t i = 0; i < in.size() || in.empty(); ++i) {
        bool is_last = i + 1 >= in.size();
        last = s.process(in.data() + i, in.empty() ? 0 : 1, g.data() + produced, g.size() - produced, i == 0, is_last);
        if (last.status != CCE_ST_SUCCESS || last.stream_end) break;
        produced += last.produced;
        size_t n = s.save(ctx.data(), ctx.size());
        ASSERT_GT(n, 0u);
        ASSERT_EQ(s.restore(ctx.data(), n), CCE_ST_SUCCESS);
        if (in.empty()) break;
    }
    EXPECT_EQ(last.status, CCE_ST_CORRUPT_INPUT) << what << " (streaming)";
    EXPECT_EQ(last.detail, reason) << what << " (streaming)";
}

// A dynamic block header: HLIT/HDIST/HCLEN with the given code length code
// lengths (in symbol order 0..18).
void dyn_header(Bits& w, bool final, unsigned hlit, unsigned hdist, const uint8_t cl[19]) {
    static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    w.put(final ? 1 : 0, 1);
    w.put(2, 2);
    w.put(hlit - 257, 5);
    w.put(hdist - 1, 5);
    w.put(19 - 4, 4);
    for (unsigned i = 0; i < 19; ++i) w.put(cl[order[i]], 3);
}

}  // namespace

TEST(Corrupt, TruncatedAtEveryPrefix) {
    Bytes d = make_data(Kind::Mixed, 3000, 1);
    for (unsigned f : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP})
        for (unsigned level : {1u, 9u}) {
            Bytes c = our_compress(d, f, level);
            Bytes stored = zlib_deflate(d, f, 0);
            for (const Bytes* s : {&c, &stored})
                for (size_t len = 0; len < s->size(); ++len) {
                    Bytes p(s->begin(), s->begin() + static_cast<ptrdiff_t>(len));
                    auto r = decode_guarded(p, f, d.size());
                    ASSERT_EQ(r.status, CCE_ST_CORRUPT_INPUT) << len;
                    ASSERT_EQ(r.detail, CCE_CORRUPT_TRUNCATED) << len;
                    EXPECT_LE(r.produced, d.size());
                }
            // Streaming: prefix fed as two chunks, last flag on the second.
            for (size_t len = 0; len < c.size(); len += 7) {
                dfl::DecompressStream s;
                s.configure(f);
                GuardedBuffer g(d.size());
                size_t half = len / 2;
                auto r = s.process(c.data(), half, g.data(), g.size(), true, false);
                ASSERT_EQ(r.status, CCE_ST_SUCCESS);
                auto r2 = s.process(c.data() + half, len - half, g.data() + r.produced, g.size() - r.produced, false, true);
                ASSERT_EQ(r2.status, CCE_ST_CORRUPT_INPUT);
                ASSERT_EQ(r2.detail, CCE_CORRUPT_TRUNCATED);
            }
        }
}

TEST(Corrupt, BadBlockType) {
    expect_corrupt({0x07}, CCE_CF_FMT_RAW, CCE_CORRUPT_BLOCK_TYPE, "btype 3 final");
    expect_corrupt({0x06, 0, 0}, CCE_CF_FMT_RAW, CCE_CORRUPT_BLOCK_TYPE, "btype 3");
    // After a valid block.
    Bits w;
    w.put(0, 1);
    w.put(1, 2);
    fixed_lit(w, 'a');
    fixed_lit(w, 256);
    w.put(1, 1);
    w.put(3, 2);
    expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_BLOCK_TYPE, "btype 3 second block");
}

TEST(Corrupt, StoredLengthMismatch) {
    expect_corrupt({0x01, 0x05, 0x00, 0xfa, 0xfe, 1, 2, 3, 4, 5}, CCE_CF_FMT_RAW, CCE_CORRUPT_STORED_LEN, "nlen");
    // Valid one for contrast.
    Bytes ok = {0x01, 0x05, 0x00, 0xfa, 0xff, 1, 2, 3, 4, 5};
    Bytes o;
    auto r = our_decompress(ok, CCE_CF_FMT_RAW, o, 5);
    ASSERT_EQ(r.status, CCE_ST_SUCCESS);
    EXPECT_EQ(o, (Bytes{1, 2, 3, 4, 5}));
}

TEST(Corrupt, BadHuffmanTables) {
    // Over-subscribed code length code: all 19 lengths = 1.
    {
        Bits w;
        uint8_t cl[19];
        for (auto& x : cl) x = 1;
        dyn_header(w, true, 257, 1, cl);
        w.put(0, 16);
        expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "cl over-subscribed");
    }
    // Incomplete code length code: one symbol of length 2.
    {
        Bits w;
        uint8_t cl[19] = {};
        cl[8] = 2;
        dyn_header(w, true, 257, 1, cl);
        w.put(0, 16);
        expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "cl incomplete");
    }
    // Lit/len over-subscribed: 257 codes of length 8 (cl code: 0 and 8, 1 bit each).
    auto litlen_block = [](unsigned len_sym, unsigned count, bool eob) {
        Bits w;
        uint8_t cl[19] = {};
        cl[0] = 1;         // code 0
        cl[len_sym] = 1;   // code 1
        dyn_header(w, true, 257, 1, cl);
        for (unsigned i = 0; i < 257; ++i) {
            bool set = i < count && (eob || i != 256);
            w.code(set ? 1 : 0, 1);
        }
        w.code(1, 1);  // distance code 0 with length len_sym
        w.put(0, 16);
        return w.b;
    };
    expect_corrupt(litlen_block(8, 257, true), CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "litlen over-subscribed");
    expect_corrupt(litlen_block(9, 257, true), CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "litlen incomplete");
    // No end-of-block code.
    {
        Bits w;
        uint8_t cl[19] = {};
        cl[0] = 1;
        cl[8] = 1;
        dyn_header(w, true, 257, 1, cl);
        for (unsigned i = 0; i < 257; ++i) w.code(i < 256 ? 1 : 0, 1);  // 256 codes of 8 bits, no EOB
        w.code(1, 1);
        w.put(0, 16);
        expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "no EOB");
    }
    // Repeat-previous (16) as the first length.
    {
        Bits w;
        uint8_t cl[19] = {};
        cl[16] = 1;
        cl[8] = 1;
        dyn_header(w, true, 257, 1, cl);
        w.code(1, 1);  // symbol 16 (codes: 8 -> 0, 16 -> 1)
        w.put(0, 2);
        w.put(0, 16);
        expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "repeat first");
    }
    // Repeat running past HLIT + HDIST.
    {
        Bits w;
        uint8_t cl[19] = {};
        cl[18] = 1;
        cl[8] = 1;
        dyn_header(w, true, 257, 1, cl);
        for (int i = 0; i < 3; ++i) {
            w.code(1, 1);      // 18
            w.put(127, 7);     // 138 zeros
        }
        w.put(0, 16);
        expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "repeat overflow");
    }
    // HLIT > 286.
    {
        Bits w;
        w.put(1, 1);
        w.put(2, 2);
        w.put(30, 5);
        w.put(0, 5);
        w.put(0, 4);
        w.put(0, 16);
        expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "hlit 287");
    }
    // Fixed block using literal/length code 286 and distance code 30.
    {
        Bits w;
        w.put(1, 1);
        w.put(1, 2);
        fixed_lit(w, 286);
        w.put(0, 16);
        expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "litlen 286");
        Bits v;
        v.put(1, 1);
        v.put(1, 2);
        fixed_lit(v, 'a');
        fixed_lit(v, 257);
        v.code(30, 5);
        v.put(0, 16);
        expect_corrupt(v.b, CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "dist 30");
    }
}

TEST(Corrupt, DistanceTooFarBack) {
    {  // Match before the output start.
        Bits w;
        w.put(1, 1);
        w.put(1, 2);
        fixed_lit(w, 257);  // length 3
        w.code(0, 5);       // distance 1
        fixed_lit(w, 256);
        expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_DISTANCE, "dist 1 at start");
    }
    {  // One literal, then distance 2.
        Bits w;
        w.put(1, 1);
        w.put(1, 2);
        fixed_lit(w, 'a');
        fixed_lit(w, 257);
        w.code(1, 5);  // distance 2
        fixed_lit(w, 256);
        expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_DISTANCE, "dist 2 after 1 byte");
    }
    {  // 1000 literals then distance 32768 (code 29 + 8191): too far.
        Bits w;
        w.put(1, 1);
        w.put(1, 2);
        for (int i = 0; i < 1000; ++i) fixed_lit(w, 'a' + i % 26);
        fixed_lit(w, 257);
        w.code(29, 5);
        w.put(8191, 13);
        fixed_lit(w, 256);
        expect_corrupt(w.b, CCE_CF_FMT_RAW, CCE_CORRUPT_DISTANCE, "dist 32768 after 1000");
    }
    {  // Valid: distance exactly equal to the output so far.
        Bits w;
        w.put(1, 1);
        w.put(1, 2);
        fixed_lit(w, 'x');
        fixed_lit(w, 'y');
        fixed_lit(w, 258);  // length 4
        w.code(1, 5);       // distance 2
        fixed_lit(w, 256);
        Bytes o;
        auto r = our_decompress(w.b, CCE_CF_FMT_RAW, o, 16);
        ASSERT_EQ(r.status, CCE_ST_SUCCESS);
        EXPECT_EQ(o, (Bytes{'x', 'y', 'x', 'y', 'x', 'y'}));
    }
}

TEST(Corrupt, BadChecksums) {
    Bytes d = make_data(Kind::Text, 5000, 2);
    for (unsigned f : {CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP}) {
        Bytes c = our_compress(d, f, 6);
        size_t tl = f == CCE_CF_FMT_ZLIB ? 4 : 8;
        for (size_t i = c.size() - tl; i < c.size(); ++i) {
            Bytes b = c;
            b[i] ^= 0x10;
            expect_corrupt(b, f, CCE_CORRUPT_CHECKSUM, "trailer");
        }
    }
}

TEST(Corrupt, BadHeaders) {
    Bytes d = make_data(Kind::Text, 500, 3);
    Bytes z = our_compress(d, CCE_CF_FMT_ZLIB, 6);
    auto zlib_hdr = [&](uint8_t cmf, uint8_t flg) {
        Bytes b = z;
        b[0] = cmf;
        b[1] = flg;
        return b;
    };
    auto fcheck = [](uint8_t cmf, uint8_t flg) {
        return static_cast<uint8_t>(flg + (31 - ((cmf * 256 + flg) % 31)) % 31);
    };
    expect_corrupt(zlib_hdr(0x77, fcheck(0x77, 0x80)), CCE_CF_FMT_ZLIB, CCE_CORRUPT_HEADER, "CM 7");
    expect_corrupt(zlib_hdr(0x88, fcheck(0x88, 0x80)), CCE_CF_FMT_ZLIB, CCE_CORRUPT_HEADER, "CINFO 8");
    expect_corrupt(zlib_hdr(0x78, static_cast<uint8_t>(fcheck(0x78, 0x80) + 1)), CCE_CF_FMT_ZLIB,
                   CCE_CORRUPT_HEADER, "FCHECK");
    expect_corrupt(zlib_hdr(0x78, fcheck(0x78, 0xa0)), CCE_CF_FMT_ZLIB, CCE_CORRUPT_HEADER, "FDICT");
    // All valid CINFO values are accepted.
    for (uint8_t ci = 0; ci <= 7; ++ci) {
        uint8_t cmf = static_cast<uint8_t>((ci << 4) | 8);
        Bytes o;
        auto r = our_decompress(zlib_hdr(cmf, fcheck(cmf, 0x80)), CCE_CF_FMT_ZLIB, o, d.size());
        EXPECT_EQ(r.status, CCE_ST_SUCCESS) << int(ci);
    }
    Bytes g = our_compress(d, CCE_CF_FMT_GZIP, 6);
    for (auto [pos, val, what] : {std::tuple<size_t, uint8_t, const char*>{0, 0x1e, "ID1"},
                                  {1, 0x8a, "ID2"},
                                  {2, 7, "CM"},
                                  {3, 0x20, "reserved FLG"},
                                  {3, 0x80, "reserved FLG 7"}}) {
        Bytes b = g;
        b[pos] = val;
        expect_corrupt(b, CCE_CF_FMT_GZIP, CCE_CORRUPT_HEADER, what);
    }
    // A zlib stream given as gzip and vice versa.
    expect_corrupt(z, CCE_CF_FMT_GZIP, CCE_CORRUPT_HEADER, "zlib as gzip");
    expect_corrupt(g, CCE_CF_FMT_ZLIB, CCE_CORRUPT_HEADER, "gzip as zlib");
}

TEST(Corrupt, TrailingData) {
    Bytes d = make_data(Kind::Text, 2000, 4);
    for (unsigned f : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP}) {
        Bytes c = our_compress(d, f, 6);
        c.push_back(0);
        auto r = decode_guarded(c, f, d.size());
        EXPECT_EQ(r.status, CCE_ST_CORRUPT_INPUT);
        EXPECT_EQ(r.detail, CCE_CORRUPT_TRAILING);
        EXPECT_TRUE(r.stream_end);
        EXPECT_EQ(r.produced, d.size());
        EXPECT_EQ(r.consumed, c.size() - 1);
        // Two concatenated streams.
        Bytes two = our_compress(d, f, 6);
        Bytes c2 = two;
        c2.insert(c2.end(), two.begin(), two.end());
        r = decode_guarded(c2, f, 2 * d.size());
        EXPECT_EQ(r.status, CCE_ST_CORRUPT_INPUT);
        EXPECT_EQ(r.detail, CCE_CORRUPT_TRAILING);
        EXPECT_EQ(r.consumed, two.size());
    }
}

TEST(Corrupt, OutputTooSmallNeverOverruns) {
    Bytes d = make_data(Kind::Mixed, 20000, 5);
    for (unsigned f : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP})
        for (unsigned level : {1u, 9u}) {
            Bytes c = our_compress(d, f, level);
            for (size_t cap = 0; cap < d.size(); cap += 1 + cap / 3) {
                GuardedBuffer g(cap);
                auto r = dfl::decompress(c.data(), c.size(), g.data(), cap, f);
                ASSERT_EQ(r.status, CCE_ST_OUTPUT_TOO_SMALL) << cap;
                EXPECT_LE(r.produced, cap);
                EXPECT_EQ(0, memcmp(g.data(), d.data(), r.produced));
                if (f == CCE_CF_FMT_GZIP) {
                    EXPECT_EQ(r.detail, d.size());
                }
            }
        }
}

TEST(Corrupt, RandomBitFlipsAreSafe) {
    std::mt19937 rng(6);
    Bytes d = make_data(Kind::Mixed, 20000, 6);
    for (unsigned f : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP}) {
        Bytes c = our_compress(d, f, 6);
        GuardedBuffer g(d.size() + 100);
        for (int i = 0; i < 1500; ++i) {
            Bytes b = c;
            int flips = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < flips; ++k) b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
            size_t cap = rng() % 2 ? g.size() : rng() % g.size();
            auto r = dfl::decompress(b.data(), b.size(), g.data() + (g.size() - cap), cap, f);
            ASSERT_LE(r.produced, cap);
            ASSERT_LE(r.consumed, b.size());
            ASSERT_TRUE(r.status == CCE_ST_SUCCESS || r.status == CCE_ST_CORRUPT_INPUT ||
                        r.status == CCE_ST_OUTPUT_TOO_SMALL);
            if (r.status == CCE_ST_CORRUPT_INPUT) {
                ASSERT_GE(r.detail, 1u);
                ASSERT_LE(r.detail, 8u);
            }
        }
    }
}

TEST(Corrupt, IncompleteCodesFollowZlib) {
    // Literal/length code {'a': 1 bit, EOB: 1 bit}; distance code either a
    // single 1-bit code (accepted, as zlib does) or two 2-bit codes
    // (incomplete: rejected, as zlib does).
    auto block = [](const std::vector<uint8_t>& dist_lens) {
        Bits w;
        uint8_t cl[19] = {};
        cl[0] = cl[1] = cl[2] = cl[18] = 2;  // codes 00, 01, 10, 11
        w.put(1, 1);
        w.put(2, 2);
        w.put(0, 5);                                        // HLIT 257
        w.put(static_cast<uint32_t>(dist_lens.size() - 1), 5);  // HDIST
        w.put(19 - 4, 4);
        static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
        for (unsigned i = 0; i < 19; ++i) w.put(cl[order[i]], 3);
        auto zeros = [&](unsigned n) {  // n >= 11
            while (n) {
                unsigned r = std::min(n, 138u);
                if (n - r != 0 && n - r < 11) r = n - 11;
                w.code(3, 2);
                w.put(r - 11, 7);
                n -= r;
            }
        };
        zeros(97);
        w.code(1, 2);  // 'a' length 1
        zeros(158);
        w.code(1, 2);  // EOB length 1
        for (uint8_t l : dist_lens) w.code(l == 1 ? 1 : 2, 2);
        w.code(0, 1);  // 'a'
        w.code(1, 1);  // EOB
        return w.b;
    };
    Bytes ok = block({1});
    Bytes o;
    auto r = our_decompress(ok, CCE_CF_FMT_RAW, o, 16);
    ASSERT_EQ(r.status, CCE_ST_SUCCESS) << r.detail;
    EXPECT_EQ(o, Bytes{'a'});
    Bytes z;
    EXPECT_TRUE(zlib_inflate(ok, CCE_CF_FMT_RAW, 15, z, nullptr));
    EXPECT_EQ(z, Bytes{'a'});
    Bytes bad = block({2, 2});
    expect_corrupt(bad, CCE_CF_FMT_RAW, CCE_CORRUPT_HUFFMAN, "incomplete distance code");
    EXPECT_FALSE(zlib_inflate(bad, CCE_CF_FMT_RAW, 15, z, nullptr));
}
