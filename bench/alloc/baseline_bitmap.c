// SPDX-License-Identifier: GPL-2.0
/*
 * baseline_bitmap.c - first fit over a bitmap of units, as the kernel's
 * genalloc does it (gen_pool_first_fit() is bitmap_find_next_zero_area()
 * from bit 0; gen_pool_free() clears the bits).  One bit per unit; the
 * caller gives the length back on free, as gen_pool_free() requires.
 *
 * fill_mode: while the pool has only seen allocations, the first zero
 * area at or after bit 0 is the one at or after the last allocation's
 * end, so the initial fill may start its search there and get exactly
 * what first fit gives.  It only makes filling 1M extents take seconds
 * instead of minutes; the timed churn always searches from bit 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench_alloc.h"

struct bm {
	uint64_t *map;
	uint64_t nbits;
	unsigned int shift;
	int fill;
	uint64_t hint;
};

static void *bm_create(uint64_t capacity, unsigned int unit_shift)
{
	struct bm *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->shift = unit_shift;
	b->nbits = capacity >> unit_shift;
	b->map = calloc((b->nbits + 63) / 64, 8);
	if (!b->map) {
		free(b);
		return NULL;
	}
	return b;
}

static void bm_destroy(void *a)
{
	struct bm *b = a;

	free(b->map);
	free(b);
}

/* find_next_bit() / find_next_zero_bit(), a word at a time. */
static uint64_t next_bit(const uint64_t *map, uint64_t size, uint64_t start,
			 uint64_t invert)
{
	uint64_t w, i;

	if (start >= size)
		return size;
	i = start / 64;
	w = (map[i] ^ invert) & (~0ULL << (start % 64));
	while (!w) {
		if (++i * 64 >= size)
			return size;
		w = map[i] ^ invert;
	}
	i = i * 64 + __builtin_ctzll(w);
	return i < size ? i : size;
}

/* bitmap_find_next_zero_area(map, size, start, nr, align_mask) */
static uint64_t find_zero_area(const uint64_t *map, uint64_t size,
			       uint64_t start, uint64_t nr, uint64_t mask)
{
	uint64_t index, end, i;

	for (;;) {
		index = next_bit(map, size, start, ~0ULL);
		index = (index + mask) & ~mask;
		end = index + nr;
		if (end > size)
			return end;
		i = next_bit(map, end, index, 0);
		if (i >= end)
			return index;
		start = i + 1;
	}
}

static void set_bits(uint64_t *map, uint64_t start, uint64_t nr, int on)
{
	while (nr) {
		uint64_t bit = start % 64, n = 64 - bit;
		uint64_t mask;

		if (n > nr)
			n = nr;
		mask = (n == 64 ? ~0ULL : ((1ULL << n) - 1)) << bit;
		if (on)
			map[start / 64] |= mask;
		else
			map[start / 64] &= ~mask;
		start += n;
		nr -= n;
	}
}

static int bm_alloc(void *a, uint64_t len, uint64_t *off, uint64_t *reserved)
{
	struct bm *b = a;
	uint64_t unit = 1ULL << b->shift;
	uint64_t nr = (len + unit - 1) >> b->shift;
	uint64_t mask = 0, start;

	if (len >= BENCH_HUGE && unit < BENCH_HUGE)
		mask = (BENCH_HUGE >> b->shift) - 1;
	start = find_zero_area(b->map, b->nbits, b->fill ? b->hint : 0, nr,
			       mask);
	if (start + nr > b->nbits)
		return -ENOSPC;
	set_bits(b->map, start, nr, 1);
	b->hint = start + nr;
	*off = start << b->shift;
	*reserved = nr << b->shift;
	return 0;
}

static void bm_free(void *a, uint64_t off, uint64_t len)
{
	struct bm *b = a;
	uint64_t unit = 1ULL << b->shift;

	set_bits(b->map, off >> b->shift, (len + unit - 1) >> b->shift, 0);
}

static void bm_frag(void *a, uint64_t *largest, uint64_t *total)
{
	struct bm *b = a;
	uint64_t i = 0, end;

	*largest = 0;
	*total = 0;
	for (;;) {
		i = next_bit(b->map, b->nbits, i, ~0ULL);
		if (i >= b->nbits)
			break;
		end = next_bit(b->map, b->nbits, i, 0);
		*total += end - i;
		if (end - i > *largest)
			*largest = end - i;
		i = end;
	}
	*largest <<= b->shift;
	*total <<= b->shift;
}

static uint64_t bm_meta(void *a)
{
	struct bm *b = a;

	return (b->nbits + 63) / 64 * 8 + sizeof(*b);
}

static void bm_fill_mode(void *a, int on)
{
	struct bm *b = a;

	b->fill = on;
	b->hint = 0;
}

const struct bench_allocator bench_bitmap = {
	.name = "bitmap first-fit",
	.create = bm_create,
	.destroy = bm_destroy,
	.alloc = bm_alloc,
	.free = bm_free,
	.frag = bm_frag,
	.meta_bytes = bm_meta,
	.fill_mode = bm_fill_mode,
};
