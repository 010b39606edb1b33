// SPDX-License-Identifier: GPL-2.0
/*
 * mf_derive.c - pieces shared between objects: copy-on-write before a write,
 * derive, and the new object of a commit.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "mf_inject.h"
#include "mf_netlink.h"
#include "mf_object.h"

/* ---- copy-on-write ------------------------------------------------------------------ */

/*
 * Copy the <= MF_PIECE_MAX chunk of shared piece @i of @obj that holds
 * object byte @at into a new extent of its own, splitting the piece
 * around it; install the new array (and record).
 */
static int mf_obj_cow_one(struct mf_obj *obj, u32 i, u64 at)
{
	struct mf_obj_pool *opool = obj->ns->opool;
	struct mf_pool *pool = opool->pool;
	struct mf_pieces *ext = mf_obj_pieces(obj), *nx;
	struct mf_piece p = ext->e[i], *d;
	u64 poff, c_off, c_end, p_end, new_base;
	u32 kept, j;
	int ret;

	p_end = p.off + p.len;
	poff = p.off + (at - p.pos);
	c_off = max(p.off, round_down(poff, MF_PIECE_MAX));
	c_end = min(p_end, round_down(poff, MF_PIECE_MAX) + MF_PIECE_MAX);
	kept = (c_off > p.off) + (c_end < p_end);

	nx = mf_pieces_alloc(ext->nr + kept);
	if (!nx)
		return -ENOMEM;
	mutex_lock(&pool->lock);
	ret = pool->dead ? -ENOENT :
	      mf_ext_alloc(pool->ext, c_end - c_off, MF_TAG_DATA, &new_base);
	if (ret) {
		mutex_unlock(&pool->lock);
		goto err_free;
	}
	ret = mf_base_get(opool, new_base, 1);
	if (!ret) {
		ret = mf_base_get(opool, p.base, kept);
		if (ret)
			mf_base_put(opool, new_base);
	}
	if (ret) {
		mf_ext_free(pool->ext, new_base);
		mutex_unlock(&pool->lock);
		goto err_free;
	}
	mutex_unlock(&pool->lock);

	ret = mf_pool_copy(pool, new_base, c_off, c_end - c_off);
	if (ret)
		goto err_uses;

	d = nx->e;
	memcpy(d, ext->e, i * sizeof(*d));
	d += i;
	if (c_off > p.off)
		*d++ = (struct mf_piece){ .pos = p.pos, .off = p.off,
					       .len = c_off - p.off,
					       .base = p.base };
	*d++ = (struct mf_piece){ .pos = p.pos + (c_off - p.off),
				       .off = new_base, .len = c_end - c_off,
				       .base = new_base };
	if (c_end < p_end)
		*d++ = (struct mf_piece){ .pos = p.pos + (c_end - p.off),
					       .off = c_end,
					       .len = p_end - c_end,
					       .base = p.base };
	for (j = i + 1; j < ext->nr; j++)
		*d++ = ext->e[j];

	if (obj->record != MF_NO_RECORD) {
		ret = mf_rec_obj_write(obj, nx, obj->size, obj->type);
		if (ret)
			goto err_uses;
	}
	/*
	 * No mapping may keep the old chunk's pages: install the new array
	 * and zap them with the mappings' faults held off, so that none can
	 * map a page frame of the old array after the zap.
	 */
	down_write(&obj->map_lock);
	rcu_assign_pointer(obj->pieces, nx);
	mf_mapping_zap(obj, p.pos + (c_off - p.off), c_end - c_off);
	up_write(&obj->map_lock);
	mf_pieces_retire(ext);
	/*
	 * A lock-free read counted before the new array was installed may
	 * still copy from the old chunk, under rcu_read_lock(): the chunk's
	 * use must outlive it, or the chunk could go back to the pool (its
	 * other users gone) and to another object under the reader.  One
	 * counted after reads the new array (both sides are fully ordered).
	 */
	smp_mb();
	if (atomic64_read(&obj->io) & MF_IO_COUNT)
		synchronize_rcu();

	mutex_lock(&pool->lock);
	mf_base_release(opool, p.base);
	mutex_unlock(&pool->lock);
	atomic_long_inc(&mf_cnt.cow_pieces);
	return 0;

err_uses:
	mutex_lock(&pool->lock);
	for (j = 0; j < kept; j++)
		mf_base_put(opool, p.base);
	mf_base_release(opool, new_base);
	mutex_unlock(&pool->lock);
err_free:
	kvfree(nx);
	return ret;
}

/**
 * mf_obj_cow_range_locked() - make a range of an object its own to write
 * @obj: the object
 * @off: offset of the range
 * @len: its length
 *
 * Every piece in the range that shares its base extent with another
 * object (derive) gets a copy of its own: the <= 2 MiB chunk of it that
 * the range touches is copied into a new extent, the rest of the piece
 * stays shared.  A range that shares nothing costs nothing.
 *
 * Context: @obj->ns->lock held; may sleep.
 * Return: 0; -EACCES the object is published; -EINVAL the range is
 * beyond the object's memory; -ENOSPC; -ENOMEM; -EIO.
 */
int mf_obj_cow_range_locked(struct mf_obj *obj, u64 off, u64 len)
{
	struct mf_obj_pool *opool = obj->ns->opool;
	struct mf_pieces *ext;
	u64 end, at;
	int i, last, ret;
	bool shared;

	lockdep_assert_held(&obj->ns->lock);
	if (obj->type != MF_OBJ_PRIVATE_RW)
		return -EACCES;
	if (!len)
		return 0;
	if (check_add_overflow(off, len, &end) ||
	    end > mf_obj_alloc_len(opool->pool, obj->size))
		return -EINVAL;
	for (;;) {
		ext = mf_obj_pieces(obj);
		i = mf_pieces_find(ext, off);
		last = mf_pieces_find(ext, end - 1);
		if (i < 0 || last < 0)
			return -EINVAL;
		shared = false;
		mutex_lock(&opool->pool->lock);
		for (; i <= last; i++) {
			shared = mf_piece_shared(opool, ext, i);
			if (shared)
				break;
		}
		mutex_unlock(&opool->pool->lock);
		if (!shared)
			return 0;
		at = max(off, ext->e[i].pos);
		ret = mf_obj_cow_one(obj, i, at);
		if (ret)
			return ret;
	}
}

/**
 * mf_obj_cow_range() - make a range of an object its own to write
 * @obj: the object; the caller holds a reference
 * @off: offset of the range
 * @len: its length
 *
 * For the mappings' write faults: see mf_obj_cow_range_locked().
 *
 * Context: process context; takes @obj->ns->lock.
 * Return: as mf_obj_cow_range_locked().
 */
int mf_obj_cow_range(struct mf_obj *obj, u64 off, u64 len)
{
	int ret;

	mutex_lock(&obj->ns->lock);
	ret = mf_obj_cow_range_locked(obj, off, len);
	mutex_unlock(&obj->ns->lock);
	return ret;
}

/*
 * The derived copy of @src's pieces: each split at the pool's 2 MiB
 * boundaries, each counted as one more use of its base.  -EBUSY while a
 * long-term mapping of @src exists: its pages may be pinned, and a pin
 * would keep reaching a piece after derive made it shared.
 */
static int mf_obj_derive_pieces(struct mf_obj *src,
				struct mf_pieces **out)
{
	struct mf_obj_pool *opool = src->ns->opool;
	struct mf_pieces *ext = mf_obj_pieces(src), *nx;
	u64 off, end, next;
	u32 i, j, n = 0;
	int ret = 0;

	lockdep_assert_held(&src->ns->lock);
	if (atomic_read(&src->lmap_count))
		return -EBUSY;
	for (i = 0; i < ext->nr; i++) {
		off = ext->e[i].off;
		end = off + ext->e[i].len;
		n += DIV_ROUND_UP_ULL(end - round_down(off, MF_PIECE_MAX),
				      MF_PIECE_MAX);
		if (n > U32_MAX / 2)
			return -ENOMEM;
	}
	nx = mf_pieces_alloc(n);
	if (!nx)
		return -ENOMEM;
	j = 0;
	for (i = 0; i < ext->nr; i++) {
		const struct mf_piece *p = &ext->e[i];

		for (off = p->off, end = p->off + p->len; off < end;
		     off = next) {
			next = min(round_down(off, MF_PIECE_MAX) + MF_PIECE_MAX,
				   end);
			nx->e[j].pos = p->pos + (off - p->off);
			nx->e[j].off = off;
			nx->e[j].len = next - off;
			nx->e[j].base = p->base;
			j++;
		}
	}
	nx->nr = j;
	mutex_lock(&opool->pool->lock);
	for (i = 0; i < nx->nr; i++) {
		ret = mf_base_get(opool, nx->e[i].base, 1);
		if (ret)
			break;
	}
	if (ret) {
		while (i--)
			mf_base_put(opool, nx->e[i].base);
	}
	mutex_unlock(&opool->pool->lock);
	if (ret) {
		kvfree(nx);
		return ret;
	}
	*out = nx;
	return 0;
}

/*
 * Make @src's pieces shared with a derived object, after
 * mf_obj_derive_pieces() counted @nx's uses: zap the source's mappings
 * so that a write through any of them faults and copies first, then look
 * for pins, which no fault would see: -EBUSY while a page of @src is
 * pinned, with @nx's uses dropped and @nx freed.  A published source has
 * no writable mapping or pin to worry about (publish checked).
 */
static int mf_obj_share_pieces(struct mf_obj *src, struct mf_pieces *nx)
{
	struct mf_obj_pool *opool = src->ns->opool;
	int ret = 0;

	lockdep_assert_held(&src->ns->lock);
	/*
	 * @nx's uses are counted: the pieces are shared from here on, and a
	 * lock-free write must not land in them after derive returns.
	 */
	WRITE_ONCE(src->solo, false);
	mf_obj_io_drain_writers(src);
	if (src->type != MF_OBJ_PRIVATE_RW)
		return 0;
	down_write(&src->map_lock);
	if (atomic_read(&src->map_count)) {
		src->share_seq++;
		mf_mapping_zap(src, 0, mf_obj_alloc_len(src->ns->pool, src->size));
	}
	/* No entry is left for a pin to start from: count the old ones. */
	if (mf_obj_pinned(src))
		ret = -EBUSY;
	up_write(&src->map_lock);
	if (ret) {
		mutex_lock(&opool->pool->lock);
		mf_pieces_free(opool, nx);
		mutex_unlock(&opool->pool->lock);
		kvfree(nx);
	}
	return ret;
}

/*
 * mf_obj_derive_new() on a multi-host pool: the new object has extents of
 * its own from the manager (DERIVE, or ALLOC for a private source), a
 * copy of the source's bytes (mf_obj_mh_derive()) and its own name block.
 * The request and the copy run without the pool's object lock, the pool
 * kept busy, as MF_IOC_OBJ_ALLOC does; the namespace is looked up again
 * afterwards.
 */
static struct mf_obj *mf_obj_mh_derive_new(struct file *file,
					   struct mf_obj *src,
					   const char *ns_name,
					   const char *secid, char *id)
{
	struct mf_obj_pool *opool = src->ns->opool;
	struct mf_obj_mh *mho = NULL;
	struct mf_pieces *nx;
	struct mf_obj *obj;
	struct mf_ns *ns;
	u64 size;
	int ret;

	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		return ERR_PTR(ret);
	ns = mf_ns_lookup_locked(opool, ns_name, secid);
	ret = IS_ERR(ns) ? PTR_ERR(ns) : 0;
	if (!ret && id[0]) {
		mutex_lock(&ns->lock);
		ret = mf_obj_find_locked(ns, id) ? -EEXIST : 0;
		mutex_unlock(&ns->lock);
	}
	if (ret)
		goto out_unlock;
	mutex_lock(&src->ns->lock);
	size = src->size;
	mutex_unlock(&src->ns->lock);
	atomic_long_inc(&opool->busy);
	mutex_unlock(&opool->lock);
	ret = mf_obj_mh_derive(src, &nx, &mho);
	mutex_lock(&opool->lock);
	atomic_long_dec(&opool->busy);
	if (ret)
		goto out_unlock;
	ret = opool->dead ? -ENOENT : 0;
	ns = ret ? ERR_PTR(ret) : mf_ns_lookup_locked(opool, ns_name, secid);
	if (IS_ERR(ns)) {
		mutex_lock(&opool->pool->lock);
		mf_pieces_free(opool, nx);
		mutex_unlock(&opool->pool->lock);
		kvfree(nx);
		obj = ERR_CAST(ns);
	} else {
		obj = mf_obj_create(ns, id, size, nx, file->private_data);
	}
	if (IS_ERR(obj)) {
		mf_obj_mh_abort(opool, mho);
		ret = PTR_ERR(obj);
		goto out_unlock;
	}
	mf_obj_mh_bind(obj, mho, secid);
	memcpy(id, obj->id, MF_OBJ_ID_LEN);
	mf_obj_ref(obj);
	mutex_unlock(&opool->lock);
	return obj;

out_unlock:
	mutex_unlock(&opool->lock);
	return ERR_PTR(ret);
}

/**
 * mf_obj_derive_new() - derive a new object from @src for @file
 * @file: the open /dev/memfabric that gets the new object's handle
 * @src: the source; the caller holds a reference and may read it
 * @ns_name: the new object's namespace, in the source's pool
 * @secid: that namespace's secId
 * @id: the new object's id, MF_OBJ_ID_LEN bytes; "" asks for a unique
 *	one, written back
 *
 * The new object is private to the caller and has the source's size and
 * contents; it shares the source's memory in pieces of at most 2 MiB
 * until either object writes a piece (mf_obj_cow_range_locked()).  Only
 * its record is new memory.  On a multi-host pool it shares nothing: its
 * memory is a copy (mf_obj_mh_derive_new()).
 *
 * Context: process context; takes the pool's lock.
 * Return: the new object, with a reference for the caller besides the
 * handle's (drop it with mf_obj_unref()), or an ERR_PTR: -ENOENT no such
 * namespace or pool; -EACCES wrong secId; -EEXIST the id is taken;
 * -EBUSY @src has an MF_MAP_LONGTERM mapping or a pinned page;
 * -ENOSPC; -ENOMEM; on a multi-host pool also the manager's refusal
 * (mf_obj_mh_derive()), -EAGAIN, -ETIMEDOUT, -EINTR.
 */
struct mf_obj *mf_obj_derive_new(struct file *file, struct mf_obj *src,
				 const char *ns_name, const char *secid,
				 char *id)
{
	struct mf_obj_pool *opool = src->ns->opool;
	struct mf_pieces *nx;
	struct mf_obj *obj;
	struct mf_ns *ns;
	u64 size;
	int ret;

	if (opool->pool->mh)
		return mf_obj_mh_derive_new(file, src, ns_name, secid, id);
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		return ERR_PTR(ret);
	ns = mf_ns_lookup_locked(opool, ns_name, secid);
	if (IS_ERR(ns)) {
		obj = ERR_CAST(ns);
		goto out_unlock;
	}
	if (id[0]) {
		mutex_lock(&ns->lock);
		ret = mf_obj_find_locked(ns, id) ? -EEXIST : 0;
		mutex_unlock(&ns->lock);
		if (ret) {
			obj = ERR_PTR(ret);
			goto out_unlock;
		}
	}
	mutex_lock(&src->ns->lock);
	size = src->size;
	ret = mf_obj_derive_pieces(src, &nx);
	if (!ret)
		ret = mf_obj_share_pieces(src, nx);
	mutex_unlock(&src->ns->lock);
	if (ret) {
		obj = ERR_PTR(ret);
		goto out_unlock;
	}
	obj = mf_obj_create(ns, id, size, nx, file->private_data);
	if (!IS_ERR(obj)) {
		memcpy(id, obj->id, MF_OBJ_ID_LEN);
		mf_obj_ref(obj);
	}
out_unlock:
	mutex_unlock(&opool->lock);
	return obj;
}

/*
 * The pieces of a commit: @derived (the source's pieces, derived: one use
 * each) with the @n units at sorted object offsets @unit_off replaced by
 * consecutive units of the fresh extent @new_base.  Fills @nx, and @parts[i]
 * with the number of parts of @derived's piece i that are left.  Returns the
 * number of pieces that reference @new_base.  Touches no use count.
 */
static u64 mf_commit_pieces(const struct mf_pieces *derived,
			    const u64 *unit_off, u32 n, u64 unit, u64 new_base,
			    struct mf_pieces *nx, u32 *parts)
{
	u64 pos, end, at, fresh = 0;
	u32 i, j = 0, k;

	nx->nr = 0;
	for (i = 0; i < derived->nr; i++) {
		const struct mf_piece *p = &derived->e[i];

		pos = p->pos;
		end = p->pos + p->len;
		parts[i] = 0;
		while (pos < end) {
			while (j < n && unit_off[j] < pos)
				j++;
			at = j < n && unit_off[j] < end ? unit_off[j] : end;
			if (at > pos) {
				nx->e[nx->nr++] = (struct mf_piece){
					.pos = pos, .off = p->off + (pos - p->pos),
					.len = at - pos, .base = p->base };
				parts[i]++;
				pos = at;
				continue;
			}
			/* A run of modified units, consecutive in both. */
			k = j;
			while (k + 1 < n && unit_off[k + 1] == unit_off[k] + unit &&
			       unit_off[k + 1] < end)
				k++;
			nx->e[nx->nr++] = (struct mf_piece){
				.pos = pos, .off = new_base + (u64)j * unit,
				.len = (u64)(k - j + 1) * unit, .base = new_base };
			fresh++;
			pos += (u64)(k - j + 1) * unit;
			j = k + 1;
		}
	}
	return fresh;
}

/*
 * Apply the use counts of mf_commit_pieces()'s result: one more use per
 * extra part of a source piece, one fewer for a piece with no part left,
 * @fresh for @new_base.  All or nothing.  Pool lock held.
 */
static int mf_commit_uses(struct mf_obj_pool *opool,
			  const struct mf_pieces *derived, const u32 *parts,
			  u64 new_base, u64 fresh)
{
	u32 i, done;
	int ret = 0;

	mf_pool_assert_locked(opool->pool);
	for (i = 0; i < derived->nr; i++) {
		if (parts[i] > 1) {
			ret = mf_base_get(opool, derived->e[i].base, parts[i] - 1);
			if (ret)
				break;
		}
	}
	done = i;	/* entries [0, done) got their uses */
	if (!ret && fresh)
		ret = mf_base_get(opool, new_base, fresh);
	if (ret) {
		for (i = 0; i < done; i++) {
			u32 m;

			for (m = 1; parts[i] > 1 && m < parts[i]; m++)
				mf_base_put(opool, derived->e[i].base);
		}
		return ret;
	}
	/*
	 * Usually not the last use, since the source holds its own pieces;
	 * but a write of the source may have copied one meanwhile.
	 */
	for (i = 0; i < derived->nr; i++)
		if (!parts[i])
			mf_base_release(opool, derived->e[i].base);
	return 0;
}

/**
 * mf_obj_commit_new() - a new object from @src with some pages replaced
 * @file: the open /dev/memfabric that gets the new object's handle
 * @src: the source; the caller holds a reference and may read it
 * @ns_name: the new object's namespace, in the source's pool
 * @secid: that namespace's secId
 * @id: the new object's id, MF_OBJ_ID_LEN bytes; "" asks for a unique
 *	one, written back
 * @pg_off: sorted object offsets of the pages that differ from @src
 * @pages: their contents
 * @n: how many
 *
 * For MF_IOC_OBJ_COMMIT: the new object shares every unit of @src except
 * the units that hold the pages, which get one fresh extent: the commit
 * costs the modified units, not the 2 MiB chunks around them.
 *
 * Context: process context; takes the pool's lock.
 * Return: the new object, with a reference for the caller besides the
 * handle's, or an ERR_PTR as mf_obj_derive_new(); -ENOSPC also when no
 * single extent holds the modified units.
 */
struct mf_obj *mf_obj_commit_new(struct file *file, struct mf_obj *src,
				 const char *ns_name, const char *secid,
				 char *id, const u64 *pg_off,
				 struct page **pages, u32 n)
{
	struct mf_obj_pool *opool = src->ns->opool;
	struct mf_pool *pool = opool->pool;
	u64 unit = 1ULL << pool->unit_shift, new_base = 0, fresh;
	struct mf_pieces *derived = NULL, *nx = NULL;
	bool have_nb = false;
	u32 *parts = NULL;
	struct mf_obj *obj;
	u64 *unit_off;
	u32 i, nr_units = 0;
	struct mf_ns *ns;
	u64 size;
	int ret;

	/* A multi-host pool's commit derives (mf_ioctl_obj_commit()). */
	if (pool->mh)
		return ERR_PTR(-EOPNOTSUPP);

	/* mf_commit_pieces() relies on strictly increasing page offsets. */
	for (i = 0; i < n; i++)
		if (!PAGE_ALIGNED(pg_off[i]) || (i && pg_off[i] <= pg_off[i - 1]))
			return ERR_PTR(-EINVAL);
	unit_off = kvmalloc_array(max(n, 1U), sizeof(*unit_off), GFP_KERNEL);
	if (!unit_off)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n; i++) {
		u64 u = round_down(pg_off[i], unit);

		if (!nr_units || unit_off[nr_units - 1] != u)
			unit_off[nr_units++] = u;
	}
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto out_free;
	ns = mf_ns_lookup_locked(opool, ns_name, secid);
	if (IS_ERR(ns)) {
		ret = PTR_ERR(ns);
		goto out_unlock;
	}
	if (id[0]) {
		mutex_lock(&ns->lock);
		ret = mf_obj_find_locked(ns, id) ? -EEXIST : 0;
		mutex_unlock(&ns->lock);
		if (ret)
			goto out_unlock;
	}
	mutex_lock(&src->ns->lock);
	size = src->size;
	ret = mf_obj_derive_pieces(src, &derived);
	if (!ret)
		ret = mf_obj_share_pieces(src, derived);
	mutex_unlock(&src->ns->lock);
	if (ret)
		goto out_unlock;
	/* The source may copy a piece from here on: mf_commit_uses(). */
	mf_inject_delay(MF_INJ_COMMIT_WINDOW, NULL);
	nx = mf_pieces_alloc(derived->nr + 2 * nr_units);
	parts = kvmalloc_array(derived->nr, sizeof(*parts), GFP_KERNEL);
	if (!nx || !parts) {
		ret = -ENOMEM;
		goto err_derived;
	}
	mutex_lock(&pool->lock);
	ret = pool->dead ? -ENOENT : 0;
	if (!ret && nr_units) {
		ret = mf_ext_alloc(pool->ext, (u64)nr_units * unit, MF_TAG_DATA, &new_base);
		have_nb = !ret;
	}
	if (!ret) {
		fresh = mf_commit_pieces(derived, unit_off, nr_units, unit, new_base, nx,
					 parts);
		ret = mf_commit_uses(opool, derived, parts, new_base, fresh);
	}
	if (ret && have_nb)
		mf_ext_free(pool->ext, new_base);
	mutex_unlock(&pool->lock);
	if (ret)
		goto err_derived;

	/* The fresh units: the source's bytes (units above a page)... */
	for (i = 0; i < nr_units && unit > PAGE_SIZE && !ret; i++) {
		int si = mf_pieces_find(derived, unit_off[i]);

		ret = si < 0 ? -EINVAL :
		      mf_pool_copy(pool, new_base + (u64)i * unit,
				   derived->e[si].off + (unit_off[i] - derived->e[si].pos),
				   unit);
	}
	/*
	 * ...then the process's pages, each into a unit of @new_base: never into
	 * a piece the new object shares with @src or anyone else.
	 */
	for (i = 0; i < n && !ret; i++) {
		int e = mf_pieces_find(nx, pg_off[i]);

		if (e < 0 || nx->e[e].base != new_base) {
			MF_DEBUG_ASSERT(0);
			ret = -EINVAL;
			break;
		}
		mf_pool_write(pool, nx->e[e].off + (pg_off[i] - nx->e[e].pos),
			      page_address(pages[i]), PAGE_SIZE);
	}
	kvfree(derived);
	kvfree(parts);
	if (ret) {
		mutex_lock(&pool->lock);
		mf_pieces_free(opool, nx);
		mutex_unlock(&pool->lock);
		kvfree(nx);
		goto out_unlock;
	}
	obj = mf_obj_create(ns, id, size, nx, file->private_data);
	if (!IS_ERR(obj)) {
		memcpy(id, obj->id, MF_OBJ_ID_LEN);
		mf_obj_ref(obj);
	}
	mutex_unlock(&opool->lock);
	kvfree(unit_off);
	return obj;

err_derived:
	kvfree(nx);
	kvfree(parts);
	mutex_lock(&pool->lock);
	mf_pieces_free(opool, derived);
	mutex_unlock(&pool->lock);
	kvfree(derived);
out_unlock:
	mutex_unlock(&opool->lock);
out_free:
	kvfree(unit_off);
	return ERR_PTR(ret);
}

/**
 * mf_obj_abandon() - undo mf_obj_derive_new() after a later failure
 * @file: the open file that holds the new object's handle
 * @obj: the new object; the caller's extra reference stays its own
 *
 * Frees the object (if nobody freed it yet) and drops @file's handle on
 * it; its memory returns when the caller drops its reference.
 *
 * Context: process context; takes the pool's lock.
 */
void mf_obj_abandon(struct file *file, struct mf_obj *obj)
{
	struct mf_file *mff = file->private_data;
	struct mf_obj_pool *opool = obj->ns->opool;
	bool drop = false;

	if (!mf_obj_pool_lock_live(opool)) {
		mutex_lock(&obj->ns->lock);
		if (!(obj->flags & MF_OBJF_FREED))
			WARN_ON_ONCE(mf_obj_hide_locked(obj));
		mutex_unlock(&obj->ns->lock);
		mutex_unlock(&opool->lock);
	}
	mutex_lock(&mff->lock);
	if (xa_load(&mff->handles, obj->nr)) {
		mf_handle_drop_locked(mff, obj);
		drop = true;
	}
	mutex_unlock(&mff->lock);
	if (drop)
		mf_obj_unref(obj);
}
