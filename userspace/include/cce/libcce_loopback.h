/* SPDX-License-Identifier: MIT */
/*
 * libcce_loopback - runs the CCE engine model (SystemC) inside the process
 * as a libcce device, for tests and tools without a VM. Link cce_loopback
 * and call cce_loopback_register(); then cce_open() with device "loopback"
 * gets a queue of the in-process engine. The engine's PASID address space
 * is the process's own: descriptors carry plain pointers, untouched pages
 * are faulted in through page requests, unmapped or protected addresses
 * complete with a translation fault (CCE_E_FAULT), never a crash.
 *
 * One engine per process (shared by every loopback context, serialised by
 * a lock); it is built at the first open and torn down at the last close.
 */
#ifndef CCE_LIBCCE_LOOPBACK_H
#define CCE_LIBCCE_LOOPBACK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cce_loopback_config {
	unsigned num_queues;	/* engine queues = concurrent loopback contexts (0: 4) */
	unsigned ring_entries;	/* SQ/CQ entries per queue, power of two (0: 64) */
	uint32_t max_job_len;	/* engine MAX_JOB_LEN (0: model default, 16 MiB) */
};

/* Make "loopback" available to cce_open(). cfg NULL = defaults; applies to
 * the next engine built (when no loopback context is open). */
int cce_loopback_register(const struct cce_loopback_config *cfg);

/* Test hooks (process-wide). The host refuses the engine's next n DMA
 * accesses to data buffers (the job completes with DMA_ERROR, a device
 * error: CCE_E_DEV_DMA), or to queue rings (descriptor fetch / completion
 * write: the queue halts, jobs in flight fail with CCE_E_QUEUE_HALTED and
 * libcce restarts the queue). 0 cancels. */
void cce_loopback_fail_next_dma(unsigned n);
void cce_loopback_fail_next_ring_dma(unsigned n);

/* Test hooks (process-wide) for device resets, as cce.ko reports them: the
 * next SQ doorbell of any loopback queue does not reach the engine; instead
 * the engine gets a function reset (the descriptors just submitted vanish
 * without completions, every open loopback queue reports the reset state:
 * CCE_E_DEV_RESET, CCE_OPEN_REOPEN restarts it), or the device is lost
 * (CCE_E_DEV_LOST; new loopback opens fail with CCE_E_NODEV until every
 * loopback context is closed). */
void cce_loopback_reset_at_next_doorbell(void);
void cce_loopback_lose_at_next_doorbell(void);

#ifdef __cplusplus
}
#endif

#endif /* CCE_LIBCCE_LOOPBACK_H */
