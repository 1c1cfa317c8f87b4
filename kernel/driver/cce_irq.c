// SPDX-License-Identifier: GPL-2.0
/*
 * CCE interrupts: one MSI-X vector per queue for completions, one more for
 * errors (CCE_MSIX_ERR_VECTOR, decoded in cce_ras.c). On a uacce queue a
 * completion interrupt only wakes pollers: user space reads the completions
 * from its own CQ mapping. Kernel-owned queues complete their jobs in a
 * threaded handler (cce_kq.c).
 */
#include <linux/interrupt.h>
#include <linux/uacce.h>

#include "cce.h"

void cce_wake_queue(struct cce_hw_queue *hq)
{
	struct uacce_queue *uq = READ_ONCE(hq->uq);

	if (uq)
		wake_up_interruptible(&uq->wait);
}

static irqreturn_t cce_queue_irq(int irq, void *data)
{
	cce_wake_queue(data);

	return IRQ_HANDLED;
}

static irqreturn_t cce_err_irq(int irq, void *data)
{
	return cce_ras_irq(data);
}

int cce_irq_init(struct cce_device *cce)
{
	struct pci_dev *pdev = cce->pdev;
	struct device *dev = &pdev->dev;
	unsigned int nvec = CCE_MSIX_VECTORS(cce->nr_queues);
	unsigned int i;
	char *name;
	int ret;

	/* Managed by pcim_enable_device(): freed on driver detach. */
	ret = pci_alloc_irq_vectors(pdev, nvec, nvec, PCI_IRQ_MSIX);
	if (ret < 0) {
		dev_err(dev, "cannot allocate %u MSI-X vectors: %d\n", nvec, ret);
		return ret;
	}

	for (i = 0; i < cce->nr_queues; i++) {
		struct cce_hw_queue *hq = &cce->queues[i];

		hq->irq = pci_irq_vector(pdev, i);
		name = devm_kasprintf(dev, GFP_KERNEL, "cce-q%u@%s", i,
				      pci_name(pdev));
		if (!name)
			return -ENOMEM;
		if (hq->kq)
			ret = cce_kq_request_irq(hq, name);
		else
			ret = devm_request_irq(dev, hq->irq, cce_queue_irq, 0,
					       name, hq);
		if (ret)
			return ret;
	}

	cce->err_irq = pci_irq_vector(pdev, CCE_MSIX_ERR_VECTOR(cce->nr_queues));
	name = devm_kasprintf(dev, GFP_KERNEL, "cce-err@%s", pci_name(pdev));
	if (!name)
		return -ENOMEM;

	return devm_request_irq(dev, cce->err_irq, cce_err_irq, 0, name, cce);
}
