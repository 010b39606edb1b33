// SPDX-License-Identifier: GPL-2.0
/*
 * mf_mh_lease.c - leases and membership of a multi-host pool, on both
 * sides: the manager's tick (leases, then deletion by age), a member's
 * heartbeat, and rejoining.
 *
 * A host is a member while its epoch is current.  The manager judges
 * leases by its own clock only, so no clocks are compared across hosts:
 * when a joined host's heartbeat line has not changed for more than the
 * lease, the manager commits LEAVE with the next epoch.  Its references
 * are dropped and its private objects are deleted into quarantine
 * (mf_mh_state.c), and its response slot is rewritten with -ESTALE and the
 * new epoch.
 *
 * A member reads its response slot before each beat.  When the epoch there
 * is not its own, it has been given up and must rejoin: in the kernel its
 * objects of the old epoch are dead from then on, their mappings revoked
 * and faulting (mf_pool_mh.c, mf_mapping_revoke_pool()).  A zombie
 * (a host paused past its lease) still beats and asks with the old epoch;
 * the manager ignores its beats and refuses its requests, and its dirty
 * lines can land only on quarantined units.
 *
 * Rejoining: the host drops its mappings, writes back and drops every line
 * of its caches (mf_mh_rejoin_prepare()), and only then sends JOIN, which
 * the manager commits with epoch + 1: the host's old references and
 * private objects go without quarantine, and its bit leaves every
 * quarantine mask.
 *
 * Leaving: a host that detaches the pool writes back and drops its caches
 * the same way (mf_mh_leave_prepare()) and sends LEAVE under its epoch;
 * the manager commits a clean LEAVE record: the host's references and
 * private objects go at once, without quarantine, instead of after its
 * lease.
 *
 * Locking: mf_mh_mgr_tick() takes the manager's lock, and its helpers
 * assert it; the member calls take the member's lock.  They are different
 * locks (and lockdep classes): on the manager's host both exist, and
 * neither is taken inside the other.
 */
#include "mf_mh_int.h"

/*
 * The manager's side of the leases: a joined host whose heartbeat line has
 * not changed for more than the lease, on the manager's own clock, is
 * given up: LEAVE is committed with the next epoch, and the host is told
 * in its response slot.  A beat with an old epoch (a zombie's) or a bad
 * checksum does not count.
 */
static int mf_mh_leases(struct mf_mh_mgr *m)
{
	struct mf_mh_hoststate *hs;
	struct mf_mh_rec r;
	struct mf_mh_hb hb;
	u32 h;
	u8 *p;
	int ret;

	mf_mh_lock_held(&m->lock);
	for (h = 0; h < m->geo.nr_hosts; h++) {
		hs = &m->host[h];
		if (h == m->self || hs->state != MF_MH_HOST_JOINED)
			continue;
		p = mf_mh_host_ptr(m->base, h) + MF_MH_HB;
		mf_mh_inval(MF_MH_S_HB_INVAL, p, sizeof(hb));
		mf_mh_ld(&hb, p, sizeof(hb));
		if (le32_to_cpu(hb.crc) == mf_mh_crc_of(&hb, sizeof(hb)) &&
		    le16_to_cpu(hb.host) == h &&
		    le32_to_cpu(hb.epoch) == hs->epoch &&
		    le64_to_cpu(hb.beat) != hs->beat) {
			hs->beat = le64_to_cpu(hb.beat);
			hs->seen = m->now;
		}
		if (m->now - hs->seen <= m->lease)
			continue;
		memset(&r, 0, sizeof(r));
		r.type = MF_MH_REC_LEAVE;
		r.host = (u16)h;
		r.epoch = hs->epoch + 1;
		ret = mf_mh_commit(m, &r);
		if (ret)
			return ret;
		m->nr_expired++;
		/* Tell the host, which checks at each heartbeat. */
		mf_mh_resp_put(m, h, hs->resp_seq, -ESTALE, &r);
	}
	return 0;
}

/*
 * Heartbeats and leases, then seed 001's deletion by refcount and age
 * (mf_mh_mgr_reap()); takes @m->lock.
 */
int mf_mh_mgr_tick(struct mf_mh_mgr *m, u64 now)
{
	int ret;

	mf_mh_lock(&m->lock);
	m->now = now;
	ret = mf_mh_leases(m);
	if (!ret)
		ret = mf_mh_mgr_reap(m);
	mf_mh_unlock(&m->lock);
	return ret;
}

/* ---- members ---- */

/*
 * Beat, after checking that the manager has not given this host up: its
 * response slot carries the host's epoch.  -ESTALE: it must rejoin (and
 * its mappings of the pool must fault until it has).  Takes @mb->lock.
 */
int mf_mh_heartbeat(struct mf_mh_member *mb)
{
	u8 *p = mf_mh_host_ptr(mb->base, mb->host) + MF_MH_HB;
	u8 *rp = mf_mh_host_ptr(mb->base, mb->host) + MF_MH_RESP;
	struct mf_mh_resp rs;
	struct mf_mh_hb hb;
	int ret = -ESTALE;

	mf_mh_lock(&mb->lock);
	if (!mb->joined)
		goto out;
	mf_mh_inval(MF_MH_S_EPOCH_INVAL, rp, sizeof(rs));
	mf_mh_ld(&rs, rp, sizeof(rs));
	if (le32_to_cpu(rs.crc) == mf_mh_crc_of(&rs, sizeof(rs)) &&
	    le32_to_cpu(rs.epoch) != mb->epoch) {
		mb->joined = false;
		goto out;
	}
	memset(&hb, 0, sizeof(hb));
	hb.beat = cpu_to_le64(++mb->beat);
	hb.epoch = cpu_to_le32(mb->epoch);
	hb.host = cpu_to_le16(mb->host);
	hb.crc = cpu_to_le32(mf_mh_crc_of(&hb, sizeof(hb)));
	mf_mh_st(p, &hb, sizeof(hb));
	mf_mh_wb(MF_MH_S_HB_WB, p, sizeof(hb));
	mf_mh_fence(MF_MH_S_HB_FENCE);
	ret = 0;
out:
	mf_mh_unlock(&mb->lock);
	return ret;
}

/*
 * Before a JOIN: mappings are gone; write back and drop every line, so
 * that the manager can release what was quarantined for this host.
 * Takes @mb->lock.
 */
void mf_mh_rejoin_prepare(struct mf_mh_member *mb)
{
	mf_mh_lock(&mb->lock);
	mf_mh_wbinval_all(MF_MH_S_REJOIN_WBINV);
	memset(mb->seen, 0, sizeof(mb->seen));
	mb->joined = false;
	mf_mh_unlock(&mb->lock);
}

/*
 * Before a clean LEAVE, when the pool is detached: nothing of the pool is
 * mapped any more; write back and drop every line, so that the manager
 * can free the host's private objects at once, without quarantine.  The
 * host stays joined until the manager has answered.  Takes @mb->lock.
 */
void mf_mh_leave_prepare(struct mf_mh_member *mb)
{
	mf_mh_lock(&mb->lock);
	mf_mh_wbinval_all(MF_MH_S_LEAVE_WBINV);
	memset(mb->seen, 0, sizeof(mb->seen));
	mf_mh_unlock(&mb->lock);
}

/*
 * The answer @r to a JOIN was read: the host is a member again, under the
 * new epoch.  Takes @mb->lock.
 */
int mf_mh_join_done(struct mf_mh_member *mb, const struct mf_mh_reply *r)
{
	if (r->status)
		return r->status;
	mf_mh_lock(&mb->lock);
	mb->epoch = r->epoch;
	mb->joined = true;
	mf_mh_unlock(&mb->lock);
	return 0;
}
