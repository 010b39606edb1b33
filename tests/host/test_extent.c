// SPDX-License-Identifier: GPL-2.0
/*
 * test_extent.c - the extent allocator (kmod/mf_extent*.c) in userspace.
 *
 * The allocator core builds here unchanged; mf_extent_shim.h's userspace
 * side lets the tests hook its persist primitive.  Covered:
 *   - every function's arguments and error paths;
 *   - exact splits, coalescing with either neighbour, 2 MiB alignment,
 *     -ENOSPC and the largest free extent;
 *   - randomized churn against a reference model with mf_ext_check()
 *     after every operation, for 4 KiB, 64 KiB and 2 MiB units;
 *   - format/load round trips;
 *   - crash injection: every flush is modelled (a flushed line becomes
 *     durable at the next fence), and a crash is simulated after every
 *     fence of an operation, also with any subset of the writes not yet
 *     fenced having reached the media; load + check must then give
 *     exactly the state before or after the operation;
 *   - corrupted metadata: load fails cleanly or check reports, never a
 *     crash (build with -fsanitize=address,undefined to be sure).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "mf_extent.h"

#define KIB		1024ULL
#define MIB		(1024 * KIB)

/* ---- helpers ---- */

struct tp {
	struct mf_ext_pool *p;
	void *meta;
	size_t msize;
	u64 cap;
	u32 shift;
};

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void *xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		perror("calloc");
		exit(2);
	}
	return p;
}

static void *xmemdup(const void *src, size_t n)
{
	void *p = xzalloc(n);

	memcpy(p, src, n);
	return p;
}

static void tp_init(struct tp *t, u64 cap, u32 shift)
{
	int ret;

	memset(t, 0, sizeof(*t));
	t->cap = cap;
	t->shift = shift;
	t->msize = mf_ext_meta_size(cap, shift);
	CU_ASSERT_FATAL(t->msize > 0);
	t->meta = xzalloc(t->msize);
	t->p = xzalloc(mf_ext_pool_size());
	ret = mf_ext_format(t->p, t->meta, cap, shift);
	CU_ASSERT_FATAL(ret == 0);
}

static void tp_fini(struct tp *t)
{
	if (t->p)
		mf_ext_unload(t->p);
	free(t->p);
	free(t->meta);
	memset(t, 0, sizeof(*t));
}

/* mf_ext_check() must pass; print what it found if not. */
static bool checked(struct mf_ext_pool *p)
{
	struct mf_ext_check r;
	int ret = mf_ext_check(p, &r);

	if (ret || r.errors)
		printf("\n    mf_ext_check: %d, %llu errors, first at unit %llu: %s\n",
		       ret, (unsigned long long)r.errors,
		       (unsigned long long)r.first_error, r.what);
	return ret == 0 && r.errors == 0;
}

static u64 alloc_ok(struct tp *t, u64 len, u64 tag)
{
	u64 off = ~0ULL;
	int ret = mf_ext_alloc(t->p, len, tag, &off);

	CU_ASSERT(ret == 0);
	if (ret)
		printf("\n    alloc(%llu): %d\n", (unsigned long long)len, ret);
	return off;
}

static struct mf_ext_stat stat_of(struct mf_ext_pool *p)
{
	struct mf_ext_stat st;

	mf_ext_stat(p, &st);
	return st;
}

static bool stat_eq(const struct mf_ext_stat *a, const struct mf_ext_stat *b)
{
	return a->capacity == b->capacity && a->used == b->used &&
	       a->free == b->free && a->largest_free == b->largest_free &&
	       a->nr_used == b->nr_used && a->nr_free == b->nr_free &&
	       a->unit == b->unit && a->meta_bytes == b->meta_bytes &&
	       a->frag_permille == b->frag_permille;
}

/* Used extents, as mf_ext_for_each_used() reports them. */
struct ext {
	u64 off, len, tag;
};

struct extlist {
	struct ext *e;
	size_t n, cap;
};

static int collect_one(void *ctx, u64 off, u64 len, u64 tag)
{
	struct extlist *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		if (!l->e)
			exit(2);
	}
	l->e[l->n].off = off;
	l->e[l->n].len = len;
	l->e[l->n].tag = tag;
	l->n++;
	return 0;
}

static struct extlist collect(struct mf_ext_pool *p)
{
	struct extlist l = { 0 };
	int ret = mf_ext_for_each_used(p, collect_one, &l);

	CU_ASSERT(ret == 0);
	return l;
}

static bool extlist_eq(const struct extlist *a, const struct extlist *b)
{
	return a->n == b->n &&
	       (!a->n || !memcmp(a->e, b->e, a->n * sizeof(*a->e)));
}

/* ---- reference model: one byte per unit, the extents, and their tags ---- */

struct model {
	u64 nunits;
	u32 shift;
	u8 *used;		/* per unit */
	struct ext *ext;	/* live extents, unordered */
	size_t n, cap;
};

static void model_init(struct model *m, u64 cap, u32 shift)
{
	memset(m, 0, sizeof(*m));
	m->nunits = cap >> shift;
	m->shift = shift;
	m->used = xzalloc(m->nunits);
	m->cap = 1024;
	m->ext = xzalloc(m->cap * sizeof(*m->ext));
}

static void model_fini(struct model *m)
{
	free(m->used);
	free(m->ext);
}

static void model_add(struct model *m, u64 off, u64 len, u64 tag)
{
	if (m->n == m->cap) {
		m->cap *= 2;
		m->ext = realloc(m->ext, m->cap * sizeof(*m->ext));
		if (!m->ext)
			exit(2);
	}
	m->ext[m->n].off = off;
	m->ext[m->n].len = len;
	m->ext[m->n].tag = tag;
	m->n++;
	memset(m->used + (off >> m->shift), 1, len >> m->shift);
}

static void model_del(struct model *m, size_t i)
{
	memset(m->used + (m->ext[i].off >> m->shift), 0,
	       m->ext[i].len >> m->shift);
	m->ext[i] = m->ext[--m->n];
}

/* Does [off, off + len) overlap a live extent or leave the pool? */
static bool model_clash(const struct model *m, u64 off, u64 len)
{
	u64 u = off >> m->shift, n = len >> m->shift, i;

	if (u + n > m->nunits)
		return true;
	for (i = 0; i < n; i++)
		if (m->used[u + i])
			return true;
	return false;
}

/* Free runs: how many, the longest, and the longest aligned fit for n. */
static void model_gaps(const struct model *m, u64 *nr, u64 *largest)
{
	u64 i = 0, run;

	*nr = 0;
	*largest = 0;
	while (i < m->nunits) {
		if (m->used[i]) {
			i++;
			continue;
		}
		for (run = 0; i < m->nunits && !m->used[i]; i++)
			run++;
		(*nr)++;
		if (run > *largest)
			*largest = run;
	}
}

static bool model_aligned_fit(const struct model *m, u64 n, u64 align)
{
	u64 a, i;

	for (a = 0; a + n <= m->nunits; a += align) {
		for (i = 0; i < n && !m->used[a + i]; i++)
			;
		if (i == n)
			return true;
	}
	return false;
}

/* The pool must agree with the model in every counter. */
static bool model_matches(const struct model *m, struct mf_ext_pool *p)
{
	struct mf_ext_stat st = stat_of(p);
	u64 nr, largest, used = 0;
	size_t i;

	model_gaps(m, &nr, &largest);
	for (i = 0; i < m->n; i++)
		used += m->ext[i].len;
	return st.used == used && st.nr_used == m->n &&
	       st.free == st.capacity - used && st.nr_free == nr &&
	       st.largest_free == largest << m->shift;
}

/* ---- api: sizes and arguments ---- */

static int count_cb(void *ctx, u64 off, u64 len, u64 tag)
{
	(void)off;
	(void)len;
	(void)tag;
	(*(int *)ctx)++;
	return 0;
}

static void test_sizes(void)
{
	size_t s;

	CU_ASSERT(mf_ext_pool_size() > 0);
	CU_ASSERT(mf_ext_meta_size(1 * MIB, 11) == 0);
	CU_ASSERT(mf_ext_meta_size(1 * MIB, 31) == 0);
	CU_ASSERT(mf_ext_meta_size(4095, 12) == 0);
	CU_ASSERT(mf_ext_meta_size(0, 12) == 0);
	CU_ASSERT(mf_ext_meta_size(((1ULL << 31) + 1) << 12, 12) == 0);
	CU_ASSERT(mf_ext_meta_size((1ULL << 31) << 12, 12) > 0);
	s = mf_ext_meta_size(4096, 12);
	CU_ASSERT(s >= 4096 + 24 && s % 4096 == 0);
	s = mf_ext_meta_size(1024 * MIB, 12);
	CU_ASSERT(s >= 4096 + 24 * 262144ULL && s % 4096 == 0);
	/* A partial unit at the end is not counted. */
	CU_ASSERT(mf_ext_meta_size(1024 * MIB + 4095, 12) == s);
	CU_ASSERT(mf_ext_meta_size(2 * MIB, 21) >= 4096 + 24);
	CU_ASSERT(mf_ext_meta_size(1ULL << 40, 30) > 0);
}

static void test_format_args(void)
{
	struct mf_ext_pool *p = xzalloc(mf_ext_pool_size());
	size_t ms = mf_ext_meta_size(1 * MIB, 12);
	char *meta = xzalloc(ms + 8);
	struct mf_ext_stat st;

	CU_ASSERT(mf_ext_format(NULL, meta, 1 * MIB, 12) == -EINVAL);
	CU_ASSERT(mf_ext_format(p, NULL, 1 * MIB, 12) == -EINVAL);
	CU_ASSERT(mf_ext_format(p, meta + 1, 1 * MIB, 12) == -EINVAL);
	CU_ASSERT(mf_ext_format(p, meta, 1 * MIB, 11) == -EINVAL);
	CU_ASSERT(mf_ext_format(p, meta, 1 * MIB, 31) == -EINVAL);
	CU_ASSERT(mf_ext_format(p, meta, 0, 12) == -EINVAL);
	CU_ASSERT(mf_ext_format(p, meta, 4095, 12) == -EINVAL);
	CU_ASSERT(mf_ext_load(NULL, meta, 1 * MIB, 12) == -EINVAL);
	CU_ASSERT(mf_ext_load(p, NULL, 1 * MIB, 12) == -EINVAL);
	CU_ASSERT(mf_ext_load(p, meta + 4, 1 * MIB, 12) == -EINVAL);
	CU_ASSERT(mf_ext_load(p, meta, 1 * MIB, 40) == -EINVAL);
	/* Never formatted: all zero. */
	CU_ASSERT(mf_ext_load(p, meta, 1 * MIB, 12) == -EUCLEAN);

	/* A capacity that is not a whole number of units. */
	CU_ASSERT_FATAL(mf_ext_format(p, meta, 1 * MIB + 100, 12) == 0);
	mf_ext_stat(p, &st);
	CU_ASSERT(st.capacity == 1 * MIB);
	CU_ASSERT(st.free == 1 * MIB && st.largest_free == 1 * MIB);
	CU_ASSERT(st.nr_free == 1 && st.nr_used == 0 && st.used == 0);
	CU_ASSERT(st.unit == 4096 && st.meta_bytes == ms);
	CU_ASSERT(st.frag_permille == 0 && st.dram_bytes > 0);
	CU_ASSERT(checked(p));
	mf_ext_unload(p);
	/* Loads with the exact capacity it was formatted with, only. */
	CU_ASSERT(mf_ext_load(p, meta, 1 * MIB, 12) == -EINVAL);
	CU_ASSERT(mf_ext_load(p, meta, 1 * MIB + 100, 13) == -EINVAL);
	CU_ASSERT(mf_ext_load(p, meta, 1 * MIB + 100, 12) == 0);
	CU_ASSERT(checked(p));
	mf_ext_unload(p);
	free(meta);
	free(p);
}

static void test_unloaded(void)
{
	struct mf_ext_pool *p = xzalloc(mf_ext_pool_size());
	struct mf_ext_stat st;
	struct mf_ext_check r;
	u64 off, len, tag;
	int n = 0;

	CU_ASSERT(mf_ext_alloc(p, 4096, 0, &off) == -EINVAL);
	CU_ASSERT(mf_ext_free(p, 0) == -EINVAL);
	CU_ASSERT(mf_ext_lookup(p, 0, &len, &tag) == -EINVAL);
	CU_ASSERT(mf_ext_for_each_used(p, count_cb, &n) == -EINVAL);
	CU_ASSERT(mf_ext_check(p, &r) == -EINVAL);
	CU_ASSERT(mf_ext_check(NULL, NULL) == -EINVAL);
	CU_ASSERT(mf_ext_alloc(NULL, 4096, 0, &off) == -EINVAL);
	CU_ASSERT(mf_ext_free(NULL, 0) == -EINVAL);
	memset(&st, 0xff, sizeof(st));
	mf_ext_stat(p, &st);
	CU_ASSERT(st.capacity == 0 && st.free == 0 && st.unit == 0);
	mf_ext_stat(NULL, &st);
	CU_ASSERT(st.capacity == 0);
	mf_ext_unload(p);
	mf_ext_unload(NULL);
	mf_ext_set_lock(NULL, NULL);
	mf_ext_set_lock(p, NULL);
	free(p);
}

/* ---- alloc ---- */

static void test_alloc_args(void)
{
	struct tp t;
	struct mf_ext_stat st;
	u64 off;

	tp_init(&t, 1 * MIB, 12);
	CU_ASSERT(mf_ext_alloc(t.p, 0, 0, &off) == -EINVAL);
	CU_ASSERT(mf_ext_alloc(t.p, 4096, 0, NULL) == -EINVAL);
	CU_ASSERT(mf_ext_alloc(t.p, UINT64_MAX, 0, &off) == -EINVAL);
	CU_ASSERT(mf_ext_alloc(t.p, UINT64_MAX - 4094, 0, &off) == -EINVAL);
	CU_ASSERT(mf_ext_alloc(t.p, UINT64_MAX - 4095, 0, &off) == -ENOSPC);
	CU_ASSERT(mf_ext_alloc(t.p, 1 * MIB + 1, 0, &off) == -ENOSPC);
	CU_ASSERT(checked(t.p));
	/* The whole pool, then nothing. */
	off = alloc_ok(&t, 1 * MIB, 7);
	CU_ASSERT(off == 0);
	CU_ASSERT(mf_ext_alloc(t.p, 1, 0, &off) == -ENOSPC);
	st = stat_of(t.p);
	CU_ASSERT(st.free == 0 && st.largest_free == 0 && st.nr_free == 0);
	CU_ASSERT(st.nr_used == 1 && st.used == 1 * MIB);
	CU_ASSERT(st.frag_permille == 0);
	CU_ASSERT(checked(t.p));
	CU_ASSERT(mf_ext_free(t.p, 0) == 0);
	st = stat_of(t.p);
	CU_ASSERT(st.free == 1 * MIB && st.nr_free == 1 && st.nr_used == 0);
	CU_ASSERT(checked(t.p));
	tp_fini(&t);
}

static void test_exact_split(void)
{
	struct tp t;
	struct mf_ext_stat st;
	u64 a, b, c, d, len, tag;

	tp_init(&t, 4 * MIB, 12);
	a = alloc_ok(&t, 1, 0xa);		/* 1 unit */
	b = alloc_ok(&t, 3 * 4096 + 1, 0xb);	/* 4 units */
	c = alloc_ok(&t, 4096, 0xc);		/* 1 unit */
	CU_ASSERT(a == 0 && b == 4096 && c == 5 * 4096);
	CU_ASSERT(mf_ext_lookup(t.p, a, &len, &tag) == 0);
	CU_ASSERT(len == 4096 && tag == 0xa);
	CU_ASSERT(mf_ext_lookup(t.p, b, &len, &tag) == 0);
	CU_ASSERT(len == 4 * 4096 && tag == 0xb);
	CU_ASSERT(mf_ext_lookup(t.p, c, NULL, NULL) == 0);
	st = stat_of(t.p);
	CU_ASSERT(st.used == 6 * 4096 && st.nr_used == 3 && st.nr_free == 1);
	CU_ASSERT(st.largest_free == 4 * MIB - 6 * 4096);

	/* A 4-unit hole; 3 units are cut from it in one split, leaving 1. */
	CU_ASSERT(mf_ext_free(t.p, b) == 0);
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 2);
	d = alloc_ok(&t, 3 * 4096, 0xd);
	CU_ASSERT(d == b);
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 2 && st.used == 5 * 4096);
	/* The one unit left there is the exact fit for a one-unit request. */
	CU_ASSERT(alloc_ok(&t, 100, 0xe) == b + 3 * 4096);
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 1 && st.nr_used == 4);
	CU_ASSERT(checked(t.p));
	tp_fini(&t);
}

static void test_lookup(void)
{
	struct tp t;
	u64 a, len = 0, tag = 0;

	tp_init(&t, 1 * MIB, 12);
	a = alloc_ok(&t, 3 * 4096, UINT64_MAX);
	CU_ASSERT(mf_ext_lookup(t.p, a, &len, &tag) == 0);
	CU_ASSERT(len == 3 * 4096 && tag == UINT64_MAX);
	CU_ASSERT(mf_ext_lookup(t.p, a + 4096, &len, &tag) == -ENOENT);
	CU_ASSERT(mf_ext_lookup(t.p, a + 1, &len, &tag) == -ENOENT);
	CU_ASSERT(mf_ext_lookup(t.p, 3 * 4096, &len, &tag) == -ENOENT);
	CU_ASSERT(mf_ext_lookup(t.p, 1 * MIB, &len, &tag) == -ENOENT);
	CU_ASSERT(mf_ext_lookup(t.p, UINT64_MAX, &len, &tag) == -ENOENT);
	CU_ASSERT(mf_ext_free(t.p, a) == 0);
	CU_ASSERT(mf_ext_lookup(t.p, a, &len, &tag) == -ENOENT);
	tp_fini(&t);
}

/* ---- free ---- */

static void test_free_invalid(void)
{
	struct tp t;
	struct mf_ext_stat before, after;
	struct extlist l1, l2;
	u64 a, b;

	tp_init(&t, 1 * MIB, 12);
	a = alloc_ok(&t, 4 * 4096, 1);
	b = alloc_ok(&t, 4096, 2);
	CU_ASSERT(mf_ext_free(t.p, b) == 0);	/* b is now part of the tail */
	before = stat_of(t.p);
	l1 = collect(t.p);
	CU_ASSERT(mf_ext_free(t.p, a + 1) == -EINVAL);
	CU_ASSERT(mf_ext_free(t.p, a + 4096) == -EINVAL);
	CU_ASSERT(mf_ext_free(t.p, a + 3 * 4096) == -EINVAL);
	CU_ASSERT(mf_ext_free(t.p, b) == -EINVAL);	/* double free */
	CU_ASSERT(mf_ext_free(t.p, b + 4096) == -EINVAL);	/* in a free block */
	CU_ASSERT(mf_ext_free(t.p, 1 * MIB) == -EINVAL);
	CU_ASSERT(mf_ext_free(t.p, 1 * MIB - 4096) == -EINVAL);
	CU_ASSERT(mf_ext_free(t.p, UINT64_MAX) == -EINVAL);
	CU_ASSERT(mf_ext_free(t.p, UINT64_MAX & ~4095ULL) == -EINVAL);
	after = stat_of(t.p);
	l2 = collect(t.p);
	CU_ASSERT(stat_eq(&before, &after));
	CU_ASSERT(extlist_eq(&l1, &l2));
	CU_ASSERT(checked(t.p));
	CU_ASSERT(mf_ext_free(t.p, a) == 0);
	CU_ASSERT(mf_ext_free(t.p, a) == -EINVAL);
	CU_ASSERT(checked(t.p));
	free(l1.e);
	free(l2.e);
	tp_fini(&t);
}

static void test_coalesce(void)
{
	struct tp t;
	struct mf_ext_stat st;
	u64 a, b, c, d, e;

	tp_init(&t, 1 * MIB, 12);
	a = alloc_ok(&t, 2 * 4096, 1);
	b = alloc_ok(&t, 3 * 4096, 2);
	c = alloc_ok(&t, 5 * 4096, 3);
	d = alloc_ok(&t, 4096, 4);
	e = alloc_ok(&t, 1 * MIB - 11 * 4096, 5);	/* the rest */
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 0 && st.nr_used == 5);

	CU_ASSERT(mf_ext_free(t.p, b) == 0);	/* no free neighbour */
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 1 && st.largest_free == 3 * 4096);
	CU_ASSERT(mf_ext_free(t.p, a) == 0);	/* merges right */
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 1 && st.largest_free == 5 * 4096);
	CU_ASSERT(mf_ext_free(t.p, d) == 0);	/* no free neighbour */
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 2 && st.largest_free == 5 * 4096);
	CU_ASSERT(st.frag_permille == 1000 * 1 / 6);
	CU_ASSERT(checked(t.p));
	CU_ASSERT(mf_ext_free(t.p, c) == 0);	/* merges both ways */
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 1 && st.largest_free == 11 * 4096);
	CU_ASSERT(st.frag_permille == 0);
	CU_ASSERT(checked(t.p));
	CU_ASSERT(mf_ext_free(t.p, e) == 0);	/* merges left, to one block */
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 1 && st.largest_free == 1 * MIB);
	CU_ASSERT(st.free == 1 * MIB && st.nr_used == 0);
	CU_ASSERT(checked(t.p));

	/* Merge left only, at the end of the pool. */
	a = alloc_ok(&t, 4096, 1);
	b = alloc_ok(&t, 1 * MIB - 2 * 4096, 2);
	c = alloc_ok(&t, 4096, 3);
	CU_ASSERT(c == 1 * MIB - 4096);
	CU_ASSERT(mf_ext_free(t.p, b) == 0);
	CU_ASSERT(mf_ext_free(t.p, c) == 0);
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 1 && st.largest_free == 1 * MIB - 4096);
	CU_ASSERT(mf_ext_free(t.p, a) == 0);
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 1 && st.largest_free == 1 * MIB);
	CU_ASSERT(checked(t.p));
	tp_fini(&t);
}

/*
 * The free list for n units also holds smaller blocks; when the blocks that
 * fit are past those the allocator scans and nothing larger exists, the
 * heap of free blocks still finds the fit.
 */
static void test_deep_fit(void)
{
	struct tp t;
	struct mf_ext_stat st;
	u64 hole7, holes[100], off;
	int i;

	tp_init(&t, 4 * MIB, 12);
	hole7 = alloc_ok(&t, 7 * 4096, 0);
	alloc_ok(&t, 4096, 0);
	for (i = 0; i < 100; i++) {	/* more than MF_EXT_SCAN */
		holes[i] = alloc_ok(&t, 5 * 4096, 0);
		alloc_ok(&t, 4096, 0);
	}
	st = stat_of(t.p);
	alloc_ok(&t, st.free, 0);	/* the tail */
	CU_ASSERT(mf_ext_free(t.p, hole7) == 0);
	for (i = 0; i < 100; i++)
		CU_ASSERT(mf_ext_free(t.p, holes[i]) == 0);
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 101 && st.largest_free == 7 * 4096);
	CU_ASSERT(mf_ext_alloc(t.p, 8 * 4096, 0, &off) == -ENOSPC);
	CU_ASSERT(mf_ext_alloc(t.p, 7 * 4096, 0, &off) == 0);
	CU_ASSERT(off == hole7);
	st = stat_of(t.p);
	CU_ASSERT(st.largest_free == 5 * 4096);
	CU_ASSERT(checked(t.p));
	tp_fini(&t);
}

static void test_enospc_largest(void)
{
	struct tp t;
	struct mf_ext_stat st;
	u64 offs[256], off;
	int i;

	tp_init(&t, 256 * 4096, 12);
	for (i = 0; i < 256; i++)
		offs[i] = alloc_ok(&t, 4096, i);
	CU_ASSERT(mf_ext_alloc(t.p, 1, 0, &off) == -ENOSPC);
	for (i = 0; i < 256; i += 2)
		CU_ASSERT(mf_ext_free(t.p, offs[i]) == 0);
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 128 && st.largest_free == 4096);
	CU_ASSERT(st.free == 128 * 4096);
	CU_ASSERT(st.frag_permille == 1000 * 127 / 128);
	CU_ASSERT(mf_ext_alloc(t.p, 4097, 0, &off) == -ENOSPC);
	st = stat_of(t.p);
	CU_ASSERT(st.largest_free == 4096 && st.nr_free == 128);
	CU_ASSERT(mf_ext_free(t.p, offs[101]) == 0);
	st = stat_of(t.p);
	CU_ASSERT(st.largest_free == 3 * 4096 && st.nr_free == 127);
	CU_ASSERT(mf_ext_alloc(t.p, 3 * 4096 + 1, 0, &off) == -ENOSPC);
	CU_ASSERT(mf_ext_alloc(t.p, 3 * 4096, 0, &off) == 0);
	CU_ASSERT(off == offs[100]);
	CU_ASSERT(checked(t.p));
	tp_fini(&t);
}

/* ---- 2 MiB alignment ---- */

static void test_huge_align_unit(u32 shift)
{
	u64 unit = 1ULL << shift;
	struct tp t;
	struct mf_ext_stat st;
	u64 a, b, c, d, off, len;

	tp_init(&t, 64 * MIB, shift);
	a = alloc_ok(&t, unit, 1);
	CU_ASSERT(a == 0);
	b = alloc_ok(&t, 2 * MIB, 2);
	CU_ASSERT(b % (2 * MIB) == 0 && b >= unit);
	c = alloc_ok(&t, 2 * MIB + unit, 3);
	CU_ASSERT(c % (2 * MIB) == 0);
	d = alloc_ok(&t, 5 * MIB + 1, 4);
	CU_ASSERT(d % (2 * MIB) == 0);
	CU_ASSERT(mf_ext_lookup(t.p, d, &len, NULL) == 0);
	CU_ASSERT(len == ((5 * MIB + 1 + unit - 1) & ~(unit - 1)));
	CU_ASSERT(checked(t.p));
	if (unit < 2 * MIB) {
		u64 cend = c + ((2 * MIB + unit + unit - 1) & ~(unit - 1));
		u64 want = 2 * MIB - 2 * unit;

		/* The holes left by alignment, before b and d, are usable. */
		st = stat_of(t.p);
		CU_ASSERT(st.nr_free >= 3);
		off = alloc_ok(&t, want, 5);
		CU_ASSERT((off >= unit && off + want <= b) ||
			  (off >= cend && off + want <= d));
	}
	CU_ASSERT(mf_ext_free(t.p, b) == 0);
	CU_ASSERT(mf_ext_free(t.p, c) == 0);
	CU_ASSERT(checked(t.p));
	tp_fini(&t);
}

static void test_huge_align(void)
{
	test_huge_align_unit(12);
	test_huge_align_unit(16);
	test_huge_align_unit(21);
	test_huge_align_unit(22);
}

/* 2 MiB free, but not 2 MiB aligned: an aligned request cannot use it. */
static void test_huge_misaligned(void)
{
	struct tp t;
	struct mf_ext_stat st;
	u64 a, b, off;

	tp_init(&t, 4 * MIB, 12);
	a = alloc_ok(&t, 4096, 1);
	b = alloc_ok(&t, 2 * MIB, 2);
	CU_ASSERT(b == 2 * MIB);
	CU_ASSERT(mf_ext_free(t.p, a) == 0);
	st = stat_of(t.p);
	CU_ASSERT(st.largest_free == 2 * MIB && st.nr_free == 1);
	/* Take one unit from the front: 2 MiB - 4 KiB at 4 KiB. */
	a = alloc_ok(&t, 4096, 3);
	CU_ASSERT(a == 0);
	CU_ASSERT(mf_ext_alloc(t.p, 2 * MIB, 0, &off) == -ENOSPC);
	CU_ASSERT(mf_ext_free(t.p, b) == 0);
	/* Now [4K, 4M) is free: 2 MiB fits at 2 MiB only. */
	CU_ASSERT(mf_ext_alloc(t.p, 2 * MIB, 0, &off) == 0);
	CU_ASSERT(off == 2 * MIB);
	CU_ASSERT(mf_ext_alloc(t.p, 2 * MIB - 4096, 0, &off) == 0);
	CU_ASSERT(off == 4096);
	st = stat_of(t.p);
	CU_ASSERT(st.free == 0 && st.nr_free == 0);
	CU_ASSERT(checked(t.p));
	tp_fini(&t);
}

/* Small requests are cut where they leave aligned 2 MiB runs whole. */
static void test_keeps_huge_runs(void)
{
	struct tp t;
	u64 a, b, off;
	int i, ok = 0;

	/* 6 MiB + 64 KiB: the odd 64 KiB at the end is used up first. */
	tp_init(&t, 6 * MIB + 64 * KIB, 12);
	a = alloc_ok(&t, 64 * KIB, 1);
	CU_ASSERT(a == 6 * MIB);
	b = alloc_ok(&t, 4096, 2);
	CU_ASSERT(b == 0);
	for (i = 0; i < 3; i++)
		ok += mf_ext_alloc(t.p, 2 * MIB, 0, &off) == 0;
	CU_ASSERT(ok == 2);
	CU_ASSERT(checked(t.p));
	tp_fini(&t);
}

/* ---- walk, lock ---- */

static int stop_at_two(void *ctx, u64 off, u64 len, u64 tag)
{
	int *n = ctx;

	(void)off;
	(void)len;
	(void)tag;
	return ++*n == 2 ? 42 : 0;
}

static void test_walk(void)
{
	struct tp t;
	struct extlist l;
	u64 offs[5];
	int i, n = 0;

	tp_init(&t, 1 * MIB, 12);
	l = collect(t.p);
	CU_ASSERT(l.n == 0);
	free(l.e);
	for (i = 0; i < 5; i++)
		offs[i] = alloc_ok(&t, (i + 1) * 4096, 100 + i);
	CU_ASSERT(mf_ext_free(t.p, offs[1]) == 0);
	l = collect(t.p);
	CU_ASSERT_FATAL(l.n == 4);
	for (i = 0; i < 4; i++) {
		int k = i ? i + 1 : 0;

		CU_ASSERT(l.e[i].off == offs[k]);
		CU_ASSERT(l.e[i].len == (u64)(k + 1) * 4096);
		CU_ASSERT(l.e[i].tag == 100ULL + k);
		if (i)
			CU_ASSERT(l.e[i].off > l.e[i - 1].off);
	}
	free(l.e);
	CU_ASSERT(mf_ext_for_each_used(t.p, stop_at_two, &n) == 42);
	CU_ASSERT(n == 2);
	CU_ASSERT(mf_ext_for_each_used(t.p, NULL, NULL) == -EINVAL);
	/* Userspace ignores the lock; the calls still work after it. */
	mf_ext_set_lock(t.p, (struct mutex *)&n);
	CU_ASSERT(checked(t.p));
	mf_ext_set_lock(t.p, NULL);
	CU_ASSERT(mf_ext_check(t.p, NULL) == 0);
	tp_fini(&t);
}

/* ---- randomized churn against the model ---- */

static u64 rand_len(u64 unit, u64 cap)
{
	u64 r = rnd_below(100);

	if (r < 60)			/* small: up to 8 units */
		return 1 + rnd_below(8 * unit);
	if (r < 90)			/* medium: up to 64 units */
		return 1 + rnd_below(64 * unit);
	if (r < 97)			/* 2 MiB and up: aligned */
		return 2 * MIB + rnd_below(4 * MIB);
	return 1 + rnd_below(cap / 4);	/* anything */
}

static void churn(u32 shift, u64 nunits, int ops)
{
	u64 unit = 1ULL << shift, cap = nunits << shift;
	u64 huge = unit < 2 * MIB ? 2 * MIB / unit : 1;
	struct model m;
	struct tp t;
	int i, fails = 0, aligned_misses = 0, n_alloc = 0, n_free = 0;
	bool ok = true;

	tp_init(&t, cap, shift);
	model_init(&m, cap, shift);
	for (i = 0; i < ops && ok; i++) {
		struct mf_ext_stat st = stat_of(t.p);
		bool do_alloc = !m.n || rnd_below(100) < (st.free * 100 > st.capacity * 30 ? 60 : 35);

		if (do_alloc) {
			u64 len = rand_len(unit, cap), n = (len + unit - 1) >> shift;
			u64 tag = rnd(), off = ~0ULL, rlen = 0, rtag = 0;
			int ret = mf_ext_alloc(t.p, len, tag, &off);

			if (ret == 0) {
				n_alloc++;
				CU_ASSERT(!model_clash(&m, off, n << shift));
				CU_ASSERT(off % unit == 0);
				if (len >= 2 * MIB)
					CU_ASSERT(off % (2 * MIB) == 0);
				CU_ASSERT(mf_ext_lookup(t.p, off, &rlen, &rtag) == 0);
				CU_ASSERT(rlen == n << shift && rtag == tag);
				if (model_clash(&m, off, n << shift)) {
					ok = false;
					break;
				}
				model_add(&m, off, n << shift, tag);
			} else {
				u64 nr, largest;

				CU_ASSERT(ret == -ENOSPC);
				model_gaps(&m, &nr, &largest);
				fails++;
				if (len < 2 * MIB || huge == 1) {
					/* Unaligned: fails only if nothing fits. */
					CU_ASSERT(largest < n);
					if (largest >= n)
						ok = false;
				} else if (model_aligned_fit(&m, n, huge)) {
					aligned_misses++;
				}
			}
		} else if (rnd_below(20) == 0) {
			/* An offset that is not an extent's start. */
			u64 off = rnd_below(cap + unit);
			size_t k;
			bool start = false;

			for (k = 0; k < m.n; k++)
				start |= m.ext[k].off == off;
			if (!start)
				CU_ASSERT(mf_ext_free(t.p, off) == -EINVAL);
		} else {
			size_t k = rnd_below(m.n);

			CU_ASSERT(mf_ext_free(t.p, m.ext[k].off) == 0);
			model_del(&m, k);
			n_free++;
		}
		if (!checked(t.p) || !model_matches(&m, t.p)) {
			CU_FAIL("pool and model disagree");
			printf("\n    after op %d (shift %u)\n", i, shift);
			ok = false;
		}
	}
	CU_ASSERT(ok);
	CU_ASSERT(n_alloc > ops / 4 && n_free > ops / 8);
	/* Aligned requests that missed a fit beyond the bounded scan. */
	CU_ASSERT(aligned_misses * 20 <= fails + 1);
	model_fini(&m);
	tp_fini(&t);
}

static void test_churn_4k(void)
{
	churn(12, 4096, 6000);
}

static void test_churn_64k(void)
{
	churn(16, 1024, 4000);
}

static void test_churn_2m(void)
{
	churn(21, 256, 3000);
}

/* ---- format/load round trip ---- */

static void test_roundtrip(void)
{
	struct tp t;
	struct mf_ext_pool *q = xzalloc(mf_ext_pool_size());
	struct mf_ext_stat s1, s2;
	struct extlist l1, l2;
	void *copy;
	u64 offs[400], off;
	int i, n = 0;

	tp_init(&t, 64 * MIB, 12);
	for (i = 0; i < 400; i++) {
		if (mf_ext_alloc(t.p, rand_len(4096, 16 * MIB), rnd(), &off) == 0)
			offs[n++] = off;
	}
	for (i = 0; i < n; i += 3)
		CU_ASSERT(mf_ext_free(t.p, offs[i]) == 0);
	CU_ASSERT(checked(t.p));
	s1 = stat_of(t.p);
	l1 = collect(t.p);

	copy = xmemdup(t.meta, t.msize);
	CU_ASSERT_FATAL(mf_ext_load(q, copy, t.cap, t.shift) == 0);
	CU_ASSERT(checked(q));
	s2 = stat_of(q);
	l2 = collect(q);
	CU_ASSERT(stat_eq(&s1, &s2));
	CU_ASSERT(extlist_eq(&l1, &l2));
	CU_ASSERT(l1.n > 100);
	/* The loaded copy goes on working. */
	for (i = 1; i < n; i += 3)
		CU_ASSERT(mf_ext_free(q, offs[i]) == 0);
	CU_ASSERT(mf_ext_alloc(q, 3 * MIB, 5, &off) == 0);
	CU_ASSERT(checked(q));
	/* And loads again, the same. */
	free(l1.e);
	l1 = collect(q);
	s1 = stat_of(q);
	mf_ext_unload(q);
	CU_ASSERT(mf_ext_free(q, off) == -EINVAL);
	CU_ASSERT_FATAL(mf_ext_load(q, copy, t.cap, t.shift) == 0);
	s2 = stat_of(q);
	free(l2.e);
	l2 = collect(q);
	CU_ASSERT(stat_eq(&s1, &s2));
	CU_ASSERT(extlist_eq(&l1, &l2));
	CU_ASSERT(checked(q));
	mf_ext_unload(q);
	free(l1.e);
	free(l2.e);
	free(copy);
	free(q);
	tp_fini(&t);
}

/* ---- crash injection ---- */

/*
 * The durable image: a flushed cache line becomes durable (as it is at
 * the flush) no later than the next fence.  At every fence we keep the
 * durable image and the memory as the allocator sees it.
 */
static struct {
	const u8 *live;
	size_t size;
	u8 *dur;
	u8 **snap_dur, **snap_live;
	int n, cap;
	int flushes;
	bool stray;
} cr;

static void cr_flush(const void *addr, size_t len)
{
	const u8 *a = addr;
	size_t lo, hi;

	if (a < cr.live || a + len > cr.live + cr.size || !len) {
		cr.stray = true;
		return;
	}
	lo = (size_t)(a - cr.live) & ~(size_t)63;
	hi = ((size_t)(a - cr.live) + len + 63) & ~(size_t)63;
	if (hi > cr.size)
		hi = cr.size;
	memcpy(cr.dur + lo, cr.live + lo, hi - lo);
	cr.flushes++;
}

static void cr_fence(void)
{
	if (cr.n == cr.cap) {
		cr.cap = cr.cap ? 2 * cr.cap : 8;
		cr.snap_dur = realloc(cr.snap_dur, cr.cap * sizeof(u8 *));
		cr.snap_live = realloc(cr.snap_live, cr.cap * sizeof(u8 *));
		if (!cr.snap_dur || !cr.snap_live)
			exit(2);
	}
	cr.snap_dur[cr.n] = xmemdup(cr.dur, cr.size);
	cr.snap_live[cr.n] = xmemdup(cr.live, cr.size);
	cr.n++;
}

static void cr_begin(const struct tp *t)
{
	cr.live = t->meta;
	cr.size = t->msize;
	cr.dur = xmemdup(t->meta, t->msize);
	cr.n = 0;
	cr.flushes = 0;
	cr.stray = false;
	mf_ext_flush_hook = cr_flush;
	mf_ext_fence_hook = cr_fence;
}

static void cr_end(void)
{
	int i;

	mf_ext_flush_hook = NULL;
	mf_ext_fence_hook = NULL;
	for (i = 0; i < cr.n; i++) {
		free(cr.snap_dur[i]);
		free(cr.snap_live[i]);
	}
	free(cr.dur);
	cr.dur = NULL;
	cr.n = 0;
}

struct crash_stats {
	long images, before, after, replayed_ops;
};

static struct crash_stats cst;

/*
 * Load @img (a crash image) and compare with the states before and after
 * the operation.  Return 0 for before, 1 for after, -1 for neither.
 */
static int crash_verify(const struct tp *t, const u8 *img,
			const struct extlist *lb, const struct mf_ext_stat *sb,
			const struct extlist *la, const struct mf_ext_stat *sa,
			bool follow_up)
{
	struct mf_ext_pool *q = xzalloc(mf_ext_pool_size());
	void *buf = xmemdup(img, t->msize);
	struct mf_ext_stat st;
	struct extlist l;
	int which = -1, ret;
	u64 off;

	cst.images++;
	ret = mf_ext_load(q, buf, t->cap, t->shift);
	CU_ASSERT(ret == 0);
	if (ret) {
		printf("\n    crash image: load %d\n", ret);
		goto out;
	}
	CU_ASSERT(checked(q));
	st = stat_of(q);
	l = collect(q);
	if (extlist_eq(&l, lb) && stat_eq(&st, sb))
		which = 0;
	else if (extlist_eq(&l, la) && stat_eq(&st, sa))
		which = 1;
	free(l.e);
	if (which < 0)
		printf("\n    crash image: neither before nor after\n");
	if (follow_up && which >= 0) {
		/* The recovered pool works. */
		if (mf_ext_alloc(q, 4096, 1, &off) == 0)
			CU_ASSERT(mf_ext_free(q, off) == 0);
		CU_ASSERT(checked(q));
	}
	mf_ext_unload(q);
out:
	free(q);
	free(buf);
	return which;
}

/*
 * Run one alloc (@is_alloc) or free on @t and simulate a crash at every
 * point of it.  Return the operation's result.
 */
static int crash_op(struct tp *t, bool is_alloc, u64 arg, u64 tag, u64 *off,
		    int subsets)
{
	struct mf_ext_stat sb = stat_of(t->p), sa;
	struct extlist lb = collect(t->p), la;
	u8 *pre = xmemdup(t->meta, t->msize), *img;
	size_t nw = t->msize / 8, w, k;
	size_t *diff = xzalloc(nw * sizeof(*diff));
	int ret, j, s, which, last = 0;

	cr_begin(t);
	ret = is_alloc ? mf_ext_alloc(t->p, arg, tag, off) :
			 mf_ext_free(t->p, arg);
	mf_ext_flush_hook = NULL;
	mf_ext_fence_hook = NULL;
	sa = stat_of(t->p);
	la = collect(t->p);
	CU_ASSERT(!cr.stray);
	if (ret) {
		/* A failed operation writes nothing. */
		CU_ASSERT(cr.n == 0 && !memcmp(pre, t->meta, t->msize));
		goto out;
	}
	CU_ASSERT(cr.n == 3);
	CU_ASSERT_FATAL(cr.n > 0);
	/* Everything written was flushed, and fenced before returning. */
	CU_ASSERT(!memcmp(cr.dur, t->meta, t->msize));
	CU_ASSERT(!memcmp(cr.snap_live[cr.n - 1], t->meta, t->msize));
	CU_ASSERT(!memcmp(cr.snap_dur[cr.n - 1], t->meta, t->msize));

	img = xzalloc(t->msize);
	for (j = 0; j < cr.n; j++) {
		const u8 *base = j ? cr.snap_dur[j - 1] : pre;
		const u8 *now = cr.snap_live[j];
		size_t nd = 0;

		for (w = 0; w < nw; w++)
			if (memcmp(base + 8 * w, now + 8 * w, 8))
				diff[nd++] = w;
		/* Crash right after fence j (nothing of what follows). */
		which = crash_verify(t, base, &lb, &sb, &la, &sa, j == 1);
		CU_ASSERT(which >= last);
		if (which >= 0)
			last = which;
		if (which == 0)
			cst.before++;
		else if (which == 1)
			cst.after++;
		/* Before fence j + 1, with any of the pending words. */
		for (s = 0; s < subsets + 1; s++) {
			memcpy(img, base, t->msize);
			for (k = 0; k < nd; k++)
				if (s == subsets || (rnd() & 1))
					memcpy(img + 8 * diff[k],
					       now + 8 * diff[k], 8);
			which = crash_verify(t, img, &lb, &sb, &la, &sa,
					     s == 0);
			CU_ASSERT(which == 0 || which == 1);
		}
	}
	/* After the last fence: the operation happened. */
	which = crash_verify(t, cr.snap_dur[cr.n - 1], &lb, &sb, &la, &sa,
			     true);
	CU_ASSERT(which == 1);
	cst.replayed_ops++;
	free(img);
out:
	cr_end();
	free(pre);
	free(diff);
	free(lb.e);
	free(la.e);
	return ret;
}

static u64 crash_alloc(struct tp *t, u64 len, u64 tag)
{
	u64 off = ~0ULL;

	CU_ASSERT(crash_op(t, true, len, tag, &off, 16) == 0);
	CU_ASSERT(checked(t->p));
	return off;
}

static void crash_free(struct tp *t, u64 off)
{
	CU_ASSERT(crash_op(t, false, off, 0, NULL, 16) == 0);
	CU_ASSERT(checked(t->p));
}

static void test_crash_cases(void)
{
	struct tp t;
	u64 a, b, c, d, e, f, g, off;

	memset(&cst, 0, sizeof(cst));
	tp_init(&t, 8 * MIB, 12);
	a = crash_alloc(&t, 4096, 1);			/* from the tail */
	b = crash_alloc(&t, 3 * 4096, 2);
	c = crash_alloc(&t, 5 * 4096, 3);
	d = crash_alloc(&t, 4096, 4);
	e = crash_alloc(&t, 2 * MIB, 5);		/* aligned, 3-way split */
	CU_ASSERT(e % (2 * MIB) == 0);
	f = crash_alloc(&t, 4096, 6);
	crash_free(&t, b);				/* no merge */
	crash_free(&t, a);				/* merge right */
	crash_free(&t, d);				/* merge left (hole) */
	g = crash_alloc(&t, 4 * 4096, 7);		/* exact fit in a+b */
	CU_ASSERT(g == a);
	crash_free(&t, c);				/* merge both */
	crash_free(&t, g);				/* first block */
	crash_free(&t, f);				/* merge with the tail */
	crash_free(&t, e);				/* back to one block */
	CU_ASSERT(stat_of(t.p).nr_free == 1);
	off = crash_alloc(&t, 8 * MIB, 8);		/* the whole pool */
	CU_ASSERT(off == 0);
	crash_free(&t, off);
	/* Failed operations write nothing. */
	CU_ASSERT(crash_op(&t, false, 4096, 0, NULL, 0) == -EINVAL);
	CU_ASSERT(crash_op(&t, true, 9 * MIB, 0, &off, 0) == -ENOSPC);
	CU_ASSERT(checked(t.p));
	tp_fini(&t);
	printf("\n    %ld crash images: %ld before, %ld after (plus torn)  ",
	       cst.images, cst.before, cst.after);
}

static void test_crash_random(void)
{
	struct tp t;
	u64 offs[512], off;
	int i, n = 0;

	memset(&cst, 0, sizeof(cst));
	tp_init(&t, 4 * MIB, 12);
	for (i = 0; i < 300; i++) {
		if (!n || (n < 512 && rnd_below(100) < 55)) {
			u64 len = rnd_below(10) ? 1 + rnd_below(24 * 4096) :
						  2 * MIB;

			if (crash_op(&t, true, len, rnd(), &off, 4) == 0)
				offs[n++] = off;
		} else {
			int k = rnd_below(n);

			CU_ASSERT(crash_op(&t, false, offs[k], 0, NULL, 4) == 0);
			offs[k] = offs[--n];
		}
		if (!checked(t.p))
			break;
	}
	CU_ASSERT(i == 300);
	tp_fini(&t);
	printf("\n    %ld crash images  ", cst.images);
}

/* A crash inside mf_ext_format() leaves an area load refuses. */
static void test_crash_format(void)
{
	struct tp t;
	struct mf_ext_pool *q = xzalloc(mf_ext_pool_size());
	int j, ret, fences;

	tp_init(&t, 1 * MIB, 12);
	alloc_ok(&t, 4096, 1);
	mf_ext_unload(t.p);
	cr_begin(&t);
	CU_ASSERT(mf_ext_format(t.p, t.meta, t.cap, t.shift) == 0);
	mf_ext_flush_hook = NULL;
	mf_ext_fence_hook = NULL;
	CU_ASSERT(!cr.stray);
	CU_ASSERT(!memcmp(cr.dur, t.meta, t.msize));
	fences = cr.n;
	for (j = 0; j < fences; j++) {
		void *buf = xmemdup(cr.snap_dur[j], t.msize);

		ret = mf_ext_load(q, buf, t.cap, t.shift);
		if (j < fences - 1) {
			CU_ASSERT(ret == -EUCLEAN);
		} else {
			CU_ASSERT(ret == 0);
			CU_ASSERT(stat_of(q).nr_used == 0);
			mf_ext_unload(q);
		}
		free(buf);
	}
	cr_end();
	free(q);
	tp_fini(&t);
}

/* ---- corruption ---- */

static void flip(u8 *buf, size_t off)
{
	buf[off] ^= 1 + rnd_below(255);
}

static void test_corrupt_load(void)
{
	struct tp t;
	struct mf_ext_pool *q = xzalloc(mf_ext_pool_size());
	struct extlist l;
	u8 *img;
	size_t i, k, b;
	u64 off;
	int ret, ok = 0, refused = 0;

	tp_init(&t, 2 * MIB, 12);
	for (i = 0; i < 40; i++)
		alloc_ok(&t, (1 + rnd_below(8)) * 4096, i);
	l = collect(t.p);
	for (i = 0; i < l.n; i += 2)
		CU_ASSERT(mf_ext_free(t.p, l.e[i].off) == 0);
	free(l.e);
	l = collect(t.p);
	img = xzalloc(t.msize);

	/* Any change to the superblock. */
	for (b = 0; b < 64; b++) {
		memcpy(img, t.meta, t.msize);
		flip(img, b);
		CU_ASSERT(mf_ext_load(q, img, t.cap, t.shift) == -EUCLEAN);
	}
	/* Any change to the header of a block that is in the chain. */
	for (i = 0; i < l.n; i++) {
		for (b = 0; b < 24; b++) {
			memcpy(img, t.meta, t.msize);
			flip(img, 4096 + (l.e[i].off >> 12) * 24 + b);
			ret = mf_ext_load(q, img, t.cap, t.shift);
			CU_ASSERT(ret == -EUCLEAN);
			if (!ret)
				mf_ext_unload(q);
		}
	}
	/* Random damage anywhere: refused, or loaded and consistent. */
	for (k = 0; k < 3000; k++) {
		memcpy(img, t.meta, t.msize);
		for (i = 0; i <= rnd_below(4); i++) {
			size_t at = rnd_below(100) < 50 ?
				    rnd_below(4096 + 24 * 512) :
				    rnd_below(t.msize);

			flip(img, at);
		}
		ret = mf_ext_load(q, img, t.cap, t.shift);
		CU_ASSERT(ret == 0 || ret == -EUCLEAN);
		if (ret) {
			refused++;
			continue;
		}
		ok++;
		CU_ASSERT(checked(q));
		if (mf_ext_alloc(q, 4096, 0, &off) == 0)
			CU_ASSERT(mf_ext_free(q, off) == 0);
		mf_ext_unload(q);
	}
	CU_ASSERT(ok > 0 && refused > 0);
	printf("\n    random damage: %d loaded, %d refused  ", ok, refused);
	free(l.e);
	free(img);
	free(q);
	tp_fini(&t);
}

/* Metadata damaged under a loaded pool: check reports, calls refuse. */
static void test_corrupt_live(void)
{
	struct tp t;
	struct mf_ext_check r;
	u64 a, b, c, off, len;
	u8 *m;

	tp_init(&t, 1 * MIB, 12);
	a = alloc_ok(&t, 4096, 1);
	b = alloc_ok(&t, 2 * 4096, 2);
	c = alloc_ok(&t, 4096, 3);
	m = t.meta;
	m[4096 + (b >> 12) * 24 + 3] ^= 0x40;	/* b's size */
	CU_ASSERT(mf_ext_check(t.p, &r) == -EUCLEAN);
	CU_ASSERT(r.errors > 0 && r.what[0]);
	CU_ASSERT(mf_ext_lookup(t.p, b, &len, NULL) == -EUCLEAN);
	CU_ASSERT(mf_ext_free(t.p, b) == -EUCLEAN);
	CU_ASSERT(mf_ext_free(t.p, a) == -EUCLEAN);	/* its neighbour */
	CU_ASSERT(mf_ext_free(t.p, c) == -EUCLEAN);
	CU_ASSERT(mf_ext_for_each_used(t.p, count_cb, &(int){ 0 }) == -EUCLEAN);
	m[4096 + (b >> 12) * 24 + 3] ^= 0x40;
	CU_ASSERT(checked(t.p));

	/* The superblock. */
	m[16] ^= 1;
	CU_ASSERT(mf_ext_check(t.p, &r) == -EUCLEAN);
	CU_ASSERT(r.errors == 1);
	m[16] ^= 1;
	/* The committed journal record of the last operation. */
	m[320 + 40] ^= 1;
	CU_ASSERT(mf_ext_check(t.p, &r) == -EUCLEAN);
	m[320 + 40] ^= 1;
	CU_ASSERT(checked(t.p));
	/* A stale slot inside a used block is never read. */
	m[4096 + ((b >> 12) + 1) * 24 + 5] ^= 0xff;
	CU_ASSERT(checked(t.p));
	CU_ASSERT(mf_ext_alloc(t.p, 4096, 9, &off) == 0);
	CU_ASSERT(mf_ext_free(t.p, b) == 0);
	CU_ASSERT(checked(t.p));
	tp_fini(&t);
}

/* A torn or damaged journal is ignored, never replayed. */
static void test_corrupt_journal(void)
{
	struct tp t;
	struct mf_ext_pool *q = xzalloc(mf_ext_pool_size());
	struct extlist l1, l2;
	u8 *img;
	int b;

	tp_init(&t, 1 * MIB, 12);
	alloc_ok(&t, 4096, 1);
	alloc_ok(&t, 4096, 2);
	l1 = collect(t.p);
	img = xzalloc(t.msize);
	for (b = 256; b < 320 + 32 + 16 * 16; b++) {
		memcpy(img, t.meta, t.msize);
		flip(img, b);
		CU_ASSERT_FATAL(mf_ext_load(q, img, t.cap, t.shift) == 0);
		CU_ASSERT(checked(q));
		l2 = collect(q);
		CU_ASSERT(extlist_eq(&l1, &l2));
		free(l2.e);
		mf_ext_unload(q);
	}
	free(l1.e);
	free(img);
	free(q);
	tp_fini(&t);
}

/* ---- many extents: bounded work per operation ---- */

static void test_many(void)
{
	struct tp t;
	u64 *offs;
	int i, n = 0;
	const int max = 100000;
	struct mf_ext_stat st;

	offs = xzalloc(max * sizeof(*offs));
	tp_init(&t, 4096ULL * 400000, 12);
	for (i = 0; i < max; i++) {
		u64 off;

		if (mf_ext_alloc(t.p, (1 + rnd_below(3)) * 4096, i, &off) == 0)
			offs[n++] = off;
	}
	CU_ASSERT(n == max);
	for (i = 0; i < 300000; i++) {
		int k = rnd_below(n);
		u64 off;

		CU_ASSERT_FATAL(mf_ext_free(t.p, offs[k]) == 0);
		CU_ASSERT_FATAL(mf_ext_alloc(t.p, (1 + rnd_below(3)) * 4096,
					     i, &off) == 0);
		offs[k] = off;
	}
	st = stat_of(t.p);
	CU_ASSERT(st.nr_used == (u64)max);
	CU_ASSERT(checked(t.p));
	for (i = 0; i < n; i++)
		CU_ASSERT_FATAL(mf_ext_free(t.p, offs[i]) == 0);
	st = stat_of(t.p);
	CU_ASSERT(st.nr_free == 1 && st.nr_used == 0);
	CU_ASSERT(checked(t.p));
	free(offs);
	tp_fini(&t);
}

int main(void)
{
	static const struct {
		const char *suite;
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "api", "sizes", test_sizes },
		{ "api", "format and load arguments", test_format_args },
		{ "api", "unloaded pool", test_unloaded },
		{ "alloc", "arguments, whole pool, -ENOSPC", test_alloc_args },
		{ "alloc", "exact split", test_exact_split },
		{ "alloc", "lookup", test_lookup },
		{ "alloc", "fit past the scanned blocks", test_deep_fit },
		{ "alloc", "-ENOSPC and largest_free", test_enospc_largest },
		{ "free", "invalid offsets, double free", test_free_invalid },
		{ "free", "coalescing", test_coalesce },
		{ "huge", "2 MiB alignment, 4K/64K/2M/4M units", test_huge_align },
		{ "huge", "misaligned 2 MiB hole", test_huge_misaligned },
		{ "huge", "small requests keep 2 MiB runs", test_keeps_huge_runs },
		{ "walk", "for_each_used, lock", test_walk },
		{ "churn", "vs model, 4 KiB units", test_churn_4k },
		{ "churn", "vs model, 64 KiB units", test_churn_64k },
		{ "churn", "vs model, 2 MiB units", test_churn_2m },
		{ "churn", "100k extents", test_many },
		{ "persist", "format/load round trip", test_roundtrip },
		{ "crash", "every case, every fence, torn", test_crash_cases },
		{ "crash", "random operations", test_crash_random },
		{ "crash", "format", test_crash_format },
		{ "corrupt", "load refuses or is consistent", test_corrupt_load },
		{ "corrupt", "under a loaded pool", test_corrupt_live },
		{ "corrupt", "journal", test_corrupt_journal },
	};
	CU_pSuite suite = NULL;
	const char *cur = NULL;
	unsigned int failures;
	size_t i;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!cur || strcmp(cur, tests[i].suite)) {
			cur = tests[i].suite;
			suite = CU_add_suite(cur, NULL, NULL);
		}
		if (!suite || !CU_add_test(suite, tests[i].name, tests[i].fn)) {
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
