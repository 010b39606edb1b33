// SPDX-License-Identifier: GPL-2.0
/*
 * mf_extent_check.c - mf_ext_check(): the extent allocator checked from
 * end to end, metadata against DRAM; also run after every operation by
 * make DEBUG=1.
 */
#include "mf_extent_priv.h"

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
	    mf_ext_cpu64(mf_ext_ld64(&sb->csum)) != mf_ext_sb_csum(sb) ||
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
	if (mf_ext_rec_csum(seq, nr, j) != mf_rd(p, MF_EXT_REC_OFF + 16)) {
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
	struct mf_ext_hdr h;

	while (u < p->nr_units) {
		if (mf_ext_hdr_get(p, u, &h)) {
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
