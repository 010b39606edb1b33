// SPDX-License-Identifier: GPL-2.0
/*
 * mh_cow.c - one host's side of tests/cluster/t_mh_cow.sh and
 * t_mh_cow3.sh: private mappings, commit, derive and expand of a
 * multi-host pool's objects across hosts, through the BM_* calls.  Not a
 * test by itself: run without arguments (as the guest suite does), it
 * skips.
 *
 *   mh_cow publish POOL NS SECID ID SIZE
 *	create the namespace (EEXIST is fine) and the object, write the
 *	pattern, publish it; then the owner's derive of its own published
 *	object (DERIVE): a private copy, written, the original unchanged;
 *	the copy expanded (its bytes kept, the new ones zero), the published
 *	original's expand refused (EACCES); freed
 *   mh_cow cow POOL NS SECID ID SIZE STATS NEWID
 *	on another host: BM_GetSec; a read-write MAP_PRIVATE mapping reads
 *	the pattern in place; writes to it change the mapping only
 *	(BM_ReadSec and a shared mapping still read the pattern); commit
 *	with a wrong secId refused; BM_CommitSec(PUBLISH) makes NEWID with
 *	two requests (DERIVE, PUBLISH), shared read-only, reading the
 *	modified bytes; an id taken refused; a commit without publish is
 *	private and writable; derive of the held object: a private copy,
 *	writable, the original unchanged, expanded; the held object's expand
 *	refused; unmap, put
 *   mh_cow check POOL NS SECID ID SIZE MOD OWN
 *	BM_GetSec; BM_ReadSec and a read-only shared mapping see the
 *	pattern (MOD 0) or the modified pattern (MOD 1); BM_WriteSec, a
 *	read-write shared mapping, expand and publish refused, and free too
 *	unless the object is this host's own (OWN 1); a private mapping's
 *	writes stay local; put
 *   mh_cow expand POOL NS SECID ID SIZE
 *	BM_AllocSec of SIZE bytes with the pattern; expand to a size not
 *	larger (EINVAL), by another user (EACCES), then to 2 SIZE + 12345:
 *	the pattern kept, the new bytes zero, through BM_ReadSec and a
 *	shared mapping; the pattern written over the new bytes; published;
 *	its expand refused (EACCES); the other host checks it (check)
 *   mh_cow limit POOL NS SECID ID
 *	an object expanded by 4 MiB at a time, with a 1-byte object
 *	allocated after each step so that its last extent cannot grow in
 *	place: an expand is refused with E2BIG (MF_MH_MAX_EXT extents) before
 *	any other error; every step's last byte still reads; all freed
 *   mh_cow free POOL NS SECID ID
 *	BM_FreeSec
 *
 * Prints PASS:/FAIL: lines; exits 0 if all passed, 1 if not, 77 if run
 * without a command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include "mh_common.h"

#define MOD_AT	(1024 * 1024 + 5)	/* a modified run inside the object */
#define MOD_LEN	5000

/* Whether byte @i of an object of @size bytes is one that cow writes. */
static int modified(size_t i, size_t size)
{
	return i < 100 || (i >= MOD_AT && i < MOD_AT + MOD_LEN) ||
	       i == size - 1;
}

static unsigned char want(size_t i, size_t size, int mod)
{
	return mod && modified(i, size) ? (unsigned char)~mh_pattern(i) :
	       mh_pattern(i);
}

/* The first byte that differs from the (modified) pattern, or -1. */
static long bad_byte(const unsigned char *p, size_t size, int mod)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != want(i, size, mod))
			return (long)i;
	return -1;
}

/* BM_ReadSec of the whole object against the (modified) pattern. */
static long read_bad(BmInfo *b, size_t size, int mod)
{
	unsigned char *buf = calloc(1, size);
	long r;
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = BM_ReadSec(b, 0, size, buf, 0);
	r = ret ? ret : bad_byte(buf, size, mod);
	free(buf);
	return r;
}

/* The first byte of [@from, @to) of @b that is not zero, or -1. */
static long zero_bad(BmInfo *b, size_t from, size_t to)
{
	unsigned char *buf = calloc(1, to - from);
	long r = -1;
	size_t i;
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = BM_ReadSec(b, from, to - from, buf, 0);
	if (ret)
		r = ret;
	for (i = 0; !ret && i < to - from && r < 0; i++)
		if (buf[i])
			r = (long)(from + i);
	free(buf);
	return r;
}

/* Derive @src into @id: a private, writable copy; @src unchanged. */
static void derive_checks(BmInfo *src, char **a, const char *id, size_t size,
			  int mod)
{
	BmInfo d = mh_info(a, a[2], id), bad = mh_info(a, "not-the-secid", "");
	unsigned char ones[100];
	int ret;

	ret = BM_DeriveSec(src, &bad, 0);
	check(ret == -EACCES, "derive into the namespace with a wrong secId is refused",
	      ret);
	ret = BM_DeriveSec(src, &d, 0);
	check(!ret, "BM_DeriveSec of the published object", ret);
	if (ret)
		return;
	check(d.size == size && d.type == BM_TYPE_PRIVATE_RW,
	      "the derived object is private, of the same size", d.type);
	check(read_bad(&d, size, mod) < 0, "the derived object reads the source's bytes",
	      read_bad(&d, size, mod));
	memset(ones, 0xff, sizeof(ones));
	ret = BM_WriteSec(&d, 4096, sizeof(ones), ones, 0);
	check(!ret, "BM_WriteSec of the derived object", ret);
	check(read_bad(src, size, mod) < 0, "the source is unchanged",
	      read_bad(src, size, mod));
	ret = BM_ExpandSec(&d, size * 2, 0);
	check(!ret && d.size == size * 2, "BM_ExpandSec of the derived object",
	      ret);
	check(!ret && zero_bad(&d, size, size * 2) < 0,
	      "the derived object's new bytes read zero",
	      zero_bad(&d, size, size * 2));
	ret = BM_ExpandSec(src, size * 2, 0);
	check(ret == -EACCES, "BM_ExpandSec of a published object: EACCES", ret);
	ret = BM_FreeSec(&d, 0);
	check(!ret, "BM_FreeSec of the derived object", ret);
}

static void do_publish(char **a, size_t size)
{
	BmInfo b = mh_info(a, a[2], a[3]);
	unsigned char *buf = mh_pattern_buf(size);
	int ret;

	if (!buf)
		return;
	mh_make(&b, a, size, buf, size);
	ret = BM_PublishSec(&b, 0);
	check(!ret, "BM_PublishSec", ret);
	derive_checks(&b, a, "der-own", size, 0);
	free(buf);
}

static void do_cow(char **a, size_t size, const char *stats, const char *newid)
{
	BmInfo b = mh_info(a, a[2], a[3]), c = mh_info(a, a[2], newid);
	BmInfo bad = mh_info(a, "not-the-secid", newid);
	BmInfo priv = mh_info(a, a[2], "");
	unsigned char *p = NULL, *q = NULL, ones[64];
	long r0, r1;
	size_t i;
	int ret;

	ret = BM_GetSec(&b, 0);
	check(!ret && b.type == BM_TYPE_SHARED_RO && b.size == size,
	      "BM_GetSec finds the other host's object", ret);
	if (ret)
		return;
	ret = BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_PRIVATE,
			(void **)&p);
	check(!ret && p, "BM_MapSec read-write, private", ret);
	if (ret || !p)
		return;
	check(bad_byte(p, size, 0) < 0, "the private mapping reads the pattern",
	      bad_byte(p, size, 0));
	for (i = 0; i < size; i++)
		if (modified(i, size))
			p[i] = (unsigned char)~mh_pattern(i);
	check(bad_byte(p, size, 1) < 0, "the private mapping sees its writes",
	      bad_byte(p, size, 1));
	check(read_bad(&b, size, 0) < 0,
	      "BM_ReadSec still reads the pattern: the writes stayed local",
	      read_bad(&b, size, 0));
	ret = BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, (void **)&q);
	check(!ret && q, "a read-only shared mapping besides", ret);
	if (!ret && q) {
		check(bad_byte(q, size, 0) < 0,
		      "the shared mapping reads the pattern",
		      bad_byte(q, size, 0));
		check(BM_Unmap(b.bmId, q) == 0, "BM_Unmap of the shared mapping", 0);
	}

	ret = BM_CommitSec(p, size, &bad, BM_COMMIT_PUBLISH);
	check(ret == -EACCES, "a commit with a wrong secId is refused", ret);
	r0 = mh_stat(stats, "requests");
	ret = BM_CommitSec(p, size, &c, BM_COMMIT_PUBLISH);
	check(!ret, "BM_CommitSec, published", ret);
	r1 = mh_stat(stats, "requests");
	check(r1 == r0 + 2, "the commit sent two requests (DERIVE, PUBLISH)",
	      r1 - r0);
	check(c.type == BM_TYPE_SHARED_RO && c.size == size,
	      "the committed object is shared read-only, of the same size",
	      c.type);
	check(read_bad(&c, size, 1) < 0,
	      "the committed object reads the modified bytes",
	      read_bad(&c, size, 1));
	memset(ones, 0xff, sizeof(ones));
	ret = BM_WriteSec(&c, 0, sizeof(ones), ones, 0);
	check(ret == -EACCES, "BM_WriteSec of the committed object is refused",
	      ret);
	check(read_bad(&b, size, 0) < 0, "the source still reads the pattern",
	      read_bad(&b, size, 0));
	ret = BM_CommitSec(p, size, &c, BM_COMMIT_PUBLISH);
	check(ret == -EEXIST, "a commit to a taken id is refused", ret);
	ret = BM_CommitSec(p, size, &priv, 0);
	check(!ret && priv.type == BM_TYPE_PRIVATE_RW,
	      "BM_CommitSec without publish: a private object", ret);
	if (!ret) {
		check(read_bad(&priv, size, 1) < 0,
		      "it reads the modified bytes", read_bad(&priv, size, 1));
		ret = BM_WriteSec(&priv, 0, sizeof(ones), ones, 0);
		check(!ret, "its owner writes it", ret);
		check(BM_FreeSec(&priv, 0) == 0, "BM_FreeSec of it", 0);
	}
	check(bad_byte(p, size, 1) < 0, "the private mapping is unchanged",
	      bad_byte(p, size, 1));
	check(BM_Unmap(b.bmId, p) == 0, "BM_Unmap of the private mapping", 0);

	derive_checks(&b, a, "der-remote", size, 0);
	ret = BM_PutSec(&b, 0);
	check(!ret, "BM_PutSec", ret);
}

static void do_check(char **a, size_t size, int mod, int own)
{
	BmInfo b = mh_info(a, a[2], a[3]);
	unsigned char *p = NULL, ones[64];
	int ret;

	ret = BM_GetSec(&b, 0);
	check(!ret && b.type == BM_TYPE_SHARED_RO && b.size == size,
	      "BM_GetSec: shared read-only, its size", ret);
	if (ret)
		return;
	check(read_bad(&b, size, mod) < 0, mod ?
	      "BM_ReadSec reads the committed bytes" :
	      "BM_ReadSec reads the original bytes", read_bad(&b, size, mod));
	ret = BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, (void **)&p);
	check(!ret && p, "BM_MapSec read-only, shared", ret);
	if (!ret && p) {
		check(bad_byte(p, size, mod) < 0, "the mapping sees every byte",
		      bad_byte(p, size, mod));
		check(BM_Unmap(b.bmId, p) == 0, "BM_Unmap", 0);
	}
	memset(ones, 0xff, sizeof(ones));
	ret = BM_WriteSec(&b, 0, sizeof(ones), ones, 0);
	check(ret == -EACCES, "BM_WriteSec is refused", ret);
	ret = BM_ExpandSec(&b, size + 1, 0);
	check(ret == -EACCES, "BM_ExpandSec is refused", ret);
	p = NULL;
	ret = BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_SHARED, (void **)&p);
	check(ret == -EACCES, "a read-write shared mapping is refused", ret);
	p = NULL;
	ret = BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_PRIVATE, (void **)&p);
	check(!ret && p, "a read-write private mapping", ret);
	if (!ret && p) {
		memset(p, 0x5a, 4096);
		check(p[0] == 0x5a && p[4096] == want(4096, size, mod),
		      "its writes are its own", p[0]);
		check(BM_Unmap(b.bmId, p) == 0, "BM_Unmap", 0);
	}
	check(read_bad(&b, size, mod) < 0, "the object is unchanged",
	      read_bad(&b, size, mod));
	if (!own) {
		ret = BM_FreeSec(&b, 0);
		check(ret == -EPERM,
		      "BM_FreeSec of another host's object is refused", ret);
	}
	ret = BM_PublishSec(&b, 0);
	check(ret == -EALREADY || ret == -EPERM, "BM_PublishSec is refused",
	      ret);
	check(BM_PutSec(&b, 0) == 0, "BM_PutSec", 0);
}

/* In a child of uid 65534: expanding @b is refused (not its owner). */
static void expand_other_user(BmInfo *b, size_t size)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(BM_ExpandSec(b, size, 0) == -EACCES ? 0 : 1);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		status = WEXITSTATUS(status);
	check(status == 0, "BM_ExpandSec by another user is refused (EACCES)",
	      status);
}

static void do_expand(char **a, size_t size)
{
	BmInfo e = mh_info(a, a[2], a[3]);
	size_t big = 2 * size + 12345, i;
	unsigned char *buf = malloc(big), *p = NULL;
	int ret;

	if (!buf)
		return;
	for (i = 0; i < big; i++)
		buf[i] = mh_pattern(i);
	ret = BM_CreateNSSec(a[0], a[1], 0, a[2]);
	check(!ret || ret == -EEXIST, "BM_CreateNSSec", ret);
	ret = BM_AllocSec(&e, size, 0, NULL);
	check(!ret, "BM_AllocSec", ret);
	ret = BM_WriteSec(&e, 0, size, buf, 0);
	check(!ret, "BM_WriteSec of the pattern", ret);
	ret = BM_ExpandSec(&e, size, 0);
	check(ret == -EINVAL, "BM_ExpandSec to the same size: EINVAL", ret);
	expand_other_user(&e, big);
	ret = BM_ExpandSec(&e, big, 0);
	check(!ret && e.size == big, "BM_ExpandSec of the member's object",
	      ret);
	check(read_bad(&e, size, 0) < 0, "its bytes are kept",
	      read_bad(&e, size, 0));
	check(zero_bad(&e, size, big) < 0, "the new bytes read zero",
	      zero_bad(&e, size, big));
	ret = BM_MapSec(&e, PROT_READ | PROT_WRITE, BM_MAP_SHARED,
			(void **)&p);
	check(!ret && p, "a read-write shared mapping of the whole object",
	      ret);
	if (!ret && p) {
		check(p[big - 1] == 0 && p[size - 1] == mh_pattern(size - 1),
		      "it sees the old bytes and the new zeros", p[big - 1]);
		memcpy(p + size, buf + size, big - size);
		check(BM_Unmap(e.bmId, p) == 0, "BM_Unmap", 0);
	}
	check(read_bad(&e, big, 0) < 0,
	      "the pattern written into the new bytes reads back",
	      read_bad(&e, big, 0));
	ret = BM_PublishSec(&e, 0);
	check(!ret, "BM_PublishSec of the expanded object", ret);
	ret = BM_ExpandSec(&e, big + 1, 0);
	check(ret == -EACCES, "BM_ExpandSec of a published object: EACCES",
	      ret);
	free(buf);
}

static void do_limit(char **a)
{
	BmInfo x = mh_info(a, a[2], a[3]), sp[40];
	size_t step = 4 << 20, size = 1;
	unsigned char c;
	int i, n = 0, ret = 0, bad = 0;

	ret = BM_AllocSec(&x, size, 0, NULL);
	check(!ret, "BM_AllocSec of the object to grow", ret);
	if (ret)
		return;
	for (i = 0; i < 40; i++) {
		sp[n] = mh_info(a, a[2], "");
		ret = BM_AllocSec(&sp[n], 1, 0, NULL);
		if (ret)
			break;
		n++;
		ret = BM_ExpandSec(&x, size + step, 0);
		if (ret)
			break;
		size += step;
		c = (unsigned char)(i + 1);
		BM_WriteSec(&x, size - 1, 1, &c, 0);
	}
	check(ret == -E2BIG,
	      "an expand past the extents per object is refused: E2BIG", ret);
	printf("# %d expands of 4 MiB before E2BIG\n", i);
	check(x.size == size, "the refused expand left the size", (long)x.size);
	for (i = 0; i < 40 && size > 1 + (size_t)i * step; i++) {
		c = 0;
		ret = BM_ReadSec(&x, 1 + (size_t)(i + 1) * step - 1, 1, &c, 0);
		bad += ret || c != (unsigned char)(i + 1);
	}
	check(!bad, "every step's last byte reads back", bad);
	while (n--)
		bad += BM_FreeSec(&sp[n], 0) != 0;
	check(!bad, "BM_FreeSec of the 1-byte objects", bad);
	check(BM_FreeSec(&x, 0) == 0, "BM_FreeSec of the grown object", 0);
}

static int run(int argc, char **argv)
{
	const char *cmd = argv[1];

	if (!strcmp(cmd, "publish") && argc == 7)
		do_publish(argv + 2, strtoull(argv[6], NULL, 0));
	else if (!strcmp(cmd, "cow") && argc == 9)
		do_cow(argv + 2, strtoull(argv[6], NULL, 0), argv[7], argv[8]);
	else if (!strcmp(cmd, "check") && argc == 9)
		do_check(argv + 2, strtoull(argv[6], NULL, 0), atoi(argv[7]),
			 atoi(argv[8]));
	else if (!strcmp(cmd, "expand") && argc == 7)
		do_expand(argv + 2, strtoull(argv[6], NULL, 0));
	else if (!strcmp(cmd, "limit") && argc == 6)
		do_limit(argv + 2);
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	return mh_main(argc, argv, "mh_cow", 2, run);
}
