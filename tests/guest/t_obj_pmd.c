// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_pmd - 2 MiB mappings.  Objects of 2 MiB or more get 2 MiB aligned
 * extents; a MAP_SHARED mapping of one in a devmap (fsdax) pool is placed
 * 2 MiB aligned and each fault maps a whole PMD.  The module counts its
 * faults in /sys/kernel/memfabric/stats/{faults,faults_pmd}: touching
 * every page of an 8 MiB object takes 4 faults, not 2048.  Unaligned
 * mappings, MAP_PRIVATE mappings and RAM pools use 4 KiB entries.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_pmd"
#define SECID	"pmd-secret"
#define PG	4096UL
#define LEN	(8UL << 20)

static int fd;

/* Touch every page of [@p, @p + @len), reading or writing. */
static void touch(volatile char *p, size_t len, int write)
{
	size_t i;

	for (i = 0; i < len; i += PG) {
		if (write)
			p[i] = (char)i;
		else
			(void)p[i];
	}
}

struct faults {
	long long pte, pmd;
};

static struct faults faults_now(void)
{
	struct faults f = { mfo_stat("faults"), mfo_stat("faults_pmd") };

	return f;
}

static void test_pmd(int fsdax)
{
	struct faults f0, f1;
	uint64_t mo;
	char *p;

	MFT_OK(mfo_alloc(fd, NS, SECID, "huge", LEN, &mo, NULL),
	       "allocate an 8 MiB object");
	p = mfo_map(fd, mo, 0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, NULL);
	MFT_CHECK(p != MAP_FAILED, "map it shared");
	if (p == MAP_FAILED)
		return;
	MFT_CHECK(!((uintptr_t)p & ((2UL << 20) - 1)),
		  "the mapping is placed 2 MiB aligned");
	f0 = faults_now();
	touch(p, LEN, 0);
	f1 = faults_now();
	if (fsdax) {
		mft_report(f1.pmd - f0.pmd == 4 && f1.pte == f0.pte,
			   "reading every page took 4 PMD faults, no 4 KiB ones",
			   "%lld PMD, %lld 4 KiB faults", f1.pmd - f0.pmd,
			   f1.pte - f0.pte);
	} else {
		mft_report(f1.pmd == f0.pmd && f1.pte - f0.pte == (long long)(LEN / PG),
			   "a RAM pool maps 4 KiB pages: 2048 faults",
			   "%lld PMD, %lld 4 KiB faults", f1.pmd - f0.pmd,
			   f1.pte - f0.pte);
	}
	f0 = faults_now();
	touch(p, LEN, 1);
	f1 = faults_now();
	mft_report(f1.pte - f0.pte + f1.pmd - f0.pmd <= (fsdax ? 4 : (long long)(LEN / PG)),
		   "writing every page then took at most one fault per entry",
		   "%lld PMD, %lld 4 KiB faults", f1.pmd - f0.pmd,
		   f1.pte - f0.pte);
	munmap(p, LEN);

	p = mfo_map(fd, mo, 0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, NULL);
	if (p != MAP_FAILED) {
		size_t i;
		int ok = 1;

		for (i = 0; i < LEN; i += PG)
			ok &= p[i] == (char)i;
		MFT_CHECK(ok, "the writes are in the object");
		munmap(p, LEN);
	}

	p = mfo_map(fd, mo, PG, LEN - PG, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(p != MAP_FAILED, "map it from its second page");
	if (p != MAP_FAILED) {
		f0 = faults_now();
		touch(p, (2UL << 20) - PG, 0);
		f1 = faults_now();
		mft_report(f1.pmd == f0.pmd && f1.pte - f0.pte == 511,
			   "its pages before the first 2 MiB boundary take 4 KiB faults",
			   "%lld PMD, %lld 4 KiB faults", f1.pmd - f0.pmd,
			   f1.pte - f0.pte);
		f0 = faults_now();
		touch(p + (2UL << 20) - PG, 2UL << 20, 0);
		f1 = faults_now();
		mft_report(f1.pmd - f0.pmd == (fsdax ? 1 : 0),
			   "the next 2 MiB, aligned again, take one PMD fault",
			   "%lld PMD, %lld 4 KiB faults", f1.pmd - f0.pmd,
			   f1.pte - f0.pte);
		munmap(p, LEN - PG);
	}

	p = mfo_map(fd, mo, 0, LEN, PROT_READ, MAP_PRIVATE, NULL);
	MFT_CHECK(p != MAP_FAILED, "map it private");
	if (p != MAP_FAILED) {
		f0 = faults_now();
		touch(p, 2UL << 20, 0);
		f1 = faults_now();
		mft_report(f1.pmd == f0.pmd && f1.pte - f0.pte == 512,
			   "a private mapping takes 4 KiB faults",
			   "%lld PMD, %lld 4 KiB faults", f1.pmd - f0.pmd,
			   f1.pte - f0.pte);
		munmap(p, LEN);
	}
	MFT_OK(mfo_free(fd, NS, SECID, "huge"), "free it");
	MFT_OK(mfo_put(fd, mo), "put it");
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;
	char backend[32] = "";

	(void)argc;
	fd = mfo_begin(argv[0], NS, SECID, &snap);
	mfp_sysfs(mfo_pool, "backend", backend, sizeof(backend));
	test_pmd(!strcmp(backend, "fsdax"));

	return mfo_end(fd, NS, SECID, &snap, "after t_obj_pmd");
}
