// SPDX-License-Identifier: MIT
// Deflate (RFC 1951) compressor/decompressor of the CCE compression unit,
// with zlib (RFC 1950) and gzip (RFC 1952) framing. Written as the hardware
// would do it: a hash-table + chain LZ77 match finder, a block encoder that
// picks stored / fixed / dynamic Huffman per block by exact bit cost, and a
// table-driven inflater that is a resumable state machine (input may end and
// output may fill at any bit) with a fast inner loop.
//
// No exceptions on data errors: every call returns a Result whose status is
// an enum cce_status value and whose detail is an enum cce_corrupt_reason
// (CCE_ST_CORRUPT_INPUT) or the bytes needed (CCE_ST_OUTPUT_TOO_SMALL, 0 =
// unknown). Nothing is ever written at or beyond out + out_cap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "cce/cce_hw.h"

namespace cce::datapath::deflate {

// Format values are CCE_CF_FMT_RAW / CCE_CF_FMT_ZLIB / CCE_CF_FMT_GZIP.
// level: 1 (fast) .. 9 (best), 0 = default (6). wbits: 9..15, 0 = 15.
constexpr unsigned kDefaultLevel = 6;
constexpr unsigned kMaxWbits = 15;
constexpr unsigned kMinWbits = 9;

struct Result {
    uint8_t status = CCE_ST_SUCCESS;  // enum cce_status
    uint32_t detail = 0;              // cce_corrupt_reason / bytes needed / cce_invd_reason
    size_t consumed = 0;              // input bytes used
    size_t produced = 0;              // output bytes written
    uint32_t checksum = 0;            // of the uncompressed data so far:
                                      // adler32 (zlib) or crc32 (raw, gzip)
    bool stream_end = false;          // final block (+ trailer) done / written
};

// Adler-32 (RFC 1950). Start with adler = 1.
uint32_t adler32(uint32_t adler, const void* data, size_t len);

// Worst-case compressed size for in_len bytes in one call (stored blocks +
// framing); an output buffer this large never gets OUTPUT_TOO_SMALL.
size_t compress_bound(size_t in_len, unsigned format);

// One-shot. Compress: produces a complete stream (header, final block,
// trailer). On OUTPUT_TOO_SMALL detail = exact size needed (if < 2^32).
Result compress(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                unsigned format, unsigned level = kDefaultLevel, unsigned wbits = 15);

// One-shot. Decompress a complete stream. Trailing bytes after the end of
// the stream are CORRUPT_INPUT/TRAILING; a stream that ends early is
// CORRUPT_INPUT/TRUNCATED; a full output buffer is OUTPUT_TOO_SMALL (detail =
// gzip ISIZE when it is larger than out_cap, else 0).
Result decompress(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                  unsigned format);

// One LZ77 token of an external match finder (the RTL LZ77 core): dist == 0
// is a literal (lit_or_len = byte), else a match of lit_or_len (4..258) bytes
// at distance dist.
struct Token {
    uint16_t dist;
    uint16_t lit_or_len;
};

// One-shot level-1 compression whose LZ77 tokens come from outside (rtl
// datapath mode). The block encoder is the one compress() uses, so the
// tokens of the level-1 match finder give a bit-identical stream. Tokens must
// reproduce in[0..in_len) exactly; otherwise CCE_ST_INTERNAL_ERROR (a broken
// match finder must not produce a wrong stream).
Result compress_tokens(const uint8_t* in, size_t in_len, const Token* tok, size_t ntok,
                       uint8_t* out, size_t out_cap, unsigned format, unsigned wbits = 15);
bool tokens_cover(const uint8_t* in, size_t in_len, const Token* tok, size_t ntok, unsigned wbits);

// Streaming compressor: one chunk (descriptor) per process() call.
//  - configure() sets format/level/wbits used when a chunk has first=true.
//  - first=true starts a new stream (writes the zlib/gzip header into this
//    chunk's output); otherwise the stream continues from the state left by
//    the previous successful process() or by restore().
//  - Each chunk's input is fully compressed into that chunk's output (whole
//    blocks, non-final; up to 7 leftover bits stay in the context). last=true
//    writes the final block and the trailer (stream_end=true).
//  - Output that does not fit: OUTPUT_TOO_SMALL with detail = exact bytes
//    needed; the stream state is left unchanged so the chunk can be retried.
class CompressStream {
public:
    CompressStream();
    ~CompressStream();
    CompressStream(const CompressStream&) = delete;
    CompressStream& operator=(const CompressStream&) = delete;

    // Returns CCE_ST_SUCCESS or CCE_ST_INVALID_DESC (detail CCE_INVD_OP_FLAGS).
    uint8_t configure(unsigned format, unsigned level = kDefaultLevel, unsigned wbits = 15);
    Result process(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                   bool first, bool last);
    // Context buffer: save() returns bytes written (0 if cap is too small or
    // there is no stream); at most CCE_STREAM_CTX_SIZE. restore() returns
    // CCE_ST_SUCCESS or CCE_ST_INVALID_PARAM (garbage/foreign context).
    size_t save(uint8_t* buf, size_t cap) const;
    uint8_t restore(const uint8_t* buf, size_t len);
    bool active() const;  // a stream is open (first seen, last not yet)

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// Streaming decompressor.
//  - first=true starts a new stream of the configured format.
//  - Input may be split anywhere. When all input of a non-last chunk is used
//    the call returns SUCCESS, consumed = in_len (partial bits are kept in
//    the context). When the output buffer fills, the call returns SUCCESS with
//    consumed <= in_len: software resubmits in + consumed. A call that can
//    neither consume input nor produce output (out_cap too small to make
//    progress) returns OUTPUT_TOO_SMALL, detail 0.
//  - stream_end is set once the final block and the trailer are checked.
//    Input left after the end: CORRUPT_INPUT/TRAILING. last=true and the
//    stream is not complete after using all input: CORRUPT_INPUT/TRUNCATED.
//  - On any error the state is not advanced.
//  - save() also works after the end of the stream (the context then makes
//    later chunks report stream_end, or TRAILING if they carry data);
//    active() is false once the stream has ended.
class DecompressStream {
public:
    DecompressStream();
    ~DecompressStream();
    DecompressStream(const DecompressStream&) = delete;
    DecompressStream& operator=(const DecompressStream&) = delete;

    uint8_t configure(unsigned format);
    Result process(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                   bool first, bool last);
    size_t save(uint8_t* buf, size_t cap) const;
    uint8_t restore(const uint8_t* buf, size_t len);
    bool active() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace cce::datapath::deflate
