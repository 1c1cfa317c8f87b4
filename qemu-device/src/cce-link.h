/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cce-link.h - QEMU-side decoder of messages from the cce-model process.
 *
 * Pure C (no QEMU or libc calls) so that a fuzzer can build it outside
 * QEMU: qemu-device/tests/fuzz_link_decode.c. The device (cce-pci.c) runs
 * every received packet through cce_link_decode() before acting on it.
 */
#ifndef HW_MISC_CCE_LINK_H
#define HW_MISC_CCE_LINK_H

#include <stddef.h>
#include <stdint.h>
#include "cce/cce_cosim.h"

/* What the device is waiting for, if anything. */
typedef struct CceLinkWait {
    uint16_t type;          /* expected reply type, 0 = not waiting */
    uint32_t seq;           /* expected seq */
    uint32_t req_type;      /* for ACK: the request type acknowledged */
} CceLinkWait;

typedef struct CceLinkLimits {
    unsigned num_vectors;   /* MSI-X vectors */
    uint64_t xfer_size;     /* transfer buffer size, 0 before handshake */
    int handshake_done;
} CceLinkLimits;

typedef enum CceLinkVerdict {
    CCE_LINK_REPLY,         /* the reply being waited for */
    CCE_LINK_REQUEST,       /* a model request or posted message to serve */
    CCE_LINK_BAD,           /* protocol violation: device lost */
} CceLinkVerdict;

/*
 * Decode one received packet. On CCE_LINK_BAD, *why is a static string
 * describing the violation. @m must point to at least @len bytes, and
 * @len bytes were received (may be anything, including 0).
 */
CceLinkVerdict cce_link_decode(const void *buf, size_t len,
                               const CceLinkWait *wait,
                               const CceLinkLimits *lim,
                               struct cce_cosim_msg *out, const char **why);

#endif
