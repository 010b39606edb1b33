// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_pin_attach - issue 15, defect 8: what an unpinned page looks like
 * is a property of the kernel, not something measured at attach.
 *
 * The module used to take the reference count of the pool's first data
 * page at attach as the count of an idle page.  A pin that already held
 * that page then became the baseline, and every later pin of the same
 * kind (one reference) went unseen: PUBLISH succeeded under a pin, and a
 * FREE returned pinned memory to the allocator, so the pin's holder could
 * read (or, with a write pin, write) the next object that got it.
 *
 * The test needs an fsdax pool0 whose first data page is free:
 *   1. an object on the first data page; a vmsplice() into a pipe keeps a
 *      reference to that page; the object is unmapped and put;
 *   2. pool0 is detached and attached again while the pipe holds the page
 *      (the module must say so in the kernel log);
 *   3. a second object, mapped and spliced into a second pipe the same
 *      way, unmapped: PUBLISH is EBUSY, FREE quarantines its memory, a
 *      new object allocated after it does not get that memory, and the
 *      pipe still reads the freed object's bytes, not the new object's.
 * It exits 77 when pool0 is not fsdax or its first page is in use.
 */
#define _GNU_SOURCE
#include <sys/klog.h>
#include <sys/uio.h>
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_pinatt"
#define SECID	"pinatt-secret"
#define MB	(1UL << 20)
#define LEN	(2 * MB)
#define FILLS	8
#define HOLD_TAG	0x7069617474000000ULL	/* a raw extent of this test */
#define TAG_DATA	0x4d46444154410000ULL	/* the object layer's data tag */

static int fd;
static long page;

/* The data extent an allocation added: the one not in @old (of @n). */
static int new_extent(const struct mf_extent_info *old, long n,
		      uint64_t *off)
{
	struct mf_extent_info *e;
	long m, i, j;
	int found = 0;

	m = mfp_extents(fd, mfo_pool, &e);
	for (i = 0; i < m; i++) {
		if (e[i].tag != TAG_DATA)
			continue;
		for (j = 0; j < n; j++)
			if (old[j].offset == e[i].offset)
				break;
		if (j == n) {
			*off = e[i].offset;
			found++;
		}
	}
	free(e);
	return found == 1 ? 0 : -1;
}

/* Allocate @id (LEN bytes, pattern @seed); its data extent's offset. */
static int alloc_at(const char *id, int seed, uint64_t *mo, uint64_t *off)
{
	struct mf_extent_info *e;
	unsigned char *buf = malloc(LEN);
	long n;
	int ret;

	n = mfp_extents(fd, mfo_pool, &e);
	if (n < 0 || !buf) {
		free(buf);
		return -1;
	}
	mfo_pattern(buf, LEN, seed, 0);
	ret = mfo_alloc(fd, NS, SECID, id, LEN, mo, NULL) ||
	      mfo_write(fd, *mo, 0, LEN, buf) || new_extent(e, n, off);
	free(e);
	free(buf);
	return ret ? -1 : 0;
}

/* Map @mo read-write, splice its first page into a new pipe, unmap. */
static int splice_page(uint64_t mo, int pipefd[2])
{
	struct iovec iov;
	void *p;
	ssize_t n;

	p = mfo_map(fd, mo, 0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, NULL);
	if (p == MAP_FAILED)
		return -1;
	if (pipe(pipefd)) {
		munmap(p, LEN);
		return -1;
	}
	iov.iov_base = p;
	iov.iov_len = page;
	n = vmsplice(pipefd[1], &iov, 1, 0);
	munmap(p, LEN);
	if (n != page) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	return 0;
}

static void wait_quarantined(long long q0)
{
	int i;

	for (i = 0; i < 20 && mfo_stat("quarantined") <= q0; i++)
		usleep(100000);
}

static int run(const char *pmem)
{
	uint64_t mo0, mo1, mo2, off0 = 1, off1 = 0, off2 = 0, fill[FILLS];
	unsigned char *buf = malloc(page), *want = malloc(LEN);
	struct mf_extent_info *e;
	int p0[2], p1[2], nfill = 0, i, warn0, warn1;
	long long q0;
	long n;
	char msg[128];

	n = mfp_extents(fd, mfo_pool, &e);
	for (i = 0; i < n; i++)
		if (e[i].offset == 0)
			break;
	free(e);
	if (n < 0 || i < n) {
		printf("SKIP: the first data page of %s is in use\n", mfo_pool);
		return 77;
	}
	/* The allocator may not start at 0: fill until it gets there. */
	for (;;) {
		char id[16];

		snprintf(id, sizeof(id), "fill%d", nfill);
		if (alloc_at(id, 10 + nfill, &mo0, &off0))
			break;
		if (!off0 || nfill == FILLS)
			break;
		fill[nfill++] = mo0;
	}
	for (i = 0; i < nfill; i++) {
		char id[16];

		snprintf(id, sizeof(id), "fill%d", i);
		mfo_put(fd, fill[i]);
		mfo_free(fd, NS, SECID, id);
	}
	if (off0) {
		printf("SKIP: no allocation got the first data page of %s\n",
		       mfo_pool);
		return 77;
	}
	MFT_CHECK(1, "an object on the first data page of the pool");
	MFT_OK(splice_page(mo0, p0), "a pipe holds a reference to that page");
	MFT_OK(mfo_put(fd, mo0), "put the object, no mapping left");

	snprintf(msg, sizeof(msg), "pool %s: page 0 has 2 references at attach",
		 mfo_pool);
	warn0 = mfo_klog_count(msg);
	MFT_OK(mfp_detach(fd, mfo_pool), "detach the pool while the page is held");
	MFT_OK(mfp_attach_fsdax(fd, mfo_pool, pmem, 0, NULL),
	       "attach it again");
	warn1 = mfo_klog_count(msg);
	mft_report(warn0 >= 0 && warn1 == warn0 + 1,
		   "the attach reports the page's extra reference",
		   "\"%s\" %d times before, %d after", msg, warn0, warn1);

	MFT_OK(alloc_at("victim", 2, &mo1, &off1), "a second object");
	MFT_OK(splice_page(mo1, p1), "a pipe holds a reference to its first page");
	MFT_OK(mfo_put(fd, mo1), "put it, no mapping left");
	errno = 0;
	mft_report(mfo_publish(fd, NS, SECID, "victim") && errno == EBUSY,
		   "PUBLISH of the spliced object is EBUSY",
		   "returned %s", errno ? strerror(errno) : "0");

	q0 = mfo_stat("quarantined");
	MFT_OK(mfo_free(fd, NS, SECID, "victim"), "FREE it");
	wait_quarantined(q0);
	mft_report(mfo_stat("quarantined") > q0,
		   "its memory is quarantined while the pipe holds a page",
		   "stats/quarantined %lld, was %lld", mfo_stat("quarantined"), q0);
	MFT_OK(alloc_at("after", 3, &mo2, &off2), "an object allocated after the FREE");
	mft_report(off2 != off1, "it does not get the pinned memory",
		   "both at offset %llu", (unsigned long long)off1);
	mfo_pattern(want, LEN, 2, 0);
	MFT_CHECK(buf && read(p1[0], buf, page) == page &&
		  !memcmp(buf, want, page),
		  "the pipe reads the freed object's bytes, not the new object's");
	close(p1[0]);
	close(p1[1]);
	MFT_CHECK(read(p0[0], buf, page) == page, "the first pipe still reads");
	mfo_pattern(want, LEN, 10 + nfill, 0);
	MFT_CHECK(!memcmp(buf, want, page), "the first object's bytes");
	close(p0[0]);
	close(p0[1]);

	MFT_OK(mfo_put(fd, mo2) || mfo_free(fd, NS, SECID, "after") ? -1 : 0,
	       "free the new object");
	snprintf(msg, sizeof(msg), "fill%d", nfill);
	MFT_OK(mfo_get(fd, NS, SECID, msg, &mo0, NULL) || mfo_put(fd, mo0) ||
	       mfo_free(fd, NS, SECID, msg) ? -1 : 0,
	       "free the first object");
	/* The reclaim scan returns the quarantined memory once unpinned. */
	for (i = 0; i < 50 && mfo_stat("quarantined") > q0; i++)
		usleep(100000);
	MFT_CHECK(mfo_stat("quarantined") <= q0,
		  "the quarantine lets go once the pipes are closed");
	free(buf);
	free(want);
	return 0;
}

int main(int argc, char **argv)
{
	const char *pmem = getenv("MFVM_PMEM");
	struct mfo_snap snap;
	char backend[32] = "";
	uint64_t hold = 1;
	int ret;

	(void)argc;
	mft_init(argv[0]);
	page = sysconf(_SC_PAGESIZE);
	fd = mfp_open();
	mfo_setup_pool(fd);
	mfp_sysfs(mfo_pool, "backend", backend, sizeof(backend));
	if (!pmem || strcmp(backend, "fsdax")) {
		printf("SKIP: no fsdax pool0 to detach and attach\n");
		mfo_teardown_pool(fd);
		return 77;
	}
	mfo_snapshot(&snap);
	/*
	 * Keep the first 2 MiB free of the namespace's record: hold them
	 * with a raw extent while the namespace is made.
	 */
	if (!mfp_alloc(fd, mfo_pool, LEN, HOLD_TAG, &hold) && hold)
		mfp_free(fd, mfo_pool, hold, NULL, NULL);
	if (hold) {
		printf("SKIP: the first data page of %s is in use\n", mfo_pool);
		return 77;
	}
	ret = mfo_ns_create(fd, mfo_pool, NS, SECID, 0, 0);
	mfp_free(fd, mfo_pool, 0, NULL, NULL);
	if (ret) {
		perror("create namespace " NS);
		return 2;
	}
	ret = run(pmem);
	if (ret == 77) {
		mfo_ns_destroy(fd, mfo_pool, NS, SECID, 0, NULL);
		return 77;
	}
	return mfo_end(fd, NS, SECID, &snap, "after t_obj_pin_attach");
}
