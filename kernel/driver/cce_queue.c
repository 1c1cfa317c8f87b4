// SPDX-License-Identifier: GPL-2.0
/*
 * CCE hardware queues: allocation, programming, start and quiesce.
 *
 * A queue's rings live in memory the driver allocates and the opener maps
 * (UACCE_QFRT_DUS). The device is programmed with the user virtual address
 * of that mapping and tags the queue's DMA with the opener's PASID, so ring
 * and data accesses are translated through the process page tables (SVA).
 */
#include <linux/iopoll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "cce.h"
#include <cce/cce_uacce.h>

#define CCE_POLL_US	100

static u32 cce_queue_status(struct cce_hw_queue *hq)
{
	return cce_qreadl(hq, CCE_Q_STATUS);
}

/* Put a queue into its reset state: disabled, no PASID, vector q. */
void cce_queue_init_hw(struct cce_hw_queue *hq)
{
	cce_qwritel(hq, CCE_Q_CTRL, 0);
	cce_qwritel(hq, CCE_Q_PASID, 0);
	cce_qwritel(hq, CCE_Q_MSIX_VEC, hq->qid);
	cce_qwritel(hq, CCE_Q_IRQ, CCE_QIRQ_MAKE(1, 0));
	cce_qwritel(hq, CCE_Q_ERR, U32_MAX);
}

unsigned int cce_queue_available(struct cce_device *cce)
{
	unsigned int used;

	spin_lock(&cce->qlock);
	used = bitmap_weight(cce->qmap, cce->nr_queues);
	spin_unlock(&cce->qlock);

	return cce->nr_queues - used;
}

/*
 * Reserve a free hardware queue for @mm, allocate its ring memory and tag
 * its DMA with @pasid. Returns NULL when all queues are in use or memory is
 * short.
 */
struct cce_hw_queue *cce_queue_get(struct cce_device *cce, u32 pasid,
				   struct mm_struct *mm)
{
	struct cce_hw_queue *hq;
	unsigned int qid;
	void *ring;

	ring = vmalloc_user(cce->ring_bytes);
	if (!ring)
		return NULL;

	spin_lock(&cce->qlock);
	qid = find_first_zero_bit(cce->qmap, cce->nr_queues);
	if (qid >= cce->nr_queues) {
		spin_unlock(&cce->qlock);
		vfree(ring);
		return NULL;
	}
	__set_bit(qid, cce->qmap);
	spin_unlock(&cce->qlock);

	hq = &cce->queues[qid];
	mutex_lock(&hq->lock);
	hq->ring = ring;
	hq->ring_uva = 0;
	hq->enabled = false;
	hq->state = CCE_QUEUE_STATE_ACTIVE;
	hq->mm = mm;
	hq->pasid = pasid;
	hq->qerr_seen = 0;
	cce_qwritel(hq, CCE_Q_CTRL, 0);
	cce_qwritel(hq, CCE_Q_ERR, U32_MAX);
	cce_qwritel(hq, CCE_Q_PASID,
		    (pasid & CCE_QPASID_PASID_MASK) | CCE_QPASID_EN);
	mutex_unlock(&hq->lock);

	return hq;
}

/* Release a stopped queue. A broken queue keeps its slot reserved. */
void cce_queue_put(struct cce_hw_queue *hq)
{
	struct cce_device *cce = hq->cce;
	bool broken;

	mutex_lock(&hq->lock);
	if (!hq->broken)
		cce_qwritel(hq, CCE_Q_PASID, 0);
	/*
	 * Pages still mapped by the process keep their own reference
	 * (remap_vmalloc_range()), so this never frees memory in use.
	 */
	vfree(hq->ring);
	hq->ring = NULL;
	hq->ring_uva = 0;
	hq->mm = NULL;
	hq->pasid = 0;
	hq->state = CCE_QUEUE_STATE_ACTIVE;
	broken = hq->broken;
	mutex_unlock(&hq->lock);

	if (broken)
		return;

	spin_lock(&cce->qlock);
	__clear_bit(hq->qid, cce->qmap);
	spin_unlock(&cce->qlock);
}

/*
 * Program a stopped queue's rings, PASID and interrupt, then enable it: the
 * sequence both kinds of queue share (uacce queues: user virtual ring
 * address, PASID; kernel queues: DMA address, no PASID). @pasid_reg is the
 * Q_PASID value, @ctrl the enable bits. On failure the queue is left
 * disabled, the reason logged, and -EIO returned.
 */
int cce_queue_program(struct cce_hw_queue *hq, u64 ring, u32 pasid_reg,
		      u32 ctrl)
{
	struct cce_device *cce = hq->cce;
	u32 sts;
	int ret;

	cce_qwritel(hq, CCE_Q_ERR, U32_MAX);
	cce_writeq(cce, CCE_QREG(hq->qid, CCE_Q_SQ_BASE), ring);
	cce_writeq(cce, CCE_QREG(hq->qid, CCE_Q_CQ_BASE), ring + cce->sq_bytes);
	cce_qwritel(hq, CCE_Q_SQ_SIZE, cce->sq_entries);
	cce_qwritel(hq, CCE_Q_CQ_SIZE, cce->cq_entries);
	cce_qwritel(hq, CCE_Q_PASID, pasid_reg);
	cce_qwritel(hq, CCE_Q_MSIX_VEC, hq->qid);
	cce_qwritel(hq, CCE_Q_IRQ, CCE_QIRQ_MAKE(1, 0));
	cce_qwritel(hq, CCE_Q_CTRL, ctrl);

	ret = read_poll_timeout(cce_queue_status, sts,
				sts & (CCE_QSTS_ENABLED | CCE_QSTS_ERROR),
				CCE_POLL_US, cce->timeout_us, false, hq);
	if (!ret && !(sts & CCE_QSTS_ERROR))
		return 0;
	dev_err(&cce->pdev->dev, "queue %u: enable failed (status %#x, error %#x)\n",
		hq->qid, sts, cce_qreadl(hq, CCE_Q_ERR));
	cce_qwritel(hq, CCE_Q_CTRL, 0);
	cce_qwritel(hq, CCE_Q_PASID, 0);
	return -EIO;
}

/*
 * Program and enable a queue. The DUS region must be mapped: the device
 * reaches the rings at their user virtual address through the PASID.
 */
int cce_queue_start(struct cce_hw_queue *hq)
{
	struct cce_device *cce = hq->cce;
	struct device *dev = &cce->pdev->dev;
	u32 ctrl;
	int ret;

	mutex_lock(&hq->lock);
	if (hq->broken) {
		ret = -EIO;
		goto out;
	}
	if (READ_ONCE(cce->ras.dead)) {
		ret = -ENODEV;
		goto out;
	}
	/* Recovery in progress: the function is being reset under us. */
	if (READ_ONCE(cce->ras.resetting)) {
		ret = -EAGAIN;
		goto out;
	}
	if (hq->enabled) {
		ret = -EBUSY;
		goto out;
	}
	if (!hq->ring_uva) {
		dev_dbg(dev, "queue %u: start before the DUS region is mapped\n",
			hq->qid);
		ret = -EINVAL;
		goto out;
	}

	/* The device starts with phase 1 and expects a zeroed CQ. */
	memset(hq->ring + cce->sq_bytes, 0, cce->ring_bytes - cce->sq_bytes);

	cce_qwritel(hq, CCE_Q_CTRL, 0);
	cce_ras_queue_restart(hq);
	ctrl = CCE_QCTRL_ENABLE;
	if (cce->features & CCE_FEAT_PRI)
		ctrl |= CCE_QCTRL_PRI_EN;
	ret = cce_queue_program(hq, hq->ring_uva,
				(hq->pasid & CCE_QPASID_PASID_MASK) |
				CCE_QPASID_EN, ctrl);
	if (ret)
		goto out;

	hq->enabled = true;
	/* A queue restarted after a reset is usable again. */
	WRITE_ONCE(hq->state, CCE_QUEUE_STATE_ACTIVE);
	dev_dbg(dev, "queue %u: enabled, pasid %u, ring at %#lx\n", hq->qid,
		hq->pasid, hq->ring_uva);
out:
	mutex_unlock(&hq->lock);
	return ret;
}

/*
 * Abort outstanding work, then disable the queue and wait until the device
 * has nothing in flight, so it never touches the process address space once
 * the PASID is unbound. A queue that does not quiesce is marked broken and
 * never reused.
 */
void cce_queue_stop(struct cce_hw_queue *hq)
{
	struct cce_device *cce = hq->cce;
	struct device *dev = &cce->pdev->dev;
	u32 sts, ctrl;
	int ret;

	mutex_lock(&hq->lock);
	if (!hq->enabled)
		goto out;

	if (cce_device_lost(cce)) {
		dev_err(dev, "queue %u: device not responding; queue retired\n",
			hq->qid);
		hq->broken = true;
		goto disabled;
	}

	/*
	 * ABORT completes what is left in the SQ with ABORTED, so a consumer
	 * that stops its queue gets every cookie back. A consumer that is gone
	 * (full CQ) or a halted queue cannot drain: disable at once, which
	 * stops a job in flight without a completion.
	 */
	sts = cce_queue_status(hq);
	if ((sts & CCE_QSTS_ENABLED) && !(sts & CCE_QSTS_ERROR)) {
		ctrl = cce_qreadl(hq, CCE_Q_CTRL) & CCE_QCTRL_RW_MASK;
		cce_qwritel(hq, CCE_Q_CTRL, ctrl | CCE_QCTRL_ABORT);
		ret = read_poll_timeout(cce_queue_status, sts,
					sts & (CCE_QSTS_DRAINED | CCE_QSTS_ERROR |
					       CCE_QSTS_CQ_FULL),
					CCE_POLL_US, cce->timeout_us, false, hq);
		if (ret)
			dev_warn(dev, "queue %u: abort did not finish (status %#x)\n",
				 hq->qid, sts);
	}

	cce_qwritel(hq, CCE_Q_CTRL, 0);
	ret = read_poll_timeout(cce_queue_status, sts,
				!(sts & CCE_QSTS_ENABLED) && (sts & CCE_QSTS_IDLE),
				CCE_POLL_US, cce->timeout_us, false, hq);
	if (ret) {
		dev_err(dev, "queue %u: did not go idle after disable (status %#x); queue retired\n",
			hq->qid, sts);
		hq->broken = true;
	}
disabled:
	hq->enabled = false;
out:
	mutex_unlock(&hq->lock);
}

/*
 * poll() support: completions the consumer has not acknowledged, an error,
 * or a queue state other than ACTIVE (reset, lost).
 */
bool cce_queue_has_news(struct cce_hw_queue *hq)
{
	u32 sts;

	if (cce_ras_queue_state(hq) != CCE_QUEUE_STATE_ACTIVE)
		return true;
	if (!READ_ONCE(hq->enabled))
		return false;

	sts = cce_queue_status(hq);
	if (sts & CCE_QSTS_ERROR)
		return true;

	return cce_qreadl(hq, CCE_Q_CQ_TAIL) != cce_qreadl(hq, CCE_Q_CQ_HEAD);
}
