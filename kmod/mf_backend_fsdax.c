// SPDX-License-Identifier: GPL-2.0
/*
 * mf_backend_fsdax.c - persistent pools on an fsdax block device (a CXL
 * pmem region, an NVDIMM namespace, memmap= pmem), through the kernel's
 * fs-dax API.
 *
 * The device is claimed exclusively (the pool is the holder of the block
 * device and of its dax_device), and the whole pool is addressed through
 * one kernel mapping that dax_direct_access() returns.
 *
 * Layout on the device (all offsets from the start of the device):
 *
 *   0                 superblock (struct mf_pool_sb), one page
 *   MF_SB_META_OFF    allocator metadata, mf_ext_meta_size() bytes
 *   data_off          data area, @capacity bytes, 2 MiB aligned
 *
 * The superblock is written once, when the pool is formatted: first the
 * old one is cleared, then the allocator formats its metadata, which is
 * written back, and last the new superblock is written and written back.
 * A crash before that leaves a device without a valid superblock, which
 * the next attach formats again (it is blank) or refuses (a cleared
 * superblock over other data is never taken for a pool).  Everything
 * after that is the allocator's journal.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/crc32.h>
#include <linux/dax.h>
#include <linux/libnvdimm.h>
#include <linux/pfn_t.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mf_pool.h"

#define MF_SB_MAGIC		0x4c4f4f5042414d46ULL	/* "FMABPOOL" */
#define MF_SB_VERSION		1
#define MF_SB_META_OFF		PAGE_SIZE
/* A device whose first bytes are all zero is blank: it may be formatted. */
#define MF_SB_BLANK_BYTES	SZ_128K

/**
 * struct mf_pool_sb - the superblock of a persistent pool, little endian
 * @magic: MF_SB_MAGIC
 * @version: MF_SB_VERSION
 * @sb_size: sizeof(struct mf_pool_sb)
 * @uuid: the pool's UUID, made at format
 * @name: the pool's name, NUL-padded
 * @unit_shift: log2 of the allocation unit
 * @flags: 0
 * @pool_bytes: bytes of the device the pool uses
 * @capacity: size of the data area
 * @meta_off: offset of the allocator metadata
 * @meta_size: its size, at least mf_ext_meta_size(@capacity, @unit_shift)
 * @data_off: offset of the data area, MF_POOL_ALIGN aligned
 * @format_time: when the pool was formatted, seconds since the epoch
 * @reserved: 0
 * @pad: 0
 * @checksum: crc32c of the struct up to this field
 */
struct mf_pool_sb {
	__le64 magic;
	__le32 version;
	__le32 sb_size;
	u8 uuid[16];
	char name[MF_POOL_NAME_LEN];
	__le32 unit_shift;
	__le32 flags;
	__le64 pool_bytes;
	__le64 capacity;
	__le64 meta_off;
	__le64 meta_size;
	__le64 data_off;
	__le64 format_time;
	__le64 reserved[5];
	__le32 pad;
	__le32 checksum;
};

static_assert(sizeof(struct mf_pool_sb) == 168);

/**
 * struct mf_fsdax - an fsdax pool's backend state
 * @mb: the block device, held exclusively
 * @dax_dev: its dax_device, with the pool as holder
 * @kaddr: kernel address of the pool's first byte (the superblock)
 * @pfn: its page frame
 * @sb: the superblock as attach found or wrote it
 * @data_off: offset of the data area
 * @mapped: bytes of the device mapped at @kaddr
 */
struct mf_fsdax {
	struct mf_bdev mb;
	struct dax_device *dax_dev;
	void *kaddr;
	unsigned long pfn;
	struct mf_pool_sb sb;
	u64 data_off;
	s64 mapped;
};

static u32 mf_sb_checksum(const struct mf_pool_sb *sb)
{
	return ~__crc32c_le(~0U, (const u8 *)sb,
			    offsetof(struct mf_pool_sb, checksum));
}

/* Write @len bytes at @dst in pmem and make them durable. */
static void mf_pmem_write(void *dst, const void *src, size_t len)
{
	memcpy_flushcache(dst, src, len);
	wmb();	/* order the non-temporal stores before what follows */
}

/**
 * mf_sb_layout() - place the metadata and data areas in @bytes of device
 * @bytes: bytes of the device the pool uses
 * @unit_shift: log2 of the allocation unit
 * @sb: its layout fields are set
 *
 * Return: 0, or -ENOSPC if no data area of at least MF_POOL_ALIGN fits.
 */
static int mf_sb_layout(u64 bytes, u32 unit_shift, struct mf_pool_sb *sb)
{
	u64 cap, meta, data_off;
	int i;

	if (bytes < 2 * MF_POOL_ALIGN)
		return -ENOSPC;
	/* The metadata shrinks with the capacity: a few rounds settle. */
	cap = bytes - MF_POOL_ALIGN;
	for (i = 0; i < 8; i++) {
		meta = PAGE_ALIGN(mf_ext_meta_size(cap, unit_shift));
		data_off = ALIGN(MF_SB_META_OFF + meta, MF_POOL_ALIGN);
		if (data_off >= bytes)
			return -ENOSPC;
		if (data_off + cap <= bytes)
			break;
		cap = round_down(bytes - data_off, MF_POOL_ALIGN);
	}
	if (i == 8 || cap < MF_POOL_ALIGN)
		return -ENOSPC;
	sb->pool_bytes = cpu_to_le64(bytes);
	sb->capacity = cpu_to_le64(cap);
	sb->meta_off = cpu_to_le64(MF_SB_META_OFF);
	sb->meta_size = cpu_to_le64(meta);
	sb->data_off = cpu_to_le64(data_off);
	sb->unit_shift = cpu_to_le32(unit_shift);
	return 0;
}

/**
 * mf_sb_validate() - check a superblock that has the right magic
 * @sb: a copy of the superblock
 * @avail: bytes of the device that are mapped
 * @what: out: the first problem found
 *
 * Return: 0 if @sb describes a pool of this format that fits @avail;
 * -EMEDIUMTYPE if it is of a newer format; -EUCLEAN if it is corrupt.
 */
static int mf_sb_validate(const struct mf_pool_sb *sb, u64 avail,
			  const char **what)
{
	u64 bytes = le64_to_cpu(sb->pool_bytes);
	u64 cap = le64_to_cpu(sb->capacity);
	u64 meta_off = le64_to_cpu(sb->meta_off);
	u64 meta_size = le64_to_cpu(sb->meta_size);
	u64 data_off = le64_to_cpu(sb->data_off);
	u32 unit_shift = le32_to_cpu(sb->unit_shift);
	u64 end;

	*what = "";
	if (le32_to_cpu(sb->checksum) != mf_sb_checksum(sb)) {
		*what = "superblock checksum mismatch";
		return -EUCLEAN;
	}
	if (le32_to_cpu(sb->version) != MF_SB_VERSION ||
	    le32_to_cpu(sb->sb_size) != sizeof(*sb)) {
		*what = "superblock of another format version";
		return -EMEDIUMTYPE;
	}
	if (unit_shift < MF_POOL_UNIT_SHIFT_MIN ||
	    unit_shift > MF_POOL_UNIT_SHIFT_MAX || sb->flags || sb->pad ||
	    memchr_inv(sb->reserved, 0, sizeof(sb->reserved)) ||
	    !memchr(sb->name, 0, sizeof(sb->name))) {
		*what = "superblock has bad fields";
		return -EUCLEAN;
	}
	if (meta_off != MF_SB_META_OFF || !IS_ALIGNED(data_off, MF_POOL_ALIGN) ||
	    !IS_ALIGNED(cap, MF_POOL_ALIGN) || !cap ||
	    check_add_overflow(meta_off, meta_size, &end) || end > data_off ||
	    meta_size < mf_ext_meta_size(cap, unit_shift) ||
	    check_add_overflow(data_off, cap, &end) || end > bytes) {
		*what = "superblock has a bad layout";
		return -EUCLEAN;
	}
	if (bytes > avail) {
		*what = "pool is larger than the device";
		return -EUCLEAN;
	}
	return 0;
}

/* Format a pool in @bytes of the device; fills @fd->sb. */
static int mf_fsdax_format(struct mf_pool *pool, struct mf_fsdax *fd,
			   u64 bytes, u32 unit_shift)
{
	struct mf_pool_sb *sb = &fd->sb;
	int ret;

	memset(sb, 0, sizeof(*sb));
	ret = mf_sb_layout(bytes, unit_shift, sb);
	if (ret)
		return ret;
	sb->magic = cpu_to_le64(MF_SB_MAGIC);
	sb->version = cpu_to_le32(MF_SB_VERSION);
	sb->sb_size = cpu_to_le32(sizeof(*sb));
	uuid_gen(&pool->uuid);
	export_uuid(sb->uuid, &pool->uuid);
	strscpy_pad(sb->name, pool->name, sizeof(sb->name));
	sb->format_time = cpu_to_le64(ktime_get_real_seconds());
	sb->checksum = cpu_to_le32(mf_sb_checksum(sb));

	/* No valid superblock while the metadata is being formatted. */
	memset(fd->kaddr, 0, PAGE_SIZE);
	arch_wb_cache_pmem(fd->kaddr, PAGE_SIZE);
	wmb();	/* the cleared superblock is durable before the metadata */

	pool->meta = fd->kaddr + le64_to_cpu(sb->meta_off);
	pool->meta_size = le64_to_cpu(sb->meta_size);
	ret = mf_ext_format(pool->ext, pool->meta, le64_to_cpu(sb->capacity),
			    unit_shift);
	if (ret)
		return ret;
	arch_wb_cache_pmem(pool->meta, pool->meta_size);
	wmb();	/* the metadata is durable before the superblock */
	mf_pmem_write(fd->kaddr, sb, sizeof(*sb));
	return 0;
}

/* Load the pool whose valid superblock is in @fd->sb. */
static int mf_fsdax_load(struct mf_pool *pool, struct mf_fsdax *fd,
			 struct mf_pool_attach *arg)
{
	const struct mf_pool_sb *sb = &fd->sb;
	u32 unit_shift = le32_to_cpu(sb->unit_shift);

	if (strncmp(sb->name, pool->name, sizeof(sb->name))) {
		pr_notice("%s holds pool '%.*s', not '%s'\n", arg->path,
			  (int)sizeof(sb->name), sb->name, pool->name);
		return -EINVAL;
	}
	if ((arg->bytes && arg->bytes != le64_to_cpu(sb->pool_bytes)) ||
	    (arg->unit_shift && arg->unit_shift != unit_shift)) {
		pr_notice("%s: pool %s has size %llu and unit %llu, not as asked\n",
			  arg->path, pool->name, le64_to_cpu(sb->pool_bytes),
			  1ULL << unit_shift);
		return -EINVAL;
	}
	import_uuid(&pool->uuid, sb->uuid);
	pool->meta = fd->kaddr + le64_to_cpu(sb->meta_off);
	pool->meta_size = le64_to_cpu(sb->meta_size);
	return mf_ext_load(pool->ext, pool->meta, le64_to_cpu(sb->capacity),
			   unit_shift);
}

/*
 * Map the device: kaddr and pfn of its first @want bytes, or of all of it
 * when @want is 0.  Sets @fd->kaddr and @fd->pfn; returns the bytes
 * mapped or a negative errno.
 */
static s64 mf_fsdax_map(struct mf_fsdax *fd, u64 start_off, u64 want)
{
	long nr_pages = PHYS_PFN(want);
	void *kaddr;
	pfn_t pfn;
	long got;
	int id;

	id = dax_read_lock();
	got = dax_direct_access(fd->dax_dev, PHYS_PFN(start_off), nr_pages,
				DAX_ACCESS, &kaddr, &pfn);
	dax_read_unlock(id);
	if (got < 0)
		return got;
	if (got < nr_pages)
		return -ENXIO;	/* not one contiguous range (badblocks?) */
	fd->kaddr = kaddr;
	fd->pfn = pfn_t_to_pfn(pfn);
	return (s64)got << PAGE_SHIFT;
}

/*
 * Open the device of @arg->path for @pool, exclusively, and map all of
 * it; @bytes: out: what the pool may use (@arg->bytes or the whole
 * device).  Returns the backend state, or an ERR_PTR with nothing held.
 */
static struct mf_fsdax *mf_fsdax_open(struct mf_pool *pool,
				      struct mf_pool_attach *arg, u64 *bytes)
{
	struct mf_fsdax *fd;
	u64 start_off, dev_bytes;
	s64 mapped;
	int ret;

	fd = kzalloc(sizeof(*fd), GFP_KERNEL);
	if (!fd)
		return ERR_PTR(-ENOMEM);
	ret = mf_bdev_open(arg->path, true, pool, &fd->mb);
	if (ret)
		goto err_free;
	fd->dax_dev = fs_dax_get_by_bdev(fd->mb.bdev, &start_off, pool, NULL);
	if (IS_ERR_OR_NULL(fd->dax_dev)) {
		ret = fd->dax_dev ? PTR_ERR(fd->dax_dev) : -EOPNOTSUPP;
		goto err_close;
	}

	dev_bytes = round_down(bdev_nr_bytes(fd->mb.bdev), MF_POOL_ALIGN);
	*bytes = arg->bytes ?: dev_bytes;
	if (*bytes > dev_bytes || *bytes < 2 * MF_POOL_ALIGN) {
		ret = -ENOSPC;
		goto err_put_dax;
	}
	/* Map all of the device: a pool found on it may use all of it. */
	mapped = mf_fsdax_map(fd, start_off, dev_bytes);
	if (mapped < 0) {
		ret = mapped;
		goto err_put_dax;
	}
	fd->mapped = mapped;
	return fd;

err_put_dax:
	fs_put_dax(fd->dax_dev, pool);
err_close:
	mf_bdev_close(&fd->mb);
err_free:
	kfree(fd);
	return ERR_PTR(ret);
}

static int mf_fsdax_attach(struct mf_pool *pool, struct mf_pool_attach *arg)
{
	struct mf_fsdax *fd;
	const char *what;
	u32 unit_shift = arg->unit_shift ?: MF_POOL_UNIT_SHIFT_DEFAULT;
	u64 bytes;
	s64 mapped;
	int ret;

	fd = mf_fsdax_open(pool, arg, &bytes);
	if (IS_ERR(fd))
		return PTR_ERR(fd);
	mapped = fd->mapped;

	/* A media error in the superblock is -EIO, not a machine check. */
	if (copy_mc_to_kernel(&fd->sb, fd->kaddr, sizeof(fd->sb)) &&
	    !(arg->flags & MF_POOL_FORMAT)) {
		pr_err("%s: media error in the superblock\n", arg->path);
		ret = -EIO;
		goto err_put_dax;
	}
	if (arg->flags & MF_POOL_FORMAT) {
		ret = mf_fsdax_format(pool, fd, bytes, unit_shift);
		arg->result |= MF_POOL_RESULT_FORMATTED;
	} else if (le64_to_cpu(fd->sb.magic) == MF_SB_MAGIC) {
		ret = mf_sb_validate(&fd->sb, mapped, &what);
		if (ret)
			pr_notice("%s: %s; attach with MF_POOL_FORMAT to format it\n",
				  arg->path, what);
		else
			ret = mf_fsdax_load(pool, fd, arg);
	} else if (!memchr_inv(fd->kaddr, 0, MF_SB_BLANK_BYTES)) {
		ret = mf_fsdax_format(pool, fd, bytes, unit_shift);
		arg->result |= MF_POOL_RESULT_FORMATTED;
	} else {
		pr_notice("%s holds data that is not a memfabric pool; attach with MF_POOL_FORMAT to format it\n",
			  arg->path);
		ret = -EMEDIUMTYPE;
	}
	if (ret)
		goto err_put_dax;

	fd->data_off = le64_to_cpu(fd->sb.data_off);
	pool->bytes = le64_to_cpu(fd->sb.pool_bytes);
	pool->capacity = le64_to_cpu(fd->sb.capacity);
	pool->unit_shift = le32_to_cpu(fd->sb.unit_shift);
	arg->unit_shift = pool->unit_shift;
	arg->bytes = pool->bytes;
	strscpy(pool->device, arg->path, sizeof(pool->device));
	pool->priv = fd;
	return 0;

err_put_dax:
	fs_put_dax(fd->dax_dev, pool);
	mf_bdev_close(&fd->mb);
	kfree(fd);
	return ret;
}

static void mf_fsdax_detach(struct mf_pool *pool)
{
	struct mf_fsdax *fd = pool->priv;

	mf_pool_assert_locked(pool);
	fs_put_dax(fd->dax_dev, pool);
	mf_bdev_close(&fd->mb);
	kfree(fd);
	pool->priv = NULL;
	pool->meta = NULL;
}

/*
 * A multi-host pool (MF_POOL_MH_MANAGER, MF_POOL_MH_MEMBER): the whole
 * device belongs to the multi-host protocol (mf_pool_mh.c formats or
 * reads its layout there); none of our superblock.  The pool's own
 * allocator is a DRAM one of a single unit, used up here, so that the
 * object layer and raw extents allocate nothing in it until they go
 * through the protocol.
 */
static int mf_fsdax_mh_attach(struct mf_pool *pool, struct mf_pool_attach *arg)
{
	u32 unit_shift = arg->unit_shift ?: MF_POOL_UNIT_SHIFT_DEFAULT;
	struct mf_fsdax *fd;
	u64 bytes, off;
	int ret;

	fd = mf_fsdax_open(pool, arg, &bytes);
	if (IS_ERR(fd))
		return PTR_ERR(fd);
	pool->meta_size = mf_ext_meta_size(1ULL << unit_shift, unit_shift);
	pool->meta = kvzalloc(pool->meta_size, GFP_KERNEL);
	if (!pool->meta) {
		ret = -ENOMEM;
		goto err_close;
	}
	ret = mf_ext_format(pool->ext, pool->meta, 1ULL << unit_shift,
			    unit_shift);
	if (!ret)
		ret = mf_ext_alloc(pool->ext, 1ULL << unit_shift,
				   MF_TAG_MH_RESERVED, &off);
	if (ret)
		goto err_meta;
	uuid_gen(&pool->uuid);
	pool->bytes = bytes;
	pool->capacity = 1ULL << unit_shift;
	pool->unit_shift = unit_shift;
	pool->mh_base = fd->kaddr;
	pool->mh_bytes = bytes;
	arg->unit_shift = unit_shift;
	arg->bytes = bytes;
	strscpy(pool->device, arg->path, sizeof(pool->device));
	pool->priv = fd;
	return 0;

err_meta:
	kvfree(pool->meta);
	pool->meta = NULL;
err_close:
	fs_put_dax(fd->dax_dev, pool);
	mf_bdev_close(&fd->mb);
	kfree(fd);
	return ret;
}

static void mf_fsdax_mh_detach(struct mf_pool *pool)
{
	void *meta = pool->meta;

	mf_fsdax_detach(pool);
	kvfree(meta);
	pool->mh_base = NULL;
}

/* The superblock on the device must be the one attach found or wrote. */
static int mf_fsdax_check(struct mf_pool *pool, struct mf_pool_check *res)
{
	struct mf_fsdax *fd = pool->priv;
	struct mf_pool_sb sb;
	const char *what;

	mf_pool_assert_locked(pool);
	if (copy_mc_to_kernel(&sb, fd->kaddr, sizeof(sb)))
		what = "media error in the superblock";
	else if (le64_to_cpu(sb.magic) != MF_SB_MAGIC)
		what = "superblock magic is gone";
	else if (mf_sb_validate(&sb, le64_to_cpu(fd->sb.pool_bytes), &what))
		;
	else if (memcmp(&sb, &fd->sb, sizeof(sb)))
		what = "superblock changed since attach";
	else
		return 0;
	res->errors++;
	res->first_error = MF_POOL_CHECK_SUPERBLOCK;
	strscpy_pad(res->what, what, sizeof(res->what));
	return 0;
}

static unsigned long mf_fsdax_pfn(struct mf_pool *pool, u64 off)
{
	struct mf_fsdax *fd = pool->priv;

	return fd->pfn + PHYS_PFN(fd->data_off + off);
}

const struct mf_backend_ops mf_backend_fsdax = {
	.name		= "fsdax",
	.persistent	= true,
	.attach		= mf_fsdax_attach,
	.detach		= mf_fsdax_detach,
	.check		= mf_fsdax_check,
	.pfn		= mf_fsdax_pfn,
};

/* Volatile for the object layer: it keeps no records there. */
const struct mf_backend_ops mf_backend_fsdax_mh = {
	.name		= "fsdax",
	.persistent	= false,
	.attach		= mf_fsdax_mh_attach,
	.detach		= mf_fsdax_mh_detach,
	.pfn		= mf_fsdax_pfn,
};
