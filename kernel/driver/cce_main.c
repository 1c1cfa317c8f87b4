// SPDX-License-Identifier: GPL-2.0
/*
 * CCE crypto/compression engine: PCI probe/remove and device bring-up.
 *
 * The device is driven from user space through uacce (/dev/cce-N): every
 * open gets one hardware queue whose DMA is tagged with the opener's PASID
 * (shared virtual addressing). The last kernel_queues queues serve the
 * kernel crypto API instead (cce_kq.c, cce_crypto*.c). The hardware
 * interface is cce/cce_hw.h.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/iopoll.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uacce.h>

#include "cce.h"

static unsigned int sq_entries = 256;
module_param(sq_entries, uint, 0444);
MODULE_PARM_DESC(sq_entries,
		 "Entries per submission/completion ring (power of two, bounded by the device; default 256)");

static unsigned int timeout_ms = 5000;
module_param(timeout_ms, uint, 0444);
MODULE_PARM_DESC(timeout_ms,
		 "Time allowed for reset, enable and queue quiesce, in ms (default 5000)");

static const struct pci_device_id cce_pci_ids[] = {
	{ PCI_DEVICE(CCE_PCI_VENDOR_ID, CCE_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, cce_pci_ids);

static u32 cce_gsts(struct cce_device *cce)
{
	return cce_readl(cce, CCE_REG_GSTS);
}

/* Function reset, then wait for it to finish. */
static int cce_reset(struct cce_device *cce)
{
	u32 sts;
	int ret;

	cce_writel(cce, CCE_REG_GCTL, CCE_GCTL_RESET);
	ret = read_poll_timeout(cce_gsts, sts, !(sts & CCE_GSTS_RESETTING),
				100, cce->timeout_us, false, cce);
	if (ret) {
		dev_err(&cce->pdev->dev, "reset did not complete (GSTS %#x)\n", sts);
		return ret;
	}
	if (sts & CCE_GSTS_FATAL) {
		dev_err(&cce->pdev->dev, "fatal error latched after reset (GSTS %#x)\n",
			sts);
		return -EIO;
	}

	return 0;
}

static int cce_enable(struct cce_device *cce)
{
	u32 sts;
	int ret;

	cce_writel(cce, CCE_REG_GCTL, CCE_GCTL_ENABLE);
	ret = read_poll_timeout(cce_gsts, sts, sts & (CCE_GSTS_READY | CCE_GSTS_FATAL),
				100, cce->timeout_us, false, cce);
	if (ret || !(sts & CCE_GSTS_READY)) {
		dev_err(&cce->pdev->dev, "engine did not become ready (GSTS %#x)\n", sts);
		return ret ? ret : -EIO;
	}

	return 0;
}

static void cce_disable(void *data)
{
	struct cce_device *cce = data;
	u32 sts;

	cce_writel(cce, CCE_REG_INTCFG, 0);
	cce_writel(cce, CCE_REG_GCTL, 0);
	if (READ_ONCE(cce->ras.dead) || cce_device_lost(cce))
		return;
	if (read_poll_timeout(cce_gsts, sts, sts & CCE_GSTS_QUIESCED, 100,
			      cce->timeout_us, false, cce))
		dev_warn(&cce->pdev->dev, "engine not quiesced after disable (GSTS %#x)\n",
			 sts);
}

/*
 * Reset the function and bring it to the configured state: queues in their
 * reset state, RAS errors cleared and unmasked, error vector on, engine
 * enabled. Used by probe and by every recovery (cce_ras.c); the geometry
 * read at probe (queues, depth) does not change across a reset.
 */
int cce_hw_start(struct cce_device *cce)
{
	unsigned int i;
	int ret;

	ret = cce_reset(cce);
	if (ret)
		return ret;
	if (cce_readl(cce, CCE_REG_CAP0) != cce->cap0) {
		dev_err(&cce->pdev->dev, "CAP0 changed across a reset (%#x, was %#x)\n",
			cce_readl(cce, CCE_REG_CAP0), cce->cap0);
		return -EIO;
	}
	for (i = 0; i < cce->nr_queues; i++)
		cce_queue_init_hw(&cce->queues[i]);

	cce_writel(cce, CCE_REG_RAS_STATUS, U32_MAX);
	cce_writel(cce, CCE_REG_RAS_MASK, 0);
	cce_writel(cce, CCE_REG_INTCFG, CCE_INTCFG_ERR_IRQ_EN);

	return cce_enable(cce);
}

/* Runs before cce_disable(): no algorithm uses the device, then stop. */
static void cce_kq_teardown(void *data)
{
	struct cce_device *cce = data;

	cce_crypto_remove(cce);
	cce_kq_stop(cce);
}

/* Check the identity and interface version before touching anything else. */
static int cce_check_identity(struct cce_device *cce)
{
	struct device *dev = &cce->pdev->dev;
	u32 id = cce_readl(cce, CCE_REG_ID);
	u32 major, minor;

	if (id != CCE_ID_MAGIC) {
		dev_err(dev, "ID register reads %#010x, expected %#010x: not a CCE\n",
			id, CCE_ID_MAGIC);
		return -ENODEV;
	}

	cce->version = cce_readl(cce, CCE_REG_VERSION);
	major = CCE_VERSION_GET_MAJOR(cce->version);
	minor = CCE_VERSION_GET_MINOR(cce->version);
	if (major != CCE_VERSION_MAJOR) {
		dev_err(dev, "unsupported CCE interface version %u.%u: this driver knows major version %u only\n",
			major, minor, CCE_VERSION_MAJOR);
		return -ENODEV;
	}
	if (minor > CCE_VERSION_MINOR)
		dev_info(dev, "interface version %u.%u is newer than the driver's %u.%u; using %u.%u features\n",
			 major, minor, CCE_VERSION_MAJOR, CCE_VERSION_MINOR,
			 CCE_VERSION_MAJOR, CCE_VERSION_MINOR);

	return 0;
}

static int cce_read_caps(struct cce_device *cce)
{
	struct device *dev = &cce->pdev->dev;
	unsigned int depth_max, depth;

	cce->cap0 = cce_readl(cce, CCE_REG_CAP0);
	cce->features = cce_readl(cce, CCE_REG_FEATURES);
	cce->opcap = cce_readq(cce, CCE_REG_OPCAP);
	cce->max_job_len = cce_readl(cce, CCE_REG_MAX_JOB_LEN);

	cce->nr_queues = CCE_CAP0_NUM_QUEUES(cce->cap0);
	if (!cce->nr_queues || cce->nr_queues > CCE_MAX_QUEUES) {
		dev_err(dev, "CAP0 %#x: %u queues, expected 1..%u\n", cce->cap0,
			cce->nr_queues, CCE_MAX_QUEUES);
		return -ENODEV;
	}

	depth_max = min(1U << CCE_CAP0_MAX_QDEPTH_LOG2(cce->cap0),
			CCE_MAX_QUEUE_ENTRIES);
	if (depth_max < CCE_MIN_QUEUE_ENTRIES) {
		dev_err(dev, "CAP0 %#x: maximum queue depth %u is below %u\n",
			cce->cap0, depth_max, CCE_MIN_QUEUE_ENTRIES);
		return -ENODEV;
	}
	depth = clamp(sq_entries, CCE_MIN_QUEUE_ENTRIES, depth_max);
	depth = rounddown_pow_of_two(depth);
	if (depth != sq_entries)
		dev_info(dev, "using %u ring entries (sq_entries=%u, device maximum %u)\n",
			 depth, sq_entries, depth_max);

	/* Equal depths: the CQ can always hold every outstanding job. */
	cce->sq_entries = depth;
	cce->cq_entries = depth;
	cce->sq_bytes = PAGE_ALIGN(depth * CCE_DESC_SIZE);
	cce->ring_bytes = cce->sq_bytes + PAGE_ALIGN(depth * CCE_CPL_SIZE);

	dev_info(dev, "CCE %u.%u: %u queues x %u entries, PASID bits %u, features %#x, opcap %#llx, max job %u bytes\n",
		 CCE_VERSION_GET_MAJOR(cce->version),
		 CCE_VERSION_GET_MINOR(cce->version), cce->nr_queues, depth,
		 CCE_CAP0_PASID_BITS(cce->cap0), cce->features, cce->opcap,
		 cce->max_job_len);

	return 0;
}

/*
 * uacce binds each opener's address space with iommu_sva_bind_device(); in
 * Linux 7.x the IOMMU driver enables PASID/ATS/PRI itself. Check what can be
 * checked up front so a missing piece is reported here and in sysfs instead
 * of as an errno from open().
 */
static const char *cce_sva_unavailable(struct cce_device *cce)
{
	struct pci_dev *pdev = cce->pdev;
	struct device *dev = &pdev->dev;

	if (!IS_ENABLED(CONFIG_IOMMU_SVA))
		return "kernel built without CONFIG_IOMMU_SVA";
	if (!(cce->features & CCE_FEAT_PASID))
		return "device does not advertise PASID (FEATURES.PASID clear)";
	if (!(cce->features & CCE_FEAT_PRI))
		return "device does not advertise page requests (FEATURES.PRI clear)";
	if (pci_max_pasids(pdev) <= 0)
		return "no PCIe PASID capability";
	if (!pci_ats_supported(pdev))
		return "no usable PCIe ATS capability (the device must sit behind a root port)";
	if (!pci_pri_supported(pdev))
		return "no PCIe PRI capability";
	if (!device_iommu_mapped(dev))
		return "no IOMMU translates this device (enable the IOMMU: intel_iommu=on)";
	if (!dev->iommu || !dev->iommu->max_pasids)
		return "IOMMU has no PASID support for it (intel_iommu=sm_on?)";

	return NULL;
}

static ssize_t sva_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct cce_device *cce = dev_get_drvdata(dev);

	if (cce->sva_reason)
		return sysfs_emit(buf, "unavailable: %s\n", cce->sva_reason);

	return sysfs_emit(buf, "enabled\n");
}
static DEVICE_ATTR_RO(sva);

static ssize_t hw_version_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct cce_device *cce = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u.%u\n", CCE_VERSION_GET_MAJOR(cce->version),
			  CCE_VERSION_GET_MINOR(cce->version));
}
static DEVICE_ATTR_RO(hw_version);

static struct attribute *cce_attrs[] = {
	&dev_attr_sva.attr,
	&dev_attr_hw_version.attr,
	NULL
};

static const struct attribute_group cce_group = {
	.attrs = cce_attrs,
};

static const struct attribute_group *cce_groups[] = {
	&cce_group,
	&cce_ras_group,
	&cce_crypto_attr_group,
	NULL
};

static void cce_ras_stop_action(void *data)
{
	cce_ras_stop(data);
}

static int cce_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct cce_device *cce;
	unsigned int i;
	int ret;

	cce = devm_kzalloc(dev, sizeof(*cce), GFP_KERNEL);
	if (!cce)
		return -ENOMEM;
	cce->pdev = pdev;
	cce->timeout_us = (unsigned long)timeout_ms * USEC_PER_MSEC;
	spin_lock_init(&cce->qlock);
	cce_ras_init(cce);
	INIT_LIST_HEAD(&cce->crypto_node);
	pci_set_drvdata(pdev, cce);

	ret = pcim_enable_device(pdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable PCI device\n");

	if (pci_resource_len(pdev, CCE_BAR0) < CCE_BAR0_SIZE)
		return dev_err_probe(dev, -ENODEV, "BAR0 is %llu bytes, expected %u\n",
				     (u64)pci_resource_len(pdev, CCE_BAR0),
				     CCE_BAR0_SIZE);
	cce->regs = pcim_iomap_region(pdev, CCE_BAR0, CCE_DRV_NAME);
	if (IS_ERR(cce->regs))
		return dev_err_probe(dev, PTR_ERR(cce->regs), "cannot map BAR0\n");

	ret = cce_check_identity(cce);
	if (ret)
		return ret;
	ret = cce_read_caps(cce);
	if (ret)
		return ret;

	if (pci_resource_len(pdev, CCE_BAR2) < CCE_BAR2_SIZE(cce->nr_queues))
		return dev_err_probe(dev, -ENODEV, "BAR2 is %llu bytes, %u queues need %llu\n",
				     (u64)pci_resource_len(pdev, CCE_BAR2),
				     cce->nr_queues,
				     (u64)CCE_BAR2_SIZE(cce->nr_queues));
	ret = pcim_request_region(pdev, CCE_BAR2, CCE_DRV_NAME);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request BAR2\n");
	cce->db_phys = pci_resource_start(pdev, CCE_BAR2);

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(dev, ret, "no 64-bit DMA\n");
	pci_set_master(pdev);

	cce->algs = cce_build_algorithms(dev, cce->opcap);
	if (!cce->algs)
		return -ENOMEM;

	cce->queues = devm_kcalloc(dev, cce->nr_queues, sizeof(*cce->queues),
				   GFP_KERNEL);
	if (!cce->queues)
		return -ENOMEM;
	for (i = 0; i < cce->nr_queues; i++) {
		cce->queues[i].cce = cce;
		cce->queues[i].qid = i;
		mutex_init(&cce->queues[i].lock);
	}

	ret = cce_kq_init(cce);
	if (ret)
		return dev_err_probe(dev, ret, "kernel queue setup failed\n");

	ret = cce_irq_init(cce);
	if (ret)
		return dev_err_probe(dev, ret, "interrupt setup failed\n");
	/* Before the vectors are freed: no recovery work left behind. */
	ret = devm_add_action_or_reset(dev, cce_ras_stop_action, cce);
	if (ret)
		return ret;

	ret = cce_hw_start(cce);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(dev, cce_disable, cce);
	if (ret)
		return ret;
	/* What AER's slot_reset restores (MSI-X included). */
	cce_ras_unmask_aer(cce);
	pci_save_state(pdev);
	cce_ras_start(cce);

	ret = cce_kq_start(cce);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(dev, cce_kq_teardown, cce);
	if (ret)
		return ret;
	ret = cce_crypto_add(cce);
	if (ret)
		return dev_err_probe(dev, ret, "crypto API registration failed\n");

	cce->sva_reason = cce_sva_unavailable(cce);
	if (cce->sva_reason) {
		dev_warn(dev, "SVA unavailable: %s; no /dev/cce-N is created for this device\n",
			 cce->sva_reason);
		return 0;
	}

	ret = cce_uacce_register(cce);
	if (ret)
		return dev_err_probe(dev, ret, "uacce registration failed\n");

	dev_info(dev, "registered %s (SVA enabled)\n", dev_name(&cce->uacce->dev));

	return 0;
}

static void cce_remove(struct pci_dev *pdev)
{
	struct cce_device *cce = pci_get_drvdata(pdev);

	/* No recovery from here on; then stop and release every open queue;
	 * devm then disables the engine.
	 */
	cce_ras_stop(cce);
	cce_uacce_unregister(cce);
}

/* Reboot/kexec: stop all DMA; no teardown of the software state. */
static void cce_shutdown(struct pci_dev *pdev)
{
	struct cce_device *cce = pci_get_drvdata(pdev);

	if (cce && cce->regs) {
		cce_ras_stop(cce);
		cce_disable(cce);
	}
}

static struct pci_driver cce_pci_driver = {
	.name		= CCE_DRV_NAME,
	.id_table	= cce_pci_ids,
	.probe		= cce_probe,
	.remove		= cce_remove,
	.shutdown	= cce_shutdown,
	.err_handler	= &cce_err_handlers,
	.dev_groups	= cce_groups,
};
module_pci_driver(cce_pci_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("CCE crypto/compression accelerator (uacce, SVA, crypto API)");
