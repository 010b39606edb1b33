// SPDX-License-Identifier: GPL-2.0
/*
 * mf_mh_format.c - the on-device format of a multi-host pool (issue 17,
 * seed 001): its geometry, the crc32c every record carries, the
 * superblock, the log record codec, and format.
 *
 * Several hosts attach one CXL 2.0 memory device whose memory is not
 * coherent between them.  One host per pool, the manager, alone writes the
 * pool's metadata; the members send it requests through per-host
 * mailboxes and read published objects in place.  Every 64-byte line of
 * metadata has exactly one writing host, and no cross-host atomic is used.
 *
 * Device layout (offsets from the pool's base; the geometry is in the
 * superblock; all fields little endian; the records are in mf_mh.h):
 *	0		superblock (manager, at format)
 *	64		log head: number of committed entries (manager)
 *	256 + 256 h	host h: request line (h), heartbeat line (h),
 *			response (2 lines, manager)
 *	dir_off		directory of published objects, 128 bytes a slot
 *			(manager)
 *	log_off		append-only log, 128 bytes an entry (manager)
 *	data_off	data units (rounded up to the unit size)
 *
 * Every record ends with the crc32c of the bytes before it.  Decoding
 * checks the checksum and every bound (host numbers, extents within the
 * data area, record types) so that nothing read from the device is
 * trusted: a record that fails is -EUCLEAN.
 *
 * Nothing here keeps state, so nothing here takes a lock; format runs
 * before any manager or member is attached to the device.
 * Documentation/multihost.md describes the protocol and every flush.
 */
#include "mf_mh_int.h"

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

/* ---- geometry ---- */

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

/*
 * Whether @ext (@nr_ext extents) is @old (@nr_old) grown: the same
 * extents, the last one possibly longer, then new ones (an EXTEND record,
 * the answer to EXPAND).  The units added go to @add, at most
 * MF_MH_MAX_EXT ranges (@nr_add).  Returns 0, or -EUCLEAN if @ext does
 * not extend @old.
 */
int mf_mh_ext_grown(const struct mf_mh_x *old, u16 nr_old,
		    const struct mf_mh_x *ext, u16 nr_ext,
		    struct mf_mh_x *add, u16 *nr_add)
{
	u16 i, k = 0;

	if (!nr_old || nr_ext < nr_old || nr_ext > MF_MH_MAX_EXT)
		return -EUCLEAN;
	for (i = 0; i < nr_old; i++)
		if (ext[i].start != old[i].start || ext[i].len < old[i].len ||
		    (i + 1 < nr_old && ext[i].len != old[i].len))
			return -EUCLEAN;
	i = nr_old - 1;
	if (ext[i].len > old[i].len) {
		add[k].start = old[i].start + old[i].len;
		add[k++].len = ext[i].len - old[i].len;
	}
	for (i = nr_old; i < nr_ext; i++)
		add[k++] = ext[i];
	*nr_add = k;
	return 0;
}

/* ---- the superblock ---- */

int mf_mh_geo_ok(const struct mf_mh_geo *g)
{
	if (!g->nr_hosts || g->nr_hosts > MF_MH_MAX_HOSTS)
		return 0;
	if (!g->log_entries || !g->dir_slots || !g->data_units)
		return 0;
	if (!g->unit_size || g->unit_size % MF_MH_LINE)
		return 0;
	return g->log_entries < (1U << 30) && g->dir_slots < (1U << 24);
}

int mf_mh_sb_decode(const struct mf_mh_sb *sb, struct mf_mh_geo *g,
		    u32 *manager)
{
	g->version = le32_to_cpu(sb->version);
	/* Version 1 placed no name in the directory: format it again. */
	if (le64_to_cpu(sb->magic) != MF_MH_MAGIC ||
	    g->version != MF_MH_VERSION ||
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

/*
 * Read the superblock of the pool at @dev after invalidating it (the cache
 * may hold lines from before a format): its geometry in @g and its
 * manager's host number in @manager; -EUCLEAN if there is no valid one.
 */
int mf_mh_probe(void *dev, struct mf_mh_geo *g, u32 *manager)
{
	u8 *base = dev;
	struct mf_mh_sb sb;

	mf_mh_inval(MF_MH_S_ATTACH_INVAL, base + MF_MH_SB_OFF, sizeof(sb));
	mf_mh_ld(&sb, base + MF_MH_SB_OFF, sizeof(sb));
	return mf_mh_sb_decode(&sb, g, manager);
}

/* ---- log records ---- */

void mf_mh_rec_encode(const struct mf_mh_rec *r, struct mf_mh_entry *e)
{
	u16 i;

	memset(e, 0, sizeof(*e));
	e->seq = cpu_to_le64(r->seq);
	e->id = cpu_to_le64(r->id);
	e->req_seq = cpu_to_le64(r->req_seq);
	e->a = cpu_to_le64(r->a);
	e->b = cpu_to_le64(r->b);
	e->c = cpu_to_le64(r->c);
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

int mf_mh_rec_decode(const struct mf_mh_geo *g, const struct mf_mh_entry *e,
		     struct mf_mh_rec *r)
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
	r->c = le64_to_cpu(e->c);
	r->type = le32_to_cpu(e->type);
	r->gen = le32_to_cpu(e->gen);
	r->epoch = le32_to_cpu(e->epoch);
	r->host = le16_to_cpu(e->host);
	r->nr_ext = le16_to_cpu(e->nr_ext);
	if (r->host >= g->nr_hosts || r->nr_ext > MF_MH_MAX_EXT ||
	    r->type < MF_MH_REC_CREATE || r->type > MF_MH_REC_EXTEND)
		return -EUCLEAN;
	for (i = 0; i < r->nr_ext; i++) {
		r->ext[i].start = le32_to_cpu(e->ext[i].start);
		r->ext[i].len = le32_to_cpu(e->ext[i].len);
		if (!mf_mh_ext_ok(g, &r->ext[i]))
			return -EUCLEAN;
	}
	return 0;
}

/*
 * Format the pool at @dev for geometry @g with host @manager as its
 * manager: every host slot zeroed (no checksum holds), every directory slot
 * empty, the head at 0, the superblock last; then the whole metadata area
 * is written back and fenced.  A format a crash interrupts is done again:
 * the head or the superblock fails its checksum.
 */
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
