// SPDX-License-Identifier: GPL-2.0
//
// requests.cpp - mfserverd's requests (net/mfproto.h): one function per
// request, found through a table indexed by op, which also gives each
// request's least length and name; and the object handles the requests
// make.  Each request is done through libmemfabric in the server's own
// session, so the kernel checks every name and secId, and an rkey is
// handed out only after BM_AllocSec, BM_GetSec or BM_PublishSec
// succeeded.  A handle is a MAP_SHARED mapping of the object registered
// in the connection's protection domain (a published object's read-only,
// without IBV_ACCESS_REMOTE_WRITE), or staged when the kernel refuses.
#include "mfserverd.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include <sys/mman.h>
#include <unistd.h>

namespace mfserverd {

namespace {

// ---- object handles ----------------------------------------------------------

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
	// Over the pin budget a handle is staged: nothing pinned, the data
	// through the (capped) staging buffer.
	if (c.pinned + len > g_lim.maxPinnedPerConn ||
	    g_pinned + len > g_lim.maxPinned) {
		LOG_INFO("conn %llu: %s: %s reached: staged path",
			 (unsigned long long)c.no, infoName(h.info).c_str(),
			 c.pinned + len > g_lim.maxPinnedPerConn
				 ? "max_pinned_per_connection"
				 : "max_pinned");
		BM_Unmap(nullptr, p);
		return;
	}
	int access = IBV_ACCESS_REMOTE_READ;
	if (rw)
		access |= IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	// Registered at I/O virtual address 0: the client's RDMA addresses
	// are offsets into the object, and no server address leaves it.
	ibv_mr *mr = ibv_reg_mr_iova(c.pd, p, len, 0, access);
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
	c.pinned += len;
	g_pinned += len;
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
		c.pinned -= h.len;
		g_pinned -= h.len;
	}
	if (h.addr) {
		BM_Unmap(nullptr, h.addr);
		h.addr = nullptr;
	}
}

} // namespace

// The calls of this scope go through the session of @c's identity; the
// one before comes back at its end (scopes nest: a request's FREE closes
// handles).  Only authenticated connections get here (handleRequest
// refuses the others' requests; only they have handles).
class AsClient {
public:
	explicit AsClient(const Conn &c) : prev_(cur_)
	{
		cur_ = c.auth.ident ? c.auth.ident->session : nullptr;
		BM_SessionUse(cur_);
	}
	~AsClient()
	{
		cur_ = prev_;
		BM_SessionUse(cur_);
	}
	AsClient(const AsClient &) = delete;
	AsClient &operator=(const AsClient &) = delete;

private:
	static BmSession *cur_; // the epoll thread's only
	BmSession *prev_;
};

BmSession *AsClient::cur_;

void closeHandle(Conn &c, Handle &h)
{
	AsClient as(c);
	unregisterHandle(c, h);
	if (h.counted) {
		h.counted = false;
		g_nrHandles--;
	}
	if (h.sessionRef) {
		int rc = BM_PutSec(&h.info, 0);
		if (rc)
			LOG_DBG("conn %llu: put %s: %s",
				(unsigned long long)c.no,
				infoName(h.info).c_str(), BM_StrError(rc));
		h.sessionRef = false;
	}
}

namespace {

// ---- names and replies -------------------------------------------------------

bool exported(const char *pool)
{
	for (const auto &p : g_pools)
		if (p == pool)
			return true;
	return false;
}

// BmInfo from a wire name; -EINVAL for an unterminated field, -ENOENT
// for a pool this server does not export.
int toInfo(const mfp_name &n, BmInfo &b)
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
	r.addr = 0; // the region's I/O virtual address (offsets)
	r.rkey = h.mr ? h.mr->rkey : 0;
	r.flags = h.mr ? 0 : MFP_OBJ_STAGED;
	r.type = static_cast<uint32_t>(h.info.type);
	r.size = h.info.size;
	memcpy(r.pool, h.info.poolName, sizeof(r.pool));
	memcpy(r.id, h.info.bmId, sizeof(r.id));
}

// A new handle of @c on the object @info (the caller holds one session
// reference on it, which the handle takes over).  0, or -ENOMEM: no
// handle, and the reference stays the caller's.
int newHandle(Conn &c, const BmInfo &info, mfp_obj_rep &rep)
{
	if (c.handles.size() >= g_lim.maxHandlesPerConn) {
		LOG_INFO("conn %llu: max_handles_per_connection (%u) reached: "
			 "-EMFILE", (unsigned long long)c.no,
			 g_lim.maxHandlesPerConn);
		return -EMFILE;
	}
	if (g_nrHandles >= g_lim.maxHandles) {
		LOG_INFO("conn %llu: max_handles (%u) reached: -ENFILE",
			 (unsigned long long)c.no, g_lim.maxHandles);
		return -ENFILE;
	}
	Handle h;
	h.info = info;
	registerHandle(c, h);
	h.id = c.nextHandle;
	try {
		auto it = c.handles.emplace(h.id, h).first;
		it->second.counted = true;
		g_nrHandles++;
		fillObjRep(rep, it->second);
	} catch (const std::bad_alloc &) {
		unregisterHandle(c, h);
		return -ENOMEM;
	}
	c.nextHandle++;
	return 0;
}

Handle *findHandle(Conn &c, uint64_t id)
{
	auto it = c.handles.find(id);
	return it == c.handles.end() ? nullptr : &it->second;
}

// ---- the requests --------------------------------------------------------------

// One request being answered: @in (@len bytes, at least the table's
// minimum for its op) and the reply at @out, whose header the
// dispatcher fills; a function that replies more than the header sets
// @rlen.
struct Request {
	Conn &c;
	const mfp_hdr &h;
	char *in;
	size_t len;
	char *out;
	size_t rlen;
};

// HELLO and AUTH (auth.cpp): the only requests before authentication.
int reqHello(Request &r)
{
	mfp_hello q;
	memcpy(&q, r.in, sizeof(q));
	mfp_hello *rep = reinterpret_cast<mfp_hello *>(r.out);
	memset(reinterpret_cast<char *>(rep) + sizeof(mfp_hdr), 0,
	       sizeof(*rep) - sizeof(mfp_hdr));
	int rc = authHello(r.c, q, *rep);
	if (!rc)
		r.rlen = sizeof(*rep);
	return rc;
}

int reqAuth(Request &r)
{
	mfp_auth q;
	memcpy(&q, r.in, sizeof(q));
	return authAuth(r.c, q);
}

// The requests on an object name (mfp_obj_req): called by named<>
// with the name checked and converted.
using NamedFn = int (*)(Request &r, const mfp_obj_req &q, BmInfo &info);

template <NamedFn F> int named(Request &r)
{
	const mfp_obj_req &q = *reinterpret_cast<const mfp_obj_req *>(r.in);
	BmInfo info;
	int rc = toInfo(q.name, info);
	if (rc)
		return rc;
	rc = F(r, q, info);
	LOG_DBG("conn %llu: %s %s: %s", (unsigned long long)r.c.no,
		opName(r.h.op), infoName(info).c_str(), BM_StrError(rc));
	return rc;
}

int nsCreate(Request &, const mfp_obj_req &q, BmInfo &info)
{
	return BM_CreateNSSec(info.poolName, info.ns, static_cast<int>(q.flags),
			      info.secId);
}

int nsDestroy(Request &, const mfp_obj_req &, BmInfo &info)
{
	return BM_DestroyNSSec(info.poolName, info.ns, info.secId);
}

// ALLOC and GET: reply a handle on @info, whose session reference the
// request has just taken; without a handle, @undo gives it back.
int replyHandle(Request &r, BmInfo &info, int (*undo)(BmInfo *, int))
{
	int rc = newHandle(r.c, info, *reinterpret_cast<mfp_obj_rep *>(r.out));
	if (rc)
		undo(&info, 0);
	else
		r.rlen = sizeof(mfp_obj_rep);
	return rc;
}

int alloc(Request &r, const mfp_obj_req &q, BmInfo &info)
{
	int rc = BM_AllocSec(&info, q.size, 0, nullptr);
	return rc ? rc : replyHandle(r, info, BM_FreeSec);
}

int get(Request &r, const mfp_obj_req &, BmInfo &info)
{
	int rc = BM_GetSec(&info, 0);
	return rc ? rc : replyHandle(r, info, BM_PutSec);
}

int freeObj(Request &r, const mfp_obj_req &, BmInfo &info)
{
	int rc = BM_FreeSec(&info, 0);
	if (rc)
		return rc;
	// The session's references on it are gone: this connection's
	// handles on it go; other connections keep their mappings (the
	// object waits for its last reference).
	Conn &c = r.c;
	for (auto it = c.handles.begin(); it != c.handles.end();) {
		if (sameName(it->second.info, info)) {
			it->second.sessionRef = false;
			closeHandle(c, it->second);
			it = c.handles.erase(it);
		} else {
			++it;
		}
	}
	// The other connections of this identity share its session, whose
	// references FREE dropped; other identities' sessions keep theirs.
	for (auto &kv : g_conns) {
		if (kv.second->auth.ident != c.auth.ident)
			continue;
		for (auto &hv : kv.second->handles)
			if (sameName(hv.second.info, info))
				hv.second.sessionRef = false;
	}
	return 0;
}

int publish(Request &r, const mfp_obj_req &, BmInfo &info)
{
	// Our own writable registrations would make the kernel refuse
	// (-EBUSY): revoke them first, then register again, read-only if it
	// worked.
	Conn &c = r.c;
	std::vector<Handle *> mine;
	for (auto &kv : c.handles)
		if (sameName(kv.second.info, info)) {
			unregisterHandle(c, kv.second);
			mine.push_back(&kv.second);
		}
	// A handle the kernel will not register read-only becomes staged.
	int rc = BM_PublishSec(&info, 0);
	for (Handle *hp : mine) {
		if (!rc)
			hp->info.type = BM_TYPE_SHARED_RO;
		registerHandle(c, *hp);
	}
	// The reply carries the handle even when publishing failed.
	if (!mine.empty()) {
		fillObjRep(*reinterpret_cast<mfp_obj_rep *>(r.out), *mine[0]);
		r.rlen = sizeof(mfp_obj_rep);
	}
	return rc;
}

int reqPut(Request &r)
{
	const mfp_handle_req &q = *reinterpret_cast<const mfp_handle_req *>(r.in);
	Handle *hp = findHandle(r.c, q.handle);
	if (!hp)
		return -ENOENT;
	closeHandle(r.c, *hp);
	r.c.handles.erase(q.handle);
	return 0;
}

int reqStat(Request &r)
{
	const mfp_handle_req &q = *reinterpret_cast<const mfp_handle_req *>(r.in);
	Handle *hp = findHandle(r.c, q.handle);
	if (!hp)
		return -ENOENT;
	BmStat st;
	int rc = BM_StatSec(&hp->info, &st);
	if (rc) // -ENOENT also when another client freed it
		return rc;
	mfp_stat_rep *rep = reinterpret_cast<mfp_stat_rep *>(r.out);
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
	r.rlen = sizeof(*rep);
	return 0;
}

// READ and WRITE: staged, through the staging buffer, or inline.
template <bool Write> int reqIo(Request &r)
{
	mfp_io_req q;
	memcpy(&q, r.in, sizeof(q));
	Handle *hp = findHandle(r.c, q.handle);
	if (!hp)
		return -ENOENT;
	int rc;
	if (q.flags & MFP_IO_INLINE)
		rc = stagedInline(*hp, Write, q, r.in + sizeof(q),
				  r.len - sizeof(q), r.out + sizeof(mfp_hdr),
				  &r.rlen);
	else
		rc = staged(r.c, *hp, Write, q);
	LOG_DBG("conn %llu: %s %s %llu bytes at %llu: %s",
		(unsigned long long)r.c.no, opName(r.h.op),
		infoName(hp->info).c_str(), (unsigned long long)q.length,
		(unsigned long long)q.offset, BM_StrError(rc));
	return rc;
}

int reqCopy(Request &r)
{
	const mfp_copy_req &q = *reinterpret_cast<const mfp_copy_req *>(r.in);
	Handle *s = findHandle(r.c, q.src), *d = findHandle(r.c, q.dst);
	if (!s || !d)
		return -ENOENT;
	return BM_CopySec(&s->info, q.src_offset, &d->info, q.dst_offset,
			  q.length, 0);
}

int reqGather(Request &r)
{
	const mfp_gather_req *q = reinterpret_cast<const mfp_gather_req *>(r.in);
	if (q->count == 0 || q->count > MFP_GATHER_MAX_ITEMS ||
	    r.len < sizeof(*q) + q->count * sizeof(mfp_gather_item))
		return -EPROTO;
	Handle *d = findHandle(r.c, q->dst);
	if (!d)
		return -ENOENT;
	std::vector<BmGatherItem> items(q->count);
	std::vector<intptr_t> ptrs(q->count + 1, 0);
	for (uint32_t i = 0; i < q->count; i++) {
		Handle *s = findHandle(r.c, q->items[i].handle);
		if (!s)
			return -ENOENT;
		items[i].src = &s->info;
		items[i].offset = q->items[i].offset;
		items[i].length = q->items[i].length;
		ptrs[i] = reinterpret_cast<intptr_t>(&items[i]);
	}
	size_t got = 0;
	int rc = BM_GatherSec(ptrs.data(), static_cast<BmOperatorCode>(q->op),
			      0, &d->info, &got);
	if (rc)
		return rc;
	reinterpret_cast<mfp_gather_rep *>(r.out)->length = got;
	r.rlen = sizeof(mfp_gather_rep);
	return 0;
}

int reqList(Request &r)
{
	mfp_list_rep *rep = reinterpret_cast<mfp_list_rep *>(r.out);
	rep->count = static_cast<uint32_t>(g_pools.size());
	for (size_t i = 0; i < g_pools.size(); i++)
		snprintf(rep->pools[i], sizeof(rep->pools[i]), "%s",
			 g_pools[i].c_str());
	r.rlen = sizeof(*rep) + g_pools.size() * sizeof(rep->pools[0]);
	return 0;
}

// ---- the table ---------------------------------------------------------------

struct RequestType {
	unsigned op;
	int (*fn)(Request &r);
	size_t minLen;		// shorter: -EPROTO
	const char *name;
};

// Indexed by op (enum mfp_op).  Row 0 is no request (-EOPNOTSUPP).
constexpr RequestType kRequests[] = {
	{ 0, nullptr, 0, "?" },
	{ MFP_HELLO, reqHello, sizeof(mfp_hello), "HELLO" },
	{ MFP_NS_CREATE, named<nsCreate>, sizeof(mfp_obj_req), "NS_CREATE" },
	{ MFP_NS_DESTROY, named<nsDestroy>, sizeof(mfp_obj_req), "NS_DESTROY" },
	{ MFP_ALLOC, named<alloc>, sizeof(mfp_obj_req), "ALLOC" },
	{ MFP_GET, named<get>, sizeof(mfp_obj_req), "GET" },
	{ MFP_PUT, reqPut, sizeof(mfp_handle_req), "PUT" },
	{ MFP_FREE, named<freeObj>, sizeof(mfp_obj_req), "FREE" },
	{ MFP_PUBLISH, named<publish>, sizeof(mfp_obj_req), "PUBLISH" },
	{ MFP_STAT, reqStat, sizeof(mfp_handle_req), "STAT" },
	{ MFP_COPY, reqCopy, sizeof(mfp_copy_req), "COPY" },
	{ MFP_GATHER, reqGather, sizeof(mfp_gather_req), "GATHER" },
	{ MFP_LIST, reqList, sizeof(mfp_hdr), "LIST" },
	{ MFP_READ, reqIo<false>, sizeof(mfp_io_req), "READ" },
	{ MFP_WRITE, reqIo<true>, sizeof(mfp_io_req), "WRITE" },
	{ MFP_AUTH, reqAuth, sizeof(mfp_auth), "AUTH" },
};

constexpr size_t kNrRequests = sizeof(kRequests) / sizeof(kRequests[0]);
static_assert(kNrRequests == MFP_OP_MAX, "a row for every op");

constexpr bool rowsInOrder()
{
	for (size_t i = 0; i < kNrRequests; i++)
		if (kRequests[i].op != i)
			return false;
	return true;
}
static_assert(rowsInOrder(), "row i of kRequests is op i");

} // namespace

const char *opName(unsigned op)
{
	return op < kNrRequests ? kRequests[op].name : "?";
}

size_t handleRequest(Conn &c, char *in, size_t len, char *out)
{
	const mfp_hdr *h = reinterpret_cast<const mfp_hdr *>(in);
	mfp_hdr *rh = reinterpret_cast<mfp_hdr *>(out);

	memset(out, 0, sizeof(mfp_obj_rep) + sizeof(mfp_stat_rep));
	rh->magic = MFP_MAGIC;
	rh->version = MFP_VERSION;
	if (len < sizeof(*h) || h->magic != MFP_MAGIC ||
	    h->version != MFP_VERSION || h->length != len) {
		rh->op = 0;
		rh->status = -EPROTO;
		rh->length = sizeof(mfp_hdr);
		return sizeof(mfp_hdr);
	}
	rh->op = h->op;
	rh->seq = h->seq;

	Request r = { c, *h, in, len, out, sizeof(mfp_hdr) };
	const RequestType *t = h->op < kNrRequests ? &kRequests[h->op] : nullptr;
	bool authOp = h->op == MFP_HELLO || h->op == MFP_AUTH;
	int rc;
	if (c.auth.failed) {
		// Refused already: the end, without a reply.
		c.broken = true;
		return 0;
	} else if (!authOp && c.auth.state != AuthState::kDone) {
		rc = authRefuseRequest(c, h->op);
	} else if (!t || !t->fn) {
		rc = -EOPNOTSUPP;
	} else if (len < t->minLen) {
		rc = -EPROTO;
	} else if (authOp) {
		rc = t->fn(r);
	} else {
		// As the client's identity, through its bound file only.
		AsClient as(c);
		rc = t->fn(r);
	}
	// A failed request replies with its header only; a failed PUBLISH
	// still gives the handle it re-registered.
	if (rc && !(h->op == MFP_PUBLISH && r.rlen == sizeof(mfp_obj_rep)))
		r.rlen = sizeof(mfp_hdr);
	rh->status = rc;
	rh->length = static_cast<uint32_t>(r.rlen);
	return r.rlen;
}

} // namespace mfserverd
