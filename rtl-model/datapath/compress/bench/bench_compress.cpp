// SPDX-License-Identifier: MIT
// Throughput and ratio of the CCE deflate datapath next to zlib, on the same
// data in the same run:
//   corpus "machine": real text/binary/.gz files of this machine (~3 MiB)
//   corpus "synthetic": generated text + runs + random + records (~4 MiB)
// Counters: MB/s (uncompressed bytes per second) and ratio (in/out).
// At the end a summary prints the goal comparisons:
//   ours L1 vs zlib L1 (speed >= 1.0x, ratio at most 10% worse)
//   ours L9 vs zlib L6 (ratio within 3%)
//   ours inflate vs zlib inflate (speed >= 1.0x)
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "../tests/test_util.h"
#include "cce/datapath/deflate.h"

namespace dfl = cce::datapath::deflate;
using cce_test::Bytes;

namespace {

const Bytes& corpus(int which) {
    static const Bytes machine = [] {
        Bytes b = cce_test::machine_corpus();
        if (b.empty()) b = cce_test::make_data(cce_test::Kind::Text, 1 << 20, 1);
        return b;
    }();
    static const Bytes synthetic = [] {
        Bytes b;
        uint32_t seed = 1;
        for (auto k : {cce_test::Kind::Text, cce_test::Kind::Mixed, cce_test::Kind::Binaryish,
                       cce_test::Kind::Runs, cce_test::Kind::Random})
            for (int i = 0; i < 2; ++i) {
                Bytes p = cce_test::make_data(k, 400 << 10, seed++);
                b.insert(b.end(), p.begin(), p.end());
            }
        return b;
    }();
    return which == 0 ? machine : synthetic;
}
const char* corpus_name(int which) { return which == 0 ? "machine" : "synthetic"; }

void set_counters(benchmark::State& st, size_t in_bytes, size_t out_bytes) {
    st.counters["MB/s"] = benchmark::Counter(static_cast<double>(in_bytes) * static_cast<double>(st.iterations()) / 1e6,
                                             benchmark::Counter::kIsRate);
    st.counters["ratio"] = static_cast<double>(in_bytes) / static_cast<double>(out_bytes ? out_bytes : 1);
    st.counters["out_KiB"] = static_cast<double>(out_bytes) / 1024.0;
}

void BM_OursCompress(benchmark::State& st) {
    const Bytes& in = corpus(static_cast<int>(st.range(0)));
    unsigned level = static_cast<unsigned>(st.range(1));
    Bytes out(dfl::compress_bound(in.size(), CCE_CF_FMT_ZLIB));
    size_t produced = 0;
    for (auto _ : st) {
        auto r = dfl::compress(in.data(), in.size(), out.data(), out.size(), CCE_CF_FMT_ZLIB, level, 15);
        if (r.status != CCE_ST_SUCCESS) st.SkipWithError("compress failed");
        produced = r.produced;
        benchmark::DoNotOptimize(out.data());
    }
    st.SetLabel(std::string(corpus_name(static_cast<int>(st.range(0)))));
    set_counters(st, in.size(), produced);
}

void BM_ZlibCompress(benchmark::State& st) {
    const Bytes& in = corpus(static_cast<int>(st.range(0)));
    int level = static_cast<int>(st.range(1));
    Bytes out(compressBound(static_cast<uLong>(in.size())));
    uLongf produced = 0;
    for (auto _ : st) {
        produced = static_cast<uLongf>(out.size());
        if (compress2(out.data(), &produced, in.data(), static_cast<uLong>(in.size()), level) != Z_OK)
            st.SkipWithError("zlib failed");
        benchmark::DoNotOptimize(out.data());
    }
    st.SetLabel(std::string(corpus_name(static_cast<int>(st.range(0)))));
    set_counters(st, in.size(), produced);
}

// Inflate of the same zlib -6 stream.
const Bytes& zlib6(int which) {
    static std::map<int, Bytes> cache;
    auto it = cache.find(which);
    if (it == cache.end()) it = cache.emplace(which, cce_test::zlib_deflate(corpus(which), CCE_CF_FMT_ZLIB, 6)).first;
    return it->second;
}

void BM_OursInflate(benchmark::State& st) {
    int which = static_cast<int>(st.range(0));
    const Bytes& in = corpus(which);
    const Bytes& c = zlib6(which);
    Bytes out(in.size());
    for (auto _ : st) {
        auto r = dfl::decompress(c.data(), c.size(), out.data(), out.size(), CCE_CF_FMT_ZLIB);
        if (r.status != CCE_ST_SUCCESS || r.produced != in.size()) st.SkipWithError("inflate failed");
        benchmark::DoNotOptimize(out.data());
    }
    st.SetLabel(std::string(corpus_name(which)));
    set_counters(st, in.size(), c.size());
}

void BM_ZlibInflate(benchmark::State& st) {
    int which = static_cast<int>(st.range(0));
    const Bytes& in = corpus(which);
    const Bytes& c = zlib6(which);
    Bytes out(in.size());
    for (auto _ : st) {
        uLongf n = static_cast<uLongf>(out.size());
        if (uncompress(out.data(), &n, c.data(), static_cast<uLong>(c.size())) != Z_OK || n != in.size())
            st.SkipWithError("zlib inflate failed");
        benchmark::DoNotOptimize(out.data());
    }
    st.SetLabel(std::string(corpus_name(which)));
    set_counters(st, in.size(), c.size());
}

BENCHMARK(BM_OursCompress)->ArgsProduct({{0, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}})->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK(BM_ZlibCompress)->ArgsProduct({{0, 1}, {1, 6, 9}})->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK(BM_OursInflate)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK(BM_ZlibInflate)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// Captures the runs to print the goal summary.
class SummaryReporter : public benchmark::ConsoleReporter {
public:
    struct Row {
        double mbs = 0, ratio = 0;
    };
    std::map<std::string, Row> rows;
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs) {
            if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
            Row row;
            auto m = r.counters.find("MB/s");
            auto q = r.counters.find("ratio");
            if (m != r.counters.end()) row.mbs = m->second.value;
            if (q != r.counters.end()) row.ratio = q->second.value;
            rows[r.run_name.str()] = row;
        }
        ConsoleReporter::ReportRuns(runs);
    }
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    SummaryReporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    std::printf("\n%-10s %-28s %10s %10s %10s %10s %8s %8s\n", "corpus", "comparison", "ours MB/s", "zlib MB/s",
                "speed x", "ours rat", "zlib rat", "ratio d");
    for (int c = 0; c < 2; ++c) {
        auto get = [&](const std::string& n) -> const SummaryReporter::Row* {
            auto it = rep.rows.find(n);
            return it == rep.rows.end() ? nullptr : &it->second;
        };
        auto line = [&](const char* what, const std::string& a, const std::string& b) {
            auto* x = get(a);
            auto* y = get(b);
            if (!x || !y) return;
            // ratio d: how much larger our output is than zlib's (+ = worse).
            double d = x->ratio > 0 ? (y->ratio / x->ratio - 1.0) * 100.0 : 0;
            std::printf("%-10s %-28s %10.1f %10.1f %9.2fx %10.3f %8.3f %+7.2f%%\n", corpus_name(c), what, x->mbs, y->mbs,
                        y->mbs > 0 ? x->mbs / y->mbs : 0, x->ratio, y->ratio, d);
        };
        std::string cs = std::to_string(c);
        line("compress L1 vs zlib L1", "BM_OursCompress/" + cs + "/1/process_time", "BM_ZlibCompress/" + cs + "/1/process_time");
        line("compress L6 vs zlib L6", "BM_OursCompress/" + cs + "/6/process_time", "BM_ZlibCompress/" + cs + "/6/process_time");
        line("compress L9 vs zlib L6", "BM_OursCompress/" + cs + "/9/process_time", "BM_ZlibCompress/" + cs + "/6/process_time");
        line("compress L9 vs zlib L9", "BM_OursCompress/" + cs + "/9/process_time", "BM_ZlibCompress/" + cs + "/9/process_time");
        line("inflate vs zlib inflate", "BM_OursInflate/" + cs + "/process_time", "BM_ZlibInflate/" + cs + "/process_time");
    }
    benchmark::Shutdown();
    return 0;
}
