// SPDX-License-Identifier: GPL-2.0
/*
 * mf_sysfs.c - /sys/kernel/memfabric, the module's state in sysfs.
 *
 *   version       the module version, as MODULE_VERSION(), e.g. "0.1.0"
 *   abi_version   "<MF_ABI_MAJOR>.<MF_ABI_MINOR>" of the ioctl ABI
 *   features      the MF_FEAT_* mask MF_IOC_VERSION reports, in hex
 *
 * All are read-only.  pools/ holds one directory per attached pool
 * (mf_pool.c), stats/ the object layer's counters (mf_stats.c).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/printk.h>
#include <linux/sysfs.h>

#include "mf_internal.h"

/* /sys/kernel/memfabric; set by mf_sysfs_init(), gone after mf_sysfs_exit(). */
static struct kobject *mf_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", MF_MODULE_VERSION);
}

static ssize_t abi_version_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d.%d\n", MF_ABI_MAJOR, MF_ABI_MINOR);
}

static ssize_t features_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", MF_FEATURES);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);
static struct kobj_attribute abi_version_attr = __ATTR_RO(abi_version);
static struct kobj_attribute features_attr = __ATTR_RO(features);

static struct attribute *mf_attrs[] = {
	&version_attr.attr,
	&abi_version_attr.attr,
	&features_attr.attr,
	NULL
};

static const struct attribute_group mf_attr_group = {
	.attrs = mf_attrs,
};

/**
 * mf_sysfs_init() - create /sys/kernel/memfabric and its attributes
 *
 * Context: module init.
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int mf_sysfs_init(void)
{
	int ret;

	mf_kobj = kobject_create_and_add("memfabric", kernel_kobj);
	if (!mf_kobj) {
		pr_err("cannot create /sys/kernel/memfabric\n");
		return -ENOMEM;
	}

	ret = sysfs_create_group(mf_kobj, &mf_attr_group);
	if (ret) {
		pr_err("cannot create /sys/kernel/memfabric attributes: %d\n",
		       ret);
		goto err_put;
	}
	return 0;

err_put:
	kobject_put(mf_kobj);
	mf_kobj = NULL;
	return ret;
}

/**
 * mf_sysfs_kobj() - /sys/kernel/memfabric, to create directories in
 *
 * Context: between mf_sysfs_init() and mf_sysfs_exit().
 * Return: the kobject.
 */
struct kobject *mf_sysfs_kobj(void)
{
	return mf_kobj;
}

/**
 * mf_sysfs_exit() - remove /sys/kernel/memfabric
 *
 * Context: module exit, or mf_init() unwinding after mf_sysfs_init()
 * succeeded.
 */
void mf_sysfs_exit(void)
{
	sysfs_remove_group(mf_kobj, &mf_attr_group);
	kobject_put(mf_kobj);
	mf_kobj = NULL;
}
