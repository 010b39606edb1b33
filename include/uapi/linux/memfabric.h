/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * memfabric: named, reference-counted objects in CXL/DAX memory pools.
 *
 * This header is the ioctl ABI of /dev/memfabric, shared by the kernel
 * module and by userspace (libmemfabric, mfadm, tests).
 *
 * Conventions, which every ioctl follows:
 *
 * - Every argument struct starts with ``__u32 size; __u32 flags;``.  The
 *   caller sets @size to sizeof() the struct it was compiled against.  The
 *   kernel reads the struct with copy_struct_from_user(), so that:
 *
 *   - a @size smaller than the first published version of the struct
 *     fails with -EINVAL;
 *   - a @size larger than the kernel knows is accepted only when every
 *     byte the kernel does not know is zero, otherwise -E2BIG;
 *   - on output the kernel writes back at most @size bytes.
 *
 * - Unknown bits in @flags, and non-zero ``reserved`` fields, give -EINVAL.
 * - Pointers travel as __aligned_u64; only fixed-width types are used and
 *   no struct has implicit padding.
 * - The size encoded in an ioctl number is that of the first version of
 *   its struct and never changes; the @size field carries the real size.
 * - An ioctl number the module does not know gives -ENOTTY.
 */
#ifndef _UAPI_LINUX_MEMFABRIC_H
#define _UAPI_LINUX_MEMFABRIC_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Name of the misc device, as in /dev/memfabric. */
#define MEMFABRIC_DEVICE_NAME	"memfabric"

/* ABI version.  A minor bump adds ioctls or fields; a major bump breaks. */
#define MF_ABI_MAJOR		1
#define MF_ABI_MINOR		7

/* Length of the NUL-terminated module version string. */
#define MF_VERSION_LEN		32

/*
 * Bits of &struct mf_version.features:
 * MF_FEAT_EXT_IOCTL: ioctl structs are size-versioned as described above.
 * MF_FEAT_SYSFS: the module publishes its state under /sys/kernel/memfabric.
 * MF_FEAT_POOLS: pools (MF_IOC_POOL_*) and raw extents (MF_IOC_EXTENT_*),
 *	ABI 1.1.
 * MF_FEAT_OBJECTS: namespaces (MF_IOC_NS_*) and objects (MF_IOC_OBJ_*),
 *	ABI 1.2.
 * MF_FEAT_MMAP: mmap() of objects, MF_IOC_OBJ_COMMIT, ABI 1.3.
 * MF_FEAT_NETLINK: the "memfabric" generic netlink family.
 * MF_FEAT_MMAP_LONGTERM: MF_MAP_LONGTERM mappings, ABI 1.4.
 * MF_FEAT_SERIAL: objects have a serial number that is never reused;
 *	the calls that give a handle report it, and READ, WRITE and COPY
 *	take it to make sure a handle still names the same object, ABI 1.5.
 * MF_FEAT_MULTIHOST: multi-host pools: MF_POOL_MH_MANAGER/MF_POOL_MH_MEMBER
 *	and @host, @nr_hosts in &struct mf_pool_attach, ABI 1.7
 *	(Documentation/multihost.md).
 * MF_FEAT_FILE_BIND: MF_IOC_FILE_BIND binds an open file to its opener's
 *	credentials, ABI 1.6.
 */
#define MF_FEAT_EXT_IOCTL	(1ULL << 0)
#define MF_FEAT_SYSFS		(1ULL << 1)
#define MF_FEAT_POOLS		(1ULL << 2)
#define MF_FEAT_OBJECTS		(1ULL << 3)
#define MF_FEAT_MMAP		(1ULL << 4)
#define MF_FEAT_NETLINK		(1ULL << 5)
#define MF_FEAT_MMAP_LONGTERM	(1ULL << 6)
#define MF_FEAT_SERIAL		(1ULL << 7)
#define MF_FEAT_FILE_BIND	(1ULL << 8)
#define MF_FEAT_MULTIHOST	(1ULL << 9)

/**
 * struct mf_version - argument of MF_IOC_VERSION
 * @size: sizeof(struct mf_version), set by the caller.
 * @flags: must be 0.
 * @abi_major: out: MF_ABI_MAJOR of the running module.
 * @abi_minor: out: MF_ABI_MINOR of the running module.
 * @features: out: mask of MF_FEAT_* bits the module supports.
 * @module_version: out: the module's version string, NUL-terminated.
 * @reserved: must be 0.
 */
struct mf_version {
	__u32 size;
	__u32 flags;
	__u32 abi_major;
	__u32 abi_minor;
	__aligned_u64 features;
	char module_version[MF_VERSION_LEN];
	__aligned_u64 reserved;
};

#define MF_IOC_MAGIC		0xBF

/* Query the ABI version and the feature mask.  Needs no privilege. */
#define MF_IOC_VERSION		_IOWR(MF_IOC_MAGIC, 0x00, struct mf_version)

/*
 * Pools.
 *
 * A pool is named memory that memfabric allocates from.  Its name is 1 to
 * MF_POOL_NAME_LEN - 1 characters of [A-Za-z0-9_.-], NUL-terminated and
 * zero-padded in every struct below, unique among attached pools.
 *
 * Backends:
 * MF_POOL_BACKEND_FSDAX: an fsdax block device (CXL pmem region, NVDIMM,
 *	memmap= pmem), claimed exclusively.  The pool is persistent: its
 *	superblock and allocator metadata live on the device, and attaching
 *	the device again brings the pool and its extents back.
 * MF_POOL_BACKEND_NODE: pages of one NUMA node (e.g. CXL volatile memory
 *	that daxctl onlined as system-ram).  Volatile: formatted at attach.
 * MF_POOL_BACKEND_RAM: ordinary RAM from any node.  Volatile.
 */
#define MF_POOL_NAME_LEN	32
#define MF_POOL_PATH_LEN	128

#define MF_POOL_BACKEND_FSDAX	1
#define MF_POOL_BACKEND_NODE	2
#define MF_POOL_BACKEND_RAM	3

/*
 * Allocation unit: 1 << unit_shift bytes, MF_POOL_UNIT_SHIFT_MIN to
 * MF_POOL_UNIT_SHIFT_MAX; 0 asks for MF_POOL_UNIT_SHIFT_DEFAULT.
 */
#define MF_POOL_UNIT_SHIFT_MIN		12
#define MF_POOL_UNIT_SHIFT_MAX		21
#define MF_POOL_UNIT_SHIFT_DEFAULT	12

/*
 * Flags of &struct mf_pool_attach:
 * MF_POOL_FORMAT: (fsdax) format the device even if it holds data that is
 *	not a memfabric pool, a corrupt pool, or a valid pool (whose extents
 *	are then lost).  Without it, a device that is not blank and has no
 *	valid pool is refused, never overwritten.  Volatile pools are always
 *	formatted; the flag changes nothing for them.
 * MF_POOL_MH_MANAGER: (fsdax, ABI 1.7) a multi-host pool
 *	(Documentation/multihost.md), with this host as its manager, host
 *	number @host.  The device is formatted with the multi-host layout
 *	if it is blank or MF_POOL_FORMAT is given; otherwise it must hold a
 *	multi-host pool whose manager is @host and whose manager is not
 *	running on another host (EBUSY).
 * MF_POOL_MH_MEMBER: (fsdax, ABI 1.7) a multi-host pool, with this host as
 *	a member, host number @host, which must not be the manager's.  The
 *	device must hold a multi-host pool (EMEDIUMTYPE: its manager has
 *	not formatted it).
 * A multi-host pool holds no single-host objects: object and extent
 * allocations in it fail (ENOSPC: its allocator is full) until the
 * object layer uses the protocol (a later ABI).
 */
#define MF_POOL_FORMAT		(1U << 0)
#define MF_POOL_MH_MANAGER	(1U << 1)
#define MF_POOL_MH_MEMBER	(1U << 2)

/*
 * Bits of &struct mf_pool_attach.result:
 * MF_POOL_RESULT_FORMATTED: the pool was formatted (empty); otherwise an
 *	existing pool was loaded from the device.
 */
#define MF_POOL_RESULT_FORMATTED	(1U << 0)

/**
 * struct mf_pool_attach - argument of MF_IOC_POOL_ATTACH
 * @size: sizeof(struct mf_pool_attach), set by the caller.
 * @flags: MF_POOL_FORMAT or 0.
 * @name: the pool's name (see above).  A pool loaded from an fsdax device
 *	must be attached under the name it was formatted with.
 * @backend: MF_POOL_BACKEND_*.
 * @unit_shift: log2 of the allocation unit; 0 for the default.  Loading an
 *	existing pool takes the unit from the device: 0 or the same value.
 *	On success, set to the pool's.
 * @bytes: memory the pool takes from its backend, a multiple of 2 MiB.
 *	fsdax: 0 for the whole device; the pool's own metadata comes out of
 *	it.  node, ram: required; the allocator's metadata is extra, in DRAM.
 *	Loading an existing pool: 0 or the size it was formatted with.  On
 *	success, set to the pool's.
 * @node: NUMA node id for MF_POOL_BACKEND_NODE; must be 0 otherwise.
 * @result: out: MF_POOL_RESULT_* bits.
 * @capacity: out: bytes the pool can allocate (its data area).
 * @uuid: out: the pool's UUID (fsdax: kept on the device).
 * @path: fsdax: the block device, NUL-terminated, e.g. "/dev/pmem0";
 *	other backends: all zero.
 * @reserved: must be 0.
 * @host: (ABI 1.7) with MF_POOL_MH_MANAGER or MF_POOL_MH_MEMBER: this
 *	host's number in the pool, 0 to @nr_hosts - 1; otherwise 0.
 * @nr_hosts: (ABI 1.7) with MF_POOL_MH_MANAGER when the device is
 *	formatted: the number of hosts, 1 to 16, 0 for 16; otherwise 0.
 *	On success of a multi-host attach, set to the pool's.
 */
struct mf_pool_attach {
	__u32 size;
	__u32 flags;
	char name[MF_POOL_NAME_LEN];
	__u32 backend;
	__u32 unit_shift;
	__aligned_u64 bytes;
	__u32 node;
	__u32 result;
	__aligned_u64 capacity;
	__u8 uuid[16];
	char path[MF_POOL_PATH_LEN];
	__aligned_u64 reserved;
	__u32 host;
	__u32 nr_hosts;
};

/* The size of the first version of struct mf_pool_attach (ABI 1.1-1.6). */
#define MF_POOL_ATTACH_SIZE_VER0	224

/**
 * struct mf_pool_detach - argument of MF_IOC_POOL_DETACH
 * @size: sizeof(struct mf_pool_detach), set by the caller.
 * @flags: must be 0.
 * @name: the pool to detach.
 * @reserved: must be 0.
 */
struct mf_pool_detach {
	__u32 size;
	__u32 flags;
	char name[MF_POOL_NAME_LEN];
	__aligned_u64 reserved;
};

/* Bits of &struct mf_pool_info.flags. */
#define MF_POOL_INFO_PERSISTENT	(1U << 0)

/**
 * struct mf_pool_info - one pool, as MF_IOC_POOL_LIST reports it
 * @name: the pool's name.
 * @device: fsdax: the device path given at attach; node: "node<N>";
 *	ram: "ram".
 * @backend: MF_POOL_BACKEND_*.
 * @flags: MF_POOL_INFO_* bits.
 * @node: the NUMA node of a node pool, otherwise 0.
 * @unit_shift: log2 of the allocation unit.
 * @bytes: memory taken from the backend (fsdax: of the device).
 * @capacity: bytes the pool can allocate.
 * @used: bytes in allocated extents.
 * @free: bytes in free extents.
 * @largest_free: the largest extent that could be allocated now.
 * @nr_extents: allocated extents.
 * @nr_free_extents: free extents.
 * @meta_bytes: size of the allocator metadata.
 * @unit: allocation unit in bytes.
 * @frag_permille: external fragmentation, 1000 * (1 - largest_free / free).
 * @users: references that keep the pool from being detached.
 * @uuid: the pool's UUID.
 */
struct mf_pool_info {
	char name[MF_POOL_NAME_LEN];
	char device[MF_POOL_PATH_LEN];
	__u32 backend;
	__u32 flags;
	__u32 node;
	__u32 unit_shift;
	__aligned_u64 bytes;
	__aligned_u64 capacity;
	__aligned_u64 used;
	__aligned_u64 free;
	__aligned_u64 largest_free;
	__aligned_u64 nr_extents;
	__aligned_u64 nr_free_extents;
	__aligned_u64 meta_bytes;
	__aligned_u64 unit;
	__u32 frag_permille;
	__u32 users;
	__u8 uuid[16];
};

/**
 * struct mf_pool_list - argument of MF_IOC_POOL_LIST
 * @size: sizeof(struct mf_pool_list), set by the caller.
 * @flags: must be 0.
 * @pools: user pointer to an array of @count entries of @entry_size bytes.
 * @count: in: entries the array holds; out: pools attached, which may be
 *	more than were written (call again with a larger array).
 * @entry_size: sizeof(struct mf_pool_info) as the caller knows it, at
 *	least that of the first version; the kernel writes the first
 *	min(@entry_size, its own size) bytes of each entry, and zeroes the
 *	rest of it.
 * @reserved: must be 0.
 */
struct mf_pool_list {
	__u32 size;
	__u32 flags;
	__aligned_u64 pools;
	__u32 count;
	__u32 entry_size;
	__aligned_u64 reserved;
};

/**
 * struct mf_pool_check - argument of MF_IOC_POOL_CHECK
 * @size: sizeof(struct mf_pool_check), set by the caller.
 * @flags: must be 0.
 * @name: the pool to check.
 * @errors: out: inconsistencies found, 0 if the pool is sound.
 * @first_error: out: where the first one is: a unit number of the
 *	allocator, MF_POOL_CHECK_SUPERBLOCK for the superblock, or
 *	MF_POOL_CHECK_MULTIHOST for a multi-host pool's protocol state (the
 *	manager's on its host, this host's view on a member; @what says
 *	which, "manager: ..." or "member: ...").
 * @what: out: what the first one is, NUL-terminated; "" if none.
 * @reserved: must be 0.
 */
struct mf_pool_check {
	__u32 size;
	__u32 flags;
	char name[MF_POOL_NAME_LEN];
	__aligned_u64 errors;
	__aligned_u64 first_error;
	char what[64];
	__aligned_u64 reserved;
};

#define MF_POOL_CHECK_SUPERBLOCK	(~0ULL)
#define MF_POOL_CHECK_MULTIHOST		(~1ULL)

/**
 * struct mf_pool_open - argument of MF_IOC_POOL_OPEN
 * @size: sizeof(struct mf_pool_open), set by the caller.
 * @flags: must be 0.
 * @name: the pool to open.
 * @fd: out: a new close-on-exec file descriptor that holds a reference on
 *	the pool: the pool cannot be detached (-EBUSY) until it is closed.
 * @reserved: must be 0.
 */
struct mf_pool_open {
	__u32 size;
	__u32 flags;
	char name[MF_POOL_NAME_LEN];
	__s32 fd;
	__u32 reserved;
};

/**
 * struct mf_extent_alloc - argument of MF_IOC_EXTENT_ALLOC
 * @size: sizeof(struct mf_extent_alloc), set by the caller.
 * @flags: must be 0.
 * @pool: name of the pool.
 * @len: bytes to allocate, rounded up to the pool's unit; extents of
 *	2 MiB or more are 2 MiB aligned.
 * @tag: a value kept with the extent (persistent in fsdax pools).  A tag
 *	in the module's own range (MF_TAG_OWN) makes an extent that the
 *	next attach of a persistent pool takes for a crash's leftover.
 * @offset: out: the extent's offset in the pool's data area.
 * @reserved: must be 0.
 */
struct mf_extent_alloc {
	__u32 size;
	__u32 flags;
	char pool[MF_POOL_NAME_LEN];
	__aligned_u64 len;
	__aligned_u64 tag;
	__aligned_u64 offset;
	__aligned_u64 reserved;
};

/*
 * Extent tags whose top 16 bits are "MF" belong to the module: object
 * data and the namespace and object records.  MF_IOC_EXTENT_FREE refuses
 * to free such an extent (EBUSY): it is freed with the object that owns
 * it, or by the next attach if no record lists it.
 */
#define MF_TAG_OWN_MASK		0xffff000000000000ULL
#define MF_TAG_OWN		0x4d46000000000000ULL

/**
 * struct mf_extent_free - argument of MF_IOC_EXTENT_FREE
 * @size: sizeof(struct mf_extent_free), set by the caller.
 * @flags: must be 0.
 * @pool: name of the pool.
 * @offset: the offset MF_IOC_EXTENT_ALLOC returned.
 * @len: out: the length of the extent freed.
 * @tag: out: its tag.
 * @reserved: must be 0.
 */
struct mf_extent_free {
	__u32 size;
	__u32 flags;
	char pool[MF_POOL_NAME_LEN];
	__aligned_u64 offset;
	__aligned_u64 len;
	__aligned_u64 tag;
	__aligned_u64 reserved;
};

/**
 * struct mf_extent_info - one allocated extent, as MF_IOC_EXTENT_LIST
 *	reports it
 * @offset: offset in the pool's data area.
 * @len: length in bytes.
 * @tag: the tag given at allocation.
 */
struct mf_extent_info {
	__aligned_u64 offset;
	__aligned_u64 len;
	__aligned_u64 tag;
};

/**
 * struct mf_extent_list - argument of MF_IOC_EXTENT_LIST
 * @size: sizeof(struct mf_extent_list), set by the caller.
 * @flags: must be 0.
 * @pool: name of the pool.
 * @extents: user pointer to an array of @count struct mf_extent_info, in
 *	which the allocated extents are written in offset order.
 * @count: in: entries the array holds; out: extents allocated, which may
 *	be more than were written.
 * @entry_size: sizeof(struct mf_extent_info) as the caller knows it (as
 *	for &struct mf_pool_list).
 * @reserved: must be 0.
 */
struct mf_extent_list {
	__u32 size;
	__u32 flags;
	char pool[MF_POOL_NAME_LEN];
	__aligned_u64 extents;
	__u32 count;
	__u32 entry_size;
	__aligned_u64 reserved;
};

/*
 * Attach a pool.  Needs CAP_SYS_ADMIN.  Errors: EEXIST the name is taken;
 * EINVAL bad name, backend, size, unit or node, or an fsdax pool loaded
 * under another name, size or unit than it has; ENODEV node without
 * memory; ENOENT/ENOTBLK/EBUSY from opening the device (EBUSY: another
 * holder, e.g. a mounted file system or another pool); EOPNOTSUPP the
 * device has no fs-dax support; EMEDIUMTYPE the device holds data that is
 * not a memfabric pool (or a pool of a newer format); EUCLEAN corrupt
 * pool superblock (attach with MF_POOL_FORMAT to format either); ENOSPC
 * device too small; ENOMEM.
 */
#define MF_IOC_POOL_ATTACH	_IOC(_IOC_READ | _IOC_WRITE, MF_IOC_MAGIC, 0x01, \
				     MF_POOL_ATTACH_SIZE_VER0)
/*
 * Detach a pool; a persistent pool stays on its device.  Needs
 * CAP_SYS_ADMIN.  EBUSY while the pool has users (open pool handles);
 * ENOENT no such pool.
 */
#define MF_IOC_POOL_DETACH	_IOW(MF_IOC_MAGIC, 0x02, struct mf_pool_detach)
/* List the attached pools, in order of attachment.  Needs no privilege. */
#define MF_IOC_POOL_LIST	_IOWR(MF_IOC_MAGIC, 0x03, struct mf_pool_list)
/* Check a pool's metadata.  Needs no privilege. */
#define MF_IOC_POOL_CHECK	_IOWR(MF_IOC_MAGIC, 0x04, struct mf_pool_check)
/* Open a handle on a pool (a pool user).  Needs no privilege. */
#define MF_IOC_POOL_OPEN	_IOWR(MF_IOC_MAGIC, 0x05, struct mf_pool_open)
/*
 * Raw extents, for administrators and tests; all need CAP_SYS_ADMIN.
 * ALLOC: ENOSPC no free extent is large enough (MF_IOC_POOL_LIST's
 * largest_free tells the largest that is; a request of 2 MiB or more
 * needs an aligned fit); EINVAL len 0 or beyond the pool's capacity.
 * FREE: ENOENT the offset is not
 * that of an allocated extent; EBUSY the extent belongs to an object or a
 * record (its tag is in the module's range).  EUCLEAN
 * from any of them: the pool's metadata was found corrupt (nothing is
 * changed).  ENOENT for a pool that is not attached.
 */
#define MF_IOC_EXTENT_ALLOC	_IOWR(MF_IOC_MAGIC, 0x06, struct mf_extent_alloc)
#define MF_IOC_EXTENT_FREE	_IOWR(MF_IOC_MAGIC, 0x07, struct mf_extent_free)
#define MF_IOC_EXTENT_LIST	_IOWR(MF_IOC_MAGIC, 0x08, struct mf_extent_list)

/*
 * Namespaces and objects (ABI 1.2, MF_FEAT_OBJECTS).
 *
 * A namespace lives in one pool and is named 1 to MF_NS_NAME_LEN - 1
 * characters of [A-Za-z0-9_.:-], unique in its pool.  It is guarded by a
 * secId, 1 to MF_SECID_LEN - 1 bytes of anything but NUL: every ioctl that
 * names a namespace must give its secId (EACCES otherwise); the kernel
 * keeps only a salted SHA-256 of it.  Anyone who can open /dev/memfabric
 * may create a namespace.
 *
 * An object lives in a namespace under an id of 1 to MF_OBJ_ID_LEN - 1
 * characters of [A-Za-z0-9_.:-], unique in the namespace.  It is
 * MF_OBJ_PRIVATE_RW when allocated: only its owner (the creator's fsuid)
 * or CAP_SYS_ADMIN may read it, write it, derive from it, publish it or
 * free it.  Publishing makes it MF_OBJ_SHARED_RO, for good: anyone who
 * holds a handle on it may read it, nobody may write it, and once it is
 * unreferenced and older than its namespace's TTL the kernel reclaims it.
 *
 * Handles.  MF_IOC_OBJ_ALLOC, MF_IOC_OBJ_GET and MF_IOC_OBJ_DERIVE give
 * the calling open file a reference on the object and return its map
 * offset, a multiple of the page size unique among live objects: the
 * object's mmap() offset, and the handle by which the other object ioctls
 * of that open file (and of processes sharing it through fork or
 * SCM_RIGHTS) name it.  MF_IOC_OBJ_PUT drops one reference; closing the
 * last descriptor of the open file drops all of them.
 *
 * Lifetime.  MF_IOC_OBJ_FREE hides an object from lookup at once; its
 * memory returns to the pool when its last reference goes.  Objects of an
 * fsdax pool are persistent: they, their contents and ids survive a
 * detach, module reload or reboot (map offsets do not).
 *
 * Sizes are in bytes; an object is 1 byte to MF_OBJ_MAX_SIZE.
 */
#define MF_NS_NAME_LEN		64
#define MF_SECID_LEN		64
#define MF_OBJ_ID_LEN		64
#define MF_OBJ_MAX_SIZE		(1ULL << 40)

/* Object types. */
#define MF_OBJ_PRIVATE_RW	1
#define MF_OBJ_SHARED_RO	2

/**
 * struct mf_obj_name - an object by name, in several ioctl structs
 * @pool: the pool's name.
 * @ns: the namespace's name, NUL-terminated and zero-padded.
 * @secid: the namespace's secId, NUL-terminated and zero-padded.
 * @id: the object's id, NUL-terminated and zero-padded.
 */
struct mf_obj_name {
	char pool[MF_POOL_NAME_LEN];
	char ns[MF_NS_NAME_LEN];
	char secid[MF_SECID_LEN];
	char id[MF_OBJ_ID_LEN];
};

/**
 * struct mf_ns_create - argument of MF_IOC_NS_CREATE
 * @size: sizeof(struct mf_ns_create), set by the caller.
 * @flags: must be 0.
 * @pool: the pool to create it in.
 * @name: the namespace's name.
 * @secid: its secId.
 * @ttl: seconds a published object lives once unreferenced and that old
 *	(age counts from its creation); 0: forever.
 * @attr: an attribute word kept with the namespace and reported by
 *	MF_IOC_NS_LIST; not interpreted by the kernel.
 * @reserved: must be 0.
 */
struct mf_ns_create {
	__u32 size;
	__u32 flags;
	char pool[MF_POOL_NAME_LEN];
	char name[MF_NS_NAME_LEN];
	char secid[MF_SECID_LEN];
	__aligned_u64 ttl;
	__u32 attr;
	__u32 reserved;
};

/*
 * Flags of &struct mf_ns_destroy:
 * MF_NS_FORCE: destroy the namespace even if it holds objects: they are
 *	freed at once (as MF_IOC_OBJ_FREE, whoever owns them), the memory of
 *	those still referenced when their last reference goes.
 */
#define MF_NS_FORCE		(1U << 0)

/**
 * struct mf_ns_destroy - argument of MF_IOC_NS_DESTROY
 * @size: sizeof(struct mf_ns_destroy), set by the caller.
 * @flags: MF_NS_FORCE or 0.
 * @pool: the pool.
 * @name: the namespace.
 * @secid: its secId.
 * @freed: out: objects freed at once.
 * @deferred: out: objects freed whose memory waits for their last
 *	reference to go.
 * @reserved: must be 0.
 */
struct mf_ns_destroy {
	__u32 size;
	__u32 flags;
	char pool[MF_POOL_NAME_LEN];
	char name[MF_NS_NAME_LEN];
	char secid[MF_SECID_LEN];
	__aligned_u64 freed;
	__aligned_u64 deferred;
	__aligned_u64 reserved;
};

/**
 * struct mf_ns_info - one namespace, as MF_IOC_NS_LIST reports it
 * @pool: its pool.
 * @name: its name.
 * @ttl: as given at creation.
 * @nr_objects: objects in it (not counting freed ones).
 * @bytes: their total size.
 * @ctime: when it was created, seconds since the epoch.
 * @attr: as given at creation.
 * @flags: 0.
 */
struct mf_ns_info {
	char pool[MF_POOL_NAME_LEN];
	char name[MF_NS_NAME_LEN];
	__aligned_u64 ttl;
	__aligned_u64 nr_objects;
	__aligned_u64 bytes;
	__aligned_u64 ctime;
	__u32 attr;
	__u32 flags;
};

/**
 * struct mf_ns_list - argument of MF_IOC_NS_LIST
 * @size: sizeof(struct mf_ns_list), set by the caller.
 * @flags: must be 0.
 * @pool: list this pool's namespaces; all zero: those of every pool.
 * @namespaces: user pointer to an array of @count entries of @entry_size
 *	bytes.
 * @count: in: entries the array holds; out: namespaces there are, which
 *	may be more than were written.
 * @entry_size: sizeof(struct mf_ns_info) as the caller knows it (as for
 *	&struct mf_pool_list).
 * @reserved: must be 0.
 */
struct mf_ns_list {
	__u32 size;
	__u32 flags;
	char pool[MF_POOL_NAME_LEN];
	__aligned_u64 namespaces;
	__u32 count;
	__u32 entry_size;
	__aligned_u64 reserved;
};

/*
 * The sizes of the first versions of the structs that grew since: the
 * ioctl numbers encode these and never change (ABI 1.5 added @serial
 * fields at the end).
 */
#define MF_OBJ_ALLOC_SIZE_VER0		256
#define MF_OBJ_GET_SIZE_VER0		256
#define MF_OBJ_STAT_SIZE_VER0		248
#define MF_OBJ_DERIVE_SIZE_VER0		232
#define MF_OBJ_COPY_SIZE_VER0		56
#define MF_OBJ_COMMIT_SIZE_VER0		248

/**
 * struct mf_obj_alloc - argument of MF_IOC_OBJ_ALLOC
 * @size: sizeof(struct mf_obj_alloc), set by the caller.
 * @flags: must be 0.
 * @name: the object to create; an all-zero @name.id asks the kernel for a
 *	unique id, which it writes back there.
 * @bytes: the object's size.
 * @map_offset: out: its map offset (handle).
 * @type: out: MF_OBJ_PRIVATE_RW.
 * @reserved: must be 0.
 * @serial: out: the object's serial number (ABI 1.5, MF_FEAT_SERIAL):
 *	unique among all objects since the module was loaded, never reused.
 *	Map offsets are reused after about 4 million objects; a caller that
 *	keeps a handle across a race with its own put passes the serial to
 *	the data calls, which then never reach another object.
 */
struct mf_obj_alloc {
	__u32 size;
	__u32 flags;
	struct mf_obj_name name;
	__aligned_u64 bytes;
	__aligned_u64 map_offset;
	__u32 type;
	__u32 reserved;
	__aligned_u64 serial;
};

/**
 * struct mf_obj_get - argument of MF_IOC_OBJ_GET
 * @size: sizeof(struct mf_obj_get), set by the caller.
 * @flags: must be 0.
 * @name: the object.
 * @bytes: out: its size.
 * @map_offset: out: its map offset (handle).
 * @type: out: MF_OBJ_PRIVATE_RW or MF_OBJ_SHARED_RO.
 * @reserved: must be 0.
 * @serial: out: its serial number (ABI 1.5; see struct mf_obj_alloc).
 */
struct mf_obj_get {
	__u32 size;
	__u32 flags;
	struct mf_obj_name name;
	__aligned_u64 bytes;
	__aligned_u64 map_offset;
	__u32 type;
	__u32 reserved;
	__aligned_u64 serial;
};

/**
 * struct mf_obj_put - argument of MF_IOC_OBJ_PUT
 * @size: sizeof(struct mf_obj_put), set by the caller.
 * @flags: must be 0.
 * @obj: the object's map offset.
 * @reserved: must be 0.
 */
struct mf_obj_put {
	__u32 size;
	__u32 flags;
	__aligned_u64 obj;
	__aligned_u64 reserved;
};

/**
 * struct mf_obj_free - argument of MF_IOC_OBJ_FREE and MF_IOC_OBJ_PUBLISH
 * @size: sizeof(struct mf_obj_free), set by the caller.
 * @flags: must be 0.
 * @name: the object.
 * @reserved: must be 0.
 */
struct mf_obj_free {
	__u32 size;
	__u32 flags;
	struct mf_obj_name name;
	__aligned_u64 reserved;
};

/**
 * struct mf_obj_batch_free - argument of MF_IOC_OBJ_BATCH_FREE
 * @size: sizeof(struct mf_obj_batch_free), set by the caller.
 * @flags: must be 0.
 * @pool: the pool.
 * @ns: the namespace.
 * @secid: its secId.
 * @ids: user pointer to an array of @count ids of MF_OBJ_ID_LEN bytes
 *	each (NUL-terminated, zero-padded).
 * @count: ids in the array, at most MF_OBJ_BATCH_MAX.
 * @nr_freed: out: ids freed.
 * @first_failed: out: index of the first id that could not be freed, or
 *	@count if all were.
 * @first_error: out: the positive errno of that failure, 0 if none.
 * @reserved: must be 0.
 */
struct mf_obj_batch_free {
	__u32 size;
	__u32 flags;
	char pool[MF_POOL_NAME_LEN];
	char ns[MF_NS_NAME_LEN];
	char secid[MF_SECID_LEN];
	__aligned_u64 ids;
	__u32 count;
	__u32 nr_freed;
	__u32 first_failed;
	__s32 first_error;
	__aligned_u64 reserved;
};

#define MF_OBJ_BATCH_MAX	65536

/**
 * struct mf_obj_expand - argument of MF_IOC_OBJ_EXPAND
 * @size: sizeof(struct mf_obj_expand), set by the caller.
 * @flags: must be 0.
 * @obj: the object's map offset.
 * @bytes: its new size, larger than the old one.
 * @reserved: must be 0.
 */
struct mf_obj_expand {
	__u32 size;
	__u32 flags;
	__aligned_u64 obj;
	__aligned_u64 bytes;
	__aligned_u64 reserved;
};

/* Bits of &struct mf_obj_stat.obj_flags. */
#define MF_OBJ_STAT_FREED	(1U << 0)	/* freed; waits for its references */

/**
 * struct mf_obj_stat - argument of MF_IOC_OBJ_STAT
 * @size: sizeof(struct mf_obj_stat), set by the caller.
 * @flags: must be 0.
 * @obj: the object's map offset.
 * @bytes: out: its size.
 * @type: out: MF_OBJ_PRIVATE_RW or MF_OBJ_SHARED_RO.
 * @obj_flags: out: MF_OBJ_STAT_* bits.
 * @refs: out: its references (handles of every open file, mappings).
 * @map_count: out: mappings of it.
 * @owner: out: its owner's uid.
 * @nr_extents: out: pieces of pool memory it is made of.
 * @nr_shared: out: those it shares with other objects (derive).
 * @age: out: seconds since its creation.
 * @ctime: out: its creation time, seconds since the epoch.
 * @ext_bytes: out: pool memory its pieces cover (its size rounded up to
 *	the pool's unit).
 * @pool: out: its pool.
 * @ns: out: its namespace.
 * @id: out: its id.
 * @reserved: must be 0.
 * @serial: out: its serial number (ABI 1.5; see struct mf_obj_alloc).
 */
struct mf_obj_stat {
	__u32 size;
	__u32 flags;
	__aligned_u64 obj;
	__aligned_u64 bytes;
	__u32 type;
	__u32 obj_flags;
	__aligned_u64 refs;
	__u32 map_count;
	__u32 owner;
	__u32 nr_extents;
	__u32 nr_shared;
	__aligned_u64 age;
	__aligned_u64 ctime;
	__aligned_u64 ext_bytes;
	char pool[MF_POOL_NAME_LEN];
	char ns[MF_NS_NAME_LEN];
	char id[MF_OBJ_ID_LEN];
	__aligned_u64 reserved;
	__aligned_u64 serial;
};

/**
 * struct mf_obj_derive - argument of MF_IOC_OBJ_DERIVE
 * @size: sizeof(struct mf_obj_derive), set by the caller.
 * @flags: must be 0.
 * @src: the source object's map offset.
 * @ns: the new object's namespace, in the source's pool.
 * @secid: that namespace's secId.
 * @id: the new object's id; all zero asks for a unique one, written back.
 * @bytes: out: its size, the source's.
 * @map_offset: out: its map offset (handle).
 * @type: out: MF_OBJ_PRIVATE_RW.
 * @reserved: must be 0.
 * @serial: out: the new object's serial number (ABI 1.5).
 */
struct mf_obj_derive {
	__u32 size;
	__u32 flags;
	__aligned_u64 src;
	char ns[MF_NS_NAME_LEN];
	char secid[MF_SECID_LEN];
	char id[MF_OBJ_ID_LEN];
	__aligned_u64 bytes;
	__aligned_u64 map_offset;
	__u32 type;
	__u32 reserved;
	__aligned_u64 serial;
};

/**
 * struct mf_obj_io - argument of MF_IOC_OBJ_READ and MF_IOC_OBJ_WRITE
 * @size: sizeof(struct mf_obj_io), set by the caller.
 * @flags: must be 0.
 * @obj: the object's map offset.
 * @offset: where in the object.
 * @length: bytes to transfer; the range must lie within the object.
 * @buf: user pointer to @length bytes.
 * @serial: 0, or the object's serial number (ABI 1.5; before, a reserved
 *	field that had to be 0): the call fails with ENOENT if the handle
 *	@obj now names an object with another serial.
 */
struct mf_obj_io {
	__u32 size;
	__u32 flags;
	__aligned_u64 obj;
	__aligned_u64 offset;
	__aligned_u64 length;
	__aligned_u64 buf;
	__aligned_u64 serial;
};

/**
 * struct mf_obj_copy - argument of MF_IOC_OBJ_COPY
 * @size: sizeof(struct mf_obj_copy), set by the caller.
 * @flags: must be 0.
 * @src: the source object's map offset.
 * @src_offset: where in it.
 * @dst: the destination object's map offset (may be @src; the two
 *	ranges must then not overlap).
 * @dst_offset: where in it.
 * @length: bytes to copy.
 * @reserved: must be 0.
 * @src_serial: 0, or @src's serial number (ABI 1.5): ENOENT if the handle
 *	now names another object.
 * @dst_serial: the same for @dst.
 */
struct mf_obj_copy {
	__u32 size;
	__u32 flags;
	__aligned_u64 src;
	__aligned_u64 src_offset;
	__aligned_u64 dst;
	__aligned_u64 dst_offset;
	__aligned_u64 length;
	__aligned_u64 reserved;
	__aligned_u64 src_serial;
	__aligned_u64 dst_serial;
};

/**
 * struct mf_gather_elem - one source range of MF_IOC_OBJ_GATHER
 * @obj: the object's map offset.
 * @offset: where in it.
 * @length: bytes.
 */
struct mf_gather_elem {
	__aligned_u64 obj;
	__aligned_u64 offset;
	__aligned_u64 length;
};

/*
 * Operations of MF_IOC_OBJ_GATHER:
 * MF_GATHER_CONCAT: the sources one after the other (@dtype 0).
 * MF_GATHER_SUM, _MIN, _MAX: element by element over sources of one
 *	length, a multiple of 8, as @dtype: MF_DTYPE_S64 (sums wrap around
 *	modulo 2^64) or MF_DTYPE_F64 (IEEE 754 doubles: sums round to
 *	nearest, in source order; MIN and MAX order -0.0 below +0.0 and
 *	return the first NaN they meet).  Values are in the CPU's byte order.
 */
#define MF_GATHER_CONCAT	0
#define MF_GATHER_SUM		1
#define MF_GATHER_MIN		2
#define MF_GATHER_MAX		3

#define MF_DTYPE_NONE		0
#define MF_DTYPE_S64		1
#define MF_DTYPE_F64		2

#define MF_GATHER_MAX_ELEMS	4096

/**
 * struct mf_obj_gather - argument of MF_IOC_OBJ_GATHER
 * @size: sizeof(struct mf_obj_gather), set by the caller.
 * @flags: must be 0.
 * @op: MF_GATHER_*.
 * @dtype: MF_DTYPE_* (MF_DTYPE_NONE for MF_GATHER_CONCAT).
 * @dst: the destination object's map offset.
 * @dst_offset: where the result goes in it.  No source range may overlap
 *	the result's range in the same object.
 * @elems: user pointer to @count entries of @elem_size bytes, each a
 *	struct mf_gather_elem (a larger @elem_size is accepted when the
 *	bytes beyond it are zero).
 * @count: 1 to MF_GATHER_MAX_ELEMS.
 * @elem_size: sizeof(struct mf_gather_elem) as the caller knows it.
 * @length: out: bytes written to the destination.
 * @reserved: must be 0.
 */
struct mf_obj_gather {
	__u32 size;
	__u32 flags;
	__u32 op;
	__u32 dtype;
	__aligned_u64 dst;
	__aligned_u64 dst_offset;
	__aligned_u64 elems;
	__u32 count;
	__u32 elem_size;
	__aligned_u64 length;
	__aligned_u64 reserved;
};

/**
 * struct mf_obj_swapin - argument of MF_IOC_OBJ_SWAPIN
 * @size: sizeof(struct mf_obj_swapin), set by the caller.
 * @flags: must be 0.
 * @obj: the destination object's map offset.
 * @offset: where in it.
 * @fd: a file descriptor open for reading.
 * @reserved32: must be 0.
 * @file_offset: where to start reading the file.
 * @length: bytes to read at most; the range must lie within the object.
 * @done: out: bytes read and written (less than @length at end of file).
 * @reserved: must be 0.
 */
struct mf_obj_swapin {
	__u32 size;
	__u32 flags;
	__aligned_u64 obj;
	__aligned_u64 offset;
	__s32 fd;
	__u32 reserved32;
	__aligned_u64 file_offset;
	__aligned_u64 length;
	__aligned_u64 done;
	__aligned_u64 reserved;
};

/*
 * Namespace ioctls; none needs privilege.
 * CREATE: EEXIST the name is taken in the pool; EINVAL bad name or secId;
 *	ENOENT no such pool; ENOSPC no room for its record (fsdax).
 * DESTROY: EACCES wrong secId; EBUSY it holds objects and MF_NS_FORCE is
 *	not given; ENOENT no such pool or namespace.
 * LIST: the namespaces of one pool or of all, in creation order per pool.
 */
#define MF_IOC_NS_CREATE	_IOW(MF_IOC_MAGIC, 0x10, struct mf_ns_create)
#define MF_IOC_NS_DESTROY	_IOWR(MF_IOC_MAGIC, 0x11, struct mf_ns_destroy)
#define MF_IOC_NS_LIST		_IOWR(MF_IOC_MAGIC, 0x12, struct mf_ns_list)

/*
 * Object ioctls; none needs privilege.  Common errors: EINVAL bad name,
 * id, size, flags, range or reserved field; ENOENT no such pool,
 * namespace or object, or a map offset this open file holds no handle
 * on; EACCES wrong secId, a private object of another owner, or a write
 * to a published object; EPERM freeing or publishing another owner's
 * object; EOVERFLOW an offset + length that overflows; ENOSPC the pool is
 * full; EFAULT a bad user pointer; EINTR a fatal signal stopped a long
 * transfer (what was done stays done).
 * ALLOC: EEXIST the id is taken.
 * GET, PUT: take and drop one handle reference of this open file.
 * FREE, BATCH_FREE: hide the object(s) at once; the memory returns when
 *	the last reference goes.  BATCH_FREE reports per-id failures in its
 *	struct and fails as a whole only for a bad struct, pool, namespace
 *	or secId.
 * PUBLISH: EALREADY the object is published already.
 * EXPAND: EINVAL a size not larger than the current one.
 * STAT: what the object looks like now.
 * DERIVE: a new private object that shares the source's memory until
 *	either is written (2 MiB pieces are copied on the first write).
 * READ, WRITE, COPY, GATHER, SWAPIN: the data path; EIO a media error
 *	while reading pool memory.
 */
#define MF_IOC_OBJ_ALLOC	_IOC(_IOC_READ | _IOC_WRITE, MF_IOC_MAGIC, 0x18, \
				     MF_OBJ_ALLOC_SIZE_VER0)
#define MF_IOC_OBJ_GET		_IOC(_IOC_READ | _IOC_WRITE, MF_IOC_MAGIC, 0x19, \
				     MF_OBJ_GET_SIZE_VER0)
#define MF_IOC_OBJ_PUT		_IOW(MF_IOC_MAGIC, 0x1a, struct mf_obj_put)
#define MF_IOC_OBJ_FREE		_IOW(MF_IOC_MAGIC, 0x1b, struct mf_obj_free)
#define MF_IOC_OBJ_BATCH_FREE	_IOWR(MF_IOC_MAGIC, 0x1c, struct mf_obj_batch_free)
#define MF_IOC_OBJ_PUBLISH	_IOW(MF_IOC_MAGIC, 0x1d, struct mf_obj_free)
#define MF_IOC_OBJ_EXPAND	_IOW(MF_IOC_MAGIC, 0x1e, struct mf_obj_expand)
#define MF_IOC_OBJ_STAT		_IOC(_IOC_READ | _IOC_WRITE, MF_IOC_MAGIC, 0x1f, \
				     MF_OBJ_STAT_SIZE_VER0)
#define MF_IOC_OBJ_DERIVE	_IOC(_IOC_READ | _IOC_WRITE, MF_IOC_MAGIC, 0x20, \
				     MF_OBJ_DERIVE_SIZE_VER0)
#define MF_IOC_OBJ_READ		_IOW(MF_IOC_MAGIC, 0x21, struct mf_obj_io)
#define MF_IOC_OBJ_WRITE	_IOW(MF_IOC_MAGIC, 0x22, struct mf_obj_io)
#define MF_IOC_OBJ_COPY		_IOC(_IOC_WRITE, MF_IOC_MAGIC, 0x23, \
				     MF_OBJ_COPY_SIZE_VER0)
#define MF_IOC_OBJ_GATHER	_IOWR(MF_IOC_MAGIC, 0x24, struct mf_obj_gather)
#define MF_IOC_OBJ_SWAPIN	_IOWR(MF_IOC_MAGIC, 0x25, struct mf_obj_swapin)

/*
 * Mappings (ABI 1.3, MF_FEAT_MMAP).
 *
 * mmap() of /dev/memfabric at an object's map offset maps the object; the
 * open file must hold a handle on it (ENOENT otherwise: EINVAL for an
 * offset that names no object).  The range must lie within the object's
 * size rounded up to the page size.  A mapping holds a reference on the
 * object until munmap().
 * - MAP_SHARED maps the pool's memory itself: no local copy.  PROT_WRITE
 *   needs a private object and its owner (or CAP_SYS_ADMIN), otherwise
 *   EACCES; a read-only MAP_SHARED mapping of a published object can
 *   never be made writable (mprotect() gives EACCES).
 * - MAP_PRIVATE maps the same memory copy-on-write: a write copies the
 *   page into the process's anonymous memory, and neither the pool nor
 *   any other mapping sees it.  Any reader may map a published object
 *   this way with PROT_WRITE.  MF_IOC_OBJ_COMMIT turns the modified copy
 *   into a new object.
 * - Where a MAP_SHARED mapping, the object's piece and the virtual address
 *   are 2 MiB aligned in a devmap (fsdax) pool, a fault maps 2 MiB with
 *   one PMD entry.  MAP_PRIVATE mappings use 4 KiB pages.
 * - Publish fails with EBUSY while a MAP_SHARED mapping that could write
 *   the object (one made with PROT_WRITE, or able to get it through
 *   mprotect()) exists: munmap it first.
 * - Derive-on-write and expand keep existing mappings valid.
 * - MF_MAP_LONGTERM (ABI 1.4, MF_FEAT_MMAP_LONGTERM) or'ed into the map
 *   offset asks for a mapping whose pages may be pinned for long (RDMA
 *   registration with write access, ibv_reg_mr()).  It must be MAP_SHARED
 *   with PROT_WRITE (EINVAL otherwise; EACCES as above).  Every fault of
 *   such a mapping, read or write, first makes the range the object's own
 *   (a piece shared with a derived object is copied), so the core mm never
 *   needs to tell the module about a later write, and the mapping needs no
 *   write notification, which Linux 6.5 and later refuse to pin for long.
 *   While such a mapping exists, MF_IOC_OBJ_DERIVE from the object fails
 *   with EBUSY (a pin would keep the pages a derived object shares), as
 *   does MF_IOC_OBJ_PUBLISH (it is writable).  The mapping's offset is the
 *   object's own (the flag is not kept in vm_pgoff).
 */

/* Or'ed into an object's map offset: a long-term-pinnable mapping. */
#define MF_MAP_LONGTERM		(1ULL << 62)

/* Flags of &struct mf_obj_commit. */
#define MF_COMMIT_PUBLISH	(1U << 0)

/**
 * struct mf_obj_commit - argument of MF_IOC_OBJ_COMMIT
 * @size: sizeof(struct mf_obj_commit), set by the caller.
 * @flags: MF_COMMIT_* flags.
 * @addr: start of a range of this process's MAP_PRIVATE mapping of an
 *	object, page aligned.
 * @length: bytes of the range, within that one mapping.
 * @ns: the new object's namespace, in the source's pool.
 * @secid: that namespace's secId.
 * @id: the new object's id; all zero asks for a unique one, written back.
 * @bytes: out: its size, the source's.
 * @map_offset: out: its map offset (handle).
 * @copied: out: bytes of modified pages copied into it.
 * @type: out: MF_OBJ_PRIVATE_RW, or MF_OBJ_SHARED_RO with
 *	MF_COMMIT_PUBLISH.
 * @reserved: must be 0.
 * @serial: out: the new object's serial number (ABI 1.5).
 *
 * The new object shares the source's memory (as MF_IOC_OBJ_DERIVE does)
 * and holds the pages of the range that this process has written through
 * the mapping; the rest of it is the source's.  The caller must be
 * allowed to read the source.
 */
struct mf_obj_commit {
	__u32 size;
	__u32 flags;
	__aligned_u64 addr;
	__aligned_u64 length;
	char ns[MF_NS_NAME_LEN];
	char secid[MF_SECID_LEN];
	char id[MF_OBJ_ID_LEN];
	__aligned_u64 bytes;
	__aligned_u64 map_offset;
	__aligned_u64 copied;
	__u32 type;
	__u32 reserved;
	__aligned_u64 serial;
};

/*
 * COMMIT: EINVAL the range is not page aligned, is empty or is not all in
 *	one MAP_PRIVATE mapping of an object; EEXIST the id is taken; the
 *	common object errors otherwise.
 */
#define MF_IOC_OBJ_COMMIT	_IOC(_IOC_READ | _IOC_WRITE, MF_IOC_MAGIC, 0x30, \
				     MF_OBJ_COMMIT_SIZE_VER0)

/*
 * Identity-bound files (ABI 1.6, MF_FEAT_FILE_BIND).
 */

/**
 * struct mf_file_bind - argument of MF_IOC_FILE_BIND
 * @size: sizeof(struct mf_file_bind), set by the caller.
 * @flags: must be 0.
 * @uid: out: the bound fsuid, in the caller's user namespace (the
 *	overflow uid if it has no mapping there).
 * @gid: out: the bound fsgid, likewise.
 * @reserved: must be 0.
 *
 * Binds the open file, for good, to the credentials it was opened with
 * (its opener's fsuid, fsgid and supplementary groups).  From then on
 * every call through the file, by any process that holds it (fork, exec,
 * SCM_RIGHTS), is checked against those credentials and never against
 * the caller's, and no capability overrides an ownership check through
 * it: the file acts as its opener would as an unprivileged user.
 * Objects created through it are owned by the bound fsuid.  The pool
 * administration ioctls (POOL_ATTACH, POOL_DETACH, EXTENT_ALLOC,
 * EXTENT_FREE, EXTENT_LIST) are refused through it (EPERM), and
 * POOL_CHECK gives no fresh check.  Only the opener's fsuid, or
 * CAP_SYS_ADMIN, may bind a file.
 */
struct mf_file_bind {
	__u32 size;
	__u32 flags;
	__u32 uid;
	__u32 gid;
	__aligned_u64 reserved;
};

/*
 * FILE_BIND: EALREADY the file is bound already; EPERM the caller's fsuid
 *	is not the opener's and it lacks CAP_SYS_ADMIN; EINVAL a flag or
 *	reserved set.
 */
#define MF_IOC_FILE_BIND	_IOWR(MF_IOC_MAGIC, 0x31, struct mf_file_bind)

/*
 * Generic netlink (MF_FEAT_NETLINK).
 *
 * The generic netlink family MEMFABRIC_GENL_NAME reports memfabric's
 * state in bulk and its changes as they happen; Documentation/netlink.md
 * describes it.  Userspace resolves the family and the multicast group
 * MEMFABRIC_GENL_MCGRP_EVENTS by name (CTRL_CMD_GETFAMILY).  Requests are
 * validated strictly: an attribute the command does not take, an
 * attribute of the wrong type or length, or a non-zero reserved field of
 * the generic netlink header gives -EINVAL.  The family lives in the
 * initial network namespace only.
 *
 * Commands (requests):
 * MF_NL_CMD_POOL_GET: dump: one message per attached pool, by name.
 *	Needs no privilege (as MF_IOC_POOL_LIST).
 * MF_NL_CMD_NS_GET: dump: one message per namespace, by pool then name;
 *	MF_NL_ATTR_POOL limits it to one pool.  Needs no privilege (as
 *	MF_IOC_NS_LIST).
 * MF_NL_CMD_OBJ_GET: dump: one message per object, by pool, namespace
 *	then id; MF_NL_ATTR_POOL and MF_NL_ATTR_NS filter.  Without the dump
 *	flag: the one object named by MF_NL_ATTR_POOL, MF_NL_ATTR_NS and
 *	MF_NL_ATTR_ID (ENOENT if there is none).  Needs CAP_SYS_ADMIN
 *	(EPERM): it shows every namespace's objects without their secIds.
 *	Freed objects that wait for their last reference are not shown.
 *
 * Events, multicast to the group MEMFABRIC_GENL_MCGRP_EVENTS (joining it
 * needs CAP_SYS_ADMIN), with the command set to:
 * MF_NL_CMD_OBJ_CREATED: an object was allocated, derived or committed.
 * MF_NL_CMD_OBJ_PUBLISHED: it became MF_OBJ_SHARED_RO.
 * MF_NL_CMD_OBJ_FREED: it was freed (MF_IOC_OBJ_FREE, _BATCH_FREE, or its
 *	namespace destroyed with MF_NS_FORCE); its memory returns when its
 *	last reference goes.
 * MF_NL_CMD_OBJ_RECLAIMED: the TTL reclaim freed it.
 *	Object events carry POOL, NS, ID, SIZE, TYPE and OWNER.
 * MF_NL_CMD_NS_CREATED, MF_NL_CMD_NS_DESTROYED: carry POOL, NS, TTL and
 *	ATTR.
 * MF_NL_CMD_POOL_LOW: the pool's free bytes fell below
 *	MF_NL_POOL_LOW_PERCENT of its capacity.
 * MF_NL_CMD_POOL_OK: they rose again to MF_NL_POOL_OK_PERCENT or more
 *	after a MF_NL_CMD_POOL_LOW.  Pool events carry POOL, CAPACITY, USED
 *	and FREE, and are sent only on these transitions.
 * MF_NL_CMD_HOST_JOINED: a host joined a multi-host pool, or rejoined
 *	it under a new epoch.
 * MF_NL_CMD_HOST_LOST: the pool's manager gave a host up (its lease ran
 *	out), or a member learnt that the manager gave it up.
 *	Host events carry POOL, HOST and EPOCH.  The manager's host sends
 *	them for every host; a member's host for itself only.
 */
#define MEMFABRIC_GENL_NAME		"memfabric"
#define MEMFABRIC_GENL_VERSION		1
#define MEMFABRIC_GENL_MCGRP_EVENTS	"events"

#define MF_NL_POOL_LOW_PERCENT		10
#define MF_NL_POOL_OK_PERCENT		15

enum mf_nl_cmd {
	MF_NL_CMD_UNSPEC,
	MF_NL_CMD_POOL_GET,
	MF_NL_CMD_NS_GET,
	MF_NL_CMD_OBJ_GET,
	MF_NL_CMD_OBJ_CREATED,
	MF_NL_CMD_OBJ_PUBLISHED,
	MF_NL_CMD_OBJ_FREED,
	MF_NL_CMD_OBJ_RECLAIMED,
	MF_NL_CMD_NS_CREATED,
	MF_NL_CMD_NS_DESTROYED,
	MF_NL_CMD_POOL_LOW,
	MF_NL_CMD_POOL_OK,
	MF_NL_CMD_HOST_JOINED,
	MF_NL_CMD_HOST_LOST,

	__MF_NL_CMD_MAX,
	MF_NL_CMD_MAX = __MF_NL_CMD_MAX - 1
};

/*
 * Attributes.  Requests may carry only POOL, NS and ID, NUL-terminated
 * strings of at most MF_POOL_NAME_LEN - 1, MF_NS_NAME_LEN - 1 and
 * MF_OBJ_ID_LEN - 1 characters.  Replies and events carry:
 * POOL, NS, ID, DEVICE: NUL-terminated strings.
 * SIZE, REFS, AGE (seconds since creation), CTIME (seconds since the
 *	epoch), TTL, NR_OBJECTS, BYTES, UNIT, POOL_BYTES, CAPACITY, USED,
 *	FREE, LARGEST_FREE, NR_POOL_EXTENTS, NR_FREE_EXTENTS: u64 (PAD
 *	aligns them).
 * TYPE (MF_OBJ_*), MAP_COUNT, OWNER (uid, in the receiver's user
 *	namespace), NR_EXTENTS (pieces of an object), ATTR, BACKEND
 *	(MF_POOL_BACKEND_*), POOL_FLAGS (MF_POOL_INFO_*), NODE,
 *	FRAG_PERMILLE, USERS, HOST, EPOCH: u32.
 * HOSTS: u32, a mask of the hosts (bit h: host h) that hold a reference
 *	to an object of a multi-host pool, as this host knows it: the
 *	manager's host knows every host's; a member's host knows only
 *	whether it holds one itself.
 * Object entries: POOL NS ID SIZE TYPE REFS MAP_COUNT OWNER AGE CTIME
 *	NR_EXTENTS, and HOSTS on a multi-host pool.
 * Namespace entries: POOL NS TTL ATTR CTIME NR_OBJECTS BYTES.
 * Pool entries: POOL DEVICE BACKEND POOL_FLAGS NODE UNIT POOL_BYTES
 *	CAPACITY USED FREE LARGEST_FREE NR_POOL_EXTENTS NR_FREE_EXTENTS
 *	FRAG_PERMILLE USERS.
 */
enum mf_nl_attr {
	MF_NL_ATTR_UNSPEC,
	MF_NL_ATTR_PAD,
	MF_NL_ATTR_POOL,
	MF_NL_ATTR_NS,
	MF_NL_ATTR_ID,
	MF_NL_ATTR_SIZE,
	MF_NL_ATTR_TYPE,
	MF_NL_ATTR_REFS,
	MF_NL_ATTR_MAP_COUNT,
	MF_NL_ATTR_OWNER,
	MF_NL_ATTR_AGE,
	MF_NL_ATTR_CTIME,
	MF_NL_ATTR_NR_EXTENTS,
	MF_NL_ATTR_TTL,
	MF_NL_ATTR_ATTR,
	MF_NL_ATTR_NR_OBJECTS,
	MF_NL_ATTR_BYTES,
	MF_NL_ATTR_DEVICE,
	MF_NL_ATTR_BACKEND,
	MF_NL_ATTR_POOL_FLAGS,
	MF_NL_ATTR_NODE,
	MF_NL_ATTR_UNIT,
	MF_NL_ATTR_POOL_BYTES,
	MF_NL_ATTR_CAPACITY,
	MF_NL_ATTR_USED,
	MF_NL_ATTR_FREE,
	MF_NL_ATTR_LARGEST_FREE,
	MF_NL_ATTR_NR_POOL_EXTENTS,
	MF_NL_ATTR_NR_FREE_EXTENTS,
	MF_NL_ATTR_FRAG_PERMILLE,
	MF_NL_ATTR_USERS,
	MF_NL_ATTR_HOST,
	MF_NL_ATTR_EPOCH,
	MF_NL_ATTR_HOSTS,

	__MF_NL_ATTR_MAX,
	MF_NL_ATTR_MAX = __MF_NL_ATTR_MAX - 1
};

#endif /* _UAPI_LINUX_MEMFABRIC_H */
