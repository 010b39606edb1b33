// SPDX-License-Identifier: GPL-2.0
/*
 * ncsim - a simulator of hosts without cache coherence sharing one CXL
 * device, running memfabric's multi-host protocol core (kmod/mf_mh_*.c)
 * unchanged through the userspace side of kmod/mf_mh_cache.h.
 *
 * Model.  The device is a byte array.  Each host has a small write-back
 * cache of 64-byte lines (write-allocate; a full cache evicts a random
 * line).  Loads hit cached lines however stale.  mf_mh_wb() queues a
 * snapshot of each dirty line (it may land early, in any order);
 * mf_mh_fence() lands this host's queue; mf_mh_inval() lands, writes back
 * and drops the lines of its range.  Noise at every cache operation:
 * random eviction (dirty lines written back at random times), random early
 * landing of queued write-backs, random prefetch of any line (stale lines
 * from earlier owners).  A crash loses the host's dirty lines, lands each
 * queued write-back or not, and loses its DRAM state; it can strike at any
 * cache operation inside the protocol.  A warm restart (module reload)
 * loses the state but keeps the cache.  A pause (zombie) stops a host's
 * steps while its cache keeps evicting.
 *
 * Schedules.  2 to 8 hosts, host 0 the manager (and a member too).  Random
 * rounds of heartbeats, manager poll and tick, and member actions: alloc,
 * expand, write, publish, lookup + get, local get, map-read, derive,
 * commit, free, put, bogus requests, crash, warm restart, pause; then a
 * drain phase
 * where every host comes back, puts and frees everything.
 *
 * Invariants (any failure is a violation, printed with the seed and the
 * schedule, which a rerun of the seed reproduces exactly):
 *   read	a reader sees exactly the published bytes; an owner sees its
 *		own writes
 *   disjoint	no unit in two live objects (oracle map and mgr_check); an
 *		object's extents change only by growing (EXPAND)
 *   refs	at quiescent points and at the end, the manager's reference
 *		masks equal the hosts' holdings; no object deleted while a
 *		host in good standing holds it
 *   durable	after a manager restart, every object whose creation,
 *		expansion or publication was answered is there, as answered
 *   leak	at the end every unit is free and nothing is quarantined
 *   visible	lookups by name agree with the manager (published: found,
 *		same id, generation and extents; deleted or never
 *		published: not found)
 *   names	no two live published objects share a name; a publish is
 *		refused -EEXIST only while another one has the name
 *   req/resp	a request fenced before the manager's poll is seen by it; a
 *		response written before the member's poll is seen by it
 *   lease	a host that kept heartbeating is never declared dead
 *   bogus	the manager refuses every malformed request
 *
 *   ncsim [-n schedules] [-s first-seed] [-v] [-q]
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mf_mh.h"

#define MAXH		8
#define LINE		64
#define CAP		40	/* lines per host cache */
#define PCAP		32	/* queued write-backs per host */
#define UNIT		256
#define UNITS		40
#define LOG_ENTRIES	900
#define DIR_SLOTS	24
#define MAXOBJ		1024
#define MAXUNITS	5
#define LEASE		3
#define TTL		4
#define MAXHELD		24
#define MAXOWNED	6
#define NAMES		20	/* the names' hashes objects are published as: 1..NAMES */

const struct mf_mh_cache_ops *mf_mh_cache;

static const char *const site_name[MF_MH_NR_SITES] = {
	"FMT_WB", "FMT_FENCE", "LOG_ENT_WB", "LOG_ENT_FENCE", "LOG_HEAD_WB",
	"LOG_HEAD_FENCE", "DIR_WB", "DIR_FENCE", "RESP_WB", "RESP_FENCE",
	"REQ_INVAL", "HB_INVAL", "ATTACH_INVAL", "REQ_WB", "REQ_FENCE",
	"RESP_INVAL", "DIR_INVAL", "HB_WB", "HB_FENCE", "EPOCH_INVAL", "PUB_WB", "PUB_FENCE",
	"MAP_INVAL", "FREE_INVAL", "PUT_INVAL", "REJOIN_WBINV", "LEAVE_WBINV",
};

/* ---- random ---- */

static u64 rs;

static u64 rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static unsigned int rn(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

static int pm(unsigned int per_mille)
{
	return rn(1000) < per_mille;
}

/* ---- the device and the caches ---- */

struct cline {
	uint32_t line;
	uint8_t dirty;
	uint8_t d[LINE];
};

struct pend {
	uint32_t line;
	uint8_t d[LINE];
};

struct cache {
	int16_t *idx;
	struct cline c[CAP];
	int n;
	struct pend p[PCAP];
	int np;
};

static uint8_t *dev;
static size_t devsize;
static uint32_t nlines, meta_lines;
static struct cache cache[MAXH];
static int nhosts;
static int cur = -1;		/* the host whose code runs */
static int alive[MAXH];		/* its caches and prefetchers run */
static int running[MAXH];	/* not paused */

static jmp_buf crash_jb;
static int hooks, crash_at;
static unsigned long site_hits[MF_MH_NR_SITES + 1];

static void pend_land(struct cache *c, int i)
{
	memcpy(dev + (size_t)c->p[i].line * LINE, c->p[i].d, LINE);
	c->p[i] = c->p[--c->np];
}

static void pend_land_line(struct cache *c, uint32_t line)
{
	int i;

	for (i = 0; i < c->np;) {
		if (c->p[i].line == line)
			pend_land(c, i);
		else
			i++;
	}
}

static void pend_cancel(struct cache *c, uint32_t line)
{
	int i;

	for (i = 0; i < c->np;) {
		if (c->p[i].line == line)
			c->p[i] = c->p[--c->np];
		else
			i++;
	}
}

static void cache_drop(struct cache *c, int s)
{
	c->idx[c->c[s].line] = -1;
	c->n--;
	if (s != c->n) {
		c->c[s] = c->c[c->n];
		c->idx[c->c[s].line] = (int16_t)s;
	}
}

static void evict(struct cache *c, int s)
{
	if (c->c[s].dirty) {
		pend_cancel(c, c->c[s].line);
		memcpy(dev + (size_t)c->c[s].line * LINE, c->c[s].d, LINE);
	}
	cache_drop(c, s);
}

static int fill(struct cache *c, uint32_t line)
{
	int s = c->idx[line];

	if (s >= 0)
		return s;
	if (c->n == CAP)
		evict(c, (int)rn(CAP));
	s = c->n++;
	c->c[s].line = line;
	c->c[s].dirty = 0;
	memcpy(c->c[s].d, dev + (size_t)line * LINE, LINE);
	c->idx[line] = (int16_t)s;
	return s;
}

static void noise(void)
{
	int h = (int)rn(nhosts);
	struct cache *c = &cache[h];

	if (!alive[h])
		return;
	switch (rn(3)) {
	case 0:
		if (c->n)
			evict(c, (int)rn(c->n));
		break;
	case 1:
		if (c->np)
			pend_land(c, (int)rn(c->np));
		break;
	default:
		if (running[h])
			fill(c, rn(2) ? rn(meta_lines) : rn(nlines));
		break;
	}
}

static void host_crash_cache(int h)
{
	struct cache *c = &cache[h];
	int i;

	for (i = 0; i < c->np; i++)
		if (rn(2))
			memcpy(dev + (size_t)c->p[i].line * LINE, c->p[i].d,
			       LINE);
	c->np = 0;
	while (c->n)
		cache_drop(c, c->n - 1);
}

static void hook(void)
{
	if (pm(150))
		noise();
	if (crash_at && ++hooks == crash_at) {
		host_crash_cache(cur);
		longjmp(crash_jb, 1);
	}
}

static uint32_t line_of(const void *p)
{
	return (uint32_t)(((const uint8_t *)p - dev) / LINE);
}

static void sim_ld(void *dst, const void *p, size_t len)
{
	struct cache *c = &cache[cur];
	size_t off = (size_t)((const uint8_t *)p - dev), n;
	uint8_t *d = dst;
	int s;

	hook();
	while (len) {
		s = fill(c, (uint32_t)(off / LINE));
		n = LINE - off % LINE;
		if (n > len)
			n = len;
		memcpy(d, c->c[s].d + off % LINE, n);
		d += n;
		off += n;
		len -= n;
	}
}

static void sim_st(void *p, const void *src, size_t len)
{
	struct cache *c = &cache[cur];
	size_t off = (size_t)((uint8_t *)p - dev), n;
	const uint8_t *d = src;
	int s;

	hook();
	while (len) {
		s = fill(c, (uint32_t)(off / LINE));
		n = LINE - off % LINE;
		if (n > len)
			n = len;
		memcpy(c->c[s].d + off % LINE, d, n);
		c->c[s].dirty = 1;
		d += n;
		off += n;
		len -= n;
	}
}

static void sim_wb(int site, const void *p, size_t len)
{
	struct cache *c = &cache[cur];
	uint32_t l, first = line_of(p), last = line_of((const uint8_t *)p +
						       len - 1);
	int s;

	site_hits[site]++;
	hook();
	for (l = first; l <= last; l++) {
		s = c->idx[l];
		if (s < 0 || !c->c[s].dirty)
			continue;
		pend_cancel(c, l);
		if (c->np == PCAP)
			pend_land(c, (int)rn(PCAP));
		c->p[c->np].line = l;
		memcpy(c->p[c->np].d, c->c[s].d, LINE);
		c->np++;
		c->c[s].dirty = 0;
	}
}

static void sim_fence(int site)
{
	struct cache *c = &cache[cur];

	site_hits[site]++;
	hook();
	while (c->np)
		pend_land(c, (int)rn(c->np));
}

static void sim_inval(int site, const void *p, size_t len)
{
	struct cache *c = &cache[cur];
	uint32_t l, first = line_of(p), last = line_of((const uint8_t *)p +
						       len - 1);
	int s;

	site_hits[site]++;
	hook();
	for (l = first; l <= last; l++) {
		pend_land_line(c, l);
		s = c->idx[l];
		if (s >= 0)
			evict(c, s);
	}
}

static void sim_wbinval_all(int site)
{
	struct cache *c = &cache[cur];

	site_hits[site]++;
	hook();
	while (c->np)
		pend_land(c, (int)rn(c->np));
	while (c->n)
		evict(c, c->n - 1);
}

static const struct mf_mh_cache_ops sim_ops = {
	.ld = sim_ld,
	.st = sim_st,
	.wb = sim_wb,
	.fence = sim_fence,
	.inval = sim_inval,
	.wbinval_all = sim_wbinval_all,
};

/* ---- the oracle ---- */

struct oobj {
	int mstate;		/* as the manager last had it: 0, 1, 2 */
	int deleted;
	int acked;		/* a member was told it was created */
	int acked_pub;		/* ... that it was published */
	u64 acked_size;		/* ... that it was expanded to this size */
	uint32_t gen;
	u64 size;
	u64 name;		/* published: as the manager had it */
	uint16_t nr;
	struct mf_mh_x x[MF_MH_MAX_EXT];
	uint8_t bytes[MAXUNITS * UNIT];	/* owner's view; published bytes */
};

struct held {
	u64 id;
	uint32_t gen;
	int cnt;
	uint16_t nr;
	struct mf_mh_x x[MF_MH_MAX_EXT];
};

struct owned {
	u64 id;
	u64 size;
	int publishing;
	u64 name;		/* the name it is being published as */
	int pub_round;		/* the round its PUBLISH was sent */
	uint16_t nr;
	struct mf_mh_x x[MF_MH_MAX_EXT];
};

struct mhost {
	int up;			/* attached and its state valid */
	int down_until;		/* crashed: restarts at this round */
	int paused_until;
	int last_disrupt;
	int pend;		/* outstanding request, 0: none */
	int rogue;		/* it is a bogus one */
	int submitted;
	u64 pid;
	u64 parg;		/* its arg */
	struct held ph;		/* GET: what the lookup said */
	struct mf_mh_member mb;
	struct held h[MAXHELD];
	int nh;
	struct owned o[MAXOWNED];
	int no;
};

static struct oobj *ob;
static u64 ob_top;		/* ids below it may be in use */
static struct mhost H[MAXH];
static struct mf_mh_mgr M;
static int mgr_up;
static u64 now;
static int unit_owner[UNITS];
static int violations;
static int verbose;
static u64 cur_seed;
static struct mf_mh_geo G;
static jmp_buf fail_jb;
static int name_round[NAMES + 1];	/* last round a published object had it */
static unsigned long nr_lookups, nr_dir_reads, nr_eexist;
static unsigned long nr_exp[3];	/* EXPAND answered: 0, -ENOSPC, -E2BIG */

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	printf("  [t=%llu] ", now);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("VIOLATION seed %llu t=%llu: ", cur_seed, now);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	violations++;
	longjmp(fail_jb, 1);
}

/*
 * The core's lock rules are checked here: its userspace lock is a flag,
 * and a broken rule (a lock taken twice, released unheld, or not held
 * where a helper needs it) is a violation like any other.
 */
void mf_mh_lock_fail(const char *what)
{
	fail("lock: %s", what);
}

/*
 * The oracle reads the manager's state between steps, under its lock as a
 * kernel caller would; the simulator has one thread, so the object stays
 * valid after the unlock until the next manager step.
 */
static const struct mf_mh_obj *mgr_find(u64 id)
{
	const struct mf_mh_obj *o;

	mf_mh_lock(&M.lock);
	o = mf_mh_mgr_find(&M, id);
	mf_mh_unlock(&M.lock);
	return o;
}

static int mgr_check(void)
{
	const char *what = "";
	u64 where = 0;
	int ret;

	mf_mh_lock(&M.lock);
	ret = mf_mh_mgr_check(&M, &what, &where);
	mf_mh_unlock(&M.lock);
	if (ret)
		fprintf(stderr, "manager check: %s (%llu)\n", what,
			(unsigned long long)where);
	return ret;
}

static int good(int h)
{
	return H[h].up && H[h].mb.joined && mgr_up &&
	       M.host[h].state == MF_MH_HOST_JOINED &&
	       M.host[h].epoch == H[h].mb.epoch;
}

static struct held *held_find(struct mhost *m, u64 id)
{
	int i;

	for (i = 0; i < m->nh; i++)
		if (m->h[i].id == id)
			return &m->h[i];
	return NULL;
}

static void host_forget(int h)
{
	struct mhost *m = &H[h];

	int i;

	for (i = 0; i < m->no; i++) {
		ob[m->o[i].id].acked = 0;
		ob[m->o[i].id].acked_size = 0;
	}
	m->nh = 0;
	m->no = 0;
	m->pend = 0;
	m->rogue = 0;
	m->submitted = 0;
	m->last_disrupt = (int)now;
}

/*
 * The manager's check finds corruption: every 16th sound state, break it
 * in each way the state allows (one field at a time), check that
 * mf_mh_mgr_check() names it, and restore it.  No random numbers are
 * drawn, so the schedules are those of a run without it.
 */
static unsigned long probes[5], probe_calls;

static void probe_one(int kind, const char *want)
{
	const char *what = "";
	u64 where;

	if (mf_mh_mgr_check(&M, &what, &where) != -EUCLEAN ||
	    strcmp(what, want))
		fail("corruption %d not found: got \"%s\", want \"%s\"", kind,
		     what, want);
	probes[kind]++;
}

static void corrupt_probe(void)
{
	uint32_t u, i, h;
	uint16_t live = 0, saved16;
	uint8_t saved8;

	if (probe_calls++ % 16)
		return;
	mf_mh_lock(&M.lock);
	for (h = 0; h < M.geo.nr_hosts; h++)
		if (M.host[h].state == MF_MH_HOST_JOINED)
			live |= 1U << h;
	for (u = 0; u < M.geo.data_units && !M.used[u]; u++)
		;
	if (u < M.geo.data_units) {
		saved16 = M.qmask[u];
		M.qmask[u] = 1;
		probe_one(0, "unit used and quarantined");
		M.qmask[u] = saved16;
	}
	for (u = 0; u < M.geo.data_units && (M.used[u] || M.qmask[u]); u++)
		;
	if (u < M.geo.data_units) {
		M.used[u] = 1;
		probe_one(1, "used units not in exactly one object");
		M.used[u] = 0;
	}
	for (h = 0; h < M.geo.nr_hosts && (live & (1U << h)); h++)
		;
	if (M.nr_objs && h < M.geo.nr_hosts) {
		saved16 = M.objs[0].refs;
		M.objs[0].refs |= 1U << h;
		probe_one(2, "object ref of a host not joined or unmapped");
		M.objs[0].refs = saved16;
	}
	for (i = 0; i < M.geo.dir_slots && M.dirstate[i] == MF_MH_DIR_PUB; i++)
		;
	if (i < M.geo.dir_slots) {
		saved8 = M.dirstate[i];
		M.dirstate[i] = MF_MH_DIR_PUB;
		probe_one(3, "directory slots and published objects differ");
		M.dirstate[i] = saved8;
	}
	for (i = 0; i < M.nr_objs && M.objs[i].state != MF_MH_OBJ_PUBLISHED; i++)
		;
	if (i < M.nr_objs) {
		saved8 = M.dirstate[M.objs[i].dir_slot];
		M.dirstate[M.objs[i].dir_slot] = MF_MH_DIR_TOMB;
		probe_one(4, "published object not in its slot");
		M.dirstate[M.objs[i].dir_slot] = saved8;
	}
	mf_mh_unlock(&M.lock);
}

/*
 * The names: no two live published objects share one (mgr_check checks
 * it too); remember the rounds each one was taken in.
 */
static void names(void)
{
	uint32_t i, j;

	for (i = 0; i < M.nr_objs; i++) {
		if (M.objs[i].state != MF_MH_OBJ_PUBLISHED)
			continue;
		if (!M.objs[i].name || M.objs[i].name > NAMES)
			fail("names: object %llu published as %llu",
			     M.objs[i].id, M.objs[i].name);
		name_round[M.objs[i].name] = (int)now;
		for (j = 0; j < i; j++)
			if (M.objs[j].state == MF_MH_OBJ_PUBLISHED &&
			    M.objs[j].name == M.objs[i].name)
				fail("names: objects %llu and %llu share name %llu",
				     M.objs[j].id, M.objs[i].id, M.objs[i].name);
	}
}

/* disjoint: the units of extents @x[0..@n) become object @id's alone. */
static void claim_units(const struct mf_mh_x *x, uint32_t n, u64 id)
{
	uint32_t k, u;

	for (k = 0; k < n; k++)
		for (u = x[k].start; u < x[k].start + x[k].len; u++) {
			if (unit_owner[u] >= 0)
				fail("disjoint: unit %u in objects %d and %llu", u,
				     unit_owner[u], id);
			unit_owner[u] = (int)id;
		}
}

/* Compare the oracle with the manager after each of its steps. */
static void diff(int rebuilt)
{
	struct mf_mh_x add[MF_MH_MAX_EXT];
	const struct mf_mh_obj *o;
	struct oobj *q;
	uint16_t na;
	u64 id;
	uint32_t i, u, k;
	int h;

	if (mgr_check())
		fail("mgr_check: manager state inconsistent");
	corrupt_probe();
	names();
	for (id = 0; id < ob_top; id++) {
		q = &ob[id];
		if (!q->mstate)
			continue;
		o = mgr_find(id);
		if (o) {
			if (rebuilt && q->acked_pub &&
			    o->state != MF_MH_OBJ_PUBLISHED)
				fail("durable: object %llu lost its publication", id);
			if (rebuilt && q->acked && o->size < q->acked_size)
				fail("durable: object %llu lost its expansion to %llu",
				     id, q->acked_size);
			continue;
		}
		for (h = 0; h < nhosts; h++) {
			if (!good(h))
				continue;
			if (q->mstate == MF_MH_OBJ_PUBLISHED && held_find(&H[h], id))
				fail("refs: object %llu deleted while host %d holds it", id, h);
			for (k = 0; k < (uint32_t)H[h].no; k++)
				if (H[h].o[k].id == id)
					fail("refs: private object %llu of host %d deleted", id, h);
		}
		logf_("object %llu deleted", id);
		q->mstate = 0;
		q->deleted = 1;
		for (i = 0; i < q->nr; i++)
			for (u = q->x[i].start; u < q->x[i].start + q->x[i].len; u++)
				unit_owner[u] = -1;
	}
	for (i = 0; i < M.nr_objs; i++) {
		o = &M.objs[i];
		if (o->id >= MAXOBJ)
			fail("object id %llu out of range", o->id);
		q = &ob[o->id];
		if (o->id >= ob_top)
			ob_top = o->id + 1;
		if (q->deleted)
			fail("disjoint: deleted object %llu came back", o->id);
		if (!q->mstate) {
			claim_units(o->ext, o->nr_ext, o->id);
			q->nr = o->nr_ext;
			memcpy(q->x, o->ext, sizeof(q->x));
		} else if (o->nr_ext != q->nr ||
			   memcmp(o->ext, q->x, sizeof(o->ext[0]) * o->nr_ext)) {
			/* EXTEND: the old extents kept, the units added free. */
			if (mf_mh_ext_grown(q->x, q->nr, o->ext, o->nr_ext,
					    add, &na))
				fail("disjoint: object %llu's extents changed, not grown",
				     o->id);
			claim_units(add, na, o->id);
			q->nr = o->nr_ext;
			memcpy(q->x, o->ext, sizeof(q->x));
		}
		q->size = o->size;
		if (q->mstate == MF_MH_OBJ_PUBLISHED && q->name != o->name)
			fail("durable: object %llu renamed %llu -> %llu", o->id,
			     q->name, o->name);
		q->mstate = o->state;
		q->gen = o->gen;
		q->name = o->name;
	}
}

/* ---- steps: run code as host h, maybe crashing it inside ---- */

static void member_crash(int h);
static void mgr_crash(void);

typedef void (*step_fn)(int h);

static int crash_enabled;

/* Returns 1 if host h crashed inside. */
static int step(int h, step_fn fn)
{
	cur = h;
	hooks = 0;
	crash_at = crash_enabled && pm(30) ? 1 + (int)rn(12) : 0;
	if (setjmp(crash_jb)) {
		crash_at = 0;
		cur = -1;
		logf_("host %d crashed inside a step", h);
		if (h == 0)
			mgr_crash();
		member_crash(h);
		return 1;
	}
	fn(h);
	crash_at = 0;
	cur = -1;
	return 0;
}

/* ---- the manager ---- */

static void mgr_crash(void)
{
	mf_mh_mgr_fini(&M);
	mgr_up = 0;
}

static void s_mgr_init(int h)
{
	int ret;

	(void)h;
	ret = mf_mh_mgr_init(&M, dev, MAXOBJ, now, LEASE, TTL);
	if (ret)
		fail("durable: manager rebuild failed: %d", ret);
	mgr_up = 1;
	diff(1);
}

static void check_l1(void)
{
	int h;

	for (h = 0; h < nhosts; h++)
		if (H[h].up && H[h].pend && H[h].submitted &&
		    M.host[h].last_seq != H[h].mb.seq)
			fail("req: host %d's request %llu not seen by the manager",
			     h, H[h].mb.seq);
}

static void s_mgr_poll(int h)
{
	int ret;

	(void)h;
	ret = mf_mh_mgr_poll(&M, now);
	if (ret)
		fail("manager poll failed: %d", ret);
	diff(0);
	check_l1();
}

static void s_mgr_tick(int h)
{
	uint8_t before[MAXH];
	int ret, i;

	(void)h;
	for (i = 0; i < nhosts; i++)
		before[i] = M.host[i].state;
	ret = mf_mh_mgr_tick(&M, now);
	if (ret)
		fail("manager tick failed: %d", ret);
	for (i = 0; i < nhosts; i++)
		if (before[i] == MF_MH_HOST_JOINED &&
		    M.host[i].state == MF_MH_HOST_DEAD) {
			logf_("manager: host %d lease expired", i);
			if (H[i].up && !H[i].paused_until &&
			    (int)now - H[i].last_disrupt > LEASE + 2)
				fail("lease: host %d heartbeating but declared dead", i);
		}
	diff(0);
}

/* ---- members ---- */

static void member_crash(int h)
{
	struct mhost *m = &H[h];

	m->up = 0;
	alive[h] = 0;
	host_forget(h);
	m->down_until = (int)now + 1 + (int)rn(LEASE + 4);
}

static void s_attach(int h)
{
	struct mhost *m = &H[h];
	int ret;

	ret = mf_mh_attach(&m->mb, dev, (uint32_t)h);
	if (ret)
		fail("attach: host %d cannot read the superblock: %d", h, ret);
	m->up = 1;
	mf_mh_rejoin_prepare(&m->mb);
	mf_mh_submit(&m->mb, MF_MH_OP_JOIN, 0, 0, 0);
	m->pend = MF_MH_OP_JOIN;
	m->submitted = 1;
}

static void s_heartbeat(int h)
{
	if (mf_mh_heartbeat(&H[h].mb) == -ESTALE) {
		logf_("host %d: given up by the manager", h);
		host_forget(h);
	}
}

static void dev_rw(int h, const struct mf_mh_x *x, uint16_t nr, u64 off,
		   uint8_t *buf, u64 len, int write)
{
	u64 pos = 0, n, a, b;
	uint16_t i;

	(void)h;
	for (i = 0; i < nr && len; i++) {
		a = pos;
		b = pos + (u64)x[i].len * UNIT;
		pos = b;
		if (off >= b)
			continue;
		n = b - off;
		if (n > len)
			n = len;
		if (write)
			sim_st((uint8_t *)mf_mh_unit_ptr(dev, &G, x[i].start) +
			       (off - a), buf, n);
		else
			sim_ld(buf, (uint8_t *)mf_mh_unit_ptr(dev, &G, x[i].start) +
			       (off - a), n);
		buf += n;
		off += n;
		len -= n;
	}
}

static void check_read(int h, u64 id, const struct mf_mh_x *x, uint16_t nr,
		       u64 size)
{
	uint8_t buf[MAXUNITS * UNIT];
	u64 off = rn((unsigned int)size), len = 1 + rn((unsigned int)(size - off));
	u64 i;

	if (rn(2)) {
		off = 0;
		len = size;
	}

	dev_rw(h, x, nr, off, buf, len, 0);
	for (i = 0; i < len; i++)
		if (buf[i] != ob[id].bytes[off + i])
			fail("read: host %d read byte %llu of object %llu"
			     " as %02x, published %02x", h, off + i, id, buf[i],
			     ob[id].bytes[off + i]);
}

static int act_h;

/* The host's kernel zeroes new units with full-line stores. */
static void zero_units(const struct mf_mh_x *x, uint16_t nr)
{
	uint8_t zero[UNIT];
	uint32_t j;
	int i;

	memset(zero, 0, sizeof(zero));
	for (i = 0; i < nr; i++)
		for (j = 0; j < x[i].len; j++)
			sim_st(mf_mh_unit_ptr(dev, &G, x[i].start + j), zero, UNIT);
}

static void complete(int h, const struct mf_mh_reply *r)
{
	struct mf_mh_x add[MF_MH_MAX_EXT];
	struct mhost *m = &H[h];
	struct owned *w;
	struct held *k;
	u64 units, j;
	uint16_t na;
	int op = m->pend, i;

	m->pend = 0;
	m->submitted = 0;
	logf_("host %d: op %d answered %d (id %llu)", h, op, r->status, r->id);
	if (m->rogue) {
		if (!r->status)
			fail("bogus: the manager accepted host %d's bogus request", h);
		/* an old epoch is refused; the host itself is still joined */
		if (m->rogue == 2 && r->status == -ESTALE)
			m->mb.joined = true;
		m->rogue = 0;
		return;
	}
	if (r->status == -ESTALE) {
		host_forget(h);
		return;
	}
	switch (op) {
	case MF_MH_OP_LEAVE:
		if (r->status)
			fail("leave of host %d refused: %d", h, r->status);
		/* Detached: it attaches again later, its cache kept (warm). */
		logf_("host %d left", h);
		host_forget(h);
		m->up = 0;
		m->mb.joined = false;
		m->down_until = (int)now + 1 + (int)rn(LEASE + 4);
		return;
	case MF_MH_OP_JOIN:
		if (mf_mh_join_done(&m->mb, r))
			fail("join of host %d failed: %d", h, r->status);
		m->last_disrupt = (int)now;
		return;
	case MF_MH_OP_ALLOC:
	case MF_MH_OP_DERIVE:
		if (r->status)
			return;
		if (r->id >= MAXOBJ || m->no == MAXOWNED)
			fail("alloc: bad answer");
		ob[r->id].acked = 1;
		w = &m->o[m->no++];
		w->id = r->id;
		w->size = r->size;
		w->publishing = 0;
		w->nr = r->nr_ext;
		memcpy(w->x, r->ext, sizeof(w->x));
		zero_units(r->ext, r->nr_ext);
		memset(ob[r->id].bytes, 0, sizeof(ob[r->id].bytes));
		if (op == MF_MH_OP_DERIVE) {
			k = held_find(m, m->pid);
			if (!k)
				fail("derive: parent not held");
			mf_mh_map_prepare(&m->mb, k->id, k->gen, k->x, k->nr);
			units = r->size;
			dev_rw(h, k->x, k->nr, 0, ob[r->id].bytes, units, 0);
			for (j = 0; j < units; j++)
				if (ob[r->id].bytes[j] != ob[k->id].bytes[j])
					fail("read: host %d derive read byte %llu"
					     " of %llu wrong", h, j, k->id);
			dev_rw(h, w->x, w->nr, 0, ob[r->id].bytes, units, 1);
		}
		return;
	case MF_MH_OP_EXPAND:
		for (i = 0; i < m->no; i++)
			if (m->o[i].id == m->pid)
				break;
		if (i == m->no)
			fail("expand: object not owned");
		w = &m->o[i];
		if (r->status == -ENOSPC || r->status == -E2BIG) {
			nr_exp[r->status == -ENOSPC ? 1 : 2]++;
			return;
		}
		if (r->status)
			fail("expand of own object %llu by host %d refused: %d",
			     w->id, h, r->status);
		if (r->id != w->id || r->size != m->parg ||
		    mf_mh_ext_grown(w->x, w->nr, r->ext, r->nr_ext, add, &na))
			fail("expand: answer for %llu does not grow it", w->id);
		zero_units(add, na);
		w->nr = r->nr_ext;
		memcpy(w->x, r->ext, sizeof(w->x));
		w->size = r->size;
		ob[w->id].acked_size = r->size;
		nr_exp[0]++;
		return;
	case MF_MH_OP_PUBLISH:
		for (i = 0; i < m->no; i++)
			if (m->o[i].id == m->pid)
				break;
		if (i == m->no)
			fail("publish: object not owned");
		if (r->status == -EEXIST && m->o[i].pub_round > name_round[m->o[i].name])
			fail("names: host %d's publish of %llu as %llu refused"
			     " -EEXIST, but no object had the name since round %d",
			     h, m->pid, m->o[i].name, m->o[i].pub_round);
		nr_eexist += r->status == -EEXIST;
		if (r->status) {
			m->o[i].publishing = 0;
			return;
		}
		ob[m->pid].acked_pub = 1;
		if (m->nh == MAXHELD)
			fail("too many held");
		k = &m->h[m->nh++];
		k->id = m->pid;
		k->gen = r->gen;
		k->cnt = 1;
		k->nr = m->o[i].nr;
		memcpy(k->x, m->o[i].x, sizeof(k->x));
		m->o[i] = m->o[--m->no];
		mf_mh_published(&m->mb, k->id, k->gen);
		return;
	case MF_MH_OP_GET:
		if (r->status)
			return;
		if (r->gen != m->ph.gen || r->nr_ext != m->ph.nr ||
		    memcmp(r->ext, m->ph.x, sizeof(r->ext[0]) * r->nr_ext))
			fail("visible: directory and GET disagree on %llu", m->ph.id);
		if (m->nh == MAXHELD)
			fail("too many held");
		m->h[m->nh] = m->ph;
		m->h[m->nh++].cnt = 1;
		return;
	case MF_MH_OP_PUT:
	case MF_MH_OP_FREE:
		if (r->status)
			fail("put/free of %llu by host %d refused: %d",
			     m->pid, h, r->status);
		return;
	}
}

static void s_poll(int h)
{
	struct mhost *m = &H[h];
	struct mf_mh_reply r;

	if (mf_mh_poll(&m->mb, &r)) {
		if (mgr_up && M.host[h].resp_seq == m->mb.seq)
			fail("resp: host %d does not see the answer to %llu",
			     h, m->mb.seq);
		return;
	}
	complete(h, &r);
}

static void submit(int h, int op, u64 id, u64 arg, uint32_t gen)
{
	struct mhost *m = &H[h];

	logf_("host %d submits op %d id %llu arg %llu gen %u%s", h, op, id,
	      arg, gen, m->rogue ? " (bogus)" : "");
	m->pend = op ? op : -1;	/* op 0 is a bogus one */
	m->pid = id;
	m->parg = arg;
	m->submitted = 0;
	if (mf_mh_submit(&m->mb, (uint16_t)op, id, arg, gen)) {
		m->pend = 0;
		m->rogue = 0;
		return;
	}
	m->submitted = 1;
}

static void s_rejoin(int h)
{
	struct mhost *m = &H[h];

	logf_("host %d rejoins", h);
	host_forget(h);
	mf_mh_rejoin_prepare(&m->mb);
	submit(h, MF_MH_OP_JOIN, 0, 0, 0);
}

static const struct mf_mh_obj *mgr_find_name(u64 name)
{
	uint32_t i;

	for (i = 0; i < M.nr_objs; i++)
		if (M.objs[i].state == MF_MH_OBJ_PUBLISHED &&
		    M.objs[i].name == name)
			return &M.objs[i];
	return NULL;
}

static void a_lookup(int h)
{
	struct mhost *m = &H[h];
	struct mf_mh_reply r;
	const struct mf_mh_obj *o;
	u64 name = rn(NAMES + 2);	/* 0 and NAMES + 1: never published */
	struct held *k;
	uint32_t reads = 0, i;
	int ret;

	/* Half of the lookups: a name the manager has published. */
	if (mgr_up && M.nr_objs && rn(2)) {
		i = rn(M.nr_objs);
		if (M.objs[i].state == MF_MH_OBJ_PUBLISHED)
			name = M.objs[i].name;
	}

	ret = mf_mh_lookup(&m->mb, name, &r, &reads);
	nr_lookups++;
	nr_dir_reads += reads;
	if (!reads || reads > DIR_SLOTS)
		fail("visible: host %d's lookup read %u slots", h, reads);
	o = mgr_up ? mgr_find_name(name) : NULL;
	if (mgr_up) {
		if (o) {
			if (ret)
				fail("visible: host %d cannot find published %llu"
				     " (name %llu): %d", h, o->id, name, ret);
			if (r.id != o->id || r.gen != o->gen ||
			    r.nr_ext != o->nr_ext ||
			    memcmp(r.ext, o->ext, sizeof(r.ext[0]) * o->nr_ext))
				fail("visible: host %d reads a stale entry for name"
				     " %llu (%llu, manager %llu)", h, name, r.id, o->id);
		} else if (ret != -ENOENT) {
			fail("visible: host %d finds absent name %llu (%d, id %llu)",
			     h, name, ret, ret ? 0 : r.id);
		}
	}
	if (ret)
		return;
	k = held_find(m, r.id);
	if (k) {
		k->cnt++;
		return;
	}
	m->ph.id = r.id;
	m->ph.gen = r.gen;
	m->ph.nr = r.nr_ext;
	memcpy(m->ph.x, r.ext, sizeof(m->ph.x));
	submit(h, MF_MH_OP_GET, r.id, 0, r.gen);
}

static void a_rogue(int h)
{
	struct mhost *m = &H[h];
	uint8_t junk[LINE];
	uint8_t *slot;
	uint32_t i;

	if (pm(300)) {
		/* Raw garbage over its own request or heartbeat line. */
		for (i = 0; i < LINE; i++)
			junk[i] = (uint8_t)rnd();
		slot = dev + 256 + 256 * h + (rn(2) ? 64 : 0);
		sim_st(slot, junk, LINE);
		sim_wb(MF_MH_NR_SITES, slot, LINE);
		sim_fence(MF_MH_NR_SITES);
		return;
	}
	m->rogue = 1;
	switch (rn(7)) {
	case 0:
		submit(h, rn(2) ? 0 : MF_MH_OP_MAX + (int)rn(100), rnd(), rnd(), 0);
		break;
	case 1:
		/* GET, PUT, FREE of no object, or an unknown op */
		i = rn(5);
		submit(h, i < 3 ? MF_MH_OP_GET + (int)i : MF_MH_OP_MAX + (int)i,
		       (1ULL << 40) + rn(1000), 0, 0);
		break;
	case 2:
		submit(h, MF_MH_OP_ALLOC, 0, rn(2) ? 0 : UNITS * UNIT + 1 + rn(1U << 30), 0);
		break;
	case 3:
		for (i = 0; mgr_up && i < M.nr_objs; i++)
			if (M.objs[i].owner != h) {
				submit(h, rn(2) ? MF_MH_OP_FREE : MF_MH_OP_PUBLISH,
				       M.objs[i].id, 0, 0);
				return;
			}
		m->rogue = 0;
		break;
	case 4:
		for (i = 0; mgr_up && i < M.nr_objs; i++)
			if (M.objs[i].state == MF_MH_OBJ_PUBLISHED &&
			    !held_find(m, M.objs[i].id)) {
				submit(h, rn(2) ? MF_MH_OP_PUT : MF_MH_OP_GET,
				       M.objs[i].id, 0, M.objs[i].gen + 1 + (uint32_t)rn(5));
				return;
			}
		m->rogue = 0;
		break;
	case 5:
		/*
		 * EXPAND of another host's object or a published one, or of
		 * its own beyond the data area.
		 */
		for (i = 0; mgr_up && i < M.nr_objs; i++)
			if (M.objs[i].owner != h ||
			    M.objs[i].state == MF_MH_OBJ_PUBLISHED || pm(300)) {
				submit(h, MF_MH_OP_EXPAND, M.objs[i].id,
				       M.objs[i].owner == h &&
				       M.objs[i].state == MF_MH_OBJ_PRIVATE ?
				       UNITS * UNIT + 1 + rn(1000) :
				       M.objs[i].size + 1 + rn(UNIT), 0);
				return;
			}
		m->rogue = 0;
		break;
	default:
		/* An old epoch, as a zombie would send. */
		m->rogue = 2;
		m->mb.epoch--;
		submit(h, MF_MH_OP_ALLOC, 0, UNIT, 0);
		m->mb.epoch++;
		break;
	}
}

static void s_action(int h)
{
	struct mhost *m = &H[h];
	struct owned *w;
	struct held *k;
	uint8_t buf[MAXUNITS * UNIT];
	u64 off, len, i;
	int r;

	if (m->pend) {
		s_poll(h);
		return;
	}
	if (!m->mb.joined) {
		s_rejoin(h);
		return;
	}
	r = (int)rn(100);
	if (r < 10 && m->no < MAXOWNED) {
		submit(h, MF_MH_OP_ALLOC, 0, 1 + rn(MAXUNITS * UNIT), 0);
	} else if (r < 13 && m->no) {
		w = &m->o[rn(m->no)];
		if (w->publishing || w->size >= MAXUNITS * UNIT)
			return;
		submit(h, MF_MH_OP_EXPAND, w->id,
		       w->size + 1 + rn((unsigned int)(MAXUNITS * UNIT - w->size)), 0);
	} else if (r < 27 && m->no) {
		w = &m->o[rn(m->no)];
		if (w->publishing)
			return;
		off = rn((unsigned int)w->size);
		len = 1 + rn((unsigned int)(w->size - off));
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		dev_rw(h, w->x, w->nr, off, buf, len, 1);
		memcpy(ob[w->id].bytes + off, buf, len);
	} else if (r < 35 && m->no) {
		w = &m->o[rn(m->no)];
		check_read(h, w->id, w->x, w->nr, w->size);
	} else if (r < 43 && m->no) {
		w = &m->o[rn(m->no)];
		if (w->publishing)
			return;
		w->publishing = 1;
		w->name = 1 + rn(NAMES);
		w->pub_round = (int)now;
		mf_mh_publish_prepare(&m->mb, w->x, w->nr);
		submit(h, MF_MH_OP_PUBLISH, w->id, w->name, 0);
	} else if (r < 58) {
		a_lookup(h);
	} else if (r < 72 && m->nh) {
		k = &m->h[rn(m->nh)];
		mf_mh_map_prepare(&m->mb, k->id, k->gen, k->x, k->nr);
		check_read(h, k->id, k->x, k->nr, ob[k->id].size);
	} else if (r < 77 && m->nh && m->no < MAXOWNED) {
		k = &m->h[rn(m->nh)];
		submit(h, MF_MH_OP_DERIVE, k->id, 0, 0);
	} else if (r < 83 && m->no) {
		i = rn(m->no);
		w = &m->o[i];
		if (w->publishing)
			return;
		mf_mh_free_prepare(&m->mb, w->x, w->nr);
		ob[w->id].acked = 0;
		submit(h, MF_MH_OP_FREE, w->id, 0, 0);
		m->o[i] = m->o[--m->no];
	} else if (r < 95 && m->nh) {
		i = rn(m->nh);
		k = &m->h[i];
		if (--k->cnt)
			return;
		mf_mh_put_prepare(&m->mb, k->x, k->nr);
		submit(h, MF_MH_OP_PUT, k->id, 0, 0);
		m->h[i] = m->h[--m->nh];
	} else if (r < 98) {
		a_rogue(h);
	} else if (r < 99 && h) {
		/* A clean detach: flush everything, then LEAVE. */
		logf_("host %d leaves", h);
		mf_mh_leave_prepare(&m->mb);
		submit(h, MF_MH_OP_LEAVE, 0, 0, 0);
	}
}

/* Drain phase: give back everything. */
static void s_release(int h)
{
	struct mhost *m = &H[h];
	struct owned *w;
	struct held *k;

	if (m->pend) {
		s_poll(h);
		return;
	}
	if (!m->mb.joined) {
		s_rejoin(h);
		return;
	}
	if (m->no && !m->o[0].publishing) {
		w = &m->o[0];
		mf_mh_free_prepare(&m->mb, w->x, w->nr);
		ob[w->id].acked = 0;
		submit(h, MF_MH_OP_FREE, w->id, 0, 0);
		m->o[0] = m->o[--m->no];
	} else if (m->nh) {
		k = &m->h[0];
		mf_mh_put_prepare(&m->mb, k->x, k->nr);
		submit(h, MF_MH_OP_PUT, k->id, 0, 0);
		m->h[0] = m->h[--m->nh];
	}
}

/* Quiescent check: the manager's reference masks equal the holdings. */
static void check_refs(void)
{
	const struct mf_mh_obj *o;
	uint32_t i;
	int h, held, k;

	if (!mgr_up)
		return;
	for (h = 0; h < nhosts; h++) {
		if (!good(h) || H[h].pend)
			continue;
		for (i = 0; i < M.nr_objs; i++) {
			o = &M.objs[i];
			held = held_find(&H[h], o->id) != NULL;
			if (o->state == MF_MH_OBJ_PUBLISHED &&
			    !!(o->refs & (1U << h)) != held)
				fail("refs: object %llu host %d: manager %d, host %d",
				     o->id, h, !!(o->refs & (1U << h)), held);
			if (o->state == MF_MH_OBJ_PRIVATE && o->owner == h) {
				for (k = 0; k < H[h].no; k++)
					if (H[h].o[k].id == o->id)
						break;
				if (k == H[h].no)
					fail("refs: host %d does not know its object %llu",
					     h, o->id);
			}
		}
		for (k = 0; k < H[h].nh; k++) {
			o = mgr_find(H[h].h[k].id);
			if (!o || !(o->refs & (1U << h)))
				fail("refs: host %d holds %llu unknown to the manager",
				     h, H[h].h[k].id);
		}
	}
}

static void restart(int h)
{
	logf_("host %d restarts", h);
	H[h].down_until = 0;
	alive[h] = 1;
	running[h] = 1;
	if (h == 0 && !mgr_up && step(0, s_mgr_init))
		return;
	if (!H[h].up)
		step(h, s_attach);
}

/* mode 0: normal; 1: drain (give everything back); 2: quiesce (poll only) */
static void round_(int mode)
{
	int h, a, n;

	now++;
	for (h = 0; h < nhosts; h++) {
		/* A host that left during the drain comes back in it too. */
		if ((!mode || !H[h].up) && H[h].down_until &&
		    (int)now >= H[h].down_until)
			restart(h);
		if (H[h].paused_until && (int)now >= H[h].paused_until) {
			logf_("host %d resumes", h);
			H[h].paused_until = 0;
			running[h] = 1;
			H[h].last_disrupt = (int)now;
		}
	}
	for (h = 0; h < nhosts; h++)
		if (H[h].up && running[h] && H[h].mb.joined)
			step(h, s_heartbeat);
	if (mgr_up && running[0]) {
		if (!step(0, s_mgr_poll) && mgr_up)
			step(0, s_mgr_tick);
	}
	/* Each member's mailbox poller runs once a round. */
	for (h = 0; h < nhosts; h++)
		if (H[h].up && running[h] && H[h].pend && H[h].submitted)
			step(h, s_poll);
	if (mode == 2)
		return;
	n = 1 + (int)rn((unsigned int)nhosts * 2);
	for (a = 0; a < n; a++) {
		h = (int)rn((unsigned int)nhosts);
		if (!H[h].up || !running[h])
			continue;
		act_h = h;
		step(h, mode ? s_release : s_action);
	}
	if (mode)
		return;
	if (pm(25)) {
		h = (int)rn((unsigned int)nhosts);
		if (H[h].up && running[h]) {
			logf_("host %d %s restart", h, rn(2) ? "cold" : "warm");
			if (rn(2)) {
				host_crash_cache(h);
				if (h == 0)
					mgr_crash();
				member_crash(h);
			} else {
				/* module reload: state lost, cache kept */
				if (h == 0)
					mgr_crash();
				H[h].up = 0;
				host_forget(h);
				restart(h);
			}
		}
	}
	if (pm(15)) {
		h = 1 + (int)rn((unsigned int)nhosts - 1);
		if (H[h].up && running[h]) {
			logf_("host %d paused", h);
			running[h] = 0;
			H[h].paused_until = (int)now + LEASE + 1 + (int)rn(6);
		}
	}
	for (a = (int)rn(4); a; a--)
		noise();
}

static void run(u64 seed)
{
	struct mf_mh_geo g;
	int h, r, rounds, early;

	cur_seed = seed;
	rs = seed * 0x9e3779b97f4a7c15ULL + 0x1234567;
	if (!rs)
		rs = 1;
	nhosts = 2 + (int)rn(MAXH - 1);
	memset(&g, 0, sizeof(g));
	g.nr_hosts = (uint32_t)nhosts;
	g.log_entries = LOG_ENTRIES;
	g.dir_slots = DIR_SLOTS;
	g.data_units = UNITS;
	g.unit_size = UNIT;
	G = g;
	devsize = mf_mh_dev_size(&g);
	nlines = (uint32_t)(devsize / LINE);
	meta_lines = (uint32_t)(mf_mh_data_off(&g) / LINE);
	/* A new device, or one a previous pool used. */
	if (rn(2))
		memset(dev, 0, devsize);
	else
		for (r = 0; r < (int)devsize; r += 8) {
			u64 v = rnd();

			memcpy(dev + r, &v, 8);
		}
	for (h = 0; h < MAXH; h++) {
		memset(cache[h].idx, 0xff, nlines * sizeof(int16_t));
		cache[h].n = 0;
		cache[h].np = 0;
		memset(&H[h], 0, sizeof(H[h]));
		alive[h] = h < nhosts;
		running[h] = h < nhosts;
	}
	memset(ob, 0, ob_top * sizeof(*ob));
	ob_top = 0;
	memset(unit_owner, 0xff, sizeof(unit_owner));
	memset(name_round, 0, sizeof(name_round));
	memset(&M, 0, sizeof(M));
	mgr_up = 0;
	now = 0;
	crash_enabled = 0;
	if (setjmp(fail_jb)) {
		crash_at = 0;
		cur = -1;
		if (mgr_up)
			mf_mh_mgr_fini(&M);
		mgr_up = 0;
		return;
	}
	for (r = (int)rn(40); r; r--)
		noise();
	cur = 0;
	if (mf_mh_format(dev, &g, 0))
		fail("format failed");
	cur = -1;
	for (r = (int)rn(40); r; r--)
		noise();
	/* Members may attach before the manager starts. */
	early = (int)rn(2);
	if (!early)
		step(0, s_mgr_init);
	for (h = 1; h <= nhosts; h++)
		step(h % nhosts, s_attach);
	if (early)
		step(0, s_mgr_init);
	crash_enabled = 1;
	rounds = 20 + (int)rn(30);
	for (r = 0; r < rounds; r++) {
		round_(0);
		if (r % 8 == 7) {
			crash_enabled = 0;
			for (h = 0; h < 3; h++)
				round_(2);
			check_refs();
			crash_enabled = 1;
		}
	}
	/* Drain: everyone back, everything given back, no faults. */
	crash_enabled = 0;
	for (h = 0; h < nhosts; h++) {
		if (H[h].paused_until) {
			H[h].paused_until = 0;
			running[h] = 1;
			H[h].last_disrupt = (int)now;
		}
		if (!H[h].up || (h == 0 && !mgr_up))
			restart(h);
	}
	for (r = 0; r < 60; r++) {
		round_(1);
		check_refs();
		for (h = 0; h < nhosts; h++)
			if (H[h].pend || H[h].nh || H[h].no || !H[h].up ||
			    !H[h].mb.joined)
				break;
		if (h == nhosts)
			break;
	}
	for (r = 0; r < TTL + 2; r++)
		round_(1);
	if (!mgr_up)
		fail("manager not up at the end");
	for (h = 0; h < nhosts; h++)
		if (H[h].pend || H[h].nh || H[h].no || !good(h))
			fail("leak: host %d did not drain (pend %d, held %d, owned %d)",
			     h, H[h].pend, H[h].nh, H[h].no);
	if (M.nr_objs)
		fail("leak: %u objects left", M.nr_objs);
	for (r = 0; r < UNITS; r++)
		if (M.used[r] || M.qmask[r])
			fail("leak: unit %d used %d quarantined %#x", r, M.used[r],
			     M.qmask[r]);
	mf_mh_mgr_fini(&M);
	mgr_up = 0;
}

/*
 * A version 1 device (formatted by an older module: no names in its
 * directory, no EXTEND records) is refused by the manager and by a
 * member; its owner formats it again.  Plain memory, no cache model.
 * Returns the number of failures.
 */
static int version1_check(void)
{
	struct mf_mh_geo g = { 2, LOG_ENTRIES, DIR_SLOTS, UNITS, UNIT, 0 };
	struct mf_mh_sb *sb = (struct mf_mh_sb *)dev;
	static struct mf_mh_member mb;
	int bad = 0;

	memset(dev, 0, mf_mh_dev_size(&g));
	if (mf_mh_format(dev, &g, 0))
		return 1;
	sb->version = cpu_to_le32(1);
	sb->crc = cpu_to_le32(~mf_mh_crc32c(~0U, sb, sizeof(*sb) - 4));
	if (!mf_mh_mgr_init(&M, dev, MAXOBJ, 0, LEASE, TTL)) {
		printf("VIOLATION version 1: the manager rebuilt it\n");
		mf_mh_mgr_fini(&M);
		bad++;
	}
	if (!mf_mh_attach(&mb, dev, 1)) {
		printf("VIOLATION version 1: a member attached it\n");
		mf_mh_lock_destroy(&mb.lock);
		bad++;
	}
	memset(&M, 0, sizeof(M));
	return bad;
}

int main(int argc, char **argv)
{
	u64 n = 10000, first = 1, s, vseed = 0;
	struct timespec t0, t1;
	int quiet = 0, h, i, failed_first = 0;
	double secs;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			first = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "-q"))
			quiet = 1;
		else {
			fprintf(stderr, "usage: ncsim [-n N] [-s SEED] [-v] [-q]\n");
			return 2;
		}
	}
	{
		struct mf_mh_geo g = { MAXH, LOG_ENTRIES, DIR_SLOTS, UNITS, UNIT,
				       MF_MH_VERSION };

		devsize = mf_mh_dev_size(&g);
	}
	dev = calloc(1, devsize);
	ob = calloc(MAXOBJ, sizeof(*ob));
	for (h = 0; h < MAXH; h++)
		cache[h].idx = calloc(devsize / LINE, sizeof(int16_t));
	if (!dev || !ob)
		return 2;
	if (version1_check()) {
		printf("FAIL: ncsim: a version 1 device\n");
		return 1;
	}
	mf_mh_cache = &sim_ops;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (s = first; s < first + n; s++) {
		i = violations;
		run(s);
		if (!quiet && (s - first + 1) % 100000 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("progress: %llu schedules, %d violations, %.0f s\n",
			       s - first + 1, violations,
			       (double)(t1.tv_sec - t0.tv_sec));
			fflush(stdout);
		}
		if (violations != i && !failed_first) {
			failed_first = 1;
			vseed = s;
			if (!verbose) {
				printf("schedule of seed %llu:\n", s);
				verbose = 1;
				i = violations;
				run(s);
				verbose = 0;
				violations = i;
			}
			if (quiet)
				break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (!quiet) {
		printf("sites executed:");
		for (i = 0; i < MF_MH_NR_SITES; i++)
			printf(" %s=%lu", site_name[i], site_hits[i]);
		printf("\n");
		printf("lookups by name: %lu, directory slots read: %lu (%.2f per lookup, %d slots); publishes refused -EEXIST: %lu\n",
		       nr_lookups, nr_dir_reads,
		       nr_lookups ? (double)nr_dir_reads / nr_lookups : 0.0,
		       DIR_SLOTS, nr_eexist);
		printf("expand answered: %lu grown, %lu -ENOSPC, %lu -E2BIG\n",
		       nr_exp[0], nr_exp[1], nr_exp[2]);
	}
	printf("ncsim: %llu schedules from seed %llu in %.1f s, %d violations%s\n",
	       s - first, first, secs, violations,
	       violations ? "" : "");
	if (violations) {
		printf("FAIL: ncsim: %d violations, first at seed %llu\n",
		       violations, vseed);
		return 1;
	}
	printf("PASS: ncsim: %llu schedules, 0 violations\n", s - first);
	for (i = 0; i < 5; i++) {
		if (probes[i])
			continue;
		printf("FAIL: ncsim: corruption %d of the manager's state never tried\n",
		       i);
		return 1;
	}
	printf("PASS: ncsim: the manager's check found every corruption (%lu %lu %lu %lu %lu tries)\n",
	       probes[0], probes[1], probes[2], probes[3], probes[4]);
	return 0;
}
