// SPDX-License-Identifier: GPL-2.0
/*
 * mf_record.c - writing and retiring the records that keep namespaces and
 * objects in persistent pools.
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
#include "mf_record.h"

/* Clear a record's magic durably, then free its extent. */
void mf_rec_retire(struct mf_pool *pool, u64 off)
{
	static const __le64 zero;
	int ret;

	mf_pool_write(pool, off, &zero, sizeof(zero));
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
	mf_pool_write(pool, off, &r, sizeof(r));
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
int mf_rec_obj_write(struct mf_obj *obj, const struct mf_pieces *ext,
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
	mf_pool_write(pool, off, r, len);
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
