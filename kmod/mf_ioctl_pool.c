// SPDX-License-Identifier: GPL-2.0
/*
 * mf_ioctl_pool.c - the pool ioctls and the pools= parameter.
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

#include "mf_object.h"
#include "mf_pool.h"

/* The first published sizes of the list entries (ABI 1.1). */
#define MF_POOL_INFO_SIZE_V1	272
#define MF_EXTENT_INFO_SIZE_V1	24
static_assert(sizeof(struct mf_pool_info) == MF_POOL_INFO_SIZE_V1);
static_assert(sizeof(struct mf_extent_info) == MF_EXTENT_INFO_SIZE_V1);

/* Largest list entry a caller may claim to know. */
#define MF_LIST_MAX_ENTRY_SIZE	PAGE_SIZE

static char *pools;
module_param(pools, charp, 0444);
MODULE_PARM_DESC(pools,
		 "pools to attach at load: NAME:fsdax:PATH[:size=S][:unit=U][:manager[=H]|:member=H][:hosts=N], NAME:node:NID:S[:unit=U], NAME:ram:S[:unit=U], comma-separated");

/* ---- attach and detach: the pool, then the objects in it ------------------ */

/**
 * mf_pool_attach_locked() - attach a pool and set up the objects in it
 * @arg: the kernel copy of the caller's struct mf_pool_attach; the out
 *	fields are set on success
 *
 * The pool layer takes the memory (mf_pool_create_locked()), then the
 * object layer sets up its state of the pool: for a persistent pool it
 * rebuilds the namespaces and objects from their records and frees what
 * a crash left behind (mf_obj_pool_attach()).  Only then is the pool
 * listed, so nobody sees it half made.  A failure unwinds in reverse.
 *
 * Context: process context; mf_pools_lock held.
 * Return: 0, or a negative errno as listed at MF_IOC_POOL_ATTACH.
 */
static int mf_pool_attach_locked(struct mf_pool_attach *arg)
{
	struct mf_pool *pool;
	int ret;

	lockdep_assert_held(&mf_pools_lock);
	ret = mf_pool_create_locked(arg, &pool);
	if (ret)
		return ret;
	ret = mf_obj_pool_attach(pool);
	if (ret)
		goto err_destroy;
	ret = mf_pool_add_locked(pool, arg);
	if (ret)
		goto err_objects;
	return 0;

err_objects:
	mf_obj_pool_detach(pool, true);
err_destroy:
	mf_pool_destroy(pool);
	return ret;
}

/**
 * mf_pool_detach_both_locked() - let go of the objects in a pool, detach it
 * @pool: an attached pool
 *
 * Context: process context; mf_pools_lock held.
 * Return: 0, or -EBUSY if the pool has users, or objects that keep it
 * (mf_obj_pool_detach()): then nothing changed.
 */
static int mf_pool_detach_both_locked(struct mf_pool *pool)
{
	int ret;

	lockdep_assert_held(&mf_pools_lock);
	if (pool->users)
		return -EBUSY;
	/*
	 * The object layer refuses while an object is referenced or, in a
	 * volatile pool, exists; otherwise it drops its state of the pool.
	 */
	ret = mf_obj_pool_detach(pool, false);
	if (ret)
		return ret;
	mf_pool_detach_locked(pool);
	return 0;
}

/**
 * mf_ioctl_pool_attach() - MF_IOC_POOL_ATTACH: attach a pool
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_pool_attach
 *
 * Context: process context; may sleep for long (a big volatile pool is
 * allocated and zeroed here).
 * Return: 0, or a negative errno as listed at MF_IOC_POOL_ATTACH; -EPERM
 * without CAP_SYS_ADMIN.
 */
int mf_ioctl_pool_attach(struct file *file, void *arg)
{
	int ret;

	if (!mf_file_capable(file->private_data, CAP_SYS_ADMIN))
		return -EPERM;
	mutex_lock(&mf_pools_lock);
	ret = mf_pool_attach_locked(arg);
	mutex_unlock(&mf_pools_lock);
	return ret;
}

/**
 * mf_ioctl_pool_detach() - MF_IOC_POOL_DETACH: detach a pool
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_pool_detach
 *
 * Context: process context.
 * Return: 0; -EPERM without CAP_SYS_ADMIN; -EINVAL bad name or reserved
 * field; -ENOENT no such pool; -EBUSY the pool has users.
 */
int mf_ioctl_pool_detach(struct file *file, void *arg)
{
	struct mf_pool_detach *det = arg;
	struct mf_pool *pool;
	int ret;

	if (!mf_file_capable(file->private_data, CAP_SYS_ADMIN))
		return -EPERM;
	if (det->reserved || !mf_pool_name_valid(det->name))
		return -EINVAL;
	mutex_lock(&mf_pools_lock);
	pool = mf_pool_find_locked(det->name);
	ret = pool ? mf_pool_detach_both_locked(pool) : -ENOENT;
	mutex_unlock(&mf_pools_lock);
	return ret;
}

/* ---- listing ------------------------------------------------------------- */

/*
 * Copy @n entries of @ksize bytes from @src to the caller's array of
 * entries of @usize bytes, zeroing what the caller knows beyond @ksize.
 */
static int mf_copy_entries_to_user(u64 uptr, u32 usize, const void *src,
				   size_t ksize, size_t n)
{
	char __user *dst = u64_to_user_ptr(uptr);
	size_t i;

	for (i = 0; i < n; i++, dst += usize) {
		if (copy_to_user(dst, src + i * ksize, min_t(size_t, usize, ksize)))
			return -EFAULT;
		if (usize > ksize && clear_user(dst + ksize, usize - ksize))
			return -EFAULT;
	}
	return 0;
}

static void mf_pool_fill_info(struct mf_pool *pool, struct mf_pool_info *info)
{
	struct mf_ext_stat st;

	lockdep_assert_held(&mf_pools_lock);
	mf_pool_assert_locked(pool);

	mf_ext_stat(pool->ext, &st);
	memset(info, 0, sizeof(*info));
	strscpy(info->name, pool->name, sizeof(info->name));
	strscpy(info->device, pool->device, sizeof(info->device));
	info->backend = pool->backend;
	info->flags = pool->ops->persistent ? MF_POOL_INFO_PERSISTENT : 0;
	info->node = pool->nid == NUMA_NO_NODE ? 0 : pool->nid;
	info->unit_shift = pool->unit_shift;
	info->bytes = pool->bytes;
	info->capacity = pool->capacity;
	info->used = st.used;
	info->free = st.free;
	info->largest_free = st.largest_free;
	info->nr_extents = st.nr_used;
	info->nr_free_extents = st.nr_free;
	info->meta_bytes = st.meta_bytes;
	info->unit = st.unit;
	info->frag_permille = st.frag_permille;
	info->users = pool->users;
	export_uuid(info->uuid, &pool->uuid);
}

/**
 * mf_ioctl_pool_list() - MF_IOC_POOL_LIST: describe the attached pools
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_pool_list
 *
 * Context: process context.
 * Return: 0; -EINVAL bad entry_size or reserved field; -EFAULT the array
 * cannot be written; -ENOMEM.
 */
int mf_ioctl_pool_list(struct file *file, void *arg)
{
	struct mf_pool_list *list = arg;
	struct mf_pool_info *infos = NULL;
	struct mf_pool *pool;
	u32 total = 0, n = 0;
	int ret;

	if (list->reserved || list->entry_size < MF_POOL_INFO_SIZE_V1 ||
	    list->entry_size > MF_LIST_MAX_ENTRY_SIZE)
		return -EINVAL;

	mutex_lock(&mf_pools_lock);
	list_for_each_entry(pool, &mf_pools, node)
		total++;
	if (list->count && total) {
		infos = kvcalloc(min(list->count, total), sizeof(*infos),
				 GFP_KERNEL);
		if (!infos) {
			mutex_unlock(&mf_pools_lock);
			return -ENOMEM;
		}
		list_for_each_entry(pool, &mf_pools, node) {
			if (n == list->count)
				break;
			mutex_lock(&pool->lock);
			mf_pool_fill_info(pool, &infos[n++]);
			mutex_unlock(&pool->lock);
		}
	}
	mutex_unlock(&mf_pools_lock);

	ret = mf_copy_entries_to_user(list->pools, list->entry_size, infos,
				      sizeof(*infos), n);
	kvfree(infos);
	if (ret)
		return ret;
	list->count = total;
	return 0;
}

/* The least time between two walks of an unprivileged caller's check. */
#define MF_CHECK_MIN_GAP	(HZ / 10)

/*
 * Walk @pool's metadata for MF_IOC_POOL_CHECK into @chk, and keep the
 * findings in @pool->chk with the time the next unprivileged walk may
 * start: ten times as long as this one took from now.  Pool lock held.
 */
static int mf_pool_check_walk(struct mf_pool *pool, struct mf_pool_check *chk)
{
	struct mf_ext_check ec = {};
	unsigned long start = jiffies;
	int ret;

	mf_pool_assert_locked(pool);
	if (pool->ops->check) {
		ret = pool->ops->check(pool, chk);
		if (ret)
			return ret;
	}
	ret = mf_ext_check(pool->ext, &ec);
	if (ret && ret != -EUCLEAN)
		return ret;
	if (ec.errors && !chk->errors) {
		chk->first_error = ec.first_error;
		strscpy_pad(chk->what, ec.what, sizeof(chk->what));
	}
	chk->errors += ec.errors;
	mf_pool_mh_check(pool, chk);
	pool->chk.valid = true;
	pool->chk.errors = chk->errors;
	pool->chk.first_error = chk->first_error;
	memcpy(pool->chk.what, chk->what, sizeof(pool->chk.what));
	pool->chk.next = jiffies + max(10 * (jiffies - start),
				       (unsigned long)MF_CHECK_MIN_GAP);
	return 0;
}

/**
 * mf_ioctl_pool_check() - MF_IOC_POOL_CHECK: check a pool's metadata
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_pool_check
 *
 * Checks the backend's metadata (an fsdax pool's superblock), then
 * the allocator's (mf_ext_check()), then a multi-host pool's protocol
 * state (mf_pool_mh_check(): the manager's on the manager's host, this
 * host's view on a member); reports the number of findings and the
 * first one.  The walk holds the pool's lock and is linear in the
 * pool's units, so a caller without CAP_SYS_ADMIN gets the last walk's
 * findings while they are fresh (see mf_pool_check_walk()); an
 * administrator always walks.
 *
 * Context: process context; holds the pool's lock for the whole walk.
 * Return: 0 (findings are not an error); -EINVAL bad name, output field
 * or reserved field; -ENOENT no such pool.
 */
int mf_ioctl_pool_check(struct file *file, void *arg)
{
	struct mf_pool_check *chk = arg;
	struct mf_pool *pool;
	int ret;

	if (chk->reserved || chk->errors || chk->first_error ||
	    memchr_inv(chk->what, 0, sizeof(chk->what)))
		return -EINVAL;
	pool = mf_pool_get(chk->name);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	ret = mf_pool_lock_live(pool);
	if (ret)
		goto out_put;
	if (pool->chk.valid && time_before(jiffies, pool->chk.next) &&
	    !mf_file_capable(file->private_data, CAP_SYS_ADMIN)) {
		chk->errors = pool->chk.errors;
		chk->first_error = pool->chk.first_error;
		memcpy(chk->what, pool->chk.what, sizeof(chk->what));
	} else {
		ret = mf_pool_check_walk(pool, chk);
	}
	mutex_unlock(&pool->lock);
out_put:
	mf_pool_put(pool);
	return ret;
}

/* ---- pool handles -------------------------------------------------------- */

static int mf_pool_handle_release(struct inode *inode, struct file *file)
{
	struct mf_pool *pool = file->private_data;

	if (!pool)
		return 0;
	mutex_lock(&mf_pools_lock);
	WRITE_ONCE(pool->users, pool->users - 1);
	mutex_unlock(&mf_pools_lock);
	mf_pool_put(pool);
	return 0;
}

/* .owner: an open pool handle pins the module, so exit sees no users. */
static const struct file_operations mf_pool_handle_fops = {
	.owner		= THIS_MODULE,
	.release	= mf_pool_handle_release,
	.llseek		= noop_llseek,
};

/**
 * mf_ioctl_pool_open() - MF_IOC_POOL_OPEN: open a handle on a pool
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_pool_open
 *
 * The handle is a pool user until it is closed: the pool cannot be
 * detached meanwhile.
 *
 * Context: process context.
 * Return: 0 with the new descriptor in ->fd; -EINVAL bad name, fd or
 * reserved field; -ENOENT no such pool; -EMFILE/-ENFILE/-ENOMEM.
 */
int mf_ioctl_pool_open(struct file *file, void *arg)
{
	struct mf_pool_open *op = arg;
	struct mf_pool *pool;
	struct file *handle;
	int fd, ret;

	if (op->reserved || op->fd)
		return -EINVAL;
	pool = mf_pool_get(op->name);
	if (IS_ERR(pool))
		return PTR_ERR(pool);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put;
	}
	handle = anon_inode_getfile("[memfabric-pool]", &mf_pool_handle_fops,
				    pool, O_RDWR | O_CLOEXEC);
	if (IS_ERR(handle)) {
		ret = PTR_ERR(handle);
		goto err_fd;
	}

	mutex_lock(&mf_pools_lock);
	if (list_empty(&pool->node)) {
		/* Detached since mf_pool_get(). */
		mutex_unlock(&mf_pools_lock);
		ret = -ENOENT;
		goto err_file;
	}
	WRITE_ONCE(pool->users, pool->users + 1);
	mutex_unlock(&mf_pools_lock);

	/* The handle owns the reference from here on. */
	op->fd = fd;
	fd_install(fd, handle);
	return 0;

err_file:
	/* Its release must not drop a user it never took. */
	handle->private_data = NULL;
	fput(handle);
err_fd:
	put_unused_fd(fd);
err_put:
	mf_pool_put(pool);
	return ret;
}

/* ---- raw extents ----------------------------------------------------------- */

/**
 * mf_ioctl_extent_alloc() - MF_IOC_EXTENT_ALLOC: allocate a raw extent
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_extent_alloc
 *
 * Context: process context.
 * Return: 0 with the extent's offset in ->offset; -EPERM without
 * CAP_SYS_ADMIN; -EINVAL bad name, length, output or reserved field;
 * -ENOENT no such pool; -ENOSPC no free extent is large enough.
 */
int mf_ioctl_extent_alloc(struct file *file, void *arg)
{
	struct mf_extent_alloc *ea = arg;
	struct mf_pool *pool;
	u64 off;
	int ret;

	if (!mf_file_capable(file->private_data, CAP_SYS_ADMIN))
		return -EPERM;
	if (ea->reserved || ea->offset)
		return -EINVAL;
	pool = mf_pool_get(ea->pool);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	if (!ea->len || ea->len > pool->capacity) {
		ret = -EINVAL;
		goto out_put;
	}
	ret = mf_pool_lock_live(pool);
	if (ret)
		goto out_put;
	ret = mf_ext_alloc(pool->ext, ea->len, ea->tag, &off);
	mf_pool_space(pool);
	mutex_unlock(&pool->lock);
	if (!ret)
		ea->offset = off;
out_put:
	mf_pool_put(pool);
	return ret;
}

/**
 * mf_ioctl_extent_free() - MF_IOC_EXTENT_FREE: free a raw extent
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_extent_free
 *
 * Context: process context.
 * Return: 0 with the freed extent's length and tag in ->len and ->tag;
 * -EPERM without CAP_SYS_ADMIN; -EINVAL bad name, output or reserved
 * field; -ENOENT no such pool, or ->offset is not that of an allocated
 * extent; -EBUSY the extent belongs to an object or a record;
 * -EUCLEAN corrupt metadata.
 */
int mf_ioctl_extent_free(struct file *file, void *arg)
{
	struct mf_extent_free *ef = arg;
	struct mf_pool *pool;
	u64 len, tag;
	int ret;

	if (!mf_file_capable(file->private_data, CAP_SYS_ADMIN))
		return -EPERM;
	if (ef->reserved || ef->len || ef->tag)
		return -EINVAL;
	pool = mf_pool_get(ef->pool);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	ret = mf_pool_lock_live(pool);
	if (ret)
		goto out_put;
	ret = mf_ext_lookup(pool->ext, ef->offset, &len, &tag);
	/* Object data and records go with their objects, never from here. */
	if (!ret && (tag & MF_TAG_OWN_MASK) == MF_TAG_OWN)
		ret = -EBUSY;
	if (!ret)
		ret = mf_ext_free(pool->ext, ef->offset);
	mf_pool_space(pool);
	mutex_unlock(&pool->lock);
	if (!ret) {
		ef->len = len;
		ef->tag = tag;
	}
out_put:
	mf_pool_put(pool);
	return ret;
}

/* State of an MF_IOC_EXTENT_LIST walk over the used extents. */
struct mf_extent_walk {
	struct mf_extent_info *infos;
	u64 room;
	u64 total;
};

static int mf_extent_walk_one(void *ctx, u64 off, u64 len, u64 tag)
{
	struct mf_extent_walk *walk = ctx;

	if (walk->total < walk->room) {
		walk->infos[walk->total].offset = off;
		walk->infos[walk->total].len = len;
		walk->infos[walk->total].tag = tag;
	}
	walk->total++;
	return 0;
}

/**
 * mf_ioctl_extent_list() - MF_IOC_EXTENT_LIST: list a pool's extents
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_extent_list
 *
 * Context: process context; the walk holds the pool's lock, the copy to
 * the caller does not.
 * Return: 0; -EPERM without CAP_SYS_ADMIN; -EINVAL bad name, entry_size
 * or reserved field; -ENOENT no such pool; -EFAULT; -ENOMEM.
 */
int mf_ioctl_extent_list(struct file *file, void *arg)
{
	struct mf_extent_list *el = arg;
	struct mf_extent_walk walk = {};
	struct mf_ext_stat st;
	struct mf_pool *pool;
	int ret;

	if (!mf_file_capable(file->private_data, CAP_SYS_ADMIN))
		return -EPERM;
	if (el->reserved || el->entry_size < MF_EXTENT_INFO_SIZE_V1 ||
	    el->entry_size > MF_LIST_MAX_ENTRY_SIZE)
		return -EINVAL;
	pool = mf_pool_get(el->pool);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	ret = mf_pool_lock_live(pool);
	if (ret)
		goto out_put;
	mf_ext_stat(pool->ext, &st);
	walk.room = min_t(u64, el->count, st.nr_used);
	if (walk.room) {
		walk.infos = kvcalloc(walk.room, sizeof(*walk.infos),
				      GFP_KERNEL);
		if (!walk.infos) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	ret = mf_ext_for_each_used(pool->ext, mf_extent_walk_one, &walk);
out_unlock:
	mutex_unlock(&pool->lock);
	if (!ret)
		ret = mf_copy_entries_to_user(el->extents, el->entry_size,
					      walk.infos, sizeof(*walk.infos),
					      min(walk.room, walk.total));
	if (!ret)
		el->count = min_t(u64, walk.total, U32_MAX);
	kvfree(walk.infos);
out_put:
	mf_pool_put(pool);
	return ret;
}

/* ---- the pools= module parameter ----------------------------------------- */

/* Parse a size with an optional K/M/G/T suffix; the whole string. */
static int mf_parse_size(const char *s, u64 *out)
{
	char *end;

	if (!*s || !isdigit(*s))
		return -EINVAL;
	*out = memparse(s, &end);
	return *end ? -EINVAL : 0;
}

/*
 * A multi-host option of an fsdax pool in pools=: "manager" (host 0),
 * "manager=H", "member=H" or "hosts=N"; true if @field was one, well
 * formed, and set into @arg.  The module's attach checks the rest.
 */
static bool mf_parse_role(const char *field, struct mf_pool_attach *arg)
{
	u32 flag = 0, v = 0;
	const char *num = NULL;

	if (!strcmp(field, "manager")) {
		flag = MF_POOL_MH_MANAGER;
	} else if (str_has_prefix(field, "manager=")) {
		flag = MF_POOL_MH_MANAGER;
		num = field + 8;
	} else if (str_has_prefix(field, "member=")) {
		flag = MF_POOL_MH_MEMBER;
		num = field + 7;
	} else if (str_has_prefix(field, "hosts=")) {
		if (kstrtou32(field + 6, 10, &v) || !v)
			return false;
		arg->nr_hosts = v;
		return true;
	} else {
		return false;
	}
	if (num && kstrtou32(num, 10, &v))
		return false;
	if (arg->flags & (MF_POOL_MH_MANAGER | MF_POOL_MH_MEMBER))
		return false;
	arg->flags |= flag;
	arg->host = v;
	return true;
}

/**
 * mf_parse_pool_spec() - parse one pool of the pools= parameter
 * @spec: NAME:BACKEND:ARGS[:OPTION...], modified in place
 * @arg: filled in for mf_pool_attach_locked()
 *
 * NAME:fsdax:PATH, NAME:node:NID:SIZE or NAME:ram:SIZE, each followed by
 * options unit=SIZE (a power of two) and, for fsdax, size=SIZE and the
 * multi-host role: manager[=H], member=H, hosts=N.
 *
 * Return: 0, or -EINVAL after saying what is wrong.
 */
static int mf_parse_pool_spec(char *spec, struct mf_pool_attach *arg)
{
	char *name, *backend, *field;
	u64 val;

	memset(arg, 0, sizeof(*arg));
	arg->size = sizeof(*arg);
	name = strsep(&spec, ":");
	backend = strsep(&spec, ":");
	if (!backend || strlen(name) >= MF_POOL_NAME_LEN) {
		pr_err("pools=: '%s': want NAME:BACKEND:...\n", name);
		return -EINVAL;
	}
	strscpy(arg->name, name, sizeof(arg->name));
	if (!mf_pool_name_valid(arg->name)) {
		pr_err("pools=: bad pool name '%s'\n", name);
		return -EINVAL;
	}

	if (!strcmp(backend, "fsdax")) {
		arg->backend = MF_POOL_BACKEND_FSDAX;
		field = strsep(&spec, ":");
		if (!field || !*field || strlen(field) >= MF_POOL_PATH_LEN) {
			pr_err("pools=: %s: want NAME:fsdax:PATH\n", name);
			return -EINVAL;
		}
		strscpy(arg->path, field, sizeof(arg->path));
	} else if (!strcmp(backend, "node")) {
		arg->backend = MF_POOL_BACKEND_NODE;
		field = strsep(&spec, ":");
		if (!field || kstrtou32(field, 10, &arg->node)) {
			pr_err("pools=: %s: want NAME:node:NID:SIZE\n", name);
			return -EINVAL;
		}
	} else if (!strcmp(backend, "ram")) {
		arg->backend = MF_POOL_BACKEND_RAM;
	} else {
		pr_err("pools=: %s: unknown backend '%s' (fsdax, node or ram)\n",
		       name, backend);
		return -EINVAL;
	}
	if (arg->backend != MF_POOL_BACKEND_FSDAX) {
		field = strsep(&spec, ":");
		if (!field || mf_parse_size(field, &arg->bytes) || !arg->bytes) {
			pr_err("pools=: %s: want a size, e.g. NAME:%s:%s256M\n",
			       name, backend,
			       arg->backend == MF_POOL_BACKEND_NODE ? "NID:" : "");
			return -EINVAL;
		}
	}

	while ((field = strsep(&spec, ":"))) {
		if (str_has_prefix(field, "unit=") &&
		    !mf_parse_size(field + 5, &val) && is_power_of_2(val) &&
		    val < (1ULL << 32)) {
			arg->unit_shift = ilog2(val);
		} else if (arg->backend == MF_POOL_BACKEND_FSDAX &&
			   mf_parse_role(field, arg)) {
			continue;
		} else if (str_has_prefix(field, "size=") &&
			   arg->backend == MF_POOL_BACKEND_FSDAX &&
			   !mf_parse_size(field + 5, &val) && val) {
			arg->bytes = val;
		} else {
			pr_err("pools=: %s: bad option '%s' (unit=SIZE%s)\n",
			       name, field,
			       arg->backend == MF_POOL_BACKEND_FSDAX ?
			       ", size=SIZE, manager[=H], member=H, hosts=N" :
			       "");
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * mf_pools_attach_param() - attach the pools of the pools= parameter
 *
 * The whole parameter is parsed first: a syntax error fails the module
 * load, and no pool is attached.  A pool that then cannot be attached
 * (missing device, no memory, ...) is reported and skipped: the module
 * loads with the others.
 *
 * Context: module init.
 * Return: 0, -EINVAL for a syntax error, or -ENOMEM.
 */
int mf_pools_attach_param(void)
{
	struct mf_pool_attach *args;
	char *copy, *rest, *spec;
	int n = 1, i = 0, ret = 0;
	const char *c;

	if (!pools || !*pools)
		return 0;
	for (c = pools; *c; c++)
		n += *c == ',';
	copy = kstrdup(pools, GFP_KERNEL);
	args = kcalloc(n, sizeof(*args), GFP_KERNEL);
	if (!copy || !args) {
		ret = -ENOMEM;
		goto out;
	}
	rest = copy;
	while ((spec = strsep(&rest, ","))) {
		if (!*spec) {
			pr_err("pools=: empty pool specification in '%s'\n",
			       pools);
			ret = -EINVAL;
			goto out;
		}
		ret = mf_parse_pool_spec(spec, &args[i++]);
		if (ret)
			goto out;
	}

	mutex_lock(&mf_pools_lock);
	for (i = 0; i < n; i++) {
		ret = mf_pool_attach_locked(&args[i]);
		if (ret)
			pr_err("pools=: cannot attach pool %s: error %d\n",
			       args[i].name, ret);
	}
	mutex_unlock(&mf_pools_lock);
	ret = 0;
out:
	kfree(args);
	kfree(copy);
	return ret;
}

/**
 * mf_pools_detach_all() - detach every pool, at module exit
 *
 * No pool has users: each would be an open file holding a module
 * reference.
 *
 * Context: module exit, or init unwinding.
 */
void mf_pools_detach_all(void)
{
	struct mf_pool *pool, *next;

	mutex_lock(&mf_pools_lock);
	list_for_each_entry_safe_reverse(pool, next, &mf_pools, node) {
		if (pool->users) {
			pr_err("pool %s still has %u users at exit\n",
			       pool->name, pool->users);
			pool->users = 0;
		}
		/* Volatile objects go with their pool at unload. */
		mf_obj_pool_detach(pool, true);
		mf_pool_detach_locked(pool);
	}
	mutex_unlock(&mf_pools_lock);
}
