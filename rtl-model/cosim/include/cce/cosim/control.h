// SPDX-License-Identifier: MIT
// cce-model's control socket (--control PATH): a unix stream socket taking
// text lines from a developer shell (socat, nc -U) or a scenario runner.
//
//   fault SPEC   add a fault (include/cce/model/fault.h)  -> ok fault ID SPEC
//   clear        remove every fault                       -> ok cleared N
//   list         one "fault ID SPEC matched=M injected=K" line each, then ok N
//   log          the injection log, one line each, then ok N
//   stats        key=value statistics lines, then ok
//
// Every answer ends with one line starting "ok" or "error". Commands run
// between simulation steps, never inside one: the link's timing model and
// the engine see them like an MMIO write arriving at that point.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "cce/cosim/model_link.h"
#include "cce/model/engine.h"

namespace cce::cosim {

// Execute one command line against the engine; returns the answer text.
std::string control_command(model::Engine& engine, const std::string& line);

// The engine's statistics as key=value lines (also cce-model --stats).
std::string stats_kv(const model::EngineStats& s);

class ControlServer : public LinkSideChannel {
public:
    explicit ControlServer(FILE* log) : log_(log) {}
    ~ControlServer() override;
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Listen at path (an existing socket file is replaced). False: errno.
    bool listen(const std::string& path);
    std::vector<int> poll_fds() const override;
    void service(model::Engine& engine) override;

    static constexpr size_t kMaxClients = 16;
    static constexpr size_t kMaxLine = 4096;

private:
    struct Client {
        int fd;
        std::string in;
    };
    void drop(size_t i);
    FILE* log_;
    int lfd_ = -1;
    std::string path_;
    std::vector<Client> clients_;
};

}  // namespace cce::cosim
