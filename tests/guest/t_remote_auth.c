// SPDX-License-Identifier: GPL-2.0
/*
 * t_remote_auth.c - the client side of tests/guest/t_remote_auth.sh
 * (issue 19, Documentation/remote.md "Authentication" and "Identities").
 * As root, in an mfvm guest, against mfserverd on n1 (10.77.0.1) whose
 * identity map has client alice as uid 1000 and bob as uid 1001.
 *
 *   t_remote_auth matrix ALICE.conf BOB.conf ALICE2.conf DEVGID
 *     alice (remote) makes a namespace and objects; each cell of the
 *     permission matrix (owner, other uid, wrong secId, no secId, on a
 *     private, a published and a freed object; GET, READ, WRITE, STAT,
 *     COPY, PUT, PUBLISH, FREE) is then done remotely, as alice or bob,
 *     and locally, by a process of uid 1000 or 1001 (groups: DEVGID, the
 *     device's); the results must be equal, and equal to what the matrix
 *     says, with the data read, written and copied checked.  The freed
 *     row is done on a handle the caller holds while alice frees the
 *     object.  Objects made remotely belong to the mapped uid.
 *   t_remote_auth denied CONF WHAT    a call is -EACCES (refused)
 *   t_remote_auth ok CONF WHAT        a call works
 *   t_remote_auth cleanup CONF        free what matrix made, destroy its ns
 * Prints PASS:/FAIL: lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mftest.h"
#include "mfremote.h"
#include <memfabric/bm.h>

#define NS "t_rauth"
#define SEC "rauth-secret"
#define WRONG "not-the-secret"

static BmInfo info(const char *pool, const char *id, const char *sec)
{
	return mfr_info(pool, NS, sec, id);
}

enum op { GET, READ, WRITE, STAT, PUBLISH, FREE, COPY, PUT };
static const char *const opnames[] = { "GET", "READ", "WRITE", "STAT",
				       "PUBLISH", "FREE", "COPY", "PUT" };

/* One cell: an operation on object @id with secId @sec, and the result
 * the matrix gives for the owner and for the other uid. */
struct cell {
	enum op op;
	const char *id;
	const char *sec;
	const char *what;
	int owner, other;
};

/* Non-destructive cells first; FREE and PUBLISH that succeed use
 * objects of their own (one for the remote, one for the local run). */
static const struct cell cells[] = {
	{ GET, "priv", SEC, "private GET", 0, -EACCES },
	{ READ, "priv", SEC, "private READ", 0, -EACCES },
	{ WRITE, "priv", SEC, "private WRITE", 0, -EACCES },
	{ STAT, "priv", SEC, "private STAT", 0, -EACCES },
	{ GET, "priv", WRONG, "private GET, wrong secId", -EACCES, -EACCES },
	{ READ, "priv", WRONG, "private READ, wrong secId", -EACCES, -EACCES },
	{ WRITE, "priv", WRONG, "private WRITE, wrong secId", -EACCES, -EACCES },
	{ GET, "priv", "", "private GET, no secId", -EINVAL, -EINVAL },
	{ FREE, "priv", WRONG, "private FREE, wrong secId", -EACCES, -EACCES },
	{ PUBLISH, "priv", WRONG, "private PUBLISH, wrong secId", -EACCES,
	  -EACCES },
	{ GET, "pub", SEC, "published GET", 0, 0 },
	{ READ, "pub", SEC, "published READ", 0, 0 },
	{ WRITE, "pub", SEC, "published WRITE", -EACCES, -EACCES },
	{ STAT, "pub", SEC, "published STAT", 0, 0 },
	{ PUBLISH, "pub", SEC, "published PUBLISH", -EALREADY, -EPERM },
	{ GET, "pub", WRONG, "published GET, wrong secId", -EACCES, -EACCES },
	{ GET, "gone", SEC, "freed GET", -ENOENT, -ENOENT },
	{ GET, "gone", WRONG, "freed GET, wrong secId", -EACCES, -EACCES },
	{ PUBLISH, "gone", SEC, "freed PUBLISH", -ENOENT, -ENOENT },
	{ FREE, "gone", SEC, "freed FREE", -ENOENT, -ENOENT },
	/* COPY from the object into an object of the caller's own
	 * ("acp-r/-l" alice's, "bcp-r/-l" bob's): its content checked. */
	{ COPY, "priv", SEC, "private COPY from it", 0, -EACCES },
	{ COPY, "pub", SEC, "published COPY from it", 0, 0 },
	/* GET (right secId), then PUT with the cell's secId: the other uid
	 * has no handle on a private object (its GET is refused). */
	{ PUT, "priv", SEC, "private GET+PUT", 0, -ENOENT },
	{ PUT, "priv", WRONG, "private PUT, wrong secId", -EACCES, -ENOENT },
	{ PUT, "pub", SEC, "published GET+PUT", 0, 0 },
	/* Other uid: refused, nothing changes (the owner's come below). */
	{ FREE, "priv", SEC, "private FREE", 0, -EPERM },
	{ PUBLISH, "priv", SEC, "private PUBLISH", 0, -EPERM },
	{ FREE, "pub", SEC, "published FREE", 0, -EPERM },
};
#define NCELLS (sizeof(cells) / sizeof(cells[0]))
/* The owner runs the cells before these on "priv"/"pub"; these three on
 * objects of their own: "<id>-<F|P>-r" remotely, "...-l" locally. */
#define NSAFE (NCELLS - 3)

/* What object @id holds at offset 0 (written by setup). */
static const char *data_of(const char *id)
{
	return strncmp(id, "pub", 3) ? "alice-pv" : "alice-pb";
}

/*
 * COPY 8 bytes from @src to the caller's own object @dst, then check the
 * content: what was copied on success, nothing of alice's on failure (the
 * destination held zeros or an earlier successful copy of another cell;
 * private cells come first).  The COPY's result, or -9996.
 */
static int copy_check(BmInfo *src, const char *pool, const char *dst_id,
		      const char *want)
{
	BmInfo d = info(pool, dst_id, SEC);
	char buf[8];
	int rc, rrc;

	rc = BM_CopySec(src, 0, &d, 0, 8, 0);
	memset(buf, 0, sizeof(buf));
	rrc = BM_ReadSec(&d, 0, 8, buf, 0);
	if (rrc)
		return -9996;
	if (!rc && memcmp(buf, want, 8))
		return -9996;
	if (rc && !memcmp(buf, "alice-pv", 8))
		return -9996;
	return rc;
}

static int do_op(const char *pool, const struct cell *c, const char *id,
		 int owner, char mode)
{
	BmInfo b = info(pool, id, c->sec);
	BmInfo g;
	char buf[16], dst[16];
	BmStat st;
	int rc;

	switch (c->op) {
	case GET:
		rc = BM_GetSec(&b, 0);
		if (!rc)
			BM_PutSec(&b, 0);
		return rc;
	case READ:
		memset(buf, 0, sizeof(buf));
		rc = BM_ReadSec(&b, 0, 8, buf, 0);
		/* What it read is the owner's data. */
		if (!rc && memcmp(buf, data_of(c->id), 8))
			return -9999;
		return rc;
	case WRITE:
		rc = BM_WriteSec(&b, 8, 4, owner ? "ok!!" : "bob!", 0);
		return rc;
	case STAT:
		rc = BM_StatSec(&b, &st);
		if (!rc && st.ownerUid != 1000)
			return -9998;
		return rc;
	case PUBLISH:
		return BM_PublishSec(&b, 0);
	case FREE:
		return BM_FreeSec(&b, 0);
	case COPY:
		snprintf(dst, sizeof(dst), "%ccp-%c", owner ? 'a' : 'b', mode);
		return copy_check(&b, pool, dst, data_of(c->id));
	case PUT:
		g = info(pool, id, SEC);
		if (BM_GetSec(&g, 0))
			return BM_PutSec(&b, 0);
		rc = BM_PutSec(&b, 0);
		if (rc)
			BM_PutSec(&g, 0);
		return rc;
	}
	return -9997;
}

/* Run the cells (all for the other uid, the safe ones, then the rest on
 * their own objects, for the owner) in a child: remotely with @conf, or
 * locally as @uid (groups: @devgid).  The results into @rcs. */
static int run_cells(const char *conf, uid_t uid, gid_t devgid, int owner,
		     int *rcs)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int out[NCELLS];
		const char *pool = conf ? "n1:pool0" : "pool0";
		char id[64];

		close(p[0]);
		if (!conf && (setgroups(1, &devgid) ||
			      setresgid(uid, uid, uid) ||
			      setresuid(uid, uid, uid)))
			_exit(2);
		int rc = BM_Init((char *)conf, 0);
		for (size_t i = 0; i < NCELLS; i++) {
			if (rc) {
				out[i] = -9000 + rc;
				continue;
			}
			snprintf(id, sizeof(id), "%s", cells[i].id);
			if (owner && i >= NSAFE)
				snprintf(id, sizeof(id), "%s-%c-%c",
					 cells[i].id, opnames[cells[i].op][0],
					 conf ? 'r' : 'l');
			out[i] = do_op(pool, &cells[i], id, owner,
				       conf ? 'r' : 'l');
		}
		if (!rc)
			BM_Exit();
		if (write(p[1], out, sizeof(out)) != (ssize_t)sizeof(out))
			_exit(3);
		_exit(0);
	}
	close(p[1]);
	ssize_t n = read(p[0], rcs, NCELLS * sizeof(int));
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	return n == (ssize_t)(NCELLS * sizeof(int)) ? 0 : -1;
}

/* In a child: BM_Init(@conf) and @fn(); its exit status is @fn's. */
static int in_child(const char *conf, int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int rc;

		mft_fail = 0; /* the parent's count is not the child's */
		rc = BM_Init((char *)conf, 0);
		if (!rc)
			rc = fn();
		BM_Exit();
		_exit(rc < 0 ? 1 : rc);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int setup(void)
{
	static const char *const mine[] = { "priv", "gone", "priv-F-r",
					    "priv-F-l", "priv-P-r", "priv-P-l",
					    "pub-F-r", "pub-F-l", "fro-r",
					    "fro-l", "fro-rs" };
	/* COPY destinations: zeros. */
	static const char *const dsts[] = { "acp-r", "acp-l", "afr-r",
					    "afr-l", "afr-s" };
	BmInfo b;

	BM_DestroyNSSec("n1:pool0", NS, SEC);
	MFT_RET(BM_CreateNSSec("n1:pool0", NS, 0, SEC), 0,
		"alice (remote) creates the namespace");
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++) {
		b = info("n1:pool0", mine[i], SEC);
		MFT_RET(BM_AllocSec(&b, 4096, 0, NULL), 0,
			"alice (remote) allocates an object");
		MFT_RET(BM_WriteSec(&b, 0, 8, "alice-pv", 0), 0,
			"alice (remote) writes her object");
		BM_PutSec(&b, 0);
	}
	b = info("n1:pool0", "pub", SEC);
	MFT_RET(BM_AllocSec(&b, 4096, 0, NULL), 0, "alice allocates pub");
	MFT_RET(BM_WriteSec(&b, 0, 8, "alice-pb", 0), 0, "alice writes pub");
	MFT_RET(BM_PublishSec(&b, 0), 0, "alice publishes pub");
	BM_PutSec(&b, 0);
	const char *pubs[] = { "pub-F-r", "pub-F-l" };
	for (int i = 0; i < 2; i++) {
		b = info("n1:pool0", pubs[i], SEC);
		MFT_RET(BM_PublishSec(&b, 0), 0, "alice publishes pub-F-r/-l");
	}
	for (size_t i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		b = info("n1:pool0", dsts[i], SEC);
		MFT_RET(BM_AllocSec(&b, 4096, 0, NULL), 0,
			"alice allocates a COPY destination");
		BM_PutSec(&b, 0);
	}
	/* Published, freed while bob holds them (freed_cells). */
	const char *pubfr[] = { "pubfr-r", "pubfr-l" };
	for (int i = 0; i < 2; i++) {
		b = info("n1:pool0", pubfr[i], SEC);
		MFT_RET(BM_AllocSec(&b, 4096, 0, NULL), 0,
			"alice allocates pubfr-r/-l");
		MFT_RET(BM_WriteSec(&b, 0, 8, "alice-pb", 0), 0,
			"alice writes pubfr-r/-l");
		MFT_RET(BM_PublishSec(&b, 0), 0, "alice publishes pubfr-r/-l");
		BM_PutSec(&b, 0);
	}
	b = info("n1:pool0", "gone", SEC);
	MFT_RET(BM_FreeSec(&b, 0), 0, "alice frees gone");
	return mft_fail;
}

/* Locally, as root: who owns what was made remotely. */
static int owners(void)
{
	BmInfo b = info("pool0", "priv", SEC);
	BmStat st;

	MFT_RET(BM_StatSec(&b, &st), 0, "local STAT of alice's object");
	MFT_CHECK(st.ownerUid == 1000,
		  "an object alice made remotely belongs to uid 1000");
	b = info("pool0", "bobs", SEC);
	MFT_RET(BM_StatSec(&b, &st), 0, "local STAT of bob's object");
	MFT_CHECK(st.ownerUid == 1001,
		  "an object bob made remotely belongs to uid 1001");
	char buf[8];
	b = info("pool0", "priv", SEC);
	MFT_RET(BM_ReadSec(&b, 0, 8, buf, 0), 0, "local read of priv");
	MFT_CHECK(!memcmp(buf, "alice-pv", 8),
		  "priv holds alice's data: bob wrote nothing");
	return 0;
}

static int bob_allocs(void)
{
	static const char *const ids[] = { "bobs", "bcp-r", "bcp-l", "bfr-r",
					   "bfr-l" };

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		BmInfo b = info("n1:pool0", ids[i], SEC);

		MFT_RET(BM_AllocSec(&b, 4096, 0, NULL), 0,
			"bob (remote) allocates an object");
		BM_PutSec(&b, 0);
	}
	return mft_fail;
}

/*
 * The "freed" rows of the matrix: an object freed by its owner while the
 * caller holds a handle on it.  The holder (uid 1000 on alice's private
 * "fro-*", bob on the published "pubfr-*": he cannot hold alice's private
 * one) takes the handle with GET, then another process of alice frees the
 * object (remotely through her own connection, or locally as uid 1000),
 * then the holder calls, in this order.  Remotely, the owner's holder is
 * client alice2, another identity of uid 1000: a handle lives in its
 * identity's bound file, as locally in the process's open file, and two
 * connections of one identity share that file (remote.md, Identities;
 * that case is run too and its results printed, INFO lines).
 */
enum fop { F_READ, F_WRITE, F_STAT, F_COPY, F_PUT, F_GET, F_PUBLISH, F_FREE,
	   NF };
static const char *const fnames[NF] = { "READ", "WRITE", "STAT",
					"COPY from it", "PUT", "GET",
					"PUBLISH", "FREE" };
/* [0] the other uid on a published object, [1] the owner on its private
 * one: t_perm's freed row (by handle: the published row for the other
 * uid, the owner's column for the private object), and by name ENOENT. */
static const int fwant[2][NF] = {
	{ 0, -EACCES, 0, 0, 0, -ENOENT, -ENOENT, -ENOENT },
	{ 0, 0, 0, 0, 0, -ENOENT, -ENOENT, -ENOENT },
};

/* In the holder: the calls after the free, with content checks. */
static void freed_ops(const char *pool, const char *id, int owner, char mode,
		      int *out)
{
	BmInfo b = info(pool, id, SEC);
	char buf[8], dst[16];
	BmStat st;
	int rc;

	memset(buf, 0, sizeof(buf));
	rc = BM_ReadSec(&b, 0, 8, buf, 0);
	out[F_READ] = !rc && memcmp(buf, data_of(id), 8) ? -9999 : rc;
	rc = BM_WriteSec(&b, 8, 4, "frw!", 0);
	if (!rc) {
		memset(buf, 0, sizeof(buf));
		if (BM_ReadSec(&b, 8, 4, buf, 0) || memcmp(buf, "frw!", 4))
			rc = -9995;
	}
	out[F_WRITE] = rc;
	memset(&st, 0, sizeof(st));
	rc = BM_StatSec(&b, &st);
	out[F_STAT] = !rc && (st.ownerUid != 1000 || !st.freed) ? -9998 : rc;
	snprintf(dst, sizeof(dst), "%cfr-%c", owner ? 'a' : 'b', mode);
	out[F_COPY] = copy_check(&b, pool, dst, data_of(id));
	out[F_PUT] = BM_PutSec(&b, 0);
	out[F_GET] = BM_GetSec(&b, 0);
	if (!out[F_GET])
		BM_PutSec(&b, 0);
	out[F_PUBLISH] = BM_PublishSec(&b, 0);
	out[F_FREE] = BM_FreeSec(&b, 0);
}

/* BM_Init(@conf) (remotely), or (locally) become @uid with group @devgid
 * and BM_Init(NULL): 0 or the error. */
static int become(const char *conf, uid_t uid, gid_t devgid)
{
	if (!conf && (setgroups(1, &devgid) || setresgid(uid, uid, uid) ||
		      setresuid(uid, uid, uid)))
		return -errno;
	return BM_Init((char *)conf, 0);
}

/* The freed row for one holder: remotely (@hconf, @fconf: the holder's
 * and alice's configs) or locally (NULL: uids @huid and 1000).  The
 * results into @out; the free's result into @freed. */
static int freed_cells(const char *hconf, const char *fconf, uid_t huid,
		       gid_t devgid, int owner, const char *sfx, int *out,
		       int *freed)
{
	const char *pool = hconf ? "n1:pool0" : "pool0";
	char mode = hconf ? 'r' : 'l';
	char id[16];
	int ready[2], go[2], res[2], status;
	pid_t h, f;
	char c = 0;
	ssize_t n;

	snprintf(id, sizeof(id), "%s-%c%s", owner ? "fro" : "pubfr", mode, sfx);
	if (pipe(ready) || pipe(go) || pipe(res))
		return -1;
	h = fork();
	if (h < 0)
		return -1;
	if (h == 0) {
		int o[NF];
		BmInfo b = info(pool, id, SEC);

		close(ready[0]);
		close(go[1]);
		close(res[0]);
		if (become(hconf, huid, devgid) || BM_GetSec(&b, 0))
			_exit(2);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		freed_ops(pool, id, owner, *sfx ? 's' : mode, o);
		BM_Exit();
		_exit(write(res[1], o, sizeof(o)) == (ssize_t)sizeof(o) ? 0 : 3);
	}
	close(ready[1]);
	close(go[0]);
	close(res[1]);
	*freed = -9000;
	if (read(ready[0], &c, 1) == 1) {
		f = fork();
		if (f == 0) {
			BmInfo b = info(pool, id, SEC);
			int rc = become(fconf, 1000, devgid);

			if (!rc)
				rc = BM_FreeSec(&b, 0);
			BM_Exit();
			_exit(rc ? 1 : 0);
		}
		if (f > 0 && waitpid(f, &status, 0) == f && WIFEXITED(status))
			*freed = WEXITSTATUS(status) ? -1 : 0;
	}
	n = write(go[1], "g", 1);
	(void)n;
	n = read(res[0], out, NF * sizeof(int));
	close(ready[0]);
	close(go[1]);
	close(res[0]);
	waitpid(h, &status, 0);
	return n == (ssize_t)(NF * sizeof(int)) ? 0 : -1;
}

static void matrix(const char *alice, const char *bob, const char *alice2,
		   gid_t devgid)
{
	int r[4][NCELLS];
	char what[160];

	MFT_RET(in_child(alice, setup), 0, "alice's setup ran");
	MFT_RET(in_child(bob, bob_allocs), 0, "bob's allocation ran");
	/* The other uid first: it must change nothing. */
	if (run_cells(bob, 0, devgid, 0, r[0]) ||
	    run_cells(NULL, 1001, devgid, 0, r[1]) ||
	    run_cells(alice, 0, devgid, 1, r[2]) ||
	    run_cells(NULL, 1000, devgid, 1, r[3])) {
		MFT_CHECK(0, "the cells ran");
		return;
	}
	for (size_t i = 0; i < NCELLS; i++) {
		for (int owner = 0; owner < 2; owner++) {
			int rem = r[owner ? 2 : 0][i], loc = r[owner ? 3 : 1][i];
			int want = owner ? cells[i].owner : cells[i].other;
			snprintf(what, sizeof(what),
				 "%s, %s: remote %d (%s), local %d, matrix %d",
				 owner ? "owner uid 1000 (alice)" :
					 "other uid 1001 (bob)",
				 cells[i].what, rem, strerror(-rem), loc, want);
			MFT_CHECK(rem == loc && rem == want, what);
		}
	}
	/* Freed while held: bob on the published object, uid 1000 on
	 * alice's private one; remotely, then locally. */
	for (int owner = 0; owner < 2; owner++) {
		int fr[2][NF], freed[2];
		const char *hconf = owner ? alice2 : bob;

		if (freed_cells(hconf, alice, 0, devgid, owner, "", fr[0],
				&freed[0]) ||
		    freed_cells(NULL, NULL, owner ? 1000 : 1001, devgid, owner,
				"", fr[1], &freed[1])) {
			MFT_CHECK(0, "the freed cells ran");
			continue;
		}
		MFT_CHECK(freed[0] == 0 && freed[1] == 0,
			  "freed: alice frees the held object, remotely and "
			  "locally");
		for (int i = 0; i < NF; i++) {
			int rem = fr[0][i], loc = fr[1][i];
			int want = fwant[owner][i];

			snprintf(what, sizeof(what),
				 "%s, freed %s object held, %s: remote %d (%s), "
				 "local %d, matrix %d",
				 owner ? "owner uid 1000 (alice2)" :
					 "other uid 1001 (bob)",
				 owner ? "private" : "published", fnames[i], rem,
				 strerror(-rem), loc, want);
			MFT_CHECK(rem == loc && rem == want, what);
		}
	}
	/* The same identity on two connections (alice holds, alice frees):
	 * they share one bound file, so the FREE drops the holder's
	 * references in the server's session too.  Printed, not checked. */
	{
		int fr[NF], freed;

		if (!freed_cells(alice, alice, 0, devgid, 1, "s", fr, &freed))
			for (int i = 0; i < NF; i++)
				printf("INFO: one identity on two connections, "
				       "freed private object held, %s: %d "
				       "(%s)\n", fnames[i], fr[i],
				       strerror(-fr[i]));
	}
	(void)opnames;
	pid_t pid = fork();
	if (pid == 0) {
		int rc;

		mft_fail = 0; /* the parent's count is not the child's */
		rc = BM_Init(NULL, 0);
		if (!rc)
			owners();
		BM_Exit();
		_exit(mft_fail ? 1 : 0);
	}
	int status;
	waitpid(pid, &status, 0);
	MFT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "local checks of the owners ran and passed");
}

static int cleanup_ns(void)
{
	static const char *const ids[] = {
		"priv", "pub", "priv-F-r", "priv-F-l", "priv-P-r", "priv-P-l",
		"pub-F-r", "pub-F-l", "bobs", "gone", "fro-r", "fro-l",
		"fro-rs", "pubfr-r", "pubfr-l", "acp-r", "acp-l", "afr-r",
		"afr-l", "afr-s",
		"bcp-r", "bcp-l", "bfr-r", "bfr-l"
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		BmInfo b = info("pool0", ids[i], SEC);
		BM_FreeSec(&b, 0);
	}
	return BM_DestroyNSSec("pool0", NS, SEC);
}

static const char *g_what;
static int probe_rc;

static int probe(void)
{
	probe_rc = BM_CreateNSSec("n1:pool0", "t_rauth_probe", 0, SEC);
	if (!probe_rc)
		BM_DestroyNSSec("n1:pool0", "t_rauth_probe", SEC);
	printf("INFO: %s: BM_CreateNSSec: %d (%s)\n", g_what, probe_rc,
	       BM_StrError(probe_rc));
	return probe_rc == -EACCES ? 3 : probe_rc ? 4 : 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	mft_init("t_remote_auth");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "matrix") && argc == 6) {
		matrix(argv[2], argv[3], argv[4], (gid_t)atoi(argv[5]));
	} else if ((!strcmp(mode, "denied") || !strcmp(mode, "ok")) &&
		   argc == 4) {
		char what[200];
		g_what = argv[3];
		int st = in_child(argv[2], probe);
		snprintf(what, sizeof(what), "%s: %s", argv[3],
			 !strcmp(mode, "ok") ? "works" : "refused (-EACCES)");
		MFT_CHECK(st == (!strcmp(mode, "ok") ? 0 : 3), what);
	} else if (!strcmp(mode, "cleanup")) {
		int rc = BM_Init(NULL, 0);
		if (!rc) {
			rc = cleanup_ns();
			BM_Exit();
		}
		return rc && rc != -ENOENT ? 1 : 0;
	} else {
		MFT_CHECK(0, "known mode");
	}
	return mft_done();
}
