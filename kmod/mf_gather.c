// SPDX-License-Identifier: GPL-2.0
/*
 * mf_gather.c - MF_IOC_OBJ_GATHER: many objects' ranges reduced (sum,
 * min, max over integers or IEEE doubles) or concatenated into one
 * object, a chunk at a time through a bounce buffer (mf_chunk.c).
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

#define MF_F64_SIGN		BIT_ULL(63)
#define MF_F64_INF		0x7ff0000000000000ULL

/* ---- gather -------------------------------------------------------------------------- */

/* An unsigned key whose order is IEEE 754's total order of doubles. */
static u64 mf_f64_key(u64 x)
{
	return x & MF_F64_SIGN ? ~x : x | MF_F64_SIGN;
}

static bool mf_f64_isnan(u64 x)
{
	return (x & ~MF_F64_SIGN) > MF_F64_INF;
}

#ifdef CONFIG_X86_64
#define MF_HAVE_F64_SUM	1

/*
 * acc[i] += v[i] as doubles, rounding to nearest (kernel_fpu_begin() loads
 * the default MXCSR).  %xmm0 is not declared clobbered: the kernel is
 * compiled with -mno-sse, so the compiler never keeps anything in an SSE
 * register (and refuses the clobber), and kernel_fpu_begin() saved the
 * task's registers.
 */
static void mf_f64_sum(u64 *acc, const u64 *v, size_t n)
{
	size_t i;

	kernel_fpu_begin();
	for (i = 0; i < n; i++)
		asm volatile("movq %[a], %%xmm0\n\t"
			     "addsd %[b], %%xmm0\n\t"
			     "movq %%xmm0, %[a]"
			     : [a] "+m" (acc[i])
			     : [b] "m" (v[i]));
	kernel_fpu_end();
}
#else
#define MF_HAVE_F64_SUM	0

static void mf_f64_sum(u64 *acc, const u64 *v, size_t n)
{
}
#endif

/* Combine @n values of @v into @acc. */
static void mf_reduce(u64 *acc, const u64 *v, size_t n, u32 op, u32 dtype)
{
	bool min = op == MF_GATHER_MIN;
	size_t i;

	if (dtype == MF_DTYPE_F64 && op == MF_GATHER_SUM) {
		mf_f64_sum(acc, v, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (op == MF_GATHER_SUM) {
			acc[i] += v[i];
		} else if (dtype == MF_DTYPE_S64) {
			if (min ? (s64)v[i] < (s64)acc[i] :
				  (s64)v[i] > (s64)acc[i])
				acc[i] = v[i];
		} else if (!mf_f64_isnan(acc[i])) {
			if (mf_f64_isnan(v[i]) ||
			    (min ? mf_f64_key(v[i]) < mf_f64_key(acc[i]) :
				   mf_f64_key(v[i]) > mf_f64_key(acc[i])))
				acc[i] = v[i];
		}
	}
}

/* Check a gather's op and dtype. */
static int mf_gather_check_op(u32 op, u32 dtype)
{
	switch (op) {
	case MF_GATHER_CONCAT:
		return dtype == MF_DTYPE_NONE ? 0 : -EINVAL;
	case MF_GATHER_SUM:
		if (dtype == MF_DTYPE_F64 && !MF_HAVE_F64_SUM)
			return -EOPNOTSUPP;
		fallthrough;
	case MF_GATHER_MIN:
	case MF_GATHER_MAX:
		return dtype == MF_DTYPE_S64 || dtype == MF_DTYPE_F64 ?
		       0 : -EINVAL;
	}
	return -EINVAL;
}

/*
 * Reduce @count sources of @len bytes into @dst at @doff, a chunk at a
 * time: the first source's chunk is the accumulator, the others are
 * combined into it in order.
 */
static int mf_gather_reduce(struct mf_obj_gather *g,
			    const struct mf_gather_elem *elems,
			    struct mf_obj **objs, struct mf_obj *dst,
			    u64 len, const struct mf_file *mff)
{
	u64 *acc, *tmp;
	u64 done, n;
	u32 i;
	int ret = 0;

	acc = mf_bounce_alloc(len);
	tmp = mf_bounce_alloc(len);
	if (!acc || !tmp) {
		ret = -ENOMEM;
		goto out;
	}
	for (done = 0; done < len && !ret; done += n) {
		n = min_t(u64, len - done, MF_BOUNCE_SIZE);
		ret = mf_obj_read_chunk(objs[0], elems[0].offset + done, acc, n);
		for (i = 1; i < g->count && !ret; i++) {
			ret = mf_obj_read_chunk(objs[i], elems[i].offset + done,
						tmp, n);
			if (!ret)
				mf_reduce(acc, tmp, n / 8, g->op, g->dtype);
		}
		if (!ret)
			ret = mf_obj_write_kernel(dst, g->dst_offset + done,
						  acc, n, mff);
		if (!ret && done + n < len)
			ret = mf_xfer_interrupted();
	}
out:
	kvfree(tmp);
	kvfree(acc);
	return ret;
}

/* Concatenate the sources into @dst at @doff. */
static int mf_gather_concat(struct mf_obj_gather *g,
			    const struct mf_gather_elem *elems,
			    struct mf_obj **objs, struct mf_obj *dst,
			    u64 total, const struct mf_file *mff)
{
	u64 pos = g->dst_offset;
	void *buf;
	u32 i;
	int ret = 0;

	if (!total)
		return 0;
	buf = mf_bounce_alloc(total);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < g->count && !ret; i++) {
		ret = mf_obj_copy_range(objs[i], elems[i].offset, dst, pos,
					elems[i].length, buf, mff);
		pos += elems[i].length;
	}
	kvfree(buf);
	return ret;
}

/**
 * mf_ioctl_obj_gather() - MF_IOC_OBJ_GATHER: gather or reduce into an object
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_obj_gather
 *
 * Every element is read, resolved and checked before anything is
 * written.
 *
 * Context: process context.
 * Return: 0 with ->length set; -EINVAL bad op, dtype, count, elem_size,
 * map offset, range, output or reserved field, unequal reduction lengths
 * (or not multiples of 8, or 0), a source range that overlaps the
 * result; -E2BIG an element's bytes beyond what the kernel knows are not
 * zero; -EOVERFLOW; -ENOENT no handle on an object; -EACCES; -EFAULT;
 * -EIO; -EINTR; -ENOSPC; -ENOMEM; -EOPNOTSUPP f64 sums on this
 * architecture.
 */
int mf_ioctl_obj_gather(struct file *file, void *arg)
{
	struct mf_obj_gather *g = arg;
	const char __user *uelems = u64_to_user_ptr(g->elems);
	struct mf_gather_elem *elems;
	struct mf_obj **objs, *dst;
	u64 total = 0;
	u32 i, n = 0;
	int ret;

	if (g->reserved || g->length || !g->count ||
	    g->count > MF_GATHER_MAX_ELEMS ||
	    g->elem_size < sizeof(struct mf_gather_elem) ||
	    g->elem_size > PAGE_SIZE)
		return -EINVAL;
	ret = mf_gather_check_op(g->op, g->dtype);
	if (ret)
		return ret;
	elems = kvcalloc(g->count, sizeof(*elems), GFP_KERNEL);
	objs = kvcalloc(g->count, sizeof(*objs), GFP_KERNEL);
	if (!elems || !objs) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < g->count; i++) {
		ret = copy_struct_from_user(&elems[i], sizeof(elems[i]),
					    uelems + (size_t)i * g->elem_size,
					    g->elem_size);
		if (ret)
			goto out_free;
	}
	dst = mf_obj_from_handle(file, g->dst);
	if (IS_ERR(dst)) {
		ret = PTR_ERR(dst);
		goto out_free;
	}
	for (n = 0; n < g->count; n++) {
		objs[n] = mf_obj_from_handle(file, elems[n].obj);
		if (IS_ERR(objs[n])) {
			ret = PTR_ERR(objs[n]);
			goto out_unref;
		}
		ret = mf_obj_check_access(objs[n], MF_ACCESS_READ,
					  file->private_data);
		if (!ret)
			ret = mf_obj_check_range(objs[n], elems[n].offset,
						 elems[n].length);
		if (ret) {
			n++;
			goto out_unref;
		}
		if (g->op == MF_GATHER_CONCAT) {
			if (check_add_overflow(total, elems[n].length, &total)) {
				ret = -EOVERFLOW;
				n++;
				goto out_unref;
			}
		} else if (!elems[n].length || elems[n].length % 8 ||
			   elems[n].length != elems[0].length) {
			ret = -EINVAL;
			n++;
			goto out_unref;
		}
	}
	if (g->op != MF_GATHER_CONCAT)
		total = elems[0].length;
	ret = mf_obj_check_access(dst, MF_ACCESS_WRITE, file->private_data);
	if (!ret)
		ret = mf_obj_check_range(dst, g->dst_offset, total);
	for (i = 0; i < g->count && !ret; i++)
		if (objs[i] == dst &&
		    mf_ranges_overlap(elems[i].offset, elems[i].length,
				      g->dst_offset, total))
			ret = -EINVAL;
	if (ret)
		goto out_unref;

	if (g->op == MF_GATHER_CONCAT)
		ret = mf_gather_concat(g, elems, objs, dst, total,
				       file->private_data);
	else
		ret = mf_gather_reduce(g, elems, objs, dst, total,
				       file->private_data);
	if (!ret)
		g->length = total;
out_unref:
	while (n--)
		mf_obj_unref(objs[n]);
	mf_obj_unref(dst);
out_free:
	kvfree(objs);
	kvfree(elems);
	return ret;
}

