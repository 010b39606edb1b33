// SPDX-License-Identifier: GPL-2.0
/*
 * fabric.c - CXL regions, nvdimm namespaces, dax devices and NUMA nodes
 * through libcxl, libndctl and libdaxctl: finding the pmem block device
 * of a CXL region (creating an fsdax namespace when there is none), and
 * onlining a devdax device as a NUMA node.
 *
 * The libraries' own log lines are shown only with MFADM_DEBUG set in
 * the environment; mfadm prints one line of its own for each failure.
 */
#include "mfadm.h"
#include "fabric.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cxl/libcxl.h>
#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>
#include <uuid/uuid.h>

#define SZ_2M	(2ULL << 20)
#define SZ_16M	(16ULL << 20)

static bool lib_debug(void)
{
	return getenv("MFADM_DEBUG") != NULL;
}

static void vlog(const char *lib, const char *fn, const char *format,
		 va_list args)
{
	fprintf(stderr, "%s: %s: ", lib, fn);
	vfprintf(stderr, format, args);
}

static void cxl_log(struct cxl_ctx *ctx, int priority, const char *file,
		    int line, const char *fn, const char *format, va_list args)
{
	(void)ctx, (void)priority, (void)file, (void)line;
	if (lib_debug())
		vlog("libcxl", fn, format, args);
}

static void ndctl_log(struct ndctl_ctx *ctx, int priority, const char *file,
		      int line, const char *fn, const char *format,
		      va_list args)
{
	(void)ctx, (void)priority, (void)file, (void)line;
	if (lib_debug())
		vlog("libndctl", fn, format, args);
}

static void daxctl_log(struct daxctl_ctx *ctx, int priority,
		       const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	(void)ctx, (void)priority, (void)file, (void)line;
	if (lib_debug())
		vlog("libdaxctl", fn, format, args);
}

void fabric_open(struct fabric *f)
{
	struct daxctl_ctx *nd_dax;

	memset(f, 0, sizeof(*f));
	if (cxl_new(&f->cxl) == 0)
		cxl_set_log_fn(f->cxl, cxl_log);
	else
		f->cxl = NULL;
	if (ndctl_new(&f->ndctl) == 0) {
		ndctl_set_log_fn(f->ndctl, ndctl_log);
		nd_dax = ndctl_get_daxctl_ctx(f->ndctl);
		if (nd_dax)
			daxctl_set_log_fn(nd_dax, daxctl_log);
	} else {
		f->ndctl = NULL;
	}
	if (daxctl_new(&f->daxctl) == 0)
		daxctl_set_log_fn(f->daxctl, daxctl_log);
	else
		f->daxctl = NULL;
}

void fabric_close(struct fabric *f)
{
	if (f->daxctl)
		daxctl_unref(f->daxctl);
	if (f->ndctl)
		ndctl_unref(f->ndctl);
	if (f->cxl)
		cxl_unref(f->cxl);
	memset(f, 0, sizeof(*f));
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- CXL ------------------------------------------------------------------ */

struct cxl_region *fabric_cxl_region(struct fabric *f, const char *name)
{
	struct cxl_bus *bus;

	if (!f->cxl)
		return NULL;
	cxl_bus_foreach(f->cxl, bus) {
		struct cxl_port *port = cxl_bus_get_port(bus);
		struct cxl_decoder *dec;

		cxl_decoder_foreach(port, dec) {
			struct cxl_region *r;

			cxl_region_foreach(dec, r)
				if (!strcmp(cxl_region_get_devname(r), name))
					return r;
		}
	}
	return NULL;
}

const char *fabric_cxl_region_mode(struct cxl_region *r)
{
	struct cxl_memdev_mapping *m;

	cxl_mapping_foreach(r, m) {
		struct cxl_decoder *d = cxl_mapping_get_decoder(m);

		if (d)
			return cxl_decoder_mode_name(cxl_decoder_get_mode(d));
	}
	return "none";
}

static struct ndctl_region *nd_region_at(struct fabric *f,
					 unsigned long long res)
{
	struct ndctl_bus *bus;
	struct ndctl_region *nr;

	ndctl_bus_foreach(f->ndctl, bus)
		ndctl_region_foreach(bus, nr)
			if (ndctl_region_get_resource(nr) == res)
				return nr;
	return NULL;
}

struct ndctl_region *fabric_nd_region_of_cxl(struct fabric *f,
					     struct cxl_region *r,
					     int wait_ms)
{
	unsigned long long res = cxl_region_get_resource(r);
	struct ndctl_region *nr;

	if (!f->ndctl || res == ULLONG_MAX)
		return NULL;
	for (;;) {
		nr = nd_region_at(f, res);
		if (nr || wait_ms <= 0)
			return nr;
		/* The cxl_pmem bridge may still be registering it. */
		sleep_ms(100);
		wait_ms -= 100;
		ndctl_invalidate(f->ndctl);
	}
}

const char *fabric_cxl_name_of_nd(struct fabric *f, struct ndctl_region *nr)
{
	unsigned long long res = ndctl_region_get_resource(nr);
	struct cxl_bus *bus;

	if (!f->cxl || res == ULLONG_MAX)
		return NULL;
	cxl_bus_foreach(f->cxl, bus) {
		struct cxl_decoder *dec;

		cxl_decoder_foreach(cxl_bus_get_port(bus), dec) {
			struct cxl_region *r;

			cxl_region_foreach(dec, r)
				if (cxl_region_get_resource(r) == res)
					return cxl_region_get_devname(r);
		}
	}
	return NULL;
}

/* ---- nvdimm namespaces ---------------------------------------------------- */

const char *fabric_ns_mode(struct ndctl_namespace *ndns)
{
	switch (ndctl_namespace_get_mode(ndns)) {
	case NDCTL_NS_MODE_FSDAX:
		return "fsdax";
	case NDCTL_NS_MODE_DEVDAX:
		return "devdax";
	case NDCTL_NS_MODE_SECTOR:
		return "sector";
	case NDCTL_NS_MODE_RAW:
		return "raw";
	default:
		return "unknown";
	}
}

const char *fabric_ns_blockdev(struct ndctl_namespace *ndns)
{
	struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
	struct ndctl_btt *btt = ndctl_namespace_get_btt(ndns);
	const char *b = NULL;

	if (pfn)
		b = ndctl_pfn_get_block_device(pfn);
	else if (btt)
		b = ndctl_btt_get_block_device(btt);
	else if (ndctl_namespace_get_mode(ndns) == NDCTL_NS_MODE_RAW ||
		 ndctl_namespace_get_mode(ndns) == NDCTL_NS_MODE_FSDAX)
		b = ndctl_namespace_get_block_device(ndns);
	return b && *b ? b : NULL;
}

void fabric_ns_uuid(struct ndctl_namespace *ndns, char buf[37])
{
	struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
	struct ndctl_btt *btt = ndctl_namespace_get_btt(ndns);
	uuid_t uu;

	if (pfn)
		ndctl_pfn_get_uuid(pfn, uu);
	else if (dax)
		ndctl_dax_get_uuid(dax, uu);
	else if (btt)
		ndctl_btt_get_uuid(btt, uu);
	else
		ndctl_namespace_get_uuid(ndns, uu);
	mfadm_uuid_str(uu, buf);
}

void fabric_ns_chardev(struct ndctl_namespace *ndns, char *buf, size_t len)
{
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
	struct daxctl_region *dr;
	struct daxctl_dev *dev;

	buf[0] = '\0';
	if (!dax)
		return;
	dr = ndctl_dax_get_daxctl_region(dax);
	if (!dr)
		return;
	daxctl_dev_foreach(dr, dev) {
		if (daxctl_dev_get_size(dev)) {
			snprintf(buf, len, "%s", daxctl_dev_get_devname(dev));
			return;
		}
	}
}

/* Wait (up to 5 s) for /dev/@name to show up. */
static int wait_devnode(const char *name, char *dev, size_t len)
{
	struct stat st;

	snprintf(dev, len, "/dev/%s", name);
	for (int i = 0; i < 50; i++) {
		if (stat(dev, &st) == 0 && S_ISBLK(st.st_mode))
			return 0;
		sleep_ms(100);
	}
	mfadm_err("%s did not appear", dev);
	return MFADM_FAIL;
}

/* The namespace to configure: namespaceN.0 if idle, else the seed. */
static struct ndctl_namespace *idle_namespace(struct ndctl_region *nr)
{
	struct ndctl_namespace *ndns;

	ndctl_namespace_foreach(nr, ndns)
		if (ndctl_namespace_get_id(ndns) == 0 &&
		    ndctl_namespace_is_configuration_idle(ndns))
			return ndns;
	ndns = ndctl_region_get_namespace_seed(nr);
	if (ndns && ndctl_namespace_is_configuration_idle(ndns))
		return ndns;
	return NULL;
}

/*
 * Create an fsdax namespace over the largest free extent of @nr, as
 * `ndctl create-namespace -m fsdax -a 2M` does; its block device name
 * goes to @bdev.
 */
static int create_fsdax(struct ndctl_region *nr, const char *label,
			char *bdev, size_t len)
{
	const char *rname = ndctl_region_get_devname(nr);
	unsigned long long avail, align = SZ_2M, ralign;
	unsigned int ways = ndctl_region_get_interleave_ways(nr);
	struct ndctl_namespace *ndns;
	struct ndctl_pfn *pfn;
	uuid_t uuid;
	char human[32];
	int rc;

	if (ndctl_region_get_nstype(nr) == MFADM_ND_NAMESPACE_IO) {
		mfadm_err("%s has no namespace labels: make its namespace fsdax with 'ndctl create-namespace -f -e <namespace> -m fsdax -a 2M'",
			  rname);
		return MFADM_FAIL;
	}
	if (ndctl_region_get_ro(nr)) {
		mfadm_err("%s is read-only", rname);
		return MFADM_FAIL;
	}
	avail = ndctl_region_get_max_available_extent(nr);
	if (avail == ULLONG_MAX)
		avail = ndctl_region_get_available_size(nr);
	ralign = ndctl_region_get_align(nr);
	if (ralign != ULONG_MAX && ralign > align)
		align = ralign;
	if (ways > 1)
		align *= ways;
	avail -= avail % align;
	if (avail < SZ_16M) {
		mfadm_err("%s has no room for a namespace (%s free)", rname,
			  mfadm_human(avail, human, sizeof(human)));
		return MFADM_FAIL;
	}
	ndns = idle_namespace(nr);
	pfn = ndctl_region_get_pfn_seed(nr);
	if (!ndns || !pfn) {
		mfadm_err("%s: no idle %s to configure", rname,
			  ndns ? "pfn device (is nd_pmem loaded?)" : "namespace");
		return MFADM_FAIL;
	}
	mfadm_step("creating an fsdax namespace %s on %s: %s, 2 MiB aligned",
		   ndctl_namespace_get_devname(ndns), rname,
		   mfadm_human(avail, human, sizeof(human)));

	uuid_generate(uuid);
	rc = ndctl_namespace_set_uuid(ndns, uuid);
	if (!rc)
		rc = ndctl_namespace_set_alt_name(ndns, label);
	if (!rc)
		rc = ndctl_namespace_set_size(ndns, avail);
	if (!rc && ndctl_namespace_get_num_sector_sizes(ndns) > 0) {
		for (int i = 0; i < ndctl_namespace_get_num_sector_sizes(ndns);
		     i++) {
			if (ndctl_namespace_get_supported_sector_size(ndns, i) ==
			    512) {
				rc = ndctl_namespace_set_sector_size(ndns, 512);
				break;
			}
		}
	}
	if (rc) {
		mfadm_err("%s: cannot configure %s: %s", rname,
			  ndctl_namespace_get_devname(ndns), strerror(-rc));
		goto undo_ns;
	}
	/* Opportunistic, as ndctl does: old kernels lack the attribute. */
	ndctl_namespace_set_enforce_mode(ndns, NDCTL_NS_MODE_FSDAX);

	uuid_generate(uuid);
	rc = ndctl_pfn_set_uuid(pfn, uuid);
	if (!rc)
		rc = ndctl_pfn_set_location(pfn, NDCTL_PFN_LOC_PMEM);
	if (!rc && ndctl_pfn_has_align(pfn))
		rc = ndctl_pfn_set_align(pfn, SZ_2M);
	if (!rc)
		rc = ndctl_pfn_set_namespace(pfn, ndns);
	if (!rc)
		rc = ndctl_pfn_enable(pfn);
	if (rc) {
		mfadm_err("%s: cannot enable fsdax mode on %s: %s", rname,
			  ndctl_namespace_get_devname(ndns), strerror(-rc));
		ndctl_pfn_set_namespace(pfn, NULL);
		goto undo_ns;
	}
	if (!ndctl_pfn_get_block_device(pfn) ||
	    !*ndctl_pfn_get_block_device(pfn)) {
		mfadm_err("%s: %s has no block device", rname,
			  ndctl_pfn_get_devname(pfn));
		return MFADM_FAIL;
	}
	snprintf(bdev, len, "%s", ndctl_pfn_get_block_device(pfn));
	return MFADM_OK;

undo_ns:
	ndctl_namespace_set_enforce_mode(ndns, NDCTL_NS_MODE_RAW);
	ndctl_namespace_delete(ndns);
	return MFADM_FAIL;
}

int fabric_cxl_pmem(struct fabric *f, const char *name, const char *label,
		    char *dev, size_t len)
{
	struct cxl_region *r;
	struct ndctl_region *nr;
	struct ndctl_namespace *ndns, *other = NULL;
	const char *mode, *bdev = NULL;
	char human[32], bname[64];
	int rc;

	if (!f->cxl) {
		mfadm_err("cannot use libcxl (is /sys mounted?)");
		return MFADM_FAIL;
	}
	r = fabric_cxl_region(f, name);
	if (!r) {
		struct cxl_bus *bus = cxl_bus_get_first(f->cxl);

		mfadm_err("no CXL region '%s'%s", name,
			  bus ? " (see 'cxl list -R')" :
				" (this system has no CXL bus)");
		return MFADM_FAIL;
	}
	mode = fabric_cxl_region_mode(r);
	mfadm_step("CXL region %s: %s %s at 0x%llx", name,
		   mfadm_human(cxl_region_get_size(r), human, sizeof(human)),
		   mode, cxl_region_get_resource(r));
	if (strcmp(mode, "pmem")) {
		mfadm_err("%s is a %s region, not pmem: online its dax device as system-ram and use --dax or --node",
			  name, mode);
		return MFADM_FAIL;
	}
	if (!cxl_region_decode_is_committed(r)) {
		mfadm_err("%s is not committed (see cxl-create-region(1))",
			  name);
		return MFADM_FAIL;
	}
	if (!cxl_region_is_enabled(r)) {
		if (!mfadm_have_sys_admin()) {
			mfadm_err("%s is disabled; enabling it needs CAP_SYS_ADMIN",
				  name);
			return MFADM_FAIL;
		}
		mfadm_step("enabling %s", name);
		rc = cxl_region_enable(r);
		if (rc) {
			mfadm_err("cannot enable %s: %s", name, strerror(-rc));
			return MFADM_FAIL;
		}
	}
	if (!f->ndctl) {
		mfadm_err("cannot use libndctl");
		return MFADM_FAIL;
	}
	nr = fabric_nd_region_of_cxl(f, r, 5000);
	if (!nr) {
		mfadm_err("%s has no nvdimm region (are cxl_pmem and libnvdimm loaded?)",
			  name);
		return MFADM_FAIL;
	}
	mfadm_step("CXL region %s is nvdimm region %s", name,
		   ndctl_region_get_devname(nr));
	if (!ndctl_region_is_enabled(nr)) {
		mfadm_err("%s is disabled (ndctl enable-region %s)",
			  ndctl_region_get_devname(nr),
			  ndctl_region_get_devname(nr));
		return MFADM_FAIL;
	}

	ndctl_namespace_foreach(nr, ndns) {
		if (!ndctl_namespace_get_size(ndns))
			continue;
		if (ndctl_namespace_get_mode(ndns) == NDCTL_NS_MODE_FSDAX &&
		    (bdev = fabric_ns_blockdev(ndns)))
			break;
		if (!other)
			other = ndns;
	}
	if (bdev) {
		mfadm_step("fsdax namespace %s is /dev/%s",
			   ndctl_namespace_get_devname(ndns), bdev);
		snprintf(bname, sizeof(bname), "%s", bdev);
	} else {
		unsigned long long avail =
			ndctl_region_get_max_available_extent(nr);

		if (avail == ULLONG_MAX)
			avail = ndctl_region_get_available_size(nr);
		if (other && avail < SZ_16M) {
			mfadm_err("%s has no fsdax namespace: %s is %s (reconfigure it with 'ndctl create-namespace -f -e %s -m fsdax -a 2M')",
				  ndctl_region_get_devname(nr),
				  ndctl_namespace_get_devname(other),
				  fabric_ns_mode(other),
				  ndctl_namespace_get_devname(other));
			return MFADM_FAIL;
		}
		if (!mfadm_have_sys_admin()) {
			mfadm_err("%s has no fsdax namespace; creating one needs CAP_SYS_ADMIN",
				  ndctl_region_get_devname(nr));
			return MFADM_FAIL;
		}
		rc = create_fsdax(nr, label, bname, sizeof(bname));
		if (rc)
			return rc;
		mfadm_step("fsdax namespace created: /dev/%s", bname);
	}
	return wait_devnode(bname, dev, len);
}

/* ---- dax devices -------------------------------------------------------- */

static struct daxctl_dev *find_dax(struct fabric *f, const char *name)
{
	struct daxctl_region *dr;
	struct daxctl_dev *dev;

	if (!f->daxctl)
		return NULL;
	daxctl_region_foreach(f->daxctl, dr)
		daxctl_dev_foreach(dr, dev)
			if (!strcmp(daxctl_dev_get_devname(dev), name))
				return dev;
	return NULL;
}

/* Online a system-ram dax device's memory (movable, as daxctl does). */
static int online_memory(const char *name, struct daxctl_memory *mem)
{
	int rc;

	mfadm_step("onlining the memory of %s (ZONE_MOVABLE)", name);
	rc = daxctl_memory_online(mem);
	if (rc < 0) {
		mfadm_err("cannot online the memory of %s: %s", name,
			  strerror(-rc));
		return MFADM_FAIL;
	}
	return MFADM_OK;
}

int fabric_dax_node(struct fabric *f, const char *name, bool online,
		    int *node)
{
	struct daxctl_dev *dev = find_dax(f, name);
	struct daxctl_memory *mem;
	char human[32];
	int rc;

	if (!dev) {
		mfadm_err("no dax device '%s' (see 'daxctl list')", name);
		return MFADM_FAIL;
	}
	mem = daxctl_dev_is_enabled(dev) ? daxctl_dev_get_memory(dev) : NULL;
	mfadm_step("dax device %s: %s, %s", name,
		   mfadm_human(daxctl_dev_get_size(dev), human, sizeof(human)),
		   mem ? "system-ram" : "devdax");
	if (!mem) {
		if (!online) {
			mfadm_err("%s is in devdax mode; add --online to online it as system-ram (a NUMA node)",
				  name);
			return MFADM_FAIL;
		}
		if (!mfadm_have_sys_admin()) {
			mfadm_err("onlining %s needs CAP_SYS_ADMIN", name);
			return MFADM_FAIL;
		}
		mfadm_step("reconfiguring %s as system-ram", name);
		if (daxctl_dev_is_enabled(dev)) {
			rc = daxctl_dev_disable(dev);
			if (rc) {
				mfadm_err("cannot disable %s: %s%s", name,
					  strerror(-rc),
					  rc == -EBUSY ? " (is it mapped?)" : "");
				return MFADM_FAIL;
			}
		}
		rc = daxctl_dev_enable_ram(dev);
		if (rc) {
			mfadm_err("cannot enable %s as system-ram: %s", name,
				  strerror(-rc));
			return MFADM_FAIL;
		}
		mem = daxctl_dev_get_memory(dev);
		if (!mem) {
			mfadm_err("%s has no memory blocks after reconfiguring",
				  name);
			return MFADM_FAIL;
		}
		if (!daxctl_dev_will_auto_online_memory(dev)) {
			rc = online_memory(name, mem);
			if (rc)
				return rc;
		}
	}
	/* The kernel may be onlining it itself (auto-online policy). */
	for (int i = 0; i < 50 && daxctl_memory_is_online(mem) <= 0; i++)
		sleep_ms(100);
	if (daxctl_memory_is_online(mem) <= 0) {
		if (!online) {
			mfadm_err("the memory of %s is offline; add --online to online it",
				  name);
			return MFADM_FAIL;
		}
		if (!mfadm_have_sys_admin()) {
			mfadm_err("onlining %s needs CAP_SYS_ADMIN", name);
			return MFADM_FAIL;
		}
		rc = online_memory(name, mem);
		if (rc)
			return rc;
	}
	*node = daxctl_dev_get_target_node(dev);
	if (*node < 0) {
		mfadm_err("%s has no NUMA node", name);
		return MFADM_FAIL;
	}
	mfadm_step("%s is online as NUMA node %d", name, *node);
	return MFADM_OK;
}

/* ---- NUMA nodes ----------------------------------------------------------- */

int fabric_node_mem(int node, uint64_t *total, uint64_t *free)
{
	char path[128], line[256];
	FILE *fp;
	int found = 0;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 node);
	fp = fopen(path, "re");
	if (!fp)
		return -errno;
	*total = *free = 0;
	while (fgets(line, sizeof(line), fp)) {
		unsigned long long kb;
		int n;

		if (sscanf(line, "Node %d MemTotal: %llu kB", &n, &kb) == 2) {
			*total = (uint64_t)kb << 10;
			found++;
		} else if (sscanf(line, "Node %d MemFree: %llu kB", &n, &kb) == 2) {
			*free = (uint64_t)kb << 10;
			found++;
		}
	}
	fclose(fp);
	return found == 2 ? 0 : -EIO;
}
