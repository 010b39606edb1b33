// SPDX-License-Identifier: LGPL-2.1-or-later
//
// remote.hpp - BigMemory calls on the objects of a remote node, through
// mfserverd over RDMA (Documentation/remote.md).  A pool name of the form
// "NODE:POOL" names pool POOL of node NODE; ':' is not a pool-name
// character, so such a name is never a local pool.
#ifndef MEMFABRIC_LIB_REMOTE_HPP
#define MEMFABRIC_LIB_REMOTE_HPP

#include "internal.hpp"

#include <vector>

namespace memfabric::detail {

// A RemoteFabric: the connections of a session to remote nodes.
class RemoteFabric;

// Whether the pool field @field (BM_POOL_NAME_LEN bytes, maybe
// unterminated) or the string @s names a remote pool.
bool isRemoteField(const char *field) noexcept;

namespace remote {

int createNs(Session &s, const char *pool, const char *ns, int attribute,
	     const char *secId);
int destroyNs(Session &s, const char *pool, const char *ns,
	      const char *secId);
int alloc(Session &s, BmInfo *bi, size_t size, int flags,
	  const BmAffinity *aff);
int freeObj(Session &s, BmInfo *bi, int flags);
int read(Session &s, BmInfo *bi, size_t offset, size_t length, void *buf,
	 int flags);
int write(Session &s, BmInfo *bi, size_t offset, size_t length,
	  const void *buf, int flags);
// Either side may be local (the other remote).
int copy(Session &s, BmInfo *src, size_t srcOffset, BmInfo *dst,
	 size_t dstOffset, size_t length, int flags);
int gather(Session &s, const std::vector<const BmGatherItem *> &items,
	   BmOperatorCode op, int flags, BmInfo *dst, size_t *len);
int publish(Session &s, BmInfo *bi, int flags);
int get(Session &s, BmInfo *bi, int flags);
int put(Session &s, BmInfo *bi, int flags);
int stat(Session &s, BmInfo *bi, BmStat *st);

// BM_ReadSec/BM_WriteSec of a remote object this thread resolved before
// and the session still holds: true with the result in @rc, or false
// (not cached, or the cache is stale: take the slow path, read/write).
// @length is not 0, @buf not null and @offset + @length does not wrap.
bool fastIo(const BmInfo *bi, size_t offset, size_t length, char *buf,
	    bool write, int &rc) noexcept;

// Drop the connections of @s in a child of fork() without touching them
// (their verbs resources belong to the parent).
void forkChild(Session &s) noexcept;

} // namespace remote
} // namespace memfabric::detail

#endif // MEMFABRIC_LIB_REMOTE_HPP
