/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cce-pci: PCIe bridge to the CCE accelerator model (accel-testbed).
 *
 * The device holds no engine logic. BAR accesses, resets, bus-master
 * changes and ATC invalidations are forwarded to the cce-model process over
 * the cosim link (include/cce/cce_cosim.h); the model's DMA, ATS translation
 * requests, page requests and MSI-X messages are carried out here on its
 * behalf. Config space: PCIe endpoint, MSI-X (BAR0), AER, ATS, PASID (20
 * bits), PRI (PRG response PASID required).
 *
 * Errors: the model's AER messages (internal errors it detected) are
 * reported through the AER capability as a Corrected Internal Error or an
 * Uncorrectable Internal Error; the guest's AER severity register decides
 * whether the latter is signalled fatal or non-fatal, as on hardware.
 *
 * Device lost: if the model dies, times out or sends a message that fails
 * validation, the device logs why, raises an uncorrectable internal error
 * (AER) and its error MSI-X vector, and from then on BAR reads return all
 * ones and writes are dropped. QEMU itself keeps running; a system reset
 * does not bring the link back.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "qemu/host-utils.h"
#include "qemu/rcu.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_aer.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "exec/cpu-common.h"
#include "system/dma.h"
#include "system/memory.h"
#include "system/address-spaces.h"
#include "qom/object.h"
#include "trace.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/mman.h>
#include <poll.h>

#include "cce/cce_hw.h"
#include "cce-link.h"

#define TYPE_CCE_PCI "cce-pci"
OBJECT_DECLARE_SIMPLE_TYPE(CcePciState, CCE_PCI)

/* Config space layout */
#define CCE_CFG_PCIE_CAP    0x40    /* v2: 0x3c bytes */
#define CCE_CFG_MSIX_CAP    0x80
#define CCE_CFG_AER         0x100
#define CCE_CFG_ATS         0x150
#define CCE_CFG_PASID       0x160
#define CCE_CFG_PRI         0x170
#define CCE_PRI_OUTSTANDING 64

#define CCE_MAX_PASIDS      4096    /* PASIDs with notifiers registered */

typedef struct CcePciState CcePciState;

typedef struct CcePasid {
    CcePciState *s;
    uint32_t pasid;
    IOMMUNotifier iotlb_n;
    IOMMUPRINotifier pri_n;
    bool iotlb_registered;
    bool pri_registered;
} CcePasid;

struct CcePciState {
    PCIDevice parent_obj;

    MemoryRegion bar0;          /* container: regs + MSI-X */
    MemoryRegion regs;          /* BAR0 registers, forwarded */
    MemoryRegion bar2;          /* doorbells, forwarded */

    /* properties */
    char *socket_path;
    uint32_t num_queues;
    uint32_t timeout_ms;
    uint32_t connect_timeout_ms;
    bool share_ram;

    /* link */
    int fd;
    bool lost;
    uint32_t next_seq;
    void *xfer;
    uint64_t xfer_size;
    CceLinkWait wait;
    struct cce_cosim_msg reply;
    int serving;                /* depth of model requests being served */
    bool bus_master;

    /*
     * MSI-X messages and AER errors raised while a synchronous call to the
     * model is outstanding (calls > 0) are delivered from a bottom half:
     * the call may run inside another device's MMIO handler (e.g.
     * intel-iommu invalidations reaching cce_iotlb_notify), and an MSI
     * write to that device's interrupt-remapping region from there would
     * be dropped by QEMU's re-entrancy guard. Same-vector messages
     * coalesce, like a pending bit; so do errors of one severity, like
     * the AER status bits.
     */
    int calls;                  /* depth of cce_call() in progress */
    QEMUBH *irq_bh;
    unsigned long msix_deferred[BITS_TO_LONGS(CCE_MSIX_VECTORS(CCE_MAX_QUEUES))];
    bool aer_deferred[2];       /* [0] uncorrectable, [1] correctable */

    GHashTable *pasids;         /* pasid -> CcePasid* */
    uint64_t stat_msgs_in;
    uint64_t stat_msgs_out;
};

static void cce_link_readable(void *opaque);
static void cce_msix(CcePciState *s, unsigned vector);
static void cce_aer(CcePciState *s, bool correctable);

static unsigned cce_nvec(CcePciState *s)
{
    return CCE_MSIX_VECTORS(s->num_queues);
}

/* ------------------------------------------------------------------ */
/* Device lost                                                         */
/* ------------------------------------------------------------------ */

static void cce_device_lost(CcePciState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static void cce_device_lost(CcePciState *s, const char *fmt, ...)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    g_autofree char *why = NULL;
    va_list ap;

    if (s->lost) {
        return;
    }
    va_start(ap, fmt);
    why = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    s->lost = true;
    trace_cce_pci_lost(why);
    error_report("cce-pci %s: device lost: %s", pdev->name, why);
    if (s->fd >= 0) {
        qemu_set_fd_handler(s->fd, NULL, NULL, NULL);
        close(s->fd);
        s->fd = -1;
    }
    s->wait.type = 0;

    /* Tell the guest: uncorrectable internal error + the error vector. */
    cce_aer(s, false);
    if (msix_enabled(pdev)) {
        cce_msix(s, CCE_MSIX_ERR_VECTOR(s->num_queues));
    }
}

/* ------------------------------------------------------------------ */
/* Link I/O                                                            */
/* ------------------------------------------------------------------ */

static int64_t cce_deadline(CcePciState *s)
{
    return qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + s->timeout_ms;
}

static int cce_remaining(int64_t deadline)
{
    int64_t left = deadline - qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    return left < 0 ? 0 : (int)MIN(left, INT_MAX);
}

static bool cce_send(CcePciState *s, struct cce_cosim_msg *m)
{
    int64_t deadline = cce_deadline(s);

    if (s->lost || s->fd < 0) {
        return false;
    }
    for (;;) {
        ssize_t n = send(s->fd, m, sizeof(*m), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n == sizeof(*m)) {
            s->stat_msgs_out++;
            return true;
        }
        if (n >= 0) {
            cce_device_lost(s, "short send (%zd bytes)", n);
            return false;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd p = { .fd = s->fd, .events = POLLOUT };
            int left = cce_remaining(deadline);
            if (left == 0) {
                cce_device_lost(s, "model does not read its socket (%u ms)",
                                s->timeout_ms);
                return false;
            }
            if (poll(&p, 1, left) < 0 && errno != EINTR) {
                cce_device_lost(s, "poll: %s", strerror(errno));
                return false;
            }
            continue;
        }
        cce_device_lost(s, "send: %s", strerror(errno));
        return false;
    }
}

/*
 * Receive one packet without blocking. Returns 1 with a packet, 0 if none
 * is pending, -1 if the link is gone (device lost already declared).
 */
static int cce_recv_raw(CcePciState *s, uint8_t *buf, size_t bufsz,
                        size_t *len, int *fd_out)
{
    struct iovec iov = { .iov_base = buf, .iov_len = bufsz };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = &ctl, .msg_controllen = sizeof(ctl),
    };
    struct cmsghdr *c;
    ssize_t n;

    if (fd_out) {
        *fd_out = -1;
    }
    if (s->fd < 0) {
        return -1;
    }
    do {
        n = recvmsg(s->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        }
        cce_device_lost(s, "recv: %s", strerror(errno));
        return -1;
    }
    if (n == 0) {
        cce_device_lost(s, "model closed the connection");
        return -1;
    }
    for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int *fds = (int *)CMSG_DATA(c);
            for (int i = 0; i < nfd; i++) {
                if (fd_out && *fd_out < 0) {
                    *fd_out = fds[i];
                } else {
                    close(fds[i]);
                }
            }
        }
    }
    if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        if (fd_out && *fd_out >= 0) {
            close(*fd_out);
            *fd_out = -1;
        }
        cce_device_lost(s, "oversized message from the model");
        return -1;
    }
    *len = n;
    s->stat_msgs_in++;
    return 1;
}

static void cce_serve(CcePciState *s, const struct cce_cosim_msg *m);

/*
 * Receive and dispatch one message (blocking up to the deadline if
 * deadline >= 0). Returns 1 if the awaited reply arrived, 0 if something
 * else was handled or nothing arrived, -1 on link loss.
 */
static int cce_pump(CcePciState *s, int64_t deadline, int *fd_out)
{
    uint8_t buf[CCE_COSIM_MSG_SIZE + 1];
    struct cce_cosim_msg m;
    CceLinkLimits lim = {
        .num_vectors = cce_nvec(s),
        .xfer_size = s->xfer_size,
        .handshake_done = s->xfer != NULL,
    };
    const char *why;
    size_t len;
    int r;

    r = cce_recv_raw(s, buf, sizeof(buf), &len, fd_out);
    if (r < 0) {
        return -1;
    }
    if (r == 0) {
        struct pollfd p = { .fd = s->fd, .events = POLLIN };
        int left;

        if (deadline < 0) {
            return 0;
        }
        left = cce_remaining(deadline);
        if (left == 0) {
            cce_device_lost(s, "no %s reply from the model within %u ms",
                            cce_cosim_type_str(s->wait.type), s->timeout_ms);
            return -1;
        }
        if (poll(&p, 1, left) < 0 && errno != EINTR) {
            cce_device_lost(s, "poll: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    switch (cce_link_decode(buf, len, &s->wait, &lim, &m, &why)) {
    case CCE_LINK_REPLY:
        s->reply = m;
        s->wait.type = 0;
        return 1;
    case CCE_LINK_REQUEST:
        cce_serve(s, &m);
        return s->lost ? -1 : 0;
    default:
        if (fd_out && *fd_out >= 0) {
            close(*fd_out);
            *fd_out = -1;
        }
        cce_device_lost(s, "invalid message from the model (type 0x%x): %s",
                        len >= 2 ? (unsigned)(buf[0] | (buf[1] << 8)) : 0u,
                        why);
        return -1;
    }
}

/*
 * Send a request and wait for its reply, serving the model's own requests
 * meanwhile (that is what keeps the link deadlock-free). False: link lost.
 */
static bool cce_call(CcePciState *s, struct cce_cosim_msg *m, uint16_t reply,
                     int *fd_out)
{
    int64_t deadline;

    if (s->lost) {
        return false;
    }
    if (s->wait.type) {
        /*
         * Nested request while one is outstanding: cannot happen unless a
         * DMA of the model re-enters the device; refuse it.
         */
        qemu_log_mask(LOG_GUEST_ERROR,
                      "cce-pci: nested %s while waiting for %s, dropped\n",
                      cce_cosim_type_str(m->type),
                      cce_cosim_type_str(s->wait.type));
        return false;
    }
    m->seq = ++s->next_seq ? s->next_seq : ++s->next_seq;
    s->wait.type = reply;
    s->wait.seq = m->seq;
    s->wait.req_type = reply == CCE_COSIM_ACK ? m->type : 0;
    if (!cce_send(s, m)) {
        s->wait.type = 0;
        return false;
    }
    deadline = cce_deadline(s);
    s->calls++;
    for (;;) {
        int r = cce_pump(s, deadline, fd_out);
        if (r != 0) {
            s->calls--;
            return r > 0;
        }
    }
}

static void cce_link_readable(void *opaque)
{
    CcePciState *s = opaque;
    int i;

    /* Drain what is there, bounded so the main loop stays responsive. */
    for (i = 0; i < 64 && !s->lost; i++) {
        if (cce_pump(s, -1, NULL) != 0 || s->lost) {
            break;
        }
        {
            struct pollfd p = { .fd = s->fd, .events = POLLIN };
            if (poll(&p, 1, 0) <= 0) {
                break;
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* Serving the model                                                   */
/* ------------------------------------------------------------------ */

static void cce_reply(CcePciState *s, uint16_t type, uint32_t seq,
                      struct cce_cosim_msg *m)
{
    m->type = type;
    m->rsvd = 0;
    m->seq = seq;
    cce_send(s, m);
}

static void cce_pri_notify(IOMMUPRINotifier *n, IOMMUPRIResponse *resp);
static void cce_iotlb_notify(IOMMUNotifier *n, IOMMUTLBEntry *entry);

static CcePasid *cce_pasid_get(CcePciState *s, uint32_t pasid)
{
    CcePasid *p = g_hash_table_lookup(s->pasids, GUINT_TO_POINTER(pasid));

    if (!p) {
        if (g_hash_table_size(s->pasids) >= CCE_MAX_PASIDS) {
            return NULL;
        }
        p = g_new0(CcePasid, 1);
        p->s = s;
        p->pasid = pasid;
        p->pri_n.notify = cce_pri_notify;
        g_hash_table_insert(s->pasids, GUINT_TO_POINTER(pasid), p);
    }
    return p;
}

/* Make sure invalidations of this address space reach the model. */
static bool cce_pasid_track(CcePciState *s, uint32_t pasid)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    CcePasid *p = cce_pasid_get(s, pasid);

    if (!p) {
        return false;
    }
    if (!p->iotlb_registered) {
        if (pci_iommu_init_iotlb_notifier(pdev, &p->iotlb_n, cce_iotlb_notify,
                                          p) < 0) {
            return false;
        }
        if (pci_iommu_register_iotlb_notifier(pdev, pasid, &p->iotlb_n) < 0) {
            return false;
        }
        p->iotlb_registered = true;
    }
    return true;
}

/* Translate one page with an ATS translation request. */
static bool cce_ats(CcePciState *s, uint32_t pasid, hwaddr addr, bool write,
                    IOMMUTLBEntry *e)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t errs = 0;
    ssize_t n;

    memset(e, 0, sizeof(*e));
    if (!cce_pasid_track(s, pasid)) {
        return false;
    }
    n = pci_ats_request_translation(pdev, pasid, false, false,
                                    addr & ~(hwaddr)(CCE_PAGE_SIZE - 1),
                                    CCE_PAGE_SIZE, !write, e, 1, &errs);
    trace_cce_pci_ats(pasid, addr, write, n, e->translated_addr, e->perm);
    return n == 1;
}

static void cce_serve_dma(CcePciState *s, const struct cce_cosim_msg *m)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    const struct cce_cosim_dma *d = &m->u.dma;
    bool is_write = m->type == CCE_COSIM_DMA_WRITE;
    DMADirection dir = is_write ? DMA_DIRECTION_FROM_DEVICE :
                                  DMA_DIRECTION_TO_DEVICE;
    struct cce_cosim_msg r = { 0 };
    uint32_t status = CCE_COSIM_DMA_OK;
    MemTxResult res = MEMTX_OK;

    if (!pdev->bus_master_enable_region.enabled) {
        status = CCE_COSIM_DMA_BUS_ERROR;
    } else if (d->flags & CCE_COSIM_DMA_TRANSLATED) {
        /* Translated TLP: only legal with ATS enabled. */
        if (!pcie_ats_enabled(pdev)) {
            status = CCE_COSIM_DMA_FAULT;
        } else {
            res = address_space_rw(&address_space_memory, d->addr,
                                   MEMTXATTRS_UNSPECIFIED, s->xfer, d->len,
                                   is_write);
            status = res == MEMTX_OK ? CCE_COSIM_DMA_OK :
                                       CCE_COSIM_DMA_BUS_ERROR;
        }
    } else if (d->flags & CCE_COSIM_DMA_PASID) {
        /*
         * Untranslated with PASID: QEMU 10.2 has no per-PASID DMA address
         * space API, so walk the range page by page with ATS translation
         * requests and access the translated addresses.
         */
        uint64_t done = 0;

        while (done < d->len && status == CCE_COSIM_DMA_OK) {
            hwaddr a = d->addr + done;
            uint64_t chunk = MIN(CCE_PAGE_SIZE - (a & (CCE_PAGE_SIZE - 1)),
                                 d->len - done);
            IOMMUTLBEntry e;

            if (!pcie_pasid_enabled(pdev) || !pcie_ats_enabled(pdev) ||
                !cce_ats(s, d->pasid, a, is_write, &e) ||
                !(e.perm & (is_write ? IOMMU_WO : IOMMU_RO))) {
                status = CCE_COSIM_DMA_FAULT;
                break;
            }
            res = address_space_rw(&address_space_memory,
                                   (e.translated_addr & ~e.addr_mask) |
                                   (a & e.addr_mask),
                                   MEMTXATTRS_UNSPECIFIED,
                                   (uint8_t *)s->xfer + done, chunk, is_write);
            if (res != MEMTX_OK) {
                status = CCE_COSIM_DMA_BUS_ERROR;
            }
            done += chunk;
        }
    } else {
        res = pci_dma_rw(pdev, d->addr, s->xfer, d->len, dir,
                         MEMTXATTRS_UNSPECIFIED);
        if (res != MEMTX_OK) {
            status = pci_device_iommu_address_space(pdev) !=
                     &address_space_memory ? CCE_COSIM_DMA_FAULT :
                                             CCE_COSIM_DMA_BUS_ERROR;
        }
    }
    trace_cce_pci_dma(is_write, d->addr, d->len, d->flags, d->pasid, status);
    r.u.status.status = status;
    cce_reply(s, CCE_COSIM_DMA_DONE, m->seq, &r);
}

static void cce_serve_ats(CcePciState *s, const struct cce_cosim_msg *m)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    const struct cce_cosim_ats *a = &m->u.ats;
    struct cce_cosim_msg r = { 0 };
    uint32_t pasid = (a->flags & CCE_COSIM_ATS_PASID) ? a->pasid : PCI_NO_PASID;
    IOMMUTLBEntry e;

    r.u.ats.pasid = a->pasid;
    if (pdev->bus_master_enable_region.enabled && pcie_ats_enabled(pdev) &&
        (pasid == PCI_NO_PASID || pcie_pasid_enabled(pdev)) &&
        cce_ats(s, pasid, a->addr, a->flags & CCE_COSIM_ATS_WRITE, &e)) {
        uint64_t mask = e.addr_mask | (CCE_PAGE_SIZE - 1);
        unsigned shift = ctz64(mask + 1);

        if (mask + 1 == 0 || shift > 47) {
            shift = 47;
            mask = (1ull << 47) - 1;
        }
        r.u.ats.flags = CCE_COSIM_ATS_OK;
        r.u.ats.page_shift = shift;
        if (e.perm & IOMMU_RO) {
            r.u.ats.flags |= CCE_COSIM_ATS_R;
        }
        if (e.perm & IOMMU_WO) {
            r.u.ats.flags |= CCE_COSIM_ATS_W;
        }
        r.u.ats.addr = (e.perm & IOMMU_RW) ? (e.translated_addr & ~mask) : 0;
        if (!(e.perm & IOMMU_RW)) {
            r.u.ats.page_shift = CCE_PAGE_SHIFT;
        }
    }
    cce_reply(s, CCE_COSIM_ATS_DONE, m->seq, &r);
}

static void cce_send_page_resp(CcePciState *s, uint32_t pasid, uint16_t prgi,
                               uint32_t code)
{
    struct cce_cosim_msg r = { 0 };

    trace_cce_pci_page_response(pasid, prgi, code);
    r.type = CCE_COSIM_PAGE_RESP;
    r.u.pr.pasid = pasid;
    r.u.pr.prgi = prgi;
    r.u.pr.code = code;
    cce_send(s, &r);
}

static void cce_pri_notify(IOMMUPRINotifier *n, IOMMUPRIResponse *resp)
{
    CcePasid *p = container_of(n, CcePasid, pri_n);
    uint32_t code;

    switch (resp->response_code) {
    case IOMMU_PRI_RESP_SUCCESS:
        code = CCE_COSIM_PR_SUCCESS;
        break;
    case IOMMU_PRI_RESP_INVALID_REQUEST:
        code = CCE_COSIM_PR_INVALID;
        break;
    default:
        code = CCE_COSIM_PR_FAILURE;
        break;
    }
    cce_send_page_resp(p->s, p->pasid, resp->prgi & CCE_COSIM_PRGI_MASK, code);
}

static void cce_serve_page_req(CcePciState *s, const struct cce_cosim_msg *m)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    const struct cce_cosim_page_req *r = &m->u.pr;
    CcePasid *p = NULL;
    int ret = -EPERM;

    if (pcie_pasid_enabled(pdev) && pcie_pri_enabled(pdev) &&
        pdev->bus_master_enable_region.enabled) {
        p = cce_pasid_get(s, r->pasid);
        ret = p ? 0 : -ENOSPC;
    }
    if (p && !p->pri_registered) {
        ret = pci_pri_register_notifier(pdev, r->pasid, &p->pri_n);
        p->pri_registered = ret == 0;
    }
    if (p && ret == 0) {
        /* Invalidations of pages the guest maps in must reach the model. */
        cce_pasid_track(s, r->pasid);
        ret = pci_pri_request_page(pdev, r->pasid, false, false, r->addr, true,
                                   r->prgi, r->flags & CCE_COSIM_PR_READ,
                                   r->flags & CCE_COSIM_PR_WRITE);
    }
    trace_cce_pci_page_request(r->pasid, r->addr, r->prgi, r->flags, ret);
    if (ret) {
        /* Not delivered: answer now so the model does not wait forever. */
        cce_send_page_resp(s, r->pasid, r->prgi, CCE_COSIM_PR_FAILURE);
    }
}

/* An internal error the model detected, reported through AER. */
static void cce_serve_aer(CcePciState *s, const struct cce_cosim_msg *m)
{
    trace_cce_pci_aer(m->u.aer.severity, m->u.aer.info, s->calls);
    cce_aer(s, m->u.aer.severity == CCE_COSIM_AER_CORRECTABLE);
}

static void cce_serve(CcePciState *s, const struct cce_cosim_msg *m)
{
    s->serving++;
    switch (m->type) {
    case CCE_COSIM_DMA_READ:
    case CCE_COSIM_DMA_WRITE:
        cce_serve_dma(s, m);
        break;
    case CCE_COSIM_ATS_REQ:
        cce_serve_ats(s, m);
        break;
    case CCE_COSIM_PAGE_REQ:
        cce_serve_page_req(s, m);
        break;
    case CCE_COSIM_MSIX:
        trace_cce_pci_msix(m->u.msix.vector);
        cce_msix(s, m->u.msix.vector);
        break;
    case CCE_COSIM_AER:
        cce_serve_aer(s, m);
        break;
    default:
        /* cce_link_decode() lets only the types above through. */
        cce_device_lost(s, "unexpected %s", cce_cosim_type_str(m->type));
        break;
    }
    s->serving--;
}

/* The vector is checked by cce_link_decode() (or is the error vector). */
static void cce_msix(CcePciState *s, unsigned vector)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (s->calls) {
        trace_cce_pci_msix_deferred(vector);
        set_bit(vector, s->msix_deferred);
        qemu_bh_schedule(s->irq_bh);
        return;
    }
    if (msix_enabled(pdev)) {
        msix_notify(pdev, vector);
    }
}

static void cce_aer(CcePciState *s, bool correctable)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    PCIEAERErr err = {
        .status = correctable ? PCI_ERR_COR_INTERNAL : PCI_ERR_UNC_INTN,
        .source_id = pci_requester_id(pdev),
        .flags = correctable ? PCIE_AER_ERR_IS_CORRECTABLE : 0,
    };

    if (!pci_is_express(pdev) || !pdev->exp.aer_cap) {
        return;
    }
    if (s->calls) {
        s->aer_deferred[correctable] = true;
        qemu_bh_schedule(s->irq_bh);
        return;
    }
    pcie_aer_inject_error(pdev, &err);
}

static void cce_irq_bh(void *opaque)
{
    CcePciState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);
    unsigned n = cce_nvec(s);
    unsigned long v;

    if (s->calls) {
        /* Still inside a call: try again from the next main-loop turn. */
        qemu_bh_schedule(s->irq_bh);
        return;
    }
    for (int c = 0; c < 2; c++) {
        if (s->aer_deferred[c]) {
            s->aer_deferred[c] = false;
            cce_aer(s, c);
        }
    }
    for (v = find_first_bit(s->msix_deferred, n); v < n;
         v = find_next_bit(s->msix_deferred, n, v + 1)) {
        clear_bit(v, s->msix_deferred);
        if (msix_enabled(pdev)) {
            msix_notify(pdev, v);
        }
    }
}

/* ------------------------------------------------------------------ */
/* ATC invalidation                                                    */
/* ------------------------------------------------------------------ */

static void cce_iotlb_notify(IOMMUNotifier *n, IOMMUTLBEntry *entry)
{
    CcePasid *p = n->opaque;
    CcePciState *s = p->s;
    struct cce_cosim_msg m = { 0 };
    uint64_t size = entry->addr_mask + 1;

    if (s->lost) {
        return;
    }
    trace_cce_pci_atc_inval(p->pasid, entry->iova, size);
    m.type = CCE_COSIM_ATC_INVAL;
    if (p->pasid == PCI_NO_PASID || size == 0) {
        m.u.inval.flags = CCE_COSIM_INVAL_ALL;
    } else {
        m.u.inval.pasid = p->pasid;
        m.u.inval.addr = entry->iova & ~entry->addr_mask;
        m.u.inval.size = size;
    }
    /*
     * The invalidation completes (and the IOMMU reports it to the guest)
     * only after the model confirmed that its ATC entries are gone.
     */
    cce_call(s, &m, CCE_COSIM_ACK, NULL);
}

/* ------------------------------------------------------------------ */
/* BARs                                                                */
/* ------------------------------------------------------------------ */

static uint64_t cce_bar_read(CcePciState *s, unsigned bar, hwaddr addr,
                             unsigned size)
{
    struct cce_cosim_msg m = { 0 };
    uint64_t val = ~0ull >> (64 - 8 * size);

    if (s->lost || s->serving) {
        if (s->serving) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "cce-pci: BAR%u read during model DMA ignored\n",
                          bar);
        }
        return val;
    }
    m.type = CCE_COSIM_MMIO_READ;
    m.u.mmio.bar = bar;
    m.u.mmio.size = size;
    m.u.mmio.offset = addr;
    if (cce_call(s, &m, CCE_COSIM_MMIO_DATA, NULL)) {
        val = s->reply.u.mmio.value;
        if (size == 4) {
            val &= 0xffffffffu;
        }
    }
    trace_cce_pci_mmio_read(bar, addr, size, val);
    return val;
}

static void cce_bar_write(CcePciState *s, unsigned bar, hwaddr addr,
                          uint64_t val, unsigned size)
{
    struct cce_cosim_msg m = { 0 };

    trace_cce_pci_mmio_write(bar, addr, size, val);
    if (s->lost || s->serving) {
        return;
    }
    m.type = CCE_COSIM_MMIO_WRITE;
    m.u.mmio.bar = bar;
    m.u.mmio.size = size;
    m.u.mmio.offset = addr;
    m.u.mmio.value = size == 4 ? (val & 0xffffffffu) : val;
    cce_send(s, &m);
}

static uint64_t cce_regs_read(void *opaque, hwaddr addr, unsigned size)
{
    return cce_bar_read(opaque, 0, addr, size);
}

static void cce_regs_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    cce_bar_write(opaque, 0, addr, val, size);
}

static uint64_t cce_db_read(void *opaque, hwaddr addr, unsigned size)
{
    return cce_bar_read(opaque, 2, addr, size);
}

static void cce_db_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    cce_bar_write(opaque, 2, addr, val, size);
}

static const MemoryRegionOps cce_regs_ops = {
    .read = cce_regs_read,
    .write = cce_regs_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8, .unaligned = false },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

static const MemoryRegionOps cce_db_ops = {
    .read = cce_db_read,
    .write = cce_db_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8, .unaligned = false },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

/* ------------------------------------------------------------------ */
/* Config space, reset                                                 */
/* ------------------------------------------------------------------ */

static void cce_send_bus_master(CcePciState *s, bool on)
{
    struct cce_cosim_msg m = { 0 };

    trace_cce_pci_bus_master(on);
    s->bus_master = on;
    m.type = CCE_COSIM_BUS_MASTER;
    m.u.bm.enable = on;
    cce_call(s, &m, CCE_COSIM_ACK, NULL);
}

static void cce_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
                             int len)
{
    CcePciState *s = CCE_PCI(pdev);
    bool bm;

    pci_default_write_config(pdev, addr, val, len);
    pcie_cap_flr_write_config(pdev, addr, val, len);
    pcie_aer_write_config(pdev, addr, val, len);
    bm = pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
    if (bm != s->bus_master && !s->lost) {
        cce_send_bus_master(s, bm);
    }
}

static void cce_reset(DeviceState *dev)
{
    CcePciState *s = CCE_PCI(dev);
    struct cce_cosim_msg m = { 0 };

    trace_cce_pci_reset();
    pcie_cap_deverr_reset(PCI_DEVICE(s));
    s->bus_master = false;
    if (s->lost || s->fd < 0) {
        return;
    }
    m.type = CCE_COSIM_RESET;
    cce_call(s, &m, CCE_COSIM_ACK, NULL);
}

/* ------------------------------------------------------------------ */
/* Handshake                                                           */
/* ------------------------------------------------------------------ */

typedef struct CceRegionScan {
    struct cce_cosim_region r[CCE_COSIM_MAX_REGIONS];
    int fd[CCE_COSIM_MAX_REGIONS];
    unsigned n;
} CceRegionScan;

static bool cce_scan_range(Int128 start, Int128 len, const MemoryRegion *cmr,
                           hwaddr off, void *opaque)
{
    CceRegionScan *sc = opaque;
    MemoryRegion *mr = (MemoryRegion *)cmr;
    uint64_t gpa = int128_get64(start), size = int128_get64(len);
    RAMBlock *rb = mr->ram_block;
    int fd;

    if (!memory_region_is_ram(mr) || mr->readonly ||
        memory_region_is_ram_device(mr) || !rb || !qemu_ram_is_shared(rb)) {
        return false;
    }
    fd = qemu_ram_get_fd(rb);
    /* Below 1 MiB firmware shadowing (PAM) may change the map later. */
    if (fd < 0 || gpa + size <= 1 * MiB) {
        return false;
    }
    if (gpa < 1 * MiB) {
        off += 1 * MiB - gpa;
        size -= 1 * MiB - gpa;
        gpa = 1 * MiB;
    }
    if ((gpa | size | off) & (CCE_PAGE_SIZE - 1)) {
        return false;
    }
    if (sc->n == CCE_COSIM_MAX_REGIONS) {
        return true;
    }
    sc->r[sc->n] = (struct cce_cosim_region) {
        .gpa = gpa, .size = size,
        .fd_offset = qemu_ram_get_fd_offset(rb) + off,
        .index = sc->n,
    };
    sc->fd[sc->n] = fd;
    sc->n++;
    return false;
}

static bool cce_send_with_fd(CcePciState *s, struct cce_cosim_msg *m, int fd)
{
    struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = &ctl, .msg_controllen = sizeof(ctl),
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

    memset(&ctl, 0, sizeof(ctl));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    return sendmsg(s->fd, &mh, MSG_NOSIGNAL) == sizeof(*m);
}

static bool cce_connect(CcePciState *s, Error **errp)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int64_t deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                       s->connect_timeout_ms;
    int fd;

    if (strlen(s->socket_path) >= sizeof(sa.sun_path)) {
        error_setg(errp, "cce-pci: socket path too long: %s", s->socket_path);
        return false;
    }
    strcpy(sa.sun_path, s->socket_path);
    for (;;) {
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            error_setg_errno(errp, errno, "cce-pci: socket");
            return false;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            break;
        }
        close(fd);
        if ((errno != ENOENT && errno != ECONNREFUSED) ||
            qemu_clock_get_ms(QEMU_CLOCK_REALTIME) >= deadline) {
            error_setg_errno(errp, errno,
                             "cce-pci: cannot connect to the model at %s",
                             s->socket_path);
            return false;
        }
        g_usleep(50 * 1000);
    }
    s->fd = fd;
    return true;
}

static bool cce_handshake(CcePciState *s, Error **errp)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    struct cce_cosim_msg m = { 0 };
    CceRegionScan sc = { .n = 0 };
    int xfer_fd = -1;
    void *p;

    if (s->share_ram) {
        FlatView *fv;

        RCU_READ_LOCK_GUARD();
        fv = address_space_to_flatview(&address_space_memory);
        flatview_for_each_range(fv, cce_scan_range, &sc);
    }
    m.type = CCE_COSIM_HELLO;
    m.u.hello.magic = CCE_COSIM_MAGIC;
    m.u.hello.ver_major = CCE_COSIM_VERSION_MAJOR;
    m.u.hello.ver_minor = CCE_COSIM_VERSION_MINOR;
    m.u.hello.num_queues = s->num_queues;
    m.u.hello.nregions = sc.n;
    m.u.hello.flags = sc.n ? CCE_COSIM_HF_SHARED_RAM : 0;
    if (pci_device_iommu_address_space(pdev) == &address_space_memory) {
        m.u.hello.flags |= CCE_COSIM_HF_IDENTITY_DMA;
    }
    m.seq = ++s->next_seq;
    s->wait.type = CCE_COSIM_HELLO_ACK;
    s->wait.seq = m.seq;
    s->wait.req_type = 0;
    if (!cce_send(s, &m)) {
        goto fail;
    }
    for (unsigned i = 0; i < sc.n; i++) {
        struct cce_cosim_msg r = { .type = CCE_COSIM_MEM_REGION };
        r.u.region = sc.r[i];
        if (!cce_send_with_fd(s, &r, sc.fd[i])) {
            error_setg_errno(errp, errno, "cce-pci: sending memory region");
            return false;
        }
    }
    {
        int64_t deadline = cce_deadline(s);
        int r;

        do {
            r = cce_pump(s, deadline, &xfer_fd);
        } while (r == 0);
        if (r < 0) {
            goto fail;
        }
    }
    if (s->reply.u.hello.num_queues != s->num_queues) {
        error_setg(errp, "cce-pci: model has %u queues, device num-queues=%u",
                   s->reply.u.hello.num_queues, s->num_queues);
        goto fail_fd;
    }
    if (xfer_fd < 0) {
        error_setg(errp, "cce-pci: model sent no transfer buffer");
        goto fail_fd;
    }
    p = mmap(NULL, s->reply.u.hello.xfer_size, PROT_READ | PROT_WRITE,
             MAP_SHARED, xfer_fd, 0);
    close(xfer_fd);
    xfer_fd = -1;
    if (p == MAP_FAILED) {
        error_setg_errno(errp, errno, "cce-pci: mapping the transfer buffer");
        return false;
    }
    s->xfer = p;
    s->xfer_size = s->reply.u.hello.xfer_size;
    trace_cce_pci_link_up(s->num_queues, s->reply.u.hello.nregions,
                          s->xfer_size, m.u.hello.flags);
    return true;

fail_fd:
    if (xfer_fd >= 0) {
        close(xfer_fd);
    }
    return false;
fail:
    error_setg(errp, "cce-pci: handshake with the model at %s failed",
               s->socket_path);
    return false;
}

/* ------------------------------------------------------------------ */
/* Realize / exit                                                      */
/* ------------------------------------------------------------------ */

static void cce_pasid_free(gpointer data)
{
    g_free(data);
}

static void cce_realize(PCIDevice *pdev, Error **errp)
{
    CcePciState *s = CCE_PCI(pdev);
    uint8_t *pci_conf = pdev->config;
    int ret;

    s->fd = -1;
    if (!s->socket_path) {
        error_setg(errp, "cce-pci: the socket property is required");
        return;
    }
    if (s->num_queues < 1 || s->num_queues > CCE_MAX_QUEUES) {
        error_setg(errp, "cce-pci: num-queues must be 1..%u", CCE_MAX_QUEUES);
        return;
    }
    if (s->timeout_ms == 0) {
        error_setg(errp, "cce-pci: timeout-ms must not be 0");
        return;
    }

    pci_config_set_interrupt_pin(pci_conf, 1);
    pci_conf[PCI_REVISION_ID] = CCE_PCI_REVISION;

    memory_region_init(&s->bar0, OBJECT(s), "cce-bar0", CCE_BAR0_SIZE);
    memory_region_init_io(&s->regs, OBJECT(s), &cce_regs_ops, s, "cce-regs",
                          CCE_BAR0_MSIX_TABLE_OFF);
    memory_region_add_subregion(&s->bar0, 0, &s->regs);
    memory_region_init_io(&s->bar2, OBJECT(s), &cce_db_ops, s, "cce-doorbells",
                          CCE_BAR2_SIZE(s->num_queues));
    pci_register_bar(pdev, CCE_BAR0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->bar0);
    pci_register_bar(pdev, CCE_BAR2, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->bar2);

    ret = pcie_endpoint_cap_init(pdev, CCE_CFG_PCIE_CAP);
    if (ret < 0) {
        error_setg(errp, "cce-pci: PCIe capability init failed");
        return;
    }
    pcie_cap_flr_init(pdev);
    /* Error reporting enables (DEVCTL) and W1C status (DEVSTA) for AER. */
    pcie_cap_deverr_init(pdev);
    ret = msix_init(pdev, cce_nvec(s), &s->bar0, CCE_BAR0,
                    CCE_BAR0_MSIX_TABLE_OFF, &s->bar0, CCE_BAR0,
                    CCE_BAR0_MSIX_PBA_OFF, CCE_CFG_MSIX_CAP, errp);
    if (ret < 0) {
        goto err_pcie;
    }
    for (unsigned v = 0; v < cce_nvec(s); v++) {
        msix_vector_use(pdev, v);
    }
    ret = pcie_aer_init(pdev, PCI_ERR_VER, CCE_CFG_AER, PCI_ERR_SIZEOF, errp);
    if (ret < 0) {
        goto err_msix;
    }
    pcie_ats_init(pdev, CCE_CFG_ATS, true);
    pcie_pasid_init(pdev, CCE_CFG_PASID, CCE_PASID_BITS, false, false);
    pcie_pri_init(pdev, CCE_CFG_PRI, CCE_PRI_OUTSTANDING, true);

    s->pasids = g_hash_table_new_full(NULL, NULL, NULL, cce_pasid_free);
    s->irq_bh = qemu_bh_new_guarded(cce_irq_bh, s,
                                    &DEVICE(s)->mem_reentrancy_guard);

    if (!cce_connect(s, errp) || !cce_handshake(s, errp)) {
        if (s->fd >= 0) {
            close(s->fd);
            s->fd = -1;
        }
        g_hash_table_destroy(s->pasids);
        s->pasids = NULL;
        qemu_bh_delete(s->irq_bh);
        s->irq_bh = NULL;
        pcie_aer_exit(pdev);
        goto err_msix;
    }
    qemu_set_fd_handler(s->fd, cce_link_readable, NULL, s);
    return;

err_msix:
    msix_uninit(pdev, &s->bar0, &s->bar0);
err_pcie:
    pcie_cap_exit(pdev);
}

static void cce_exit(PCIDevice *pdev)
{
    CcePciState *s = CCE_PCI(pdev);
    uint32_t pasid_ctl_off = CCE_CFG_PASID + PCI_PASID_CTRL;
    uint16_t saved = pci_get_word(pdev->config + pasid_ctl_off);
    GHashTableIter it;
    gpointer v;

    /* Unregistering needs PASID enabled: set it for the duration. */
    pci_set_word(pdev->config + pasid_ctl_off, saved | PCI_PASID_CTRL_ENABLE);
    g_hash_table_iter_init(&it, s->pasids);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        CcePasid *p = v;
        if (p->iotlb_registered) {
            pci_iommu_unregister_iotlb_notifier(pdev, p->pasid, &p->iotlb_n);
        }
        if (p->pri_registered) {
            pci_pri_unregister_notifier(pdev, p->pasid);
        }
    }
    pci_set_word(pdev->config + pasid_ctl_off, saved);
    g_hash_table_destroy(s->pasids);
    qemu_bh_delete(s->irq_bh);
    s->irq_bh = NULL;
    if (s->fd >= 0) {
        qemu_set_fd_handler(s->fd, NULL, NULL, NULL);
        close(s->fd);
        s->fd = -1;
    }
    if (s->xfer) {
        munmap(s->xfer, s->xfer_size);
        s->xfer = NULL;
    }
    pcie_aer_exit(pdev);
    msix_uninit(pdev, &s->bar0, &s->bar0);
    pcie_cap_exit(pdev);
}

static const VMStateDescription cce_vmstate = {
    .name = TYPE_CCE_PCI,
    .unmigratable = 1,      /* the engine state lives in cce-model */
};

static const Property cce_properties[] = {
    DEFINE_PROP_STRING("socket", CcePciState, socket_path),
    DEFINE_PROP_UINT32("num-queues", CcePciState, num_queues, 16),
    DEFINE_PROP_UINT32("timeout-ms", CcePciState, timeout_ms, 10000),
    DEFINE_PROP_UINT32("connect-timeout-ms", CcePciState, connect_timeout_ms,
                       10000),
    DEFINE_PROP_BOOL("share-ram", CcePciState, share_ram, true),
};

static void cce_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = cce_realize;
    k->exit = cce_exit;
    k->config_write = cce_config_write;
    k->vendor_id = CCE_PCI_VENDOR_ID;
    k->device_id = CCE_PCI_DEVICE_ID;
    k->revision = CCE_PCI_REVISION;
    k->class_id = CCE_PCI_CLASS;
    dc->desc = "CCE crypto/compression accelerator (cosim bridge)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    dc->vmsd = &cce_vmstate;
    device_class_set_props(dc, cce_properties);
    device_class_set_legacy_reset(dc, cce_reset);
}

static const TypeInfo cce_pci_info = {
    .name = TYPE_CCE_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(CcePciState),
    .class_init = cce_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void cce_pci_register_types(void)
{
    type_register_static(&cce_pci_info);
}

type_init(cce_pci_register_types)
