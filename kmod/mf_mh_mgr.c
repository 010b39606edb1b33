// SPDX-License-Identifier: GPL-2.0
/*
 * mf_mh_mgr.c - the manager of a multi-host pool: it commits records to
 * the log, serves the members' requests, deletes published objects by
 * reference count and age (seed 001), and rebuilds its state from the
 * device when it starts.
 *
 * Committing a record (mf_mh_commit()):
 *  1. the entry is written, written back and fenced, so that it is on the
 *     device before the head that commits it;
 *  2. the head (count + 1) is written, written back and fenced: the record
 *     is committed before anything depends on it;
 *  3. mf_mh_apply() (mf_mh_state.c) updates DRAM;
 *  4. a publish, or the deletion of a published object, rewrites its
 *     directory slot, written back and fenced: every member's lookup then
 *     agrees with the manager;
 *  5. the caller writes the response, written back and fenced: a member
 *     sees success only for a committed record.
 * At rebuild an entry below the head that fails its checksum or sequence
 * is corruption (-EUCLEAN), never a torn append, because of step 1's fence.
 *
 * Serving a mailbox (mf_mh_serve()): the request line is invalidated and
 * copied into local memory once; every check runs on that copy, so a
 * member that rewrites its line meanwhile changes nothing.  The checks:
 * crc32c and host (else the line is ignored and counted in nr_garbage),
 * sequence (an equal one was already answered, or committed and not yet
 * answered: it is answered from the logged record, never run twice), epoch
 * (else -ESTALE), then every bound of the op (mf_mh_exec()).  A member can
 * make its own requests fail, never the manager's metadata inconsistent.
 *
 * Rebuild (mf_mh_mgr_init()): the log is replayed up to the head, what was
 * answered is learned from the response slots, the whole directory is
 * rewritten, dead hosts are told -ESTALE again, and every host gets a full
 * lease from the rebuild's time.
 *
 * The manager alone writes the superblock, the log and its head, the
 * directory and every host's response slot.  Allocation here is a first
 * fit over the units that are neither used nor quarantined.
 *
 * Locking (struct mf_mh_mgr in mf_mh.h): m->lock serializes the manager.
 * mf_mh_mgr_poll() and mf_mh_mgr_tick() take it; every helper that reads
 * or changes the state, or writes a metadata line, asserts it, so that the
 * manager's host is the single writer of those lines in fact.
 * mf_mh_mgr_init() sets it up and holds it for the rebuild;
 * mf_mh_mgr_fini() runs when nobody else uses the manager.
 */
#include "mf_mh_int.h"

/* ---- device writes ---- */

static void mf_mh_head_put(struct mf_mh_mgr *m, u64 seq)
{
	struct mf_mh_head hd;
	u8 *p = m->base + MF_MH_HEAD_OFF;

	mf_mh_lock_held(&m->lock);
	memset(&hd, 0, sizeof(hd));
	hd.seq = cpu_to_le64(seq);
	hd.crc = cpu_to_le32(mf_mh_crc_of(&hd, sizeof(hd)));
	mf_mh_st(p, &hd, sizeof(hd));
	mf_mh_wb(MF_MH_S_LOG_HEAD_WB, p, sizeof(hd));
	mf_mh_fence(MF_MH_S_LOG_HEAD_FENCE);
}

/*
 * Commit a record: entry, write back, fence; then the head, write back,
 * fence.  Only then is it applied and answered.
 */
static int mf_mh_log_append(struct mf_mh_mgr *m, struct mf_mh_rec *r)
{
	struct mf_mh_entry e;
	u8 *p;

	mf_mh_lock_held(&m->lock);
	if (m->head >= m->geo.log_entries)
		return -ENOSPC;
	r->seq = m->head + 1;
	mf_mh_rec_encode(r, &e);
	p = mf_mh_log_ptr(m->base, &m->geo, m->head);
	mf_mh_st(p, &e, sizeof(e));
	mf_mh_wb(MF_MH_S_LOG_ENT_WB, p, sizeof(e));
	mf_mh_fence(MF_MH_S_LOG_ENT_FENCE);
	mf_mh_head_put(m, m->head + 1);
	m->head++;
	return 0;
}

/* Write directory slot @s from the DRAM state (@o: its object, if any). */
static void mf_mh_dir_put(struct mf_mh_mgr *m, u32 s, const struct mf_mh_obj *o)
{
	struct mf_mh_dirent d;
	u8 *p = mf_mh_dir_ptr(m->base, &m->geo, s);
	u16 i;

	mf_mh_lock_held(&m->lock);
	memset(&d, 0, sizeof(d));
	d.state = cpu_to_le16(m->dirstate[s]);
	if (o && m->dirstate[s] == MF_MH_DIR_PUB) {
		d.id = cpu_to_le64(o->id);
		d.size = cpu_to_le64(o->size);
		d.gen = cpu_to_le32(o->gen);
		d.owner = cpu_to_le32(o->owner);
		d.name = cpu_to_le64(o->name);
		d.nr_ext = cpu_to_le16(o->nr_ext);
		for (i = 0; i < o->nr_ext; i++) {
			d.ext[i].start = cpu_to_le32(o->ext[i].start);
			d.ext[i].len = cpu_to_le32(o->ext[i].len);
		}
	}
	d.seq = cpu_to_le64(m->head);
	d.crc = cpu_to_le32(mf_mh_crc_of(&d, sizeof(d)));
	mf_mh_st(p, &d, sizeof(d));
	mf_mh_wb(MF_MH_S_DIR_WB, p, sizeof(d));
}

void mf_mh_resp_put(struct mf_mh_mgr *m, u32 h, u64 seq, int status,
		    const struct mf_mh_rec *r)
{
	struct mf_mh_resp rs;
	u8 *p = mf_mh_host_ptr(m->base, h) + MF_MH_RESP;
	u16 i;

	mf_mh_lock_held(&m->lock);
	memset(&rs, 0, sizeof(rs));
	rs.seq = cpu_to_le64(seq);
	rs.epoch = cpu_to_le32(m->host[h].epoch);
	rs.status = cpu_to_le32((u32)-status);
	if (!status) {
		rs.id = cpu_to_le64(r->id);
		rs.gen = cpu_to_le32(r->gen);
		/* An answer without a record: an EXPAND already done. */
		if (r->type == MF_MH_REC_CREATE ||
		    r->type == MF_MH_REC_EXTEND || !r->type)
			rs.size = cpu_to_le64(r->a);
		rs.nr_ext = cpu_to_le16(r->nr_ext);
		for (i = 0; i < r->nr_ext; i++) {
			rs.ext[i].start = cpu_to_le32(r->ext[i].start);
			rs.ext[i].len = cpu_to_le32(r->ext[i].len);
		}
	}
	rs.crc = cpu_to_le32(mf_mh_crc_of(&rs, sizeof(rs)));
	mf_mh_st(p, &rs, sizeof(rs));
	mf_mh_wb(MF_MH_S_RESP_WB, p, sizeof(rs));
	mf_mh_fence(MF_MH_S_RESP_FENCE);
	m->host[h].resp_seq = seq;
}

/* ---- requests ---- */

/* First fit over units neither used nor quarantined, up to MAX_EXT runs. */
static int mf_mh_alloc(struct mf_mh_mgr *m, u64 size, struct mf_mh_rec *r)
{
	u64 need;
	u32 u = 0, run;

	mf_mh_lock_held(&m->lock);
	if (!size || size > (u64)m->geo.data_units * m->geo.unit_size)
		return -EINVAL;
	need = (size + m->geo.unit_size - 1) / m->geo.unit_size;
	r->nr_ext = 0;
	while (need && u < m->geo.data_units) {
		if (m->used[u] || m->qmask[u]) {
			u++;
			continue;
		}
		if (r->nr_ext == MF_MH_MAX_EXT)
			return -ENOSPC;
		run = 0;
		while (u + run < m->geo.data_units && run < need &&
		       !m->used[u + run] && !m->qmask[u + run])
			run++;
		r->ext[r->nr_ext].start = u;
		r->ext[r->nr_ext].len = run;
		r->nr_ext++;
		need -= run;
		u += run;
	}
	if (need)
		return -ENOSPC;
	r->type = MF_MH_REC_CREATE;
	r->id = m->next_id;
	r->a = size;
	return 0;
}

/* The first slot from @name's hash's on that holds no published object. */
static int mf_mh_dir_slot(struct mf_mh_mgr *m, u64 name, u64 *slot)
{
	u32 i, s, n = m->geo.dir_slots;

	mf_mh_lock_held(&m->lock);
	for (i = 0; i < n; i++) {
		s = (mf_mh_dir_hash(name, n) + i) % n;
		if (m->dirstate[s] != MF_MH_DIR_PUB) {
			*slot = s;
			return 0;
		}
	}
	return -ENOSPC;
}

static void mf_mh_rec_obj(struct mf_mh_rec *r, const struct mf_mh_obj *o)
{
	r->id = o->id;
	r->gen = o->gen;
	r->nr_ext = o->nr_ext;
	memcpy(r->ext, o->ext, sizeof(r->ext));
}

/* Unit @u is free, and not among the units [@lo, @hi) taken already. */
static bool mf_mh_unit_free(const struct mf_mh_mgr *m, u32 lo, u32 hi, u32 u)
{
	mf_mh_lock_held(&m->lock);
	return !m->used[u] && !m->qmask[u] && (u < lo || u >= hi);
}

/*
 * EXPAND of private object @o to @size bytes: its extents are kept, the
 * last one grows over the free units right after it, then first fit adds
 * runs.  -ENOSPC fewer free units than needed; -E2BIG enough of them,
 * but the object would need more than MF_MH_MAX_EXT extents.  A size not
 * above the object's is answered with the object as it is, with no record:
 * a retry of an EXPAND that timed out and was served late.
 */
static int mf_mh_expand(struct mf_mh_mgr *m, const struct mf_mh_obj *o,
			u64 size, struct mf_mh_rec *r)
{
	u64 have = 0, need, nfree = 0;
	struct mf_mh_x *l;
	u32 u, end, tail, run;
	u16 i;

	mf_mh_lock_held(&m->lock);
	if (size > (u64)m->geo.data_units * m->geo.unit_size)
		return -EINVAL;
	mf_mh_rec_obj(r, o);
	r->a = o->size;
	if (size <= o->size)
		return 0;
	for (i = 0; i < o->nr_ext; i++)
		have += o->ext[i].len;
	need = (size + m->geo.unit_size - 1) / m->geo.unit_size;
	need = need > have ? need - have : 0;
	for (u = 0; u < m->geo.data_units; u++)
		nfree += !m->used[u] && !m->qmask[u];
	if (need > nfree)
		return -ENOSPC;
	l = &r->ext[r->nr_ext - 1];
	end = l->start + l->len;
	while (need && l->start + l->len < m->geo.data_units &&
	       !m->used[l->start + l->len] && !m->qmask[l->start + l->len]) {
		l->len++;
		need--;
	}
	tail = l->start + l->len;
	for (u = 0; need && u < m->geo.data_units; u++) {
		if (!mf_mh_unit_free(m, end, tail, u))
			continue;
		if (r->nr_ext == MF_MH_MAX_EXT)
			return -E2BIG;
		for (run = 0; run < need && u + run < m->geo.data_units &&
		     mf_mh_unit_free(m, end, tail, u + run); run++)
			;
		r->ext[r->nr_ext].start = u;
		r->ext[r->nr_ext].len = run;
		r->nr_ext++;
		need -= run;
		u += run;
	}
	r->type = MF_MH_REC_EXTEND;
	r->a = size;
	return 0;
}

/*
 * Decide a request of host @h from the checked copy @q.  Returns 0 with
 * @r the record to commit (r->type 0: nothing to commit), or -errno.
 */
static int mf_mh_exec(struct mf_mh_mgr *m, u32 h, const struct mf_mh_req *q,
		      struct mf_mh_rec *r)
{
	u16 op = le16_to_cpu(q->op), bit = mf_mh_bit(h);
	u64 id = le64_to_cpu(q->id), arg = le64_to_cpu(q->arg);
	u32 gen = le32_to_cpu(q->gen);
	struct mf_mh_obj *o = NULL;
	int ret;

	mf_mh_lock_held(&m->lock);
	memset(r, 0, sizeof(*r));
	r->host = (u16)h;
	r->req_seq = le64_to_cpu(q->seq);
	if (op != MF_MH_OP_JOIN && op != MF_MH_OP_ALLOC &&
	    op != MF_MH_OP_LEAVE) {
		o = mf_mh_find(m, id);
		if (!o)
			return -ENOENT;
	}
	switch (op) {
	case MF_MH_OP_JOIN:
		r->type = MF_MH_REC_JOIN;
		r->epoch = m->host[h].epoch + 1;
		return 0;
	case MF_MH_OP_LEAVE:
		/* Detach: the host wrote back and dropped its whole cache. */
		r->type = MF_MH_REC_LEAVE;
		r->epoch = m->host[h].epoch + 1;
		r->a = 1;
		return 0;
	case MF_MH_OP_ALLOC:
		return mf_mh_alloc(m, arg, r);
	case MF_MH_OP_DERIVE:
		if (o->state != MF_MH_OBJ_PUBLISHED)
			return -ENOENT;
		if (!(o->refs & bit))
			return -EPERM;
		ret = mf_mh_alloc(m, o->size, r);
		r->b = id;
		return ret;
	case MF_MH_OP_PUBLISH:
		/*
		 * arg: the hash of the object's name, unique among the live
		 * published objects (the name index).
		 */
		if (o->state != MF_MH_OBJ_PRIVATE || o->owner != h)
			return -EPERM;
		if (!arg)
			return -EINVAL;
		if (mf_mh_find_name(m, arg))
			return -EEXIST;
		ret = mf_mh_dir_slot(m, arg, &r->a);
		if (ret)
			return ret;
		mf_mh_rec_obj(r, o);
		r->type = MF_MH_REC_PUBLISH;
		r->gen = o->gen + 1;
		r->b = m->now;
		r->c = arg;
		return 0;
	case MF_MH_OP_GET:
		if (o->state != MF_MH_OBJ_PUBLISHED || o->gen != gen)
			return -ENOENT;
		mf_mh_rec_obj(r, o);
		if (o->refs & bit)
			return 0;	/* already held: nothing to log */
		r->type = MF_MH_REC_REF;
		r->a = 1;
		return 0;
	case MF_MH_OP_PUT:
		if (o->state != MF_MH_OBJ_PUBLISHED || !(o->refs & bit))
			return -ENOENT;
		mf_mh_rec_obj(r, o);
		r->type = MF_MH_REC_REF;
		r->a = 0;
		return 0;
	case MF_MH_OP_FREE:
		if (o->state != MF_MH_OBJ_PRIVATE || o->owner != h)
			return -EPERM;
		/* The owner wrote back and dropped the range first. */
		r->type = MF_MH_REC_DELETE;
		r->id = id;
		r->a = o->mapped & m->dead & ~bit;
		return 0;
	case MF_MH_OP_EXPAND:
		if (o->state != MF_MH_OBJ_PRIVATE || o->owner != h)
			return -EPERM;
		return mf_mh_expand(m, o, arg, r);
	}
	return -EINVAL;
}

/* Commit, apply and mirror into the directory. */
int mf_mh_commit(struct mf_mh_mgr *m, struct mf_mh_rec *r)
{
	u32 slot = U32_MAX, tombs = 0, n = m->geo.dir_slots;
	const struct mf_mh_obj *o;
	int ret;

	mf_mh_lock_held(&m->lock);
	if (r->type == MF_MH_REC_DELETE) {
		o = mf_mh_find(m, r->id);
		if (o && o->state == MF_MH_OBJ_PUBLISHED) {
			slot = o->dir_slot;
			tombs = mf_mh_dir_tombs(m, slot);
		}
	}
	ret = mf_mh_log_append(m, r);
	if (ret)
		return ret;
	ret = mf_mh_apply(m, r);
	if (ret)
		return ret == -EUCLEAN ? -EIO : ret;
	if (r->type == MF_MH_REC_PUBLISH)
		slot = (u32)r->a;
	if (slot != U32_MAX) {
		mf_mh_dir_put(m, slot, r->type == MF_MH_REC_PUBLISH ?
			      mf_mh_find(m, r->id) : NULL);
		/* Tombstones the deletion emptied (mf_mh_dir_vacate()). */
		while (m->dirstate[slot] == MF_MH_DIR_EMPTY && tombs--) {
			slot = (slot + n - 1) % n;
			mf_mh_dir_put(m, slot, NULL);
		}
		mf_mh_fence(MF_MH_S_DIR_FENCE);
	}
	return 0;
}

static int mf_mh_serve(struct mf_mh_mgr *m, u32 h)
{
	struct mf_mh_hoststate *hs = &m->host[h];
	u8 *p = mf_mh_host_ptr(m->base, h) + MF_MH_REQ;
	struct mf_mh_req q;
	struct mf_mh_rec r;
	u64 seq;
	u16 op;
	int status;

	mf_mh_lock_held(&m->lock);
	mf_mh_inval(MF_MH_S_REQ_INVAL, p, sizeof(q));
	mf_mh_ld(&q, p, sizeof(q));
	if (le32_to_cpu(q.crc) != mf_mh_crc_of(&q, sizeof(q)) || le16_to_cpu(q.host) != h) {
		if (q.seq || q.crc)
			m->nr_garbage++;
		return 0;
	}
	seq = le64_to_cpu(q.seq);
	if (seq == hs->last_seq) {
		/* Committed before a restart, never answered: answer now. */
		if (hs->resp_seq != seq && hs->have_last &&
		    hs->last.req_seq == seq)
			mf_mh_resp_put(m, h, seq, 0, &hs->last);
		return 0;
	}
	op = le16_to_cpu(q.op);
	memset(&r, 0, sizeof(r));
	if (op != MF_MH_OP_JOIN && (hs->state != MF_MH_HOST_JOINED ||
				    le32_to_cpu(q.epoch) != hs->epoch)) {
		status = -ESTALE;
		m->nr_stale++;
	} else {
		status = mf_mh_exec(m, h, &q, &r);
		if (!status && r.type) {
			status = mf_mh_commit(m, &r);
			if (status == -EIO)
				return -EUCLEAN;
			if (!status) {
				hs->last = r;
				hs->have_last = true;
			}
		}
	}
	hs->last_seq = seq;
	mf_mh_resp_put(m, h, seq, status, &r);
	return 0;
}

/* Serve every host's mailbox once; takes @m->lock. */
int mf_mh_mgr_poll(struct mf_mh_mgr *m, u64 now)
{
	u32 h;
	int ret = 0;

	mf_mh_lock(&m->lock);
	m->now = now;
	for (h = 0; h < m->geo.nr_hosts; h++) {
		ret = mf_mh_serve(m, h);
		if (ret)
			break;
	}
	mf_mh_unlock(&m->lock);
	return ret;
}

/*
 * Seed 001's deletion: a published object that no host holds and whose
 * age on the manager's clock is at least the TTL is deleted; its units are
 * quarantined for the dead hosts that held it.
 */
int mf_mh_mgr_reap(struct mf_mh_mgr *m)
{
	struct mf_mh_obj *o;
	struct mf_mh_rec r;
	u32 i = 0;
	int ret;

	mf_mh_lock_held(&m->lock);
	while (i < m->nr_objs) {
		o = &m->objs[i];
		if (o->state != MF_MH_OBJ_PUBLISHED || o->refs ||
		    m->now - o->born < m->ttl) {
			i++;
			continue;
		}
		memset(&r, 0, sizeof(r));
		r.type = MF_MH_REC_DELETE;
		r.id = o->id;
		r.host = o->owner;
		r.a = o->mapped & m->dead;
		ret = mf_mh_commit(m, &r);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- rebuild ---- */

/*
 * Replay the log up to the head into DRAM, learn what was answered from
 * the response slots, tell dead hosts again, rewrite the directory.  Every
 * host gets a full lease from now.
 */
static int mf_mh_rebuild(struct mf_mh_mgr *m)
{
	struct mf_mh_hoststate *hs;
	struct mf_mh_entry e;
	struct mf_mh_resp rs;
	struct mf_mh_head hd;
	struct mf_mh_rec r;
	u32 h, i;
	u64 n;

	mf_mh_lock_held(&m->lock);
	memset(&r, 0, sizeof(r));
	mf_mh_ld(&hd, m->base + MF_MH_HEAD_OFF, sizeof(hd));
	if (le32_to_cpu(hd.crc) != mf_mh_crc_of(&hd, sizeof(hd)))
		return -EUCLEAN;
	n = le64_to_cpu(hd.seq);
	if (n > m->geo.log_entries)
		return -EUCLEAN;
	for (m->head = 0; m->head < n; m->head++) {
		mf_mh_ld(&e, mf_mh_log_ptr(m->base, &m->geo, m->head),
			 sizeof(e));
		if (mf_mh_rec_decode(&m->geo, &e, &r) ||
		    r.seq != m->head + 1 || mf_mh_apply(m, &r))
			return -EUCLEAN;
		if (r.req_seq) {
			hs = &m->host[r.host];
			hs->last = r;
			hs->have_last = true;
			hs->last_seq = r.req_seq;
		}
	}
	for (h = 0; h < m->geo.nr_hosts; h++) {
		hs = &m->host[h];
		mf_mh_ld(&rs, mf_mh_host_ptr(m->base, h) + MF_MH_RESP,
			 sizeof(rs));
		if (le32_to_cpu(rs.crc) == mf_mh_crc_of(&rs, sizeof(rs))) {
			hs->resp_seq = le64_to_cpu(rs.seq);
			if (hs->resp_seq > hs->last_seq)
				hs->last_seq = hs->resp_seq;
		}
		hs->seen = m->now;
		if (hs->state == MF_MH_HOST_DEAD)
			mf_mh_resp_put(m, h, hs->resp_seq, -ESTALE, &r);
	}
	/*
	 * A publish's time is on the clock of the manager that committed
	 * it.  A rebooted host's clock starts again: an age counted from a
	 * time ahead of ours counts from now instead, so that no object is
	 * deleted before it is ttl old (the downtime is not counted).
	 */
	for (i = 0; i < m->nr_objs; i++)
		if (m->objs[i].born > m->now)
			m->objs[i].born = m->now;
	for (i = 0; i < m->geo.dir_slots; i++)
		if (m->dirstate[i] != MF_MH_DIR_PUB)
			mf_mh_dir_put(m, i, NULL);
	for (i = 0; i < m->nr_objs; i++)
		if (m->objs[i].state == MF_MH_OBJ_PUBLISHED)
			mf_mh_dir_put(m, m->objs[i].dir_slot, &m->objs[i]);
	mf_mh_fence(MF_MH_S_DIR_FENCE);
	return 0;
}

/* Free the manager's state; nobody else uses @m any more. */
void mf_mh_mgr_fini(struct mf_mh_mgr *m)
{
	mf_mh_free(m->objs);
	mf_mh_free(m->used);
	mf_mh_free(m->qmask);
	mf_mh_free(m->dirstate);
	mf_mh_lock_destroy(&m->lock);
	memset(m, 0, sizeof(*m));
}

/*
 * Become the manager of the pool at @dev, rebuilding its state from the
 * device (mf_mh_rebuild()).  @m is not shared yet; its lock is set up here
 * and held for the rebuild, whose helpers assert it.
 */
int mf_mh_mgr_init(struct mf_mh_mgr *m, void *dev, u32 max_objs, u64 now,
		   u64 lease, u64 ttl)
{
	struct mf_mh_sb sb;
	int ret;

	memset(m, 0, sizeof(*m));
	mf_mh_lock_init(&m->lock);
	m->base = dev;
	m->now = now;
	m->lease = lease;
	m->ttl = ttl;
	m->max_objs = max_objs;
	mf_mh_ld(&sb, m->base + MF_MH_SB_OFF, sizeof(sb));
	ret = mf_mh_sb_decode(&sb, &m->geo, &m->self);
	if (ret)
		goto fail;
	m->objs = mf_mh_zalloc(max_objs, sizeof(*m->objs));
	m->used = mf_mh_zalloc(m->geo.data_units, sizeof(*m->used));
	m->qmask = mf_mh_zalloc(m->geo.data_units, sizeof(*m->qmask));
	m->dirstate = mf_mh_zalloc(m->geo.dir_slots, sizeof(*m->dirstate));
	ret = -ENOMEM;
	if (!m->objs || !m->used || !m->qmask || !m->dirstate)
		goto fail;
	mf_mh_lock(&m->lock);
	ret = mf_mh_rebuild(m);
	mf_mh_unlock(&m->lock);
	if (ret)
		goto fail;
	return 0;
fail:
	mf_mh_mgr_fini(m);
	return ret;
}
