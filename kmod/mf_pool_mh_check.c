// SPDX-License-Identifier: GPL-2.0
/*
 * mf_pool_mh_check.c - MF_IOC_POOL_CHECK's part for a multi-host pool
 * (Documentation/multihost.md, "Administration"): what this host can
 * check of the protocol's state.
 *
 *   on every host	the device's superblock still decodes to the
 *			geometry this host attached with, and names the
 *			same manager; the member's joined state and epoch
 *			agree with the pool's; every directory slot reads
 *			with a good checksum and extents in bounds
 *   on the manager's	under the manager's lock: its DRAM state
 *   host		(mf_mh_mgr_check(): used and quarantined units,
 *			reference masks, owners, extents, directory slots)
 *			and that state against the directory on the
 *			device: each published object in its slot with its
 *			id, generation and extents, no other slot published;
 *			and that the manager has not stopped on an error
 *
 * A member cannot check the manager's state (the manager's DRAM is on
 * another host); it checks what it reads of the device.
 *
 * Called by mf_ioctl_pool.c with the pool's lock held; calls only the
 * protocol core.  Lock order: the pool's lock, then @mh->lock, then the
 * member's lock; the manager's lock is taken alone.
 */

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "mf_pool_mh_int.h"

/* A finding: counted, and kept when it is the first of @chk. */
static void mf_mh_finding(struct mf_pool_check *chk, const char *who,
			  const char *what, u64 where)
{
	if (!chk->errors++) {
		chk->first_error = MF_POOL_CHECK_MULTIHOST;
		snprintf(chk->what, sizeof(chk->what), "%s: %s (%llu)", who,
			 what, where);
	}
}

/* The superblock, and this host's membership as the pool knows it. */
static void mf_mh_check_member(struct mf_pool_mh *mh,
			       struct mf_pool_check *chk)
{
	struct mf_mh_member *mb = &mh->mb;
	struct mf_mh_geo g;
	u32 manager, epoch;
	bool joined, is_mgr;

	if (mf_mh_probe(mh->pool->mh_base, &g, &manager)) {
		mf_mh_finding(chk, "member", "superblock unreadable", 0);
	} else {
		if (memcmp(&g, &mb->geo, sizeof(g)))
			mf_mh_finding(chk, "member",
				      "superblock geometry changed", 0);
		is_mgr = manager == mh->host;
		if (is_mgr != mh->manager)
			mf_mh_finding(chk, "member",
				      "superblock names another manager",
				      manager);
	}
	mutex_lock(&mh->lock);
	mf_mh_lock(&mb->lock);
	joined = mb->joined;
	epoch = mb->epoch;
	mf_mh_unlock(&mb->lock);
	if (mh->joined && (!joined || !epoch || epoch != mh->live_epoch))
		mf_mh_finding(chk, "member", "epoch differs from the pool's",
			      epoch);
	if (!mh->joined && mh->live_epoch)
		mf_mh_finding(chk, "member", "live epoch while not joined",
			      mh->live_epoch);
	mutex_unlock(&mh->lock);
}

/*
 * Every directory slot: readable, and in bounds; returns the published
 * ones.  Reads only the member's attach fields.
 */
static u32 mf_mh_check_dir(struct mf_pool_mh *mh, struct mf_pool_check *chk)
{
	struct mf_mh_member *mb = &mh->mb;
	struct mf_mh_reply r;
	u32 s, pub = 0;
	int ret;

	for (s = 0; s < mb->geo.dir_slots; s++) {
		ret = mf_mh_dir_get(mb, s, &r);
		if (!ret)
			pub++;
		else if (ret == -EAGAIN)
			mf_mh_finding(chk, "member", "directory slot unreadable",
				      s);
		else if (ret != -ENOENT)
			mf_mh_finding(chk, "member",
				      "directory slot out of bounds", s);
	}
	return pub;
}

/* One published object against its directory slot on the device. */
static bool mf_mh_dir_matches(struct mf_pool_mh *mh,
			      const struct mf_mh_obj *o)
{
	struct mf_mh_reply r;
	u16 j;

	if (mf_mh_dir_get(&mh->mb, o->dir_slot, &r) || r.id != o->id ||
	    r.gen != o->gen || r.size != o->size || r.nr_ext != o->nr_ext)
		return false;
	for (j = 0; j < o->nr_ext; j++)
		if (r.ext[j].start != o->ext[j].start ||
		    r.ext[j].len != o->ext[j].len)
			return false;
	return true;
}

/*
 * The manager's state, and against the device's directory, which has
 * @pub published slots.  The manager's lock held: the manager alone
 * writes the directory, under it, so the directory holds still.
 */
static void mf_mh_check_mgr(struct mf_pool_mh *mh, struct mf_pool_check *chk,
			    u32 pub)
{
	struct mf_mh_mgr *m = &mh->mgr;
	const char *what = "";
	u64 where = 0;
	u32 i, n = 0;

	mf_mh_lock_held(&m->lock);
	if (mf_mh_mgr_check(m, &what, &where))
		mf_mh_finding(chk, "manager", what, where);
	for (i = 0; i < m->nr_objs; i++) {
		if (m->objs[i].state != MF_MH_OBJ_PUBLISHED)
			continue;
		n++;
		if (!mf_mh_dir_matches(mh, &m->objs[i]))
			mf_mh_finding(chk, "manager",
				      "directory slot differs from object",
				      m->objs[i].id);
	}
	if (n != pub)
		mf_mh_finding(chk, "manager",
			      "published slots differ from objects", pub);
}

/**
 * mf_pool_mh_check() - check a multi-host pool's protocol state
 * @pool: the pool; nothing is checked for a single-host pool
 * @chk: MF_IOC_POOL_CHECK's argument: each finding adds to @chk->errors,
 *	and the first one of @chk sets @chk->first_error to
 *	MF_POOL_CHECK_MULTIHOST and @chk->what to "manager: ..." or
 *	"member: ..." with the unit, object id, slot or epoch it names
 *
 * On every host: the superblock, this host's joined state and epoch,
 * and every directory slot.  On the manager's host also the manager's
 * state (mf_mh_mgr_check()) and that state against the directory, under
 * the manager's lock.  A member does not check the manager's state.
 *
 * Context: process context; the pool's lock held; takes @pool's
 * multi-host lock, the member's and the manager's locks; sleeps.
 */
void mf_pool_mh_check(struct mf_pool *pool, struct mf_pool_check *chk)
{
	struct mf_pool_mh *mh = pool->mh;
	u32 pub;

	mf_pool_assert_locked(pool);
	if (!mh)
		return;
	mf_mh_check_member(mh, chk);
	if (!mh->manager) {
		mf_mh_check_dir(mh, chk);
		return;
	}
	/* Not under the lock: the worker sets it without. */
	if (READ_ONCE(mh->mgr_err))
		mf_mh_finding(chk, "manager", "stopped on an error",
			      -READ_ONCE(mh->mgr_err));
	mf_mh_lock(&mh->mgr.lock);
	pub = mf_mh_check_dir(mh, chk);
	mf_mh_check_mgr(mh, chk, pub);
	mf_mh_unlock(&mh->mgr.lock);
}
