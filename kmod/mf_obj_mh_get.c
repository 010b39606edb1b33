// SPDX-License-Identifier: GPL-2.0
/*
 * mf_obj_mh_get.c - a multi-host pool's objects got by name: the device's
 * directory probed from the name's hash, the name block checked (its secId hash compared in
 * constant time), the host's reference taken with GET, the range
 * invalidated, and a local read-only "remote" object made, with its
 * namespace if this host has none of that name.  Above the object layer
 * (it creates objects); mf_obj_mh.c describes the name block and the
 * locking.
 */

#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "mf_netlink.h"
#include "mf_obj_mh.h"
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
 * Find the published object named @ns/@id whose secId is @secid: probe
 * the directory from the name's hash (mf_mh_lookup(); the manager keeps
 * one live published object per hash), then check its name block.  0
 * with @found; -EACCES another secId; -ENOENT none (or only another name
 * of the same 64-bit hash, which the manager refused to publish twice).
 */
static int mf_obj_mh_find(struct mf_pool *pool, struct mf_mh_member *mb,
			  const struct mf_obj_name *name,
			  struct mf_mh_reply *found, u64 *size)
{
	u8 hash[SHA256_DIGEST_SIZE];
	struct mf_obj_mh_name *nb;
	u32 reads = 0;
	int ret;

	nb = kmalloc(sizeof(*nb), GFP_KERNEL);
	if (!nb)
		return -ENOMEM;
	ret = mf_mh_lookup(mb, mf_obj_mh_name_hash(name->ns, name->id), found,
			   &reads);
	mf_pool_mh_lookup_count(pool, reads);
	if (ret)
		goto out;
	ret = -ENOENT;
	if (!found->nr_ext || mf_obj_mh_name_read(pool, mb, found, nb) ||
	    strncmp(nb->ns, name->ns, sizeof(nb->ns)) ||
	    strncmp(nb->obj, name->id, sizeof(nb->obj)))
		goto out;
	mf_ns_secid_hash(nb->salt, name->secid, hash);
	ret = crypto_memneq(hash, nb->hash, sizeof(hash)) ? -EACCES : 0;
	*size = le64_to_cpu(nb->size);
	memzero_explicit(hash, sizeof(hash));
out:
	kfree(nb);
	return ret;
}

/**
 * mf_obj_mh_get() - get another host's published object by name
 * @opool: a multi-host pool
 * @name: pool, namespace, secId, id from the caller
 * @mff: the caller's open file, which gets a handle
 *
 * For a name with no local object: the directory is probed from the
 * name's hash, the name block checked, the host's reference taken with GET, the range
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
	mho->epoch = g.epoch;
	/* Before anything of this generation is read on this host. */
	mf_mh_map_prepare(mb, r.id, r.gen, r.ext, r.nr_ext);
	ret = mf_obj_mh_pieces(opool, mb, r.ext, r.nr_ext, 0,
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
