// SPDX-License-Identifier: GPL-2.0
/*
 * fault4k - 4 KiB read faults on a MAP_SHARED mapping of an object of
 * pool0 and of a pre-populated memfd, for profiling and for A/B runs of
 * the module (bench/ab/meas-fault.sh; issue 18).  The same measurement as
 * mfbench faults' "4 KiB fault vs memfd minor fault" rows: each round maps
 * the whole object (and the memfd) 4 KiB off 2 MiB alignment, so that no
 * PMD can be used, reads one byte per page and unmaps it again.
 *
 *   fault4k [ours|memfd|both] [MIB] [ROUNDS]
 *
 * Prints "fault4k <what> <ns> ns/fault <faults> faults" per round (both:
 * ours and memfd alternate, ours first on even rounds).  Set
 * /sys/kernel/debug/fault_around_bytes to 4096 first, as mfbench does, or
 * memfd faults map 16 pages each.  Built by bench/ab/meas-fault.sh's
 * caller:
 *   cc -O2 -g -Iinclude -Iinclude/uapi -Itests bench/ab/fault4k.c \
 *      -o build/prof/fault4k build/tests/libmftest.a -Lbuild/lib \
 *      -lmemfabric -Wl,-rpath,$PWD/build/lib -lpthread
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define HUGE	(2UL << 20)

static volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* An address 4 KiB past a 2 MiB boundary with @len free after it. */
static void *reserve(size_t len)
{
	char *p = mmap(NULL, len + 2 * HUGE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + HUGE - 1) & ~(HUGE - 1);
	munmap(p, len + 2 * HUGE);
	return (void *)(a + 4096);
}

static __attribute__((noinline)) void touch(const void *p, size_t len)
{
	const volatile char *c = p;
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < len; i += 4096)
		s += c[i];
	sink += s;
}

/* One round on @fd at @off: 0, or -1 if it could not be mapped. */
static int one(const char *what, int fd, uint64_t off, size_t len)
{
	void *want = reserve(len), *p;
	double t;
	long m;

	if (!want)
		return -1;
	p = mmap(want, len, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, fd,
		 (off_t)off);
	if (p == MAP_FAILED) {
		perror(what);
		return -1;
	}
	m = minflt();
	t = now();
	touch(p, len);
	t = now() - t;
	m = minflt() - m;
	munmap(p, len);
	printf("fault4k %s %.0f ns/fault %ld faults\n", what,
	       m ? t * 1e9 / m : 0, m);
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "both";
	size_t len = (argc > 2 ? atol(argv[2]) : 256) << 20;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	bool ours = strcmp(what, "memfd"), memfd = strcmp(what, "ours");
	struct mfo_snap snap;
	int fd = mfo_begin(argv[0], "fault4k", "fault4k-secret", &snap);
	int mfd = -1, r, k;
	uint64_t mo = 0;
	void *mp;

	if (ours && mfo_alloc(fd, "fault4k", "fault4k-secret", "a", len, &mo,
			      NULL))
		return 2;
	if (memfd) {
		mfd = memfd_create("fault4k", 0);
		if (mfd < 0 || ftruncate(mfd, len))
			return 2;
		mp = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
		if (mp == MAP_FAILED)
			return 2;
		memset(mp, 7, len);	/* populate its page cache */
		munmap(mp, len);
	}
	for (r = 0; r < rounds; r++)
		for (k = 0; k < 2; k++) {
			bool o = (k == 0) == (r % 2 == 0);

			if (o && ours && one("ours", fd, mo, len))
				return 1;
			if (!o && memfd && one("memfd", mfd, 0, len))
				return 1;
		}
	if (mfd >= 0)
		close(mfd);
	if (ours) {
		mfo_put(fd, mo);
		mfo_free(fd, "fault4k", "fault4k-secret", "a");
	}
	MFT_CHECK(1, "ran");
	return mfo_end(fd, "fault4k", "fault4k-secret", &snap, "end");
}
