// SPDX-License-Identifier: GPL-2.0
/*
 * t_data_race - short READ, WRITE and COPY (the lock-free path of issue 18:
 * no mutex, the handle and the pieces looked up under RCU) racing with
 * publish, derive, free, put, expand and copy-on-write of the same object.
 *
 *   t_data_race [-t SECONDS]
 *
 * Threads of one process share one open file, so that a put of a handle
 * races with the calls that use it.  Every object gets a family of byte
 * values of its own, and every 64 B slot holds one value of its family;
 * objects allocated to reuse freed memory are filled with FOREIGN.  The
 * checks, by content:
 *   publish  a write that starts after PUBLISH returned never succeeds,
 *            and the object's bytes read right after PUBLISH returned are
 *            its bytes for good (no write lands after it);
 *   derive   a derived object's bytes read right after DERIVE returned
 *            never change while the source keeps being written;
 *   free     a read through a handle that is being put, of an object
 *            being freed while other objects take its memory, returns the
 *            object's bytes or fails with ENOENT: never FOREIGN;
 *   expand   reads and writes while the object grows see its bytes or
 *            zeros (new memory), or fail with EINVAL beyond its size;
 *   cow      readers of a derived object that copies on write while its
 *            source is freed and its memory reused never see FOREIGN;
 *   copy     64 B copies into an object being published follow the
 *            publish rule too.
 * The suite's dmesg scan catches KASAN, lockdep and RCU reports.
 *
 * Runs about SECONDS (default 12, or $MF_RACE_SECONDS) in all.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mfrace.h"

#define NS	"t_data_race"
#define SECID	"data-race-secret"
#define SLOT	64
#define OBJ	(64 * 1024)
#define NSLOT	(OBJ / SLOT)
#define FOREIGN	0xee
#define NFILL	8
#define NTHR	3

static int fd;
static int secs = 12;

/* What the threads of one round share. */
static struct {
	uint64_t mo, serial, mo2;	/* the object (and another one) */
	uint64_t size;			/* bytes the threads may touch */
	int family;			/* its values: family .. family + 15 */
	volatile int stop;
	volatile int done;		/* PUBLISH (or DERIVE) returned */
	int zero_ok;			/* zeros are its bytes too (expand) */
	int copy;			/* writers use COPY from mo2 */
	long ok, refused, late_ok, bad_errno, foreign, calls;
	int bad_errno_val;
} R;

static pthread_mutex_t tally_lock = PTHREAD_MUTEX_INITIALIZER;

static void fill(void *buf, int v)
{
	memset(buf, v, SLOT);
}

/* Whether @buf's bytes are all of the round's family (or zero). */
static int in_family(const unsigned char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (R.zero_ok && !buf[i])
			continue;
		if (buf[i] < R.family || buf[i] > R.family + 15)
			return 0;
	}
	return 1;
}

static int obj_write_all(uint64_t mo, uint64_t len, int v)
{
	unsigned char *buf = malloc(len);
	int ret;

	if (!buf)
		return -1;
	memset(buf, v, len);
	ret = mfo_write(fd, mo, 0, len, buf);
	free(buf);
	return ret;
}

static uint64_t obj_serial(uint64_t mo)
{
	struct mf_obj_stat st;

	return mfo_stat_obj(fd, mo, &st) ? 0 : st.serial;
}

/* A writer: 64 B writes (or copies from mo2) of family values. */
static void *writer(void *arg)
{
	uint64_t rng = (uintptr_t)arg * 7919 + 1;
	unsigned char buf[SLOT];
	long ok = 0, refused = 0, late = 0, bad = 0, n = 0;
	int badval = 0;

	while (!R.stop) {
		uint64_t x = mft_xorshift(&rng);
		uint64_t off = (x % (R.size / SLOT)) * SLOT;
		int before = __atomic_load_n(&R.done, __ATOMIC_ACQUIRE);
		int ret;

		fill(buf, R.family + 1 + (int)(x >> 60) % 14);
		if (R.copy)
			ret = mfo_copy(fd, R.mo2, off, 0, R.mo, off, 0, SLOT);
		else
			ret = mfo_write(fd, R.mo, off, SLOT, buf);
		n++;
		if (!ret) {
			ok++;
			late += before;
		} else if (errno == EACCES) {
			refused++;
			if (before)
				break;
		} else if (errno != EINVAL && errno != ENOENT) {
			bad++;
			badval = errno;
		}
	}
	pthread_mutex_lock(&tally_lock);
	R.ok += ok;
	R.refused += refused;
	R.late_ok += late;
	R.bad_errno += bad;
	if (bad)
		R.bad_errno_val = badval;
	R.calls += n;
	pthread_mutex_unlock(&tally_lock);
	return NULL;
}

/* A reader: 64 B reads, through the serial, checked against the family. */
static void *reader(void *arg)
{
	uint64_t rng = (uintptr_t)arg * 104729 + 3;
	unsigned char buf[SLOT];
	long ok = 0, foreign = 0, bad = 0, n = 0;
	int badval = 0;

	while (!R.stop) {
		uint64_t off = (mft_xorshift(&rng) % (R.size / SLOT)) * SLOT;

		n++;
		if (!mfo_io_serial(fd, MF_IOC_OBJ_READ, R.mo, R.serial, off,
				   SLOT, buf)) {
			ok++;
			if (!in_family(buf, SLOT))
				foreign++;
		} else if (errno != ENOENT && errno != EINVAL) {
			bad++;
			badval = errno;
		}
	}
	pthread_mutex_lock(&tally_lock);
	R.ok += ok;
	R.foreign += foreign;
	R.bad_errno += bad;
	if (bad)
		R.bad_errno_val = badval;
	R.calls += n;
	pthread_mutex_unlock(&tally_lock);
	return NULL;
}

static void start(pthread_t *t, int nw, int nr)
{
	long i;

	R.stop = 0;
	for (i = 0; i < nw + nr; i++)
		pthread_create(&t[i], NULL, i < nw ? writer : reader,
			       (void *)(i + 1 + (mft_ms() & 0xffff)));
}

static void stop_join(pthread_t *t, int n)
{
	int i;

	R.stop = 1;
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static void reset(int family)
{
	memset(&R, 0, sizeof(R));
	R.family = family;
	R.size = OBJ;
}

static void pause_us(uint64_t *rng, int max)
{
	usleep(100 + mft_xorshift(rng) % max);
}

/* ---- publish (WRITE, or COPY with @copy) ------------------------------------- */

static void race_publish(int copy, long ms)
{
	static unsigned char a[OBJ], b[OBJ];
	uint64_t rng = 42 + copy;
	long long end = mft_ms() + ms;
	long rounds = 0, changed = 0, late = 0, writes = 0, refused = 0;
	long bad = 0;
	pthread_t t[NTHR];
	char id[MF_OBJ_ID_LEN];

	while (mft_ms() < end) {
		uint64_t src = 0;

		reset(0x10);
		R.copy = copy;
		snprintf(id, sizeof(id), "pub-%ld", rounds);
		if (mfo_alloc(fd, NS, SECID, id, OBJ, &R.mo, NULL) ||
		    obj_write_all(R.mo, OBJ, 0x10))
			break;
		if (copy) {
			if (mfo_alloc(fd, NS, SECID, "pub-src", OBJ, &src,
				      NULL) ||
			    obj_write_all(src, OBJ, 0x1f))
				break;
			R.mo2 = src;
		}
		start(t, 2, 0);
		pause_us(&rng, 3000);
		if (mfo_publish(fd, NS, SECID, id))
			break;
		__atomic_store_n(&R.done, 1, __ATOMIC_RELEASE);
		if (mfo_read(fd, R.mo, 0, OBJ, a))
			break;
		usleep(2000);
		stop_join(t, 2);
		if (mfo_read(fd, R.mo, 0, OBJ, b))
			break;
		changed += !!memcmp(a, b, OBJ);
		late += R.late_ok;
		writes += R.ok;
		refused += R.refused;
		bad += R.bad_errno;
		mfo_put(fd, R.mo);
		mfo_free(fd, NS, SECID, id);
		if (copy) {
			mfo_put(fd, src);
			mfo_free(fd, NS, SECID, "pub-src");
		}
		rounds++;
	}
	printf("# publish%s: %ld rounds, %ld writes before, %ld refused after\n",
	       copy ? " (copy)" : "", rounds, writes, refused);
	MFT_CHECK(rounds > 3, copy ? "publish/copy: the rounds ran" :
				     "publish/write: the rounds ran");
	MFT_CHECK(!late, copy ? "publish/copy: no copy that started after PUBLISH returned succeeded" :
				"publish/write: no write that started after PUBLISH returned succeeded");
	MFT_CHECK(!changed, copy ? "publish/copy: the bytes read when PUBLISH returned are the object's for good" :
				   "publish/write: the bytes read when PUBLISH returned are the object's for good");
	MFT_CHECK(refused > 0, "publish: writes after it were refused (EACCES)");
	MFT_CHECK(!bad, "publish: no error other than EACCES");
}

/* ---- derive ------------------------------------------------------------------ */

static void race_derive(long ms)
{
	static unsigned char a[OBJ], b[OBJ];
	uint64_t rng = 7, d;
	long long end = mft_ms() + ms;
	long rounds = 0, changed = 0, foreign = 0;
	pthread_t t[NTHR];

	reset(0x20);
	if (mfo_alloc(fd, NS, SECID, "der-src", OBJ, &R.mo, NULL) ||
	    obj_write_all(R.mo, OBJ, 0x20)) {
		MFT_CHECK(0, "derive: source made");
		return;
	}
	R.serial = obj_serial(R.mo);
	start(t, 2, 1);
	while (mft_ms() < end) {
		pause_us(&rng, 2000);
		if (mfo_derive(fd, R.mo, NS, SECID, "der-dst", &d))
			break;
		if (mfo_read(fd, d, 0, OBJ, a))
			break;
		usleep(3000);
		if (mfo_read(fd, d, 0, OBJ, b))
			break;
		changed += !!memcmp(a, b, OBJ);
		foreign += !in_family(a, OBJ);
		mfo_put(fd, d);
		mfo_free(fd, NS, SECID, "der-dst");
		rounds++;
	}
	stop_join(t, 3);
	printf("# derive: %ld rounds, %ld source calls\n", rounds, R.calls);
	MFT_CHECK(rounds > 3, "derive: the rounds ran");
	MFT_CHECK(!changed, "derive: a derived object never sees a write its source took after DERIVE returned");
	MFT_CHECK(!foreign && !R.foreign, "derive: only the source's bytes, in both");
	MFT_CHECK(R.ok > 0 && !R.bad_errno, "derive: the source's reads and writes went on without errors");
	mfo_put(fd, R.mo);
	mfo_free(fd, NS, SECID, "der-src");
}

/* ---- free and put while reading; the memory reused ----------------------- */

static void fillers(uint64_t *mo, int make)
{
	char id[MF_OBJ_ID_LEN];
	int i;

	for (i = 0; i < NFILL; i++) {
		snprintf(id, sizeof(id), "fill-%d", i);
		if (make) {
			if (!mfo_alloc(fd, NS, SECID, id, OBJ, &mo[i], NULL))
				obj_write_all(mo[i], OBJ, FOREIGN);
			else
				mo[i] = 0;
		} else if (mo[i]) {
			mfo_put(fd, mo[i]);
			mfo_free(fd, NS, SECID, id);
		}
	}
}

static void race_free(long ms)
{
	uint64_t rng = 99, fill_mo[NFILL];
	long long end = mft_ms() + ms;
	long rounds = 0, calls = 0, ok = 0, foreign = 0, bad = 0;
	int badval = 0;
	pthread_t t[NTHR];

	while (mft_ms() < end) {
		reset(0x30);
		if (mfo_alloc(fd, NS, SECID, "free-x", OBJ, &R.mo, NULL) ||
		    obj_write_all(R.mo, OBJ, 0x30))
			break;
		R.serial = obj_serial(R.mo);
		start(t, 0, NTHR);
		pause_us(&rng, 2000);
		mfo_free(fd, NS, SECID, "free-x");
		pause_us(&rng, 500);
		mfo_put(fd, R.mo);
		fillers(fill_mo, 1);
		usleep(1000);
		stop_join(t, NTHR);
		fillers(fill_mo, 0);
		calls += R.calls;
		ok += R.ok;
		foreign += R.foreign;
		bad += R.bad_errno;
		if (R.bad_errno)
			badval = R.bad_errno_val;
		rounds++;
	}
	printf("# free: %ld rounds, %ld reads, %ld of them succeeded\n", rounds,
	       calls, ok);
	MFT_CHECK(rounds > 3 && ok > 0, "free: the rounds ran, reads succeeded before the put");
	MFT_CHECK(!foreign, "free: no read returned bytes of the objects that took the memory");
	mft_report(!bad, "free: reads failed only with ENOENT", "errno %d", badval);
}

/* ---- expand ------------------------------------------------------------------ */

static void race_expand(long ms)
{
	long long end = mft_ms() + ms;
	long grows = 0;
	pthread_t t[NTHR];
	uint64_t size = OBJ;

	reset(0x40);
	R.zero_ok = 1;
	if (mfo_alloc(fd, NS, SECID, "exp-x", OBJ, &R.mo, NULL) ||
	    obj_write_all(R.mo, OBJ, 0x40)) {
		MFT_CHECK(0, "expand: object made");
		return;
	}
	R.serial = obj_serial(R.mo);
	R.size = 64 * OBJ;	/* the threads reach beyond the size */
	start(t, 1, 2);
	while (mft_ms() < end && size < 64 * OBJ) {
		usleep(1000);
		size += 4096 * (1 + grows % 5);
		if (size > 64 * OBJ)
			size = 64 * OBJ;
		if (mfo_expand(fd, R.mo, size))
			break;
		grows++;
	}
	usleep(2000);
	stop_join(t, 3);
	printf("# expand: %ld grows to %llu bytes, %ld calls\n", grows,
	       (unsigned long long)size, R.calls);
	MFT_CHECK(grows > 3, "expand: it grew");
	MFT_CHECK(!R.foreign, "expand: reads saw its bytes or zeros only");
	mft_report(!R.bad_errno, "expand: calls failed only with EINVAL",
		   "errno %d", R.bad_errno_val);
	mfo_put(fd, R.mo);
	mfo_free(fd, NS, SECID, "exp-x");
}

/* ---- copy-on-write while the source goes -------------------------------------- */

static void race_cow(long ms)
{
	uint64_t rng = 5, s, fill_mo[NFILL];
	long long end = mft_ms() + ms;
	long rounds = 0, foreign = 0, bad = 0, ok = 0;
	pthread_t t[NTHR];

	while (mft_ms() < end) {
		reset(0x50);
		if (mfo_alloc(fd, NS, SECID, "cow-s", OBJ, &s, NULL) ||
		    obj_write_all(s, OBJ, 0x50) ||
		    mfo_derive(fd, s, NS, SECID, "cow-d", &R.mo))
			break;
		R.serial = obj_serial(R.mo);
		start(t, 1, 2);
		pause_us(&rng, 1000);
		mfo_put(fd, s);
		mfo_free(fd, NS, SECID, "cow-s");
		fillers(fill_mo, 1);
		usleep(1000);
		stop_join(t, 3);
		fillers(fill_mo, 0);
		foreign += R.foreign;
		bad += R.bad_errno;
		ok += R.ok;
		mfo_put(fd, R.mo);
		mfo_free(fd, NS, SECID, "cow-d");
		rounds++;
	}
	printf("# cow: %ld rounds, %ld calls succeeded\n", rounds, ok);
	MFT_CHECK(rounds > 3 && ok > 0, "cow: the rounds ran");
	MFT_CHECK(!foreign, "cow: readers of the derived object never saw the memory's next owner");
	MFT_CHECK(!bad, "cow: no unexpected error");
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;
	const char *env = getenv("MF_RACE_SECONDS");
	long slice;
	int c;

	if (env)
		secs = atoi(env);
	while ((c = getopt(argc, argv, "t:")) != -1)
		if (c == 't')
			secs = atoi(optarg);
	if (secs < 3)
		secs = 3;
	fd = mfo_begin(argv[0], NS, SECID, &snap);
	slice = secs * 1000L / 6;
	race_publish(0, slice);
	race_publish(1, slice);
	race_derive(slice);
	race_free(slice);
	race_expand(slice);
	race_cow(slice);
	return mfo_end(fd, NS, SECID, &snap, "after the races");
}
