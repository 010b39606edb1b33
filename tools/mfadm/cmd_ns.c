// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm ns create|destroy|list - memfabric's namespaces, through
 * libmemfabric's admin calls (mf_admin_ns(3); no privilege beyond the
 * device is needed).
 */
#include "mfadm.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <linux/memfabric.h>
#include <memfabric/admin.h>

/* A context on the device, which must have namespaces. */
static int open_objects(struct mf_admin **ctx)
{
	return mfadm_ctx_open(ctx, MF_FEAT_OBJECTS, "namespaces");
}

static struct json_object *ns_json(const struct mf_admin_ns_info *ns)
{
	char pool[MF_POOL_NAME_LEN + 1], name[MF_NS_NAME_LEN + 1];
	struct json_object *o = json_object_new_object();

	memcpy(pool, ns->pool, MF_POOL_NAME_LEN);
	pool[MF_POOL_NAME_LEN] = '\0';
	memcpy(name, ns->name, MF_NS_NAME_LEN);
	name[MF_NS_NAME_LEN] = '\0';
	mfadm_json_add(o, "pool", mfadm_json_str(pool));
	mfadm_json_add(o, "name", mfadm_json_str(name));
	mfadm_json_add(o, "ttl", mfadm_json_u64(ns->ttl));
	mfadm_json_add(o, "attr", mfadm_json_u64(ns->attr));
	mfadm_json_add(o, "objects", mfadm_json_u64(ns->nr_objects));
	mfadm_json_add(o, "bytes", mfadm_json_size(ns->bytes));
	mfadm_json_add(o, "ctime", mfadm_json_u64(ns->ctime));
	return o;
}

/* POOL NS operands after options, checked. */
static int two_operands(const char *who, int argc, char **argv,
			const char **pool, const char **ns)
{
	if (argc - optind < 2) {
		mfadm_err("%s: need POOL NS", who);
		return MFADM_USAGE;
	}
	if (argc - optind > 2) {
		mfadm_err("%s: unexpected argument '%s'", who, argv[optind + 2]);
		return MFADM_USAGE;
	}
	*pool = argv[optind];
	*ns = argv[optind + 1];
	if (!mfadm_pool_name_ok(*pool)) {
		mfadm_err("%s: bad pool name '%s'", who, *pool);
		return MFADM_USAGE;
	}
	if (!mfadm_obj_name_ok(*ns)) {
		mfadm_err("%s: bad namespace name '%s' (1 to 63 of A-Z a-z 0-9 _ . : -)",
			  who, *ns);
		return MFADM_USAGE;
	}
	return MFADM_OK;
}

static int secid_ok(const char *who, const char *secid)
{
	if (!secid) {
		mfadm_err("%s: --secid is needed", who);
		return MFADM_USAGE;
	}
	if (!*secid || strlen(secid) >= MF_SECID_LEN) {
		mfadm_err("%s: a secId is 1 to %d bytes", who, MF_SECID_LEN - 1);
		return MFADM_USAGE;
	}
	return MFADM_OK;
}

/* ---- ns create ---------------------------------------------------------- */

int cmd_ns_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "secid", required_argument, NULL, 's' },
		{ "ttl", required_argument, NULL, 't' },
		{ "attr", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pool, *ns, *secid = NULL;
	unsigned long ttl = 0, attr = 0;
	struct mf_admin_ns_info *infos;
	struct mf_admin *ctx;
	int ch, rc, n;

	while ((ch = mfadm_getopt("ns create", argc, argv, ":s:t:a:", opts)) != -1) {
		switch (ch) {
		case 's':
			secid = optarg;
			break;
		case 't':
			if (mfadm_parse_uint(optarg, ULONG_MAX, &ttl)) {
				mfadm_err("ns create: bad --ttl '%s' (seconds)", optarg);
				return MFADM_USAGE;
			}
			break;
		case 'a':
			if (mfadm_parse_uint(optarg, UINT32_MAX, &attr)) {
				mfadm_err("ns create: bad --attr '%s' (0 to %u)",
					  optarg, UINT32_MAX);
				return MFADM_USAGE;
			}
			break;
		default:
			return MFADM_USAGE;
		}
	}
	rc = two_operands("ns create", argc, argv, &pool, &ns);
	if (rc)
		return rc;
	rc = secid_ok("ns create", secid);
	if (rc)
		return rc;
	rc = open_objects(&ctx);
	if (rc)
		return rc;
	rc = mf_admin_ns_create(ctx, pool, ns, secid, ttl, (uint32_t)attr);
	if (rc) {
		int e = -rc;

		mf_admin_free(ctx);
		if (e == ENOENT)
			mfadm_err("ns create: no such pool '%s'", pool);
		else if (e == EEXIST)
			mfadm_err("ns create: pool '%s' has a namespace '%s' already",
				  pool, ns);
		else if (e == ENOSPC)
			mfadm_err("ns create: pool '%s' is full", pool);
		else
			mfadm_err("ns create: %s", strerror(e));
		return MFADM_FAIL;
	}
	mfadm_step("namespace %s created in pool %s", ns, pool);
	n = mf_admin_ns_list(ctx, pool, &infos);
	mf_admin_free(ctx);
	if (n < 0) {
		mfadm_err("ns create: cannot list namespaces: %s", strerror(-n));
		return MFADM_FAIL;
	}
	rc = MFADM_FAIL;
	for (int i = 0; i < n; i++) {
		if (!strncmp(infos[i].name, ns, MF_NS_NAME_LEN)) {
			mfadm_json_print(ns_json(&infos[i]), true);
			rc = mfadm_flush();
			break;
		}
	}
	if (rc == MFADM_FAIL)
		mfadm_err("ns create: namespace %s vanished right after it was created",
			  ns);
	free(infos);
	return rc;
}

const char mfadm_usage_ns_create[] =
	"usage: mfadm ns create POOL NS --secid SECID [--ttl SECONDS] [--attr N]\n"
	"\n"
	"Create namespace NS in POOL, guarded by SECID (1 to 63 bytes),\n"
	"and print it as 'mfadm ns list' does.\n"
	"\n"
	"Options:\n"
	"  --secid SECID   the namespace's secId (needed)\n"
	"  --ttl SECONDS   how long a published object lives once nothing\n"
	"                  references it (from its creation); 0 (the\n"
	"                  default): forever\n"
	"  --attr N        an attribute word kept with it (default 0)\n";

/* ---- ns destroy --------------------------------------------------------- */

int cmd_ns_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "secid", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pool, *ns, *secid = NULL;
	uint64_t freed = 0, deferred = 0;
	struct mf_admin *ctx;
	struct json_object *o;
	bool force = false;
	int ch, rc;

	while ((ch = mfadm_getopt("ns destroy", argc, argv, ":s:f", opts)) != -1) {
		switch (ch) {
		case 's':
			secid = optarg;
			break;
		case 'f':
			force = true;
			break;
		default:
			return MFADM_USAGE;
		}
	}
	rc = two_operands("ns destroy", argc, argv, &pool, &ns);
	if (rc)
		return rc;
	rc = secid_ok("ns destroy", secid);
	if (rc)
		return rc;
	rc = open_objects(&ctx);
	if (rc)
		return rc;
	rc = mf_admin_ns_destroy(ctx, pool, ns, secid, force ? MF_NS_FORCE : 0,
				 &freed, &deferred);
	mf_admin_free(ctx);
	if (rc) {
		int e = -rc;

		switch (e) {
		case ENOENT:
			if (mfadm_pool_attached(pool) == 0)
				mfadm_err("ns destroy: no such pool '%s'", pool);
			else
				mfadm_err("ns destroy: pool '%s' has no namespace '%s'",
					  pool, ns);
			break;
		case EACCES:
			mfadm_err("ns destroy: wrong secId for namespace '%s'", ns);
			break;
		case EBUSY:
			mfadm_err("ns destroy: namespace '%s' holds objects (--force frees them)",
				  ns);
			break;
		default:
			mfadm_err("ns destroy: %s", strerror(e));
		}
		return MFADM_FAIL;
	}
	mfadm_step("namespace %s destroyed", ns);
	o = json_object_new_object();
	mfadm_json_add(o, "pool", mfadm_json_str(pool));
	mfadm_json_add(o, "name", mfadm_json_str(ns));
	mfadm_json_add(o, "freed", mfadm_json_u64(freed));
	mfadm_json_add(o, "deferred", mfadm_json_u64(deferred));
	mfadm_json_print(o, true);
	return mfadm_flush();
}

const char mfadm_usage_ns_destroy[] =
	"usage: mfadm ns destroy POOL NS --secid SECID [--force]\n"
	"\n"
	"Destroy namespace NS of POOL and print {\"pool\", \"name\",\n"
	"\"freed\", \"deferred\"}: objects freed at once, and those whose\n"
	"memory waits for their last reference.  Fails while it holds\n"
	"objects unless --force frees them (whoever owns them).\n";

/* ---- ns list ------------------------------------------------------------ */

int cmd_ns_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "human", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pool = "";
	struct mf_admin_ns_info *infos;
	struct mf_admin *ctx;
	struct json_object *a;
	int ch, rc, n;

	while ((ch = mfadm_getopt("ns list", argc, argv, ":p:u", opts)) != -1) {
		switch (ch) {
		case 'p':
			pool = optarg;
			if (!mfadm_pool_name_ok(pool)) {
				mfadm_err("ns list: bad pool name '%s'", pool);
				return MFADM_USAGE;
			}
			break;
		case 'u':
			mfadm_json_human(true);
			break;
		default:
			return MFADM_USAGE;
		}
	}
	if (optind < argc) {
		mfadm_err("ns list: unexpected argument '%s'", argv[optind]);
		return MFADM_USAGE;
	}
	rc = open_objects(&ctx);
	if (rc)
		return rc;
	n = mf_admin_ns_list(ctx, pool, &infos);
	mf_admin_free(ctx);
	if (n == -ENOENT) {
		mfadm_err("ns list: no such pool '%s'", pool);
		return MFADM_FAIL;
	}
	if (n < 0) {
		mfadm_err("ns list: %s", strerror(-n));
		return MFADM_FAIL;
	}
	a = json_object_new_array();
	for (int i = 0; i < n; i++)
		json_object_array_add(a, ns_json(&infos[i]));
	free(infos);
	mfadm_json_print(a, true);
	return mfadm_flush();
}

const char mfadm_usage_ns_list[] =
	"usage: mfadm ns list [--pool POOL] [-u]\n"
	"\n"
	"Print the namespaces as a JSON array, in order of creation per\n"
	"pool: pool, name, ttl, attr, objects, bytes and ctime.\n"
	"  --pool POOL  only POOL's\n"
	"  -u, --human  sizes as \"4.00 MiB\"\n";

/* ---- the group ------------------------------------------------------------ */

const char mfadm_usage_ns[] =
	"usage: mfadm ns COMMAND [ARGS]\n"
	"\n"
	"memfabric's namespaces: named groups of objects in a pool,\n"
	"guarded by a secId.  See 'mfadm help ns COMMAND'.\n";
