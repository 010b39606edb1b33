// SPDX-License-Identifier: GPL-2.0
/*
 * mf_ns.c - the object layer's per-pool state and namespaces: the hooks
 * pool attach and detach call, namespace lookup and secIds, and the
 * MF_IOC_NS_* ioctls.  Locking is described in mf_object.h.
 *
 * secIds.  A namespace keeps SHA-256(salt || secId) with a random 16-byte
 * salt of its own, never the secId; checks compare in constant time.
 * lib/crypto's sha256() has the same signature on 6.1 and 6.12.
 *
 * Privilege.  Anyone who can open /dev/memfabric may create a namespace;
 * destroying one needs its secId (and no privilege).
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

/* Largest list entry a caller may claim to know. */
#define MF_NS_LIST_MAX_ENTRY	PAGE_SIZE

/* The object layer's pools, one per attached pool. */
static LIST_HEAD(mf_obj_pools);
static DEFINE_MUTEX(mf_obj_pools_lock);

/* ---- names ---------------------------------------------------------------- */

/**
 * mf_ns_name_valid() - check a namespace name or object id from a struct
 * @name: @len bytes
 * @len: size of the field
 *
 * Return: true if @name is 1 to @len - 1 characters of [A-Za-z0-9_.:-],
 * NUL-terminated and zero-padded.
 */
bool mf_ns_name_valid(const char *name, size_t len)
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

/* ---- the object layer's pools ------------------------------------------- */

static void mf_obj_pool_release(struct kref *kref)
{
	struct mf_obj_pool *opool = container_of(kref, struct mf_obj_pool,
						 kref);

	WARN_ON(!list_empty(&opool->namespaces));
	xa_destroy(&opool->uses);
	mutex_destroy(&opool->lock);
	kobject_put(&opool->pool->kobj);
	kfree(opool);
}

/**
 * mf_obj_pool_put() - drop a reference on an object pool
 * @opool: the pool
 */
void mf_obj_pool_put(struct mf_obj_pool *opool)
{
	kref_put(&opool->kref, mf_obj_pool_release);
}

/**
 * mf_obj_pool_get() - find a pool's object state by the pool's name
 * @name: MF_POOL_NAME_LEN bytes from an ioctl struct
 *
 * Context: process context; takes mf_obj_pools_lock.
 * Return: the state with a reference (mf_obj_pool_put()), ERR_PTR(-EINVAL)
 * for a malformed name, ERR_PTR(-ENOENT) if no such pool is attached.
 */
struct mf_obj_pool *mf_obj_pool_get(const char *name)
{
	struct mf_obj_pool *opool, *found = NULL;
	size_t n = strnlen(name, MF_POOL_NAME_LEN), i;

	/* As mf_pool.c checks pool names. */
	if (n == 0 || n == MF_POOL_NAME_LEN ||
	    memchr_inv(name + n, 0, MF_POOL_NAME_LEN - n))
		return ERR_PTR(-EINVAL);
	for (i = 0; i < n; i++)
		if (!isascii(name[i]) ||
		    (!isalnum(name[i]) && !strchr("_.-", name[i])))
			return ERR_PTR(-EINVAL);
	mutex_lock(&mf_obj_pools_lock);
	list_for_each_entry(opool, &mf_obj_pools, node) {
		if (!strncmp(opool->pool->name, name, MF_POOL_NAME_LEN)) {
			kref_get(&opool->kref);
			found = opool;
			break;
		}
	}
	mutex_unlock(&mf_obj_pools_lock);
	return found ?: ERR_PTR(-ENOENT);
}

/**
 * mf_obj_pool_lock_live() - lock an object pool unless it was detached
 * @opool: a pool the caller holds a reference on
 *
 * Return: 0 with @opool->lock held, or -ENOENT (not held).
 */
int mf_obj_pool_lock_live(struct mf_obj_pool *opool)
{
	mutex_lock(&opool->lock);
	if (opool->dead) {
		mutex_unlock(&opool->lock);
		return -ENOENT;
	}
	return 0;
}

/**
 * mf_obj_pools_walk() - call a function on every attached object pool
 * @fn: called with each pool and @ctx; a non-zero return stops the walk.
 *	It may take the pool's lock (and must check @dead).
 * @ctx: passed to @fn
 *
 * Context: process context; holds mf_obj_pools_lock across the walk.
 * Return: 0, or what @fn returned.
 */
int mf_obj_pools_walk(int (*fn)(struct mf_obj_pool *opool, void *ctx),
		      void *ctx)
{
	struct mf_obj_pool *opool;
	int ret = 0;

	mutex_lock(&mf_obj_pools_lock);
	list_for_each_entry(opool, &mf_obj_pools, node) {
		ret = fn(opool, ctx);
		if (ret)
			break;
	}
	mutex_unlock(&mf_obj_pools_lock);
	return ret;
}

/**
 * mf_obj_pool_attach() - set up the object layer of a pool being attached
 * @pool: the pool, its allocator loaded, not yet listed
 *
 * A persistent pool's namespaces and objects are rebuilt from its records
 * (mf_rec_rebuild()).  Called by mf_pool.c at the end of a successful
 * attach.
 *
 * Context: process context; mf_pools_lock held.
 * Return: 0, or a negative errno (nothing is left behind).
 */
int mf_obj_pool_attach(struct mf_pool *pool)
{
	struct mf_obj_pool *opool;
	int ret;

	opool = kzalloc(sizeof(*opool), GFP_KERNEL);
	if (!opool)
		return -ENOMEM;
	kref_init(&opool->kref);
	mutex_init(&opool->lock);
	INIT_LIST_HEAD(&opool->node);
	INIT_LIST_HEAD(&opool->namespaces);
	xa_init(&opool->uses);
	atomic_long_set(&opool->busy, 0);
	kobject_get(&pool->kobj);
	opool->pool = pool;
	opool->persistent = pool->ops->persistent;
	mf_quarantine_init(opool);

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

	mutex_lock(&mf_obj_pools_lock);
	list_add_tail(&opool->node, &mf_obj_pools);
	mutex_unlock(&mf_obj_pools_lock);
	return 0;
}

/* Whether any namespace of @opool holds objects. */
static bool mf_obj_pool_has_objects(struct mf_obj_pool *opool)
{
	struct mf_ns *ns;
	bool any = false;

	lockdep_assert_held(&opool->lock);
	list_for_each_entry(ns, &opool->namespaces, node) {
		mutex_lock(&ns->lock);
		any = ns->nr_objects != 0;
		mutex_unlock(&ns->lock);
		if (any)
			break;
	}
	return any;
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
 * mf_pool.c before it detaches a pool; a pool it does not know is fine.
 *
 * Context: process context; mf_pools_lock held.
 * Return: 0, or -EBUSY (nothing changed).
 */
int mf_obj_pool_detach(struct mf_pool *pool, bool force)
{
	struct mf_obj_pool *opool, *found = NULL;

	mutex_lock(&mf_obj_pools_lock);
	list_for_each_entry(opool, &mf_obj_pools, node) {
		if (opool->pool == pool) {
			found = opool;
			break;
		}
	}
	if (!found) {
		mutex_unlock(&mf_obj_pools_lock);
		return 0;
	}
	opool = found;
	mutex_lock(&opool->lock);
	if (!force && (atomic_long_read(&opool->busy) ||
		       (!opool->persistent && mf_obj_pool_has_objects(opool)))) {
		mutex_unlock(&opool->lock);
		mutex_unlock(&mf_obj_pools_lock);
		return -EBUSY;
	}
	if (atomic_long_read(&opool->busy))
		pr_err("pool %s: %ld objects still referenced at detach\n",
		       pool->name, atomic_long_read(&opool->busy));
	opool->dead = true;
	list_del_init(&opool->node);
	mutex_unlock(&mf_obj_pools_lock);
	mf_ns_destroy_all(opool);
	mf_quarantine_drop(opool);
	mutex_unlock(&opool->lock);
	mf_obj_pool_put(opool);
	return 0;
}

/* ---- namespaces ------------------------------------------------------------ */

static void mf_ns_release(struct kref *kref)
{
	struct mf_ns *ns = container_of(kref, struct mf_ns, kref);

	WARN_ON(!RB_EMPTY_ROOT(&ns->objects));
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
static struct mf_ns *mf_ns_find_locked(struct mf_obj_pool *opool,
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
	if (!mf_ns_name_valid(name, MF_NS_NAME_LEN) || !mf_secid_valid(secid))
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
static void mf_ns_unlist_locked(struct mf_ns *ns)
{
	lockdep_assert_held(&ns->opool->lock);
	ns->dying = true;
	list_del_init(&ns->node);
	mf_ns_put(ns);
}

/**
 * mf_ns_destroy_all() - drop a detached pool's namespaces and objects
 * @opool: the pool, marked dead, with no referenced object
 *
 * DRAM state only: the records of a persistent pool stay, and the extents
 * go with the allocator.
 *
 * Context: @opool->lock held.
 */
void mf_ns_destroy_all(struct mf_obj_pool *opool)
{
	struct mf_ns *ns, *next;
	struct mf_obj *obj;
	struct rb_node *rb;
	LIST_HEAD(reap);

	lockdep_assert_held(&opool->lock);
	list_for_each_entry_safe(ns, next, &opool->namespaces, node) {
		mutex_lock(&ns->lock);
		while ((rb = rb_first(&ns->objects))) {
			obj = rb_entry(rb, struct mf_obj, rb);
			rb_erase(rb, &ns->objects);
			RB_CLEAR_NODE(rb);
			obj->flags |= MF_OBJF_FREED;
			obj->record = MF_NO_RECORD;
			ns->nr_objects--;
			ns->bytes -= obj->size;
			list_add_tail(&obj->reap, &reap);
		}
		mutex_unlock(&ns->lock);
		mf_ns_unlist_locked(ns);
	}
	/* The use counts go with the allocator: no extent is freed. */
	mf_uses_drop_all(opool);
	while (!list_empty(&reap)) {
		obj = list_first_entry(&reap, struct mf_obj, reap);
		list_del_init(&obj->reap);
		mf_obj_put_struct(obj);
	}
}

/**
 * mf_ioctl_ns_create() - MF_IOC_NS_CREATE: create a namespace
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_ns_create
 *
 * Context: process context.
 * Return: 0; -EINVAL bad name, secId or reserved field; -ENOENT no such
 * pool; -EEXIST the name is taken; -ENOSPC no room for the record;
 * -ENOMEM.
 */
int mf_ioctl_ns_create(struct file *file, void *arg)
{
	struct mf_ns_create *nc = arg;
	u8 salt[16], hash[SHA256_DIGEST_SIZE];
	struct mf_obj_pool *opool;
	struct mf_ns *ns;
	int ret;

	if (nc->reserved || !mf_ns_name_valid(nc->name, MF_NS_NAME_LEN) ||
	    !mf_secid_valid(nc->secid))
		return -EINVAL;
	opool = mf_obj_pool_get(nc->pool);
	if (IS_ERR(opool))
		return PTR_ERR(opool);
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto out_put;
	if (mf_ns_find_locked(opool, nc->name)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	get_random_bytes(salt, sizeof(salt));
	mf_ns_secid_hash(salt, nc->secid, hash);
	ns = mf_ns_new(opool, nc->name, salt, hash, nc->ttl, nc->attr,
		       ktime_get_real_seconds());
	memzero_explicit(hash, sizeof(hash));
	if (!ns) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	if (opool->persistent) {
		ret = mf_rec_ns_write(ns);
		if (ret)
			mf_ns_unlist_locked(ns);
	}
	if (!ret)
		mf_nl_ns_event(ns, MF_NL_CMD_NS_CREATED);
out_unlock:
	mutex_unlock(&opool->lock);
out_put:
	mf_obj_pool_put(opool);
	return ret;
}

/**
 * mf_ioctl_ns_destroy() - MF_IOC_NS_DESTROY: destroy a namespace
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_ns_destroy
 *
 * Without MF_NS_FORCE a namespace that holds objects is refused.  With
 * it, every object is freed as by MF_IOC_OBJ_FREE (whoever owns it):
 * those nothing references at once, the others when their last reference
 * goes (they keep the namespace's struct until then, off the list).  The
 * objects' records are retired before the namespace's.
 *
 * Context: process context.
 * Return: 0 with ->freed and ->deferred set; -EINVAL bad name, secId,
 * output or reserved field; -ENOENT no such pool or namespace; -EACCES
 * wrong secId; -EBUSY objects and no MF_NS_FORCE.
 */
int mf_ioctl_ns_destroy(struct file *file, void *arg)
{
	struct mf_ns_destroy *nd = arg;
	struct mf_obj_pool *opool;
	struct mf_obj *obj, *next;
	struct rb_node *rb;
	struct mf_ns *ns;
	LIST_HEAD(reap);
	int ret;

	if (nd->reserved || nd->freed || nd->deferred)
		return -EINVAL;
	opool = mf_obj_pool_get(nd->pool);
	if (IS_ERR(opool))
		return PTR_ERR(opool);
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto out_put;
	ns = mf_ns_lookup_locked(opool, nd->name, nd->secid);
	if (IS_ERR(ns)) {
		ret = PTR_ERR(ns);
		goto out_unlock;
	}
	mutex_lock(&ns->lock);
	if (ns->nr_objects && !(nd->flags & MF_NS_FORCE)) {
		mutex_unlock(&ns->lock);
		ret = -EBUSY;
		goto out_unlock;
	}
	while ((rb = rb_first(&ns->objects))) {
		obj = rb_entry(rb, struct mf_obj, rb);
		mf_nl_obj_event(obj, MF_NL_CMD_OBJ_FREED);
		if (mf_obj_hide_locked(obj)) {
			list_add_tail(&obj->reap, &reap);
			nd->freed++;
		} else {
			nd->deferred++;
		}
	}
	mutex_unlock(&ns->lock);
	list_for_each_entry_safe(obj, next, &reap, reap) {
		list_del_init(&obj->reap);
		mf_obj_destroy(obj);
	}
	mf_nl_ns_event(ns, MF_NL_CMD_NS_DESTROYED);
	mf_rec_ns_retire(ns);
	mf_ns_unlist_locked(ns);
out_unlock:
	mutex_unlock(&opool->lock);
out_put:
	mf_obj_pool_put(opool);
	return ret;
}

/* State of an MF_IOC_NS_LIST walk. */
struct mf_ns_walk {
	const char *pool;	/* NULL: every pool */
	struct mf_ns_info *infos;
	u32 room;
	u32 total;
};

static int mf_ns_list_pool(struct mf_obj_pool *opool, void *ctx)
{
	struct mf_ns_walk *walk = ctx;
	struct mf_ns_info *info;
	struct mf_ns *ns;

	if (walk->pool &&
	    strncmp(walk->pool, opool->pool->name, MF_POOL_NAME_LEN))
		return 0;
	if (mf_obj_pool_lock_live(opool))
		return 0;
	list_for_each_entry(ns, &opool->namespaces, node) {
		if (walk->total < walk->room) {
			info = &walk->infos[walk->total];
			strscpy(info->pool, opool->pool->name,
				sizeof(info->pool));
			strscpy(info->name, ns->name, sizeof(info->name));
			info->ttl = ns->ttl;
			info->attr = ns->attr;
			info->ctime = ns->ctime;
			mutex_lock(&ns->lock);
			info->nr_objects = ns->nr_objects;
			info->bytes = ns->bytes;
			mutex_unlock(&ns->lock);
		}
		if (walk->total < U32_MAX)
			walk->total++;
	}
	mutex_unlock(&opool->lock);
	return 0;
}

/**
 * mf_ioctl_ns_list() - MF_IOC_NS_LIST: describe namespaces
 * @file: the open /dev/memfabric
 * @arg: the kernel copy of the caller's struct mf_ns_list
 *
 * Context: process context; the walk holds the pools' locks, the copy to
 * the caller does not.
 * Return: 0; -EINVAL bad pool name, entry_size or reserved field; -ENOENT
 * no such pool; -EFAULT; -ENOMEM.
 */
int mf_ioctl_ns_list(struct file *file, void *arg)
{
	struct mf_ns_list *nl = arg;
	struct mf_ns_walk walk = {};
	char __user *dst;
	size_t n, i;
	int ret = 0;

	if (nl->reserved || nl->entry_size < sizeof(struct mf_ns_info) ||
	    nl->entry_size > MF_NS_LIST_MAX_ENTRY)
		return -EINVAL;
	if (memchr_inv(nl->pool, 0, sizeof(nl->pool))) {
		struct mf_obj_pool *opool = mf_obj_pool_get(nl->pool);

		if (IS_ERR(opool))
			return PTR_ERR(opool);
		mf_obj_pool_put(opool);
		walk.pool = nl->pool;
	}
	/* Count first, then fill at most what both sides have room for. */
	mf_obj_pools_walk(mf_ns_list_pool, &walk);
	walk.room = min(nl->count, walk.total);
	if (walk.room) {
		walk.infos = kvcalloc(walk.room, sizeof(*walk.infos),
				      GFP_KERNEL);
		if (!walk.infos)
			return -ENOMEM;
	}
	walk.total = 0;
	mf_obj_pools_walk(mf_ns_list_pool, &walk);

	n = min(walk.room, walk.total);
	dst = u64_to_user_ptr(nl->namespaces);
	for (i = 0; i < n; i++, dst += nl->entry_size) {
		if (copy_to_user(dst, &walk.infos[i], sizeof(walk.infos[i])) ||
		    (nl->entry_size > sizeof(walk.infos[i]) &&
		     clear_user(dst + sizeof(walk.infos[i]),
				nl->entry_size - sizeof(walk.infos[i])))) {
			ret = -EFAULT;
			break;
		}
	}
	kvfree(walk.infos);
	if (!ret)
		nl->count = walk.total;
	return ret;
}
