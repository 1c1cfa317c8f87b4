// SPDX-License-Identifier: MIT
// Helpers for 64-bit registers reached by 4- or 8-byte accesses.
#pragma once

#include <cstdint>

namespace cce::model {

// Part of a 64-bit register seen by an access at byte offset `sub` (0 or 4).
inline uint64_t reg64_read(uint64_t reg, unsigned sub, unsigned size) {
    if (size == 8) return sub == 0 ? reg : 0;
    return sub == 4 ? reg >> 32 : reg & 0xffffffffu;
}

inline uint64_t reg64_merge(uint64_t reg, unsigned sub, uint64_t value, unsigned size) {
    if (size == 8) return sub == 0 ? value : reg;
    if (sub == 4) return (reg & 0xffffffffull) | (value << 32);
    return (reg & ~0xffffffffull) | (value & 0xffffffffu);
}

}  // namespace cce::model
