// SPDX-License-Identifier: LGPL-2.1-or-later
//
// rdma_conn.cpp - one connection to a remote node's mfserverd: connecting
// (librdmacm), requests and their replies (net/mfproto.h), one-sided RDMA
// READ and WRITE through a registered bounce buffer, and the staged
// transfers of objects the server could not register.
#include "rdma_conn.hpp"

#include "mfproto.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

namespace memfabric::detail {

namespace {

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

} // namespace

static uint64_t nowNs()
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull +
	       static_cast<uint64_t>(ts.tv_nsec);
}


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

} // namespace memfabric::detail
