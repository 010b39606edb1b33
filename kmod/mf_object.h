/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_object.h - memfabric's namespaces and objects (seed 001's model): the
 * private structs, the lock order, and the functions of the object core
 * and the layers above it, by file (Documentation/design.md draws the
 * layers).  Documentation/objects.md describes the model, the persistence
 * format and the crash ordering.
 *
 * Model.  A namespace lives in one pool, is guarded by a secId (only a
 * salted SHA-256 of it is kept) and has a TTL for its shared objects.  An
 * object has an id unique in its namespace, a size, a type
 * (MF_OBJ_PRIVATE_RW or MF_OBJ_SHARED_RO), an owner uid, a creation time,
 * a reference count and an array of pieces of its pool's memory.  Publish
 * turns a private object shared, one way.  Pieces may be shared between
 * objects (derive): each pool counts, per allocator extent (a "base"),
 * the pieces of all objects that reference it, and the extent returns to
 * the pool when that count reaches 0.
 *
 * Persistence (fsdax pools).  Namespaces and objects are kept in the pool
 * as records: a namespace record and an object record are extents of their
 * own, tagged MF_TAG_NS_RECORD / MF_TAG_OBJ_RECORD; data extents are tagged
 * MF_TAG_DATA.  An object record lists its pieces.  Attach rebuilds the
 * namespaces, the objects and the use counts from the records, and frees
 * data extents that no record lists (an operation cut short by a crash).
 * A record is never edited in place: a change writes a new record with a
 * higher generation, then retires the old one (mf_record.c).
 *
 * References and lifetime.
 * - mf_obj.kref keeps the struct in memory.
 * - mf_obj.refs is the reference count users see: each handle reference a
 *   file took with MF_IOC_OBJ_GET (or got from alloc or derive), each
 *   mapping (vm_ops open/close), each in-flight kernel user.  Freeing an
 *   object hides it from lookup at once (MF_OBJF_FREED) and retires its
 *   record; its pieces return to the pool when refs drops to 0, never
 *   while anything maps it.
 * - mf_obj_pool.busy counts the pool's objects with refs > 0, and
 *   allocations in flight; a busy pool cannot be detached.  refs only goes
 *   from 0 to 1, and busy is only incremented, under mf_obj_pool.lock
 *   with the pool live (lookup, creation), and busy is decremented only
 *   after the last user of an object is done with it.
 * - Closing /dev/memfabric drops every handle reference the file held.
 *
 * Mappings.  mmap() of /dev/memfabric maps an object the file holds a
 * handle on: the offset is mf_obj.map_pgoff << PAGE_SHIFT (reported by the
 * alloc/get/derive ioctls; the data ioctls name objects by it too).  All
 * opens of the device share one address_space, so unmap_mapping_range()
 * over an object's range reaches every mapping of it.
 *
 * Locking, outermost first:
 * - mf_pools_lock (mf_pool.c) is held across pool attach and detach, and
 *   so across mf_obj_pool_attach() and mf_obj_pool_detach()
 *   (mf_ioctl_pool.c calls both).
 * - mf_obj_pools_lock (mf_opool.c) protects the list of mf_obj_pools.
 * - mf_obj_pool.lock protects the pool's namespace list and @dead, and
 *   serialises every operation that names things (namespace ioctls, object
 *   lookup and creation, free, publish, the reclaim scan).
 * - mf_file.lock protects a file's handle table.
 * - mf_ns.lock protects the namespace's object index and every object's
 *   @type, @flags, @size, @pieces (the pointer), @refs, @rec_gen and
 *   @solo.  Data is read and written under it: copies, gathers and
 *   swap-in through kernel bounce buffers, MF_IOC_OBJ_READ and _WRITE
 *   straight to and from user memory with page faults disabled
 *   (mf_data.c), so no fault is taken while it is held; short calls
 *   through a held handle skip it when they can (below).  Only one
 *   mf_ns.lock is held at a time.
 * - mf_pool.lock (mf_pool.h) serialises allocator calls and protects
 *   mf_obj_pool.uses, the per-extent use counts.  MF_IOC_POOL_CHECK of a
 *   multi-host pool takes, inside it, the pool's mf_pool_mh.lock, then
 *   the member's lock, and (alone) the manager's (mf_pool_mh_check.c).
 * - The fault path takes no mutex: mf_obj_pfn() reads @pieces under
 *   rcu_read_lock().  An extent array is never edited in place; expand and
 *   derive-on-write install a new one under mf_ns.lock and free the old
 *   one with kfree_rcu().  A piece's memory returns to the pool only when
 *   no object's current array references it.
 * - mf_obj.map_lock (an rw_semaphore) orders the mappings against the
 *   replacement and sharing of pieces: a fault holds it for reading while
 *   it looks a page frame up and installs it; derive-on-write holds it for
 *   writing while it installs the new array and zaps the old piece's
 *   pages, and derive while it makes the source's pieces shared (bumping
 *   @share_seq) and zaps the source's mappings.  It nests inside
 *   mf_ns.lock and inside the mm's mmap_lock or, for a fault, the VMA's
 *   per-VMA lock (faults need no mmap_lock: mf_vm_map_pages()); a fault
 *   never takes mf_ns.lock while holding it.
 * - mf_obj.map_count, mf_obj.wmap_count and mf_obj.lmap_count are atomic;
 *   a new writable shared mapping is counted in @wmap_count (and a
 *   long-term one in @lmap_count) under mf_ns.lock, where publish and
 *   derive check them.
 * - Short READ, WRITE and COPY through a held handle take no mutex
 *   (mf_data.c, "the lock-free path"): under rcu_read_lock() they look
 *   the handle up in mf_file.handles (handles are freed with
 *   kfree_rcu()), pin the object by counting themselves in mf_obj.io
 *   (which fails once the object is being destroyed, MF_IO_DEAD), read
 *   @type, @size, @solo and @pieces without mf_ns.lock, and copy with
 *   page faults disabled.  Object structs are freed with kfree_rcu().
 *   Whoever changes what such a call relies on excludes it:
 *   - destroy (and the teardown of a detached pool) marks the object
 *     dead and waits for every counted call before its pieces go
 *     (mf_obj_io_kill());
 *   - publish and derive (the source's pieces become shared) clear what
 *     lets a write in (@type, @solo) under mf_ns.lock and then wait for
 *     the counted writers (mf_obj_io_drain_writers()): a write either
 *     completes before they return or sees the change and takes the
 *     locked path, which refuses it or copies first;
 *   - copy-on-write, which stops referencing a piece, waits for an RCU
 *     grace period before it drops the piece's use count if a counted
 *     call may still hold the old array.
 */
#ifndef MF_OBJECT_H
#define MF_OBJECT_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>

#include "mf_pool.h"

struct cred;
struct file;
struct page;
struct kobject;

/* Extent tags in persistent pools. */
/* Tags of the object layer: all in the module's range, MF_TAG_OWN. */
#define MF_TAG_DATA		0x4d46444154410000ULL	/* "MFDATA" */
#define MF_TAG_NS_RECORD	0x4d464e5352454300ULL	/* "MFNSREC" */
#define MF_TAG_OBJ_RECORD	0x4d464f424a524543ULL	/* "MFOBJREC" */

/* mmap offsets: object n maps at page offset n << MF_MAP_PGOFF_SHIFT. */
#define MF_MAP_PGOFF_SHIFT	28	/* 1 TiB per object with 4 KiB pages */
/* Object numbers: 1 to MF_MAP_NR_MAX, so that the offset fits a loff_t. */
#define MF_MAP_NR_MAX		((1UL << (62 - PAGE_SHIFT - MF_MAP_PGOFF_SHIFT)) - 1)
/* The byte offset of object number 1, the first map offset. */
#define MF_MAP_OFF_SHIFT	(MF_MAP_PGOFF_SHIFT + PAGE_SHIFT)

/* The record offset of a namespace or object that has none. */
#define MF_NO_RECORD		U64_MAX

/* Derived and copied-on-write pieces are at most this long. */
#define MF_PIECE_MAX		MF_EXT_HUGE_SIZE

/**
 * struct mf_piece - a piece of an object
 * @pos: where the piece starts in the object
 * @off: where the piece starts in the pool's data area
 * @len: bytes of the object it holds, a multiple of the pool's unit
 * @base: the allocator extent that holds it (mf_ext_alloc()'s offset); a
 *	derived object's pieces are at most MF_PIECE_MAX and may be parts
 *	of a larger extent.  The pool counts, per base extent, the pieces
 *	that reference it; the extent is freed when that count reaches 0.
 */
struct mf_piece {
	u64 pos;
	u64 off;
	u64 len;
	u64 base;
};

/**
 * struct mf_pieces - an object's extent array, replaced as a whole
 * @rcu: frees it after readers are done
 * @nr: entries in @e
 * @e: the pieces in object order; they cover the object's size rounded
 *	up to the pool's unit
 */
struct mf_pieces {
	struct rcu_head rcu;
	u32 nr;
	struct mf_piece e[];
};

/**
 * struct mf_obj_pool - the object layer's state of one attached pool
 * Members marked "immutable" are set by mf_obj_pool_new() or at attach,
 * before mf_obj_pool_add() lists the state, and never change.
 *
 * @node: on the list of them; under mf_obj_pools_lock
 * @kref: keeps the struct (atomic, no lock)
 * @lock: see the locking rules above; protects @dead and @namespaces
 * @pool: the pool (holds a reference on its kobject); immutable
 * @dead: detached: every operation must fail; under @lock
 * @persistent: namespaces and objects are kept in records; immutable
 * @namespaces: its live namespaces, in creation order; under @lock
 * @busy: objects with refs > 0, and allocations in flight (atomic; see
 *	above)
 * @uses: piece count of each base extent, by unit number; under
 *	@pool->lock (the xarray's own lock only makes each access atomic)
 * @quarantine: struct mf_quarantine of extents whose last piece went
 *	while a page of theirs was still pinned; under @pool->lock, but
 *	for mf_quarantine_drop() on a dead pool under @lock
 * @idle_ref: the reference count of an unpinned page of the pool
 *	(devmap pools; measured at attach); immutable
 */
struct mf_obj_pool {
	struct list_head node;
	struct kref kref;
	struct mutex lock;	/* see above */
	struct mf_pool *pool;
	bool dead;
	bool persistent;
	struct list_head namespaces;
	atomic_long_t busy;
	struct xarray uses;
	struct list_head quarantine;
	int idle_ref;
};

/**
 * struct mf_ns - a namespace
 * Members marked "immutable" are set by mf_ns_new() (or the rebuild)
 * before the namespace is listed, and never change.
 *
 * @node: on its pool's list of namespaces; under @opool->lock
 * @kref: keeps the struct; held by the list and by each of its objects
 *	(atomic, no lock)
 * @lock: see the locking rules above; protects @objects, @nr_objects,
 *	@bytes and its objects' members listed there
 * @opool: the pool it lives in (holds a reference); immutable
 * @pool: @opool->pool; immutable
 * @name: NUL-terminated; immutable
 * @secid_hash: SHA-256 of @salt and the secId; immutable
 * @salt: random, per namespace; immutable
 * @ttl: seconds an unreferenced shared object lives; 0: forever;
 *	immutable
 * @ctime: creation time (seconds, real time); immutable
 * @attr: the attribute word given at creation; immutable
 * @objects: object index, by id; under @lock
 * @nr_objects: objects in the index; under @lock
 * @bytes: their total size; under @lock
 * @dying: destroyed; off the list, goes when its last object goes; set
 *	under @opool->lock
 * @record: offset of its record (persistent pools), else MF_NO_RECORD;
 *	under @opool->lock (mf_rec_ns_write() and _retire() assert it)
 * @unlockers: threads inside mf_obj_unref_n()'s armed delay point after
 *	the unlock (mf_inject.c); the namespace must outlive them (atomic)
 */
struct mf_ns {
	struct list_head node;
	struct kref kref;
	struct mutex lock;	/* see above */
	struct mf_obj_pool *opool;
	struct mf_pool *pool;
	char name[MF_NS_NAME_LEN];
	u8 secid_hash[32];
	u8 salt[16];
	u64 ttl;
	time64_t ctime;
	u32 attr;
	struct rb_root objects;
	u64 nr_objects;
	u64 bytes;
	bool dying;
	u64 record;
	atomic_t unlockers;
};

/* Bits of mf_obj.flags. */
#define MF_OBJF_FREED		BIT(0)	/* hidden from lookup */

/**
 * struct mf_obj - an object
 * Members marked "immutable" are set by mf_obj_new() (or the rebuild)
 * before the object is in its namespace's index, and never change.
 *
 * @kref: keeps the struct (atomic, no lock)
 * @rb: in its namespace's index while not freed; under @ns->lock
 * @reap: on a local list of objects to destroy, owned by the thread that
 *	took the object out of the index (under @ns->opool->lock)
 * @ns: its namespace (holds a reference); immutable
 * @id: NUL-terminated, unique in @ns; immutable
 * @size: bytes; under @ns->lock (grows only; the lock-free path reads it
 *	with smp_load_acquire(), expand stores it with smp_store_release()
 *	after the pieces that cover it)
 * @type: MF_OBJ_PRIVATE_RW or MF_OBJ_SHARED_RO; under @ns->lock (changes
 *	once, to shared; the lock-free path reads it with READ_ONCE() after
 *	mf_obj_io_enter(), publish drains the writers after the change)
 * @flags: MF_OBJF_*; under @ns->lock
 * @owner: uid of the creator; immutable
 * @ctime: creation time (seconds, real time); immutable
 * @refs: the reference count users see (see above); under @ns->lock
 * @map_count: live VMAs mapping it (atomic)
 * @wmap_count: those that are MAP_SHARED and may write (VM_MAYWRITE)
 *	(atomic; incremented under @ns->lock, see above)
 * @lmap_count: those made with MF_MAP_LONGTERM (pinnable; no derive)
 *	(atomic; incremented under @ns->lock)
 * @map_lock: see the locking rules above
 * @share_seq: bumped under @map_lock (written) when derive makes its
 *	pieces shared; the fault path reads it with READ_ONCE()
 * @nr: its object number, in mf_obj_numbers; immutable
 * @serial: its serial number: unlike @nr, never reused; immutable
 * @map_pgoff: its mmap page offset, @nr << MF_MAP_PGOFF_SHIFT; immutable
 * @pieces: its pieces; replaced under @ns->lock, read under
 *	rcu_read_lock() or @ns->lock (see above)
 * @record: offset of its record (persistent pools, until freed), else
 *	MF_NO_RECORD; under @ns->lock
 * @rec_gen: generation of that record; under @ns->lock
 * @mh: its place in a multi-host pool (mf_obj_mh.c), else NULL; set once
 *	under @ns->lock by its creator before others can reach it
 * @io: lock-free data calls in flight, MF_IO_* (atomic; see above)
 * @solo: no piece shares its base extent with another object, so a
 *	lock-free write needs no copy-on-write; written under @ns->lock
 *	(cleared by derive before the pieces become shared), read with
 *	READ_ONCE() by the lock-free path
 * @rcu: frees the struct after the lock-free path's readers are done
 */
struct mf_obj {
	struct kref kref;
	struct rb_node rb;
	struct list_head reap;
	struct mf_ns *ns;
	char id[MF_OBJ_ID_LEN];
	u64 size;
	u32 type;
	u32 flags;
	kuid_t owner;
	time64_t ctime;
	u64 refs;
	atomic_t map_count;
	atomic_t wmap_count;
	atomic_t lmap_count;
	struct rw_semaphore map_lock;	/* see above */
	u32 share_seq;
	unsigned long nr;
	u64 serial;
	unsigned long map_pgoff;
	struct mf_pieces __rcu *pieces;
	u64 record;
	u64 rec_gen;
	struct mf_obj_mh *mh;
	atomic64_t io;
	bool solo;
	struct rcu_head rcu;
};

/*
 * mf_obj.io: the count of lock-free data calls in flight (each adds
 * MF_IO_READER, and a writer MF_IO_WRITER on top), the count of writers
 * among them, MF_IO_WAIT (someone waits for a count to drop: wake them)
 * and MF_IO_DEAD (being destroyed: no new call may start).
 */
#define MF_IO_READER		1LL
#define MF_IO_COUNT		((1LL << 28) - 1)
#define MF_IO_WRITERS		(((1LL << 28) - 1) << 28)
#define MF_IO_WRITER		((1LL << 28) + MF_IO_READER)
#define MF_IO_DEAD		BIT_ULL(61)
#define MF_IO_WAIT		BIT_ULL(62)

/**
 * struct mf_file - an open /dev/memfabric
 * @lock: protects @handles and the handles in it, and serialises
 *	MF_IOC_FILE_BIND
 * @handles: struct mf_handle by object number; changed under @lock,
 *	read under rcu_read_lock() by the lock-free data path
 * @bound: NULL, or the credentials the file is bound to (its f_cred,
 *	with a reference): set once by MF_IOC_FILE_BIND under @lock, never
 *	cleared while the file lives; read with mf_file_bound()
 */
struct mf_file {
	struct mutex lock;	/* protects @handles */
	struct xarray handles;
	const struct cred *bound;
};

/**
 * struct mf_handle - an open file's references on one object
 * @obj: the object; immutable
 * @count: references the file holds (each counted in @obj->refs); under
 *	the file's @lock
 * @rcu: frees it after the lock-free data path's lookups (kfree_rcu())
 */
struct mf_handle {
	struct mf_obj *obj;
	u64 count;
	struct rcu_head rcu;
};

/**
 * struct mf_obj_counters - module-wide counts, /sys/kernel/memfabric/stats
 *
 * Every member is an atomic_long_t, changed and read without a lock.
 *
 * @namespaces: namespace structs alive
 * @objects: object structs alive (freed ones until their last reference)
 * @handles: handle references held by open files
 * @refs: sum of every object's @refs
 * @files: open /dev/memfabric files
 * @extents: base extents in use by objects
 * @extents_shared: those referenced by more than one piece
 * @cow_pieces: pieces copied on write (grows)
 * @reclaimed: objects reclaimed by their namespace's TTL (grows)
 * @mappings: VMAs mapping objects
 * @faults: page faults served with a 4 KiB entry (grows)
 * @faults_pmd: page faults served with a 2 MiB entry (grows)
 * @mkwrite: write faults on present read-only entries (grows)
 * @commits: MF_IOC_OBJ_COMMIT calls that created an object (grows)
 * @commit_pages: modified pages they copied (grows)
 * @quarantined: extents held back because a page of theirs is pinned
 */
struct mf_obj_counters {
	atomic_long_t namespaces;
	atomic_long_t objects;
	atomic_long_t handles;
	atomic_long_t refs;
	atomic_long_t files;
	atomic_long_t extents;
	atomic_long_t extents_shared;
	atomic_long_t cow_pieces;
	atomic_long_t reclaimed;
	atomic_long_t mappings;
	atomic_long_t faults;
	atomic_long_t faults_pmd;
	atomic_long_t mkwrite;
	atomic_long_t commits;
	atomic_long_t commit_pages;
	atomic_long_t quarantined;
};

extern struct mf_obj_counters mf_cnt;

/* Access wanted by mf_obj_check_access(). */
#define MF_ACCESS_READ		BIT(0)
#define MF_ACCESS_WRITE		BIT(1)

/* mf_stats.c, ground: the counters and /sys/kernel/memfabric/stats. */
int mf_stats_init(struct kobject *parent);
void mf_stats_exit(void);

/* mf_piece.c, object core: piece arrays, use counts of base extents, quarantine. */
u64 mf_base_count(struct mf_obj_pool *opool, u64 base);
int mf_base_get(struct mf_obj_pool *opool, u64 base, u64 n);
bool mf_base_put(struct mf_obj_pool *opool, u64 base);
void mf_base_counts_clear(struct mf_obj_pool *opool);
bool mf_piece_shared(struct mf_obj_pool *opool,
		     const struct mf_pieces *ext, u32 i);
u32 mf_pieces_count_shared(struct mf_obj_pool *opool,
			   const struct mf_pieces *ext);
struct mf_pieces *mf_pieces_alloc(u32 nr);
void mf_pieces_retire(struct mf_pieces *ext);
int mf_pieces_find(const struct mf_pieces *ext, u64 off);
void mf_quarantine_init(struct mf_obj_pool *opool);
bool mf_obj_pinned(struct mf_obj *obj);
void mf_base_release(struct mf_obj_pool *opool, u64 base);
void mf_quarantine_retry(struct mf_obj_pool *opool);
void mf_quarantine_drop(struct mf_obj_pool *opool);
void mf_pieces_free(struct mf_obj_pool *opool,
		    struct mf_pieces *ext);
void mf_drop_pieces(struct mf_obj_pool *opool,
		    const struct mf_piece *e, u32 nr);
int mf_alloc_fresh(struct mf_obj_pool *opool,
		   const struct mf_pieces *old, u64 len,
		   struct mf_pieces **out);

/* mf_record.c, object core: writing and retiring records (persistent pools). */
void mf_rec_retire(struct mf_pool *pool, u64 off);
int mf_rec_ns_write(struct mf_ns *ns);
void mf_rec_ns_retire(struct mf_ns *ns);
int mf_rec_obj_write(struct mf_obj *obj, const struct mf_pieces *ext,
		     u64 size, u32 type);
void mf_rec_obj_retire(struct mf_obj *obj);

/* mf_opool.c, object core: the object layer's state of each pool. */
void mf_obj_pool_put(struct mf_obj_pool *opool);
struct mf_obj_pool *mf_obj_pool_get(const char *name);
int mf_obj_pool_lock_live(struct mf_obj_pool *opool);
int mf_obj_pools_walk(int (*fn)(struct mf_obj_pool *opool, void *ctx),
		      void *ctx);
void mf_obj_pools_assert_locked(void);
struct mf_obj_pool *mf_obj_pool_new(struct mf_pool *pool);
void mf_obj_pool_add(struct mf_obj_pool *opool);
struct mf_obj_pool *mf_obj_pool_unlist(struct mf_pool *pool, bool force);

/* mf_ns.c, object core: namespaces. */
bool mf_name_valid(const char *name, size_t len);
bool mf_secid_valid(const char *secid);
void mf_ns_secid_hash(const u8 *salt, const char *secid, u8 *hash);
void mf_ns_get(struct mf_ns *ns);
void mf_ns_put(struct mf_ns *ns);
struct mf_ns *mf_ns_new(struct mf_obj_pool *opool, const char *name,
			const u8 *salt, const u8 *hash, u64 ttl, u32 attr,
			time64_t ctime);
struct mf_ns *mf_ns_find_locked(struct mf_obj_pool *opool,
				const char *name);
struct mf_ns *mf_ns_lookup_locked(struct mf_obj_pool *opool,
				  const char *name, const char *secid);
void mf_ns_unlist_locked(struct mf_ns *ns);

/* mf_obj.c, object core: objects, their references and index. */
void mf_obj_put_struct(struct mf_obj *obj);
struct mf_obj *mf_obj_next(unsigned long *nr);
struct mf_obj *mf_obj_new(struct mf_ns *ns, const char *id, u64 size,
			  struct mf_pieces *ext);
struct mf_obj *mf_obj_find_locked(struct mf_ns *ns, const char *id);
int mf_obj_insert_locked(struct mf_obj *obj);
void mf_obj_gen_id_locked(struct mf_obj *obj);
void mf_obj_ref_locked(struct mf_obj *obj);
void mf_obj_ref(struct mf_obj *obj);
void mf_obj_unref_n(struct mf_obj *obj, u64 n);
void mf_obj_unref(struct mf_obj *obj);
bool mf_obj_hide_locked(struct mf_obj *obj);
void mf_obj_destroy(struct mf_obj *obj);
kuid_t mf_file_fsuid(const struct mf_file *mff);
bool mf_file_capable(const struct mf_file *mff, int cap);
int mf_obj_check_access(const struct mf_obj *obj, unsigned int access,
			const struct mf_file *mff);
bool mf_obj_is_owner(const struct mf_obj *obj, const struct mf_file *mff);
void mf_obj_io_kill(struct mf_obj *obj);
void mf_obj_io_drain_writers(struct mf_obj *obj);
void mf_obj_solo_update_locked(struct mf_obj *obj);
int mf_obj_pfn(struct mf_obj *obj, u64 off, unsigned long *pfn,
	       u64 *contig);
bool mf_obj_name_ok(const struct mf_obj_name *name, bool id_may_be_empty);
bool mf_obj_numbers_empty(void);

/* mf_mapping.c, object core: the shared address_space. */
int mf_mapping_init(void);
void mf_mapping_open_file(struct file *file);
void mf_mapping_exit(void);
void mf_mapping_zap(struct mf_obj *obj, u64 pos, u64 len);
void mf_mapping_revoke_pool(struct mf_pool *pool);

/* mf_file.c, object core: open files and handles. */
int mf_obj_file_open(struct file *file);
int mf_ioctl_file_bind(struct file *file, void *arg);
void mf_obj_file_release(struct file *file);
int mf_handle_add_locked(struct mf_file *mff, struct mf_obj *obj);
void mf_handle_drop_locked(struct mf_file *mff, struct mf_obj *obj);
struct mf_obj *mf_obj_from_handle(struct file *file, u64 map_offset);
struct mf_obj *mf_obj_handle_lock(struct file *file, u64 map_offset);
struct mf_obj *mf_obj_handle_find(struct file *file, u64 map_offset);
void mf_obj_handle_unlock(struct file *file);
struct mf_obj *mf_obj_from_pgoff(struct file *file, unsigned long pgoff);
struct mf_obj *mf_obj_lookup_ref(struct mf_ns *ns, const char *id,
				 unsigned int access,
				 struct mf_file *mff);

/* mf_lifecycle.c, object core: create, publish, free, teardown, TTL reclaim. */
struct mf_obj *mf_obj_create(struct mf_ns *ns, const char *id,
			     u64 size, struct mf_pieces *ext,
			     struct mf_file *mff);
int mf_obj_publish_locked(struct mf_obj *obj);
int mf_obj_publish(struct mf_obj *obj);
int mf_obj_free_locked(struct mf_ns *ns, const char *id,
		       const struct mf_file *mff);
void mf_ns_destroy_all(struct mf_obj_pool *opool);
int mf_obj_init(void);
void mf_obj_exit(void);

/* mf_derive.c, object core: copy-on-write, derive and commit's new object. */
int mf_obj_cow_range_locked(struct mf_obj *obj, u64 off, u64 len);
int mf_obj_cow_range(struct mf_obj *obj, u64 off, u64 len);
struct mf_obj *mf_obj_derive_new(struct file *file, struct mf_obj *src,
				 const char *ns_name, const char *secid,
				 char *id);
struct mf_obj *mf_obj_commit_new(struct file *file, struct mf_obj *src,
				 const char *ns_name, const char *secid,
				 char *id, const u64 *pg_off,
				 struct page **pages, u32 n);
void mf_obj_abandon(struct file *file, struct mf_obj *obj);

/* mf_obj_attach.c, users of the core: the objects of a pool at attach and detach. */
int mf_obj_pool_attach(struct mf_pool *pool);
int mf_obj_pool_detach(struct mf_pool *pool, bool force);
int mf_rec_rebuild(struct mf_obj_pool *opool);

/* mf_data.c, users of the core: the data path ioctls. */
int mf_obj_write_kernel(struct mf_obj *obj, u64 off, void *buf, u64 len,
			const struct mf_file *mff);
int mf_ioctl_obj_read(struct file *file, void *arg);
int mf_ioctl_obj_write(struct file *file, void *arg);
int mf_ioctl_obj_copy(struct file *file, void *arg);
int mf_ioctl_obj_gather(struct file *file, void *arg);
int mf_ioctl_obj_swapin(struct file *file, void *arg);

/* mf_mmap.c, users of the core: mmap and faults. */
extern const struct vm_operations_struct mf_vm_ops;
u64 mf_fault_off(const struct mf_obj *obj, pgoff_t pgoff);
int mf_mmap(struct file *file, struct vm_area_struct *vma);
unsigned long mf_get_unmapped_area(struct file *file, unsigned long addr,
				   unsigned long len, unsigned long pgoff,
				   unsigned long flags);

/* mf_obj_mh.c, object core: objects on a multi-host pool. */
struct mf_obj_mh;
int mf_obj_mh_alloc(struct mf_obj_pool *opool, u64 len,
		    struct mf_pieces **out, struct mf_obj_mh **mhp);
void mf_obj_mh_abort(struct mf_obj_pool *opool, struct mf_obj_mh *mho);
int mf_obj_mh_derive(struct mf_obj *src, struct mf_pieces **out,
		     struct mf_obj_mh **mhp);
void mf_obj_mh_bind(struct mf_obj *obj, struct mf_obj_mh *mho,
		    const char *secid);
int mf_obj_mh_publish(struct mf_obj *obj);
int mf_obj_mh_expand(struct mf_obj *obj, u64 bytes);
void mf_obj_mh_release(struct mf_obj *obj);
bool mf_obj_mh_remote(const struct mf_obj *obj);
bool mf_obj_mh_dead(const struct mf_obj *obj);
/* mf_obj_mh_get.c, above the core: a multi-host object got by name. */
struct mf_obj *mf_obj_mh_get(struct mf_obj_pool *opool,
			     const struct mf_obj_name *name,
			     struct mf_file *mff);

/* mf_commit.c, users of the core: MF_IOC_OBJ_COMMIT. */
int mf_ioctl_obj_commit(struct file *file, void *arg);

/* mf_nl_dump.c, users of the core: the netlink commands. */
int mf_nl_dump_init(void);

/* mf_ioctl_ns.c, ioctl entry points: namespaces. */
int mf_ioctl_ns_create(struct file *file, void *arg);
int mf_ioctl_ns_destroy(struct file *file, void *arg);
int mf_ioctl_ns_list(struct file *file, void *arg);

/* mf_ioctl_obj.c, ioctl entry points: objects. */
int mf_ioctl_obj_alloc(struct file *file, void *arg);
int mf_ioctl_obj_get(struct file *file, void *arg);
int mf_ioctl_obj_put(struct file *file, void *arg);
int mf_ioctl_obj_free(struct file *file, void *arg);
int mf_ioctl_obj_batch_free(struct file *file, void *arg);
int mf_ioctl_obj_publish(struct file *file, void *arg);
int mf_ioctl_obj_expand(struct file *file, void *arg);
int mf_ioctl_obj_stat(struct file *file, void *arg);
int mf_ioctl_obj_derive(struct file *file, void *arg);

/**
 * mf_obj_pieces() - an object's current extent array
 * @obj: the object; its namespace's lock held
 *
 * Return: the array, valid while the lock is held.
 */
static inline struct mf_pieces *mf_obj_pieces(const struct mf_obj *obj)
{
	return rcu_dereference_protected(obj->pieces,
					 lockdep_is_held(&obj->ns->lock));
}

/**
 * mf_obj_io_enter() - count a lock-free data call on an object
 * @obj: the object, reached under rcu_read_lock()
 * @delta: MF_IO_READER or MF_IO_WRITER
 *
 * Fully ordered: what the call reads of @obj afterwards (@type, @solo,
 * @pieces) is read after the count is visible to mf_obj_io_kill() and
 * mf_obj_io_drain_writers().
 *
 * Return: true, or false (nothing counted) if the object is being
 * destroyed.
 */
static inline bool mf_obj_io_enter(struct mf_obj *obj, s64 delta)
{
	s64 v = atomic64_add_return(delta, &obj->io);

	if (likely(!(v & MF_IO_DEAD)))
		return true;
	v = atomic64_sub_return(delta, &obj->io);
	if (v & MF_IO_WAIT)
		wake_up_var(&obj->io);
	return false;
}

/**
 * mf_obj_io_exit() - end what mf_obj_io_enter() counted
 * @obj: the object
 * @delta: what was counted
 */
static inline void mf_obj_io_exit(struct mf_obj *obj, s64 delta)
{
	/* Fully ordered: the call's copies are done before the count drops. */
	s64 v = atomic64_sub_return(delta, &obj->io);

	if (unlikely(v & MF_IO_WAIT))
		wake_up_var(&obj->io);
}

/**
 * mf_file_bound() - the credentials an open file is bound to
 * @mff: the open file's state, or NULL (a call with no file)
 *
 * Pairs with the release store of MF_IOC_FILE_BIND: the credentials are
 * complete when seen.  They stay valid while the file lives.
 *
 * Return: the bound credentials, or NULL if the file is not bound (its
 * calls are checked against the caller's).
 */
static inline const struct cred *mf_file_bound(const struct mf_file *mff)
{
	/* pairs with the release in mf_ioctl_file_bind() */
	return mff ? smp_load_acquire(&mff->bound) : NULL;
}

/**
 * mf_obj_alloc_len() - pool memory an object of @size bytes covers
 * @pool: its pool
 * @size: the object's size
 *
 * Return: @size rounded up to the pool's unit.
 */
static inline u64 mf_obj_alloc_len(const struct mf_pool *pool, u64 size)
{
	return round_up(size, 1ULL << pool->unit_shift);
}

#endif /* MF_OBJECT_H */
