/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fabric.h - the memory devices a pool can sit on, through libcxl,
 * libndctl and libdaxctl: CXL regions and memdevs, nvdimm (pmem) regions
 * and namespaces, dax devices, NUMA nodes.
 */
#ifndef MFADM_FABRIC_H
#define MFADM_FABRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * From <ndctl/ndctl.h>, which needs headers ndctl does not install:
 * ndctl_region_get_type() of a pmem region, ndctl_region_get_nstype() of
 * a region without labels (one namespace over all of it).
 */
#define MFADM_ND_REGION_PMEM	2	/* ND_DEVICE_REGION_PMEM */
#define MFADM_ND_NAMESPACE_IO	4	/* ND_DEVICE_NAMESPACE_IO */

struct cxl_ctx;
struct cxl_region;
struct ndctl_ctx;
struct ndctl_region;
struct ndctl_namespace;
struct daxctl_ctx;

/* The library contexts, opened on first use; errors are printed. */
struct fabric {
	struct cxl_ctx *cxl;
	struct ndctl_ctx *ndctl;
	struct daxctl_ctx *daxctl;
};

/* Open the contexts (each may fail: that library then finds nothing). */
void fabric_open(struct fabric *f);
void fabric_close(struct fabric *f);

/* The CXL region named @name (e.g. "region0"), or NULL. */
struct cxl_region *fabric_cxl_region(struct fabric *f, const char *name);

/* "pmem", "ram" or "none": the mode of a CXL region's endpoint decoders. */
const char *fabric_cxl_region_mode(struct cxl_region *r);

/*
 * The nvdimm region a CXL pmem region shows up as (the one at the same
 * physical address), or NULL.  @wait_ms: how long to wait for it.
 */
struct ndctl_region *fabric_nd_region_of_cxl(struct fabric *f,
					     struct cxl_region *r,
					     int wait_ms);

/* The CXL region (name) behind an nvdimm region, or NULL. */
const char *fabric_cxl_name_of_nd(struct fabric *f, struct ndctl_region *nr);

/* "fsdax", "devdax", "sector", "raw" or "unknown". */
const char *fabric_ns_mode(struct ndctl_namespace *ndns);

/*
 * The block device of an fsdax or raw namespace ("pmem0"), or NULL; the
 * character device of a devdax one ("dax0.0") in @chardev (else "").
 */
const char *fabric_ns_blockdev(struct ndctl_namespace *ndns);
void fabric_ns_chardev(struct ndctl_namespace *ndns, char *buf, size_t len);

/* The UUID ndctl shows: of its fsdax, devdax or sector info block, if any. */
void fabric_ns_uuid(struct ndctl_namespace *ndns, char buf[37]);

/*
 * `--cxl-region`: make sure CXL region @name has an fsdax namespace and
 * put its block device ("/dev/pmem0") in @dev.  Creates one (2 MiB
 * aligned, over the region's largest free extent) if the region has
 * none; @label names it ("memfabric:<pool>").  Prints each step; on
 * failure prints why and returns MFADM_FAIL.
 */
int fabric_cxl_pmem(struct fabric *f, const char *name, const char *label,
		    char *dev, size_t len);

/*
 * `--dax`: the NUMA node of devdax device @name once its memory is
 * online as system-ram; with @online, reconfigure and online it if it is
 * not.  Prints each step; on failure prints why and returns MFADM_FAIL.
 */
int fabric_dax_node(struct fabric *f, const char *name, bool online,
		    int *node);

/* A NUMA node's memory from /sys/devices/system/node; 0 or -errno. */
int fabric_node_mem(int node, uint64_t *total, uint64_t *free);

#endif /* MFADM_FABRIC_H */
