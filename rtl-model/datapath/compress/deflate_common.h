// SPDX-License-Identifier: MIT
// Internal constants and helpers shared by the deflate encoder and decoder.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace cce::datapath::deflate::detail {

constexpr unsigned kNumLitLen = 288;   // 0..285 used, 286/287 invalid
constexpr unsigned kNumDist = 32;      // 0..29 used, 30/31 invalid
constexpr unsigned kNumCodeLen = 19;
constexpr unsigned kMaxCodeBits = 15;
constexpr unsigned kMaxCodeLenBits = 7;
constexpr unsigned kEob = 256;
constexpr unsigned kMinMatch = 3;
constexpr unsigned kMaxMatch = 258;
constexpr unsigned kMaxWindow = 32768;

// Order in which code length code lengths are sent (RFC 1951 3.2.7).
constexpr uint8_t kCodeLenOrder[kNumCodeLen] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                11, 4,  12, 3, 13, 2, 14, 1, 15};

// Length symbols 257..285: base and extra bits.
constexpr uint16_t kLenBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                   31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                   2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
// Distance symbols 0..29.
constexpr uint16_t kDistBase[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,
                                    33,  49,  65,  97,  129, 193,  257,  385,  513,  769,
                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

inline uint32_t reverse_bits(uint32_t code, unsigned len) {
    uint32_t r = 0;
    for (unsigned i = 0; i < len; ++i) {
        r = (r << 1) | (code & 1);
        code >>= 1;
    }
    return r;
}

inline uint64_t load64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
inline uint32_t load32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
inline void store64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }

// Fixed Huffman code lengths (RFC 1951 3.2.6).
inline void fixed_litlen_lengths(uint8_t* lens) {
    unsigned i = 0;
    for (; i < 144; ++i) lens[i] = 8;
    for (; i < 256; ++i) lens[i] = 9;
    for (; i < 280; ++i) lens[i] = 7;
    for (; i < 288; ++i) lens[i] = 8;
}

// ---- context (de)serialisation -------------------------------------------
// Layout: magic u32 | version u16 | kind u16 | body_len u32 | body | crc32 u32.
constexpr uint32_t kCtxMagic = 0x58544343u;  // "CCTX"
constexpr uint16_t kCtxVersion = 1;
constexpr uint16_t kCtxKindCompress = 0xC0;
constexpr uint16_t kCtxKindDecompress = 0xD0;

class CtxWriter {
public:
    CtxWriter(uint8_t* buf, size_t cap) : buf_(buf), cap_(cap) {}
    void u8(uint8_t v) { bytes(&v, 1); }
    void u16(uint16_t v) { le(v, 2); }
    void u32(uint32_t v) { le(v, 4); }
    void u64(uint64_t v) { le(v, 8); }
    void bytes(const void* p, size_t n) {
        if (n == 0) return;
        if (pos_ + n > cap_) {
            ok_ = false;
            pos_ += n;
            return;
        }
        std::memcpy(buf_ + pos_, p, n);
        pos_ += n;
    }
    size_t pos() const { return pos_; }
    bool ok() const { return ok_; }
    uint8_t* data() { return buf_; }

private:
    void le(uint64_t v, unsigned n) {
        uint8_t b[8];
        for (unsigned i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
        bytes(b, n);
    }
    uint8_t* buf_;
    size_t cap_;
    size_t pos_ = 0;
    bool ok_ = true;
};

class CtxReader {
public:
    CtxReader(const uint8_t* buf, size_t len) : buf_(buf), len_(len) {}
    uint8_t u8() { return static_cast<uint8_t>(le(1)); }
    uint16_t u16() { return static_cast<uint16_t>(le(2)); }
    uint32_t u32() { return static_cast<uint32_t>(le(4)); }
    uint64_t u64() { return le(8); }
    bool bytes(void* p, size_t n) {
        if (n > len_ - pos_ || !ok_) {
            ok_ = false;
            return false;
        }
        if (n) std::memcpy(p, buf_ + pos_, n);
        pos_ += n;
        return true;
    }
    bool ok() const { return ok_; }
    size_t pos() const { return pos_; }

private:
    uint64_t le(unsigned n) {
        uint8_t b[8] = {};
        if (!bytes(b, n)) return 0;
        uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i) v |= static_cast<uint64_t>(b[i]) << (8 * i);
        return v;
    }
    const uint8_t* buf_;
    size_t len_;
    size_t pos_ = 0;
    bool ok_ = true;
};

// Frame a body written at buf + 12: fills the header, appends the CRC.
// Returns total size or 0 on overflow.
size_t ctx_finish(uint8_t* buf, size_t cap, uint16_t kind, size_t body_len);
// Validate a framed context; on success returns body pointer/length.
bool ctx_open(const uint8_t* buf, size_t len, uint16_t kind, const uint8_t** body,
              size_t* body_len);
constexpr size_t kCtxHeader = 12;
constexpr size_t kCtxTrailer = 4;

}  // namespace cce::datapath::deflate::detail
