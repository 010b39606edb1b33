// SPDX-License-Identifier: LGPL-2.1-or-later
//
// api.cpp - every BM_* entry point of libmemfabric (the C ABI of the
// BigMemory API): each checks its arguments, parses its names and chooses
// its backend (backend.hpp) once, in that order.
//
// Every entry point is noexcept: C++ exceptions (std::bad_alloc from a
// std::string) are turned into -errno by guarded() and never cross the C
// ABI.  Argument errors come first, in the order the calls always checked
// them (Documentation/library.md, "Choices"); a call a backend does not
// have answers -EOPNOTSUPP at its place among them.
#include "backend.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>

using namespace memfabric::detail;

namespace {

// ---- names -----------------------------------------------------------------

// A checked pool name @f: "" is the session's default pool, "NODE:POOL" a
// pool of a remote node (both parts non-empty and valid).
int parsePoolString(const Session &s, const std::string &f, Name &n)
{
	size_t c = f.find(BM_REMOTE_SEP);
	if (c != std::string::npos) {
		n.node = f.substr(0, c);
		n.pool = f.substr(c + 1);
		if (checkPoolName(n.node) || checkPoolName(n.pool))
			return -EINVAL;
		return 0;
	}
	n.node.clear();
	if (f.empty()) {
		n.pool = s.config().defaultPool;
		return 0;
	}
	n.pool = f;
	return checkPoolName(n.pool);
}

// A pool name field (null: the default pool).
int parsePool(const Session &s, const char *field, Name &n)
{
	std::string f;
	if (field) {
		int rc = boundedString(field, BM_POOL_NAME_LEN, f);
		if (rc)
			return rc;
	}
	return parsePoolString(s, f, n);
}

// The name fields of a BmInfo after its pool's.  @idOptional: an empty
// bmId is allowed (the kernel generates one).
int parseObject(const BmInfo *bi, Name &n, bool idOptional)
{
	int rc = parseNs(bi->ns, n.ns);
	if (!rc)
		rc = parseSecid(bi->secId, n.secid);
	if (!rc)
		rc = boundedString(bi->bmId, BM_ID_LEN, n.id);
	if (!rc && !(idOptional && n.id.empty()))
		rc = checkObjName(n.id);
	return rc;
}

// Check a BmInfo and read its name.
int parseInfo(const Session &s, const BmInfo *bi, Name &n,
	      bool idOptional = false)
{
	if (!bi)
		return -EINVAL;
	int rc = parsePool(s, bi->poolName, n);
	return rc ? rc : parseObject(bi, n, idOptional);
}

// The pool, namespace and secId of a namespace call.
int parseNsArgs(const Session &s, const char *pool, const char *ns,
		const char *secId, Name &n)
{
	int rc = parsePool(s, pool, n);
	if (!rc)
		rc = parseNs(ns, n.ns);
	if (!rc)
		rc = parseSecid(secId, n.secid);
	return rc;
}

// ---- backends --------------------------------------------------------------

Backend &backendOf(const Name &n)
{
	return n.node.empty() ? localBackend() : remoteBackend();
}

// The backend of a BmInfo not parsed yet (null: the local one, which
// rejects it).
Backend &backendOf(const BmInfo *bi)
{
	return bi && isRemoteField(bi->poolName) ? remoteBackend() :
						   localBackend();
}

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

// A call on the object @bi with @flags that must be 0: check, parse, then
// @f(backend, session, name).
template <class F> int onObject(BmInfo *bi, int flags, F &&f) noexcept
{
	return withSession([&](Session &s) {
		Name n;
		if (flags)
			return -EINVAL;
		int rc = parseInfo(s, bi, n);
		return rc ? rc : f(backendOf(n), s, n);
	});
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
	return startSession(cfg);
}

// BM_StrError's text for the errors the calls return.
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
		       "does not know (BM_ExpandSec on a multi-host pool: "
		       "more extents than an object may have)";
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

// The data calls: BM_ReadSec, BM_WriteSec; the slow path (names parsed,
// the handle pinned), out of line so that the fast path's frame is small.
__attribute__((noinline)) int objIoSlow(BmInfo *bi, size_t offset,
					size_t length, char *buf, int flags,
					bool write)
{
	return withSession([&](Session &s) {
		Name n;
		if (flags || (!buf && length))
			return -EINVAL;
		int rc = parseInfo(s, bi, n);
		if (rc)
			return rc;
		if (addOverflows(offset, length))
			return -EOVERFLOW;
		return backendOf(n).io(s, bi, n, offset, length, buf, write);
	});
}

inline int objIo(BmInfo *bi, size_t offset, size_t length, char *buf,
		 int flags, bool write)
{
	int fastRc;

	if (!flags && bi && buf && length && !addOverflows(offset, length) &&
	    !sessionOverridden() &&
	    (localBackend().fastIo(bi, offset, length, buf, write, fastRc) ||
	     remoteBackend().fastIo(bi, offset, length, buf, write, fastRc)))
		return fastRc;
	return objIoSlow(bi, offset, length, buf, flags, write);
}

// BM_CopySec's slow path, out of line as objIoSlow().
__attribute__((noinline)) int objCopySlow(BmInfo *srcBM, size_t srcOffset,
					  BmInfo *dstBM, size_t dstOffset,
					  size_t length, int flags)
{
	return withSession([&](Session &s) {
		Name src, dst;
		if (flags || !srcBM || !dstBM)
			return -EINVAL;
		int rc = parseInfo(s, srcBM, src);
		if (!rc)
			rc = parseInfo(s, dstBM, dst);
		if (rc)
			return rc;
		if (addOverflows(srcOffset, length) ||
		    addOverflows(dstOffset, length))
			return -EOVERFLOW;
		// Either side remote: the remote backend (through a local
		// buffer when one side is local).
		Backend &b = src.node.empty() ? backendOf(dst) : backendOf(src);
		return b.copy(s, srcBM, src, srcOffset, dstBM, dst, dstOffset,
			      length);
	});
}

} // namespace

extern "C" {

// ---- the library -----------------------------------------------------------

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
	return guarded([] { return endSession(); });
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
	mf_version k;
	int rc = sessionVersion(k);
	if (rc)
		return rc;
	v.abiMajor = k.abi_major;
	v.abiMinor = k.abi_minor;
	v.features = k.features;
	memcpy(v.moduleVersion, k.module_version, sizeof(k.module_version));
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

// ---- namespaces ------------------------------------------------------------

BM_API int BM_CreateNSSec(const char *poolName, const char *ns, int attribute,
			  const char *secId)
{
	return withSession([&](Session &s) {
		Name n;
		int rc = parseNsArgs(s, poolName, ns, secId, n);
		return rc ? rc : backendOf(n).createNs(s, n, attribute);
	});
}

BM_API int BM_DestroyNSSec(const char *poolName, const char *ns,
			   const char *secId)
{
	return withSession([&](Session &s) {
		Name n;
		int rc = parseNsArgs(s, poolName, ns, secId, n);
		return rc ? rc : backendOf(n).destroyNs(s, n);
	});
}

BM_API int BM_QueryNSCache(QueryNsCache *buff, size_t buffLen)
{
	return withSession([&](Session &s) -> int {
		if (!buff && buffLen)
			return -EINVAL;
		size_t cap = buff ? buffLen / sizeof(QueryNsCache) : 0;
		cap = std::min<size_t>(cap, INT_MAX);
		return localBackend().queryNs(s, buff, cap);
	});
}

// ---- objects ---------------------------------------------------------------

BM_API int BM_AllocSec(BmInfo *bminfo, size_t size, int flags,
		       BmAffinity *affinity)
{
	return withSession([&](Session &s) -> int {
		if (flags || !size || size > BM_MAX_SIZE || !bminfo)
			return -EINVAL;
		// The pool: named in @bminfo, in @affinity, or in both alike.
		std::string pool, affPool;
		if (boundedString(bminfo->poolName, BM_POOL_NAME_LEN, pool))
			return -EINVAL;
		if (affinity) {
			if (affinity->numaNode < -1 ||
			    boundedString(affinity->poolName, BM_POOL_NAME_LEN,
					  affPool))
				return -EINVAL;
			if (!affPool.empty()) {
				if (!pool.empty() && pool != affPool)
					return -EINVAL;
				pool = affPool;
			}
		}
		Name n;
		int rc = parsePoolString(s, pool, n);
		if (!rc)
			rc = parseObject(bminfo, n, true);
		if (rc)
			return rc;
		return backendOf(n).alloc(s, bminfo, n, !pool.empty(),
					  affinity ? affinity->numaNode : -1,
					  size);
	});
}

BM_API int BM_FreeSec(BmInfo *bminfo, int flags)
{
	return onObject(bminfo, flags, [&](Backend &b, Session &s, Name &n) {
		return b.freeObj(s, bminfo, n);
	});
}

BM_API int BM_BatchFreeSec(char *bmIdArray[], int num, int flags,
			   const char *ns, const char *secId)
{
	return withSession([&](Session &s) -> int {
		Name n;
		if (flags || !bmIdArray || num <= 0 || num > MF_OBJ_BATCH_MAX)
			return -EINVAL;
		// The seed's signature has no pool: the default one.
		int rc = parseNsArgs(s, nullptr, ns, secId, n);
		if (rc)
			return rc;
		std::vector<std::string> ids(static_cast<size_t>(num));
		for (int i = 0; i < num; i++) {
			rc = boundedString(bmIdArray[i], BM_ID_LEN, ids[i]);
			if (!rc)
				rc = checkObjName(ids[i]);
			if (rc)
				return rc;
		}
		return localBackend().batchFree(s, n, ids);
	});
}

BM_API int BM_ExpandSec(BmInfo *bminfo, size_t size, int flags)
{
	return withSession([&](Session &s) {
		Name n;
		Backend &b = backendOf(bminfo);
		if (!b.can(Backend::kExpand))
			return -EOPNOTSUPP;
		if (flags || !size || size > BM_MAX_SIZE)
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		return rc ? rc : b.expand(s, bminfo, n, size);
	});
}

// ---- data ------------------------------------------------------------------

BM_API int BM_ReadSec(BmInfo *bminfo, size_t offset, size_t length,
		      void *buffer, int flags)
{
	return objIo(bminfo, offset, length, static_cast<char *>(buffer),
		     flags, false);
}

BM_API int BM_WriteSec(BmInfo *bminfo, size_t offset, size_t length,
		       const void *buffer, int flags)
{
	return objIo(bminfo, offset, length,
		     const_cast<char *>(static_cast<const char *>(buffer)),
		     flags, true);
}

BM_API int BM_CopySec(BmInfo *srcBM, size_t srcOffset, BmInfo *dstBM,
		      size_t dstOffset, size_t length, int flags)
{
	int fastRc;

	if (!flags && srcBM && dstBM && length &&
	    !addOverflows(srcOffset, length) &&
	    !addOverflows(dstOffset, length) && !sessionOverridden() &&
	    localBackend().fastCopy(srcBM, srcOffset, dstBM, dstOffset, length,
				    fastRc))
		return fastRc;
	return objCopySlow(srcBM, srcOffset, dstBM, dstOffset, length, flags);
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
		Backend &b = backendOf(bminfo);
		if (!b.can(Backend::kSwapIn))
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
		return b.swapIn(s, n, fd, static_cast<uint64_t>(file->fileOffset),
				offset, length);
	});
}

// ---- gather ----------------------------------------------------------------

BM_API int BM_GatherSec(intptr_t *inputInfo, BmOperatorCode operatorCode,
			int flags, BmInfo *bminfo, size_t *bmLen)
{
	return withSession([&](Session &s) -> int {
		// The caller may pass any int: read it as one (loading an
		// out-of-range value as the enum type is undefined).
		int code;
		static_assert(sizeof(code) == sizeof(operatorCode), "enum size");
		memcpy(&code, &operatorCode, sizeof(code));
		if (flags || !inputInfo || code < BM_OP_GATHER ||
		    code > BM_OP_MAX_F64)
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

		// All on the destination's node, or all local.
		Backend &b = backendOf(bminfo);
		bool remoteDst = &b == &remoteBackend();
		if (!remoteDst)
			for (const BmGatherItem *it : items)
				if (it->src && isRemoteField(it->src->poolName))
					return -EOPNOTSUPP;
		Name dst;
		int rc = parseInfo(s, bminfo, dst);
		if (rc)
			return rc;
		std::vector<Name> srcs(items.size());
		for (size_t i = 0; i < items.size(); i++) {
			const BmGatherItem *it = items[i];
			if (!it->src)
				return -EINVAL;
			if (remoteDst && !isRemoteField(it->src->poolName))
				return -EOPNOTSUPP; // mixed local and remote
			rc = parseInfo(s, it->src, srcs[i]);
			if (rc)
				return rc;
			if (srcs[i].node != dst.node)
				return -EOPNOTSUPP; // sources on another node
			if (!it->length)
				return -EINVAL;
			if (addOverflows(it->offset, it->length))
				return -EOVERFLOW;
			if (b.can(Backend::kGatherWords) &&
			    code != BM_OP_GATHER &&
			    (it->length % 8 || it->length != items[0]->length))
				return -EINVAL;
		}
		return b.gather(s, items, srcs, code, dst, bmLen);
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
		Backend &b = backendOf(bminfo);
		if (!b.can(Backend::kMap))
			return -EOPNOTSUPP;
		void *want = (fixed || hint) ? *ptr : nullptr;
		if (fixed && (!want ||
			      reinterpret_cast<uintptr_t>(want) % pageSize()))
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		return rc ? rc : b.map(s, bminfo, n, prot, flags, want, ptr);
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
		return unmapObject(id, !bmId, ptr);
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
		Backend &b = backendOf(dst);
		if (!b.can(Backend::kMap))
			return -EOPNOTSUPP;
		int rc = parseInfo(s, dst, n, true);
		if (rc)
			return rc;
		return b.commit(s, a, length, dst, n,
				flags & BM_COMMIT_PUBLISH);
	});
}

// ---- the object model ------------------------------------------------------

BM_API int BM_PublishSec(BmInfo *bminfo, int flags)
{
	return onObject(bminfo, flags, [&](Backend &b, Session &s, Name &n) {
		return b.publish(s, bminfo, n);
	});
}

BM_API int BM_GetSec(BmInfo *bminfo, int flags)
{
	return onObject(bminfo, flags, [&](Backend &b, Session &s, Name &n) {
		return b.get(s, bminfo, n);
	});
}

BM_API int BM_PutSec(BmInfo *bminfo, int flags)
{
	return onObject(bminfo, flags, [&](Backend &b, Session &s, Name &n) {
		return b.put(s, n);
	});
}

BM_API int BM_DeriveSec(const BmInfo *src, BmInfo *dst, int flags)
{
	return withSession([&](Session &s) {
		Name sn, dn;
		Backend &b = backendOf(src).can(Backend::kDerive) ?
				     backendOf(dst) : backendOf(src);
		if (!b.can(Backend::kDerive))
			return -EOPNOTSUPP;
		if (flags)
			return -EINVAL;
		int rc = parseInfo(s, src, sn);
		if (!rc)
			rc = parseInfo(s, dst, dn, true);
		return rc ? rc : b.derive(s, sn, dst, dn);
	});
}

BM_API int BM_StatSec(BmInfo *bminfo, BmStat *st)
{
	return withSession([&](Session &s) {
		Name n;
		if (!st)
			return -EINVAL;
		int rc = parseInfo(s, bminfo, n);
		return rc ? rc : backendOf(n).stat(s, bminfo, n, st);
	});
}

} // extern "C"
