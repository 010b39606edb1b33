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

#include <stdint.h>

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
#define BM_LIB_VERSION_MINOR	1
#define BM_LIB_VERSION_PATCH	0
#define BM_LIB_VERSION		"0.1.0"

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
} BmInitAttr;

/* Feature bits of BmVersion.features (the module's MF_FEAT_* bits). */
#define BM_FEAT_EXT_IOCTL	(1ULL << 0)	/* size-versioned ioctl args */
#define BM_FEAT_SYSFS		(1ULL << 1)	/* /sys/kernel/memfabric */

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

#ifdef __cplusplus
}
#endif

#endif /* MEMFABRIC_BM_H */
