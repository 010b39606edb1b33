/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_pool.h - memfabric's pools: named memory an extent allocator
 * (mf_extent.h) hands out, on one of three backends.
 *
 * Locking, outermost first:
 *
 * mf_pools_lock (mf_pool.c): the global mutex.  Protects the list of
 *	attached pools (mf_pools) and each pool's @node and @users (sysfs
 *	reads @users with READ_ONCE(), without it), and is held across a
 *	whole attach or detach, so that a name is checked and taken, or
 *	released, atomically.  Never taken in a sysfs show(): detach holds
 *	it while kobject_del() waits for those.
 * mf_pool.lock: the per-pool mutex.  Serialises every call into the
 *	pool's allocator (@ext, @meta) and protects @dead; the backend's
 *	memory does not go away while it is held and @dead is false.
 *
 * A pool's lifetime is its kobject's reference count: mf_pool_get()
 * takes one under mf_pools_lock, mf_pool_put() drops it, the last put
 * frees the struct.  Detach takes it off the list and sets @dead under
 * @lock before it releases the memory, so a caller that found the pool
 * earlier sees @dead once it has the lock.
 */
#ifndef MF_POOL_H
#define MF_POOL_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uuid.h>

#include "mf_internal.h"
#include "mf_extent.h"

/* Pool data areas and memory chunks are 2 MiB aligned (PMD mappings). */
#define MF_POOL_ALIGN		SZ_2M

/*
 * The tag of the one extent of a multi-host pool's own allocator, in the
 * module's range, so that MF_IOC_EXTENT_FREE refuses it.
 */
#define MF_TAG_MH_RESERVED	0x4d464d4852535600ULL	/* "MFMHRSV" */

struct mf_pool;
struct mf_pool_mh;
struct mf_mh_member;
struct mf_mh_reply;

/**
 * struct mf_backend_ops - what a backend does for a pool
 * @name: as in sysfs and the pools= parameter: "fsdax", "node", "ram"
 * @persistent: the pool's metadata lives in the backend's memory
 * @attach: take the backend's memory for @pool from @arg (name, sizes and
 *	flags already checked) and set up the allocator: @pool->ext loaded
 *	or formatted, @pool->capacity and the out fields of @arg set.
 *	Returns 0 or a negative errno, having released everything on error.
 * @detach: release what @attach took; the allocator is unloaded already
 * @check: check backend metadata (the superblock), adding findings to
 *	@res; may be NULL
 * @pfn: the page frame of byte @off of the data area
 */
struct mf_backend_ops {
	const char *name;
	bool persistent;
	int (*attach)(struct mf_pool *pool, struct mf_pool_attach *arg);
	void (*detach)(struct mf_pool *pool);
	int (*check)(struct mf_pool *pool, struct mf_pool_check *res);
	unsigned long (*pfn)(struct mf_pool *pool, u64 off);
};

/**
 * struct mf_pool - an attached pool
 * Members set "before listing" are written by create and the backend's
 * attach, before mf_pool_add_locked() puts the pool on the list, and are
 * immutable from then on.
 *
 * @kobj: /sys/kernel/memfabric/pools/<name>; its refcount is the pool's
 *	lifetime (the kobject's kref: atomic, no lock)
 * @node: on the list of attached pools; under mf_pools_lock
 * @users: references that make detach fail with -EBUSY (open pool
 *	handles); written under mf_pools_lock, read by sysfs and netlink
 *	with READ_ONCE() without it
 * @lock: serialises the allocator calls; protects @dead, the state @ext
 *	points to, @low and @chk
 * @dead: detached: the memory is gone, every call must fail; under @lock
 * @name: the pool's name, NUL-terminated; set before listing
 * @device: the backend's device as MF_IOC_POOL_LIST shows it; set before
 *	listing
 * @ops: the backend; set before listing
 * @backend: MF_POOL_BACKEND_*; set before listing
 * @nid: NUMA node of a node pool, else NUMA_NO_NODE; set before listing
 * @bytes: memory taken from the backend; set before listing
 * @unit_shift: log2 of the allocation unit; set before listing
 * @capacity: size of the data area, what the allocator manages; set
 *	before listing
 * @uuid: the pool's UUID; set before listing
 * @ext: the allocator's DRAM state, mf_ext_pool_size() bytes; the pointer
 *	is set at create and immutable, the state is under @lock
 *	(mf_ext_set_lock() names it, so the allocator asserts it)
 * @meta: the allocator's metadata area (pmem or kvmalloc'ed DRAM); set
 *	before listing, released by detach under @lock after @dead is set:
 *	used with @lock held and the pool live, or while a user reference
 *	(@users) holds detach off
 * @meta_size: its size; set before listing
 * @priv: the backend's state; the same rule as @meta
 * @mh_base: a multi-host pool's device, as the protocol sees it (its
 *	layout starts there); NULL for other pools; set before listing,
 *	cleared by detach after mf_pool_mh_stop()
 * @mh_bytes: its size; set before listing
 * @mh: the multi-host state and workers (mf_pool_mh.c), NULL for other
 *	pools; set before listing, stopped and freed by teardown after
 *	kobject_del(), so sysfs readers see it while they can run
 * @low: its free space is low (mf_pool_space()); under @lock
 * @chk: the last metadata check's findings; under @lock: what an
 *	unprivileged MF_IOC_POOL_CHECK gets until @chk.next (jiffies), so
 *	that such calls keep the allocator locked for at most about a
 *	tenth of the time
 */
struct mf_pool {
	struct kobject kobj;
	struct list_head node;
	unsigned int users;
	struct mutex lock;	/* see @lock above */
	bool dead;
	char name[MF_POOL_NAME_LEN];
	char device[MF_POOL_PATH_LEN];
	const struct mf_backend_ops *ops;
	u32 backend;
	int nid;
	u64 bytes;
	u32 unit_shift;
	u64 capacity;
	uuid_t uuid;
	struct mf_ext_pool *ext;
	void *meta;
	size_t meta_size;
	void *priv;
	void *mh_base;
	u64 mh_bytes;
	struct mf_pool_mh *mh;
	bool low;
	struct {
		bool valid;
		unsigned long next;
		u64 errors;
		u64 first_error;
		char what[64];
	} chk;
};

extern const struct mf_backend_ops mf_backend_fsdax;
extern const struct mf_backend_ops mf_backend_fsdax_mh;
extern const struct mf_backend_ops mf_backend_node;
extern const struct mf_backend_ops mf_backend_ram;

extern struct list_head mf_pools;
extern struct mutex mf_pools_lock;

/* mf_pool_mem.c: pool memory through the kernel's mapping of it. */
unsigned long mf_pool_pfn(struct mf_pool *pool, u64 off);
void *mf_pool_kaddr(struct mf_pool *pool, u64 off);
int mf_pool_zero(struct mf_pool *pool, u64 off, u64 len);
int mf_pool_read(struct mf_pool *pool, u64 off, void *buf, u64 len);
void mf_pool_write(struct mf_pool *pool, u64 off, const void *buf, u64 len);
int mf_pool_copy(struct mf_pool *pool, u64 dst, u64 src, u64 len);

/* mf_pool_mh.c: a multi-host pool's protocol, its workers, its hosts. */
int mf_pool_mh_start(struct mf_pool *pool, struct mf_pool_attach *arg);
void mf_pool_mh_stop(struct mf_pool *pool);
ssize_t mf_pool_mh_hosts_show(struct mf_pool *pool, char *buf);
ssize_t mf_pool_mh_role_show(struct mf_pool *pool, char *buf);
ssize_t mf_pool_mh_stats_show(struct mf_pool *pool, char *buf);
struct mf_mh_member *mf_pool_mh_member(struct mf_pool *pool);
u32 mf_pool_mh_epoch(struct mf_pool *pool);
void mf_pool_mh_set_revoke(void (*fn)(struct mf_pool *pool));
u32 mf_pool_mh_holders(struct mf_pool *pool, u64 id, bool held);
void mf_pool_mh_lookup_count(struct mf_pool *pool, u32 reads);
/* mf_pool_mh_check.c: MF_IOC_POOL_CHECK's part for a multi-host pool. */
void mf_pool_mh_check(struct mf_pool *pool, struct mf_pool_check *chk);
int mf_pool_mh_request(struct mf_pool *pool, u16 op, u64 id, u64 arg,
		       u32 gen, struct mf_mh_reply *r);

/* mf_pool.c: the pools. */
int mf_pool_init(struct kobject *parent);
void mf_pool_exit(void);
bool mf_pool_name_valid(const char *name);
struct mf_pool *mf_pool_find_locked(const char *name);
struct mf_pool *mf_pool_get(const char *name);
void mf_pool_put(struct mf_pool *pool);
int mf_pool_lock_live(struct mf_pool *pool);
int mf_pool_create_locked(struct mf_pool_attach *arg, struct mf_pool **poolp);
int mf_pool_add_locked(struct mf_pool *pool, const struct mf_pool_attach *arg);
void mf_pool_destroy(struct mf_pool *pool);
void mf_pool_detach_locked(struct mf_pool *pool);
void mf_pool_space(struct mf_pool *pool);

/* mf_ioctl_pool.c: the pool ioctls and the pools= parameter. */
int mf_pools_attach_param(void);
void mf_pools_detach_all(void);
int mf_ioctl_pool_attach(struct file *file, void *arg);
int mf_ioctl_pool_detach(struct file *file, void *arg);
int mf_ioctl_pool_list(struct file *file, void *arg);
int mf_ioctl_pool_check(struct file *file, void *arg);
int mf_ioctl_pool_open(struct file *file, void *arg);
int mf_ioctl_extent_alloc(struct file *file, void *arg);
int mf_ioctl_extent_free(struct file *file, void *arg);
int mf_ioctl_extent_list(struct file *file, void *arg);

/* Bytes from @off, at most @len, that one kernel address reaches. */
static inline u64 mf_pool_span(u64 off, u64 len)
{
	return min(len, MF_POOL_ALIGN - (off & (MF_POOL_ALIGN - 1)));
}

/**
 * mf_pool_assert_locked() - assert that the caller holds @pool->lock
 * @pool: the pool
 */
static inline void mf_pool_assert_locked(struct mf_pool *pool)
{
	lockdep_assert_held(&pool->lock);
}

#endif /* MF_POOL_H */
