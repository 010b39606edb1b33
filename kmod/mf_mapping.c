// SPDX-License-Identifier: GPL-2.0
/*
 * mf_mapping.c - the address_space every open of /dev/memfabric shares, and
 * unmapping a range of an object from all mappings of it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/huge_mm.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/pfn_t.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "mf_object.h"

/*
 * The inode whose address_space every open shares: an inode of the
 * module's own pseudo filesystem, not a device node's, which lives in a
 * filesystem (a container's /dev) that may be unmounted while we hold it.
 * Set at module init, before the device exists; read-only after.
 */
static struct vfsmount *mf_mnt;
static struct inode *mf_mapping_inode;

/* "mfab" */
#define MF_FS_MAGIC		0x6d666162

static int mf_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, MF_FS_MAGIC) ? 0 : -ENOMEM;
}

/* Never registered: only kern_mount() below mounts it. */
static struct file_system_type mf_fs_type = {
	.name		= "memfabric",
	.init_fs_context = mf_fs_init_fs_context,
	.kill_sb	= kill_anon_super,
};

/**
 * mf_mapping_init() - make the shared address_space
 *
 * Context: module init, before the device is registered.
 * Return: 0 or a negative errno.
 */
int mf_mapping_init(void)
{
	struct inode *inode;

	mf_mnt = kern_mount(&mf_fs_type);
	if (IS_ERR(mf_mnt))
		return PTR_ERR(mf_mnt);
	inode = alloc_anon_inode(mf_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		kern_unmount(mf_mnt);
		return PTR_ERR(inode);
	}
	/* So that the core mm calls ->huge_fault() (vma_is_dax()). */
	inode_set_flags(inode, S_DAX, S_DAX);
	mf_mapping_inode = inode;
	return 0;
}

/**
 * mf_mapping_open_file() - give an open file the shared address_space
 * @file: the new open file
 *
 * Context: process context, from the device's ->open().
 */
void mf_mapping_open_file(struct file *file)
{
	file->f_mapping = mf_mapping_inode->i_mapping;
}

/**
 * mf_mapping_exit() - drop the shared address_space
 *
 * Context: module exit: no file is open, so nothing maps it.
 */
void mf_mapping_exit(void)
{
	iput(mf_mapping_inode);
	mf_mapping_inode = NULL;
	kern_unmount(mf_mnt);
}

/**
 * mf_mapping_zap() - unmap a range of an object from every mapping
 * @obj: the object
 * @pos: offset of the range in the object
 * @len: its length
 *
 * Pages that MAP_PRIVATE mappings copied stay: they are the process's.
 *
 * Context: process context; @obj->map_lock held for writing.
 */
void mf_mapping_zap(struct mf_obj *obj, u64 pos, u64 len)
{
	lockdep_assert_held_write(&obj->map_lock);
	if (!atomic_read(&obj->map_count))
		return;
	unmap_mapping_range(mf_mapping_inode->i_mapping,
			    ((loff_t)obj->map_pgoff << PAGE_SHIFT) + pos,
			    len, 0);
}

/**
 * mf_mapping_revoke_pool() - unmap every object of a pool from every mapping
 * @pool: a multi-host pool whose host the manager has given up
 *
 * Its objects are dead already (mf_obj_mh_dead()), so a fault on them
 * returns SIGBUS; this removes the entries mapped before.  A fault checks
 * that under the object's @map_lock, held for reading while it maps, and
 * this zaps under it held for writing: no entry mapped before the epoch
 * went survives.  Hidden objects that are still mapped are found too
 * (mf_obj_next()).  Pages that MAP_PRIVATE mappings copied stay.
 *
 * Context: process context, no lock held (the pool's member worker, by
 * way of mf_pool_mh_set_revoke()).
 */
void mf_mapping_revoke_pool(struct mf_pool *pool)
{
	unsigned long nr = 0;
	struct mf_obj *obj;

	if (!mf_mapping_inode)
		return;
	while ((obj = mf_obj_next(&nr))) {
		if (obj->ns->pool == pool && atomic_read(&obj->map_count)) {
			down_write(&obj->map_lock);
			mf_mapping_zap(obj, 0, 1ULL << MF_MAP_OFF_SHIFT);
			up_write(&obj->map_lock);
		}
		mf_obj_put_struct(obj);
		cond_resched();
	}
}
