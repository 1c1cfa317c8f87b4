// SPDX-License-Identifier: MIT
// Software implementation of one job (zlib, OpenSSL); used by the software
// backend and for FALLBACK_ON_ERROR retries. Sets job fields, returns status.
#pragma once

#include "cce/libcce.h"

namespace cce::lib {
int run_soft(cce_job& j);
}
