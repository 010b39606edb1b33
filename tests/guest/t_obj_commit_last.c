// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_commit_last - issue 15, defect 4: a commit's last use of a source
 * piece goes through the pin quarantine like every other last use.
 *
 * MF_IOC_OBJ_COMMIT first makes the source's pieces shared (one more use
 * of each base extent), then, later and under the pool's allocator lock,
 * drops the uses of the pieces the commit replaced completely.  In between
 * the source's owner may write the source: the write copies the shared
 * piece (copy-on-write) and drops the source's own use, so the commit's
 * drop becomes the last one.  The commit used to free that extent with a
 * plain free on the assumption that the source still held it; if a page of
 * it was pinned, the memory went back to the allocator under the pin, and
 * the pin's holder read (or wrote) whatever object got it next.
 *
 * The window is a few instructions wide, so the test widens it with the
 * module's commit_window delay point (mf_inject.c):
 *   1. S, one allocation unit (pattern A), mapped MAP_SHARED by its owner
 *      and MAP_PRIVATE by a committer, who writes every page of it;
 *   2. the commit runs and sleeps in the window; meanwhile the owner
 *      splices the page of S into a pipe (a reference to the old extent)
 *      and writes S through MF_IOC_OBJ_WRITE (pattern B: a copy-on-write);
 *   3. the commit ends: its last use of the old extent must quarantine it;
 *   4. a new object Z (pattern C) must not get that memory, and the pipe
 *      must read pattern A, not C.
 * Then S, the committed object and Z are checked by content, and the
 * quarantine lets go once the pipe is closed.  Exits 77 when the module
 * has no delay points.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/uio.h>
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_commit_last"
#define SECID	"commit-last-secret"
#define INJECT	"/sys/module/memfabric/parameters/inject"
#define HITS	"/sys/module/memfabric/parameters/inject_hits"
#define SEED_A	41
#define SEED_B	42
#define SEED_C	43
#define SEED_P	44

static int fd;
static size_t len;
static void *priv;
static int commit_ret, commit_errno;
static struct mf_obj_commit commit_out;

static void disarm(void)
{
	mfo_file_write(INJECT, "off");
}

static void *committer(void *arg)
{
	(void)arg;
	commit_ret = mfo_commit(fd, priv, len, NS, SECID, "committed", 0, &commit_out);
	commit_errno = errno;
	return NULL;
}

/* Whose bytes @buf holds, for the failure message. */
static const char *seen(const unsigned char *buf, size_t n)
{
	size_t i;

	if (mfo_check_pattern(buf, n, SEED_C, 0))
		return "Z's data (C)";
	if (mfo_check_pattern(buf, n, SEED_B, 0))
		return "S's new data (B)";
	if (mfo_check_pattern(buf, n, SEED_P, 0))
		return "the committed object's data";
	if (!memcmp(buf, "MOBOREC", 7))
		return "an object record (Z's metadata: the next allocation got the memory)";
	for (i = 0; i < n && !buf[i]; i++)
		;
	return i == n ? "zeros (memory handed out again)" : "other memory of the pool (a record?)";
}

/* Wait up to 10 s for the commit to be inside the window. */
static int wait_hit(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (mfo_file_long(HITS) > 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct mf_pool_info info;
	struct mfo_snap snap;
	uint64_t mo_s, mo_c, mo_z;
	unsigned char *buf, *want;
	long long q0, cow0;
	int pipefd[2], i;
	ssize_t n;
	struct iovec iov;
	pthread_t t;
	void *shared;
	long page = sysconf(_SC_PAGESIZE);

	(void)argc;
	if (access(INJECT, F_OK)) {
		mft_init(argv[0]);
		printf("SKIP: this memfabric.ko has no delay points (%s)\n", INJECT);
		return 77;
	}
	fd = mfo_begin(argv[0], NS, SECID, &snap);
	if (mfp_info(fd, mfo_pool, &info)) {
		perror("pool info");
		return 2;
	}
	len = info.unit > (uint64_t)page ? info.unit : (size_t)page;
	buf = malloc(len);
	want = malloc(len);
	if (!buf || !want)
		return 2;
	atexit(disarm);

	mfo_pattern(buf, len, SEED_A, 0);
	MFT_OK(mfo_alloc(fd, NS, SECID, "src", len, &mo_s, NULL) ||
	       mfo_write(fd, mo_s, 0, len, buf) ? -1 : 0,
	       "S: one allocation unit, pattern A");
	shared = mfo_map(fd, mo_s, 0, len, PROT_READ | PROT_WRITE, MAP_SHARED, NULL);
	priv = mfo_map(fd, mo_s, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL);
	MFT_CHECK(shared != MAP_FAILED && priv != MAP_FAILED,
		  "S mapped MAP_SHARED (owner) and MAP_PRIVATE (committer)");
	if (shared == MAP_FAILED || priv == MAP_FAILED)
		return mft_done();
	mfo_pattern(priv, len, SEED_P, 0);
	MFT_OK(pipe(pipefd), "a pipe");

	MFT_OK(mfo_file_write(INJECT, "commit_window 1500"),
	       "arm the delay point between the commit's two steps");
	q0 = mfo_stat("quarantined");
	cow0 = mfo_stat("cow_pieces");
	MFT_OK(pthread_create(&t, NULL, committer, NULL), "start the commit");
	MFT_OK(wait_hit(), "the commit is inside the window");

	/* The owner, inside the window: a reference to the page, then a write. */
	iov.iov_base = shared;
	iov.iov_len = page;
	MFT_RET(vmsplice(pipefd[1], &iov, 1, 0), page,
		"vmsplice the page of S into the pipe");
	mfo_pattern(buf, len, SEED_B, 0);
	MFT_OK(mfo_write(fd, mo_s, 0, len, buf), "write S (pattern B)");
	MFT_CHECK(mfo_stat("cow_pieces") > cow0,
		  "the write copied S's piece: the commit holds the last use");
	pthread_join(t, NULL);
	disarm();
	errno = commit_errno;
	MFT_OK(commit_ret, "the commit succeeds");

	mft_report(mfo_stat("quarantined") > q0,
		   "the commit's last use of the pinned extent quarantines it",
		   "stats/quarantined %lld, was %lld", mfo_stat("quarantined"), q0);
	mfo_pattern(buf, len, SEED_C, 0);
	MFT_OK(mfo_alloc(fd, NS, SECID, "after", len, &mo_z, NULL) ||
	       mfo_write(fd, mo_z, 0, len, buf) ? -1 : 0,
	       "Z: a new object of the same size, pattern C");
	mfo_pattern(want, len, SEED_A, 0);
	n = read(pipefd[0], buf, page);
	mft_report(n == page && !memcmp(buf, want, page),
		   "the pipe reads S's old bytes (A), not another object's",
		   "read %zd bytes, not A: %s; first bytes %02x %02x %02x %02x %02x %02x %02x %02x",
		   n, n != page ? "short" : seen(buf, page),
		   buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6], buf[7]);

	MFT_OK(mfo_read(fd, mo_s, 0, len, buf), "read S");
	MFT_CHECK(mfo_check_pattern(buf, len, SEED_B, 0), "S holds pattern B");
	MFT_OK(mfo_read(fd, mo_z, 0, len, buf), "read Z");
	MFT_CHECK(mfo_check_pattern(buf, len, SEED_C, 0), "Z holds pattern C");
	mo_c = commit_out.map_offset;
	MFT_OK(mfo_read(fd, mo_c, 0, len, buf), "read it");
	MFT_CHECK(mfo_check_pattern(buf, len, SEED_P, 0),
		  "it holds the committer's pages");

	close(pipefd[0]);
	close(pipefd[1]);
	munmap(shared, len);
	munmap(priv, len);
	for (i = 0; i < 50 && mfo_stat("quarantined") > q0; i++)
		usleep(100000);
	MFT_CHECK(mfo_stat("quarantined") <= q0,
		  "the quarantine lets go once the pipe is closed");
	MFT_OK(mfo_put(fd, mo_s) || mfo_free(fd, NS, SECID, "src") ||
	       mfo_put(fd, mo_z) || mfo_free(fd, NS, SECID, "after") ||
	       mfo_put(fd, mo_c) || mfo_free(fd, NS, SECID, "committed") ? -1 : 0,
	       "free the objects");
	free(buf);
	free(want);
	return mfo_end(fd, NS, SECID, &snap, "after t_obj_commit_last");
}
