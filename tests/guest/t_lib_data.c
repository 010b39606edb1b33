// SPDX-License-Identifier: GPL-2.0
/*
 * t_lib_data.c - libmemfabric data calls (guest, as root): BM_ReadSec,
 * BM_WriteSec, BM_CopySec, BM_SpecificObjSwapInSec; ranges, overflow,
 * secIds, published objects, another user, transient handles under
 * threads.  CUnit via mflib.h.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sys/wait.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mflib.h"

#define NS "t_lib_data"
#define SEC "data-secret"
#define BIG (3 << 20)	/* more than one 2 MiB piece */

static int setup(void)
{
	return BM_CreateNSSec(NULL, NS, 0, SEC);
}

static int teardown(void)
{
	return BM_DestroyNSSec(NULL, NS, SEC);
}

static void test_read_write(void)
{
	BmInfo b = mfl_info(NS, SEC, "rw");
	unsigned char *buf = malloc(BIG);

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, BIG, 0, NULL), 0);
	mfo_pattern(buf, BIG, 5, 0);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 0, BIG, buf, 0), 0);
	CU_ASSERT(mfl_has_pattern(&b, 0, BIG, 5));
	/* A range across the 2 MiB boundary, at an odd offset. */
	mfo_pattern(buf, 10001, 9, (2 << 20) - 777);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, (2 << 20) - 777, 10001, buf, 0), 0);
	CU_ASSERT(mfl_has_pattern(&b, (2 << 20) - 777, 10001, 9));
	CU_ASSERT(mfl_has_pattern(&b, 0, (2 << 20) - 777, 5));
	/* Length 0 is nothing to do. */
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, BIG, 0, buf, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
	free(buf);
}

static void test_io_errors(void)
{
	BmInfo b = mfl_info(NS, SEC, "ioerr");
	BmInfo w = mfl_info(NS, "wrong", "ioerr");
	BmInfo u = mfl_info(NS, SEC, "nosuch");
	char buf[64] = "x";

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 4096, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(NULL, 0, 1, buf, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 1, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 0, 1, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 1, buf, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 0, 1, buf, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 4090, 64, buf, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 4096, 1, buf, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, SIZE_MAX, 2, buf, 0), -EOVERFLOW);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 1, SIZE_MAX, buf, 0), -EOVERFLOW);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, (size_t)1 << 50, 1, buf, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_ReadSec(&w, 0, 1, buf, 0), -EACCES);
	CU_ASSERT_EQUAL(BM_WriteSec(&w, 0, 1, buf, 0), -EACCES);
	CU_ASSERT_EQUAL(BM_ReadSec(&u, 0, 1, buf, 0), -ENOENT);
	/* A bad buffer address: the kernel says EFAULT, nothing crashes. */
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 64, (void *)16, 0), -EFAULT);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 0, 64, (void *)16, 0), -EFAULT);
	/* The secId is checked even when the session holds a handle. */
	CU_ASSERT_EQUAL(BM_GetSec(&b, 0), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&w, 0, 1, buf, 0), -EACCES);
	CU_ASSERT_EQUAL(BM_PutSec(&w, 0), -EACCES);
	CU_ASSERT_EQUAL(BM_PutSec(&b, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static int child_reader(void *arg)
{
	BmInfo *b = arg;
	char buf[16];
	int bad = 0;

	if (b->type == BM_TYPE_SHARED_RO) {
		MFL_CHILD_CHECK(bad, mfl_has_pattern(b, 0, 4096, 11));
		MFL_CHILD_CHECK(bad, BM_WriteSec(b, 0, 1, buf, 0) == -EACCES);
	} else {
		MFL_CHILD_CHECK(bad, BM_ReadSec(b, 0, 1, buf, 0) == -EACCES);
		MFL_CHILD_CHECK(bad, BM_WriteSec(b, 0, 1, buf, 0) == -EACCES);
	}
	return bad;
}

static void test_published_and_other_user(void)
{
	BmInfo b = mfl_info(NS, SEC, "pub");
	char buf[8] = "abc";

	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&b, 4096, 11), 0);
	CU_ASSERT_EQUAL(mfl_child(child_reader, &b, 1), 0);
	CU_ASSERT_EQUAL(BM_PublishSec(&b, 0), 0);
	CU_ASSERT_EQUAL(b.type, BM_TYPE_SHARED_RO);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 0, 3, buf, 0), -EACCES);
	CU_ASSERT(mfl_has_pattern(&b, 0, 4096, 11));
	CU_ASSERT_EQUAL(mfl_child(child_reader, &b, 1), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_copy(void)
{
	BmInfo a = mfl_info(NS, SEC, "csrc"), d = mfl_info(NS, SEC, "cdst");
	BmInfo w = mfl_info(NS, "wrong", "cdst");

	CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&a, BIG, 21), 0);
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&d, BIG, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_CopySec(&a, 0, &d, 0, BIG, 0), 0);
	CU_ASSERT(mfl_has_pattern(&d, 0, BIG, 21));
	/* Within one object, ranges apart. */
	CU_ASSERT_EQUAL(BM_CopySec(&a, 100, &a, (2 << 20) + 100, 5000, 0), 0);
	{
		unsigned char *x = malloc(5000), *y = malloc(5000);

		CU_ASSERT_EQUAL(BM_ReadSec(&a, (2 << 20) + 100, 5000, x, 0), 0);
		mfo_pattern(y, 5000, 21, 100);
		CU_ASSERT(!memcmp(x, y, 5000));
		free(x);
		free(y);
	}
	CU_ASSERT_EQUAL(BM_CopySec(&a, 0, &a, 100, 5000, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_CopySec(&a, 0, &d, BIG - 10, 11, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_CopySec(&a, SIZE_MAX, &d, 0, 2, 0), -EOVERFLOW);
	CU_ASSERT_EQUAL(BM_CopySec(&a, 0, &d, SIZE_MAX, 2, 0), -EOVERFLOW);
	CU_ASSERT_EQUAL(BM_CopySec(&a, 0, &d, 0, 1, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_CopySec(NULL, 0, &d, 0, 1, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_CopySec(&a, 0, NULL, 0, 1, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_CopySec(&a, 0, &w, 0, 1, 0), -EACCES);
	CU_ASSERT_EQUAL(BM_PublishSec(&d, 0), 0);
	CU_ASSERT_EQUAL(BM_CopySec(&a, 0, &d, 0, 1, 0), -EACCES);
	CU_ASSERT_EQUAL(BM_CopySec(&d, 0, &a, 0, 1, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&a, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&d, 0), 0);
	{
		BmInfo u = mfl_info(NS, SEC, "csrc");

		CU_ASSERT_EQUAL(BM_CopySec(&u, 0, &u, 10, 1, 0), -ENOENT);
	}
}

static void test_swapin(void)
{
	char path[] = "/tmp/t_lib_data.XXXXXX";
	BmInfo b = mfl_info(NS, SEC, "swap");
	unsigned char *buf = malloc(200000);
	DiskFileDesc f = { .fd = -1, .path = path, .fileOffset = 0 };
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	mfo_pattern(buf, 200000, 31, 0);
	CU_ASSERT_EQUAL(write(fd, buf, 200000), 200000);
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 300000, 0, NULL), 0);

	/* By path, the whole file. */
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 0, 200000), 0);
	CU_ASSERT(mfl_has_pattern(&b, 0, 200000, 31));
	/* By descriptor, from a file offset into an object offset. */
	close(fd);
	fd = open(path, O_RDONLY);
	f.fd = fd;
	f.path = NULL;
	f.fileOffset = 50000;
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 250000, 50000), 0);
	{
		unsigned char *x = malloc(50000);

		CU_ASSERT_EQUAL(BM_ReadSec(&b, 250000, 50000, x, 0), 0);
		CU_ASSERT(!memcmp(x, buf + 50000, 50000));
		free(x);
	}
	/* The file ends first: the bytes before its end are copied. */
	f.fileOffset = 190000;
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 0, 20000),
			-ENODATA);
	{
		unsigned char x[10000];

		CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, sizeof(x), x, 0), 0);
		CU_ASSERT(!memcmp(x, buf + 190000, sizeof(x)));
	}
	/* Errors. */
	f.fileOffset = 0;
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(NULL, &b, 0, 0, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, NULL, 0, 0, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 1, 0, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 299999, 2), -EINVAL);
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, SIZE_MAX, 2),
			-EOVERFLOW);
	f.fileOffset = -1;
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 0, 1), -EINVAL);
	f.fileOffset = 0;
	f.fd = -1;
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 0, 1), -EINVAL);
	f.path = "/nonexistent/file";
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 0, 1), -ENOENT);
	f.path = "";
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 0, 1), -EINVAL);
	f.fd = open(path, O_WRONLY);
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 0, 1), -EBADF);
	close(f.fd);
	f.fd = fd;
	{
		BmInfo w = mfl_info(NS, "wrong", "swap");

		CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &w, 0, 0, 1),
				-EACCES);
	}
	close(fd);
	unlink(path);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
	free(buf);
}

/* Threads read and write their own ranges of one object through
 * transient handles while another takes and drops references. */
struct io_arg {
	int index;
	long bad;
};

static void *io_thread(void *p)
{
	struct io_arg *a = p;
	BmInfo b = mfl_info(NS, SEC, "shared-io");
	unsigned char buf[4096];

	for (int k = 0; k < 100; k++) {
		size_t off = (size_t)a->index * 65536 + (size_t)(k % 16) * 4096;

		if (a->index == 3) {
			a->bad += BM_GetSec(&b, 0) != 0;
			a->bad += BM_PutSec(&b, 0) != 0;
			continue;
		}
		mfo_pattern(buf, sizeof(buf), k, off);
		a->bad += BM_WriteSec(&b, off, sizeof(buf), buf, 0) != 0;
		a->bad += !mfl_has_pattern(&b, off, sizeof(buf), k);
	}
	return NULL;
}

static void test_threads(void)
{
	BmInfo b = mfl_info(NS, SEC, "shared-io");
	struct io_arg a[4];
	pthread_t t[4];
	long bad = 0;
	BmStat st;

	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 4 * 65536, 0, NULL), 0);
	/* The session holds no reference: every call takes a transient one. */
	CU_ASSERT_EQUAL(BM_PutSec(&b, 0), 0);
	for (int i = 0; i < 4; i++) {
		a[i].index = i;
		a[i].bad = 0;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, io_thread,
						     &a[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		bad += a[i].bad;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.sessionRefs, 0);
	CU_ASSERT_EQUAL(st.refCount, 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

/*
 * The data calls' per-thread cache of name -> handle: it must never serve
 * an old object, a wrong secId, a handle another thread dropped, a closed
 * session or a child of fork().
 */
static void *put_thread(void *p)
{
	BmInfo b = mfl_info(NS, SEC, "fast");
	long bad = 0;

	(void)p;
	for (int k = 0; k < 200; k++) {
		bad += BM_PutSec(&b, 0) != 0;
		bad += BM_GetSec(&b, 0) != 0;
	}
	return (void *)bad;
}

static void test_cached_handles(void)
{
	BmInfo b = mfl_info(NS, SEC, "fast"), c = mfl_info(NS, SEC, "fast2");
	BmInfo w = mfl_info(NS, "wrong", "fast");
	BmInfo p = mfl_info(NS, SEC, "fast");
	unsigned char buf[64], want[64];
	long bad = 0;
	pthread_t t;
	void *ret;
	BmStat st;
	pid_t pid;
	int status;

	snprintf(p.poolName, sizeof(p.poolName), "%s", mfo_pool);
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 8192, 0, NULL), 0);
	mfo_pattern(want, sizeof(want), 1, 0);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 0, 64, want, 0), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 64, buf, 0), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 64, buf, 0), 0);
	CU_ASSERT_EQUAL(memcmp(buf, want, 64), 0);
	/* The same object by its explicit pool name; a wrong secId. */
	CU_ASSERT_EQUAL(BM_ReadSec(&p, 0, 64, buf, 0), 0);
	CU_ASSERT_EQUAL(memcmp(buf, want, 64), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&w, 0, 64, buf, 0), -EACCES);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 8190, 64, buf, 0), -EINVAL);

	/* Freed and allocated again under the same name: the new object. */
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 64, buf, 0), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&b, 4096, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 4096, 64, buf, 0), -EINVAL);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 64, buf, 0), 0);
	memset(want, 0, sizeof(want));
	CU_ASSERT_EQUAL(memcmp(buf, want, 64), 0);

	/* Copy between two cached handles, then to a re-allocated one. */
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&c, 4096, 0, NULL), 0);
	mfo_pattern(want, sizeof(want), 2, 0);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 0, 64, want, 0), 0);
	CU_ASSERT_EQUAL(BM_CopySec(&b, 0, &c, 64, 64, 0), 0);
	CU_ASSERT_EQUAL(BM_CopySec(&b, 0, &c, 64, 64, 0), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&c, 64, 64, buf, 0), 0);
	CU_ASSERT_EQUAL(memcmp(buf, want, 64), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&c, 0), 0);
	CU_ASSERT_EQUAL(BM_CopySec(&b, 0, &c, 64, 64, 0), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&c, 4096, 0, NULL), 0);
	CU_ASSERT_EQUAL(BM_CopySec(&b, 0, &c, 128, 64, 0), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&c, 128, 64, buf, 0), 0);
	CU_ASSERT_EQUAL(memcmp(buf, want, 64), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&c, 0), 0);

	/* Another thread drops and takes the session's reference. */
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, put_thread, NULL), 0);
	for (int k = 0; k < 400; k++) {
		bad += BM_ReadSec(&b, 0, 64, buf, 0) != 0;
		bad += memcmp(buf, want, 64) != 0;
	}
	pthread_join(t, &ret);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL((long)ret, 0);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.sessionRefs, 1);

	/* A child of fork() holds none of the parent's references. */
	pid = fork();
	if (pid == 0) {
		BmStat cs;

		if (BM_ReadSec(&b, 0, 64, buf, 0) || memcmp(buf, want, 64) ||
		    BM_StatSec(&b, &cs) || cs.sessionRefs != 0)
			_exit(1);
		_exit(BM_PutSec(&b, 0) == -ENOENT ? 0 : 2);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.sessionRefs, 1);

	/* A closed session, and a new one. */
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 64, buf, 0), 0);
	CU_ASSERT_EQUAL_FATAL(BM_Exit(), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 64, buf, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_CopySec(&b, 0, &b, 64, 64, 0), -ENODEV);
	CU_ASSERT_EQUAL_FATAL(mfl_init(), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 64, buf, 0), 0);
	CU_ASSERT_EQUAL(memcmp(buf, want, 64), 0);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), 0);
	CU_ASSERT_EQUAL(st.sessionRefs, 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), 0);
}

static void test_before_init(void)
{
	BmInfo b = mfl_info(NS, SEC, "x");
	DiskFileDesc f = { .fd = 0 };
	char c;

	CU_ASSERT_EQUAL_FATAL(BM_Exit(), 0);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 1, &c, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 0, 1, &c, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_CopySec(&b, 0, &b, 1, 1, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 0, 1), -ENODEV);
	CU_ASSERT_EQUAL(mfl_init(), 0);
}

int main(int argc, char **argv)
{
	static const struct mfl_test tests[] = {
		{ "data", "read and write", test_read_write },
		{ "data", "read/write errors", test_io_errors },
		{ "data", "published, another user",
		  test_published_and_other_user },
		{ "data", "copy", test_copy },
		{ "data", "swap in a file", test_swapin },
		{ "data", "threads and transient handles", test_threads },
		{ "data", "cached handles of the fast path",
		  test_cached_handles },
		{ "data", "before BM_Init", test_before_init },
	};

	(void)argc;
	return mfl_main(argv[0], tests, sizeof(tests) / sizeof(tests[0]), setup,
			teardown);
}
