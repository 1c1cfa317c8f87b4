// SPDX-License-Identifier: MIT
#include "cce/harness/harness.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <sys/mman.h>

#include "cce/cce_hw.h"

namespace cce::harness {

namespace {
constexpr uint64_t kPage = CCE_PAGE_SIZE;
constexpr uint64_t kMask = kPage - 1;
uint64_t round_up(uint64_t v) { return (v + kMask) & ~kMask; }
}  // namespace

Harness::Harness(size_t phys_bytes) : mem_size_(round_up(phys_bytes)) {
    void* p = mmap(nullptr, mem_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("harness: cannot map guest memory");
    mem_ = static_cast<uint8_t*>(p);
    on_page_request = [this](const PageRequest& r) { return fault_in(r); };
}

Harness::~Harness() { munmap(mem_, mem_size_); }

uint64_t Harness::alloc_phys(size_t bytes) {
    const uint64_t len = round_up(std::max<size_t>(bytes, 1));
    if (next_pa_ + len > mem_size_) throw std::runtime_error("harness: guest memory exhausted");
    const uint64_t pa = next_pa_;  // never handed out before: still zero
    next_pa_ += len;
    return pa;
}

uint8_t* Harness::phys_ptr(uint64_t pa, size_t len) {
    if (pa > mem_size_ || len > mem_size_ - pa) return nullptr;
    return mem_ + pa;
}

uint64_t Harness::alloc(uint32_t domain, size_t bytes, bool read, bool write) {
    Space& s = space(domain);
    const uint64_t len = round_up(std::max<size_t>(bytes, 1));
    const uint64_t va = s.next_va;
    s.next_va += len + kPage;  // guard page between allocations
    const uint64_t pa = alloc_phys(len);
    for (uint64_t off = 0; off < len; off += kPage) s.pages[va + off] = Pte{pa + off, read, write};
    return va;
}

uint64_t Harness::reserve(uint32_t domain, size_t bytes) {
    Space& s = space(domain);
    const uint64_t len = round_up(std::max<size_t>(bytes, 1));
    const uint64_t va = s.next_va;
    s.next_va += len + kPage;
    s.reserved[va] = len;
    return va;
}

void Harness::map(uint32_t domain, uint64_t va, uint64_t pa, bool read, bool write) {
    space(domain).pages[va & ~kMask] = Pte{pa & ~kMask, read, write};
}

void Harness::unmap(uint32_t domain, uint64_t va, size_t bytes) {
    Space& s = space(domain);
    for (uint64_t p = va & ~kMask; p < va + bytes; p += kPage) s.pages.erase(p);
}

void Harness::protect(uint32_t domain, uint64_t va, size_t bytes, bool read, bool write) {
    Space& s = space(domain);
    for (uint64_t p = va & ~kMask; p < va + bytes; p += kPage) {
        auto it = s.pages.find(p);
        if (it != s.pages.end()) {
            it->second.read = read;
            it->second.write = write;
        }
    }
}

const Harness::Space* Harness::find_space(uint32_t domain) const {
    auto it = spaces_.find(domain);
    return it == spaces_.end() ? nullptr : &it->second;
}

const Pte* Harness::lookup(uint32_t domain, uint64_t va) const {
    const Space* s = find_space(domain);
    if (!s) return nullptr;
    auto it = s->pages.find(va & ~kMask);
    return it == s->pages.end() ? nullptr : &it->second;
}

bool Harness::reserved_va(uint32_t domain, uint64_t va) const {
    const Space* s = find_space(domain);
    if (!s) return false;
    auto it = s->reserved.upper_bound(va);
    if (it == s->reserved.begin()) return false;
    --it;
    return va >= it->first && va - it->first < it->second;
}

bool Harness::write_va(uint32_t domain, uint64_t va, const void* data, size_t len) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (len) {
        const Pte* pte = lookup(domain, va);
        if (!pte) return false;
        const size_t n = std::min<uint64_t>(len, kPage - (va & kMask));
        std::memcpy(mem_ + pte->pa + (va & kMask), p, n);
        va += n;
        p += n;
        len -= n;
    }
    return true;
}

bool Harness::read_va(uint32_t domain, uint64_t va, void* data, size_t len) const {
    auto* p = static_cast<uint8_t*>(data);
    while (len) {
        const Pte* pte = lookup(domain, va);
        if (!pte) return false;
        const size_t n = std::min<uint64_t>(len, kPage - (va & kMask));
        std::memcpy(p, mem_ + pte->pa + (va & kMask), n);
        va += n;
        p += n;
        len -= n;
    }
    return true;
}

std::vector<uint8_t> Harness::read_vec(uint32_t domain, uint64_t va, size_t len) const {
    std::vector<uint8_t> v(len);
    if (!read_va(domain, va, v.data(), len)) throw std::runtime_error("harness: read of unmapped VA");
    return v;
}

std::optional<uint64_t> Harness::walk(uint32_t domain, uint64_t va, bool write) const {
    const Pte* pte = lookup(domain, va);
    if (!pte || (write ? !pte->write : !pte->read)) return std::nullopt;
    return pte->pa + (va & kMask);
}

DmaStatus Harness::untranslated(uint64_t addr, uint8_t* buf, size_t len, const DmaAttrs& a,
                                bool write) {
    const uint32_t domain = a.pasid_valid ? a.pasid : kNoPasid;
    while (len) {
        const size_t n = std::min<uint64_t>(len, kPage - (addr & kMask));
        uint64_t pa = addr;
        if (!(passthrough && !a.pasid_valid)) {
            auto r = walk(domain, addr, write);
            if (!r) return DmaStatus::Fault;
            pa = *r;
        }
        uint8_t* p = phys_ptr(pa, n);
        if (!p) return DmaStatus::BusError;
        if (write) {
            std::memcpy(p, buf, n);
            if (on_dma_write) on_dma_write(pa, n);
        } else {
            std::memcpy(buf, p, n);
        }
        addr += n;
        buf += n;
        len -= n;
    }
    return DmaStatus::Ok;
}

DmaStatus Harness::dma_read(uint64_t addr, void* buf, size_t len, const DmaAttrs& attrs) {
    ++dma_read_calls;
    if (!attrs.translated) return untranslated(addr, static_cast<uint8_t*>(buf), len, attrs, false);
    uint8_t* p = phys_ptr(addr, len);
    if (!p) return DmaStatus::BusError;
    std::memcpy(buf, p, len);
    return DmaStatus::Ok;
}

DmaStatus Harness::dma_write(uint64_t addr, const void* buf, size_t len, const DmaAttrs& attrs) {
    ++dma_write_calls;
    if (!attrs.translated)
        return untranslated(addr, static_cast<uint8_t*>(const_cast<void*>(buf)), len, attrs, true);
    uint8_t* p = phys_ptr(addr, len);
    if (!p) return DmaStatus::BusError;
    std::memcpy(p, buf, len);
    if (on_dma_write) on_dma_write(addr, len);
    return DmaStatus::Ok;
}

AtsResult Harness::ats_translate(uint32_t pasid, uint64_t addr, bool) {
    ++ats_requests;
    AtsResult r;
    r.ok = true;
    if (const Pte* pte = lookup(pasid, addr)) {
        r.read = pte->read;
        r.write = pte->write;
        r.addr = pte->pa;
    }
    return r;  // R=W=0: not present
}

bool Harness::fault_in(const PageRequest& r) {
    if (!reserved_va(r.pasid, r.addr)) return false;
    if (!lookup(r.pasid, r.addr)) map(r.pasid, r.addr, alloc_phys(kPage));
    return true;
}

void Harness::page_request(const PageRequest& req) {
    page_requests.push_back(req);
    if (defer_page_responses) {
        deferred_.push_back(req);
        return;
    }
    const bool ok = on_page_request ? on_page_request(req) : false;
    if (engine_) engine_->page_response(req.pasid, req.prg_index, ok);
}

size_t Harness::respond_pending() {
    size_t n = 0;
    while (!deferred_.empty()) {
        const PageRequest req = deferred_.front();
        deferred_.pop_front();
        const bool ok = on_page_request ? on_page_request(req) : false;
        if (engine_) engine_->page_response(req.pasid, req.prg_index, ok);
        ++n;
    }
    return n;
}

void Harness::invalidate(uint32_t domain, uint64_t va, size_t bytes) {
    if (engine_ && domain != kNoPasid) engine_->ats_invalidate(domain, va, bytes);
}

void Harness::raise_msix(uint16_t vector) {
    msix.push_back(MsixEvent{vector, engine_ ? engine_->now_ns() : 0});
}

void Harness::raise_aer(model::AerSeverity sev, uint64_t info) {
    aer.push_back(AerEvent{sev, info, engine_ ? engine_->now_ns() : 0});
}

size_t Harness::msix_count(uint16_t vector) const {
    return static_cast<size_t>(
        std::count_if(msix.begin(), msix.end(), [&](const MsixEvent& e) { return e.vector == vector; }));
}

}  // namespace cce::harness
