// SPDX-License-Identifier: MIT
// Top-level wiring of the engine model and the public Engine API. Each
// Engine owns a fresh SystemC simulation context, so a process may build and
// destroy engines one after another (one at a time).
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <tlm_utils/simple_initiator_socket.h>

#include "model.h"
#include "rtl_cores.h"

namespace cce::model {

using namespace sc_core;

// ----------------------------------------------------------------- Top --
Top::Top(sc_module_name name, const EngineConfig& c, HostInterface& h)
    : sc_module(name),
      cfg(c),
      host(h),
      clk(sc_time(1e6 / c.clock_mhz, SC_PS)),
      regs("regs", *this),
      atc(c.atc_entries),
      dma(*this),
      arbiter(c.exec_slots, c.num_queues) {
    for (unsigned i = 0; i < cfg.num_queues; ++i) {
        const std::string qn = "queue" + std::to_string(i);
        queues.push_back(std::make_unique<Queue>(qn.c_str(), *this, i));
    }
    if (cfg.rtl_units) rtl = std::make_unique<RtlCores>();
    faults.set_seed(cfg.fault_seed);
    SC_THREAD(fault_thread);
}

Top::~Top() = default;

void Top::wait_cycles(uint64_t n) {
    if (n) wait(clk * static_cast<double>(n));
}

uint64_t Top::cycles(sc_time t) const { return static_cast<uint64_t>(t / clk + 0.5); }

uint64_t Top::qerr_summary() const {
    uint64_t bits = 0;
    for (unsigned i = 0; i < queues.size(); ++i)
        if (queues[i]->reg_read(CCE_Q_ERR, 4)) bits |= 1ull << i;
    return bits;
}

uint64_t Top::job_begin() {
    const uint64_t seq = job_seq++;
#if CCE_MODEL_HAS_RTL
    if (rtl && !cfg.trace_prefix.empty() && seq == cfg.trace_first_job) {
        const std::string& p = cfg.trace_prefix;
        rtl->crc.set_trace(p + "-crc.vcd", rtl->crc.cycles(), UINT64_MAX);
        rtl->aes.set_trace(p + "-aes.vcd", rtl->aes.cycles(), UINT64_MAX);
        rtl->sha.set_trace(p + "-sha.vcd", rtl->sha.cycles(), UINT64_MAX);
        rtl->lz77.set_trace(p + "-lz77.vcd", rtl->lz77.cycles(), UINT64_MAX);
    }
#endif
    return seq;
}

void Top::job_end(uint64_t seq) {
#if CCE_MODEL_HAS_RTL
    if (rtl && !cfg.trace_prefix.empty() && seq == cfg.trace_last_job) {
        // An empty window closes (and flushes) the files.
        rtl->crc.set_trace({}, 1, 0);
        rtl->aes.set_trace({}, 1, 0);
        rtl->sha.set_trace({}, 1, 0);
        rtl->lz77.set_trace({}, 1, 0);
    }
#else
    (void)seq;
#endif
}

void Top::raise_msix(uint16_t vector) {
    ++stats.msix;
    host.raise_msix(vector);
}

void Top::ras_event(uint32_t ras_bit, uint64_t info) {
    const bool newly = !(regs.ras_status & ras_bit);
    regs.ras_status |= ras_bit;
    regs.ras_err_info = info;
    if (ras_bit & CCE_RAS_CE_INTERNAL) ++regs.ras_ce_count;
    if (ras_bit & CCE_RAS_UE_INTERNAL) ++regs.ras_ue_count;
    if (newly && (regs.intcfg & CCE_INTCFG_ERR_IRQ_EN) && !(regs.ras_mask & ras_bit))
        raise_msix(static_cast<uint16_t>(CCE_MSIX_ERR_VECTOR(cfg.num_queues)));
}

// ------------------------------------------------------------- faults --
FaultSite Top::site(int queue, bool pasid_valid, uint32_t pasid, int opcode) const {
    FaultSite s;
    s.queue = queue;
    s.pasid_valid = pasid_valid;
    s.pasid = pasid;
    s.opcode = opcode;
    s.now_ns = static_cast<uint64_t>(sc_time_stamp().to_seconds() * 1e9 + 0.5);
    return s;
}

FaultRecord Top::fault_record(const FiredFault& f, const FaultSite& s, uint64_t detail) {
    FaultRecord r;
    r.time_ns = s.now_ns;
    r.fault_id = f.id;
    r.cls = f.spec.cls;
    r.queue = s.queue;
    r.pasid_valid = s.pasid_valid;
    r.pasid = s.pasid;
    r.opcode = s.opcode;
    r.detail = detail;
    faults.record(r);
    return r;
}

// RAS_ERR_INFO of an internal error: bit 63 internal, bit 62 fatal,
// bits 39:32 queue (0xff: none), bits 7:0 opcode (0xff: none).
void Top::internal_error(const FiredFault& f, const FaultSite& s, bool whole_engine) {
    const bool ce = f.spec.cls == FaultClass::Ce;
    const bool fatal = !ce && f.spec.fatal;
    const uint64_t info = (1ull << 63) | (fatal ? 1ull << 62 : 0) |
                          (uint64_t(s.queue < 0 ? 0xff : s.queue & 0xff) << 32) |
                          uint64_t(s.opcode < 0 ? 0xff : s.opcode & 0xff);
    fault_record(f, s, info);
    if (ce) {
        ras_event(CCE_RAS_CE_INTERNAL, info);
        host.raise_aer(AerSeverity::Correctable, info);
        return;
    }
    if (fatal) regs.fatal = true;
    if (fatal || whole_engine) {
        // Every job in flight stops at its next chunk and fails.
        ++ue_epoch;
        abort_event.notify(SC_ZERO_TIME);
    }
    ras_event(CCE_RAS_UE_INTERNAL, info);
    host.raise_aer(fatal ? AerSeverity::Fatal : AerSeverity::NonFatal, info);
}

void Top::crash(const FiredFault& f, const FaultSite& s) {
    const FaultRecord r = fault_record(f, s, 0);
    if (crash_handler) {
        crash_handler(r);
        return;
    }
    std::fprintf(stderr, "cce model: injected crash: %s\n", r.text().c_str());
    std::fflush(nullptr);
    std::abort();
}

void Top::fault_thread() {
    for (;;) {
        const std::optional<uint64_t> t = faults.next_timed();
        const FaultSite now = site(-1, false, 0, -1);
        if (!t) {
            wait(faults_changed);
            continue;
        }
        if (*t > now.now_ns) {
            wait(sc_time(static_cast<double>(*t - now.now_ns), SC_NS), faults_changed);
            continue;
        }
        for (const FiredFault& f : faults.due_timed(now.now_ns)) {
            if (f.spec.cls == FaultClass::Crash)
                crash(f, now);
            else
                internal_error(f, now, true);
        }
    }
}

void Top::function_reset() {
    ++gen;
    ++stats.resets;
    regs.reset();
    stats.atc_entries_dropped += atc.invalidate_all();
    dma.reset();
    arbiter.reset();
    for (auto& q : queues) q->reset();
    reset_event.notify(SC_ZERO_TIME);
}

// ------------------------------------------------------------- HostPort --
// The host's side of the register socket: MMIO from whoever drives the model.
struct HostPort : sc_module {
    tlm_utils::simple_initiator_socket<HostPort> socket;
    explicit HostPort(sc_module_name n) : sc_module(n), socket("socket") {}
};

// -------------------------------------------------------------- Engine --
struct Engine::Impl {
    sc_simcontext* ctx = nullptr;
    std::unique_ptr<Top> top;
    std::unique_ptr<HostPort> port;
    bool running = false;
};

namespace {
void check_config(const EngineConfig& c) {
    if (c.num_queues < 1 || c.num_queues > CCE_MAX_QUEUES)
        throw std::invalid_argument("num_queues must be 1.." + std::to_string(CCE_MAX_QUEUES));
    if (c.clock_mhz < 1 || c.clock_mhz > 10000)
        throw std::invalid_argument("clock_mhz must be 1..10000");
    if (c.exec_slots < 1 || c.exec_slots > 64)
        throw std::invalid_argument("exec_slots must be 1..64");
    if (c.atc_entries < 1) throw std::invalid_argument("atc_entries must be >= 1");
    if (c.dma_bytes_per_cycle < 1) throw std::invalid_argument("dma_bytes_per_cycle must be >= 1");
    if (c.max_job_len < 4096) throw std::invalid_argument("max_job_len must be >= 4096");
    if (c.rtl_units & ~CCE_DP_UNIT_ALL) throw std::invalid_argument("unknown rtl_units bits");
    if (c.rtl_units && !rtl_available())
        throw std::invalid_argument("this build has no RTL cores (Verilator was not found)");
    if (!c.trace_prefix.empty() && !c.rtl_units)
        throw std::invalid_argument("waveforms need at least one unit in rtl mode");
    if (c.trace_last_job < c.trace_first_job)
        throw std::invalid_argument("trace_last_job must be >= trace_first_job");
}
}  // namespace

bool rtl_available() { return CCE_MODEL_HAS_RTL != 0; }

bool parse_datapath(const std::string& text, uint32_t& units) {
    if (text == "reference") {
        units = 0;
        return true;
    }
    if (text == "rtl") {
        units = CCE_DP_UNIT_ALL;
        return true;
    }
    uint32_t u = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t comma = text.find(',', pos);
        const std::string name = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (name == "crc") u |= CCE_DP_UNIT_CRC;
        else if (name == "aes") u |= CCE_DP_UNIT_AES;
        else if (name == "sha") u |= CCE_DP_UNIT_SHA;
        else if (name == "lz77") u |= CCE_DP_UNIT_LZ77;
        else return false;
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    units = u;
    return true;
}

Engine::Engine(const EngineConfig& cfg, HostInterface& host) : impl_(std::make_unique<Impl>()) {
    check_config(cfg);
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    impl_->ctx = new sc_simcontext();
    sc_curr_simcontext = impl_->ctx;
    sc_default_global_context = impl_->ctx;
    sc_report_handler::set_actions(SC_ID_NO_SC_START_ACTIVITY_, SC_DO_NOTHING);
    impl_->top = std::make_unique<Top>("cce", cfg, host);
    impl_->port = std::make_unique<HostPort>("host");
    impl_->port->socket.bind(impl_->top->regs.socket);
    sc_start(SC_ZERO_TIME);  // elaborate and start the queue threads
}

Engine::~Engine() {
    impl_->port.reset();
    impl_->top.reset();
    delete impl_->ctx;
    sc_curr_simcontext = nullptr;
    sc_default_global_context = nullptr;
}

namespace {
void access(HostPort& port, bool write, unsigned bar, uint64_t off, uint64_t& value, unsigned size) {
    if (size == 0 || size > 8) {  // no such PCIe access: reads 0, writes dropped
        value = write ? value : 0;
        return;
    }
    tlm::tlm_generic_payload p;
    uint8_t buf[8] = {};
    if (write) std::memcpy(buf, &value, size);
    p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    p.set_address((uint64_t(bar & 0xff) << 40) | (off & ((1ull << 40) - 1)));
    p.set_data_ptr(buf);
    p.set_data_length(size);
    p.set_streaming_width(size);
    p.set_byte_enable_ptr(nullptr);
    p.set_dmi_allowed(false);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    port.socket->b_transport(p, delay);
    if (!write) {
        value = 0;
        std::memcpy(&value, buf, size);
    }
}
}  // namespace

uint64_t Engine::mmio_read(unsigned bar, uint64_t offset, unsigned size) {
    uint64_t v = 0;
    access(*impl_->port, false, bar, offset, v, size);
    return v;
}

void Engine::mmio_write(unsigned bar, uint64_t offset, uint64_t value, unsigned size) {
    access(*impl_->port, true, bar, offset, value, size);
}

namespace {
// Fault class ats_delay: the engine runs on (using the old translations)
// for delay_ns before it drops the entries and lets the host complete.
void maybe_delay_invalidation(Engine& e, Engine::Impl& impl, bool pasid_valid, uint32_t pasid) {
    auto& t = *impl.top;
    // Called from inside the simulation (a harness callback), time cannot be
    // run forward here: such invalidations are not candidates.
    if (impl.running || !t.faults.has(FaultClass::AtsDelay)) return;
    const FaultSite s = t.site(-1, pasid_valid, pasid, -1);
    const std::optional<FiredFault> f = t.faults.fire(FaultClass::AtsDelay, s);
    if (!f) return;
    t.fault_record(*f, s, f->spec.delay_ns);
    e.run_for_ns(f->spec.delay_ns);
}
}  // namespace

void Engine::ats_invalidate(uint32_t pasid, uint64_t addr, uint64_t size) {
    maybe_delay_invalidation(*this, *impl_, true, pasid);
    auto& t = *impl_->top;
    ++t.stats.atc_invalidations;
    t.stats.atc_entries_dropped += t.atc.invalidate(pasid, addr, size);
}

void Engine::ats_invalidate_all() {
    maybe_delay_invalidation(*this, *impl_, false, 0);
    auto& t = *impl_->top;
    ++t.stats.atc_invalidations;
    t.stats.atc_entries_dropped += t.atc.invalidate_all();
}

unsigned Engine::add_fault(const FaultSpec& spec) {
    auto& t = *impl_->top;
    if (spec.queue && *spec.queue >= t.cfg.num_queues)
        throw std::invalid_argument("queue=" + std::to_string(*spec.queue) + " but the engine has " +
                                    std::to_string(t.cfg.num_queues) + " queues");
    const unsigned id = t.faults.add(spec);
    t.faults_changed.notify(SC_ZERO_TIME);
    return id;
}

size_t Engine::clear_faults() {
    auto& t = *impl_->top;
    const size_t n = t.faults.clear();
    t.faults_changed.notify(SC_ZERO_TIME);
    return n;
}

std::vector<FaultState> Engine::faults() const { return impl_->top->faults.list(); }

std::vector<FaultRecord> Engine::fault_log() const { return impl_->top->faults.log(); }

void Engine::set_crash_handler(std::function<void(const FaultRecord&)> handler) {
    impl_->top->crash_handler = std::move(handler);
}

void Engine::page_response(uint32_t pasid, uint16_t prg_index, bool success) {
    impl_->top->dma.page_response(pasid, prg_index, success);
}

void Engine::function_reset() { impl_->top->function_reset(); }

void Engine::set_bus_master(bool enabled) {
    auto& t = *impl_->top;
    t.bus_master = enabled;
    if (!enabled) t.abort_event.notify(SC_ZERO_TIME);
}

void Engine::run_until_idle() {
    if (impl_->running) throw std::logic_error("Engine::run_until_idle called re-entrantly");
    impl_->running = true;
    for (;;) {
        if (sc_pending_activity_at_current_time())
            sc_start(SC_ZERO_TIME);
        else if (sc_pending_activity_at_future_time())
            sc_start(sc_time_to_pending_activity());
        else
            break;
    }
    impl_->running = false;
}

void Engine::run_for_ns(uint64_t ns) {
    if (impl_->running) throw std::logic_error("Engine::run_for_ns called re-entrantly");
    impl_->running = true;
    sc_start(sc_time(static_cast<double>(ns), SC_NS));
    impl_->running = false;
}

uint64_t Engine::now_ns() const { return static_cast<uint64_t>(sc_time_stamp().to_seconds() * 1e9 + 0.5); }

uint64_t Engine::now_cycles() const { return impl_->top->cycles(sc_time_stamp()); }

bool Engine::busy() const {
    for (const auto& q : impl_->top->queues)
        if (q->busy()) return true;
    return false;
}

const EngineConfig& Engine::config() const { return impl_->top->cfg; }

EngineStats Engine::stats() const {
    EngineStats s = impl_->top->stats;
    s.queues.clear();
    for (const auto& q : impl_->top->queues) s.queues.push_back(q->stats);
    const auto& c = impl_->top->faults.counts();
    s.faults_by_class.assign(c.begin(), c.end());
    s.faults_injected = 0;
    for (uint64_t n : c) s.faults_injected += n;
    return s;
}

std::string Engine::stats_report() const {
    const EngineStats s = stats();
    std::ostringstream o;
    char line[256];
    std::snprintf(line, sizeof line, "simulated time %.3f us (%llu cycles at %u MHz)\n",
                  double(now_ns()) / 1000.0, static_cast<unsigned long long>(now_cycles()),
                  config().clock_mhz);
    o << line;
    const uint32_t u = config().rtl_units;
    std::snprintf(line, sizeof line, "datapath: crc=%s aes=%s sha=%s lz77=%s; %llu jobs on RTL cores, %llu core cycles\n",
                  u & CCE_DP_UNIT_CRC ? "rtl" : "reference", u & CCE_DP_UNIT_AES ? "rtl" : "reference",
                  u & CCE_DP_UNIT_SHA ? "rtl" : "reference", u & CCE_DP_UNIT_LZ77 ? "rtl" : "reference",
                  (unsigned long long)s.rtl_jobs, (unsigned long long)s.rtl_cycles);
    o << line;
    o << "queue      jobs    errors     bytes-in    bytes-out  busy-cycles  page-reqs  msix\n";
    for (size_t i = 0; i < s.queues.size(); ++i) {
        const auto& q = s.queues[i];
        if (!q.jobs && !q.page_requests) continue;
        std::snprintf(line, sizeof line, "%5zu %9llu %9llu %12llu %12llu %12llu %10llu %5llu\n", i,
                      (unsigned long long)q.jobs, (unsigned long long)q.errors,
                      (unsigned long long)q.bytes_in, (unsigned long long)q.bytes_out,
                      (unsigned long long)q.busy_cycles, (unsigned long long)q.page_requests,
                      (unsigned long long)q.msix);
        o << line;
    }
    std::snprintf(line, sizeof line,
                  "total %9llu jobs, %llu bytes in, %llu bytes out; ATC %llu hits / %llu misses, "
                  "%llu invalidations; %llu page requests (%llu ok, %llu failed); %llu MSI-X\n",
                  (unsigned long long)s.jobs, (unsigned long long)s.bytes_in,
                  (unsigned long long)s.bytes_out, (unsigned long long)s.atc_hits,
                  (unsigned long long)s.atc_misses, (unsigned long long)s.atc_invalidations,
                  (unsigned long long)s.page_requests, (unsigned long long)s.page_responses_ok,
                  (unsigned long long)s.page_responses_fail, (unsigned long long)s.msix);
    o << line;
    if (s.faults_injected) {
        o << "faults injected:";
        for (unsigned i = 0; i < s.faults_by_class.size(); ++i)
            if (s.faults_by_class[i])
                o << ' ' << fault_class_name(static_cast<FaultClass>(i)) << '='
                  << s.faults_by_class[i];
        o << '\n';
    }
    return o.str();
}

}  // namespace cce::model

// libsystemc ships a main() that calls sc_main(); programs using the model
// bring their own main(), so this is only reached if one forgets to.
extern "C" int sc_main(int, char*[]) {
    std::fprintf(stderr, "cce model: sc_main is not an entry point; link a main()\n");
    return 1;
}
