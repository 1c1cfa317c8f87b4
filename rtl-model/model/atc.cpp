// SPDX-License-Identifier: MIT
// Address translation cache: (PASID, VA range) -> PA with R/W, LRU.
#include "model.h"

namespace cce::model {

const AtcEntry* Atc::lookup(uint32_t pasid, uint64_t addr) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->pasid == pasid && addr >= it->va && addr - it->va < it->size) {
            entries_.splice(entries_.begin(), entries_, it);
            return &entries_.front();
        }
    }
    return nullptr;
}

void Atc::insert(const AtcEntry& e) {
    invalidate(e.pasid, e.va, e.size);
    entries_.push_front(e);
    while (entries_.size() > capacity_) entries_.pop_back();
}

unsigned Atc::invalidate(uint32_t pasid, uint64_t addr, uint64_t size) {
    unsigned n = 0;
    const uint64_t end = size > UINT64_MAX - addr ? UINT64_MAX : addr + size;
    for (auto it = entries_.begin(); it != entries_.end();) {
        const uint64_t e_end = it->va + it->size;
        if (it->pasid == pasid && it->va < end && e_end > addr) {
            it = entries_.erase(it);
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

unsigned Atc::invalidate_all() {
    const auto n = static_cast<unsigned>(entries_.size());
    entries_.clear();
    return n;
}

}  // namespace cce::model
