// SPDX-License-Identifier: GPL-2.0
/*
 * mf_extent_media.c - the extent allocator's metadata on the media: block
 * headers and their checksums, and the redo journal every change to them
 * goes through (build, commit, replay after a crash).
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
#include "mf_extent_priv.h"

#ifndef __KERNEL__
void (*mf_ext_flush_hook)(const void *addr, size_t len);
void (*mf_ext_fence_hook)(void);
#endif

/* ---- checksums and block headers ---- */

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
int mf_ext_hdr_get(const struct mf_ext_pool *p, u32 u, struct mf_ext_hdr *h)
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

u64 mf_ext_sb_csum(const struct mf_ext_sb *sb)
{
	const __le64 *w = &sb->magic;
	u64 h = MF_EXT_SEED;
	int i;

	for (i = 0; i < 7; i++)
		h = mf_mix(h, mf_ext_cpu64(mf_ext_ld64(&w[i])));
	return mf_fin(h);
}

/* Each entry is mixed on its own (with its position), then summed. */
u64 mf_ext_rec_csum(u64 seq, u64 nr, const struct mf_ext_jent *j)
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
void mf_ext_j_hdr(struct mf_ext_pool *p, u32 u, u32 size, u32 prev,
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
void mf_ext_j_kill(struct mf_ext_pool *p, u32 u)
{
	mf_j_add(p, mf_hoff(u) + 16, 0, false);
}

void mf_ext_j_apply(struct mf_ext_pool *p, const struct mf_ext_jent *j,
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
void mf_ext_j_commit(struct mf_ext_pool *p)
{
	u64 seq = p->seq++;
	u32 i;

	MF_EXT_ASSERT(seq && p->jn);
	mf_wr(p, MF_EXT_COMMIT_OFF, 0);
	mf_wr(p, MF_EXT_REC_OFF, seq);
	mf_wr(p, MF_EXT_REC_OFF + 8, p->jn);
	mf_wr(p, MF_EXT_REC_OFF + 16, mf_ext_rec_csum(seq, p->jn, p->j));
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

	mf_ext_j_apply(p, p->j, p->jn);
	p->jn = 0;
}

/* Replay a committed record, if any, and clear the commit word. */
int mf_ext_j_recover(struct mf_ext_pool *p)
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
		if (mf_ext_rec_csum(seq, nr, p->j) ==
		    mf_rd(p, MF_EXT_REC_OFF + 16)) {
			for (i = 0; i < nr; i++) {
				if (p->j[i].off < MF_EXT_HDR_OFF ||
				    p->j[i].off >= end || p->j[i].off & 7)
					return -EUCLEAN;
			}
			mf_ext_j_apply(p, p->j, nr);
		}
	}
	mf_wr(p, MF_EXT_COMMIT_OFF, 0);
	mf_flush(p, MF_EXT_COMMIT_OFF, 8);
	mf_ext_fence();
	return 0;
}
