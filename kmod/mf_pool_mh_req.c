// SPDX-License-Identifier: GPL-2.0
/*
 * mf_pool_mh_req.c - the object layer's requests to a multi-host pool's
 * manager (Documentation/multihost.md, "Requests from the object layer"):
 * one at a time per host, under the pool's mf_pool_mh.lock, through the
 * member's request line, each waiting MF_MH_REQ_WAIT_MS at most.
 *
 * A request that timed out stays in the line: a manager that comes back
 * (restarted, rebuilt) may still serve it.  Before the next request,
 * mf_pool_mh_settle() waits for that late answer and undoes what the
 * object layer never learnt of (an object, a reference), or remembers a
 * late publish for the object's next PUBLISH or FREE.  An answer of
 * -ESTALE means the manager gave the host up: mf_pool_mh_given_up() kills
 * the epoch's objects and the member's worker revokes their mappings,
 * then rejoins.
 *
 * Called by mf_obj_mh.c and mf_obj_mh_get.c (the object layer above) and
 * by mf_pool_mh.c's worker and stop; calls only the protocol core.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "mf_pool_mh_int.h"

/**
 * mf_pool_mh_given_up() - the manager has given this host up
 * @mh: the pool's state
 *
 * A lease expired (a heartbeat or an answer said -ESTALE): the epoch's
 * objects are dead from now on (mf_pool_mh_epoch() reads 0), and their
 * mappings go before the host rejoins (@mh->revoke, for the member's
 * worker).
 *
 * Context: @mh->lock held.
 */
void mf_pool_mh_given_up(struct mf_pool_mh *mh)
{
	lockdep_assert_held(&mh->lock);
	if (!mh->joined)
		return;
	mh->joined = false;
	/* Pairs with READ_ONCE() in mf_pool_mh_epoch(). */
	WRITE_ONCE(mh->live_epoch, 0);
	mh->revoke = true;
	mh->given_up++;
	pr_warn("pool %s: host %u was given up by the manager; its mappings of the pool are revoked, then it rejoins\n",
		mh->pool->name, mh->host);
}

/**
 * mf_pool_mh_member() - this host's membership in a multi-host pool
 * @pool: the pool
 *
 * For mf_mh_lookup(), the directory and the cache work around objects
 * (mf_obj_mh.c); those take the member's own lock where they need it.
 *
 * Context: the pool is live (its object layer holds it).
 * Return: the member, or NULL for a pool that is not multi-host.
 */
struct mf_mh_member *mf_pool_mh_member(struct mf_pool *pool)
{
	return pool->mh ? &pool->mh->mb : NULL;
}

/**
 * mf_pool_mh_wait() - poll for the answer to this host's request in flight
 * @mh: the pool's state
 * @r: the answer
 * @ms: for up to this long
 *
 * Context: @mh->lock held; sleeps.
 * Return: 0 (@r filled, its status is the manager's), -ETIMEDOUT, or the
 * member's error.
 */
int mf_pool_mh_wait(struct mf_pool_mh *mh, struct mf_mh_reply *r,
		    unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);
	int ret;

	lockdep_assert_held(&mh->lock);
	for (;;) {
		ret = mf_mh_poll(&mh->mb, r);
		if (ret != -EAGAIN)
			return ret;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(500, 1000);
	}
}

/*
 * Submit a request and wait for its answer.  On a timeout the request
 * stays in the line, pending: the manager (restarted, say) may still
 * serve it, and mf_pool_mh_settle() sees to its answer before the next
 * request.
 */
static int mf_pool_mh_xchg(struct mf_pool_mh *mh, u16 op, u64 id, u64 arg,
			   u32 gen, struct mf_mh_reply *r)
{
	int ret;

	lockdep_assert_held(&mh->lock);
	ret = mf_mh_submit(&mh->mb, op, id, arg, gen);
	if (ret)
		return ret == -ESTALE ? -EAGAIN : ret;
	mh->requests++;
	ret = mf_pool_mh_wait(mh, r, MF_MH_REQ_WAIT_MS);
	if (ret == -ETIMEDOUT) {
		mh->pend = true;
		mh->pend_op = op;
		mh->timeouts++;
		return ret;
	}
	if (r->status == -ESTALE) {
		/* Given up: the worker revokes and rejoins at once. */
		mf_pool_mh_given_up(mh);
		mod_delayed_work(system_unbound_wq, &mh->mb_work, 0);
		return -EAGAIN;
	}
	return r->status;
}

/*
 * The answer to a request that timed out: wait for it (bounded), then
 * undo what the object layer does not know about.  ALLOC and DERIVE
 * made an object nobody has: FREE it (this host never wrote to it).
 * GET took a reference no object has: PUT it.  A PUBLISH cannot be
 * undone: it is remembered for the object's next PUBLISH (answered with
 * it) or FREE (a PUT of the owner's reference instead).  FREE and PUT
 * did what was asked.  An EXPAND leaves the object's units beyond its
 * name block's size, unmapped, until FREE or an EXPAND that adopts them
 * (mf_obj_mh_expand()).  Returns 0 when nothing is pending any more.
 */
static int mf_pool_mh_settle(struct mf_pool_mh *mh)
{
	struct mf_mh_reply r;
	u16 op;
	int ret;

	lockdep_assert_held(&mh->lock);
	while (mh->pend) {
		ret = mf_pool_mh_wait(mh, &r, MF_MH_REQ_WAIT_MS);
		if (ret)
			return ret;
		mh->pend = false;
		if (r.status == -ESTALE) {
			mf_pool_mh_given_up(mh);
			mod_delayed_work(system_unbound_wq, &mh->mb_work, 0);
			return -EAGAIN;
		}
		if (r.status)
			continue;
		switch (mh->pend_op) {
		case MF_MH_OP_ALLOC:
		case MF_MH_OP_DERIVE:
			op = MF_MH_OP_FREE;
			break;
		case MF_MH_OP_GET:
			op = MF_MH_OP_PUT;
			break;
		case MF_MH_OP_PUBLISH:
			mh->late = r;
			mh->late_pub = true;
			continue;
		default:
			continue;
		}
		mh->undone++;
		pr_info("pool %s: host %u: the manager served a request that had timed out; undoing it (%s of object %llu)\n",
			mh->pool->name, mh->host,
			op == MF_MH_OP_FREE ? "FREE" : "PUT", r.id);
		ret = mf_pool_mh_xchg(mh, op, r.id, 0, r.gen, &r);
		if (ret == -ETIMEDOUT || ret == -EAGAIN)
			return ret;
	}
	return 0;
}

/**
 * mf_pool_mh_epoch() - the epoch under which this host is a member
 * @pool: the pool
 *
 * An object of a multi-host pool is alive while the epoch its host held
 * when the manager made or gave it is this one (mf_obj_mh_dead()).
 *
 * Context: any; lock-free.
 * Return: the epoch, or 0 while the host is not joined (given up and not
 * rejoined yet, or not a multi-host pool).
 */
u32 mf_pool_mh_epoch(struct mf_pool *pool)
{
	return pool->mh ? READ_ONCE(pool->mh->live_epoch) : 0;
}

/**
 * mf_pool_mh_lookup_count() - count a lookup by name in the directory
 * @pool: a multi-host pool
 * @reads: the directory slots it read (mf_mh_lookup())
 *
 * For mh_stats' "lookups" and "dir_reads".
 *
 * Context: any; lock-free.
 */
void mf_pool_mh_lookup_count(struct mf_pool *pool, u32 reads)
{
	if (!pool->mh)
		return;
	atomic64_inc(&pool->mh->lookups);
	atomic64_add(reads, &pool->mh->dir_reads);
}

/**
 * mf_pool_mh_request() - send a request to the manager and wait for it
 * @pool: a multi-host pool
 * @op: MF_MH_OP_ALLOC, _DERIVE, _PUBLISH, _GET, _PUT, _FREE or _EXPAND
 * @id: the object
 * @arg: the size (ALLOC), the name's hash (PUBLISH), the new size (EXPAND)
 * @gen: the generation (GET)
 * @r: out: the answer
 *
 * Holds the pool's @lock for the whole exchange: that keeps the one
 * request per host in flight, the member's worker's JOIN included.  The
 * heartbeats wait meanwhile, for at most twice MF_MH_REQ_WAIT_MS, within
 * a lease.
 *
 * While the manager is down (killed, restarting) a request fails after
 * MF_MH_REQ_WAIT_MS with -ETIMEDOUT, and stays pending in the request
 * line: the rebuilt manager serves it.  The next request first waits
 * for that answer, again bounded (-ETIMEDOUT, nothing new sent), and
 * undoes what the caller was told had failed (mf_pool_mh_settle()), so
 * a request that failed leaves nothing behind at the manager
 * (multihost.md, "The manager restarts").
 *
 * Context: process context; sleeps.
 * Return: 0 (@r filled); the manager's refusal as a negative errno;
 * -ENODEV not a multi-host pool; -EAGAIN the host has not joined yet or
 * was given up; -ETIMEDOUT no answer in time (the manager is down).
 */
int mf_pool_mh_request(struct mf_pool *pool, u16 op, u64 id, u64 arg,
		       u32 gen, struct mf_mh_reply *r)
{
	struct mf_pool_mh *mh = pool->mh;
	int ret;

	if (!mh)
		return -ENODEV;
	mutex_lock(&mh->lock);
	if (!mh->joined) {
		ret = -EAGAIN;
		goto out;
	}
	ret = mf_pool_mh_settle(mh);
	if (ret)
		goto out;
	if (mh->late_pub && mh->late.id == id) {
		if (op == MF_MH_OP_PUBLISH) {
			/* Published already: this is its answer. */
			mh->late_pub = false;
			*r = mh->late;
			goto out;
		}
		if (op == MF_MH_OP_FREE) {
			/* The owner's reference is all there is to give. */
			mh->late_pub = false;
			op = MF_MH_OP_PUT;
			gen = mh->late.gen;
		}
	}
	ret = mf_pool_mh_xchg(mh, op, id, arg, gen, r);
out:
	mutex_unlock(&mh->lock);
	return ret;
}
