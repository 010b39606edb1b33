// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - what several mfadm commands need: sizes, names, sysfs reads,
 * privilege checks, and a libmemfabric admin context (<memfabric/admin.h>),
 * through which every command reaches the module.
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
#include <unistd.h>

#include <linux/memfabric.h>
#include <memfabric/admin.h>

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

int mfadm_ctx_open(struct mf_admin **ctx, uint64_t need, const char *what)
{
	struct mf_admin_module_info v;
	int rc = mf_admin_new(mfadm_config, ctx);

	if (rc) {
		mfadm_open_err(rc);
		return MFADM_FAIL;
	}
	mf_admin_version(*ctx, &v);
	if ((v.features & need) != need) {
		mfadm_err("the memfabric module has no %s (too old)", what);
		mf_admin_free(*ctx);
		*ctx = NULL;
		return MFADM_FAIL;
	}
	return MFADM_OK;
}

struct mf_admin *mfadm_ctx_try(void)
{
	struct mf_admin_module_info v;
	struct mf_admin *ctx;

	if (mf_admin_new(mfadm_config, &ctx))
		return NULL;
	mf_admin_version(ctx, &v);
	if (!(v.features & MF_FEAT_POOLS)) {
		mf_admin_free(ctx);
		return NULL;
	}
	return ctx;
}

int mfadm_pool_attached(const char *name)
{
	struct mf_admin_pool_info info;
	struct mf_admin *ctx = mfadm_ctx_try();
	int rc;

	if (!ctx)
		return -1;
	rc = mf_admin_pool_get(ctx, name, &info);
	mf_admin_free(ctx);
	return rc == 0 ? 1 : rc == -ENOENT ? 0 : -1;
}

const char *mfadm_obj_type_name(uint32_t type)
{
	switch (type) {
	case MF_OBJ_PRIVATE_RW:
		return "private-rw";
	case MF_OBJ_SHARED_RO:
		return "shared-ro";
	}
	return "?";
}

void mfadm_nl_err(const char *who, int rc)
{
	if (rc == -ENODEV)
		mfadm_err("memfabric module not loaded, or too old (no generic netlink family %s)",
			  MEMFABRIC_GENL_NAME);
	else if (rc == -EOPNOTSUPP)
		mfadm_err("the memfabric module has no %s group",
			  MEMFABRIC_GENL_MCGRP_EVENTS);
	else if (rc == -ENOMEM)
		mfadm_err("out of memory");
	else
		mfadm_err("%s: %s", who, strerror(-rc));
}
