// SPDX-License-Identifier: MIT
// Fault injection into the engine model: what a fault is, its one-line text
// form, and the record the engine keeps of every injection. The injector
// itself lives inside the engine (rtl-model/model/fault.cpp); users add
// faults through cce::model::Engine (engine.h), the cce-model command line
// (--fault) or its control socket. docs/hw-spec.md section 18 describes
// what each class does to the device.
//
// Spec grammar: space-separated key=value pairs, class first or anywhere:
//   class=bitflip queue=1 opcode=compress after=10 count=1
//   class=ue at_ns=5000000
//   class=cpl_error status=internal-error prob=0.01 seed=7
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cce::model {

enum class FaultClass : uint8_t {
    XlateFault,  // "xlate": translation fault on a job's access (addr= or its next one)
    PriFail,     // "pri_fail": a page response is treated as failed
    AtsDelay,    // "ats_delay": an ATS invalidation completes delay_ns later (simulated
                 // time runs meanwhile; invalidations made from inside the
                 // simulation, e.g. a harness callback, are not candidates)
    Hang,        // "hang": the queue stops fetching and completing until reset/disable
    BitFlip,     // "bitflip": one bit of the job's output flipped, status success
    CplError,    // "cpl_error": the job completes with status=
    MsixLost,    // "msix_lost": the queue's next MSI-X is not sent
    MsixDup,     // "msix_dup": the queue's next MSI-X is sent twice
    Ce,          // "ce": corrected internal error (RAS + AER correctable)
    Ue,          // "ue": uncorrectable internal error (RAS + AER), severity=fatal|nonfatal
    Crash,       // "crash": the model process aborts (device lost)
};
constexpr unsigned kFaultClassCount = 11;

const char* fault_class_name(FaultClass c);

struct FaultSpec {
    FaultClass cls = FaultClass::CplError;
    // Selectors: an unset selector matches anything.
    std::optional<unsigned> queue;
    std::optional<uint32_t> pasid;   // matches only PASID-enabled queues
    std::optional<uint8_t> opcode;
    // Triggers: every one that is set must hold. None set: the first
    // matching event.
    std::optional<uint64_t> after;   // skip the first N matching events
    std::optional<uint64_t> at_ns;   // not before simulated time T
    std::optional<double> prob;      // each matching event with probability P
    std::optional<uint64_t> seed;    // PRNG seed of this fault (else the engine's)
    // Injections at most; 0 = unlimited. Default 1, or unlimited with prob=.
    std::optional<uint64_t> count;
    // Class parameters.
    std::optional<uint64_t> addr;    // xlate: the IOVA that faults
    uint8_t status = 0x06;           // cpl_error: CCE_ST_* (default INTERNAL_ERROR)
    uint64_t delay_ns = 0;           // ats_delay: how much later (default 10 us)
    std::optional<uint64_t> bit;     // bitflip: bit index in the output (else PRNG)
    bool fatal = true;               // ue: severity

    uint64_t max_count() const { return count ? *count : (prob ? 0 : 1); }
    // Timed faults fire at at_ns by themselves, with no job involved: ce, ue
    // and crash with at_ns and no selector, after or prob.
    bool timed() const;
    // Canonical text (parses back to an equal spec).
    std::string text() const;
};

// Parse one spec. False with a message in err (unknown key, bad value,
// missing class, a key the class does not take).
bool parse_fault_spec(const std::string& text, FaultSpec& out, std::string& err);

// One injection that took effect.
struct FaultRecord {
    uint64_t time_ns = 0;
    unsigned fault_id = 0;        // from Engine::add_fault
    FaultClass cls = FaultClass::CplError;
    int queue = -1;               // -1: not tied to a queue
    bool pasid_valid = false;
    uint32_t pasid = 0;
    int opcode = -1;              // -1: not tied to a job
    uint64_t detail = 0;          // class-specific (address, bit, status, delay)
    std::string text() const;     // one log line
};

// A fault as the engine holds it.
struct FaultState {
    unsigned id = 0;
    FaultSpec spec;
    uint64_t matched = 0;         // matching events seen
    uint64_t injected = 0;        // times it fired
};

}  // namespace cce::model
