// SPDX-License-Identifier: LGPL-2.1-or-later
//
// api.cpp - the C entry points of libmemfabric.
//
// Every entry point is noexcept: C++ exceptions (std::bad_alloc from a
// std::string) are turned into -errno here and never cross the C ABI.
//
// Locking: one process-wide mutex, State::mu, guards the session and its
// reference count.  BM_Init() parses its config file before taking it.
#include "internal.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>

#include <pthread.h>

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

int init(const char *path, int flags, const void *attr, bool withAttr)
{
	if (flags)
		return -EINVAL;

	// Argument errors first, then the file, then the overrides.
	BmInitAttr a{};
	int rc = withAttr ? copyInitAttr(attr, a) : 0;
	if (rc)
		return rc;

	Config cfg;
	if (path) {
		rc = parseConfigFile(path, cfg);
		if (rc)
			return rc;
	}
	if (withAttr) {
		rc = applyInitAttr(a, cfg);
		if (rc)
			return rc;
	}

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
	rc = Session::open(cfg, opened);
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

const char *describe(int err)
{
	switch (err) {
	case 0:
		return "success";
	case EACCES:
		return "permission denied (wrong secId, or no access to the "
		       "memfabric device)";
	case ENOENT:
		return "no such memfabric object, pool or file";
	case ENOSPC:
		return "memory pool is full";
	case EINVAL:
		return "invalid argument (or call out of sequence, such as "
		       "BM_Exit without BM_Init)";
	case EBUSY:
		return "object or device in use (or already initialised with "
		       "other settings)";
	case ENODEV:
		return "memfabric not available: module not loaded, or "
		       "BM_Init not called";
	case ENOTTY:
		return "memfabric module too old, or the device is not "
		       "memfabric (ioctl not supported)";
	case EPROTO:
		return "memfabric module ABI is incompatible with this library";
	case E2BIG:
		return "argument struct too big: it sets fields this version "
		       "does not know";
	case EEXIST:
		return "a namespace or object of that name exists already "
		       "(or BM_MAP_FIXED address in use)";
	case EALREADY:
		return "object is published already";
	case EOVERFLOW:
		return "offset plus length overflows";
	case ENODATA:
		return "file ended before the requested length";
	case EOPNOTSUPP:
		return "not supported by the running memfabric module";
	case EPERM:
		return "operation not permitted: the object belongs to another "
		       "user";
	}
	return nullptr;
}

} // namespace

int memfabric::detail::currentSession(std::shared_ptr<Session> &out) noexcept
{
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

extern "C" {

BM_API int BM_Init(char *ockPath, int flags)
{
	return guarded([&] { return init(ockPath, flags, nullptr, false); });
}

BM_API int BM_InitWithExtAttr(char *ockPath, int flags, void *attr)
{
	return guarded([&] { return init(ockPath, flags, attr, true); });
}

BM_API int BM_Exit(void)
{
	return guarded([] {
		State &st = state();
		// The session is destroyed (its fast path drained, its
		// references dropped, the device closed) after st.mu is
		// released, by whichever of its users drops it last.
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
	});
}

BM_API int BM_Version(BmVersion *out)
{
	// The first published BmVersion ends with @libraryVersion.
	constexpr size_t kSizeVer0 =
		offsetof(BmVersion, libraryVersion) + BM_VERSION_LEN;

	if (!out)
		return -EINVAL;
	uint32_t size = out->size;
	if (size < kSizeVer0 || out->flags)
		return -EINVAL;
	if (size > kMaxStructSize)
		return -E2BIG;

	BmVersion v;
	memset(&v, 0, sizeof(v));
	{
		State &st = state();
		std::lock_guard<std::mutex> lock(st.mu);

		if (!st.session)
			return -ENODEV;
		const mf_version &k = st.session->kernelVersion();
		v.abiMajor = k.abi_major;
		v.abiMinor = k.abi_minor;
		v.features = k.features;
		memcpy(v.moduleVersion, k.module_version,
		       sizeof(k.module_version));
	}
	v.size = size;
	snprintf(v.libraryVersion, sizeof(v.libraryVersion), "%s",
		 BM_LIB_VERSION);

	// At most @size bytes; zeros where a newer caller knows more.
	char *dst = reinterpret_cast<char *>(out);
	size_t known = size < sizeof(v) ? size : sizeof(v);
	memcpy(dst, &v, known);
	memset(dst + known, 0, size - known);
	return 0;
}

BM_API const char *BM_StrError(int err)
{
	// INT_MIN has no positive counterpart.
	if (err == INT_MIN)
		return "unknown error";
	if (err < 0)
		err = -err;

	const char *s = describe(err);
	return s ? s : systemErrorText(err);
}

} // extern "C"
