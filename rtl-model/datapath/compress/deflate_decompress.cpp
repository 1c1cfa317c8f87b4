// SPDX-License-Identifier: MIT
// Deflate decoder: a resumable state machine (header, block header, stored,
// dynamic table reader, symbol decoder, match copier, trailer) around a fast
// inner loop that decodes one literal or one length/distance pair per 64-bit
// bit-buffer refill.
//
// Decode tables: one 32-bit entry per root-bit pattern (10 bits for
// literal/length, 8 for distance, 7 for code lengths); codes longer than the
// root index a second-level table. An entry carries the number of bits to
// consume, a kind (literal, end of block, length/distance with extra bits,
// subtable pointer, invalid) and the value (literal, base, subtable offset),
// so the datapath resolves a symbol with one or two table reads.
//
// Slow path rule: bits are pulled one byte at a time, only when the next
// symbol (code + its extra bits) needs them, so the machine can stop after
// any byte of input and resume from the saved bit buffer.
#include <algorithm>
#include <cstring>
#include <vector>

#include "cce/datapath/crc.h"
#include "cce/datapath/deflate.h"
#include "deflate_common.h"

namespace cce::datapath::deflate {
using namespace detail;

namespace {

// ---- decode tables ---------------------------------------------------------
constexpr unsigned kLitRoot = 10;
constexpr unsigned kDistRoot = 8;
constexpr unsigned kClRoot = 7;
// Complete codes: at most n/2 root prefixes carry longer codes.
constexpr size_t kLitTableSize = (1u << kLitRoot) + (kNumLitLen / 2) * (1u << (15 - kLitRoot));
constexpr size_t kDistTableSize = (1u << kDistRoot) + (kNumDist / 2) * (1u << (15 - kDistRoot));
constexpr size_t kClTableSize = 1u << kClRoot;

constexpr uint32_t kELit = 1u << 8;
constexpr uint32_t kEEnd = 1u << 9;
constexpr uint32_t kESub = 1u << 10;
constexpr uint32_t kEInvalid = 1u << 11;
inline unsigned e_bits(uint32_t e) { return e & 0xff; }
inline unsigned e_extra(uint32_t e) { return (e >> 12) & 0xf; }
inline unsigned e_value(uint32_t e) { return e >> 16; }

enum class TableKind { LitLen, Dist, CodeLen };

uint32_t symbol_entry(TableKind k, unsigned s) {
    switch (k) {
        case TableKind::LitLen:
            if (s < 256) return kELit | (s << 16);
            if (s == 256) return kEEnd;
            if (s <= 285) return (uint32_t{kLenExtra[s - 257]} << 12) | (uint32_t{kLenBase[s - 257]} << 16);
            return kEInvalid;
        case TableKind::Dist:
            if (s < 30) return (uint32_t{kDistExtra[s]} << 12) | (uint32_t{kDistBase[s]} << 16);
            return kEInvalid;
        case TableKind::CodeLen:
            return kELit | (s << 16);
    }
    return kEInvalid;
}

// Build a decode table. Returns false for an over-subscribed or (except
// the cases zlib also accepts: a single 1-bit code, or no distance codes at
// all) incomplete code.
bool build_table(TableKind kind, const uint8_t* lens, unsigned n, unsigned root, uint32_t* table,
                 size_t cap) {
    unsigned count[kMaxCodeBits + 1] = {};
    for (unsigned i = 0; i < n; ++i) count[lens[i]]++;
    count[0] = 0;
    int left = 1;
    unsigned nsym = 0, maxlen = 0;
    for (unsigned l = 1; l <= kMaxCodeBits; ++l) {
        left = left * 2 - static_cast<int>(count[l]);
        if (left < 0) return false;  // over-subscribed
        nsym += count[l];
        if (count[l]) maxlen = l;
    }
    const uint32_t invalid_root = kEInvalid | root;
    for (size_t i = 0; i < (1u << root); ++i) table[i] = invalid_root;
    if (nsym == 0) return kind == TableKind::Dist;
    if (left > 0 && !(kind != TableKind::CodeLen && nsym == 1 && maxlen == 1)) return false;
    // Canonical order: by length, then symbol.
    unsigned offs[kMaxCodeBits + 2] = {};
    for (unsigned l = 1; l <= kMaxCodeBits; ++l) offs[l + 1] = offs[l] + count[l];
    uint16_t sorted[kNumLitLen];
    for (unsigned s = 0; s < n; ++s)
        if (lens[s]) sorted[offs[lens[s]]++] = static_cast<uint16_t>(s);
    const unsigned sub_bits = maxlen > root ? maxlen - root : 0;
    const size_t sub_size = size_t{1} << sub_bits;
    size_t next_free = size_t{1} << root;
    uint32_t code = 0;
    unsigned cur_len = 0;
    for (unsigned i = 0; i < nsym; ++i) {
        unsigned s = sorted[i];
        unsigned len = lens[s];
        if (i) ++code;
        code <<= (len - cur_len);
        cur_len = len;
        uint32_t rev = reverse_bits(code, len);
        uint32_t ent = symbol_entry(kind, s);
        if (len <= root) {
            for (size_t k = rev; k < (size_t{1} << root); k += size_t{1} << len) table[k] = ent | len;
        } else {
            uint32_t prefix = rev & ((1u << root) - 1);
            uint32_t& pe = table[prefix];
            if (!(pe & kESub)) {
                if (next_free + sub_size > cap) return false;
                pe = kESub | (sub_bits << 12) | (static_cast<uint32_t>(next_free) << 16) | root;
                for (size_t k = 0; k < sub_size; ++k) table[next_free + k] = kEInvalid | sub_bits;
                next_free += sub_size;
            }
            uint32_t* sub = table + e_value(pe);
            unsigned sl = len - root;
            for (size_t k = rev >> root; k < sub_size; k += size_t{1} << sl) sub[k] = ent | sl;
        }
    }
    return true;
}

struct FixedTables {
    uint32_t lit[kLitTableSize];
    uint32_t dist[kDistTableSize];
    FixedTables() {
        uint8_t l[kNumLitLen];
        fixed_litlen_lengths(l);
        build_table(TableKind::LitLen, l, kNumLitLen, kLitRoot, lit, kLitTableSize);
        uint8_t d[kNumDist];
        for (auto& x : d) x = 5;
        build_table(TableKind::Dist, d, kNumDist, kDistRoot, dist, kDistTableSize);
    }
};
const FixedTables& fixed_tables() {
    static const FixedTables t;
    return t;
}

// ---- machine state -----------------------------------------------------------
enum Mode : uint8_t {
    M_HEADER,
    M_BLOCK,
    M_STORED_LEN,
    M_STORED_COPY,
    M_DYN_COUNTS,
    M_DYN_CL,
    M_DYN_LENS,
    M_SYM,
    M_DIST,
    M_COPY,
    M_TRAILER,
    M_DONE,
    M_COUNT
};

enum GzStep : uint8_t {
    G_ID1, G_ID2, G_CM, G_FLG, G_SKIP6, G_XLEN0, G_XLEN1, G_EXTRA, G_NAME, G_COMMENT,
    G_HCRC0, G_HCRC1, G_END
};

// FTEXT (bit 0) is informational only.
constexpr uint8_t kGzFHcrc = 2, kGzFExtra = 4, kGzFName = 8, kGzFComment = 16;

struct InState {
    uint8_t format = CCE_CF_FMT_RAW;
    uint8_t mode = M_HEADER;
    uint8_t final = 0;
    uint8_t btype = 0;   // 1 fixed, 2 dynamic (current block)
    uint8_t bitcnt = 0;
    uint8_t hstep = 0;   // header step (zlib: byte index, gzip: GzStep)
    uint8_t gflags = 0;
    uint8_t tstep = 0;   // trailer bytes read
    uint64_t bitbuf = 0;
    uint32_t hrem = 0;   // header bytes to skip / first header byte
    uint32_t hcrc = 0;   // CRC-32 of the gzip header so far
    uint32_t stored_left = 0;
    uint16_t nlen = 0, ndist = 0, ncl = 0, have = 0;
    uint32_t len = 0, dist = 0;
    uint32_t tval = 0;   // trailer word being assembled
    uint32_t tval2 = 0;
    uint32_t checksum = 0;
    uint64_t total_out = 0;
    uint8_t lens[kNumLitLen + kNumDist] = {};
    uint8_t cl_lens[kNumCodeLen] = {};
    bool open = false;
};

enum class Outcome { NeedInput, OutputFull, Done, Error };

uint32_t update_checksum(unsigned format, uint32_t ck, const uint8_t* p, size_t n) {
    return format == CCE_CF_FMT_ZLIB ? adler32(ck, p, n) : crc32(ck, p, n);
}

}  // namespace

struct DecompressStream::Impl {
    unsigned cfg_format = CCE_CF_FMT_RAW;
    InState st;                  // committed
    std::vector<uint8_t> hist;   // last <= 32 KiB of output (committed)
    bool tables_valid = false;   // lit/dist/cl tables match `st`
    uint32_t lit[kLitTableSize];
    uint32_t dist[kDistTableSize];
    uint32_t cl[kClTableSize];
    const uint32_t* cur_lit = nullptr;
    const uint32_t* cur_dist = nullptr;

    bool rebuild_tables(const InState& s);
    Outcome run(InState& s, const uint8_t*& in, const uint8_t* in_end, uint8_t*& out,
                uint8_t* out_begin, uint8_t* out_end, uint32_t& err);
    Result process(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, bool first,
                   bool last, bool oneshot);
};

bool DecompressStream::Impl::rebuild_tables(const InState& s) {
    cur_lit = nullptr;
    cur_dist = nullptr;
    if (s.mode == M_DYN_LENS) {
        if (!build_table(TableKind::CodeLen, s.cl_lens, kNumCodeLen, kClRoot, cl, kClTableSize)) return false;
    }
    if (s.mode == M_SYM || s.mode == M_DIST || s.mode == M_COPY) {
        if (s.btype == 1) {
            cur_lit = fixed_tables().lit;
            cur_dist = fixed_tables().dist;
        } else if (s.btype == 2) {
            if (!build_table(TableKind::LitLen, s.lens, s.nlen, kLitRoot, lit, kLitTableSize) ||
                !build_table(TableKind::Dist, s.lens + s.nlen, s.ndist, kDistRoot, dist, kDistTableSize))
                return false;
            cur_lit = lit;
            cur_dist = dist;
        } else {
            return false;
        }
    }
    return true;
}

// The machine. `in`/`out` advance; out_begin is where this call's output
// starts (history before it is in `hist`).
Outcome DecompressStream::Impl::run(InState& s, const uint8_t*& in_ref, const uint8_t* in_end,
                                    uint8_t*& out_ref, uint8_t* out_begin, uint8_t* out_end,
                                    uint32_t& err) {
    const uint8_t* in = in_ref;
    const uint8_t* const in_begin = in;
    uint8_t* out = out_ref;
    uint8_t* ck_from = out_begin;
    uint64_t bb = s.bitbuf;
    unsigned bc = s.bitcnt;
    const uint8_t* hist_data = hist.data();
    const size_t hist_len = hist.size();
    Outcome oc = Outcome::Done;

    auto pull = [&]() -> bool {  // one more byte into the bit buffer
        if (in == in_end) return false;
        bb |= static_cast<uint64_t>(*in++) << bc;
        bc += 8;
        return true;
    };
    auto need = [&](unsigned n) -> bool {
        while (bc < n)
            if (!pull()) return false;
        return true;
    };
    auto drop = [&](unsigned n) {
        bb >>= n;
        bc -= n;
    };
    auto bits = [&](unsigned n) -> uint32_t { return static_cast<uint32_t>(bb & ((uint64_t{1} << n) - 1)); };
    // Peek a symbol and its extra bits; total = bits for code + extra.
    auto peek = [&](const uint32_t* t, unsigned root, uint32_t& e, unsigned& code_bits,
                    unsigned& total) -> bool {
        for (;;) {
            e = t[bb & ((1u << root) - 1)];
            bool resolved = true;
            if (e & kESub) {
                if (bc >= root) {
                    e = t[e_value(e) + ((bb >> root) & ((1u << e_extra(e)) - 1))];
                    code_bits = root + e_bits(e);
                } else {
                    resolved = false;
                }
            } else {
                code_bits = e_bits(e);
            }
            if (resolved) {
                total = code_bits + ((e & (kELit | kEEnd | kEInvalid)) ? 0 : e_extra(e));
                if (total <= bc) return true;
            }
            if (!pull()) return false;
        }
    };
    auto avail_dist = [&](uint8_t* o) -> size_t { return static_cast<size_t>(o - out_begin) + hist_len; };
    // Copy len bytes from distance dist, source possibly in the history.
    auto copy_hist = [&](uint8_t* o, unsigned n, unsigned d) {
        size_t produced = static_cast<size_t>(o - out_begin);
        for (unsigned k = 0; k < n; ++k, ++produced) {
            o[k] = d > produced ? hist_data[hist_len - (d - produced)] : o[static_cast<ptrdiff_t>(k) - d];
        }
    };
    auto finish_checksum = [&]() {
        s.checksum = update_checksum(s.format, s.checksum, ck_from, static_cast<size_t>(out - ck_from));
        ck_from = out;
    };

    for (;;) {
        switch (s.mode) {
            case M_HEADER: {
                if (s.format == CCE_CF_FMT_RAW) {
                    s.mode = M_BLOCK;
                    break;
                }
                if (s.format == CCE_CF_FMT_ZLIB) {
                    while (s.hstep < 2) {
                        if (!need(8)) goto need_input;
                        uint32_t b = bits(8);
                        drop(8);
                        if (s.hstep == 0) {
                            if ((b & 0xf) != 8 || (b >> 4) > 7) goto bad_header;
                            s.hrem = b;
                        } else {
                            if (((s.hrem << 8) | b) % 31 != 0 || (b & 0x20)) goto bad_header;
                        }
                        s.hstep++;
                    }
                    s.mode = M_BLOCK;
                    break;
                }
                // gzip
                while (s.hstep != G_END) {
                    if (!need(8)) goto need_input;
                    uint8_t b = static_cast<uint8_t>(bits(8));
                    drop(8);
                    if (s.hstep != G_HCRC0 && s.hstep != G_HCRC1) s.hcrc = crc32(s.hcrc, &b, 1);
                    switch (s.hstep) {
                        case G_ID1: if (b != 0x1f) goto bad_header; s.hstep = G_ID2; break;
                        case G_ID2: if (b != 0x8b) goto bad_header; s.hstep = G_CM; break;
                        case G_CM: if (b != 8) goto bad_header; s.hstep = G_FLG; break;
                        case G_FLG:
                            if (b & 0xe0) goto bad_header;
                            s.gflags = b;
                            s.hrem = 6;
                            s.hstep = G_SKIP6;
                            break;
                        case G_SKIP6:
                            if (--s.hrem == 0) s.hstep = G_XLEN0;
                            break;
                        case G_XLEN0: s.hrem = b; s.hstep = G_XLEN1; break;
                        case G_XLEN1:
                            s.hrem |= uint32_t{b} << 8;
                            s.hstep = G_EXTRA;
                            break;
                        case G_EXTRA:
                            if (--s.hrem == 0) s.hstep = G_NAME;
                            break;
                        case G_NAME: if (b == 0) s.hstep = G_COMMENT; break;
                        case G_COMMENT: if (b == 0) s.hstep = G_HCRC0; break;
                        case G_HCRC0: s.hrem = b; s.hstep = G_HCRC1; break;
                        case G_HCRC1:
                            if (((uint32_t{b} << 8) | s.hrem) != (s.hcrc & 0xffff)) goto bad_header;
                            s.hstep = G_END;
                            break;
                        default: goto bad_header;
                    }
                    // Skip the optional parts that are absent.
                    for (bool again = true; again;) {
                        again = false;
                        if (s.hstep == G_XLEN0 && !(s.gflags & kGzFExtra)) s.hstep = G_NAME, again = true;
                        if (s.hstep == G_EXTRA && s.hrem == 0) s.hstep = G_NAME, again = true;
                        if (s.hstep == G_NAME && !(s.gflags & kGzFName)) s.hstep = G_COMMENT, again = true;
                        if (s.hstep == G_COMMENT && !(s.gflags & kGzFComment)) s.hstep = G_HCRC0, again = true;
                        if (s.hstep == G_HCRC0 && !(s.gflags & kGzFHcrc)) s.hstep = G_END, again = true;
                    }
                }
                s.mode = M_BLOCK;
                break;
            }
            case M_BLOCK: {
                if (!need(3)) goto need_input;
                s.final = static_cast<uint8_t>(bits(1));
                unsigned type = bits(3) >> 1;
                drop(3);
                if (type == 0) {
                    s.mode = M_STORED_LEN;
                } else if (type == 1) {
                    s.btype = 1;
                    cur_lit = fixed_tables().lit;
                    cur_dist = fixed_tables().dist;
                    s.mode = M_SYM;
                } else if (type == 2) {
                    s.btype = 2;
                    s.mode = M_DYN_COUNTS;
                } else {
                    err = CCE_CORRUPT_BLOCK_TYPE;
                    goto error;
                }
                break;
            }
            case M_STORED_LEN: {
                drop(bc & 7);
                if (!need(32)) goto need_input;
                uint32_t v = bits(32);
                drop(32);
                if ((v & 0xffff) != ((v >> 16) ^ 0xffff)) {
                    err = CCE_CORRUPT_STORED_LEN;
                    goto error;
                }
                s.stored_left = v & 0xffff;
                s.mode = M_STORED_COPY;
                break;
            }
            case M_STORED_COPY: {
                while (s.stored_left && bc >= 8) {
                    if (out == out_end) goto output_full;
                    *out++ = static_cast<uint8_t>(bb);
                    drop(8);
                    s.stored_left--;
                }
                if (s.stored_left) {
                    size_t n = std::min<size_t>({s.stored_left, static_cast<size_t>(in_end - in),
                                                 static_cast<size_t>(out_end - out)});
                    if (n) std::memcpy(out, in, n);
                    out += n;
                    in += n;
                    s.stored_left -= static_cast<uint32_t>(n);
                    if (s.stored_left) {
                        if (out == out_end) goto output_full;
                        goto need_input;
                    }
                }
                s.mode = s.final ? M_TRAILER : M_BLOCK;
                break;
            }
            case M_DYN_COUNTS: {
                if (!need(14)) goto need_input;
                s.nlen = static_cast<uint16_t>(257 + bits(5));
                s.ndist = static_cast<uint16_t>(1 + ((bits(10) >> 5)));
                s.ncl = static_cast<uint16_t>(4 + (bits(14) >> 10));
                drop(14);
                if (s.nlen > 286 || s.ndist > 30) {
                    err = CCE_CORRUPT_HUFFMAN;
                    goto error;
                }
                s.have = 0;
                std::memset(s.cl_lens, 0, sizeof s.cl_lens);
                s.mode = M_DYN_CL;
                break;
            }
            case M_DYN_CL: {
                while (s.have < s.ncl) {
                    if (!need(3)) goto need_input;
                    s.cl_lens[kCodeLenOrder[s.have++]] = static_cast<uint8_t>(bits(3));
                    drop(3);
                }
                if (!build_table(TableKind::CodeLen, s.cl_lens, kNumCodeLen, kClRoot, cl, kClTableSize)) {
                    err = CCE_CORRUPT_HUFFMAN;
                    goto error;
                }
                s.have = 0;
                s.mode = M_DYN_LENS;
                break;
            }
            case M_DYN_LENS: {
                const unsigned total_lens = s.nlen + s.ndist;
                while (s.have < total_lens) {
                    uint32_t e;
                    unsigned cb, tot;
                    // Code length symbols carry their repeat bits: 16:2 17:3 18:7.
                    for (;;) {
                        e = cl[bb & ((1u << kClRoot) - 1)];
                        cb = e_bits(e);
                        unsigned sym = e_value(e);
                        tot = cb + ((e & kEInvalid) ? 0 : sym == 16 ? 2 : sym == 17 ? 3 : sym == 18 ? 7 : 0);
                        if (tot <= bc) break;
                        if (!pull()) goto need_input;
                    }
                    if (e & kEInvalid) {
                        err = CCE_CORRUPT_HUFFMAN;
                        goto error;
                    }
                    unsigned sym = e_value(e);
                    drop(cb);
                    if (sym < 16) {
                        s.lens[s.have++] = static_cast<uint8_t>(sym);
                        continue;
                    }
                    unsigned rep;
                    uint8_t val = 0;
                    if (sym == 16) {
                        if (s.have == 0) {
                            err = CCE_CORRUPT_HUFFMAN;
                            goto error;
                        }
                        val = s.lens[s.have - 1];
                        rep = 3 + bits(2);
                        drop(2);
                    } else if (sym == 17) {
                        rep = 3 + bits(3);
                        drop(3);
                    } else {
                        rep = 11 + bits(7);
                        drop(7);
                    }
                    if (s.have + rep > total_lens) {
                        err = CCE_CORRUPT_HUFFMAN;
                        goto error;
                    }
                    std::memset(s.lens + s.have, val, rep);
                    s.have = static_cast<uint16_t>(s.have + rep);
                }
                if (s.lens[256] == 0 ||
                    !build_table(TableKind::LitLen, s.lens, s.nlen, kLitRoot, lit, kLitTableSize) ||
                    !build_table(TableKind::Dist, s.lens + s.nlen, s.ndist, kDistRoot, dist, kDistTableSize)) {
                    err = CCE_CORRUPT_HUFFMAN;
                    goto error;
                }
                cur_lit = lit;
                cur_dist = dist;
                s.mode = M_SYM;
                break;
            }
            case M_SYM: {
                const uint32_t* lt = cur_lit;
                const uint32_t* dt = cur_dist;
                // ---- fast loop ----
                if (in_end - in >= 8 && out_end - out >= 274) {
                    const uint8_t* const fast_in_end = in_end - 8;
                    uint8_t* const fast_out_end = out_end - 274;
                    bool block_end = false;
                    while (in <= fast_in_end && out <= fast_out_end) {
                        bb |= load64(in) << bc;
                        in += (63 - bc) >> 3;
                        bc |= 56;
                        uint32_t e = lt[bb & ((1u << kLitRoot) - 1)];
                        if (e & kESub) {
                            bb >>= kLitRoot;
                            bc -= kLitRoot;
                            e = lt[e_value(e) + (bb & ((1u << e_extra(e)) - 1))];
                        }
                        bb >>= e_bits(e);
                        bc -= e_bits(e);
                        if (e & kELit) {
                            *out++ = static_cast<uint8_t>(e_value(e));
                            // A second literal fits in the same refill (56 - 15 >= 20).
                            e = lt[bb & ((1u << kLitRoot) - 1)];
                            if (!(e & kELit)) continue;
                            bb >>= e_bits(e);
                            bc -= e_bits(e);
                            *out++ = static_cast<uint8_t>(e_value(e));
                            continue;
                        }
                        if (e & (kEEnd | kEInvalid)) {
                            if (e & kEInvalid) {
                                err = CCE_CORRUPT_HUFFMAN;
                                goto error;
                            }
                            block_end = true;
                            break;
                        }
                        unsigned len = e_value(e) + static_cast<unsigned>(bb & ((1u << e_extra(e)) - 1));
                        bb >>= e_extra(e);
                        bc -= e_extra(e);
                        e = dt[bb & ((1u << kDistRoot) - 1)];
                        if (e & kESub) {
                            bb >>= kDistRoot;
                            bc -= kDistRoot;
                            e = dt[e_value(e) + (bb & ((1u << e_extra(e)) - 1))];
                        }
                        bb >>= e_bits(e);
                        bc -= e_bits(e);
                        if (e & kEInvalid) {
                            err = CCE_CORRUPT_HUFFMAN;
                            goto error;
                        }
                        unsigned d = e_value(e) + static_cast<unsigned>(bb & ((1u << e_extra(e)) - 1));
                        bb >>= e_extra(e);
                        bc -= e_extra(e);
                        size_t produced = static_cast<size_t>(out - out_begin);
                        if (d > produced) {
                            if (d > produced + hist_len) {
                                err = CCE_CORRUPT_DISTANCE;
                                goto error;
                            }
                            copy_hist(out, len, d);
                            out += len;
                            continue;
                        }
                        const uint8_t* src = out - d;
                        if (d >= 8) {
                            uint8_t* dst = out;
                            uint8_t* stop = out + len;
                            do {
                                store64(dst, load64(src));
                                dst += 8;
                                src += 8;
                            } while (dst < stop);
                        } else if (d == 1) {
                            std::memset(out, *src, len);
                        } else {
                            for (unsigned k = 0; k < len; ++k) out[k] = src[k];
                        }
                        out += len;
                    }
                    // Return whole unused bytes loaded in this call, clear
                    // the bits above bc.
                    size_t back = std::min<size_t>(bc >> 3, static_cast<size_t>(in - in_begin));
                    in -= back;
                    bc -= static_cast<unsigned>(back * 8);
                    bb &= bc >= 64 ? ~uint64_t{0} : ((uint64_t{1} << bc) - 1);
                    if (block_end) {
                        s.mode = s.final ? M_TRAILER : M_BLOCK;
                        break;
                    }
                }
                // ---- slow path: one symbol ----
                uint32_t e;
                unsigned cb, tot;
                if (!peek(lt, kLitRoot, e, cb, tot)) goto need_input;
                if (e & kELit) {
                    if (out == out_end) goto output_full;
                    drop(cb);
                    *out++ = static_cast<uint8_t>(e_value(e));
                    break;
                }
                if (e & kEInvalid) {
                    err = CCE_CORRUPT_HUFFMAN;
                    goto error;
                }
                if (e & kEEnd) {
                    drop(cb);
                    s.mode = s.final ? M_TRAILER : M_BLOCK;
                    break;
                }
                drop(cb);
                s.len = e_value(e) + bits(e_extra(e));
                drop(e_extra(e));
                s.mode = M_DIST;
                [[fallthrough]];
            }
            case M_DIST: {
                uint32_t e;
                unsigned cb, tot;
                if (!peek(cur_dist, kDistRoot, e, cb, tot)) goto need_input;
                if (e & kEInvalid) {
                    err = CCE_CORRUPT_HUFFMAN;
                    goto error;
                }
                drop(cb);
                uint32_t d = e_value(e) + bits(e_extra(e));
                drop(e_extra(e));
                if (d > avail_dist(out)) {
                    err = CCE_CORRUPT_DISTANCE;
                    goto error;
                }
                s.dist = d;
                s.mode = M_COPY;
                [[fallthrough]];
            }
            case M_COPY: {
                unsigned n = static_cast<unsigned>(std::min<size_t>(s.len, static_cast<size_t>(out_end - out)));
                copy_hist(out, n, s.dist);
                out += n;
                s.len -= n;
                if (s.len) goto output_full;
                s.mode = M_SYM;
                break;
            }
            case M_TRAILER: {
                if (s.tstep == 0) {
                    drop(bc & 7);
                    finish_checksum();
                }
                unsigned tlen = s.format == CCE_CF_FMT_ZLIB ? 4 : s.format == CCE_CF_FMT_GZIP ? 8 : 0;
                while (s.tstep < tlen) {
                    if (!need(8)) goto need_input;
                    uint32_t b = bits(8);
                    drop(8);
                    if (s.format == CCE_CF_FMT_ZLIB) s.tval = (s.tval << 8) | b;
                    else if (s.tstep < 4) s.tval |= b << (8 * s.tstep);
                    else s.tval2 |= b << (8 * (s.tstep - 4));
                    s.tstep++;
                }
                if (s.format != CCE_CF_FMT_RAW) {
                    uint64_t total = s.total_out + static_cast<uint64_t>(out - out_begin);
                    if (s.tval != s.checksum ||
                        (s.format == CCE_CF_FMT_GZIP && s.tval2 != static_cast<uint32_t>(total))) {
                        err = CCE_CORRUPT_CHECKSUM;
                        goto error;
                    }
                }
                s.mode = M_DONE;
                break;
            }
            case M_DONE:
                oc = Outcome::Done;
                goto out;
            default:
                err = CCE_CORRUPT_HEADER;
                goto error;
        }
    }
bad_header:
    err = CCE_CORRUPT_HEADER;
error:
    oc = Outcome::Error;
    goto out;
need_input:
    oc = Outcome::NeedInput;
    goto out;
output_full:
    oc = Outcome::OutputFull;
out:
    if (oc != Outcome::Error) finish_checksum();
    s.bitbuf = bb;
    s.bitcnt = static_cast<uint8_t>(bc);
    in_ref = in;
    out_ref = out;
    return oc;
}

Result DecompressStream::Impl::process(const uint8_t* in, size_t in_len, uint8_t* out,
                                       size_t out_cap, bool first, bool last, bool oneshot) {
    Result r;
    if ((!in && in_len) || (!out && out_cap)) {
        r.status = CCE_ST_INVALID_DESC;
        r.detail = CCE_INVD_LENGTH;
        return r;
    }
    if (!first && st.mode == M_DONE) {  // the stream has already ended
        r.stream_end = true;
        r.checksum = st.checksum;
        if (in_len) {
            r.status = CCE_ST_CORRUPT_INPUT;
            r.detail = CCE_CORRUPT_TRAILING;
        }
        return r;
    }
    if (first) {
        st = InState{};
        st.format = static_cast<uint8_t>(cfg_format);
        st.checksum = cfg_format == CCE_CF_FMT_ZLIB ? 1u : 0u;
        st.open = true;
        hist.clear();
        tables_valid = true;  // nothing needed in M_HEADER
        cur_lit = cur_dist = nullptr;
    } else if (!st.open) {
        r.status = CCE_ST_INVALID_PARAM;
        return r;
    }
    if (!tables_valid) {
        if (!rebuild_tables(st)) {
            r.status = CCE_ST_INVALID_PARAM;
            return r;
        }
        tables_valid = true;
    }
    InState s = st;
    r.checksum = s.checksum;
    if (s.mode == M_DONE) {
        r.stream_end = true;
        if (in_len) {
            r.status = CCE_ST_CORRUPT_INPUT;
            r.detail = CCE_CORRUPT_TRAILING;
        }
        return r;
    }
    const uint8_t* ip = in;
    uint8_t* op = out;
    uint32_t err = 0;
    Outcome oc = run(s, ip, in + in_len, op, out, out + out_cap, err);
    size_t produced = static_cast<size_t>(op - out);
    size_t consumed = static_cast<size_t>(ip - in);
    r.produced = produced;
    r.consumed = consumed;
    r.checksum = s.checksum;
    switch (oc) {
        case Outcome::Error:
            tables_valid = false;
            r.status = CCE_ST_CORRUPT_INPUT;
            r.detail = err;
            return r;
        case Outcome::Done: {
            // Whole bytes still in the bit buffer were read past the end.
            unsigned left_bytes = s.bitcnt >> 3;
            size_t back = std::min<size_t>(left_bytes, consumed);
            consumed -= back;
            r.consumed = consumed;
            r.stream_end = true;
            if (back < left_bytes || consumed < in_len) {
                tables_valid = false;
                r.status = CCE_ST_CORRUPT_INPUT;
                r.detail = CCE_CORRUPT_TRAILING;
                return r;
            }
            s.bitbuf = 0;
            s.bitcnt = 0;
            break;
        }
        case Outcome::NeedInput:
            if (last) {
                tables_valid = false;
                r.status = CCE_ST_CORRUPT_INPUT;
                r.detail = CCE_CORRUPT_TRUNCATED;
                return r;
            }
            break;
        case Outcome::OutputFull:
            if (oneshot) {
                tables_valid = false;
                r.status = CCE_ST_OUTPUT_TOO_SMALL;
                r.detail = 0;
                if (s.format == CCE_CF_FMT_GZIP && in_len >= 18) {
                    const uint8_t* t = in + in_len - 4;
                    uint32_t isize = t[0] | (t[1] << 8) | (t[2] << 16) | (uint32_t{t[3]} << 24);
                    if (isize > out_cap) r.detail = isize;
                }
                return r;
            }
            if (produced == 0 && consumed == 0) {
                tables_valid = false;
                r.status = CCE_ST_OUTPUT_TOO_SMALL;
                return r;
            }
            break;
    }
    // Commit: state and the history window.
    s.total_out += produced;
    if (!oneshot && oc != Outcome::Done) {
        if (produced >= kMaxWindow) {
            hist.assign(out + produced - kMaxWindow, out + produced);
        } else if (produced) {
            size_t keep = std::min<size_t>(hist.size(), kMaxWindow - produced);
            if (keep < hist.size()) hist.erase(hist.begin(), hist.begin() + static_cast<ptrdiff_t>(hist.size() - keep));
            hist.insert(hist.end(), out, out + produced);
        }
    }
    if (oc == Outcome::Done) {
        s.mode = M_DONE;
        hist.clear();
    }
    st = s;
    r.status = CCE_ST_SUCCESS;
    return r;
}

DecompressStream::DecompressStream() : impl_(std::make_unique<Impl>()) {}
DecompressStream::~DecompressStream() = default;

uint8_t DecompressStream::configure(unsigned format) {
    if (format > CCE_CF_FMT_GZIP) return CCE_ST_INVALID_DESC;
    impl_->cfg_format = format;
    return CCE_ST_SUCCESS;
}

Result DecompressStream::process(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                                 bool first, bool last) {
    return impl_->process(in, in_len, out, out_cap, first, last, false);
}

bool DecompressStream::active() const { return impl_->st.open && impl_->st.mode != M_DONE; }

size_t DecompressStream::save(uint8_t* buf, size_t cap) const {
    const Impl& m = *impl_;
    const InState& s = m.st;
    if (!s.open || !buf || cap < kCtxHeader) return 0;
    CtxWriter w(buf + kCtxHeader, cap - kCtxHeader);
    w.u8(s.format);
    w.u8(s.mode);
    w.u8(s.final);
    w.u8(s.btype);
    w.u8(s.bitcnt);
    w.u8(s.hstep);
    w.u8(s.gflags);
    w.u8(s.tstep);
    w.u64(s.bitbuf);
    w.u32(s.hrem);
    w.u32(s.hcrc);
    w.u32(s.stored_left);
    w.u16(s.nlen);
    w.u16(s.ndist);
    w.u16(s.ncl);
    w.u16(s.have);
    w.u32(s.len);
    w.u32(s.dist);
    w.u32(s.tval);
    w.u32(s.tval2);
    w.u32(s.checksum);
    w.u64(s.total_out);
    w.bytes(s.lens, sizeof s.lens);
    w.bytes(s.cl_lens, sizeof s.cl_lens);
    w.u32(static_cast<uint32_t>(m.hist.size()));
    w.bytes(m.hist.data(), m.hist.size());
    if (!w.ok()) return 0;
    return ctx_finish(buf, cap, kCtxKindDecompress, w.pos());
}

uint8_t DecompressStream::restore(const uint8_t* buf, size_t len) {
    const uint8_t* body;
    size_t blen;
    if (!ctx_open(buf, len, kCtxKindDecompress, &body, &blen)) return CCE_ST_INVALID_PARAM;
    CtxReader r(body, blen);
    InState s;
    s.format = r.u8();
    s.mode = r.u8();
    s.final = r.u8();
    s.btype = r.u8();
    s.bitcnt = r.u8();
    s.hstep = r.u8();
    s.gflags = r.u8();
    s.tstep = r.u8();
    s.bitbuf = r.u64();
    s.hrem = r.u32();
    s.hcrc = r.u32();
    s.stored_left = r.u32();
    s.nlen = r.u16();
    s.ndist = r.u16();
    s.ncl = r.u16();
    s.have = r.u16();
    s.len = r.u32();
    s.dist = r.u32();
    s.tval = r.u32();
    s.tval2 = r.u32();
    s.checksum = r.u32();
    s.total_out = r.u64();
    r.bytes(s.lens, sizeof s.lens);
    r.bytes(s.cl_lens, sizeof s.cl_lens);
    uint32_t hl = r.u32();
    if (!r.ok() || hl > kMaxWindow ||
        (s.mode != M_DONE && hl != std::min<uint64_t>(s.total_out, kMaxWindow)))
        return CCE_ST_INVALID_PARAM;
    std::vector<uint8_t> h(hl);
    if (!r.bytes(h.data(), hl) || r.pos() != blen) return CCE_ST_INVALID_PARAM;
    // Field validation: anything a well-behaved engine could not have saved.
    // A finished stream saves mode M_DONE with no history (a later chunk
    // then gets stream_end / TRAILING).
    if (s.mode == M_DONE && hl != 0) return CCE_ST_INVALID_PARAM;
    bool ok = s.format <= CCE_CF_FMT_GZIP && s.mode < M_COUNT && s.final <= 1 &&
              s.btype <= 2 && s.bitcnt <= 63 && (s.bitbuf >> s.bitcnt) == 0 &&
              s.hstep <= G_END && s.gflags < 0x20 && s.tstep <= 8 && s.stored_left <= 0xffff &&
              s.len <= kMaxMatch && s.dist <= kMaxWindow && s.ncl <= kNumCodeLen &&
              s.nlen <= 286 && s.ndist <= 30 && s.have <= s.nlen + s.ndist;
    for (uint8_t l : s.lens) ok = ok && l <= 15;
    for (uint8_t l : s.cl_lens) ok = ok && l <= 7;
    if (s.mode == M_COPY) ok = ok && s.dist >= 1 && s.dist <= hl && s.len > 0;
    if (s.mode == M_SYM || s.mode == M_DIST || s.mode == M_COPY) ok = ok && s.btype >= 1;
    if (s.btype == 2 && (s.mode == M_SYM || s.mode == M_DIST || s.mode == M_COPY))
        ok = ok && s.nlen >= 257 && s.ndist >= 1;
    if (s.mode == M_DYN_LENS) ok = ok && s.nlen >= 257 && s.ndist >= 1 && s.ncl >= 4;
    if (!ok) return CCE_ST_INVALID_PARAM;
    s.open = true;
    Impl& m = *impl_;
    InState saved = m.st;
    m.st = s;
    if (!m.rebuild_tables(s)) {
        m.st = saved;
        m.tables_valid = false;
        return CCE_ST_INVALID_PARAM;
    }
    m.tables_valid = true;
    m.hist.swap(h);
    return CCE_ST_SUCCESS;
}

Result decompress(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, unsigned format) {
    if (format > CCE_CF_FMT_GZIP) {
        Result r;
        r.status = CCE_ST_INVALID_DESC;
        r.detail = CCE_INVD_OP_FLAGS;
        return r;
    }
    thread_local DecompressStream::Impl impl;
    impl.cfg_format = format;
    return impl.process(in, in_len, out, out_cap, true, true, true);
}

}  // namespace cce::datapath::deflate
