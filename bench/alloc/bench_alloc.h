/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_alloc.h - the interface bench_alloc.c drives each allocator by.
 *
 * Offsets and lengths are in bytes from the pool's base.  A request of
 * BENCH_HUGE bytes or more must come back BENCH_HUGE-aligned, as memfabric
 * requires of its allocator.
 */
#ifndef BENCH_ALLOC_H
#define BENCH_ALLOC_H

#include <stdint.h>

#define BENCH_HUGE	(2ULL << 20)

struct bench_allocator {
	const char *name;
	/* A pool of @capacity bytes in units of 1 << @unit_shift. */
	void *(*create)(uint64_t capacity, unsigned int unit_shift);
	void (*destroy)(void *a);
	/* 0 and the offset and bytes reserved, or -ENOSPC. */
	int (*alloc)(void *a, uint64_t len, uint64_t *off, uint64_t *reserved);
	/* Free what alloc(@len) returned at @off. */
	void (*free)(void *a, uint64_t off, uint64_t len);
	/* Largest allocatable free extent and all free bytes. */
	void (*frag)(void *a, uint64_t *largest_free, uint64_t *total_free);
	/* Bytes of allocator metadata (persistent and DRAM). */
	uint64_t (*meta_bytes)(void *a);
	/*
	 * Optional: bulk placement for the initial fill, which must leave
	 * the same state as calling alloc() (see baseline_bitmap.c).
	 */
	void (*fill_mode)(void *a, int on);
};

extern const struct bench_allocator bench_bitmap;
extern const struct bench_allocator bench_buddy;

#endif /* BENCH_ALLOC_H */
