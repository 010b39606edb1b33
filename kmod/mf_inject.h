/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_inject.h - delay points for the race tests (Documentation/hardening.md,
 * "Delay points").
 */
#ifndef MF_INJECT_H
#define MF_INJECT_H

#include <linux/jump_label.h>

/**
 * enum mf_inject_site - where a delay can be injected
 * @MF_INJ_NONE: no site
 * @MF_INJ_COMMIT_WINDOW: MF_IOC_OBJ_COMMIT, after the source's pieces
 *	became shared and before the commit's use counts are applied
 *	(issue 15, defect 4: the source may copy a piece meanwhile)
 * @MF_INJ_UNREF_UNLOCK: mf_obj_unref_n(), after the namespace lock was
 *	released, where mutex_unlock() may still be touching it (defect 6)
 * @MF_INJ_NR: the number of sites
 */
enum mf_inject_site {
	MF_INJ_NONE,
	MF_INJ_COMMIT_WINDOW,
	MF_INJ_UNREF_UNLOCK,
	MF_INJ_NR,
};

DECLARE_STATIC_KEY_FALSE(mf_inject_armed);

void __mf_inject_delay(enum mf_inject_site site, atomic_t *inside);

/**
 * mf_inject_delay() - sleep here if root armed this site and nobody slept yet
 * @site: the site
 * @inside: a counter raised for the time of the sleep, or NULL: a check
 *	elsewhere can tell that a thread is still inside the window
 *
 * Costs a patched-out jump unless the `inject` parameter is set.
 *
 * Context: process context, no spinlock held (sleeps).
 */
static inline void mf_inject_delay(enum mf_inject_site site, atomic_t *inside)
{
	if (static_branch_unlikely(&mf_inject_armed))
		__mf_inject_delay(site, inside);
}

#endif /* MF_INJECT_H */
