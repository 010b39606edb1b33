/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mflib_cxx.h - what C++ tests get of mflib.h, through tests/mflib.c
 * (linked into every tests/guest/t_lib_*.cpp test).
 */
#ifndef MFLIB_CXX_H
#define MFLIB_CXX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MFLIB_H
struct mfl_test {
	const char *suite;
	const char *name;
	void (*fn)(void);
};
#endif

/* mfl_main() without setup/teardown, mfl_init(), mfl_has_mmap(), and the
 * test pool's name (mfo_pool). */
int mflc_main(const char *argv0, const struct mfl_test *tests, size_t n);
int mflc_init(void);
int mflc_has_mmap(void);
const char *mflc_pool(void);

#ifdef __cplusplus
}
#endif

#endif /* MFLIB_CXX_H */
