/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfobj.h - helpers of the object tests (tests/guest/t_ns.c, t_obj*.c):
 * the namespace and object ioctls, the pool they run in, the counters of
 * /sys/kernel/memfabric/stats, and the leak check every test file ends
 * with.  Include after mftest.h and mfpool.h.  The functions live in
 * tests/lib/mfobj.c (build/tests/libmftest.a).
 *
 * The tests use pool0 (the fsdax pool mfvm attaches) when it is there,
 * else they attach a ram pool of their own.
 */
#ifndef MFOBJ_H
#define MFOBJ_H

#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/memfabric.h>

#define MFO_STATS	"/sys/kernel/memfabric/stats"
#define MFO_OWN_POOL	"t_objpool"

/* Defined in tests/lib/mfobj.c (build/tests/libmftest.a). */
extern char mfo_pool[MF_POOL_NAME_LEN];
extern int mfo_own_pool;

/* Copy @src into a zeroed field of @len bytes (maybe unterminated). */
void mfo_str(char *dst, size_t len, const char *src);

long long mfo_stat(const char *name);

/* The counters that must come back to where they were. */
#define MFO_NR_LEAK_STATS 7
extern const char *const mfo_leak_stats[MFO_NR_LEAK_STATS];

/**
 * struct mfo_snap - what a test file must leave as it found it
 * @stats: the leak counters
 * @pool_free: free bytes of the test pool
 * @pool_extents: allocated extents of the test pool
 */
struct mfo_snap {
	long long stats[MFO_NR_LEAK_STATS];
	unsigned long long pool_free;
	unsigned long long pool_extents;
};

void mfo_snapshot(struct mfo_snap *s);

/* Wait up to 2 s for the counters to settle, then compare. */
void mfo_check_snapshot(const struct mfo_snap *before,
			const char *when);

/* Use pool0, or attach a ram pool when there is none. */
void mfo_setup_pool(int fd);

void mfo_teardown_pool(int fd);

int mfo_ns_create(int fd, const char *pool, const char *ns,
		  const char *secid, uint64_t ttl, uint32_t attr);

int mfo_ns_destroy(int fd, const char *pool, const char *ns,
		   const char *secid, uint32_t flags,
		   struct mf_ns_destroy *out);

void mfo_name(struct mf_obj_name *n, const char *pool,
	      const char *ns, const char *secid, const char *id);

/* Allocate; returns 0 with the map offset in *mo (and the id in @id_out). */
int mfo_alloc(int fd, const char *ns, const char *secid,
	      const char *id, uint64_t bytes, uint64_t *mo,
	      char *id_out);

int mfo_get(int fd, const char *ns, const char *secid,
	    const char *id, uint64_t *mo, struct mf_obj_get *out);

int mfo_put(int fd, uint64_t mo);

int mfo_free(int fd, const char *ns, const char *secid,
	     const char *id);

int mfo_publish(int fd, const char *ns, const char *secid,
		const char *id);

int mfo_stat_obj(int fd, uint64_t mo, struct mf_obj_stat *st);

/* READ or WRITE, naming the object by map offset and serial (0: any). */
int mfo_io_serial(int fd, unsigned long cmd, uint64_t mo,
		  uint64_t serial, uint64_t off, uint64_t len,
		  void *buf);

int mfo_io(int fd, unsigned long cmd, uint64_t mo,
	   uint64_t off, uint64_t len, void *buf);

int mfo_read(int fd, uint64_t mo, uint64_t off, uint64_t len,
	     void *buf);

int mfo_write(int fd, uint64_t mo, uint64_t off, uint64_t len,
	      const void *buf);

int mfo_expand(int fd, uint64_t mo, uint64_t bytes);

int mfo_derive(int fd, uint64_t src, const char *ns,
	       const char *secid, const char *id, uint64_t *mo);

/* The object's references as MF_IOC_OBJ_STAT reports them, or -1. */
long long mfo_refs(int fd, uint64_t mo);

/*
 * Run @fn(@fd, @arg) in a child that kept @fd but is nobody (uid and gid
 * 65534, no groups, no capabilities); returns its exit status, or -1.
 */
int mfo_as_nobody(int fd, int (*fn)(int fd, void *arg),
		  void *arg);

/* The errno of a call that returned @ret (0/-1+errno): 0, errno, or 253. */
int mfo_errno(int ret);

/* Drop to @uid (and its gid, no groups) for good; uid 0 stays root. 0 or -1. */
int mfo_become(uid_t uid);

/*
 * Run @fn(@fd, @arg) as @uid (mfo_become()) in a child that shares @fd;
 * returns its exit status, 254 if it could not become @uid, or -1.
 */
int mfo_as_uid(uid_t uid, int (*fn)(int fd, void *arg), int fd, void *arg);

/*
 * One pool-administration operation through @fd, for the permission
 * tables of t_perm and t_file_bind; returns 0 or the errno (mfo_errno()),
 * 251 for an unknown @op.  @prefix names what it makes and undoes
 * ("<prefix>p", "<prefix>_none", "<prefix>_own"); @tag tags the extent.
 *   0 POOL_ATTACH (a ram pool, detached again)  1 POOL_DETACH (none)
 *   2 EXTENT_ALLOC (freed again)   3 EXTENT_FREE (of nothing)
 *   4 EXTENT_LIST   5 POOL_CHECK   6 POOL_LIST (info of mfo_pool)
 *   7 NS_CREATE + NS_DESTROY of a namespace of one's own
 */
#define MFO_NR_POOL_OPS 8
int mfo_pool_op(int fd, int op, const char *prefix, uint32_t tag);

/*
 * MF_IOC_OBJ_COPY of @len bytes from @src at @soff to @dst at @doff; the
 * serials @ss and @ds (0: none) name the objects' generations.  0 or -1.
 */
int mfo_copy(int fd, uint64_t src, uint64_t soff, uint64_t ss,
	     uint64_t dst, uint64_t doff, uint64_t ds, uint64_t len);

/* Send descriptor @fd with the byte @c over socket @sock (SCM_RIGHTS). */
int mfo_send_fd(int sock, int fd, char c);

/*
 * Receive a descriptor sent over @sock with one byte (SCM_RIGHTS): the
 * descriptor, -1 if nothing came, -2 if no descriptor came with it.
 */
int mfo_recv_fd(int sock);

/* The NS_LIST entry of @ns in mfo_pool: 0, or -1 if it is not listed. */
int mfo_ns_info(int fd, const char *ns, struct mf_ns_info *out);

/* Fill @buf with a pattern that depends on @seed and the offset. */
void mfo_pattern(void *buf, size_t len, uint64_t seed,
		 uint64_t off);

int mfo_check_pattern(const void *buf, size_t len,
		      uint64_t seed, uint64_t off);

/* mmap() object @mo (a map offset) from byte @off; MAP_FAILED on error. */
void *mfo_map(int fd, uint64_t mo, uint64_t off, size_t len,
	      int prot, int flags, void *addr);

/* MF_IOC_OBJ_COMMIT of [@addr, @addr + @len) into @id of @ns. */
int mfo_commit(int fd, void *addr, uint64_t len,
	       const char *ns, const char *secid, const char *id,
	       uint32_t flags, struct mf_obj_commit *out);

/* A field of /proc/self/smaps_rollup ("Rss", "Pss", ...) in KiB, or -1. */
long long mfo_smaps_kb(const char *field);

/* Write @s to the file @path (a sysfs or module parameter): 0 or -1. */
int mfo_file_write(const char *path, const char *s);

/* The number at the start of file @path, or -1. */
long mfo_file_long(const char *path);

/* How often @what occurs in the kernel log, or -1. */
int mfo_klog_count(const char *what);

/*
 * The start of an object test file: mft_init(), open the device, use
 * pool0 or a pool of its own, snapshot the counters, create namespace
 * @ns.  Returns the open device; exits with status 2 if the namespace
 * cannot be made.
 */
int mfo_begin(const char *argv0, const char *ns,
	      const char *secid, struct mfo_snap *snap);

/*
 * The end of it: destroy @ns (it must be empty), check the counters
 * against @snap (@when names the check), let go of the pool and the
 * device.  Returns mft_done().
 */
int mfo_end(int fd, const char *ns, const char *secid,
	    const struct mfo_snap *snap, const char *when);

#endif /* MFOBJ_H */
