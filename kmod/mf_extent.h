/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_extent.h - memfabric's extent allocator (seed 004's improved buddy
 * system), persistent and crash-consistent.
 *
 * The same files (mf_extent.c and the mf_extent_*.c it names, listed in
 * mf_extent.mk) build in the module and in userspace (unit tests and
 * bench/alloc); mf_extent_shim.h maps the few things they need (types,
 * errno, cache flush, assertions) onto either side.
 *
 * Layout.  The allocator manages @capacity bytes of a pool's data area in
 * units of 1 << @unit_shift bytes.  All of its persistent state lives in a
 * caller-provided metadata area of mf_ext_meta_size() bytes (in the pool
 * itself for persistent pools): per-block headers in an address-ordered
 * chain, indexed by unit number, and a redo journal.  Metadata holds unit
 * numbers and offsets from the data area's base, never pointers.  Free lists
 * live in DRAM only and are rebuilt by mf_ext_load().
 *
 * Locking.  None inside: the caller serialises every call on one pool (the
 * module holds the pool's mutex; after mf_ext_set_lock() the kernel build
 * asserts it with lockdep).
 */
#ifndef MF_EXTENT_H
#define MF_EXTENT_H

#include "mf_extent_shim.h"

/* Requests of this size or more are aligned to it (PMD mappings). */
#define MF_EXT_HUGE_SIZE	(2ULL << 20)

/* Allocation units mf_ext_format() accepts: 4 KiB to 1 GiB. */
#define MF_EXT_UNIT_SHIFT_MIN	12
#define MF_EXT_UNIT_SHIFT_MAX	30

/**
 * struct mf_ext_stat - what mf_ext_stat() reports
 * @capacity: bytes managed
 * @used: bytes in used extents
 * @free: bytes in free extents
 * @largest_free: size of the largest free extent
 * @nr_used: number of used extents
 * @nr_free: number of free extents
 * @unit: allocation unit in bytes
 * @meta_bytes: size of the metadata area
 * @frag_permille: external fragmentation, 1000 * (1 - largest_free / free),
 *	0 when nothing is free
 * @dram_bytes: DRAM the allocator holds for this pool (free lists, heap)
 */
struct mf_ext_stat {
	u64 capacity;
	u64 used;
	u64 free;
	u64 largest_free;
	u64 nr_used;
	u64 nr_free;
	u64 unit;
	u64 meta_bytes;
	u32 frag_permille;
	u64 dram_bytes;
};

/**
 * struct mf_ext_check - findings of mf_ext_check()
 * @errors: number of inconsistencies found (0: consistent)
 * @first_error: unit number where the first one was found
 * @what: short description of the first one ("" if none)
 */
struct mf_ext_check {
	u64 errors;
	u64 first_error;
	char what[64];
};

struct mf_ext_pool;	/* DRAM state; defined in mf_extent_priv.h */
struct mutex;

size_t mf_ext_pool_size(void);	/* bytes to allocate for a struct mf_ext_pool */
size_t mf_ext_meta_size(u64 capacity, u32 unit_shift);

int mf_ext_format(struct mf_ext_pool *p, void *meta, u64 capacity,
		  u32 unit_shift);
int mf_ext_load(struct mf_ext_pool *p, void *meta, u64 capacity,
		u32 unit_shift);
void mf_ext_unload(struct mf_ext_pool *p);
void mf_ext_set_lock(struct mf_ext_pool *p, struct mutex *lock);

int mf_ext_alloc(struct mf_ext_pool *p, u64 len, u64 tag, u64 *off);
int mf_ext_free(struct mf_ext_pool *p, u64 off);
int mf_ext_lookup(struct mf_ext_pool *p, u64 off, u64 *len, u64 *tag);
int mf_ext_walk_used(struct mf_ext_pool *p,
		     int (*fn)(void *ctx, u64 off, u64 len, u64 tag), void *ctx);
/*
 * mf_ext_for_each_used() is mf_ext_walk_used(): checkpatch takes a function
 * definition whose name holds "for_each" for a loop and rejects its brace.
 */
#define mf_ext_for_each_used	mf_ext_walk_used

void mf_ext_stat(struct mf_ext_pool *p, struct mf_ext_stat *st);
int mf_ext_check(struct mf_ext_pool *p, struct mf_ext_check *res);

#endif /* MF_EXTENT_H */
