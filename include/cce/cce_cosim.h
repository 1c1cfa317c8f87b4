/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * cce_cosim.h - the co-simulation link between QEMU's cce-pci device (the
 * "host" side, a PCIe bridge) and the cce-model process (the "model" side,
 * the SystemC engine). This file is the one definition of the protocol; both
 * sides include it (QEMU: C11, model: C++20). No libc calls, fixed-width
 * types, static size checks.
 *
 * Transport: one AF_UNIX SOCK_SEQPACKET connection. The model listens, QEMU
 * connects. Every message is exactly CCE_COSIM_MSG_SIZE bytes (one
 * struct cce_cosim_msg per packet); anything else is a protocol error.
 * File descriptors travel as SCM_RIGHTS ancillary data on two messages only:
 * HELLO_ACK (the model's transfer buffer) and MEM_REGION (guest RAM).
 *
 * Bulk data never travels in the socket:
 *   - The transfer buffer (xfer, created by the model, size in HELLO_ACK) is
 *     shared memory in which DMA_READ/DMA_WRITE data is placed: QEMU performs
 *     the access (IOMMU, bus master, address space checks) and copies between
 *     the guest and the xfer buffer.
 *   - If guest RAM is shared (QEMU -object memory-backend-memfd,share=on),
 *     QEMU sends MEM_REGION messages with the fds after HELLO; the model then
 *     performs *translated* accesses (addresses from ATS) and, when QEMU says
 *     CCE_COSIM_HF_IDENTITY_DMA, untranslated accesses without PASID,
 *     directly in guest RAM with no message at all. The DMA_READ/DMA_WRITE
 *     message path remains the fallback for any address not in a region.
 *
 * Handshake (QEMU -> model): HELLO, then HELLO.nregions MEM_REGION messages.
 * The model answers HELLO_ACK after the last region. Both check magic and
 * major version; a different major version is refused.
 *
 * Version 1.1 adds AER (model -> QEMU, posted): the device signals an
 * internal error through PCIe AER. A 1.0 QEMU rejects it as an unknown type.
 *
 * Requests and replies: a request carries a nonzero seq chosen by the
 * sender; the reply carries the same seq. At most one request per direction
 * is outstanding at a time (both sides block for the reply). While waiting
 * for its reply, each side must keep reading: QEMU serves the model's
 * requests (DMA, ATS) inline; the model queues QEMU's messages and handles
 * them after its current simulation step. Posted messages (MMIO_WRITE,
 * PAGE_RESP, MSIX, PAGE_REQ, AER) have no reply. This is what keeps the link free
 * of deadlocks when both sides send at once.
 *
 * Ordering: a posted MSIX from the model is sent after the DMA writes it
 * covers have completed (DMA writes are synchronous), so the interrupt
 * never overtakes its data.
 */
#ifndef CCE_COSIM_H
#define CCE_COSIM_H

#if defined(__KERNEL__)
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#if defined(__cplusplus)
#define CCE_COSIM_STATIC_ASSERT(c, m) static_assert(c, m)
#define CCE_COSIM_INLINE inline
#else
#define CCE_COSIM_STATIC_ASSERT(c, m) _Static_assert(c, m)
#define CCE_COSIM_INLINE static inline
#endif

#define CCE_COSIM_MAGIC			0x4d53434fu	/* "OCSM" little-endian */
#define CCE_COSIM_VERSION_MAJOR		1u
#define CCE_COSIM_VERSION_MINOR		1u
#define CCE_COSIM_MSG_SIZE		64u
#define CCE_COSIM_MAX_REGIONS		32u	/* MEM_REGION messages per handshake */
#define CCE_COSIM_MIN_XFER		4096u	/* transfer buffer size limits */
#define CCE_COSIM_MAX_XFER		(64u << 20)
#define CCE_COSIM_MAX_QUEUES		64u	/* == CCE_MAX_QUEUES */

/* Message types. 0x01..0x3f: sent by QEMU; 0x40..0x7f: sent by the model. */
enum cce_cosim_type {
	/* QEMU -> model */
	CCE_COSIM_HELLO		= 0x01,	/* request: handshake, reply HELLO_ACK */
	CCE_COSIM_MEM_REGION	= 0x02,	/* part of the handshake, fd attached */
	CCE_COSIM_MMIO_READ	= 0x03,	/* request: reply MMIO_DATA */
	CCE_COSIM_MMIO_WRITE	= 0x04,	/* posted */
	CCE_COSIM_ATC_INVAL	= 0x05,	/* request: reply ACK once entries are gone */
	CCE_COSIM_PAGE_RESP	= 0x06,	/* posted: PRI page group response */
	CCE_COSIM_RESET		= 0x07,	/* request: function reset, reply ACK */
	CCE_COSIM_BUS_MASTER	= 0x08,	/* request: bus master on/off, reply ACK */
	CCE_COSIM_DMA_DONE	= 0x09,	/* reply to DMA_READ / DMA_WRITE */
	CCE_COSIM_ATS_DONE	= 0x0a,	/* reply to ATS_REQ */
	CCE_COSIM_HOST_TYPE_MAX	= 0x0a,

	/* model -> QEMU */
	CCE_COSIM_HELLO_ACK	= 0x40,	/* reply to HELLO, xfer fd attached */
	CCE_COSIM_MMIO_DATA	= 0x41,	/* reply to MMIO_READ */
	CCE_COSIM_ACK		= 0x42,	/* reply to ATC_INVAL / RESET / BUS_MASTER */
	CCE_COSIM_DMA_READ	= 0x43,	/* request: guest -> xfer, reply DMA_DONE */
	CCE_COSIM_DMA_WRITE	= 0x44,	/* request: xfer -> guest, reply DMA_DONE */
	CCE_COSIM_ATS_REQ	= 0x45,	/* request: translate one page, reply ATS_DONE */
	CCE_COSIM_PAGE_REQ	= 0x46,	/* posted: PRI page request */
	CCE_COSIM_MSIX		= 0x47,	/* posted: raise an MSI-X vector */
	CCE_COSIM_AER		= 0x48,	/* posted: report an error through AER (1.1) */
	CCE_COSIM_MODEL_TYPE_MAX = 0x48
};

/* HELLO.flags (host features) */
#define CCE_COSIM_HF_SHARED_RAM		(1u << 0)	/* MEM_REGION messages follow */
#define CCE_COSIM_HF_IDENTITY_DMA	(1u << 1)	/* no IOMMU: untranslated == GPA */
#define CCE_COSIM_HF_MASK		0x3u

/* DMA flags (DMA_READ / DMA_WRITE) */
#define CCE_COSIM_DMA_PASID		(1u << 0)	/* pasid field valid */
#define CCE_COSIM_DMA_TRANSLATED	(1u << 1)	/* address came from ATS */
#define CCE_COSIM_DMA_MASK		0x3u

/* DMA_DONE.status */
enum cce_cosim_dma_status {
	CCE_COSIM_DMA_OK	= 0,
	CCE_COSIM_DMA_FAULT	= 1,	/* IOMMU refused */
	CCE_COSIM_DMA_BUS_ERROR	= 2,	/* no memory there / bus master off */
	CCE_COSIM_DMA_STATUS_MAX = 2
};

/* ATS_REQ.flags */
#define CCE_COSIM_ATS_WRITE		(1u << 0)	/* write access wanted */
#define CCE_COSIM_ATS_PASID		(1u << 1)	/* pasid field valid */
#define CCE_COSIM_ATS_REQ_MASK		0x3u
/* ATS_DONE.flags */
#define CCE_COSIM_ATS_OK		(1u << 0)	/* translation completed */
#define CCE_COSIM_ATS_R			(1u << 1)
#define CCE_COSIM_ATS_W			(1u << 2)
#define CCE_COSIM_ATS_DONE_MASK		0x7u

/* PAGE_REQ.flags */
#define CCE_COSIM_PR_READ		(1u << 0)
#define CCE_COSIM_PR_WRITE		(1u << 1)
#define CCE_COSIM_PR_MASK		0x3u
#define CCE_COSIM_PRGI_MASK		0x1ffu

/* PAGE_RESP.code */
enum cce_cosim_pr_code {
	CCE_COSIM_PR_SUCCESS	= 0,
	CCE_COSIM_PR_INVALID	= 1,
	CCE_COSIM_PR_FAILURE	= 2,
	CCE_COSIM_PR_CODE_MAX	= 2
};

/* ATC_INVAL.flags */
#define CCE_COSIM_INVAL_ALL		(1u << 0)	/* every PASID, every address */
#define CCE_COSIM_INVAL_MASK		0x1u

#define CCE_COSIM_PASID_MASK		0xfffffu

/* AER.severity */
enum cce_cosim_aer_severity {
	CCE_COSIM_AER_CORRECTABLE = 0,	/* corrected internal error */
	CCE_COSIM_AER_NONFATAL	= 1,	/* uncorrectable internal error, non-fatal */
	CCE_COSIM_AER_FATAL	= 2,	/* uncorrectable internal error, fatal */
	CCE_COSIM_AER_SEVERITY_MAX = 2
};

struct cce_cosim_hello {		/* HELLO and HELLO_ACK */
	uint32_t magic;
	uint16_t ver_major;
	uint16_t ver_minor;
	uint32_t num_queues;		/* HELLO: wanted; ACK: what the model has */
	uint32_t flags;			/* HELLO: CCE_COSIM_HF_*; ACK: 0 */
	uint32_t nregions;		/* HELLO: MEM_REGION count; ACK: accepted */
	uint32_t clock_mhz;		/* ACK: engine clock; HELLO: 0 */
	uint64_t xfer_size;		/* ACK: transfer buffer bytes; HELLO: 0 */
};

struct cce_cosim_region {		/* MEM_REGION, fd attached */
	uint64_t gpa;			/* guest-physical start, page aligned */
	uint64_t size;			/* bytes, page multiple, nonzero */
	uint64_t fd_offset;		/* offset of gpa in the fd, page aligned */
	uint32_t index;			/* 0..nregions-1, in order */
	uint32_t rsvd;
};

struct cce_cosim_mmio {			/* MMIO_READ, MMIO_WRITE, MMIO_DATA */
	uint8_t  bar;			/* 0 or 2 */
	uint8_t  size;			/* 4 or 8 */
	uint16_t rsvd0;
	uint32_t rsvd1;
	uint64_t offset;		/* inside the BAR, size aligned */
	uint64_t value;			/* WRITE and DATA */
};

struct cce_cosim_dma {			/* DMA_READ, DMA_WRITE */
	uint64_t addr;
	uint32_t len;			/* 1..xfer_size; data at xfer offset 0 */
	uint32_t flags;			/* CCE_COSIM_DMA_* */
	uint32_t pasid;
	uint32_t rsvd;
};

struct cce_cosim_status {		/* DMA_DONE, ACK */
	uint32_t status;		/* DMA_DONE: cce_cosim_dma_status; ACK: 0 */
	uint32_t req_type;		/* ACK: type of the request acknowledged */
};

struct cce_cosim_ats {			/* ATS_REQ, ATS_DONE */
	uint64_t addr;			/* REQ: page address; DONE: translated page */
	uint32_t pasid;
	uint32_t flags;			/* CCE_COSIM_ATS_* */
	uint32_t page_shift;		/* DONE: 12..47 */
	uint32_t rsvd;
};

struct cce_cosim_page_req {		/* PAGE_REQ, PAGE_RESP */
	uint64_t addr;			/* REQ: page aligned */
	uint32_t pasid;
	uint16_t prgi;			/* 0..511 */
	uint16_t flags;			/* REQ: CCE_COSIM_PR_*; RESP: 0 */
	uint32_t code;			/* RESP: cce_cosim_pr_code */
	uint32_t rsvd;
};

struct cce_cosim_inval {		/* ATC_INVAL */
	uint64_t addr;
	uint64_t size;			/* bytes, nonzero unless INVAL_ALL */
	uint32_t pasid;
	uint32_t flags;			/* CCE_COSIM_INVAL_* */
};

struct cce_cosim_msix {			/* MSIX */
	uint16_t vector;
	uint16_t rsvd0;
	uint32_t rsvd1;
};

struct cce_cosim_bus_master {		/* BUS_MASTER */
	uint32_t enable;		/* 0 or 1 */
	uint32_t rsvd;
};

struct cce_cosim_aer {			/* AER */
	uint32_t severity;		/* cce_cosim_aer_severity */
	uint32_t rsvd;
	uint64_t info;			/* the device's RAS_ERR_INFO (for logs) */
};

struct cce_cosim_msg {
	uint16_t type;			/* enum cce_cosim_type */
	uint16_t rsvd;			/* 0 */
	uint32_t seq;			/* request: nonzero; reply: the request's */
	union {
		struct cce_cosim_hello hello;
		struct cce_cosim_region region;
		struct cce_cosim_mmio mmio;
		struct cce_cosim_dma dma;
		struct cce_cosim_status status;
		struct cce_cosim_ats ats;
		struct cce_cosim_page_req pr;
		struct cce_cosim_inval inval;
		struct cce_cosim_msix msix;
		struct cce_cosim_bus_master bm;
		struct cce_cosim_aer aer;
		uint8_t raw[56];
	} u;
};

CCE_COSIM_STATIC_ASSERT(sizeof(struct cce_cosim_msg) == CCE_COSIM_MSG_SIZE, "message is 64 bytes");
CCE_COSIM_STATIC_ASSERT(sizeof(struct cce_cosim_hello) == 32, "hello");
CCE_COSIM_STATIC_ASSERT(sizeof(struct cce_cosim_region) == 32, "region");
CCE_COSIM_STATIC_ASSERT(sizeof(struct cce_cosim_mmio) == 24, "mmio");
CCE_COSIM_STATIC_ASSERT(sizeof(struct cce_cosim_dma) == 24, "dma");
CCE_COSIM_STATIC_ASSERT(sizeof(struct cce_cosim_ats) == 24, "ats");
CCE_COSIM_STATIC_ASSERT(sizeof(struct cce_cosim_page_req) == 24, "page_req");
CCE_COSIM_STATIC_ASSERT(sizeof(struct cce_cosim_inval) == 24, "inval");
CCE_COSIM_STATIC_ASSERT(sizeof(struct cce_cosim_aer) == 16, "aer");
CCE_COSIM_STATIC_ASSERT(__builtin_offsetof(struct cce_cosim_msg, u) == 8, "payload at 8");

/* ------------------------------------------------------------------ */
/* Validation on receipt. Pure functions: no libc, no state beyond the */
/* arguments. Return CCE_COSIM_OK or the first check that failed.      */
/* ------------------------------------------------------------------ */

enum cce_cosim_err {
	CCE_COSIM_OK = 0,
	CCE_COSIM_E_SIZE,		/* packet is not CCE_COSIM_MSG_SIZE bytes */
	CCE_COSIM_E_TYPE,		/* unknown type or wrong direction */
	CCE_COSIM_E_RSVD,		/* reserved field or unknown flag set */
	CCE_COSIM_E_MAGIC,
	CCE_COSIM_E_VERSION,		/* major version differs */
	CCE_COSIM_E_SEQ,		/* request with seq 0 */
	CCE_COSIM_E_RANGE,		/* field out of range */
	CCE_COSIM_E_ALIGN,
	CCE_COSIM_E_MAX
};

CCE_COSIM_INLINE const char *cce_cosim_err_str(int e)
{
	static const char *const s[] = {
		"ok", "bad message size", "bad message type", "reserved bits set",
		"bad magic", "incompatible version", "zero sequence number",
		"field out of range", "misaligned field",
	};
	return (e >= 0 && e < CCE_COSIM_E_MAX) ? s[e] : "unknown error";
}

CCE_COSIM_INLINE const char *cce_cosim_type_str(unsigned t)
{
	switch (t) {
	case CCE_COSIM_HELLO: return "HELLO";
	case CCE_COSIM_MEM_REGION: return "MEM_REGION";
	case CCE_COSIM_MMIO_READ: return "MMIO_READ";
	case CCE_COSIM_MMIO_WRITE: return "MMIO_WRITE";
	case CCE_COSIM_ATC_INVAL: return "ATC_INVAL";
	case CCE_COSIM_PAGE_RESP: return "PAGE_RESP";
	case CCE_COSIM_RESET: return "RESET";
	case CCE_COSIM_BUS_MASTER: return "BUS_MASTER";
	case CCE_COSIM_DMA_DONE: return "DMA_DONE";
	case CCE_COSIM_ATS_DONE: return "ATS_DONE";
	case CCE_COSIM_HELLO_ACK: return "HELLO_ACK";
	case CCE_COSIM_MMIO_DATA: return "MMIO_DATA";
	case CCE_COSIM_ACK: return "ACK";
	case CCE_COSIM_DMA_READ: return "DMA_READ";
	case CCE_COSIM_DMA_WRITE: return "DMA_WRITE";
	case CCE_COSIM_ATS_REQ: return "ATS_REQ";
	case CCE_COSIM_PAGE_REQ: return "PAGE_REQ";
	case CCE_COSIM_MSIX: return "MSIX";
	case CCE_COSIM_AER: return "AER";
	default: return "?";
	}
}

CCE_COSIM_INLINE int cce_cosim_zero(const uint8_t *p, unsigned from, unsigned to)
{
	unsigned i;

	for (i = from; i < to; i++) {
		if (p[i]) {
			return 0;
		}
	}
	return 1;
}

/* Bytes of payload a message type uses; the rest must be zero. */
CCE_COSIM_INLINE unsigned cce_cosim_payload_len(unsigned type)
{
	switch (type) {
	case CCE_COSIM_HELLO: case CCE_COSIM_HELLO_ACK:
		return sizeof(struct cce_cosim_hello);
	case CCE_COSIM_MEM_REGION:
		return sizeof(struct cce_cosim_region);
	case CCE_COSIM_MMIO_READ: case CCE_COSIM_MMIO_WRITE: case CCE_COSIM_MMIO_DATA:
		return sizeof(struct cce_cosim_mmio);
	case CCE_COSIM_DMA_READ: case CCE_COSIM_DMA_WRITE:
		return sizeof(struct cce_cosim_dma);
	case CCE_COSIM_DMA_DONE: case CCE_COSIM_ACK:
		return sizeof(struct cce_cosim_status);
	case CCE_COSIM_ATS_REQ: case CCE_COSIM_ATS_DONE:
		return sizeof(struct cce_cosim_ats);
	case CCE_COSIM_PAGE_REQ: case CCE_COSIM_PAGE_RESP:
		return sizeof(struct cce_cosim_page_req);
	case CCE_COSIM_ATC_INVAL:
		return sizeof(struct cce_cosim_inval);
	case CCE_COSIM_MSIX:
		return sizeof(struct cce_cosim_msix);
	case CCE_COSIM_BUS_MASTER:
		return sizeof(struct cce_cosim_bus_master);
	case CCE_COSIM_AER:
		return sizeof(struct cce_cosim_aer);
	case CCE_COSIM_RESET:
		return 0;
	default:
		return 56;
	}
}

CCE_COSIM_INLINE int cce_cosim_check_hello(const struct cce_cosim_hello *h)
{
	if (h->magic != CCE_COSIM_MAGIC) {
		return CCE_COSIM_E_MAGIC;
	}
	if (h->ver_major != CCE_COSIM_VERSION_MAJOR) {
		return CCE_COSIM_E_VERSION;
	}
	if (h->num_queues < 1 || h->num_queues > CCE_COSIM_MAX_QUEUES) {
		return CCE_COSIM_E_RANGE;
	}
	return CCE_COSIM_OK;
}

/*
 * Checks common to both directions: size, reserved header/payload bytes,
 * then per-type field checks that need no link state. Direction is checked
 * by the two wrappers below.
 */
CCE_COSIM_INLINE int cce_cosim_check_common(const struct cce_cosim_msg *m, unsigned long len)
{
	const uint8_t *raw = m->u.raw;

	if (len != CCE_COSIM_MSG_SIZE) {
		return CCE_COSIM_E_SIZE;
	}
	if (m->rsvd || !cce_cosim_zero(raw, cce_cosim_payload_len(m->type), 56)) {
		return CCE_COSIM_E_RSVD;
	}
	switch (m->type) {
	case CCE_COSIM_HELLO:
	case CCE_COSIM_HELLO_ACK: {
		int e = cce_cosim_check_hello(&m->u.hello);
		if (e) {
			return e;
		}
		if (m->type == CCE_COSIM_HELLO) {
			if (m->u.hello.flags & ~CCE_COSIM_HF_MASK) {
				return CCE_COSIM_E_RSVD;
			}
			if (m->u.hello.nregions > CCE_COSIM_MAX_REGIONS ||
			    m->u.hello.xfer_size || m->u.hello.clock_mhz) {
				return CCE_COSIM_E_RANGE;
			}
			if (m->u.hello.nregions && !(m->u.hello.flags & CCE_COSIM_HF_SHARED_RAM)) {
				return CCE_COSIM_E_RANGE;
			}
		} else {
			if (m->u.hello.flags) {
				return CCE_COSIM_E_RSVD;
			}
			if (m->u.hello.xfer_size < CCE_COSIM_MIN_XFER ||
			    m->u.hello.xfer_size > CCE_COSIM_MAX_XFER ||
			    (m->u.hello.xfer_size & 4095u) ||
			    m->u.hello.nregions > CCE_COSIM_MAX_REGIONS) {
				return CCE_COSIM_E_RANGE;
			}
		}
		return m->seq ? CCE_COSIM_OK : CCE_COSIM_E_SEQ;
	}
	case CCE_COSIM_MEM_REGION: {
		const struct cce_cosim_region *r = &m->u.region;
		if (r->rsvd) {
			return CCE_COSIM_E_RSVD;
		}
		if ((r->gpa | r->size | r->fd_offset) & 4095u) {
			return CCE_COSIM_E_ALIGN;
		}
		if (!r->size || r->gpa + r->size < r->gpa ||
		    r->fd_offset + r->size < r->fd_offset ||
		    r->index >= CCE_COSIM_MAX_REGIONS) {
			return CCE_COSIM_E_RANGE;
		}
		return CCE_COSIM_OK;
	}
	case CCE_COSIM_MMIO_READ:
	case CCE_COSIM_MMIO_WRITE:
	case CCE_COSIM_MMIO_DATA: {
		const struct cce_cosim_mmio *x = &m->u.mmio;
		if (m->type == CCE_COSIM_MMIO_DATA) {
			if (x->bar || x->size || x->rsvd0 || x->rsvd1 || x->offset) {
				return CCE_COSIM_E_RSVD;
			}
			return m->seq ? CCE_COSIM_OK : CCE_COSIM_E_SEQ;
		}
		if (x->rsvd0 || x->rsvd1) {
			return CCE_COSIM_E_RSVD;
		}
		if ((x->bar != 0 && x->bar != 2) || (x->size != 4 && x->size != 8) ||
		    x->offset >= (1ull << 32)) {
			return CCE_COSIM_E_RANGE;
		}
		if (x->offset & (x->size - 1u)) {
			return CCE_COSIM_E_ALIGN;
		}
		if (x->size == 4 && (x->value >> 32)) {
			return CCE_COSIM_E_RANGE;
		}
		if (m->type == CCE_COSIM_MMIO_READ) {
			if (x->value) {
				return CCE_COSIM_E_RSVD;
			}
			return m->seq ? CCE_COSIM_OK : CCE_COSIM_E_SEQ;
		}
		return CCE_COSIM_OK;
	}
	case CCE_COSIM_ATC_INVAL: {
		const struct cce_cosim_inval *v = &m->u.inval;
		if (v->flags & ~CCE_COSIM_INVAL_MASK) {
			return CCE_COSIM_E_RSVD;
		}
		if (v->flags & CCE_COSIM_INVAL_ALL) {
			if (v->addr || v->size || v->pasid) {
				return CCE_COSIM_E_RSVD;
			}
		} else if (!v->size || v->pasid > CCE_COSIM_PASID_MASK) {
			return CCE_COSIM_E_RANGE;
		}
		return m->seq ? CCE_COSIM_OK : CCE_COSIM_E_SEQ;
	}
	case CCE_COSIM_PAGE_RESP:
	case CCE_COSIM_PAGE_REQ: {
		const struct cce_cosim_page_req *p = &m->u.pr;
		if (p->rsvd) {
			return CCE_COSIM_E_RSVD;
		}
		if (p->pasid > CCE_COSIM_PASID_MASK || p->prgi > CCE_COSIM_PRGI_MASK) {
			return CCE_COSIM_E_RANGE;
		}
		if (m->type == CCE_COSIM_PAGE_RESP) {
			if (p->addr || p->flags) {
				return CCE_COSIM_E_RSVD;
			}
			return p->code <= CCE_COSIM_PR_CODE_MAX ? CCE_COSIM_OK : CCE_COSIM_E_RANGE;
		}
		if (p->code) {
			return CCE_COSIM_E_RSVD;
		}
		if (p->flags & ~CCE_COSIM_PR_MASK) {
			return CCE_COSIM_E_RSVD;
		}
		if (!(p->flags & CCE_COSIM_PR_MASK)) {
			return CCE_COSIM_E_RANGE;
		}
		return (p->addr & 4095u) ? CCE_COSIM_E_ALIGN : CCE_COSIM_OK;
	}
	case CCE_COSIM_RESET:
		return m->seq ? CCE_COSIM_OK : CCE_COSIM_E_SEQ;
	case CCE_COSIM_BUS_MASTER:
		if (m->u.bm.rsvd) {
			return CCE_COSIM_E_RSVD;
		}
		if (m->u.bm.enable > 1) {
			return CCE_COSIM_E_RANGE;
		}
		return m->seq ? CCE_COSIM_OK : CCE_COSIM_E_SEQ;
	case CCE_COSIM_DMA_DONE:
		if (m->u.status.req_type) {
			return CCE_COSIM_E_RSVD;
		}
		if (m->u.status.status > CCE_COSIM_DMA_STATUS_MAX) {
			return CCE_COSIM_E_RANGE;
		}
		return m->seq ? CCE_COSIM_OK : CCE_COSIM_E_SEQ;
	case CCE_COSIM_ACK:
		if (m->u.status.status) {
			return CCE_COSIM_E_RSVD;
		}
		if (m->u.status.req_type != CCE_COSIM_ATC_INVAL &&
		    m->u.status.req_type != CCE_COSIM_RESET &&
		    m->u.status.req_type != CCE_COSIM_BUS_MASTER) {
			return CCE_COSIM_E_RANGE;
		}
		return m->seq ? CCE_COSIM_OK : CCE_COSIM_E_SEQ;
	case CCE_COSIM_ATS_REQ:
	case CCE_COSIM_ATS_DONE: {
		const struct cce_cosim_ats *a = &m->u.ats;
		if (a->rsvd) {
			return CCE_COSIM_E_RSVD;
		}
		if (a->pasid > CCE_COSIM_PASID_MASK) {
			return CCE_COSIM_E_RANGE;
		}
		if (m->type == CCE_COSIM_ATS_REQ) {
			if ((a->flags & ~CCE_COSIM_ATS_REQ_MASK) || a->page_shift) {
				return CCE_COSIM_E_RSVD;
			}
			if (a->addr & 4095u) {
				return CCE_COSIM_E_ALIGN;
			}
		} else {
			if (a->flags & ~CCE_COSIM_ATS_DONE_MASK) {
				return CCE_COSIM_E_RSVD;
			}
			if (a->flags & CCE_COSIM_ATS_OK) {
				if (a->page_shift < 12 || a->page_shift > 47) {
					return CCE_COSIM_E_RANGE;
				}
				if (a->addr & ((1ull << a->page_shift) - 1u)) {
					return CCE_COSIM_E_ALIGN;
				}
			} else if (a->addr || a->page_shift || a->flags) {
				return CCE_COSIM_E_RSVD;
			}
		}
		return m->seq ? CCE_COSIM_OK : CCE_COSIM_E_SEQ;
	}
	case CCE_COSIM_DMA_READ:
	case CCE_COSIM_DMA_WRITE: {
		const struct cce_cosim_dma *d = &m->u.dma;
		if (d->rsvd || (d->flags & ~CCE_COSIM_DMA_MASK)) {
			return CCE_COSIM_E_RSVD;
		}
		if (!d->len || d->addr + d->len < d->addr ||
		    d->pasid > CCE_COSIM_PASID_MASK ||
		    (!(d->flags & CCE_COSIM_DMA_PASID) && d->pasid)) {
			return CCE_COSIM_E_RANGE;
		}
		return m->seq ? CCE_COSIM_OK : CCE_COSIM_E_SEQ;
	}
	case CCE_COSIM_MSIX:
		if (m->u.msix.rsvd0 || m->u.msix.rsvd1) {
			return CCE_COSIM_E_RSVD;
		}
		return CCE_COSIM_OK;
	case CCE_COSIM_AER:
		if (m->u.aer.rsvd) {
			return CCE_COSIM_E_RSVD;
		}
		if (m->u.aer.severity > CCE_COSIM_AER_SEVERITY_MAX) {
			return CCE_COSIM_E_RANGE;
		}
		return CCE_COSIM_OK;
	default:
		return CCE_COSIM_E_TYPE;
	}
}

/*
 * A message received by the model (sent by QEMU). num_queues: the model's
 * queue count (bounds BAR2 offsets).
 */
CCE_COSIM_INLINE int cce_cosim_check_to_model(const struct cce_cosim_msg *m, unsigned long len,
					      unsigned num_queues)
{
	int e;

	if (len != CCE_COSIM_MSG_SIZE) {
		return CCE_COSIM_E_SIZE;
	}
	if (m->type < CCE_COSIM_HELLO || m->type > CCE_COSIM_HOST_TYPE_MAX) {
		return CCE_COSIM_E_TYPE;
	}
	e = cce_cosim_check_common(m, len);
	if (e) {
		return e;
	}
	if (m->type == CCE_COSIM_MMIO_READ || m->type == CCE_COSIM_MMIO_WRITE) {
		uint64_t limit = m->u.mmio.bar == 0 ? 0x10000u : (uint64_t)num_queues * 4096u;
		if (m->u.mmio.offset + m->u.mmio.size > limit) {
			return CCE_COSIM_E_RANGE;
		}
	}
	return CCE_COSIM_OK;
}

/*
 * A message received by QEMU (sent by the model). num_vectors: MSI-X
 * vectors of the device; xfer_size: transfer buffer size (0 before the
 * handshake).
 */
CCE_COSIM_INLINE int cce_cosim_check_to_host(const struct cce_cosim_msg *m, unsigned long len,
					     unsigned num_vectors, uint64_t xfer_size)
{
	int e;

	if (len != CCE_COSIM_MSG_SIZE) {
		return CCE_COSIM_E_SIZE;
	}
	if (m->type < CCE_COSIM_HELLO_ACK || m->type > CCE_COSIM_MODEL_TYPE_MAX) {
		return CCE_COSIM_E_TYPE;
	}
	e = cce_cosim_check_common(m, len);
	if (e) {
		return e;
	}
	if (m->type == CCE_COSIM_MSIX && m->u.msix.vector >= num_vectors) {
		return CCE_COSIM_E_RANGE;
	}
	if ((m->type == CCE_COSIM_DMA_READ || m->type == CCE_COSIM_DMA_WRITE) &&
	    m->u.dma.len > xfer_size) {
		return CCE_COSIM_E_RANGE;
	}
	return CCE_COSIM_OK;
}

#endif /* CCE_COSIM_H */
