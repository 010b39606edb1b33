/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <memfabric/bm.h> - the BigMemory API of libmemfabric.
 *
 * Every function returns 0 (or a documented non-negative value) on success
 * and a negative errno on failure; BM_StrError() turns that into text.
 * See BM_Init(3) and BM_StrError(3).
 *
 * Structs that may grow start with a @size field that the caller sets to
 * sizeof() the struct it was compiled against, as the kernel ioctls do:
 * a @size smaller than the first published version gives -EINVAL; a
 * larger one is accepted only when every byte the library does not know
 * is zero (input) and is filled with zeros (output), otherwise -E2BIG.
 */
#ifndef MEMFABRIC_BM_H
#define MEMFABRIC_BM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#if defined(__GNUC__) || defined(__clang__)
#define BM_API __attribute__((visibility("default")))
#else
#define BM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this library (the one the header came with). */
#define BM_LIB_VERSION_MAJOR	0
#define BM_LIB_VERSION_MINOR	2
#define BM_LIB_VERSION_PATCH	0
#define BM_LIB_VERSION		"0.2.0"

/* Sizes of names, including the terminating NUL. */
#define BM_POOL_NAME_LEN	32	/* pool name */
#define BM_NS_LEN		64	/* namespace name */
#define BM_SECID_LEN		64	/* security id */
#define BM_ID_LEN		64	/* BigMemory object id */
#define BM_VERSION_LEN		32	/* version strings in BmVersion */

/* What BM_Init() uses when neither the config file nor attr says. */
#define BM_DEFAULT_DEVICE	"/dev/memfabric"
#define BM_DEFAULT_POOL		"pool0"

/* Log levels of the library's messages on stderr (config key log_level). */
typedef enum BmLogLevel {
	BM_LOG_UNSET = 0,	/* BmInitAttr: keep the file's or default */
	BM_LOG_ERROR = 1,	/* the default */
	BM_LOG_WARN = 2,
	BM_LOG_INFO = 3,
	BM_LOG_DEBUG = 4
} BmLogLevel;

/*
 * Optional argument of BM_InitWithExtAttr(): values that override the
 * config file.  Zero-initialise it, set @size, and set only what you want
 * to override; NULL pointers and BM_LOG_UNSET override nothing.
 */
typedef struct BmInitAttr {
	uint32_t size;		/* sizeof(BmInitAttr) */
	uint32_t flags;		/* must be 0 */
	const char *device;	/* device node, e.g. "/dev/memfabric" */
	const char *defaultPool; /* default pool name, < BM_POOL_NAME_LEN */
	int32_t logLevel;	/* a BmLogLevel */
	uint32_t reserved;	/* must be 0 */
	/* Remote fabric (Documentation/remote.md); older callers' @size
	 * ends before these, which then override nothing: */
	const char *remoteNodes; /* "NODE=HOST[:PORT],..." servers added to
				  * the config file's `remote` keys */
	const char *etcd;	/* "HOST:PORT" of etcd, which knows every
				 * other node's server */
} BmInitAttr;

/*
 * Remote pools: a pool name "NODE:POOL" (BmInfo.poolName,
 * BmAffinity.poolName, the poolName of BM_CreateNSSec) names pool POOL of
 * node NODE, served by mfserverd(8) over RDMA.  ':' is not a pool-name
 * character, so such a name is never local.  BM_MapSec, BM_ExpandSec,
 * BM_DeriveSec, BM_CommitSec and BM_SpecificObjSwapInSec of a remote
 * object return -EOPNOTSUPP.  See memfabric(7) and mfserverd(8).
 */
#define BM_REMOTE_SEP		':'

/* Feature bits of BmVersion.features (the module's MF_FEAT_* bits). */
#define BM_FEAT_EXT_IOCTL	(1ULL << 0)	/* size-versioned ioctl args */
#define BM_FEAT_SYSFS		(1ULL << 1)	/* /sys/kernel/memfabric */
#define BM_FEAT_POOLS		(1ULL << 2)	/* pools and extents */
#define BM_FEAT_OBJECTS		(1ULL << 3)	/* namespaces and objects */
#define BM_FEAT_MMAP		(1ULL << 4)	/* BM_MapSec, BM_CommitSec */
#define BM_FEAT_NETLINK		(1ULL << 5)	/* generic netlink family */
#define BM_FEAT_MMAP_LONGTERM	(1ULL << 6)	/* BM_MAP_LONGTERM */

/* Argument of BM_Version(). */
typedef struct BmVersion {
	uint32_t size;		/* in: sizeof(BmVersion) */
	uint32_t flags;		/* in: must be 0 */
	uint32_t abiMajor;	/* out: ioctl ABI major of the module */
	uint32_t abiMinor;	/* out: ioctl ABI minor of the module */
	uint64_t features;	/* out: BM_FEAT_* bits of the module */
	char moduleVersion[BM_VERSION_LEN];	/* out: e.g. "0.1.0" */
	char libraryVersion[BM_VERSION_LEN];	/* out: BM_LIB_VERSION of the
						 * library actually loaded */
} BmVersion;

/*
 * Initialise the library: read the config file @ockPath (NULL: defaults),
 * open the memfabric device and check its ABI.  @flags must be 0.
 * Reference counted: each successful call needs one BM_Exit().
 */
BM_API int BM_Init(char *ockPath, int flags);

/* BM_Init() with @attr, a BmInitAttr *, overriding the config file. */
BM_API int BM_InitWithExtAttr(char *ockPath, int flags, void *attr);

/* Drop one BM_Init() reference; the last one closes the device. */
BM_API int BM_Exit(void);

/* Kernel module and library versions; needs BM_Init(). */
BM_API int BM_Version(BmVersion *out);

/* Text for an error code, negative or positive; never NULL. */
BM_API const char *BM_StrError(int err);

/*
 * Sessions on a given open /dev/memfabric (MEMFABRIC_0.4, BM_SessionOpenFd(3)).
 * For a daemon that acts for several identities through identity-bound
 * files (MF_IOC_FILE_BIND), such as mfserverd: BM_SessionOpenFd() makes a
 * session of its own on a duplicate of @fd (BM_Init() first: it takes
 * that session's config); BM_SessionUse() makes the calling thread's
 * BigMemory calls go through @session (NULL: through BM_Init()'s again);
 * BM_SessionClose() closes it (no thread may still use it).  Each returns
 * 0 or a negative errno.
 */
typedef struct BmSession BmSession;
BM_API int BM_SessionOpenFd(int fd, BmSession **out);
BM_API int BM_SessionUse(BmSession *session);
BM_API int BM_SessionClose(BmSession *session);

/* ======================================================================
 * The BigMemory API (MEMFABRIC_0.2).  See memfabric(7) for the model.
 *
 * Objects are named by pool, namespace, secId and id (BmInfo).  Every
 * call needs BM_Init() (-ENODEV otherwise), checks its arguments before
 * it asks the kernel (-EINVAL for a NULL pointer, an unterminated or
 * malformed name, unknown flags; -EOVERFLOW for an offset + length that
 * overflows), and returns 0 (or the count it documents) or a negative
 * errno: -EACCES wrong secId, a private object of another user or a write
 * to a shared one; -ENOENT no such pool, namespace or object; -ENOSPC
 * the pool is full.
 * ====================================================================== */

/* Object types (BmInfo.type). */
#define BM_TYPE_PRIVATE_RW	1	/* owner may read and write */
#define BM_TYPE_SHARED_RO	2	/* published: everyone reads, nobody writes */

/* Largest object, in bytes. */
#define BM_MAX_SIZE		(1ULL << 40)

/*
 * An object.  Names are NUL-terminated within their arrays.  An empty
 * @poolName means the session's default pool (pool0 unless configured);
 * calls that find the object write the pool they used back.
 */
typedef struct BmInfo {
	char poolName[BM_POOL_NAME_LEN]; /* [A-Za-z0-9_.-]; "" = default */
	char ns[BM_NS_LEN];		/* [A-Za-z0-9_.:-] */
	char secId[BM_SECID_LEN];	/* any bytes but NUL, 1 to 63 */
	char bmId[BM_ID_LEN];		/* [A-Za-z0-9_.:-]; BM_AllocSec,
					 * BM_DeriveSec, BM_CommitSec: ""
					 * asks for a generated id */
	size_t size;			/* out: bytes */
	int type;			/* out: BM_TYPE_* */
} BmInfo;

/* Where BM_AllocSec() allocates; NULL = the BmInfo's pool or the default. */
typedef struct BmAffinity {
	int numaNode;			/* -1: any; else a node pool on it */
	char poolName[BM_POOL_NAME_LEN]; /* "" = not named here */
} BmAffinity;

/* One namespace, as BM_QueryNSCache() reports it. */
typedef struct QueryNsCache {
	char poolName[BM_POOL_NAME_LEN];
	char ns[BM_NS_LEN];
	int attribute;			/* as given to BM_CreateNSSec() */
	uint32_t reserved0;		/* 0 */
	uint64_t objectCount;		/* objects in it */
	uint64_t bytes;			/* their total size */
	uint64_t ttlSeconds;		/* 0: published objects live forever */
	uint64_t ctime;			/* creation, seconds since the epoch */
	uint64_t reserved[4];		/* 0 */
} QueryNsCache;

/* A file for BM_SpecificObjSwapInSec(). */
typedef struct DiskFileDesc {
	int fd;				/* >= 0: read this descriptor */
	const char *path;		/* else open this file read-only */
	off_t fileOffset;		/* where in the file to start */
} DiskFileDesc;

/* Operations of BM_GatherSec(). */
typedef enum BmOperatorCode {
	BM_OP_GATHER = 0,	/* concatenate the sources */
	BM_OP_SUM_I64 = 1,	/* element-wise over int64_t, wraps */
	BM_OP_MIN_I64 = 2,
	BM_OP_MAX_I64 = 3,
	BM_OP_SUM_F64 = 4,	/* element-wise over double, source order */
	BM_OP_MIN_F64 = 5,	/* -0.0 < +0.0; the first NaN wins */
	BM_OP_MAX_F64 = 6
} BmOperatorCode;

/* One source of BM_GatherSec(). */
typedef struct BmGatherItem {
	const BmInfo *src;
	size_t offset;
	size_t length;
} BmGatherItem;

/* Most sources of one BM_GatherSec(). */
#define BM_GATHER_MAX_ITEMS	4096

/* Flags of BM_MapSec(): exactly one of SHARED and PRIVATE, at most one of
 * FIXED and HINT, LONGTERM only with SHARED. */
#define BM_MAP_SHARED		0x1	/* the pool's memory itself */
#define BM_MAP_PRIVATE		0x2	/* copy-on-write into local memory */
#define BM_MAP_FIXED		0x4	/* exactly at *ptr, never replacing
					 * a mapping (-EEXIST) */
#define BM_MAP_HINT		0x8	/* near *ptr if possible */
#define BM_MAP_LONGTERM		0x10	/* with SHARED and PROT_WRITE: pages
					 * that may be pinned for long (RDMA
					 * registration); derive from the
					 * object is -EBUSY meanwhile */

/* Flags of BM_CommitSec(). */
#define BM_COMMIT_PUBLISH	0x1	/* publish the new object at once */

/* What BM_StatSec() reports. */
typedef struct BmStat {
	size_t size;		/* bytes */
	int type;		/* BM_TYPE_* */
	int freed;		/* freed, waits for its last reference */
	uint64_t refCount;	/* kernel references: handles of every
				 * process and mappings */
	uint32_t mapCount;	/* mappings of it */
	uint32_t ownerUid;	/* its owner */
	uint64_t ageSeconds;	/* since its creation */
	uint64_t ctime;		/* creation, seconds since the epoch */
	uint32_t nrExtents;	/* pieces of pool memory */
	uint32_t nrShared;	/* of them, shared with derived objects */
	uint64_t sessionRefs;	/* references this session holds
				 * (BM_AllocSec, BM_GetSec, ...) */
	uint64_t reserved[4];	/* 0 */
} BmStat;

/* Namespaces: BM_CreateNSSec(3). */
BM_API int BM_CreateNSSec(const char *poolName, const char *ns, int attribute,
			  const char *secId);
BM_API int BM_DestroyNSSec(const char *poolName, const char *ns,
			   const char *secId);
/* Returns the number of records written. */
BM_API int BM_QueryNSCache(QueryNsCache *buff, size_t buffLen);

/* Objects: BM_AllocSec(3). */
BM_API int BM_AllocSec(BmInfo *bminfo, size_t size, int flags,
		       BmAffinity *affinity);
BM_API int BM_FreeSec(BmInfo *bminfo, int flags);
/* In the default pool; returns the number freed (@num) or the first error. */
BM_API int BM_BatchFreeSec(char *bmIdArray[], int num, int flags,
			   const char *ns, const char *secId);
BM_API int BM_ExpandSec(BmInfo *bminfo, size_t size, int flags);

/* Mappings: BM_MapSec(3). */
BM_API int BM_MapSec(BmInfo *bminfo, int prot, int flags, void **ptr);
BM_API int BM_Unmap(char *bmId, void *ptr);

/* Data: BM_ReadSec(3). */
BM_API int BM_CopySec(BmInfo *srcBM, size_t srcOffset, BmInfo *dstBM,
		      size_t dstOffset, size_t length, int flags);
BM_API int BM_SpecificObjSwapInSec(DiskFileDesc *file, BmInfo *bminfo,
				   int flags, size_t offset, size_t length);
BM_API int BM_ReadSec(BmInfo *bminfo, size_t offset, size_t length,
		      void *buffer, int flags);
BM_API int BM_WriteSec(BmInfo *bminfo, size_t offset, size_t length,
		       const void *buffer, int flags);

/* Gather and reductions: BM_GatherSec(3). */
BM_API int BM_GatherSec(intptr_t *inputInfo, BmOperatorCode operatorCode,
			int flags, BmInfo *bminfo, size_t *bmLen);

/* The object model (Documentation/objects.md): BM_GetSec(3). */
BM_API int BM_PublishSec(BmInfo *bminfo, int flags);
BM_API int BM_GetSec(BmInfo *bminfo, int flags);
BM_API int BM_PutSec(BmInfo *bminfo, int flags);
BM_API int BM_DeriveSec(const BmInfo *src, BmInfo *dst, int flags);
BM_API int BM_CommitSec(void *mappedPtr, size_t length, BmInfo *dst,
			int flags);
BM_API int BM_StatSec(BmInfo *bminfo, BmStat *st);

#ifdef __cplusplus
}
#endif

#endif /* MEMFABRIC_BM_H */
