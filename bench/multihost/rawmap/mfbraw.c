// SPDX-License-Identifier: GPL-2.0
/*
 * mfbraw.c - the raw baseline of make bench-multihost (issue 17): a
 * character device, /dev/mfbraw, whose mmap() maps physical device memory
 * (ZONE_DEVICE pages of an fsdax namespace, never System RAM) at the file
 * offset that is its physical address, with the same page table entries
 * memfabric's MAP_SHARED mappings use: a 2 MiB PMD (vmf_insert_pfn_pmd)
 * where the address and the frame are 2 MiB aligned, else a 4 KiB entry
 * (vmf_insert_mixed), both devmap (PFN_DEV | PFN_MAP).  It lets root in a
 * guest read the very device range an object occupies without memfabric:
 * /dev/mem refuses the range (CONFIG_IO_STRICT_DEVMEM, the pmem driver
 * holds it), and the fsdax namespace cannot also be a devdax one.
 *
 * A benchmark tool, not part of memfabric: needs CAP_SYS_RAWIO, MAP_SHARED.
 */
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pfn_t.h>

/* memfabric's compat header: every 6.1/6.12 difference in one place. */
#include "mf_compat.h"

static pfn_t mfbraw_pfn(struct vm_area_struct *vma, unsigned long addr)
{
	return __pfn_to_pfn_t(vma->vm_pgoff + ((addr - vma->vm_start) >>
					       PAGE_SHIFT), PFN_DEV | PFN_MAP);
}

static vm_fault_t mfbraw_fault(struct vm_fault *vmf)
{
	return vmf_insert_mixed(vmf->vma, vmf->address & PAGE_MASK,
				mfbraw_pfn(vmf->vma, vmf->address & PAGE_MASK));
}

static vm_fault_t mfbraw_huge_fault(struct vm_fault *vmf, mf_fault_size_t pe)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long pmd_addr = vmf->address & PMD_MASK;
	pfn_t pfn;

	if (mf_fault_order(pe) != PMD_SHIFT - PAGE_SHIFT ||
	    pmd_addr < vma->vm_start || pmd_addr + PMD_SIZE > vma->vm_end)
		return VM_FAULT_FALLBACK;
	pfn = mfbraw_pfn(vma, pmd_addr);
	if (!IS_ALIGNED(pfn_t_to_pfn(pfn), PMD_SIZE >> PAGE_SHIFT))
		return VM_FAULT_FALLBACK;
	return vmf_insert_pfn_pmd(vmf, pfn, vmf->flags & FAULT_FLAG_WRITE);
}

static vm_fault_t mfbraw_pfn_mkwrite(struct vm_fault *vmf)
{
	return 0;
}

static const struct vm_operations_struct mfbraw_vm_ops = {
	.fault		= mfbraw_fault,
	.huge_fault	= mfbraw_huge_fault,
	.pfn_mkwrite	= mfbraw_pfn_mkwrite,
};

/* Device memory with struct pages (ZONE_DEVICE), no System RAM. */
static bool mfbraw_pfn_ok(unsigned long pfn)
{
	return pfn_valid(pfn) && is_zone_device_page(pfn_to_page(pfn));
}

static int mfbraw_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long first = vma->vm_pgoff, last = first + vma_pages(vma) - 1;
	resource_size_t start = (resource_size_t)first << PAGE_SHIFT;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (last < first || !mfbraw_pfn_ok(first) || !mfbraw_pfn_ok(last) ||
	    region_intersects(start, vma_pages(vma) << PAGE_SHIFT,
			      IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT)
		return -EINVAL;
	mf_vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTCOPY);
	vma->vm_ops = &mfbraw_vm_ops;
	return 0;
}

static const struct file_operations mfbraw_fops = {
	.owner			= THIS_MODULE,
	.mmap			= mfbraw_mmap,
	.get_unmapped_area	= thp_get_unmapped_area,
};

static struct miscdevice mfbraw_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "mfbraw",
	.fops	= &mfbraw_fops,
	.mode	= 0600,
};

module_misc_device(mfbraw_dev);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memfabric bench: raw mappings of device memory");
