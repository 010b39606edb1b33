// SPDX-License-Identifier: GPL-2.0
/*
 * t_pool_extent - raw extents through MF_IOC_EXTENT_ALLOC, _FREE and
 * _LIST on a ram pool, a node pool and an fsdax pool (a pool of its own
 * made with MF_POOL_FORMAT when mfvm's pool0 is not attached, otherwise
 * pool0 itself, whose extents are all freed again): units and 2 MiB
 * alignment, tags, sysfs and MF_IOC_POOL_LIST counters, ENOSPC against
 * largest_free, fragmentation, MF_IOC_POOL_CHECK, and the
 * extensible-struct rules of the three ioctls.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "mftest.h"
#include "mfpool.h"

#define MIB	(1ULL << 20)

static int fd;

static struct mf_pool_info info_of(const char *pool)
{
	struct mf_pool_info info;

	memset(&info, 0, sizeof(info));
	if (mfp_info(fd, pool, &info))
		mft_report(0, "the pool is listed", "%s", pool);
	return info;
}

static void check_clean(const char *pool, const char *when)
{
	struct mf_pool_check c;
	char what[160];

	snprintf(what, sizeof(what), "%s: POOL_CHECK %s finds nothing", pool, when);
	if (mfp_check(fd, pool, &c)) {
		mft_report(0, what, "ioctl: %s", strerror(errno));
		return;
	}
	mft_report(c.errors == 0 && !c.what[0], what,
		   "%llu errors, first at %llu: %s",
		   (unsigned long long)c.errors,
		   (unsigned long long)c.first_error, c.what);
}

/* The extents test on @pool, which must be empty. */
static void exercise(const char *pool)
{
	struct mf_pool_info info = info_of(pool);
	struct mf_extent_info *ext = NULL;
	uint64_t unit = info.unit, cap = info.capacity;
	uint64_t off[64], small, big, len, tag, o;
	char what[200];
	long n;
	int i, ok;

#define W(fmt, ...) (snprintf(what, sizeof(what), "%s: " fmt, pool, \
			      ##__VA_ARGS__), what)

	MFT_CHECK(info.used == 0 && info.nr_extents == 0, W("starts empty"));
	check_clean(pool, "of the empty pool");

	MFT_OK(mfp_alloc(fd, pool, 1, 0x1111, &small), W("alloc 1 byte"));
	MFT_CHECK(small % unit == 0, W("offset is unit aligned"));
	info = info_of(pool);
	MFT_CHECK(info.used == unit && info.nr_extents == 1,
		  W("1 byte takes one unit"));
	MFT_CHECK(mfp_sysfs_u64(pool, "used") == unit &&
		  mfp_sysfs_u64(pool, "extents") == 1, W("sysfs used/extents"));

	MFT_OK(mfp_alloc(fd, pool, 2 * MIB, 0x2222, &big), W("alloc 2M"));
	MFT_CHECK(big % (2 * MIB) == 0, W("a 2M extent is 2M aligned"));
	MFT_OK(mfp_alloc(fd, pool, 3 * MIB + 5, 0x3333, &o), W("alloc 3M + 5"));
	MFT_CHECK(o % (2 * MIB) == 0, W("a 3M extent is 2M aligned"));
	MFT_CHECK(o + 3 * MIB + 5 <= cap && big + 2 * MIB <= cap,
		  W("extents lie inside the capacity"));

	n = mfp_extents(fd, pool, &ext);
	MFT_CHECK(n == 3, W("EXTENT_LIST has 3 extents"));
	ok = n == 3;
	for (i = 1; ok && i < n; i++)
		ok = ext[i - 1].offset + ext[i - 1].len <= ext[i].offset;
	MFT_CHECK(ok, W("EXTENT_LIST is in offset order, without overlap"));
	for (i = 0, ok = 0; i < n; i++)
		ok += (ext[i].offset == small && ext[i].tag == 0x1111 &&
		       ext[i].len == unit) +
		      (ext[i].offset == big && ext[i].tag == 0x2222 &&
		       ext[i].len == 2 * MIB) +
		      (ext[i].offset == o && ext[i].tag == 0x3333 &&
		       ext[i].len == (3 * MIB + 5 + unit - 1) / unit * unit);
	MFT_CHECK(ok == 3, W("EXTENT_LIST: offsets, lengths and tags"));
	free(ext);
	check_clean(pool, "with 3 extents");

	MFT_OK(mfp_free(fd, pool, big, &len, &tag), W("free the 2M extent"));
	MFT_CHECK(len == 2 * MIB && tag == 0x2222,
		  W("FREE returns its length and tag"));
	MFT_ERRNO(mfp_free(fd, pool, big, NULL, NULL), ENOENT,
		  W("a second free is ENOENT"));
	MFT_ERRNO(mfp_free(fd, pool, o + unit, NULL, NULL), ENOENT,
		  W("freeing an extent's inside is ENOENT"));
	MFT_ERRNO(mfp_free(fd, pool, small + 1, NULL, NULL), ENOENT,
		  W("freeing an unaligned offset is ENOENT"));
	MFT_ERRNO(mfp_free(fd, pool, cap + 4096, NULL, NULL), ENOENT,
		  W("freeing beyond the capacity is ENOENT"));
	MFT_ERRNO(mfp_alloc(fd, pool, 0, 1, &o), EINVAL, W("alloc 0 is EINVAL"));
	MFT_ERRNO(mfp_alloc(fd, pool, cap + 1, 1, &o), EINVAL,
		  W("alloc beyond the capacity is EINVAL"));
	MFT_ERRNO(mfp_alloc(fd, pool, ~0ULL, 1, &o), EINVAL,
		  W("alloc 2^64 - 1 is EINVAL"));
	MFT_OK(mfp_free(fd, pool, small, NULL, NULL), W("free the 1-byte extent"));
	n = mfp_extents(fd, pool, &ext);
	MFT_CHECK(n == 1 && ext[0].tag == 0x3333, W("one extent is left"));
	if (n == 1)
		MFT_OK(mfp_free(fd, pool, ext[0].offset, NULL, NULL),
		       W("free the last one"));
	free(ext);

	/* Fragmentation: many units, every other one freed. */
	for (i = 0; i < 64; i++)
		if (mfp_alloc(fd, pool, unit, 100 + i, &off[i]))
			break;
	MFT_CHECK(i == 64, W("64 one-unit extents"));
	for (i = 0; i < 64; i += 2)
		mfp_free(fd, pool, off[i], NULL, NULL);
	info = info_of(pool);
	MFT_CHECK(info.nr_extents == 32 && info.used == 32 * unit,
		  W("32 left after freeing every other one"));
	MFT_CHECK(info.largest_free < info.free && info.nr_free_extents >= 32,
		  W("the free space is in pieces"));
	MFT_CHECK(info.frag_permille ==
		  (info.free - info.largest_free) * 1000 / info.free,
		  W("fragmentation is 1000 * (1 - largest_free / free)"));
	MFT_CHECK(mfp_sysfs_u64(pool, "fragmentation") == info.frag_permille,
		  W("sysfs fragmentation matches LIST"));
	check_clean(pool, "when fragmented");
	for (i = 1; i < 64; i += 2)
		mfp_free(fd, pool, off[i], NULL, NULL);
	info = info_of(pool);
	MFT_CHECK(info.used == 0 && info.free == info.capacity &&
		  info.largest_free == info.capacity && info.frag_permille == 0 &&
		  info.nr_free_extents == 1,
		  W("everything freed: one free extent, no fragmentation"));

	/* ENOSPC: the whole capacity fits once; then nothing does. */
	MFT_OK(mfp_alloc(fd, pool, cap, 7, &big), W("alloc the whole capacity"));
	info = info_of(pool);
	MFT_CHECK(info.free == 0 && info.largest_free == 0 &&
		  mfp_sysfs_u64(pool, "largest_free") == 0,
		  W("full: free and largest_free are 0"));
	MFT_ERRNO(mfp_alloc(fd, pool, unit, 8, &o), ENOSPC,
		  W("a full pool is ENOSPC"));
	check_clean(pool, "when full");
	MFT_OK(mfp_free(fd, pool, big, NULL, NULL), W("free it"));
	/* One unit at the start: largest_free + unit no longer fits. */
	MFT_OK(mfp_alloc(fd, pool, unit, 9, &small), W("alloc one unit"));
	info = info_of(pool);
	MFT_CHECK(info.largest_free == cap - unit, W("largest_free is the rest"));
	MFT_ERRNO(mfp_alloc(fd, pool, info.largest_free + unit, 10, &o), ENOSPC,
		  W("largest_free + unit is ENOSPC"));
	MFT_OK(mfp_alloc(fd, pool, 2 * MIB, 11, &big),
	       W("2M still fits, aligned, after the unit"));
	MFT_CHECK(big % (2 * MIB) == 0 && big != small, W("at a 2M boundary"));
	MFT_OK(mfp_free(fd, pool, big, NULL, NULL), W("free the 2M"));
	MFT_OK(mfp_free(fd, pool, small, NULL, NULL), W("free the unit"));
	info = info_of(pool);
	MFT_CHECK(info.used == 0 && info.nr_extents == 0 &&
		  info.free == info.capacity, W("empty again"));
	check_clean(pool, "at the end");
#undef W
}

static void test_abi(const char *pool)
{
	struct mf_extent_alloc a = { .size = sizeof(a), .len = 4096, .tag = 1 };
	struct mf_extent_free f = { .size = sizeof(f) };
	struct mf_extent_list l = { .size = sizeof(l) };
	struct mf_extent_info infos[4];
	struct {
		struct mf_extent_info info;
		uint64_t extra;
	} big[4];
	uint64_t off;
	char *p;

	mfp_name(a.pool, pool);
	mfp_name(f.pool, pool);
	mfp_name(l.pool, pool);
	mfp_abi_checks(fd, MF_IOC_EXTENT_ALLOC, "EXTENT_ALLOC", &a, sizeof(a), 0,
		       offsetof(struct mf_extent_alloc, reserved), 8, 1);
	a.offset = 4096;
	MFT_ERRNO(ioctl(fd, MF_IOC_EXTENT_ALLOC, &a), EINVAL,
		  "EXTENT_ALLOC: a non-zero offset (output) is EINVAL");
	MFT_CHECK(mfp_sysfs_u64(pool, "extents") == 0,
		  "EXTENT_ALLOC: the checks allocated nothing");
	MFT_ERRNO(mfp_alloc(fd, "t_none", 4096, 1, &off), ENOENT,
		  "EXTENT_ALLOC in no such pool is ENOENT");
	MFT_ERRNO(mfp_alloc(fd, "bad name", 4096, 1, &off), EINVAL,
		  "EXTENT_ALLOC with a bad pool name is EINVAL");

	MFT_OK(mfp_alloc(fd, pool, 4096, 42, &off), "EXTENT_ALLOC for the checks");
	f.offset = off;
	mfp_abi_checks(fd, MF_IOC_EXTENT_FREE, "EXTENT_FREE", &f, sizeof(f), 0,
		       offsetof(struct mf_extent_free, reserved), 8, 1);
	f.tag = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_EXTENT_FREE, &f), EINVAL,
		  "EXTENT_FREE: a non-zero tag (output) is EINVAL");
	MFT_CHECK(mfp_sysfs_u64(pool, "extents") == 1,
		  "EXTENT_FREE: the checks freed nothing");

	l.extents = (uintptr_t)infos;
	l.count = 4;
	l.entry_size = sizeof(infos[0]);
	mfp_abi_checks(fd, MF_IOC_EXTENT_LIST, "EXTENT_LIST", &l, sizeof(l), 0,
		       offsetof(struct mf_extent_list, reserved), 8, 1);
	l.extents = 16;
	MFT_ERRNO(ioctl(fd, MF_IOC_EXTENT_LIST, &l), EFAULT,
		  "EXTENT_LIST: a wild array pointer is EFAULT");
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	l.extents = (uintptr_t)p;
	MFT_ERRNO(ioctl(fd, MF_IOC_EXTENT_LIST, &l), EFAULT,
		  "EXTENT_LIST: a read-only array is EFAULT");
	munmap(p, 4096);
	l.extents = (uintptr_t)infos;
	l.entry_size = 23;
	MFT_ERRNO(ioctl(fd, MF_IOC_EXTENT_LIST, &l), EINVAL,
		  "EXTENT_LIST: entry_size 23 is EINVAL");
	l.entry_size = sizeof(big[0]);
	l.extents = (uintptr_t)big;
	memset(big, 0xa5, sizeof(big));
	MFT_OK(ioctl(fd, MF_IOC_EXTENT_LIST, &l), "EXTENT_LIST with larger entries");
	MFT_CHECK(l.count == 1 && big[0].info.offset == off &&
		  big[0].info.tag == 42 && big[0].extra == 0 &&
		  big[1].info.offset == 0xa5a5a5a5a5a5a5a5ULL,
		  "EXTENT_LIST: larger entries filled, tails zeroed, no more");
	l.count = 0;
	l.entry_size = sizeof(infos[0]);
	MFT_OK(ioctl(fd, MF_IOC_EXTENT_LIST, &l), "EXTENT_LIST with count 0");
	MFT_CHECK(l.count == 1, "EXTENT_LIST with count 0 tells how many");
	MFT_OK(mfp_free(fd, pool, off, NULL, NULL), "EXTENT_FREE after the checks");
}

int main(int argc, char **argv)
{
	const char *pmem = getenv("MFVM_PMEM");
	const char *dax_node = getenv("MFVM_DAX_NODE");
	struct mf_pool_attach a;
	struct mf_pool_info info;
	const char *fsdax = "pool0";

	mft_init(argv[0]);
	(void)argc;
	fd = mfp_open();

	MFT_OK(mfp_attach_ram(fd, "t_ext_ram", 64 << 20), "attach a 64M ram pool");
	exercise("t_ext_ram");
	test_abi("t_ext_ram");
	MFT_OK(mfp_detach(fd, "t_ext_ram"), "detach the ram pool");

	a = mfp_attach_arg("t_ext_node", MF_POOL_BACKEND_NODE, NULL,
			   dax_node ? atoi(dax_node) : 0, 32 << 20);
	a.unit_shift = 16;
	MFT_OK(ioctl(fd, MF_IOC_POOL_ATTACH, &a),
	       dax_node ? "attach a 32M pool on the --dax-node node, 64K unit" :
	       "attach a 32M pool on node 0, 64K unit");
	exercise("t_ext_node");
	MFT_OK(mfp_detach(fd, "t_ext_node"), "detach the node pool");

	if (!mfp_exists(fd, "pool0")) {
		fsdax = "t_ext_dax";
		MFT_OK(pmem && !mfp_attach_fsdax(fd, fsdax, pmem, MF_POOL_FORMAT,
						  NULL) ? 0 : -1,
		       "format an fsdax pool on $MFVM_PMEM");
	}
	if (!mfp_info(fd, fsdax, &info) && info.nr_extents == 0)
		exercise(fsdax);
	else
		mft_report(0, "the fsdax pool is there and empty", "%s", fsdax);
	if (strcmp(fsdax, "pool0"))
		MFT_OK(mfp_detach(fd, fsdax), "detach the fsdax pool");
	close(fd);
	return mft_done();
}
