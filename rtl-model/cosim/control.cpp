// SPDX-License-Identifier: MIT
#include "cce/cosim/control.h"

#include "cce/cosim/sock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace cce::cosim {

namespace {
std::string trim(const std::string& s) {
    size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r')) ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
    return s.substr(a, b - a);
}
}  // namespace

std::string stats_kv(const model::EngineStats& s) {
    std::ostringstream o;
    auto kv = [&o](const std::string& k, uint64_t v) { o << k << '=' << v << '\n'; };
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
        kv("queue" + std::to_string(i) + "_jobs", s.queues[i].jobs);
        kv("queue" + std::to_string(i) + "_errors", s.queues[i].errors);
        errors += s.queues[i].errors;
    }
    kv("errors", errors);
    kv("translation_faults", faults);
    for (size_t k = 0; k < by_status.size(); ++k) {
        if (!by_status[k]) continue;
        std::string key = std::string("status_") + model::status_name(static_cast<uint8_t>(k));
        for (char& c : key)
            if (c == '-') c = '_';
        kv(key, by_status[k]);
    }
    // Every fault class, injected or not, so scripts can compare directly.
    kv("faults_injected", s.faults_injected);
    for (unsigned i = 0; i < model::kFaultClassCount; ++i)
        kv(std::string("fault_") + model::fault_class_name(static_cast<model::FaultClass>(i)),
           i < s.faults_by_class.size() ? s.faults_by_class[i] : 0);
    return o.str();
}

std::string control_command(model::Engine& engine, const std::string& raw) {
    const std::string line = trim(raw);
    const size_t sp = line.find(' ');
    const std::string cmd = line.substr(0, sp);
    const std::string arg = sp == std::string::npos ? "" : trim(line.substr(sp + 1));
    std::ostringstream o;
    if (cmd == "fault") {
        model::FaultSpec spec;
        std::string err;
        if (!model::parse_fault_spec(arg, spec, err)) return "error " + err + "\n";
        try {
            const unsigned id = engine.add_fault(spec);
            o << "ok fault " << id << ' ' << spec.text() << '\n';
        } catch (const std::invalid_argument& e) {
            return std::string("error ") + e.what() + "\n";
        }
    } else if (cmd == "clear" && arg.empty()) {
        o << "ok cleared " << engine.clear_faults() << '\n';
    } else if (cmd == "list" && arg.empty()) {
        const auto v = engine.faults();
        for (const auto& f : v)
            o << "fault " << f.id << ' ' << f.spec.text() << " matched=" << f.matched
              << " injected=" << f.injected << '\n';
        o << "ok " << v.size() << '\n';
    } else if (cmd == "log" && arg.empty()) {
        const auto v = engine.fault_log();
        for (const auto& r : v) o << r.text() << '\n';
        o << "ok " << v.size() << '\n';
    } else if (cmd == "stats" && arg.empty()) {
        o << stats_kv(engine.stats()) << "ok\n";
    } else if (cmd.empty()) {
        return "error empty command\n";
    } else {
        return "error unknown command '" + line.substr(0, 64) +
               "' (fault SPEC, clear, list, log, stats)\n";
    }
    return o.str();
}

ControlServer::~ControlServer() {
    for (auto& c : clients_) close(c.fd);
    if (lfd_ >= 0) {
        close(lfd_);
        unlink(path_.c_str());
    }
}

bool ControlServer::listen(const std::string& path) {
    const int fd = listen_unix(path, SOCK_STREAM | SOCK_NONBLOCK);
    if (fd < 0) return false;
    lfd_ = fd;
    path_ = path;
    return true;
}

std::vector<int> ControlServer::poll_fds() const {
    std::vector<int> v;
    if (lfd_ >= 0) v.push_back(lfd_);
    for (const auto& c : clients_) v.push_back(c.fd);
    return v;
}

void ControlServer::drop(size_t i) {
    close(clients_[i].fd);
    clients_.erase(clients_.begin() + static_cast<long>(i));
}

void ControlServer::service(model::Engine& engine) {
    for (;;) {  // new connections
        int fd = accept4(lfd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) break;
        if (clients_.size() >= kMaxClients) {
            static const char busy[] = "error too many control connections\n";
            (void)!send(fd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
            close(fd);
            continue;
        }
        clients_.push_back({fd, {}});
    }
    for (size_t i = 0; i < clients_.size();) {
        char buf[1024];
        bool eof = false, gone = false;  // eof: answer what came, then close
        for (;;) {
            ssize_t n = recv(clients_[i].fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                clients_[i].in.append(buf, static_cast<size_t>(n));
                if (clients_[i].in.size() > 4 * kMaxLine) break;
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) eof = true;
            if (n < 0 && errno == EINTR) continue;
            break;
        }
        std::string& in = clients_[i].in;
        size_t nl;
        while ((nl = in.find('\n')) != std::string::npos) {
            std::string answer = nl > kMaxLine ? std::string("error line too long\n")
                                               : control_command(engine, in.substr(0, nl));
            if (log_) {
                const size_t last = answer.rfind('\n', answer.size() - 2);
                std::fprintf(log_, "cce-model: control: %s -> %s",
                             trim(in.substr(0, nl)).substr(0, 200).c_str(),
                             answer.c_str() + (last == std::string::npos ? 0 : last + 1));
            }
            // Answers are short; a client that does not read them is dropped.
            size_t off = 0;
            while (off < answer.size()) {
                ssize_t w = send(clients_[i].fd, answer.data() + off, answer.size() - off,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
                if (w <= 0) {
                    gone = true;
                    break;
                }
                off += static_cast<size_t>(w);
            }
            in.erase(0, nl + 1);
            if (gone) break;
        }
        if (in.size() > kMaxLine) {
            static const char tl[] = "error line too long\n";
            (void)!send(clients_[i].fd, tl, sizeof tl - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
            gone = true;
        }
        if (gone || eof)
            drop(i);
        else
            ++i;
    }
}

}  // namespace cce::cosim
