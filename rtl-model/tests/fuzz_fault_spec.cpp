// SPDX-License-Identifier: MIT
// libFuzzer target for the fault-spec parser (cce-model --fault and the
// control socket take these lines from users). Properties: no crash; a
// refused spec has an error message; an accepted one prints to canonical
// text that parses back to the same text.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cce/model/fault.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    cce::model::FaultSpec s;
    std::string err;
    if (!cce::model::parse_fault_spec(text, s, err)) {
        if (err.empty()) std::abort();
        return 0;
    }
    const std::string canon = s.text();
    cce::model::FaultSpec t;
    if (!cce::model::parse_fault_spec(canon, t, err) || t.text() != canon) std::abort();
    if (t.timed() != s.timed() || t.max_count() != s.max_count()) std::abort();
    return 0;
}
