// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm obj list|show|free - memfabric's objects, through libmemfabric's
 * admin calls (mf_admin_ns(3)).  list and show read the generic netlink
 * family (its object dump and get, which need CAP_SYS_ADMIN); free needs
 * the namespace's secId.
 */
#include "mfadm.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <linux/memfabric.h>
#include <memfabric/admin.h>

/* An object id or namespace name: 1 to 63 of [A-Za-z0-9_.:-]. */
bool mfadm_obj_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= MF_OBJ_ID_LEN)
		return false;
	for (const char *p = name; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-",
			    *p))
			return false;
	return true;
}

struct json_object *mfadm_obj_json(const struct mf_admin_obj_info *obj)
{
	struct json_object *o = json_object_new_object();

	mfadm_json_add(o, "pool", mfadm_json_str(obj->pool));
	mfadm_json_add(o, "ns", mfadm_json_str(obj->ns));
	mfadm_json_add(o, "id", mfadm_json_str(obj->id));
	mfadm_json_add(o, "size", mfadm_json_size(obj->size));
	mfadm_json_add(o, "type",
		       mfadm_json_str(mfadm_obj_type_name(obj->type)));
	mfadm_json_add(o, "refcount", mfadm_json_u64(obj->refs));
	mfadm_json_add(o, "mappings", mfadm_json_u64(obj->map_count));
	mfadm_json_add(o, "owner", mfadm_json_u64(obj->owner));
	mfadm_json_add(o, "age", mfadm_json_u64(obj->age));
	mfadm_json_add(o, "ctime", mfadm_json_u64(obj->ctime));
	mfadm_json_add(o, "extents", mfadm_json_u64(obj->nr_extents));
	return o;
}

/* Check POOL NS ID operands; MFADM_USAGE with a message if one is bad. */
static int check_names(const char *who, const char *pool, const char *ns,
		       const char *id)
{
	if (!mfadm_pool_name_ok(pool)) {
		mfadm_err("%s: bad pool name '%s'", who, pool);
		return MFADM_USAGE;
	}
	if (ns && !mfadm_obj_name_ok(ns)) {
		mfadm_err("%s: bad namespace name '%s'", who, ns);
		return MFADM_USAGE;
	}
	if (id && !mfadm_obj_name_ok(id)) {
		mfadm_err("%s: bad object id '%s'", who, id);
		return MFADM_USAGE;
	}
	return MFADM_OK;
}

/* CAP_SYS_ADMIN, which the object dump and get need. */
static int need_admin(const char *who)
{
	if (mfadm_have_sys_admin())
		return MFADM_OK;
	mfadm_err("%s: need CAP_SYS_ADMIN (run as root)", who);
	return MFADM_FAIL;
}

/* ---- obj list ----------------------------------------------------------- */

static int print_obj(const struct mf_admin_obj_info *obj, void *arg)
{
	struct mfadm_json_list *l = arg;

	/* The array starts with the first entry: no stray "[" on error. */
	mfadm_json_list_add(l, mfadm_obj_json(obj));
	/* Stream: keep memory flat however many objects there are. */
	if (!(l->n % 1024))
		fflush(stdout);
	return 0;
}

int cmd_obj_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "ns", required_argument, NULL, 'n' },
		{ "human", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pool = NULL, *ns = NULL;
	struct mfadm_json_list l = { 0 };
	int c, rc;

	while ((c = mfadm_getopt("obj list", argc, argv, ":p:n:u", opts)) != -1) {
		switch (c) {
		case 'p':
			pool = optarg;
			break;
		case 'n':
			ns = optarg;
			break;
		case 'u':
			mfadm_json_human(true);
			break;
		default:
			return MFADM_USAGE;
		}
	}
	if (optind < argc) {
		mfadm_err("obj list: unexpected argument '%s'", argv[optind]);
		return MFADM_USAGE;
	}
	if (pool && !mfadm_pool_name_ok(pool)) {
		mfadm_err("obj list: bad pool name '%s'", pool);
		return MFADM_USAGE;
	}
	if (ns && !mfadm_obj_name_ok(ns)) {
		mfadm_err("obj list: bad namespace name '%s'", ns);
		return MFADM_USAGE;
	}
	rc = need_admin("obj list");
	if (rc)
		return rc;
	/*
	 * The array is streamed as the dump arrives; an error after the
	 * first entry is reported on stderr and leaves the output short.
	 */
	rc = mf_admin_obj_list(pool, ns, print_obj, &l);
	if (rc < 0 && !l.n) {
		/* Nothing printed yet: no partial JSON on stdout. */
		if (rc == -ENOENT)
			mfadm_err("obj list: no such pool '%s'", pool ? pool : "");
		else if (rc == -EPERM)
			mfadm_err("obj list: need CAP_SYS_ADMIN (run as root)");
		else
			mfadm_nl_err("obj list", rc);
		return MFADM_FAIL;
	}
	mfadm_json_list_end(&l);
	if (rc < 0) {
		mfadm_err("obj list: the dump failed after %zu objects: %s",
			  l.n, strerror(-rc));
		return MFADM_FAIL;
	}
	return mfadm_flush();
}

const char mfadm_usage_obj_list[] =
	"usage: mfadm obj list [--pool POOL] [--ns NS] [-u]\n"
	"\n"
	"Print the objects as a JSON array, by pool, namespace and id,\n"
	"from the module's generic netlink dump: each with pool, ns,\n"
	"id, size, type (\"private-rw\" or \"shared-ro\"), refcount,\n"
	"mappings, owner (uid), age and ctime (seconds) and extents.\n"
	"Objects that were freed and wait for their last reference\n"
	"are not listed.  Needs CAP_SYS_ADMIN.\n"
	"\n"
	"Options:\n"
	"  --pool POOL  only the objects of POOL (an error if it is\n"
	"               not attached)\n"
	"  --ns NS      only those of namespaces called NS\n"
	"  -u, --human  sizes as \"4.00 KiB\"\n";

/* ---- obj show ----------------------------------------------------------- */

/* POOL NS ID operands, after options. */
static int three_operands(const char *who, int argc, char **argv,
			  const char **pool, const char **ns, const char **id)
{
	if (argc - optind < 3) {
		mfadm_err("%s: need POOL NS ID", who);
		return MFADM_USAGE;
	}
	if (argc - optind > 3) {
		mfadm_err("%s: unexpected argument '%s'", who, argv[optind + 3]);
		return MFADM_USAGE;
	}
	*pool = argv[optind];
	*ns = argv[optind + 1];
	*id = argv[optind + 2];
	return check_names(who, *pool, *ns, *id);
}

/* The message for ENOENT naming @pool/@ns/@id: which one is missing. */
static void not_found(const char *who, const char *pool, const char *ns,
		      const char *id)
{
	if (mfadm_pool_attached(pool) == 0)
		mfadm_err("%s: no such pool '%s'", who, pool);
	else
		mfadm_err("%s: no object '%s' in namespace '%s' of pool '%s'",
			  who, id, ns, pool);
}

int cmd_obj_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "human", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct mf_admin_obj_info obj;
	const char *pool, *ns, *id;
	struct json_object *o;
	uint32_t hosts;
	int c, rc;

	while ((c = mfadm_getopt("obj show", argc, argv, ":u", opts)) != -1) {
		if (c != 'u')
			return MFADM_USAGE;
		mfadm_json_human(true);
	}
	rc = three_operands("obj show", argc, argv, &pool, &ns, &id);
	if (rc)
		return rc;
	rc = need_admin("obj show");
	if (rc)
		return rc;
	rc = mf_admin_obj_get(pool, ns, id, &obj);
	if (rc == -ENOENT) {
		not_found("obj show", pool, ns, id);
		return MFADM_FAIL;
	}
	if (rc == -EIO) {
		mfadm_err("obj show: the module sent no object");
		return MFADM_FAIL;
	}
	if (rc) {
		mfadm_nl_err("obj show", rc);
		return MFADM_FAIL;
	}
	o = mfadm_obj_json(&obj);
	/* A multi-host pool's object: the hosts holding it (as known here). */
	if (!mf_admin_obj_hosts(pool, ns, id, &hosts)) {
		struct json_object *a = json_object_new_array();
		unsigned int h;

		for (h = 0; h < 32; h++)
			if (hosts & (1U << h))
				json_object_array_add(a, json_object_new_int64(h));
		mfadm_json_add(o, "hosts", a);
	}
	mfadm_json_print(o, true);
	return mfadm_flush();
}

const char mfadm_usage_obj_show[] =
	"usage: mfadm obj show POOL NS ID [-u]\n"
	"\n"
	"Print object ID of namespace NS in POOL as a JSON object, as\n"
	"'mfadm obj list' does.  No secId is needed; CAP_SYS_ADMIN is.\n"
	"On a multi-host pool, \"hosts\" lists the hosts holding a reference\n"
	"to it: every host on the pool's manager, this host alone on a member.\n";

/* ---- obj free ----------------------------------------------------------- */

int cmd_obj_free(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "secid", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pool, *ns, *id, *secid = NULL;
	struct mf_admin *ctx;
	int c, rc;

	while ((c = mfadm_getopt("obj free", argc, argv, ":s:", opts)) != -1) {
		if (c != 's')
			return MFADM_USAGE;
		secid = optarg;
	}
	rc = three_operands("obj free", argc, argv, &pool, &ns, &id);
	if (rc)
		return rc;
	if (!secid) {
		mfadm_err("obj free: --secid is needed");
		return MFADM_USAGE;
	}
	if (!*secid || strlen(secid) >= MF_SECID_LEN) {
		mfadm_err("obj free: a secId is 1 to %d bytes", MF_SECID_LEN - 1);
		return MFADM_USAGE;
	}
	rc = mfadm_ctx_open(&ctx, 0, NULL);
	if (rc)
		return rc;
	rc = mf_admin_obj_free(ctx, pool, ns, secid, id);
	mf_admin_free(ctx);
	if (rc) {
		int e = -rc;

		switch (e) {
		case ENOENT:
			if (mfadm_pool_attached(pool) == 0)
				mfadm_err("obj free: no such pool '%s'", pool);
			else
				mfadm_err("obj free: no namespace '%s' or no object '%s' in it (pool '%s')",
					  ns, id, pool);
			break;
		case EACCES:
			mfadm_err("obj free: wrong secId for namespace '%s'", ns);
			break;
		case EPERM:
			mfadm_err("obj free: '%s' is not yours (its owner or CAP_SYS_ADMIN may free it)",
				  id);
			break;
		case ENOTTY:
			mfadm_err("obj free: the memfabric module has no objects (too old)");
			break;
		default:
			mfadm_err("obj free: %s", strerror(e));
		}
		return MFADM_FAIL;
	}
	mfadm_step("object %s/%s/%s freed", pool, ns, id);
	return MFADM_OK;
}

const char mfadm_usage_obj_free[] =
	"usage: mfadm obj free POOL NS ID --secid SECID\n"
	"\n"
	"Free object ID of namespace NS in POOL: it disappears at once,\n"
	"its memory returns to the pool when its last reference goes.\n"
	"Needs the namespace's secId, and the object's owner or\n"
	"CAP_SYS_ADMIN.\n";

/* ---- the group ------------------------------------------------------------ */

const char mfadm_usage_obj[] =
	"usage: mfadm obj COMMAND [ARGS]\n"
	"\n"
	"memfabric's objects.  See 'mfadm help obj COMMAND'.\n";
