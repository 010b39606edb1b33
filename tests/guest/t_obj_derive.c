// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_derive - MF_IOC_OBJ_DERIVE and copy-on-write.  A derived object
 * shares its source's memory in pieces of at most 2 MiB; deriving costs
 * no data memory (only a record in a persistent pool: well under 1% of
 * the size); the first write to a shared piece, by either object, copies
 * that one piece (2 MiB at most); the counts are exact: every byte
 * returns to the pool when the last object that uses it goes.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_derive"
#define SECID	"derive-secret"
#define MB	(1ULL << 20)
#define SRC_SIZE (8 * MB)

static int fd;

static unsigned long long used(void)
{
	return mfp_sysfs_u64(mfo_pool, "used");
}

/* Read @len bytes at @off of @mo and check pattern @seed there. */
static int has_pattern(uint64_t mo, uint64_t off, size_t len, uint64_t seed)
{
	char *buf = malloc(len);
	int ok;

	ok = !mfo_read(fd, mo, off, len, buf) &&
	     mfo_check_pattern(buf, len, seed, off);
	free(buf);
	return ok;
}

static void test_cow(void)
{
	unsigned long long u0, u1, u2;
	long long cow0 = mfo_stat("cow_pieces");
	long long shared0 = mfo_stat("extents_shared");
	struct mf_obj_stat st;
	uint64_t src, d1, d2;
	char *buf = malloc(SRC_SIZE), c;

	MFT_OK(mfo_alloc(fd, NS, SECID, "src", SRC_SIZE, &src, NULL),
	       "allocate an 8 MiB source");
	mfo_pattern(buf, SRC_SIZE, 20, 0);
	MFT_OK(mfo_write(fd, src, 0, SRC_SIZE, buf), "fill it");
	u0 = used();
	MFT_OK(mfo_derive(fd, src, NS, SECID, "d1", &d1), "DERIVE d1 from it");
	u1 = used();
	mft_report(u1 - u0 <= SRC_SIZE / 100,
		   "deriving allocates at most 1% of the size", "%llu bytes",
		   u1 - u0);
	MFT_CHECK(has_pattern(d1, 0, SRC_SIZE, 20), "d1 reads as the source");
	MFT_CHECK(!mfo_stat_obj(fd, d1, &st) && st.bytes == SRC_SIZE &&
		  st.type == MF_OBJ_PRIVATE_RW && st.owner == 0 &&
		  st.nr_extents == 4 && st.nr_shared == 4 && st.refs == 1,
		  "d1: private, 4 pieces of 2 MiB, all shared");
	MFT_CHECK(!mfo_stat_obj(fd, src, &st) && st.nr_extents == 1 &&
		  st.nr_shared == 1, "the source's one piece is shared");
	MFT_CHECK(mfo_stat("extents_shared") == shared0 + 1,
		  "stats/extents_shared counts the shared extent");

	c = 'X';
	MFT_OK(mfo_write(fd, d1, 3 * MB + 5, 1, &c), "write a byte of d1");
	u2 = used();
	MFT_CHECK(mfo_stat("cow_pieces") == cow0 + 1, "one piece was copied");
	mft_report(u2 - u1 == 2 * MB, "exactly 2 MiB more is used",
		   "%llu bytes", u2 - u1);
	MFT_CHECK(has_pattern(d1, 0, 3 * MB + 5, 20) &&
		  has_pattern(d1, 3 * MB + 6, 5 * MB - 6, 20),
		  "d1 is the source but for that byte");
	MFT_CHECK(!mfo_read(fd, d1, 3 * MB + 5, 1, &c) && c == 'X',
		  "d1 has the byte");
	MFT_CHECK(has_pattern(src, 0, SRC_SIZE, 20), "the source is unchanged");
	MFT_CHECK(!mfo_stat_obj(fd, d1, &st) && st.nr_extents == 4 &&
		  st.nr_shared == 3, "d1 shares 3 pieces now");
	MFT_OK(mfo_write(fd, d1, 3 * MB + 7, 1, &c), "write that piece again");
	MFT_CHECK(mfo_stat("cow_pieces") == cow0 + 1 && used() == u2,
		  "no copy: it is d1's own");

	c = 'Y';
	MFT_OK(mfo_write(fd, src, 5 * MB, 1, &c), "write a byte of the source");
	MFT_CHECK(mfo_stat("cow_pieces") == cow0 + 2 && used() == u2 + 2 * MB,
		  "the source's 2 MiB around it is copied");
	MFT_CHECK(!mfo_stat_obj(fd, src, &st) && st.nr_extents == 3 &&
		  st.nr_shared == 2,
		  "the source's piece is split in 3, 2 still shared");
	MFT_CHECK(has_pattern(d1, 5 * MB, 1, 20), "d1 does not see the write");

	MFT_OK(mfo_derive(fd, d1, NS, SECID, NULL, &d2),
	       "DERIVE d2 from d1, id made up");
	MFT_CHECK(!mfo_read(fd, d2, 3 * MB + 5, 1, &c) && c == 'X' &&
		  has_pattern(d2, 0, MB, 20), "d2 is d1");

	u1 = used();
	MFT_OK(mfo_free(fd, NS, SECID, "src"), "free the source");
	MFT_OK(mfo_put(fd, src), "put it");
	u2 = used();
	mft_report(u1 - u2 == 2 * MB + 4096 || u1 - u2 == 2 * MB,
		   "only its own copied piece (and record) is returned",
		   "%llu bytes", u1 - u2);
	MFT_CHECK(has_pattern(d1, 0, 3 * MB, 20) &&
		  has_pattern(d2, 6 * MB, 2 * MB, 20),
		  "d1 and d2 still read the shared memory");
	c = 'Z';
	MFT_OK(mfo_write(fd, d2, 0, 1, &c), "write d2");
	MFT_CHECK(has_pattern(d1, 0, 1, 20), "d1 does not see it");
	free(buf);
}

static void test_big(void)
{
	unsigned long long cap = mfp_sysfs_u64(mfo_pool, "capacity");
	unsigned long long size = cap / 4 > 256 * MB ? 256 * MB : cap / 4 / MB * MB;
	unsigned long long u0, u1;
	struct mf_obj_stat st;
	uint64_t big, dbig;

	MFT_OK(mfo_alloc(fd, NS, SECID, "big", size, &big, NULL),
	       "allocate a big source");
	u0 = used();
	MFT_OK(mfo_derive(fd, big, NS, SECID, "dbig", &dbig), "derive it");
	u1 = used();
	mft_report(u1 - u0 <= size / 100,
		   "deriving a big object allocates at most 1% of it",
		   "%llu of %llu bytes", u1 - u0, size);
	MFT_CHECK(!mfo_stat_obj(fd, dbig, &st) &&
		  st.nr_extents == size / (2 * MB), "in 2 MiB pieces");
	MFT_OK(mfo_write(fd, dbig, size - 1, 1, "!"), "write its last byte");
	MFT_CHECK(used() - u1 == 2 * MB, "copies 2 MiB");
	MFT_OK(mfo_free(fd, NS, SECID, "big"), "free the source");
	MFT_OK(mfo_put(fd, big), "put it");
	MFT_OK(mfo_free(fd, NS, SECID, "dbig"), "free the derived");
	MFT_OK(mfo_put(fd, dbig), "put it");
}

static int nobody_derive(int fd_, void *arg)
{
	uint64_t *mo = arg, d;
	char c;

	if (!mfo_derive(fd_, mo[0], "t_derive.n", "nsec", "x", NULL) ||
	    errno != EACCES)
		return 1;	/* root's private object */
	if (mfo_derive(fd_, mo[1], "t_derive.n", "nsec", "mine", &d))
		return 2;	/* root's published object */
	if (mfo_write(fd_, d, 0, 1, "n") || mfo_read(fd_, d, 0, 1, &c) ||
	    c != 'n')
		return 3;
	if (mfo_free(fd_, "t_derive.n", "nsec", "mine") || mfo_put(fd_, d))
		return 4;
	return 0;
}

static void test_access(void)
{
	struct mf_obj_derive dv;
	uint64_t mo[2], d;
	char c;
	int rc;

	MFT_OK(mfo_ns_create(fd, mfo_pool, "t_derive.n", "nsec", 0, 0),
	       "another namespace");
	MFT_OK(mfo_alloc(fd, NS, SECID, "priv", 4096, &mo[0], NULL),
	       "a private object");
	MFT_OK(mfo_alloc(fd, NS, SECID, "pub", 4096, &mo[1], NULL),
	       "one to publish");
	MFT_OK(mfo_write(fd, mo[1], 0, 1, "p"), "write it");
	MFT_OK(mfo_publish(fd, NS, SECID, "pub"), "publish it");
	rc = mfo_as_nobody(fd, nobody_derive, mo);
	mft_report(rc == 0, "nobody derives root's published object into its namespace and owns the copy, not root's private one",
		   "step %d failed", rc);
	MFT_CHECK(!mfo_read(fd, mo[1], 0, 1, &c) && c == 'p',
		  "the published object is unchanged");

	MFT_ERRNO(mfo_derive(fd, mo[0], NS, SECID, "priv", NULL), EEXIST,
		  "a taken id is EEXIST");
	MFT_ERRNO(mfo_derive(fd, mo[0], NS, "wrong", "n1", NULL), EACCES,
		  "a wrong secId is EACCES");
	MFT_ERRNO(mfo_derive(fd, mo[0], "t_derive.none", SECID, "n1", NULL),
		  ENOENT, "an unknown namespace is ENOENT");
	MFT_ERRNO(mfo_derive(fd, mo[0], NS, SECID, "a b", NULL), EINVAL,
		  "a bad id is EINVAL");
	MFT_ERRNO(mfo_derive(fd, mo[0] + (1ULL << 40) * 33, NS, SECID, "n1",
			     NULL), ENOENT, "a source without a handle is ENOENT");
	memset(&dv, 0, sizeof(dv));
	dv.size = sizeof(dv);
	dv.src = mo[0];
	mfo_str(dv.ns, sizeof(dv.ns), NS);
	mfo_str(dv.secid, sizeof(dv.secid), SECID);
	mfo_str(dv.id, sizeof(dv.id), "priv");
	dv.bytes = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_DERIVE, &dv), EINVAL,
		  "a non-zero output field is EINVAL");
	dv.bytes = 0;
	mfp_abi_checks(fd, MF_IOC_OBJ_DERIVE, "OBJ_DERIVE", &dv, sizeof(dv), 0,
		       offsetof(struct mf_obj_derive, reserved), 4, 0);
	MFT_OK(mfo_derive(fd, mo[1], "t_derive.n", "nsec", "rootcopy", &d),
	       "derive into the other namespace");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, "t_derive.n", "nsec", MF_NS_FORCE,
			      NULL), "destroy it with the copy");
	MFT_OK(mfo_put(fd, d), "put the copy");
	MFT_OK(mfo_free(fd, NS, SECID, "priv"), "free priv");
	MFT_OK(mfo_free(fd, NS, SECID, "pub"), "free pub");
	MFT_OK(mfo_put(fd, mo[0]), "put priv");
	MFT_OK(mfo_put(fd, mo[1]), "put pub");
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;
	struct mf_ns_destroy d;

	mft_init(argv[0]);
	(void)argc;
	fd = mfp_open();
	mfo_setup_pool(fd);
	mfo_snapshot(&snap);
	if (mfo_ns_create(fd, mfo_pool, NS, SECID, 0, 0)) {
		perror("create namespace " NS);
		return 2;
	}

	test_cow();
	test_big();
	test_access();

	/* test_cow leaves d1 and d2, each with a handle: force and put. */
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, NS, SECID, MF_NS_FORCE, &d),
	       "destroy the namespace");
	MFT_CHECK(d.deferred == 2, "two objects were still referenced");
	close(fd);
	fd = mfp_open();
	mfo_check_snapshot(&snap, "after t_obj_derive");
	mfo_teardown_pool(fd);
	close(fd);
	return mft_done();
}
