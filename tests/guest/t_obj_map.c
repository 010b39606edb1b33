// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_map - mmap() of objects (MAP_SHARED): direct access to pool
 * memory, the permission rules (owner read-write, others refused, a
 * published object read-only for good: PROT_WRITE, mprotect() and
 * /proc/PID/mem), publish refused while a writable mapping exists,
 * references held by mappings (munmap, fork, kill -9), free while mapped,
 * expand, hint and fixed addresses, derive-on-write through mappings, and
 * bad offsets and ranges.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#include <sys/prctl.h>
#include <sys/wait.h>

#define NS	"t_map"
#define SECID	"map-secret"
#define PG	4096UL

static int fd;

/* A published object "shared1" of @len bytes holding pattern 1. */
static uint64_t make_shared(const char *id, size_t len)
{
	char *buf = malloc(len);
	uint64_t mo = 0;

	mfo_pattern(buf, len, 1, 0);
	if (mfo_alloc(fd, NS, SECID, id, len, &mo, NULL) ||
	    mfo_write(fd, mo, 0, len, buf) || mfo_publish(fd, NS, SECID, id))
		mo = 0;
	free(buf);
	return mo;
}

static void test_owner_rw(void)
{
	struct mf_obj_stat st;
	uint64_t mo;
	char buf[16] = "";
	char *p, *q;

	MFT_OK(mfo_alloc(fd, NS, SECID, "rw", 3 * PG + 100, &mo, NULL),
	       "allocate rw (3 pages + 100 bytes)");
	p = mfo_map(fd, mo, 0, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		    NULL);
	MFT_CHECK(p != MAP_FAILED, "the owner maps it read-write, shared");
	if (p == MAP_FAILED)
		return;
	MFT_CHECK(p[0] == 0 && p[4 * PG - 1] == 0, "a new object reads zero");
	memcpy(p + PG - 4, "mapped!", 8);
	MFT_OK(mfo_read(fd, mo, PG - 4, 8, buf), "read back by ioctl");
	MFT_CHECK(!memcmp(buf, "mapped!", 8),
		  "a store through the mapping is in the object");
	MFT_OK(mfo_write(fd, mo, 2 * PG, 5, "ioctl"), "write by ioctl");
	MFT_CHECK(!memcmp(p + 2 * PG, "ioctl", 5),
		  "the mapping sees the ioctl's write at once");
	q = mfo_map(fd, mo, 0, 2 * PG, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(q != MAP_FAILED && !memcmp(q + PG - 4, "mapped!", 8),
		  "a second mapping sees the same memory");
	if (q == MAP_FAILED)
		return;
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) && st.map_count == 2 &&
		  st.refs == 3, "stat: 2 mappings, 3 references");
	MFT_ERRNO(mprotect(q, 2 * PG, PROT_READ | PROT_WRITE), EACCES,
		  "a read-only shared mapping cannot be made writable");
	MFT_ERRNO(mfo_publish(fd, NS, SECID, "rw"), EBUSY,
		  "publish is refused while a writable mapping exists");
	MFT_OK(munmap(p, 4 * PG), "munmap the writable mapping");
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) && st.map_count == 1 &&
		  st.refs == 2, "munmap dropped its reference");
	MFT_OK(mfo_publish(fd, NS, SECID, "rw"),
	       "publish works with only a read-only mapping left");
	MFT_CHECK(!memcmp(q + PG - 4, "mapped!", 8),
		  "the read-only mapping still reads the object");
	MFT_OK(munmap(q, 2 * PG), "munmap it");
	MFT_CHECK(mfo_refs(fd, mo) == 1, "only the handle is left");
	MFT_OK(mfo_free(fd, NS, SECID, "rw"), "free rw");
	MFT_OK(mfo_put(fd, mo), "put it");
}

static void test_ranges(void)
{
	uint64_t mo, mo_other;
	int fd2;
	void *p;

	MFT_OK(mfo_alloc(fd, NS, SECID, "small", 2 * PG, &mo, NULL),
	       "allocate small (2 pages)");
	MFT_CHECK(mfo_map(fd, mo, 0, 3 * PG, PROT_READ, MAP_SHARED, NULL) ==
		  MAP_FAILED && errno == EINVAL,
		  "a mapping beyond the object: EINVAL");
	MFT_CHECK(mfo_map(fd, mo, 2 * PG, PG, PROT_READ, MAP_SHARED, NULL) ==
		  MAP_FAILED && errno == EINVAL,
		  "a mapping starting at its end: EINVAL");
	p = mfo_map(fd, mo, PG, PG, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(p != MAP_FAILED, "a mapping of its second page only");
	if (p != MAP_FAILED)
		munmap(p, PG);
	MFT_CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
		  errno == EINVAL, "offset 0 names no object: EINVAL");
	MFT_CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd,
		       (off_t)(mo + (1ULL << 39))) == MAP_FAILED &&
		  errno == EINVAL, "an offset far beyond the object: EINVAL");
	fd2 = mfp_open();
	MFT_CHECK(mfo_map(fd2, mo, 0, PG, PROT_READ, MAP_SHARED, NULL) ==
		  MAP_FAILED && errno == ENOENT,
		  "another open file without a handle: ENOENT");
	MFT_OK(mfo_alloc(fd2, NS, SECID, "other", PG, &mo_other, NULL),
	       "allocate through the other open file");
	MFT_CHECK(mfo_map(fd, mo_other, 0, PG, PROT_READ, MAP_SHARED, NULL) ==
		  MAP_FAILED && errno == ENOENT,
		  "its map offset is no handle of the first file: ENOENT");
	MFT_OK(mfo_free(fd2, NS, SECID, "other"), "free other");
	close(fd2);
	MFT_OK(mfo_free(fd, NS, SECID, "small"), "free small");
	MFT_OK(mfo_put(fd, mo), "put it");
}

/* As nobody: the private object "priv" cannot be mapped at all. */
static int nobody_private(int fd_, void *arg)
{
	uint64_t mo = *(uint64_t *)arg;

	if (mfo_map(fd_, mo, 0, PG, PROT_READ, MAP_SHARED, NULL) !=
	    MAP_FAILED || errno != EACCES)
		return 1;
	if (mfo_map(fd_, mo, 0, PG, PROT_READ, MAP_PRIVATE, NULL) !=
	    MAP_FAILED || errno != EACCES)
		return 2;
	return 0;
}

/* As nobody: the published object reads, and cannot be written. */
static int nobody_shared(int fd_, void *arg)
{
	uint64_t mo = *(uint64_t *)arg;
	char *p;
	int mem;

	p = mfo_map(fd_, mo, 0, PG, PROT_READ, MAP_SHARED, NULL);
	if (p == MAP_FAILED || !mfo_check_pattern(p, PG, 1, 0))
		return 1;
	if (mfo_map(fd_, mo, 0, PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		    NULL) != MAP_FAILED || errno != EACCES)
		return 2;
	if (!mprotect(p, PG, PROT_READ | PROT_WRITE) || errno != EACCES)
		return 3;
	/* setresuid() made the process undumpable: /proc/self/mem is root's. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return 4;
	mem = open("/proc/self/mem", O_RDWR);
	if (mem < 0)
		return 4;
	if (pwrite(mem, "x", 1, (off_t)(uintptr_t)p) == 1)
		return 5;
	close(mem);
	if (!mfo_check_pattern(p, PG, 1, 0))
		return 6;
	munmap(p, PG);
	return 0;
}

static void test_permissions(void)
{
	uint64_t mo_priv, mo_shared;
	char *p;
	int mem;

	MFT_OK(mfo_alloc(fd, NS, SECID, "priv", PG, &mo_priv, NULL),
	       "allocate priv");
	MFT_RET(mfo_as_nobody(fd, nobody_private, &mo_priv), 0,
		"another uid cannot map a private object (EACCES)");
	mo_shared = make_shared("shared1", 4 * PG);
	MFT_CHECK(mo_shared, "allocate, fill and publish shared1");
	MFT_RET(mfo_as_nobody(fd, nobody_shared, &mo_shared), 0,
		"another uid maps shared1 read-only; PROT_WRITE, mprotect and /proc/self/mem writes fail");
	MFT_CHECK(mfo_map(fd, mo_shared, 0, PG, PROT_READ | PROT_WRITE,
			  MAP_SHARED, NULL) == MAP_FAILED && errno == EACCES,
		  "not even its owner maps a published object writable");
	p = mfo_map(fd, mo_shared, 0, 4 * PG, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(p != MAP_FAILED, "the owner maps it read-only");
	if (p != MAP_FAILED) {
		mem = open("/proc/self/mem", O_RDWR);
		MFT_CHECK(mem >= 0 && pwrite(mem, "xx", 2,
					     (off_t)(uintptr_t)(p + 10)) < 0,
			  "root's write through /proc/self/mem fails");
		if (mem >= 0)
			close(mem);
		MFT_CHECK(mfo_check_pattern(p, 4 * PG, 1, 0),
			  "and the memory is unchanged");
		munmap(p, 4 * PG);
	}
	MFT_OK(mfo_free(fd, NS, SECID, "priv"), "free priv");
	MFT_OK(mfo_put(fd, mo_priv), "put it");
	MFT_OK(mfo_free(fd, NS, SECID, "shared1"), "free shared1");
	MFT_OK(mfo_put(fd, mo_shared), "put it");
}

static void test_sharing_footprint(void)
{
	const size_t len = 32UL << 20;
	long long rss0, rss1, pss1;
	volatile const char *p;
	unsigned long sum = 0;
	uint64_t mo;
	size_t i;

	mo = make_shared("big", len);
	MFT_CHECK(mo, "allocate, fill and publish a 32 MiB object");
	if (!mo)
		return;
	rss0 = mfo_smaps_kb("Rss");
	p = mfo_map(fd, mo, 0, len, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(p != MAP_FAILED, "map it read-only");
	if (p == MAP_FAILED)
		return;
	for (i = 0; i < len; i += PG)
		sum += p[i];
	rss1 = mfo_smaps_kb("Rss");
	pss1 = mfo_smaps_kb("Pss");
	mft_report(rss1 >= 0 && rss1 - rss0 < 1024,
		   "reading 32 MiB through the mapping adds < 1 MiB of RSS",
		   "Rss %lld KiB -> %lld KiB", rss0, rss1);
	mft_report(pss1 >= 0 && pss1 < rss0 + 1024,
		   "and no PSS: the pages are the pool's, not copies",
		   "Pss %lld KiB", pss1);
	MFT_CHECK(mfo_check_pattern((const void *)p, len, 1, 0),
		  "the data is the object's");
	(void)sum;
	munmap((void *)p, len);
	MFT_OK(mfo_free(fd, NS, SECID, "big"), "free big");
	MFT_OK(mfo_put(fd, mo), "put it");
}

static void test_refs_fork_kill(void)
{
	struct mf_obj_stat st;
	int pipefd[2], status;
	uint64_t mo;
	pid_t pid;
	char *p, c;

	mo = make_shared("forked", 2 * PG);
	MFT_CHECK(mo, "allocate and publish forked");
	p = mfo_map(fd, mo, 0, 2 * PG, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(p != MAP_FAILED, "map it");
	if (p == MAP_FAILED)
		return;
	pid = fork();
	if (pid == 0)
		_exit(mfo_check_pattern(p, 2 * PG, 1, 0) ? 0 : 1);
	MFT_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid &&
		  WIFEXITED(status) && !WEXITSTATUS(status),
		  "a forked child reads the inherited mapping");
	MFT_CHECK(mfo_refs(fd, mo) == 2, "its exit dropped its reference");

	if (pipe(pipefd))
		return;
	pid = fork();
	if (pid == 0) {
		char *q = mfo_map(fd, mo, 0, PG, PROT_READ, MAP_SHARED, NULL);

		c = q == MAP_FAILED ? 'n' : 'y';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	c = 0;
	MFT_CHECK(read(pipefd[0], &c, 1) == 1 && c == 'y',
		  "a child maps the object twice (inherited and its own)");
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) && st.map_count == 3 &&
		  st.refs == 4, "stat: 3 mappings, 4 references");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) && st.map_count == 1 &&
		  st.refs == 2, "kill -9 of the child dropped its mappings' references");
	close(pipefd[0]);
	close(pipefd[1]);

	MFT_OK(mfo_free(fd, NS, SECID, "forked"), "free it while it is mapped");
	MFT_ERRNO(mfo_get(fd, NS, SECID, "forked", NULL, NULL), ENOENT,
		  "it is gone from lookup");
	MFT_CHECK(mfo_check_pattern(p, 2 * PG, 1, 0),
		  "the mapping still reads its memory");
	MFT_OK(mfo_put(fd, mo), "put the handle");
	MFT_CHECK(mfo_check_pattern(p, 2 * PG, 1, 0),
		  "the mapping alone keeps the memory");
	MFT_OK(munmap(p, 2 * PG), "munmap: the memory returns to the pool");
}

static void test_expand(void)
{
	uint64_t mo;
	char *p, *q;

	MFT_OK(mfo_alloc(fd, NS, SECID, "grow", PG, &mo, NULL),
	       "allocate grow (1 page)");
	p = mfo_map(fd, mo, 0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, NULL);
	MFT_CHECK(p != MAP_FAILED, "map it read-write");
	if (p == MAP_FAILED)
		return;
	strcpy(p, "before");
	MFT_OK(mfo_expand(fd, mo, 3 * PG), "expand it to 3 pages");
	MFT_CHECK(!strcmp(p, "before"), "the old mapping stays valid");
	strcpy(p + 100, "after");
	q = mfo_map(fd, mo, 0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		    NULL);
	MFT_CHECK(q != MAP_FAILED && !strcmp(q + 100, "after") &&
		  q[3 * PG - 1] == 0, "a new mapping covers the grown object");
	if (q != MAP_FAILED) {
		q[2 * PG] = 'z';
		munmap(q, 3 * PG);
	}
	munmap(p, PG);
	MFT_OK(mfo_free(fd, NS, SECID, "grow"), "free grow");
	MFT_OK(mfo_put(fd, mo), "put it");
}

static void test_hint_fixed(void)
{
	const size_t len = 4 * PG;
	char *p, *hint, *q;
	uint64_t mo;

	mo = make_shared("placed", len);
	MFT_CHECK(mo, "allocate and publish placed");
	/* Find a free range, then hand it back as the hint. */
	hint = mmap(NULL, 16 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	munmap(hint, 16 * PG);
	hint += 4 * PG;
	p = mfo_map(fd, mo, 0, len, PROT_READ, MAP_SHARED, hint);
	MFT_CHECK(p == hint, "a free hint address is honoured");
	MFT_CHECK(p != MAP_FAILED && mfo_check_pattern(p, len, 1, 0),
		  "and reads the object");
	if (p != MAP_FAILED)
		munmap(p, len);
	q = mmap(hint, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	p = mfo_map(fd, mo, 0, len, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE,
		    hint);
	MFT_CHECK(q == hint && p == MAP_FAILED && errno == EEXIST,
		  "MAP_FIXED_NOREPLACE over a used range: EEXIST");
	p = mfo_map(fd, mo, 0, len, PROT_READ, MAP_SHARED | MAP_FIXED, hint);
	MFT_CHECK(p == hint && mfo_check_pattern(p, len, 1, 0),
		  "MAP_FIXED places it exactly there");
	munmap(hint, len);
	MFT_OK(mfo_free(fd, NS, SECID, "placed"), "free placed");
	MFT_OK(mfo_put(fd, mo), "put it");
}

static void test_derive_through_mappings(void)
{
	const size_t len = 4UL << 20;
	uint64_t src = 0, dst = 0;
	long long cow0;
	char *ps, *pd;

	MFT_OK(mfo_alloc(fd, NS, SECID, "dsrc", len, &src, NULL),
	       "allocate dsrc (4 MiB)");
	ps = mfo_map(fd, src, 0, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     NULL);
	MFT_CHECK(ps != MAP_FAILED, "map it read-write");
	if (ps == MAP_FAILED)
		return;
	mfo_pattern(ps, len, 3, 0);
	MFT_OK(mfo_derive(fd, src, NS, SECID, "ddst", &dst),
	       "derive ddst from it");
	pd = mfo_map(fd, dst, 0, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     NULL);
	MFT_CHECK(pd != MAP_FAILED && mfo_check_pattern(pd, len, 3, 0),
		  "the derived object maps with the source's data");
	if (pd == MAP_FAILED)
		return;
	cow0 = mfo_stat("cow_pieces");
	ps[100] = 'S';
	MFT_CHECK(pd[100] != 'S',
		  "a store to the source's old mapping does not reach the derived object");
	pd[(3UL << 20) + 5] = 'D';
	MFT_CHECK(ps[(3UL << 20) + 5] != 'D',
		  "a store through the derived mapping does not reach the source");
	MFT_CHECK(mfo_stat("cow_pieces") - cow0 == 2,
		  "two 2 MiB pieces were copied, one per side");
	MFT_CHECK(mfo_check_pattern(ps + 101, len - 101, 3, 101) &&
		  mfo_check_pattern(pd + (3UL << 20) + 6,
				    len - (3UL << 20) - 6, 3,
				    (3UL << 20) + 6),
		  "the rest of both is intact");
	munmap(ps, len);
	munmap(pd, len);
	MFT_OK(mfo_free(fd, NS, SECID, "dsrc"), "free dsrc");
	MFT_OK(mfo_free(fd, NS, SECID, "ddst"), "free ddst");
	MFT_OK(mfo_put(fd, src), "put dsrc");
	MFT_OK(mfo_put(fd, dst), "put ddst");
}

/* The read and write ioctls with a buffer that is a mapping of an object. */
static void test_io_through_mappings(void)
{
	const size_t len = 4UL << 20;
	uint64_t mo, mo_ro;
	char *p, *ro, *buf;

	buf = malloc(len);
	MFT_OK(mfo_alloc(fd, NS, SECID, "iobuf", 2 * len, &mo, NULL),
	       "allocate iobuf (8 MiB)");
	mfo_pattern(buf, len, 11, 0);
	MFT_OK(mfo_write(fd, mo, 0, len, buf), "fill its first half");
	p = mfo_map(fd, mo, 0, 2 * len, PROT_READ | PROT_WRITE, MAP_SHARED,
		    NULL);
	MFT_CHECK(p != MAP_FAILED, "map it, nothing faulted in yet");
	if (p == MAP_FAILED)
		goto out;
	MFT_OK(mfo_read(fd, mo, 0, len, p + len),
	       "read its first half into a mapping of its second half");
	MFT_CHECK(mfo_check_pattern(p + len, len, 11, 0),
		  "the second half now holds the first");
	memset(p, 0, len);
	MFT_OK(mfo_write(fd, mo, 0, len, p + len),
	       "write its second half's mapping back into its first half");
	MFT_CHECK(mfo_check_pattern(p, len, 11, 0),
		  "the first half is restored");
	munmap(p, 2 * len);

	mo_ro = 0;
	MFT_OK(mfo_alloc(fd, NS, SECID, "iobuf_ro", PG, &mo_ro, NULL),
	       "allocate iobuf_ro");
	ro = mfo_map(fd, mo_ro, 0, PG, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(ro != MAP_FAILED, "map it read-only");
	if (ro != MAP_FAILED) {
		MFT_ERRNO(mfo_read(fd, mo, 0, PG, ro), EFAULT,
			  "reading into a read-only mapping: EFAULT");
		MFT_OK(mfo_write(fd, mo, 0, PG, ro),
		       "writing from a read-only mapping works");
		munmap(ro, PG);
	}
	MFT_ERRNO(mfo_read(fd, mo, 0, PG, (void *)8), EFAULT,
		  "reading into a bad pointer: EFAULT");
	MFT_ERRNO(mfo_write(fd, mo, 0, PG, (void *)8), EFAULT,
		  "writing from a bad pointer: EFAULT");
	MFT_OK(mfo_free(fd, NS, SECID, "iobuf_ro"), "free iobuf_ro");
	MFT_OK(mfo_put(fd, mo_ro), "put it");
out:
	MFT_OK(mfo_free(fd, NS, SECID, "iobuf"), "free iobuf");
	MFT_OK(mfo_put(fd, mo), "put it");
	free(buf);
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;

	(void)argc;
	fd = mfo_begin(argv[0], NS, SECID, &snap);

	test_owner_rw();
	test_ranges();
	test_permissions();
	test_sharing_footprint();
	test_refs_fork_kill();
	test_expand();
	test_hint_fixed();
	test_derive_through_mappings();
	test_io_through_mappings();

	return mfo_end(fd, NS, SECID, &snap, "after t_obj_map");
}
