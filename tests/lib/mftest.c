// SPDX-License-Identifier: GPL-2.0
/*
 * mftest.c - the test harness of tests/mftest.h: the PASS/FAIL reporting
 * every guest test program links (build/tests/libmftest.a).
 */
#include <sys/utsname.h>

#include "mftest.h"

const char *mft_name = "test";
int mft_pass, mft_fail;

void mft_init(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	mft_name = slash ? slash + 1 : argv0;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void mft_report(int ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		mft_pass++;
		printf("PASS: %s: %s\n", mft_name, what);
		return;
	}
	mft_fail++;
	printf("FAIL: %s: %s (", mft_name, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(")\n");
}

int mft_done(void)
{
	if (mft_pass + mft_fail == 0)
		mft_report(0, "the file checks something", "no checks ran");
	printf("%s: %d passed, %d failed\n", mft_name, mft_pass, mft_fail);
	return mft_fail ? 1 : 0;
}

int mft_kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return 0;
	return a > maj || (a == maj && b >= min);
}
