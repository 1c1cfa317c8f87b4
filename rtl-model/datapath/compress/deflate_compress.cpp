// SPDX-License-Identifier: MIT
// Deflate encoder: hash-chain LZ77 match finder + per-block choice of stored,
// fixed or dynamic Huffman coding by exact bit cost.
//
// Hardware picture: the match finder is a head table indexed by a hash of
// the next 4 bytes plus a chain RAM (one entry per window position) that
// links positions with the same hash; a level selects how many chain entries
// are compared per position (the number of comparator cycles), when to stop
// early and whether a one- or two-position lazy evaluation is done. Matched
// sequences go to a sequence buffer with symbol histograms; at the end of a
// block the Huffman unit builds length-limited codes and the cost unit picks
// the cheapest block type before the bit packer emits it.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "cce/datapath/crc.h"
#include "cce/datapath/deflate.h"
#include "deflate_common.h"

namespace cce::datapath::deflate {
using namespace detail;

namespace {

// ---- level table ----------------------------------------------------------
struct LevelParams {
    uint16_t max_chain;   // chain entries compared per position
    uint16_t nice_len;    // stop searching once a match this long is found
    uint16_t good_len;    // lazy: quarter the chain when current match >= this
    uint8_t lazy;         // 0 greedy, 1 lazy (1 position), 2 lazy2 (2 positions)
    uint16_t max_insert;  // greedy: matches longer than this are not hashed inside
};

constexpr LevelParams kLevels[10] = {
    {0, 0, 0, 0, 0},           // unused (0 maps to default)
    {1, 32, 0, 0, 16},         // 1: one head-table probe, no chain, greedy
    {4, 32, 0, 0, 32},         // 2: greedy
    {8, 48, 0, 0, 258},        // 3: greedy
    {12, 64, 8, 1, 258},       // 4: lazy from here
    {24, 96, 8, 1, 258},       // 5
    {48, 128, 16, 1, 258},     // 6 (default)
    {96, 160, 32, 2, 258},     // 7: lazy2 from here
    {256, 258, 64, 2, 258},    // 8
    {600, 258, 258, 2, 258},   // 9: best
};

constexpr unsigned kMaxSeqPerBlock = 1u << 15;
// Block splitting: every kSplitStride sequences the statistics of the part
// since the last checkpoint are compared with the block so far; if coding
// them as two blocks is estimated (order-0 entropy) to save more than
// kSplitPenaltyBits (a dynamic header), the block ends at the checkpoint.
constexpr unsigned kSplitStride = 4096;
constexpr double kSplitPenaltyBits = 600.0;   // sequence buffer entries
constexpr size_t kMaxBlockBytes = 1u << 18;       // input bytes per block

// ---- symbol tables ---------------------------------------------------------
struct SymTables {
    uint16_t len_sym[kMaxMatch + 1];   // length -> 257..285 (index 0..28)
    uint8_t dist_sym_lo[512];          // dist-1 < 256 -> code; else (dist-1)>>7
    SymTables() {
        for (unsigned s = 0; s < 29; ++s) {
            unsigned n = 1u << kLenExtra[s];
            for (unsigned l = kLenBase[s]; l < kLenBase[s] + n && l <= kMaxMatch; ++l)
                len_sym[l] = static_cast<uint16_t>(s);
        }
        len_sym[258] = 28;
        for (unsigned s = 0; s < 30; ++s) {
            unsigned n = 1u << kDistExtra[s];
            for (unsigned d = kDistBase[s]; d < kDistBase[s] + n; ++d) {
                unsigned v = d - 1;
                if (v < 256) dist_sym_lo[v] = static_cast<uint8_t>(s);
                else dist_sym_lo[256 + (v >> 7)] = static_cast<uint8_t>(s);
            }
        }
    }
    unsigned dist_sym(unsigned dist) const {
        unsigned v = dist - 1;
        return v < 256 ? dist_sym_lo[v] : dist_sym_lo[256 + (v >> 7)];
    }
};
const SymTables kSym;

// ---- Huffman code construction ---------------------------------------------
// Length-limited Huffman lengths for freq[0..n). Symbols with freq 0 get 0.
// The caller guarantees at least two symbols with nonzero frequency. The
// result is always a complete prefix code.
void build_lengths(const uint32_t* freq, unsigned n, unsigned limit, uint8_t* lens) {
    uint16_t syms[kNumLitLen];
    unsigned cnt = 0;
    for (unsigned i = 0; i < n; ++i) {
        lens[i] = 0;
        if (freq[i]) syms[cnt++] = static_cast<uint16_t>(i);
    }
    std::sort(syms, syms + cnt, [&](uint16_t a, uint16_t b) {
        return freq[a] != freq[b] ? freq[a] < freq[b] : a < b;
    });
    if (cnt < 2) {  // callers avoid this; keep it defined anyway
        if (cnt) lens[syms[0]] = 1;
        return;
    }
    // Two-queue Huffman: leaves in ascending order, internal nodes are made
    // in nondecreasing weight order. Node ids: leaves 0..cnt-1, internal
    // cnt..2cnt-2.
    uint64_t weight[2 * kNumLitLen];
    uint16_t parent[2 * kNumLitLen];
    for (unsigned i = 0; i < cnt; ++i) weight[i] = freq[syms[i]];
    unsigned leaf = 0, inode = cnt, next = cnt;
    auto take = [&]() -> unsigned {
        if (leaf < cnt && (inode >= next || weight[leaf] <= weight[inode])) return leaf++;
        return inode++;
    };
    for (unsigned k = 0; k + 1 < cnt; ++k) {
        unsigned a = take();
        unsigned b = take();
        weight[next] = weight[a] + weight[b];
        parent[a] = parent[b] = static_cast<uint16_t>(next);
        ++next;
    }
    // Depths: root is next-1 with depth 0.
    uint8_t depth[2 * kNumLitLen];
    const unsigned root = 2 * cnt - 2;
    if (root >= 2 * kNumLitLen) return;
    depth[root] = 0;
    for (unsigned i = root; i-- > 0;) {
        unsigned d = depth[parent[i]] + 1u;
        depth[i] = static_cast<uint8_t>(d > 63 ? 63 : d);
    }
    unsigned bl_count[64] = {};
    for (unsigned i = 0; i < cnt; ++i) bl_count[depth[i]]++;
    // Clamp to the limit, then restore the Kraft equality.
    for (unsigned d = limit + 1; d < 64; ++d) {
        bl_count[limit] += bl_count[d];
        bl_count[d] = 0;
    }
    uint64_t full = 1ull << limit, total = 0;
    for (unsigned d = 1; d <= limit; ++d) total += static_cast<uint64_t>(bl_count[d]) << (limit - d);
    while (total > full) {  // over-subscribed: push a leaf one level deeper
        unsigned d = limit - 1;
        while (d > 0 && bl_count[d] == 0) --d;
        bl_count[d]--;
        bl_count[d + 1]++;
        total -= 1ull << (limit - d - 1);
    }
    while (total < full) {  // incomplete: pull a leaf one level up
        uint64_t deficit = full - total;
        unsigned d = limit;
        while (d > 1 && (bl_count[d] == 0 || (1ull << (limit - d)) > deficit)) --d;
        bl_count[d]--;
        bl_count[d - 1]++;
        total += 1ull << (limit - d);
    }
    // Longest codes to the least frequent symbols.
    unsigned idx = 0;
    for (unsigned d = limit; d >= 1; --d)
        for (unsigned k = 0; k < bl_count[d]; ++k) lens[syms[idx++]] = static_cast<uint8_t>(d);
}

// Canonical codes, bit-reversed for LSB-first output.
void build_codes(const uint8_t* lens, unsigned n, uint16_t* codes) {
    unsigned bl_count[kMaxCodeBits + 1] = {};
    for (unsigned i = 0; i < n; ++i) bl_count[lens[i]]++;
    bl_count[0] = 0;
    unsigned next[kMaxCodeBits + 2];
    unsigned code = 0;
    for (unsigned b = 1; b <= kMaxCodeBits; ++b) {
        code = (code + bl_count[b - 1]) << 1;
        next[b] = code;
    }
    for (unsigned i = 0; i < n; ++i)
        if (lens[i]) codes[i] = static_cast<uint16_t>(reverse_bits(next[lens[i]]++, lens[i]));
        else codes[i] = 0;
}

struct FixedCodes {
    uint8_t ll_len[kNumLitLen];
    uint16_t ll_code[kNumLitLen];
    uint8_t d_len[kNumDist];
    uint16_t d_code[kNumDist];
    FixedCodes() {
        fixed_litlen_lengths(ll_len);
        build_codes(ll_len, kNumLitLen, ll_code);
        for (auto& l : d_len) l = 5;
        build_codes(d_len, kNumDist, d_code);
    }
};
const FixedCodes kFixed;

// ---- bit packer --------------------------------------------------------------
// 64-bit accumulator; whole bytes are stored 8 at a time while there is room,
// then byte by byte. Bytes beyond the capacity are counted, not stored, so
// the exact size needed is known when the output does not fit.
struct BitWriter {
    uint8_t* out;
    size_t cap;
    size_t pos = 0;  // logical bytes emitted
    uint64_t bb = 0;
    unsigned bc = 0;

    void put(uint64_t bits, unsigned n) {  // bc + n <= 64
        bb |= bits << bc;
        bc += n;
    }
    void flush() {  // leaves bc < 8
        if (pos + 8 <= cap) {
            store64(out + pos, bb);
            unsigned nb = bc >> 3;
            pos += nb;
            bb = nb == 8 ? 0 : bb >> (nb * 8);
            bc &= 7;
            return;
        }
        while (bc >= 8) {
            if (pos < cap) out[pos] = static_cast<uint8_t>(bb);
            ++pos;
            bb >>= 8;
            bc -= 8;
        }
    }
    void align() {  // pad to a byte boundary with zero bits
        flush();
        if (bc) {
            bc = 8;
            flush();
        }
    }
    void raw(const uint8_t* p, size_t n) {  // requires bc == 0
        if (pos < cap) std::memcpy(out + pos, p, std::min(n, cap - pos));
        pos += n;
    }
};

// ---- the compressor ------------------------------------------------------------
struct Seq {
    uint16_t dist;  // 0 = literal
    uint16_t lit_or_len;
};

struct StreamState {
    unsigned format = CCE_CF_FMT_RAW;
    unsigned level = kDefaultLevel;
    unsigned wbits = 15;
    bool open = false;  // first seen, last not yet done
    uint64_t bitbuf = 0;
    unsigned bitcnt = 0;
    uint32_t checksum = 0;
    uint64_t total_in = 0;
};

class Encoder {
public:
    // Compress base[start..end) (base[0..start) is history already sent) as
    // blocks appended to w. final: the last block gets BFINAL.
    void run(const uint8_t* base, size_t start, size_t end, unsigned level, unsigned wbits,
             bool final, BitWriter& w);
    // Use these tokens (an external match finder's, e.g. the RTL LZ77 core)
    // instead of the built-in level-1 search for the next run(); they must
    // cover [start, end) exactly (checked by the caller).
    void set_tokens(const Token* tok, size_t n) {
        ext_tok_ = tok;
        ext_ntok_ = n;
    }

private:
    const Token* ext_tok_ = nullptr;
    size_t ext_ntok_ = 0;
    void setup(size_t span, unsigned wbits);
    void insert_hist(const uint8_t* base, size_t start, size_t end);
    void emit_block(const uint8_t* base, size_t bstart, size_t bend, unsigned nseq, bool final, BitWriter& w);

    unsigned hash_bits_ = 0;
    uint32_t wmask_ = 0;
    std::vector<uint32_t> head_;
    std::vector<uint32_t> prev_;
    std::vector<Seq> seq_;
    unsigned nseq_ = 0;
    uint32_t ll_freq_[kNumLitLen];
    uint32_t d_freq_[kNumDist];
    uint32_t cp_ll_[kNumLitLen];
    uint32_t cp_d_[kNumDist];
};

double entropy_bits(const uint32_t* f, unsigned n) {
    uint64_t t = 0;
    for (unsigned i = 0; i < n; ++i) t += f[i];
    if (!t) return 0;
    double lt = std::log2(static_cast<double>(t)), bits = 0;
    for (unsigned i = 0; i < n; ++i)
        if (f[i]) bits += static_cast<double>(f[i]) * (lt - std::log2(static_cast<double>(f[i])));
    return bits;
}

inline uint32_t hash4(const uint8_t* p, unsigned bits) {
    return (load32(p) * 0x9E3779B1u) >> (32 - bits);
}

// Length of the common prefix of a and b, at most max.
inline unsigned match_len(const uint8_t* a, const uint8_t* b, unsigned max) {
    unsigned n = 0;
    while (n + 8 <= max) {
        uint64_t x = load64(a + n) ^ load64(b + n);
        if (x) return n + (static_cast<unsigned>(__builtin_ctzll(x)) >> 3);
        n += 8;
    }
    while (n < max && a[n] == b[n]) ++n;
    return n;
}

void Encoder::setup(size_t span, unsigned wbits) {
    unsigned hb = 10;
    while (hb < 15 && (1ull << hb) < span) ++hb;
    hash_bits_ = hb;
    wmask_ = (1u << wbits) - 1;
    if (head_.size() < (1u << hb)) head_.resize(1u << hb);
    std::fill(head_.begin(), head_.begin() + (1u << hb), 0u);
    // Chain RAM: indexed by position & wmask, so min(window, span) entries do.
    size_t need_prev = std::min<size_t>(size_t{1} << wbits, span);
    if (prev_.size() < need_prev) prev_.resize(need_prev);
    size_t need_seq = std::min<size_t>(kMaxSeqPerBlock, span + 8);
    if (seq_.size() < need_seq) seq_.resize(need_seq);
}

void Encoder::insert_hist(const uint8_t* base, size_t start, size_t end) {
    // Rebuild the chains for the history window (after a context restore).
    // Only the most recent max(8 KiB, 4 x chunk) bytes are re-hashed, which
    // bounds the per-descriptor restore cost for small chunks; matches into
    // older history are then not found (a small ratio loss, never an error).
    size_t chunk = end - start;
    size_t rehash = std::max<size_t>(8192, chunk * 4);
    size_t p0 = start > rehash ? start - rehash : 0;
    for (size_t p = p0; p < start && p + 4 <= end; ++p) {
        uint32_t h = hash4(base + p, hash_bits_);
        prev_[p & wmask_] = head_[h];
        head_[h] = static_cast<uint32_t>(p);
    }
}

void Encoder::run(const uint8_t* base, size_t start, size_t end, unsigned level, unsigned wbits,
                  bool final, BitWriter& w) {
    const LevelParams& lp = kLevels[level];
    setup(end, wbits);
    if (start) insert_hist(base, start, end);
    const uint32_t max_dist = (1u << wbits) - 1;
    const unsigned hb = hash_bits_;
    uint32_t* head = head_.data();
    uint32_t* prev = prev_.data();
    const uint32_t wmask = wmask_;

    size_t pos = start;
    size_t bstart = start;
    nseq_ = 0;
    std::memset(ll_freq_, 0, sizeof ll_freq_);
    std::memset(d_freq_, 0, sizeof d_freq_);
    Seq* seq = seq_.data();

    if (end == start) {
        if (final) emit_block(base, start, end, 0, true, w);
        return;
    }

    auto insert = [&](size_t p) -> uint32_t {
        uint32_t h = hash4(base + p, hb);
        uint32_t c = head[h];
        head[h] = static_cast<uint32_t>(p);
        prev[p & wmask] = c;
        return c;
    };
    // Search the chain starting at cand for the longest match at p.
    auto search = [&](size_t p, uint32_t cand, unsigned chain, unsigned prev_best,
                      unsigned& best_dist) -> unsigned {
        unsigned max = static_cast<unsigned>(std::min<size_t>(kMaxMatch, end - p));
        unsigned best = prev_best;
        const uint8_t* cur = base + p;
        unsigned nice = std::min<unsigned>(lp.nice_len, max);
        while (chain--) {
            uint32_t dist = static_cast<uint32_t>(p) - cand;
            if (dist - 1 >= max_dist) break;  // cand >= p or too far back
            const uint8_t* m = base + cand;
            if (best < 4 ? load32(m) == load32(cur)
                         : (best < max && m[best] == cur[best] && load32(m) == load32(cur))) {
                unsigned l = match_len(m, cur, max);
                if (l > best) {
                    best = l;
                    best_dist = dist;
                    if (l >= nice) break;
                }
            }
            uint32_t nc = prev[cand & wmask];
            if (nc >= cand) break;
            cand = nc;
        }
        return best;
    };
    auto put_lit = [&](unsigned c) {
        seq[nseq_++] = Seq{0, static_cast<uint16_t>(c)};
        ll_freq_[c]++;
    };
    auto put_match = [&](unsigned len, unsigned dist) {
        seq[nseq_++] = Seq{static_cast<uint16_t>(dist), static_cast<uint16_t>(len)};
        ll_freq_[257 + kSym.len_sym[len]]++;
        d_freq_[kSym.dist_sym(dist)]++;
    };
    unsigned cp_seq = 0;
    size_t cp_pos = start;
    unsigned check_at = kSplitStride;
    auto end_block_slow = [&](size_t p) __attribute__((noinline)) {
        if (nseq_ - cp_seq >= kSplitStride) {
            if (cp_seq > 0) {
                uint32_t b_ll[kNumLitLen], b_d[kNumDist], all_ll[kNumLitLen], all_d[kNumDist];
                std::memcpy(all_ll, ll_freq_, sizeof all_ll);
                std::memcpy(all_d, d_freq_, sizeof all_d);
                for (unsigned i = 0; i < kNumLitLen; ++i) b_ll[i] = all_ll[i] - cp_ll_[i];
                for (unsigned i = 0; i < kNumDist; ++i) b_d[i] = all_d[i] - cp_d_[i];
                double joint = entropy_bits(all_ll, kNumLitLen) + entropy_bits(all_d, kNumDist);
                double split = entropy_bits(cp_ll_, kNumLitLen) + entropy_bits(cp_d_, kNumDist) +
                               entropy_bits(b_ll, kNumLitLen) + entropy_bits(b_d, kNumDist);
                if (split + kSplitPenaltyBits < joint) {
                    std::memcpy(ll_freq_, cp_ll_, sizeof ll_freq_);
                    std::memcpy(d_freq_, cp_d_, sizeof d_freq_);
                    emit_block(base, bstart, cp_pos, cp_seq, false, w);
                    std::memcpy(ll_freq_, b_ll, sizeof ll_freq_);
                    std::memcpy(d_freq_, b_d, sizeof d_freq_);
                    std::memmove(seq, seq + cp_seq, (nseq_ - cp_seq) * sizeof(Seq));
                    nseq_ -= cp_seq;
                    bstart = cp_pos;
                }
            }
            cp_seq = nseq_;
            cp_pos = p;
            std::memcpy(cp_ll_, ll_freq_, sizeof cp_ll_);
            std::memcpy(cp_d_, d_freq_, sizeof cp_d_);
        }
        if (nseq_ + 4 >= kMaxSeqPerBlock || p - bstart >= kMaxBlockBytes) {
            emit_block(base, bstart, p, nseq_, false, w);
            bstart = p;
            nseq_ = 0;
            cp_seq = 0;
            cp_pos = p;
            std::memset(ll_freq_, 0, sizeof ll_freq_);
            std::memset(d_freq_, 0, sizeof d_freq_);
        }
    };
    auto maybe_end_block = [&](size_t p) {
        if (__builtin_expect(nseq_ >= check_at || p - bstart >= kMaxBlockBytes, 0)) {
            end_block_slow(p);
            check_at = std::min(cp_seq + kSplitStride, kMaxSeqPerBlock - 4);
        }
    };
    const size_t hash_end = end >= 4 ? end - 3 : 0;  // positions with 4 bytes ahead
    if (ext_tok_) {
        // External tokens go through the same block logic as the level-1
        // loop below: a block may end after a token that started where the
        // search runs (pos < hash_end); the tail literals never end one.
        for (size_t i = 0; i < ext_ntok_; ++i) {
            const Token t = ext_tok_[i];
            const size_t at = pos;
            if (t.dist == 0) {
                put_lit(t.lit_or_len);
                ++pos;
            } else {
                put_match(t.lit_or_len, t.dist);
                pos += t.lit_or_len;
            }
            if (at < hash_end) maybe_end_block(pos);
        }
        ext_tok_ = nullptr;
        ext_ntok_ = 0;
    } else if (lp.max_chain == 1) {
        // Level 1: one probe of the head table, no chain RAM, greedy.
        const uint8_t* const b = base;
        while (pos < hash_end) {
            uint32_t h = hash4(b + pos, hb);
            uint32_t cand = head[h];
            head[h] = static_cast<uint32_t>(pos);
            uint32_t dist = static_cast<uint32_t>(pos) - cand;
            uint32_t cur4 = load32(b + pos);
            if (dist - 1 < max_dist && load32(b + cand) == cur4) {
                unsigned max = static_cast<unsigned>(std::min<size_t>(kMaxMatch, end - pos));
                unsigned len = 4 + match_len(b + cand + 4, b + pos + 4, max - 4);
                put_match(len, dist);
                size_t stop = pos + len;
                if (len <= lp.max_insert) {
                    size_t lim = std::min(stop, hash_end);
                    for (size_t q = pos + 1; q < lim; ++q) head[hash4(b + q, hb)] = static_cast<uint32_t>(q);
                }
                pos = stop;
            } else {
                put_lit(b[pos]);
                ++pos;
            }
            maybe_end_block(pos);
        }
    } else if (lp.lazy == 0) {
        while (pos < hash_end) {
            uint32_t cand = insert(pos);
            unsigned dist = 0;
            unsigned len = search(pos, cand, lp.max_chain, 3, dist);
            if (len > 3) {
                put_match(len, dist);
                size_t stop = pos + len;
                if (len <= lp.max_insert) {
                    size_t lim = std::min(stop, hash_end);
                    for (size_t q = pos + 1; q < lim; ++q) insert(q);
                }
                pos = stop;
            } else {
                put_lit(base[pos]);
                ++pos;
            }
            maybe_end_block(pos);
        }
    } else {
        // Lazy evaluation: a match found at pos is kept only if the next
        // position (next two for lazy2) does not start a longer one.
        unsigned cur_len = 0, cur_dist = 0;
        bool have_cur = false;
        while (pos < hash_end) {
            if (!have_cur) {
                uint32_t cand = insert(pos);
                cur_dist = 0;
                cur_len = search(pos, cand, lp.max_chain, 3, cur_dist);
                if (cur_len <= 3) cur_len = 0;
            }
            have_cur = false;
            if (cur_len == 0) {
                put_lit(base[pos]);
                ++pos;
                maybe_end_block(pos);
                continue;
            }
            size_t inserted_upto = pos + 1;
            if (cur_len < lp.nice_len && pos + 1 < hash_end) {
                unsigned chain = cur_len >= lp.good_len ? (lp.max_chain >> 2) + 1 : lp.max_chain;
                uint32_t cand = insert(pos + 1);
                unsigned nd = 0;
                unsigned nl = search(pos + 1, cand, chain, cur_len, nd);
                if (nl > cur_len) {
                    put_lit(base[pos]);
                    ++pos;
                    cur_len = nl;
                    cur_dist = nd;
                    have_cur = true;  // the new position is already inserted
                    maybe_end_block(pos);
                    continue;
                }
                inserted_upto = pos + 2;
                if (lp.lazy >= 2 && cur_len + 1 < lp.nice_len && pos + 2 < hash_end) {
                    uint32_t cand2 = insert(pos + 2);
                    unsigned nd2 = 0;
                    unsigned nl2 = search(pos + 2, cand2, chain, cur_len + 1, nd2);
                    if (nl2 > cur_len + 1) {
                        put_lit(base[pos]);
                        put_lit(base[pos + 1]);
                        pos += 2;
                        cur_len = nl2;
                        cur_dist = nd2;
                        have_cur = true;
                        maybe_end_block(pos);
                        continue;
                    }
                    inserted_upto = pos + 3;
                }
            }
            put_match(cur_len, cur_dist);
            size_t stop = pos + cur_len;
            size_t lim = std::min(stop, hash_end);
            for (size_t q = inserted_upto; q < lim; ++q) insert(q);
            pos = stop;
            maybe_end_block(pos);
        }
    }
    while (pos < end) {
        put_lit(base[pos]);
        ++pos;
    }
    emit_block(base, bstart, end, nseq_, final, w);
}

// Emit the buffered sequences for base[bstart..bend) as one block (several
// stored blocks if that is the cheapest and the data is > 65535 bytes).
void Encoder::emit_block(const uint8_t* base, size_t bstart, size_t bend, unsigned nseq, bool final,
                         BitWriter& w) {
    ll_freq_[kEob]++;
    // Extra bits (same for fixed and dynamic).
    uint64_t extra = 0;
    for (unsigned s = 0; s < 29; ++s) extra += static_cast<uint64_t>(ll_freq_[257 + s]) * kLenExtra[s];
    for (unsigned s = 0; s < 30; ++s) extra += static_cast<uint64_t>(d_freq_[s]) * kDistExtra[s];

    // Fixed cost.
    uint64_t fixed_bits = 3 + extra;
    for (unsigned s = 0; s < 286; ++s) fixed_bits += static_cast<uint64_t>(ll_freq_[s]) * kFixed.ll_len[s];
    for (unsigned s = 0; s < 30; ++s) fixed_bits += static_cast<uint64_t>(d_freq_[s]) * 5;

    // Dynamic code: make sure both trees have >= 2 symbols (complete codes).
    uint32_t llf[kNumLitLen], df[kNumDist];
    std::memcpy(llf, ll_freq_, sizeof llf);
    std::memcpy(df, d_freq_, sizeof df);
    llf[286] = llf[287] = 0;
    df[30] = df[31] = 0;
    {
        unsigned n = 0;
        for (unsigned s = 0; s < 286; ++s) n += llf[s] != 0;
        if (n < 2) llf[llf[0] ? 1 : 0] = 1;
        n = 0;
        for (unsigned s = 0; s < 30; ++s) n += df[s] != 0;
        if (n == 0) df[0] = df[1] = 1;
        else if (n == 1) df[df[0] ? 1 : 0] = 1;
    }
    uint8_t ll_len[kNumLitLen], d_len[kNumDist];
    build_lengths(llf, 286, kMaxCodeBits, ll_len);
    ll_len[286] = ll_len[287] = 0;
    build_lengths(df, 30, kMaxCodeBits, d_len);
    d_len[30] = d_len[31] = 0;
    unsigned hlit = 286;
    while (hlit > 257 && ll_len[hlit - 1] == 0) --hlit;
    unsigned hdist = 30;
    while (hdist > 1 && d_len[hdist - 1] == 0) --hdist;
    // Run-length code the lengths.
    uint8_t all[kNumLitLen + kNumDist];
    std::memcpy(all, ll_len, hlit);
    std::memcpy(all + hlit, d_len, hdist);
    unsigned nall = hlit + hdist;
    uint8_t rle_sym[kNumLitLen + kNumDist];
    uint8_t rle_extra[kNumLitLen + kNumDist];
    unsigned nrle = 0;
    uint32_t cl_freq[kNumCodeLen] = {};
    auto rle = [&](unsigned s, unsigned e) {
        rle_sym[nrle] = static_cast<uint8_t>(s);
        rle_extra[nrle++] = static_cast<uint8_t>(e);
        cl_freq[s]++;
    };
    for (unsigned i = 0; i < nall;) {
        unsigned l = all[i], run = 1;
        while (i + run < nall && all[i + run] == l) ++run;
        i += run;
        if (l == 0) {
            while (run >= 11) {
                unsigned r = std::min(run, 138u);
                rle(18, r - 11);
                run -= r;
            }
            if (run >= 3) {
                rle(17, run - 3);
                run = 0;
            }
            while (run--) rle(0, 0);
        } else {
            rle(l, 0);
            --run;
            while (run >= 3) {
                unsigned r = std::min(run, 6u);
                rle(16, r - 3);
                run -= r;
            }
            while (run--) rle(l, 0);
        }
    }
    {
        unsigned n = 0;
        for (unsigned s = 0; s < kNumCodeLen; ++s) n += cl_freq[s] != 0;
        for (unsigned k = 0; n < 2 && k < kNumCodeLen; ++k)
            if (!cl_freq[k]) cl_freq[k] = 1, ++n;
    }
    uint8_t cl_len[kNumCodeLen];
    build_lengths(cl_freq, kNumCodeLen, kMaxCodeLenBits, cl_len);
    unsigned hclen = kNumCodeLen;
    while (hclen > 4 && cl_len[kCodeLenOrder[hclen - 1]] == 0) --hclen;
    uint64_t dyn_bits = 3 + 14 + 3ull * hclen + extra;
    for (unsigned i = 0; i < nrle; ++i) {
        unsigned s = rle_sym[i];
        dyn_bits += cl_len[s] + (s == 16 ? 2 : s == 17 ? 3 : s == 18 ? 7 : 0);
    }
    for (unsigned s = 0; s < hlit; ++s) dyn_bits += static_cast<uint64_t>(ll_freq_[s]) * ll_len[s];
    for (unsigned s = 0; s < hdist; ++s) dyn_bits += static_cast<uint64_t>(d_freq_[s]) * d_len[s];

    // Stored cost (in bits, from the current bit position).
    size_t blen = bend - bstart;
    size_t nstored = blen == 0 ? 1 : (blen + 65534) / 65535;
    uint64_t stored_bits = 0;
    {
        unsigned bc = w.bc;
        for (size_t k = 0; k < nstored; ++k) {
            unsigned pad = (8 - ((bc + 3) & 7)) & 7;
            stored_bits += 3 + pad + 32;
            bc = 0;
        }
        stored_bits += 8ull * blen;
    }

    const uint8_t* lens_ll;
    const uint16_t* codes_ll;
    const uint8_t* lens_d;
    const uint16_t* codes_d;
    uint16_t ll_code[kNumLitLen], d_code[kNumDist];
    if (stored_bits < fixed_bits && stored_bits < dyn_bits) {
        size_t off = bstart;
        for (size_t k = 0; k < nstored; ++k) {
            size_t n = std::min<size_t>(65535, bend - off);
            bool last = k + 1 == nstored;
            w.put((final && last) ? 1 : 0, 3);
            w.align();
            w.put(n | ((n ^ 0xffffu) << 16), 32);
            w.flush();
            w.raw(base + off, n);
            off += n;
        }
        return;
    }
    if (fixed_bits <= dyn_bits) {
        w.put(final ? 3 : 2, 3);  // BFINAL, BTYPE=01
        lens_ll = kFixed.ll_len;
        codes_ll = kFixed.ll_code;
        lens_d = kFixed.d_len;
        codes_d = kFixed.d_code;
    } else {
        build_codes(ll_len, kNumLitLen, ll_code);
        build_codes(d_len, kNumDist, d_code);
        uint16_t cl_code[kNumCodeLen];
        build_codes(cl_len, kNumCodeLen, cl_code);
        w.put((final ? 1 : 0) | (2 << 1), 3);  // BTYPE=10
        w.put((hlit - 257) | ((hdist - 1) << 5) | ((hclen - 4) << 10), 14);
        w.flush();
        for (unsigned i = 0; i < hclen; ++i) {
            w.put(cl_len[kCodeLenOrder[i]], 3);
            w.flush();
        }
        for (unsigned i = 0; i < nrle; ++i) {
            unsigned s = rle_sym[i];
            w.put(cl_code[s], cl_len[s]);
            if (s == 16) w.put(rle_extra[i], 2);
            else if (s == 17) w.put(rle_extra[i], 3);
            else if (s == 18) w.put(rle_extra[i], 7);
            w.flush();
        }
        lens_ll = ll_len;
        codes_ll = ll_code;
        lens_d = d_len;
        codes_d = d_code;
    }
    // Sequences.
    const Seq* sq = seq_.data();
    for (unsigned i = 0; i < nseq; ++i) {
        Seq s = sq[i];
        if (s.dist == 0) {
            w.put(codes_ll[s.lit_or_len], lens_ll[s.lit_or_len]);
            // Pack up to two more literals before flushing (3 * 15 + 7 < 64).
            if (i + 1 < nseq && sq[i + 1].dist == 0) {
                unsigned c = sq[++i].lit_or_len;
                w.put(codes_ll[c], lens_ll[c]);
                if (i + 1 < nseq && sq[i + 1].dist == 0) {
                    c = sq[++i].lit_or_len;
                    w.put(codes_ll[c], lens_ll[c]);
                }
            }
        } else {
            unsigned len = s.lit_or_len;
            unsigned ls = kSym.len_sym[len];
            w.put(codes_ll[257 + ls], lens_ll[257 + ls]);
            w.put(len - kLenBase[ls], kLenExtra[ls]);
            unsigned ds = kSym.dist_sym(s.dist);
            w.put(codes_d[ds], lens_d[ds]);
            w.put(s.dist - kDistBase[ds], kDistExtra[ds]);
        }
        w.flush();
    }
    w.put(codes_ll[kEob], lens_ll[kEob]);
    w.flush();
}

// ---- framing -------------------------------------------------------------------
unsigned norm_level(unsigned level) { return level == 0 ? kDefaultLevel : level; }
unsigned norm_wbits(unsigned wbits) { return wbits == 0 ? 15 : wbits; }
bool params_ok(unsigned format, unsigned level, unsigned wbits) {
    return format <= CCE_CF_FMT_GZIP && level <= 9 && (wbits == 0 || (wbits >= kMinWbits && wbits <= kMaxWbits));
}

void write_header(BitWriter& w, const StreamState& st) {
    if (st.format == CCE_CF_FMT_ZLIB) {
        unsigned cmf = ((st.wbits - 8) << 4) | 8;
        unsigned flevel = st.level == 1 ? 0 : st.level <= 5 ? 1 : st.level == 6 ? 2 : 3;
        unsigned flg = flevel << 6;
        flg += 31 - ((cmf * 256 + flg) % 31);
        w.put(cmf, 8);
        w.put(flg, 8);
        w.flush();
    } else if (st.format == CCE_CF_FMT_GZIP) {
        static const uint8_t hdr_fast[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 3};
        uint8_t h[10];
        std::memcpy(h, hdr_fast, 10);
        h[8] = st.level == 1 ? 4 : st.level == 9 ? 2 : 0;
        for (uint8_t b : h) w.put(b, 8), w.flush();
    }
}

void write_trailer(BitWriter& w, const StreamState& st) {
    w.align();
    if (st.format == CCE_CF_FMT_ZLIB) {
        for (int s = 24; s >= 0; s -= 8) w.put((st.checksum >> s) & 0xff, 8);
        w.flush();
    } else if (st.format == CCE_CF_FMT_GZIP) {
        w.put(st.checksum, 32);
        w.flush();
        w.put(static_cast<uint32_t>(st.total_in), 32);
        w.flush();
    }
}

uint32_t update_checksum(unsigned format, uint32_t ck, const uint8_t* p, size_t n) {
    return format == CCE_CF_FMT_ZLIB ? adler32(ck, p, n) : crc32(ck, p, n);
}

Result invalid_params() {
    Result r;
    r.status = CCE_ST_INVALID_DESC;
    r.detail = CCE_INVD_OP_FLAGS;
    return r;
}

}  // namespace

size_t compress_bound(size_t in_len, unsigned format) {
    // A block ends after at most kMaxSeqPerBlock - 4 sequences (>= 1 byte
    // each); each block costs at most its stored size (5 bytes per 65535).
    size_t blocks = in_len / (kMaxSeqPerBlock - 4) + in_len / 65535 + 2;
    size_t frame = format == CCE_CF_FMT_ZLIB ? 6 : format == CCE_CF_FMT_GZIP ? 18 : 0;
    return in_len + 5 * blocks + frame + 8;
}

// ---- streaming object -----------------------------------------------------------
struct CompressStream::Impl {
    StreamState cfg;    // configured parameters
    StreamState st;     // committed stream state
    std::vector<uint8_t> hist;  // last 2^wbits input bytes (committed)
    Encoder enc;
    std::vector<uint8_t> scratch;

    Result process(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, bool first,
                   bool last);
};

Result CompressStream::Impl::process(const uint8_t* in, size_t in_len, uint8_t* out,
                                     size_t out_cap, bool first, bool last) {
    Result r;
    if (!in && in_len) return invalid_params();
    if (!out && out_cap) return invalid_params();
    if (in_len > 0xffff0000u - kMaxWindow) {  // match finder positions are 32-bit
        r.status = CCE_ST_INVALID_DESC;
        r.detail = CCE_INVD_LENGTH;
        return r;
    }
    StreamState s;
    const uint8_t* base;
    size_t start;
    if (first) {
        s = cfg;
        s.open = true;
        s.bitbuf = 0;
        s.bitcnt = 0;
        s.total_in = 0;
        s.checksum = s.format == CCE_CF_FMT_ZLIB ? 1u : 0u;
        base = in;
        start = 0;
    } else {
        if (!st.open) {
            r.status = CCE_ST_INVALID_PARAM;
            return r;
        }
        s = st;
        if (hist.empty()) {
            base = in;
            start = 0;
        } else {
            scratch.resize(hist.size() + in_len);
            std::memcpy(scratch.data(), hist.data(), hist.size());
            if (in_len) std::memcpy(scratch.data() + hist.size(), in, in_len);
            base = scratch.data();
            start = hist.size();
        }
    }
    BitWriter w{out, out_cap};
    w.bb = s.bitbuf;
    w.bc = s.bitcnt;
    if (first) write_header(w, s);
    if (in_len || last) enc.run(base ? base : in, start, start + in_len, s.level, s.wbits, last, w);
    s.checksum = update_checksum(s.format, s.checksum, in, in_len);
    s.total_in += in_len;
    if (last) write_trailer(w, s);
    w.flush();
    r.consumed = in_len;
    r.checksum = s.checksum;
    if (w.pos > out_cap) {
        r.status = CCE_ST_OUTPUT_TOO_SMALL;
        // Non-last chunks keep up to 7 bits in the context, so pos is exact.
        r.detail = w.pos > 0xffffffffu ? 0u : static_cast<uint32_t>(w.pos);
        r.consumed = 0;
        r.produced = 0;
        r.checksum = st.checksum;
        return r;
    }
    r.produced = w.pos;
    r.stream_end = last;
    // Commit.
    s.bitbuf = w.bb;
    s.bitcnt = w.bc;
    s.open = !last;
    size_t wsize = size_t{1} << s.wbits;
    size_t total = start + in_len;
    size_t keep = std::min(wsize, total);
    if (last) {
        hist.clear();
    } else if (keep) {
        const uint8_t* src = base + total - keep;  // base is `in` or `scratch`
        hist.assign(src, src + keep);
    }
    st = s;
    return r;
}

CompressStream::CompressStream() : impl_(std::make_unique<Impl>()) {}
CompressStream::~CompressStream() = default;

uint8_t CompressStream::configure(unsigned format, unsigned level, unsigned wbits) {
    if (!params_ok(format, level, wbits)) return CCE_ST_INVALID_DESC;
    impl_->cfg.format = format;
    impl_->cfg.level = norm_level(level);
    impl_->cfg.wbits = norm_wbits(wbits);
    return CCE_ST_SUCCESS;
}

Result CompressStream::process(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                               bool first, bool last) {
    return impl_->process(in, in_len, out, out_cap, first, last);
}

bool CompressStream::active() const { return impl_->st.open; }

size_t CompressStream::save(uint8_t* buf, size_t cap) const {
    const Impl& m = *impl_;
    if (!m.st.open || !buf || cap < kCtxHeader) return 0;
    CtxWriter w(buf + kCtxHeader, cap - kCtxHeader);
    w.u8(static_cast<uint8_t>(m.st.format));
    w.u8(static_cast<uint8_t>(m.st.level));
    w.u8(static_cast<uint8_t>(m.st.wbits));
    w.u8(static_cast<uint8_t>(m.st.bitcnt));
    w.u64(m.st.bitbuf);
    w.u32(m.st.checksum);
    w.u64(m.st.total_in);
    w.u32(static_cast<uint32_t>(m.hist.size()));
    w.bytes(m.hist.data(), m.hist.size());
    if (!w.ok()) return 0;
    return ctx_finish(buf, cap, kCtxKindCompress, w.pos());
}

uint8_t CompressStream::restore(const uint8_t* buf, size_t len) {
    const uint8_t* body;
    size_t blen;
    if (!ctx_open(buf, len, kCtxKindCompress, &body, &blen)) return CCE_ST_INVALID_PARAM;
    CtxReader r(body, blen);
    StreamState s;
    s.format = r.u8();
    s.level = r.u8();
    s.wbits = r.u8();
    s.bitcnt = r.u8();
    s.bitbuf = r.u64();
    s.checksum = r.u32();
    s.total_in = r.u64();
    uint32_t hl = r.u32();
    if (!r.ok() || s.format > CCE_CF_FMT_GZIP || s.level < 1 || s.level > 9 ||
        s.wbits < kMinWbits || s.wbits > kMaxWbits || s.bitcnt > 7 ||
        (s.bitbuf >> s.bitcnt) != 0 || hl > (1u << s.wbits) || hl > s.total_in)
        return CCE_ST_INVALID_PARAM;
    std::vector<uint8_t> h(hl);
    if (!r.bytes(h.data(), hl) || r.pos() != blen) return CCE_ST_INVALID_PARAM;
    s.open = true;
    impl_->st = s;
    impl_->hist.swap(h);
    return CCE_ST_SUCCESS;
}

// ---- one-shot ---------------------------------------------------------------------
namespace {
// A whole stream in one call; tokens (if any) replace the level-1 search.
Result one_shot(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, unsigned format,
                unsigned level, unsigned wbits, const Token* tok, size_t ntok) {
    thread_local CompressStream::Impl impl;
    impl.cfg.format = format;
    impl.cfg.level = norm_level(level);
    impl.cfg.wbits = norm_wbits(wbits);
    impl.enc.set_tokens(tok, ntok);
    Result r = impl.process(in, in_len, out, out_cap, true, true);
    impl.enc.set_tokens(nullptr, 0);
    impl.hist.clear();
    impl.hist.shrink_to_fit();
    return r;
}
}  // namespace

Result compress(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, unsigned format,
                unsigned level, unsigned wbits) {
    if (!params_ok(format, level, wbits)) return invalid_params();
    return one_shot(in, in_len, out, out_cap, format, level, wbits, nullptr, 0);
}

bool tokens_cover(const uint8_t* in, size_t in_len, const Token* tok, size_t ntok, unsigned wbits) {
    size_t pos = 0;
    const size_t max_dist = (size_t{1} << wbits) - 1;
    for (size_t i = 0; i < ntok; ++i) {
        const Token t = tok[i];
        if (t.dist == 0) {
            if (t.lit_or_len > 255 || pos >= in_len || in[pos] != t.lit_or_len) return false;
            ++pos;
            continue;
        }
        const size_t len = t.lit_or_len;
        if (len < 4 || len > 258 || t.dist > pos || t.dist > max_dist || len > in_len - pos) return false;
        for (size_t k = 0; k < len; ++k)
            if (in[pos + k] != in[pos + k - t.dist]) return false;
        pos += len;
    }
    return pos == in_len;
}

Result compress_tokens(const uint8_t* in, size_t in_len, const Token* tok, size_t ntok,
                       uint8_t* out, size_t out_cap, unsigned format, unsigned wbits) {
    if (!params_ok(format, 1, wbits) || (!tok && ntok)) return invalid_params();
    if (!tokens_cover(in, in_len, tok, ntok, norm_wbits(wbits))) {
        Result r;
        r.status = CCE_ST_INTERNAL_ERROR;  // the match finder produced a wrong sequence
        return r;
    }
    return one_shot(in, in_len, out, out_cap, format, 1, wbits, tok, ntok);
}

}  // namespace cce::datapath::deflate
