// SPDX-License-Identifier: GPL-2.0
/*
 * t_lib_gather.c - libmemfabric BM_GatherSec (guest, as root):
 * concatenation, SUM/MIN/MAX over int64 and double, the result's length,
 * and every argument error.  CUnit via mflib.h.
 */
#define _GNU_SOURCE
#include <float.h>
#include <limits.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mflib.h"

#define NS "t_lib_gather"
#define SEC "gather-secret"
#define N 1000	/* values per source */

static BmInfo src[3], dst;

static double dmin(double a, double b)
{
	return b < a ? b : a;
}

static double dmax(double a, double b)
{
	return b > a ? b : a;
}

static int setup(void)
{
	int rc = BM_CreateNSSec(NULL, NS, 0, SEC);

	for (int i = 0; !rc && i < 3; i++) {
		char id[8];

		snprintf(id, sizeof(id), "s%d", i);
		src[i] = mfl_info(NS, SEC, id);
		rc = BM_AllocSec(&src[i], N * 8, 0, NULL);
	}
	dst = mfl_info(NS, SEC, "dst");
	return rc ? rc : BM_AllocSec(&dst, 3 * N * 8, 0, NULL);
}

static int teardown(void)
{
	int rc = BM_FreeSec(&dst, 0);

	for (int i = 0; i < 3; i++)
		rc = rc ? rc : BM_FreeSec(&src[i], 0);
	return rc ? rc : BM_DestroyNSSec(NULL, NS, SEC);
}

/* The NULL-terminated inputInfo of @n items. */
static void make_input(intptr_t *in, BmGatherItem *items, int n,
		       size_t offset, size_t length)
{
	for (int i = 0; i < n; i++) {
		items[i] = (BmGatherItem){ &src[i], offset, length };
		in[i] = (intptr_t)&items[i];
	}
	in[n] = 0;
}

static void test_concat(void)
{
	BmGatherItem items[3];
	intptr_t in[4];
	size_t len = 0;
	unsigned char *buf = malloc(3 * N * 8), *want = malloc(N * 8);

	for (int i = 0; i < 3; i++) {
		mfo_pattern(want, N * 8, 40 + i, 0);
		CU_ASSERT_EQUAL(BM_WriteSec(&src[i], 0, N * 8, want, 0), 0);
	}
	/* Different ranges of each: 100 bytes of s0, 2000 of s1, 8 of s2. */
	items[0] = (BmGatherItem){ &src[0], 10, 100 };
	items[1] = (BmGatherItem){ &src[1], 0, 2000 };
	items[2] = (BmGatherItem){ &src[2], N * 8 - 8, 8 };
	for (int i = 0; i < 3; i++)
		in[i] = (intptr_t)&items[i];
	in[3] = 0;
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, &dst, &len), 0);
	CU_ASSERT_EQUAL(len, 2108);
	CU_ASSERT_EQUAL(BM_ReadSec(&dst, 0, 2108, buf, 0), 0);
	CU_ASSERT(mfo_check_pattern(buf, 100, 40, 10));
	CU_ASSERT(mfo_check_pattern(buf + 100, 2000, 41, 0));
	CU_ASSERT(mfo_check_pattern(buf + 2100, 8, 42, N * 8 - 8));
	/* bmLen may be NULL; one item; the same source twice. */
	in[1] = 0;
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, &dst, NULL), 0);
	items[1] = items[0];
	in[1] = (intptr_t)&items[1];
	in[2] = 0;
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, &dst, &len), 0);
	CU_ASSERT_EQUAL(len, 200);
	CU_ASSERT_EQUAL(BM_ReadSec(&dst, 100, 100, buf, 0), 0);
	CU_ASSERT(mfo_check_pattern(buf, 100, 40, 10));
	free(buf);
	free(want);
}

static void test_i64(void)
{
	int64_t v[3][N], out[N];
	BmGatherItem items[3];
	intptr_t in[4];
	size_t len = 0;
	int sum_ok = 1, min_ok = 1, max_ok = 1;

	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < N; k++)
			v[i][k] = (int64_t)(k * 7919 + i * 104729) % 2001 - 1000;
		v[i][0] = i == 1 ? INT64_MAX : 1;	/* sums wrap */
		CU_ASSERT_EQUAL(BM_WriteSec(&src[i], 0, sizeof(v[i]), v[i], 0), 0);
	}
	make_input(in, items, 3, 0, N * 8);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_SUM_I64, 0, &dst, &len), 0);
	CU_ASSERT_EQUAL(len, N * 8);
	CU_ASSERT_EQUAL(BM_ReadSec(&dst, 0, sizeof(out), out, 0), 0);
	for (int k = 0; k < N; k++)
		sum_ok &= out[k] == (int64_t)((uint64_t)v[0][k] + (uint64_t)v[1][k] +
					     (uint64_t)v[2][k]);
	CU_ASSERT(sum_ok);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_MIN_I64, 0, &dst, &len), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&dst, 0, sizeof(out), out, 0), 0);
	for (int k = 0; k < N; k++) {
		int64_t m = v[0][k];

		m = v[1][k] < m ? v[1][k] : m;
		m = v[2][k] < m ? v[2][k] : m;
		min_ok &= out[k] == m;
	}
	CU_ASSERT(min_ok);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_MAX_I64, 0, &dst, &len), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&dst, 0, sizeof(out), out, 0), 0);
	for (int k = 0; k < N; k++) {
		int64_t m = v[0][k];

		m = v[1][k] > m ? v[1][k] : m;
		m = v[2][k] > m ? v[2][k] : m;
		max_ok &= out[k] == m;
	}
	CU_ASSERT(max_ok);
	CU_ASSERT_EQUAL(out[0], INT64_MAX);
}

static void test_f64(void)
{
	double v[3][N], out[N];
	BmGatherItem items[3];
	intptr_t in[4];
	size_t len = 0;
	int sum_ok = 1, min_ok = 1, max_ok = 1;

	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < N; k++)
			v[i][k] = (k * 0.1 - 33.3) * (i + 1) / 7.0;
		CU_ASSERT_EQUAL(BM_WriteSec(&src[i], 0, sizeof(v[i]), v[i], 0), 0);
	}
	make_input(in, items, 3, 0, N * 8);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_SUM_F64, 0, &dst, &len), 0);
	CU_ASSERT_EQUAL(len, N * 8);
	CU_ASSERT_EQUAL(BM_ReadSec(&dst, 0, sizeof(out), out, 0), 0);
	for (int k = 0; k < N; k++) {
		volatile double s = v[0][k];	/* source order, no FMA */

		s += v[1][k];
		s += v[2][k];
		sum_ok &= !memcmp(&out[k], (const void *)&s, 8);
	}
	CU_ASSERT(sum_ok);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_MIN_F64, 0, &dst, &len), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&dst, 0, sizeof(out), out, 0), 0);
	for (int k = 0; k < N; k++)
		min_ok &= out[k] == dmin(v[0][k], dmin(v[1][k], v[2][k]));
	CU_ASSERT(min_ok);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_MAX_F64, 0, &dst, &len), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&dst, 0, sizeof(out), out, 0), 0);
	for (int k = 0; k < N; k++)
		max_ok &= out[k] == dmax(v[0][k], dmax(v[1][k], v[2][k]));
	CU_ASSERT(max_ok);
}

static void test_errors(void)
{
	BmGatherItem items[3], bad;
	intptr_t in[4], one[2];
	BmInfo w = mfl_info(NS, "wrong", "dst"), u = mfl_info(NS, SEC, "nosuch");
	size_t len = 12345;

	make_input(in, items, 3, 0, 800);
	CU_ASSERT_EQUAL(BM_GatherSec(NULL, BM_OP_GATHER, 0, &dst, &len), -EINVAL);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, NULL, &len), -EINVAL);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 1, &dst, &len), -EINVAL);
	CU_ASSERT_EQUAL(BM_GatherSec(in, (BmOperatorCode)7, 0, &dst, &len),
			-EINVAL);
	CU_ASSERT_EQUAL(BM_GatherSec(in, (BmOperatorCode)-1, 0, &dst, &len),
			-EINVAL);
	one[0] = 0;
	CU_ASSERT_EQUAL(BM_GatherSec(one, BM_OP_GATHER, 0, &dst, &len), -EINVAL);
	/* A NULL source, a zero length, an overflowing range. */
	bad = (BmGatherItem){ NULL, 0, 8 };
	one[0] = (intptr_t)&bad;
	one[1] = 0;
	CU_ASSERT_EQUAL(BM_GatherSec(one, BM_OP_GATHER, 0, &dst, &len), -EINVAL);
	bad = (BmGatherItem){ &src[0], 0, 0 };
	CU_ASSERT_EQUAL(BM_GatherSec(one, BM_OP_GATHER, 0, &dst, &len), -EINVAL);
	bad = (BmGatherItem){ &src[0], SIZE_MAX, 8 };
	CU_ASSERT_EQUAL(BM_GatherSec(one, BM_OP_GATHER, 0, &dst, &len),
			-EOVERFLOW);
	/* Beyond the source; a result larger than the destination. */
	bad = (BmGatherItem){ &src[0], N * 8 - 4, 8 };
	CU_ASSERT_EQUAL(BM_GatherSec(one, BM_OP_GATHER, 0, &dst, &len), -EINVAL);
	bad = (BmGatherItem){ &dst, 0, 3 * N * 8 };
	CU_ASSERT_EQUAL(BM_GatherSec(one, BM_OP_GATHER, 0, &src[0], &len),
			-EINVAL);
	/* Reductions: equal lengths, multiples of 8. */
	items[1].length = 808;
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_SUM_I64, 0, &dst, &len), -EINVAL);
	make_input(in, items, 3, 0, 804);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_MAX_F64, 0, &dst, &len), -EINVAL);
	/* Names. */
	make_input(in, items, 3, 0, 800);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, &w, &len), -EACCES);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, &u, &len), -ENOENT);
	items[2].src = &w;
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, &dst, &len), -EACCES);
	items[2].src = &u;
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, &dst, &len), -ENOENT);
	CU_ASSERT_EQUAL(len, 12345);	/* untouched on failure */
}

static void test_too_many(void)
{
	size_t n = BM_GATHER_MAX_ITEMS + 1;
	intptr_t *in = calloc(n + 1, sizeof(*in));
	BmGatherItem it = { &src[0], 0, 1 };
	size_t len = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (intptr_t)&it;
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, &dst, &len), -EINVAL);
	/* The most allowed. */
	in[BM_GATHER_MAX_ITEMS] = 0;
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, &dst, &len), 0);
	CU_ASSERT_EQUAL(len, BM_GATHER_MAX_ITEMS);
	free(in);
}

static int child_gather(void *arg)
{
	BmGatherItem items[3];
	intptr_t in[4];
	size_t len;
	int bad = 0;

	(void)arg;
	/* The sources are another user's private objects. */
	make_input(in, items, 3, 0, 8);
	MFL_CHILD_CHECK(bad, BM_GatherSec(in, BM_OP_GATHER, 0, &dst, &len) ==
			     -EACCES);
	return bad;
}

static void test_other_user(void)
{
	CU_ASSERT_EQUAL(mfl_child(child_gather, NULL, 1), 0);
}

int main(int argc, char **argv)
{
	static const struct mfl_test tests[] = {
		{ "gather", "concatenate", test_concat },
		{ "gather", "int64 sum, min, max", test_i64 },
		{ "gather", "double sum, min, max", test_f64 },
		{ "gather", "errors", test_errors },
		{ "gather", "item count limit", test_too_many },
		{ "gather", "another user", test_other_user },
	};

	(void)argc;
	return mfl_main(argv[0], tests, sizeof(tests) / sizeof(tests[0]), setup,
			teardown);
}
