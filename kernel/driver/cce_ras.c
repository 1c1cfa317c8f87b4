// SPDX-License-Identifier: GPL-2.0
/*
 * CCE RAS: error interrupt decoding, function reset and restore, PCIe AER
 * and FLR callbacks, a watchdog for hung queues and lost devices, isolation
 * (uacce isolate_strategy) and the sysfs error counters.
 *
 * Recovery never reuses a queue behind its owner's back: a queue whose
 * hardware was reset keeps its slot (and doorbell page) until the owner
 * closes it or restarts it, and reports CCE_QUEUE_STATE_RESET meanwhile.
 */
#include <linux/bitmap.h>
#include <linux/iopoll.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sysfs.h>
#include <linux/uacce.h>

#include "cce.h"
#include <cce/cce_uacce.h>

static unsigned int hang_timeout_ms = 2000;
module_param(hang_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hang_timeout_ms,
		 "A queue with submitted work and no progress for this long is aborted as hung, in ms (0: no watchdog; default 2000)");

#define CCE_RAS_HOUR		(3600UL * HZ)
#define CCE_RAS_ABORT_US	(500 * USEC_PER_MSEC)
#define CCE_RAS_POLL_US		100

static const char * const cce_qerr_names[] = {
	"doorbell beyond the SQ",
	"CQ head doorbell beyond the CQ",
	"bad ring configuration",
	"descriptor fetch failed",
	"completion write failed",
	"doorbell while disabled",
};

static void cce_ras_inc(struct cce_device *cce, enum cce_ras_counter c)
{
	atomic64_inc(&cce->ras.cnt[c]);
}

u32 cce_ras_queue_state(struct cce_hw_queue *hq)
{
	if (READ_ONCE(hq->cce->ras.dead))
		return CCE_QUEUE_STATE_LOST;

	return READ_ONCE(hq->state);
}

bool cce_ras_isolated(struct cce_device *cce)
{
	return READ_ONCE(cce->ras.isolated) || READ_ONCE(cce->ras.dead);
}

/*
 * Count one device error (uncorrectable error, hang, AER event) toward
 * isolation: more than isolate_strategy errors within an hour isolate the
 * device (uacce semantics: no new queues until the threshold is written
 * again).
 */
void cce_ras_count_error(struct cce_device *cce, const char *what)
{
	struct cce_ras *ras = &cce->ras;
	unsigned long flags;
	bool isolate = false;
	u32 n, limit;

	spin_lock_irqsave(&ras->isolate_lock, flags);
	if (!ras->window_errors ||
	    time_after(jiffies, ras->window_start + CCE_RAS_HOUR)) {
		ras->window_start = jiffies;
		ras->window_errors = 0;
	}
	n = ++ras->window_errors;
	limit = ras->isolate_threshold;
	if (limit && n > limit && !ras->isolated) {
		WRITE_ONCE(ras->isolated, true);
		isolate = true;
	}
	spin_unlock_irqrestore(&ras->isolate_lock, flags);

	if (isolate)
		dev_err(&cce->pdev->dev,
			"isolated: %u errors within an hour (last: %s) exceed isolate_strategy %u; no new queues\n",
			n, what, limit);
}

/*
 * Take every enabled queue away from the hardware before a reset: the
 * software state says disabled, the owner sees @state. Called with
 * reset_lock held (or from AER, which serialises itself).
 */
static void cce_ras_quiesce(struct cce_device *cce, u32 state)
{
	unsigned int i;

	WRITE_ONCE(cce->ras.resetting, true);
	for (i = 0; i < cce->nr_queues; i++) {
		struct cce_hw_queue *hq = &cce->queues[i];

		mutex_lock(&hq->lock);
		if (hq->ring && (hq->enabled || state == CCE_QUEUE_STATE_LOST)) {
			/*
			 * Stop the queue in hardware now, not only at the
			 * reset that follows: no completion lands after the
			 * owner was told its jobs are lost.
			 */
			if (hq->enabled && state == CCE_QUEUE_STATE_RESET &&
			    !cce_device_lost(cce))
				cce_qwritel(hq, CCE_Q_CTRL, 0);
			hq->enabled = false;
			WRITE_ONCE(hq->state, state);
			if (state == CCE_QUEUE_STATE_RESET)
				dev_warn(&cce->pdev->dev,
					 "queue %u pasid %u: reset: jobs in flight are lost\n",
					 hq->qid, hq->pasid);
		}
		/* Under hq->lock: the owner cannot free its uacce queue. */
		cce_wake_queue(hq);
		mutex_unlock(&hq->lock);
	}
}

/*
 * Kernel-owned queues (crypto API) across a reset: taken off the device
 * before it (what the device holds is aborted and redone in software,
 * requests meanwhile run in software), programmed again after it.
 */
static void cce_ras_kq_suspend(struct cce_device *cce)
{
	if (!cce->nr_kq || cce->ras.kq_suspended)
		return;
	cce->ras.kq_suspended = true;
	cce_crypto_suspend(cce);
	cce_kq_stop(cce);
}

static void cce_ras_kq_resume(struct cce_device *cce)
{
	if (!cce->ras.kq_suspended || READ_ONCE(cce->ras.dead))
		return;
	if (cce_kq_start(cce)) {
		dev_err(&cce->pdev->dev,
			"kernel queues did not come back after the reset; crypto requests stay in software\n");
		return;
	}
	cce->ras.kq_suspended = false;
	cce_crypto_resume(cce);
	dev_info(&cce->pdev->dev, "kernel queues back after reset\n");
}

static void cce_ras_mark_dead(struct cce_device *cce, const char *why)
{
	if (!READ_ONCE(cce->ras.dead)) {
		cce_ras_inc(cce, CCE_RAS_CNT_LOST);
		dev_err(&cce->pdev->dev,
			"device lost: %s; every queue reports the lost state, new opens fail\n",
			why);
	}
	WRITE_ONCE(cce->ras.dead, true);
	cce_ras_quiesce(cce, CCE_QUEUE_STATE_LOST);
	cce_ras_kq_suspend(cce);
}

/*
 * While the AER core recovers the device (from error_detected to resume)
 * the link may be in reset and every register reads all ones: that is not
 * a lost device, and the AER callbacks do the reset and restore.
 */
static bool cce_ras_aer_owns(struct cce_device *cce)
{
	return pci_channel_offline(cce->pdev);
}

/* Reset the function and restore its configuration. reset_lock held. */
static void cce_ras_reset_restore(struct cce_device *cce, const char *why)
{
	struct device *dev = &cce->pdev->dev;

	if (READ_ONCE(cce->ras.dead))
		return;
	if (cce_ras_aer_owns(cce)) {
		dev_info(dev, "recovery: %s: left to the AER recovery in progress\n", why);
		return;
	}
	if (cce_device_lost(cce)) {
		cce_ras_mark_dead(cce, "registers read all ones");
		return;
	}
	dev_err(dev, "recovery: %s: resetting the function\n", why);
	cce_ras_quiesce(cce, CCE_QUEUE_STATE_RESET);
	cce_ras_kq_suspend(cce);
	if (cce_hw_start(cce)) {
		cce_ras_mark_dead(cce, "function reset did not restore the device");
		return;
	}
	cce_ras_kq_resume(cce);
	cce_ras_inc(cce, CCE_RAS_CNT_RESET);
	WRITE_ONCE(cce->ras.resetting, false);
	dev_info(dev, "recovery: function reset done; open queues report the reset state\n");
}

static void cce_ras_recover_work(struct work_struct *work)
{
	struct cce_device *cce = container_of(work, struct cce_device,
					      ras.recover_work);
	const char *why = READ_ONCE(cce->ras.recover_why);

	mutex_lock(&cce->ras.reset_lock);
	if (!READ_ONCE(cce->ras.stopping))
		cce_ras_reset_restore(cce, why ? why : "requested");
	mutex_unlock(&cce->ras.reset_lock);
}

static void cce_ras_request_recovery(struct cce_device *cce, const char *why)
{
	if (READ_ONCE(cce->ras.stopping) || READ_ONCE(cce->ras.dead))
		return;
	WRITE_ONCE(cce->ras.recover_why, why);
	schedule_work(&cce->ras.recover_work);
}

static void cce_ras_log_qerr(struct cce_hw_queue *hq, u32 err, u32 sts)
{
	struct device *dev = &hq->cce->pdev->dev;
	unsigned long bits = err;
	unsigned int b;

	for_each_set_bit(b, &bits, 32) {
		if (b < ARRAY_SIZE(cce_qerr_names))
			dev_err_ratelimited(dev, "queue %u pasid %u: queue error: %s (Q_ERR %#x, status %#x)\n",
					    hq->qid, hq->pasid, cce_qerr_names[b],
					    err, sts);
		else
			dev_err_ratelimited(dev, "queue %u pasid %u: queue error: unknown bit %u (Q_ERR %#x, status %#x)\n",
					    hq->qid, hq->pasid, b, err, sts);
	}
}

/*
 * A queue restarted by its owner: the error vector may not have run yet
 * (the MSI can arrive after the owner saw the halt in the queue status),
 * so count and log what it has not, before the restart clears Q_ERR.
 * hq->lock held.
 */
void cce_ras_queue_restart(struct cce_hw_queue *hq)
{
	u32 err = cce_qreadl(hq, CCE_Q_ERR);

	if (err != U32_MAX && (err & ~hq->qerr_seen)) {
		cce_ras_inc(hq->cce, CCE_RAS_CNT_QUEUE);
		cce_ras_log_qerr(hq, err & ~hq->qerr_seen,
				 cce_qreadl(hq, CCE_Q_STATUS));
	}
	hq->qerr_seen = 0;
}

/* Error vector: decode, count, log, clear; recovery runs in a work item. */
irqreturn_t cce_ras_irq(struct cce_device *cce)
{
	struct device *dev = &cce->pdev->dev;
	DECLARE_BITMAP(qerr, CCE_MAX_QUEUES);
	unsigned int qid;
	u64 summary, info;
	u32 ras, gsts;

	if (READ_ONCE(cce->ras.dead))
		return IRQ_HANDLED;

	ras = cce_readl(cce, CCE_REG_RAS_STATUS);
	if (ras == U32_MAX && cce_ras_aer_owns(cce))
		return IRQ_HANDLED;
	if (ras == U32_MAX && cce_device_lost(cce)) {
		/* The work item sees the all-ones ID and marks the device lost. */
		cce_ras_request_recovery(cce, "error interrupt with registers reading all ones");
		return IRQ_HANDLED;
	}
	if (!ras)
		return IRQ_NONE;

	gsts = cce_readl(cce, CCE_REG_GSTS);
	info = cce_readq(cce, CCE_REG_RAS_ERR_INFO);
	summary = cce_readq(cce, CCE_REG_QERR_SUMMARY);

	if (ras & CCE_RAS_CE_INTERNAL) {
		cce_ras_inc(cce, CCE_RAS_CNT_CE);
		dev_warn_ratelimited(dev, "correctable internal error: corrected by the device (CE count %u, info %#llx)\n",
				     cce_readl(cce, CCE_REG_RAS_CE_COUNT), info);
	}
	if (ras & CCE_RAS_UE_INTERNAL) {
		cce_ras_inc(cce, CCE_RAS_CNT_UE);
		dev_err_ratelimited(dev, "uncorrectable internal error (UE count %u, info %#llx, GSTS %#x)\n",
				    cce_readl(cce, CCE_REG_RAS_UE_COUNT), info,
				    gsts);
		cce_ras_count_error(cce, "uncorrectable internal error");
	}
	if (ras & CCE_RAS_DMA_ERROR) {
		cce_ras_inc(cce, CCE_RAS_CNT_DMA);
		dev_err_ratelimited(dev, "DMA error: host refused an access at %#llx\n",
				    info);
	}
	if (ras & CCE_RAS_QUEUE_ERROR) {
		bitmap_from_arr64(qerr, &summary, CCE_MAX_QUEUES);
		for_each_set_bit(qid, qerr, cce->nr_queues) {
			struct cce_hw_queue *hq = &cce->queues[qid];
			u32 err = cce_qreadl(hq, CCE_Q_ERR);
			u32 sts = cce_qreadl(hq, CCE_Q_STATUS);

			if (err & ~hq->qerr_seen) {
				cce_ras_inc(cce, CCE_RAS_CNT_QUEUE);
				cce_ras_log_qerr(hq, err & ~hq->qerr_seen, sts);
			}
			hq->qerr_seen |= err;
			/* A disabled queue keeps nothing to report: clear it. */
			if (!(sts & CCE_QSTS_ENABLED))
				cce_qwritel(hq, CCE_Q_ERR, err);
			cce_wake_queue(hq);
		}
	}
	if (ras & ~(CCE_RAS_CE_INTERNAL | CCE_RAS_UE_INTERNAL |
		    CCE_RAS_DMA_ERROR | CCE_RAS_QUEUE_ERROR))
		dev_err_ratelimited(dev, "unknown RAS status bits %#x\n", ras);

	cce_writel(cce, CCE_REG_RAS_STATUS, ras);

	if (gsts & CCE_GSTS_FATAL)
		cce_ras_request_recovery(cce, "uncorrectable error latched (GSTS.FATAL)");

	return IRQ_HANDLED;
}

/* ------------------------------------------------------------------ */
/* Watchdog                                                           */
/* ------------------------------------------------------------------ */

static unsigned long cce_ras_wd_period(void)
{
	unsigned int ms = READ_ONCE(hang_timeout_ms);

	/* With the watchdog off, still look for a lost device once a second. */
	return msecs_to_jiffies(ms ? max(ms / 2, 100U) : 1000U);
}

/*
 * Abort a hung queue: ABORT (completions with ABORTED for what is left),
 * then disable. Returns false when the queue does not stop: the caller
 * resets the function. hq->lock held.
 */
static bool cce_ras_abort_queue(struct cce_hw_queue *hq)
{
	struct cce_device *cce = hq->cce;
	u32 sts, ctrl;
	int ret;

	ctrl = cce_qreadl(hq, CCE_Q_CTRL) & CCE_QCTRL_RW_MASK;
	cce_qwritel(hq, CCE_Q_CTRL, ctrl | CCE_QCTRL_ABORT);
	ret = readl_poll_timeout(cce->regs + CCE_QREG(hq->qid, CCE_Q_STATUS), sts,
				 sts & (CCE_QSTS_DRAINED | CCE_QSTS_ERROR |
					CCE_QSTS_CQ_FULL),
				 CCE_RAS_POLL_US, CCE_RAS_ABORT_US);
	cce_qwritel(hq, CCE_Q_CTRL, 0);
	ret = readl_poll_timeout(cce->regs + CCE_QREG(hq->qid, CCE_Q_STATUS), sts,
				 !(sts & CCE_QSTS_ENABLED) && (sts & CCE_QSTS_IDLE),
				 CCE_RAS_POLL_US, CCE_RAS_ABORT_US);

	return !ret;
}

/* Returns true when the function must be reset. */
static bool cce_ras_check_queue(struct cce_hw_queue *hq, unsigned long timeout)
{
	struct cce_device *cce = hq->cce;
	struct device *dev = &cce->pdev->dev;
	u32 sts, sq_head, sq_tail, cq_tail;
	bool reset = false;
	u64 sig;

	mutex_lock(&hq->lock);
	if (!hq->enabled || hq->state != CCE_QUEUE_STATE_ACTIVE)
		goto out;
	if (hq->kq && cce->ras.kq_suspended)
		goto out;

	sts = cce_qreadl(hq, CCE_Q_STATUS);
	sq_head = cce_qreadl(hq, CCE_Q_SQ_HEAD);
	sq_tail = cce_qreadl(hq, CCE_Q_SQ_TAIL);
	cq_tail = cce_qreadl(hq, CCE_Q_CQ_TAIL);
	/*
	 * Progress of this queue alone: its ring indices, and the bytes its
	 * DMA moved, which advance inside a long job too (so a slow job is not
	 * a hang, and a busy neighbour does not hide one).
	 */
	sig = (((u64)sq_head << 32) | cq_tail) ^
	      cce_readq(cce, CCE_QREG(hq->qid, CCE_Q_STAT_DMA_BYTES));

	/*
	 * Not hung: nothing submitted, halted (reported by the error
	 * interrupt), or stalled by its consumer (CQ full).
	 */
	if ((sq_head == sq_tail && (sts & CCE_QSTS_IDLE)) ||
	    (sts & (CCE_QSTS_ERROR | CCE_QSTS_CQ_FULL)) || sig != hq->wd_sig) {
		hq->wd_sig = sig;
		hq->wd_since = jiffies;
		goto out;
	}
	if (time_before(jiffies, hq->wd_since + timeout))
		goto out;

	cce_ras_inc(cce, CCE_RAS_CNT_HANG);
	dev_err(dev, "queue %u pasid %u: hang: no progress for %u ms (SQ head %u tail %u, CQ tail %u, status %#x); aborting the queue\n",
		hq->qid, hq->pasid, jiffies_to_msecs(jiffies - hq->wd_since),
		sq_head, sq_tail, cq_tail, sts);
	cce_ras_count_error(cce, "hung queue");
	if (hq->kq) {
		/* Kernel queue: a function reset, its jobs redone in software. */
		dev_err(dev, "queue %u (kernel): hang: resetting the function\n", hq->qid);
		reset = true;
		goto out;
	}
	if (cce_ras_abort_queue(hq)) {
		hq->enabled = false;
		WRITE_ONCE(hq->state, CCE_QUEUE_STATE_RESET);
		dev_err(dev, "queue %u pasid %u: hang: queue aborted and disabled; owner sees the reset state\n",
			hq->qid, hq->pasid);
	} else {
		dev_err(dev, "queue %u pasid %u: hang: queue did not stop\n",
			hq->qid, hq->pasid);
		reset = true;
	}
	cce_wake_queue(hq);
out:
	mutex_unlock(&hq->lock);
	return reset;
}

static void cce_ras_watchdog(struct work_struct *work)
{
	struct cce_device *cce = container_of(to_delayed_work(work),
					      struct cce_device, ras.watchdog);
	unsigned long timeout = msecs_to_jiffies(READ_ONCE(hang_timeout_ms));
	bool reset = false;
	unsigned int i;

	if (READ_ONCE(cce->ras.stopping))
		return;
	if (!timeout || READ_ONCE(cce->ras.dead) ||
	    !mutex_trylock(&cce->ras.reset_lock))
		goto rearm;

	if (cce_ras_aer_owns(cce))
		goto unlock;
	if (cce_device_lost(cce)) {
		cce_ras_mark_dead(cce, "registers read all ones (watchdog)");
		goto unlock;
	}

	for (i = 0; i < cce->nr_queues; i++)
		reset |= cce_ras_check_queue(&cce->queues[i], timeout);
	if (reset)
		cce_ras_reset_restore(cce, "a hung queue did not stop");
unlock:
	mutex_unlock(&cce->ras.reset_lock);
rearm:
	if (!READ_ONCE(cce->ras.stopping) && !READ_ONCE(cce->ras.dead))
		schedule_delayed_work(&cce->ras.watchdog, cce_ras_wd_period());
}

/* ------------------------------------------------------------------ */
/* PCIe AER and FLR                                                   */
/* ------------------------------------------------------------------ */

static pci_ers_result_t cce_error_detected(struct pci_dev *pdev,
					   pci_channel_state_t state)
{
	struct cce_device *cce = pci_get_drvdata(pdev);

	cce_ras_inc(cce, CCE_RAS_CNT_AER);
	dev_err(&pdev->dev, "AER: %s error reported\n",
		state == pci_channel_io_normal ? "non-fatal" :
		state == pci_channel_io_frozen ? "fatal (link frozen)" :
		"permanent");
	cce_ras_count_error(cce, "AER event");

	mutex_lock(&cce->ras.reset_lock);
	if (state == pci_channel_io_perm_failure || READ_ONCE(cce->ras.dead)) {
		cce_ras_mark_dead(cce, "AER permanent failure");
		mutex_unlock(&cce->ras.reset_lock);
		return PCI_ERS_RESULT_DISCONNECT;
	}
	cce_ras_quiesce(cce, CCE_QUEUE_STATE_RESET);
	cce_ras_kq_suspend(cce);
	mutex_unlock(&cce->ras.reset_lock);

	return PCI_ERS_RESULT_NEED_RESET;
}

static pci_ers_result_t cce_slot_reset(struct pci_dev *pdev)
{
	struct cce_device *cce = pci_get_drvdata(pdev);
	pci_ers_result_t ret = PCI_ERS_RESULT_RECOVERED;

	pci_restore_state(pdev);
	pci_save_state(pdev);

	mutex_lock(&cce->ras.reset_lock);
	if (cce_device_lost(cce)) {
		cce_ras_mark_dead(cce, "registers read all ones after the slot reset");
		ret = PCI_ERS_RESULT_DISCONNECT;
	} else if (cce_hw_start(cce)) {
		cce_ras_mark_dead(cce, "device did not come back after the slot reset");
		ret = PCI_ERS_RESULT_DISCONNECT;
	} else {
		cce_ras_inc(cce, CCE_RAS_CNT_RESET);
		cce_ras_kq_resume(cce);
		dev_info(&pdev->dev, "AER: slot reset done, device re-initialised\n");
	}
	mutex_unlock(&cce->ras.reset_lock);

	return ret;
}

static void cce_resume(struct pci_dev *pdev)
{
	struct cce_device *cce = pci_get_drvdata(pdev);

	if (READ_ONCE(cce->ras.dead))
		return;
	WRITE_ONCE(cce->ras.resetting, false);
	dev_info(&pdev->dev, "AER: recovered; open queues report the reset state, new opens work\n");
}

/* FLR (sysfs "reset", VFIO, ...): the PCI core saves and restores config. */
static void cce_reset_prepare(struct pci_dev *pdev)
{
	struct cce_device *cce = pci_get_drvdata(pdev);

	/* Released in cce_reset_done(), which the PCI core always calls. */
	mutex_lock(&cce->ras.reset_lock);
	if (READ_ONCE(cce->ras.dead))
		return;
	dev_info(&pdev->dev, "function level reset requested: stopping queues\n");
	cce_ras_quiesce(cce, CCE_QUEUE_STATE_RESET);
	cce_ras_kq_suspend(cce);
	cce_writel(cce, CCE_REG_INTCFG, 0);
}

static void cce_reset_done(struct pci_dev *pdev)
{
	struct cce_device *cce = pci_get_drvdata(pdev);

	if (READ_ONCE(cce->ras.dead))
		goto out;
	if (cce_device_lost(cce)) {
		cce_ras_mark_dead(cce, "registers read all ones after the reset");
		goto out;
	}
	if (cce_hw_start(cce)) {
		cce_ras_mark_dead(cce, "device did not come back after the reset");
		goto out;
	}
	cce_ras_inc(cce, CCE_RAS_CNT_RESET);
	WRITE_ONCE(cce->ras.resetting, false);
	cce_ras_kq_resume(cce);
	dev_info(&pdev->dev, "function level reset done; open queues report the reset state\n");
out:
	mutex_unlock(&cce->ras.reset_lock);
}

const struct pci_error_handlers cce_err_handlers = {
	.error_detected	= cce_error_detected,
	.slot_reset	= cce_slot_reset,
	.resume		= cce_resume,
	.reset_prepare	= cce_reset_prepare,
	.reset_done	= cce_reset_done,
};

/* ------------------------------------------------------------------ */
/* uacce isolation                                                    */
/* ------------------------------------------------------------------ */

int cce_ras_isolate_threshold_write(struct cce_device *cce, u32 num)
{
	struct cce_ras *ras = &cce->ras;
	unsigned long flags;

	/* A new policy starts a new window and lifts an isolation. */
	spin_lock_irqsave(&ras->isolate_lock, flags);
	ras->isolate_threshold = num;
	ras->window_errors = 0;
	WRITE_ONCE(ras->isolated, false);
	spin_unlock_irqrestore(&ras->isolate_lock, flags);

	return 0;
}

u32 cce_ras_isolate_threshold_read(struct cce_device *cce)
{
	return READ_ONCE(cce->ras.isolate_threshold);
}

/* ------------------------------------------------------------------ */
/* sysfs: <pci device>/ras/                                           */
/* ------------------------------------------------------------------ */

struct cce_ras_attr {
	struct device_attribute attr;
	enum cce_ras_counter counter;
};

static ssize_t cce_ras_counter_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct cce_ras_attr *ra = container_of(attr, struct cce_ras_attr, attr);
	struct cce_device *cce = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&cce->ras.cnt[ra->counter]));
}

#define CCE_RAS_ATTR(_name, _counter)					\
	static struct cce_ras_attr cce_ras_attr_##_name = {		\
		.attr = __ATTR(_name, 0444, cce_ras_counter_show, NULL),	\
		.counter = _counter,					\
	}

CCE_RAS_ATTR(correctable, CCE_RAS_CNT_CE);
CCE_RAS_ATTR(uncorrectable, CCE_RAS_CNT_UE);
CCE_RAS_ATTR(queue_errors, CCE_RAS_CNT_QUEUE);
CCE_RAS_ATTR(dma_errors, CCE_RAS_CNT_DMA);
CCE_RAS_ATTR(hangs, CCE_RAS_CNT_HANG);
CCE_RAS_ATTR(resets, CCE_RAS_CNT_RESET);
CCE_RAS_ATTR(aer_events, CCE_RAS_CNT_AER);
CCE_RAS_ATTR(device_lost, CCE_RAS_CNT_LOST);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct cce_device *cce = dev_get_drvdata(dev);

	if (READ_ONCE(cce->ras.dead))
		return sysfs_emit(buf, "lost\n");
	if (READ_ONCE(cce->ras.resetting))
		return sysfs_emit(buf, "resetting\n");
	if (READ_ONCE(cce->ras.isolated))
		return sysfs_emit(buf, "isolated\n");

	return sysfs_emit(buf, "ok\n");
}
static DEVICE_ATTR_RO(state);

static struct attribute *cce_ras_attrs[] = {
	&cce_ras_attr_correctable.attr.attr,
	&cce_ras_attr_uncorrectable.attr.attr,
	&cce_ras_attr_queue_errors.attr.attr,
	&cce_ras_attr_dma_errors.attr.attr,
	&cce_ras_attr_hangs.attr.attr,
	&cce_ras_attr_resets.attr.attr,
	&cce_ras_attr_aer_events.attr.attr,
	&cce_ras_attr_device_lost.attr.attr,
	&dev_attr_state.attr,
	NULL
};

const struct attribute_group cce_ras_group = {
	.name	= "ras",
	.attrs	= cce_ras_attrs,
};

/* ------------------------------------------------------------------ */
/* Life cycle                                                         */
/* ------------------------------------------------------------------ */

void cce_ras_init(struct cce_device *cce)
{
	struct cce_ras *ras = &cce->ras;
	unsigned int i;

	for (i = 0; i < CCE_RAS_NR_COUNTERS; i++)
		atomic64_set(&ras->cnt[i], 0);
	mutex_init(&ras->reset_lock);
	spin_lock_init(&ras->isolate_lock);
	INIT_WORK(&ras->recover_work, cce_ras_recover_work);
	INIT_DELAYED_WORK(&ras->watchdog, cce_ras_watchdog);
}

/*
 * The engine reports its internal errors through AER as Corrected Internal
 * Error and Uncorrectable Internal Error, both masked by default (PCIe
 * r6.0, 7.8.4). Unmask them so the AER core sees them and calls our
 * error handlers; call before pci_save_state() so resets restore it.
 */
void cce_ras_unmask_aer(struct cce_device *cce)
{
	struct pci_dev *pdev = cce->pdev;
	u16 pos = pdev->aer_cap;
	u32 m;

	if (!pos)
		return;
	pci_read_config_dword(pdev, pos + PCI_ERR_UNCOR_MASK, &m);
	pci_write_config_dword(pdev, pos + PCI_ERR_UNCOR_MASK, m & ~PCI_ERR_UNC_INTN);
	pci_read_config_dword(pdev, pos + PCI_ERR_COR_MASK, &m);
	pci_write_config_dword(pdev, pos + PCI_ERR_COR_MASK, m & ~PCI_ERR_COR_INTERNAL);
}

void cce_ras_start(struct cce_device *cce)
{
	schedule_delayed_work(&cce->ras.watchdog, cce_ras_wd_period());
}

/* Unbind: no recovery may run once the queues are being torn down. */
void cce_ras_stop(struct cce_device *cce)
{
	WRITE_ONCE(cce->ras.stopping, true);
	if (cce->err_irq > 0)
		synchronize_irq(cce->err_irq);
	cancel_work_sync(&cce->ras.recover_work);
	cancel_delayed_work_sync(&cce->ras.watchdog);
}
