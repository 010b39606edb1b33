// SPDX-License-Identifier: GPL-2.0
/*
 * nl.c - mfadm's side of memfabric's generic netlink family (libnl-genl-3):
 * resolving the family and its "events" group, dumps, the single-object
 * get, and reading the attributes of a message.  See
 * Documentation/netlink.md.
 */
#include "mfadm.h"

#include <errno.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/memfabric.h>

int mfadm_nl_open(struct mfadm_nl *nl, bool events)
{
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		mfadm_err("out of memory");
		return MFADM_FAIL;
	}
	ret = genl_connect(nl->sk);
	if (ret) {
		mfadm_err("cannot open a generic netlink socket: %s",
			  nl_geterror(ret));
		goto err;
	}
	nl->family = genl_ctrl_resolve(nl->sk, MEMFABRIC_GENL_NAME);
	if (nl->family < 0) {
		mfadm_err("memfabric module not loaded, or too old (no generic netlink family %s)",
			  MEMFABRIC_GENL_NAME);
		goto err;
	}
	if (events) {
		nl->events = genl_ctrl_resolve_grp(nl->sk, MEMFABRIC_GENL_NAME,
						   MEMFABRIC_GENL_MCGRP_EVENTS);
		if (nl->events < 0) {
			mfadm_err("the memfabric module has no %s group",
				  MEMFABRIC_GENL_MCGRP_EVENTS);
			goto err;
		}
	}
	/* Large dumps: room for many replies per read. */
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 0);
	return MFADM_OK;
err:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return MFADM_FAIL;
}

void mfadm_nl_close(struct mfadm_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/* State of one request: its callback and how it ended. */
struct request {
	mfadm_nl_fn fn;
	void *arg;
	int err;	/* 1 while running, 0 done, -errno failed */
	int fn_ret;	/* non-zero: fn asked to stop */
};

static int valid_handler(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;
	struct nlattr *attrs[MF_NL_ATTR_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, MF_NL_ATTR_MAX, NULL))
		return NL_SKIP;
	rq->fn_ret = rq->fn(gh->cmd, attrs, rq->arg);
	return rq->fn_ret ? NL_STOP : NL_OK;
}

static int finish_handler(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;

	(void)msg;
	rq->err = 0;
	return NL_SKIP;
}

static int ack_handler(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;

	(void)msg;
	rq->err = 0;
	return NL_STOP;
}

static int error_handler(struct sockaddr_nl *nla, struct nlmsgerr *e,
			 void *arg)
{
	struct request *rq = arg;

	(void)nla;
	rq->err = e->error < 0 ? e->error : -EIO;
	return NL_STOP;
}

int mfadm_nl_request(struct mfadm_nl *nl, uint8_t cmd, bool dump,
		     const char *pool, const char *ns, const char *id,
		     mfadm_nl_fn fn, void *arg)
{
	struct request rq = { .fn = fn, .arg = arg, .err = 1 };
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!msg || !cb) {
		ret = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, cmd,
			 MEMFABRIC_GENL_VERSION) ||
	    (pool && nla_put_string(msg, MF_NL_ATTR_POOL, pool)) ||
	    (ns && nla_put_string(msg, MF_NL_ATTR_NS, ns)) ||
	    (id && nla_put_string(msg, MF_NL_ATTR_ID, id))) {
		ret = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_handler, &rq);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_handler, &rq);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_handler, &rq);
	nl_cb_err(cb, NL_CB_CUSTOM, error_handler, &rq);
	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		ret = -EIO;
		goto out;
	}
	while (rq.err > 0 && !rq.fn_ret) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && rq.err > 0) {
			rq.err = ret == -NLE_NOMEM ? -ENOMEM : -EIO;
			break;
		}
	}
	ret = rq.fn_ret ? rq.fn_ret : rq.err;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

const char *mfadm_nl_str(struct nlattr **attrs, int type)
{
	struct nlattr *a = attrs[type];
	const char *s;
	int len;

	if (!a)
		return "";
	s = nla_data(a);
	len = nla_len(a);
	if (len <= 0 || s[len - 1] != '\0')
		return "";
	return s;
}

uint64_t mfadm_nl_u64(struct nlattr **attrs, int type)
{
	struct nlattr *a = attrs[type];

	if (!a)
		return 0;
	if (nla_len(a) == 8)
		return nla_get_u64(a);
	if (nla_len(a) == 4)
		return nla_get_u32(a);
	return 0;
}

bool mfadm_nl_has(struct nlattr **attrs, int type)
{
	return attrs[type] != NULL;
}

const char *mfadm_obj_type_name(uint32_t type)
{
	switch (type) {
	case MF_OBJ_PRIVATE_RW:
		return "private-rw";
	case MF_OBJ_SHARED_RO:
		return "shared-ro";
	}
	return "?";
}

void mfadm_obj_json(struct nlattr **a)
{
	json_obj_begin();
	json_kstr("pool", mfadm_nl_str(a, MF_NL_ATTR_POOL));
	json_kstr("ns", mfadm_nl_str(a, MF_NL_ATTR_NS));
	json_kstr("id", mfadm_nl_str(a, MF_NL_ATTR_ID));
	json_ksize("size", mfadm_nl_u64(a, MF_NL_ATTR_SIZE));
	json_kstr("type", mfadm_obj_type_name(mfadm_nl_u64(a, MF_NL_ATTR_TYPE)));
	json_ku64("refcount", mfadm_nl_u64(a, MF_NL_ATTR_REFS));
	json_ku64("mappings", mfadm_nl_u64(a, MF_NL_ATTR_MAP_COUNT));
	json_ku64("owner", mfadm_nl_u64(a, MF_NL_ATTR_OWNER));
	json_ku64("age", mfadm_nl_u64(a, MF_NL_ATTR_AGE));
	json_ku64("ctime", mfadm_nl_u64(a, MF_NL_ATTR_CTIME));
	json_ku64("extents", mfadm_nl_u64(a, MF_NL_ATTR_NR_EXTENTS));
	json_obj_end();
}
