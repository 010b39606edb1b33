// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm version - module, ABI, feature and library versions, as JSON on
 * one line:
 * {"module":"0.1.0","abi":"1.2","features":["ext-ioctl","sysfs","pools"],
 *  "library":"0.1.0"}
 */
#include "mfadm.h"

#include <stdio.h>

#include <memfabric/bm.h>

int cmd_version(int argc, char **argv)
{
	BmVersion v = { .size = sizeof(v) };
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
	json_pretty(false);
	json_obj_begin();
	json_kstr("module", v.moduleVersion);
	json_kstr("abi", abi);
	json_key("features");
	json_features(v.features);
	json_kstr("library", v.libraryVersion);
	json_obj_end();
	json_end();
	return mfadm_flush();
}

const char mfadm_usage_version[] =
	"usage: mfadm version\n"
	"\n"
	"Print one JSON object on one line: the kernel module's\n"
	"version, its ioctl ABI (major.minor), its features, and\n"
	"libmemfabric's version.\n";
