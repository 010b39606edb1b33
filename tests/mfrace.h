/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfrace.h - what the race tests (t_conc, t_obj_commit_race) share:
 * a xorshift64* generator, a monotonic clock in milliseconds, a busy
 * wait, a yielding wait for a flag another thread sets, and a batch of
 * threads whose results add up (the t_lib_* suites).
 *
 * The functions live in tests/lib/mfrace.c (build/tests/libmftest.a).
 */
#ifndef MFRACE_H
#define MFRACE_H

#include <stdint.h>

/* The next number of the xorshift64* sequence in *@s (never 0). */
uint64_t mft_xorshift(uint64_t *s);
/* CLOCK_MONOTONIC in milliseconds. */
long long mft_ms(void);
/* Spin @n times on the CPU's pause instruction. */
void mft_spin(long n);
/* Wait (yielding) until *@v is @want (an acquire load). */
void mft_wait_for(volatile int *v, int want);

/*
 * Run @fn((void *)i) for i = 0 .. @n - 1 (@n <= 64) in @n threads and join
 * them: the sum of their results (each a long), or -1 if one could not
 * be started.
 */
long mft_threads(void *(*fn)(void *), long n);

#endif /* MFRACE_H */
