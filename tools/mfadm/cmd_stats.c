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
#include <unistd.h>

#include <linux/memfabric.h>

#define STATS_DIR "/sys/kernel/memfabric/stats"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "stats": {name: value, ...}, numbers as numbers; null if no directory. */
static void sysfs_stats(void)
{
	DIR *d = opendir(STATS_DIR);
	struct dirent *e;
	char *names[256];
	size_t n = 0;

	json_key("stats");
	if (!d) {
		json_null();
		return;
	}
	while ((e = readdir(d)) && n < 256) {
		if (e->d_name[0] == '.')
			continue;
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	json_obj_begin();
	for (size_t i = 0; i < n; i++) {
		char path[512], val[256], *end;
		unsigned long long v;

		snprintf(path, sizeof(path), STATS_DIR "/%s", names[i]);
		if (mfadm_read_file(path, val, sizeof(val)) == 0) {
			json_key(names[i]);
			errno = 0;
			v = strtoull(val, &end, 10);
			if (val[0] >= '0' && val[0] <= '9' && !*end && !errno)
				json_u64(v);
			else
				json_str(val);
		}
		free(names[i]);
	}
	json_obj_end();
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "human", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct mf_version v;
	struct mf_pool_info *infos = NULL;
	uint64_t capacity = 0, used = 0, free_b = 0, extents = 0, users = 0;
	uint32_t n = 0, persistent = 0;
	char abi[32], mver[MF_VERSION_LEN + 1];
	int c, fd, rc;

	while ((c = mfadm_getopt("stats", argc, argv, ":u", opts)) != -1) {
		if (c != 'u')
			return MFADM_USAGE;
		json_human(true);
	}
	if (optind < argc) {
		mfadm_err("stats: unexpected argument '%s'", argv[optind]);
		return MFADM_USAGE;
	}
	rc = mfadm_dev_open(&fd, &v);
	if (rc)
		return rc;
	if (v.features & MF_FEAT_POOLS) {
		rc = mfadm_pool_list(fd, &infos, &n);
		if (rc) {
			mfadm_err("cannot list pools: %s", strerror(-rc));
			close(fd);
			return MFADM_FAIL;
		}
	}
	close(fd);
	for (uint32_t i = 0; i < n; i++) {
		capacity += infos[i].capacity;
		used += infos[i].used;
		free_b += infos[i].free;
		extents += infos[i].nr_extents;
		users += infos[i].users;
		persistent += !!(infos[i].flags & MF_POOL_INFO_PERSISTENT);
	}
	free(infos);

	snprintf(abi, sizeof(abi), "%u.%u", v.abi_major, v.abi_minor);
	memcpy(mver, v.module_version, MF_VERSION_LEN);
	mver[MF_VERSION_LEN] = '\0';
	json_obj_begin();
	json_kstr("module", mver);
	json_kstr("abi", abi);
	json_key("features");
	json_features(v.features);
	json_ku64("pools", n);
	json_ku64("persistent_pools", persistent);
	json_ksize("capacity", capacity);
	json_ksize("used", used);
	json_ksize("free", free_b);
	json_ku64("extents", extents);
	json_ku64("pool_users", users);
	sysfs_stats();
	json_obj_end();
	json_end();
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
