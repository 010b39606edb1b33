// SPDX-License-Identifier: GPL-2.0
/*
 * mf_obj_mh.c - objects on a multi-host pool (Documentation/multihost.md,
 * "In the kernel"): the object layer's glue to the protocol core.
 *
 *   alloc	an ALLOC request to the manager gives the object's extents
 *		(one unit more than its data: the name block, below); its
 *		pieces point at those device ranges
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
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "mf_mh.h"
#include "mf_netlink.h"
#include "mf_object.h"

#define MF_MH_NAME_MAGIC	0x454d414e484d464dULL	/* "MFMHNAME" */

/**
 * struct mf_obj_mh - an object's place in a multi-host pool
 * @id: the protocol's object id
 * @gen: its generation (0 private; the published one after publish)
 * @remote: another host's published object, got by name; this host's
 *	reference to it at the manager lives as long as the local object
 * @published: the owner published it (the owner holds a reference)
 * @nr_ext: extents in @ext
 * @ext: the extents, in units of the device's data area
 */
struct mf_obj_mh {
	u64 id;
	u32 gen;
	bool remote;
	bool published;
	u16 nr_ext;
	struct mf_mh_x ext[MF_MH_MAX_EXT];
};

/* The first unit of an object's first extent, written by its owner. */
struct mf_obj_mh_name {
	__le64 magic;
	__le64 size;
	__le64 id;
	u8 salt[16];
	u8 hash[SHA256_DIGEST_SIZE];
	char ns[MF_NS_NAME_LEN];
	char obj[MF_OBJ_ID_LEN];
	__le32 pad;
	__le32 crc;
};

static u32 mf_obj_mh_crc(const struct mf_obj_mh_name *nb)
{
	return ~mf_mh_crc32c(~0U, nb, offsetof(struct mf_obj_mh_name, crc));
}

/* Device offset (from the pool's base) of unit @unit of the data area. */
static u64 mf_obj_mh_unit_off(struct mf_mh_member *mb, u32 unit)
{
	return mf_mh_data_off(&mb->geo) + (u64)unit * mb->geo.unit_size;
}

/*
 * The pieces of an object of @len bytes (a multiple of the unit) on
 * extents @ext, after the name block; each piece's base counted.
 */
static int mf_obj_mh_pieces(struct mf_obj_pool *opool,
			    struct mf_mh_member *mb,
			    const struct mf_mh_x *ext, u16 nr_ext, u64 len,
			    struct mf_pieces **out)
{
	struct mf_pool *pool = opool->pool;
	u64 unit = mb->geo.unit_size, pos = 0, off, l;
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

/* Send the request that gives back @mho's reference or object. */
static void mf_obj_mh_drop(struct mf_pool *pool, struct mf_obj_mh *mho)
{
	struct mf_mh_member *mb = mf_pool_mh_member(pool);
	struct mf_mh_reply r;
	int ret;

	if (!mb)
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
	ret = mf_pool_mh_request(pool, MF_MH_OP_ALLOC, 0,
				 len + mb->geo.unit_size, 0, &r);
	if (ret)
		goto err_free;
	mho->id = r.id;
	mho->gen = r.gen;
	mho->nr_ext = r.nr_ext;
	memcpy(mho->ext, r.ext, sizeof(mho->ext));
	for (i = 0; i < mho->nr_ext; i++) {
		ret = mf_pool_zero(pool, mf_obj_mh_unit_off(mb, mho->ext[i].start),
				   (u64)mho->ext[i].len * mb->geo.unit_size);
		if (ret)
			goto err_drop;
	}
	ret = mf_obj_mh_pieces(opool, mb, mho->ext, mho->nr_ext, len, out);
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
 * Return: 0; the manager's refusal; -EAGAIN; -ETIMEDOUT.
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
	if (mho->remote || mho->published)
		return -EALREADY;
	mf_mh_publish_prepare(mb, mho->ext, mho->nr_ext);
	ret = mf_pool_mh_request(pool, MF_MH_OP_PUBLISH, mho->id, 0, 0, &r);
	if (ret)
		return ret;
	mho->gen = r.gen;
	mho->published = true;
	mf_mh_published(mb, mho->id, r.gen);
	return 0;
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

/* Read and check the name block of published object @r. */
static int mf_obj_mh_name_read(struct mf_pool *pool, struct mf_mh_member *mb,
			       const struct mf_mh_reply *r,
			       struct mf_obj_mh_name *nb)
{
	u8 *p = (u8 *)pool->mh_base + mf_obj_mh_unit_off(mb, r->ext[0].start);

	/* Lines of an earlier object of the same units may be cached. */
	mf_mh_inval(MF_MH_S_MAP_INVAL, p, sizeof(*nb));
	mf_mh_ld(nb, p, sizeof(*nb));
	if (le64_to_cpu(nb->magic) != MF_MH_NAME_MAGIC ||
	    le32_to_cpu(nb->crc) != mf_obj_mh_crc(nb) ||
	    le64_to_cpu(nb->id) != r->id ||
	    !nb->size || le64_to_cpu(nb->size) > r->size ||
	    !mf_name_valid(nb->ns, sizeof(nb->ns)) ||
	    !mf_name_valid(nb->obj, sizeof(nb->obj)))
		return -EUCLEAN;
	return 0;
}

/*
 * Find the newest published object named @ns/@id in the directory whose
 * secId is @secid: 0 with @found, -EACCES only with other secIds,
 * -ENOENT none.
 */
static int mf_obj_mh_find(struct mf_pool *pool, struct mf_mh_member *mb,
			  const struct mf_obj_name *name,
			  struct mf_mh_reply *found, u64 *size)
{
	u8 hash[SHA256_DIGEST_SIZE];
	struct mf_obj_mh_name *nb;
	struct mf_mh_reply r;
	int ret = -ENOENT;
	u32 s;

	nb = kmalloc(sizeof(*nb), GFP_KERNEL);
	if (!nb)
		return -ENOMEM;
	for (s = 0; s < mb->geo.dir_slots; s++) {
		if (mf_mh_dir_get(mb, s, &r) || !r.nr_ext ||
		    mf_obj_mh_name_read(pool, mb, &r, nb) ||
		    strncmp(nb->ns, name->ns, sizeof(nb->ns)) ||
		    strncmp(nb->obj, name->id, sizeof(nb->obj)))
			continue;
		mf_ns_secid_hash(nb->salt, name->secid, hash);
		if (crypto_memneq(hash, nb->hash, sizeof(hash))) {
			if (ret == -ENOENT)
				ret = -EACCES;
			continue;
		}
		if (ret || r.seq > found->seq) {
			*found = r;
			*size = le64_to_cpu(nb->size);
			ret = 0;
		}
	}
	memzero_explicit(hash, sizeof(hash));
	kfree(nb);
	return ret;
}

/**
 * mf_obj_mh_get() - get another host's published object by name
 * @opool: a multi-host pool
 * @name: pool, namespace, secId, id from the caller
 * @mff: the caller's open file, which gets a handle
 *
 * For a name with no local object: the directory is searched, the name
 * block checked, the host's reference taken with GET, the range
 * invalidated, and a local read-only object made (with the namespace, if
 * this host has none of that name: namespaces of a multi-host pool exist
 * wherever an object of theirs is got).
 *
 * Context: @opool->lock held; sleeps.
 * Return: the object with one reference, the handle's; ERR_PTR:
 * -ENOENT none; -EACCES wrong secId; -EEXIST a local object has the id;
 * the manager's refusal; -EAGAIN; -ETIMEDOUT; -ENOMEM.
 */
struct mf_obj *mf_obj_mh_get(struct mf_obj_pool *opool,
			     const struct mf_obj_name *name,
			     struct mf_file *mff)
{
	struct mf_pool *pool = opool->pool;
	struct mf_mh_member *mb = mf_pool_mh_member(pool);
	u8 salt[16], hash[SHA256_DIGEST_SIZE];
	struct mf_mh_reply r = {}, g;
	struct mf_pieces *ext;
	struct mf_obj_mh *mho;
	struct mf_obj *obj;
	struct mf_ns *ns;
	u64 size = 0;
	int ret;

	lockdep_assert_held(&opool->lock);
	if (!mb)
		return ERR_PTR(-ENODEV);
	if (!mf_name_valid(name->ns, MF_NS_NAME_LEN) ||
	    !mf_secid_valid(name->secid) ||
	    !mf_name_valid(name->id, MF_OBJ_ID_LEN))
		return ERR_PTR(-EINVAL);
	ret = mf_obj_mh_find(pool, mb, name, &r, &size);
	if (ret)
		return ERR_PTR(ret);
	mho = kzalloc(sizeof(*mho), GFP_KERNEL);
	if (!mho)
		return ERR_PTR(-ENOMEM);
	mho->id = r.id;
	mho->gen = r.gen;
	mho->remote = true;
	mho->nr_ext = r.nr_ext;
	memcpy(mho->ext, r.ext, sizeof(mho->ext));
	ret = mf_pool_mh_request(pool, MF_MH_OP_GET, r.id, 0, r.gen, &g);
	if (ret)
		goto err_free;
	/* Before anything of this generation is read on this host. */
	mf_mh_map_prepare(mb, r.id, r.gen, r.ext, r.nr_ext);
	ret = mf_obj_mh_pieces(opool, mb, r.ext, r.nr_ext,
			       mf_obj_alloc_len(pool, size), &ext);
	if (ret)
		goto err_put;
	ns = mf_ns_find_locked(opool, name->ns);
	if (!ns) {
		get_random_bytes(salt, sizeof(salt));
		mf_ns_secid_hash(salt, name->secid, hash);
		ns = mf_ns_new(opool, name->ns, salt, hash, 0, 0,
			       ktime_get_real_seconds());
		memzero_explicit(hash, sizeof(hash));
		if (!ns) {
			ret = -ENOMEM;
			goto err_pieces;
		}
		mf_nl_ns_event(ns, MF_NL_CMD_NS_CREATED);
	}
	obj = mf_obj_create(ns, name->id, size, ext, mff);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto err_put;
	}
	mutex_lock(&ns->lock);
	WRITE_ONCE(obj->type, MF_OBJ_SHARED_RO);
	obj->mh = mho;
	mutex_unlock(&ns->lock);
	return obj;

err_pieces:
	mutex_lock(&pool->lock);
	mf_pieces_free(opool, ext);
	mutex_unlock(&pool->lock);
	kvfree(ext);
err_put:
	mf_obj_mh_drop(pool, mho);
err_free:
	kfree(mho);
	return ERR_PTR(ret);
}

/**
 * mf_obj_mh_reclaim() - drop the remote objects nobody here references
 * @opool: the pool, live
 *
 * Each one's destruction PUTs the host's reference at the manager.  The
 * periodic reclaim scan calls this.
 *
 * Context: @opool->lock held; sleeps.
 */
void mf_obj_mh_reclaim(struct mf_obj_pool *opool)
{
	struct rb_node *rb, *next_rb;
	struct mf_obj *obj, *next;
	struct mf_ns *ns;
	LIST_HEAD(reap);

	lockdep_assert_held(&opool->lock);
	if (!opool->pool->mh)
		return;
	list_for_each_entry(ns, &opool->namespaces, node) {
		mutex_lock(&ns->lock);
		for (rb = rb_first(&ns->objects); rb; rb = next_rb) {
			next_rb = rb_next(rb);
			obj = rb_entry(rb, struct mf_obj, rb);
			if (!mf_obj_mh_remote(obj) || obj->refs)
				continue;
			mf_obj_hide_locked(obj);
			list_add_tail(&obj->reap, &reap);
		}
		mutex_unlock(&ns->lock);
	}
	list_for_each_entry_safe(obj, next, &reap, reap) {
		list_del_init(&obj->reap);
		mf_obj_destroy(obj);
	}
}
