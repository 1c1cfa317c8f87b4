// SPDX-License-Identifier: GPL-2.0
/*
 * cce-queue-test: drive one CCE queue through cce.ko from user space, the
 * way libcce will (kernel/driver/README.md): open /dev/cce-N, query the
 * queue, map the doorbell page and the rings, start the queue, submit NOP
 * jobs and (if OPCAP has it) a MEMCPY into never-touched memory (exercises
 * PRI), wait with poll(), check the completions; then halt the queue with an
 * out-of-range doorbell (error interrupt must wake poll(), QUEUE_INFO must
 * show the error), recover with UACCE_CMD_PUT_Q + UACCE_CMD_START_Q, run a
 * NOP again, and finally exit with the queue still running and mapped, so
 * the kernel's release path has to stop it.
 *
 * Built statically (scenarios/CMakeLists.txt) for the guest initramfs; CTest
 * vm_queue runs it in the VM.
 * Prints CCE-QUEUE-TEST-OK and exits 0 on success.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <misc/uacce/uacce.h>

#include <cce/cce_hw.h>
#include "cce/cce_uacce.h"

#define PAGE 4096UL
#define NR_NOPS 8
#define COPY_LEN (64 * 1024)

struct queue {
	int fd;
	struct cce_queue_info qi;
	volatile uint32_t *db;
	void *ring;
	volatile struct cce_desc *sq;
	volatile struct cce_cpl *cq;
	uint32_t tail, head, chead, phase;
};

static int fail(const char *what)
{
	fprintf(stderr, "cce-queue-test: %s: %s\n", what, strerror(errno));
	return 1;
}

static int submit(struct queue *q, const struct cce_desc *d)
{
	uint32_t mask = q->qi.sq_entries - 1;

	if (((q->tail + 1) & mask) == q->head) {
		fprintf(stderr, "cce-queue-test: SQ full\n");
		return -1;
	}
	memcpy((void *)&q->sq[q->tail], d, sizeof(*d));
	q->tail = (q->tail + 1) & mask;
	atomic_thread_fence(memory_order_release);
	q->db[CCE_DB_SQ_TAIL / 4] = q->tail;
	return 0;
}

/* Wait for one completion (poll() for up to timeout_ms), copy it out. */
static int reap(struct queue *q, struct cce_cpl *out, int timeout_ms)
{
	uint32_t mask = q->qi.cq_entries - 1;
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	volatile struct cce_cpl *c;
	int waited = 0;

	for (;;) {
		c = &q->cq[q->chead];
		if ((c->flags & CCE_CPL_PHASE) == q->phase)
			break;
		if (waited >= timeout_ms) {
			struct cce_queue_info qi;

			ioctl(q->fd, CCE_IOCTL_QUEUE_INFO, &qi);
			fprintf(stderr, "cce-queue-test: no completion after %d ms (Q_STATUS %#x, Q_ERR %#x)\n",
				waited, qi.q_status, qi.q_err);
			return -1;
		}
		poll(&pfd, 1, 10);
		waited += 10;
	}
	atomic_thread_fence(memory_order_acquire);
	memcpy(out, (const void *)c, sizeof(*out));
	q->head = out->sq_head;
	q->chead = (q->chead + 1) & mask;
	if (!q->chead)
		q->phase ^= 1;
	q->db[CCE_DB_CQ_HEAD / 4] = q->chead;
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/cce-0";
	struct queue q = { .phase = 1 };
	struct cce_desc d;
	struct cce_cpl c;
	unsigned int i;
	int bad = 0;

	q.fd = open(path, O_RDWR | O_CLOEXEC);
	if (q.fd < 0)
		return fail(path);
	if (ioctl(q.fd, CCE_IOCTL_QUEUE_INFO, &q.qi))
		return fail("CCE_IOCTL_QUEUE_INFO");
	printf("queue %u pasid %u: %u/%u entries, dus %u bytes (cq at %u), version %#x, opcap %#llx\n",
	       q.qi.qid, q.qi.pasid, q.qi.sq_entries, q.qi.cq_entries,
	       q.qi.dus_size, q.qi.cq_offset, q.qi.hw_version,
	       (unsigned long long)q.qi.opcap);

	q.db = mmap(NULL, q.qi.mmio_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    q.fd, UACCE_QFRT_MMIO * PAGE);
	if (q.db == MAP_FAILED)
		return fail("mmap MMIO");
	q.ring = mmap(NULL, q.qi.dus_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      q.fd, UACCE_QFRT_DUS * PAGE);
	if (q.ring == MAP_FAILED)
		return fail("mmap DUS");
	q.sq = (volatile struct cce_desc *)((char *)q.ring + q.qi.sq_offset);
	q.cq = (volatile struct cce_cpl *)((char *)q.ring + q.qi.cq_offset);
	if (ioctl(q.fd, UACCE_CMD_START_Q))
		return fail("UACCE_CMD_START_Q");

	for (i = 0; i < NR_NOPS; i++) {
		memset(&d, 0, sizeof(d));
		d.opcode = CCE_OP_NOP;
		d.flags = CCE_DF_IRQ;
		d.cookie = 0x1000 + i;
		if (submit(&q, &d))
			return 1;
	}
	for (i = 0; i < NR_NOPS; i++) {
		if (reap(&q, &c, 10000))
			return 1;
		if (c.status != CCE_ST_SUCCESS || c.cookie != 0x1000 + i) {
			fprintf(stderr, "nop %u: status %#x cookie %#llx\n", i,
				c.status, (unsigned long long)c.cookie);
			bad++;
		}
	}
	printf("%d NOPs completed\n", NR_NOPS);

	if (q.qi.opcap & (1ULL << CCE_OP_MEMCPY)) {
		/* Destination never touched: the device must page it in (PRI). */
		unsigned char *src = malloc(COPY_LEN);
		unsigned char *dst = mmap(NULL, COPY_LEN, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (!src || dst == MAP_FAILED)
			return fail("buffers");
		for (i = 0; i < COPY_LEN; i++)
			src[i] = (unsigned char)(i * 7 + 3);
		memset(&d, 0, sizeof(d));
		d.opcode = CCE_OP_MEMCPY;
		d.flags = CCE_DF_IRQ;
		d.src = (uintptr_t)src;
		d.dst = (uintptr_t)dst;
		d.src_len = COPY_LEN;
		d.dst_len = COPY_LEN;
		d.cookie = 0xc0b1;
		if (submit(&q, &d) || reap(&q, &c, 30000))
			return 1;
		if (c.status != CCE_ST_SUCCESS || memcmp(src, dst, COPY_LEN)) {
			fprintf(stderr, "memcpy: status %#x, produced %u, data %s\n",
				c.status, c.bytes_produced,
				memcmp(src, dst, COPY_LEN) ? "differs" : "ok");
			bad++;
		} else {
			printf("memcpy of %d bytes into untouched memory OK\n", COPY_LEN);
		}
	}

	/* Halt the queue: SQ tail doorbell out of range. */
	{
		struct pollfd pfd = { .fd = q.fd, .events = POLLIN };
		struct cce_queue_info qi;

		q.db[CCE_DB_SQ_TAIL / 4] = q.qi.sq_entries;
		if (poll(&pfd, 1, 10000) != 1 || !(pfd.revents & POLLIN)) {
			fprintf(stderr, "poll() did not report the halted queue\n");
			return 1;
		}
		if (ioctl(q.fd, CCE_IOCTL_QUEUE_INFO, &qi))
			return fail("CCE_IOCTL_QUEUE_INFO");
		if (!(qi.q_status & CCE_QSTS_ERROR) ||
		    !(qi.q_err & CCE_QERR_DB_OUT_OF_RANGE)) {
			fprintf(stderr, "expected a halted queue: status %#x err %#x\n",
				qi.q_status, qi.q_err);
			return 1;
		}
		printf("bad doorbell halted the queue (status %#x, err %#x), poll() woke\n",
		       qi.q_status, qi.q_err);
	}

	/* Recover: stop, start again; indices restart at 0 with phase 1. */
	if (ioctl(q.fd, UACCE_CMD_PUT_Q))
		return fail("UACCE_CMD_PUT_Q");
	if (ioctl(q.fd, UACCE_CMD_START_Q))
		return fail("UACCE_CMD_START_Q after PUT_Q");
	q.tail = q.head = q.chead = 0;
	q.phase = 1;
	memset(&d, 0, sizeof(d));
	d.opcode = CCE_OP_NOP;
	d.flags = CCE_DF_IRQ;
	d.cookie = 0x5eed;
	if (submit(&q, &d) || reap(&q, &c, 10000))
		return 1;
	if (c.status != CCE_ST_SUCCESS || c.cookie != 0x5eed) {
		fprintf(stderr, "NOP after restart: status %#x\n", c.status);
		bad++;
	} else {
		printf("queue restarted after the error\n");
	}

	/*
	 * Leave with the queue running and both regions mapped: exit tears
	 * it down through munmap + release (uacce put_queue -> cce stop).
	 */
	if (bad)
		return 1;
	printf("CCE-QUEUE-TEST-OK\n");
	return 0;
}
