// SPDX-License-Identifier: GPL-2.0
/*
 * op64 - loops of 64 B MF_IOC_OBJ_READ, _WRITE, _COPY and the no-op ioctl
 * (MF_IOC_VERSION) on two 1 MiB objects of pool0, for profiling and for
 * A/B runs of the module (bench/ab/meas-64b.sh; issue 18).
 *
 *   op64 [noop|read|write|copy|all] [CALLS]
 *
 * Prints "op64 <what> <ns> ns/call", 3 repetitions of each.  Built by
 * bench/ab/meas-64b.sh's caller:
 *   cc -O2 -g -Iinclude -Iinclude/uapi -Itests bench/ab/op64.c \
 *      -o build/prof/op64 build/tests/libmftest.a -Lbuild/lib -lmemfabric \
 *      -Wl,-rpath,$PWD/build/lib -lpthread
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	long n = argc > 2 ? atol(argv[2]) : 200000;
	struct mfo_snap snap;
	uint64_t a, b;
	char buf[4096] __attribute__((aligned(64)));
	int fd = mfo_begin(argv[0], "prof", "prof-secret", &snap);
	int w, rep;

	memset(buf, 1, sizeof(buf));
	if (mfo_alloc(fd, "prof", "prof-secret", "a", 1 << 20, &a, NULL) ||
	    mfo_alloc(fd, "prof", "prof-secret", "b", 1 << 20, &b, NULL))
		return 2;
	for (rep = 0; rep < 3; rep++)
	for (w = 0; w < 4; w++) {
		static const char *names[] = { "noop", "read", "write", "copy" };
		double t;
		long i;

		if (strcmp(what, "all") && strcmp(what, names[w]))
			continue;
		t = now();
		for (i = 0; i < n; i++) {
			uint64_t off = (i * 64) % (1 << 20);
			struct mf_version v = { .size = sizeof(v) };
			struct mf_obj_io io = { .size = sizeof(io), .obj = a,
				.offset = off, .length = 64, .buf = (uintptr_t)buf };
			struct mf_obj_copy c = { .size = sizeof(c), .src = a,
				.src_offset = off, .dst = b, .dst_offset = off,
				.length = 64 };
			int r = 0;

			switch (w) {
			case 0: r = ioctl(fd, MF_IOC_VERSION, &v); break;
			case 1: r = ioctl(fd, MF_IOC_OBJ_READ, &io); break;
			case 2: r = ioctl(fd, MF_IOC_OBJ_WRITE, &io); break;
			case 3: r = ioctl(fd, MF_IOC_OBJ_COPY, &c); break;
			}
			if (r) {
				perror(names[w]);
				return 1;
			}
		}
		t = now() - t;
		printf("op64 %s %.0f ns/call\n", names[w], t * 1e9 / n);
	}
	mfo_put(fd, a);
	mfo_put(fd, b);
	mfo_free(fd, "prof", "prof-secret", "a");
	mfo_free(fd, "prof", "prof-secret", "b");
	MFT_CHECK(1, "ran");
	return mfo_end(fd, "prof", "prof-secret", &snap, "end");
}
