// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_serial - object serial numbers (ABI 1.5, MF_FEAT_SERIAL; issue
 * 20): map offsets come back after the number space wraps around, serial
 * numbers never do.  With the module's number space shrunk to a few
 * numbers (the obj_nr_max parameter), a handle that was put meets a new
 * object with its map offset within a few allocations; READ, WRITE and
 * COPY given the old serial must fail with ENOENT and leave the new
 * object's bytes alone, and succeed with the new serial.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_serial"
#define SECID	"serial-secret"
#define PARAM	"/sys/module/memfabric/parameters/obj_nr_max"
#define LEN	8192
#define SMALL	64

static int fd;

static int alloc_serial(const char *id, uint64_t *mo, uint64_t *serial)
{
	struct mf_obj_alloc a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	mfo_name(&a.name, mfo_pool, NS, SECID, id);
	a.bytes = LEN;
	ret = ioctl(fd, MF_IOC_OBJ_ALLOC, &a);
	if (!ret) {
		*mo = a.map_offset;
		*serial = a.serial;
	}
	return ret;
}

static int io_serial(unsigned long cmd, uint64_t mo, uint64_t serial,
		     uint64_t off, uint64_t len, void *buf)
{
	return mfo_io_serial(fd, cmd, mo, serial, off, len, buf);
}

static int copy_serial(uint64_t src, uint64_t ss, uint64_t dst, uint64_t ds,
		       uint64_t len)
{
	return mfo_copy(fd, src, 0, ss, dst, 0, ds, len);
}

static int write_param(const char *val)
{
	FILE *f = fopen(PARAM, "w");
	int ret;

	if (!f)
		return -1;
	ret = fputs(val, f) < 0 ? -1 : 0;
	return fclose(f) ? -1 : ret;
}

/* The reported serials: distinct, and each read/stat agrees. */
static void test_reported(void)
{
	struct mf_obj_stat st;
	struct mf_obj_get g;
	uint64_t mo, s1, mo2, s2;

	MFT_OK(alloc_serial("a", &mo, &s1), "ALLOC reports a serial");
	MFT_CHECK(s1 != 0, "it is not 0");
	MFT_OK(mfo_stat_obj(fd, mo, &st), "STAT it");
	MFT_CHECK(st.serial == s1, "STAT reports the same serial");
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	mfo_name(&g.name, mfo_pool, NS, SECID, "a");
	MFT_OK(ioctl(fd, MF_IOC_OBJ_GET, &g), "GET it");
	MFT_CHECK(g.serial == s1 && g.map_offset == mo,
		  "GET reports the same serial and map offset");
	MFT_OK(mfo_put(fd, mo), "put the GET's reference");
	MFT_OK(alloc_serial("b", &mo2, &s2), "ALLOC another");
	MFT_CHECK(s2 > s1, "its serial is a new, higher one");
	MFT_OK(mfo_free(fd, NS, SECID, "a"), "free a");
	MFT_OK(mfo_put(fd, mo), "put a");
	MFT_OK(mfo_free(fd, NS, SECID, "b"), "free b");
	MFT_OK(mfo_put(fd, mo2), "put b");
}

static void test_wrap(void)
{
	unsigned char buf[LEN], back[LEN];
	uint64_t mo, serial, mo2 = 0, s2 = 0, other, so;
	char id[32];
	int i, found = 0;

	MFT_OK(alloc_serial("old", &mo, &serial), "allocate the old object");
	MFT_OK(alloc_serial("other", &other, &so), "and one to copy with");
	MFT_OK(mfo_free(fd, NS, SECID, "old"), "free the old object");
	MFT_OK(mfo_put(fd, mo), "put its handle: its map offset is free");
	/* Shrunk to 16 numbers: a few creations reuse the old one. */
	for (i = 0; i < 64 && !found; i++) {
		snprintf(id, sizeof(id), "new%d", i);
		if (alloc_serial(id, &mo2, &s2))
			break;
		if (mo2 == mo) {
			found = 1;
			break;
		}
		mfo_free(fd, NS, SECID, id);
		mfo_put(fd, mo2);
	}
	mft_report(found, "a new object gets the old map offset",
		   "not within %d creations", i);
	if (!found)
		goto out;
	MFT_CHECK(s2 != serial, "with another serial");
	mfo_pattern(buf, LEN, 7, 0);
	MFT_OK(io_serial(MF_IOC_OBJ_WRITE, mo2, s2, 0, LEN, buf),
	       "WRITE with the new serial works");
	MFT_ERRNO(io_serial(MF_IOC_OBJ_WRITE, mo, serial, 0, LEN, back),
		  ENOENT, "a long WRITE with the old serial is ENOENT");
	MFT_ERRNO(io_serial(MF_IOC_OBJ_WRITE, mo, serial, 0, SMALL, back),
		  ENOENT, "a short WRITE with the old serial is ENOENT");
	MFT_ERRNO(io_serial(MF_IOC_OBJ_READ, mo, serial, 0, LEN, back),
		  ENOENT, "a long READ with the old serial is ENOENT");
	MFT_ERRNO(io_serial(MF_IOC_OBJ_READ, mo, serial, 0, SMALL, back),
		  ENOENT, "a short READ with the old serial is ENOENT");
	MFT_ERRNO(copy_serial(other, so, mo, serial, LEN), ENOENT,
		  "a long COPY into the old serial is ENOENT");
	MFT_ERRNO(copy_serial(other, so, mo, serial, SMALL), ENOENT,
		  "a short COPY into the old serial is ENOENT");
	MFT_ERRNO(copy_serial(mo, serial, other, so, SMALL), ENOENT,
		  "a COPY out of the old serial is ENOENT");
	memset(back, 0, LEN);
	MFT_OK(io_serial(MF_IOC_OBJ_READ, mo2, s2, 0, LEN, back),
	       "READ with the new serial works");
	MFT_CHECK(mfo_check_pattern(back, LEN, 7, 0),
		  "the new object holds only its own bytes");
	MFT_OK(io_serial(MF_IOC_OBJ_READ, mo, 0, 0, SMALL, back),
	       "serial 0 still means any object (old callers)");
	MFT_OK(copy_serial(mo2, s2, other, so, LEN),
	       "COPY with both right serials works");
	mfo_free(fd, NS, SECID, id);
	mfo_put(fd, mo2);
out:
	MFT_OK(mfo_free(fd, NS, SECID, "other"), "free other");
	MFT_OK(mfo_put(fd, other), "put other");
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;
	char old[32] = "";
	FILE *f;

	(void)argc;
	fd = mfo_begin(argv[0], NS, SECID, &snap);
	test_reported();
	f = fopen(PARAM, "r");
	if (!f || !fgets(old, sizeof(old), f) || geteuid() != 0) {
		mft_report(0, "the obj_nr_max parameter is there", "%s",
			   strerror(errno));
	} else {
		MFT_OK(write_param("16"), "shrink the number space to 16");
		test_wrap();
		MFT_OK(write_param(old), "restore the number space");
	}
	if (f)
		fclose(f);
	return mfo_end(fd, NS, SECID, &snap, "after t_obj_serial");
}
