// SPDX-License-Identifier: GPL-2.0
/*
 * mfring.c - the minimal io_uring of tests/mfring.h, shared by
 * t_obj_longterm and t_obj_pins (build/tests/libmftest.a).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "mfring.h"

int mft_ring_open(struct mft_ring *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = syscall(__NR_io_uring_setup, 4, &r->prm);
	if (r->fd < 0)
		return -1;
	r->sq_len = r->prm.sq_off.array + r->prm.sq_entries * sizeof(__u32);
	r->cq_len = r->prm.cq_off.cqes +
		    r->prm.cq_entries * sizeof(struct io_uring_cqe);
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->cq = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->prm.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       r->fd, IORING_OFF_SQES);
	if (r->sq == MAP_FAILED || r->cq == MAP_FAILED ||
	    r->sqes == MAP_FAILED) {
		close(r->fd);
		return -1;
	}
	return 0;
}

void mft_ring_close(struct mft_ring *r)
{
	munmap(r->sq, r->sq_len);
	munmap(r->cq, r->cq_len);
	munmap(r->sqes, r->prm.sq_entries * sizeof(struct io_uring_sqe));
	close(r->fd);
}

int mft_ring_read_fixed(struct mft_ring *r, int file, void *buf, size_t len)
{
	__u32 *tail = (__u32 *)((char *)r->sq + r->prm.sq_off.tail);
	__u32 *mask = (__u32 *)((char *)r->sq + r->prm.sq_off.ring_mask);
	__u32 *array = (__u32 *)((char *)r->sq + r->prm.sq_off.array);
	__u32 *chead = (__u32 *)((char *)r->cq + r->prm.cq_off.head);
	__u32 *ctail = (__u32 *)((char *)r->cq + r->prm.cq_off.tail);
	__u32 *cmask = (__u32 *)((char *)r->cq + r->prm.cq_off.ring_mask);
	struct io_uring_cqe *cqes = (void *)((char *)r->cq + r->prm.cq_off.cqes);
	__u32 t = *tail, i = t & *mask;
	struct io_uring_sqe *sqe = &r->sqes[i];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ_FIXED;
	sqe->fd = file;
	sqe->addr = (uintptr_t)buf;
	sqe->len = len;
	sqe->off = 0;
	sqe->buf_index = 0;
	array[i] = i;
	__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		return -errno;
	if (__atomic_load_n(ctail, __ATOMIC_ACQUIRE) == *chead)
		return -EIO;
	res = cqes[*chead & *cmask].res;
	__atomic_store_n(chead, *chead + 1, __ATOMIC_RELEASE);
	return res;
}

int mft_ring_register(struct mft_ring *r, void *p, size_t len)
{
	struct iovec iov = { .iov_base = p, .iov_len = len };

	return syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS,
		       &iov, 1) ? -errno : 0;
}
