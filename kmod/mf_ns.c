// SPDX-License-Identifier: GPL-2.0
/*
 * mf_ns.c - namespaces: names and secIds, creation, references and lookup.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "mf_netlink.h"
#include "mf_object.h"

/* ---- names ---------------------------------------------------------------- */

/**
 * mf_name_valid() - check a namespace name or object id from a struct
 * @name: @len bytes
 * @len: size of the field
 *
 * Return: true if @name is 1 to @len - 1 characters of [A-Za-z0-9_.:-],
 * NUL-terminated and zero-padded.
 */
bool mf_name_valid(const char *name, size_t len)
{
	size_t n = strnlen(name, len);
	size_t i;

	if (n == 0 || n == len)
		return false;
	for (i = 0; i < n; i++)
		if (!isascii(name[i]) ||
		    (!isalnum(name[i]) && !strchr("_.:-", name[i])))
			return false;
	return !memchr_inv(name + n, 0, len - n);
}

/**
 * mf_secid_valid() - check a secId field
 * @secid: MF_SECID_LEN bytes
 *
 * Return: true if @secid is 1 to MF_SECID_LEN - 1 bytes, NUL-terminated
 * and zero-padded.
 */
bool mf_secid_valid(const char *secid)
{
	size_t n = strnlen(secid, MF_SECID_LEN);

	if (n == 0 || n == MF_SECID_LEN)
		return false;
	return !memchr_inv(secid + n, 0, MF_SECID_LEN - n);
}

/**
 * mf_ns_secid_hash() - hash a secId with a namespace's salt
 * @salt: 16 bytes
 * @secid: a valid secId
 * @hash: out: SHA-256(@salt || @secid), 32 bytes
 */
void mf_ns_secid_hash(const u8 *salt, const char *secid, u8 *hash)
{
	u8 buf[16 + MF_SECID_LEN];
	size_t n = strnlen(secid, MF_SECID_LEN);

	memcpy(buf, salt, 16);
	memcpy(buf + 16, secid, n);
	sha256(buf, 16 + n, hash);
	memzero_explicit(buf, sizeof(buf));
}

/* ---- namespaces ------------------------------------------------------------ */

static void mf_ns_release(struct kref *kref)
{
	struct mf_ns *ns = container_of(kref, struct mf_ns, kref);

	WARN_ON(!RB_EMPTY_ROOT(&ns->objects));
	/* A thread still leaving ns->lock would touch freed memory. */
	WARN(atomic_read(&ns->unlockers), "namespace %s freed while a thread is still unlocking it\n",
	     ns->name);
	mutex_destroy(&ns->lock);
	mf_obj_pool_put(ns->opool);
	memzero_explicit(ns->secid_hash, sizeof(ns->secid_hash));
	kfree(ns);
	atomic_long_dec(&mf_cnt.namespaces);
	MF_DEBUG_ASSERT(atomic_long_read(&mf_cnt.namespaces) >= 0);
}

/**
 * mf_ns_get() - take a reference on a namespace
 * @ns: the namespace; the caller holds a reference or its pool's lock
 */
void mf_ns_get(struct mf_ns *ns)
{
	kref_get(&ns->kref);
}

/**
 * mf_ns_put() - drop a reference on a namespace
 * @ns: the namespace; its lock must not be held
 */
void mf_ns_put(struct mf_ns *ns)
{
	kref_put(&ns->kref, mf_ns_release);
}

/**
 * mf_ns_new() - make a namespace and add it to its pool's list
 * @opool: the pool; its lock held, or not yet listed (rebuild)
 * @name: a valid name, not taken in @opool
 * @salt: 16 bytes
 * @hash: SHA-256 of @salt and the secId
 * @ttl: seconds; 0: forever
 * @attr: the attribute word
 * @ctime: creation time
 *
 * Return: the namespace (the list holds its reference), or NULL.
 */
struct mf_ns *mf_ns_new(struct mf_obj_pool *opool, const char *name,
			const u8 *salt, const u8 *hash, u64 ttl, u32 attr,
			time64_t ctime)
{
	struct mf_ns *ns;

	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return NULL;
	kref_init(&ns->kref);
	mutex_init(&ns->lock);
	kref_get(&opool->kref);
	ns->opool = opool;
	ns->pool = opool->pool;
	strscpy(ns->name, name, sizeof(ns->name));
	memcpy(ns->salt, salt, sizeof(ns->salt));
	memcpy(ns->secid_hash, hash, sizeof(ns->secid_hash));
	ns->ttl = ttl;
	ns->attr = attr;
	ns->ctime = ctime;
	ns->objects = RB_ROOT;
	ns->record = MF_NO_RECORD;
	list_add_tail(&ns->node, &opool->namespaces);
	atomic_long_inc(&mf_cnt.namespaces);
	return ns;
}

/* The live namespace called @name, or NULL. */
struct mf_ns *mf_ns_find_locked(struct mf_obj_pool *opool,
				const char *name)
{
	struct mf_ns *ns;

	lockdep_assert_held(&opool->lock);
	list_for_each_entry(ns, &opool->namespaces, node)
		if (!strncmp(ns->name, name, MF_NS_NAME_LEN))
			return ns;
	return NULL;
}

/**
 * mf_ns_lookup_locked() - find a namespace and check its secId
 * @opool: the pool, its lock held (which keeps the namespace listed)
 * @name: the name, from an ioctl struct
 * @secid: the secId, from an ioctl struct
 *
 * Return: the namespace (no reference taken: valid while the pool's lock
 * is held); ERR_PTR(-EINVAL) for a malformed name or secId,
 * ERR_PTR(-ENOENT) if there is no such namespace, ERR_PTR(-EACCES) if the
 * secId is wrong.
 */
struct mf_ns *mf_ns_lookup_locked(struct mf_obj_pool *opool,
				  const char *name, const char *secid)
{
	u8 hash[SHA256_DIGEST_SIZE];
	struct mf_ns *ns;
	int bad;

	lockdep_assert_held(&opool->lock);
	if (!mf_name_valid(name, MF_NS_NAME_LEN) || !mf_secid_valid(secid))
		return ERR_PTR(-EINVAL);
	ns = mf_ns_find_locked(opool, name);
	if (!ns)
		return ERR_PTR(-ENOENT);
	mf_ns_secid_hash(ns->salt, secid, hash);
	bad = crypto_memneq(hash, ns->secid_hash, sizeof(hash));
	memzero_explicit(hash, sizeof(hash));
	return bad ? ERR_PTR(-EACCES) : ns;
}

/**
 * mf_ns_unlist_locked() - take a namespace off its pool's list
 * @ns: a listed namespace
 *
 * Drops the list's reference; the namespace goes when its last object
 * goes.
 *
 * Context: the pool's lock held; @ns->lock not held.
 */
void mf_ns_unlist_locked(struct mf_ns *ns)
{
	lockdep_assert_held(&ns->opool->lock);
	ns->dying = true;
	list_del_init(&ns->node);
	mf_ns_put(ns);
}
