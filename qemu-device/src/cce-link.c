/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cce-link.c - QEMU-side decoder of messages from the cce-model process.
 * See cce-link.h. No QEMU or libc dependencies on purpose (fuzzable).
 */
#include "cce-link.h"

CceLinkVerdict cce_link_decode(const void *buf, size_t len,
                               const CceLinkWait *wait,
                               const CceLinkLimits *lim,
                               struct cce_cosim_msg *out, const char **why)
{
    const uint8_t *src = buf;
    uint8_t *dst = (uint8_t *)out;
    size_t i;
    int e;

    *why = "ok";
    if (len != CCE_COSIM_MSG_SIZE) {
        *why = cce_cosim_err_str(CCE_COSIM_E_SIZE);
        return CCE_LINK_BAD;
    }
    for (i = 0; i < CCE_COSIM_MSG_SIZE; i++) {
        dst[i] = src[i];
    }
    e = cce_cosim_check_to_host(out, len, lim->num_vectors, lim->xfer_size);
    if (e) {
        *why = cce_cosim_err_str(e);
        return CCE_LINK_BAD;
    }
    switch (out->type) {
    case CCE_COSIM_HELLO_ACK:
        if (lim->handshake_done) {
            *why = "HELLO_ACK after the handshake";
            return CCE_LINK_BAD;
        }
        /* fall through: it is a reply */
    case CCE_COSIM_MMIO_DATA:
    case CCE_COSIM_ACK:
        if (!wait->type) {
            *why = "reply while no request is outstanding";
            return CCE_LINK_BAD;
        }
        if (wait->type != out->type || wait->seq != out->seq) {
            *why = "reply does not match the outstanding request";
            return CCE_LINK_BAD;
        }
        if (out->type == CCE_COSIM_ACK &&
            out->u.status.req_type != wait->req_type) {
            *why = "ACK for the wrong request type";
            return CCE_LINK_BAD;
        }
        return CCE_LINK_REPLY;
    default:
        if (!lim->handshake_done) {
            *why = "request before the handshake completed";
            return CCE_LINK_BAD;
        }
        return CCE_LINK_REQUEST;
    }
}
