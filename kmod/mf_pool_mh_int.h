/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_pool_mh_int.h - private to mf_pool_mh.c (the multi-host pool's
 * start, stop, workers and sysfs files) and mf_pool_mh_req.c (the object
 * layer's requests to the manager): a multi-host pool's state on this
 * host.  Nothing else includes it; the rest of the module goes through
 * mf_pool.h.
 */
#ifndef MF_POOL_MH_INT_H
#define MF_POOL_MH_INT_H

#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "mf_mh.h"
#include "mf_pool.h"

/* How long a request waits for the manager's answer, at most. */
#define MF_MH_REQ_WAIT_MS	2000

/**
 * struct mf_pool_mh - a multi-host pool's state on this host
 * @pool: the pool (its @mh_base is the device)
 * @host: this host's number; set at start
 * @manager: this host is the pool's manager; set at start
 * @lease: the lease in ms, mh_lease_ms at start
 * @mgr: the manager (when @manager); its own lock guards it
 * @mb: this host as a member; its own lock guards it
 * @mgr_work: the manager's worker; it alone calls into @mgr besides the
 *	sysfs reader, which takes @mgr's lock
 * @mb_work: the member's worker; it alone submits and polls on @mb
 * @mgr_ms: the manager's current polling interval; the manager's worker
 *	alone uses it (a work item never runs twice at once), never under
 *	@lock, which a request on the manager's host holds while it waits
 *	for that worker's answer
 * @mgr_err: the manager's last error (0: none); it stops on one; as
 *	@mgr_ms
 * @ev_state: each host's state when the manager's worker last looked
 *	(netlink host events); as @mgr_ms
 * @ev_epoch: each host's epoch then, likewise
 * @lock: guards the fields below, which the member's worker writes and
 *	sysfs reads
 * @joined: the member's worker has seen the answer to its JOIN and the
 *	manager has not given the host up since
 * @live_epoch: the epoch of @joined, 0 when not joined; written under
 *	@lock, read with READ_ONCE() by mf_pool_mh_epoch()
 * @revoke: the host was given up: the user mappings of the pool's objects
 *	must be revoked before it rejoins
 * @join_sent: a JOIN is in flight
 * @beats: heartbeats written since start
 * @last_beat: jiffies of the last one
 * @joins: JOINs answered since start
 * @requests: requests the object layer sent (mf_pool_mh_request())
 * @given_up: times this host found itself given up by the manager
 * @revokes: revocations of the pool's mappings done
 * @pend: a request timed out and its answer is still to be seen
 *	(mf_pool_mh_settle()); the request line still holds it
 * @pend_op: its op
 * @late_pub: a PUBLISH that timed out was served later: the object is
 *	published at the manager while the object layer believes it
 *	private (mf_pool_mh_request() answers its next PUBLISH or FREE)
 * @late: the answer to that PUBLISH
 * @timeouts: requests that timed out
 * @undone: answers to timed-out requests that were undone (FREE, PUT)
 * @lookups: lookups by name in the directory (first gets); atomic, no lock
 * @dir_reads: the directory slots they read; atomic, no lock
 */
struct mf_pool_mh {
	struct mf_pool *pool;
	u32 host;
	bool manager;
	u64 lease;
	struct mf_mh_mgr mgr;
	struct mf_mh_member mb;
	struct delayed_work mgr_work;
	struct delayed_work mb_work;
	unsigned int mgr_ms;
	int mgr_err;
	u8 ev_state[MF_MH_MAX_HOSTS];
	u32 ev_epoch[MF_MH_MAX_HOSTS];
	struct mutex lock;	/* see @lock above */
	bool joined;
	u32 live_epoch;
	bool revoke;
	bool join_sent;
	u64 beats;
	unsigned long last_beat;
	u64 joins;
	u64 requests;
	u64 given_up;
	u64 revokes;
	bool pend;
	u16 pend_op;
	bool late_pub;
	struct mf_mh_reply late;
	u64 timeouts;
	u64 undone;
	atomic64_t lookups;
	atomic64_t dir_reads;
};

void mf_pool_mh_given_up(struct mf_pool_mh *mh);
int mf_pool_mh_wait(struct mf_pool_mh *mh, struct mf_mh_reply *r,
		    unsigned int ms);

#endif /* MF_POOL_MH_INT_H */
