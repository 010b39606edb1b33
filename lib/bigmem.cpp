// SPDX-License-Identifier: LGPL-2.1-or-later
//
// bigmem.cpp - the BigMemory API: namespaces, objects, data, gather,
// mappings and the object model (MEMFABRIC_0.2).
//
// Names and handles.  The kernel names an object by pool, namespace,
// secId and id only to find it (ALLOC, GET, FREE, PUBLISH, DERIVE's
// destination); every other ioctl names it by the map offset of a handle
// that the open file holds.  The session's handle table (Session::table,
// under Session::mu) maps (pool, ns, id) to that handle, its secId and the
// references held on it; see struct Entry in internal.hpp.
//
// - BM_AllocSec, BM_GetSec, BM_DeriveSec and BM_CommitSec give the caller
//   one reference (a kernel handle reference of the session's open file).
//   BM_PutSec drops one.  BM_FreeSec frees the object and drops every
//   reference the session holds on it.  BM_Exit (the last one) drops all.
// - Every other call on an object uses the session's handle when it has
//   one (after checking the secId against the one the kernel accepted),
//   and otherwise takes a transient handle (MF_IOC_OBJ_GET) that it drops
//   again before it returns.  A mapping holds its own kernel reference
//   until it is unmapped, so BM_MapSec keeps no handle either.
// - A handle is pinned (Pin) while a call uses it without the table lock,
//   so that a concurrent BM_PutSec cannot make its map offset go away (or
//   be reused for another object) in the middle of the call.
//
// Mappings are process-wide (g_maps, under its own mutex): BM_Unmap and
// BM_CommitSec find them by address.
//
// Lock order: State::mu (api.cpp), then Session::mu, then g_maps.mu; no
// call holds two of them except the fork handlers, which take all three.
#include "internal.hpp"
#include "remote.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <new>
#include <vector>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

using namespace memfabric::detail;

namespace memfabric::detail {

static_assert(BM_POOL_NAME_LEN == MF_POOL_NAME_LEN, "name sizes");
static_assert(BM_NS_LEN == MF_NS_NAME_LEN, "name sizes");
static_assert(BM_SECID_LEN == MF_SECID_LEN, "name sizes");
static_assert(BM_ID_LEN == MF_OBJ_ID_LEN, "name sizes");
static_assert(BM_TYPE_PRIVATE_RW == MF_OBJ_PRIVATE_RW, "types");
static_assert(BM_TYPE_SHARED_RO == MF_OBJ_SHARED_RO, "types");
static_assert(BM_MAX_SIZE == MF_OBJ_MAX_SIZE, "sizes");
static_assert(BM_GATHER_MAX_ITEMS == MF_GATHER_MAX_ELEMS, "gather");
static_assert(BM_FEAT_MMAP == MF_FEAT_MMAP, "feature bits");
static_assert(BM_FEAT_OBJECTS == MF_FEAT_OBJECTS, "feature bits");
static_assert(BM_FEAT_NETLINK == MF_FEAT_NETLINK, "feature bits");
static_assert(BM_FEAT_MMAP_LONGTERM == MF_FEAT_MMAP_LONGTERM, "feature bits");

namespace {

// ---- names -------------------------------------------------------------

struct Name {
	std::string pool, ns, secid, id;

	std::string key() const
	{
		std::string k = pool;
		k += '\0';
		k += ns;
		k += '\0';
		k += id;
		return k;
	}
};

// A pool name field: "" is the session's default pool.
int parsePool(const Session &s, const char *field, std::string &out)
{
	if (!field || !*field) {
		out = s.config().defaultPool;
		return 0;
	}
	int rc = boundedString(field, BM_POOL_NAME_LEN, out);
	if (rc)
		return rc;
	return checkPoolName(out);
}

// Check a BmInfo and read its name.  @idOptional: an empty bmId is
// allowed (the kernel generates one).
int parseInfo(const Session &s, const BmInfo *bi, Name &n,
	      bool idOptional = false)
{
	if (!bi)
		return -EINVAL;
	int rc = parsePool(s, bi->poolName, n.pool);
	if (!rc)
		rc = parseNs(bi->ns, n.ns);
	if (!rc)
		rc = parseSecid(bi->secId, n.secid);
	if (!rc)
		rc = boundedString(bi->bmId, BM_ID_LEN, n.id);
	if (!rc && !(idOptional && n.id.empty()))
		rc = checkObjName(n.id);
	return rc;
}

void putName(mf_obj_name &k, const Name &n)
{
	putField(k.pool, sizeof(k.pool), n.pool);
	putField(k.ns, sizeof(k.ns), n.ns);
	putField(k.secid, sizeof(k.secid), n.secid);
	putField(k.id, sizeof(k.id), n.id);
}

// Write what the kernel said back into the caller's BmInfo.
void fillInfo(BmInfo *bi, const std::string &pool, const char *id,
	      uint64_t bytes, uint32_t type)
{
	putField(bi->poolName, sizeof(bi->poolName), pool);
	if (id) {
		size_t n = strnlen(id, MF_OBJ_ID_LEN - 1);
		memset(bi->bmId, 0, sizeof(bi->bmId));
		memcpy(bi->bmId, id, n);
	}
	bi->size = static_cast<size_t>(bytes);
	bi->type = static_cast<int>(type);
}

// ---- kernel calls ------------------------------------------------------

int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

template <class T> T arg()
{
	T a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	return a;
}

int kernelPut(Session &s, uint64_t mo)
{
	mf_obj_put p = arg<mf_obj_put>();
	p.obj = mo;
	int rc = xioctl(s.fd(), MF_IOC_OBJ_PUT, &p);
	if (rc)
		log(BM_LOG_WARN, "MF_IOC_OBJ_PUT %#llx: %s",
		    static_cast<unsigned long long>(mo), systemErrorText(-rc));
	return rc;
}

int kernelGet(Session &s, const Name &n, mf_obj_get &g)
{
	g = arg<mf_obj_get>();
	putName(g.name, n);
	return xioctl(s.fd(), MF_IOC_OBJ_GET, &g);
}

int kernelStat(Session &s, uint64_t mo, mf_obj_stat &st)
{
	st = arg<mf_obj_stat>();
	st.obj = mo;
	return xioctl(s.fd(), MF_IOC_OBJ_STAT, &st);
}

// ---- the handle table --------------------------------------------------

// The serial to pass with @e's handle: 0 (no check) without
// MF_FEAT_SERIAL.
uint64_t serialOf(const Session &s, const Entry &e)
{
	return s.hasFeature(MF_FEAT_SERIAL) ? e.serial : 0;
}

// Take @e out of the table, if it is there.  The table's shared_ptr may be
// the last owner of @e: it lives on in @keep until the caller's scope
// ends, and the node is erased by iterator (its key is not @e's).
// Session::mu held.
void unlinkLocked(Session &s, Entry &e, std::shared_ptr<Entry> &keep)
{
	if (!e.inTable)
		return;
	auto it = s.table.find(e.key);
	if (it != s.table.end() && it->second.get() == &e) {
		keep = std::move(it->second);
		s.table.erase(it);
	}
	e.inTable = false;
	s.gen.fetch_add(1, std::memory_order_release);
}

// Drop the kernel references @e holds beyond what it needs; forget it
// when it needs none.  Session::mu held; @e may be freed on return
// unless the caller holds a shared_ptr of its own.
void releaseLocked(Session &s, Entry &e)
{
	uint64_t keep = e.userRefs;
	if (e.inflight && !keep)
		keep = 1;
	while (e.kernelRefs > keep) {
		kernelPut(s, e.mo);
		e.kernelRefs--;
		s.gen.fetch_add(1, std::memory_order_release);
	}
	if (!e.kernelRefs && !e.userRefs && !e.inflight && e.inTable) {
		std::shared_ptr<Entry> last;
		unlinkLocked(s, e, last);
	}
}

// Take @e out of the table (its name now names another object, or was
// freed): the caller's references on it are gone.  Session::mu held.
void orphanLocked(Session &s, const std::shared_ptr<Entry> &e)
{
	std::shared_ptr<Entry> keep;
	unlinkLocked(s, *e, keep);
	s.gen.fetch_add(1, std::memory_order_release);
	e->userRefs = 0;
	releaseLocked(s, *e);
}

// A new table entry for the handle @mo (object @serial) of @n, with no
// references yet.  Allocates: may throw.
std::shared_ptr<Entry> newEntry(const Name &n, const std::string &key,
				uint64_t mo, uint64_t serial)
{
	auto e = std::make_shared<Entry>();
	e->key = key;
	e->pool = n.pool;
	e->ns = n.ns;
	e->id = n.id;
	e->secid = n.secid;
	e->mo = mo;
	e->serial = serial;
	return e;
}

// A new user reference on the object @n whose kernel handle reference the
// caller just took (ALLOC, GET, DERIVE, COMMIT gave @mo and @serial).
// Session::mu held.  Strong guarantee: if it throws (std::bad_alloc),
// nothing changed and the caller still owns that kernel reference.
void adoptLocked(Session &s, const Name &n, uint64_t mo, uint64_t serial)
{
	std::string key = n.key();
	std::string secid = n.secid;
	auto it = s.table.find(key);

	if (it != s.table.end() && it->second->mo == mo &&
	    it->second->serial == serial) {
		Entry &e = *it->second;
		if (e.secid != secid) {
			// Cached names carry the secId: resolve them again.
			e.secid.swap(secid);
			s.gen.fetch_add(1, std::memory_order_release);
		}
		e.userRefs++;
		e.kernelRefs++;
		return;
	}
	std::shared_ptr<Entry> e = newEntry(n, key, mo, serial);
	if (it == s.table.end())
		it = s.table.emplace(key, nullptr).first;
	e->userRefs = 1;
	e->kernelRefs = 1;
	e->inTable = true;
	// The name was freed and taken again: the old handle is stale.
	std::shared_ptr<Entry> old = std::exchange(it->second, e);
	if (old) {
		old->inTable = false;
		old->userRefs = 0;
		s.gen.fetch_add(1, std::memory_order_release);
		releaseLocked(s, *old);
	}
}

// A handle in use by a call.
class Pin {
public:
	Pin() = default;
	Pin(const Pin &) = delete;
	Pin &operator=(const Pin &) = delete;
	Pin(Pin &&o) noexcept : s_(o.s_), e_(std::move(o.e_)) {}
	~Pin() { reset(); }

	uint64_t mo() const { return e_->mo; }
	// The serial to pass with mo() (0 without MF_FEAT_SERIAL).
	uint64_t serial() const { return serialOf(*s_, *e_); }
	const Entry &entry() const { return *e_; }
	// Session::gen when the handle was pinned, and whether the caller
	// held references on it then (a handle the fast path may cache).
	uint64_t gen() const { return gen_; }
	bool held() const { return held_; }

	void reset()
	{
		if (!e_)
			return;
		std::lock_guard<std::mutex> lock(s_->mu);
		e_->inflight--;
		releaseLocked(*s_, *e_);
		e_.reset();
	}

	// Pin the session's handle on @n, or take a transient one.
	int acquire(Session &s, const Name &n)
	{
		reset();
		std::string key = n.key();
		std::lock_guard<std::mutex> lock(s.mu);
		auto it = s.table.find(key);
		std::shared_ptr<Entry> e;

		if (it != s.table.end()) {
			e = it->second;
			// The kernel checked the secId when the handle was
			// taken; check the caller's against it.
			if (!sameSecret(e->secid, n.secid))
				return -EACCES;
		} else {
			// Allocate first: nothing may throw while this call
			// owns a kernel reference the table does not know.
			e = newEntry(n, key, 0, 0);
			it = s.table.emplace(key, nullptr).first;
			mf_obj_get g;
			int rc = kernelGet(s, n, g);
			if (rc) {
				s.table.erase(it);
				return rc;
			}
			e->mo = g.map_offset;
			e->serial = g.serial;
			e->kernelRefs = 1;
			e->inTable = true;
			it->second = e;
		}
		e->inflight++;
		gen_ = s.gen.load(std::memory_order_relaxed);
		held_ = e->userRefs > 0;
		s_ = &s;
		e_ = std::move(e);
		return 0;
	}

private:
	Session *s_ = nullptr;
	std::shared_ptr<Entry> e_;
	uint64_t gen_ = 0;
	bool held_ = false;
};

// The entry the table has for @key, or null.
std::shared_ptr<Entry> entryOf(Session &s, const std::string &key)
{
	std::lock_guard<std::mutex> lock(s.mu);
	auto it = s.table.find(key);
	return it == s.table.end() ? nullptr : it->second;
}

// ---- the fast path of the data calls -----------------------------------
//
// BM_ReadSec, BM_WriteSec and BM_CopySec on an object the session holds a
// reference on (BM_AllocSec, BM_GetSec, ...) skip the name parsing, the
// table lock and the pin: each thread remembers the last few BmInfo names
// it resolved to such a handle, with the session's serial and generation.
// A call whose name fields are byte-equal to a remembered name, in the same
// session (fastEnter) and generation, goes straight to the ioctl.  A
// handle that went away in between (another thread's BM_PutSec) makes the
// kernel answer -ENOENT; the call then takes the slow path.  Map offsets
// are object numbers, which the kernel does reuse (cyclically), so the
// call passes the object's serial too (MF_FEAT_SERIAL): a number that
// meanwhile names another object of the open file is refused (-ENOENT)
// under the kernel's handle lock.  Without MF_FEAT_SERIAL that window
// remains (Documentation/library.md).

struct FastSlot {
	Session *s = nullptr;
	FastGate *gate = nullptr;
	uint64_t serial = 0; // the session's; 0: empty
	uint64_t gen = 0;
	uint64_t mo = 0;
	uint64_t objSerial = 0; // passed with @mo: 0 or the object's serial
	CachedName name;
};

constexpr unsigned kFastSlots = 4;
thread_local FastSlot t_fast[kFastSlots];
thread_local unsigned t_fastNext;

FastSlot *fastFind(const BmInfo *bi)
{
	return findCached(t_fast, bi);
}

// Remember @bi (checked by parseInfo) as naming the pinned handle @pin.
void fastStore(Session &s, const BmInfo *bi, const Pin &pin)
{
	if (!pin.held())
		return;
	FastSlot *f = fastFind(bi);
	if (!f)
		f = &t_fast[t_fastNext++ % kFastSlots];
	f->serial = 0;
	f->name.set(bi);
	f->s = &s;
	f->gen = pin.gen();
	f->mo = pin.mo();
	f->objSerial = pin.serial();
	f->gate = s.gate();
	f->serial = s.serial;
}

// Whether @f still names its handle; the caller is inside fastEnter().
inline bool fastCurrent(const FastSlot *f)
{
	return f->s->gen.load(std::memory_order_acquire) == f->gen;
}

// ---- mappings ----------------------------------------------------------

struct Mapping {
	size_t length;		// page-rounded
	bool isPrivate;
	std::string pool, ns, id;
};

struct Maps {
	std::mutex mu;
	std::map<uintptr_t, Mapping> byAddr;
};

Maps &maps()
{
	static Maps *m = new Maps; // never destroyed, as State
	return *m;
}

size_t pageSize()
{
	static const size_t ps = static_cast<size_t>(sysconf(_SC_PAGESIZE));
	return ps;
}

// ---- plumbing ------------------------------------------------------------

// Run @f(Session &) on the current session; -ENODEV without one.
template <class F> int withSession(F &&f) noexcept
{
	return guarded([&]() -> int {
		std::shared_ptr<Session> s;
		int rc = currentSession(s);
		if (rc)
			return rc;
		return f(*s);
	});
}

// The pool BM_AllocSec allocates from.
int choosePool(Session &s, const BmInfo *bi, const BmAffinity *aff,
	       std::string &pool)
{
	std::string named, affPool;

	if (bi->poolName[0]) {
		int rc = parsePool(s, bi->poolName, named);
		if (rc)
			return rc;
	}
	if (!aff) {
		pool = named.empty() ? s.config().defaultPool : named;
		return 0;
	}
	if (aff->numaNode < -1)
		return -EINVAL;
	if (aff->poolName[0]) {
		int rc = parsePool(s, aff->poolName, affPool);
		if (rc)
			return rc;
		if (!named.empty() && named != affPool)
			return -EINVAL;
		named = affPool;
	}
	if (!named.empty() || aff->numaNode < 0) {
		pool = named.empty() ? s.config().defaultPool : named;
		return 0;
	}

	// A node: the first pool of that node's memory.
	std::vector<mf_pool_info> v(16);
	for (int tries = 0; tries < 8; tries++) {
		mf_pool_list l = arg<mf_pool_list>();
		l.pools = reinterpret_cast<uintptr_t>(v.data());
		l.count = static_cast<uint32_t>(v.size());
		l.entry_size = sizeof(mf_pool_info);
		int rc = xioctl(s.fd(), MF_IOC_POOL_LIST, &l);
		if (rc)
			return rc;
		if (l.count > v.size()) {
			v.resize(l.count);
			continue;
		}
		for (uint32_t i = 0; i < l.count; i++) {
			if (v[i].backend == MF_POOL_BACKEND_NODE &&
			    static_cast<int>(v[i].node) == aff->numaNode) {
				pool.assign(v[i].name,
					    strnlen(v[i].name,
						    sizeof(v[i].name)));
				return 0;
			}
		}
		return -ENOENT;
	}
	return -EAGAIN;
}

} // namespace

// ---- fork ----------------------------------------------------------------

void forkPrepare(Session *s) noexcept
{
	if (s) {
		s->mu.lock();
		s->remoteMu.lock();
	}
	maps().mu.lock();
}

void forkParent(Session *s) noexcept
{
	maps().mu.unlock();
	if (s) {
		s->remoteMu.unlock();
		s->mu.unlock();
	}
}

void forkChild(Session *s) noexcept
{
	maps().mu.unlock();
	if (!s)
		return;
	remote::forkChild(*s);
	s->remoteMu.unlock();
	// The open file and its kernel references are shared with the
	// parent, and they are the parent's: the child starts with none.
	for (auto &kv : s->table)
		kv.second->inTable = false;
	s->table.clear();
	s->gen.fetch_add(1);
	s->mu.unlock();
}

} // namespace memfabric::detail

extern "C" {

// ---- namespaces ----------------------------------------------------------

BM_API int BM_CreateNSSec(const char *poolName, const char *ns, int attribute,
			  const char *secId)
{
	return withSession([&](Session &s) {
		std::string pool, name, secid;
		if (isRemoteField(poolName))
			return remote::createNs(s, poolName, ns, attribute,
						secId);
		int rc = parsePool(s, poolName, pool);
		if (!rc)
			rc = parseNs(ns, name);
		if (!rc)
			rc = parseSecid(secId, secid);
		if (rc)
			return rc;

		mf_ns_create c = arg<mf_ns_create>();
		putField(c.pool, sizeof(c.pool), pool);
		putField(c.name, sizeof(c.name), name);
		putField(c.secid, sizeof(c.secid), secid);
		c.attr = static_cast<uint32_t>(attribute);
		return xioctl(s.fd(), MF_IOC_NS_CREATE, &c);
	});
}

BM_API int BM_DestroyNSSec(const char *poolName, const char *ns,
			   const char *secId)
{
	return withSession([&](Session &s) {
		std::string pool, name, secid;
		if (isRemoteField(poolName))
			return remote::destroyNs(s, poolName, ns, secId);
		int rc = parsePool(s, poolName, pool);
		if (!rc)
			rc = parseNs(ns, name);
		if (!rc)
			rc = parseSecid(secId, secid);
		if (rc)
			return rc;

		mf_ns_destroy d = arg<mf_ns_destroy>();
		putField(d.pool, sizeof(d.pool), pool);
		putField(d.name, sizeof(d.name), name);
		putField(d.secid, sizeof(d.secid), secid);
		return xioctl(s.fd(), MF_IOC_NS_DESTROY, &d);
	});
}

BM_API int BM_QueryNSCache(QueryNsCache *buff, size_t buffLen)
{
	return withSession([&](Session &s) -> int {
		if (!buff && buffLen)
			return -EINVAL;
		size_t cap = buff ? buffLen / sizeof(QueryNsCache) : 0;
		cap = std::min<size_t>(cap, INT_MAX);

		// Ask for what fits, growing to what there is (it may change
		// between calls).
		std::vector<mf_ns_info> v(std::max<size_t>(1,
					  std::min<size_t>(cap, 256)));
		uint32_t got = 0;
		for (int tries = 0;; tries++) {
			mf_ns_list l = arg<mf_ns_list>();
			l.namespaces = reinterpret_cast<uintptr_t>(v.data());
			l.count = static_cast<uint32_t>(v.size());
			l.entry_size = sizeof(mf_ns_info);
			int rc = xioctl(s.fd(), MF_IOC_NS_LIST, &l);
			if (rc)
				return rc;
			got = std::min<uint32_t>(l.count,
						 static_cast<uint32_t>(v.size()));
			size_t want = std::min<size_t>(cap, l.count);
			if (want <= v.size() || tries == 8)
				break;
			v.resize(want);
		}
		size_t n = std::min<size_t>(cap, got);
		for (size_t i = 0; i < n; i++) {
			QueryNsCache &q = buff[i];
			const mf_ns_info &k = v[i];

			memset(&q, 0, sizeof(q));
			memcpy(q.poolName, k.pool, sizeof(q.poolName) - 1);
			memcpy(q.ns, k.name, sizeof(q.ns) - 1);
			q.attribute = static_cast<int>(k.attr);
			q.objectCount = k.nr_objects;
			q.bytes = k.bytes;
			q.ttlSeconds = k.ttl;
			q.ctime = k.ctime;
		}
		return static_cast<int>(n);
	});
}

// ---- objects ---------------------------------------------------------------

BM_API int BM_AllocSec(BmInfo *bminfo, size_t size, int flags,
		       BmAffinity *affinity)
{
	return withSession([&](Session &s) {
		Name n;
		if (bminfo && (isRemoteField(bminfo->poolName) ||
			       (affinity && isRemoteField(affinity->poolName))))
			return remote::alloc(s, bminfo, size, flags, affinity);
		if (flags || !size || size > BM_MAX_SIZE)
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n, true);
		if (rc)
			return rc;
		if (affinity) {
			std::string dummy;
			if (boundedString(affinity->poolName,
					  BM_POOL_NAME_LEN, dummy))
				return -EINVAL;
		}
		rc = choosePool(s, bminfo, affinity, n.pool);
		if (rc)
			return rc;

		mf_obj_alloc a = arg<mf_obj_alloc>();
		putName(a.name, n);
		a.bytes = size;
		// Not under the table lock: ALLOC zeroes the memory.
		rc = xioctl(s.fd(), MF_IOC_OBJ_ALLOC, &a);
		if (rc)
			return rc;
		std::lock_guard<std::mutex> lock(s.mu);
		a.name.id[sizeof(a.name.id) - 1] = '\0';
		try {
			n.id = a.name.id;
			adoptLocked(s, n, a.map_offset, a.serial);
		} catch (...) {
			kernelPut(s, a.map_offset);
			throw;
		}
		fillInfo(bminfo, n.pool, a.name.id, a.bytes, a.type);
		return 0;
	});
}

BM_API int BM_FreeSec(BmInfo *bminfo, int flags)
{
	return withSession([&](Session &s) {
		Name n;
		if (bminfo && isRemoteField(bminfo->poolName))
			return remote::freeObj(s, bminfo, flags);
		if (flags)
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		if (rc)
			return rc;

		std::string key = n.key();
		std::shared_ptr<Entry> before = entryOf(s, key);
		mf_obj_free f = arg<mf_obj_free>();
		putName(f.name, n);
		// Not under the table lock (FREE may return the memory).
		rc = xioctl(s.fd(), MF_IOC_OBJ_FREE, &f);
		if (rc)
			return rc;
		// Drop the references on what was freed: the entry the name
		// named before FREE, if it still does.  Another thread may
		// have put it away meanwhile, or adopted a new object under
		// the name (ALLOC, GET): that one is not touched.
		std::lock_guard<std::mutex> lock(s.mu);
		auto it = s.table.find(key);
		if (before && it != s.table.end() && it->second == before)
			orphanLocked(s, before);
		putField(bminfo->poolName, sizeof(bminfo->poolName), n.pool);
		return 0;
	});
}

BM_API int BM_BatchFreeSec(char *bmIdArray[], int num, int flags,
			   const char *ns, const char *secId)
{
	return withSession([&](Session &s) -> int {
		Name n;
		if (flags || !bmIdArray || num <= 0 || num > MF_OBJ_BATCH_MAX)
			return -EINVAL;
		n.pool = s.config().defaultPool;
		int rc = parseNs(ns, n.ns);
		if (!rc)
			rc = parseSecid(secId, n.secid);
		if (rc)
			return rc;

		std::vector<char> ids(static_cast<size_t>(num) * BM_ID_LEN, 0);
		std::vector<std::string> names(static_cast<size_t>(num));
		for (int i = 0; i < num; i++) {
			rc = boundedString(bmIdArray[i], BM_ID_LEN, names[i]);
			if (!rc)
				rc = checkObjName(names[i]);
			if (rc)
				return rc;
			memcpy(&ids[static_cast<size_t>(i) * BM_ID_LEN],
			       names[i].data(), names[i].size());
		}

		mf_obj_batch_free b = arg<mf_obj_batch_free>();
		putField(b.pool, sizeof(b.pool), n.pool);
		putField(b.ns, sizeof(b.ns), n.ns);
		putField(b.secid, sizeof(b.secid), n.secid);
		b.ids = reinterpret_cast<uintptr_t>(ids.data());
		b.count = static_cast<uint32_t>(num);

		// As BM_FreeSec: the entries the names named before the
		// ioctl, which runs without the table lock.
		std::vector<std::string> keys(static_cast<size_t>(num));
		std::vector<std::shared_ptr<Entry>> before(keys.size());
		{
			std::lock_guard<std::mutex> lock(s.mu);
			for (int i = 0; i < num; i++) {
				n.id = names[i];
				keys[i] = n.key();
				auto it = s.table.find(keys[i]);
				if (it != s.table.end())
					before[i] = it->second;
			}
		}
		rc = xioctl(s.fd(), MF_IOC_OBJ_BATCH_FREE, &b);
		if (rc)
			return rc;

		// Forget the handles of what was freed: everything before
		// the first failure; after it, what a lookup no longer finds
		// (the kernel goes on after a failure).
		std::lock_guard<std::mutex> lock(s.mu);
		for (int i = 0; i < num; i++) {
			auto it = s.table.find(keys[i]);
			if (!before[i] || it == s.table.end() ||
			    it->second != before[i])
				continue;
			if (static_cast<uint32_t>(i) > b.first_failed) {
				n.id = names[i];
				mf_obj_get g;
				if (kernelGet(s, n, g) == 0) {
					kernelPut(s, g.map_offset);
					if (g.map_offset == before[i]->mo &&
					    g.serial == before[i]->serial)
						continue;
				}
			} else if (static_cast<uint32_t>(i) == b.first_failed) {
				continue;
			}
			orphanLocked(s, before[i]);
		}
		if (b.first_error)
			return -b.first_error;
		return static_cast<int>(b.nr_freed);
	});
}

BM_API int BM_ExpandSec(BmInfo *bminfo, size_t size, int flags)
{
	return withSession([&](Session &s) {
		Name n;
		if (bminfo && isRemoteField(bminfo->poolName))
			return -EOPNOTSUPP;
		if (flags || !size || size > BM_MAX_SIZE)
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		if (rc)
			return rc;
		Pin pin;
		rc = pin.acquire(s, n);
		if (rc)
			return rc;
		mf_obj_expand e = arg<mf_obj_expand>();
		e.obj = pin.mo();
		e.bytes = size;
		rc = xioctl(s.fd(), MF_IOC_OBJ_EXPAND, &e);
		if (rc)
			return rc;
		bminfo->size = size;
		putField(bminfo->poolName, sizeof(bminfo->poolName), n.pool);
		return 0;
	});
}

// ---- data ------------------------------------------------------------------

// The fast path of objIo: true if it ran the call (result in @rc).
static bool objIoFast(const BmInfo *bminfo, size_t offset, size_t length,
		      void *buffer, unsigned long cmd, int &rc)
{
	FastSlot *f = fastFind(bminfo);
	if (!f || !fastEnter(f->gate, f->serial))
		return false;
	if (!fastCurrent(f)) {
		fastExit(f->gate);
		f->serial = 0;
		return false;
	}
	mf_obj_io io = arg<mf_obj_io>();
	io.obj = f->mo;
	io.offset = offset;
	io.length = length;
	io.buf = reinterpret_cast<uintptr_t>(buffer);
	io.serial = f->objSerial;
	rc = xioctl(f->s->fd(), cmd, &io);
	fastExit(f->gate);
	if (rc == -ENOENT) {	// the handle went away: resolve the name again
		f->serial = 0;
		return false;
	}
	return true;
}

static int objIo(BmInfo *bminfo, size_t offset, size_t length, void *buffer,
		 int flags, unsigned long cmd)
{
	int fastRc;

	if (!flags && bminfo && buffer && length &&
	    !addOverflows(offset, length) &&
	    (objIoFast(bminfo, offset, length, buffer, cmd, fastRc) ||
	     remote::fastIo(bminfo, offset, length,
			    static_cast<char *>(buffer),
			    cmd == MF_IOC_OBJ_WRITE, fastRc)))
		return fastRc;
	return withSession([&](Session &s) {
		Name n;
		if (bminfo && isRemoteField(bminfo->poolName))
			return cmd == MF_IOC_OBJ_READ ?
				       remote::read(s, bminfo, offset, length,
						    buffer, flags) :
				       remote::write(s, bminfo, offset, length,
						     buffer, flags);
		if (flags || (!buffer && length))
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		if (rc)
			return rc;
		if (addOverflows(offset, length))
			return -EOVERFLOW;
		Pin pin;
		rc = pin.acquire(s, n);
		if (rc || !length)
			return rc;
		fastStore(s, bminfo, pin);
		mf_obj_io io = arg<mf_obj_io>();
		io.obj = pin.mo();
		io.offset = offset;
		io.length = length;
		io.buf = reinterpret_cast<uintptr_t>(buffer);
		io.serial = pin.serial();
		return xioctl(s.fd(), cmd, &io);
	});
}

BM_API int BM_ReadSec(BmInfo *bminfo, size_t offset, size_t length,
		      void *buffer, int flags)
{
	return objIo(bminfo, offset, length, buffer, flags, MF_IOC_OBJ_READ);
}

BM_API int BM_WriteSec(BmInfo *bminfo, size_t offset, size_t length,
		       const void *buffer, int flags)
{
	return objIo(bminfo, offset, length, const_cast<void *>(buffer), flags,
		     MF_IOC_OBJ_WRITE);
}

// The fast path of BM_CopySec: true if it ran the call (result in @rc).
static bool copyFast(const BmInfo *srcBM, size_t srcOffset,
		     const BmInfo *dstBM, size_t dstOffset, size_t length,
		     int &rc)
{
	FastSlot *fs = fastFind(srcBM), *fd = fastFind(dstBM);
	if (!fs || !fd || fs->serial != fd->serial || fs->gate != fd->gate ||
	    !fastEnter(fs->gate, fs->serial))
		return false;
	if (!fastCurrent(fs) || !fastCurrent(fd)) {
		fastExit(fs->gate);
		fs->serial = 0;
		fd->serial = 0;
		return false;
	}
	mf_obj_copy c = arg<mf_obj_copy>();
	c.src = fs->mo;
	c.src_offset = srcOffset;
	c.dst = fd->mo;
	c.dst_offset = dstOffset;
	c.length = length;
	c.src_serial = fs->objSerial;
	c.dst_serial = fd->objSerial;
	rc = xioctl(fs->s->fd(), MF_IOC_OBJ_COPY, &c);
	fastExit(fs->gate);
	if (rc == -ENOENT) {
		fs->serial = 0;
		fd->serial = 0;
		return false;
	}
	return true;
}

BM_API int BM_CopySec(BmInfo *srcBM, size_t srcOffset, BmInfo *dstBM,
		      size_t dstOffset, size_t length, int flags)
{
	int fastRc;

	if (!flags && srcBM && dstBM && length &&
	    !addOverflows(srcOffset, length) &&
	    !addOverflows(dstOffset, length) &&
	    copyFast(srcBM, srcOffset, dstBM, dstOffset, length, fastRc))
		return fastRc;
	return withSession([&](Session &s) {
		Name src, dst;
		if ((srcBM && isRemoteField(srcBM->poolName)) ||
		    (dstBM && isRemoteField(dstBM->poolName)))
			return remote::copy(s, srcBM, srcOffset, dstBM,
					    dstOffset, length, flags);
		if (flags)
			return -EINVAL;
		int rc = parseInfo(s, srcBM, src);
		if (!rc)
			rc = parseInfo(s, dstBM, dst);
		if (rc)
			return rc;
		if (addOverflows(srcOffset, length) ||
		    addOverflows(dstOffset, length))
			return -EOVERFLOW;
		Pin ps, pd;
		rc = ps.acquire(s, src);
		if (!rc)
			rc = pd.acquire(s, dst);
		if (rc || !length)
			return rc;
		fastStore(s, srcBM, ps);
		fastStore(s, dstBM, pd);
		mf_obj_copy c = arg<mf_obj_copy>();
		c.src = ps.mo();
		c.src_offset = srcOffset;
		c.dst = pd.mo();
		c.dst_offset = dstOffset;
		c.length = length;
		c.src_serial = ps.serial();
		c.dst_serial = pd.serial();
		return xioctl(s.fd(), MF_IOC_OBJ_COPY, &c);
	});
}

BM_API int BM_SpecificObjSwapInSec(DiskFileDesc *file, BmInfo *bminfo,
				   int flags, size_t offset, size_t length)
{
	return withSession([&](Session &s) {
		Name n;
		std::string path;
		if (flags || !file || file->fileOffset < 0)
			return -EINVAL;
		if (file->fd < 0 && boundedString(file->path, PATH_MAX, path))
			return -EINVAL;
		if (file->fd < 0 && path.empty())
			return -EINVAL;
		if (bminfo && isRemoteField(bminfo->poolName))
			return -EOPNOTSUPP;
		int rc = parseInfo(s, bminfo, n);
		if (rc)
			return rc;
		if (addOverflows(offset, length) ||
		    length > static_cast<uint64_t>(INT64_MAX) -
				     static_cast<uint64_t>(file->fileOffset))
			return -EOVERFLOW;

		UniqueFd own;
		int fd = file->fd;
		if (fd < 0) {
			own.reset(::open(path.c_str(),
					 O_RDONLY | O_CLOEXEC | O_NOCTTY));
			if (!own)
				return -errno;
			fd = own.get();
		}
		Pin pin;
		rc = pin.acquire(s, n);
		if (rc || !length)
			return rc;
		mf_obj_swapin w = arg<mf_obj_swapin>();
		w.obj = pin.mo();
		w.offset = offset;
		w.fd = fd;
		w.file_offset = static_cast<uint64_t>(file->fileOffset);
		w.length = length;
		rc = xioctl(s.fd(), MF_IOC_OBJ_SWAPIN, &w);
		if (rc)
			return rc;
		return w.done == length ? 0 : -ENODATA;
	});
}

// ---- gather ----------------------------------------------------------------

BM_API int BM_GatherSec(intptr_t *inputInfo, BmOperatorCode operatorCode,
			int flags, BmInfo *bminfo, size_t *bmLen)
{
	return withSession([&](Session &s) -> int {
		static const struct {
			uint32_t op, dtype;
		} ops[] = {
			{ MF_GATHER_CONCAT, MF_DTYPE_NONE },
			{ MF_GATHER_SUM, MF_DTYPE_S64 },
			{ MF_GATHER_MIN, MF_DTYPE_S64 },
			{ MF_GATHER_MAX, MF_DTYPE_S64 },
			{ MF_GATHER_SUM, MF_DTYPE_F64 },
			{ MF_GATHER_MIN, MF_DTYPE_F64 },
			{ MF_GATHER_MAX, MF_DTYPE_F64 },
		};
		// The caller may pass any int: read it as one (loading an
		// out-of-range value as the enum type is undefined).
		int code;
		static_assert(sizeof(code) == sizeof(operatorCode), "enum size");
		memcpy(&code, &operatorCode, sizeof(code));
		if (flags || !inputInfo || code < 0 ||
		    code >= static_cast<int>(sizeof(ops) / sizeof(ops[0])))
			return -EINVAL;

		// The items, up to the NULL that ends them.
		std::vector<const BmGatherItem *> items;
		for (size_t i = 0;; i++) {
			if (!inputInfo[i])
				break;
			if (i == BM_GATHER_MAX_ITEMS)
				return -EINVAL;
			items.push_back(reinterpret_cast<const BmGatherItem *>(
				inputInfo[i]));
		}
		if (items.empty())
			return -EINVAL;

		bool anyRemote = false;
		for (const BmGatherItem *it : items)
			if (it->src && isRemoteField(it->src->poolName))
				anyRemote = true;
		if (bminfo && isRemoteField(bminfo->poolName))
			return remote::gather(s, items, operatorCode, flags,
					      bminfo, bmLen);
		if (anyRemote)
			return flags ? -EINVAL : -EOPNOTSUPP;

		Name dst;
		int rc = parseInfo(s, bminfo, dst);
		if (rc)
			return rc;
		std::vector<Name> srcs(items.size());
		for (size_t i = 0; i < items.size(); i++) {
			const BmGatherItem *it = items[i];
			rc = parseInfo(s, it->src, srcs[i]);
			if (rc)
				return rc;
			if (!it->length)
				return -EINVAL;
			if (addOverflows(it->offset, it->length))
				return -EOVERFLOW;
			if (code != BM_OP_GATHER &&
			    (it->length % 8 || it->length != items[0]->length))
				return -EINVAL;
		}

		std::vector<Pin> pins(items.size());
		std::vector<mf_gather_elem> elems(items.size());
		for (size_t i = 0; i < items.size(); i++) {
			rc = pins[i].acquire(s, srcs[i]);
			if (rc)
				return rc;
			elems[i].obj = pins[i].mo();
			elems[i].offset = items[i]->offset;
			elems[i].length = items[i]->length;
		}
		Pin pd;
		rc = pd.acquire(s, dst);
		if (rc)
			return rc;

		mf_obj_gather g = arg<mf_obj_gather>();
		g.op = ops[code].op;
		g.dtype = ops[code].dtype;
		g.dst = pd.mo();
		g.dst_offset = 0;
		g.elems = reinterpret_cast<uintptr_t>(elems.data());
		g.count = static_cast<uint32_t>(elems.size());
		g.elem_size = sizeof(mf_gather_elem);
		rc = xioctl(s.fd(), MF_IOC_OBJ_GATHER, &g);
		if (rc)
			return rc;
		if (bmLen)
			*bmLen = static_cast<size_t>(g.length);
		return 0;
	});
}

// ---- mappings ----------------------------------------------------------------

BM_API int BM_MapSec(BmInfo *bminfo, int prot, int flags, void **ptr)
{
	return withSession([&](Session &s) -> int {
		const int known = BM_MAP_SHARED | BM_MAP_PRIVATE |
				  BM_MAP_FIXED | BM_MAP_HINT | BM_MAP_LONGTERM;
		Name n;
		if (!ptr || (prot & ~(PROT_READ | PROT_WRITE)) ||
		    (flags & ~known))
			return -EINVAL;
		bool shared = flags & BM_MAP_SHARED;
		bool priv = flags & BM_MAP_PRIVATE;
		bool fixed = flags & BM_MAP_FIXED;
		bool hint = flags & BM_MAP_HINT;
		bool longterm = flags & BM_MAP_LONGTERM;
		if (shared == priv || (fixed && hint) ||
		    (longterm && (!shared || !(prot & PROT_WRITE))))
			return -EINVAL;
		// No mappings of remote objects (Documentation/remote.md).
		if (bminfo && isRemoteField(bminfo->poolName))
			return -EOPNOTSUPP;
		void *want = (fixed || hint) ? *ptr : nullptr;
		if (fixed && (!want ||
			      reinterpret_cast<uintptr_t>(want) % pageSize()))
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		if (rc)
			return rc;
		if (!s.hasFeature(MF_FEAT_MMAP) ||
		    (longterm && !s.hasFeature(MF_FEAT_MMAP_LONGTERM)))
			return -EOPNOTSUPP;

		Pin pin;
		rc = pin.acquire(s, n);
		if (rc)
			return rc;
		mf_obj_stat st;
		rc = kernelStat(s, pin.mo(), st);
		if (rc)
			return rc;
		if (st.bytes > SIZE_MAX - pageSize())
			return -EOVERFLOW;
		size_t len = (static_cast<size_t>(st.bytes) + pageSize() - 1) &
			     ~(pageSize() - 1);

		int mflags = shared ? MAP_SHARED : MAP_PRIVATE;
		if (fixed)
			mflags |= MAP_FIXED_NOREPLACE;
		uint64_t off = pin.mo() | (longterm ? MF_MAP_LONGTERM : 0);
		void *p = mmap(want, len, prot, mflags, s.fd(),
			       static_cast<off_t>(off));
		if (p == MAP_FAILED)
			return -errno;
		if (fixed && p != want) {
			// A kernel older than 4.17 took it as a hint.
			munmap(p, len);
			return -EEXIST;
		}
		try {
			Maps &m = maps();
			std::lock_guard<std::mutex> lock(m.mu);
			m.byAddr[reinterpret_cast<uintptr_t>(p)] =
				Mapping{ len, priv, n.pool, n.ns, n.id };
		} catch (...) {
			munmap(p, len);
			throw;
		}
		fillInfo(bminfo, n.pool, nullptr, st.bytes, st.type);
		*ptr = p;
		return 0;
	});
}

BM_API int BM_Unmap(char *bmId, void *ptr)
{
	// Works without a session: mappings outlive BM_Exit().
	return guarded([&]() -> int {
		std::string id;
		if (!ptr)
			return -EINVAL;
		if (bmId && boundedString(bmId, BM_ID_LEN, id))
			return -EINVAL;
		Maps &m = maps();
		std::lock_guard<std::mutex> lock(m.mu);
		auto it = m.byAddr.find(reinterpret_cast<uintptr_t>(ptr));
		if (it == m.byAddr.end())
			return -EINVAL;
		if (bmId && it->second.id != id)
			return -EINVAL;
		if (munmap(ptr, it->second.length))
			return -errno;
		m.byAddr.erase(it);
		return 0;
	});
}

BM_API int BM_CommitSec(void *mappedPtr, size_t length, BmInfo *dst,
			int flags)
{
	return withSession([&](Session &s) -> int {
		Name n;
		uintptr_t a = reinterpret_cast<uintptr_t>(mappedPtr);
		if ((flags & ~BM_COMMIT_PUBLISH) || !mappedPtr || !length ||
		    !dst || a % pageSize())
			return -EINVAL;
		if (addOverflows(a, length))
			return -EOVERFLOW;
		if (isRemoteField(dst->poolName))
			return -EOPNOTSUPP;
		int rc = parseInfo(s, dst, n, true);
		if (rc)
			return rc;

		// The range must lie in one private mapping BM_MapSec made.
		std::string srcPool;
		{
			Maps &m = maps();
			std::lock_guard<std::mutex> lock(m.mu);
			auto it = m.byAddr.upper_bound(a);
			if (it == m.byAddr.begin())
				return -EINVAL;
			--it;
			const Mapping &mp = it->second;
			if (a + length > it->first + mp.length ||
			    !mp.isPrivate)
				return -EINVAL;
			srcPool = mp.pool;
		}
		if (dst->poolName[0] && n.pool != srcPool)
			return -EINVAL;
		n.pool = srcPool;
		if (!s.hasFeature(MF_FEAT_MMAP))
			return -EOPNOTSUPP;

		mf_obj_commit c = arg<mf_obj_commit>();
		c.flags = (flags & BM_COMMIT_PUBLISH) ? MF_COMMIT_PUBLISH : 0;
		c.addr = a;
		c.length = length;
		putField(c.ns, sizeof(c.ns), n.ns);
		putField(c.secid, sizeof(c.secid), n.secid);
		putField(c.id, sizeof(c.id), n.id);
		rc = xioctl(s.fd(), MF_IOC_OBJ_COMMIT, &c);
		if (rc)
			return rc;
		std::lock_guard<std::mutex> lock(s.mu);
		c.id[sizeof(c.id) - 1] = '\0';
		try {
			n.id = c.id;
			adoptLocked(s, n, c.map_offset, c.serial);
		} catch (...) {
			kernelPut(s, c.map_offset);
			throw;
		}
		fillInfo(dst, n.pool, c.id, c.bytes, c.type);
		return 0;
	});
}

// ---- the object model ------------------------------------------------------

BM_API int BM_PublishSec(BmInfo *bminfo, int flags)
{
	return withSession([&](Session &s) {
		Name n;
		if (bminfo && isRemoteField(bminfo->poolName))
			return remote::publish(s, bminfo, flags);
		if (flags)
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		if (rc)
			return rc;
		mf_obj_free p = arg<mf_obj_free>();
		putName(p.name, n);
		rc = xioctl(s.fd(), MF_IOC_OBJ_PUBLISH, &p);
		if (rc)
			return rc;
		putField(bminfo->poolName, sizeof(bminfo->poolName), n.pool);
		bminfo->type = BM_TYPE_SHARED_RO;
		return 0;
	});
}

BM_API int BM_GetSec(BmInfo *bminfo, int flags)
{
	return withSession([&](Session &s) {
		Name n;
		if (bminfo && isRemoteField(bminfo->poolName))
			return remote::get(s, bminfo, flags);
		if (flags)
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		if (rc)
			return rc;
		std::lock_guard<std::mutex> lock(s.mu);
		mf_obj_get g;
		rc = kernelGet(s, n, g);
		if (rc)
			return rc;
		try {
			adoptLocked(s, n, g.map_offset, g.serial);
		} catch (...) {
			kernelPut(s, g.map_offset);
			throw;
		}
		fillInfo(bminfo, n.pool, nullptr, g.bytes, g.type);
		return 0;
	});
}

BM_API int BM_PutSec(BmInfo *bminfo, int flags)
{
	return withSession([&](Session &s) {
		Name n;
		if (bminfo && isRemoteField(bminfo->poolName))
			return remote::put(s, bminfo, flags);
		if (flags)
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		if (rc)
			return rc;
		std::lock_guard<std::mutex> lock(s.mu);
		auto it = s.table.find(n.key());
		if (it == s.table.end() || !it->second->userRefs)
			return -ENOENT;
		// Owned here: the last put erases the table's shared_ptr.
		std::shared_ptr<Entry> e = it->second;
		if (!sameSecret(e->secid, n.secid))
			return -EACCES;
		e->userRefs--;
		releaseLocked(s, *e);
		return 0;
	});
}

BM_API int BM_DeriveSec(const BmInfo *src, BmInfo *dst, int flags)
{
	return withSession([&](Session &s) {
		Name sn, dn;
		if ((src && isRemoteField(src->poolName)) ||
		    (dst && isRemoteField(dst->poolName)))
			return -EOPNOTSUPP;
		if (flags)
			return -EINVAL;
		int rc = parseInfo(s, src, sn);
		if (!rc)
			rc = parseInfo(s, dst, dn, true);
		if (rc)
			return rc;
		// The new object lives in the source's pool.
		if (dst->poolName[0] && dn.pool != sn.pool)
			return -EINVAL;
		dn.pool = sn.pool;

		Pin pin;
		rc = pin.acquire(s, sn);
		if (rc)
			return rc;
		mf_obj_derive d = arg<mf_obj_derive>();
		d.src = pin.mo();
		putField(d.ns, sizeof(d.ns), dn.ns);
		putField(d.secid, sizeof(d.secid), dn.secid);
		putField(d.id, sizeof(d.id), dn.id);
		rc = xioctl(s.fd(), MF_IOC_OBJ_DERIVE, &d);
		if (rc)
			return rc;
		std::lock_guard<std::mutex> lock(s.mu);
		d.id[sizeof(d.id) - 1] = '\0';
		try {
			dn.id = d.id;
			adoptLocked(s, dn, d.map_offset, d.serial);
		} catch (...) {
			kernelPut(s, d.map_offset);
			throw;
		}
		fillInfo(dst, dn.pool, d.id, d.bytes, d.type);
		return 0;
	});
}

BM_API int BM_StatSec(BmInfo *bminfo, BmStat *st)
{
	return withSession([&](Session &s) {
		Name n;
		if (bminfo && isRemoteField(bminfo->poolName))
			return remote::stat(s, bminfo, st);
		if (!st)
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		if (rc)
			return rc;
		Pin pin;
		rc = pin.acquire(s, n);
		if (rc)
			return rc;
		mf_obj_stat k;
		rc = kernelStat(s, pin.mo(), k);
		if (rc)
			return rc;
		memset(st, 0, sizeof(*st));
		st->size = static_cast<size_t>(k.bytes);
		st->type = static_cast<int>(k.type);
		st->freed = (k.obj_flags & MF_OBJ_STAT_FREED) ? 1 : 0;
		st->refCount = k.refs;
		st->mapCount = k.map_count;
		st->ownerUid = k.owner;
		st->ageSeconds = k.age;
		st->ctime = k.ctime;
		st->nrExtents = k.nr_extents;
		st->nrShared = k.nr_shared;
		{
			// Without references of its own the session holds a
			// transient one for this call: not counted.
			std::lock_guard<std::mutex> lock(s.mu);
			st->sessionRefs = pin.entry().userRefs;
			if (!st->sessionRefs && st->refCount)
				st->refCount--;
		}
		fillInfo(bminfo, n.pool, nullptr, k.bytes, k.type);
		return 0;
	});
}

} // extern "C"
