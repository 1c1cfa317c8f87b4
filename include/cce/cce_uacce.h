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
 * @q_state: CCE_QUEUE_STATE_* (0 on drivers before RAS support)
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
	__u32 q_state;
	__u64 ring_uva;
	__u64 rsvd[4];
};

/*
 * Queue states (struct cce_queue_info.q_state). Besides the ioctl, poll()
 * on the queue file reports EPOLLIN as soon as the state leaves ACTIVE.
 *
 * ACTIVE: normal operation (a halted queue is ACTIVE with
 *	q_status & CCE_QSTS_ERROR).
 * RESET: the hardware under the queue was reset (function reset, FLR, AER
 *	recovery) or the watchdog aborted it as hung. Jobs not completed
 *	before are lost (no completion will come); doorbell writes are
 *	ignored. UACCE_CMD_PUT_Q then UACCE_CMD_START_Q restarts the queue
 *	(rings zeroed, indices 0) once recovery is over, or close and reopen.
 * LOST: the device stopped responding or recovery failed. Nothing on this
 *	queue will ever complete; close it. Opens fail with ENODEV.
 */
#define CCE_QUEUE_STATE_ACTIVE	0
#define CCE_QUEUE_STATE_RESET	1
#define CCE_QUEUE_STATE_LOST	2

#define CCE_IOCTL_QUEUE_INFO	_IOR('W', 0x40, struct cce_queue_info)

#endif /* _UAPI_CCE_UACCE_H */
