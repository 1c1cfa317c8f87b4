// SPDX-License-Identifier: GPL-2.0
/*
 * CCE deflate for the crypto API (acomp "deflate").
 *
 * The kernel's "deflate" is raw deflate (RFC 1951) with a 2 KiB window
 * (crypto/deflate.c: -DEFLATE_DEF_WINBITS). The engine compresses with the
 * same window (CCE_CF_WBITS 11), so anything it writes is readable by the
 * generic implementation, which matters when the fallback has to decompress
 * data the device compressed (zswap while the device is away). Each request
 * is one self-contained descriptor (FIRST|LAST, no stream context).
 */
#include <crypto/internal/acompress.h>
#include <crypto/scatterwalk.h>
#include <linux/module.h>

#include "cce_crypto.h"

#define CCE_DEFLATE_WBITS	11	/* crypto/deflate.c DEFLATE_DEF_WINBITS */

struct cce_comp_rctx {
	struct cce_creq creq;
	bool comp;
	unsigned int dst_off;
};

static int cce_comp_fallback(struct acomp_req *req, bool comp, bool may_sleep)
{
	ACOMP_FBREQ_ON_STACK(fbreq, req);
	int err;

	if (!may_sleep)
		fbreq->base.flags &= ~CRYPTO_TFM_REQ_MAY_SLEEP;
	err = comp ? crypto_acomp_compress(fbreq) :
		     crypto_acomp_decompress(fbreq);
	req->dlen = fbreq->dlen;

	return err;
}

static void cce_comp_done(struct cce_kjob *job, const struct cce_cpl *cpl)
{
	struct cce_creq *r = container_of(job, struct cce_creq, job);
	struct cce_comp_rctx *rctx = container_of(r, struct cce_comp_rctx, creq);
	struct acomp_req *req = container_of((void *)rctx, struct acomp_req,
					     __ctx);
	int err = cce_status_to_errno(CCE_CALG_DEFLATE, cpl);

	if (!err && !rctx->comp && !(cpl->flags & CCE_CPL_EOS))
		/* Output full before the end of the stream, or truncated. */
		err = cpl->bytes_produced >= req->dlen ? -ENOSPC : -EINVAL;
	if (!err && cpl->bytes_produced > req->dlen)
		err = -EIO;	/* the device broke its contract */

	cce_creq_unmap(r);
	if (!err) {
		memcpy_to_sglist(req->dst, 0, r->buf + rctx->dst_off,
				 cpl->bytes_produced);
		req->dlen = cpl->bytes_produced;
	}
	cce_creq_free(r);
	if (err == -EAGAIN)
		err = cce_comp_fallback(req, rctx->comp, false);

	acomp_request_complete(req, err);
}

static int cce_comp_run(struct acomp_req *req, bool comp)
{
	struct cce_comp_rctx *rctx = acomp_request_ctx(req);
	struct cce_creq *r = &rctx->creq;
	struct cce_desc *d;
	size_t len;
	int ret;

	rctx->comp = comp;
	rctx->dst_off = ALIGN(req->slen, 64);
	len = (size_t)rctx->dst_off + req->dlen;
	if (!req->slen || !req->dlen || len > CCE_CRYPTO_MAX_BOUNCE) {
		cce_crypto_count_fallback(CCE_CALG_DEFLATE, CCE_FB_UNSUPPORTED);
		return cce_comp_fallback(req, comp, true);
	}
	if (cce_creq_alloc(r, &req->base, CCE_CALG_DEFLATE, len))
		return cce_comp_fallback(req, comp, true);

	memcpy_from_sglist(r->buf, req->src, 0, req->slen);
	d = &r->job.desc;
	d->opcode = comp ? CCE_OP_COMPRESS : CCE_OP_DECOMPRESS;
	d->flags = CCE_DF_FIRST | CCE_DF_LAST;
	d->op_flags = comp ? CCE_CF_MAKE_W(CCE_CF_FMT_RAW, 0, CCE_DEFLATE_WBITS) :
			     CCE_CF_FMT_RAW;
	d->src = 0;
	d->src_len = req->slen;
	d->dst = rctx->dst_off;
	d->dst_len = req->dlen;

	ret = cce_creq_submit(r, req->slen, cce_comp_done);
	if (ret == -EINPROGRESS || ret == -EBUSY)
		return ret;

	cce_creq_free(r);
	return cce_comp_fallback(req, comp, true);
}

static int cce_comp_compress(struct acomp_req *req)
{
	return cce_comp_run(req, true);
}

static int cce_comp_decompress(struct acomp_req *req)
{
	return cce_comp_run(req, false);
}

static struct acomp_alg cce_deflate_alg = {
	.compress		= cce_comp_compress,
	.decompress		= cce_comp_decompress,
	.base = {
		.cra_name		= "deflate",
		.cra_driver_name	= "deflate-cce",
		.cra_priority		= CCE_CRA_PRIORITY,
		.cra_flags		= CRYPTO_ALG_ASYNC |
					  CRYPTO_ALG_KERN_DRIVER_ONLY,
		.cra_reqsize		= sizeof(struct cce_comp_rctx),
		.cra_module		= THIS_MODULE,
	},
};

static bool cce_deflate_registered;

int cce_comp_register(u64 opcap)
{
	int ret;

	if (!(opcap & BIT_ULL(CCE_OP_COMPRESS)) ||
	    !(opcap & BIT_ULL(CCE_OP_DECOMPRESS)))
		return 0;
	ret = crypto_register_acomp(&cce_deflate_alg);
	if (!ret)
		cce_deflate_registered = true;

	return ret;
}

void cce_comp_unregister(void)
{
	if (cce_deflate_registered)
		crypto_unregister_acomp(&cce_deflate_alg);
	cce_deflate_registered = false;
}
