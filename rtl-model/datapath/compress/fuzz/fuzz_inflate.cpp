// SPDX-License-Identifier: MIT
// libFuzzer target: inflate arbitrary bytes in all formats, one-shot and
// streamed (random splits + context save/restore), with exact-size output
// buffers so that any overrun is caught by ASan. One-shot and streamed
// decoding must agree.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "cce/datapath/deflate.h"

namespace dfl = cce::datapath::deflate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const unsigned format = data[0] % 3;
    const unsigned split_seed = data[1];
    data += 2;
    size -= 2;
    const size_t cap = 1u << 16;

    // One-shot into an exact-size heap buffer.
    std::vector<uint8_t> one(cap);
    dfl::Result r1 = dfl::decompress(data, size, one.data(), one.size(), format);
    if (r1.produced > cap || r1.consumed > size) std::abort();

    // Streamed: chunk sizes derived from the seed, output in small pieces.
    auto s = std::make_unique<dfl::DecompressStream>();
    s->configure(format);
    std::vector<uint8_t> ctx(CCE_STREAM_CTX_SIZE);
    std::vector<uint8_t> all;
    size_t off = 0;
    bool first = true;
    uint32_t rng = split_seed * 2654435761u + 1;
    dfl::Result r{};
    for (int iter = 0; iter < 100000; ++iter) {
        rng = rng * 1103515245u + 12345u;
        size_t n = std::min<size_t>(size - off, 1 + (rng >> 16) % ((split_seed & 1) ? 97 : 1500));
        bool last = off + n == size;
        size_t ocap = 1 + (rng >> 8) % 300;
        std::vector<uint8_t> out(ocap);  // exact size: ASan catches overruns
        r = s->process(data + off, n, out.data(), ocap, first, last);
        if (r.produced > ocap || r.consumed > n) std::abort();
        if (r.status != CCE_ST_SUCCESS) break;
        all.insert(all.end(), out.begin(), out.begin() + static_cast<long>(r.produced));
        off += r.consumed;
        first = false;
        if (r.stream_end || all.size() > cap) break;
        size_t cl = s->save(ctx.data(), ctx.size());
        if (cl == 0 || cl > CCE_STREAM_CTX_SIZE) std::abort();
        auto t = std::make_unique<dfl::DecompressStream>();
        if (t->restore(ctx.data(), cl) != CCE_ST_SUCCESS) std::abort();
        s = std::move(t);
    }
    // Agreement: a one-shot success means the streamed decode succeeds with
    // the same bytes, and vice versa for complete streams within the cap.
    if (r1.status == CCE_ST_SUCCESS) {
        if (!(r.status == CCE_ST_SUCCESS && r.stream_end)) std::abort();
        if (all.size() != r1.produced) std::abort();
        if (!all.empty() && std::memcmp(all.data(), one.data(), all.size()) != 0) std::abort();
    } else if (r.status == CCE_ST_SUCCESS && r.stream_end && all.size() <= cap && off == size) {
        std::abort();
    }
    if (r1.status == CCE_ST_CORRUPT_INPUT && r.status == CCE_ST_CORRUPT_INPUT && r1.detail != r.detail &&
        all.size() <= cap) {
        // Same input, same verdict (unless the one-shot buffer was the limit).
        std::abort();
    }
    return 0;
}
