// SPDX-License-Identifier: GPL-2.0
/*
 * CCE AES for the crypto API: skcipher xts(aes) and aead gcm(aes).
 *
 * The engine does AES-128 and AES-256 (not AES-192), XTS with ciphertext
 * stealing for any length >= 16 bytes, GCM with the AAD read from its own
 * buffer and the tag in the parameter block. What it cannot do goes to the
 * generic implementation (the fallback tfm): AES-192 keys, XTS with
 * key1 == key2 (the engine refuses them, the kernel allows them outside FIPS
 * mode), requests above the bounce limit, a full queue when the caller may
 * not wait, and jobs the device aborted.
 */
#include <crypto/aes.h>
#include <crypto/gcm.h>
#include <crypto/internal/aead.h>
#include <crypto/internal/skcipher.h>
#include <crypto/scatterwalk.h>
#include <crypto/utils.h>
#include <crypto/xts.h>
#include <linux/module.h>
#include <linux/string.h>

#include "cce_crypto.h"

/* ------------------------------------------------------------------ */
/* xts(aes)                                                            */
/* ------------------------------------------------------------------ */

struct cce_xts_ctx {
	struct crypto_skcipher *fb;
	u8 key[2 * AES_MAX_KEY_SIZE];
	unsigned int keylen;	/* both halves */
	bool sw_only;		/* the engine cannot take this key */
};

struct cce_xts_rctx {
	struct cce_creq creq;
	bool enc;
	struct skcipher_request fbreq;	/* last: the fallback's context follows */
};

static int cce_xts_init_tfm(struct crypto_skcipher *tfm)
{
	struct cce_xts_ctx *ctx = crypto_skcipher_ctx(tfm);

	ctx->fb = crypto_alloc_skcipher(crypto_tfm_alg_name(&tfm->base), 0,
					CRYPTO_ALG_ASYNC | CRYPTO_ALG_NEED_FALLBACK);
	if (IS_ERR(ctx->fb))
		return PTR_ERR(ctx->fb);
	crypto_skcipher_set_reqsize(tfm, sizeof(struct cce_xts_rctx) +
				    crypto_skcipher_reqsize(ctx->fb));

	return 0;
}

static void cce_xts_exit_tfm(struct crypto_skcipher *tfm)
{
	struct cce_xts_ctx *ctx = crypto_skcipher_ctx(tfm);

	crypto_free_skcipher(ctx->fb);
	memzero_explicit(ctx->key, sizeof(ctx->key));
}

static int cce_xts_setkey(struct crypto_skcipher *tfm, const u8 *key,
			  unsigned int keylen)
{
	struct cce_xts_ctx *ctx = crypto_skcipher_ctx(tfm);
	unsigned int half = keylen / 2;
	int ret;

	ret = xts_verify_key(tfm, key, keylen);
	if (ret)
		return ret;
	ret = aes_check_keylen(half);
	if (ret)
		return ret;

	crypto_skcipher_clear_flags(ctx->fb, CRYPTO_TFM_REQ_MASK);
	crypto_skcipher_set_flags(ctx->fb, crypto_skcipher_get_flags(tfm) &
				  CRYPTO_TFM_REQ_MASK);
	ret = crypto_skcipher_setkey(ctx->fb, key, keylen);
	if (ret)
		return ret;

	memcpy(ctx->key, key, keylen);
	ctx->keylen = keylen;
	/* The engine has no AES-192 and refuses key1 == key2. */
	ctx->sw_only = half == AES_KEYSIZE_192 ||
		       !crypto_memneq(key, key + half, half);

	return 0;
}

static int cce_xts_fallback(struct skcipher_request *req, bool enc,
			    bool may_sleep)
{
	struct cce_xts_ctx *ctx = crypto_skcipher_ctx(crypto_skcipher_reqtfm(req));
	struct cce_xts_rctx *rctx = skcipher_request_ctx(req);
	struct skcipher_request *sub = &rctx->fbreq;

	skcipher_request_set_tfm(sub, ctx->fb);
	skcipher_request_set_callback(sub, may_sleep ?
				      req->base.flags & CRYPTO_TFM_REQ_MAY_SLEEP : 0,
				      NULL, NULL);
	skcipher_request_set_crypt(sub, req->src, req->dst, req->cryptlen,
				   req->iv);

	return enc ? crypto_skcipher_encrypt(sub) : crypto_skcipher_decrypt(sub);
}

static void cce_xts_done(struct cce_kjob *job, const struct cce_cpl *cpl)
{
	struct cce_creq *r = container_of(job, struct cce_creq, job);
	struct cce_xts_rctx *rctx = container_of(r, struct cce_xts_rctx, creq);
	struct skcipher_request *req = container_of((void *)rctx,
						    struct skcipher_request,
						    __ctx);
	int err = cce_status_to_errno(CCE_CALG_XTS, cpl);

	cce_creq_unmap(r);
	if (!err)
		memcpy_to_sglist(req->dst, 0, r->buf + CCE_BOUNCE_PARAM_SIZE,
				 req->cryptlen);
	cce_creq_free(r);
	if (err == -EAGAIN)
		err = cce_xts_fallback(req, rctx->enc, false);

	skcipher_request_complete(req, err);
}

static int cce_xts_crypt(struct skcipher_request *req, bool enc)
{
	struct crypto_skcipher *tfm = crypto_skcipher_reqtfm(req);
	struct cce_xts_ctx *ctx = crypto_skcipher_ctx(tfm);
	struct cce_xts_rctx *rctx = skcipher_request_ctx(req);
	struct cce_creq *r = &rctx->creq;
	unsigned int half = ctx->keylen / 2;
	struct cce_xts_param *p;
	struct cce_desc *d;
	int ret;

	if (req->cryptlen < AES_BLOCK_SIZE)
		return -EINVAL;
	rctx->enc = enc;
	if (ctx->sw_only || req->cryptlen > CCE_CRYPTO_MAX_BOUNCE) {
		cce_crypto_count_fallback(CCE_CALG_XTS, CCE_FB_UNSUPPORTED);
		return cce_xts_fallback(req, enc, true);
	}

	if (cce_creq_alloc(r, &req->base, CCE_CALG_XTS,
			   CCE_BOUNCE_PARAM_SIZE + req->cryptlen))
		return cce_xts_fallback(req, enc, true);

	p = r->buf;
	memcpy(p->key1, ctx->key, half);
	memcpy(p->key2, ctx->key + half, half);
	memcpy(p->tweak, req->iv, AES_BLOCK_SIZE);
	memcpy_from_sglist(r->buf + CCE_BOUNCE_PARAM_SIZE, req->src, 0,
			   req->cryptlen);

	d = &r->job.desc;
	d->opcode = enc ? CCE_OP_AES_XTS_ENC : CCE_OP_AES_XTS_DEC;
	d->op_flags = half == AES_KEYSIZE_256 ? CCE_AF_KEY_256 : CCE_AF_KEY_128;
	d->src = CCE_BOUNCE_PARAM_SIZE;	/* offsets: submit adds the DMA address */
	d->dst = CCE_BOUNCE_PARAM_SIZE;
	d->src_len = req->cryptlen;
	d->dst_len = req->cryptlen;
	d->param = 0;			/* the parameter block is at offset 0 */
	d->param_len = sizeof(*p);
	r->has_param = true;

	ret = cce_creq_submit(r, req->cryptlen, cce_xts_done);
	if (ret == -EINPROGRESS || ret == -EBUSY)
		return ret;

	cce_creq_free(r);
	return cce_xts_fallback(req, enc, true);
}

static int cce_xts_encrypt(struct skcipher_request *req)
{
	return cce_xts_crypt(req, true);
}

static int cce_xts_decrypt(struct skcipher_request *req)
{
	return cce_xts_crypt(req, false);
}

/* xts-aes-cce-sync: the async path above, waited for (cce_sync_begin()). */
static int cce_xts_sync_crypt(struct skcipher_request *req, bool enc)
{
	struct cce_sync_wait w;

	if (!cce_sync_begin(&req->base, &w, CCE_CALG_XTS))
		return cce_xts_fallback(req, enc, true);

	return cce_sync_end(&req->base, &w, cce_xts_crypt(req, enc));
}

static int cce_xts_sync_encrypt(struct skcipher_request *req)
{
	return cce_xts_sync_crypt(req, true);
}

static int cce_xts_sync_decrypt(struct skcipher_request *req)
{
	return cce_xts_sync_crypt(req, false);
}

static struct skcipher_alg cce_xts_alg = {
	.base = {
		.cra_name		= "xts(aes)",
		.cra_driver_name	= "xts-aes-cce",
		.cra_priority		= CCE_CRA_PRIORITY,
		.cra_flags		= CRYPTO_ALG_ASYNC |
					  CRYPTO_ALG_KERN_DRIVER_ONLY |
					  CRYPTO_ALG_NEED_FALLBACK,
		.cra_blocksize		= AES_BLOCK_SIZE,
		.cra_ctxsize		= sizeof(struct cce_xts_ctx),
		.cra_module		= THIS_MODULE,
	},
	.init			= cce_xts_init_tfm,
	.exit			= cce_xts_exit_tfm,
	.setkey			= cce_xts_setkey,
	.encrypt		= cce_xts_encrypt,
	.decrypt		= cce_xts_decrypt,
	.min_keysize		= 2 * AES_MIN_KEY_SIZE,
	.max_keysize		= 2 * AES_MAX_KEY_SIZE,
	.ivsize			= AES_BLOCK_SIZE,
	.walksize		= 2 * AES_BLOCK_SIZE,
};

/*
 * Synchronous variant (sync_algs=1), for users that mask CRYPTO_ALG_ASYNC,
 * i.e. AF_ALG. Deliberately without CRYPTO_ALG_KERN_DRIVER_ONLY (see the
 * module parameter); without CRYPTO_ALG_ALLOCATES_MEMORY because a failed
 * allocation or mapping runs the request in software, never fails it.
 * CRYPTO_ALG_NEED_FALLBACK keeps fallback allocations (ours included) away.
 * The request context (struct cce_xts_rctx, about 280 bytes, plus the
 * generic xts(ecb(aes))'s own request) exceeds MAX_SYNC_SKCIPHER_REQSIZE
 * (384): CRYPTO_ALG_SKCIPHER_REQSIZE_LARGE keeps crypto_alloc_sync_skcipher()
 * users (on-stack requests: fscrypt, blk-crypto-fallback) away from it.
 */
static struct skcipher_alg cce_xts_sync_alg = {
	.base = {
		.cra_name		= "xts(aes)",
		.cra_driver_name	= "xts-aes-cce-sync",
		.cra_priority		= CCE_CRA_PRIORITY_SYNC,
		.cra_flags		= CRYPTO_ALG_NEED_FALLBACK |
					  CRYPTO_ALG_SKCIPHER_REQSIZE_LARGE,
		.cra_blocksize		= AES_BLOCK_SIZE,
		.cra_ctxsize		= sizeof(struct cce_xts_ctx),
		.cra_module		= THIS_MODULE,
	},
	.init			= cce_xts_init_tfm,
	.exit			= cce_xts_exit_tfm,
	.setkey			= cce_xts_setkey,
	.encrypt		= cce_xts_sync_encrypt,
	.decrypt		= cce_xts_sync_decrypt,
	.min_keysize		= 2 * AES_MIN_KEY_SIZE,
	.max_keysize		= 2 * AES_MAX_KEY_SIZE,
	.ivsize			= AES_BLOCK_SIZE,
	.walksize		= 2 * AES_BLOCK_SIZE,
};

/* ------------------------------------------------------------------ */
/* gcm(aes)                                                            */
/* ------------------------------------------------------------------ */

struct cce_gcm_ctx {
	struct crypto_aead *fb;
	u8 key[AES_MAX_KEY_SIZE];
	unsigned int keylen;
};

struct cce_gcm_rctx {
	struct cce_creq creq;
	bool enc;
	unsigned int textlen;
	unsigned int text_off;
	struct aead_request fbreq;	/* last: the fallback's context follows */
};

static int cce_gcm_init_tfm(struct crypto_aead *tfm)
{
	struct cce_gcm_ctx *ctx = crypto_aead_ctx(tfm);

	ctx->fb = crypto_alloc_aead(crypto_tfm_alg_name(&tfm->base), 0,
				    CRYPTO_ALG_ASYNC | CRYPTO_ALG_NEED_FALLBACK);
	if (IS_ERR(ctx->fb))
		return PTR_ERR(ctx->fb);
	crypto_aead_set_reqsize(tfm, sizeof(struct cce_gcm_rctx) +
				crypto_aead_reqsize(ctx->fb));

	return 0;
}

static void cce_gcm_exit_tfm(struct crypto_aead *tfm)
{
	struct cce_gcm_ctx *ctx = crypto_aead_ctx(tfm);

	crypto_free_aead(ctx->fb);
	memzero_explicit(ctx->key, sizeof(ctx->key));
}

static int cce_gcm_setkey(struct crypto_aead *tfm, const u8 *key,
			  unsigned int keylen)
{
	struct cce_gcm_ctx *ctx = crypto_aead_ctx(tfm);
	int ret;

	ret = aes_check_keylen(keylen);
	if (ret)
		return ret;

	crypto_aead_clear_flags(ctx->fb, CRYPTO_TFM_REQ_MASK);
	crypto_aead_set_flags(ctx->fb, crypto_aead_get_flags(tfm) &
			      CRYPTO_TFM_REQ_MASK);
	ret = crypto_aead_setkey(ctx->fb, key, keylen);
	if (ret)
		return ret;

	memcpy(ctx->key, key, keylen);
	ctx->keylen = keylen;

	return 0;
}

static int cce_gcm_setauthsize(struct crypto_aead *tfm, unsigned int authsize)
{
	struct cce_gcm_ctx *ctx = crypto_aead_ctx(tfm);
	int ret;

	ret = crypto_gcm_check_authsize(authsize);
	if (ret)
		return ret;

	return crypto_aead_setauthsize(ctx->fb, authsize);
}

static int cce_gcm_fallback(struct aead_request *req, bool enc, bool may_sleep)
{
	struct cce_gcm_ctx *ctx = crypto_aead_ctx(crypto_aead_reqtfm(req));
	struct cce_gcm_rctx *rctx = aead_request_ctx(req);
	struct aead_request *sub = &rctx->fbreq;

	aead_request_set_tfm(sub, ctx->fb);
	aead_request_set_callback(sub, may_sleep ?
				  req->base.flags & CRYPTO_TFM_REQ_MAY_SLEEP : 0,
				  NULL, NULL);
	aead_request_set_crypt(sub, req->src, req->dst, req->cryptlen, req->iv);
	aead_request_set_ad(sub, req->assoclen);

	return enc ? crypto_aead_encrypt(sub) : crypto_aead_decrypt(sub);
}

static void cce_gcm_done(struct cce_kjob *job, const struct cce_cpl *cpl)
{
	struct cce_creq *r = container_of(job, struct cce_creq, job);
	struct cce_gcm_rctx *rctx = container_of(r, struct cce_gcm_rctx, creq);
	struct aead_request *req = container_of((void *)rctx,
						struct aead_request, __ctx);
	unsigned int authsize = crypto_aead_authsize(crypto_aead_reqtfm(req));
	struct cce_gcm_param *p = r->buf;
	int err = cce_status_to_errno(CCE_CALG_GCM, cpl);

	cce_creq_unmap(r);
	if (!err) {
		memcpy_to_sglist(req->dst, req->assoclen, r->buf + rctx->text_off,
				 rctx->textlen);
		if (rctx->enc)
			memcpy_to_sglist(req->dst, req->assoclen + rctx->textlen,
					 p->tag, authsize);
	}
	cce_creq_free(r);
	if (err == -EAGAIN)
		err = cce_gcm_fallback(req, rctx->enc, false);

	aead_request_complete(req, err);
}

static int cce_gcm_crypt(struct aead_request *req, bool enc)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	struct cce_gcm_ctx *ctx = crypto_aead_ctx(tfm);
	struct cce_gcm_rctx *rctx = aead_request_ctx(req);
	unsigned int authsize = crypto_aead_authsize(tfm);
	struct cce_creq *r = &rctx->creq;
	struct cce_gcm_param *p;
	struct cce_desc *d;
	size_t len;
	int ret;

	if (!enc && req->cryptlen < authsize)
		return -EINVAL;
	rctx->enc = enc;
	rctx->textlen = enc ? req->cryptlen : req->cryptlen - authsize;
	rctx->text_off = CCE_BOUNCE_PARAM_SIZE + ALIGN(req->assoclen, 8);
	len = (size_t)rctx->text_off + rctx->textlen;
	if (ctx->keylen == AES_KEYSIZE_192 || len > CCE_CRYPTO_MAX_BOUNCE) {
		cce_crypto_count_fallback(CCE_CALG_GCM, CCE_FB_UNSUPPORTED);
		return cce_gcm_fallback(req, enc, true);
	}

	if (cce_creq_alloc(r, &req->base, CCE_CALG_GCM, len))
		return cce_gcm_fallback(req, enc, true);

	p = r->buf;
	memcpy(p->key, ctx->key, ctx->keylen);
	memcpy(p->iv, req->iv, GCM_AES_IV_SIZE);
	p->iv_len = GCM_AES_IV_SIZE;
	p->tag_len = authsize;
	p->aad = CCE_BOUNCE_PARAM_SIZE;	/* offset: submit makes it an address */
	p->aad_len = req->assoclen;
	r->fixup = &p->aad;
	memcpy_from_sglist(r->buf + CCE_BOUNCE_PARAM_SIZE, req->src, 0,
			   req->assoclen);
	memcpy_from_sglist(r->buf + rctx->text_off, req->src, req->assoclen,
			   rctx->textlen);
	if (!enc)
		memcpy_from_sglist(p->tag, req->src,
				   req->assoclen + rctx->textlen, authsize);

	d = &r->job.desc;
	d->opcode = enc ? CCE_OP_AES_GCM_ENC : CCE_OP_AES_GCM_DEC;
	d->op_flags = ctx->keylen == AES_KEYSIZE_256 ? CCE_AF_KEY_256 :
						       CCE_AF_KEY_128;
	d->src = rctx->text_off;
	d->dst = rctx->text_off;
	d->src_len = rctx->textlen;
	d->dst_len = rctx->textlen;
	d->param = 0;
	d->param_len = sizeof(*p);
	r->has_param = true;

	ret = cce_creq_submit(r, max(rctx->textlen, req->assoclen),
			      cce_gcm_done);
	if (ret == -EINPROGRESS || ret == -EBUSY)
		return ret;

	cce_creq_free(r);
	return cce_gcm_fallback(req, enc, true);
}

static int cce_gcm_encrypt(struct aead_request *req)
{
	return cce_gcm_crypt(req, true);
}

static int cce_gcm_decrypt(struct aead_request *req)
{
	return cce_gcm_crypt(req, false);
}

/* gcm-aes-cce-sync: the async path above, waited for (cce_sync_begin()). */
static int cce_gcm_sync_crypt(struct aead_request *req, bool enc)
{
	struct cce_sync_wait w;

	if (!cce_sync_begin(&req->base, &w, CCE_CALG_GCM))
		return cce_gcm_fallback(req, enc, true);

	return cce_sync_end(&req->base, &w, cce_gcm_crypt(req, enc));
}

static int cce_gcm_sync_encrypt(struct aead_request *req)
{
	return cce_gcm_sync_crypt(req, true);
}

static int cce_gcm_sync_decrypt(struct aead_request *req)
{
	return cce_gcm_sync_crypt(req, false);
}

static struct aead_alg cce_gcm_alg = {
	.base = {
		.cra_name		= "gcm(aes)",
		.cra_driver_name	= "gcm-aes-cce",
		.cra_priority		= CCE_CRA_PRIORITY,
		.cra_flags		= CRYPTO_ALG_ASYNC |
					  CRYPTO_ALG_KERN_DRIVER_ONLY |
					  CRYPTO_ALG_NEED_FALLBACK,
		.cra_blocksize		= 1,
		.cra_ctxsize		= sizeof(struct cce_gcm_ctx),
		.cra_module		= THIS_MODULE,
	},
	.init			= cce_gcm_init_tfm,
	.exit			= cce_gcm_exit_tfm,
	.setkey			= cce_gcm_setkey,
	.setauthsize		= cce_gcm_setauthsize,
	.encrypt		= cce_gcm_encrypt,
	.decrypt		= cce_gcm_decrypt,
	.ivsize			= GCM_AES_IV_SIZE,
	.maxauthsize		= AES_BLOCK_SIZE,
};

/*
 * Synchronous variant (sync_algs=1); flags as for xts-aes-cce-sync. Its
 * request context is above MAX_SYNC_AEAD_REQSIZE (384) and aead has no
 * REQSIZE_LARGE flag: crypto_alloc_sync_aead() would WARN on it, but its
 * only user in 7.2 (drivers/crypto/ti/dthev2-aes.c) masks
 * CRYPTO_ALG_NEED_FALLBACK, which excludes this variant.
 */
static struct aead_alg cce_gcm_sync_alg = {
	.base = {
		.cra_name		= "gcm(aes)",
		.cra_driver_name	= "gcm-aes-cce-sync",
		.cra_priority		= CCE_CRA_PRIORITY_SYNC,
		.cra_flags		= CRYPTO_ALG_NEED_FALLBACK,
		.cra_blocksize		= 1,
		.cra_ctxsize		= sizeof(struct cce_gcm_ctx),
		.cra_module		= THIS_MODULE,
	},
	.init			= cce_gcm_init_tfm,
	.exit			= cce_gcm_exit_tfm,
	.setkey			= cce_gcm_setkey,
	.setauthsize		= cce_gcm_setauthsize,
	.encrypt		= cce_gcm_sync_encrypt,
	.decrypt		= cce_gcm_sync_decrypt,
	.ivsize			= GCM_AES_IV_SIZE,
	.maxauthsize		= AES_BLOCK_SIZE,
};

static bool cce_aes_xts_ok(u64 opcap)
{
	return (opcap & BIT_ULL(CCE_OP_AES_XTS_ENC)) &&
	       (opcap & BIT_ULL(CCE_OP_AES_XTS_DEC));
}

static bool cce_aes_gcm_ok(u64 opcap)
{
	return (opcap & BIT_ULL(CCE_OP_AES_GCM_ENC)) &&
	       (opcap & BIT_ULL(CCE_OP_AES_GCM_DEC));
}

static bool cce_xts_registered, cce_gcm_registered;
static bool cce_xts_sync_registered, cce_gcm_sync_registered;

int cce_aes_register(u64 opcap)
{
	int ret;

	if (cce_aes_xts_ok(opcap)) {
		ret = crypto_register_skcipher(&cce_xts_alg);
		if (ret)
			return ret;
		cce_xts_registered = true;
		if (cce_sync_algs) {
			ret = crypto_register_skcipher(&cce_xts_sync_alg);
			if (ret)
				goto err;
			cce_xts_sync_registered = true;
		}
	}
	if (cce_aes_gcm_ok(opcap)) {
		ret = crypto_register_aead(&cce_gcm_alg);
		if (ret)
			goto err;
		cce_gcm_registered = true;
		if (cce_sync_algs) {
			ret = crypto_register_aead(&cce_gcm_sync_alg);
			if (ret)
				goto err;
			cce_gcm_sync_registered = true;
		}
	}

	return 0;

err:
	cce_aes_unregister();
	return ret;
}

void cce_aes_unregister(void)
{
	if (cce_gcm_sync_registered)
		crypto_unregister_aead(&cce_gcm_sync_alg);
	if (cce_gcm_registered)
		crypto_unregister_aead(&cce_gcm_alg);
	if (cce_xts_sync_registered)
		crypto_unregister_skcipher(&cce_xts_sync_alg);
	if (cce_xts_registered)
		crypto_unregister_skcipher(&cce_xts_alg);
	cce_gcm_sync_registered = false;
	cce_gcm_registered = false;
	cce_xts_sync_registered = false;
	cce_xts_registered = false;
}
