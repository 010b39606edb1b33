// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_host.c - mfadm host list: the hosts of a multi-host pool (issue 17),
 * from /sys/kernel/memfabric/pools/POOL/hosts and .../role.
 */
#include "mfadm.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/memfabric.h>

#define POOLS_DIR "/sys/kernel/memfabric/pools/"

int cmd_host_list(int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	char path[sizeof(POOLS_DIR) + MF_POOL_NAME_LEN + 8], role[64] = "";
	struct mfadm_json_list l = { 0 };
	unsigned int host, epoch;
	unsigned long long beat, age;
	char state[16], line[160], hrole[16], refs[24];
	const char *name;
	struct json_object *o;
	FILE *f;
	int c;

	while ((c = mfadm_getopt("host list", argc, argv, ":", none)) != -1)
		return MFADM_USAGE;
	if (optind + 1 != argc || !mfadm_pool_name_ok(argv[optind])) {
		mfadm_err("host list: give one pool NAME (see 'mfadm help host list')");
		return MFADM_USAGE;
	}
	name = argv[optind];
	snprintf(path, sizeof(path), POOLS_DIR "%s/role", name);
	f = fopen(path, "r");
	if (!f) {
		mfadm_err("host list %s: %s", name, errno == ENOENT ?
			  "no such pool, or a module without multi-host pools" :
			  strerror(errno));
		return MFADM_FAIL;
	}
	if (!fgets(role, sizeof(role), f))
		role[0] = 0;
	fclose(f);
	role[strcspn(role, "\n")] = 0;
	if (!strcmp(role, "none")) {
		mfadm_err("host list %s: not a multi-host pool", name);
		return MFADM_FAIL;
	}
	snprintf(path, sizeof(path), POOLS_DIR "%s/hosts", name);
	f = fopen(path, "r");
	if (!f) {
		mfadm_err("host list %s: %s", name, strerror(errno));
		return MFADM_FAIL;
	}
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%u %15s %u %llu %llu %15s %23s", &host,
			       state, &epoch, &beat, &age, hrole, refs);

		if (n < 5)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "host", json_object_new_int64(host));
		json_object_object_add(o, "role", n >= 6 ?
				       json_object_new_string(hrole) : NULL);
		json_object_object_add(o, "state", json_object_new_string(state));
		json_object_object_add(o, "epoch", json_object_new_int64(epoch));
		json_object_object_add(o, "beat", json_object_new_int64((int64_t)beat));
		json_object_object_add(o, "age_ms", json_object_new_int64((int64_t)age));
		/* References held: known to the manager's host only. */
		json_object_object_add(o, "refs", n >= 7 && strcmp(refs, "-") ?
				       json_object_new_int64(strtoll(refs, NULL, 10)) :
				       NULL);
		json_object_object_add(o, "seen_by", json_object_new_string(role));
		mfadm_json_list_add(&l, o);
	}
	fclose(f);
	mfadm_json_list_end(&l);
	return MFADM_OK;
}

const char mfadm_usage_host[] =
	"usage: mfadm host COMMAND [ARGS]\n"
	"\n"
	"The hosts of a multi-host pool (Documentation/multihost.md).\n";

const char mfadm_usage_host_list[] =
	"usage: mfadm host list POOL\n"
	"\n"
	"List the hosts of multi-host pool POOL as JSON: host, role (manager\n"
	"or member), state (JOINED, DEAD, NONE), epoch, beat (the heartbeat\n"
	"counter), age_ms (since the beat last changed, on the manager's\n"
	"clock), refs (the published objects it holds a reference to; null\n"
	"on a member, which does not know) and seen_by (this host's role).\n"
	"The manager lists every host it knows; a member only itself.\n";
