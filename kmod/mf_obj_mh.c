// SPDX-License-Identifier: GPL-2.0
/*
 * mf_obj_mh.c - objects on a multi-host pool (Documentation/multihost.md,
 * "In the kernel"): the object layer's glue to the protocol core.  The
 * lookup by name ("get" below) is in mf_obj_mh_get.c, one layer up: it
 * makes objects; the scan that drops unreferenced remote objects is the
 * reclaim scan's (mf_lifecycle.c).
 *
 *   alloc	an ALLOC request to the manager gives the object's extents
 *		(one unit more than its data: the name block, below); its
 *		pieces point at those device ranges
 *   derive	the memory of derive and commit: DERIVE (a published
 *		parent this host holds) or ALLOC (its own private one),
 *		then a copy of the parent's bytes; nothing is shared
 *   expand	EXPAND gives the owner's private object more units (its
 *		extents kept, the last one possibly longer); they are zeroed
 *		with full-line stores, new pieces cover them, and the name
 *		block gets the new size
 *   publish	the owner writes back the whole range and fences
 *		(mf_mh_publish_prepare()), then PUBLISH
 *   get	a host that has no local object of that name looks the name
 *		up in the device's directory, checks the name block, takes
 *		its host's reference with GET and invalidates the range
 *		(mf_mh_map_prepare()) before anything reads it; the local
 *		object it makes (a "remote" one) is that reference, so a
 *		repeated get of a held object makes no request
 *   release	when the local object goes: PUT (a remote object, or the
 *		owner's published one), or FREE (the owner's private one),
 *		each after its cache work
 *   epochs	an object belongs to the epoch its host held when the
 *		manager made or gave it; once the manager has given the host
 *		up, it is dead (mf_obj_mh_dead()): data calls and mmap get
 *		-ESTALE, faults SIGBUS (the pool's worker revoked its
 *		mappings, mf_mapping_revoke_pool()), a get of its name
 *		forgets it and looks again, and its release sends nothing,
 *		as the manager dropped its references and private objects
 *
 * The name block.  The directory knows objects by the protocol's id.  The
 * first unit of an object's first extent holds its name: namespace, id,
 * a random salt and SHA-256(salt || secId), size, protocol id, crc32c.
 * The owner's kernel writes it at creation, while the object is private
 * and the range is the owner's alone; publish writes it back with the
 * data, and it is immutable from then on.  No piece covers it, so no user
 * can write it.  A lookup invalidates and reads it, and compares the
 * secId's hash in constant time.
 *
 * The name index.  PUBLISH carries the name's hash
 * (mf_obj_mh_name_hash()); the manager refuses a hash a live published
 * object has (-EEXIST, as one host refuses a taken name) and places the
 * directory slot by it, so a get probes a few slots from the hash instead
 * of reading the whole directory.
 *
 * Locking: the struct mf_obj_mh of an object is set once, under its
 * namespace's lock, by the thread that created the object while it holds
 * the pool's object lock (nobody else can reach the object yet), and is
 * read under either lock afterwards, or by mf_obj_destroy() once nothing
 * reaches the object.  Requests are serialised by mf_pool_mh_request().
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "mf_netlink.h"
#include "mf_obj_mh.h"

/**
 * mf_obj_mh_name_hash() - the manager's key of an object's name
 * @ns: the namespace's name
 * @id: the object's id
 *
 * The first 8 bytes of SHA-256 over the two names, each zero-padded to
 * its full length, never 0: PUBLISH sends it, the manager refuses it if a
 * live published object has it (-EEXIST) and places the object's
 * directory slot by it; a get probes from it.  A cryptographic hash, so
 * that no user can pick a name that takes another's key.
 *
 * Context: any (sleeps not).
 * Return: the key.
 */
u64 mf_obj_mh_name_hash(const char *ns, const char *id)
{
	u8 buf[MF_NS_NAME_LEN + MF_OBJ_ID_LEN], d[SHA256_DIGEST_SIZE];
	u64 key = 0;
	int i;

	strscpy_pad(buf, ns, MF_NS_NAME_LEN);
	strscpy_pad(buf + MF_NS_NAME_LEN, id, MF_OBJ_ID_LEN);
	sha256(buf, sizeof(buf), d);
	for (i = 0; i < 8; i++)
		key |= (u64)d[i] << (8 * i);
	return key ? key : 1;
}

u32 mf_obj_mh_crc(const struct mf_obj_mh_name *nb)
{
	return ~mf_mh_crc32c(~0U, nb, offsetof(struct mf_obj_mh_name, crc));
}

/* Device offset (from the pool's base) of unit @unit of the data area. */
u64 mf_obj_mh_unit_off(struct mf_mh_member *mb, u32 unit)
{
	return mf_mh_data_off(&mb->geo) + (u64)unit * mb->geo.unit_size;
}

/*
 * The pieces of bytes @from to @len (multiples of the unit) of an object
 * on extents @ext, after the name block; each piece's base counted.
 */
int mf_obj_mh_pieces(struct mf_obj_pool *opool, struct mf_mh_member *mb,
		     const struct mf_mh_x *ext, u16 nr_ext, u64 from, u64 len,
		     struct mf_pieces **out)
{
	struct mf_pool *pool = opool->pool;
	u64 unit = mb->geo.unit_size, pos = 0, off, l, skip;
	struct mf_pieces *p;
	u32 nr = 0;
	u16 i;
	int ret = 0;

	p = mf_pieces_alloc(nr_ext);
	if (!p)
		return -ENOMEM;
	for (i = 0; i < nr_ext && pos < len; i++) {
		off = mf_obj_mh_unit_off(mb, ext[i].start);
		l = (u64)ext[i].len * unit;
		if (!i) {
			off += unit;
			l -= unit;
		}
		l = min(l, len - pos);
		skip = from > pos ? min(from - pos, l) : 0;
		pos += skip;
		off += skip;
		l -= skip;
		if (!l)
			continue;
		p->e[nr].pos = pos;
		p->e[nr].off = off;
		p->e[nr].len = l;
		p->e[nr].base = off;
		nr++;
		pos += l;
	}
	if (pos != len) {
		kvfree(p);
		return -EUCLEAN;
	}
	p->nr = nr;
	mutex_lock(&pool->lock);
	for (i = 0; i < nr; i++) {
		ret = mf_base_get(opool, p->e[i].base, 1);
		if (ret)
			break;
	}
	if (ret) {
		while (i--)
			mf_base_put(opool, p->e[i].base);
	}
	mutex_unlock(&pool->lock);
	if (ret) {
		kvfree(p);
		return ret;
	}
	*out = p;
	return 0;
}

/*
 * Send the request that gives back @mho's reference or object; nothing
 * for one of a dead epoch: the manager dropped them when it gave the host
 * up, and this host may hold a new reference to the same object now.
 */
void mf_obj_mh_drop(struct mf_pool *pool, struct mf_obj_mh *mho)
{
	struct mf_mh_member *mb = mf_pool_mh_member(pool);
	struct mf_mh_reply r;
	int ret;

	if (!mb || mho->epoch != mf_pool_mh_epoch(pool))
		return;
	if (mho->remote || mho->published) {
		mf_mh_put_prepare(mb, mho->ext, mho->nr_ext);
		ret = mf_pool_mh_request(pool, MF_MH_OP_PUT, mho->id, 0,
					 mho->gen, &r);
	} else {
		mf_mh_free_prepare(mb, mho->ext, mho->nr_ext);
		ret = mf_pool_mh_request(pool, MF_MH_OP_FREE, mho->id, 0, 0,
					 &r);
	}
	if (ret)
		pr_warn("pool %s: %s of object %llu failed: error %d; the manager drops it when this host rejoins\n",
			pool->name, mho->remote || mho->published ? "PUT" : "FREE",
			mho->id, ret);
}

/*
 * A new object's extents from the manager: @op is ALLOC (@arg its size
 * with the name block) or DERIVE (@id the parent, which this host holds);
 * zeroed with full-line stores, which replace any stale line of an
 * earlier owner of the units in this host's caches; pieces for @len bytes
 * after the name block.
 */
static int mf_obj_mh_new(struct mf_obj_pool *opool, u16 op, u64 id, u64 arg,
			 u64 len, struct mf_pieces **out,
			 struct mf_obj_mh **mhp)
{
	struct mf_pool *pool = opool->pool;
	struct mf_mh_member *mb = mf_pool_mh_member(pool);
	struct mf_obj_mh *mho;
	struct mf_mh_reply r;
	u16 i;
	int ret;

	if (!mb)
		return -ENODEV;
	mho = kzalloc(sizeof(*mho), GFP_KERNEL);
	if (!mho)
		return -ENOMEM;
	ret = mf_pool_mh_request(pool, op, id, arg, 0, &r);
	if (ret)
		goto err_free;
	mho->id = r.id;
	mho->gen = r.gen;
	mho->epoch = r.epoch;
	mho->nr_ext = r.nr_ext;
	memcpy(mho->ext, r.ext, sizeof(mho->ext));
	for (i = 0; i < mho->nr_ext; i++) {
		ret = mf_pool_zero(pool, mf_obj_mh_unit_off(mb, mho->ext[i].start),
				   (u64)mho->ext[i].len * mb->geo.unit_size);
		if (ret)
			goto err_drop;
	}
	ret = mf_obj_mh_pieces(opool, mb, mho->ext, mho->nr_ext, 0, len, out);
	if (ret)
		goto err_drop;
	*mhp = mho;
	return 0;

err_drop:
	mf_obj_mh_drop(pool, mho);
err_free:
	kfree(mho);
	return ret;
}

/**
 * mf_obj_mh_alloc() - allocate a new object's memory from the manager
 * @opool: a multi-host pool
 * @len: the object's bytes, a multiple of the unit
 * @out: its pieces, zeroed, each base counted
 * @mhp: its place in the pool, for mf_obj_mh_bind()
 *
 * Context: process context; sleeps (a request; zeroing).
 * Return: 0; the manager's refusal (-ENOSPC); -EAGAIN not joined;
 * -ETIMEDOUT; -ENOMEM.
 */
int mf_obj_mh_alloc(struct mf_obj_pool *opool, u64 len,
		    struct mf_pieces **out, struct mf_obj_mh **mhp)
{
	struct mf_mh_member *mb = mf_pool_mh_member(opool->pool);

	if (!mb)
		return -ENODEV;
	return mf_obj_mh_new(opool, MF_MH_OP_ALLOC, 0, len + mb->geo.unit_size,
			     len, out, mhp);
}

/* Copy the first @len bytes of the pieces @sp into the pieces @dp. */
static int mf_obj_mh_copy(struct mf_pool *pool, const struct mf_pieces *sp,
			  const struct mf_pieces *dp, u64 len)
{
	const struct mf_piece *s, *d;
	u64 pos, end, n;
	u32 i;
	int j, ret = 0;

	for (i = 0; i < sp->nr && !ret; i++) {
		s = &sp->e[i];
		pos = s->pos;
		end = min(s->pos + s->len, len);
		while (pos < end && !ret) {
			j = mf_pieces_find(dp, pos);
			if (j < 0)
				return -EUCLEAN;
			d = &dp->e[j];
			n = min(end - pos, d->pos + d->len - pos);
			ret = mf_pool_copy(pool, d->off + (pos - d->pos),
					   s->off + (pos - s->pos), n);
			pos += n;
		}
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
	}
	return ret;
}

/**
 * mf_obj_mh_derive() - a new object's memory from the manager, holding a
 *	copy of @src
 * @src: the source, an object of a multi-host pool; the caller holds a
 *	reference and may read it
 * @out: the new pieces (mf_obj_alloc_len() of @src's size), each base
 *	counted
 * @mhp: the new object's place in the pool, for mf_obj_mh_bind()
 *
 * A published source that this host holds (another host's, got by name,
 * or this host's own published one) goes through DERIVE: the manager
 * checks that the host holds the parent, and allocates an object of the
 * parent's size.  A private source (this host's own) goes through ALLOC.
 * The protocol's DERIVE shares no extent with the parent, so the source's
 * bytes are copied from the device into the new extents: a published
 * source's range was invalidated on this host before it was first read
 * (mf_obj_mh_get()), a private one is this host's own.  The source's
 * piece array is taken under its namespace's lock and copied without it:
 * the caller's reference keeps those pieces.
 *
 * Context: process context; sleeps (a request; zeroing; the copy); no
 * object lock held.
 * Return: 0; the manager's refusal (-EPERM a parent this host does not
 * hold, -ENOENT one that is gone, -ENOSPC); -EAGAIN not joined;
 * -ETIMEDOUT; -ENOMEM; -EINTR; -EIO a poisoned source line.
 */
int mf_obj_mh_derive(struct mf_obj *src, struct mf_pieces **out,
		     struct mf_obj_mh **mhp)
{
	struct mf_obj_pool *opool = src->ns->opool;
	struct mf_pool *pool = opool->pool;
	struct mf_mh_member *mb = mf_pool_mh_member(pool);
	struct mf_pieces *sp, *snap;
	u64 len, parent = 0;
	bool held;
	int ret;

	if (!mb)
		return -ENODEV;
	mutex_lock(&src->ns->lock);
	len = mf_obj_alloc_len(pool, src->size);
	held = src->mh && (src->mh->remote || src->mh->published);
	if (src->mh)
		parent = src->mh->id;
	sp = mf_obj_pieces(src);
	snap = src->mh ? kvmalloc(struct_size(sp, e, sp->nr), GFP_KERNEL) : NULL;
	if (snap)
		memcpy(snap, sp, struct_size(sp, e, sp->nr));
	mutex_unlock(&src->ns->lock);
	if (!snap)
		return src->mh ? -ENOMEM : -EINVAL;
	if (held)
		ret = mf_obj_mh_new(opool, MF_MH_OP_DERIVE, parent, 0, len,
				    out, mhp);
	else
		ret = mf_obj_mh_alloc(opool, len, out, mhp);
	if (!ret) {
		ret = mf_obj_mh_copy(pool, snap, *out, len);
		if (ret) {
			mutex_lock(&pool->lock);
			mf_pieces_free(opool, *out);
			mutex_unlock(&pool->lock);
			kvfree(*out);
			mf_obj_mh_abort(opool, *mhp);
		}
	}
	kvfree(snap);
	return ret;
}

/**
 * mf_obj_mh_abort() - give back what mf_obj_mh_alloc() got, unused
 * @opool: the pool
 * @mho: its result; freed
 *
 * The pieces are the caller's to drop.
 *
 * Context: process context; sleeps (a request).
 */
void mf_obj_mh_abort(struct mf_obj_pool *opool, struct mf_obj_mh *mho)
{
	mf_obj_mh_drop(opool->pool, mho);
	kfree(mho);
}

/**
 * mf_obj_mh_bind() - write a new object's name block and bind it
 * @obj: the object, just created by this thread, not reachable by others
 * @mho: from mf_obj_mh_alloc(); the object owns it from now on
 * @secid: the secId the creation was called with
 *
 * Context: @obj->ns->opool->lock held.
 */
void mf_obj_mh_bind(struct mf_obj *obj, struct mf_obj_mh *mho,
		    const char *secid)
{
	struct mf_pool *pool = obj->ns->pool;
	struct mf_mh_member *mb = mf_pool_mh_member(pool);
	struct mf_obj_mh_name *nb;

	lockdep_assert_held(&obj->ns->opool->lock);
	nb = kzalloc(sizeof(*nb), GFP_KERNEL);
	if (nb && mb) {
		nb->magic = cpu_to_le64(MF_MH_NAME_MAGIC);
		nb->size = cpu_to_le64(obj->size);
		nb->id = cpu_to_le64(mho->id);
		get_random_bytes(nb->salt, sizeof(nb->salt));
		mf_ns_secid_hash(nb->salt, secid, nb->hash);
		strscpy_pad(nb->ns, obj->ns->name, sizeof(nb->ns));
		strscpy_pad(nb->obj, obj->id, sizeof(nb->obj));
		nb->crc = cpu_to_le32(mf_obj_mh_crc(nb));
		mf_pool_write(pool, mf_obj_mh_unit_off(mb, mho->ext[0].start),
			      nb, sizeof(*nb));
		memzero_explicit(nb, sizeof(*nb));
	}
	/* Without a name block, the object stays unreachable from others. */
	kfree(nb);
	mutex_lock(&obj->ns->lock);
	obj->mh = mho;
	mutex_unlock(&obj->ns->lock);
}

/**
 * mf_obj_mh_publish() - publish an object of a multi-host pool
 * @obj: the owner's private object
 *
 * Writes the object's range back and fences, then asks the manager.
 *
 * Context: the pool's object lock and @obj->ns->lock held; sleeps.
 * Return: 0; the manager's refusal (-EEXIST: a live published object
 * of any host has the name); -ESTALE of a dead epoch; -EAGAIN;
 * -ETIMEDOUT.
 */
int mf_obj_mh_publish(struct mf_obj *obj)
{
	struct mf_pool *pool = obj->ns->pool;
	struct mf_mh_member *mb = mf_pool_mh_member(pool);
	struct mf_obj_mh *mho = obj->mh;
	struct mf_mh_reply r;
	int ret;

	lockdep_assert_held(&obj->ns->lock);
	if (!mb)
		return -ENODEV;
	if (mf_obj_mh_dead(obj))
		return -ESTALE;
	if (mho->remote || mho->published)
		return -EALREADY;
	mf_mh_publish_prepare(mb, mho->ext, mho->nr_ext);
	ret = mf_pool_mh_request(pool, MF_MH_OP_PUBLISH, mho->id,
				 mf_obj_mh_name_hash(obj->ns->name, obj->id),
				 0, &r);
	if (ret)
		return ret;
	mho->gen = r.gen;
	mho->published = true;
	mf_mh_published(mb, mho->id, r.gen);
	return 0;
}

/*
 * Rewrite the size in @obj's name block (the owner's own lines, while the
 * object is private; publish writes them back with the rest).  An object
 * without a valid name block (mf_obj_mh_bind() could not write one) stays
 * without one.
 */
static int mf_obj_mh_name_size(struct mf_pool *pool, struct mf_mh_member *mb,
			       const struct mf_obj_mh *mho, u64 size)
{
	u64 off = mf_obj_mh_unit_off(mb, mho->ext[0].start);
	struct mf_obj_mh_name *nb;
	int ret;

	nb = kmalloc(sizeof(*nb), GFP_KERNEL);
	if (!nb)
		return -ENOMEM;
	ret = mf_pool_read(pool, off, nb, sizeof(*nb));
	if (!ret && le64_to_cpu(nb->magic) == MF_MH_NAME_MAGIC &&
	    le32_to_cpu(nb->crc) == mf_obj_mh_crc(nb) &&
	    le64_to_cpu(nb->id) == mho->id) {
		nb->size = cpu_to_le64(size);
		nb->crc = cpu_to_le32(mf_obj_mh_crc(nb));
		mf_pool_write(pool, off, nb, sizeof(*nb));
	}
	memzero_explicit(nb, sizeof(*nb));
	kfree(nb);
	return ret;
}

/**
 * mf_obj_mh_expand() - grow an object of a multi-host pool
 * @obj: the object; the caller holds a reference
 * @bytes: its new size
 *
 * The caller (MF_IOC_OBJ_EXPAND) checked that it may write the object;
 * whether it is still private is checked again here, under the locks.
 *
 * Under the pool's object lock, which serialises it with publish and with
 * other expands of the pool: EXPAND asks the manager for the units (the
 * object's extents stay, the last one may grow, new ones follow); the
 * units it adds are zeroed with full-line stores like a new object's, new
 * pieces cover them, the name block gets the new size, and the pieces and
 * size are set under the namespace's lock.  If anything fails after the
 * manager's answer, the manager's object keeps the units beyond the name
 * block's size: nothing maps them, a FREE gives them back, and the next
 * expand to at least that size adopts them (zeroed).
 *
 * Context: process context; sleeps (a request; zeroing); no object lock
 * held.
 * Return: 0; -EACCES published meanwhile; -EINVAL a size not above the object's;
 * -ESTALE an object of a dead epoch; the manager's refusal: -ENOSPC too
 * few free units, -E2BIG the object would need more than MF_MH_MAX_EXT
 * extents; -EAGAIN not joined; -ETIMEDOUT; -ENOMEM; -EIO; -EUCLEAN an
 * answer that does not grow the object; -ENOENT the pool was detached.
 */
int mf_obj_mh_expand(struct mf_obj *obj, u64 bytes)
{
	struct mf_obj_pool *opool = obj->ns->opool;
	struct mf_pool *pool = opool->pool;
	struct mf_mh_member *mb = mf_pool_mh_member(pool);
	struct mf_pieces *ext, *fresh = NULL, *nx;
	struct mf_mh_x add[MF_MH_MAX_EXT];
	u64 old_len, new_len, unit;
	struct mf_obj_mh *mho;
	struct mf_mh_reply r;
	u16 nr_add, i;
	int ret;

	if (!mb)
		return -ENODEV;
	unit = mb->geo.unit_size;
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		return ret;
	mutex_lock(&obj->ns->lock);
	mho = obj->mh;
	if (!mho || mho->remote || mho->published ||
	    obj->type != MF_OBJ_PRIVATE_RW)
		ret = -EACCES;
	if (!ret && mf_obj_mh_dead(obj))
		ret = -ESTALE;
	if (!ret && bytes <= obj->size)
		ret = -EINVAL;
	old_len = mf_obj_alloc_len(pool, obj->size);
	mutex_unlock(&obj->ns->lock);
	if (ret)
		goto out;
	new_len = mf_obj_alloc_len(pool, bytes);
	ret = mf_pool_mh_request(pool, MF_MH_OP_EXPAND, mho->id,
				 new_len + unit, 0, &r);
	if (ret)
		goto out;
	ret = -EUCLEAN;
	if (r.id != mho->id ||
	    mf_mh_ext_grown(mho->ext, mho->nr_ext, r.ext, r.nr_ext, add,
			    &nr_add))
		goto out;
	for (i = 0; i < nr_add; i++)
		if (add[i].start >= mb->geo.data_units ||
		    add[i].len > mb->geo.data_units - add[i].start)
			goto out;
	for (i = 0; i < nr_add; i++) {
		ret = mf_pool_zero(pool, mf_obj_mh_unit_off(mb, add[i].start),
				   (u64)add[i].len * unit);
		if (ret)
			goto out;
	}
	ret = mf_obj_mh_pieces(opool, mb, r.ext, r.nr_ext, old_len, new_len,
			       &fresh);
	if (ret)
		goto out;
	ret = mf_obj_mh_name_size(pool, mb, mho, bytes);
	if (ret)
		goto err_fresh;
	mutex_lock(&obj->ns->lock);
	ext = mf_obj_pieces(obj);
	nx = mf_pieces_alloc(ext->nr + fresh->nr);
	if (!nx) {
		mutex_unlock(&obj->ns->lock);
		ret = -ENOMEM;
		goto err_fresh;
	}
	memcpy(nx->e, ext->e, ext->nr * sizeof(nx->e[0]));
	memcpy(nx->e + ext->nr, fresh->e, fresh->nr * sizeof(nx->e[0]));
	mho->nr_ext = r.nr_ext;
	memcpy(mho->ext, r.ext, sizeof(mho->ext));
	rcu_assign_pointer(obj->pieces, nx);
	mf_pieces_retire(ext);
	if (!(obj->flags & MF_OBJF_FREED))
		obj->ns->bytes += bytes - obj->size;
	/* After the pieces that cover it (the lock-free path's acquire). */
	smp_store_release(&obj->size, bytes);
	mutex_unlock(&obj->ns->lock);
	kvfree(fresh);
	goto out;

err_fresh:
	mutex_lock(&pool->lock);
	mf_pieces_free(opool, fresh);
	mutex_unlock(&pool->lock);
	kvfree(fresh);
out:
	mutex_unlock(&opool->lock);
	return ret;
}

/**
 * mf_obj_mh_release() - give an object's reference or memory back
 * @obj: an object that nothing reaches any more (mf_obj_destroy())
 *
 * Context: process context; sleeps (a request).
 */
void mf_obj_mh_release(struct mf_obj *obj)
{
	struct mf_obj_mh *mho = obj->mh;

	if (!mho)
		return;
	obj->mh = NULL;
	mf_obj_mh_drop(obj->ns->pool, mho);
	kfree(mho);
}

/**
 * mf_obj_mh_dead() - whether an object is of a dead epoch of its host
 * @obj: an object the caller holds (a reference, a mapping, a counted
 *	lock-free call, or its namespace's lock)
 *
 * The manager gave this host up after it made or gave the object: its
 * references and private objects are gone at the manager, and its
 * extents may be quarantined or, once the host has rejoined, reused.
 *
 * Context: any; lock-free (@obj->mh is set before others reach the
 * object and freed only once nothing does).
 * Return: true for such an object; false for a live one, and for every
 * object of other pools.
 */
bool mf_obj_mh_dead(const struct mf_obj *obj)
{
	const struct mf_obj_mh *mho = READ_ONCE(obj->mh);

	return mho && mho->epoch != mf_pool_mh_epoch(obj->ns->pool);
}

/**
 * mf_obj_mh_remote() - whether an object is another host's
 * @obj: the object
 *
 * Context: @obj->ns->lock or the pool's object lock held.
 * Return: true for an object got by name from the device's directory.
 */
bool mf_obj_mh_remote(const struct mf_obj *obj)
{
	return obj->mh && obj->mh->remote;
}
