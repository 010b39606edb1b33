// SPDX-License-Identifier: GPL-2.0
/*
 * mf_mh_member.c - a member of a multi-host pool (every host, the
 * manager's own included): attach, requests through its mailbox, lookups
 * in the directory without asking the manager, and the cache work its
 * kernel does around publishing, mapping, freeing and putting objects.
 *
 * A member writes only its own request line and its own heartbeat line
 * (mf_mh_lease.c); everything else it reads after invalidating it, and
 * checks: the superblock, its response slot, the directory, published
 * object data.  One request is in flight per host: the request line is
 * written, written back and fenced, and the answer is polled from the
 * response slot until its checksum holds and its sequence is ours.
 *
 * A directory entry is a hint that names a generation; the manager's
 * answer to GET (id, gen) is authoritative.  An (id, gen) pair always has
 * the same extents, as ids are never reused and a generation is immutable.
 *
 * The cache work around objects (Documentation/multihost.md says why each
 * is needed; the mutation test removes each one):
 *   publish	the owner writes back the object's range and fences, before
 *		the request (PUB_WB, PUB_FENCE)
 *   map	before a host first maps or reads (id, gen), it invalidates
 *		the range once (MAP_INVAL): prefetch may hold lines of an
 *		earlier object on the same units; the owner of a publish
 *		needs none (mf_mh_published())
 *   free	the owner writes back and drops the range before FREE
 *		(FREE_INVAL), or a dirty line could land on reused units
 *   put	a reader drops the range before its host's last PUT
 *		(PUT_INVAL, redundant for coherence, kept as the handoff's
 *		acknowledgment)
 *
 * Locking (struct mf_mh_member in mf_mh.h): the calls that change the
 * member's state (sequence, epoch, joined, the memory of seen
 * generations) or write its request line take @mb->lock themselves;
 * mf_mh_lookup() and the publish, free and put preparations read only
 * what mf_mh_attach() set and take nothing.  The caller keeps one request
 * in flight: it serializes a submit with the polls for its answer.
 */
#include "mf_mh_int.h"

/* ---- attach and requests ---- */

/*
 * Attach @mb to the pool at @dev as host @host: read the superblock and
 * this host's own slots after invalidating them (the cache may hold lines
 * from before the format), and continue the sequence numbers after the
 * larger of the request line's and the response's, so that a restarted
 * member never repeats one the manager has served.  @mb is not shared
 * yet: its lock is set up here.
 */
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
	mf_mh_lock_init(&mb->lock);
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

/*
 * Write request @op into this host's request line, with the next sequence
 * number and the current epoch (0 for JOIN); -ESTALE if the host must
 * rejoin first.  Takes @mb->lock.
 */
int mf_mh_submit(struct mf_mh_member *mb, u16 op, u64 id, u64 arg, u32 gen)
{
	u8 *p = mf_mh_host_ptr(mb->base, mb->host) + MF_MH_REQ;
	struct mf_mh_req q;

	mf_mh_lock(&mb->lock);
	if (op != MF_MH_OP_JOIN && !mb->joined) {
		mf_mh_unlock(&mb->lock);
		return -ESTALE;
	}
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
	mf_mh_unlock(&mb->lock);
	return 0;
}

/*
 * The answer to the last request: 0 (see r->status), -EAGAIN: not yet.
 * Takes @mb->lock.
 */
int mf_mh_poll(struct mf_mh_member *mb, struct mf_mh_reply *r)
{
	u8 *p = mf_mh_host_ptr(mb->base, mb->host) + MF_MH_RESP;
	struct mf_mh_resp rs;
	u16 i;

	mf_mh_lock(&mb->lock);
	mf_mh_inval(MF_MH_S_RESP_INVAL, p, sizeof(rs));
	mf_mh_ld(&rs, p, sizeof(rs));
	if (le32_to_cpu(rs.crc) != mf_mh_crc_of(&rs, sizeof(rs)) ||
	    le64_to_cpu(rs.seq) != mb->seq ||
	    le16_to_cpu(rs.nr_ext) > MF_MH_MAX_EXT) {
		mf_mh_unlock(&mb->lock);
		return -EAGAIN;
	}
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
	mf_mh_unlock(&mb->lock);
	return 0;
}

/* ---- lookups ---- */

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

/* @r from directory entry @d: -EUCLEAN if an extent is out of bounds. */
static int mf_mh_dirent_decode(struct mf_mh_member *mb,
			       const struct mf_mh_dirent *d,
			       struct mf_mh_reply *r)
{
	u16 j;

	memset(r, 0, sizeof(*r));
	r->id = le64_to_cpu(d->id);
	r->size = le64_to_cpu(d->size);
	r->gen = le32_to_cpu(d->gen);
	r->seq = le64_to_cpu(d->seq);
	r->nr_ext = le16_to_cpu(d->nr_ext);
	for (j = 0; j < r->nr_ext; j++) {
		r->ext[j].start = le32_to_cpu(d->ext[j].start);
		r->ext[j].len = le32_to_cpu(d->ext[j].len);
		if (!mf_mh_ext_ok(&mb->geo, &r->ext[j]))
			return -EUCLEAN;
	}
	return 0;
}

/*
 * Published directory slot @s, read without asking the manager (the pool
 * check's pass over the directory): 0 with @r filled; -ENOENT the slot
 * holds none; -EAGAIN torn; -EUCLEAN extents out of bounds.  It reads only
 * @mb's attach fields.
 */
int mf_mh_dir_get(struct mf_mh_member *mb, u32 s, struct mf_mh_reply *r)
{
	struct mf_mh_dirent d;
	int ret;

	if (s >= mb->geo.dir_slots)
		return -ENOENT;
	ret = mf_mh_dir_read(mb, s, &d);
	if (ret)
		return ret;
	if (le16_to_cpu(d.state) != MF_MH_DIR_PUB)
		return -ENOENT;
	return mf_mh_dirent_decode(mb, &d, r);
}

/*
 * Find the published object whose name's hash is @name without asking the
 * manager: probe from the hash's slot, each slot invalidated, read and
 * checked (mf_mh_dir_read()), past tombstones and other names, up to an
 * empty slot.  The manager publishes at most one object per hash.  0 with
 * @r filled; -ENOENT none; -EAGAIN a torn slot; -EUCLEAN extents out of
 * bounds.  @reads (if not NULL) gets the slots read.  It reads only @mb's
 * attach fields, so it takes no lock.
 */
int mf_mh_lookup(struct mf_mh_member *mb, u64 name, struct mf_mh_reply *r,
		 u32 *reads)
{
	u32 i, s, n = mb->geo.dir_slots;
	struct mf_mh_dirent d;
	int ret = -ENOENT;

	for (i = 0; i < n; i++) {
		s = (mf_mh_dir_hash(name, n) + i) % n;
		ret = mf_mh_dir_read(mb, s, &d);
		if (ret)
			break;
		ret = -ENOENT;
		if (le16_to_cpu(d.state) == MF_MH_DIR_EMPTY)
			break;
		if (le16_to_cpu(d.state) != MF_MH_DIR_PUB ||
		    le64_to_cpu(d.name) != name)
			continue;
		ret = mf_mh_dirent_decode(mb, &d, r);
		break;
	}
	if (reads)
		*reads = i < n ? i + 1 : n;
	return ret;
}

/* ---- cache work around objects ---- */

static void *mf_mh_ext_ptr(struct mf_mh_member *mb, const struct mf_mh_x *x,
			   size_t *len)
{
	*len = (size_t)x->len * mb->geo.unit_size;
	return mf_mh_unit_ptr(mb->base, &mb->geo, x->start);
}

/* Invalidate an object's extents at call site @site (map, free or put). */
static void mf_mh_inval_ext(struct mf_mh_member *mb, enum mf_mh_site site,
			    const struct mf_mh_x *ext, u16 nr_ext)
{
	size_t len;
	void *p;
	u16 i;

	for (i = 0; i < nr_ext; i++) {
		p = mf_mh_ext_ptr(mb, &ext[i], &len);
		mf_mh_inval(site, p, len);
	}
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

	mf_mh_lock_held(&mb->lock);
	for (i = 0; i < MF_MH_SEEN; i++)
		if (mb->seen[i].id == id && mb->seen[i].gen == gen)
			return true;
	return false;
}

static void mf_mh_seen_add(struct mf_mh_member *mb, u64 id, u32 gen)
{
	mf_mh_lock_held(&mb->lock);
	mb->seen[mb->seen_next].id = id;
	mb->seen[mb->seen_next].gen = gen;
	mb->seen_next = (mb->seen_next + 1) % MF_MH_SEEN;
}

/*
 * Owner, after PUBLISH: its own lines are the published bytes.  Takes
 * @mb->lock.
 */
void mf_mh_published(struct mf_mh_member *mb, u64 id, u32 gen)
{
	mf_mh_lock(&mb->lock);
	if (!mf_mh_seen(mb, id, gen))
		mf_mh_seen_add(mb, id, gen);
	mf_mh_unlock(&mb->lock);
}

/*
 * Before this host first maps or reads generation @gen of object @id:
 * prefetch may hold lines of an earlier owner of the same units.  Lines
 * loaded afterwards are the published bytes while the object lives.
 * Takes @mb->lock, which keeps the memory of seen generations whole.
 */
void mf_mh_map_prepare(struct mf_mh_member *mb, u64 id, u32 gen,
		       const struct mf_mh_x *ext, u16 nr_ext)
{
	mf_mh_lock(&mb->lock);
	if (!mf_mh_seen(mb, id, gen)) {
		mf_mh_inval_ext(mb, MF_MH_S_MAP_INVAL, ext, nr_ext);
		mf_mh_seen_add(mb, id, gen);
	}
	mf_mh_unlock(&mb->lock);
}

/* Owner, before FREE: no dirty line may reach the units once reused. */
void mf_mh_free_prepare(struct mf_mh_member *mb,
			const struct mf_mh_x *ext, u16 nr_ext)
{
	mf_mh_inval_ext(mb, MF_MH_S_FREE_INVAL, ext, nr_ext);
}

/* Reader, before its host's last PUT (the acknowledgment of a handoff). */
void mf_mh_put_prepare(struct mf_mh_member *mb,
		       const struct mf_mh_x *ext, u16 nr_ext)
{
	mf_mh_inval_ext(mb, MF_MH_S_PUT_INVAL, ext, nr_ext);
}

