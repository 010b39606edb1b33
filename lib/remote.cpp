// SPDX-License-Identifier: LGPL-2.1-or-later
//
// remote.cpp - the BigMemory calls on remote objects ("NODE:POOL" pools),
// through mfserverd over RDMA.  See Documentation/remote.md.
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
#include "remote.hpp"

#include "etcd.hpp"
#include "mfproto.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <new>

#include <netdb.h>
#include <poll.h>
#include <rdma/rdma_cma.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

namespace memfabric::detail {

namespace rimpl {}
using namespace rimpl;

bool isRemoteField(const char *field) noexcept
{
	return field && memchr(field, BM_REMOTE_SEP,
			       strnlen(field, BM_POOL_NAME_LEN)) != nullptr;
}

namespace rimpl {

constexpr size_t kChunk = 256 * 1024;	// bytes of one RDMA READ/WRITE
constexpr unsigned kSlots = 16;		// chunks in flight at most
constexpr int kCmTimeoutMs = 5000;	// address, route, connect
constexpr int kOpTimeoutSec = 30;	// one request or data transfer
constexpr uint64_t kEventCheckNs = 1000000;	// Conn::checkEvents()
constexpr unsigned kSpinBeforeYield = 64;	// empty CQ polls, then yield
// Staged transfers up to this size travel in the messages (MFP_IO_INLINE).
constexpr size_t kStagedInlineMax = 32 * 1024;
static_assert(kStagedInlineMax <= MFP_IO_INLINE_MAX, "inline staged size");
constexpr uint8_t kAckTimeout = 14;	// 4.096 us * 2^14 = 67 ms per try

uint64_t nowNs()
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull +
	       static_cast<uint64_t>(ts.tv_nsec);
}

// A remote name: node, pool on it, ns, secId, id.
struct RName {
	std::string node, pool, ns, secid, id;
	std::string key() const { return pool + '\0' + ns + '\0' + id; }
};

// "NODE:POOL" from a pool field: both parts non-empty and valid.
int parseRemotePool(const char *field, std::string &node, std::string &pool)
{
	std::string s;
	int rc = boundedString(field, BM_POOL_NAME_LEN, s);
	if (rc)
		return rc;
	size_t c = s.find(BM_REMOTE_SEP);
	if (c == std::string::npos)
		return -EINVAL;
	node = s.substr(0, c);
	pool = s.substr(c + 1);
	if (checkPoolName(node) || checkPoolName(pool))
		return -EINVAL;
	return 0;
}

int parseName(const BmInfo *bi, RName &n, bool idOptional = false)
{
	if (!bi)
		return -EINVAL;
	int rc = parseRemotePool(bi->poolName, n.node, n.pool);
	if (!rc)
		rc = parseNs(bi->ns, n.ns);
	if (!rc)
		rc = parseSecid(bi->secId, n.secid);
	if (!rc)
		rc = boundedString(bi->bmId, BM_ID_LEN, n.id);
	if (!rc && !(idOptional && n.id.empty()))
		rc = checkObjName(n.id);
	return rc;
}

// ---- one connection --------------------------------------------------------

class Conn {
public:
	~Conn() { close(); }

	// Connect to @host:@port.  0 or -errno.
	int open(const std::string &host, const std::string &port);
	void close() noexcept;

	bool dead() const { return dead_; }
	// Look at the event channel without blocking: a disconnect marks
	// the connection dead.  At most once per kEventCheckNs (it costs a
	// system call, as much as the RDMA operation it would precede); a
	// disconnect missed meanwhile fails the next operation, which marks
	// the connection dead too.
	void checkEvents();

	// Send @req (its header filled but for magic, version, length, seq)
	// and wait for the reply into rbuf().  0 (the reply's status is in
	// its header) or -errno of the transport (the connection is then
	// dead).
	int call(void *req, size_t len, uint16_t op);
	const char *rbuf() const { return rbuf_; }
	char *sbuf() { return sbuf_; }

	// RDMA READ @len bytes at @raddr (@rkey) into @buf, or WRITE them
	// from @buf.  0, -EIO (remote access error) or -ECONNRESET.
	int rdma(bool write, uint64_t raddr, uint32_t rkey, char *buf,
		 size_t len);
	// A staged READ or WRITE of @len bytes at @offset of the server's
	// object handle @handle through the bounce buffer.  0, the server's
	// status or -errno of the transport.
	int staged(bool write, uint64_t handle, uint64_t offset, char *buf,
		   size_t len);

private:
	int waitCm(rdma_cm_event_type want, int timeoutMs);
	int waitWc(uint64_t wrId, ibv_wc *out);
	int fail(int err)
	{
		dead_ = true;
		return err;
	}

	rdma_event_channel *ec_ = nullptr;
	rdma_cm_id *id_ = nullptr;
	ibv_pd *pd_ = nullptr;
	ibv_cq *cq_ = nullptr;
	char *sbuf_ = nullptr, *rbuf_ = nullptr, *data_ = nullptr;
	ibv_mr *smr_ = nullptr, *rmr_ = nullptr, *dmr_ = nullptr;
	uint32_t maxInline_ = 0;
	unsigned maxRd_ = 1;
	uint64_t seq_ = 0;
	uint64_t nextWr_ = 1;
	bool dead_ = true;
	bool connected_ = false;
	uint64_t lastEventCheck_ = 0;
	// Completions reaped while waiting for another one.
	std::vector<ibv_wc> early_;
};

int Conn::waitCm(rdma_cm_event_type want, int timeoutMs)
{
	struct pollfd p = { ec_->fd, POLLIN, 0 };
	int n = poll(&p, 1, timeoutMs);
	if (n <= 0)
		return n == 0 ? -ETIMEDOUT : -errno;
	rdma_cm_event *ev;
	if (rdma_get_cm_event(ec_, &ev))
		return -errno;
	rdma_cm_event_type got = ev->event;
	int status = ev->status;
	rdma_ack_cm_event(ev);
	if (got == want)
		return 0;
	log(BM_LOG_INFO, "remote: %s while waiting for %s (status %d)",
	    rdma_event_str(got), rdma_event_str(want), status);
	switch (got) {
	case RDMA_CM_EVENT_REJECTED:
		return -ECONNREFUSED;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
		return -EHOSTUNREACH;
	default:
		return -ECONNRESET;
	}
}

int Conn::open(const std::string &host, const std::string &port)
{
	close();
	struct addrinfo hints, *res = nullptr;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_INET;
	if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res))
		return -EHOSTUNREACH;
	ec_ = rdma_create_event_channel();
	if (!ec_) {
		freeaddrinfo(res);
		return errno == ENOENT || errno == ENODEV ? -ENODEV : -errno;
	}
	fcntl(ec_->fd, F_SETFL, fcntl(ec_->fd, F_GETFL) | O_NONBLOCK);
	int rc = 0;
	if (rdma_create_id(ec_, &id_, nullptr, RDMA_PS_TCP))
		rc = -errno;
	if (!rc && rdma_resolve_addr(id_, nullptr, res->ai_addr, kCmTimeoutMs))
		rc = -errno;
	freeaddrinfo(res);
	if (!rc)
		rc = waitCm(RDMA_CM_EVENT_ADDR_RESOLVED, kCmTimeoutMs + 1000);
	if (!rc && rdma_resolve_route(id_, kCmTimeoutMs))
		rc = -errno;
	if (!rc)
		rc = waitCm(RDMA_CM_EVENT_ROUTE_RESOLVED, kCmTimeoutMs + 1000);
	if (rc)
		return rc;

	uint8_t to = kAckTimeout;
	rdma_set_option(id_, RDMA_OPTION_ID, RDMA_OPTION_ID_ACK_TIMEOUT, &to,
			sizeof(to));
	ibv_device_attr da;
	if (!ibv_query_device(id_->verbs, &da))
		maxRd_ = static_cast<unsigned>(
			std::max(1, std::min(da.max_qp_rd_atom, 16)));
	pd_ = ibv_alloc_pd(id_->verbs);
	if (!pd_)
		return -errno;
	cq_ = ibv_create_cq(id_->verbs, 2 * kSlots + 8, nullptr, nullptr, 0);
	if (!cq_)
		return -errno;
	ibv_qp_init_attr qa;
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = cq_;
	qa.recv_cq = cq_;
	qa.qp_type = IBV_QPT_RC;
	qa.sq_sig_all = 0;
	qa.cap.max_send_wr = kSlots + 4;
	qa.cap.max_recv_wr = 2;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	qa.cap.max_inline_data = 256;
	if (rdma_create_qp(id_, pd_, &qa)) {
		qa.cap.max_inline_data = 0;
		if (rdma_create_qp(id_, pd_, &qa))
			return -errno;
	}
	maxInline_ = qa.cap.max_inline_data;
	sbuf_ = static_cast<char *>(aligned_alloc(4096, MFP_MSG_MAX));
	rbuf_ = static_cast<char *>(aligned_alloc(4096, MFP_MSG_MAX));
	data_ = static_cast<char *>(aligned_alloc(4096, kChunk * kSlots));
	if (!sbuf_ || !rbuf_ || !data_)
		return -ENOMEM;
	smr_ = ibv_reg_mr(pd_, sbuf_, MFP_MSG_MAX, 0);
	rmr_ = ibv_reg_mr(pd_, rbuf_, MFP_MSG_MAX, IBV_ACCESS_LOCAL_WRITE);
	// The server reaches the bounce buffer for staged objects only
	// (this connection's PD: the rkey is worthless on any other).
	dmr_ = ibv_reg_mr(pd_, data_, kChunk * kSlots,
			  IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
				  IBV_ACCESS_REMOTE_READ);
	if (!smr_ || !rmr_ || !dmr_)
		return -errno;

	rdma_conn_param p;
	memset(&p, 0, sizeof(p));
	p.initiator_depth = static_cast<uint8_t>(maxRd_);
	p.responder_resources = static_cast<uint8_t>(maxRd_);
	p.retry_count = 7;
	p.rnr_retry_count = 7;
	if (rdma_connect(id_, &p))
		return -errno;
	rc = waitCm(RDMA_CM_EVENT_ESTABLISHED, kCmTimeoutMs + 1000);
	if (rc)
		return rc;
	connected_ = true;
	dead_ = false;
	return 0;
}

void Conn::close() noexcept
{
	if (id_ && connected_)
		rdma_disconnect(id_);
	if (id_ && id_->qp)
		rdma_destroy_qp(id_);
	if (cq_)
		ibv_destroy_cq(cq_);
	if (smr_)
		ibv_dereg_mr(smr_);
	if (rmr_)
		ibv_dereg_mr(rmr_);
	if (dmr_)
		ibv_dereg_mr(dmr_);
	if (pd_)
		ibv_dealloc_pd(pd_);
	if (id_)
		rdma_destroy_id(id_);
	if (ec_)
		rdma_destroy_event_channel(ec_);
	free(sbuf_);
	free(rbuf_);
	free(data_);
	ec_ = nullptr;
	id_ = nullptr;
	pd_ = nullptr;
	cq_ = nullptr;
	smr_ = rmr_ = dmr_ = nullptr;
	sbuf_ = rbuf_ = data_ = nullptr;
	connected_ = false;
	dead_ = true;
	early_.clear();
}

void Conn::checkEvents()
{
	if (!ec_ || dead_)
		return;
	uint64_t now = nowNs();
	if (now - lastEventCheck_ < kEventCheckNs)
		return;
	lastEventCheck_ = now;
	rdma_cm_event *ev;
	while (rdma_get_cm_event(ec_, &ev) == 0) {
		rdma_cm_event_type t = ev->event;
		rdma_ack_cm_event(ev);
		log(BM_LOG_INFO, "remote: connection event %s",
		    rdma_event_str(t));
		if (t == RDMA_CM_EVENT_DISCONNECTED ||
		    t == RDMA_CM_EVENT_DEVICE_REMOVAL ||
		    t == RDMA_CM_EVENT_TIMEWAIT_EXIT)
			dead_ = true;
	}
}

// Busy-poll for the completion of @wrId (data and control calls are
// synchronous: polling beats sleeping on a completion channel by the
// wakeup latency), giving the CPU away between polls once the completion
// is late.
int Conn::waitWc(uint64_t wrId, ibv_wc *out)
{
	for (size_t i = 0; i < early_.size(); i++) {
		if (early_[i].wr_id == wrId) {
			*out = early_[i];
			early_.erase(early_.begin() + static_cast<long>(i));
			return 0;
		}
	}
	uint64_t deadline = 0;
	for (unsigned spin = 0;; spin++) {
		ibv_wc wc[4];
		int n = ibv_poll_cq(cq_, 4, wc);
		if (n < 0)
			return fail(-EIO);
		bool found = false;
		for (int i = 0; i < n; i++) {
			if (wc[i].wr_id == wrId && !found) {
				*out = wc[i];
				found = true;
			} else {
				early_.push_back(wc[i]);
			}
		}
		if (found)
			return 0;
		// Soft-RoCE (and any provider that completes in a kernel
		// thread) may need this very CPU to make the completion:
		// spinning would hold it off until the next scheduler tick.
		if (spin >= kSpinBeforeYield && !(spin & 15))
			sched_yield();
		if ((spin & 1023) == 1023) {
			uint64_t now = nowNs();
			if (!deadline)
				deadline = now + kOpTimeoutSec * 1000000000ull;
			else if (now > deadline)
				return fail(-ETIMEDOUT);
		}
	}
}

int Conn::call(void *req, size_t len, uint16_t op)
{
	if (dead_)
		return -ECONNRESET;
	mfp_hdr *h = static_cast<mfp_hdr *>(req);
	h->magic = MFP_MAGIC;
	h->version = MFP_VERSION;
	h->op = op;
	h->length = static_cast<uint32_t>(len);
	h->status = 0;
	h->seq = ++seq_;
	if (req != sbuf_)
		memcpy(sbuf_, req, len);

	ibv_sge rsge = { reinterpret_cast<uintptr_t>(rbuf_), MFP_MSG_MAX,
			 rmr_->lkey };
	ibv_recv_wr rwr, *rbad;
	memset(&rwr, 0, sizeof(rwr));
	rwr.wr_id = nextWr_++;
	rwr.sg_list = &rsge;
	rwr.num_sge = 1;
	if (ibv_post_recv(id_->qp, &rwr, &rbad))
		return fail(-ECONNRESET);

	ibv_sge ssge = { reinterpret_cast<uintptr_t>(sbuf_),
			 static_cast<uint32_t>(len), smr_->lkey };
	ibv_send_wr swr, *sbad;
	memset(&swr, 0, sizeof(swr));
	swr.wr_id = nextWr_++;
	swr.sg_list = &ssge;
	swr.num_sge = 1;
	swr.opcode = IBV_WR_SEND;
	swr.send_flags = IBV_SEND_SIGNALED;
	if (len <= maxInline_)
		swr.send_flags |= IBV_SEND_INLINE;
	if (ibv_post_send(id_->qp, &swr, &sbad))
		return fail(-ECONNRESET);
	ibv_wc wc;
	int rc = waitWc(swr.wr_id, &wc);
	if (rc)
		return rc;
	if (wc.status != IBV_WC_SUCCESS) {
		log(BM_LOG_INFO, "remote: send: %s",
		    ibv_wc_status_str(wc.status));
		return fail(-ECONNRESET);
	}
	rc = waitWc(rwr.wr_id, &wc);
	if (rc)
		return rc;
	if (wc.status != IBV_WC_SUCCESS) {
		log(BM_LOG_INFO, "remote: recv: %s",
		    ibv_wc_status_str(wc.status));
		return fail(-ECONNRESET);
	}
	const mfp_hdr *r = reinterpret_cast<const mfp_hdr *>(rbuf_);
	if (wc.byte_len < sizeof(*r) || r->magic != MFP_MAGIC ||
	    r->seq != h->seq || r->op != op || r->length != wc.byte_len) {
		log(BM_LOG_ERROR, "remote: malformed reply to op %u", op);
		return fail(-EPROTO);
	}
	return 0;
}

int Conn::rdma(bool write, uint64_t raddr, uint32_t rkey, char *buf,
	       size_t len)
{
	if (dead_)
		return -ECONNRESET;
	// Small writes straight from the caller's buffer, inline.
	if (write && len <= maxInline_) {
		ibv_sge sge = { reinterpret_cast<uintptr_t>(buf),
				static_cast<uint32_t>(len), 0 };
		ibv_send_wr wr, *bad;
		memset(&wr, 0, sizeof(wr));
		wr.wr_id = nextWr_++;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		wr.opcode = IBV_WR_RDMA_WRITE;
		wr.send_flags = IBV_SEND_SIGNALED | IBV_SEND_INLINE;
		wr.wr.rdma.remote_addr = raddr;
		wr.wr.rdma.rkey = rkey;
		if (ibv_post_send(id_->qp, &wr, &bad))
			return fail(-ECONNRESET);
		ibv_wc wc;
		int rc = waitWc(wr.wr_id, &wc);
		if (rc)
			return rc;
		if (wc.status == IBV_WC_SUCCESS)
			return 0;
		log(BM_LOG_INFO, "remote: RDMA WRITE: %s",
		    ibv_wc_status_str(wc.status));
		return fail(wc.status == IBV_WC_REM_ACCESS_ERR ? -EIO
							       : -ECONNRESET);
	}

	size_t nchunks = (len + kChunk - 1) / kChunk;
	unsigned depth = write ? kSlots : std::min<unsigned>(kSlots, maxRd_);
	struct Slot {
		uint64_t wr = 0;
		size_t off = 0, len = 0;
	} slots[kSlots];
	size_t posted = 0, done = 0;
	int err = 0;
	while (done < nchunks) {
		// Fill the free slots.
		while (!err && posted < nchunks && posted - done < depth) {
			Slot &s = slots[posted % kSlots];
			s.off = posted * kChunk;
			s.len = std::min(kChunk, len - s.off);
			char *local = data_ + (posted % kSlots) * kChunk;
			if (write)
				memcpy(local, buf + s.off, s.len);
			ibv_sge sge = { reinterpret_cast<uintptr_t>(local),
					static_cast<uint32_t>(s.len),
					dmr_->lkey };
			ibv_send_wr wr, *bad;
			memset(&wr, 0, sizeof(wr));
			wr.wr_id = s.wr = nextWr_++;
			wr.sg_list = &sge;
			wr.num_sge = 1;
			wr.opcode = write ? IBV_WR_RDMA_WRITE
					  : IBV_WR_RDMA_READ;
			wr.send_flags = IBV_SEND_SIGNALED;
			wr.wr.rdma.remote_addr = raddr + s.off;
			wr.wr.rdma.rkey = rkey;
			if (ibv_post_send(id_->qp, &wr, &bad)) {
				err = -ECONNRESET;
				dead_ = true;
				break;
			}
			posted++;
		}
		if (done == posted)
			break;
		// The oldest one completes first (RC ordering).
		Slot &s = slots[done % kSlots];
		ibv_wc wc;
		int rc = waitWc(s.wr, &wc);
		if (rc)
			return rc;
		if (wc.status != IBV_WC_SUCCESS) {
			if (!err) {
				log(BM_LOG_INFO, "remote: RDMA %s: %s",
				    write ? "WRITE" : "READ",
				    ibv_wc_status_str(wc.status));
				err = wc.status == IBV_WC_REM_ACCESS_ERR ?
					      -EIO : -ECONNRESET;
			}
			dead_ = true;
		} else if (!write && !err) {
			memcpy(buf + s.off, data_ + (done % kSlots) * kChunk,
			       s.len);
		}
		done++;
	}
	return err;
}

int Conn::staged(bool write, uint64_t handle, uint64_t offset, char *buf,
		 size_t len)
{
	// Small transfers ride in the request or the reply (MFP_IO_INLINE):
	// no RDMA operation of the server's to wait for.
	if (len && len <= kStagedInlineMax) {
		if (dead_)
			return -ECONNRESET;
		mfp_io_req *q = reinterpret_cast<mfp_io_req *>(sbuf_);
		memset(q, 0, sizeof(*q));
		q->handle = handle;
		q->offset = offset;
		q->length = len;
		q->flags = MFP_IO_INLINE;
		if (write)
			memcpy(sbuf_ + sizeof(*q), buf, len);
		int rc = call(q, sizeof(*q) + (write ? len : 0),
			      write ? MFP_WRITE : MFP_READ);
		const mfp_hdr *r = reinterpret_cast<const mfp_hdr *>(rbuf_);
		if (!rc)
			rc = r->status;
		if (rc)
			return rc;
		if (!write) {
			if (r->length != sizeof(*r) + len)
				return fail(-EPROTO);
			memcpy(buf, rbuf_ + sizeof(*r), len);
		}
		return 0;
	}
	const size_t step = kChunk * kSlots;
	for (size_t done = 0; done < len; done += step) {
		if (dead_)
			return -ECONNRESET;
		size_t n = std::min(step, len - done);
		if (write)
			memcpy(data_, buf + done, n);
		mfp_io_req *q = reinterpret_cast<mfp_io_req *>(sbuf_);
		memset(q, 0, sizeof(*q));
		q->handle = handle;
		q->offset = offset + done;
		q->length = n;
		q->addr = reinterpret_cast<uintptr_t>(data_);
		q->rkey = dmr_->rkey;
		int rc = call(q, sizeof(*q), write ? MFP_WRITE : MFP_READ);
		if (!rc)
			rc = reinterpret_cast<const mfp_hdr *>(rbuf_)->status;
		if (rc)
			return rc;
		// The server's RDMA WRITE landed before its reply (RC order).
		if (!write)
			memcpy(buf + done, data_, n);
	}
	return 0;
}

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

int sendObjReq(RNode &n, uint16_t op, const RName &nm, uint64_t size,
	       uint32_t flags, mfp_obj_rep *rep);

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
	mfp_hello h;
	memset(&h, 0, sizeof(h));
	rc = n.conn.call(&h, sizeof(h), MFP_HELLO);
	if (rc)
		return rc;
	log(BM_LOG_DEBUG, "remote: connected to node %s at %s:%s",
	    n.name.c_str(), host.c_str(), port.c_str());
	n.gen++;
	// Handles of an earlier connection are gone with it.
	for (auto it = n.objs.begin(); it != n.objs.end();) {
		RObj &o = *it->second;
		RName nm;
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
int sendObjReq(RNode &n, uint16_t op, const RName &nm, uint64_t size,
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

// The object @nm for a call: the session's entry, or a transient handle
// (@transient set: PUT it with release()).  Node::mu held, connected.
int acquire(RNode &n, const RName &nm, std::shared_ptr<RObj> &out,
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
	std::shared_ptr<RObj> o = std::make_shared<RObj>();
	o->pool = nm.pool;
	o->ns = nm.ns;
	o->id = nm.id;
	o->secid = nm.secid;
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

void fillInfo(BmInfo *bi, const RName &nm, const RObj &o)
{
	bi->size = static_cast<size_t>(o.size);
	bi->type = static_cast<int>(o.type);
	putField(bi->bmId, sizeof(bi->bmId), o.id);
	(void)nm;
}

// The remote pool, namespace and secId of a namespace call, checked.
int parseNsName(const char *pool, const char *ns, const char *secId,
		RName &nm)
{
	int rc = parseRemotePool(pool, nm.node, nm.pool);
	if (!rc)
		rc = parseNs(ns, nm.ns);
	if (!rc)
		rc = parseSecid(secId, nm.secid);
	return rc;
}

} // namespace

namespace remote {

int createNs(Session &s, const char *pool, const char *ns, int attribute,
	     const char *secId)
{
	RName nm;
	int rc = parseNsName(pool, ns, secId, nm);
	if (rc)
		return rc;
	return onNode(s, nm.node, false, [&](RNode &n) {
		return sendObjReq(n, MFP_NS_CREATE, nm, 0,
				  static_cast<uint32_t>(attribute), nullptr);
	});
}

int destroyNs(Session &s, const char *pool, const char *ns,
	      const char *secId)
{
	RName nm;
	int rc = parseNsName(pool, ns, secId, nm);
	if (rc)
		return rc;
	return onNode(s, nm.node, false, [&](RNode &n) {
		return sendObjReq(n, MFP_NS_DESTROY, nm, 0, 0, nullptr);
	});
}

int alloc(Session &s, BmInfo *bi, size_t size, int flags,
	  const BmAffinity *aff)
{
	RName nm;
	if (flags || !size || size > BM_MAX_SIZE || !bi)
		return -EINVAL;
	std::string poolField;
	if (boundedString(bi->poolName, BM_POOL_NAME_LEN, poolField))
		return -EINVAL;
	if (aff) {
		std::string affPool;
		if (aff->numaNode < -1 ||
		    boundedString(aff->poolName, BM_POOL_NAME_LEN, affPool))
			return -EINVAL;
		if (!affPool.empty()) {
			if (!poolField.empty() && poolField != affPool)
				return -EINVAL;
			poolField = affPool;
		}
		// A NUMA node of another host means nothing here.
		if (aff->numaNode >= 0)
			return -EINVAL;
	}
	char field[BM_POOL_NAME_LEN];
	putField(field, sizeof(field), poolField);
	BmInfo tmp = *bi;
	memcpy(tmp.poolName, field, sizeof(field));
	int rc = parseName(&tmp, nm, true);
	if (rc)
		return rc;
	return onNode(s, nm.node, false, [&](RNode &n) {
		mfp_obj_rep rep;
		int rc2 = sendObjReq(n, MFP_ALLOC, nm, size, 0, &rep);
		if (rc2)
			return rc2;
		rep.id[sizeof(rep.id) - 1] = '\0';
		std::shared_ptr<RObj> o;
		std::shared_ptr<RObj> *slotp;
		try {
			o = std::make_shared<RObj>();
			o->pool = nm.pool;
			o->ns = nm.ns;
			o->id = rep.id;
			o->secid = nm.secid;
			o->userRefs = 1;
			fillFrom(*o, rep);
			nm.id = o->id;
			slotp = &n.objs[nm.key()];
		} catch (...) {
			sendHandleReq(n, MFP_PUT, rep.handle);
			throw;
		}
		std::shared_ptr<RObj> &slot = *slotp;
		if (slot) // a stale entry: the name was freed and reused
			sendHandleReq(n, MFP_PUT, slot->handle);
		slot = o;
		n.gen++;
		memcpy(bi->poolName, field, sizeof(field));
		fillInfo(bi, nm, *o);
		return 0;
	});
}

int freeObj(Session &s, BmInfo *bi, int flags)
{
	RName nm;
	if (flags)
		return -EINVAL;
	int rc = parseName(bi, nm);
	if (rc)
		return rc;
	return onNode(s, nm.node, false, [&](RNode &n) {
		int rc2 = sendObjReq(n, MFP_FREE, nm, 0, 0, nullptr);
		if (!rc2) {
			n.objs.erase(nm.key()); // the server dropped its handle
			n.gen++;
		}
		return rc2;
	});
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

// Read or write @length bytes at @offset of the remote object @bi.
static int io(Session &s, BmInfo *bi, size_t offset, size_t length,
	      char *buf, int flags, bool write)
{
	RName nm;
	if (flags || (!buf && length))
		return -EINVAL;
	int rc = parseName(bi, nm);
	if (rc)
		return rc;
	if (addOverflows(offset, length))
		return -EOVERFLOW;
	return onNode(s, nm.node, true, [&](RNode &n) {
		std::shared_ptr<RObj> o;
		bool transient = false;
		int rc2 = acquire(n, nm, o, transient);
		if (rc2 || !length) {
			release(n, o, transient);
			return rc2;
		}
		if (!transient)
			rfastStore(s, bi, n, *o);
		rc2 = transfer(n, *o, offset, length, buf, write);
		release(n, o, transient);
		return rc2;
	});
}

bool fastIo(const BmInfo *bi, size_t offset, size_t length, char *buf,
	    bool write, int &rc) noexcept
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

int read(Session &s, BmInfo *bi, size_t offset, size_t length, void *buf,
	 int flags)
{
	return io(s, bi, offset, length, static_cast<char *>(buf), flags,
		  false);
}

int write(Session &s, BmInfo *bi, size_t offset, size_t length,
	  const void *buf, int flags)
{
	return io(s, bi, offset, length,
		  const_cast<char *>(static_cast<const char *>(buf)), flags,
		  true);
}

int copy(Session &s, BmInfo *src, size_t srcOffset, BmInfo *dst,
	 size_t dstOffset, size_t length, int flags)
{
	if (flags || !src || !dst)
		return -EINVAL;
	bool rs = isRemoteField(src->poolName), rd = isRemoteField(dst->poolName);
	RName sn, dn;
	int rc = 0;
	if (rs)
		rc = parseName(src, sn);
	if (!rc && rd)
		rc = parseName(dst, dn);
	if (rc)
		return rc;
	if (addOverflows(srcOffset, length) || addOverflows(dstOffset, length))
		return -EOVERFLOW;

	if (rs && rd && sn.node == dn.node) {
		// Both on one server: it copies in place.
		return onNode(s, sn.node, false, [&](RNode &n) {
			std::shared_ptr<RObj> so, dobj;
			bool st = false, dt = false;
			int rc2 = acquire(n, sn, so, st);
			if (!rc2)
				rc2 = acquire(n, dn, dobj, dt);
			if (!rc2 && length) {
				mfp_copy_req *q = reinterpret_cast<mfp_copy_req *>(
					n.conn.sbuf());
				memset(q, 0, sizeof(*q));
				q->src = so->handle;
				q->src_offset = srcOffset;
				q->dst = dobj->handle;
				q->dst_offset = dstOffset;
				q->length = length;
				rc2 = n.conn.call(q, sizeof(*q), MFP_COPY);
				if (!rc2)
					rc2 = statusOf(n.conn);
			}
			release(n, dobj, dt);
			release(n, so, st);
			return rc2;
		});
	}
	// Through a local buffer, one side at a time, as in BM_CopySec: the
	// checks of both sides first (a zero-length read checks a name).
	rc = BM_ReadSec(src, srcOffset, 0, nullptr, 0);
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

int gather(Session &s, const std::vector<const BmGatherItem *> &items,
	   BmOperatorCode op, int flags, BmInfo *dst, size_t *len)
{
	RName dn;
	if (flags)
		return -EINVAL;
	int rc = parseName(dst, dn);
	if (rc)
		return rc;
	std::vector<RName> srcs(items.size());
	for (size_t i = 0; i < items.size(); i++) {
		if (!items[i]->src)
			return -EINVAL;
		if (!isRemoteField(items[i]->src->poolName))
			return -EOPNOTSUPP; // mixed local and remote
		rc = parseName(items[i]->src, srcs[i]);
		if (rc)
			return rc;
		if (srcs[i].node != dn.node)
			return -EOPNOTSUPP; // sources on another node
		if (!items[i]->length)
			return -EINVAL;
		if (addOverflows(items[i]->offset, items[i]->length))
			return -EOVERFLOW;
	}
	if (items.size() > MFP_GATHER_MAX_ITEMS)
		return -EINVAL;
	return onNode(s, dn.node, false, [&](RNode &n) {
		std::vector<std::shared_ptr<RObj>> objs(items.size());
		std::vector<char> trans(items.size(), 0);
		std::shared_ptr<RObj> dobj;
		bool dt = false;
		int rc2 = 0;
		for (size_t i = 0; i < items.size() && !rc2; i++) {
			bool t = false;
			rc2 = acquire(n, srcs[i], objs[i], t);
			trans[i] = t;
		}
		if (!rc2)
			rc2 = acquire(n, dn, dobj, dt);
		if (!rc2) {
			mfp_gather_req *q = reinterpret_cast<mfp_gather_req *>(
				n.conn.sbuf());
			size_t qlen = sizeof(*q) +
				      items.size() * sizeof(mfp_gather_item);
			memset(q, 0, qlen);
			q->op = static_cast<uint32_t>(op);
			q->count = static_cast<uint32_t>(items.size());
			q->dst = dobj->handle;
			for (size_t i = 0; i < items.size(); i++) {
				q->items[i].handle = objs[i]->handle;
				q->items[i].offset = items[i]->offset;
				q->items[i].length = items[i]->length;
			}
			rc2 = n.conn.call(q, qlen, MFP_GATHER);
			if (!rc2)
				rc2 = statusOf(n.conn);
			if (!rc2 && len)
				*len = static_cast<size_t>(
					reinterpret_cast<const mfp_gather_rep *>(
						n.conn.rbuf())
						->length);
		}
		release(n, dobj, dt);
		for (size_t i = 0; i < items.size(); i++)
			release(n, objs[i], trans[i]);
		return rc2;
	});
}

int publish(Session &s, BmInfo *bi, int flags)
{
	RName nm;
	if (flags)
		return -EINVAL;
	int rc = parseName(bi, nm);
	if (rc)
		return rc;
	return onNode(s, nm.node, false, [&](RNode &n) {
		mfp_obj_rep rep;
		int rc2 = sendObjReq(n, MFP_PUBLISH, nm, 0, 0, &rep);
		auto it = n.objs.find(nm.key());
		if (it != n.objs.end() && rep.handle &&
		    rep.handle == it->second->handle)
			fillFrom(*it->second, rep); // registered again
		if (!rc2)
			bi->type = BM_TYPE_SHARED_RO;
		return rc2;
	});
}

int get(Session &s, BmInfo *bi, int flags)
{
	RName nm;
	if (flags)
		return -EINVAL;
	int rc = parseName(bi, nm);
	if (rc)
		return rc;
	return onNode(s, nm.node, false, [&](RNode &n) {
		mfp_obj_rep rep;
		// Always asked, so that the server's kernel checks the
		// secId and that the object still exists.
		int rc2 = sendObjReq(n, MFP_GET, nm, 0, 0, &rep);
		if (rc2)
			return rc2;
		// Everything that allocates comes first: a std::bad_alloc
		// must leave no null entry behind (put() uses the entries),
		// nor the server's new handle.
		std::shared_ptr<RObj> fresh;
		std::string key, secid;
		try {
			key = nm.key();
			secid = nm.secid;
			fresh = std::make_shared<RObj>();
			fresh->pool = nm.pool;
			fresh->ns = nm.ns;
			fresh->id = nm.id;
			fresh->secid = nm.secid;
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

int put(Session &s, BmInfo *bi, int flags)
{
	RName nm;
	if (flags)
		return -EINVAL;
	int rc = parseName(bi, nm);
	if (rc)
		return rc;
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
		rc = sendHandleReq(*n, MFP_PUT, h);
		if (rc && rc != -ENOENT)
			log(BM_LOG_INFO, "remote: put on node %s: %s",
			    nm.node.c_str(), systemErrorText(-rc));
	}
	// A lost connection took the server's handle with it.
	return 0;
}

int stat(Session &s, BmInfo *bi, BmStat *st)
{
	RName nm;
	if (!st)
		return -EINVAL;
	int rc = parseName(bi, nm);
	if (rc)
		return rc;
	return onNode(s, nm.node, true, [&](RNode &n) {
		std::shared_ptr<RObj> o;
		bool transient = false;
		int rc2 = acquire(n, nm, o, transient);
		if (rc2)
			return rc2;
		rc2 = sendHandleReq(n, MFP_STAT, o->handle);
		if (!rc2) {
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
		return rc2;
	});
}

void forkChild(Session &s) noexcept
{
	// The verbs resources are the parent's: never touch them here, nor
	// let this thread's fast path reach them (only it lives on).
	for (RFastSlot &f : t_rfast)
		f.serial = 0;
	if (s.remote)
		new std::shared_ptr<RemoteFabric>(std::move(s.remote));
}

} // namespace remote
} // namespace memfabric::detail
