// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_cow - MAP_PRIVATE mappings (copy-on-write into local memory) and
 * MF_IOC_OBJ_COMMIT (Documentation/objects.md, "Commit"): a writer changes its private
 * copy of a shared object, the fabric and other mappers never see it, and
 * the modified copy becomes a new object that shares the unmodified rest.
 * Also the commit ioctl's bad input.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#include <sys/wait.h>

#define NS	"t_cow"
#define SECID	"cow-secret"
#define PG	4096UL
#define LEN	(8UL << 20)

static int fd;

static uint64_t make_shared(const char *id, size_t len, uint64_t seed)
{
	char *buf = malloc(len);
	uint64_t mo = 0;

	mfo_pattern(buf, len, seed, 0);
	if (mfo_alloc(fd, NS, SECID, id, len, &mo, NULL) ||
	    mfo_write(fd, mo, 0, len, buf) || mfo_publish(fd, NS, SECID, id))
		mo = 0;
	free(buf);
	return mo;
}

/* As nobody: a private writable mapping of the shared object works. */
static int nobody_private_map(int fd_, void *arg)
{
	uint64_t mo = *(uint64_t *)arg;
	char *p;

	p = mfo_map(fd_, mo, 0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL);
	if (p == MAP_FAILED)
		return 1;
	p[0] = 'N';
	return p[0] == 'N' && mfo_check_pattern(p + 1, PG - 1, 5, 1) ? 0 : 2;
}

static void test_private_cow(void)
{
	char *shared, *priv, *priv2, buf[8];
	long long rss0, rss1;
	int status;
	uint64_t mo;
	pid_t pid;
	size_t i;

	mo = make_shared("base", LEN, 5);
	MFT_CHECK(mo, "allocate, fill and publish base (8 MiB)");
	if (!mo)
		return;
	shared = mfo_map(fd, mo, 0, LEN, PROT_READ, MAP_SHARED, NULL);
	priv = mfo_map(fd, mo, 0, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       NULL);
	priv2 = mfo_map(fd, mo, 0, LEN, PROT_READ, MAP_PRIVATE, NULL);
	MFT_CHECK(shared != MAP_FAILED && priv != MAP_FAILED &&
		  priv2 != MAP_FAILED,
		  "a reader maps it shared and twice private (one writable)");
	if (shared == MAP_FAILED || priv == MAP_FAILED || priv2 == MAP_FAILED)
		return;
	MFT_CHECK(mfo_check_pattern(priv, LEN, 5, 0),
		  "the private mapping reads the object");
	rss0 = mfo_smaps_kb("Anonymous");
	for (i = 0; i < LEN; i += 64 * PG)
		priv[i] = 'W';
	rss1 = mfo_smaps_kb("Anonymous");
	mft_report(rss1 - rss0 >= 32 * 4 && rss1 - rss0 < 32 * 4 + 256,
		   "writing 32 pages copied about 32 pages into anonymous memory",
		   "Anonymous %lld KiB -> %lld KiB", rss0, rss1);
	MFT_CHECK(priv[0] == 'W' && priv[64 * PG] == 'W',
		  "the writer sees its writes");
	MFT_CHECK(shared[0] != 'W' && priv2[0] != 'W' &&
		  shared[64 * PG] != 'W',
		  "the shared and the other private mapping do not");
	MFT_OK(mfo_read(fd, mo, 0, 8, buf), "read the object by ioctl");
	MFT_CHECK(buf[0] != 'W' && mfo_check_pattern(buf, 8, 5, 0),
		  "the fabric memory is unchanged");
	MFT_CHECK(mfo_check_pattern(priv + 1, 64 * PG - 1, 5, 1),
		  "the writer's unwritten bytes are the object's");
	MFT_RET(mfo_as_nobody(fd, nobody_private_map, &mo), 0,
		"another uid may map a published object private and write it");
	pid = fork();
	if (pid == 0) {
		priv[1] = 'C';
		_exit(priv[0] == 'W' && priv[1] == 'C' ? 0 : 1);
	}
	MFT_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid &&
		  WIFEXITED(status) && !WEXITSTATUS(status),
		  "a forked child inherits the copy and writes its own");
	MFT_CHECK(priv[1] != 'C', "the parent's copy is its own");
	munmap(shared, LEN);
	munmap(priv, LEN);
	munmap(priv2, LEN);
	MFT_OK(mfo_free(fd, NS, SECID, "base"), "free base");
	MFT_OK(mfo_put(fd, mo), "put it");
}

static void test_commit(void)
{
	unsigned long long free0, free1;
	struct mf_obj_commit c;
	struct mf_obj_stat st;
	uint64_t mo, mo2;
	char *priv, *view;
	size_t i, n = 0;

	mo = make_shared("orig", LEN, 7);
	MFT_CHECK(mo, "allocate, fill and publish orig (8 MiB)");
	if (!mo)
		return;
	priv = mfo_map(fd, mo, 0, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       NULL);
	MFT_CHECK(priv != MAP_FAILED, "map it private and writable");
	if (priv == MAP_FAILED)
		return;
	/* Write 1% of the pages, all in the first 2 MiB. */
	for (i = 0; i < LEN / PG / 100; i++, n++)
		memcpy(priv + i * 7 * PG + 8, "commit!", 7);
	priv[LEN - 1] = 'E';	/* and the last byte */
	n++;
	free0 = mfp_sysfs_u64(mfo_pool, "free");
	MFT_OK(mfo_commit(fd, priv, LEN, NS, SECID, "v2", MF_COMMIT_PUBLISH,
			  &c), "commit the private copy as v2, published");
	free1 = mfp_sysfs_u64(mfo_pool, "free");
	MFT_CHECK(c.bytes == LEN && c.type == MF_OBJ_SHARED_RO &&
		  c.map_offset && !strcmp(c.id, "v2"),
		  "it reports v2's size, type, map offset and id");
	mft_report(c.copied == n * PG, "it copied exactly the written pages",
		   "copied %llu, want %zu", (unsigned long long)c.copied,
		   n * PG);
	mft_report(free0 - free1 <= n * PG + (64UL << 10),
		   "v2 costs its written pages (plus its record), not 8 MiB",
		   "pool free dropped by %llu for %zu pages", free0 - free1, n);
	mo2 = c.map_offset;
	view = mfo_map(fd, mo2, 0, LEN, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(view != MAP_FAILED, "map v2");
	if (view != MAP_FAILED) {
		MFT_CHECK(!memcmp(view + 8, "commit!", 7) &&
			  !memcmp(view + 7 * PG + 8, "commit!", 7) &&
			  view[LEN - 1] == 'E',
			  "v2 holds the modified pages");
		MFT_CHECK(mfo_check_pattern(view + 15, 7 * PG - 15, 7, 15) &&
			  mfo_check_pattern(view + (3UL << 20), 4UL << 20, 7,
					    3UL << 20),
			  "and the unmodified rest of orig");
		munmap(view, LEN);
	}
	MFT_CHECK(!mfo_stat_obj(fd, mo2, &st) && st.nr_shared > 0,
		  "v2 shares pieces with orig");
	view = mfo_map(fd, mo, 0, PG, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(view != MAP_FAILED && mfo_check_pattern(view, PG, 7, 0),
		  "orig is unchanged");
	if (view != MAP_FAILED)
		munmap(view, PG);

	MFT_OK(mfo_commit(fd, priv + 2 * PG, PG, NS, SECID, "", 0, &c),
	       "commit one page of the range, unpublished, with a generated id");
	MFT_CHECK(c.type == MF_OBJ_PRIVATE_RW && c.copied == 0 && c.id[0],
		  "it is private, copied nothing (page 2 is unwritten), and has an id");
	MFT_OK(mfo_free(fd, NS, SECID, c.id), "free it");
	MFT_OK(mfo_put(fd, c.map_offset), "put it");

	munmap(priv, LEN);
	MFT_OK(mfo_free(fd, NS, SECID, "v2"), "free v2");
	MFT_OK(mfo_put(fd, mo2), "put it");
	MFT_OK(mfo_free(fd, NS, SECID, "orig"), "free orig");
	MFT_OK(mfo_put(fd, mo), "put it");
}

/* Pages scattered over every 2 MiB chunk cost pages, not chunks. */
static void test_commit_scattered(void)
{
	unsigned long long free0, free1;
	struct mf_obj_commit c;
	uint64_t mo;
	char *priv, *view;
	size_t i;
	int ok = 1;

	mo = make_shared("scat", LEN, 13);
	MFT_CHECK(mo, "allocate, fill and publish scat (8 MiB)");
	if (!mo)
		return;
	priv = mfo_map(fd, mo, 0, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       NULL);
	MFT_CHECK(priv != MAP_FAILED, "map it private");
	if (priv == MAP_FAILED)
		return;
	for (i = 0; i < LEN; i += 256 * 1024)
		priv[i + 17] = 'S';	/* 32 pages, 8 per 2 MiB chunk */
	free0 = mfp_sysfs_u64(mfo_pool, "free");
	MFT_OK(mfo_commit(fd, priv, LEN, NS, SECID, "scat2", 0, &c),
	       "commit 32 scattered pages");
	free1 = mfp_sysfs_u64(mfo_pool, "free");
	MFT_CHECK(c.copied == 32 * PG, "it copied 32 pages");
	mft_report(free0 - free1 <= 32 * PG + (64UL << 10),
		   "it costs 32 pages plus its record, not 4 chunks of 2 MiB",
		   "pool free dropped by %llu", free0 - free1);
	view = mfo_map(fd, c.map_offset, 0, LEN, PROT_READ, MAP_SHARED, NULL);
	MFT_CHECK(view != MAP_FAILED, "map the new object");
	if (view != MAP_FAILED) {
		for (i = 0; i < LEN; i += 256 * 1024) {
			ok &= view[i + 17] == 'S';
			ok &= mfo_check_pattern(view + i, 17, 13, i);
			ok &= mfo_check_pattern(view + i + 18,
						256 * 1024 - 18, 13, i + 18);
		}
		MFT_CHECK(ok, "it holds the written bytes and the rest of scat");
		munmap(view, LEN);
	}
	MFT_OK(mfo_write(fd, c.map_offset, 17, 1, "T"),
	       "write the new object (a 4 KiB piece of its own)");
	MFT_CHECK(priv[17] == 'S', "the writer's copy is unchanged");
	munmap(priv, LEN);
	MFT_OK(mfo_free(fd, NS, SECID, "scat2"), "free scat2");
	MFT_OK(mfo_put(fd, c.map_offset), "put it");
	MFT_OK(mfo_free(fd, NS, SECID, "scat"), "free scat");
	MFT_OK(mfo_put(fd, mo), "put it");
}

static void test_commit_bad(void)
{
	struct {
		struct mf_obj_commit c;
		char extra[8];
	} big;
	struct mf_obj_commit c;
	uint64_t mo, mo_priv;
	char *priv, *shared;
	void *anon;

	mo = make_shared("bad", 4 * PG, 9);
	MFT_CHECK(mo, "allocate and publish bad");
	MFT_OK(mfo_alloc(fd, NS, SECID, "mine", 4 * PG, &mo_priv, NULL),
	       "allocate mine");
	priv = mfo_map(fd, mo, 0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       NULL);
	shared = mfo_map(fd, mo_priv, 0, 4 * PG, PROT_READ | PROT_WRITE,
			 MAP_SHARED, NULL);
	anon = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (priv == MAP_FAILED || shared == MAP_FAILED || anon == MAP_FAILED) {
		MFT_CHECK(0, "set up the mappings");
		return;
	}
	priv[0] = 1;

	memset(&c, 0, sizeof(c));
	c.size = MF_OBJ_COMMIT_SIZE_VER0 - 1;
	c.addr = (uintptr_t)priv;
	c.length = PG;
	mfo_str(c.ns, sizeof(c.ns), NS);
	mfo_str(c.secid, sizeof(c.secid), SECID);
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_COMMIT, &c), EINVAL,
		  "the first version's size - 1: EINVAL");
	memset(&big, 0, sizeof(big));
	big.c = c;
	big.c.size = sizeof(big.c) + 1;
	big.extra[0] = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_COMMIT, &big), E2BIG,
		  "size + 1 with a non-zero byte: E2BIG");
	c.size = sizeof(c);
	c.flags = 2;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_COMMIT, &c), EINVAL,
		  "an unknown flag: EINVAL");
	c.flags = 0;
	c.reserved = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_COMMIT, &c), EINVAL,
		  "a non-zero reserved field: EINVAL");
	c.reserved = 0;
	c.copied = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_COMMIT, &c), EINVAL,
		  "a non-zero output field: EINVAL");
	c.copied = 0;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_COMMIT, (void *)8), EFAULT,
		  "a bad struct pointer: EFAULT");

	MFT_ERRNO(mfo_commit(fd, priv + 1, PG, NS, SECID, "x", 0, NULL),
		  EINVAL, "an unaligned address: EINVAL");
	MFT_ERRNO(mfo_commit(fd, priv, 0, NS, SECID, "x", 0, NULL), EINVAL,
		  "an empty range: EINVAL");
	MFT_ERRNO(mfo_commit(fd, priv, 5 * PG, NS, SECID, "x", 0, NULL),
		  EINVAL, "a range beyond the mapping: EINVAL");
	MFT_ERRNO(mfo_commit(fd, (void *)(~0UL << 12), 2 * PG, NS, SECID, "x",
			     0, NULL), EOVERFLOW,
		  "an address + length that overflows: EOVERFLOW");
	MFT_ERRNO(mfo_commit(fd, anon, PG, NS, SECID, "x", 0, NULL), EINVAL,
		  "anonymous memory: EINVAL");
	MFT_ERRNO(mfo_commit(fd, shared, PG, NS, SECID, "x", 0, NULL), EINVAL,
		  "a MAP_SHARED mapping: EINVAL");
	MFT_ERRNO(mfo_commit(fd, priv, PG, NS, "wrong", "x", 0, NULL), EACCES,
		  "a wrong secId: EACCES");
	MFT_ERRNO(mfo_commit(fd, priv, PG, "t_nons", SECID, "x", 0, NULL),
		  ENOENT, "an unknown namespace: ENOENT");
	MFT_ERRNO(mfo_commit(fd, priv, PG, NS, SECID, "bad id", 0, NULL),
		  EINVAL, "a bad id: EINVAL");
	MFT_ERRNO(mfo_commit(fd, priv, PG, NS, SECID, "mine", 0, NULL), EEXIST,
		  "a taken id: EEXIST");
	MFT_ERRNO(mfo_commit(fd, (void *)8, PG, NS, SECID, "x", 0, NULL),
		  EINVAL, "an unaligned bad pointer: EINVAL");

	munmap(priv, 4 * PG);
	munmap(shared, 4 * PG);
	munmap(anon, PG);
	MFT_OK(mfo_free(fd, NS, SECID, "bad"), "free bad");
	MFT_OK(mfo_put(fd, mo), "put it");
	MFT_OK(mfo_free(fd, NS, SECID, "mine"), "free mine");
	MFT_OK(mfo_put(fd, mo_priv), "put it");
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;

	(void)argc;
	fd = mfo_begin(argv[0], NS, SECID, &snap);

	test_private_cow();
	test_commit();
	test_commit_scattered();
	test_commit_bad();

	return mfo_end(fd, NS, SECID, &snap, "after t_obj_cow");
}
