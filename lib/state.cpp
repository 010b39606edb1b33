// SPDX-License-Identifier: LGPL-2.1-or-later
//
// state.cpp - the process-wide state of the BigMemory API: the current
// session and BM_Init()'s reference count on it, and the fork() handlers
// that give a child a session of its own.
//
// Locking: one process-wide mutex, State::mu, guards the session and its
// reference count.  BM_Init() parses its config file before taking it.
#include "internal.hpp"

#include <cerrno>
#include <cstring>
#include <mutex>
#include <new>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

using namespace memfabric::detail;

namespace {

struct State {
	std::mutex mu;
	std::shared_ptr<Session> session; // set while refs > 0
	unsigned long refs = 0;
	// In a child of fork(): @session is the parent's (detached); the
	// next call opens a session of the child's own.
	bool reopen = false;
};

// Never destroyed: a thread still in the API while the process exits must
// not find a destroyed mutex.  The kernel closes the fd at exit.
State &state()
{
	static State *s = new State;
	return *s;
}

void atforkPrepare()
{
	State &st = state();

	st.mu.lock();
	forkPrepare(st.session.get());
	gatesForkPrepare();
}

void atforkParent()
{
	State &st = state();

	gatesForkParent();
	forkParent(st.session.get());
	st.mu.unlock();
}

// In a child of fork(): replace the parent's session (detached) by one
// of the child's own, with the same config.  st.mu held.  0 or -errno;
// on failure st.reopen stays set and the next call tries again.
int reopenLocked(State &st, std::shared_ptr<Session> &old) noexcept
{
	std::unique_ptr<Session> opened;
	int rc;
	try {
		rc = Session::open(st.session->config(), opened);
	} catch (const std::bad_alloc &) {
		rc = -ENOMEM;
	}
	if (rc)
		return rc;
	old = std::move(st.session);
	st.session = std::move(opened);
	st.reopen = false;
	st.session->publishFast();
	return 0;
}

void atforkChild()
{
	State &st = state();
	std::shared_ptr<Session> old;

	gatesForkChild();
	forkChild(st.session.get());
	if (st.session) {
		// The open file is the parent's: references taken through it
		// would outlive this process.  Open the device again now,
		// with the privileges the parent had (a child often drops
		// them next), or else on the next call.
		st.session->detachForkChild();
		st.reopen = true;
		reopenLocked(st, old);
	}
	st.mu.unlock();
}

} // namespace

int memfabric::detail::startSession(const Config &cfg)
{
	State &st = state();
	std::lock_guard<std::mutex> lock(st.mu);
	if (st.session) {
		// Later calls share the open session; they must agree on
		// what it works on.  Their log_level is ignored.
		const Config &cur = st.session->config();
		if (cur.device != cfg.device ||
		    cur.defaultPool != cfg.defaultPool) {
			log(BM_LOG_ERROR,
			    "already initialised with device %s, pool %s",
			    cur.device.c_str(), cur.defaultPool.c_str());
			return -EBUSY;
		}
		st.refs++;
		return 0;
	}

	// Once: the handle table must not be copied with its references
	// (nor with a lock another thread held) into a child.
	static std::once_flag atforkOnce;
	std::call_once(atforkOnce, [] {
		pthread_atfork(atforkPrepare, atforkParent, atforkChild);
	});

	setLogLevel(cfg.logLevel);
	std::unique_ptr<Session> opened;
	int rc = Session::open(cfg, opened);
	if (rc) {
		setLogLevel(BM_LOG_ERROR);
		return rc;
	}
	st.session = std::move(opened);
	st.refs = 1;
	st.reopen = false;
	st.session->publishFast();
	return 0;
}

int memfabric::detail::endSession()
{
	State &st = state();
	// The session is destroyed (its fast path drained, its references
	// dropped, the device closed) after st.mu is released, by whichever
	// of its users drops it last.
	std::shared_ptr<Session> old;
	std::lock_guard<std::mutex> lock(st.mu);

	if (!st.refs)
		return -EINVAL;
	if (--st.refs == 0) {
		st.session->closeFast();
		old = std::move(st.session);
		st.reopen = false;
		setLogLevel(BM_LOG_ERROR);
	}
	return 0;
}

int memfabric::detail::sessionVersion(mf_version &out)
{
	State &st = state();
	std::lock_guard<std::mutex> lock(st.mu);

	if (!st.session)
		return -ENODEV;
	out = st.session->kernelVersion();
	return 0;
}

// ---- sessions on given descriptors (BM_SessionOpenFd(3)) ----------------

struct BmSession {
	std::shared_ptr<Session> session;
	pid_t pid; // a child of fork() cannot use it: the file is the parent's
};

namespace {
// The session this thread's calls use instead of BM_Init()'s, or null.
thread_local BmSession *t_use;
} // namespace

bool memfabric::detail::sessionOverridden() noexcept
{
	return t_use != nullptr;
}

extern "C" {

BM_API int BM_SessionOpenFd(int fd, BmSession **out)
{
	if (fd < 0 || !out)
		return -EINVAL;
	return guarded([&]() -> int {
		Config cfg;
		{
			State &st = state();
			std::lock_guard<std::mutex> lock(st.mu);
			if (!st.session)
				return -ENODEV;
			cfg = st.session->config();
		}
		UniqueFd dup(fcntl(fd, F_DUPFD_CLOEXEC, 3));
		if (!dup)
			return -errno;
		mf_version v;
		std::string what = "descriptor " + std::to_string(fd);
		int rc = checkDevice(dup.get(), what.c_str(), v);
		if (rc)
			return rc;
		std::unique_ptr<Session> opened;
		Session::adopt(cfg, std::move(dup), v, opened);
		// Its fast-path gate stays closed: the data calls' caches
		// never use it (sessionOverridden()).
		std::unique_ptr<BmSession> b(new BmSession);
		b->session = std::move(opened);
		b->pid = getpid();
		*out = b.release();
		return 0;
	});
}

BM_API int BM_SessionUse(BmSession *session)
{
	if (session && session->pid != getpid())
		return -ENODEV;
	t_use = session;
	return 0;
}

BM_API int BM_SessionClose(BmSession *session)
{
	if (!session)
		return -EINVAL;
	if (t_use == session)
		t_use = nullptr;
	// Calls in flight keep the Session (shared); its destructor
	// closes the descriptor.
	return guarded([&] {
		delete session;
		return 0;
	});
}

} // extern "C"

int memfabric::detail::currentSession(std::shared_ptr<Session> &out) noexcept
{
	if (BmSession *b = t_use) {
		if (b->pid != getpid())
			return -ENODEV;
		out = b->session;
		return 0;
	}
	State &st = state();
	std::shared_ptr<Session> old; // destroyed after st.mu is released
	std::lock_guard<std::mutex> lock(st.mu);

	if (st.reopen && st.session) {
		// A child of fork() whose reopen failed: try again.
		int rc = reopenLocked(st, old);
		if (rc)
			return rc;
	}
	out = st.session;
	return out ? 0 : -ENODEV;
}

const char *memfabric::detail::systemErrorText(int err) noexcept
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
	// glibc's own constant strings: nothing to race on.
	const char *s = strerrordesc_np(err);
	return s ? s : "unknown error";
#else
	static thread_local char buf[64];
	return strerror_r(err, buf, sizeof(buf)) ? "unknown error" : buf;
#endif
}
