// SPDX-License-Identifier: GPL-2.0
//
// main.cpp - mfserverd: export this node's memfabric pools to remote clients over
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
// (ibv_dereg_mr), unmap it and drop the server's reference.  A second
// thread keeps the node's record in etcd alive under a lease.
// This file: options, logging, the start, the epoll loop and the stop;
// mfserverd.hpp lists the other files and their jobs.
#include "mfserverd.hpp"

#include <cctype>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace mfserverd {

int g_logLevel = 1;
Options g_opt;
std::vector<std::string> g_pools;
uint64_t g_nodeNumber;

// ---- logging ---------------------------------------------------------------

void logf(int level, const char *fmt, ...)
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
	static const char *const names[] = { "warning", "error", "info",
					     "debug" };
	fprintf(stderr, "%02d:%02d:%02d.%03ld mfserverd: %s: %s\n", tm.tm_hour,
		tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, names[level + 1],
		msg);
}

namespace {

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
		"  -e, --etcd HOST:PORT  register in etcd (lease, keepalive);\n"
		"                        http:// or https:// may lead it\n"
		"  -t, --ttl SECONDS     etcd lease TTL (default 10)\n"
		"      --etcd-cacert FILE\n"
		"                        TLS towards etcd: the CA of etcd's\n"
		"                        certificate (PEM)\n"
		"      --etcd-cert FILE  client certificate for etcd (PEM)\n"
		"      --etcd-key FILE   its private key (PEM)\n"
		"  -c, --config FILE     libmemfabric config file for BM_Init\n"
		"  -L, --limits FILE     limits and deadlines (mfserverd(8))\n"
		"  -A, --auth FILE       the identity map (required): lines\n"
		"                        'client NAME key-file PATH uid UID gid GID'\n"
		"  -u, --user USER       after the start, drop root to USER\n"
		"                        (a name or UID:GID), keeping CAP_IPC_LOCK\n"
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

} // namespace mfserverd

using namespace mfserverd;

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
		{ "limits", required_argument, nullptr, 'L' },
		{ "auth", required_argument, nullptr, 'A' },
		{ "user", required_argument, nullptr, 'u' },
		{ "verbose", no_argument, nullptr, 'v' },
		{ "quiet", no_argument, nullptr, 'q' },
		{ "foreground", no_argument, nullptr, 'f' },
		{ "help", no_argument, nullptr, 'h' },
		{ nullptr, 0, nullptr, 0 },
	};
	int o;
	while ((o = getopt_long(argc, argv, "l:p:n:a:P:e:t:c:L:A:u:vqfh", longopts,
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
		case 'L': g_opt.limits = optarg; break;
		case 'A': g_opt.authFile = optarg; break;
		case 'u': g_opt.user = optarg; break;
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
	if (g_opt.authFile.empty()) {
		LOG_ERR("no identity map (--auth FILE): every client must "
			"authenticate (mfserverd(8))");
		return 2;
	}
	// The keys, while the server may still read root's files.
	if (!g_opt.limits.empty() && loadLimits(g_opt.limits))
		return 2;
	if (loadIdentities(g_opt.authFile))
		return 2;

	int rc = BM_Init(g_opt.config.empty() ? nullptr
					      : const_cast<char *>(
							g_opt.config.c_str()),
			 0);
	if (rc) {
		LOG_ERR("BM_Init: %s", BM_StrError(rc));
		return 1;
	}
	if (openIdentities(BM_DEFAULT_DEVICE))
		return 1;
	g_pools = g_opt.pools.empty() ? attachedPools() : g_opt.pools;
	if (g_pools.empty()) {
		LOG_ERR("no pool to export (none attached?)");
		return 1;
	}

	// Root, or CAP_SETUID and CAP_SETGID, are needed no more: the bound
	// files are open.  Before any thread starts, and before the RDMA
	// devices are opened: rdma_ucm and uverbs refuse a command from
	// other credentials than the opener's (ib_safe_file_access()), so
	// the server opens them as the user it will be (Debian's udev rules
	// make them 0666).  Started as root: --user; started as its own user
	// (mfserverd.service): only the capabilities go.
	if (!g_opt.user.empty()) {
		if (dropPrivileges(g_opt.user))
			return 1;
	} else if (geteuid() != 0 && dropCapabilities()) {
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

	if (!g_opt.etcd.empty() && etcdStart())
		return 1;

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

	LOG_INFO("limits: %u connections (%u per host), %u handles (%u per "
		 "connection), %llu MiB pinned (%llu per connection), %llu MiB "
		 "staging; %u requests per turn, %u ms per operation, "
		 "keepalive %u s, idle %u s, authentication %u s",
		 g_lim.maxConns, g_lim.maxConnsPerHost, g_lim.maxHandles,
		 g_lim.maxHandlesPerConn,
		 (unsigned long long)(g_lim.maxPinned >> 20),
		 (unsigned long long)(g_lim.maxPinnedPerConn >> 20),
		 (unsigned long long)(g_lim.maxStaging >> 20),
		 g_lim.requestsPerTurn, g_lim.opTimeoutMs, g_lim.keepaliveSec,
		 g_lim.idleTimeoutSec, g_lim.authTimeoutSec);

	bool stop = false, more = false;
	time_t lastTick = nowSec();
	while (!stop) {
		epoll_event evs[16];
		// Queued requests: a turn after the events, no sleep.
		int n = epoll_wait(g_epoll, evs, 16, more ? 0 : 1000);
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
		more = serveTurn();
		if (nowSec() != lastTick) {
			lastTick = nowSec();
			tick();
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
	etcdStop();
	closeIdentities();
	BM_Exit();
	LOG_INFO("stopped");
	return 0;
}
