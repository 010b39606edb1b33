/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfring.h - a minimal io_uring for the guest tests that pin object pages
 * with fixed buffers (pin_user_pages(FOLL_WRITE | FOLL_LONGTERM)):
 * t_obj_longterm and t_obj_pins.  No liburing: the raw system calls.
 *
 * The functions live in tests/lib/mfring.c (build/tests/libmftest.a).
 */
#ifndef MFRING_H
#define MFRING_H

#include <stddef.h>
#include <linux/io_uring.h>

struct mft_ring {
	int fd;
	struct io_uring_params prm;
	void *sq, *cq;
	struct io_uring_sqe *sqes;
	size_t sq_len, cq_len;
};

/* Set up a ring of 4 entries and map it: 0, or -1 (nothing left open). */
int mft_ring_open(struct mft_ring *r);
void mft_ring_close(struct mft_ring *r);
/* Register @len bytes at @p as fixed buffer 0: 0 or -errno. */
int mft_ring_register(struct mft_ring *r, void *p, size_t len);
/*
 * READ_FIXED of @len bytes of @file at 0 into fixed buffer 0 at @buf:
 * the completion's result (bytes read or -errno), or -errno of the enter.
 */
int mft_ring_read_fixed(struct mft_ring *r, int file, void *buf, size_t len);

#endif /* MFRING_H */
