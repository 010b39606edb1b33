/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_mh_int.h - private to the multi-host protocol core: the offsets of the
 * device layout, the small layout and checksum helpers every side uses,
 * and the calls between the core's files.  mf_mh.h is the core's
 * interface to the rest of memfabric and to the simulator.
 *
 * The core's files, by job; each calls only the ones listed before it:
 *
 *   mf_mh_format.c	the on-device format: geometry, crc32c, the
 *			superblock, the log record codec, format
 *   mf_mh_state.c	the manager's DRAM state, the replay of the log
 *   mf_mh_mgr.c	the manager: commit, requests, rebuild, deletion by
 *			age
 *   mf_mh_member.c	a member: attach, requests, directory lookups, the
 *			cache work around publish, map, free and put
 *   mf_mh_lease.c	leases and membership on both sides: heartbeats,
 *			LEAVE, rejoining; the manager's tick
 *
 * All of them are portable C, built into memfabric.ko and, unchanged, into
 * the simulator (tests/Makefile, tests/host/ncsim/mutate.sh).
 */
#ifndef MF_MH_INT_H
#define MF_MH_INT_H

#include "mf_mh.h"

/* Offsets from the pool's base, and within a host's 256 bytes. */
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

static inline u32 mf_mh_crc(const void *p, size_t len)
{
	return ~mf_mh_crc32c(~0U, p, len);
}

/* The checksum of a record whose last field is its __le32 crc. */
static inline u32 mf_mh_crc_of(const void *p, size_t size)
{
	return mf_mh_crc(p, size - sizeof(__le32));
}

static inline u64 mf_mh_dir_off(const struct mf_mh_geo *g)
{
	return MF_MH_HOST_OFF + (u64)g->nr_hosts * MF_MH_HOST_BYTES;
}

static inline u64 mf_mh_log_off(const struct mf_mh_geo *g)
{
	return mf_mh_dir_off(g) + (u64)g->dir_slots * sizeof(struct mf_mh_dirent);
}

static inline u8 *mf_mh_host_ptr(u8 *base, u32 h)
{
	return base + MF_MH_HOST_OFF + (u64)h * MF_MH_HOST_BYTES;
}

static inline u8 *mf_mh_dir_ptr(u8 *base, const struct mf_mh_geo *g, u32 s)
{
	return base + mf_mh_dir_off(g) + (u64)s * sizeof(struct mf_mh_dirent);
}

static inline u8 *mf_mh_log_ptr(u8 *base, const struct mf_mh_geo *g, u64 i)
{
	return base + mf_mh_log_off(g) + i * MF_MH_ENT_SIZE;
}

/* The directory slot a name's hash probes first. */
static inline u32 mf_mh_dir_hash(u64 name, u32 slots)
{
	return (u32)((name * 0x9e3779b97f4a7c15ULL) >> 32) % slots;
}

static inline int mf_mh_ext_ok(const struct mf_mh_geo *g,
			       const struct mf_mh_x *x)
{
	return x->len && x->start < g->data_units &&
	       x->len <= g->data_units - x->start;
}

/* mf_mh_format.c */
int mf_mh_geo_ok(const struct mf_mh_geo *g);
int mf_mh_sb_decode(const struct mf_mh_sb *sb, struct mf_mh_geo *g,
		    u32 *manager);
void mf_mh_rec_encode(const struct mf_mh_rec *r, struct mf_mh_entry *e);
int mf_mh_rec_decode(const struct mf_mh_geo *g, const struct mf_mh_entry *e,
		     struct mf_mh_rec *r);

/* mf_mh_state.c */
struct mf_mh_obj *mf_mh_find(const struct mf_mh_mgr *m, u64 id);
struct mf_mh_obj *mf_mh_find_name(const struct mf_mh_mgr *m, u64 name);
u32 mf_mh_dir_tombs(const struct mf_mh_mgr *m, u32 s);
int mf_mh_apply(struct mf_mh_mgr *m, const struct mf_mh_rec *r);

/* mf_mh_mgr.c */
void mf_mh_resp_put(struct mf_mh_mgr *m, u32 h, u64 seq, int status,
		    const struct mf_mh_rec *r);
int mf_mh_commit(struct mf_mh_mgr *m, struct mf_mh_rec *r);
int mf_mh_mgr_reap(struct mf_mh_mgr *m);

#endif /* MF_MH_INT_H */
