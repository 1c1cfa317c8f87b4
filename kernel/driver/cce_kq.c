// SPDX-License-Identifier: GPL-2.0
/*
 * CCE kernel-owned queues: the hardware queues that serve the kernel crypto
 * API (cce_crypto*.c) instead of user space.
 *
 * Split: the last kernel_queues hardware queues belong to the kernel; they
 * are marked busy in qmap at probe so uacce never hands them out. Their DMA
 * is not PASID-tagged: the rings and every buffer are DMA API mappings, so
 * the device sends untranslated requests that the IOMMU's DMA domain
 * translates. The engine arbitrates round-robin per job between all enabled
 * queues, so neither side can starve the other.
 *
 * A job (struct cce_kjob) is one descriptor. Completions come back in SQ
 * order, so the cookie is the SQ index and the slot table maps it back to
 * the job. When the ring is full a job that may wait goes to a backlog list
 * (the crypto API's CRYPTO_TFM_REQ_MAY_BACKLOG), and is moved to the ring as
 * completions free slots; a job that may not wait is refused, and the caller
 * runs the software fallback.
 */
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "cce.h"

static unsigned int kernel_queues = 2;
module_param(kernel_queues, uint, 0444);
MODULE_PARM_DESC(kernel_queues,
		 "Hardware queues kept for the kernel crypto API: the last N queues of each device (at most half), never offered to uacce (default 2, 0 = none)");

#define CCE_KQ_POLL_US	100
/* How long completions may sit in the CQ without an interrupt. */
#define CCE_KQ_WATCHDOG	msecs_to_jiffies(50)

/**
 * struct cce_kq - software state of one kernel-owned queue
 * @hq: the hardware queue
 * @lock: protects everything below
 * @sq: submission ring (DMA coherent)
 * @cq: completion ring (DMA coherent)
 * @ring_dma: DMA address of @sq; @cq follows at cce->sq_bytes
 * @db: the queue's doorbell page
 * @sq_tail: next SQ index software writes
 * @sq_head: SQ index up to which slots are free (from completions)
 * @cq_head: next CQ index to read
 * @phase: expected phase bit of the next new completion
 * @online: accepts new jobs
 * @slots: job of each SQ index in flight
 * @backlog: jobs waiting for ring space
 * @nr_backlog: length of @backlog
 * @proc_lock: one completion pass at a time (interrupt thread, watchdog),
 *	so a backlogged job's -EINPROGRESS always precedes its completion
 * @watchdog: runs while jobs are outstanding and processes completions an
 *	interrupt never announced
 * @wd_head: CQ head at the previous watchdog run, or U32_MAX when no new
 *	completion was waiting then
 * @lost_irqs: completions found by the watchdog
 */
struct cce_kq {
	struct cce_hw_queue *hq;
	spinlock_t lock; /* see kernel-doc above */
	struct cce_desc *sq;
	struct cce_cpl *cq;
	dma_addr_t ring_dma;
	void __iomem *db;
	u32 sq_tail;
	u32 sq_head;
	u32 cq_head;
	u8 phase;
	bool online;
	struct cce_kjob **slots;
	struct list_head backlog;
	unsigned int nr_backlog;
	struct mutex proc_lock; /* see kernel-doc above */
	struct delayed_work watchdog;
	u32 wd_head;
	unsigned long lost_irqs;
};

static u32 cce_kq_used(struct cce_kq *kq, struct cce_device *cce)
{
	return (kq->sq_tail - kq->sq_head) & (cce->sq_entries - 1);
}

static bool cce_kq_full(struct cce_kq *kq, struct cce_device *cce)
{
	return cce_kq_used(kq, cce) >= cce->sq_entries - 1;
}

/* Write one descriptor at the tail; the caller rings the doorbell. */
static void cce_kq_push(struct cce_kq *kq, struct cce_device *cce,
			struct cce_kjob *job)
{
	u32 idx = kq->sq_tail;

	job->desc.cookie = idx;
	job->desc.flags |= CCE_DF_IRQ;
	kq->slots[idx] = job;
	memcpy(&kq->sq[idx], &job->desc, sizeof(job->desc));
	kq->sq_tail = (idx + 1) & (cce->sq_entries - 1);
}

static void cce_kq_ring(struct cce_kq *kq)
{
	/* Descriptors must be visible before the doorbell write. */
	dma_wmb();
	writel(kq->sq_tail, kq->db + CCE_DB_SQ_TAIL);
}

/*
 * Queue @job on one of @cce's kernel queues. Returns -EINPROGRESS (queued on
 * the ring), -EBUSY (ring full, job backlogged; only if @may_backlog), or
 * -ENOSPC / -ENODEV (not taken: the caller falls back to software).
 */
int cce_kq_submit(struct cce_device *cce, struct cce_kjob *job,
		  bool may_backlog)
{
	struct cce_kq *kq;
	unsigned int n;
	int ret;

	if (!cce->nr_kq)
		return -ENODEV;
	n = (unsigned int)atomic_inc_return(&cce->kq_next) % cce->nr_kq;
	kq = cce->queues[cce->nr_queues - cce->nr_kq + n].kq;

	spin_lock_bh(&kq->lock);
	if (!kq->online) {
		ret = -ENODEV;
	} else if (list_empty(&kq->backlog) && !cce_kq_full(kq, cce)) {
		cce_kq_push(kq, cce, job);
		cce_kq_ring(kq);
		schedule_delayed_work(&kq->watchdog, CCE_KQ_WATCHDOG);
		ret = -EINPROGRESS;
	} else if (may_backlog) {
		list_add_tail(&job->node, &kq->backlog);
		kq->nr_backlog++;
		ret = -EBUSY;
	} else {
		ret = -ENOSPC;
	}
	spin_unlock_bh(&kq->lock);

	return ret;
}

static bool cce_kq_cq_new(struct cce_kq *kq)
{
	return (READ_ONCE(kq->cq[kq->cq_head].flags) & CCE_CPL_PHASE) == kq->phase;
}

/*
 * Completion handling (threaded interrupt, or the watchdog). Completions
 * are collected under the lock; callbacks run after it is dropped, with
 * bottom halves disabled as crypto completion callbacks expect.
 */
static void cce_kq_process(struct cce_kq *kq)
{
	struct cce_hw_queue *hq = kq->hq;
	struct cce_device *cce = hq->cce;
	LIST_HEAD(moved);
	struct cce_kjob *job, *tmp;
	struct cce_cpl cpl;
	unsigned int done = 0;

	mutex_lock(&kq->proc_lock);
	local_bh_disable();
	for (;;) {
		LIST_HEAD(finished);

		spin_lock(&kq->lock);
		while (done < cce->cq_entries) {
			struct cce_cpl *e = &kq->cq[kq->cq_head];

			if ((READ_ONCE(e->flags) & CCE_CPL_PHASE) != kq->phase)
				break;
			dma_rmb();
			cpl = *e;
			if (cpl.cookie >= cce->sq_entries || !kq->slots[cpl.cookie]) {
				dev_err_ratelimited(&cce->pdev->dev,
						    "queue %u: completion with unknown cookie %#llx ignored\n",
						    hq->qid, cpl.cookie);
			} else {
				job = kq->slots[cpl.cookie];
				kq->slots[cpl.cookie] = NULL;
				job->cpl = cpl;
				list_add_tail(&job->node, &finished);
			}
			if (cpl.sq_head < cce->sq_entries)
				kq->sq_head = cpl.sq_head;
			kq->cq_head = (kq->cq_head + 1) & (cce->cq_entries - 1);
			if (!kq->cq_head)
				kq->phase ^= CCE_CPL_PHASE;
			done++;
		}
		if (done)
			writel(kq->cq_head, kq->db + CCE_DB_CQ_HEAD);
		if (list_empty(&finished)) {
			spin_unlock(&kq->lock);
			break;
		}

		/* Move backlogged jobs onto the ring as slots are free. */
		while (kq->online && !list_empty(&kq->backlog) &&
		       !cce_kq_full(kq, cce)) {
			job = list_first_entry(&kq->backlog, struct cce_kjob, node);
			list_move_tail(&job->node, &moved);
			kq->nr_backlog--;
			cce_kq_push(kq, cce, job);
		}
		if (!list_empty(&moved)) {
			cce_kq_ring(kq);
			schedule_delayed_work(&kq->watchdog, CCE_KQ_WATCHDOG);
		}
		spin_unlock(&kq->lock);

		/* -EINPROGRESS notifications go out before any completion. */
		list_for_each_entry_safe(job, tmp, &moved, node) {
			list_del_init(&job->node);
			job->backlog_done(job);
		}
		list_for_each_entry_safe(job, tmp, &finished, node) {
			list_del_init(&job->node);
			job->complete(job, &job->cpl);
		}
		done = 0;
	}
	local_bh_enable();
	mutex_unlock(&kq->proc_lock);
}

static irqreturn_t cce_kq_irq_thread(int irq, void *data)
{
	struct cce_hw_queue *hq = data;

	cce_kq_process(hq->kq);

	return IRQ_HANDLED;
}

/*
 * A completion whose MSI-X message never arrives would leave its request
 * waiting forever (seen in the testbed while an SVA bind reconfigures the
 * device's IOMMU context). The watchdog picks such completions up.
 */
static void cce_kq_watchdog(struct work_struct *work)
{
	struct cce_kq *kq = container_of(to_delayed_work(work), struct cce_kq,
					 watchdog);
	struct cce_device *cce = kq->hq->cce;
	bool lost, busy;

	/*
	 * Lost only if the same new completion already waited at the previous
	 * run: one that just arrived may have its interrupt on the way.
	 */
	spin_lock_bh(&kq->lock);
	lost = cce_kq_cq_new(kq) && kq->wd_head == kq->cq_head;
	kq->wd_head = cce_kq_cq_new(kq) ? kq->cq_head : U32_MAX;
	spin_unlock_bh(&kq->lock);
	if (lost) {
		kq->lost_irqs++;
		dev_warn_ratelimited(&cce->pdev->dev,
				     "kernel queue %u: completions without an interrupt (%lu times)\n",
				     kq->hq->qid, kq->lost_irqs);
		cce_kq_process(kq);
	}

	spin_lock_bh(&kq->lock);
	busy = kq->online && cce_kq_used(kq, cce);
	if (busy)
		schedule_delayed_work(&kq->watchdog, CCE_KQ_WATCHDOG);
	spin_unlock_bh(&kq->lock);
}

/* Allocate the rings of the kernel queues and keep them away from uacce. */
int cce_kq_init(struct cce_device *cce)
{
	struct device *dev = &cce->pdev->dev;
	unsigned int i, nr = min(kernel_queues, cce->nr_queues / 2);

	for (i = cce->nr_queues - nr; i < cce->nr_queues; i++) {
		struct cce_hw_queue *hq = &cce->queues[i];
		struct cce_kq *kq;

		kq = devm_kzalloc(dev, sizeof(*kq), GFP_KERNEL);
		if (!kq)
			return -ENOMEM;
		kq->slots = devm_kcalloc(dev, cce->sq_entries, sizeof(*kq->slots),
					 GFP_KERNEL);
		if (!kq->slots)
			return -ENOMEM;
		kq->sq = dmam_alloc_coherent(dev, cce->ring_bytes, &kq->ring_dma,
					     GFP_KERNEL);
		if (!kq->sq)
			return -ENOMEM;
		kq->cq = (void *)kq->sq + cce->sq_bytes;
		kq->db = devm_ioremap(dev, cce->db_phys + i * CCE_DB_PAGE_SIZE,
				      CCE_DB_PAGE_SIZE);
		if (!kq->db)
			return -ENOMEM;
		kq->hq = hq;
		spin_lock_init(&kq->lock);
		mutex_init(&kq->proc_lock);
		kq->wd_head = U32_MAX;
		INIT_DELAYED_WORK(&kq->watchdog, cce_kq_watchdog);
		INIT_LIST_HEAD(&kq->backlog);
		hq->kq = kq;

		spin_lock(&cce->qlock);
		__set_bit(i, cce->qmap);
		spin_unlock(&cce->qlock);
	}
	cce->nr_kq = nr;
	atomic_set(&cce->kq_next, 0);

	return 0;
}

int cce_kq_request_irq(struct cce_hw_queue *hq, const char *name)
{
	return devm_request_threaded_irq(&hq->cce->pdev->dev, hq->irq, NULL,
					 cce_kq_irq_thread, IRQF_ONESHOT, name,
					 hq);
}

static u32 cce_kq_status(struct cce_hw_queue *hq)
{
	return cce_qreadl(hq, CCE_Q_STATUS);
}

/* Program and enable every kernel queue: no PASID, no page requests. */
int cce_kq_start(struct cce_device *cce)
{
	struct device *dev = &cce->pdev->dev;
	unsigned int i;
	int ret;

	for (i = cce->nr_queues - cce->nr_kq; i < cce->nr_queues; i++) {
		struct cce_hw_queue *hq = &cce->queues[i];
		struct cce_kq *kq = hq->kq;

		memset(kq->cq, 0, cce->ring_bytes - cce->sq_bytes);
		kq->sq_tail = 0;
		kq->sq_head = 0;
		kq->cq_head = 0;
		kq->phase = CCE_CPL_PHASE;

		cce_qwritel(hq, CCE_Q_CTRL, 0);
		ret = cce_queue_program(hq, kq->ring_dma, 0, CCE_QCTRL_ENABLE);
		if (ret)
			return ret;
		spin_lock_bh(&kq->lock);
		kq->online = true;
		spin_unlock_bh(&kq->lock);
		hq->enabled = true;
	}
	if (cce->nr_kq)
		dev_info(dev, "kernel queues %u..%u (no PASID, DMA API); uacce queues 0..%u\n",
			 cce->nr_queues - cce->nr_kq, cce->nr_queues - 1,
			 cce->nr_queues - cce->nr_kq - 1);

	return 0;
}

/* Complete @list's jobs as ABORTED: their owners redo them in software. */
static void cce_kq_hand_back(struct list_head *list, bool backlogged)
{
	struct cce_kjob *job, *tmp;

	list_for_each_entry_safe(job, tmp, list, node) {
		list_del_init(&job->node);
		memset(&job->cpl, 0, sizeof(job->cpl));
		job->cpl.status = CCE_ST_ABORTED;
		if (backlogged)
			job->backlog_done(job);
		local_bh_disable();
		job->complete(job, &job->cpl);
		local_bh_enable();
	}
}

/*
 * Wait until every kernel queue in @cce finished its abort and software
 * consumed the aborted completions. Gives up after timeout_us, or earlier
 * when nothing moved for CCE_KQ_STALL_MS: an aborted job completes at once
 * (or at the in-flight job's next chunk), so a queue that stays silent that
 * long is hung (ABORT has no effect on a hung queue; disabling it does).
 */
#define CCE_KQ_STALL_MS	500
static void cce_kq_wait_aborted(struct cce_device *cce)
{
	unsigned long start = jiffies, moved = jiffies;
	unsigned long end = start + usecs_to_jiffies(cce->timeout_us);
	u32 prev = U32_MAX;
	unsigned int i;

	for (;;) {
		u32 pending = 0;

		for (i = cce->nr_queues - cce->nr_kq; i < cce->nr_queues; i++) {
			struct cce_hw_queue *hq = &cce->queues[i];
			u32 sts;

			if (!hq->enabled)
				continue;
			sts = cce_kq_status(hq);
			if (!(sts & (CCE_QSTS_DRAINED | CCE_QSTS_ERROR)))
				pending += 1u << 16;
			pending += cce_kq_used(hq->kq, cce);
		}
		if (!pending)
			return;
		if (pending != prev) {
			prev = pending;
			moved = jiffies;
		}
		if (time_after(jiffies, end) ||
		    time_after(jiffies, moved + msecs_to_jiffies(CCE_KQ_STALL_MS)))
			break;
		usleep_range(CCE_KQ_POLL_US, 2 * CCE_KQ_POLL_US);
	}
	dev_warn(&cce->pdev->dev,
		 "kernel queues: abort incomplete after %u ms (%u queue(s) not drained, %u job(s) outstanding); disabling them, what is left is redone in software\n",
		 jiffies_to_msecs(jiffies - start),
		 prev >> 16, prev & 0xffff);
}

/*
 * Stop taking jobs, abort what the device holds (every job completes, with
 * ABORTED if it had not run; the completion callbacks then redo it in
 * software), wait until the completions are consumed, then disable. Jobs
 * still in the backlog are completed as aborted too.
 *
 * All kernel queues are aborted together and waited for once, so a reset
 * costs one wait, not one per queue; on a device that is gone (model
 * crashed, all-ones reads, marked dead) nothing will complete and there is
 * no wait at all: the jobs are handed back after the queues are disabled.
 */
void cce_kq_stop(struct cce_device *cce)
{
	struct device *dev = &cce->pdev->dev;
	unsigned int first = cce->nr_queues - cce->nr_kq, i;
	bool gone = READ_ONCE(cce->ras.dead) || cce_device_lost(cce);
	u32 sts;

	for (i = first; i < cce->nr_queues; i++) {
		struct cce_kq *kq = cce->queues[i].kq;
		LIST_HEAD(backlog);

		spin_lock_bh(&kq->lock);
		kq->online = false;
		list_splice_init(&kq->backlog, &backlog);
		kq->nr_backlog = 0;
		spin_unlock_bh(&kq->lock);
		cce_kq_hand_back(&backlog, true);
	}

	if (!gone) {
		for (i = first; i < cce->nr_queues; i++)
			if (cce->queues[i].enabled)
				cce_qwritel(&cce->queues[i], CCE_Q_CTRL,
					    CCE_QCTRL_ENABLE | CCE_QCTRL_ABORT);
		cce_kq_wait_aborted(cce);
	}

	for (i = first; i < cce->nr_queues; i++) {
		struct cce_hw_queue *hq = &cce->queues[i];
		struct cce_kq *kq = hq->kq;
		LIST_HEAD(lost);
		u32 idx;

		if (!hq->enabled)
			continue;
		cce_qwritel(hq, CCE_Q_CTRL, 0);
		if (!gone && read_poll_timeout(cce_kq_status, sts, sts & CCE_QSTS_IDLE,
					       CCE_KQ_POLL_US, cce->timeout_us, false, hq))
			dev_err(dev, "kernel queue %u: not idle after disable (status %#x)\n",
				i, sts);
		hq->enabled = false;

		/* The queue issues no more DMA: hand back what never completed. */
		synchronize_irq(hq->irq);
		cancel_delayed_work_sync(&kq->watchdog);
		cce_kq_process(kq);
		spin_lock_bh(&kq->lock);
		for (idx = 0; idx < cce->sq_entries; idx++) {
			if (!kq->slots[idx])
				continue;
			list_add_tail(&kq->slots[idx]->node, &lost);
			kq->slots[idx] = NULL;
		}
		kq->sq_head = kq->sq_tail;
		spin_unlock_bh(&kq->lock);
		if (!list_empty(&lost))
			dev_info(dev, "kernel queue %u: %zu job(s) without a completion redone in software\n",
				 i, list_count_nodes(&lost));
		cce_kq_hand_back(&lost, false);
	}
}
