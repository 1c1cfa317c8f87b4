// SPDX-License-Identifier: MIT
// The engine's fault injector (see include/cce/model/fault.h for the spec).
// Pure bookkeeping, no SystemC: the engine asks it at each event (a job
// starting, a page response, an invalidation) whether a fault of a class
// fires there, and tells it what took effect.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <vector>

#include "cce/model/fault.h"

namespace cce::model {

// Where an event happens.
struct FaultSite {
    int queue = -1;
    bool pasid_valid = false;
    uint32_t pasid = 0;
    int opcode = -1;
    uint64_t now_ns = 0;
};

struct FiredFault {
    unsigned id = 0;
    FaultSpec spec;
    uint64_t rand = 0;  // one draw of the fault's PRNG, for class parameters
};

class FaultInjector {
public:
    static constexpr size_t kMaxLog = 65536;  // records kept; later ones only counted

    void set_seed(uint64_t seed) { seed_ = seed; }
    unsigned add(const FaultSpec& s);
    size_t clear();
    // One event of class c at site. `extra` (optional) narrows the match
    // further (e.g. the address is inside the job). Returns the first fault
    // that fires; its matched/injected counts are updated.
    std::optional<FiredFault> fire(FaultClass c, const FaultSite& site,
                                   const std::function<bool(const FaultSpec&)>& extra = {});
    // Timed faults (FaultSpec::timed) due at now_ns, consumed.
    std::vector<FiredFault> due_timed(uint64_t now_ns);
    std::optional<uint64_t> next_timed() const;
    bool has(FaultClass c) const { return active_[static_cast<unsigned>(c)] != 0; }

    void record(const FaultRecord& r);
    std::vector<FaultState> list() const;
    const std::vector<FaultRecord>& log() const { return log_; }
    uint64_t log_dropped() const { return log_dropped_; }
    const std::array<uint64_t, kFaultClassCount>& counts() const { return counts_; }

private:
    struct Entry {
        FaultState st;
        std::mt19937_64 rng;
        bool exhausted = false;
    };
    bool live(const Entry& e) const;
    double uniform(Entry& e);
    void recount();

    std::vector<Entry> faults_;
    std::array<unsigned, kFaultClassCount> active_{};
    std::array<uint64_t, kFaultClassCount> counts_{};
    std::vector<FaultRecord> log_;
    uint64_t log_dropped_ = 0;
    uint64_t seed_ = 1;
    unsigned next_id_ = 1;
};

}  // namespace cce::model
