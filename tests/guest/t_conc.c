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
 *	on a small set of ids so that they collide.  Each worker has its own
 *	open file, shared by its threads.  Meanwhile the parent kills a random
 *	worker with SIGKILL every 0.1 to 1.5 s and starts a new one.  At the
 *	end every worker is killed, and then: the handle, reference and
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
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define CNS	"t_conc"
#define CSEC	"conc-secret"
#define NIDS	96

static long page;
static int c_secs = 40, c_procs = 4, c_threads = 2;
static uint64_t c_seed;

static uint64_t xs(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

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
		off = xs(&t->rng) % len;
		if (wr)
			p[off] = (unsigned char)off;
		else
			(void)*(volatile unsigned char *)(p + off);
	}
	w_touching = 0;
}

static uint64_t w_any(struct wthread *t)
{
	return t->nheld ? t->held[xs(&t->rng) % t->nheld] : 1ULL << 40;
}

static void w_hold(struct wthread *t, uint64_t mo)
{
	if (t->nheld < 32)
		t->held[t->nheld++] = mo;
	else
		t->held[xs(&t->rng) % 32] = mo;
}

static void *w_main(void *arg)
{
	struct wthread *t = arg;
	unsigned char buf[65536];
	char id[16], id2[16];
	struct mf_obj_stat st;
	uint64_t mo, len;
	unsigned char *p;
	int i;

	memset(buf, 0x3c, sizeof(buf));
	for (;;) {
		snprintf(id, sizeof(id), "c%03u", (unsigned)(xs(&t->rng) % NIDS));
		snprintf(id2, sizeof(id2), "c%03u", (unsigned)(xs(&t->rng) % NIDS));
		switch (xs(&t->rng) % 14) {
		case 0:
		case 1:
			len = xs(&t->rng) % 8 ? 1 + xs(&t->rng) % (256 << 10) :
						(2 << 20) + xs(&t->rng) % (2 << 20);
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
				i = (int)(xs(&t->rng) % t->nheld);
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
			mfo_write(t->fd, w_any(t), xs(&t->rng) % 8192, 4096, buf);
			break;
		case 9:
			mfo_read(t->fd, w_any(t), 0, 4096, buf);
			break;
		case 10:
		case 11: {	/* map, fault, maybe commit, unmap */
			int shared = xs(&t->rng) & 1;
			int prot = PROT_READ | (xs(&t->rng) % 3 ? PROT_WRITE : 0);

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
			if (!shared && (prot & PROT_WRITE) && xs(&t->rng) % 3 == 0) {
				struct mf_obj_commit c;

				if (!mfo_commit(t->fd, p, len, CNS, CSEC, id2,
						xs(&t->rng) & 1 ? MF_COMMIT_PUBLISH : 0, &c))
					w_hold(t, c.map_offset);
			}
			if (xs(&t->rng) % 4 == 0)
				mprotect(p, len, PROT_READ | PROT_WRITE);
			if (xs(&t->rng) % 4 == 0)
				usleep(xs(&t->rng) % 20000);
			w_touch(t, p, len, 0);
			munmap(p, len);
			break;
		}
		case 12:
			mo = w_any(t);
			if (!mfo_stat_obj(t->fd, mo, &st))
				mfo_expand(t->fd, mo, st.bytes + 1 + xs(&t->rng) % 65536);
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

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
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
	int fd, i, found = 0, exact = 0, mapped_ok = 0;
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
	close(fd);
	for (i = 0; i < 4; i++)
		base[i] = mfo_stat(leak[i]);

	printf("t_conc: seed %llu, %d processes x %d threads, %d s\n",
	       (unsigned long long)c_seed, c_procs, c_threads, c_secs);
	for (i = 0; i < c_procs; i++)
		pids[i] = spawn(i, xs(&rng));
	end = now_ms() + c_secs * 1000LL;
	while (now_ms() < end) {
		usleep(100000 + xs(&rng) % 1400000);
		i = (int)(xs(&rng) % c_procs);
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
		kills++;
		pids[i] = spawn(i, xs(&rng));
	}
	for (i = 0; i < c_procs; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
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
		i = (int)(xs(&rng) % 100);
		if (live && (i < 20 || live > 120 || bytes > (48 << 20))) {
			/* free */
			do {
				o = &kobjs[xs(&rng) % nk];
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
				s = &kobjs[xs(&rng) % nk];
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
				o = &kobjs[xs(&rng) % nk];
			} while (o->state != K_LIVE && xs(&rng) % 64);
			if (o->state != K_LIVE || o->pub)
				continue;
			if (mfo_get(fd, KNS, KSEC, o->id, &mo, NULL) ||
			    kread(fd, mo, o->size, buf, &csum))
				return 1;
			if (csum != o->csum) {
				printf("FAIL: t_conc: crash-load: %s changed under the workload\n", o->id);
				return 1;
			}
			off = xs(&rng) % o->size;
			len = 1 + xs(&rng) % 8192;
			if (len > o->size - off)
				len = o->size - off;
			for (i = 0; i < (int)len; i++)
				buf[off + i] = (unsigned char)xs(&rng);
			csum = fnv(buf, o->size, FNV0);
			klog("I P %s %llu\n", o->id, (unsigned long long)csum);
			if (mfo_write(fd, mo, off, len, buf + off))
				return 1;
			o->csum = csum;
			klog("C P %s %llu\n", o->id, (unsigned long long)csum);
			mfo_put(fd, mo);
		} else if (live && i < 65) {
			do {
				o = &kobjs[xs(&rng) % nk];
			} while (o->state != K_LIVE && xs(&rng) % 64);
			if (o->state != K_LIVE || o->pub)
				continue;
			klog("I U %s\n", o->id);
			if (mfo_publish(fd, KNS, KSEC, o->id))
				return 1;
			o->pub = 1;
			klog("C U %s\n", o->id);
		} else {
			/* alloc + write */
			size = xs(&rng) % 10 ? 1 + xs(&rng) % (256 << 10)
					     : 1 + xs(&rng) % (4 << 20);
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
