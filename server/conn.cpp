// SPDX-License-Identifier: GPL-2.0
//
// conn.cpp - mfserverd's connections: rdma_cm events (connect, accept,
// disconnect), each connection's protection domain, queue pair, receive
// and send buffers, its completions, and the reply to each request
// (requests.cpp makes it).  Each connection has its own protection
// domain, so an rkey is valid on that connection only; its end releases
// every handle it holds.
//
// Fair service (Documentation/remote.md, Fair service): completions only
// queue requests; serveTurn() then serves at most g_lim.requestsPerTurn
// requests of each connection in turn, so one client's flood waits for
// everybody else's turn.  Nothing here waits for a client: a reply is
// posted and its completion comes later (a client that posts no receive
// buffer gets kRnrRetry RNR retries, then its connection ends); a staged
// transfer waits on the completion channel with the deadline
// g_lim.opTimeoutMs.  The server sets its own retry counts on each queue
// pair; a client that cannot take an RDMA READ (depth 0) is refused.
// Keepalives (zero-length RDMA WRITEs) find dead peers; their
// handles, mappings and registrations go at once.
#include "mfserverd.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>

namespace mfserverd {

std::map<uint64_t, Conn *> g_conns;
int g_epoll = -1;

static uint64_t g_connNo;

time_t nowSec()
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int postRecv(Conn &c, unsigned slot)
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
	return ibv_post_recv(c.qp, &wr, &bad);
}

// Release what @c holds in the server: its handles (regions, mappings,
// references) and its staging buffer.  Done as soon as the connection
// breaks, not when rdma_cm reports the end, which may take long for a
// dead peer.
static void releaseConn(Conn &c)
{
	if (c.released)
		return;
	c.released = true;
	for (auto &kv : c.handles)
		closeHandle(c, kv.second);
	size_t n = c.handles.size();
	c.handles.clear();
	if (c.stageMr) {
		ibv_dereg_mr(c.stageMr);
		c.stageMr = nullptr;
		g_staging -= kStageChunk * kStageSlots;
	}
	free(c.stage);
	c.stage = nullptr;
	LOG_INFO("conn %llu (%s): closed after %llu requests; %zu handles "
		 "released; %llu bytes staged",
		 (unsigned long long)c.no, c.peer.c_str(),
		 (unsigned long long)c.requests, n,
		 (unsigned long long)c.staged);
}

// @c is broken: release it and disconnect (DISCONNECTED follows).
static void endConn(Conn &c)
{
	c.broken = true;
	releaseConn(c);
	c.pending.clear();
	if (c.id && c.established && !c.disconnecting) {
		c.disconnecting = true;
		rdma_disconnect(c.id);
	}
}

void destroyConn(Conn *c)
{
	releaseConn(*c);
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
	if (c->pd)
		ibv_dealloc_pd(c->pd);
	free(c->rbuf);
	free(c->sbuf);
	if (c->id)
		rdma_destroy_id(c->id);
	g_conns.erase(c->no);
	delete c;
}

static int setupConn(Conn &c)
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
	qa.cap.max_send_wr = kStageSlots + 4; // data, the reply, a keepalive
	qa.cap.max_recv_wr = MFP_RECV_DEPTH;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	if (rdma_create_qp(c.id, c.pd, &qa))
		return -errno;
	c.qp = c.id->qp;
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

// Move the queue pair of @c to RTR and RTS with the attributes rdma_cm
// derived from the connect request, but the server's own retry counts
// and ack timeout: a client's rnr_retry_count of 7 would make the
// server's sends retry for ever.  @resp: RDMA READs the server takes
// (responder resources), @init: those it issues (initiator depth).
static int qpToRts(Conn &c, uint8_t resp, uint8_t init)
{
	ibv_qp_attr a;
	int mask;
	// INIT again, with the connection's access flags (remote read and
	// write), as librdmacm does: rdma_create_qp made it with none.
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_INIT;
	if (rdma_init_qp_attr(c.id, &a, &mask))
		return -errno;
	int rc = ibv_modify_qp(c.qp, &a, mask);
	if (rc)
		return -rc;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	if (rdma_init_qp_attr(c.id, &a, &mask))
		return -errno;
	a.max_dest_rd_atomic = resp;
	rc = ibv_modify_qp(c.qp, &a, mask);
	if (rc)
		return -rc;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	if (rdma_init_qp_attr(c.id, &a, &mask))
		return -errno;
	a.max_rd_atomic = init;
	a.retry_cnt = kRetryCnt;
	a.rnr_retry = kRnrRetry;
	a.timeout = kAckTimeout;
	mask |= IBV_QP_MAX_QP_RD_ATOMIC | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
		IBV_QP_TIMEOUT;
	rc = ibv_modify_qp(c.qp, &a, mask);
	return -rc;
}

static std::string peerOf(rdma_cm_id *id, std::string *host)
{
	char buf[INET6_ADDRSTRLEN + 8] = "?";
	char a[INET6_ADDRSTRLEN] = "?";
	sockaddr *sa = rdma_get_peer_addr(id);
	if (sa && sa->sa_family == AF_INET) {
		auto *in = reinterpret_cast<sockaddr_in *>(sa);
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s:%u", a, ntohs(in->sin_port));
	} else if (sa && sa->sa_family == AF_INET6) {
		auto *in = reinterpret_cast<sockaddr_in6 *>(sa);
		inet_ntop(AF_INET6, &in->sin6_addr, a, sizeof(a));
		snprintf(buf, sizeof(buf), "[%s]:%u", a, ntohs(in->sin6_port));
	}
	*host = a;
	return buf;
}

// Why a connect request is refused before anything is made for it, or
// nullptr.
static const char *refusal(const rdma_conn_param &cp, const std::string &host)
{
	if (g_conns.size() >= g_lim.maxConns)
		return "max_connections reached";
	unsigned n = 0;
	for (auto &kv : g_conns)
		if (kv.second->host == host)
			n++;
	if (n >= g_lim.maxConnsPerHost)
		return "max_connections_per_host reached";
	// The staged WRITE needs RDMA READs of the server's (the client's
	// responder resources), direct reads the client's (the server's).
	if (!cp.responder_resources || !cp.initiator_depth)
		return "responder resources or initiator depth 0";
	return nullptr;
}

static void onConnectRequest(rdma_cm_event *ev)
{
	std::string host;
	std::string peer = peerOf(ev->id, &host);
	if (const char *why = refusal(ev->param.conn, host)) {
		LOG_INFO("connect request from %s refused: %s", peer.c_str(),
			 why);
		rdma_reject(ev->id, nullptr, 0);
		ev->id->context = nullptr;
		return;
	}
	Conn *c = new Conn;
	c->no = ++g_connNo;
	c->id = ev->id;
	c->peer = peer;
	c->host = host;
	c->since = c->lastHeard = c->lastRequest = nowSec();
	ev->id->context = c;
	g_conns[c->no] = c;
	int rc = setupConn(*c);
	if (!rc) {
		rdma_conn_param p;
		memset(&p, 0, sizeof(p));
		ibv_device_attr da;
		int rd = 16;
		if (!ibv_query_device(c->id->verbs, &da))
			rd = std::max(1, std::min(da.max_qp_rd_atom, 16));
		// The event's values are the server's side already (the
		// CM swapped the client's): its responder resources are
		// the client's initiator depth, and its initiator depth
		// the RDMA READs the client takes.
		p.responder_resources = static_cast<uint8_t>(
			std::min<int>(ev->param.conn.responder_resources, rd));
		p.initiator_depth = static_cast<uint8_t>(
			std::min<int>(ev->param.conn.initiator_depth, rd));
		c->maxRd = std::max(1u, static_cast<unsigned>(
						p.initiator_depth));
		p.retry_count = kRetryCnt;
		p.rnr_retry_count = 7; // the client's sends: it decides
		p.qp_num = c->qp->qp_num;
		rc = qpToRts(*c, p.responder_resources, p.initiator_depth);
		if (!rc) {
			// The queue pair is ready: librdmacm must not move it
			// again with the client's retry counts.
			c->id->qp = nullptr;
			if (rdma_accept(c->id, &p))
				rc = -errno;
			c->id->qp = c->qp;
		}
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

static void sendReply(Conn &c, size_t len)
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
	if (ibv_post_send(c.qp, &wr, &bad)) {
		LOG_ERR("conn %llu: ibv_post_send: %s", (unsigned long long)c.no,
			strerror(errno));
		c.broken = true;
		return;
	}
	c.sendBusy = true;
	c.sendSince = nowSec();
}

// Serve one queued request of @c (its previous reply's send completed).
static void onRecv(Conn &c, const ibv_wc &wc)
{
	unsigned slot = static_cast<unsigned>(wc.wr_id);
	char *in = c.rbuf + slot * MFP_MSG_MAX;
	c.requests++;
	c.lastRequest = c.lastHeard = nowSec();
	size_t len = handleRequest(c, in, wc.byte_len, c.sbuf);
	if (c.broken) // a staged transfer failed: no reply, the end
		return;
	if (postRecv(c, slot)) {
		c.broken = true;
		return;
	}
	sendReply(c, len);
}

// One completion of @c: the reply sent, a data transfer done (kept for
// waitData), a keepalive, or a request received (queued for onRecv).
void reap(Conn &c, const ibv_wc &wc)
{
	bool data = wc.wr_id < kKeepaliveWr && (wc.wr_id & kDataWr);
	const char *what = wc.wr_id == kSendWr	    ? "send"
			   : wc.wr_id == kKeepaliveWr ? "keepalive"
			   : data		      ? "RDMA"
						      : "recv";
	if (wc.status != IBV_WC_SUCCESS) {
		if (!c.broken)
			LOG_INFO("conn %llu: completion %s: %s",
				 (unsigned long long)c.no, what,
				 ibv_wc_status_str(wc.status));
		c.broken = true;
	}
	if (wc.wr_id == kSendWr) {
		c.sendBusy = false;
	} else if (wc.wr_id == kKeepaliveWr) {
		c.kaBusy = false;
		if (wc.status == IBV_WC_SUCCESS)
			c.lastHeard = nowSec();
	} else if (data) {
		c.dataDone[wc.wr_id] = wc.status;
	} else if (wc.status == IBV_WC_SUCCESS) {
		// Only a SEND is a request: an RDMA WRITE with immediate
		// (through a writable rkey of the client's) consumes a
		// receive too, and would replay the old request in its
		// buffer.
		if (wc.opcode != IBV_WC_RECV || (wc.wc_flags & IBV_WC_WITH_IMM) ||
		    wc.wr_id >= MFP_RECV_DEPTH) {
			LOG_INFO("conn %llu (%s): a receive that is no SEND "
				 "(opcode %d, flags %#x): the end",
				 (unsigned long long)c.no, c.peer.c_str(),
				 wc.opcode, wc.wc_flags);
			c.broken = true;
			return;
		}
		c.pending.push_back(wc);
	}
}

// Reap every completion of @c (requests are only queued).
static void drainCq(Conn &c)
{
	ibv_wc wc[8];
	for (;;) {
		int n = ibv_poll_cq(c.cq, 8, wc);
		if (n < 0) {
			c.broken = true;
			return;
		}
		for (int i = 0; i < n; i++)
			reap(c, wc[i]);
		if (n < 8)
			return;
	}
}

static void ackCqEvents(Conn &c)
{
	ibv_cq *cq;
	void *ctx;
	while (ibv_get_cq_event(c.ch, &cq, &ctx) == 0)
		ibv_ack_cq_events(cq, 1);
}

int waitCq(Conn &c, int ms)
{
	if (ibv_req_notify_cq(c.cq, 0))
		return -EIO;
	// A completion may have come before the request to notify.
	ibv_wc wc;
	int n = ibv_poll_cq(c.cq, 1, &wc);
	if (n < 0)
		return -EIO;
	if (n) {
		reap(c, wc);
		return 0;
	}
	pollfd pfd = { c.ch->fd, POLLIN, 0 };
	int rc = poll(&pfd, 1, ms);
	ackCqEvents(c);
	return rc < 0 && errno != EINTR ? -errno : 0;
}

void onCqEvent(Conn &c)
{
	ackCqEvents(c);
	ibv_req_notify_cq(c.cq, 0);
	drainCq(c);
	if (c.broken)
		endConn(c);
}

bool serveTurn()
{
	bool more = false;
	for (auto &kv : g_conns) {
		Conn &c = *kv.second;
		for (unsigned i = 0; i < g_lim.requestsPerTurn; i++) {
			if (c.broken || c.pending.empty())
				break;
			if (c.sendBusy) {
				// Its reply's completion may be there.
				drainCq(c);
				if (c.sendBusy)
					break;
			}
			ibv_wc w = c.pending.front();
			c.pending.pop_front();
			onRecv(c, w);
		}
		if (c.broken)
			endConn(c);
		else if (!c.pending.empty() && !c.sendBusy)
			more = true;
	}
	return more;
}

// A zero-length RDMA WRITE: no rkey or address needed (IBTA C9-88),
// nothing written, but acknowledged by a live peer; a dead one makes it
// fail after the retries, which ends the connection.
static void keepalive(Conn &c)
{
	ibv_send_wr wr, *bad;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = kKeepaliveWr;
	wr.opcode = IBV_WR_RDMA_WRITE;
	wr.send_flags = IBV_SEND_SIGNALED;
	if (ibv_post_send(c.qp, &wr, &bad)) {
		c.broken = true;
		return;
	}
	c.kaBusy = true;
	c.kaSince = nowSec();
}

void tick()
{
	time_t now = nowSec();
	time_t opSec = (g_lim.opTimeoutMs + 999) / 1000;
	for (auto &kv : g_conns) {
		Conn &c = *kv.second;
		if (!c.broken && c.auth.state != AuthState::kDone &&
		    now - c.since >= static_cast<time_t>(g_lim.authTimeoutSec)) {
			// Not authenticated in time (or refused and silent
			// since): its connection slot goes back.
			LOG_WARN("conn %llu (%s): not authenticated within %u s: "
				 "the end",
				 (unsigned long long)c.no, c.peer.c_str(),
				 g_lim.authTimeoutSec);
			c.broken = true;
		} else if (!c.broken && c.established) {
			drainCq(c);
			if (c.sendBusy && now - c.sendSince > opSec) {
				LOG_INFO("conn %llu (%s): reply not completed in "
					 "%u ms: the end",
					 (unsigned long long)c.no,
					 c.peer.c_str(), g_lim.opTimeoutMs);
				c.broken = true;
			} else if (c.kaBusy && now - c.kaSince > opSec + 5) {
				LOG_INFO("conn %llu (%s): keepalive not "
					 "completed: the end",
					 (unsigned long long)c.no,
					 c.peer.c_str());
				c.broken = true;
			} else if (g_lim.idleTimeoutSec &&
				   now - c.lastRequest >
					   static_cast<time_t>(
						   g_lim.idleTimeoutSec) &&
				   c.handles.empty()) {
				LOG_INFO("conn %llu (%s): idle for %u s, no "
					 "handle: the end",
					 (unsigned long long)c.no,
					 c.peer.c_str(), g_lim.idleTimeoutSec);
				c.broken = true;
			} else if (!c.kaBusy &&
				   now - c.lastHeard >=
					   static_cast<time_t>(
						   g_lim.keepaliveSec)) {
				keepalive(c);
			}
		} else if (!c.established && !c.broken &&
			   now - c.lastHeard > 60) {
			// Accepted but never established.
			c.broken = true;
		}
		if (c.broken)
			endConn(c);
	}
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
			c->lastHeard = nowSec();
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

} // namespace mfserverd
