// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm stats - module-wide figures as JSON: versions, features, the
 * number of pools and their total capacity, use and free space, and the
 * counters in /sys/kernel/memfabric/stats/ where the module has them.
 */
#include "mfadm.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <linux/memfabric.h>
#include <memfabric/admin.h>

#define STATS_DIR "/sys/kernel/memfabric/stats"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "stats": {name: value, ...}, numbers as numbers; null if no directory. */
static struct json_object *sysfs_stats(void)
{
	DIR *d = opendir(STATS_DIR);
	struct json_object *o;
	struct dirent *e;
	char *names[256];
	size_t n = 0;

	if (!d)
		return NULL;
	while ((e = readdir(d)) && n < 256) {
		if (e->d_name[0] == '.')
			continue;
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	o = json_object_new_object();
	for (size_t i = 0; i < n; i++) {
		char path[512], val[256], *end;
		unsigned long long v;

		snprintf(path, sizeof(path), STATS_DIR "/%s", names[i]);
		if (mfadm_read_file(path, val, sizeof(val)) == 0) {
			errno = 0;
			v = strtoull(val, &end, 10);
			if (val[0] >= '0' && val[0] <= '9' && !*end && !errno)
				mfadm_json_add(o, names[i], mfadm_json_u64(v));
			else
				mfadm_json_add(o, names[i], mfadm_json_str(val));
		}
		free(names[i]);
	}
	return o;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "human", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct mf_admin_module_info v;
	struct mf_admin_pool_info *infos = NULL;
	uint64_t capacity = 0, used = 0, free_b = 0, extents = 0, users = 0;
	uint32_t persistent = 0;
	struct mf_admin *ctx;
	struct json_object *o;
	char abi[32];
	int c, rc, n = 0;

	while ((c = mfadm_getopt("stats", argc, argv, ":u", opts)) != -1) {
		if (c != 'u')
			return MFADM_USAGE;
		mfadm_json_human(true);
	}
	if (optind < argc) {
		mfadm_err("stats: unexpected argument '%s'", argv[optind]);
		return MFADM_USAGE;
	}
	rc = mfadm_ctx_open(&ctx, 0, NULL);
	if (rc)
		return rc;
	mf_admin_version(ctx, &v);
	if (v.features & MF_FEAT_POOLS) {
		n = mf_admin_pool_list(ctx, &infos);
		if (n < 0) {
			mfadm_err("cannot list pools: %s", strerror(-n));
			mf_admin_free(ctx);
			return MFADM_FAIL;
		}
	}
	mf_admin_free(ctx);
	for (int i = 0; i < n; i++) {
		capacity += infos[i].capacity;
		used += infos[i].used;
		free_b += infos[i].free;
		extents += infos[i].nr_extents;
		users += infos[i].users;
		persistent += !!(infos[i].flags & MF_POOL_INFO_PERSISTENT);
	}
	free(infos);

	snprintf(abi, sizeof(abi), "%u.%u", v.abi_major, v.abi_minor);
	o = json_object_new_object();
	mfadm_json_add(o, "module", mfadm_json_str(v.module_version));
	mfadm_json_add(o, "abi", mfadm_json_str(abi));
	mfadm_json_add(o, "features", mfadm_json_features(v.features));
	mfadm_json_add(o, "pools", mfadm_json_u64((uint64_t)n));
	mfadm_json_add(o, "persistent_pools", mfadm_json_u64(persistent));
	mfadm_json_add(o, "capacity", mfadm_json_size(capacity));
	mfadm_json_add(o, "used", mfadm_json_size(used));
	mfadm_json_add(o, "free", mfadm_json_size(free_b));
	mfadm_json_add(o, "extents", mfadm_json_u64(extents));
	mfadm_json_add(o, "pool_users", mfadm_json_u64(users));
	mfadm_json_add(o, "stats", sysfs_stats());
	mfadm_json_print(o, true);
	return mfadm_flush();
}

const char mfadm_usage_stats[] =
	"usage: mfadm stats [-u]\n"
	"\n"
	"Print one JSON object: the module's version, ABI and\n"
	"features, the number of pools and their total capacity,\n"
	"used and free bytes and extents, and the counters of\n"
	"/sys/kernel/memfabric/stats/ (\"stats\", null if the module\n"
	"has none).  -u, --human: sizes as \"512.00 MiB\".\n";
