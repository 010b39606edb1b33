// SPDX-License-Identifier: GPL-2.0
/*
 * mf_remote_bench.c - latency and bandwidth of BM_ReadSec/BM_WriteSec on a
 * remote object (mfserverd over rxe), for bench/remote/run, which runs
 * perftest over the same link in the same guest.
 *
 *   mf_remote_bench SERVER_ADDR LAT_ITERS LAT_SIZE BW_ITERS BW_SIZE
 *
 * Prints "mf_read_lat <avg us> <typical us>", "mf_write_lat ...",
 * "mf_read_bw <MiB/s>", "mf_write_bw <MiB/s>".  LAT_ITERS 0 skips the
 * latencies, BW_ITERS 0 the bandwidths (bench/remote/run runs them in
 * separate rounds).  The object is held (BM_AllocSec), as an application
 * would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <memfabric/bm.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int lat(const char *what, BmInfo *o, int write, long iters, size_t size,
	       char *buf)
{
	double *t = calloc(iters, sizeof(double)), sum = 0;

	for (long i = 0; i < iters / 10 + 1; i++) /* warm up */
		if ((write ? BM_WriteSec(o, 0, size, buf, 0)
			   : BM_ReadSec(o, 0, size, buf, 0)))
			return -1;
	for (long i = 0; i < iters; i++) {
		double s = now_us();
		int rc = write ? BM_WriteSec(o, 0, size, buf, 0)
			       : BM_ReadSec(o, 0, size, buf, 0);
		t[i] = now_us() - s;
		if (rc) {
			fprintf(stderr, "%s: %s\n", what, BM_StrError(rc));
			return -1;
		}
		sum += t[i];
	}
	qsort(t, iters, sizeof(double), cmp);
	printf("%s %.2f %.2f\n", what, sum / iters, t[iters / 2]);
	free(t);
	return 0;
}

static int bw(const char *what, BmInfo *o, int write, long iters, size_t size,
	      char *buf)
{
	if (write ? BM_WriteSec(o, 0, size, buf, 0) : BM_ReadSec(o, 0, size, buf, 0))
		return -1;
	double s = now_us();
	for (long i = 0; i < iters; i++) {
		int rc = write ? BM_WriteSec(o, 0, size, buf, 0)
			       : BM_ReadSec(o, 0, size, buf, 0);
		if (rc) {
			fprintf(stderr, "%s: %s\n", what, BM_StrError(rc));
			return -1;
		}
	}
	double us = now_us() - s;
	printf("%s %.1f\n", what, (double)size * iters / us * 1e6 / (1 << 20));
	return 0;
}

int main(int argc, char **argv)
{
	char nodes[128];
	BmInitAttr a;
	BmInfo o;
	int rc;

	if (argc != 6) {
		fprintf(stderr, "usage: %s SERVER_ADDR LAT_ITERS LAT_SIZE "
			"BW_ITERS BW_SIZE\n", argv[0]);
		return 2;
	}
	long lit = atol(argv[2]), bit = atol(argv[4]);
	size_t lsz = strtoul(argv[3], NULL, 0), bsz = strtoul(argv[5], NULL, 0);

	if (lit < 0 || bit < 0 || (lit == 0 && bit == 0) || !lsz || !bsz) {
		fprintf(stderr, "%s: LAT_ITERS and BW_ITERS >= 0, not both 0; "
			"sizes > 0\n", argv[0]);
		return 2;
	}
	snprintf(nodes, sizeof(nodes), "bench=%s", argv[1]);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.remoteNodes = nodes;
	/* $MF_BENCH_CONFIG: a config file with remote_client and remote_key
	 * (mfserverd authenticates every client). */
	const char *conf = getenv("MF_BENCH_CONFIG");
	if ((rc = BM_InitWithExtAttr(conf && *conf ? (char *)conf : NULL, 0,
				     &a))) {
		fprintf(stderr, "BM_InitWithExtAttr: %s\n", BM_StrError(rc));
		return 1;
	}
	BM_CreateNSSec("bench:pool0", "rbench", 0, "bench-secret");
	memset(&o, 0, sizeof(o));
	strcpy(o.poolName, "bench:pool0");
	strcpy(o.ns, "rbench");
	strcpy(o.secId, "bench-secret");
	strcpy(o.bmId, "obj");
	BM_FreeSec(&o, 0);
	size_t osz = bsz > lsz ? bsz : lsz;
	if ((rc = BM_AllocSec(&o, osz, 0, NULL))) {
		fprintf(stderr, "BM_AllocSec: %s\n", BM_StrError(rc));
		return 1;
	}
	char *buf = malloc(osz);
	memset(buf, 0x5a, osz);
	rc = (lit > 0 && (lat("mf_read_lat", &o, 0, lit, lsz, buf) ||
			  lat("mf_write_lat", &o, 1, lit, lsz, buf))) ||
	     (bit > 0 && (bw("mf_read_bw", &o, 0, bit, bsz, buf) ||
			  bw("mf_write_bw", &o, 1, bit, bsz, buf)));
	BM_FreeSec(&o, 0);
	BM_DestroyNSSec("bench:pool0", "rbench", "bench-secret");
	BM_Exit();
	return rc ? 1 : 0;
}
