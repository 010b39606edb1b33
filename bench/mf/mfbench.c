// SPDX-License-Identifier: GPL-2.0
/*
 * mfbench.c - the measurements of `make bench` (issue 7).  Runs inside an
 * mfvm guest with pool0 attached; bench/run-bench drives it.
 *
 * Every subcommand measures memfabric ("ours") and its baseline in the
 * same process, interleaved: rep r runs ours first when r is even and the
 * baseline first when r is odd.  Every sample is one JSON line on stdout:
 *
 *   {"test":T,"metric":M,"variant":V,"x":X,"rep":R,"value":F,"unit":U}
 *
 * (X: the size, the number of processes or threads, or 0).  The renderer
 * (bench/render.py) takes medians and spreads; nothing here judges.
 *
 *   mfbench map    --dax /dev/daxX.Y [--size B] [--reps N]      (1)
 *   mfbench faults [--size B] [--small B] [--reps N]             (2)
 *   mfbench data   [--reps N] [--skew B] [--thp 1|0|-1]           (3)
 *   mfbench share  [--size B] [--reps N]                          (4)
 *   mfbench cow    [--size B] [--reps N]                          (5)
 *   mfbench derive [--size B] [--reps N]                          (6)
 *   mfbench alloc  [--reps N]                                     (7)
 *   mfbench scale  [--reps N]                                     (8)
 *   mfbench lat    [--size B] [--parts cow,publish,ttl] [--reps N]  (9)
 *   mfbench probe  [--size B] [--thp 1|0|-1] [--reps N]  (diagnostic, issue 18)
 *   mfbench share-child ours|base ID SIZE      (internal: one reader of (4))
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <emmintrin.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <memfabric/bm.h>

#include "../multihost/rawmap/mfbraw_user.h"
#include <memfabric/admin.h>
#include <linux/memfabric.h>

#include "mf_extent.h"

#define KIB	(1024ULL)
#define MIB	(1024 * KIB)
#define GIB	(1024 * MIB)
#define HUGE	(2 * MIB)

static const char *NS = "mfbench";
static const char *SECID = "mfbench-secid";
static int reps = 5;
static const char *test_name = "";

/* ---- output and helpers ---------------------------------------------- */

static void emit(const char *metric, const char *variant, double x, int rep,
		 double value, const char *unit)
{
	printf("{\"test\":\"%s\",\"metric\":\"%s\",\"variant\":\"%s\","
	       "\"x\":%.0f,\"rep\":%d,\"value\":%.9g,\"unit\":\"%s\"}\n",
	       test_name, metric, variant, x, rep, value, unit);
	fflush(stdout);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mfbench %s: ", test_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "mfbench %s: %s: %s\n", test_name, what,
		rc < 0 ? BM_StrError(rc) : strerror(errno));
	exit(1);
}

#define MUST(call) do { int rc_ = (call); if (rc_ < 0) die(#call, rc_); } while (0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long long read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static long long mfstat(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "/sys/kernel/memfabric/stats/%s", name);
	return read_ll(p);
}

static long long pool_used(void)
{
	return read_ll("/sys/kernel/memfabric/pools/pool0/used");
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

/* Fold the per-CPU vmstat deltas, so that meminfo is exact. */
static void stat_refresh(void)
{
	write_file("/proc/sys/vm/stat_refresh", "1");
}

/* A field of /sys/devices/system/node/node0/meminfo, in KiB. */
static long long node0_kb(const char *field)
{
	char line[256], key[64];
	long long v = -1;
	FILE *f = fopen("/sys/devices/system/node/node0/meminfo", "r");

	if (!f)
		return -1;
	snprintf(key, sizeof(key), " %s:", field);
	while (fgets(line, sizeof(line), f)) {
		char *k = strstr(line, key);

		if (k && sscanf(k + strlen(key), "%lld", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

/* A field ("Rss", "Pss") of /proc/PID/smaps_rollup in KiB. */
static long long smaps_kb(pid_t pid, const char *field)
{
	char path[64], line[256], key[64];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	snprintf(key, sizeof(key), "%s:", field);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    sscanf(line + strlen(key), "%lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void info_init(BmInfo *b, const char *id)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->poolName, sizeof(b->poolName), "pool0");
	snprintf(b->ns, sizeof(b->ns), "%s", NS);
	snprintf(b->secId, sizeof(b->secId), "%s", SECID);
	if (id)
		snprintf(b->bmId, sizeof(b->bmId), "%s", id);
}

static void obj_alloc(BmInfo *b, const char *id, size_t size)
{
	info_init(b, id);
	MUST(BM_AllocSec(b, size, 0, NULL));
}

static void obj_free(BmInfo *b)
{
	MUST(BM_FreeSec(b, 0));
}

static void *obj_map(BmInfo *b, int prot, int flags)
{
	void *p = NULL;

	MUST(BM_MapSec(b, prot, flags, &p));
	return p;
}

/* Fill an object with a pattern through BM_WriteSec, 4 MiB at a time. */
static void obj_fill(BmInfo *b, size_t size)
{
	size_t chunk = 4 * MIB, off;
	uint64_t *buf = malloc(chunk);

	if (!buf)
		die("malloc", -ENOMEM);
	for (off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk, i;

		for (i = 0; i < n / 8; i++)
			buf[i] = (off / 8 + i) * 0x9e3779b97f4a7c15ULL;
		MUST(BM_WriteSec(b, off, n, buf, 0));
	}
	free(buf);
}

static void session_open(void)
{
	int rc;

	MUST(BM_Init(NULL, 0));
	rc = BM_CreateNSSec("pool0", NS, 0, SECID);
	if (rc < 0 && rc != -EEXIST)
		die("BM_CreateNSSec", rc);
}

static void session_close(void)
{
	int rc = BM_DestroyNSSec("pool0", NS, SECID);

	if (rc < 0)
		note("BM_DestroyNSSec: %s", BM_StrError(rc));
	BM_Exit();
}

/* Map @len bytes at a 2 MiB-aligned address plus @skew. */
static void *reserve(size_t len, size_t skew)
{
	char *p = mmap(NULL, len + 2 * HUGE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		die("mmap reserve", 0);
	a = ((uintptr_t)p + HUGE - 1) & ~(HUGE - 1);
	munmap(p, len + 2 * HUGE);
	return (void *)(a + skew);
}

/* ---- memory kernels ---------------------------------------------------- */

static volatile uint64_t sink;

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

static __attribute__((noinline)) void k_write(void *p, size_t len, int v)
{
	__m128i *q = p, x = _mm_set1_epi32(v);
	size_t i, n = len / 16;

	for (i = 0; i + 4 <= n; i += 4) {
		_mm_store_si128(q + i, x);
		_mm_store_si128(q + i + 1, x);
		_mm_store_si128(q + i + 2, x);
		_mm_store_si128(q + i + 3, x);
	}
}

/* @count 64 B reads at random cache lines of [p, p + len). */
static __attribute__((noinline)) void k_random(const void *p, size_t len,
					       size_t count, uint64_t seed)
{
	const char *base = p;
	uint64_t x = seed | 1, lines = len / 64;
	__m128i a = _mm_setzero_si128();
	size_t i;

	for (i = 0; i < count; i++) {
		const __m128i *q;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		q = (const __m128i *)(base + (x % lines) * 64);
		a = _mm_add_epi64(a, _mm_load_si128(q));
		a = _mm_add_epi64(a, _mm_load_si128(q + 1));
		a = _mm_add_epi64(a, _mm_load_si128(q + 2));
		a = _mm_add_epi64(a, _mm_load_si128(q + 3));
	}
	sink += (uint64_t)_mm_cvtsi128_si64(a);
}

/* Read one byte of every 4 KiB page. */
static __attribute__((noinline)) void touch(const void *p, size_t len)
{
	const volatile char *c = p;
	size_t i;
	uint64_t s = 0;

	for (i = 0; i < len; i += 4096)
		s += c[i];
	sink += s;
}

static size_t opt_size(int argc, char **argv, const char *name, size_t def)
{
	int i;

	for (i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return strtoull(argv[i + 1], NULL, 0);
	return def;
}

static const char *opt_str(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

/* ---- (1) mapped access ------------------------------------------------- */

/*
 * One rep of (1): MAP_BLOCKS blocks, each one pass of every kernel over
 * every mapping, the order of the mappings rotating from block to block.
 * Every block is a sample of its own (sample rep * MAP_BLOCKS + block), so
 * ours and its baselines are paired by samples taken within a second of
 * each other, and a preempted block spoils one sample, not a rep.
 */
#define MAP_BLOCKS	4
#define MAP_RANDOM	250000

static void map_rep(const char *const *names, void *const *maps, int nmaps,
		    size_t len, int rep)
{
	double rd[4], wr[4], rnd[4], t;
	int blk, k;

	for (blk = 0; blk < MAP_BLOCKS; blk++) {
		int sample = rep * MAP_BLOCKS + blk;

		for (k = 0; k < nmaps; k++) {
			int m = (k + blk + rep) % nmaps;

			t = now();
			k_read(maps[m], len);
			rd[m] = now() - t;
			t = now();
			k_write(maps[m], len, blk + rep);
			wr[m] = now() - t;
			t = now();
			k_random(maps[m], len, MAP_RANDOM, 0x1234567 + blk + rep);
			rnd[m] = now() - t;
		}
		for (k = 0; k < nmaps; k++) {
			emit("seq_read", names[k], len, sample, len / rd[k] / 1e6,
			     "MB/s");
			emit("seq_write", names[k], len, sample,
			     len / wr[k] / 1e6, "MB/s");
			emit("rand64", names[k], len, sample,
			     (double)MAP_RANDOM / rnd[k] / 1e6, "Mops/s");
		}
	}
}

/*
 * The raw mapping of the very frames @ours occupies (@size bytes, already
 * written): its pages tagged, found on the device through /dev/mfbraw in
 * [@phys, @phys + @len), mapped in order at a 2 MiB aligned address.
 * Return: the mapping, or NULL (noted) when mfbraw.ko cannot give it.
 */
#define MAP_MAGIC	0x6d66626d61707321ULL	/* "mfbmaps!" */

static void *map_same(void *ours, size_t size, uint64_t phys, uint64_t len)
{
	size_t npages = size / MFBRAW_PAGE;
	uint64_t *where = calloc(npages, sizeof(*where));
	char *base = reserve(size, 0);
	int ret, runs = 0;

	if (!where)
		die("calloc", 0);
	mfbraw_tag(ours, size, MAP_MAGIC, (uint64_t)getpid());
	ret = mfbraw_find_pages(phys, len, MAP_MAGIC, (uint64_t)getpid(),
				npages, where);
	if (!ret)
		ret = mfbraw_map_object(base, where, npages,
					PROT_READ | PROT_WRITE, &runs);
	free(where);
	if (ret) {
		note("no raw mapping of the same frames (mfbraw.ko): %d", ret);
		return NULL;
	}
	emit("same_runs", "same", size, 0, runs, "runs");
	return base;
}

static int cmd_map(int argc, char **argv)
{
	size_t size = opt_size(argc, argv, "--size", 256 * MIB);
	uint64_t phys = opt_size(argc, argv, "--raw-phys", 0);
	uint64_t plen = opt_size(argc, argv, "--raw-len", 0);
	const char *dax = opt_str(argc, argv, "--dax");
	long long f0, fp0;
	void *ours, *raw = NULL, *anon, *same = NULL;
	BmInfo b;
	int r, fd = -1;

	session_open();
	obj_alloc(&b, "map", size);
	f0 = mfstat("faults");
	fp0 = mfstat("faults_pmd");
	ours = obj_map(&b, PROT_READ | PROT_WRITE, BM_MAP_SHARED);
	k_write(ours, size, 1);	/* fault it all in first */
	emit("map_faults_4k", "ours", size, 0, mfstat("faults") - f0, "faults");
	emit("map_faults_pmd", "ours", size, 0, mfstat("faults_pmd") - fp0,
	     "faults");
	if (plen) {
		same = map_same(ours, size, phys, plen);
		if (same)
			k_write(same, size, 1);
	} else {
		note("no --raw-phys/--raw-len: no raw mapping of the same frames");
	}
	if (dax) {
		fd = open(dax, O_RDWR);
		if (fd < 0)
			die(dax, 0);
		raw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   0);
		if (raw == MAP_FAILED)
			die("mmap devdax", 0);
		k_write(raw, size, 1);
	} else {
		note("no --dax: no raw baseline");
	}
	anon = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		die("mmap anon", 0);
	k_write(anon, size, 1);

	{
		const char *names[4] = { "ours", "anon", "raw", "same" };
		void *maps[4] = { ours, anon, raw, same };
		int n = 2;

		if (raw)
			n = 3;
		if (same) {
			if (!raw) {
				names[2] = "same";
				maps[2] = same;
			}
			n++;
		}
		for (r = 0; r < reps; r++)
			map_rep(names, maps, n, size, r);
	}
	if (same)
		munmap(same, size);
	munmap(anon, size);
	if (raw)
		munmap(raw, size);
	if (fd >= 0)
		close(fd);
	MUST(BM_Unmap(b.bmId, ours));
	obj_free(&b);
	session_close();
	return 0;
}

/* ---- (2) faults ---------------------------------------------------------- */

/* One first-touch of @b, PMD-able (@skew 0) or 4 KiB only (@skew 4 KiB). */
static void fault_once(BmInfo *b, size_t size, size_t skew, const char *variant,
		       int rep)
{
	void *want = reserve(size, skew), *p = want;
	long long f0, fp0;
	long m0;
	double t;

	MUST(BM_MapSec(b, PROT_READ, BM_MAP_SHARED | BM_MAP_FIXED, &p));
	f0 = mfstat("faults");
	fp0 = mfstat("faults_pmd");
	m0 = minflt();
	t = now();
	touch(p, size);
	t = now() - t;
	m0 = minflt() - m0;
	f0 = mfstat("faults") - f0;
	fp0 = mfstat("faults_pmd") - fp0;
	MUST(BM_Unmap(b->bmId, p));
	emit("touch_time", variant, size, rep, t * 1e3, "ms");
	emit("faults", variant, size, rep, f0 + fp0, "faults");
	emit("faults_pmd", variant, size, rep, fp0, "faults");
	emit("minflt", variant, size, rep, m0, "faults");
	emit("faults_per_2m", variant, size, rep,
	     (double)(f0 + fp0) / (size / HUGE), "faults");
	emit("ns_per_fault", variant, size, rep, m0 ? t * 1e9 / m0 : 0, "ns");
}

/*
 * Our 4 KiB faults against memfd minor faults, interleaved: both mapped
 * fresh 4 KiB off 2 MiB alignment, then touched FAULT_CHUNKS chunks at a
 * time, ours and memfd alternately (the first alternating by chunk and
 * rep).  Each chunk is a sample of its own (rep * FAULT_CHUNKS + chunk):
 * a pair of samples is taken within a few tens of milliseconds, so the
 * ratio of the pair does not depend on what else the machine did.
 */
#define FAULT_CHUNKS	16

static void fault_pair(BmInfo *b, size_t size, int mfd, int rep)
{
	size_t chunk = size / FAULT_CHUNKS;
	void *ours = reserve(size, 4096), *mp;
	long fl[2] = { 0, 0 }, m0;
	long long f0;
	double t;
	int c, k;

	MUST(BM_MapSec(b, PROT_READ, BM_MAP_SHARED | BM_MAP_FIXED, &ours));
	mp = mmap(reserve(size, 4096), size, PROT_READ,
		  MAP_SHARED | MAP_FIXED_NOREPLACE, mfd, 0);
	if (mp == MAP_FAILED)
		die("mmap memfd", 0);
	f0 = mfstat("faults") + mfstat("faults_pmd");
	for (c = 0; c < FAULT_CHUNKS; c++) {
		double ns[2];

		for (k = 0; k < 2; k++) {
			int v = (k + c + rep) % 2;
			const char *p = (const char *)(v ? mp : ours) + c * chunk;

			m0 = minflt();
			t = now();
			touch(p, chunk);
			t = now() - t;
			m0 = minflt() - m0;
			fl[v] += m0;
			ns[v] = m0 ? t * 1e9 / m0 : 0;
		}
		emit("ns_per_fault", "ours_4k_small", size, rep * FAULT_CHUNKS + c,
		     ns[0], "ns");
		emit("ns_per_fault", "memfd", size, rep * FAULT_CHUNKS + c, ns[1],
		     "ns");
	}
	emit("faults", "ours_4k_small", size, rep,
	     mfstat("faults") + mfstat("faults_pmd") - f0, "faults");
	emit("minflt", "ours_4k_small", size, rep, fl[0], "faults");
	emit("minflt", "memfd", size, rep, fl[1], "faults");
	munmap(mp, size);
	MUST(BM_Unmap(b->bmId, ours));
}

static int cmd_faults(int argc, char **argv)
{
	size_t size = opt_size(argc, argv, "--size", 1 * GIB);
	size_t small = opt_size(argc, argv, "--small", 256 * MIB);
	char old_fab[32] = "";
	BmInfo b, s;
	void *mp;
	int r, mfd;
	FILE *f;

	session_open();
	obj_alloc(&b, "faults", size);
	obj_alloc(&s, "faults-small", small);
	/* Fault-around would map 16 memfd pages per fault: turn it off. */
	f = fopen("/sys/kernel/debug/fault_around_bytes", "r");
	if (f) {
		if (!fgets(old_fab, sizeof(old_fab), f))
			old_fab[0] = 0;
		fclose(f);
		write_file("/sys/kernel/debug/fault_around_bytes", "4096");
	} else {
		note("no debugfs fault_around_bytes: memfd faults map 16 pages");
	}
	mfd = memfd_create("mfbench", 0);
	if (mfd < 0 || ftruncate(mfd, small))
		die("memfd", 0);
	mp = mmap(NULL, small, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (mp == MAP_FAILED)
		die("mmap memfd", 0);
	k_write(mp, small, 7);	/* populate its page cache */
	munmap(mp, small);

	for (r = 0; r < reps; r++) {
		int first;

		for (first = 0; first < 2; first++) {
			/* PMD-able first on even reps, 4 KiB first on odd. */
			if ((first == 0) == (r % 2 == 0))
				fault_once(&b, size, 0, "pmd", r);
			else
				fault_once(&b, size, 4096, "4k", r);
		}
		fault_pair(&s, small, mfd, r);
	}
	close(mfd);
	if (old_fab[0])
		write_file("/sys/kernel/debug/fault_around_bytes", old_fab);
	obj_free(&s);
	obj_free(&b);
	session_close();
	return 0;
}

/* ---- data buffers (issue 18) ------------------------------------------ */

/* A copy with `rep movsb`: the kernel's user copies on ERMS CPUs. */
static __attribute__((noinline)) void copy_movsb(void *d, const void *s,
						 size_t n)
{
	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(s), "+c"(n)
			 :
			 : "memory");
}

/* glibc's memcpy(), whatever strategy it picks for the size. */
static __attribute__((noinline)) void copy_memcpy(void *d, const void *s,
						  size_t n)
{
	memcpy(d, s, n);
}

/*
 * A copy with `rep movsq` and `rep movsb` for the tail: the kernel's
 * copy_user_generic() (and so copy_mc_to_user()) on CPUs with REP_GOOD but
 * no ERMS, such as the guest's qemu64 vCPU.
 */
static __attribute__((noinline)) void copy_movsq(void *d, const void *s,
						 size_t n)
{
	size_t q = n / 8, b = n % 8;

	__asm__ volatile("rep movsq\n\tmov %3, %%rcx\n\trep movsb"
			 : "+D"(d), "+S"(s), "+c"(q)
			 : "r"(b)
			 : "memory");
}

/* AnonHugePages of the mapping that contains @p, in KiB (-1: unknown). */
static long anon_huge_kb(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	bool in = false;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * A user buffer of @len bytes at @skew past a 2 MiB boundary, advised
 * @thp (1 MADV_HUGEPAGE, 0 MADV_NOHUGEPAGE, -1 nothing) and written
 * through before use.
 */
static char *data_buf(size_t len, size_t skew, int thp)
{
	char *want = reserve(len + skew, 0), *p;

	p = mmap(want, len + skew, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		die("mmap data buffer", 0);
	if (thp >= 0 && madvise(p, len + skew,
				thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise", 0);
	memset(p, 3, len + skew);
	return p + skew;
}

/* ---- (3) ioctl data path ----------------------------------------------- */

static const size_t data_sizes[] = {
	4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, 1 * MIB, 4 * MIB, 16 * MIB,
	64 * MIB,
};

#define DATA_OBJ	(64 * MIB)
#define DATA_MOVED	(32 * MIB)	/* bytes moved per sample, at least */

/*
 * Placement (issue 18; Documentation/performance.md, "Why the
 * large-transfer ratios were bimodal").  qemu's TCG translates guest
 * addresses through a direct-mapped software TLB: a copy whose source and
 * destination pages are congruent modulo the TLB's reach (a power of two,
 * resized at run time) evicts one with the other at every access and runs
 * 10-15 times slower.  The objects' mappings and their kernel addresses
 * are 2 MiB aligned, so the benchmark places every destination DATA_SKEW
 * away from its source: the user buffer sits DATA_SKEW past a 2 MiB
 * boundary, and a copy writes DATA_SKEW past the offset it reads.  The
 * same for ours and every baseline.  DATA_SKEW is an odd number of pages
 * (never congruent, whatever the TLB's size) and 31 pages or more from
 * any multiple of 256 KiB, the smallest TLB reach: glibc's memcpy() of
 * large sizes copies 4 pages at a time, interleaved, and a skew of one
 * page made it collide with its neighbour (measured: 1,034 against 1,900
 * MB/s at 16 MiB).
 */
#define DATA_SKEW	(33 * 4 * KIB)

enum { OP_READ, OP_WRITE, OP_COPY };
static const char *const op_names[] = { "read", "write", "copy" };

/* The variants of a data-path sample: ours first, then the baselines. */
enum { V_OURS, V_MEMCPY, V_MOVSQ, V_N };
static const char *const v_names[V_N] = { "ours", "memcpy", "rep_movsq" };

struct data_ctx {
	BmInfo *a, *b;
	char *ma, *mb, *buf;
	size_t skew;	/* a copy's destination offset past its source's */
};

static void data_op(int op, int v, const struct data_ctx *c, size_t off,
		    size_t len)
{
	void (*cp)(void *, const void *, size_t) =
		v == V_MOVSQ ? copy_movsq : copy_memcpy;

	switch (op) {
	case OP_READ:
		if (v == V_OURS)
			MUST(BM_ReadSec(c->a, off, len, c->buf, 0));
		else
			cp(c->buf, c->ma + off, len);
		break;
	case OP_WRITE:
		if (v == V_OURS)
			MUST(BM_WriteSec(c->a, off, len, c->buf, 0));
		else
			cp(c->ma + off, c->buf, len);
		break;
	case OP_COPY:
		if (v == V_OURS)
			MUST(BM_CopySec(c->a, off, c->b, off + c->skew, len, 0));
		else
			cp(c->mb + off + c->skew, c->ma + off, len);
		break;
	}
}

/*
 * Bandwidth of ours and of each baseline, in MB/s, for transfers of @len
 * bytes: DATA_MOVED bytes each, in DATA_BLOCKS blocks that rotate through
 * the variants (starting at @first), so that all see the same machine.
 */
#define DATA_BLOCKS	8

static void data_pair(int op, int first, const struct data_ctx *c, size_t len,
		      double bw[V_N])
{
	size_t iters = DATA_MOVED / len, per, blk, i, done[V_N] = { 0 };
	size_t off[V_N] = { 0 };
	double secs[V_N] = { 0 };
	int k;

	if (iters < DATA_BLOCKS)
		iters = DATA_BLOCKS;
	per = iters / DATA_BLOCKS;
	for (blk = 0; blk < DATA_BLOCKS; blk++)
		for (k = 0; k < V_N; k++) {
			int v = (first + k) % V_N;
			double t = now();

			for (i = 0; i < per; i++) {
				data_op(op, v, c, off[v], len);
				off[v] += len;
				if (off[v] + len > DATA_OBJ)
					off[v] = 0;
			}
			secs[v] += now() - t;
			done[v] += per * len;
		}
	for (k = 0; k < V_N; k++)
		bw[k] = done[k] / secs[k] / 1e6;
}

/* ns per call of the 64 B operations and of the no-op ioctl. */
#define OP64_BLOCKS	20
#define OP64_PER	1000

static void small_ops(BmInfo *a, BmInfo *bb, char *buf, int fd, int rep)
{
	static const char *const names[4] = {
		"noop_ioctl", "BM_ReadSec", "BM_WriteSec", "BM_CopySec",
	};
	const size_t n = OP64_PER;
	double secs[4] = { 0, 0, 0, 0 };
	struct mf_version v;
	struct mf_obj_get g;
	size_t i, blk;
	double t;
	int k;

	/*
	 * Blocks of each, in an order that rotates every block; every block
	 * is a sample (rep * OP64_BLOCKS + block), paired with the other
	 * calls' blocks of the same round.
	 */
	for (blk = 0; blk < OP64_BLOCKS; blk++) {
		for (k = 0; k < 4; k++) {
			int w = (int)((k + blk + rep) % 4);

			t = now();
			for (i = 0; i < n; i++) {
				size_t off = ((blk * n + i) * 64) % DATA_OBJ;

				switch (w) {
				case 0:
					memset(&v, 0, sizeof(v));
					v.size = sizeof(v);
					if (ioctl(fd, MF_IOC_VERSION, &v))
						die("MF_IOC_VERSION", 0);
					break;
				case 1:
					MUST(BM_ReadSec(a, off, 64, buf, 0));
					break;
				case 2:
					MUST(BM_WriteSec(a, off, 64, buf, 0));
					break;
				case 3:
					MUST(BM_CopySec(a, off, bb, off, 64, 0));
					break;
				}
			}
			secs[w] = now() - t;
		}
		for (k = 0; k < 4; k++)
			emit("op64", names[k], 64, rep * OP64_BLOCKS + blk,
			     secs[k] * 1e9 / n, "ns");
	}
	/*
	 * Diagnostic: the bare ioctls (MF_IOC_OBJ_READ, _WRITE, _COPY on
	 * handles of this file), without the library, against the no-op
	 * ioctl again, in the same rotating blocks.
	 */
	{
		static const char *const bare[4] = {
			"noop_ioctl_2", "bare_read_ioctl", "bare_write_ioctl",
			"bare_copy_ioctl",
		};
		uint64_t mo[2];
		BmInfo *objs[2] = { a, bb };
		double bsecs[4] = { 0, 0, 0, 0 };

		for (k = 0; k < 2; k++) {
			memset(&g, 0, sizeof(g));
			g.size = sizeof(g);
			snprintf(g.name.pool, sizeof(g.name.pool), "pool0");
			snprintf(g.name.ns, sizeof(g.name.ns), "%s", NS);
			snprintf(g.name.secid, sizeof(g.name.secid), "%s", SECID);
			snprintf(g.name.id, sizeof(g.name.id), "%s", objs[k]->bmId);
			if (ioctl(fd, MF_IOC_OBJ_GET, &g))
				die("MF_IOC_OBJ_GET", 0);
			mo[k] = g.map_offset;
		}
		for (blk = 0; blk < OP64_BLOCKS; blk++) {
			for (k = 0; k < 4; k++) {
				int w = (int)((k + blk + rep) % 4);

				t = now();
				for (i = 0; i < n; i++) {
					uint64_t off = ((blk * n + i) * 64) % DATA_OBJ;
					struct mf_obj_io io;
					struct mf_obj_copy c;
					int ret = 0;

					memset(&io, 0, sizeof(io));
					io.size = sizeof(io);
					io.obj = mo[0];
					io.offset = off;
					io.length = 64;
					io.buf = (uintptr_t)buf;
					switch (w) {
					case 0:
						memset(&v, 0, sizeof(v));
						v.size = sizeof(v);
						ret = ioctl(fd, MF_IOC_VERSION, &v);
						break;
					case 1:
						ret = ioctl(fd, MF_IOC_OBJ_READ, &io);
						break;
					case 2:
						ret = ioctl(fd, MF_IOC_OBJ_WRITE, &io);
						break;
					case 3:
						memset(&c, 0, sizeof(c));
						c.size = sizeof(c);
						c.src = mo[0];
						c.src_offset = off;
						c.dst = mo[1];
						c.dst_offset = off;
						c.length = 64;
						ret = ioctl(fd, MF_IOC_OBJ_COPY, &c);
						break;
					}
					if (ret)
						die(bare[w], 0);
				}
				bsecs[w] = now() - t;
			}
			for (k = 0; k < 4; k++)
				emit("op64", bare[k], 64, rep * OP64_BLOCKS + blk,
				     bsecs[k] * 1e9 / n, "ns");
		}
		for (k = 0; k < 2; k++) {
			struct mf_obj_put p = { .size = sizeof(p), .obj = mo[k] };

			ioctl(fd, MF_IOC_OBJ_PUT, &p);
		}
	}
}

/* One JSON line: where the data path's buffers are and how they are backed. */
static void data_env(const struct data_ctx *c, int thp)
{
	char line[256];
	long rollup = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "AnonHugePages: %ld kB", &rollup) == 1)
				break;
		fclose(f);
	}
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f || !fgets(line, sizeof(line), f))
		line[0] = 0;
	if (f)
		fclose(f);
	line[strcspn(line, "\n")] = 0;
	printf("{\"test\":\"data_env\",\"buf\":\"%p\",\"map_a\":\"%p\","
	       "\"map_b\":\"%p\",\"buf_skew\":%lu,\"copy_skew\":%zu,"
	       "\"buf_madvise\":%d,\"buf_anon_huge_kb\":%ld,"
	       "\"proc_anon_huge_kb\":%ld,\"thp_enabled\":\"%s\"}\n",
	       (void *)c->buf, (void *)c->ma, (void *)c->mb,
	       (unsigned long)((uintptr_t)c->buf % HUGE), c->skew, thp,
	       anon_huge_kb(c->buf), rollup, line);
	fflush(stdout);
}

/*
 * mfbench data [--reps N] [--skew B] [--thp 1|0|-1]: --skew (default
 * DATA_SKEW) places the user buffer and the copies' destinations, --thp
 * advises the buffer (default 1: MADV_HUGEPAGE); --skew 0 reproduces the
 * placement before issue 18.
 */
static int cmd_data(int argc, char **argv)
{
	size_t skew = opt_size(argc, argv, "--skew", DATA_SKEW);
	const char *thps = opt_str(argc, argv, "--thp");
	int thp = thps ? atoi(thps) : 1;
	struct data_ctx c;
	BmInfo a, bb;
	size_t k;
	int r, op, fd, v;

	session_open();
	fd = open("/dev/memfabric", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/memfabric", 0);
	obj_alloc(&a, "data-a", DATA_OBJ);
	/* b takes the copies' destinations, up to @skew past DATA_OBJ. */
	obj_alloc(&bb, "data-b", DATA_OBJ + HUGE);
	c.a = &a;
	c.b = &bb;
	c.skew = skew % HUGE;
	c.ma = obj_map(&a, PROT_READ | PROT_WRITE, BM_MAP_SHARED);
	c.mb = obj_map(&bb, PROT_READ | PROT_WRITE, BM_MAP_SHARED);
	c.buf = data_buf(DATA_OBJ, skew % HUGE, thp);
	k_write(c.ma, DATA_OBJ, 1);
	k_write(c.mb, DATA_OBJ + HUGE, 2);
	k_write(c.buf, DATA_OBJ, 3);
	data_env(&c, thp);

	for (r = 0; r < reps; r++) {
		for (k = 0; k < sizeof(data_sizes) / sizeof(data_sizes[0]); k++) {
			for (op = 0; op < 3; op++) {
				char metric[32];
				double bw[V_N];

				snprintf(metric, sizeof(metric), "bw_%s",
					 op_names[op]);
				data_pair(op, r % V_N, &c, data_sizes[k], bw);
				for (v = 0; v < V_N; v++)
					emit(metric, v_names[v], data_sizes[k], r,
					     bw[v], "MB/s");
			}
		}
		small_ops(&a, &bb, c.buf, fd, r);
	}
	data_env(&c, thp);
	MUST(BM_Unmap(a.bmId, c.ma));
	MUST(BM_Unmap(bb.bmId, c.mb));
	obj_free(&a);
	obj_free(&bb);
	close(fd);
	session_close();
	return 0;
}

/* ---- data-path probe (issue 18) ---------------------------------------- */

/*
 * mfbench probe [--size B] [--thp 1|0|-1] [--reps N]: BM_ReadSec and the
 * user-space copies of @size bytes from object offset 0 into a buffer at
 * a sweep of offsets, to see which placements run slowly.  Diagnostic.
 */
static int cmd_probe(int argc, char **argv)
{
	size_t size = opt_size(argc, argv, "--size", 4 * MIB);
	const char *thps = opt_str(argc, argv, "--thp");
	int thp = thps ? atoi(thps) : -1;
	static const size_t shifts[] = {
		0, 4 * KIB, 8 * KIB, 64 * KIB, DATA_SKEW, 1 * MIB, 2 * MIB,
		2 * MIB + 4 * KIB, 2 * MIB + DATA_SKEW,
		4 * MIB, 6 * MIB, 8 * MIB, 12 * MIB, 16 * MIB, 24 * MIB, 32 * MIB,
		48 * MIB, 64 * MIB,
	};
	const size_t nsh = sizeof(shifts) / sizeof(shifts[0]);
	size_t k, i, n = 4;
	char *base, *ma;
	BmInfo a;
	int r, v;

	session_open();
	obj_alloc(&a, "probe-a", DATA_OBJ);
	ma = obj_map(&a, PROT_READ | PROT_WRITE, BM_MAP_SHARED);
	k_write(ma, DATA_OBJ, 1);
	base = data_buf(shifts[nsh - 1] + size, 0, thp);
	printf("{\"test\":\"probe_env\",\"buf\":\"%p\",\"map\":\"%p\","
	       "\"thp\":%d,\"buf_anon_huge_kb\":%ld}\n", (void *)base,
	       (void *)ma, thp, anon_huge_kb(base));
	for (r = 0; r < reps; r++)
		for (k = 0; k < nsh; k++)
			for (v = 0; v < 4; v++) {
				static const char *const names[4] = {
					"BM_ReadSec", "memcpy", "movsb",
					"rep_movsq" };
				char *d = base + shifts[k];
				double t = now();

				for (i = 0; i < n; i++) {
					if (v == 0)
						MUST(BM_ReadSec(&a, 0, size, d, 0));
					else if (v == 1)
						memcpy(d, ma, size);
					else if (v == 2)
						copy_movsb(d, ma, size);
					else
						copy_movsq(d, ma, size);
				}
				t = now() - t;
				emit("probe_read", names[v], (double)shifts[k], r,
				     n * size / t / 1e6, "MB/s");
			}
	MUST(BM_Unmap(a.bmId, ma));
	obj_free(&a);
	session_close();
	return 0;
}

/* ---- (4) sharing footprint ------------------------------------------- */

/* A reader: ours maps the object, base reads it into its own buffer. */
static int cmd_share_child(int argc, char **argv)
{
	size_t size;
	BmInfo b;
	char c;
	void *p;

	if (argc < 3)
		return 2;
	size = strtoull(argv[2], NULL, 0);
	MUST(BM_Init(NULL, 0));
	info_init(&b, argv[1]);
	if (write(1, "R", 1) != 1 || read(0, &c, 1) != 1)
		return 1;
	if (!strcmp(argv[0], "ours")) {
		p = obj_map(&b, PROT_READ, BM_MAP_SHARED);
		k_read(p, size);
	} else {
		p = malloc(size);
		if (!p)
			return 1;
		MUST(BM_ReadSec(&b, 0, size, p, 0));
		k_read(p, size);
	}
	if (write(1, "D", 1) != 1 || read(0, &c, 1) != 1)
		return 1;
	return 0;
}

struct child {
	pid_t pid;
	int to, from;
};

static void spawn(struct child *c, const char *mode, const char *id,
		  size_t size)
{
	int in[2], out[2];
	char sz[32];

	if (pipe(in) || pipe(out))
		die("pipe", 0);
	snprintf(sz, sizeof(sz), "%zu", size);
	c->pid = fork();
	if (c->pid < 0)
		die("fork", 0);
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl("/proc/self/exe", "mfbench", "share-child", mode, id, sz,
		      (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->to = in[1];
	c->from = out[0];
}

static void expect(struct child *c, char want)
{
	char got = 0;

	if (read(c->from, &got, 1) != 1 || got != want) {
		fprintf(stderr, "mfbench share: child %d said '%c', not '%c'\n",
			(int)c->pid, got, want);
		exit(1);
	}
}

struct footprint {
	long long used_kb, rss_kb, pss_kb;
};

static void footprint(struct child *c, int n, struct footprint *f)
{
	int i;

	stat_refresh();
	f->used_kb = node0_kb("MemUsed");
	f->rss_kb = f->pss_kb = 0;
	for (i = 0; i < n; i++) {
		f->rss_kb += smaps_kb(c[i].pid, "Rss");
		f->pss_kb += smaps_kb(c[i].pid, "Pss");
	}
}

static void share_trial(const char *mode, const char *id, size_t size, int n,
			int rep)
{
	struct child c[8];
	struct footprint f0, f1;
	double denom = (double)n * size / 1024.0;	/* KiB */
	int i;

	for (i = 0; i < n; i++)
		spawn(&c[i], mode, id, size);
	for (i = 0; i < n; i++)
		expect(&c[i], 'R');
	usleep(200000);
	footprint(c, n, &f0);
	for (i = 0; i < n; i++)
		if (write(c[i].to, "G", 1) != 1)
			die("write", 0);
	for (i = 0; i < n; i++)
		expect(&c[i], 'D');
	footprint(c, n, &f1);
	for (i = 0; i < n; i++) {
		int st;

		if (write(c[i].to, "X", 1) != 1)
			die("write", 0);
		waitpid(c[i].pid, &st, 0);
		close(c[i].to);
		close(c[i].from);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			die("share child failed", -EIO);
	}
	emit("node_growth_mib", mode, n, rep, (f1.used_kb - f0.used_kb) / 1024.0,
	     "MiB");
	emit("node_growth_pct", mode, n, rep,
	     100.0 * (f1.used_kb - f0.used_kb) / denom, "%");
	emit("rss_growth_mib", mode, n, rep, (f1.rss_kb - f0.rss_kb) / 1024.0,
	     "MiB");
	emit("pss_growth_mib", mode, n, rep, (f1.pss_kb - f0.pss_kb) / 1024.0,
	     "MiB");
	emit("rss_growth_pct", mode, n, rep,
	     100.0 * (f1.rss_kb - f0.rss_kb) / denom, "%");
	emit("object_mib", mode, n, rep, size / (double)MIB, "MiB");
}

static int cmd_share(int argc, char **argv)
{
	size_t size = opt_size(argc, argv, "--size", 256 * MIB);
	static const int ns[] = { 1, 2, 4, 8 };
	BmInfo b;
	int r, k;

	session_open();
	obj_alloc(&b, "shared", size);
	obj_fill(&b, size);
	MUST(BM_PublishSec(&b, 0));
	for (r = 0; r < reps; r++)
		for (k = 0; k < 4; k++) {
			if (r % 2 == 0)
				share_trial("ours", b.bmId, size, ns[k], r);
			share_trial("base", b.bmId, size, ns[k], r);
			if (r % 2)
				share_trial("ours", b.bmId, size, ns[k], r);
		}
	obj_free(&b);
	session_close();
	return 0;
}

/* ---- (5) copy-on-write ------------------------------------------------- */

static int cmd_cow(int argc, char **argv)
{
	size_t size = opt_size(argc, argv, "--size", 256 * MIB);
	size_t pages = size / 4096, step = 100, i, written;
	BmInfo src;
	int r, order;

	session_open();
	obj_alloc(&src, "cow-src", size);
	obj_fill(&src, size);
	MUST(BM_PublishSec(&src, 0));
	for (r = 0; r < reps; r++)
		for (order = 0; order < 2; order++) {
			bool ours = (order == 0) == (r % 2 == 0);
			long long u0 = pool_used(), cp0 = mfstat("cow_pieces");
			long long pg0 = mfstat("commit_pages");
			double t0, t1, t2;
			BmInfo dst;

			info_init(&dst, NULL);
			if (ours) {
				char *p = obj_map(&src, PROT_READ | PROT_WRITE,
						  BM_MAP_PRIVATE);

				t0 = now();
				for (i = 0, written = 0; i < pages; i += step) {
					p[i * 4096] ^= 1;
					written++;
				}
				t1 = now();
				MUST(BM_CommitSec(p, size, &dst, 0));
				t2 = now();
				emit("write_ms", "ours", size, r, (t1 - t0) * 1e3, "ms");
				emit("commit_ms", "ours", size, r, (t2 - t1) * 1e3,
				     "ms");
				emit("time_ms", "ours", size, r, (t2 - t0) * 1e3, "ms");
				emit("pages_written", "ours", size, r, written,
				     "pages");
				emit("cow_bytes_local", "ours", size, r,
				     written * 4096.0, "B");
				emit("commit_bytes", "ours", size, r,
				     (mfstat("commit_pages") - pg0) * 4096.0, "B");
				emit("cow_pieces", "ours", size, r,
				     mfstat("cow_pieces") - cp0, "pieces");
				emit("fabric_bytes", "ours", size, r,
				     (double)(pool_used() - u0), "B");
				MUST(BM_Unmap(src.bmId, p));
			} else {
				t0 = now();
				MUST(BM_AllocSec(&dst, size, 0, NULL));
				MUST(BM_CopySec(&src, 0, &dst, 0, size, 0));
				t2 = now();
				emit("time_ms", "copy", size, r, (t2 - t0) * 1e3, "ms");
				emit("commit_bytes", "copy", size, r, size, "B");
				emit("fabric_bytes", "copy", size, r,
				     (double)(pool_used() - u0), "B");
			}
			obj_free(&dst);
		}
	obj_free(&src);
	session_close();
	return 0;
}

/* ---- (6) derive -------------------------------------------------------- */

static int cmd_derive(int argc, char **argv)
{
	size_t size = opt_size(argc, argv, "--size", 1 * GIB);
	BmInfo src;
	int r, order;

	session_open();
	obj_alloc(&src, "derive-src", size);
	obj_fill(&src, size);
	for (r = 0; r < reps; r++)
		for (order = 0; order < 2; order++) {
			bool ours = (order == 0) == (r % 2 == 0);
			long long u0 = pool_used();
			BmInfo dst;
			double t;

			info_init(&dst, NULL);
			t = now();
			if (ours) {
				MUST(BM_DeriveSec(&src, &dst, 0));
			} else {
				MUST(BM_AllocSec(&dst, size, 0, NULL));
				MUST(BM_CopySec(&src, 0, &dst, 0, size, 0));
			}
			t = now() - t;
			emit("time_ms", ours ? "derive" : "copy", size, r, t * 1e3,
			     "ms");
			emit("fabric_bytes", ours ? "derive" : "copy", size, r,
			     (double)(pool_used() - u0), "B");
			obj_free(&dst);
		}
	obj_free(&src);
	session_close();
	return 0;
}

/* ---- (7) allocation ------------------------------------------------------ */

#define ALLOC_SIZE	(64 * KIB)
#define ALLOC_LIVE	1000
#define ALLOC_PAIRS	2000

static uint64_t xs(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Pairs (free a random live object, allocate one) per second. */
static double stack_pairs(BmInfo *live, size_t nlive, size_t pairs,
			  uint64_t seed)
{
	uint64_t x = seed | 1;
	size_t i;
	double t = now();

	for (i = 0; i < pairs; i++) {
		BmInfo *b = &live[xs(&x) % nlive];

		obj_free(b);
		info_init(b, NULL);
		MUST(BM_AllocSec(b, ALLOC_SIZE, 0, NULL));
	}
	return pairs / (now() - t);
}

static double ext_pairs(uint64_t capacity, size_t pairs, uint64_t seed)
{
	struct mf_ext_pool *p = calloc(1, mf_ext_pool_size());
	size_t ms = mf_ext_meta_size(capacity, 12), i;
	void *meta = calloc(1, ms);
	u64 *off = calloc(ALLOC_LIVE, sizeof(*off));
	uint64_t x = seed | 1;
	double t;

	if (!p || !meta || !off || mf_ext_format(p, meta, capacity, 12))
		die("mf_ext_format", -ENOMEM);
	for (i = 0; i < ALLOC_LIVE; i++)
		if (mf_ext_alloc(p, ALLOC_SIZE, 0, &off[i]))
			die("mf_ext_alloc", -ENOSPC);
	t = now();
	for (i = 0; i < pairs; i++) {
		size_t k = xs(&x) % ALLOC_LIVE;

		if (mf_ext_free(p, off[k]) ||
		    mf_ext_alloc(p, ALLOC_SIZE, 0, &off[k]))
			die("mf_ext churn", -ENOSPC);
	}
	t = now() - t;
	mf_ext_unload(p);
	free(p);
	free(meta);
	free(off);
	return pairs / t;
}

static int cmd_alloc(int argc, char **argv)
{
	uint64_t capacity = (uint64_t)read_ll("/sys/kernel/memfabric/pools/pool0/capacity");
	BmInfo *live = calloc(ALLOC_LIVE, sizeof(*live));
	size_t i;
	int r, order;

	(void)argc;
	(void)argv;
	if (!live)
		die("calloc", -ENOMEM);
	if ((int64_t)capacity <= 0)
		capacity = 2 * GIB;
	capacity &= ~(HUGE - 1);
	session_open();
	for (i = 0; i < ALLOC_LIVE; i++) {
		info_init(&live[i], NULL);
		MUST(BM_AllocSec(&live[i], ALLOC_SIZE, 0, NULL));
	}
	for (r = 0; r < reps; r++)
		for (order = 0; order < 2; order++) {
			bool ours = (order == 0) == (r % 2 == 0);

			if (ours)
				emit("pairs_per_s", "stack", ALLOC_SIZE, r,
				     stack_pairs(live, ALLOC_LIVE, ALLOC_PAIRS,
						 r + 1),
				     "pairs/s");
			else
				emit("pairs_per_s", "allocator", ALLOC_SIZE, r,
				     ext_pairs(capacity, ALLOC_PAIRS * 10, r + 1),
				     "pairs/s");
		}
	for (i = 0; i < ALLOC_LIVE; i++)
		obj_free(&live[i]);
	free(live);
	session_close();
	return 0;
}

/* ---- (8) scaling ---------------------------------------------------------- */

struct worker {
	pthread_t th;
	int kind;	/* 0 alloc, 1 data */
	int idx;
	double secs;
	BmInfo obj;
	char *buf;
	pthread_barrier_t *bar;
};

#define SCALE_LIVE	250
#define SCALE_PAIRS	1000
#define SCALE_OBJ	(32 * MIB)
#define SCALE_CHUNK	(1 * MIB)
#define SCALE_MOVED	(128 * MIB)

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	double t;

	if (w->kind == 0) {
		BmInfo *live = calloc(SCALE_LIVE, sizeof(*live));
		size_t i;

		for (i = 0; i < SCALE_LIVE; i++) {
			info_init(&live[i], NULL);
			MUST(BM_AllocSec(&live[i], ALLOC_SIZE, 0, NULL));
		}
		pthread_barrier_wait(w->bar);
		t = now();
		stack_pairs(live, SCALE_LIVE, SCALE_PAIRS, w->idx + 7);
		w->secs = now() - t;
		pthread_barrier_wait(w->bar);
		for (i = 0; i < SCALE_LIVE; i++)
			obj_free(&live[i]);
		free(live);
	} else {
		size_t off = 0, moved;

		pthread_barrier_wait(w->bar);
		t = now();
		for (moved = 0; moved < SCALE_MOVED; moved += SCALE_CHUNK) {
			MUST(BM_ReadSec(&w->obj, off, SCALE_CHUNK, w->buf, 0));
			off = (off + SCALE_CHUNK) % SCALE_OBJ;
		}
		w->secs = now() - t;
		pthread_barrier_wait(w->bar);
	}
	return NULL;
}

static double scale_run(int kind, int nthreads, BmInfo *objs, char **bufs)
{
	struct worker w[2];
	pthread_barrier_t bar;
	double t, total;
	int i;

	pthread_barrier_init(&bar, NULL, nthreads + 1);
	for (i = 0; i < nthreads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].kind = kind;
		w[i].idx = i;
		w[i].bar = &bar;
		w[i].obj = objs[i];
		w[i].buf = bufs[i];
		pthread_create(&w[i].th, NULL, worker_main, &w[i]);
	}
	pthread_barrier_wait(&bar);
	t = now();
	pthread_barrier_wait(&bar);
	t = now() - t;
	for (i = 0; i < nthreads; i++)
		pthread_join(w[i].th, NULL);
	pthread_barrier_destroy(&bar);
	total = kind == 0 ? (double)SCALE_PAIRS * nthreads :
			    (double)SCALE_MOVED * nthreads / 1e6;
	return total / t;
}

static int cmd_scale(int argc, char **argv)
{
	BmInfo objs[2];
	char *bufs[2];
	int r, i, order;

	(void)argc;
	(void)argv;
	session_open();
	for (i = 0; i < 2; i++) {
		char id[16];

		snprintf(id, sizeof(id), "scale-%d", i);
		obj_alloc(&objs[i], id, SCALE_OBJ);
		obj_fill(&objs[i], SCALE_OBJ);
		bufs[i] = malloc(SCALE_CHUNK);
		memset(bufs[i], 1, SCALE_CHUNK);
	}
	for (r = 0; r < reps; r++)
		for (order = 0; order < 2; order++) {
			int t = (order == 0) == (r % 2 == 0) ? 1 : 2;

			emit("alloc_pairs_per_s", t == 1 ? "1 thread" : "2 threads",
			     t, r, scale_run(0, t, objs, bufs), "pairs/s");
			emit("read_mb_per_s", t == 1 ? "1 thread" : "2 threads", t,
			     r, scale_run(1, t, objs, bufs), "MB/s");
		}
	for (i = 0; i < 2; i++) {
		obj_free(&objs[i]);
		free(bufs[i]);
	}
	session_close();
	return 0;
}

/* ---- (9) latency hazards (issue 15, defect 10) --------------------------- */

/*
 * Three costs that grow with an object or a namespace, each timed against
 * a baseline measured in the same run, interleaved:
 *
 *   a. copy-on-write against the piece count: a derived object has one
 *      piece per 2 MiB from the start (a copy-on-write replaces a piece, it
 *      does not add one), so one byte written (BM_WriteSec) into 4 chunks
 *      of objects derived from 2 MiB, 16 MiB, --size/4 and --size (default
 *      LAT_COW_SIZE) sources, sizes in a rotating order; x = pieces.
 *   b. the pin scan of PUBLISH and DERIVE at 1, 16 and 256 MiB, and the
 *      latency of another thread's STAT (same namespace, another object)
 *      while a 256 MiB PUBLISH runs, against the same thread idle.
 *   c. the TTL scan: STAT latency (p50/p99/max) of one object of a TTL
 *      namespace holding N objects while reclaim_interval_ms is 10, against
 *      a namespace without TTL holding as many objects.
 */
#define LAT_COW_SIZE	(256 * MIB)
#define LAT_PROBE_MAX	(4 << 20)
#define LAT_TTL_SECS	0.5

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The @q quantile of @v[0..n) (sorts it). */
static double quantile(double *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_dbl);
	i = (size_t)(q * (n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static void emit_dist(const char *variant, double x, int rep, double *v,
		      size_t n)
{
	emit("stat_p50_us", variant, x, rep, quantile(v, n, 0.5), "us");
	emit("stat_p99_us", variant, x, rep, quantile(v, n, 0.99), "us");
	emit("stat_max_us", variant, x, rep, n ? v[n - 1] : 0, "us");
	emit("stat_calls", variant, x, rep, n, "calls");
}

static uint32_t obj_pieces(BmInfo *b)
{
	BmStat st;

	MUST(BM_StatSec(b, &st));
	return st.nrExtents;
}

static double write_byte(BmInfo *b, size_t off)
{
	char c = 1;
	double t = now();

	MUST(BM_WriteSec(b, off, 1, &c, 0));
	return now() - t;
}

static void lat_cow(size_t size)
{
	/* A derived object has one piece per 2 MiB (mf_obj_derive_pieces()). */
	size_t sizes[4] = { 2 * MIB, 16 * MIB, size / 4, size }, k;
	size_t nsz = sizeof(sizes) / sizeof(sizes[0]), j;
	BmInfo src[4];
	int r;

	for (j = 0; j < nsz; j++) {
		char id[32];

		snprintf(id, sizeof(id), "lat-cow-src-%zu", j);
		obj_alloc(&src[j], id, sizes[j]);
	}
	for (r = 0; r < reps * 4; r++)
		for (j = 0; j < nsz; j++) {
			size_t sz = sizes[(j + r) % nsz];
			size_t chunks = sz / HUGE;
			BmInfo d;
			uint32_t pieces;

			info_init(&d, NULL);
			MUST(BM_DeriveSec(&src[(j + r) % nsz], &d, 0));
			pieces = obj_pieces(&d);
			/* 4 COWs spread over the object (1 if it has 1 chunk). */
			for (k = 0; k < 4 && k < chunks; k++)
				emit("cow_us", "derived", pieces, r,
				     write_byte(&d, (k * chunks / 4) * HUGE) * 1e6,
				     "us");
			emit("pieces_after", "derived", pieces, r, obj_pieces(&d),
			     "pieces");
			obj_free(&d);
		}
	for (j = 0; j < nsz; j++)
		obj_free(&src[j]);
}

struct probe {
	pthread_t th;
	BmInfo obj;
	volatile int stop;
	double *start, *lat;
	size_t n;
};

static void *probe_main(void *arg)
{
	struct probe *pr = arg;
	BmStat st;

	while (!pr->stop && pr->n < LAT_PROBE_MAX) {
		double t = now();

		MUST(BM_StatSec(&pr->obj, &st));
		pr->start[pr->n] = t;
		pr->lat[pr->n] = now() - t;
		pr->n++;
	}
	return NULL;
}

static void probe_start(struct probe *pr, const BmInfo *obj)
{
	pr->obj = *obj;
	pr->stop = 0;
	pr->n = 0;
	pthread_create(&pr->th, NULL, probe_main, pr);
}

static void probe_stop(struct probe *pr)
{
	pr->stop = 1;
	pthread_join(pr->th, NULL);
}

static void lat_publish(void)
{
	static const size_t sizes[] = { 1 * MIB, 16 * MIB, 256 * MIB };
	size_t ns = sizeof(sizes) / sizeof(sizes[0]), i, j;
	struct probe pr = { 0 };
	double *v = malloc(LAT_PROBE_MAX * sizeof(double));
	BmInfo probe_obj;
	int r;

	pr.start = malloc(LAT_PROBE_MAX * sizeof(double));
	pr.lat = malloc(LAT_PROBE_MAX * sizeof(double));
	if (!v || !pr.start || !pr.lat)
		die("malloc", -ENOMEM);
	obj_alloc(&probe_obj, "lat-probe", 4096);
	for (r = 0; r < reps; r++) {
		/* Publish and derive, sizes in a rotating order. */
		for (j = 0; j < ns; j++) {
			size_t size = sizes[(j + r) % ns];
			BmInfo o, d;
			double t;

			obj_alloc(&o, NULL, size);
			info_init(&d, NULL);
			t = now();
			MUST(BM_DeriveSec(&o, &d, 0));
			emit("derive_ms", "derive", size, r, (now() - t) * 1e3,
			     "ms");
			obj_free(&d);
			t = now();
			MUST(BM_PublishSec(&o, 0));
			emit("publish_ms", "publish", size, r, (now() - t) * 1e3,
			     "ms");
			obj_free(&o);
		}
		/*
		 * STAT latency of another object: idle (the main thread
		 * sleeps) and during 256 MiB publishes, in a rotating order.
		 */
		for (j = 0; j < 2; j++) {
			bool busy = (j == 0) == (r % 2 == 0);
			double win[3][2];
			size_t m = 0, k;

			probe_start(&pr, &probe_obj);
			if (!busy) {
				usleep(300000);
			} else {
				for (k = 0; k < 3; k++) {
					BmInfo o;

					obj_alloc(&o, NULL, 256 * MIB);
					win[k][0] = now();
					MUST(BM_PublishSec(&o, 0));
					win[k][1] = now();
					obj_free(&o);
				}
			}
			probe_stop(&pr);
			for (i = 0; i < pr.n; i++) {
				double s = pr.start[i], e = s + pr.lat[i];

				if (!busy) {
					v[m++] = pr.lat[i] * 1e6;
					continue;
				}
				for (k = 0; k < 3; k++)
					if (s < win[k][1] && e > win[k][0]) {
						v[m++] = pr.lat[i] * 1e6;
						break;
					}
			}
			emit_dist(busy ? "during publish 256M" : "idle",
				  256 * MIB, r, v, m);
		}
	}
	obj_free(&probe_obj);
	free(v);
	free(pr.start);
	free(pr.lat);
}

static void lat_ttl(void)
{
	static const size_t counts[] = { 100, 1000, 10000 };
	static const char *const names[2] = { "mfbench-ttl", "mfbench-nottl" };
	const char *iv = "/sys/module/memfabric/parameters/reclaim_interval_ms";
	long long iv0 = read_ll(iv);
	struct mf_admin *ctx;
	struct probe pr = { 0 };
	BmInfo *objs[2];
	size_t have = 0, c, i;
	int r, k;

	pr.start = malloc(LAT_PROBE_MAX * sizeof(double));
	pr.lat = malloc(LAT_PROBE_MAX * sizeof(double));
	objs[0] = calloc(counts[2], sizeof(BmInfo));
	objs[1] = calloc(counts[2], sizeof(BmInfo));
	if (!pr.start || !pr.lat || !objs[0] || !objs[1])
		die("malloc", -ENOMEM);
	MUST(mf_admin_new(NULL, &ctx));
	for (k = 0; k < 2; k++)
		MUST(mf_admin_ns_create(ctx, "pool0", names[k], SECID,
					k == 0 ? 3600 : 0, 0));
	write_file(iv, "10");
	for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		for (; have < counts[c]; have++)
			for (k = 0; k < 2; k++) {
				info_init(&objs[k][have], NULL);
				snprintf(objs[k][have].ns, sizeof(objs[k][have].ns),
					 "%s", names[k]);
				MUST(BM_AllocSec(&objs[k][have], 4096, 0, NULL));
			}
		for (r = 0; r < reps; r++)
			for (k = 0; k < 2; k++) {
				int w = (k == 0) == (r % 2 == 0) ? 0 : 1;
				double *v = pr.lat;

				probe_start(&pr, &objs[w][0]);
				usleep(LAT_TTL_SECS * 1e6);
				probe_stop(&pr);
				for (i = 0; i < pr.n; i++)
					v[i] *= 1e6;
				emit_dist(w == 0 ? "ttl" : "no ttl", counts[c], r,
					  v, pr.n);
			}
	}
	if (iv0 > 0) {
		char b[32];

		snprintf(b, sizeof(b), "%lld", iv0);
		write_file(iv, b);
	}
	for (k = 0; k < 2; k++) {
		for (i = 0; i < have; i++)
			obj_free(&objs[k][i]);
		if (mf_admin_ns_destroy(ctx, "pool0", names[k], SECID, 0, NULL,
					NULL) < 0)
			note("mf_admin_ns_destroy %s failed", names[k]);
		free(objs[k]);
	}
	mf_admin_free(ctx);
	free(pr.start);
	free(pr.lat);
}

static int cmd_lat(int argc, char **argv)
{
	size_t size = opt_size(argc, argv, "--size", LAT_COW_SIZE);
	const char *parts = opt_str(argc, argv, "--parts");

	if (!parts)
		parts = "cow,publish,ttl";
	session_open();
	if (strstr(parts, "cow"))
		lat_cow(size);
	if (strstr(parts, "publish"))
		lat_publish();
	if (strstr(parts, "ttl"))
		lat_ttl();
	session_close();
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "map", cmd_map }, { "faults", cmd_faults },
		{ "data", cmd_data }, { "share", cmd_share },
		{ "cow", cmd_cow }, { "derive", cmd_derive },
		{ "alloc", cmd_alloc }, { "scale", cmd_scale },
		{ "lat", cmd_lat }, { "probe", cmd_probe },
		{ "share-child", cmd_share_child },
	};
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: mfbench map|faults|data|share|cow|derive|alloc|scale|lat|probe [--reps N] [--size B] ...\n");
		return 2;
	}
	if (opt_str(argc, argv, "--reps"))
		reps = atoi(opt_str(argc, argv, "--reps"));
	if (reps < 1)
		reps = 1;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			test_name = argv[1];
			return cmds[i].fn(argc - 2, argv + 2);
		}
	fprintf(stderr, "mfbench: unknown measurement '%s'\n", argv[1]);
	return 2;
}
