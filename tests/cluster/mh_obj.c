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
 *	shared mapping, BM_FreeSec and BM_PublishSec are refused; a
 *	private mapping is made; BM_PutSec twice
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

#include "mh_common.h"

static int do_create(char **a, size_t size)
{
	BmInfo b = mh_info(a, NULL, NULL);
	unsigned char *buf = mh_pattern_buf(size), *p = NULL;
	size_t half = size / 2;
	int ret;

	if (!buf)
		return 1;
	mh_make(&b, a, size, buf, half);
	ret = BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_SHARED, (void **)&p);
	check(!ret && p, "BM_MapSec read-write, shared", ret);
	if (!ret && p) {
		memcpy(p + half, buf + half, size - half);
		check(mh_bad_byte(p, size) < 0, "the mapping sees every byte",
		      mh_bad_byte(p, size));
		ret = BM_Unmap(b.bmId, p);
		check(!ret, "BM_Unmap", ret);
	}
	memset(buf, 0, size);
	ret = BM_ReadSec(&b, 0, size, buf, 0);
	check(!ret && mh_bad_byte(buf, size) < 0, "BM_ReadSec reads the pattern",
	      ret ? ret : mh_bad_byte(buf, size));
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
	BmInfo b = mh_info(a, NULL, NULL), bad = mh_info(a, "not-the-secid", NULL);
	unsigned char *buf = calloc(1, size), *p = NULL;
	long r0, r1, r2;
	int ret;

	if (!buf)
		return 1;
	ret = BM_GetSec(&bad, 0);
	check(ret == -EACCES || ret == -ENOENT, "a wrong secId is refused",
	      ret);
	r0 = mh_stat(stats, "requests");
	ret = BM_GetSec(&b, 0);
	check(!ret, "BM_GetSec finds the object another host published", ret);
	check(b.size == size && b.type == BM_TYPE_SHARED_RO,
	      "its size and type", (long)b.size);
	r1 = mh_stat(stats, "requests");
	check(r1 == r0 + 1, "the first get sent one request (GET)", r1 - r0);
	ret = BM_GetSec(&b, 0);
	check(!ret, "a second BM_GetSec", ret);
	r2 = mh_stat(stats, "requests");
	check(r2 == r1, "the second get sent no request", r2 - r1);
	ret = BM_GetSec(&bad, 0);
	check(ret == -EACCES, "a wrong secId is refused once it is held", ret);
	ret = BM_ReadSec(&b, 0, size, buf, 0);
	check(!ret && mh_bad_byte(buf, size) < 0,
	      "BM_ReadSec reads every byte of the pattern",
	      ret ? ret : mh_bad_byte(buf, size));
	ret = BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, (void **)&p);
	check(!ret && p, "BM_MapSec read-only, shared", ret);
	if (!ret && p) {
		check(mh_bad_byte(p, size) < 0,
		      "the mapping sees every byte of the pattern",
		      mh_bad_byte(p, size));
		check(BM_Unmap(b.bmId, p) == 0, "BM_Unmap", 0);
	}
	p = NULL;
	ret = BM_WriteSec(&b, 0, 1, buf, 0);
	check(ret == -EACCES, "BM_WriteSec is refused", ret);
	ret = BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_SHARED, (void **)&p);
	check(ret == -EACCES, "a read-write shared mapping is refused", ret);
	ret = BM_MapSec(&b, PROT_READ | PROT_WRITE, BM_MAP_PRIVATE,
			(void **)&p);
	check(!ret && p, "a private mapping (t_mh_cow.sh tests it)", ret);
	if (!ret && p)
		check(BM_Unmap(b.bmId, p) == 0, "BM_Unmap", 0);
	ret = BM_FreeSec(&b, 0);
	check(ret == -EPERM, "BM_FreeSec of another host's object is refused",
	      ret);
	ret = BM_PublishSec(&b, 0);
	check(ret == -EALREADY || ret == -EPERM, "BM_PublishSec is refused",
	      ret);
	/* Nothing refused above changed a byte of the published object. */
	memset(buf, 0, size);
	ret = BM_ReadSec(&b, 0, size, buf, 0);
	check(ret == 0 && mh_bad_byte(buf, size) < 0,
	      "after the refused writes, every byte is still the pattern",
	      ret ? ret : mh_bad_byte(buf, size));
	ret = BM_PutSec(&b, 0);
	check(!ret, "BM_PutSec", ret);
	ret = BM_PutSec(&b, 0);
	check(!ret, "BM_PutSec of the second reference", ret);
	free(buf);
	return 0;
}

static int run(int argc, char **argv)
{
	const char *cmd = argv[1];

	if (!strcmp(cmd, "create") && argc == 7)
		do_create(argv + 2, strtoull(argv[6], NULL, 0));
	else if (!strcmp(cmd, "read") && argc == 8)
		do_read(argv + 2, strtoull(argv[6], NULL, 0), argv[7]);
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	return mh_main(argc, argv, "mh_obj", 2, run);
}
