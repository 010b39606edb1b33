// SPDX-License-Identifier: GPL-2.0
/*
 * mh_name.c - one host's side of tests/cluster/t_mh_name.sh: names of a
 * multi-host pool's objects across hosts (the manager's name index).  Not
 * a test by itself: run without arguments (as the guest suite does), it
 * skips.
 *
 *   mh_name dup POOL NS SECID ID SIZE
 *	the namespace (EEXIST is fine) and a private object of the name
 *	another host published: the alloc succeeds (names are reserved by
 *	publishing); a byte pattern of its own written; BM_PublishSec is
 *	refused -EEXIST; the object is still private and this host's:
 *	BM_ReadSec reads its own bytes, BM_WriteSec works; BM_FreeSec
 *   mh_name commit POOL NS SECID ID DST SIZE
 *	BM_GetSec of ID (another host's, with mh_obj's pattern); a
 *	read-write MAP_PRIVATE mapping of it, written;
 *	BM_CommitSec(BM_COMMIT_PUBLISH) to DST, a name another host
 *	published, is refused -EEXIST by the manager; DST is then got and
 *	reads that host's pattern, not the written bytes; unmap, puts
 *   mh_name get POOL NS SECID ID ERRNO
 *	BM_GetSec answers -ERRNO (0: found, then BM_PutSec)
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

#include <memfabric/bm.h>

static int nfail, npass;
static const char *cmd = "";

static void check(int ok, const char *what, long got)
{
	if (ok) {
		npass++;
		printf("PASS: mh_name %s: %s\n", cmd, what);
	} else {
		nfail++;
		printf("FAIL: mh_name %s: %s (got %ld)\n", cmd, what, got);
	}
}

static BmInfo info(char **a)
{
	BmInfo b;

	memset(&b, 0, sizeof(b));
	snprintf(b.poolName, sizeof(b.poolName), "%s", a[0]);
	snprintf(b.ns, sizeof(b.ns), "%s", a[1]);
	snprintf(b.secId, sizeof(b.secId), "%s", a[2]);
	snprintf(b.bmId, sizeof(b.bmId), "%s", a[3]);
	return b;
}

/* mh_obj.c's pattern. */
static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 131 + 7 + (i >> 12));
}

static long bad_byte(const unsigned char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != pattern(i))
			return (long)i;
	return -1;
}

static void do_commit(char **a, size_t size)
{
	BmInfo b = info(a), c = info(a);
	unsigned char *p = NULL, *buf = calloc(1, size);
	int ret;

	snprintf(c.bmId, sizeof(c.bmId), "%s", a[4]);
	if (!buf) {
		check(0, "memory", 0);
		return;
	}
	ret = BM_GetSec(&b, 0);
	check(!ret, "BM_GetSec of the source", ret);
	if (ret)
		goto out;
	ret = BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_PRIVATE,
			(void **)&p);
	check(!ret && p, "a read-write private mapping", ret);
	if (ret || !p)
		goto put;
	memset(p, 0xee, 4096);
	ret = BM_CommitSec(p, size, &c, BM_COMMIT_PUBLISH);
	check(ret == -EEXIST,
	      "BM_CommitSec(PUBLISH) to a name another host published: -EEXIST",
	      ret);
	check(BM_Unmap(b.bmId, p) == 0, "BM_Unmap", 0);
	c = info(a);
	snprintf(c.bmId, sizeof(c.bmId), "%s", a[4]);
	ret = BM_GetSec(&c, 0);
	check(!ret && c.size == size, "BM_GetSec of that name finds the other host's",
	      ret);
	if (!ret) {
		ret = BM_ReadSec(&c, 0, size, buf, 0);
		check(!ret && bad_byte(buf, size) < 0,
		      "it reads the other host's pattern, not the committed bytes",
		      ret ? ret : bad_byte(buf, size));
		check(BM_PutSec(&c, 0) == 0, "BM_PutSec of it", 0);
	}
put:
	check(BM_PutSec(&b, 0) == 0, "BM_PutSec of the source", 0);
out:
	free(buf);
}

static void do_dup(char **a, size_t size)
{
	unsigned char *buf = malloc(size), *got = calloc(1, size);
	BmInfo b = info(a);
	size_t i;
	int ret;

	if (!buf || !got) {
		check(0, "memory", 0);
		goto out;
	}
	for (i = 0; i < size; i++)
		buf[i] = (unsigned char)(i * 7 + 0x5a);
	ret = BM_CreateNSSec(a[0], a[1], 0, a[2]);
	check(!ret || ret == -EEXIST, "BM_CreateNSSec", ret);
	ret = BM_AllocSec(&b, size, 0, NULL);
	check(!ret, "BM_AllocSec of a name another host published (private)",
	      ret);
	if (ret)
		goto out;
	ret = BM_WriteSec(&b, 0, size, buf, 0);
	check(!ret, "BM_WriteSec of its own bytes", ret);
	ret = BM_PublishSec(&b, 0);
	check(ret == -EEXIST, "BM_PublishSec of the taken name: -EEXIST", ret);
	ret = BM_ReadSec(&b, 0, size, got, 0);
	check(!ret && !memcmp(buf, got, size),
	      "still private: BM_ReadSec reads its own bytes", ret);
	ret = BM_WriteSec(&b, 0, 1, buf, 0);
	check(!ret, "still private: BM_WriteSec works", ret);
	ret = BM_FreeSec(&b, 0);
	check(!ret, "BM_FreeSec", ret);
out:
	free(buf);
	free(got);
}

static void do_get(char **a, int want)
{
	BmInfo b = info(a);
	char what[96];
	int ret;

	ret = BM_GetSec(&b, 0);
	snprintf(what, sizeof(what), "BM_GetSec of %s/%s: %d", a[1], a[3],
		 -want);
	check(ret == -want, what, ret);
	if (!ret)
		check(BM_PutSec(&b, 0) == 0, "BM_PutSec", 0);
}

int main(int argc, char **argv)
{
	BmInitAttr attr;
	int ret;

	if (argc < 2) {
		printf("SKIP: mh_name: a helper of tests/cluster/t_mh_name.sh\n");
		return 77;
	}
	cmd = argv[1];
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.defaultPool = argc > 2 ? argv[2] : NULL;
	ret = BM_InitWithExtAttr(NULL, 0, &attr);
	if (ret) {
		printf("FAIL: mh_name: BM_Init: %d\n", ret);
		return 1;
	}
	if (!strcmp(cmd, "dup") && argc == 7)
		do_dup(argv + 2, strtoull(argv[6], NULL, 0));
	else if (!strcmp(cmd, "commit") && argc == 8)
		do_commit(argv + 2, strtoull(argv[7], NULL, 0));
	else if (!strcmp(cmd, "get") && argc == 7)
		do_get(argv + 2, atoi(argv[6]));
	else
		check(0, "usage", argc);
	BM_Exit();
	printf("mh_name %s: %d passed, %d failed\n", cmd, npass, nfail);
	return nfail ? 1 : 0;
}
