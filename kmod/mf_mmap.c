// SPDX-License-Identifier: GPL-2.0
/*
 * mf_mmap.c - mappings of objects: mmap() of /dev/memfabric, the fault
 * handlers, and MF_IOC_OBJ_COMMIT.
 *
 * An object maps at its map offset (mf_obj.map_pgoff).  The pages are the
 * pool's own page frames, inserted by the fault handlers with
 * vmf_insert_mixed() into a VM_MIXEDMAP VMA (special or devmap entries:
 * the core mm takes no page reference and counts no RSS for them), or
 * with vmf_insert_pfn_pmd() 2 MiB at a time when the mapping is shared,
 * the pool is devmap (fsdax) and the piece, the pool page frames and the
 * virtual address are 2 MiB aligned.
 *
 * - MAP_SHARED: the pool memory itself.  A write fault first makes the
 *   range the object's own (mf_obj_prepare_write(): a piece shared with a
 *   derived object is copied, at most 2 MiB).  The VMA has ->pfn_mkwrite,
 *   so the core mm write-protects its entries and a write to a page that
 *   a read fault mapped comes back here too.
 * - MAP_PRIVATE: the same page frames, read-only; the core mm copies a
 *   page into anonymous memory on the first write (wp_page_copy()).  Such
 *   a VMA never gets PMD entries, so that MF_IOC_OBJ_COMMIT can walk its
 *   page table for the copied pages.
 * - MF_MAP_LONGTERM (a MAP_SHARED, PROT_WRITE mapping that may be pinned
 *   for long, for RDMA): the VMA has no ->pfn_mkwrite, since Linux 6.5
 *   refuses FOLL_LONGTERM write pins of VMAs that need write
 *   notification.  Instead every fault of it, read or write, makes the
 *   range the object's own first, so its entries may be writable from
 *   the start; derive from the object is refused while it exists
 *   (mf_obj.lmap_count), so a range it mapped never becomes shared again.
 * - Publish is refused while a MAP_SHARED mapping that may write exists
 *   (mf_obj.wmap_count); a MAP_SHARED mapping made without PROT_WRITE
 *   loses VM_MAYWRITE, so it can never be made writable by mprotect().
 *   Writes through /proc/PID/mem or ptrace need a writable or a
 *   copy-on-write VMA: they fail on the former, and copy on the latter.
 *
 * All opens of the device share one address_space (that of an inode of
 * the module's own pseudo filesystem), marked S_DAX so that the core mm
 * calls ->huge_fault(); unmap_mapping_range() over an object's range
 * reaches every mapping.
 * Locking: see mf_object.h (mf_obj.map_lock).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/huge_mm.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/overflow.h>
#include <linux/pfn_t.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "mf_compat.h"
#include "mf_object.h"
#include "mf_pool.h"

static_assert(sizeof(struct mf_obj_commit) == 256);
/* The flag bit lies above every object's map offsets. */
static_assert(((u64)MF_MAP_NR_MAX + 1) << MF_MAP_OFF_SHIFT <= MF_MAP_LONGTERM);

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

/* Pages MF_IOC_OBJ_COMMIT looks at per page-table walk. */
#define MF_COMMIT_BATCH		512

/* Written pages one commit collects before it goes chunk by chunk. */
#define MF_COMMIT_MAX_PAGES	(256U * 1024)

/**
 * mf_mmap_init() - make the shared address_space
 *
 * Context: module init, before the device is registered.
 * Return: 0 or a negative errno.
 */
int mf_mmap_init(void)
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
 * mf_mmap_open_file() - give an open file the shared address_space
 * @file: the new open file
 *
 * Context: process context, from the device's ->open().
 */
void mf_mmap_open_file(struct file *file)
{
	file->f_mapping = mf_mapping_inode->i_mapping;
}

/**
 * mf_mmap_exit() - drop the shared address_space
 *
 * Context: module exit: no file is open, so nothing maps it.
 */
void mf_mmap_exit(void)
{
	iput(mf_mapping_inode);
	mf_mapping_inode = NULL;
	kern_unmount(mf_mnt);
}

/**
 * mf_mmap_zap() - unmap a range of an object from every mapping
 * @obj: the object
 * @pos: offset of the range in the object
 * @len: its length
 *
 * Pages that MAP_PRIVATE mappings copied stay: they are the process's.
 *
 * Context: process context; @obj->map_lock held for writing.
 */
void mf_mmap_zap(struct mf_obj *obj, u64 pos, u64 len)
{
	lockdep_assert_held_write(&obj->map_lock);
	if (!atomic_read(&obj->map_count))
		return;
	unmap_mapping_range(mf_mapping_inode->i_mapping,
			    ((loff_t)obj->map_pgoff << PAGE_SHIFT) + pos,
			    len, 0);
}

/* The pfn_t of a pool page frame: devmap for fsdax pools. */
static pfn_t mf_pool_pfn_t(const struct mf_pool *pool, unsigned long pfn)
{
	if (pool->backend == MF_POOL_BACKEND_FSDAX && pfn_valid(pfn))
		return __pfn_to_pfn_t(pfn, PFN_DEV | PFN_MAP);
	return __pfn_to_pfn_t(pfn, 0);
}

/* The object offset of page offset @pgoff of a mapping of @obj. */
static u64 mf_fault_off(const struct mf_obj *obj, pgoff_t pgoff)
{
	return (u64)(pgoff - obj->map_pgoff) << PAGE_SHIFT;
}

/* The fault code for an errno of mf_obj_prepare_write(). */
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
			ret = mf_obj_prepare_write(obj, off, len);
			if (ret)
				return mf_errno_to_fault(ret);
		}
		down_read(&obj->map_lock);
		if (own && READ_ONCE(obj->share_seq) != seq) {
			/* Derive shared the range again meanwhile. */
			up_read(&obj->map_lock);
			continue;
		}
		if (mf_obj_pfn(obj, off, &pfn, &contig)) {
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
 * the object or when the pool is out of memory for a copy, VM_FAULT_OOM.
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

	if (!mf_fault_in_object(obj, off, PAGE_SIZE))
		return VM_FAULT_SIGBUS;
	atomic_long_inc(&mf_cnt.mkwrite);
	ret = mf_obj_prepare_write(obj, off, PAGE_SIZE);
	return ret ? mf_errno_to_fault(ret) : 0;
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

static const struct vm_operations_struct mf_vm_ops = {
	.open		= mf_vm_open,
	.close		= mf_vm_close,
	.fault		= mf_vm_fault,
	.huge_fault	= mf_vm_huge_fault,
	.pfn_mkwrite	= mf_vm_pfn_mkwrite,
};

/* MF_MAP_LONGTERM: no write notification (see the top of the file). */
static const struct vm_operations_struct mf_vm_ops_longterm = {
	.open		= mf_vm_open,
	.close		= mf_vm_close,
	.fault		= mf_vm_fault,
	.huge_fault	= mf_vm_huge_fault,
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
				   MF_ACCESS_WRITE : 0));
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

/* ---- MF_IOC_OBJ_COMMIT --------------------------------------------------------- */

/**
 * struct mf_commit_walk - the copied pages of one batch of a commit
 * @base: the batch's first user address
 * @pages: per page of the batch: the process's own copy (with a
 *	reference), NULL for one it has not written, or ERR_PTR(-EAGAIN)
 *	for one that is not present (swapped out, migrating)
 */
struct mf_commit_walk {
	unsigned long base;
	struct page *pages[MF_COMMIT_BATCH];
};

/* apply_to_existing_page_range() callback: the page table lock is held. */
static int mf_commit_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct mf_commit_walk *w = data;
	unsigned long i = (addr - w->base) >> PAGE_SHIFT;
	pte_t pte = ptep_get(ptep);
	struct page *page;

	if (pte_none(pte))
		return 0;
	if (!pte_present(pte)) {
		w->pages[i] = ERR_PTR(-EAGAIN);
		return 0;
	}
	if (!pfn_valid(pte_pfn(pte)))
		return 0;
	page = pte_page(pte);
	if (!PageAnon(page))
		return 0;
	get_page(page);
	w->pages[i] = page;
	return 0;
}

/*
 * Collect the pages of batch @w of @n pages that the process copied;
 * mmap_lock held for reading.  A page that is not present is faulted in
 * (it is the process's copy if it is anonymous).
 */
static int mf_commit_collect(struct mm_struct *mm, struct mf_commit_walk *w,
			     unsigned long n)
{
	struct page *page;
	unsigned long i;
	long got;
	int ret;

	memset(w->pages, 0, n * sizeof(w->pages[0]));
	ret = apply_to_existing_page_range(mm, w->base, n << PAGE_SHIFT,
					   mf_commit_pte, w);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (w->pages[i] != ERR_PTR(-EAGAIN))
			continue;
		w->pages[i] = NULL;
		got = mf_get_user_page(w->base + (i << PAGE_SHIFT), &page);
		if (got < 0)
			return got;
		if (got == 1 && PageAnon(page))
			w->pages[i] = page;
		else if (got == 1)
			put_page(page);
	}
	return 0;
}

/* Drop the page references of batch @w of @n pages. */
static void mf_commit_release(struct mf_commit_walk *w, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (!IS_ERR_OR_NULL(w->pages[i]))
			put_page(w->pages[i]);
		w->pages[i] = NULL;
	}
}

/*
 * The mapping of [@addr, @addr + @len) in the current process: one
 * MAP_PRIVATE VMA of an object.  mmap_lock held.
 */
static struct vm_area_struct *mf_commit_vma(unsigned long addr,
					    unsigned long len)
{
	struct vm_area_struct *vma = vma_lookup(current->mm, addr);

	if (!vma || vma->vm_ops != &mf_vm_ops ||
	    (vma->vm_flags & VM_SHARED) || len > vma->vm_end - addr)
		return NULL;
	return vma;
}

/*
 * Copy the pages the process wrote in [@addr, @addr + @len) of its
 * mapping of @src into @dst, which @src's object offset @off starts at;
 * count the bytes in *@copied.
 */
static int mf_commit_copy(struct mf_obj *src, struct mf_obj *dst,
			  unsigned long addr, unsigned long len, u64 *copied)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct mf_commit_walk *w;
	unsigned long done, n, i;
	u64 off, off0 = 0, size = dst->size, chunk;
	int ret = 0;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	for (done = 0; done < len && !ret; done += n << PAGE_SHIFT) {
		n = min_t(unsigned long, (len - done) >> PAGE_SHIFT,
			  MF_COMMIT_BATCH);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = mmap_read_lock_killable(mm);
		if (ret)
			break;
		vma = mf_commit_vma(addr + done, n << PAGE_SHIFT);
		off = vma ? mf_fault_off(src,
					 linear_page_index(vma, addr + done)) : 0;
		/*
		 * The lock is dropped between batches: each one must go on
		 * where the one before ended, in the same object, or the
		 * range was unmapped or remapped meanwhile.
		 */
		if (!vma || vma->vm_private_data != src ||
		    (done && off != off0 + done)) {
			mmap_read_unlock(mm);
			ret = -EINVAL;
			break;
		}
		if (!done)
			off0 = off;
		w->base = addr + done;
		ret = mf_commit_collect(mm, w, n);
		for (i = 0; i < n && !ret; i++) {
			if (!w->pages[i] || off + (i << PAGE_SHIFT) >= size)
				continue;
			chunk = min_t(u64, PAGE_SIZE,
				      size - (off + (i << PAGE_SHIFT)));
			ret = mf_obj_write_kernel(dst, off + (i << PAGE_SHIFT),
						  page_address(w->pages[i]),
						  chunk);
			if (!ret)
				*copied += chunk;
		}
		mf_commit_release(w, n);
		mmap_read_unlock(mm);
	}
	kfree(w);
	return ret;
}

/*
 * The modified pages of a whole commit range: their object offsets
 * (sorted) and the pages, with references.
 */
struct mf_commit_set {
	u64 *off;
	struct page **pages;
	u32 n;
	u32 max;
};

static void mf_commit_set_release(struct mf_commit_set *set)
{
	u32 i;

	for (i = 0; i < set->n; i++)
		put_page(set->pages[i]);
	kvfree(set->off);
	kvfree(set->pages);
	set->n = 0;
}

/*
 * Collect the pages the process wrote in [@addr, @addr + @len) of @vma,
 * its mapping of @src, into @set, at most MF_COMMIT_MAX_PAGES (-E2BIG
 * beyond: the caller copies chunk by chunk instead).  The caller holds
 * mmap_lock for reading from the check of @vma to the end, so that the
 * range stays one mapping of @src and the offsets come out strictly
 * increasing; get_user_pages() here never drops it.
 */
static int mf_commit_collect_all(struct mf_obj *src, struct vm_area_struct *vma,
				 unsigned long addr, unsigned long len,
				 struct mf_commit_set *set)
{
	struct mm_struct *mm = current->mm;
	struct mf_commit_walk *w;
	unsigned long done, n, i;
	u64 off, size = READ_ONCE(src->size);
	int ret = 0;

	mmap_assert_locked(mm);
	set->max = min_t(unsigned long, len >> PAGE_SHIFT, MF_COMMIT_MAX_PAGES);
	set->off = kvmalloc_array(set->max, sizeof(*set->off), GFP_KERNEL);
	set->pages = kvmalloc_array(set->max, sizeof(*set->pages), GFP_KERNEL);
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!set->off || !set->pages || !w) {
		ret = -ENOMEM;
		goto out;
	}
	for (done = 0; done < len && !ret; done += n << PAGE_SHIFT) {
		n = min_t(unsigned long, (len - done) >> PAGE_SHIFT,
			  MF_COMMIT_BATCH);
		if (WARN_ON_ONCE(mf_commit_vma(addr + done, n << PAGE_SHIFT) !=
				 vma)) {
			ret = -EINVAL;
			break;
		}
		off = mf_fault_off(src, linear_page_index(vma, addr + done));
		w->base = addr + done;
		ret = mf_commit_collect(mm, w, n);
		for (i = 0; i < n && !ret; i++) {
			if (!w->pages[i])
				continue;
			if (off + (i << PAGE_SHIFT) >= size) {
				put_page(w->pages[i]);
			} else if (set->n == set->max) {
				put_page(w->pages[i]);
				ret = -E2BIG;
			} else {
				set->off[set->n] = off + (i << PAGE_SHIFT);
				set->pages[set->n++] = w->pages[i];
			}
			w->pages[i] = NULL;
		}
		mf_commit_release(w, n);
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
	}
out:
	kfree(w);
	if (ret)
		mf_commit_set_release(set);
	return ret;
}

/* The bytes of @set that lie within an object of @size bytes. */
static u64 mf_commit_set_bytes(const struct mf_commit_set *set, u64 size)
{
	u64 bytes = 0;
	u32 i;

	for (i = 0; i < set->n; i++)
		bytes += min_t(u64, PAGE_SIZE, size - set->off[i]);
	return bytes;
}

/**
 * mf_ioctl_obj_commit() - MF_IOC_OBJ_COMMIT: a new object from a
 *	copy-on-write mapping
 * @file: the open /dev/memfabric; it gets the new object's handle
 * @arg: the kernel copy of the caller's struct mf_obj_commit
 *
 * The new object reads as the process sees the range: the object the
 * range maps, with the pages the process has written (its anonymous
 * copies).  It shares the mapped object's memory except for the units
 * of the written pages, which get one new extent
 * (mf_obj_commit_new()); when no single extent is free for them, or the
 * range holds more than MF_COMMIT_MAX_PAGES written pages, the new object
 * is derived and the pages are written into it, which copies the 2 MiB
 * chunks they fall in.  With MF_COMMIT_PUBLISH it is published before
 * this returns; on any failure it is freed again.
 *
 * Context: process context; takes the mmap_lock for reading, and the
 * object locks under it, as faults do.
 * Return: 0 with ->id, ->bytes, ->map_offset, ->copied and ->type set;
 * -EINVAL a bad range (unaligned, empty, not in one MAP_PRIVATE mapping
 * of an object), id, namespace, output or reserved field; -EOVERFLOW
 * @addr + @length overflows; -EACCES wrong secId, or a source the caller
 * may not read; -EEXIST the id is taken; -EBUSY the source has an
 * MF_MAP_LONGTERM mapping or a pinned page; -ENOSPC; -ENOMEM; -EINTR.
 */
int mf_ioctl_obj_commit(struct file *file, void *arg)
{
	struct mf_obj_commit *oc = arg;
	struct mf_commit_set set = { };
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct mf_obj *src, *obj;
	unsigned long len;
	u64 end, copied = 0;
	int ret;

	if (oc->reserved || oc->bytes || oc->map_offset || oc->copied ||
	    oc->type || !oc->length || !PAGE_ALIGNED(oc->addr) ||
	    (memchr_inv(oc->id, 0, sizeof(oc->id)) &&
	     !mf_ns_name_valid(oc->id, sizeof(oc->id))))
		return -EINVAL;
	if (check_add_overflow(oc->addr, oc->length, &end) ||
	    end > TASK_SIZE_MAX)
		return -EOVERFLOW;
	len = PAGE_ALIGN(oc->length);

	/* One look at the mapping, and the collection under the same lock. */
	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	vma = mf_commit_vma(oc->addr, len);
	src = vma ? vma->vm_private_data : NULL;
	if (!src) {
		mmap_read_unlock(mm);
		return -EINVAL;
	}
	mf_obj_ref(src);
	ret = mf_obj_check_access(src, MF_ACCESS_READ);
	if (!ret)
		ret = mf_commit_collect_all(src, vma, oc->addr, len, &set);
	mmap_read_unlock(mm);
	if (!ret) {
		obj = mf_obj_commit_new(file, src, oc->ns, oc->secid, oc->id,
					set.off, set.pages, set.n);
		copied = mf_commit_set_bytes(&set, READ_ONCE(src->size));
		mf_commit_set_release(&set);
		if (!IS_ERR(obj) || PTR_ERR(obj) != -ENOSPC)
			goto created;
	} else if (ret != -E2BIG) {
		goto out_unref;
	}
	/* Too many pages, or no single extent for them: chunk by chunk. */
	copied = 0;
	obj = mf_obj_derive_new(file, src, oc->ns, oc->secid, oc->id);
	if (!IS_ERR(obj)) {
		ret = mf_commit_copy(src, obj, oc->addr, len, &copied);
		if (ret) {
			mf_obj_abandon(file, obj);
			goto out_obj;
		}
	}
created:
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out_unref;
	}
	ret = oc->flags & MF_COMMIT_PUBLISH ? mf_obj_publish(obj) : 0;
	if (ret) {
		mf_obj_abandon(file, obj);
		goto out_obj;
	}
	oc->bytes = obj->size;
	oc->map_offset = (u64)obj->nr << MF_MAP_OFF_SHIFT;
	oc->serial = obj->serial;
	oc->copied = copied;
	oc->type = READ_ONCE(obj->type);
	atomic_long_inc(&mf_cnt.commits);
	atomic_long_add(DIV_ROUND_UP(copied, PAGE_SIZE), &mf_cnt.commit_pages);
out_obj:
	mf_obj_unref(obj);
out_unref:
	mf_obj_unref(src);
	return ret;
}
