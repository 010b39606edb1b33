// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm devices - what could back a pool, as JSON: CXL memdevs and
 * regions (libcxl), pmem regions and namespaces (libndctl), dax devices
 * (libdaxctl) and NUMA nodes (/sys/devices/system/node).  Where the
 * module is loaded and readable, each device names the pool on it.
 */
#include "mfadm.h"
#include "fabric.h"

#include <dirent.h>
#include <limits.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cxl/libcxl.h>
#include <daxctl/libdaxctl.h>
#include <json-c/json.h>
#include <ndctl/libndctl.h>

#include <linux/memfabric.h>
#include <memfabric/admin.h>

/* The attached pools, to name the one on each device; may be empty. */
static struct mf_admin_pool_info *pools;
static int npools;

static void load_pools(void)
{
	struct mf_admin *ctx = mfadm_ctx_try();

	if (!ctx)
		return;
	npools = mf_admin_pool_list(ctx, &pools);
	if (npools < 0) {
		pools = NULL;
		npools = 0;
	}
	mf_admin_free(ctx);
}

/* The pool on fsdax device /dev/@bdev, or null. */
static struct json_object *pool_of_blockdev(const char *bdev)
{
	char path[MF_POOL_PATH_LEN + 8];

	if (!bdev)
		return NULL;
	snprintf(path, sizeof(path), "/dev/%s", bdev);
	for (int i = 0; i < npools; i++)
		if (pools[i].backend == MF_POOL_BACKEND_FSDAX &&
		    !strncmp(pools[i].device, path, MF_POOL_PATH_LEN))
			return mfadm_json_str(pools[i].name);
	return NULL;
}

/* A NUMA node: null where there is none. */
static struct json_object *node_or_null(int node)
{
	return node < 0 ? NULL : json_object_new_int64(node);
}

/* A physical address: null where it is unknown (root-only in sysfs). */
static struct json_object *addr_or_null(unsigned long long addr)
{
	return addr == ULLONG_MAX || addr == 0 ? NULL : mfadm_json_u64(addr);
}

static struct json_object *str_or_null(const char *s)
{
	return s && *s ? mfadm_json_str(s) : NULL;
}

static struct json_object *boolean(bool v)
{
	return json_object_new_boolean(v);
}

/* ---- CXL ------------------------------------------------------------------ */

static struct json_object *cxl_memdevs(struct fabric *f)
{
	struct cxl_memdev *md;

	struct json_object *arr = json_object_new_array(), *o;

	if (f->cxl) {
		cxl_memdev_foreach(f->cxl, md) {
			o = json_object_new_object();
			mfadm_json_add(o, "memdev", mfadm_json_str(cxl_memdev_get_devname(md)));
			mfadm_json_add(o, "serial", mfadm_json_u64(cxl_memdev_get_serial(md)));
			mfadm_json_add(o, "host", str_or_null(cxl_memdev_get_host(md)));
			mfadm_json_add(o, "pmem_size", mfadm_json_size(cxl_memdev_get_pmem_size(md)));
			mfadm_json_add(o, "ram_size", mfadm_json_size(cxl_memdev_get_ram_size(md)));
			mfadm_json_add(o, "numa_node", node_or_null(cxl_memdev_get_numa_node(md)));
			mfadm_json_add(o, "enabled", boolean(cxl_memdev_is_enabled(md) > 0));
			json_object_array_add(arr, o);
		}
	}
	return arr;
}

static struct json_object *cxl_regions(struct fabric *f)
{
	struct cxl_bus *bus;

	struct json_object *arr = json_object_new_array(), *o;

	if (!f->cxl)
		goto out;
	cxl_bus_foreach(f->cxl, bus) {
		struct cxl_decoder *dec;

		cxl_decoder_foreach(cxl_bus_get_port(bus), dec) {
			struct cxl_region *r;

			cxl_region_foreach(dec, r) {
				struct cxl_memdev_mapping *m;
				struct json_object *memdevs;
				struct ndctl_region *nr = NULL;
				uuid_t uu;
				char uuid[37];

				cxl_region_get_uuid(r, uu);
				mfadm_uuid_str(uu, uuid);
				if (f->ndctl)
					nr = fabric_nd_region_of_cxl(f, r, 0);
				o = json_object_new_object();
				mfadm_json_add(o, "region", mfadm_json_str(cxl_region_get_devname(r)));
				mfadm_json_add(o, "decoder", mfadm_json_str(cxl_decoder_get_devname(dec)));
				mfadm_json_add(o, "mode", mfadm_json_str(fabric_cxl_region_mode(r)));
				mfadm_json_add(o, "size", mfadm_json_size(cxl_region_get_size(r)));
				mfadm_json_add(o, "resource", addr_or_null(cxl_region_get_resource(r)));
				mfadm_json_add(o, "uuid", mfadm_json_str(uuid));
				mfadm_json_add(o, "interleave_ways", mfadm_json_u64(cxl_region_get_interleave_ways(r)));
				mfadm_json_add(o, "interleave_granularity", mfadm_json_u64(cxl_region_get_interleave_granularity(r)));
				mfadm_json_add(o, "committed", boolean(cxl_region_decode_is_committed(r) > 0));
				mfadm_json_add(o, "enabled", boolean(cxl_region_is_enabled(r) > 0));
				memdevs = json_object_new_array();
				cxl_mapping_foreach(r, m) {
					struct cxl_decoder *d =
						cxl_mapping_get_decoder(m);
					struct cxl_memdev *md =
						d ? cxl_decoder_get_memdev(d) : NULL;

					if (md)
						json_object_array_add(memdevs,
							mfadm_json_str(cxl_memdev_get_devname(md)));
				}
				mfadm_json_add(o, "memdevs", memdevs);
				mfadm_json_add(o, "nd_region", str_or_null(nr ? ndctl_region_get_devname(nr) : NULL));
				json_object_array_add(arr, o);
			}
		}
	}
out:
	return arr;
}

/* ---- nvdimm ------------------------------------------------------------- */

static bool is_pmem_region(struct ndctl_region *nr)
{
	return ndctl_region_get_type(nr) == MFADM_ND_REGION_PMEM;
}

static struct json_object *pmem_regions(struct fabric *f)
{
	struct ndctl_bus *bus;
	struct ndctl_region *nr;

	struct json_object *arr = json_object_new_array(), *o;

	if (f->ndctl) {
		ndctl_bus_foreach(f->ndctl, bus) {
			ndctl_region_foreach(bus, nr) {
				unsigned long long avail;

				if (!is_pmem_region(nr))
					continue;
				avail = ndctl_region_get_max_available_extent(nr);
				if (avail == ULLONG_MAX)
					avail = ndctl_region_get_available_size(nr);
				o = json_object_new_object();
				mfadm_json_add(o, "region", mfadm_json_str(ndctl_region_get_devname(nr)));
				mfadm_json_add(o, "bus", mfadm_json_str(ndctl_bus_get_provider(bus)));
				mfadm_json_add(o, "size", mfadm_json_size(ndctl_region_get_size(nr)));
				mfadm_json_add(o, "available_size", mfadm_json_size(avail == ULLONG_MAX ? 0 : avail));
				mfadm_json_add(o, "resource", addr_or_null(ndctl_region_get_resource(nr)));
				mfadm_json_add(o, "numa_node", node_or_null(ndctl_region_get_numa_node(nr)));
				mfadm_json_add(o, "enabled", boolean(ndctl_region_is_enabled(nr) > 0));
				mfadm_json_add(o, "labels", boolean(ndctl_region_get_nstype(nr) !=
						     MFADM_ND_NAMESPACE_IO));
				mfadm_json_add(o, "cxl_region", str_or_null(fabric_cxl_name_of_nd(f, nr)));
				json_object_array_add(arr, o);
			}
		}
	}
	return arr;
}

static struct json_object *pmem_namespaces(struct fabric *f)
{
	struct ndctl_bus *bus;
	struct ndctl_region *nr;
	struct ndctl_namespace *ndns;

	struct json_object *arr = json_object_new_array(), *o;

	if (!f->ndctl)
		goto out;
	ndctl_bus_foreach(f->ndctl, bus) {
		ndctl_region_foreach(bus, nr) {
			if (!is_pmem_region(nr))
				continue;
			ndctl_namespace_foreach(nr, ndns) {
				struct ndctl_pfn *pfn;
				const char *bdev, *alt;
				unsigned long long size;
				char chardev[64], uuid[37];

				size = ndctl_namespace_get_size(ndns);
				if (!size || size == ULLONG_MAX)
					continue;
				pfn = ndctl_namespace_get_pfn(ndns);
				if (pfn && ndctl_pfn_get_size(pfn) &&
				    ndctl_pfn_get_size(pfn) != ULLONG_MAX)
					size = ndctl_pfn_get_size(pfn);
				bdev = fabric_ns_blockdev(ndns);
				fabric_ns_chardev(ndns, chardev, sizeof(chardev));
				fabric_ns_uuid(ndns, uuid);
				alt = ndctl_namespace_get_alt_name(ndns);

				o = json_object_new_object();
				mfadm_json_add(o, "namespace", mfadm_json_str(ndctl_namespace_get_devname(ndns)));
				mfadm_json_add(o, "region", mfadm_json_str(ndctl_region_get_devname(nr)));
				mfadm_json_add(o, "mode", mfadm_json_str(fabric_ns_mode(ndns)));
				mfadm_json_add(o, "size", mfadm_json_size(size));
				mfadm_json_add(o, "blockdev", str_or_null(bdev));
				mfadm_json_add(o, "chardev", str_or_null(chardev));
				mfadm_json_add(o, "uuid", mfadm_json_str(uuid));
				mfadm_json_add(o, "name", str_or_null(alt));
				mfadm_json_add(o, "enabled", boolean(ndctl_namespace_is_active(ndns)));
				mfadm_json_add(o, "numa_node", node_or_null(ndctl_namespace_get_numa_node(ndns)));
				mfadm_json_add(o, "cxl_region", str_or_null(fabric_cxl_name_of_nd(f, nr)));
				mfadm_json_add(o, "pool", pool_of_blockdev(bdev));
				json_object_array_add(arr, o);
			}
		}
	}
out:
	return arr;
}

/* ---- dax ---------------------------------------------------------------- */

static struct json_object *dax_devices(struct fabric *f)
{
	struct daxctl_region *dr;
	struct daxctl_dev *dev;

	struct json_object *arr = json_object_new_array(), *o;

	if (!f->daxctl)
		goto out;
	daxctl_region_foreach(f->daxctl, dr) {
		daxctl_dev_foreach(dr, dev) {
			struct daxctl_memory *mem = NULL;
			bool enabled = daxctl_dev_is_enabled(dev) > 0;

			if (!daxctl_dev_get_size(dev))
				continue;	/* a seed */
			if (enabled)
				mem = daxctl_dev_get_memory(dev);
			o = json_object_new_object();
			mfadm_json_add(o, "device", mfadm_json_str(daxctl_dev_get_devname(dev)));
			mfadm_json_add(o, "region", mfadm_json_u64((uint64_t)daxctl_region_get_id(dr)));
			mfadm_json_add(o, "size", mfadm_json_size(daxctl_dev_get_size(dev)));
			mfadm_json_add(o, "mode", mfadm_json_str(!enabled ? "disabled" :
					  mem ? "system-ram" : "devdax"));
			mfadm_json_add(o, "online", boolean(mem && daxctl_memory_is_online(mem) > 0));
			mfadm_json_add(o, "movable", boolean(mem && daxctl_memory_is_movable(mem) > 0));
			mfadm_json_add(o, "target_node", node_or_null(daxctl_dev_get_target_node(dev)));
			json_object_array_add(arr, o);
		}
	}
out:
	return arr;
}

/* ---- NUMA nodes ------------------------------------------------------------ */

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static struct json_object *numa_nodes(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *e;
	int nodes[1024], n = 0;

	struct json_object *arr = json_object_new_array(), *o;

	if (!d)
		goto out;
	while ((e = readdir(d)) && n < 1024) {
		unsigned long id;

		if (!strncmp(e->d_name, "node", 4) &&
		    !mfadm_parse_uint(e->d_name + 4, 1 << 20, &id))
			nodes[n++] = (int)id;
	}
	closedir(d);
	qsort(nodes, (size_t)n, sizeof(nodes[0]), cmp_int);
	for (int i = 0; i < n; i++) {
		uint64_t total = 0, free = 0;
		struct json_object *on;
		char path[128], cpus[4096];

		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/cpulist", nodes[i]);
		if (mfadm_read_file(path, cpus, sizeof(cpus)))
			cpus[0] = '\0';
		fabric_node_mem(nodes[i], &total, &free);
		o = json_object_new_object();
		mfadm_json_add(o, "node", json_object_new_int64(nodes[i]));
		mfadm_json_add(o, "memory", mfadm_json_size(total));
		mfadm_json_add(o, "free", mfadm_json_size(free));
		mfadm_json_add(o, "cpus", mfadm_json_str(cpus));
		mfadm_json_add(o, "cpuless", boolean(!cpus[0]));
		on = json_object_new_array();
		for (int p = 0; p < npools; p++)
			if (pools[p].backend == MF_POOL_BACKEND_NODE &&
			    pools[p].node == (uint32_t)nodes[i])
				json_object_array_add(on,
					mfadm_json_str(pools[p].name));
		mfadm_json_add(o, "pools", on);
		json_object_array_add(arr, o);
	}
out:
	return arr;
}

int cmd_devices(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "human", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *o;
	struct fabric f;
	int c;

	while ((c = mfadm_getopt("devices", argc, argv, ":u", opts)) != -1) {
		if (c != 'u')
			return MFADM_USAGE;
		mfadm_json_human(true);
	}
	if (optind < argc) {
		mfadm_err("devices: unexpected argument '%s'", argv[optind]);
		return MFADM_USAGE;
	}
	load_pools();
	fabric_open(&f);
	o = json_object_new_object();
	mfadm_json_add(o, "cxl_memdevs", cxl_memdevs(&f));
	mfadm_json_add(o, "cxl_regions", cxl_regions(&f));
	mfadm_json_add(o, "pmem_regions", pmem_regions(&f));
	mfadm_json_add(o, "pmem_namespaces", pmem_namespaces(&f));
	mfadm_json_add(o, "dax_devices", dax_devices(&f));
	mfadm_json_add(o, "numa_nodes", numa_nodes());
	mfadm_json_print(o, true);
	fabric_close(&f);
	free(pools);
	return mfadm_flush();
}

const char mfadm_usage_devices[] =
	"usage: mfadm devices [-u]\n"
	"\n"
	"Print, as one JSON object, what could back a pool: CXL\n"
	"memdevs and regions, pmem (nvdimm) regions and namespaces,\n"
	"dax devices and NUMA nodes, each with the pool on it if the\n"
	"memfabric module is loaded.  Needs no privilege and no\n"
	"module.  -u, --human: sizes as \"512.00 MiB\".\n";
