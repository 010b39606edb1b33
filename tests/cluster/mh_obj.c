// SPDX-License-Identifier: GPL-2.0
/*
 * mh_obj.c - one host's side of tests/cluster/t_mh_obj.sh: objects of a
 * multi-host pool through the BM_* calls.  Not a test by itself: run
 * without arguments (as the guest suite does), it skips.
 *
 *   mh_obj create POOL NS SECID ID SIZE
 *	create the namespace (EEXIST is fine) and the object; write the
 *	pattern, the first half with BM_WriteSec and the second through a
 *	read-write MAP_SHARED mapping; read it back; publish it
 *   mh_obj read POOL NS SECID ID SIZE STATS
 *	a wrong secId is refused; BM_GetSec finds the object another host
 *	published, a second BM_GetSec sends no request (STATS is the
 *	pool's mh_stats file); BM_ReadSec and a read-only MAP_SHARED
 *	mapping see every byte of the pattern; BM_WriteSec, a read-write
 *	mapping, a private mapping, BM_FreeSec and BM_PublishSec are
 *	refused; BM_PutSec twice
 *   mh_obj free POOL NS SECID ID
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

#include <memfabric/bm.h>

static int nfail, npass;
static const char *cmd = "";

static void check(int ok, const char *what, long got)
{
	if (ok) {
		npass++;
		printf("PASS: mh_obj %s: %s\n", cmd, what);
	} else {
		nfail++;
		printf("FAIL: mh_obj %s: %s (got %ld)\n", cmd, what, got);
	}
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 131 + 7 + (i >> 12));
}

static BmInfo info(char **a, const char *secid)
{
	BmInfo b;

	memset(&b, 0, sizeof(b));
	snprintf(b.poolName, sizeof(b.poolName), "%s", a[0]);
	snprintf(b.ns, sizeof(b.ns), "%s", a[1]);
	snprintf(b.secId, sizeof(b.secId), "%s", secid);
	snprintf(b.bmId, sizeof(b.bmId), "%s", a[3]);
	return b;
}

/* The first byte that differs from the pattern, or -1. */
static long bad_byte(const unsigned char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != pattern(i))
			return (long)i;
	return -1;
}

static long requests(const char *stats)
{
	long n = -1;
	FILE *f = fopen(stats, "r");

	if (!f)
		return -1;
	if (fscanf(f, "requests %ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static int do_create(char **a, size_t size)
{
	BmInfo b = info(a, a[2]);
	unsigned char *buf = malloc(size), *p = NULL;
	size_t i, half = size / 2;
	int ret;

	if (!buf)
		return 1;
	for (i = 0; i < size; i++)
		buf[i] = pattern(i);
	ret = BM_CreateNSSec(a[0], a[1], 0, a[2]);
	check(!ret || ret == -EEXIST, "BM_CreateNSSec", ret);
	ret = BM_AllocSec(&b, size, 0, NULL);
	check(!ret, "BM_AllocSec on the multi-host pool", ret);
	ret = BM_WriteSec(&b, 0, half, buf, 0);
	check(!ret, "BM_WriteSec of the first half", ret);
	ret = BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_SHARED, (void **)&p);
	check(!ret && p, "BM_MapSec read-write, shared", ret);
	if (!ret && p) {
		memcpy(p + half, buf + half, size - half);
		check(bad_byte(p, size) < 0, "the mapping sees every byte",
		      bad_byte(p, size));
		ret = BM_Unmap(b.bmId, p);
		check(!ret, "BM_Unmap", ret);
	}
	memset(buf, 0, size);
	ret = BM_ReadSec(&b, 0, size, buf, 0);
	check(!ret && bad_byte(buf, size) < 0, "BM_ReadSec reads the pattern",
	      ret ? ret : bad_byte(buf, size));
	ret = BM_PublishSec(&b, 0);
	check(!ret, "BM_PublishSec", ret);
	ret = BM_GetSec(&b, 0);
	check(!ret && b.type == BM_TYPE_SHARED_RO && b.size == size,
	      "the owner's own BM_GetSec sees it published", ret);
	ret = BM_PutSec(&b, 0);
	check(!ret, "BM_PutSec", ret);
	free(buf);
	return 0;
}

static int do_read(char **a, size_t size, const char *stats)
{
	BmInfo b = info(a, a[2]), bad = info(a, "not-the-secid");
	unsigned char *buf = calloc(1, size), *p = NULL;
	long r0, r1, r2;
	int ret;

	if (!buf)
		return 1;
	ret = BM_GetSec(&bad, 0);
	check(ret == -EACCES || ret == -ENOENT, "a wrong secId is refused",
	      ret);
	r0 = requests(stats);
	ret = BM_GetSec(&b, 0);
	check(!ret, "BM_GetSec finds the object another host published", ret);
	check(b.size == size && b.type == BM_TYPE_SHARED_RO,
	      "its size and type", (long)b.size);
	r1 = requests(stats);
	check(r1 == r0 + 1, "the first get sent one request (GET)", r1 - r0);
	ret = BM_GetSec(&b, 0);
	check(!ret, "a second BM_GetSec", ret);
	r2 = requests(stats);
	check(r2 == r1, "the second get sent no request", r2 - r1);
	ret = BM_GetSec(&bad, 0);
	check(ret == -EACCES, "a wrong secId is refused once it is held", ret);
	ret = BM_ReadSec(&b, 0, size, buf, 0);
	check(!ret && bad_byte(buf, size) < 0,
	      "BM_ReadSec reads every byte of the pattern",
	      ret ? ret : bad_byte(buf, size));
	ret = BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, (void **)&p);
	check(!ret && p, "BM_MapSec read-only, shared", ret);
	if (!ret && p) {
		check(bad_byte(p, size) < 0,
		      "the mapping sees every byte of the pattern",
		      bad_byte(p, size));
		check(BM_Unmap(b.bmId, p) == 0, "BM_Unmap", 0);
	}
	p = NULL;
	ret = BM_WriteSec(&b, 0, 1, buf, 0);
	check(ret == -EACCES, "BM_WriteSec is refused", ret);
	ret = BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_SHARED, (void **)&p);
	check(ret == -EACCES, "a read-write shared mapping is refused", ret);
	ret = BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_PRIVATE,
			(void **)&p);
	check(ret == -EOPNOTSUPP, "a private mapping is refused (not yet)",
	      ret);
	ret = BM_FreeSec(&b, 0);
	check(ret == -EPERM, "BM_FreeSec of another host's object is refused",
	      ret);
	ret = BM_PublishSec(&b, 0);
	check(ret == -EALREADY || ret == -EPERM, "BM_PublishSec is refused",
	      ret);
	/* Nothing refused above changed a byte of the published object. */
	memset(buf, 0, size);
	ret = BM_ReadSec(&b, 0, size, buf, 0);
	check(ret == 0 && bad_byte(buf, size) < 0,
	      "after the refused writes, every byte is still the pattern",
	      ret ? ret : bad_byte(buf, size));
	ret = BM_PutSec(&b, 0);
	check(!ret, "BM_PutSec", ret);
	ret = BM_PutSec(&b, 0);
	check(!ret, "BM_PutSec of the second reference", ret);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	BmInitAttr attr;
	int ret;

	if (argc < 2) {
		printf("SKIP: mh_obj: a helper of tests/cluster/t_mh_obj.sh\n");
		return 77;
	}
	cmd = argv[1];
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.defaultPool = argc > 2 ? argv[2] : NULL;
	ret = BM_InitWithExtAttr(NULL, 0, &attr);
	if (ret) {
		printf("FAIL: mh_obj: BM_Init: %d\n", ret);
		return 1;
	}
	if (!strcmp(cmd, "create") && argc == 7)
		do_create(argv + 2, strtoull(argv[6], NULL, 0));
	else if (!strcmp(cmd, "read") && argc == 8)
		do_read(argv + 2, strtoull(argv[6], NULL, 0), argv[7]);
	else if (!strcmp(cmd, "free") && argc == 6)
		check(BM_FreeSec((BmInfo[]){ info(argv + 2, argv[4]) }, 0) == 0,
		      "BM_FreeSec", 0);
	else
		check(0, "usage", argc);
	BM_Exit();
	printf("mh_obj %s: %d passed, %d failed\n", cmd, npass, nfail);
	return nfail ? 1 : 0;
}
