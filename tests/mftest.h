/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mftest.h - the tiny test harness of memfabric's guest and host tests.
 *
 * A test file is one program per feature.  Each check prints one line,
 * "PASS: <file>: <what>" or "FAIL: <file>: <what> (<detail>)", which the
 * suite runner (tests/run-suite) counts.  The program ends with
 * mft_done(), which prints the file's own tally and returns the exit
 * status: 0 when every check passed, 1 otherwise.  A program that checks
 * nothing fails: a test that asserts nothing is a defect.  A program that
 * cannot run where it is prints "SKIP: <file>: <why>" and exits 77.
 *
 * The functions live in tests/lib/mftest.c, in build/tests/libmftest.a,
 * which every test program links.
 */
#ifndef MFTEST_H
#define MFTEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defined in tests/lib/mftest.c (build/tests/libmftest.a). */
extern const char *mft_name;
extern int mft_pass, mft_fail;

void mft_init(const char *argv0);

void mft_report(int ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Check a condition. */
#define MFT_CHECK(cond, what) \
	mft_report(!!(cond), (what), "%s is false at %s:%d", #cond, \
		   __FILE__, __LINE__)

/* Check that a call returning 0/-1+errno succeeded. */
#define MFT_OK(expr, what) do { \
	errno = 0; \
	long mft_r_ = (long)(expr); \
	mft_report(mft_r_ >= 0, (what), "%s = %ld, errno %d (%s)", #expr, \
		   mft_r_, errno, strerror(errno)); \
} while (0)

/* Check that a call returning 0/-1+errno failed with errno @err. */
#define MFT_ERRNO(expr, err, what) do { \
	errno = 0; \
	long mft_r_ = (long)(expr); \
	int mft_e_ = errno; \
	mft_report(mft_r_ == -1 && mft_e_ == (err), (what), \
		   "%s = %ld, errno %d (%s), want errno %d (%s)", #expr, \
		   mft_r_, mft_e_, strerror(mft_e_), (err), strerror(err)); \
} while (0)

/* Check that a call returning 0/-errno (libmemfabric style) gave @want. */
#define MFT_RET(expr, want, what) do { \
	long mft_r_ = (long)(expr); \
	mft_report(mft_r_ == (long)(want), (what), "%s = %ld, want %ld", \
		   #expr, mft_r_, (long)(want)); \
} while (0)

int mft_done(void);

/* Whether the running kernel is at least @maj.@min. */
int mft_kernel_at_least(int maj, int min);

#endif /* MFTEST_H */
