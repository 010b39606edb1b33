/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_compat.h - every kernel-version difference memfabric depends on.
 *
 * memfabric is built and tested against Debian 12's two kernels, 6.1.y and
 * 6.12.y.  Each wrapper below switches at the release where upstream
 * changed the API, so that no other file ever tests LINUX_VERSION_CODE.
 * The releases in between changed several of these APIs more than once
 * (e.g. the block device open calls in 6.5, 6.7 and 6.9); they are refused
 * rather than half supported.
 *
 * Checked and found the same on both, so not wrapped here: lib/crypto's
 * sha256(const u8 *, unsigned int, u8 *) (mf_ns.c), crypto_memneq() via
 * <crypto/algapi.h> (which includes 6.12's <crypto/utils.h>),
 * kernel_fpu_begin()/kernel_fpu_end() and copy_mc_to_kernel() (mf_data.c).
 */
#ifndef MF_COMPAT_H
#define MF_COMPAT_H

#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mmzone.h>
#include <linux/pfn_t.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/version.h>

/*
 * MF_LINUX_AT_LEAST() - true when building for Linux @major.@minor or
 * later.  This is the only test of LINUX_VERSION_CODE in memfabric:
 * `make checkpatch` lets it through in this file and nowhere else.
 */
#define MF_LINUX_AT_LEAST(major, minor) \
	(KERNEL_VERSION(major, minor, 0) <= LINUX_VERSION_CODE)

#if !MF_LINUX_AT_LEAST(6, 1) || \
	(MF_LINUX_AT_LEAST(6, 2) && !MF_LINUX_AT_LEAST(6, 10))
#error "memfabric supports Linux 6.1.y and 6.10 or later"
#endif

/*
 * MF_DEVMAP_IDLE_REF - the reference count of an fsdax page nobody
 * holds: ZONE_DEVICE fs-dax pages idle at 1 on 6.1 and 6.12 (mm/memremap.c,
 * fs/dax.c: dax_layout_busy_page() looks for counts above 1).  Linux 6.15
 * moved them to 0; a kernel with that change needs 0 here.
 */
#if MF_LINUX_AT_LEAST(6, 15)
#define MF_DEVMAP_IDLE_REF	0
#else
#define MF_DEVMAP_IDLE_REF	1
#endif

/**
 * mf_vm_flags_set() - set flags on a VMA being mapped
 * @vma: the VMA, from a ->mmap() handler
 * @flags: VM_* flags to set
 *
 * vma->vm_flags is read-only since 6.3; 6.1 writes it directly.
 *
 * Context: mmap_lock held for writing, as in ->mmap().
 */
static inline void mf_vm_flags_set(struct vm_area_struct *vma,
				   vm_flags_t flags)
{
#if MF_LINUX_AT_LEAST(6, 3)
	vm_flags_set(vma, flags);
#else
	mmap_assert_write_locked(vma->vm_mm);
	vma->vm_flags |= flags;
#endif
}

/**
 * mf_vm_flags_clear() - clear flags on a VMA being mapped
 * @vma: the VMA, from a ->mmap() handler
 * @flags: VM_* flags to clear
 *
 * Context: mmap_lock held for writing, as in ->mmap().
 */
static inline void mf_vm_flags_clear(struct vm_area_struct *vma,
				     vm_flags_t flags)
{
#if MF_LINUX_AT_LEAST(6, 3)
	vm_flags_clear(vma, flags);
#else
	mmap_assert_write_locked(vma->vm_mm);
	vma->vm_flags &= ~flags;
#endif
}

/*
 * ->huge_fault() gets the order of the entry to map since 6.6, an enum
 * page_entry_size before.  A handler declares that argument as
 * mf_fault_size_t and gets the order, 0 for a PTE, PMD_SHIFT - PAGE_SHIFT
 * for a PMD, from mf_fault_order():
 *
 *	static vm_fault_t mf_huge_fault(struct vm_fault *vmf,
 *					mf_fault_size_t size)
 *	{
 *		unsigned int order = mf_fault_order(size);
 *		...
 */
#if MF_LINUX_AT_LEAST(6, 6)
#define mf_fault_size_t unsigned int

static inline unsigned int mf_fault_order(unsigned int order)
{
	return order;
}
#else
#define mf_fault_size_t enum page_entry_size

static inline unsigned int mf_fault_order(enum page_entry_size pe_size)
{
	switch (pe_size) {
	case PE_SIZE_PMD:
		return PMD_SHIFT - PAGE_SHIFT;
	case PE_SIZE_PUD:
		return PUD_SHIFT - PAGE_SHIFT;
	default:
		return 0;
	}
}
#endif

/*
 * MF_MAX_PAGE_ORDER - the largest order alloc_pages() accepts.  It is
 * MAX_PAGE_ORDER since 6.8; 6.1's MAX_ORDER is one more than that.
 */
#if MF_LINUX_AT_LEAST(6, 8)
#define MF_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define MF_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/**
 * struct mf_bdev - a block device opened by mf_bdev_open()
 * @bdev: the block device
 * @file: the file that holds it open (6.10 and later)
 * @mode: the mode it was opened with, needed to close it (6.1)
 */
struct mf_bdev {
	struct block_device *bdev;
#if MF_LINUX_AT_LEAST(6, 10)
	struct file *file;
#else
	fmode_t mode;
#endif
};

/**
 * mf_bdev_open() - open a block device by path
 * @path: path of the device node, e.g. "/dev/pmem0"
 * @write: open it for writing as well as reading
 * @holder: if not NULL, claim the device exclusively for @holder
 * @mb: filled in on success; release with mf_bdev_close()
 *
 * 6.1 has blkdev_get_by_path()/blkdev_put(); 6.10 and later have
 * bdev_file_open_by_path()/bdev_fput().
 *
 * Context: process context; may sleep.
 * Return: 0 or a negative errno.
 */
static inline int mf_bdev_open(const char *path, bool write, void *holder,
			       struct mf_bdev *mb)
{
#if MF_LINUX_AT_LEAST(6, 10)
	blk_mode_t mode = BLK_OPEN_READ | (write ? BLK_OPEN_WRITE : 0);
	struct file *file;

	file = bdev_file_open_by_path(path, mode, holder, NULL);
	if (IS_ERR(file))
		return PTR_ERR(file);
	mb->file = file;
	mb->bdev = file_bdev(file);
#else
	fmode_t mode = FMODE_READ | (write ? FMODE_WRITE : 0) |
		       (holder ? FMODE_EXCL : 0);
	struct block_device *bdev;

	bdev = blkdev_get_by_path(path, mode, holder);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	mb->bdev = bdev;
	mb->mode = mode;
#endif
	return 0;
}

/**
 * mf_bdev_close() - close a block device opened by mf_bdev_open()
 * @mb: the device; its exclusive claim, if any, ends before this returns
 *
 * Context: process context; may sleep.
 */
static inline void mf_bdev_close(struct mf_bdev *mb)
{
#if MF_LINUX_AT_LEAST(6, 10)
	bdev_fput(mb->file);
#else
	blkdev_put(mb->bdev, mb->mode);
#endif
}

/*
 * mf_genl_dump_attrs(cb) - the attributes of a generic netlink dump
 * request, parsed with the operation's policy (struct nlattr **, indexed
 * by attribute type).  Since 6.2 the dump info holds a struct genl_info
 * (genl_info_dump()); 6.1's struct genl_dumpit_info has them itself.  A
 * macro, so that only its users need <net/genetlink.h>.
 */
#if MF_LINUX_AT_LEAST(6, 2)
#define mf_genl_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define mf_genl_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

/**
 * mf_vmf_insert_mixed() - map one page frame from a fault handler
 * @vma: the faulting VMA (VM_MIXEDMAP)
 * @addr: the faulting address
 * @pfn: the page frame
 * @write: map it writable at once (a write fault of a shared mapping)
 *
 * 6.1 exports vmf_insert_mixed_mkwrite(); 6.12 does not, so there a write
 * fault maps the page read-only and the write that follows goes through
 * ->pfn_mkwrite() (one more fault).
 *
 * Return: a vm_fault_t.
 */
static inline vm_fault_t mf_vmf_insert_mixed(struct vm_area_struct *vma,
					     unsigned long addr, pfn_t pfn,
					     bool write)
{
#if MF_LINUX_AT_LEAST(6, 10)
	return vmf_insert_mixed(vma, addr, pfn);
#else
	return write ? vmf_insert_mixed_mkwrite(vma, addr, pfn) :
		       vmf_insert_mixed(vma, addr, pfn);
#endif
}

/**
 * mf_mm_get_unmapped_area() - the mm's default placement of a mapping
 * @file: the file being mapped
 * @addr: the caller's hint (or fixed address with MAP_FIXED)
 * @len: the length
 * @pgoff: the page offset
 * @flags: the mmap() flags
 *
 * Return: the address, or a negative errno cast to unsigned long.
 */
static inline unsigned long mf_mm_get_unmapped_area(struct file *file,
						    unsigned long addr,
						    unsigned long len,
						    unsigned long pgoff,
						    unsigned long flags)
{
#if MF_LINUX_AT_LEAST(6, 10)
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff,
				    flags);
#else
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}

/**
 * mf_get_user_page() - fault in and get one page of the current process
 * @addr: the user address; mmap_lock held for reading
 * @page: out: the page, with a reference
 *
 * Return: 1, or a negative errno.
 */
static inline long mf_get_user_page(unsigned long addr, struct page **page)
{
#if MF_LINUX_AT_LEAST(6, 10)
	return get_user_pages(addr, 1, 0, page);
#else
	return get_user_pages(addr, 1, 0, page, NULL);
#endif
}

/**
 * mf_import_ubuf() - an iov_iter over one user buffer
 * @rw: READ (the buffer receives data) or WRITE (it supplies data)
 * @buf: the buffer
 * @len: its length, at most MAX_RW_COUNT
 * @iov: unused (both kernels build an ITER_UBUF); kept for the callers
 * @iter: out: the iterator
 *
 * Return: 0, or -EFAULT for a buffer outside user space.
 */
static inline int mf_import_ubuf(int rw, void __user *buf, size_t len,
				 struct iovec *iov, struct iov_iter *iter)
{
#if MF_LINUX_AT_LEAST(6, 10)
	return import_ubuf(rw, buf, len, iter);
#else
	/*
	 * 6.1 has ITER_UBUF (iov_iter_ubuf()) but not import_ubuf(): the
	 * same checks as import_single_range(), without the iovec that its
	 * ITER_IOVEC walks (issue 18: the iterator's cost around a 64 B copy).
	 */
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (unlikely(!access_ok(buf, len)))
		return -EFAULT;
	iov_iter_ubuf(iter, rw, buf, len);
	return 0;
#endif
}

#endif /* MF_COMPAT_H */
