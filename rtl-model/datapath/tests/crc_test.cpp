// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <vector>

#include "cce/datapath/crc.h"

namespace dp = cce::datapath;

TEST(Crc, CheckValues) {
    // The standard "123456789" check values.
    const char* s = "123456789";
    EXPECT_EQ(dp::crc32(0, s, 9), 0xCBF43926u);
    EXPECT_EQ(dp::crc32c(0, s, 9), 0xE3069283u);
    EXPECT_EQ(dp::crc32(0, s, 0), 0u);
}

TEST(Crc, MatchesZlibAndChains) {
    std::mt19937 rng(7);
    for (size_t len : {1u, 7u, 8u, 9u, 63u, 64u, 1000u, 65537u}) {
        std::vector<uint8_t> buf(len);
        for (auto& b : buf) b = static_cast<uint8_t>(rng());
        uint32_t ref = static_cast<uint32_t>(::crc32(0, buf.data(), static_cast<uInt>(len)));
        EXPECT_EQ(dp::crc32(0, buf.data(), len), ref) << len;
        size_t cut = len / 3;
        EXPECT_EQ(dp::crc32(dp::crc32(0, buf.data(), cut), buf.data() + cut, len - cut), ref) << len;
    }
}
