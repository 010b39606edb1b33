// SPDX-License-Identifier: GPL-2.0
/*
 * mf_piece.c - the pieces of objects: piece arrays, the use count of each
 * base extent, quarantine of pinned extents, and fresh allocation.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "mf_netlink.h"
#include "mf_object.h"

/* Extents one allocation may fall back to when the pool is fragmented. */
#define MF_ALLOC_MAX_PIECES	1024

/* ---- use counts of base extents -------------------------------------------- */

/**
 * mf_base_count() - the pieces that reference a base extent
 * @opool: the pool
 * @base: the extent's offset
 *
 * Context: @opool->pool->lock held.
 * Return: the count, 0 if the extent is not in use by objects.
 */
u64 mf_base_count(struct mf_obj_pool *opool, u64 base)
{
	void *v;

	mf_pool_assert_locked(opool->pool);
	v = xa_load(&opool->uses, base >> opool->pool->unit_shift);
	return v ? xa_to_value(v) : 0;
}

/**
 * mf_base_get() - count more pieces that reference a base extent
 * @opool: the pool
 * @base: the extent's offset
 * @n: pieces to add
 *
 * Context: @opool->pool->lock held.
 * Return: 0 or -ENOMEM (nothing changed).
 */
int mf_base_get(struct mf_obj_pool *opool, u64 base, u64 n)
{
	u64 old = mf_base_count(opool, base);
	int ret;

	if (!n)
		return 0;
	ret = xa_err(xa_store(&opool->uses, base >> opool->pool->unit_shift,
			      xa_mk_value(old + n), GFP_KERNEL));
	if (ret)
		return ret;
	if (!old)
		atomic_long_inc(&mf_cnt.extents);
	if (old <= 1 && old + n > 1)
		atomic_long_inc(&mf_cnt.extents_shared);
	return 0;
}

/**
 * mf_base_put() - count one piece fewer that references a base extent
 * @opool: the pool
 * @base: the extent's offset
 *
 * Context: @opool->pool->lock held.
 * Return: true if that was the last one: the caller frees the extent.
 */
bool mf_base_put(struct mf_obj_pool *opool, u64 base)
{
	unsigned long idx = base >> opool->pool->unit_shift;
	u64 old = mf_base_count(opool, base);

	if (WARN_ON_ONCE(!old))
		return false;
	if (old == 2)
		atomic_long_dec(&mf_cnt.extents_shared);
	if (old == 1) {
		xa_erase(&opool->uses, idx);
		atomic_long_dec(&mf_cnt.extents);
		MF_DEBUG_ASSERT(atomic_long_read(&mf_cnt.extents) >= 0);
		return true;
	}
	/* Replacing an existing entry allocates nothing. */
	xa_store(&opool->uses, idx, xa_mk_value(old - 1), GFP_KERNEL);
	return false;
}

/**
 * mf_base_counts_clear() - forget every use count of a detached pool
 * @opool: the pool, dead; its extents go with the allocator
 *
 * Context: @opool->lock held.
 */
void mf_base_counts_clear(struct mf_obj_pool *opool)
{
	unsigned long idx;
	void *v;

	lockdep_assert_held(&opool->lock);
	xa_for_each(&opool->uses, idx, v) {
		atomic_long_dec(&mf_cnt.extents);
		if (xa_to_value(v) > 1)
			atomic_long_dec(&mf_cnt.extents_shared);
	}
	xa_destroy(&opool->uses);
}

/* The pieces of @ext that reference @base. */
static u64 mf_pieces_base_count(const struct mf_pieces *ext, u64 base)
{
	u64 n = 0;
	u32 i;

	for (i = 0; i < ext->nr; i++)
		n += ext->e[i].base == base;
	return n;
}

/* Whether piece @i of @ext shares its base with another object. */
bool mf_piece_shared(struct mf_obj_pool *opool,
		     const struct mf_pieces *ext, u32 i)
{
	u64 base = ext->e[i].base;

	return mf_base_count(opool, base) > mf_pieces_base_count(ext, base);
}

static int mf_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The pieces of @ext that share their base with another object, in
 * O(n log n): the bases are sorted, and each run of one base is shared
 * if the pool counts more pieces on it than the run has.
 */
u32 mf_pieces_count_shared(struct mf_obj_pool *opool,
			   const struct mf_pieces *ext)
{
	u32 i, j, n = 0;
	u64 *bases;

	mf_pool_assert_locked(opool->pool);
	bases = kvmalloc_array(ext->nr, sizeof(*bases), GFP_KERNEL);
	if (!bases) {
		/* No memory for the fast way: the slow one. */
		for (i = 0; i < ext->nr; i++)
			n += mf_piece_shared(opool, ext, i);
		return n;
	}
	for (i = 0; i < ext->nr; i++)
		bases[i] = ext->e[i].base;
	sort(bases, ext->nr, sizeof(*bases), mf_u64_cmp, NULL);
	for (i = 0; i < ext->nr; i = j) {
		for (j = i + 1; j < ext->nr && bases[j] == bases[i]; j++)
			;
		if (mf_base_count(opool, bases[i]) > j - i)
			n += j - i;
	}
	kvfree(bases);
	return n;
}

/* ---- extent arrays ----------------------------------------------------------- */

/**
 * mf_pieces_alloc() - allocate an extent array
 * @nr: entries
 *
 * Return: the array with @nr set and the entries zeroed, or NULL.
 */
struct mf_pieces *mf_pieces_alloc(u32 nr)
{
	struct mf_pieces *ext;

	ext = kvzalloc(struct_size(ext, e, nr), GFP_KERNEL);
	if (ext)
		ext->nr = nr;
	return ext;
}

/* Free an array that RCU readers may still see. */
void mf_pieces_retire(struct mf_pieces *ext)
{
	if (ext)
		kvfree_rcu(ext, rcu);
}

/**
 * mf_pieces_find() - the piece of an extent array that holds a byte
 * @ext: the array
 * @off: offset in the object
 *
 * Return: the piece's index, or -1 if @off is beyond the array.
 */
int mf_pieces_find(const struct mf_pieces *ext, u64 off)
{
	u32 lo = 0, hi = ext->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct mf_piece *e = &ext->e[mid];

		if (off < e->pos)
			hi = mid;
		else if (off - e->pos >= e->len)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

/* ---- pinned pages ------------------------------------------------------------------ */

/**
 * struct mf_quarantine - an extent held back until its pages are unpinned
 * @node: on its pool's @quarantine list
 * @base: the extent's offset
 */
struct mf_quarantine {
	struct list_head node;
	u64 base;
};

/**
 * mf_quarantine_init() - measure what an unpinned page looks like
 * @opool: a pool being attached; nothing maps it yet
 *
 * get_user_pages() works on the devmap pages of fsdax pools (O_DIRECT,
 * vmsplice(), RDMA registration through a mapping), and such a pin can
 * outlive the mapping and the object.  Freeing pinned memory would let
 * the holder of the pin reach the next object that gets it, so an extent
 * with a pinned page is held back (quarantined) until the pin goes.  The
 * other backends' pages are mapped as special entries, which
 * get_user_pages() refuses.
 *
 * Context: process context.
 */
void mf_quarantine_init(struct mf_obj_pool *opool)
{
	struct mf_pool *pool = opool->pool;
	int ref;

	INIT_LIST_HEAD(&opool->quarantine);
	opool->idle_ref = -1;
	if (pool->backend != MF_POOL_BACKEND_FSDAX || !pool->capacity)
		return;
	/*
	 * The count of an idle page is a property of the kernel, not
	 * something to measure: a page pinned before attach would become
	 * the baseline, and later pins of it would go unseen.
	 */
	opool->idle_ref = MF_DEVMAP_IDLE_REF;
	ref = page_ref_count(pfn_to_page(mf_pool_pfn(pool, 0)));
	if (ref != MF_DEVMAP_IDLE_REF)
		pr_warn("pool %s: page 0 has %d references at attach, expected %d\n",
			pool->name, ref, MF_DEVMAP_IDLE_REF);
}

/*
 * Whether a page of @opool's memory in [@off, @off + @len) is pinned or
 * otherwise referenced by get_user_pages(): fsdax pages are mapped
 * without a reference, so any count above the idle one is a GUP
 * reference (a pin, vmsplice(), O_DIRECT in flight).  Pool lock or the
 * caller's own exclusion of new pins held.
 */
static bool mf_range_pinned(struct mf_obj_pool *opool, u64 off, u64 len)
{
	struct mf_pool *pool = opool->pool;
	struct page *page;
	u64 at;

	if (opool->idle_ref < 0)
		return false;
	for (at = off; at < off + len; at += PAGE_SIZE) {
		page = pfn_to_page(mf_pool_pfn(pool, at));
		if (page_ref_count(page) > opool->idle_ref)
			return true;
		if (!((at - off) & (SZ_64M - 1)))
			cond_resched();
	}
	return false;
}

/* Whether a page of extent @base of @opool is pinned; pool lock held. */
static bool mf_extent_pinned(struct mf_obj_pool *opool, u64 base)
{
	struct mf_pool *pool = opool->pool;
	u64 len, tag;

	mf_pool_assert_locked(pool);
	if (opool->idle_ref < 0 || mf_ext_lookup(pool->ext, base, &len, &tag))
		return false;
	return mf_range_pinned(opool, base, len);
}

/**
 * mf_obj_pinned() - whether a page of an object's memory is pinned
 * @obj: the object
 *
 * Publish, derive and commit call this after making sure no new write
 * pin can be taken through a mapping (no writable shared mapping, or its
 * entries zapped under @obj->map_lock): a pin taken earlier survives
 * munmap() and would keep writing the object after it is published or
 * shares its memory.  Read pins count too: a page count cannot tell
 * them apart.
 *
 * Context: @obj->ns->lock held; may sleep.
 */
bool mf_obj_pinned(struct mf_obj *obj)
{
	struct mf_pieces *ext = mf_obj_pieces(obj);
	u32 i;

	lockdep_assert_held(&obj->ns->lock);
	for (i = 0; i < ext->nr; i++)
		if (mf_range_pinned(obj->ns->opool, ext->e[i].off,
				    ext->e[i].len))
			return true;
	return false;
}

/*
 * Quarantine extent @base of @opool, whose last piece just went, if a page
 * of it is pinned: it stays allocated, keeps the pool busy (no detach)
 * and the module loaded, and mf_quarantine_retry() frees it later.
 * Returns true if it did.  @opool->pool->lock held.
 */
static bool mf_quarantine_add(struct mf_obj_pool *opool, u64 base)
{
	struct mf_quarantine *q;

	mf_pool_assert_locked(opool->pool);
	if (!mf_extent_pinned(opool, base))
		return false;
	q = kmalloc(sizeof(*q), GFP_KERNEL);
	if (!q) {
		/* Never reuse pinned memory: leak it until the next attach. */
		pr_err("pool %s: extent %llu is pinned; keeping it allocated\n",
		       opool->pool->name, base);
		return true;
	}
	q->base = base;
	list_add_tail(&q->node, &opool->quarantine);
	atomic_long_inc(&opool->busy);
	atomic_long_inc(&mf_cnt.quarantined);
	__module_get(THIS_MODULE);
	return true;
}

/*
 * Drop one piece's use of base extent @base.  The last use returns the
 * extent to the pool, or to the quarantine while a page of it is
 * pinned: every "last use" goes through here.  Pool lock held.
 */
void mf_base_release(struct mf_obj_pool *opool, u64 base)
{
	struct mf_pool *pool = opool->pool;
	int ret;

	mf_pool_assert_locked(pool);
	/* A multi-host pool's extents go back through the protocol. */
	if (!mf_base_put(opool, base) || pool->mh ||
	    mf_quarantine_add(opool, base))
		return;
	ret = mf_ext_free(pool->ext, base);
	if (ret)
		pr_err("pool %s: cannot free extent %llu: %d\n", pool->name,
		       base, ret);
}

/**
 * mf_quarantine_retry() - free quarantined extents that are unpinned now
 * @opool: the pool; its object lock held, live
 *
 * Called by the periodic reclaim scan.
 *
 * Context: process context; takes the pool's allocator lock.
 */
void mf_quarantine_retry(struct mf_obj_pool *opool)
{
	struct mf_pool *pool = opool->pool;
	struct mf_quarantine *q, *next;
	unsigned long freed = 0;

	lockdep_assert_held(&opool->lock);
	/*
	 * Not worth the allocator's lock for an empty list; a racy look is
	 * fine (the list is under the pool lock): an extent quarantined
	 * meanwhile waits for the next scan.
	 */
	if (list_empty_careful(&opool->quarantine))
		return;
	mutex_lock(&pool->lock);
	list_for_each_entry_safe(q, next, &opool->quarantine, node) {
		if (mf_extent_pinned(opool, q->base))
			continue;
		if (mf_ext_free(pool->ext, q->base))
			pr_err("pool %s: cannot free extent %llu\n", pool->name,
			       q->base);
		list_del(&q->node);
		kfree(q);
		freed++;
	}
	mutex_unlock(&pool->lock);
	atomic_long_sub(freed, &mf_cnt.quarantined);
	atomic_long_sub(freed, &opool->busy);
	while (freed--)
		module_put(THIS_MODULE);
}

/**
 * mf_quarantine_drop() - forget the quarantine of a pool being detached
 * @opool: the pool, dead
 *
 * Only a forced detach (module exit) gets here with a quarantine, and
 * module exit cannot happen while one exists (each entry holds a module
 * reference); a persistent pool's extents stay allocated in its metadata
 * and its next attach frees them as orphans.
 *
 * Context: process context; the pool's object lock held.
 */
void mf_quarantine_drop(struct mf_obj_pool *opool)
{
	struct mf_quarantine *q, *next;

	lockdep_assert_held(&opool->lock);
	list_for_each_entry_safe(q, next, &opool->quarantine, node) {
		pr_err("pool %s: extent %llu still pinned at detach\n",
		       opool->pool->name, q->base);
		list_del(&q->node);
		kfree(q);
		atomic_long_dec(&mf_cnt.quarantined);
		atomic_long_dec(&opool->busy);
		module_put(THIS_MODULE);
	}
}

/**
 * mf_pieces_free() - drop the pieces of an extent array
 * @opool: their pool
 * @ext: the array (not freed here)
 *
 * Each base extent whose last piece this was returns to the pool (on a
 * multi-host pool, its object's release gives it back: mf_obj_mh.c).
 *
 * Context: @opool->pool->lock held; the pool is live.
 */
void mf_pieces_free(struct mf_obj_pool *opool,
		    struct mf_pieces *ext)
{
	struct mf_pool *pool = opool->pool;
	u32 i;

	mf_pool_assert_locked(pool);
	if (!ext)
		return;
	for (i = 0; i < ext->nr; i++)
		mf_base_release(opool, ext->e[i].base);
	mf_pool_space(pool);
}

/* Undo mf_alloc_fresh(): drop the first @nr pieces of @e. */
void mf_drop_pieces(struct mf_obj_pool *opool,
		    const struct mf_piece *e, u32 nr)
{
	struct mf_pool *pool = opool->pool;
	u32 i;

	mutex_lock(&pool->lock);
	for (i = 0; i < nr; i++)
		mf_base_release(opool, e[i].base);
	mutex_unlock(&pool->lock);
}

/**
 * mf_alloc_fresh() - allocate zeroed pool memory as new pieces
 * @opool: the pool
 * @old: pieces to copy first, or NULL
 * @len: bytes to add after them, a multiple of the pool's unit
 * @out: the new array: @old's pieces, then the new ones
 *
 * One extent if it can be had (2 MiB aligned from 2 MiB on); otherwise
 * smaller ones, down to the pool's unit, at most MF_ALLOC_MAX_PIECES.
 * Each new extent is counted as used by one piece and zeroed (and flushed
 * in persistent pools) before this returns.
 *
 * Context: process context; takes @opool->pool->lock.
 * Return: 0; -ENOSPC; -ENOENT the pool was detached; -ENOMEM.
 */
int mf_alloc_fresh(struct mf_obj_pool *opool,
		   const struct mf_pieces *old, u64 len,
		   struct mf_pieces **out)
{
	struct mf_pool *pool = opool->pool;
	u64 unit = 1ULL << pool->unit_shift;
	u32 nr_old = old ? old->nr : 0, nr = 0, i;
	struct mf_piece *e;
	struct mf_pieces *ext;
	u64 pos = 0, chunk = len, want, off;
	struct mf_ext_stat st;
	int ret = 0;

	/* A multi-host pool's memory comes from its manager (mf_obj_mh.c). */
	if (pool->mh)
		return -EOPNOTSUPP;
	if (nr_old)
		pos = old->e[nr_old - 1].pos + old->e[nr_old - 1].len;
	/* Do not take pieces from a pool that cannot give them all. */
	mutex_lock(&pool->lock);
	if (pool->dead) {
		ret = -ENOENT;
	} else {
		mf_ext_stat(pool->ext, &st);
		if (st.free < len)
			ret = -ENOSPC;
	}
	mutex_unlock(&pool->lock);
	if (ret)
		return ret;
	e = kvcalloc(MF_ALLOC_MAX_PIECES, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	while (len) {
		if (nr == MF_ALLOC_MAX_PIECES) {
			ret = -ENOSPC;
			goto err;
		}
		want = min(chunk, len);
		mutex_lock(&pool->lock);
		if (pool->dead) {
			ret = -ENOENT;
		} else {
			ret = mf_ext_alloc(pool->ext, want, MF_TAG_DATA, &off);
			if (!ret) {
				ret = mf_base_get(opool, off, 1);
				if (ret)
					mf_ext_free(pool->ext, off);
			}
			mf_pool_space(pool);
		}
		mutex_unlock(&pool->lock);
		if (ret == -ENOSPC && want > unit) {
			chunk = max(round_down(want / 2, unit), unit);
			continue;
		}
		if (ret)
			goto err;
		e[nr].pos = pos;
		e[nr].off = off;
		e[nr].len = want;
		e[nr].base = off;
		nr++;
		pos += want;
		len -= want;
	}
	for (i = 0; i < nr; i++) {
		ret = mf_pool_zero(pool, e[i].off, e[i].len);
		if (ret)
			goto err;
	}
	ext = mf_pieces_alloc(nr_old + nr);
	if (!ext) {
		ret = -ENOMEM;
		goto err;
	}
	if (nr_old)
		memcpy(ext->e, old->e, nr_old * sizeof(*e));
	memcpy(ext->e + nr_old, e, nr * sizeof(*e));
	kvfree(e);
	*out = ext;
	return 0;

err:
	mf_drop_pieces(opool, e, nr);
	kvfree(e);
	return ret;
}
