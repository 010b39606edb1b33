/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_internal.h - declarations shared by the files of memfabric.ko.
 */
#ifndef MF_INTERNAL_H
#define MF_INTERNAL_H

#include <uapi/linux/memfabric.h>

#include "mf_compat.h"

/* Version of the module, as in MODULE_VERSION and struct mf_version. */
#define MF_MODULE_VERSION	"0.1.0"

/* The MF_FEAT_* bits this module implements. */
#define MF_FEATURES		(MF_FEAT_EXT_IOCTL | MF_FEAT_SYSFS | MF_FEAT_POOLS | \
				 MF_FEAT_OBJECTS | MF_FEAT_MMAP | \
				 MF_FEAT_NETLINK | MF_FEAT_MMAP_LONGTERM | \
				 MF_FEAT_SERIAL | MF_FEAT_FILE_BIND | \
				 MF_FEAT_MULTIHOST)

struct kobject;

int mf_sysfs_init(void);
void mf_sysfs_exit(void);
struct kobject *mf_sysfs_kobj(void);

#endif /* MF_INTERNAL_H */
