// SPDX-License-Identifier: MIT
// Child processes for the cosim tests: spawn with stdout+stderr to a file,
// wait with a timeout, kill.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace cce::cosim::test {

class Proc {
public:
    Proc() = default;
    ~Proc();
    Proc(const Proc&) = delete;
    Proc& operator=(const Proc&) = delete;
    // Start argv[0] with argv; output (stdout+stderr) goes to log_path.
    bool start(const std::vector<std::string>& argv, const std::string& log_path);
    // Wait up to ms for exit. Returns true if it exited; *status gets the
    // wait status.
    bool wait(int ms, int* status = nullptr);
    bool running();
    void kill_hard();
    pid_t pid() const { return pid_; }
    std::string log() const;  // the output so far

private:
    pid_t pid_ = -1;
    std::string log_path_;
};

// A fresh temporary directory (removed by the caller if wanted).
std::string make_temp_dir(const char* tag);
bool file_exists(const std::string& p);
bool is_executable(const std::string& p);

}  // namespace cce::cosim::test
