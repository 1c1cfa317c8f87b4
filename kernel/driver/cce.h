/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CCE crypto/compression engine: driver-internal definitions.
 */
#ifndef _CCE_H_
#define _CCE_H_

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <cce/cce_hw.h>

#define CCE_DRV_NAME		"cce"

struct uacce_device;
struct uacce_queue;
struct cce_device;
struct cce_kq;

/**
 * struct cce_kjob - one descriptor submitted on a kernel-owned queue
 * @desc: the descriptor (the cookie and IRQ flag are filled in on submit)
 * @cpl: the completion, valid when @complete runs
 * @node: backlog / completion list entry
 * @complete: called once per job, from the queue's interrupt thread with
 *	bottom halves disabled; status CCE_ST_ABORTED means the device did not
 *	run the job (queue stopped or device going away)
 * @backlog_done: called when a backlogged job moves onto the ring
 */
struct cce_kjob {
	struct cce_desc desc;
	struct cce_cpl cpl;
	struct list_head node;
	void (*complete)(struct cce_kjob *job, const struct cce_cpl *cpl);
	void (*backlog_done)(struct cce_kjob *job);
};

/**
 * struct cce_hw_queue - one hardware queue (SQ/CQ pair)
 * @cce: owning device
 * @qid: hardware queue index
 * @irq: Linux IRQ number of the queue's completion vector
 * @lock: serialises configuration of this queue (mmap, start, stop, info)
 * @uq: uacce queue using this hardware queue, NULL when free; read by the
 *	interrupt handler, cleared before synchronize_irq() on release
 * @mm: address space the queue was opened from (compared, not referenced)
 * @pasid: PASID of @mm, as bound by uacce
 * @ring: ring memory (SQ then CQ), vmalloc_user(), mapped as the DUS region
 * @ring_uva: user virtual address of @ring in @mm, 0 while not mapped
 * @enabled: queue enabled in hardware
 * @broken: the queue failed to quiesce; never handed out again
 * @state: CCE_QUEUE_STATE_* reported to the owner (cce_uacce.h); RESET once
 *	the hardware under a queue was reset or aborted by recovery
 * @wd_sig: watchdog: progress signature at the last check
 * @wd_since: watchdog: jiffies of the last progress seen
 * @qerr_seen: Q_ERR bits already counted and logged by the error interrupt
 * @kq: kernel-owned queue state, NULL for a uacce queue
 */
struct cce_hw_queue {
	struct cce_device *cce;
	unsigned int qid;
	int irq;
	struct mutex lock; /* see kernel-doc above */
	struct uacce_queue *uq;
	struct mm_struct *mm;
	u32 pasid;
	void *ring;
	unsigned long ring_uva;
	bool enabled;
	bool broken;
	u32 state;
	u64 wd_sig;
	unsigned long wd_since;
	u32 qerr_seen;
	struct cce_kq *kq;
};

/* RAS event counters (sysfs <pci device>/ras/), see README.md. */
enum cce_ras_counter {
	CCE_RAS_CNT_CE,
	CCE_RAS_CNT_UE,
	CCE_RAS_CNT_QUEUE,
	CCE_RAS_CNT_DMA,
	CCE_RAS_CNT_HANG,
	CCE_RAS_CNT_RESET,
	CCE_RAS_CNT_AER,
	CCE_RAS_CNT_LOST,
	CCE_RAS_NR_COUNTERS
};

/**
 * struct cce_ras - error handling, recovery and isolation state
 * @cnt: event counters (enum cce_ras_counter)
 * @reset_lock: serialises recovery, FLR and AER reset handling
 * @recover_work: function reset requested from interrupt or watchdog
 * @watchdog: periodic hung-queue and device-lost check
 * @recover_why: reason for the pending @recover_work
 * @resetting: queues are being reset; no queue may start
 * @dead: the device stopped responding (all-ones reads) or failed recovery
 * @stopping: driver unbinding; no new work is queued
 * @isolate_lock: protects the isolation fields below
 * @isolate_threshold: uacce isolate_strategy: errors per hour (0: never)
 * @window_start: jiffies at which the current one-hour window began
 * @window_errors: errors counted in the current window
 * @isolated: too many errors: no new queues (uacce "isolate")
 * @kq_suspended: kernel queues are stopped for a reset (crypto API requests
 *	run in software until they are back)
 */
struct cce_ras {
	atomic64_t cnt[CCE_RAS_NR_COUNTERS];
	struct mutex reset_lock; /* see kernel-doc above */
	struct work_struct recover_work;
	struct delayed_work watchdog;
	const char *recover_why;
	bool resetting;
	bool dead;
	bool stopping;
	spinlock_t isolate_lock; /* see kernel-doc above */
	u32 isolate_threshold;
	unsigned long window_start;
	u32 window_errors;
	bool isolated;
	bool kq_suspended;
};

/**
 * struct cce_device - one CCE PCI function
 * @pdev: PCI device
 * @regs: BAR0 mapping
 * @db_phys: bus address of BAR2 (doorbell pages)
 * @version: CCE_REG_VERSION
 * @cap0: CCE_REG_CAP0
 * @features: CCE_REG_FEATURES
 * @opcap: CCE_REG_OPCAP
 * @max_job_len: CCE_REG_MAX_JOB_LEN
 * @nr_queues: queues in use (CAP0, bounded by CCE_MAX_QUEUES)
 * @sq_entries: SQ depth of every queue
 * @cq_entries: CQ depth of every queue
 * @sq_bytes: SQ size in bytes (page aligned)
 * @ring_bytes: DUS region size in bytes (page aligned)
 * @timeout_us: how long to wait for the device to reset, enable or quiesce
 * @err_irq: Linux IRQ number of the error vector
 * @queues: hardware queues
 * @qlock: protects @qmap
 * @qmap: hardware queues in use
 * @uacce: uacce device, NULL when SVA is unavailable
 * @sva_reason: why SVA is unavailable, NULL when available
 * @algs: newline-separated algorithm list built from OPCAP
 * @ras: error handling and recovery state (cce_ras.c)
 * @nr_kq: kernel-owned queues (the last @nr_kq hardware queues)
 * @kq_next: round-robin choice of a kernel queue
 * @crypto_node: entry in the list of devices serving the crypto API
 * @crypto_active: counted as a crypto API device (on the list unless in reset)
 */
struct cce_device {
	struct pci_dev *pdev;
	void __iomem *regs;
	phys_addr_t db_phys;
	u32 version;
	u32 cap0;
	u32 features;
	u64 opcap;
	u32 max_job_len;
	unsigned int nr_queues;
	unsigned int sq_entries;
	unsigned int cq_entries;
	size_t sq_bytes;
	size_t ring_bytes;
	unsigned long timeout_us;
	int err_irq;
	struct cce_hw_queue *queues;
	spinlock_t qlock; /* see kernel-doc above */
	DECLARE_BITMAP(qmap, CCE_MAX_QUEUES);
	struct uacce_device *uacce;
	const char *sva_reason;
	char *algs;
	struct cce_ras ras;
	unsigned int nr_kq;
	atomic_t kq_next;
	struct list_head crypto_node;
	bool crypto_active;
};

static inline u32 cce_readl(struct cce_device *cce, u32 off)
{
	return readl(cce->regs + off);
}

static inline void cce_writel(struct cce_device *cce, u32 off, u32 val)
{
	writel(val, cce->regs + off);
}

/* 64-bit registers are accessed as two 32-bit halves, low half first. */
static inline u64 cce_readq(struct cce_device *cce, u32 off)
{
	u64 lo = readl(cce->regs + off);
	u64 hi = readl(cce->regs + off + 4);

	return lo | (hi << 32);
}

static inline void cce_writeq(struct cce_device *cce, u32 off, u64 val)
{
	writel(lower_32_bits(val), cce->regs + off);
	writel(upper_32_bits(val), cce->regs + off + 4);
}

static inline u32 cce_qreadl(struct cce_hw_queue *hq, u32 reg)
{
	return cce_readl(hq->cce, CCE_QREG(hq->qid, reg));
}

static inline void cce_qwritel(struct cce_hw_queue *hq, u32 reg, u32 val)
{
	cce_writel(hq->cce, CCE_QREG(hq->qid, reg), val);
}

/* A device that dropped off the bus (or whose model died) reads all ones. */
static inline bool cce_device_lost(struct cce_device *cce)
{
	return cce_readl(cce, CCE_REG_ID) != CCE_ID_MAGIC;
}

/* cce_main.c */
int cce_hw_start(struct cce_device *cce);

/* cce_irq.c */
int cce_irq_init(struct cce_device *cce);
void cce_wake_queue(struct cce_hw_queue *hq);

/* cce_ras.c */
extern const struct pci_error_handlers cce_err_handlers;
extern const struct attribute_group cce_ras_group;
void cce_ras_init(struct cce_device *cce);
void cce_ras_unmask_aer(struct cce_device *cce);
void cce_ras_start(struct cce_device *cce);
void cce_ras_stop(struct cce_device *cce);
irqreturn_t cce_ras_irq(struct cce_device *cce);
void cce_ras_count_error(struct cce_device *cce, const char *what);
void cce_ras_queue_restart(struct cce_hw_queue *hq);
bool cce_ras_isolated(struct cce_device *cce);
u32 cce_ras_queue_state(struct cce_hw_queue *hq);
int cce_ras_isolate_threshold_write(struct cce_device *cce, u32 num);
u32 cce_ras_isolate_threshold_read(struct cce_device *cce);

/* cce_queue.c */
void cce_queue_init_hw(struct cce_hw_queue *hq);
struct cce_hw_queue *cce_queue_get(struct cce_device *cce, u32 pasid,
				   struct mm_struct *mm);
void cce_queue_put(struct cce_hw_queue *hq);
int cce_queue_program(struct cce_hw_queue *hq, u64 ring, u32 pasid_reg,
		      u32 ctrl);
int cce_queue_start(struct cce_hw_queue *hq);
void cce_queue_stop(struct cce_hw_queue *hq);
bool cce_queue_has_news(struct cce_hw_queue *hq);
unsigned int cce_queue_available(struct cce_device *cce);

/* cce_kq.c */
int cce_kq_init(struct cce_device *cce);
int cce_kq_request_irq(struct cce_hw_queue *hq, const char *name);
int cce_kq_start(struct cce_device *cce);
void cce_kq_stop(struct cce_device *cce);
int cce_kq_submit(struct cce_device *cce, struct cce_kjob *job,
		  bool may_backlog);

/* cce_crypto.c */
int cce_crypto_add(struct cce_device *cce);
void cce_crypto_remove(struct cce_device *cce);
void cce_crypto_suspend(struct cce_device *cce);
void cce_crypto_resume(struct cce_device *cce);
extern const struct attribute_group cce_crypto_attr_group;

/* cce_uacce.c */
int cce_uacce_register(struct cce_device *cce);
void cce_uacce_unregister(struct cce_device *cce);
char *cce_build_algorithms(struct device *dev, u64 opcap);

#endif /* _CCE_H_ */
