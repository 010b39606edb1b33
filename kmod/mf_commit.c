// SPDX-License-Identifier: GPL-2.0
/*
 * mf_commit.c - MF_IOC_OBJ_COMMIT: the pages a MAP_PRIVATE mapping wrote,
 * collected and made into a new object.
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

static_assert(sizeof(struct mf_obj_commit) == 256);

/* Pages MF_IOC_OBJ_COMMIT looks at per page-table walk. */
#define MF_COMMIT_BATCH		512

/* Written pages one commit collects before it goes chunk by chunk. */
#define MF_COMMIT_MAX_PAGES	(256U * 1024)

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

	mmap_assert_locked(mm);
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
	struct vm_area_struct *vma;

	mmap_assert_locked(current->mm);
	vma = vma_lookup(current->mm, addr);
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
			  unsigned long addr, unsigned long len, u64 *copied,
			  const struct mf_file *mff)
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
						  chunk, mff);
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
 * chunks they fall in.  On a multi-host pool it is always derived: a
 * copy of the source in extents of its own from the manager
 * (mf_obj_mh_derive()), the pages written into it.  With
 * MF_COMMIT_PUBLISH it is published before this returns (on a multi-host
 * pool: PUBLISH, visible to every host); on any failure it is freed again.
 *
 * Context: process context; takes the mmap_lock for reading, and the
 * object locks under it, as faults do.
 * Return: 0 with ->id, ->bytes, ->map_offset, ->copied and ->type set;
 * -EINVAL a bad range (unaligned, empty, not in one MAP_PRIVATE mapping
 * of an object), id, namespace, output or reserved field; -EOVERFLOW
 * @addr + @length overflows; -EACCES wrong secId, or a source the caller
 * may not read; -EEXIST the id is taken; -EBUSY the source has an
 * MF_MAP_LONGTERM mapping or a pinned page; -ENOSPC; -ENOMEM; -EINTR;
 * on a multi-host pool also the manager's refusals, -EAGAIN, -ETIMEDOUT.
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
	     !mf_name_valid(oc->id, sizeof(oc->id))))
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
	ret = mf_obj_check_access(src, MF_ACCESS_READ, file->private_data);
	/*
	 * A multi-host pool's objects share no memory: the new object is
	 * always a copy (derive), with the written pages put into it.
	 */
	if (!ret && src->ns->pool->mh)
		ret = -E2BIG;
	else if (!ret)
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
		ret = mf_commit_copy(src, obj, oc->addr, len, &copied,
				     file->private_data);
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
