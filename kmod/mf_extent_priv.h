/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_extent_priv.h - what the extent allocator's files share: the
 * metadata layout, the DRAM state of a pool (struct mf_ext_pool), the
 * helpers that read and write metadata words, and each file's functions
 * for the others.  Not for the rest of the module, which uses
 * mf_extent.h.
 *
 * The files, each calling only those listed before it:
 *	mf_extent_media.c	checksums, block headers, the redo journal
 *	mf_extent_freelist.c	free lists and heap (DRAM), fitting a request
 *	mf_extent_check.c	mf_ext_check()
 *	mf_extent.c		sizes, format, load, alloc, free, lookup,
 *				walk, stat
 */
#ifndef MF_EXTENT_PRIV_H
#define MF_EXTENT_PRIV_H

#include "mf_extent.h"

#define MF_EXT_SB_MAGIC		0x314253545845464dULL	/* "MFEXTSB1" */
#define MF_EXT_VERSION		1
#define MF_EXT_COMMIT_OFF	256
#define MF_EXT_REC_OFF		320
#define MF_EXT_JNL_MAX		16
#define MF_EXT_HDR_OFF		4096
#define MF_EXT_HDR_SIZE		24
#define MF_EXT_HDR_MAGIC	0x4d46ULL		/* "MF" */
#define MF_EXT_META_ALIGN	4096
#define MF_EXT_MAX_UNITS	0x80000000ULL
#define MF_EXT_NR_CLASSES	33	/* sizes up to 2^32 units */
#define MF_EXT_SCAN		64	/* blocks looked at per free list */
#define MF_EXT_HUGE_SHIFT	21
#define MF_EXT_NIL		U32_MAX	/* end of a free list */
#define MF_EXT_USED		U32_MAX	/* mf_ext_node.state of a used block */
#define MF_EXT_SEED		0x6d66657874616c6cULL

/**
 * struct mf_ext_sb - the allocator's superblock, at offset 0 of the
 *	metadata; written once by mf_ext_format()
 * @magic: MF_EXT_SB_MAGIC, written last
 * @version: MF_EXT_VERSION
 * @capacity: the capacity given to mf_ext_format()
 * @unit_shift: log2 of the allocation unit
 * @nr_units: units managed, @capacity >> @unit_shift
 * @hdr_off: offset of the header slots
 * @meta_size: mf_ext_meta_size()
 * @csum: checksum of the words above
 */
struct mf_ext_sb {
	__le64 magic;
	__le64 version;
	__le64 capacity;
	__le64 unit_shift;
	__le64 nr_units;
	__le64 hdr_off;
	__le64 meta_size;
	__le64 csum;
};

/**
 * struct mf_ext_jrec - the journal record, at MF_EXT_REC_OFF
 * @seq: sequence number; the record counts only if the commit word equals it
 * @nr: number of entries
 * @csum: checksum of @seq, @nr and the entries
 * @pad: 0
 * @ent: (metadata offset, new value) pairs
 */
struct mf_ext_jrec {
	__le64 seq;
	__le64 nr;
	__le64 csum;
	__le64 pad;
	struct {
		__le64 off;
		__le64 val;
	} ent[MF_EXT_JNL_MAX];
};

/**
 * struct mf_ext_node - DRAM state of one unit
 * @next: next block in its free list, MF_EXT_NIL at the end
 * @prev: previous block in its free list, MF_EXT_NIL at the head
 * @state: 0 if no block starts here, MF_EXT_USED for a used block, else
 *	1 + the free block's index in the heap
 * @size: size of the free block starting here (a list scan reads one line)
 */
struct mf_ext_node {
	u32 next;
	u32 prev;
	u32 state;
	u32 size;
};

/**
 * struct mf_ext_hent - a free block in the max-heap
 * @unit: its first unit
 * @size: its size in units
 */
struct mf_ext_hent {
	u32 unit;
	u32 size;
};

/**
 * struct mf_ext_jent - a journal entry being built
 * @off: metadata offset of the word
 * @val: its new value
 */
struct mf_ext_jent {
	u64 off;
	u64 val;
};

/**
 * struct mf_ext_pool - the allocator's DRAM state for one pool
 *
 * The allocator has no lock of its own: the caller serialises every call
 * on one pool with its mutex, @lock (in the module the pool's
 * mf_pool.lock), and mf_assert_locked() checks it on each entry point.
 * "Immutable" members are set by mf_ext_format() or mf_ext_load() and do
 * not change until mf_ext_unload(); the others are under @lock.
 *
 * @meta: the metadata area; immutable (the words in it are under @lock)
 * @capacity: capacity as given to mf_ext_format(); immutable
 * @meta_size: mf_ext_meta_size(); immutable
 * @nr_units: units managed; immutable
 * @unit_shift: log2 of the unit; immutable
 * @huge_shift: log2 of the units in MF_EXT_HUGE_SIZE (0 if a unit is
 *	larger); immutable
 * @heap_len: number of free blocks; under @lock
 * @heap_cap: room in @heap; immutable
 * @nonempty: bit k set if free list k is not empty; under @lock
 * @head: first block of each free list; under @lock
 * @node: per-unit state, @nr_units entries; the pointer is immutable, the
 *	entries are under @lock
 * @heap: the free blocks, a max-heap by size; the pointer is immutable,
 *	the entries are under @lock
 * @nr_used: number of used blocks; under @lock
 * @used_units: units in used blocks; under @lock
 * @seq: sequence number of the next journal record; under @lock
 * @lock: the caller's mutex, for lockdep; may be NULL (userspace, or not
 *	named yet); set by mf_ext_set_lock() before the pool is shared
 * @jn: entries in @j; under @lock
 * @j: journal entries of the operation under way; under @lock
 */
struct mf_ext_pool {
	u8 *meta;
	u64 capacity;
	u64 meta_size;
	u32 nr_units;
	u32 unit_shift;
	u32 huge_shift;
	u32 heap_len;
	u32 heap_cap;
	u64 nonempty;
	u32 head[MF_EXT_NR_CLASSES];
	struct mf_ext_node *node;
	struct mf_ext_hent *heap;
	u64 nr_used;
	u64 used_units;
	u64 seq;
	struct mutex *lock;	/* see @lock above */
	u32 jn;
	struct mf_ext_jent j[MF_EXT_JNL_MAX];
};

/* A block header as read from the metadata. */
struct mf_ext_hdr {
	u32 size;
	u32 prev;
	u64 tag;
	bool used;
};

/* Metadata words, at offset @off of the metadata area. */
static inline __le64 *mf_word(const struct mf_ext_pool *p, u64 off)
{
	return (__le64 *)(p->meta + off);
}

static inline u64 mf_rd(const struct mf_ext_pool *p, u64 off)
{
	return mf_ext_cpu64(mf_ext_ld64(mf_word(p, off)));
}

static inline void mf_wr(struct mf_ext_pool *p, u64 off, u64 val)
{
	mf_ext_st64(mf_word(p, off), mf_ext_le64(val));
}

static inline void mf_flush(struct mf_ext_pool *p, u64 off, u64 len)
{
	mf_ext_flush(p->meta + off, len);
}

/* Offset of the header slot of unit @u. */
static inline u64 mf_hoff(u32 u)
{
	return MF_EXT_HDR_OFF + (u64)u * MF_EXT_HDR_SIZE;
}

/* Start loading the header of unit @u and its DRAM state. */
static inline void mf_prefetch(const struct mf_ext_pool *p, u32 u)
{
	mf_ext_prefetch(p->meta + mf_hoff(u));
	mf_ext_prefetch(&p->node[u]);
}

/* The free list of blocks of @n units. */
static inline unsigned int mf_class(u64 n)
{
	return n <= 1 ? 0 : mf_ext_fls64(n - 1);
}

static inline bool mf_is_free(const struct mf_ext_pool *p, u32 u)
{
	u32 st = p->node[u].state;

	return st && st != MF_EXT_USED;
}

/* Size of the free block at @u, from DRAM. */
static inline u32 mf_free_size(const struct mf_ext_pool *p, u32 u)
{
	return p->node[u].size;
}

/* The caller holds the mutex mf_ext_set_lock() named, if any. */
static inline void mf_assert_locked(const struct mf_ext_pool *p)
{
	if (p->lock)
		mf_ext_lock_held(p->lock);
}

/* mf_extent_media.c */
int mf_ext_hdr_get(const struct mf_ext_pool *p, u32 u, struct mf_ext_hdr *h);
u64 mf_ext_sb_csum(const struct mf_ext_sb *sb);
u64 mf_ext_rec_csum(u64 seq, u64 nr, const struct mf_ext_jent *j);
void mf_ext_j_hdr(struct mf_ext_pool *p, u32 u, u32 size, u32 prev,
		  u64 tag, bool used, bool fresh);
void mf_ext_j_kill(struct mf_ext_pool *p, u32 u);
void mf_ext_j_apply(struct mf_ext_pool *p, const struct mf_ext_jent *j,
		    u32 nr);
void mf_ext_j_commit(struct mf_ext_pool *p);
int mf_ext_j_recover(struct mf_ext_pool *p);

/* mf_extent_freelist.c */
void mf_ext_fblk_add(struct mf_ext_pool *p, u32 u, u32 size);
void mf_ext_fblk_del(struct mf_ext_pool *p, u32 u);
void mf_ext_fblk_move(struct mf_ext_pool *p, u32 old, u32 u, u32 size);
u32 mf_ext_find(const struct mf_ext_pool *p, u32 n, u32 align);
u64 mf_ext_place(const struct mf_ext_pool *p, u32 s, u32 size, u32 n,
		 u32 align);

#endif /* MF_EXTENT_PRIV_H */
