// SPDX-License-Identifier: MIT
// CRC-32 (gzip/IEEE 802.3, reflected 0xEDB88320) and CRC-32C (Castagnoli,
// reflected 0x82F63B78), the model's CRC unit. Table-driven slice-by-8: the
// software picture of a CRC core that folds 8 bytes per cycle.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cce::datapath {

enum class CrcPoly { Crc32, Crc32c };

// Continue a CRC: crc is the value returned for the previous chunk (0 to
// start). crc32_update(crc32_update(0, a), b) == crc32 of a||b.
uint32_t crc_update(CrcPoly poly, uint32_t crc, const void* data, size_t len);

inline uint32_t crc32(uint32_t crc, const void* data, size_t len) {
    return crc_update(CrcPoly::Crc32, crc, data, len);
}
inline uint32_t crc32c(uint32_t crc, const void* data, size_t len) {
    return crc_update(CrcPoly::Crc32c, crc, data, len);
}

}  // namespace cce::datapath
