// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj - objects: MF_IOC_OBJ_ALLOC, _GET, _PUT, _FREE, _BATCH_FREE,
 * _STAT and _EXPAND.  Ids (given or generated), sizes, zeroed memory,
 * 2 MiB alignment, map offsets as handles, ownership (a private object is
 * its owner's: nobody else may get, read, write, grow or free it), freeing
 * while referenced, and the extensible-struct rules of each ioctl.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_obj"
#define SECID	"obj-secret"

static int fd;

/* The extent of the pool at @off (root: MF_IOC_EXTENT_LIST); 0 or -1. */
static int pool_extent(uint64_t len, uint64_t tag, struct mf_extent_info *out,
		       int nth)
{
	struct mf_extent_info *e;
	long n, i;
	int seen = 0;

	n = mfp_extents(fd, mfo_pool, &e);
	for (i = 0; i < n; i++)
		if (e[i].len == len && e[i].tag == tag && seen++ == nth) {
			*out = e[i];
			free(e);
			return 0;
		}
	free(e);
	return -1;
}

static void test_alloc(void)
{
	char id[MF_OBJ_ID_LEN], id2[MF_OBJ_ID_LEN];
	struct mf_extent_info ext;
	struct mf_obj_alloc a;
	struct mf_obj_stat st;
	uint64_t mo, mo2, mo3;
	unsigned char buf[4096];
	size_t i;
	int zero;

	MFT_OK(mfo_alloc(fd, NS, SECID, "o1", 10000, &mo, id), "allocate o1");
	MFT_CHECK(mo && !(mo & ((1ULL << 40) - 1)),
		  "its map offset is a non-zero multiple of 1 TiB");
	MFT_CHECK(!strcmp(id, "o1"), "the id comes back");
	MFT_OK(mfo_stat_obj(fd, mo, &st), "STAT it");
	MFT_CHECK(st.bytes == 10000 && st.type == MF_OBJ_PRIVATE_RW &&
		  st.refs == 1 && st.owner == 0 && st.obj_flags == 0 &&
		  st.map_count == 0, "size, private, one reference, owner root");
	MFT_CHECK(st.nr_extents == 1 && st.nr_shared == 0 &&
		  st.ext_bytes == 12288, "one extent of three pages");
	MFT_CHECK(st.age < 5 && st.ctime > 1600000000ULL, "just created");
	MFT_CHECK(!strcmp(st.id, "o1") && !strcmp(st.ns, NS) &&
		  !strcmp(st.pool, mfo_pool), "its names");
	MFT_ERRNO(mfo_alloc(fd, NS, SECID, "o1", 100, NULL, NULL), EEXIST,
		  "a taken id is EEXIST");

	MFT_OK(mfo_alloc(fd, NS, SECID, NULL, 1, &mo2, id), "an empty id asks the kernel");
	MFT_CHECK(strlen(id) == 16 && strspn(id, "0123456789abcdef") == 16,
		  "which makes one up (16 hex digits)");
	MFT_OK(mfo_alloc(fd, NS, SECID, NULL, 1, &mo3, id2), "and again");
	MFT_CHECK(strcmp(id, id2) && mo2 != mo3 && mo != mo2,
		  "ids and map offsets differ");
	MFT_OK(mfo_free(fd, NS, SECID, id), "free the first");
	MFT_OK(mfo_free(fd, NS, SECID, id2), "free the second");
	MFT_OK(mfo_put(fd, mo2), "put the first");
	MFT_OK(mfo_put(fd, mo3), "put the second");

	MFT_ERRNO(mfo_alloc(fd, NS, SECID, "z", 0, NULL, NULL), EINVAL,
		  "size 0 is EINVAL");
	MFT_ERRNO(mfo_alloc(fd, NS, SECID, "z", MF_OBJ_MAX_SIZE + 1, NULL, NULL),
		  EINVAL, "a size above MF_OBJ_MAX_SIZE is EINVAL");
	MFT_ERRNO(mfo_alloc(fd, NS, SECID, "z", MF_OBJ_MAX_SIZE, NULL, NULL),
		  ENOSPC, "a size above the pool's is ENOSPC");
	MFT_ERRNO(mfo_alloc(fd, NS, SECID, "a/b", 1, NULL, NULL), EINVAL,
		  "an id with '/' is EINVAL");
	MFT_ERRNO(mfo_alloc(fd, NS, "wrong", "z", 1, NULL, NULL), EACCES,
		  "a wrong secId is EACCES");
	MFT_ERRNO(mfo_alloc(fd, "t_obj.none", SECID, "z", 1, NULL, NULL), ENOENT,
		  "an unknown namespace is ENOENT");

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	mfo_name(&a.name, "nosuchpool", NS, SECID, "z");
	a.bytes = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_ALLOC, &a), ENOENT,
		  "an unknown pool is ENOENT");
	mfo_name(&a.name, mfo_pool, NS, SECID, "z");
	a.map_offset = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_ALLOC, &a), EINVAL,
		  "a non-zero output field is EINVAL");
	a.map_offset = 0;
	a.name.id[10] = 'x';
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_ALLOC, &a), EINVAL,
		  "bytes after the id's NUL are EINVAL");
	mfo_name(&a.name, mfo_pool, NS, SECID, "z");
	mfp_abi_checks(fd, MF_IOC_OBJ_ALLOC, "OBJ_ALLOC", &a, sizeof(a), 0,
		       offsetof(struct mf_obj_alloc, reserved), 4, 0);
	MFT_ERRNO(mfo_get(fd, NS, SECID, "z", NULL, NULL), ENOENT,
		  "no check created object z");

	/* 2 MiB and more: one extent, 2 MiB aligned. */
	MFT_OK(mfo_alloc(fd, NS, SECID, "big", (4 << 20) + 100, &mo2, NULL),
	       "allocate 4 MiB + 100");
	MFT_CHECK(!mfo_stat_obj(fd, mo2, &st) && st.nr_extents == 1 &&
		  st.ext_bytes == (4 << 20) + 4096, "in one extent");
	MFT_CHECK(!pool_extent((4 << 20) + 4096, 0x4d46444154410000ULL, &ext, 0) &&
		  !(ext.offset & ((2 << 20) - 1)),
		  "a data extent 2 MiB aligned in the pool");

	/* Memory is zeroed, even where an older object wrote. */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = 0xee;
	MFT_OK(mfo_write(fd, mo2, 4 << 20, 100, buf), "write the end of big");
	MFT_OK(mfo_free(fd, NS, SECID, "big"), "free big");
	MFT_OK(mfo_put(fd, mo2), "put big");
	MFT_OK(mfo_alloc(fd, NS, SECID, "big2", (4 << 20) + 100, &mo2, NULL),
	       "allocate the same size again");
	memset(buf, 0x55, sizeof(buf));
	MFT_OK(mfo_read(fd, mo2, 4 << 20, 100, buf), "read its end");
	for (zero = 1, i = 0; i < 100; i++)
		zero &= buf[i] == 0;
	MFT_CHECK(zero, "a new object reads as zeros");
	MFT_OK(mfo_free(fd, NS, SECID, "big2"), "free big2");
	MFT_OK(mfo_put(fd, mo2), "put big2");
	MFT_OK(mfo_free(fd, NS, SECID, "o1"), "free o1");
	MFT_OK(mfo_put(fd, mo), "put o1");
}

static void test_get_put(void)
{
	struct mf_obj_get g;
	struct mf_obj_put p;
	struct mf_obj_stat st;
	uint64_t mo, mo2;

	MFT_OK(mfo_alloc(fd, NS, SECID, "g1", 777, &mo, NULL), "allocate g1");
	MFT_OK(mfo_get(fd, NS, SECID, "g1", &mo2, &g), "GET g1");
	MFT_CHECK(mo2 == mo && g.bytes == 777 && g.type == MF_OBJ_PRIVATE_RW,
		  "GET gives the same map offset, size and type");
	MFT_CHECK(mfo_refs(fd, mo) == 2, "two references");
	MFT_OK(mfo_put(fd, mo), "PUT one");
	MFT_CHECK(mfo_refs(fd, mo) == 1, "one reference");
	MFT_OK(mfo_put(fd, mo), "PUT the last");
	MFT_ERRNO(mfo_stat_obj(fd, mo, &st), ENOENT,
		  "no handle left: STAT is ENOENT");
	MFT_ERRNO(mfo_put(fd, mo), ENOENT, "PUT without a handle is ENOENT");
	MFT_OK(mfo_get(fd, NS, SECID, "g1", &mo2, NULL),
	       "an unreferenced object still exists");
	MFT_CHECK(mo2 == mo, "with the same map offset");

	MFT_ERRNO(mfo_get(fd, NS, SECID, "nope", NULL, NULL), ENOENT,
		  "GET of an unknown id is ENOENT");
	MFT_ERRNO(mfo_get(fd, NS, "wrong", "g1", NULL, NULL), EACCES,
		  "GET with a wrong secId is EACCES");
	MFT_ERRNO(mfo_get(fd, NS, SECID, "", NULL, NULL), EINVAL,
		  "GET of an empty id is EINVAL");
	MFT_ERRNO(mfo_get(fd, "nope", SECID, "g1", NULL, NULL), ENOENT,
		  "GET in an unknown namespace is ENOENT");
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	mfo_name(&g.name, mfo_pool, NS, SECID, "g1");
	g.bytes = 5;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_GET, &g), EINVAL,
		  "GET: a non-zero output field is EINVAL");
	g.bytes = 0;
	mfp_abi_checks(fd, MF_IOC_OBJ_GET, "OBJ_GET", &g, sizeof(g), 0,
		       offsetof(struct mf_obj_get, reserved), 4, 0);

	MFT_ERRNO(mfo_put(fd, mo + 4096), EINVAL,
		  "PUT of an offset inside an object's range is EINVAL");
	MFT_ERRNO(mfo_put(fd, 0), EINVAL, "PUT of offset 0 is EINVAL");
	MFT_ERRNO(mfo_put(fd, mo + (1ULL << 40) * 1000), ENOENT,
		  "PUT of another object's offset is ENOENT");
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.obj = mo + (1ULL << 40) * 1000;
	mfp_abi_checks(fd, MF_IOC_OBJ_PUT, "OBJ_PUT", &p, sizeof(p), 0,
		       offsetof(struct mf_obj_put, reserved), 8, 0);
	MFT_CHECK(mfo_refs(fd, mo) == 1, "the checks left one reference");
	MFT_OK(mfo_free(fd, NS, SECID, "g1"), "free g1");
	MFT_OK(mfo_put(fd, mo), "put g1");
}

static void test_free(void)
{
	unsigned long long free0 = mfp_sysfs_u64(mfo_pool, "free"), free1;
	struct mf_obj_free f;
	struct mf_obj_stat st;
	char buf[8] = "";
	uint64_t mo, mo2;

	MFT_OK(mfo_alloc(fd, NS, SECID, "f1", 1 << 20, &mo, NULL),
	       "allocate f1");
	MFT_OK(mfo_write(fd, mo, 100, 4, "data"), "write it");
	MFT_OK(mfo_free(fd, NS, SECID, "f1"), "free it while a handle is held");
	MFT_ERRNO(mfo_get(fd, NS, SECID, "f1", NULL, NULL), ENOENT,
		  "it is hidden from GET at once");
	MFT_ERRNO(mfo_free(fd, NS, SECID, "f1"), ENOENT,
		  "a second free is ENOENT");
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) &&
		  (st.obj_flags & MF_OBJ_STAT_FREED) && st.refs == 1,
		  "STAT through the handle: freed, one reference");
	MFT_CHECK(!mfo_read(fd, mo, 100, 4, buf) && !memcmp(buf, "data", 4),
		  "the handle still reads it");
	MFT_CHECK(mfp_sysfs_u64(mfo_pool, "free") == free0 - (1 << 20),
		  "its memory is not returned while referenced");
	MFT_OK(mfo_alloc(fd, NS, SECID, "f1", 4096, &mo2, NULL),
	       "the id can be used again at once");
	MFT_OK(mfo_put(fd, mo2), "put the new f1 (it stays, unreferenced)");
	free1 = mfp_sysfs_u64(mfo_pool, "free");
	MFT_OK(mfo_put(fd, mo), "put the freed object's last reference");
	MFT_CHECK(mfp_sysfs_u64(mfo_pool, "free") == free1 + (1 << 20),
		  "its memory is back in the pool");
	MFT_OK(mfo_free(fd, NS, SECID, "f1"), "free the new f1 (no handle)");
	MFT_ERRNO(mfo_get(fd, NS, SECID, "f1", NULL, NULL), ENOENT,
		  "... which is gone at once");
	MFT_CHECK(mfp_sysfs_u64(mfo_pool, "free") == free0,
		  "and every byte is back");

	MFT_ERRNO(mfo_free(fd, NS, "wrong", "f1"), EACCES,
		  "FREE with a wrong secId is EACCES");
	MFT_ERRNO(mfo_free(fd, NS, SECID, "nope"), ENOENT,
		  "FREE of an unknown id is ENOENT");
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	mfo_name(&f.name, mfo_pool, NS, SECID, "nope");
	mfp_abi_checks(fd, MF_IOC_OBJ_FREE, "OBJ_FREE", &f, sizeof(f), 0,
		       offsetof(struct mf_obj_free, reserved), 8, 0);
}

static void test_batch_free(void)
{
	char ids[12][MF_OBJ_ID_LEN];
	struct mf_obj_batch_free b;
	uint64_t mo;
	int i;

	memset(ids, 0, sizeof(ids));
	for (i = 0; i < 10; i++) {
		snprintf(ids[i], sizeof(ids[i]), "b%d", i);
		MFT_OK(mfo_alloc(fd, NS, SECID, ids[i], 100 * (i + 1), &mo, NULL),
		       "allocate a batch object");
		MFT_OK(mfo_put(fd, mo), "and put it");
	}
	strcpy(ids[10], "nope");
	strcpy(ids[11], "b0");
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	mfo_str(b.pool, sizeof(b.pool), mfo_pool);
	mfo_str(b.ns, sizeof(b.ns), NS);
	mfo_str(b.secid, sizeof(b.secid), SECID);
	b.ids = (uintptr_t)ids;
	b.count = 12;
	MFT_OK(ioctl(fd, MF_IOC_OBJ_BATCH_FREE, &b), "BATCH_FREE 12 ids");
	MFT_CHECK(b.nr_freed == 10 && b.first_failed == 10 &&
		  b.first_error == ENOENT,
		  "frees 10, the first failure is the unknown id");
	MFT_ERRNO(mfo_get(fd, NS, SECID, "b5", NULL, NULL), ENOENT,
		  "they are gone");

	memset(&b.nr_freed, 0, 12);
	b.count = 1;
	b.ids = 8;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_BATCH_FREE, &b), EFAULT,
		  "a wild ids pointer is EFAULT");
	b.ids = (uintptr_t)ids;
	b.count = MF_OBJ_BATCH_MAX + 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_BATCH_FREE, &b), EINVAL,
		  "more than MF_OBJ_BATCH_MAX ids is EINVAL");
	b.count = 0;
	mfo_str(b.secid, sizeof(b.secid), "wrong");
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_BATCH_FREE, &b), EACCES,
		  "a wrong secId is EACCES, even for no ids");
	mfo_str(b.secid, sizeof(b.secid), SECID);
	MFT_OK(ioctl(fd, MF_IOC_OBJ_BATCH_FREE, &b), "no ids is fine");
	b.first_error = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_BATCH_FREE, &b), EINVAL,
		  "a non-zero output field is EINVAL");
	b.first_error = 0;
	b.first_failed = 0;
	mfp_abi_checks(fd, MF_IOC_OBJ_BATCH_FREE, "OBJ_BATCH_FREE", &b,
		       sizeof(b), 0, offsetof(struct mf_obj_batch_free, reserved),
		       8, 0);
}

static void test_expand(void)
{
	struct mf_obj_expand e;
	struct mf_obj_stat st;
	unsigned char buf[8192];
	uint64_t mo, mo2;
	size_t i;
	int zero = 1;

	MFT_OK(mfo_alloc(fd, NS, SECID, "e1", 10000, &mo, NULL), "allocate e1");
	memset(buf, 0x3c, sizeof(buf));
	MFT_OK(mfo_write(fd, mo, 0, 10000 > sizeof(buf) ? sizeof(buf) : 10000,
			 buf), "write it");
	MFT_OK(mfo_expand(fd, mo, 11000), "grow it within its last page");
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) && st.bytes == 11000 &&
		  st.nr_extents == 1, "same extent, new size");
	MFT_OK(mfo_expand(fd, mo, (5 << 20) + 1), "grow it to 5 MiB + 1");
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) && st.bytes == (5 << 20) + 1 &&
		  st.nr_extents == 2 && st.ext_bytes == (5 << 20) + 4096,
		  "a second extent is appended");
	MFT_OK(mfo_get(fd, NS, SECID, "e1", &mo2, NULL), "GET it");
	MFT_CHECK(mo2 == mo, "the map offset did not change");
	MFT_OK(mfo_put(fd, mo2), "put the GET");
	memset(buf, 0xff, sizeof(buf));
	MFT_OK(mfo_read(fd, mo, 0, sizeof(buf), buf), "read the old part");
	for (i = 0; i < sizeof(buf); i++)
		zero &= buf[i] == 0x3c;
	MFT_CHECK(zero, "the old data stayed");
	MFT_OK(mfo_read(fd, mo, 5 << 20, 1, buf), "read the new last byte");
	MFT_CHECK(buf[0] == 0, "new memory is zero");
	MFT_OK(mfo_write(fd, mo, 12000, 3, "abc"),
	       "write across the old end (12000, in the new extent)");
	MFT_ERRNO(mfo_expand(fd, mo, 100), EINVAL, "shrinking is EINVAL");
	MFT_ERRNO(mfo_expand(fd, mo, (5 << 20) + 1), EINVAL,
		  "the same size is EINVAL");
	MFT_ERRNO(mfo_expand(fd, mo, MF_OBJ_MAX_SIZE + 1), EINVAL,
		  "above MF_OBJ_MAX_SIZE is EINVAL");
	MFT_ERRNO(mfo_expand(fd, mo, MF_OBJ_MAX_SIZE), ENOSPC,
		  "more than the pool has is ENOSPC");
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) && st.bytes == (5 << 20) + 1,
		  "a failed grow changes nothing");
	MFT_ERRNO(mfo_expand(fd, mo + (1ULL << 40) * 999, 1 << 20), ENOENT,
		  "EXPAND without a handle is ENOENT");
	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.obj = mo;
	e.bytes = 1;
	mfp_abi_checks(fd, MF_IOC_OBJ_EXPAND, "OBJ_EXPAND", &e, sizeof(e), 0,
		       offsetof(struct mf_obj_expand, reserved), 8, 0);
	MFT_OK(mfo_free(fd, NS, SECID, "e1"), "free e1");
	MFT_OK(mfo_put(fd, mo), "put e1");
}

static void test_stat_abi(void)
{
	struct mf_obj_stat st;
	uint64_t mo;

	MFT_OK(mfo_alloc(fd, NS, SECID, "s1", 1, &mo, NULL), "allocate s1");
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.obj = mo;
	st.refs = 3;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_STAT, &st), EINVAL,
		  "STAT: a non-zero output field is EINVAL");
	st.refs = 0;
	mfp_abi_checks(fd, MF_IOC_OBJ_STAT, "OBJ_STAT", &st, sizeof(st), 0,
		       offsetof(struct mf_obj_stat, reserved), 8, 0);
	MFT_ERRNO(mfo_stat_obj(fd, mo + 1, &st), EINVAL,
		  "STAT of an unaligned offset is EINVAL");
	MFT_OK(mfo_free(fd, NS, SECID, "s1"), "free s1");
	MFT_OK(mfo_put(fd, mo), "put s1");
}

/* As nobody, with root's descriptor and handle: everything is refused. */
static int nobody_private(int fd_, void *arg)
{
	uint64_t mo = *(uint64_t *)arg;
	struct mf_obj_stat st;
	char buf[4];

	if (!mfo_get(fd_, NS, SECID, "p1", NULL, NULL) || errno != EACCES)
		return 1;
	if (!mfo_read(fd_, mo, 0, 4, buf) || errno != EACCES)
		return 2;
	if (!mfo_write(fd_, mo, 0, 4, "evil") || errno != EACCES)
		return 3;
	if (!mfo_expand(fd_, mo, 1 << 20) || errno != EACCES)
		return 4;
	if (!mfo_free(fd_, NS, SECID, "p1") || errno != EPERM)
		return 5;
	if (!mfo_publish(fd_, NS, SECID, "p1") || errno != EPERM)
		return 6;
	if (mfo_stat_obj(fd_, mo, &st) || st.owner != 0)
		return 7;
	/* Its own object is its own. */
	if (mfo_alloc(fd_, NS, SECID, "nob1", 100, &mo, NULL))
		return 8;
	if (mfo_write(fd_, mo, 0, 4, "mine") || mfo_read(fd_, mo, 0, 4, buf) ||
	    memcmp(buf, "mine", 4))
		return 9;
	if (mfo_stat_obj(fd_, mo, &st) || st.owner != MFP_NOBODY)
		return 10;
	if (mfo_put(fd_, mo))
		return 11;
	return 0;
}

static void test_owner(void)
{
	char buf[4] = "";
	uint64_t mo, mo2;
	int rc;

	MFT_OK(mfo_alloc(fd, NS, SECID, "p1", 100, &mo, NULL),
	       "root allocates p1");
	MFT_OK(mfo_write(fd, mo, 0, 4, "root"), "and writes it");
	rc = mfo_as_nobody(fd, nobody_private, &mo);
	mft_report(rc == 0, "nobody cannot get, read, write, grow, free or publish root's private object, but owns its own",
		   "step %d failed", rc);
	MFT_CHECK(!mfo_read(fd, mo, 0, 4, buf) && !memcmp(buf, "root", 4),
		  "p1 is unchanged");
	MFT_OK(mfo_get(fd, NS, SECID, "nob1", &mo2, NULL),
	       "root (CAP_SYS_ADMIN) may get nobody's object");
	MFT_CHECK(!mfo_read(fd, mo2, 0, 4, buf) && !memcmp(buf, "mine", 4),
		  "and read it");
	MFT_OK(mfo_free(fd, NS, SECID, "nob1"), "and free it");
	MFT_OK(mfo_put(fd, mo2), "put nob1");
	MFT_OK(mfo_free(fd, NS, SECID, "p1"), "free p1");
	MFT_OK(mfo_put(fd, mo), "put p1");
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;

	(void)argc;
	fd = mfo_begin(argv[0], NS, SECID, &snap);

	test_alloc();
	test_get_put();
	test_free();
	test_batch_free();
	test_expand();
	test_stat_abi();
	test_owner();

	return mfo_end(fd, NS, SECID, &snap, "after t_obj");
}
