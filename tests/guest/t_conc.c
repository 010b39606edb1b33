// SPDX-License-Identifier: GPL-2.0
/*
 * t_conc.c - concurrency with kill -9 (issue 8, part 4), and the workload
 * and verifier of the object crash loop (part 3, tests/host/t_obj_crash.sh).
 *
 *   t_conc [-t SECONDS] [-p PROCS] [-j THREADS] [-s SEED]
 *	PROCS worker processes (default 4; every second one runs as nobody)
 *	of THREADS threads each (default 2) hammer one namespace for SECONDS
 *	(default 40, or $MF_CONC_SECONDS): alloc, write, read, map, fault,
 *	mprotect, munmap, publish, get, put, derive, commit, expand and free,
 *	on a small set of ids so that they collide, and races of
 *	address-space surgery against the calls (w_race(): mremap with
 *	MREMAP_FIXED, munmap, mmap(MAP_FIXED), MADV_DONTNEED, fork, mprotect
 *	and faults from a helper thread while the worker commits, derives,
 *	publishes, expands, frees or faults; issue 15).  Each worker has its
 *	own open file, shared by its threads.  Meanwhile the parent kills a
 *	random worker with SIGKILL every 0.1 to 1.5 s and starts a new one,
 *	and after each kill records every newly published object's checksum
 *	and a sentinel derived from it, and checks two recorded ones.  At the
 *	end every worker is killed, and then: content (no page written through
 *	a MAP_PRIVATE mapping reached its object; every recorded published
 *	object and sentinel has its checksum); the handle, reference and
 *	mapping counters are back; every surviving object has exactly the one
 *	reference a fresh GET gives it (and one more per mapping, none after
 *	munmap and PUT); destroying the namespace with MF_NS_FORCE frees all
 *	of them at once (nothing deferred); every counter and the pool's free
 *	bytes and extents are back to their starting values; the pool check is
 *	clean.
 *
 *   t_conc crash-load LOG
 *	The crash workload: forever, in namespace "crash" of pool0: alloc +
 *	write, derive, patch (write into an object, maybe a derived one),
 *	publish, free.  Every step is logged to LOG, fdatasync'ed, before the
 *	call (I), when the creating call returned (R) and when the step is
 *	complete (C), with the object's size and checksum (FNV-1a 64 of its
 *	contents).  The host kills the guest at a random moment.
 *
 *   t_conc crash-verify LOG
 *	After the reboot: every object whose creation is logged complete is
 *	there with its size, type and checksum unless its free is logged
 *	complete (then it is gone); an object whose alloc returned is there
 *	with its size; only the one step in flight may or may not have
 *	happened; no other object is in the namespace; MF_IOC_POOL_CHECK of
 *	pool0 is clean.  Then it frees what the step in flight left half
 *	done and rewrites LOG from what is there.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mfrace.h"

#define CNS	"t_conc"
#define CSEC	"conc-secret"
#define NIDS	96

static long page;
static int c_secs = 40, c_procs = 4, c_threads = 2;
static uint64_t c_seed;

static uint64_t fnv(const unsigned char *p, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL

/* ---- the concurrency test ------------------------------------------------- */

struct wthread {
	int fd;
	uint64_t rng;
	uint64_t held[32];	/* map offsets this thread got */
	int nheld;
};

static __thread sigjmp_buf w_jmp;
static __thread volatile int w_touching;

static void w_sig(int sig)
{
	if (w_touching)
		siglongjmp(w_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void w_touch(struct wthread *t, unsigned char *p, size_t len, int wr)
{
	size_t off;
	int i;

	if (sigsetjmp(w_jmp, 1)) {
		w_touching = 0;
		return;
	}
	w_touching = 1;
	for (i = 0; i < 4; i++) {
		off = mft_xorshift(&t->rng) % len;
		if (wr)
			p[off] = (unsigned char)off;
		else
			(void)*(volatile unsigned char *)(p + off);
	}
	w_touching = 0;
}

static uint64_t w_any(struct wthread *t)
{
	return t->nheld ? t->held[mft_xorshift(&t->rng) % t->nheld] : 1ULL << 40;
}

static void w_hold(struct wthread *t, uint64_t mo)
{
	if (t->nheld < 32)
		t->held[t->nheld++] = mo;
	else
		t->held[mft_xorshift(&t->rng) % 32] = mo;
}

/* ---- races: address-space surgery against the calls that walk it ---------- */

/*
 * w_race(): a worker thread maps two windows W1, W2 of an object (mostly
 * MAP_PRIVATE: W2 at lower object offsets than W1, half the time), writes
 * some of their pages, and runs one call (COMMIT of W1 or W2, DERIVE,
 * PUBLISH, EXPAND, FREE, faults) while its helper thread changes the
 * address space: mremap(MREMAP_FIXED) of W2 over W1 at a 2 MiB step (a
 * commit collects in 2 MiB batches), munmap, mmap(MAP_FIXED) over W1,
 * MADV_DONTNEED, fork() with a child that writes, mprotect(), faults.  The
 * helper waits a random number of spins first, and 3 times in 4 a third
 * thread holds mmap_lock for writing as the call starts, so that the call
 * and the surgery queue behind it in that order.  Windows lie in the
 * thread's own reservation (PROT_NONE between races).  A COMMIT against a
 * surgery that moves mappings is played three more times on the same
 * layout (a lost race costs an attacker nothing).  Afterwards no page
 * written through a MAP_PRIVATE window may be in the object (by content);
 * a violation goes to the parent through c_res.
 */
#define CR_RESV		(24UL << 20)
#define CR_W2_AT	(12UL << 20)
#define CR_CHUNK	(2UL << 20)
#define CR_HOLD		(8UL << 20)
#define CR_TAG		0x434f4e4300000000ULL

/* What the workers tell the parent (shared memory; workers die at will). */
struct cres {
	unsigned long races, race_ok, priv_checks, bad;
	long long first_ms;
	char first[320];
};

static struct cres *c_res;
static long long c_t0;

enum { CS_MOVE, CS_UNMAP, CS_OVERMAP, CS_DONTNEED, CS_FORK, CS_MPROTECT,
       CS_FAULT, CS_NR };
enum { CC_COMMIT1, CC_COMMIT2, CC_DERIVE, CC_PUBLISH, CC_EXPAND, CC_FREE,
       CC_FAULT, CC_NR };
static const int cs_weight[CS_NR] = { 40, 10, 15, 10, 5, 10, 10 };
static const int cc_weight[CC_NR] = { 40, 10, 10, 10, 10, 10, 10 };
static const char *const cs_name[CS_NR] = {
	"mremap W2 over W1", "munmap", "mmap MAP_FIXED", "MADV_DONTNEED",
	"fork", "mprotect", "faults",
};
static const char *const cc_name[CC_NR] = {
	"COMMIT W1", "COMMIT W2", "DERIVE", "PUBLISH", "EXPAND", "FREE", "faults",
};

struct crace {
	pthread_t helper, holder;
	sem_t wake, hold;
	volatile int gen, ready, go, done, hold_in, hold_done;
	long spins;
	int surg;
	unsigned char *resv, *hold_mem, *w1, *w2;
	size_t l1, l2, d, slen;
	uint64_t mo;
	int fd;
	int over_anon;
	int priv1, priv2, call;		/* the last race's, for a replay */
	uint64_t rng;
};

static int c_pick(uint64_t *rng, const int *w, int n)
{
	int i, sum = 0, x;

	for (i = 0; i < n; i++)
		sum += w[i];
	x = (int)(mft_xorshift(rng) % (uint64_t)sum);
	for (i = 0; i < n - 1 && x >= w[i]; i++)
		x -= w[i];
	return i;
}

/* Reads and writes in [@p, @p + @len) that may fault. */
static void c_touch(uint64_t *rng, unsigned char *p, size_t len)
{
	int i;

	if (!len)
		return;
	if (sigsetjmp(w_jmp, 1)) {
		w_touching = 0;
		return;
	}
	w_touching = 1;
	for (i = 0; i < 8; i++) {
		uint64_t x = mft_xorshift(rng);

		if (x & 1)
			p[(x >> 8) % len] = 0x48;
		else
			(void)*(volatile unsigned char *)(p + (x >> 8) % len);
	}
	w_touching = 0;
}

static void c_surgery(struct crace *r)
{
	pid_t pid;

	switch (r->surg) {
	case CS_MOVE:
		mremap(r->w2, r->l2, r->l2, MREMAP_MAYMOVE | MREMAP_FIXED,
		       r->w1 + r->d);
		break;
	case CS_UNMAP:
		munmap(r->w1 + r->d, r->slen);
		break;
	case CS_OVERMAP:
		if (r->over_anon)
			mmap(r->w1 + r->d, r->slen, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		else
			mmap(r->w1 + r->d, r->slen, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_FIXED, r->fd, (off_t)r->mo);
		break;
	case CS_DONTNEED:
		madvise(r->w1 + r->d, r->slen, MADV_DONTNEED);
		madvise(r->w2, r->l2, MADV_DONTNEED);
		break;
	case CS_FORK:
		pid = fork();
		if (pid == 0) {
			c_touch(&r->rng, r->w1, r->l1);
			c_touch(&r->rng, r->w2, r->l2);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		break;
	case CS_MPROTECT:
		mprotect(r->w1 + r->d, r->slen, mft_xorshift(&r->rng) & 1 ? PROT_READ : PROT_NONE);
		break;
	default:
		c_touch(&r->rng, r->w1 + r->d, r->slen);
		c_touch(&r->rng, r->w2, r->l2);
		break;
	}
}

static void *c_helper(void *arg)
{
	struct crace *r = arg;
	int g;

	for (;;) {
		sem_wait(&r->wake);
		g = r->gen;
		__atomic_store_n(&r->ready, g, __ATOMIC_RELEASE);
		while (__atomic_load_n(&r->go, __ATOMIC_ACQUIRE) != g)
			;
		mft_spin(r->spins);
		c_surgery(r);
		__atomic_store_n(&r->done, g, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *c_holder(void *arg)
{
	struct crace *r = arg;
	int g;

	for (;;) {
		sem_wait(&r->hold);
		g = r->gen;
		__atomic_store_n(&r->hold_in, g, __ATOMIC_RELEASE);
		mprotect(r->hold_mem, CR_HOLD, PROT_READ);
		mprotect(r->hold_mem, CR_HOLD, PROT_READ | PROT_WRITE);
		__atomic_store_n(&r->hold_done, g, __ATOMIC_RELEASE);
	}
	return NULL;
}

static struct crace *c_race_init(uint64_t seed)
{
	struct crace *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->rng = seed | 1;
	r->resv = mmap(NULL, CR_RESV, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	r->hold_mem = mmap(NULL, CR_HOLD, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (r->resv == MAP_FAILED || r->hold_mem == MAP_FAILED ||
	    sem_init(&r->wake, 0, 0) || sem_init(&r->hold, 0, 0))
		return NULL;
	memset(r->hold_mem, 1, CR_HOLD);
	if (pthread_create(&r->helper, NULL, c_helper, r) ||
	    pthread_create(&r->holder, NULL, c_holder, r))
		return NULL;
	return r;
}

static void c_bad(const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (__atomic_fetch_add(&c_res->bad, 1, __ATOMIC_RELAXED) == 0) {
		c_res->first_ms = mft_ms() - c_t0;
		snprintf(c_res->first, sizeof(c_res->first), "%s", msg);
	}
}

struct cdirty {
	uint64_t off, v;
};

/*
 * Write W1's first page and some more of both windows (the private ones)
 * with tagged words; returns how many pages, or -1 if a write faulted.
 */
static int c_dirty(struct wthread *t, struct crace *r, int priv1, int priv2,
		   uint64_t a1, uint64_t a2, struct cdirty *dl)
{
	volatile int nd = 0;
	int i;

	if (sigsetjmp(w_jmp, 1)) {
		w_touching = 0;
		return -1;
	}
	w_touching = 1;
	for (i = 0; i < 6; i++) {
		int in2 = i >= 3;
		uint64_t room = in2 ? r->l2 : r->l1;
		uint64_t pg;

		/* W2: mostly below W1's offsets and within a commit of W1 */
		if (in2 && a2 < a1 && r->l1 > CR_CHUNK && mft_xorshift(&t->rng) % 10 < 7) {
			room = a1 - a2 < room ? a1 - a2 : room;
			room = r->l1 - CR_CHUNK < room ? r->l1 - CR_CHUNK : room;
		}
		pg = !i ? 0 : mft_xorshift(&t->rng) % (room / page) * page;
		uint64_t v = CR_TAG ^ (mft_xorshift(&t->rng) & 0xffff0000000ULL) ^ pg;
		unsigned char *p = (in2 ? r->w2 : r->w1) + pg;
		size_t k;

		if (!(in2 ? priv2 : priv1))
			continue;
		for (k = 0; k < (size_t)page / 8; k++)
			((uint64_t *)p)[k] = v;
		dl[nd].off = (in2 ? a2 : a1) + pg;
		dl[nd].v = v;
		nd = nd + 1;
	}
	w_touching = 0;
	return nd;
}

static int w_race_once(struct wthread *t, struct crace *r, const char *id2,
		       const struct mf_obj_stat *st, uint64_t mo,
		       const char *oid, uint64_t a1, uint64_t a2, size_t l1,
		       size_t l2, int rep);

static void w_race(struct wthread *t, struct crace *r,
		   const char *id2, unsigned char *buf)
{
	struct mf_obj_stat st;
	uint64_t mo, a1, a2, pages;
	size_t l1, l2;
	int fresh = 0, rep;
	char rid[MF_OBJ_ID_LEN] = "";

	if (!r)
		return;
	if (mft_xorshift(&t->rng) % 2) {
		/* a race object: 2 to 3 MiB, maybe published */
		uint64_t len = CR_CHUNK + page + mft_xorshift(&t->rng) % (CR_CHUNK / 2);

		/* a unique id: a commit or alloc that meets EEXIST races nothing */
		if (mfo_alloc(t->fd, CNS, CSEC, "", len, &mo, rid))
			return;
		mfo_write(t->fd, mo, 0, 4096, buf);
		w_hold(t, mo);
		fresh = 1;
		if (mft_xorshift(&t->rng) % 10 < 6)
			mfo_publish(t->fd, CNS, CSEC, rid);
	} else {
		mo = w_any(t);
	}
	if (mfo_stat_obj(t->fd, mo, &st) || !st.bytes)
		return;
	pages = (st.bytes + page - 1) / page;
	if (pages * page > CR_CHUNK + page && mft_xorshift(&t->rng) % 10 < 7) {
		/*
		 * crossed: W2 maps [0, a1), W1 maps [a1, end), W2 long enough
		 * to be a whole batch of W1's commit once moved to W1 + 2 MiB
		 */
		uint64_t hi = (pages * page - CR_CHUNK - page) / page;
		uint64_t lo = ((pages * page - CR_CHUNK) / 2 + page - 1) / page;

		lo = lo < 1 ? 1 : lo > hi ? hi : lo;
		a1 = (lo + mft_xorshift(&t->rng) % (hi - lo + 1)) * page;
		l1 = pages * page - a1;
		a2 = 0;
		l2 = a1;
	} else {
		a1 = mft_xorshift(&t->rng) % pages * page;
		l1 = (1 + mft_xorshift(&t->rng) % (pages - a1 / page)) * page;
		a2 = mft_xorshift(&t->rng) % pages * page;
		l2 = (1 + mft_xorshift(&t->rng) % (pages - a2 / page)) * page;
	}
	if (a2 + l2 > pages * page)
		l2 = pages * page - a2;
	if (l1 > (8UL << 20))
		l1 = 8UL << 20;
	if (l2 > (4UL << 20))
		l2 = 4UL << 20;
	/* a COMMIT against a surgery that moves mappings: three more times */
	for (rep = 0; rep < 4; rep++)
		if (!w_race_once(t, r, id2, &st, mo, fresh ? rid : st.id, a1,
				 a2, l1, l2, rep))
			break;
}

/*
 * One race on the layout w_race() chose; @rep > 0 plays the last call and
 * surgery again.  Returns whether it is worth playing again.
 */
static int w_race_once(struct wthread *t, struct crace *r, const char *id2,
		       const struct mf_obj_stat *st, uint64_t mo,
		       const char *oid, uint64_t a1, uint64_t a2, size_t l1,
		       size_t l2, int rep)
{
	struct cdirty dl[8];
	struct mf_obj_commit c;
	uint64_t w[2];
	int ret, g, hold, nd, i, again = 0;

	if (!rep) {
		r->priv1 = mft_xorshift(&t->rng) % 100 < 85;
		r->priv2 = mft_xorshift(&t->rng) % 100 < 85;
	}
	r->w1 = mmap(r->resv, l1, PROT_READ | (r->priv1 || st->type == MF_OBJ_PRIVATE_RW ? PROT_WRITE : 0),
		     (r->priv1 ? MAP_PRIVATE : MAP_SHARED) | MAP_FIXED, t->fd, (off_t)(mo + a1));
	r->w2 = mmap(r->resv + CR_W2_AT, l2,
		     PROT_READ | (r->priv2 || st->type == MF_OBJ_PRIVATE_RW ? PROT_WRITE : 0),
		     (r->priv2 ? MAP_PRIVATE : MAP_SHARED) | MAP_FIXED, t->fd, (off_t)(mo + a2));
	if (r->w1 == MAP_FAILED || r->w2 == MAP_FAILED)
		goto out;
	r->l1 = l1;
	r->l2 = l2;
	r->mo = mo;
	r->fd = t->fd;
	nd = c_dirty(t, r, r->priv1, r->priv2, a1, a2, dl);
	if (nd < 0)
		goto out;

	if (!rep) {
		r->call = c_pick(&t->rng, cc_weight, CC_NR);
		r->surg = c_pick(&t->rng, cs_weight, CS_NR);
	}
	again = r->call <= CC_COMMIT2 && r->surg <= CS_OVERMAP;
	if (r->surg == CS_MOVE && l1 > CR_CHUNK && mft_xorshift(&t->rng) % 10 < 8)
		r->d = (1 + mft_xorshift(&t->rng) % ((l1 - 1) / CR_CHUNK)) * CR_CHUNK;
	else
		r->d = mft_xorshift(&t->rng) % (l1 / page) * page;
	r->slen = (1 + mft_xorshift(&t->rng) % ((l1 - r->d) / page)) * page;
	r->over_anon = mft_xorshift(&t->rng) & 1;
	hold = mft_xorshift(&t->rng) % 4 != 0;
	r->spins = hold && mft_xorshift(&t->rng) % 10 < 7 ? 0 :
		   (long)(mft_xorshift(&t->rng) % (1ULL << (mft_xorshift(&t->rng) % 13)));
	g = ++r->gen;
	if (hold) {
		sem_post(&r->hold);
		mft_wait_for(&r->hold_in, g);
		mft_spin(200);
		sem_post(&r->wake);
	} else {
		sem_post(&r->wake);
		mft_wait_for(&r->ready, g);
	}
	__atomic_store_n(&r->go, g, __ATOMIC_RELEASE);
	switch (r->call) {
	case CC_COMMIT1:
	case CC_COMMIT2:
		ret = mfo_commit(t->fd, r->call == CC_COMMIT1 ? r->w1 : r->w2,
				 r->call == CC_COMMIT1 ? l1 : l2, CNS, CSEC, "",
				 mft_xorshift(&t->rng) & 1 ? MF_COMMIT_PUBLISH : 0, &c);
		if (!ret) {
			w_hold(t, c.map_offset);
			if (mft_xorshift(&t->rng) & 1)	/* keep the pool from filling */
				mfo_free(t->fd, CNS, CSEC, c.id);
		}
		break;
	case CC_DERIVE:
		ret = mfo_derive(t->fd, mo, CNS, CSEC, id2, &w[0]);
		if (!ret)
			w_hold(t, w[0]);
		break;
	case CC_PUBLISH:
		ret = mfo_publish(t->fd, CNS, CSEC, oid);
		break;
	case CC_EXPAND:
		ret = mfo_expand(t->fd, mo, st->bytes + 1 + mft_xorshift(&t->rng) % 65536);
		break;
	case CC_FREE:
		ret = mfo_free(t->fd, CNS, CSEC, oid);
		break;
	default:
		c_touch(&t->rng, r->w1, l1);
		c_touch(&t->rng, r->w2, l2);
		ret = 0;
		break;
	}
	mft_wait_for(&r->done, g);
	if (hold)
		mft_wait_for(&r->hold_done, g);
	__atomic_add_fetch(&c_res->races, 1, __ATOMIC_RELAXED);
	if (!ret)
		__atomic_add_fetch(&c_res->race_ok, 1, __ATOMIC_RELAXED);
	/* no page written through a private window is in the object */
	for (i = 0; i < nd; i++) {
		if (mfo_read(t->fd, mo, dl[i].off, 8, &w[0]) ||
		    mfo_read(t->fd, mo, dl[i].off + page - 8, 8, &w[1]))
			continue;
		__atomic_add_fetch(&c_res->priv_checks, 1, __ATOMIC_RELAXED);
		if (w[0] == dl[i].v && w[1] == dl[i].v)
			c_bad("%s racing %s (%s, %ld spins%s): the page at %#llx written through a MAP_PRIVATE mapping is in object %s (%s, %llu bytes; W1 [%#llx, +%#zx) W2 [%#llx, +%#zx))",
			      cc_name[r->call], cs_name[r->surg],
			      ret ? "failed" : "succeeded", r->spins,
			      hold ? ", mmap_lock held first" : "",
			      (unsigned long long)dl[i].off, st->id,
			      st->type == MF_OBJ_SHARED_RO ? "published" : "private",
			      (unsigned long long)st->bytes, (unsigned long long)a1,
			      l1, (unsigned long long)a2, l2);
	}
out:
	mmap(r->resv, CR_RESV, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	return again;
}

/* ---- the parent's content checks -------------------------------------------- */

/*
 * Between kills the parent looks up every id of the namespace; each
 * published object it has not seen gets a checksum of its contents (read
 * at once: published means nobody may change it) and a sentinel, an
 * object derived from it into CSENT, whose secId no worker knows.  It
 * keeps a handle on both (its own open file), checks two of them after
 * every kill and all of them at the end: a published object or a
 * sentinel whose bytes changed is a kernel bug.
 */
#define CSENT		"t_conc_sent"
#define CSENTSEC	"conc-sentinel-secret"
#define CMAXPUB		32
#define CPUB_MAX	(8UL << 20)

struct cpub {
	uint64_t mo, sent, bytes, sum;
	char id[16];
	char sid[24];
};

static struct cpub cpubs[CMAXPUB];
static int ncpub, cpub_next;
static unsigned long cpub_checks, csent_checks, cpub_unread, cpub_bad;
static char cpub_first[320];
static long long cpub_first_ms = -1;

static int c_sum(int fd, uint64_t mo, uint64_t bytes, uint64_t *sum)
{
	unsigned char *b = malloc(bytes ? bytes : 1);
	int ret = -1;

	if (b && !mfo_read(fd, mo, 0, bytes, b)) {
		uint64_t h = FNV0, w;
		size_t i;

		/* FNV-1a over 64-bit words, then the tail: fast under TCG */
		for (i = 0; i + 8 <= bytes; i += 8) {
			memcpy(&w, b + i, 8);
			h = (h ^ w) * 0x100000001b3ULL;
		}
		*sum = fnv(b + i, bytes - i, h);
		ret = 0;
	}
	free(b);
	return ret;
}

static void cpub_fail(const char *fmt, ...)
{
	va_list ap;

	if (!cpub_bad++) {
		cpub_first_ms = mft_ms() - c_t0;
		va_start(ap, fmt);
		vsnprintf(cpub_first, sizeof(cpub_first), fmt, ap);
		va_end(ap);
	}
}

static void cpub_check(int fd, const struct cpub *p)
{
	struct mf_obj_stat st;
	uint64_t sum;

	if (mfo_stat_obj(fd, p->mo, &st) || c_sum(fd, p->mo, p->bytes, &sum)) {
		cpub_unread++;
	} else {
		cpub_checks++;
		if (st.type != MF_OBJ_SHARED_RO || st.bytes != p->bytes || sum != p->sum)
			cpub_fail("published object %s (%llu bytes) changed: type %u, %llu bytes, checksum %#llx, was %#llx",
				  p->id, (unsigned long long)p->bytes, st.type,
				  (unsigned long long)st.bytes,
				  (unsigned long long)sum, (unsigned long long)p->sum);
	}
	if (!p->sent)
		return;
	if (mfo_stat_obj(fd, p->sent, &st) || c_sum(fd, p->sent, p->bytes, &sum)) {
		cpub_unread++;
	} else {
		csent_checks++;
		if (st.bytes != p->bytes || sum != p->sum)
			cpub_fail("%s, derived from published %s and never written, changed: checksum %#llx, was %#llx",
				  p->sid, p->id, (unsigned long long)sum,
				  (unsigned long long)p->sum);
	}
}

static void cpub_scan(int fd)
{
	struct mf_obj_get g;
	struct cpub *p;
	uint64_t mo;
	char id[16];
	int i, j, known;

	for (i = 0; i < NIDS && ncpub < CMAXPUB; i++) {
		snprintf(id, sizeof(id), "c%03d", i);
		if (mfo_get(fd, CNS, CSEC, id, &mo, &g))
			continue;
		for (known = 0, j = 0; j < ncpub; j++)
			known |= cpubs[j].mo == mo;
		if (known || g.type != MF_OBJ_SHARED_RO || g.bytes > CPUB_MAX) {
			mfo_put(fd, mo);
			continue;
		}
		p = &cpubs[ncpub];
		memset(p, 0, sizeof(*p));
		p->mo = mo;
		p->bytes = g.bytes;
		snprintf(p->id, sizeof(p->id), "%s", id);
		if (c_sum(fd, mo, g.bytes, &p->sum)) {
			mfo_put(fd, mo);
			continue;
		}
		snprintf(p->sid, sizeof(p->sid), "s%d", ncpub);
		if (mfo_derive(fd, mo, CSENT, CSENTSEC, p->sid, &p->sent))
			p->sent = 0;
		ncpub++;
	}
}

static void cpub_verify(int fd, int all)
{
	int i;

	if (all)
		for (i = 0; i < ncpub; i++)
			cpub_check(fd, &cpubs[i]);
	else
		for (i = 0; i < 2 && ncpub; i++)
			cpub_check(fd, &cpubs[cpub_next++ % ncpub]);
}

static void *w_main(void *arg)
{
	struct wthread *t = arg;
	unsigned char buf[65536];
	char id[16], id2[16];
	struct mf_obj_stat st;
	uint64_t mo, len;
	unsigned char *p;
	struct crace *race = c_race_init(t->rng ^ 0x5bd1e995);
	int i;

	memset(buf, 0x3c, sizeof(buf));
	for (;;) {
		snprintf(id, sizeof(id), "c%03u", (unsigned)(mft_xorshift(&t->rng) % NIDS));
		snprintf(id2, sizeof(id2), "c%03u", (unsigned)(mft_xorshift(&t->rng) % NIDS));
		switch (mft_xorshift(&t->rng) % 16) {
		case 0:
		case 1:
			len = mft_xorshift(&t->rng) % 8 ? 1 + mft_xorshift(&t->rng) % (256 << 10) :
						(2 << 20) + mft_xorshift(&t->rng) % (2 << 20);
			if (!mfo_alloc(t->fd, CNS, CSEC, id, len, &mo, NULL)) {
				mfo_write(t->fd, mo, 0, len < sizeof(buf) ? len : sizeof(buf), buf);
				w_hold(t, mo);
			}
			break;
		case 2:
		case 3:
			if (!mfo_get(t->fd, CNS, CSEC, id, &mo, NULL))
				w_hold(t, mo);
			break;
		case 4:
			if (t->nheld) {
				i = (int)(mft_xorshift(&t->rng) % t->nheld);
				mfo_put(t->fd, t->held[i]);
				t->held[i] = t->held[--t->nheld];
			}
			break;
		case 5:
			mfo_free(t->fd, CNS, CSEC, id);
			break;
		case 6:
			mfo_publish(t->fd, CNS, CSEC, id);
			break;
		case 7:
			if (!mfo_derive(t->fd, w_any(t), CNS, CSEC, id2, &mo))
				w_hold(t, mo);
			break;
		case 8:
			mfo_write(t->fd, w_any(t), mft_xorshift(&t->rng) % 8192, 4096, buf);
			break;
		case 9:
			mfo_read(t->fd, w_any(t), 0, 4096, buf);
			break;
		case 10:
		case 11: {	/* map, fault, maybe commit, unmap */
			int shared = mft_xorshift(&t->rng) & 1;
			int prot = PROT_READ | (mft_xorshift(&t->rng) % 3 ? PROT_WRITE : 0);

			mo = w_any(t);
			if (mfo_stat_obj(t->fd, mo, &st) || !st.bytes)
				break;
			len = (st.bytes + page - 1) & ~(page - 1);
			if (len > (4 << 20))
				len = 4 << 20;
			p = mfo_map(t->fd, mo, 0, len, prot,
				    shared ? MAP_SHARED : MAP_PRIVATE, NULL);
			if (p == MAP_FAILED)
				break;
			w_touch(t, p, len, prot & PROT_WRITE);
			if (!shared && (prot & PROT_WRITE) && mft_xorshift(&t->rng) % 3 == 0) {
				struct mf_obj_commit c;

				if (!mfo_commit(t->fd, p, len, CNS, CSEC, id2,
						mft_xorshift(&t->rng) & 1 ? MF_COMMIT_PUBLISH : 0, &c))
					w_hold(t, c.map_offset);
			}
			if (mft_xorshift(&t->rng) % 4 == 0)
				mprotect(p, len, PROT_READ | PROT_WRITE);
			if (mft_xorshift(&t->rng) % 4 == 0)
				usleep(mft_xorshift(&t->rng) % 20000);
			w_touch(t, p, len, 0);
			munmap(p, len);
			break;
		}
		case 12:
			mo = w_any(t);
			if (!mfo_stat_obj(t->fd, mo, &st))
				mfo_expand(t->fd, mo, st.bytes + 1 + mft_xorshift(&t->rng) % 65536);
			break;
		case 14:
		case 15:
			w_race(t, race, id2, buf);
			break;
		default: {
			struct mf_ns_destroy d;

			/* names the namespace; never destroys it (anchor) */
			mfo_ns_destroy(t->fd, mfo_pool, CNS, CSEC, 0, &d);
			break;
		}
		}
	}
	return NULL;
}

static void worker(int fd, int nobody, uint64_t seed)
{
	struct wthread th[8];
	pthread_t tid[8];
	struct sigaction sa;
	int i;

	if (nobody && (setgroups(0, NULL) ||
		       setresgid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY) ||
		       setresuid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY)))
		_exit(2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = w_sig;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < c_threads; i++) {
		memset(&th[i], 0, sizeof(th[i]));
		th[i].fd = fd;
		th[i].rng = (seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1)) | 1;
		pthread_create(&tid[i], NULL, w_main, &th[i]);
	}
	for (;;)
		pause();
}

static pid_t spawn(int idx, uint64_t seed)
{
	int fd = mfp_open();
	pid_t pid = fork();

	if (pid == 0)
		worker(fd, idx & 1, seed);
	close(fd);
	return pid;
}

static int conc_main(void)
{
	pid_t pids[16];
	struct mfo_snap before;
	struct mf_ns_destroy d;
	struct mf_pool_check chk;
	struct mf_obj_stat st;
	uint64_t rng = c_seed | 1, mo;
	long long end, kills = 0;
	int fd, cfd, i, found = 0, exact = 0, mapped_ok = 0;
	char id[16], what[200];
	const char *leak[] = { "handles", "refs", "mappings", "files" };
	long long base[4];

	fd = mfp_open();
	mfo_setup_pool(fd);
	mfo_snapshot(&before);
	mfo_ns_destroy(fd, mfo_pool, CNS, CSEC, MF_NS_FORCE, NULL);
	MFT_OK(mfo_ns_create(fd, mfo_pool, CNS, CSEC, 0, 0), "create " CNS);
	/*
	 * An object no worker frees, so that the workers' destroy without
	 * MF_NS_FORCE always meets a namespace that holds objects (EBUSY).
	 */
	MFT_OK(mfo_alloc(fd, CNS, CSEC, "anchor", 4096, NULL, NULL),
	       "allocate the namespace's anchor object");
	mfo_ns_destroy(fd, mfo_pool, CSENT, CSENTSEC, MF_NS_FORCE, NULL);
	MFT_OK(mfo_ns_create(fd, mfo_pool, CSENT, CSENTSEC, 0, 0),
	       "create " CSENT " for the sentinels");
	close(fd);
	for (i = 0; i < 4; i++)
		base[i] = mfo_stat(leak[i]);
	c_res = mmap(NULL, sizeof(*c_res), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c_res == MAP_FAILED)
		return 2;
	memset(c_res, 0, sizeof(*c_res));
	c_t0 = mft_ms();
	cfd = mfp_open();	/* the checker's own open file */

	printf("t_conc: seed %llu, %d processes x %d threads, %d s\n",
	       (unsigned long long)c_seed, c_procs, c_threads, c_secs);
	for (i = 0; i < c_procs; i++)
		pids[i] = spawn(i, mft_xorshift(&rng));
	end = mft_ms() + c_secs * 1000LL;
	while (mft_ms() < end) {
		usleep(100000 + mft_xorshift(&rng) % 1400000);
		i = (int)(mft_xorshift(&rng) % c_procs);
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
		kills++;
		pids[i] = spawn(i, mft_xorshift(&rng));
		cpub_scan(cfd);
		cpub_verify(cfd, 0);
	}
	for (i = 0; i < c_procs; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	/* Content: every published object seen, its sentinel; the races. */
	cpub_scan(cfd);
	cpub_verify(cfd, 1);
	printf("t_conc: %lu races (%lu calls succeeded), %lu private pages checked; %d published objects recorded, %lu + %lu checksum checks (%lu unreadable)\n",
	       c_res->races, c_res->race_ok, c_res->priv_checks, ncpub,
	       cpub_checks, csent_checks, cpub_unread);
	snprintf(what, sizeof(what),
		 "%lu races of address-space surgery against the calls ran",
		 c_res->races);
	MFT_CHECK(c_res->races > 0, what);
	snprintf(what, sizeof(what),
		 "no page written through a MAP_PRIVATE mapping reached its object (%lu checked)",
		 c_res->priv_checks);
	mft_report(!c_res->bad, what, "%lu times; the first after %lld ms: %s",
		   c_res->bad, c_res->first_ms, c_res->first);
	snprintf(what, sizeof(what),
		 "every published object (%d) and its sentinel kept its checksum (%lu + %lu checks)",
		 ncpub, cpub_checks, csent_checks);
	mft_report(!cpub_bad, what, "%lu changes; the first after %lld ms: %s",
		   cpub_bad, cpub_first_ms, cpub_first);
	close(cfd);
	fd = mfp_open();
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, CSENT, CSENTSEC, MF_NS_FORCE, NULL),
	       "destroy " CSENT);
	close(fd);
	snprintf(what, sizeof(what), "%d s of %d workers, %lld of them killed with SIGKILL",
		 c_secs, c_procs, kills);
	MFT_CHECK(kills > 0, what);

	/* No open file, no mapping: no handle, reference or mapping left. */
	for (i = 0; i < 40; i++) {
		int j, same = 1;

		for (j = 0; j < 4; j++)
			same &= mfo_stat(leak[j]) == base[j];
		if (same)
			break;
		usleep(50000);
	}
	for (i = 0; i < 4; i++) {
		snprintf(what, sizeof(what), "workers gone: stats/%s is back to %lld",
			 leak[i], base[i]);
		mft_report(mfo_stat(leak[i]) == base[i], what, "it is %lld",
			   mfo_stat(leak[i]));
	}

	/* Exact references on every surviving object. */
	fd = mfp_open();
	for (i = 0; i < NIDS; i++) {
		unsigned char *p;

		snprintf(id, sizeof(id), "c%03d", i);
		if (mfo_get(fd, CNS, CSEC, id, &mo, NULL))
			continue;
		found++;
		if (mfo_stat_obj(fd, mo, &st) || st.refs != 1 || st.map_count)
			continue;
		p = mfo_map(fd, mo, 0, page, PROT_READ, MAP_SHARED, NULL);
		if (p != MAP_FAILED) {
			(void)*(volatile unsigned char *)p;
			if (!mfo_stat_obj(fd, mo, &st) && st.refs == 2 && st.map_count == 1)
				mapped_ok++;
			munmap(p, page);
		}
		if (mfo_stat_obj(fd, mo, &st) || st.refs != 1 || st.map_count)
			continue;
		if (mfo_put(fd, mo) || !mfo_stat_obj(fd, mo, &st))
			continue;
		exact++;
	}
	snprintf(what, sizeof(what),
		 "every surviving object (%d) has exactly 1 reference after GET, 2 while mapped, none after munmap + PUT",
		 found);
	mft_report(exact == found && mapped_ok == found, what,
		   "%d exact, %d right while mapped", exact, mapped_ok);
	close(fd);

	fd = mfp_open();
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, CNS, CSEC, MF_NS_FORCE, &d),
	       "destroy " CNS " with MF_NS_FORCE");
	snprintf(what, sizeof(what),
		 "MF_NS_FORCE freed every object at once (%llu), none deferred",
		 (unsigned long long)d.freed);
	mft_report(d.deferred == 0 && d.freed >= (uint64_t)found, what,
		   "freed %llu, deferred %llu, found %d",
		   (unsigned long long)d.freed, (unsigned long long)d.deferred,
		   found);
	close(fd);
	fd = mfp_open();
	mfo_check_snapshot(&before, "t_conc");
	mft_report(!mfp_check(fd, mfo_pool, &chk) && !chk.errors,
		   "pool check is clean after the workers", "%llu errors: %s",
		   (unsigned long long)chk.errors, chk.what);
	mfo_teardown_pool(fd);
	close(fd);
	return mft_done();
}

/* ---- the crash workload and its verifier ---------------------------------------- */

#define KNS	"crash"
#define KSEC	"crash-secret"
#define KMAX	16384

/* An object as the log knows it. */
struct kobj {
	char id[24];
	uint64_t size;
	uint64_t csum;
	int state;	/* see K_* */
	int pub;	/* 0, 1, or 2 = publish in flight */
	int patching;	/* a patch in flight: any contents */
	uint64_t src_csum;	/* a derive in flight: the source's */
};

enum { K_NONE, K_INTENT, K_RETURNED, K_LIVE, K_FREEING, K_FREED };

static struct kobj kobjs[KMAX];
static int nk;
static uint64_t kseq;

static struct kobj *kfind(const char *id, int create)
{
	int i;

	for (i = 0; i < nk; i++)
		if (!strcmp(kobjs[i].id, id))
			return &kobjs[i];
	if (!create)
		return NULL;
	if (nk == KMAX) {
		/* Ids are never reused: a freed object's entry can go. */
		int j = 0;

		for (i = 0; i < nk; i++)
			if (kobjs[i].state != K_FREED && kobjs[i].state != K_NONE)
				kobjs[j++] = kobjs[i];
		nk = j;
		if (nk == KMAX) {
			printf("FAIL: t_conc: more than %d objects in the log\n", KMAX);
			exit(2);
		}
	}
	memset(&kobjs[nk], 0, sizeof(kobjs[nk]));
	snprintf(kobjs[nk].id, sizeof(kobjs[nk].id), "%s", id);
	return &kobjs[nk++];
}

/*
 * Records: "S seq" | "I A id size" | "R A id" | "C A id size csum" |
 * "I D id size csum" | "C D id size csum" | "I P id csum" | "C P id csum" |
 * "I U id" | "C U id" | "I F id" | "C F id" | "L id size csum pub" (the
 * verifier's rewrite).  A torn last line does not parse and is ignored.
 */
static void kparse(const char *path)
{
	char line[256], op[4], kind[4], id[64];
	unsigned long long a, b, c;
	struct kobj *o;
	FILE *f = fopen(path, "r");
	int n;

	nk = 0;
	kseq = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n'))
			break;			/* torn */
		a = b = c = 0;
		if (sscanf(line, "S %llu", &a) == 1) {
			kseq = a;
			continue;
		}
		if (sscanf(line, "L %63s %llu %llu %llu", id, &a, &b, &c) == 4) {
			o = kfind(id, 1);
			if (o) {
				o->state = K_LIVE;
				o->size = a;
				o->csum = b;
				o->pub = (int)c;
			}
			continue;
		}
		n = sscanf(line, "%3s %3s %63s %llu %llu", op, kind, id, &a, &b);
		if (n < 3)
			continue;
		o = kfind(id, 1);
		if (!o)
			continue;
		switch (kind[0]) {
		case 'A':
		case 'D':
			if (op[0] == 'I') {
				o->state = K_INTENT;
				o->size = a;
				o->src_csum = b;	/* D: the source's */
			} else if (op[0] == 'R') {
				o->state = K_RETURNED;
			} else {
				o->state = K_LIVE;
				o->size = a;
				o->csum = b;
			}
			break;
		case 'P':
			if (op[0] == 'I') {
				o->patching = 1;
			} else {
				o->patching = 0;
				o->csum = a;
			}
			break;
		case 'U':
			o->pub = op[0] == 'I' ? 2 : 1;
			break;
		case 'F':
			o->state = op[0] == 'I' ? K_FREEING : K_FREED;
			break;
		}
	}
	fclose(f);
}

static int klog_fd = -1;

static void klog(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (write(klog_fd, line, n) != n || fdatasync(klog_fd)) {
		perror("log");
		exit(3);
	}
}

static int kread(int fd, uint64_t mo, uint64_t size, unsigned char *buf,
		 uint64_t *csum)
{
	if (mfo_read(fd, mo, 0, size, buf))
		return -1;
	*csum = fnv(buf, size, FNV0);
	return 0;
}

#define KBUF (4 << 20)

static int crash_load(const char *path)
{
	unsigned char *buf = malloc(KBUF), *buf2 = malloc(KBUF);
	uint64_t rng, mo, csum, size, off, len;
	struct kobj *o, *s;
	char id[24];
	int fd, i, live;
	uint64_t bytes;

	if (!buf || !buf2)
		return 2;
	fd = mfp_open();
	kparse(path);
	rng = (kseq * 2654435761ULL + (uint64_t)time(NULL)) | 1;
	mfo_ns_create(fd, mfo_pool, KNS, KSEC, 0, 0);
	klog_fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (klog_fd < 0)
		return 2;
	printf("crash-load: %d objects from the log, seq %llu\n", nk,
	       (unsigned long long)kseq);
	fflush(stdout);
	for (;;) {
		live = 0;
		bytes = 0;
		for (i = 0; i < nk; i++) {
			if (kobjs[i].state == K_LIVE) {
				live++;
				bytes += kobjs[i].size;
			}
		}
		i = (int)(mft_xorshift(&rng) % 100);
		if (live && (i < 20 || live > 120 || bytes > (48 << 20))) {
			/* free */
			do {
				o = &kobjs[mft_xorshift(&rng) % nk];
			} while (o->state != K_LIVE);
			klog("I F %s\n", o->id);
			if (mfo_free(fd, KNS, KSEC, o->id)) {
				printf("FAIL: t_conc: crash-load: free %s: %s\n", o->id, strerror(errno));
				return 1;
			}
			o->state = K_FREED;
			klog("C F %s\n", o->id);
		} else if (live && i < 35) {
			/* derive */
			do {
				s = &kobjs[mft_xorshift(&rng) % nk];
			} while (s->state != K_LIVE);
			if (mfo_get(fd, KNS, KSEC, s->id, &mo, NULL))
				return 1;
			snprintf(id, sizeof(id), "k%llu", (unsigned long long)++kseq);
			klog("S %llu\n", (unsigned long long)kseq);
			o = kfind(id, 1);
			if (!o)
				return 2;
			klog("I D %s %llu %llu\n", id, (unsigned long long)s->size,
			     (unsigned long long)s->csum);
			o->state = K_INTENT;
			if (mfo_derive(fd, mo, KNS, KSEC, id, NULL)) {
				printf("FAIL: t_conc: crash-load: derive %s: %s\n", id, strerror(errno));
				return 1;
			}
			o->state = K_LIVE;
			o->size = s->size;
			o->csum = s->csum;
			klog("C D %s %llu %llu\n", id, (unsigned long long)o->size,
			     (unsigned long long)o->csum);
			mfo_put(fd, mo);
		} else if (live && i < 55) {
			/* patch a private object */
			do {
				o = &kobjs[mft_xorshift(&rng) % nk];
			} while (o->state != K_LIVE && mft_xorshift(&rng) % 64);
			if (o->state != K_LIVE || o->pub)
				continue;
			if (mfo_get(fd, KNS, KSEC, o->id, &mo, NULL) ||
			    kread(fd, mo, o->size, buf, &csum))
				return 1;
			if (csum != o->csum) {
				printf("FAIL: t_conc: crash-load: %s changed under the workload\n", o->id);
				return 1;
			}
			off = mft_xorshift(&rng) % o->size;
			len = 1 + mft_xorshift(&rng) % 8192;
			if (len > o->size - off)
				len = o->size - off;
			for (i = 0; i < (int)len; i++)
				buf[off + i] = (unsigned char)mft_xorshift(&rng);
			csum = fnv(buf, o->size, FNV0);
			klog("I P %s %llu\n", o->id, (unsigned long long)csum);
			if (mfo_write(fd, mo, off, len, buf + off))
				return 1;
			o->csum = csum;
			klog("C P %s %llu\n", o->id, (unsigned long long)csum);
			mfo_put(fd, mo);
		} else if (live && i < 65) {
			do {
				o = &kobjs[mft_xorshift(&rng) % nk];
			} while (o->state != K_LIVE && mft_xorshift(&rng) % 64);
			if (o->state != K_LIVE || o->pub)
				continue;
			klog("I U %s\n", o->id);
			if (mfo_publish(fd, KNS, KSEC, o->id))
				return 1;
			o->pub = 1;
			klog("C U %s\n", o->id);
		} else {
			/* alloc + write */
			size = mft_xorshift(&rng) % 10 ? 1 + mft_xorshift(&rng) % (256 << 10)
					     : 1 + mft_xorshift(&rng) % (4 << 20);
			snprintf(id, sizeof(id), "k%llu", (unsigned long long)++kseq);
			klog("S %llu\n", (unsigned long long)kseq);
			o = kfind(id, 1);
			if (!o)
				return 2;
			klog("I A %s %llu\n", id, (unsigned long long)size);
			o->state = K_INTENT;
			if (mfo_alloc(fd, KNS, KSEC, id, size, &mo, NULL)) {
				printf("FAIL: t_conc: crash-load: alloc %s: %s\n", id, strerror(errno));
				return 1;
			}
			klog("R A %s\n", id);
			mfo_pattern(buf, size, kseq, 0);
			if (mfo_write(fd, mo, 0, size, buf))
				return 1;
			o->state = K_LIVE;
			o->size = size;
			o->csum = fnv(buf, size, FNV0);
			klog("C A %s %llu %llu\n", id, (unsigned long long)size,
			     (unsigned long long)o->csum);
			mfo_put(fd, mo);
		}
		/* compact the table now and then */
		if (nk > KMAX - 8) {
			int j = 0;

			for (i = 0; i < nk; i++)
				if (kobjs[i].state == K_LIVE)
					kobjs[j++] = kobjs[i];
			nk = j;
		}
		(void)buf2;
	}
}

static int crash_verify(const char *path)
{
	unsigned char *buf = malloc(KBUF);
	struct mf_pool_check chk;
	struct mf_ns_info info[64];
	struct mf_ns_list l;
	struct mf_obj_get g;
	uint64_t csum, mo, expect = 0;
	char tmp[4096], what[200];
	int fd, i, ok, exists, bad = 0, inflight = 0, checked = 0;
	unsigned int j;
	FILE *f;

	if (!buf)
		return 2;
	fd = mfp_open();
	kparse(path);
	for (i = 0; i < nk; i++) {
		struct kobj *o = &kobjs[i];

		memset(&g, 0, sizeof(g));
		exists = !mfo_get(fd, KNS, KSEC, o->id, &mo, &g);
		ok = 1;
		switch (o->state) {
		case K_LIVE:
			checked++;
			ok = exists && g.bytes == o->size;
			if (ok && !kread(fd, mo, o->size, buf, &csum))
				ok = o->patching || csum == o->csum;
			else
				ok = 0;
			if (ok && o->pub != 2)
				ok = g.type == (o->pub ? MF_OBJ_SHARED_RO : MF_OBJ_PRIVATE_RW);
			if (ok && o->patching) {
				inflight++;
				o->csum = csum;		/* a torn write is allowed */
				o->patching = 0;
			}
			if (ok && o->pub == 2) {
				inflight++;
				o->pub = g.type == MF_OBJ_SHARED_RO;
			}
			if (!ok)
				printf("FAIL: t_conc: %s (logged complete: %llu bytes, csum %llx%s) %s\n",
				       o->id, (unsigned long long)o->size,
				       (unsigned long long)o->csum, o->pub ? ", published" : "",
				       exists ? "has other contents, size or type" : "is missing");
			break;
		case K_RETURNED:	/* alloc returned: it exists, contents open */
			inflight++;
			ok = exists && g.bytes == o->size;
			if (!ok)
				printf("FAIL: t_conc: %s (alloc returned, %llu bytes) %s\n",
				       o->id, (unsigned long long)o->size,
				       exists ? "has another size" : "is missing");
			if (exists)
				mfo_free(fd, KNS, KSEC, o->id);
			o->state = K_NONE;
			break;
		case K_INTENT:		/* in flight: may exist */
			inflight++;
			if (exists && o->src_csum && g.bytes == o->size &&
			    !kread(fd, mo, o->size, buf, &csum) && csum != o->src_csum) {
				ok = 0;
				printf("FAIL: t_conc: %s (derive in flight) exists with other contents than its source\n",
				       o->id);
			}
			if (exists)
				mfo_free(fd, KNS, KSEC, o->id);
			o->state = K_NONE;
			break;
		case K_FREEING:		/* in flight: may still exist, intact */
			inflight++;
			if (exists && (g.bytes != o->size ||
				       kread(fd, mo, o->size, buf, &csum) ||
				       (!o->patching && csum != o->csum))) {
				ok = 0;
				printf("FAIL: t_conc: %s (free in flight) exists with other contents\n", o->id);
			}
			if (exists)
				mfo_free(fd, KNS, KSEC, o->id);
			o->state = K_NONE;
			break;
		case K_FREED:
			if (exists) {
				ok = 0;
				printf("FAIL: t_conc: %s was freed (logged complete) but exists\n", o->id);
			}
			o->state = K_NONE;
			break;
		}
		if (exists)
			mfo_put(fd, mo);
		bad += !ok;
		if (o->state == K_LIVE)
			expect++;
	}
	snprintf(what, sizeof(what),
		 "every object logged complete is intact (%d checked, %d steps in flight)",
		 checked, inflight);
	mft_report(!bad, what, "%d wrong", bad);
	MFT_CHECK(inflight <= 1, "at most one step was in flight");

	/* Nothing else is in the namespace. */
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	mfo_str(l.pool, sizeof(l.pool), mfo_pool);
	l.namespaces = (uintptr_t)info;
	l.count = 64;
	l.entry_size = sizeof(info[0]);
	csum = ~0ULL;
	if (!ioctl(fd, MF_IOC_NS_LIST, &l))
		for (j = 0; j < l.count && j < 64; j++)
			if (!strcmp(info[j].name, KNS))
				csum = info[j].nr_objects;
	snprintf(what, sizeof(what), "namespace " KNS " holds exactly the %llu objects of the log",
		 (unsigned long long)expect);
	mft_report(csum == expect || (csum == ~0ULL && !expect), what,
		   "it holds %llu", (unsigned long long)csum);
	mft_report(!mfp_check(fd, mfo_pool, &chk) && !chk.errors,
		   "pool check is clean after the crash", "%llu errors: %s",
		   (unsigned long long)chk.errors, chk.what);

	/* Rewrite the log from what is there. */
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "S %llu\n", (unsigned long long)kseq);
		for (i = 0; i < nk; i++)
			if (kobjs[i].state == K_LIVE)
				fprintf(f, "L %s %llu %llu %d\n", kobjs[i].id,
					(unsigned long long)kobjs[i].size,
					(unsigned long long)kobjs[i].csum,
					kobjs[i].pub);
		fflush(f);
		fsync(fileno(f));
		fclose(f);
		rename(tmp, path);
	}
	printf("verified %d objects\n", checked);
	close(fd);
	return mft_done();
}

int main(int argc, char **argv)
{
	const char *env = getenv("MF_CONC_SECONDS");
	int opt;

	mft_init(argv[0]);
	page = sysconf(_SC_PAGESIZE);
	if (argc == 3 && !strcmp(argv[1], "crash-load"))
		return crash_load(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "crash-verify"))
		return crash_verify(argv[2]);
	c_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	if (env)
		c_secs = atoi(env);
	while ((opt = getopt(argc, argv, "t:p:j:s:")) != -1) {
		switch (opt) {
		case 't': c_secs = atoi(optarg); break;
		case 'p': c_procs = atoi(optarg); break;
		case 'j': c_threads = atoi(optarg); break;
		case 's': c_seed = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: t_conc [-t SECONDS] [-p PROCS] [-j THREADS] [-s SEED]\n"
				"       t_conc crash-load|crash-verify LOG\n");
			return 2;
		}
	}
	if (c_procs < 1 || c_procs > 16)
		c_procs = 4;
	if (c_threads < 1 || c_threads > 8)
		c_threads = 2;
	return conc_main();
}
