// SPDX-License-Identifier: GPL-2.0
/*
 * mf_obj_attach.c - the object layer's side of pool attach and detach: the
 * namespaces and objects of a persistent pool rebuilt from its records.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include <linux/crc32.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "mf_object.h"
#include "mf_record.h"

/**
 * mf_obj_pool_attach() - set up the object layer of a pool being attached
 * @pool: the pool, its allocator loaded, not yet listed
 *
 * A persistent pool's namespaces and objects are rebuilt from its records
 * (mf_rec_rebuild()).  Called by mf_ioctl_pool.c after the pool layer's
 * part of an attach.
 *
 * Context: process context; mf_pools_lock held.
 * Return: 0, or a negative errno (nothing is left behind).
 */
int mf_obj_pool_attach(struct mf_pool *pool)
{
	struct mf_obj_pool *opool;
	int ret;

	lockdep_assert_held(&mf_pools_lock);
	opool = mf_obj_pool_new(pool);
	if (!opool)
		return -ENOMEM;

	if (opool->persistent) {
		ret = mf_rec_rebuild(opool);
		if (ret) {
			mutex_lock(&opool->lock);
			opool->dead = true;
			mf_ns_destroy_all(opool);
			mutex_unlock(&opool->lock);
			mf_obj_pool_put(opool);
			return ret;
		}
	}

	mf_obj_pool_add(opool);
	return 0;
}

/**
 * mf_obj_pool_detach() - let go of a pool being detached
 * @pool: the pool
 * @force: module exit: drop everything whatever its state
 *
 * Refuses while an object of the pool is referenced (a handle, a mapping,
 * an ioctl in flight), and, for a volatile pool, while it holds objects:
 * their contents would be lost.  Otherwise the pool's DRAM state goes; a
 * persistent pool's namespaces and objects stay in its records.  Called by
 * mf_ioctl_pool.c before the pool layer detaches it; a pool it does not know is fine.
 *
 * Context: process context; mf_pools_lock held.
 * Return: 0, or -EBUSY (nothing changed).
 */
int mf_obj_pool_detach(struct mf_pool *pool, bool force)
{
	struct mf_obj_pool *opool;

	lockdep_assert_held(&mf_pools_lock);
	opool = mf_obj_pool_unlist(pool, force);
	if (IS_ERR_OR_NULL(opool))
		return PTR_ERR_OR_ZERO(opool);
	mf_ns_destroy_all(opool);
	mf_quarantine_drop(opool);
	mutex_unlock(&opool->lock);
	mf_obj_pool_put(opool);
	return 0;
}

/* ---- rebuild ----------------------------------------------------------------------- */

/**
 * struct mf_rb_ext - a used extent found at attach
 * @off: its offset
 * @len: its length
 */
struct mf_rb_ext {
	u64 off;
	u64 len;
};

/**
 * struct mf_rb_vec - a growing array of extents
 * @v: the extents, in address order
 * @n: entries used
 * @cap: entries allocated
 */
struct mf_rb_vec {
	struct mf_rb_ext *v;
	size_t n;
	size_t cap;
};

/**
 * struct mf_rebuild - what the attach walk found
 * @ns: namespace record extents
 * @obj: object record extents
 * @data: data extents
 * @bad: record extents to free (invalid, or superseded)
 * @err: -ENOMEM if an array could not grow
 */
struct mf_rebuild {
	struct mf_rb_vec ns;
	struct mf_rb_vec obj;
	struct mf_rb_vec data;
	struct mf_rb_vec bad;
	int err;
};

static int mf_rb_push(struct mf_rb_vec *vec, u64 off, u64 len)
{
	struct mf_rb_ext *v;

	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 64;

		v = kvmalloc_array(cap, sizeof(*v), GFP_KERNEL);
		if (!v)
			return -ENOMEM;
		if (vec->n)
			memcpy(v, vec->v, vec->n * sizeof(*v));
		kvfree(vec->v);
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n].off = off;
	vec->v[vec->n].len = len;
	vec->n++;
	return 0;
}

static int mf_rebuild_walk_one(void *ctx, u64 off, u64 len, u64 tag)
{
	struct mf_rebuild *rb = ctx;
	int ret = 0;

	if (tag == MF_TAG_NS_RECORD)
		ret = mf_rb_push(&rb->ns, off, len);
	else if (tag == MF_TAG_OBJ_RECORD)
		ret = mf_rb_push(&rb->obj, off, len);
	else if (tag == MF_TAG_DATA)
		ret = mf_rb_push(&rb->data, off, len);
	return ret;
}

/* The data extent that starts at @base, or NULL. */
static const struct mf_rb_ext *mf_rb_find(const struct mf_rb_vec *vec,
					  u64 base)
{
	size_t lo = 0, hi = vec->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vec->v[mid].off == base)
			return &vec->v[mid];
		if (vec->v[mid].off < base)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Rebuild one namespace from its record extent; false if it is not valid. */
static bool mf_rebuild_ns(struct mf_obj_pool *opool, const struct mf_rb_ext *x,
			  int *err)
{
	struct mf_pool *pool = opool->pool;
	struct mf_ns_rec r;
	struct mf_ns *ns;
	uuid_t uuid;

	if (x->len < sizeof(r) || mf_pool_read(pool, x->off, &r, sizeof(r)))
		return false;
	import_uuid(&uuid, r.pool_uuid);
	if (le64_to_cpu(r.magic) != MF_NS_REC_MAGIC ||
	    le32_to_cpu(r.version) != MF_REC_VERSION ||
	    le32_to_cpu(r.rec_size) != sizeof(r) ||
	    le64_to_cpu(r.self) != x->off || !uuid_equal(&uuid, &pool->uuid) ||
	    le32_to_cpu(r.checksum) != mf_ns_rec_csum(&r) ||
	    !mf_name_valid(r.name, sizeof(r.name)))
		return false;
	list_for_each_entry(ns, &opool->namespaces, node)
		if (!strncmp(ns->name, r.name, sizeof(r.name)))
			return false;
	ns = mf_ns_new(opool, r.name, r.salt, r.secid_hash, le64_to_cpu(r.ttl),
		       le32_to_cpu(r.attr), le64_to_cpu(r.ctime));
	if (!ns) {
		*err = -ENOMEM;
		return false;
	}
	ns->record = x->off;
	return true;
}

/*
 * Check an object record's header and pieces against the data extents;
 * returns its namespace, or NULL if it is not valid.
 */
static struct mf_ns *mf_rebuild_check_obj(struct mf_obj_pool *opool,
					  struct mf_rebuild *rb,
					  const struct mf_obj_rec *r, u32 nr)
{
	struct mf_pool *pool = opool->pool;
	u64 unit = 1ULL << pool->unit_shift, total = 0, size, end, bend;
	const struct mf_rb_ext *b;
	struct mf_ns *ns, *found = NULL;
	u32 type = le32_to_cpu(r->type), i;

	size = le64_to_cpu(r->size);
	if (le32_to_cpu(r->checksum) != mf_obj_rec_csum(r, nr) ||
	    !mf_name_valid(r->id, sizeof(r->id)) || !size ||
	    size > MF_OBJ_MAX_SIZE ||
	    (type != MF_OBJ_PRIVATE_RW && type != MF_OBJ_SHARED_RO) ||
	    !uid_valid(make_kuid(&init_user_ns, le32_to_cpu(r->owner))))
		return NULL;
	list_for_each_entry(ns, &opool->namespaces, node)
		if (ns->record == le64_to_cpu(r->ns_record))
			found = ns;
	if (!found)
		return NULL;
	for (i = 0; i < nr; i++) {
		u64 off = le64_to_cpu(r->e[i].off);
		u64 len = le64_to_cpu(r->e[i].len);
		u64 base = le64_to_cpu(r->e[i].base);

		b = mf_rb_find(&rb->data, base);
		if (!b || !len || (off | len) & (unit - 1) || off < base ||
		    check_add_overflow(off, len, &end) ||
		    check_add_overflow(b->off, b->len, &bend) || end > bend ||
		    check_add_overflow(total, len, &total))
			return NULL;
	}
	if (total != mf_obj_alloc_len(pool, size))
		return NULL;
	return found;
}

/* Rebuild one object from its record extent; false if it is not valid. */
static bool mf_rebuild_obj(struct mf_obj_pool *opool, struct mf_rebuild *rb,
			   const struct mf_rb_ext *x, int *err)
{
	struct mf_pool *pool = opool->pool;
	struct mf_obj_rec hdr, *r = NULL;
	struct mf_pieces *ext = NULL;
	struct mf_obj *obj, *old;
	struct mf_ns *ns;
	bool ok = false;
	uuid_t uuid;
	u64 pos = 0;
	size_t len;
	u32 nr, i;

	if (x->len < sizeof(hdr) || mf_pool_read(pool, x->off, &hdr, sizeof(hdr)))
		return false;
	import_uuid(&uuid, hdr.pool_uuid);
	nr = le32_to_cpu(hdr.nr);
	if (le64_to_cpu(hdr.magic) != MF_OBJ_REC_MAGIC ||
	    le32_to_cpu(hdr.version) != MF_REC_VERSION ||
	    le64_to_cpu(hdr.self) != x->off || !uuid_equal(&uuid, &pool->uuid) ||
	    !nr || nr > (x->len - sizeof(hdr)) / sizeof(hdr.e[0]))
		return false;
	len = struct_size(r, e, nr);
	r = kvmalloc(len, GFP_KERNEL);
	ext = mf_pieces_alloc(nr);
	if (!r || !ext) {
		*err = -ENOMEM;
		goto out;
	}
	if (mf_pool_read(pool, x->off, r, len))
		goto out;
	ns = mf_rebuild_check_obj(opool, rb, r, nr);
	if (!ns)
		goto out;
	for (i = 0; i < nr; i++) {
		ext->e[i].pos = pos;
		ext->e[i].off = le64_to_cpu(r->e[i].off);
		ext->e[i].len = le64_to_cpu(r->e[i].len);
		ext->e[i].base = le64_to_cpu(r->e[i].base);
		pos += ext->e[i].len;
	}
	obj = mf_obj_new(ns, r->id, le64_to_cpu(r->size), ext);
	if (!obj) {
		*err = -ENOMEM;
		goto out;
	}
	ext = NULL;
	obj->type = le32_to_cpu(r->type);
	obj->owner = make_kuid(&init_user_ns, le32_to_cpu(r->owner));
	obj->ctime = le64_to_cpu(r->ctime);
	obj->record = x->off;
	obj->rec_gen = le64_to_cpu(r->gen);

	mutex_lock(&ns->lock);
	if (mf_obj_insert_locked(obj)) {
		/* Two records of one object: the newer one wins. */
		struct rb_node *n = ns->objects.rb_node;

		old = NULL;
		while (n) {
			struct mf_obj *o = rb_entry(n, struct mf_obj, rb);
			int c = strncmp(obj->id, o->id, MF_OBJ_ID_LEN);

			if (!c) {
				old = o;
				break;
			}
			n = c < 0 ? n->rb_left : n->rb_right;
		}
		if (old && old->rec_gen < obj->rec_gen) {
			rb_erase(&old->rb, &ns->objects);
			RB_CLEAR_NODE(&old->rb);
			ns->nr_objects--;
			ns->bytes -= old->size;
			if (mf_rb_push(&rb->bad, old->record, 0))
				*err = -ENOMEM;
			WARN_ON(mf_obj_insert_locked(obj));
			mutex_unlock(&ns->lock);
			mf_obj_put_struct(old);
			ok = true;
			goto out;
		}
		mutex_unlock(&ns->lock);
		mf_obj_put_struct(obj);
		goto out;
	}
	mutex_unlock(&ns->lock);
	ok = true;
out:
	kvfree(ext);
	kvfree(r);
	return ok;
}

/* Count the pieces of every object; free the data extents none uses. */
static int mf_rebuild_uses(struct mf_obj_pool *opool, struct mf_rebuild *rb,
			   u64 *orphans)
{
	struct mf_pool *pool = opool->pool;
	struct mf_pieces *ext;
	struct mf_obj *obj;
	struct rb_node *n;
	struct mf_ns *ns;
	int ret = 0;
	size_t i;
	u32 j;

	/* mf_object.h's order: a namespace's lock, then the allocator's. */
	list_for_each_entry(ns, &opool->namespaces, node) {
		mutex_lock(&ns->lock);
		mutex_lock(&pool->lock);
		for (n = rb_first(&ns->objects); n && !ret; n = rb_next(n)) {
			obj = rb_entry(n, struct mf_obj, rb);
			ext = mf_obj_pieces(obj);
			for (j = 0; j < ext->nr && !ret; j++)
				ret = mf_base_get(opool, ext->e[j].base, 1);
		}
		mutex_unlock(&pool->lock);
		mutex_unlock(&ns->lock);
		if (ret)
			return ret;
		cond_resched();
	}
	mutex_lock(&pool->lock);
	for (i = 0; i < rb->data.n && !ret; i++) {
		if (mf_base_count(opool, rb->data.v[i].off))
			continue;
		if (!mf_ext_free(pool->ext, rb->data.v[i].off))
			(*orphans)++;
	}
	mutex_unlock(&pool->lock);
	return ret;
}

/**
 * mf_rec_rebuild() - rebuild a persistent pool's namespaces and objects
 * @opool: the pool's new object state, not listed yet
 *
 * Walks the allocator's used extents, rebuilds every valid namespace and
 * object record (the newest of an object's), counts the uses of the data
 * extents, and frees what a crash left behind: invalid or superseded
 * records, object records without a namespace, and data extents no
 * record lists.  Extents with other tags (raw extents) are left alone.
 *
 * Context: process context, at attach (mf_pools_lock held).
 * Return: 0, or -ENOMEM (what was rebuilt is left for the caller to drop,
 * nothing was freed), or the allocator's error.
 */
int mf_rec_rebuild(struct mf_obj_pool *opool)
{
	struct mf_pool *pool = opool->pool;
	struct mf_rebuild rb = {};
	u64 n_ns = 0, n_obj = 0, orphans = 0;
	struct mf_ns *ns;
	size_t i;
	int ret, err = 0;

	lockdep_assert_held(&mf_pools_lock);
	mutex_lock(&pool->lock);
	ret = mf_ext_for_each_used(pool->ext, mf_rebuild_walk_one, &rb);
	mutex_unlock(&pool->lock);
	if (ret)
		goto out;

	for (i = 0; i < rb.ns.n && !err; i++) {
		if (mf_rebuild_ns(opool, &rb.ns.v[i], &err))
			n_ns++;
		else if (!err && mf_rb_push(&rb.bad, rb.ns.v[i].off, 0))
			err = -ENOMEM;
	}
	for (i = 0; i < rb.obj.n && !err; i++) {
		if (!mf_rebuild_obj(opool, &rb, &rb.obj.v[i], &err) && !err &&
		    mf_rb_push(&rb.bad, rb.obj.v[i].off, 0))
			err = -ENOMEM;
		cond_resched();
	}
	ret = err;
	if (!ret)
		ret = mf_rebuild_uses(opool, &rb, &orphans);
	if (ret)
		goto out;

	/*
	 * What is not valid now never will be: clear (a superseded record
	 * is valid where it is) and free it.
	 */
	for (i = 0; i < rb.bad.n; i++)
		mf_rec_retire(pool, rb.bad.v[i].off);
	list_for_each_entry(ns, &opool->namespaces, node)
		n_obj += ns->nr_objects;
	if (n_ns || rb.bad.n || orphans)
		pr_info("pool %s: %llu namespaces, %llu objects; freed %zu stale records, %llu orphan extents\n",
			pool->name, n_ns, n_obj, rb.bad.n, orphans);
out:
	kvfree(rb.ns.v);
	kvfree(rb.obj.v);
	kvfree(rb.data.v);
	kvfree(rb.bad.v);
	return ret;
}
