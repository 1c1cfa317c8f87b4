// SPDX-License-Identifier: MIT
// cce-model: the CCE engine model as a process, serving one QEMU cce-pci
// device over the cosim link (include/cce/cce_cosim.h).
//
//   cce-model --socket PATH [--queues N] [--clock-mhz N] [--log FILE]
//             [--xfer-kib N] [--timeout-ms N] [--spin-us N] [--no-shared-ram]
//             [--accept-timeout-ms N] [--stats FILE]
//             [--fault SPEC]... [--fault-seed N] [--control PATH]
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
#include <sys/socket.h>
#include <unistd.h>

#include "cce/cosim/control.h"
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
                 "                 [--fault SPEC]... [--fault-seed N] [--control PATH]\n"
                 "  --datapath: units crc, aes, sha, lz77 on their Verilated RTL cores\n"
                 "  --trace: VCD of the RTL cores for jobs FIRST..LAST (PREFIX-crc.vcd, ...)\n"
                 "  --stats: at exit, write the statistics to FILE as key=value lines\n"
                 "  --fault: inject a fault, e.g. 'class=bitflip queue=1 after=10'\n"
                 "           (classes: xlate pri_fail ats_delay hang bitflip cpl_error\n"
                 "            msix_lost msix_dup ce ue crash; docs/hw-spec.md section 18)\n"
                 "  --fault-seed: default PRNG seed of prob= faults (default 1)\n"
                 "  --control: unix stream socket taking 'fault SPEC', 'clear', 'list',\n"
                 "             'log', 'stats' lines (socat - UNIX-CONNECT:PATH)\n"
                 "  --send PATH LINE: client for a running model's control socket: send\n"
                 "           LINE (e.g. 'fault class=hang queue=0', 'stats'), print the\n"
                 "           answer, exit 0 on 'ok', 1 on 'error'\n"
                 "  --check: validate the options (fault specs included), print the faults\n"
                 "           in canonical form and exit (0 valid, 2 not); no socket needed\n");
}

// cce-model --send PATH LINE: one command to a running model's control
// socket (unix stream, line protocol: the answer ends with an ok/error line).
int send_control(const char* path, const std::string& line) {
    const int fd = cce::cosim::connect_unix(path, 0, SOCK_STREAM);
    if (fd < 0) {
        std::fprintf(stderr, "cce-model: --send: cannot connect to %s: %s\n", path, std::strerror(errno));
        return 2;
    }
    const std::string msg = line + "\n";
    if (write(fd, msg.data(), msg.size()) != ssize_t(msg.size())) {
        std::fprintf(stderr, "cce-model: --send: write: %s\n", std::strerror(errno));
        close(fd);
        return 2;
    }
    std::string got, cur;
    char buf[4096];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; ++i) {
            cur += buf[i];
            if (buf[i] != '\n') continue;
            std::fputs(cur.c_str(), stdout);
            // The last line is "ok ..." or "error ..."; "errors=N" in a
            // stats answer is not one.
            auto is = [&cur](const char* w) {
                const size_t n = std::strlen(w);
                return cur.compare(0, n, w) == 0 && (cur[n] == ' ' || cur[n] == '\n');
            };
            const bool ok = is("ok"), err = is("error");
            cur.clear();
            if (ok || err) {
                close(fd);
                return ok ? 0 : 1;
            }
        }
    }
    close(fd);
    std::fprintf(stderr, "cce-model: --send: the model closed the connection without an answer\n");
    return 2;
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
    std::fprintf(f, "clean_exit=%d\n%s", clean ? 1 : 0, cce::cosim::stats_kv(s).c_str());
    return std::fclose(f) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    bool check_only = false;
    std::string sock, log_path, stats_path;
    cce::cosim::LinkOptions opt;
    int accept_timeout_ms = -1;
    uint32_t rtl_units = 0;
    std::string trace_prefix;
    unsigned long trace_first = 0, trace_last = 0;
    std::vector<cce::model::FaultSpec> faults;
    uint64_t fault_seed = 1;
    std::string control_path;
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
        } else if (a == "--fault" && i + 1 < argc) {
            cce::model::FaultSpec spec;
            std::string err;
            if (!cce::model::parse_fault_spec(argv[++i], spec, err)) {
                std::fprintf(stderr, "cce-model: --fault '%s': %s\n", argv[i], err.c_str());
                return 2;
            }
            faults.push_back(spec);
        } else if (a == "--fault-seed") {
            fault_seed = val(0, ~0ul);
        } else if (a == "--control" && i + 1 < argc) {
            control_path = argv[++i];
        } else if (a == "--no-shared-ram") {
            opt.map_guest_ram = false;
        } else if (a == "--send" && i + 2 < argc) {
            std::string line;
            for (int k = i + 2; k < argc; ++k) line += (k > i + 2 ? " " : "") + std::string(argv[k]);
            return send_control(argv[i + 1], line);
        } else if (a == "--check") {
            check_only = true;
        } else if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (sock.empty() && !check_only) {
        usage(stderr);
        return 2;
    }
    for (const auto& f : faults) {
        if (f.queue && *f.queue >= opt.num_queues) {
            std::fprintf(stderr, "cce-model: --fault '%s': the model has %u queues\n",
                         f.text().c_str(), opt.num_queues);
            return 2;
        }
    }
    if (check_only) {
        for (const auto& f : faults) std::printf("fault: %s\n", f.text().c_str());
        std::printf("cce-model: options valid (%zu faults)\n", faults.size());
        return 0;
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
    cfg.fault_seed = fault_seed;
    if (rtl_units && !cce::model::rtl_available()) {
        std::fprintf(log, "cce-model: --datapath rtl: this build has no RTL cores\n");
        return 2;
    }
    bool ok;
    {
        cce::model::Engine engine(cfg, link);
        link.attach(&engine);
        for (const auto& f : faults) {
            const unsigned id = engine.add_fault(f);
            std::fprintf(log, "cce-model: fault %u: %s\n", id, f.text().c_str());
        }
        engine.set_crash_handler([log, &engine](const cce::model::FaultRecord& r) {
            std::fprintf(log, "cce-model: injected crash: %s\n", r.text().c_str());
            std::fprintf(log, "%s", engine.stats_report().c_str());
            std::fflush(nullptr);
            std::abort();
        });
        std::unique_ptr<cce::cosim::ControlServer> control;
        if (!control_path.empty()) {
            control = std::make_unique<cce::cosim::ControlServer>(log);
            if (!control->listen(control_path)) {
                std::fprintf(log, "cce-model: control socket %s: %s\n", control_path.c_str(),
                             std::strerror(errno));
                return 2;
            }
            link.set_side_channel(control.get());
            std::fprintf(log, "cce-model: control socket at %s\n", control_path.c_str());
        }
        ok = link.run();
        link.set_side_channel(nullptr);
        std::fprintf(log, "%s", engine.stats_report().c_str());
        if (!stats_path.empty() && !write_stats(stats_path, engine.stats(), ok, log)) ok = false;
    }
    const auto& s = link.stats();
    std::fprintf(log,
                 "cce-model: link: %llu msgs in, %llu out; mmio r/w %llu/%llu; dma direct %llu "
                 "(%llu B), via QEMU %llu (%llu B); ats %llu; page req/resp %llu/%llu; msix %llu; "
                 "inval %llu; resets %llu; aer %llu (%llu not sent: QEMU speaks 1.0)\n",
                 (unsigned long long)s.msgs_in, (unsigned long long)s.msgs_out,
                 (unsigned long long)s.mmio_reads, (unsigned long long)s.mmio_writes,
                 (unsigned long long)s.dma_direct, (unsigned long long)s.dma_direct_bytes,
                 (unsigned long long)s.dma_msg, (unsigned long long)s.dma_msg_bytes,
                 (unsigned long long)s.ats, (unsigned long long)s.page_requests,
                 (unsigned long long)s.page_responses, (unsigned long long)s.msix,
                 (unsigned long long)s.invalidations, (unsigned long long)s.resets,
                 (unsigned long long)s.aer, (unsigned long long)s.aer_dropped);
    std::fprintf(log, "cce-model: %s\n", ok ? "QEMU disconnected, exiting" : link.error().c_str());
    return ok ? 0 : 1;
}
