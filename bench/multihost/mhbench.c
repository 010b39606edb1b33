// SPDX-License-Identifier: GPL-2.0
/*
 * mhbench.c - one host's side of make bench-multihost (issue 17;
 * bench/multihost/run drives it in both guests of a tools/mfvm cluster).
 * Prints one JSON line per figure on stdout.
 *
 *   mhbench create POOL NS SECID ID SIZE TAG
 *	allocate, fill through a read-write MAP_SHARED mapping (every 4 KiB
 *	page starts with MAGIC, TAG, its page index), publish; time it
 *   mhbench seqread POOL NS SECID ID SIZE TAG PHYS LEN REPS
 *	get, map read-only shared (2 MiB aligned), check the tags; find the
 *	object's pages on the device by their tags through /dev/mfbraw
 *	(mfbraw.ko) over the namespace's data area [PHYS, PHYS + LEN); map
 *	those device ranges raw at the same 2 MiB phase; then REPS reps of
 *	one sequential read of each, alternating which goes first: MB/s
 *   mhbench hold POOL NS SECID ID SIZE map|copy READY STOP
 *	get, then map and read every byte (map), or BM_ReadSec it all into
 *	a private buffer (copy, what the remote path does); write READY;
 *	hold until the file STOP exists
 *   mhbench getreq POOL NS SECID ID STATS N
 *	the host's request counter (mh_stats) around a first get and N
 *	repeated gets of the object
 *   mhbench lat-a POOL NS SECID N SIZE DIR	(on the publishing host)
 *   mhbench lat-b POOL NS SECID N DIR		(on the reading host)
 *	publish on A -> get succeeds on B, N objects: A times, on its own
 *	clock, from just before BM_PublishSec to the moment it sees B's
 *	file (in DIR, the shared work tree) saying that B's BM_GetSec,
 *	retried while -ENOENT, succeeded; a file ping-pong measures one
 *	file hop; and A's local publish + its own BM_GetSec
 */
#define _GNU_SOURCE
#include <emmintrin.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <memfabric/bm.h>

#include "rawmap/mfbraw_user.h"

#define MIB		(1024UL * 1024)
#define HUGE		(2 * MIB)
#define PAGE		4096UL
#define MAGIC		0x6d6862656e636821ULL	/* "mhbench!" */

static volatile uint64_t sink;

static void die(const char *what, int rc)
{
	fprintf(stderr, "mhbench: %s: %d (%s)\n", what, rc, strerror(-rc));
	exit(1);
}

#define MUST(call) do { int rc_ = (call); if (rc_ < 0) die(#call, rc_); } while (0)

/*
 * A call that sends a request to the manager, again while it times out
 * (-ETIMEDOUT after MF_MH_REQ_WAIT_MS, -EAGAIN while rejoining): counted.
 */
static long timeouts;
#define RETRY(call) do { int rc_, n_ = 0; \
	while ((rc_ = (call)) == -ETIMEDOUT || rc_ == -EAGAIN) { \
		timeouts++; \
		if (++n_ == 10) \
			break; \
	} \
	if (rc_ < 0) \
		die(#call, rc_); \
} while (0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void emit(const char *metric, const char *variant, double value,
		 const char *unit, int rep)
{
	printf("{\"test\":\"multihost\",\"metric\":\"%s\",\"variant\":\"%s\","
	       "\"value\":%.6g,\"unit\":\"%s\",\"rep\":%d}\n",
	       metric, variant, value, unit, rep);
	fflush(stdout);
}

static BmInfo info(const char *pool, const char *ns, const char *sec,
		   const char *id)
{
	BmInfo b;

	memset(&b, 0, sizeof(b));
	snprintf(b.poolName, sizeof(b.poolName), "%s", pool);
	snprintf(b.ns, sizeof(b.ns), "%s", ns);
	snprintf(b.secId, sizeof(b.secId), "%s", sec);
	snprintf(b.bmId, sizeof(b.bmId), "%s", id);
	return b;
}

/* A 2 MiB aligned address with @len free after it. */
static void *reserve(size_t len)
{
	char *p = mmap(NULL, len + 2 * HUGE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		die("mmap reserve", -errno);
	a = ((uintptr_t)p + HUGE - 1) & ~(HUGE - 1);
	munmap(p, len + 2 * HUGE);
	return (void *)a;
}

/* One sequential pass, 16 B loads into registers (mfbench's k_read). */
static __attribute__((noinline)) void k_read(const void *p, size_t len)
{
	const __m128i *q = p;
	__m128i a = _mm_setzero_si128(), b = a, c = a, d = a;
	size_t i, n = len / 16;

	for (i = 0; i + 4 <= n; i += 4) {
		a = _mm_add_epi64(a, _mm_load_si128(q + i));
		b = _mm_add_epi64(b, _mm_load_si128(q + i + 1));
		c = _mm_add_epi64(c, _mm_load_si128(q + i + 2));
		d = _mm_add_epi64(d, _mm_load_si128(q + i + 3));
	}
	a = _mm_add_epi64(_mm_add_epi64(a, b), _mm_add_epi64(c, d));
	sink += (uint64_t)_mm_cvtsi128_si64(a);
}

static void *map_obj(BmInfo *b, size_t size, int prot)
{
	void *p = reserve(size);

	MUST(BM_MapSec(b, prot, BM_MAP_SHARED | BM_MAP_FIXED, &p));
	return p;
}

static void fill(uint64_t *p, size_t size, uint64_t tag)
{
	size_t pg, i;

	for (pg = 0; pg < size / PAGE; pg++) {
		uint64_t *w = p + pg * (PAGE / 8);

		w[0] = MAGIC;
		w[1] = tag;
		w[2] = pg;
		for (i = 3; i < PAGE / 8; i++)
			w[i] = (pg * 512 + i) * 0x9e3779b97f4a7c15ULL;
	}
}

static long bad_tags(const uint64_t *p, size_t size, uint64_t tag)
{
	size_t pg;

	for (pg = 0; pg < size / PAGE; pg++) {
		const uint64_t *w = p + pg * (PAGE / 8);

		if (w[0] != MAGIC || w[1] != tag || w[2] != pg)
			return (long)pg;
	}
	return -1;
}

/* ---- raw mappings through /dev/mfbraw (rawmap/mfbraw_user.h) ---------- */

/* The object's pages, mapped raw in its order at a 2 MiB aligned address. */
static void *raw_map_object(const uint64_t *where, size_t npages, int prot,
			    int *runs)
{
	char *base = reserve(npages * PAGE);
	int ret = mfbraw_map_object(base, where, npages, prot, runs);

	if (ret)
		die("mmap /dev/mfbraw (insmod mfbraw.ko)", ret);
	return base;
}

/* ---- subcommands -------------------------------------------------------- */

static int cmd_create(char **a)
{
	BmInfo b = info(a[0], a[1], a[2], a[3]);
	size_t size = strtoull(a[4], NULL, 0);
	uint64_t tag = strtoull(a[5], NULL, 0);
	double t0, t1, t2;
	void *p;
	int ret;

	ret = BM_CreateNSSec(a[0], a[1], 0, a[2]);
	if (ret && ret != -EEXIST)
		die("BM_CreateNSSec", ret);
	t0 = now();
	MUST(BM_AllocSec(&b, size, 0, NULL));
	p = map_obj(&b, size, PROT_READ | PROT_WRITE);
	fill(p, size, tag);
	MUST(BM_Unmap(b.bmId, p));
	t1 = now();
	MUST(BM_PublishSec(&b, 0));
	t2 = now();
	emit("create_fill", a[3], (t1 - t0) * 1e3, "ms", 0);
	emit("publish", a[3], (t2 - t1) * 1e3, "ms", 0);
	return 0;
}

static int cmd_seqread(char **a)
{
	BmInfo b = info(a[0], a[1], a[2], a[3]);
	size_t size = strtoull(a[4], NULL, 0), npages = size / PAGE;
	uint64_t tag = strtoull(a[5], NULL, 0);
	uint64_t phys = strtoull(a[6], NULL, 0);
	size_t len = strtoull(a[7], NULL, 0);
	int reps = atoi(a[8]), r, k, runs;
	uint64_t *where = calloc(npages, sizeof(*where));
	void *ours, *raw, *maps[2];
	const char *names[2] = { "ours", "raw" };
	double t, sec[2];
	long bad;

	if (!where)
		die("calloc", -ENOMEM);
	MUST(BM_GetSec(&b, 0));
	ours = map_obj(&b, size, PROT_READ);
	bad = bad_tags(ours, size, tag);
	if (bad >= 0) {
		fprintf(stderr, "mhbench: page %ld of the mapping is wrong\n",
			bad);
		return 1;
	}
	if (mfbraw_find_pages(phys, len, MAGIC, tag, npages, where))
		die("the object's pages on the device", -ENOENT);
	raw = raw_map_object(where, npages, PROT_READ, &runs);
	if (bad_tags(raw, size, tag) >= 0 || memcmp(raw, ours, size))
		die("raw and mapped contents differ", -EIO);
	emit("raw_runs", "raw", runs, "ranges", 0);
	emit("raw_phys", "raw", (double)where[0], "addr", 0);
	maps[0] = ours;
	maps[1] = raw;
	/* Both are faulted in and read once by the checks above. */
	for (r = 0; r < reps; r++) {
		for (k = 0; k < 2; k++) {
			int m = (k + r) % 2;

			t = now();
			k_read(maps[m], size);
			sec[m] = now() - t;
		}
		for (k = 0; k < 2; k++)
			emit("seq_read", names[k], size / sec[k] / 1e6, "MB/s",
			     r);
		emit("seq_read_ratio", "ours/raw", sec[1] / sec[0], "ratio", r);
	}
	munmap(raw, size);
	MUST(BM_Unmap(b.bmId, ours));
	MUST(BM_PutSec(&b, 0));
	return 0;
}

static long rss_anon(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "RssAnon: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024;
}

static int cmd_hold(char **a)
{
	BmInfo b = info(a[0], a[1], a[2], a[3]);
	size_t size = strtoull(a[4], NULL, 0);
	int copy = !strcmp(a[5], "copy");
	void *p;
	long rss0 = rss_anon();
	FILE *f;

	RETRY(BM_GetSec(&b, 0));
	if (copy) {
		p = malloc(size);
		if (!p)
			die("malloc", -ENOMEM);
		MUST(BM_ReadSec(&b, 0, size, p, 0));
	} else {
		p = map_obj(&b, size, PROT_READ);
	}
	k_read(p, size);
	f = fopen(a[6], "w");
	if (!f)
		die(a[6], -errno);
	/* The RssAnon this process had before it got the object. */
	fprintf(f, "%d %ld\n", getpid(), rss0);
	fclose(f);
	while (access(a[7], F_OK))
		usleep(100000);
	if (!copy)
		MUST(BM_Unmap(b.bmId, p));
	RETRY(BM_PutSec(&b, 0));
	return 0;
}

static long requests(const char *stats)
{
	long n = -1;
	FILE *f = fopen(stats, "r");

	if (!f)
		return -1;
	if (fscanf(f, "requests %ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static int cmd_getreq(char **a)
{
	BmInfo b = info(a[0], a[1], a[2], a[3]);
	int n = atoi(a[5]), i;
	long r0, r1, r2;

	r0 = requests(a[4]);
	MUST(BM_GetSec(&b, 0));
	r1 = requests(a[4]);
	for (i = 0; i < n; i++)
		MUST(BM_GetSec(&b, 0));
	r2 = requests(a[4]);
	emit("get_requests_first", "ours", r1 - r0, "requests", 0);
	emit("get_requests_repeated", "ours", r2 - r1, "requests", n);
	for (i = 0; i <= n; i++)
		MUST(BM_PutSec(&b, 0));
	return 0;
}

/*
 * The handshake: files in the shared work tree (DIR, the cluster's
 * directory).  A times on its own clock from just before BM_PublishSec to
 * the moment it sees B's file saying that B's BM_GetSec succeeded; a file
 * ping-pong of the same kind measures what one file hop costs.
 */
static void touch(const char *dir, const char *what, int i)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%d", dir, what, i);
	f = fopen(path, "w");
	if (!f)
		die(path, -errno);
	fclose(f);
}

/* Wait for DIR/WHAT-I, 120 s at most (the other host may have failed). */
static void wait_file(const char *dir, const char *what, int i)
{
	double deadline = now() + 120;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s-%d", dir, what, i);
	while (access(path, F_OK)) {
		if (now() > deadline)
			die(path, -ETIMEDOUT);
	}
}

static int cmpd(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static void emit_pct(const char *metric, const char *variant, double *v,
		     int n)
{
	qsort(v, n, sizeof(*v), cmpd);
	emit(metric, variant, v[n / 2], "ms", 50);
	emit(metric, variant, v[(n * 99 + 99) / 100 - 1], "ms", 99);
	emit(metric, variant, v[0], "ms", 0);
	emit(metric, variant, v[n - 1], "ms", 100);
}

#define PINGS	20

static int cmd_lat_a(char **a)
{
	int n = atoi(a[3]), i;
	size_t size = strtoull(a[4], NULL, 0);
	const char *dir = a[5];
	double *remote = calloc(n, sizeof(double));
	double *local = calloc(n, sizeof(double));
	double ping[PINGS], t0;
	char id[64];
	int ret;

	if (!remote || !local)
		die("calloc", -ENOMEM);
	ret = BM_CreateNSSec(a[0], a[1], 0, a[2]);
	if (ret && ret != -EEXIST)
		die("BM_CreateNSSec", ret);
	for (i = 0; i < PINGS; i++) {
		t0 = now();
		touch(dir, "ping", i);
		wait_file(dir, "pong", i);
		ping[i] = (now() - t0) * 1e3 / 2;
	}
	for (i = 0; i < n; i++) {
		BmInfo b;

		snprintf(id, sizeof(id), "lat-%d", i);
		b = info(a[0], a[1], a[2], id);
		RETRY(BM_AllocSec(&b, size, 0, NULL));
		/* B spins on this object's get. */
		wait_file(dir, "spin", i);
		t0 = now();
		RETRY(BM_PublishSec(&b, 0));
		wait_file(dir, "got", i);
		remote[i] = (now() - t0) * 1e3;
		RETRY(BM_FreeSec(&b, 0));

		snprintf(id, sizeof(id), "loc-%d", i);
		b = info(a[0], a[1], a[2], id);
		RETRY(BM_AllocSec(&b, size, 0, NULL));
		t0 = now();
		RETRY(BM_PublishSec(&b, 0));
		RETRY(BM_GetSec(&b, 0));
		local[i] = (now() - t0) * 1e3;
		RETRY(BM_PutSec(&b, 0));
		RETRY(BM_FreeSec(&b, 0));
	}
	emit("request_timeouts", "lat-a", timeouts, "retries", 0);
	emit_pct("file_oneway", "file", ping, PINGS);
	emit_pct("publish_to_get", "remote", remote, n);
	emit_pct("publish_to_get", "local", local, n);
	return 0;
}

static int cmd_lat_b(char **a)
{
	int n = atoi(a[3]), i;
	const char *dir = a[4];
	char id[64];
	long tries = 0;

	for (i = 0; i < PINGS; i++) {
		wait_file(dir, "ping", i);
		touch(dir, "pong", i);
	}
	for (i = 0; i < n; i++) {
		double deadline = now() + 120;
		BmInfo b;
		int ret;

		snprintf(id, sizeof(id), "lat-%d", i);
		b = info(a[0], a[1], a[2], id);
		touch(dir, "spin", i);
		while ((ret = BM_GetSec(&b, 0)) == -ENOENT ||
		       ret == -ETIMEDOUT || ret == -EAGAIN) {
			tries++;
			if (ret != -ENOENT)
				timeouts++;
			if (now() > deadline)
				die("BM_GetSec of the published object", ret);
		}
		if (ret)
			die("BM_GetSec", ret);
		touch(dir, "got", i);
		RETRY(BM_PutSec(&b, 0));
	}
	emit("request_timeouts", "lat-b", timeouts, "retries", 0);
	emit("get_tries", "remote", (double)tries / n, "gets/object", 0);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int argc;
		int (*fn)(char **a);
	} cmds[] = {
		{ "create", 6, cmd_create }, { "seqread", 9, cmd_seqread },
		{ "hold", 8, cmd_hold }, { "getreq", 6, cmd_getreq },
		{ "lat-a", 6, cmd_lat_a }, { "lat-b", 5, cmd_lat_b },
	};
	BmInitAttr attr;
	unsigned int i;
	int ret;

	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name) || argc - 2 != cmds[i].argc)
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.size = sizeof(attr);
		attr.defaultPool = argv[2];
		MUST(BM_InitWithExtAttr(NULL, 0, &attr));
		ret = cmds[i].fn(argv + 2);
		BM_Exit();
		return ret;
	}
	fprintf(stderr, "usage: see the comment at the top of bench/multihost/mhbench.c\n");
	return 2;
}
