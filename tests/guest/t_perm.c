// SPDX-License-Identifier: GPL-2.0
/*
 * t_perm.c - the permission matrix of Documentation/security.md (issue 8,
 * part 5).
 *
 * Part 1, table-driven: every object operation against every identity, in
 * every state of the object.  States: private (as allocated), published,
 * freed (by its owner, while the open file still holds the owner's handle
 * on it).  Identities: the owner (uid 1000), another uid (1001), root
 * (CAP_SYS_ADMIN), the owner with a wrong secId, the owner with no secId.
 * Operations that name the object take the identity's secId; operations
 * that name it by map offset use the handle the owner's alloc put in the
 * open file that every identity shares (as after fork or SCM_RIGHTS): the
 * kernel checks each call against the caller's own fsuid.  Each cell runs
 * in a fresh open file, in a child that has set its uids; the expected
 * errno is the table perm_expect[][][], which is security.md's table.
 *
 * Part 2, the same for the pool ioctls that need CAP_SYS_ADMIN and for
 * the namespace ioctls.
 *
 * Part 3, the ways around the rules: writes through /proc/PID/mem and
 * ptrace(PTRACE_POKEDATA) into mappings, mprotect() upgrades, fork and exec
 * inheritance, a descriptor passed over a unix socket, a read-only open.
 *
 * Ends with the leak check (mfo_check_snapshot).
 */
#define _GNU_SOURCE
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_perm"
#define SEC	"perm-secret"
#define WRONG	"not-the-secret"
#define OWNER	1000
#define OTHER	1001
#define OBJ_BYTES (3 * 4096 + 100)

enum { ST_PRIV, ST_PUB, ST_FREED, NR_ST };
enum { W_OWNER, W_OTHER, W_ROOT, W_WRONGSEC, W_NOSEC, NR_WHO };
enum {
	OP_GET, OP_READ, OP_WRITE, OP_EXPAND, OP_STAT, OP_DERIVE, OP_PUBLISH,
	OP_FREE, OP_COPY_OUT, OP_MAP_SH_RO, OP_MAP_SH_RW, OP_MAP_PRIV_RW,
	OP_PUT, NR_OP
};

static const char *const st_name[NR_ST] = { "private", "published", "freed" };
static const char *const who_name[NR_WHO] = {
	"owner", "other uid", "root", "wrong secId", "no secId"
};
static const char *const op_name[NR_OP] = {
	"GET", "READ", "WRITE", "EXPAND", "STAT", "DERIVE", "PUBLISH", "FREE",
	"COPY from it", "mmap SHARED RO", "mmap SHARED RW", "mmap PRIVATE RW",
	"PUT",
};

#define E(x) (x)
/*
 * perm_expect[state][op][who]: 0 = allowed, else the errno.  Columns:
 * owner, other uid, root, wrong secId, no secId.  The secId columns
 * matter only to operations that name a namespace (GET, DERIVE's
 * destination, PUBLISH, FREE); the others act on the handle and are the
 * owner's column.  Documentation/security.md has this table.
 */
static const int perm_expect[NR_ST][NR_OP][NR_WHO] = {
	[ST_PRIV] = {
		[OP_GET]	= { 0, EACCES, 0, EACCES, EINVAL },
		[OP_READ]	= { 0, EACCES, 0, 0, 0 },
		[OP_WRITE]	= { 0, EACCES, 0, 0, 0 },
		[OP_EXPAND]	= { 0, EACCES, 0, 0, 0 },
		[OP_STAT]	= { 0, 0, 0, 0, 0 },
		[OP_DERIVE]	= { 0, EACCES, 0, EACCES, EINVAL },
		[OP_PUBLISH]	= { 0, EPERM, 0, EACCES, EINVAL },
		[OP_FREE]	= { 0, EPERM, 0, EACCES, EINVAL },
		[OP_COPY_OUT]	= { 0, EACCES, 0, 0, 0 },
		[OP_MAP_SH_RO]	= { 0, EACCES, 0, 0, 0 },
		[OP_MAP_SH_RW]	= { 0, EACCES, 0, 0, 0 },
		[OP_MAP_PRIV_RW] = { 0, EACCES, 0, 0, 0 },
		[OP_PUT]	= { 0, 0, 0, 0, 0 },
	},
	[ST_PUB] = {
		[OP_GET]	= { 0, 0, 0, EACCES, EINVAL },
		[OP_READ]	= { 0, 0, 0, 0, 0 },
		[OP_WRITE]	= { EACCES, EACCES, EACCES, EACCES, EACCES },
		[OP_EXPAND]	= { EACCES, EACCES, EACCES, EACCES, EACCES },
		[OP_STAT]	= { 0, 0, 0, 0, 0 },
		[OP_DERIVE]	= { 0, 0, 0, EACCES, EINVAL },
		[OP_PUBLISH]	= { EALREADY, EPERM, EALREADY, EACCES, EINVAL },
		[OP_FREE]	= { 0, EPERM, 0, EACCES, EINVAL },
		[OP_COPY_OUT]	= { 0, 0, 0, 0, 0 },
		[OP_MAP_SH_RO]	= { 0, 0, 0, 0, 0 },
		[OP_MAP_SH_RW]	= { EACCES, EACCES, EACCES, EACCES, EACCES },
		[OP_MAP_PRIV_RW] = { 0, 0, 0, 0, 0 },
		[OP_PUT]	= { 0, 0, 0, 0, 0 },
	},
	[ST_FREED] = {
		[OP_GET]	= { ENOENT, ENOENT, ENOENT, EACCES, EINVAL },
		[OP_READ]	= { 0, EACCES, 0, 0, 0 },
		[OP_WRITE]	= { 0, EACCES, 0, 0, 0 },
		[OP_EXPAND]	= { 0, EACCES, 0, 0, 0 },
		[OP_STAT]	= { 0, 0, 0, 0, 0 },
		[OP_DERIVE]	= { 0, EACCES, 0, EACCES, EINVAL },
		[OP_PUBLISH]	= { ENOENT, ENOENT, ENOENT, EACCES, EINVAL },
		[OP_FREE]	= { ENOENT, ENOENT, ENOENT, EACCES, EINVAL },
		[OP_COPY_OUT]	= { 0, EACCES, 0, 0, 0 },
		[OP_MAP_SH_RO]	= { 0, EACCES, 0, 0, 0 },
		[OP_MAP_SH_RW]	= { 0, EACCES, 0, 0, 0 },
		[OP_MAP_PRIV_RW] = { 0, EACCES, 0, 0, 0 },
		[OP_PUT]	= { 0, 0, 0, 0, 0 },
	},
};

/* Shared with the children (MAP_SHARED anonymous). */
struct perm_shared {
	uint64_t mo;		/* the object's handle in the open file */
	uint64_t scratch_mo;	/* a private object of the caller, for COPY */
	char id[MF_OBJ_ID_LEN];
};
static struct perm_shared *sh;
static int dev;	/* root's descriptor, for setup and checks */

/* Owner: allocate, fill, and bring the object into @state. */
static int setup_obj(int fd, void *arg)
{
	int state = *(int *)arg;
	unsigned char buf[OBJ_BYTES];

	if (mfo_alloc(fd, NS, SEC, sh->id, OBJ_BYTES, &sh->mo, NULL))
		return 1;
	mfo_pattern(buf, sizeof(buf), 7, 0);
	if (mfo_write(fd, sh->mo, 0, sizeof(buf), buf))
		return 2;
	if (state == ST_PUB && mfo_publish(fd, NS, SEC, sh->id))
		return 3;
	if (state == ST_FREED && mfo_free(fd, NS, SEC, sh->id))
		return 4;
	return 0;
}

struct cell {
	int op;
	int who;
};

static int do_map(int fd, int prot, int flags)
{
	void *p = mfo_map(fd, sh->mo, 0, 4096, prot, flags, NULL);

	if (p == MAP_FAILED)
		return errno;
	(void)*(volatile unsigned char *)p;	/* fault it in */
	munmap(p, 4096);
	return 0;
}

/* The identity: one operation; the errno, 0 for success. */
static int run_cell(int fd, void *arg)
{
	const struct cell *c = arg;
	const char *sec = c->who == W_WRONGSEC ? WRONG :
			  c->who == W_NOSEC ? "" : SEC;
	unsigned char buf[64];
	char id[MF_OBJ_ID_LEN];
	uint64_t mo;
	int ret;

	errno = 0;
	switch (c->op) {
	case OP_GET:
		return mfo_errno(mfo_get(fd, NS, sec, sh->id, NULL, NULL));
	case OP_READ:
		return mfo_errno(mfo_read(fd, sh->mo, 0, sizeof(buf), buf));
	case OP_WRITE:
		memset(buf, 0xee, sizeof(buf));
		return mfo_errno(mfo_write(fd, sh->mo, 100, sizeof(buf), buf));
	case OP_EXPAND:
		return mfo_errno(mfo_expand(fd, sh->mo, 2 * OBJ_BYTES));
	case OP_STAT: {
		struct mf_obj_stat st;

		return mfo_errno(mfo_stat_obj(fd, sh->mo, &st));
	}
	case OP_DERIVE:
		snprintf(id, sizeof(id), "%.32s.d", sh->id);
		ret = mfo_errno(mfo_derive(fd, sh->mo, NS, sec, id, &mo));
		if (!ret)
			mfo_free(fd, NS, SEC, id);
		return ret;
	case OP_PUBLISH:
		return mfo_errno(mfo_publish(fd, NS, sec, sh->id));
	case OP_FREE:
		return mfo_errno(mfo_free(fd, NS, sec, sh->id));
	case OP_COPY_OUT: {
		struct mf_obj_copy cp;

		/* into a scratch object of the caller's own */
		snprintf(id, sizeof(id), "%.32s.s%d", sh->id, c->who);
		if (mfo_alloc(fd, NS, SEC, id, 4096, &mo, NULL))
			return 252;
		memset(&cp, 0, sizeof(cp));
		cp.size = sizeof(cp);
		cp.src = sh->mo;
		cp.dst = mo;
		cp.length = 64;
		ret = mfo_errno(ioctl(fd, MF_IOC_OBJ_COPY, &cp));
		mfo_free(fd, NS, SEC, id);
		mfo_put(fd, mo);
		return ret;
	}
	case OP_MAP_SH_RO:
		return do_map(fd, PROT_READ, MAP_SHARED);
	case OP_MAP_SH_RW:
		return do_map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);
	case OP_MAP_PRIV_RW:
		return do_map(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	case OP_PUT:
		return mfo_errno(mfo_put(fd, sh->mo));
	}
	return 251;
}

static void matrix(void)
{
	int state, op, who, got, want, ret, bad = 0, cells = 0;
	uid_t uid;
	char what[160];

	for (state = 0; state < NR_ST; state++) {
		for (op = 0; op < NR_OP; op++) {
			for (who = 0; who < NR_WHO; who++) {
				struct cell c = { .op = op, .who = who };
				int fd = mfp_open();

				snprintf(sh->id, sizeof(sh->id), "m%d.%d.%d",
					 state, op, who);
				ret = mfo_as_uid(OWNER, setup_obj, fd, &state);
				if (ret) {
					snprintf(what, sizeof(what), "%s: setup %s",
						 st_name[state], sh->id);
					mft_report(0, what, "step %d", ret);
					close(fd);
					continue;
				}
				uid = who == W_OTHER ? OTHER :
				      who == W_ROOT ? 0 : OWNER;
				got = mfo_as_uid(uid, run_cell, fd, &c);
				want = perm_expect[state][op][who];
				cells++;
				if (got != want) {
					bad++;
					snprintf(what, sizeof(what),
						 "%s object, %s by %s",
						 st_name[state], op_name[op],
						 who_name[who]);
					mft_report(0, what, "errno %d (%s), want %d (%s)",
						   got, strerror(got), want,
						   strerror(want));
				}
				/* A refused write changed nothing. */
				if (op == OP_WRITE && want) {
					unsigned char b[OBJ_BYTES];
					struct mf_obj_get g;
					uint64_t mo;

					if (!mfo_get(dev, NS, SEC, sh->id, &mo, &g)) {
						mfo_read(dev, mo, 0, sizeof(b), b);
						snprintf(what, sizeof(what),
							 "%s object, refused WRITE by %s changed nothing",
							 st_name[state], who_name[who]);
						MFT_CHECK(mfo_check_pattern(b, sizeof(b), 7, 0), what);
						mfo_put(dev, mo);
					}
				}
				mfo_free(dev, NS, SEC, sh->id);
				close(fd);
			}
		}
	}
	snprintf(what, sizeof(what),
		 "permission matrix: %d cells (%d states x %d operations x %d identities) as security.md says",
		 cells, NR_ST, NR_OP, NR_WHO);
	mft_report(bad == 0 && cells == NR_ST * NR_OP * NR_WHO, what,
		   "%d cells differ", bad);
}

/* ---- part 2: pool and namespace ioctls ------------------------------------- */

static int admin_op(int fd, void *arg)
{
	int op = *(int *)arg;

	errno = 0;
	switch (op) {
	case 8:	/* destroy another's namespace without its secId */
		return mfo_errno(mfo_ns_destroy(fd, mfo_pool, NS, WRONG, MF_NS_FORCE,
					  NULL));
	case 9:	/* ... or with it: it holds objects */
		return mfo_errno(mfo_ns_destroy(fd, mfo_pool, NS, SEC, 0, NULL));
	}
	return mfo_pool_op(fd, op, "t_perm", 0x7065726d);
}

static void admin_matrix(void)
{
	static const char *const names[] = {
		"POOL_ATTACH", "POOL_DETACH", "EXTENT_ALLOC", "EXTENT_FREE",
		"EXTENT_LIST", "POOL_CHECK", "POOL_LIST", "NS_CREATE + DESTROY own",
		"NS_DESTROY with a wrong secId", "NS_DESTROY of a non-empty one",
	};
	/* owner/other (no capability), root */
	static const int want_user[] = { EPERM, EPERM, EPERM, EPERM, EPERM, 0,
					 0, 0, EACCES, EBUSY };
	static const int want_root[] = { 0, ENOENT, 0, ENOENT, 0, 0, 0, 0,
					 EACCES, EBUSY };
	char what[160];
	int op, got;

	for (op = 0; op < 10; op++) {
		got = mfo_as_uid(OTHER, admin_op, dev, &op);
		snprintf(what, sizeof(what), "%s as an unprivileged uid", names[op]);
		mft_report(got == want_user[op], what, "errno %d (%s), want %d",
			   got, strerror(got), want_user[op]);
		got = mfo_as_uid(0, admin_op, dev, &op);
		snprintf(what, sizeof(what), "%s as root", names[op]);
		mft_report(got == want_root[op], what, "errno %d (%s), want %d",
			   got, strerror(got), want_root[op]);
	}
}

/* ---- part 3: around the rules ---------------------------------------------- */

/* Write @len bytes at @addr of process @pid through /proc/PID/mem. */
static int proc_mem_write(pid_t pid, void *addr, const void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return errno;
	n = pwrite(fd, buf, len, (off_t)(uintptr_t)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : (n < 0 ? errno : EIO);
}

static int pool_has_pattern(uint64_t mo, uint64_t seed)
{
	unsigned char b[4096];

	return !mfo_read(dev, mo, 0, sizeof(b), b) &&
	       mfo_check_pattern(b, sizeof(b), seed, 0);
}

static void around(void)
{
	unsigned char b[4096], junk[16];
	uint64_t mo, pmo;
	struct mf_obj_stat st;
	unsigned char *p, *q;
	int sv[2], status;
	pid_t pid;

	memset(junk, 0xab, sizeof(junk));
	/* a published object "pub" and a private object "priv" of root's */
	MFT_OK(mfo_alloc(dev, NS, SEC, "pub", 8192, &pmo, NULL), "alloc pub");
	mfo_pattern(b, sizeof(b), 3, 0);
	mfo_write(dev, pmo, 0, sizeof(b), b);
	MFT_OK(mfo_publish(dev, NS, SEC, "pub"), "publish pub");
	MFT_OK(mfo_alloc(dev, NS, SEC, "priv", 8192, &mo, NULL), "alloc priv");
	mfo_pattern(b, sizeof(b), 4, 0);
	mfo_write(dev, mo, 0, sizeof(b), b);

	/* /proc/self/mem into a shared read-only mapping of a published one */
	p = mfo_map(dev, pmo, 0, 4096, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(p != MAP_FAILED, "map pub MAP_SHARED read-only");
	if (p != MAP_FAILED) {
		(void)*(volatile unsigned char *)p;
		MFT_CHECK(proc_mem_write(getpid(), p, junk, sizeof(junk)) != 0,
			  "/proc/self/mem write into a shared RO mapping of a published object fails");
		MFT_CHECK(pool_has_pattern(pmo, 3) && mfo_check_pattern(p, 4096, 3, 0),
			  "... and the object is unchanged");
		MFT_ERRNO(mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES,
			  "mprotect(PROT_WRITE) of a shared RO mapping of a published object: EACCES");
		/* ptrace: a traced child pokes... the parent pokes the child */
		pid = fork();
		if (pid == 0) {
			ptrace(PTRACE_TRACEME, 0, NULL, NULL);
			raise(SIGSTOP);
			_exit(mfo_check_pattern(p, 4096, 3, 0) ? 0 : 1);
		}
		waitpid(pid, &status, 0);
		errno = 0;
		MFT_CHECK(ptrace(PTRACE_POKEDATA, pid, p, (void *)0x4141414141414141UL) == -1,
			  "ptrace POKEDATA into a shared RO mapping of a published object fails");
		MFT_CHECK(proc_mem_write(pid, p, junk, sizeof(junk)) != 0,
			  "/proc/PID/mem write of a traced child's shared RO mapping fails");
		ptrace(PTRACE_CONT, pid, NULL, NULL);
		waitpid(pid, &status, 0);
		MFT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
			  pool_has_pattern(pmo, 3),
			  "... and the child and the pool still see the published contents");
		munmap(p, 4096);
	}

	/* /proc/self/mem and ptrace into a MAP_PRIVATE mapping: a local copy */
	p = mfo_map(dev, pmo, 0, 4096, PROT_READ, MAP_PRIVATE, NULL);
	MFT_CHECK(p != MAP_FAILED, "map pub MAP_PRIVATE read-only");
	if (p != MAP_FAILED) {
		(void)*(volatile unsigned char *)p;
		MFT_OK(-proc_mem_write(getpid(), p, junk, sizeof(junk)),
		       "/proc/self/mem write into a MAP_PRIVATE mapping of a published object copies");
		MFT_CHECK(!memcmp(p, junk, sizeof(junk)) && pool_has_pattern(pmo, 3),
			  "... the mapping has the write, the pool does not");
		MFT_OK(mprotect(p, 4096, PROT_READ | PROT_WRITE),
		       "mprotect(PROT_WRITE) of a MAP_PRIVATE mapping is allowed");
		munmap(p, 4096);
	}

	/* mprotect of one's own shared read-only mapping: VM_MAYWRITE is gone */
	p = mfo_map(dev, mo, 0, 4096, PROT_READ, MAP_SHARED, NULL);
	if (p != MAP_FAILED) {
		MFT_ERRNO(mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES,
			  "mprotect(PROT_WRITE) of the owner's shared RO mapping: EACCES (map it RW instead)");
		MFT_OK(mfo_publish(dev, NS, SEC, "priv") == 0 ? 0 : -1,
		       "a shared RO mapping does not block publish");
		munmap(p, 4096);
		/* back to a private object for the next checks */
		mfo_free(dev, NS, SEC, "priv");
		mfo_put(dev, mo);
		MFT_OK(mfo_alloc(dev, NS, SEC, "priv", 8192, &mo, NULL), "alloc priv again");
		mfo_write(dev, mo, 0, sizeof(b), b);
	}

	/* fork: shared mappings stay shared, private ones copy; a child that
	 * became another uid keeps its mappings but not the handle's rights */
	p = mfo_map(dev, mo, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, NULL);
	q = mfo_map(dev, mo, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL);
	MFT_CHECK(p != MAP_FAILED && q != MAP_FAILED, "map priv shared and private");
	if (p != MAP_FAILED && q != MAP_FAILED) {
		(void)*(volatile unsigned char *)q;
		pid = fork();
		if (pid == 0) {
			int r = 0;

			if (mfo_become(OTHER))
				_exit(254);
			p[0] = 0x11;			/* inherited: still writable */
			q[0] = 0x22;			/* private: the child's copy */
			if (!mfo_read(dev, mo, 0, 16, junk) || errno != EACCES)
				r |= 1;			/* the handle is checked */
			if (mfo_map(dev, mo, 0, 4096, PROT_READ, MAP_SHARED, NULL) != MAP_FAILED)
				r |= 2;			/* and so is a new mapping */
			_exit(r);
		}
		waitpid(pid, &status, 0);
		MFT_CHECK(WIFEXITED(status) && (WEXITSTATUS(status) & 1) == 0,
			  "fork + setuid(other): READ through the inherited handle is EACCES");
		MFT_CHECK(WIFEXITED(status) && (WEXITSTATUS(status) & 2) == 0,
			  "fork + setuid(other): a new mapping through the inherited handle is EACCES");
		MFT_CHECK(p[0] == 0x11, "fork: the child's write through the inherited shared mapping is in the object");
		MFT_CHECK(q[0] != 0x22, "fork: the child's write to its MAP_PRIVATE copy is not the parent's");
		munmap(p, 4096);
		munmap(q, 4096);
	}

	/* exec: handles follow the open file, which follows the descriptor */
	{
		char fdarg[16], moarg[32], self[256];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		int i;

		for (i = 0; i < 2 && n > 0; i++) {
			int fd = dup(dev);

			self[n] = 0;
			if (i)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
			else
				fcntl(fd, F_SETFD, 0);
			snprintf(fdarg, sizeof(fdarg), "%d", fd);
			snprintf(moarg, sizeof(moarg), "%llu", (unsigned long long)mo);
			fflush(stdout);
			pid = fork();
			if (pid == 0) {
				execl(self, self, "--exec-stat", fdarg, moarg, (char *)NULL);
				_exit(250);
			}
			waitpid(pid, &status, 0);
			close(fd);
			if (!i)
				MFT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
					  "exec: the descriptor and its handles survive exec without O_CLOEXEC");
			else
				MFT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == EBADF,
					  "exec: an O_CLOEXEC descriptor is gone after exec");
		}
	}

	/* SCM_RIGHTS to a process of another uid */
	if (!socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		pid = fork();
		if (pid == 0) {
			int fd, r = 0;

			close(sv[0]);
			if (mfo_become(OTHER))
				_exit(254);
			fd = mfo_recv_fd(sv[1]);
			if (fd < 0)
				_exit(fd == -1 ? 253 : 252);
			if (mfo_stat_obj(fd, mo, &st))
				r |= 1;		/* the handle came along */
			if (!mfo_read(fd, mo, 0, 16, junk) || errno != EACCES)
				r |= 2;		/* private: not readable */
			if (mfo_read(fd, pmo, 0, 16, junk))
				r |= 4;		/* published: readable */
			if (!mfo_write(fd, pmo, 0, 16, junk) || errno != EACCES)
				r |= 8;
			if (mfo_map(fd, mo, 0, 4096, PROT_READ, MAP_PRIVATE, NULL) != MAP_FAILED)
				r |= 16;
			_exit(r);
		}
		close(sv[1]);
		mfo_send_fd(sv[0], dev, junk[0]);
		close(sv[0]);
		waitpid(pid, &status, 0);
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
		MFT_CHECK(status < 32 && !(status & 1),
			  "SCM_RIGHTS to another uid: the handles come with the descriptor (STAT works)");
		MFT_CHECK(status < 32 && !(status & 2),
			  "SCM_RIGHTS to another uid: READ of a private object is EACCES");
		MFT_CHECK(status < 32 && !(status & 4),
			  "SCM_RIGHTS to another uid: READ of a published object works");
		MFT_CHECK(status < 32 && !(status & 8),
			  "SCM_RIGHTS to another uid: WRITE of a published object is EACCES");
		MFT_CHECK(status < 32 && !(status & 16),
			  "SCM_RIGHTS to another uid: mmap of a private object is EACCES");
	}

	/* A read-only open: the core mm refuses writable shared mappings */
	{
		int ro = open(MFP_DEV, O_RDONLY | O_CLOEXEC);
		uint64_t rmo;

		if (ro >= 0 && !mfo_get(ro, NS, SEC, "priv", &rmo, NULL)) {
			MFT_CHECK(mfo_map(ro, rmo, 0, 4096, PROT_READ | PROT_WRITE,
					  MAP_SHARED, NULL) == MAP_FAILED && errno == EACCES,
				  "O_RDONLY descriptor: MAP_SHARED PROT_WRITE is EACCES");
			p = mfo_map(ro, rmo, 0, 4096, PROT_READ, MAP_SHARED, NULL);
			MFT_CHECK(p != MAP_FAILED, "O_RDONLY descriptor: MAP_SHARED PROT_READ works");
			if (p != MAP_FAILED)
				munmap(p, 4096);
		}
		if (ro >= 0)
			close(ro);
	}

	/* After free: an existing mapping keeps the memory until munmap */
	{
		unsigned long long free0;

		p = mfo_map(dev, mo, 0, 4096, PROT_READ, MAP_SHARED, NULL);
		MFT_CHECK(p != MAP_FAILED, "map priv before freeing it");
		MFT_OK(mfo_free(dev, NS, SEC, "priv"), "free priv while mapped");
		mfo_put(dev, mo);
		free0 = mfp_sysfs_u64(mfo_pool, "free");
		if (p != MAP_FAILED) {
			MFT_CHECK(mfo_check_pattern(p + 16, 4096 - 16, 4, 16),
				  "after free: the mapping still reads the object");
			MFT_ERRNO(mfo_get(dev, NS, SEC, "priv", NULL, NULL), ENOENT,
				  "after free: GET is ENOENT");
			munmap(p, 4096);
		}
		usleep(100000);
		MFT_CHECK(mfp_sysfs_u64(mfo_pool, "free") > free0,
			  "after free: the memory returns at munmap, not before");
	}
	mfo_free(dev, NS, SEC, "pub");
	mfo_put(dev, pmo);
}

int main(int argc, char **argv)
{
	struct mfo_snap before;
	int state;

	if (argc == 4 && !strcmp(argv[1], "--exec-stat")) {
		struct mf_obj_stat st;
		int fd = atoi(argv[2]);

		if (fcntl(fd, F_GETFD) < 0)
			return EBADF;
		return mfo_stat_obj(fd, strtoull(argv[3], NULL, 0), &st) ? errno : 0;
	}
	mft_init(argv[0]);
	dev = mfp_open();
	mfo_setup_pool(dev);
	mfo_snapshot(&before);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	mfo_ns_destroy(dev, mfo_pool, NS, SEC, MF_NS_FORCE, NULL);
	MFT_OK(mfo_ns_create(dev, mfo_pool, NS, SEC, 0, 0), "create " NS);
	/* an object of root's keeps the namespace non-empty */
	MFT_OK(mfo_alloc(dev, NS, SEC, "anchor", 1, NULL, NULL), "alloc anchor");

	/* Names are ASCII: the kernel's isalnum() also takes Latin-1 letters. */
	MFT_ERRNO(mfp_attach_ram(dev, "t_perm\xcc", 2 << 20), EINVAL,
		  "a pool name with a Latin-1 letter (0xcc) is EINVAL");
	MFT_ERRNO(mfo_ns_create(dev, mfo_pool, "t_perm\xe9", SEC, 0, 0), EINVAL,
		  "a namespace name with a Latin-1 letter (0xe9) is EINVAL");
	MFT_ERRNO(mfo_alloc(dev, NS, SEC, "o\xc0", 1, NULL, NULL), EINVAL,
		  "an object id with a Latin-1 letter (0xc0) is EINVAL");

	matrix();
	admin_matrix();
	around();

	(void)state;
	MFT_OK(mfo_free(dev, NS, SEC, "anchor"), "free anchor");
	MFT_OK(mfo_ns_destroy(dev, mfo_pool, NS, SEC, MF_NS_FORCE, NULL),
	       "destroy " NS);
	close(dev);
	dev = mfp_open();
	mfo_check_snapshot(&before, "t_perm");
	mfo_teardown_pool(dev);
	return mft_done();
}
