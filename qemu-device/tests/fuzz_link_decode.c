/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the QEMU-side decoder (qemu-device/src/cce-link.c),
 * built outside QEMU by rtl-model/cosim/CMakeLists.txt (fuzz_cosim_qemu_decode).
 * Input: a 4-byte state header (waiting type/seq selector, vector count,
 * handshake flag), then packets of [length byte][bytes].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cce-link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t waits[] = { 0, CCE_COSIM_HELLO_ACK, CCE_COSIM_MMIO_DATA,
                                      CCE_COSIM_ACK };
    CceLinkWait w;
    CceLinkLimits lim;
    size_t pos = 4;

    if (size < 4) {
        return 0;
    }
    w.type = waits[data[0] & 3];
    w.seq = data[1];
    w.req_type = CCE_COSIM_ATC_INVAL + (data[0] >> 2) % 4;
    lim.num_vectors = 1 + data[2] % 65;
    lim.xfer_size = (data[3] & 1) ? 4096u << (data[3] >> 4) : 0;
    lim.handshake_done = (data[3] >> 1) & 1;

    while (pos < size) {
        struct cce_cosim_msg m;
        const char *why = NULL;
        size_t len = data[pos++] % (CCE_COSIM_MSG_SIZE + 2);
        CceLinkVerdict v;

        if (len > size - pos) {
            len = size - pos;
        }
        memset(&m, 0, sizeof(m));
        v = cce_link_decode(data + pos, len, &w, &lim, &m, &why);
        pos += len;
        if (!why) {
            abort();
        }
        if (v == CCE_LINK_BAD) {
            continue;
        }
        if (len != CCE_COSIM_MSG_SIZE) {
            abort();
        }
        if (v == CCE_LINK_REPLY && (m.type != w.type || m.seq != w.seq)) {
            abort();
        }
        if (v == CCE_LINK_REQUEST) {
            if (m.type == CCE_COSIM_MSIX && m.u.msix.vector >= lim.num_vectors) {
                abort();
            }
            if ((m.type == CCE_COSIM_DMA_READ || m.type == CCE_COSIM_DMA_WRITE) &&
                (m.u.dma.len == 0 || m.u.dma.len > lim.xfer_size)) {
                abort();
            }
            if (!lim.handshake_done) {
                abort();
            }
        }
        if (v == CCE_LINK_REPLY) {
            w.type = 0;
        }
    }
    return 0;
}
