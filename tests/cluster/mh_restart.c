// SPDX-License-Identifier: GPL-2.0
/*
 * mh_restart.c - one host's side of tests/cluster/t_mh_restart.sh: objects
 * of a multi-host pool while its manager is killed and booted again.  Not
 * a test by itself: run without arguments (as the guest suite does), it
 * skips.  Each object's bytes are a pattern seeded by its id, so that an
 * object read in place of another one is caught.
 *
 *   mh_restart create POOL NS SECID ID SIZE publish|private
 *	namespace (EEXIST is fine), BM_AllocSec, the pattern written with
 *	BM_WriteSec, read back; BM_PublishSec if asked
 *   mh_restart verify POOL NS SECID ID SIZE
 *	BM_GetSec, BM_ReadSec and a read-only MAP_SHARED mapping see every
 *	byte of the pattern; BM_PutSec
 *   mh_restart hold POOL NS SECID ID SIZE DIR [any]
 *	BM_GetSec and a read-only MAP_SHARED mapping, then read both ways
 *	and check every byte, over and over, until DIR/hold-stop exists;
 *	rounds run while DIR/manager-down exists are counted apart, and
 *	at least one is required (not with "any"); then BM_Unmap and
 *	BM_PutSec
 *   mh_restart down OP POOL NS SECID ID [SIZE]
 *	OP (alloc, get or publish) while the manager is down: it fails
 *	with -ETIMEDOUT or -EAGAIN within 10 s
 *   mh_restart publish|free POOL NS SECID ID
 *	BM_PublishSec or BM_FreeSec, which succeed
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
#include <time.h>
#include <unistd.h>

#include "mh_common.h"

static unsigned int seed_of(const char *id)
{
	unsigned int s = 5381;

	while (*id)
		s = s * 33 + (unsigned char)*id++;
	return s;
}

static unsigned char pattern(unsigned int seed, size_t i)
{
	return (unsigned char)(i * 131 + seed + (i >> 12) * 7);
}

/* The first byte that differs from @id's pattern, or -1. */
static long bad_byte(const unsigned char *p, size_t size, const char *id)
{
	unsigned int seed = seed_of(id);
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != pattern(seed, i))
			return (long)i;
	return -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int exists(const char *dir, const char *file)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

static void do_create(char **a, size_t size, int publish)
{
	BmInfo b = mh_info(a, NULL, NULL);
	unsigned int seed = seed_of(a[3]);
	unsigned char *buf = malloc(size);
	size_t i;
	int ret;

	if (!buf) {
		check(0, "memory", 0);
		return;
	}
	for (i = 0; i < size; i++)
		buf[i] = pattern(seed, i);
	mh_make(&b, a, size, buf, size);
	memset(buf, 0, size);
	ret = BM_ReadSec(&b, 0, size, buf, 0);
	check(!ret && bad_byte(buf, size, a[3]) < 0,
	      "BM_ReadSec reads the pattern back",
	      ret ? ret : bad_byte(buf, size, a[3]));
	if (publish) {
		ret = BM_PublishSec(&b, 0);
		check(!ret, "BM_PublishSec", ret);
	}
	free(buf);
}

/* BM_ReadSec and the mapping @p of @b see the pattern; the bad byte or -1. */
static long read_both(BmInfo *b, const unsigned char *p, unsigned char *buf,
		      size_t size)
{
	long bad;
	int ret;

	memset(buf, 0, size);
	ret = BM_ReadSec(b, 0, size, buf, 0);
	if (ret)
		return ret < 0 ? ret : -1000;
	bad = bad_byte(buf, size, b->bmId);
	if (bad >= 0)
		return bad;
	return p ? bad_byte(p, size, b->bmId) : -1;
}

static void do_verify(char **a, size_t size)
{
	BmInfo b = mh_info(a, NULL, NULL);
	unsigned char *buf = malloc(size), *p = NULL;
	long bad;
	int ret;

	if (!buf) {
		check(0, "memory", 0);
		return;
	}
	ret = BM_GetSec(&b, 0);
	check(!ret && b.size == size && b.type == BM_TYPE_SHARED_RO,
	      "BM_GetSec finds it published, its size", ret ? ret : (long)b.size);
	if (ret) {
		free(buf);
		return;
	}
	ret = BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, (void **)&p);
	check(!ret && p, "BM_MapSec read-only, shared", ret);
	bad = read_both(&b, ret ? NULL : p, buf, size);
	check(bad == -1, "BM_ReadSec and the mapping see every byte", bad);
	if (!ret && p)
		check(BM_Unmap(b.bmId, p) == 0, "BM_Unmap", 0);
	ret = BM_PutSec(&b, 0);
	check(!ret, "BM_PutSec", ret);
	free(buf);
}

static void do_hold(char **a, size_t size, const char *dir, int any)
{
	BmInfo b = mh_info(a, NULL, NULL);
	unsigned char *buf = malloc(size), *p = NULL;
	long rounds = 0, down = 0, bad, first_bad = -1;
	int ret;

	if (!buf) {
		check(0, "memory", 0);
		return;
	}
	ret = BM_GetSec(&b, 0);
	check(!ret, "BM_GetSec", ret);
	if (!ret) {
		ret = BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, (void **)&p);
		check(!ret && p, "BM_MapSec read-only, shared", ret);
	}
	if (ret) {
		free(buf);
		return;
	}
	while (!exists(dir, "hold-stop")) {
		int is_down = exists(dir, "manager-down");

		bad = read_both(&b, p, buf, size);
		if (bad != -1 && first_bad == -1)
			first_bad = bad;
		rounds++;
		down += is_down;
		/* A get of the held object asks nobody. */
		if (is_down && BM_GetSec(&b, 0) == 0)
			BM_PutSec(&b, 0);
		usleep(100000);
	}
	check(first_bad == -1,
	      "every read through the mapping and BM_ReadSec saw the pattern",
	      first_bad);
	if (!any)
		check(down > 0, "reads went on while the manager was down",
		      down);
	printf("mh_restart hold: %ld rounds, %ld while the manager was down\n",
	       rounds, down);
	check(BM_Unmap(b.bmId, p) == 0, "BM_Unmap", 0);
	ret = BM_PutSec(&b, 0);
	check(!ret, "BM_PutSec", ret);
	free(buf);
}

static void do_down(const char *op, char **a, size_t size)
{
	BmInfo b = mh_info(a, NULL, NULL);
	double t0 = now_s(), dt;
	char what[160];
	int ret;

	if (!strcmp(op, "alloc"))
		ret = BM_AllocSec(&b, size, 0, NULL);
	else if (!strcmp(op, "get"))
		ret = BM_GetSec(&b, 0);
	else if (!strcmp(op, "publish"))
		ret = BM_PublishSec(&b, 0);
	else
		ret = -EINVAL;
	dt = now_s() - t0;
	snprintf(what, sizeof(what),
		 "%s while the manager is down fails with -ETIMEDOUT or -EAGAIN",
		 op);
	check(ret == -ETIMEDOUT || ret == -EAGAIN, what, ret);
	snprintf(what, sizeof(what), "%s fails within 10 s (%.1f s)", op, dt);
	check(dt < 10, what, (long)dt);
}

/* BM_PublishSec, which succeeds. */
static void do_publish(char **a)
{
	BmInfo b = mh_info(a, NULL, NULL);
	int ret = BM_PublishSec(&b, 0);

	check(!ret, "BM_PublishSec", ret);
}

static int run(int argc, char **argv)
{
	const char *cmd = argv[1];

	if (!strcmp(cmd, "create") && argc == 8)
		do_create(argv + 2, strtoull(argv[6], NULL, 0),
			  !strcmp(argv[7], "publish"));
	else if (!strcmp(cmd, "verify") && argc == 7)
		do_verify(argv + 2, strtoull(argv[6], NULL, 0));
	else if (!strcmp(cmd, "hold") && (argc == 8 || argc == 9))
		do_hold(argv + 2, strtoull(argv[6], NULL, 0), argv[7],
			argc == 9 && !strcmp(argv[8], "any"));
	else if (!strcmp(cmd, "down") && (argc == 7 || argc == 8))
		do_down(argv[2], argv + 3,
			argc == 8 ? strtoull(argv[7], NULL, 0) : 0);
	else if (!strcmp(cmd, "publish") && argc == 6)
		do_publish(argv + 2);
	else
		return -1;
	return 0;
}

/* argv[2] is not always the pool ("down OP POOL ..."): no default pool. */
int main(int argc, char **argv)
{
	return mh_main(argc, argv, "mh_restart", 0, run);
}
