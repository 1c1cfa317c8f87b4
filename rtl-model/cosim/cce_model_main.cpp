// SPDX-License-Identifier: MIT
// cce-model: the CCE engine model as a process, serving one QEMU cce-pci
// device over the cosim link (include/cce/cce_cosim.h).
//
//   cce-model --socket PATH [--queues N] [--clock-mhz N] [--log FILE]
//             [--xfer-kib N] [--timeout-ms N] [--spin-us N] [--no-shared-ram]
//             [--accept-timeout-ms N] [--stats FILE]
//
// Listens on PATH, accepts one connection, serves it until QEMU closes it,
// prints the engine's statistics and exits (0: clean close; 1: link error).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>
#include <unistd.h>

#include "cce/cosim/model_link.h"
#include "cce/cosim/sock.h"
#include "cce/model/engine.h"

namespace {

void usage(FILE* f) {
    std::fprintf(f,
                 "usage: cce-model --socket PATH [--queues N] [--clock-mhz N] [--log FILE]\n"
                 "                 [--datapath reference|rtl|UNIT,...] [--trace PREFIX FIRST LAST]\n"
                 "                 [--xfer-kib N] [--timeout-ms N] [--spin-us N]\n"
                 "                 [--no-shared-ram] [--accept-timeout-ms N] [--stats FILE]\n"
                 "  --datapath: units crc, aes, sha, lz77 on their Verilated RTL cores\n"
                 "  --trace: VCD of the RTL cores for jobs FIRST..LAST (PREFIX-crc.vcd, ...)\n"
                 "  --stats: at exit, write the statistics to FILE as key=value lines\n");
}

bool parse_uint(const char* s, unsigned long lo, unsigned long hi, unsigned long* out) {
    char* end = nullptr;
    errno = 0;
    unsigned long v = std::strtoul(s, &end, 0);
    if (errno || !end || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

// key=value lines for scripts (scenario expectations, vm tests).
bool write_stats(const std::string& path, const cce::model::EngineStats& s, bool clean, FILE* log) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) {
        std::fprintf(log, "cce-model: cannot write %s: %s\n", path.c_str(), std::strerror(errno));
        return false;
    }
    auto kv = [f](const char* k, uint64_t v) { std::fprintf(f, "%s=%llu\n", k, (unsigned long long)v); };
    kv("clean_exit", clean ? 1 : 0);
    kv("jobs", s.jobs);
    kv("bytes_in", s.bytes_in);
    kv("bytes_out", s.bytes_out);
    kv("atc_hits", s.atc_hits);
    kv("atc_misses", s.atc_misses);
    kv("atc_invalidations", s.atc_invalidations);
    kv("page_requests", s.page_requests);
    kv("page_responses_ok", s.page_responses_ok);
    kv("page_responses_fail", s.page_responses_fail);
    kv("dma_reads", s.dma_reads);
    kv("dma_writes", s.dma_writes);
    kv("msix", s.msix);
    kv("resets", s.resets);
    kv("rtl_jobs", s.rtl_jobs);
    uint64_t errors = 0, faults = 0;
    std::vector<uint64_t> by_status;
    for (size_t i = 0; i < s.queues.size(); ++i) {
        faults += s.queues[i].translation_faults;
        const auto& bs = s.queues[i].by_status;
        if (by_status.size() < bs.size()) by_status.resize(bs.size());
        for (size_t k = 0; k < bs.size(); ++k) by_status[k] += bs[k];
        char k[48];
        std::snprintf(k, sizeof k, "queue%zu_jobs", i);
        kv(k, s.queues[i].jobs);
        std::snprintf(k, sizeof k, "queue%zu_errors", i);
        kv(k, s.queues[i].errors);
        errors += s.queues[i].errors;
    }
    kv("errors", errors);
    kv("translation_faults", faults);
    for (size_t k = 0; k < by_status.size(); ++k) {
        if (!by_status[k]) continue;
        char key[64];
        std::snprintf(key, sizeof key, "status_%s", cce::model::status_name(static_cast<uint8_t>(k)));
        for (char* c = key; *c; ++c)
            if (*c == '-') *c = '_';
        kv(key, by_status[k]);
    }
    return std::fclose(f) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string sock, log_path, stats_path;
    cce::cosim::LinkOptions opt;
    int accept_timeout_ms = -1;
    uint32_t rtl_units = 0;
    std::string trace_prefix;
    unsigned long trace_first = 0, trace_last = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&](unsigned long lo, unsigned long hi) -> unsigned long {
            unsigned long v = 0;
            if (i + 1 >= argc || !parse_uint(argv[i + 1], lo, hi, &v)) {
                std::fprintf(stderr, "cce-model: bad or missing value for %s\n", a.c_str());
                std::exit(2);
            }
            ++i;
            return v;
        };
        if (a == "--socket" && i + 1 < argc) {
            sock = argv[++i];
        } else if (a == "--stats" && i + 1 < argc) {
            stats_path = argv[++i];
        } else if (a == "--log" && i + 1 < argc) {
            log_path = argv[++i];
        } else if (a == "--queues") {
            opt.num_queues = static_cast<unsigned>(val(1, CCE_COSIM_MAX_QUEUES));
        } else if (a == "--clock-mhz") {
            opt.clock_mhz = static_cast<unsigned>(val(1, 100000));
        } else if (a == "--xfer-kib") {
            opt.xfer_size = val(4, CCE_COSIM_MAX_XFER / 1024) * 1024;
        } else if (a == "--timeout-ms") {
            opt.timeout_ms = static_cast<int>(val(1, 3600000));
        } else if (a == "--spin-us") {
            opt.spin_us = static_cast<int>(val(0, 1000000));
        } else if (a == "--accept-timeout-ms") {
            accept_timeout_ms = static_cast<int>(val(1, 3600000));
        } else if (a == "--datapath" && i + 1 < argc) {
            if (!cce::model::parse_datapath(argv[++i], rtl_units)) {
                std::fprintf(stderr, "cce-model: --datapath takes reference, rtl or crc,aes,sha,lz77\n");
                return 2;
            }
        } else if (a == "--trace" && i + 3 < argc) {
            trace_prefix = argv[++i];
            trace_first = val(0, ~0ul);
            trace_last = val(trace_first, ~0ul);
        } else if (a == "--no-shared-ram") {
            opt.map_guest_ram = false;
        } else if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (sock.empty()) {
        usage(stderr);
        return 2;
    }
    FILE* log = stderr;
    if (!log_path.empty()) {
        log = std::fopen(log_path.c_str(), "a");
        if (!log) {
            std::fprintf(stderr, "cce-model: cannot open %s: %s\n", log_path.c_str(),
                         std::strerror(errno));
            return 2;
        }
        setvbuf(log, nullptr, _IOLBF, 0);
    }
    opt.log = log;
    std::signal(SIGPIPE, SIG_IGN);

    int lfd = cce::cosim::listen_unix(sock);
    if (lfd < 0) {
        std::fprintf(log, "cce-model: listen on %s: %s\n", sock.c_str(), std::strerror(errno));
        return 1;
    }
    std::fprintf(log, "cce-model: listening on %s (%u queues, %u MHz)\n", sock.c_str(),
                 opt.num_queues, opt.clock_mhz);
    int fd = cce::cosim::accept_unix(lfd, accept_timeout_ms);
    close(lfd);
    unlink(sock.c_str());
    if (fd < 0) {
        std::fprintf(log, "cce-model: accept: %s\n", std::strerror(errno));
        return 1;
    }

    cce::cosim::ModelLink link(fd, opt);
    if (!link.handshake()) return 1;
    cce::model::EngineConfig cfg;
    cfg.num_queues = opt.num_queues;
    cfg.clock_mhz = opt.clock_mhz;
    cfg.rtl_units = rtl_units;
    cfg.trace_prefix = trace_prefix;
    cfg.trace_first_job = trace_first;
    cfg.trace_last_job = trace_last;
    if (rtl_units && !cce::model::rtl_available()) {
        std::fprintf(log, "cce-model: --datapath rtl: this build has no RTL cores\n");
        return 2;
    }
    bool ok;
    {
        cce::model::Engine engine(cfg, link);
        link.attach(&engine);
        ok = link.run();
        std::fprintf(log, "%s", engine.stats_report().c_str());
        if (!stats_path.empty() && !write_stats(stats_path, engine.stats(), ok, log)) ok = false;
    }
    const auto& s = link.stats();
    std::fprintf(log,
                 "cce-model: link: %llu msgs in, %llu out; mmio r/w %llu/%llu; dma direct %llu "
                 "(%llu B), via QEMU %llu (%llu B); ats %llu; page req/resp %llu/%llu; msix %llu; "
                 "inval %llu; resets %llu\n",
                 (unsigned long long)s.msgs_in, (unsigned long long)s.msgs_out,
                 (unsigned long long)s.mmio_reads, (unsigned long long)s.mmio_writes,
                 (unsigned long long)s.dma_direct, (unsigned long long)s.dma_direct_bytes,
                 (unsigned long long)s.dma_msg, (unsigned long long)s.dma_msg_bytes,
                 (unsigned long long)s.ats, (unsigned long long)s.page_requests,
                 (unsigned long long)s.page_responses, (unsigned long long)s.msix,
                 (unsigned long long)s.invalidations, (unsigned long long)s.resets);
    std::fprintf(log, "cce-model: %s\n", ok ? "QEMU disconnected, exiting" : link.error().c_str());
    return ok ? 0 : 1;
}
