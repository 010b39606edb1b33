// SPDX-License-Identifier: GPL-2.0
/*
 * mf_record.c - namespaces and objects of persistent (fsdax) pools, kept
 * in the pool as records, and their rebuild at attach.
 *
 * A namespace record (struct mf_ns_rec) and an object record (struct
 * mf_obj_rec and its pieces) are each an extent of the pool's allocator,
 * tagged MF_TAG_NS_RECORD or MF_TAG_OBJ_RECORD; object memory is in
 * extents tagged MF_TAG_DATA.  A record is valid when its magic, version,
 * own offset, pool UUID and crc32c match: a record is only valid where it
 * was written, in the pool it was written in.
 *
 * Updates never edit a record in place:
 *
 *   create   the data extents are allocated (durably, by the allocator),
 *            zeroed and flushed; then the record is written and flushed.
 *   change   (expand, publish, copy-on-write) a new record with the next
 *            generation is written and flushed, then the old one is
 *            retired; new data extents are written before the new record.
 *   retire   the record's magic is cleared and flushed, then its extent is
 *            freed; data extents are freed after that.
 *
 * So a crash leaves: a record extent that is not valid yet (freed at the
 * next attach), two valid records of one object (the higher generation
 * wins, the other is freed), or data extents no record lists (orphans,
 * freed at the next attach).  Each is the state before or after the
 * interrupted operation.  A namespace's record is written before any of
 * its objects' and retired after all of theirs; an object record whose
 * namespace record is gone is freed at attach.
 *
 * Use counts are not stored: attach counts the pieces of every valid
 * object record.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "mf_object.h"

#define MF_NS_REC_MAGIC		0x31434552534e464dULL	/* "MFNSREC1" */
#define MF_OBJ_REC_MAGIC	0x314345524f424f4dULL	/* "MOBOREC1" */
#define MF_REC_VERSION		1

/**
 * struct mf_ns_rec - a namespace's record, little endian
 * @magic: MF_NS_REC_MAGIC
 * @version: MF_REC_VERSION
 * @rec_size: sizeof(struct mf_ns_rec)
 * @self: offset of this record in the pool's data area
 * @pool_uuid: the pool's UUID
 * @name: the namespace's name, NUL-padded
 * @secid_hash: SHA-256 of @salt and the secId
 * @salt: the salt
 * @ttl: seconds
 * @ctime: creation time
 * @attr: the attribute word
 * @flags: 0
 * @reserved: 0
 * @pad: 0
 * @checksum: crc32c of the record up to this field
 */
struct mf_ns_rec {
	__le64 magic;
	__le32 version;
	__le32 rec_size;
	__le64 self;
	u8 pool_uuid[16];
	char name[MF_NS_NAME_LEN];
	u8 secid_hash[32];
	u8 salt[16];
	__le64 ttl;
	__le64 ctime;
	__le32 attr;
	__le32 flags;
	__le64 reserved[4];
	__le32 pad;
	__le32 checksum;
};

static_assert(sizeof(struct mf_ns_rec) == 216);

/**
 * struct mf_rec_piece - a piece in an object record
 * @off: where it starts in the pool's data area
 * @len: its length
 * @base: the data extent that holds it
 */
struct mf_rec_piece {
	__le64 off;
	__le64 len;
	__le64 base;
};

/**
 * struct mf_obj_rec - an object's record, little endian
 * @magic: MF_OBJ_REC_MAGIC
 * @version: MF_REC_VERSION
 * @nr: pieces in @e
 * @self: offset of this record in the pool's data area
 * @pool_uuid: the pool's UUID
 * @gen: generation; the highest valid one of an object wins
 * @ns_record: offset of its namespace's record
 * @id: the object's id, NUL-padded
 * @size: its size
 * @ctime: its creation time
 * @type: MF_OBJ_PRIVATE_RW or MF_OBJ_SHARED_RO
 * @owner: its owner's uid (in the initial user namespace)
 * @reserved: 0
 * @pad: 0
 * @checksum: crc32c of the record up to this field, then of @e
 * @e: the pieces, in object order
 */
struct mf_obj_rec {
	__le64 magic;
	__le32 version;
	__le32 nr;
	__le64 self;
	u8 pool_uuid[16];
	__le64 gen;
	__le64 ns_record;
	char id[MF_OBJ_ID_LEN];
	__le64 size;
	__le64 ctime;
	__le32 type;
	__le32 owner;
	__le64 reserved[4];
	__le32 pad;
	__le32 checksum;
	struct mf_rec_piece e[];
};

static_assert(sizeof(struct mf_obj_rec) == 184);

static u32 mf_ns_rec_csum(const struct mf_ns_rec *r)
{
	return ~__crc32c_le(~0U, (const u8 *)r,
			    offsetof(struct mf_ns_rec, checksum));
}

static u32 mf_obj_rec_csum(const struct mf_obj_rec *r, u32 nr)
{
	u32 crc = __crc32c_le(~0U, (const u8 *)r,
			      offsetof(struct mf_obj_rec, checksum));

	return ~__crc32c_le(crc, (const u8 *)r->e, nr * sizeof(r->e[0]));
}

/* Clear a record's magic durably, then free its extent. */
static void mf_rec_retire(struct mf_pool *pool, u64 off)
{
	static const __le64 zero;
	int ret;

	mf_fab_write(pool, off, &zero, sizeof(zero));
	mutex_lock(&pool->lock);
	ret = pool->dead ? -ENOENT : mf_ext_free(pool->ext, off);
	mutex_unlock(&pool->lock);
	if (ret)
		pr_err("pool %s: cannot free record %llu: %d\n", pool->name,
		       off, ret);
}

/* Allocate a record extent of @len bytes tagged @tag. */
static int mf_rec_alloc(struct mf_pool *pool, u64 len, u64 tag, u64 *off)
{
	int ret;

	mutex_lock(&pool->lock);
	ret = pool->dead ? -ENOENT : mf_ext_alloc(pool->ext, len, tag, off);
	mutex_unlock(&pool->lock);
	return ret;
}

/**
 * mf_rec_ns_write() - write a new namespace's record
 * @ns: the namespace, of a persistent pool, without a record
 *
 * Context: process context; the pool's lock held.
 * Return: 0 with @ns->record set; -ENOSPC, -ENOENT.
 */
int mf_rec_ns_write(struct mf_ns *ns)
{
	struct mf_pool *pool = ns->pool;
	struct mf_ns_rec r = {};
	u64 off;
	int ret;

	lockdep_assert_held(&ns->opool->lock);
	ret = mf_rec_alloc(pool, sizeof(r), MF_TAG_NS_RECORD, &off);
	if (ret)
		return ret;
	r.magic = cpu_to_le64(MF_NS_REC_MAGIC);
	r.version = cpu_to_le32(MF_REC_VERSION);
	r.rec_size = cpu_to_le32(sizeof(r));
	r.self = cpu_to_le64(off);
	export_uuid(r.pool_uuid, &pool->uuid);
	strscpy_pad(r.name, ns->name, sizeof(r.name));
	memcpy(r.secid_hash, ns->secid_hash, sizeof(r.secid_hash));
	memcpy(r.salt, ns->salt, sizeof(r.salt));
	r.ttl = cpu_to_le64(ns->ttl);
	r.ctime = cpu_to_le64(ns->ctime);
	r.attr = cpu_to_le32(ns->attr);
	r.checksum = cpu_to_le32(mf_ns_rec_csum(&r));
	mf_fab_write(pool, off, &r, sizeof(r));
	ns->record = off;
	return 0;
}

/**
 * mf_rec_ns_retire() - retire a namespace's record, if it has one
 * @ns: the namespace; its objects' records are retired already
 *
 * Context: process context; the pool's lock held.
 */
void mf_rec_ns_retire(struct mf_ns *ns)
{
	lockdep_assert_held(&ns->opool->lock);
	if (ns->record == MF_NO_RECORD)
		return;
	mf_rec_retire(ns->pool, ns->record);
	ns->record = MF_NO_RECORD;
}

/**
 * mf_rec_obj_write() - write an object's record, replacing its old one
 * @obj: the object, of a persistent pool
 * @ext: the pieces to record (its current ones, or those about to be)
 * @size: the size to record
 * @type: the type to record
 *
 * The new record, one generation up, is durable before the old one is
 * retired.  The object's id and namespace must be final.
 *
 * Context: process context; @obj->ns->lock held.
 * Return: 0 with @obj->record and @obj->rec_gen set; -ENOSPC, -ENOENT,
 * -ENOMEM (the old record then stays).
 */
int mf_rec_obj_write(struct mf_obj *obj, const struct mf_obj_extents *ext,
		     u64 size, u32 type)
{
	struct mf_pool *pool = obj->ns->pool;
	struct mf_obj_rec *r;
	u64 off, old = obj->record;
	size_t len;
	u32 i;
	int ret;

	lockdep_assert_held(&obj->ns->lock);
	len = struct_size(r, e, ext->nr);
	r = kvzalloc(len, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	ret = mf_rec_alloc(pool, len, MF_TAG_OBJ_RECORD, &off);
	if (ret)
		goto out;
	r->magic = cpu_to_le64(MF_OBJ_REC_MAGIC);
	r->version = cpu_to_le32(MF_REC_VERSION);
	r->nr = cpu_to_le32(ext->nr);
	r->self = cpu_to_le64(off);
	export_uuid(r->pool_uuid, &pool->uuid);
	r->gen = cpu_to_le64(obj->rec_gen + 1);
	r->ns_record = cpu_to_le64(obj->ns->record);
	memcpy(r->id, obj->id, sizeof(r->id));
	r->size = cpu_to_le64(size);
	r->ctime = cpu_to_le64(obj->ctime);
	r->type = cpu_to_le32(type);
	r->owner = cpu_to_le32(from_kuid(&init_user_ns, obj->owner));
	for (i = 0; i < ext->nr; i++) {
		r->e[i].off = cpu_to_le64(ext->e[i].off);
		r->e[i].len = cpu_to_le64(ext->e[i].len);
		r->e[i].base = cpu_to_le64(ext->e[i].base);
	}
	r->checksum = cpu_to_le32(mf_obj_rec_csum(r, ext->nr));
	mf_fab_write(pool, off, r, len);
	obj->record = off;
	obj->rec_gen++;
	if (old != MF_NO_RECORD)
		mf_rec_retire(pool, old);
out:
	kvfree(r);
	return ret;
}

/**
 * mf_rec_obj_retire() - retire an object's record (a durable free)
 * @obj: the object, of a persistent pool, with a record
 *
 * Context: process context; @obj->ns->lock held.
 */
void mf_rec_obj_retire(struct mf_obj *obj)
{
	lockdep_assert_held(&obj->ns->lock);
	mf_rec_retire(obj->ns->pool, obj->record);
	obj->record = MF_NO_RECORD;
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

	if (x->len < sizeof(r) || mf_fab_read(pool, x->off, &r, sizeof(r)))
		return false;
	import_uuid(&uuid, r.pool_uuid);
	if (le64_to_cpu(r.magic) != MF_NS_REC_MAGIC ||
	    le32_to_cpu(r.version) != MF_REC_VERSION ||
	    le32_to_cpu(r.rec_size) != sizeof(r) ||
	    le64_to_cpu(r.self) != x->off || !uuid_equal(&uuid, &pool->uuid) ||
	    le32_to_cpu(r.checksum) != mf_ns_rec_csum(&r) ||
	    !mf_ns_name_valid(r.name, sizeof(r.name)))
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
	    !mf_ns_name_valid(r->id, sizeof(r->id)) || !size ||
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
	struct mf_obj_extents *ext = NULL;
	struct mf_obj *obj, *old;
	struct mf_ns *ns;
	bool ok = false;
	uuid_t uuid;
	u64 pos = 0;
	size_t len;
	u32 nr, i;

	if (x->len < sizeof(hdr) || mf_fab_read(pool, x->off, &hdr, sizeof(hdr)))
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
	ext = mf_obj_extents_alloc(nr);
	if (!r || !ext) {
		*err = -ENOMEM;
		goto out;
	}
	if (mf_fab_read(pool, x->off, r, len))
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
	struct mf_obj_extents *ext;
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
			ext = mf_obj_ext(obj);
			for (j = 0; j < ext->nr && !ret; j++)
				ret = mf_uses_get(opool, ext->e[j].base, 1);
		}
		mutex_unlock(&pool->lock);
		mutex_unlock(&ns->lock);
		if (ret)
			return ret;
		cond_resched();
	}
	mutex_lock(&pool->lock);
	for (i = 0; i < rb->data.n && !ret; i++) {
		if (mf_uses_count(opool, rb->data.v[i].off))
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
