// SPDX-License-Identifier: GPL-2.0
/*
 * mf_pool_mem.c - pool memory through the kernel's mapping of it: the address
 * of a pool byte, and zeroing, reading, writing and copying pool memory.
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

#include "mf_pool.h"

#ifdef CONFIG_HIGHMEM
#error "memfabric needs every pool page in the kernel's direct map"
#endif

/**
 * mf_pool_pfn() - the page frame that holds a byte of a pool's data area
 * @pool: the pool
 * @off: offset in the data area, below @pool->capacity
 *
 * Context: @pool->lock held, or a user reference on the pool.
 * Return: the pfn.
 */
unsigned long mf_pool_pfn(struct mf_pool *pool, u64 off)
{
	return pool->ops->pfn(pool, off);
}

/* ---- pool memory -------------------------------------------------------------- */

/**
 * mf_pool_kaddr() - the kernel address of a byte of a pool's data area
 * @pool: the pool; live
 * @off: offset in its data area
 *
 * The address is good for the bytes up to the next MF_POOL_ALIGN boundary
 * of @off.
 *
 * Return: the address.
 */
void *mf_pool_kaddr(struct mf_pool *pool, u64 off)
{
	return page_address(pfn_to_page(mf_pool_pfn(pool, off))) +
	       offset_in_page(off);
}

/**
 * mf_pool_zero() - zero pool memory, durably in a persistent pool
 * @pool: the pool; live, the range allocated to the caller
 * @off: offset in its data area
 * @len: bytes
 *
 * Context: process context; may sleep.
 * Return: 0, or -EINTR on a fatal signal.
 */
int mf_pool_zero(struct mf_pool *pool, u64 off, u64 len)
{
	const void *zero = page_address(ZERO_PAGE(0));
	u64 n, i;
	void *k;

	while (len) {
		n = mf_pool_span(off, len);
		k = mf_pool_kaddr(pool, off);
		if (pool->ops->persistent) {
			for (i = 0; i < n; i += PAGE_SIZE)
				memcpy_flushcache(k + i, zero,
						  min_t(u64, n - i, PAGE_SIZE));
		} else {
			memset(k, 0, n);
		}
		off += n;
		len -= n;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	if (pool->ops->persistent)
		pmem_wmb();
	return 0;
}

/**
 * mf_pool_read() - copy pool memory to a kernel buffer
 * @pool: the pool; live
 * @off: offset in its data area
 * @buf: the buffer
 * @len: bytes
 *
 * Return: 0, or -EIO on a media error (persistent pools).
 */
int mf_pool_read(struct mf_pool *pool, u64 off, void *buf, u64 len)
{
	u64 n;

	while (len) {
		n = mf_pool_span(off, len);
		if (pool->ops->persistent) {
			if (copy_mc_to_kernel(buf, mf_pool_kaddr(pool, off), n))
				return -EIO;
		} else {
			memcpy(buf, mf_pool_kaddr(pool, off), n);
		}
		off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/**
 * mf_pool_write() - copy a kernel buffer to pool memory, durably
 * @pool: the pool; live
 * @off: offset in its data area
 * @buf: the buffer
 * @len: bytes
 */
void mf_pool_write(struct mf_pool *pool, u64 off, const void *buf, u64 len)
{
	u64 n;

	while (len) {
		n = mf_pool_span(off, len);
		if (pool->ops->persistent)
			memcpy_flushcache(mf_pool_kaddr(pool, off), buf, n);
		else
			memcpy(mf_pool_kaddr(pool, off), buf, n);
		off += n;
		buf += n;
		len -= n;
	}
	if (pool->ops->persistent)
		pmem_wmb();
}

/**
 * mf_pool_copy() - copy pool memory within a pool, durably
 * @pool: the pool; live
 * @dst: offset of the destination
 * @src: offset of the source; the ranges do not overlap
 * @len: bytes
 *
 * Context: process context; may sleep.
 * Return: 0, or -EIO on a media error (persistent pools).
 */
int mf_pool_copy(struct mf_pool *pool, u64 dst, u64 src, u64 len)
{
	void *d;
	u64 n;

	while (len) {
		n = mf_pool_span(dst, mf_pool_span(src, len));
		d = mf_pool_kaddr(pool, dst);
		if (pool->ops->persistent) {
			if (copy_mc_to_kernel(d, mf_pool_kaddr(pool, src), n))
				return -EIO;
			arch_wb_cache_pmem(d, n);
		} else {
			memcpy(d, mf_pool_kaddr(pool, src), n);
		}
		dst += n;
		src += n;
		len -= n;
		cond_resched();
	}
	if (pool->ops->persistent)
		pmem_wmb();
	return 0;
}
