/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_chunk.h - object chunks (mf_chunk.c): the primitives the data path
 * (mf_data.c) and gather (mf_gather.c) move bytes with.
 */
#ifndef MF_CHUNK_H
#define MF_CHUNK_H

#include <linux/sizes.h>
#include <linux/types.h>

struct mf_obj;
struct mf_file;

/* Bytes moved per chunk (a multiple of 8, for the reductions). */
#define MF_BOUNCE_SIZE		SZ_64K

int mf_obj_xfer_locked(struct mf_obj *obj, u64 off, void *buf, u64 len,
		       bool write);
int mf_obj_read_chunk(struct mf_obj *obj, u64 off, void *buf, u64 len);
int mf_obj_check_range(struct mf_obj *obj, u64 off, u64 len);
bool mf_ranges_overlap(u64 a, u64 len_a, u64 b, u64 len_b);
void *mf_bounce_alloc(u64 len);
int mf_xfer_interrupted(void);
int mf_obj_copy_range(struct mf_obj *src, u64 soff, struct mf_obj *dst,
		      u64 doff, u64 len, void *buf,
		      const struct mf_file *mff);

#endif /* MF_CHUNK_H */
