// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - what several mfadm commands need: sizes, names, sysfs reads,
 * privilege checks, and the memfabric device for ioctls.
 */
#include "mfadm.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/memfabric.h>
#include <memfabric/bm.h>

int mfadm_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTP";
	uint64_t v = 0;
	const char *p = s;
	unsigned shift = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*p) {
		const char *u = strchr(units, toupper((unsigned char)*p));

		if (!u)
			return -1;
		shift = 10 * (unsigned)(u - units + 1);
		p++;
		/* K, KB, KiB (any case): all powers of 1024. */
		if (*p == 'i' || *p == 'I')
			p++;
		if (*p == 'b' || *p == 'B')
			p++;
		if (*p)
			return -1;
	}
	if (v == 0 || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = v << shift;
	return 0;
}

int mfadm_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

const char *mfadm_human(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024.0 && u < 5) {
		v /= 1024.0;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len, "%.2f %s", v, units[u]);
	return buf;
}

bool mfadm_pool_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= MF_POOL_NAME_LEN)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

const char *mfadm_backend_name(uint32_t backend)
{
	switch (backend) {
	case MF_POOL_BACKEND_FSDAX:
		return "fsdax";
	case MF_POOL_BACKEND_NODE:
		return "node";
	case MF_POOL_BACKEND_RAM:
		return "ram";
	}
	return "?";
}

void mfadm_uuid_str(const uint8_t u[16], char buf[37])
{
	snprintf(buf, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

int mfadm_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (len == 0)
		return -EINVAL;
	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

bool mfadm_have_sys_admin(void)
{
	char line[256];
	bool ok = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long caps;

		if (sscanf(line, "CapEff: %llx", &caps) == 1) {
			ok = caps & (1ULL << 21);	/* CAP_SYS_ADMIN */
			break;
		}
	}
	fclose(f);
	return ok;
}

/*
 * The device the config file names (its last "device = " line), or the
 * default.  BM_Init() has checked the file's syntax already.
 */
static void config_device(char *out, size_t len)
{
	char line[PATH_MAX + 64];
	FILE *f;

	snprintf(out, len, "%s", BM_DEFAULT_DEVICE);
	if (!mfadm_config)
		return;
	f = fopen(mfadm_config, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		/* A '#' at the start or after a blank begins a comment. */
		for (char *q = line; *q; q++) {
			if (*q == '#' && (q == line || isblank((unsigned char)q[-1]))) {
				*q = '\0';
				break;
			}
		}
		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "device", 6))
			continue;
		p += 6;
		while (isblank((unsigned char)*p))
			p++;
		if (*p++ != '=')
			continue;
		while (isblank((unsigned char)*p))
			p++;
		end = p + strlen(p);
		while (end > p && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*p)
			snprintf(out, len, "%s", p);
	}
	fclose(f);
}

int mfadm_dev_try_open(void)
{
	char dev[PATH_MAX];
	struct mf_version v = { .size = sizeof(v) };
	int fd;

	config_device(dev, sizeof(dev));
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ioctl(fd, MF_IOC_VERSION, &v) || !(v.features & MF_FEAT_POOLS)) {
		close(fd);
		return -1;
	}
	return fd;
}

int mfadm_dev_open(int *fd, struct mf_version *ver)
{
	struct mf_version v = { .size = sizeof(v) };
	char dev[PATH_MAX];
	int rc = mfadm_open();

	if (rc)
		return rc;
	BM_Exit();
	config_device(dev, sizeof(dev));
	*fd = open(dev, O_RDWR | O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;

		if (e == ENOENT || e == ENODEV || e == ENXIO)
			mfadm_err("memfabric module not loaded (no %s)", dev);
		else if (e == EACCES || e == EPERM)
			mfadm_err("permission denied opening %s", dev);
		else
			mfadm_err("cannot open %s: %s", dev, strerror(e));
		return MFADM_FAIL;
	}
	if (ioctl(*fd, MF_IOC_VERSION, &v)) {
		mfadm_err("%s: not a memfabric device, or the module is too old",
			  dev);
		close(*fd);
		return MFADM_FAIL;
	}
	if (ver)
		*ver = v;
	return MFADM_OK;
}
