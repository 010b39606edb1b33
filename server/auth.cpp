// SPDX-License-Identifier: GPL-2.0
//
// auth.cpp - who a remote client is and what it may do (issue 19,
// Documentation/remote.md "Authentication" and "Identities"):
//   - the identity map (--auth FILE): one line per client,
//       client NAME key-file PATH uid UID gid GID
//     whose secret keys are read at the start;
//   - one /dev/memfabric per identity, opened with the identity's fsuid,
//     fsgid and groups and bound to them (MF_IOC_FILE_BIND), each in a
//     libmemfabric session of its own (BM_SessionOpenFd); the requests of
//     a client run through its identity's session only, so the kernel
//     checks them as that uid's own calls, with no capability override;
//   - then keeping CAP_IPC_LOCK only (registering memory), no new
//     privileges: started as root, --user makes it the server's user for
//     good (setresuid/setresgid); started as that user with CAP_SETUID
//     and CAP_SETGID (mfserverd.service), it drops those two;
//   - HELLO and AUTH (net/mfproto.h): challenge-response with
//     HMAC-SHA256 both ways; a client that fails, or sends anything before
//     it authenticated, gets -EACCES and nothing else, is logged at
//     warning level, and its address is locked out for a while after a
//     few failures.
#include "mfserverd.hpp"
#include "mfauth.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/memfabric.h>
#include <openssl/crypto.h>

namespace mfserverd {

std::vector<Identity> g_identities;

namespace {

bool parseId(const std::string &s, unsigned &out)
{
	if (s.empty() || s.size() > 10 ||
	    s.find_first_not_of("0123456789") != std::string::npos)
		return false;
	unsigned long v = std::stoul(s);
	if (v >= 0xffffffffUL)
		return false;
	out = static_cast<unsigned>(v);
	return true;
}

bool clientName(const std::string &s)
{
	if (s.empty() || s.size() >= sizeof(mfp_hello::client))
		return false;
	for (char ch : s)
		if (!isalnum(static_cast<unsigned char>(ch)) && ch != '_' &&
		    ch != '-' && ch != '.')
			return false;
	return true;
}

} // namespace

int loadIdentities(const std::string &path)
{
	std::ifstream in(path);
	if (!in) {
		LOG_ERR("%s: %s", path.c_str(), strerror(errno));
		return -ENOENT;
	}
	std::string line;
	unsigned lineno = 0;
	while (std::getline(in, line)) {
		lineno++;
		size_t hash = line.find('#');
		if (hash != std::string::npos)
			line.erase(hash);
		std::istringstream ws(line);
		std::vector<std::string> w;
		for (std::string t; ws >> t;)
			w.push_back(t);
		if (w.empty())
			continue;
		Identity id;
		bool ok = w.size() == 8 && w[0] == "client" &&
			  clientName(w[1]) && w[2] == "key-file" &&
			  w[4] == "uid" && parseId(w[5], id.uid) &&
			  w[6] == "gid" && parseId(w[7], id.gid);
		if (!ok) {
			LOG_ERR("%s:%u: want 'client NAME key-file PATH uid UID "
				"gid GID'",
				path.c_str(), lineno);
			return -EINVAL;
		}
		id.name = w[1];
		for (const auto &o : g_identities)
			if (o.name == id.name) {
				LOG_ERR("%s:%u: client %s named twice",
					path.c_str(), lineno, id.name.c_str());
				return -EINVAL;
			}
		std::string why;
		int rc = memfabric::auth::readKey(w[3], id.key, why);
		if (rc) {
			LOG_ERR("%s:%u: client %s: key file %s", path.c_str(),
				lineno, id.name.c_str(), why.c_str());
			return rc;
		}
		g_identities.push_back(std::move(id));
	}
	if (g_identities.empty()) {
		LOG_ERR("%s: no client: nobody could use this server",
			path.c_str());
		return -EINVAL;
	}
	return 0;
}

namespace {

// MF_IOC_FILE_BIND of @fd into @b: 0 or -errno.
int bindFile(int fd, mf_file_bind &b)
{
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	return ioctl(fd, MF_IOC_FILE_BIND, &b) ? -errno : 0;
}

// Whether this process may switch its fsuid, fsgid and groups: root,
// or CAP_SETUID and CAP_SETGID in its effective set (mfserverd.service
// starts it as its own user with them as ambient capabilities).
bool canSwitchIds()
{
	if (geteuid() == 0)
		return true;
	__user_cap_header_struct hdr;
	__user_cap_data_struct d[2];
	memset(&hdr, 0, sizeof(hdr));
	memset(d, 0, sizeof(d));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &hdr, d))
		return false;
	uint32_t need = (1u << CAP_SETUID) | (1u << CAP_SETGID);
	return (d[0].effective & need) == need;
}

// Keep CAP_IPC_LOCK, if permitted, and no other capability (permitted,
// effective, inheritable, ambient), for good: no_new_privs, not
// dumpable, no way to become root.  0 or -errno (logged).
int keepIpcLockOnly()
{
	__user_cap_header_struct hdr;
	__user_cap_data_struct data[2];
	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &hdr, data)) {
		int e = errno;
		LOG_ERR("capget: %s", strerror(e));
		return -e;
	}
	uint32_t keep = data[0].permitted & (1u << CAP_IPC_LOCK);
	memset(data, 0, sizeof(data));
	data[0].permitted = data[0].effective = keep;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) ||
	    syscall(SYS_capset, &hdr, data) || prctl(PR_SET_KEEPCAPS, 0) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_DUMPABLE, 0)) {
		int e = errno;
		LOG_ERR("dropping capabilities: %s", strerror(e));
		return -e;
	}
	if (setuid(0) == 0) { // must be impossible now
		LOG_ERR("still able to become root");
		return -EPERM;
	}
	return keep ? 1 : 0;
}

// Open @dev with @id's fsuid, fsgid and groups (canSwitchIds()), as the
// kernel then checks and binds them, and bind it while the fsuid is
// still the opener's (no CAP_SYS_ADMIN needed).  The descriptor or
// -errno; the bind's result in @brc, @b.
int openAs(const char *dev, const Identity &id, mf_file_bind &b, int &brc)
{
	std::vector<gid_t> groups{ static_cast<gid_t>(id.gid) };
	if (passwd *pw = getpwuid(id.uid)) {
		int n = 64;
		std::vector<gid_t> g(static_cast<size_t>(n));
		if (getgrouplist(pw->pw_name, id.gid, g.data(), &n) >= 0)
			groups.assign(g.begin(), g.begin() + n);
	}
	int nsaved = getgroups(0, nullptr);
	std::vector<gid_t> saved(static_cast<size_t>(nsaved > 0 ? nsaved : 1));
	nsaved = getgroups(static_cast<int>(saved.size()), saved.data());
	if (nsaved < 0 || setgroups(groups.size(), groups.data()))
		return -errno;
	setfsgid(id.gid);
	setfsuid(id.uid);
	int fd = open(dev, O_RDWR | O_CLOEXEC | O_NOCTTY);
	int e = errno;
	brc = fd >= 0 ? bindFile(fd, b) : -EBADF;
	setfsuid(geteuid());
	setfsgid(getegid());
	if (setgroups(static_cast<size_t>(nsaved), saved.data())) {
		LOG_ERR("cannot restore the groups: %s", strerror(errno));
		abort();
	}
	return fd >= 0 ? fd : -e;
}

} // namespace

int openIdentities(const std::string &dev)
{
	bool root = canSwitchIds();
	for (Identity &id : g_identities) {
		int fd, brc = -EBADF;
		mf_file_bind b;
		if (root) {
			fd = openAs(dev.c_str(), id, b, brc);
		} else if (id.uid == geteuid()) {
			fd = open(dev.c_str(), O_RDWR | O_CLOEXEC | O_NOCTTY);
			if (fd >= 0)
				brc = bindFile(fd, b);
		} else {
			fd = -EPERM;
		}
		if (fd < 0) {
			fd = fd == -1 ? -errno : fd;
			LOG_ERR("client %s: cannot open %s as uid %u gid %u: %s%s",
				id.name.c_str(), dev.c_str(), id.uid, id.gid,
				strerror(-fd),
				root ? " (may that uid open the device? group "
				       "memfabric)"
				     : " (start mfserverd as root or with "
				       "CAP_SETUID and CAP_SETGID: it opens "
				       "one file per identity)");
			return fd;
		}
		if (brc) {
			int e = -brc;
			LOG_ERR("client %s: MF_IOC_FILE_BIND: %s%s",
				id.name.c_str(), strerror(e),
				e == ENOTTY || e == EINVAL
					? " (memfabric module older than ABI "
					  "1.6?)"
					: "");
			close(fd);
			return -e;
		}
		if (b.uid != id.uid || b.gid != id.gid) {
			LOG_ERR("client %s: bound to uid %u gid %u, not %u %u",
				id.name.c_str(), b.uid, b.gid, id.uid, id.gid);
			close(fd);
			return -EPERM;
		}
		int rc = BM_SessionOpenFd(fd, &id.session);
		close(fd); // the session has its own duplicate
		if (rc) {
			LOG_ERR("client %s: BM_SessionOpenFd: %s",
				id.name.c_str(), BM_StrError(rc));
			return rc;
		}
		LOG_INFO("client %s: acts as uid %u gid %u", id.name.c_str(),
			 id.uid, id.gid);
	}
	return 0;
}

void closeIdentities()
{
	for (Identity &id : g_identities) {
		if (id.session)
			BM_SessionClose(id.session);
		id.session = nullptr;
		if (!id.key.empty())
			OPENSSL_cleanse(&id.key[0], id.key.size());
	}
}

int dropPrivileges(const std::string &user)
{
	uid_t uid;
	gid_t gid;
	std::vector<gid_t> groups;
	size_t colon = user.find(':');
	unsigned u, g;
	if (colon != std::string::npos && parseId(user.substr(0, colon), u) &&
	    parseId(user.substr(colon + 1), g)) {
		uid = u;
		gid = g;
		groups.push_back(gid);
	} else {
		passwd *pw = getpwnam(user.c_str());
		if (!pw) {
			LOG_ERR("--user %s: no such user", user.c_str());
			return -ENOENT;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		int n = 64;
		groups.resize(64);
		if (getgrouplist(pw->pw_name, gid, groups.data(), &n) < 0)
			n = 0;
		groups.resize(static_cast<size_t>(n));
	}
	if (uid == 0) {
		LOG_ERR("--user %s: that is root", user.c_str());
		return -EINVAL;
	}
	if (prctl(PR_SET_KEEPCAPS, 1) ||
	    setgroups(groups.size(), groups.data()) ||
	    setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		int e = errno;
		LOG_ERR("--user %s: %s", user.c_str(), strerror(e));
		return -e;
	}
	// Only CAP_IPC_LOCK (ibv_reg_mr beyond RLIMIT_MEMLOCK) stays.
	if (keepIpcLockOnly() < 0)
		return -EPERM;
	LOG_INFO("running as uid %u gid %u with CAP_IPC_LOCK only",
		 static_cast<unsigned>(uid), static_cast<unsigned>(gid));
	return 0;
}

int dropCapabilities()
{
	int rc = keepIpcLockOnly();
	if (rc < 0)
		return rc;
	LOG_INFO("running as uid %u gid %u with %s",
		 static_cast<unsigned>(getuid()),
		 static_cast<unsigned>(getgid()),
		 rc ? "CAP_IPC_LOCK only" : "no capability");
	return 0;
}

// ---- failed attempts ---------------------------------------------------------

namespace {

// Per peer address: failures in a row (none for kForgetSec resets
// them); after kFreeFailures, each further failure locks the address out
// for 5, 10, 20 ... up to kMaxLockSec seconds, during which any HELLO
// from it is refused whatever its key (and not counted).
constexpr unsigned kFreeFailures = 3;
constexpr time_t kMaxLockSec = 60;
constexpr time_t kForgetSec = 300;
constexpr size_t kMaxTracked = 4096;

struct Failures {
	unsigned n = 0;
	time_t last = 0;
	time_t until = 0;
	bool told = false; // the lockout was logged
};

std::map<std::string, Failures> g_failures;

time_t now()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

std::string addrOf(const std::string &peer)
{
	size_t colon = peer.rfind(':');
	return colon == std::string::npos ? peer : peer.substr(0, colon);
}

void forgetOld(time_t t)
{
	for (auto it = g_failures.begin(); it != g_failures.end();)
		if (t - it->second.last > kForgetSec && t >= it->second.until)
			it = g_failures.erase(it);
		else
			++it;
}

// Refuse @c for @why: logged (warning), counted, the connection marked.
int refuse(Conn &c, const char *why, const std::string &client)
{
	time_t t = now();
	if (g_failures.size() >= kMaxTracked)
		forgetOld(t);
	Failures &f = g_failures[addrOf(c.peer)];
	if (t - f.last > kForgetSec)
		f.n = 0;
	f.n++;
	f.last = t;
	if (f.n > kFreeFailures) {
		unsigned sh = std::min(f.n - kFreeFailures - 1, 6u);
		f.until = t + std::min<time_t>(kMaxLockSec, time_t(5) << sh);
		f.told = false;
	}
	LOG_WARN("conn %llu (%s): refused client '%s': %s (failure %u from "
		 "this address)",
		 (unsigned long long)c.no, c.peer.c_str(), client.c_str(), why,
		 f.n);
	c.auth.failed = true;
	return -EACCES;
}

const Identity *findIdentity(const char *name)
{
	for (const Identity &id : g_identities)
		if (id.name == name)
			return &id;
	return nullptr;
}

} // namespace

int authRefuseRequest(Conn &c, unsigned op)
{
	char why[64];
	snprintf(why, sizeof(why), "%s before authentication", opName(op));
	return refuse(c, why, "");
}

int authHello(Conn &c, const mfp_hello &q, mfp_hello &rep)
{
	char client[sizeof(q.client) + 1] = "", node[sizeof(q.node) + 1] = "";
	memcpy(client, q.client, sizeof(q.client));
	memcpy(node, q.node, sizeof(q.node));
	if (c.auth.state != AuthState::kNone)
		return refuse(c, "a second HELLO", client);
	auto lf = g_failures.find(addrOf(c.peer));
	if (lf != g_failures.end() && now() < lf->second.until) {
		// Not counted again, logged once per lockout.
		if (!lf->second.told)
			LOG_WARN("conn %llu (%s): locked out for %lld s more "
				 "after %u failures: refused",
				 (unsigned long long)c.no, c.peer.c_str(),
				 (long long)(lf->second.until - now()),
				 lf->second.n);
		lf->second.told = true;
		c.auth.failed = true;
		return -EACCES;
	}
	const Identity *id = findIdentity(client);
	if (!id)
		return refuse(c, client[0] ? "not in the identity map"
					   : "no client name (no key)",
			      client);
	c.auth.client = client;
	c.auth.ident = nullptr;
	memcpy(c.auth.cnonce, q.client_nonce, sizeof(c.auth.cnonce));
	if (memfabric::auth::randomBytes(c.auth.snonce, sizeof(c.auth.snonce)))
		return -EIO;
	// The MACs cover the node name the client used (a config may name
	// this server otherwise than --node does), the client's name and
	// both nonces.
	snprintf(rep.node, sizeof(rep.node), "%s", g_opt.node.c_str());
	c.auth.node = node;
	rep.node_number = g_nodeNumber;
	memcpy(rep.server_nonce, c.auth.snonce, sizeof(rep.server_nonce));
	if (memfabric::auth::mac(id->key, MFP_AUTH_SERVER, client, node,
				 c.auth.cnonce, c.auth.snonce, rep.mac))
		return -EIO;
	c.auth.state = AuthState::kChallenged;
	return 0;
}

int authAuth(Conn &c, const mfp_auth &q)
{
	if (c.auth.state != AuthState::kChallenged)
		return refuse(c, "AUTH without HELLO", c.auth.client);
	const Identity *id = findIdentity(c.auth.client.c_str());
	uint8_t want[MFP_MAC_LEN];
	if (!id || memfabric::auth::mac(id->key, MFP_AUTH_CLIENT,
					c.auth.client.c_str(),
					c.auth.node.c_str(), c.auth.cnonce,
					c.auth.snonce, want))
		return -EIO;
	if (!memfabric::auth::sameMac(want, q.mac))
		return refuse(c, "wrong key", c.auth.client);
	c.auth.state = AuthState::kDone;
	c.auth.ident = id;
	LOG_INFO("conn %llu (%s): client %s authenticated: uid %u gid %u",
		 (unsigned long long)c.no, c.peer.c_str(), id->name.c_str(),
		 id->uid, id->gid);
	return 0;
}

} // namespace mfserverd
