// SPDX-License-Identifier: GPL-2.0
/*
 * mf_extent.c - memfabric's extent allocator: seed 004's improved buddy
 * system, made persistent and crash-consistent.  This file holds its
 * entry points (mf_extent.h): sizes, format, load and unload, alloc,
 * free, lookup, walk and stat; the rest is in mf_extent_media.c (block
 * headers, redo journal), mf_extent_freelist.c (free lists and heap) and
 * mf_extent_check.c (mf_ext_check()), sharing mf_extent_priv.h.
 *
 * Blocks.  The capacity is cut into units of 1 << unit_shift bytes and
 * covered exactly by blocks, each free or used, chained in address order.
 * A block's header sits in the metadata slot of its first unit (slots of
 * its other units are stale and never read) and holds its size, the
 * distance back to the previous block's start, a tag and a checksum; the
 * next block starts where this one ends.  So a block finds both physical
 * neighbours in O(1), and no two free blocks are ever adjacent: freeing
 * merges with either neighbour at once.  Headers hold unit numbers, never
 * pointers.
 */
#include "mf_extent_priv.h"

#if defined(MF_DEBUG) && defined(__KERNEL__)
/*
 * make DEBUG=1: the whole allocator is checked (mf_ext_check(), O(units))
 * after every operation that changed it; an inconsistency is a WARNING
 * with what was found first, which the test runners fail on.
 */
static void mf_debug_check(struct mf_ext_pool *p, const char *op)
{
	struct mf_ext_check r;

	if (mf_ext_check(p, &r))
		WARN(1, "memfabric: allocator inconsistent after %s: unit %llu: %s (%llu errors)\n",
		     op, r.first_error, r.what, r.errors);
}
#else
static inline void mf_debug_check(struct mf_ext_pool *p, const char *op)
{
	(void)p;
	(void)op;
}
#endif

/* ---- sizes, format, load ---- */

static bool mf_args_ok(u64 capacity, u32 unit_shift)
{
	u64 n;

	if (unit_shift < MF_EXT_UNIT_SHIFT_MIN ||
	    unit_shift > MF_EXT_UNIT_SHIFT_MAX)
		return false;
	n = capacity >> unit_shift;
	return n && n <= MF_EXT_MAX_UNITS;
}

/**
 * mf_ext_pool_size() - size of the allocator's DRAM state
 *
 * The caller allocates this many zeroed bytes for a struct mf_ext_pool and
 * passes them to mf_ext_format() or mf_ext_load().
 *
 * Return: sizeof(struct mf_ext_pool).
 */
size_t mf_ext_pool_size(void)
{
	return sizeof(struct mf_ext_pool);
}

/**
 * mf_ext_meta_size() - size of the metadata area for a pool
 * @capacity: bytes to manage; rounded down to a whole number of units
 * @unit_shift: log2 of the allocation unit, MF_EXT_UNIT_SHIFT_MIN to
 *	MF_EXT_UNIT_SHIFT_MAX
 *
 * The metadata is a 4 KiB superblock and journal page and a 24-byte
 * header slot per unit, rounded up to 4 KiB.
 *
 * Return: bytes of metadata, or 0 if @unit_shift is out of range or
 * @capacity holds no unit or more than 2^31 units.
 */
size_t mf_ext_meta_size(u64 capacity, u32 unit_shift)
{
	u64 end;

	if (!mf_args_ok(capacity, unit_shift))
		return 0;
	end = mf_hoff(capacity >> unit_shift);
	return (end + MF_EXT_META_ALIGN - 1) & ~(u64)(MF_EXT_META_ALIGN - 1);
}

/* Check the arguments and set up @p's DRAM state, with no blocks. */
static int mf_setup(struct mf_ext_pool *p, void *meta, u64 capacity,
		    u32 unit_shift)
{
	u32 c;

	if (!p || !meta || ((unsigned long)meta & 7) ||
	    !mf_args_ok(capacity, unit_shift))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->meta = meta;
	p->capacity = capacity;
	p->meta_size = mf_ext_meta_size(capacity, unit_shift);
	p->nr_units = capacity >> unit_shift;
	p->unit_shift = unit_shift;
	p->huge_shift = unit_shift < MF_EXT_HUGE_SHIFT ?
			MF_EXT_HUGE_SHIFT - unit_shift : 0;
	p->heap_cap = p->nr_units / 2 + 2;
	for (c = 0; c < MF_EXT_NR_CLASSES; c++)
		p->head[c] = MF_EXT_NIL;
	p->seq = 1;
	p->node = mf_ext_zalloc((size_t)p->nr_units * sizeof(*p->node));
	p->heap = mf_ext_zalloc((size_t)p->heap_cap * sizeof(*p->heap));
	if (!p->node || !p->heap) {
		mf_ext_unload(p);
		return -ENOMEM;
	}
	return 0;
}

/**
 * mf_ext_format() - make a new, empty allocator in a metadata area
 * @p: the DRAM state, mf_ext_pool_size() bytes, not loaded
 * @meta: the metadata area, mf_ext_meta_size() bytes, 8-byte aligned
 * @capacity: bytes to manage (the data area's size); a partial unit at
 *	the end is not used
 * @unit_shift: log2 of the allocation unit, MF_EXT_UNIT_SHIFT_MIN to
 *	MF_EXT_UNIT_SHIFT_MAX
 *
 * Writes the superblock, an empty journal and one free block covering the
 * capacity; O(1) in the capacity.  The superblock's magic is cleared first
 * and written last, so a crash in between leaves an area mf_ext_load()
 * rejects.  On success @p is loaded.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a bad argument; -ENOMEM if the DRAM state
 * cannot be allocated.
 */
int mf_ext_format(struct mf_ext_pool *p, void *meta, u64 capacity,
		  u32 unit_shift)
{
	struct mf_ext_sb *sb = meta;
	int ret;

	ret = mf_setup(p, meta, capacity, unit_shift);
	if (ret)
		return ret;
	mf_ext_st64(&sb->magic, 0);
	mf_flush(p, 0, 8);
	mf_ext_fence();

	mf_ext_st64(&sb->version, mf_ext_le64(MF_EXT_VERSION));
	mf_ext_st64(&sb->capacity, mf_ext_le64(capacity));
	mf_ext_st64(&sb->unit_shift, mf_ext_le64(unit_shift));
	mf_ext_st64(&sb->nr_units, mf_ext_le64(p->nr_units));
	mf_ext_st64(&sb->hdr_off, mf_ext_le64(MF_EXT_HDR_OFF));
	mf_ext_st64(&sb->meta_size, mf_ext_le64(p->meta_size));
	memset(p->meta + MF_EXT_COMMIT_OFF, 0,
	       MF_EXT_REC_OFF + sizeof(struct mf_ext_jrec) - MF_EXT_COMMIT_OFF);
	mf_ext_j_hdr(p, 0, p->nr_units, 0, 0, false, true);
	mf_ext_j_apply(p, p->j, p->jn);
	p->jn = 0;
	mf_flush(p, 0, MF_EXT_REC_OFF + sizeof(struct mf_ext_jrec));
	mf_ext_fence();

	mf_ext_st64(&sb->magic, mf_ext_le64(MF_EXT_SB_MAGIC));
	mf_ext_st64(&sb->csum, mf_ext_le64(mf_ext_sb_csum(sb)));
	mf_flush(p, 0, sizeof(*sb));
	mf_ext_fence();

	mf_ext_fblk_add(p, 0, p->nr_units);
	mf_debug_check(p, "format");
	return 0;
}

/* Walk the chain from unit 0 and build the DRAM state. */
static int mf_rebuild(struct mf_ext_pool *p)
{
	u32 u = 0, prev = 0;
	bool prev_free = false;
	struct mf_ext_hdr h;
	u64 n = 0;

	while (u < p->nr_units) {
		if (mf_ext_hdr_get(p, u, &h) || h.prev != u - prev ||
		    (!h.used && prev_free))
			return -EUCLEAN;
		if (h.used) {
			p->node[u].state = MF_EXT_USED;
			p->nr_used++;
			p->used_units += h.size;
		} else {
			mf_ext_fblk_add(p, u, h.size);
		}
		prev_free = !h.used;
		prev = u;
		u += h.size;
		if (!(++n & 4095))
			mf_ext_resched();
	}
	return 0;
}

/**
 * mf_ext_load() - load an allocator that mf_ext_format() made
 * @p: the DRAM state, mf_ext_pool_size() bytes, not loaded
 * @meta: the metadata area, 8-byte aligned
 * @capacity: the capacity it was formatted with
 * @unit_shift: the unit_shift it was formatted with
 *
 * Checks the superblock, replays the journal if an operation was cut
 * short, then walks the chain of blocks (O(blocks)), checking every
 * header, and rebuilds the free lists.  On failure @p is left unloaded.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a bad argument or if @capacity or @unit_shift is
 * not what the area was formatted with; -EUCLEAN if the metadata is not a
 * formatted area or is corrupt; -ENOMEM.
 */
int mf_ext_load(struct mf_ext_pool *p, void *meta, u64 capacity,
		u32 unit_shift)
{
	const struct mf_ext_sb *sb = meta;
	int ret;

	if (!p || !meta || ((unsigned long)meta & 7) ||
	    !mf_args_ok(capacity, unit_shift))
		return -EINVAL;
	if (mf_ext_cpu64(mf_ext_ld64(&sb->magic)) != MF_EXT_SB_MAGIC ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->version)) != MF_EXT_VERSION ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->csum)) != mf_ext_sb_csum(sb))
		return -EUCLEAN;
	if (mf_ext_cpu64(mf_ext_ld64(&sb->capacity)) != capacity ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->unit_shift)) != unit_shift)
		return -EINVAL;
	if (mf_ext_cpu64(mf_ext_ld64(&sb->nr_units)) != capacity >> unit_shift ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->hdr_off)) != MF_EXT_HDR_OFF ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->meta_size)) !=
	    mf_ext_meta_size(capacity, unit_shift))
		return -EUCLEAN;
	ret = mf_setup(p, meta, capacity, unit_shift);
	if (ret)
		return ret;
	ret = mf_ext_j_recover(p);
	if (!ret)
		ret = mf_rebuild(p);
	if (ret)
		mf_ext_unload(p);
	else
		mf_debug_check(p, "load");
	return ret;
}

/**
 * mf_ext_unload() - free the allocator's DRAM state
 * @p: the DRAM state; may be loaded, unloaded or NULL
 *
 * The metadata needs nothing: every operation was durable when it
 * returned.  Afterwards @p is unloaded and every call on it but
 * mf_ext_format() and mf_ext_load() fails with -EINVAL.
 *
 * Context: any context where kvfree() may be called.
 */
void mf_ext_unload(struct mf_ext_pool *p)
{
	if (!p)
		return;
	mf_ext_vfree(p->node);
	mf_ext_vfree(p->heap);
	memset(p, 0, sizeof(*p));
}

/**
 * mf_ext_set_lock() - name the mutex the caller holds around every call
 * @p: the DRAM state, loaded
 * @lock: the mutex, or NULL for none
 *
 * With lockdep, every later call on @p that changes or reads it asserts
 * that @lock is held.  The userspace build ignores @lock.  Loading or
 * formatting again forgets it.
 */
void mf_ext_set_lock(struct mf_ext_pool *p, struct mutex *lock)
{
	if (p)
		p->lock = lock;
}

/* ---- operations ---- */

/**
 * mf_ext_alloc() - allocate an extent
 * @p: the allocator
 * @len: bytes wanted; rounded up to a whole number of units
 * @tag: stored with the extent, returned by mf_ext_lookup() and
 *	mf_ext_for_each_used(), persistent
 * @off: where to put the extent's offset from the data area's base
 *
 * Cuts exactly the units needed from a free block.  An extent of
 * MF_EXT_HUGE_SIZE or more starts at a multiple of MF_EXT_HUGE_SIZE.
 * Durable when it returns.
 *
 * Context: the caller serialises calls on @p.
 * Return: 0; -EINVAL if @len is 0 or too large to round up, @off is NULL
 * or @p is not loaded; -ENOSPC if no free extent fits: for an unaligned
 * request that means none is as large as @len rounded up, an aligned one
 * may also fail when its only fits are not among the blocks looked at;
 * -EUCLEAN if the metadata was found corrupt (nothing is changed).
 */
int mf_ext_alloc(struct mf_ext_pool *p, u64 len, u64 tag, u64 *off)
{
	struct mf_ext_hdr h, nh = {};
	u64 unit, n, a, e, last;
	u32 s, align;

	if (!p || !p->meta || !off || !len)
		return -EINVAL;
	mf_assert_locked(p);
	unit = 1ULL << p->unit_shift;
	if (len > U64_MAX - (unit - 1))
		return -EINVAL;
	n = (len + unit - 1) >> p->unit_shift;
	if (n > p->nr_units - p->used_units)
		return -ENOSPC;
	align = len >= MF_EXT_HUGE_SIZE ? 1U << p->huge_shift : 1;
	s = mf_ext_find(p, n, align);
	if (s == MF_EXT_NIL)
		return -ENOSPC;
	e = (u64)s + mf_free_size(p, s);
	mf_ext_prefetch(p->meta + mf_hoff(s));
	if (e < p->nr_units)
		mf_ext_prefetch(p->meta + mf_hoff(e));
	if (mf_ext_hdr_get(p, s, &h) || h.used || h.size != mf_free_size(p, s))
		return -EUCLEAN;
	if (e < p->nr_units &&
	    (mf_ext_hdr_get(p, e, &nh) || !nh.used || nh.prev != h.size))
		return -EUCLEAN;
	a = mf_ext_place(p, s, h.size, n, align);
	MF_EXT_ASSERT(a >= s && a + n <= e);

	p->jn = 0;
	if (a > s)
		mf_ext_j_hdr(p, s, a - s, h.prev, 0, false, false);
	mf_ext_j_hdr(p, a, n, a > s ? a - s : h.prev, tag, true, a > s);
	if (a + n < e)
		mf_ext_j_hdr(p, a + n, e - a - n, n, 0, false, true);
	last = a + n < e ? a + n : a;
	if (e < p->nr_units && e - last != nh.prev)
		mf_ext_j_hdr(p, e, nh.size, e - last, nh.tag, true, false);
	mf_ext_j_commit(p);

	if (a + n < e) {
		mf_ext_fblk_move(p, s, a + n, e - a - n);
		if (a > s)
			mf_ext_fblk_add(p, s, a - s);
	} else if (a > s) {
		mf_ext_fblk_move(p, s, s, a - s);
	} else {
		mf_ext_fblk_del(p, s);
	}
	p->node[a].state = MF_EXT_USED;
	p->nr_used++;
	p->used_units += n;
	*off = a << p->unit_shift;
	mf_debug_check(p, "alloc");
	return 0;
}

/**
 * mf_ext_free() - free an extent
 * @p: the allocator
 * @off: the extent's offset, as mf_ext_alloc() returned it
 *
 * Merges the extent with a free neighbour on either side, in O(1).  An
 * @off that is not the start of a used extent (an extent's inside, a free
 * block, a second free) is refused and changes nothing.  Durable when it
 * returns.
 *
 * Context: the caller serialises calls on @p.
 * Return: 0; -EINVAL if @off is not the start of a used extent or @p is
 * not loaded; -EUCLEAN if the metadata was found corrupt (nothing is
 * changed).
 */
int mf_ext_free(struct mf_ext_pool *p, u64 off)
{
	struct mf_ext_hdr h, ph, nh, ah = {};
	bool merge_prev = false, merge_next = false;
	u32 u, s, sprev;
	u64 e, end;

	if (!p || !p->meta)
		return -EINVAL;
	mf_assert_locked(p);
	if (off & ((1ULL << p->unit_shift) - 1) ||
	    off >> p->unit_shift >= p->nr_units)
		return -EINVAL;
	u = off >> p->unit_shift;
	mf_ext_prefetch(p->meta + mf_hoff(u));
	if (p->node[u].state != MF_EXT_USED)
		return -EINVAL;
	if (mf_ext_hdr_get(p, u, &h) || !h.used)
		return -EUCLEAN;
	s = u;
	sprev = h.prev;
	e = (u64)u + h.size;
	end = e;
	if (u)
		mf_prefetch(p, u - h.prev);
	if (e < p->nr_units)
		mf_prefetch(p, e);
	if (u) {
		u32 pu = u - h.prev;

		if (mf_ext_hdr_get(p, pu, &ph) || ph.size != h.prev)
			return -EUCLEAN;
		if (!ph.used) {
			if (!mf_is_free(p, pu))
				return -EUCLEAN;
			merge_prev = true;
			s = pu;
			sprev = ph.prev;
		}
	}
	if (e < p->nr_units) {
		if (mf_ext_hdr_get(p, e, &nh) || nh.prev != h.size)
			return -EUCLEAN;
		if (!nh.used) {
			if (!mf_is_free(p, e))
				return -EUCLEAN;
			merge_next = true;
			end = e + nh.size;
		}
	}
	if (end < p->nr_units &&
	    (mf_ext_hdr_get(p, end, &ah) || !ah.used ||
	     ah.prev != end - (merge_next ? e : u)))
		return -EUCLEAN;

	p->jn = 0;
	mf_ext_j_hdr(p, s, end - s, sprev, 0, false, false);
	if (merge_prev)
		mf_ext_j_kill(p, u);
	if (merge_next)
		mf_ext_j_kill(p, e);
	if (end < p->nr_units && ah.prev != end - s)
		mf_ext_j_hdr(p, end, ah.size, end - s, ah.tag, true, false);
	mf_ext_j_commit(p);

	p->node[u].state = 0;
	if (merge_prev) {
		if (merge_next)
			mf_ext_fblk_del(p, e);
		mf_ext_fblk_move(p, s, s, end - s);
	} else if (merge_next) {
		mf_ext_fblk_move(p, e, u, end - u);
	} else {
		mf_ext_fblk_add(p, u, end - u);
	}
	p->nr_used--;
	p->used_units -= h.size;
	mf_debug_check(p, "free");
	return 0;
}

/**
 * mf_ext_lookup() - the length and tag of a used extent
 * @p: the allocator
 * @off: the extent's offset
 * @len: if not NULL, set to its length (whole units)
 * @tag: if not NULL, set to its tag
 *
 * Context: the caller serialises calls on @p.
 * Return: 0; -ENOENT if no used extent starts at @off; -EINVAL if @p is
 * not loaded; -EUCLEAN if its header is corrupt.
 */
int mf_ext_lookup(struct mf_ext_pool *p, u64 off, u64 *len, u64 *tag)
{
	struct mf_ext_hdr h;
	u32 u;

	if (!p || !p->meta)
		return -EINVAL;
	mf_assert_locked(p);
	if (off & ((1ULL << p->unit_shift) - 1) ||
	    off >> p->unit_shift >= p->nr_units)
		return -ENOENT;
	u = off >> p->unit_shift;
	if (p->node[u].state != MF_EXT_USED)
		return -ENOENT;
	if (mf_ext_hdr_get(p, u, &h) || !h.used)
		return -EUCLEAN;
	if (len)
		*len = (u64)h.size << p->unit_shift;
	if (tag)
		*tag = h.tag;
	return 0;
}

/**
 * mf_ext_walk_used() - call a function on every used extent
 * @p: the allocator
 * @fn: called with @ctx, offset, length and tag of each used extent, in
 *	address order; a non-zero return stops the walk.  It must not
 *	allocate or free on @p.
 * @ctx: passed to @fn
 *
 * O(blocks); this is how the object layer finds its objects after a
 * reboot.  Callers spell it mf_ext_for_each_used() (see mf_extent.h).
 *
 * Context: the caller serialises calls on @p; may sleep.
 * Return: 0 after the last extent; what @fn returned if not 0; -EINVAL if
 * @p is not loaded or @fn is NULL; -EUCLEAN if a header is corrupt.
 */
int mf_ext_walk_used(struct mf_ext_pool *p,
		     int (*fn)(void *ctx, u64 off, u64 len, u64 tag), void *ctx)
{
	struct mf_ext_hdr h;
	u32 u = 0;
	u64 n = 0;
	int ret;

	if (!p || !p->meta || !fn)
		return -EINVAL;
	mf_assert_locked(p);
	while (u < p->nr_units) {
		if (mf_ext_hdr_get(p, u, &h))
			return -EUCLEAN;
		if (h.used) {
			ret = fn(ctx, (u64)u << p->unit_shift,
				 (u64)h.size << p->unit_shift, h.tag);
			if (ret)
				return ret;
		}
		u += h.size;
		if (!(++n & 4095))
			mf_ext_resched();
	}
	return 0;
}

/**
 * mf_ext_stat() - the allocator's counters
 * @p: the allocator
 * @st: filled in; all zero if @p is NULL or not loaded
 *
 * O(1).
 *
 * Context: the caller serialises calls on @p.
 */
void mf_ext_stat(struct mf_ext_pool *p, struct mf_ext_stat *st)
{
	u64 free, largest;

	memset(st, 0, sizeof(*st));
	if (!p || !p->meta)
		return;
	mf_assert_locked(p);
	free = p->nr_units - p->used_units;
	largest = p->heap_len ? p->heap[0].size : 0;
	st->capacity = (u64)p->nr_units << p->unit_shift;
	st->used = p->used_units << p->unit_shift;
	st->free = free << p->unit_shift;
	st->largest_free = largest << p->unit_shift;
	st->nr_used = p->nr_used;
	st->nr_free = p->heap_len;
	st->unit = 1ULL << p->unit_shift;
	st->meta_bytes = p->meta_size;
	st->frag_permille = free ? (u32)((free - largest) * 1000 / free) : 0;
	st->dram_bytes = sizeof(*p) +
			 (u64)p->nr_units * sizeof(*p->node) +
			 (u64)p->heap_cap * sizeof(*p->heap);
}
