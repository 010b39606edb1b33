// SPDX-License-Identifier: GPL-2.0
/*
 * mf_mh.c - memfabric's multi-host protocol core (issue 17, seed 001).
 *
 * Several hosts attach one CXL 2.0 memory device.  Its memory is not
 * coherent between hosts: a host's caches may hold stale or dirty lines of
 * the device and atomic instructions are atomic within one host only.  One
 * host per pool, the manager, alone writes the pool's metadata; the others,
 * the members, send it requests through per-host mailboxes on the device
 * and read published objects in place.  Every 64-byte line of metadata has
 * exactly one writing host and no cross-host atomic is used.
 *
 * Device layout (offsets from the pool's base, geometry in the superblock):
 *	0		superblock (manager, at format)
 *	64		log head: number of committed entries (manager)
 *	256 + 256 h	host h: request line (h), heartbeat line (h),
 *			response (2 lines, manager)
 *	dir_off		directory of published objects, 128 bytes a slot
 *			(manager)
 *	log_off		append-only log, 128 bytes an entry (manager)
 *	data_off	data units (rounded up to the unit size)
 *
 * The log is the truth: the manager's DRAM state (objects, extents,
 * quarantine, reference counts, host epochs) is the replay of the log by
 * mgr_apply(), the same function in normal operation and at rebuild.  An
 * entry is written and made durable before the head that commits it; an
 * entry below the head that fails its checksum is corruption.  The
 * directory and the response slots are written after the head; the
 * directory is rewritten whole at rebuild.
 *
 * The manager copies a member's slot into local memory once, then checks
 * its checksum, host, sequence, epoch and every field's bounds on the copy:
 * a member can make its own requests fail, never the manager's metadata
 * inconsistent.
 *
 * Every flush, fence and invalidate goes through mf_mh_cache.h with a site
 * id; Documentation/multihost.md says why each one is there, and the
 * mutation test shows that removing any one is caught by the simulator.
 */
#include "mf_mh.h"

#define MF_MH_SB_OFF	0
#define MF_MH_HEAD_OFF	64
#define MF_MH_HOST_OFF	256
#define MF_MH_REQ	0
#define MF_MH_HB	64
#define MF_MH_RESP	128
#define MF_MH_ENT_SIZE	128

static inline u16 mf_mh_bit(u32 h)
{
	return (u16)(1U << h);
}

#ifndef __KERNEL__
/* crc32c (Castagnoli), reflected, table driven. */
static u32 mf_mh_crc_table[256];

u32 mf_mh_crc32c(u32 crc, const void *p, size_t len)
{
	const u8 *b = p;
	u32 i, j, c;

	if (!mf_mh_crc_table[1]) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (j = 0; j < 8; j++)
				c = (c >> 1) ^ ((c & 1) ? 0x82f63b78U : 0);
			mf_mh_crc_table[i] = c;
		}
	}
	while (len--)
		crc = mf_mh_crc_table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return crc;
}
#endif

static u32 mf_mh_crc(const void *p, size_t len)
{
	return ~mf_mh_crc32c(~0U, p, len);
}

/* The checksum of a record whose last field is its __le32 crc. */
static u32 mf_mh_crc_of(const void *p, size_t size)
{
	return mf_mh_crc(p, size - sizeof(__le32));
}

/* ---- layout ---- */

static u64 mf_mh_dir_off(const struct mf_mh_geo *g)
{
	return MF_MH_HOST_OFF + (u64)g->nr_hosts * MF_MH_HOST_BYTES;
}

static u64 mf_mh_log_off(const struct mf_mh_geo *g)
{
	return mf_mh_dir_off(g) + (u64)g->dir_slots * sizeof(struct mf_mh_dirent);
}

u64 mf_mh_data_off(const struct mf_mh_geo *g)
{
	u64 end = mf_mh_log_off(g) + (u64)g->log_entries * MF_MH_ENT_SIZE;

	return (end + g->unit_size - 1) / g->unit_size * g->unit_size;
}

u64 mf_mh_dev_size(const struct mf_mh_geo *g)
{
	return mf_mh_data_off(g) + (u64)g->data_units * g->unit_size;
}

void *mf_mh_unit_ptr(u8 *base, const struct mf_mh_geo *g, u32 unit)
{
	return base + mf_mh_data_off(g) + (u64)unit * g->unit_size;
}

static u8 *mf_mh_host_ptr(u8 *base, u32 h)
{
	return base + MF_MH_HOST_OFF + (u64)h * MF_MH_HOST_BYTES;
}

static u8 *mf_mh_dir_ptr(u8 *base, const struct mf_mh_geo *g, u32 s)
{
	return base + mf_mh_dir_off(g) + (u64)s * sizeof(struct mf_mh_dirent);
}

static u8 *mf_mh_log_ptr(u8 *base, const struct mf_mh_geo *g, u64 i)
{
	return base + mf_mh_log_off(g) + i * MF_MH_ENT_SIZE;
}

static u32 mf_mh_dir_hash(u64 id, u32 slots)
{
	return (u32)((id * 0x9e3779b97f4a7c15ULL) >> 32) % slots;
}

static int mf_mh_geo_ok(const struct mf_mh_geo *g)
{
	if (!g->nr_hosts || g->nr_hosts > MF_MH_MAX_HOSTS)
		return 0;
	if (!g->log_entries || !g->dir_slots || !g->data_units)
		return 0;
	if (!g->unit_size || g->unit_size % MF_MH_LINE)
		return 0;
	return g->log_entries < (1U << 30) && g->dir_slots < (1U << 24);
}

static int mf_mh_sb_decode(const struct mf_mh_sb *sb, struct mf_mh_geo *g,
			   u32 *manager)
{
	if (le64_to_cpu(sb->magic) != MF_MH_MAGIC ||
	    le32_to_cpu(sb->version) != MF_MH_VERSION ||
	    le32_to_cpu(sb->crc) != mf_mh_crc_of(sb, sizeof(*sb)))
		return -EUCLEAN;
	g->nr_hosts = le32_to_cpu(sb->nr_hosts);
	g->log_entries = le32_to_cpu(sb->log_entries);
	g->dir_slots = le32_to_cpu(sb->dir_slots);
	g->data_units = le32_to_cpu(sb->data_units);
	g->unit_size = le32_to_cpu(sb->unit_size);
	*manager = le32_to_cpu(sb->manager);
	if (!mf_mh_geo_ok(g) || *manager >= g->nr_hosts)
		return -EUCLEAN;
	return 0;
}

static int mf_mh_ext_ok(const struct mf_mh_geo *g, const struct mf_mh_x *x)
{
	return x->len && x->start < g->data_units &&
	       x->len <= g->data_units - x->start;
}

/* ---- records ---- */

static void mf_mh_rec_encode(const struct mf_mh_rec *r, struct mf_mh_entry *e)
{
	u16 i;

	memset(e, 0, sizeof(*e));
	e->seq = cpu_to_le64(r->seq);
	e->id = cpu_to_le64(r->id);
	e->req_seq = cpu_to_le64(r->req_seq);
	e->a = cpu_to_le64(r->a);
	e->b = cpu_to_le64(r->b);
	e->type = cpu_to_le32(r->type);
	e->gen = cpu_to_le32(r->gen);
	e->epoch = cpu_to_le32(r->epoch);
	e->host = cpu_to_le16(r->host);
	e->nr_ext = cpu_to_le16(r->nr_ext);
	for (i = 0; i < r->nr_ext && i < MF_MH_MAX_EXT; i++) {
		e->ext[i].start = cpu_to_le32(r->ext[i].start);
		e->ext[i].len = cpu_to_le32(r->ext[i].len);
	}
	e->crc = cpu_to_le32(mf_mh_crc_of(e, sizeof(*e)));
}

static int mf_mh_rec_decode(const struct mf_mh_geo *g,
			    const struct mf_mh_entry *e, struct mf_mh_rec *r)
{
	u16 i;

	if (le32_to_cpu(e->crc) != mf_mh_crc_of(e, sizeof(*e)))
		return -EUCLEAN;
	memset(r, 0, sizeof(*r));
	r->seq = le64_to_cpu(e->seq);
	r->id = le64_to_cpu(e->id);
	r->req_seq = le64_to_cpu(e->req_seq);
	r->a = le64_to_cpu(e->a);
	r->b = le64_to_cpu(e->b);
	r->type = le32_to_cpu(e->type);
	r->gen = le32_to_cpu(e->gen);
	r->epoch = le32_to_cpu(e->epoch);
	r->host = le16_to_cpu(e->host);
	r->nr_ext = le16_to_cpu(e->nr_ext);
	if (r->host >= g->nr_hosts || r->nr_ext > MF_MH_MAX_EXT ||
	    r->type < MF_MH_REC_CREATE || r->type > MF_MH_REC_LEAVE)
		return -EUCLEAN;
	for (i = 0; i < r->nr_ext; i++) {
		r->ext[i].start = le32_to_cpu(e->ext[i].start);
		r->ext[i].len = le32_to_cpu(e->ext[i].len);
		if (!mf_mh_ext_ok(g, &r->ext[i]))
			return -EUCLEAN;
	}
	return 0;
}

/* ---- manager: DRAM state ---- */

static struct mf_mh_obj *mf_mh_find(const struct mf_mh_mgr *m, u64 id)
{
	u32 i;

	for (i = 0; i < m->nr_objs; i++)
		if (m->objs[i].id == id)
			return &m->objs[i];
	return NULL;
}

const struct mf_mh_obj *mf_mh_mgr_find(const struct mf_mh_mgr *m, u64 id)
{
	return mf_mh_find(m, id);
}

/*
 * Remove an object; its units become free, or quarantined until every
 * host in @qm has rejoined.
 */
static void mf_mh_obj_delete(struct mf_mh_mgr *m, struct mf_mh_obj *o, u16 qm)
{
	u32 i, u;

	for (i = 0; i < o->nr_ext; i++) {
		for (u = o->ext[i].start; u < o->ext[i].start + o->ext[i].len;
		     u++) {
			m->used[u] = 0;
			m->qmask[u] |= qm;
		}
	}
	if (o->state == MF_MH_OBJ_PUBLISHED)
		m->dirstate[o->dir_slot] = MF_MH_DIR_TOMB;
	*o = m->objs[--m->nr_objs];
}

/*
 * Host @h is gone (lease expired) or re-registers: its references go and
 * its private objects are deleted.  Their units are quarantined for every
 * dead host that mapped them, and for @h itself if it may still hold dirty
 * lines (@zombie: it did not flush its caches).
 */
static void mf_mh_host_drop(struct mf_mh_mgr *m, u32 h, bool zombie)
{
	u16 bit = mf_mh_bit(h);
	struct mf_mh_obj *o;
	u32 i = 0;

	while (i < m->nr_objs) {
		o = &m->objs[i];
		o->refs &= ~bit;
		if (o->state == MF_MH_OBJ_PRIVATE && o->owner == h) {
			mf_mh_obj_delete(m, o, (o->mapped & m->dead) |
					 (zombie ? bit : 0));
			continue;
		}
		i++;
	}
}

/* Apply one committed record; the same code runs live and at rebuild. */
static int mf_mh_apply(struct mf_mh_mgr *m, const struct mf_mh_rec *r)
{
	u16 bit = mf_mh_bit(r->host);
	struct mf_mh_hoststate *hs = &m->host[r->host];
	struct mf_mh_obj *o = NULL;
	u32 i, u;

	if (r->type != MF_MH_REC_CREATE && r->type != MF_MH_REC_JOIN &&
	    r->type != MF_MH_REC_LEAVE) {
		o = mf_mh_find(m, r->id);
		if (!o)
			return -EUCLEAN;
	}
	switch (r->type) {
	case MF_MH_REC_CREATE:
		if (m->nr_objs >= m->max_objs || mf_mh_find(m, r->id) ||
		    !r->nr_ext)
			return -EUCLEAN;
		for (i = 0; i < r->nr_ext; i++)
			for (u = r->ext[i].start;
			     u < r->ext[i].start + r->ext[i].len; u++)
				if (m->used[u] || m->qmask[u])
					return -EUCLEAN;
		o = &m->objs[m->nr_objs++];
		memset(o, 0, sizeof(*o));
		o->id = r->id;
		o->size = r->a;
		o->state = MF_MH_OBJ_PRIVATE;
		o->owner = (u8)r->host;
		o->mapped = bit;
		o->nr_ext = r->nr_ext;
		for (i = 0; i < r->nr_ext; i++) {
			o->ext[i] = r->ext[i];
			for (u = r->ext[i].start;
			     u < r->ext[i].start + r->ext[i].len; u++)
				m->used[u] = 1;
		}
		if (r->id >= m->next_id)
			m->next_id = r->id + 1;
		return 0;
	case MF_MH_REC_PUBLISH:
		if (o->state != MF_MH_OBJ_PRIVATE || r->a >= m->geo.dir_slots ||
		    m->dirstate[r->a] == MF_MH_DIR_PUB)
			return -EUCLEAN;
		o->state = MF_MH_OBJ_PUBLISHED;
		o->gen = r->gen;
		o->born = r->b;
		o->dir_slot = (u32)r->a;
		o->refs |= mf_mh_bit(o->owner);
		m->dirstate[r->a] = MF_MH_DIR_PUB;
		return 0;
	case MF_MH_REC_REF:
		if (o->state != MF_MH_OBJ_PUBLISHED)
			return -EUCLEAN;
		if (r->a) {
			o->refs |= bit;
			o->mapped |= bit;
		} else {
			o->refs &= ~bit;
		}
		return 0;
	case MF_MH_REC_DELETE:
		mf_mh_obj_delete(m, o, (u16)r->a);
		return 0;
	case MF_MH_REC_JOIN:
		/* The host wrote back and dropped its whole cache first. */
		m->dead &= ~bit;
		mf_mh_host_drop(m, r->host, false);
		for (u = 0; u < m->geo.data_units; u++)
			m->qmask[u] &= ~bit;
		hs->epoch = r->epoch;
		hs->state = MF_MH_HOST_JOINED;
		hs->beat = 0;
		hs->seen = m->now;
		return 0;
	case MF_MH_REC_LEAVE:
		m->dead |= bit;
		mf_mh_host_drop(m, r->host, true);
		hs->epoch = r->epoch;
		hs->state = MF_MH_HOST_DEAD;
		return 0;
	}
	return -EUCLEAN;
}

/* ---- manager: device writes ---- */

static void mf_mh_head_put(struct mf_mh_mgr *m, u64 seq)
{
	struct mf_mh_head hd;
	u8 *p = m->base + MF_MH_HEAD_OFF;

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

	memset(&d, 0, sizeof(d));
	d.state = cpu_to_le16(m->dirstate[s]);
	if (o && m->dirstate[s] == MF_MH_DIR_PUB) {
		d.id = cpu_to_le64(o->id);
		d.size = cpu_to_le64(o->size);
		d.gen = cpu_to_le32(o->gen);
		d.owner = cpu_to_le32(o->owner);
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

static void mf_mh_resp_put(struct mf_mh_mgr *m, u32 h, u64 seq, int status,
			   const struct mf_mh_rec *r)
{
	struct mf_mh_resp rs;
	u8 *p = mf_mh_host_ptr(m->base, h) + MF_MH_RESP;
	u16 i;

	memset(&rs, 0, sizeof(rs));
	rs.seq = cpu_to_le64(seq);
	rs.epoch = cpu_to_le32(m->host[h].epoch);
	rs.status = cpu_to_le32((u32)-status);
	if (!status) {
		rs.id = cpu_to_le64(r->id);
		rs.gen = cpu_to_le32(r->gen);
		if (r->type == MF_MH_REC_CREATE)
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

/* ---- manager: requests ---- */

/* First fit over units neither used nor quarantined, up to MAX_EXT runs. */
static int mf_mh_alloc(struct mf_mh_mgr *m, u64 size, struct mf_mh_rec *r)
{
	u64 need;
	u32 u = 0, run;

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

static int mf_mh_dir_slot(struct mf_mh_mgr *m, u64 id, u64 *slot)
{
	u32 i, s, n = m->geo.dir_slots;

	for (i = 0; i < n; i++) {
		s = (mf_mh_dir_hash(id, n) + i) % n;
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

	memset(r, 0, sizeof(*r));
	r->host = (u16)h;
	r->req_seq = le64_to_cpu(q->seq);
	if (op != MF_MH_OP_JOIN && op != MF_MH_OP_ALLOC) {
		o = mf_mh_find(m, id);
		if (!o)
			return -ENOENT;
	}
	switch (op) {
	case MF_MH_OP_JOIN:
		r->type = MF_MH_REC_JOIN;
		r->epoch = m->host[h].epoch + 1;
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
		if (o->state != MF_MH_OBJ_PRIVATE || o->owner != h)
			return -EPERM;
		ret = mf_mh_dir_slot(m, id, &r->a);
		if (ret)
			return ret;
		mf_mh_rec_obj(r, o);
		r->type = MF_MH_REC_PUBLISH;
		r->gen = o->gen + 1;
		r->b = m->now;
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
	}
	return -EINVAL;
}

/* Commit, apply and mirror into the directory. */
static int mf_mh_commit(struct mf_mh_mgr *m, struct mf_mh_rec *r)
{
	const struct mf_mh_obj *o;
	u32 slot = U32_MAX;
	int ret;

	if (r->type == MF_MH_REC_DELETE) {
		o = mf_mh_find(m, r->id);
		if (o && o->state == MF_MH_OBJ_PUBLISHED)
			slot = o->dir_slot;
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

int mf_mh_mgr_poll(struct mf_mh_mgr *m, u64 now)
{
	u32 h;
	int ret;

	m->now = now;
	for (h = 0; h < m->geo.nr_hosts; h++) {
		ret = mf_mh_serve(m, h);
		if (ret)
			return ret;
	}
	return 0;
}

/* Heartbeats and leases, then seed 001's deletion by refcount and age. */
int mf_mh_mgr_tick(struct mf_mh_mgr *m, u64 now)
{
	struct mf_mh_hoststate *hs;
	struct mf_mh_rec r;
	struct mf_mh_hb hb;
	struct mf_mh_obj *o;
	u32 h, i;
	u8 *p;
	int ret;

	m->now = now;
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
			hs->seen = now;
		}
		if (now - hs->seen <= m->lease)
			continue;
		memset(&r, 0, sizeof(r));
		r.type = MF_MH_REC_LEAVE;
		r.host = (u16)h;
		r.epoch = hs->epoch + 1;
		ret = mf_mh_commit(m, &r);
		if (ret)
			return ret;
		/* Tell the host, which checks at each heartbeat. */
		mf_mh_resp_put(m, h, hs->resp_seq, -ESTALE, &r);
	}
	i = 0;
	while (i < m->nr_objs) {
		o = &m->objs[i];
		if (o->state != MF_MH_OBJ_PUBLISHED || o->refs ||
		    now - o->born < m->ttl) {
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

/* ---- manager: format, rebuild ---- */

int mf_mh_format(void *dev, const struct mf_mh_geo *g, u32 manager)
{
	u8 *base = dev, zero[MF_MH_LINE];
	struct mf_mh_dirent d;
	struct mf_mh_head hd;
	struct mf_mh_sb sb;
	u64 off;
	u32 s;

	if (!mf_mh_geo_ok(g) || manager >= g->nr_hosts)
		return -EINVAL;
	memset(zero, 0, sizeof(zero));
	for (off = MF_MH_HOST_OFF; off < mf_mh_dir_off(g); off += MF_MH_LINE)
		mf_mh_st(base + off, zero, sizeof(zero));
	memset(&d, 0, sizeof(d));
	d.crc = cpu_to_le32(mf_mh_crc_of(&d, sizeof(d)));
	for (s = 0; s < g->dir_slots; s++)
		mf_mh_st(mf_mh_dir_ptr(base, g, s), &d, sizeof(d));
	memset(&hd, 0, sizeof(hd));
	hd.crc = cpu_to_le32(mf_mh_crc_of(&hd, sizeof(hd)));
	mf_mh_st(base + MF_MH_HEAD_OFF, &hd, sizeof(hd));
	memset(&sb, 0, sizeof(sb));
	sb.magic = cpu_to_le64(MF_MH_MAGIC);
	sb.version = cpu_to_le32(MF_MH_VERSION);
	sb.nr_hosts = cpu_to_le32(g->nr_hosts);
	sb.log_entries = cpu_to_le32(g->log_entries);
	sb.dir_slots = cpu_to_le32(g->dir_slots);
	sb.data_units = cpu_to_le32(g->data_units);
	sb.unit_size = cpu_to_le32(g->unit_size);
	sb.manager = cpu_to_le32(manager);
	sb.crc = cpu_to_le32(mf_mh_crc_of(&sb, sizeof(sb)));
	mf_mh_st(base + MF_MH_SB_OFF, &sb, sizeof(sb));
	mf_mh_wb(MF_MH_S_FMT_WB, base, mf_mh_log_off(g));
	mf_mh_fence(MF_MH_S_FMT_FENCE);
	return 0;
}

void mf_mh_mgr_fini(struct mf_mh_mgr *m)
{
	mf_mh_free(m->objs);
	mf_mh_free(m->used);
	mf_mh_free(m->qmask);
	mf_mh_free(m->dirstate);
	memset(m, 0, sizeof(*m));
}

/*
 * Become the manager of the pool at @dev: replay the log into DRAM, learn
 * what was answered from the response slots, rewrite the directory.
 */
int mf_mh_mgr_init(struct mf_mh_mgr *m, void *dev, u32 max_objs, u64 now,
		   u64 lease, u64 ttl)
{
	struct mf_mh_hoststate *hs;
	struct mf_mh_entry e;
	struct mf_mh_resp rs;
	struct mf_mh_head hd;
	struct mf_mh_sb sb;
	struct mf_mh_rec r;
	u32 h, i;
	u64 n;
	int ret;

	memset(m, 0, sizeof(*m));
	memset(&r, 0, sizeof(r));
	m->base = dev;
	m->now = now;
	m->lease = lease;
	m->ttl = ttl;
	m->max_objs = max_objs;
	mf_mh_ld(&sb, m->base + MF_MH_SB_OFF, sizeof(sb));
	ret = mf_mh_sb_decode(&sb, &m->geo, &m->self);
	if (ret)
		return ret;
	m->objs = mf_mh_zalloc(max_objs, sizeof(*m->objs));
	m->used = mf_mh_zalloc(m->geo.data_units, sizeof(*m->used));
	m->qmask = mf_mh_zalloc(m->geo.data_units, sizeof(*m->qmask));
	m->dirstate = mf_mh_zalloc(m->geo.dir_slots, sizeof(*m->dirstate));
	ret = -ENOMEM;
	if (!m->objs || !m->used || !m->qmask || !m->dirstate)
		goto fail;
	ret = -EUCLEAN;
	mf_mh_ld(&hd, m->base + MF_MH_HEAD_OFF, sizeof(hd));
	if (le32_to_cpu(hd.crc) != mf_mh_crc_of(&hd, sizeof(hd)))
		goto fail;
	n = le64_to_cpu(hd.seq);
	if (n > m->geo.log_entries)
		goto fail;
	for (m->head = 0; m->head < n; m->head++) {
		mf_mh_ld(&e, mf_mh_log_ptr(m->base, &m->geo, m->head),
			 sizeof(e));
		if (mf_mh_rec_decode(&m->geo, &e, &r) ||
		    r.seq != m->head + 1 || mf_mh_apply(m, &r))
			goto fail;
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
		hs->seen = now;
		if (hs->state == MF_MH_HOST_DEAD)
			mf_mh_resp_put(m, h, hs->resp_seq, -ESTALE, &r);
	}
	for (i = 0; i < m->geo.dir_slots; i++)
		if (m->dirstate[i] != MF_MH_DIR_PUB)
			mf_mh_dir_put(m, i, NULL);
	for (i = 0; i < m->nr_objs; i++)
		if (m->objs[i].state == MF_MH_OBJ_PUBLISHED)
			mf_mh_dir_put(m, m->objs[i].dir_slot, &m->objs[i]);
	mf_mh_fence(MF_MH_S_DIR_FENCE);
	return 0;
fail:
	mf_mh_mgr_fini(m);
	return ret;
}

/* Consistency of the DRAM state; -EUCLEAN if broken. */
int mf_mh_mgr_check(const struct mf_mh_mgr *m)
{
	u32 i, j, u, units = 0, pub = 0, used = 0;
	const struct mf_mh_obj *o;
	u16 live = 0;

	for (i = 0; i < m->geo.nr_hosts; i++)
		if (m->host[i].state == MF_MH_HOST_JOINED)
			live |= mf_mh_bit(i);
	for (u = 0; u < m->geo.data_units; u++) {
		if (m->used[u] && m->qmask[u])
			return -EUCLEAN;
		used += m->used[u];
	}
	for (i = 0; i < m->nr_objs; i++) {
		o = &m->objs[i];
		if ((o->refs & ~live) || (o->refs & ~o->mapped))
			return -EUCLEAN;
		if (o->state == MF_MH_OBJ_PRIVATE &&
		    (o->refs || !(live & mf_mh_bit(o->owner))))
			return -EUCLEAN;
		if (o->state == MF_MH_OBJ_PUBLISHED) {
			pub++;
			if (m->dirstate[o->dir_slot] != MF_MH_DIR_PUB)
				return -EUCLEAN;
		}
		for (j = 0; j < o->nr_ext; j++) {
			if (!mf_mh_ext_ok(&m->geo, &o->ext[j]))
				return -EUCLEAN;
			for (u = o->ext[j].start;
			     u < o->ext[j].start + o->ext[j].len; u++)
				if (!m->used[u])
					return -EUCLEAN;
			units += o->ext[j].len;
		}
	}
	/* Each used unit in exactly one object: counts match, no overlap. */
	if (units != used)
		return -EUCLEAN;
	for (i = 0; i < m->geo.dir_slots; i++)
		if (m->dirstate[i] == MF_MH_DIR_PUB)
			pub--;
	return pub ? -EUCLEAN : 0;
}

/* ---- members ---- */

int mf_mh_attach(struct mf_mh_member *mb, void *dev, u32 host)
{
	u8 *hp;
	struct mf_mh_sb sb;
	struct mf_mh_req q;
	struct mf_mh_resp rs;
	struct mf_mh_hb hb;
	u32 manager;
	int ret;

	memset(mb, 0, sizeof(*mb));
	mb->base = dev;
	mb->host = host;
	mf_mh_inval(MF_MH_S_ATTACH_INVAL, mb->base, sizeof(sb));
	mf_mh_ld(&sb, mb->base + MF_MH_SB_OFF, sizeof(sb));
	ret = mf_mh_sb_decode(&sb, &mb->geo, &manager);
	if (ret)
		return ret;
	if (host >= mb->geo.nr_hosts)
		return -EINVAL;
	/* Continue the sequence numbers where the last incarnation left. */
	hp = mf_mh_host_ptr(mb->base, host);
	mf_mh_inval(MF_MH_S_ATTACH_INVAL, hp, MF_MH_HOST_BYTES);
	mf_mh_ld(&q, hp + MF_MH_REQ, sizeof(q));
	if (le32_to_cpu(q.crc) == mf_mh_crc_of(&q, sizeof(q)))
		mb->seq = le64_to_cpu(q.seq);
	mf_mh_ld(&rs, hp + MF_MH_RESP, sizeof(rs));
	if (le32_to_cpu(rs.crc) == mf_mh_crc_of(&rs, sizeof(rs)) &&
	    le64_to_cpu(rs.seq) > mb->seq)
		mb->seq = le64_to_cpu(rs.seq);
	mf_mh_ld(&hb, hp + MF_MH_HB, sizeof(hb));
	if (le32_to_cpu(hb.crc) == mf_mh_crc_of(&hb, sizeof(hb)))
		mb->beat = le64_to_cpu(hb.beat);
	return 0;
}

int mf_mh_submit(struct mf_mh_member *mb, u16 op, u64 id, u64 arg, u32 gen)
{
	u8 *p = mf_mh_host_ptr(mb->base, mb->host) + MF_MH_REQ;
	struct mf_mh_req q;

	if (op != MF_MH_OP_JOIN && !mb->joined)
		return -ESTALE;
	memset(&q, 0, sizeof(q));
	q.seq = cpu_to_le64(++mb->seq);
	q.epoch = cpu_to_le32(op == MF_MH_OP_JOIN ? 0 : mb->epoch);
	q.op = cpu_to_le16(op);
	q.host = cpu_to_le16(mb->host);
	q.id = cpu_to_le64(id);
	q.arg = cpu_to_le64(arg);
	q.gen = cpu_to_le32(gen);
	q.crc = cpu_to_le32(mf_mh_crc_of(&q, sizeof(q)));
	mf_mh_st(p, &q, sizeof(q));
	mf_mh_wb(MF_MH_S_REQ_WB, p, sizeof(q));
	mf_mh_fence(MF_MH_S_REQ_FENCE);
	return 0;
}

/* The answer to the last request: 0 (see r->status), -EAGAIN: not yet. */
int mf_mh_poll(struct mf_mh_member *mb, struct mf_mh_reply *r)
{
	u8 *p = mf_mh_host_ptr(mb->base, mb->host) + MF_MH_RESP;
	struct mf_mh_resp rs;
	u16 i;

	mf_mh_inval(MF_MH_S_RESP_INVAL, p, sizeof(rs));
	mf_mh_ld(&rs, p, sizeof(rs));
	if (le32_to_cpu(rs.crc) != mf_mh_crc_of(&rs, sizeof(rs)) ||
	    le64_to_cpu(rs.seq) != mb->seq ||
	    le16_to_cpu(rs.nr_ext) > MF_MH_MAX_EXT)
		return -EAGAIN;
	memset(r, 0, sizeof(*r));
	r->seq = mb->seq;
	r->id = le64_to_cpu(rs.id);
	r->size = le64_to_cpu(rs.size);
	r->epoch = le32_to_cpu(rs.epoch);
	r->gen = le32_to_cpu(rs.gen);
	r->status = -(int)le32_to_cpu(rs.status);
	r->nr_ext = le16_to_cpu(rs.nr_ext);
	for (i = 0; i < r->nr_ext; i++) {
		r->ext[i].start = le32_to_cpu(rs.ext[i].start);
		r->ext[i].len = le32_to_cpu(rs.ext[i].len);
	}
	if (r->status == -ESTALE)
		mb->joined = false;
	return 0;
}

/* A JOIN's answer: the new epoch. */
static void mf_mh_joined(struct mf_mh_member *mb, const struct mf_mh_reply *r)
{
	mb->epoch = r->epoch;
	mb->joined = true;
}

/*
 * Read one directory slot: invalidate, read, check; a torn or unwritten
 * slot is retried, then reported as not yet visible.
 */
static int mf_mh_dir_read(struct mf_mh_member *mb, u32 s,
			  struct mf_mh_dirent *d)
{
	u8 *p = mf_mh_dir_ptr(mb->base, &mb->geo, s);
	int tries;

	for (tries = 0; tries < 3; tries++) {
		mf_mh_inval(MF_MH_S_DIR_INVAL, p, sizeof(*d));
		mf_mh_ld(d, p, sizeof(*d));
		if (le32_to_cpu(d->crc) == mf_mh_crc_of(d, sizeof(*d)) &&
		    le16_to_cpu(d->nr_ext) <= MF_MH_MAX_EXT)
			return 0;
	}
	return -EAGAIN;
}

/* Find published object @id without asking the manager. */
int mf_mh_lookup(struct mf_mh_member *mb, u64 id, struct mf_mh_reply *r)
{
	u32 i, s, n = mb->geo.dir_slots;
	struct mf_mh_dirent d;
	u16 j;
	int ret;

	for (i = 0; i < n; i++) {
		s = (mf_mh_dir_hash(id, n) + i) % n;
		ret = mf_mh_dir_read(mb, s, &d);
		if (ret)
			return ret;
		if (le16_to_cpu(d.state) == MF_MH_DIR_EMPTY)
			return -ENOENT;
		if (le16_to_cpu(d.state) != MF_MH_DIR_PUB ||
		    le64_to_cpu(d.id) != id)
			continue;
		memset(r, 0, sizeof(*r));
		r->id = id;
		r->size = le64_to_cpu(d.size);
		r->gen = le32_to_cpu(d.gen);
		r->seq = le64_to_cpu(d.seq);
		r->nr_ext = le16_to_cpu(d.nr_ext);
		for (j = 0; j < r->nr_ext; j++) {
			r->ext[j].start = le32_to_cpu(d.ext[j].start);
			r->ext[j].len = le32_to_cpu(d.ext[j].len);
			if (!mf_mh_ext_ok(&mb->geo, &r->ext[j]))
				return -EUCLEAN;
		}
		return 0;
	}
	return -ENOENT;
}

/*
 * Beat, after checking that the manager has not given this host up: its
 * response slot carries the host's epoch.  -ESTALE: it must rejoin (and
 * its mappings of the pool must fault until it has).
 */
int mf_mh_heartbeat(struct mf_mh_member *mb)
{
	u8 *p = mf_mh_host_ptr(mb->base, mb->host) + MF_MH_HB;
	u8 *rp = mf_mh_host_ptr(mb->base, mb->host) + MF_MH_RESP;
	struct mf_mh_resp rs;
	struct mf_mh_hb hb;

	if (!mb->joined)
		return -ESTALE;
	mf_mh_inval(MF_MH_S_EPOCH_INVAL, rp, sizeof(rs));
	mf_mh_ld(&rs, rp, sizeof(rs));
	if (le32_to_cpu(rs.crc) == mf_mh_crc_of(&rs, sizeof(rs)) &&
	    le32_to_cpu(rs.epoch) != mb->epoch) {
		mb->joined = false;
		return -ESTALE;
	}
	memset(&hb, 0, sizeof(hb));
	hb.beat = cpu_to_le64(++mb->beat);
	hb.epoch = cpu_to_le32(mb->epoch);
	hb.host = cpu_to_le16(mb->host);
	hb.crc = cpu_to_le32(mf_mh_crc_of(&hb, sizeof(hb)));
	mf_mh_st(p, &hb, sizeof(hb));
	mf_mh_wb(MF_MH_S_HB_WB, p, sizeof(hb));
	mf_mh_fence(MF_MH_S_HB_FENCE);
	return 0;
}

static void *mf_mh_ext_ptr(struct mf_mh_member *mb, const struct mf_mh_x *x,
			   size_t *len)
{
	*len = (size_t)x->len * mb->geo.unit_size;
	return mf_mh_unit_ptr(mb->base, &mb->geo, x->start);
}

/* Owner, before PUBLISH (or commit): the data reaches the device first. */
void mf_mh_publish_prepare(struct mf_mh_member *mb,
			   const struct mf_mh_x *ext, u16 nr_ext)
{
	size_t len;
	void *p;
	u16 i;

	for (i = 0; i < nr_ext; i++) {
		p = mf_mh_ext_ptr(mb, &ext[i], &len);
		mf_mh_wb(MF_MH_S_PUB_WB, p, len);
	}
	mf_mh_fence(MF_MH_S_PUB_FENCE);
}

static bool mf_mh_seen(struct mf_mh_member *mb, u64 id, u32 gen)
{
	u32 i;

	for (i = 0; i < MF_MH_SEEN; i++)
		if (mb->seen[i].id == id && mb->seen[i].gen == gen)
			return true;
	return false;
}

static void mf_mh_seen_add(struct mf_mh_member *mb, u64 id, u32 gen)
{
	mb->seen[mb->seen_next].id = id;
	mb->seen[mb->seen_next].gen = gen;
	mb->seen_next = (mb->seen_next + 1) % MF_MH_SEEN;
}

/* Owner, after PUBLISH: its own lines are the published bytes. */
void mf_mh_published(struct mf_mh_member *mb, u64 id, u32 gen)
{
	if (!mf_mh_seen(mb, id, gen))
		mf_mh_seen_add(mb, id, gen);
}

/*
 * Before this host first maps or reads generation @gen of object @id:
 * prefetch may hold lines of an earlier owner of the same units.  Lines
 * loaded afterwards are the published bytes while the object lives.
 */
void mf_mh_map_prepare(struct mf_mh_member *mb, u64 id, u32 gen,
		       const struct mf_mh_x *ext, u16 nr_ext)
{
	size_t len;
	void *p;
	u16 i;

	if (mf_mh_seen(mb, id, gen))
		return;
	for (i = 0; i < nr_ext; i++) {
		p = mf_mh_ext_ptr(mb, &ext[i], &len);
		mf_mh_inval(MF_MH_S_MAP_INVAL, p, len);
	}
	mf_mh_seen_add(mb, id, gen);
}

/* Owner, before FREE: no dirty line may reach the units once reused. */
void mf_mh_free_prepare(struct mf_mh_member *mb,
			const struct mf_mh_x *ext, u16 nr_ext)
{
	size_t len;
	void *p;
	u16 i;

	for (i = 0; i < nr_ext; i++) {
		p = mf_mh_ext_ptr(mb, &ext[i], &len);
		mf_mh_inval(MF_MH_S_FREE_INVAL, p, len);
	}
}

/* Reader, before its host's last PUT (the acknowledgment of a handoff). */
void mf_mh_put_prepare(struct mf_mh_member *mb,
		       const struct mf_mh_x *ext, u16 nr_ext)
{
	size_t len;
	void *p;
	u16 i;

	for (i = 0; i < nr_ext; i++) {
		p = mf_mh_ext_ptr(mb, &ext[i], &len);
		mf_mh_inval(MF_MH_S_PUT_INVAL, p, len);
	}
}

/*
 * Before a JOIN: mappings are gone; write back and drop every line, so
 * that the manager can release what was quarantined for this host.
 */
void mf_mh_rejoin_prepare(struct mf_mh_member *mb)
{
	mf_mh_wbinval_all(MF_MH_S_REJOIN_WBINV);
	memset(mb->seen, 0, sizeof(mb->seen));
	mb->joined = false;
}

/* The answer to a JOIN was read: the host is a member again. */
int mf_mh_join_done(struct mf_mh_member *mb, const struct mf_mh_reply *r)
{
	if (r->status)
		return r->status;
	mf_mh_joined(mb, r);
	return 0;
}
