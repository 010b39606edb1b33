// SPDX-License-Identifier: GPL-2.0
/*
 * t_lib_map.c - libmemfabric mappings (guest, as root): BM_MapSec,
 * BM_Unmap, BM_CommitSec; shared and private mappings, FIXED and HINT,
 * LONGTERM, publish while mapped, commit of a private copy, every argument
 * error.
 * Needs the module's mmap (MF_FEAT_MMAP).  CUnit via mflib.h.
 */
#define _GNU_SOURCE
#include <limits.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mflib.h"

#define NS "t_lib_map"
#define SEC "map-secret"
#define SZ (64 * 1024 + 100)	/* not a multiple of the page size */

static int setup(void)
{
	return BM_CreateNSSec(NULL, NS, 0, SEC);
}

static int teardown(void)
{
	return BM_DestroyNSSec(NULL, NS, SEC);
}

static void test_feature(void)
{
	CU_ASSERT(mfl_has_mmap());
}

static void test_shared(void)
{
	BmInfo b = mfl_info(NS, SEC, "sh");
	unsigned char *p = NULL;
	BmStat st;

	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&b, SZ, 81), 0);
	CU_ASSERT_EQUAL_FATAL(BM_MapSec(&b, PROT_READ | PROT_WRITE,
					BM_MAP_SHARED, (void **)&p), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(mfo_check_pattern(p, SZ, 81, 0));
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.mapCount, 1);
	/* The owner writes the pool's memory itself. */
	memcpy(p + 5000, "through the mapping", 19);
	{
		char buf[19];

		CU_ASSERT_EQUAL(BM_ReadSec(&b, 5000, 19, buf, 0), 0);
		CU_ASSERT(!memcmp(buf, "through the mapping", 19));
	}
	/* Writable mapping: publish must wait. */
	CU_ASSERT_EQUAL(BM_PublishSec(&b, 0), -EBUSY);
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, p), 0);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.mapCount, 0);
	CU_ASSERT_EQUAL(BM_PublishSec(&b, 0), 0);
	/* Published: read-only shared mappings only. */
	p = NULL;
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_SHARED,
				  (void **)&p), -EACCES);
	CU_ASSERT_EQUAL_FATAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED,
					(void **)&p), 0);
	CU_ASSERT(!memcmp(p + 5000, "through the mapping", 19));
	CU_ASSERT_EQUAL(mprotect(p, 4096, PROT_READ | PROT_WRITE), -1);
	CU_ASSERT_EQUAL(BM_Unmap(NULL, p), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

/* BM_MAP_LONGTERM: pinnable writable shared mappings (ABI 1.4). */
static void test_longterm(void)
{
	BmInfo b = mfl_info(NS, SEC, "lt"), d = mfl_info(NS, SEC, "lt-d");
	unsigned char *p = NULL;
	BmVersion v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	CU_ASSERT_EQUAL_FATAL(BM_Version(&v), 0);
	CU_ASSERT(v.features & BM_FEAT_MMAP_LONGTERM);
	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&b, SZ, 82), 0);
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED | BM_MAP_LONGTERM,
				  (void **)&p), -EINVAL);
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ | PROT_WRITE,
				  BM_MAP_PRIVATE | BM_MAP_LONGTERM,
				  (void **)&p), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(BM_MapSec(&b, PROT_READ | PROT_WRITE,
					BM_MAP_SHARED | BM_MAP_LONGTERM,
					(void **)&p), 0);
	CU_ASSERT(mfo_check_pattern(p, SZ, 82, 0));
	memcpy(p + 70, "pinnable", 8);
	{
		char buf[8];

		CU_ASSERT_EQUAL(BM_ReadSec(&b, 70, 8, buf, 0), 0);
		CU_ASSERT(!memcmp(buf, "pinnable", 8));
	}
	CU_ASSERT_EQUAL(BM_DeriveSec(&b, &d, 0), -EBUSY);
	CU_ASSERT_EQUAL(BM_PublishSec(&b, 0), -EBUSY);
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, p), 0);
	CU_ASSERT_EQUAL(BM_DeriveSec(&b, &d, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&d, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_private_commit(void)
{
	BmInfo b = mfl_info(NS, SEC, "src"), c = mfl_info(NS, SEC, "committed");
	BmInfo g = mfl_info(NS, SEC, NULL);
	unsigned char *p = NULL;
	long ps = sysconf(_SC_PAGESIZE);

	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&b, SZ, 91), 0);
	CU_ASSERT_EQUAL_FATAL(BM_PublishSec(&b, 0), 0);
	/* Any reader may map a published object privately, writable. */
	CU_ASSERT_EQUAL_FATAL(BM_MapSec(&b, PROT_READ | PROT_WRITE,
					BM_MAP_PRIVATE, (void **)&p), 0);
	memcpy(p + ps + 10, "modified", 8);
	/* Neither the pool nor the source sees it. */
	CU_ASSERT(mfl_has_pattern(&b, 0, SZ, 91));
	/* Commit errors. */
	CU_ASSERT_EQUAL(BM_CommitSec(NULL, SZ, &c, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_CommitSec(p, SZ, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_CommitSec(p, 0, &c, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_CommitSec(p + 1, SZ - 1, &c, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_CommitSec(p, SZ, &c, 2), -EINVAL);
	CU_ASSERT_EQUAL(BM_CommitSec(p, 1 << 30, &c, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_CommitSec(&ps, 8, &c, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_CommitSec(p, SIZE_MAX, &c, 0), -EOVERFLOW);
	{
		BmInfo w = mfl_info(NS, "wrong", "x");

		CU_ASSERT_EQUAL(BM_CommitSec(p, SZ, &w, 0), -EACCES);
		w = mfl_info(NS, SEC, "x");
		mfo_str(w.poolName, sizeof(w.poolName) - 1, "otherpool");
		CU_ASSERT_EQUAL(BM_CommitSec(p, SZ, &w, 0), -EINVAL);
	}
	/* The modified copy becomes a new shared object. */
	CU_ASSERT_EQUAL_FATAL(BM_CommitSec(p, SZ, &c, BM_COMMIT_PUBLISH), 0);
	CU_ASSERT_EQUAL(c.type, BM_TYPE_SHARED_RO);
	CU_ASSERT_EQUAL(c.size, SZ);
	CU_ASSERT_STRING_EQUAL(c.bmId, "committed");
	CU_ASSERT(mfl_has_pattern(&c, 0, ps + 10, 91));
	{
		char buf[8];

		CU_ASSERT_EQUAL(BM_ReadSec(&c, ps + 10, 8, buf, 0), 0);
		CU_ASSERT(!memcmp(buf, "modified", 8));
	}
	CU_ASSERT(mfl_has_pattern(&c, ps + 18, SZ - ps - 18, 91));
	CU_ASSERT_EQUAL(BM_CommitSec(p, SZ, &c, 0), -EEXIST);
	/* Private commit, generated id, part of the mapping. */
	CU_ASSERT_EQUAL(BM_CommitSec(p + ps, ps, &g, 0), 0);
	CU_ASSERT_EQUAL(g.type, BM_TYPE_PRIVATE_RW);
	CU_ASSERT(g.bmId[0] != 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&g, 0), 0);
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, p), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&c, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_commit_shared_mapping(void)
{
	BmInfo b = mfl_info(NS, SEC, "shm"), c = mfl_info(NS, SEC, "c2");
	void *p = NULL;

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, SZ, 0, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, &p), 0);
	CU_ASSERT_EQUAL(BM_CommitSec(p, SZ, &c, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, p), 0);
	/* After the unmap the address is no mapping of ours. */
	CU_ASSERT_EQUAL(BM_CommitSec(p, SZ, &c, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_fixed_hint(void)
{
	BmInfo b = mfl_info(NS, SEC, "fix");
	long ps = sysconf(_SC_PAGESIZE);
	size_t len = (SZ + ps - 1) / ps * ps;
	void *area, *p;

	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&b, SZ, 101), 0);
	/* A free address range: reserve, then release it. */
	area = mmap(NULL, 2 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	CU_ASSERT_FATAL(area != MAP_FAILED);
	/* Occupied: FIXED never replaces a mapping. */
	p = area;
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED | BM_MAP_FIXED,
				  &p), -EEXIST);
	munmap(area, 2 * len);
	p = area;
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED | BM_MAP_FIXED,
				  &p), 0);
	CU_ASSERT_PTR_EQUAL(p, area);
	CU_ASSERT(mfo_check_pattern(p, SZ, 101, 0));
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, p), 0);
	p = area;
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ, BM_MAP_PRIVATE | BM_MAP_HINT,
				  &p), 0);
	CU_ASSERT(p != NULL && mfo_check_pattern(p, SZ, 101, 0));
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, p), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_errors(void)
{
	BmInfo b = mfl_info(NS, SEC, "merr");
	void *p = NULL, *q;
	char local[64];

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, SZ, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, NULL), -EINVAL);
	CU_ASSERT_EQUAL(BM_MapSec(NULL, PROT_READ, BM_MAP_SHARED, &p), -EINVAL);
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_EXEC, BM_MAP_SHARED, &p), -EINVAL);
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ, 0, &p), -EINVAL);
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ,
				  BM_MAP_SHARED | BM_MAP_PRIVATE, &p), -EINVAL);
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED | 0x100, &p),
			-EINVAL);
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED | BM_MAP_FIXED |
				  BM_MAP_HINT, &p), -EINVAL);
	p = NULL;
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED | BM_MAP_FIXED,
				  &p), -EINVAL);
	p = (void *)0x10001;
	CU_ASSERT_EQUAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED | BM_MAP_FIXED,
				  &p), -EINVAL);
	{
		BmInfo w = mfl_info(NS, "wrong", "merr");
		BmInfo u = mfl_info(NS, SEC, "nosuch");

		CU_ASSERT_EQUAL(BM_MapSec(&w, PROT_READ, BM_MAP_SHARED, &p),
				-EACCES);
		CU_ASSERT_EQUAL(BM_MapSec(&u, PROT_READ, BM_MAP_SHARED, &p),
				-ENOENT);
	}
	/* Unmap: only what BM_MapSec mapped, under its id, once. */
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, NULL), -EINVAL);
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, local), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, &q), 0);
	CU_ASSERT_EQUAL(BM_Unmap((char *)"otherid", q), -EINVAL);
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, (char *)q + 4096), -EINVAL);
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, q), 0);
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, q), -EINVAL);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static int child_map(void *arg)
{
	BmInfo *b = arg;
	void *p = NULL;
	int bad = 0;

	if (b->type == BM_TYPE_PRIVATE_RW) {
		MFL_CHILD_CHECK(bad, BM_MapSec(b, PROT_READ, BM_MAP_SHARED, &p) ==
				     -EACCES);
		return bad;
	}
	MFL_CHILD_CHECK(bad, BM_MapSec(b, PROT_READ, BM_MAP_SHARED, &p) == 0);
	MFL_CHILD_CHECK(bad, p && mfo_check_pattern(p, SZ, 111, 0));
	MFL_CHILD_CHECK(bad, BM_Unmap(b->bmId, p) == 0);
	return bad;
}

static void test_other_user(void)
{
	BmInfo b = mfl_info(NS, SEC, "mine");

	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&b, SZ, 111), 0);
	CU_ASSERT_EQUAL(mfl_child(child_map, &b, 1), 0);
	CU_ASSERT_EQUAL(BM_PublishSec(&b, 0), 0);
	CU_ASSERT_EQUAL(mfl_child(child_map, &b, 1), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_outlives(void)
{
	BmInfo b = mfl_info(NS, SEC, "outlive");
	void *p = NULL;

	/* A mapping keeps the object's memory after free and BM_Exit. */
	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&b, SZ, 121), 0);
	CU_ASSERT_EQUAL_FATAL(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, &p), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
	CU_ASSERT_EQUAL(BM_Exit(), 0);
	CU_ASSERT(mfo_check_pattern(p, SZ, 121, 0));
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, p), 0);
	CU_ASSERT_EQUAL(mfl_init(), 0);
}

int main(int argc, char **argv)
{
	static const struct mfl_test tests[] = {
		{ "map", "the module maps (MF_FEAT_MMAP)", test_feature },
		{ "map", "shared mappings, publish", test_shared },
		{ "map", "BM_MAP_LONGTERM", test_longterm },
		{ "map", "private mapping and commit", test_private_commit },
		{ "map", "commit needs a private mapping",
		  test_commit_shared_mapping },
		{ "map", "FIXED and HINT", test_fixed_hint },
		{ "map", "errors", test_errors },
		{ "map", "another user", test_other_user },
		{ "map", "mappings outlive free and exit", test_outlives },
	};

	(void)argc;
	return mfl_main(argv[0], tests, sizeof(tests) / sizeof(tests[0]), setup,
			teardown);
}
