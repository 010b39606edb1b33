// SPDX-License-Identifier: GPL-2.0
/*
 * mf_object.c - memfabric's objects: creation, lookup, references and
 * handles, free and publish, expand, derive and copy-on-write, the TTL
 * reclaim, the module-wide counters, and the object ioctls other than the
 * data path (mf_data.c).  The model and the locking are described in
 * mf_object.h, the user-visible rules in Documentation/objects.md.
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

/* The published sizes of the ioctl structs (ABI 1.2). */
static_assert(sizeof(struct mf_obj_name) == 224);
static_assert(sizeof(struct mf_ns_create) == 184);
static_assert(sizeof(struct mf_ns_destroy) == 192);
static_assert(sizeof(struct mf_ns_info) == 136);
static_assert(sizeof(struct mf_ns_list) == 64);
static_assert(sizeof(struct mf_obj_alloc) == 264);
static_assert(sizeof(struct mf_obj_get) == 264);
static_assert(sizeof(struct mf_obj_put) == 24);
static_assert(sizeof(struct mf_obj_free) == 240);
static_assert(sizeof(struct mf_obj_batch_free) == 200);
static_assert(sizeof(struct mf_obj_expand) == 32);
static_assert(sizeof(struct mf_obj_stat) == 256);
static_assert((MF_TAG_DATA & MF_TAG_OWN_MASK) == MF_TAG_OWN &&
	      (MF_TAG_NS_RECORD & MF_TAG_OWN_MASK) == MF_TAG_OWN &&
	      (MF_TAG_OBJ_RECORD & MF_TAG_OWN_MASK) == MF_TAG_OWN);
static_assert(sizeof(struct mf_obj_derive) == 240);

/* Extents one allocation may fall back to when the pool is fragmented. */
#define MF_ALLOC_MAX_PIECES	1024
/* Ids MF_IOC_OBJ_BATCH_FREE reads from the caller at a time. */
#define MF_BATCH_CHUNK		256

struct mf_obj_counters mf_cnt;

/* Object numbers (map offsets), 1 to MF_MAP_NR_MAX: number -> object. */
static DEFINE_XARRAY_ALLOC1(mf_obj_numbers);
static u32 mf_obj_next_nr;

/* Serial numbers: never reused while the module is loaded. */
static atomic64_t mf_obj_serials = ATOMIC64_INIT(0);

/*
 * The highest object number handed out.  Tests shrink it (it is read
 * at each creation) so that numbers wrap around within seconds and a
 * stale handle meets a new object with its number (the serial check).
 */
static unsigned int obj_nr_max = MF_MAP_NR_MAX;
module_param(obj_nr_max, uint, 0644);
MODULE_PARM_DESC(obj_nr_max,
		 "highest object number (map offset) to hand out, for tests; default and ceiling "
		 __stringify(MF_MAP_NR_MAX));

/* ---- the reclaim worker's parameter --------------------------------------- */

static unsigned int reclaim_interval_ms = 1000;
static DEFINE_MUTEX(mf_reclaim_lock);	/* protects mf_reclaim_running */
static bool mf_reclaim_running;
static void mf_reclaim_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(mf_reclaim_work, mf_reclaim_work_fn);

static int mf_reclaim_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(val, 0, &ms);
	if (ret)
		return ret;
	if (ms < 10 || ms > 3600 * 1000)
		return -EINVAL;
	WRITE_ONCE(reclaim_interval_ms, ms);
	mutex_lock(&mf_reclaim_lock);
	if (mf_reclaim_running)
		mod_delayed_work(system_wq, &mf_reclaim_work,
				 msecs_to_jiffies(ms));
	mutex_unlock(&mf_reclaim_lock);
	return 0;
}

static const struct kernel_param_ops mf_reclaim_param_ops = {
	.set	= mf_reclaim_param_set,
	.get	= param_get_uint,
};

module_param_cb(reclaim_interval_ms, &mf_reclaim_param_ops,
		&reclaim_interval_ms, 0644);
MODULE_PARM_DESC(reclaim_interval_ms,
		 "how often published objects past their namespace's TTL are looked for, in ms (10 to 3600000; default 1000)");

/* ---- use counts of base extents -------------------------------------------- */

/**
 * mf_uses_count() - the pieces that reference a base extent
 * @opool: the pool
 * @base: the extent's offset
 *
 * Context: @opool->pool->lock held.
 * Return: the count, 0 if the extent is not in use by objects.
 */
u64 mf_uses_count(struct mf_obj_pool *opool, u64 base)
{
	void *v;

	mf_pool_assert_locked(opool->pool);
	v = xa_load(&opool->uses, base >> opool->pool->unit_shift);
	return v ? xa_to_value(v) : 0;
}

/**
 * mf_uses_get() - count more pieces that reference a base extent
 * @opool: the pool
 * @base: the extent's offset
 * @n: pieces to add
 *
 * Context: @opool->pool->lock held.
 * Return: 0 or -ENOMEM (nothing changed).
 */
int mf_uses_get(struct mf_obj_pool *opool, u64 base, u64 n)
{
	u64 old = mf_uses_count(opool, base);
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
 * mf_uses_put() - count one piece fewer that references a base extent
 * @opool: the pool
 * @base: the extent's offset
 *
 * Context: @opool->pool->lock held.
 * Return: true if that was the last one: the caller frees the extent.
 */
bool mf_uses_put(struct mf_obj_pool *opool, u64 base)
{
	unsigned long idx = base >> opool->pool->unit_shift;
	u64 old = mf_uses_count(opool, base);

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
 * mf_uses_drop_all() - forget every use count of a detached pool
 * @opool: the pool, dead; its extents go with the allocator
 *
 * Context: @opool->lock held.
 */
void mf_uses_drop_all(struct mf_obj_pool *opool)
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
static u64 mf_ext_own_count(const struct mf_obj_extents *ext, u64 base)
{
	u64 n = 0;
	u32 i;

	for (i = 0; i < ext->nr; i++)
		n += ext->e[i].base == base;
	return n;
}

/* Whether piece @i of @ext shares its base with another object. */
static bool mf_piece_shared(struct mf_obj_pool *opool,
			    const struct mf_obj_extents *ext, u32 i)
{
	u64 base = ext->e[i].base;

	return mf_uses_count(opool, base) > mf_ext_own_count(ext, base);
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
static u32 mf_ext_count_shared(struct mf_obj_pool *opool,
			       const struct mf_obj_extents *ext)
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
		if (mf_uses_count(opool, bases[i]) > j - i)
			n += j - i;
	}
	kvfree(bases);
	return n;
}

/* ---- extent arrays ----------------------------------------------------------- */

/**
 * mf_obj_extents_alloc() - allocate an extent array
 * @nr: entries
 *
 * Return: the array with @nr set and the entries zeroed, or NULL.
 */
struct mf_obj_extents *mf_obj_extents_alloc(u32 nr)
{
	struct mf_obj_extents *ext;

	ext = kvzalloc(struct_size(ext, e, nr), GFP_KERNEL);
	if (ext)
		ext->nr = nr;
	return ext;
}

/* Free an array that RCU readers may still see. */
static void mf_obj_extents_retire(struct mf_obj_extents *ext)
{
	if (ext)
		kvfree_rcu(ext, rcu);
}

/**
 * mf_obj_ext_find() - the piece of an extent array that holds a byte
 * @ext: the array
 * @off: offset in the object
 *
 * Return: the piece's index, or -1 if @off is beyond the array.
 */
int mf_obj_ext_find(const struct mf_obj_extents *ext, u64 off)
{
	u32 lo = 0, hi = ext->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct mf_obj_extent *e = &ext->e[mid];

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
	struct mf_obj_extents *ext = mf_obj_ext(obj);
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
 * Returns true if it did.
 */
static bool mf_quarantine_add(struct mf_obj_pool *opool, u64 base)
{
	struct mf_quarantine *q;

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
static void mf_uses_drop(struct mf_obj_pool *opool, u64 base)
{
	struct mf_pool *pool = opool->pool;
	int ret;

	mf_pool_assert_locked(pool);
	if (!mf_uses_put(opool, base) || mf_quarantine_add(opool, base))
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
 * mf_obj_free_extents() - drop the pieces of an extent array
 * @opool: their pool
 * @ext: the array (not freed here)
 *
 * Each base extent whose last piece this was returns to the pool.
 *
 * Context: @opool->pool->lock held; the pool is live.
 */
void mf_obj_free_extents(struct mf_obj_pool *opool,
			 struct mf_obj_extents *ext)
{
	struct mf_pool *pool = opool->pool;
	u32 i;

	mf_pool_assert_locked(pool);
	if (!ext)
		return;
	for (i = 0; i < ext->nr; i++)
		mf_uses_drop(opool, ext->e[i].base);
	mf_nl_pool_space(pool);
}

/* Undo mf_alloc_fresh(): drop the first @nr pieces of @e. */
static void mf_drop_pieces(struct mf_obj_pool *opool,
			   const struct mf_obj_extent *e, u32 nr)
{
	struct mf_pool *pool = opool->pool;
	u32 i;

	mutex_lock(&pool->lock);
	for (i = 0; i < nr; i++)
		mf_uses_drop(opool, e[i].base);
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
static int mf_alloc_fresh(struct mf_obj_pool *opool,
			  const struct mf_obj_extents *old, u64 len,
			  struct mf_obj_extents **out)
{
	struct mf_pool *pool = opool->pool;
	u64 unit = 1ULL << pool->unit_shift;
	u32 nr_old = old ? old->nr : 0, nr = 0, i;
	struct mf_obj_extent *e;
	struct mf_obj_extents *ext;
	u64 pos = 0, chunk = len, want, off;
	struct mf_ext_stat st;
	int ret = 0;

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
				ret = mf_uses_get(opool, off, 1);
				if (ret)
					mf_ext_free(pool->ext, off);
			}
			mf_nl_pool_space(pool);
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
		ret = mf_fab_zero(pool, e[i].off, e[i].len);
		if (ret)
			goto err;
	}
	ext = mf_obj_extents_alloc(nr_old + nr);
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

/* ---- object structs ---------------------------------------------------------- */

static void mf_obj_release(struct kref *kref)
{
	struct mf_obj *obj = container_of(kref, struct mf_obj, kref);

	if (obj->nr)
		xa_erase(&mf_obj_numbers, obj->nr);
	mf_obj_extents_retire(rcu_dereference_protected(obj->ext, 1));
	mf_ns_put(obj->ns);
	kfree(obj);
	atomic_long_dec(&mf_cnt.objects);
	MF_DEBUG_ASSERT(atomic_long_read(&mf_cnt.objects) >= 0);
}

/**
 * mf_obj_put_struct() - drop a reference on an object's struct
 * @obj: the object; not in its namespace's index
 */
void mf_obj_put_struct(struct mf_obj *obj)
{
	kref_put(&obj->kref, mf_obj_release);
}

/**
 * mf_obj_new() - make an object struct
 * @ns: its namespace (a reference is taken)
 * @id: its id, or "" if not chosen yet
 * @size: its size
 * @ext: its pieces, which it owns from now on
 *
 * The object is private, owned by the caller's fsuid, created now, with
 * no references, and not in any index yet.
 *
 * Return: the object, or NULL (@ext is then the caller's still).
 */
struct mf_obj *mf_obj_new(struct mf_ns *ns, const char *id, u64 size,
			  struct mf_obj_extents *ext)
{
	struct mf_obj *obj;
	u32 nr;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return NULL;
	if (xa_alloc_cyclic(&mf_obj_numbers, &nr, obj,
			    XA_LIMIT(1, clamp_t(unsigned int,
						READ_ONCE(obj_nr_max), 1,
						MF_MAP_NR_MAX)),
			    &mf_obj_next_nr, GFP_KERNEL) < 0) {
		kfree(obj);
		return NULL;
	}
	kref_init(&obj->kref);
	RB_CLEAR_NODE(&obj->rb);
	INIT_LIST_HEAD(&obj->reap);
	mf_ns_get(ns);
	obj->ns = ns;
	strscpy_pad(obj->id, id, sizeof(obj->id));
	obj->size = size;
	obj->type = MF_OBJ_PRIVATE_RW;
	obj->owner = current_fsuid();
	obj->ctime = ktime_get_real_seconds();
	obj->serial = atomic64_inc_return(&mf_obj_serials);
	atomic_set(&obj->map_count, 0);
	atomic_set(&obj->wmap_count, 0);
	atomic_set(&obj->lmap_count, 0);
	init_rwsem(&obj->map_lock);
	obj->nr = nr;
	obj->map_pgoff = (unsigned long)nr << MF_MAP_PGOFF_SHIFT;
	RCU_INIT_POINTER(obj->ext, ext);
	obj->record = MF_NO_RECORD;
	atomic_long_inc(&mf_cnt.objects);
	return obj;
}

/* The visible object @id of @ns, or NULL. */
static struct mf_obj *mf_obj_find_locked(struct mf_ns *ns, const char *id)
{
	struct rb_node *rb = ns->objects.rb_node;

	lockdep_assert_held(&ns->lock);
	while (rb) {
		struct mf_obj *obj = rb_entry(rb, struct mf_obj, rb);
		int c = strncmp(id, obj->id, MF_OBJ_ID_LEN);

		if (c < 0)
			rb = rb->rb_left;
		else if (c > 0)
			rb = rb->rb_right;
		else
			return obj;
	}
	return NULL;
}

/**
 * mf_obj_insert_locked() - put an object in its namespace's index
 * @obj: the object, not in the index
 *
 * Context: @obj->ns->lock held.
 * Return: 0, or -EEXIST if its id is taken.
 */
int mf_obj_insert_locked(struct mf_obj *obj)
{
	struct mf_ns *ns = obj->ns;
	struct rb_node **link = &ns->objects.rb_node, *parent = NULL;

	lockdep_assert_held(&ns->lock);
	while (*link) {
		struct mf_obj *o = rb_entry(*link, struct mf_obj, rb);
		int c = strncmp(obj->id, o->id, MF_OBJ_ID_LEN);

		parent = *link;
		if (c < 0)
			link = &parent->rb_left;
		else if (c > 0)
			link = &parent->rb_right;
		else
			return -EEXIST;
	}
	rb_link_node(&obj->rb, parent, link);
	rb_insert_color(&obj->rb, &ns->objects);
	ns->nr_objects++;
	ns->bytes += obj->size;
	return 0;
}

/* Give @obj (id "") an id no object of its namespace has. */
static void mf_obj_gen_id_locked(struct mf_obj *obj)
{
	lockdep_assert_held(&obj->ns->lock);
	do {
		memset(obj->id, 0, sizeof(obj->id));
		snprintf(obj->id, sizeof(obj->id), "%016llx", get_random_u64());
	} while (mf_obj_find_locked(obj->ns, obj->id));
}

/* ---- references ---------------------------------------------------------------- */

/* The first reference, or another: only under the pool's lock. */
static void mf_obj_ref_locked(struct mf_obj *obj)
{
	lockdep_assert_held(&obj->ns->opool->lock);
	lockdep_assert_held(&obj->ns->lock);
	if (!obj->refs++)
		atomic_long_inc(&obj->ns->opool->busy);
	atomic_long_inc(&mf_cnt.refs);
}

/**
 * mf_obj_ref() - take one more reference on an object
 * @obj: the object; the caller holds a reference on it already
 *
 * For a mapping (vm_ops open) or an in-flight kernel user.
 *
 * Context: process context; takes @obj->ns->lock.
 */
void mf_obj_ref(struct mf_obj *obj)
{
	mutex_lock(&obj->ns->lock);
	WARN_ON_ONCE(!obj->refs);
	obj->refs++;
	mutex_unlock(&obj->ns->lock);
	atomic_long_inc(&mf_cnt.refs);
}

/* Drop @n references; the object goes if they were the last of a freed one. */
static void mf_obj_unref_n(struct mf_obj *obj, u64 n)
{
	struct mf_ns *ns = obj->ns;
	struct mf_obj_pool *opool = ns->opool;
	bool last, destroy;

	/*
	 * Once the count is down, another thread may destroy the object
	 * and drop the namespace's last reference while this one is still
	 * inside mutex_unlock(): hold one of our own across the unlock.
	 */
	mf_ns_get(ns);
	mutex_lock(&ns->lock);
	if (WARN_ON_ONCE(obj->refs < n))
		n = obj->refs;
	obj->refs -= n;
	last = !obj->refs;
	destroy = last && (obj->flags & MF_OBJF_FREED);
	mutex_unlock(&ns->lock);
	atomic_long_sub(n, &mf_cnt.refs);
	MF_DEBUG_ASSERT(atomic_long_read(&mf_cnt.refs) >= 0);
	if (destroy)
		mf_obj_destroy(obj);
	/* Last: the pool may be detached from here on. */
	if (last) {
		MF_DEBUG_ASSERT(atomic_long_read(&opool->busy) > 0);
		atomic_long_dec(&opool->busy);
	}
	mf_ns_put(ns);
}

/**
 * mf_obj_unref() - drop a reference on an object
 * @obj: the object
 *
 * If it was the last one and the object was freed, its memory returns to
 * the pool now.
 *
 * Context: process context; takes @obj->ns->lock and may take the pool's
 * lock.
 */
void mf_obj_unref(struct mf_obj *obj)
{
	mf_obj_unref_n(obj, 1);
}

/**
 * mf_obj_hide_locked() - free an object: hide it from lookup
 * @obj: a visible object
 *
 * Takes it out of its namespace's index and retires its record (a free
 * is durable once this returns); its memory stays until its last
 * reference goes.
 *
 * Context: the pool's lock and @obj->ns->lock held.
 * Return: true if nothing references it: the caller must call
 * mf_obj_destroy() once it has dropped @obj->ns->lock.
 */
bool mf_obj_hide_locked(struct mf_obj *obj)
{
	struct mf_ns *ns = obj->ns;

	lockdep_assert_held(&ns->opool->lock);
	lockdep_assert_held(&ns->lock);
	rb_erase(&obj->rb, &ns->objects);
	RB_CLEAR_NODE(&obj->rb);
	obj->flags |= MF_OBJF_FREED;
	ns->nr_objects--;
	ns->bytes -= obj->size;
	if (obj->record != MF_NO_RECORD)
		mf_rec_obj_retire(obj);
	return !obj->refs;
}

/**
 * mf_obj_destroy() - return a freed, unreferenced object's memory
 * @obj: the object, hidden, with no references: nothing can reach it
 *
 * Context: process context; the pool is live (its lock held, or an
 * object of it busy); takes the pool's allocator lock.
 */
void mf_obj_destroy(struct mf_obj *obj)
{
	struct mf_obj_pool *opool = obj->ns->opool;

	mutex_lock(&opool->pool->lock);
	mf_obj_free_extents(opool, rcu_dereference_protected(obj->ext, 1));
	mutex_unlock(&opool->pool->lock);
	mf_obj_put_struct(obj);
}

/* ---- open files and their handles ----------------------------------------------- */

/**
 * mf_obj_file_open() - set up an open /dev/memfabric
 * @file: the new file
 *
 * Context: process context, from the device's ->open().
 * Return: 0 or -ENOMEM.
 */
int mf_obj_file_open(struct file *file)
{
	struct mf_file *mff;

	mff = kzalloc(sizeof(*mff), GFP_KERNEL);
	if (!mff)
		return -ENOMEM;
	mutex_init(&mff->lock);
	xa_init(&mff->handles);
	file->private_data = mff;
	atomic_long_inc(&mf_cnt.files);
	return 0;
}

/**
 * mf_obj_file_release() - drop every handle reference of a closing file
 * @file: the file, from the device's ->release()
 *
 * This is how a process that dies (even by SIGKILL) gives its references
 * back.
 *
 * Context: process context; nothing else can use @file.
 */
void mf_obj_file_release(struct file *file)
{
	struct mf_file *mff = file->private_data;
	struct mf_handle *h;
	unsigned long idx;

	if (!mff)
		return;
	xa_for_each(&mff->handles, idx, h) {
		xa_erase(&mff->handles, idx);
		atomic_long_sub(h->count, &mf_cnt.handles);
		mf_obj_unref_n(h->obj, h->count);
		kfree(h);
	}
	xa_destroy(&mff->handles);
	mutex_destroy(&mff->lock);
	kfree(mff);
	file->private_data = NULL;
	atomic_long_dec(&mf_cnt.files);
	MF_DEBUG_ASSERT(atomic_long_read(&mf_cnt.files) >= 0);
}

/*
 * Count one more handle reference of @mff on @obj; the caller takes the
 * object reference that goes with it.
 */
static int mf_handle_add_locked(struct mf_file *mff, struct mf_obj *obj)
{
	struct mf_handle *h;
	int ret;

	lockdep_assert_held(&mff->lock);
	h = xa_load(&mff->handles, obj->nr);
	if (h) {
		h->count++;
		goto out;
	}
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->obj = obj;
	h->count = 1;
	ret = xa_err(xa_store(&mff->handles, obj->nr, h, GFP_KERNEL));
	if (ret) {
		kfree(h);
		return ret;
	}
out:
	atomic_long_inc(&mf_cnt.handles);
	return 0;
}

/* Undo mf_handle_add_locked(). */
static void mf_handle_drop_locked(struct mf_file *mff, struct mf_obj *obj)
{
	struct mf_handle *h = xa_load(&mff->handles, obj->nr);

	lockdep_assert_held(&mff->lock);
	atomic_long_dec(&mf_cnt.handles);
	MF_DEBUG_ASSERT(h && h->count && atomic_long_read(&mf_cnt.handles) >= 0);
	if (--h->count)
		return;
	xa_erase(&mff->handles, obj->nr);
	kfree(h);
}

/**
 * mf_obj_from_handle() - the object a file holds a handle on
 * @file: the open /dev/memfabric
 * @map_offset: the object's map offset, as the alloc/get/derive ioctls
 *	returned it
 *
 * Context: process context.
 * Return: the object with an in-flight reference the caller drops with
 * mf_obj_unref(); ERR_PTR(-EINVAL) if @map_offset is not an object's map
 * offset, ERR_PTR(-ENOENT) if @file holds no handle on it.
 */
struct mf_obj *mf_obj_from_handle(struct file *file, u64 map_offset)
{
	struct mf_file *mff = file->private_data;
	struct mf_handle *h;
	struct mf_obj *obj = ERR_PTR(-ENOENT);
	u64 nr = map_offset >> MF_MAP_OFF_SHIFT;

	if (map_offset & ((1ULL << MF_MAP_OFF_SHIFT) - 1) || !nr ||
	    nr > MF_MAP_NR_MAX)
		return ERR_PTR(-EINVAL);
	mutex_lock(&mff->lock);
	h = xa_load(&mff->handles, nr);
	if (h) {
		obj = h->obj;
		mf_obj_ref(obj);
	}
	mutex_unlock(&mff->lock);
	return obj;
}

/**
 * mf_obj_handle_lock() - the object a file holds a handle on, handle locked
 * @file: the open /dev/memfabric
 * @map_offset: the object's map offset
 *
 * For short transfers: instead of a reference of its own, the caller
 * borrows the handle's, by holding the file's handle lock until it calls
 * mf_obj_handle_unlock().  It may take the object's namespace lock under
 * it (the order of mf_obj_from_handle()), but must not fault on user
 * memory or wait for another of the file's calls.
 *
 * Context: process context.
 * Return: the object, with the file's handle lock held; ERR_PTR(-EINVAL)
 * or ERR_PTR(-ENOENT) as mf_obj_from_handle(), without the lock.
 */
struct mf_obj *mf_obj_handle_lock(struct file *file, u64 map_offset)
{
	struct mf_file *mff = file->private_data;
	u64 nr = map_offset >> MF_MAP_OFF_SHIFT;
	struct mf_handle *h;

	if (map_offset & ((1ULL << MF_MAP_OFF_SHIFT) - 1) || !nr ||
	    nr > MF_MAP_NR_MAX)
		return ERR_PTR(-EINVAL);
	mutex_lock(&mff->lock);
	h = xa_load(&mff->handles, nr);
	if (!h) {
		mutex_unlock(&mff->lock);
		return ERR_PTR(-ENOENT);
	}
	return h->obj;
}

/**
 * mf_obj_handle_find() - another object of the file, handle lock held
 * @file: the open /dev/memfabric, whose handle lock the caller holds
 *	(mf_obj_handle_lock())
 * @map_offset: the object's map offset
 *
 * Return: the object, valid while the lock is held; ERR_PTR(-EINVAL) or
 * ERR_PTR(-ENOENT) as mf_obj_from_handle().
 */
struct mf_obj *mf_obj_handle_find(struct file *file, u64 map_offset)
{
	struct mf_file *mff = file->private_data;
	u64 nr = map_offset >> MF_MAP_OFF_SHIFT;
	struct mf_handle *h;

	lockdep_assert_held(&mff->lock);
	if (map_offset & ((1ULL << MF_MAP_OFF_SHIFT) - 1) || !nr ||
	    nr > MF_MAP_NR_MAX)
		return ERR_PTR(-EINVAL);
	h = xa_load(&mff->handles, nr);
	return h ? h->obj : ERR_PTR(-ENOENT);
}

/**
 * mf_obj_handle_unlock() - end what mf_obj_handle_lock() began
 * @file: the open /dev/memfabric
 */
void mf_obj_handle_unlock(struct file *file)
{
	struct mf_file *mff = file->private_data;

	lockdep_assert_held(&mff->lock);
	mutex_unlock(&mff->lock);
}

/**
 * mf_obj_from_pgoff() - the object a file holds a handle on, by mmap offset
 * @file: the open /dev/memfabric
 * @pgoff: a page offset in the object's map range (vma->vm_pgoff)
 *
 * For the mappings: mmap() maps an object only through a handle.
 *
 * Context: process context.
 * Return: the object with a reference for the caller (drop it with
 * mf_obj_unref()), or NULL if @file holds no handle on it.
 */
struct mf_obj *mf_obj_from_pgoff(struct file *file, unsigned long pgoff)
{
	struct mf_obj *obj;

	obj = mf_obj_from_handle(file, (u64)(pgoff >> MF_MAP_PGOFF_SHIFT) <<
					 MF_MAP_OFF_SHIFT);
	return IS_ERR(obj) ? NULL : obj;
}

/* ---- access ---------------------------------------------------------------------- */

/**
 * mf_obj_check_access() - may the caller read or write an object
 * @obj: the object
 * @access: MF_ACCESS_READ and/or MF_ACCESS_WRITE
 *
 * A private object is its owner's (or CAP_SYS_ADMIN's) alone; a shared
 * one anyone may read, nobody write.
 *
 * Context: process context, as the caller; @obj->type may be read
 * without the namespace's lock (it changes once, to shared), but a write
 * must be checked again under it.
 * Return: 0 or -EACCES.
 */
int mf_obj_check_access(const struct mf_obj *obj, unsigned int access)
{
	if (READ_ONCE(obj->type) == MF_OBJ_SHARED_RO)
		return access & MF_ACCESS_WRITE ? -EACCES : 0;
	if (uid_eq(obj->owner, current_fsuid()) || capable(CAP_SYS_ADMIN))
		return 0;
	return -EACCES;
}

/* Owner or CAP_SYS_ADMIN, for free and publish. */
static bool mf_obj_is_owner(const struct mf_obj *obj)
{
	return uid_eq(obj->owner, current_fsuid()) || capable(CAP_SYS_ADMIN);
}

/**
 * mf_obj_may_write() - whether an object may be mapped or written writable
 * @obj: the object
 *
 * The type alone: a published object never may.  Ownership is checked
 * when a handle is taken (and by mf_obj_check_access()).
 *
 * Return: true for a private object.
 */
bool mf_obj_may_write(const struct mf_obj *obj)
{
	return READ_ONCE(obj->type) == MF_OBJ_PRIVATE_RW;
}

/**
 * mf_obj_pfn() - the page frame that holds a byte of an object
 * @obj: the object; the caller holds a reference
 * @off: offset in the object, below its size rounded up to the unit
 * @pfn: out: the page frame
 * @contig: out: bytes from @off that are physically contiguous in that
 *	piece (to the piece's end or the next 2 MiB boundary of the pool)
 *
 * Context: any; takes no lock (RCU).  A piece may be replaced by
 * derive-on-write right after this returns: the mappings must call
 * mf_obj_prepare_write() before they map writable.
 * Return: 0, or -EINVAL if @off is beyond the object.
 */
int mf_obj_pfn(struct mf_obj *obj, u64 off, unsigned long *pfn,
	       u64 *contig)
{
	struct mf_pool *pool = obj->ns->pool;
	const struct mf_obj_extent *e;
	struct mf_obj_extents *ext;
	u64 poff;
	int i;

	rcu_read_lock();
	ext = rcu_dereference(obj->ext);
	i = mf_obj_ext_find(ext, off);
	if (i < 0) {
		rcu_read_unlock();
		return -EINVAL;
	}
	e = &ext->e[i];
	poff = e->off + (off - e->pos);
	*pfn = mf_pool_pfn(pool, poff);
	*contig = min(e->len - (off - e->pos),
		      MF_POOL_ALIGN - (poff & (MF_POOL_ALIGN - 1)));
	rcu_read_unlock();
	return 0;
}

/* ---- copy-on-write ------------------------------------------------------------------ */

/*
 * Copy the <= MF_PIECE_MAX chunk of shared piece @i of @obj that holds
 * object byte @at into a new extent of its own, splitting the piece
 * around it; install the new array (and record).
 */
static int mf_obj_cow_one(struct mf_obj *obj, u32 i, u64 at)
{
	struct mf_obj_pool *opool = obj->ns->opool;
	struct mf_pool *pool = opool->pool;
	struct mf_obj_extents *ext = mf_obj_ext(obj), *nx;
	struct mf_obj_extent p = ext->e[i], *d;
	u64 poff, c_off, c_end, p_end, nb;
	u32 kept, j;
	int ret;

	p_end = p.off + p.len;
	poff = p.off + (at - p.pos);
	c_off = max(p.off, round_down(poff, MF_PIECE_MAX));
	c_end = min(p_end, round_down(poff, MF_PIECE_MAX) + MF_PIECE_MAX);
	kept = (c_off > p.off) + (c_end < p_end);

	nx = mf_obj_extents_alloc(ext->nr + kept);
	if (!nx)
		return -ENOMEM;
	mutex_lock(&pool->lock);
	ret = pool->dead ? -ENOENT :
	      mf_ext_alloc(pool->ext, c_end - c_off, MF_TAG_DATA, &nb);
	if (ret) {
		mutex_unlock(&pool->lock);
		goto err_free;
	}
	ret = mf_uses_get(opool, nb, 1);
	if (!ret) {
		ret = mf_uses_get(opool, p.base, kept);
		if (ret)
			mf_uses_put(opool, nb);
	}
	if (ret) {
		mf_ext_free(pool->ext, nb);
		mutex_unlock(&pool->lock);
		goto err_free;
	}
	mutex_unlock(&pool->lock);

	ret = mf_fab_copy(pool, nb, c_off, c_end - c_off);
	if (ret)
		goto err_uses;

	d = nx->e;
	memcpy(d, ext->e, i * sizeof(*d));
	d += i;
	if (c_off > p.off)
		*d++ = (struct mf_obj_extent){ .pos = p.pos, .off = p.off,
					       .len = c_off - p.off,
					       .base = p.base };
	*d++ = (struct mf_obj_extent){ .pos = p.pos + (c_off - p.off),
				       .off = nb, .len = c_end - c_off,
				       .base = nb };
	if (c_end < p_end)
		*d++ = (struct mf_obj_extent){ .pos = p.pos + (c_end - p.off),
					       .off = c_end,
					       .len = p_end - c_end,
					       .base = p.base };
	for (j = i + 1; j < ext->nr; j++)
		*d++ = ext->e[j];

	if (obj->record != MF_NO_RECORD) {
		ret = mf_rec_obj_write(obj, nx, obj->size, obj->type);
		if (ret)
			goto err_uses;
	}
	/*
	 * No mapping may keep the old chunk's pages: install the new array
	 * and zap them with the mappings' faults held off, so that none can
	 * map a page frame of the old array after the zap.
	 */
	down_write(&obj->map_lock);
	rcu_assign_pointer(obj->ext, nx);
	mf_mmap_zap(obj, p.pos + (c_off - p.off), c_end - c_off);
	up_write(&obj->map_lock);
	mf_obj_extents_retire(ext);

	mutex_lock(&pool->lock);
	mf_uses_drop(opool, p.base);
	mutex_unlock(&pool->lock);
	atomic_long_inc(&mf_cnt.cow_pieces);
	return 0;

err_uses:
	mutex_lock(&pool->lock);
	for (j = 0; j < kept; j++)
		mf_uses_put(opool, p.base);
	mf_uses_drop(opool, nb);
	mutex_unlock(&pool->lock);
err_free:
	kvfree(nx);
	return ret;
}

/**
 * __mf_obj_prepare_write() - make a range of an object its own to write
 * @obj: the object
 * @off: offset of the range
 * @len: its length
 *
 * Every piece in the range that shares its base extent with another
 * object (derive) gets a copy of its own: the <= 2 MiB chunk of it that
 * the range touches is copied into a new extent, the rest of the piece
 * stays shared.  A range that shares nothing costs nothing.
 *
 * Context: @obj->ns->lock held; may sleep.
 * Return: 0; -EACCES the object is published; -EINVAL the range is
 * beyond the object's memory; -ENOSPC; -ENOMEM; -EIO.
 */
int __mf_obj_prepare_write(struct mf_obj *obj, u64 off, u64 len)
{
	struct mf_obj_pool *opool = obj->ns->opool;
	struct mf_obj_extents *ext;
	u64 end, at;
	int i, last, ret;
	bool shared;

	lockdep_assert_held(&obj->ns->lock);
	if (obj->type != MF_OBJ_PRIVATE_RW)
		return -EACCES;
	if (!len)
		return 0;
	if (check_add_overflow(off, len, &end) ||
	    end > mf_obj_alloc_len(opool->pool, obj->size))
		return -EINVAL;
	for (;;) {
		ext = mf_obj_ext(obj);
		i = mf_obj_ext_find(ext, off);
		last = mf_obj_ext_find(ext, end - 1);
		if (i < 0 || last < 0)
			return -EINVAL;
		shared = false;
		mutex_lock(&opool->pool->lock);
		for (; i <= last; i++) {
			shared = mf_piece_shared(opool, ext, i);
			if (shared)
				break;
		}
		mutex_unlock(&opool->pool->lock);
		if (!shared)
			return 0;
		at = max(off, ext->e[i].pos);
		ret = mf_obj_cow_one(obj, i, at);
		if (ret)
			return ret;
	}
}

/**
 * mf_obj_prepare_write() - make a range of an object its own to write
 * @obj: the object; the caller holds a reference
 * @off: offset of the range
 * @len: its length
 *
 * For the mappings' write faults: see __mf_obj_prepare_write().
 *
 * Context: process context; takes @obj->ns->lock.
 * Return: as __mf_obj_prepare_write().
 */
int mf_obj_prepare_write(struct mf_obj *obj, u64 off, u64 len)
{
	int ret;

	mutex_lock(&obj->ns->lock);
	ret = __mf_obj_prepare_write(obj, off, len);
	mutex_unlock(&obj->ns->lock);
	return ret;
}

/* ---- lookup ------------------------------------------------------------------------ */

/*
 * Find object @id of @ns, check @access and take a reference, with a
 * handle of @mff if it is not NULL.
 */
static struct mf_obj *mf_obj_lookup_ref(struct mf_ns *ns, const char *id,
					unsigned int access,
					struct mf_file *mff)
{
	struct mf_obj *obj;
	int ret;

	lockdep_assert_held(&ns->opool->lock);
	if (!mf_ns_name_valid(id, MF_OBJ_ID_LEN))
		return ERR_PTR(-EINVAL);
	if (mff)
		mutex_lock(&mff->lock);
	mutex_lock(&ns->lock);
	obj = mf_obj_find_locked(ns, id);
	if (!obj) {
		ret = -ENOENT;
		goto err;
	}
	ret = mf_obj_check_access(obj, access);
	if (ret)
		goto err;
	if (mff) {
		ret = mf_handle_add_locked(mff, obj);
		if (ret)
			goto err;
	}
	mf_obj_ref_locked(obj);
	mutex_unlock(&ns->lock);
	if (mff)
		mutex_unlock(&mff->lock);
	return obj;

err:
	mutex_unlock(&ns->lock);
	if (mff)
		mutex_unlock(&mff->lock);
	return ERR_PTR(ret);
}

/**
 * mf_obj_find() - find an object by name and take a reference on it
 * @pool: the pool's name (MF_POOL_NAME_LEN bytes)
 * @ns: the namespace's name (MF_NS_NAME_LEN bytes)
 * @secid: its secId (MF_SECID_LEN bytes)
 * @id: the object's id (MF_OBJ_ID_LEN bytes)
 * @access: MF_ACCESS_* the caller wants (checked as the current task)
 *
 * Context: process context.
 * Return: the object, to release with mf_obj_unref(); or ERR_PTR()
 * -EINVAL, -ENOENT, -EACCES.
 */
struct mf_obj *mf_obj_find(const char *pool, const char *ns,
			   const char *secid, const char *id,
			   unsigned int access)
{
	struct mf_obj_pool *opool;
	struct mf_obj *obj;
	struct mf_ns *n;
	int ret;

	opool = mf_obj_pool_get(pool);
	if (IS_ERR(opool))
		return ERR_CAST(opool);
	ret = mf_obj_pool_lock_live(opool);
	if (ret) {
		obj = ERR_PTR(ret);
		goto out_put;
	}
	n = mf_ns_lookup_locked(opool, ns, secid);
	obj = IS_ERR(n) ? ERR_CAST(n) : mf_obj_lookup_ref(n, id, access, NULL);
	mutex_unlock(&opool->lock);
out_put:
	mf_obj_pool_put(opool);
	return obj;
}

/* ---- ioctls: alloc, get, put ---------------------------------------------------------- */

/* Whether the fixed-size strings of @name are each terminated. */
static bool mf_obj_name_ok(const struct mf_obj_name *name, bool id_may_be_empty)
{
	if (id_may_be_empty && !memchr_inv(name->id, 0, sizeof(name->id)))
		return true;
	return mf_ns_name_valid(name->id, sizeof(name->id));
}

/*
 * Make a new object of @size bytes with pieces @ext (which it takes) in
 * @ns, under id @id ("": a generated one), with a handle of @mff:
 * the common end of alloc and derive.  Returns the object (with one
 * reference, the handle's) or an ERR_PTR; @ext is dropped on error.
 */
static struct mf_obj *mf_obj_create(struct mf_ns *ns, const char *id,
				    u64 size, struct mf_obj_extents *ext,
				    struct mf_file *mff)
{
	struct mf_obj_pool *opool = ns->opool;
	struct mf_obj *obj;
	int ret;

	lockdep_assert_held(&opool->lock);
	obj = mf_obj_new(ns, id, size, ext);
	if (!obj) {
		mutex_lock(&opool->pool->lock);
		mf_obj_free_extents(opool, ext);
		mutex_unlock(&opool->pool->lock);
		kvfree(ext);
		return ERR_PTR(-ENOMEM);
	}
	mutex_lock(&mff->lock);
	mutex_lock(&ns->lock);
	if (!obj->id[0]) {
		mf_obj_gen_id_locked(obj);
	} else if (mf_obj_find_locked(ns, obj->id)) {
		ret = -EEXIST;
		goto err;
	}
	ret = mf_handle_add_locked(mff, obj);
	if (ret)
		goto err;
	if (opool->persistent) {
		ret = mf_rec_obj_write(obj, ext, size, obj->type);
		if (ret) {
			mf_handle_drop_locked(mff, obj);
			goto err;
		}
	}
	ret = mf_obj_insert_locked(obj);
	WARN_ON_ONCE(ret);
	mf_obj_ref_locked(obj);
	mf_nl_obj_event(obj, MF_NL_CMD_OBJ_CREATED);
	mutex_unlock(&ns->lock);
	mutex_unlock(&mff->lock);
	return obj;

err:
	mutex_unlock(&ns->lock);
	mutex_unlock(&mff->lock);
	mf_obj_destroy(obj);
	return ERR_PTR(ret);
}

/**
 * mf_ioctl_obj_alloc() - MF_IOC_OBJ_ALLOC: create a private object
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_alloc
 *
 * The object's memory is zeroed; it is owned by the caller's fsuid and
 * this open file holds one handle reference on it.
 *
 * Context: process context; may sleep for long (zeroing).
 * Return: 0 with ->name.id, ->map_offset and ->type set; -EINVAL bad
 * name, id, size, output or reserved field; -ENOENT no such pool or
 * namespace; -EACCES wrong secId; -EEXIST the id is taken; -ENOSPC;
 * -ENOMEM.
 */
int mf_ioctl_obj_alloc(struct file *file, void *arg)
{
	struct mf_obj_alloc *oa = arg;
	struct mf_obj_extents *ext;
	struct mf_obj_pool *opool;
	struct mf_obj *obj;
	struct mf_ns *ns;
	int ret;

	if (oa->reserved || oa->map_offset || oa->type ||
	    !mf_obj_name_ok(&oa->name, true) || !oa->bytes ||
	    oa->bytes > MF_OBJ_MAX_SIZE)
		return -EINVAL;
	opool = mf_obj_pool_get(oa->name.pool);
	if (IS_ERR(opool))
		return PTR_ERR(opool);
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto out_put;
	ns = mf_ns_lookup_locked(opool, oa->name.ns, oa->name.secid);
	if (IS_ERR(ns)) {
		ret = PTR_ERR(ns);
		goto out_unlock;
	}
	/* Refuse a taken id before the memory is allocated and zeroed. */
	if (oa->name.id[0]) {
		mutex_lock(&ns->lock);
		ret = mf_obj_find_locked(ns, oa->name.id) ? -EEXIST : 0;
		mutex_unlock(&ns->lock);
		if (ret)
			goto out_unlock;
	}
	/*
	 * Allocate and zero without the pool's lock (that may take long),
	 * busy so that the pool is not detached meanwhile; then look the
	 * namespace up again.
	 */
	atomic_long_inc(&opool->busy);
	mutex_unlock(&opool->lock);
	ret = mf_alloc_fresh(opool, NULL,
			     mf_obj_alloc_len(opool->pool, oa->bytes), &ext);
	mutex_lock(&opool->lock);
	atomic_long_dec(&opool->busy);
	if (ret)
		goto out_unlock;
	ns = mf_ns_lookup_locked(opool, oa->name.ns, oa->name.secid);
	if (IS_ERR(ns)) {
		mutex_lock(&opool->pool->lock);
		mf_obj_free_extents(opool, ext);
		mutex_unlock(&opool->pool->lock);
		kvfree(ext);
		ret = PTR_ERR(ns);
		goto out_unlock;
	}
	obj = mf_obj_create(ns, oa->name.id, oa->bytes, ext,
			    file->private_data);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out_unlock;
	}
	memcpy(oa->name.id, obj->id, sizeof(oa->name.id));
	oa->map_offset = (u64)obj->nr << MF_MAP_OFF_SHIFT;
	oa->serial = obj->serial;
	oa->type = MF_OBJ_PRIVATE_RW;
out_unlock:
	mutex_unlock(&opool->lock);
out_put:
	mf_obj_pool_put(opool);
	return ret;
}

/**
 * mf_ioctl_obj_get() - MF_IOC_OBJ_GET: take a handle reference by name
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_get
 *
 * A private object can be got by its owner (or CAP_SYS_ADMIN) only.
 *
 * Context: process context.
 * Return: 0 with ->bytes, ->map_offset and ->type set; -EINVAL bad name,
 * id, output or reserved field; -ENOENT no such pool, namespace or
 * object (or a freed one); -EACCES wrong secId or another's private
 * object; -ENOMEM.
 */
int mf_ioctl_obj_get(struct file *file, void *arg)
{
	struct mf_obj_get *og = arg;
	struct mf_obj_pool *opool;
	struct mf_obj *obj;
	struct mf_ns *ns;
	int ret;

	if (og->reserved || og->bytes || og->map_offset || og->type ||
	    !mf_obj_name_ok(&og->name, false))
		return -EINVAL;
	opool = mf_obj_pool_get(og->name.pool);
	if (IS_ERR(opool))
		return PTR_ERR(opool);
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto out_put;
	ns = mf_ns_lookup_locked(opool, og->name.ns, og->name.secid);
	obj = IS_ERR(ns) ? ERR_CAST(ns) :
	      mf_obj_lookup_ref(ns, og->name.id, MF_ACCESS_READ,
				file->private_data);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
	} else {
		mutex_lock(&ns->lock);
		og->bytes = obj->size;
		og->type = obj->type;
		mutex_unlock(&ns->lock);
		og->map_offset = (u64)obj->nr << MF_MAP_OFF_SHIFT;
		og->serial = obj->serial;
	}
	mutex_unlock(&opool->lock);
out_put:
	mf_obj_pool_put(opool);
	return ret;
}

/**
 * mf_ioctl_obj_put() - MF_IOC_OBJ_PUT: drop one handle reference
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_put
 *
 * Context: process context.
 * Return: 0; -EINVAL bad map offset or reserved field; -ENOENT this file
 * holds no handle on that object.
 */
int mf_ioctl_obj_put(struct file *file, void *arg)
{
	struct mf_obj_put *op = arg;
	struct mf_file *mff = file->private_data;
	struct mf_obj *obj;

	if (op->reserved)
		return -EINVAL;
	obj = mf_obj_from_handle(file, op->obj);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	mutex_lock(&mff->lock);
	/* Another thread may have put the last one meanwhile. */
	if (xa_load(&mff->handles, obj->nr)) {
		mf_handle_drop_locked(mff, obj);
		mutex_unlock(&mff->lock);
		mf_obj_unref(obj);
	} else {
		mutex_unlock(&mff->lock);
	}
	mf_obj_unref(obj);
	return 0;
}

/*
 * Publish @obj: -EALREADY if it is published, -EBUSY while a MAP_SHARED
 * mapping that may write it exists (mappings are not revoked: the owner
 * must munmap them first, see Documentation/objects.md).
 */
static int mf_obj_publish_locked(struct mf_obj *obj)
{
	int ret;

	lockdep_assert_held(&obj->ns->opool->lock);
	lockdep_assert_held(&obj->ns->lock);
	if (obj->type == MF_OBJ_SHARED_RO)
		return -EALREADY;
	if (atomic_read(&obj->wmap_count))
		return -EBUSY;
	/*
	 * No writable shared mapping is left to take a new write pin
	 * through; one taken earlier survives munmap(): refuse while any
	 * page is pinned.
	 */
	if (mf_obj_pinned(obj))
		return -EBUSY;
	if (obj->record != MF_NO_RECORD) {
		ret = mf_rec_obj_write(obj, mf_obj_ext(obj), obj->size,
				       MF_OBJ_SHARED_RO);
		if (ret)
			return ret;
	}
	WRITE_ONCE(obj->type, MF_OBJ_SHARED_RO);
	mf_nl_obj_event(obj, MF_NL_CMD_OBJ_PUBLISHED);
	return 0;
}

/**
 * mf_obj_publish() - publish an object the caller holds a reference on
 * @obj: the object, created by the caller
 *
 * For MF_IOC_OBJ_COMMIT with MF_COMMIT_PUBLISH.
 *
 * Context: process context; takes the pool's lock and the namespace's.
 * Return: 0; -EALREADY; -EBUSY a writable shared mapping exists, or a
 * page of the object is pinned; -ENOENT
 * the pool was detached or the object freed; -ENOSPC no room for its
 * record.
 */
int mf_obj_publish(struct mf_obj *obj)
{
	struct mf_obj_pool *opool = obj->ns->opool;
	int ret;

	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		return ret;
	mutex_lock(&obj->ns->lock);
	ret = obj->flags & MF_OBJF_FREED ? -ENOENT :
	      mf_obj_publish_locked(obj);
	mutex_unlock(&obj->ns->lock);
	mutex_unlock(&opool->lock);
	return ret;
}

/* ---- ioctls: free, publish ---------------------------------------------------------- */

/* Free object @id of @ns: hide it, and destroy it if it is unreferenced. */
static int mf_obj_free_locked(struct mf_ns *ns, const char *id)
{
	struct mf_obj *obj;
	bool destroy;

	lockdep_assert_held(&ns->opool->lock);
	if (!mf_ns_name_valid(id, MF_OBJ_ID_LEN))
		return -EINVAL;
	mutex_lock(&ns->lock);
	obj = mf_obj_find_locked(ns, id);
	if (!obj || !mf_obj_is_owner(obj)) {
		mutex_unlock(&ns->lock);
		return obj ? -EPERM : -ENOENT;
	}
	mf_nl_obj_event(obj, MF_NL_CMD_OBJ_FREED);
	destroy = mf_obj_hide_locked(obj);
	mutex_unlock(&ns->lock);
	if (destroy)
		mf_obj_destroy(obj);
	return 0;
}

/**
 * mf_ioctl_obj_free() - MF_IOC_OBJ_FREE: free an object
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_free
 *
 * The object disappears from lookup at once (and from its pool's records:
 * a free is durable); its memory returns to the pool when its last
 * reference goes.
 *
 * Context: process context.
 * Return: 0; -EINVAL bad name, id or reserved field; -ENOENT no such
 * pool, namespace or object; -EACCES wrong secId; -EPERM neither its
 * owner nor CAP_SYS_ADMIN.
 */
int mf_ioctl_obj_free(struct file *file, void *arg)
{
	struct mf_obj_free *of = arg;
	struct mf_obj_pool *opool;
	struct mf_ns *ns;
	int ret;

	if (of->reserved || !mf_obj_name_ok(&of->name, false))
		return -EINVAL;
	opool = mf_obj_pool_get(of->name.pool);
	if (IS_ERR(opool))
		return PTR_ERR(opool);
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto out_put;
	ns = mf_ns_lookup_locked(opool, of->name.ns, of->name.secid);
	ret = IS_ERR(ns) ? PTR_ERR(ns) : mf_obj_free_locked(ns, of->name.id);
	mutex_unlock(&opool->lock);
out_put:
	mf_obj_pool_put(opool);
	return ret;
}

/**
 * mf_ioctl_obj_batch_free() - MF_IOC_OBJ_BATCH_FREE: free many objects
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_batch_free
 *
 * Frees each id as MF_IOC_OBJ_FREE would, going on after a failure.  The
 * ids are read in chunks, without locks held.
 *
 * Context: process context.
 * Return: 0 with ->nr_freed, ->first_failed and ->first_error set; for
 * the whole call: -EINVAL bad pool, namespace, secId, count, output or
 * reserved field; -ENOENT no such pool or namespace; -EACCES wrong
 * secId; -EFAULT the ids cannot be read (those before are freed);
 * -ENOMEM.
 */
int mf_ioctl_obj_batch_free(struct file *file, void *arg)
{
	struct mf_obj_batch_free *bf = arg;
	const char __user *uids = u64_to_user_ptr(bf->ids);
	struct mf_obj_pool *opool;
	u32 done = 0, n, i;
	struct mf_ns *ns;
	char *ids;
	int ret = 0, err;

	if (bf->reserved || bf->nr_freed || bf->first_failed ||
	    bf->first_error || bf->count > MF_OBJ_BATCH_MAX ||
	    !mf_ns_name_valid(bf->ns, MF_NS_NAME_LEN) ||
	    !mf_secid_valid(bf->secid))
		return -EINVAL;
	opool = mf_obj_pool_get(bf->pool);
	if (IS_ERR(opool))
		return PTR_ERR(opool);
	ids = kvmalloc_array(MF_BATCH_CHUNK, MF_OBJ_ID_LEN, GFP_KERNEL);
	if (!ids) {
		ret = -ENOMEM;
		goto out_put;
	}
	bf->first_failed = bf->count;
	/* One lookup even for no ids: the namespace and secId are checked. */
	do {
		n = min_t(u32, bf->count - done, MF_BATCH_CHUNK);
		if (copy_from_user(ids, uids + (size_t)done * MF_OBJ_ID_LEN,
				   (size_t)n * MF_OBJ_ID_LEN)) {
			ret = -EFAULT;
			break;
		}
		ret = mf_obj_pool_lock_live(opool);
		if (ret)
			break;
		ns = mf_ns_lookup_locked(opool, bf->ns, bf->secid);
		if (IS_ERR(ns)) {
			ret = PTR_ERR(ns);
			mutex_unlock(&opool->lock);
			break;
		}
		for (i = 0; i < n; i++) {
			err = mf_obj_free_locked(ns, ids + (size_t)i *
						 MF_OBJ_ID_LEN);
			if (!err) {
				bf->nr_freed++;
			} else if (!bf->first_error) {
				bf->first_error = -err;
				bf->first_failed = done + i;
			}
		}
		mutex_unlock(&opool->lock);
		done += n;
		cond_resched();
	} while (done < bf->count);
	kvfree(ids);
out_put:
	mf_obj_pool_put(opool);
	return ret;
}

/**
 * mf_ioctl_obj_publish() - MF_IOC_OBJ_PUBLISH: make an object shared
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_free
 *
 * PRIVATE_RW becomes SHARED_RO, for good: anyone with the secId may get
 * and read it, nobody may write it, and the TTL reclaim applies.
 * It fails while a MAP_SHARED mapping that may write the object exists:
 * writable mappings are refused, not revoked.
 *
 * Context: process context.
 * Return: 0; -EINVAL bad name, id or reserved field; -ENOENT no such
 * pool, namespace or object; -EACCES wrong secId; -EPERM neither its
 * owner nor CAP_SYS_ADMIN; -EALREADY published already; -EBUSY a
 * writable MAP_SHARED mapping of it exists, or a page of it is pinned;
 * -ENOSPC no room for the new record.
 */
int mf_ioctl_obj_publish(struct file *file, void *arg)
{
	struct mf_obj_free *op = arg;
	struct mf_obj_pool *opool;
	struct mf_obj *obj;
	struct mf_ns *ns;
	int ret;

	if (op->reserved || !mf_obj_name_ok(&op->name, false))
		return -EINVAL;
	opool = mf_obj_pool_get(op->name.pool);
	if (IS_ERR(opool))
		return PTR_ERR(opool);
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto out_put;
	ns = mf_ns_lookup_locked(opool, op->name.ns, op->name.secid);
	if (IS_ERR(ns)) {
		ret = PTR_ERR(ns);
		goto out_unlock;
	}
	mutex_lock(&ns->lock);
	obj = mf_obj_find_locked(ns, op->name.id);
	if (!obj)
		ret = -ENOENT;
	else if (!mf_obj_is_owner(obj))
		ret = -EPERM;
	else
		ret = mf_obj_publish_locked(obj);
	mutex_unlock(&ns->lock);
out_unlock:
	mutex_unlock(&opool->lock);
out_put:
	mf_obj_pool_put(opool);
	return ret;
}

/* ---- ioctls: expand, stat, derive ---------------------------------------------------- */

/**
 * mf_ioctl_obj_expand() - MF_IOC_OBJ_EXPAND: grow an object
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_expand
 *
 * The existing pieces stay where they are; new pieces are allocated and
 * zeroed without the namespace's lock, then appended in a new extent
 * array if the object has not grown meanwhile (else it starts over).
 *
 * Context: process context; may sleep for long (zeroing).
 * Return: 0; -EINVAL bad map offset, size or reserved field (a size not
 * larger than the current one, or above MF_OBJ_MAX_SIZE); -ENOENT no
 * handle on it; -EACCES a published object or another's; -ENOSPC;
 * -ENOMEM; -EAGAIN other calls kept growing it.
 */
int mf_ioctl_obj_expand(struct file *file, void *arg)
{
	struct mf_obj_expand *oe = arg;
	struct mf_obj_extents *ext, *fresh = NULL, *nx = NULL;
	struct mf_obj_pool *opool;
	u64 old_len, new_len, size;
	struct mf_obj *obj;
	int tries = 0, ret;
	u32 i;

	if (oe->reserved || oe->bytes > MF_OBJ_MAX_SIZE)
		return -EINVAL;
	obj = mf_obj_from_handle(file, oe->obj);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	opool = obj->ns->opool;
again:
	mutex_lock(&obj->ns->lock);
	ret = mf_obj_check_access(obj, MF_ACCESS_WRITE);
	if (!ret && oe->bytes <= obj->size)
		ret = -EINVAL;
	size = obj->size;
	mutex_unlock(&obj->ns->lock);
	if (ret)
		goto out;
	old_len = mf_obj_alloc_len(opool->pool, size);
	new_len = mf_obj_alloc_len(opool->pool, oe->bytes);
	/*
	 * The new memory is allocated and zeroed (up to MF_OBJ_MAX_SIZE)
	 * without the namespace's lock, which every lookup, fault and data
	 * call of the namespace needs; it joins the object only if the
	 * object did not change meanwhile.
	 */
	if (new_len > old_len) {
		ret = mf_alloc_fresh(opool, NULL, new_len - old_len, &fresh);
		if (ret)
			goto out;
	}
	mutex_lock(&obj->ns->lock);
	ret = mf_obj_check_access(obj, MF_ACCESS_WRITE);
	if (!ret && obj->size != size) {
		/* Grown by another call meanwhile: start over. */
		mutex_unlock(&obj->ns->lock);
		if (fresh) {
			mf_drop_pieces(opool, fresh->e, fresh->nr);
			kvfree(fresh);
			fresh = NULL;
		}
		ret = ++tries < 8 ? 0 : -EAGAIN;
		if (!ret)
			goto again;
		goto out;
	}
	if (ret)
		goto err_fresh;
	ext = mf_obj_ext(obj);
	if (fresh) {
		nx = mf_obj_extents_alloc(ext->nr + fresh->nr);
		if (!nx) {
			ret = -ENOMEM;
			goto err_fresh;
		}
		memcpy(nx->e, ext->e, ext->nr * sizeof(nx->e[0]));
		for (i = 0; i < fresh->nr; i++) {
			nx->e[ext->nr + i] = fresh->e[i];
			nx->e[ext->nr + i].pos += old_len;
		}
	}
	if (obj->record != MF_NO_RECORD) {
		ret = mf_rec_obj_write(obj, nx ?: ext, oe->bytes, obj->type);
		if (ret) {
			kvfree(nx);
			goto err_fresh;
		}
	}
	if (nx) {
		rcu_assign_pointer(obj->ext, nx);
		mf_obj_extents_retire(ext);
	}
	if (!(obj->flags & MF_OBJF_FREED))
		obj->ns->bytes += oe->bytes - obj->size;
	obj->size = oe->bytes;
	mutex_unlock(&obj->ns->lock);
	kvfree(fresh);
	goto out;

err_fresh:
	mutex_unlock(&obj->ns->lock);
	if (fresh) {
		mf_drop_pieces(opool, fresh->e, fresh->nr);
		kvfree(fresh);
	}
out:
	mf_obj_unref(obj);
	return ret;
}

/**
 * mf_ioctl_obj_stat() - MF_IOC_OBJ_STAT: describe an object
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_stat
 *
 * Context: process context.
 * Return: 0 with the output fields set; -EINVAL bad map offset, output or
 * reserved field; -ENOENT no handle on it.
 */
int mf_ioctl_obj_stat(struct file *file, void *arg)
{
	struct mf_obj_stat *st = arg;
	struct mf_obj_extents *ext;
	struct mf_obj_pool *opool;
	struct mf_obj *obj;
	time64_t now;

	if (st->reserved ||
	    memchr_inv(&st->bytes, 0, offsetof(struct mf_obj_stat, reserved) -
				      offsetof(struct mf_obj_stat, bytes)))
		return -EINVAL;
	obj = mf_obj_from_handle(file, st->obj);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	opool = obj->ns->opool;
	now = ktime_get_real_seconds();
	mutex_lock(&obj->ns->lock);
	ext = mf_obj_ext(obj);
	st->bytes = obj->size;
	st->type = obj->type;
	st->obj_flags = obj->flags & MF_OBJF_FREED ? MF_OBJ_STAT_FREED : 0;
	/* Less the in-flight reference this ioctl holds. */
	st->refs = obj->refs - 1;
	st->serial = obj->serial;
	st->map_count = atomic_read(&obj->map_count);
	st->owner = from_kuid_munged(current_user_ns(), obj->owner);
	st->nr_extents = ext->nr;
	st->age = now > obj->ctime ? now - obj->ctime : 0;
	st->ctime = obj->ctime;
	st->ext_bytes = mf_obj_alloc_len(opool->pool, obj->size);
	mutex_lock(&opool->pool->lock);
	st->nr_shared = mf_ext_count_shared(opool, ext);
	mutex_unlock(&opool->pool->lock);
	strscpy_pad(st->pool, opool->pool->name, sizeof(st->pool));
	strscpy_pad(st->ns, obj->ns->name, sizeof(st->ns));
	memcpy(st->id, obj->id, sizeof(st->id));
	mutex_unlock(&obj->ns->lock);
	mf_obj_unref(obj);
	return 0;
}

/*
 * The derived copy of @src's pieces: each split at the pool's 2 MiB
 * boundaries, each counted as one more use of its base.  -EBUSY while a
 * long-term mapping of @src exists: its pages may be pinned, and a pin
 * would keep reaching a piece after derive made it shared.
 */
static int mf_obj_derive_pieces(struct mf_obj *src,
				struct mf_obj_extents **out)
{
	struct mf_obj_pool *opool = src->ns->opool;
	struct mf_obj_extents *ext = mf_obj_ext(src), *nx;
	u64 off, end, next;
	u32 i, j, n = 0;
	int ret = 0;

	lockdep_assert_held(&src->ns->lock);
	if (atomic_read(&src->lmap_count))
		return -EBUSY;
	for (i = 0; i < ext->nr; i++) {
		off = ext->e[i].off;
		end = off + ext->e[i].len;
		n += DIV_ROUND_UP_ULL(end - round_down(off, MF_PIECE_MAX),
				      MF_PIECE_MAX);
		if (n > U32_MAX / 2)
			return -ENOMEM;
	}
	nx = mf_obj_extents_alloc(n);
	if (!nx)
		return -ENOMEM;
	j = 0;
	for (i = 0; i < ext->nr; i++) {
		const struct mf_obj_extent *p = &ext->e[i];

		for (off = p->off, end = p->off + p->len; off < end;
		     off = next) {
			next = min(round_down(off, MF_PIECE_MAX) + MF_PIECE_MAX,
				   end);
			nx->e[j].pos = p->pos + (off - p->off);
			nx->e[j].off = off;
			nx->e[j].len = next - off;
			nx->e[j].base = p->base;
			j++;
		}
	}
	nx->nr = j;
	mutex_lock(&opool->pool->lock);
	for (i = 0; i < nx->nr; i++) {
		ret = mf_uses_get(opool, nx->e[i].base, 1);
		if (ret)
			break;
	}
	if (ret) {
		while (i--)
			mf_uses_put(opool, nx->e[i].base);
	}
	mutex_unlock(&opool->pool->lock);
	if (ret) {
		kvfree(nx);
		return ret;
	}
	*out = nx;
	return 0;
}

/*
 * Make @src's pieces shared with a derived object, after
 * mf_obj_derive_pieces() counted @nx's uses: zap the source's mappings
 * so that a write through any of them faults and copies first, then look
 * for pins, which no fault would see: -EBUSY while a page of @src is
 * pinned, with @nx's uses dropped and @nx freed.  A published source has
 * no writable mapping or pin to worry about (publish checked).
 */
static int mf_obj_share_pieces(struct mf_obj *src, struct mf_obj_extents *nx)
{
	struct mf_obj_pool *opool = src->ns->opool;
	int ret = 0;

	lockdep_assert_held(&src->ns->lock);
	if (src->type != MF_OBJ_PRIVATE_RW)
		return 0;
	down_write(&src->map_lock);
	if (atomic_read(&src->map_count)) {
		src->share_seq++;
		mf_mmap_zap(src, 0, mf_obj_alloc_len(src->ns->pool, src->size));
	}
	/* No entry is left for a pin to start from: count the old ones. */
	if (mf_obj_pinned(src))
		ret = -EBUSY;
	up_write(&src->map_lock);
	if (ret) {
		mutex_lock(&opool->pool->lock);
		mf_obj_free_extents(opool, nx);
		mutex_unlock(&opool->pool->lock);
		kvfree(nx);
	}
	return ret;
}

/**
 * mf_obj_derive_new() - derive a new object from @src for @file
 * @file: the open /dev/memfabric that gets the new object's handle
 * @src: the source; the caller holds a reference and may read it
 * @ns_name: the new object's namespace, in the source's pool
 * @secid: that namespace's secId
 * @id: the new object's id, MF_OBJ_ID_LEN bytes; "" asks for a unique
 *	one, written back
 *
 * The new object is private to the caller and has the source's size and
 * contents; it shares the source's memory in pieces of at most 2 MiB
 * until either object writes a piece (__mf_obj_prepare_write()).  Only
 * its record is new memory.
 *
 * Context: process context; takes the pool's lock.
 * Return: the new object, with a reference for the caller besides the
 * handle's (drop it with mf_obj_unref()), or an ERR_PTR: -ENOENT no such
 * namespace or pool; -EACCES wrong secId; -EEXIST the id is taken;
 * -EBUSY @src has an MF_MAP_LONGTERM mapping or a pinned page;
 * -ENOSPC; -ENOMEM.
 */
struct mf_obj *mf_obj_derive_new(struct file *file, struct mf_obj *src,
				 const char *ns_name, const char *secid,
				 char *id)
{
	struct mf_obj_pool *opool = src->ns->opool;
	struct mf_obj_extents *nx;
	struct mf_obj *obj;
	struct mf_ns *ns;
	u64 size;
	int ret;

	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		return ERR_PTR(ret);
	ns = mf_ns_lookup_locked(opool, ns_name, secid);
	if (IS_ERR(ns)) {
		obj = ERR_CAST(ns);
		goto out_unlock;
	}
	if (id[0]) {
		mutex_lock(&ns->lock);
		ret = mf_obj_find_locked(ns, id) ? -EEXIST : 0;
		mutex_unlock(&ns->lock);
		if (ret) {
			obj = ERR_PTR(ret);
			goto out_unlock;
		}
	}
	mutex_lock(&src->ns->lock);
	size = src->size;
	ret = mf_obj_derive_pieces(src, &nx);
	if (!ret)
		ret = mf_obj_share_pieces(src, nx);
	mutex_unlock(&src->ns->lock);
	if (ret) {
		obj = ERR_PTR(ret);
		goto out_unlock;
	}
	obj = mf_obj_create(ns, id, size, nx, file->private_data);
	if (!IS_ERR(obj)) {
		memcpy(id, obj->id, MF_OBJ_ID_LEN);
		mf_obj_ref(obj);
	}
out_unlock:
	mutex_unlock(&opool->lock);
	return obj;
}

/*
 * The pieces of a commit: @nx0 (the source's pieces, derived: one use
 * each) with the @n units at sorted object offsets @unit_off replaced by
 * consecutive units of the fresh extent @nb.  Fills @nx, and @parts[i]
 * with the number of parts of @nx0's piece i that are left.  Returns the
 * number of pieces that reference @nb.  Touches no use count.
 */
static u64 mf_commit_pieces(const struct mf_obj_extents *nx0,
			    const u64 *unit_off, u32 n, u64 unit, u64 nb,
			    struct mf_obj_extents *nx, u32 *parts)
{
	u64 pos, end, at, fresh = 0;
	u32 i, j = 0, k;

	nx->nr = 0;
	for (i = 0; i < nx0->nr; i++) {
		const struct mf_obj_extent *p = &nx0->e[i];

		pos = p->pos;
		end = p->pos + p->len;
		parts[i] = 0;
		while (pos < end) {
			while (j < n && unit_off[j] < pos)
				j++;
			at = j < n && unit_off[j] < end ? unit_off[j] : end;
			if (at > pos) {
				nx->e[nx->nr++] = (struct mf_obj_extent){
					.pos = pos, .off = p->off + (pos - p->pos),
					.len = at - pos, .base = p->base };
				parts[i]++;
				pos = at;
				continue;
			}
			/* A run of modified units, consecutive in both. */
			k = j;
			while (k + 1 < n && unit_off[k + 1] == unit_off[k] + unit &&
			       unit_off[k + 1] < end)
				k++;
			nx->e[nx->nr++] = (struct mf_obj_extent){
				.pos = pos, .off = nb + (u64)j * unit,
				.len = (u64)(k - j + 1) * unit, .base = nb };
			fresh++;
			pos += (u64)(k - j + 1) * unit;
			j = k + 1;
		}
	}
	return fresh;
}

/*
 * Apply the use counts of mf_commit_pieces()'s result: one more use per
 * extra part of a source piece, one fewer for a piece with no part left,
 * @fresh for @nb.  All or nothing.  Pool lock held.
 */
static int mf_commit_uses(struct mf_obj_pool *opool,
			  const struct mf_obj_extents *nx0, const u32 *parts,
			  u64 nb, u64 fresh)
{
	u32 i, done;
	int ret = 0;

	mf_pool_assert_locked(opool->pool);
	for (i = 0; i < nx0->nr; i++) {
		if (parts[i] > 1) {
			ret = mf_uses_get(opool, nx0->e[i].base, parts[i] - 1);
			if (ret)
				break;
		}
	}
	done = i;	/* entries [0, done) got their uses */
	if (!ret && fresh)
		ret = mf_uses_get(opool, nb, fresh);
	if (ret) {
		for (i = 0; i < done; i++) {
			u32 m;

			for (m = 1; parts[i] > 1 && m < parts[i]; m++)
				mf_uses_put(opool, nx0->e[i].base);
		}
		return ret;
	}
	/*
	 * Usually not the last use, since the source holds its own pieces;
	 * but a write of the source may have copied one meanwhile.
	 */
	for (i = 0; i < nx0->nr; i++)
		if (!parts[i])
			mf_uses_drop(opool, nx0->e[i].base);
	return 0;
}

/**
 * mf_obj_commit_new() - a new object from @src with some pages replaced
 * @file: the open /dev/memfabric that gets the new object's handle
 * @src: the source; the caller holds a reference and may read it
 * @ns_name: the new object's namespace, in the source's pool
 * @secid: that namespace's secId
 * @id: the new object's id, MF_OBJ_ID_LEN bytes; "" asks for a unique
 *	one, written back
 * @pg_off: sorted object offsets of the pages that differ from @src
 * @pages: their contents
 * @n: how many
 *
 * For MF_IOC_OBJ_COMMIT: the new object shares every unit of @src except
 * the units that hold the pages, which get one fresh extent: the commit
 * costs the modified units, not the 2 MiB chunks around them.
 *
 * Context: process context; takes the pool's lock.
 * Return: the new object, with a reference for the caller besides the
 * handle's, or an ERR_PTR as mf_obj_derive_new(); -ENOSPC also when no
 * single extent holds the modified units.
 */
struct mf_obj *mf_obj_commit_new(struct file *file, struct mf_obj *src,
				 const char *ns_name, const char *secid,
				 char *id, const u64 *pg_off,
				 struct page **pages, u32 n)
{
	struct mf_obj_pool *opool = src->ns->opool;
	struct mf_pool *pool = opool->pool;
	u64 unit = 1ULL << pool->unit_shift, nb = 0, fresh;
	struct mf_obj_extents *nx0 = NULL, *nx = NULL;
	bool have_nb = false;
	u32 *parts = NULL;
	struct mf_obj *obj;
	u64 *unit_off;
	u32 i, nu = 0;
	struct mf_ns *ns;
	u64 size;
	int ret;

	/* mf_commit_pieces() relies on strictly increasing page offsets. */
	for (i = 0; i < n; i++)
		if (!PAGE_ALIGNED(pg_off[i]) || (i && pg_off[i] <= pg_off[i - 1]))
			return ERR_PTR(-EINVAL);
	unit_off = kvmalloc_array(max(n, 1U), sizeof(*unit_off), GFP_KERNEL);
	if (!unit_off)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n; i++) {
		u64 u = round_down(pg_off[i], unit);

		if (!nu || unit_off[nu - 1] != u)
			unit_off[nu++] = u;
	}
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto out_free;
	ns = mf_ns_lookup_locked(opool, ns_name, secid);
	if (IS_ERR(ns)) {
		ret = PTR_ERR(ns);
		goto out_unlock;
	}
	if (id[0]) {
		mutex_lock(&ns->lock);
		ret = mf_obj_find_locked(ns, id) ? -EEXIST : 0;
		mutex_unlock(&ns->lock);
		if (ret)
			goto out_unlock;
	}
	mutex_lock(&src->ns->lock);
	size = src->size;
	ret = mf_obj_derive_pieces(src, &nx0);
	if (!ret)
		ret = mf_obj_share_pieces(src, nx0);
	mutex_unlock(&src->ns->lock);
	if (ret)
		goto out_unlock;
	nx = mf_obj_extents_alloc(nx0->nr + 2 * nu);
	parts = kvmalloc_array(nx0->nr, sizeof(*parts), GFP_KERNEL);
	if (!nx || !parts) {
		ret = -ENOMEM;
		goto err_nx0;
	}
	mutex_lock(&pool->lock);
	ret = pool->dead ? -ENOENT : 0;
	if (!ret && nu) {
		ret = mf_ext_alloc(pool->ext, (u64)nu * unit, MF_TAG_DATA, &nb);
		have_nb = !ret;
	}
	if (!ret) {
		fresh = mf_commit_pieces(nx0, unit_off, nu, unit, nb, nx,
					 parts);
		ret = mf_commit_uses(opool, nx0, parts, nb, fresh);
	}
	if (ret && have_nb)
		mf_ext_free(pool->ext, nb);
	mutex_unlock(&pool->lock);
	if (ret)
		goto err_nx0;

	/* The fresh units: the source's bytes (units above a page)... */
	for (i = 0; i < nu && unit > PAGE_SIZE && !ret; i++) {
		int si = mf_obj_ext_find(nx0, unit_off[i]);

		ret = si < 0 ? -EINVAL :
		      mf_fab_copy(pool, nb + (u64)i * unit,
				  nx0->e[si].off + (unit_off[i] - nx0->e[si].pos),
				  unit);
	}
	/*
	 * ...then the process's pages, each into a unit of @nb: never into
	 * a piece the new object shares with @src or anyone else.
	 */
	for (i = 0; i < n && !ret; i++) {
		int e = mf_obj_ext_find(nx, pg_off[i]);

		if (e < 0 || nx->e[e].base != nb) {
			MF_DEBUG_ASSERT(0);
			ret = -EINVAL;
			break;
		}
		mf_fab_write(pool, nx->e[e].off + (pg_off[i] - nx->e[e].pos),
			     page_address(pages[i]), PAGE_SIZE);
	}
	kvfree(nx0);
	kvfree(parts);
	if (ret) {
		mutex_lock(&pool->lock);
		mf_obj_free_extents(opool, nx);
		mutex_unlock(&pool->lock);
		kvfree(nx);
		goto out_unlock;
	}
	obj = mf_obj_create(ns, id, size, nx, file->private_data);
	if (!IS_ERR(obj)) {
		memcpy(id, obj->id, MF_OBJ_ID_LEN);
		mf_obj_ref(obj);
	}
	mutex_unlock(&opool->lock);
	kvfree(unit_off);
	return obj;

err_nx0:
	kvfree(nx);
	kvfree(parts);
	mutex_lock(&pool->lock);
	mf_obj_free_extents(opool, nx0);
	mutex_unlock(&pool->lock);
	kvfree(nx0);
out_unlock:
	mutex_unlock(&opool->lock);
out_free:
	kvfree(unit_off);
	return ERR_PTR(ret);
}

/**
 * mf_obj_abandon() - undo mf_obj_derive_new() after a later failure
 * @file: the open file that holds the new object's handle
 * @obj: the new object; the caller's extra reference stays its own
 *
 * Frees the object (if nobody freed it yet) and drops @file's handle on
 * it; its memory returns when the caller drops its reference.
 *
 * Context: process context; takes the pool's lock.
 */
void mf_obj_abandon(struct file *file, struct mf_obj *obj)
{
	struct mf_file *mff = file->private_data;
	struct mf_obj_pool *opool = obj->ns->opool;
	bool drop = false;

	if (!mf_obj_pool_lock_live(opool)) {
		mutex_lock(&obj->ns->lock);
		if (!(obj->flags & MF_OBJF_FREED))
			WARN_ON_ONCE(mf_obj_hide_locked(obj));
		mutex_unlock(&obj->ns->lock);
		mutex_unlock(&opool->lock);
	}
	mutex_lock(&mff->lock);
	if (xa_load(&mff->handles, obj->nr)) {
		mf_handle_drop_locked(mff, obj);
		drop = true;
	}
	mutex_unlock(&mff->lock);
	if (drop)
		mf_obj_unref(obj);
}

/**
 * mf_ioctl_obj_derive() - MF_IOC_OBJ_DERIVE: a private copy that shares
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_derive
 *
 * See mf_obj_derive_new().
 *
 * Context: process context.
 * Return: 0 with ->id, ->bytes, ->map_offset and ->type set; -EINVAL bad
 * map offset, namespace, id, output or reserved field; -ENOENT no handle
 * on the source, no such namespace; -EACCES wrong secId, or another's
 * private source; -EEXIST the id is taken; -EBUSY the source has an
 * MF_MAP_LONGTERM mapping or a pinned page; -ENOSPC; -ENOMEM.
 */
int mf_ioctl_obj_derive(struct file *file, void *arg)
{
	struct mf_obj_derive *od = arg;
	struct mf_obj *src, *obj;
	int ret;

	if (od->reserved || od->bytes || od->map_offset || od->type ||
	    (memchr_inv(od->id, 0, sizeof(od->id)) &&
	     !mf_ns_name_valid(od->id, sizeof(od->id))))
		return -EINVAL;
	src = mf_obj_from_handle(file, od->src);
	if (IS_ERR(src))
		return PTR_ERR(src);
	ret = mf_obj_check_access(src, MF_ACCESS_READ);
	if (ret)
		goto out_unref;
	obj = mf_obj_derive_new(file, src, od->ns, od->secid, od->id);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out_unref;
	}
	od->bytes = obj->size;
	od->map_offset = (u64)obj->nr << MF_MAP_OFF_SHIFT;
	od->serial = obj->serial;
	od->type = MF_OBJ_PRIVATE_RW;
	mf_obj_unref(obj);
out_unref:
	mf_obj_unref(src);
	return ret;
}

/* ---- TTL reclaim ------------------------------------------------------------------ */

static int mf_reclaim_pool(struct mf_obj_pool *opool, void *ctx)
{
	struct mf_obj *obj, *next;
	struct rb_node *rb, *rb_next_node;
	time64_t now = ktime_get_real_seconds();
	struct mf_ns *ns;
	LIST_HEAD(reap);

	if (mf_obj_pool_lock_live(opool))
		return 0;
	mf_quarantine_retry(opool);
	list_for_each_entry(ns, &opool->namespaces, node) {
		if (!ns->ttl)
			continue;
		mutex_lock(&ns->lock);
		for (rb = rb_first(&ns->objects); rb; rb = rb_next_node) {
			rb_next_node = rb_next(rb);
			obj = rb_entry(rb, struct mf_obj, rb);
			if (obj->type != MF_OBJ_SHARED_RO || obj->refs ||
			    now < obj->ctime || now - obj->ctime < ns->ttl)
				continue;
			mf_nl_obj_event(obj, MF_NL_CMD_OBJ_RECLAIMED);
			mf_obj_hide_locked(obj);
			list_add_tail(&obj->reap, &reap);
		}
		mutex_unlock(&ns->lock);
	}
	list_for_each_entry_safe(obj, next, &reap, reap) {
		list_del_init(&obj->reap);
		mf_obj_destroy(obj);
		atomic_long_inc(&mf_cnt.reclaimed);
	}
	mutex_unlock(&opool->lock);
	return 0;
}

/* Reclaim unreferenced published objects older than their TTL. */
static void mf_reclaim_work_fn(struct work_struct *work)
{
	mf_obj_pools_walk(mf_reclaim_pool, NULL);
	mutex_lock(&mf_reclaim_lock);
	if (mf_reclaim_running)
		queue_delayed_work(system_wq, &mf_reclaim_work,
				   msecs_to_jiffies(READ_ONCE(reclaim_interval_ms)));
	mutex_unlock(&mf_reclaim_lock);
}

/* ---- /sys/kernel/memfabric/stats ---------------------------------------------------- */

/* The counters' files, in the order of mf_stats_cnt[]. */
static ssize_t mf_stats_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf);

static struct kobj_attribute mf_stats_kattrs[] = {
	__ATTR(namespaces, 0444, mf_stats_show, NULL),
	__ATTR(objects, 0444, mf_stats_show, NULL),
	__ATTR(handles, 0444, mf_stats_show, NULL),
	__ATTR(refs, 0444, mf_stats_show, NULL),
	__ATTR(files, 0444, mf_stats_show, NULL),
	__ATTR(extents, 0444, mf_stats_show, NULL),
	__ATTR(extents_shared, 0444, mf_stats_show, NULL),
	__ATTR(cow_pieces, 0444, mf_stats_show, NULL),
	__ATTR(reclaimed, 0444, mf_stats_show, NULL),
	__ATTR(mappings, 0444, mf_stats_show, NULL),
	__ATTR(faults, 0444, mf_stats_show, NULL),
	__ATTR(faults_pmd, 0444, mf_stats_show, NULL),
	__ATTR(mkwrite, 0444, mf_stats_show, NULL),
	__ATTR(commits, 0444, mf_stats_show, NULL),
	__ATTR(commit_pages, 0444, mf_stats_show, NULL),
	__ATTR(quarantined, 0444, mf_stats_show, NULL),
};

static atomic_long_t *const mf_stats_cnt[] = {
	&mf_cnt.namespaces,
	&mf_cnt.objects,
	&mf_cnt.handles,
	&mf_cnt.refs,
	&mf_cnt.files,
	&mf_cnt.extents,
	&mf_cnt.extents_shared,
	&mf_cnt.cow_pieces,
	&mf_cnt.reclaimed,
	&mf_cnt.mappings,
	&mf_cnt.faults,
	&mf_cnt.faults_pmd,
	&mf_cnt.mkwrite,
	&mf_cnt.commits,
	&mf_cnt.commit_pages,
	&mf_cnt.quarantined,
};

static_assert(ARRAY_SIZE(mf_stats_kattrs) == ARRAY_SIZE(mf_stats_cnt));

static ssize_t mf_stats_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	size_t i = attr - mf_stats_kattrs;

	return sysfs_emit(buf, "%ld\n", atomic_long_read(mf_stats_cnt[i]));
}

static struct attribute *mf_stats_attrs[ARRAY_SIZE(mf_stats_kattrs) + 1];

static const struct attribute_group mf_stats_group = {
	.attrs = mf_stats_attrs,
};

static struct kobject *mf_stats_kobj;

/**
 * mf_obj_init() - start the object layer
 * @parent: /sys/kernel/memfabric, where stats/ goes
 *
 * Before any pool is attached: attach calls into the object layer.
 *
 * Context: module init.
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int mf_obj_init(struct kobject *parent)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(mf_stats_kattrs); i++)
		mf_stats_attrs[i] = &mf_stats_kattrs[i].attr;
	mf_stats_kobj = kobject_create_and_add("stats", parent);
	if (!mf_stats_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(mf_stats_kobj, &mf_stats_group);
	if (ret) {
		kobject_put(mf_stats_kobj);
		mf_stats_kobj = NULL;
		return ret;
	}
	mutex_lock(&mf_reclaim_lock);
	mf_reclaim_running = true;
	queue_delayed_work(system_wq, &mf_reclaim_work,
			   msecs_to_jiffies(READ_ONCE(reclaim_interval_ms)));
	mutex_unlock(&mf_reclaim_lock);
	return 0;
}

/**
 * mf_obj_exit() - stop the object layer
 *
 * After every pool is detached.
 *
 * Context: module exit, or init unwinding.
 */
void mf_obj_exit(void)
{
	mutex_lock(&mf_reclaim_lock);
	mf_reclaim_running = false;
	mutex_unlock(&mf_reclaim_lock);
	cancel_delayed_work_sync(&mf_reclaim_work);
	sysfs_remove_group(mf_stats_kobj, &mf_stats_group);
	kobject_put(mf_stats_kobj);
	mf_stats_kobj = NULL;
	WARN_ON(!xa_empty(&mf_obj_numbers));
	if (atomic_long_read(&mf_cnt.objects) ||
	    atomic_long_read(&mf_cnt.namespaces) ||
	    atomic_long_read(&mf_cnt.extents))
		pr_err("leak: %ld objects, %ld namespaces, %ld extents at exit\n",
		       atomic_long_read(&mf_cnt.objects),
		       atomic_long_read(&mf_cnt.namespaces),
		       atomic_long_read(&mf_cnt.extents));
}
