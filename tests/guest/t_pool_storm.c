// SPDX-License-Identifier: GPL-2.0
/*
 * t_pool_storm - allocation storms against a pool, and the tool the host
 * persistence and crash tests (tests/host/t_pool_persist.sh,
 * t_pool_crash.sh) run in their guests.
 *
 *   t_pool_storm
 *	the guest test: a storm of random allocations and frees on a ram
 *	pool and on pool0 (when attached; everything is freed again),
 *	checked against an in-memory model and by MF_IOC_POOL_CHECK, and
 *	the log of a storm verified as after a crash
 *   t_pool_storm storm POOL LOG [OPS]
 *	run OPS random operations (default: until killed) and append each
 *	to LOG, fdatasync'ed: an intent line before the ioctl ("a TAG LEN",
 *	"f OFF"), a completion line after it returned ("A TAG OFF LEN",
 *	"F OFF")
 *   t_pool_storm verify POOL LOG
 *	check that the pool holds exactly the extents LOG says were
 *	allocated and not freed, with their tags and lengths, give or take
 *	the one operation whose intent has no completion; check the pool;
 *	then rewrite LOG as the pool's extents, for the next storm
 *   t_pool_storm dump POOL
 *	print the pool's uuid, counters and extents (to compare two dumps)
 *   t_pool_storm clear POOL
 *	free every extent of the pool
 */
#define _GNU_SOURCE
#include <time.h>

#include "mftest.h"
#include "mfpool.h"

#define MAX_LIVE	4096

static int fd;

struct ext {
	uint64_t off, len, tag;
};

static struct ext live[MAX_LIVE];
static int nr_live;

static int logfd = -1;

static void log_line(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	if (logfd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(logfd, buf, n) != n || fdatasync(logfd)) {
		perror("log");
		exit(2);
	}
}

static uint64_t rnd(uint64_t n)
{
	return (((uint64_t)random() << 31) ^ random()) % n;
}

/*
 * One random operation; returns 0, or -1 with errno for an unexpected
 * failure.  ENOSPC makes it free something instead.
 */
static int storm_op(const char *pool, uint64_t tag)
{
	uint64_t len, off, flen, ftag;
	int i;

	if (nr_live < MAX_LIVE && (nr_live < 8 || rnd(100) < 55)) {
		len = rnd(100) < 75 ? 1 + rnd(64 << 10) : 1 + rnd(6 << 20);
		log_line("a %llu %llu\n", (unsigned long long)tag,
			 (unsigned long long)len);
		if (!mfp_alloc(fd, pool, len, tag, &off)) {
			log_line("A %llu %llu %llu\n", (unsigned long long)tag,
				 (unsigned long long)off, (unsigned long long)len);
			live[nr_live++] = (struct ext){ off, len, tag };
			return 0;
		}
		if (errno != ENOSPC)
			return -1;
		if (!nr_live)
			return 0;
	}
	if (!nr_live)
		return 0;
	i = rnd(nr_live);
	log_line("f %llu\n", (unsigned long long)live[i].off);
	if (mfp_free(fd, pool, live[i].off, &flen, &ftag))
		return -1;
	log_line("F %llu\n", (unsigned long long)live[i].off);
	if (ftag != live[i].tag || flen < live[i].len) {
		fprintf(stderr, "free of %llu: tag %llu len %llu, want %llu %llu\n",
			(unsigned long long)live[i].off, (unsigned long long)ftag,
			(unsigned long long)flen, (unsigned long long)live[i].tag,
			(unsigned long long)live[i].len);
		errno = EBADMSG;
		return -1;
	}
	live[i] = live[--nr_live];
	return 0;
}

/* Start from the pool's extents (a storm continues an earlier one). */
static int load_live(const char *pool)
{
	struct mf_extent_info *ext;
	long n, i;

	n = mfp_extents(fd, pool, &ext);
	if (n < 0 || n > MAX_LIVE) {
		free(ext);
		return -1;
	}
	for (i = 0; i < n; i++)
		live[i] = (struct ext){ ext[i].offset, ext[i].len, ext[i].tag };
	nr_live = n;
	free(ext);
	return 0;
}

static int cmd_storm(const char *pool, const char *log, long ops)
{
	uint64_t base = (uint64_t)time(NULL) << 24;
	long i;

	srandom(getpid() ^ time(NULL));
	if (load_live(pool)) {
		perror("load the pool's extents");
		return 2;
	}
	logfd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (logfd < 0) {
		perror(log);
		return 2;
	}
	log_line("# storm on %s, %d extents\n", pool, nr_live);
	for (i = 0; ops < 0 || i < ops; i++) {
		if (storm_op(pool, base + i + 1)) {
			fprintf(stderr, "storm: op %ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	close(logfd);
	return 0;
}

/* ---- verify ---- */

static struct ext want[MAX_LIVE * 2];
static int nr_want;

static int find_want(uint64_t off)
{
	int i;

	for (i = 0; i < nr_want; i++)
		if (want[i].off == off)
			return i;
	return -1;
}

/* verify() reports its checks unless a test expects it to find faults. */
static int verify_quiet;

#define vreport(ok, ...) do {						\
	if (!verify_quiet)						\
		mft_report((ok), __VA_ARGS__);				\
} while (0)

static int verify(const char *pool, const char *log, int rewrite)
{
	uint64_t pend_tag = 0, pend_len = 0, pend_off = ~0ULL, unit;
	unsigned long long a, b, c;
	struct mf_extent_info *ext;
	struct mf_pool_info info;
	struct mf_pool_check chk;
	int pending = 0, bad = 0, lines = 0, i, j, extra = 0, missing = 0;
	char line[256], tmp[4200];
	long n;
	FILE *f;

	f = fopen(log, "r");
	if (!f) {
		vreport(0, "the log can be read", "%s: %s", log, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n'))
			break;	/* a torn last line: the write did not finish */
		lines++;
		if (sscanf(line, "a %llu %llu", &a, &b) == 2) {
			pending = 'a';
			pend_tag = a;
			pend_len = b;
		} else if (sscanf(line, "A %llu %llu %llu", &a, &b, &c) == 3) {
			if (nr_want == MAX_LIVE * 2 || find_want(b) >= 0)
				bad++;
			else
				want[nr_want++] = (struct ext){ b, c, a };
			pending = 0;
		} else if (sscanf(line, "f %llu", &a) == 1) {
			pending = 'f';
			pend_off = a;
		} else if (sscanf(line, "F %llu", &a) == 1) {
			i = find_want(a);
			if (i < 0)
				bad++;
			else
				want[i] = want[--nr_want];
			pending = 0;
		} else if (line[0] != '#') {
			bad++;
		}
	}
	fclose(f);
	vreport(!bad, "the log is well-formed", "%d bad lines of %d", bad, lines);

	if (mfp_info(fd, pool, &info)) {
		vreport(0, "the pool is attached", "%s", pool);
		return -1;
	}
	unit = info.unit;
	n = mfp_extents(fd, pool, &ext);
	if (n < 0) {
		vreport(0, "EXTENT_LIST", "%s", strerror(errno));
		return -1;
	}
	for (i = 0; i < nr_want; i++) {
		for (j = 0; j < n; j++)
			if (ext[j].offset == want[i].off)
				break;
		if (j == n) {
			if (pending == 'f' && want[i].off == pend_off) {
				printf("note: the free in flight of %llu completed\n",
				       (unsigned long long)pend_off);
				continue;
			}
			missing++;
			printf("missing: %llu (tag %llu)\n",
			       (unsigned long long)want[i].off,
			       (unsigned long long)want[i].tag);
		} else if (ext[j].tag != want[i].tag ||
			   ext[j].len != (want[i].len + unit - 1) / unit * unit) {
			missing++;
			printf("changed: %llu tag %llu len %llu, want tag %llu len %llu\n",
			       (unsigned long long)want[i].off,
			       (unsigned long long)ext[j].tag,
			       (unsigned long long)ext[j].len,
			       (unsigned long long)want[i].tag,
			       (unsigned long long)want[i].len);
		}
	}
	for (j = 0; j < n; j++) {
		if (find_want(ext[j].offset) >= 0)
			continue;
		if (pending == 'a' && ext[j].tag == pend_tag &&
		    ext[j].len == (pend_len + unit - 1) / unit * unit) {
			printf("note: the allocation in flight (tag %llu) completed\n",
			       (unsigned long long)pend_tag);
			pending = 0;
			continue;
		}
		extra++;
		printf("extra: %llu len %llu tag %llu\n",
		       (unsigned long long)ext[j].offset,
		       (unsigned long long)ext[j].len,
		       (unsigned long long)ext[j].tag);
	}
	vreport(!missing, "every completed allocation is there, with its tag and length",
		   "%d missing or changed of %d", missing, nr_want);
	vreport(!extra, "nothing else is allocated (but the one in flight)",
		   "%d extra", extra);
	vreport(!mfp_check(fd, pool, &chk) && chk.errors == 0,
		   "POOL_CHECK finds nothing", "%llu errors: %s",
		   (unsigned long long)chk.errors, chk.what);
	printf("verified %d extents (%ld in the pool) from %d log lines\n",
	       nr_want, n, lines);

	if (rewrite && !missing && !extra) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", log);
		logfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (logfd < 0)
			return -1;
		log_line("# verified: %ld extents\n", n);
		for (j = 0; j < n; j++)
			log_line("A %llu %llu %llu\n",
				 (unsigned long long)ext[j].tag,
				 (unsigned long long)ext[j].offset,
				 (unsigned long long)ext[j].len);
		close(logfd);
		logfd = -1;
		if (rename(tmp, log))
			return -1;
	}
	free(ext);
	return missing || extra ? -1 : 0;
}

static int cmd_dump(const char *pool)
{
	struct mf_extent_info *ext;
	struct mf_pool_info info;
	long n, i;

	if (mfp_info(fd, pool, &info)) {
		fprintf(stderr, "%s: not attached\n", pool);
		return 1;
	}
	n = mfp_extents(fd, pool, &ext);
	if (n < 0) {
		perror("EXTENT_LIST");
		return 1;
	}
	printf("pool %s backend %u device %s\n", info.name, info.backend,
	       info.device);
	printf("uuid");
	for (i = 0; i < 16; i++)
		printf("%s%02x", i ? "" : " ", info.uuid[i]);
	printf("\ncapacity %llu used %llu free %llu largest_free %llu extents %llu free_extents %llu unit %llu frag %u\n",
	       (unsigned long long)info.capacity, (unsigned long long)info.used,
	       (unsigned long long)info.free,
	       (unsigned long long)info.largest_free,
	       (unsigned long long)info.nr_extents,
	       (unsigned long long)info.nr_free_extents,
	       (unsigned long long)info.unit, info.frag_permille);
	for (i = 0; i < n; i++)
		printf("extent %llu %llu %llu\n",
		       (unsigned long long)ext[i].offset,
		       (unsigned long long)ext[i].len,
		       (unsigned long long)ext[i].tag);
	free(ext);
	return 0;
}

static int cmd_clear(const char *pool)
{
	struct mf_extent_info *ext;
	long n, i;
	int ret = 0;

	n = mfp_extents(fd, pool, &ext);
	if (n < 0) {
		perror("EXTENT_LIST");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (mfp_free(fd, pool, ext[i].offset, NULL, NULL)) {
			perror("EXTENT_FREE");
			ret = 1;
		}
	free(ext);
	return ret;
}

/* The guest test: storms against a model, and a log verified. */
static void self_test(const char *pool)
{
	struct mf_extent_info *ext;
	char what[160], log[64];
	int i, j, ok;
	long n;

	snprintf(log, sizeof(log), "/tmp/t_pool_storm.%s.log", pool);
	unlink(log);
	nr_live = 0;
	nr_want = 0;
	logfd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
	for (i = 0; i < 2000; i++)
		if (storm_op(pool, 1000 + i))
			break;
	snprintf(what, sizeof(what), "%s: 2000 random allocations and frees", pool);
	mft_report(i == 2000, what, "op %d: %s", i, strerror(errno));
	close(logfd);
	logfd = -1;

	n = mfp_extents(fd, pool, &ext);
	ok = n == nr_live;
	for (i = 0; ok && i < n; i++) {
		for (j = 0; j < nr_live; j++)
			if (live[j].off == ext[i].offset)
				break;
		ok = j < nr_live && live[j].tag == ext[i].tag &&
		     live[j].len <= ext[i].len;
		if (ok && i)
			ok = ext[i - 1].offset + ext[i - 1].len <= ext[i].offset;
	}
	free(ext);
	snprintf(what, sizeof(what), "%s: EXTENT_LIST matches the model (%d extents)",
		 pool, nr_live);
	MFT_CHECK(ok, what);
	snprintf(what, sizeof(what), "%s: verify of the storm's log", pool);
	MFT_CHECK(!verify(pool, log, 0), what);

	/* An intent without completion: the allocation did happen. */
	logfd = open(log, O_WRONLY | O_APPEND);
	log_line("a 424242 8192\n");
	close(logfd);
	logfd = -1;
	MFT_OK(mfp_alloc(fd, pool, 8192, 424242, NULL), "an allocation not logged as done");
	nr_want = 0;
	snprintf(what, sizeof(what), "%s: verify accepts the one in flight", pool);
	MFT_CHECK(!verify(pool, log, 1), what);
	nr_want = 0;
	MFT_CHECK(!load_live(pool), "reload the extents");
	MFT_OK(mfp_alloc(fd, pool, 4096, 434343, NULL), "an allocation not logged at all");
	snprintf(what, sizeof(what), "%s: verify finds an unlogged extent", pool);
	verify_quiet = 1;
	MFT_CHECK(verify(pool, log, 0) != 0, what);
	verify_quiet = 0;

	n = mfp_extents(fd, pool, &ext);
	for (i = 0; i < n; i++)
		mfp_free(fd, pool, ext[i].offset, NULL, NULL);
	free(ext);
	snprintf(what, sizeof(what), "%s: everything freed", pool);
	MFT_CHECK(mfp_sysfs_u64(pool, "extents") == 0 &&
		  mfp_sysfs_u64(pool, "free") == mfp_sysfs_u64(pool, "capacity"),
		  what);
	unlink(log);
}

int main(int argc, char **argv)
{
	mft_init(argv[0]);
	fd = mfp_open();

	if (argc >= 4 && !strcmp(argv[1], "storm"))
		return cmd_storm(argv[2], argv[3], argc > 4 ? atol(argv[4]) : -1);
	if (argc == 4 && !strcmp(argv[1], "verify")) {
		verify(argv[2], argv[3], 1);
		return mft_done();
	}
	if (argc == 3 && !strcmp(argv[1], "dump"))
		return cmd_dump(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "clear"))
		return cmd_clear(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: t_pool_storm [storm POOL LOG [OPS] | verify POOL LOG | dump POOL | clear POOL]\n");
		return 2;
	}

	srandom(42);
	MFT_OK(mfp_attach_ram(fd, "t_storm", 64 << 20), "attach a 64M ram pool");
	self_test("t_storm");
	MFT_OK(mfp_detach(fd, "t_storm"), "detach it");
	if (mfp_exists(fd, "pool0") && mfp_sysfs_u64("pool0", "extents") == 0)
		self_test("pool0");
	else
		printf("note: no empty pool0: the fsdax storm is not run\n");
	close(fd);
	return mft_done();
}
