/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mfproto.h - the wire protocol between libmemfabric and mfserverd
 * (Documentation/remote.md).
 *
 * A client opens one reliable-connected queue pair per server with
 * librdmacm.  Control requests and their replies are small messages sent
 * with SEND/RECV; a client has at most one request outstanding per
 * connection and the server answers each one with exactly one reply
 * carrying the same @seq.  Object data never travels in these messages.
 * It moves one of two ways, per object handle (the reply to ALLOC, GET or
 * PUBLISH says which):
 *
 *  - direct: the server registered its mapping of the object; the reply
 *    carries its address and rkey and the client moves the data itself
 *    with one-sided RDMA READ and WRITE;
 *  - staged (MFP_OBJ_STAGED, rkey 0): the server's kernel refused to
 *    register the mapping (Documentation/remote.md, Status); the client
 *    sends READ or WRITE with the address and rkey of its own registered
 *    buffer, and the server moves the data between that buffer and a
 *    registered staging buffer of the connection with RDMA WRITE (READ)
 *    or RDMA READ (WRITE), copying between staging and the object with
 *    BM_ReadSec/BM_WriteSec.  The reply follows the data (RC ordering).
 *    Both ops work on a direct handle too.
 *
 * All fields are in the host byte order of the server, which must match
 * the client's (checked by HELLO through MFP_MAGIC).  Names are
 * NUL-terminated within their arrays.
 */
#ifndef MEMFABRIC_MFPROTO_H
#define MEMFABRIC_MFPROTO_H

#include <stdint.h>

#define MFP_MAGIC		0x4d465250u	/* "MFRP" */
/* 2: mfp_obj_rep.flags, READ and WRITE (the staged path);
 * 3: MFP_IO_INLINE (small staged transfers inside the messages);
 * 4: authentication: HELLO carries a challenge, AUTH answers it. */
#define MFP_VERSION		4
#define MFP_DEFAULT_PORT	7471
/* The largest message either side sends or receives. */
#define MFP_MSG_MAX		(128 * 1024)
/* Receive buffers the server posts per connection. */
#define MFP_RECV_DEPTH		4

enum mfp_op {
	MFP_HELLO = 1,		/* mfp_hello -> mfp_hello */
	MFP_NS_CREATE,		/* mfp_obj_req (flags = attribute) -> hdr */
	MFP_NS_DESTROY,		/* mfp_obj_req -> hdr */
	MFP_ALLOC,		/* mfp_obj_req -> mfp_obj_rep */
	MFP_GET,		/* mfp_obj_req -> mfp_obj_rep */
	MFP_PUT,		/* mfp_handle_req -> hdr */
	MFP_FREE,		/* mfp_obj_req -> hdr */
	MFP_PUBLISH,		/* mfp_obj_req -> mfp_obj_rep (handle 0: none) */
	MFP_STAT,		/* mfp_handle_req -> mfp_stat_rep */
	MFP_COPY,		/* mfp_copy_req -> hdr */
	MFP_GATHER,		/* mfp_gather_req -> mfp_gather_rep */
	MFP_LIST,		/* hdr -> mfp_list_rep */
	MFP_READ,		/* mfp_io_req -> hdr [+ data] (staged read) */
	MFP_WRITE,		/* mfp_io_req [+ data] -> hdr (staged write) */
	MFP_AUTH,		/* mfp_auth -> hdr (protocol 4) */
	MFP_OP_MAX
};

struct mfp_hdr {
	uint32_t magic;		/* MFP_MAGIC */
	uint16_t version;	/* MFP_VERSION */
	uint16_t op;		/* enum mfp_op */
	uint32_t length;	/* bytes of the message, header included */
	int32_t status;		/* reply: 0 or a negative errno */
	uint64_t seq;		/* request number, echoed by the reply */
};

struct mfp_name {
	char pool[32];		/* a pool of the server; "" its default */
	char ns[64];
	char secid[64];
	char id[64];		/* ALLOC: "" asks for a generated id */
};

/*
 * Authentication (protocol 4, Documentation/remote.md "Authentication").
 * Every client has a secret key that it shares with the servers whose
 * identity map names it.  A connection starts with HELLO and AUTH; any
 * other request before AUTH succeeded is refused (-EACCES) and the
 * connection is closed.
 *
 *  1. HELLO: the client sends its name (@client), the node it means
 *     (@node) and a fresh random @client_nonce.
 *  2. The server replies with its node name, a fresh @server_nonce and
 *     @mac = HMAC-SHA256(key, transcript with label MFP_AUTH_SERVER; its
 *     node is the one the client named).  An unknown client name is
 *     -EACCES.  The client checks @mac before it sends anything else (a
 *     secId above all): a server that does not know the key cannot make
 *     @mac.
 *  3. AUTH: the client sends HMAC-SHA256(key, transcript with label
 *     MFP_AUTH_CLIENT).  The server checks it and from then on does the
 *     connection's requests as the local uid and gid its identity map
 *     gives that client; a wrong one is -EACCES and the end.
 *
 * The transcript is struct mfp_auth_transcript, byte for byte, with the
 * names zero-padded; both nonces make every run's MACs new, so a MAC
 * recorded on the wire is worth nothing later.
 */
#define MFP_NONCE_LEN		32
#define MFP_MAC_LEN		32	/* HMAC-SHA256 */
#define MFP_AUTH_SERVER		"mfp4 server"
#define MFP_AUTH_CLIENT		"mfp4 client"

struct mfp_hello {
	struct mfp_hdr h;
	char node[64];		/* request: the node meant; reply: the server's */
	uint64_t node_number;	/* reply: its number in the cluster, 0 if none */
	char client[64];	/* request: the client's name */
	uint8_t client_nonce[MFP_NONCE_LEN];	/* request */
	uint8_t server_nonce[MFP_NONCE_LEN];	/* reply */
	uint8_t mac[MFP_MAC_LEN];		/* reply: the server's proof */
};

struct mfp_auth {
	struct mfp_hdr h;
	uint8_t mac[MFP_MAC_LEN];	/* the client's proof */
};

/* What both MACs are computed over (label: MFP_AUTH_SERVER or _CLIENT). */
struct mfp_auth_transcript {
	char label[16];
	char client[64];
	char node[64];
	uint8_t client_nonce[MFP_NONCE_LEN];
	uint8_t server_nonce[MFP_NONCE_LEN];
};

struct mfp_obj_req {
	struct mfp_hdr h;
	struct mfp_name name;
	uint64_t size;		/* ALLOC: bytes */
	uint32_t flags;		/* NS_CREATE: the attribute; else 0 */
	uint32_t reserved;
};

/* An object handle of this connection and the region to reach it. */
struct mfp_obj_rep {
	struct mfp_hdr h;
	uint64_t handle;	/* per connection, never 0 */
	uint64_t addr;		/* remote address of byte 0 */
	uint32_t rkey;		/* valid on this connection only; 0: staged */
	uint32_t type;		/* BM_TYPE_*: SHARED_RO has no remote write */
	uint64_t size;		/* object bytes */
	char pool[32];		/* the pool the server used */
	char id[64];		/* the id (ALLOC may generate it) */
	uint32_t flags;		/* MFP_OBJ_* */
	uint32_t reserved;
};

/* mfp_obj_rep.flags */
#define MFP_OBJ_STAGED		0x1	/* no region: use READ and WRITE */

/*
 * A staged READ (object -> client buffer) or WRITE (client buffer ->
 * object) of @length bytes at @offset of object @handle.  @addr/@rkey name
 * a buffer of the client registered on this connection with
 * IBV_ACCESS_REMOTE_WRITE (READ) or IBV_ACCESS_REMOTE_READ (WRITE).
 * With MFP_IO_INLINE (protocol 3; @length at most MFP_IO_INLINE_MAX) the
 * data travels in the messages instead: a WRITE's follows the request, a
 * READ's follows the reply's header (only on success); @addr and @rkey
 * are 0.
 */
struct mfp_io_req {
	struct mfp_hdr h;
	uint64_t handle;
	uint64_t offset;
	uint64_t length;	/* at most MFP_IO_MAX */
	uint64_t addr;		/* the client's buffer */
	uint32_t rkey;
	uint32_t flags;		/* MFP_IO_* */
};

/* mfp_io_req.flags */
#define MFP_IO_INLINE		0x1	/* data in the messages */
#define MFP_IO_INLINE_MAX	(MFP_MSG_MAX - sizeof(struct mfp_io_req))

/* The largest READ or WRITE request: the server's staging buffer
 * (larger ones are -EINVAL; the library sends at most its 4 MiB bounce
 * buffer). */
#define MFP_IO_MAX		(4u << 20)

struct mfp_handle_req {
	struct mfp_hdr h;
	uint64_t handle;
};

struct mfp_stat_rep {
	struct mfp_hdr h;
	uint64_t size;
	uint32_t type;
	uint32_t freed;
	uint64_t refs;
	uint32_t map_count;
	uint32_t owner;
	uint64_t age;
	uint64_t ctime;
	uint32_t nr_extents;
	uint32_t nr_shared;
};

struct mfp_copy_req {
	struct mfp_hdr h;
	uint64_t src, src_offset;
	uint64_t dst, dst_offset;
	uint64_t length;
};

struct mfp_gather_item {
	uint64_t handle;
	uint64_t offset;
	uint64_t length;
};

struct mfp_gather_req {
	struct mfp_hdr h;
	uint32_t op;		/* BmOperatorCode */
	uint32_t count;		/* items that follow */
	uint64_t dst;		/* handle of the destination */
	struct mfp_gather_item items[];
};

struct mfp_gather_rep {
	struct mfp_hdr h;
	uint64_t length;	/* bytes written to the destination */
};

struct mfp_list_rep {
	struct mfp_hdr h;
	uint32_t count;		/* pool names that follow */
	uint32_t reserved;
	char pools[][32];
};

#define MFP_GATHER_MAX_ITEMS \
	((MFP_MSG_MAX - sizeof(struct mfp_gather_req)) / \
	 sizeof(struct mfp_gather_item))

#endif /* MEMFABRIC_MFPROTO_H */
