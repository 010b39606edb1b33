// SPDX-License-Identifier: GPL-2.0
//
// conn.cpp - mfserverd's connections: rdma_cm events (connect, accept,
// disconnect), each connection's protection domain, queue pair, receive
// and send buffers, its completions, and the reply to each request
// (requests.cpp makes it).  Each connection has its own protection
// domain, so an rkey is valid on that connection only; its end releases
// every handle it holds.
#include "mfserverd.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/epoll.h>

namespace mfserverd {

std::map<uint64_t, Conn *> g_conns;
int g_epoll = -1;

static uint64_t g_connNo;

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

static std::string peerOf(rdma_cm_id *id)
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

static void onConnectRequest(rdma_cm_event *ev)
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
static void pollCq(Conn &c, bool onlyUntilSendDone);

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
	if (ibv_post_send(c.id->qp, &wr, &bad)) {
		LOG_ERR("conn %llu: ibv_post_send: %s", (unsigned long long)c.no,
			strerror(errno));
		c.broken = true;
		return;
	}
	c.sendBusy = true;
}

static void onRecv(Conn &c, const ibv_wc &wc)
{
	unsigned slot = static_cast<unsigned>(wc.wr_id);
	char *in = c.rbuf + slot * MFP_MSG_MAX;
	// The previous reply's buffer must be free before it is rewritten.
	if (c.sendBusy)
		pollCq(c, true);
	if (c.broken)
		return;
	c.requests++;
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
static void pollCq(Conn &c, bool onlyUntilSendDone)
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

} // namespace mfserverd
