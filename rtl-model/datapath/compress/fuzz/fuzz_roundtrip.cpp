// SPDX-License-Identifier: MIT
// libFuzzer target: compress arbitrary data (one-shot and streamed in
// chunks with context save/restore) at a level/window/format taken from the
// first bytes, then decompress and compare.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cce/datapath/deflate.h"

namespace dfl = cce::datapath::deflate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    const unsigned format = data[0] % 3;
    const unsigned level = 1 + data[1] % 9;
    const unsigned wbits = 9 + data[2] % 7;
    data += 3;
    size -= 3;

    std::vector<uint8_t> c(dfl::compress_bound(size, format));
    dfl::Result r = dfl::compress(data, size, c.data(), c.size(), format, level, wbits);
    if (r.status != CCE_ST_SUCCESS || r.consumed != size || !r.stream_end) std::abort();
    std::vector<uint8_t> d(size);
    dfl::Result rd = dfl::decompress(c.data(), r.produced, d.data(), d.size(), format);
    if (rd.status != CCE_ST_SUCCESS || rd.produced != size || rd.checksum != r.checksum) std::abort();
    if (size && std::memcmp(d.data(), data, size) != 0) std::abort();

    // Streamed compression, chunk sizes from the data itself.
    std::vector<uint8_t> all;
    std::vector<uint8_t> ctx(CCE_STREAM_CTX_SIZE);
    size_t ctx_len = 0, off = 0;
    bool first = true;
    for (;;) {
        size_t n = std::min<size_t>(size - off, size ? 1 + data[off % size] * 3 : 0);
        bool last = off + n == size;
        dfl::CompressStream s;
        s.configure(format, level, wbits);
        if (!first && s.restore(ctx.data(), ctx_len) != CCE_ST_SUCCESS) std::abort();
        std::vector<uint8_t> out(dfl::compress_bound(n, format) + 8);
        dfl::Result rs = s.process(data + off, n, out.data(), out.size(), first, last);
        if (rs.status != CCE_ST_SUCCESS) std::abort();
        all.insert(all.end(), out.begin(), out.begin() + static_cast<long>(rs.produced));
        off += n;
        first = false;
        if (last) {
            if (rs.checksum != r.checksum) std::abort();
            break;
        }
        ctx_len = s.save(ctx.data(), ctx.size());
        if (!ctx_len) std::abort();
    }
    rd = dfl::decompress(all.data(), all.size(), d.data(), d.size(), format);
    if (rd.status != CCE_ST_SUCCESS || rd.produced != size) std::abort();
    if (size && std::memcmp(d.data(), data, size) != 0) std::abort();
    return 0;
}
