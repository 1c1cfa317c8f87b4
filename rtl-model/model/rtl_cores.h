// SPDX-License-Identifier: MIT
// The Verilated datapath cores the units use in rtl mode (rtl-model/rtl).
// Built only when the rtl part is (CCE_MODEL_HAS_RTL).
#pragma once

#if CCE_MODEL_HAS_RTL
#include "cce/rtl/cores.h"

namespace cce::model {

struct RtlCores {
    rtl::CrcCore crc;
    rtl::AesCore aes;
    rtl::Sha256Core sha;
    rtl::Lz77Core lz77;
};

}  // namespace cce::model
#else
namespace cce::model {
struct RtlCores {};
}  // namespace cce::model
#endif
