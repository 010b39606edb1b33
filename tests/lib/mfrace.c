// SPDX-License-Identifier: GPL-2.0
/*
 * mfrace.c - the race tests' helpers of tests/mfrace.h
 * (build/tests/libmftest.a).
 */
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "mfrace.h"

uint64_t mft_xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

long long mft_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void mft_spin(long n)
{
	long i;

	for (i = 0; i < n; i++)
		__asm__ __volatile__("pause" ::: "memory");
}

void mft_wait_for(volatile int *v, int want)
{
	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) != want)
		sched_yield();
}

long mft_threads(void *(*fn)(void *), long n)
{
	pthread_t t[64];
	long i, started, sum = 0;
	void *r;

	if (n < 0 || n > 64)
		return -1;
	for (started = 0; started < n; started++)
		if (pthread_create(&t[started], NULL, fn, (void *)started))
			break;
	for (i = 0; i < started; i++) {
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	return started == n ? sum : -1;
}
