/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CCE crypto API glue: what the algorithm files share.
 */
#ifndef _CCE_CRYPTO_H_
#define _CCE_CRYPTO_H_

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/crypto.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "cce.h"

/* Above the generic C (100) and x86 assembler (200..400) implementations. */
#define CCE_CRA_PRIORITY	1000
/*
 * The synchronous variants (module parameter sync_algs): below the async
 * ones, so async users (dm-crypt, zswap) keep those, above any software
 * implementation, so a user that masks CRYPTO_ALG_ASYNC (AF_ALG) gets them.
 */
#define CCE_CRA_PRIORITY_SYNC	900

/*
 * Largest request the driver bounces through one contiguous buffer; bigger
 * ones (and anything above the device's MAX_JOB_LEN) go to the fallback.
 */
#define CCE_CRYPTO_MAX_BOUNCE	SZ_1M

/* Where the parameter block sits in a bounce buffer; data follows it. */
#define CCE_BOUNCE_PARAM_SIZE	256u

enum cce_calg {
	CCE_CALG_XTS,
	CCE_CALG_GCM,
	CCE_CALG_SHA256,
	CCE_CALG_HMAC_SHA256,
	CCE_CALG_DEFLATE,
	CCE_CALG_NR
};

/**
 * struct cce_creq - the device part of one crypto request
 * @job: descriptor and completion on a kernel queue
 * @areq: the crypto API request (for backlog notifications)
 * @alg: which algorithm, for the statistics
 * @dev: device the bounce buffer is mapped for
 * @buf: contiguous bounce buffer: parameter block, then data
 * @dma: DMA address of @buf
 * @len: size of @buf
 * @has_param: desc.param is an offset into @buf (else no parameter block)
 * @fixup: a u64 in @buf that holds an offset into @buf and must hold the
 *	DMA address instead (an address inside the parameter block), or NULL
 */
struct cce_creq {
	struct cce_kjob job;
	struct crypto_async_request *areq;
	enum cce_calg alg;
	struct device *dev;
	void *buf;
	dma_addr_t dma;
	size_t len;
	bool has_param;
	u64 *fixup;
};

/* Why a request did not run on the device. */
enum cce_fb_reason {
	CCE_FB_UNSUPPORTED,	/* key size, length or mode the engine lacks */
	CCE_FB_BUSY,		/* queue full, caller cannot wait */
	CCE_FB_NODEV,		/* no device (removed, reset, not probed) */
	CCE_FB_NOMEM,		/* bounce buffer allocation failed */
	CCE_FB_ABORTED,		/* the device aborted the job */
	CCE_FB_PARTIAL,		/* ahash init/update/final/export path */
	CCE_FB_ATOMIC,		/* sync variant called in atomic context */
	CCE_FB_NR
};

/*
 * A synchronous (*-cce-sync) request: the caller's callback is parked here
 * while the async implementation runs with cce_sync_done() as callback.
 */
struct cce_sync_wait {
	struct completion done;
	int err;
	crypto_completion_t complete;
	void *data;
	u32 flags;
};

extern bool cce_sync_algs;

bool cce_sync_begin(struct crypto_async_request *base, struct cce_sync_wait *w,
		    enum cce_calg alg);
int cce_sync_end(struct crypto_async_request *base, struct cce_sync_wait *w,
		 int ret);

gfp_t cce_creq_gfp(struct crypto_async_request *areq);
int cce_creq_alloc(struct cce_creq *r, struct crypto_async_request *areq,
		   enum cce_calg alg, size_t len);
int cce_creq_submit(struct cce_creq *r, u32 data_len,
		    void (*complete)(struct cce_kjob *job,
				     const struct cce_cpl *cpl));
void cce_creq_unmap(struct cce_creq *r);
void cce_creq_free(struct cce_creq *r);
int cce_status_to_errno(enum cce_calg alg, const struct cce_cpl *cpl);
void cce_crypto_count_fallback(enum cce_calg alg, enum cce_fb_reason why);
void cce_crypto_count_device(enum cce_calg alg);

/* Algorithm files. */
int cce_aes_register(u64 opcap);
void cce_aes_unregister(void);
int cce_sha_register(u64 opcap);
void cce_sha_unregister(void);
int cce_comp_register(u64 opcap);
void cce_comp_unregister(void);

#endif /* _CCE_CRYPTO_H_ */
