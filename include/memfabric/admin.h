/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <memfabric/admin.h> - the administration part of libmemfabric: pools,
 * raw extents, namespaces, objects and events, as mfadm(8) uses them
 * (the way libcxl serves cxl-cli).  Symbol version MEMFABRIC_0.3.
 *
 * Every function returns 0 (or the count it documents) on success and a
 * negative errno on failure: the kernel's (see <linux/memfabric.h> and
 * mf_admin(3)), or -EINVAL for a NULL pointer or a name that does not fit
 * its field.  BM_StrError() gives a text for any of them.
 *
 * A context (struct mf_admin) is one open memfabric device.  Every call
 * may be made on one context from many threads at once: the context does
 * not change after mf_admin_new(), and each call keeps its state on its
 * own stack (each netlink request has a socket of its own).  A monitor
 * (struct mf_admin_monitor) belongs to one thread at a time.
 *
 * The structs below mirror the kernel's (struct mf_pool_info, ...).  They
 * never change; new fields would come with new structs and new symbols.
 */
#ifndef MEMFABRIC_ADMIN_H
#define MEMFABRIC_ADMIN_H

#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define MF_ADMIN_API __attribute__((visibility("default")))
#else
#define MF_ADMIN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes of the name fields, including the terminating NUL. */
#define MF_ADMIN_POOL_NAME_LEN	32	/* pool name */
#define MF_ADMIN_PATH_LEN	128	/* pool device path */
#define MF_ADMIN_NAME_LEN	64	/* namespace name, secId, object id */
#define MF_ADMIN_VERSION_LEN	32	/* module version string */

/* Pool backends (MF_POOL_BACKEND_*). */
#define MF_ADMIN_BACKEND_FSDAX	1	/* fsdax block device, persistent */
#define MF_ADMIN_BACKEND_NODE	2	/* one NUMA node's pages, volatile */
#define MF_ADMIN_BACKEND_RAM	3	/* ordinary RAM, volatile */

/* mf_admin_pool_spec.flags: format even over other data (MF_POOL_FORMAT). */
#define MF_ADMIN_POOL_FORMAT	(1U << 0)
/* mf_admin_pool_spec.result: the pool was formatted, not loaded. */
#define MF_ADMIN_POOL_FORMATTED	(1U << 0)
/* mf_admin_pool_info.flags: the pool is persistent. */
#define MF_ADMIN_POOL_PERSISTENT (1U << 0)
/* mf_admin_check_result.first_error: the first error is in the superblock. */
#define MF_ADMIN_CHECK_SUPERBLOCK (~0ULL)
/*
 * mf_admin_check_result.first_error: the first error is in a multi-host
 * pool's protocol state; .what starts with "manager: " or "member: ".
 */
#define MF_ADMIN_CHECK_MULTIHOST (~1ULL)
/* Flags of mf_admin_ns_destroy(): free the objects it holds (MF_NS_FORCE). */
#define MF_ADMIN_NS_FORCE	(1U << 0)

/* Object types. */
#define MF_ADMIN_OBJ_PRIVATE_RW	1
#define MF_ADMIN_OBJ_SHARED_RO	2

struct mf_admin;
struct mf_admin_monitor;

/* What the module says of itself (MF_IOC_VERSION). */
struct mf_admin_module_info {
	uint32_t abi_major;
	uint32_t abi_minor;
	uint64_t features;	/* BM_FEAT_* (MF_FEAT_*) bits */
	char module_version[MF_ADMIN_VERSION_LEN];	/* NUL-terminated */
};

/* In and out of mf_admin_pool_attach() (struct mf_pool_attach). */
struct mf_admin_pool_spec {
	uint32_t flags;		/* in: MF_ADMIN_POOL_FORMAT or 0 */
	uint32_t backend;	/* in: MF_ADMIN_BACKEND_* */
	char name[MF_ADMIN_POOL_NAME_LEN];	/* in */
	char path[MF_ADMIN_PATH_LEN];	/* in: fsdax block device, else "" */
	uint32_t node;		/* in: NUMA node of a node pool */
	uint32_t unit_shift;	/* in/out: log2 of the unit, 0: default */
	uint64_t bytes;		/* in/out: memory taken, 0: all (fsdax) */
	uint64_t capacity;	/* out: bytes the pool can allocate */
	uint32_t result;	/* out: MF_ADMIN_POOL_FORMATTED */
	uint8_t uuid[16];	/* out */
};

/* One attached pool (struct mf_pool_info). */
struct mf_admin_pool_info {
	char name[MF_ADMIN_POOL_NAME_LEN];
	char device[MF_ADMIN_PATH_LEN];
	uint32_t backend;
	uint32_t flags;		/* MF_ADMIN_POOL_PERSISTENT */
	uint32_t node;
	uint32_t unit_shift;
	uint64_t bytes;
	uint64_t capacity;
	uint64_t used;
	uint64_t free;
	uint64_t largest_free;
	uint64_t nr_extents;
	uint64_t nr_free_extents;
	uint64_t meta_bytes;
	uint64_t unit;
	uint32_t frag_permille;
	uint32_t users;
	uint8_t uuid[16];
};

/* The result of mf_admin_pool_check() (struct mf_pool_check). */
struct mf_admin_check_result {
	uint64_t errors;	/* 0: the pool is sound */
	uint64_t first_error;	/* a unit, or MF_ADMIN_CHECK_SUPERBLOCK/_MULTIHOST */
	char what[65];		/* the first error, NUL-terminated; "" if none */
};

/* One allocated extent (struct mf_extent_info). */
struct mf_admin_extent {
	uint64_t offset;
	uint64_t len;
	uint64_t tag;
};

/* One namespace (struct mf_ns_info). */
struct mf_admin_ns_info {
	char pool[MF_ADMIN_POOL_NAME_LEN];
	char name[MF_ADMIN_NAME_LEN];
	uint64_t ttl;
	uint64_t nr_objects;
	uint64_t bytes;
	uint64_t ctime;
	uint32_t attr;
	uint32_t flags;
};

/* One object, from the generic netlink family (MF_NL_CMD_OBJ_GET). */
struct mf_admin_obj_info {
	char pool[MF_ADMIN_POOL_NAME_LEN];
	char ns[MF_ADMIN_NAME_LEN];
	char id[MF_ADMIN_NAME_LEN];
	uint64_t size;
	uint32_t type;		/* MF_ADMIN_OBJ_* */
	uint32_t map_count;
	uint64_t refs;
	uint32_t owner;		/* uid */
	uint32_t nr_extents;
	uint64_t age;		/* seconds since creation */
	uint64_t ctime;		/* seconds since the epoch */
};

/* Bits of mf_admin_event.present: the fields the event carries. */
#define MF_ADMIN_EV_POOL	(1U << 0)
#define MF_ADMIN_EV_NS		(1U << 1)
#define MF_ADMIN_EV_ID		(1U << 2)
#define MF_ADMIN_EV_SIZE	(1U << 3)
#define MF_ADMIN_EV_TYPE	(1U << 4)
#define MF_ADMIN_EV_OWNER	(1U << 5)
#define MF_ADMIN_EV_TTL		(1U << 6)
#define MF_ADMIN_EV_ATTR	(1U << 7)
#define MF_ADMIN_EV_CAPACITY	(1U << 8)
#define MF_ADMIN_EV_USED	(1U << 9)
#define MF_ADMIN_EV_FREE	(1U << 10)
#define MF_ADMIN_EV_HOST	(1U << 11)
#define MF_ADMIN_EV_EPOCH	(1U << 12)

/* One event of the "events" multicast group. */
struct mf_admin_event {
	uint32_t cmd;		/* MF_NL_CMD_OBJ_CREATED ... MF_NL_CMD_POOL_OK */
	uint32_t present;	/* MF_ADMIN_EV_* */
	char pool[MF_ADMIN_POOL_NAME_LEN];
	char ns[MF_ADMIN_NAME_LEN];
	char id[MF_ADMIN_NAME_LEN];
	uint64_t size;
	uint32_t type;
	uint32_t owner;
	uint64_t ttl;
	uint32_t attr;
	uint32_t reserved;
	uint64_t capacity;
	uint64_t used;
	uint64_t free;
	/* Host events (MEMFABRIC_0.5): the host's number and epoch. */
	uint32_t host;
	uint32_t epoch;
};

/* Called for each object of a listing, or each event; non-zero stops. */
typedef int (*mf_admin_obj_fn)(const struct mf_admin_obj_info *obj, void *arg);
typedef int (*mf_admin_event_fn)(const struct mf_admin_event *ev, void *arg);

/* ---- the context: mf_admin_new(3) ------------------------------------ */

/*
 * Open the device that config file @config names (NULL: the default,
 * BM_DEFAULT_DEVICE) and check its ABI.  Errors as BM_Init(): -ENODEV
 * no module, -EACCES, -ENOTTY not memfabric, -EPROTO incompatible ABI,
 * -ENOENT/-EINVAL a missing or invalid config file.
 */
MF_ADMIN_API int mf_admin_new(const char *config, struct mf_admin **out);
/* A context on the caller's open device @fd, which it does not close. */
MF_ADMIN_API int mf_admin_new_fd(int fd, struct mf_admin **out);
MF_ADMIN_API void mf_admin_free(struct mf_admin *ctx);
MF_ADMIN_API int mf_admin_version(const struct mf_admin *ctx,
				  struct mf_admin_module_info *out);

/* ---- pools: mf_admin_pool(3) ------------------------------------------ */

MF_ADMIN_API int mf_admin_pool_attach(struct mf_admin *ctx,
				      struct mf_admin_pool_spec *a);
MF_ADMIN_API int mf_admin_pool_detach(struct mf_admin *ctx, const char *name);
/* The attached pools in a malloc()ed *out (free() it): their number. */
MF_ADMIN_API int mf_admin_pool_list(struct mf_admin *ctx,
				    struct mf_admin_pool_info **out);
/* Pool @name's entry of the list: 0, or -ENOENT. */
MF_ADMIN_API int mf_admin_pool_get(struct mf_admin *ctx, const char *name,
				   struct mf_admin_pool_info *out);
MF_ADMIN_API int mf_admin_pool_check(struct mf_admin *ctx, const char *name,
				     struct mf_admin_check_result *out);

/* ---- raw extents: mf_admin_pool(3) ------------------------------------ */

MF_ADMIN_API int mf_admin_extent_alloc(struct mf_admin *ctx, const char *pool,
				       uint64_t len, uint64_t tag,
				       uint64_t *offset);
MF_ADMIN_API int mf_admin_extent_free(struct mf_admin *ctx, const char *pool,
				      uint64_t offset, uint64_t *len,
				      uint64_t *tag);
/* The pool's extents in offset order, malloc()ed: their number. */
MF_ADMIN_API int mf_admin_extent_list(struct mf_admin *ctx, const char *pool,
				      struct mf_admin_extent **out);

/* ---- namespaces and objects: mf_admin_ns(3) --------------------------- */

MF_ADMIN_API int mf_admin_ns_create(struct mf_admin *ctx, const char *pool,
				    const char *name, const char *secid,
				    uint64_t ttl, uint32_t attr);
/* @freed, @deferred (may be NULL): objects freed at once, and later. */
MF_ADMIN_API int mf_admin_ns_destroy(struct mf_admin *ctx, const char *pool,
				     const char *name, const char *secid,
				     unsigned flags, uint64_t *freed,
				     uint64_t *deferred);
/* The namespaces of @pool (NULL or "": of all), malloc()ed: their number. */
MF_ADMIN_API int mf_admin_ns_list(struct mf_admin *ctx, const char *pool,
				  struct mf_admin_ns_info **out);
MF_ADMIN_API int mf_admin_obj_free(struct mf_admin *ctx, const char *pool,
				   const char *ns, const char *secid,
				   const char *id);
/*
 * The objects and events come from the module's generic netlink family,
 * not from the device: these calls need no context, and CAP_SYS_ADMIN
 * (-EPERM).  -ENODEV: no family (module not loaded, or too old).
 *
 * The objects (of @pool, of namespaces called @ns; NULL: any), by pool,
 * namespace and id, each passed to @fn as it arrives: the number passed,
 * what @fn returned if it stopped the listing, or -errno (-ENOENT no such
 * pool).
 */
MF_ADMIN_API int mf_admin_obj_list(const char *pool, const char *ns,
				   mf_admin_obj_fn fn, void *arg);
/* One object: 0, or -ENOENT no such pool, namespace or object. */
MF_ADMIN_API int mf_admin_obj_get(const char *pool, const char *ns,
				  const char *id,
				  struct mf_admin_obj_info *out);
/*
 * The hosts holding a reference to one object of a multi-host pool, as
 * this host's module knows them, in *@hosts (bit h: host h): on the
 * pool's manager every host's; on a member only its own (MEMFABRIC_0.5).
 * 0; -ENODATA the pool is not multi-host; else as mf_admin_obj_get().
 */
MF_ADMIN_API int mf_admin_obj_hosts(const char *pool, const char *ns,
				    const char *id, uint32_t *hosts);

/* ---- events: mf_admin_monitor(3) -------------------------------------- */

/* Join the "events" group; -EOPNOTSUPP: the module has none. */
MF_ADMIN_API int mf_admin_monitor_open(struct mf_admin_monitor **out);
/* A descriptor to poll() for POLLIN. */
MF_ADMIN_API int mf_admin_monitor_fd(const struct mf_admin_monitor *mon);
/*
 * Pass the events that have arrived to @fn, waiting for one if there is
 * none: the number passed, what @fn returned if it stopped, -ENOBUFS when
 * events were lost (the socket overflowed; go on reading), -EINTR, or
 * -errno.
 */
MF_ADMIN_API int mf_admin_monitor_read(struct mf_admin_monitor *mon,
				       mf_admin_event_fn fn, void *arg);
MF_ADMIN_API void mf_admin_monitor_close(struct mf_admin_monitor *mon);

#ifdef __cplusplus
}
#endif

#endif /* MEMFABRIC_ADMIN_H */
