// SPDX-License-Identifier: GPL-2.0
/*
 * mf_backend_mem.c - volatile pools in pages: the "node" backend takes
 * them from one NUMA node (CXL volatile memory that daxctl onlined as
 * system-ram, which lands in ZONE_MOVABLE), the "ram" backend from
 * anywhere.
 *
 * The memory is taken at attach in chunks of MF_MEM_CHUNK_ORDER (2 MiB),
 * zeroed, each split into order-0 pages (so that single pages can be
 * mapped and reference counted later); a chunk table maps a pool offset
 * to its page.  The allocator's metadata is in DRAM (kvmalloc) and is
 * formatted at every attach: nothing survives a detach.
 *
 * Node memory is allocated GFP_HIGHUSER_MOVABLE | __GFP_THISNODE, the
 * only way to reach ZONE_MOVABLE, but the pages are held until detach and
 * cannot be migrated: offlining that memory fails while the pool exists.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "mf_pool.h"

#define MF_MEM_CHUNK_ORDER	(21 - PAGE_SHIFT)	/* MF_POOL_ALIGN */
#define MF_MEM_CHUNK_SHIFT	(MF_MEM_CHUNK_ORDER + PAGE_SHIFT)
#define MF_MEM_CHUNK_PAGES	BIT(MF_MEM_CHUNK_ORDER)

/**
 * struct mf_mem - a volatile pool's backend state
 * @chunks: the first page of each chunk, in pool order
 * @nr_chunks: number of chunks
 */
struct mf_mem {
	struct page **chunks;
	unsigned long nr_chunks;
};

static void mf_mem_free_chunks(struct mf_mem *mem, unsigned long n)
{
	unsigned long i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < MF_MEM_CHUNK_PAGES; j++)
			__free_page(mem->chunks[i] + j);
		cond_resched();
	}
}

/*
 * Attach @arg->bytes of pages from node @nid, or from any node when @nid
 * is NUMA_NO_NODE.
 */
static int mf_mem_attach(struct mf_pool *pool, struct mf_pool_attach *arg,
			 int nid)
{
	u32 unit_shift = arg->unit_shift ?: MF_POOL_UNIT_SHIFT_DEFAULT;
	unsigned long i, have_pages;
	struct mf_mem *mem;
	struct page *page;
	gfp_t gfp;
	int ret;

	BUILD_BUG_ON(1UL << MF_MEM_CHUNK_SHIFT != MF_POOL_ALIGN ||
		     MF_MEM_CHUNK_ORDER > MF_MAX_PAGE_ORDER);
	if (!arg->bytes)
		return -EINVAL;
	/* Refuse the impossible at once rather than after reclaiming. */
	have_pages = nid == NUMA_NO_NODE ? totalram_pages() :
		     node_present_pages(nid);
	if (PHYS_PFN(arg->bytes) > have_pages)
		return -ENOMEM;

	mem = kzalloc(sizeof(*mem), GFP_KERNEL);
	if (!mem)
		return -ENOMEM;
	mem->chunks = kvcalloc(arg->bytes >> MF_MEM_CHUNK_SHIFT,
			       sizeof(*mem->chunks), GFP_KERNEL);
	if (!mem->chunks) {
		ret = -ENOMEM;
		goto err_free_mem;
	}

	gfp = __GFP_ZERO | __GFP_NOWARN | __GFP_RETRY_MAYFAIL;
	if (nid == NUMA_NO_NODE)
		gfp |= GFP_HIGHUSER;
	else
		gfp |= GFP_HIGHUSER_MOVABLE | __GFP_THISNODE;
	for (i = 0; i < arg->bytes >> MF_MEM_CHUNK_SHIFT; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free_chunks;
		}
		if (nid == NUMA_NO_NODE)
			page = alloc_pages(gfp, MF_MEM_CHUNK_ORDER);
		else
			page = alloc_pages_node(nid, gfp, MF_MEM_CHUNK_ORDER);
		if (!page) {
			ret = -ENOMEM;
			goto err_free_chunks;
		}
		split_page(page, MF_MEM_CHUNK_ORDER);
		mem->chunks[i] = page;
		mem->nr_chunks++;
		cond_resched();
	}

	pool->meta_size = mf_ext_meta_size(arg->bytes, unit_shift);
	pool->meta = kvzalloc(pool->meta_size, GFP_KERNEL);
	if (!pool->meta) {
		ret = -ENOMEM;
		goto err_free_chunks;
	}
	ret = mf_ext_format(pool->ext, pool->meta, arg->bytes, unit_shift);
	if (ret)
		goto err_free_meta;

	uuid_gen(&pool->uuid);
	pool->nid = nid;
	pool->bytes = arg->bytes;
	pool->capacity = arg->bytes;
	pool->unit_shift = unit_shift;
	arg->unit_shift = unit_shift;
	arg->result |= MF_POOL_RESULT_FORMATTED;
	pool->priv = mem;
	return 0;

err_free_meta:
	kvfree(pool->meta);
	pool->meta = NULL;
err_free_chunks:
	mf_mem_free_chunks(mem, mem->nr_chunks);
	kvfree(mem->chunks);
err_free_mem:
	kfree(mem);
	return ret;
}

static int mf_node_attach(struct mf_pool *pool, struct mf_pool_attach *arg)
{
	int nid;

	if (arg->node >= nr_node_ids)
		return -EINVAL;
	nid = arg->node;
	if (!node_state(nid, N_MEMORY))
		return -ENODEV;
	snprintf(pool->device, sizeof(pool->device), "node%d", nid);
	return mf_mem_attach(pool, arg, nid);
}

static int mf_ram_attach(struct mf_pool *pool, struct mf_pool_attach *arg)
{
	strscpy(pool->device, "ram", sizeof(pool->device));
	return mf_mem_attach(pool, arg, NUMA_NO_NODE);
}

static void mf_mem_detach(struct mf_pool *pool)
{
	struct mf_mem *mem = pool->priv;

	mf_pool_assert_locked(pool);
	kvfree(pool->meta);
	pool->meta = NULL;
	mf_mem_free_chunks(mem, mem->nr_chunks);
	kvfree(mem->chunks);
	kfree(mem);
	pool->priv = NULL;
}

static unsigned long mf_mem_pfn(struct mf_pool *pool, u64 off)
{
	struct mf_mem *mem = pool->priv;

	return page_to_pfn(mem->chunks[off >> MF_MEM_CHUNK_SHIFT]) +
	       PHYS_PFN(off & (MF_POOL_ALIGN - 1));
}

const struct mf_backend_ops mf_backend_node = {
	.name		= "node",
	.persistent	= false,
	.attach		= mf_node_attach,
	.detach		= mf_mem_detach,
	.pfn		= mf_mem_pfn,
};

const struct mf_backend_ops mf_backend_ram = {
	.name		= "ram",
	.persistent	= false,
	.attach		= mf_ram_attach,
	.detach		= mf_mem_detach,
	.pfn		= mf_mem_pfn,
};
