// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_longterm - MF_MAP_LONGTERM mappings (ABI 1.4): MAP_SHARED,
 * PROT_WRITE mappings whose pages may be pinned for long with write
 * access (RDMA registration, io_uring fixed buffers).  Linux 6.5 and
 * later refuse such pins of an ordinary writable mapping (it needs write
 * notification for derive's copy-on-write); a long-term mapping makes
 * every range it maps the object's own at the first fault, read or write,
 * and derive from the object is refused (EBUSY) while it exists.
 *
 * Checks: the bad inputs (MAP_PRIVATE, no PROT_WRITE, a published object,
 * another user, an offset that names no object), the data path both ways,
 * derive/commit/publish refused while mapped, a derived object's read
 * fault copying the shared piece, mprotect() and fork(), and on an fsdax
 * pool an io_uring fixed-buffer registration (FOLL_LONGTERM | FOLL_WRITE)
 * of both kinds of mapping with a READ_FIXED into the object.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mfring.h"

#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#define NS	"t_longterm"
#define SECID	"longterm-secret"
#define MB	(1UL << 20)
#define LEN	(4 * MB)

static int fd;

static void *lmap(uint64_t mo, size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags, fd, (off_t)(mo | MF_MAP_LONGTERM));
}

static int map_rw_as_nobody(int f, void *arg)
{
	uint64_t mo = *(uint64_t *)arg;
	void *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, f,
		       (off_t)(mo | MF_MAP_LONGTERM));

	(void)f;
	if (p != MAP_FAILED)
		return 1;
	return errno == EACCES ? 0 : 2;
}

static void test_bad_input(uint64_t mo, uint64_t pub)
{
	void *p;

	p = lmap(mo, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	MFT_CHECK(p == MAP_FAILED && errno == EINVAL,
		  "LONGTERM with MAP_PRIVATE is EINVAL");
	p = lmap(mo, LEN, PROT_READ, MAP_SHARED);
	MFT_CHECK(p == MAP_FAILED && errno == EINVAL,
		  "LONGTERM without PROT_WRITE is EINVAL");
	p = lmap(pub, MB, PROT_READ | PROT_WRITE, MAP_SHARED);
	MFT_CHECK(p == MAP_FAILED && errno == EACCES,
		  "LONGTERM of a published object is EACCES");
	p = lmap(mo + (1ULL << 50), MB, PROT_READ | PROT_WRITE, MAP_SHARED);
	MFT_CHECK(p == MAP_FAILED && (errno == EINVAL || errno == ENOENT),
		  "LONGTERM at an offset that names no object fails");
	p = lmap(MF_MAP_LONGTERM >> 1, MB, PROT_READ | PROT_WRITE, MAP_SHARED);
	MFT_CHECK(p == MAP_FAILED && (errno == EINVAL || errno == ENOENT),
		  "LONGTERM at a low offset fails");
	p = lmap(mo, LEN + MB, PROT_READ | PROT_WRITE, MAP_SHARED);
	MFT_CHECK(p == MAP_FAILED && errno == EINVAL,
		  "LONGTERM beyond the object is EINVAL");
	MFT_CHECK(mfo_as_nobody(fd, map_rw_as_nobody, &mo) == 0,
		  "another user's LONGTERM mapping of a private object is "
		  "EACCES");
}

static void test_data(uint64_t mo)
{
	struct mf_obj_commit c;
	char *p, *q, *buf = malloc(LEN);
	uint64_t d;
	pid_t pid;
	int st;

	p = lmap(mo, LEN, PROT_READ | PROT_WRITE, MAP_SHARED);
	MFT_CHECK(p != MAP_FAILED, "map a private object LONGTERM");
	if (p == MAP_FAILED)
		goto out;
	mfo_pattern(p, LEN, 41, 0);
	MFT_CHECK(!mfo_read(fd, mo, 0, LEN, buf) &&
		  mfo_check_pattern(buf, LEN, 41, 0),
		  "writes through it reach the object");
	mfo_pattern(buf, MB, 42, MB);
	MFT_OK(mfo_write(fd, mo, MB, MB, buf), "BM write of 1 MiB");
	MFT_CHECK(mfo_check_pattern(p + MB, MB, 42, MB),
		  "the mapping sees the write");

	MFT_ERRNO(mfo_derive(fd, mo, NS, SECID, "d-busy", &d), EBUSY,
		  "derive from it is EBUSY while the LONGTERM mapping exists");
	MFT_ERRNO(mfo_publish(fd, NS, SECID, "lt"), EBUSY,
		  "publish is EBUSY meanwhile");
	q = mfo_map(fd, mo, 0, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    NULL);
	MFT_CHECK(q != MAP_FAILED, "a MAP_PRIVATE mapping beside it");
	if (q != MAP_FAILED) {
		q[0] ^= 1;
		MFT_ERRNO(mfo_commit(fd, q, 4096, NS, SECID, "c-busy", 0, &c),
			  EBUSY, "commit from it is EBUSY meanwhile");
		munmap(q, LEN);
	}

	MFT_OK(mprotect(p, LEN, PROT_READ), "mprotect it read-only");
	MFT_CHECK(mfo_check_pattern(p + MB, MB, 42, MB),
		  "it reads while read-only");
	MFT_OK(mprotect(p, LEN, PROT_READ | PROT_WRITE), "and writable again");
	p[7] = 0x5a;
	MFT_CHECK(!mfo_read(fd, mo, 7, 1, buf) && buf[0] == 0x5a,
		  "a write after mprotect reaches the object");

	pid = fork();
	if (pid == 0) {
		p[8] = 0x6b;
		_exit(0);
	}
	MFT_CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st),
		  "a forked child writes through the inherited mapping");
	MFT_CHECK(p[8] == 0x6b, "the parent sees the child's write");
	MFT_ERRNO(mfo_derive(fd, mo, NS, SECID, "d-busy", &d), EBUSY,
		  "derive is still EBUSY");

	MFT_OK(munmap(p, LEN), "munmap it");
	MFT_OK(mfo_derive(fd, mo, NS, SECID, "d-after", &d),
	       "derive works after the munmap");
	MFT_OK(mfo_put(fd, d), "put the derived object");
	MFT_OK(mfo_free(fd, NS, SECID, "d-after"), "free it");
out:
	free(buf);
}

/* A LONGTERM mapping of a derived object copies the shared piece when it
 * faults, even for a read, and never writes the source. */
static void test_derived(uint64_t src)
{
	long long cow0 = mfo_stat("cow_pieces");
	char *p, *buf = malloc(LEN);
	uint64_t d;
	char c;

	mfo_pattern(buf, LEN, 43, 0);
	MFT_OK(mfo_write(fd, src, 0, LEN, buf), "fill the source");
	MFT_OK(mfo_derive(fd, src, NS, SECID, "child", &d), "derive a child");
	p = lmap(d, LEN, PROT_READ | PROT_WRITE, MAP_SHARED);
	MFT_CHECK(p != MAP_FAILED, "map the child LONGTERM");
	if (p == MAP_FAILED)
		goto out;
	c = *(volatile char *)(p + 3 * MB + 5);
	MFT_CHECK(c == buf[3 * MB + 5], "a read sees the shared data");
	mft_report(mfo_stat("cow_pieces") > cow0,
		   "that read fault copied the shared piece", "cow_pieces %lld -> %lld",
		   cow0, mfo_stat("cow_pieces"));
	memset(p, 0x77, LEN);
	MFT_CHECK(!mfo_read(fd, src, 0, LEN, buf) &&
		  mfo_check_pattern(buf, LEN, 43, 0),
		  "writes through it leave the source unchanged");
	MFT_CHECK(!mfo_read(fd, d, LEN - 1, 1, buf) && buf[0] == 0x77,
		  "and reach the child");
	munmap(p, LEN);
out:
	MFT_OK(mfo_put(fd, d), "put the child");
	MFT_OK(mfo_free(fd, NS, SECID, "child"), "free it");
	free(buf);
}

/* ---- io_uring fixed buffers: pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) */

static void test_pin(uint64_t mo)
{
	int new_gup = mft_kernel_at_least(6, 5);
	char path[] = "/tmp/t_longterm.XXXXXX";
	char *p, *q, *buf = malloc(MB);
	struct mft_ring r;
	int file, rc;

	if (mft_ring_open(&r)) {
		MFT_CHECK(0, "io_uring_setup");
		free(buf);
		return;
	}
	q = mfo_map(fd, mo, 0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, NULL);
	MFT_CHECK(q != MAP_FAILED, "an ordinary writable mapping");
	rc = mft_ring_register(&r, q, MB);
	printf("INFO: io_uring buffer on an ordinary mapping: %s\n",
	       rc ? strerror(-rc) : "registered");
	if (new_gup)
		mft_report(rc == -EFAULT,
			   "Linux >= 6.5 refuses to pin it long-term for writing",
			   "%s", rc ? strerror(-rc) : "registered");
	else
		mft_report(rc == -EOPNOTSUPP,
			   "Linux 6.1's io_uring refuses file-backed buffers",
			   "%s", rc ? strerror(-rc) : "registered");
	if (!rc)
		syscall(__NR_io_uring_register, r.fd,
			IORING_UNREGISTER_BUFFERS, NULL, 0);
	if (q != MAP_FAILED)
		munmap(q, LEN);

	p = lmap(mo, LEN, PROT_READ | PROT_WRITE, MAP_SHARED);
	MFT_CHECK(p != MAP_FAILED, "a LONGTERM mapping");
	if (p == MAP_FAILED)
		goto out;
	rc = mft_ring_register(&r, p, MB);
	printf("INFO: io_uring buffer on a LONGTERM mapping: %s\n",
	       rc ? strerror(-rc) : "registered");
	if (!new_gup) {
		mft_report(rc == -EOPNOTSUPP,
			   "Linux 6.1's io_uring refuses it too (file-backed; "
			   "RDMA registration is t_remote's)", "%s",
			   rc ? strerror(-rc) : "registered");
		munmap(p, LEN);
		goto out;
	}
	mft_report(rc == 0, "it is pinned long-term for writing (io_uring)",
		   "%s", rc ? strerror(-rc) : "");
	if (rc) {
		munmap(p, LEN);
		goto out;
	}
	file = mkstemp(path);
	mfo_pattern(buf, MB, 44, 0);
	MFT_CHECK(file >= 0 && write(file, buf, MB) == (ssize_t)MB,
		  "a 1 MiB file");
	unlink(path);
	MFT_CHECK(mft_ring_read_fixed(&r, file, p, MB) == (int)MB,
		  "READ_FIXED into the pinned buffer");
	memset(buf, 0, MB);
	MFT_CHECK(!mfo_read(fd, mo, 0, MB, buf) &&
		  mfo_check_pattern(buf, MB, 44, 0),
		  "the data is in the object");
	close(file);
	MFT_ERRNO(mfo_derive(fd, mo, NS, SECID, "d-pin", NULL), EBUSY,
		  "derive is EBUSY while mapped and pinned");
	MFT_OK((int)syscall(__NR_io_uring_register, r.fd,
			    IORING_UNREGISTER_BUFFERS, NULL, 0),
	       "unregister the buffer");
	munmap(p, LEN);
out:
	mft_ring_close(&r);
	free(buf);
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;
	char backend[32] = "";
	uint64_t mo, pub, pin;

	(void)argc;
	fd = mfo_begin(argv[0], NS, SECID, &snap);
	mfp_sysfs(mfo_pool, "backend", backend, sizeof(backend));
	MFT_OK(mfo_alloc(fd, NS, SECID, "lt", LEN, &mo, NULL),
	       "allocate a 4 MiB object");
	MFT_OK(mfo_alloc(fd, NS, SECID, "pub", MB, &pub, NULL),
	       "and a 1 MiB one");
	MFT_OK(mfo_publish(fd, NS, SECID, "pub"), "publish the second");

	test_bad_input(mo, pub);
	test_data(mo);
	test_derived(mo);
	if (!strcmp(backend, "fsdax")) {
		MFT_OK(mfo_alloc(fd, NS, SECID, "pin", LEN, &pin, NULL),
		       "allocate an object to pin");
		test_pin(pin);
		MFT_OK(mfo_put(fd, pin), "put it");
		MFT_OK(mfo_free(fd, NS, SECID, "pin"), "free it");
	} else {
		printf("INFO: pool %s is %s: its pages cannot be pinned\n",
		       mfo_pool, backend);
	}

	MFT_OK(mfo_put(fd, mo), "put the object");
	MFT_OK(mfo_free(fd, NS, SECID, "lt"), "free it");
	MFT_OK(mfo_put(fd, pub), "put the published one");
	MFT_OK(mfo_free(fd, NS, SECID, "pub"), "free it");
	return mfo_end(fd, NS, SECID, &snap, "after t_obj_longterm");
}
