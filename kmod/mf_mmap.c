// SPDX-License-Identifier: GPL-2.0
/*
 * mf_mmap.c - mmap() of objects: the mappings and their page faults.
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

#include "mf_compat.h"
#include "mf_object.h"
#include "mf_pool.h"
/* The flag bit lies above every object's map offsets. */
static_assert(((u64)MF_MAP_NR_MAX + 1) << MF_MAP_OFF_SHIFT <= MF_MAP_LONGTERM);

/* A write fault gives up after this many races with derive. */
#define MF_FAULT_RETRIES	16

/* MF_MAP_LONGTERM as a page offset bit. */
#define MF_MAP_LONGTERM_PGOFF	((unsigned long)(MF_MAP_LONGTERM >> PAGE_SHIFT))

static const struct vm_operations_struct mf_vm_ops_longterm;

/* Whether @vma was made with MF_MAP_LONGTERM. */
static bool mf_vma_longterm(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &mf_vm_ops_longterm;
}

/* The pfn_t of a pool page frame: devmap for fsdax pools. */
static pfn_t mf_pool_pfn_t(const struct mf_pool *pool, unsigned long pfn)
{
	if (pool->backend == MF_POOL_BACKEND_FSDAX && pfn_valid(pfn))
		return __pfn_to_pfn_t(pfn, PFN_DEV | PFN_MAP);
	return __pfn_to_pfn_t(pfn, 0);
}

/* The object offset of page offset @pgoff of a mapping of @obj. */
u64 mf_fault_off(const struct mf_obj *obj, pgoff_t pgoff)
{
	return (u64)(pgoff - obj->map_pgoff) << PAGE_SHIFT;
}

/* The fault code for an errno of mf_obj_cow_range(). */
static vm_fault_t mf_errno_to_fault(int err)
{
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

/*
 * Map @order pages of @obj at @off for @vmf: a PTE (order 0) or a PMD.
 * @write: a write fault of a shared mapping: map the entry writable.
 * @own: the range is made the object's own first, and that must still
 * hold when the entry goes in (a write fault, or any fault of a long-term
 * mapping).
 */
static vm_fault_t mf_fault_map(struct vm_fault *vmf, struct mf_obj *obj,
			       u64 off, unsigned int order, bool write,
			       bool own)
{
	struct mf_pool *pool = obj->ns->pool;
	u64 len = PAGE_SIZE << order, contig;
	unsigned long pfn;
	vm_fault_t vret;
	int tries, ret;
	u32 seq;

	for (tries = 0; tries < MF_FAULT_RETRIES; tries++) {
		seq = READ_ONCE(obj->share_seq);
		if (own) {
			ret = mf_obj_cow_range(obj, off, len);
			if (ret)
				return mf_errno_to_fault(ret);
		}
		down_read(&obj->map_lock);
		if (own && READ_ONCE(obj->share_seq) != seq) {
			/* Derive shared the range again meanwhile. */
			up_read(&obj->map_lock);
			continue;
		}
		/*
		 * Under @map_lock: a revocation of the epoch's mappings
		 * (mf_mapping_revoke_pool()) zaps this entry, or it is
		 * refused here.
		 */
		if (mf_obj_mh_dead(obj) || mf_obj_pfn(obj, off, &pfn, &contig)) {
			vret = VM_FAULT_SIGBUS;
		} else if (!order) {
			vret = mf_vmf_insert_mixed(vmf->vma, vmf->address,
						   mf_pool_pfn_t(pool, pfn),
						   write);
			atomic_long_inc(&mf_cnt.faults);
		} else if (contig < len || !IS_ALIGNED(pfn, 1UL << order)) {
			vret = VM_FAULT_FALLBACK;
		} else {
			vret = vmf_insert_pfn_pmd(vmf, mf_pool_pfn_t(pool, pfn),
						  write);
			atomic_long_inc(&mf_cnt.faults_pmd);
		}
		up_read(&obj->map_lock);
		return vret;
	}
	return VM_FAULT_SIGBUS;
}

/* The object's memory from @off, in pages: a fault beyond it is SIGBUS. */
static bool mf_fault_in_object(const struct mf_obj *obj, u64 off, u64 len)
{
	u64 end;

	return !check_add_overflow(off, len, &end) &&
	       end <= PAGE_ALIGN(READ_ONCE(obj->size));
}

/**
 * mf_vm_fault() - ->fault(): map one page of an object
 * @vmf: the fault
 *
 * Context: process context, mmap_lock (or the VMA lock) held for reading.
 * Return: VM_FAULT_NOPAGE with the page mapped, VM_FAULT_SIGBUS beyond
 * the object, when the pool is out of memory for a copy, or for an object
 * of a dead epoch (mf_obj_mh_dead()), VM_FAULT_OOM.
 */
static vm_fault_t mf_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mf_obj *obj = vma->vm_private_data;
	u64 off = mf_fault_off(obj, vmf->pgoff);
	bool write = (vmf->flags & FAULT_FLAG_WRITE) &&
		     (vma->vm_flags & VM_SHARED);

	if (!mf_fault_in_object(obj, off, PAGE_SIZE))
		return VM_FAULT_SIGBUS;
	return mf_fault_map(vmf, obj, off, 0, write,
			    write || mf_vma_longterm(vma));
}

/**
 * mf_vm_huge_fault() - ->huge_fault(): map 2 MiB of an object at once
 * @vmf: the fault
 * @pe: the entry size asked for
 *
 * Only for MAP_SHARED mappings of devmap pools, where the whole PMD lies
 * in the VMA and in the object, and the piece is 2 MiB aligned and
 * contiguous; anything else falls back to ->fault().
 *
 * Context: process context, mmap_lock (or the VMA lock) held for reading.
 * Return: VM_FAULT_NOPAGE, VM_FAULT_FALLBACK, or an error.
 */
static vm_fault_t mf_vm_huge_fault(struct vm_fault *vmf, mf_fault_size_t pe)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mf_obj *obj = vma->vm_private_data;
	unsigned long pmd_addr = vmf->address & PMD_MASK;
	u64 off;

	if (mf_fault_order(pe) != PMD_SHIFT - PAGE_SHIFT ||
	    !(vma->vm_flags & VM_SHARED) ||
	    obj->ns->pool->backend != MF_POOL_BACKEND_FSDAX ||
	    pmd_addr < vma->vm_start || pmd_addr + PMD_SIZE > vma->vm_end)
		return VM_FAULT_FALLBACK;
	off = mf_fault_off(obj, linear_page_index(vma, pmd_addr));
	if (!IS_ALIGNED(off, PMD_SIZE) ||
	    !mf_fault_in_object(obj, off, PMD_SIZE))
		return VM_FAULT_FALLBACK;
	return mf_fault_map(vmf, obj, off, PMD_SHIFT - PAGE_SHIFT,
			    vmf->flags & FAULT_FLAG_WRITE,
			    (vmf->flags & FAULT_FLAG_WRITE) ||
			    mf_vma_longterm(vma));
}

/**
 * mf_vm_pfn_mkwrite() - ->pfn_mkwrite(): a write to a read-only page
 * @vmf: the fault
 *
 * Makes the page the object's own; if that replaced it, the entry was
 * zapped and the core mm retries the fault.
 *
 * Context: process context, mmap_lock (or the VMA lock) held for reading.
 * Return: 0 to make the entry writable, or an error.
 */
static vm_fault_t mf_vm_pfn_mkwrite(struct vm_fault *vmf)
{
	struct mf_obj *obj = vmf->vma->vm_private_data;
	u64 off = mf_fault_off(obj, vmf->pgoff);
	int ret;

	if (!mf_fault_in_object(obj, off, PAGE_SIZE) || mf_obj_mh_dead(obj))
		return VM_FAULT_SIGBUS;
	atomic_long_inc(&mf_cnt.mkwrite);
	ret = mf_obj_cow_range(obj, off, PAGE_SIZE);
	return ret ? mf_errno_to_fault(ret) : 0;
}

/**
 * mf_vm_map_pages() - ->map_pages(): fault-around, which maps nothing here
 * @vmf: the fault
 * @start_pgoff: the first page offset around the fault
 * @end_pgoff: the last one
 *
 * Fault-around calls this under rcu_read_lock(), where neither
 * @map_lock (a sleeping lock) nor a copy on write can be taken, so it
 * maps nothing and mf_vm_fault() maps the faulting page alone, as it
 * would without this.  It is here because its presence is how the core
 * mm tells the fault handlers that need the mmap_lock from those that do
 * not (vmf_can_call_fault() in 6.12's mm/memory.c): without a
 * ->map_pages, every ->fault() and ->pfn_mkwrite() taken under the
 * per-VMA lock returns VM_FAULT_RETRY and the whole fault is taken again
 * under the mmap_lock, which made 6.12's 4 KiB fault cost 1.4x a shmem
 * fault (issue 18; Documentation/performance.md).  Ours need only the VMA:
 * @vm_private_data holds a reference on the object, mf_obj_pfn() reads
 * the pieces under RCU, @map_lock orders the entry against derive and
 * copy-on-write and a revocation's unmap_mapping_range(), none of which
 * relies on the mmap_lock; mf_vm_huge_fault() has always run under the
 * VMA lock alone on 6.12.  On 6.1 (no per-VMA locks) only fault-around
 * calls it.
 *
 * Context: rcu_read_lock() held (6.12), the VMA lock or mmap_lock.
 * Return: 0: nothing mapped; the core mm calls ->fault().
 */
static vm_fault_t mf_vm_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				  pgoff_t end_pgoff)
{
	return 0;
}

/* Count one more VMA of @obj, made like @vma. */
static void mf_vma_count(struct vm_area_struct *vma, struct mf_obj *obj)
{
	atomic_inc(&obj->map_count);
	if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) ==
	    (VM_SHARED | VM_MAYWRITE))
		atomic_inc(&obj->wmap_count);
	if (mf_vma_longterm(vma))
		atomic_inc(&obj->lmap_count);
	atomic_long_inc(&mf_cnt.mappings);
}

/**
 * mf_vm_open() - ->open(): a VMA was copied (fork) or split
 * @vma: the new VMA
 *
 * It holds a reference of its own, like the one it was made from.
 *
 * Context: process context.
 */
static void mf_vm_open(struct vm_area_struct *vma)
{
	struct mf_obj *obj = vma->vm_private_data;

	mf_obj_ref(obj);
	mf_vma_count(vma, obj);
}

/**
 * mf_vm_close() - ->close(): a VMA goes (munmap, exit, kill -9)
 * @vma: the VMA; its page table entries are gone already
 *
 * Drops its reference: the object's memory may return to the pool now.
 *
 * Context: process context.
 */
static void mf_vm_close(struct vm_area_struct *vma)
{
	struct mf_obj *obj = vma->vm_private_data;

	if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) ==
	    (VM_SHARED | VM_MAYWRITE))
		atomic_dec(&obj->wmap_count);
	if (mf_vma_longterm(vma))
		atomic_dec(&obj->lmap_count);
	atomic_dec(&obj->map_count);
	atomic_long_dec(&mf_cnt.mappings);
	MF_DEBUG_ASSERT(atomic_read(&obj->wmap_count) >= 0 &&
			atomic_read(&obj->lmap_count) >= 0 &&
			atomic_read(&obj->map_count) >= 0 &&
			atomic_long_read(&mf_cnt.mappings) >= 0);
	mf_obj_unref(obj);
}

const struct vm_operations_struct mf_vm_ops = {
	.open		= mf_vm_open,
	.close		= mf_vm_close,
	.fault		= mf_vm_fault,
	.huge_fault	= mf_vm_huge_fault,
	.map_pages	= mf_vm_map_pages,
	.pfn_mkwrite	= mf_vm_pfn_mkwrite,
};

/* MF_MAP_LONGTERM: no write notification (see the top of the file). */
static const struct vm_operations_struct mf_vm_ops_longterm = {
	.open		= mf_vm_open,
	.close		= mf_vm_close,
	.fault		= mf_vm_fault,
	.huge_fault	= mf_vm_huge_fault,
	.map_pages	= mf_vm_map_pages,
};

/**
 * mf_mmap() - mmap() of /dev/memfabric: map an object
 * @file: the open file; it must hold a handle on the object
 * @vma: the new VMA: its page offset names the object and where in it
 *
 * See the UAPI header for the rules.
 *
 * Context: process context, mmap_lock held for writing.
 * Return: 0; -EINVAL the offset names no object or the range is beyond
 * it, or MF_MAP_LONGTERM without MAP_SHARED and PROT_WRITE; -ENOENT no
 * handle on it; -EACCES a writable shared mapping of an object the caller
 * may not write (published, or another's), or a private object of another.
 */
int mf_mmap(struct file *file, struct vm_area_struct *vma)
{
	bool shared = vma->vm_flags & VM_SHARED;
	bool longterm = vma->vm_pgoff & MF_MAP_LONGTERM_PGOFF;
	unsigned long rel;
	struct mf_obj *obj;
	u64 end;
	int ret;

	if (longterm) {
		if (!shared || !(vma->vm_flags & VM_WRITE))
			return -EINVAL;
		/* Not linked yet: the VMA takes the object's own offsets. */
		vma->vm_pgoff &= ~MF_MAP_LONGTERM_PGOFF;
	}
	if (vma->vm_pgoff < (1UL << MF_MAP_PGOFF_SHIFT))
		return -EINVAL;
	obj = mf_obj_from_pgoff(file, vma->vm_pgoff);
	if (!obj)
		return -ENOENT;
	rel = vma->vm_pgoff - obj->map_pgoff;
	ret = mf_obj_check_access(obj, MF_ACCESS_READ |
				  (shared && (vma->vm_flags & VM_WRITE) ?
				   MF_ACCESS_WRITE : 0), file->private_data);
	if (ret)
		goto err_unref;

	mutex_lock(&obj->ns->lock);
	end = ((u64)rel + vma_pages(vma)) << PAGE_SHIFT;
	if (end > PAGE_ALIGN(obj->size)) {
		ret = -EINVAL;
	} else if (shared && (vma->vm_flags & VM_WRITE) &&
		   obj->type != MF_OBJ_PRIVATE_RW) {
		ret = -EACCES;	/* published since the check above */
	} else {
		if (shared && !(vma->vm_flags & VM_WRITE))
			mf_vm_flags_clear(vma, VM_MAYWRITE);
		mf_vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND);
		vma->vm_ops = longterm ? &mf_vm_ops_longterm : &mf_vm_ops;
		vma->vm_private_data = obj;
		mf_vma_count(vma, obj);
	}
	mutex_unlock(&obj->ns->lock);
	if (ret)
		goto err_unref;
	/* The reference mf_obj_from_pgoff() took is the mapping's now. */
	return 0;

err_unref:
	mf_obj_unref(obj);
	return ret;
}

/**
 * mf_get_unmapped_area() - place a mapping of an object
 * @file: the open file
 * @addr: the caller's hint or fixed address, or 0
 * @len: the length
 * @pgoff: the page offset
 * @flags: the mmap() flags
 *
 * A hint or fixed address is honoured as for any file; otherwise the
 * mapping is placed 2 MiB aligned (relative to its offset) so that it can
 * take PMD entries.
 *
 * Return: the address, or a negative errno cast to unsigned long.
 */
unsigned long mf_get_unmapped_area(struct file *file, unsigned long addr,
				   unsigned long len, unsigned long pgoff,
				   unsigned long flags)
{
	if (addr || (flags & MAP_FIXED) || !(flags & MAP_SHARED))
		return mf_mm_get_unmapped_area(file, addr, len, pgoff, flags);
	return thp_get_unmapped_area(file, addr, len, pgoff, flags);
}
