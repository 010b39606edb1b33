// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_pin - pool memory pinned through a mapping is never reused while
 * pinned.  vmsplice() of a mapping of an fsdax pool object into a pipe
 * takes references on its pages (get_user_pages()) that outlive the
 * mapping and the object; the object's extent must then stay allocated
 * (stats/quarantined) until the pipe lets go, and return to the pool
 * after that.  Pages of RAM pools are mapped as special entries, which
 * get_user_pages() refuses.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#include <sys/uio.h>

#define NS	"t_pin"
#define SECID	"pin-secret"
#define PG	4096UL
#define LEN	(16 * PG)

static int fd;

/* Wait up to 5 s for stats/quarantined to reach @want. */
static long long wait_quarantined(long long want)
{
	long long v = -1;
	int i;

	for (i = 0; i < 50; i++) {
		v = mfo_stat("quarantined");
		if (v == want)
			break;
		usleep(100000);
	}
	return v;
}

static void test_pin(int fsdax)
{
	unsigned long long free0, free_pinned;
	long long q0 = mfo_stat("quarantined");
	char *p, *buf;
	struct iovec iov;
	int pipefd[2];
	uint64_t mo = 0;
	ssize_t n;

	buf = malloc(LEN);
	mfo_pattern(buf, LEN, 21, 0);
	free0 = mfp_sysfs_u64(mfo_pool, "free");
	MFT_OK(mfo_alloc(fd, NS, SECID, "pinned", LEN, &mo, NULL),
	       "allocate a 64 KiB object");
	MFT_OK(mfo_write(fd, mo, 0, LEN, buf), "fill it");
	p = mfo_map(fd, mo, 0, LEN, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(p != MAP_FAILED, "map it");
	if (p == MAP_FAILED || pipe(pipefd))
		goto out;
	fcntl(pipefd[1], F_SETPIPE_SZ, 1 << 20);
	iov.iov_base = p;
	iov.iov_len = LEN;
	n = vmsplice(pipefd[1], &iov, 1, 0);
	if (!fsdax) {
		MFT_CHECK(n < 0 && errno == EFAULT,
			  "a RAM pool's pages cannot be pinned (EFAULT)");
		munmap(p, LEN);
		close(pipefd[0]);
		close(pipefd[1]);
		MFT_OK(mfo_free(fd, NS, SECID, "pinned"), "free it");
		MFT_OK(mfo_put(fd, mo), "put it");
		goto out;
	}
	MFT_CHECK(n == (ssize_t)LEN, "vmsplice() pins its 16 pages in a pipe");
	MFT_OK(munmap(p, LEN), "munmap it");
	MFT_OK(mfo_free(fd, NS, SECID, "pinned"), "free it");
	MFT_OK(mfo_put(fd, mo), "drop the last reference");
	MFT_CHECK(wait_quarantined(q0 + 1) == q0 + 1,
		  "its extent is quarantined, not freed");
	free_pinned = mfp_sysfs_u64(mfo_pool, "free");
	mft_report(free_pinned < free0, "the pool does not get the memory back",
		   "free %llu, was %llu before the object", free_pinned, free0);
	memset(buf, 0, LEN);
	MFT_CHECK(read(pipefd[0], buf, LEN) == (ssize_t)LEN &&
		  mfo_check_pattern(buf, LEN, 21, 0),
		  "the pipe still reads the object's data");
	close(pipefd[0]);
	close(pipefd[1]);
	MFT_CHECK(wait_quarantined(q0) == q0,
		  "once the pipe lets go, the reclaim scan frees the extent");
out:
	free(buf);
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;
	char backend[32] = "";

	(void)argc;
	fd = mfo_begin(argv[0], NS, SECID, &snap);
	mfp_sysfs(mfo_pool, "backend", backend, sizeof(backend));
	test_pin(!strcmp(backend, "fsdax"));

	return mfo_end(fd, NS, SECID, &snap, "after t_obj_pin");
}
