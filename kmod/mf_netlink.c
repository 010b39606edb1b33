// SPDX-License-Identifier: GPL-2.0
/*
 * mf_netlink.c - memfabric's generic netlink family "memfabric" and its event
 * senders; the commands (the dumps, mf_nl_dump.c) register on it.
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
#include "mf_object.h"
#include "mf_pool.h"

/* The family's multicast groups, by index. */
enum mf_nl_group {
	MF_NL_GRP_EVENTS,
};

/* Whether the family is registered: the hooks send nothing otherwise. */
static bool mf_nl_live;

/* Requests may name a pool, a namespace and an object; nothing else. */
const struct nla_policy mf_nl_policy[MF_NL_ATTR_MAX + 1] = {
	[MF_NL_ATTR_POOL] = { .type = NLA_NUL_STRING,
			      .len = MF_POOL_NAME_LEN - 1 },
	[MF_NL_ATTR_NS] = { .type = NLA_NUL_STRING,
			    .len = MF_NS_NAME_LEN - 1 },
	[MF_NL_ATTR_ID] = { .type = NLA_NUL_STRING,
			    .len = MF_OBJ_ID_LEN - 1 },
};

/* ---- message contents ------------------------------------------------------------ */

/**
 * mf_nl_put_u64() - add a u64 attribute, padded to 8 bytes
 * @skb: the message
 * @type: MF_NL_ATTR_*
 * @v: the value
 *
 * Return: 0, or -EMSGSIZE.
 */
int mf_nl_put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, MF_NL_ATTR_PAD);
}

/* ---- events ---------------------------------------------------------------------- */

/**
 * mf_nl_listening() - whether an event would reach anybody
 *
 * Return: true if the family is registered and somebody joined "events".
 */
static bool mf_nl_listening(void)
{
	return READ_ONCE(mf_nl_live) &&
	       genl_has_listeners(&mf_nl_family, &init_net, MF_NL_GRP_EVENTS);
}

/**
 * mf_nl_event_new() - start an event message
 * @cmd: the event, MF_NL_CMD_*
 * @hdr: out: its generic netlink header
 *
 * Context: process context (GFP_KERNEL).
 * Return: the message, or NULL if it cannot be allocated.
 */
static struct sk_buff *mf_nl_event_new(u8 cmd, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &mf_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/**
 * mf_nl_event_send() - finish an event message and multicast it
 * @skb: the message, from mf_nl_event_new()
 * @hdr: its header
 * @err: 0 if its attributes fit, otherwise the message is dropped
 *
 * Context: process context (GFP_KERNEL); takes no memfabric lock.
 */
static void mf_nl_event_send(struct sk_buff *skb, void *hdr, int err)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	/* -ESRCH when the last listener left meanwhile: nothing lost. */
	genlmsg_multicast(&mf_nl_family, skb, 0, MF_NL_GRP_EVENTS, GFP_KERNEL);
}

/**
 * mf_nl_obj_event() - multicast an object event
 * @obj: the object; alive for the call (its pool's or its namespace's
 *	lock held, or a reference)
 * @cmd: MF_NL_CMD_OBJ_CREATED, _PUBLISHED, _FREED or _RECLAIMED
 *
 * The size and type are read with READ_ONCE(): the caller need not hold
 * the namespace's lock, and then gets their value at some moment of the
 * call.
 *
 * Context: process context; may hold the object core's mutexes.
 */
void mf_nl_obj_event(const struct mf_obj *obj, u8 cmd)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (!mf_nl_listening())
		return;
	skb = mf_nl_event_new(cmd, &hdr);
	if (!skb)
		return;
	err = nla_put_string(skb, MF_NL_ATTR_POOL, obj->ns->pool->name) ||
	      nla_put_string(skb, MF_NL_ATTR_NS, obj->ns->name) ||
	      nla_put_string(skb, MF_NL_ATTR_ID, obj->id) ||
	      mf_nl_put_u64(skb, MF_NL_ATTR_SIZE, READ_ONCE(obj->size)) ||
	      nla_put_u32(skb, MF_NL_ATTR_TYPE, READ_ONCE(obj->type)) ||
	      nla_put_u32(skb, MF_NL_ATTR_OWNER,
			  from_kuid_munged(&init_user_ns, obj->owner));
	mf_nl_event_send(skb, hdr, err);
}

/**
 * mf_nl_ns_event() - multicast a namespace event
 * @ns: the namespace; alive for the call (its pool's lock held)
 * @cmd: MF_NL_CMD_NS_CREATED or MF_NL_CMD_NS_DESTROYED
 *
 * Context: process context; may hold the object core's mutexes.
 */
void mf_nl_ns_event(const struct mf_ns *ns, u8 cmd)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (!mf_nl_listening())
		return;
	skb = mf_nl_event_new(cmd, &hdr);
	if (!skb)
		return;
	err = nla_put_string(skb, MF_NL_ATTR_POOL, ns->pool->name) ||
	      nla_put_string(skb, MF_NL_ATTR_NS, ns->name) ||
	      mf_nl_put_u64(skb, MF_NL_ATTR_TTL, ns->ttl) ||
	      nla_put_u32(skb, MF_NL_ATTR_ATTR, ns->attr);
	mf_nl_event_send(skb, hdr, err);
}

/**
 * mf_nl_pool_event() - multicast a pool's change to or from low space
 * @pool: the pool; its lock held
 * @low: MF_NL_CMD_POOL_LOW if true, else MF_NL_CMD_POOL_OK
 * @st: its allocator's numbers
 *
 * Context: process context; @pool->lock held (mf_pool_space()).
 */
void mf_nl_pool_event(const struct mf_pool *pool, bool low,
		      const struct mf_ext_stat *st)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	lockdep_assert_held(&pool->lock);
	if (!mf_nl_listening())
		return;
	skb = mf_nl_event_new(low ? MF_NL_CMD_POOL_LOW : MF_NL_CMD_POOL_OK,
			      &hdr);
	if (!skb)
		return;
	err = nla_put_string(skb, MF_NL_ATTR_POOL, pool->name) ||
	      mf_nl_put_u64(skb, MF_NL_ATTR_CAPACITY, st->capacity) ||
	      mf_nl_put_u64(skb, MF_NL_ATTR_USED, st->used) ||
	      mf_nl_put_u64(skb, MF_NL_ATTR_FREE, st->free);
	mf_nl_event_send(skb, hdr, err);
}

/**
 * mf_nl_host_event() - a host joined or was lost, in a multi-host pool
 * @pool: the pool
 * @cmd: MF_NL_CMD_HOST_JOINED or MF_NL_CMD_HOST_LOST
 * @host: the host's number
 * @epoch: its epoch: the new one (joined) or the one given up to (lost)
 *
 * Context: process context, may sleep (the pool's workers).
 */
void mf_nl_host_event(const struct mf_pool *pool, u8 cmd, u32 host, u32 epoch)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (!mf_nl_listening())
		return;
	skb = mf_nl_event_new(cmd, &hdr);
	if (!skb)
		return;
	err = nla_put_string(skb, MF_NL_ATTR_POOL, pool->name) ||
	      nla_put_u32(skb, MF_NL_ATTR_HOST, host) ||
	      nla_put_u32(skb, MF_NL_ATTR_EPOCH, epoch);
	mf_nl_event_send(skb, hdr, err);
}

/* ---- the family ---------------------------------------------------------------------- */

static const struct genl_multicast_group mf_nl_mcgrps[] = {
	[MF_NL_GRP_EVENTS] = {
		.name = MEMFABRIC_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	},
};

/*
 * resv_start_op 0: every command is validated strictly (unknown
 * attributes, NLA_UNSPEC entries of the policy, the header's reserved
 * field, unknown nlmsg flags).
 */
struct genl_family mf_nl_family = {
	.name = MEMFABRIC_GENL_NAME,
	.version = MEMFABRIC_GENL_VERSION,
	.maxattr = MF_NL_ATTR_MAX,
	.policy = mf_nl_policy,
	.module = THIS_MODULE,
	.resv_start_op = 0,
	.mcgrps = mf_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(mf_nl_mcgrps),
};

/**
 * mf_nl_init() - register the generic netlink family with its commands
 * @ops: the commands (mf_nl_dump.c)
 * @n_ops: how many
 *
 * Context: module init, before the object layer and the pools start, so
 * that their events can be sent from the beginning.
 * Return: 0 or a negative errno.
 */
int mf_nl_init(const struct genl_ops *ops, unsigned int n_ops)
{
	int ret;

	mf_nl_family.ops = ops;
	mf_nl_family.n_ops = n_ops;
	ret = genl_register_family(&mf_nl_family);
	if (ret) {
		pr_err("cannot register generic netlink family %s: %d\n",
		       MEMFABRIC_GENL_NAME, ret);
		return ret;
	}
	WRITE_ONCE(mf_nl_live, true);
	return 0;
}

/**
 * mf_nl_exit() - unregister the generic netlink family
 *
 * Context: module exit, or init unwinding; after the pools and the object
 * layer stopped, so no hook runs any more.  A dump in progress holds a
 * module reference, so none is.
 */
void mf_nl_exit(void)
{
	WRITE_ONCE(mf_nl_live, false);
	genl_unregister_family(&mf_nl_family);
}
