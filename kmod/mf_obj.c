// SPDX-License-Identifier: GPL-2.0
/*
 * mf_obj.c - objects: creation of the struct, numbers and serials, the
 * namespace's index, references, access checks and page frames.
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

#include "mf_inject.h"
#include "mf_netlink.h"
#include "mf_object.h"

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

/* ---- object structs ---------------------------------------------------------- */

static void mf_obj_release(struct kref *kref)
{
	struct mf_obj *obj = container_of(kref, struct mf_obj, kref);

	/* A detached pool's objects go without mf_obj_destroy(). */
	mf_obj_io_kill(obj);
	if (obj->nr)
		xa_erase(&mf_obj_numbers, obj->nr);
	mf_pieces_retire(rcu_dereference_protected(obj->pieces, 1));
	/* Still set only when a detach dropped the object: nothing to send. */
	kfree(obj->mh);
	mf_ns_put(obj->ns);
	/* The lock-free data path may still be looking at it. */
	kfree_rcu(obj, rcu);
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
 * mf_obj_next() - walk every object, by number
 * @nr: in: the lowest number to look at; out: the number after the one
 *	returned
 *
 * Objects hidden from lookup but still referenced (freed, or of a dead
 * epoch) are found too.
 *
 * Context: process context.
 * Return: the object with the lowest number at or above @nr, with a
 * reference on its struct (drop it with mf_obj_put_struct()), or NULL.
 */
struct mf_obj *mf_obj_next(unsigned long *nr)
{
	unsigned long idx = *nr;
	struct mf_obj *obj;

	/* The structs are freed with kfree_rcu(). */
	rcu_read_lock();
	for (;;) {
		obj = xa_find(&mf_obj_numbers, &idx, ULONG_MAX, XA_PRESENT);
		if (!obj || kref_get_unless_zero(&obj->kref))
			break;
		idx++;
	}
	rcu_read_unlock();
	*nr = idx + 1;
	return obj;
}

/**
 * mf_obj_new() - make an object struct
 * @ns: its namespace (a reference is taken)
 * @id: its id, or "" if not chosen yet
 * @size: its size
 * @ext: its pieces, which it owns from now on
 *
 * The object is private, owned by the caller's fsuid (mf_obj_create()
 * sets the owner a bound file acts as), created now, with no references,
 * and not in any index yet.
 *
 * Return: the object, or NULL (@ext is then the caller's still).
 */
struct mf_obj *mf_obj_new(struct mf_ns *ns, const char *id, u64 size,
			  struct mf_pieces *ext)
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
	RCU_INIT_POINTER(obj->pieces, ext);
	obj->record = MF_NO_RECORD;
	atomic64_set(&obj->io, 0);
	obj->solo = false;
	atomic_long_inc(&mf_cnt.objects);
	return obj;
}

/* The visible object @id of @ns, or NULL. */
struct mf_obj *mf_obj_find_locked(struct mf_ns *ns, const char *id)
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
void mf_obj_gen_id_locked(struct mf_obj *obj)
{
	lockdep_assert_held(&obj->ns->lock);
	do {
		memset(obj->id, 0, sizeof(obj->id));
		snprintf(obj->id, sizeof(obj->id), "%016llx", get_random_u64());
	} while (mf_obj_find_locked(obj->ns, obj->id));
}

/* ---- references ---------------------------------------------------------------- */

/* The first reference, or another: only under the pool's lock. */
void mf_obj_ref_locked(struct mf_obj *obj)
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
void mf_obj_unref_n(struct mf_obj *obj, u64 n)
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
	mf_inject_delay(MF_INJ_UNREF_UNLOCK, &ns->unlockers);
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

	mf_obj_io_kill(obj);
	mutex_lock(&opool->pool->lock);
	mf_pieces_free(opool, rcu_dereference_protected(obj->pieces, 1));
	mutex_unlock(&opool->pool->lock);
	mf_obj_mh_release(obj);
	mf_obj_put_struct(obj);
}

/* ---- the lock-free data path's count ----------------------------------------------- */

/**
 * mf_obj_io_kill() - stop the lock-free data path on an object for good
 * @obj: an object nothing can reach by lookup any more (destroy, or the
 *	teardown of a detached pool)
 *
 * Marks the object dead, so that mf_obj_io_enter() fails from now on,
 * and waits for the calls counted before: after this no lock-free call
 * touches the object's pieces or its pool.  Calling it again is cheap.
 *
 * Context: process context; may sleep (briefly: a counted call holds
 * rcu_read_lock() and takes no fault).
 */
void mf_obj_io_kill(struct mf_obj *obj)
{
	might_sleep();
	atomic64_fetch_or(MF_IO_DEAD | MF_IO_WAIT, &obj->io);
	wait_var_event(&obj->io, !(atomic64_read(&obj->io) & MF_IO_COUNT));
}

/**
 * mf_obj_io_drain_writers() - wait for the lock-free writes in flight
 * @obj: the object; the caller just cleared, under its namespace's lock,
 *	what lets a lock-free write in (@type made shared, or @solo)
 *
 * A write counted before the change completes before this returns; one
 * counted after sees the change (mf_obj_io_enter() is fully ordered)
 * and takes the locked path, which waits for the namespace's lock.
 *
 * Context: @obj->ns->lock held; may sleep (briefly).
 */
void mf_obj_io_drain_writers(struct mf_obj *obj)
{
	lockdep_assert_held(&obj->ns->lock);
	/* Orders the caller's store before the count's load. */
	smp_mb();
	if (!(atomic64_read(&obj->io) & MF_IO_WRITERS))
		return;
	atomic64_fetch_or(MF_IO_WAIT, &obj->io);
	wait_var_event(&obj->io, !(atomic64_read(&obj->io) & MF_IO_WRITERS));
	/*
	 * The only waiter: another drain needs the same lock, and a kill
	 * the reference the caller holds.
	 */
	atomic64_fetch_andnot(MF_IO_WAIT, &obj->io);
}

/**
 * mf_obj_solo_update_locked() - let lock-free writes in again if they may
 * @obj: a private object whose @solo is false
 *
 * Sets @solo if no piece of the object shares its base extent with
 * another object any more (copy-on-write copied them, or the others went).
 * Objects of many pieces are not looked at: sorting their bases on every
 * short write would cost more than the lock-free path saves.
 *
 * Context: @obj->ns->lock held; takes the pool's allocator lock.
 */
void mf_obj_solo_update_locked(struct mf_obj *obj)
{
	struct mf_obj_pool *opool = obj->ns->opool;
	struct mf_pieces *ext = mf_obj_pieces(obj);
	u32 shared;

	lockdep_assert_held(&obj->ns->lock);
	if (obj->solo || obj->type != MF_OBJ_PRIVATE_RW || ext->nr > 16)
		return;
	mutex_lock(&opool->pool->lock);
	shared = mf_pieces_count_shared(opool, ext);
	mutex_unlock(&opool->pool->lock);
	if (!shared)
		WRITE_ONCE(obj->solo, true);
}

/* ---- access ---------------------------------------------------------------------- */

/**
 * mf_file_fsuid() - the fsuid a call through an open file acts as
 * @mff: the open file's state, or NULL
 *
 * Return: the bound fsuid if @mff is bound (MF_IOC_FILE_BIND), else the
 * caller's.
 */
kuid_t mf_file_fsuid(const struct mf_file *mff)
{
	const struct cred *bound = mf_file_bound(mff);

	return bound ? bound->fsuid : current_fsuid();
}

/**
 * mf_file_capable() - may a call through an open file use a capability
 * @mff: the open file's state, or NULL
 * @cap: the capability
 *
 * A bound file never has one, whatever its caller or its opener has.
 *
 * Return: true if @mff is not bound and the caller has @cap.
 */
bool mf_file_capable(const struct mf_file *mff, int cap)
{
	return !mf_file_bound(mff) && capable(cap);
}

/*
 * Whether the call through @mff acts as @obj's owner or as an
 * administrator: the file's bound fsuid alone if it is bound, else the
 * caller's fsuid or CAP_SYS_ADMIN.
 */
static bool mf_obj_owner_or_admin(const struct mf_obj *obj,
				  const struct mf_file *mff)
{
	const struct cred *bound = mf_file_bound(mff);

	if (bound)
		return uid_eq(obj->owner, bound->fsuid);
	return uid_eq(obj->owner, current_fsuid()) || capable(CAP_SYS_ADMIN);
}

/**
 * mf_obj_check_access() - may a call read or write an object
 * @obj: the object
 * @access: MF_ACCESS_READ and/or MF_ACCESS_WRITE
 * @mff: the open file the call came through (its binding decides), or
 *	NULL for the caller's own credentials
 *
 * A private object is its owner's (or CAP_SYS_ADMIN's, through a file
 * that is not bound) alone; a shared one anyone may read, nobody write.
 *
 * Context: process context, as the caller; @obj->type may be read
 * without the namespace's lock (it changes once, to shared), but a write
 * must be checked again under it.
 * Return: 0; -EACCES; -ESTALE an object of a multi-host pool whose host
 * was given up by the manager since it got it (mf_obj_mh_dead()).
 */
int mf_obj_check_access(const struct mf_obj *obj, unsigned int access,
			const struct mf_file *mff)
{
	/* Of an old epoch of a multi-host pool's host (mf_obj_mh.c). */
	if (mf_obj_mh_dead(obj))
		return -ESTALE;
	if (READ_ONCE(obj->type) == MF_OBJ_SHARED_RO)
		return access & MF_ACCESS_WRITE ? -EACCES : 0;
	return mf_obj_owner_or_admin(obj, mff) ? 0 : -EACCES;
}

/**
 * mf_obj_is_owner() - may a call free or publish an object
 * @obj: the object
 * @mff: the open file the call came through, as for mf_obj_check_access()
 *
 * Return: true for its owner, or CAP_SYS_ADMIN through a file that is not
 * bound.
 */
bool mf_obj_is_owner(const struct mf_obj *obj, const struct mf_file *mff)
{
	return mf_obj_owner_or_admin(obj, mff);
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
 * mf_obj_cow_range() before they map writable.
 * Return: 0, or -EINVAL if @off is beyond the object.
 */
int mf_obj_pfn(struct mf_obj *obj, u64 off, unsigned long *pfn,
	       u64 *contig)
{
	struct mf_pool *pool = obj->ns->pool;
	const struct mf_piece *e;
	struct mf_pieces *ext;
	u64 poff;
	int i;

	rcu_read_lock();
	ext = rcu_dereference(obj->pieces);
	i = mf_pieces_find(ext, off);
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

/* ---- ioctls: alloc, get, put ---------------------------------------------------------- */

/* Whether the fixed-size strings of @name are each terminated. */
bool mf_obj_name_ok(const struct mf_obj_name *name, bool id_may_be_empty)
{
	if (id_may_be_empty && !memchr_inv(name->id, 0, sizeof(name->id)))
		return true;
	return mf_name_valid(name->id, sizeof(name->id));
}

/**
 * mf_obj_numbers_empty() - whether no object holds a number
 *
 * Return: true if every object struct is gone (module exit's leak check).
 */
bool mf_obj_numbers_empty(void)
{
	return xa_empty(&mf_obj_numbers);
}
