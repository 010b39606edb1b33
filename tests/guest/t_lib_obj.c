// SPDX-License-Identifier: GPL-2.0
/*
 * t_lib_obj.c - libmemfabric objects (guest, as root): BM_AllocSec,
 * BM_FreeSec, BM_BatchFreeSec, BM_ExpandSec; pools and affinity, ids the
 * kernel generates, every error, another user.  CUnit via mflib.h.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mflib.h"
#include "mfrace.h"

#define NS "t_lib_obj"
#define SEC "obj-secret"

static int setup(void)
{
	return BM_CreateNSSec(NULL, NS, 0, SEC);
}

static int teardown(void)
{
	return BM_DestroyNSSec(NULL, NS, SEC);
}

static void test_alloc_free(void)
{
	BmInfo b = mfl_info(NS, SEC, "obj1");
	BmStat st;

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 12345, 0, NULL), 0);
	CU_ASSERT_EQUAL(b.size, 12345);
	CU_ASSERT_EQUAL(b.type, BM_TYPE_PRIVATE_RW);
	CU_ASSERT_STRING_EQUAL(b.poolName, mfo_pool);
	CU_ASSERT_STRING_EQUAL(b.bmId, "obj1");
	/* New memory reads as zeros. */
	{
		unsigned char buf[12345], zero[12345] = { 0 };

		CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, sizeof(buf), buf, 0), 0);
		CU_ASSERT(!memcmp(buf, zero, sizeof(buf)));
	}
	/* The creator holds one reference. */
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.sessionRefs, 1);
	CU_ASSERT_EQUAL(st.refCount, 1);
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 100, 0, NULL), -EEXIST);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), -ENOENT);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 1, &st, 0), -ENOENT);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), -ENOENT);
	/* The id can be taken again at once. */
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 100, 0, NULL), 0);
	CU_ASSERT_EQUAL(b.size, 100);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_generated_id(void)
{
	BmInfo a = mfl_info(NS, SEC, NULL), b = mfl_info(NS, SEC, NULL);

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&a, 4096, 0, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 4096, 0, NULL), 0);
	CU_ASSERT(a.bmId[0] != '\0');
	CU_ASSERT(strcmp(a.bmId, b.bmId) != 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&a, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_pools_affinity(void)
{
	BmInfo b = mfl_info(NS, SEC, "aff");
	BmAffinity aff = { .numaNode = -1 };

	/* NULL affinity, empty pool name in it, or the pool named. */
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, &aff), 0);
	CU_ASSERT_STRING_EQUAL(b.poolName, mfo_pool);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
	mfo_str(aff.poolName, sizeof(aff.poolName) - 1, mfo_pool);
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, &aff), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
	/* The BmInfo and the affinity name different pools. */
	mfo_str(aff.poolName, sizeof(aff.poolName) - 1, "otherpool");
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, &aff), -EINVAL);
	memset(b.poolName, 0, sizeof(b.poolName));
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, &aff), -ENOENT);
	memset(aff.poolName, 'x', sizeof(aff.poolName));	/* unterminated */
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, &aff), -EINVAL);
	memset(aff.poolName, 0, sizeof(aff.poolName));
	aff.numaNode = -2;
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, &aff), -EINVAL);
	/* A node without a pool of its memory. */
	aff.numaNode = 1000;
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, &aff), -ENOENT);
	/* A pool that does not exist. */
	mfo_str(b.poolName, sizeof(b.poolName) - 1, "nosuchpool");
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, NULL), -ENOENT);
	memset(b.poolName, 0, sizeof(b.poolName));
	CU_ASSERT_EQUAL(BM_GetSec(&b, 0), -ENOENT);
}

static void test_alloc_errors(void)
{
	BmInfo b = mfl_info(NS, SEC, "err");
	BmInfo w = mfl_info(NS, "wrong", "err");
	BmInfo u = mfl_info("t_lib_nons", SEC, "err");
	BmInfo g;

	CU_ASSERT_EQUAL(BM_AllocSec(NULL, 4096, 0, NULL), -EINVAL);
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 0, 0, NULL), -EINVAL);
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 1, NULL), -EINVAL);
	CU_ASSERT_EQUAL(BM_AllocSec(&b, (size_t)BM_MAX_SIZE + 1, 0, NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(BM_AllocSec(&b, SIZE_MAX, 0, NULL), -EINVAL);
	CU_ASSERT_EQUAL(BM_AllocSec(&w, 4096, 0, NULL), -EACCES);
	CU_ASSERT_EQUAL(BM_AllocSec(&u, 4096, 0, NULL), -ENOENT);
	/* More than the pool holds. */
	CU_ASSERT_EQUAL(BM_AllocSec(&b, (size_t)BM_MAX_SIZE, 0, NULL), -ENOSPC);

	/* Garbage in each name field. */
	g = b;
	memset(g.ns, 'n', sizeof(g.ns));
	CU_ASSERT_EQUAL(BM_AllocSec(&g, 4096, 0, NULL), -EINVAL);
	g = b;
	memset(g.secId, 's', sizeof(g.secId));
	CU_ASSERT_EQUAL(BM_AllocSec(&g, 4096, 0, NULL), -EINVAL);
	g = b;
	memset(g.bmId, 'i', sizeof(g.bmId));
	CU_ASSERT_EQUAL(BM_AllocSec(&g, 4096, 0, NULL), -EINVAL);
	g = b;
	memset(g.poolName, 'p', sizeof(g.poolName));
	CU_ASSERT_EQUAL(BM_AllocSec(&g, 4096, 0, NULL), -EINVAL);
	g = b;
	strcpy(g.bmId, "bad id");
	CU_ASSERT_EQUAL(BM_AllocSec(&g, 4096, 0, NULL), -EINVAL);
	g = b;
	g.secId[0] = 0;
	CU_ASSERT_EQUAL(BM_AllocSec(&g, 4096, 0, NULL), -EINVAL);
	g = b;
	g.ns[0] = 0;
	CU_ASSERT_EQUAL(BM_AllocSec(&g, 4096, 0, NULL), -EINVAL);
	/* None of these made the object. */
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), -ENOENT);
}

static void test_free_errors(void)
{
	BmInfo b = mfl_info(NS, SEC, "ferr");
	BmInfo w = mfl_info(NS, "wrong", "ferr");
	BmInfo g = b;

	CU_ASSERT_EQUAL(BM_FreeSec(NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 4096, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 2), -EINVAL);
	CU_ASSERT_EQUAL(BM_FreeSec(&w, 0), -EACCES);
	g.bmId[0] = 0;
	CU_ASSERT_EQUAL(BM_FreeSec(&g, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static int child_free_other(void *arg)
{
	BmInfo *b = arg;
	int bad = 0;

	/* Another user's private object: not freed, not expanded. */
	MFL_CHILD_CHECK(bad, BM_FreeSec(b, 0) == -EPERM);
	MFL_CHILD_CHECK(bad, BM_ExpandSec(b, 8192, 0) == -EACCES);
	/* In the child the parent's reference is not the child's. */
	MFL_CHILD_CHECK(bad, BM_PutSec(b, 0) == -ENOENT);
	return bad;
}

static void test_other_user(void)
{
	BmInfo b = mfl_info(NS, SEC, "mine");

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 4096, 0, NULL), 0);
	CU_ASSERT_EQUAL(mfl_child(child_free_other, &b, 1), 0);
	CU_ASSERT_EQUAL(b.size, 4096);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_batch_free(void)
{
	char id[8][16];
	char *ids[8];
	BmInfo b;

	for (int i = 0; i < 8; i++) {
		snprintf(id[i], sizeof(id[i]), "batch%d", i);
		ids[i] = id[i];
		b = mfl_info(NS, SEC, id[i]);
		CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 4096, 0, NULL), 0);
	}
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids, 3, 0, NS, SEC), 3);
	for (int i = 0; i < 3; i++) {
		b = mfl_info(NS, SEC, id[i]);
		CU_ASSERT_EQUAL(BM_GetSec(&b, 0), -ENOENT);
	}
	/* One of them unknown: the others are freed, the error returned. */
	strcpy(id[2], "nosuchid");
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids + 2, 3, 0, NS, SEC), -ENOENT);
	b = mfl_info(NS, SEC, id[3]);
	CU_ASSERT_EQUAL(BM_GetSec(&b, 0), -ENOENT);
	b = mfl_info(NS, SEC, id[4]);
	CU_ASSERT_EQUAL(BM_GetSec(&b, 0), -ENOENT);

	/* Bad arguments free nothing. */
	CU_ASSERT_EQUAL(BM_BatchFreeSec(NULL, 1, 0, NS, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids + 5, 0, 0, NS, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids + 5, -1, 0, NS, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids + 5, 1, 1, NS, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids + 5, 1, 0, NULL, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids + 5, 1, 0, NS, NULL), -EINVAL);
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids + 5, 1, 0, NS, "wrong"), -EACCES);
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids + 5, 1, 0, "t_lib_nons", SEC),
			-ENOENT);
	{
		char *withnull[2] = { ids[5], NULL };
		char *badid[2] = { ids[5], (char *)"a/b" };

		CU_ASSERT_EQUAL(BM_BatchFreeSec(withnull, 2, 0, NS, SEC),
				-EINVAL);
		CU_ASSERT_EQUAL(BM_BatchFreeSec(badid, 2, 0, NS, SEC), -EINVAL);
	}
	b = mfl_info(NS, SEC, id[5]);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &(BmStat){ 0 }), 0);
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids + 5, 3, 0, NS, SEC), 3);
}

static void test_expand(void)
{
	BmInfo b = mfl_info(NS, SEC, "grow");
	BmStat st;
	unsigned char buf[8192];
	int zero = 1;

	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&b, 5000, 3), 0);
	CU_ASSERT_EQUAL(BM_ExpandSec(&b, 3 << 20, 0), 0);
	CU_ASSERT_EQUAL(b.size, 3 << 20);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.size, 3 << 20);
	CU_ASSERT(mfl_has_pattern(&b, 0, 5000, 3));
	CU_ASSERT_EQUAL(BM_ReadSec(&b, (3 << 20) - sizeof(buf), sizeof(buf),
				   buf, 0), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		zero &= buf[i] == 0;
	CU_ASSERT(zero);
	CU_ASSERT_EQUAL(BM_ExpandSec(&b, 1000, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_ExpandSec(&b, 3 << 20, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_ExpandSec(&b, 0, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_ExpandSec(&b, 4 << 20, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_ExpandSec(&b, (size_t)BM_MAX_SIZE + 1, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_ExpandSec(&b, (size_t)BM_MAX_SIZE, 0), -ENOSPC);
	CU_ASSERT_EQUAL(BM_ExpandSec(NULL, 4 << 20, 0), -EINVAL);
	{
		BmInfo w = mfl_info(NS, "wrong", "grow");
		BmInfo u = mfl_info(NS, SEC, "nosuch");

		CU_ASSERT_EQUAL(BM_ExpandSec(&w, 4 << 20, 0), -EACCES);
		CU_ASSERT_EQUAL(BM_ExpandSec(&u, 4 << 20, 0), -ENOENT);
	}
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.size, 3 << 20);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_full_pool(void)
{
	BmInfo b[64];
	int n = 0, rc = 0;
	unsigned long long free_bytes = mfp_sysfs_u64(mfo_pool, "free");
	size_t chunk = free_bytes / 8 + 4096;

	/* Fill the pool with a few big objects until it says ENOSPC. */
	while (n < 64) {
		char id[16];

		snprintf(id, sizeof(id), "fill%d", n);
		b[n] = mfl_info(NS, SEC, id);
		rc = BM_AllocSec(&b[n], chunk, 0, NULL);
		if (rc)
			break;
		n++;
	}
	CU_ASSERT_EQUAL(rc, -ENOSPC);
	CU_ASSERT(n >= 1 && n < 64);
	for (int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(BM_FreeSec(&b[i], 0), 0);
	/* Room again. */
	b[0] = mfl_info(NS, SEC, "after");
	CU_ASSERT_EQUAL(BM_AllocSec(&b[0], chunk, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b[0], 0), 0);
}

static void *alloc_thread(void *p)
{
	long t = (long)p, bad = 0;
	char id[32], back[32];

	for (int k = 0; k < 30; k++) {
		BmInfo b;

		snprintf(id, sizeof(id), "thr%ld-%d", t, k);
		b = mfl_info(NS, SEC, id);
		bad += BM_AllocSec(&b, 8192, 0, NULL) != 0;
		bad += BM_WriteSec(&b, 100, sizeof(id), id, 0) != 0;
		bad += BM_ReadSec(&b, 100, sizeof(back), back, 0) != 0 ||
		       memcmp(back, id, sizeof(id)) != 0;
		bad += BM_FreeSec(&b, 0) != 0;
	}
	return (void *)bad;
}

static void test_threads(void)
{
	CU_ASSERT_EQUAL(mft_threads(alloc_thread, 4), 0);
}

static void test_before_init(void)
{
	BmInfo b = mfl_info(NS, SEC, "x");
	char *ids[1] = { b.bmId };

	CU_ASSERT_EQUAL_FATAL(BM_Exit(), 0);
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, NULL), -ENODEV);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids, 1, 0, NS, SEC), -ENODEV);
	CU_ASSERT_EQUAL(BM_ExpandSec(&b, 8192, 0), -ENODEV);
	CU_ASSERT_EQUAL(mfl_init(), 0);
}

int main(int argc, char **argv)
{
	static const struct mfl_test tests[] = {
		{ "obj", "alloc and free", test_alloc_free },
		{ "obj", "generated ids", test_generated_id },
		{ "obj", "pools and affinity", test_pools_affinity },
		{ "obj", "alloc errors", test_alloc_errors },
		{ "obj", "free errors", test_free_errors },
		{ "obj", "another user", test_other_user },
		{ "obj", "batch free", test_batch_free },
		{ "obj", "expand", test_expand },
		{ "obj", "a full pool", test_full_pool },
		{ "obj", "threads", test_threads },
		{ "obj", "before BM_Init", test_before_init },
	};

	(void)argc;
	return mfl_main(argv[0], tests, sizeof(tests) / sizeof(tests[0]), setup,
			teardown);
}
