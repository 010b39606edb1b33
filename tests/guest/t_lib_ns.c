// SPDX-License-Identifier: GPL-2.0
/*
 * t_lib_ns.c - libmemfabric namespaces (guest, as root): BM_CreateNSSec,
 * BM_DestroyNSSec, BM_QueryNSCache; their argument checks and errors, and
 * calls before BM_Init().  CUnit, bridged to PASS:/FAIL: by mflib.h.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mflib.h"
#include "mfrace.h"

#define NS "t_lib_ns"
#define SEC "ns-secret"

/* The record of @ns in BM_QueryNSCache, or NULL. */
static const QueryNsCache *find_ns(const QueryNsCache *q, int n,
				   const char *ns)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(q[i].ns, ns) && !strcmp(q[i].poolName, mfo_pool))
			return &q[i];
	return NULL;
}

static void test_create_destroy(void)
{
	QueryNsCache q[64];
	const QueryNsCache *r;
	int n;

	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, NS, 42, SEC), 0);
	n = BM_QueryNSCache(q, sizeof(q));
	CU_ASSERT(n >= 1);
	r = find_ns(q, n, NS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->attribute, 42);
	CU_ASSERT_EQUAL(r->objectCount, 0);
	CU_ASSERT_EQUAL(r->bytes, 0);
	CU_ASSERT(r->ctime > 0);
	CU_ASSERT_EQUAL(BM_CreateNSSec("", NS, 0, SEC), -EEXIST);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS, SEC), 0);
	n = BM_QueryNSCache(q, sizeof(q));
	CU_ASSERT(n >= 0);
	CU_ASSERT_PTR_NULL(find_ns(q, n, NS));
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS, SEC), -ENOENT);
}

static void test_named_pool(void)
{
	CU_ASSERT_EQUAL(BM_CreateNSSec(mfo_pool, NS "2", -1, SEC), 0);
	/* The same namespace through the default pool name "". */
	CU_ASSERT_EQUAL(BM_CreateNSSec("", NS "2", 0, SEC), -EEXIST);
	CU_ASSERT_EQUAL(BM_DestroyNSSec("", NS "2", SEC), 0);
	CU_ASSERT_EQUAL(BM_CreateNSSec("no_such_pool", NS, 0, SEC), -ENOENT);
	CU_ASSERT_EQUAL(BM_DestroyNSSec("no_such_pool", NS, SEC), -ENOENT);
}

static void test_query_counts(void)
{
	QueryNsCache q[64];
	const QueryNsCache *r;
	BmInfo a = mfl_info(NS, SEC, "a"), b = mfl_info(NS, SEC, "b");
	int n;

	CU_ASSERT_EQUAL_FATAL(BM_CreateNSSec(NULL, NS, 7, SEC), 0);
	CU_ASSERT_EQUAL(BM_AllocSec(&a, 10000, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, NULL), 0);
	n = BM_QueryNSCache(q, sizeof(q));
	r = find_ns(q, n, NS);
	CU_ASSERT_PTR_NOT_NULL(r);
	if (r) {
		CU_ASSERT_EQUAL(r->objectCount, 2);
		CU_ASSERT_EQUAL(r->bytes, 14096);
		CU_ASSERT_EQUAL(r->attribute, 7);
	}
	/* A namespace with objects cannot be destroyed. */
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS, SEC), -EBUSY);
	CU_ASSERT_EQUAL(BM_FreeSec(&a, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS, SEC), 0);
}

static void test_query_buffer(void)
{
	QueryNsCache q[4];
	int n, all;

	CU_ASSERT_EQUAL_FATAL(BM_CreateNSSec(NULL, NS "a", 0, SEC), 0);
	CU_ASSERT_EQUAL_FATAL(BM_CreateNSSec(NULL, NS "b", 0, SEC), 0);
	all = BM_QueryNSCache(q, sizeof(q));
	CU_ASSERT(all >= 2);
	/* At most buffLen / sizeof records. */
	memset(q, 0x5a, sizeof(q));
	n = BM_QueryNSCache(q, sizeof(q[0]) + sizeof(q[0]) / 2);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT(memchr(q[0].ns, 0, sizeof(q[0].ns)) != NULL);
	CU_ASSERT_EQUAL(((unsigned char *)&q[1])[0], 0x5a);
	CU_ASSERT_EQUAL(BM_QueryNSCache(q, sizeof(q[0]) - 1), 0);
	CU_ASSERT_EQUAL(BM_QueryNSCache(q, 0), 0);
	CU_ASSERT_EQUAL(BM_QueryNSCache(NULL, 0), 0);
	CU_ASSERT_EQUAL(BM_QueryNSCache(NULL, sizeof(q)), -EINVAL);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS "a", SEC), 0);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS "b", SEC), 0);
}

static void test_bad_args(void)
{
	char longns[BM_NS_LEN + 8], longsec[BM_SECID_LEN + 8];
	char longpool[BM_POOL_NAME_LEN + 8];

	memset(longns, 'n', sizeof(longns));		/* unterminated */
	memset(longsec, 's', sizeof(longsec));
	memset(longpool, 'p', sizeof(longpool));
	longns[sizeof(longns) - 1] = longsec[sizeof(longsec) - 1] = 0;
	longpool[sizeof(longpool) - 1] = 0;

	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, NULL, 0, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, NS, 0, NULL), -EINVAL);
	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, "", 0, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, NS, 0, ""), -EINVAL);
	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, "bad/name", 0, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, "bad name", 0, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, longns, 0, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, NS, 0, longsec), -EINVAL);
	CU_ASSERT_EQUAL(BM_CreateNSSec(longpool, NS, 0, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_CreateNSSec("bad pool", NS, 0, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NULL, SEC), -EINVAL);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS, NULL), -EINVAL);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, longns, SEC), -EINVAL);
	/* Nothing was created by any of these. */
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS, SEC), -ENOENT);
}

static void test_wrong_secid(void)
{
	CU_ASSERT_EQUAL_FATAL(BM_CreateNSSec(NULL, NS, 0, SEC), 0);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS, "wrong"), -EACCES);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS, SEC "x"), -EACCES);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS, SEC), 0);
}

static int child_unprivileged(void *arg)
{
	int bad = 0;

	(void)arg;
	/* Namespaces need no privilege, only the secId. */
	MFL_CHILD_CHECK(bad, BM_CreateNSSec(NULL, NS "u", 0, SEC) == 0);
	MFL_CHILD_CHECK(bad, BM_DestroyNSSec(NULL, NS "u", "x") == -EACCES);
	MFL_CHILD_CHECK(bad, BM_DestroyNSSec(NULL, NS "u", SEC) == 0);
	return bad;
}

static void test_other_user(void)
{
	CU_ASSERT_EQUAL(mfl_child(child_unprivileged, NULL, 1), 0);
}

static void test_before_init(void)
{
	QueryNsCache q[1];

	CU_ASSERT_EQUAL_FATAL(BM_Exit(), 0);
	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, NS, 0, SEC), -ENODEV);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, NS, SEC), -ENODEV);
	CU_ASSERT_EQUAL(BM_QueryNSCache(q, sizeof(q)), -ENODEV);
	CU_ASSERT_EQUAL(mfl_init(), 0);
}

static void *create_thread(void *p)
{
	long i = (long)p, bad = 0;
	char ns[32];

	for (int k = 0; k < 20; k++) {
		snprintf(ns, sizeof(ns), NS "-t%ld-%d", i, k);
		bad += BM_CreateNSSec(NULL, ns, k, SEC) != 0;
		bad += BM_DestroyNSSec(NULL, ns, SEC) != 0;
	}
	return (void *)bad;
}

static void test_threads(void)
{
	CU_ASSERT_EQUAL(mft_threads(create_thread, 4), 0);
}

int main(int argc, char **argv)
{
	static const struct mfl_test tests[] = {
		{ "ns", "create, query, destroy", test_create_destroy },
		{ "ns", "named and unknown pools", test_named_pool },
		{ "ns", "query counts objects", test_query_counts },
		{ "ns", "query buffer sizes", test_query_buffer },
		{ "ns", "bad arguments", test_bad_args },
		{ "ns", "wrong secId", test_wrong_secid },
		{ "ns", "another user", test_other_user },
		{ "ns", "before BM_Init", test_before_init },
		{ "ns", "threads", test_threads },
	};

	(void)argc;
	return mfl_main(argv[0], tests, sizeof(tests) / sizeof(tests[0]), NULL,
			NULL);
}
