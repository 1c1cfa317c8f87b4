// SPDX-License-Identifier: GPL-2.0
/*
 * CCE uacce glue: one uacce queue (an open /dev/cce-N) owns one hardware
 * queue. uacce binds the opener's address space (SVA) and hands the PASID
 * to get_queue(); the queue's rings are mapped as the DUS region and its
 * doorbell page as the MMIO region.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uacce.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "cce.h"
#include <cce/cce_uacce.h>

static const char * const cce_op_names[] = {
	[CCE_OP_NOP]		= "nop",
	[CCE_OP_MEMCPY]		= "memcpy",
	[CCE_OP_CRC32]		= "crc32",
	[CCE_OP_CRC32C]		= "crc32c",
	[CCE_OP_COMPRESS]	= "deflate",
	[CCE_OP_DECOMPRESS]	= "inflate",
	[CCE_OP_AES_XTS_ENC]	= "xts(aes)-enc",
	[CCE_OP_AES_XTS_DEC]	= "xts(aes)-dec",
	[CCE_OP_AES_GCM_ENC]	= "gcm(aes)-enc",
	[CCE_OP_AES_GCM_DEC]	= "gcm(aes)-dec",
	[CCE_OP_SHA256]		= "sha256",
	[CCE_OP_HMAC_SHA256]	= "hmac(sha256)",
};

/*
 * Newline-separated list of the operations OPCAP advertises (the uacce
 * "algorithms" attribute). Opcodes this driver has no name for (added by a
 * later minor version) are listed as "op-0xNN".
 */
char *cce_build_algorithms(struct device *dev, u64 opcap)
{
	size_t len = 0, size = 0;
	unsigned int op;
	char *buf;

	for (op = 0; op <= CCE_OP_MAX; op++)
		if (opcap & BIT_ULL(op))
			size += 16;

	buf = devm_kzalloc(dev, size + 1, GFP_KERNEL);
	if (!buf)
		return NULL;

	for (op = 0; op <= CCE_OP_MAX; op++) {
		if (!(opcap & BIT_ULL(op)))
			continue;
		if (op < ARRAY_SIZE(cce_op_names) && cce_op_names[op])
			len += scnprintf(buf + len, size + 1 - len, "%s%s",
					 len ? "\n" : "", cce_op_names[op]);
		else
			len += scnprintf(buf + len, size + 1 - len, "%sop-%#04x",
					 len ? "\n" : "", op);
	}

	return buf;
}

static int cce_uacce_get_available_instances(struct uacce_device *uacce)
{
	struct cce_device *cce = uacce->priv;

	if (cce_ras_isolated(cce))
		return 0;

	return cce_queue_available(cce);
}

static int cce_uacce_get_queue(struct uacce_device *uacce, unsigned long arg,
			       struct uacce_queue *q)
{
	struct cce_device *cce = uacce->priv;
	u32 pasid_bits = CCE_CAP0_PASID_BITS(cce->cap0);
	struct cce_hw_queue *hq;
	u32 pasid = arg;

	if (pasid_bits < 32 && (arg >> pasid_bits)) {
		dev_warn_ratelimited(&cce->pdev->dev,
				     "PASID %lu does not fit in the device's %u PASID bits\n",
				     arg, pasid_bits);
		return -ENOSPC;
	}

	if (READ_ONCE(cce->ras.dead))
		return -ENODEV;
	if (cce_ras_isolated(cce)) {
		dev_warn_ratelimited(&cce->pdev->dev,
				     "device isolated (too many errors): no new queue\n");
		return -EIO;
	}

	hq = cce_queue_get(cce, pasid, current->mm);
	if (!hq)
		return -EBUSY;

	q->priv = hq;

	return 0;
}

static void cce_uacce_put_queue(struct uacce_queue *q)
{
	struct cce_hw_queue *hq = q->priv;
	struct cce_device *cce = hq->cce;

	/* The interrupt handlers must be done with @q before uacce frees it. */
	WRITE_ONCE(hq->uq, NULL);
	synchronize_irq(hq->irq);
	synchronize_irq(cce->err_irq);

	cce_queue_put(hq);
	q->priv = NULL;
}

static int cce_uacce_start_queue(struct uacce_queue *q)
{
	struct cce_hw_queue *hq = q->priv;

	/* q->wait is initialised by now (it is not yet in get_queue()). */
	WRITE_ONCE(hq->uq, q);

	return cce_queue_start(hq);
}

static void cce_uacce_stop_queue(struct uacce_queue *q)
{
	cce_queue_stop(q->priv);
}

static int cce_uacce_is_q_updated(struct uacce_queue *q)
{
	return cce_queue_has_news(q->priv);
}

static int cce_uacce_mmap(struct uacce_queue *q, struct vm_area_struct *vma,
			  struct uacce_qfile_region *qfr)
{
	struct cce_hw_queue *hq = q->priv;
	struct cce_device *cce = hq->cce;
	unsigned long len = vma->vm_end - vma->vm_start;
	phys_addr_t db;
	int ret;

	BUILD_BUG_ON(CCE_DB_PAGE_SIZE != PAGE_SIZE);

	switch (qfr->type) {
	case UACCE_QFRT_MMIO:
		if (len != CCE_DB_PAGE_SIZE)
			return -EINVAL;
		db = cce->db_phys + (phys_addr_t)hq->qid * CCE_DB_PAGE_SIZE;
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
		return io_remap_pfn_range(vma, vma->vm_start, PHYS_PFN(db),
					  len, vma->vm_page_prot);

	case UACCE_QFRT_DUS:
		if (len != cce->ring_bytes)
			return -EINVAL;
		/* The rings are reached through the opener's PASID. */
		if (vma->vm_mm != hq->mm)
			return -EPERM;

		mutex_lock(&hq->lock);
		if (hq->enabled) {
			/* The device keeps using the address it was given. */
			ret = -EBUSY;
		} else {
			ret = remap_vmalloc_range(vma, hq->ring, 0);
			if (!ret)
				hq->ring_uva = vma->vm_start;
		}
		mutex_unlock(&hq->lock);
		return ret;

	default:
		return -EINVAL;
	}
}

static long cce_uacce_ioctl(struct uacce_queue *q, unsigned int cmd,
			    unsigned long arg)
{
	struct cce_hw_queue *hq = q->priv;
	struct cce_device *cce = hq->cce;
	struct cce_queue_info info = { };

	if (cmd != CCE_IOCTL_QUEUE_INFO)
		return -ENOTTY;

	mutex_lock(&hq->lock);
	info.qid = hq->qid;
	info.pasid = hq->pasid;
	info.ring_uva = hq->ring_uva;
	mutex_unlock(&hq->lock);

	info.sq_entries = cce->sq_entries;
	info.cq_entries = cce->cq_entries;
	info.sq_offset = 0;
	info.cq_offset = cce->sq_bytes;
	info.dus_size = cce->ring_bytes;
	info.mmio_size = CCE_DB_PAGE_SIZE;
	info.hw_version = cce->version;
	info.features = cce->features;
	info.opcap = cce->opcap;
	info.max_job_len = cce->max_job_len;
	info.q_state = cce_ras_queue_state(hq);
	if (info.q_state == CCE_QUEUE_STATE_ACTIVE) {
		info.q_status = cce_qreadl(hq, CCE_Q_STATUS);
		info.q_err = cce_qreadl(hq, CCE_Q_ERR);
	}

	if (copy_to_user((void __user *)arg, &info, sizeof(info)))
		return -EFAULT;

	return 0;
}

static enum uacce_dev_state cce_uacce_get_isolate_state(struct uacce_device *uacce)
{
	return cce_ras_isolated(uacce->priv) ? UACCE_DEV_ISOLATE : UACCE_DEV_NORMAL;
}

static int cce_uacce_isolate_threshold_write(struct uacce_device *uacce, u32 num)
{
	return cce_ras_isolate_threshold_write(uacce->priv, num);
}

static u32 cce_uacce_isolate_threshold_read(struct uacce_device *uacce)
{
	return cce_ras_isolate_threshold_read(uacce->priv);
}

static const struct uacce_ops cce_uacce_ops = {
	.get_available_instances = cce_uacce_get_available_instances,
	.get_queue	= cce_uacce_get_queue,
	.put_queue	= cce_uacce_put_queue,
	.start_queue	= cce_uacce_start_queue,
	.stop_queue	= cce_uacce_stop_queue,
	.is_q_updated	= cce_uacce_is_q_updated,
	.mmap		= cce_uacce_mmap,
	.ioctl		= cce_uacce_ioctl,
	.get_isolate_state = cce_uacce_get_isolate_state,
	.isolate_err_threshold_write = cce_uacce_isolate_threshold_write,
	.isolate_err_threshold_read = cce_uacce_isolate_threshold_read,
};

int cce_uacce_register(struct cce_device *cce)
{
	struct device *dev = &cce->pdev->dev;
	struct uacce_interface iface = {
		.name	= CCE_DRV_NAME,
		.flags	= UACCE_DEV_SVA,
		.ops	= &cce_uacce_ops,
	};
	struct uacce_device *uacce;
	int ret;

	uacce = uacce_alloc(dev, &iface);
	if (IS_ERR(uacce))
		return PTR_ERR(uacce);

	uacce->priv = cce;
	uacce->is_vf = false;
	uacce->api_ver = CCE_UAPI_API_NAME;
	uacce->algs = cce->algs;
	uacce->qf_pg_num[UACCE_QFRT_MMIO] = CCE_DB_PAGE_SIZE >> PAGE_SHIFT;
	uacce->qf_pg_num[UACCE_QFRT_DUS] = cce->ring_bytes >> PAGE_SHIFT;

	ret = uacce_register(uacce);
	if (ret) {
		uacce_remove(uacce);
		return ret;
	}
	cce->uacce = uacce;

	return 0;
}

void cce_uacce_unregister(struct cce_device *cce)
{
	if (!cce->uacce)
		return;
	uacce_remove(cce->uacce);
	cce->uacce = NULL;
}
