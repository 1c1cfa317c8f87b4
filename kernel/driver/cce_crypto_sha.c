// SPDX-License-Identifier: GPL-2.0
/*
 * CCE SHA-256 and HMAC-SHA256 for the crypto API (ahash "sha256" and
 * "hmac(sha256)").
 *
 * digest() is one descriptor (FIRST|LAST) on the device, for both.
 *
 * sha256 also streams on the device (hw-spec sec. 11): every update() with
 * data is one SHA256 job (FIRST on the first, then neither flag), final() a
 * LAST job with no data, finup() a LAST job with the data. The engine's
 * 128-byte context lives in the request (and in the exported state) between
 * jobs; each job's bounce buffer carries it in and back. The driver never
 * interprets it, so a hash whose context is on the device (mode DEV) can
 * only be finished on the device: if a job is aborted (reset) or cannot be
 * queued (no device, mapping failed) mid-stream, the job is retried every
 * CCE_SHA_RETRY_MS for up to CCE_SHA_RETRIES times, then the request fails
 * with -EIO (logged): never a wrong digest. A hash that has not yet sent
 * data (mode NEW) and cannot reach the device starts in software instead
 * (mode SW: the fallback tfm's state in the fallback request) and stays
 * there.
 *
 * hmac(sha256) streams the same way (the engine has no HMAC streaming, so
 * the driver builds it from SHA256 jobs): HMAC(K, m) = SHA256((K0 ^ opad) ||
 * SHA256((K0 ^ ipad) || m)). setkey() computes K0 (the key, hashed in
 * software first if longer than a block, zero-padded to 64 bytes) and keeps
 * the K0 ^ ipad and K0 ^ opad blocks in the tfm. The inner hash is the
 * sha256 stream above whose FIRST job starts with the K0 ^ ipad block; when
 * its LAST job completes, its digest replaces the context in the request and
 * the completion queues one more job, the outer hash (FIRST|LAST of K0 ^ opad
 * || inner digest), with the same bounce buffer and the same retry rules.
 * The exported state is the inner stream's, as for sha256 (the key stays in
 * the tfm). digest() stays one HMAC_SHA256 job with the key.
 */
#include <crypto/internal/hash.h>
#include <crypto/scatterwalk.h>
#include <crypto/sha2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "cce_crypto.h"

/* Bounce buffer: param block, digest, then (HMAC) the key, then the data. */
#define CCE_SHA_DIGEST_OFF	64u
#define CCE_SHA_KEY_OFF		128u

/*
 * Streamed jobs: context, digest (LAST), data. An HMAC's first job has the
 * K0 ^ ipad block in front of the data, its outer job K0 ^ opad and the
 * inner digest as data.
 */
#define CCE_SHA_CTX_OFF		0u
#define CCE_SHA_SDIGEST_OFF	CCE_SHA256_CTX_SIZE
#define CCE_SHA_DATA_OFF	(CCE_SHA256_CTX_SIZE + 64u)
/* Largest piece of an update in one job; longer updates take several. */
#define CCE_SHA_CHUNK		SZ_256K
#define CCE_SHA_RETRY_MS	100
#define CCE_SHA_RETRIES		50
/* OPCAP bits: hmac digest() is HMAC_SHA256, its streaming SHA256. */
#define CCE_SHA_OPS		BIT_ULL(CCE_OP_SHA256)
#define CCE_HMAC_OPS		(BIT_ULL(CCE_OP_SHA256) | BIT_ULL(CCE_OP_HMAC_SHA256))

enum cce_sha_mode {
	CCE_SHA_NEW = 0x4e455731,	/* nothing hashed yet */
	CCE_SHA_DEV = 0x44455631,	/* context from the device in ctx[] */
	CCE_SHA_SW = 0x53573031,	/* state in the fallback request */
	/*
	 * A device job failed (not aborted): the state may be half-applied
	 * (an HMAC's inner digest replaced its context), so the request only
	 * fails from now on, until init() or import().
	 */
	CCE_SHA_FAILED = 0x4641494c,
};

struct cce_sha_ctx {
	bool hmac;
	u8 *key;		/* HMAC key, any length (digest()) */
	unsigned int keylen;
	u8 ipad[SHA256_BLOCK_SIZE];	/* K0 ^ 0x36.. (streamed HMAC) */
	u8 opad[SHA256_BLOCK_SIZE];	/* K0 ^ 0x5c.. */
};

/* Exported state: mode, bytes hashed, then device context or fallback state. */
struct cce_sha_export {
	u32 mode;
	u32 rsvd;
	u64 total;
	u8 u[] __aligned(8);
};

/* One device operation in flight (allocated per request operation). */
struct cce_sha_job {
	struct cce_creq creq;
	struct ahash_request *req;
	struct delayed_work retry;
	unsigned int tries;
};

struct cce_sha_rctx {
	u32 mode;
	u64 total;		/* bytes the device hashed (mode DEV) */
	/* The operation in flight (streamed jobs). */
	struct cce_sha_job *job;
	unsigned int nbytes;	/* bytes of req->src in the operation */
	unsigned int off;	/* bytes of req->src done */
	unsigned int chunk;	/* bytes in the job in flight */
	bool last;		/* the operation ends with a LAST job */
	bool outer;		/* HMAC: the outer job is next (or in flight) */
	/* Device context; while @outer: the inner digest. */
	u8 ctx[CCE_SHA256_CTX_SIZE] __aligned(8);
	struct ahash_request fbreq;	/* last: the fallback's context follows */
};

static bool cce_sha_is_hmac(struct crypto_ahash *tfm)
{
	struct cce_sha_ctx *ctx = crypto_ahash_ctx(tfm);

	return ctx->hmac;
}

static int cce_sha_init_tfm(struct crypto_ahash *tfm)
{
	struct cce_sha_ctx *ctx = crypto_ahash_ctx(tfm);
	struct crypto_ahash *fb = crypto_ahash_fb(tfm);
	unsigned int ss;

	ctx->hmac = !strcmp(crypto_ahash_alg_name(tfm), "hmac(sha256)");

	ss = sizeof(struct cce_sha_export) +
	     max_t(unsigned int, CCE_SHA256_CTX_SIZE, crypto_ahash_statesize(fb));
	if (ss > HASH_MAX_STATESIZE)
		return -EINVAL;
	crypto_ahash_set_statesize(tfm, ss);
	crypto_ahash_set_reqsize(tfm, sizeof(struct cce_sha_rctx) +
				 crypto_ahash_reqsize(fb));

	return 0;
}

static void cce_sha_exit_tfm(struct crypto_ahash *tfm)
{
	struct cce_sha_ctx *ctx = crypto_ahash_ctx(tfm);

	kfree_sensitive(ctx->key);
	ctx->key = NULL;
	memzero_explicit(ctx->ipad, sizeof(ctx->ipad));
	memzero_explicit(ctx->opad, sizeof(ctx->opad));
}

static int cce_hmac_setkey(struct crypto_ahash *tfm, const u8 *key,
			   unsigned int keylen)
{
	struct cce_sha_ctx *ctx = crypto_ahash_ctx(tfm);
	u8 k0[SHA256_BLOCK_SIZE] = {};
	u8 *copy = NULL;
	unsigned int i;

	/* The core sets the same key on the fallback after this returns. */
	if (keylen) {
		copy = kmemdup(key, keylen, GFP_KERNEL);
		if (!copy)
			return -ENOMEM;
	}
	kfree_sensitive(ctx->key);
	ctx->key = copy;
	ctx->keylen = keylen;

	/* K0 for the streamed HMAC: RFC 2104, B = 64. */
	if (keylen > SHA256_BLOCK_SIZE)
		sha256(key, keylen, k0);
	else if (keylen)
		memcpy(k0, key, keylen);
	for (i = 0; i < SHA256_BLOCK_SIZE; i++) {
		ctx->ipad[i] = k0[i] ^ 0x36;
		ctx->opad[i] = k0[i] ^ 0x5c;
	}
	memzero_explicit(k0, sizeof(k0));

	return 0;
}

/* The fallback request inside our request context, set up for @req. */
static struct ahash_request *cce_sha_fbreq(struct ahash_request *req,
					   bool may_sleep)
{
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	struct ahash_request *sub = &rctx->fbreq;

	ahash_request_set_tfm(sub, crypto_ahash_fb(crypto_ahash_reqtfm(req)));
	ahash_request_set_callback(sub, may_sleep ?
				   req->base.flags & CRYPTO_TFM_REQ_MAY_SLEEP : 0,
				   NULL, NULL);
	ahash_request_set_crypt(sub, req->src, req->result, req->nbytes);

	return sub;
}

static enum cce_calg cce_sha_calg(struct crypto_ahash *tfm)
{
	return cce_sha_is_hmac(tfm) ? CCE_CALG_HMAC_SHA256 : CCE_CALG_SHA256;
}

/* Software from here on; only before any data went to the device. */
static int cce_sha_to_sw(struct ahash_request *req, bool may_sleep)
{
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);

	rctx->mode = CCE_SHA_SW;
	rctx->total = 0;

	return crypto_ahash_init(cce_sha_fbreq(req, may_sleep));
}

static int cce_sha_init(struct ahash_request *req)
{
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);

	rctx->job = NULL;
	rctx->total = 0;
	rctx->outer = false;
	rctx->mode = CCE_SHA_NEW;

	return 0;
}

/* ---- streamed SHA256 on the device ---- */

static void cce_sha_job_free(struct cce_sha_rctx *rctx)
{
	struct cce_sha_job *job = rctx->job;

	rctx->job = NULL;
	if (!job)
		return;
	cce_creq_free(&job->creq);
	kfree(job);
}

/*
 * A job for @req with a bounce buffer of @len bytes, or NULL (counted as a
 * nomem fallback) if either allocation failed.
 */
static struct cce_sha_job *cce_sha_job_alloc(struct ahash_request *req,
					     enum cce_calg alg, size_t len)
{
	struct cce_sha_job *job;

	job = kzalloc_obj(*job, cce_creq_gfp(&req->base) | __GFP_NOWARN);
	if (!job) {
		cce_crypto_count_fallback(alg, CCE_FB_NOMEM);
		return NULL;
	}
	/* cce_creq_alloc() counts its own failure. */
	if (cce_creq_alloc(&job->creq, &req->base, alg, len)) {
		kfree(job);
		return NULL;
	}
	job->req = req;

	return job;
}

static void cce_sha_step_done(struct cce_kjob *kjob, const struct cce_cpl *cpl);

/* Bounce buffer of a streamed job of up to @n bytes of req->src. */
static size_t cce_sha_job_len(bool hmac, unsigned int n)
{
	if (!hmac)
		return CCE_SHA_DATA_OFF + n;

	return CCE_SHA_DATA_OFF + max(SHA256_BLOCK_SIZE + n,
				      SHA256_BLOCK_SIZE + SHA256_DIGEST_SIZE);
}

/*
 * Fill the bounce buffer for the next piece of the operation (from
 * rctx->off; for an HMAC whose inner hash is done, the outer job) and
 * queue it. Returns what cce_creq_submit() returns.
 */
static int cce_sha_step(struct ahash_request *req)
{
	struct cce_sha_ctx *ctx = crypto_ahash_ctx(crypto_ahash_reqtfm(req));
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	struct cce_creq *r = &rctx->job->creq;
	struct cce_desc *d = &r->job.desc;
	unsigned int n = min(rctx->nbytes - rctx->off, CCE_SHA_CHUNK);
	bool first = rctx->mode == CCE_SHA_NEW;
	bool last = rctx->last && rctx->off + n == rctx->nbytes;
	unsigned int pre = 0;

	memset(d, 0, sizeof(*d));
	r->fixup = NULL;
	d->opcode = CCE_OP_SHA256;
	d->src = CCE_SHA_DATA_OFF;
	d->dst = CCE_SHA_SDIGEST_OFF;
	d->dst_len = SHA256_DIGEST_SIZE;
	if (rctx->outer) {
		/* SHA256((K0 ^ opad) || inner digest), one job. */
		r->has_param = false;
		memcpy(r->buf + CCE_SHA_DATA_OFF, ctx->opad, SHA256_BLOCK_SIZE);
		memcpy(r->buf + CCE_SHA_DATA_OFF + SHA256_BLOCK_SIZE, rctx->ctx,
		       SHA256_DIGEST_SIZE);
		d->flags = CCE_DF_FIRST | CCE_DF_LAST;
		d->src_len = SHA256_BLOCK_SIZE + SHA256_DIGEST_SIZE;
		rctx->chunk = 0;

		return cce_creq_submit(r, d->src_len, cce_sha_step_done);
	}

	r->has_param = !(first && last);
	if (!first)
		memcpy(r->buf + CCE_SHA_CTX_OFF, rctx->ctx, CCE_SHA256_CTX_SIZE);
	if (first && ctx->hmac) {
		/* The inner hash starts with the K0 ^ ipad block. */
		memcpy(r->buf + CCE_SHA_DATA_OFF, ctx->ipad, SHA256_BLOCK_SIZE);
		pre = SHA256_BLOCK_SIZE;
	}
	memcpy_from_sglist(r->buf + CCE_SHA_DATA_OFF + pre, req->src,
			   rctx->off, n);
	d->flags = (first ? CCE_DF_FIRST : 0) | (last ? CCE_DF_LAST : 0);
	d->src_len = pre + n;
	if (!last) {
		d->dst = 0;
		d->dst_len = 0;
	}
	if (r->has_param) {
		d->param = CCE_SHA_CTX_OFF;
		d->param_len = CCE_SHA256_CTX_SIZE;
	}
	rctx->chunk = n;

	return cce_creq_submit(r, d->src_len, cce_sha_step_done);
}

static bool cce_sha_queued(int ret)
{
	return ret == -EINPROGRESS || ret == -EBUSY;
}

/* The rest of the operation in software (mode NEW only: nothing on the device). */
static int cce_sha_sw_op(struct ahash_request *req, bool may_sleep)
{
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	struct ahash_request *sub;
	bool last = rctx->last;
	int ret;

	cce_sha_job_free(rctx);
	ret = cce_sha_to_sw(req, may_sleep);
	if (ret)
		return ret;
	sub = cce_sha_fbreq(req, may_sleep);
	/* final() is a finup() of no data. */
	ahash_request_set_crypt(sub, req->src, req->result, rctx->nbytes);
	if (last)
		return crypto_ahash_finup(sub);

	return crypto_ahash_update(sub);
}

/*
 * A piece could not run (aborted, or not queued): mode NEW goes to
 * software, mode DEV retries later. Returns 0/-errno when the operation is
 * over, -EINPROGRESS when a retry is scheduled.
 */
static int cce_sha_step_failed(struct ahash_request *req, int err,
			       bool may_sleep)
{
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	struct cce_sha_job *job = rctx->job;

	if (rctx->mode == CCE_SHA_NEW)
		return cce_sha_sw_op(req, may_sleep);
	if (job->tries++ < CCE_SHA_RETRIES) {
		schedule_delayed_work(&job->retry,
				      msecs_to_jiffies(CCE_SHA_RETRY_MS));
		return -EINPROGRESS;
	}
	pr_err_ratelimited("cce: sha256: streamed hash could not reach a device for %u ms (%d); request failed\n",
			   CCE_SHA_RETRIES * CCE_SHA_RETRY_MS, err);
	rctx->mode = CCE_SHA_FAILED;
	cce_sha_job_free(rctx);

	return -EIO;
}

/*
 * Queue the next piece; on success -EINPROGRESS/-EBUSY, else the result of
 * the operation (the job is freed then).
 */
static int cce_sha_continue(struct ahash_request *req, bool may_sleep)
{
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	int ret = cce_sha_step(req);

	if (cce_sha_queued(ret))
		return ret;
	cce_creq_unmap(&rctx->job->creq);

	return cce_sha_step_failed(req, ret, may_sleep);
}

static void cce_sha_retry_work(struct work_struct *work)
{
	struct cce_sha_job *job = container_of(to_delayed_work(work),
					       struct cce_sha_job, retry);
	struct ahash_request *req = job->req;
	int ret;

	ret = cce_sha_continue(req, false);
	if (!cce_sha_queued(ret)) {
		local_bh_disable();
		ahash_request_complete(req, ret);
		local_bh_enable();
	}
}

static void cce_sha_step_done(struct cce_kjob *kjob, const struct cce_cpl *cpl)
{
	struct cce_sha_job *job = container_of(kjob, struct cce_sha_job,
					       creq.job);
	struct ahash_request *req = job->req;
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	struct cce_creq *r = &job->creq;
	bool last = kjob->desc.flags & CCE_DF_LAST;
	bool hmac = cce_sha_is_hmac(crypto_ahash_reqtfm(req));
	int err = cce_status_to_errno(r->alg, cpl);

	cce_creq_unmap(r);
	if (err == -EAGAIN) {
		err = cce_sha_step_failed(req, err, false);
		if (err == -EINPROGRESS)
			return;
		goto out;
	}
	if (err) {
		rctx->mode = CCE_SHA_FAILED;
		cce_sha_job_free(rctx);
		goto out;
	}
	rctx->total += rctx->chunk;
	rctx->off += rctx->chunk;
	if (last && hmac && !rctx->outer) {
		/*
		 * Inner hash done: its digest is the outer job's input. The
		 * hash stays DEV (a failed outer job is retried, not redone
		 * in software) until the outer job completes.
		 */
		memcpy(rctx->ctx, r->buf + CCE_SHA_SDIGEST_OFF,
		       SHA256_DIGEST_SIZE);
		rctx->outer = true;
		rctx->mode = CCE_SHA_DEV;
	} else if (last) {
		memcpy(req->result, r->buf + CCE_SHA_SDIGEST_OFF,
		       SHA256_DIGEST_SIZE);
		/* Finished: a new hash needs init() again. */
		rctx->mode = CCE_SHA_NEW;
		rctx->total = 0;
		if (rctx->outer)
			memzero_explicit(rctx->ctx, SHA256_DIGEST_SIZE);
		rctx->outer = false;
	} else {
		memcpy(rctx->ctx, r->buf + CCE_SHA_CTX_OFF, CCE_SHA256_CTX_SIZE);
		rctx->mode = CCE_SHA_DEV;
	}
	if (rctx->outer || (!last && rctx->off < rctx->nbytes)) {
		job->tries = 0;
		err = cce_sha_continue(req, false);
		if (cce_sha_queued(err))
			return;
	} else {
		cce_sha_job_free(rctx);
	}
out:
	ahash_request_complete(req, err);
}

/*
 * Start an update (@last false) or finup (@last true) of @nbytes of
 * req->src on the device.
 */
static int cce_sha_dev_op(struct ahash_request *req, unsigned int nbytes,
			  bool last)
{
	struct crypto_ahash *tfm = crypto_ahash_reqtfm(req);
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	enum cce_calg alg = cce_sha_calg(tfm);
	struct cce_sha_job *job;
	unsigned int n = min(nbytes, CCE_SHA_CHUNK);

	if (rctx->mode == CCE_SHA_FAILED) {
		pr_err_ratelimited("cce: %s: request continued after a failed device job\n",
				   crypto_ahash_driver_name(tfm));
		return -EIO;
	}
	rctx->nbytes = nbytes;
	rctx->off = 0;
	rctx->last = last;
	rctx->outer = false;
	job = cce_sha_job_alloc(req, alg,
				cce_sha_job_len(cce_sha_is_hmac(tfm), n));
	if (!job) {
		if (rctx->mode == CCE_SHA_NEW)
			return cce_sha_sw_op(req, true);
		return -ENOMEM;	/* state unchanged: the caller may retry */
	}
	INIT_DELAYED_WORK(&job->retry, cce_sha_retry_work);
	rctx->job = job;

	return cce_sha_continue(req, true);
}

static int cce_sha_update(struct ahash_request *req)
{
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);

	if (rctx->mode == CCE_SHA_SW)
		return crypto_ahash_update(cce_sha_fbreq(req, true));
	if (!req->nbytes)
		return 0;

	return cce_sha_dev_op(req, req->nbytes, false);
}

static int cce_sha_finup(struct ahash_request *req)
{
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);

	if (rctx->mode == CCE_SHA_SW)
		return crypto_ahash_finup(cce_sha_fbreq(req, true));

	return cce_sha_dev_op(req, req->nbytes, true);
}

static int cce_sha_final(struct ahash_request *req)
{
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);

	if (rctx->mode == CCE_SHA_SW)
		return crypto_ahash_final(cce_sha_fbreq(req, true));

	return cce_sha_dev_op(req, 0, true);
}

static int cce_sha_export(struct ahash_request *req, void *out)
{
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	struct cce_sha_export *e = out;

	e->mode = rctx->mode;
	e->rsvd = 0;
	e->total = rctx->total;
	switch (rctx->mode) {
	case CCE_SHA_SW:
		return crypto_ahash_export(cce_sha_fbreq(req, true), e->u);
	case CCE_SHA_DEV:
		memcpy(e->u, rctx->ctx, CCE_SHA256_CTX_SIZE);
		return 0;
	case CCE_SHA_NEW:
		return 0;
	default:
		return -EINVAL;
	}
}

static int cce_sha_import(struct ahash_request *req, const void *in)
{
	struct crypto_ahash *tfm = crypto_ahash_reqtfm(req);
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	const struct cce_sha_export *e = in;

	rctx->job = NULL;
	rctx->outer = false;
	rctx->total = e->total;
	rctx->mode = e->mode;
	switch (e->mode) {
	case CCE_SHA_SW:
		return crypto_ahash_import(cce_sha_fbreq(req, true), e->u);
	case CCE_SHA_DEV:
		memcpy(rctx->ctx, e->u, CCE_SHA256_CTX_SIZE);
		return 0;
	case CCE_SHA_NEW:
		rctx->total = 0;
		return 0;
	}
	rctx->mode = CCE_SHA_NEW;
	pr_err_ratelimited("cce: %s: import of a state in unknown mode %#x\n",
			   crypto_ahash_driver_name(tfm), e->mode);

	return -EINVAL;
}

/* ---- one-shot digest ---- */

static void cce_sha_done(struct cce_kjob *job, const struct cce_cpl *cpl)
{
	struct cce_sha_job *sj = container_of(job, struct cce_sha_job,
					      creq.job);
	struct cce_creq *r = &sj->creq;
	struct ahash_request *req = sj->req;
	int err = cce_status_to_errno(r->alg, cpl);

	cce_creq_unmap(r);
	if (!err)
		memcpy(req->result, r->buf + CCE_SHA_DIGEST_OFF,
		       SHA256_DIGEST_SIZE);
	cce_creq_free(r);
	kfree(sj);
	if (err == -EAGAIN)
		err = crypto_ahash_digest(cce_sha_fbreq(req, false));

	ahash_request_complete(req, err);
}

static int cce_sha_digest(struct ahash_request *req)
{
	struct crypto_ahash *tfm = crypto_ahash_reqtfm(req);
	struct cce_sha_ctx *ctx = crypto_ahash_ctx(tfm);
	bool hmac = cce_sha_is_hmac(tfm);
	enum cce_calg alg = cce_sha_calg(tfm);
	unsigned int data_off = CCE_SHA_KEY_OFF;
	struct cce_sha_job *sj;
	struct cce_creq *r;
	struct cce_desc *d;
	int ret;

	if (hmac)
		data_off += ALIGN(ctx->keylen, 8);
	if ((size_t)data_off + req->nbytes > CCE_CRYPTO_MAX_BOUNCE) {
		cce_crypto_count_fallback(alg, CCE_FB_UNSUPPORTED);
		return crypto_ahash_digest(cce_sha_fbreq(req, true));
	}
	sj = cce_sha_job_alloc(req, alg, data_off + req->nbytes);
	if (!sj)
		return crypto_ahash_digest(cce_sha_fbreq(req, true));
	r = &sj->creq;

	memcpy_from_sglist(r->buf + data_off, req->src, 0, req->nbytes);
	d = &r->job.desc;
	d->flags = CCE_DF_FIRST | CCE_DF_LAST;
	d->src = data_off;
	d->src_len = req->nbytes;
	d->dst = CCE_SHA_DIGEST_OFF;
	d->dst_len = SHA256_DIGEST_SIZE;
	if (hmac) {
		struct cce_hmac_param *p = r->buf;

		memcpy(r->buf + CCE_SHA_KEY_OFF, ctx->key, ctx->keylen);
		p->key = CCE_SHA_KEY_OFF;
		p->key_len = ctx->keylen;
		r->fixup = &p->key;
		d->opcode = CCE_OP_HMAC_SHA256;
		d->param = 0;
		d->param_len = sizeof(*p);
		r->has_param = true;
	} else {
		d->opcode = CCE_OP_SHA256;
	}

	ret = cce_creq_submit(r, max(req->nbytes, ctx->keylen), cce_sha_done);
	if (ret == -EINPROGRESS || ret == -EBUSY)
		return ret;

	cce_creq_free(r);
	kfree(sj);
	return crypto_ahash_digest(cce_sha_fbreq(req, true));
}

/* sha256-cce-sync, hmac-sha256-cce-sync: digest() waited for. */
static int cce_sha_sync_digest(struct ahash_request *req)
{
	struct cce_sync_wait w;

	if (!cce_sync_begin(&req->base, &w,
			    cce_sha_calg(crypto_ahash_reqtfm(req))))
		return crypto_ahash_digest(cce_sha_fbreq(req, true));

	return cce_sync_end(&req->base, &w, cce_sha_digest(req));
}

/*
 * sha256-cce-sync: update/final/finup waited for. A hash in software stays
 * there; in atomic context (cannot wait) a hash that has not sent data yet
 * goes to software, one whose state is the device's fails (-EAGAIN, logged:
 * that state cannot be finished in software).
 */
static int cce_sha_sync_op(struct ahash_request *req,
			   int (*op)(struct ahash_request *req))
{
	struct crypto_ahash *tfm = crypto_ahash_reqtfm(req);
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	struct cce_sync_wait w;
	int ret;

	if (rctx->mode == CCE_SHA_SW)
		return op(req);
	if (!cce_sync_begin(&req->base, &w, cce_sha_calg(tfm))) {
		if (rctx->mode == CCE_SHA_NEW) {
			ret = cce_sha_to_sw(req, true);
			return ret ?: op(req);
		}
		pr_err_ratelimited("cce: %s: streamed hash continued in atomic context; its state is the device's, request failed\n",
				   crypto_ahash_driver_name(tfm));
		return -EAGAIN;
	}

	return cce_sync_end(&req->base, &w, op(req));
}

static int cce_sha_sync_update(struct ahash_request *req)
{
	return cce_sha_sync_op(req, cce_sha_update);
}

static int cce_sha_sync_final(struct ahash_request *req)
{
	return cce_sha_sync_op(req, cce_sha_final);
}

static int cce_sha_sync_finup(struct ahash_request *req)
{
	return cce_sha_sync_op(req, cce_sha_finup);
}

/*
 * The synchronous variants' request must fit MAX_SYNC_HASH_REQSIZE (the core
 * refuses the tfm otherwise, HASH_REQUEST_ON_STACK users rely on it): struct
 * cce_sha_rctx (bookkeeping, the 128-byte device context and the fallback
 * request, about 330 bytes; the device job itself is allocated per
 * operation) plus the fallback's shash descriptor (sha256 or hmac(sha256)
 * from lib/crypto, up to about 150 bytes) does; say so clearly if a fallback
 * ever needs more.
 */
static int cce_sha_sync_init_tfm(struct crypto_ahash *tfm)
{
	int ret = cce_sha_init_tfm(tfm);

	if (ret)
		return ret;
	if (crypto_ahash_reqsize(tfm) > MAX_SYNC_HASH_REQSIZE) {
		pr_warn_once("cce: %s: request size %u above MAX_SYNC_HASH_REQSIZE (%zu) with fallback %s\n",
			     crypto_ahash_driver_name(tfm),
			     crypto_ahash_reqsize(tfm),
			     (size_t)MAX_SYNC_HASH_REQSIZE,
			     crypto_ahash_driver_name(crypto_ahash_fb(tfm)));
		cce_sha_exit_tfm(tfm);
		return -EINVAL;
	}

	return 0;
}

#define CCE_SHA_ALG(_name, _drv, _setkey, _prio, _flags, _sfx, _init_tfm) \
	{								\
		.init		= cce_sha_init,				\
		.update		= cce_sha##_sfx##update,		\
		.final		= cce_sha##_sfx##final,			\
		.finup		= cce_sha##_sfx##finup,			\
		.digest		= cce_sha##_sfx##digest,		\
		.export		= cce_sha_export,			\
		.import		= cce_sha_import,			\
		.setkey		= _setkey,				\
		.init_tfm	= _init_tfm,				\
		.exit_tfm	= cce_sha_exit_tfm,			\
		.halg = {						\
			.digestsize	= SHA256_DIGEST_SIZE,		\
			.statesize	= HASH_MAX_STATESIZE,		\
			.base = {					\
				.cra_name	 = _name,		\
				.cra_driver_name = _drv,		\
				.cra_priority	 = _prio,		\
				.cra_flags	 = _flags,		\
				.cra_blocksize	 = SHA256_BLOCK_SIZE,	\
				.cra_ctxsize	 = sizeof(struct cce_sha_ctx), \
				.cra_module	 = THIS_MODULE,		\
			},						\
		},							\
	}

#define CCE_SHA_ASYNC_FLAGS	(CRYPTO_ALG_ASYNC | CRYPTO_ALG_KERN_DRIVER_ONLY | \
				 CRYPTO_ALG_NEED_FALLBACK)
/*
 * Synchronous variants (sync_algs=1), for AF_ALG: deliberately without
 * CRYPTO_ALG_KERN_DRIVER_ONLY (see the module parameter); no
 * CRYPTO_ALG_ALLOCATES_MEMORY, as a failed allocation or mapping runs the
 * request in software.
 */
#define CCE_SHA_SYNC_FLAGS	CRYPTO_ALG_NEED_FALLBACK

static struct ahash_alg cce_sha_algs[] = {
	CCE_SHA_ALG("sha256", "sha256-cce", NULL, CCE_CRA_PRIORITY,
		    CCE_SHA_ASYNC_FLAGS, _, cce_sha_init_tfm),
	CCE_SHA_ALG("hmac(sha256)", "hmac-sha256-cce", cce_hmac_setkey,
		    CCE_CRA_PRIORITY, CCE_SHA_ASYNC_FLAGS, _,
		    cce_sha_init_tfm),
	CCE_SHA_ALG("sha256", "sha256-cce-sync", NULL, CCE_CRA_PRIORITY_SYNC,
		    CCE_SHA_SYNC_FLAGS, _sync_,
		    cce_sha_sync_init_tfm),
	CCE_SHA_ALG("hmac(sha256)", "hmac-sha256-cce-sync", cce_hmac_setkey,
		    CCE_CRA_PRIORITY_SYNC, CCE_SHA_SYNC_FLAGS,
		    _sync_, cce_sha_sync_init_tfm),
};

static bool cce_sha_registered[ARRAY_SIZE(cce_sha_algs)];

int cce_sha_register(u64 opcap)
{
	static const u64 ops[] = { CCE_SHA_OPS, CCE_HMAC_OPS,
				   CCE_SHA_OPS, CCE_HMAC_OPS };
	unsigned int i;
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(ops) != ARRAY_SIZE(cce_sha_algs));
	for (i = 0; i < ARRAY_SIZE(cce_sha_algs); i++) {
		if ((opcap & ops[i]) != ops[i])
			continue;
		/* The last two are the synchronous variants. */
		if (i >= 2 && !cce_sync_algs)
			continue;
		ret = crypto_register_ahash(&cce_sha_algs[i]);
		if (ret) {
			cce_sha_unregister();
			return ret;
		}
		cce_sha_registered[i] = true;
	}

	return 0;
}

void cce_sha_unregister(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cce_sha_algs); i++) {
		if (cce_sha_registered[i])
			crypto_unregister_ahash(&cce_sha_algs[i]);
		cce_sha_registered[i] = false;
	}
}
