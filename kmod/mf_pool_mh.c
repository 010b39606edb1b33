// SPDX-License-Identifier: GPL-2.0
/*
 * mf_pool_mh.c - a multi-host pool (Documentation/multihost.md) in the
 * kernel: format or attach the protocol's layout on the pool's device,
 * and run the protocol core (mf_mh_*.c) with two workers:
 *
 *   - on the manager's host, the manager's worker serves the mailboxes
 *     and judges the leases (mf_mh_mgr_poll(), mf_mh_mgr_tick()), polling
 *     every MF_MH_POLL_MIN_MS while requests come, backing off to
 *     MF_MH_POLL_MAX_MS when none do;
 *   - on every host, the manager's included, the member's worker joins
 *     the pool (and rejoins when the manager has given the host up) and
 *     then beats every lease / 8.
 *
 * The object layer (mf_obj_mh.c) sends its requests through
 * mf_pool_mh_request() (mf_pool_mh_req.c), one at a time per host, and
 * reads the directory and does the cache work through
 * mf_pool_mh_member().
 *
 * A zombie: when the member learns that the manager has given it up (its
 * heartbeat, or a request's answer, carries -ESTALE), the host's epoch is
 * no longer valid: mf_pool_mh_epoch() reads 0 from then on, so every
 * object of the old epoch is dead (mf_obj_mh_dead()), and before the
 * worker rejoins, it revokes every user mapping of the pool's objects
 * (the object layer's mf_pool_mh_set_revoke() callback).  At detach, a
 * member sends a clean LEAVE (mf_pool_mh_stop()).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "mf_netlink.h"
#include "mf_pool_mh_int.h"

#define MF_MH_POLL_MIN_MS	1
#define MF_MH_POLL_MAX_MS	100
#define MF_MH_JOIN_POLL_MS	10
#define MF_MH_LOG_ENTRIES	16384
#define MF_MH_DIR_SLOTS		2048
#define MF_MH_MAX_OBJS		16384
/* A device whose first bytes are all zero is blank: it may be formatted. */
#define MF_MH_BLANK_BYTES	SZ_128K

static unsigned int mh_lease_ms = 3000;
module_param(mh_lease_ms, uint, 0444);
MODULE_PARM_DESC(mh_lease_ms,
		 "multi-host pools: a host that has not beaten for this long is given up (ms, default 3000)");

/*
 * The object layer's revocation of every user mapping of a pool's objects
 * (set once at module init, before any pool exists).
 */
static void (*mf_pool_mh_revoke_fn)(struct mf_pool *pool);

static unsigned int mh_ttl_ms = 60000;
module_param(mh_ttl_ms, uint, 0444);
MODULE_PARM_DESC(mh_ttl_ms,
		 "multi-host pools: unreferenced published objects are deleted at this age (ms, default 60000)");

/* The protocol's clock: milliseconds, this host's own. */
static u64 mf_mh_now(void)
{
	return div_u64(ktime_get_boottime_ns(), NSEC_PER_MSEC);
}

/* ---- the manager's worker ------------------------------------------------ */

/*
 * Compare the hosts' states and epochs with the last look, and send a
 * netlink event for each host that joined (or rejoined: a new epoch)
 * or was given up.  @send false: only take the look (at start, after
 * the rebuild).  Takes the manager's lock, and sends without it.
 */
static void mf_mh_host_events(struct mf_pool_mh *mh, bool send)
{
	const struct mf_mh_hoststate *hs;
	struct mf_mh_mgr *m = &mh->mgr;
	u32 epoch[MF_MH_MAX_HOSTS];
	u8 cmd[MF_MH_MAX_HOSTS];
	u32 h, n;

	mf_mh_lock(&m->lock);
	n = min_t(u32, m->geo.nr_hosts, MF_MH_MAX_HOSTS);
	for (h = 0; h < n; h++) {
		hs = &m->host[h];
		cmd[h] = 0;
		epoch[h] = hs->epoch;
		if (hs->state == mh->ev_state[h] &&
		    hs->epoch == mh->ev_epoch[h])
			continue;
		if (hs->state == MF_MH_HOST_JOINED)
			cmd[h] = MF_NL_CMD_HOST_JOINED;
		else if (hs->state == MF_MH_HOST_DEAD)
			cmd[h] = MF_NL_CMD_HOST_LOST;
		mh->ev_state[h] = hs->state;
		mh->ev_epoch[h] = hs->epoch;
	}
	mf_mh_unlock(&m->lock);
	for (h = 0; send && h < n; h++)
		if (cmd[h])
			mf_nl_host_event(mh->pool, cmd[h], h, epoch[h]);
}

static u64 mf_mh_mgr_head(struct mf_mh_mgr *m)
{
	u64 head;

	mf_mh_lock(&m->lock);
	head = m->head;
	mf_mh_unlock(&m->lock);
	return head;
}

static void mf_mh_mgr_work(struct work_struct *work)
{
	struct mf_pool_mh *mh = container_of(to_delayed_work(work),
					     struct mf_pool_mh, mgr_work);
	u64 head = mf_mh_mgr_head(&mh->mgr);
	int ret;

	ret = mf_mh_mgr_poll(&mh->mgr, mf_mh_now());
	if (!ret)
		ret = mf_mh_mgr_tick(&mh->mgr, mf_mh_now());
	if (!ret)
		mf_mh_host_events(mh, true);
	/*
	 * Not under @lock: on the manager's host a request holds it while it
	 * waits for this worker's answer.
	 */
	if (ret) {
		mh->mgr_err = ret;
		pr_err("pool %s: the manager stops: error %d\n",
		       mh->pool->name, ret);
		return;
	}
	/* Adaptive: fast while records are committed, slower when idle. */
	if (mf_mh_mgr_head(&mh->mgr) != head)
		mh->mgr_ms = MF_MH_POLL_MIN_MS;
	else
		mh->mgr_ms = min(mh->mgr_ms * 2, MF_MH_POLL_MAX_MS);
	queue_delayed_work(system_unbound_wq, &mh->mgr_work,
			   msecs_to_jiffies(mh->mgr_ms));
}

/* ---- the member's worker ------------------------------------------------- */

/* Send a JOIN, or see its answer; returns the delay to the next step. */
static unsigned int mf_mh_join_step(struct mf_pool_mh *mh)
{
	struct mf_mh_reply r;
	int ret;

	lockdep_assert_held(&mh->lock);
	if (!mh->join_sent) {
		/* Nothing of the pool is mapped yet: drop every line. */
		mf_mh_rejoin_prepare(&mh->mb);
		/* The JOIN drops all the host had: nothing to settle. */
		mh->pend = false;
		mh->late_pub = false;
		ret = mf_mh_submit(&mh->mb, MF_MH_OP_JOIN, 0, 0, 0);
		if (ret) {
			pr_err("pool %s: host %u cannot send JOIN: error %d\n",
			       mh->pool->name, mh->host, ret);
			return mh->lease;
		}
		mh->join_sent = true;
		return MF_MH_JOIN_POLL_MS;
	}
	ret = mf_mh_poll(&mh->mb, &r);
	if (ret == -EAGAIN)
		return MF_MH_JOIN_POLL_MS;
	mh->join_sent = false;
	if (!ret)
		ret = mf_mh_join_done(&mh->mb, &r);
	if (ret) {
		pr_err("pool %s: host %u JOIN refused: error %d\n",
		       mh->pool->name, mh->host, ret);
		return mh->lease;
	}
	mh->joined = true;
	WRITE_ONCE(mh->live_epoch, r.epoch);
	mh->joins++;
	pr_info("pool %s: host %u joined, epoch %u\n", mh->pool->name,
		mh->host, r.epoch);
	/* The manager's host tells of every host (mf_mh_host_events()). */
	if (!mh->manager)
		mf_nl_host_event(mh->pool, MF_NL_CMD_HOST_JOINED, mh->host,
				 r.epoch);
	return 0;
}

/* A member given up by the manager says so (the manager's host did). */
static void mf_mh_lost_event(struct mf_pool_mh *mh)
{
	u32 epoch;

	mf_mh_lock(&mh->mb.lock);
	epoch = mh->mb.epoch;
	mf_mh_unlock(&mh->mb.lock);
	mf_nl_host_event(mh->pool, MF_NL_CMD_HOST_LOST, mh->host, epoch);
}

static void mf_mh_mb_work(struct work_struct *work)
{
	struct mf_pool_mh *mh = container_of(to_delayed_work(work),
					     struct mf_pool_mh, mb_work);
	void (*revoke)(struct mf_pool *pool);
	unsigned int delay = 0;
	int ret;

	mutex_lock(&mh->lock);
	if (mh->revoke) {
		/*
		 * Outside @lock: the revocation takes the object layer's
		 * locks, which a request holds while it takes @lock.  No
		 * request or JOIN runs meanwhile: the host is not joined,
		 * and only this worker joins.
		 */
		mutex_unlock(&mh->lock);
		revoke = READ_ONCE(mf_pool_mh_revoke_fn);
		if (revoke)
			revoke(mh->pool);
		mutex_lock(&mh->lock);
		mh->revoke = false;
		mh->revokes++;
	}
	if (!mh->joined)
		delay = mf_mh_join_step(mh);
	if (mh->joined && !delay) {
		ret = mf_mh_heartbeat(&mh->mb);
		if (ret == -ESTALE) {
			/* Given up: revoke, then rejoin, at once. */
			if (!mh->manager)
				mf_mh_lost_event(mh);
			mf_pool_mh_given_up(mh);
			delay = 0;
		} else {
			mh->beats++;
			mh->last_beat = jiffies;
			delay = max_t(u64, mh->lease / 8, 1);
		}
	}
	queue_delayed_work(system_unbound_wq, &mh->mb_work,
			   msecs_to_jiffies(delay));
	mutex_unlock(&mh->lock);
}

/* ---- start and stop ------------------------------------------------------ */

/* The geometry of a new pool on @bytes of device, or -ENOSPC. */
static int mf_mh_geometry(u64 bytes, u32 unit_shift, u32 nr_hosts,
			  struct mf_mh_geo *g)
{
	u64 data_off, units;

	g->nr_hosts = nr_hosts ?: MF_MH_MAX_HOSTS;
	g->log_entries = MF_MH_LOG_ENTRIES;
	g->dir_slots = MF_MH_DIR_SLOTS;
	g->unit_size = 1U << unit_shift;
	g->data_units = 1;
	data_off = mf_mh_data_off(g);
	if (data_off >= bytes)
		return -ENOSPC;
	units = (bytes - data_off) >> unit_shift;
	if (!units)
		return -ENOSPC;
	g->data_units = min_t(u64, units, U32_MAX);
	return 0;
}

/*
 * Is a manager running for the pool at @base as host @host?  Its own
 * member beats every lease / 8: watch its heartbeat line for four of
 * those.  Sleeps.
 */
static bool mf_mh_manager_alive(struct mf_pool_mh *mh, u32 host)
{
	struct mf_mh_member *tmp;
	bool alive = false;
	u64 beat;
	int ret;

	/* Two members' memory is too much for the stack. */
	tmp = kzalloc(sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return true;	/* refuse: better than a second manager */
	ret = mf_mh_attach(tmp, mh->pool->mh_base, host);
	beat = tmp->beat;
	mf_mh_lock_destroy(&tmp->lock);
	if (ret)
		goto out;
	msleep(mh->lease / 2 + MF_MH_POLL_MAX_MS);
	ret = mf_mh_attach(tmp, mh->pool->mh_base, host);
	alive = !ret && tmp->beat != beat;
	mf_mh_lock_destroy(&tmp->lock);
out:
	kfree(tmp);
	return alive;
}

/* The manager's side of the start: format or check, then rebuild. */
static int mf_mh_start_manager(struct mf_pool_mh *mh,
			       struct mf_pool_attach *arg)
{
	struct mf_pool *pool = mh->pool;
	struct mf_mh_geo g;
	u32 manager;
	int ret;

	ret = mf_mh_probe(pool->mh_base, &g, &manager);
	if (ret || (arg->flags & MF_POOL_FORMAT)) {
		if (!(arg->flags & MF_POOL_FORMAT) &&
		    memchr_inv(pool->mh_base, 0, MF_MH_BLANK_BYTES)) {
			pr_notice("pool %s: %s holds data that is not a multi-host pool; attach with MF_POOL_FORMAT to format it\n",
				  pool->name, pool->device);
			return -EMEDIUMTYPE;
		}
		ret = mf_mh_geometry(pool->mh_bytes, pool->unit_shift,
				     arg->nr_hosts, &g);
		if (ret)
			return ret;
		if (mh->host >= g.nr_hosts)
			return -EINVAL;
		ret = mf_mh_format(pool->mh_base, &g, mh->host);
		if (ret)
			return ret;
		arg->result |= MF_POOL_RESULT_FORMATTED;
		manager = mh->host;
	} else if (manager != mh->host) {
		pr_notice("pool %s: the manager of %s is host %u, not %u\n",
			  pool->name, pool->device, manager, mh->host);
		return -EBUSY;
	} else if (mf_mh_manager_alive(mh, manager)) {
		pr_notice("pool %s: another manager (host %u) is running on %s\n",
			  pool->name, manager, pool->device);
		return -EBUSY;
	}
	arg->nr_hosts = g.nr_hosts;
	ret = mf_mh_mgr_init(&mh->mgr, pool->mh_base, MF_MH_MAX_OBJS,
			     mf_mh_now(), mh->lease, mh_ttl_ms);
	if (ret)
		pr_err("pool %s: the manager cannot rebuild: error %d\n",
		       pool->name, ret);
	return ret;
}

/* A member's side: the pool must be there, and this host not its manager. */
static int mf_mh_start_member(struct mf_pool_mh *mh,
			      struct mf_pool_attach *arg)
{
	struct mf_pool *pool = mh->pool;
	struct mf_mh_geo g;
	u32 manager;

	if (mf_mh_probe(pool->mh_base, &g, &manager)) {
		pr_notice("pool %s: %s holds no multi-host pool: its manager formats it first\n",
			  pool->name, pool->device);
		return -EMEDIUMTYPE;
	}
	if (mh->host >= g.nr_hosts) {
		pr_notice("pool %s: host %u is not below the pool's %u hosts\n",
			  pool->name, mh->host, g.nr_hosts);
		return -EINVAL;
	}
	if (mh->host == manager) {
		pr_notice("pool %s: host %u is the pool's manager: attach it with MF_POOL_MH_MANAGER\n",
			  pool->name, mh->host);
		return -EBUSY;
	}
	arg->nr_hosts = g.nr_hosts;
	return 0;
}

/**
 * mf_pool_mh_start() - run the multi-host protocol on a new pool
 * @pool: made by the fsdax multi-host backend, not listed yet
 * @arg: the attach request, MF_POOL_MH_MANAGER or MF_POOL_MH_MEMBER set;
 *	->result and ->nr_hosts are set on success
 *
 * The manager formats the device (blank, or MF_POOL_FORMAT) or checks
 * that it is the device's manager and that no other manager runs, then
 * rebuilds its state from the device and starts serving.  A member
 * checks that the device holds a multi-host pool.  Both then start the
 * member's worker, which joins the pool and beats.
 *
 * Context: process context; mf_pools_lock held; may sleep for a lease.
 * Return: 0; -EINVAL bad host number or flags; -EMEDIUMTYPE the device
 * holds no multi-host pool (member) or other data (manager); -EBUSY
 * another host is the manager, or a manager runs; -EUCLEAN a corrupt
 * log; -ENOSPC the device is too small; -ENOMEM.
 */
int mf_pool_mh_start(struct mf_pool *pool, struct mf_pool_attach *arg)
{
	struct mf_pool_mh *mh;
	int ret;

	lockdep_assert_held(&mf_pools_lock);
	if (arg->host >= MF_MH_MAX_HOSTS || arg->nr_hosts > MF_MH_MAX_HOSTS ||
	    (arg->nr_hosts && !(arg->flags & MF_POOL_MH_MANAGER)))
		return -EINVAL;
	mh = kzalloc(sizeof(*mh), GFP_KERNEL);
	if (!mh)
		return -ENOMEM;
	mh->pool = pool;
	mh->host = arg->host;
	mh->manager = arg->flags & MF_POOL_MH_MANAGER;
	mh->lease = max(mh_lease_ms, 4U);
	mh->mgr_ms = MF_MH_POLL_MIN_MS;
	mutex_init(&mh->lock);
	INIT_DELAYED_WORK(&mh->mgr_work, mf_mh_mgr_work);
	INIT_DELAYED_WORK(&mh->mb_work, mf_mh_mb_work);

	ret = mh->manager ? mf_mh_start_manager(mh, arg) :
			    mf_mh_start_member(mh, arg);
	if (ret)
		goto err_free;
	ret = mf_mh_attach(&mh->mb, pool->mh_base, mh->host);
	if (ret) {
		mf_mh_lock_destroy(&mh->mb.lock);
		goto err_mgr;
	}
	pool->mh = mh;
	if (mh->manager) {
		/* The rebuilt state is no news. */
		mf_mh_host_events(mh, false);
		queue_delayed_work(system_unbound_wq, &mh->mgr_work, 0);
	}
	queue_delayed_work(system_unbound_wq, &mh->mb_work, 0);
	pr_info("pool %s: multi-host %s, host %u\n", pool->name,
		mh->manager ? "manager" : "member", mh->host);
	return 0;

err_mgr:
	if (mh->manager)
		mf_mh_mgr_fini(&mh->mgr);
err_free:
	mutex_destroy(&mh->lock);
	kfree(mh);
	return ret;
}

/*
 * A clean LEAVE of a member at detach: nothing of the pool is mapped any
 * more (the object layer has let go of the pool), so write back and drop
 * every line, and tell the manager, which drops the host's references and
 * private objects at once instead of after the lease.  Without an answer
 * in MF_MH_REQ_WAIT_MS the lease does it.  The manager's own host does
 * not: its manager stops with it, and rebuilds at the next attach.
 */
static void mf_mh_leave(struct mf_pool_mh *mh)
{
	struct mf_mh_reply r;
	int ret;

	mutex_lock(&mh->lock);
	if (mh->manager || !mh->joined)
		goto out;
	mf_mh_leave_prepare(&mh->mb);
	ret = mf_mh_submit(&mh->mb, MF_MH_OP_LEAVE, 0, 0, 0);
	if (!ret)
		ret = mf_pool_mh_wait(mh, &r, MF_MH_REQ_WAIT_MS) ?: r.status;
	mh->joined = false;
	WRITE_ONCE(mh->live_epoch, 0);
	if (ret)
		pr_notice("pool %s: host %u could not leave cleanly (error %d); the manager gives it up after its lease\n",
			  mh->pool->name, mh->host, ret);
	else
		pr_info("pool %s: host %u left\n", mh->pool->name, mh->host);
out:
	mutex_unlock(&mh->lock);
}

/**
 * mf_pool_mh_stop() - stop a multi-host pool's workers, free its state
 * @pool: the pool; a no-op for other pools
 *
 * A member tells the manager that it leaves (a clean LEAVE, after it
 * wrote back and dropped its caches), so that its references and private
 * objects go at once; if the manager does not answer in time, it gives
 * the host up when its lease runs out, as for a crash.
 *
 * Context: process context; the pool is unlisted and out of sysfs, and
 * its object layer is gone.
 */
void mf_pool_mh_stop(struct mf_pool *pool)
{
	struct mf_pool_mh *mh = pool->mh;

	if (!mh)
		return;
	/* Both works requeue themselves; _sync stops that. */
	cancel_delayed_work_sync(&mh->mb_work);
	mf_mh_leave(mh);
	if (mh->manager) {
		cancel_delayed_work_sync(&mh->mgr_work);
		mf_mh_mgr_fini(&mh->mgr);
	}
	mf_mh_lock_destroy(&mh->mb.lock);
	mutex_destroy(&mh->lock);
	pool->mh = NULL;
	kfree(mh);
}

/**
 * mf_pool_mh_set_revoke() - name the object layer's revocation
 * @fn: called by a member's worker, with no lock held, when the manager
 *	has given the host up and before it rejoins: it must revoke every
 *	user mapping of the pool's objects
 *
 * Context: module init, before any pool exists.
 */
void mf_pool_mh_set_revoke(void (*fn)(struct mf_pool *pool))
{
	WRITE_ONCE(mf_pool_mh_revoke_fn, fn);
}

/**
 * mf_pool_mh_stats_show() - the mh_stats file of a multi-host pool
 * @pool: the pool
 * @buf: the sysfs page
 *
 * "requests N": requests the object layer sent from this host, "epoch N"
 * (0: not joined), "given_up N" (times the manager gave this host up) and
 * "revoked N" (revocations of its mappings), "lookups N" and
 * "dir_reads N" (lookups by name in the directory, and the slots they
 * read); on the manager also
 * "objects N", "used_units N", "quarantined_units N", "leases_expired N"
 * and "stale_refused N" (requests refused for an old epoch).
 *
 * Context: sysfs show(); takes the pool's and the manager's lock.
 * Return: the bytes written; nothing for a single-host pool.
 */
ssize_t mf_pool_mh_stats_show(struct mf_pool *pool, char *buf)
{
	struct mf_pool_mh *mh = pool->mh;
	struct mf_mh_mgr *m;
	u64 used = 0, quar = 0;
	ssize_t len;
	u32 u;

	if (!mh)
		return 0;
	mutex_lock(&mh->lock);
	len = sysfs_emit(buf, "requests %llu\nepoch %u\ngiven_up %llu\n",
			 mh->requests, mh->live_epoch, mh->given_up);
	len += sysfs_emit_at(buf, len,
			     "revoked %llu\ntimeouts %llu\nundone %llu\npending %u\n",
			     mh->revokes, mh->timeouts, mh->undone,
			     mh->pend + mh->late_pub);
	mutex_unlock(&mh->lock);
	len += sysfs_emit_at(buf, len, "lookups %lld\ndir_reads %lld\n",
			     (s64)atomic64_read(&mh->lookups),
			     (s64)atomic64_read(&mh->dir_reads));
	if (!mh->manager)
		return len;
	m = &mh->mgr;
	mf_mh_lock(&m->lock);
	for (u = 0; u < m->geo.data_units; u++) {
		used += !!m->used[u];
		quar += !!m->qmask[u];
	}
	len += sysfs_emit_at(buf, len,
			     "objects %u\nused_units %llu\nquarantined_units %llu\nleases_expired %llu\nstale_refused %llu\n",
			     m->nr_objs, used, quar, m->nr_expired,
			     m->nr_stale);
	mf_mh_unlock(&m->lock);
	return len;
}

/* ---- sysfs --------------------------------------------------------------- */

static const char *mf_mh_state_name(u8 state)
{
	switch (state) {
	case MF_MH_HOST_JOINED:
		return "JOINED";
	case MF_MH_HOST_DEAD:
		return "DEAD";
	}
	return "NONE";
}

/* The published objects host @h holds a reference to; @m->lock held. */
static u32 mf_mh_refs_of(const struct mf_mh_mgr *m, u32 h)
{
	u32 i, n = 0;

	mf_mh_lock_held(&m->lock);
	for (i = 0; i < m->nr_objs; i++)
		n += !!(m->objs[i].refs & BIT(h));
	return n;
}

/**
 * mf_pool_mh_hosts_show() - the hosts file of a multi-host pool
 * @pool: the pool
 * @buf: the sysfs page
 *
 * On the manager, one line per host the manager knows: "HOST STATE
 * EPOCH BEAT AGE_MS ROLE REFS", AGE_MS the time since the manager saw
 * its beat change, ROLE "manager" or "member", REFS the published
 * objects the host holds a reference to.  On a member, its own line
 * only, as it knows it: REFS is "-" (the manager's host knows it).
 *
 * Context: sysfs show(); takes the manager's or the member's lock.
 * Return: the bytes written; nothing for a single-host pool.
 */
ssize_t mf_pool_mh_hosts_show(struct mf_pool *pool, char *buf)
{
	struct mf_pool_mh *mh = pool->mh;
	const struct mf_mh_hoststate *hs;
	struct mf_mh_mgr *m;
	ssize_t len = 0;
	u64 now, beats;
	u32 h, epoch;
	bool joined;

	if (!mh)
		return 0;
	if (mh->manager) {
		m = &mh->mgr;
		mf_mh_lock(&m->lock);
		now = m->now;
		for (h = 0; h < m->geo.nr_hosts; h++) {
			hs = &m->host[h];
			if (hs->state == MF_MH_HOST_NONE)
				continue;
			len += sysfs_emit_at(buf, len, "%u %s %u %llu %llu %s %u\n",
					     h, mf_mh_state_name(hs->state),
					     hs->epoch, hs->beat,
					     now > hs->seen ? now - hs->seen : 0,
					     h == m->self ? "manager" : "member",
					     mf_mh_refs_of(m, h));
		}
		mf_mh_unlock(&m->lock);
		return len;
	}
	mf_mh_lock(&mh->mb.lock);
	epoch = mh->mb.epoch;
	mf_mh_unlock(&mh->mb.lock);
	mutex_lock(&mh->lock);
	joined = mh->joined;
	beats = mh->beats;
	now = jiffies_to_msecs(jiffies - mh->last_beat);
	mutex_unlock(&mh->lock);
	return sysfs_emit(buf, "%u %s %u %llu %llu member -\n", mh->host,
			  joined ? "JOINED" : "NONE", epoch, beats,
			  beats ? now : 0);
}

/**
 * mf_pool_mh_holders() - the hosts holding a reference to an object
 * @pool: a multi-host pool
 * @id: the object's protocol id
 * @held: this host holds a reference to it (a published or remote
 *	object of its object layer)
 *
 * The manager's host answers from the manager's reference masks, which
 * are the cluster's; a member's host knows only its own reference.
 *
 * Context: process context; takes the manager's lock.
 * Return: a mask, bit h for host h.
 */
u32 mf_pool_mh_holders(struct mf_pool *pool, u64 id, bool held)
{
	struct mf_pool_mh *mh = pool->mh;
	const struct mf_mh_obj *o;
	u32 mask = 0;

	if (!mh)
		return 0;
	if (!mh->manager)
		return held ? BIT(mh->host) : 0;
	mf_mh_lock(&mh->mgr.lock);
	o = mf_mh_mgr_find(&mh->mgr, id);
	if (o)
		mask = o->refs;
	mf_mh_unlock(&mh->mgr.lock);
	return mask;
}

/**
 * mf_pool_mh_role_show() - the role file: "manager N", "member N", "none"
 * @pool: the pool
 * @buf: the sysfs page
 *
 * Context: sysfs show().
 * Return: the bytes written.
 */
ssize_t mf_pool_mh_role_show(struct mf_pool *pool, char *buf)
{
	struct mf_pool_mh *mh = pool->mh;

	if (!mh)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%s %u\n", mh->manager ? "manager" : "member",
			  mh->host);
}
