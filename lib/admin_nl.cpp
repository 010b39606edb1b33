// SPDX-License-Identifier: LGPL-2.1-or-later
//
// admin_nl.cpp - the administration calls of <memfabric/admin.h> that use
// memfabric's generic netlink family (libnl-genl-3): listing and showing
// objects, and the events group.  See Documentation/netlink.md.
//
// Each request has a socket of its own, so that calls from many threads
// never share one.  Nothing here throws.
#include "internal.hpp"

#include <memfabric/admin.h>

#include <cerrno>
#include <cstring>
#include <new>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

namespace {

// A connected socket and the family's id (and its events group's).
struct Genl {
	nl_sock *sk = nullptr;
	int family = -1;
	int events = -1;

	Genl() = default;
	Genl(const Genl &) = delete;
	Genl &operator=(const Genl &) = delete;
	~Genl()
	{
		if (sk)
			nl_socket_free(sk);
	}

	// 0, or -errno: -ENODEV no family (module not loaded or too old),
	// -EOPNOTSUPP no events group, -ENOMEM, -EIO the socket.
	int open(bool withEvents)
	{
		sk = nl_socket_alloc();
		if (!sk)
			return -ENOMEM;
		if (genl_connect(sk))
			return -EIO;
		family = genl_ctrl_resolve(sk, MEMFABRIC_GENL_NAME);
		if (family < 0)
			return -ENODEV;
		if (withEvents) {
			events = genl_ctrl_resolve_grp(sk, MEMFABRIC_GENL_NAME,
						       MEMFABRIC_GENL_MCGRP_EVENTS);
			if (events < 0)
				return -EOPNOTSUPP;
		}
		// Large dumps: room for many replies per read.
		nl_socket_set_buffer_size(sk, 1 << 20, 0);
		return 0;
	}
};

// The attributes of one message by MF_NL_ATTR_*, or false if it has none
// that parse.
bool parse(nl_msg *msg, nlattr **attrs, uint8_t *cmd)
{
	nlmsghdr *h = nlmsg_hdr(msg);

	*cmd = static_cast<genlmsghdr *>(nlmsg_data(h))->cmd;
	return genlmsg_parse(h, 0, attrs, MF_NL_ATTR_MAX, nullptr) == 0;
}

// A string attribute into @dst (of @cap bytes): "" when absent, not
// NUL-terminated or too long.
void str(nlattr **attrs, int type, char *dst, size_t cap)
{
	nlattr *a = attrs[type];

	memset(dst, 0, cap);
	if (!a)
		return;
	const char *s = static_cast<const char *>(nla_data(a));
	int len = nla_len(a);
	if (len <= 0 || s[len - 1] != '\0' || static_cast<size_t>(len) > cap)
		return;
	memcpy(dst, s, static_cast<size_t>(len));
}

template <size_t N> void str(nlattr **attrs, int type, char (&dst)[N])
{
	str(attrs, type, dst, N);
}

// A u32 or u64 attribute; 0 when absent or of another length.
uint64_t num(nlattr **attrs, int type)
{
	nlattr *a = attrs[type];

	if (!a)
		return 0;
	if (nla_len(a) == 8)
		return nla_get_u64(a);
	if (nla_len(a) == 4)
		return nla_get_u32(a);
	return 0;
}

void toObj(nlattr **a, mf_admin_obj_info *o)
{
	memset(o, 0, sizeof(*o));
	str(a, MF_NL_ATTR_POOL, o->pool);
	str(a, MF_NL_ATTR_NS, o->ns);
	str(a, MF_NL_ATTR_ID, o->id);
	o->size = num(a, MF_NL_ATTR_SIZE);
	o->type = static_cast<uint32_t>(num(a, MF_NL_ATTR_TYPE));
	o->refs = num(a, MF_NL_ATTR_REFS);
	o->map_count = static_cast<uint32_t>(num(a, MF_NL_ATTR_MAP_COUNT));
	o->owner = static_cast<uint32_t>(num(a, MF_NL_ATTR_OWNER));
	o->age = num(a, MF_NL_ATTR_AGE);
	o->ctime = num(a, MF_NL_ATTR_CTIME);
	o->nr_extents = static_cast<uint32_t>(num(a, MF_NL_ATTR_NR_EXTENTS));
}

// ---- requests ----------------------------------------------------------------

// One request: what to do with each reply, and how it ended.
struct Request {
	mf_admin_obj_fn fn;
	void *arg;
	int count = 0;	// objects passed to fn
	int err = 1;	// 1 while running, 0 done, -errno failed
	int fnRet = 0;	// non-zero: fn asked to stop
	int64_t *hosts = nullptr;	// set: MF_NL_ATTR_HOSTS, or -1 without
};

int onValid(nl_msg *msg, void *arg)
{
	Request *rq = static_cast<Request *>(arg);
	nlattr *attrs[MF_NL_ATTR_MAX + 1];
	mf_admin_obj_info o;
	uint8_t cmd;

	if (!parse(msg, attrs, &cmd) || cmd != MF_NL_CMD_OBJ_GET)
		return NL_SKIP;
	toObj(attrs, &o);
	if (rq->hosts)
		*rq->hosts = attrs[MF_NL_ATTR_HOSTS] ?
			static_cast<int64_t>(num(attrs, MF_NL_ATTR_HOSTS)) : -1;
	rq->count++;
	rq->fnRet = rq->fn(&o, rq->arg);
	return rq->fnRet ? NL_STOP : NL_OK;
}

int onFinish(nl_msg *, void *arg)
{
	static_cast<Request *>(arg)->err = 0;
	return NL_SKIP;
}

int onAck(nl_msg *, void *arg)
{
	static_cast<Request *>(arg)->err = 0;
	return NL_STOP;
}

int onError(sockaddr_nl *, nlmsgerr *e, void *arg)
{
	static_cast<Request *>(arg)->err = e->error < 0 ? e->error : -EIO;
	return NL_STOP;
}

// Send MF_NL_CMD_OBJ_GET (a dump with @dump) with the optional POOL, NS
// and ID attributes, and pass each object of the reply to @fn.  The
// number passed, what @fn returned, or -errno.
int objRequest(bool dump, const char *pool, const char *ns, const char *id,
	       mf_admin_obj_fn fn, void *arg, int64_t *hosts = nullptr)
{
	Genl g;
	Request rq{ fn, arg };
	int rc = g.open(false);

	rq.hosts = hosts;

	if (rc)
		return rc;
	nl_msg *msg = nlmsg_alloc();
	nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		rc = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g.family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, MF_NL_CMD_OBJ_GET,
			 MEMFABRIC_GENL_VERSION) ||
	    (pool && nla_put_string(msg, MF_NL_ATTR_POOL, pool)) ||
	    (ns && nla_put_string(msg, MF_NL_ATTR_NS, ns)) ||
	    (id && nla_put_string(msg, MF_NL_ATTR_ID, id))) {
		rc = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, onValid, &rq);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, onFinish, &rq);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, onAck, &rq);
	nl_cb_err(cb, NL_CB_CUSTOM, onError, &rq);
	if (nl_send_auto(g.sk, msg) < 0) {
		rc = -EIO;
		goto out;
	}
	while (rq.err > 0 && !rq.fnRet) {
		rc = nl_recvmsgs(g.sk, cb);
		if (rc < 0 && rq.err > 0) {
			rq.err = rc == -NLE_NOMEM ? -ENOMEM : -EIO;
			break;
		}
	}
	rc = rq.fnRet ? rq.fnRet : rq.err ? rq.err : rq.count;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return rc;
}

// Names as the family takes them: NULL or a short enough string.
bool nameOk(const char *s, size_t cap)
{
	return !s || strnlen(s, cap) < cap;
}

} // namespace

extern "C" MF_ADMIN_API int mf_admin_obj_list(const char *pool, const char *ns,
					      mf_admin_obj_fn fn, void *arg)
{
	if (!fn || !nameOk(pool, MF_POOL_NAME_LEN) ||
	    !nameOk(ns, MF_NS_NAME_LEN))
		return -EINVAL;
	return objRequest(true, pool, ns, nullptr, fn, arg);
}

extern "C" MF_ADMIN_API int mf_admin_obj_get(const char *pool, const char *ns,
					     const char *id,
					     mf_admin_obj_info *out)
{
	if (!out || !pool || !ns || !id || !nameOk(pool, MF_POOL_NAME_LEN) ||
	    !nameOk(ns, MF_NS_NAME_LEN) || !nameOk(id, MF_OBJ_ID_LEN))
		return -EINVAL;
	auto first = [](const mf_admin_obj_info *o, void *arg) {
		*static_cast<mf_admin_obj_info *>(arg) = *o;
		return 1;	// one object is the answer
	};
	int rc = objRequest(false, pool, ns, id, first, out);
	if (rc == 1)
		return 0;
	return rc < 0 ? rc : -EIO;	// 0: the module sent no object
}

extern "C" MF_ADMIN_API int mf_admin_obj_hosts(const char *pool,
					       const char *ns, const char *id,
					       uint32_t *hosts)
{
	mf_admin_obj_info o;
	int64_t mask = -1;

	if (!hosts || !pool || !ns || !id || !nameOk(pool, MF_POOL_NAME_LEN) ||
	    !nameOk(ns, MF_NS_NAME_LEN) || !nameOk(id, MF_OBJ_ID_LEN))
		return -EINVAL;
	auto first = [](const mf_admin_obj_info *, void *) { return 1; };
	int rc = objRequest(false, pool, ns, id, first, &o, &mask);
	if (rc != 1)
		return rc < 0 ? rc : -EIO;
	if (mask < 0)
		return -ENODATA;	// not an object of a multi-host pool
	*hosts = static_cast<uint32_t>(mask);
	return 0;
}

// ---- events ----------------------------------------------------------------------

struct mf_admin_monitor {
	Genl g;
	mf_admin_event_fn fn = nullptr;
	void *arg = nullptr;
	int count = 0;
	int fnRet = 0;
};

namespace {

const struct {
	int attr;
	uint32_t bit;
} kEventFields[] = {
	{ MF_NL_ATTR_POOL, MF_ADMIN_EV_POOL },
	{ MF_NL_ATTR_NS, MF_ADMIN_EV_NS },
	{ MF_NL_ATTR_ID, MF_ADMIN_EV_ID },
	{ MF_NL_ATTR_SIZE, MF_ADMIN_EV_SIZE },
	{ MF_NL_ATTR_TYPE, MF_ADMIN_EV_TYPE },
	{ MF_NL_ATTR_OWNER, MF_ADMIN_EV_OWNER },
	{ MF_NL_ATTR_TTL, MF_ADMIN_EV_TTL },
	{ MF_NL_ATTR_ATTR, MF_ADMIN_EV_ATTR },
	{ MF_NL_ATTR_CAPACITY, MF_ADMIN_EV_CAPACITY },
	{ MF_NL_ATTR_USED, MF_ADMIN_EV_USED },
	{ MF_NL_ATTR_FREE, MF_ADMIN_EV_FREE },
	{ MF_NL_ATTR_HOST, MF_ADMIN_EV_HOST },
	{ MF_NL_ATTR_EPOCH, MF_ADMIN_EV_EPOCH },
};

int onEvent(nl_msg *msg, void *arg)
{
	mf_admin_monitor *mon = static_cast<mf_admin_monitor *>(arg);
	nlattr *a[MF_NL_ATTR_MAX + 1];
	mf_admin_event ev;
	uint8_t cmd;

	if (mon->fnRet || !parse(msg, a, &cmd))
		return NL_SKIP;
	memset(&ev, 0, sizeof(ev));
	ev.cmd = cmd;
	for (const auto &f : kEventFields)
		if (a[f.attr])
			ev.present |= f.bit;
	str(a, MF_NL_ATTR_POOL, ev.pool);
	str(a, MF_NL_ATTR_NS, ev.ns);
	str(a, MF_NL_ATTR_ID, ev.id);
	ev.size = num(a, MF_NL_ATTR_SIZE);
	ev.type = static_cast<uint32_t>(num(a, MF_NL_ATTR_TYPE));
	ev.owner = static_cast<uint32_t>(num(a, MF_NL_ATTR_OWNER));
	ev.ttl = num(a, MF_NL_ATTR_TTL);
	ev.attr = static_cast<uint32_t>(num(a, MF_NL_ATTR_ATTR));
	ev.capacity = num(a, MF_NL_ATTR_CAPACITY);
	ev.used = num(a, MF_NL_ATTR_USED);
	ev.free = num(a, MF_NL_ATTR_FREE);
	ev.host = static_cast<uint32_t>(num(a, MF_NL_ATTR_HOST));
	ev.epoch = static_cast<uint32_t>(num(a, MF_NL_ATTR_EPOCH));
	mon->count++;
	mon->fnRet = mon->fn(&ev, mon->arg);
	return NL_OK;
}

} // namespace

extern "C" MF_ADMIN_API int mf_admin_monitor_open(mf_admin_monitor **out)
{
	if (!out)
		return -EINVAL;
	*out = nullptr;
	mf_admin_monitor *mon = new (std::nothrow) mf_admin_monitor;
	if (!mon)
		return -ENOMEM;
	int rc = mon->g.open(true);
	if (!rc && nl_socket_add_membership(mon->g.sk, mon->g.events))
		rc = errno ? -errno : -EPERM;
	if (rc) {
		delete mon;
		return rc;
	}
	nl_socket_disable_seq_check(mon->g.sk);
	nl_socket_modify_cb(mon->g.sk, NL_CB_VALID, NL_CB_CUSTOM, onEvent, mon);
	*out = mon;
	return 0;
}

extern "C" MF_ADMIN_API int mf_admin_monitor_fd(const mf_admin_monitor *mon)
{
	return mon ? nl_socket_get_fd(mon->g.sk) : -EINVAL;
}

extern "C" MF_ADMIN_API int mf_admin_monitor_read(mf_admin_monitor *mon,
						  mf_admin_event_fn fn,
						  void *arg)
{
	if (!mon || !fn)
		return -EINVAL;
	mon->fn = fn;
	mon->arg = arg;
	mon->count = 0;
	mon->fnRet = 0;
	int rc = nl_recvmsgs_default(mon->g.sk);
	if (mon->fnRet)
		return mon->fnRet;
	// Events lost when the socket overflowed: the caller may go on.
	if (rc == -NLE_NOMEM || rc == -NLE_MSG_OVERFLOW)
		return -ENOBUFS;
	if (rc == -NLE_INTR)
		return -EINTR;
	if (rc < 0 && rc != -NLE_AGAIN)
		return -EIO;
	return mon->count;
}

extern "C" MF_ADMIN_API void mf_admin_monitor_close(mf_admin_monitor *mon)
{
	delete mon;
}
