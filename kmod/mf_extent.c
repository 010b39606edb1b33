// SPDX-License-Identifier: GPL-2.0
/*
 * mf_extent.c - memfabric's extent allocator: seed 004's improved buddy
 * system, made persistent and crash-consistent.
 *
 * Blocks.  The capacity is cut into units of 1 << unit_shift bytes and
 * covered exactly by blocks, each free or used, chained in address order.
 * A block's header sits in the metadata slot of its first unit (slots of
 * its other units are stale and never read) and holds its size, the
 * distance back to the previous block's start, a tag and a checksum; the
 * next block starts where this one ends.  So a block finds both physical
 * neighbours in O(1), and no two free blocks are ever adjacent: freeing
 * merges with either neighbour at once.  Headers hold unit numbers, never
 * pointers.
 *
 * Free lists (DRAM only, rebuilt by mf_ext_load()).  List k holds the free
 * blocks of (2^(k-1), 2^k] units (list 0: one unit), and bit k of
 * ->nonempty says it has any, so the first list whose blocks all fit a
 * request is one find-first-set away.  A request of n units takes the
 * best fit among the first MF_EXT_SCAN blocks of list class(n), whose
 * blocks may be a little smaller than n; failing that, the best fit among
 * the first MF_EXT_SCAN blocks of the first non-empty larger list, all of
 * which fit.  It is cut from that block to exactly n units in one split.
 * A max-heap of the free blocks by size gives the largest free extent in
 * O(1) and is the last resort: an unaligned request fails with -ENOSPC
 * only if no free extent is large enough.  A split or merge keeps the
 * block's heap slot, so the heap usually moves an entry a level or two;
 * its bound is O(log free blocks).  Every other step is bounded.
 *
 * DRAM: 16 bytes per unit (list links, state, size) and 8 per possible
 * free block (the heap, half the units); metadata: 24 bytes per unit.
 *
 * Requests of MF_EXT_HUGE_SIZE or more start on a MF_EXT_HUGE_SIZE
 * boundary (measured from the data area's base); the block is then cut in
 * up to three.  A smaller request is cut from whichever end of its block
 * leaves more aligned MF_EXT_HUGE_SIZE runs whole, the low end on a tie.
 *
 * Crash consistency.  Every change to the headers goes through a redo
 * journal of (metadata offset, new 8-byte value) entries:
 *   1. clear the commit word, write the record (seq, entries, checksum);
 *	persist
 *   2. commit word = seq; persist	(the operation is now decided)
 *   3. write the new values into place; persist	(and durable)
 * Clearing the commit word is folded into the next operation's step 1:
 * mf_ext_load() replays a record only if the commit word names it and its
 * checksum holds, and replaying an applied record changes nothing.  After
 * a crash at any point, load yields the state before or after the
 * operation that was under way.
 *
 * Metadata layout (offsets from the start of the metadata area):
 *	0	superblock, struct mf_ext_sb
 *	256	journal commit word (own cache line)
 *	320	journal record, struct mf_ext_jrec
 *	4096	one 24-byte header slot per unit
 * Words are little endian.  A header is
 *	w0	size in units (bits 0-31), distance to the previous block's
 *		start (bits 32-63, 0 for the first block)
 *	w1	tag (0 for a free block)
 *	w2	checksum (bits 0-31), MF_EXT_HDR_MAGIC (bits 32-47), used
 *		(bit 48); 0 for a slot a merge made stale
 */
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
 * @meta: the metadata area
 * @capacity: capacity as given to mf_ext_format()
 * @meta_size: mf_ext_meta_size()
 * @nr_units: units managed
 * @unit_shift: log2 of the unit
 * @huge_shift: log2 of the units in MF_EXT_HUGE_SIZE (0 if a unit is larger)
 * @heap_len: number of free blocks
 * @heap_cap: room in @heap
 * @nonempty: bit k set if free list k is not empty
 * @head: first block of each free list
 * @node: per-unit state, @nr_units entries
 * @heap: the free blocks, a max-heap by size
 * @nr_used: number of used blocks
 * @used_units: units in used blocks
 * @seq: sequence number of the next journal record
 * @lock: the caller's mutex, for lockdep; may be NULL
 * @jn: entries in @j
 * @j: journal entries of the operation under way
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
	struct mutex *lock;	/* the caller's, only for lockdep */
	u32 jn;
	struct mf_ext_jent j[MF_EXT_JNL_MAX];
};

/* A block header as read from the metadata. */
struct mf_hdr {
	u32 size;
	u32 prev;
	u64 tag;
	bool used;
};

#ifndef __KERNEL__
void (*mf_ext_flush_hook)(const void *addr, size_t len);
void (*mf_ext_fence_hook)(void);
#endif

/* ---- checksums and metadata words ---- */

static u64 mf_mix(u64 h, u64 v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

static u64 mf_fin(u64 h)
{
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

/* Odd multipliers: each word's product is a bijection of the word. */
#define MF_K1	0x9e3779b97f4a7c15ULL
#define MF_K2	0xc2b2ae3d27d4eb4fULL
#define MF_K3	0x165667b19e3779f9ULL
#define MF_K4	0xd6e8feb86659fd93ULL

static __le64 *mf_word(const struct mf_ext_pool *p, u64 off)
{
	return (__le64 *)(p->meta + off);
}

static u64 mf_rd(const struct mf_ext_pool *p, u64 off)
{
	return mf_ext_cpu64(mf_ext_ld64(mf_word(p, off)));
}

static void mf_wr(struct mf_ext_pool *p, u64 off, u64 val)
{
	mf_ext_st64(mf_word(p, off), mf_ext_le64(val));
}

static void mf_flush(struct mf_ext_pool *p, u64 off, u64 len)
{
	mf_ext_flush(p->meta + off, len);
}

static u64 mf_hoff(u32 u)
{
	return MF_EXT_HDR_OFF + (u64)u * MF_EXT_HDR_SIZE;
}

/* Start loading the header of unit @u and its DRAM state. */
static void mf_prefetch(const struct mf_ext_pool *p, u32 u)
{
	mf_ext_prefetch(p->meta + mf_hoff(u));
	mf_ext_prefetch(&p->node[u]);
}

/*
 * A header's checksum covers its unit number and words; the products are
 * independent, so it costs about one multiply's latency plus mf_fin().
 */
static u32 mf_hdr_csum(u32 u, u64 w0, u64 w1, u64 hi)
{
	u64 h = (MF_EXT_SEED ^ ((u64)u * MF_K4)) + w0 * MF_K1 +
		(w1 ^ (w1 >> 31)) * MF_K2 + hi * MF_K3;

	return (u32)(mf_fin(h) >> 32);
}

/* Read and validate the header of the block said to start at unit @u. */
static int mf_hdr_get(const struct mf_ext_pool *p, u32 u, struct mf_hdr *h)
{
	u64 off = mf_hoff(u);
	u64 w0 = mf_rd(p, off);
	u64 w1 = mf_rd(p, off + 8);
	u64 w2 = mf_rd(p, off + 16);
	u64 hi = w2 >> 32;

	if ((hi & 0xffff) != MF_EXT_HDR_MAGIC || (hi >> 16) > 1 ||
	    (u32)w2 != mf_hdr_csum(u, w0, w1, hi))
		return -EUCLEAN;
	h->size = (u32)w0;
	h->prev = (u32)(w0 >> 32);
	h->tag = w1;
	h->used = hi >> 16;
	if (!h->size || h->size > p->nr_units - u || h->prev > u ||
	    !u != !h->prev || (!h->used && h->tag))
		return -EUCLEAN;
	return 0;
}

static u64 mf_sb_csum(const struct mf_ext_sb *sb)
{
	const __le64 *w = &sb->magic;
	u64 h = MF_EXT_SEED;
	int i;

	for (i = 0; i < 7; i++)
		h = mf_mix(h, mf_ext_cpu64(mf_ext_ld64(&w[i])));
	return mf_fin(h);
}

/* Each entry is mixed on its own (with its position), then summed. */
static u64 mf_rec_csum(u64 seq, u64 nr, const struct mf_ext_jent *j)
{
	u64 h = (MF_EXT_SEED + 1) ^ (seq * MF_K1 + nr * MF_K2);
	u64 i, t;

	for (i = 0; i < nr; i++) {
		t = ((j[i].off + (i << 56)) * MF_K3 ^ j[i].val) * MF_K4;
		h += t ^ (t >> 31);
	}
	return mf_fin(h);
}

/* ---- the journal ---- */

/*
 * Add "word at @off becomes @val" to the operation under way, unless
 * @fresh is false and the word already holds @val.  An operation journals
 * each word at most once: the headers it writes are at distinct units.
 */
static void mf_j_add(struct mf_ext_pool *p, u64 off, u64 val, bool fresh)
{
	if (!fresh && mf_rd(p, off) == val)
		return;
	MF_EXT_ASSERT(p->jn < MF_EXT_JNL_MAX);
	p->j[p->jn].off = off;
	p->j[p->jn].val = val;
	p->jn++;
}

/*
 * Journal a whole header for the block at unit @u.  @fresh: no block
 * started there, so its stale words are not worth reading to compare.
 */
static void mf_j_hdr(struct mf_ext_pool *p, u32 u, u32 size, u32 prev,
		     u64 tag, bool used, bool fresh)
{
	u64 w0 = size | (u64)prev << 32;
	u64 hi = MF_EXT_HDR_MAGIC | (u64)used << 16;
	u64 off = mf_hoff(u);

	mf_j_add(p, off, w0, fresh);
	mf_j_add(p, off + 8, tag, fresh);
	mf_j_add(p, off + 16, hi << 32 | mf_hdr_csum(u, w0, tag, hi), fresh);
}

/* Journal that unit @u no longer starts a block. */
static void mf_j_kill(struct mf_ext_pool *p, u32 u)
{
	mf_j_add(p, mf_hoff(u) + 16, 0, false);
}

static void mf_j_apply(struct mf_ext_pool *p, const struct mf_ext_jent *j,
		       u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++) {
		mf_wr(p, j[i].off, j[i].val);
		mf_flush(p, j[i].off, 8);
	}
	mf_ext_fence();
}

/* Make the operation under way durable: steps 1 to 3 above. */
static void mf_j_commit(struct mf_ext_pool *p)
{
	u64 seq = p->seq++;
	u32 i;

	MF_EXT_ASSERT(seq && p->jn);
	mf_wr(p, MF_EXT_COMMIT_OFF, 0);
	mf_wr(p, MF_EXT_REC_OFF, seq);
	mf_wr(p, MF_EXT_REC_OFF + 8, p->jn);
	mf_wr(p, MF_EXT_REC_OFF + 16, mf_rec_csum(seq, p->jn, p->j));
	for (i = 0; i < p->jn; i++) {
		mf_wr(p, MF_EXT_REC_OFF + 32 + 16 * i, p->j[i].off);
		mf_wr(p, MF_EXT_REC_OFF + 40 + 16 * i, p->j[i].val);
	}
	mf_flush(p, MF_EXT_COMMIT_OFF, 8);
	mf_flush(p, MF_EXT_REC_OFF, 32 + 16 * p->jn);
	mf_ext_fence();

	mf_wr(p, MF_EXT_COMMIT_OFF, seq);
	mf_flush(p, MF_EXT_COMMIT_OFF, 8);
	mf_ext_fence();

	mf_j_apply(p, p->j, p->jn);
	p->jn = 0;
}

/* Replay a committed record, if any, and clear the commit word. */
static int mf_j_recover(struct mf_ext_pool *p)
{
	u64 commit = mf_rd(p, MF_EXT_COMMIT_OFF);
	u64 seq = mf_rd(p, MF_EXT_REC_OFF);
	u64 nr = mf_rd(p, MF_EXT_REC_OFF + 8);
	u64 end = mf_hoff(p->nr_units);
	u64 i;

	p->seq = seq + 1 ? seq + 1 : 1;
	if (!commit)
		return 0;
	if (commit == seq && nr <= MF_EXT_JNL_MAX) {
		for (i = 0; i < nr; i++) {
			p->j[i].off = mf_rd(p, MF_EXT_REC_OFF + 32 + 16 * i);
			p->j[i].val = mf_rd(p, MF_EXT_REC_OFF + 40 + 16 * i);
		}
		/* A record that fails its checksum was never committed. */
		if (mf_rec_csum(seq, nr, p->j) ==
		    mf_rd(p, MF_EXT_REC_OFF + 16)) {
			for (i = 0; i < nr; i++) {
				if (p->j[i].off < MF_EXT_HDR_OFF ||
				    p->j[i].off >= end || p->j[i].off & 7)
					return -EUCLEAN;
			}
			mf_j_apply(p, p->j, nr);
		}
	}
	mf_wr(p, MF_EXT_COMMIT_OFF, 0);
	mf_flush(p, MF_EXT_COMMIT_OFF, 8);
	mf_ext_fence();
	return 0;
}

/* ---- free lists and heap (DRAM) ---- */

static unsigned int mf_class(u64 n)
{
	return n <= 1 ? 0 : mf_ext_fls64(n - 1);
}

static bool mf_is_free(const struct mf_ext_pool *p, u32 u)
{
	u32 st = p->node[u].state;

	return st && st != MF_EXT_USED;
}

static u32 mf_free_size(const struct mf_ext_pool *p, u32 u)
{
	return p->node[u].size;
}

static void mf_heap_put(struct mf_ext_pool *p, u32 i, struct mf_ext_hent e)
{
	p->heap[i] = e;
	p->node[e.unit].state = i + 1;
}

static void mf_heap_up(struct mf_ext_pool *p, u32 i)
{
	struct mf_ext_hent e = p->heap[i];

	while (i) {
		u32 up = (i - 1) / 2;

		if (p->heap[up].size >= e.size)
			break;
		mf_heap_put(p, i, p->heap[up]);
		i = up;
	}
	mf_heap_put(p, i, e);
}

static void mf_heap_down(struct mf_ext_pool *p, u32 i)
{
	struct mf_ext_hent e = p->heap[i];

	for (;;) {
		u32 c = 2 * i + 1;

		if (c >= p->heap_len)
			break;
		if (c + 1 < p->heap_len && p->heap[c + 1].size > p->heap[c].size)
			c++;
		if (p->heap[c].size <= e.size)
			break;
		mf_heap_put(p, i, p->heap[c]);
		i = c;
	}
	mf_heap_put(p, i, e);
}

static void mf_list_add(struct mf_ext_pool *p, u32 u, unsigned int c)
{
	struct mf_ext_node *n = &p->node[u];

	n->prev = MF_EXT_NIL;
	n->next = p->head[c];
	if (n->next != MF_EXT_NIL)
		p->node[n->next].prev = u;
	p->head[c] = u;
	p->nonempty |= 1ULL << c;
}

static void mf_list_del(struct mf_ext_pool *p, u32 u, unsigned int c)
{
	struct mf_ext_node *n = &p->node[u];

	if (n->prev != MF_EXT_NIL)
		p->node[n->prev].next = n->next;
	else
		p->head[c] = n->next;
	if (n->next != MF_EXT_NIL)
		p->node[n->next].prev = n->prev;
	if (p->head[c] == MF_EXT_NIL)
		p->nonempty &= ~(1ULL << c);
}

/* A new free block [@u, @u + @size). */
static void mf_free_add(struct mf_ext_pool *p, u32 u, u32 size)
{
	u32 i = p->heap_len++;

	MF_EXT_ASSERT(i < p->heap_cap);
	mf_list_add(p, u, mf_class(size));
	p->node[u].size = size;
	p->heap[i].unit = u;
	p->heap[i].size = size;
	mf_heap_up(p, i);
}

/* The free block at @u is no more. */
static void mf_free_del(struct mf_ext_pool *p, u32 u)
{
	struct mf_ext_node *n = &p->node[u];
	u32 i = n->state - 1;
	u32 last = p->heap_len - 1;

	mf_list_del(p, u, mf_class(p->heap[i].size));
	p->heap_len = last;
	if (i != last) {
		mf_heap_put(p, i, p->heap[last]);
		if (i && p->heap[(i - 1) / 2].size < p->heap[i].size)
			mf_heap_up(p, i);
		else
			mf_heap_down(p, i);
	}
	n->state = 0;
}

/*
 * The free block at @old becomes [@u, @u + @size), in the same heap slot:
 * a split or a merge moves it a few levels at most, where deleting and
 * adding would sift from the bottom.
 */
static void mf_free_move(struct mf_ext_pool *p, u32 old, u32 u, u32 size)
{
	u32 i = p->node[old].state - 1;
	u32 osize = p->heap[i].size;
	unsigned int oc = mf_class(osize), c = mf_class(size);

	if (old != u || oc != c) {
		mf_list_del(p, old, oc);
		mf_list_add(p, u, c);
	}
	if (old != u)
		p->node[old].state = 0;
	p->heap[i].unit = u;
	p->heap[i].size = size;
	p->node[u].state = i + 1;
	p->node[u].size = size;
	if (size > osize)
		mf_heap_up(p, i);
	else if (size < osize)
		mf_heap_down(p, i);
}

/* Does [@n units aligned to @align] fit in the block [@s, @s + @size)? */
static bool mf_fit(u32 s, u32 size, u32 n, u32 align)
{
	u64 a = ((u64)s + align - 1) & ~((u64)align - 1);

	return a + n <= (u64)s + size;
}

/* The smallest fitting block of the first MF_EXT_SCAN of list @c. */
static u32 mf_scan(const struct mf_ext_pool *p, unsigned int c, u32 n,
		   u32 align)
{
	u32 u = p->head[c], best = MF_EXT_NIL, bsize = U32_MAX;
	int i;

	for (i = 0; i < MF_EXT_SCAN && u != MF_EXT_NIL; i++) {
		u32 size = mf_free_size(p, u);

		if (size < bsize && mf_fit(u, size, n, align)) {
			best = u;
			bsize = size;
			if (size == n)
				break;
		}
		u = p->node[u].next;
	}
	return best;
}

/* A free block for @n units aligned to @align; MF_EXT_NIL if none. */
static u32 mf_find(const struct mf_ext_pool *p, u32 n, u32 align)
{
	unsigned int c = mf_class(n);
	unsigned int last = mf_class((u64)n + align - 1);
	u64 more;
	u32 u;

	/* Lists whose blocks may or may not fit: one, two if aligned. */
	if (last > MF_EXT_NR_CLASSES - 1)
		last = MF_EXT_NR_CLASSES - 1;
	for (; c <= last; c++) {
		if (!(p->nonempty & 1ULL << c))
			continue;
		u = mf_scan(p, c, n, align);
		if (u != MF_EXT_NIL)
			return u;
	}
	/* Every block of a larger list fits. */
	more = p->nonempty & ~((2ULL << last) - 1);
	if (more)
		return mf_scan(p, mf_ext_ffs64(more), n, align);
	/* The largest block, if it fits, lest a fit be missed. */
	if (p->heap_len && mf_fit(p->heap[0].unit, p->heap[0].size, n, align))
		return p->heap[0].unit;
	return MF_EXT_NIL;
}

/* Whole aligned MF_EXT_HUGE_SIZE runs in units [@lo, @hi). */
static u64 mf_runs(const struct mf_ext_pool *p, u64 lo, u64 hi)
{
	u64 mask = (1ULL << p->huge_shift) - 1;

	lo = (lo + mask) & ~mask;
	hi &= ~mask;
	return hi > lo ? (hi - lo) >> p->huge_shift : 0;
}

/* Where in the free block [@s, @s + @size) to put @n units. */
static u64 mf_place(const struct mf_ext_pool *p, u32 s, u32 size, u32 n,
		    u32 align)
{
	u64 e = (u64)s + size;

	if (align > 1)
		return ((u64)s + align - 1) & ~((u64)align - 1);
	if (!p->huge_shift || size == n || size >> p->huge_shift == 0)
		return s;
	return mf_runs(p, s, e - n) > mf_runs(p, s + n, e) ? e - n : s;
}

static void mf_assert_locked(const struct mf_ext_pool *p)
{
	if (p->lock)
		mf_ext_lock_held(p->lock);
}

#if defined(MF_DEBUG) && defined(__KERNEL__)
/*
 * make DEBUG=1: the whole allocator is checked (mf_ext_check(), O(units))
 * after every operation that changed it; an inconsistency is a WARNING
 * with what was found first, which the test runners fail on.
 */
static void mf_debug_check(struct mf_ext_pool *p, const char *op)
{
	struct mf_ext_check r;

	if (mf_ext_check(p, &r))
		WARN(1, "memfabric: allocator inconsistent after %s: unit %llu: %s (%llu errors)\n",
		     op, r.first_error, r.what, r.errors);
}
#else
static inline void mf_debug_check(struct mf_ext_pool *p, const char *op)
{
	(void)p;
	(void)op;
}
#endif

/* ---- sizes, format, load ---- */

static bool mf_args_ok(u64 capacity, u32 unit_shift)
{
	u64 n;

	if (unit_shift < MF_EXT_UNIT_SHIFT_MIN ||
	    unit_shift > MF_EXT_UNIT_SHIFT_MAX)
		return false;
	n = capacity >> unit_shift;
	return n && n <= MF_EXT_MAX_UNITS;
}

/**
 * mf_ext_pool_size() - size of the allocator's DRAM state
 *
 * The caller allocates this many zeroed bytes for a struct mf_ext_pool and
 * passes them to mf_ext_format() or mf_ext_load().
 *
 * Return: sizeof(struct mf_ext_pool).
 */
size_t mf_ext_pool_size(void)
{
	return sizeof(struct mf_ext_pool);
}

/**
 * mf_ext_meta_size() - size of the metadata area for a pool
 * @capacity: bytes to manage; rounded down to a whole number of units
 * @unit_shift: log2 of the allocation unit, MF_EXT_UNIT_SHIFT_MIN to
 *	MF_EXT_UNIT_SHIFT_MAX
 *
 * The metadata is a 4 KiB superblock and journal page and a 24-byte
 * header slot per unit, rounded up to 4 KiB.
 *
 * Return: bytes of metadata, or 0 if @unit_shift is out of range or
 * @capacity holds no unit or more than 2^31 units.
 */
size_t mf_ext_meta_size(u64 capacity, u32 unit_shift)
{
	u64 end;

	if (!mf_args_ok(capacity, unit_shift))
		return 0;
	end = mf_hoff(capacity >> unit_shift);
	return (end + MF_EXT_META_ALIGN - 1) & ~(u64)(MF_EXT_META_ALIGN - 1);
}

/* Check the arguments and set up @p's DRAM state, with no blocks. */
static int mf_setup(struct mf_ext_pool *p, void *meta, u64 capacity,
		    u32 unit_shift)
{
	u32 c;

	if (!p || !meta || ((unsigned long)meta & 7) ||
	    !mf_args_ok(capacity, unit_shift))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->meta = meta;
	p->capacity = capacity;
	p->meta_size = mf_ext_meta_size(capacity, unit_shift);
	p->nr_units = capacity >> unit_shift;
	p->unit_shift = unit_shift;
	p->huge_shift = unit_shift < MF_EXT_HUGE_SHIFT ?
			MF_EXT_HUGE_SHIFT - unit_shift : 0;
	p->heap_cap = p->nr_units / 2 + 2;
	for (c = 0; c < MF_EXT_NR_CLASSES; c++)
		p->head[c] = MF_EXT_NIL;
	p->seq = 1;
	p->node = mf_ext_zalloc((size_t)p->nr_units * sizeof(*p->node));
	p->heap = mf_ext_zalloc((size_t)p->heap_cap * sizeof(*p->heap));
	if (!p->node || !p->heap) {
		mf_ext_unload(p);
		return -ENOMEM;
	}
	return 0;
}

/**
 * mf_ext_format() - make a new, empty allocator in a metadata area
 * @p: the DRAM state, mf_ext_pool_size() bytes, not loaded
 * @meta: the metadata area, mf_ext_meta_size() bytes, 8-byte aligned
 * @capacity: bytes to manage (the data area's size); a partial unit at
 *	the end is not used
 * @unit_shift: log2 of the allocation unit, MF_EXT_UNIT_SHIFT_MIN to
 *	MF_EXT_UNIT_SHIFT_MAX
 *
 * Writes the superblock, an empty journal and one free block covering the
 * capacity; O(1) in the capacity.  The superblock's magic is cleared first
 * and written last, so a crash in between leaves an area mf_ext_load()
 * rejects.  On success @p is loaded.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a bad argument; -ENOMEM if the DRAM state
 * cannot be allocated.
 */
int mf_ext_format(struct mf_ext_pool *p, void *meta, u64 capacity,
		  u32 unit_shift)
{
	struct mf_ext_sb *sb = meta;
	int ret;

	ret = mf_setup(p, meta, capacity, unit_shift);
	if (ret)
		return ret;
	mf_ext_st64(&sb->magic, 0);
	mf_flush(p, 0, 8);
	mf_ext_fence();

	mf_ext_st64(&sb->version, mf_ext_le64(MF_EXT_VERSION));
	mf_ext_st64(&sb->capacity, mf_ext_le64(capacity));
	mf_ext_st64(&sb->unit_shift, mf_ext_le64(unit_shift));
	mf_ext_st64(&sb->nr_units, mf_ext_le64(p->nr_units));
	mf_ext_st64(&sb->hdr_off, mf_ext_le64(MF_EXT_HDR_OFF));
	mf_ext_st64(&sb->meta_size, mf_ext_le64(p->meta_size));
	memset(p->meta + MF_EXT_COMMIT_OFF, 0,
	       MF_EXT_REC_OFF + sizeof(struct mf_ext_jrec) - MF_EXT_COMMIT_OFF);
	mf_j_hdr(p, 0, p->nr_units, 0, 0, false, true);
	mf_j_apply(p, p->j, p->jn);
	p->jn = 0;
	mf_flush(p, 0, MF_EXT_REC_OFF + sizeof(struct mf_ext_jrec));
	mf_ext_fence();

	mf_ext_st64(&sb->magic, mf_ext_le64(MF_EXT_SB_MAGIC));
	mf_ext_st64(&sb->csum, mf_ext_le64(mf_sb_csum(sb)));
	mf_flush(p, 0, sizeof(*sb));
	mf_ext_fence();

	mf_free_add(p, 0, p->nr_units);
	mf_debug_check(p, "format");
	return 0;
}

/* Walk the chain from unit 0 and build the DRAM state. */
static int mf_rebuild(struct mf_ext_pool *p)
{
	u32 u = 0, prev = 0;
	bool prev_free = false;
	struct mf_hdr h;
	u64 n = 0;

	while (u < p->nr_units) {
		if (mf_hdr_get(p, u, &h) || h.prev != u - prev ||
		    (!h.used && prev_free))
			return -EUCLEAN;
		if (h.used) {
			p->node[u].state = MF_EXT_USED;
			p->nr_used++;
			p->used_units += h.size;
		} else {
			mf_free_add(p, u, h.size);
		}
		prev_free = !h.used;
		prev = u;
		u += h.size;
		if (!(++n & 4095))
			mf_ext_resched();
	}
	return 0;
}

/**
 * mf_ext_load() - load an allocator that mf_ext_format() made
 * @p: the DRAM state, mf_ext_pool_size() bytes, not loaded
 * @meta: the metadata area, 8-byte aligned
 * @capacity: the capacity it was formatted with
 * @unit_shift: the unit_shift it was formatted with
 *
 * Checks the superblock, replays the journal if an operation was cut
 * short, then walks the chain of blocks (O(blocks)), checking every
 * header, and rebuilds the free lists.  On failure @p is left unloaded.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a bad argument or if @capacity or @unit_shift is
 * not what the area was formatted with; -EUCLEAN if the metadata is not a
 * formatted area or is corrupt; -ENOMEM.
 */
int mf_ext_load(struct mf_ext_pool *p, void *meta, u64 capacity,
		u32 unit_shift)
{
	const struct mf_ext_sb *sb = meta;
	int ret;

	if (!p || !meta || ((unsigned long)meta & 7) ||
	    !mf_args_ok(capacity, unit_shift))
		return -EINVAL;
	if (mf_ext_cpu64(mf_ext_ld64(&sb->magic)) != MF_EXT_SB_MAGIC ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->version)) != MF_EXT_VERSION ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->csum)) != mf_sb_csum(sb))
		return -EUCLEAN;
	if (mf_ext_cpu64(mf_ext_ld64(&sb->capacity)) != capacity ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->unit_shift)) != unit_shift)
		return -EINVAL;
	if (mf_ext_cpu64(mf_ext_ld64(&sb->nr_units)) != capacity >> unit_shift ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->hdr_off)) != MF_EXT_HDR_OFF ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->meta_size)) !=
	    mf_ext_meta_size(capacity, unit_shift))
		return -EUCLEAN;
	ret = mf_setup(p, meta, capacity, unit_shift);
	if (ret)
		return ret;
	ret = mf_j_recover(p);
	if (!ret)
		ret = mf_rebuild(p);
	if (ret)
		mf_ext_unload(p);
	else
		mf_debug_check(p, "load");
	return ret;
}

/**
 * mf_ext_unload() - free the allocator's DRAM state
 * @p: the DRAM state; may be loaded, unloaded or NULL
 *
 * The metadata needs nothing: every operation was durable when it
 * returned.  Afterwards @p is unloaded and every call on it but
 * mf_ext_format() and mf_ext_load() fails with -EINVAL.
 *
 * Context: any context where kvfree() may be called.
 */
void mf_ext_unload(struct mf_ext_pool *p)
{
	if (!p)
		return;
	mf_ext_vfree(p->node);
	mf_ext_vfree(p->heap);
	memset(p, 0, sizeof(*p));
}

/**
 * mf_ext_set_lock() - name the mutex the caller holds around every call
 * @p: the DRAM state, loaded
 * @lock: the mutex, or NULL for none
 *
 * With lockdep, every later call on @p that changes or reads it asserts
 * that @lock is held.  The userspace build ignores @lock.  Loading or
 * formatting again forgets it.
 */
void mf_ext_set_lock(struct mf_ext_pool *p, struct mutex *lock)
{
	if (p)
		p->lock = lock;
}

/* ---- operations ---- */

/**
 * mf_ext_alloc() - allocate an extent
 * @p: the allocator
 * @len: bytes wanted; rounded up to a whole number of units
 * @tag: stored with the extent, returned by mf_ext_lookup() and
 *	mf_ext_for_each_used(), persistent
 * @off: where to put the extent's offset from the data area's base
 *
 * Cuts exactly the units needed from a free block.  An extent of
 * MF_EXT_HUGE_SIZE or more starts at a multiple of MF_EXT_HUGE_SIZE.
 * Durable when it returns.
 *
 * Context: the caller serialises calls on @p.
 * Return: 0; -EINVAL if @len is 0 or too large to round up, @off is NULL
 * or @p is not loaded; -ENOSPC if no free extent fits: for an unaligned
 * request that means none is as large as @len rounded up, an aligned one
 * may also fail when its only fits are not among the blocks looked at;
 * -EUCLEAN if the metadata was found corrupt (nothing is changed).
 */
int mf_ext_alloc(struct mf_ext_pool *p, u64 len, u64 tag, u64 *off)
{
	struct mf_hdr h, nh = {};
	u64 unit, n, a, e, last;
	u32 s, align;

	if (!p || !p->meta || !off || !len)
		return -EINVAL;
	mf_assert_locked(p);
	unit = 1ULL << p->unit_shift;
	if (len > U64_MAX - (unit - 1))
		return -EINVAL;
	n = (len + unit - 1) >> p->unit_shift;
	if (n > p->nr_units - p->used_units)
		return -ENOSPC;
	align = len >= MF_EXT_HUGE_SIZE ? 1U << p->huge_shift : 1;
	s = mf_find(p, n, align);
	if (s == MF_EXT_NIL)
		return -ENOSPC;
	e = (u64)s + mf_free_size(p, s);
	mf_ext_prefetch(p->meta + mf_hoff(s));
	if (e < p->nr_units)
		mf_ext_prefetch(p->meta + mf_hoff(e));
	if (mf_hdr_get(p, s, &h) || h.used || h.size != mf_free_size(p, s))
		return -EUCLEAN;
	if (e < p->nr_units &&
	    (mf_hdr_get(p, e, &nh) || !nh.used || nh.prev != h.size))
		return -EUCLEAN;
	a = mf_place(p, s, h.size, n, align);
	MF_EXT_ASSERT(a >= s && a + n <= e);

	p->jn = 0;
	if (a > s)
		mf_j_hdr(p, s, a - s, h.prev, 0, false, false);
	mf_j_hdr(p, a, n, a > s ? a - s : h.prev, tag, true, a > s);
	if (a + n < e)
		mf_j_hdr(p, a + n, e - a - n, n, 0, false, true);
	last = a + n < e ? a + n : a;
	if (e < p->nr_units && e - last != nh.prev)
		mf_j_hdr(p, e, nh.size, e - last, nh.tag, true, false);
	mf_j_commit(p);

	if (a + n < e) {
		mf_free_move(p, s, a + n, e - a - n);
		if (a > s)
			mf_free_add(p, s, a - s);
	} else if (a > s) {
		mf_free_move(p, s, s, a - s);
	} else {
		mf_free_del(p, s);
	}
	p->node[a].state = MF_EXT_USED;
	p->nr_used++;
	p->used_units += n;
	*off = a << p->unit_shift;
	mf_debug_check(p, "alloc");
	return 0;
}

/**
 * mf_ext_free() - free an extent
 * @p: the allocator
 * @off: the extent's offset, as mf_ext_alloc() returned it
 *
 * Merges the extent with a free neighbour on either side, in O(1).  An
 * @off that is not the start of a used extent (an extent's inside, a free
 * block, a second free) is refused and changes nothing.  Durable when it
 * returns.
 *
 * Context: the caller serialises calls on @p.
 * Return: 0; -EINVAL if @off is not the start of a used extent or @p is
 * not loaded; -EUCLEAN if the metadata was found corrupt (nothing is
 * changed).
 */
int mf_ext_free(struct mf_ext_pool *p, u64 off)
{
	struct mf_hdr h, ph, nh, ah = {};
	bool merge_prev = false, merge_next = false;
	u32 u, s, sprev;
	u64 e, end;

	if (!p || !p->meta)
		return -EINVAL;
	mf_assert_locked(p);
	if (off & ((1ULL << p->unit_shift) - 1) ||
	    off >> p->unit_shift >= p->nr_units)
		return -EINVAL;
	u = off >> p->unit_shift;
	mf_ext_prefetch(p->meta + mf_hoff(u));
	if (p->node[u].state != MF_EXT_USED)
		return -EINVAL;
	if (mf_hdr_get(p, u, &h) || !h.used)
		return -EUCLEAN;
	s = u;
	sprev = h.prev;
	e = (u64)u + h.size;
	end = e;
	if (u)
		mf_prefetch(p, u - h.prev);
	if (e < p->nr_units)
		mf_prefetch(p, e);
	if (u) {
		u32 pu = u - h.prev;

		if (mf_hdr_get(p, pu, &ph) || ph.size != h.prev)
			return -EUCLEAN;
		if (!ph.used) {
			if (!mf_is_free(p, pu))
				return -EUCLEAN;
			merge_prev = true;
			s = pu;
			sprev = ph.prev;
		}
	}
	if (e < p->nr_units) {
		if (mf_hdr_get(p, e, &nh) || nh.prev != h.size)
			return -EUCLEAN;
		if (!nh.used) {
			if (!mf_is_free(p, e))
				return -EUCLEAN;
			merge_next = true;
			end = e + nh.size;
		}
	}
	if (end < p->nr_units &&
	    (mf_hdr_get(p, end, &ah) || !ah.used ||
	     ah.prev != end - (merge_next ? e : u)))
		return -EUCLEAN;

	p->jn = 0;
	mf_j_hdr(p, s, end - s, sprev, 0, false, false);
	if (merge_prev)
		mf_j_kill(p, u);
	if (merge_next)
		mf_j_kill(p, e);
	if (end < p->nr_units && ah.prev != end - s)
		mf_j_hdr(p, end, ah.size, end - s, ah.tag, true, false);
	mf_j_commit(p);

	p->node[u].state = 0;
	if (merge_prev) {
		if (merge_next)
			mf_free_del(p, e);
		mf_free_move(p, s, s, end - s);
	} else if (merge_next) {
		mf_free_move(p, e, u, end - u);
	} else {
		mf_free_add(p, u, end - u);
	}
	p->nr_used--;
	p->used_units -= h.size;
	mf_debug_check(p, "free");
	return 0;
}

/**
 * mf_ext_lookup() - the length and tag of a used extent
 * @p: the allocator
 * @off: the extent's offset
 * @len: if not NULL, set to its length (whole units)
 * @tag: if not NULL, set to its tag
 *
 * Context: the caller serialises calls on @p.
 * Return: 0; -ENOENT if no used extent starts at @off; -EINVAL if @p is
 * not loaded; -EUCLEAN if its header is corrupt.
 */
int mf_ext_lookup(struct mf_ext_pool *p, u64 off, u64 *len, u64 *tag)
{
	struct mf_hdr h;
	u32 u;

	if (!p || !p->meta)
		return -EINVAL;
	mf_assert_locked(p);
	if (off & ((1ULL << p->unit_shift) - 1) ||
	    off >> p->unit_shift >= p->nr_units)
		return -ENOENT;
	u = off >> p->unit_shift;
	if (p->node[u].state != MF_EXT_USED)
		return -ENOENT;
	if (mf_hdr_get(p, u, &h) || !h.used)
		return -EUCLEAN;
	if (len)
		*len = (u64)h.size << p->unit_shift;
	if (tag)
		*tag = h.tag;
	return 0;
}

/**
 * mf_ext_walk_used() - call a function on every used extent
 * @p: the allocator
 * @fn: called with @ctx, offset, length and tag of each used extent, in
 *	address order; a non-zero return stops the walk.  It must not
 *	allocate or free on @p.
 * @ctx: passed to @fn
 *
 * O(blocks); this is how the object layer finds its objects after a
 * reboot.  Callers spell it mf_ext_for_each_used() (see mf_extent.h).
 *
 * Context: the caller serialises calls on @p; may sleep.
 * Return: 0 after the last extent; what @fn returned if not 0; -EINVAL if
 * @p is not loaded or @fn is NULL; -EUCLEAN if a header is corrupt.
 */
int mf_ext_walk_used(struct mf_ext_pool *p,
		     int (*fn)(void *ctx, u64 off, u64 len, u64 tag), void *ctx)
{
	struct mf_hdr h;
	u32 u = 0;
	u64 n = 0;
	int ret;

	if (!p || !p->meta || !fn)
		return -EINVAL;
	mf_assert_locked(p);
	while (u < p->nr_units) {
		if (mf_hdr_get(p, u, &h))
			return -EUCLEAN;
		if (h.used) {
			ret = fn(ctx, (u64)u << p->unit_shift,
				 (u64)h.size << p->unit_shift, h.tag);
			if (ret)
				return ret;
		}
		u += h.size;
		if (!(++n & 4095))
			mf_ext_resched();
	}
	return 0;
}

/**
 * mf_ext_stat() - the allocator's counters
 * @p: the allocator
 * @st: filled in; all zero if @p is NULL or not loaded
 *
 * O(1).
 *
 * Context: the caller serialises calls on @p.
 */
void mf_ext_stat(struct mf_ext_pool *p, struct mf_ext_stat *st)
{
	u64 free, largest;

	memset(st, 0, sizeof(*st));
	if (!p || !p->meta)
		return;
	mf_assert_locked(p);
	free = p->nr_units - p->used_units;
	largest = p->heap_len ? p->heap[0].size : 0;
	st->capacity = (u64)p->nr_units << p->unit_shift;
	st->used = p->used_units << p->unit_shift;
	st->free = free << p->unit_shift;
	st->largest_free = largest << p->unit_shift;
	st->nr_used = p->nr_used;
	st->nr_free = p->heap_len;
	st->unit = 1ULL << p->unit_shift;
	st->meta_bytes = p->meta_size;
	st->frag_permille = free ? (u32)((free - largest) * 1000 / free) : 0;
	st->dram_bytes = sizeof(*p) +
			 (u64)p->nr_units * sizeof(*p->node) +
			 (u64)p->heap_cap * sizeof(*p->heap);
}

/* ---- consistency check ---- */

static void mf_bad(struct mf_ext_check *r, u64 unit, const char *what)
{
	size_t i;

	if (r->errors++)
		return;
	r->first_error = unit;
	for (i = 0; i < sizeof(r->what) - 1 && what[i]; i++)
		r->what[i] = what[i];
	r->what[i] = '\0';
}

static void mf_check_meta(struct mf_ext_pool *p, struct mf_ext_check *r)
{
	const struct mf_ext_sb *sb = (const struct mf_ext_sb *)p->meta;
	u64 commit = mf_rd(p, MF_EXT_COMMIT_OFF);
	u64 seq = mf_rd(p, MF_EXT_REC_OFF);
	u64 nr = mf_rd(p, MF_EXT_REC_OFF + 8);
	struct mf_ext_jent j[MF_EXT_JNL_MAX] = {};
	u64 i;

	if (mf_ext_cpu64(mf_ext_ld64(&sb->magic)) != MF_EXT_SB_MAGIC ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->csum)) != mf_sb_csum(sb) ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->capacity)) != p->capacity ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->unit_shift)) != p->unit_shift ||
	    mf_ext_cpu64(mf_ext_ld64(&sb->nr_units)) != p->nr_units)
		mf_bad(r, 0, "bad superblock");
	if (!commit)
		return;
	/* The last operation's record stays committed; it must be applied. */
	if (commit != seq || nr > MF_EXT_JNL_MAX) {
		mf_bad(r, 0, "bad journal commit");
		return;
	}
	for (i = 0; i < nr; i++) {
		j[i].off = mf_rd(p, MF_EXT_REC_OFF + 32 + 16 * i);
		j[i].val = mf_rd(p, MF_EXT_REC_OFF + 40 + 16 * i);
	}
	if (mf_rec_csum(seq, nr, j) != mf_rd(p, MF_EXT_REC_OFF + 16)) {
		mf_bad(r, 0, "bad journal checksum");
		return;
	}
	for (i = 0; i < nr; i++) {
		if (j[i].off < MF_EXT_HDR_OFF || j[i].off & 7 ||
		    j[i].off >= mf_hoff(p->nr_units) ||
		    mf_rd(p, j[i].off) != j[i].val) {
			mf_bad(r, 0, "journal not applied");
			return;
		}
	}
}

static void mf_check_chain(struct mf_ext_pool *p, struct mf_ext_check *r)
{
	u64 nr_used = 0, used_units = 0, nr_free = 0, n = 0;
	u32 u = 0, prev = 0, i, st;
	bool prev_free = false;
	struct mf_hdr h;

	while (u < p->nr_units) {
		if (mf_hdr_get(p, u, &h)) {
			mf_bad(r, u, "bad block header");
			return;
		}
		if (h.prev != u - prev)
			mf_bad(r, u, "bad prev link");
		st = p->node[u].state;
		if (h.used) {
			nr_used++;
			used_units += h.size;
			if (st != MF_EXT_USED)
				mf_bad(r, u, "used block not used in DRAM");
		} else {
			nr_free++;
			if (prev_free)
				mf_bad(r, u, "adjacent free blocks");
			if (!st || st == MF_EXT_USED || st > p->heap_len ||
			    p->heap[st - 1].unit != u ||
			    p->heap[st - 1].size != h.size ||
			    p->node[u].size != h.size)
				mf_bad(r, u, "free block not in heap");
		}
		for (i = u + 1; i < u + h.size; i++) {
			if (p->node[i].state) {
				mf_bad(r, i, "block start inside a block");
				break;
			}
			/* A large block: preemptible inside it too. */
			if (!((i - u) & 65535))
				mf_ext_resched();
		}
		prev_free = !h.used;
		prev = u;
		u += h.size;
		if (!(++n & 4095))
			mf_ext_resched();
	}
	if (nr_used != p->nr_used || used_units != p->used_units ||
	    nr_free != p->heap_len)
		mf_bad(r, 0, "bad counters");
}

static void mf_check_lists(struct mf_ext_pool *p, struct mf_ext_check *r)
{
	u64 total = 0, steps;
	u32 c, u, prev, st, i;

	for (c = 0; c < MF_EXT_NR_CLASSES; c++) {
		bool listed = p->head[c] != MF_EXT_NIL;

		if (listed != !!(p->nonempty & 1ULL << c))
			mf_bad(r, p->head[c], "bad non-empty bitmap");
		prev = MF_EXT_NIL;
		steps = 0;
		for (u = p->head[c]; u != MF_EXT_NIL; u = p->node[u].next) {
			if (u >= p->nr_units || ++steps > p->heap_len) {
				mf_bad(r, u, "free list broken");
				break;
			}
			st = p->node[u].state;
			if (!st || st == MF_EXT_USED || st > p->heap_len) {
				mf_bad(r, u, "free list holds a non-free block");
				break;
			}
			if (mf_class(p->heap[st - 1].size) != c)
				mf_bad(r, u, "free block in the wrong list");
			if (p->node[u].prev != prev)
				mf_bad(r, u, "bad free list prev link");
			prev = u;
			total++;
		}
	}
	if (total != p->heap_len)
		mf_bad(r, 0, "free lists do not hold the free blocks");
	for (i = 0; i < p->heap_len; i++) {
		u = p->heap[i].unit;
		if (u >= p->nr_units || p->node[u].state != i + 1 ||
		    (i && p->heap[(i - 1) / 2].size < p->heap[i].size)) {
			mf_bad(r, u, "bad heap");
			break;
		}
	}
}

/**
 * mf_ext_check() - check the allocator from end to end
 * @p: the allocator
 * @res: if not NULL, filled with the findings
 *
 * Checks the superblock and journal, walks the chain of blocks (it must
 * cover the capacity exactly, with consistent prev links, valid header
 * magic and checksums and no two adjacent free blocks), and checks that
 * the free lists, their bitmap and the heap hold exactly the free blocks
 * and that the counters are right.  O(units) in DRAM, O(blocks) in the
 * metadata; changes nothing.
 *
 * Context: the caller serialises calls on @p; may sleep.
 * Return: 0 if consistent; -EUCLEAN if not (@res says what was found
 * first); -EINVAL if @p is not loaded.
 */
int mf_ext_check(struct mf_ext_pool *p, struct mf_ext_check *res)
{
	struct mf_ext_check local;
	struct mf_ext_check *r = res ? res : &local;

	memset(r, 0, sizeof(*r));
	if (!p || !p->meta)
		return -EINVAL;
	mf_assert_locked(p);
	mf_check_meta(p, r);
	mf_check_chain(p, r);
	mf_check_lists(p, r);
	return r->errors ? -EUCLEAN : 0;
}
