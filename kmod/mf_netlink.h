/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_netlink.h - memfabric's generic netlink family (mf_netlink.c): the
 * dumps of pools, namespaces and objects, and the event hooks the object
 * core and the pools call.  Documentation/netlink.md describes the family.
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

struct mf_obj;
struct mf_ns;
struct mf_pool;

int mf_nl_init(void);
void mf_nl_exit(void);

void mf_nl_obj_event(const struct mf_obj *obj, u8 cmd);
void mf_nl_ns_event(const struct mf_ns *ns, u8 cmd);
void mf_nl_pool_space(struct mf_pool *pool);
void mf_nl_pool_forget(const struct mf_pool *pool);

#endif /* MF_NETLINK_H */
