// SPDX-License-Identifier: GPL-2.0
/*
 * mf_stats.c - memfabric's module-wide counters (struct mf_obj_counters,
 * mf_object.h) and their files in /sys/kernel/memfabric/stats.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "mf_object.h"

struct mf_obj_counters mf_cnt;

/* ---- /sys/kernel/memfabric/stats ---------------------------------------------------- */

/* The counters' files, in the order of mf_stats_cnt[]. */
static ssize_t mf_stats_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf);

static struct kobj_attribute mf_stats_kattrs[] = {
	__ATTR(namespaces, 0444, mf_stats_show, NULL),
	__ATTR(objects, 0444, mf_stats_show, NULL),
	__ATTR(handles, 0444, mf_stats_show, NULL),
	__ATTR(refs, 0444, mf_stats_show, NULL),
	__ATTR(files, 0444, mf_stats_show, NULL),
	__ATTR(extents, 0444, mf_stats_show, NULL),
	__ATTR(extents_shared, 0444, mf_stats_show, NULL),
	__ATTR(cow_pieces, 0444, mf_stats_show, NULL),
	__ATTR(reclaimed, 0444, mf_stats_show, NULL),
	__ATTR(mappings, 0444, mf_stats_show, NULL),
	__ATTR(faults, 0444, mf_stats_show, NULL),
	__ATTR(faults_pmd, 0444, mf_stats_show, NULL),
	__ATTR(mkwrite, 0444, mf_stats_show, NULL),
	__ATTR(commits, 0444, mf_stats_show, NULL),
	__ATTR(commit_pages, 0444, mf_stats_show, NULL),
	__ATTR(quarantined, 0444, mf_stats_show, NULL),
};

static atomic_long_t *const mf_stats_cnt[] = {
	&mf_cnt.namespaces,
	&mf_cnt.objects,
	&mf_cnt.handles,
	&mf_cnt.refs,
	&mf_cnt.files,
	&mf_cnt.extents,
	&mf_cnt.extents_shared,
	&mf_cnt.cow_pieces,
	&mf_cnt.reclaimed,
	&mf_cnt.mappings,
	&mf_cnt.faults,
	&mf_cnt.faults_pmd,
	&mf_cnt.mkwrite,
	&mf_cnt.commits,
	&mf_cnt.commit_pages,
	&mf_cnt.quarantined,
};

static_assert(ARRAY_SIZE(mf_stats_kattrs) == ARRAY_SIZE(mf_stats_cnt));

static ssize_t mf_stats_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	size_t i = attr - mf_stats_kattrs;

	return sysfs_emit(buf, "%ld\n", atomic_long_read(mf_stats_cnt[i]));
}

static struct attribute *mf_stats_attrs[ARRAY_SIZE(mf_stats_kattrs) + 1];

static const struct attribute_group mf_stats_group = {
	.attrs = mf_stats_attrs,
};

static struct kobject *mf_stats_kobj;

/**
 * mf_stats_init() - create /sys/kernel/memfabric/stats
 * @parent: /sys/kernel/memfabric
 *
 * Context: module init.
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int mf_stats_init(struct kobject *parent)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(mf_stats_kattrs); i++)
		mf_stats_attrs[i] = &mf_stats_kattrs[i].attr;
	mf_stats_kobj = kobject_create_and_add("stats", parent);
	if (!mf_stats_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(mf_stats_kobj, &mf_stats_group);
	if (ret) {
		kobject_put(mf_stats_kobj);
		mf_stats_kobj = NULL;
		return ret;
	}
	return 0;
}

/**
 * mf_stats_exit() - remove /sys/kernel/memfabric/stats
 *
 * Context: module exit, or init unwinding.
 */
void mf_stats_exit(void)
{
	sysfs_remove_group(mf_stats_kobj, &mf_stats_group);
	kobject_put(mf_stats_kobj);
	mf_stats_kobj = NULL;
}
