// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_data - the data path: MF_IOC_OBJ_READ, _WRITE, _COPY, _GATHER
 * (concatenation; SUM, MIN and MAX over s64 and f64) and _SWAPIN.  Bounds
 * and overflow checks, bad pointers and descriptors, transfers that cross
 * chunk and extent boundaries, and the extensible-struct rules.
 */
#define _GNU_SOURCE
#include <math.h>
#include <sys/mman.h>
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_data"
#define SECID	"data-secret"
#define BIG	((3 << 20) + 12345)

static int fd;

static void test_read_write(void)
{
	unsigned char *buf = malloc(BIG), *back = malloc(BIG);
	struct mf_obj_io io;
	uint64_t mo;

	MFT_OK(mfo_alloc(fd, NS, SECID, "rw", BIG, &mo, NULL), "allocate rw");
	mfo_pattern(buf, BIG, 1, 0);
	MFT_OK(mfo_write(fd, mo, 0, BIG, buf), "write all of it (many chunks)");
	memset(back, 0, BIG);
	MFT_OK(mfo_read(fd, mo, 0, BIG, back), "read all of it");
	MFT_CHECK(!memcmp(buf, back, BIG), "it reads back");
	mfo_pattern(buf, 200000, 2, 777);
	MFT_OK(mfo_write(fd, mo, 777, 200000, buf),
	       "write 200000 bytes at an odd offset");
	MFT_OK(mfo_read(fd, mo, 700, 200100, back), "read around them");
	MFT_CHECK(mfo_check_pattern(back + 77, 200000, 2, 777) &&
		  mfo_check_pattern(back, 77, 1, 700) &&
		  mfo_check_pattern(back + 200077, 23, 1, 200777),
		  "the write landed exactly there");
	MFT_OK(mfo_read(fd, mo, BIG - 1, 1, back), "read the last byte");
	MFT_OK(mfo_read(fd, mo, BIG, 0, back), "a read of 0 bytes at the end");
	MFT_ERRNO(mfo_read(fd, mo, BIG, 1, back), EINVAL,
		  "a read past the end is EINVAL");
	MFT_ERRNO(mfo_write(fd, mo, BIG - 1, 2, buf), EINVAL,
		  "a write past the end is EINVAL");
	MFT_ERRNO(mfo_read(fd, mo, ~0ULL, 2, back), EOVERFLOW,
		  "an offset + length that overflows is EOVERFLOW");
	MFT_ERRNO(mfo_write(fd, mo, 2, ~0ULL, buf), EOVERFLOW,
		  "so is a huge length");
	MFT_ERRNO(mfo_read(fd, mo, 0, 16, NULL), EFAULT,
		  "a NULL read buffer is EFAULT");
	MFT_ERRNO(mfo_write(fd, mo, 0, 16, (void *)8), EFAULT,
		  "a wild write buffer is EFAULT");
	MFT_ERRNO(mfo_read(fd, mo + (1ULL << 40) * 77, 0, 1, back), ENOENT,
		  "a read without a handle is ENOENT");
	MFT_ERRNO(mfo_write(fd, mo | 1, 0, 1, buf), EINVAL,
		  "a malformed map offset is EINVAL");
	memset(&io, 0, sizeof(io));
	io.size = sizeof(io);
	io.obj = mo;
	io.length = 1;
	io.buf = (uintptr_t)back;
	/* ABI 1.5 made the reserved word the serial (t_obj_serial). */
	mfp_abi_checks(fd, MF_IOC_OBJ_READ, "OBJ_READ", &io, sizeof(io), 0,
		       0, 0, 0);
	mfp_abi_checks(fd, MF_IOC_OBJ_WRITE, "OBJ_WRITE", &io, sizeof(io), 0,
		       0, 0, 0);
	MFT_OK(mfo_free(fd, NS, SECID, "rw"), "free rw");
	MFT_OK(mfo_put(fd, mo), "put rw");
	free(buf);
	free(back);
}

static int copy(uint64_t src, uint64_t soff, uint64_t dst, uint64_t doff,
		uint64_t len)
{
	return mfo_copy(fd, src, soff, 0, dst, doff, 0, len);
}

static void test_copy(void)
{
	unsigned char *buf = malloc(BIG);
	struct mf_obj_copy c;
	uint64_t a, b;

	MFT_OK(mfo_alloc(fd, NS, SECID, "ca", BIG, &a, NULL), "allocate ca");
	MFT_OK(mfo_alloc(fd, NS, SECID, "cb", BIG, &b, NULL), "allocate cb");
	mfo_pattern(buf, BIG, 3, 0);
	MFT_OK(mfo_write(fd, a, 0, BIG, buf), "fill ca");
	MFT_OK(copy(a, 1000, b, 3, BIG - 1000), "COPY most of ca into cb");
	memset(buf, 0, BIG);
	MFT_OK(mfo_read(fd, b, 0, BIG, buf), "read cb");
	MFT_CHECK(buf[0] == 0 && buf[2] == 0 &&
		  mfo_check_pattern(buf + 3, BIG - 1000, 3, 1000),
		  "cb holds the copy, where it was put");
	MFT_OK(copy(a, 0, a, 1 << 20, 4096), "COPY within one object");
	MFT_OK(mfo_read(fd, a, 1 << 20, 4096, buf), "read the copy");
	MFT_CHECK(mfo_check_pattern(buf, 4096, 3, 0), "it is right");
	MFT_ERRNO(copy(a, 0, a, 100, 4096), EINVAL,
		  "overlapping ranges in one object are EINVAL");
	MFT_ERRNO(copy(a, BIG - 10, b, 0, 11), EINVAL,
		  "a source range past the end is EINVAL");
	MFT_ERRNO(copy(a, 0, b, BIG - 10, 11), EINVAL,
		  "a destination range past the end is EINVAL");
	MFT_ERRNO(copy(a, ~0ULL - 5, b, 0, 10), EOVERFLOW,
		  "an overflowing source range is EOVERFLOW");
	MFT_ERRNO(copy(a, 0, b + (1ULL << 40) * 99, 0, 10), ENOENT,
		  "a destination without a handle is ENOENT");
	MFT_OK(copy(a, 0, b, 0, 0), "copying 0 bytes is fine");
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.src = a;
	c.dst = b;
	c.length = 1;
	mfp_abi_checks(fd, MF_IOC_OBJ_COPY, "OBJ_COPY", &c, sizeof(c), 0,
		       offsetof(struct mf_obj_copy, reserved), 8, 0);
	MFT_OK(mfo_publish(fd, NS, SECID, "cb"), "publish cb");
	MFT_ERRNO(copy(a, 0, b, 0, 10), EACCES,
		  "a copy into a published object is EACCES");
	MFT_OK(copy(b, 0, a, 0, 10), "a copy out of it is fine");
	MFT_OK(mfo_free(fd, NS, SECID, "ca"), "free ca");
	MFT_OK(mfo_free(fd, NS, SECID, "cb"), "free cb");
	MFT_OK(mfo_put(fd, a), "put ca");
	MFT_OK(mfo_put(fd, b), "put cb");
	free(buf);
}

static int gather(uint32_t op, uint32_t dtype, uint64_t dst, uint64_t doff,
		  const struct mf_gather_elem *e, uint32_t n, uint64_t *len)
{
	struct mf_obj_gather g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.op = op;
	g.dtype = dtype;
	g.dst = dst;
	g.dst_offset = doff;
	g.elems = (uintptr_t)e;
	g.count = n;
	g.elem_size = sizeof(*e);
	ret = ioctl(fd, MF_IOC_OBJ_GATHER, &g);
	if (!ret && len)
		*len = g.length;
	return ret;
}

static void test_concat(void)
{
	struct mf_gather_elem e[3];
	unsigned char buf[300000], big[sizeof(struct mf_gather_elem) + 8];
	struct mf_obj_gather g;
	uint64_t s[3], d, len = 0;
	int i;

	for (i = 0; i < 3; i++) {
		char id[8];

		snprintf(id, sizeof(id), "s%d", i);
		MFT_OK(mfo_alloc(fd, NS, SECID, id, 100000, &s[i], NULL),
		       "allocate a source");
		mfo_pattern(buf, 100000, 10 + i, 0);
		MFT_OK(mfo_write(fd, s[i], 0, 100000, buf), "fill it");
	}
	MFT_OK(mfo_alloc(fd, NS, SECID, "dst", 400000, &d, NULL),
	       "allocate the destination");
	e[0] = (struct mf_gather_elem){ s[2], 50000, 50000 };
	e[1] = (struct mf_gather_elem){ s[0], 0, 100000 };
	e[2] = (struct mf_gather_elem){ s[1], 99990, 10 };
	MFT_OK(gather(MF_GATHER_CONCAT, MF_DTYPE_NONE, d, 1000, e, 3, &len),
	       "GATHER three ranges");
	MFT_CHECK(len == 150010, "150010 bytes written");
	MFT_OK(mfo_read(fd, d, 1000, 150010, buf), "read them");
	MFT_CHECK(mfo_check_pattern(buf, 50000, 12, 50000) &&
		  mfo_check_pattern(buf + 50000, 100000, 10, 0) &&
		  mfo_check_pattern(buf + 150000, 10, 11, 99990),
		  "they are the sources, in order");

	MFT_ERRNO(gather(MF_GATHER_CONCAT, MF_DTYPE_S64, d, 0, e, 3, NULL),
		  EINVAL, "CONCAT with a dtype is EINVAL");
	MFT_ERRNO(gather(9, MF_DTYPE_S64, d, 0, e, 3, NULL), EINVAL,
		  "an unknown op is EINVAL");
	MFT_ERRNO(gather(MF_GATHER_CONCAT, 0, d, 0, e, 0, NULL), EINVAL,
		  "no elements is EINVAL");
	MFT_ERRNO(gather(MF_GATHER_CONCAT, 0, d, 0, e, MF_GATHER_MAX_ELEMS + 1,
			 NULL), EINVAL, "too many elements is EINVAL");
	MFT_ERRNO(gather(MF_GATHER_CONCAT, 0, d, 300000, e, 3, NULL), EINVAL,
		  "a result past the destination's end is EINVAL");
	MFT_ERRNO(gather(MF_GATHER_CONCAT, 0, d, 0, (void *)8, 3, NULL), EFAULT,
		  "a wild element array is EFAULT");
	e[1].offset = 1;
	MFT_ERRNO(gather(MF_GATHER_CONCAT, 0, d, 0, e, 3, NULL), EINVAL,
		  "a source range past its end is EINVAL");
	e[1].offset = ~0ULL;
	MFT_ERRNO(gather(MF_GATHER_CONCAT, 0, d, 0, e, 3, NULL), EOVERFLOW,
		  "an overflowing source range is EOVERFLOW");
	e[1].offset = 0;
	e[1].obj = s[0] + (1ULL << 40) * 100;
	MFT_ERRNO(gather(MF_GATHER_CONCAT, 0, d, 0, e, 3, NULL), ENOENT,
		  "a source without a handle is ENOENT");
	e[1].obj = d;
	e[1].offset = 0;
	MFT_ERRNO(gather(MF_GATHER_CONCAT, 0, d, 10, e, 3, NULL), EINVAL,
		  "a source overlapping the result is EINVAL");
	e[1].offset = 300000;
	MFT_OK(gather(MF_GATHER_CONCAT, 0, d, 0, e, 2, &len),
	       "the destination may be a source elsewhere");
	e[1].obj = s[0];

	/* A larger element size: the tail must be zero. */
	memset(big, 0, sizeof(big));
	memcpy(big, &e[2], sizeof(e[2]));
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.dst = d;
	g.elems = (uintptr_t)big;
	g.count = 1;
	g.elem_size = sizeof(big);
	MFT_OK(ioctl(fd, MF_IOC_OBJ_GATHER, &g),
	       "a larger elem_size with a zero tail is fine");
	g.length = 0;
	big[sizeof(big) - 1] = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_GATHER, &g), E2BIG,
		  "a non-zero element tail is E2BIG");
	g.elem_size = sizeof(struct mf_gather_elem) - 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_GATHER, &g), EINVAL,
		  "a smaller elem_size is EINVAL");
	g.elem_size = sizeof(struct mf_gather_elem);
	g.length = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_GATHER, &g), EINVAL,
		  "a non-zero output field is EINVAL");
	g.length = 0;
	g.elems = (uintptr_t)e;
	mfp_abi_checks(fd, MF_IOC_OBJ_GATHER, "OBJ_GATHER", &g, sizeof(g), 0,
		       offsetof(struct mf_obj_gather, reserved), 8, 0);

	for (i = 0; i < 3; i++)
		MFT_OK(mfo_put(fd, s[i]), "put a source");
	MFT_OK(mfo_put(fd, d), "put the destination");
	MFT_OK(mfo_free(fd, NS, SECID, "s0"), "free s0");
	MFT_OK(mfo_free(fd, NS, SECID, "s1"), "free s1");
	MFT_OK(mfo_free(fd, NS, SECID, "s2"), "free s2");
	MFT_OK(mfo_free(fd, NS, SECID, "dst"), "free dst");
}

#define NV	20000	/* values per source: more than one chunk */

/* fmin()/fmax() without libm, for values that are not NaN. */
static double dmin(double a, double b)
{
	return b < a ? b : a;
}

static double dmax(double a, double b)
{
	return b > a ? b : a;
}

static void test_reduce(void)
{
	static int64_t iv[3][NV], iout[NV];
	static double dv[3][NV], dout[NV];
	struct mf_gather_elem e[3];
	uint64_t s[3], d, len = 0;
	int i, j, ok_sum, ok_min, ok_max;

	for (i = 0; i < 3; i++) {
		char id[8];

		snprintf(id, sizeof(id), "r%d", i);
		MFT_OK(mfo_alloc(fd, NS, SECID, id, NV * 8 + 8, &s[i], NULL),
		       "allocate a reduction source");
	}
	MFT_OK(mfo_alloc(fd, NS, SECID, "rd", NV * 8, &d, NULL),
	       "allocate the result object");
	for (i = 0; i < 3; i++) {
		for (j = 0; j < NV; j++)
			iv[i][j] = (int64_t)((j * 2654435761u) ^ (i * 97)) *
				   (j % 3 == i ? -1 : 1) * 1000003LL;
		iv[i][5] = INT64_MAX - i;	/* sums wrap */
		MFT_OK(mfo_write(fd, s[i], 8, NV * 8, iv[i]), "write s64 values");
		e[i] = (struct mf_gather_elem){ s[i], 8, NV * 8 };
	}
	MFT_OK(gather(MF_GATHER_SUM, MF_DTYPE_S64, d, 0, e, 3, &len),
	       "SUM s64");
	MFT_OK(mfo_read(fd, d, 0, NV * 8, iout), "read the sums");
	for (ok_sum = 1, j = 0; j < NV; j++)
		ok_sum &= (uint64_t)iout[j] == (uint64_t)iv[0][j] +
			  (uint64_t)iv[1][j] + (uint64_t)iv[2][j];
	MFT_CHECK(ok_sum && len == NV * 8, "element-wise sums, wrapping");
	MFT_OK(gather(MF_GATHER_MIN, MF_DTYPE_S64, d, 0, e, 3, NULL), "MIN s64");
	MFT_OK(mfo_read(fd, d, 0, NV * 8, iout), "read the minima");
	for (ok_min = 1, j = 0; j < NV; j++) {
		int64_t m = iv[0][j];

		for (i = 1; i < 3; i++)
			m = iv[i][j] < m ? iv[i][j] : m;
		ok_min &= iout[j] == m;
	}
	MFT_CHECK(ok_min, "element-wise signed minima");
	MFT_OK(gather(MF_GATHER_MAX, MF_DTYPE_S64, d, 0, e, 3, NULL), "MAX s64");
	MFT_OK(mfo_read(fd, d, 0, NV * 8, iout), "read the maxima");
	for (ok_max = 1, j = 0; j < NV; j++) {
		int64_t m = iv[0][j];

		for (i = 1; i < 3; i++)
			m = iv[i][j] > m ? iv[i][j] : m;
		ok_max &= iout[j] == m;
	}
	MFT_CHECK(ok_max, "element-wise signed maxima");

	for (i = 0; i < 3; i++) {
		for (j = 0; j < NV; j++)
			dv[i][j] = (j % 7 - 3) * 0.1 + i * 1e-17 +
				   (j % 5 == i ? 1e16 : -1.5) / (j + 1);
		dv[i][0] = i == 1 ? -0.0 : 0.0;
		dv[i][1] = i == 2 ? NAN : 1.0;
		dv[i][2] = i == 0 ? INFINITY : -1e308;
		dv[i][3] = i == 1 ? -0.0 : 0.0;
		MFT_OK(mfo_write(fd, s[i], 8, NV * 8, dv[i]), "write f64 values");
	}
	MFT_OK(gather(MF_GATHER_SUM, MF_DTYPE_F64, d, 0, e, 3, NULL), "SUM f64");
	MFT_OK(mfo_read(fd, d, 0, NV * 8, dout), "read the sums");
	for (ok_sum = 1, j = 0; j < NV; j++) {
		volatile double sum = dv[0][j];

		sum += dv[1][j];
		sum += dv[2][j];
		ok_sum &= j == 1 ? isnan(dout[j]) :
			  !memcmp(&dout[j], (const void *)&sum, 8);
	}
	MFT_CHECK(ok_sum, "f64 sums are bit for bit those of the same additions");
	MFT_OK(gather(MF_GATHER_MIN, MF_DTYPE_F64, d, 0, e, 3, NULL), "MIN f64");
	MFT_OK(mfo_read(fd, d, 0, NV * 8, dout), "read the minima");
	for (ok_min = 1, j = 4; j < NV; j++)
		ok_min &= dout[j] == dmin(dmin(dv[0][j], dv[1][j]), dv[2][j]);
	MFT_CHECK(ok_min, "f64 minima");
	MFT_CHECK(signbit(dout[0]) && dout[0] == 0.0, "MIN orders -0.0 below +0.0");
	MFT_CHECK(isnan(dout[1]), "MIN keeps a NaN");
	MFT_CHECK(dout[2] == -1e308, "MIN of inf and -1e308");
	MFT_OK(gather(MF_GATHER_MAX, MF_DTYPE_F64, d, 0, e, 3, NULL), "MAX f64");
	MFT_OK(mfo_read(fd, d, 0, NV * 8, dout), "read the maxima");
	for (ok_max = 1, j = 4; j < NV; j++)
		ok_max &= dout[j] == dmax(dmax(dv[0][j], dv[1][j]), dv[2][j]);
	MFT_CHECK(ok_max, "f64 maxima");
	MFT_CHECK(!signbit(dout[3]) && dout[3] == 0.0,
		  "MAX orders +0.0 above -0.0");
	MFT_CHECK(isnan(dout[1]) && isinf(dout[2]), "MAX keeps a NaN; MAX is inf");

	e[1].length = NV * 8 - 8;
	MFT_ERRNO(gather(MF_GATHER_SUM, MF_DTYPE_S64, d, 0, e, 3, NULL), EINVAL,
		  "sources of unequal length are EINVAL");
	e[1].length = NV * 8;
	for (i = 0; i < 3; i++)
		e[i].length = 12;
	MFT_ERRNO(gather(MF_GATHER_SUM, MF_DTYPE_S64, d, 0, e, 3, NULL), EINVAL,
		  "a length that is not a multiple of 8 is EINVAL");
	for (i = 0; i < 3; i++)
		e[i].length = 0;
	MFT_ERRNO(gather(MF_GATHER_MIN, MF_DTYPE_F64, d, 0, e, 3, NULL), EINVAL,
		  "a length of 0 is EINVAL");
	for (i = 0; i < 3; i++)
		e[i].length = 16;
	MFT_ERRNO(gather(MF_GATHER_SUM, 7, d, 0, e, 3, NULL), EINVAL,
		  "an unknown dtype is EINVAL");
	MFT_ERRNO(gather(MF_GATHER_SUM, MF_DTYPE_NONE, d, 0, e, 3, NULL), EINVAL,
		  "a reduction without a dtype is EINVAL");
	MFT_OK(gather(MF_GATHER_SUM, MF_DTYPE_S64, d, NV * 8 - 16, e, 1, &len),
	       "a reduction of one source copies it");
	MFT_CHECK(len == 16, "16 bytes");

	for (i = 0; i < 3; i++)
		MFT_OK(mfo_put(fd, s[i]), "put a source");
	MFT_OK(mfo_put(fd, d), "put the result");
	MFT_OK(mfo_free(fd, NS, SECID, "r0"), "free r0");
	MFT_OK(mfo_free(fd, NS, SECID, "r1"), "free r1");
	MFT_OK(mfo_free(fd, NS, SECID, "r2"), "free r2");
	MFT_OK(mfo_free(fd, NS, SECID, "rd"), "free rd");
}

static int swapin(uint64_t mo, uint64_t off, int sfd, uint64_t foff,
		  uint64_t len, uint64_t *done)
{
	struct mf_obj_swapin s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.obj = mo;
	s.offset = off;
	s.fd = sfd;
	s.file_offset = foff;
	s.length = len;
	ret = ioctl(fd, MF_IOC_OBJ_SWAPIN, &s);
	if (!ret && done)
		*done = s.done;
	return ret;
}

static void test_swapin(void)
{
	char path[] = "/tmp/t_obj_data.XXXXXX";
	unsigned char *buf = malloc(1 << 20);
	struct mf_obj_swapin s;
	uint64_t mo, done = 0;
	int tfd, wfd;

	tfd = mkstemp(path);
	mfo_pattern(buf, 1 << 20, 5, 0);
	MFT_CHECK(tfd >= 0 && write(tfd, buf, 1 << 20) == 1 << 20,
		  "a 1 MiB file to swap in");
	MFT_OK(mfo_alloc(fd, NS, SECID, "sw", 2 << 20, &mo, NULL),
	       "allocate sw");
	MFT_OK(swapin(mo, 4096, tfd, 1000, 500000, &done),
	       "SWAPIN 500000 bytes from offset 1000");
	MFT_CHECK(done == 500000, "500000 bytes done");
	memset(buf, 0, 1 << 20);
	MFT_OK(mfo_read(fd, mo, 4096, 500000, buf), "read them");
	MFT_CHECK(mfo_check_pattern(buf, 500000, 5, 1000), "they are the file's");
	MFT_OK(swapin(mo, 0, tfd, (1 << 20) - 100, 1 << 20, &done),
	       "SWAPIN past the end of the file");
	MFT_CHECK(done == 100, "stops at the end of the file");
	MFT_ERRNO(swapin(mo, 1 << 20, tfd, 0, (1 << 20) + 1, NULL), EINVAL,
		  "a range past the object's end is EINVAL");
	MFT_ERRNO(swapin(mo, 0, -1, 0, 10, NULL), EBADF, "fd -1 is EBADF");
	MFT_ERRNO(swapin(mo, 0, 999, 0, 10, NULL), EBADF,
		  "a closed fd is EBADF");
	wfd = open(path, O_WRONLY);
	MFT_ERRNO(swapin(mo, 0, wfd, 0, 10, NULL), EBADF,
		  "an fd not open for reading is EBADF");
	close(wfd);
	MFT_ERRNO(swapin(mo, 0, tfd, ~0ULL - 4, 10, NULL), EOVERFLOW,
		  "an overflowing file range is EOVERFLOW");
	MFT_ERRNO(swapin(mo, 0, tfd, 1ULL << 63, 10, NULL), EOVERFLOW,
		  "a file offset beyond LLONG_MAX is EOVERFLOW");
	MFT_ERRNO(swapin(mo, ~0ULL, tfd, 0, 10, NULL), EOVERFLOW,
		  "an overflowing object range is EOVERFLOW");
	MFT_ERRNO(swapin(mo + (1ULL << 40) * 50, 0, tfd, 0, 10, NULL), ENOENT,
		  "an object without a handle is ENOENT");
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.obj = mo;
	s.fd = tfd;
	s.length = 1;
	s.reserved32 = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_SWAPIN, &s), EINVAL,
		  "a non-zero reserved32 is EINVAL");
	s.reserved32 = 0;
	s.done = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_OBJ_SWAPIN, &s), EINVAL,
		  "a non-zero output field is EINVAL");
	s.done = 0;
	mfp_abi_checks(fd, MF_IOC_OBJ_SWAPIN, "OBJ_SWAPIN", &s, sizeof(s), 0,
		       offsetof(struct mf_obj_swapin, reserved), 8, 0);
	MFT_OK(mfo_publish(fd, NS, SECID, "sw"), "publish sw");
	MFT_ERRNO(swapin(mo, 0, tfd, 0, 10, NULL), EACCES,
		  "SWAPIN into a published object is EACCES");
	MFT_OK(mfo_free(fd, NS, SECID, "sw"), "free sw");
	MFT_OK(mfo_put(fd, mo), "put sw");
	close(tfd);
	unlink(path);
	free(buf);
}

/*
 * Short transfers (at most 256 bytes) take their own path in the kernel
 * (a stack buffer, the handle's reference): the same results and errors
 * as long ones, across pieces, into derived objects, from and into a
 * mapping of the object itself.
 */
static void test_small(void)
{
	unsigned char buf[512], back[512], *m;
	uint64_t a, d = 0, len, off;
	int bad = 0;

	MFT_OK(mfo_alloc(fd, NS, SECID, "sa", 4 << 20, &a, NULL),
	       "allocate sa (4 MiB)");
	MFT_OK(mfo_expand(fd, a, 8 << 20), "expand it to 8 MiB (two pieces)");
	for (len = 1; len <= 257; len += 16) {
		off = (4 << 20) - len / 2;	/* across the pieces */
		mfo_pattern(buf, len, len, off);
		bad += mfo_write(fd, a, off, len, buf) != 0;
		memset(back, 0, sizeof(back));
		bad += mfo_read(fd, a, off, len, back) != 0;
		bad += !mfo_check_pattern(back, len, len, off);
	}
	mft_report(!bad, "1 to 257 bytes across two pieces read back",
		   "%d bad", bad);
	mfo_pattern(buf, 256, 7, 0);
	MFT_OK(mfo_write(fd, a, 0, 256, buf), "write 256 bytes at 0");
	MFT_ERRNO(mfo_read(fd, a, (8 << 20) - 10, 11, back), EINVAL,
		  "a short read past the end is EINVAL");
	MFT_ERRNO(mfo_write(fd, a, ~0ULL - 5, 10, buf), EOVERFLOW,
		  "a short write that overflows is EOVERFLOW");
	MFT_ERRNO(mfo_read(fd, a, 0, 64, (void *)16), EFAULT,
		  "a short read to a bad pointer is EFAULT");
	MFT_ERRNO(mfo_write(fd, a, 0, 64, (void *)16), EFAULT,
		  "a short write from a bad pointer is EFAULT");
	MFT_ERRNO(mfo_read(fd, a + (1ULL << 40) * 77, 0, 64, back), ENOENT,
		  "a short read without a handle is ENOENT");
	MFT_ERRNO(mfo_read(fd, a + 1, 0, 64, back), EINVAL,
		  "a short read of a bad map offset is EINVAL");

	/* A mapping of the object as the user buffer. */
	m = mfo_map(fd, a, 0, 2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED,
		    NULL);
	MFT_CHECK(m != MAP_FAILED, "map sa");
	if (m != MAP_FAILED) {
		MFT_OK(mfo_read(fd, a, 0, 200, m + 4096),
		       "a short read into a mapping of the same object");
		MFT_CHECK(mfo_check_pattern(m + 4096, 200, 7, 0),
			  "it landed in the object");
		MFT_OK(mfo_write(fd, a, 8192, 100, m + 4096),
		       "a short write from a mapping of the same object");
		MFT_OK(mfo_read(fd, a, 8192, 100, back), "read it back");
		MFT_CHECK(mfo_check_pattern(back, 100, 7, 0), "it is right");
		munmap(m, 2 << 20);
	}

	/* Copy-on-write of a derived object by a short write and copy. */
	MFT_OK(mfo_derive(fd, a, NS, SECID, "sd", &d), "derive sd from sa");
	memset(buf, 0xab, 64);
	MFT_OK(mfo_write(fd, d, 10, 64, buf), "a short write into sd");
	MFT_OK(copy(d, 10, d, 5 << 20, 64), "a short copy within sd");
	MFT_OK(mfo_read(fd, a, 0, 256, back), "read sa");
	MFT_CHECK(mfo_check_pattern(back, 256, 7, 0), "sa is unchanged");
	MFT_OK(mfo_read(fd, d, (5 << 20), 64, back), "read sd's copy");
	MFT_CHECK(!memcmp(back, buf, 64), "sd holds the written bytes");
	MFT_ERRNO(copy(d, 0, d, 100, 200), EINVAL,
		  "an overlapping short copy is EINVAL");
	MFT_ERRNO(copy(d, 0, a + (1ULL << 40) * 77, 0, 8), ENOENT,
		  "a short copy to no handle is ENOENT");
	MFT_OK(mfo_publish(fd, NS, SECID, "sd"), "publish sd");
	MFT_ERRNO(mfo_write(fd, d, 0, 64, (void *)16), EACCES,
		  "a short write into a published object is EACCES first");
	MFT_ERRNO(copy(a, 0, d, 0, 64), EACCES,
		  "a short copy into a published object is EACCES");
	MFT_OK(copy(d, 0, a, 300, 64), "a short copy out of it is fine");
	MFT_OK(mfo_free(fd, NS, SECID, "sd"), "free sd");
	MFT_OK(mfo_put(fd, d), "put sd");
	MFT_OK(mfo_free(fd, NS, SECID, "sa"), "free sa");
	MFT_OK(mfo_put(fd, a), "put sa");
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;

	(void)argc;
	fd = mfo_begin(argv[0], NS, SECID, &snap);

	test_read_write();
	test_copy();
	test_small();
	test_concat();
	test_reduce();
	test_swapin();

	return mfo_end(fd, NS, SECID, &snap, "after t_obj_data");
}
