// SPDX-License-Identifier: GPL-2.0
/*
 * mf_ioctl_ns.c - the namespace ioctls: MF_IOC_NS_CREATE, _DESTROY and _LIST.
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

#include "mf_netlink.h"
#include "mf_object.h"

/* Largest list entry a caller may claim to know. */
#define MF_NS_LIST_MAX_ENTRY	PAGE_SIZE

/**
 * mf_ioctl_ns_create() - MF_IOC_NS_CREATE: create a namespace
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_ns_create
 *
 * Context: process context.
 * Return: 0; -EINVAL bad name, secId or reserved field; -ENOENT no such
 * pool; -EEXIST the name is taken; -ENOSPC no room for the record;
 * -ENOMEM.
 */
int mf_ioctl_ns_create(struct file *file, void *arg)
{
	struct mf_ns_create *nc = arg;
	u8 salt[16], hash[SHA256_DIGEST_SIZE];
	struct mf_obj_pool *opool;
	struct mf_ns *ns;
	int ret;

	if (nc->reserved || !mf_name_valid(nc->name, MF_NS_NAME_LEN) ||
	    !mf_secid_valid(nc->secid))
		return -EINVAL;
	opool = mf_obj_pool_get(nc->pool);
	if (IS_ERR(opool))
		return PTR_ERR(opool);
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto out_put;
	if (mf_ns_find_locked(opool, nc->name)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	get_random_bytes(salt, sizeof(salt));
	mf_ns_secid_hash(salt, nc->secid, hash);
	ns = mf_ns_new(opool, nc->name, salt, hash, nc->ttl, nc->attr,
		       ktime_get_real_seconds());
	memzero_explicit(hash, sizeof(hash));
	if (!ns) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	if (opool->persistent) {
		ret = mf_rec_ns_write(ns);
		if (ret)
			mf_ns_unlist_locked(ns);
	}
	if (!ret)
		mf_nl_ns_event(ns, MF_NL_CMD_NS_CREATED);
out_unlock:
	mutex_unlock(&opool->lock);
out_put:
	mf_obj_pool_put(opool);
	return ret;
}

/**
 * mf_ioctl_ns_destroy() - MF_IOC_NS_DESTROY: destroy a namespace
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_ns_destroy
 *
 * Without MF_NS_FORCE a namespace that holds objects is refused.  With
 * it, every object is freed as by MF_IOC_OBJ_FREE (whoever owns it):
 * those nothing references at once, the others when their last reference
 * goes (they keep the namespace's struct until then, off the list).  The
 * objects' records are retired before the namespace's.
 *
 * Context: process context.
 * Return: 0 with ->freed and ->deferred set; -EINVAL bad name, secId,
 * output or reserved field; -ENOENT no such pool or namespace; -EACCES
 * wrong secId; -EBUSY objects and no MF_NS_FORCE.
 */
int mf_ioctl_ns_destroy(struct file *file, void *arg)
{
	struct mf_ns_destroy *nd = arg;
	struct mf_obj_pool *opool;
	struct mf_obj *obj, *next;
	struct rb_node *rb;
	struct mf_ns *ns;
	LIST_HEAD(reap);
	int ret;

	if (nd->reserved || nd->freed || nd->deferred)
		return -EINVAL;
	opool = mf_obj_pool_get(nd->pool);
	if (IS_ERR(opool))
		return PTR_ERR(opool);
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto out_put;
	ns = mf_ns_lookup_locked(opool, nd->name, nd->secid);
	if (IS_ERR(ns)) {
		ret = PTR_ERR(ns);
		goto out_unlock;
	}
	mutex_lock(&ns->lock);
	if (ns->nr_objects && !(nd->flags & MF_NS_FORCE)) {
		mutex_unlock(&ns->lock);
		ret = -EBUSY;
		goto out_unlock;
	}
	while ((rb = rb_first(&ns->objects))) {
		obj = rb_entry(rb, struct mf_obj, rb);
		mf_nl_obj_event(obj, MF_NL_CMD_OBJ_FREED);
		if (mf_obj_hide_locked(obj)) {
			list_add_tail(&obj->reap, &reap);
			nd->freed++;
		} else {
			nd->deferred++;
		}
	}
	mutex_unlock(&ns->lock);
	list_for_each_entry_safe(obj, next, &reap, reap) {
		list_del_init(&obj->reap);
		mf_obj_destroy(obj);
	}
	mf_nl_ns_event(ns, MF_NL_CMD_NS_DESTROYED);
	mf_rec_ns_retire(ns);
	mf_ns_unlist_locked(ns);
out_unlock:
	mutex_unlock(&opool->lock);
out_put:
	mf_obj_pool_put(opool);
	return ret;
}

/* State of an MF_IOC_NS_LIST walk. */
struct mf_ns_walk {
	const char *pool;	/* NULL: every pool */
	struct mf_ns_info *infos;
	u32 room;
	u32 total;
};

static int mf_ns_list_pool(struct mf_obj_pool *opool, void *ctx)
{
	struct mf_ns_walk *walk = ctx;
	struct mf_ns_info *info;
	struct mf_ns *ns;

	if (walk->pool &&
	    strncmp(walk->pool, opool->pool->name, MF_POOL_NAME_LEN))
		return 0;
	if (mf_obj_pool_lock_live(opool))
		return 0;
	list_for_each_entry(ns, &opool->namespaces, node) {
		if (walk->total < walk->room) {
			info = &walk->infos[walk->total];
			strscpy(info->pool, opool->pool->name,
				sizeof(info->pool));
			strscpy(info->name, ns->name, sizeof(info->name));
			info->ttl = ns->ttl;
			info->attr = ns->attr;
			info->ctime = ns->ctime;
			mutex_lock(&ns->lock);
			info->nr_objects = ns->nr_objects;
			info->bytes = ns->bytes;
			mutex_unlock(&ns->lock);
		}
		if (walk->total < U32_MAX)
			walk->total++;
	}
	mutex_unlock(&opool->lock);
	return 0;
}

/**
 * mf_ioctl_ns_list() - MF_IOC_NS_LIST: describe namespaces
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_ns_list
 *
 * Context: process context; the walk holds the pools' locks, the copy to
 * the caller does not.
 * Return: 0; -EINVAL bad pool name, entry_size or reserved field; -ENOENT
 * no such pool; -EFAULT; -ENOMEM.
 */
int mf_ioctl_ns_list(struct file *file, void *arg)
{
	struct mf_ns_list *nl = arg;
	struct mf_ns_walk walk = {};
	char __user *dst;
	size_t n, i;
	int ret = 0;

	if (nl->reserved || nl->entry_size < sizeof(struct mf_ns_info) ||
	    nl->entry_size > MF_NS_LIST_MAX_ENTRY)
		return -EINVAL;
	if (memchr_inv(nl->pool, 0, sizeof(nl->pool))) {
		struct mf_obj_pool *opool = mf_obj_pool_get(nl->pool);

		if (IS_ERR(opool))
			return PTR_ERR(opool);
		mf_obj_pool_put(opool);
		walk.pool = nl->pool;
	}
	/* Count first, then fill at most what both sides have room for. */
	mf_obj_pools_walk(mf_ns_list_pool, &walk);
	walk.room = min(nl->count, walk.total);
	if (walk.room) {
		walk.infos = kvcalloc(walk.room, sizeof(*walk.infos),
				      GFP_KERNEL);
		if (!walk.infos)
			return -ENOMEM;
	}
	walk.total = 0;
	mf_obj_pools_walk(mf_ns_list_pool, &walk);

	n = min(walk.room, walk.total);
	dst = u64_to_user_ptr(nl->namespaces);
	for (i = 0; i < n; i++, dst += nl->entry_size) {
		if (copy_to_user(dst, &walk.infos[i], sizeof(walk.infos[i])) ||
		    (nl->entry_size > sizeof(walk.infos[i]) &&
		     clear_user(dst + sizeof(walk.infos[i]),
				nl->entry_size - sizeof(walk.infos[i])))) {
			ret = -EFAULT;
			break;
		}
	}
	kvfree(walk.infos);
	if (!ret)
		nl->count = walk.total;
	return ret;
}
