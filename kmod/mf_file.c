// SPDX-License-Identifier: GPL-2.0
/*
 * mf_file.c - open files of /dev/memfabric and their handles on objects.
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

#include "mf_object.h"

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
	if (mff->bound)
		put_cred(mff->bound);
	mutex_destroy(&mff->lock);
	kfree(mff);
	file->private_data = NULL;
	atomic_long_dec(&mf_cnt.files);
	MF_DEBUG_ASSERT(atomic_long_read(&mf_cnt.files) >= 0);
}

/**
 * mf_ioctl_file_bind() - MF_IOC_FILE_BIND: bind a file to its opener
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_file_bind
 *
 * From now on every call through @file is checked against the
 * credentials it was opened with (@file->f_cred: fsuid, fsgid, groups),
 * whoever makes it, and no capability overrides a check through it
 * (mf_file_fsuid(), mf_file_capable(), mf_obj_check_access()).  The
 * binding is one-way and lasts as long as the open file.  Only a caller
 * whose fsuid is the opener's, or with CAP_SYS_ADMIN (a launcher that
 * opened the file with its fsuid switched), may bind: a descriptor that
 * another user opened must not become a way to act as that user.
 *
 * Context: process context; takes the file's handle lock.
 * Return: 0 with the bound uid and gid, in the caller's user namespace,
 * in @arg; -EINVAL a reserved or out field not zero; -EALREADY the file is
 * bound already; -EPERM the caller's fsuid is not the opener's and it
 * lacks CAP_SYS_ADMIN.
 */
int mf_ioctl_file_bind(struct file *file, void *arg)
{
	struct mf_file *mff = file->private_data;
	struct mf_file_bind *fb = arg;
	const struct cred *cred = file->f_cred;
	int ret = 0;

	if (fb->reserved || fb->uid || fb->gid)
		return -EINVAL;
	mutex_lock(&mff->lock);
	if (mff->bound)
		ret = -EALREADY;
	else if (!uid_eq(current_fsuid(), cred->fsuid) &&
		 !capable(CAP_SYS_ADMIN))
		ret = -EPERM;
	else	/* the credentials before the pointer: mf_file_bound() */
		smp_store_release(&mff->bound, get_cred(cred));
	mutex_unlock(&mff->lock);
	if (ret)
		return ret;
	fb->uid = from_kuid_munged(current_user_ns(), cred->fsuid);
	fb->gid = from_kgid_munged(current_user_ns(), cred->fsgid);
	return 0;
}

/*
 * Count one more handle reference of @mff on @obj; the caller takes the
 * object reference that goes with it.
 */
int mf_handle_add_locked(struct mf_file *mff, struct mf_obj *obj)
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
void mf_handle_drop_locked(struct mf_file *mff, struct mf_obj *obj)
{
	struct mf_handle *h = xa_load(&mff->handles, obj->nr);

	lockdep_assert_held(&mff->lock);
	atomic_long_dec(&mf_cnt.handles);
	MF_DEBUG_ASSERT(h && h->count && atomic_long_read(&mf_cnt.handles) >= 0);
	if (--h->count)
		return;
	xa_erase(&mff->handles, obj->nr);
	/* The lock-free data path may have looked it up. */
	kfree_rcu(h, rcu);
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

/* ---- lookup ------------------------------------------------------------------------ */

/*
 * Find object @id of @ns, check @access and take a reference, with a
 * handle of @mff if it is not NULL.
 */
struct mf_obj *mf_obj_lookup_ref(struct mf_ns *ns, const char *id,
				 unsigned int access,
				 struct mf_file *mff)
{
	struct mf_obj *obj, *dead = NULL;
	int ret;

	lockdep_assert_held(&ns->opool->lock);
	if (!mf_name_valid(id, MF_OBJ_ID_LEN))
		return ERR_PTR(-EINVAL);
	if (mff)
		mutex_lock(&mff->lock);
	mutex_lock(&ns->lock);
	obj = mf_obj_find_locked(ns, id);
	if (obj && mf_obj_mh_dead(obj)) {
		/*
		 * Of a dead epoch of a multi-host pool's host: it goes from
		 * the index (its handles stay, refused with -ESTALE), and a
		 * get of the name looks for it anew.
		 */
		if (mf_obj_hide_locked(obj))
			dead = obj;
		obj = NULL;
	}
	if (!obj) {
		ret = -ENOENT;
		goto err;
	}
	ret = mf_obj_check_access(obj, access, mff);
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
	if (dead)
		mf_obj_destroy(dead);
	return ERR_PTR(ret);
}
