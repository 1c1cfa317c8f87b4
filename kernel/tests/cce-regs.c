// SPDX-License-Identifier: GPL-2.0
/*
 * cce-regs: print a CCE function's registers from the guest, for debugging
 * (root only: it maps BAR0 through sysfs, beside the driver).
 *
 *   cce-regs [BDF]        global registers and every enabled queue
 *                         (default BDF: the first device bound to cce)
 *
 * Reads only registers without read side effects (no W1C/RC registers are
 * written). Built statically for the guest initramfs.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cce/cce_hw.h>

static volatile uint8_t *bar;

static uint32_t rd(uint32_t off)
{
	return *(volatile uint32_t *)(bar + off);
}

static uint64_t rd64(uint32_t off)
{
	return rd(off) | (uint64_t)rd(off + 4) << 32;
}

static int first_bdf(char *out, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/drivers/cce");
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "0000:", 5) == 0) {
			snprintf(out, len, "%s", e->d_name);
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	return -1;
}

int main(int argc, char **argv)
{
	char bdf[256], path[320];
	uint32_t cap0, q, nq;
	int fd;

	if (argc > 1)
		snprintf(bdf, sizeof(bdf), "%s", argv[1]);
	else if (first_bdf(bdf, sizeof(bdf))) {
		fprintf(stderr, "cce-regs: no device bound to cce; name a BDF\n");
		return 1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf);
	fd = open(path, O_RDONLY | O_SYNC);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	bar = mmap(NULL, CCE_BAR0_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED) {
		perror("mmap BAR0");
		return 1;
	}
	cap0 = rd(CCE_REG_CAP0);
	nq = CCE_CAP0_NUM_QUEUES(cap0);
	printf("%s: id %#010x version %#x cap0 %#x gctl %#x gsts %#x\n", bdf,
	       rd(CCE_REG_ID), rd(CCE_REG_VERSION), cap0, rd(CCE_REG_GCTL),
	       rd(CCE_REG_GSTS));
	printf("ras status %#x mask %#x ce %u ue %u info %#llx\n",
	       rd(CCE_REG_RAS_STATUS), rd(CCE_REG_RAS_MASK),
	       rd(CCE_REG_RAS_CE_COUNT), rd(CCE_REG_RAS_UE_COUNT),
	       (unsigned long long)rd64(CCE_REG_RAS_ERR_INFO));
	for (q = 0; q < nq && q < CCE_MAX_QUEUES; q++) {
		uint32_t ctrl = rd(CCE_QREG(q, CCE_Q_CTRL));

		printf("q%u ctrl %#x status %#x err %#x pasid %#x sq %u/%u (head/tail) cq %u/%u (tail/head) irq %#x\n",
		       q, ctrl, rd(CCE_QREG(q, CCE_Q_STATUS)),
		       rd(CCE_QREG(q, CCE_Q_ERR)), rd(CCE_QREG(q, CCE_Q_PASID)),
		       rd(CCE_QREG(q, CCE_Q_SQ_HEAD)),
		       rd(CCE_QREG(q, CCE_Q_SQ_TAIL)),
		       rd(CCE_QREG(q, CCE_Q_CQ_TAIL)),
		       rd(CCE_QREG(q, CCE_Q_CQ_HEAD)),
		       rd(CCE_QREG(q, CCE_Q_IRQ)));
	}
	return 0;
}
