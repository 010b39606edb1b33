// SPDX-License-Identifier: LGPL-2.1-or-later
//
// remote.cpp - the remote backend: the BigMemory calls on remote objects
// ("NODE:POOL" pools), through mfserverd over RDMA (one connection per
// node, rdma_conn.cpp).  See Documentation/remote.md.
//
// A session has one RemoteFabric, made on first use, holding one Node per
// remote node name.  A Node has one connection (librdmacm, RC queue pair)
// to its server, made on first use and again after it broke, and a table
// of the objects the session holds references on there:
//
//   (pool, ns, id) -> RObj { server handle, address, rkey, staged, size,
//                            type, secId, userRefs }
//
// - BM_AllocSec and BM_GetSec give one user reference, BM_PutSec drops
//   one, BM_FreeSec all.  The server holds one handle per entry (a
//   registered MAP_SHARED mapping of the object and one reference in the
//   server's session), whatever the number of user references.
// - Other calls use the entry when there is one (after comparing the
//   caller's secId with the one the server's kernel accepted: -EACCES),
//   otherwise a transient handle: GET, the call, PUT.
// - BM_ReadSec and BM_WriteSec of a direct object (the server registered
//   its mapping and gave an rkey) are one-sided RDMA READ and WRITE between
//   the object's region and a registered bounce buffer of the connection
//   (chunks of kChunk bytes, up to kSlots in flight).  Small writes go
//   inline.  The server's CPU is not involved.
// - A staged object (MFP_OBJ_STAGED: the server's kernel refused to
//   register the mapping) is read and written with READ and WRITE
//   requests naming the bounce buffer (registered with remote access, in
//   the connection's own protection domain): the server copies between
//   the object and its staging buffer and moves that to or from ours by
//   RDMA (net/mfproto.h), up to kChunk * kSlots bytes per request.
// - After the connection broke (server restart, network), the next call
//   connects again and takes a new handle for every entry (GET by name);
//   entries whose object is gone are dropped.  A data call that failed
//   because the connection broke is redone once on the new connection;
//   a control call is not (it may have been done), and returns
//   -ECONNRESET.
//
// Locking: Node::mu serialises everything on a node (its connection and
// its table); RemoteFabric::mu guards the node map.  No call holds the
// locks of two nodes: a copy between nodes goes through a local buffer,
// one node at a time.
#include "backend.hpp"
#include "rdma_conn.hpp"

#include "etcd.hpp"
#include "mfauth.hpp"
#include "mfproto.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>

namespace memfabric::detail {

namespace rimpl {}
using namespace rimpl;

bool isRemoteField(const char *field) noexcept
{
	return field && memchr(field, BM_REMOTE_SEP,
			       strnlen(field, BM_POOL_NAME_LEN)) != nullptr;
}

namespace rimpl {

// ---- nodes -----------------------------------------------------------------

struct RObj {
	std::string pool, ns, id, secid;
	uint64_t handle = 0, addr = 0, size = 0;
	uint32_t rkey = 0, type = 0;
	bool staged = false;	// no rkey: READ and WRITE requests
	uint64_t userRefs = 0;
};

} // namespace

struct RNode {
	std::string name;
	std::mutex mu;
	Conn conn;
	std::map<std::string, std::shared_ptr<RObj>> objs;
	// Bumped whenever an entry of @objs goes or is replaced, and at
	// every new connection: the data calls' per-thread caches check it.
	uint64_t gen = 0;
};

class RemoteFabric {
public:
	explicit RemoteFabric(const Config &c) : cfg(c) {}
	Config cfg;
	std::mutex mu;
	std::map<std::string, std::shared_ptr<RNode>> nodes;
};

namespace rimpl {

std::shared_ptr<RemoteFabric> fabricOf(Session &s)
{
	std::lock_guard<std::mutex> lock(s.remoteMu);
	if (!s.remote)
		s.remote = std::make_shared<RemoteFabric>(s.config());
	return s.remote;
}

std::shared_ptr<RNode> nodeOf(Session &s, const std::string &name)
{
	std::shared_ptr<RemoteFabric> f = fabricOf(s);
	std::lock_guard<std::mutex> lock(f->mu);
	auto &n = f->nodes[name];
	if (!n) {
		n = std::make_shared<RNode>();
		n->name = name;
	}
	return n;
}

// Where node @name's server is: the config, else etcd.
int locate(const Config &cfg, const std::string &name, std::string &host,
	   std::string &port)
{
	auto it = cfg.remotes.find(name);
	std::string hp;
	if (it != cfg.remotes.end()) {
		hp = it->second;
		size_t c = hp.rfind(':');
		if (c == std::string::npos || hp.back() == ']') {
			host = hp;
			port = std::to_string(MFP_DEFAULT_PORT);
		} else {
			host = hp.substr(0, c);
			port = hp.substr(c + 1);
		}
		return 0;
	}
	if (cfg.etcd.empty())
		return -ENOENT;
	etcd::Tls tls;
	tls.caFile = cfg.etcdCaFile;
	tls.certFile = cfg.etcdCertFile;
	tls.keyFile = cfg.etcdKeyFile;
	etcd::Client cl(cfg.etcd, tls);
	etcd::NodeRecord rec;
	int rc = cl.findNode(name, rec);
	if (rc) {
		log(BM_LOG_INFO, "remote: node %s not found in etcd %s: %s (%s)",
		    name.c_str(), cl.url().c_str(), systemErrorText(-rc),
		    cl.lastError().c_str());
		return rc == -ENOENT ? -ENOENT : -EHOSTUNREACH;
	}
	host = rec.addr;
	port = std::to_string(rec.port);
	return 0;
}

void fillFrom(RObj &o, const mfp_obj_rep &r)
{
	o.handle = r.handle;
	o.addr = r.addr;
	o.rkey = r.rkey;
	o.staged = (r.flags & MFP_OBJ_STAGED) || !r.rkey;
	o.type = r.type;
	o.size = r.size;
}

int statusOf(const Conn &c)
{
	return reinterpret_cast<const mfp_hdr *>(c.rbuf())->status;
}

int sendObjReq(RNode &n, uint16_t op, const Name &nm, uint64_t size,
	       uint32_t flags, mfp_obj_rep *rep);

// HELLO and AUTH on the new connection of @n (net/mfproto.h,
// Documentation/remote.md "Authentication"): the server proves that it
// knows this client's key and that it is node @n.name before the client
// sends anything else, a secId above all; then the client proves it.
// 0, -EACCES (refused either way: logged), or -errno of the transport.
int authenticate(const Config &cfg, RNode &n, const std::string &host,
		 const std::string &port)
{
	std::string key, why;
	if (cfg.remoteKeyFile.empty() || cfg.remoteClient.empty()) {
		log(BM_LOG_ERROR,
		    "remote: no remote_client and remote_key in the config: "
		    "node %s will refuse this client",
		    n.name.c_str());
	} else {
		int rc = auth::readKey(cfg.remoteKeyFile, key, why);
		if (rc) {
			log(BM_LOG_ERROR, "remote: key file %s", why.c_str());
			return rc == -ENOENT ? -EACCES : rc;
		}
	}
	struct Wipe {
		std::string &k;
		~Wipe()
		{
			if (!k.empty())
				OPENSSL_cleanse(&k[0], k.size());
		}
	} wipe{ key };

	mfp_hello h;
	memset(&h, 0, sizeof(h));
	putField(h.node, sizeof(h.node), n.name);
	if (!key.empty())
		putField(h.client, sizeof(h.client), cfg.remoteClient);
	if (auth::randomBytes(h.client_nonce, sizeof(h.client_nonce)))
		return -EIO;
	int rc = n.conn.call(&h, sizeof(h), MFP_HELLO);
	if (rc)
		return rc;
	const mfp_hello *r = reinterpret_cast<const mfp_hello *>(n.conn.rbuf());
	rc = statusOf(n.conn);
	if (rc) {
		log(BM_LOG_ERROR, "remote: node %s at %s:%s refused client '%s': %s",
		    n.name.c_str(), host.c_str(), port.c_str(),
		    cfg.remoteClient.c_str(), systemErrorText(-rc));
		return rc == -EPROTO ? rc : -EACCES;
	}
	if (r->h.length < sizeof(*r))
		return -EPROTO;
	if (key.empty())
		return -EACCES; // a server that accepts no one: not verified
	uint8_t want[MFP_MAC_LEN];
	char node[sizeof(r->node) + 1] = "";
	memcpy(node, r->node, sizeof(r->node));
	if (auth::mac(key, MFP_AUTH_SERVER, h.client, h.node, h.client_nonce,
		      r->server_nonce, want))
		return -EIO;
	// A server that does not know our key fails here, whatever
	// address etcd or the config gave for the node.
	if (!auth::sameMac(want, r->mac)) {
		log(BM_LOG_ERROR,
		    "remote: %s:%s (node %s) did not prove that it knows this "
		    "client's key: not trusted, nothing sent",
		    host.c_str(), port.c_str(), n.name.c_str());
		return -EACCES;
	}
	if (strcmp(node, h.node) != 0)
		log(BM_LOG_DEBUG, "remote: node %s calls itself %s",
		    n.name.c_str(), node);
	mfp_auth a;
	memset(&a, 0, sizeof(a));
	if (auth::mac(key, MFP_AUTH_CLIENT, h.client, h.node, h.client_nonce,
		      r->server_nonce, a.mac))
		return -EIO;
	rc = n.conn.call(&a, sizeof(a), MFP_AUTH);
	if (rc)
		return rc;
	rc = statusOf(n.conn);
	if (rc) {
		log(BM_LOG_ERROR, "remote: node %s refused client '%s': %s",
		    n.name.c_str(), cfg.remoteClient.c_str(),
		    systemErrorText(-rc));
		return rc == -EPROTO ? rc : -EACCES;
	}
	return 0;
}

// Connected, with a handle for every entry.  Node::mu held.
int ensure(Session &s, RNode &n)
{
	n.conn.checkEvents();
	if (!n.conn.dead())
		return 0;
	std::string host, port;
	int rc = locate(fabricOf(s)->cfg, n.name, host, port);
	if (rc)
		return rc;
	rc = n.conn.open(host, port);
	if (rc) {
		log(BM_LOG_INFO, "remote: cannot connect to node %s at %s:%s: %s",
		    n.name.c_str(), host.c_str(), port.c_str(),
		    systemErrorText(-rc));
		n.conn.close();
		return rc;
	}
	rc = authenticate(fabricOf(s)->cfg, n, host, port);
	if (rc) {
		n.conn.close();
		return rc;
	}
	log(BM_LOG_DEBUG, "remote: connected to node %s at %s:%s",
	    n.name.c_str(), host.c_str(), port.c_str());
	n.gen++;
	// Handles of an earlier connection are gone with it.
	for (auto it = n.objs.begin(); it != n.objs.end();) {
		RObj &o = *it->second;
		Name nm;
		nm.pool = o.pool;
		nm.ns = o.ns;
		nm.id = o.id;
		nm.secid = o.secid;
		mfp_obj_rep rep;
		rc = sendObjReq(n, MFP_GET, nm, 0, 0, &rep);
		if (rc == -ECONNRESET || n.conn.dead())
			return -ECONNRESET;
		if (rc) {
			log(BM_LOG_INFO,
			    "remote: %s/%s/%s on node %s is gone: %s",
			    o.pool.c_str(), o.ns.c_str(), o.id.c_str(),
			    n.name.c_str(), systemErrorText(-rc));
			it = n.objs.erase(it);
			continue;
		}
		fillFrom(o, rep);
		++it;
	}
	return 0;
}

// One request naming an object; the reply's status, or -errno of the
// transport.  @rep (may be null) gets an mfp_obj_rep reply.
int sendObjReq(RNode &n, uint16_t op, const Name &nm, uint64_t size,
	       uint32_t flags, mfp_obj_rep *rep)
{
	mfp_obj_req *q = reinterpret_cast<mfp_obj_req *>(n.conn.sbuf());
	if (!q)
		return -ECONNRESET;
	memset(q, 0, sizeof(*q));
	putField(q->name.pool, sizeof(q->name.pool), nm.pool);
	putField(q->name.ns, sizeof(q->name.ns), nm.ns);
	putField(q->name.secid, sizeof(q->name.secid), nm.secid);
	putField(q->name.id, sizeof(q->name.id), nm.id);
	q->size = size;
	q->flags = flags;
	int rc = n.conn.call(q, sizeof(*q), op);
	if (rc)
		return rc;
	const mfp_hdr *h = reinterpret_cast<const mfp_hdr *>(n.conn.rbuf());
	if (rep) {
		memset(rep, 0, sizeof(*rep));
		if (h->length >= sizeof(*rep))
			memcpy(rep, n.conn.rbuf(), sizeof(*rep));
		else if (!h->status && op != MFP_PUBLISH)
			return -EPROTO;
	}
	return h->status;
}

int sendHandleReq(RNode &n, uint16_t op, uint64_t handle)
{
	mfp_handle_req *q = reinterpret_cast<mfp_handle_req *>(n.conn.sbuf());
	if (!q)
		return -ECONNRESET;
	memset(q, 0, sizeof(*q));
	q->handle = handle;
	int rc = n.conn.call(q, sizeof(*q), op);
	return rc ? rc : statusOf(n.conn);
}

// A new entry, without references, for the object @nm whose id is @id.
// Allocates: may throw.
std::shared_ptr<RObj> newObj(const Name &nm, const std::string &id)
{
	std::shared_ptr<RObj> o = std::make_shared<RObj>();
	o->pool = nm.pool;
	o->ns = nm.ns;
	o->id = id;
	o->secid = nm.secid;
	return o;
}

// The object @nm for a call: the session's entry, or a transient handle
// (@transient set: PUT it with release()).  Node::mu held, connected.
int acquire(RNode &n, const Name &nm, std::shared_ptr<RObj> &out,
	    bool &transient)
{
	auto it = n.objs.find(nm.key());
	if (it != n.objs.end() && it->second->userRefs) {
		if (!sameSecret(it->second->secid, nm.secid))
			return -EACCES;
		out = it->second;
		transient = false;
		return 0;
	}
	// Allocated before the server's handle exists: nothing throws
	// while this call owns a handle nobody else knows.
	std::shared_ptr<RObj> o = newObj(nm, nm.id);
	mfp_obj_rep rep;
	int rc = sendObjReq(n, MFP_GET, nm, 0, 0, &rep);
	if (rc)
		return rc;
	fillFrom(*o, rep);
	out = std::move(o);
	transient = true;
	return 0;
}

void release(RNode &n, const std::shared_ptr<RObj> &o, bool transient)
{
	if (transient && o && !n.conn.dead())
		sendHandleReq(n, MFP_PUT, o->handle);
}

// Run @f(RNode &) on the node of @nodeName, connected; once more on a new
// connection if @retry and it failed with -ECONNRESET.
template <class F>
int onNode(Session &s, const std::string &nodeName, bool retry, F &&f)
{
	std::shared_ptr<RNode> n = nodeOf(s, nodeName);
	std::lock_guard<std::mutex> lock(n->mu);
	for (int attempt = 0;; attempt++) {
		int rc = ensure(s, *n);
		if (rc == -ECONNRESET && attempt == 0) {
			n->conn.close();
			continue;
		}
		if (rc)
			return rc;
		rc = f(*n);
		if (rc == -ECONNRESET && retry && attempt == 0) {
			log(BM_LOG_INFO, "remote: node %s: connection lost; "
			    "connecting again", nodeName.c_str());
			n->conn.close();
			continue;
		}
		return rc;
	}
}

int rangeCheck(const RObj &o, size_t offset, size_t length)
{
	if (addOverflows(offset, length))
		return -EOVERFLOW;
	return offset + length > o.size ? -EINVAL : 0;
}

void fillInfo(BmInfo *bi, const RObj &o)
{
	bi->size = static_cast<size_t>(o.size);
	bi->type = static_cast<int>(o.type);
	putField(bi->bmId, sizeof(bi->bmId), o.id);
}

// The data of one call on @o, held or not, of @n (its lock held).
int transfer(RNode &n, const RObj &o, size_t offset, size_t length, char *buf,
	     bool write)
{
	int rc = rangeCheck(o, offset, length);
	if (!rc && write && o.type == BM_TYPE_SHARED_RO)
		rc = -EACCES;
	if (rc)
		return rc;
	if (o.staged)
		return n.conn.staged(write, o.handle, offset, buf, length);
	return n.conn.rdma(write, o.addr + offset, o.rkey, buf, length);
}

// ---- the data calls' fast path --------------------------------------------
//
// BM_ReadSec/BM_WriteSec of a remote object the session holds skip the
// name parsing and the table lookups: each thread remembers the last few
// remote names (the BmInfo fields, byte for byte) it resolved to a held
// object, as the node and the entry, with the session's serial and the
// node's generation.  A call with the same fields, in the same session
// (fastEnter(): the session, its fabric and nodes cannot go meanwhile)
// and generation (checked under the node's lock: the entry is still in
// the node's table), transfers at once.  Anything else, and a transfer
// that found the connection broken, takes the slow path, which connects
// again and redoes the call.

struct RFastSlot {
	FastGate *gate = nullptr;	// the session's
	uint64_t serial = 0;	// the session's; 0: empty
	uint64_t gen = 0;	// RNode::gen
	RNode *node = nullptr;
	RObj *obj = nullptr;
	CachedName name;
};

constexpr unsigned kRFastSlots = 4;
thread_local RFastSlot t_rfast[kRFastSlots];
thread_local unsigned t_rfastNext;

// Remember @bi (checked) as naming @o, held, of @n; @n's lock held.
void rfastStore(const Session &s, const BmInfo *bi, RNode &n, RObj &o)
{
	RFastSlot *f = findCached(t_rfast, bi);
	if (!f)
		f = &t_rfast[t_rfastNext++ % kRFastSlots];
	f->serial = 0;
	f->name.set(bi);
	f->node = &n;
	f->obj = &o;
	f->gen = n.gen;
	f->gate = s.gate();
	f->serial = s.serial;
}

// ---- the backend -----------------------------------------------------------

class RemoteBackend final : public Backend {
public:
	RemoteBackend() : Backend(0) {}

	int createNs(Session &s, const Name &nm, int attribute) override
	{
		return onNode(s, nm.node, false, [&](RNode &n) {
			return sendObjReq(n, MFP_NS_CREATE, nm, 0,
					  static_cast<uint32_t>(attribute),
					  nullptr);
		});
	}

	int destroyNs(Session &s, const Name &nm) override
	{
		return onNode(s, nm.node, false, [&](RNode &n) {
			return sendObjReq(n, MFP_NS_DESTROY, nm, 0, 0, nullptr);
		});
	}

	int alloc(Session &s, BmInfo *bi, Name &nm, bool poolNamed,
		  int numaNode, size_t size) override;

	int freeObj(Session &s, BmInfo *, const Name &nm) override
	{
		return onNode(s, nm.node, false, [&](RNode &n) {
			int rc = sendObjReq(n, MFP_FREE, nm, 0, 0, nullptr);
			if (!rc) {
				// The server dropped its handle.
				n.objs.erase(nm.key());
				n.gen++;
			}
			return rc;
		});
	}

	int io(Session &s, const BmInfo *bi, const Name &nm, size_t offset,
	       size_t length, char *buf, bool write) override
	{
		return onNode(s, nm.node, true, [&](RNode &n) {
			std::shared_ptr<RObj> o;
			bool transient = false;
			int rc = acquire(n, nm, o, transient);
			if (rc || !length) {
				release(n, o, transient);
				return rc;
			}
			if (!transient)
				rfastStore(s, bi, n, *o);
			rc = transfer(n, *o, offset, length, buf, write);
			release(n, o, transient);
			return rc;
		});
	}

	bool fastIo(const BmInfo *bi, size_t offset, size_t length, char *buf,
		    bool write, int &rc) noexcept override;

	int copy(Session &s, BmInfo *src, const Name &sn, size_t srcOffset,
		 BmInfo *dst, const Name &dn, size_t dstOffset,
		 size_t length) override;

	int gather(Session &s, const std::vector<const BmGatherItem *> &items,
		   const std::vector<Name> &srcs, int code, const Name &dn,
		   size_t *len) override;

	int publish(Session &s, BmInfo *bi, const Name &nm) override
	{
		return onNode(s, nm.node, false, [&](RNode &n) {
			// Zeroed: a transport error leaves it unwritten.
			mfp_obj_rep rep;
			memset(&rep, 0, sizeof(rep));
			int rc = sendObjReq(n, MFP_PUBLISH, nm, 0, 0, &rep);
			auto it = n.objs.find(nm.key());
			if (it != n.objs.end() && rep.handle &&
			    rep.handle == it->second->handle)
				fillFrom(*it->second, rep); // registered again
			if (!rc)
				bi->type = BM_TYPE_SHARED_RO;
			return rc;
		});
	}

	int get(Session &s, BmInfo *bi, Name &nm) override;
	int put(Session &s, const Name &nm) override;
	int stat(Session &s, BmInfo *bi, const Name &nm, BmStat *st) override;
};

int RemoteBackend::alloc(Session &s, BmInfo *bi, Name &nm, bool, int numaNode,
			 size_t size)
{
	// A NUMA node of another host means nothing here.
	if (numaNode >= 0)
		return -EINVAL;
	return onNode(s, nm.node, false, [&](RNode &n) {
		mfp_obj_rep rep;
		int rc = sendObjReq(n, MFP_ALLOC, nm, size, 0, &rep);
		if (rc)
			return rc;
		rep.id[sizeof(rep.id) - 1] = '\0';
		std::shared_ptr<RObj> o;
		std::shared_ptr<RObj> *slotp;
		std::string field;
		try {
			o = newObj(nm, rep.id);
			o->userRefs = 1;
			fillFrom(*o, rep);
			nm.id = o->id;
			slotp = &n.objs[nm.key()];
			field = nm.node + BM_REMOTE_SEP + nm.pool;
		} catch (...) {
			sendHandleReq(n, MFP_PUT, rep.handle);
			throw;
		}
		std::shared_ptr<RObj> &slot = *slotp;
		if (slot) // a stale entry: the name was freed and reused
			sendHandleReq(n, MFP_PUT, slot->handle);
		slot = o;
		n.gen++;
		putField(bi->poolName, sizeof(bi->poolName), field);
		fillInfo(bi, *o);
		return 0;
	});
}

bool RemoteBackend::fastIo(const BmInfo *bi, size_t offset, size_t length,
			   char *buf, bool write, int &rc) noexcept
{
	RFastSlot *f = findCached(t_rfast, bi);
	if (!f || !fastEnter(f->gate, f->serial))
		return false;
	bool done = false;
	try {
		RNode &n = *f->node;
		std::lock_guard<std::mutex> lock(n.mu);
		n.conn.checkEvents();
		if (n.gen == f->gen && !n.conn.dead() && f->obj->userRefs) {
			rc = transfer(n, *f->obj, offset, length, buf, write);
			done = rc != -ECONNRESET;
		}
	} catch (const std::bad_alloc &) {
		rc = -ENOMEM;
		done = true;
	} catch (...) {
		rc = -EIO;
		done = true;
	}
	fastExit(f->gate);
	if (!done)
		f->serial = 0;
	return done;
}

int RemoteBackend::copy(Session &s, BmInfo *src, const Name &sn,
			size_t srcOffset, BmInfo *dst, const Name &dn,
			size_t dstOffset, size_t length)
{
	if (!sn.node.empty() && sn.node == dn.node) {
		// Both on one server: it copies in place.
		return onNode(s, sn.node, false, [&](RNode &n) {
			std::shared_ptr<RObj> so, dobj;
			bool st = false, dt = false;
			int rc = acquire(n, sn, so, st);
			if (!rc)
				rc = acquire(n, dn, dobj, dt);
			if (!rc && length) {
				mfp_copy_req *q = reinterpret_cast<mfp_copy_req *>(
					n.conn.sbuf());
				memset(q, 0, sizeof(*q));
				q->src = so->handle;
				q->src_offset = srcOffset;
				q->dst = dobj->handle;
				q->dst_offset = dstOffset;
				q->length = length;
				rc = n.conn.call(q, sizeof(*q), MFP_COPY);
				if (!rc)
					rc = statusOf(n.conn);
			}
			release(n, dobj, dt);
			release(n, so, st);
			return rc;
		});
	}
	// Through a local buffer, one side at a time, as in BM_CopySec: the
	// checks of both sides first (a zero-length read checks a name).
	int rc = BM_ReadSec(src, srcOffset, 0, nullptr, 0);
	if (!rc)
		rc = BM_WriteSec(dst, dstOffset, 0, nullptr, 0);
	if (rc || !length)
		return rc;
	size_t step = std::min<size_t>(length, 4u << 20);
	std::unique_ptr<char[]> buf(new char[step]);
	for (size_t done = 0; done < length; done += step) {
		size_t n = std::min(step, length - done);
		rc = BM_ReadSec(src, srcOffset + done, n, buf.get(), 0);
		if (!rc)
			rc = BM_WriteSec(dst, dstOffset + done, n, buf.get(), 0);
		if (rc)
			return rc;
	}
	return 0;
}

int RemoteBackend::gather(Session &s,
			  const std::vector<const BmGatherItem *> &items,
			  const std::vector<Name> &srcs, int code,
			  const Name &dn, size_t *len)
{
	if (items.size() > MFP_GATHER_MAX_ITEMS)
		return -EINVAL;
	return onNode(s, dn.node, false, [&](RNode &n) {
		std::vector<std::shared_ptr<RObj>> objs(items.size());
		std::vector<char> trans(items.size(), 0);
		std::shared_ptr<RObj> dobj;
		bool dt = false;
		int rc = 0;
		for (size_t i = 0; i < items.size() && !rc; i++) {
			bool t = false;
			rc = acquire(n, srcs[i], objs[i], t);
			trans[i] = t;
		}
		if (!rc)
			rc = acquire(n, dn, dobj, dt);
		if (!rc) {
			mfp_gather_req *q = reinterpret_cast<mfp_gather_req *>(
				n.conn.sbuf());
			size_t qlen = sizeof(*q) +
				      items.size() * sizeof(mfp_gather_item);
			memset(q, 0, qlen);
			q->op = static_cast<uint32_t>(code);
			q->count = static_cast<uint32_t>(items.size());
			q->dst = dobj->handle;
			for (size_t i = 0; i < items.size(); i++) {
				q->items[i].handle = objs[i]->handle;
				q->items[i].offset = items[i]->offset;
				q->items[i].length = items[i]->length;
			}
			rc = n.conn.call(q, qlen, MFP_GATHER);
			if (!rc)
				rc = statusOf(n.conn);
			if (!rc && reinterpret_cast<const mfp_hdr *>(
					   n.conn.rbuf())->length <
					   sizeof(mfp_gather_rep))
				rc = -EPROTO; // a reply too short
			if (!rc && len)
				*len = static_cast<size_t>(
					reinterpret_cast<const mfp_gather_rep *>(
						n.conn.rbuf())
						->length);
		}
		release(n, dobj, dt);
		for (size_t i = 0; i < items.size(); i++)
			release(n, objs[i], trans[i]);
		return rc;
	});
}

int RemoteBackend::get(Session &s, BmInfo *bi, Name &nm)
{
	return onNode(s, nm.node, false, [&](RNode &n) {
		mfp_obj_rep rep;
		// Always asked, so that the server's kernel checks the
		// secId and that the object still exists.
		int rc = sendObjReq(n, MFP_GET, nm, 0, 0, &rep);
		if (rc)
			return rc;
		// Everything that allocates comes first: a std::bad_alloc
		// must leave no null entry behind (put() uses the entries),
		// nor the server's new handle.
		std::shared_ptr<RObj> fresh;
		std::string key, secid;
		try {
			key = nm.key();
			secid = nm.secid;
			fresh = newObj(nm, nm.id);
			fresh->userRefs = 1;
			fillFrom(*fresh, rep);
			n.objs.emplace(key, nullptr);
		} catch (...) {
			sendHandleReq(n, MFP_PUT, rep.handle);
			throw;
		}
		std::shared_ptr<RObj> &slot = n.objs.find(key)->second;
		if (slot && slot->userRefs) {
			// One server handle per entry: drop the new one.
			sendHandleReq(n, MFP_PUT, rep.handle);
			slot->userRefs++;
			if (slot->secid != secid) {
				slot->secid.swap(secid);
				n.gen++;
			}
		} else {
			if (slot)
				sendHandleReq(n, MFP_PUT, slot->handle);
			n.gen++;
			slot = std::move(fresh);
		}
		bi->size = static_cast<size_t>(rep.size);
		bi->type = static_cast<int>(rep.type);
		return 0;
	});
}

int RemoteBackend::put(Session &s, const Name &nm)
{
	std::shared_ptr<RNode> n = nodeOf(s, nm.node);
	std::lock_guard<std::mutex> lock(n->mu);
	auto it = n->objs.find(nm.key());
	if (it == n->objs.end() || !it->second || !it->second->userRefs)
		return -ENOENT;
	if (!sameSecret(it->second->secid, nm.secid))
		return -EACCES;
	if (--it->second->userRefs)
		return 0;
	uint64_t h = it->second->handle;
	n->objs.erase(it);
	n->gen++;
	n->conn.checkEvents();
	if (!n->conn.dead()) {
		int rc = sendHandleReq(*n, MFP_PUT, h);
		if (rc && rc != -ENOENT)
			log(BM_LOG_INFO, "remote: put on node %s: %s",
			    nm.node.c_str(), systemErrorText(-rc));
	}
	// A lost connection took the server's handle with it.
	return 0;
}

int RemoteBackend::stat(Session &s, BmInfo *bi, const Name &nm, BmStat *st)
{
	return onNode(s, nm.node, true, [&](RNode &n) {
		std::shared_ptr<RObj> o;
		bool transient = false;
		int rc = acquire(n, nm, o, transient);
		if (rc)
			return rc;
		rc = sendHandleReq(n, MFP_STAT, o->handle);
		if (!rc && reinterpret_cast<const mfp_hdr *>(n.conn.rbuf())
					   ->length < sizeof(mfp_stat_rep))
			rc = -EPROTO; // a reply too short
		if (!rc) {
			const mfp_stat_rep *r =
				reinterpret_cast<const mfp_stat_rep *>(
					n.conn.rbuf());
			memset(st, 0, sizeof(*st));
			st->size = static_cast<size_t>(r->size);
			st->type = static_cast<int>(r->type);
			st->freed = static_cast<int>(r->freed);
			st->refCount = r->refs;
			st->mapCount = r->map_count;
			st->ownerUid = r->owner;
			st->ageSeconds = r->age;
			st->ctime = r->ctime;
			st->nrExtents = r->nr_extents;
			st->nrShared = r->nr_shared;
			st->sessionRefs = transient ? 0 : o->userRefs;
			bi->size = st->size;
			bi->type = st->type;
		}
		release(n, o, transient);
		return rc;
	});
}

} // namespace rimpl

Backend &remoteBackend()
{
	static RemoteBackend *b = new RemoteBackend; // never destroyed
	return *b;
}

void remoteForkChild(Session &s) noexcept
{
	// The verbs resources are the parent's: never touch them here, nor
	// let this thread's fast path reach them (only it lives on).
	for (RFastSlot &f : t_rfast)
		f.serial = 0;
	if (s.remote)
		new std::shared_ptr<RemoteFabric>(std::move(s.remote));
}

} // namespace memfabric::detail
