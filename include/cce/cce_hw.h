/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * cce_hw.h - hardware interface of the CCE crypto/compression engine.
 *
 * This is the datasheet in C: PCI IDs, BAR layout, register offsets and
 * fields, the submission descriptor, the completion entry, parameter blocks,
 * opcodes and status codes. Every layer (Linux driver, QEMU device, SystemC
 * model, libcce, tests) includes this file; none re-declares an offset.
 * docs/hw-spec.md is the prose version.
 *
 * Usable from the Linux kernel, QEMU (C11) and C++: fixed-width types only,
 * no libc calls, static size checks. All multi-byte fields are
 * little-endian in memory and in registers.
 */
#ifndef CCE_HW_H
#define CCE_HW_H

#if defined(__KERNEL__)
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#if defined(__cplusplus)
#define CCE_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define CCE_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

#define CCE_BIT(n)		(1u << (n))
#define CCE_BIT64(n)		(1ull << (n))

/* ------------------------------------------------------------------ */
/* Identity and interface version                                      */
/* ------------------------------------------------------------------ */

#define CCE_PCI_VENDOR_ID	0x1234	/* QEMU/experimental vendor ID */
#define CCE_PCI_DEVICE_ID	0xcce0
#define CCE_PCI_REVISION	0x01
#define CCE_PCI_CLASS		0x1200	/* processing accelerator */

/* Value of CCE_REG_ID: ASCII "CCE1" read as a little-endian word. */
#define CCE_ID_MAGIC		0x31454343u

/*
 * Interface version. Compatibility rule: a MINOR bump only adds (registers
 * in reserved space, opcodes, flags, capability bits, status codes); software
 * written for MAJOR.x works on any MAJOR.y with y >= x and must discover new
 * features from the capability registers. A MAJOR bump may change layouts;
 * software must refuse a major version it does not know.
 */
#define CCE_VERSION_MAJOR	1
#define CCE_VERSION_MINOR	0
#define CCE_VERSION_MAKE(maj, min)	(((uint32_t)(maj) << 16) | (uint32_t)(min))
#define CCE_VERSION_GET_MAJOR(v)	(((v) >> 16) & 0xffffu)
#define CCE_VERSION_GET_MINOR(v)	((v) & 0xffffu)
#define CCE_VERSION		CCE_VERSION_MAKE(CCE_VERSION_MAJOR, CCE_VERSION_MINOR)

/* ------------------------------------------------------------------ */
/* BARs                                                                */
/* ------------------------------------------------------------------ */

/* BAR0: 64 KiB, control registers, per-queue registers, MSI-X. */
#define CCE_BAR0			0
#define CCE_BAR0_SIZE			0x10000u
#define CCE_BAR0_GLOBAL_OFF		0x0000u	/* global registers */
#define CCE_BAR0_QUEUE_OFF		0x1000u	/* per-queue register blocks */
#define CCE_BAR0_QUEUE_STRIDE		0x100u
#define CCE_BAR0_MSIX_TABLE_OFF		0x8000u
#define CCE_BAR0_MSIX_PBA_OFF		0xc000u

/* BAR2: one 4 KiB doorbell page per queue, queue q at q * 4 KiB. */
#define CCE_BAR2			2
#define CCE_DB_PAGE_SIZE		0x1000u
#define CCE_BAR2_SIZE(nq)		((uint64_t)(nq) * CCE_DB_PAGE_SIZE)

/* Offsets inside a queue's doorbell page (32-bit writes). */
#define CCE_DB_SQ_TAIL			0x000u	/* new SQ tail index */
#define CCE_DB_CQ_HEAD			0x004u	/* CQ entries consumed up to */

/* Architectural limits. */
#define CCE_MAX_QUEUES			64u
#define CCE_MIN_QUEUE_ENTRIES		2u
#define CCE_MAX_QUEUE_ENTRIES		4096u	/* power of two */
#define CCE_PASID_BITS			20u
#define CCE_PAGE_SHIFT			12u
#define CCE_PAGE_SIZE			(1u << CCE_PAGE_SHIFT)
#define CCE_RING_ALIGN			64u	/* SQ/CQ base alignment */

/* MSI-X vectors: vector q for queue q's completions, then one for errors. */
#define CCE_MSIX_VECTORS(nq)		((nq) + 1u)
#define CCE_MSIX_ERR_VECTOR(nq)		(nq)

/* ------------------------------------------------------------------ */
/* Global registers (BAR0 + offset). 32-bit unless noted "64".         */
/* ------------------------------------------------------------------ */

#define CCE_REG_ID			0x000u	/* RO: CCE_ID_MAGIC */
#define CCE_REG_VERSION			0x004u	/* RO: CCE_VERSION */
#define CCE_REG_CAP0			0x008u	/* RO: queues, PASID, depth */
#define CCE_REG_FEATURES		0x00cu	/* RO: CCE_FEAT_* */
#define CCE_REG_OPCAP			0x010u	/* RO 64: bit n = opcode n works */
#define CCE_REG_MAX_JOB_LEN		0x018u	/* RO: max src/dst length */
#define CCE_REG_CLOCK_MHZ		0x01cu	/* RO: engine clock */
#define CCE_REG_DATAPATH		0x020u	/* RO: bit per unit, 1 = RTL */
#define CCE_REG_GCTL			0x040u	/* RW: global control */
#define CCE_REG_GSTS			0x044u	/* RO: global status */
#define CCE_REG_INTCFG			0x048u	/* RW: interrupt configuration */
#define CCE_REG_RAS_STATUS		0x060u	/* RW1C: CCE_RAS_* */
#define CCE_REG_RAS_MASK		0x064u	/* RW: 1 = no error interrupt */
#define CCE_REG_RAS_CE_COUNT		0x068u	/* RO: correctable errors */
#define CCE_REG_RAS_UE_COUNT		0x06cu	/* RO: uncorrectable errors */
#define CCE_REG_RAS_ERR_INFO		0x070u	/* RO 64: last error detail */
#define CCE_REG_QERR_SUMMARY		0x078u	/* RO 64: bit q = queue q error */
#define CCE_REG_STAT_JOBS		0x080u	/* RO 64: jobs completed */
#define CCE_REG_STAT_BYTES_IN		0x088u	/* RO 64: source bytes consumed */
#define CCE_REG_STAT_BYTES_OUT		0x090u	/* RO 64: bytes produced */
#define CCE_REG_STAT_PAGE_REQS		0x098u	/* RO 64: PRI page requests */
#define CCE_REG_STAT_ATC_HITS		0x0a0u	/* RO 64 */
#define CCE_REG_STAT_ATC_MISSES		0x0a8u	/* RO 64 */
#define CCE_GLOBAL_REGS_END		0x100u

/* CAP0 fields */
#define CCE_CAP0_NUM_QUEUES(v)		((v) & 0xffu)
#define CCE_CAP0_PASID_BITS(v)		(((v) >> 8) & 0x1fu)
#define CCE_CAP0_MAX_QDEPTH_LOG2(v)	(((v) >> 16) & 0xfu)
#define CCE_CAP0_MAKE(nq, pasid_bits, depth_log2) \
	(((uint32_t)(nq) & 0xffu) | (((uint32_t)(pasid_bits) & 0x1fu) << 8) | \
	 (((uint32_t)(depth_log2) & 0xfu) << 16))

/* FEATURES bits */
#define CCE_FEAT_PASID			CCE_BIT(0)	/* per-queue PASID */
#define CCE_FEAT_ATS			CCE_BIT(1)	/* device ATC via ATS */
#define CCE_FEAT_PRI			CCE_BIT(2)	/* page requests */
#define CCE_FEAT_IRQ_COALESCE		CCE_BIT(3)
#define CCE_FEAT_STREAMING		CCE_BIT(4)	/* multi-descriptor context */
#define CCE_FEAT_RAS			CCE_BIT(5)

/* DATAPATH bits: 1 = that unit runs its RTL core (rtl-model/rtl) */
#define CCE_DP_UNIT_CRC			CCE_BIT(0)	/* CRC32, CRC32C */
#define CCE_DP_UNIT_AES			CCE_BIT(1)	/* AES block cipher of XTS, GCM */
#define CCE_DP_UNIT_SHA			CCE_BIT(2)	/* SHA-256 compression (SHA, HMAC) */
#define CCE_DP_UNIT_LZ77		CCE_BIT(3)	/* LZ77 match finder (COMPRESS) */
#define CCE_DP_UNIT_ALL			0xfu

/* GCTL bits */
#define CCE_GCTL_ENABLE			CCE_BIT(0)	/* engine accepts work */
#define CCE_GCTL_RESET			CCE_BIT(1)	/* self-clearing function reset */

/* GSTS bits */
#define CCE_GSTS_READY			CCE_BIT(0)	/* enabled and not resetting */
#define CCE_GSTS_RESETTING		CCE_BIT(1)
#define CCE_GSTS_QUIESCED		CCE_BIT(2)	/* no job in flight, no DMA */
#define CCE_GSTS_FATAL			CCE_BIT(3)	/* uncorrectable error latched */

/* INTCFG bits */
#define CCE_INTCFG_ERR_IRQ_EN		CCE_BIT(0)	/* error vector enabled */

/* RAS_STATUS bits (also RAS_MASK) */
#define CCE_RAS_CE_INTERNAL		CCE_BIT(0)	/* corrected internal error */
#define CCE_RAS_UE_INTERNAL		CCE_BIT(1)	/* uncorrectable internal error */
#define CCE_RAS_QUEUE_ERROR		CCE_BIT(2)	/* see QERR_SUMMARY */
#define CCE_RAS_DMA_ERROR		CCE_BIT(3)	/* host bus error on DMA */

/* ------------------------------------------------------------------ */
/* Per-queue registers: BAR0 + CCE_QREG(q, reg).                       */
/* ------------------------------------------------------------------ */

#define CCE_QREG(q, reg)	(CCE_BAR0_QUEUE_OFF + (uint32_t)(q) * CCE_BAR0_QUEUE_STRIDE + (reg))

#define CCE_Q_SQ_BASE			0x00u	/* RW 64: SQ IOVA, 64 B aligned */
#define CCE_Q_CQ_BASE			0x08u	/* RW 64: CQ IOVA, 64 B aligned */
#define CCE_Q_SQ_SIZE			0x10u	/* RW: SQ entries, power of 2 */
#define CCE_Q_CQ_SIZE			0x14u	/* RW: CQ entries, power of 2 */
#define CCE_Q_PASID			0x18u	/* RW: CCE_QPASID_* */
#define CCE_Q_CTRL			0x1cu	/* RW: CCE_QCTRL_* */
#define CCE_Q_STATUS			0x20u	/* RO: CCE_QSTS_* */
#define CCE_Q_ERR			0x24u	/* RW1C: CCE_QERR_* */
#define CCE_Q_SQ_HEAD			0x28u	/* RO: next SQ index to fetch */
#define CCE_Q_SQ_TAIL			0x2cu	/* RO: last doorbell value */
#define CCE_Q_CQ_TAIL			0x30u	/* RO: next CQ index to write */
#define CCE_Q_CQ_HEAD			0x34u	/* RO: last CQ head doorbell */
#define CCE_Q_IRQ			0x38u	/* RW: CCE_QIRQ_* */
#define CCE_Q_MSIX_VEC			0x3cu	/* RW: completion vector */
#define CCE_Q_STAT_JOBS			0x40u	/* RO 64: jobs completed */
#define CCE_Q_STAT_ERRORS		0x48u	/* RO 64: non-success completions */
#define CCE_Q_STAT_DMA_BYTES		0x50u	/* RO 64: bytes this queue's DMA moved */
#define CCE_Q_REGS_END			0x58u

/* Q_PASID */
#define CCE_QPASID_PASID_MASK		0x000fffffu
#define CCE_QPASID_EN			CCE_BIT(31)	/* DMA tagged with PASID */

/* Q_CTRL */
#define CCE_QCTRL_ENABLE		CCE_BIT(0)
#define CCE_QCTRL_DRAIN			CCE_BIT(1)	/* finish submitted, take no more */
#define CCE_QCTRL_ABORT			CCE_BIT(2)	/* complete the rest with ABORTED */
#define CCE_QCTRL_PRI_EN		CCE_BIT(3)	/* page request on a not-present page */
#define CCE_QCTRL_RW_MASK		(CCE_QCTRL_ENABLE | CCE_QCTRL_DRAIN | \
					 CCE_QCTRL_ABORT | CCE_QCTRL_PRI_EN)

/* Q_STATUS */
#define CCE_QSTS_ENABLED		CCE_BIT(0)
#define CCE_QSTS_IDLE			CCE_BIT(1)	/* nothing fetched or in flight */
#define CCE_QSTS_ERROR			CCE_BIT(2)	/* halted on a CCE_QERR_* */
#define CCE_QSTS_DRAINED		CCE_BIT(3)	/* drain/abort finished */
#define CCE_QSTS_CQ_FULL		CCE_BIT(4)	/* stalled on CQ space */
#define CCE_QSTS_PAGE_WAIT		CCE_BIT(5)	/* waiting for a page response */

/* Q_ERR: queue-level errors halt the queue (ERROR) until it is disabled. */
#define CCE_QERR_DB_OUT_OF_RANGE	CCE_BIT(0)	/* SQ tail >= SQ size */
#define CCE_QERR_CQ_DB_OUT_OF_RANGE	CCE_BIT(1)	/* CQ head >= CQ size */
#define CCE_QERR_BAD_CONFIG		CCE_BIT(2)	/* enable with bad base/size */
#define CCE_QERR_SQ_FETCH		CCE_BIT(3)	/* descriptor fetch failed */
#define CCE_QERR_CQ_WRITE		CCE_BIT(4)	/* completion write failed */
#define CCE_QERR_DISABLED_DB		CCE_BIT(5)	/* doorbell while disabled */

/* Q_IRQ: completion interrupt moderation */
#define CCE_QIRQ_EN			CCE_BIT(31)
#define CCE_QIRQ_COUNT(v)		((v) & 0xffu)		/* 0,1: every one */
#define CCE_QIRQ_TIMER_US(v)		(((v) >> 8) & 0xffffu)	/* 0: no timer */
#define CCE_QIRQ_MAKE(count, timer_us) \
	(CCE_QIRQ_EN | ((uint32_t)(count) & 0xffu) | \
	 (((uint32_t)(timer_us) & 0xffffu) << 8))

/* ------------------------------------------------------------------ */
/* Opcodes                                                             */
/* ------------------------------------------------------------------ */

enum cce_opcode {
	CCE_OP_NOP		= 0x00,
	CCE_OP_MEMCPY		= 0x01,
	CCE_OP_CRC32		= 0x02,	/* gzip polynomial, reflected */
	CCE_OP_CRC32C		= 0x03,	/* Castagnoli */
	CCE_OP_COMPRESS		= 0x10,	/* deflate; CCE_CF_* format */
	CCE_OP_DECOMPRESS	= 0x11,	/* inflate; CCE_CF_* format */
	CCE_OP_AES_XTS_ENC	= 0x20,
	CCE_OP_AES_XTS_DEC	= 0x21,
	CCE_OP_AES_GCM_ENC	= 0x22,
	CCE_OP_AES_GCM_DEC	= 0x23,
	CCE_OP_SHA256		= 0x30,
	CCE_OP_HMAC_SHA256	= 0x31,
	CCE_OP_MAX		= 0x3f	/* opcodes are < 64 (OPCAP bitmap) */
};

/* ------------------------------------------------------------------ */
/* Submission descriptor: 64 bytes, SQ entry                           */
/* ------------------------------------------------------------------ */

/* desc.flags */
#define CCE_DF_IRQ		CCE_BIT(0)	/* interrupt on completion */
#define CCE_DF_FENCE		CCE_BIT(1)	/* start after earlier jobs end */
#define CCE_DF_FIRST		CCE_BIT(2)	/* streaming: first chunk */
#define CCE_DF_LAST		CCE_BIT(3)	/* streaming: last chunk */
#define CCE_DF_VALID_MASK	0x0fu

/* desc.op_flags for COMPRESS / DECOMPRESS */
#define CCE_CF_FMT_RAW		0x0u	/* RFC 1951 */
#define CCE_CF_FMT_ZLIB		0x1u	/* RFC 1950 */
#define CCE_CF_FMT_GZIP		0x2u	/* RFC 1952 */
#define CCE_CF_FMT(v)		((v) & 0x3u)
#define CCE_CF_LEVEL(v)		(((v) >> 4) & 0xfu)	/* 1 fast .. 9 best, 0 default */
#define CCE_CF_WBITS(v)		(((v) >> 8) & 0xfu)	/* window 2^wbits, 9..15; 0 = 15 */
#define CCE_CF_MAKE(fmt, level)	(((uint32_t)(fmt) & 0x3u) | (((uint32_t)(level) & 0xfu) << 4))
#define CCE_CF_MAKE_W(fmt, level, wbits) \
	(CCE_CF_MAKE(fmt, level) | (((uint32_t)(wbits) & 0xfu) << 8))
#define CCE_CF_VALID_MASK	0xff3u

/* desc.op_flags for AES */
#define CCE_AF_KEY_128		0x0u
#define CCE_AF_KEY_256		0x1u
#define CCE_AF_KEY(v)		((v) & 0x1u)
#define CCE_AF_VALID_MASK	0x1u

struct cce_desc {
	uint8_t  opcode;	/* enum cce_opcode */
	uint8_t  flags;		/* CCE_DF_* */
	uint16_t rsvd0;		/* must be 0 */
	uint32_t op_flags;	/* per-opcode flags (CCE_CF_*, CCE_AF_*) */
	uint64_t src;		/* source IOVA (PASID space if enabled) */
	uint64_t dst;		/* destination IOVA */
	uint32_t src_len;	/* bytes */
	uint32_t dst_len;	/* destination buffer size, bytes */
	uint64_t param;		/* IOVA of the parameter block, or 0 */
	uint32_t param_len;	/* bytes of the parameter block */
	uint32_t seed;		/* CRC seed (previous CRC value) */
	uint64_t cookie;	/* opaque, echoed in the completion */
	uint64_t rsvd1;		/* must be 0 */
};

#define CCE_DESC_SIZE		64u

/* ------------------------------------------------------------------ */
/* Completion entry: 32 bytes, CQ entry                                */
/* ------------------------------------------------------------------ */

/* cpl.flags */
#define CCE_CPL_PHASE		CCE_BIT(0)	/* flips on every CQ wrap */
#define CCE_CPL_EOS		CCE_BIT(1)	/* DECOMPRESS: end of stream seen */

struct cce_cpl {
	uint64_t cookie;	/* desc.cookie */
	uint64_t fault_addr;	/* TRANSLATION_FAULT / DMA_ERROR: the IOVA */
	uint32_t bytes_consumed;/* source bytes processed */
	uint32_t bytes_produced;/* destination bytes written */
	uint32_t result;	/* CRC/checksum; needed size; error detail */
	uint16_t sq_head;	/* SQ head after this job: slots free up to here */
	uint8_t  status;	/* enum cce_status */
	uint8_t  flags;		/* CCE_CPL_PHASE; written last */
};

#define CCE_CPL_SIZE		32u

/*
 * The device starts each CQ with phase 1: an entry is new when its phase
 * equals the consumer's expected phase, which starts at 1 and flips each
 * time the consumer wraps. Software zeroes the CQ before enabling a queue.
 */

/* ------------------------------------------------------------------ */
/* Status codes (cpl.status)                                           */
/* ------------------------------------------------------------------ */

enum cce_status {
	CCE_ST_SUCCESS		= 0x00,
	CCE_ST_INVALID_DESC	= 0x01,	/* result = CCE_INVD_* */
	CCE_ST_UNSUPPORTED_OP	= 0x02,	/* opcode not in OPCAP */
	CCE_ST_TRANSLATION_FAULT= 0x03,	/* fault_addr, bytes_* done: resumable */
	CCE_ST_OUTPUT_TOO_SMALL	= 0x04,	/* result = bytes needed (0 = unknown) */
	CCE_ST_CORRUPT_INPUT	= 0x05,	/* result = CCE_CORRUPT_* */
	CCE_ST_INTERNAL_ERROR	= 0x06,	/* RAS error during the job */
	CCE_ST_ABORTED		= 0x07,	/* by drain-abort or reset */
	CCE_ST_DMA_ERROR	= 0x08,	/* host refused the access; fault_addr */
	CCE_ST_INVALID_PARAM	= 0x09,	/* parameter block content invalid */
	CCE_ST_AUTH_FAILED	= 0x0a,	/* GCM tag mismatch: no plaintext kept */
	CCE_ST_MAX		= 0x0a
};

/* cpl.result detail for CCE_ST_INVALID_DESC: which check failed. */
enum cce_invd_reason {
	CCE_INVD_OPCODE		= 1,	/* opcode >= 64 or reserved value */
	CCE_INVD_FLAGS		= 2,	/* unknown bit in flags */
	CCE_INVD_OP_FLAGS	= 3,	/* unknown bit in op_flags */
	CCE_INVD_RSVD		= 4,	/* reserved field not zero */
	CCE_INVD_LENGTH		= 5,	/* length over MAX_JOB_LEN or illegal */
	CCE_INVD_ADDR_WRAP	= 6,	/* address + length overflows 2^64 */
	CCE_INVD_OVERLAP	= 7,	/* source and destination overlap */
	CCE_INVD_PARAM		= 8,	/* param missing, misaligned or size */
	CCE_INVD_ALIGN		= 9	/* buffer misaligned for the opcode */
};

/* cpl.result detail for CCE_ST_CORRUPT_INPUT. */
enum cce_corrupt_reason {
	CCE_CORRUPT_TRUNCATED	= 1,
	CCE_CORRUPT_BLOCK_TYPE	= 2,
	CCE_CORRUPT_HUFFMAN	= 3,
	CCE_CORRUPT_DISTANCE	= 4,
	CCE_CORRUPT_STORED_LEN	= 5,
	CCE_CORRUPT_HEADER	= 6,	/* zlib/gzip header */
	CCE_CORRUPT_CHECKSUM	= 7,	/* zlib/gzip trailer */
	CCE_CORRUPT_TRAILING	= 8	/* data after the end of stream */
};

/* ------------------------------------------------------------------ */
/* Parameter blocks (desc.param), 8-byte aligned in host memory        */
/* ------------------------------------------------------------------ */

#define CCE_PARAM_ALIGN		8u

/* AES-XTS: key1 encrypts data, key2 encrypts the tweak (IEEE 1619). */
struct cce_xts_param {
	uint8_t key1[32];	/* first 16 bytes used with CCE_AF_KEY_128 */
	uint8_t key2[32];
	uint8_t tweak[16];	/* initial tweak (e.g. sector number, LE) */
};

/* AES-GCM. The tag is written (ENC) or checked (DEC) in this block. */
struct cce_gcm_param {
	uint8_t  key[32];
	uint8_t  iv[64];	/* iv_len bytes used */
	uint64_t aad;		/* IOVA of additional authenticated data */
	uint32_t aad_len;
	uint32_t iv_len;	/* 1..64; 12 is the fast path */
	uint32_t tag_len;	/* 4, 8, 12..16 */
	uint32_t rsvd;
	uint8_t  tag[16];
};

/* HMAC-SHA256: the key is read from host memory, any length. */
struct cce_hmac_param {
	uint64_t key;		/* IOVA of the key */
	uint32_t key_len;
	uint32_t rsvd;
};

/*
 * Streaming context (COMPRESS, DECOMPRESS, SHA256 with FIRST/LAST not both
 * set): desc.param points at a context buffer the engine saves its state to
 * at the end of a chunk and restores from at the start of the next. Software
 * allocates it, does not interpret it, and keeps it until LAST completes.
 */
#define CCE_STREAM_CTX_SIZE	(64u * 1024u + 4096u)	/* COMPRESS, DECOMPRESS */
#define CCE_SHA256_CTX_SIZE	128u			/* SHA256 */

/* Output of SHA256 / HMAC_SHA256 (LAST descriptor): the digest at dst. */
#define CCE_SHA256_DIGEST_SIZE	32u

/* ------------------------------------------------------------------ */
/* Static layout checks                                                */
/* ------------------------------------------------------------------ */

#define CCE_OFFSETOF(t, f)	__builtin_offsetof(t, f)

CCE_STATIC_ASSERT(sizeof(struct cce_desc) == CCE_DESC_SIZE, "descriptor is 64 bytes");
CCE_STATIC_ASSERT(CCE_OFFSETOF(struct cce_desc, src) == 8, "desc.src");
CCE_STATIC_ASSERT(CCE_OFFSETOF(struct cce_desc, param) == 32, "desc.param");
CCE_STATIC_ASSERT(CCE_OFFSETOF(struct cce_desc, cookie) == 48, "desc.cookie");
CCE_STATIC_ASSERT(sizeof(struct cce_cpl) == CCE_CPL_SIZE, "completion is 32 bytes");
CCE_STATIC_ASSERT(CCE_OFFSETOF(struct cce_cpl, status) == 30, "cpl.status");
CCE_STATIC_ASSERT(CCE_OFFSETOF(struct cce_cpl, flags) == 31, "cpl.flags is last");
CCE_STATIC_ASSERT(sizeof(struct cce_xts_param) == 80, "xts param");
CCE_STATIC_ASSERT(sizeof(struct cce_gcm_param) == 136, "gcm param");
CCE_STATIC_ASSERT(sizeof(struct cce_hmac_param) == 16, "hmac param");
CCE_STATIC_ASSERT(CCE_BAR0_QUEUE_OFF + CCE_MAX_QUEUES * CCE_BAR0_QUEUE_STRIDE <=
		  CCE_BAR0_MSIX_TABLE_OFF, "queue registers fit below MSI-X");
CCE_STATIC_ASSERT(CCE_Q_REGS_END <= CCE_BAR0_QUEUE_STRIDE, "queue block fits");
CCE_STATIC_ASSERT(CCE_MAX_QUEUES * 16u + 16u <= CCE_BAR0_MSIX_PBA_OFF - CCE_BAR0_MSIX_TABLE_OFF,
		  "MSI-X table fits");

#endif /* CCE_HW_H */
