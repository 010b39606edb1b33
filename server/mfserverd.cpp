// SPDX-License-Identifier: GPL-2.0
//
// mfserverd - export this node's memfabric pools to remote clients over
// RDMA (Documentation/remote.md, mfserverd(8)).
//
// One thread runs an epoll loop over the librdmacm event channel, the
// completion channel of every connection and a signalfd.  Each connection
// has its own protection domain, so an rkey is valid on that connection
// only.  Control requests (net/mfproto.h) are done through libmemfabric
// in this process's own session, so the kernel checks every secId, and
// an rkey is handed out only after BM_AllocSec or BM_GetSec succeeded.
// Object data moves one of two ways (net/mfproto.h):
//  - direct: by the client's one-sided RDMA READ and WRITE on the
//    MAP_SHARED mapping the server registered for that connection; a
//    published (shared read-only) object is mapped PROT_READ and
//    registered without IBV_ACCESS_REMOTE_WRITE;
//  - staged, when the kernel refuses to register the mapping (6.1 for
//    read-only shared mappings; writable ones are BM_MAP_LONGTERM, which
//    6.5+ register: Documentation/remote.md, Status): the client sends READ or WRITE naming its own
//    registered buffer; the server copies between the object and the
//    connection's registered staging buffer with BM_ReadSec/BM_WriteSec
//    (the kernel's checks) and moves the staging buffer to or from the
//    client's with RDMA WRITE or READ of its own, then replies.
// PUT, FREE and the end of a connection deregister the region
// (ibv_dereg_mr), unmap it and drop the server's reference.  A second thread keeps the node's record in etcd
// alive under a lease.
#include "mfproto.h"
#include "etcd.hpp"

#include <memfabric/bm.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <condition_variable>
#include <mutex>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <rdma/rdma_cma.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace {

// ---- logging ---------------------------------------------------------------

int g_logLevel = 1; // 0 errors, 1 info, 2 debug

__attribute__((format(printf, 2, 3))) void logf(int level, const char *fmt,
						 ...)
{
	if (level > g_logLevel)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	localtime_r(&ts.tv_sec, &tm);
	static const char *const names[] = { "error", "info", "debug" };
	fprintf(stderr, "%02d:%02d:%02d.%03ld mfserverd: %s: %s\n", tm.tm_hour,
		tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, names[level], msg);
}

#define LOG_ERR(...) logf(0, __VA_ARGS__)
#define LOG_INFO(...) logf(1, __VA_ARGS__)
#define LOG_DBG(...) logf(2, __VA_ARGS__)

const char *opName(unsigned op)
{
	static const char *const n[] = { "?",	 "HELLO", "NS_CREATE",
					 "NS_DESTROY", "ALLOC", "GET",
					 "PUT",	 "FREE",  "PUBLISH",
					 "STAT",  "COPY",  "GATHER",
					 "LIST",  "READ",  "WRITE" };
	return op < MFP_OP_MAX ? n[op] : "?";
}

// ---- options -------------------------------------------------------------

struct Options {
	std::string listen = "0.0.0.0";
	unsigned port = MFP_DEFAULT_PORT;
	std::string node;
	std::string advertise;
	std::vector<std::string> pools;
	std::string etcd;
	memfabric::etcd::Tls etcdTls;
	int ttl = 10;
	std::string config;
};

Options g_opt;
std::vector<std::string> g_pools; // exported
uint64_t g_nodeNumber;

// ---- objects of a connection -----------------------------------------------

struct Handle {
	uint64_t id = 0;
	BmInfo info;		// name and secId the kernel accepted
	void *addr = nullptr;	// the MAP_SHARED mapping
	size_t len = 0;
	ibv_mr *mr = nullptr;	// null: staged (READ and WRITE requests)
	bool writable = false;
	bool sessionRef = true; // the server's session holds a reference
};

// The staging buffer of a connection: kStageSlots chunks of kStageChunk
// bytes, made on the first staged request.
constexpr size_t kStageChunk = 1u << 20;
constexpr unsigned kStageSlots = 4;
// Work request ids: the reply, data transfers (this bit set), receives
// (the slot number).
constexpr uint64_t kSendWr = UINT64_MAX;
constexpr uint64_t kDataWr = 1ull << 62;
constexpr int kDataTimeoutSec = 30;
constexpr uint8_t kAckTimeout = 14; // 4.096 us * 2^14 = 67 ms per try

struct Conn {
	uint64_t no = 0;
	rdma_cm_id *id = nullptr;
	ibv_pd *pd = nullptr;
	ibv_comp_channel *ch = nullptr;
	ibv_cq *cq = nullptr;
	char *rbuf = nullptr;
	char *sbuf = nullptr;
	ibv_mr *rmr = nullptr, *smr = nullptr;
	char *stage = nullptr;
	ibv_mr *stageMr = nullptr;
	unsigned maxRd = 1;	// RDMA READs in flight (initiator depth)
	uint64_t nextWr = 0;
	std::map<uint64_t, ibv_wc_status> dataDone;
	uint64_t staged = 0;	// bytes moved by the staged path
	bool sendBusy = false;
	bool broken = false;
	bool established = false;
	std::string peer;
	std::deque<ibv_wc> pending;
	std::map<uint64_t, Handle> handles;
	uint64_t nextHandle = 1;
	uint64_t requests = 0;
};

std::map<uint64_t, Conn *> g_conns;
uint64_t g_connNo;
int g_epoll = -1;

std::string infoName(const BmInfo &b)
{
	return std::string(b.poolName) + "/" + b.ns + "/" + b.bmId;
}

bool sameName(const BmInfo &a, const BmInfo &b)
{
	return !strcmp(a.poolName, b.poolName) && !strcmp(a.ns, b.ns) &&
	       !strcmp(a.bmId, b.bmId);
}

// Map and register @h (info filled in) for @c.  When the kernel refuses
// (ibv_reg_mr's pinning of the mapping fails: Documentation/remote.md),
// @h is left staged: no mapping, no region, data by READ and WRITE.
void registerHandle(Conn &c, Handle &h)
{
	static bool toldRw, toldRo;
	bool rw = h.info.type != BM_TYPE_SHARED_RO;
	bool &told = rw ? toldRw : toldRo;
	h.writable = rw;
	void *p = nullptr;
	// A writable mapping is made long-term-pinnable (BM_MAP_LONGTERM):
	// Linux 6.5 and later refuse to pin an ordinary one for writing.
	int rc = BM_MapSec(&h.info, rw ? PROT_READ | PROT_WRITE : PROT_READ,
			   BM_MAP_SHARED | (rw ? BM_MAP_LONGTERM : 0), &p);
	if (rc == -EOPNOTSUPP && rw)	// a module older than ABI 1.4
		rc = BM_MapSec(&h.info, PROT_READ | PROT_WRITE, BM_MAP_SHARED,
			       &p);
	if (rc) {
		logf(told ? 2 : 1, "conn %llu: cannot map %s (%s): staged path",
		     (unsigned long long)c.no, infoName(h.info).c_str(),
		     BM_StrError(rc));
		told = true;
		return;
	}
	size_t ps = static_cast<size_t>(sysconf(_SC_PAGESIZE));
	size_t len = (h.info.size + ps - 1) & ~(ps - 1);
	int access = IBV_ACCESS_REMOTE_READ;
	if (rw)
		access |= IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	ibv_mr *mr = ibv_reg_mr(c.pd, p, len, access);
	if (!mr) {
		int e = errno;
		logf(told ? 2 : 1,
		     "conn %llu: ibv_reg_mr of %s %s (%zu bytes at %p): %s: "
		     "staged path for such objects",
		     (unsigned long long)c.no, rw ? "read-write" : "read-only",
		     infoName(h.info).c_str(), len, p, strerror(e));
		told = true;
		BM_Unmap(nullptr, p);
		return;
	}
	h.addr = p;
	h.len = len;
	h.mr = mr;
}

// Revoke the region of @h: deregister and unmap.
void unregisterHandle(Conn &c, Handle &h)
{
	if (h.mr) {
		int rc = ibv_dereg_mr(h.mr);
		if (rc)
			LOG_ERR("conn %llu: ibv_dereg_mr: %s",
				(unsigned long long)c.no, strerror(rc));
		h.mr = nullptr;
	}
	if (h.addr) {
		BM_Unmap(nullptr, h.addr);
		h.addr = nullptr;
	}
}

void closeHandle(Conn &c, Handle &h)
{
	unregisterHandle(c, h);
	if (h.sessionRef) {
		int rc = BM_PutSec(&h.info, 0);
		if (rc)
			LOG_DBG("conn %llu: put %s: %s",
				(unsigned long long)c.no,
				infoName(h.info).c_str(), BM_StrError(rc));
		h.sessionRef = false;
	}
}

// ---- requests --------------------------------------------------------------

bool exported(const char *pool)
{
	for (const auto &p : g_pools)
		if (p == pool)
			return true;
	return false;
}

// BmInfo from a wire name; -EINVAL for an unterminated field, -ENOENT
// for a pool this server does not export.
int toInfo(mfp_name &n, BmInfo &b)
{
	if (!memchr(n.pool, 0, sizeof(n.pool)) ||
	    !memchr(n.ns, 0, sizeof(n.ns)) ||
	    !memchr(n.secid, 0, sizeof(n.secid)) ||
	    !memchr(n.id, 0, sizeof(n.id)))
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	if (!n.pool[0])
		snprintf(b.poolName, sizeof(b.poolName), "%s",
			 g_pools.empty() ? "" : g_pools[0].c_str());
	else
		memcpy(b.poolName, n.pool, sizeof(b.poolName));
	memcpy(b.ns, n.ns, sizeof(b.ns));
	memcpy(b.secId, n.secid, sizeof(b.secId));
	memcpy(b.bmId, n.id, sizeof(b.bmId));
	if (!exported(b.poolName))
		return -ENOENT;
	return 0;
}

void fillObjRep(mfp_obj_rep &r, const Handle &h)
{
	r.handle = h.id;
	r.addr = h.mr ? reinterpret_cast<uintptr_t>(h.addr) : 0;
	r.rkey = h.mr ? h.mr->rkey : 0;
	r.flags = h.mr ? 0 : MFP_OBJ_STAGED;
	r.type = static_cast<uint32_t>(h.info.type);
	r.size = h.info.size;
	memcpy(r.pool, h.info.poolName, sizeof(r.pool));
	memcpy(r.id, h.info.bmId, sizeof(r.id));
}

// A new handle of @c on the object @info (the caller holds one session
// reference on it, which the handle takes over).
int newHandle(Conn &c, const BmInfo &info, mfp_obj_rep &rep)
{
	Handle h;
	h.info = info;
	registerHandle(c, h);
	h.id = c.nextHandle++;
	auto it = c.handles.emplace(h.id, h).first;
	fillObjRep(rep, it->second);
	return 0;
}

Handle *findHandle(Conn &c, uint64_t id)
{
	auto it = c.handles.find(id);
	return it == c.handles.end() ? nullptr : &it->second;
}

// ---- the staged path -------------------------------------------------------

void reap(Conn &c, const ibv_wc &wc);

// Post an RDMA WRITE (@toClient) of @len bytes at @local of the staging
// buffer to @raddr/@rkey of the client, or an RDMA READ from there.
// The work request's id, or 0 (the connection is broken).
uint64_t postData(Conn &c, bool toClient, uint64_t raddr, uint32_t rkey,
		  char *local, size_t len)
{
	ibv_sge sge;
	sge.addr = reinterpret_cast<uintptr_t>(local);
	sge.length = static_cast<uint32_t>(len);
	sge.lkey = c.stageMr->lkey;
	ibv_send_wr wr, *bad;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = kDataWr | ++c.nextWr;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = toClient ? IBV_WR_RDMA_WRITE : IBV_WR_RDMA_READ;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = raddr;
	wr.wr.rdma.rkey = rkey;
	if (ibv_post_send(c.id->qp, &wr, &bad)) {
		LOG_ERR("conn %llu: ibv_post_send (RDMA %s): %s",
			(unsigned long long)c.no, toClient ? "WRITE" : "READ",
			strerror(errno));
		c.broken = true;
		return 0;
	}
	return wr.wr_id;
}

// Wait for the data work request @wr.  0, or -EIO: it failed (a bad
// address or rkey of the client, or the connection died; the connection
// is broken then).
int waitData(Conn &c, uint64_t wr)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (unsigned spin = 0;; spin++) {
		auto it = c.dataDone.find(wr);
		if (it != c.dataDone.end()) {
			ibv_wc_status st = it->second;
			c.dataDone.erase(it);
			return st == IBV_WC_SUCCESS ? 0 : -EIO;
		}
		ibv_wc wc[8];
		int n = ibv_poll_cq(c.cq, 8, wc);
		if (n < 0) {
			c.broken = true;
			return -EIO;
		}
		for (int i = 0; i < n; i++)
			reap(c, wc[i]);
		if (n)
			continue;
		if ((spin & 63) == 63) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec > kDataTimeoutSec) {
				LOG_ERR("conn %llu: RDMA transfer not completed "
					"in %d s", (unsigned long long)c.no,
					kDataTimeoutSec);
				c.broken = true;
				return -EIO;
			}
			sched_yield();
		}
	}
}

int ensureStaging(Conn &c)
{
	if (c.stageMr)
		return 0;
	size_t len = kStageChunk * kStageSlots;
	c.stage = static_cast<char *>(aligned_alloc(4096, len));
	if (!c.stage)
		return -ENOMEM;
	c.stageMr = ibv_reg_mr(c.pd, c.stage, len, IBV_ACCESS_LOCAL_WRITE);
	if (!c.stageMr) {
		int rc = -errno;
		LOG_ERR("conn %llu: ibv_reg_mr of the staging buffer: %s",
			(unsigned long long)c.no, strerror(-rc));
		free(c.stage);
		c.stage = nullptr;
		return rc ? rc : -ENOMEM;
	}
	return 0;
}

// A staged READ (@write false: object -> client) or WRITE of @q on @h.
// Chunks of kStageChunk go through the staging slots, several in flight:
// READ copies a chunk into a slot with BM_ReadSec and RDMA WRITEs it to
// the client; WRITE RDMA READs a chunk from the client into a slot and,
// once that completed, BM_WriteSecs it.  Every transfer has completed
// when this returns, so the reply follows the data.
int staged(Conn &c, Handle &h, bool write, const mfp_io_req &q)
{
	uint64_t end;
	if (q.flags || q.length > MFP_IO_MAX)
		return -EINVAL;
	if (__builtin_add_overflow(q.offset, q.length, &end))
		return -EOVERFLOW;
	if (write && h.info.type == BM_TYPE_SHARED_RO)
		return -EACCES; // as the kernel says for a published object
	if (end > h.info.size)
		return -EINVAL;
	if (!q.length) // the kernel's checks only
		return write ? BM_WriteSec(&h.info, q.offset, 0, nullptr, 0)
			     : BM_ReadSec(&h.info, q.offset, 0, nullptr, 0);
	int rc = ensureStaging(c);
	if (rc)
		return rc;
	struct Slot {
		uint64_t wr = 0;
		size_t off = 0, len = 0;
	} slots[kStageSlots];
	size_t nchunks = (q.length + kStageChunk - 1) / kStageChunk;
	unsigned depth = write ? std::min(kStageSlots, c.maxRd) : kStageSlots;
	size_t posted = 0, done = 0;
	int err = 0;
	while (done < nchunks) {
		while (!err && posted < nchunks && posted - done < depth) {
			Slot &sl = slots[posted % kStageSlots];
			char *local = c.stage + (posted % kStageSlots) * kStageChunk;
			sl.off = posted * kStageChunk;
			sl.len = std::min<size_t>(kStageChunk, q.length - sl.off);
			if (!write) {
				err = BM_ReadSec(&h.info, q.offset + sl.off,
						 sl.len, local, 0);
				if (err)
					break;
			}
			sl.wr = postData(c, !write, q.addr + sl.off, q.rkey,
					 local, sl.len);
			if (!sl.wr) {
				err = -EIO;
				break;
			}
			posted++;
		}
		if (done == posted)
			break;
		Slot &sl = slots[done % kStageSlots];
		int e = waitData(c, sl.wr);
		if (e && !err)
			err = e;
		if (!err && write)
			err = BM_WriteSec(&h.info, q.offset + sl.off, sl.len,
					  c.stage + (done % kStageSlots) *
							    kStageChunk,
					  0);
		done++;
	}
	if (!err)
		c.staged += q.length;
	return err;
}

// A staged READ or WRITE with its data in the messages (MFP_IO_INLINE):
// a WRITE's @dlen bytes at @data follow the request; a READ's go to @out,
// after the reply's header, and *@rlen grows by them.  No RDMA, no
// staging buffer: one copy by the kernel, straight from or into the
// message buffer.
int stagedInline(Handle &h, bool write, const mfp_io_req &q,
		 const char *data, size_t dlen, char *out, size_t *rlen)
{
	if (q.flags != MFP_IO_INLINE || q.addr || q.rkey ||
	    q.length > MFP_IO_INLINE_MAX ||
	    (write ? dlen != q.length : dlen != 0))
		return -EINVAL;
	if (write && h.info.type == BM_TYPE_SHARED_RO)
		return -EACCES; // as the kernel says for a published object
	// BM_ReadSec/BM_WriteSec check the range as for a local caller.
	int rc = write ? BM_WriteSec(&h.info, q.offset, q.length,
				     const_cast<char *>(data), 0)
		       : BM_ReadSec(&h.info, q.offset, q.length, out, 0);
	if (!rc && !write)
		*rlen += q.length;
	return rc;
}

// ---- requests (continued) --------------------------------------------------

// Handle one request of @len bytes at @in; the reply goes to @out.
// Returns the reply's length.
size_t handle(Conn &c, char *in, size_t len, char *out)
{
	mfp_hdr *h = reinterpret_cast<mfp_hdr *>(in);
	mfp_hdr *r = reinterpret_cast<mfp_hdr *>(out);
	size_t rlen = sizeof(mfp_hdr);
	int rc = 0;

	memset(out, 0, sizeof(mfp_obj_rep) + sizeof(mfp_stat_rep));
	r->magic = MFP_MAGIC;
	r->version = MFP_VERSION;
	if (len < sizeof(*h) || h->magic != MFP_MAGIC ||
	    h->version != MFP_VERSION || h->length != len) {
		r->op = 0;
		r->status = -EPROTO;
		r->length = static_cast<uint32_t>(rlen);
		return rlen;
	}
	r->op = h->op;
	r->seq = h->seq;

	auto need = [&](size_t n) { return len >= n; };
	switch (h->op) {
	case MFP_HELLO: {
		mfp_hello *rep = reinterpret_cast<mfp_hello *>(out);
		snprintf(rep->node, sizeof(rep->node), "%s",
			 g_opt.node.c_str());
		rep->node_number = g_nodeNumber;
		rlen = sizeof(*rep);
		break;
	}
	case MFP_NS_CREATE:
	case MFP_NS_DESTROY:
	case MFP_ALLOC:
	case MFP_GET:
	case MFP_FREE:
	case MFP_PUBLISH: {
		if (!need(sizeof(mfp_obj_req))) {
			rc = -EPROTO;
			break;
		}
		mfp_obj_req *q = reinterpret_cast<mfp_obj_req *>(in);
		mfp_obj_rep *rep = reinterpret_cast<mfp_obj_rep *>(out);
		BmInfo info;
		rc = toInfo(q->name, info);
		if (rc)
			break;
		if (h->op == MFP_NS_CREATE) {
			rc = BM_CreateNSSec(info.poolName, info.ns,
					    static_cast<int>(q->flags),
					    info.secId);
		} else if (h->op == MFP_NS_DESTROY) {
			rc = BM_DestroyNSSec(info.poolName, info.ns,
					     info.secId);
		} else if (h->op == MFP_ALLOC) {
			rc = BM_AllocSec(&info, q->size, 0, nullptr);
			if (!rc) {
				rc = newHandle(c, info, *rep);
				if (rc)
					BM_FreeSec(&info, 0);
				else
					rlen = sizeof(*rep);
			}
		} else if (h->op == MFP_GET) {
			rc = BM_GetSec(&info, 0);
			if (!rc) {
				rc = newHandle(c, info, *rep);
				if (rc)
					BM_PutSec(&info, 0);
				else
					rlen = sizeof(*rep);
			}
		} else if (h->op == MFP_FREE) {
			rc = BM_FreeSec(&info, 0);
			if (!rc) {
				// The session's references on it are gone:
				// this connection's handles on it go; other
				// connections keep their mappings (the
				// object waits for its last reference).
				for (auto it = c.handles.begin();
				     it != c.handles.end();) {
					if (sameName(it->second.info, info)) {
						it->second.sessionRef = false;
						closeHandle(c, it->second);
						it = c.handles.erase(it);
					} else {
						++it;
					}
				}
				for (auto &kv : g_conns)
					for (auto &hv : kv.second->handles)
						if (sameName(hv.second.info,
							     info))
							hv.second.sessionRef =
								false;
			}
		} else { // PUBLISH
			// Our own writable registrations would make the
			// kernel refuse (-EBUSY): revoke them first, then
			// register again, read-only if it worked.
			std::vector<Handle *> mine;
			for (auto &kv : c.handles)
				if (sameName(kv.second.info, info)) {
					unregisterHandle(c, kv.second);
					mine.push_back(&kv.second);
				}
			// A handle the kernel will not register read-only
			// becomes staged.
			rc = BM_PublishSec(&info, 0);
			for (Handle *hp : mine) {
				if (!rc)
					hp->info.type = BM_TYPE_SHARED_RO;
				registerHandle(c, *hp);
			}
			if (!mine.empty()) {
				fillObjRep(*rep, *mine[0]);
				rlen = sizeof(*rep);
			}
		}
		LOG_DBG("conn %llu: %s %s: %s", (unsigned long long)c.no,
			opName(h->op), infoName(info).c_str(),
			BM_StrError(rc));
		break;
	}
	case MFP_PUT:
	case MFP_STAT: {
		if (!need(sizeof(mfp_handle_req))) {
			rc = -EPROTO;
			break;
		}
		mfp_handle_req *q = reinterpret_cast<mfp_handle_req *>(in);
		Handle *hp = findHandle(c, q->handle);
		if (!hp) {
			rc = -ENOENT;
			break;
		}
		if (h->op == MFP_PUT) {
			closeHandle(c, *hp);
			c.handles.erase(q->handle);
			break;
		}
		BmStat st;
		rc = BM_StatSec(&hp->info, &st);
		if (rc == -ENOENT && !hp->sessionRef)
			rc = -ENOENT; // freed by another client
		if (!rc) {
			mfp_stat_rep *rep = reinterpret_cast<mfp_stat_rep *>(out);
			rep->size = st.size;
			rep->type = static_cast<uint32_t>(st.type);
			rep->freed = static_cast<uint32_t>(st.freed);
			rep->refs = st.refCount;
			rep->map_count = st.mapCount;
			rep->owner = st.ownerUid;
			rep->age = st.ageSeconds;
			rep->ctime = st.ctime;
			rep->nr_extents = st.nrExtents;
			rep->nr_shared = st.nrShared;
			rlen = sizeof(*rep);
		}
		break;
	}
	case MFP_READ:
	case MFP_WRITE: {
		if (!need(sizeof(mfp_io_req))) {
			rc = -EPROTO;
			break;
		}
		mfp_io_req q;
		memcpy(&q, in, sizeof(q));
		Handle *hp = findHandle(c, q.handle);
		if (!hp) {
			rc = -ENOENT;
			break;
		}
		if (q.flags & MFP_IO_INLINE)
			rc = stagedInline(*hp, h->op == MFP_WRITE, q,
					  in + sizeof(q), len - sizeof(q),
					  out + sizeof(mfp_hdr), &rlen);
		else
			rc = staged(c, *hp, h->op == MFP_WRITE, q);
		LOG_DBG("conn %llu: %s %s %llu bytes at %llu: %s",
			(unsigned long long)c.no, opName(h->op),
			infoName(hp->info).c_str(),
			(unsigned long long)q.length,
			(unsigned long long)q.offset, BM_StrError(rc));
		break;
	}
	case MFP_COPY: {
		if (!need(sizeof(mfp_copy_req))) {
			rc = -EPROTO;
			break;
		}
		mfp_copy_req *q = reinterpret_cast<mfp_copy_req *>(in);
		Handle *s = findHandle(c, q->src), *d = findHandle(c, q->dst);
		if (!s || !d) {
			rc = -ENOENT;
			break;
		}
		rc = BM_CopySec(&s->info, q->src_offset, &d->info,
				q->dst_offset, q->length, 0);
		break;
	}
	case MFP_GATHER: {
		mfp_gather_req *q = reinterpret_cast<mfp_gather_req *>(in);
		if (!need(sizeof(*q)) || q->count == 0 ||
		    q->count > MFP_GATHER_MAX_ITEMS ||
		    len < sizeof(*q) + q->count * sizeof(mfp_gather_item)) {
			rc = -EPROTO;
			break;
		}
		Handle *d = findHandle(c, q->dst);
		if (!d) {
			rc = -ENOENT;
			break;
		}
		std::vector<BmGatherItem> items(q->count);
		std::vector<intptr_t> ptrs(q->count + 1, 0);
		for (uint32_t i = 0; i < q->count && !rc; i++) {
			Handle *s = findHandle(c, q->items[i].handle);
			if (!s) {
				rc = -ENOENT;
				break;
			}
			items[i].src = &s->info;
			items[i].offset = q->items[i].offset;
			items[i].length = q->items[i].length;
			ptrs[i] = reinterpret_cast<intptr_t>(&items[i]);
		}
		if (rc)
			break;
		size_t got = 0;
		rc = BM_GatherSec(ptrs.data(),
				  static_cast<BmOperatorCode>(q->op), 0,
				  &d->info, &got);
		if (!rc) {
			mfp_gather_rep *rep =
				reinterpret_cast<mfp_gather_rep *>(out);
			rep->length = got;
			rlen = sizeof(*rep);
		}
		break;
	}
	case MFP_LIST: {
		mfp_list_rep *rep = reinterpret_cast<mfp_list_rep *>(out);
		rep->count = static_cast<uint32_t>(g_pools.size());
		for (size_t i = 0; i < g_pools.size(); i++)
			snprintf(rep->pools[i], sizeof(rep->pools[i]), "%s",
				 g_pools[i].c_str());
		rlen = sizeof(*rep) + g_pools.size() * sizeof(rep->pools[0]);
		break;
	}
	default:
		rc = -EOPNOTSUPP;
		break;
	}
	if (rc)
		rlen = h->op == MFP_PUBLISH && rlen == sizeof(mfp_obj_rep) ?
			       rlen : sizeof(mfp_hdr);
	r->status = rc;
	r->length = static_cast<uint32_t>(rlen);
	return rlen;
}

// ---- connections -----------------------------------------------------------

int postRecv(Conn &c, unsigned slot)
{
	ibv_sge sge;
	sge.addr = reinterpret_cast<uintptr_t>(c.rbuf + slot * MFP_MSG_MAX);
	sge.length = MFP_MSG_MAX;
	sge.lkey = c.rmr->lkey;
	ibv_recv_wr wr, *bad;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = slot;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	return ibv_post_recv(c.id->qp, &wr, &bad);
}

void destroyConn(Conn *c)
{
	for (auto &kv : c->handles)
		closeHandle(*c, kv.second);
	size_t n = c->handles.size();
	c->handles.clear();
	if (c->ch && g_epoll >= 0)
		epoll_ctl(g_epoll, EPOLL_CTL_DEL, c->ch->fd, nullptr);
	if (c->id && c->id->qp)
		rdma_destroy_qp(c->id);
	if (c->cq)
		ibv_destroy_cq(c->cq);
	if (c->ch)
		ibv_destroy_comp_channel(c->ch);
	if (c->rmr)
		ibv_dereg_mr(c->rmr);
	if (c->smr)
		ibv_dereg_mr(c->smr);
	if (c->stageMr)
		ibv_dereg_mr(c->stageMr);
	if (c->pd)
		ibv_dealloc_pd(c->pd);
	free(c->rbuf);
	free(c->sbuf);
	free(c->stage);
	if (c->id)
		rdma_destroy_id(c->id);
	LOG_INFO("conn %llu (%s): closed after %llu requests; %zu handles "
		 "released; %llu bytes staged",
		 (unsigned long long)c->no, c->peer.c_str(),
		 (unsigned long long)c->requests, n,
		 (unsigned long long)c->staged);
	g_conns.erase(c->no);
	delete c;
}

int setupConn(Conn &c)
{
	ibv_context *v = c.id->verbs;
	c.pd = ibv_alloc_pd(v);
	if (!c.pd)
		return -errno;
	c.ch = ibv_create_comp_channel(v);
	if (!c.ch)
		return -errno;
	fcntl(c.ch->fd, F_SETFL, fcntl(c.ch->fd, F_GETFL) | O_NONBLOCK);
	c.cq = ibv_create_cq(v, MFP_RECV_DEPTH + 2 * kStageSlots + 8, &c,
			     c.ch, 0);
	if (!c.cq)
		return -errno;
	if (ibv_req_notify_cq(c.cq, 0))
		return -EIO;
	ibv_qp_init_attr qa;
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = c.cq;
	qa.recv_cq = c.cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = kStageSlots + 4; // data + the reply
	qa.cap.max_recv_wr = MFP_RECV_DEPTH;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	if (rdma_create_qp(c.id, c.pd, &qa))
		return -errno;
	c.rbuf = static_cast<char *>(
		aligned_alloc(4096, MFP_RECV_DEPTH * MFP_MSG_MAX));
	c.sbuf = static_cast<char *>(aligned_alloc(4096, MFP_MSG_MAX));
	if (!c.rbuf || !c.sbuf)
		return -ENOMEM;
	c.rmr = ibv_reg_mr(c.pd, c.rbuf, MFP_RECV_DEPTH * MFP_MSG_MAX,
			   IBV_ACCESS_LOCAL_WRITE);
	c.smr = ibv_reg_mr(c.pd, c.sbuf, MFP_MSG_MAX, 0);
	if (!c.rmr || !c.smr)
		return -errno;
	for (unsigned i = 0; i < MFP_RECV_DEPTH; i++)
		if (postRecv(c, i))
			return -EIO;
	epoll_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = c.no;
	if (epoll_ctl(g_epoll, EPOLL_CTL_ADD, c.ch->fd, &ev))
		return -errno;
	return 0;
}

std::string peerOf(rdma_cm_id *id)
{
	char buf[INET6_ADDRSTRLEN + 8] = "?";
	sockaddr *sa = rdma_get_peer_addr(id);
	if (sa && sa->sa_family == AF_INET) {
		auto *in = reinterpret_cast<sockaddr_in *>(sa);
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s:%u", a, ntohs(in->sin_port));
	} else if (sa && sa->sa_family == AF_INET6) {
		auto *in = reinterpret_cast<sockaddr_in6 *>(sa);
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &in->sin6_addr, a, sizeof(a));
		snprintf(buf, sizeof(buf), "[%s]:%u", a, ntohs(in->sin6_port));
	}
	return buf;
}

void onConnectRequest(rdma_cm_event *ev)
{
	Conn *c = new Conn;
	c->no = ++g_connNo;
	c->id = ev->id;
	c->peer = peerOf(ev->id);
	ev->id->context = c;
	g_conns[c->no] = c;
	int rc = setupConn(*c);
	if (!rc) {
		rdma_conn_param p;
		memset(&p, 0, sizeof(p));
		ibv_device_attr da;
		int rd = 16;
		if (!ibv_query_device(c->id->verbs, &da))
			rd = std::min(da.max_qp_rd_atom, 16);
		p.responder_resources = static_cast<uint8_t>(
			std::min<int>(ev->param.conn.initiator_depth, rd));
		p.initiator_depth = static_cast<uint8_t>(std::min<int>(
			ev->param.conn.responder_resources, rd));
		c->maxRd = std::max(1u, static_cast<unsigned>(
						p.initiator_depth));
		p.retry_count = 7;
		p.rnr_retry_count = 7;
		uint8_t to = kAckTimeout;
		rdma_set_option(c->id, RDMA_OPTION_ID,
				RDMA_OPTION_ID_ACK_TIMEOUT, &to, sizeof(to));
		if (rdma_accept(c->id, &p))
			rc = -errno;
	}
	if (rc) {
		LOG_ERR("conn %llu (%s): setup failed: %s",
			(unsigned long long)c->no, c->peer.c_str(),
			strerror(-rc));
		rdma_reject(ev->id, nullptr, 0);
		if (c->id->qp)
			rdma_destroy_qp(c->id);
		c->id = nullptr; // destroyed by the caller after the ack
		destroyConn(c);
		ev->id->context = nullptr;
		return;
	}
	LOG_INFO("conn %llu: connect request from %s", (unsigned long long)c->no,
		 c->peer.c_str());
}

// Post the reply in c.sbuf; waits for the previous send to complete.
void pollCq(Conn &c, bool onlyUntilSendDone);

void sendReply(Conn &c, size_t len)
{
	ibv_sge sge;
	sge.addr = reinterpret_cast<uintptr_t>(c.sbuf);
	sge.length = static_cast<uint32_t>(len);
	sge.lkey = c.smr->lkey;
	ibv_send_wr wr, *bad;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = kSendWr;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = IBV_WR_SEND;
	wr.send_flags = IBV_SEND_SIGNALED;
	if (ibv_post_send(c.id->qp, &wr, &bad)) {
		LOG_ERR("conn %llu: ibv_post_send: %s", (unsigned long long)c.no,
			strerror(errno));
		c.broken = true;
		return;
	}
	c.sendBusy = true;
}

void onRecv(Conn &c, const ibv_wc &wc)
{
	unsigned slot = static_cast<unsigned>(wc.wr_id);
	char *in = c.rbuf + slot * MFP_MSG_MAX;
	// The previous reply's buffer must be free before it is rewritten.
	if (c.sendBusy)
		pollCq(c, true);
	if (c.broken)
		return;
	c.requests++;
	size_t len = handle(c, in, wc.byte_len, c.sbuf);
	if (c.broken) // a staged transfer failed: no reply, the end
		return;
	if (postRecv(c, slot)) {
		c.broken = true;
		return;
	}
	sendReply(c, len);
}

// One completion of @c: the reply sent, a data transfer done (kept for
// waitData) or a request received (queued for onRecv).
void reap(Conn &c, const ibv_wc &wc)
{
	bool data = wc.wr_id != kSendWr && (wc.wr_id & kDataWr);
	if (wc.status != IBV_WC_SUCCESS) {
		if (!c.broken)
			LOG_INFO("conn %llu: completion %s: %s",
				 (unsigned long long)c.no,
				 wc.wr_id == kSendWr ? "send" :
				 data		     ? "RDMA" : "recv",
				 ibv_wc_status_str(wc.status));
		c.broken = true;
	}
	if (wc.wr_id == kSendWr)
		c.sendBusy = false;
	else if (data)
		c.dataDone[wc.wr_id] = wc.status;
	else if (wc.status == IBV_WC_SUCCESS)
		c.pending.push_back(wc);
}

// Reap completions of @c; with @onlyUntilSendDone, only until the send
// in flight completed (receives are queued for later).
void pollCq(Conn &c, bool onlyUntilSendDone)
{
	ibv_wc wc[8];
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int n = ibv_poll_cq(c.cq, 8, wc);
		if (n < 0) {
			c.broken = true;
			return;
		}
		for (int i = 0; i < n; i++)
			reap(c, wc[i]);
		if (onlyUntilSendDone) {
			if (!c.sendBusy || c.broken)
				return;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec > 5) {
				LOG_ERR("conn %llu: reply not completed in 5 s",
					(unsigned long long)c.no);
				c.broken = true;
				return;
			}
			continue;
		}
		if (n == 0)
			break;
	}
	while (!c.pending.empty() && !c.broken) {
		ibv_wc w = c.pending.front();
		c.pending.pop_front();
		onRecv(c, w);
	}
}

void onCqEvent(Conn &c)
{
	ibv_cq *cq;
	void *ctx;
	while (ibv_get_cq_event(c.ch, &cq, &ctx) == 0) {
		ibv_ack_cq_events(cq, 1);
		ibv_req_notify_cq(cq, 0);
	}
	pollCq(c, false);
	if (c.broken && c.id)
		rdma_disconnect(c.id); // DISCONNECTED follows
}

bool onCmEvent(rdma_event_channel *ec)
{
	rdma_cm_event *ev;
	if (rdma_get_cm_event(ec, &ev))
		return false;
	Conn *c = static_cast<Conn *>(ev->id->context);
	rdma_cm_event_type type = ev->event;
	int status = ev->status;
	switch (type) {
	case RDMA_CM_EVENT_CONNECT_REQUEST:
		onConnectRequest(ev);
		if (!ev->id->context) {
			// Rejected: the id goes once the event is acked.
			rdma_cm_id *rid = ev->id;
			rdma_ack_cm_event(ev);
			rdma_destroy_id(rid);
			return true;
		}
		break;
	case RDMA_CM_EVENT_ESTABLISHED:
		if (c) {
			c->established = true;
			LOG_INFO("conn %llu (%s): established",
				 (unsigned long long)c->no, c->peer.c_str());
		}
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_REJECTED:
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		if (c) {
			LOG_INFO("conn %llu (%s): %s (status %d)",
				 (unsigned long long)c->no, c->peer.c_str(),
				 rdma_event_str(type), status);
			ev->id->context = nullptr;
			rdma_ack_cm_event(ev);
			destroyConn(c);
			return true;
		}
		break;
	default:
		LOG_DBG("cm event %s", rdma_event_str(type));
		break;
	}
	rdma_ack_cm_event(ev);
	return true;
}

// ---- etcd registration -----------------------------------------------------

std::mutex g_etcdMu;
std::condition_variable g_etcdCv;
bool g_etcdStop;

// One keepalive of @lease, registering again if etcd expired it.
int etcdKeepAlive(const memfabric::etcd::Client &cl, std::string &lease,
		  const std::string &key, const memfabric::etcd::NodeRecord &rec)
{
	int rc = cl.keepAlive(lease);
	if (rc == -ENOENT) {
		LOG_INFO("etcd: lease %s expired; registering again",
			 lease.c_str());
		rc = cl.grant(g_opt.ttl, lease);
		if (!rc)
			rc = cl.put(key, rec.toJson(), lease);
	}
	return rc;
}

void etcdLoop(std::string lease, memfabric::etcd::NodeRecord rec)
{
	memfabric::etcd::Client cl(g_opt.etcd, g_opt.etcdTls);
	std::string key = std::string(memfabric::etcd::kNodePrefix) + rec.node;
	std::unique_lock<std::mutex> lock(g_etcdMu);
	int period = std::max(1, g_opt.ttl / 3);
	while (!g_etcdCv.wait_for(lock, std::chrono::seconds(period),
				  [] { return g_etcdStop; })) {
		lock.unlock();
		// Nothing may end this thread but the stop: an exception
		// (out of memory) is a failed keepalive, tried again.
		int rc;
		try {
			rc = etcdKeepAlive(cl, lease, key, rec);
		} catch (const std::exception &e) {
			LOG_ERR("etcd %s: keepalive: %s", cl.url().c_str(),
				e.what());
			rc = 0;
		}
		if (rc)
			LOG_ERR("etcd %s: keepalive: %s (%s)", cl.url().c_str(),
				strerror(-rc), cl.lastError().c_str());
		lock.lock();
	}
	lock.unlock();
	int rc = cl.revoke(lease);
	LOG_INFO("etcd: lease %s revoked: %s", lease.c_str(),
		 rc ? strerror(-rc) : "ok");
}

// ---- main ------------------------------------------------------------------

void usage(FILE *f)
{
	fprintf(f,
		"usage: mfserverd [OPTIONS]\n"
		"Export this node's memfabric pools over RDMA (mfserverd(8)).\n"
		"  -l, --listen ADDR     address to listen on (default 0.0.0.0)\n"
		"  -p, --port PORT       rdma_cm port (default %u)\n"
		"  -n, --node NAME       node name (default: the host name)\n"
		"  -a, --advertise ADDR  address registered in etcd (default:\n"
		"                        the listen address)\n"
		"  -P, --pool NAME       export this pool (repeatable; default\n"
		"                        every attached pool)\n"
		"  -e, --etcd HOST:PORT  register in etcd (lease, keepalive)\n"
		"  -t, --ttl SECONDS     etcd lease TTL (default 10)\n"
		"      --etcd-cacert FILE  TLS towards etcd: the CA of etcd's\n"
		"                        certificate (PEM)\n"
		"      --etcd-cert FILE  our client certificate (PEM)\n"
		"      --etcd-key FILE   its private key (PEM)\n"
		"  -c, --config FILE     libmemfabric config file for BM_Init\n"
		"  -v, --verbose         log every request\n"
		"  -q, --quiet           log errors only\n"
		"  -h, --help\n",
		MFP_DEFAULT_PORT);
}

bool validName(const std::string &s, size_t cap)
{
	if (s.empty() || s.size() >= cap)
		return false;
	for (char ch : s)
		if (!isalnum(static_cast<unsigned char>(ch)) && ch != '_' &&
		    ch != '-' && ch != '.')
			return false;
	return true;
}

std::vector<std::string> attachedPools()
{
	std::vector<std::string> v;
	DIR *d = opendir("/sys/kernel/memfabric/pools");
	if (!d)
		return v;
	while (dirent *e = readdir(d))
		if (e->d_name[0] != '.')
			v.push_back(e->d_name);
	closedir(d);
	return v;
}

} // namespace

int main(int argc, char **argv)
{
	static const option longopts[] = {
		{ "listen", required_argument, nullptr, 'l' },
		{ "port", required_argument, nullptr, 'p' },
		{ "node", required_argument, nullptr, 'n' },
		{ "advertise", required_argument, nullptr, 'a' },
		{ "pool", required_argument, nullptr, 'P' },
		{ "etcd", required_argument, nullptr, 'e' },
		{ "ttl", required_argument, nullptr, 't' },
		{ "etcd-cacert", required_argument, nullptr, 'C' + 256 },
		{ "etcd-cert", required_argument, nullptr, 'E' + 256 },
		{ "etcd-key", required_argument, nullptr, 'K' + 256 },
		{ "config", required_argument, nullptr, 'c' },
		{ "verbose", no_argument, nullptr, 'v' },
		{ "quiet", no_argument, nullptr, 'q' },
		{ "foreground", no_argument, nullptr, 'f' },
		{ "help", no_argument, nullptr, 'h' },
		{ nullptr, 0, nullptr, 0 },
	};
	int o;
	while ((o = getopt_long(argc, argv, "l:p:n:a:P:e:t:c:vqfh", longopts,
				nullptr)) != -1) {
		switch (o) {
		case 'l': g_opt.listen = optarg; break;
		case 'p': g_opt.port = static_cast<unsigned>(atoi(optarg)); break;
		case 'n': g_opt.node = optarg; break;
		case 'a': g_opt.advertise = optarg; break;
		case 'P': g_opt.pools.push_back(optarg); break;
		case 'e': g_opt.etcd = optarg; break;
		case 't': g_opt.ttl = atoi(optarg); break;
		case 'C' + 256: g_opt.etcdTls.caFile = optarg; break;
		case 'E' + 256: g_opt.etcdTls.certFile = optarg; break;
		case 'K' + 256: g_opt.etcdTls.keyFile = optarg; break;
		case 'c': g_opt.config = optarg; break;
		case 'v': g_logLevel = 2; break;
		case 'q': g_logLevel = 0; break;
		case 'f': break; // always in the foreground
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !g_opt.port || g_opt.port > 65535 ||
	    g_opt.ttl < 2) {
		usage(stderr);
		return 2;
	}
	if (g_opt.node.empty()) {
		char hn[256] = "";
		gethostname(hn, sizeof(hn) - 1);
		g_opt.node = hn;
	}
	if (!validName(g_opt.node, 32)) {
		LOG_ERR("node name '%s': 1 to 31 of [A-Za-z0-9_.-]",
			g_opt.node.c_str());
		return 2;
	}
	if (g_opt.advertise.empty())
		g_opt.advertise = g_opt.listen;
	setvbuf(stderr, nullptr, _IOLBF, 0);

	int rc = BM_Init(g_opt.config.empty() ? nullptr
					      : const_cast<char *>(
							g_opt.config.c_str()),
			 0);
	if (rc) {
		LOG_ERR("BM_Init: %s", BM_StrError(rc));
		return 1;
	}
	g_pools = g_opt.pools.empty() ? attachedPools() : g_opt.pools;
	if (g_pools.empty()) {
		LOG_ERR("no pool to export (none attached?)");
		return 1;
	}

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, nullptr);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

	rdma_event_channel *ec = rdma_create_event_channel();
	if (!ec) {
		LOG_ERR("rdma_create_event_channel: %s (no RDMA device or "
			"rdma_ucm not loaded?)",
			strerror(errno));
		return 1;
	}
	fcntl(ec->fd, F_SETFL, fcntl(ec->fd, F_GETFL) | O_NONBLOCK);
	rdma_cm_id *listener;
	if (rdma_create_id(ec, &listener, nullptr, RDMA_PS_TCP)) {
		LOG_ERR("rdma_create_id: %s", strerror(errno));
		return 1;
	}
	addrinfo hints, *res;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
	hints.ai_socktype = SOCK_STREAM;
	std::string port = std::to_string(g_opt.port);
	if (getaddrinfo(g_opt.listen.c_str(), port.c_str(), &hints, &res)) {
		LOG_ERR("bad listen address %s", g_opt.listen.c_str());
		return 2;
	}
	rc = rdma_bind_addr(listener, res->ai_addr);
	freeaddrinfo(res);
	if (rc || rdma_listen(listener, 16)) {
		LOG_ERR("listen on %s:%u: %s", g_opt.listen.c_str(),
			g_opt.port, strerror(errno));
		return 1;
	}

	std::thread etcdThread;
	if (!g_opt.etcd.empty()) {
		memfabric::etcd::Client cl(g_opt.etcd, g_opt.etcdTls);
		memfabric::etcd::NodeRecord rec;
		rec.node = g_opt.node;
		rec.addr = g_opt.advertise;
		rec.port = g_opt.port;
		rec.pools = g_pools;
		std::string lease;
		rc = cl.putIfAbsent(std::string(memfabric::etcd::kNumberPrefix) +
					    g_opt.node,
				    g_opt.node, g_nodeNumber);
		if (!rc)
			rc = cl.grant(g_opt.ttl, lease);
		rec.number = g_nodeNumber;
		if (!rc)
			rc = cl.put(std::string(memfabric::etcd::kNodePrefix) +
					    g_opt.node,
				    rec.toJson(), lease);
		if (rc) {
			LOG_ERR("etcd %s: cannot register: %s (%s)",
				cl.url().c_str(), strerror(-rc),
				cl.lastError().c_str());
			return 1;
		}
		LOG_INFO("etcd %s: registered node %s as number %llu "
			 "(lease %s, ttl %d s)",
			 g_opt.etcd.c_str(), g_opt.node.c_str(),
			 (unsigned long long)g_nodeNumber, lease.c_str(),
			 g_opt.ttl);
		etcdThread = std::thread(etcdLoop, lease, rec);
	}

	g_epoll = epoll_create1(EPOLL_CLOEXEC);
	epoll_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = 0; // the cm channel
	epoll_ctl(g_epoll, EPOLL_CTL_ADD, ec->fd, &ev);
	ev.data.u64 = UINT64_MAX; // signals
	epoll_ctl(g_epoll, EPOLL_CTL_ADD, sfd, &ev);

	std::string pools;
	for (const auto &p : g_pools)
		pools += (pools.empty() ? "" : ",") + p;
	LOG_INFO("node %s: serving pools %s on %s:%u", g_opt.node.c_str(),
		 pools.c_str(), g_opt.listen.c_str(), g_opt.port);

	bool stop = false;
	while (!stop) {
		epoll_event evs[16];
		int n = epoll_wait(g_epoll, evs, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			LOG_ERR("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			uint64_t k = evs[i].data.u64;
			if (k == UINT64_MAX) {
				signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) > 0) {
					LOG_INFO("signal %u: shutting down",
						 si.ssi_signo);
					stop = true;
				}
			} else if (k == 0) {
				while (onCmEvent(ec))
					;
			} else {
				auto it = g_conns.find(k);
				if (it != g_conns.end())
					onCqEvent(*it->second);
			}
		}
	}

	while (!g_conns.empty()) {
		Conn *c = g_conns.begin()->second;
		if (c->id)
			rdma_disconnect(c->id);
		destroyConn(c);
	}
	rdma_destroy_id(listener);
	rdma_destroy_event_channel(ec);
	if (etcdThread.joinable()) {
		{
			std::lock_guard<std::mutex> lock(g_etcdMu);
			g_etcdStop = true;
		}
		g_etcdCv.notify_all();
		etcdThread.join();
	}
	BM_Exit();
	LOG_INFO("stopped");
	return 0;
}
