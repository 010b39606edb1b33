// SPDX-License-Identifier: GPL-2.0
/*
 * t_lib_model.c - the object model of libmemfabric (guest, as root):
 * BM_PublishSec, BM_GetSec, BM_PutSec, BM_DeriveSec, BM_StatSec; the
 * references a session holds, another user, fork.  CUnit via mflib.h.
 */
#define _GNU_SOURCE
#include <limits.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mflib.h"

#define NS "t_lib_model"
#define NS2 "t_lib_model2"
#define SEC "model-secret"

static int setup(void)
{
	int rc = BM_CreateNSSec(NULL, NS, 0, SEC);

	return rc ? rc : BM_CreateNSSec(NULL, NS2, 0, SEC "2");
}

static int teardown(void)
{
	int rc = BM_DestroyNSSec(NULL, NS, SEC);

	return rc ? rc : BM_DestroyNSSec(NULL, NS2, SEC "2");
}

static void test_get_put(void)
{
	BmInfo b = mfl_info(NS, SEC, "gp"), g = mfl_info(NS, SEC, "gp");
	BmStat st;

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 5000, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_GetSec(&g, 0), 0);
	CU_ASSERT_EQUAL(g.size, 5000);
	CU_ASSERT_EQUAL(g.type, BM_TYPE_PRIVATE_RW);
	CU_ASSERT_STRING_EQUAL(g.poolName, mfo_pool);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.sessionRefs, 2);
	CU_ASSERT_EQUAL(st.refCount, 2);
	CU_ASSERT_EQUAL(BM_PutSec(&g, 0), 0);
	CU_ASSERT_EQUAL(BM_PutSec(&g, 0), 0);	/* the creator's, too */
	CU_ASSERT_EQUAL(BM_PutSec(&g, 0), -ENOENT);
	/* Unreferenced, the private object stays. */
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.sessionRefs, 0);
	CU_ASSERT_EQUAL(st.refCount, 0);
	CU_ASSERT_EQUAL(st.size, 5000);
	CU_ASSERT_EQUAL(BM_GetSec(&g, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&g, 0), 0);	/* drops it */
	CU_ASSERT_EQUAL(BM_PutSec(&g, 0), -ENOENT);
	CU_ASSERT_EQUAL(BM_GetSec(&g, 0), -ENOENT);
}

static void test_get_put_errors(void)
{
	BmInfo b = mfl_info(NS, SEC, "gpe"), x;

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 4096, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_GetSec(NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_PutSec(NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_GetSec(&b, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_PutSec(&b, 1), -EINVAL);
	x = mfl_info(NS, "wrong", "gpe");
	CU_ASSERT_EQUAL(BM_GetSec(&x, 0), -EACCES);
	CU_ASSERT_EQUAL(BM_PutSec(&x, 0), -EACCES);
	x = mfl_info(NS, SEC, "nosuch");
	CU_ASSERT_EQUAL(BM_GetSec(&x, 0), -ENOENT);
	CU_ASSERT_EQUAL(BM_PutSec(&x, 0), -ENOENT);
	x = mfl_info("t_lib_nons", SEC, "gpe");
	CU_ASSERT_EQUAL(BM_GetSec(&x, 0), -ENOENT);
	x = b;
	memset(x.bmId, 'z', sizeof(x.bmId));
	CU_ASSERT_EQUAL(BM_GetSec(&x, 0), -EINVAL);
	x = b;
	x.bmId[0] = 0;
	CU_ASSERT_EQUAL(BM_GetSec(&x, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static int child_other(void *arg)
{
	BmInfo *b = arg;
	BmInfo d = mfl_info(NS2, SEC "2", "childcopy");
	BmStat st;
	int bad = 0;

	if (b->type == BM_TYPE_PRIVATE_RW) {
		MFL_CHILD_CHECK(bad, BM_GetSec(b, 0) == -EACCES);
		MFL_CHILD_CHECK(bad, BM_PublishSec(b, 0) == -EPERM);
		MFL_CHILD_CHECK(bad, BM_DeriveSec(b, &d, 0) == -EACCES);
		MFL_CHILD_CHECK(bad, BM_StatSec(b, &st) == -EACCES);
		return bad;
	}
	/* Published: anyone with the secId may get, read and derive. */
	MFL_CHILD_CHECK(bad, BM_GetSec(b, 0) == 0);
	MFL_CHILD_CHECK(bad, BM_StatSec(b, &st) == 0 && st.ownerUid == 0 &&
			     st.sessionRefs == 1);
	MFL_CHILD_CHECK(bad, mfl_has_pattern(b, 0, 8192, 61));
	MFL_CHILD_CHECK(bad, BM_DeriveSec(b, &d, 0) == 0);
	MFL_CHILD_CHECK(bad, BM_StatSec(&d, &st) == 0 &&
			     st.ownerUid == MFP_NOBODY &&
			     st.type == BM_TYPE_PRIVATE_RW);
	MFL_CHILD_CHECK(bad, BM_WriteSec(&d, 0, 5, "child", 0) == 0);
	MFL_CHILD_CHECK(bad, BM_FreeSec(&d, 0) == 0);
	MFL_CHILD_CHECK(bad, BM_PutSec(b, 0) == 0);
	MFL_CHILD_CHECK(bad, BM_FreeSec(b, 0) == -EPERM);
	return bad;
}

static void test_publish(void)
{
	BmInfo b = mfl_info(NS, SEC, "pub");
	BmStat st;

	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&b, 8192, 61), 0);
	CU_ASSERT_EQUAL(mfl_child(child_other, &b, 1), 0);
	CU_ASSERT_EQUAL(BM_PublishSec(&b, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_PublishSec(NULL, 0), -EINVAL);
	{
		BmInfo w = mfl_info(NS, "wrong", "pub");
		BmInfo u = mfl_info(NS, SEC, "nosuch");

		CU_ASSERT_EQUAL(BM_PublishSec(&w, 0), -EACCES);
		CU_ASSERT_EQUAL(BM_PublishSec(&u, 0), -ENOENT);
	}
	CU_ASSERT_EQUAL(BM_PublishSec(&b, 0), 0);
	CU_ASSERT_EQUAL(b.type, BM_TYPE_SHARED_RO);
	CU_ASSERT_EQUAL(BM_PublishSec(&b, 0), -EALREADY);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.type, BM_TYPE_SHARED_RO);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 0, 1, "x", 0), -EACCES);
	CU_ASSERT_EQUAL(BM_ExpandSec(&b, 16384, 0), -EACCES);
	CU_ASSERT_EQUAL(mfl_child(child_other, &b, 1), 0);
	CU_ASSERT(mfl_has_pattern(&b, 0, 8192, 61));
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_derive(void)
{
	BmInfo s = mfl_info(NS, SEC, "dsrc"), d = mfl_info(NS2, SEC "2", "dcopy");
	BmInfo g = mfl_info(NS2, SEC "2", NULL);
	BmStat st;

	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&s, 3 << 20, 71), 0);
	CU_ASSERT_EQUAL_FATAL(BM_DeriveSec(&s, &d, 0), 0);
	CU_ASSERT_EQUAL(d.size, 3 << 20);
	CU_ASSERT_EQUAL(d.type, BM_TYPE_PRIVATE_RW);
	CU_ASSERT_STRING_EQUAL(d.poolName, mfo_pool);
	CU_ASSERT(mfl_has_pattern(&d, 0, 3 << 20, 71));
	CU_ASSERT_EQUAL(BM_StatSec(&d, &st), 0);
	CU_ASSERT(st.nrShared > 0);
	CU_ASSERT_EQUAL(st.sessionRefs, 1);
	/* Writes to either do not show in the other. */
	CU_ASSERT_EQUAL(BM_WriteSec(&d, 100, 4, "copy", 0), 0);
	CU_ASSERT(mfl_has_pattern(&s, 0, 3 << 20, 71));
	CU_ASSERT_EQUAL(BM_WriteSec(&s, (2 << 20) + 5, 3, "src", 0), 0);
	CU_ASSERT(mfl_has_pattern(&d, 2 << 20, 1 << 20, 71));
	/* A generated id. */
	CU_ASSERT_EQUAL(BM_DeriveSec(&s, &g, 0), 0);
	CU_ASSERT(g.bmId[0] != 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&g, 0), 0);
	/* Errors. */
	CU_ASSERT_EQUAL(BM_DeriveSec(&s, &d, 0), -EEXIST);
	CU_ASSERT_EQUAL(BM_DeriveSec(&s, &d, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_DeriveSec(NULL, &d, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_DeriveSec(&s, NULL, 0), -EINVAL);
	g = mfl_info(NS2, SEC "2", "x");
	mfo_str(g.poolName, sizeof(g.poolName) - 1, "otherpool");
	CU_ASSERT_EQUAL(BM_DeriveSec(&s, &g, 0), -EINVAL);
	g = mfl_info(NS2, "wrong", "x");
	CU_ASSERT_EQUAL(BM_DeriveSec(&s, &g, 0), -EACCES);
	g = mfl_info(NS, "wrong", "dsrc");
	CU_ASSERT_EQUAL(BM_DeriveSec(&g, &d, 0), -EACCES);
	g = mfl_info(NS, SEC, "nosuch");
	CU_ASSERT_EQUAL(BM_DeriveSec(&g, &d, 0), -ENOENT);
	CU_ASSERT_EQUAL(BM_FreeSec(&s, 0), 0);
	/* The copy outlives its source. */
	CU_ASSERT(mfl_has_pattern(&d, 2 << 20, 1 << 20, 71));
	CU_ASSERT_EQUAL(BM_FreeSec(&d, 0), 0);
}

static void test_stat(void)
{
	BmInfo b = mfl_info(NS, SEC, "st"), x;
	BmStat st;

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 10000, 0, NULL), 0);
	memset(&st, 0xff, sizeof(st));
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.size, 10000);
	CU_ASSERT_EQUAL(st.type, BM_TYPE_PRIVATE_RW);
	CU_ASSERT_EQUAL(st.freed, 0);
	CU_ASSERT_EQUAL(st.refCount, 1);
	CU_ASSERT_EQUAL(st.mapCount, 0);
	CU_ASSERT_EQUAL(st.ownerUid, 0);
	CU_ASSERT(st.ageSeconds < 60);
	CU_ASSERT(st.ctime > 0);
	CU_ASSERT(st.nrExtents >= 1);
	CU_ASSERT_EQUAL(st.reserved[0], 0);
	CU_ASSERT_EQUAL(BM_StatSec(&b, NULL), -EINVAL);
	CU_ASSERT_EQUAL(BM_StatSec(NULL, &st), -EINVAL);
	x = mfl_info(NS, "wrong", "st");
	CU_ASSERT_EQUAL(BM_StatSec(&x, &st), -EACCES);
	x = mfl_info(NS, SEC, "nosuch");
	CU_ASSERT_EQUAL(BM_StatSec(&x, &st), -ENOENT);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static int child_fork(void *arg)
{
	BmInfo *b = arg;
	BmStat st;
	int bad = 0;

	/* The parent's references are not the child's... */
	MFL_CHILD_CHECK(bad, BM_PutSec(b, 0) == -ENOENT);
	/* ...but the child may take and drop its own. */
	MFL_CHILD_CHECK(bad, BM_GetSec(b, 0) == 0);
	MFL_CHILD_CHECK(bad, BM_StatSec(b, &st) == 0 && st.sessionRefs == 1);
	MFL_CHILD_CHECK(bad, BM_PutSec(b, 0) == 0);
	/* A session of its own. */
	MFL_CHILD_CHECK(bad, BM_Exit() == 0);
	MFL_CHILD_CHECK(bad, mfl_init() == 0);
	MFL_CHILD_CHECK(bad, BM_GetSec(b, 0) == 0);
	MFL_CHILD_CHECK(bad, BM_Exit() == 0);	/* drops its reference */
	return bad;
}

static void test_fork(void)
{
	BmInfo b = mfl_info(NS, SEC, "fork");
	BmStat st;

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 4096, 0, NULL), 0);
	CU_ASSERT_EQUAL(mfl_child(child_fork, &b, 0), 0);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.sessionRefs, 1);
	CU_ASSERT_EQUAL(st.refCount, 1);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_exit_drops_refs(void)
{
	BmInfo b = mfl_info(NS, SEC, "exit");
	BmStat st;

	/* A second session reference: the refs survive one BM_Exit. */
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 4096, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_GetSec(&b, 0), 0);
	CU_ASSERT_EQUAL(BM_Exit(), 0);
	CU_ASSERT_EQUAL(mfl_init(), 0);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.refCount, 0);	/* the last BM_Exit dropped both */
	CU_ASSERT_EQUAL(st.sessionRefs, 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_before_init(void)
{
	BmInfo b = mfl_info(NS, SEC, "x"), d = mfl_info(NS, SEC, "y");
	BmStat st;

	CU_ASSERT_EQUAL_FATAL(BM_Exit(), 0);
	CU_ASSERT_EQUAL(BM_PublishSec(&b, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_GetSec(&b, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_PutSec(&b, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_DeriveSec(&b, &d, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), -ENODEV);
	CU_ASSERT_EQUAL(mfl_init(), 0);
}

int main(int argc, char **argv)
{
	static const struct mfl_test tests[] = {
		{ "model", "get and put", test_get_put },
		{ "model", "get/put errors", test_get_put_errors },
		{ "model", "publish, another user", test_publish },
		{ "model", "derive", test_derive },
		{ "model", "stat", test_stat },
		{ "model", "fork", test_fork },
		{ "model", "BM_Exit drops references", test_exit_drops_refs },
		{ "model", "before BM_Init", test_before_init },
	};

	(void)argc;
	return mfl_main(argv[0], tests, sizeof(tests) / sizeof(tests[0]), setup,
			teardown);
}
