/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfpool.h - helpers of the pool tests (tests/guest/t_pool_*.c): the pool
 * and raw extent ioctls, sysfs, and the checks every ioctl gets (size - 1,
 * size + 8 with a non-zero tail, unknown flags, reserved fields, bad
 * pointers, no CAP_SYS_ADMIN).  Include after mftest.h, with _GNU_SOURCE
 * defined before any system header (setresuid).
 *
 * The helpers that attach, detach, allocate and free send the raw ioctls,
 * because the tests feed them bad input on purpose (unterminated names);
 * the listings (mfp_info(), mfp_extents()) go through libmemfabric's
 * admin calls, where the list-and-retry of the list ioctls lives.
 */
#ifndef MFPOOL_H
#define MFPOOL_H

#include <fcntl.h>
#include <grp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/memfabric.h>
#include <memfabric/admin.h>

#define MFP_DEV		"/dev/" MEMFABRIC_DEVICE_NAME
#define MFP_SYSFS	"/sys/kernel/memfabric/pools"
#define MFP_NOBODY	65534

/* Copy a pool name into a zeroed MF_POOL_NAME_LEN field, maybe unended. */
static inline void mfp_name(char *dst, const char *src)
{
	size_t n = strlen(src);

	memcpy(dst, src, n < MF_POOL_NAME_LEN ? n : MF_POOL_NAME_LEN);
}

static inline int mfp_open(void)
{
	int fd = open(MFP_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror(MFP_DEV);
		exit(2);
	}
	return fd;
}

static inline struct mf_pool_attach mfp_attach_arg(const char *name,
						   uint32_t backend,
						   const char *path,
						   uint32_t node,
						   uint64_t bytes)
{
	struct mf_pool_attach a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.backend = backend;
	a.node = node;
	a.bytes = bytes;
	mfp_name(a.name, name);
	if (path)
		strncpy(a.path, path, sizeof(a.path) - 1);
	return a;
}

static inline int mfp_attach_ram(int fd, const char *name, uint64_t bytes)
{
	struct mf_pool_attach a = mfp_attach_arg(name, MF_POOL_BACKEND_RAM,
						 NULL, 0, bytes);

	return ioctl(fd, MF_IOC_POOL_ATTACH, &a);
}

static inline int mfp_attach_fsdax(int fd, const char *name, const char *path,
				   uint32_t flags, struct mf_pool_attach *out)
{
	struct mf_pool_attach a = mfp_attach_arg(name, MF_POOL_BACKEND_FSDAX,
						 path, 0, 0);
	int ret;

	a.flags = flags;
	ret = ioctl(fd, MF_IOC_POOL_ATTACH, &a);
	if (out)
		*out = a;
	return ret;
}

static inline int mfp_detach(int fd, const char *name)
{
	struct mf_pool_detach d;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	mfp_name(d.name, name);
	return ioctl(fd, MF_IOC_POOL_DETACH, &d);
}

_Static_assert(sizeof(struct mf_admin_pool_info) == sizeof(struct mf_pool_info),
	       "mf_admin_pool_info is struct mf_pool_info");
_Static_assert(sizeof(struct mf_admin_extent) == sizeof(struct mf_extent_info),
	       "mf_admin_extent is struct mf_extent_info");

/*
 * The pool's MF_IOC_POOL_LIST entry (mf_admin_pool_get() through @fd):
 * 0, or -1 with errno set if it is not listed (ENOENT) or cannot be.
 */
static inline int mfp_info(int fd, const char *name, struct mf_pool_info *out)
{
	struct mf_admin_pool_info info;
	struct mf_admin *ctx;
	int rc = mf_admin_new_fd(fd, &ctx);

	if (!rc) {
		rc = mf_admin_pool_get(ctx, name, &info);
		mf_admin_free(ctx);
	}
	if (rc) {
		errno = -rc;
		return -1;
	}
	memcpy(out, &info, sizeof(*out));
	return 0;
}

static inline int mfp_exists(int fd, const char *name)
{
	struct mf_pool_info info;

	return mfp_info(fd, name, &info) == 0;
}

static inline int mfp_alloc(int fd, const char *pool, uint64_t len,
			    uint64_t tag, uint64_t *off)
{
	struct mf_extent_alloc a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	mfp_name(a.pool, pool);
	a.len = len;
	a.tag = tag;
	ret = ioctl(fd, MF_IOC_EXTENT_ALLOC, &a);
	if (!ret && off)
		*off = a.offset;
	return ret;
}

static inline int mfp_free(int fd, const char *pool, uint64_t off,
			   uint64_t *len, uint64_t *tag)
{
	struct mf_extent_free f;
	int ret;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	mfp_name(f.pool, pool);
	f.offset = off;
	ret = ioctl(fd, MF_IOC_EXTENT_FREE, &f);
	if (!ret && len)
		*len = f.len;
	if (!ret && tag)
		*tag = f.tag;
	return ret;
}

/*
 * The pool's extents (mf_admin_extent_list() through @fd), malloc'ed into
 * *out; their number, or -1 with errno set.
 */
static inline long mfp_extents(int fd, const char *pool,
			       struct mf_extent_info **out)
{
	struct mf_admin_extent *ext = NULL;
	struct mf_admin *ctx;
	int n = mf_admin_new_fd(fd, &ctx);

	if (!n) {
		n = mf_admin_extent_list(ctx, pool, &ext);
		mf_admin_free(ctx);
	}
	*out = (struct mf_extent_info *)ext;
	if (n < 0) {
		errno = -n;
		return -1;
	}
	return n;
}

static inline int mfp_check(int fd, const char *pool, struct mf_pool_check *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	mfp_name(c->name, pool);
	return ioctl(fd, MF_IOC_POOL_CHECK, c);
}

/* Read /sys/kernel/memfabric/pools/<pool>/<attr>, newline stripped. */
static inline int mfp_sysfs(const char *pool, const char *attr, char *buf,
			    size_t len)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), MFP_SYSFS "/%s/%s", pool, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static inline unsigned long long mfp_sysfs_u64(const char *pool,
					       const char *attr)
{
	char buf[64];

	if (mfp_sysfs(pool, attr, buf, sizeof(buf)))
		return ~0ULL;
	return strtoull(buf, NULL, 0);
}

/*
 * Run ioctl(@cmd, @arg) in a child that kept the descriptor @fd but is
 * nobody, without any capability; returns the child's errno (0: it
 * succeeded).
 */
static inline int mfp_unprivileged_errno(int fd, unsigned long cmd, void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		if (setgroups(0, NULL) ||
		    setresgid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY) ||
		    setresuid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY))
			_exit(255);
		_exit(ioctl(fd, cmd, arg) ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/**
 * mfp_abi_checks() - the extensible-struct rules, for one ioctl
 * @fd: /dev/memfabric
 * @cmd: the ioctl
 * @what: its name, for the check lines
 * @arg: a struct the ioctl would accept (it is not sent as it is)
 * @size: sizeof() it
 * @valid_flags: the flags the ioctl knows
 * @reserved_off: offset of its reserved field (8 bytes, or 4 if
 *	@reserved_len says so)
 * @reserved_len: 4 or 8, or 0 for a struct without one
 * @admin: the ioctl needs CAP_SYS_ADMIN; @arg is then sent once, by an
 *	unprivileged child, and must fail with EPERM
 */
static inline void mfp_abi_checks(int fd, unsigned long cmd, const char *what,
				  const void *arg, size_t size,
				  uint32_t valid_flags, size_t reserved_off,
				  size_t reserved_len, int admin)
{
	unsigned char *buf = calloc(1, size + 16);
	char line[160];
	int bit, err;

	/* The first version's size is the one in the command. */
	memcpy(buf, arg, size);
	*(uint32_t *)buf = _IOC_SIZE(cmd) - 1;
	snprintf(line, sizeof(line), "%s: the first version's size - 1 is EINVAL",
		 what);
	MFT_ERRNO(ioctl(fd, cmd, buf), EINVAL, line);

	memcpy(buf, arg, size);
	*(uint32_t *)buf = size + 8;
	buf[size + 3] = 1;
	snprintf(line, sizeof(line), "%s: size + 8 with a non-zero tail is E2BIG",
		 what);
	MFT_ERRNO(ioctl(fd, cmd, buf), E2BIG, line);

	for (bit = 0; bit < 32; bit++) {
		if (valid_flags & (1U << bit))
			continue;
		memcpy(buf, arg, size);
		((uint32_t *)buf)[1] = 1U << bit;
		errno = 0;
		if (ioctl(fd, cmd, buf) != -1 || errno != EINVAL)
			break;
	}
	snprintf(line, sizeof(line), "%s: every unknown flag bit is EINVAL", what);
	mft_report(bit == 32, line, "flag bit %d: errno %d", bit, errno);

	if (reserved_len) {
		memset(buf, 0, size + 16);
		memcpy(buf, arg, size);
		buf[reserved_off + reserved_len - 1] = 0x80;
		snprintf(line, sizeof(line),
			 "%s: a non-zero reserved field is EINVAL", what);
		MFT_ERRNO(ioctl(fd, cmd, buf), EINVAL, line);
	}

	snprintf(line, sizeof(line), "%s: a NULL struct is EFAULT", what);
	MFT_ERRNO(ioctl(fd, cmd, NULL), EFAULT, line);
	snprintf(line, sizeof(line), "%s: a wild struct pointer is EFAULT", what);
	MFT_ERRNO(ioctl(fd, cmd, (void *)16), EFAULT, line);

	if (admin) {
		memcpy(buf, arg, size);
		err = mfp_unprivileged_errno(fd, cmd, buf);
		snprintf(line, sizeof(line),
			 "%s: without CAP_SYS_ADMIN (as nobody) is EPERM", what);
		mft_report(err == EPERM, line, "child errno %d", err);
	}
	free(buf);
}

#endif /* MFPOOL_H */
