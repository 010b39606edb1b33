// SPDX-License-Identifier: GPL-2.0
/*
 * mf_inject.c - delay points for the race tests.
 *
 * Some races need a second thread to act inside a window of a few
 * instructions: a copy-on-write of a commit's source between the commit's
 * two steps (issue 15, defect 4), the last put of an object while another
 * thread is still leaving its namespace's lock (defect 6).  A regression
 * test for such a race makes the window long: root writes "SITE MS" to
 * /sys/module/memfabric/parameters/inject, and the first thread that
 * passes SITE afterwards sleeps MS milliseconds there (the others pass
 * straight on); inject_hits counts the passes, so the test knows when its
 * thread is inside.  Writing "off" disarms.
 *
 * Unarmed, each site is a static branch that is patched out.  Only root
 * can arm a site, and a site only sleeps: no path changes what it does,
 * it only happens later.  The sites are listed in enum mf_inject_site.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "mf_inject.h"

/* The longest delay a site may be armed with. */
#define MF_INJ_MAX_MS	10000U

DEFINE_STATIC_KEY_FALSE(mf_inject_armed);

static const char *const mf_inject_names[MF_INJ_NR] = {
	[MF_INJ_NONE] = "off",
	[MF_INJ_COMMIT_WINDOW] = "commit_window",
	[MF_INJ_UNREF_UNLOCK] = "unref_unlock",
};

/*
 * mf_inject_lock serializes writers of the parameter (they flip the static
 * key).  The armed site and its delay are read locklessly by the sites:
 * a thread that sees the old pair sleeps once more or once less.
 */
static DEFINE_MUTEX(mf_inject_lock);
static int mf_inject_site_armed;	/* enum mf_inject_site */
static unsigned int mf_inject_ms;
static atomic_t mf_inject_hits = ATOMIC_INIT(0);

void __mf_inject_delay(enum mf_inject_site site, atomic_t *inside)
{
	unsigned int ms = READ_ONCE(mf_inject_ms);

	if (READ_ONCE(mf_inject_site_armed) != site || !ms)
		return;
	might_sleep();
	/* One sleep per arming: the first thread that passes. */
	if (atomic_inc_return(&mf_inject_hits) != 1)
		return;
	if (inside)
		atomic_inc(inside);
	msleep(ms);
	if (inside)
		atomic_dec(inside);
}

static int mf_inject_set(const char *val, const struct kernel_param *kp)
{
	char name[32];
	unsigned int ms = 0;
	int site, n;

	n = sscanf(val, "%31s %u", name, &ms);
	if (n < 1)
		return -EINVAL;
	site = match_string(mf_inject_names, MF_INJ_NR, name);
	if (site < 0)
		return -EINVAL;
	if (site == MF_INJ_NONE ? n != 1 : n != 2 || !ms || ms > MF_INJ_MAX_MS)
		return -EINVAL;
	mutex_lock(&mf_inject_lock);
	WRITE_ONCE(mf_inject_ms, ms);
	WRITE_ONCE(mf_inject_site_armed, site);
	atomic_set(&mf_inject_hits, 0);
	if (site != MF_INJ_NONE && !static_key_enabled(&mf_inject_armed))
		static_branch_enable(&mf_inject_armed);
	else if (site == MF_INJ_NONE && static_key_enabled(&mf_inject_armed))
		static_branch_disable(&mf_inject_armed);
	if (site != MF_INJ_NONE)
		pr_info("delay point %s armed: %u ms\n", name, ms);
	mutex_unlock(&mf_inject_lock);
	return 0;
}

static int mf_inject_get(char *buf, const struct kernel_param *kp)
{
	int site = READ_ONCE(mf_inject_site_armed);

	if (site == MF_INJ_NONE)
		return sysfs_emit(buf, "off\n");
	return sysfs_emit(buf, "%s %u\n", mf_inject_names[site],
			  READ_ONCE(mf_inject_ms));
}

static const struct kernel_param_ops mf_inject_ops = {
	.set = mf_inject_set,
	.get = mf_inject_get,
};
module_param_cb(inject, &mf_inject_ops, NULL, 0600);
MODULE_PARM_DESC(inject,
		 "race tests only: \"SITE MS\": the next thread at SITE (commit_window, unref_unlock) sleeps MS ms; \"off\"");

static int mf_inject_hits_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&mf_inject_hits));
}

static const struct kernel_param_ops mf_inject_hits_ops = {
	.get = mf_inject_hits_get,
};
module_param_cb(inject_hits, &mf_inject_hits_ops, NULL, 0400);
MODULE_PARM_DESC(inject_hits, "race tests only: passes through the armed site since it was armed");
