// SPDX-License-Identifier: MIT
// Extra known answers for the existing CRC unit (rtl-model/datapath/crc.cpp):
// RFC 3720 appendix B.4 CRC-32C vectors, a classic CRC-32 string, and
// chaining at every split point of a short buffer.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "cce/datapath/crc.h"

namespace dp = cce::datapath;

TEST(CrcExtra, Rfc3720Crc32c) {
    std::vector<uint8_t> b(32);
    std::memset(b.data(), 0, 32);
    EXPECT_EQ(dp::crc32c(0, b.data(), 32), 0x8A9136AAu);
    std::memset(b.data(), 0xff, 32);
    EXPECT_EQ(dp::crc32c(0, b.data(), 32), 0x62A8AB43u);
    for (int i = 0; i < 32; ++i) b[i] = static_cast<uint8_t>(i);
    EXPECT_EQ(dp::crc32c(0, b.data(), 32), 0x46DD794Eu);
    for (int i = 0; i < 32; ++i) b[i] = static_cast<uint8_t>(31 - i);
    EXPECT_EQ(dp::crc32c(0, b.data(), 32), 0x113FDB5Cu);
}

TEST(CrcExtra, Crc32String) {
    const char* s = "The quick brown fox jumps over the lazy dog";
    EXPECT_EQ(dp::crc32(0, s, std::strlen(s)), 0x414FA339u);
}

TEST(CrcExtra, ChainsAtEverySplit) {
    std::vector<uint8_t> b(67);
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i * 37 + 11);
    for (auto poly : {dp::CrcPoly::Crc32, dp::CrcPoly::Crc32c}) {
        const uint32_t whole = dp::crc_update(poly, 0, b.data(), b.size());
        for (size_t cut = 0; cut <= b.size(); ++cut) {
            uint32_t c = dp::crc_update(poly, 0, b.data(), cut);
            EXPECT_EQ(dp::crc_update(poly, c, b.data() + cut, b.size() - cut), whole) << cut;
        }
    }
}
