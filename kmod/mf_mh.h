/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_mh.h - memfabric's multi-host protocol core: one pool on a CXL 2.0
 * device shared by up to 16 hosts without cache coherence between them.
 * The device layout, the manager's and the members' state and calls.
 * Documentation/multihost.md describes the protocol.
 */
#ifndef MF_MH_H
#define MF_MH_H

#include "mf_mh_cache.h"

#define MF_MH_LINE		64
#define MF_MH_MAX_HOSTS		16
#define MF_MH_MAX_EXT		4
#define MF_MH_MAGIC		0x31305f484d464d4dULL	/* "MMFMH_01" */
#define MF_MH_VERSION		2	/* 2: directory by name hash, EXTEND */
#define MF_MH_HOST_BYTES	256	/* request, heartbeat, response x2 */
#define MF_MH_SEEN		64	/* generations a member remembers */

/* Requests (struct mf_mh_req.op) and log records (mf_mh_entry.type). */
enum {
	MF_MH_OP_JOIN = 1,	/* (re)register; returns the new epoch */
	MF_MH_OP_ALLOC,		/* arg: size; returns a private object */
	MF_MH_OP_DERIVE,	/* id: parent; a private object of its size */
	MF_MH_OP_PUBLISH,	/* id: own private object (also commit); arg: name hash */
	MF_MH_OP_GET,		/* id, gen: this host's first reference */
	MF_MH_OP_PUT,		/* id: this host's last reference */
	MF_MH_OP_FREE,		/* id: own private object */
	MF_MH_OP_LEAVE,		/* a clean leave (detach); caches flushed */
	MF_MH_OP_EXPAND,	/* id: own private object, arg: new size */
	MF_MH_OP_MAX
};

enum {
	MF_MH_REC_CREATE = 1,	/* id, host=owner, a=size, b=parent, ext */
	MF_MH_REC_PUBLISH,	/* id, gen, a=directory slot, b=time, c=name */
	MF_MH_REC_REF,		/* id, host, a=1 get / 0 put */
	MF_MH_REC_DELETE,	/* id, a=quarantine mask */
	MF_MH_REC_JOIN,		/* host, epoch */
	MF_MH_REC_LEAVE,	/* host, epoch; a=0 lease expired, 1 clean */
	MF_MH_REC_EXTEND,	/* id, host=owner, a=new size, ext: all */
};

enum { MF_MH_DIR_EMPTY, MF_MH_DIR_PUB, MF_MH_DIR_TOMB };
enum { MF_MH_OBJ_PRIVATE = 1, MF_MH_OBJ_PUBLISHED };
enum { MF_MH_HOST_NONE, MF_MH_HOST_JOINED, MF_MH_HOST_DEAD };

/* ---- on the device: little endian, each line written by one host ---- */

struct mf_mh_ext {
	__le32 start;		/* in units from the data area's start */
	__le32 len;		/* in units */
};

/* Line 0, written by the manager at format. */
struct mf_mh_sb {
	__le64 magic;
	__le32 version;
	__le32 nr_hosts;
	__le32 log_entries;
	__le32 dir_slots;
	__le32 data_units;
	__le32 unit_size;
	__le32 manager;
	__le32 pad[6];
	__le32 crc;
};

/* Line 1, manager: the number of committed log entries. */
struct mf_mh_head {
	__le64 seq;
	__le64 pad[6];
	__le32 pad2;
	__le32 crc;
};

/* Host h's line 0: written by member h only. */
struct mf_mh_req {
	__le64 seq;
	__le32 epoch;
	__le16 op;
	__le16 host;
	__le64 id;
	__le64 arg;
	__le32 gen;
	__le32 pad[6];
	__le32 crc;
};

/* Host h's line 1: written by member h only. */
struct mf_mh_hb {
	__le64 beat;
	__le32 epoch;
	__le16 host;
	__le16 pad0;
	__le64 pad[5];
	__le32 pad1;
	__le32 crc;
};

/* Host h's lines 2-3: written by the manager only. */
struct mf_mh_resp {
	__le64 seq;		/* the request answered */
	__le32 epoch;		/* the host's epoch */
	__le32 status;		/* 0 or a positive errno */
	__le64 id;
	__le64 size;
	__le32 gen;
	__le16 op;
	__le16 nr_ext;
	struct mf_mh_ext ext[MF_MH_MAX_EXT];
	__le32 pad[13];
	__le32 crc;
};

/*
 * A directory slot (2 lines), manager only: a published object, in the
 * slot its name's hash probes first or the first one after it that was
 * not published (linear probing).
 */
struct mf_mh_dirent {
	__le64 id;
	__le64 size;
	__le64 seq;		/* log sequence of the publish record */
	__le32 gen;
	__le16 state;		/* MF_MH_DIR_* */
	__le16 nr_ext;
	__le32 owner;
	struct mf_mh_ext ext[MF_MH_MAX_EXT];
	__le32 pad0;
	__le64 name;		/* the name's hash (PUBLISH's arg) */
	__le32 pad[11];
	__le32 crc;
};

static_assert(sizeof(struct mf_mh_dirent) == 128, "2 lines, crc last");

/* A log entry (2 lines), manager only, append-only. */
struct mf_mh_entry {
	__le64 seq;		/* index + 1 */
	__le64 id;
	__le64 req_seq;		/* the request it executes, 0: none */
	__le64 a;
	__le64 b;
	__le32 type;
	__le32 gen;
	__le32 epoch;
	__le16 host;
	__le16 nr_ext;
	struct mf_mh_ext ext[MF_MH_MAX_EXT];
	__le64 c;
	__le32 pad[7];
	__le32 crc;
};

static_assert(sizeof(struct mf_mh_entry) == 128, "2 lines, crc last");

/* ---- in DRAM, CPU endian ---- */

struct mf_mh_geo {
	u32 nr_hosts;		/* 1..MF_MH_MAX_HOSTS */
	u32 log_entries;
	u32 dir_slots;
	u32 data_units;
	u32 unit_size;		/* a multiple of MF_MH_LINE */
	u32 version;		/* the superblock's; format writes the newest */
};

struct mf_mh_x {
	u32 start;
	u32 len;
};

/* A decoded log record. */
struct mf_mh_rec {
	u64 seq, id, req_seq, a, b, c;
	u32 type, gen, epoch;
	u16 host, nr_ext;
	struct mf_mh_x ext[MF_MH_MAX_EXT];
};

struct mf_mh_obj {
	u64 id;
	u64 size;
	u64 name;		/* published: its name's hash, unique */
	u64 born;		/* manager time of the publish */
	u32 gen;
	u32 dir_slot;
	u16 refs;		/* hosts holding a reference */
	u16 mapped;		/* hosts that held one since creation */
	u8 state;		/* MF_MH_OBJ_* */
	u8 owner;
	u16 nr_ext;
	struct mf_mh_x ext[MF_MH_MAX_EXT];
};

struct mf_mh_hoststate {
	u32 epoch;
	u8 state;		/* MF_MH_HOST_* */
	bool have_last;
	u64 last_seq;		/* last request executed or answered */
	u64 resp_seq;		/* last request answered on the device */
	u64 beat;
	u64 seen;		/* manager time the beat last changed */
	struct mf_mh_rec last;	/* record of the last logged request */
};

/*
 * The manager of one pool.  @lock serializes everything the manager does:
 * it guards the DRAM state below, and it makes the manager's host the one
 * writer of the metadata lines the manager owns (log, head, directory,
 * response slots).  The fields marked "init" are set by mf_mh_mgr_init()
 * before the struct is shared and never change after; the others are
 * under @lock.  mf_mh_mgr_poll() and mf_mh_mgr_tick() take it; a caller
 * of mf_mh_mgr_find() or mf_mh_mgr_check() holds it.  It sleeps.
 */
struct mf_mh_mgr {
	struct mf_mh_lock lock;
	u8 *base;		/* init */
	struct mf_mh_geo geo;	/* init */
	u32 self;		/* init: the manager's host number */
	u64 head;		/* lock: committed log entries */
	u64 next_id;		/* lock */
	u64 now;		/* lock: the manager's clock, last poll or tick */
	u64 lease, ttl;		/* init */
	struct mf_mh_obj *objs;	/* init: the array; its entries: lock */
	u32 nr_objs;		/* lock */
	u32 max_objs;		/* init */
	u8 *used;		/* lock: per unit: in a live object */
	u16 *qmask;		/* lock: per unit: hosts that must rejoin first */
	u8 *dirstate;		/* lock: per directory slot: MF_MH_DIR_* */
	u16 dead;		/* lock: hosts given up by lease, not rejoined */
	struct mf_mh_hoststate host[MF_MH_MAX_HOSTS];	/* lock */
	u64 nr_garbage;		/* lock: request lines refused (checksum, host) */
	u64 nr_stale;		/* lock: requests refused for an old epoch */
	u64 nr_expired;		/* lock: leases expired (LEAVE committed) */
};

/* A reply, or a directory entry, as a member sees it. */
struct mf_mh_reply {
	u64 seq, id, size;
	u32 epoch, gen;
	int status;		/* 0 or -errno */
	u16 op, nr_ext;
	struct mf_mh_x ext[MF_MH_MAX_EXT];
};

/*
 * One host's membership in one pool.  @lock guards the fields marked
 * "lock" and makes this host's request and heartbeat lines single-writer
 * within the host; the fields marked "attach" are set by mf_mh_attach()
 * before the struct is shared and never change after.  The calls that
 * touch guarded fields take @lock themselves; mf_mh_lookup() and the
 * publish, free and put preparations read only "attach" fields and take
 * nothing.  One request is in flight per host: the caller serializes each
 * mf_mh_submit() with the mf_mh_poll() calls that wait for its answer.
 * @lock sleeps.
 */
struct mf_mh_member {
	struct mf_mh_lock lock;
	u8 *base;		/* attach */
	struct mf_mh_geo geo;	/* attach */
	u32 host;		/* attach */
	u32 epoch;		/* lock */
	bool joined;		/* lock */
	u64 seq;		/* lock: last request submitted */
	u64 beat;		/* lock */
	struct { u64 id; u32 gen; } seen[MF_MH_SEEN];	/* lock */
	u32 seen_next;		/* lock */
};

/* layout */
u64 mf_mh_dev_size(const struct mf_mh_geo *g);
u64 mf_mh_data_off(const struct mf_mh_geo *g);
void *mf_mh_unit_ptr(u8 *base, const struct mf_mh_geo *g, u32 unit);
int mf_mh_ext_grown(const struct mf_mh_x *old, u16 nr_old,
		    const struct mf_mh_x *ext, u16 nr_ext,
		    struct mf_mh_x *add, u16 *nr_add);

/* manager */
int mf_mh_probe(void *dev, struct mf_mh_geo *g, u32 *manager);
int mf_mh_format(void *base, const struct mf_mh_geo *g, u32 manager);
int mf_mh_mgr_init(struct mf_mh_mgr *m, void *base, u32 max_objs, u64 now,
		   u64 lease, u64 ttl);
void mf_mh_mgr_fini(struct mf_mh_mgr *m);
int mf_mh_mgr_poll(struct mf_mh_mgr *m, u64 now);
int mf_mh_mgr_tick(struct mf_mh_mgr *m, u64 now);
int mf_mh_mgr_check(const struct mf_mh_mgr *m, const char **what, u64 *where);
const struct mf_mh_obj *mf_mh_mgr_find(const struct mf_mh_mgr *m, u64 id);

/* member */
int mf_mh_attach(struct mf_mh_member *mb, void *base, u32 host);
int mf_mh_submit(struct mf_mh_member *mb, u16 op, u64 id, u64 arg, u32 gen);
int mf_mh_poll(struct mf_mh_member *mb, struct mf_mh_reply *r);
int mf_mh_lookup(struct mf_mh_member *mb, u64 name, struct mf_mh_reply *r,
		 u32 *reads);
int mf_mh_dir_get(struct mf_mh_member *mb, u32 s, struct mf_mh_reply *r);
int mf_mh_heartbeat(struct mf_mh_member *mb);
void mf_mh_publish_prepare(struct mf_mh_member *mb,
			   const struct mf_mh_x *ext, u16 nr_ext);
void mf_mh_published(struct mf_mh_member *mb, u64 id, u32 gen);
void mf_mh_map_prepare(struct mf_mh_member *mb, u64 id, u32 gen,
		       const struct mf_mh_x *ext, u16 nr_ext);
void mf_mh_free_prepare(struct mf_mh_member *mb,
			const struct mf_mh_x *ext, u16 nr_ext);
void mf_mh_put_prepare(struct mf_mh_member *mb,
		       const struct mf_mh_x *ext, u16 nr_ext);
void mf_mh_rejoin_prepare(struct mf_mh_member *mb);
void mf_mh_leave_prepare(struct mf_mh_member *mb);
int mf_mh_join_done(struct mf_mh_member *mb, const struct mf_mh_reply *r);

#endif /* MF_MH_H */
