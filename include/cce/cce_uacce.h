/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * User-space interface of the cce.ko uacce driver.
 *
 * Besides the generic uacce interface (include/uapi/misc/uacce/uacce.h:
 * UACCE_CMD_START_Q, UACCE_CMD_PUT_Q, mmap regions UACCE_QFRT_MMIO and
 * UACCE_QFRT_DUS), a /dev/cce-N queue file answers the ioctl below.
 * See kernel/driver/README.md for the ring and doorbell protocol.
 */
#ifndef _UAPI_CCE_UACCE_H
#define _UAPI_CCE_UACCE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Value of /sys/class/uacce/cce-N/api. */
#define CCE_UAPI_API_NAME	"cce_v1"

/**
 * struct cce_queue_info - CCE_IOCTL_QUEUE_INFO result
 * @qid: hardware queue index (also the BAR2 doorbell page index)
 * @pasid: PASID the queue's DMA is tagged with (the opener's address space)
 * @sq_entries: SQ ring entries (power of two), each CCE_DESC_SIZE bytes
 * @cq_entries: CQ ring entries (power of two), each CCE_CPL_SIZE bytes
 * @sq_offset: SQ offset in the DUS mapping (0)
 * @cq_offset: CQ offset in the DUS mapping
 * @dus_size: size to mmap for UACCE_QFRT_DUS
 * @mmio_size: size to mmap for UACCE_QFRT_MMIO (one doorbell page)
 * @hw_version: CCE_REG_VERSION
 * @features: CCE_REG_FEATURES
 * @opcap: CCE_REG_OPCAP (bit n: opcode n supported)
 * @max_job_len: CCE_REG_MAX_JOB_LEN
 * @q_status: CCE_Q_STATUS at the time of the call
 * @q_err: CCE_Q_ERR at the time of the call
 * @ring_uva: user address the device uses for the DUS mapping (0: unmapped)
 * @rsvd: zero
 */
struct cce_queue_info {
	__u32 qid;
	__u32 pasid;
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 sq_offset;
	__u32 cq_offset;
	__u32 dus_size;
	__u32 mmio_size;
	__u32 hw_version;
	__u32 features;
	__u64 opcap;
	__u32 max_job_len;
	__u32 q_status;
	__u32 q_err;
	__u32 rsvd0;
	__u64 ring_uva;
	__u64 rsvd[4];
};

#define CCE_IOCTL_QUEUE_INFO	_IOR('W', 0x40, struct cce_queue_info)

#endif /* _UAPI_CCE_UACCE_H */
