// SPDX-License-Identifier: GPL-2.0
/*
 * CCE SHA-256 and HMAC-SHA256 for the crypto API (ahash "sha256" and
 * "hmac(sha256)").
 *
 * A one-shot digest() is one descriptor on the device. The incremental interface (init,
 * update, final, export, import) runs on the fallback tfm the crypto core
 * allocates for every async ahash (crypto_ahash_fb()), whose state lives in
 * the request context, so export/import are the generic format. Why not the
 * engine's streamed SHA-256: its context is opaque and would have to be
 * exported through the DMA path on every export(), and HMAC is one
 * descriptor per message in interface 1.0 anyway.
 */
#include <crypto/internal/hash.h>
#include <crypto/scatterwalk.h>
#include <crypto/sha2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "cce_crypto.h"

/* Bounce buffer: param block, digest, then (HMAC) the key, then the data. */
#define CCE_SHA_DIGEST_OFF	64u
#define CCE_SHA_KEY_OFF		128u

struct cce_sha_ctx {
	bool hmac;
	u8 *key;		/* HMAC key, any length */
	unsigned int keylen;
};

struct cce_sha_rctx {
	struct cce_creq creq;
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

	ctx->hmac = !strcmp(crypto_ahash_alg_name(tfm), "hmac(sha256)");

	if (crypto_ahash_statesize(fb) > HASH_MAX_STATESIZE)
		return -EINVAL;
	crypto_ahash_set_statesize(tfm, crypto_ahash_statesize(fb));
	crypto_ahash_set_reqsize(tfm, sizeof(struct cce_sha_rctx) +
				 crypto_ahash_reqsize(fb));

	return 0;
}

static void cce_sha_exit_tfm(struct crypto_ahash *tfm)
{
	struct cce_sha_ctx *ctx = crypto_ahash_ctx(tfm);

	kfree_sensitive(ctx->key);
	ctx->key = NULL;
}

static int cce_hmac_setkey(struct crypto_ahash *tfm, const u8 *key,
			   unsigned int keylen)
{
	struct cce_sha_ctx *ctx = crypto_ahash_ctx(tfm);
	u8 *copy = NULL;

	/* The core sets the same key on the fallback after this returns. */
	if (keylen) {
		copy = kmemdup(key, keylen, GFP_KERNEL);
		if (!copy)
			return -ENOMEM;
	}
	kfree_sensitive(ctx->key);
	ctx->key = copy;
	ctx->keylen = keylen;

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

static int cce_sha_init(struct ahash_request *req)
{
	cce_crypto_count_fallback(cce_sha_calg(crypto_ahash_reqtfm(req)),
				  CCE_FB_PARTIAL);

	return crypto_ahash_init(cce_sha_fbreq(req, true));
}

static int cce_sha_update(struct ahash_request *req)
{
	return crypto_ahash_update(cce_sha_fbreq(req, true));
}

static int cce_sha_final(struct ahash_request *req)
{
	return crypto_ahash_final(cce_sha_fbreq(req, true));
}

static int cce_sha_finup(struct ahash_request *req)
{
	return crypto_ahash_finup(cce_sha_fbreq(req, true));
}

static int cce_sha_export(struct ahash_request *req, void *out)
{
	return crypto_ahash_export(cce_sha_fbreq(req, true), out);
}

static int cce_sha_import(struct ahash_request *req, const void *in)
{
	return crypto_ahash_import(cce_sha_fbreq(req, true), in);
}

static void cce_sha_done(struct cce_kjob *job, const struct cce_cpl *cpl)
{
	struct cce_creq *r = container_of(job, struct cce_creq, job);
	struct cce_sha_rctx *rctx = container_of(r, struct cce_sha_rctx, creq);
	struct ahash_request *req = container_of((void *)rctx,
						 struct ahash_request, __ctx);
	int err = cce_status_to_errno(r->alg, cpl);

	cce_creq_unmap(r);
	if (!err)
		memcpy(req->result, r->buf + CCE_SHA_DIGEST_OFF,
		       SHA256_DIGEST_SIZE);
	cce_creq_free(r);
	if (err == -EAGAIN)
		err = crypto_ahash_digest(cce_sha_fbreq(req, false));

	ahash_request_complete(req, err);
}

static int cce_sha_digest(struct ahash_request *req)
{
	struct crypto_ahash *tfm = crypto_ahash_reqtfm(req);
	struct cce_sha_ctx *ctx = crypto_ahash_ctx(tfm);
	struct cce_sha_rctx *rctx = ahash_request_ctx(req);
	struct cce_creq *r = &rctx->creq;
	bool hmac = cce_sha_is_hmac(tfm);
	enum cce_calg alg = hmac ? CCE_CALG_HMAC_SHA256 : CCE_CALG_SHA256;
	unsigned int data_off = CCE_SHA_KEY_OFF;
	struct cce_desc *d;
	int ret;

	if (hmac)
		data_off += ALIGN(ctx->keylen, 8);
	if ((size_t)data_off + req->nbytes > CCE_CRYPTO_MAX_BOUNCE) {
		cce_crypto_count_fallback(alg, CCE_FB_UNSUPPORTED);
		return crypto_ahash_digest(cce_sha_fbreq(req, true));
	}
	if (cce_creq_alloc(r, &req->base, alg, data_off + req->nbytes))
		return crypto_ahash_digest(cce_sha_fbreq(req, true));

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
 * The synchronous variants' request must fit MAX_SYNC_HASH_REQSIZE (the core
 * refuses the tfm otherwise, HASH_REQUEST_ON_STACK users rely on it): struct
 * cce_sha_rctx (about 350 bytes) plus the fallback's shash descriptor (sha256
 * or hmac(sha256) from lib/crypto, up to about 150 bytes) does, by some 30
 * bytes; say so clearly if a fallback ever needs more.
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

#define CCE_SHA_ALG(_name, _drv, _setkey, _prio, _flags, _digest, _init_tfm) \
	{								\
		.init		= cce_sha_init,				\
		.update		= cce_sha_update,			\
		.final		= cce_sha_final,			\
		.finup		= cce_sha_finup,			\
		.digest		= _digest,				\
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
		    CCE_SHA_ASYNC_FLAGS, cce_sha_digest, cce_sha_init_tfm),
	CCE_SHA_ALG("hmac(sha256)", "hmac-sha256-cce", cce_hmac_setkey,
		    CCE_CRA_PRIORITY, CCE_SHA_ASYNC_FLAGS, cce_sha_digest,
		    cce_sha_init_tfm),
	CCE_SHA_ALG("sha256", "sha256-cce-sync", NULL, CCE_CRA_PRIORITY_SYNC,
		    CCE_SHA_SYNC_FLAGS, cce_sha_sync_digest,
		    cce_sha_sync_init_tfm),
	CCE_SHA_ALG("hmac(sha256)", "hmac-sha256-cce-sync", cce_hmac_setkey,
		    CCE_CRA_PRIORITY_SYNC, CCE_SHA_SYNC_FLAGS,
		    cce_sha_sync_digest, cce_sha_sync_init_tfm),
};

static bool cce_sha_registered[ARRAY_SIZE(cce_sha_algs)];

int cce_sha_register(u64 opcap)
{
	static const u8 ops[] = { CCE_OP_SHA256, CCE_OP_HMAC_SHA256,
				  CCE_OP_SHA256, CCE_OP_HMAC_SHA256 };
	unsigned int i;
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(ops) != ARRAY_SIZE(cce_sha_algs));
	for (i = 0; i < ARRAY_SIZE(cce_sha_algs); i++) {
		if (!(opcap & BIT_ULL(ops[i])))
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
