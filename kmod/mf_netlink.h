/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_netlink.h - memfabric's generic netlink family (mf_netlink.c, the
 * ground layer): the family, on which the dumps (mf_nl_dump.c) register
 * their commands, and the event hooks the object core and the pools call.
 * Documentation/netlink.md describes the family.
 *
 * The hooks send a multicast message to the "events" group when somebody
 * listens, and do nothing otherwise (or before mf_nl_init(), after
 * mf_nl_exit()).  They allocate with GFP_KERNEL: call them in process
 * context only, never under a spinlock or rcu_read_lock().  Holding
 * memfabric's mutexes is fine: sending takes none of them.
 */
#ifndef MF_NETLINK_H
#define MF_NETLINK_H

#include <linux/types.h>
#include <net/genetlink.h>

#include <uapi/linux/memfabric.h>

struct mf_ext_stat;
struct mf_obj;
struct mf_ns;
struct mf_pool;

extern struct genl_family mf_nl_family;
extern const struct nla_policy mf_nl_policy[MF_NL_ATTR_MAX + 1];

int mf_nl_init(const struct genl_ops *ops, unsigned int n_ops);
void mf_nl_exit(void);
int mf_nl_put_u64(struct sk_buff *skb, int type, u64 v);

void mf_nl_obj_event(const struct mf_obj *obj, u8 cmd);
void mf_nl_ns_event(const struct mf_ns *ns, u8 cmd);
void mf_nl_pool_event(const struct mf_pool *pool, bool low,
		      const struct mf_ext_stat *st);
void mf_nl_host_event(const struct mf_pool *pool, u8 cmd, u32 host, u32 epoch);

#endif /* MF_NETLINK_H */
