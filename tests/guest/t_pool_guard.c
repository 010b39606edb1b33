// SPDX-License-Identifier: GPL-2.0
/*
 * t_pool_guard - what the raw pool calls may not do to the object layer
 * (issue 15, defects 7 and 9):
 * - MF_IOC_EXTENT_FREE of an extent that holds an object's data or a
 *   record is EBUSY, even for root, and the object's bytes stay; a raw
 *   extent of the caller's own is freed as before.
 * - MF_IOC_POOL_CHECK by a caller without CAP_SYS_ADMIN gets the last
 *   walk's findings while they are fresh instead of walking the whole
 *   allocator under its lock each time: a burst of such calls costs far
 *   less than the same burst by root, which always walks.
 */
#define _GNU_SOURCE
#include <time.h>
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_guard"
#define SECID	"guard-secret"
#define LEN	(3 << 20)
#define BURST	300

static int fd;

static int own_tag(uint64_t tag)
{
	return (tag & MF_TAG_OWN_MASK) == MF_TAG_OWN;
}

static void test_extent_free(void)
{
	unsigned char *buf = malloc(LEN), *back = malloc(LEN);
	struct mf_extent_info *e;
	uint64_t mo = 0, raw = 0, len = 0, tag = 0;
	long n, i;
	int tried = 0, busy = 0, data = 0;

	MFT_OK(mfo_alloc(fd, NS, SECID, "victim", LEN, &mo, NULL),
	       "allocate an object");
	mfo_pattern(buf, LEN, 11, 0);
	MFT_OK(mfo_write(fd, mo, 0, LEN, buf), "fill it");
	n = mfp_extents(fd, mfo_pool, &e);
	MFT_CHECK(n > 0, "EXTENT_LIST lists the pool's extents");
	for (i = 0; i < n; i++) {
		if (!own_tag(e[i].tag))
			continue;
		tried++;
		data += e[i].tag == 0x4d46444154410000ULL;
		errno = 0;
		if (mfp_free(fd, mfo_pool, e[i].offset, NULL, NULL) == -1 &&
		    errno == EBUSY)
			busy++;
	}
	free(e);
	MFT_CHECK(data > 0, "the object's data extent is among them");
	mft_report(tried && busy == tried,
		   "EXTENT_FREE of every object data or record extent is EBUSY",
		   "%d of %d", busy, tried);
	memset(back, 0, LEN);
	MFT_OK(mfo_read(fd, mo, 0, LEN, back), "read the object");
	MFT_CHECK(!memcmp(buf, back, LEN), "its bytes are all still there");
	MFT_OK(mfp_alloc(fd, mfo_pool, 4096, 0x1234, &raw), "a raw extent");
	MFT_OK(mfp_free(fd, mfo_pool, raw, &len, &tag),
	       "a raw extent is still freed");
	MFT_CHECK(len == 4096 && tag == 0x1234, "with its length and tag");
	MFT_OK(mfo_free(fd, NS, SECID, "victim"), "free the object");
	MFT_OK(mfo_put(fd, mo), "put it");
	free(buf);
	free(back);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* @arg: where to put the burst's seconds (shared memory). */
static int burst(int fd_, void *arg)
{
	struct mf_pool_check c;
	double t0 = now();
	int i;

	for (i = 0; i < BURST; i++)
		if (mfp_check(fd_, mfo_pool, &c) || c.errors)
			return 1;
	*(double *)arg = now() - t0;
	return 0;
}

static void test_check(void)
{
	double *t = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double root;

	MFT_CHECK(t != MAP_FAILED, "shared memory for the timings");
	if (t == MAP_FAILED)
		return;
	MFT_OK(burst(fd, &root), "root: a burst of POOL_CHECK, clean each time");
	MFT_CHECK(mfo_as_nobody(fd, burst, t) == 0,
		  "nobody: a burst of POOL_CHECK, clean each time");
	mft_report(t[0] * 3 < root,
		   "nobody's burst costs under a third of root's (it does not walk each time)",
		   "nobody %.4f s, root %.4f s", t[0], root);
	munmap(t, 4096);
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;

	(void)argc;
	fd = mfo_begin(argv[0], NS, SECID, &snap);
	test_extent_free();
	test_check();
	return mfo_end(fd, NS, SECID, &snap, "after t_pool_guard");
}
