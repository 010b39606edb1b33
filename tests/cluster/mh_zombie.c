// SPDX-License-Identifier: GPL-2.0
/*
 * mh_zombie.c - host 1's side of tests/cluster/t_mh_zombie.sh and
 * t_mh_kill.sh: objects of a multi-host pool held across a pause of the
 * whole guest past its lease (a zombie), or across a kill.  Not a test by
 * itself: run without arguments (as the guest suite does), it skips.
 *
 *   mh_zombie zombie POOL NS SECID ID SIZE STATS CMD
 *	BM_GetSec of the object another host published (ID, SIZE bytes of
 *	the pattern of mh_obj.c), a read-only MAP_SHARED mapping of it read
 *	whole; a private object of this host (ID-priv) written through a
 *	read-write shared mapping.  Then CMD runs (sh -c; it pauses this
 *	guest past its lease and returns once it runs again), and the tool
 *	waits until the pool's STATS (mh_stats) say that the mappings were
 *	revoked.  Then:
 *	- a touch of either old mapping, and a write to the private one,
 *	  get SIGBUS;
 *	- BM_ReadSec of either old handle, and BM_WriteSec (of the other
 *	  host's object and of its own), BM_PublishSec of its own, and new
 *	  mappings of the old handles are refused with -ESTALE;
 *	- the old mappings are unmapped, the private object freed and the
 *	  old handle put cleanly;
 *	- a fresh BM_GetSec works within 20 s (the host rejoined by
 *	  itself), and BM_ReadSec and a new mapping see every byte; it is
 *	  put.
 *   mh_zombie hold POOL NS SECID ID SIZE CMD
 *	BM_GetSec and a read-only mapping of the other host's object, a
 *	private object written through a read-write mapping, then CMD (it
 *	kills this guest: nothing after it runs).
 *
 * Prints PASS:/FAIL: lines; exits 0 if all passed, 1 if not, 77 if run
 * without a command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mh_common.h"

static sigjmp_buf jb;
static volatile sig_atomic_t got_sig;

static void on_sig(int sig)
{
	got_sig = sig;
	siglongjmp(jb, 1);
}

/* Touch @p (a write if @write); the signal it got, or 0. */
static int touch(volatile unsigned char *p, int write)
{
	struct sigaction sa, obus, osegv;
	unsigned char v;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	got_sig = 0;
	if (!sigsetjmp(jb, 1)) {
		if (write)
			p[0] = 0x5a;
		else
			v = p[0];
		(void)v;
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return got_sig;
}

/* The other host's object and a private one of ours, both mapped. */
struct held {
	BmInfo b, priv;
	unsigned char *p, *pp;
	size_t psize;
};

static int hold(char **a, size_t size, struct held *h)
{
	char pid[64];
	int ret;

	snprintf(pid, sizeof(pid), "%s-priv", a[3]);
	h->b = mh_info(a, NULL, NULL);
	h->priv = mh_info(a, NULL, pid);
	h->psize = 2 * 1024 * 1024;
	ret = BM_GetSec(&h->b, 0);
	check(!ret && h->b.size == size, "BM_GetSec of the other host's object",
	      ret);
	if (ret)
		return ret;
	ret = BM_MapSec(&h->b, PROT_READ, BM_MAP_SHARED, (void **)&h->p);
	check(!ret && h->p, "BM_MapSec read-only, shared", ret);
	if (ret)
		return ret;
	check(mh_bad_byte(h->p, size) < 0, "the mapping sees every byte",
	      mh_bad_byte(h->p, size));
	ret = BM_CreateNSSec(a[0], a[1], 0, a[2]);
	check(!ret || ret == -EEXIST, "BM_CreateNSSec (this host's view)", ret);
	ret = BM_AllocSec(&h->priv, h->psize, 0, NULL);
	check(!ret, "BM_AllocSec of a private object", ret);
	if (ret)
		return ret;
	ret = BM_MapSec(&h->priv, PROT_READ | PROT_WRITE, BM_MAP_SHARED,
			(void **)&h->pp);
	check(!ret && h->pp, "BM_MapSec of it read-write, shared", ret);
	if (ret)
		return ret;
	memset(h->pp, 0xa5, h->psize);
	check(h->pp[h->psize - 1] == 0xa5, "written through the mapping", 0);
	return 0;
}

static int run_cmd(const char *c)
{
	int ret;

	printf("mh_zombie %s: running: %s\n", mh_cmd, c);
	fflush(stdout);
	ret = system(c);
	check(ret == 0, "the command ran", ret);
	return ret;
}

static int do_zombie(char **a, size_t size, const char *stats, const char *c)
{
	unsigned char *buf = calloc(1, size), *np = NULL, *q = NULL;
	long revoked, given_up;
	struct held h;
	int ret, i, sig;

	if (!buf || hold(a, size, &h))
		return 1;
	revoked = mh_stat(stats, "revoked");
	given_up = mh_stat(stats, "given_up");
	check(revoked == 0 && given_up == 0, "not given up before the pause",
	      given_up);
	if (run_cmd(c))
		return 1;
	/* The worker learns it at its next heartbeat, then revokes. */
	for (i = 0; i < 200 && mh_stat(stats, "revoked") <= revoked; i++)
		usleep(100000);
	check(mh_stat(stats, "given_up") == given_up + 1,
	      "the host learnt that the manager gave it up",
	      mh_stat(stats, "given_up"));
	check(mh_stat(stats, "revoked") == revoked + 1,
	      "its mappings of the pool were revoked",
	      mh_stat(stats, "revoked"));

	sig = touch(h.p, 0);
	check(sig == SIGBUS, "a read through the old mapping gets SIGBUS", sig);
	sig = touch(h.pp, 0);
	check(sig == SIGBUS, "a read through its own old mapping gets SIGBUS",
	      sig);
	sig = touch(h.pp, 1);
	check(sig == SIGBUS, "a write through its own old mapping gets SIGBUS",
	      sig);
	ret = BM_ReadSec(&h.b, 0, size, buf, 0);
	check(ret == -ESTALE, "BM_ReadSec of the old handle: -ESTALE", ret);
	ret = BM_ReadSec(&h.priv, 0, 64, buf, 0);
	check(ret == -ESTALE, "BM_ReadSec of its own old object: -ESTALE", ret);
	/* The security question: a zombie writes nothing of the pool. */
	ret = BM_WriteSec(&h.b, 0, 64, buf, 0);
	check(ret == -ESTALE || ret == -EACCES,
	      "BM_WriteSec of the other host's published object is refused",
	      ret);
	ret = BM_WriteSec(&h.priv, 0, 64, buf, 0);
	check(ret == -ESTALE, "BM_WriteSec of its own old object: -ESTALE",
	      ret);
	ret = BM_MapSec(&h.priv, PROT_READ | PROT_WRITE, BM_MAP_SHARED,
			(void **)&q);
	check(ret == -ESTALE, "a new read-write mapping of its old object: -ESTALE",
	      ret);
	ret = BM_MapSec(&h.b, PROT_READ, BM_MAP_SHARED, (void **)&q);
	check(ret == -ESTALE, "a new mapping of the old handle: -ESTALE", ret);
	check(BM_Unmap(h.b.bmId, h.p) == 0, "BM_Unmap of the old mapping", 0);
	check(BM_Unmap(h.priv.bmId, h.pp) == 0,
	      "BM_Unmap of its own old mapping", 0);
	/* Once no writable mapping is left: the epoch is what refuses it. */
	ret = BM_PublishSec(&h.priv, 0);
	check(ret == -ESTALE, "BM_PublishSec of its own old object: -ESTALE",
	      ret);
	ret = BM_FreeSec(&h.priv, 0);
	check(!ret, "BM_FreeSec of its own old object", ret);

	/* It rejoined by itself: a fresh get works. */
	for (i = 0; i < 200; i++) {
		ret = BM_GetSec(&h.b, 0);
		if (ret != -EAGAIN && ret != -ESTALE)
			break;
		usleep(100000);
	}
	check(!ret, "a fresh BM_GetSec works within 20 s (rejoined)", ret);
	printf("mh_zombie %s: fresh get after %d.%d s\n", mh_cmd, i / 10, i % 10);
	check(mh_stat(stats, "epoch") > 0, "joined under a new epoch",
	      mh_stat(stats, "epoch"));
	memset(buf, 0, size);
	ret = BM_ReadSec(&h.b, 0, size, buf, 0);
	check(!ret && mh_bad_byte(buf, size) < 0,
	      "BM_ReadSec of the fresh handle reads every byte",
	      ret ? ret : mh_bad_byte(buf, size));
	ret = BM_MapSec(&h.b, PROT_READ, BM_MAP_SHARED, (void **)&np);
	check(!ret && np && mh_bad_byte(np, size) < 0,
	      "a new mapping sees every byte", ret);
	if (!ret && np)
		check(BM_Unmap(h.b.bmId, np) == 0, "BM_Unmap", 0);
	ret = BM_PutSec(&h.b, 0);
	check(!ret, "BM_PutSec of the fresh handle", ret);
	ret = BM_PutSec(&h.b, 0);
	check(ret == -ENOENT, "no reference is left", ret);
	free(buf);
	return 0;
}

static int do_hold(char **a, size_t size, const char *c)
{
	struct held h;

	if (hold(a, size, &h))
		return 1;
	run_cmd(c);
	/* Killed: not reached. */
	return 0;
}

static int run(int argc, char **argv)
{
	const char *cmd = argv[1];

	if (!strcmp(cmd, "zombie") && argc == 9)
		do_zombie(argv + 2, strtoull(argv[6], NULL, 0), argv[7], argv[8]);
	else if (!strcmp(cmd, "hold") && argc == 8)
		do_hold(argv + 2, strtoull(argv[6], NULL, 0), argv[7]);
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	return mh_main(argc, argv, "mh_zombie", 2, run);
}
