/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * memfabric: named, reference-counted objects in CXL/DAX memory pools.
 *
 * This header is the ioctl ABI of /dev/memfabric, shared by the kernel
 * module and by userspace (libmemfabric, mfadm, tests).
 *
 * Conventions, which every ioctl follows:
 *
 * - Every argument struct starts with ``__u32 size; __u32 flags;``.  The
 *   caller sets @size to sizeof() the struct it was compiled against.  The
 *   kernel reads the struct with copy_struct_from_user(), so that:
 *
 *   - a @size smaller than the first published version of the struct
 *     fails with -EINVAL;
 *   - a @size larger than the kernel knows is accepted only when every
 *     byte the kernel does not know is zero, otherwise -E2BIG;
 *   - on output the kernel writes back at most @size bytes.
 *
 * - Unknown bits in @flags, and non-zero ``reserved`` fields, give -EINVAL.
 * - Pointers travel as __aligned_u64; only fixed-width types are used and
 *   no struct has implicit padding.
 * - The size encoded in an ioctl number is that of the first version of
 *   its struct and never changes; the @size field carries the real size.
 * - An ioctl number the module does not know gives -ENOTTY.
 */
#ifndef _UAPI_LINUX_MEMFABRIC_H
#define _UAPI_LINUX_MEMFABRIC_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Name of the misc device, as in /dev/memfabric. */
#define MEMFABRIC_DEVICE_NAME	"memfabric"

/* ABI version.  A minor bump adds ioctls or fields; a major bump breaks. */
#define MF_ABI_MAJOR		1
#define MF_ABI_MINOR		0

/* Length of the NUL-terminated module version string. */
#define MF_VERSION_LEN		32

/*
 * Bits of &struct mf_version.features:
 * MF_FEAT_EXT_IOCTL: ioctl structs are size-versioned as described above.
 * MF_FEAT_SYSFS: the module publishes its state under /sys/kernel/memfabric.
 */
#define MF_FEAT_EXT_IOCTL	(1ULL << 0)
#define MF_FEAT_SYSFS		(1ULL << 1)

/**
 * struct mf_version - argument of MF_IOC_VERSION
 * @size: sizeof(struct mf_version), set by the caller.
 * @flags: must be 0.
 * @abi_major: out: MF_ABI_MAJOR of the running module.
 * @abi_minor: out: MF_ABI_MINOR of the running module.
 * @features: out: mask of MF_FEAT_* bits the module supports.
 * @module_version: out: the module's version string, NUL-terminated.
 * @reserved: must be 0.
 */
struct mf_version {
	__u32 size;
	__u32 flags;
	__u32 abi_major;
	__u32 abi_minor;
	__aligned_u64 features;
	char module_version[MF_VERSION_LEN];
	__aligned_u64 reserved;
};

#define MF_IOC_MAGIC		0xBF

/* Query the ABI version and the feature mask.  Needs no privilege. */
#define MF_IOC_VERSION		_IOWR(MF_IOC_MAGIC, 0x00, struct mf_version)

#endif /* _UAPI_LINUX_MEMFABRIC_H */
