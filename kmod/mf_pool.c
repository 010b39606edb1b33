// SPDX-License-Identifier: GPL-2.0
/*
 * mf_pool.c - memfabric's pools.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/numa.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "mf_netlink.h"
#include "mf_pool.h"

/* The attached pools, in order of attachment; see mf_pool.h. */
LIST_HEAD(mf_pools);
DEFINE_MUTEX(mf_pools_lock);	/* protects mf_pools; see mf_pool.h */

/* /sys/kernel/memfabric/pools; set by mf_pool_init(). */
static struct kset *mf_pools_kset;

/* ---- names and lookup ---------------------------------------------------- */

/**
 * mf_pool_name_valid() - check a pool name from an ioctl struct
 * @name: MF_POOL_NAME_LEN bytes
 *
 * Return: true if @name is 1 to MF_POOL_NAME_LEN - 1 characters of
 * [A-Za-z0-9_.-], NUL-terminated and zero-padded.
 */
bool mf_pool_name_valid(const char *name)
{
	size_t len = strnlen(name, MF_POOL_NAME_LEN);
	size_t i;

	if (len == 0 || len == MF_POOL_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isascii(name[i]) ||
		    (!isalnum(name[i]) && !strchr("_.-", name[i])))
			return false;
	return !memchr_inv(name + len, 0, MF_POOL_NAME_LEN - len);
}

struct mf_pool *mf_pool_find_locked(const char *name)
{
	struct mf_pool *pool;

	lockdep_assert_held(&mf_pools_lock);
	list_for_each_entry(pool, &mf_pools, node)
		if (!strncmp(pool->name, name, MF_POOL_NAME_LEN))
			return pool;
	return NULL;
}

/**
 * mf_pool_get() - find an attached pool and take a reference on it
 * @name: the pool's name, from an ioctl struct (checked here)
 *
 * Context: process context; takes mf_pools_lock.
 * Return: the pool, to release with mf_pool_put(); ERR_PTR(-EINVAL) for
 * a malformed name, ERR_PTR(-ENOENT) if no pool has it.
 */
struct mf_pool *mf_pool_get(const char *name)
{
	struct mf_pool *pool;

	if (!mf_pool_name_valid(name))
		return ERR_PTR(-EINVAL);
	mutex_lock(&mf_pools_lock);
	pool = mf_pool_find_locked(name);
	if (pool)
		kobject_get(&pool->kobj);
	mutex_unlock(&mf_pools_lock);
	return pool ?: ERR_PTR(-ENOENT);
}

void mf_pool_put(struct mf_pool *pool)
{
	kobject_put(&pool->kobj);
}

/**
 * mf_pool_lock_live() - take a pool's lock unless it has been detached
 * @pool: a pool the caller holds a reference on
 *
 * Return: 0 with @pool->lock held, or -ENOENT (not held) if the pool was
 * detached since the caller found it.
 */
int mf_pool_lock_live(struct mf_pool *pool)
{
	mutex_lock(&pool->lock);
	if (pool->dead) {
		mutex_unlock(&pool->lock);
		return -ENOENT;
	}
	return 0;
}

/* ---- sysfs: /sys/kernel/memfabric/pools/<name>/ ------------------------- */

static struct mf_pool *kobj_to_pool(struct kobject *kobj)
{
	return container_of(kobj, struct mf_pool, kobj);
}

/* The allocator's statistics, or -ENODEV once the pool is detached. */
static int mf_pool_stat(struct mf_pool *pool, struct mf_ext_stat *st)
{
	if (mf_pool_lock_live(pool))
		return -ENODEV;
	mf_ext_stat(pool->ext, st);
	mutex_unlock(&pool->lock);
	return 0;
}

#define MF_POOL_STAT_ATTR(attr_name, expr)				\
static ssize_t attr_name##_show(struct kobject *kobj,			\
				struct kobj_attribute *attr, char *buf)	\
{									\
	struct mf_ext_stat st;						\
	int ret = mf_pool_stat(kobj_to_pool(kobj), &st);		\
									\
	if (ret)							\
		return ret;						\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)(expr));	\
}									\
static struct kobj_attribute attr_name##_attr = __ATTR_RO(attr_name)

MF_POOL_STAT_ATTR(used, st.used);
MF_POOL_STAT_ATTR(free, st.free);
MF_POOL_STAT_ATTR(largest_free, st.largest_free);
MF_POOL_STAT_ATTR(extents, st.nr_used);
MF_POOL_STAT_ATTR(fragmentation, st.frag_permille);

static ssize_t backend_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", kobj_to_pool(kobj)->ops->name);
}

static ssize_t device_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", kobj_to_pool(kobj)->device);
}

static ssize_t capacity_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%llu\n", kobj_to_pool(kobj)->capacity);
}

static ssize_t unit_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%llu\n", 1ULL << kobj_to_pool(kobj)->unit_shift);
}

static ssize_t persistent_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", kobj_to_pool(kobj)->ops->persistent);
}

static ssize_t uuid_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%pUb\n", &kobj_to_pool(kobj)->uuid);
}

static ssize_t users_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	/*
	 * Not under mf_pools_lock: detach holds it while kobject_del() waits
	 * for this reader.  The count is a snapshot anyway.
	 */
	return sysfs_emit(buf, "%u\n", READ_ONCE(kobj_to_pool(kobj)->users));
}

static ssize_t hosts_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return mf_pool_mh_hosts_show(kobj_to_pool(kobj), buf);
}

static ssize_t role_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return mf_pool_mh_role_show(kobj_to_pool(kobj), buf);
}

static ssize_t mh_stats_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return mf_pool_mh_stats_show(kobj_to_pool(kobj), buf);
}

static struct kobj_attribute backend_attr = __ATTR_RO(backend);
static struct kobj_attribute hosts_attr = __ATTR_RO(hosts);
static struct kobj_attribute role_attr = __ATTR_RO(role);
static struct kobj_attribute mh_stats_attr = __ATTR_RO(mh_stats);
static struct kobj_attribute device_attr = __ATTR_RO(device);
static struct kobj_attribute capacity_attr = __ATTR_RO(capacity);
static struct kobj_attribute unit_attr = __ATTR_RO(unit);
static struct kobj_attribute persistent_attr = __ATTR_RO(persistent);
static struct kobj_attribute uuid_attr = __ATTR_RO(uuid);
static struct kobj_attribute users_attr = __ATTR_RO(users);

static struct attribute *mf_pool_attrs[] = {
	&backend_attr.attr,
	&device_attr.attr,
	&capacity_attr.attr,
	&used_attr.attr,
	&free_attr.attr,
	&largest_free_attr.attr,
	&extents_attr.attr,
	&fragmentation_attr.attr,
	&unit_attr.attr,
	&persistent_attr.attr,
	&uuid_attr.attr,
	&users_attr.attr,
	&role_attr.attr,
	&hosts_attr.attr,
	&mh_stats_attr.attr,
	NULL
};
ATTRIBUTE_GROUPS(mf_pool);

/* The last reference is gone: the pool is detached and its sysfs gone. */
static void mf_pool_release(struct kobject *kobj)
{
	struct mf_pool *pool = kobj_to_pool(kobj);

	mutex_destroy(&pool->lock);
	kfree(pool->ext);
	kfree(pool);
}

static const struct kobj_type mf_pool_ktype = {
	.release	= mf_pool_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= mf_pool_groups,
};

/* ---- attach and detach ---------------------------------------------------- */

static const struct mf_backend_ops *mf_backend(u32 backend)
{
	switch (backend) {
	case MF_POOL_BACKEND_FSDAX:
		return &mf_backend_fsdax;
	case MF_POOL_BACKEND_NODE:
		return &mf_backend_node;
	case MF_POOL_BACKEND_RAM:
		return &mf_backend_ram;
	}
	return NULL;
}

/* Release the allocator and the backend's memory; the pool is unlisted. */
static void mf_pool_teardown(struct mf_pool *pool)
{
	/* The workers use the device: they stop before it goes. */
	mf_pool_mh_stop(pool);
	mutex_lock(&pool->lock);
	pool->dead = true;
	mf_ext_unload(pool->ext);
	pool->ops->detach(pool);
	mutex_unlock(&pool->lock);
}

/**
 * mf_pool_create_locked() - take a pool's memory and set up its allocator
 * @arg: the kernel copy of the caller's struct mf_pool_attach; the out
 *	fields are set on success
 * @poolp: out: the pool, not yet listed nor in sysfs
 *
 * The caller then sets up what lives in the pool (the object layer) and
 * lists it with mf_pool_add_locked(), or gives up with mf_pool_destroy().
 *
 * Context: process context; mf_pools_lock held.
 * Return: 0, or a negative errno as listed at MF_IOC_POOL_ATTACH.
 */
int mf_pool_create_locked(struct mf_pool_attach *arg, struct mf_pool **poolp)
{
	const struct mf_backend_ops *ops;
	struct mf_pool *pool;
	size_t path_len;
	u32 mh;
	int ret;

	lockdep_assert_held(&mf_pools_lock);

	if (arg->reserved || arg->result || arg->capacity ||
	    memchr_inv(arg->uuid, 0, sizeof(arg->uuid)))
		return -EINVAL;
	if (!mf_pool_name_valid(arg->name))
		return -EINVAL;
	ops = mf_backend(arg->backend);
	if (!ops)
		return -EINVAL;
	mh = arg->flags & (MF_POOL_MH_MANAGER | MF_POOL_MH_MEMBER);
	if (mh == (MF_POOL_MH_MANAGER | MF_POOL_MH_MEMBER))
		return -EINVAL;
	if (mh && arg->backend != MF_POOL_BACKEND_FSDAX) {
		pr_notice("pool %s: a multi-host pool needs shared fabric memory (fsdax: a CXL or NVDIMM device)\n",
			  arg->name);
		return -EINVAL;
	}
	if (!mh && (arg->host || arg->nr_hosts))
		return -EINVAL;
	if (mh)
		ops = &mf_backend_fsdax_mh;
	if (arg->unit_shift && (arg->unit_shift < MF_POOL_UNIT_SHIFT_MIN ||
				arg->unit_shift > MF_POOL_UNIT_SHIFT_MAX))
		return -EINVAL;
	if (!IS_ALIGNED(arg->bytes, MF_POOL_ALIGN))
		return -EINVAL;
	if (arg->backend != MF_POOL_BACKEND_NODE && arg->node)
		return -EINVAL;
	path_len = strnlen(arg->path, MF_POOL_PATH_LEN);
	if (path_len == MF_POOL_PATH_LEN)
		return -EINVAL;
	if (arg->backend == MF_POOL_BACKEND_FSDAX ? !path_len : path_len)
		return -EINVAL;
	if (memchr_inv(arg->path + path_len, 0, MF_POOL_PATH_LEN - path_len))
		return -EINVAL;

	if (mf_pool_find_locked(arg->name))
		return -EEXIST;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return -ENOMEM;
	kobject_init(&pool->kobj, &mf_pool_ktype);
	pool->kobj.kset = mf_pools_kset;
	INIT_LIST_HEAD(&pool->node);
	mutex_init(&pool->lock);
	strscpy(pool->name, arg->name, sizeof(pool->name));
	pool->ops = ops;
	pool->backend = arg->backend;
	pool->nid = NUMA_NO_NODE;
	pool->ext = kzalloc(mf_ext_pool_size(), GFP_KERNEL);
	if (!pool->ext) {
		ret = -ENOMEM;
		goto err_put;
	}

	ret = ops->attach(pool, arg);
	if (ret)
		goto err_put;
	mf_ext_set_lock(pool->ext, &pool->lock);
	if (mh) {
		ret = mf_pool_mh_start(pool, arg);
		if (ret)
			goto err_detach;
	}
	arg->capacity = pool->capacity;
	export_uuid(arg->uuid, &pool->uuid);
	*poolp = pool;
	return 0;

err_detach:
	mf_pool_teardown(pool);
err_put:
	kobject_put(&pool->kobj);
	return ret;
}

/**
 * mf_pool_add_locked() - list a pool made by mf_pool_create_locked()
 * @pool: the pool
 * @arg: what it was made from
 *
 * Context: process context; mf_pools_lock held.
 * Return: 0, or a negative errno (the pool is not listed: the caller
 * unwinds and calls mf_pool_destroy()).
 */
int mf_pool_add_locked(struct mf_pool *pool, const struct mf_pool_attach *arg)
{
	int ret;

	lockdep_assert_held(&mf_pools_lock);
	ret = kobject_add(&pool->kobj, NULL, "%s", pool->name);
	if (ret)
		return ret;
	list_add_tail(&pool->node, &mf_pools);
	kobject_uevent(&pool->kobj, KOBJ_ADD);
	pr_info("pool %s attached: %s %s, %llu bytes, unit %llu%s\n",
		pool->name, pool->ops->name, pool->device, pool->capacity,
		1ULL << pool->unit_shift,
		arg->result & MF_POOL_RESULT_FORMATTED ? ", formatted" : "");
	return 0;
}

/**
 * mf_pool_destroy() - release a pool that mf_pool_add_locked() did not list
 * @pool: the pool, from mf_pool_create_locked()
 *
 * Context: process context; mf_pools_lock held.
 */
void mf_pool_destroy(struct mf_pool *pool)
{
	lockdep_assert_held(&mf_pools_lock);
	mf_pool_teardown(pool);
	kobject_put(&pool->kobj);
}

/**
 * mf_pool_detach_locked() - detach a pool
 * @pool: an attached pool
 *
 * Takes @pool off the list and out of sysfs, waits for the callers that
 * found it earlier, releases its memory and drops the list's reference.
 * The caller has checked @pool->users and let go of what lives in the
 * pool (the object layer) first.
 *
 * Context: process context; mf_pools_lock held.
 */
void mf_pool_detach_locked(struct mf_pool *pool)
{
	lockdep_assert_held(&mf_pools_lock);

	list_del_init(&pool->node);
	/* Waits for sysfs readers, which take pool->lock: not held here. */
	kobject_del(&pool->kobj);
	mf_pool_teardown(pool);
	pr_info("pool %s detached\n", pool->name);
	mf_pool_put(pool);
}

/* ---- free space ---------------------------------------------------------- */

/**
 * mf_pool_space() - note a pool's free space after it changed
 * @pool: the pool, its lock held and live
 *
 * A pool becomes low (@pool->low) when its free bytes fall below
 * MF_NL_POOL_LOW_PERCENT of its capacity, and stops being low when they
 * are back at MF_NL_POOL_OK_PERCENT or more; each of these transitions
 * is multicast (MF_NL_CMD_POOL_LOW, MF_NL_CMD_POOL_OK) if anybody
 * listens.  Cheap when nothing changes: mf_ext_stat() is O(1).
 *
 * Context: process context; @pool->lock held.
 */
void mf_pool_space(struct mf_pool *pool)
{
	struct mf_ext_stat st;
	bool was_low, low;

	mf_pool_assert_locked(pool);
	if (pool->dead)
		return;
	mf_ext_stat(pool->ext, &st);
	if (!st.capacity)
		return;
	was_low = pool->low;
	if (was_low)
		low = st.free * 100 < st.capacity * MF_NL_POOL_OK_PERCENT;
	else
		low = st.free * 100 < st.capacity * MF_NL_POOL_LOW_PERCENT;
	if (low == was_low)
		return;
	pool->low = low;
	mf_nl_pool_event(pool, low, &st);
}

/* ---- module init and exit ------------------------------------------------ */

/**
 * mf_pool_init() - create /sys/kernel/memfabric/pools
 * @parent: /sys/kernel/memfabric
 *
 * Context: module init.
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int mf_pool_init(struct kobject *parent)
{
	mf_pools_kset = kset_create_and_add("pools", NULL, parent);
	if (!mf_pools_kset) {
		pr_err("cannot create /sys/kernel/memfabric/pools\n");
		return -ENOMEM;
	}
	return 0;
}

/**
 * mf_pool_exit() - remove /sys/kernel/memfabric/pools
 *
 * Every pool is detached (mf_pools_detach_all()).
 *
 * Context: module exit, or init unwinding.
 */
void mf_pool_exit(void)
{
	WARN_ON(!list_empty(&mf_pools));
	kset_unregister(mf_pools_kset);
	mf_pools_kset = NULL;
}
