// SPDX-License-Identifier: LGPL-2.1-or-later
//
// local.cpp - the local backend: the BigMemory calls as ioctls on the
// session's open /dev/memfabric, through the handles of handles.cpp, and
// the process-wide table of the mappings BM_MapSec made.
//
// Mappings are process-wide (maps(), under its own mutex): BM_Unmap and
// BM_CommitSec find them by address.
//
// Lock order: State::mu (state.cpp), then Session::mu, then the maps'
// mutex; no call holds two of them except the fork handlers, which take
// all three.
#include "handles.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include <sys/mman.h>

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

// A new user reference on the handle @mo (object @serial) that the kernel
// just gave (ALLOC, DERIVE, COMMIT, GET) on @n, whose id is @id unless
// that is null; Session::mu held.  If that fails the kernel's reference
// is dropped again.
void adoptOrPut(Session &s, Name &n, const char *id, uint64_t mo,
		uint64_t serial)
{
	try {
		if (id)
			n.id = id;
		adoptLocked(s, n, mo, serial);
	} catch (...) {
		kernelPut(s, mo);
		throw;
	}
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

// Pin the handle of @n in @pin and STAT its object into @st.
int pinStat(Session &s, const Name &n, Pin &pin, mf_obj_stat &st)
{
	int rc = pin.acquire(s, n);
	return rc ? rc : kernelStat(s, pin.mo(), st);
}

// One list ioctl @cmd (@l, its array in the field @array) into @v, whose
// size is the room; l.count says then how many entries there are.
template <class Arg, class Info>
int listOnce(Session &s, unsigned long cmd, __u64 Arg::*array,
	     std::vector<Info> &v, Arg &l)
{
	l = arg<Arg>();
	l.*array = reinterpret_cast<uintptr_t>(v.data());
	l.count = static_cast<uint32_t>(v.size());
	l.entry_size = sizeof(Info);
	return xioctl(s.fd(), cmd, &l);
}

// The first pool of NUMA node @node's memory, in @pool.
int poolOfNode(Session &s, int node, std::string &pool)
{
	std::vector<mf_pool_info> v(16);
	for (int tries = 0; tries < 8; tries++) {
		mf_pool_list l;
		int rc = listOnce(s, MF_IOC_POOL_LIST, &mf_pool_list::pools, v,
				  l);
		if (rc)
			return rc;
		if (l.count > v.size()) {
			v.resize(l.count);
			continue;
		}
		for (uint32_t i = 0; i < l.count; i++) {
			if (v[i].backend == MF_POOL_BACKEND_NODE &&
			    static_cast<int>(v[i].node) == node) {
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

class LocalBackend final : public Backend {
public:
	LocalBackend()
		: Backend(kExpand | kSwapIn | kMap | kDerive | kBatchFree |
			  kQueryNs | kGatherWords)
	{
	}

	int createNs(Session &s, const Name &n, int attribute) override
	{
		mf_ns_create c = arg<mf_ns_create>();
		putField(c.pool, sizeof(c.pool), n.pool);
		putField(c.name, sizeof(c.name), n.ns);
		putField(c.secid, sizeof(c.secid), n.secid);
		c.attr = static_cast<uint32_t>(attribute);
		return xioctl(s.fd(), MF_IOC_NS_CREATE, &c);
	}

	int destroyNs(Session &s, const Name &n) override
	{
		mf_ns_destroy d = arg<mf_ns_destroy>();
		putField(d.pool, sizeof(d.pool), n.pool);
		putField(d.name, sizeof(d.name), n.ns);
		putField(d.secid, sizeof(d.secid), n.secid);
		return xioctl(s.fd(), MF_IOC_NS_DESTROY, &d);
	}

	int queryNs(Session &s, QueryNsCache *buff, size_t cap) override;

	int alloc(Session &s, BmInfo *bi, Name &n, bool poolNamed,
		  int numaNode, size_t size) override
	{
		if (!poolNamed && numaNode >= 0) {
			int rc = poolOfNode(s, numaNode, n.pool);
			if (rc)
				return rc;
		}
		mf_obj_alloc a = arg<mf_obj_alloc>();
		putName(a.name, n);
		a.bytes = size;
		// Not under the table lock: ALLOC zeroes the memory.
		int rc = xioctl(s.fd(), MF_IOC_OBJ_ALLOC, &a);
		if (rc)
			return rc;
		std::lock_guard<std::mutex> lock(s.mu);
		a.name.id[sizeof(a.name.id) - 1] = '\0';
		adoptOrPut(s, n, a.name.id, a.map_offset, a.serial);
		fillInfo(bi, n.pool, a.name.id, a.bytes, a.type);
		return 0;
	}

	int freeObj(Session &s, BmInfo *bi, const Name &n) override
	{
		std::string key = n.key();
		std::shared_ptr<Entry> before = entryOf(s, key);
		mf_obj_free f = arg<mf_obj_free>();
		putName(f.name, n);
		// Not under the table lock (FREE may return the memory).
		int rc = xioctl(s.fd(), MF_IOC_OBJ_FREE, &f);
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
		putField(bi->poolName, sizeof(bi->poolName), n.pool);
		return 0;
	}

	int batchFree(Session &s, Name &n,
		      const std::vector<std::string> &names) override;

	int expand(Session &s, BmInfo *bi, const Name &n, size_t size) override
	{
		Pin pin;
		int rc = pin.acquire(s, n);
		if (rc)
			return rc;
		mf_obj_expand e = arg<mf_obj_expand>();
		e.obj = pin.mo();
		e.bytes = size;
		rc = xioctl(s.fd(), MF_IOC_OBJ_EXPAND, &e);
		if (rc)
			return rc;
		bi->size = size;
		putField(bi->poolName, sizeof(bi->poolName), n.pool);
		return 0;
	}

	bool fastIo(const BmInfo *bi, size_t offset, size_t length, char *buf,
		    bool write, int &rc) noexcept override
	{
		return cachedIo(bi, offset, length, buf, write, rc);
	}

	int io(Session &s, const BmInfo *bi, const Name &n, size_t offset,
	       size_t length, char *buf, bool write) override
	{
		Pin pin;
		int rc = pin.acquire(s, n);
		if (rc || !length)
			return rc;
		fastStore(s, bi, pin);
		mf_obj_io io = arg<mf_obj_io>();
		io.obj = pin.mo();
		io.offset = offset;
		io.length = length;
		io.buf = reinterpret_cast<uintptr_t>(buf);
		io.serial = pin.serial();
		return xioctl(s.fd(), write ? MF_IOC_OBJ_WRITE : MF_IOC_OBJ_READ,
			      &io);
	}

	bool fastCopy(const BmInfo *src, size_t srcOffset, const BmInfo *dst,
		      size_t dstOffset, size_t length,
		      int &rc) noexcept override
	{
		return cachedCopy(src, srcOffset, dst, dstOffset, length, rc);
	}

	int copy(Session &s, BmInfo *srcBM, const Name &src, size_t srcOffset,
		 BmInfo *dstBM, const Name &dst, size_t dstOffset,
		 size_t length) override
	{
		Pin ps, pd;
		int rc = ps.acquire(s, src);
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
	}

	int swapIn(Session &s, const Name &n, int fd, uint64_t fileOffset,
		   size_t offset, size_t length) override
	{
		Pin pin;
		int rc = pin.acquire(s, n);
		if (rc || !length)
			return rc;
		mf_obj_swapin w = arg<mf_obj_swapin>();
		w.obj = pin.mo();
		w.offset = offset;
		w.fd = fd;
		w.file_offset = fileOffset;
		w.length = length;
		rc = xioctl(s.fd(), MF_IOC_OBJ_SWAPIN, &w);
		if (rc)
			return rc;
		return w.done == length ? 0 : -ENODATA;
	}

	int gather(Session &s, const std::vector<const BmGatherItem *> &items,
		   const std::vector<Name> &srcs, int code, const Name &dn,
		   size_t *len) override;

	int map(Session &s, BmInfo *bi, const Name &n, int prot, int flags,
		void *want, void **ptr) override;
	int commit(Session &s, uintptr_t a, size_t length, BmInfo *dst,
		   Name &n, bool publish) override;

	int publish(Session &s, BmInfo *bi, const Name &n) override
	{
		mf_obj_free p = arg<mf_obj_free>();
		putName(p.name, n);
		int rc = xioctl(s.fd(), MF_IOC_OBJ_PUBLISH, &p);
		if (rc)
			return rc;
		putField(bi->poolName, sizeof(bi->poolName), n.pool);
		bi->type = BM_TYPE_SHARED_RO;
		return 0;
	}

	int get(Session &s, BmInfo *bi, Name &n) override
	{
		std::lock_guard<std::mutex> lock(s.mu);
		mf_obj_get g;
		int rc = kernelGet(s, n, g);
		if (rc)
			return rc;
		adoptOrPut(s, n, nullptr, g.map_offset, g.serial);
		fillInfo(bi, n.pool, nullptr, g.bytes, g.type);
		return 0;
	}

	int put(Session &s, const Name &n) override
	{
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
	}

	int derive(Session &s, const Name &sn, BmInfo *dst, Name &dn) override
	{
		// The new object lives in the source's pool.
		if (dst->poolName[0] && dn.pool != sn.pool)
			return -EINVAL;
		dn.pool = sn.pool;

		Pin pin;
		int rc = pin.acquire(s, sn);
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
		adoptOrPut(s, dn, d.id, d.map_offset, d.serial);
		fillInfo(dst, dn.pool, d.id, d.bytes, d.type);
		return 0;
	}

	int stat(Session &s, BmInfo *bi, const Name &n, BmStat *st) override;
};

} // namespace

int LocalBackend::queryNs(Session &s, QueryNsCache *buff, size_t cap)
{
	// Ask for what fits, growing to what there is (it may change
	// between calls).
	std::vector<mf_ns_info> v(std::max<size_t>(1,
				  std::min<size_t>(cap, 256)));
	uint32_t got = 0;
	for (int tries = 0;; tries++) {
		mf_ns_list l;
		int rc = listOnce(s, MF_IOC_NS_LIST, &mf_ns_list::namespaces, v,
				  l);
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
}

int LocalBackend::batchFree(Session &s, Name &n,
			    const std::vector<std::string> &names)
{
	size_t num = names.size();
	std::vector<char> ids(num * BM_ID_LEN, 0);
	for (size_t i = 0; i < num; i++)
		memcpy(&ids[i * BM_ID_LEN], names[i].data(), names[i].size());

	mf_obj_batch_free b = arg<mf_obj_batch_free>();
	putField(b.pool, sizeof(b.pool), n.pool);
	putField(b.ns, sizeof(b.ns), n.ns);
	putField(b.secid, sizeof(b.secid), n.secid);
	b.ids = reinterpret_cast<uintptr_t>(ids.data());
	b.count = static_cast<uint32_t>(num);

	// As BM_FreeSec: the entries the names named before the ioctl,
	// which runs without the table lock.
	std::vector<std::string> keys(num);
	std::vector<std::shared_ptr<Entry>> before(num);
	{
		std::lock_guard<std::mutex> lock(s.mu);
		for (size_t i = 0; i < num; i++) {
			n.id = names[i];
			keys[i] = n.key();
			auto it = s.table.find(keys[i]);
			if (it != s.table.end())
				before[i] = it->second;
		}
	}
	int rc = xioctl(s.fd(), MF_IOC_OBJ_BATCH_FREE, &b);
	if (rc)
		return rc;

	// Forget the handles of what was freed: everything before the
	// first failure; after it, what a lookup no longer finds (the
	// kernel goes on after a failure).
	std::lock_guard<std::mutex> lock(s.mu);
	for (size_t i = 0; i < num; i++) {
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
}

int LocalBackend::gather(Session &s,
			 const std::vector<const BmGatherItem *> &items,
			 const std::vector<Name> &srcs, int code,
			 const Name &dn, size_t *len)
{
	// Indexed by BmOperatorCode.
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
	static_assert(sizeof(ops) / sizeof(ops[0]) == BM_OP_MAX_F64 + 1,
		      "an operation per BmOperatorCode");

	std::vector<Pin> pins(items.size());
	std::vector<mf_gather_elem> elems(items.size());
	for (size_t i = 0; i < items.size(); i++) {
		int rc = pins[i].acquire(s, srcs[i]);
		if (rc)
			return rc;
		elems[i].obj = pins[i].mo();
		elems[i].offset = items[i]->offset;
		elems[i].length = items[i]->length;
	}
	Pin pd;
	int rc = pd.acquire(s, dn);
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
	if (len)
		*len = static_cast<size_t>(g.length);
	return 0;
}

int LocalBackend::map(Session &s, BmInfo *bi, const Name &n, int prot,
		      int flags, void *want, void **ptr)
{
	bool shared = flags & BM_MAP_SHARED;
	bool longterm = flags & BM_MAP_LONGTERM;
	if (!s.hasFeature(MF_FEAT_MMAP) ||
	    (longterm && !s.hasFeature(MF_FEAT_MMAP_LONGTERM)))
		return -EOPNOTSUPP;

	Pin pin;
	mf_obj_stat st;
	int rc = pinStat(s, n, pin, st);
	if (rc)
		return rc;
	if (st.bytes > SIZE_MAX - pageSize())
		return -EOVERFLOW;
	size_t len = (static_cast<size_t>(st.bytes) + pageSize() - 1) &
		     ~(pageSize() - 1);

	int mflags = shared ? MAP_SHARED : MAP_PRIVATE;
	if (flags & BM_MAP_FIXED)
		mflags |= MAP_FIXED_NOREPLACE;
	uint64_t off = pin.mo() | (longterm ? MF_MAP_LONGTERM : 0);
	void *p = mmap(want, len, prot, mflags, s.fd(),
		       static_cast<off_t>(off));
	if (p == MAP_FAILED)
		return -errno;
	if ((flags & BM_MAP_FIXED) && p != want) {
		// A kernel older than 4.17 took it as a hint.
		munmap(p, len);
		return -EEXIST;
	}
	try {
		Maps &m = maps();
		std::lock_guard<std::mutex> lock(m.mu);
		m.byAddr[reinterpret_cast<uintptr_t>(p)] =
			Mapping{ len, !shared, n.pool, n.ns, n.id };
	} catch (...) {
		munmap(p, len);
		throw;
	}
	fillInfo(bi, n.pool, nullptr, st.bytes, st.type);
	*ptr = p;
	return 0;
}

int LocalBackend::commit(Session &s, uintptr_t a, size_t length,
			 BmInfo *dst, Name &n, bool publish)
{
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
		if (a + length > it->first + mp.length || !mp.isPrivate)
			return -EINVAL;
		srcPool = mp.pool;
	}
	if (dst->poolName[0] && n.pool != srcPool)
		return -EINVAL;
	n.pool = srcPool;
	if (!s.hasFeature(MF_FEAT_MMAP))
		return -EOPNOTSUPP;

	mf_obj_commit c = arg<mf_obj_commit>();
	c.flags = publish ? MF_COMMIT_PUBLISH : 0;
	c.addr = a;
	c.length = length;
	putField(c.ns, sizeof(c.ns), n.ns);
	putField(c.secid, sizeof(c.secid), n.secid);
	putField(c.id, sizeof(c.id), n.id);
	int rc = xioctl(s.fd(), MF_IOC_OBJ_COMMIT, &c);
	if (rc)
		return rc;
	std::lock_guard<std::mutex> lock(s.mu);
	c.id[sizeof(c.id) - 1] = '\0';
	adoptOrPut(s, n, c.id, c.map_offset, c.serial);
	fillInfo(dst, n.pool, c.id, c.bytes, c.type);
	return 0;
}

int LocalBackend::stat(Session &s, BmInfo *bi, const Name &n, BmStat *st)
{
	Pin pin;
	mf_obj_stat k;
	int rc = pinStat(s, n, pin, k);
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
	fillInfo(bi, n.pool, nullptr, k.bytes, k.type);
	return 0;
}

Backend &localBackend()
{
	static LocalBackend *b = new LocalBackend; // never destroyed
	return *b;
}

int unmapObject(const std::string &id, bool anyId, void *ptr)
{
	Maps &m = maps();
	std::lock_guard<std::mutex> lock(m.mu);
	auto it = m.byAddr.find(reinterpret_cast<uintptr_t>(ptr));
	if (it == m.byAddr.end())
		return -EINVAL;
	if (!anyId && it->second.id != id)
		return -EINVAL;
	if (munmap(ptr, it->second.length))
		return -errno;
	m.byAddr.erase(it);
	return 0;
}

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
	remoteForkChild(*s);
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
