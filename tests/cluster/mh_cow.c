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
 *	expand refused (EOPNOTSUPP); freed
 *   mh_cow cow POOL NS SECID ID SIZE STATS NEWID
 *	on another host: BM_GetSec; a read-write MAP_PRIVATE mapping reads
 *	the pattern in place; writes to it change the mapping only
 *	(BM_ReadSec and a shared mapping still read the pattern); commit
 *	with a wrong secId refused; BM_CommitSec(PUBLISH) makes NEWID with
 *	two requests (DERIVE, PUBLISH), shared read-only, reading the
 *	modified bytes; an id taken refused; a commit without publish is
 *	private and writable; derive of the held object: a private copy,
 *	writable, the original unchanged; expand refused; unmap, put
 *   mh_cow check POOL NS SECID ID SIZE MOD OWN
 *	BM_GetSec; BM_ReadSec and a read-only shared mapping see the
 *	pattern (MOD 0) or the modified pattern (MOD 1); BM_WriteSec, a
 *	read-write shared mapping and publish refused, and free too unless
 *	the object is this host's own (OWN 1); a private mapping's writes
 *	stay local; put
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
	check(ret == -EOPNOTSUPP, "BM_ExpandSec on a multi-host pool: EOPNOTSUPP",
	      ret);
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
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	return mh_main(argc, argv, "mh_cow", 2, run);
}
