// SPDX-License-Identifier: GPL-2.0
/*
 * t_remote_hostile.c - clients that misbehave towards mfserverd, and a
 * good client that measures its latency meanwhile (Documentation/
 * remote.md, Fair service and Limits).  Not a test of its own:
 * tests/guest/t_remote_hostile.sh sets up rxe and the server (with a
 * limits file of small caps) and runs one mode per feature:
 *
 *   setup                 namespace and objects (library)
 *   params                connects with responder resources 0 and with
 *                         initiator depth 0: both refused
 *   withhold SECONDS      sends requests, posts no receive buffer (rnr
 *                         retry 7): the server ends the connection
 *   flood SECONDS N       N connections, each keeping MFP_RECV_DEPTH
 *                         requests in flight (STATs and 32 KiB READs)
 *   good SECONDS          latency of STAT requests (library): prints
 *                         "LAT: median max" in microseconds
 *   replay                an RDMA WRITE with immediate through a writable
 *                         rkey: the connection ends, nothing replayed
 *   caps                  connections per host, handles per connection,
 *                         pinned bytes, staging: the errors
 *   midreq                a 4 MiB staged READ, then exit at once
 *   deadpeer              GET a writable object, put the own QP in the
 *                         error state without disconnecting, sleep
 *   idle SECONDS          a raw client quiet for SECONDS, then served
 *   hold                  GET a writable object (library), sleep (killed)
 *   publish SECONDS       publish "victim" (library), retrying on -EBUSY
 *                         for at most SECONDS: prints the time it took
 *   lookup NODE SECONDS   BM_GetSec on NODE:pool0 returns an error within
 *                         SECONDS (forged etcd record, silent etcd)
 *   noauth                a raw client that skips HELLO and AUTH: its
 *                         GET is -EACCES (a bare header), its next
 *                         request ends the connection
 *   unauth N SECONDS      N raw connections that never AUTH (even ones
 *                         send nothing, odd ones only HELLO): the server
 *                         ends each SECONDS (its auth_timeout_s) after
 *                         its connect, at most 2 s more, not before
 *                         SECONDS less 2; then N + 1
 *                         authenticated connections open (the slots came
 *                         back; the script runs `good` meanwhile)
 *
 * mfserverd demands authentication (protocol 4, net/mfproto.h): the
 * library modes read $T_REMOTE_CONFIG (remote_client, remote_key), and
 * the raw client does HELLO and AUTH itself, as client $T_REMOTE_CLIENT
 * with the key file $T_REMOTE_KEY, before anything else (raw_connect),
 * so that its attacks reach the fairness and limits code and not the
 * refusal of unauthenticated requests.
 *
 * Exit status: 0 all passed, 1 a check failed, 77 cannot run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <rdma/rdma_cma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "../../net/mfproto.h"
#include "mfremote.h"
#include <memfabric/bm.h>

#define NS "t_hostile"
#define SEC "hostile-secret"
#define SERVER_ADDR "10.77.0.1"
/* The node the raw client names in HELLO (the MACs cover it): the name
 * init() gives the server, as the library names it. */
#define SERVER_NODE "s1"

static int fails;

static void check(int ok, const char *what)
{
	printf("%s: t_remote_hostile: %s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		fails++;
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static BmInfo info(const char *id)
{
	return mfr_info("s1:pool0", NS, SEC, id);
}

/* $T_REMOTE_CONFIG: the config file with remote_client and remote_key
 * (t_remote_hostile.sh); the server and etcd come from here. */
static int init(const char *etcd)
{
	const char *conf = getenv("T_REMOTE_CONFIG");
	BmInitAttr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.remoteNodes = SERVER_NODE "=" SERVER_ADDR ":7471";
	a.etcd = etcd;
	return BM_InitWithExtAttr(conf && *conf ? (char *)conf : NULL, 0, &a);
}

/* ---- a raw client ------------------------------------------------------- */

struct raw {
	struct rdma_event_channel *ec;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_comp_channel *ch;
	struct ibv_cq *cq;
	char *buf; /* MFP_RECV_DEPTH requests, replies, 4 MiB of data */
	struct ibv_mr *mr;
	uint64_t seq;
};

#define RAW_DATA (2 * MFP_RECV_DEPTH * MFP_MSG_MAX)
#define RAW_LEN (RAW_DATA + (4u << 20))

static int raw_wait(struct raw *r, enum rdma_cm_event_type want, int ms)
{
	struct rdma_cm_event *ev;
	struct pollfd p = { r->ec->fd, POLLIN, 0 };
	int ok;

	if (poll(&p, 1, ms) != 1 || rdma_get_cm_event(r->ec, &ev))
		return -1;
	ok = ev->event == want;
	if (!ok)
		fprintf(stderr, "cm event %s, not %s\n",
			rdma_event_str(ev->event), rdma_event_str(want));
	rdma_ack_cm_event(ev);
	return ok ? 0 : -1;
}

/* Connect with @resp responder resources and @init initiator depth,
 * without authenticating (raw_connect does). */
static int raw_open(struct raw *r, int resp, int init)
{
	struct addrinfo *ai;
	struct ibv_qp_init_attr qa;
	struct rdma_conn_param p;

	memset(r, 0, sizeof(*r));
	if (getaddrinfo(SERVER_ADDR, "7471", NULL, &ai))
		return -1;
	r->ec = rdma_create_event_channel();
	if (!r->ec || rdma_create_id(r->ec, &r->id, NULL, RDMA_PS_TCP) ||
	    rdma_resolve_addr(r->id, NULL, ai->ai_addr, 5000) ||
	    raw_wait(r, RDMA_CM_EVENT_ADDR_RESOLVED, 10000) ||
	    rdma_resolve_route(r->id, 5000) ||
	    raw_wait(r, RDMA_CM_EVENT_ROUTE_RESOLVED, 10000))
		return -1;
	freeaddrinfo(ai);
	r->pd = ibv_alloc_pd(r->id->verbs);
	r->ch = ibv_create_comp_channel(r->id->verbs);
	r->cq = ibv_create_cq(r->id->verbs, 32, NULL, r->ch, 0);
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = qa.recv_cq = r->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = qa.cap.max_recv_wr = 8;
	qa.cap.max_send_sge = qa.cap.max_recv_sge = 1;
	if (!r->pd || !r->cq || rdma_create_qp(r->id, r->pd, &qa))
		return -1;
	r->buf = aligned_alloc(4096, RAW_LEN);
	r->mr = ibv_reg_mr(r->pd, r->buf, RAW_LEN,
			   IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
				   IBV_ACCESS_REMOTE_READ);
	memset(&p, 0, sizeof(p));
	p.initiator_depth = (uint8_t)init;
	p.responder_resources = (uint8_t)resp;
	p.retry_count = 7;
	p.rnr_retry_count = 7; /* for ever, if the server took it */
	if (!r->mr || rdma_connect(r->id, &p) ||
	    raw_wait(r, RDMA_CM_EVENT_ESTABLISHED, 20000))
		return -1;
	return 0;
}

static void raw_close(struct raw *r)
{
	if (r->id) {
		rdma_disconnect(r->id);
		if (r->id->qp)
			rdma_destroy_qp(r->id);
	}
	if (r->mr)
		ibv_dereg_mr(r->mr);
	if (r->cq)
		ibv_destroy_cq(r->cq);
	if (r->ch)
		ibv_destroy_comp_channel(r->ch);
	if (r->pd)
		ibv_dealloc_pd(r->pd);
	if (r->id)
		rdma_destroy_id(r->id);
	if (r->ec)
		rdma_destroy_event_channel(r->ec);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

/* Wait (blocking on the channel, no spinning) for one completion. */
static int raw_wc(struct raw *r, struct ibv_wc *wc, int ms)
{
	for (;;) {
		int n = ibv_poll_cq(r->cq, 1, wc);
		struct ibv_cq *cq;
		void *ctx;
		struct pollfd p = { r->ch->fd, POLLIN, 0 };

		if (n)
			return n < 0 ? -1 : 0;
		ibv_req_notify_cq(r->cq, 0);
		n = ibv_poll_cq(r->cq, 1, wc);
		if (n)
			return n < 0 ? -1 : 0;
		if (poll(&p, 1, ms) != 1)
			return -1;
		if (!ibv_get_cq_event(r->ch, &cq, &ctx))
			ibv_ack_cq_events(cq, 1);
	}
}

/* Post request slot @s (built at its place in r->buf) and, if @recv, a
 * receive for its reply. */
static int raw_post(struct raw *r, unsigned s, size_t len, uint16_t op,
		    int recv)
{
	char *q = r->buf + s * MFP_MSG_MAX;
	char *rep = r->buf + (MFP_RECV_DEPTH + s) * MFP_MSG_MAX;
	struct mfp_hdr *h = (struct mfp_hdr *)q;
	struct ibv_sge rs = { (uintptr_t)rep, MFP_MSG_MAX, r->mr->lkey };
	struct ibv_sge ss = { (uintptr_t)q, (uint32_t)len, r->mr->lkey };
	struct ibv_recv_wr rw = { .wr_id = 100 + s, .sg_list = &rs,
				  .num_sge = 1 };
	struct ibv_send_wr sw = { .wr_id = s, .sg_list = &ss, .num_sge = 1,
				  .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED };
	struct ibv_recv_wr *rb;
	struct ibv_send_wr *sb;

	h->magic = MFP_MAGIC;
	h->version = MFP_VERSION;
	h->op = op;
	h->length = (uint32_t)len;
	h->seq = ++r->seq;
	if (recv && ibv_post_recv(r->id->qp, &rw, &rb))
		return -1;
	return ibv_post_send(r->id->qp, &sw, &sb) ? -1 : 0;
}

/* One request in slot 0 and its reply: the reply's status, or -1000. */
static int raw_call(struct raw *r, size_t len, uint16_t op)
{
	struct ibv_wc wc;
	int got = 0;

	if (raw_post(r, 0, len, op, 1))
		return -1000;
	while (got < 2) {
		if (raw_wc(r, &wc, 20000) || wc.status != IBV_WC_SUCCESS)
			return -1000;
		got++;
	}
	return ((struct mfp_hdr *)(r->buf + MFP_RECV_DEPTH * MFP_MSG_MAX))
		->status;
}

static const struct mfp_obj_rep *rep0(struct raw *r)
{
	return (const struct mfp_obj_rep *)(r->buf +
					    MFP_RECV_DEPTH * MFP_MSG_MAX);
}

static void build_get(struct raw *r, unsigned s, const char *id)
{
	struct mfp_obj_req *q = (struct mfp_obj_req *)(r->buf + s * MFP_MSG_MAX);

	memset(q, 0, sizeof(*q));
	strcpy(q->name.pool, "pool0");
	strcpy(q->name.ns, NS);
	strcpy(q->name.secid, SEC);
	strcpy(q->name.id, id);
}

static int raw_get(struct raw *r, const char *id, struct mfp_obj_rep *out)
{
	int rc;

	build_get(r, 0, id);
	rc = raw_call(r, sizeof(struct mfp_obj_req), MFP_GET);
	if (!rc && out)
		*out = *rep0(r);
	return rc;
}

static void build_io(struct raw *r, unsigned s, uint64_t handle, uint64_t len)
{
	struct mfp_io_req *q = (struct mfp_io_req *)(r->buf + s * MFP_MSG_MAX);

	memset(q, 0, sizeof(*q));
	q->handle = handle;
	q->length = len;
	q->addr = (uintptr_t)(r->buf + RAW_DATA);
	q->rkey = r->mr->rkey;
}

/* Whether the server ended the connection within @ms (DISCONNECTED). */
static int raw_ended(struct raw *r, int ms)
{
	return raw_wait(r, RDMA_CM_EVENT_DISCONNECTED, ms) == 0;
}

/* HMAC-SHA256 with @key of struct mfp_auth_transcript { @label, @client,
 * SERVER_NODE, @cn, @sn }, byte for byte as net/mfauth.cpp makes it
 * (names zero-padded).  0 or -1. */
static int raw_mac(const unsigned char *key, size_t klen, const char *label,
		   const char *client, const uint8_t *cn, const uint8_t *sn,
		   uint8_t out[MFP_MAC_LEN])
{
	struct mfp_auth_transcript t;
	unsigned len = 0;

	memset(&t, 0, sizeof(t));
	strncpy(t.label, label, sizeof(t.label) - 1);
	strncpy(t.client, client, sizeof(t.client) - 1);
	strncpy(t.node, SERVER_NODE, sizeof(t.node) - 1);
	memcpy(t.client_nonce, cn, MFP_NONCE_LEN);
	memcpy(t.server_nonce, sn, MFP_NONCE_LEN);
	if (!HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)&t,
		  sizeof(t), out, &len) ||
	    len != MFP_MAC_LEN)
		return -1;
	return 0;
}

/*
 * HELLO and AUTH (net/mfproto.h, protocol 4) as client $T_REMOTE_CLIENT
 * with the key in $T_REMOTE_KEY: the server's proof is checked before
 * AUTH is sent.  0; a refusal's status (-EACCES); -1 (no key, the
 * transport, a reply too short); -2 (the server's MAC is wrong).
 */
static int raw_auth(struct raw *r)
{
	const char *client = getenv("T_REMOTE_CLIENT");
	const char *kf = getenv("T_REMOTE_KEY");
	struct mfp_hello *h = (struct mfp_hello *)r->buf;
	const struct mfp_hello *rep =
		(const struct mfp_hello *)(r->buf + MFP_RECV_DEPTH * MFP_MSG_MAX);
	struct mfp_auth *a = (struct mfp_auth *)r->buf;
	unsigned char key[4096 + 1];
	uint8_t cn[MFP_NONCE_LEN], sn[MFP_NONCE_LEN], want[MFP_MAC_LEN];
	size_t klen;
	FILE *f;
	int rc;

	if (!client || !*client || !kf || !(f = fopen(kf, "r"))) {
		fprintf(stderr, "raw_auth: no $T_REMOTE_CLIENT or no key file "
				"$T_REMOTE_KEY\n");
		return -1;
	}
	klen = fread(key, 1, sizeof(key), f);
	fclose(f);
	if (klen < 16 || klen > 4096) {
		fprintf(stderr, "raw_auth: %s: a key is 16 to 4096 bytes\n", kf);
		rc = -1;
		goto out;
	}
	memset(h, 0, sizeof(*h));
	strcpy(h->node, SERVER_NODE);
	snprintf(h->client, sizeof(h->client), "%s", client);
	if (RAND_bytes(cn, sizeof(cn)) != 1) {
		rc = -1;
		goto out;
	}
	memcpy(h->client_nonce, cn, sizeof(cn));
	rc = raw_call(r, sizeof(*h), MFP_HELLO);
	if (rc) {
		fprintf(stderr, "raw_auth: HELLO: %d\n", rc);
		goto out;
	}
	if (rep->h.length < sizeof(*rep)) {
		fprintf(stderr, "raw_auth: HELLO reply of %u bytes\n",
			rep->h.length);
		rc = -1;
		goto out;
	}
	memcpy(sn, rep->server_nonce, sizeof(sn));
	if (raw_mac(key, klen, MFP_AUTH_SERVER, client, cn, sn, want)) {
		rc = -1;
		goto out;
	}
	/* The server proves that it knows the key before anything else
	 * (a secId above all) is sent. */
	if (CRYPTO_memcmp(want, rep->mac, MFP_MAC_LEN)) {
		fprintf(stderr, "raw_auth: the server's MAC is wrong\n");
		rc = -2;
		goto out;
	}
	memset(a, 0, sizeof(*a));
	if (raw_mac(key, klen, MFP_AUTH_CLIENT, client, cn, sn, a->mac)) {
		rc = -1;
		goto out;
	}
	rc = raw_call(r, sizeof(*a), MFP_AUTH);
	if (rc)
		fprintf(stderr, "raw_auth: AUTH: %d\n", rc);
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(r->buf, sizeof(*h));
	return rc;
}

/* raw_open, then HELLO and AUTH: a client the server serves.  0 or -1. */
static int raw_connect(struct raw *r, int resp, int init)
{
	if (raw_open(r, resp, init))
		return -1;
	return raw_auth(r) ? -1 : 0;
}

/* ---- the modes ---------------------------------------------------------- */

/* A client that skips HELLO and AUTH gets nothing: its GET (right
 * secId) is -EACCES with a bare header, and its next request gets no
 * reply: the server ends the connection. */
static void m_noauth(void)
{
	struct raw r;
	struct ibv_wc wc;
	const struct mfp_obj_rep *rep;
	int rc, replies = 0;

	if (raw_open(&r, 1, 1)) {
		check(0, "noauth: connect");
		raw_close(&r);
		return;
	}
	build_get(&r, 0, "small");
	/* Zeroed: what the reply does not write stays 0. */
	memset(r.buf + MFP_RECV_DEPTH * MFP_MSG_MAX, 0, MFP_MSG_MAX);
	rc = raw_call(&r, sizeof(struct mfp_obj_req), MFP_GET);
	check(rc == -EACCES, "noauth: a GET before HELLO and AUTH is -EACCES");
	rep = rep0(&r);
	check(rep->h.length == sizeof(struct mfp_hdr) && rep->handle == 0 &&
		      rep->rkey == 0 && rep->addr == 0,
	      "noauth: ... with a bare header: no handle, no rkey");
	build_get(&r, 0, "small");
	raw_post(&r, 0, sizeof(struct mfp_obj_req), MFP_GET, 1);
	check(raw_ended(&r, 20000),
	      "noauth: the next request ends the connection");
	while (ibv_poll_cq(r.cq, 1, &wc) == 1)
		if (wc.wr_id >= 100 && wc.status == IBV_WC_SUCCESS)
			replies++;
	check(replies == 0, "noauth: ... without a reply");
	raw_close(&r);
}

/* HELLO as $T_REMOTE_CLIENT, no AUTH after it: the reply's status. */
static int raw_hello(struct raw *r)
{
	const char *client = getenv("T_REMOTE_CLIENT");
	struct mfp_hello *h = (struct mfp_hello *)r->buf;

	memset(h, 0, sizeof(*h));
	strcpy(h->node, SERVER_NODE);
	snprintf(h->client, sizeof(h->client), "%s", client ? client : "");
	if (RAND_bytes(h->client_nonce, MFP_NONCE_LEN) != 1)
		return -1000;
	return raw_call(r, sizeof(*h), MFP_HELLO);
}

/*
 * @n connections that never authenticate hold connection slots only until
 * auth_timeout_s (@deadline, from t_remote_hostile.sh's limits file): the
 * server ends each within [@deadline - 2, @deadline + 2] seconds of its
 * ESTABLISHED here (the server counts whole seconds from the connect
 * request, once a second, and the disconnect takes its time under TCG).  Then
 * @n + 1 authenticated connections open: with max_connections_per_host 6
 * and @n 4 that needs the slots of the unauthenticated ones back.
 */
static void m_unauth(int n, int deadline)
{
	struct raw r[8];
	double conn_at[8], end_at[8];
	struct pollfd p[8];
	int up = 0, hello = 0, ended = 0, early = 0, late = 0;
	double stop;

	if (n < 1 || n > 4)
		n = 4;
	for (int i = 0; i < n; i++) {
		if (raw_open(&r[i], 1, 1)) {
			raw_close(&r[i]);
			break;
		}
		conn_at[i] = now_s();
		end_at[i] = 0;
		up++;
		if ((i & 1) && raw_hello(&r[i]) == 0)
			hello++;
	}
	check(up == n, "unauth: connections without AUTH are accepted");
	check(hello == n / 2, "unauth: ... and a HELLO without AUTH answered");
	printf("UNAUTH: ready\n");
	fflush(stdout);
	stop = now_s() + deadline + 10;
	while (ended < up && now_s() < stop) {
		for (int i = 0; i < up; i++) {
			p[i].fd = r[i].ec->fd;
			p[i].events = end_at[i] ? 0 : POLLIN;
			p[i].revents = 0;
		}
		if (poll(p, (nfds_t)up, 500) <= 0)
			continue;
		for (int i = 0; i < up; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			if (raw_wait(&r[i], RDMA_CM_EVENT_DISCONNECTED, 0)) {
				check(0, "unauth: a cm event other than "
					 "DISCONNECTED");
				end_at[i] = -1;
			} else {
				end_at[i] = now_s();
			}
			ended++;
		}
	}
	for (int i = 0; i < up; i++) {
		double t = end_at[i] > 0 ? end_at[i] - conn_at[i] : -1;

		printf("INFO: unauth: connection %d (%s) ended after %.1f s\n",
		       i, i & 1 ? "HELLO only" : "silent", t);
		if (t < 0 || t > deadline + 2)
			late++;
		else if (t < deadline - 2)
			early++;
	}
	check(ended == up && !late,
	      "unauth: the server ends each unauthenticated connection within "
	      "auth_timeout_s + 2 s");
	check(!early, "unauth: ... and not before auth_timeout_s - 2 s");
	for (int i = 0; i < up; i++)
		raw_close(&r[i]);
	sleep(1);
	up = 0;
	for (int i = 0; i <= n; i++) {
		if (raw_connect(&r[i], 1, 1) || raw_get(&r[i], "small", NULL)) {
			raw_close(&r[i]);
			break;
		}
		up++;
	}
	check(up == n + 1, "unauth: their slots came back (n + 1 "
			   "authenticated connections served)");
	for (int i = 0; i < up; i++)
		raw_close(&r[i]);
}

static void m_setup(void)
{
	BmInfo v = info("victim"), w = info("victim2"), s = info("small"),
	       b = info("big");

	BM_DestroyNSSec("s1:pool0", NS, SEC);
	check(BM_CreateNSSec("s1:pool0", NS, 0, SEC) == 0, "setup: namespace");
	check(BM_AllocSec(&v, 1 << 20, 0, NULL) == 0, "setup: victim");
	check(BM_AllocSec(&w, 1 << 20, 0, NULL) == 0, "setup: victim2");
	check(BM_AllocSec(&s, 4096, 0, NULL) == 0, "setup: small");
	check(BM_AllocSec(&b, 4u << 20, 0, NULL) == 0, "setup: big (4 MiB)");
	/* The objects stay: the session's references go at exit. */
}

static void m_params(void)
{
	struct raw r;

	check(raw_connect(&r, 0, 1) != 0,
	      "params: responder resources 0 is refused");
	raw_close(&r);
	check(raw_connect(&r, 1, 0) != 0,
	      "params: initiator depth 0 is refused");
	raw_close(&r);
	check(raw_connect(&r, 1, 1) == 0, "params: depth 1/1 is accepted");
	check(raw_get(&r, "small", NULL) == 0, "params: ... and served");
	raw_close(&r);
}

/* Requests without receive buffers for their replies: the server's
 * sends get RNR NAKs; it ends the connection after its own retries. */
static void m_withhold(int secs)
{
	struct raw r;
	double t0;
	int ended;

	if (raw_connect(&r, 1, 1)) {
		check(0, "withhold: connect");
		return;
	}
	for (unsigned s = 0; s < MFP_RECV_DEPTH; s++) {
		struct mfp_hdr *h = (struct mfp_hdr *)(r.buf + s * MFP_MSG_MAX);
		memset(h, 0, sizeof(*h));
		raw_post(&r, s, sizeof(*h), MFP_LIST, 0);
	}
	t0 = now_s();
	ended = raw_ended(&r, secs * 1000);
	printf("INFO: withhold: ended after %.1f s\n", now_s() - t0);
	check(ended, "withhold: the server ends a connection that posts no "
		     "receive buffer (RNR retries of its own)");
	raw_close(&r);
}

/* @n connections, each with MFP_RECV_DEPTH requests in flight: STAT of
 * "small" on even slots, 32 KiB READs of "big" in the messages (the
 * server's BM_ReadSec) on odd ones. */
static void m_flood(int secs, int n)
{
	struct raw *r = calloc((size_t)n, sizeof(*r));
	uint64_t hs[64], hb[64];
	unsigned long done = 0, errs = 0;
	double end;
	int up = 0;

	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++) {
		struct mfp_obj_rep rep;
		if (raw_connect(&r[i], 1, 1) || raw_get(&r[i], "small", &rep))
			break;
		hs[i] = rep.handle;
		if (raw_get(&r[i], "big", &rep))
			break;
		hb[i] = rep.handle;
		up++;
	}
	check(up == n, "flood: connections up");
	printf("FLOOD: started\n");
	fflush(stdout);
	for (int i = 0; i < up; i++)
		for (unsigned s = 0; s < MFP_RECV_DEPTH; s++) {
			if (s & 1) {
				struct mfp_io_req *q =
					(void *)(r[i].buf + s * MFP_MSG_MAX);
				build_io(&r[i], s, hb[i], 32768);
				q->addr = 0;
				q->rkey = 0;
				q->flags = MFP_IO_INLINE;
				raw_post(&r[i], s, sizeof(*q), MFP_READ, 1);
			} else {
				struct mfp_handle_req *q =
					(void *)(r[i].buf + s * MFP_MSG_MAX);
				q->handle = hs[i];
				raw_post(&r[i], s, sizeof(*q), MFP_STAT, 1);
			}
		}
	end = now_s() + secs;
	while (now_s() < end) {
		for (int i = 0; i < up; i++) {
			struct ibv_wc wc;
			while (ibv_poll_cq(r[i].cq, 1, &wc) == 1) {
				unsigned s;
				if (wc.status != IBV_WC_SUCCESS) {
					errs++;
					continue;
				}
				if (wc.wr_id < 100)
					continue; /* our send */
				s = (unsigned)(wc.wr_id - 100);
				done++;
				/* again, same slot, same request */
				raw_post(&r[i], s,
					 ((struct mfp_hdr *)(r[i].buf +
							     s * MFP_MSG_MAX))
						 ->length,
					 ((struct mfp_hdr *)(r[i].buf +
							     s * MFP_MSG_MAX))
						 ->op,
					 1);
			}
		}
		usleep(2000);
	}
	printf("INFO: flood: %lu requests answered, %lu errors, %d "
	       "connections\n", done, errs, up);
	check(done > 0, "flood: the flood was served");
	for (int i = 0; i < up; i++)
		raw_close(&r[i]);
	free(r);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* STATs of "small" through the library for @secs: median and max. */
static void m_good(int secs)
{
	BmInfo s = info("small");
	BmStat st;
	static double lat[200000];
	size_t n = 0;
	double end;
	int errs = 0;

	if (BM_GetSec(&s, 0)) {
		check(0, "good: get small");
		return;
	}
	end = now_s() + secs;
	while (now_s() < end && n < sizeof(lat) / sizeof(lat[0])) {
		double t = now_s();
		if (BM_StatSec(&s, &st) || st.size != 4096)
			errs++;
		lat[n++] = (now_s() - t) * 1e6;
		usleep(5000);
	}
	qsort(lat, n, sizeof(lat[0]), cmp_d);
	check(errs == 0 && n > 0, "good: every STAT answered right");
	printf("LAT: %.0f %.0f %.0f %zu\n", n ? lat[n / 2] : 0,
	       n ? lat[n * 9 / 10] : 0, n ? lat[n - 1] : 0, n);
	BM_PutSec(&s, 0);
}

/* An RDMA WRITE with immediate through the writable rkey of "victim"
 * consumes one of the server's receive buffers, which still holds the
 * GET: the server must end the connection instead of replaying it. */
static void m_replay(void)
{
	struct raw r;
	struct mfp_obj_rep rep;
	struct ibv_sge s;
	struct ibv_send_wr w, *b;
	struct ibv_wc wc;

	if (raw_connect(&r, 1, 1) || raw_get(&r, "victim", &rep)) {
		check(0, "replay: connect and get");
		return;
	}
	if (rep.flags & MFP_OBJ_STAGED) {
		printf("INFO: replay: victim is staged here; the write with "
		       "immediate goes to the staged rkey-less path\n");
	}
	check(rep.addr == 0 || (rep.flags & MFP_OBJ_STAGED),
	      "replay: the reply carries an offset (0), not a server address");
	s.addr = (uintptr_t)r.buf;
	s.length = 8;
	s.lkey = r.mr->lkey;
	memset(&w, 0, sizeof(w));
	w.wr_id = 7;
	w.sg_list = &s;
	w.num_sge = 1;
	w.opcode = IBV_WR_RDMA_WRITE_WITH_IMM;
	w.send_flags = IBV_SEND_SIGNALED;
	w.imm_data = 1;
	w.wr.rdma.remote_addr = rep.addr;
	w.wr.rdma.rkey = rep.rkey;
	ibv_post_send(r.id->qp, &w, &b);
	raw_wc(&r, &wc, 10000);
	check(raw_ended(&r, 20000),
	      "replay: a receive that is no SEND ends the connection");
	raw_close(&r);
}

static void m_caps(void)
{
	struct raw r[8];
	struct mfp_obj_rep rep;
	int up = 0, rc = 0;

	/* t_remote_hostile.sh: max_connections_per_host = 6 (the good
	 * client is not running now). */
	for (int i = 0; i < 7; i++) {
		if (raw_connect(&r[i], 1, 1)) {
			raw_close(&r[i]);
			break;
		}
		up++;
	}
	check(up == 6, "caps: the 7th connection of a host is refused "
		       "(max_connections_per_host 6)");
	for (int i = 0; i < up; i++)
		raw_close(&r[i]);
	sleep(1);
	/* max_handles_per_connection = 8 */
	if (raw_connect(&r[0], 1, 1)) {
		check(0, "caps: connect");
		return;
	}
	for (int i = 0; i < 9; i++) {
		rc = raw_get(&r[0], "small", NULL);
		if (rc)
			break;
	}
	check(rc == -EMFILE, "caps: the 9th handle is -EMFILE "
			     "(max_handles_per_connection 8)");
	raw_close(&r[0]);
	/* max_pinned_per_connection = 2M: victim (1 MiB) direct twice, the
	 * third staged; big (4 MiB) staged. */
	if (raw_connect(&r[0], 1, 1)) {
		check(0, "caps: connect");
		return;
	}
	raw_get(&r[0], "big", &rep);
	check(rep.flags & MFP_OBJ_STAGED, "caps: over the pin budget a "
					  "handle is staged (4 MiB, 2 MiB cap)");
	/* max_staging = 4M: one connection's staging buffer. */
	build_io(&r[0], 0, rep.handle, 4096);
	check(raw_call(&r[0], sizeof(struct mfp_io_req), MFP_READ) == 0,
	      "caps: a staged READ gets the staging buffer");
	if (raw_connect(&r[1], 1, 1) || raw_get(&r[1], "big", &rep)) {
		check(0, "caps: second connection");
	} else {
		build_io(&r[1], 0, rep.handle, 4096);
		rc = raw_call(&r[1], sizeof(struct mfp_io_req), MFP_READ);
		check(rc == -EBUSY, "caps: a second staging buffer is -EBUSY "
				    "(max_staging 4M)");
		build_io(&r[1], 0, rep.handle, (8u << 20));
		rc = raw_call(&r[1], sizeof(struct mfp_io_req), MFP_READ);
		check(rc == -EINVAL, "caps: a staged READ of 8 MiB is -EINVAL "
				     "(4 MiB at most)");
	}
	raw_close(&r[1]);
	raw_close(&r[0]);
}

static void m_midreq(void)
{
	struct raw r;
	struct mfp_obj_rep rep;

	if (raw_connect(&r, 1, 1) || raw_get(&r, "big", &rep)) {
		check(0, "midreq: connect and get");
		return;
	}
	build_io(&r, 0, rep.handle, 4u << 20);
	raw_post(&r, 0, sizeof(struct mfp_io_req), MFP_READ, 1);
	/* Gone at once: no disconnect, the process ends. */
	_exit(0);
}

static void m_deadpeer(void)
{
	struct raw r;
	struct mfp_obj_rep rep;
	struct ibv_qp_attr a;

	if (raw_connect(&r, 1, 1) || raw_get(&r, "victim", &rep)) {
		check(0, "deadpeer: connect and get");
		return;
	}
	printf("INFO: deadpeer: victim is %s\n",
	       rep.flags & MFP_OBJ_STAGED ? "staged" : "direct");
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_ERR;
	check(ibv_modify_qp(r.id->qp, &a, IBV_QP_STATE) == 0,
	      "deadpeer: own queue pair in the error state, no disconnect");
	printf("DEAD: ready\n");
	fflush(stdout);
	sleep(120);
}

/* A live client quiet for longer than two keepalive periods keeps its
 * connection: the zero-length RDMA WRITE needs no rkey. */
static void m_idle(int secs)
{
	struct raw r;

	if (raw_connect(&r, 1, 1) || raw_get(&r, "small", NULL)) {
		check(0, "idle: connect and get");
		return;
	}
	sleep((unsigned)secs);
	check(raw_get(&r, "small", NULL) == 0,
	      "idle: a quiet live client survives the keepalives");
	raw_close(&r);
}

static void m_hold(void)
{
	BmInfo v = info("victim2");

	check(BM_GetSec(&v, 0) == 0, "hold: get victim2");
	printf("HOLD: ready\n");
	fflush(stdout);
	sleep(120);
}

static void m_publish(const char *id, int secs)
{
	BmInfo v = info(id);
	double t0 = now_s();
	int rc;

	do {
		rc = BM_PublishSec(&v, 0);
		if (rc != -EBUSY)
			break;
		usleep(200000);
	} while (now_s() - t0 < secs);
	printf("INFO: publish %s: %s after %.1f s\n", id, BM_StrError(rc),
	       now_s() - t0);
	check(rc == 0, "publish: the owner can publish once the dead client's "
		       "mapping is gone");
}

static void m_lookup(const char *node, int secs)
{
	char pool[32];
	BmInfo b;
	double t0 = now_s();
	int rc;

	snprintf(pool, sizeof(pool), "%s:pool0", node);
	b = info("small");
	snprintf(b.poolName, sizeof(b.poolName), "%s", pool);
	rc = BM_GetSec(&b, 0);
	printf("INFO: lookup %s: %s after %.1f s\n", pool, BM_StrError(rc),
	       now_s() - t0);
	check(rc != 0 && now_s() - t0 < secs, "lookup: an error, in time");
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	int secs = argc > 2 ? atoi(argv[2]) : 10;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(m, "lookup")) {
		/* argv: lookup NODE SECONDS ETCD */
		if (argc < 5)
			return 2;
		rc = init(argv[4]);
		if (rc) {
			printf("SKIP: BM_Init: %s\n", BM_StrError(rc));
			return 77;
		}
		m_lookup(argv[2], atoi(argv[3]));
		BM_Exit();
		return fails ? 1 : 0;
	}
	rc = init(NULL);
	if (rc) {
		printf("SKIP: BM_Init: %s\n", BM_StrError(rc));
		return 77;
	}
	if (!strcmp(m, "setup"))
		m_setup();
	else if (!strcmp(m, "params"))
		m_params();
	else if (!strcmp(m, "withhold"))
		m_withhold(secs);
	else if (!strcmp(m, "flood"))
		m_flood(secs, argc > 3 ? atoi(argv[3]) : 2);
	else if (!strcmp(m, "good"))
		m_good(secs);
	else if (!strcmp(m, "replay"))
		m_replay();
	else if (!strcmp(m, "caps"))
		m_caps();
	else if (!strcmp(m, "midreq"))
		m_midreq();
	else if (!strcmp(m, "deadpeer"))
		m_deadpeer();
	else if (!strcmp(m, "idle"))
		m_idle(secs);
	else if (!strcmp(m, "hold"))
		m_hold();
	else if (!strcmp(m, "publish"))
		m_publish(argc > 3 ? argv[3] : "victim", secs);
	else if (!strcmp(m, "noauth"))
		m_noauth();
	else if (!strcmp(m, "unauth"))
		m_unauth(secs, argc > 3 ? atoi(argv[3]) : 5);
	else {
		fprintf(stderr, "usage: t_remote_hostile MODE [ARGS]\n");
		return 2;
	}
	BM_Exit();
	return fails ? 1 : 0;
}
