// SPDX-License-Identifier: MIT
// libFuzzer target: the model-side decoder of the cosim link. The input is a
// stream of packets: each starts with one length byte (0..65), followed by
// that many bytes. Every packet goes through decode_to_model(); a packet that
// passes must satisfy the invariants the model's handler relies on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "cce/cce_hw.h"
#include "cce/cosim/sock.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    size_t pos = 0;
    while (pos < size) {
        size_t len = data[pos++] % (CCE_COSIM_MSG_SIZE + 2);
        if (len > size - pos) len = size - pos;
        unsigned nq = 1 + (len ? data[pos] % CCE_MAX_QUEUES : 0);
        auto d = cce::cosim::decode_to_model(data + pos, len, nq);
        pos += len;
        if (d.err != CCE_COSIM_OK) continue;
        const cce_cosim_msg& m = d.msg;
        if (len != CCE_COSIM_MSG_SIZE || m.type < CCE_COSIM_HELLO ||
            m.type > CCE_COSIM_HOST_TYPE_MAX)
            abort();
        if (m.type == CCE_COSIM_MMIO_READ || m.type == CCE_COSIM_MMIO_WRITE) {
            const uint64_t lim = m.u.mmio.bar == 0 ? CCE_BAR0_SIZE : CCE_BAR2_SIZE(nq);
            if (m.u.mmio.offset + m.u.mmio.size > lim || (m.u.mmio.size != 4 && m.u.mmio.size != 8))
                abort();
        }
        if (m.type == CCE_COSIM_PAGE_RESP && m.u.pr.prgi > CCE_COSIM_PRGI_MASK) abort();
        if (m.type == CCE_COSIM_MEM_REGION &&
            (m.u.region.size == 0 || m.u.region.gpa + m.u.region.size < m.u.region.gpa))
            abort();
    }
    return 0;
}
