// SPDX-License-Identifier: GPL-2.0
/*
 * mf_chunk.c - object chunks: moving bytes between an object's pieces and
 * a kernel buffer, a chunk at a time, under the object's namespace lock.
 * The primitives under the data path's ioctls (mf_data.c) and under
 * gather (mf_gather.c): a chunk read or written, a range checked, a bounce
 * buffer, a copy between two objects through one.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "mf_chunk.h"
#include "mf_object.h"

/* Move @len bytes at @off of @obj to (@write: from) @buf through its pieces. */
int mf_obj_xfer_locked(struct mf_obj *obj, u64 off, void *buf, u64 len,
		       bool write)
{
	struct mf_pool *pool = obj->ns->pool;
	struct mf_pieces *ext = mf_obj_pieces(obj);
	const struct mf_piece *e;
	int i = mf_pieces_find(ext, off);
	u64 d, n;
	int ret;

	lockdep_assert_held(&obj->ns->lock);
	if (i < 0 && len)
		return -EINVAL;
	while (len) {
		if (i >= ext->nr)
			return -EINVAL;
		e = &ext->e[i++];
		d = off - e->pos;
		n = min(len, e->len - d);
		if (write) {
			mf_pool_write(pool, e->off + d, buf, n);
		} else {
			ret = mf_pool_read(pool, e->off + d, buf, n);
			if (ret)
				return ret;
		}
		off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Read a chunk of @obj into @buf. */
int mf_obj_read_chunk(struct mf_obj *obj, u64 off, void *buf, u64 len)
{
	int ret;

	mutex_lock(&obj->ns->lock);
	ret = mf_obj_xfer_locked(obj, off, buf, len, false);
	mutex_unlock(&obj->ns->lock);
	return ret;
}

/**
 * mf_obj_write_kernel() - write kernel memory into an object
 * @obj: the object; the caller holds a reference
 * @off: where in it
 * @buf: the bytes
 * @len: how many, at most the object's memory from @off
 * @mff: the open file the call came through (a bound one acts as its
 *	bound identity, mf_obj_check_access())
 *
 * Only if the object is still the caller's to write; shared pieces in the
 * range are copied first.
 *
 * Context: process context; takes @obj->ns->lock.
 * Return: 0; -EACCES published or another's; -EINVAL beyond the object;
 * -ENOSPC; -ENOMEM.
 */
int mf_obj_write_kernel(struct mf_obj *obj, u64 off, void *buf, u64 len,
			const struct mf_file *mff)
{
	int ret;

	mutex_lock(&obj->ns->lock);
	ret = mf_obj_check_access(obj, MF_ACCESS_WRITE, mff);
	if (!ret)
		ret = mf_obj_cow_range_locked(obj, off, len);
	if (!ret)
		ret = mf_obj_xfer_locked(obj, off, buf, len, true);
	mutex_unlock(&obj->ns->lock);
	return ret;
}

/*
 * Check that [@off, @off + @len) lies within @obj: -EOVERFLOW if the sum
 * overflows, -EINVAL if it ends beyond the object.
 */
int mf_obj_check_range(struct mf_obj *obj, u64 off, u64 len)
{
	u64 end;

	if (check_add_overflow(off, len, &end))
		return -EOVERFLOW;
	return end > READ_ONCE(obj->size) ? -EINVAL : 0;
}

/* Whether [@a, @a + @len_a) and [@b, @b + @len_b) overlap. */
bool mf_ranges_overlap(u64 a, u64 len_a, u64 b, u64 len_b)
{
	return len_a && len_b && a < b + len_b && b < a + len_a;
}

/* A bounce buffer for a transfer of @len bytes. */
void *mf_bounce_alloc(u64 len)
{
	return kvmalloc(clamp_t(u64, len, 8, MF_BOUNCE_SIZE), GFP_KERNEL);
}

/* Whether a long transfer must stop, after a chunk. */
int mf_xfer_interrupted(void)
{
	if (fatal_signal_pending(current))
		return -EINTR;
	cond_resched();
	return 0;
}

/*
 * Copy @len bytes from @src at @soff to @dst at @doff through @buf; the
 * caller checked access and ranges.
 */
int mf_obj_copy_range(struct mf_obj *src, u64 soff, struct mf_obj *dst,
		      u64 doff, u64 len, void *buf,
		      const struct mf_file *mff)
{
	u64 done, n;
	int ret = 0;

	for (done = 0; done < len; done += n) {
		n = min_t(u64, len - done, MF_BOUNCE_SIZE);
		ret = mf_obj_read_chunk(src, soff + done, buf, n);
		if (!ret)
			ret = mf_obj_write_kernel(dst, doff + done, buf, n, mff);
		if (!ret && done + n < len)
			ret = mf_xfer_interrupted();
		if (ret)
			break;
	}
	return ret;
}
