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
#include <unistd.h>

#include <cxl/libcxl.h>
#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>

#include <linux/memfabric.h>

/* The attached pools, to name the one on each device; may be empty. */
static struct mf_pool_info *pools;
static uint32_t npools;

static void load_pools(void)
{
	int fd = mfadm_dev_try_open();

	if (fd < 0)
		return;
	if (mfadm_pool_list(fd, &pools, &npools)) {
		pools = NULL;
		npools = 0;
	}
	close(fd);
}

/* "pool": the pool on fsdax device /dev/@bdev, or null. */
static void pool_of_blockdev(const char *bdev)
{
	char path[MF_POOL_PATH_LEN + 8];

	json_key("pool");
	if (bdev) {
		snprintf(path, sizeof(path), "/dev/%s", bdev);
		for (uint32_t i = 0; i < npools; i++) {
			if (pools[i].backend == MF_POOL_BACKEND_FSDAX &&
			    !strncmp(pools[i].device, path, MF_POOL_PATH_LEN)) {
				json_str(pools[i].name);
				return;
			}
		}
	}
	json_null();
}

static void knode(const char *key, int node)
{
	json_key(key);
	if (node < 0)
		json_null();
	else
		json_i64(node);
}

/* A physical address: null where it is unknown (root-only in sysfs). */
static void kaddr(const char *key, unsigned long long addr)
{
	json_key(key);
	if (addr == ULLONG_MAX || addr == 0)
		json_null();
	else
		json_u64(addr);
}

static void kstr_or_null(const char *key, const char *s)
{
	json_key(key);
	if (s && *s)
		json_str(s);
	else
		json_null();
}

/* ---- CXL ------------------------------------------------------------------ */

static void cxl_memdevs(struct fabric *f)
{
	struct cxl_memdev *md;

	json_key("cxl_memdevs");
	json_arr_begin();
	if (f->cxl) {
		cxl_memdev_foreach(f->cxl, md) {
			json_obj_begin();
			json_kstr("memdev", cxl_memdev_get_devname(md));
			json_ku64("serial", cxl_memdev_get_serial(md));
			kstr_or_null("host", cxl_memdev_get_host(md));
			json_ksize("pmem_size", cxl_memdev_get_pmem_size(md));
			json_ksize("ram_size", cxl_memdev_get_ram_size(md));
			knode("numa_node", cxl_memdev_get_numa_node(md));
			json_kbool("enabled", cxl_memdev_is_enabled(md) > 0);
			json_obj_end();
		}
	}
	json_arr_end();
}

static void cxl_regions(struct fabric *f)
{
	struct cxl_bus *bus;

	json_key("cxl_regions");
	json_arr_begin();
	if (!f->cxl)
		goto out;
	cxl_bus_foreach(f->cxl, bus) {
		struct cxl_decoder *dec;

		cxl_decoder_foreach(cxl_bus_get_port(bus), dec) {
			struct cxl_region *r;

			cxl_region_foreach(dec, r) {
				struct cxl_memdev_mapping *m;
				struct ndctl_region *nr = NULL;
				uuid_t uu;
				char uuid[37];

				cxl_region_get_uuid(r, uu);
				mfadm_uuid_str(uu, uuid);
				if (f->ndctl)
					nr = fabric_nd_region_of_cxl(f, r, 0);
				json_obj_begin();
				json_kstr("region", cxl_region_get_devname(r));
				json_kstr("decoder", cxl_decoder_get_devname(dec));
				json_kstr("mode", fabric_cxl_region_mode(r));
				json_ksize("size", cxl_region_get_size(r));
				kaddr("resource", cxl_region_get_resource(r));
				json_kstr("uuid", uuid);
				json_ku64("interleave_ways",
					  cxl_region_get_interleave_ways(r));
				json_ku64("interleave_granularity",
					  cxl_region_get_interleave_granularity(r));
				json_kbool("committed",
					   cxl_region_decode_is_committed(r) > 0);
				json_kbool("enabled", cxl_region_is_enabled(r) > 0);
				json_key("memdevs");
				json_arr_begin();
				cxl_mapping_foreach(r, m) {
					struct cxl_decoder *d =
						cxl_mapping_get_decoder(m);
					struct cxl_memdev *md =
						d ? cxl_decoder_get_memdev(d) : NULL;

					if (md)
						json_str(cxl_memdev_get_devname(md));
				}
				json_arr_end();
				kstr_or_null("nd_region",
					     nr ? ndctl_region_get_devname(nr) : NULL);
				json_obj_end();
			}
		}
	}
out:
	json_arr_end();
}

/* ---- nvdimm ------------------------------------------------------------- */

static bool is_pmem_region(struct ndctl_region *nr)
{
	return ndctl_region_get_type(nr) == MFADM_ND_REGION_PMEM;
}

static void pmem_regions(struct fabric *f)
{
	struct ndctl_bus *bus;
	struct ndctl_region *nr;

	json_key("pmem_regions");
	json_arr_begin();
	if (f->ndctl) {
		ndctl_bus_foreach(f->ndctl, bus) {
			ndctl_region_foreach(bus, nr) {
				unsigned long long avail;

				if (!is_pmem_region(nr))
					continue;
				avail = ndctl_region_get_max_available_extent(nr);
				if (avail == ULLONG_MAX)
					avail = ndctl_region_get_available_size(nr);
				json_obj_begin();
				json_kstr("region", ndctl_region_get_devname(nr));
				json_kstr("bus", ndctl_bus_get_provider(bus));
				json_ksize("size", ndctl_region_get_size(nr));
				json_ksize("available_size",
					   avail == ULLONG_MAX ? 0 : avail);
				kaddr("resource", ndctl_region_get_resource(nr));
				knode("numa_node", ndctl_region_get_numa_node(nr));
				json_kbool("enabled", ndctl_region_is_enabled(nr) > 0);
				json_kbool("labels", ndctl_region_get_nstype(nr) !=
						     MFADM_ND_NAMESPACE_IO);
				kstr_or_null("cxl_region",
					     fabric_cxl_name_of_nd(f, nr));
				json_obj_end();
			}
		}
	}
	json_arr_end();
}

static void pmem_namespaces(struct fabric *f)
{
	struct ndctl_bus *bus;
	struct ndctl_region *nr;
	struct ndctl_namespace *ndns;

	json_key("pmem_namespaces");
	json_arr_begin();
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

				json_obj_begin();
				json_kstr("namespace",
					  ndctl_namespace_get_devname(ndns));
				json_kstr("region", ndctl_region_get_devname(nr));
				json_kstr("mode", fabric_ns_mode(ndns));
				json_ksize("size", size);
				kstr_or_null("blockdev", bdev);
				kstr_or_null("chardev", chardev);
				json_kstr("uuid", uuid);
				kstr_or_null("name", alt);
				json_kbool("enabled",
					   ndctl_namespace_is_active(ndns));
				knode("numa_node",
				      ndctl_namespace_get_numa_node(ndns));
				kstr_or_null("cxl_region",
					     fabric_cxl_name_of_nd(f, nr));
				pool_of_blockdev(bdev);
				json_obj_end();
			}
		}
	}
out:
	json_arr_end();
}

/* ---- dax ---------------------------------------------------------------- */

static void dax_devices(struct fabric *f)
{
	struct daxctl_region *dr;
	struct daxctl_dev *dev;

	json_key("dax_devices");
	json_arr_begin();
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
			json_obj_begin();
			json_kstr("device", daxctl_dev_get_devname(dev));
			json_ku64("region", (uint64_t)daxctl_region_get_id(dr));
			json_ksize("size", daxctl_dev_get_size(dev));
			json_kstr("mode", !enabled ? "disabled" :
					  mem ? "system-ram" : "devdax");
			json_kbool("online",
				   mem && daxctl_memory_is_online(mem) > 0);
			json_kbool("movable",
				   mem && daxctl_memory_is_movable(mem) > 0);
			knode("target_node", daxctl_dev_get_target_node(dev));
			json_obj_end();
		}
	}
out:
	json_arr_end();
}

/* ---- NUMA nodes ------------------------------------------------------------ */

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void numa_nodes(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *e;
	int nodes[1024], n = 0;

	json_key("numa_nodes");
	json_arr_begin();
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
		char path[128], cpus[4096];

		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/cpulist", nodes[i]);
		if (mfadm_read_file(path, cpus, sizeof(cpus)))
			cpus[0] = '\0';
		fabric_node_mem(nodes[i], &total, &free);
		json_obj_begin();
		json_ki64("node", nodes[i]);
		json_ksize("memory", total);
		json_ksize("free", free);
		json_kstr("cpus", cpus);
		json_kbool("cpuless", !cpus[0]);
		json_key("pools");
		json_arr_begin();
		for (uint32_t p = 0; p < npools; p++)
			if (pools[p].backend == MF_POOL_BACKEND_NODE &&
			    pools[p].node == (uint32_t)nodes[i])
				json_str(pools[p].name);
		json_arr_end();
		json_obj_end();
	}
out:
	json_arr_end();
}

int cmd_devices(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "human", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct fabric f;
	int c;

	while ((c = mfadm_getopt("devices", argc, argv, ":u", opts)) != -1) {
		if (c != 'u')
			return MFADM_USAGE;
		json_human(true);
	}
	if (optind < argc) {
		mfadm_err("devices: unexpected argument '%s'", argv[optind]);
		return MFADM_USAGE;
	}
	load_pools();
	fabric_open(&f);
	json_obj_begin();
	cxl_memdevs(&f);
	cxl_regions(&f);
	pmem_regions(&f);
	pmem_namespaces(&f);
	dax_devices(&f);
	numa_nodes();
	json_obj_end();
	json_end();
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
