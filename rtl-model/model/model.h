// SPDX-License-Identifier: MIT
// Internal structure of the engine model (not part of the public API).
//
//   Engine (engine.cpp)          owns the SystemC context and Top
//   Top                          wires the modules below
//     RegFile (regfile.cpp)      BAR0/BAR2 behind a TLM target socket
//     Queue[n] (queue.cpp)       per-queue SC_THREAD: fetch, validate, execute,
//                                complete, interrupt
//     Arbiter (arbiter.cpp)      round-robin grant of execution slots
//     DmaUnit (dma.cpp)          DMA through the ATC, ATS, PRI
//     Atc (atc.cpp)              address translation cache (LRU)
//     units (units.cpp)          NOP, MEMCPY, CRC32, CRC32C, ...
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstring>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cce/cce_hw.h"
#include "cce/model/engine.h"
#include "fault.h"

namespace cce::model {

class Top;
class Queue;
struct RtlCores;  // rtl_cores.h: the Verilated cores, present in rtl mode

// ---------------------------------------------------------------- ATC --
struct AtcEntry {
    uint32_t pasid = 0;
    uint64_t va = 0;     // base of the translated range
    uint64_t size = 0;   // bytes (1 << page_shift)
    uint64_t pa = 0;
    bool read = false;
    bool write = false;
};

class Atc {
public:
    explicit Atc(unsigned capacity) : capacity_(capacity ? capacity : 1) {}
    // Returns the entry covering (pasid, addr) or nullptr; refreshes LRU.
    const AtcEntry* lookup(uint32_t pasid, uint64_t addr);
    void insert(const AtcEntry& e);
    // Drops entries of pasid overlapping [addr, addr + size); returns count.
    unsigned invalidate(uint32_t pasid, uint64_t addr, uint64_t size);
    unsigned invalidate_all();

private:
    unsigned capacity_;
    std::list<AtcEntry> entries_;  // front = most recently used
};

// ---------------------------------------------------------------- DMA --
// Where a DMA access ended up.
struct DmaOutcome {
    uint8_t status = CCE_ST_SUCCESS;  // SUCCESS, TRANSLATION_FAULT, DMA_ERROR, ABORTED
    uint64_t fault_addr = 0;
    size_t done = 0;                  // bytes transferred before the failure
    bool ok() const { return status == CCE_ST_SUCCESS; }
};

// Faults armed for one job at its start (Top::arm_job_faults).
struct JobFaults {
    std::optional<FiredFault> xlate;     // cleared once it hit an access
    std::optional<FiredFault> bitflip;
    std::optional<FiredFault> cpl_error;
    bool internal_error = false;         // ue nonfatal on this job
};

// The address space a queue's DMA runs in.
struct DmaContext {
    unsigned queue = 0;
    bool pasid_en = false;
    uint32_t pasid = 0;
    bool pri_en = false;
    uint64_t gen = 0;                  // engine reset generation of the job
    std::function<bool()> cancelled;   // abort requested for this job
    int opcode = -1;                   // the job's opcode (-1: ring access)
    JobFaults* faults = nullptr;       // the job's armed faults, if any
};

class DmaUnit {
public:
    explicit DmaUnit(Top& top);
    DmaOutcome read(const DmaContext& c, uint64_t addr, void* buf, size_t len);
    DmaOutcome write(const DmaContext& c, uint64_t addr, const void* buf, size_t len);
    // Page responses arrive here from the host.
    void page_response(uint32_t pasid, uint16_t prg_index, bool success);
    void reset();  // drop pending page requests (waiters see the reset)

private:
    DmaOutcome access(const DmaContext& c, uint64_t addr, uint8_t* buf, size_t len, bool write);
    // Translate one page for c; fills pa/limit or returns a failure status.
    uint8_t translate(const DmaContext& c, uint64_t addr, bool write, uint64_t& pa,
                      uint64_t& limit);
    bool page_request(const DmaContext& c, uint64_t page, bool write, bool& success);
    // An armed xlate fault hitting [cur, cur + chunk): shortens chunk to
    // stop before a later target address, or returns the failure to report.
    bool injected_fault(const DmaContext& c, uint64_t cur, size_t& chunk, DmaOutcome& out);
    void transfer_time(size_t bytes);

    struct PendingPr {
        uint32_t pasid;
        bool done = false;
        bool success = false;
    };
    Top& top_;
    uint16_t next_prg_ = 0;
    std::map<uint16_t, PendingPr> pending_;
    sc_core::sc_event pr_event_;
    sc_core::sc_event_or_list pr_wait_;  // response, reset or abort
    sc_core::sc_time bus_free_at_ = sc_core::SC_ZERO_TIME;
};

// ------------------------------------------------------------ Arbiter --
// Round-robin among queues that want an execution slot.
class Arbiter {
public:
    Arbiter(unsigned slots, unsigned queues) : slots_(slots ? slots : 1), want_(queues, false) {}
    // Blocks (SystemC wait) until queue q holds a slot. false: reset happened.
    bool acquire(unsigned q, uint64_t gen, const uint64_t& cur_gen);
    void release(unsigned q, uint64_t gen, uint64_t cur_gen);
    void reset();

private:
    bool grantable(unsigned q) const;
    unsigned slots_;
    unsigned busy_ = 0;
    unsigned rr_next_ = 0;
    std::vector<bool> want_;
    sc_core::sc_event changed_;
};

// --------------------------------------------------------------- Units --
struct JobResult {
    uint8_t status = CCE_ST_SUCCESS;
    uint8_t cpl_flags = 0;
    uint32_t result = 0;
    uint32_t consumed = 0;
    uint32_t produced = 0;
    uint64_t fault_addr = 0;
};

// What a unit may do while executing a job.
class JobIo {
public:
    JobIo(Top& top, const DmaContext& ctx) : top_(top), ctx_(ctx) {}
    DmaOutcome read(uint64_t addr, void* buf, size_t len);
    DmaOutcome write(uint64_t addr, const void* buf, size_t len);
    void compute(uint64_t cycles);  // annotate datapath time
    bool cancelled() const;         // abort or reset: stop at the next chunk
    const EngineConfig& cfg() const;
    // The RTL cores if `unit` (CCE_DP_UNIT_*) runs in rtl mode, else nullptr.
    RtlCores* rtl(uint32_t unit) const;
    // Account a job's datapath that ran on a core for `cycles` cycles.
    void rtl_ran(uint64_t cycles);

private:
    Top& top_;
    const DmaContext& ctx_;
};

struct UnitOps {
    const char* name;
    // Field checks beyond the common ones; return SUCCESS to execute.
    JobResult (*validate)(const cce_desc& d, const EngineConfig& cfg);
    JobResult (*execute)(const cce_desc& d, JobIo& io);
};

// The unit table: nullptr = opcode not implemented (UNSUPPORTED_OP).
using UnitTable = std::array<const UnitOps*, 64>;
const UnitOps* unit_for(uint8_t opcode);
uint64_t opcap_bits();
// Each unit family adds its opcodes (units_basic.cpp, units_crypto.cpp, ...).
void add_basic_units(UnitTable& t);
void add_crypto_units(UnitTable& t);
void add_compress_units(UnitTable& t);

// ---- helpers shared by the units (units.cpp) ----
JobResult job_fail(uint8_t status, uint32_t result = 0);
inline JobResult job_invalid(cce_invd_reason why) { return job_fail(CCE_ST_INVALID_DESC, why); }
// Stream flags: FIRST|LAST = whole job in one descriptor.
inline bool df_first(const cce_desc& d) { return d.flags & CCE_DF_FIRST; }
inline bool df_last(const cce_desc& d) { return d.flags & CCE_DF_LAST; }
inline bool df_oneshot(const cce_desc& d) { return df_first(d) && df_last(d); }
// A parameter block of at least `size` bytes, CCE_PARAM_ALIGN aligned.
JobResult check_param(const cce_desc& d, size_t size);
// Source/destination checks for a buffer-to-buffer unit: lengths, address
// wrap, overlap (exact in-place allowed when in_place_ok), output size.
JobResult check_buffers(const cce_desc& d, const EngineConfig& cfg, bool in_place_ok,
                        uint32_t out_needed);
// Whole-buffer DMA; on failure res gets status and fault address.
bool read_all(JobIo& io, uint64_t addr, size_t len, std::vector<uint8_t>& out, JobResult& res);
// Read the descriptor's parameter block into p (its size was validated).
template <typename P>
bool read_param(JobIo& io, const cce_desc& d, P& p, JobResult& res) {
    std::vector<uint8_t> raw;
    if (!read_all(io, d.param, sizeof p, raw, res)) return false;
    std::memcpy(&p, raw.data(), sizeof p);
    return true;
}
// A host buffer named inside a parameter block (AAD, key): length within
// MAX_JOB_LEN, non-null when non-empty, no wrap past 2^64.
bool param_buffer_ok(uint64_t addr, uint64_t len, const EngineConfig& cfg);
bool write_all(JobIo& io, uint64_t addr, const uint8_t* p, size_t len, JobResult& res);

// Common descriptor checks; SUCCESS if the unit may validate further.
JobResult validate_common(const cce_desc& d);
// Checks used by several units.
bool addr_wraps(uint64_t addr, uint64_t len);
bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);

// --------------------------------------------------------------- Queue --
class Queue : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(Queue);
    Queue(sc_core::sc_module_name name, Top& top, unsigned index);

    // Register interface (called by RegFile, outside or inside simulation).
    uint64_t reg_read(uint32_t reg, unsigned size);
    void reg_write(uint32_t reg, uint64_t value, unsigned size);
    void doorbell_write(uint32_t off, uint32_t value);
    void reset();  // function reset: registers to defaults, work dropped

    bool busy() const;
    bool in_flight() const { return in_flight_; }
    bool enabled() const { return ctrl_ & CCE_QCTRL_ENABLE; }
    void set_page_wait(bool w) { page_wait_ = w; }
    void kick() { wake_.notify(sc_core::SC_ZERO_TIME); }  // global state changed
    QueueStats stats;

private:
    void thread();
    void irq_timer_thread();
    void hang(uint64_t gen);
    // false: the job hangs the queue.
    bool arm_faults(const cce_desc& d, const FaultSite& site, JobFaults& jf);
    void flip_output_bit(const DmaContext& c, const cce_desc& d, JobResult& r,
                         const FaultSite& site, const FiredFault& f);
    void set_ctrl(uint32_t v);
    void raise_error(uint32_t qerr);
    bool config_ok() const;
    bool can_fetch() const;
    void process_one(uint64_t gen);
    bool write_completion(const DmaContext& c, cce_cpl cpl, uint8_t flags, uint64_t gen);
    void completion_irq(bool requested);
    void fire_irq();
    uint32_t status_bits() const;
    DmaContext dma_context(uint64_t gen) const;

    Top& top_;
    unsigned index_;
    // registers
    uint64_t sq_base_ = 0, cq_base_ = 0;
    uint32_t sq_size_ = 0, cq_size_ = 0;
    uint32_t pasid_reg_ = 0;
    uint32_t ctrl_ = 0;
    uint32_t err_ = 0;
    uint32_t sq_head_ = 0, sq_tail_ = 0;
    uint32_t cq_tail_ = 0, cq_head_ = 0;
    uint32_t irq_ = 0;
    uint32_t msix_vec_ = 0;
    // state
    bool in_flight_ = false;
    bool page_wait_ = false;
    bool cq_full_ = false;
    bool hung_ = false;                 // fault class hang: until reset/disable
    std::optional<FiredFault> msix_lost_, msix_dup_;  // applied to the next MSI-X
    uint8_t phase_ = 1;
    unsigned irq_pending_ = 0;
    bool irq_timer_armed_ = false;
    sc_core::sc_event wake_;
    sc_core::sc_event cq_space_;
    sc_core::sc_event irq_timer_;
    // Built once: temporary `a | b` lists leak if a thread dies waiting.
    sc_core::sc_event_or_list wake_or_reset_;
    sc_core::sc_event_or_list cq_or_reset_;
};

// ------------------------------------------------------------- RegFile --
class RegFile : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<RegFile> socket;
    RegFile(sc_core::sc_module_name name, Top& top);
    void reset();

    uint32_t gctl = 0;
    uint32_t intcfg = 0;
    uint32_t ras_status = 0;
    uint32_t ras_mask = 0;
    uint32_t ras_ce_count = 0;
    uint32_t ras_ue_count = 0;
    uint64_t ras_err_info = 0;
    bool fatal = false;  // GSTS.FATAL: uncorrectable error, until function reset

private:
    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    uint64_t read_global(uint32_t off, unsigned size);
    void write_global(uint32_t off, uint64_t value, unsigned size);
    Top& top_;
};

// ----------------------------------------------------------------- Top --
class Top : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(Top);
    Top(sc_core::sc_module_name name, const EngineConfig& cfg, HostInterface& host);
    ~Top() override;

    const EngineConfig cfg;
    HostInterface& host;
    const sc_core::sc_time clk;  // one engine cycle
    EngineStats stats;
    uint64_t gen = 0;            // bumped by every function reset
    bool bus_master = true;
    sc_core::sc_event reset_event;
    sc_core::sc_event abort_event;  // some queue asked to abort or was disabled

    RegFile regs;
    Atc atc;
    DmaUnit dma;
    Arbiter arbiter;
    std::vector<std::unique_ptr<Queue>> queues;
    std::unique_ptr<RtlCores> rtl;   // only when cfg.rtl_units != 0
    uint64_t job_seq = 0;            // jobs started, for the waveform window
    FaultInjector faults;
    sc_core::sc_event faults_changed;  // a timed fault was added or removed
    uint64_t ue_epoch = 0;             // bumped by errors that fail every job in flight
    std::function<void(const FaultRecord&)> crash_handler;

    void function_reset();
    // Around each executed job: opens/closes the RTL waveform window.
    uint64_t job_begin();
    void job_end(uint64_t seq);
    bool global_enabled() const { return (regs.gctl & CCE_GCTL_ENABLE) != 0; }
    // Latch a RAS condition; raise the error vector if enabled and unmasked.
    void ras_event(uint32_t ras_bit, uint64_t info);
    void raise_msix(uint16_t vector);
    // Faults: the site of an event now, recording an injection, the effect
    // of ce/ue/crash, and the faults a job gets at its start.
    FaultSite site(int queue, bool pasid_valid, uint32_t pasid, int opcode) const;
    FaultRecord fault_record(const FiredFault& f, const FaultSite& s, uint64_t detail);
    void internal_error(const FiredFault& f, const FaultSite& s, bool whole_engine);
    void crash(const FiredFault& f, const FaultSite& s);
    bool accepting() const { return global_enabled() && !regs.fatal; }
    void wait_cycles(uint64_t n);
    uint64_t cycles(sc_core::sc_time t) const;
    uint64_t qerr_summary() const;

private:
    void fault_thread();  // fires timed faults at their simulated time
};

}  // namespace cce::model
