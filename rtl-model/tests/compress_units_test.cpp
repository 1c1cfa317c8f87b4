// SPDX-License-Identifier: MIT
// COMPRESS / DECOMPRESS through the queue engine, one-shot and streamed
// across descriptors with a context buffer, checked against zlib.
#include <zlib.h>

#include <string>

#include "fixture.h"

namespace cce::test {

namespace {

constexpr uint32_t kPasid = 21;

int zlib_wbits(unsigned fmt) { return fmt == CCE_CF_FMT_RAW ? -15 : fmt == CCE_CF_FMT_ZLIB ? 15 : 31; }

std::vector<uint8_t> zlib_inflate(const std::vector<uint8_t>& in, unsigned fmt, size_t max_out) {
    z_stream z{};
    inflateInit2(&z, zlib_wbits(fmt));
    std::vector<uint8_t> out(max_out + 1);
    z.next_in = const_cast<uint8_t*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    out.resize(rc == Z_STREAM_END ? z.total_out : 0);
    inflateEnd(&z);
    return out;
}

std::vector<uint8_t> zlib_deflate(const std::vector<uint8_t>& in, unsigned fmt, int level) {
    z_stream z{};
    deflateInit2(&z, level, Z_DEFLATED, zlib_wbits(fmt), 8, Z_DEFAULT_STRATEGY);
    std::vector<uint8_t> out(deflateBound(&z, static_cast<uLong>(in.size())));
    z.next_in = const_cast<uint8_t*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// Compressible text-like data.
std::vector<uint8_t> text(size_t n, uint32_t seed) {
    static const char* words[] = {"engine ", "queue ", "descriptor ", "completion ", "PASID ",
                                  "doorbell ", "the ", "a ", "translation ", "page\n"};
    std::mt19937 rng(seed);
    std::string s;
    while (s.size() < n) s += words[rng() % 10];
    s.resize(n);
    return {s.begin(), s.end()};
}

class CompressUnitTest : public EngineTest {
protected:
    void SetUp() override {
        EngineTest::SetUp();
        QueueOptions o;
        o.pasid = kPasid;
        o.pri = true;
        q = &queue(0, o);
        q->enable();
    }
    cce_cpl run_one(const cce_desc& d) {
        q->submit(d);
        auto c = q->run_and_collect();
        EXPECT_EQ(c.size(), 1u);
        return c.empty() ? cce_cpl{} : c[0];
    }
    cce_desc oneshot(uint8_t op, uint64_t src, size_t n, uint64_t dst, size_t cap, uint32_t flags) {
        cce_desc d = make_desc(op, src, uint32_t(n), dst, uint32_t(cap));
        d.flags |= CCE_DF_FIRST | CCE_DF_LAST;
        d.op_flags = flags;
        return d;
    }
    TestQueue* q = nullptr;
};

}  // namespace

TEST_F(CompressUnitTest, OneShotCompressInflatesWithZlibEveryFormatAndLevel) {
    const auto data = text(300000, 1);
    const uint64_t src = buffer(kPasid, data);
    for (unsigned fmt : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP}) {
        for (unsigned level : {1u, 6u, 9u}) {
            const uint64_t dst = h->reserve(kPasid, data.size());  // faulted in by PRI
            const auto c = run_one(oneshot(CCE_OP_COMPRESS, src, data.size(), dst, data.size(),
                                           CCE_CF_MAKE(fmt, level)));
            ASSERT_EQ(c.status, CCE_ST_SUCCESS) << fmt << "/" << level;
            EXPECT_EQ(c.bytes_consumed, data.size());
            EXPECT_LT(c.bytes_produced, data.size() / 2);
            const auto comp = h->read_vec(kPasid, dst, c.bytes_produced);
            EXPECT_EQ(zlib_inflate(comp, fmt, data.size()), data) << fmt << "/" << level;
            const uint32_t want_sum = fmt == CCE_CF_FMT_ZLIB
                                          ? uint32_t(adler32(1, data.data(), uInt(data.size())))
                                          : uint32_t(crc32(0, data.data(), uInt(data.size())));
            EXPECT_EQ(c.result, want_sum);
        }
    }
    EXPECT_GT(engine->stats().page_requests, 0u);
}

TEST_F(CompressUnitTest, OneShotDecompressOfZlibOutput) {
    const auto data = text(123457, 2);
    for (unsigned fmt : {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP}) {
        const auto comp = zlib_deflate(data, fmt, 9);
        const uint64_t src = buffer(kPasid, comp), dst = h->alloc(kPasid, data.size());
        const auto c = run_one(oneshot(CCE_OP_DECOMPRESS, src, comp.size(), dst, data.size(), fmt));
        ASSERT_EQ(c.status, CCE_ST_SUCCESS) << fmt;
        EXPECT_TRUE(c.flags & CCE_CPL_EOS);
        EXPECT_EQ(c.bytes_produced, data.size());
        EXPECT_EQ(c.bytes_consumed, comp.size());
        EXPECT_EQ(h->read_vec(kPasid, dst, data.size()), data);
    }
}

TEST_F(CompressUnitTest, StreamedCompressionAcrossDescriptors) {
    const auto data = text(200000, 3);
    const uint64_t src = buffer(kPasid, data);
    const uint64_t ctx = h->alloc(kPasid, CCE_STREAM_CTX_SIZE);
    const uint32_t cuts[] = {0, 1000, 70001, 150000, uint32_t(data.size())};
    std::vector<uint8_t> stream;
    for (int i = 0; i < 4; ++i) {
        const uint32_t n = cuts[i + 1] - cuts[i];
        const uint64_t dst = h->alloc(kPasid, n + 1024);
        cce_desc d = make_desc(CCE_OP_COMPRESS, src + cuts[i], n, dst, n + 1024);
        d.flags |= (i == 0 ? CCE_DF_FIRST : 0) | (i == 3 ? CCE_DF_LAST : 0);
        d.op_flags = CCE_CF_MAKE(CCE_CF_FMT_GZIP, 6);
        d.param = ctx;
        d.param_len = CCE_STREAM_CTX_SIZE;
        const auto c = run_one(d);
        ASSERT_EQ(c.status, CCE_ST_SUCCESS) << "chunk " << i;
        const auto part = h->read_vec(kPasid, dst, c.bytes_produced);
        stream.insert(stream.end(), part.begin(), part.end());
    }
    EXPECT_EQ(zlib_inflate(stream, CCE_CF_FMT_GZIP, data.size()), data);
}

TEST_F(CompressUnitTest, StreamedDecompressionWithSmallOutputBuffers) {
    const auto data = text(100000, 4);
    const auto comp = zlib_deflate(data, CCE_CF_FMT_ZLIB, 6);
    const uint64_t src = buffer(kPasid, comp);
    const uint64_t ctx = h->alloc(kPasid, CCE_STREAM_CTX_SIZE);
    const uint64_t out = h->alloc(kPasid, 8192);
    std::vector<uint8_t> got;
    uint32_t pos = 0;
    bool first = true, eos = false;
    for (int guard = 0; !eos && guard < 1000; ++guard) {
        // Input in 3000-byte pieces, output 8 KiB at a time.
        const uint32_t n = std::min<uint32_t>(3000, uint32_t(comp.size()) - pos);
        const bool last = pos + n == comp.size();
        cce_desc d = make_desc(CCE_OP_DECOMPRESS, src + pos, n, out, 8192);
        d.flags |= (first ? CCE_DF_FIRST : 0) | (last ? CCE_DF_LAST : 0);
        d.op_flags = CCE_CF_FMT_ZLIB;
        d.param = ctx;
        d.param_len = CCE_STREAM_CTX_SIZE;
        const auto c = run_one(d);
        ASSERT_EQ(c.status, CCE_ST_SUCCESS) << "at " << pos;
        const auto part = h->read_vec(kPasid, out, c.bytes_produced);
        got.insert(got.end(), part.begin(), part.end());
        pos += c.bytes_consumed;
        first = false;
        eos = c.flags & CCE_CPL_EOS;
    }
    EXPECT_TRUE(eos);
    EXPECT_EQ(pos, comp.size());
    EXPECT_EQ(got, data);
}

TEST_F(CompressUnitTest, CorruptInputAndSmallOutputGetTheirStatus) {
    const auto data = text(50000, 5);
    auto comp = zlib_deflate(data, CCE_CF_FMT_ZLIB, 6);
    // Wrong Adler-32 trailer.
    auto bad = comp;
    bad.back() ^= 0xff;
    const uint64_t dst = h->alloc(kPasid, data.size());
    auto c = run_one(oneshot(CCE_OP_DECOMPRESS, buffer(kPasid, bad), bad.size(), dst, data.size(),
                             CCE_CF_FMT_ZLIB));
    EXPECT_EQ(c.status, CCE_ST_CORRUPT_INPUT);
    EXPECT_EQ(c.result, uint32_t(CCE_CORRUPT_CHECKSUM));
    // Truncated.
    std::vector<uint8_t> cut(comp.begin(), comp.begin() + comp.size() / 2);
    c = run_one(oneshot(CCE_OP_DECOMPRESS, buffer(kPasid, cut), cut.size(), dst, data.size(),
                        CCE_CF_FMT_ZLIB));
    EXPECT_EQ(c.status, CCE_ST_CORRUPT_INPUT);
    EXPECT_EQ(c.result, uint32_t(CCE_CORRUPT_TRUNCATED));
    // Block type 3 in a raw stream.
    const std::vector<uint8_t> bt3 = {0x07, 0x00};
    c = run_one(oneshot(CCE_OP_DECOMPRESS, buffer(kPasid, bt3), bt3.size(), dst, 100, CCE_CF_FMT_RAW));
    EXPECT_EQ(c.status, CCE_ST_CORRUPT_INPUT);
    EXPECT_EQ(c.result, uint32_t(CCE_CORRUPT_BLOCK_TYPE));
    // Compress into a buffer that is too small: the size needed comes back.
    const uint64_t src = buffer(kPasid, data);
    c = run_one(oneshot(CCE_OP_COMPRESS, src, data.size(), dst, 10, CCE_CF_MAKE(CCE_CF_FMT_ZLIB, 6)));
    EXPECT_EQ(c.status, CCE_ST_OUTPUT_TOO_SMALL);
    EXPECT_GT(c.result, 10u);
    const uint32_t need = c.result;
    c = run_one(oneshot(CCE_OP_COMPRESS, src, data.size(), dst, need, CCE_CF_MAKE(CCE_CF_FMT_ZLIB, 6)));
    EXPECT_EQ(c.status, CCE_ST_SUCCESS);
    EXPECT_EQ(c.bytes_produced, need);
}

TEST_F(CompressUnitTest, MalformedCompressionDescriptors) {
    const uint64_t buf = h->alloc(kPasid, 8192), out = buf + 4096;
    const uint64_t ctx = h->alloc(kPasid, CCE_STREAM_CTX_SIZE);
    const std::vector<uint8_t> junk = pattern(CCE_STREAM_CTX_SIZE, 6);
    h->write_va(kPasid, ctx, junk.data(), junk.size());
    struct Case {
        const char* what;
        cce_desc d;
        uint8_t status;
        uint32_t result;
    };
    auto c1 = [&](uint32_t f) { return oneshot(CCE_OP_COMPRESS, buf, 100, out, 4096, f); };
    std::vector<Case> cases = {
        {"format 3", c1(3), CCE_ST_INVALID_DESC, CCE_INVD_OP_FLAGS},
        {"level 10", c1(CCE_CF_MAKE(0, 10)), CCE_ST_INVALID_DESC, CCE_INVD_OP_FLAGS},
        {"window bits 8", c1(CCE_CF_MAKE_W(0, 1, 8)), CCE_ST_INVALID_DESC, CCE_INVD_OP_FLAGS},
        {"unknown op_flags bit", c1(1u << 20), CCE_ST_INVALID_DESC, CCE_INVD_OP_FLAGS},
        {"level on decompress", oneshot(CCE_OP_DECOMPRESS, buf, 100, out, 4096, CCE_CF_MAKE(0, 6)),
         CCE_ST_INVALID_DESC, CCE_INVD_OP_FLAGS},
    };
    {
        cce_desc d = c1(0);
        d.flags &= ~CCE_DF_FIRST;  // continuation without a context
        cases.push_back({"stream without context", d, CCE_ST_INVALID_DESC, CCE_INVD_PARAM});
    }
    {
        cce_desc d = c1(0);
        d.flags &= ~CCE_DF_FIRST;
        d.param = ctx;
        d.param_len = CCE_STREAM_CTX_SIZE;
        cases.push_back({"garbage context", d, CCE_ST_INVALID_PARAM, 0});
    }
    {
        cce_desc d = c1(0);
        d.param = ctx;
        d.param_len = 64;
        cases.push_back({"context on a one-shot job", d, CCE_ST_INVALID_DESC, CCE_INVD_PARAM});
    }
    for (const auto& c : cases) {
        const auto got = run_one(c.d);
        EXPECT_EQ(got.status, c.status) << c.what;
        EXPECT_EQ(got.result, c.result) << c.what;
    }
}

}  // namespace cce::test
