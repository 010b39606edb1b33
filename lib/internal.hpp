// SPDX-License-Identifier: LGPL-2.1-or-later
//
// internal.hpp - libmemfabric internals (memfabric::detail).  Nothing here
// is exported: the library is built with -fvisibility=hidden and only the
// BM_API functions of <memfabric/bm.h> leave it.
#ifndef MEMFABRIC_LIB_INTERNAL_HPP
#define MEMFABRIC_LIB_INTERNAL_HPP

#include <memfabric/bm.h>
#include <linux/memfabric.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <utility>

#include <unistd.h>

namespace memfabric::detail {

// ---- logging -----------------------------------------------------------

// Messages at or below the current level go to stderr, prefixed with
// "libmemfabric: <level>: ".  The level is process-wide; BM_Init() sets it.
// Failures are reported by return value: BM_LOG_ERROR is only for details
// a return value cannot carry (the bad line of a config file, the versions
// on an ABI mismatch); BM_LOG_INFO logs every failure, BM_LOG_DEBUG more.
void setLogLevel(BmLogLevel level) noexcept;
void log(BmLogLevel level, const char *fmt, ...) noexcept
	__attribute__((format(printf, 2, 3)));

// The C library's text for a positive errno, thread-safe, never NULL.
const char *systemErrorText(int err) noexcept;

// ---- configuration -----------------------------------------------------

// What BM_Init() works with, after the config file and the BmInitAttr.
struct Config {
	std::string device = BM_DEFAULT_DEVICE;
	std::string defaultPool = BM_DEFAULT_POOL;
	BmLogLevel logLevel = BM_LOG_ERROR;
	// Remote nodes (Documentation/remote.md): node name -> "host:port"
	// (key `remote`, BmInitAttr.remoteNodes), and the etcd endpoint
	// that knows the others (key `etcd`, BmInitAttr.etcd).
	std::map<std::string, std::string> remotes;
	std::string etcd;
	// TLS towards etcd (keys `etcd_cacert`, `etcd_cert`, `etcd_key`):
	// PEM files, "" = not used.
	std::string etcdCaFile, etcdCertFile, etcdKeyFile;
	// Authentication towards mfserverd (keys `remote_client`,
	// `remote_key`): this client's name in the servers' identity maps
	// and its secret key file; "" = none (servers refuse the client).
	std::string remoteClient, remoteKeyFile;
};

// Parse one remote node spec "NAME HOST[:PORT]" or "NAME=HOST[:PORT]"
// into @cfg.remotes.  0 or -EINVAL.
int parseRemote(const std::string &spec, Config &cfg);

// Largest config file accepted (-EFBIG beyond).
constexpr std::size_t kMaxConfigSize = 64 * 1024;

// Largest @size of a size-versioned struct (-E2BIG beyond).  Bounds what
// the library reads or writes when handed a garbage @size.
constexpr std::size_t kMaxStructSize = 4096;

// Read the `key = value` file @path into @cfg.  0 or -errno: -ENOENT
// (missing), -EINVAL (unknown key, malformed line, bad value), -EFBIG,
// or the errno of open/read.  On error @cfg is partly updated.
int parseConfigFile(const char *path, Config &cfg);

// Check the size-versioned BmInitAttr at @attr (the caller's void *) and
// copy what this library knows of it to @out.  0, -EINVAL or -E2BIG.
int copyInitAttr(const void *attr, BmInitAttr &out);

// Check the values of @attr and apply its overrides to @cfg.  0 or
// -EINVAL, in which case @cfg is partly updated.
int applyInitAttr(const BmInitAttr &attr, Config &cfg);

// Value checks shared by the file and BmInitAttr; each returns 0 or -EINVAL.
int checkDevice(const std::string &value);
int checkPoolName(const std::string &value);
int parseLogLevel(const std::string &value, BmLogLevel &out);

// ---- small helpers -------------------------------------------------------

// Run @f() at the C boundary: a std::bad_alloc becomes -ENOMEM, any other
// exception -EIO; none crosses the C ABI.
template <class F> int guarded(F &&f) noexcept
{
	try {
		return f();
	} catch (const std::bad_alloc &) {
		return -ENOMEM;
	} catch (...) {
		return -EIO;
	}
}

// Whether @a + @b wraps (the call then fails with -EOVERFLOW, as the
// kernel's would).
inline bool addOverflows(size_t a, size_t b)
{
	size_t r;
	return __builtin_add_overflow(a, b, &r);
}

// The size of a page (mappings, BM_MAP_FIXED addresses).
inline size_t pageSize()
{
	static const size_t ps = static_cast<size_t>(sysconf(_SC_PAGESIZE));
	return ps;
}

// Constant-time comparison of secIds.
inline bool sameSecret(const std::string &a, const std::string &b)
{
	if (a.size() != b.size())
		return false;
	unsigned char d = 0;
	for (size_t i = 0; i < a.size(); i++)
		d |= static_cast<unsigned char>(a[i] ^ b[i]);
	return d == 0;
}

// ---- names ---------------------------------------------------------------

// A byte of a namespace name or object id: [A-Za-z0-9_.:-].
inline bool nameChar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == ':';
}

// A NUL-terminated string of at most @cap - 1 bytes at @p, read no
// further than @cap bytes.  -EINVAL when @p is NULL or unterminated.
inline int boundedString(const char *p, std::size_t cap, std::string &out)
{
	if (!p)
		return -EINVAL;
	std::size_t n = strnlen(p, cap);
	if (n == cap)
		return -EINVAL;
	out.assign(p, n);
	return 0;
}

// Namespace names and object ids: 1 to 63 of [A-Za-z0-9_.:-].
inline int checkObjName(const std::string &s)
{
	if (s.empty())
		return -EINVAL;
	for (char c : s)
		if (!nameChar(c))
			return -EINVAL;
	return 0;
}

// A namespace name field: 1 to 63 of [A-Za-z0-9_.:-].
inline int parseNs(const char *field, std::string &out)
{
	int rc = boundedString(field, BM_NS_LEN, out);
	return rc ? rc : checkObjName(out);
}

// A secId field: 1 to 63 bytes.
inline int parseSecid(const char *field, std::string &out)
{
	int rc = boundedString(field, BM_SECID_LEN, out);
	if (rc)
		return rc;
	return out.empty() ? -EINVAL : 0;
}

// Copy @src into the zero-padded field @dst of @cap bytes.
inline void putField(char *dst, std::size_t cap, const std::string &src)
{
	std::memset(dst, 0, cap);
	std::memcpy(dst, src.data(), src.size() < cap - 1 ? src.size() : cap - 1);
}

// ---- device session ----------------------------------------------------

// An owned file descriptor, closed on destruction.
class UniqueFd {
public:
	UniqueFd() noexcept = default;
	explicit UniqueFd(int fd) noexcept : fd_(fd) {}
	UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
	UniqueFd &operator=(UniqueFd &&other) noexcept
	{
		reset(other.release());
		return *this;
	}
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;
	~UniqueFd() { reset(); }

	int get() const noexcept { return fd_; }
	explicit operator bool() const noexcept { return fd_ >= 0; }
	int release() noexcept { return std::exchange(fd_, -1); }
	void reset(int fd = -1) noexcept;

private:
	int fd_ = -1;
};

// One object handle of a session: the kernel's handle (map offset) of the
// open file on the object named @key, and the references on it.
//
// @userRefs are the references the caller holds through the API
// (BM_AllocSec, BM_GetSec, BM_DeriveSec, BM_CommitSec each give one;
// BM_PutSec drops one; BM_FreeSec drops all).  @inflight counts calls
// that are using the handle right now (Pin).  @kernelRefs are the
// references the open file holds in the kernel for this entry: @userRefs,
// or 1 while calls use an entry without user references (a transient
// handle), never fewer, so that a handle never goes away under a call.
struct Entry {
	std::string key;	// pool '\0' ns '\0' id
	std::string pool, ns, id, secid;
	uint64_t mo = 0;	// map offset
	uint64_t serial = 0;	// the object's serial (MF_FEAT_SERIAL), or 0
	uint64_t userRefs = 0;
	uint64_t kernelRefs = 0;
	unsigned inflight = 0;
	bool inTable = false;
};

// Check that @fd (opened as @dev) is a memfabric device of a compatible
// ABI, and fill @v from MF_IOC_VERSION.  0 or -errno (-ENOTTY not
// memfabric, -EPROTO ABI major differs from the library's).
int checkDevice(int fd, const char *dev, mf_version &v);

// Open @dev read-write and checkDevice() it.  0 or -errno: -ENODEV (no
// such device node: module not loaded), -EACCES, and checkDevice()'s.
int openDevice(const char *dev, UniqueFd &fd, mf_version &v);

struct FastGate;

// One open memfabric device whose ABI has been checked, and its handles.
class Session {
public:
	// Open cfg.device and check the module's ABI.  0 or -errno:
	// -ENODEV (no such device node: module not loaded), -EACCES,
	// -ENOTTY (not memfabric, or a module without MF_IOC_VERSION),
	// -EPROTO (ABI major differs from the library's).
	static int open(const Config &cfg, std::unique_ptr<Session> &out);
	// A session on @fd (taken over), already checkDevice()d into @v.
	static void adopt(const Config &cfg, UniqueFd fd, const mf_version &v,
			  std::unique_ptr<Session> &out);

	const Config &config() const noexcept { return cfg_; }
	// The module's answer to MF_IOC_VERSION at open time; the module
	// cannot change while the device is open.
	const mf_version &kernelVersion() const noexcept { return version_; }
	int fd() const noexcept { return fd_.get(); }
	bool hasFeature(uint64_t f) const noexcept
	{
		return (version_.features & f) == f;
	}

	// Closes the session's fast path, waits for the threads inside it
	// (of this session only) to leave, then closes the device.  Never
	// run under State::mu (state.cpp drops its reference after unlocking).
	~Session();

	// The fast path (fastEnter) accepts this session from publishFast()
	// until closeFast().
	void publishFast() noexcept;
	void closeFast() noexcept;
	FastGate *gate() const noexcept { return gate_; }

	// The child side of fork(): the open file is the parent's.  Closes
	// this process's descriptor of it (the parent's stays open, and so
	// do the mappings the child inherited), without dropping any kernel
	// reference.  The session stays usable only for its config.
	void detachForkChild() noexcept;

	// The handle table; guarded by mu.
	std::mutex mu;
	std::map<std::string, std::shared_ptr<Entry>> table;

	// Unique per session of the process (never 0).
	const uint64_t serial;
	// Bumped, under mu, whenever a handle of the table goes away or a
	// name of the table stops naming the same handle: the data calls'
	// per-thread caches of name -> map offset check it (handles.cpp).
	std::atomic<uint64_t> gen{ 0 };

	// The connections to remote nodes (remote.cpp), made on first use.
	std::mutex remoteMu;
	std::shared_ptr<class RemoteFabric> remote;

private:
	Session(Config cfg, UniqueFd fd, const mf_version &v);

	Config cfg_;
	UniqueFd fd_;
	mf_version version_;
	FastGate *gate_;
};

// The current session (shared: a call keeps it open until it returns) in
// @out: 0, or -ENODEV before BM_Init() and after the last BM_Exit().  In
// a child of fork() the first call opens the device again (a session of
// the child's own, see forkChild()): its errors are returned here.
int currentSession(std::shared_ptr<Session> &out) noexcept;

// Whether this thread's calls go through a session of BM_SessionUse()
// (the data calls' fast paths then stay unused: their caches may hold
// another session's handles).
bool sessionOverridden() noexcept;

// BM_Init() with the checked @cfg: open the session, or share the open
// one (-EBUSY if it works on another device or default pool).  0 or -errno.
int startSession(const Config &cfg);
// BM_Exit(): drop one reference on the session.  0, or -EINVAL without one.
int endSession();
// The open session's MF_IOC_VERSION in @out: 0, or -ENODEV.
int sessionVersion(mf_version &out);

// The gate of one session's fast path.  The fast path of the data calls
// uses a session without taking State::mu or a reference on it: it runs
// between fastEnter(gate, serial), which fails unless the gate is open
// for the session @serial, and fastExit(gate).  A session's destructor
// closes its gate and waits until no thread is inside *that* gate (other
// sessions' traffic does not count, and no new thread gets in, so the
// wait ends).  Gates are never freed, only recycled, so that a thread
// that remembers a gate of a destroyed session can still knock on it.
struct FastGate {
	std::atomic<uint64_t> serial{ 0 }; // the open session's, 0: closed
	std::atomic<long> users{ 0 };	   // threads inside
};

// Inline: the data calls' fast paths run them on every call.
inline bool fastEnter(FastGate *gate, uint64_t serial) noexcept
{
	gate->users.fetch_add(1);
	if (gate->serial.load() == serial)
		return true;
	gate->users.fetch_sub(1);
	return false;
}

inline void fastExit(FastGate *gate) noexcept
{
	gate->users.fetch_sub(1, std::memory_order_release);
}

// fork() handlers of the session layer (session.cpp): the gate pool's lock.
void gatesForkPrepare() noexcept;
void gatesForkParent() noexcept;
void gatesForkChild() noexcept;

// ---- object serials (ABI 1.5, MF_FEAT_SERIAL) -----------------------------
//
// Every object has a 64-bit serial that is never reused.  ALLOC, GET,
// DERIVE, COMMIT and STAT return it; READ and WRITE take it in
// mf_obj_io.serial and COPY in src_serial/dst_serial (0: no check;
// otherwise the kernel answers -ENOENT when the handle's object has
// another serial).  A module without MF_FEAT_SERIAL leaves the returned
// fields 0 (the bytes it does not know stay as the library zeroed them),
// and the library then passes 0.

// A BmInfo's name fields as the data calls' per-thread caches keep them
// (handles.cpp: local handles; remote.cpp: remote objects): a call whose
// fields are byte-equal names the same object as before.
//
// Compared a 64-bit word at a time (the data calls' fast paths run this on
// every call): the four fields are contiguous in a BmInfo, and each field
// counts up to and including its NUL.  The entry keeps, for each word that
// holds such bytes, its index in the fields, its bytes and a mask of the
// bytes that count; the caller's bytes past a field's NUL do not.
struct CachedName {
	bool matches(const BmInfo *bi) const
	{
		const char *base = bi->poolName;
		uint64_t diff = 0;

		for (unsigned i = 0; i < n_; i++) {
			uint64_t w;
			memcpy(&w, base + 8 * idx_[i], sizeof(w));
			diff |= (w ^ val_[i]) & mask_[i];
		}
		return n_ && !diff;
	}
	void set(const BmInfo *bi)
	{
		n_ = 0;
		if (!add(bi, bi->poolName, sizeof(bi->poolName)) ||
		    !add(bi, bi->ns, sizeof(bi->ns)) ||
		    !add(bi, bi->secId, sizeof(bi->secId)) ||
		    !add(bi, bi->bmId, sizeof(bi->bmId)))
			n_ = 0; // unterminated: matches nothing
	}

private:
	static constexpr size_t kBytes =
		BM_POOL_NAME_LEN + BM_NS_LEN + BM_SECID_LEN + BM_ID_LEN;
	static constexpr size_t kWords = kBytes / 8;
	static_assert(offsetof(BmInfo, poolName) % 8 == 0 &&
			      offsetof(BmInfo, ns) ==
				      offsetof(BmInfo, poolName) +
					      BM_POOL_NAME_LEN &&
			      offsetof(BmInfo, secId) ==
				      offsetof(BmInfo, ns) + BM_NS_LEN &&
			      offsetof(BmInfo, bmId) ==
				      offsetof(BmInfo, secId) + BM_SECID_LEN &&
			      BM_POOL_NAME_LEN % 8 == 0 && BM_NS_LEN % 8 == 0 &&
			      BM_SECID_LEN % 8 == 0 && BM_ID_LEN % 8 == 0,
		      "the name fields of a BmInfo are contiguous words");

	// Record the field @f of @bi, of @cap bytes: false if it has no NUL.
	bool add(const BmInfo *bi, const char *f, size_t cap)
	{
		size_t n = strnlen(f, cap) + 1;
		size_t at = static_cast<size_t>(f - bi->poolName) / 8;

		if (n > cap)
			return false;
		for (size_t w = 0; w * 8 < n; w++) {
			size_t k = n - w * 8 < 8 ? n - w * 8 : 8;
			uint64_t v = 0;
			memcpy(&v, f + w * 8, k);
			idx_[n_] = static_cast<uint8_t>(at + w);
			val_[n_] = v;
			uint64_t m = 0;
			memset(&m, 0xff, k);
			mask_[n_] = m;
			n_++;
		}
		return true;
	}

	unsigned n_ = 0; // words that count; 0: empty
	uint8_t idx_[kWords] = {};
	uint64_t val_[kWords] = {};
	uint64_t mask_[kWords] = {};
};

// The slot of a cache (slots with a `serial`, 0: empty, and a `name`)
// that @bi names, or null.
template <class Slot, size_t N>
Slot *findCached(Slot (&slots)[N], const BmInfo *bi)
{
	for (Slot &f : slots)
		if (f.serial && f.name.matches(bi))
			return &f;
	return nullptr;
}

// fork() handlers of the backends (local.cpp), called by the
// pthread_atfork() handlers of state.cpp with State::mu held.  The child
// keeps none of the session's references (they stay its parent's) and
// closes its copy of the parent's open file: its first call opens a
// session of its own (currentSession()), see memfabric(7).
void forkPrepare(Session *s) noexcept;
void forkParent(Session *s) noexcept;
void forkChild(Session *s) noexcept;

} // namespace memfabric::detail

#endif // MEMFABRIC_LIB_INTERNAL_HPP
