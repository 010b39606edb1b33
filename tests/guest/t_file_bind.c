// SPDX-License-Identifier: GPL-2.0
/*
 * t_file_bind.c - identity-bound open files, MF_IOC_FILE_BIND (ABI 1.6,
 * issue 19; Documentation/security.md, "Identity-bound files").
 *
 * Part 1: the struct's checks (size, flags, reserved and out fields, an
 * unknown tail), EALREADY on a second bind, EPERM for a caller that is
 * neither the opener's fsuid nor CAP_SYS_ADMIN, VERSION's minor and bit.
 *
 * Part 2: a file opened by root with its fsuid, fsgid and groups switched
 * to uid 1001 (as the launcher of mfserverd does), then bound, against
 * uid 1001 itself using an unbound file: every operation on three objects
 * (uid 1000's private one, uid 1000's published one, uid 1001's own) is
 * run locally by uid 1001 (setresuid in a forked child), through the
 * bound file by root (CAP_SYS_ADMIN must not help), and through the bound
 * file by uid 1000 (the owner of the first two: the caller's own uid must
 * not help either).  The three must agree cell for cell, and with the
 * "other uid" / "owner" columns of t_perm's table.  Handle operations use
 * a handle that uid 1000 put in the file before it was bound, as t_perm
 * does with the shared file.  After each cell the object's bytes are
 * checked.
 *
 * Part 3: objects made through a bound file belong to the bound uid; pool
 * administration is refused through it, even to root; the binding holds
 * in a forked child that became nobody and in a process that got the file
 * over SCM_RIGHTS.
 *
 * Ends with the leak check.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_file_bind"
#define SEC	"bind-secret"
#define OWNER	1000
#define OTHER	1001
#define OBJ_BYTES (3 * 4096 + 100)
#define SEED	11

static int dev;		/* root's own unbound descriptor */
static gid_t dev_gid;	/* the device node's group (memfabric) */

/* ---- helpers ---------------------------------------------------------------- */

static int bind_file(int fd, struct mf_file_bind *out)
{
	struct mf_file_bind b;
	int ret;

	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	ret = ioctl(fd, MF_IOC_FILE_BIND, &b);
	if (out)
		*out = b;
	return ret;
}

/* MF_IOC_FILE_BIND as the calling uid; the errno, 0 for success. */
static int bind_fn(int fd, void *arg)
{
	(void)arg;
	errno = 0;
	return mfo_errno(bind_file(fd, NULL));
}

/*
 * Open the device as the launcher does: root, with fsuid, fsgid and the
 * groups of @uid (its own group and the device's) for the open only.
 */
static int open_as(uid_t uid)
{
	gid_t groups[2] = { uid, dev_gid }, saved[64];
	int n, fd, e;

	n = getgroups(64, saved);
	if (n < 0 || setgroups(2, groups))
		return -1;
	setfsgid(uid);
	setfsuid(uid);
	fd = open(MFP_DEV, O_RDWR | O_CLOEXEC);
	e = errno;
	setfsuid(0);
	setfsgid(0);
	if (setgroups(n, saved))
		abort();
	errno = e;
	return fd;
}

static long long owner_of(int fd, uint64_t mo)
{
	struct mf_obj_stat st;

	if (mfo_stat_obj(fd, mo, &st))
		return -1;
	return st.owner;
}

/* ---- part 1: the ioctl's own checks --------------------------------------------- */

static void part_struct(void)
{
	struct {
		struct mf_file_bind b;
		unsigned char tail[8];
	} big;
	struct mf_file_bind b;
	struct mf_version v;
	int fd;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	MFT_OK(ioctl(dev, MF_IOC_VERSION, &v), "VERSION");
	MFT_CHECK(v.abi_major == 1 && v.abi_minor >= 6 &&
		  v.abi_minor == MF_ABI_MINOR,
		  "ABI 1.6 or later, as the header says");
	MFT_CHECK(v.features & MF_FEAT_FILE_BIND, "MF_FEAT_FILE_BIND is set");

	fd = mfp_open();
	memset(&b, 0, sizeof(b));
	b.size = 8;
	MFT_ERRNO(ioctl(fd, MF_IOC_FILE_BIND, &b), EINVAL, "size 8 is EINVAL");
	b.size = sizeof(b) - 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_FILE_BIND, &b), EINVAL,
		  "size below the first version is EINVAL");
	b.size = sizeof(b);
	b.flags = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_FILE_BIND, &b), EINVAL, "flag bit 0 is EINVAL");
	b.flags = 1U << 31;
	MFT_ERRNO(ioctl(fd, MF_IOC_FILE_BIND, &b), EINVAL, "flag bit 31 is EINVAL");
	b.flags = 0;
	b.reserved = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_FILE_BIND, &b), EINVAL, "reserved != 0 is EINVAL");
	b.reserved = 0;
	b.uid = 5;
	MFT_ERRNO(ioctl(fd, MF_IOC_FILE_BIND, &b), EINVAL,
		  "a non-zero out field (uid) is EINVAL");
	b.uid = 0;
	b.gid = 5;
	MFT_ERRNO(ioctl(fd, MF_IOC_FILE_BIND, &b), EINVAL,
		  "a non-zero out field (gid) is EINVAL");
	memset(&big, 0, sizeof(big));
	big.b.size = sizeof(big);
	big.tail[3] = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_FILE_BIND, &big), E2BIG,
		  "a non-zero unknown tail is E2BIG");
	big.b.size = 8192;
	MFT_ERRNO(ioctl(fd, MF_IOC_FILE_BIND, &big), E2BIG,
		  "size above PAGE_SIZE is E2BIG");
	MFT_ERRNO(ioctl(fd, MF_IOC_FILE_BIND, (void *)16), EFAULT,
		  "a bad pointer is EFAULT");
	MFT_ERRNO(ioctl(fd, _IOWR(MF_IOC_MAGIC, 0x31, struct mf_version), &v),
		  ENOTTY, "the number with another size is ENOTTY");
	/* none of those bound it: root's alloc is still root's, any owner */
	{
		uint64_t mo;

		MFT_OK(mfo_alloc(fd, NS, SEC, "unbound", 10, &mo, NULL),
		       "alloc after the refused binds");
		MFT_OK(mfo_free(fd, NS, SEC, "unbound"), "free it");
	}
	/* a zero tail is fine; root's own file binds to uid 0 */
	memset(&big, 0, sizeof(big));
	big.b.size = sizeof(big);
	big.b.uid = 0;
	MFT_OK(ioctl(fd, MF_IOC_FILE_BIND, &big), "bind with a zero tail");
	MFT_CHECK(big.b.uid == 0 && big.b.gid == 0 && big.b.size == sizeof(big),
		  "root's file is bound to uid 0, gid 0");
	MFT_ERRNO(bind_file(fd, NULL), EALREADY, "a second bind is EALREADY");
	close(fd);

	/* only the opener's fsuid or CAP_SYS_ADMIN may bind */
	fd = mfp_open();
	MFT_RET(mfo_as_uid(OTHER, bind_fn, fd, NULL), EPERM,
		"uid 1001 binding root's file is EPERM");
	MFT_OK(bind_file(fd, &b), "root binds it afterwards");
	MFT_CHECK(b.uid == 0, "bound to root's uid, not 1001's");
	close(fd);
	fd = open_as(OTHER);
	MFT_CHECK(fd >= 0, "open as uid 1001 (fsuid switched)");
	MFT_RET(mfo_as_uid(OWNER, bind_fn, fd, NULL), EPERM,
		"uid 1000 binding uid 1001's file is EPERM");
	MFT_RET(mfo_as_uid(OTHER, bind_fn, fd, NULL), 0,
		"uid 1001 binds its own file");
	MFT_ERRNO(bind_file(fd, NULL), EALREADY,
		  "then root's bind is EALREADY (one-way)");
	close(fd);
}

/* ---- part 2: bound file against the local uid, cell for cell ---------------------- */

enum { ST_OTHERS, ST_PUB, ST_OWN, NR_ST };
enum { P_LOCAL, P_BOUND_ROOT, P_BOUND_OWNER, NR_P };
enum {
	OP_GET, OP_READ, OP_WRITE, OP_EXPAND, OP_STAT, OP_DERIVE, OP_COMMIT,
	OP_PUBLISH, OP_FREE, OP_MAP_SH_RO, OP_MAP_SH_RW, NR_OP
};

static const char *const st_name[NR_ST] = {
	"uid 1000's private", "uid 1000's published", "uid 1001's own private"
};
static const char *const p_name[NR_P] = {
	"uid 1001 locally", "root through the bound file",
	"uid 1000 through the bound file"
};
static const char *const op_name[NR_OP] = {
	"GET", "READ", "WRITE", "EXPAND", "STAT", "DERIVE", "COMMIT",
	"PUBLISH", "FREE", "MAP SHARED RO", "MAP SHARED RW",
};
/* what uid 1001 gets: t_perm's "other uid" and "owner" columns */
static const int want[NR_ST][NR_OP] = {
	[ST_OTHERS] = { EACCES, EACCES, EACCES, EACCES, 0, EACCES, EACCES,
			EPERM, EPERM, EACCES, EACCES },
	[ST_PUB]    = { 0, 0, EACCES, EACCES, 0, 0, 0, EPERM, EPERM, 0,
			EACCES },
	[ST_OWN]    = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
};

struct shared {
	uint64_t mo;
	char id[MF_OBJ_ID_LEN];
	void *priv;	/* root's MAP_PRIVATE mapping of it, for COMMIT */
	int state;
};
static struct shared *sh;

static int setup_obj(int fd, void *arg)
{
	unsigned char buf[OBJ_BYTES];

	(void)arg;
	if (mfo_alloc(fd, NS, SEC, sh->id, OBJ_BYTES, &sh->mo, NULL))
		return 1;
	mfo_pattern(buf, sizeof(buf), SEED, 0);
	if (mfo_write(fd, sh->mo, 0, sizeof(buf), buf))
		return 2;
	if (sh->state == ST_PUB && mfo_publish(fd, NS, SEC, sh->id))
		return 3;
	return 0;
}

static int do_map(int fd, int prot)
{
	void *p = mfo_map(fd, sh->mo, 0, 4096, prot, MAP_SHARED, NULL);

	if (p == MAP_FAILED)
		return errno;
	(void)*(volatile unsigned char *)p;
	munmap(p, 4096);
	return 0;
}

static int run_op(int fd, void *arg)
{
	int op = *(int *)arg, ret;
	unsigned char buf[64];
	char id[MF_OBJ_ID_LEN];
	uint64_t mo;

	errno = 0;
	switch (op) {
	case OP_GET:
		ret = mfo_errno(mfo_get(fd, NS, SEC, sh->id, &mo, NULL));
		if (!ret)
			mfo_put(fd, mo);
		return ret;
	case OP_READ:
		if (mfo_read(fd, sh->mo, 0, sizeof(buf), buf))
			return mfo_errno(-1);
		return mfo_check_pattern(buf, sizeof(buf), SEED, 0) ? 0 : 250;
	case OP_WRITE:
		memset(buf, 0xee, sizeof(buf));
		return mfo_errno(mfo_write(fd, sh->mo, 100, sizeof(buf), buf));
	case OP_EXPAND:
		return mfo_errno(mfo_expand(fd, sh->mo, 2 * OBJ_BYTES));
	case OP_STAT:
		return owner_of(fd, sh->mo) < 0 ? mfo_errno(-1) : 0;
	case OP_DERIVE:
		snprintf(id, sizeof(id), "%.32s.d", sh->id);
		ret = mfo_errno(mfo_derive(fd, sh->mo, NS, SEC, id, &mo));
		if (!ret) {
			if (owner_of(fd, mo) != OTHER)
				ret = 249;
			mfo_free(fd, NS, SEC, id);
			mfo_put(fd, mo);
		}
		return ret;
	case OP_COMMIT: {
		struct mf_obj_commit c;

		if (!sh->priv)
			return 248;
		((unsigned char *)sh->priv)[8] ^= 0xff;
		snprintf(id, sizeof(id), "%.32s.c", sh->id);
		ret = mfo_errno(mfo_commit(fd, sh->priv, 4096, NS, SEC, id, 0, &c));
		if (!ret) {
			if (owner_of(fd, c.map_offset) != OTHER ||
			    mfo_read(fd, c.map_offset, 8, 1, buf) ||
			    buf[0] != (unsigned char)~((8 * 131 + SEED * 7) & 0xff))
				ret = 247;
			mfo_free(fd, NS, SEC, id);
			mfo_put(fd, c.map_offset);
		}
		return ret;
	}
	case OP_PUBLISH:
		return mfo_errno(mfo_publish(fd, NS, SEC, sh->id));
	case OP_FREE:
		return mfo_errno(mfo_free(fd, NS, SEC, sh->id));
	case OP_MAP_SH_RO:
		return do_map(fd, PROT_READ);
	case OP_MAP_SH_RW:
		return do_map(fd, PROT_READ | PROT_WRITE);
	}
	return 251;
}

/* The object's bytes after a cell: the pattern unless uid 1001 could write. */
static void check_content(int state, int op, int path, int got)
{
	unsigned char b[OBJ_BYTES], ee[64];
	char what[200];
	uint64_t mo;
	int ok;

	if (mfo_get(dev, NS, SEC, sh->id, &mo, NULL))
		return;	/* freed by the cell */
	ok = !mfo_read(dev, mo, 0, sizeof(b), b);
	memset(ee, 0xee, sizeof(ee));
	if (op == OP_WRITE && !got)
		ok = ok && mfo_check_pattern(b, 100, SEED, 0) &&
		     !memcmp(b + 100, ee, sizeof(ee)) &&
		     mfo_check_pattern(b + 164, sizeof(b) - 164, SEED, 164);
	else
		ok = ok && mfo_check_pattern(b, sizeof(b), SEED, 0);
	if (op == OP_WRITE || state != ST_OWN) {
		snprintf(what, sizeof(what), "%s object, %s by %s: contents %s",
			 st_name[state], op_name[op], p_name[path],
			 got ? "unchanged" : "as written");
		MFT_CHECK(ok, what);
	}
	mfo_put(dev, mo);
}

/* Set one cell's object and file up for @path; the file, or -1. */
static int cell_setup(int state, int path, int cell)
{
	int fd, ret = 0;

	snprintf(sh->id, sizeof(sh->id), "b%d.%d", state, cell);
	sh->state = state;
	sh->priv = NULL;
	fd = path == P_LOCAL ? mfp_open() : open_as(OTHER);
	if (fd < 0)
		return -1;
	if (state == ST_OWN) {
		/* uid 1001 allocates: locally, or through its bound file */
		if (path != P_LOCAL && bind_file(fd, NULL))
			ret = 100;
		if (!ret)
			ret = mfo_as_uid(path == P_LOCAL ? OTHER : 0, setup_obj, fd,
				     NULL);
	} else {
		/* uid 1000 puts its handle in the file while it is unbound */
		ret = mfo_as_uid(OWNER, setup_obj, fd, NULL);
	}
	if (!ret) {
		/* root's private mapping, inherited by the cell, for COMMIT */
		sh->priv = mfo_map(fd, sh->mo, 0, 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, NULL);
		if (sh->priv == MAP_FAILED)
			ret = 101;
	}
	if (!ret && state != ST_OWN && path != P_LOCAL && bind_file(fd, NULL))
		ret = 102;
	if (ret) {
		mft_report(0, "cell setup", "%s %s: step %d", st_name[state],
			   p_name[path], ret);
		if (sh->priv && sh->priv != MAP_FAILED)
			munmap(sh->priv, 4096);
		close(fd);
		return -1;
	}
	return fd;
}

static void part_matrix(void)
{
	int got[NR_P], state, op, path, cells = 0, bad = 0, cell = 0;
	char what[200];

	for (state = 0; state < NR_ST; state++) {
		for (op = 0; op < NR_OP; op++) {
			for (path = 0; path < NR_P; path++) {
				int fd = cell_setup(state, path, cell++);
				uid_t uid = path == P_LOCAL ? OTHER :
					    path == P_BOUND_ROOT ? 0 : OWNER;

				got[path] = -1;
				if (fd < 0)
					continue;
				got[path] = mfo_as_uid(uid, run_op, fd, &op);
				check_content(state, op, path, got[path]);
				munmap(sh->priv, 4096);
				mfo_free(dev, NS, SEC, sh->id);
				close(fd);
			}
			cells++;
			snprintf(what, sizeof(what), "%s object, %s: %s",
				 st_name[state], op_name[op],
				 "uid 1001 locally = root and uid 1000 through uid 1001's bound file = t_perm's table");
			if (got[0] != want[state][op] || got[1] != got[0] ||
			    got[2] != got[0]) {
				bad++;
				mft_report(0, what, "local %d, bound by root %d, bound by uid 1000 %d, want %d (%s)",
					   got[0], got[1], got[2],
					   want[state][op],
					   strerror(want[state][op]));
			}
		}
	}
	snprintf(what, sizeof(what),
		 "bound file = local uid: %d cells (%d objects x %d operations x %d callers) agree",
		 cells * NR_P, NR_ST, NR_OP, NR_P);
	mft_report(!bad && cells == NR_ST * NR_OP, what, "%d rows differ", bad);
}

/* ---- part 3: ownership, administration, fork, SCM_RIGHTS ------------------------ */

static void part_admin(void)
{
	static const char *const names[] = {
		"POOL_ATTACH", "POOL_DETACH", "EXTENT_ALLOC", "EXTENT_FREE",
		"EXTENT_LIST", "POOL_CHECK", "POOL_LIST", "NS_CREATE + DESTROY",
	};
	static const int want_bound[] = { EPERM, EPERM, EPERM, EPERM, EPERM,
					  0, 0, 0 };
	static const int want_root[] = { 0, ENOENT, 0, ENOENT, 0, 0, 0, 0 };
	char what[160];
	uint64_t mo, rmo;
	int op, got, fd = mfp_open();

	/* root's own file, bound: uid 0 without CAP_SYS_ADMIN */
	MFT_OK(bind_file(fd, NULL), "root binds its own file");
	for (op = 0; op < 8; op++) {
		got = mfo_pool_op(fd, op, "t_bind", 0x62696e64);
		snprintf(what, sizeof(what), "%s by root through its bound file",
			 names[op]);
		mft_report(got == want_bound[op], what, "errno %d (%s), want %d",
			   got, strerror(got), want_bound[op]);
		got = mfo_pool_op(dev, op, "t_bind", 0x62696e64);
		snprintf(what, sizeof(what), "%s by root through an unbound file",
			 names[op]);
		mft_report(got == want_root[op], what, "errno %d (%s), want %d",
			   got, strerror(got), want_root[op]);
	}
	/* CAP_SYS_ADMIN does not reach uid 1000's private object either */
	sh->state = ST_OTHERS;
	snprintf(sh->id, sizeof(sh->id), "rootcap");
	MFT_RET(mfo_as_uid(OWNER, setup_obj, dev, NULL), 0, "uid 1000 allocates rootcap");
	MFT_OK(mfo_get(dev, NS, SEC, "rootcap", &rmo, NULL),
	       "root GETs it through an unbound file");
	MFT_ERRNO(mfo_get(fd, NS, SEC, "rootcap", &mo, NULL), EACCES,
		  "root GETs it through its bound file: EACCES");
	MFT_ERRNO(mfo_free(fd, NS, SEC, "rootcap"), EPERM,
		  "root FREEs it through its bound file: EPERM");
	MFT_ERRNO(mfo_publish(fd, NS, SEC, "rootcap"), EPERM,
		  "root PUBLISHes it through its bound file: EPERM");
	MFT_OK(mfo_put(dev, rmo), "put it");
	mfo_put(dev, sh->mo);
	MFT_OK(mfo_free(dev, NS, SEC, "rootcap"), "root frees it unbound");
	close(fd);
}

/* In a child that became nobody: alloc, then read the bound uid's object. */
static int child_use(int fd, void *arg)
{
	uint64_t omo = *(uint64_t *)arg, mo;
	unsigned char buf[64];

	if (mfo_alloc(fd, NS, SEC, "bychild", 4096, &mo, NULL))
		return 10;
	if (owner_of(fd, mo) != OTHER)
		return 11;
	if (mfo_free(fd, NS, SEC, "bychild") || mfo_put(fd, mo))
		return 12;
	if (mfo_read(fd, omo, 0, sizeof(buf), buf) ||
	    !mfo_check_pattern(buf, sizeof(buf), SEED, 0))
		return 13;
	if (bind_file(fd, NULL) == 0 || errno != EALREADY)
		return 14;
	return 0;
}

/* Receive a descriptor on @sock, become nobody, and use it. */
static int scm_receiver(int sock, uint64_t omo)
{
	int fd;

	if (setgroups(0, NULL) || setresgid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY) ||
	    setresuid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY))
		return 20;
	fd = mfo_recv_fd(sock);
	if (fd < 0)
		return fd == -1 ? 21 : 22;
	return child_use(fd, &omo);
}

/* GET "bound-own" and read it, as the calling uid; the errno. */
static int get_bound_own(int fd, void *arg)
{
	unsigned char buf[64];
	uint64_t mo;
	int ret;

	(void)arg;
	errno = 0;
	if (mfo_get(fd, NS, SEC, "bound-own", &mo, NULL))
		return mfo_errno(-1);
	ret = mfo_read(fd, mo, 0, sizeof(buf), buf) ||
	      !mfo_check_pattern(buf, sizeof(buf), SEED, 0) ? 30 : 0;
	mfo_put(fd, mo);
	return ret;
}

static void part_inherit(void)
{
	struct mf_file_bind b;
	unsigned char buf[OBJ_BYTES];
	int fd, sv[2], status;
	uint64_t mo, pmo;
	pid_t pid;

	fd = open_as(OTHER);
	MFT_CHECK(fd >= 0, "open as uid 1001");
	MFT_OK(bind_file(fd, &b), "root binds uid 1001's file (the launcher)");
	MFT_CHECK(b.uid == OTHER && b.gid == OTHER, "bound uid and gid are 1001");

	/* made by root through it: uid 1001's */
	MFT_OK(mfo_alloc(fd, NS, SEC, "bound-own", OBJ_BYTES, &mo, NULL),
	       "root allocates through the bound file");
	MFT_RET(owner_of(fd, mo), OTHER, "its owner is 1001, not root");
	mfo_pattern(buf, sizeof(buf), SEED, 0);
	MFT_OK(mfo_write(fd, mo, 0, sizeof(buf), buf), "write it through the bound file");
	MFT_RET(mfo_as_uid(OTHER, get_bound_own, dev, NULL), 0,
		"uid 1001 locally may GET and read it");
	MFT_RET(mfo_as_uid(OWNER, get_bound_own, dev, NULL), EACCES,
		"uid 1000 locally may not GET it (EACCES)");

	/* fork: the child became nobody, still acts as 1001 */
	MFT_RET(mfo_as_nobody(fd, child_use, &mo), 0,
		"a forked child that became nobody acts as 1001 through it");

	/* SCM_RIGHTS to a process that became nobody */
	MFT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		close(fd);
		_exit(scm_receiver(sv[1], mo));
	}
	close(sv[1]);
	MFT_CHECK(mfo_send_fd(sv[0], fd, 'x') == 1, "send the bound file");
	MFT_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0,
		  "a process that got it over SCM_RIGHTS and became nobody acts as 1001");
	close(sv[0]);

	/* published: readable, never writable through it */
	MFT_OK(mfo_publish(fd, NS, SEC, "bound-own"), "publish through the bound file");
	memset(buf, 0xee, 64);
	MFT_ERRNO(mfo_write(fd, mo, 0, 64, buf), EACCES,
		  "WRITE of the published object through the bound file: EACCES");
	MFT_CHECK(mfo_map(fd, mo, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			  NULL) == MAP_FAILED && errno == EACCES,
		  "MAP SHARED RW of it through the bound file: EACCES");
	MFT_OK(mfo_get(dev, NS, SEC, "bound-own", &pmo, NULL), "root gets it");
	MFT_OK(mfo_read(dev, pmo, 0, sizeof(buf), buf), "read it back");
	MFT_CHECK(mfo_check_pattern(buf, sizeof(buf), SEED, 0),
		  "the published object's bytes are unchanged");
	mfo_put(dev, pmo);
	MFT_OK(mfo_free(fd, NS, SEC, "bound-own"), "free it through the bound file");
	mfo_put(fd, mo);
	close(fd);
}

int main(int argc, char **argv)
{
	struct mfo_snap before;
	struct stat st;

	(void)argc;
	mft_init(argv[0]);
	dev = mfp_open();
	if (stat(MFP_DEV, &st))
		return 2;
	dev_gid = st.st_gid;
	mfo_setup_pool(dev);
	mfo_snapshot(&before);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	mfo_ns_destroy(dev, mfo_pool, NS, SEC, MF_NS_FORCE, NULL);
	MFT_OK(mfo_ns_create(dev, mfo_pool, NS, SEC, 0, 0), "create " NS);

	part_struct();
	part_matrix();
	part_admin();
	part_inherit();

	MFT_OK(mfo_ns_destroy(dev, mfo_pool, NS, SEC, 0, NULL), "destroy " NS);
	close(dev);
	dev = mfp_open();
	mfo_check_snapshot(&before, "t_file_bind");
	mfo_teardown_pool(dev);
	return mft_done();
}
