// SPDX-License-Identifier: GPL-2.0
/*
 * CCE crypto API glue: which devices serve the crypto API, the bounce
 * buffers requests go through, and the device/fallback statistics.
 *
 * The algorithms (cce_crypto_aes.c, cce_crypto_sha.c, cce_crypto_comp.c) are
 * registered once, when the first device with kernel queues comes up, and
 * unregistered when the last one goes. A request is not tied to a device:
 * each submission picks one of the devices in the list under
 * cce_crypto_lock, maps its bounce buffer for it and queues the job, so a
 * device can leave at any time (its queue stop hands every job back as
 * aborted, and the algorithm redoes it in software).
 *
 * The engine takes flat buffers only (no gather lists), so a request's
 * scatterlists are copied into one contiguous buffer, which also holds the
 * parameter block, and the result is copied back.
 */
#include <crypto/algapi.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/processor.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>

#include "cce_crypto.h"

static DEFINE_SPINLOCK(cce_crypto_lock);	/* cce_crypto_devs */
static LIST_HEAD(cce_crypto_devs);
static DEFINE_MUTEX(cce_crypto_reg_lock);	/* registration */
static unsigned int cce_crypto_nr_devs;
static u64 cce_crypto_opcap;

static const char * const cce_calg_names[CCE_CALG_NR] = {
	[CCE_CALG_XTS]		= "xts(aes)",
	[CCE_CALG_GCM]		= "gcm(aes)",
	[CCE_CALG_SHA256]	= "sha256",
	[CCE_CALG_HMAC_SHA256]	= "hmac(sha256)",
	[CCE_CALG_DEFLATE]	= "deflate",
};

static const char * const cce_fb_names[CCE_FB_NR] = {
	[CCE_FB_UNSUPPORTED]	= "unsupported",
	[CCE_FB_BUSY]		= "busy",
	[CCE_FB_NODEV]		= "nodev",
	[CCE_FB_NOMEM]		= "nomem",
	[CCE_FB_ABORTED]	= "aborted",
	[CCE_FB_PARTIAL]	= "partial",
	[CCE_FB_ATOMIC]		= "atomic",
};

bool cce_sync_algs;
module_param_named(sync_algs, cce_sync_algs, bool, 0444);
MODULE_PARM_DESC(sync_algs,
		 "Also register synchronous variants (xts-aes-cce-sync, gcm-aes-cce-sync, sha256-cce-sync, hmac-sha256-cce-sync, priority 900) WITHOUT CRYPTO_ALG_KERN_DRIVER_ONLY, so that AF_ALG (user space) reaches the device. Opt-in: the kernel uses that flag to keep hardware drivers away from user space (default: off)");

static atomic64_t cce_stat_device[CCE_CALG_NR];
static atomic64_t cce_stat_fallback[CCE_CALG_NR][CCE_FB_NR];
static atomic64_t cce_stat_sync[CCE_CALG_NR];

void cce_crypto_count_device(enum cce_calg alg)
{
	atomic64_inc(&cce_stat_device[alg]);
}

void cce_crypto_count_fallback(enum cce_calg alg, enum cce_fb_reason why)
{
	atomic64_inc(&cce_stat_fallback[alg][why]);
}

static ssize_t crypto_stats_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	ssize_t len;
	int a, r;

	len = sysfs_emit(buf, "%-14s %10s", "algorithm", "device");
	for (r = 0; r < CCE_FB_NR; r++)
		len += sysfs_emit_at(buf, len, " %11s", cce_fb_names[r]);
	len += sysfs_emit_at(buf, len, " %11s\n", "sync");
	for (a = 0; a < CCE_CALG_NR; a++) {
		len += sysfs_emit_at(buf, len, "%-14s %10lld", cce_calg_names[a],
				     (long long)atomic64_read(&cce_stat_device[a]));
		for (r = 0; r < CCE_FB_NR; r++)
			len += sysfs_emit_at(buf, len, " %11lld",
					     (long long)atomic64_read(&cce_stat_fallback[a][r]));
		len += sysfs_emit_at(buf, len, " %11lld\n",
				     (long long)atomic64_read(&cce_stat_sync[a]));
	}

	return len;
}
static DEVICE_ATTR_RO(crypto_stats);

static ssize_t kernel_queues_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct cce_device *cce = dev_get_drvdata(dev);

	if (!cce->nr_kq)
		return sysfs_emit(buf, "none\n");

	return sysfs_emit(buf, "%u-%u\n", cce->nr_queues - cce->nr_kq,
			  cce->nr_queues - 1);
}
static DEVICE_ATTR_RO(kernel_queues);

static struct attribute *cce_crypto_attrs[] = {
	&dev_attr_crypto_stats.attr,
	&dev_attr_kernel_queues.attr,
	NULL
};

const struct attribute_group cce_crypto_attr_group = {
	.attrs = cce_crypto_attrs,
};

gfp_t cce_creq_gfp(struct crypto_async_request *areq)
{
	return (areq->flags & CRYPTO_TFM_REQ_MAY_SLEEP) ? GFP_KERNEL :
							   GFP_ATOMIC;
}

/* Allocate (not yet map) the bounce buffer of a request. */
int cce_creq_alloc(struct cce_creq *r, struct crypto_async_request *areq,
		   enum cce_calg alg, size_t len)
{
	r->areq = areq;
	r->alg = alg;
	r->dev = NULL;
	r->len = len;
	r->fixup = NULL;
	r->has_param = false;
	r->buf = kzalloc(len, cce_creq_gfp(areq) | __GFP_NOWARN);
	if (!r->buf) {
		cce_crypto_count_fallback(alg, CCE_FB_NOMEM);
		return -ENOMEM;
	}
	memset(&r->job.desc, 0, sizeof(r->job.desc));

	return 0;
}

void cce_creq_unmap(struct cce_creq *r)
{
	if (r->dev) {
		dma_unmap_single(r->dev, r->dma, r->len, DMA_BIDIRECTIONAL);
		r->dev = NULL;
	}
}

void cce_creq_free(struct cce_creq *r)
{
	cce_creq_unmap(r);
	kfree_sensitive(r->buf);
	r->buf = NULL;
}

static void cce_creq_backlog_done(struct cce_kjob *job)
{
	struct cce_creq *r = container_of(job, struct cce_creq, job);

	crypto_request_complete(r->areq, -EINPROGRESS);
}

/*
 * Map the bounce buffer for a device and queue the job. The descriptor's
 * addresses are offsets into the buffer; this adds the DMA address (to dst
 * only when dst_len is set). Returns -EINPROGRESS or -EBUSY (queued,
 * @complete will run), or an error after
 * which the request is the caller's again (buffer unmapped, not freed) and
 * the fallback statistics say why.
 */
int cce_creq_submit(struct cce_creq *r, u32 data_len,
		    void (*complete)(struct cce_kjob *job,
				     const struct cce_cpl *cpl))
{
	bool may_backlog = r->areq->flags & CRYPTO_TFM_REQ_MAY_BACKLOG;
	/* Once queued, @r may complete (and be reused) before we return. */
	enum cce_calg alg = r->alg;
	struct cce_desc *d = &r->job.desc;
	struct cce_device *cce;
	int ret = -ENODEV;

	r->job.complete = complete;
	r->job.backlog_done = cce_creq_backlog_done;
	INIT_LIST_HEAD(&r->job.node);

	spin_lock_bh(&cce_crypto_lock);
	cce = list_first_entry_or_null(&cce_crypto_devs, struct cce_device,
				       crypto_node);
	if (!cce)
		goto out;
	if (data_len > cce->max_job_len) {
		ret = -E2BIG;
		goto out;
	}
	r->dma = dma_map_single(&cce->pdev->dev, r->buf, r->len,
				DMA_BIDIRECTIONAL);
	if (dma_mapping_error(&cce->pdev->dev, r->dma)) {
		ret = -ENOMEM;
		goto out;
	}
	r->dev = &cce->pdev->dev;
	if (r->fixup) {
		dma_sync_single_for_cpu(r->dev, r->dma, r->len,
					DMA_BIDIRECTIONAL);
		*r->fixup += r->dma;
		dma_sync_single_for_device(r->dev, r->dma, r->len,
					   DMA_BIDIRECTIONAL);
	}
	d->src += r->dma;
	if (d->dst_len)		/* no output: dst stays 0 (SHA256 not LAST) */
		d->dst += r->dma;
	if (r->has_param)
		d->param += r->dma;

	ret = cce_kq_submit(cce, &r->job, may_backlog);
	if (ret != -EINPROGRESS && ret != -EBUSY) {
		if (r->fixup)
			*r->fixup -= r->dma;
		d->src -= r->dma;
		if (d->dst_len)
			d->dst -= r->dma;
		if (r->has_param)
			d->param -= r->dma;
		cce_creq_unmap(r);
	}
	/* Spread requests over devices. */
	if (!list_is_singular(&cce_crypto_devs))
		list_rotate_left(&cce_crypto_devs);
out:
	spin_unlock_bh(&cce_crypto_lock);

	switch (ret) {
	case -EINPROGRESS:
	case -EBUSY:
		cce_crypto_count_device(alg);
		break;
	case -ENOSPC:
		cce_crypto_count_fallback(alg, CCE_FB_BUSY);
		break;
	case -E2BIG:
		cce_crypto_count_fallback(alg, CCE_FB_UNSUPPORTED);
		break;
	case -ENOMEM:
		cce_crypto_count_fallback(alg, CCE_FB_NOMEM);
		break;
	default:
		cce_crypto_count_fallback(alg, CCE_FB_NODEV);
		break;
	}

	return ret;
}

static void cce_sync_done(void *data, int err)
{
	struct cce_sync_wait *w = data;

	/* A backlogged request reached the ring: not the end yet. */
	if (err == -EINPROGRESS)
		return;
	w->err = err;
	complete(&w->done);
}

/*
 * Synchronous variants (sync_algs=1) wrap the async implementation:
 *
 *	if (!cce_sync_begin(&req->base, &w, alg))
 *		return <software fallback>;
 *	return cce_sync_end(&req->base, &w, <async op>(req));
 *
 * begin() parks the caller's callback and sets ours plus MAY_BACKLOG (a full
 * ring then queues the job instead of falling back); end() waits for the
 * final completion if the async op queued the job, and restores the
 * caller's callback and flags. In atomic context (!preemptible(); the driver
 * needs CONFIG_PREEMPT_COUNT for that to be exact, without it preemptible()
 * is always false and every request runs in software) we cannot wait:
 * begin() returns false and the caller runs the fallback, counted "atomic".
 *
 * Waiting without a timeout is safe because every job handed to a kernel
 * queue completes: by its completion (interrupt thread, or the kq watchdog
 * when an MSI-X message is lost), or, when the queue stops (unbind, FLR, AER,
 * recovery after GSTS.FATAL, a lost device), by cce_kq_stop(), which aborts
 * the ring and hands back every job on it and in the backlog as ABORTED (the
 * algorithm then redoes it in software); a kernel queue without progress for
 * hang_timeout_ms makes the RAS watchdog reset the function, which goes
 * through cce_kq_stop(). Two gaps, shared with every async user (dm-crypt,
 * zswap): hang_timeout_ms=0 switches that watchdog off, and a kernel queue
 * halted by a queue-level error (STATUS.ERROR: not treated as a hang) is not
 * restarted, so its jobs wait until the next reset or unbind.
 *
 * With CRYPTO_TFM_REQ_MAY_SLEEP we sleep; without it (algif_hash sets only
 * MAY_BACKLOG) we spin on completion_done(): legal, as we are preemptible,
 * and the completion runs in the queue's interrupt thread (SCHED_FIFO),
 * which preempts us or runs on another CPU.
 */
bool cce_sync_begin(struct crypto_async_request *base, struct cce_sync_wait *w,
		    enum cce_calg alg)
{
	atomic64_inc(&cce_stat_sync[alg]);
	if (!preemptible()) {
		cce_crypto_count_fallback(alg, CCE_FB_ATOMIC);
		return false;
	}

	init_completion(&w->done);
	w->err = 0;
	w->complete = base->complete;
	w->data = base->data;
	w->flags = base->flags;
	base->complete = cce_sync_done;
	base->data = w;
	base->flags |= CRYPTO_TFM_REQ_MAY_BACKLOG;

	return true;
}

int cce_sync_end(struct crypto_async_request *base, struct cce_sync_wait *w,
		 int ret)
{
	if (ret == -EINPROGRESS || ret == -EBUSY) {
		if (w->flags & CRYPTO_TFM_REQ_MAY_SLEEP) {
			wait_for_completion(&w->done);
		} else {
			/* completion_done() also waits for complete() to let go. */
			while (!completion_done(&w->done))
				cpu_relax();
		}
		ret = w->err;
	}
	base->complete = w->complete;
	base->data = w->data;
	base->flags = w->flags;

	return ret;
}

/*
 * Errno for a completion. ABORTED is not an error of the request: the
 * caller redoes it in software (-EAGAIN). A status that means something
 * about the data gets its own errno only for the algorithm it can come
 * from (a tag mismatch from GCM, an overflow or bad stream from deflate);
 * from any other algorithm it is a device failure like the rest: -EIO.
 * Users act on these: dm-crypt reports -EBADMSG as an integrity error
 * (EILSEQ to the reader), zswap counts -ENOSPC as poor compression.
 */
int cce_status_to_errno(enum cce_calg alg, const struct cce_cpl *cpl)
{
	switch (cpl->status) {
	case CCE_ST_SUCCESS:
		return 0;
	case CCE_ST_ABORTED:
	case CCE_ST_UNSUPPORTED_OP:	/* a device with a smaller OPCAP */
		cce_crypto_count_fallback(alg, CCE_FB_ABORTED);
		return -EAGAIN;
	case CCE_ST_AUTH_FAILED:
		if (alg != CCE_CALG_GCM)
			break;
		return -EBADMSG;
	case CCE_ST_OUTPUT_TOO_SMALL:
		if (alg != CCE_CALG_DEFLATE)
			break;
		return -ENOSPC;
	case CCE_ST_CORRUPT_INPUT:
		if (alg != CCE_CALG_DEFLATE)
			break;
		return -EINVAL;
	default:
		break;
	}
	pr_err_ratelimited("cce: %s: job failed with status %#x (result %#x, fault address %#llx)\n",
			   cce_calg_names[alg], cpl->status, cpl->result,
			   cpl->fault_addr);
	return -EIO;
}

static int cce_crypto_register_all(u64 opcap)
{
	int ret;

	ret = cce_aes_register(opcap);
	if (ret)
		return ret;
	ret = cce_sha_register(opcap);
	if (ret)
		goto err_aes;
	ret = cce_comp_register(opcap);
	if (ret)
		goto err_sha;

	return 0;

err_sha:
	cce_sha_unregister();
err_aes:
	cce_aes_unregister();
	return ret;
}

/* A device with kernel queues is ready: register the algorithms if first. */
int cce_crypto_add(struct cce_device *cce)
{
	int ret = 0;

	if (!cce->nr_kq)
		return 0;

	mutex_lock(&cce_crypto_reg_lock);
	spin_lock_bh(&cce_crypto_lock);
	list_add_tail(&cce->crypto_node, &cce_crypto_devs);
	spin_unlock_bh(&cce_crypto_lock);

	if (!cce_crypto_nr_devs) {
		cce_crypto_opcap = cce->opcap;
		ret = cce_crypto_register_all(cce->opcap);
		if (ret) {
			spin_lock_bh(&cce_crypto_lock);
			list_del_init(&cce->crypto_node);
			spin_unlock_bh(&cce_crypto_lock);
			goto out;
		}
	} else if ((cce->opcap & cce_crypto_opcap) != cce_crypto_opcap) {
		dev_warn(&cce->pdev->dev, "OPCAP %#llx lacks operations of the first device (%#llx); those run on the other devices only\n",
			 cce->opcap, cce_crypto_opcap);
	}
	cce_crypto_nr_devs++;
	cce->crypto_active = true;
out:
	mutex_unlock(&cce_crypto_reg_lock);

	return ret;
}

/*
 * Function reset: no new request goes to the device until resume; the
 * algorithms stay registered (requests run in software meanwhile).
 */
void cce_crypto_suspend(struct cce_device *cce)
{
	spin_lock_bh(&cce_crypto_lock);
	list_del_init(&cce->crypto_node);
	spin_unlock_bh(&cce_crypto_lock);
}

void cce_crypto_resume(struct cce_device *cce)
{
	mutex_lock(&cce_crypto_reg_lock);
	if (cce->crypto_active) {
		spin_lock_bh(&cce_crypto_lock);
		if (list_empty(&cce->crypto_node))
			list_add_tail(&cce->crypto_node, &cce_crypto_devs);
		spin_unlock_bh(&cce_crypto_lock);
	}
	mutex_unlock(&cce_crypto_reg_lock);
}

/* Take the device off the list; the last one unregisters the algorithms. */
void cce_crypto_remove(struct cce_device *cce)
{
	mutex_lock(&cce_crypto_reg_lock);
	if (!cce->crypto_active)
		goto out;
	cce->crypto_active = false;

	spin_lock_bh(&cce_crypto_lock);
	list_del_init(&cce->crypto_node);
	spin_unlock_bh(&cce_crypto_lock);

	if (!--cce_crypto_nr_devs) {
		cce_comp_unregister();
		cce_sha_unregister();
		cce_aes_unregister();
	}
out:
	mutex_unlock(&cce_crypto_reg_lock);
}
