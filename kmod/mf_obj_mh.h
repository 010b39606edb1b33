/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_obj_mh.h - objects on a multi-host pool, shared by the object core's
 * glue (mf_obj_mh.c: alloc, publish, release) and the lookup by name
 * (mf_obj_mh_get.c) that sits above the object layer.
 */
#ifndef MF_OBJ_MH_H
#define MF_OBJ_MH_H

#include <crypto/sha2.h>

#include "mf_mh.h"
#include "mf_object.h"

#define MF_MH_NAME_MAGIC	0x454d414e484d464dULL	/* "MFMHNAME" */

/**
 * struct mf_obj_mh - an object's place in a multi-host pool
 * @id: the protocol's object id
 * @gen: its generation (0 private; the published one after publish)
 * @remote: another host's published object, got by name; this host's
 *	reference to it at the manager lives as long as the local object
 * @published: the owner published it (the owner holds a reference)
 * @epoch: this host's epoch when the manager made or gave it; the object
 *	is dead once the host's epoch is another (mf_obj_mh_dead())
 * @nr_ext: extents in @ext
 * @ext: the extents, in units of the device's data area
 */
struct mf_obj_mh {
	u64 id;
	u32 gen;
	bool remote;
	bool published;
	u32 epoch;
	u16 nr_ext;
	struct mf_mh_x ext[MF_MH_MAX_EXT];
};

/* The first unit of an object's first extent, written by its owner. */
struct mf_obj_mh_name {
	__le64 magic;
	__le64 size;
	__le64 id;
	u8 salt[16];
	u8 hash[SHA256_DIGEST_SIZE];
	char ns[MF_NS_NAME_LEN];
	char obj[MF_OBJ_ID_LEN];
	__le32 pad;
	__le32 crc;
};

u32 mf_obj_mh_crc(const struct mf_obj_mh_name *nb);
u64 mf_obj_mh_name_hash(const char *ns, const char *id);
u64 mf_obj_mh_unit_off(struct mf_mh_member *mb, u32 unit);
int mf_obj_mh_pieces(struct mf_obj_pool *opool, struct mf_mh_member *mb,
		     const struct mf_mh_x *ext, u16 nr_ext, u64 from, u64 len,
		     struct mf_pieces **out);
void mf_obj_mh_drop(struct mf_pool *pool, struct mf_obj_mh *mho);

#endif /* MF_OBJ_MH_H */
