// SPDX-License-Identifier: MIT
// A declarative VM scenario (scenarios/*.yaml): VM shape, device/model
// options, fault schedule, guest workload, expectations. See
// scenarios/README.md for the file format.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cce::scenario {

// A bad scenario file: the message names the file, line and column.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct VmShape {
    std::string memory = "1G";
    unsigned vcpus = 2;
    unsigned devices = 1;
    bool iommu = true;         // iommu: sva | none
    unsigned timeout_s = 600;  // whole VM run
};

struct DeviceOptions {
    unsigned queues = 4;
    unsigned clock_mhz = 0;         // 0: the model's default
    // Hardware queues cce.ko keeps for the kernel crypto API (module
    // parameter kernel_queues). 0 by default in scenarios: every queue goes
    // to user space, and no crypto self-test traffic (which includes jobs
    // that fail on purpose) mixes with the workload and the fault schedule.
    unsigned kernel_queues = 0;
    std::string datapath;           // "": the model's default (reference)
    std::vector<std::string> model_args;
};

// One injected fault: key=value pairs handed to cce-model --fault in order.
struct Fault {
    std::vector<std::pair<std::string, std::string>> fields;
    std::string spec() const;  // "class=bitflip queue=0 after=10"
};

struct Step {
    std::string name;
    std::string run;                 // shell command in the guest
    std::vector<int> expect_exit{0};  // empty: any status
    unsigned timeout_s = 0;           // 0: none beyond the VM's
    bool background = false;          // run concurrently with later steps
    std::vector<std::string> output_require, output_forbid;  // regexes
};

// "OP VALUE" with OP one of >= <= == != > <.
struct Bound {
    std::string op;
    uint64_t value = 0;
    bool holds(uint64_t v) const;
    std::string text() const { return op + " " + std::to_string(value); }
};

struct Expectations {
    std::vector<std::string> dmesg_require, dmesg_forbid;  // regexes
    bool allow_oops = false;
    bool model_crash = false;  // model: crashed (the device is lost on purpose)
    std::map<std::string, Bound> stats;  // model-0 statistics bounds
};

struct Scenario {
    std::string file;
    std::string name;
    std::string description;
    VmShape vm;
    DeviceOptions device;
    std::optional<uint64_t> fault_seed;
    std::vector<Fault> faults;
    std::vector<Step> workload;
    Expectations expect;
};

// Parses and validates a scenario file; throws Error on any unknown key,
// missing required key or bad value, before anything runs.
Scenario parse_file(const std::string& path);
Scenario parse_text(const std::string& text, const std::string& name_for_errors);

Bound parse_bound(const std::string& s);  // throws std::invalid_argument

}  // namespace cce::scenario
