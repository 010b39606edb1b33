// SPDX-License-Identifier: GPL-2.0
/*
 * mf_data.c - the object data path: MF_IOC_OBJ_READ, _WRITE, _COPY and
 * _SWAPIN (mf_gather.c has _GATHER, mf_chunk.c the chunk primitives both
 * use).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <asm/fpu/api.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/libnvdimm.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "mf_chunk.h"
#include "mf_object.h"

/* The published sizes of the data path's structs (ABI 1.2). */
static_assert(sizeof(struct mf_obj_io) == 48);
static_assert(sizeof(struct mf_obj_copy) == 72);
static_assert(sizeof(struct mf_gather_elem) == 24);
static_assert(sizeof(struct mf_obj_gather) == 64);
static_assert(sizeof(struct mf_obj_swapin) == 64);

/* Bytes read or written per hold of the namespace's lock. */
#define MF_XFER_CHUNK		SZ_1M
/* Transfers of at most this many bytes go through a buffer on the stack. */
#define MF_SMALL_IO		256

/* Retries of a chunk whose user memory is present but will not copy. */
#define MF_XFER_STALLS		3

/* ---- read, write, copy ------------------------------------------------------------- */

/*
 * Move up to @len bytes between the object whose pieces are @ext, at
 * @off, and the user memory of @iter (@write: from it into the object),
 * straight between the pool's kernel mapping and user memory, with page
 * faults disabled by the caller.  Reads use the machine-check-safe copy,
 * so that poisoned memory (pmem, CXL) ends the copy instead of the
 * kernel.  Returns the bytes moved: fewer when user memory is not present
 * (or a read met a media error).  The caller keeps @ext and its pieces
 * alive (the namespace's lock, or the lock-free path's rules).
 */
static u64 mf_pieces_iter(struct mf_pool *pool, const struct mf_pieces *ext,
			  u64 off, struct iov_iter *iter, u64 len, bool write)
{
	bool pmem = pool->ops->persistent;
	const struct mf_piece *e;
	u64 moved = 0, n, got, poff;
	void *k;
	int i;

	while (moved < len) {
		i = mf_pieces_find(ext, off);
		if (i < 0)
			break;
		e = &ext->e[i];
		poff = e->off + (off - e->pos);
		n = mf_pool_span(poff, min(len - moved, e->len - (off - e->pos)));
		k = mf_pool_kaddr(pool, poff);
		if (write)
			got = pmem ? _copy_from_iter_flushcache(k, n, iter) :
				     _copy_from_iter(k, n, iter);
		else
			got = _copy_mc_to_iter(k, n, iter);
		moved += got;
		off += got;
		if (got < n)
			break;
	}
	if (write && pmem)
		pmem_wmb();
	return moved;
}

/* mf_pieces_iter() on @obj's current pieces, its namespace's lock held. */
static u64 mf_obj_iter_locked(struct mf_obj *obj, u64 off,
			      struct iov_iter *iter, u64 len, bool write)
{
	lockdep_assert_held(&obj->ns->lock);
	return mf_pieces_iter(obj->ns->pool, mf_obj_pieces(obj), off, iter,
			      len, write);
}

/*
 * Read (@write: write) @len bytes of @obj at @off from (into) the user
 * buffer @ubuf, in chunks of MF_XFER_CHUNK.  A chunk is moved under the
 * namespace's lock with page faults disabled, so that the pieces cannot
 * change under it; a page of @ubuf that is not present (it may even be a
 * mapping of @obj) is faulted in after the lock is dropped, and the chunk
 * goes on.  The caller checked access and the range.
 */
static int mf_obj_user_xfer(struct mf_obj *obj, u64 off, void __user *ubuf,
			    u64 len, bool write, const struct mf_file *mff)
{
	struct iov_iter iter;
	struct iovec iov;
	u64 done = 0, n, moved, left;
	int ret = 0, stalls = 0;

	while (done < len) {
		n = min_t(u64, len - done, MF_XFER_CHUNK);
		ret = mf_import_ubuf(write ? WRITE : READ, ubuf + done, n,
				     &iov, &iter);
		if (ret)
			break;
		moved = 0;
		mutex_lock(&obj->ns->lock);
		if (write) {
			ret = mf_obj_check_access(obj, MF_ACCESS_WRITE, mff);
			if (!ret)
				ret = mf_obj_cow_range_locked(obj, off + done, n);
		}
		if (!ret) {
			pagefault_disable();
			moved = mf_obj_iter_locked(obj, off + done, &iter, n,
						   write);
			pagefault_enable();
		}
		mutex_unlock(&obj->ns->lock);
		if (ret)
			break;
		done += moved;
		if (moved < n) {
			left = n - moved;
			if (write ? fault_in_readable(ubuf + done, left) == left :
			    fault_in_safe_writeable(ubuf + done, left) == left) {
				ret = -EFAULT;
				break;
			}
			/* Present, and still short: a media error. */
			if (!moved && ++stalls > MF_XFER_STALLS) {
				ret = write ? -EFAULT : -EIO;
				break;
			}
		} else {
			stalls = 0;
		}
		if (done < len) {
			ret = mf_xfer_interrupted();
			if (ret)
				break;
		}
	}
	return ret;
}

/*
 * Whether the object a handle names is the one the caller means: @serial
 * 0 means any; otherwise a map offset that was put and handed out again
 * for a new object fails as if the handle were gone.
 */
static bool mf_obj_is(const struct mf_obj *obj, u64 serial)
{
	return !serial || obj->serial == serial;
}

/* ---- the lock-free path for short transfers through held handles -------------- */

/*
 * The object @file holds a handle on at @map_offset, or NULL.  Under
 * rcu_read_lock(), without the file's lock: the handle and the object
 * struct stay valid until rcu_read_unlock() (both are freed with
 * kfree_rcu()); mf_obj_io_enter() keeps the object's pieces and pool.
 */
static struct mf_obj *mf_obj_handle_rcu(struct file *file, u64 map_offset)
{
	struct mf_file *mff = file->private_data;
	u64 nr = map_offset >> MF_MAP_OFF_SHIFT;
	struct mf_handle *h;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "handle lookup without RCU");
	if (map_offset & ((1ULL << MF_MAP_OFF_SHIFT) - 1) || !nr ||
	    nr > MF_MAP_NR_MAX)
		return NULL;
	h = xa_load(&mff->handles, nr);
	return h ? h->obj : NULL;
}

/*
 * Whether a call through @mff may read (@write: write) @obj, decided
 * without a capability (capable() may audit and sleep: an administrator
 * acting on another's object takes the locked path): a published object
 * may be read, a private one read and written by its owner.  Called after
 * mf_obj_io_enter(), so that publish's change of @type is seen or waited
 * for.
 */
static bool mf_obj_fast_access(const struct mf_obj *obj, bool write,
			       const struct mf_file *mff)
{
	/* Of a dead epoch: the locked path says -ESTALE. */
	if (mf_obj_mh_dead(obj))
		return false;
	if (READ_ONCE(obj->type) == MF_OBJ_SHARED_RO)
		return !write;
	return uid_eq(obj->owner, mf_file_fsuid(mff));
}

/*
 * Whether [@off, @off + @len) lies within @obj.  Expand stores the size
 * after the pieces that cover it: the pieces read after this cover it.
 */
static bool mf_obj_fast_range(struct mf_obj *obj, u64 off, u64 len)
{
	u64 end;

	if (check_add_overflow(off, len, &end))
		return false;
	/* Pairs with expand's smp_store_release(): the pieces cover it. */
	return end <= smp_load_acquire(&obj->size);
}

/*
 * Copy @len bytes from the object whose pieces are @sx (in @spool) at
 * @soff to the one whose pieces are @dx (in @dpool) at @doff, straight
 * from pool memory to pool memory: a machine-check-safe read, and in a
 * persistent pool a write-back and a fence.  Returns 0, or -EAGAIN (a
 * range beyond the arrays, or a media error: the locked path reports it).
 */
static int mf_pieces_copy(struct mf_pool *dpool, const struct mf_pieces *dx,
			  u64 doff, struct mf_pool *spool,
			  const struct mf_pieces *sx, u64 soff, u64 len)
{
	bool pmem = dpool->ops->persistent;
	const struct mf_piece *d, *s;
	u64 dp, sp, n;
	void *k;
	int i, j;

	while (len) {
		i = mf_pieces_find(dx, doff);
		j = mf_pieces_find(sx, soff);
		if (i < 0 || j < 0)
			return -EAGAIN;
		d = &dx->e[i];
		s = &sx->e[j];
		dp = d->off + (doff - d->pos);
		sp = s->off + (soff - s->pos);
		n = min3(len, d->len - (doff - d->pos), s->len - (soff - s->pos));
		n = mf_pool_span(dp, mf_pool_span(sp, n));
		k = mf_pool_kaddr(dpool, dp);
		if (copy_mc_to_kernel(k, mf_pool_kaddr(spool, sp), n))
			return -EAGAIN;
		if (pmem)
			arch_wb_cache_pmem(k, n);
		doff += n;
		soff += n;
		len -= n;
	}
	if (pmem)
		pmem_wmb();
	return 0;
}

/*
 * A short READ or WRITE with no mutex (mf_object.h, "Short READ, WRITE
 * and COPY through a held handle"): the handle is looked up under RCU,
 * the object pinned in its lock-free count, and the bytes copied once,
 * between pool memory and the user buffer, with page faults disabled.
 * Returns 0 when done, or -EAGAIN: the locked path (mf_obj_small_io())
 * must do the call, and finds its error, copies on write, or faults the
 * user buffer in.  Nothing is refused here that the locked path would
 * allow, nor allowed that it would refuse.
 */
static int mf_obj_fast_io(struct file *file, const struct mf_obj_io *io,
			  bool write)
{
	const s64 delta = write ? MF_IO_WRITER : MF_IO_READER;
	struct iov_iter iter;
	struct iovec iov;
	struct mf_obj *obj;
	int ret = -EAGAIN;
	u64 moved;

	if (mf_import_ubuf(write ? WRITE : READ, u64_to_user_ptr(io->buf),
			   io->length, &iov, &iter))
		return -EAGAIN;
	rcu_read_lock();
	obj = mf_obj_handle_rcu(file, io->obj);
	if (!obj || !mf_obj_is(obj, io->serial) ||
	    !mf_obj_io_enter(obj, delta))
		goto out_unlock;
	if (!mf_obj_fast_access(obj, write, file->private_data) ||
	    (write && !READ_ONCE(obj->solo)) ||
	    !mf_obj_fast_range(obj, io->offset, io->length))
		goto out_exit;
	pagefault_disable();
	moved = mf_pieces_iter(obj->ns->pool, rcu_dereference(obj->pieces),
			       io->offset, &iter, io->length, write);
	pagefault_enable();
	if (moved == io->length)
		ret = 0;
out_exit:
	mf_obj_io_exit(obj, delta);
out_unlock:
	rcu_read_unlock();
	return ret;
}

/*
 * A short COPY with no mutex, as mf_obj_fast_io(): the source is counted
 * as a reader, the destination as a writer, and the bytes go straight
 * from pool memory to pool memory.  Returns 0 or -EAGAIN (then
 * mf_obj_small_copy() does the call).
 */
static int mf_obj_fast_copy(struct file *file, const struct mf_obj_copy *oc)
{
	const struct mf_file *mff = file->private_data;
	struct mf_obj *src, *dst;
	int ret = -EAGAIN;

	rcu_read_lock();
	src = mf_obj_handle_rcu(file, oc->src);
	dst = mf_obj_handle_rcu(file, oc->dst);
	if (!src || !dst || !mf_obj_is(src, oc->src_serial) ||
	    !mf_obj_is(dst, oc->dst_serial) ||
	    !mf_obj_io_enter(src, MF_IO_READER))
		goto out_unlock;
	if (!mf_obj_io_enter(dst, MF_IO_WRITER))
		goto out_src;
	if (mf_obj_fast_access(src, false, mff) &&
	    mf_obj_fast_access(dst, true, mff) && READ_ONCE(dst->solo) &&
	    mf_obj_fast_range(src, oc->src_offset, oc->length) &&
	    mf_obj_fast_range(dst, oc->dst_offset, oc->length) &&
	    !(src == dst && mf_ranges_overlap(oc->src_offset, oc->length,
					      oc->dst_offset, oc->length)))
		ret = mf_pieces_copy(dst->ns->pool,
				     rcu_dereference(dst->pieces),
				     oc->dst_offset, src->ns->pool,
				     rcu_dereference(src->pieces),
				     oc->src_offset, oc->length);
	mf_obj_io_exit(dst, MF_IO_WRITER);
out_src:
	mf_obj_io_exit(src, MF_IO_READER);
out_unlock:
	rcu_read_unlock();
	return ret;
}

/*
 * A short READ or WRITE (at most MF_SMALL_IO bytes): the bytes go through
 * a buffer on the stack, user memory is touched with no lock held, and the
 * object is reached under the handle's reference (mf_obj_handle_lock())
 * instead of one of its own.  Same checks and errors as the long path.
 */
static int mf_obj_small_io(struct file *file, struct mf_obj_io *io,
			   bool write)
{
	void __user *ubuf = u64_to_user_ptr(io->buf);
	u8 buf[MF_SMALL_IO];
	struct mf_obj *obj;
	int ret, fault = 0;

	if (write && copy_from_user(buf, ubuf, io->length))
		fault = -EFAULT;
	obj = mf_obj_handle_lock(file, io->obj);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (!mf_obj_is(obj, io->serial)) {
		mf_obj_handle_unlock(file);
		return -ENOENT;
	}
	mutex_lock(&obj->ns->lock);
	ret = mf_obj_check_access(obj, write ? MF_ACCESS_WRITE :
					       MF_ACCESS_READ,
				  file->private_data);
	if (!ret)
		ret = mf_obj_check_range(obj, io->offset, io->length);
	if (!ret)
		ret = fault;
	if (!ret && write)
		ret = mf_obj_cow_range_locked(obj, io->offset, io->length);
	if (!ret)
		ret = mf_obj_xfer_locked(obj, io->offset, buf, io->length,
					 write);
	/* Copied on write: the next short write may not need the lock. */
	if (!ret && write && !obj->solo)
		mf_obj_solo_update_locked(obj);
	mutex_unlock(&obj->ns->lock);
	mf_obj_handle_unlock(file);
	if (!ret && !write && copy_to_user(ubuf, buf, io->length))
		ret = -EFAULT;
	return ret;
}

/* MF_IOC_OBJ_READ and MF_IOC_OBJ_WRITE. */
static int mf_obj_io(struct file *file, struct mf_obj_io *io, bool write)
{
	struct mf_obj *obj;
	int ret;

	if (io->length && io->length <= MF_SMALL_IO)
		return mf_obj_fast_io(file, io, write) ?
		       mf_obj_small_io(file, io, write) : 0;
	obj = mf_obj_from_handle(file, io->obj);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ret = mf_obj_is(obj, io->serial) ? 0 : -ENOENT;
	if (!ret)
		ret = mf_obj_check_access(obj, write ? MF_ACCESS_WRITE :
						       MF_ACCESS_READ,
					  file->private_data);
	if (!ret)
		ret = mf_obj_check_range(obj, io->offset, io->length);
	if (!ret && io->length)
		ret = mf_obj_user_xfer(obj, io->offset,
				       u64_to_user_ptr(io->buf), io->length,
				       write, file->private_data);
	mf_obj_unref(obj);
	return ret;
}

/**
 * mf_ioctl_obj_read() - MF_IOC_OBJ_READ: copy object bytes to the caller
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_io
 *
 * The bytes go straight from pool memory to the caller's buffer.
 *
 * Context: process context.
 * Return: 0; -EINVAL bad map offset or range; -EOVERFLOW offset + length
 * overflows; -ENOENT no handle on it, or it names an object of another
 * serial than ->serial; -EACCES another's
 * private object; -EFAULT; -EIO; -EINTR.
 */
int mf_ioctl_obj_read(struct file *file, void *arg)
{
	return mf_obj_io(file, arg, false);
}

/**
 * mf_ioctl_obj_write() - MF_IOC_OBJ_WRITE: copy the caller's bytes in
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_io
 *
 * The bytes go straight from the caller's buffer to pool memory (durably
 * in a persistent pool: non-temporal stores and a fence).
 *
 * Context: process context.
 * Return: 0; -EINVAL bad map offset or range; -EOVERFLOW offset + length
 * overflows; -ENOENT no handle on it, or it names an object of another
 * serial than ->serial; -EACCES published,
 * or another's private object; -EFAULT; -EINTR; -ENOSPC (copy-on-write);
 * -ENOMEM.
 */
int mf_ioctl_obj_write(struct file *file, void *arg)
{
	return mf_obj_io(file, arg, true);
}

/* The checks of MF_IOC_OBJ_COPY, in its order of errors. */
static int mf_obj_copy_check(struct mf_obj *src, struct mf_obj *dst,
			     const struct mf_obj_copy *oc,
			     const struct mf_file *mff)
{
	int ret;

	if (!mf_obj_is(src, oc->src_serial) || !mf_obj_is(dst, oc->dst_serial))
		return -ENOENT;
	ret = mf_obj_check_access(src, MF_ACCESS_READ, mff);
	if (!ret)
		ret = mf_obj_check_access(dst, MF_ACCESS_WRITE, mff);
	if (!ret)
		ret = mf_obj_check_range(src, oc->src_offset, oc->length);
	if (!ret)
		ret = mf_obj_check_range(dst, oc->dst_offset, oc->length);
	if (!ret && src == dst &&
	    mf_ranges_overlap(oc->src_offset, oc->length, oc->dst_offset,
			      oc->length))
		ret = -EINVAL;
	return ret;
}

/*
 * A short MF_IOC_OBJ_COPY (at most MF_SMALL_IO bytes): through a buffer on
 * the stack, under the handles' references (mf_obj_handle_lock()).
 */
static int mf_obj_small_copy(struct file *file, struct mf_obj_copy *oc)
{
	u8 buf[MF_SMALL_IO];
	struct mf_obj *src, *dst;
	int ret;

	src = mf_obj_handle_lock(file, oc->src);
	if (IS_ERR(src))
		return PTR_ERR(src);
	dst = mf_obj_handle_find(file, oc->dst);
	ret = IS_ERR(dst) ? PTR_ERR(dst) : mf_obj_copy_check(src, dst, oc,
							     file->private_data);
	if (!ret)
		ret = mf_obj_read_chunk(src, oc->src_offset, buf, oc->length);
	if (!ret)
		ret = mf_obj_write_kernel(dst, oc->dst_offset, buf, oc->length,
					  file->private_data);
	mf_obj_handle_unlock(file);
	return ret;
}

/*
 * Copy @len bytes from @src at @soff to @dst at @doff once, straight from
 * pool memory to pool memory (no bounce buffer), MF_XFER_CHUNK at a time.
 * Each chunk is written under @dst's namespace lock, with @dst's access
 * checked again and its range copied on write first, as
 * mf_obj_write_kernel() does.  @src's pieces are read as the lock-free
 * path reads them: under rcu_read_lock(), @src counted as a reader in
 * mf_obj.io (mf_object.h: a copy-on-write of @src waits for a grace period
 * before its old pieces go, and destroy for the count), so that only one
 * mf_ns.lock is held even when the two namespaces differ.  The read is
 * machine-check safe (-EIO on poison); a persistent @dst is written back
 * and fenced.  The caller holds references on both and checked access,
 * ranges and overlap (mf_obj_copy_check()).
 */
static int mf_obj_copy_direct(struct mf_obj *src, u64 soff, struct mf_obj *dst,
			      u64 doff, u64 len, const struct mf_file *mff)
{
	u64 done, n;
	int ret = 0;

	for (done = 0; done < len; done += n) {
		n = min_t(u64, len - done, MF_XFER_CHUNK);
		mutex_lock(&dst->ns->lock);
		ret = mf_obj_check_access(dst, MF_ACCESS_WRITE, mff);
		if (!ret)
			ret = mf_obj_cow_range_locked(dst, doff + done, n);
		if (!ret) {
			rcu_read_lock();
			if (mf_obj_io_enter(src, MF_IO_READER)) {
				if (mf_pieces_copy(dst->ns->pool,
						   mf_obj_pieces(dst),
						   doff + done, src->ns->pool,
						   rcu_dereference(src->pieces),
						   soff + done, n))
					ret = -EIO;
				mf_obj_io_exit(src, MF_IO_READER);
			} else {
				ret = -ENOENT;
			}
			rcu_read_unlock();
		}
		mutex_unlock(&dst->ns->lock);
		if (!ret && done + n < len)
			ret = mf_xfer_interrupted();
		if (ret)
			break;
	}
	return ret;
}

/**
 * mf_ioctl_obj_copy() - MF_IOC_OBJ_COPY: copy bytes between objects
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_copy
 *
 * Context: process context.
 * Return: 0; -EINVAL bad map offset, range or reserved field, or ranges
 * that overlap in one object; -EOVERFLOW; -ENOENT no handle on one of
 * them, or one names an object of another serial than asked; -EACCES;
 * -EIO; -EINTR; -ENOSPC; -ENOMEM.
 */
int mf_ioctl_obj_copy(struct file *file, void *arg)
{
	struct mf_obj_copy *oc = arg;
	struct mf_obj *src, *dst;
	int ret;

	if (oc->reserved)
		return -EINVAL;
	if (oc->length && oc->length <= MF_SMALL_IO)
		return mf_obj_fast_copy(file, oc) ?
		       mf_obj_small_copy(file, oc) : 0;
	src = mf_obj_from_handle(file, oc->src);
	if (IS_ERR(src))
		return PTR_ERR(src);
	dst = mf_obj_from_handle(file, oc->dst);
	if (IS_ERR(dst)) {
		ret = PTR_ERR(dst);
		goto out_src;
	}
	ret = mf_obj_copy_check(src, dst, oc, file->private_data);
	if (!ret && oc->length)
		ret = mf_obj_copy_direct(src, oc->src_offset, dst,
					 oc->dst_offset, oc->length,
					 file->private_data);
	mf_obj_unref(dst);
out_src:
	mf_obj_unref(src);
	return ret;
}

/* ---- swap-in ------------------------------------------------------------------------ */

/**
 * mf_ioctl_obj_swapin() - MF_IOC_OBJ_SWAPIN: read a file into an object
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_swapin
 *
 * The kernel reads the file (kernel_read(), as the caller) into the
 * object, up to ->length bytes or the end of the file.
 *
 * Context: process context; may block on the file.
 * Return: 0 with ->done set; -EBADF bad descriptor or not open for
 * reading; -EINVAL bad map offset, range, output or reserved field, or a
 * file that cannot be read so; -EOVERFLOW; -ENOENT no handle on the
 * object; -EACCES; -EINTR; -ENOSPC; -ENOMEM; what the read returns.
 */
int mf_ioctl_obj_swapin(struct file *file, void *arg)
{
	struct mf_obj_swapin *sw = arg;
	struct file *src;
	struct mf_obj *obj;
	u64 done = 0, end;
	loff_t pos;
	ssize_t got;
	void *buf;
	int ret;

	if (sw->reserved || sw->reserved32 || sw->done)
		return -EINVAL;
	if (check_add_overflow(sw->file_offset, sw->length, &end) ||
	    end > LLONG_MAX)
		return -EOVERFLOW;
	src = sw->fd >= 0 ? fget(sw->fd) : NULL;
	if (!src)
		return -EBADF;
	if (!(src->f_mode & FMODE_READ)) {
		ret = -EBADF;
		goto out_fput;
	}
	obj = mf_obj_from_handle(file, sw->obj);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out_fput;
	}
	ret = mf_obj_check_access(obj, MF_ACCESS_WRITE, file->private_data);
	if (!ret)
		ret = mf_obj_check_range(obj, sw->offset, sw->length);
	if (ret || !sw->length)
		goto out_unref;
	buf = mf_bounce_alloc(sw->length);
	if (!buf) {
		ret = -ENOMEM;
		goto out_unref;
	}
	pos = sw->file_offset;
	while (done < sw->length) {
		got = kernel_read(src, buf,
				  min_t(u64, sw->length - done, MF_BOUNCE_SIZE),
				  &pos);
		if (got <= 0) {
			ret = got;
			break;
		}
		ret = mf_obj_write_kernel(obj, sw->offset + done, buf, got,
					  file->private_data);
		if (ret)
			break;
		done += got;
		if (done < sw->length) {
			ret = mf_xfer_interrupted();
			if (ret)
				break;
		}
	}
	kvfree(buf);
	if (!ret)
		sw->done = done;
out_unref:
	mf_obj_unref(obj);
out_fput:
	fput(src);
	return ret;
}
