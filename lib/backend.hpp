// SPDX-License-Identifier: LGPL-2.1-or-later
//
// backend.hpp - the one interface behind which the BigMemory calls reach
// their objects: the local backend (ioctls on /dev/memfabric, local.cpp)
// or the remote one (mfserverd over RDMA, remote.cpp).  api.cpp checks
// every call's arguments, parses its names and chooses the backend once;
// a backend gets checked arguments only.
#ifndef MEMFABRIC_LIB_BACKEND_HPP
#define MEMFABRIC_LIB_BACKEND_HPP

#include "internal.hpp"

#include <vector>

namespace memfabric::detail {

// A checked name of a namespace or an object.  @node is "" for a local
// pool; for a pool field "NODE:POOL" (Documentation/remote.md) it is NODE
// and @pool is POOL.  @id may be "" where the kernel generates one.
struct Name {
	std::string node, pool, ns, secid, id;

	// The handle tables' key: pool '\0' ns '\0' id.
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

// Whether the pool field @field (BM_POOL_NAME_LEN bytes, maybe
// unterminated) names a remote pool: ':' is not a pool-name character.
bool isRemoteField(const char *field) noexcept;

class Backend {
public:
	// The calls beyond those every backend has; api.cpp answers
	// -EOPNOTSUPP for the others, at the place of its checks where
	// the call always did.
	enum Cap : unsigned {
		kExpand = 1u << 0,
		kSwapIn = 1u << 1,
		kMap = 1u << 2,	// BM_MapSec, BM_CommitSec
		kDerive = 1u << 3,
		kBatchFree = 1u << 4,
		kQueryNs = 1u << 5,
		// The reductions of BM_GatherSec need items of one length,
		// a multiple of 8, checked with the items (the kernel's rule;
		// mfserverd checks its own).
		kGatherWords = 1u << 6,
	};
	explicit Backend(unsigned caps) : caps_(caps) {}
	virtual ~Backend() = default;
	bool can(unsigned cap) const { return (caps_ & cap) == cap; }

	// Every backend.  Each gets what api.cpp checked and parsed; each
	// returns 0 (or a count) or -errno, and may throw std::bad_alloc.
	virtual int createNs(Session &s, const Name &n, int attribute) = 0;
	virtual int destroyNs(Session &s, const Name &n) = 0;
	// @n: @n.id "" lets the server or kernel make one up; @poolNamed:
	// the caller named a pool (else @numaNode >= 0 asks for the pool of
	// that NUMA node).  Fills @bi.
	virtual int alloc(Session &s, BmInfo *bi, Name &n, bool poolNamed,
			  int numaNode, size_t size) = 0;
	virtual int freeObj(Session &s, BmInfo *bi, const Name &n) = 0;
	// BM_ReadSec/BM_WriteSec; @offset + @length does not wrap.
	virtual int io(Session &s, const BmInfo *bi, const Name &n,
		       size_t offset, size_t length, char *buf,
		       bool write) = 0;
	// The data calls' fast path: a name this thread resolved before to
	// a handle the session still holds.  true with the result in @rc,
	// or false (take the slow path).  @length is not 0, @buf not null
	// and @offset + @length does not wrap.
	virtual bool fastIo(const BmInfo *bi, size_t offset, size_t length,
			    char *buf, bool write, int &rc) noexcept = 0;
	// Either side may be local when the backend is remote.
	virtual int copy(Session &s, BmInfo *src, const Name &sn,
			 size_t srcOffset, BmInfo *dst, const Name &dn,
			 size_t dstOffset, size_t length) = 0;
	// @code: a BmOperatorCode in range; @srcs: the items' names.
	virtual int gather(Session &s,
			   const std::vector<const BmGatherItem *> &items,
			   const std::vector<Name> &srcs, int code,
			   const Name &dn, size_t *len) = 0;
	virtual int publish(Session &s, BmInfo *bi, const Name &n) = 0;
	virtual int get(Session &s, BmInfo *bi, Name &n) = 0;
	virtual int put(Session &s, const Name &n) = 0;
	virtual int stat(Session &s, BmInfo *bi, const Name &n,
			 BmStat *st) = 0;

	// Only where can() says so.
	virtual bool fastCopy(const BmInfo *, size_t, const BmInfo *, size_t,
			      size_t, int &) noexcept
	{
		return false;
	}
	virtual int expand(Session &, BmInfo *, const Name &, size_t)
	{
		return -EOPNOTSUPP;
	}
	virtual int swapIn(Session &, const Name &, int, uint64_t, size_t,
			   size_t)
	{
		return -EOPNOTSUPP;
	}
	// @want: the address of BM_MAP_FIXED or BM_MAP_HINT, or null.
	virtual int map(Session &, BmInfo *, const Name &, int, int, void *,
			void **)
	{
		return -EOPNOTSUPP;
	}
	// @n: the destination's name (its pool: the mapping's unless
	// @dst names one); @publish: BM_COMMIT_PUBLISH.
	virtual int commit(Session &, uintptr_t, size_t, BmInfo *, Name &,
			   bool)
	{
		return -EOPNOTSUPP;
	}
	// @dn: the destination's name, in the source's pool.
	virtual int derive(Session &, const Name &, BmInfo *, Name &)
	{
		return -EOPNOTSUPP;
	}
	// BM_BatchFreeSec: @n names the namespace (pool, ns, secid);
	// @ids are checked object ids.
	virtual int batchFree(Session &, Name &, const std::vector<std::string> &)
	{
		return -EOPNOTSUPP;
	}
	virtual int queryNs(Session &, QueryNsCache *, size_t)
	{
		return -EOPNOTSUPP;
	}

private:
	unsigned caps_;
};

Backend &localBackend();
Backend &remoteBackend();

// BM_Unmap: the mapping at @ptr (of object @id unless @anyId).  Needs no
// session: mappings outlive BM_Exit().  0 or -EINVAL, -errno of munmap.
int unmapObject(const std::string &id, bool anyId, void *ptr);

// The remote backend in a child of fork(): drop the connections of @s
// without touching them (their verbs resources belong to the parent).
void remoteForkChild(Session &s) noexcept;

} // namespace memfabric::detail

#endif // MEMFABRIC_LIB_BACKEND_HPP
