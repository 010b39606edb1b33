// SPDX-License-Identifier: GPL-2.0
/*
 * bench_alloc.c - memfabric's extent allocator (kmod/mf_extent*.c, built
 * here unchanged) against first fit over a bitmap (genalloc's algorithm)
 * and a classic power-of-two buddy allocator.
 *
 * Workloads (the same request sequence for every allocator):
 *   (a) churn: fill to L live extents of 4 KiB to 256 KiB (log-uniform),
 *       4 KiB units, then free a random extent and allocate a new one,
 *       timed as one pair; L = 1k, 100k, 1M;
 *   (b) seed 004's key-value store, scaled down 100 times: 100k records,
 *       sizes lognormal with a mean of 100 KiB and a tail clipped at
 *       5 MiB, 16 KiB units, then churn;
 *   (c) after each churn, 2 MiB requests (2 MiB-aligned) until one fails.
 * Pools are twice the expected live bytes, rounded up to 2 MiB.
 *
 * Reported: ns per free+alloc pair (median, p99, max; each pair timed with
 * clock_gettime(), whose ~20 ns are included), fragmentation as
 * (peak span / peak live) - 1 where span is the highest end of any
 * allocation and live the bytes asked for, and as largest free / total
 * free at the end of the churn, metadata bytes per live extent, the share
 * of the free space that 2 MiB requests could get (c), and allocations
 * that failed during the churn.
 *
 * Also shown: largest free / (capacity - live bytes), the share of the
 * memory not holding data that one extent could get, which counts what a
 * buddy allocator wastes inside its blocks.
 *
 *   bench_alloc [--quick] [--only SUBSTRING] [--seed N] [--out FILE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <immintrin.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench_alloc.h"
#include "mf_extent.h"

#define KIB	1024ULL
#define MIB	(1024 * KIB)

/* ---- memfabric's allocator ---- */

struct ours {
	struct mf_ext_pool *p;
	void *meta;
	uint64_t unit;
};

__attribute__((target("clwb")))
static void clwb_range(const void *addr, size_t len)
{
	uintptr_t p = (uintptr_t)addr & ~(uintptr_t)63;

	for (; p < (uintptr_t)addr + len; p += 64)
		_mm_clwb((void *)p);
}

static void sfence(void)
{
	_mm_sfence();
}

static void *ours_create_common(uint64_t capacity, unsigned int shift,
				bool flush)
{
	struct ours *o = calloc(1, sizeof(*o));
	size_t ms = mf_ext_meta_size(capacity, shift);

	if (!o || !ms)
		return NULL;
	o->p = calloc(1, mf_ext_pool_size());
	o->meta = calloc(1, ms);
	if (!o->p || !o->meta ||
	    mf_ext_format(o->p, o->meta, capacity, shift)) {
		fprintf(stderr, "mf_ext_format failed\n");
		exit(1);
	}
	o->unit = 1ULL << shift;
	if (flush) {
		mf_ext_flush_hook = clwb_range;
		mf_ext_fence_hook = sfence;
	}
	return o;
}

static void *ours_create(uint64_t capacity, unsigned int shift)
{
	return ours_create_common(capacity, shift, false);
}

static void *ours_create_flush(uint64_t capacity, unsigned int shift)
{
	return ours_create_common(capacity, shift, true);
}

static void ours_destroy(void *a)
{
	struct ours *o = a;

	mf_ext_flush_hook = NULL;
	mf_ext_fence_hook = NULL;
	mf_ext_unload(o->p);
	free(o->p);
	free(o->meta);
	free(o);
}

static int ours_alloc(void *a, uint64_t len, uint64_t *off, uint64_t *res)
{
	struct ours *o = a;
	u64 o_off;
	int ret = mf_ext_alloc(o->p, len, 0, &o_off);

	if (ret)
		return ret;
	*off = o_off;
	/* Exactly the units asked for. */
	*res = (len + o->unit - 1) & ~(o->unit - 1);
	return 0;
}

static void ours_free(void *a, uint64_t off, uint64_t len)
{
	struct ours *o = a;

	(void)len;
	if (mf_ext_free(o->p, off)) {
		fprintf(stderr, "mf_ext_free(%llu) failed\n",
			(unsigned long long)off);
		exit(1);
	}
}

static void ours_frag(void *a, uint64_t *largest, uint64_t *total)
{
	struct ours *o = a;
	struct mf_ext_stat st;

	mf_ext_stat(o->p, &st);
	*largest = st.largest_free;
	*total = st.free;
	if (mf_ext_check(o->p, NULL)) {
		fprintf(stderr, "mf_ext_check failed\n");
		exit(1);
	}
}

static uint64_t ours_meta(void *a)
{
	struct ours *o = a;
	struct mf_ext_stat st;

	mf_ext_stat(o->p, &st);
	return st.meta_bytes + st.dram_bytes;
}

static const struct bench_allocator bench_ours = {
	.name = "memfabric (ours)",
	.create = ours_create,
	.destroy = ours_destroy,
	.alloc = ours_alloc,
	.free = ours_free,
	.frag = ours_frag,
	.meta_bytes = ours_meta,
};

static const struct bench_allocator bench_ours_flush = {
	.name = "ours + clwb/sfence",
	.create = ours_create_flush,
	.destroy = ours_destroy,
	.alloc = ours_alloc,
	.free = ours_free,
	.frag = ours_frag,
	.meta_bytes = ours_meta,
};

/* ---- random numbers ---- */

static uint64_t rng, seed = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static double rnd01(void)
{
	return (rnd() >> 11) * (1.0 / 9007199254740992.0);
}

/* (a): log-uniform 4 KiB .. 256 KiB */
static uint64_t size_churn(void)
{
	return (uint64_t)exp(log(4 * KIB) + rnd01() * log(64.0));
}

/* (b): lognormal, mean 100 KiB before clipping, sigma 1.5, 512 B .. 5 MiB */
static uint64_t size_kv(void)
{
	const double sigma = 1.5, mu = log(100.0 * KIB) - sigma * sigma / 2;
	double u1 = rnd01() + 1e-300, u2 = rnd01();
	double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
	double x = exp(mu + sigma * z);

	if (x < 512)
		x = 512;
	if (x > 5.0 * MIB)
		x = 5.0 * MIB;
	return (uint64_t)x;
}

/* ---- the runs ---- */

struct workload {
	const char *name;
	unsigned int shift;
	uint64_t live;		/* extents after the fill */
	uint64_t churn;		/* timed pairs */
	uint64_t churn_bitmap;	/* timed pairs for the bitmap, 0: churn */
	uint64_t (*size)(void);
	double mean;		/* expected request size, for the capacity */
};

struct result {
	const char *alloc;
	uint64_t pairs;
	uint64_t med, p99, max;
	double span_frag;
	double largest_ratio;
	double largest_avail;
	double meta_per_ext;
	double huge_rate;
	uint64_t huge_ok, huge_tries;
	uint64_t fails;
	double secs;
};

struct live {
	uint64_t off, len, res;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t capacity_of(const struct workload *w)
{
	uint64_t cap = (uint64_t)(2.0 * w->live * (w->mean + (1 << w->shift)));

	return (cap + 2 * MIB - 1) & ~(2 * MIB - 1);
}

static void run(const struct workload *w, const struct bench_allocator *ba,
		uint64_t pairs, struct result *r)
{
	uint64_t cap = capacity_of(w), live_bytes = 0, peak_live = 0, span = 0;
	uint64_t i, n = 0, t0, t1, largest, total, off, res, len;
	uint64_t *ns = malloc(pairs * sizeof(*ns));
	struct live *lv = malloc(w->live * sizeof(*lv));
	uint64_t start = now_ns();
	void *a;

	memset(r, 0, sizeof(*r));
	r->alloc = ba->name;
	a = ba->create(cap, w->shift);
	if (!a || !ns || !lv) {
		fprintf(stderr, "%s: out of memory\n", ba->name);
		exit(1);
	}
	rng = seed;
	if (ba->fill_mode)
		ba->fill_mode(a, 1);
	for (i = 0; i < w->live; i++) {
		len = w->size();
		if (ba->alloc(a, len, &off, &res)) {
			r->fails++;
			continue;
		}
		lv[n].off = off;
		lv[n].len = len;
		lv[n].res = res;
		n++;
		live_bytes += len;
		if (off + res > span)
			span = off + res;
	}
	if (ba->fill_mode)
		ba->fill_mode(a, 0);
	peak_live = live_bytes;

	for (i = 0; i < pairs && n; i++) {
		uint64_t k = rnd() % n;
		int ret;

		len = w->size();
		t0 = now_ns();
		ba->free(a, lv[k].off, lv[k].len);
		ret = ba->alloc(a, len, &off, &res);
		t1 = now_ns();
		ns[i] = t1 - t0;
		live_bytes -= lv[k].len;
		if (ret) {
			r->fails++;
			lv[k] = lv[--n];
			continue;
		}
		lv[k].off = off;
		lv[k].len = len;
		lv[k].res = res;
		live_bytes += len;
		if (live_bytes > peak_live)
			peak_live = live_bytes;
		if (off + res > span)
			span = off + res;
	}
	r->pairs = i;
	qsort(ns, r->pairs, sizeof(*ns), cmp_u64);
	if (r->pairs) {
		r->med = ns[r->pairs / 2];
		r->p99 = ns[r->pairs * 99 / 100];
		r->max = ns[r->pairs - 1];
	}
	r->span_frag = (double)span / peak_live - 1;
	ba->frag(a, &largest, &total);
	r->largest_ratio = total ? (double)largest / total : 1;
	r->largest_avail = (double)largest / (cap - live_bytes);
	r->meta_per_ext = n ? (double)ba->meta_bytes(a) / n : 0;

	/* (c) 2 MiB requests until the first failure. */
	r->huge_tries = total / (2 * MIB);
	while (r->huge_ok < r->huge_tries &&
	       !ba->alloc(a, 2 * MIB, &off, &res)) {
		if (off % (2 * MIB)) {
			fprintf(stderr, "%s: unaligned 2 MiB extent\n", ba->name);
			exit(1);
		}
		r->huge_ok++;
	}
	r->huge_rate = r->huge_tries ? (double)r->huge_ok / r->huge_tries : 1;
	ba->destroy(a);
	free(ns);
	free(lv);
	r->secs = (now_ns() - start) / 1e9;
}

static FILE *out;

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void emit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (out) {
		va_start(ap, fmt);
		vfprintf(out, fmt, ap);
		va_end(ap);
	}
	fflush(stdout);
}

static void header(void)
{
	emit("| allocator | pairs timed | median ns | p99 ns | max ns | span/live - 1 | largest/total free | largest/(cap - live) | meta B/extent | 2 MiB got (c) | ENOSPC |\n");
	emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
}

static void row(const struct result *r)
{
	emit("| %s | %llu | %llu | %llu | %llu | %.3f | %.3f | %.3f | %.0f | %.1f%% (%llu/%llu) | %llu |\n",
	     r->alloc, (unsigned long long)r->pairs,
	     (unsigned long long)r->med, (unsigned long long)r->p99,
	     (unsigned long long)r->max, r->span_frag, r->largest_ratio,
	     r->largest_avail, r->meta_per_ext, 100 * r->huge_rate,
	     (unsigned long long)r->huge_ok,
	     (unsigned long long)r->huge_tries, (unsigned long long)r->fails);
}

static void machine(void)
{
	char model[256] = "unknown", line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	struct utsname u;
	time_t t = time(NULL);
	char date[64];

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');

			if (c) {
				snprintf(model, sizeof(model), "%s", c + 2);
				model[strcspn(model, "\n")] = 0;
			}
			break;
		}
	}
	if (f)
		fclose(f);
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&t));
	emit("Machine: %s, %ld CPUs online, Linux %s; %s; compiled with %s -O2.\n\n",
	     model, sysconf(_SC_NPROCESSORS_ONLN), u.release, date,
	     __VERSION__);
}

int main(int argc, char **argv)
{
	const char *path = NULL, *only = NULL;
	bool quick = false;
	double scale;
	int i, j;
	struct workload wl[] = {
		{ "(a) churn, 1k live extents", 12, 1000, 200000, 0,
		  size_churn, 62.0 * KIB },
		{ "(a) churn, 100k live extents", 12, 100000, 500000, 100000,
		  size_churn, 62.0 * KIB },
		{ "(a) churn, 1M live extents", 12, 1000000, 1000000, 5000,
		  size_churn, 62.0 * KIB },
		{ "(b) seed 004 KV store: 100k records, mean 100 KiB, tail to 5 MiB, 16 KiB units",
		  14, 100000, 500000, 100000, size_kv, 100.0 * KIB },
	};
	const struct bench_allocator *allocs[] = {
		&bench_ours, &bench_bitmap, &bench_buddy,
	};
	struct result r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0) | 1;
		} else {
			fprintf(stderr, "usage: bench_alloc [--quick] [--only SUBSTRING] [--seed N] [--out FILE]\n");
			return 2;
		}
	}
	if (path) {
		out = fopen(path, "w");
		if (!out) {
			perror(path);
			return 1;
		}
	}
	scale = quick ? 0.02 : 1;
	emit("# Extent allocator benchmark (bench/alloc)\n\n");
	machine();
	emit("Each row: fill to the live extents, then timed pairs of (free a random extent, allocate a new one); then 2 MiB requests until one fails. Timings include clock_gettime() (~20 ns). ours persists every operation through its journal, with the persist primitive a no-op here (DRAM); the \"+ clwb/sfence\" row makes it write back its cache lines and fence, as on pmem/CXL.%s\n\n",
	     quick ? " QUICK RUN: sizes scaled down, numbers not representative." : "");
	for (i = 0; i < (int)(sizeof(wl) / sizeof(wl[0])); i++) {
		struct workload w = wl[i];

		w.live = w.live * scale < 10 ? 10 : w.live * scale;
		w.churn *= scale;
		w.churn_bitmap *= scale;
		emit("## %s\n\nPool %.1f GiB, %llu KiB units.\n\n", w.name,
		     capacity_of(&w) / (double)(1ULL << 30),
		     (unsigned long long)(1ULL << w.shift) / 1024);
		header();
		for (j = 0; j < (int)(sizeof(allocs) / sizeof(allocs[0])); j++) {
			uint64_t pairs = w.churn;

			if (only && !strstr(allocs[j]->name, only))
				continue;
			if (allocs[j] == &bench_bitmap && w.churn_bitmap)
				pairs = w.churn_bitmap;
			run(&w, allocs[j], pairs, &r);
			row(&r);
			fprintf(stderr, "  [%s / %s: %.1f s]\n", w.name,
				r.alloc, r.secs);
		}
		if (i == 1 && (!only || strstr(bench_ours_flush.name, only))) {
			run(&w, &bench_ours_flush, w.churn, &r);
			row(&r);
		}
		if (w.churn_bitmap)
			emit("\nbitmap first-fit: %llu timed pairs only (each searches from bit 0).\n",
			     (unsigned long long)w.churn_bitmap);
		emit("\n");
	}
	if (out)
		fclose(out);
	return 0;
}
