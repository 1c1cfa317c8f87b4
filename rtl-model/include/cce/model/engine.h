// SPDX-License-Identifier: MIT
// Public API of the CCE engine model. SystemC stays behind this header:
// code that drives the model (test harness, cosim link, tools) includes only
// this and host_if.h.
//
// One Engine per process at a time: each Engine owns a fresh SystemC
// simulation context, built in the constructor and torn down in the
// destructor, so tests can build many engines one after another.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cce/model/fault.h"
#include "cce/model/host_if.h"

namespace cce::model {

struct EngineConfig {
    unsigned num_queues = 16;        // 1..CCE_MAX_QUEUES
    unsigned clock_mhz = 1000;       // engine clock; all latencies are in its cycles
    unsigned atc_entries = 64;       // ATC capacity (pages), LRU
    unsigned exec_slots = 2;         // jobs executing at once across queues
    uint32_t max_job_len = 16u << 20;
    // Timing annotations (cycles).
    unsigned mmio_cycles = 2;
    unsigned desc_fetch_cycles = 20;     // fixed cost of a descriptor fetch
    unsigned cpl_write_cycles = 10;
    unsigned dma_setup_cycles = 30;      // per DMA burst
    unsigned dma_bytes_per_cycle = 32;
    unsigned atc_hit_cycles = 1;
    unsigned ats_miss_cycles = 200;      // ATS round trip on a miss
    unsigned page_request_cycles = 500;  // PRI issue cost (plus host time)
    // Datapath per unit: CCE_DP_UNIT_* bits set = that unit runs its
    // Verilated RTL core and simulated time comes from the core's real cycle
    // count; clear = C++ reference with the annotations above.
    uint32_t rtl_units = 0;
    // Waveforms of the RTL cores (VCD, one file per core: PREFIX-crc.vcd,
    // -aes, -sha, -lz77) for the engine's jobs number first..last (0-based,
    // in execution order). Empty prefix: off, at no cost.
    std::string trace_prefix;
    uint64_t trace_first_job = 0;
    uint64_t trace_last_job = 0;
    // Default PRNG seed of probabilistic faults (a fault's seed= overrides).
    uint64_t fault_seed = 1;
};

// Parses "reference", "rtl" or a comma list of units ("crc,aes,sha,lz77")
// into CCE_DP_UNIT_* bits; false for anything else.
bool parse_datapath(const std::string& text, uint32_t& units);
// True when this build has the RTL cores (Verilator found at build time).
bool rtl_available();

struct QueueStats {
    uint64_t jobs = 0;
    uint64_t errors = 0;          // completions with status != SUCCESS
    uint64_t dma_bytes = 0;       // bytes this queue's DMA moved (STAT_DMA_BYTES)
    uint64_t bytes_in = 0;
    uint64_t bytes_out = 0;
    uint64_t busy_cycles = 0;     // cycles a job of this queue was executing
    uint64_t page_requests = 0;
    uint64_t translation_faults = 0;
    uint64_t msix = 0;
    std::vector<uint64_t> by_status;  // index: enum cce_status
    std::vector<uint64_t> by_opcode;  // index: opcode (0..63)
};

struct EngineStats {
    uint64_t jobs = 0;
    uint64_t bytes_in = 0;
    uint64_t bytes_out = 0;
    uint64_t busy_cycles = 0;      // cycles any exec slot was busy (sum over slots)
    uint64_t atc_hits = 0;
    uint64_t atc_misses = 0;
    uint64_t atc_invalidations = 0;   // invalidation requests received
    uint64_t atc_entries_dropped = 0; // entries removed by invalidations
    uint64_t page_requests = 0;
    uint64_t page_responses_ok = 0;
    uint64_t page_responses_fail = 0;
    uint64_t page_responses_unexpected = 0;  // no such request pending
    uint64_t dma_reads = 0;
    uint64_t dma_writes = 0;
    uint64_t dma_read_bytes = 0;
    uint64_t dma_write_bytes = 0;
    uint64_t msix = 0;
    uint64_t resets = 0;
    uint64_t rtl_jobs = 0;     // jobs whose datapath ran on an RTL core
    uint64_t rtl_cycles = 0;   // core cycles those jobs took
    uint64_t faults_injected = 0;             // injections that took effect
    std::vector<uint64_t> faults_by_class;    // index: FaultClass
    std::vector<QueueStats> queues;
};

// Names from the hardware interface, for logs and reports.
const char* status_name(uint8_t status);  // "success", "translation-fault", ...
const char* opcode_name(uint8_t opcode);  // "memcpy", "crc32", ...

class Engine {
public:
    Engine(const EngineConfig& cfg, HostInterface& host);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // ---- inbound from the host (PCIe side) ----
    // BAR accesses; size is 4 or 8. Unknown offsets read 0, writes ignored.
    uint64_t mmio_read(unsigned bar, uint64_t offset, unsigned size);
    void mmio_write(unsigned bar, uint64_t offset, uint64_t value, unsigned size);
    // ATS invalidation: drop ATC entries of pasid overlapping [addr, addr+size).
    // Returns when the entries are gone; the host may then acknowledge.
    void ats_invalidate(uint32_t pasid, uint64_t addr, uint64_t size);
    void ats_invalidate_all();
    // PRI page group response for an earlier HostInterface::page_request.
    void page_response(uint32_t pasid, uint16_t prg_index, bool success);
    // Function level reset (FLR or GCTL.RESET): jobs stop, no DMA after return.
    void function_reset();
    // Bus master enable off: the engine stops issuing DMA (jobs abort).
    void set_bus_master(bool enabled);

    // ---- fault injection (fault.h, docs/hw-spec.md section 18) ----
    // Returns the fault's id. Throws std::invalid_argument if the spec names
    // a queue this engine does not have.
    unsigned add_fault(const FaultSpec& spec);
    size_t clear_faults();                    // returns how many were removed
    std::vector<FaultState> faults() const;
    std::vector<FaultRecord> fault_log() const;
    // What class=crash does. Default: log to stderr and std::abort().
    void set_crash_handler(std::function<void(const FaultRecord&)> handler);

    // ---- simulation control ----
    // Run until nothing more can happen without the host (all queues idle,
    // or waiting for page responses / CQ space / doorbells).
    void run_until_idle();
    // Run for ns of simulated time (timers included), then return.
    void run_for_ns(uint64_t ns);
    uint64_t now_ns() const;
    uint64_t now_cycles() const;
    bool busy() const;  // some queue has fetched or pending work

    const EngineConfig& config() const;
    EngineStats stats() const;
    std::string stats_report() const;  // human-readable summary

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace cce::model
