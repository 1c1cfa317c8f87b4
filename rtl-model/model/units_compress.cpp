// SPDX-License-Identifier: MIT
// Compression units (deflate/inflate): wired in when the datapath lands.
#include "model.h"

namespace cce::model {

void add_compress_units(UnitTable&) {}

}  // namespace cce::model
