// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_persist - namespaces and objects of a persistent (fsdax) pool.
 *
 *   t_obj_persist
 *	(the guest suite) what attach does with what a crash leaves: data
 *	extents no object lists and record extents that hold no valid record
 *	(made here as raw extents with the object layer's tags) are freed
 *	when pool0 is attached again; the objects, their contents and raw
 *	extents of other tags stay.
 *   t_obj_persist setup FILE | check FILE | cleanup
 *	the phases of tests/host/t_obj_persist.sh: make namespaces and
 *	objects of every kind in pool0 (generated ids are written to FILE),
 *	check them after a module reload or a reboot, remove them.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"persist"
#define SECID	"persist-secret-7f3a9c"
#define MB	(1ULL << 20)

#define TAG_DATA	0x4d46444154410000ULL
#define TAG_NS_RECORD	0x4d464e5352454300ULL
#define TAG_OBJ_RECORD	0x4d464f424a524543ULL

static int fd;

static int has_pattern(uint64_t mo, uint64_t off, size_t len, uint64_t seed)
{
	char *buf = malloc(len);
	int ok;

	ok = buf && !mfo_read(fd, mo, off, len, buf) &&
	     mfo_check_pattern(buf, len, seed, off);
	free(buf);
	return ok;
}

static int fill(uint64_t mo, uint64_t off, size_t len, uint64_t seed)
{
	char *buf = malloc(len);
	int ret;

	mfo_pattern(buf, len, seed, off);
	ret = mfo_write(fd, mo, off, len, buf);
	free(buf);
	return ret;
}

static void setup(const char *file)
{
	char id[MF_OBJ_ID_LEN];
	uint64_t mo = 0, pub = 0, der = 0;
	FILE *f;

	MFT_OK(mfo_ns_create(fd, mfo_pool, NS, SECID, 0, 42), "create " NS);
	MFT_OK(mfo_ns_create(fd, mfo_pool, "persist.empty", "e", 3600, 1),
	       "create persist.empty");
	MFT_OK(mfo_alloc(fd, NS, SECID, "priv", 3 * MB + 17, &mo, NULL),
	       "allocate priv");
	MFT_OK(fill(mo, 0, 3 * MB + 17, 31), "fill priv");
	MFT_OK(mfo_put(fd, mo), "put priv");

	MFT_OK(mfo_alloc(fd, NS, SECID, "pub", 100000, &pub, NULL),
	       "allocate pub");
	MFT_OK(fill(pub, 0, 100000, 32), "fill pub");
	MFT_OK(mfo_publish(fd, NS, SECID, "pub"), "publish pub");
	MFT_OK(mfo_derive(fd, pub, NS, SECID, "der", &der), "derive der from pub");
	MFT_OK(mfo_write(fd, der, 70000, 3, "COW"), "write der");
	MFT_OK(mfo_put(fd, pub), "put pub");
	MFT_OK(mfo_put(fd, der), "put der");

	MFT_OK(mfo_alloc(fd, NS, SECID, NULL, 5000, &mo, id),
	       "allocate an object with a generated id");
	MFT_OK(fill(mo, 0, 5000, 33), "fill it");
	MFT_OK(mfo_put(fd, mo), "put it");

	MFT_OK(mfo_alloc(fd, NS, SECID, "grown", 4096, &mo, NULL),
	       "allocate grown");
	MFT_OK(mfo_expand(fd, mo, 3 * MB), "grow it");
	MFT_OK(fill(mo, 3 * MB - 4096, 4096, 34), "write its end");
	MFT_OK(mfo_put(fd, mo), "put grown");

	MFT_OK(mfo_alloc(fd, NS, SECID, "gone", 4096, &mo, NULL),
	       "allocate gone");
	MFT_OK(mfo_put(fd, mo), "put gone");
	MFT_OK(mfo_free(fd, NS, SECID, "gone"), "free gone");

	f = fopen(file, "w");
	MFT_CHECK(f && fprintf(f, "%s\n", id) > 0 && !fclose(f),
		  "write the generated id down");
}

static void check(const char *file)
{
	char id[MF_OBJ_ID_LEN] = "";
	struct mf_ns_info info;
	struct mf_obj_stat st;
	struct mf_obj_get g;
	uint64_t mo;
	FILE *f;
	char c[3];

	f = fopen(file, "r");
	MFT_CHECK(f && fscanf(f, "%63s", id) == 1, "read the generated id");
	if (f)
		fclose(f);
	MFT_CHECK(!mfo_ns_info(fd, NS, &info) && info.attr == 42 && info.ttl == 0 &&
		  info.nr_objects == 5, NS " is back with its attr and 5 objects");
	MFT_CHECK(!mfo_ns_info(fd, "persist.empty", &info) && info.attr == 1 &&
		  info.ttl == 3600 && info.nr_objects == 0,
		  "persist.empty is back with its TTL");
	MFT_ERRNO(mfo_get(fd, NS, "wrong", "priv", NULL, NULL), EACCES,
		  "the secId still guards " NS);

	MFT_OK(mfo_get(fd, NS, SECID, "priv", &mo, &g), "priv is back");
	MFT_CHECK(g.bytes == 3 * MB + 17 && g.type == MF_OBJ_PRIVATE_RW,
		  "private, its size");
	MFT_CHECK(has_pattern(mo, 0, 3 * MB + 17, 31), "its contents");
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) && st.owner == 0 &&
		  st.ctime > 1600000000ULL && st.refs == 1, "its owner and age");
	MFT_OK(mfo_put(fd, mo), "put priv");

	MFT_OK(mfo_get(fd, NS, SECID, "pub", &mo, &g), "pub is back");
	MFT_CHECK(g.type == MF_OBJ_SHARED_RO && g.bytes == 100000,
		  "published, its size");
	MFT_CHECK(has_pattern(mo, 0, 100000, 32), "its contents");
	MFT_OK(mfo_put(fd, mo), "put pub");

	MFT_OK(mfo_get(fd, NS, SECID, "der", &mo, &g), "der is back");
	MFT_CHECK(g.type == MF_OBJ_PRIVATE_RW && has_pattern(mo, 0, 70000, 32) &&
		  !mfo_read(fd, mo, 70000, 3, c) && !memcmp(c, "COW", 3) &&
		  has_pattern(mo, 70003, 100000 - 70003, 32),
		  "derived: pub's contents and its own write");
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) && st.nr_shared == 0 &&
		  st.nr_extents == 1,
		  "its one piece was copied on write: nothing shared");
	MFT_OK(mfo_put(fd, mo), "put der");

	MFT_OK(mfo_get(fd, NS, SECID, id, &mo, &g),
	       "the object with the generated id is back");
	MFT_CHECK(g.bytes == 5000 && has_pattern(mo, 0, 5000, 33),
		  "with its contents");
	MFT_OK(mfo_put(fd, mo), "put it");

	MFT_OK(mfo_get(fd, NS, SECID, "grown", &mo, &g), "grown is back");
	MFT_CHECK(g.bytes == 3 * MB && has_pattern(mo, 3 * MB - 4096, 4096, 34),
		  "with its new size and what was written there");
	MFT_OK(mfo_put(fd, mo), "put grown");
	MFT_ERRNO(mfo_get(fd, NS, SECID, "gone", NULL, NULL), ENOENT,
		  "the freed object stays freed");
	MFT_CHECK(mfo_stat("objects") == 5 && mfo_stat("namespaces") == 2,
		  "stats count 5 objects and 2 namespaces");
}

static void cleanup(void)
{
	struct mf_ns_destroy d;

	MFT_OK(mfo_ns_destroy(fd, mfo_pool, NS, SECID, MF_NS_FORCE, &d),
	       "destroy " NS);
	MFT_CHECK(d.freed == 5 && d.deferred == 0, "5 objects freed");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, "persist.empty", "e", 0, NULL),
	       "destroy persist.empty");
	MFT_CHECK(mfp_sysfs_u64(mfo_pool, "used") == 0 &&
		  mfp_sysfs_u64(mfo_pool, "extents") == 0,
		  "pool0 is empty again");
	MFT_CHECK(mfo_stat("objects") == 0 && mfo_stat("extents") == 0 &&
		  mfo_stat("namespaces") == 0, "and the stats are 0");
}

/* Whether pool0 has an extent at @off. */
static int has_extent(uint64_t off)
{
	struct mf_extent_info *e;
	long n, i;
	int found = 0;

	n = mfp_extents(fd, mfo_pool, &e);
	for (i = 0; i < n; i++)
		found |= e[i].offset == off;
	free(e);
	return found;
}

static void crash_leftovers(void)
{
	const char *pmem = getenv("MFVM_PMEM");
	uint64_t orphan, bad_obj, bad_ns, raw, mo;
	unsigned long long free0;
	struct mfo_snap snap;

	if (!pmem || !mfp_exists(fd, "pool0")) {
		printf("SKIP: t_obj_persist: crash leftovers: no fsdax pool0\n");
		return;
	}
	mfo_snapshot(&snap);
	MFT_OK(mfo_ns_create(fd, mfo_pool, "t_persist", SECID, 0, 0),
	       "create a namespace");
	MFT_OK(mfo_alloc(fd, "t_persist", SECID, "o", MB, &mo, NULL),
	       "an object");
	MFT_OK(fill(mo, 0, MB, 40), "with data");
	MFT_OK(mfo_put(fd, mo), "put it");
	free0 = mfp_sysfs_u64(mfo_pool, "free");
	MFT_OK(mfp_alloc(fd, mfo_pool, 2 * MB, TAG_DATA, &orphan),
	       "a data extent no object lists (a crash in alloc)");
	MFT_OK(mfp_alloc(fd, mfo_pool, 4096, TAG_OBJ_RECORD, &bad_obj),
	       "an object record extent never written");
	MFT_OK(mfp_alloc(fd, mfo_pool, 4096, TAG_NS_RECORD, &bad_ns),
	       "a namespace record extent never written");
	MFT_OK(mfp_alloc(fd, mfo_pool, 8192, 0x1234, &raw),
	       "a raw extent of another tag");
	MFT_OK(mfp_detach(fd, "pool0"), "detach pool0");
	MFT_OK(mfp_attach_fsdax(fd, "pool0", pmem, 0, NULL), "attach it again");
	MFT_CHECK(!has_extent(orphan), "the orphan data extent is freed");
	MFT_CHECK(!has_extent(bad_obj) && !has_extent(bad_ns),
		  "the invalid record extents are freed");
	MFT_CHECK(has_extent(raw), "the raw extent stays");
	MFT_OK(mfp_free(fd, mfo_pool, raw, NULL, NULL), "free it");
	MFT_CHECK(mfp_sysfs_u64(mfo_pool, "free") == free0,
		  "the pool's free bytes are as before the leftovers");
	MFT_OK(mfo_get(fd, "t_persist", SECID, "o", &mo, NULL),
	       "the object is back");
	MFT_CHECK(has_pattern(mo, 0, MB, 40), "with its data");
	MFT_OK(mfo_put(fd, mo), "put it");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, "t_persist", SECID, MF_NS_FORCE,
			      NULL), "destroy the namespace");
	mfo_check_snapshot(&snap, "after t_obj_persist");
}

int main(int argc, char **argv)
{
	mft_init(argv[0]);
	fd = mfp_open();
	if (argc == 3 && !strcmp(argv[1], "setup"))
		setup(argv[2]);
	else if (argc == 3 && !strcmp(argv[1], "check"))
		check(argv[2]);
	else if (argc == 2 && !strcmp(argv[1], "cleanup"))
		cleanup();
	else if (argc == 1)
		crash_leftovers();
	else {
		fprintf(stderr, "usage: %s [setup FILE | check FILE | cleanup]\n",
			argv[0]);
		return 2;
	}
	close(fd);
	return mft_done();
}
