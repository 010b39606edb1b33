// SPDX-License-Identifier: GPL-2.0
/*
 * t_pool_busy - pool users.  Today the one kind of pool user is a pool
 * handle (MF_IOC_POOL_OPEN); objects will be the next.  A pool with users
 * cannot be detached (EBUSY); raw extents are not users, so a pool with
 * extents but no handle detaches.  A handle is close-on-exec, survives
 * the /dev/memfabric descriptor it came from, is inherited by fork, pins
 * the module, and is counted in sysfs and MF_IOC_POOL_LIST.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"

static int fd;

static int pool_open(const char *name)
{
	struct mf_pool_open o = { .size = sizeof(o) };

	mfp_name(o.name, name);
	if (ioctl(fd, MF_IOC_POOL_OPEN, &o))
		return -1;
	return o.fd;
}

static unsigned long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/memfabric/refcnt", "r");
	unsigned long n = ~0UL;

	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = ~0UL;
		fclose(f);
	}
	return n;
}

int main(int argc, char **argv)
{
	struct mf_pool_open o = { .size = sizeof(o) };
	struct mf_pool_info info;
	unsigned long refs;
	int h, h2, status;
	uint64_t off;
	pid_t pid;

	mft_init(argv[0]);
	(void)argc;
	fd = mfp_open();

	MFT_OK(mfp_attach_ram(fd, "t_busy", 8 << 20), "attach t_busy");
	MFT_CHECK(mfp_sysfs_u64("t_busy", "users") == 0, "no users at first");

	/* Extents are not users. */
	MFT_OK(mfp_alloc(fd, "t_busy", 4096, 5, &off), "allocate an extent");
	MFT_OK(mfp_detach(fd, "t_busy"),
	       "a pool with extents but no users detaches");
	MFT_OK(mfp_attach_ram(fd, "t_busy", 8 << 20), "attach t_busy again");

	refs = module_refcnt();
	h = pool_open("t_busy");
	MFT_CHECK(h >= 0, "MF_IOC_POOL_OPEN gives a descriptor");
	MFT_CHECK((fcntl(h, F_GETFD) & FD_CLOEXEC) != 0, "it is close-on-exec");
	MFT_CHECK(mfp_sysfs_u64("t_busy", "users") == 1, "sysfs users is 1");
	MFT_CHECK(!mfp_info(fd, "t_busy", &info) && info.users == 1,
		  "LIST users is 1");
	MFT_CHECK(module_refcnt() == refs + 1, "the handle pins the module");
	MFT_ERRNO(mfp_detach(fd, "t_busy"), EBUSY,
		  "detach while a handle is open is EBUSY");
	MFT_CHECK(mfp_exists(fd, "t_busy"), "the pool is still attached");
	MFT_OK(mfp_alloc(fd, "t_busy", 4096, 6, &off),
	       "the busy pool still allocates");

	h2 = pool_open("t_busy");
	MFT_CHECK(h2 >= 0 && mfp_sysfs_u64("t_busy", "users") == 2,
		  "a second handle: users is 2");
	close(h2);
	MFT_CHECK(mfp_sysfs_u64("t_busy", "users") == 1,
		  "closing it: users is 1");

	/* A child inherits the handle: the pool stays busy until both close. */
	pid = fork();
	if (pid == 0) {
		sleep(1);
		_exit(0);
	}
	close(h);
	MFT_ERRNO(mfp_detach(fd, "t_busy"), EBUSY,
		  "the handle a child inherited keeps the pool busy");
	waitpid(pid, &status, 0);
	MFT_CHECK(mfp_sysfs_u64("t_busy", "users") == 0,
		  "users is 0 when the last copy is closed");
	MFT_CHECK(module_refcnt() == refs, "the module reference is dropped");

	/* A handle outlives the /dev/memfabric descriptor it came from. */
	h = pool_open("t_busy");
	close(fd);
	fd = mfp_open();
	MFT_ERRNO(mfp_detach(fd, "t_busy"), EBUSY,
		  "the handle still counts after its /dev/memfabric is closed");
	close(h);
	MFT_OK(mfp_detach(fd, "t_busy"), "detach once every handle is closed");

	MFT_ERRNO(pool_open("t_busy"), ENOENT,
		  "POOL_OPEN of a detached pool is ENOENT");
	MFT_ERRNO(pool_open("no such"), EINVAL, "POOL_OPEN of a bad name is EINVAL");

	MFT_OK(mfp_attach_ram(fd, "t_busy", 2 << 20), "attach t_busy for the ABI checks");
	mfp_name(o.name, "t_busy");
	mfp_abi_checks(fd, MF_IOC_POOL_OPEN, "POOL_OPEN", &o, sizeof(o), 0,
		       offsetof(struct mf_pool_open, reserved), 4, 0);
	o.fd = 3;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_OPEN, &o), EINVAL,
		  "POOL_OPEN: a non-zero fd (output) is EINVAL");
	o.fd = 0;
	MFT_CHECK(mfp_unprivileged_errno(fd, MF_IOC_POOL_OPEN, &o) == 0,
		  "POOL_OPEN needs no privilege");
	MFT_CHECK(mfp_sysfs_u64("t_busy", "users") == 0,
		  "the handles of the checks are all closed");
	MFT_OK(mfp_detach(fd, "t_busy"), "detach t_busy");
	close(fd);
	return mft_done();
}
