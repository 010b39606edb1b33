/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_record.h - the format of the namespace and object records in a
 * persistent pool, shared by their writer (mf_record.c) and their reader
 * at attach (mf_obj_attach.c).
 */
#ifndef MF_RECORD_H
#define MF_RECORD_H

#include <linux/build_bug.h>
#include <linux/crc32.h>
#include <linux/types.h>

#include "mf_object.h"

#define MF_NS_REC_MAGIC		0x31434552534e464dULL	/* "MFNSREC1" */
#define MF_OBJ_REC_MAGIC	0x314345524f424f4dULL	/* "MOBOREC1" */
#define MF_REC_VERSION		1

/**
 * struct mf_ns_rec - a namespace's record, little endian
 * @magic: MF_NS_REC_MAGIC
 * @version: MF_REC_VERSION
 * @rec_size: sizeof(struct mf_ns_rec)
 * @self: offset of this record in the pool's data area
 * @pool_uuid: the pool's UUID
 * @name: the namespace's name, NUL-padded
 * @secid_hash: SHA-256 of @salt and the secId
 * @salt: the salt
 * @ttl: seconds
 * @ctime: creation time
 * @attr: the attribute word
 * @flags: 0
 * @reserved: 0
 * @pad: 0
 * @checksum: crc32c of the record up to this field
 */
struct mf_ns_rec {
	__le64 magic;
	__le32 version;
	__le32 rec_size;
	__le64 self;
	u8 pool_uuid[16];
	char name[MF_NS_NAME_LEN];
	u8 secid_hash[32];
	u8 salt[16];
	__le64 ttl;
	__le64 ctime;
	__le32 attr;
	__le32 flags;
	__le64 reserved[4];
	__le32 pad;
	__le32 checksum;
};

static_assert(sizeof(struct mf_ns_rec) == 216);

/**
 * struct mf_rec_piece - a piece in an object record
 * @off: where it starts in the pool's data area
 * @len: its length
 * @base: the data extent that holds it
 */
struct mf_rec_piece {
	__le64 off;
	__le64 len;
	__le64 base;
};

/**
 * struct mf_obj_rec - an object's record, little endian
 * @magic: MF_OBJ_REC_MAGIC
 * @version: MF_REC_VERSION
 * @nr: pieces in @e
 * @self: offset of this record in the pool's data area
 * @pool_uuid: the pool's UUID
 * @gen: generation; the highest valid one of an object wins
 * @ns_record: offset of its namespace's record
 * @id: the object's id, NUL-padded
 * @size: its size
 * @ctime: its creation time
 * @type: MF_OBJ_PRIVATE_RW or MF_OBJ_SHARED_RO
 * @owner: its owner's uid (in the initial user namespace)
 * @reserved: 0
 * @pad: 0
 * @checksum: crc32c of the record up to this field, then of @e
 * @e: the pieces, in object order
 */
struct mf_obj_rec {
	__le64 magic;
	__le32 version;
	__le32 nr;
	__le64 self;
	u8 pool_uuid[16];
	__le64 gen;
	__le64 ns_record;
	char id[MF_OBJ_ID_LEN];
	__le64 size;
	__le64 ctime;
	__le32 type;
	__le32 owner;
	__le64 reserved[4];
	__le32 pad;
	__le32 checksum;
	struct mf_rec_piece e[];
};

static_assert(sizeof(struct mf_obj_rec) == 184);

static inline u32 mf_ns_rec_csum(const struct mf_ns_rec *r)
{
	return ~__crc32c_le(~0U, (const u8 *)r,
			    offsetof(struct mf_ns_rec, checksum));
}

static inline u32 mf_obj_rec_csum(const struct mf_obj_rec *r, u32 nr)
{
	u32 crc = __crc32c_le(~0U, (const u8 *)r,
			      offsetof(struct mf_obj_rec, checksum));

	return ~__crc32c_le(crc, (const u8 *)r->e, nr * sizeof(r->e[0]));
}

#endif /* MF_RECORD_H */
