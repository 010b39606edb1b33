// SPDX-License-Identifier: GPL-2.0
/*
 * mf_ioctl_obj.c - the object ioctls other than the data path and commit.
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
/* Ids MF_IOC_OBJ_BATCH_FREE reads from the caller at a time. */
#define MF_BATCH_CHUNK		256

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
	struct mf_obj_mh *mho = NULL;
	struct mf_pieces *ext;
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
	if (opool->pool->mh)
		ret = mf_obj_mh_alloc(opool,
				      mf_obj_alloc_len(opool->pool, oa->bytes),
				      &ext, &mho);
	else
		ret = mf_alloc_fresh(opool, NULL,
				     mf_obj_alloc_len(opool->pool, oa->bytes),
				     &ext);
	mutex_lock(&opool->lock);
	atomic_long_dec(&opool->busy);
	if (ret)
		goto out_unlock;
	ns = mf_ns_lookup_locked(opool, oa->name.ns, oa->name.secid);
	if (IS_ERR(ns)) {
		mutex_lock(&opool->pool->lock);
		mf_pieces_free(opool, ext);
		mutex_unlock(&opool->pool->lock);
		kvfree(ext);
		ret = PTR_ERR(ns);
		goto out_abort;
	}
	obj = mf_obj_create(ns, oa->name.id, oa->bytes, ext,
			    file->private_data);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out_abort;
	}
	if (mho)
		mf_obj_mh_bind(obj, mho, oa->name.secid);
	memcpy(oa->name.id, obj->id, sizeof(oa->name.id));
	oa->map_offset = (u64)obj->nr << MF_MAP_OFF_SHIFT;
	oa->serial = obj->serial;
	oa->type = MF_OBJ_PRIVATE_RW;
	goto out_unlock;
out_abort:
	if (mho)
		mf_obj_mh_abort(opool, mho);
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
	/* Not here: on a multi-host pool, another host may have published it. */
	if (opool->pool->mh && obj == ERR_PTR(-ENOENT)) {
		obj = mf_obj_mh_get(opool, &og->name, file->private_data);
		if (!IS_ERR(obj))
			ns = obj->ns;
	}
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
	ret = IS_ERR(ns) ? PTR_ERR(ns) : mf_obj_free_locked(ns, of->name.id,
							    file->private_data);
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
	    !mf_name_valid(bf->ns, MF_NS_NAME_LEN) ||
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
						 MF_OBJ_ID_LEN,
						 file->private_data);
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
	else if (!mf_obj_is_owner(obj, file->private_data))
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
 * -ENOMEM; -EAGAIN other calls kept growing it.  On a multi-host pool
 * (mf_obj_mh_expand()) also -E2BIG more than the protocol's extents per
 * object, -ESTALE, -ETIMEDOUT.
 */
int mf_ioctl_obj_expand(struct file *file, void *arg)
{
	struct mf_obj_expand *oe = arg;
	struct mf_pieces *ext, *fresh = NULL, *nx = NULL;
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
	ret = mf_obj_check_access(obj, MF_ACCESS_WRITE, file->private_data);
	if (!ret && oe->bytes <= obj->size)
		ret = -EINVAL;
	size = obj->size;
	mutex_unlock(&obj->ns->lock);
	if (ret)
		goto out;
	/* The manager gives a multi-host object its units (EXPAND). */
	if (opool->pool->mh) {
		ret = mf_obj_mh_expand(obj, oe->bytes);
		goto out;
	}
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
	ret = mf_obj_check_access(obj, MF_ACCESS_WRITE, file->private_data);
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
	ext = mf_obj_pieces(obj);
	if (fresh) {
		nx = mf_pieces_alloc(ext->nr + fresh->nr);
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
		rcu_assign_pointer(obj->pieces, nx);
		mf_pieces_retire(ext);
	}
	if (!(obj->flags & MF_OBJF_FREED))
		obj->ns->bytes += oe->bytes - obj->size;
	/* After the pieces that cover it (the lock-free path's acquire). */
	smp_store_release(&obj->size, oe->bytes);
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
	struct mf_pieces *ext;
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
	ext = mf_obj_pieces(obj);
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
	st->nr_shared = mf_pieces_count_shared(opool, ext);
	mutex_unlock(&opool->pool->lock);
	strscpy_pad(st->pool, opool->pool->name, sizeof(st->pool));
	strscpy_pad(st->ns, obj->ns->name, sizeof(st->ns));
	memcpy(st->id, obj->id, sizeof(st->id));
	mutex_unlock(&obj->ns->lock);
	mf_obj_unref(obj);
	return 0;
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
	     !mf_name_valid(od->id, sizeof(od->id))))
		return -EINVAL;
	src = mf_obj_from_handle(file, od->src);
	if (IS_ERR(src))
		return PTR_ERR(src);
	ret = mf_obj_check_access(src, MF_ACCESS_READ, file->private_data);
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
