// SPDX-License-Identifier: GPL-2.0
/*
 * baseline_buddy.c - a classic binary buddy allocator over units: a
 * request is rounded up to 2^k units, taken from the free list of order k
 * or split down from a larger block; a freed block merges with its buddy
 * (address ^ 2^k) while that is free and of the same order.  Free lists
 * are doubly linked through per-unit arrays (LIFO), with a bitmap of
 * non-empty orders.  Blocks of order k are 2^k-aligned, so a 2 MiB
 * request is 2 MiB-aligned without asking.  A capacity that is not a
 * power of two is covered by the largest aligned blocks that fit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench_alloc.h"

#define NIL		UINT32_MAX
#define MAX_ORDER	32

struct buddy {
	uint32_t n;
	unsigned int shift;
	uint64_t nonempty;
	uint32_t head[MAX_ORDER + 1];
	uint32_t *next, *prev;
	uint8_t *order;		/* order of the block starting here */
	uint8_t *isfree;	/* 1 if that block is free */
};

static void push(struct buddy *b, uint32_t u, unsigned int o)
{
	b->order[u] = o;
	b->isfree[u] = 1;
	b->prev[u] = NIL;
	b->next[u] = b->head[o];
	if (b->next[u] != NIL)
		b->prev[b->next[u]] = u;
	b->head[o] = u;
	b->nonempty |= 1ULL << o;
}

static void unlink_block(struct buddy *b, uint32_t u)
{
	unsigned int o = b->order[u];

	if (b->prev[u] != NIL)
		b->next[b->prev[u]] = b->next[u];
	else
		b->head[o] = b->next[u];
	if (b->next[u] != NIL)
		b->prev[b->next[u]] = b->prev[u];
	if (b->head[o] == NIL)
		b->nonempty &= ~(1ULL << o);
	b->isfree[u] = 0;
}

static void *bd_create(uint64_t capacity, unsigned int unit_shift)
{
	struct buddy *b = calloc(1, sizeof(*b));
	uint32_t u = 0;
	unsigned int o;

	if (!b)
		return NULL;
	b->shift = unit_shift;
	b->n = capacity >> unit_shift;
	b->next = malloc((size_t)b->n * 4);
	b->prev = malloc((size_t)b->n * 4);
	b->order = calloc(b->n, 1);
	b->isfree = calloc(b->n, 1);
	if (!b->next || !b->prev || !b->order || !b->isfree) {
		free(b->next);
		free(b->prev);
		free(b->order);
		free(b->isfree);
		free(b);
		return NULL;
	}
	for (o = 0; o <= MAX_ORDER; o++)
		b->head[o] = NIL;
	while (u < b->n) {
		o = u ? __builtin_ctz(u) : MAX_ORDER - 1;
		while ((uint64_t)u + (1ULL << o) > b->n)
			o--;
		push(b, u, o);
		u += 1U << o;
	}
	return b;
}

static void bd_destroy(void *a)
{
	struct buddy *b = a;

	free(b->next);
	free(b->prev);
	free(b->order);
	free(b->isfree);
	free(b);
}

static int bd_alloc(void *a, uint64_t len, uint64_t *off, uint64_t *reserved)
{
	struct buddy *b = a;
	uint64_t unit = 1ULL << b->shift;
	uint64_t n = (len + unit - 1) >> b->shift, more;
	unsigned int o = n <= 1 ? 0 : 64 - __builtin_clzll(n - 1), k;
	uint32_t u;

	if (o > MAX_ORDER)
		return -ENOSPC;
	more = b->nonempty & ~((1ULL << o) - 1);
	if (!more)
		return -ENOSPC;
	k = __builtin_ctzll(more);
	u = b->head[k];
	unlink_block(b, u);
	while (k > o) {
		k--;
		push(b, u + (1U << k), k);
	}
	b->order[u] = o;
	*off = (uint64_t)u << b->shift;
	*reserved = unit << o;
	return 0;
}

static void bd_free(void *a, uint64_t off, uint64_t len)
{
	struct buddy *b = a;
	uint32_t u = off >> b->shift, buddy;
	unsigned int o = b->order[u];

	(void)len;
	while (o < MAX_ORDER) {
		buddy = u ^ (1U << o);
		if ((uint64_t)buddy + (1ULL << o) > b->n || !b->isfree[buddy] ||
		    b->order[buddy] != o)
			break;
		unlink_block(b, buddy);
		if (buddy < u)
			u = buddy;
		o++;
	}
	push(b, u, o);
}

static void bd_frag(void *a, uint64_t *largest, uint64_t *total)
{
	struct buddy *b = a;
	unsigned int o;
	uint32_t u;

	*largest = 0;
	*total = 0;
	for (o = 0; o <= MAX_ORDER; o++) {
		for (u = b->head[o]; u != NIL; u = b->next[u]) {
			*total += 1ULL << o;
			*largest = 1ULL << o;
		}
	}
	*largest <<= b->shift;
	*total <<= b->shift;
}

static uint64_t bd_meta(void *a)
{
	struct buddy *b = a;

	return (uint64_t)b->n * 10 + sizeof(*b);
}

const struct bench_allocator bench_buddy = {
	.name = "classic buddy",
	.create = bd_create,
	.destroy = bd_destroy,
	.alloc = bd_alloc,
	.free = bd_free,
	.frag = bd_frag,
	.meta_bytes = bd_meta,
};
