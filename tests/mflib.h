/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mflib.h - helpers of the libmemfabric guest tests (tests/guest/t_lib_*):
 * a CUnit runner whose results come out as the PASS:/FAIL: lines of
 * mftest.h, the session every file runs in, BmInfo builders and child
 * processes.  Include after mftest.h, mfpool.h and mfobj.h, with
 * _GNU_SOURCE defined before any system header.
 *
 * The bridge: each CUnit test is one check.  When it completes, the
 * runner prints "PASS: <file>: <suite>: <test>", or one FAIL line per
 * failed assertion with its file, line and condition (mft_report()), so
 * tests/run-suite counts CUnit tests like any other check.  After the
 * CUnit run, mfl_main() ends the session and checks the leak counters of
 * mfobj.h (mfo_check_snapshot()), then returns mft_done().
 */
#ifndef MFLIB_H
#define MFLIB_H

#include <CUnit/CUnit.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <memfabric/bm.h>

/* One CUnit test. */
struct mfl_test {
	const char *suite;
	const char *name;
	void (*fn)(void);
};

static int mfl_fd = -1;			/* a device fd of the test itself */
static struct mfo_snap mfl_snap;	/* the counters at the start */

static void mfl_complete(const CU_pTest test, const CU_pSuite suite,
			 const CU_pFailureRecord failure)
{
	char what[256];
	const CU_FailureRecord *f;

	snprintf(what, sizeof(what), "%s: %s", suite->pName, test->pName);
	if (!failure) {
		mft_report(1, what, "%s", "");
		return;
	}
	for (f = failure; f; f = f->pNext)
		mft_report(0, what, "%s:%u: %s", f->strFileName,
			   f->uiLineNumber, f->strCondition);
}

/* Open a BM session on the test pool. */
static inline int mfl_init(void)
{
	BmInitAttr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.defaultPool = mfo_pool;
	return BM_InitWithExtAttr(NULL, 0, &a);
}

/*
 * Run @tests in one BM session, then the leak check.  The tests find the
 * session open (mfl_init()) and must leave it open with one reference.
 * @setup and @teardown (may be NULL) run in the session before and after
 * the tests and return 0 or a negative errno.
 */
static inline int mfl_main(const char *argv0, const struct mfl_test *tests,
			   size_t n, int (*setup)(void), int (*teardown)(void))
{
	CU_pSuite suite = NULL;
	const char *cur = NULL;
	size_t i;

	mft_init(argv0);
	signal(SIGPIPE, SIG_IGN);
	mfl_fd = mfp_open();
	if (mfl_fd < 0) {
		perror(MFP_DEV);
		return 2;
	}
	mfo_setup_pool(mfl_fd);
	mfo_snapshot(&mfl_snap);

	MFT_RET(mfl_init(), 0, "BM_InitWithExtAttr on the test pool");
	if (setup)
		MFT_RET(setup(), 0, "the file's setup");
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (i = 0; i < n; i++) {
		if (!cur || strcmp(cur, tests[i].suite)) {
			cur = tests[i].suite;
			suite = CU_add_suite(cur, NULL, NULL);
		}
		if (!suite || !CU_add_test(suite, tests[i].name, tests[i].fn)) {
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_set_test_complete_handler(mfl_complete);
	CU_run_all_tests();
	CU_cleanup_registry();

	if (teardown)
		MFT_RET(teardown(), 0, "the file's teardown");
	MFT_RET(BM_Exit(), 0, "BM_Exit of the test session");
	MFT_RET(BM_Exit(), -EINVAL, "no BM_Init reference is left");
	mfo_check_snapshot(&mfl_snap, "after the file");
	mfo_teardown_pool(mfl_fd);
	close(mfl_fd);
	return mft_done();
}

/* A BmInfo in the default pool ("" pool name). */
static inline BmInfo mfl_info(const char *ns, const char *secid,
			      const char *id)
{
	BmInfo b;

	memset(&b, 0, sizeof(b));
	if (ns)
		mfo_str(b.ns, sizeof(b.ns) - 1, ns);
	if (secid)
		mfo_str(b.secId, sizeof(b.secId) - 1, secid);
	if (id)
		mfo_str(b.bmId, sizeof(b.bmId) - 1, id);
	return b;
}

/* Allocate @id (@bytes) in @ns and write the pattern of @seed into it. */
static inline int mfl_alloc_fill(BmInfo *b, size_t bytes, uint64_t seed)
{
	void *buf;
	int rc = BM_AllocSec(b, bytes, 0, NULL);

	if (rc)
		return rc;
	buf = malloc(bytes);
	if (!buf)
		return -ENOMEM;
	mfo_pattern(buf, bytes, seed, 0);
	rc = BM_WriteSec(b, 0, bytes, buf, 0);
	free(buf);
	return rc;
}

/* Does the object hold the pattern of @seed in [off, off + len)? */
static inline int mfl_has_pattern(BmInfo *b, size_t off, size_t len,
				  uint64_t seed)
{
	void *buf = malloc(len);
	int ok;

	if (!buf)
		return 0;
	ok = BM_ReadSec(b, off, len, buf, 0) == 0 &&
	     mfo_check_pattern(buf, len, seed, off);
	free(buf);
	return ok;
}

/*
 * Run @fn(@arg) in a child process and return its exit status (-1 if it
 * died).  @nobody: the child first becomes uid/gid 65534 without groups.
 * The child works through a BM session of its own (the library opens the
 * device again at the fork, before the child drops privileges); it reports
 * failures with its exit status: @fn returns the number of failed checks
 * and prints a "# child: ..." line for each.
 */
static inline int mfl_child(int (*fn)(void *arg), void *arg, int nobody)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (nobody && (setgroups(0, NULL) ||
			       setresgid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY) ||
			       setresuid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY)))
			_exit(255);
		_exit(fn(arg) & 0x7f);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* In a child: count a failed check and say which. */
#define MFL_CHILD_CHECK(bad, cond) do { \
	if (!(cond)) { \
		(bad)++; \
		printf("# child %d: %s:%d: %s\n", (int)getpid(), __FILE__, \
		       __LINE__, #cond); \
		fflush(stdout); \
	} \
} while (0)

/* Has the running module mmap support? */
static inline int mfl_has_mmap(void)
{
	BmVersion v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	return BM_Version(&v) == 0 && (v.features & BM_FEAT_MMAP);
}

#endif /* MFLIB_H */
