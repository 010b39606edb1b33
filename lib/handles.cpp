// SPDX-License-Identifier: LGPL-2.1-or-later
//
// handles.cpp - the local backend's handles: the session's table of
// kernel handles and the references held on them, the pinned handle of a
// call, and the data calls' fast path over cached handles.
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
#include "handles.hpp"

#include <cstring>

namespace memfabric::detail {

// ---- kernel calls ------------------------------------------------------

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

void putName(mf_obj_name &k, const Name &n)
{
	putField(k.pool, sizeof(k.pool), n.pool);
	putField(k.ns, sizeof(k.ns), n.ns);
	putField(k.secid, sizeof(k.secid), n.secid);
	putField(k.id, sizeof(k.id), n.id);
}

// Write what the kernel said back into the caller's BmInfo.

// ---- the handle table --------------------------------------------------

// Take @e out of the table, if it is there.  The table's shared_ptr may be
// the last owner of @e: it lives on in @keep until the caller's scope
// ends, and the node is erased by iterator (its key is not @e's).
// Session::mu held.
static void unlinkLocked(Session &s, Entry &e,
			 std::shared_ptr<Entry> &keep)
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
static std::shared_ptr<Entry> newEntry(const Name &n, const std::string &key,
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

void Pin::reset()
{
	if (!e_)
		return;
	std::lock_guard<std::mutex> lock(s_->mu);
	e_->inflight--;
	releaseLocked(*s_, *e_);
	e_.reset();
}


// Pin the session's handle on @n, or take a transient one.
int Pin::acquire(Session &s, const Name &n)
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

namespace {

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

} // namespace

static FastSlot *fastFind(const BmInfo *bi)
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
static inline bool fastCurrent(const FastSlot *f)
{
	return f->s->gen.load(std::memory_order_acquire) == f->gen;
}

bool cachedIo(const BmInfo *bminfo, size_t offset, size_t length, char *buffer,
	      bool write, int &rc) noexcept
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
	rc = xioctl(f->s->fd(), write ? MF_IOC_OBJ_WRITE : MF_IOC_OBJ_READ,
		   &io);
	fastExit(f->gate);
	if (rc == -ENOENT) {	// the handle went away: resolve the name again
		f->serial = 0;
		return false;
	}
	return true;
}

bool cachedCopy(const BmInfo *srcBM, size_t srcOffset, const BmInfo *dstBM,
		size_t dstOffset, size_t length, int &rc) noexcept
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


} // namespace memfabric::detail
