// SPDX-License-Identifier: GPL-2.0
/*
 * t_netlink - the generic netlink family "memfabric" (MF_FEAT_NETLINK),
 * with raw netlink sockets: the family and its "events" group resolve by
 * name; the pool, namespace and object dumps agree with what the ioctls
 * created and report (MF_IOC_POOL_LIST, MF_IOC_NS_LIST, MF_IOC_OBJ_STAT);
 * filters; a dump that spans many buffers lists each object once, in
 * order, even while objects are created and freed between its reads;
 * the single-object get; strict validation (unknown, output-only and
 * mistyped attributes, reserved header bits, unknown commands, missing
 * attributes, an unknown pool); privilege (objects and events need
 * CAP_SYS_ADMIN, pools and namespaces do not); and the events of a
 * scripted scenario: namespace created and destroyed, object created,
 * published, freed (also by a forced destroy) and reclaimed by its TTL,
 * pool low and back to normal.  Counters and pool space come back.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define SECID		"nl-secret"
#define NS_A		"t_nl.a"
#define NS_B		"t_nl.b"
#define NS_C		"t_nl.c"
#define NS_EV		"t_nl.ev"
#define LOW_POOL	"t_nl_low"
#define MANY		2000

static int fd;
static int family;
static uint32_t events_group;

/* ---- raw generic netlink ---------------------------------------------------- */

/**
 * struct ent - one parsed message of the family
 * @cmd: its command
 * @s: string attributes by type
 * @v: integer attributes by type (u32 or u64)
 * @has: which attributes were present
 */
struct ent {
	uint8_t cmd;
	char s[MF_NL_ATTR_MAX + 1][160];
	uint64_t v[MF_NL_ATTR_MAX + 1];
	bool has[MF_NL_ATTR_MAX + 1];
};

struct req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char buf[1024];
};

static int nl_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int one = 1;

	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("netlink socket");
		exit(2);
	}
	setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return s;
}

static void req_init(struct req *r, uint16_t type, uint8_t cmd, uint16_t flags)
{
	static uint32_t seq = 1;

	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = type;
	r->n.nlmsg_flags = NLM_F_REQUEST | flags;
	r->n.nlmsg_seq = seq++;
	r->g.cmd = cmd;
	r->g.version = 1;
}

/* Add an attribute of @len bytes (no NUL added). */
static void req_attr(struct req *r, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void req_str(struct req *r, uint16_t type, const char *s)
{
	req_attr(r, type, s, strlen(s) + 1);
}

static int req_send(int s, struct req *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	return sendto(s, r, r->n.nlmsg_len, 0, (struct sockaddr *)&sa,
		      sizeof(sa)) < 0 ? -errno : 0;
}

/* Parse the attributes of a family message into @e. */
static void parse_ent(const struct nlmsghdr *n, struct ent *e)
{
	const struct genlmsghdr *g = NLMSG_DATA(n);
	const struct nlattr *a = (const void *)((const char *)g + GENL_HDRLEN);
	int rem = (int)n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	memset(e, 0, sizeof(*e));
	e->cmd = g->cmd;
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem) {
		int t = a->nla_type & NLA_TYPE_MASK;
		int len = a->nla_len - NLA_HDRLEN;
		const char *d = (const char *)a + NLA_HDRLEN;

		if (t > 0 && t <= MF_NL_ATTR_MAX) {
			e->has[t] = true;
			if (len == 4)
				e->v[t] = *(const uint32_t *)d;
			else if (len == 8)
				memcpy(&e->v[t], d, 8);
			snprintf(e->s[t], sizeof(e->s[t]), "%.*s", len, d);
		}
		rem -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

/*
 * Read replies to a request until NLMSG_DONE or an error/ack; with
 * @max_reads > 0 stop after that many datagrams (the rest stays queued).
 * Appends the family's messages to *@out (*@n entries).  Returns 0, 1 if
 * stopped early, or the -errno of an NLMSG_ERROR.
 */
static int recv_msgs(int s, struct ent **out, size_t *n, int max_reads)
{
	static char buf[65536];
	int reads = 0;

	for (;;) {
		ssize_t len;
		struct nlmsghdr *h;

		if (max_reads > 0 && reads == max_reads)
			return 1;
		len = recv(s, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		reads++;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error;
			}
			if (h->nlmsg_type != family || !out)
				continue;
			*out = realloc(*out, (*n + 1) * sizeof(**out));
			if (!*out)
				exit(2);
			parse_ent(h, &(*out)[(*n)++]);
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
}

/* A dump of @cmd with optional pool and namespace filters. */
static int dump(uint8_t cmd, const char *pool, const char *ns,
		struct ent **out, size_t *n)
{
	struct req r;
	int s = nl_socket(), ret;

	*out = NULL;
	*n = 0;
	req_init(&r, family, cmd, NLM_F_DUMP);
	if (pool)
		req_str(&r, MF_NL_ATTR_POOL, pool);
	if (ns)
		req_str(&r, MF_NL_ATTR_NS, ns);
	ret = req_send(s, &r);
	if (!ret)
		ret = recv_msgs(s, out, n, 0);
	close(s);
	return ret;
}

/* Send @r and return the error its ack carries (0 for success). */
static int request_status(struct req *r)
{
	struct ent *e = NULL;
	size_t n = 0;
	int s = nl_socket(), ret;

	r->n.nlmsg_flags |= NLM_F_ACK;
	ret = req_send(s, r);
	if (!ret)
		ret = recv_msgs(s, &e, &n, 0);
	/* A doit reply comes before its ack; a dump ends with DONE. */
	if (!ret && n && !(r->n.nlmsg_flags & NLM_F_DUMP))
		ret = recv_msgs(s, NULL, NULL, 0);
	free(e);
	close(s);
	return ret;
}

/* Resolve the family and its "events" group with CTRL_CMD_GETFAMILY. */
static int resolve(void)
{
	static char buf[8192];
	struct req r;
	struct nlmsghdr *h;
	ssize_t len;
	int s = nl_socket();

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	req_str(&r, CTRL_ATTR_FAMILY_NAME, MEMFABRIC_GENL_NAME);
	if (req_send(s, &r))
		return -1;
	len = recv(s, buf, sizeof(buf), 0);
	close(s);
	h = (struct nlmsghdr *)buf;
	if (len <= 0 || !NLMSG_OK(h, (size_t)len) ||
	    h->nlmsg_type != GENL_ID_CTRL)
		return -1;
	{
		struct genlmsghdr *g = NLMSG_DATA(h);
		struct nlattr *a = (void *)((char *)g + GENL_HDRLEN);
		int rem = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

		for (; rem >= NLA_HDRLEN; rem -= NLA_ALIGN(a->nla_len),
		     a = (void *)((char *)a + NLA_ALIGN(a->nla_len))) {
			char *d = (char *)a + NLA_HDRLEN;

			if (a->nla_type == CTRL_ATTR_FAMILY_ID)
				family = *(uint16_t *)d;
			if ((a->nla_type & NLA_TYPE_MASK) ==
			    CTRL_ATTR_MCAST_GROUPS) {
				struct nlattr *grp = (void *)d;
				int grem = a->nla_len - NLA_HDRLEN;

				for (; grem >= NLA_HDRLEN;
				     grem -= NLA_ALIGN(grp->nla_len),
				     grp = (void *)((char *)grp + NLA_ALIGN(grp->nla_len))) {
					struct nlattr *x = (void *)((char *)grp + NLA_HDRLEN);
					int xrem = grp->nla_len - NLA_HDRLEN;
					uint32_t id = 0;
					bool ours = false;

					for (; xrem >= NLA_HDRLEN;
					     xrem -= NLA_ALIGN(x->nla_len),
					     x = (void *)((char *)x + NLA_ALIGN(x->nla_len))) {
						char *xd = (char *)x + NLA_HDRLEN;

						if (x->nla_type == CTRL_ATTR_MCAST_GRP_ID)
							id = *(uint32_t *)xd;
						if (x->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
						    !strcmp(xd, MEMFABRIC_GENL_MCGRP_EVENTS))
							ours = true;
					}
					if (ours)
						events_group = id;
				}
			}
		}
	}
	return family ? 0 : -1;
}

static const struct ent *find_obj(const struct ent *e, size_t n,
				  const char *ns, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(e[i].s[MF_NL_ATTR_POOL], mfo_pool) &&
		    !strcmp(e[i].s[MF_NL_ATTR_NS], ns) &&
		    !strcmp(e[i].s[MF_NL_ATTR_ID], id))
			return &e[i];
	return NULL;
}

/* Whether entry a sorts before entry b by pool, namespace, id. */
static int ent_cmp(const struct ent *a, const struct ent *b)
{
	int c = strcmp(a->s[MF_NL_ATTR_POOL], b->s[MF_NL_ATTR_POOL]);

	if (!c)
		c = strcmp(a->s[MF_NL_ATTR_NS], b->s[MF_NL_ATTR_NS]);
	if (!c)
		c = strcmp(a->s[MF_NL_ATTR_ID], b->s[MF_NL_ATTR_ID]);
	return c;
}

static bool sorted_unique(const struct ent *e, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (ent_cmp(&e[i - 1], &e[i]) >= 0)
			return false;
	return true;
}

/* ---- ioctls on any pool -------------------------------------------------- */

static int alloc_in(const char *pool, const char *ns, const char *id,
		    uint64_t bytes, uint64_t *mo)
{
	struct mf_obj_alloc a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	mfo_name(&a.name, pool, ns, SECID, id);
	a.bytes = bytes;
	ret = ioctl(fd, MF_IOC_OBJ_ALLOC, &a);
	if (!ret && mo)
		*mo = a.map_offset;
	return ret;
}

static int free_in(const char *pool, const char *ns, const char *id)
{
	struct mf_obj_free f;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	mfo_name(&f.name, pool, ns, SECID, id);
	return ioctl(fd, MF_IOC_OBJ_FREE, &f);
}

/* ---- dumps against the ioctls --------------------------------------------- */

static const char *const ids_a[] = { "a-3", "a-1", "a-5", "a-2", "a-4" };
static const char *const ids_b[] = { "b-2", "b-1", "b-3" };
static uint64_t mo_a[5], mo_b[3];

static void setup_objects(void)
{
	char what[96];

	MFT_OK(mfo_ns_create(fd, mfo_pool, NS_A, SECID, 0, 7), "create ns a");
	MFT_OK(mfo_ns_create(fd, mfo_pool, NS_B, SECID, 3600, 9),
	       "create ns b");
	for (int i = 0; i < 5; i++) {
		snprintf(what, sizeof(what), "alloc %s", ids_a[i]);
		MFT_OK(mfo_alloc(fd, NS_A, SECID, ids_a[i], 1000 + i * 4096,
				 &mo_a[i], NULL), what);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(what, sizeof(what), "alloc %s", ids_b[i]);
		MFT_OK(mfo_alloc(fd, NS_B, SECID, ids_b[i], 3 << 20, &mo_b[i],
				 NULL), what);
	}
	MFT_OK(mfo_publish(fd, NS_B, SECID, "b-2"), "publish b-2");
	MFT_OK(mfo_get(fd, NS_A, SECID, "a-1", NULL, NULL),
	       "a second handle on a-1");
}

static void test_obj_dump(void)
{
	struct ent *e;
	size_t n;
	time_t now = time(NULL);
	bool all_ok = true;

	MFT_RET(dump(MF_NL_CMD_OBJ_GET, NULL, NULL, &e, &n), 0,
		"object dump of everything");
	MFT_CHECK(n >= 8, "it has at least the 8 objects");
	MFT_CHECK(sorted_unique(e, n), "sorted by pool, namespace, id, no duplicates");
	for (int i = 0; i < 8; i++) {
		const char *ns = i < 5 ? NS_A : NS_B;
		const char *id = i < 5 ? ids_a[i] : ids_b[i - 5];
		uint64_t mo = i < 5 ? mo_a[i] : mo_b[i - 5];
		const struct ent *x = find_obj(e, n, ns, id);
		struct mf_obj_stat st;
		char what[128];

		snprintf(what, sizeof(what), "%s/%s is listed", ns, id);
		MFT_CHECK(x, what);
		if (!x || mfo_stat_obj(fd, mo, &st)) {
			all_ok = false;
			continue;
		}
		snprintf(what, sizeof(what), "%s/%s: size, type, refs, mappings, owner, extents, ctime as OBJ_STAT says",
			 ns, id);
		mft_report(x->v[MF_NL_ATTR_SIZE] == st.bytes &&
			   x->v[MF_NL_ATTR_TYPE] == st.type &&
			   x->v[MF_NL_ATTR_REFS] == st.refs &&
			   x->v[MF_NL_ATTR_MAP_COUNT] == st.map_count &&
			   x->v[MF_NL_ATTR_OWNER] == st.owner &&
			   x->v[MF_NL_ATTR_NR_EXTENTS] == st.nr_extents &&
			   x->v[MF_NL_ATTR_CTIME] == st.ctime &&
			   x->has[MF_NL_ATTR_AGE] &&
			   x->v[MF_NL_ATTR_AGE] <= (uint64_t)(now - st.ctime) + 2,
			   what, "size %llu/%llu type %llu/%u refs %llu/%llu owner %llu/%u ext %llu/%u",
			   (unsigned long long)x->v[MF_NL_ATTR_SIZE],
			   (unsigned long long)st.bytes,
			   (unsigned long long)x->v[MF_NL_ATTR_TYPE], st.type,
			   (unsigned long long)x->v[MF_NL_ATTR_REFS],
			   (unsigned long long)st.refs,
			   (unsigned long long)x->v[MF_NL_ATTR_OWNER], st.owner,
			   (unsigned long long)x->v[MF_NL_ATTR_NR_EXTENTS],
			   st.nr_extents);
	}
	MFT_CHECK(all_ok, "every object could be checked");
	{
		const struct ent *a1 = find_obj(e, n, NS_A, "a-1");
		const struct ent *b2 = find_obj(e, n, NS_B, "b-2");

		MFT_CHECK(a1 && a1->v[MF_NL_ATTR_REFS] == 2,
			  "a-1 has 2 references (two handles)");
		MFT_CHECK(b2 && b2->v[MF_NL_ATTR_TYPE] == MF_OBJ_SHARED_RO,
			  "b-2 is shared-ro");
		MFT_CHECK(a1 && a1->v[MF_NL_ATTR_TYPE] == MF_OBJ_PRIVATE_RW,
			  "a-1 is private-rw");
	}
	free(e);

	MFT_RET(dump(MF_NL_CMD_OBJ_GET, mfo_pool, NS_A, &e, &n), 0,
		"object dump of pool and namespace a");
	MFT_CHECK(n == 5, "5 objects in namespace a");
	MFT_CHECK(n == 5 && !strcmp(e[0].s[MF_NL_ATTR_ID], "a-1") &&
		  !strcmp(e[4].s[MF_NL_ATTR_ID], "a-5"), "in id order");
	free(e);
	MFT_RET(dump(MF_NL_CMD_OBJ_GET, NULL, NS_B, &e, &n), 0,
		"object dump filtered by namespace only");
	MFT_CHECK(n == 3, "3 objects in namespace b");
	free(e);
	MFT_RET(dump(MF_NL_CMD_OBJ_GET, mfo_pool, NULL, &e, &n), 0,
		"object dump filtered by pool only");
	MFT_CHECK(n >= 8 && find_obj(e, n, NS_B, "b-3"), "has the pool's objects");
	free(e);
	MFT_RET(dump(MF_NL_CMD_OBJ_GET, mfo_pool, "t_nl.none", &e, &n), 0,
		"object dump of a namespace that does not exist");
	MFT_CHECK(n == 0, "is empty");
	free(e);
	MFT_RET(dump(MF_NL_CMD_OBJ_GET, "nosuchpool", NULL, &e, &n), -ENOENT,
		"object dump of an unknown pool: ENOENT");
	free(e);
}

static void test_ns_dump(void)
{
	struct mf_ns_info infos[256];
	struct mf_ns_list l;
	struct ent *e;
	size_t n, matched = 0;

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.namespaces = (uintptr_t)infos;
	l.count = 256;
	l.entry_size = sizeof(infos[0]);
	MFT_OK(ioctl(fd, MF_IOC_NS_LIST, &l), "MF_IOC_NS_LIST");
	MFT_RET(dump(MF_NL_CMD_NS_GET, NULL, NULL, &e, &n), 0,
		"namespace dump");
	MFT_CHECK(n == l.count, "as many namespaces as MF_IOC_NS_LIST");
	for (uint32_t i = 0; i < l.count && i < 256; i++) {
		for (size_t k = 0; k < n; k++) {
			if (strcmp(e[k].s[MF_NL_ATTR_POOL], infos[i].pool) ||
			    strcmp(e[k].s[MF_NL_ATTR_NS], infos[i].name))
				continue;
			if (e[k].v[MF_NL_ATTR_TTL] == infos[i].ttl &&
			    e[k].v[MF_NL_ATTR_ATTR] == infos[i].attr &&
			    e[k].v[MF_NL_ATTR_CTIME] == infos[i].ctime &&
			    e[k].v[MF_NL_ATTR_NR_OBJECTS] == infos[i].nr_objects &&
			    e[k].v[MF_NL_ATTR_BYTES] == infos[i].bytes)
				matched++;
		}
	}
	MFT_CHECK(matched == l.count, "each agrees with MF_IOC_NS_LIST");
	for (size_t k = 0; k < n; k++) {
		if (!strcmp(e[k].s[MF_NL_ATTR_NS], NS_B) &&
		    !strcmp(e[k].s[MF_NL_ATTR_POOL], mfo_pool))
			MFT_CHECK(e[k].v[MF_NL_ATTR_NR_OBJECTS] == 3 &&
				  e[k].v[MF_NL_ATTR_BYTES] == 3 * (3 << 20) &&
				  e[k].v[MF_NL_ATTR_TTL] == 3600 &&
				  e[k].v[MF_NL_ATTR_ATTR] == 9,
				  "namespace b: 3 objects, 9 MiB, ttl 3600, attr 9");
	}
	free(e);
	MFT_RET(dump(MF_NL_CMD_NS_GET, mfo_pool, NULL, &e, &n), 0,
		"namespace dump of one pool");
	MFT_CHECK(n >= 2, "has namespaces a and b");
	free(e);
}

static void test_pool_dump(void)
{
	struct mf_pool_info info;
	struct ent *e;
	size_t n, k;

	MFT_RET(dump(MF_NL_CMD_POOL_GET, NULL, NULL, &e, &n), 0, "pool dump");
	MFT_OK(mfp_info(fd, mfo_pool, &info), "MF_IOC_POOL_LIST");
	for (k = 0; k < n; k++)
		if (!strcmp(e[k].s[MF_NL_ATTR_POOL], mfo_pool))
			break;
	MFT_CHECK(k < n, "the test pool is listed");
	if (k < n) {
		const struct ent *p = &e[k];

		MFT_CHECK(p->v[MF_NL_ATTR_CAPACITY] == info.capacity &&
			  p->v[MF_NL_ATTR_USED] == info.used &&
			  p->v[MF_NL_ATTR_FREE] == info.free &&
			  p->v[MF_NL_ATTR_LARGEST_FREE] == info.largest_free &&
			  p->v[MF_NL_ATTR_BACKEND] == info.backend &&
			  p->v[MF_NL_ATTR_UNIT] == info.unit &&
			  p->v[MF_NL_ATTR_NR_POOL_EXTENTS] == info.nr_extents &&
			  p->v[MF_NL_ATTR_POOL_FLAGS] == info.flags &&
			  !strcmp(p->s[MF_NL_ATTR_DEVICE], info.device),
			  "capacity, used, free, largest_free, backend, unit, extents, flags, device as MF_IOC_POOL_LIST");
	}
	free(e);
}

static void test_get(void)
{
	struct ent *e = NULL;
	size_t n = 0;
	struct req r;
	int s = nl_socket();

	req_init(&r, family, MF_NL_CMD_OBJ_GET, 0);
	req_str(&r, MF_NL_ATTR_POOL, mfo_pool);
	req_str(&r, MF_NL_ATTR_NS, NS_A);
	req_str(&r, MF_NL_ATTR_ID, "a-3");
	MFT_RET(req_send(s, &r), 0, "send an object get");
	MFT_RET(recv_msgs(s, &e, &n, 0), 0, "get one object");
	MFT_CHECK(n == 1 && !strcmp(e[0].s[MF_NL_ATTR_ID], "a-3") &&
		  e[0].v[MF_NL_ATTR_SIZE] == 1000, "it is a-3, 1000 bytes");
	free(e);
	close(s);

	req_init(&r, family, MF_NL_CMD_OBJ_GET, 0);
	req_str(&r, MF_NL_ATTR_POOL, mfo_pool);
	req_str(&r, MF_NL_ATTR_NS, NS_A);
	req_str(&r, MF_NL_ATTR_ID, "a-9");
	MFT_RET(request_status(&r), -ENOENT, "get of an unknown id: ENOENT");
	req_init(&r, family, MF_NL_CMD_OBJ_GET, 0);
	req_str(&r, MF_NL_ATTR_POOL, mfo_pool);
	req_str(&r, MF_NL_ATTR_NS, "t_nl.none");
	req_str(&r, MF_NL_ATTR_ID, "a-1");
	MFT_RET(request_status(&r), -ENOENT,
		"get in an unknown namespace: ENOENT");
	req_init(&r, family, MF_NL_CMD_OBJ_GET, 0);
	req_str(&r, MF_NL_ATTR_POOL, mfo_pool);
	req_str(&r, MF_NL_ATTR_NS, NS_A);
	MFT_RET(request_status(&r), -EINVAL, "get without an id: EINVAL");
}

static void test_bad_input(void)
{
	struct req r;
	uint64_t v = 5;
	char longname[48];

	req_init(&r, family, MF_NL_CMD_POOL_GET, NLM_F_DUMP);
	req_attr(&r, 200, &v, sizeof(v));
	MFT_RET(request_status(&r), -EINVAL, "unknown attribute type: EINVAL");
	req_init(&r, family, MF_NL_CMD_OBJ_GET, NLM_F_DUMP);
	req_attr(&r, MF_NL_ATTR_MAX + 1, &v, sizeof(v));
	MFT_RET(request_status(&r), -EINVAL,
		"attribute type just above the maximum: EINVAL");
	req_init(&r, family, MF_NL_CMD_OBJ_GET, NLM_F_DUMP);
	req_attr(&r, MF_NL_ATTR_SIZE, &v, sizeof(v));
	MFT_RET(request_status(&r), -EINVAL,
		"an output-only attribute in a request: EINVAL");
	req_init(&r, family, MF_NL_CMD_OBJ_GET, NLM_F_DUMP);
	req_attr(&r, MF_NL_ATTR_POOL, "pool", 4);
	MFT_RET(request_status(&r), -EINVAL,
		"a pool name without its NUL: EINVAL");
	req_init(&r, family, MF_NL_CMD_NS_GET, NLM_F_DUMP);
	req_attr(&r, MF_NL_ATTR_POOL, &v, sizeof(v));
	MFT_RET(request_status(&r), -EINVAL,
		"a u64 where the pool name goes: EINVAL");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	req_init(&r, family, MF_NL_CMD_OBJ_GET, NLM_F_DUMP);
	req_str(&r, MF_NL_ATTR_POOL, longname);
	MFT_CHECK(request_status(&r) < 0, "a pool name of 47 characters fails");
	req_init(&r, family, MF_NL_CMD_NS_GET, NLM_F_DUMP);
	req_str(&r, MF_NL_ATTR_ID, "a-1");
	MFT_RET(request_status(&r), -EINVAL,
		"an id in a namespace dump: EINVAL");
	req_init(&r, family, MF_NL_CMD_POOL_GET, NLM_F_DUMP);
	req_str(&r, MF_NL_ATTR_POOL, mfo_pool);
	MFT_RET(request_status(&r), -EINVAL,
		"a pool filter in a pool dump: EINVAL");
	req_init(&r, family, MF_NL_CMD_POOL_GET, NLM_F_DUMP);
	r.g.reserved = 1;
	MFT_RET(request_status(&r), -EINVAL,
		"non-zero reserved field of the genl header: EINVAL");
	req_init(&r, family, 99, NLM_F_DUMP);
	MFT_RET(request_status(&r), -EOPNOTSUPP, "unknown command: EOPNOTSUPP");
	req_init(&r, family, MF_NL_CMD_OBJ_CREATED, 0);
	MFT_RET(request_status(&r), -EOPNOTSUPP,
		"an event command as a request: EOPNOTSUPP");
	req_init(&r, family, MF_NL_CMD_NS_GET, 0);
	MFT_RET(request_status(&r), -EOPNOTSUPP,
		"namespace get without the dump flag: EOPNOTSUPP");
}

/* In a child that is nobody without capabilities: the statuses. */
static int nobody_checks(int unused, void *arg)
{
	struct ent *e;
	size_t n;
	int s, g, bad = 0;

	(void)unused;
	(void)arg;
	if (dump(MF_NL_CMD_OBJ_GET, NULL, NULL, &e, &n) != -EPERM)
		bad |= 1;
	free(e);
	if (dump(MF_NL_CMD_POOL_GET, NULL, NULL, &e, &n) != 0 || n == 0)
		bad |= 2;
	free(e);
	if (dump(MF_NL_CMD_NS_GET, NULL, NULL, &e, &n) != 0 || n == 0)
		bad |= 4;
	free(e);
	s = nl_socket();
	g = (int)events_group;
	if (!setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) ||
	    errno != EPERM)
		bad |= 8;
	close(s);
	return bad;
}

static void test_privilege(void)
{
	int st = mfo_as_nobody(fd, nobody_checks, NULL);

	MFT_CHECK(st >= 0 && !(st & 1), "object dump as nobody: EPERM");
	MFT_CHECK(st >= 0 && !(st & 2), "pool dump as nobody works");
	MFT_CHECK(st >= 0 && !(st & 4), "namespace dump as nobody works");
	MFT_CHECK(st >= 0 && !(st & 8),
		  "joining the events group as nobody: EPERM");
}

/*
 * A dump read one buffer at a time while objects change: those that exist
 * throughout are listed exactly once, in order.
 */
static void test_big_dump(void)
{
	static char id[MANY + 100][16];
	struct ent *e = NULL;
	size_t n = 0;
	struct req r;
	int s, ret, reads = 1, fails = 0;
	bool *seen;

	MFT_OK(mfo_ns_create(fd, mfo_pool, NS_C, SECID, 0, 0), "create ns c");
	for (int i = 0; i < MANY; i++) {
		snprintf(id[i], sizeof(id[i]), "c-%05d", i);
		if (mfo_alloc(fd, NS_C, SECID, id[i], 1, NULL, NULL))
			fails++;
	}
	MFT_CHECK(!fails, "allocate 2000 objects in ns c");

	s = nl_socket();
	req_init(&r, family, MF_NL_CMD_OBJ_GET, NLM_F_DUMP);
	req_str(&r, MF_NL_ATTR_POOL, mfo_pool);
	req_str(&r, MF_NL_ATTR_NS, NS_C);
	MFT_RET(req_send(s, &r), 0, "start a dump of ns c");
	ret = recv_msgs(s, &e, &n, 1);
	MFT_CHECK(ret == 1 && n > 0 && n < MANY,
		  "the first buffer holds part of the dump");
	/* Free some not yet listed and some listed; add some. */
	fails = 0;
	for (int i = 1; i < MANY; i += 7)
		if (free_in(mfo_pool, NS_C, id[i]))
			fails++;
	for (int i = 0; i < 50; i++) {
		snprintf(id[MANY + i], sizeof(id[0]), "c-%05d.x", i * 40);
		if (mfo_alloc(fd, NS_C, SECID, id[MANY + i], 1, NULL, NULL))
			fails++;
	}
	MFT_CHECK(!fails, "free 1 in 7 and add 50 while the dump is open");
	while ((ret = recv_msgs(s, &e, &n, 1)) == 1)
		reads++;
	close(s);
	MFT_RET(ret, 0, "the dump ends without error");
	MFT_CHECK(reads > 3, "it took several buffers");
	MFT_CHECK(sorted_unique(e, n), "in id order, no duplicates");
	seen = calloc(MANY + 50, sizeof(*seen));
	for (size_t k = 0; k < n; k++)
		for (int i = 0; i < MANY + 50; i++)
			if (!strcmp(e[k].s[MF_NL_ATTR_ID], id[i]))
				seen[i] = true;
	fails = 0;
	for (int i = 0; i < MANY; i++)
		if (i % 7 != 1 && !seen[i])
			fails++;
	MFT_CHECK(!fails, "every object that lived throughout is listed");
	free(seen);
	free(e);

	MFT_RET(dump(MF_NL_CMD_OBJ_GET, mfo_pool, NS_C, &e, &n), 0,
		"dump ns c again");
	MFT_CHECK(n == MANY - (MANY + 5) / 7 + 50,
		  "it lists exactly the objects there are now");
	free(e);
	{
		struct mf_ns_destroy d;

		MFT_OK(mfo_ns_destroy(fd, mfo_pool, NS_C, SECID, MF_NS_FORCE,
				      &d), "destroy ns c with its objects");
	}
}

/* ---- events --------------------------------------------------------------- */

static int ev_sock;

/* The next event, waiting up to @ms; false on timeout. */
static bool next_event(struct ent *out, int ms)
{
	static char buf[16384];
	static size_t have, pos;
	struct pollfd p = { .fd = ev_sock, .events = POLLIN };

	for (;;) {
		while (pos < have) {
			struct nlmsghdr *h = (struct nlmsghdr *)(buf + pos);

			if (!NLMSG_OK(h, have - pos))
				break;
			pos += NLMSG_ALIGN(h->nlmsg_len);
			if (h->nlmsg_type == family) {
				parse_ent(h, out);
				return true;
			}
		}
		have = pos = 0;
		if (poll(&p, 1, ms) != 1)
			return false;
		ssize_t len = recv(ev_sock, buf, sizeof(buf), 0);

		if (len <= 0)
			return false;
		have = (size_t)len;
	}
}

/* Wait for event @cmd about @id ("" for any); skip others. */
static bool wait_event(uint8_t cmd, const char *ns, const char *id,
		       struct ent *out, int ms)
{
	struct ent e;

	while (next_event(&e, ms)) {
		if (e.cmd != cmd)
			continue;
		if (ns && strcmp(e.s[MF_NL_ATTR_NS], ns))
			continue;
		if (id && strcmp(e.s[MF_NL_ATTR_ID], id))
			continue;
		if (out)
			*out = e;
		return true;
	}
	return false;
}

static int set_reclaim_interval(const char *ms)
{
	FILE *f = fopen("/sys/module/memfabric/parameters/reclaim_interval_ms", "w");
	int ret;

	if (!f)
		return -1;
	ret = fputs(ms, f) < 0;
	return fclose(f) || ret ? -1 : 0;
}

static void test_events(void)
{
	struct ent e;
	struct mf_ns_destroy d;
	uint64_t mo, mo2;
	int g = (int)events_group, fd2;

	ev_sock = nl_socket();
	MFT_OK(setsockopt(ev_sock, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g,
			  sizeof(g)), "join the events group");

	MFT_OK(mfo_ns_create(fd, mfo_pool, NS_EV, SECID, 1, 3),
	       "create ns ev (ttl 1)");
	MFT_CHECK(wait_event(MF_NL_CMD_NS_CREATED, NS_EV, NULL, &e, 2000) &&
		  !strcmp(e.s[MF_NL_ATTR_POOL], mfo_pool) &&
		  e.v[MF_NL_ATTR_TTL] == 1 && e.v[MF_NL_ATTR_ATTR] == 3,
		  "event: namespace created, with pool, ttl, attr");

	MFT_OK(mfo_alloc(fd, NS_EV, SECID, "ev-1", 5000, &mo, NULL),
	       "alloc ev-1");
	MFT_CHECK(wait_event(MF_NL_CMD_OBJ_CREATED, NS_EV, "ev-1", &e, 2000) &&
		  !strcmp(e.s[MF_NL_ATTR_POOL], mfo_pool) &&
		  e.v[MF_NL_ATTR_SIZE] == 5000 &&
		  e.v[MF_NL_ATTR_TYPE] == MF_OBJ_PRIVATE_RW &&
		  e.has[MF_NL_ATTR_OWNER] && e.v[MF_NL_ATTR_OWNER] == 0,
		  "event: object created, with pool, ns, id, size, type, owner");
	MFT_OK(mfo_publish(fd, NS_EV, SECID, "ev-1"), "publish ev-1");
	MFT_CHECK(wait_event(MF_NL_CMD_OBJ_PUBLISHED, NS_EV, "ev-1", &e, 2000) &&
		  e.v[MF_NL_ATTR_TYPE] == MF_OBJ_SHARED_RO &&
		  e.v[MF_NL_ATTR_SIZE] == 5000,
		  "event: object published, type shared-ro");
	MFT_OK(mfo_alloc(fd, NS_EV, SECID, "ev-2", 100, NULL, NULL),
	       "alloc ev-2");
	MFT_OK(mfo_free(fd, NS_EV, SECID, "ev-2"), "free ev-2");
	MFT_CHECK(wait_event(MF_NL_CMD_OBJ_FREED, NS_EV, "ev-2", &e, 2000) &&
		  e.v[MF_NL_ATTR_SIZE] == 100,
		  "event: object freed");

	/* ev-1 is published and unreferenced once its handle goes. */
	MFT_OK(set_reclaim_interval("100"), "reclaim every 100 ms");
	MFT_OK(mfo_put(fd, mo), "put ev-1's handle");
	MFT_CHECK(wait_event(MF_NL_CMD_OBJ_RECLAIMED, NS_EV, "ev-1", &e, 5000) &&
		  e.v[MF_NL_ATTR_TYPE] == MF_OBJ_SHARED_RO,
		  "event: object reclaimed by its TTL");
	MFT_OK(set_reclaim_interval("1000"), "reclaim interval back to 1 s");

	MFT_OK(mfo_alloc(fd, NS_EV, SECID, "ev-3", 10, NULL, NULL),
	       "alloc ev-3");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, NS_EV, SECID, MF_NS_FORCE, &d),
	       "destroy ns ev with MF_NS_FORCE");
	MFT_CHECK(wait_event(MF_NL_CMD_OBJ_FREED, NS_EV, "ev-3", NULL, 2000),
		  "event: its object freed");
	MFT_CHECK(wait_event(MF_NL_CMD_NS_DESTROYED, NS_EV, NULL, &e, 2000) &&
		  !strcmp(e.s[MF_NL_ATTR_POOL], mfo_pool),
		  "event: namespace destroyed");

	/* A small pool, filled past 90 %, then emptied. */
	fd2 = fd;
	MFT_OK(mfp_attach_ram(fd2, LOW_POOL, 4 << 20), "attach a 4 MiB ram pool");
	MFT_OK(mfo_ns_create(fd, LOW_POOL, "low", SECID, 0, 0),
	       "create a namespace in it");
	MFT_OK(alloc_in(LOW_POOL, "low", "fill", (4 << 20) - 64 * 1024, &mo),
	       "fill it to 64 KiB from full");
	MFT_CHECK(wait_event(MF_NL_CMD_POOL_LOW, NULL, NULL, &e, 2000) &&
		  !strcmp(e.s[MF_NL_ATTR_POOL], LOW_POOL) &&
		  e.v[MF_NL_ATTR_CAPACITY] == 4 << 20 &&
		  e.v[MF_NL_ATTR_FREE] * 10 < e.v[MF_NL_ATTR_CAPACITY],
		  "event: pool low, with capacity and free");
	MFT_OK(alloc_in(LOW_POOL, "low", "more", 4096, &mo2),
	       "allocate more in the low pool");
	MFT_OK(free_in(LOW_POOL, "low", "more"), "and free it");
	MFT_OK(mfo_put(fd, mo2), "and put its handle");
	MFT_OK(free_in(LOW_POOL, "low", "fill"), "free the big object");
	MFT_OK(mfo_put(fd, mo), "and put its handle: its memory returns");
	MFT_CHECK(wait_event(MF_NL_CMD_POOL_OK, NULL, NULL, &e, 2000) &&
		  !strcmp(e.s[MF_NL_ATTR_POOL], LOW_POOL) &&
		  e.v[MF_NL_ATTR_FREE] == 4 << 20,
		  "event: pool ok again, once (not per alloc)");
	MFT_OK(mfo_ns_destroy(fd, LOW_POOL, "low", SECID, 0, NULL),
	       "destroy its namespace");
	{
		struct ent x;
		int lows = 0;

		while (next_event(&x, 300))
			if (x.cmd == MF_NL_CMD_POOL_LOW)
				lows++;
		MFT_CHECK(lows == 0, "no second pool-low event");
	}
	MFT_OK(mfp_detach(fd, LOW_POOL), "detach the small pool");
	close(ev_sock);
}

int main(int argc, char **argv)
{
	struct mf_version v = { .size = sizeof(v) };
	struct mfo_snap before;
	struct mf_ns_destroy d;

	mft_init(argc > 0 ? argv[0] : "t_netlink");
	fd = mfp_open();
	mfo_setup_pool(fd);
	MFT_OK(ioctl(fd, MF_IOC_VERSION, &v), "MF_IOC_VERSION");
	MFT_CHECK(v.features & MF_FEAT_NETLINK, "the module has MF_FEAT_NETLINK");
	MFT_OK(resolve(), "the family \"memfabric\" resolves");
	MFT_CHECK(events_group != 0, "it has the group \"events\"");
	if (!family || !events_group)
		return mft_done();
	mfo_snapshot(&before);

	setup_objects();
	test_obj_dump();
	test_ns_dump();
	test_pool_dump();
	test_get();
	test_bad_input();
	test_privilege();
	test_big_dump();
	test_events();

	MFT_OK(mfo_ns_destroy(fd, mfo_pool, NS_A, SECID, MF_NS_FORCE, &d),
	       "destroy ns a");
	MFT_CHECK(d.freed == 0 && d.deferred == 5,
		  "its 5 objects wait for their handles");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, NS_B, SECID, MF_NS_FORCE, &d),
	       "destroy ns b");
	close(fd);
	fd = mfp_open();
	mfo_check_snapshot(&before, "end");
	mfo_teardown_pool(fd);
	close(fd);
	return mft_done();
}
