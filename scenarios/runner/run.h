// SPDX-License-Identifier: MIT
// Running a scenario: the guest script, the vm.sh command line, the checks
// of the expectations against what the run left behind, JUnit output.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scenario.h"

namespace cce::scenario {

struct RunOptions {
    std::string vm_sh;    // scenarios/vm/vm.sh
    std::string out_dir;  // results: OUT/NAME/...
    bool verbose = false; // echo the guest output live
};

struct StepResult {
    std::string name;
    bool ran = false;
    int exit = -1;
    std::string output;
};

struct Result {
    std::string name;
    std::string dir;
    bool pass = false;
    double seconds = 0;
    std::vector<std::string> failures;
    std::vector<StepResult> steps;
    std::string output;  // whole guest output
};

// What a finished run left behind, as the checks see it.
struct Evidence {
    int vm_status = -1;                 // vm.sh exit status
    std::string output;                 // guest command output (step markers inside)
    std::string console;                // guest serial console (kernel log)
    bool have_stats = false;            // model-0.stats was written
    std::map<std::string, uint64_t> stats;
};

// The in-guest script (/root/scenario.sh) and one file per step.
std::string guest_script(const Scenario& s);
std::string step_script(const Step& st);

// cce-model options for the scenario's device and faults.
std::vector<std::string> model_arguments(const Scenario& s);
// Runs `MODEL ... --check`: "" if the model accepts the scenario's device
// and fault options, else its complaint (before anything boots).
std::string preflight(const Scenario& s, const std::string& model);

// Arguments after vm.sh for a run whose logs go to log_dir, with the
// scenario's files already written to script_dir.
std::vector<std::string> vm_arguments(const Scenario& s, const std::string& log_dir,
                                      const std::string& script_dir);

// Judges a run (pure: unit-tested without a VM).
Result check(const Scenario& s, const Evidence& ev);

// Boots the VM and judges the run; progress on stderr.
Result run(const Scenario& s, const RunOptions& opt);

std::map<std::string, uint64_t> parse_stats(const std::string& text);
std::string junit_xml(const std::vector<Result>& results, const std::string& suite);

}  // namespace cce::scenario
