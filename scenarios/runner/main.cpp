// SPDX-License-Identifier: MIT
// cce-scenario: validate and run declarative VM scenarios.
//
//   cce-scenario validate FILE...
//   cce-scenario run [--out DIR] [--junit FILE] [--vm PATH] [--verbose] FILE...
//
// `run` validates every file first (nothing boots if one is bad), then runs
// them one after another, prints a summary and writes JUnit XML. Exit
// status: 0 all passed, 1 a scenario failed, 2 bad usage or bad file.
// The VM artefacts come from the environment (CCE_QEMU, CCE_KDIR,
// CCE_VM_IMAGE, CCE_MODEL), as ./testbed exports them.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "run.h"
#include "scenario.h"

#ifndef CCE_VM_SH
#define CCE_VM_SH "scenarios/vm/vm.sh"
#endif
#ifndef CCE_MODEL_BIN
#define CCE_MODEL_BIN "cce-model"
#endif

namespace {

void usage(FILE* f) {
    std::fprintf(f,
                 "usage: cce-scenario validate FILE...\n"
                 "       cce-scenario run [--out DIR] [--junit FILE] [--vm PATH] [--verbose] FILE...\n"
                 "  --out DIR     results per scenario in DIR/NAME (default scenario-results)\n"
                 "  --junit FILE  JUnit XML of the run (default DIR/junit.xml)\n"
                 "  --vm PATH     the VM launcher (default %s)\n"
                 "  --model PATH  cce-model, to check fault specs before booting\n"
                 "                (default $CCE_MODEL, else %s)\n"
                 "  --verbose     echo the guest output while it runs\n",
                 CCE_VM_SH, CCE_MODEL_BIN);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace cce::scenario;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const std::string cmd = argv[1];
    if (cmd == "-h" || cmd == "--help") {
        usage(stdout);
        return 0;
    }
    if (cmd != "validate" && cmd != "run") {
        usage(stderr);
        return 2;
    }
    RunOptions opt;
    opt.vm_sh = CCE_VM_SH;
    opt.out_dir = "scenario-results";
    std::string junit;
    std::string model = std::getenv("CCE_MODEL") ? std::getenv("CCE_MODEL") : CCE_MODEL_BIN;
    std::vector<std::string> files;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "cce-scenario: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--out") opt.out_dir = val();
        else if (a == "--junit") junit = val();
        else if (a == "--vm") opt.vm_sh = val();
        else if (a == "--model") model = val();
        else if (a == "--verbose") opt.verbose = true;
        else if (!a.empty() && a[0] == '-') {
            usage(stderr);
            return 2;
        } else files.push_back(a);
    }
    if (files.empty()) {
        usage(stderr);
        return 2;
    }
    std::vector<Scenario> scenarios;
    bool bad = false;
    for (const auto& f : files) {
        try {
            scenarios.push_back(parse_file(f));
        } catch (const Error& e) {
            std::fprintf(stderr, "cce-scenario: %s\n", e.what());
            bad = true;
        }
    }
    if (bad) return 2;
    // The fault keys are the model's: let it check them before any boot.
    for (const auto& s : scenarios) {
        const std::string err = preflight(s, model);
        if (!err.empty()) {
            std::fprintf(stderr, "cce-scenario: %s\n", err.c_str());
            bad = true;
        }
    }
    if (bad) return 2;
    if (cmd == "validate") {
        for (const auto& s : scenarios)
            std::printf("%s: ok (%s: %zu steps, %zu faults)\n", s.file.c_str(), s.name.c_str(), s.workload.size(),
                        s.faults.size());
        return 0;
    }
    std::vector<Result> results;
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& s : scenarios) {
        try {
            results.push_back(run(s, opt));
        } catch (const std::exception& e) {
            Result r;
            r.name = s.name;
            r.failures.push_back(std::string("runner error: ") + e.what());
            results.push_back(r);
        }
        const Result& r = results.back();
        std::printf("%s %-28s %7.1f s%s\n", r.pass ? "PASS" : "FAIL", r.name.c_str(), r.seconds,
                    r.dir.empty() ? "" : ("  logs: " + r.dir).c_str());
        for (const auto& f : r.failures) std::printf("     - %s\n", f.c_str());
        std::fflush(stdout);
    }
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    size_t passed = 0;
    for (const auto& r : results) passed += r.pass;
    std::printf("scenarios: %zu passed, %zu failed, %.1f s\n", passed, results.size() - passed, total);
    if (junit.empty()) junit = opt.out_dir + "/junit.xml";
    std::filesystem::create_directories(std::filesystem::path(junit).parent_path().empty()
                                            ? std::filesystem::path(".")
                                            : std::filesystem::path(junit).parent_path());
    std::ofstream(junit) << junit_xml(results, "scenarios");
    std::printf("JUnit XML: %s\n", junit.c_str());
    return passed == results.size() ? 0 : 1;
}
