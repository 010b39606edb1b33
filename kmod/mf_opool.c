// SPDX-License-Identifier: GPL-2.0
/*
 * mf_opool.c - the object layer's state of each attached pool (struct
 * mf_obj_pool): the list of them, lookup by name, references.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "mf_object.h"

/* The object layer's pools, one per attached pool. */
static LIST_HEAD(mf_obj_pools);
static DEFINE_MUTEX(mf_obj_pools_lock);

/* ---- the object layer's pools ------------------------------------------- */

static void mf_obj_pool_release(struct kref *kref)
{
	struct mf_obj_pool *opool = container_of(kref, struct mf_obj_pool,
						 kref);

	WARN_ON(!list_empty(&opool->namespaces));
	xa_destroy(&opool->uses);
	mutex_destroy(&opool->lock);
	kobject_put(&opool->pool->kobj);
	kfree(opool);
}

/**
 * mf_obj_pool_put() - drop a reference on an object pool
 * @opool: the pool
 */
void mf_obj_pool_put(struct mf_obj_pool *opool)
{
	kref_put(&opool->kref, mf_obj_pool_release);
}

/**
 * mf_obj_pool_get() - find a pool's object state by the pool's name
 * @name: MF_POOL_NAME_LEN bytes from an ioctl struct
 *
 * Context: process context; takes mf_obj_pools_lock.
 * Return: the state with a reference (mf_obj_pool_put()), ERR_PTR(-EINVAL)
 * for a malformed name, ERR_PTR(-ENOENT) if no such pool is attached.
 */
struct mf_obj_pool *mf_obj_pool_get(const char *name)
{
	struct mf_obj_pool *opool, *found = NULL;
	size_t n = strnlen(name, MF_POOL_NAME_LEN), i;

	/* As mf_pool.c checks pool names. */
	if (n == 0 || n == MF_POOL_NAME_LEN ||
	    memchr_inv(name + n, 0, MF_POOL_NAME_LEN - n))
		return ERR_PTR(-EINVAL);
	for (i = 0; i < n; i++)
		if (!isascii(name[i]) ||
		    (!isalnum(name[i]) && !strchr("_.-", name[i])))
			return ERR_PTR(-EINVAL);
	mutex_lock(&mf_obj_pools_lock);
	list_for_each_entry(opool, &mf_obj_pools, node) {
		if (!strncmp(opool->pool->name, name, MF_POOL_NAME_LEN)) {
			kref_get(&opool->kref);
			found = opool;
			break;
		}
	}
	mutex_unlock(&mf_obj_pools_lock);
	return found ?: ERR_PTR(-ENOENT);
}

/**
 * mf_obj_pool_lock_live() - lock an object pool unless it was detached
 * @opool: a pool the caller holds a reference on
 *
 * Return: 0 with @opool->lock held, or -ENOENT (not held).
 */
int mf_obj_pool_lock_live(struct mf_obj_pool *opool)
{
	mutex_lock(&opool->lock);
	if (opool->dead) {
		mutex_unlock(&opool->lock);
		return -ENOENT;
	}
	return 0;
}

/**
 * mf_obj_pools_walk() - call a function on every attached object pool
 * @fn: called with each pool and @ctx; a non-zero return stops the walk.
 *	It may take the pool's lock (and must check @dead).
 * @ctx: passed to @fn
 *
 * Context: process context; holds mf_obj_pools_lock across the walk.
 * Return: 0, or what @fn returned.
 */
int mf_obj_pools_walk(int (*fn)(struct mf_obj_pool *opool, void *ctx),
		      void *ctx)
{
	struct mf_obj_pool *opool;
	int ret = 0;

	mutex_lock(&mf_obj_pools_lock);
	list_for_each_entry(opool, &mf_obj_pools, node) {
		ret = fn(opool, ctx);
		if (ret)
			break;
	}
	mutex_unlock(&mf_obj_pools_lock);
	return ret;
}

/**
 * mf_obj_pools_assert_locked() - assert that the caller holds
 *	mf_obj_pools_lock
 *
 * For mf_obj_pools_walk()'s callbacks, which run under it: the lock is
 * private to this file.
 */
void mf_obj_pools_assert_locked(void)
{
	lockdep_assert_held(&mf_obj_pools_lock);
}

/**
 * mf_obj_pool_new() - make the object layer's state of a pool
 * @pool: the pool being attached
 *
 * Context: process context.
 * Return: the state, with one reference (the list's once listed), or NULL.
 */
struct mf_obj_pool *mf_obj_pool_new(struct mf_pool *pool)
{
	struct mf_obj_pool *opool;

	opool = kzalloc(sizeof(*opool), GFP_KERNEL);
	if (!opool)
		return NULL;
	kref_init(&opool->kref);
	mutex_init(&opool->lock);
	INIT_LIST_HEAD(&opool->node);
	INIT_LIST_HEAD(&opool->namespaces);
	xa_init(&opool->uses);
	atomic_long_set(&opool->busy, 0);
	kobject_get(&pool->kobj);
	opool->pool = pool;
	opool->persistent = pool->ops->persistent;
	mf_quarantine_init(opool);
	return opool;
}

/**
 * mf_obj_pool_add() - put a pool's object state on the list
 * @opool: from mf_obj_pool_new(), set up
 *
 * Context: process context; takes mf_obj_pools_lock.
 */
void mf_obj_pool_add(struct mf_obj_pool *opool)
{
	mutex_lock(&mf_obj_pools_lock);
	list_add_tail(&opool->node, &mf_obj_pools);
	mutex_unlock(&mf_obj_pools_lock);
}

/* Whether any namespace of @opool holds objects. */
static bool mf_obj_pool_has_objects(struct mf_obj_pool *opool)
{
	struct mf_ns *ns;
	bool any = false;

	lockdep_assert_held(&opool->lock);
	list_for_each_entry(ns, &opool->namespaces, node) {
		mutex_lock(&ns->lock);
		any = ns->nr_objects != 0;
		mutex_unlock(&ns->lock);
		if (any)
			break;
	}
	return any;
}

/**
 * mf_obj_pool_unlist() - take a pool's object state off the list
 * @pool: the pool being detached
 * @force: module exit: whatever its state
 *
 * Refuses while an object of the pool is referenced (a handle, a mapping,
 * an ioctl in flight), and, for a volatile pool, while it holds objects:
 * their contents would be lost.  Otherwise marks the state dead and takes
 * it off the list.
 *
 * Context: process context; takes mf_obj_pools_lock, then the state's
 * lock.
 * Return: the state with its lock held (the caller tears it down, unlocks
 * it and drops the list's reference), NULL if the pool has none, or
 * ERR_PTR(-EBUSY) (nothing changed).
 */
struct mf_obj_pool *mf_obj_pool_unlist(struct mf_pool *pool, bool force)
{
	struct mf_obj_pool *opool, *found = NULL;

	mutex_lock(&mf_obj_pools_lock);
	list_for_each_entry(opool, &mf_obj_pools, node) {
		if (opool->pool == pool) {
			found = opool;
			break;
		}
	}
	if (!found) {
		mutex_unlock(&mf_obj_pools_lock);
		return NULL;
	}
	opool = found;
	mutex_lock(&opool->lock);
	if (!force && (atomic_long_read(&opool->busy) ||
		       (!opool->persistent && mf_obj_pool_has_objects(opool)))) {
		mutex_unlock(&opool->lock);
		mutex_unlock(&mf_obj_pools_lock);
		return ERR_PTR(-EBUSY);
	}
	if (atomic_long_read(&opool->busy))
		pr_err("pool %s: %ld objects still referenced at detach\n",
		       pool->name, atomic_long_read(&opool->busy));
	opool->dead = true;
	list_del_init(&opool->node);
	mutex_unlock(&mf_obj_pools_lock);
	return opool;
}
