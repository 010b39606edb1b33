// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm version - module, ABI, feature and library versions, as JSON on
 * one line:
 * {"module":"0.1.0","abi":"1.2","features":["ext-ioctl","sysfs","pools"],
 *  "library":"0.1.0"}
 */
#include "mfadm.h"

#include <stdio.h>

#include <json-c/json.h>
#include <memfabric/bm.h>

int cmd_version(int argc, char **argv)
{
	BmVersion v = { .size = sizeof(v) };
	struct json_object *o;
	char abi[32];
	int rc;

	if (argc > 1) {
		mfadm_err("version: unexpected argument '%s'", argv[1]);
		return MFADM_USAGE;
	}
	rc = mfadm_open();
	if (rc)
		return rc;
	rc = BM_Version(&v);
	BM_Exit();
	if (rc) {
		mfadm_err("cannot read versions: %s", BM_StrError(rc));
		return MFADM_FAIL;
	}

	snprintf(abi, sizeof(abi), "%u.%u", v.abiMajor, v.abiMinor);
	o = json_object_new_object();
	mfadm_json_add(o, "module", mfadm_json_str(v.moduleVersion));
	mfadm_json_add(o, "abi", mfadm_json_str(abi));
	mfadm_json_add(o, "features", mfadm_json_features(v.features));
	mfadm_json_add(o, "library", mfadm_json_str(v.libraryVersion));
	mfadm_json_print(o, false);
	return mfadm_flush();
}

const char mfadm_usage_version[] =
	"usage: mfadm version\n"
	"\n"
	"Print one JSON object on one line: the kernel module's\n"
	"version, its ioctl ABI (major.minor), its features, and\n"
	"libmemfabric's version.\n";
