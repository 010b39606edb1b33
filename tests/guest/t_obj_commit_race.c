// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_commit_race - regression test of issue 15, defect 1: MF_IOC_OBJ_COMMIT
 * must never write into the object it commits from, however the caller's
 * address space changes while the commit runs.
 *
 *   t_obj_commit_race [-t SECONDS] [-n ITERS]
 *
 * The module checks once, under mmap_lock, that [addr, addr + len) lies in
 * one MAP_PRIVATE mapping of one object, drops the lock, and then collects
 * the written pages batch by batch, checking only that each batch maps the
 * same object.  A reader of a published object S maps S's range [2M, 6M)
 * MAP_PRIVATE as V and [0, 2M) as X, dirties a page of V's lower half and
 * some pages of X, and while one thread commits V another moves X over the
 * upper half of V (mremap(MREMAP_FIXED)).  When the move lands between the
 * check and the collection, the collector meets object offsets 2M.. and
 * then 0..: unsorted, which the commit code does not expect, and the pages
 * of X were written into S's own pool memory.  A lost race is harmless to
 * the attacker, so it is tried again and again.
 *
 * The attacker is nobody (uid/gid 65534, no capabilities): a reader of S
 * (root's object, published) who knows the namespace's secId.  Two ways of
 * timing the move alternate: (A) the mover waits an adaptive number of
 * spins after the committer started (more after a move that came too early,
 * which makes the commit fail with EINVAL, fewer after one that came too
 * late); (B) the same, while a third thread holds mmap_lock for writing
 * (mprotect() of a large populated region), so that the commit and the
 * move queue on the lock in that order.
 *
 * Checks, by content: after every iteration the pages of S that X dirtied
 * still hold S's bytes; every successful commit holds the page written
 * through V and S's bytes where X was; at the end, as root, the checksums
 * of S and of an object derived from S before the race are what they were
 * at publish.  Then the leak check.
 *
 * Runs for SECONDS (default 20, or $MF_RACE_SECONDS) or ITERS iterations,
 * and stops at the first corruption.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mfrace.h"

#define NS	"t_commit_race"
#define SECID	"commit-race-secret"
#define MB	(1UL << 20)
#define SRC_LEN	(6 * MB)
#define V_OFF	(2 * MB)
#define V_LEN	(4 * MB)
#define X_LEN	(2 * MB)
#define SEED	77
#define PAYLOAD	0xe7
#define HOLD_LEN (48 * MB)

static int fd;
static long page;
static int r_secs = 20;
static long r_iters;

/* The pages of X the attacker writes (page indices in [0, 512)). */
static const unsigned int x_pages[] = { 0, 1, 137, 300, 511 };
#define NR_X (sizeof(x_pages) / sizeof(x_pages[0]))

static uint64_t fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* FNV-1a of object @mo's @len bytes, read with MF_IOC_OBJ_READ; 0 on error. */
static uint64_t obj_sum(int f, uint64_t mo, size_t len)
{
	unsigned char *buf = malloc(len);
	uint64_t h = 0;

	if (buf && !mfo_read(f, mo, 0, len, buf))
		h = fnv(buf, len);
	free(buf);
	return h;
}

/* ---- the attacker (nobody) ------------------------------------------------ */

struct race {
	uint64_t src;			/* map offset of S */
	unsigned char *v, *x;		/* this iteration's mappings */
	sem_t arm, holdsem;	/* wake the mover, the holder */
	volatile int ready;		/* iteration the mover is armed for */
	volatile int go;		/* iteration number the mover may start */
	volatile int moved;		/* iteration number it finished */
	volatile int it;		/* the current iteration */
	volatile int hold_in, hold_done;
	volatile int quit;
	volatile long spins;		/* the mover's delay */
	int move_ret, move_errno;
	unsigned char *hold;		/* the lock holder's region */
	uint64_t rng;
};

static struct race R;

/*
 * The mover: armed, it spins until go, waits R.spins, then moves X over
 * V's upper half.
 */
static void *mover(void *arg)
{
	int seen;
	void *p;

	(void)arg;
	for (;;) {
		sem_wait(&R.arm);
		if (R.quit)
			break;
		seen = R.it;
		__atomic_store_n(&R.ready, seen, __ATOMIC_RELEASE);
		while (__atomic_load_n(&R.go, __ATOMIC_ACQUIRE) != seen)
			;
		mft_spin(R.spins);
		p = mremap(R.x, X_LEN, X_LEN, MREMAP_MAYMOVE | MREMAP_FIXED,
			   R.v + (V_LEN - X_LEN));
		R.move_errno = errno;
		R.move_ret = p == MAP_FAILED ? -1 : 0;
		__atomic_store_n(&R.moved, seen, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* The lock holder: when woken, mprotect() a large populated region. */
static void *holder(void *arg)
{
	int seen;

	(void)arg;
	for (;;) {
		sem_wait(&R.holdsem);
		if (R.quit)
			break;
		seen = R.it;
		__atomic_store_n(&R.hold_in, seen, __ATOMIC_RELEASE);
		mprotect(R.hold, HOLD_LEN, PROT_READ);
		mprotect(R.hold, HOLD_LEN, PROT_READ | PROT_WRITE);
		__atomic_store_n(&R.hold_done, seen, __ATOMIC_RELEASE);
	}
	return NULL;
}

struct tally {
	long iters, committed, einval, other, move_fail, wrong_commit;
	long won[2], tried[2];
	long long won_ms;
	int corrupt;
};

/* Whether the pages of S that X dirtied still hold S's bytes. */
static int src_intact(unsigned char *buf)
{
	size_t i;

	for (i = 0; i < NR_X; i++) {
		uint64_t off = (uint64_t)x_pages[i] * page;

		if (mfo_read(fd, R.src, off, page, buf) ||
		    !mfo_check_pattern(buf, page, SEED, off))
			return 0;
	}
	return 1;
}

/* A successful commit holds V's page at 2M and S's bytes where X was. */
static int commit_right(uint64_t mo, unsigned char *buf)
{
	size_t i;

	if (mfo_read(fd, mo, V_OFF, page, buf) || buf[0] != 0x11 ||
	    buf[page - 1] != 0x11)
		return 0;
	for (i = 0; i < NR_X; i++) {
		uint64_t off = (uint64_t)x_pages[i] * page;

		if (mfo_read(fd, mo, off, page, buf) ||
		    !mfo_check_pattern(buf, page, SEED, off))
			return 0;
	}
	return 1;
}

static int attack(int f, void *arg)
{
	struct tally *t = arg;
	struct mf_obj_commit c;
	pthread_t tm, th;
	long spins[2] = { 0, 0 };
	long long start = mft_ms(), end = start + r_secs * 1000LL;
	unsigned char *buf = malloc(page);
	size_t i;
	int mode, ret, err;

	(void)f;
	memset(&R, 0, sizeof(R));
	R.rng = (uint64_t)time(NULL) | 1;
	if (mfo_get(fd, NS, SECID, "src", &R.src, NULL))
		return 10;
	R.hold = mmap(NULL, HOLD_LEN, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (R.hold == MAP_FAILED || !buf)
		return 11;
	memset(R.hold, 1, HOLD_LEN);
	if (sem_init(&R.arm, 0, 0) || sem_init(&R.holdsem, 0, 0))
		return 12;
	if (pthread_create(&tm, NULL, mover, NULL) ||
	    pthread_create(&th, NULL, holder, NULL))
		return 12;
	while (r_iters ? t->iters < r_iters : mft_ms() < end) {
		int it = (int)++t->iters;

		mode = it & 1;
		R.v = mfo_map(fd, R.src, V_OFF, V_LEN, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE, NULL);
		R.x = mfo_map(fd, R.src, 0, X_LEN, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE, NULL);
		if (R.v == MAP_FAILED || R.x == MAP_FAILED)
			return 13;
		memset(R.v, 0x11, page);		/* object offset 2M */
		for (i = 0; i < NR_X; i++)
			memset(R.x + (size_t)x_pages[i] * page, PAYLOAD, page);
		/* the delay: adaptive, with +-50 % jitter */
		R.spins = spins[mode] / 2 +
			  (long)(mft_xorshift(&R.rng) % (uint64_t)(spins[mode] + 1));
		R.it = it;
		if (mode) {
			/* B: the holder takes mmap_lock, then commit, then move */
			sem_post(&R.holdsem);
			mft_wait_for(&R.hold_in, it);
			mft_spin(200);
			sem_post(&R.arm);
		} else {
			/* A: the mover spins, ready; the delay counts from go */
			sem_post(&R.arm);
			mft_wait_for(&R.ready, it);
		}
		t->tried[mode]++;
		__atomic_store_n(&R.go, it, __ATOMIC_RELEASE);
		ret = mfo_commit(fd, R.v, V_LEN, NS, SECID, "", 0, &c);
		err = errno;
		mft_wait_for(&R.moved, it);
		if (mode)
			mft_wait_for(&R.hold_done, it);
		if (R.move_ret) {
			t->move_fail++;
			munmap(R.x, X_LEN);
		}
		if (!ret) {
			t->committed++;
			if (!commit_right(c.map_offset, buf))
				t->wrong_commit++;
			mfo_put(fd, c.map_offset);
			mfo_free(fd, NS, SECID, c.id);
			/* the move came late: move sooner */
			spins[mode] = spins[mode] * 4 / 5;
		} else if (err == EINVAL) {
			t->einval++;
			/* the move came first: wait longer */
			spins[mode] = spins[mode] * 5 / 4 + 16;
		} else {
			t->other++;
		}
		munmap(R.v, V_LEN);
		if (!src_intact(buf)) {
			t->won[mode]++;
			t->won_ms = mft_ms() - start;
			t->corrupt = 1;
			printf("INFO: the race was won at iteration %ld after %lld ms (mode %c, %ld spins): the published object changed\n",
			       t->iters, t->won_ms, mode ? 'B' : 'A', R.spins);
			break;
		}
	}
	R.quit = 1;
	sem_post(&R.arm);
	sem_post(&R.holdsem);
	pthread_join(tm, NULL);
	pthread_join(th, NULL);
	printf("INFO: %ld iterations in %lld ms: %ld commits succeeded, %ld EINVAL (moved first), %ld other errors, %ld moves failed; final delays A %ld, B %ld spins\n",
	       t->iters, mft_ms() - start, t->committed, t->einval, t->other,
	       t->move_fail, spins[0], spins[1]);
	munmap(R.hold, HOLD_LEN);
	mfo_put(fd, R.src);
	free(buf);
	return 0;
}

/* ---- the test (root) -------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct tally *t;
	struct mfo_snap snap;
	uint64_t src = 0, der = 0, sum_src, sum_der;
	unsigned char *buf;
	const char *env = getenv("MF_RACE_SECONDS");
	char what[200];
	int opt, st;

	if (env)
		r_secs = atoi(env);
	while ((opt = getopt(argc, argv, "t:n:")) != -1) {
		switch (opt) {
		case 't': r_secs = atoi(optarg); break;
		case 'n': r_iters = atol(optarg); break;
		default:
			fprintf(stderr, "usage: t_obj_commit_race [-t SECONDS] [-n ITERS]\n");
			return 2;
		}
	}
	page = sysconf(_SC_PAGESIZE);
	fd = mfo_begin(argv[0], NS, SECID, &snap);
	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	buf = malloc(SRC_LEN);
	if (t == MAP_FAILED || !buf)
		return 2;
	memset(t, 0, sizeof(*t));

	mfo_pattern(buf, SRC_LEN, SEED, 0);
	MFT_OK(mfo_alloc(fd, NS, SECID, "src", SRC_LEN, &src, NULL),
	       "root allocates a 6 MiB object");
	MFT_OK(mfo_write(fd, src, 0, SRC_LEN, buf), "and fills it");
	MFT_OK(mfo_publish(fd, NS, SECID, "src"), "and publishes it");
	MFT_OK(mfo_derive(fd, src, NS, SECID, "derived", &der),
	       "root derives an object from it");
	sum_src = fnv(buf, SRC_LEN);
	MFT_CHECK(obj_sum(fd, src, SRC_LEN) == sum_src &&
		  obj_sum(fd, der, SRC_LEN) == sum_src,
		  "both read as written (checksum at publish)");

	st = mfo_as_nobody(fd, attack, t);
	snprintf(what, sizeof(what),
		 "nobody raced COMMIT against mremap(MREMAP_FIXED) for %ld iterations",
		 t->iters);
	mft_report(st == 0 && t->iters > 0, what, "attacker exit status %d", st);
	snprintf(what, sizeof(what),
		 "no commit wrote into the published source (mode A %ld tries, B %ld)",
		 t->tried[0], t->tried[1]);
	mft_report(!t->corrupt, what,
		   "the race was won after %lld ms, at iteration %ld: X's bytes are in the published object",
		   t->won_ms, t->iters);
	snprintf(what, sizeof(what),
		 "each of the %ld successful commits holds what the mapping held",
		 t->committed);
	mft_report(!t->wrong_commit, what, "%ld did not", t->wrong_commit);
	MFT_CHECK(t->committed > 0 || t->einval > 0,
		  "the commits ran (succeeded or were refused with EINVAL)");

	sum_der = obj_sum(fd, der, SRC_LEN);
	mft_report(obj_sum(fd, src, SRC_LEN) == sum_src,
		   "the published object's checksum is what it was at publish",
		   "it changed");
	mft_report(sum_der == sum_src,
		   "the object derived from it before the race is unchanged",
		   "it changed");

	MFT_OK(mfo_put(fd, der), "put the derived object");
	MFT_OK(mfo_free(fd, NS, SECID, "derived"), "free it");
	MFT_OK(mfo_put(fd, src), "put the source");
	MFT_OK(mfo_free(fd, NS, SECID, "src"), "free it");
	free(buf);
	return mfo_end(fd, NS, SECID, &snap, "after t_obj_commit_race");
}
