/* SPDX-License-Identifier: MIT */
/*
 * libcce - user-space library of the CCE crypto/compression accelerator.
 *
 * One API that works with or without the device: a context (cce_ctx) owns
 * at most one hardware queue (/dev/cce-N through uacce, or the in-process
 * engine model of libcce_loopback) plus the software path (zlib, OpenSSL).
 * The backend policy decides which runs a job:
 *
 *   CCE_POLICY_AUTO     the device when one was opened and it can run the
 *                       job (opcode present, size within its limits), else
 *                       software
 *   CCE_POLICY_HW_ONLY  the device or an error (CCE_E_NODEV / CCE_E_NOTSUP)
 *   CCE_POLICY_SW_ONLY  software only
 *   CCE_OPEN_FALLBACK_ON_ERROR (flag): a job that fails on the device with a
 *                       device error (cce_is_device_error()) is run again in
 *                       software; data errors (corrupt input, tag mismatch,
 *                       output too small, bad address) are not retried.
 *   CCE_OPEN_REOPEN (flag): after a device reset (CCE_E_DEV_RESET) the
 *                       library restarts the queue and keeps using the
 *                       device for new and not yet started jobs.
 *
 * Device reset and loss: jobs that were on the hardware queue when the
 * device was reset end with CCE_E_DEV_RESET (device lost: CCE_E_DEV_LOST),
 * or are re-run in software with CCE_OPEN_FALLBACK_ON_ERROR. Without
 * CCE_OPEN_REOPEN (and always after a loss) the context stops using the
 * device: under CCE_POLICY_AUTO later jobs run in software, under
 * CCE_POLICY_HW_ONLY they fail with that error. Nothing is retried on the
 * device automatically except a halted queue's restart: a job is never
 * reported done unless its completion said SUCCESS.
 *
 * Buffers are plain pointers of the process (shared virtual addressing):
 * nothing is pinned or copied; pages need not be resident. A job that fails
 * never reports success: on an error, the output buffer content is
 * undefined.
 *
 * Threads: a cce_ctx is used by one thread at a time (open one per thread).
 * All functions return CCE_OK (0) or a negative CCE_E_* code.
 */
#ifndef CCE_LIBCCE_H
#define CCE_LIBCCE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

enum cce_error {
	CCE_OK = 0,
	/* library / system */
	CCE_E_INVAL = -1,		/* bad argument (NULL, length, key size, ...) */
	CCE_E_NOMEM = -2,		/* out of memory */
	CCE_E_NODEV = -3,		/* no usable device (HW_ONLY) */
	CCE_E_NOTSUP = -4,		/* this backend cannot run the job (HW_ONLY) */
	CCE_E_BUSY = -5,		/* every device queue is in use */
	CCE_E_AGAIN = -6,		/* nothing completed yet (cce_poll, timeout 0) */
	CCE_E_TIMEOUT = -7,		/* cce_poll/cce_wait timed out */
	CCE_E_IO = -8,			/* a system call on the device failed (errno kept) */
	CCE_E_QUEUE_HALTED = -9,	/* the hardware queue halted (queue error); jobs in flight fail */
	/* results of a job (device and software alike) */
	CCE_E_OUTPUT_TOO_SMALL = -10,	/* dst_cap too small (job.dst_len = bytes needed if known) */
	CCE_E_CORRUPT_INPUT = -11,	/* decompress: not a valid stream (also truncated, trailing data) */
	CCE_E_AUTH_FAILED = -12,	/* AES-GCM decrypt: tag mismatch, no plaintext */
	CCE_E_FAULT = -13,		/* the device could not access a buffer: bad pointer (job.fault_addr) */
	CCE_E_INVALID_PARAM = -14,	/* parameters refused (e.g. XTS key1 == key2) */
	/* device errors (cce_is_device_error() is true) */
	CCE_E_DEV_INVALID_DESC = -20,	/* device refused the descriptor (INVALID_DESC) */
	CCE_E_DEV_UNSUPPORTED = -21,	/* opcode not implemented (UNSUPPORTED_OP) */
	CCE_E_DEV_INTERNAL = -22,	/* internal/RAS error during the job (INTERNAL_ERROR) */
	CCE_E_DEV_ABORTED = -23,	/* job aborted by queue stop or reset (ABORTED) */
	CCE_E_DEV_DMA = -24,		/* host refused a DMA access (DMA_ERROR) */
	CCE_E_DEV_UNKNOWN = -25,	/* a completion status this library does not know */
	CCE_E_DEV_RESET = -26,		/* the device was reset (FLR, AER, recovery, hung queue):
					 * the job was on the queue and is lost, not done */
	CCE_E_DEV_LOST = -27		/* the device stopped responding (or was unbound):
					 * no device job will complete any more */
};

/* Text for any CCE_E_* code (never NULL). */
const char *cce_strerror(int err);
/* The CCE_E_* code for a completion status (enum cce_status of cce_hw.h). */
int cce_status_to_error(unsigned status);
/* 1 if err is a device error: FALLBACK_ON_ERROR retries these in software. */
int cce_is_device_error(int err);

/* ---- algorithms (one bit each; also the sysfs "algorithms" names) ------- */

enum cce_alg {
	CCE_ALG_NOP = 1u << 0,		/* "nop" */
	CCE_ALG_MEMCPY = 1u << 1,	/* "memcpy" */
	CCE_ALG_CRC32 = 1u << 2,	/* "crc32" */
	CCE_ALG_CRC32C = 1u << 3,	/* "crc32c" */
	CCE_ALG_DEFLATE = 1u << 4,	/* "deflate" (compress) */
	CCE_ALG_INFLATE = 1u << 5,	/* "inflate" (decompress) */
	CCE_ALG_XTS_ENC = 1u << 6,	/* "xts(aes)-enc" */
	CCE_ALG_XTS_DEC = 1u << 7,	/* "xts(aes)-dec" */
	CCE_ALG_GCM_ENC = 1u << 8,	/* "gcm(aes)-enc" */
	CCE_ALG_GCM_DEC = 1u << 9,	/* "gcm(aes)-dec" */
	CCE_ALG_SHA256 = 1u << 10,	/* "sha256" */
	CCE_ALG_HMAC_SHA256 = 1u << 11	/* "hmac(sha256)" */
};
/* sysfs name of one CCE_ALG_* bit, NULL if not one bit we know. */
const char *cce_alg_name(uint32_t alg);

/* ---- devices (sysfs discovery) ------------------------------------------ */

struct cce_device_info {
	char name[32];			/* "cce-0" */
	char path[96];			/* "/dev/cce-0" */
	char api[16];			/* "cce_v1" */
	char hw_version[16];		/* "1.0" ("" if unknown) */
	char sva[64];			/* "enabled", "unavailable: ..." ("" if unknown) */
	uint32_t algs;			/* CCE_ALG_* from "algorithms" */
	int numa_node;			/* device's NUMA node, -1 if none */
	int available_queues;		/* free hardware queues, -1 if unknown */
	int distance;			/* NUMA distance from the node asked for (10 = local), -1 unknown */
};

/*
 * List the CCE devices under SYSFS_ROOT/class/uacce/cce-* (sysfs_root NULL:
 * $CCE_SYSFS_ROOT or "/sys"; device nodes in $CCE_DEV_ROOT or "/dev"),
 * best first for the request: devices having every bit of required_algs,
 * ordered by NUMA distance from node numa_node (CCE_NUMA_CURRENT: the node
 * of the calling CPU; CCE_NUMA_ANY: ignore NUMA), then most free queues.
 * Devices lacking required_algs are left out. Writes up to max entries,
 * *count = devices found (may exceed max). No device: CCE_OK, *count = 0.
 */
#define CCE_NUMA_CURRENT (-1)
#define CCE_NUMA_ANY (-2)
int cce_list_devices(const char *sysfs_root, uint32_t required_algs, int numa_node,
		     struct cce_device_info *out, size_t max, size_t *count);

/* ---- contexts ----------------------------------------------------------- */

typedef struct cce_ctx cce_ctx;

enum cce_policy {
	CCE_POLICY_AUTO = 0,
	CCE_POLICY_HW_ONLY = 1,
	CCE_POLICY_SW_ONLY = 2
};

#define CCE_OPEN_FALLBACK_ON_ERROR (1u << 0)
#define CCE_OPEN_REOPEN (1u << 1)

struct cce_open_opts {
	int policy;			/* enum cce_policy */
	unsigned flags;			/* CCE_OPEN_* */
	/* Device: NULL = discover (see cce_list_devices); "/dev/cce-N" = that
	 * one; "loopback" = the in-process engine model (libcce_loopback,
	 * after cce_loopback_register()). */
	const char *device;
	uint32_t required_algs;		/* discovery: device must have these (0: any) */
	int numa_node;			/* discovery: CCE_NUMA_CURRENT (0 in a zeroed struct means node 0) */
	const char *sysfs_root;		/* discovery: NULL = default */
	size_t chunk_size;		/* max bytes per descriptor; 0 = device MAX_JOB_LEN */
};
/* Defaults: AUTO, no flags, discover, NUMA of the calling CPU. */
void cce_open_opts_init(struct cce_open_opts *opts);

/* Open a context. opts NULL = defaults. */
int cce_open(const struct cce_open_opts *opts, cce_ctx **ctx);
/* Close: jobs still in flight are waited for (then dropped). NULL is fine. */
void cce_close(cce_ctx *ctx);

/* Where a context's jobs go: "uacce:/dev/cce-0", "loopback", "software". */
const char *cce_backend_name(const cce_ctx *ctx);
/* 1 if the context holds a device queue. */
int cce_has_device(const cce_ctx *ctx);

struct cce_stats {
	uint64_t jobs_hw;		/* jobs completed by the device */
	uint64_t jobs_sw;		/* jobs completed in software (incl. fallbacks) */
	uint64_t fallbacks;		/* device failures retried in software */
	uint64_t descriptors;		/* descriptors submitted to the device */
	uint64_t errors;		/* jobs completed with an error */
	/* device-side counters when the backend can read them (loopback), else UINT64_MAX */
	uint64_t dev_jobs;
	uint64_t dev_page_requests;
	uint64_t dev_translation_faults;
	uint64_t dev_atc_misses;
	uint64_t dev_time_ns;		/* loopback: simulated engine time */
};
int cce_get_stats(const cce_ctx *ctx, struct cce_stats *st);

/* ---- jobs --------------------------------------------------------------- */

enum cce_job_op {
	CCE_JOB_MEMCPY = 1,
	CCE_JOB_CRC32,		/* seed -> crc */
	CCE_JOB_CRC32C,		/* seed -> crc */
	CCE_JOB_COMPRESS,	/* format, level */
	CCE_JOB_DECOMPRESS,	/* format */
	CCE_JOB_XTS_ENC,	/* key (32: AES-128 or 64: AES-256, key1||key2), iv (16-byte tweak), sector_size */
	CCE_JOB_XTS_DEC,
	CCE_JOB_GCM_ENC,	/* key (16/32), iv (1..64), aad, tag (written), tag_len (4, 8, 12..16) */
	CCE_JOB_GCM_DEC,	/* tag (checked) */
	CCE_JOB_SHA256,		/* dst: 32 bytes */
	CCE_JOB_HMAC_SHA256	/* key, dst: 32 bytes */
};

enum cce_format { CCE_FMT_RAW = 0, CCE_FMT_ZLIB = 1, CCE_FMT_GZIP = 2 };

enum cce_path { CCE_PATH_NONE = 0, CCE_PATH_HW = 1, CCE_PATH_SW = 2, CCE_PATH_SW_FALLBACK = 3 };

struct cce_job {
	/* in */
	int op;				/* enum cce_job_op */
	const void *src;
	size_t src_len;
	void *dst;
	size_t dst_cap;			/* bytes available at dst */
	int format;			/* (de)compress: enum cce_format */
	int level;			/* compress: 1..9, 0 = default (6) */
	uint32_t seed;			/* crc: CRC of the preceding data, 0 to start */
	const void *key;
	size_t key_len;
	const void *iv;			/* xts: initial tweak (16 bytes, sector i uses iv + i, LE); gcm: IV */
	size_t iv_len;
	const void *aad;		/* gcm */
	size_t aad_len;
	void *tag;			/* gcm: 16-byte buffer, tag_len bytes used */
	size_t tag_len;
	size_t sector_size;		/* xts: data unit (>= 16); 0 = the whole buffer is one unit */
	void *user_data;		/* untouched */
	/* out (set when the job completes) */
	int status;			/* CCE_OK or CCE_E_* */
	size_t dst_len;			/* bytes written at dst (needed size on OUTPUT_TOO_SMALL, 0 unknown) */
	uint32_t crc;			/* crc result */
	int path;			/* enum cce_path: who ran it */
	uint64_t fault_addr;		/* CCE_E_FAULT / CCE_E_DEV_DMA: failing address */
	unsigned dev_status;		/* raw cce_status of the failing descriptor (0 if none) */
	unsigned dev_detail;		/* its cpl.result (INVALID_DESC / CORRUPT_INPUT reason) */
};

/*
 * Asynchronous: submit a job (the job and its buffers must stay valid until
 * cce_poll returns it), then collect finished jobs. cce_poll waits up to
 * timeout_ms (0: do not wait, -1: forever) for at least one job, sleeping in
 * poll() on the queue file. Returns the number of jobs stored in done[]
 * (>= 1), CCE_E_AGAIN/CCE_E_TIMEOUT when none finished, or another error.
 * A submit error means the job was not queued (its status is set too).
 */
int cce_submit(cce_ctx *ctx, struct cce_job *job);
int cce_poll(cce_ctx *ctx, struct cce_job **done, size_t max, int timeout_ms);
/* Jobs submitted and not yet returned by cce_poll. */
size_t cce_pending(const cce_ctx *ctx);
/* Synchronous: submit, wait for this job, return job->status. Jobs finished
 * meanwhile stay queued for cce_poll. */
int cce_run(cce_ctx *ctx, struct cce_job *job);

/* ---- synchronous helpers (each builds a job and calls cce_run) ---------- */

/* Output bound for compressing len bytes in any format. */
size_t cce_compress_bound(size_t len);
int cce_compress(cce_ctx *ctx, int format, int level, const void *src, size_t len, void *dst,
		 size_t dst_cap, size_t *out_len);
int cce_decompress(cce_ctx *ctx, int format, const void *src, size_t len, void *dst, size_t dst_cap,
		   size_t *out_len);
/* key: key1||key2 (32 or 64 bytes); tweak: 16 bytes; sector_size 0 = one unit. In place allowed. */
int cce_xts(cce_ctx *ctx, int encrypt, const void *key, size_t key_len, const void *tweak,
	    size_t sector_size, const void *src, void *dst, size_t len);
/* Encrypt writes tag[tag_len]; decrypt checks it (CCE_E_AUTH_FAILED). In place allowed. */
int cce_gcm(cce_ctx *ctx, int encrypt, const void *key, size_t key_len, const void *iv, size_t iv_len,
	    const void *aad, size_t aad_len, const void *src, void *dst, size_t len, void *tag,
	    size_t tag_len);
int cce_sha256(cce_ctx *ctx, const void *src, size_t len, uint8_t digest[32]);
int cce_hmac_sha256(cce_ctx *ctx, const void *key, size_t key_len, const void *src, size_t len,
		    uint8_t mac[32]);
/* crc: in = seed (0 to start), out = CRC (zlib crc32() convention). */
int cce_crc32(cce_ctx *ctx, const void *src, size_t len, uint32_t *crc);
int cce_crc32c(cce_ctx *ctx, const void *src, size_t len, uint32_t *crc);
int cce_memcpy(cce_ctx *ctx, void *dst, const void *src, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CCE_LIBCCE_H */
