// SPDX-License-Identifier: MIT
// Loopback transport: the real engine model (cce::model::Engine) runs in
// this process, and its PASID address space IS the process's address space.
//
//   ats_translate(pasid, va): the page's own address, with R/W from
//       /proc/self/maps, when the page is mapped and resident (mincore);
//       mapped but not resident -> "not present" (the engine sends a page
//       request); unmapped -> not present, and the page request fails.
//   page_request: fault the page in (madvise MADV_POPULATE_READ/WRITE, or a
//       touch where the kernel lacks it) and answer success; an unmapped or
//       protected address is answered with failure -> TRANSLATION_FAULT.
//   dma_read/dma_write of translated addresses: memcpy from/to the pointer.
//   Doorbell: engine.mmio_write(BAR2 ...) then engine.run_until_idle().
//
// The ring is ordinary process memory; the queue registers are programmed
// here as cce.ko does at UACCE_CMD_START_Q. The ring protocol is libcce's
// queue.cpp, the same code the uacce transport uses.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "backend.h"
#include "cce/libcce_loopback.h"
#include "cce/model/engine.h"
#include "cce/model/host_if.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace cce::lib {

namespace {

constexpr uint32_t kPasid = 1;
constexpr uint64_t kPage = CCE_PAGE_SIZE;

// Process mappings from /proc/self/maps: [start, end) with r/w.
class Maps {
public:
    struct Region {
        uint64_t start, end;
        bool r, w;
    };
    void refresh() {
        regions_.clear();
        FILE* f = std::fopen("/proc/self/maps", "re");
        if (!f) return;
        char line[512];
        while (std::fgets(line, sizeof line, f)) {
            unsigned long long s, e;
            char perms[8] = {};
            if (std::sscanf(line, "%llx-%llx %7s", &s, &e, perms) == 3)
                regions_.push_back({s, e, perms[0] == 'r', perms[1] == 'w'});
        }
        std::fclose(f);
    }
    const Region* find(uint64_t a) const {
        auto it = std::upper_bound(regions_.begin(), regions_.end(), a,
                                   [](uint64_t v, const Region& r) { return v < r.start; });
        if (it == regions_.begin()) return nullptr;
        --it;
        return a < it->end ? &*it : nullptr;
    }

private:
    std::vector<Region> regions_;
};

class SelfHost final : public model::HostInterface {
public:
    model::Engine* engine = nullptr;
    Maps maps;
    std::atomic<unsigned>* fail_dma = nullptr;       // data accesses to refuse
    std::atomic<unsigned>* fail_ring_dma = nullptr;  // ring accesses to refuse
    std::vector<std::pair<uint64_t, uint64_t>> rings;  // [start, end) of each queue's ring

    model::DmaStatus dma_read(uint64_t addr, void* buf, size_t len, const model::DmaAttrs& a) override {
        if (!a.translated) return model::DmaStatus::Fault;  // every loopback queue is PASID-tagged
        if (injected(addr)) return model::DmaStatus::BusError;
        std::memcpy(buf, reinterpret_cast<const void*>(addr), len);
        return model::DmaStatus::Ok;
    }
    model::DmaStatus dma_write(uint64_t addr, const void* buf, size_t len, const model::DmaAttrs& a) override {
        if (!a.translated) return model::DmaStatus::Fault;
        if (injected(addr)) return model::DmaStatus::BusError;
        std::memcpy(reinterpret_cast<void*>(addr), buf, len);
        return model::DmaStatus::Ok;
    }
    model::AtsResult ats_translate(uint32_t pasid, uint64_t addr, bool) override {
        model::AtsResult r;
        r.ok = true;
        if (pasid != kPasid) return r;
        const uint64_t page = addr & ~(kPage - 1);
        const Maps::Region* reg = region(page);
        if (!reg) return r;  // not mapped: not present (the page request will fail)
        unsigned char vec = 0;
        if (mincore(reinterpret_cast<void*>(page), kPage, &vec) != 0 || !(vec & 1)) return r;  // not resident
        r.read = reg->r;
        r.write = reg->w;
        r.addr = page;
        return r;
    }
    void page_request(const model::PageRequest& req) override {
        bool ok = false;
        if (req.pasid == kPasid) {
            const Maps::Region* reg = region(req.addr);
            if (reg && reg->r && (!req.write || reg->w)) ok = populate(req.addr, req.write);
        }
        if (engine) engine->page_response(req.pasid, req.prg_index, ok);
    }
    void raise_msix(uint16_t) override {}

private:
    static bool take(std::atomic<unsigned>* c) {
        if (!c) return false;
        unsigned n = c->load();
        while (n && !c->compare_exchange_weak(n, n - 1)) {
        }
        return n != 0;
    }
    bool injected(uint64_t addr) {
        const bool ring = std::any_of(rings.begin(), rings.end(),
                                      [&](const auto& r) { return addr >= r.first && addr < r.second; });
        return take(ring ? fail_ring_dma : fail_dma);
    }
    const Maps::Region* region(uint64_t a) {
        if (const auto* r = maps.find(a)) return r;
        maps.refresh();  // mapped since the last snapshot?
        return maps.find(a);
    }
    static bool populate(uint64_t page, bool write) {
        void* p = reinterpret_cast<void*>(page);
        if (madvise(p, kPage, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) == 0) return true;
        if (errno != EINVAL) return false;  // EFAULT/ENOMEM: would have been SIGSEGV/SIGBUS
        // Kernel without MADV_POPULATE_*: touch the page (the mapping was
        // checked readable/writable above).
        auto* b = static_cast<uint8_t*>(p);
        if (write) __atomic_fetch_add(b, uint8_t{0}, __ATOMIC_RELAXED);
        else (void)*static_cast<volatile uint8_t*>(p);
        return true;
    }
};

// The process-wide engine, built at the first open and torn down at the
// last close (one Engine per process at a time).
struct Device {
    std::mutex mu;
    cce_loopback_config cfg{};
    SelfHost host;
    std::unique_ptr<model::Engine> engine;
    std::vector<bool> used;
    unsigned users = 0;
    std::atomic<unsigned> fail_dma{0};
    std::atomic<unsigned> fail_ring_dma{0};
    // Test hooks: the next SQ doorbell resets the function instead (1) or
    // the device is lost there (2), as cce.ko reports them (q_state).
    std::atomic<int> inject{0};
    unsigned reset_gen = 0;  // function resets so far
    bool lost = false;
};

Device& dev() {
    static Device* d = new Device;  // never destroyed: contexts may close during exit
    return *d;
}

class LoopbackTransport final : public Transport {
public:
    ~LoopbackTransport() override { close_queue(); }

    int open() {
        Device& d = dev();
        std::lock_guard<std::mutex> lk(d.mu);
        if (d.engine && d.lost) return CCE_E_NODEV;
        if (!d.engine) {
            d.lost = false;
            model::EngineConfig ec;
            ec.num_queues = d.cfg.num_queues ? d.cfg.num_queues : 4;
            if (d.cfg.max_job_len) ec.max_job_len = d.cfg.max_job_len;
            d.host.fail_dma = &d.fail_dma;
            d.host.fail_ring_dma = &d.fail_ring_dma;
            d.engine = std::make_unique<model::Engine>(ec, d.host);
            d.host.engine = d.engine.get();
            d.used.assign(ec.num_queues, false);
            mmio(CCE_BAR0, CCE_REG_GCTL, CCE_GCTL_ENABLE, 4);
        }
        unsigned q = 0;
        while (q < d.used.size() && d.used[q]) ++q;
        if (q == d.used.size()) {
            if (!d.users) d.engine.reset();
            return CCE_E_BUSY;
        }
        d.used[q] = true;
        ++d.users;
        q_ = int(q);
        gen_ = d.reset_gen;
        const uint32_t n = d.cfg.ring_entries ? d.cfg.ring_entries : 64;
        const size_t sq_bytes = (size_t(n) * CCE_DESC_SIZE + kPage - 1) & ~(kPage - 1);
        ring_bytes_ = sq_bytes + ((size_t(n) * CCE_CPL_SIZE + kPage - 1) & ~(kPage - 1));
        ring_ = static_cast<uint8_t*>(std::aligned_alloc(kPage, ring_bytes_));
        if (!ring_) return CCE_E_NOMEM;
        std::memset(ring_, 0, ring_bytes_);
        ring_range_ = {reinterpret_cast<uint64_t>(ring_), reinterpret_cast<uint64_t>(ring_) + ring_bytes_};
        d.host.rings.push_back(ring_range_);
        info_.sq = reinterpret_cast<cce_desc*>(ring_);
        info_.cq = reinterpret_cast<cce_cpl*>(ring_ + sq_bytes);
        info_.entries = n;
        info_.opcap = d.engine->mmio_read(CCE_BAR0, CCE_REG_OPCAP, 8);
        info_.max_job_len = uint32_t(d.engine->mmio_read(CCE_BAR0, CCE_REG_MAX_JOB_LEN, 4));
        info_.features = uint32_t(d.engine->mmio_read(CCE_BAR0, CCE_REG_FEATURES, 4));
        info_.hw_version = uint32_t(d.engine->mmio_read(CCE_BAR0, CCE_REG_VERSION, 4));
        return start_locked() ? CCE_OK : CCE_E_IO;
    }

    const char* name() const override { return "loopback"; }
    const QueueInfo& info() const override { return info_; }

    void doorbell(uint32_t offset, uint32_t value) override {
        Device& d = dev();
        std::lock_guard<std::mutex> lk(d.mu);
        // The process may have unmapped or remapped memory since the last
        // job: what the IOMMU's invalidations do for a real device.
        if (d.lost || gen_ != d.reset_gen) return;  // queue disabled: ignored
        if (offset == CCE_DB_SQ_TAIL) {
            if (const int inj = d.inject.exchange(0)) {
                // What cce.ko's recovery does: function reset (jobs on the
                // ring vanish without completions), engine enabled again,
                // every open queue reports RESET; or the device is gone.
                if (inj == 2) {
                    d.lost = true;
                    return;
                }
                mmio(CCE_BAR0, CCE_REG_GCTL, CCE_GCTL_RESET, 4);
                d.engine->run_until_idle();
                mmio(CCE_BAR0, CCE_REG_GCTL, CCE_GCTL_ENABLE, 4);
                ++d.reset_gen;
                return;
            }
            d.engine->ats_invalidate_all();
            d.host.maps.refresh();
        }
        mmio(CCE_BAR2, uint64_t(q_) * CCE_DB_PAGE_SIZE + offset, value, 4);
        d.engine->run_until_idle();
    }

    int wait(int) override {
        // The engine ran to idle inside the doorbell; run again in case it
        // had more to do (e.g. a CQ head doorbell released a stall).
        Device& d = dev();
        std::lock_guard<std::mutex> lk(d.mu);
        d.engine->run_until_idle();
        return CCE_OK;
    }

    int check() override {
        {
            Device& d = dev();
            std::lock_guard<std::mutex> lk(d.mu);
            if (d.lost) return CCE_E_DEV_LOST;
            if (gen_ != d.reset_gen) return CCE_E_DEV_RESET;
        }
        return (qreg(CCE_Q_STATUS) & CCE_QSTS_ERROR) ? CCE_E_QUEUE_HALTED : CCE_OK;
    }

    int restart() override {
        Device& d = dev();
        std::lock_guard<std::mutex> lk(d.mu);
        if (d.lost) return CCE_E_DEV_LOST;
        gen_ = d.reset_gen;
        mmio(CCE_BAR0, CCE_QREG(q_, CCE_Q_CTRL), 0, 4);
        d.engine->run_until_idle();
        return start_locked() ? CCE_OK : CCE_E_IO;
    }

    void stats(cce_stats& st) const override {
        Device& d = dev();
        std::lock_guard<std::mutex> lk(d.mu);
        const model::EngineStats s = d.engine->stats();
        st.dev_jobs = s.jobs;
        st.dev_page_requests = s.page_requests;
        st.dev_atc_misses = s.atc_misses;
        st.dev_time_ns = d.engine->now_ns();
        uint64_t tf = 0;
        for (const auto& q : s.queues) tf += q.translation_faults;
        st.dev_translation_faults = tf;
    }

private:
    static void mmio(unsigned bar, uint64_t off, uint64_t v, unsigned size) {
        dev().engine->mmio_write(bar, off, v, size);
    }
    uint32_t qreg(uint32_t r) const {
        Device& d = dev();
        std::lock_guard<std::mutex> lk(d.mu);
        return uint32_t(d.engine->mmio_read(CCE_BAR0, CCE_QREG(q_, r), 4));
    }
    // Program and enable the queue (what cce.ko does at START_Q).
    bool start_locked() {
        Device& d = dev();
        std::memset(info_.cq, 0, size_t(info_.entries) * CCE_CPL_SIZE);
        mmio(CCE_BAR0, CCE_QREG(q_, CCE_Q_SQ_BASE), reinterpret_cast<uint64_t>(info_.sq), 8);
        mmio(CCE_BAR0, CCE_QREG(q_, CCE_Q_CQ_BASE), reinterpret_cast<uint64_t>(info_.cq), 8);
        mmio(CCE_BAR0, CCE_QREG(q_, CCE_Q_SQ_SIZE), info_.entries, 4);
        mmio(CCE_BAR0, CCE_QREG(q_, CCE_Q_CQ_SIZE), info_.entries, 4);
        mmio(CCE_BAR0, CCE_QREG(q_, CCE_Q_PASID), CCE_QPASID_EN | kPasid, 4);
        mmio(CCE_BAR0, CCE_QREG(q_, CCE_Q_IRQ), CCE_QIRQ_MAKE(1, 0), 4);
        mmio(CCE_BAR0, CCE_QREG(q_, CCE_Q_CTRL), CCE_QCTRL_ENABLE | CCE_QCTRL_PRI_EN, 4);
        const uint32_t st = uint32_t(d.engine->mmio_read(CCE_BAR0, CCE_QREG(q_, CCE_Q_STATUS), 4));
        return st & CCE_QSTS_ENABLED;
    }
    void close_queue() {
        if (q_ < 0) return;
        Device& d = dev();
        std::lock_guard<std::mutex> lk(d.mu);
        // As UACCE_CMD_PUT_Q: abort what is left, then disable.
        mmio(CCE_BAR0, CCE_QREG(q_, CCE_Q_CTRL), CCE_QCTRL_ENABLE | CCE_QCTRL_ABORT, 4);
        d.engine->run_until_idle();
        mmio(CCE_BAR0, CCE_QREG(q_, CCE_Q_CTRL), 0, 4);
        d.engine->run_until_idle();
        d.used[q_] = false;
        std::erase(d.host.rings, ring_range_);
        if (--d.users == 0) {
            d.host.engine = nullptr;
            d.engine.reset();
        }
        std::free(ring_);
        ring_ = nullptr;
        q_ = -1;
    }

    int q_ = -1;
    unsigned gen_ = 0;  // Device::reset_gen when this queue was started
    uint8_t* ring_ = nullptr;
    size_t ring_bytes_ = 0;
    std::pair<uint64_t, uint64_t> ring_range_{0, 0};
    QueueInfo info_;
};

int make_loopback(std::unique_ptr<Transport>& out) {
    auto t = std::make_unique<LoopbackTransport>();
    const int err = t->open();
    if (err) return err;
    out = std::move(t);
    return CCE_OK;
}

}  // namespace

}  // namespace cce::lib

extern "C" int cce_loopback_register(const cce_loopback_config* cfg) {
    using namespace cce::lib;
    Device& d = dev();
    {
        std::lock_guard<std::mutex> lk(d.mu);
        if (cfg) {
            const unsigned n = cfg->ring_entries;
            if ((n && (n < 4 || n > CCE_MAX_QUEUE_ENTRIES || (n & (n - 1)))) || cfg->num_queues > CCE_MAX_QUEUES)
                return CCE_E_INVAL;
            if (!d.engine) d.cfg = *cfg;
        }
    }
    set_loopback_factory(make_loopback);
    return CCE_OK;
}

extern "C" void cce_loopback_fail_next_dma(unsigned n) { cce::lib::dev().fail_dma.store(n); }
extern "C" void cce_loopback_fail_next_ring_dma(unsigned n) { cce::lib::dev().fail_ring_dma.store(n); }
extern "C" void cce_loopback_reset_at_next_doorbell(void) { cce::lib::dev().inject.store(1); }
extern "C" void cce_loopback_lose_at_next_doorbell(void) { cce::lib::dev().inject.store(2); }
