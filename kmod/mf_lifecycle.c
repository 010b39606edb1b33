// SPDX-License-Identifier: GPL-2.0
/*
 * mf_lifecycle.c - the life of objects and namespaces: creation with a handle,
 * publish, free, namespace teardown and the TTL reclaim.
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

/*
 * Make a new object of @size bytes with pieces @ext (which it takes) in
 * @ns, under id @id ("": a generated one), with a handle of @mff, owned
 * by the fsuid @mff acts as: the common end of alloc and derive.  Returns the object (with one
 * reference, the handle's) or an ERR_PTR; @ext is dropped on error.
 */
struct mf_obj *mf_obj_create(struct mf_ns *ns, const char *id,
			     u64 size, struct mf_pieces *ext,
			     struct mf_file *mff)
{
	struct mf_obj_pool *opool = ns->opool;
	struct mf_obj *obj;
	int ret;

	lockdep_assert_held(&opool->lock);
	obj = mf_obj_new(ns, id, size, ext);
	if (!obj) {
		mutex_lock(&opool->pool->lock);
		mf_pieces_free(opool, ext);
		mutex_unlock(&opool->pool->lock);
		kvfree(ext);
		return ERR_PTR(-ENOMEM);
	}
	obj->owner = mf_file_fsuid(mff);
	/*
	 * Fresh pieces (alloc) are the object's alone: lock-free writes may
	 * go in place.  Derived ones are shared; sharing only shrinks until
	 * the object is visible, so this stays true or conservative.
	 */
	mutex_lock(&opool->pool->lock);
	obj->solo = !mf_pieces_count_shared(opool, ext);
	mutex_unlock(&opool->pool->lock);
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

/*
 * Publish @obj: -EALREADY if it is published, -EBUSY while a MAP_SHARED
 * mapping that may write it exists (mappings are not revoked: the owner
 * must munmap them first, see Documentation/objects.md).
 */
int mf_obj_publish_locked(struct mf_obj *obj)
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
	/*
	 * No lock-free write may be in flight or start from here on: a
	 * multi-host publish writes the range back and makes it visible to
	 * other hosts before the type changes below.  A failed publish leaves
	 * @solo false; the next locked write sets it again.
	 */
	WRITE_ONCE(obj->solo, false);
	mf_obj_io_drain_writers(obj);
	if (obj->mh) {
		ret = mf_obj_mh_publish(obj);
		if (ret)
			return ret;
	}
	if (obj->record != MF_NO_RECORD) {
		ret = mf_rec_obj_write(obj, mf_obj_pieces(obj), obj->size,
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

/*
 * Free object @id of @ns for a call through @mff: hide it, and destroy it
 * if it is unreferenced.
 */
int mf_obj_free_locked(struct mf_ns *ns, const char *id,
		       const struct mf_file *mff)
{
	struct mf_obj *obj;
	bool destroy;

	lockdep_assert_held(&ns->opool->lock);
	if (!mf_name_valid(id, MF_OBJ_ID_LEN))
		return -EINVAL;
	mutex_lock(&ns->lock);
	obj = mf_obj_find_locked(ns, id);
	/* Another host's object is never this host's to free. */
	if (!obj || !mf_obj_is_owner(obj, mff) || mf_obj_mh_remote(obj)) {
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
 * mf_ns_destroy_all() - drop a detached pool's namespaces and objects
 * @opool: the pool, marked dead, with no referenced object
 *
 * DRAM state only: the records of a persistent pool stay, and the extents
 * go with the allocator.
 *
 * Context: @opool->lock held.
 */
void mf_ns_destroy_all(struct mf_obj_pool *opool)
{
	struct mf_ns *ns, *next;
	struct mf_obj *obj;
	struct rb_node *rb;
	LIST_HEAD(reap);

	lockdep_assert_held(&opool->lock);
	list_for_each_entry_safe(ns, next, &opool->namespaces, node) {
		mutex_lock(&ns->lock);
		while ((rb = rb_first(&ns->objects))) {
			obj = rb_entry(rb, struct mf_obj, rb);
			rb_erase(rb, &ns->objects);
			RB_CLEAR_NODE(rb);
			obj->flags |= MF_OBJF_FREED;
			obj->record = MF_NO_RECORD;
			ns->nr_objects--;
			ns->bytes -= obj->size;
			list_add_tail(&obj->reap, &reap);
		}
		mutex_unlock(&ns->lock);
		mf_ns_unlist_locked(ns);
	}
	/* The use counts go with the allocator: no extent is freed. */
	mf_base_counts_clear(opool);
	while (!list_empty(&reap)) {
		obj = list_first_entry(&reap, struct mf_obj, reap);
		list_del_init(&obj->reap);
		mf_obj_put_struct(obj);
	}
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
	/*
	 * Two kinds go: published objects unreferenced past their
	 * namespace's TTL, and on a multi-host pool another host's objects
	 * nobody here references (their destruction PUTs this host's
	 * reference at the manager, mf_obj_mh_release()).
	 */
	list_for_each_entry(ns, &opool->namespaces, node) {
		if (!ns->ttl && !opool->pool->mh)
			continue;
		mutex_lock(&ns->lock);
		for (rb = rb_first(&ns->objects); rb; rb = rb_next_node) {
			rb_next_node = rb_next(rb);
			obj = rb_entry(rb, struct mf_obj, rb);
			if (obj->refs)
				continue;
			/* Another host's, or of a dead epoch: it goes. */
			if (!mf_obj_mh_remote(obj) && !mf_obj_mh_dead(obj)) {
				if (!ns->ttl || obj->type != MF_OBJ_SHARED_RO ||
				    now < obj->ctime || now - obj->ctime < ns->ttl)
					continue;
				mf_nl_obj_event(obj, MF_NL_CMD_OBJ_RECLAIMED);
				atomic_long_inc(&mf_cnt.reclaimed);
			}
			mf_obj_hide_locked(obj);
			list_add_tail(&obj->reap, &reap);
		}
		mutex_unlock(&ns->lock);
	}
	list_for_each_entry_safe(obj, next, &reap, reap) {
		list_del_init(&obj->reap);
		mf_obj_destroy(obj);
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

/**
 * mf_obj_init() - start the object layer: the TTL reclaim worker
 *
 * Before any pool is attached: attach calls into the object layer.
 *
 * Context: module init.
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int mf_obj_init(void)
{
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
	WARN_ON(!mf_obj_numbers_empty());
	if (atomic_long_read(&mf_cnt.objects) ||
	    atomic_long_read(&mf_cnt.namespaces) ||
	    atomic_long_read(&mf_cnt.extents))
		pr_err("leak: %ld objects, %ld namespaces, %ld extents at exit\n",
		       atomic_long_read(&mf_cnt.objects),
		       atomic_long_read(&mf_cnt.namespaces),
		       atomic_long_read(&mf_cnt.extents));
}
