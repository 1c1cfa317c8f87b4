// SPDX-License-Identifier: MIT
// Interoperability with zlib (the oracle) and the gzip binary, both ways.
#include <gtest/gtest.h>
#include <zlib.h>

#include <random>

#include "cce/datapath/crc.h"
#include "test_util.h"

namespace dfl = cce::datapath::deflate;
using namespace cce_test;

namespace {

const unsigned kFormats[] = {CCE_CF_FMT_RAW, CCE_CF_FMT_ZLIB, CCE_CF_FMT_GZIP};

uint32_t expected_checksum(unsigned format, const Bytes& d) {
    if (format == CCE_CF_FMT_ZLIB) return static_cast<uint32_t>(::adler32(1, d.data(), static_cast<uInt>(d.size())));
    return cce::datapath::crc32(0, d.data(), d.size());
}

// Compress with ours, check with zlib, decompress with ours.
void check_roundtrip(const Bytes& d, unsigned format, unsigned level, unsigned wbits, const std::string& what) {
    SCOPED_TRACE(what + " fmt=" + std::to_string(format) + " level=" + std::to_string(level) +
                 " wbits=" + std::to_string(wbits) + " n=" + std::to_string(d.size()));
    Bytes c(dfl::compress_bound(d.size(), format));
    auto r = dfl::compress(d.data(), d.size(), c.data(), c.size(), format, level, wbits);
    ASSERT_EQ(r.status, CCE_ST_SUCCESS);
    ASSERT_TRUE(r.stream_end);
    EXPECT_EQ(r.consumed, d.size());
    EXPECT_EQ(r.checksum, expected_checksum(format, d));
    c.resize(r.produced);
    Bytes z;
    std::string msg;
    ASSERT_TRUE(zlib_inflate(c, format, wbits, z, &msg)) << msg;
    ASSERT_TRUE(z == d) << "zlib inflate of our stream differs";
    Bytes o;
    auto rd = our_decompress(c, format, o, d.size());
    ASSERT_EQ(rd.status, CCE_ST_SUCCESS) << "detail " << rd.detail;
    EXPECT_TRUE(rd.stream_end);
    EXPECT_EQ(rd.consumed, c.size());
    EXPECT_EQ(rd.checksum, r.checksum);
    ASSERT_TRUE(o == d);
}

void check_zlib_to_ours(const Bytes& d, unsigned format, int level, int wbits = 15, int mem = 8, int strategy = 0) {
    SCOPED_TRACE("zlib level=" + std::to_string(level) + " fmt=" + std::to_string(format) +
                 " wbits=" + std::to_string(wbits) + " mem=" + std::to_string(mem) +
                 " strat=" + std::to_string(strategy) + " n=" + std::to_string(d.size()));
    Bytes c = zlib_deflate(d, format, level, wbits, mem, strategy);
    ASSERT_FALSE(c.empty());
    Bytes o;
    auto r = our_decompress(c, format, o, d.size());
    ASSERT_EQ(r.status, CCE_ST_SUCCESS) << "detail " << r.detail;
    EXPECT_TRUE(r.stream_end);
    EXPECT_EQ(r.consumed, c.size());
    EXPECT_EQ(r.checksum, expected_checksum(format, d));
    ASSERT_TRUE(o == d);
}

}  // namespace

TEST(Adler32, MatchesZlib) {
    std::mt19937 rng(3);
    for (size_t n : {0u, 1u, 15u, 16u, 17u, 5551u, 5552u, 5553u, 100000u}) {
        Bytes d(n);
        for (auto& b : d) b = static_cast<uint8_t>(rng() | 0x80);  // high bytes stress the sums
        uint32_t ref = static_cast<uint32_t>(::adler32(1, d.data(), static_cast<uInt>(n)));
        EXPECT_EQ(dfl::adler32(1, d.data(), n), ref) << n;
        size_t cut = n / 3;
        EXPECT_EQ(dfl::adler32(dfl::adler32(1, d.data(), cut), d.data() + cut, n - cut), ref) << n;
    }
    Bytes ff(200000, 0xff);
    EXPECT_EQ(dfl::adler32(1, ff.data(), ff.size()),
              static_cast<uint32_t>(::adler32(1, ff.data(), static_cast<uInt>(ff.size()))));
}

TEST(Interop, OursToZlibAllLevelsSmallSizes) {
    const size_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 31, 258, 259, 1000, 4097};
    for (unsigned f : kFormats)
        for (unsigned level = 1; level <= 9; ++level)
            for (Kind k : {Kind::Random, Kind::Runs, Kind::Text, Kind::Zeros})
                for (size_t n : sizes) check_roundtrip(make_data(k, n, static_cast<uint32_t>(n + level)), f, level, 15, kind_name(k));
}

TEST(Interop, OursToZlibAllLevelsMediumSizes) {
    const size_t sizes[] = {65535, 65536, 65537, 100003};
    for (unsigned level = 1; level <= 9; ++level)
        for (Kind k : {Kind::Random, Kind::Runs, Kind::Text, Kind::Mixed, Kind::Binaryish})
            for (size_t n : sizes)
                check_roundtrip(make_data(k, n, static_cast<uint32_t>(n * 7 + level)), kFormats[(level + n) % 3], level, 15,
                                kind_name(k));
}

TEST(Interop, OursToZlibLargeMixed) {
    Bytes d = make_data(Kind::Mixed, (3u << 20) + 12345, 99);
    for (unsigned level : {1u, 6u, 9u}) check_roundtrip(d, kFormats[level % 3], level, 15, "mixed-3MiB");
    Bytes z = make_data(Kind::Zeros, 5u << 20, 0);  // long matches, many blocks
    check_roundtrip(z, CCE_CF_FMT_GZIP, 1, 15, "zeros-5MiB");
    check_roundtrip(z, CCE_CF_FMT_ZLIB, 9, 15, "zeros-5MiB");
}

TEST(Interop, WindowBits) {
    Bytes d = make_data(Kind::Mixed, 200000, 5);
    Bytes t = make_data(Kind::Text, 100000, 6);
    for (unsigned w = 9; w <= 15; ++w)
        for (unsigned level : {1u, 4u, 9u}) {
            check_roundtrip(d, CCE_CF_FMT_ZLIB, level, w, "mixed");
            check_roundtrip(t, w % 2 ? CCE_CF_FMT_RAW : CCE_CF_FMT_GZIP, level, w, "text");
        }
    // The zlib header carries the window size.
    Bytes c = our_compress(d, CCE_CF_FMT_ZLIB, 6, 10);
    ASSERT_GE(c.size(), 2u);
    EXPECT_EQ(c[0], 0x28);  // CINFO = 10 - 8, CM = 8
    EXPECT_EQ(((c[0] << 8) | c[1]) % 31, 0);
}

TEST(Interop, MachineFilesOursToZlibFastLevels) {
    const auto& files = machine_files();
    ASSERT_FALSE(files.empty());
    size_t i = 0;
    for (const auto& f : files) {
        // Every file at level 1; levels 2..5 rotate over the files.
        for (unsigned level : {1u, static_cast<unsigned>(2 + i % 4)})
            check_roundtrip(f.data, kFormats[(i + level) % 3], level, 15, f.path);
        ++i;
    }
}

TEST(Interop, MachineFilesOursToZlibBestLevels) {
    size_t i = 0;
    for (const auto& f : machine_files()) {
        // Every file at levels 6 and 9; levels 7, 8 rotate over the files.
        for (unsigned level : {6u, 9u, static_cast<unsigned>(7 + i % 2)})
            check_roundtrip(f.data, kFormats[(i + level) % 3], level, 15, f.path);
        ++i;
    }
}

TEST(Interop, ZlibToOursAllLevels) {
    for (unsigned f : kFormats)
        for (int level = 0; level <= 9; ++level)
            for (Kind k : {Kind::Random, Kind::Text, Kind::Mixed, Kind::Runs})
                for (size_t n : {0u, 1u, 100u, 70000u, 200003u})
                    check_zlib_to_ours(make_data(k, n, static_cast<uint32_t>(n + 17 * level)), f, level);
}

TEST(Interop, ZlibToOursStrategiesAndWindows) {
    Bytes d = make_data(Kind::Mixed, 400000, 11);
    for (int strategy : {Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED})
        for (unsigned f : kFormats) check_zlib_to_ours(d, f, 6, 15, 8, strategy);
    for (int w = 9; w <= 15; ++w)
        for (int mem : {1, 9}) check_zlib_to_ours(d, static_cast<unsigned>(w % 3), 9, w, mem);
}

TEST(Interop, ZlibFlushedStreams) {
    // Sync/full flushes create empty stored blocks and byte-aligned block ends.
    Bytes d = make_data(Kind::Text, 200000, 21);
    for (int mode : {Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_PARTIAL_FLUSH, Z_BLOCK})
        for (unsigned f : kFormats) {
            z_stream zs{};
            ASSERT_EQ(deflateInit2(&zs, 5, Z_DEFLATED, zlib_wbits(f, 15), 8, Z_DEFAULT_STRATEGY), Z_OK);
            Bytes out(d.size() * 2 + 4096);
            zs.next_out = out.data();
            zs.avail_out = static_cast<uInt>(out.size());
            size_t off = 0;
            std::mt19937 rng(mode);
            while (off < d.size()) {
                size_t n = std::min<size_t>(d.size() - off, 1 + rng() % 20000);
                zs.next_in = d.data() + off;
                zs.avail_in = static_cast<uInt>(n);
                off += n;
                ASSERT_EQ(deflate(&zs, off == d.size() ? Z_FINISH : mode), off == d.size() ? Z_STREAM_END : Z_OK);
            }
            out.resize(zs.total_out);
            deflateEnd(&zs);
            Bytes o;
            auto r = our_decompress(out, f, o, d.size());
            ASSERT_EQ(r.status, CCE_ST_SUCCESS) << mode << " " << r.detail;
            ASSERT_TRUE(o == d);
        }
}

TEST(Interop, MachineFilesZlibToOurs) {
    size_t i = 0;
    for (const auto& f : machine_files()) {
        for (int level : {0, 1, 6, 9, static_cast<int>(2 + i % 7)}) check_zlib_to_ours(f.data, kFormats[i % 3], level);
        ++i;
    }
}

TEST(Interop, GzipBinaryToOurs) {
    if (!have_gzip_binary()) GTEST_SKIP() << "no gzip binary";
    const auto& files = machine_files();
    size_t i = 0;
    for (const auto& f : files) {
        if (i++ % 3) continue;
        for (int level : {1, 9}) {
            Bytes gz = run_gzip(f.data, level);
            ASSERT_FALSE(gz.empty()) << f.path;
            Bytes o;
            auto r = our_decompress(gz, CCE_CF_FMT_GZIP, o, f.data.size());
            ASSERT_EQ(r.status, CCE_ST_SUCCESS) << f.path << " detail " << r.detail;
            ASSERT_TRUE(o == f.data) << f.path;
        }
    }
    // The whole corpus through gzip -9.
    const Bytes& all = machine_corpus();
    Bytes gz = run_gzip(all, 9);
    Bytes o;
    auto r = our_decompress(gz, CCE_CF_FMT_GZIP, o, all.size());
    ASSERT_EQ(r.status, CCE_ST_SUCCESS);
    ASSERT_TRUE(o == all);
}

TEST(Interop, GzFilesOfTheMachine) {
    // Decompress the .gz files found under /usr/share/doc and compare with zlib.
    size_t n = 0;
    for (const auto& f : machine_files()) {
        if (f.path.size() < 3 || f.path.substr(f.path.size() - 3) != ".gz") continue;
        if (f.data.size() >= (128u << 10)) continue;  // possibly cut by the sampler
        Bytes ref;
        std::string msg;
        if (!zlib_inflate(f.data, CCE_CF_FMT_GZIP, 15, ref, &msg)) continue;  // e.g. multi-member
        Bytes o;
        auto r = our_decompress(f.data, CCE_CF_FMT_GZIP, o, ref.size());
        ASSERT_EQ(r.status, CCE_ST_SUCCESS) << f.path << " detail " << r.detail;
        ASSERT_TRUE(o == ref) << f.path;
        ++n;
    }
    EXPECT_GT(n, 0u);
}

TEST(Compress, OutputTooSmallReportsExactSize) {
    for (unsigned f : kFormats)
        for (unsigned level : {1u, 6u, 9u})
            for (Kind k : {Kind::Text, Kind::Random}) {
                Bytes d = make_data(k, 50000, level);
                Bytes full = our_compress(d, f, level);
                ASSERT_FALSE(full.empty());
                for (size_t cap : {size_t{0}, size_t{1}, full.size() / 2, full.size() - 1}) {
                    GuardedBuffer g(cap);
                    auto r = dfl::compress(d.data(), d.size(), g.data(), cap, f, level, 15);
                    ASSERT_EQ(r.status, CCE_ST_OUTPUT_TOO_SMALL);
                    EXPECT_EQ(r.detail, full.size());
                    EXPECT_EQ(r.produced, 0u);
                }
                GuardedBuffer g(full.size());
                auto r = dfl::compress(d.data(), d.size(), g.data(), full.size(), f, level, 15);
                ASSERT_EQ(r.status, CCE_ST_SUCCESS);
                ASSERT_EQ(r.produced, full.size());
                EXPECT_EQ(0, memcmp(g.data(), full.data(), full.size()));
            }
}

TEST(Compress, IncompressibleUsesStoredBlocks) {
    Bytes d = make_data(Kind::Random, 300000, 1);
    for (unsigned level = 1; level <= 9; ++level) {
        Bytes c = our_compress(d, CCE_CF_FMT_RAW, level);
        // Stored blocks: 5 bytes per block (<= 32K sequences) and no more.
        EXPECT_LE(c.size(), d.size() + 5 * (d.size() / 32000 + 2)) << level;
        EXPECT_LE(c.size(), dfl::compress_bound(d.size(), CCE_CF_FMT_RAW));
    }
}

TEST(Compress, LevelsTradeRatio) {
    Bytes d = make_data(Kind::Text, 400000, 8);
    d.insert(d.end(), machine_corpus().begin(), machine_corpus().begin() + std::min<size_t>(machine_corpus().size(), 400000));
    size_t c1 = our_compress(d, CCE_CF_FMT_RAW, 1).size();
    size_t c6 = our_compress(d, CCE_CF_FMT_RAW, 6).size();
    size_t c9 = our_compress(d, CCE_CF_FMT_RAW, 9).size();
    EXPECT_LT(c9, c1);
    EXPECT_LE(c9, c6);
    EXPECT_LT(c6, c1);
    // Level 9 is within 3% of zlib -6 on this data.
    size_t z6 = zlib_deflate(d, CCE_CF_FMT_RAW, 6).size();
    EXPECT_LE(static_cast<double>(c9), 1.03 * static_cast<double>(z6));
    // Level 1 is at most 10% larger than zlib -1.
    size_t z1 = zlib_deflate(d, CCE_CF_FMT_RAW, 1).size();
    EXPECT_LE(static_cast<double>(c1), 1.10 * static_cast<double>(z1));
}

TEST(Compress, DeterministicAndDefaults) {
    Bytes d = make_data(Kind::Mixed, 100000, 4);
    EXPECT_EQ(our_compress(d, CCE_CF_FMT_ZLIB, 0, 0), our_compress(d, CCE_CF_FMT_ZLIB, 6, 15));
    // Same input, same output, whatever ran before (tables are reset per job).
    Bytes first = our_compress(d, CCE_CF_FMT_ZLIB, 5);
    (void)our_compress(make_data(Kind::Random, 70000, 1), CCE_CF_FMT_RAW, 9);
    EXPECT_EQ(our_compress(d, CCE_CF_FMT_ZLIB, 5), first);
    // Compress with no output buffer: the exact size comes back.
    auto r = dfl::compress(d.data(), d.size(), nullptr, 0, CCE_CF_FMT_ZLIB, 5, 15);
    EXPECT_EQ(r.status, CCE_ST_OUTPUT_TOO_SMALL);
    EXPECT_EQ(r.detail, first.size());
    Bytes out(16);
    EXPECT_EQ(dfl::compress(d.data(), d.size(), out.data(), 16, 3, 1, 15).status, CCE_ST_INVALID_DESC);
    EXPECT_EQ(dfl::compress(d.data(), d.size(), out.data(), 16, 0, 10, 15).status, CCE_ST_INVALID_DESC);
    EXPECT_EQ(dfl::compress(d.data(), d.size(), out.data(), 16, 0, 1, 8).status, CCE_ST_INVALID_DESC);
    EXPECT_EQ(dfl::decompress(d.data(), d.size(), out.data(), 16, 3).status, CCE_ST_INVALID_DESC);
}
