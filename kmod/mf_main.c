// SPDX-License-Identifier: GPL-2.0
/*
 * mf_main.c - memfabric module init/exit, the /dev/memfabric misc device
 * and its ioctl dispatcher.
 *
 * Every ioctl takes one extensible struct that starts with
 * ``__u32 size; __u32 flags;`` (see include/uapi/linux/memfabric.h).  The
 * dispatcher looks the command up in mf_ioctls[], reads the caller's
 * struct into a kernel copy, checks its size and flags, runs the handler
 * on the copy and writes the copy back for _IOC_READ commands.  Adding an
 * ioctl is adding its handler and one MF_IOCTL() row.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mf_internal.h"
#include "mf_netlink.h"
#include "mf_object.h"
#include "mf_pool.h"

static_assert(sizeof(MF_MODULE_VERSION) <= MF_VERSION_LEN);

/* Largest @size a caller may claim; a larger one is -E2BIG. */
#define MF_IOCTL_MAX_USIZE	PAGE_SIZE

/* Room for the kernel copy of the largest ioctl struct. */
#define MF_IOCTL_MAX_KSIZE	512

/**
 * struct mf_ioctl_hdr - the words every ioctl struct starts with
 * @size: the caller's sizeof() the struct
 * @flags: MF_* flags of the ioctl
 */
struct mf_ioctl_hdr {
	u32 size;
	u32 flags;
};

/**
 * struct mf_ioctl_desc - one row of the ioctl table
 * @cmd: the ioctl number; another with the same _IOC_NR() is -ENOTTY
 * @handler: runs the ioctl on the kernel copy of its struct; returns 0
 *	or a negative errno
 * @min_size: size of the first version of the struct, _IOC_SIZE(@cmd)
 * @ksize: size of the struct as this module knows it
 * @valid_flags: the bits allowed in the struct's flags
 */
struct mf_ioctl_desc {
	unsigned int cmd;
	int (*handler)(struct file *file, void *arg);
	u32 min_size;
	u32 ksize;
	u32 valid_flags;
};

/*
 * MF_IOCTL() - the row of mf_ioctls[] for MF_IOC_<name>, whose argument
 * is @type_, at index _IOC_NR(MF_IOC_<name>).  It checks at build time
 * that the command passes a struct to the kernel (_IOC_WRITE) that starts
 * with struct mf_ioctl_hdr, fits MF_IOCTL_MAX_KSIZE and is not smaller
 * than the size encoded in the command.
 */
#define MF_IOCTL(name, handler_, type_, valid_flags_)			\
	[_IOC_NR(MF_IOC_##name)] = {					\
		.cmd = MF_IOC_##name,					\
		.handler = (handler_),					\
		.min_size = _IOC_SIZE(MF_IOC_##name),			\
		.ksize = sizeof(type_) +				\
			BUILD_BUG_ON_ZERO(!(_IOC_DIR(MF_IOC_##name) &	\
					    _IOC_WRITE)) +		\
			BUILD_BUG_ON_ZERO(offsetof(type_, size) !=	\
				offsetof(struct mf_ioctl_hdr, size)) +	\
			BUILD_BUG_ON_ZERO(offsetof(type_, flags) !=	\
				offsetof(struct mf_ioctl_hdr, flags)) +	\
			BUILD_BUG_ON_ZERO(sizeof(type_) > MF_IOCTL_MAX_KSIZE) + \
			BUILD_BUG_ON_ZERO(sizeof(type_) <			\
					  _IOC_SIZE(MF_IOC_##name)),	\
		.valid_flags = (valid_flags_),				\
	}

/**
 * mf_copy_struct_from_user() - read an extensible ioctl struct
 * @dst: kernel buffer of @ksize bytes
 * @ksize: size of the struct as the module knows it
 * @min_size: size of the first version of the struct
 * @valid_flags: the bits allowed in the struct's flags
 * @src: the caller's struct, which starts with struct mf_ioctl_hdr
 * @usize: out: the caller's size, to give mf_copy_struct_to_user()
 *
 * Reads the caller's size, then the struct with copy_struct_from_user():
 * fields the caller does not know are zeroed, bytes the module does not
 * know must be zero.  @dst's size field is set to the size checked here,
 * whatever the caller may have changed meanwhile.
 *
 * Context: process context; may fault in user memory.
 * Return: 0 on success; -EFAULT if @src cannot be read; -EINVAL if the
 * size is below @min_size or the flags have a bit outside @valid_flags;
 * -E2BIG if the size is above MF_IOCTL_MAX_USIZE or a byte beyond @ksize
 * is not zero.
 */
static int mf_copy_struct_from_user(void *dst, u32 ksize, u32 min_size,
				    u32 valid_flags, const void __user *src,
				    u32 *usize)
{
	struct mf_ioctl_hdr *hdr = dst;
	u32 size;
	int ret;

	if (get_user(size, (const u32 __user *)src))
		return -EFAULT;
	if (size < min_size)
		return -EINVAL;
	if (size > MF_IOCTL_MAX_USIZE)
		return -E2BIG;
	ret = copy_struct_from_user(dst, ksize, src, size);
	if (ret)
		return ret;
	hdr->size = size;
	if (hdr->flags & ~valid_flags)
		return -EINVAL;
	*usize = size;
	return 0;
}

/**
 * mf_copy_struct_to_user() - write an extensible ioctl struct back
 * @dst: the caller's struct
 * @usize: the caller's size, from mf_copy_struct_from_user()
 * @src: the kernel copy of the struct
 * @ksize: size of the struct as the module knows it
 *
 * Writes min(@usize, @ksize) bytes: never more than the caller's struct
 * holds, never fields the module does not know.
 *
 * Context: process context; may fault in user memory.
 * Return: 0, or -EFAULT if @dst cannot be written.
 */
static int mf_copy_struct_to_user(void __user *dst, u32 usize,
				  const void *src, u32 ksize)
{
	if (copy_to_user(dst, src, min(usize, ksize)))
		return -EFAULT;
	return 0;
}

/**
 * mf_ioctl_version() - MF_IOC_VERSION: report the ABI version and features
 * @file: the open /dev/memfabric; any open mode will do
 * @arg: the kernel copy of the caller's struct mf_version
 *
 * Context: process context.
 * Return: 0, or -EINVAL if the reserved field is not zero.
 */
static int mf_ioctl_version(struct file *file, void *arg)
{
	struct mf_version *ver = arg;

	if (ver->reserved)
		return -EINVAL;
	ver->abi_major = MF_ABI_MAJOR;
	ver->abi_minor = MF_ABI_MINOR;
	ver->features = MF_FEATURES;
	strscpy_pad(ver->module_version, MF_MODULE_VERSION,
		    sizeof(ver->module_version));
	return 0;
}

/* The ioctls, indexed by _IOC_NR(). */
static const struct mf_ioctl_desc mf_ioctls[] = {
	MF_IOCTL(VERSION, mf_ioctl_version, struct mf_version, 0),
	MF_IOCTL(POOL_ATTACH, mf_ioctl_pool_attach, struct mf_pool_attach,
		 MF_POOL_FORMAT | MF_POOL_MH_MANAGER | MF_POOL_MH_MEMBER),
	MF_IOCTL(POOL_DETACH, mf_ioctl_pool_detach, struct mf_pool_detach, 0),
	MF_IOCTL(POOL_LIST, mf_ioctl_pool_list, struct mf_pool_list, 0),
	MF_IOCTL(POOL_CHECK, mf_ioctl_pool_check, struct mf_pool_check, 0),
	MF_IOCTL(POOL_OPEN, mf_ioctl_pool_open, struct mf_pool_open, 0),
	MF_IOCTL(EXTENT_ALLOC, mf_ioctl_extent_alloc, struct mf_extent_alloc, 0),
	MF_IOCTL(EXTENT_FREE, mf_ioctl_extent_free, struct mf_extent_free, 0),
	MF_IOCTL(EXTENT_LIST, mf_ioctl_extent_list, struct mf_extent_list, 0),
	MF_IOCTL(NS_CREATE, mf_ioctl_ns_create, struct mf_ns_create, 0),
	MF_IOCTL(NS_DESTROY, mf_ioctl_ns_destroy, struct mf_ns_destroy,
		 MF_NS_FORCE),
	MF_IOCTL(NS_LIST, mf_ioctl_ns_list, struct mf_ns_list, 0),
	MF_IOCTL(OBJ_ALLOC, mf_ioctl_obj_alloc, struct mf_obj_alloc, 0),
	MF_IOCTL(OBJ_GET, mf_ioctl_obj_get, struct mf_obj_get, 0),
	MF_IOCTL(OBJ_PUT, mf_ioctl_obj_put, struct mf_obj_put, 0),
	MF_IOCTL(OBJ_FREE, mf_ioctl_obj_free, struct mf_obj_free, 0),
	MF_IOCTL(OBJ_BATCH_FREE, mf_ioctl_obj_batch_free,
		 struct mf_obj_batch_free, 0),
	MF_IOCTL(OBJ_PUBLISH, mf_ioctl_obj_publish, struct mf_obj_free, 0),
	MF_IOCTL(OBJ_EXPAND, mf_ioctl_obj_expand, struct mf_obj_expand, 0),
	MF_IOCTL(OBJ_STAT, mf_ioctl_obj_stat, struct mf_obj_stat, 0),
	MF_IOCTL(OBJ_DERIVE, mf_ioctl_obj_derive, struct mf_obj_derive, 0),
	MF_IOCTL(OBJ_READ, mf_ioctl_obj_read, struct mf_obj_io, 0),
	MF_IOCTL(OBJ_WRITE, mf_ioctl_obj_write, struct mf_obj_io, 0),
	MF_IOCTL(OBJ_COPY, mf_ioctl_obj_copy, struct mf_obj_copy, 0),
	MF_IOCTL(OBJ_GATHER, mf_ioctl_obj_gather, struct mf_obj_gather, 0),
	MF_IOCTL(OBJ_SWAPIN, mf_ioctl_obj_swapin, struct mf_obj_swapin, 0),
	MF_IOCTL(OBJ_COMMIT, mf_ioctl_obj_commit, struct mf_obj_commit,
		 MF_COMMIT_PUBLISH),
	MF_IOCTL(FILE_BIND, mf_ioctl_file_bind, struct mf_file_bind, 0),
};

/**
 * mf_ioctl() - the ioctl entry point of /dev/memfabric
 * @file: the open device
 * @cmd: the ioctl number
 * @arg: user pointer to the ioctl's struct
 *
 * Context: process context; may sleep.
 * Return: what the handler returns; -ENOTTY for a command not in
 * mf_ioctls[] (unknown magic or number, or other direction or size bits);
 * -EFAULT, -EINVAL or -E2BIG if the struct cannot be read or written or
 * has a bad size or flags.
 */
static long mf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	u64 kbuf[MF_IOCTL_MAX_KSIZE / sizeof(u64)];
	const struct mf_ioctl_desc *desc;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize;
	int ret;

	if (nr >= ARRAY_SIZE(mf_ioctls))
		return -ENOTTY;
	desc = &mf_ioctls[array_index_nospec(nr, ARRAY_SIZE(mf_ioctls))];
	if (!desc->handler || desc->cmd != cmd)
		return -ENOTTY;

	ret = mf_copy_struct_from_user(kbuf, desc->ksize, desc->min_size,
				       desc->valid_flags, uarg, &usize);
	if (ret)
		return ret;
	ret = desc->handler(file, kbuf);
	if (ret)
		return ret;
	if (_IOC_DIR(cmd) & _IOC_READ)
		return mf_copy_struct_to_user(uarg, usize, kbuf, desc->ksize);
	return 0;
}

/**
 * mf_open() - open /dev/memfabric
 * @inode: the device's inode
 * @file: the new open file
 *
 * Every open file has a table of the object handles it holds
 * (mf_file.c); MF_IOC_VERSION and the pool ioctls do not use it.  All
 * open files share one address_space, for the mappings (mf_mapping.c).
 *
 * Context: process context.
 * Return: 0 or -ENOMEM.
 */
static int mf_open(struct inode *inode, struct file *file)
{
	int ret;

	ret = mf_obj_file_open(file);
	if (!ret)
		mf_mapping_open_file(file);
	return ret;
}

/**
 * mf_release() - the last descriptor of an open file is closed
 * @inode: the device's inode
 * @file: the open file
 *
 * Drops every object reference the file held (also when its process was
 * killed).
 *
 * Context: process context.
 * Return: 0.
 */
static int mf_release(struct inode *inode, struct file *file)
{
	mf_obj_file_release(file);
	return 0;
}

/* .owner makes every open file hold a reference on the module. */
static const struct file_operations mf_fops = {
	.owner		= THIS_MODULE,
	.open		= mf_open,
	.release	= mf_release,
	.unlocked_ioctl	= mf_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= mf_mmap,
	.get_unmapped_area = mf_get_unmapped_area,
};

static struct miscdevice mf_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= MEMFABRIC_DEVICE_NAME,
	.fops	= &mf_fops,
	.mode	= 0660,
};

static int __init mf_init(void)
{
	int ret;

	ret = mf_sysfs_init();
	if (ret)
		return ret;

	ret = mf_nl_dump_init();
	if (ret)
		goto err_sysfs;

	ret = mf_stats_init(mf_sysfs_kobj());
	if (ret)
		goto err_nl;

	ret = mf_obj_init();
	if (ret)
		goto err_stats;

	ret = mf_pool_init(mf_sysfs_kobj());
	if (ret)
		goto err_obj;

	/* Before any pool: a given-up host revokes its mappings. */
	mf_pool_mh_set_revoke(mf_mapping_revoke_pool);
	ret = mf_pools_attach_param();
	if (ret)
		goto err_pool_dir;

	ret = mf_mapping_init();
	if (ret)
		goto err_pools;

	ret = misc_register(&mf_miscdev);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", mf_miscdev.name, ret);
		goto err_mmap;
	}

	pr_info("version %s loaded\n", MF_MODULE_VERSION);
	return 0;

err_mmap:
	mf_mapping_exit();
err_pools:
	mf_pools_detach_all();
err_pool_dir:
	mf_pool_exit();
err_obj:
	mf_obj_exit();
err_stats:
	mf_stats_exit();
err_nl:
	mf_nl_exit();
err_sysfs:
	mf_sysfs_exit();
	return ret;
}
module_init(mf_init);

static void __exit mf_exit(void)
{
	misc_deregister(&mf_miscdev);
	mf_mapping_exit();
	mf_pools_detach_all();
	mf_pool_exit();
	mf_obj_exit();
	mf_stats_exit();
	mf_nl_exit();
	mf_sysfs_exit();
}
module_exit(mf_exit);

MODULE_DESCRIPTION("memfabric: named objects in CXL/DAX memory pools");
MODULE_LICENSE("GPL");
MODULE_VERSION(MF_MODULE_VERSION);
