// SPDX-License-Identifier: GPL-2.0
/*
 * mf_extent_freelist.c - the extent allocator's free blocks in DRAM: the
 * free lists by size class, the max-heap by size, and where a request
 * goes (which block, where in it).
 *
 * Free lists (DRAM only, rebuilt by mf_ext_load()).  List k holds the free
 * blocks of (2^(k-1), 2^k] units (list 0: one unit), and bit k of
 * ->nonempty says it has any, so the first list whose blocks all fit a
 * request is one find-first-set away.  A request of n units takes the
 * best fit among the first MF_EXT_SCAN blocks of list class(n), whose
 * blocks may be a little smaller than n; failing that, the best fit among
 * the first MF_EXT_SCAN blocks of the first non-empty larger list, all of
 * which fit.  It is cut from that block to exactly n units in one split.
 * A max-heap of the free blocks by size gives the largest free extent in
 * O(1) and is the last resort: an unaligned request fails with -ENOSPC
 * only if no free extent is large enough.  A split or merge keeps the
 * block's heap slot, so the heap usually moves an entry a level or two;
 * its bound is O(log free blocks).  Every other step is bounded.
 *
 * DRAM: 16 bytes per unit (list links, state, size) and 8 per possible
 * free block (the heap, half the units); metadata: 24 bytes per unit.
 *
 * Requests of MF_EXT_HUGE_SIZE or more start on a MF_EXT_HUGE_SIZE
 * boundary (measured from the data area's base); the block is then cut in
 * up to three.  A smaller request is cut from whichever end of its block
 * leaves more aligned MF_EXT_HUGE_SIZE runs whole, the low end on a tie.
 */
#include "mf_extent_priv.h"

static void mf_heap_put(struct mf_ext_pool *p, u32 i, struct mf_ext_hent e)
{
	p->heap[i] = e;
	p->node[e.unit].state = i + 1;
}

static void mf_heap_up(struct mf_ext_pool *p, u32 i)
{
	struct mf_ext_hent e = p->heap[i];

	while (i) {
		u32 up = (i - 1) / 2;

		if (p->heap[up].size >= e.size)
			break;
		mf_heap_put(p, i, p->heap[up]);
		i = up;
	}
	mf_heap_put(p, i, e);
}

static void mf_heap_down(struct mf_ext_pool *p, u32 i)
{
	struct mf_ext_hent e = p->heap[i];

	for (;;) {
		u32 c = 2 * i + 1;

		if (c >= p->heap_len)
			break;
		if (c + 1 < p->heap_len && p->heap[c + 1].size > p->heap[c].size)
			c++;
		if (p->heap[c].size <= e.size)
			break;
		mf_heap_put(p, i, p->heap[c]);
		i = c;
	}
	mf_heap_put(p, i, e);
}

static void mf_list_add(struct mf_ext_pool *p, u32 u, unsigned int c)
{
	struct mf_ext_node *n = &p->node[u];

	n->prev = MF_EXT_NIL;
	n->next = p->head[c];
	if (n->next != MF_EXT_NIL)
		p->node[n->next].prev = u;
	p->head[c] = u;
	p->nonempty |= 1ULL << c;
}

static void mf_list_del(struct mf_ext_pool *p, u32 u, unsigned int c)
{
	struct mf_ext_node *n = &p->node[u];

	if (n->prev != MF_EXT_NIL)
		p->node[n->prev].next = n->next;
	else
		p->head[c] = n->next;
	if (n->next != MF_EXT_NIL)
		p->node[n->next].prev = n->prev;
	if (p->head[c] == MF_EXT_NIL)
		p->nonempty &= ~(1ULL << c);
}

/* A new free block [@u, @u + @size). */
void mf_ext_fblk_add(struct mf_ext_pool *p, u32 u, u32 size)
{
	u32 i = p->heap_len++;

	MF_EXT_ASSERT(i < p->heap_cap);
	mf_list_add(p, u, mf_class(size));
	p->node[u].size = size;
	p->heap[i].unit = u;
	p->heap[i].size = size;
	mf_heap_up(p, i);
}

/* The free block at @u is no more. */
void mf_ext_fblk_del(struct mf_ext_pool *p, u32 u)
{
	struct mf_ext_node *n = &p->node[u];
	u32 i = n->state - 1;
	u32 last = p->heap_len - 1;

	mf_list_del(p, u, mf_class(p->heap[i].size));
	p->heap_len = last;
	if (i != last) {
		mf_heap_put(p, i, p->heap[last]);
		if (i && p->heap[(i - 1) / 2].size < p->heap[i].size)
			mf_heap_up(p, i);
		else
			mf_heap_down(p, i);
	}
	n->state = 0;
}

/*
 * The free block at @old becomes [@u, @u + @size), in the same heap slot:
 * a split or a merge moves it a few levels at most, where deleting and
 * adding would sift from the bottom.
 */
void mf_ext_fblk_move(struct mf_ext_pool *p, u32 old, u32 u, u32 size)
{
	u32 i = p->node[old].state - 1;
	u32 osize = p->heap[i].size;
	unsigned int oc = mf_class(osize), c = mf_class(size);

	if (old != u || oc != c) {
		mf_list_del(p, old, oc);
		mf_list_add(p, u, c);
	}
	if (old != u)
		p->node[old].state = 0;
	p->heap[i].unit = u;
	p->heap[i].size = size;
	p->node[u].state = i + 1;
	p->node[u].size = size;
	if (size > osize)
		mf_heap_up(p, i);
	else if (size < osize)
		mf_heap_down(p, i);
}

/* Does [@n units aligned to @align] fit in the block [@s, @s + @size)? */
static bool mf_fit(u32 s, u32 size, u32 n, u32 align)
{
	u64 a = ((u64)s + align - 1) & ~((u64)align - 1);

	return a + n <= (u64)s + size;
}

/* The smallest fitting block of the first MF_EXT_SCAN of list @c. */
static u32 mf_scan(const struct mf_ext_pool *p, unsigned int c, u32 n,
		   u32 align)
{
	u32 u = p->head[c], best = MF_EXT_NIL, bsize = U32_MAX;
	int i;

	for (i = 0; i < MF_EXT_SCAN && u != MF_EXT_NIL; i++) {
		u32 size = mf_free_size(p, u);

		if (size < bsize && mf_fit(u, size, n, align)) {
			best = u;
			bsize = size;
			if (size == n)
				break;
		}
		u = p->node[u].next;
	}
	return best;
}

/* A free block for @n units aligned to @align; MF_EXT_NIL if none. */
u32 mf_ext_find(const struct mf_ext_pool *p, u32 n, u32 align)
{
	unsigned int c = mf_class(n);
	unsigned int last = mf_class((u64)n + align - 1);
	u64 more;
	u32 u;

	/* Lists whose blocks may or may not fit: one, two if aligned. */
	if (last > MF_EXT_NR_CLASSES - 1)
		last = MF_EXT_NR_CLASSES - 1;
	for (; c <= last; c++) {
		if (!(p->nonempty & 1ULL << c))
			continue;
		u = mf_scan(p, c, n, align);
		if (u != MF_EXT_NIL)
			return u;
	}
	/* Every block of a larger list fits. */
	more = p->nonempty & ~((2ULL << last) - 1);
	if (more)
		return mf_scan(p, mf_ext_ffs64(more), n, align);
	/* The largest block, if it fits, lest a fit be missed. */
	if (p->heap_len && mf_fit(p->heap[0].unit, p->heap[0].size, n, align))
		return p->heap[0].unit;
	return MF_EXT_NIL;
}

/* Whole aligned MF_EXT_HUGE_SIZE runs in units [@lo, @hi). */
static u64 mf_runs(const struct mf_ext_pool *p, u64 lo, u64 hi)
{
	u64 mask = (1ULL << p->huge_shift) - 1;

	lo = (lo + mask) & ~mask;
	hi &= ~mask;
	return hi > lo ? (hi - lo) >> p->huge_shift : 0;
}

/* Where in the free block [@s, @s + @size) to put @n units. */
u64 mf_ext_place(const struct mf_ext_pool *p, u32 s, u32 size, u32 n,
		 u32 align)
{
	u64 e = (u64)s + size;

	if (align > 1)
		return ((u64)s + align - 1) & ~((u64)align - 1);
	if (!p->huge_shift || size == n || size >> p->huge_shift == 0)
		return s;
	return mf_runs(p, s, e - n) > mf_runs(p, s + n, e) ? e - n : s;
}
