// SPDX-License-Identifier: GPL-2.0
/*
 * mf_nl_dump.c - the commands of the generic netlink family: dumps of the
 * pools, namespaces and objects, and one object by name.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "mf_internal.h"
#include "mf_netlink.h"
#include "mf_obj_mh.h"
#include "mf_object.h"
#include "mf_pool.h"

/**
 * struct mf_nl_cursor - where a dump is, by name
 * @fpool: only this pool ("" for every pool)
 * @fns: only namespaces of this name ("" for every one)
 * @pool: the pool being dumped ("" before the first)
 * @ns: the namespace being dumped in @pool ("" before the first)
 * @id: the last object written from @ns ("" before the first)
 * @pool_done: all of @pool was written: resume after it
 * @ns_done: all of @ns was written: resume after it
 *
 * Every string is NUL-terminated and zero-padded.
 */
struct mf_nl_cursor {
	char fpool[MF_POOL_NAME_LEN];
	char fns[MF_NS_NAME_LEN];
	char pool[MF_POOL_NAME_LEN];
	char ns[MF_NS_NAME_LEN];
	char id[MF_OBJ_ID_LEN];
	bool pool_done;
	bool ns_done;
};

/**
 * struct mf_nl_dump_ctx - what a dump keeps in netlink_callback.ctx
 * @cur: its cursor, from the start callback to the done callback
 */
struct mf_nl_dump_ctx {
	struct mf_nl_cursor *cur;
};

static_assert(sizeof(struct mf_nl_dump_ctx) <=
	      sizeof_field(struct netlink_callback, ctx));

/* ---- finding the next pool, namespace and object by name ------------------ */

/**
 * struct mf_nl_pick - state of a walk for the next pool by name
 * @only: only this name ("" for any)
 * @after: names must be above this ("" for any)
 * @inclusive: @after itself may be picked
 * @found: @name is set
 * @name: the lowest matching name seen so far, zero-padded
 */
struct mf_nl_pick {
	const char *only;
	const char *after;
	bool inclusive;
	bool found;
	char name[MF_POOL_NAME_LEN];
};

/**
 * mf_nl_name_after() - whether a name comes after a cursor position
 * @name: the name
 * @after: the position ("" is before every name)
 * @inclusive: whether @after itself counts
 * @len: size of the name fields
 *
 * Return: true if @name sorts above @after (or equals it and @inclusive).
 */
static bool mf_nl_name_after(const char *name, const char *after,
			     bool inclusive, size_t len)
{
	int c;

	if (!after[0])
		return true;
	c = strncmp(name, after, len);
	return c > 0 || (c == 0 && inclusive);
}

/**
 * mf_nl_pick_pool() - mf_obj_pools_walk() callback: keep the lowest name
 * @opool: an attached pool
 * @ctx: a struct mf_nl_pick
 *
 * Context: mf_obj_pools_lock held.
 * Return: 0, to see every pool.
 */
static int mf_nl_pick_pool(struct mf_obj_pool *opool, void *ctx)
{
	struct mf_nl_pick *pk = ctx;
	const char *name = opool->pool->name;

	mf_obj_pools_assert_locked();
	if (pk->only[0] && strncmp(name, pk->only, MF_POOL_NAME_LEN))
		return 0;
	if (!mf_nl_name_after(name, pk->after, pk->inclusive,
			      MF_POOL_NAME_LEN))
		return 0;
	if (!pk->found || strncmp(name, pk->name, MF_POOL_NAME_LEN) < 0) {
		strscpy_pad(pk->name, name, sizeof(pk->name));
		pk->found = true;
	}
	return 0;
}

/**
 * mf_nl_next_pool() - the attached pool that comes next by name
 * @only: only this pool ("" for any)
 * @after: a pool name, "" before the first
 * @inclusive: @after itself may be returned
 *
 * Context: process context; takes mf_obj_pools_lock.
 * Return: the object pool with a reference (mf_obj_pool_put()), or NULL
 * if no pool comes after @after.
 */
static struct mf_obj_pool *mf_nl_next_pool(const char *only,
					   const char *after, bool inclusive)
{
	char skip[MF_POOL_NAME_LEN];
	struct mf_obj_pool *opool;
	struct mf_nl_pick pk;

	strscpy_pad(skip, after, sizeof(skip));
	for (;;) {
		memset(&pk, 0, sizeof(pk));
		pk.only = only;
		pk.after = skip;
		pk.inclusive = inclusive;
		mf_obj_pools_walk(mf_nl_pick_pool, &pk);
		if (!pk.found)
			return NULL;
		opool = mf_obj_pool_get(pk.name);
		if (!IS_ERR(opool))
			return opool;
		/* Detached since the walk: look past it. */
		memcpy(skip, pk.name, sizeof(skip));
		inclusive = false;
	}
}

/**
 * mf_nl_next_ns() - the namespace of a pool that comes next by name
 * @opool: the pool, its lock held
 * @only: only this name ("" for any)
 * @after: a namespace name, "" before the first
 * @inclusive: @after itself may be returned
 *
 * A linear scan of the pool's namespaces.
 *
 * Return: the namespace (valid while the pool's lock is held), or NULL.
 */
static struct mf_ns *mf_nl_next_ns(struct mf_obj_pool *opool,
				   const char *only, const char *after,
				   bool inclusive)
{
	struct mf_ns *ns, *best = NULL;

	lockdep_assert_held(&opool->lock);
	list_for_each_entry(ns, &opool->namespaces, node) {
		if (only[0] && strncmp(ns->name, only, MF_NS_NAME_LEN))
			continue;
		if (!mf_nl_name_after(ns->name, after, inclusive,
				      MF_NS_NAME_LEN))
			continue;
		if (!best || strncmp(ns->name, best->name, MF_NS_NAME_LEN) < 0)
			best = ns;
	}
	return best;
}

/**
 * mf_nl_obj_after() - the first object of a namespace after an id
 * @ns: the namespace, its lock held
 * @after: an id, "" before the first
 *
 * Return: the visible object with the lowest id above @after, or NULL.
 */
static struct mf_obj *mf_nl_obj_after(struct mf_ns *ns, const char *after)
{
	struct rb_node *rb = ns->objects.rb_node;
	struct mf_obj *obj, *best = NULL;

	lockdep_assert_held(&ns->lock);
	if (!after[0]) {
		rb = rb_first(&ns->objects);
		return rb ? rb_entry(rb, struct mf_obj, rb) : NULL;
	}
	while (rb) {
		obj = rb_entry(rb, struct mf_obj, rb);
		if (strncmp(obj->id, after, MF_OBJ_ID_LEN) > 0) {
			best = obj;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return best;
}

/**
 * mf_nl_obj_next() - the object after another in its namespace's index
 * @obj: a visible object, its namespace's lock held
 *
 * Return: the next object by id, or NULL.
 */
static struct mf_obj *mf_nl_obj_next(struct mf_obj *obj)
{
	struct rb_node *rb;

	lockdep_assert_held(&obj->ns->lock);
	rb = rb_next(&obj->rb);
	return rb ? rb_entry(rb, struct mf_obj, rb) : NULL;
}

/**
 * mf_nl_fill_obj() - the attributes of an object entry
 * @skb: the message
 * @obj: the object
 * @now: the current real time, seconds
 * @uns: the user namespace the owner's uid is reported in
 *
 * Context: @obj->ns->lock held.
 * Return: 0, or -EMSGSIZE.
 */
static int mf_nl_fill_obj(struct sk_buff *skb, const struct mf_obj *obj,
			  time64_t now, struct user_namespace *uns)
{
	const struct mf_ns *ns = obj->ns;
	const struct mf_pieces *ext;

	lockdep_assert_held(&ns->lock);
	ext = mf_obj_pieces(obj);
	if (nla_put_string(skb, MF_NL_ATTR_POOL, ns->pool->name) ||
	    nla_put_string(skb, MF_NL_ATTR_NS, ns->name) ||
	    nla_put_string(skb, MF_NL_ATTR_ID, obj->id) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_SIZE, obj->size) ||
	    nla_put_u32(skb, MF_NL_ATTR_TYPE, obj->type) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_REFS, obj->refs) ||
	    nla_put_u32(skb, MF_NL_ATTR_MAP_COUNT,
			atomic_read(&obj->map_count)) ||
	    nla_put_u32(skb, MF_NL_ATTR_OWNER,
			from_kuid_munged(uns, obj->owner)) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_AGE,
			  now > obj->ctime ? now - obj->ctime : 0) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_CTIME, obj->ctime) ||
	    nla_put_u32(skb, MF_NL_ATTR_NR_EXTENTS, ext ? ext->nr : 0))
		return -EMSGSIZE;
	/* A multi-host pool's object: the hosts holding it, as known here. */
	if (obj->mh &&
	    nla_put_u32(skb, MF_NL_ATTR_HOSTS,
			mf_pool_mh_holders(ns->pool, obj->mh->id,
					   obj->mh->remote ||
					   obj->mh->published)))
		return -EMSGSIZE;
	return 0;
}

/**
 * mf_nl_fill_ns() - the attributes of a namespace entry
 * @skb: the message
 * @ns: the namespace
 *
 * Context: the pool's lock held; takes @ns->lock.
 * Return: 0, or -EMSGSIZE.
 */
static int mf_nl_fill_ns(struct sk_buff *skb, struct mf_ns *ns)
{
	u64 nr, bytes;

	lockdep_assert_held(&ns->opool->lock);
	mutex_lock(&ns->lock);
	nr = ns->nr_objects;
	bytes = ns->bytes;
	mutex_unlock(&ns->lock);
	if (nla_put_string(skb, MF_NL_ATTR_POOL, ns->pool->name) ||
	    nla_put_string(skb, MF_NL_ATTR_NS, ns->name) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_TTL, ns->ttl) ||
	    nla_put_u32(skb, MF_NL_ATTR_ATTR, ns->attr) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_CTIME, ns->ctime) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_NR_OBJECTS, nr) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_BYTES, bytes))
		return -EMSGSIZE;
	return 0;
}

/**
 * mf_nl_fill_pool() - the attributes of a pool entry
 * @skb: the message
 * @pool: the pool
 *
 * What MF_IOC_POOL_LIST reports.
 *
 * Context: takes @pool->lock.
 * Return: 0, -EMSGSIZE, or -ENOENT if the pool was detached.
 */
static int mf_nl_fill_pool(struct sk_buff *skb, struct mf_pool *pool)
{
	struct mf_ext_stat st;

	mutex_lock(&pool->lock);
	if (pool->dead) {
		mutex_unlock(&pool->lock);
		return -ENOENT;
	}
	mf_ext_stat(pool->ext, &st);
	mutex_unlock(&pool->lock);
	if (nla_put_string(skb, MF_NL_ATTR_POOL, pool->name) ||
	    nla_put_string(skb, MF_NL_ATTR_DEVICE, pool->device) ||
	    nla_put_u32(skb, MF_NL_ATTR_BACKEND, pool->backend) ||
	    nla_put_u32(skb, MF_NL_ATTR_POOL_FLAGS, pool->ops->persistent ?
			MF_POOL_INFO_PERSISTENT : 0) ||
	    nla_put_u32(skb, MF_NL_ATTR_NODE,
			pool->nid == NUMA_NO_NODE ? 0 : pool->nid) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_UNIT, st.unit) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_POOL_BYTES, pool->bytes) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_CAPACITY, pool->capacity) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_USED, st.used) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_FREE, st.free) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_LARGEST_FREE, st.largest_free) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_NR_POOL_EXTENTS, st.nr_used) ||
	    mf_nl_put_u64(skb, MF_NL_ATTR_NR_FREE_EXTENTS, st.nr_free) ||
	    nla_put_u32(skb, MF_NL_ATTR_FRAG_PERMILLE, st.frag_permille) ||
	    nla_put_u32(skb, MF_NL_ATTR_USERS, READ_ONCE(pool->users)))
		return -EMSGSIZE;
	return 0;
}

/**
 * mf_nl_dump_hdr() - start a message of a dump
 * @skb: the dump's buffer
 * @cb: the dump
 * @cmd: the command the dump answers
 *
 * Return: the generic netlink header, or NULL if @skb is full.
 */
static void *mf_nl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			    u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, &mf_nl_family, NLM_F_MULTI,
			   cmd);
}

/**
 * mf_nl_dump_ret() - what a dumpit callback returns
 * @skb: the dump's buffer
 * @err: 0 (everything written) or -EMSGSIZE (@skb full), or another error
 *
 * Return: @skb->len (0 ends the dump), or the error if @skb is empty.
 */
static int mf_nl_dump_ret(struct sk_buff *skb, int err)
{
	if (err && err != -EMSGSIZE)
		return err;
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* ---- dumps: start and done -------------------------------------------------------- */

/**
 * mf_nl_cur() - the cursor of a dump
 * @cb: the dump
 *
 * Return: the cursor mf_nl_dump_start() allocated.
 */
static struct mf_nl_cursor *mf_nl_cur(struct netlink_callback *cb)
{
	return ((struct mf_nl_dump_ctx *)cb->ctx)->cur;
}

/**
 * mf_nl_dump_start() - set up a dump: check its attributes, make its cursor
 * @cb: the dump
 * @allowed: bit mask of the MF_NL_ATTR_* the command takes
 *
 * Context: process context (the request's sendmsg).
 * Return: 0; -EINVAL an attribute the command does not take; -ENOENT
 * the pool MF_NL_ATTR_POOL names is not attached; -ENOMEM.
 */
static int mf_nl_dump_start(struct netlink_callback *cb, unsigned long allowed)
{
	struct nlattr **attrs = mf_genl_dump_attrs(cb);
	struct mf_nl_cursor *cur;
	struct mf_obj_pool *opool;
	int i;

	for (i = 1; i <= MF_NL_ATTR_MAX; i++) {
		if (attrs[i] && !(allowed & BIT(i))) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[i],
					    "attribute not taken by this command");
			return -EINVAL;
		}
	}
	cur = kzalloc(sizeof(*cur), GFP_KERNEL);
	if (!cur)
		return -ENOMEM;
	if (attrs[MF_NL_ATTR_POOL]) {
		nla_strscpy(cur->fpool, attrs[MF_NL_ATTR_POOL],
			    sizeof(cur->fpool));
		opool = mf_obj_pool_get(cur->fpool);
		if (IS_ERR(opool)) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[MF_NL_ATTR_POOL],
					    "no such pool");
			kfree(cur);
			return PTR_ERR(opool);
		}
		mf_obj_pool_put(opool);
	}
	if (attrs[MF_NL_ATTR_NS])
		nla_strscpy(cur->fns, attrs[MF_NL_ATTR_NS], sizeof(cur->fns));
	((struct mf_nl_dump_ctx *)cb->ctx)->cur = cur;
	return 0;
}

/**
 * mf_nl_dump_done() - end a dump: free its cursor
 * @cb: the dump
 *
 * Context: process context; called once for every dump that started.
 * Return: 0.
 */
static int mf_nl_dump_done(struct netlink_callback *cb)
{
	kfree(mf_nl_cur(cb));
	return 0;
}

/* ---- the pool dump ----------------------------------------------------------------- */

/**
 * mf_nl_pool_start() - start callback of MF_NL_CMD_POOL_GET
 * @cb: the dump
 *
 * Return: 0 or a negative errno (mf_nl_dump_start()).
 */
static int mf_nl_pool_start(struct netlink_callback *cb)
{
	return mf_nl_dump_start(cb, 0);
}

/**
 * mf_nl_pool_dumpit() - dumpit callback of MF_NL_CMD_POOL_GET
 * @skb: the buffer to fill
 * @cb: the dump
 *
 * One message per attached pool, by name, from the cursor on.
 *
 * Context: process context; takes mf_obj_pools_lock and each pool's
 * lock in turn, none held on return.
 * Return: the bytes written, 0 at the end, or a negative errno.
 */
static int mf_nl_pool_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mf_nl_cursor *cur = mf_nl_cur(cb);
	struct mf_obj_pool *opool;
	void *hdr;
	int err = 0;

	while (!err) {
		opool = mf_nl_next_pool("", cur->pool, false);
		if (!opool)
			break;
		hdr = mf_nl_dump_hdr(skb, cb, MF_NL_CMD_POOL_GET);
		if (!hdr) {
			err = -EMSGSIZE;
		} else {
			err = mf_nl_fill_pool(skb, opool->pool);
			if (err)
				genlmsg_cancel(skb, hdr);
			else
				genlmsg_end(skb, hdr);
		}
		/* A pool detached meanwhile is skipped. */
		if (!err || err == -ENOENT) {
			strscpy_pad(cur->pool, opool->pool->name,
				    sizeof(cur->pool));
			err = 0;
		}
		mf_obj_pool_put(opool);
	}
	return mf_nl_dump_ret(skb, err);
}

/* ---- the namespace dump ------------------------------------------------------------ */

/**
 * mf_nl_ns_start() - start callback of MF_NL_CMD_NS_GET
 * @cb: the dump
 *
 * Return: 0 or a negative errno (mf_nl_dump_start()).
 */
static int mf_nl_ns_start(struct netlink_callback *cb)
{
	return mf_nl_dump_start(cb, BIT(MF_NL_ATTR_POOL));
}

/**
 * mf_nl_ns_dump_pool() - write a pool's namespaces from the cursor on
 * @skb: the buffer to fill
 * @cb: the dump
 * @opool: the pool, its lock held
 *
 * Return: 0 when all were written, -EMSGSIZE when @skb is full.
 */
static int mf_nl_ns_dump_pool(struct sk_buff *skb, struct netlink_callback *cb,
			      struct mf_obj_pool *opool)
{
	struct mf_nl_cursor *cur = mf_nl_cur(cb);
	struct mf_ns *ns;
	void *hdr;

	lockdep_assert_held(&opool->lock);
	while ((ns = mf_nl_next_ns(opool, "", cur->ns, false))) {
		hdr = mf_nl_dump_hdr(skb, cb, MF_NL_CMD_NS_GET);
		if (!hdr)
			return -EMSGSIZE;
		if (mf_nl_fill_ns(skb, ns)) {
			genlmsg_cancel(skb, hdr);
			return -EMSGSIZE;
		}
		genlmsg_end(skb, hdr);
		strscpy_pad(cur->ns, ns->name, sizeof(cur->ns));
	}
	return 0;
}

/**
 * mf_nl_ns_dumpit() - dumpit callback of MF_NL_CMD_NS_GET
 * @skb: the buffer to fill
 * @cb: the dump
 *
 * One message per namespace, by pool name and then namespace name, from
 * the cursor on.
 *
 * Context: process context; takes mf_obj_pools_lock, each pool's lock
 * and under it each namespace's lock in turn, none held on return.
 * Return: the bytes written, 0 at the end, or a negative errno.
 */
static int mf_nl_ns_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mf_nl_cursor *cur = mf_nl_cur(cb);
	struct mf_obj_pool *opool;
	int err = 0;

	while (!err) {
		opool = mf_nl_next_pool(cur->fpool, cur->pool, !cur->pool_done);
		if (!opool)
			break;
		if (strncmp(opool->pool->name, cur->pool, MF_POOL_NAME_LEN)) {
			strscpy_pad(cur->pool, opool->pool->name,
				    sizeof(cur->pool));
			memset(cur->ns, 0, sizeof(cur->ns));
		}
		cur->pool_done = false;
		if (!mf_obj_pool_lock_live(opool)) {
			err = mf_nl_ns_dump_pool(skb, cb, opool);
			mutex_unlock(&opool->lock);
		}
		mf_obj_pool_put(opool);
		if (!err)
			cur->pool_done = true;
	}
	return mf_nl_dump_ret(skb, err);
}

/* ---- the object dump and get ----------------------------------------------------------- */

/**
 * mf_nl_obj_start() - start callback of MF_NL_CMD_OBJ_GET
 * @cb: the dump
 *
 * Return: 0; -EPERM without CAP_SYS_ADMIN; or a negative errno from
 * mf_nl_dump_start().
 */
static int mf_nl_obj_start(struct netlink_callback *cb)
{
	if (!netlink_capable(cb->skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(cb->extack, "listing objects needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	return mf_nl_dump_start(cb, BIT(MF_NL_ATTR_POOL) | BIT(MF_NL_ATTR_NS));
}

/**
 * mf_nl_obj_dump_ns() - write a namespace's objects from the cursor on
 * @skb: the buffer to fill
 * @cb: the dump
 * @ns: the namespace; its pool's lock held
 * @now: the current real time, seconds
 *
 * Context: takes @ns->lock.
 * Return: 0 when all were written, -EMSGSIZE when @skb is full.
 */
static int mf_nl_obj_dump_ns(struct sk_buff *skb, struct netlink_callback *cb,
			     struct mf_ns *ns, time64_t now)
{
	struct mf_nl_cursor *cur = mf_nl_cur(cb);
	struct user_namespace *uns = current_user_ns();
	struct mf_obj *obj;
	void *hdr;
	int err = 0;

	lockdep_assert_held(&ns->opool->lock);
	mutex_lock(&ns->lock);
	for (obj = mf_nl_obj_after(ns, cur->id); obj;
	     obj = mf_nl_obj_next(obj)) {
		hdr = mf_nl_dump_hdr(skb, cb, MF_NL_CMD_OBJ_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		err = mf_nl_fill_obj(skb, obj, now, uns);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		strscpy_pad(cur->id, obj->id, sizeof(cur->id));
	}
	mutex_unlock(&ns->lock);
	return err;
}

/**
 * mf_nl_obj_dump_pool() - write a pool's objects from the cursor on
 * @skb: the buffer to fill
 * @cb: the dump
 * @opool: the pool, its lock held
 * @now: the current real time, seconds
 *
 * Return: 0 when all were written, -EMSGSIZE when @skb is full.
 */
static int mf_nl_obj_dump_pool(struct sk_buff *skb,
			       struct netlink_callback *cb,
			       struct mf_obj_pool *opool, time64_t now)
{
	struct mf_nl_cursor *cur = mf_nl_cur(cb);
	struct mf_ns *ns;
	int err;

	lockdep_assert_held(&opool->lock);
	for (;;) {
		ns = mf_nl_next_ns(opool, cur->fns, cur->ns, !cur->ns_done);
		if (!ns)
			return 0;
		if (strncmp(ns->name, cur->ns, MF_NS_NAME_LEN)) {
			strscpy_pad(cur->ns, ns->name, sizeof(cur->ns));
			memset(cur->id, 0, sizeof(cur->id));
		}
		cur->ns_done = false;
		err = mf_nl_obj_dump_ns(skb, cb, ns, now);
		if (err)
			return err;
		cur->ns_done = true;
	}
}

/**
 * mf_nl_obj_dumpit() - dumpit callback of MF_NL_CMD_OBJ_GET
 * @skb: the buffer to fill
 * @cb: the dump
 *
 * One message per visible object, by pool, namespace and id, from the
 * cursor on.
 *
 * Context: process context; takes mf_obj_pools_lock, each pool's lock
 * and under it each namespace's lock in turn, none held on return.
 * Return: the bytes written, 0 at the end, or a negative errno.
 */
static int mf_nl_obj_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mf_nl_cursor *cur = mf_nl_cur(cb);
	time64_t now = ktime_get_real_seconds();
	struct mf_obj_pool *opool;
	int err = 0;

	while (!err) {
		opool = mf_nl_next_pool(cur->fpool, cur->pool, !cur->pool_done);
		if (!opool)
			break;
		if (strncmp(opool->pool->name, cur->pool, MF_POOL_NAME_LEN)) {
			strscpy_pad(cur->pool, opool->pool->name,
				    sizeof(cur->pool));
			memset(cur->ns, 0, sizeof(cur->ns));
			memset(cur->id, 0, sizeof(cur->id));
			cur->ns_done = false;
		}
		cur->pool_done = false;
		if (!mf_obj_pool_lock_live(opool)) {
			err = mf_nl_obj_dump_pool(skb, cb, opool, now);
			mutex_unlock(&opool->lock);
		}
		mf_obj_pool_put(opool);
		if (!err)
			cur->pool_done = true;
	}
	return mf_nl_dump_ret(skb, err);
}

/**
 * mf_nl_find_obj_locked() - an object by id
 * @ns: its namespace, its lock held
 * @id: the id
 *
 * Return: the visible object, or NULL.
 */
static struct mf_obj *mf_nl_find_obj_locked(struct mf_ns *ns, const char *id)
{
	struct rb_node *rb = ns->objects.rb_node;
	struct mf_obj *obj;
	int c;

	lockdep_assert_held(&ns->lock);
	while (rb) {
		obj = rb_entry(rb, struct mf_obj, rb);
		c = strncmp(id, obj->id, MF_OBJ_ID_LEN);
		if (c < 0)
			rb = rb->rb_left;
		else if (c > 0)
			rb = rb->rb_right;
		else
			return obj;
	}
	return NULL;
}

/**
 * mf_nl_obj_doit() - MF_NL_CMD_OBJ_GET without the dump flag: one object
 * @skb: the request
 * @info: the request's attributes, parsed with mf_nl_policy
 *
 * Needs MF_NL_ATTR_POOL, MF_NL_ATTR_NS and MF_NL_ATTR_ID; replies with
 * one message as in the dump.
 *
 * Context: process context; takes mf_obj_pools_lock, the pool's lock and
 * the namespace's lock.
 * Return: 0; -EPERM without CAP_SYS_ADMIN; -EINVAL a missing attribute;
 * -ENOENT no such pool, namespace or object; -ENOMEM.
 */
static int mf_nl_obj_doit(struct sk_buff *skb, struct genl_info *info)
{
	char pool[MF_POOL_NAME_LEN] = {}, name[MF_NS_NAME_LEN] = {};
	char id[MF_OBJ_ID_LEN] = {};
	struct mf_obj_pool *opool;
	struct sk_buff *msg;
	struct mf_obj *obj;
	struct mf_ns *ns;
	void *hdr;
	int ret;

	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "reading objects needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	if (!info->attrs[MF_NL_ATTR_POOL] || !info->attrs[MF_NL_ATTR_NS] ||
	    !info->attrs[MF_NL_ATTR_ID]) {
		NL_SET_ERR_MSG(info->extack, "pool, namespace and id are needed");
		return -EINVAL;
	}
	nla_strscpy(pool, info->attrs[MF_NL_ATTR_POOL], sizeof(pool));
	nla_strscpy(name, info->attrs[MF_NL_ATTR_NS], sizeof(name));
	nla_strscpy(id, info->attrs[MF_NL_ATTR_ID], sizeof(id));

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mf_nl_family, 0, MF_NL_CMD_OBJ_GET);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}
	opool = mf_obj_pool_get(pool);
	if (IS_ERR(opool)) {
		ret = PTR_ERR(opool);
		goto err_free;
	}
	ret = mf_obj_pool_lock_live(opool);
	if (ret)
		goto err_put;
	ns = mf_nl_next_ns(opool, name, "", true);
	if (!ns) {
		ret = -ENOENT;
		goto err_unlock;
	}
	mutex_lock(&ns->lock);
	obj = mf_nl_find_obj_locked(ns, id);
	ret = obj ? mf_nl_fill_obj(msg, obj, ktime_get_real_seconds(),
				   current_user_ns()) : -ENOENT;
	mutex_unlock(&ns->lock);
	if (ret)
		goto err_unlock;
	mutex_unlock(&opool->lock);
	mf_obj_pool_put(opool);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_unlock:
	mutex_unlock(&opool->lock);
err_put:
	mf_obj_pool_put(opool);
err_free:
	nlmsg_free(msg);
	return ret;
}

/* ---- the family ---------------------------------------------------------------------- */

static const struct genl_ops mf_nl_ops[] = {
	{
		.cmd = MF_NL_CMD_POOL_GET,
		.start = mf_nl_pool_start,
		.dumpit = mf_nl_pool_dumpit,
		.done = mf_nl_dump_done,
		.policy = mf_nl_policy,
		.maxattr = MF_NL_ATTR_MAX,
	},
	{
		.cmd = MF_NL_CMD_NS_GET,
		.start = mf_nl_ns_start,
		.dumpit = mf_nl_ns_dumpit,
		.done = mf_nl_dump_done,
		.policy = mf_nl_policy,
		.maxattr = MF_NL_ATTR_MAX,
	},
	{
		.cmd = MF_NL_CMD_OBJ_GET,
		.doit = mf_nl_obj_doit,
		.start = mf_nl_obj_start,
		.dumpit = mf_nl_obj_dumpit,
		.done = mf_nl_dump_done,
		.policy = mf_nl_policy,
		.maxattr = MF_NL_ATTR_MAX,
	},
};

/**
 * mf_nl_dump_init() - register the family with these commands
 *
 * Context: module init.
 * Return: 0 or a negative errno.
 */
int mf_nl_dump_init(void)
{
	return mf_nl_init(mf_nl_ops, ARRAY_SIZE(mf_nl_ops));
}
