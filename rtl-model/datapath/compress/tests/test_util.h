// SPDX-License-Identifier: MIT
// Test helpers: data generators, zlib oracle wrappers, guarded buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cce/datapath/deflate.h"

namespace cce_test {

using Bytes = std::vector<uint8_t>;

enum class Kind { Random, Runs, Text, Zeros, Mixed, Binaryish };
const char* kind_name(Kind k);
Bytes make_data(Kind k, size_t n, uint32_t seed);

// zlib window bits argument for a format and window (raw: -w, gzip: 16+w).
int zlib_wbits(unsigned format, unsigned wbits);
// Inflate with zlib; returns false (and a message) on any zlib error.
bool zlib_inflate(const Bytes& in, unsigned format, unsigned wbits, Bytes& out, std::string* msg);
// Deflate with zlib at a level (0..9), optional strategy/memLevel.
Bytes zlib_deflate(const Bytes& in, unsigned format, int level, int wbits = 15, int mem_level = 8,
                   int strategy = 0);

// Our one-shot wrappers (grow the output as needed).
Bytes our_compress(const Bytes& in, unsigned format, unsigned level, unsigned wbits = 15);
cce::datapath::deflate::Result our_decompress(const Bytes& in, unsigned format, Bytes& out,
                                              size_t cap);

// A buffer whose end is followed by an inaccessible page: writing past
// size() faults immediately.
class GuardedBuffer {
public:
    explicit GuardedBuffer(size_t size);
    ~GuardedBuffer();
    GuardedBuffer(const GuardedBuffer&) = delete;
    GuardedBuffer& operator=(const GuardedBuffer&) = delete;
    uint8_t* data() { return data_; }
    size_t size() const { return size_; }

private:
    uint8_t* map_ = nullptr;
    size_t map_len_ = 0;
    uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

// Real files of the machine (bounded total size), read once.
struct FileSample {
    std::string path;
    Bytes data;
};
const std::vector<FileSample>& machine_files();
// A few MiB made of machine files concatenated (text + binary + .gz).
const Bytes& machine_corpus();

bool have_gzip_binary();
// Run `gzip -<level> -c` on data; empty on failure.
Bytes run_gzip(const Bytes& data, int level);

}  // namespace cce_test
