// SPDX-License-Identifier: GPL-2.0
//
// mfserverd.hpp - what the files of mfserverd share: options, logging,
// the connection and its object handles, and the entry points of each
// file.  The files, by job (Documentation/design.md):
//   main.cpp        options, start, the epoll loop, stop;
//   membership.cpp  the node's record in etcd: registration, keepalive;
//   conn.cpp        rdma_cm events, queue pairs, completions, replies;
//   requests.cpp    the requests, one function each in a table by op,
//                   and the object handles they make;
//   staged.cpp      the staged READ and WRITE path;
//   limits.cpp      the limits (--limits FILE) and their accounting.
//   auth.cpp        the identity map, the identity-bound files, dropping
//                   root, HELLO and AUTH.
// Everything runs on the epoll thread but the etcd keepalive thread,
// which touches only membership.cpp's state.
#ifndef MFSERVERD_HPP
#define MFSERVERD_HPP

#include "etcd.hpp"
#include "mfproto.h"

#include <memfabric/bm.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <rdma/rdma_cma.h>

namespace mfserverd {

// ---- logging (main.cpp) ----------------------------------------------------

extern int g_logLevel; // 0 errors (and warnings), 1 info, 2 debug

__attribute__((format(printf, 2, 3))) void logf(int level, const char *fmt,
						 ...);

#define LOG_WARN(...) ::mfserverd::logf(-1, __VA_ARGS__)
#define LOG_ERR(...) ::mfserverd::logf(0, __VA_ARGS__)
#define LOG_INFO(...) ::mfserverd::logf(1, __VA_ARGS__)
#define LOG_DBG(...) ::mfserverd::logf(2, __VA_ARGS__)

// ---- options (main.cpp) ----------------------------------------------------

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
	std::string limits; // --limits FILE
	std::string authFile;	// --auth: the identity map
	std::string user;	// --user: drop root to this user
};

// ---- limits (limits.cpp, Documentation/remote.md, Limits) -----------------

// What one client and all of them may use, and the deadlines.  Set by
// --limits FILE (`key = value` lines, the keys in limits.cpp).
struct Limits {
	unsigned maxConns = 64;		 // max_connections
	unsigned maxConnsPerHost = 16;	 // max_connections_per_host
	unsigned maxHandlesPerConn = 1024; // max_handles_per_connection
	unsigned maxHandles = 16384;	 // max_handles
	uint64_t maxPinnedPerConn = 1ull << 30; // max_pinned_per_connection
	uint64_t maxPinned = 8ull << 30;	// max_pinned
	uint64_t maxStaging = 64ull << 20;	// max_staging (4 MiB each)
	unsigned requestsPerTurn = 1;	 // requests_per_turn
	unsigned opTimeoutMs = 5000;	 // op_timeout_ms
	unsigned keepaliveSec = 10;	 // keepalive_s
	unsigned idleTimeoutSec = 600;	 // idle_timeout_s (0: never)
	unsigned authTimeoutSec = 5;	 // auth_timeout_s
};

extern Limits g_lim;
// What every connection uses together.
extern uint64_t g_nrHandles, g_pinned, g_staging;

// Read @path into g_lim: 0, or -errno (logged with the line).
int loadLimits(const std::string &path);

extern Options g_opt;
extern std::vector<std::string> g_pools; // exported
extern uint64_t g_nodeNumber;		 // in the cluster, 0 if none

struct Conn;

// ---- identities (auth.cpp) -------------------------------------------------

// One client of the identity map and the local identity it acts as.
struct Identity {
	std::string name;
	std::string key;		// its secret key
	unsigned uid = 0, gid = 0;
	BmSession *session = nullptr;	// on a file bound to uid, gid
};

extern std::vector<Identity> g_identities;

enum class AuthState { kNone, kChallenged, kDone };

// Where a connection is in HELLO and AUTH.
struct ConnAuth {
	AuthState state = AuthState::kNone;
	bool failed = false;		// refused: the next request ends it
	std::string client, node;	// as HELLO named them
	uint8_t cnonce[MFP_NONCE_LEN] = {}, snonce[MFP_NONCE_LEN] = {};
	const Identity *ident = nullptr; // set when authenticated
};

// Read the identity map @path (keys included): 0 or -errno (logged).
int loadIdentities(const std::string &path);
// Open and bind one file of the device @dev per identity, each in a
// session of its own (after BM_Init): 0 or -errno (logged).
int openIdentities(const std::string &dev);
void closeIdentities();
// Become @user ("NAME" or "UID:GID") keeping CAP_IPC_LOCK only.  Before
// any thread starts.  0 or -errno (logged).
int dropPrivileges(const std::string &user);
// Started as another user than root (mfserverd.service: User=mfserverd
// with CAP_SETUID, CAP_SETGID and CAP_IPC_LOCK as ambient capabilities):
// after openIdentities(), keep CAP_IPC_LOCK only.  0 or -errno (logged).
int dropCapabilities();
// HELLO and AUTH of @c; the status of the reply.
int authHello(Conn &c, const mfp_hello &q, mfp_hello &rep);
int authAuth(Conn &c, const mfp_auth &q);
// Any other request of @c before it authenticated: -EACCES (logged).
int authRefuseRequest(Conn &c, unsigned op);

// ---- objects of a connection -----------------------------------------------

struct Handle {
	uint64_t id = 0;
	BmInfo info;		// name and secId the kernel accepted
	void *addr = nullptr;	// the MAP_SHARED mapping
	size_t len = 0;
	ibv_mr *mr = nullptr;	// null: staged (READ and WRITE requests)
	bool writable = false;
	bool sessionRef = true; // the server's session holds a reference
	bool counted = false;	// in g_nrHandles
};

// The staging buffer of a connection: kStageSlots chunks of kStageChunk
// bytes, made on the first staged request.
constexpr size_t kStageChunk = 1u << 20;
constexpr unsigned kStageSlots = 4;
// Work request ids: the reply, data transfers (this bit set), receives
// (the slot number).
constexpr uint64_t kSendWr = UINT64_MAX;
constexpr uint64_t kDataWr = 1ull << 62;
constexpr uint64_t kKeepaliveWr = UINT64_MAX - 1;
constexpr uint8_t kAckTimeout = 14; // 4.096 us * 2^14 = 67 ms per try
// The server's own retry counts (never the client's; 7 would be for
// ever): transport retries of a lost packet, and RNR NAKs (the client
// posted no receive buffer) before the send fails.
constexpr uint8_t kRetryCnt = 5;
constexpr uint8_t kRnrRetry = 4;

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
	ibv_qp *qp = nullptr;
	std::string host;	// the peer's address, for the per-host cap
	uint64_t pinned = 0;	// bytes of its registered object mappings
	time_t since = 0;	// the connect request came
	time_t lastHeard = 0;	// a request or a keepalive completed
	time_t lastRequest = 0;
	bool kaBusy = false;	// a keepalive in flight
	time_t kaSince = 0, sendSince = 0;
	bool disconnecting = false;
	bool released = false;	// handles and staging gone (broken)
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
	ConnAuth auth;
};

// ---- connections (conn.cpp) ------------------------------------------------

extern std::map<uint64_t, Conn *> g_conns;
extern int g_epoll;

// One rdma_cm event of @ec; false when there is none left.
bool onCmEvent(rdma_event_channel *ec);
// The completion channel of @c is readable.
void onCqEvent(Conn &c);
// Close @c: its handles, queue pair, regions and id; frees it.
void destroyConn(Conn *c);
// One completion of @c: the reply sent, a data transfer done (kept for
// waitData) or a request received (queued).
void reap(Conn &c, const ibv_wc &wc);
// Serve up to g_lim.requestsPerTurn queued requests of every connection
// (round robin); true if some connection has more waiting.
bool serveTurn();
// Once a second: keepalives, idle and broken connections.
void tick();
// Monotonic seconds.
time_t nowSec();
// Wait up to @ms for a completion of @c on its channel (no spinning);
// what came is reaped.  0 or -errno.
int waitCq(Conn &c, int ms);

// ---- requests and handles (requests.cpp) -----------------------------------

// Handle one request of @len bytes at @in; the reply goes to @out.
// Returns the reply's length.
size_t handleRequest(Conn &c, char *in, size_t len, char *out);
// The name of request @op ("?" if none).
const char *opName(unsigned op);
// Release @h: deregister and unmap it, drop the session's reference.
void closeHandle(Conn &c, Handle &h);

// ---- the staged path (staged.cpp) ------------------------------------------

// A staged READ (@write false: object -> client) or WRITE of @q on @h,
// through the staging buffer and RDMA of the server's own.
int staged(Conn &c, Handle &h, bool write, const mfp_io_req &q);
// The same with the data in the messages (MFP_IO_INLINE).
int stagedInline(Handle &h, bool write, const mfp_io_req &q,
		 const char *data, size_t dlen, char *out, size_t *rlen);

// ---- etcd membership (membership.cpp) --------------------------------------

// Register the node (number, record under a lease) and start the
// keepalive thread: 0 or -errno (logged).
int etcdStart();
// Stop the keepalive thread and revoke the lease (if started).
void etcdStop();

} // namespace mfserverd

#endif // MFSERVERD_HPP
