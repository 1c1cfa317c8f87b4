// SPDX-License-Identifier: MIT
// cce_lz77 against the reference level-1 match finder. The reference does
// not expose its token sequence, so the test recovers it from the
// reference's own output: deflate::compress(raw, level 1) is parsed by a
// small token-level inflater (Huffman blocks code every literal and
// (length, distance) pair exactly; jobs where the encoder chose a stored
// block are not comparable and are counted, and must stay rare). The RTL
// tokens are also replayed and must rebuild the input.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "cce/datapath/deflate.h"
#include "cce/rtl/cores.h"

namespace df = cce::datapath::deflate;
using cce::rtl::Lz77Token;
using cce::rtl::RunStats;

namespace {

class Bits {
public:
    Bits(const uint8_t* p, size_t n) : p_(p), n_(n) {}
    unsigned get(unsigned k) {
        unsigned v = 0;
        for (unsigned i = 0; i < k; ++i) {
            if (pos_ / 8 >= n_) throw std::runtime_error("deflate stream truncated");
            v |= ((p_[pos_ / 8] >> (pos_ % 8)) & 1u) << i;
            ++pos_;
        }
        return v;
    }
    void align() { pos_ = (pos_ + 7) & ~size_t{7}; }

private:
    const uint8_t* p_;
    size_t n_;
    size_t pos_ = 0;
};

struct Huff {
    uint16_t count[16] = {};
    std::vector<uint16_t> sym;
    explicit Huff(const uint8_t* len, unsigned n) {
        for (unsigned s = 0; s < n; ++s) count[len[s]]++;
        count[0] = 0;
        uint16_t offs[16] = {};
        for (int l = 1; l < 16; ++l) offs[l] = static_cast<uint16_t>(offs[l - 1] + count[l - 1]);
        sym.resize(n);
        for (unsigned s = 0; s < n; ++s)
            if (len[s]) sym[offs[len[s]]++] = static_cast<uint16_t>(s);
    }
    unsigned decode(Bits& b) const {
        int code = 0, first = 0, index = 0;
        for (int l = 1; l < 16; ++l) {
            code |= static_cast<int>(b.get(1));
            const int c = count[l];
            if (code - c < first) return sym[static_cast<size_t>(index + (code - first))];
            index += c;
            first = (first + c) << 1;
            code <<= 1;
        }
        throw std::runtime_error("bad huffman code");
    }
};

const uint16_t kLenBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                               31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
const uint8_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                               2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
const uint16_t kDistBase[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,
                                33,  49,  65,  97,  129, 193,  257,  385,  513,  769,
                                1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
const uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// Tokens of a raw deflate stream; false if a stored block was seen.
bool deflate_tokens(const uint8_t* p, size_t n, std::vector<Lz77Token>& out) {
    Bits b(p, n);
    bool last = false, comparable = true;
    while (!last) {
        last = b.get(1);
        const unsigned type = b.get(2);
        if (type == 0) {
            b.align();
            const unsigned len = b.get(16);
            b.get(16);
            for (unsigned i = 0; i < len; ++i) b.get(8);
            comparable = false;
            continue;
        }
        if (type == 3) throw std::runtime_error("bad block type");
        uint8_t lens[320] = {};
        unsigned hlit = 288, hdist = 30;
        if (type == 1) {
            for (unsigned s = 0; s < 288; ++s) lens[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
            for (unsigned s = 0; s < 30; ++s) lens[288 + s] = 5;
        } else {
            hlit = b.get(5) + 257;
            hdist = b.get(5) + 1;
            const unsigned hclen = b.get(4) + 4;
            static const uint8_t kOrd[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
                                             11, 4,  12, 3, 13, 2, 14, 1, 15};
            uint8_t cl[19] = {};
            for (unsigned i = 0; i < hclen; ++i) cl[kOrd[i]] = static_cast<uint8_t>(b.get(3));
            Huff clh(cl, 19);
            uint8_t all[320] = {};
            for (unsigned i = 0; i < hlit + hdist;) {
                unsigned s = clh.decode(b);
                if (s < 16) {
                    all[i++] = static_cast<uint8_t>(s);
                } else {
                    unsigned rep = s == 16 ? 3 + b.get(2) : s == 17 ? 3 + b.get(3) : 11 + b.get(7);
                    uint8_t v = s == 16 ? all[i - 1] : 0;
                    while (rep--) all[i++] = v;
                }
            }
            std::memcpy(lens, all, hlit);
            std::memcpy(lens + 288, all + hlit, hdist);
        }
        Huff ll(lens, hlit), dh(lens + 288, hdist);
        for (;;) {
            unsigned s = ll.decode(b);
            if (s < 256) {
                out.push_back({0, static_cast<uint16_t>(s)});
            } else if (s == 256) {
                break;
            } else {
                s -= 257;
                unsigned len = kLenBase[s] + b.get(kLenExtra[s]);
                unsigned d = dh.decode(b);
                unsigned dist = kDistBase[d] + b.get(kDistExtra[d]);
                out.push_back({static_cast<uint16_t>(dist), static_cast<uint16_t>(len)});
            }
        }
    }
    return comparable;
}

std::vector<uint8_t> replay(const std::vector<Lz77Token>& t) {
    std::vector<uint8_t> o;
    for (const auto& k : t) {
        if (!k.dist) {
            o.push_back(static_cast<uint8_t>(k.lit_or_len));
        } else {
            if (k.dist > o.size()) throw std::runtime_error("distance before start");
            const size_t from = o.size() - k.dist;
            for (unsigned i = 0; i < k.lit_or_len; ++i) o.push_back(o[from + i]);
        }
    }
    return o;
}

// Compressible test data: small alphabets, runs, copies of earlier text
// (near and far), some random stretches.
std::vector<uint8_t> gen(std::mt19937_64& rng, size_t n) {
    std::vector<uint8_t> v;
    v.reserve(n);
    const unsigned alpha = 2 + static_cast<unsigned>(rng() % 20);
    while (v.size() < n) {
        const unsigned mode = static_cast<unsigned>(rng() % 10);
        size_t k = 1 + rng() % 40;
        if (mode < 4 || v.size() < 8) {
            while (k-- && v.size() < n) v.push_back(static_cast<uint8_t>('a' + rng() % alpha));
        } else if (mode < 8) {
            size_t span = std::min<size_t>(v.size(), mode < 6 ? 64 : 40000);
            size_t from = v.size() - 1 - rng() % span;
            size_t len = 3 + rng() % (mode == 7 ? 300 : 20);
            for (size_t i = 0; i < len && v.size() < n; ++i) v.push_back(v[from + i]);
        } else if (mode == 8) {
            uint8_t c = static_cast<uint8_t>(rng());
            k = rng() % 300;
            while (k-- && v.size() < n) v.push_back(c);
        } else {
            k = rng() % 6;
            while (k-- && v.size() < n) v.push_back(static_cast<uint8_t>(rng()));
        }
    }
    return v;
}

void check_job(cce::rtl::Lz77Core& core, const std::vector<uint8_t>& in, unsigned wbits,
               RunStats& st, int& compared, int& skipped, const char* what) {
    std::vector<Lz77Token> rtl;
    ASSERT_TRUE(core.run(in.data(), in.size(), wbits, rtl, st));
    ASSERT_EQ(replay(rtl), in) << what << ": RTL tokens do not rebuild the input, len "
                               << in.size();
    std::vector<uint8_t> z(df::compress_bound(in.size(), CCE_CF_FMT_RAW));
    auto r = df::compress(in.data(), in.size(), z.data(), z.size(), CCE_CF_FMT_RAW, 1, wbits);
    ASSERT_EQ(r.status, CCE_ST_SUCCESS);
    std::vector<Lz77Token> ref;
    if (!deflate_tokens(z.data(), r.produced, ref)) {
        ++skipped;
        return;
    }
    ++compared;
    for (size_t i = 0; i < std::min(ref.size(), rtl.size()); ++i)
        ASSERT_EQ(ref[i], rtl[i]) << what << ": token " << i << " of " << ref.size() << " (ref "
                                  << ref[i].dist << "/" << ref[i].lit_or_len << ", rtl "
                                  << rtl[i].dist << "/" << rtl[i].lit_or_len << "), len "
                                  << in.size() << " wbits " << wbits;
    ASSERT_EQ(ref.size(), rtl.size()) << what << ": token count, len " << in.size() << " wbits "
                                      << wbits;
}

}  // namespace

TEST(RtlLz77, MatchesReferenceLevel1) {
    std::mt19937_64 rng(41);
    cce::rtl::Lz77Core core;
    RunStats st;
    int compared = 0, skipped = 0;
    static const size_t kEdge[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 258, 259, 262};
    for (int j = 0; j < 10000; ++j) {
        size_t len;
        if (j % 2500 == 2499)
            len = 200000 + rng() % 100000;  // hb 15, far matches, ring wrap
        else if (j % 100 == 99)
            len = 1000 + rng() % 40000;    // every hash size
        else if (rng() % 4 == 0)
            len = kEdge[rng() % std::size(kEdge)];
        else
            len = rng() % 400;
        const unsigned wbits = rng() % 3 == 0 ? 9 + static_cast<unsigned>(rng() % 7) : 15;
        auto in = gen(rng, len);
        check_job(core, in, wbits, st, compared, skipped, "random");
        if (HasFatalFailure()) return;
    }
    EXPECT_GE(compared, 9500) << "too many stored-block jobs: " << skipped;
    RecordProperty("compared", compared);
    std::printf("compared %d jobs token by token, %d not comparable (stored block), %llu cycles\n",
                compared, skipped, static_cast<unsigned long long>(st.cycles));
}

TEST(RtlLz77, Edges) {
    cce::rtl::Lz77Core core;
    RunStats st;
    int compared = 0, skipped = 0;
    // Long runs (max-length matches, position 0 in every bucket), a window
    // that is exceeded, the head table initial zeros.
    std::vector<uint8_t> zeros(70000, 0);
    check_job(core, zeros, 15, st, compared, skipped, "zeros");
    check_job(core, zeros, 9, st, compared, skipped, "zeros w9");
    std::vector<uint8_t> period(100000);
    for (size_t i = 0; i < period.size(); ++i) period[i] = static_cast<uint8_t>("abcdefgh"[i % 8] + (i / 33000));
    check_job(core, period, 15, st, compared, skipped, "period");
    std::vector<uint8_t> far(80000);
    std::mt19937_64 rng(5);
    for (size_t i = 0; i < 20000; ++i) far[i] = static_cast<uint8_t>('a' + rng() % 3);
    for (size_t i = 20000; i < far.size(); ++i) far[i] = far[i - 20000 + (i % 7 == 0)];
    check_job(core, far, 15, st, compared, skipped, "far");
    check_job(core, far, 14, st, compared, skipped, "far w14");
    EXPECT_EQ(skipped, 0);
    std::vector<Lz77Token> t;
    EXPECT_FALSE(core.run(zeros.data(), 10, 8, t, st));
    EXPECT_FALSE(core.run(nullptr, 10, 15, t, st));
    EXPECT_TRUE(t.empty());
}
