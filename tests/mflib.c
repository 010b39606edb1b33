// SPDX-License-Identifier: GPL-2.0
/*
 * mflib.c - mflib.h for C++ tests (tests/guest/t_lib_*.cpp), which cannot
 * include the C-only mftest.h, mfpool.h and mfobj.h: the runner, the
 * session and the test pool behind plain functions (see mflib_cxx.h).
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mflib.h"
#include "mflib_cxx.h"

int mflc_main(const char *argv0, const struct mfl_test *tests, size_t n)
{
	return mfl_main(argv0, tests, n, NULL, NULL);
}

int mflc_init(void)
{
	return mfl_init();
}

int mflc_has_mmap(void)
{
	return mfl_has_mmap();
}

const char *mflc_pool(void)
{
	return mfo_pool;
}
