// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm pool add|remove|list|check - attach, detach, list and check
 * memfabric pools through libmemfabric's admin calls (mf_admin_pool(3)).  `pool add` also
 * prepares the backing device: the fsdax namespace of a CXL region
 * (libcxl, libndctl), or the NUMA node of a dax device (libdaxctl).
 */
#include "mfadm.h"
#include "fabric.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/memfabric.h>
#include <memfabric/admin.h>

#define POOL_ALIGN	(2ULL << 20)

/* Messages for errnos every pool call may give. */
static void pool_err(const char *what, const char *name, int e)
{
	switch (e) {
	case EPERM:
		mfadm_err("%s %s: need CAP_SYS_ADMIN", what, name);
		break;
	case ENOENT:
		mfadm_err("%s %s: no such pool", what, name);
		break;
	case ENOTTY:
		mfadm_err("%s %s: the memfabric module has no pools (too old)",
			  what, name);
		break;
	default:
		mfadm_err("%s %s: %s", what, name, strerror(e));
	}
}

/* A context on the device, which must have pools. */
static int open_pools(struct mf_admin **ctx)
{
	return mfadm_ctx_open(ctx, MF_FEAT_POOLS, "pools");
}

static struct json_object *pool_json(const struct mf_admin_pool_info *p)
{
	char name[MF_POOL_NAME_LEN + 1], dev[MF_POOL_PATH_LEN + 1], uuid[37];
	struct json_object *o = json_object_new_object();
	char frag[16];

	/* The kernel NUL-terminates them; do not trust it blindly. */
	memcpy(name, p->name, MF_POOL_NAME_LEN);
	name[MF_POOL_NAME_LEN] = '\0';
	memcpy(dev, p->device, MF_POOL_PATH_LEN);
	dev[MF_POOL_PATH_LEN] = '\0';
	mfadm_uuid_str(p->uuid, uuid);

	mfadm_json_add(o, "name", mfadm_json_str(name));
	mfadm_json_add(o, "backend",
		       mfadm_json_str(mfadm_backend_name(p->backend)));
	mfadm_json_add(o, "device", mfadm_json_str(dev));
	mfadm_json_add(o, "node", p->backend == MF_POOL_BACKEND_NODE ?
				  mfadm_json_u64(p->node) : NULL);
	mfadm_json_add(o, "persistent", json_object_new_boolean(
					p->flags & MF_POOL_INFO_PERSISTENT));
	mfadm_json_add(o, "uuid", mfadm_json_str(uuid));
	mfadm_json_add(o, "unit", mfadm_json_size(p->unit));
	mfadm_json_add(o, "bytes", mfadm_json_size(p->bytes));
	mfadm_json_add(o, "capacity", mfadm_json_size(p->capacity));
	mfadm_json_add(o, "used", mfadm_json_size(p->used));
	mfadm_json_add(o, "free", mfadm_json_size(p->free));
	mfadm_json_add(o, "largest_free", mfadm_json_size(p->largest_free));
	mfadm_json_add(o, "extents", mfadm_json_u64(p->nr_extents));
	mfadm_json_add(o, "free_extents", mfadm_json_u64(p->nr_free_extents));
	if (mfadm_json_is_human()) {
		snprintf(frag, sizeof(frag), "%u.%u%%", p->frag_permille / 10,
			 p->frag_permille % 10);
		mfadm_json_add(o, "fragmentation", mfadm_json_str(frag));
	} else {
		mfadm_json_add(o, "fragmentation",
			       mfadm_json_u64(p->frag_permille));
	}
	mfadm_json_add(o, "meta_bytes", mfadm_json_size(p->meta_bytes));
	mfadm_json_add(o, "users", mfadm_json_u64(p->users));
	return o;
}

/* Print the list entry of pool @name as JSON. */
static int print_pool(struct mf_admin *ctx, const char *name)
{
	struct mf_admin_pool_info info;
	int rc = mf_admin_pool_get(ctx, name, &info);

	if (rc == -ENOENT) {
		mfadm_err("pool %s vanished right after it was attached", name);
		return MFADM_FAIL;
	}
	if (rc) {
		mfadm_err("cannot list pools: %s", strerror(-rc));
		return MFADM_FAIL;
	}
	mfadm_json_print(pool_json(&info), true);
	return mfadm_flush();
}

/* ---- pool add ---------------------------------------------------------- */

enum source { SRC_NONE, SRC_PMEM, SRC_CXL, SRC_DAX, SRC_NODE, SRC_RAM };

static const char *const source_opt[] = {
	[SRC_PMEM] = "--pmem", [SRC_CXL] = "--cxl-region", [SRC_DAX] = "--dax",
	[SRC_NODE] = "--node", [SRC_RAM] = "--ram",
};

enum {
	OPT_PMEM = 256, OPT_CXL, OPT_DAX, OPT_NODE, OPT_RAM, OPT_SIZE,
	OPT_UNIT, OPT_FORMAT, OPT_ONLINE, OPT_MANAGER, OPT_MEMBER, OPT_HOST,
	OPT_HOSTS,
};

static const struct option add_opts[] = {
	{ "pmem", required_argument, NULL, OPT_PMEM },
	{ "cxl-region", required_argument, NULL, OPT_CXL },
	{ "dax", required_argument, NULL, OPT_DAX },
	{ "node", required_argument, NULL, OPT_NODE },
	{ "ram", required_argument, NULL, OPT_RAM },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ "format", no_argument, NULL, OPT_FORMAT },
	{ "online", no_argument, NULL, OPT_ONLINE },
	{ "manager", no_argument, NULL, OPT_MANAGER },
	{ "member", no_argument, NULL, OPT_MEMBER },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "hosts", required_argument, NULL, OPT_HOSTS },
	{ NULL, 0, NULL, 0 },
};

/* A size option: a multiple of 2 MiB. */
static int size_arg(const char *opt, const char *arg, uint64_t *out)
{
	if (mfadm_parse_size(arg, out)) {
		mfadm_err("pool add: bad size '%s' for %s (e.g. 512M, 2G)",
			  arg, opt);
		return MFADM_USAGE;
	}
	if (*out % POOL_ALIGN) {
		mfadm_err("pool add: %s %s is not a multiple of 2 MiB", opt,
			  arg);
		return MFADM_USAGE;
	}
	return MFADM_OK;
}

static void attach_err(const struct mf_admin_pool_spec *a, const char *dev,
		       int e)
{
	const char *n = a->name;

	switch (e) {
	case EPERM:
		mfadm_err("pool add %s: need CAP_SYS_ADMIN", n);
		break;
	case EEXIST:
		mfadm_err("pool add %s: a pool of that name is attached already",
			  n);
		break;
	case EINVAL:
		if (a->backend == MF_POOL_BACKEND_FSDAX)
			mfadm_err("pool add %s: invalid: %s holds a pool formatted under another name, size or unit (--format starts over), or the size or unit is bad",
				  n, dev);
		else
			mfadm_err("pool add %s: invalid size, unit or node", n);
		break;
	case ENODEV:
		mfadm_err("pool add %s: node %u has no memory", n, a->node);
		break;
	case ENOENT:
		mfadm_err("pool add %s: no such device %s", n, dev);
		break;
	case ENOTBLK:
		mfadm_err("pool add %s: %s is not a block device", n, dev);
		break;
	case EBUSY:
		mfadm_err("pool add %s: %s is busy (mounted, or another pool's)",
			  n, dev);
		break;
	case EOPNOTSUPP:
		mfadm_err("pool add %s: %s does not support fs-dax (an fsdax namespace is needed)",
			  n, dev);
		break;
	case EMEDIUMTYPE:
		mfadm_err("pool add %s: %s holds data that is not a memfabric pool; --format overwrites it",
			  n, dev);
		break;
	case EUCLEAN:
		mfadm_err("pool add %s: %s holds a corrupt pool; --format starts over",
			  n, dev);
		break;
	case ENOSPC:
		mfadm_err("pool add %s: %s is too small for the pool", n, dev);
		break;
	case ENOMEM:
		mfadm_err("pool add %s: not enough memory%s", n,
			  a->backend == MF_POOL_BACKEND_FSDAX ? "" :
			  " (ask for a smaller --size)");
		break;
	case ENOTTY:
		mfadm_err("pool add %s: the memfabric module has no pools (too old)",
			  n);
		break;
	default:
		mfadm_err("pool add %s: %s", n, strerror(e));
	}
}

/*
 * A multi-host attach (ABI 1.7, MF_FEAT_MULTIHOST): libmemfabric's
 * mf_admin_pool_spec has no room for the role and the host, so this one
 * goes to the ioctl itself.  Returns 0 or a positive errno.
 */
static int mh_attach(struct mf_admin_pool_spec *a, uint32_t flags,
		     uint32_t host, uint32_t nr_hosts)
{
	struct mf_pool_attach pa;
	int fd, e = 0;

	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.flags = flags | (a->flags & MF_ADMIN_POOL_FORMAT ? MF_POOL_FORMAT : 0);
	memcpy(pa.name, a->name, sizeof(pa.name));
	memcpy(pa.path, a->path, sizeof(pa.path));
	pa.backend = a->backend;
	pa.node = a->node;
	pa.unit_shift = a->unit_shift;
	pa.bytes = a->bytes;
	pa.host = host;
	pa.nr_hosts = nr_hosts;
	fd = open("/dev/memfabric", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (ioctl(fd, MF_IOC_POOL_ATTACH, &pa))
		e = errno;
	close(fd);
	if (e)
		return e;
	a->unit_shift = pa.unit_shift;
	a->bytes = pa.bytes;
	a->capacity = pa.capacity;
	a->result = pa.result & MF_POOL_RESULT_FORMATTED ?
		    MF_ADMIN_POOL_FORMATTED : 0;
	memcpy(a->uuid, pa.uuid, sizeof(a->uuid));
	return 0;
}

static void mh_attach_err(const char *n, const char *dev, uint32_t flags,
			  uint32_t host, int e)
{
	switch (e) {
	case EMEDIUMTYPE:
		if (flags & MF_POOL_MH_MEMBER)
			mfadm_err("pool add %s: %s holds no multi-host pool: attach its manager first (--manager)",
				  n, dev);
		else
			mfadm_err("pool add %s: %s holds data that is not a multi-host pool; --format overwrites it",
				  n, dev);
		break;
	case EBUSY:
		if (flags & MF_POOL_MH_MANAGER)
			mfadm_err("pool add %s: %s: another host is the manager, or a manager is running already (see the kernel log)",
				  n, dev);
		else
			mfadm_err("pool add %s: %s is busy, or host %u is the pool's manager",
				  n, dev, host);
		break;
	case EINVAL:
		mfadm_err("pool add %s: invalid: multi-host pools need an fsdax device (--pmem, --cxl-region), and a host number below the pool's hosts",
			  n);
		break;
	case ENOTTY:
		mfadm_err("pool add %s: the memfabric module has no multi-host pools (too old)",
			  n);
		break;
	default:
		mfadm_err("pool add %s: %s", n, strerror(e));
	}
}

int cmd_pool_add(int argc, char **argv)
{
	uint32_t mh_flags = 0;
	unsigned long host = 0, nr_hosts = 0;
	bool host_set = false;
	enum source src = SRC_NONE;
	const char *arg = NULL, *size_s = NULL;
	uint64_t size = 0, unit = 0;
	unsigned long node = 0;
	bool format = false, online = false;
	struct mf_admin_pool_spec a = { 0 };
	char dev[MF_POOL_PATH_LEN + 64] = "", human[32], human2[32];
	struct mf_admin *ctx;
	const char *name;
	int c, rc;

	while ((c = mfadm_getopt("pool add", argc, argv, ":", add_opts)) != -1) {
		switch (c) {
		case OPT_PMEM:
		case OPT_CXL:
		case OPT_DAX:
		case OPT_NODE:
		case OPT_RAM:
			if (src != SRC_NONE) {
				mfadm_err("pool add: %s and %s: give one backend",
					  source_opt[src],
					  source_opt[c - OPT_PMEM + SRC_PMEM]);
				return MFADM_USAGE;
			}
			src = c - OPT_PMEM + SRC_PMEM;
			arg = optarg;
			break;
		case OPT_SIZE:
			size_s = optarg;
			break;
		case OPT_UNIT:
			if (mfadm_parse_size(optarg, &unit) ||
			    (unit & (unit - 1)) ||
			    unit < (1ULL << MF_POOL_UNIT_SHIFT_MIN) ||
			    unit > (1ULL << MF_POOL_UNIT_SHIFT_MAX)) {
				mfadm_err("pool add: bad --unit '%s' (a power of two, 4K to 2M)",
					  optarg);
				return MFADM_USAGE;
			}
			break;
		case OPT_FORMAT:
			format = true;
			break;
		case OPT_ONLINE:
			online = true;
			break;
		case OPT_MANAGER:
		case OPT_MEMBER:
			if (mh_flags) {
				mfadm_err("pool add: give one of --manager and --member");
				return MFADM_USAGE;
			}
			mh_flags = c == OPT_MANAGER ? MF_POOL_MH_MANAGER :
						      MF_POOL_MH_MEMBER;
			break;
		case OPT_HOST:
			if (mfadm_parse_uint(optarg, 15, &host)) {
				mfadm_err("pool add: bad --host '%s' (0 to 15)",
					  optarg);
				return MFADM_USAGE;
			}
			host_set = true;
			break;
		case OPT_HOSTS:
			if (mfadm_parse_uint(optarg, 16, &nr_hosts) ||
			    !nr_hosts) {
				mfadm_err("pool add: bad --hosts '%s' (1 to 16)",
					  optarg);
				return MFADM_USAGE;
			}
			break;
		default:
			return MFADM_USAGE;
		}
	}
	if (optind >= argc) {
		mfadm_err("pool add: no pool NAME (see 'mfadm help pool add')");
		return MFADM_USAGE;
	}
	if (optind + 1 < argc) {
		mfadm_err("pool add: unexpected argument '%s'", argv[optind + 1]);
		return MFADM_USAGE;
	}
	name = argv[optind];
	if (!mfadm_pool_name_ok(name)) {
		mfadm_err("pool add: bad pool name '%s' (1 to %d characters of A-Z a-z 0-9 _ . -)",
			  name, MF_POOL_NAME_LEN - 1);
		return MFADM_USAGE;
	}
	if (src == SRC_NONE) {
		mfadm_err("pool add: give a backend: --pmem, --cxl-region, --dax, --node or --ram");
		return MFADM_USAGE;
	}
	if (size_s) {
		if (src == SRC_RAM) {
			mfadm_err("pool add: --ram takes the size itself, not --size");
			return MFADM_USAGE;
		}
		rc = size_arg("--size", size_s, &size);
		if (rc)
			return rc;
	}
	if (src == SRC_RAM) {
		rc = size_arg("--ram", arg, &size);
		if (rc)
			return rc;
	}
	if (src == SRC_NODE) {
		if (mfadm_parse_uint(arg, 1023, &node)) {
			mfadm_err("pool add: bad --node '%s' (a NUMA node number)",
				  arg);
			return MFADM_USAGE;
		}
		if (!size_s) {
			mfadm_err("pool add: --node needs --size");
			return MFADM_USAGE;
		}
	}
	if ((host_set || nr_hosts) && !mh_flags) {
		mfadm_err("pool add: --host and --hosts go with --manager or --member");
		return MFADM_USAGE;
	}
	if (nr_hosts && mh_flags != MF_POOL_MH_MANAGER) {
		mfadm_err("pool add: --hosts goes with --manager (it formats)");
		return MFADM_USAGE;
	}
	if (mh_flags == MF_POOL_MH_MEMBER && !host_set) {
		mfadm_err("pool add: --member needs --host N (the manager is host 0 unless its --host says otherwise)");
		return MFADM_USAGE;
	}
	if (mh_flags && src != SRC_PMEM && src != SRC_CXL) {
		mfadm_err("pool add: --manager and --member need shared fabric memory: --pmem or --cxl-region");
		return MFADM_USAGE;
	}
	if (online && src != SRC_DAX) {
		mfadm_err("pool add: --online goes with --dax");
		return MFADM_USAGE;
	}
	if (src == SRC_PMEM && strlen(arg) >= MF_POOL_PATH_LEN) {
		mfadm_err("pool add: device path too long (at most %d bytes)",
			  MF_POOL_PATH_LEN - 1);
		return MFADM_USAGE;
	}

	rc = open_pools(&ctx);
	if (rc)
		return rc;
	/*
	 * Attaching needs it anyway; --cxl-region and --dax may change the
	 * system's configuration first (and read root-only sysfs files).
	 */
	if ((src == SRC_CXL || src == SRC_DAX) && !mfadm_have_sys_admin()) {
		mfadm_err("pool add %s: need CAP_SYS_ADMIN", name);
		rc = MFADM_FAIL;
		goto out;
	}

	snprintf(a.name, sizeof(a.name), "%s", name);
	a.flags = format ? MF_POOL_FORMAT : 0;
	a.bytes = size;
	for (unsigned s = MF_POOL_UNIT_SHIFT_MIN; unit && s <= MF_POOL_UNIT_SHIFT_MAX; s++)
		if (unit == 1ULL << s)
			a.unit_shift = s;

	switch (src) {
	case SRC_PMEM:
		a.backend = MF_POOL_BACKEND_FSDAX;
		/* "pmem0" is /dev/pmem0. */
		snprintf(dev, sizeof(dev), "%s%s", strchr(arg, '/') ? "" : "/dev/",
			 arg);
		break;
	case SRC_CXL: {
		struct fabric f;
		char label[64];

		snprintf(label, sizeof(label), "memfabric:%s", name);
		fabric_open(&f);
		rc = fabric_cxl_pmem(&f, arg, label, dev, sizeof(dev));
		fabric_close(&f);
		if (rc)
			goto out;
		a.backend = MF_POOL_BACKEND_FSDAX;
		break;
	}
	case SRC_DAX: {
		struct fabric f;
		int nid = -1;

		fabric_open(&f);
		rc = fabric_dax_node(&f, arg, online, &nid);
		fabric_close(&f);
		if (rc)
			goto out;
		node = (unsigned long)nid;
		a.backend = MF_POOL_BACKEND_NODE;
		if (!size_s) {
			uint64_t total, free;

			if (fabric_node_mem(nid, &total, &free)) {
				mfadm_err("pool add: cannot read the memory of node %d; give --size",
					  nid);
				rc = MFADM_FAIL;
				goto out;
			}
			/* Leave the kernel a quarter of what is free. */
			a.bytes = free / 4 * 3 / POOL_ALIGN * POOL_ALIGN;
			mfadm_step("node %d has %s free; the pool takes %s (--size to choose)",
				   nid, mfadm_human(free, human, sizeof(human)),
				   mfadm_human(a.bytes, human2, sizeof(human2)));
			if (!a.bytes) {
				mfadm_err("pool add: node %d has no free memory",
					  nid);
				rc = MFADM_FAIL;
				goto out;
			}
		}
		snprintf(dev, sizeof(dev), "node%d", nid);
		break;
	}
	case SRC_NODE:
		a.backend = MF_POOL_BACKEND_NODE;
		snprintf(dev, sizeof(dev), "node%lu", node);
		break;
	case SRC_RAM:
		a.backend = MF_POOL_BACKEND_RAM;
		snprintf(dev, sizeof(dev), "ram");
		break;
	case SRC_NONE:
		break;
	}
	if (a.backend == MF_POOL_BACKEND_NODE)
		a.node = (uint32_t)node;
	if (a.backend == MF_POOL_BACKEND_FSDAX) {
		if (strlen(dev) >= sizeof(a.path)) {
			mfadm_err("pool add: device path %s too long", dev);
			rc = MFADM_FAIL;
			goto out;
		}
		memcpy(a.path, dev, strlen(dev));
	}

	if (a.backend != MF_POOL_BACKEND_FSDAX)
		mfadm_step("attaching pool %s: %s of %s", name,
			   mfadm_human(a.bytes, human, sizeof(human)),
			   a.backend == MF_POOL_BACKEND_RAM ? "RAM" : dev);
	else if (a.bytes)
		mfadm_step("attaching pool %s: %s of %s (fsdax)%s", name,
			   mfadm_human(a.bytes, human, sizeof(human)), dev,
			   format ? ", formatting it" : "");
	else
		mfadm_step("attaching pool %s: %s (fsdax)%s", name, dev,
			   format ? ", formatting it" : "");
	if (mh_flags) {
		mfadm_step("multi-host %s, host %lu",
			   mh_flags == MF_POOL_MH_MANAGER ? "manager" : "member",
			   host);
		rc = mh_attach(&a, mh_flags, (uint32_t)host,
			       (uint32_t)nr_hosts);
		if (rc) {
			mh_attach_err(name, dev, mh_flags, (uint32_t)host, rc);
			rc = MFADM_FAIL;
			goto out;
		}
	} else {
		rc = mf_admin_pool_attach(ctx, &a);
	}
	if (rc) {
		attach_err(&a, dev, -rc);
		rc = MFADM_FAIL;
		goto out;
	}
	mfadm_step("pool %s attached: %s capacity, %s unit, %s", name,
		   mfadm_human(a.capacity, human, sizeof(human)),
		   mfadm_human(1ULL << a.unit_shift, human2, sizeof(human2)),
		   a.result & MF_POOL_RESULT_FORMATTED ?
			"formatted (empty)" : "existing pool loaded");
	rc = print_pool(ctx, name);
out:
	mf_admin_free(ctx);
	return rc;
}

const char mfadm_usage_pool_add[] =
	"usage: mfadm pool add NAME BACKEND [--size SIZE] [--unit SIZE] [--format]\n"
	"                      [--manager [--hosts N] | --member] [--host H]\n"
	"\n"
	"Attach pool NAME and print its entry (as 'mfadm pool list') as JSON.\n"
	"Each step is reported on stderr (-q: quiet).  Needs CAP_SYS_ADMIN.\n"
	"\n"
	"BACKEND, one of:\n"
	"  --pmem /dev/pmemN     an fsdax block device (persistent pool; \"pmemN\"\n"
	"                        is /dev/pmemN)\n"
	"  --cxl-region regionN  a CXL pmem region: its fsdax namespace, created\n"
	"                        (2 MiB aligned) if the region has none\n"
	"  --dax daxX.Y [--online]\n"
	"                        the NUMA node of a dax device onlined as\n"
	"                        system-ram; --online reconfigures and onlines it\n"
	"                        if it is not (default size: 3/4 of the node's\n"
	"                        free memory)\n"
	"  --node N --size SIZE  SIZE of NUMA node N's memory (volatile)\n"
	"  --ram SIZE            SIZE of ordinary RAM (volatile)\n"
	"\n"
	"Options:\n"
	"  --size SIZE   how much of the device or node the pool takes\n"
	"                (fsdax default: all of it); a multiple of 2M\n"
	"  --unit SIZE   allocation unit, a power of two from 4K to 2M\n"
	"                (default 4K; a loaded pool keeps its own)\n"
	"  --format      format the device even if it holds other data or a\n"
	"                pool (whose contents are lost)\n"
	"  --manager     a multi-host pool (Documentation/multihost.md) on a\n"
	"                device shared by several hosts, with this host as its\n"
	"                manager; a blank device (or --format) is formatted\n"
	"  --member      a multi-host pool that a manager formatted, with this\n"
	"                host as a member\n"
	"  --host H      this host's number in a multi-host pool, 0 to 15\n"
	"                (manager default 0; a member must give it)\n"
	"  --hosts N     hosts of a multi-host pool the manager formats (1 to\n"
	"                16, default 16)\n"
	"SIZE: a number of bytes with an optional K, M, G or T suffix.\n";

/* ---- pool remove ----------------------------------------------------- */

static int one_name(const char *who, int argc, char **argv,
		    const char **name)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	int c;

	while ((c = mfadm_getopt(who, argc, argv, ":", none)) != -1)
		return MFADM_USAGE;
	if (optind >= argc) {
		mfadm_err("%s: no pool NAME", who);
		return MFADM_USAGE;
	}
	if (optind + 1 < argc) {
		mfadm_err("%s: unexpected argument '%s'", who, argv[optind + 1]);
		return MFADM_USAGE;
	}
	*name = argv[optind];
	if (!mfadm_pool_name_ok(*name)) {
		mfadm_err("%s: bad pool name '%s'", who, *name);
		return MFADM_USAGE;
	}
	return MFADM_OK;
}

int cmd_pool_remove(int argc, char **argv)
{
	struct mf_admin *ctx;
	const char *name;
	int rc = one_name("pool remove", argc, argv, &name);

	if (rc)
		return rc;
	rc = open_pools(&ctx);
	if (rc)
		return rc;
	rc = mf_admin_pool_detach(ctx, name);
	mf_admin_free(ctx);
	if (rc) {
		int e = -rc;

		if (e == EBUSY)
			mfadm_err("pool remove %s: the pool is in use (open pool handles)",
				  name);
		else
			pool_err("pool remove", name, e);
		return MFADM_FAIL;
	}
	mfadm_step("pool %s detached", name);
	return MFADM_OK;
}

const char mfadm_usage_pool_remove[] =
	"usage: mfadm pool remove NAME\n"
	"\n"
	"Detach pool NAME.  A persistent (fsdax) pool stays on its\n"
	"device and comes back with 'mfadm pool add'; a volatile\n"
	"pool's memory is freed.  Fails while the pool is in use.\n"
	"Needs CAP_SYS_ADMIN.\n";

/* ---- pool list ----------------------------------------------------------- */

int cmd_pool_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "human", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct mf_admin_pool_info *infos;
	struct json_object *a;
	struct mf_admin *ctx;
	int c, n;

	while ((c = mfadm_getopt("pool list", argc, argv, ":u", opts)) != -1) {
		if (c != 'u')
			return MFADM_USAGE;
		mfadm_json_human(true);
	}
	if (optind < argc) {
		mfadm_err("pool list: unexpected argument '%s'", argv[optind]);
		return MFADM_USAGE;
	}
	c = open_pools(&ctx);
	if (c)
		return c;
	n = mf_admin_pool_list(ctx, &infos);
	mf_admin_free(ctx);
	if (n < 0) {
		mfadm_err("cannot list pools: %s", strerror(-n));
		return MFADM_FAIL;
	}
	a = json_object_new_array();
	for (int i = 0; i < n; i++)
		json_object_array_add(a, pool_json(&infos[i]));
	free(infos);
	mfadm_json_print(a, true);
	return mfadm_flush();
}

const char mfadm_usage_pool_list[] =
	"usage: mfadm pool list [-u]\n"
	"\n"
	"Print the attached pools as a JSON array, in order of\n"
	"attachment.  -u, --human: sizes as \"512.00 MiB\" and\n"
	"fragmentation as a percentage.\n";

/* ---- pool check -------------------------------------------------------- */

/*
 * The pool's multi-host role, "manager" or "member", from its sysfs
 * "role" file ("manager N", "member N" or "none"); NULL for a single-host
 * pool, or a module without the file.
 */
static struct json_object *pool_role(const char *name)
{
	char path[sizeof("/sys/kernel/memfabric/pools//role") +
		  MF_POOL_NAME_LEN];
	char role[32];

	snprintf(path, sizeof(path), "/sys/kernel/memfabric/pools/%s/role",
		 name);
	if (mfadm_read_file(path, role, sizeof(role)))
		return NULL;
	role[strcspn(role, " ")] = 0;
	if (strcmp(role, "manager") && strcmp(role, "member"))
		return NULL;
	return mfadm_json_str(role);
}

int cmd_pool_check(int argc, char **argv)
{
	struct mf_admin_check_result chk;
	const char *name, *what = chk.what;
	struct mf_admin *ctx;
	struct json_object *o;
	int rc = one_name("pool check", argc, argv, &name);

	if (rc)
		return rc;
	rc = open_pools(&ctx);
	if (rc)
		return rc;
	rc = mf_admin_pool_check(ctx, name, &chk);
	mf_admin_free(ctx);
	if (rc) {
		pool_err("pool check", name, -rc);
		return MFADM_FAIL;
	}

	o = json_object_new_object();
	mfadm_json_add(o, "pool", mfadm_json_str(name));
	mfadm_json_add(o, "role", pool_role(name));
	mfadm_json_add(o, "errors", mfadm_json_u64(chk.errors));
	mfadm_json_add(o, "first_error",
		       !chk.errors ? NULL :
		       chk.first_error == MF_POOL_CHECK_SUPERBLOCK ?
				mfadm_json_str("superblock") :
		       chk.first_error == MF_POOL_CHECK_MULTIHOST ?
				mfadm_json_str("multihost") :
				mfadm_json_u64(chk.first_error));
	mfadm_json_add(o, "what", mfadm_json_str(what));
	mfadm_json_print(o, true);
	rc = mfadm_flush();
	if (rc)
		return rc;
	if (chk.errors) {
		if (chk.first_error == MF_POOL_CHECK_SUPERBLOCK)
			mfadm_err("pool %s: %" PRIu64 " errors, the first in the superblock: %s",
				  name, (uint64_t)chk.errors, what);
		else if (chk.first_error == MF_POOL_CHECK_MULTIHOST)
			mfadm_err("pool %s: %" PRIu64 " errors, the first in the multi-host state: %s",
				  name, (uint64_t)chk.errors, what);
		else
			mfadm_err("pool %s: %" PRIu64 " errors, the first at unit %" PRIu64 ": %s",
				  name, (uint64_t)chk.errors,
				  (uint64_t)chk.first_error, what);
		return MFADM_FAIL;
	}
	return MFADM_OK;
}

const char mfadm_usage_pool_check[] =
	"usage: mfadm pool check NAME\n"
	"\n"
	"Check pool NAME's metadata (superblock, allocator) and print\n"
	"{\"pool\":NAME,\"role\":ROLE,\"errors\":N,\n"
	" \"first_error\":UNIT|\"superblock\"|\"multihost\"|null,\"what\":TEXT}.\n"
	"For a multi-host pool (ROLE \"manager\" or \"member\", else null)\n"
	"it also checks the protocol's state: on the manager's host the\n"
	"manager's (units, references, directory), on a member this host's\n"
	"view (superblock, epoch, directory); TEXT then starts with\n"
	"\"manager: \" or \"member: \".  Exits 1 if errors were found.\n";

/* ---- the group ------------------------------------------------------------ */

const char mfadm_usage_pool[] =
	"usage: mfadm pool COMMAND [ARGS]\n"
	"\n"
	"Manage memfabric's pools: named memory on an fsdax device\n"
	"(persistent), a NUMA node or RAM.  See 'mfadm help pool\n"
	"COMMAND'.\n";
