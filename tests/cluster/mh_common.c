// SPDX-License-Identifier: GPL-2.0
/*
 * mh_common.c - what the cluster tests' per-host helpers share
 * (mh_common.h).  Not a program: tests/Makefile links it into each of
 * them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mh_common.h"

static int npass, nfail;
static const char *tool = "";
const char *mh_cmd = "";

void check(int ok, const char *what, long got)
{
	if (ok) {
		npass++;
		printf("PASS: %s %s: %s\n", tool, mh_cmd, what);
	} else {
		nfail++;
		printf("FAIL: %s %s: %s (got %ld)\n", tool, mh_cmd, what, got);
	}
	fflush(stdout);
}

unsigned char mh_pattern(size_t i)
{
	return (unsigned char)(i * 131 + 7 + (i >> 12));
}

unsigned char *mh_pattern_buf(size_t size)
{
	unsigned char *buf = malloc(size);
	size_t i;

	check(buf != NULL, "a buffer for the pattern", (long)size);
	for (i = 0; buf && i < size; i++)
		buf[i] = mh_pattern(i);
	return buf;
}

long mh_bad_byte(const unsigned char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != mh_pattern(i))
			return (long)i;
	return -1;
}

BmInfo mh_info(char **a, const char *secid, const char *id)
{
	BmInfo b;

	memset(&b, 0, sizeof(b));
	snprintf(b.poolName, sizeof(b.poolName), "%s", a[0]);
	snprintf(b.ns, sizeof(b.ns), "%s", a[1]);
	snprintf(b.secId, sizeof(b.secId), "%s", secid ? secid : a[2]);
	snprintf(b.bmId, sizeof(b.bmId), "%s", id ? id : a[3]);
	return b;
}

int mh_make(BmInfo *b, char **a, size_t size, const unsigned char *buf,
	    size_t len)
{
	int ret;

	ret = BM_CreateNSSec(a[0], a[1], 0, a[2]);
	check(!ret || ret == -EEXIST, "BM_CreateNSSec", ret);
	ret = BM_AllocSec(b, size, 0, NULL);
	check(!ret, "BM_AllocSec", ret);
	if (ret)
		return ret;
	ret = BM_WriteSec(b, 0, len, buf, 0);
	check(!ret, "BM_WriteSec of the pattern", ret);
	return ret;
}

long mh_stat(const char *stats, const char *key)
{
	char k[64];
	long v, n = -1;
	FILE *f = fopen(stats, "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", k, &v) == 2)
		if (!strcmp(k, key))
			n = v;
	fclose(f);
	return n;
}

int mh_main(int argc, char **argv, const char *name, int pool_arg,
	    int (*run)(int argc, char **argv))
{
	BmInitAttr attr;
	int ret;

	tool = name;
	if (argc < 2) {
		printf("SKIP: %s: a helper of tests/cluster/t_%s.sh\n", tool,
		       tool);
		return 77;
	}
	mh_cmd = argv[1];
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.defaultPool = pool_arg && argc > pool_arg ? argv[pool_arg] : NULL;
	ret = BM_InitWithExtAttr(NULL, 0, &attr);
	if (ret) {
		printf("FAIL: %s: BM_Init: %d\n", tool, ret);
		return 1;
	}
	if (run(argc, argv) >= 0)
		;
	else if (!strcmp(mh_cmd, "free") && argc == 6)
		check(BM_FreeSec((BmInfo[]){ mh_info(argv + 2, NULL, NULL) }, 0) == 0,
		      "BM_FreeSec", 0);
	else
		check(0, "usage", argc);
	BM_Exit();
	printf("%s %s: %d passed, %d failed\n", tool, mh_cmd, npass, nfail);
	return nfail ? 1 : 0;
}
