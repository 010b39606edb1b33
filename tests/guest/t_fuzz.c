// SPDX-License-Identifier: GPL-2.0
/*
 * t_fuzz.c - memfabric's own structured ioctl fuzzer (issue 8, part 2).
 *
 *   t_fuzz [-s SEED] [-t SECONDS] [-n ITERS] [-j THREADS] [-u] [-v]
 *
 * It knows the ABI (include/uapi/linux/memfabric.h): every request starts
 * as a valid one, built from what the fuzzer has created so far (pools,
 * namespaces, objects, handles, raw extents, mappings), and is then
 * mutated or not: the size field (0, size - 1, size + 8 with a non-zero
 * tail, PAGE_SIZE + 1, ...), flags, reserved fields, user pointers (NULL,
 * kernel, non-canonical, unmapped, read-only, ending at a guard page),
 * offsets and lengths near overflow, names without their NUL or with bad
 * characters, map offsets of objects that were put or freed, and random
 * ioctl numbers of memfabric's type.  It also maps, touches, mprotects,
 * mremaps and unmaps objects, forks with mappings, and swaps the open
 * file under the other thread's feet (dup2 of a new open: the old file's
 * release races the ioctls in flight).  It races address-space surgery
 * against the calls that walk the address space (op_race(): mremap with
 * MREMAP_FIXED, munmap, mmap(MAP_FIXED), fork, MADV_DONTNEED, mprotect and
 * faults from a helper thread against COMMIT, DERIVE, PUBLISH, EXPAND,
 * FREE and faults; issue 15), and it checks content, not only return
 * codes: every object it publishes gets a checksum at publish and a
 * sentinel derived from it, checked during the phase and all at its end,
 * and no page written through a MAP_PRIVATE mapping may reach an object.  THREADS threads (-j, or
 * MF_FUZZ_THREADS; default 1, make stress uses 2) share the open file and
 * the object table, so calls race; each has its own mappings.
 *
 * Where the kernel may write.  The kernel checks only that a destination
 * is the caller's memory, so every destination the fuzzer hands it (READ
 * buffers, the arrays of the three LIST ioctls) is either one of the bad
 * addresses (NULL, low, kernel, non-canonical, the read-only page) or lies
 * in the calling thread's scratch region: FZ_BUF bytes mapped on their
 * own, between two PROT_NONE pages, holding nothing the fuzzer uses.  A
 * destination "near the guard page" or a length beyond the region ends in
 * that region's guard page, never in the fuzzer's heap, stack, TLS or
 * libc's data (Documentation/hardening.md: before this rule, a READ whose
 * buffer was computed back from a shared guard page by half its length
 * overwrote libc's stdout, and the fuzzer died of SIGSEGV).  The struct
 * of a call "at the end of a page before a guard page" uses the thread's
 * own such page.  Each READ into the scratch region is fenced by canary
 * bytes on both sides: a kernel that wrote outside [buf, buf + length)
 * fails the test (the fuzzing process exits with status 3).
 *
 * Reproducible: each thread draws from its own xorshift generator seeded
 * with SEED and its index; with -j 1 and -n ITERS a run is the same
 * sequence of calls every time (-v prints them).  The seed is printed
 * first.
 *
 * -u: the fuzzing process drops to nobody (uid/gid 65534, no capabilities)
 * after it opened the device.  Without -u it runs twice, as root and then
 * as nobody, each for half of SECONDS (default 40: make check; make stress
 * gives 600 to each).
 *
 * Checked afterwards, by the parent, as root: the fuzzing process was not
 * killed by a signal it did not expect; no content violation (above; the
 * first is printed with the time it took to find it); after its namespaces are destroyed
 * (MF_NS_FORCE), its raw extents freed and its pools detached, every leak
 * counter and pool0's free bytes and extents are back (mfo_check_snapshot)
 * and MF_IOC_POOL_CHECK of pool0 is clean.  tests/run-suite scans the
 * kernel log for BUG/WARNING/Oops.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define FZ_TAG		0xf022f022f0220000ULL
/* struct mf_obj_io's last field: reserved before ABI 1.5, serial since */
#ifdef MF_FEAT_SERIAL
#define FZ_IO_RSV	serial
#else
#define FZ_IO_RSV	reserved
#endif
#define FZ_NR_NS	3
#define FZ_NR_POOLS	2
#define FZ_MAX_OBJS	128
#define FZ_MAX_STALE	64
#define FZ_MAX_MAPS	16
#define FZ_MAX_EXT	64
#define FZ_BUF		(1 << 20)

static uint64_t fz_seed;
static int fz_secs = 40, fz_threads = 1, fz_nobody_only, fz_verbose;
static long fz_iters;
static volatile int fz_stop;
static int fz_dev;		/* the shared open file (dup2'ed over) */
static int fz_spare[8];		/* spare opens for the unprivileged dup2 */
static int fz_nspare;
static int fz_root;
static long page;
static unsigned char *fz_ro;	/* a read-only page: never written */
static int fz_zero_fd, fz_file_fd, fz_pipe_fd;

static const char *const fz_ns[FZ_NR_NS] = { "fz0", "fz1", "fz2" };
static const char *const fz_sec[FZ_NR_NS] = { "fzsec0", "fzsec1", "fzsec2" };
static const char *const fz_pools[FZ_NR_POOLS] = { "fzp0", "fzp1" };

struct fz_obj {
	uint64_t mo;
	uint64_t bytes;
	int ns;
	int pool;	/* -1: pool0 (mfo_pool); else fz_pools[] */
	char id[MF_OBJ_ID_LEN];
};

static pthread_mutex_t fz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fz_obj fz_objs[FZ_MAX_OBJS];
static unsigned int fz_nobjs;
static uint64_t fz_stale[FZ_MAX_STALE];
static unsigned int fz_nstale;
static uint64_t fz_ext[FZ_MAX_EXT];
static unsigned int fz_next;
static unsigned long fz_calls, fz_ok, fz_faults, fz_fenced, fz_fenced_small;
static unsigned long fz_outside;	/* READs that wrote outside their buffer */

struct fz_race;

struct fz_map {
	unsigned char *addr;
	size_t len;
	int prot;
	int flags;
};

/*
 * One fuzzing thread.  @buf: bytes the kernel reads (WRITE sources); @dst:
 * the only memory of the thread the kernel may write into (FZ_BUF bytes
 * between two PROT_NONE pages); @sp: a page followed by a PROT_NONE page,
 * for structs at the end of a page.
 */
struct fz_thread {
	uint64_t rng;
	int idx;
	struct fz_map maps[FZ_MAX_MAPS];
	unsigned char *buf;
	unsigned char *dst;
	unsigned char *sp;
	long iters;
	struct fz_race *race;
};

static __thread sigjmp_buf fz_jmp;
static __thread volatile int fz_in_touch;

/* ---- randomness --------------------------------------------------------- */

static uint64_t rnd(struct fz_thread *t)
{
	uint64_t x = t->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint64_t rn(struct fz_thread *t, uint64_t n)
{
	return n ? rnd(t) % n : 0;
}

static int chance(struct fz_thread *t, int percent)
{
	return (int)rn(t, 100) < percent;
}

/* A length or offset: small, page-ish, near a limit or near overflow. */
static uint64_t rnd_u64(struct fz_thread *t, uint64_t near)
{
	static const uint64_t v[] = {
		0, 1, 7, 8, 4095, 4096, 4097, 65536, 2 << 20, (2 << 20) + 1,
		1ULL << 31, 1ULL << 32, MF_OBJ_MAX_SIZE, MF_OBJ_MAX_SIZE + 1,
		1ULL << 62, 1ULL << 63, ~0ULL, ~0ULL - 1, ~0ULL - 4095,
		~0ULL >> 1, 0x7fffffffULL, 0xffffffffULL,
	};

	switch (rn(t, 6)) {
	case 0:
		return v[rn(t, sizeof(v) / sizeof(v[0]))];
	case 1:
		return near + rn(t, 3) - 1;
	case 2:
		return ~0ULL - rn(t, 8192);
	case 3:
		return rnd(t);
	default:
		return rn(t, near ? near * 2 + 2 : 8192);
	}
}

/*
 * A user pointer the kernel only reads from: mostly @good, else one of the
 * bad kinds.  "Ends in the guard page" starts at most a page before the
 * thread's own guard page.
 */
static uint64_t rnd_ptr(struct fz_thread *t, void *good, size_t len)
{
	size_t back = len > 1 ? len / 2 : 1;

	if (back > (size_t)page)
		back = page;
	switch (rn(t, 12)) {
	case 0:
		return 0;
	case 1:
		return 16;
	case 2:
		return 0xffff888000000000ULL;		/* kernel direct map */
	case 3:
		return 0x0000800000000000ULL;		/* non-canonical */
	case 4:
		return (uintptr_t)fz_ro;		/* read-only */
	case 5:	/* ends in the guard page */
		return (uintptr_t)(t->sp + page - back);
	case 6:
		return (uintptr_t)good + 1;		/* misaligned */
	default:
		return (uintptr_t)good;
	}
}

/*
 * A destination the kernel writes @len bytes to: one of the bad kinds, in
 * the thread's scratch region (its start, misaligned, or so that it ends
 * in the guard page after it), or one of the thread's own writable
 * mappings of an object that holds all @len bytes (the kernel then faults
 * on an object's mapping under the transfer).  Never anything else of the
 * fuzzer's.
 */
static uint64_t rnd_dst(struct fz_thread *t, uint64_t len)
{
	uint64_t back = len > 1 ? len / 2 : 1;
	struct fz_map *m;

	if (back > FZ_BUF)
		back = FZ_BUF;
	switch (rn(t, 12)) {
	case 0:
		return 0;
	case 1:
		return 16;
	case 2:
		return 0xffff888000000000ULL;		/* kernel direct map */
	case 3:
		return 0x0000800000000000ULL;		/* non-canonical */
	case 4:
		return (uintptr_t)fz_ro;		/* read-only */
	case 5:	/* ends in the guard page after the scratch region */
		return (uintptr_t)(t->dst + FZ_BUF - back);
	case 6:
		return (uintptr_t)t->dst + 1;		/* misaligned */
	case 7:	/* one of the thread's own mappings, if it holds them */
		m = &t->maps[rn(t, FZ_MAX_MAPS)];
		if (m->addr && (m->prot & PROT_WRITE) && len <= m->len)
			return (uintptr_t)m->addr;
		return (uintptr_t)t->dst;
	default:
		return (uintptr_t)t->dst;
	}
}

/* Whether [@b, @b + @len) lies in @t's scratch region. */
static int in_dst(struct fz_thread *t, uint64_t b, uint64_t len)
{
	uint64_t lo = (uintptr_t)t->dst, hi = lo + FZ_BUF;

	return b >= lo && b <= hi && len <= hi - b;
}

#define FZ_FENCE	64
#define FZ_FENCE_BYTE	0xa5

/*
 * The canaries around a READ destination [@b, @b + @len) in the scratch
 * region, where there is room: *@below before it, *@above after it
 * (NULL: none).
 */
static void fence_where(struct fz_thread *t, uint64_t b, uint64_t len,
			unsigned char **below, unsigned char **above)
{
	uint64_t lo = (uintptr_t)t->dst, hi = lo + FZ_BUF;

	*below = b >= lo + FZ_FENCE && b <= hi ?
		 (unsigned char *)(uintptr_t)(b - FZ_FENCE) : NULL;
	*above = in_dst(t, b, len) && hi - (b + len) >= FZ_FENCE ?
		 (unsigned char *)(uintptr_t)(b + len) : NULL;
}

/* Set the canaries of a READ destination; whether there are any. */
static int fence_set(struct fz_thread *t, uint64_t b, uint64_t len)
{
	unsigned char *below, *above;

	fence_where(t, b, len, &below, &above);
	if (below)
		memset(below, FZ_FENCE_BYTE, FZ_FENCE);
	if (above)
		memset(above, FZ_FENCE_BYTE, FZ_FENCE);
	return below || above;
}

/* After the READ @io: the kernel must have written only [@b, @b + @len). */
static void fence_check(struct fz_thread *t, uint64_t b, uint64_t len,
			const struct mf_obj_io *io)
{
	unsigned char *below, *above;
	int i, bad = 0;

	fence_where(t, b, len, &below, &above);
	for (i = 0; i < FZ_FENCE; i++)
		bad |= (below && below[i] != FZ_FENCE_BYTE) ||
		       (above && above[i] != FZ_FENCE_BYTE);
	__atomic_add_fetch(&fz_fenced, 1, __ATOMIC_RELAXED);
	if (len && len <= 256)	/* the kernel's stack-buffer path */
		__atomic_add_fetch(&fz_fenced_small, 1, __ATOMIC_RELAXED);
	if (bad) {
		__atomic_add_fetch(&fz_outside, 1, __ATOMIC_RELAXED);
		fprintf(stderr, "t_fuzz: t%d: READ of %#llx at %#llx, %llu bytes into %#llx, wrote outside its buffer\n",
			t->idx, (unsigned long long)io->obj,
			(unsigned long long)io->offset,
			(unsigned long long)len, (unsigned long long)b);
	}
}

/* ---- the shared tables ---------------------------------------------------- */

static void obj_add(const struct fz_obj *o)
{
	pthread_mutex_lock(&fz_lock);
	if (fz_nobjs < FZ_MAX_OBJS)
		fz_objs[fz_nobjs++] = *o;
	else
		fz_objs[(o->mo >> 12) % FZ_MAX_OBJS] = *o;
	pthread_mutex_unlock(&fz_lock);
}

static int obj_pick(struct fz_thread *t, struct fz_obj *o)
{
	int ok = 0;

	pthread_mutex_lock(&fz_lock);
	if (fz_nobjs) {
		*o = fz_objs[rn(t, fz_nobjs)];
		ok = 1;
	}
	pthread_mutex_unlock(&fz_lock);
	if (!ok) {
		memset(o, 0, sizeof(*o));
		o->pool = -1;
		snprintf(o->id, sizeof(o->id), "none");
	}
	return ok;
}

/* Forget an object (put or freed): its map offset becomes a stale one. */
static void obj_forget(uint64_t mo)
{
	unsigned int i;

	pthread_mutex_lock(&fz_lock);
	for (i = 0; i < fz_nobjs; i++) {
		if (fz_objs[i].mo == mo) {
			fz_objs[i] = fz_objs[--fz_nobjs];
			break;
		}
	}
	fz_stale[fz_nstale++ % FZ_MAX_STALE] = mo;
	pthread_mutex_unlock(&fz_lock);
}

/* A map offset: a live handle, a stale one, or a wrong one. */
static uint64_t rnd_mo(struct fz_thread *t, const struct fz_obj *o)
{
	uint64_t s;

	switch (rn(t, 10)) {
	case 0:
		pthread_mutex_lock(&fz_lock);
		s = fz_nstale ? fz_stale[rn(t, fz_nstale < FZ_MAX_STALE ?
					    fz_nstale : FZ_MAX_STALE)] : 0;
		pthread_mutex_unlock(&fz_lock);
		return s;
	case 1:
		return o->mo + (rn(t, 2) ? page : 1);
	case 2:
		return rnd_u64(t, 1ULL << 40);
	default:
		return o->mo;
	}
}

static const char *pool_name(int p)
{
	return p < 0 ? mfo_pool : fz_pools[p];
}

static int rnd_pool(struct fz_thread *t)
{
	return fz_root && chance(t, 20) ? (int)rn(t, FZ_NR_POOLS) : -1;
}

/* Fill a name field: valid, or without NUL, bad characters, empty. */
static void rnd_name_(struct fz_thread *t, char *dst, size_t len,
		      const char *good, int invalid_only)
{
	size_t i;

	mfo_str(dst, len, good);
	if (!chance(t, 8))
		return;
	switch (invalid_only ? (int[]){ 0, 1, 4 }[rn(t, 3)] : (int)rn(t, 5)) {
	case 0:
		memset(dst, 'A', len);			/* no NUL */
		break;
	case 1:
		memset(dst, 0, len);
		break;
	case 2:
		dst[rn(t, strlen(good) + 1)] = (char)rn(t, 256);
		break;
	case 3:
		for (i = 0; i < len - 1; i++)
			dst[i] = (char)(1 + rn(t, 255));
		dst[len - 1] = 0;
		break;
	default:
		dst[len - 1] = 'x';			/* garbage after NUL */
		break;
	}
}

#define rnd_name(t, dst, len, good) rnd_name_((t), (dst), (len), (good), 0)

/* ---- calls -------------------------------------------------------------- */

static void pub_record(const char *ns_f, const char *sec_f, const char *id_f,
		       const char *how);

/*
 * Send @arg (@size bytes, the struct's own size) as @cmd, after maybe
 * mutating its header, its reserved field and its place in memory.
 */
/*
 * The ioctls whose structs get no random bit flip: those that write to
 * user memory through a pointer in the struct (a flipped pointer or
 * length could take the destination out of the scratch region, and the
 * kernel would write, legitimately, over the fuzzer's own memory: it only
 * checks that the memory is the caller's), and namespace creation (a
 * flipped secId would make a namespace nobody can destroy, which the leak
 * check would then count).
 */
static int fz_no_bitflip(unsigned long cmd)
{
	return cmd == MF_IOC_OBJ_READ || cmd == MF_IOC_NS_LIST ||
	       cmd == MF_IOC_POOL_LIST || cmd == MF_IOC_EXTENT_LIST ||
	       cmd == MF_IOC_NS_CREATE;
}

static int fz_ioctl_fd(struct fz_thread *t, int fd, unsigned long cmd,
		       void *arg, size_t size, size_t rsv_off, size_t rsv_len)
{
	unsigned char *a = arg, *where = arg;
	uint32_t *hdr = arg;
	int ret;

	if (chance(t, 25)) {
		switch (rn(t, 9)) {
		case 0: hdr[0] = 0; break;
		case 1: hdr[0] = size - 1; break;
		case 2:	/* a larger struct with a non-zero tail */
			hdr[0] = size + 8;
			a[size + rn(t, 8)] = 1;
			break;
		case 3: hdr[0] = size + 8; break;	/* zero tail: fine */
		case 4: hdr[0] = page + 1; break;
		case 5: hdr[0] = ~0U; break;
		case 6: hdr[1] = 1U << rn(t, 32); break;
		case 7:
			if (rsv_len)
				a[rsv_off + rn(t, rsv_len)] = 0x80;
			break;
		default:
			/* a bit flip, where it cannot hurt the test */
			if (!fz_no_bitflip(cmd))
				a[rn(t, size)] ^= 1 << rn(t, 8);
			break;
		}
	}
	if (chance(t, 6)) {
		/* the struct at the end of a page, before the guard page */
		if (size + 16 <= (size_t)page) {
			where = t->sp + page - size;
			memcpy(where, arg, size);
		}
	} else if (chance(t, 3)) {
		where = (unsigned char *)(uintptr_t)rnd_ptr(t, arg, size);
	}
	if (fz_verbose)
		printf("t%d ioctl %#lx size %u flags %#x\n", t->idx, cmd,
		       hdr[0], hdr[1]);
	ret = ioctl(fd, cmd, where);
	__atomic_add_fetch(&fz_calls, 1, __ATOMIC_RELAXED);
	if (!ret)
		__atomic_add_fetch(&fz_ok, 1, __ATOMIC_RELAXED);
	if (where != a && where == t->sp + page - size)
		memcpy(arg, where, size);
	return ret;
}

static int fz_ioctl(struct fz_thread *t, unsigned long cmd, void *arg,
		    size_t size, size_t rsv_off, size_t rsv_len)
{
	return fz_ioctl_fd(t, fz_dev, cmd, arg, size, rsv_off, rsv_len);
}

#define FZ(t, cmd, s, field) \
	fz_ioctl((t), (cmd), &(s), sizeof(s), offsetof(__typeof__(s), field), \
		 sizeof((s).field))

static __thread union {
	struct mf_version v;
	struct mf_pool_attach pa;
	struct mf_pool_detach pd;
	struct mf_pool_list pl;
	struct mf_pool_check pc;
	struct mf_pool_open po;
	struct mf_extent_alloc ea;
	struct mf_extent_free ef;
	struct mf_extent_list el;
	struct mf_ns_create nc;
	struct mf_ns_destroy nd;
	struct mf_ns_list nl;
	struct mf_obj_alloc oa;
	struct mf_obj_get og;
	struct mf_obj_put op;
	struct mf_obj_free of;
	struct mf_obj_batch_free ob;
	struct mf_obj_expand oe;
	struct mf_obj_stat os;
	struct mf_obj_derive od;
	struct mf_obj_io io;
	struct mf_obj_copy oc;
	struct mf_obj_gather gt;
	struct mf_obj_swapin sw;
	struct mf_obj_commit cm;
	struct mf_file_bind fb;
	unsigned char raw[8192];
} u;

static void fz_name(struct fz_thread *t, struct mf_obj_name *n, int pool,
		    int ns, const char *id)
{
	memset(n, 0, sizeof(*n));
	rnd_name(t, n->pool, sizeof(n->pool), pool_name(pool));
	rnd_name(t, n->ns, sizeof(n->ns), fz_ns[ns]);
	if (chance(t, 5))
		rnd_name(t, n->secid, sizeof(n->secid),
			 fz_sec[(ns + 1) % FZ_NR_NS]);	/* wrong secId */
	else
		rnd_name(t, n->secid, sizeof(n->secid), fz_sec[ns]);
	if (id)
		rnd_name(t, n->id, sizeof(n->id), id);
}

static void op_alloc(struct fz_thread *t)
{
	struct fz_obj o = { .ns = (int)rn(t, FZ_NR_NS), .pool = rnd_pool(t) };
	int ret;

	memset(&u, 0, sizeof(u));
	u.oa.size = sizeof(u.oa);
	snprintf(o.id, sizeof(o.id), "o%d.%llu", t->idx,
		 (unsigned long long)rn(t, 64));
	fz_name(t, &u.oa.name, o.pool, o.ns, chance(t, 20) ? "" : o.id);
	u.oa.bytes = chance(t, 85) ? 1 + rn(t, chance(t, 10) ? 5 << 20 : 64 << 10)
				   : rnd_u64(t, 4096);
	ret = FZ(t, MF_IOC_OBJ_ALLOC, u.oa, reserved);
	if (!ret && u.oa.map_offset) {
		o.mo = u.oa.map_offset;
		o.bytes = u.oa.bytes;
		memcpy(o.id, u.oa.name.id, sizeof(o.id));
		o.id[sizeof(o.id) - 1] = 0;
		obj_add(&o);
	}
}

static void op_get(struct fz_thread *t)
{
	struct fz_obj o;

	obj_pick(t, &o);
	memset(&u, 0, sizeof(u));
	u.og.size = sizeof(u.og);
	fz_name(t, &u.og.name, o.pool, o.ns, o.id);
	if (!FZ(t, MF_IOC_OBJ_GET, u.og, reserved) && u.og.map_offset) {
		o.mo = u.og.map_offset;
		o.bytes = u.og.bytes;
		obj_add(&o);
	}
}

static void op_put(struct fz_thread *t)
{
	struct fz_obj o;

	obj_pick(t, &o);
	memset(&u, 0, sizeof(u));
	u.op.size = sizeof(u.op);
	u.op.obj = rnd_mo(t, &o);
	if (!FZ(t, MF_IOC_OBJ_PUT, u.op, reserved) && chance(t, 50))
		obj_forget(u.op.obj);
}

static void op_free_publish(struct fz_thread *t, int publish)
{
	struct fz_obj o;

	obj_pick(t, &o);
	memset(&u, 0, sizeof(u));
	u.of.size = sizeof(u.of);
	fz_name(t, &u.of.name, o.pool, o.ns, o.id);
	if (FZ(t, publish ? MF_IOC_OBJ_PUBLISH : MF_IOC_OBJ_FREE, u.of,
	       reserved))
		return;
	if (publish)	/* its checksum, from now on */
		pub_record(u.of.name.ns, u.of.name.secid, u.of.name.id,
			   "PUBLISH");
	else if (chance(t, 30))
		obj_forget(o.mo);	/* keep some freed handles live */
}

static void op_batch_free(struct fz_thread *t)
{
	static __thread char ids[64][MF_OBJ_ID_LEN];
	struct fz_obj o;
	unsigned int i, n = 1 + (unsigned int)rn(t, 64);

	for (i = 0; i < n; i++) {
		obj_pick(t, &o);
		rnd_name(t, ids[i], MF_OBJ_ID_LEN, o.id);
	}
	obj_pick(t, &o);
	memset(&u, 0, sizeof(u));
	u.ob.size = sizeof(u.ob);
	rnd_name(t, u.ob.pool, sizeof(u.ob.pool), pool_name(o.pool));
	rnd_name(t, u.ob.ns, sizeof(u.ob.ns), fz_ns[o.ns]);
	rnd_name(t, u.ob.secid, sizeof(u.ob.secid), fz_sec[o.ns]);
	u.ob.ids = rnd_ptr(t, ids, n * MF_OBJ_ID_LEN);
	u.ob.count = chance(t, 90) ? n : (uint32_t)rnd_u64(t, MF_OBJ_BATCH_MAX);
	FZ(t, MF_IOC_OBJ_BATCH_FREE, u.ob, reserved);
}

static void op_expand(struct fz_thread *t)
{
	struct fz_obj o;

	obj_pick(t, &o);
	memset(&u, 0, sizeof(u));
	u.oe.size = sizeof(u.oe);
	u.oe.obj = rnd_mo(t, &o);
	u.oe.bytes = chance(t, 70) ? o.bytes + 1 + rn(t, 3 << 20)
				   : rnd_u64(t, o.bytes);
	FZ(t, MF_IOC_OBJ_EXPAND, u.oe, reserved);
}

static void op_stat(struct fz_thread *t)
{
	struct fz_obj o;

	obj_pick(t, &o);
	memset(&u, 0, sizeof(u));
	u.os.size = sizeof(u.os);
	u.os.obj = rnd_mo(t, &o);
	FZ(t, MF_IOC_OBJ_STAT, u.os, reserved);
}

static void op_derive(struct fz_thread *t)
{
	struct fz_obj o, n;

	obj_pick(t, &o);
	n = o;
	n.ns = (int)rn(t, FZ_NR_NS);
	memset(&u, 0, sizeof(u));
	u.od.size = sizeof(u.od);
	u.od.src = rnd_mo(t, &o);
	rnd_name(t, u.od.ns, sizeof(u.od.ns), fz_ns[n.ns]);
	rnd_name(t, u.od.secid, sizeof(u.od.secid), fz_sec[n.ns]);
	if (chance(t, 60)) {
		snprintf(n.id, sizeof(n.id), "d%d.%llu", t->idx,
			 (unsigned long long)rn(t, 64));
		rnd_name(t, u.od.id, sizeof(u.od.id), n.id);
	}
	if (!FZ(t, MF_IOC_OBJ_DERIVE, u.od, reserved) && u.od.map_offset) {
		n.mo = u.od.map_offset;
		n.bytes = u.od.bytes;
		memcpy(n.id, u.od.id, sizeof(n.id));
		n.id[sizeof(n.id) - 1] = 0;
		obj_add(&n);
	}
}

static void op_io(struct fz_thread *t, int write)
{
	struct fz_obj o;
	uint64_t len;
	int fenced;

	obj_pick(t, &o);
	memset(&u, 0, sizeof(u));
	u.io.size = sizeof(u.io);
	u.io.obj = rnd_mo(t, &o);
	u.io.offset = chance(t, 75) ? rn(t, o.bytes + 1) : rnd_u64(t, o.bytes);
	len = chance(t, 75) ? rn(t, (o.bytes > u.io.offset ?
				     o.bytes - u.io.offset : 0) + 1)
			    : rnd_u64(t, o.bytes);
	if (len > FZ_BUF && chance(t, 95))
		len = rn(t, FZ_BUF);
	u.io.length = len;
	/* the kernel writes a READ's bytes: only into the scratch region */
	u.io.buf = write ? rnd_ptr(t, t->buf, len) : rnd_dst(t, len);
	fenced = !write && fence_set(t, u.io.buf, len);
	FZ(t, write ? MF_IOC_OBJ_WRITE : MF_IOC_OBJ_READ, u.io, FZ_IO_RSV);
	if (fenced)
		fence_check(t, u.io.buf, len, &u.io);
}

static void op_copy(struct fz_thread *t)
{
	struct fz_obj a, b;

	obj_pick(t, &a);
	obj_pick(t, &b);
	memset(&u, 0, sizeof(u));
	u.oc.size = sizeof(u.oc);
	u.oc.src = rnd_mo(t, &a);
	u.oc.dst = chance(t, 20) ? u.oc.src : rnd_mo(t, &b);
	u.oc.src_offset = chance(t, 80) ? rn(t, a.bytes + 1) : rnd_u64(t, a.bytes);
	u.oc.dst_offset = chance(t, 80) ? rn(t, b.bytes + 1) : rnd_u64(t, b.bytes);
	u.oc.length = chance(t, 80) ? rn(t, 65536) : rnd_u64(t, a.bytes);
	FZ(t, MF_IOC_OBJ_COPY, u.oc, reserved);
}

static void op_gather(struct fz_thread *t)
{
	static __thread struct mf_gather_elem el[64];
	struct fz_obj o;
	unsigned int i, n = 1 + (unsigned int)rn(t, 64);

	for (i = 0; i < n; i++) {
		obj_pick(t, &o);
		el[i].obj = rnd_mo(t, &o);
		el[i].offset = chance(t, 80) ? 0 : rnd_u64(t, o.bytes);
		el[i].length = chance(t, 80) ? 8 * rn(t, 64) : rnd_u64(t, o.bytes);
	}
	obj_pick(t, &o);
	memset(&u, 0, sizeof(u));
	u.gt.size = sizeof(u.gt);
	u.gt.op = (uint32_t)rn(t, 5);
	u.gt.dtype = u.gt.op ? (uint32_t)rn(t, 4) : (chance(t, 90) ? 0 : 1);
	u.gt.dst = rnd_mo(t, &o);
	u.gt.dst_offset = chance(t, 80) ? rn(t, 4096) : rnd_u64(t, o.bytes);
	u.gt.elems = rnd_ptr(t, el, n * sizeof(el[0]));
	u.gt.count = chance(t, 90) ? n : (uint32_t)rnd_u64(t, MF_GATHER_MAX_ELEMS);
	u.gt.elem_size = chance(t, 90) ? sizeof(el[0]) : (uint32_t)rn(t, 64);
	FZ(t, MF_IOC_OBJ_GATHER, u.gt, reserved);
}

static void op_swapin(struct fz_thread *t)
{
	const int fds[] = { fz_zero_fd, fz_file_fd, fz_pipe_fd, -1, 9999,
			    fz_dev, 1 };
	struct fz_obj o;

	obj_pick(t, &o);
	memset(&u, 0, sizeof(u));
	u.sw.size = sizeof(u.sw);
	u.sw.obj = rnd_mo(t, &o);
	u.sw.offset = chance(t, 80) ? rn(t, o.bytes + 1) : rnd_u64(t, o.bytes);
	u.sw.fd = fds[rn(t, sizeof(fds) / sizeof(fds[0]))];
	u.sw.file_offset = chance(t, 80) ? rn(t, 8192) : rnd_u64(t, 0);
	u.sw.length = chance(t, 80) ? rn(t, 65536) : rnd_u64(t, o.bytes);
	if (chance(t, 3))
		u.sw.reserved32 = 1;
	FZ(t, MF_IOC_OBJ_SWAPIN, u.sw, reserved);
}

static void op_ns(struct fz_thread *t)
{
	int ns = (int)rn(t, FZ_NR_NS), pool = rnd_pool(t);

	memset(&u, 0, sizeof(u));
	switch (rn(t, 3)) {
	case 0:
		u.nc.size = sizeof(u.nc);
		rnd_name(t, u.nc.pool, sizeof(u.nc.pool), pool_name(pool));
		rnd_name(t, u.nc.name, sizeof(u.nc.name), fz_ns[ns]);
		/* a secId the cleanup does not know would leak the namespace */
		rnd_name_(t, u.nc.secid, sizeof(u.nc.secid), fz_sec[ns], 1);
		u.nc.ttl = chance(t, 80) ? rn(t, 3) : rnd_u64(t, 0);
		u.nc.attr = (uint32_t)rnd(t);
		FZ(t, MF_IOC_NS_CREATE, u.nc, reserved);
		break;
	case 1:
		if (!chance(t, 15))
			break;		/* destroying is rarer than creating */
		u.nd.size = sizeof(u.nd);
		u.nd.flags = chance(t, 50) ? MF_NS_FORCE : 0;
		rnd_name(t, u.nd.pool, sizeof(u.nd.pool), pool_name(pool));
		rnd_name(t, u.nd.name, sizeof(u.nd.name), fz_ns[ns]);
		rnd_name(t, u.nd.secid, sizeof(u.nd.secid), fz_sec[ns]);
		FZ(t, MF_IOC_NS_DESTROY, u.nd, reserved);
		break;
	default:
		u.nl.size = sizeof(u.nl);
		if (chance(t, 50))
			rnd_name(t, u.nl.pool, sizeof(u.nl.pool), pool_name(pool));
		u.nl.count = (uint32_t)(chance(t, 80) ? rn(t, 16) : rnd_u64(t, 16));
		u.nl.entry_size = chance(t, 80) ? sizeof(struct mf_ns_info)
						: (uint32_t)rn(t, 512);
		u.nl.namespaces = rnd_dst(t, (uint64_t)u.nl.count *
					     u.nl.entry_size);
		FZ(t, MF_IOC_NS_LIST, u.nl, reserved);
		break;
	}
}

static void fz_bad(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void op_pool(struct fz_thread *t)
{
	int p = (int)rn(t, FZ_NR_POOLS), fd;
	static const char *const paths[] = { "/dev/null", "/nonexistent",
					     "/dev/pmem0", "", "/dev/zero" };

	memset(&u, 0, sizeof(u));
	switch (rn(t, 10)) {
	case 0:
		u.v.size = sizeof(u.v);
		FZ(t, MF_IOC_VERSION, u.v, reserved);
		break;
	case 9:	/* MF_IOC_FILE_BIND, on a file of its own: fz_dev stays root's */
		fd = open("/dev/memfabric", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			break;
		u.fb.size = sizeof(u.fb);
		if (chance(t, 10))
			u.fb.uid = (uint32_t)rnd(t);
		if (!fz_ioctl_fd(t, fd, MF_IOC_FILE_BIND, &u.fb, sizeof(u.fb),
				 offsetof(struct mf_file_bind, reserved),
				 sizeof(u.fb.reserved))) {
			/* bound: uid 0 without CAP_SYS_ADMIN */
			memset(&u, 0, sizeof(u));
			u.pd.size = sizeof(u.pd);
			snprintf(u.pd.name, sizeof(u.pd.name), "%s", fz_pools[p]);
			if (ioctl(fd, MF_IOC_POOL_DETACH, &u.pd) == 0 ||
			    errno != EPERM)
				fz_bad("POOL_DETACH through a bound file was not EPERM (errno %d)",
				       errno);
		}
		close(fd);
		break;
	case 1:	/* only ram pools of our own names, or refused fsdax paths */
		u.pa.size = sizeof(u.pa);
		rnd_name(t, u.pa.name, sizeof(u.pa.name), fz_pools[p]);
		if (!strncmp(u.pa.name, "pool0", 6))
			u.pa.name[0] = 'x';
		u.pa.backend = chance(t, 80) ? MF_POOL_BACKEND_RAM
					     : (uint32_t)rn(t, 5);
		u.pa.bytes = chance(t, 80) ? (2 + 2 * rn(t, 4)) << 20
					   : rnd_u64(t, 2 << 20);
		u.pa.unit_shift = chance(t, 80) ? 0 : (uint32_t)rn(t, 40);
		u.pa.node = chance(t, 90) ? 0 : (uint32_t)rn(t, 4);
		if (u.pa.backend == MF_POOL_BACKEND_FSDAX) {
			/* never MF_POOL_FORMAT on a real device */
			snprintf(u.pa.path, sizeof(u.pa.path), "%s",
				 paths[rn(t, 5)]);
		} else if (u.pa.backend == MF_POOL_BACKEND_NODE) {
			u.pa.flags = 0;
		}
		FZ(t, MF_IOC_POOL_ATTACH, u.pa, reserved);
		break;
	case 2:
		u.pd.size = sizeof(u.pd);
		rnd_name(t, u.pd.name, sizeof(u.pd.name), fz_pools[p]);
		if (!strncmp(u.pd.name, "pool0", 6))
			u.pd.name[0] = 'x';
		FZ(t, MF_IOC_POOL_DETACH, u.pd, reserved);
		break;
	case 3:
		u.pl.size = sizeof(u.pl);
		u.pl.count = (uint32_t)(chance(t, 80) ? rn(t, 8) : rnd_u64(t, 8));
		u.pl.entry_size = chance(t, 80) ? sizeof(struct mf_pool_info)
						: (uint32_t)rn(t, 1024);
		u.pl.pools = rnd_dst(t, (uint64_t)u.pl.count * u.pl.entry_size);
		FZ(t, MF_IOC_POOL_LIST, u.pl, reserved);
		break;
	case 4:
		u.pc.size = sizeof(u.pc);
		rnd_name(t, u.pc.name, sizeof(u.pc.name),
			 pool_name(rnd_pool(t)));
		FZ(t, MF_IOC_POOL_CHECK, u.pc, reserved);
		break;
	case 5:
		u.po.size = sizeof(u.po);
		rnd_name(t, u.po.name, sizeof(u.po.name),
			 pool_name(rnd_pool(t)));
		fd = -1;
		if (!FZ(t, MF_IOC_POOL_OPEN, u.po, reserved))
			fd = u.po.fd;
		if (fd > 2 && fd != fz_dev)
			close(fd);
		break;
	case 6:
		u.ea.size = sizeof(u.ea);
		rnd_name(t, u.ea.pool, sizeof(u.ea.pool),
			 pool_name(rnd_pool(t)));
		u.ea.len = chance(t, 80) ? 1 + rn(t, 3 << 20) : rnd_u64(t, 4096);
		u.ea.tag = FZ_TAG | (uint64_t)t->idx;
		if (!FZ(t, MF_IOC_EXTENT_ALLOC, u.ea, reserved) &&
		    !strcmp(u.ea.pool, mfo_pool)) {
			pthread_mutex_lock(&fz_lock);
			if (fz_next < FZ_MAX_EXT)
				fz_ext[fz_next++] = u.ea.offset;
			pthread_mutex_unlock(&fz_lock);
		}
		break;
	case 7:
		u.ef.size = sizeof(u.ef);
		rnd_name(t, u.ef.pool, sizeof(u.ef.pool), mfo_pool);
		pthread_mutex_lock(&fz_lock);
		if (fz_next && chance(t, 80))
			u.ef.offset = fz_ext[--fz_next];
		else
			u.ef.offset = rnd_u64(t, 1 << 20);
		pthread_mutex_unlock(&fz_lock);
		FZ(t, MF_IOC_EXTENT_FREE, u.ef, reserved);
		break;
	default:
		u.el.size = sizeof(u.el);
		rnd_name(t, u.el.pool, sizeof(u.el.pool),
			 pool_name(rnd_pool(t)));
		u.el.count = (uint32_t)(chance(t, 80) ? rn(t, 64) : rnd_u64(t, 64));
		u.el.entry_size = chance(t, 80) ? sizeof(struct mf_extent_info)
						: (uint32_t)rn(t, 64);
		u.el.extents = rnd_dst(t, (uint64_t)u.el.count *
					  u.el.entry_size);
		FZ(t, MF_IOC_EXTENT_LIST, u.el, reserved);
		break;
	}
}

/* A random ioctl number of memfabric's type, with a random payload. */
static void op_raw(struct fz_thread *t)
{
	unsigned long cmd;
	size_t i;

	for (i = 0; i < 512; i++)
		u.raw[i] = (unsigned char)rnd(t);
	*(uint32_t *)u.raw = (uint32_t)(chance(t, 50) ? rn(t, 512) : rnd(t));
	*(uint32_t *)(u.raw + 4) = chance(t, 50) ? 0 : (uint32_t)rnd(t);
	cmd = _IOC(rn(t, 4), chance(t, 90) ? MF_IOC_MAGIC : rn(t, 256),
		   rn(t, 0x40), rn(t, 1 << 14));
	/*
	 * Not the real number of an ioctl that writes through a pointer of
	 * its struct or creates a namespace (fz_no_bitflip()): random
	 * pointers are for the structured calls to choose.
	 */
	if (fz_no_bitflip(cmd) || cmd == MF_IOC_FILE_BIND)
		cmd ^= 1UL << _IOC_SIZESHIFT;
	ioctl(fz_dev, cmd, chance(t, 90) ? (void *)u.raw :
	      (void *)(uintptr_t)rnd_ptr(t, u.raw, 512));
	__atomic_add_fetch(&fz_calls, 1, __ATOMIC_RELAXED);
}

/* ---- mappings ------------------------------------------------------------- */

static void fz_sig(int sig)
{
	(void)sig;
	if (fz_in_touch)
		siglongjmp(fz_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void touch(struct fz_map *m, struct fz_thread *t)
{
	size_t off;
	int n;

	if (!m->addr)
		return;
	if (sigsetjmp(fz_jmp, 1)) {
		fz_in_touch = 0;
		__atomic_add_fetch(&fz_faults, 1, __ATOMIC_RELAXED);
		return;
	}
	fz_in_touch = 1;
	for (n = 0; n < 8; n++) {
		off = rn(t, m->len) & ~7UL;
		if ((m->prot & PROT_WRITE) && chance(t, 50))
			*(volatile uint64_t *)(m->addr + off) = rnd(t);
		else if (m->prot & PROT_READ)
			(void)*(volatile uint64_t *)(m->addr + off);
	}
	fz_in_touch = 0;
}

static void op_map(struct fz_thread *t)
{
	struct fz_map *m = &t->maps[rn(t, FZ_MAX_MAPS)];
	struct fz_obj o;
	uint64_t off, len;
	void *p;
	int prot, flags;

	switch (rn(t, 7)) {
	case 0:
	case 1:	/* map */
		if (m->addr)
			munmap(m->addr, m->len);
		m->addr = NULL;
		obj_pick(t, &o);
		off = chance(t, 80) ? rn(t, (o.bytes + page - 1) / page) * page
				    : rnd_u64(t, o.bytes) & ~(page - 1);
		len = chance(t, 85) ? page * (1 + rn(t, (o.bytes + page - 1) /
							 page + 1))
				    : rnd_u64(t, o.bytes);
		if (len > (64 << 20) && chance(t, 90))
			len = page;
		prot = chance(t, 70) ? PROT_READ | PROT_WRITE :
		       (int)rn(t, 8);
		flags = chance(t, 50) ? MAP_SHARED : MAP_PRIVATE;
		if (chance(t, 5))
			flags |= MAP_POPULATE;
		p = mmap(NULL, len, prot, flags, fz_dev,
			 (off_t)(rnd_mo(t, &o) + off));
		__atomic_add_fetch(&fz_calls, 1, __ATOMIC_RELAXED);
		if (p != MAP_FAILED) {
			m->addr = p;
			m->len = len;
			m->prot = prot;
			m->flags = flags;
			touch(m, t);
		}
		break;
	case 2:
		touch(m, t);
		break;
	case 3:	/* mprotect: upgrades must fail where the rules say */
		if (m->addr) {
			prot = (int)rn(t, 8);
			if (!mprotect(m->addr, m->len, prot))
				m->prot = prot;
		}
		break;
	case 4:	/* mremap: VM_DONTEXPAND refuses growth */
		if (m->addr) {
			len = chance(t, 50) ? m->len / 2 : m->len * 2;
			if (len < (size_t)page)
				len = page;
			p = mremap(m->addr, m->len, len, MREMAP_MAYMOVE);
			if (p != MAP_FAILED) {
				m->addr = p;
				m->len = len;
			}
		}
		break;
	case 5:	/* fork with mappings: the child touches and exits */
		if (m->addr && chance(t, 10)) {
			pid_t pid = fork();

			if (pid == 0) {
				touch(m, t);
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
		break;
	default:
		if (m->addr) {
			if (chance(t, 30)) {
				madvise(m->addr, m->len, chance(t, 50) ?
					MADV_DONTNEED : MADV_WILLNEED);
			} else {
				munmap(m->addr, m->len);
				m->addr = NULL;
			}
		}
		break;
	}
}

static void op_commit(struct fz_thread *t)
{
	struct fz_map *m = &t->maps[rn(t, FZ_MAX_MAPS)];
	int ns = (int)rn(t, FZ_NR_NS);
	struct fz_obj n = { .ns = ns, .pool = -1 };

	memset(&u, 0, sizeof(u));
	u.cm.size = sizeof(u.cm);
	u.cm.flags = chance(t, 30) ? MF_COMMIT_PUBLISH : 0;
	u.cm.addr = m->addr && chance(t, 90) ?
		(uintptr_t)m->addr + (rn(t, 4) ? 0 : page) :
		rnd_ptr(t, t->buf, page);
	u.cm.length = chance(t, 80) ? m->len : rnd_u64(t, m->len);
	rnd_name(t, u.cm.ns, sizeof(u.cm.ns), fz_ns[ns]);
	rnd_name(t, u.cm.secid, sizeof(u.cm.secid), fz_sec[ns]);
	if (!FZ(t, MF_IOC_OBJ_COMMIT, u.cm, reserved) && u.cm.map_offset) {
		n.mo = u.cm.map_offset;
		n.bytes = u.cm.bytes;
		memcpy(n.id, u.cm.id, sizeof(n.id));
		n.id[sizeof(n.id) - 1] = 0;
		obj_add(&n);
		if (u.cm.flags & MF_COMMIT_PUBLISH)
			pub_record(u.cm.ns, u.cm.secid, u.cm.id,
				   "COMMIT|PUBLISH");
	}
}

/* Replace the shared open file: the old one's release races the others. */
static void op_reopen(struct fz_thread *t)
{
	int fd;

	if (!chance(t, 5))
		return;
	if (fz_root)
		fd = open(MFP_DEV, O_RDWR | O_CLOEXEC);
	else
		fd = fz_nspare ? fz_spare[--fz_nspare] : -1;
	if (fd < 0)
		return;
	dup2(fd, fz_dev);
	close(fd);
	pthread_mutex_lock(&fz_lock);
	fz_nobjs = 0;	/* every handle went with the old file */
	pthread_mutex_unlock(&fz_lock);
}

/* ---- content: published objects keep their bytes ------------------------- */

/*
 * Every object the fuzzer publishes (PUBLISH, COMMIT with
 * MF_COMMIT_PUBLISH, the races below) gets a checksum of its contents,
 * read at once through fz_chk, an open file of its own that the fuzzer's
 * calls never use (so they cannot put its handles), and a sentinel: an
 * object derived from it into namespace FZ_SENT_NS, whose secId no call
 * of the fuzzer knows, so nothing may ever write it.  Both are read again
 * now and then during the phase (op_verify) and all of them at its end:
 * a published object, or a derived object that nobody wrote, whose bytes
 * changed is a kernel bug.  A read that fails (its namespace destroyed
 * meanwhile) is not a change.
 */
#define FZ_SENT_NS	"fzsent"
#define FZ_SENT_SEC	"fzsent-not-a-fuzzed-secid"
#define FZ_MAX_PUB	16
#define FZ_PUB_MAX	(8 << 20)

/* What the fuzzing process tells the parent (shared memory). */
struct fz_result {
	unsigned long pub_recorded, pub_checks, sent_checks, unreadable;
	unsigned long races, race_ok, priv_checks, bad;
	unsigned long calls[8], surgeries[8];
	long long first_bad_ms;
	char first_bad[400];
};

static struct fz_result *fz_res;
static long long fz_t0;
static int fz_chk = -1;

struct fz_pub {
	uint64_t mo;		/* handle on fz_chk */
	uint64_t sent;		/* the sentinel's handle on fz_chk, or 0 */
	uint64_t bytes;
	uint64_t sum;
	char sent_id[MF_OBJ_ID_LEN];
	char what[160];
};

static pthread_mutex_t fz_pub_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fz_pub fz_pubs[FZ_MAX_PUB];
static unsigned int fz_npub, fz_pub_next;
static unsigned long fz_sent_seq;

static long long fz_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* FNV-1a over 64-bit words (then the tail bytes): fast enough under TCG. */
static uint64_t fz_fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL, w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* A content violation: counted, the first one kept for the parent. */
static void fz_bad(const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("t_fuzz: CONTENT: %s\n", msg);
	if (__atomic_fetch_add(&fz_res->bad, 1, __ATOMIC_RELAXED) == 0) {
		fz_res->first_bad_ms = fz_ms() - fz_t0;
		snprintf(fz_res->first_bad, sizeof(fz_res->first_bad), "%s", msg);
	}
}

/* FNV-1a of @bytes of object @mo of open file @f: 0, or -1 if unreadable. */
static int fz_sum(int f, uint64_t mo, uint64_t bytes, uint64_t *sum)
{
	unsigned char *b = malloc(bytes ? bytes : 1);
	int ret = -1;

	if (b && !mfo_read(f, mo, 0, bytes, b)) {
		*sum = fz_fnv(b, bytes);
		ret = 0;
	}
	free(b);
	return ret;
}

/* Check one entry; pub lock held. */
static void pub_check(const struct fz_pub *p)
{
	struct mf_obj_stat st;
	uint64_t sum;

	if (mfo_stat_obj(fz_chk, p->mo, &st) || fz_sum(fz_chk, p->mo, p->bytes, &sum)) {
		fz_res->unreadable++;
	} else {
		fz_res->pub_checks++;
		if (st.type != MF_OBJ_SHARED_RO || st.bytes != p->bytes || sum != p->sum)
			fz_bad("published object %s changed: type %u, %llu bytes, checksum %#llx, was %#llx",
			       p->what, st.type, (unsigned long long)st.bytes,
			       (unsigned long long)sum, (unsigned long long)p->sum);
	}
	if (!p->sent)
		return;
	if (mfo_stat_obj(fz_chk, p->sent, &st) || fz_sum(fz_chk, p->sent, p->bytes, &sum)) {
		fz_res->unreadable++;
	} else {
		fz_res->sent_checks++;
		if (st.bytes != p->bytes || sum != p->sum)
			fz_bad("object %s derived from published %s (never written) changed: %llu bytes, checksum %#llx, was %#llx",
			       p->sent_id, p->what, (unsigned long long)st.bytes,
			       (unsigned long long)sum, (unsigned long long)p->sum);
	}
}

static void pub_drop(const struct fz_pub *p)
{
	mfo_put(fz_chk, p->mo);
	if (p->sent) {
		mfo_put(fz_chk, p->sent);
		mfo_free(fz_chk, FZ_SENT_NS, FZ_SENT_SEC, p->sent_id);
	}
}

/* A NUL-terminated copy of a name field of @len bytes. */
static void fz_field(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = 0;
}

/*
 * After a successful publish of @id in @ns of pool0 (the fields as the
 * call sent them): record its checksum and derive its sentinel.
 */
static void pub_record(const char *ns_f, const char *sec_f, const char *id_f,
		       const char *how)
{
	char ns[MF_NS_NAME_LEN + 1], sec[MF_SECID_LEN + 1], id[MF_OBJ_ID_LEN + 1];
	struct mf_obj_get g;
	struct fz_pub p;

	if (fz_chk < 0)
		return;
	fz_field(ns, ns_f, MF_NS_NAME_LEN);
	fz_field(sec, sec_f, MF_SECID_LEN);
	fz_field(id, id_f, MF_OBJ_ID_LEN);
	memset(&p, 0, sizeof(p));
	if (mfo_get(fz_chk, ns, sec, id, &p.mo, &g))
		return;
	if (g.type != MF_OBJ_SHARED_RO || g.bytes > FZ_PUB_MAX ||
	    fz_sum(fz_chk, p.mo, g.bytes, &p.sum)) {
		mfo_put(fz_chk, p.mo);
		return;
	}
	p.bytes = g.bytes;
	snprintf(p.sent_id, sizeof(p.sent_id), "s%lu",
		 __atomic_add_fetch(&fz_sent_seq, 1, __ATOMIC_RELAXED));
	if (mfo_derive(fz_chk, p.mo, FZ_SENT_NS, FZ_SENT_SEC, p.sent_id, &p.sent))
		p.sent = 0;
	snprintf(p.what, sizeof(p.what), "%.40s/%.40s (%llu bytes, %s at %lld ms)",
		 ns, id, (unsigned long long)p.bytes, how, fz_ms() - fz_t0);
	pthread_mutex_lock(&fz_pub_lock);
	if (fz_npub == FZ_MAX_PUB) {
		struct fz_pub *v = &fz_pubs[fz_pub_next++ % FZ_MAX_PUB];
		uint64_t sent = v->sent;

		v->sent = 0;	/* the object only: reads cost under TCG */
		pub_check(v);
		v->sent = sent;
		pub_drop(v);
		*v = p;
	} else {
		fz_pubs[fz_npub++] = p;
	}
	fz_res->pub_recorded++;
	pthread_mutex_unlock(&fz_pub_lock);
}

/* Check one recorded object (@all = 0) or all of them. */
static void pub_verify(int all)
{
	unsigned int i;

	pthread_mutex_lock(&fz_pub_lock);
	if (all)
		for (i = 0; i < fz_npub; i++)
			pub_check(&fz_pubs[i]);
	else if (fz_npub)
		pub_check(&fz_pubs[fz_pub_next++ % fz_npub]);
	pthread_mutex_unlock(&fz_pub_lock);
}

/* One recorded object, at most every 2 s (reads cost under TCG). */
static void op_verify(struct fz_thread *t)
{
	static long long last;
	long long now = fz_ms();

	(void)t;
	if (now - __atomic_load_n(&last, __ATOMIC_RELAXED) < 2000)
		return;
	__atomic_store_n(&last, now, __ATOMIC_RELAXED);
	pub_verify(0);
}

/* ---- races: address-space surgery against the calls that walk it ---------- */

/*
 * op_race() maps two windows W1 and W2 of one object (mostly MAP_PRIVATE,
 * written in some pages), then runs one call (COMMIT of W1 or W2, DERIVE,
 * PUBLISH, EXPAND, FREE of the object, faults on the windows, a READ into
 * W1) while the thread's helper changes the address space under it: moves
 * W2 over part of W1 (mremap(MREMAP_FIXED)), moves part of W1 away, unmaps
 * part of W1, maps something over it (mmap(MAP_FIXED): another range of
 * the object, another object, anonymous memory), MADV_DONTNEED, fork()
 * (a child that writes the windows), mprotect(), or faults.  The helper
 * starts after an adaptive number of spins (per call and surgery: more
 * after the call failed, fewer after it succeeded, so it settles where the
 * call's outcome flips: inside the call), and 3 times in 4 a third
 * thread holds mmap_lock for writing (mprotect() of a large populated
 * region) as the call starts, so that the call and the surgery queue on
 * the lock in that order: a call that checks the address space, drops
 * mmap_lock and takes it again meets the surgery in between.
 *
 * Windows lie in the thread's own reservation (FZ_RESV bytes, PROT_NONE
 * between races), so no surgery touches anything else of the fuzzer.
 * Races take at most FZ_RACE_SHARE % of a thread's time, so the other
 * calls keep most of theirs.  A COMMIT against a surgery that changes
 * which mapping backs its range is played three times more with the same
 * layout, seven times when W2 moves over W1 at a 2 MiB step (a race that
 * loses costs nothing, so an attacker retries).  The
 * object is the thread's race object (mostly 2 to 3 MiB: a commit
 * collects its pages in 2 MiB batches), published half the time.
 *
 * Checked after each race: no page written through a MAP_PRIVATE window
 * reached the object (a write through a private mapping is the process's
 * own copy), by content; the checksums of published objects as above.
 */
#define FZ_RESV		(40UL << 20)
#define FZ_W2_AT	(20UL << 20)
#define FZ_CHUNK	(2UL << 20)
#define FZ_WIN_MAX	(8UL << 20)
#define FZ_HOLD		(16UL << 20)
#define FZ_PRIV_TAG	0x5052495600000000ULL
#define FZ_MAX_DIRTY	8
#define FZ_RACE_SHARE	60

enum { FZS_MOVE, FZS_MOVE_BACK, FZS_UNMAP, FZS_OVERMAP, FZS_DONTNEED,
       FZS_FORK, FZS_MPROTECT, FZS_FAULT, FZS_NR };
enum { FZC_COMMIT1, FZC_COMMIT2, FZC_DERIVE, FZC_PUBLISH, FZC_EXPAND,
       FZC_FREE, FZC_FAULT, FZC_READ, FZC_NR };
static const int fzs_weight[FZS_NR] = { 45, 8, 8, 10, 8, 5, 8, 8 };
static const int fzc_weight[FZC_NR] = { 50, 8, 8, 8, 7, 7, 6, 6 };
static const char *const fzs_name[FZS_NR] = {
	"mremap W2 over W1", "mremap part of W1 away", "munmap", "mmap MAP_FIXED",
	"MADV_DONTNEED", "fork", "mprotect", "faults",
};
static const char *const fzc_name[FZC_NR] = {
	"COMMIT W1", "COMMIT W2", "DERIVE", "PUBLISH", "EXPAND", "FREE",
	"faults", "READ into W1",
};

struct fz_race {
	pthread_t helper, holder;
	sem_t wake, hold;
	volatile int gen, ready, go, done, hold_in, hold_done, quit;
	long spins;
	int surg;
	unsigned char *resv, *hold_mem;
	unsigned char *w1, *w2;
	size_t l1, l2, d, slen;
	uint64_t mo;			/* the object, on fz_dev */
	uint64_t over_off;		/* FZS_OVERMAP: offset, or -1: anonymous */
	int over_flags, over_prot;
	uint64_t hrng;			/* the helper's own generator */
	/* the race object */
	uint64_t obj, obj_chk, bytes;
	int ns, pub, uses;
	char id[MF_OBJ_ID_LEN];
	long delay[FZC_NR][FZS_NR];
	unsigned long serial;
	long long race_ms;		/* time spent racing */
	/* the last race, to be played again @interesting times (replay) */
	int replay, interesting, rpriv1, rpriv2, rcall, rsurg;
	uint64_t ra1, ra2;
	size_t rl1, rl2;
};

static void fz_spin(long n)
{
	long i;

	for (i = 0; i < n; i++)
		__asm__ __volatile__("pause" ::: "memory");
}

static void fz_wait(volatile int *v, int want)
{
	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) != want)
		sched_yield();
}

static int fz_pick(struct fz_thread *t, const int *w, int n)
{
	int i, sum = 0, x;

	for (i = 0; i < n; i++)
		sum += w[i];
	x = (int)rn(t, sum);
	for (i = 0; i < n - 1 && x >= w[i]; i++)
		x -= w[i];
	return i;
}

/* Faults on [@p, @p + @len): reads and writes of the helper's pattern. */
static void race_touch(uint64_t *rng, unsigned char *p, size_t len)
{
	uint64_t x;
	int n;

	if (!len)
		return;
	if (sigsetjmp(fz_jmp, 1)) {
		fz_in_touch = 0;
		__atomic_add_fetch(&fz_faults, 1, __ATOMIC_RELAXED);
		return;
	}
	fz_in_touch = 1;
	for (n = 0; n < 8; n++) {
		*rng ^= *rng << 13;
		*rng ^= *rng >> 7;
		*rng ^= *rng << 17;
		x = *rng;
		if (x & 1)
			*(volatile uint64_t *)(p + ((x >> 8) % len & ~7UL)) = 0x4845u;
		else
			(void)*(volatile uint64_t *)(p + ((x >> 8) % len & ~7UL));
	}
	fz_in_touch = 0;
}

static void race_surgery(struct fz_race *r)
{
	pid_t pid;
	int prot[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE };

	switch (r->surg) {
	case FZS_MOVE:
		mremap(r->w2, r->l2, r->l2, MREMAP_MAYMOVE | MREMAP_FIXED,
		       r->w1 + r->d);
		break;
	case FZS_MOVE_BACK:
		mremap(r->w1 + r->d, r->slen, r->slen,
		       MREMAP_MAYMOVE | MREMAP_FIXED, r->w2);
		break;
	case FZS_UNMAP:
		munmap(r->w1 + r->d, r->slen);
		break;
	case FZS_OVERMAP:
		if (r->over_off == ~0ULL)
			mmap(r->w1 + r->d, r->slen, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		else
			mmap(r->w1 + r->d, r->slen, r->over_prot,
			     r->over_flags | MAP_FIXED, fz_dev,
			     (off_t)r->over_off);
		break;
	case FZS_DONTNEED:
		madvise(r->w1 + r->d, r->slen, MADV_DONTNEED);
		madvise(r->w2, r->l2, MADV_DONTNEED);
		break;
	case FZS_FORK:
		pid = fork();
		if (pid == 0) {
			race_touch(&r->hrng, r->w1, r->l1);
			race_touch(&r->hrng, r->w2, r->l2);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		break;
	case FZS_MPROTECT:
		mprotect(r->w1 + r->d, r->slen, prot[r->hrng % 3]);
		break;
	default:
		race_touch(&r->hrng, r->w1 + r->d, r->slen);
		race_touch(&r->hrng, r->w2, r->l2);
		break;
	}
}

static void *race_helper(void *arg)
{
	struct fz_race *r = arg;
	int g;

	for (;;) {
		sem_wait(&r->wake);
		if (r->quit)
			return NULL;
		g = r->gen;
		__atomic_store_n(&r->ready, g, __ATOMIC_RELEASE);
		while (__atomic_load_n(&r->go, __ATOMIC_ACQUIRE) != g)
			;
		fz_spin(r->spins);
		race_surgery(r);
		__atomic_store_n(&r->done, g, __ATOMIC_RELEASE);
	}
}

/* Holds mmap_lock for writing for a while: mprotect() of a large region. */
static void *race_holder(void *arg)
{
	struct fz_race *r = arg;
	int g;

	for (;;) {
		sem_wait(&r->hold);
		if (r->quit)
			return NULL;
		g = r->gen;
		__atomic_store_n(&r->hold_in, g, __ATOMIC_RELEASE);
		mprotect(r->hold_mem, FZ_HOLD, PROT_READ);
		mprotect(r->hold_mem, FZ_HOLD, PROT_READ | PROT_WRITE);
		__atomic_store_n(&r->hold_done, g, __ATOMIC_RELEASE);
	}
}

static struct fz_race *race_init(struct fz_thread *t)
{
	struct fz_race *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->resv = mmap(NULL, FZ_RESV, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	r->hold_mem = mmap(NULL, FZ_HOLD, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (r->resv == MAP_FAILED || r->hold_mem == MAP_FAILED ||
	    sem_init(&r->wake, 0, 0) || sem_init(&r->hold, 0, 0))
		return NULL;
	memset(r->hold_mem, 1, FZ_HOLD);
	r->hrng = t->rng ^ 0x5555;
	if (pthread_create(&r->helper, NULL, race_helper, r) ||
	    pthread_create(&r->holder, NULL, race_holder, r))
		return NULL;
	return r;
}

static void race_fini(struct fz_race *r)
{
	if (!r)
		return;
	r->quit = 1;
	sem_post(&r->wake);
	sem_post(&r->hold);
	pthread_join(r->helper, NULL);
	pthread_join(r->holder, NULL);
	if (r->obj_chk)
		mfo_put(fz_chk, r->obj_chk);
}

/* A new race object: mostly 2 to 3 MiB, maybe published. */
static void race_new_obj(struct fz_thread *t, struct fz_race *r)
{
	struct fz_obj o = { .pool = -1 };
	struct mf_obj_alloc a;
	unsigned char head[64];

	if (r->obj_chk)
		mfo_put(fz_chk, r->obj_chk);
	if (r->bytes && chance(t, 80))
		mfo_free(fz_dev, fz_ns[r->ns], fz_sec[r->ns], r->id);
	r->obj_chk = 0;
	r->bytes = 0;
	r->ns = (int)rn(t, FZ_NR_NS);
	snprintf(r->id, sizeof(r->id), "r%d.%lu", t->idx, r->serial++ % 64);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	mfo_name(&a.name, mfo_pool, fz_ns[r->ns], fz_sec[r->ns], r->id);
	a.bytes = chance(t, 85) ? FZ_CHUNK + page + rn(t, FZ_CHUNK / 2)
				: 1 + rn(t, FZ_CHUNK);
	__atomic_add_fetch(&fz_calls, 1, __ATOMIC_RELAXED);
	if (ioctl(fz_dev, MF_IOC_OBJ_ALLOC, &a))
		return;
	r->obj = a.map_offset;
	r->bytes = a.bytes;
	o.mo = a.map_offset;
	o.bytes = a.bytes;
	o.ns = r->ns;
	memcpy(o.id, r->id, sizeof(o.id));
	obj_add(&o);
	mfo_pattern(head, sizeof(head), r->serial, 0);
	mfo_write(fz_dev, r->obj, 0, sizeof(head), head);
	mfo_write(fz_dev, r->obj, r->bytes - sizeof(head), sizeof(head), head);
	if (mfo_get(fz_chk, fz_ns[r->ns], fz_sec[r->ns], r->id, &r->obj_chk, NULL))
		r->obj_chk = 0;
	r->pub = 0;
	if (chance(t, 50) && !mfo_publish(fz_dev, fz_ns[r->ns], fz_sec[r->ns], r->id)) {
		r->pub = 1;
		pub_record(fz_ns[r->ns], fz_sec[r->ns], r->id, "race object");
	}
	r->uses = 8 + (int)rn(t, 16);
}

struct fz_dirty {
	uint64_t off;
	uint64_t v;
};

/* Fill one page of a private window with @v; remember where. */
static void race_dirty(struct fz_thread *t, unsigned char *p, uint64_t obj_off,
		       struct fz_dirty *dl, int *nd)
{
	uint64_t v = FZ_PRIV_TAG ^ ((uint64_t)t->idx << 48) ^
		     (rnd(t) & 0xffff00000000ULL) ^ obj_off;
	size_t i;

	for (i = 0; i < (size_t)page / 8; i++)
		((uint64_t *)p)[i] = v;
	if (*nd < FZ_MAX_DIRTY) {
		dl[*nd].off = obj_off;
		dl[*nd].v = v;
		(*nd)++;
	}
}

/*
 * The written pages: W1's first (batch 0 of a commit) and some more, and
 * some of W2's, mostly where a commit of W1 sees them after W2 moved to
 * W1 + 2 MiB.  Returns how many private pages, or -1 if a write faulted
 * (a write that needs pool memory gets SIGBUS when the pool is full).
 */
static int race_fill(struct fz_thread *t, struct fz_race *r, uint64_t a1,
		     uint64_t a2, int priv1, int priv2, struct fz_dirty *dl)
{
	size_t l1 = r->l1, l2 = r->l2;
	int nd = 0, i;

	if (sigsetjmp(fz_jmp, 1)) {
		fz_in_touch = 0;
		__atomic_add_fetch(&fz_faults, 1, __ATOMIC_RELAXED);
		return -1;
	}
	fz_in_touch = 1;
	if (priv1) {
		race_dirty(t, r->w1, a1, dl, &nd);
		for (i = (int)rn(t, 3); i > 0; i--) {
			uint64_t pg = rn(t, l1 / page) * page;

			race_dirty(t, r->w1 + pg, a1 + pg, dl, &nd);
		}
	} else if (!r->pub) {
		r->w1[rn(t, l1)] = 0x57;	/* a legitimate write */
	}
	if (priv2) {
		for (i = 1 + (int)rn(t, 3); i > 0; i--) {
			uint64_t in = l1 > FZ_CHUNK && chance(t, 70) ?
				      (l1 - FZ_CHUNK < l2 ? l1 - FZ_CHUNK : l2) : l2;
			uint64_t pg = rn(t, in / page) * page;

			race_dirty(t, r->w2 + pg, a2 + pg, dl, &nd);
		}
	}
	fz_in_touch = 0;
	return nd;
}

/* Place a window of [@a, @a + @l) of the object at @at; NULL if it fails. */
static unsigned char *race_window(struct fz_race *r, unsigned char *at,
				  uint64_t a, size_t l, int priv)
{
	int prot = priv || !r->pub ? PROT_READ | PROT_WRITE : PROT_READ;
	void *p = mmap(at, l, prot, (priv ? MAP_PRIVATE : MAP_SHARED) | MAP_FIXED,
		       fz_dev, (off_t)(r->mo + a));

	__atomic_add_fetch(&fz_calls, 1, __ATOMIC_RELAXED);
	return p == MAP_FAILED ? NULL : p;
}

static void race_body(struct fz_thread *t, struct fz_race *r);

static void op_race(struct fz_thread *t)
{
	struct fz_race *r = t->race;
	long long t0;
	int i;

	if (!r)
		return;
	/* races cost: at most FZ_RACE_SHARE % of the thread's time */
	t0 = fz_ms();
	if (r->race_ms * 100 > (t0 - fz_t0) * FZ_RACE_SHARE)
		return;
	race_body(t, r);
	/*
	 * A COMMIT against a surgery that changes which mapping backs the
	 * range: the same layout a few times more (cheaper than a new one);
	 * seven times when W2 goes over W1 at a batch boundary.
	 */
	for (i = 0; i < r->interesting && !fz_stop; i++) {
		r->replay = 1;
		race_body(t, r);
	}
	r->replay = 0;
	r->race_ms += fz_ms() - t0;
}

static void race_body(struct fz_thread *t, struct fz_race *r)
{
	struct fz_dirty dl[FZ_MAX_DIRTY];
	uint64_t a1, a2, pages, chunks, new_mo = 0, buf[2];
	size_t l1, l2;
	int priv1, priv2, call, g, ret, nd = 0, i, hold;
	struct fz_obj n = { .pool = -1 };
	struct mf_obj_commit *cm = &u.cm;
	struct mf_obj_derive *od = &u.od;
	long *delay;

	r->interesting = 0;
	if (!r->replay && (!r->bytes || r->uses-- <= 0 || chance(t, 5)))
		race_new_obj(t, r);
	if (!r->bytes)
		return;
	r->mo = r->obj;
	pages = (r->bytes + page - 1) / page;
	chunks = r->bytes / FZ_CHUNK;
	/*
	 * The layout.  Crossed: W2 maps offsets below W1's, and W1 spans more
	 * than one 2 MiB batch of a commit, so that W2 moved to W1 + 2 MiB
	 * makes the object offsets of a commit's batches go down.
	 */
	if (r->replay) {
		a1 = r->ra1;
		a2 = r->ra2;
		l1 = r->rl1;
		l2 = r->rl2;
	} else if (pages * page > FZ_CHUNK + page && chance(t, 70)) {
		/*
		 * W1 = [a1, end), W2 = [a2, a1): W2 long enough to be a whole
		 * batch of W1's commit when it is moved to W1 + 2 MiB
		 */
		uint64_t hi = (pages * page - FZ_CHUNK - page) / page;
		uint64_t lo = ((pages * page - FZ_CHUNK) / 2 + page - 1) / page;

		lo = lo < 1 ? 1 : lo > hi ? hi : lo;
		a1 = (lo + rn(t, hi - lo + 1)) * page;
		l1 = pages * page - a1;
		a2 = chance(t, 80) ? 0 : rn(t, a1 / page) * page;
		l2 = chance(t, 80) ? a1 - a2 : (1 + rn(t, (a1 - a2) / page)) * page;
	} else if (chunks >= 1 && chance(t, 30)) {
		a1 = rn(t, chunks) * FZ_CHUNK;
		l1 = (1 + rn(t, chunks - a1 / FZ_CHUNK)) * FZ_CHUNK;
		a2 = rn(t, chunks) * FZ_CHUNK;
		l2 = (1 + rn(t, chunks - a2 / FZ_CHUNK)) * FZ_CHUNK;
	} else {
		a1 = rn(t, pages) * page;
		l1 = (1 + rn(t, pages - a1 / page)) * page;
		a2 = rn(t, pages) * page;
		l2 = (1 + rn(t, pages - a2 / page)) * page;
	}
	if (a2 + l2 > pages * page)
		l2 = pages * page - a2;
	l1 = l1 > FZ_WIN_MAX ? FZ_WIN_MAX : l1;
	l2 = l2 > FZ_WIN_MAX ? FZ_WIN_MAX : l2;
	priv1 = r->replay ? r->rpriv1 : chance(t, 85);
	priv2 = r->replay ? r->rpriv2 : chance(t, 85);
	r->ra1 = a1;
	r->ra2 = a2;
	r->rl1 = l1;
	r->rl2 = l2;
	r->rpriv1 = priv1;
	r->rpriv2 = priv2;
	r->w1 = race_window(r, r->resv, a1, l1, priv1);
	r->w2 = race_window(r, r->resv + FZ_W2_AT, a2, l2, priv2);
	r->l1 = l1;
	r->l2 = l2;
	if (!r->w1 || !r->w2) {
		if (errno == ENOENT || errno == EINVAL)
			r->uses = 0;	/* gone with a reopen, or freed */
		goto out;
	}
	nd = race_fill(t, r, a1, a2, priv1, priv2, dl);
	if (nd < 0)
		goto out;	/* a write faulted (SIGBUS: the pool is full) */

	/* the call and the surgery */
	call = r->replay ? r->rcall : fz_pick(t, fzc_weight, FZC_NR);
	r->surg = r->replay ? r->rsurg : fz_pick(t, fzs_weight, FZS_NR);
	r->rcall = call;
	r->rsurg = r->surg;
	if (r->surg == FZS_MOVE && l1 > FZ_CHUNK && chance(t, 80))
		r->d = (1 + rn(t, (l1 - 1) / FZ_CHUNK)) * FZ_CHUNK;
	else
		r->d = rn(t, l1 / page) * page;
	r->interesting = 0;
	if ((call == FZC_COMMIT1 || call == FZC_COMMIT2) && r->surg <= FZS_OVERMAP)
		r->interesting = r->surg == FZS_MOVE && r->d &&
				 !(r->d % FZ_CHUNK) && a2 < a1 ? 7 : 3;
	r->slen = (1 + rn(t, (l1 - r->d) / page)) * page;
	if (r->surg == FZS_MOVE_BACK && r->slen > FZ_RESV - FZ_W2_AT)
		r->slen = FZ_RESV - FZ_W2_AT;
	r->over_flags = chance(t, 70) ? MAP_PRIVATE : MAP_SHARED;
	r->over_prot = r->over_flags == MAP_PRIVATE || !r->pub ?
		       PROT_READ | PROT_WRITE : PROT_READ;
	switch (rn(t, 4)) {
	case 0:
		r->over_off = ~0ULL;
		break;
	case 1: {
		struct fz_obj o;

		obj_pick(t, &o);
		r->over_off = o.mo;
		break;
	}
	default:
		r->over_off = r->mo + rn(t, pages - r->slen / page + 1) * page;
		break;
	}
	delay = &r->delay[call][r->surg];
	r->spins = chance(t, 10) ? (long)rn(t, 1L << rn(t, 14)) :
		   *delay / 2 + (long)rn(t, (uint64_t)*delay + 1);
	hold = chance(t, 75);
	g = ++r->gen;
	if (hold) {
		sem_post(&r->hold);
		fz_wait(&r->hold_in, g);
		fz_spin(200);
		sem_post(&r->wake);
	} else {
		sem_post(&r->wake);
		fz_wait(&r->ready, g);
	}
	memset(&u, 0, sizeof(u));
	__atomic_store_n(&r->go, g, __ATOMIC_RELEASE);
	switch (call) {
	case FZC_COMMIT1:
	case FZC_COMMIT2:
		n.ns = (int)rn(t, FZ_NR_NS);
		cm->size = sizeof(*cm);
		cm->flags = chance(t, 10) ? MF_COMMIT_PUBLISH : 0;
		cm->addr = (uintptr_t)(call == FZC_COMMIT1 ? r->w1 : r->w2);
		cm->length = call == FZC_COMMIT1 ? l1 : l2;
		mfo_str(cm->ns, sizeof(cm->ns), fz_ns[n.ns]);
		mfo_str(cm->secid, sizeof(cm->secid), fz_sec[n.ns]);
		ret = ioctl(fz_dev, MF_IOC_OBJ_COMMIT, cm);
		if (!ret)
			new_mo = cm->map_offset;
		break;
	case FZC_DERIVE:
		n.ns = (int)rn(t, FZ_NR_NS);
		od->size = sizeof(*od);
		od->src = r->mo;
		mfo_str(od->ns, sizeof(od->ns), fz_ns[n.ns]);
		mfo_str(od->secid, sizeof(od->secid), fz_sec[n.ns]);
		ret = ioctl(fz_dev, MF_IOC_OBJ_DERIVE, od);
		if (!ret)
			new_mo = od->map_offset;
		break;
	case FZC_PUBLISH:
		ret = mfo_publish(fz_dev, fz_ns[r->ns], fz_sec[r->ns], r->id);
		break;
	case FZC_EXPAND:
		ret = mfo_expand(fz_dev, r->mo, r->bytes + 1 + rn(t, FZ_CHUNK));
		break;
	case FZC_FREE:
		ret = mfo_free(fz_dev, fz_ns[r->ns], fz_sec[r->ns], r->id);
		break;
	case FZC_FAULT:
		race_touch(&t->rng, r->w1, l1);
		race_touch(&t->rng, r->w2, l2);
		ret = 0;
		break;
	default:
		ret = mfo_read(fz_dev, r->mo, 0, l1 < r->bytes ? l1 : r->bytes,
			       r->w1);
		break;
	}
	__atomic_add_fetch(&fz_calls, 1, __ATOMIC_RELAXED);
	fz_wait(&r->done, g);
	if (hold)
		fz_wait(&r->hold_done, g);
	fz_res->races++;
	fz_res->calls[call]++;
	fz_res->surgeries[r->surg]++;
	if (ret) {
		*delay = *delay * 5 / 4 + 16;
		if (*delay > (1L << 13))	/* windows are microseconds */
			*delay = 1L << 13;
	} else {
		__atomic_add_fetch(&fz_ok, 1, __ATOMIC_RELAXED);
		fz_res->race_ok++;
		*delay = *delay * 4 / 5;
	}

	/* what the call made */
	if (!ret && new_mo) {
		n.mo = new_mo;
		n.bytes = call == FZC_DERIVE ? od->bytes : cm->bytes;
		memcpy(n.id, call == FZC_DERIVE ? od->id : cm->id, sizeof(n.id));
		n.id[sizeof(n.id) - 1] = 0;
		obj_add(&n);
		if (call != FZC_DERIVE && (cm->flags & MF_COMMIT_PUBLISH))
			pub_record(cm->ns, cm->secid, cm->id, "race commit");
	}
	if (!ret && call == FZC_PUBLISH) {
		r->pub = 1;
		pub_record(fz_ns[r->ns], fz_sec[r->ns], r->id, "race publish");
	}
	if (!ret && call == FZC_EXPAND)
		r->bytes = 0;	/* a new object next time */
	if (!ret && call == FZC_FREE)
		r->uses = 0;

	/* no page written through a private window reached the object */
	for (i = 0; i < nd && r->obj_chk; i++) {
		if (mfo_read(fz_chk, r->obj_chk, dl[i].off, 8, &buf[0]) ||
		    mfo_read(fz_chk, r->obj_chk, dl[i].off + page - 8, 8, &buf[1]))
			continue;
		fz_res->priv_checks++;
		if (buf[0] == dl[i].v && buf[1] == dl[i].v)
			fz_bad("%s racing %s (%s the call, %ld spins%s): the page at %#llx written through a MAP_PRIVATE mapping is in object %s/%s (%s, %llu bytes; W1 [%#llx, +%#zx) W2 [%#llx, +%#zx))",
			       fzc_name[call], fzs_name[r->surg],
			       ret ? "failed" : "succeeded", r->spins,
			       hold ? ", mmap_lock held first" : "",
			       (unsigned long long)dl[i].off, fz_ns[r->ns], r->id,
			       r->pub ? "published" : "private",
			       (unsigned long long)r->bytes,
			       (unsigned long long)a1, l1,
			       (unsigned long long)a2, l2);
	}
out:
	/* the reservation again, whatever the surgery left there */
	mmap(r->resv, FZ_RESV, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

static void *fz_thread_main(void *arg)
{
	struct fz_thread *t = arg;
	int i;

	while (!fz_stop && (!fz_iters || t->iters < fz_iters)) {
		t->iters++;
		switch (rn(t, 35)) {
		case 0: case 1: case 2: op_alloc(t); break;
		case 3: case 4: op_get(t); break;
		case 5: op_put(t); break;
		case 6: op_free_publish(t, 0); break;
		case 7: op_free_publish(t, 1); break;
		case 8: op_batch_free(t); break;
		case 9: op_expand(t); break;
		case 10: op_stat(t); break;
		case 11: case 12: op_derive(t); break;
		case 13: case 14: op_io(t, 0); break;
		case 15: case 16: op_io(t, 1); break;
		case 17: op_copy(t); break;
		case 18: op_gather(t); break;
		case 19: op_swapin(t); break;
		case 20: op_ns(t); break;
		case 21: op_pool(t); break;
		case 22: op_raw(t); break;
		case 23: case 24: case 25: op_map(t); break;
		case 26: op_commit(t); break;
		case 27: op_reopen(t); break;
		case 28: op_verify(t); break;
		default: op_race(t); break;
		}
	}
	for (i = 0; i < FZ_MAX_MAPS; i++)
		if (t->maps[i].addr)
			munmap(t->maps[i].addr, t->maps[i].len);
	return NULL;
}

static void fz_alarm(int sig)
{
	(void)sig;
	fz_stop = 1;
}

/*
 * @len bytes of their own (a multiple of the page size) between two
 * PROT_NONE pages: what the kernel may write into.  NULL on failure.
 */
static unsigned char *fz_fenced_map(size_t len)
{
	unsigned char *p = mmap(NULL, len + 2 * page, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED ||
	    mprotect(p + page, len, PROT_READ | PROT_WRITE))
		return NULL;
	return p + page;
}

/* The fuzzing process.  Returns its exit status. */
static int fz_run(int nobody, uint64_t seed, int secs)
{
	struct fz_thread th[8];
	pthread_t tid[8];
	struct sigaction sa;
	char path[] = "/tmp/t_fuzz.XXXXXX";
	int pfd[2], i, ns;

	fz_dev = mfp_open();
	for (fz_nspare = 0; fz_nspare < 8; fz_nspare++)
		fz_spare[fz_nspare] = mfp_open();
	fz_zero_fd = open("/dev/zero", O_RDONLY);
	fz_file_fd = mkstemp(path);
	if (fz_file_fd >= 0) {
		unlink(path);
		if (ftruncate(fz_file_fd, 3 << 20))
			return 2;
	}
	if (pipe(pfd))
		return 2;
	close(pfd[1]);
	fz_pipe_fd = pfd[0];	/* at end of file at once */
	fz_ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz_ro == MAP_FAILED)
		return 2;
	/* Namespaces exist from the start (the fuzzer may destroy them). */
	for (ns = 0; ns < FZ_NR_NS; ns++)
		mfo_ns_create(fz_dev, mfo_pool, fz_ns[ns], fz_sec[ns], 0, 0);
	/* The checker's own open file and the sentinels' namespace. */
	fz_chk = mfp_open();
	mfo_ns_create(fz_chk, mfo_pool, FZ_SENT_NS, FZ_SENT_SEC, 0, 0);
	fz_t0 = fz_ms();
	if (nobody) {
		if (setgroups(0, NULL) ||
		    setresgid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY) ||
		    setresuid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY))
			return 2;
		fz_root = 0;
	} else {
		fz_root = 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fz_sig;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGALRM, fz_alarm);
	signal(SIGPIPE, SIG_IGN);
	if (secs)
		alarm(secs);
	for (i = 0; i < fz_threads; i++) {
		memset(&th[i], 0, sizeof(th[i]));
		th[i].idx = i;
		th[i].rng = (seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1))) | 1;
		th[i].buf = malloc(FZ_BUF + page);
		th[i].dst = fz_fenced_map(FZ_BUF);
		th[i].sp = fz_fenced_map(page);
		if (!th[i].buf || !th[i].dst || !th[i].sp)
			return 2;
		memset(th[i].buf, 0x5a, FZ_BUF + page);
		th[i].race = race_init(&th[i]);
		if (!th[i].race)
			return 2;
	}
	for (i = 0; i < fz_threads; i++)
		pthread_create(&tid[i], NULL, fz_thread_main, &th[i]);
	for (i = 0; i < fz_threads; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < fz_threads; i++)
		race_fini(th[i].race);
	pub_verify(1);	/* every published object, at the phase's end */
	printf("t_fuzz: %s seed %llu: %lu calls, %lu succeeded, %lu faults on mappings; %lu READs fenced (%lu of 1-256 bytes), %lu wrote outside their buffer\n",
	       nobody ? "nobody" : "root", (unsigned long long)seed, fz_calls,
	       fz_ok, fz_faults, fz_fenced, fz_fenced_small, fz_outside);
	printf("t_fuzz: %s: %lu races (%lu calls succeeded; COMMIT %lu+%lu, DERIVE %lu, PUBLISH %lu, EXPAND %lu, FREE %lu, faults %lu, READ %lu; surgeries: mremap over %lu, mremap away %lu, munmap %lu, MAP_FIXED %lu, DONTNEED %lu, fork %lu, mprotect %lu, faults %lu); %lu private pages checked; %lu published objects recorded, %lu checks of them and %lu of their sentinels (%lu unreadable); %lu content violations\n",
	       nobody ? "nobody" : "root", fz_res->races, fz_res->race_ok,
	       fz_res->calls[0], fz_res->calls[1], fz_res->calls[2],
	       fz_res->calls[3], fz_res->calls[4], fz_res->calls[5],
	       fz_res->calls[6], fz_res->calls[7], fz_res->surgeries[0],
	       fz_res->surgeries[1], fz_res->surgeries[2],
	       fz_res->surgeries[3], fz_res->surgeries[4],
	       fz_res->surgeries[5], fz_res->surgeries[6],
	       fz_res->surgeries[7], fz_res->priv_checks,
	       fz_res->pub_recorded, fz_res->pub_checks, fz_res->sent_checks,
	       fz_res->unreadable, fz_res->bad);
	return fz_outside ? 3 : 0;
}

/* Every namespace of every pool, as "pool/name" strings; their number. */
static int fz_list_ns(int fd, struct mf_ns_info *info, int room)
{
	struct mf_ns_list l;

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.namespaces = (uintptr_t)info;
	l.count = room;
	l.entry_size = sizeof(*info);
	if (ioctl(fd, MF_IOC_NS_LIST, &l))
		return 0;
	return l.count < (uint32_t)room ? (int)l.count : room;
}

static char fz_pools_before[64 * (MF_POOL_NAME_LEN + 1)];
static struct mf_ns_info fz_ns_before[256];
static int fz_nns_before;
static uint64_t *fz_ext_before;	/* offsets of pool0's raw extents before */
static long fz_next_before;

/* Whether pool0's raw extent at @off was there before the phase. */
static int fz_ext_old(uint64_t off)
{
	long i;

	for (i = 0; i < fz_next_before; i++)
		if (fz_ext_before[i] == off)
			return 1;
	return 0;
}

/* As root, after the fuzzing process: take everything it made down. */
static void fz_cleanup(int fd)
{
	static struct mf_ns_info now[256];
	struct mf_extent_info *ext;
	long n, i;
	int ns, p, k, j, old;

	mfo_ns_destroy(fd, mfo_pool, FZ_SENT_NS, FZ_SENT_SEC, MF_NS_FORCE, NULL);
	for (p = -1; p < FZ_NR_POOLS; p++)
		for (ns = 0; ns < FZ_NR_NS; ns++)
			mfo_ns_destroy(fd, pool_name(p), fz_ns[ns], fz_sec[ns],
				       MF_NS_FORCE, NULL);
	/* Namespaces under mutated names: each has one of the secIds. */
	k = fz_list_ns(fd, now, 256);
	for (i = 0; i < k; i++) {
		for (old = 0, j = 0; j < fz_nns_before; j++)
			old |= !strncmp(now[i].pool, fz_ns_before[j].pool, MF_POOL_NAME_LEN) &&
			       !strncmp(now[i].name, fz_ns_before[j].name, MF_NS_NAME_LEN);
		for (ns = 0; !old && ns < FZ_NR_NS; ns++)
			if (!mfo_ns_destroy(fd, now[i].pool, now[i].name,
					    fz_sec[ns], MF_NS_FORCE, NULL))
				break;
	}
	/*
	 * Raw extents: every one that was not there before, also those whose
	 * offset never came back (EFAULT) and those whose tag a mutation
	 * changed (a bit flip in EXTENT_ALLOC's tag: the cleanup once went by
	 * the tag, and such an extent stayed allocated).
	 */
	n = mfp_extents(fd, mfo_pool, &ext);
	for (i = 0, k = 0; i < n; i++) {
		if (fz_ext_old(ext[i].offset))
			continue;
		if ((ext[i].tag & ~0xffffULL) != FZ_TAG) {
			printf("t_fuzz: raw extent %#llx of %s, %llu bytes, has the mutated tag %#llx\n",
			       (unsigned long long)ext[i].offset, mfo_pool,
			       (unsigned long long)ext[i].len,
			       (unsigned long long)ext[i].tag);
			k++;
		}
		mfp_free(fd, mfo_pool, ext[i].offset, NULL, NULL);
	}
	free(ext);
	if (k)
		printf("t_fuzz: freed %d raw extents made under a mutated tag\n", k);
	for (p = 0; p < FZ_NR_POOLS; p++)
		mfp_detach(fd, fz_pools[p]);
	/* and pools under mutated names */
	{
		struct mf_pool_info pi[64];
		struct mf_pool_list l;

		memset(&l, 0, sizeof(l));
		l.size = sizeof(l);
		l.pools = (uintptr_t)pi;
		l.count = 64;
		l.entry_size = sizeof(pi[0]);
		if (!ioctl(fd, MF_IOC_POOL_LIST, &l))
			for (i = 0; i < (long)l.count && i < 64; i++)
			{
				char key[MF_POOL_NAME_LEN + 2];

				snprintf(key, sizeof(key), "/%.31s/", pi[i].name);
				if (!strstr(fz_pools_before, key))
					mfp_detach(fd, pi[i].name);
			}
	}
}

static void fz_phase(int fd, int nobody, uint64_t seed, int secs)
{
	struct mfo_snap before;
	struct mf_pool_check c;
	char what[128], what2[320];
	int status;
	pid_t pid;

	mfo_snapshot(&before);
	fz_nns_before = fz_list_ns(fd, fz_ns_before, 256);
	{
		struct mf_extent_info *ext;
		long i;

		fz_next_before = mfp_extents(fd, mfo_pool, &ext);
		if (fz_next_before < 0)
			fz_next_before = 0;
		free(fz_ext_before);
		fz_ext_before = calloc(fz_next_before + 1, sizeof(uint64_t));
		for (i = 0; fz_ext_before && i < fz_next_before; i++)
			fz_ext_before[i] = ext[i].offset;
		if (!fz_ext_before)
			fz_next_before = 0;
		free(ext);
	}
	{
		struct mf_pool_info pi[64];
		struct mf_pool_list l;
		uint32_t i;

		memset(&l, 0, sizeof(l));
		l.size = sizeof(l);
		l.pools = (uintptr_t)pi;
		l.count = 64;
		l.entry_size = sizeof(pi[0]);
		fz_pools_before[0] = 0;
		if (!ioctl(fd, MF_IOC_POOL_LIST, &l))
			for (i = 0; i < l.count && i < 64; i++) {
				size_t n = strlen(fz_pools_before);

				snprintf(fz_pools_before + n,
					 sizeof(fz_pools_before) - n, "/%.31s/",
					 pi[i].name);
			}
	}
	memset(fz_res, 0, sizeof(*fz_res));
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fz_run(nobody, seed, secs));
	snprintf(what, sizeof(what), "%s, seed %llu, %d s: the fuzzer ran to its end",
		 nobody ? "as nobody" : "as root", (unsigned long long)seed, secs);
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		mft_report(0, what, "fork/wait failed");
		return;
	}
	mft_report(WIFEXITED(status) && (WEXITSTATUS(status) == 0 ||
					 WEXITSTATUS(status) == 3),
		   what, "status %#x", status);
	snprintf(what, sizeof(what), "%s: no READ wrote outside its buffer",
		 nobody ? "nobody" : "root");
	mft_report(!WIFEXITED(status) || WEXITSTATUS(status) != 3, what,
		   "the kernel wrote past a READ destination (see above)");
	snprintf(what, sizeof(what),
		 "%s: %lu races of address-space surgery against the calls ran",
		 nobody ? "nobody" : "root", fz_res->races);
	mft_report(fz_res->races > 0 || (fz_iters && fz_iters < 100), what,
		   "no race ran");
	snprintf(what2, sizeof(what2),
		 "%s: no published object, sentinel or MAP_PRIVATE page changed an object's bytes (%lu published objects, %lu + %lu checksum checks, %lu private pages)",
		 nobody ? "nobody" : "root", fz_res->pub_recorded,
		 fz_res->pub_checks, fz_res->sent_checks, fz_res->priv_checks);
	mft_report(!fz_res->bad, what2, "%lu violations; the first after %lld ms: %s",
		   fz_res->bad, fz_res->first_bad_ms, fz_res->first_bad);
	fz_cleanup(fd);
	snprintf(what, sizeof(what), "%s: after the fuzzer", nobody ? "nobody" : "root");
	mfo_check_snapshot(&before, what);
	snprintf(what, sizeof(what), "%s: pool %s check is clean after the fuzzer",
		 nobody ? "nobody" : "root", mfo_pool);
	mft_report(!mfp_check(fd, mfo_pool, &c) && !c.errors, what,
		   "%llu errors, first: %s", (unsigned long long)c.errors, c.what);
}

int main(int argc, char **argv)
{
	int opt, fd;
	const char *env = getenv("MF_FUZZ_SECONDS");

	mft_init(argv[0]);
	page = sysconf(_SC_PAGESIZE);
	fz_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	if (env)
		fz_secs = atoi(env);
	env = getenv("MF_FUZZ_THREADS");
	if (env)
		fz_threads = atoi(env);
	while ((opt = getopt(argc, argv, "s:t:n:j:uv")) != -1) {
		switch (opt) {
		case 's': fz_seed = strtoull(optarg, NULL, 0); break;
		case 't': fz_secs = atoi(optarg); break;
		case 'n': fz_iters = atol(optarg); fz_secs = 0; break;
		case 'j': fz_threads = atoi(optarg); break;
		case 'u': fz_nobody_only = 1; break;
		case 'v': fz_verbose = 1; break;
		default:
			fprintf(stderr, "usage: t_fuzz [-s SEED] [-t SECONDS] [-n ITERS] [-j THREADS] [-u] [-v]\n");
			return 2;
		}
	}
	if (fz_threads < 1 || fz_threads > 8)
		fz_threads = 2;
	printf("t_fuzz: seed %llu (rerun: t_fuzz -s %llu -t %d -j %d%s)\n",
	       (unsigned long long)fz_seed, (unsigned long long)fz_seed,
	       fz_secs, fz_threads, fz_nobody_only ? " -u" : "");
	fz_res = mmap(NULL, sizeof(*fz_res), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fz_res == MAP_FAILED)
		return 2;
	fd = mfp_open();
	mfo_setup_pool(fd);
	if (fz_nobody_only) {
		fz_phase(fd, 1, fz_seed, fz_secs);
	} else {
		fz_phase(fd, 0, fz_seed, fz_secs ? (fz_secs + 1) / 2 : 0);
		fz_phase(fd, 1, fz_seed + 1, fz_secs ? (fz_secs + 1) / 2 : 0);
	}
	mfo_teardown_pool(fd);
	close(fd);
	return mft_done();
}
