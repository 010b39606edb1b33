// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm version - module, ABI, feature and library versions, as JSON:
 * {"module":"0.1.0","abi":"1.0","features":["ext-ioctl","sysfs"],
 *  "library":"0.1.0"}
 */
#include "mfadm.h"

#include <stdio.h>

#include <memfabric/bm.h>

static const struct {
	unsigned long long bit;
	const char *name;
} feature_names[] = {
	{ BM_FEAT_EXT_IOCTL, "ext-ioctl" },
	{ BM_FEAT_SYSFS, "sysfs" },
};

/* Print @s as a JSON string. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

#define NFEATURES (sizeof(feature_names) / sizeof(feature_names[0]))

static void print_features(unsigned long long mask)
{
	const char *sep = "";

	putchar('[');
	for (size_t i = 0; i < NFEATURES; i++) {
		if (mask & feature_names[i].bit) {
			printf("%s\"%s\"", sep, feature_names[i].name);
			mask &= ~feature_names[i].bit;
			sep = ",";
		}
	}
	/* Bits newer than this mfadm: named by number. */
	for (int bit = 0; bit < 64; bit++) {
		if (mask & (1ULL << bit)) {
			printf("%s\"bit%d\"", sep, bit);
			sep = ",";
		}
	}
	putchar(']');
}

static int run(int argc, char **argv)
{
	BmVersion v = { .size = sizeof(v) };
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

	printf("{\"module\":");
	json_str(v.moduleVersion);
	printf(",\"abi\":\"%u.%u\",\"features\":", v.abiMajor, v.abiMinor);
	print_features(v.features);
	printf(",\"library\":");
	json_str(v.libraryVersion);
	printf("}\n");
	return mfadm_flush();
}

const struct mfadm_cmd mfadm_cmd_version = {
	.name = "version",
	.summary = "print module, ABI, feature and library versions (JSON)",
	.usage = "usage: mfadm version\n"
		 "\n"
		 "Print one JSON object: the kernel module's version, its\n"
		 "ioctl ABI (major.minor), its features, and libmemfabric's\n"
		 "version.\n",
	.run = run,
};
