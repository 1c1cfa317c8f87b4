// SPDX-License-Identifier: MIT
// A simulated host for the engine model: guest-physical memory, an IOMMU
// with per-PASID page tables (present/absent pages, R/W permissions), a
// page-request handler the test controls, ATC invalidation and MSI-X
// capture. It implements cce::model::HostInterface exactly as the cosim link
// to QEMU does, so tests drive the model the way the guest will.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "cce/model/engine.h"
#include "cce/model/host_if.h"

namespace cce::harness {

using model::AtsResult;
using model::DmaAttrs;
using model::DmaStatus;
using model::PageRequest;

// Domain used for untranslated DMA without PASID (the kernel's DMA API).
constexpr uint32_t kNoPasid = 0xffffffffu;

struct Pte {
    uint64_t pa = 0;  // page-aligned guest-physical address
    bool read = true;
    bool write = true;
};

struct MsixEvent {
    uint16_t vector;
    uint64_t time_ns;
};

struct AerEvent {
    model::AerSeverity severity;
    uint64_t info;  // RAS_ERR_INFO
    uint64_t time_ns;
};

class Harness : public model::HostInterface {
public:
    explicit Harness(size_t phys_bytes = 64u << 20);
    ~Harness() override;
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    // Attach the engine that page responses and invalidations go to.
    void attach(model::Engine* e) { engine_ = e; }

    // ---- guest-physical memory ----
    uint64_t alloc_phys(size_t bytes);  // page-aligned, zeroed
    uint8_t* phys_ptr(uint64_t pa, size_t len);  // nullptr if out of range

    // ---- address spaces (domain = PASID or kNoPasid) ----
    // Allocate and map bytes at a fresh page-aligned VA; returns the VA.
    uint64_t alloc(uint32_t domain, size_t bytes, bool read = true, bool write = true);
    // Reserve VA without backing (not present): the default page-request
    // handler faults such pages in, as the OS does for untouched memory.
    uint64_t reserve(uint32_t domain, size_t bytes);
    void map(uint32_t domain, uint64_t va, uint64_t pa, bool read = true, bool write = true);
    void unmap(uint32_t domain, uint64_t va, size_t bytes);
    void protect(uint32_t domain, uint64_t va, size_t bytes, bool read, bool write);
    const Pte* lookup(uint32_t domain, uint64_t va) const;
    // CPU access through the page tables (ignores permissions; absent -> false).
    bool write_va(uint32_t domain, uint64_t va, const void* data, size_t len);
    bool read_va(uint32_t domain, uint64_t va, void* data, size_t len) const;
    std::vector<uint8_t> read_vec(uint32_t domain, uint64_t va, size_t len) const;
    // Untranslated DMA without PASID bypasses the page tables when true.
    bool passthrough = false;

    // ---- page requests ----
    // Decides a page request: true = success. Default: fault in reserved
    // pages of the requesting PASID, fail anything else.
    std::function<bool(const PageRequest&)> on_page_request;
    bool defer_page_responses = false;   // keep requests until respond_pending()
    std::vector<PageRequest> page_requests;  // every request seen
    size_t respond_pending();                // decide and answer deferred requests
    bool fault_in(const PageRequest& r);     // the default policy

    // ---- invalidation: change a mapping, then tell the device ----
    void invalidate(uint32_t domain, uint64_t va, size_t bytes);

    // ---- observation ----
    std::vector<MsixEvent> msix;
    size_t msix_count(uint16_t vector) const;
    std::vector<AerEvent> aer;  // AER messages the device sent
    uint64_t dma_write_calls = 0;
    uint64_t dma_read_calls = 0;
    uint64_t ats_requests = 0;
    // Called on every DMA write that reaches memory (pa, len).
    std::function<void(uint64_t, size_t)> on_dma_write;

    // ---- HostInterface ----
    DmaStatus dma_read(uint64_t addr, void* buf, size_t len, const DmaAttrs& attrs) override;
    DmaStatus dma_write(uint64_t addr, const void* buf, size_t len, const DmaAttrs& attrs) override;
    AtsResult ats_translate(uint32_t pasid, uint64_t addr, bool write) override;
    void page_request(const PageRequest& req) override;
    void raise_msix(uint16_t vector) override;
    void raise_aer(model::AerSeverity sev, uint64_t info) override;

private:
    struct Space {
        std::map<uint64_t, Pte> pages;            // VA page -> PTE
        std::map<uint64_t, uint64_t> reserved;    // VA start -> length
        uint64_t next_va = 0x10000000ull;
    };
    Space& space(uint32_t domain) { return spaces_[domain]; }
    const Space* find_space(uint32_t domain) const;
    bool reserved_va(uint32_t domain, uint64_t va) const;
    // Resolve an untranslated access; nullopt = IOMMU fault.
    std::optional<uint64_t> walk(uint32_t domain, uint64_t va, bool write) const;
    DmaStatus untranslated(uint64_t addr, uint8_t* buf, size_t len, const DmaAttrs& a, bool write);

    uint8_t* mem_ = nullptr;  // anonymous mapping: pages zeroed on first touch
    size_t mem_size_ = 0;
    uint64_t next_pa_ = 1u << 20;  // keep 0 unused so 0 is never valid
    std::map<uint32_t, Space> spaces_;
    std::deque<PageRequest> deferred_;
    model::Engine* engine_ = nullptr;
};

}  // namespace cce::harness
