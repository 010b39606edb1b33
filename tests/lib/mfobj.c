// SPDX-License-Identifier: GPL-2.0
/*
 * mfobj.c - the object tests' helpers declared in tests/mfobj.h: the
 * namespace and object ioctls, the stats counters and the leak check
 * (linked from build/tests/libmftest.a).
 */
#define _GNU_SOURCE
#include <sys/klog.h>
#include <sys/socket.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

char mfo_pool[MF_POOL_NAME_LEN] = "pool0";
int mfo_own_pool;
const char *const mfo_leak_stats[MFO_NR_LEAK_STATS] = {
	"namespaces", "objects", "handles", "refs", "extents",
	"extents_shared", "mappings",
};

void mfo_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	memset(dst, 0, len);
	memcpy(dst, src, n < len ? n : len);
}

long long mfo_stat(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), MFO_STATS "/%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

void mfo_snapshot(struct mfo_snap *s)
{
	size_t i;

	for (i = 0; i < MFO_NR_LEAK_STATS; i++)
		s->stats[i] = mfo_stat(mfo_leak_stats[i]);
	s->pool_free = mfp_sysfs_u64(mfo_pool, "free");
	s->pool_extents = mfp_sysfs_u64(mfo_pool, "extents");
}

void mfo_check_snapshot(const struct mfo_snap *before,
			const char *when)
{
	struct mfo_snap now;
	char line[160];
	int tries;
	size_t i;

	for (tries = 0; tries < 20; tries++) {
		mfo_snapshot(&now);
		if (!memcmp(&now, before, sizeof(now)))
			break;
		usleep(100000);
	}
	for (i = 0; i < MFO_NR_LEAK_STATS; i++) {
		snprintf(line, sizeof(line), "%s: stats/%s is back to %lld",
			 when, mfo_leak_stats[i], before->stats[i]);
		mft_report(now.stats[i] == before->stats[i], line, "it is %lld",
			   now.stats[i]);
	}
	snprintf(line, sizeof(line), "%s: pool %s has its free bytes back",
		 when, mfo_pool);
	mft_report(now.pool_free == before->pool_free, line,
		   "free %llu, was %llu", now.pool_free, before->pool_free);
	snprintf(line, sizeof(line), "%s: pool %s has its extents back", when,
		 mfo_pool);
	mft_report(now.pool_extents == before->pool_extents, line,
		   "extents %llu, were %llu", now.pool_extents,
		   before->pool_extents);
}

void mfo_setup_pool(int fd)
{
	if (mfp_exists(fd, "pool0"))
		return;
	mfo_str(mfo_pool, sizeof(mfo_pool), MFO_OWN_POOL);
	if (mfp_attach_ram(fd, MFO_OWN_POOL, 64 << 20)) {
		perror("attach " MFO_OWN_POOL);
		exit(2);
	}
	mfo_own_pool = 1;
}

void mfo_teardown_pool(int fd)
{
	if (mfo_own_pool)
		MFT_OK(mfp_detach(fd, MFO_OWN_POOL), "detach the test's pool");
}

int mfo_ns_create(int fd, const char *pool, const char *ns,
		  const char *secid, uint64_t ttl, uint32_t attr)
{
	struct mf_ns_create c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	mfo_str(c.pool, sizeof(c.pool), pool);
	mfo_str(c.name, sizeof(c.name), ns);
	mfo_str(c.secid, sizeof(c.secid), secid);
	c.ttl = ttl;
	c.attr = attr;
	return ioctl(fd, MF_IOC_NS_CREATE, &c);
}

int mfo_ns_destroy(int fd, const char *pool, const char *ns,
		   const char *secid, uint32_t flags,
		   struct mf_ns_destroy *out)
{
	struct mf_ns_destroy d;
	int ret;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.flags = flags;
	mfo_str(d.pool, sizeof(d.pool), pool);
	mfo_str(d.name, sizeof(d.name), ns);
	mfo_str(d.secid, sizeof(d.secid), secid);
	ret = ioctl(fd, MF_IOC_NS_DESTROY, &d);
	if (out)
		*out = d;
	return ret;
}

void mfo_name(struct mf_obj_name *n, const char *pool,
	      const char *ns, const char *secid, const char *id)
{
	memset(n, 0, sizeof(*n));
	mfo_str(n->pool, sizeof(n->pool), pool);
	mfo_str(n->ns, sizeof(n->ns), ns);
	mfo_str(n->secid, sizeof(n->secid), secid);
	if (id)
		mfo_str(n->id, sizeof(n->id), id);
}

int mfo_alloc(int fd, const char *ns, const char *secid,
	      const char *id, uint64_t bytes, uint64_t *mo,
	      char *id_out)
{
	struct mf_obj_alloc a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	mfo_name(&a.name, mfo_pool, ns, secid, id);
	a.bytes = bytes;
	ret = ioctl(fd, MF_IOC_OBJ_ALLOC, &a);
	if (!ret && mo)
		*mo = a.map_offset;
	if (!ret && id_out)
		memcpy(id_out, a.name.id, MF_OBJ_ID_LEN);
	return ret;
}

int mfo_get(int fd, const char *ns, const char *secid,
	    const char *id, uint64_t *mo, struct mf_obj_get *out)
{
	struct mf_obj_get g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	mfo_name(&g.name, mfo_pool, ns, secid, id);
	ret = ioctl(fd, MF_IOC_OBJ_GET, &g);
	if (!ret && mo)
		*mo = g.map_offset;
	if (out)
		*out = g;
	return ret;
}

int mfo_put(int fd, uint64_t mo)
{
	struct mf_obj_put p = { .size = sizeof(p), .obj = mo };

	return ioctl(fd, MF_IOC_OBJ_PUT, &p);
}

int mfo_free(int fd, const char *ns, const char *secid,
	     const char *id)
{
	struct mf_obj_free f;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	mfo_name(&f.name, mfo_pool, ns, secid, id);
	return ioctl(fd, MF_IOC_OBJ_FREE, &f);
}

int mfo_publish(int fd, const char *ns, const char *secid,
		const char *id)
{
	struct mf_obj_free f;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	mfo_name(&f.name, mfo_pool, ns, secid, id);
	return ioctl(fd, MF_IOC_OBJ_PUBLISH, &f);
}

int mfo_stat_obj(int fd, uint64_t mo, struct mf_obj_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->obj = mo;
	return ioctl(fd, MF_IOC_OBJ_STAT, st);
}

int mfo_io_serial(int fd, unsigned long cmd, uint64_t mo,
		  uint64_t serial, uint64_t off, uint64_t len,
		  void *buf)
{
	struct mf_obj_io io;

	memset(&io, 0, sizeof(io));
	io.size = sizeof(io);
	io.obj = mo;
	io.offset = off;
	io.length = len;
	io.buf = (uintptr_t)buf;
	io.serial = serial;
	return ioctl(fd, cmd, &io);
}

int mfo_io(int fd, unsigned long cmd, uint64_t mo,
	   uint64_t off, uint64_t len, void *buf)
{
	return mfo_io_serial(fd, cmd, mo, 0, off, len, buf);
}

int mfo_read(int fd, uint64_t mo, uint64_t off, uint64_t len,
	     void *buf)
{
	return mfo_io(fd, MF_IOC_OBJ_READ, mo, off, len, buf);
}

int mfo_write(int fd, uint64_t mo, uint64_t off, uint64_t len,
	      const void *buf)
{
	return mfo_io(fd, MF_IOC_OBJ_WRITE, mo, off, len, (void *)buf);
}

int mfo_expand(int fd, uint64_t mo, uint64_t bytes)
{
	struct mf_obj_expand e;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.obj = mo;
	e.bytes = bytes;
	return ioctl(fd, MF_IOC_OBJ_EXPAND, &e);
}

int mfo_derive(int fd, uint64_t src, const char *ns,
	       const char *secid, const char *id, uint64_t *mo)
{
	struct mf_obj_derive d;
	int ret;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.src = src;
	mfo_str(d.ns, sizeof(d.ns), ns);
	mfo_str(d.secid, sizeof(d.secid), secid);
	if (id)
		mfo_str(d.id, sizeof(d.id), id);
	ret = ioctl(fd, MF_IOC_OBJ_DERIVE, &d);
	if (!ret && mo)
		*mo = d.map_offset;
	return ret;
}

long long mfo_refs(int fd, uint64_t mo)
{
	struct mf_obj_stat st;

	return mfo_stat_obj(fd, mo, &st) ? -1 : (long long)st.refs;
}

int mfo_as_nobody(int fd, int (*fn)(int fd, void *arg),
		  void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) ||
		    setresgid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY) ||
		    setresuid(MFP_NOBODY, MFP_NOBODY, MFP_NOBODY))
			_exit(255);
		_exit(fn(fd, arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int mfo_errno(int ret)
{
	return ret ? (errno ? errno : 253) : 0;
}

int mfo_become(uid_t uid)
{
	if (uid == 0)
		return 0;
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -1;
	return 0;
}

int mfo_as_uid(uid_t uid, int (*fn)(int fd, void *arg), int fd, void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (mfo_become(uid))
			_exit(254);
		_exit(fn(fd, arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int mfo_pool_op(int fd, int op, const char *prefix, uint32_t tag)
{
	char pool[MF_POOL_NAME_LEN], none[MF_POOL_NAME_LEN], own[64];
	uint64_t off;
	int ret;

	snprintf(pool, sizeof(pool), "%sp", prefix);
	snprintf(none, sizeof(none), "%s_none", prefix);
	snprintf(own, sizeof(own), "%s_own", prefix);
	errno = 0;
	switch (op) {
	case 0:	/* attach a ram pool */
		ret = mfo_errno(mfp_attach_ram(fd, pool, 2 << 20));
		if (!ret)
			mfp_detach(fd, pool);
		return ret;
	case 1:
		return mfo_errno(mfp_detach(fd, none));
	case 2:
		ret = mfo_errno(mfp_alloc(fd, mfo_pool, 4096, tag, &off));
		if (!ret)
			mfp_free(fd, mfo_pool, off, NULL, NULL);
		return ret;
	case 3:
		return mfo_errno(mfp_free(fd, mfo_pool, 1ULL << 40, NULL, NULL));
	case 4: {
		struct mf_extent_info *e;
		long n = mfp_extents(fd, mfo_pool, &e);

		free(e);
		return n < 0 ? errno : 0;
	}
	case 5: {
		struct mf_pool_check c;

		return mfo_errno(mfp_check(fd, mfo_pool, &c));
	}
	case 6: {
		struct mf_pool_info i;

		return mfp_info(fd, mfo_pool, &i) ? errno : 0;
	}
	case 7:	/* a namespace of one's own */
		ret = mfo_errno(mfo_ns_create(fd, mfo_pool, own, "own", 0, 0));
		if (!ret)
			ret = mfo_errno(mfo_ns_destroy(fd, mfo_pool, own, "own",
						       0, NULL));
		return ret;
	}
	return 251;
}

int mfo_copy(int fd, uint64_t src, uint64_t soff, uint64_t ss,
	     uint64_t dst, uint64_t doff, uint64_t ds, uint64_t len)
{
	struct mf_obj_copy c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.src = src;
	c.src_offset = soff;
	c.src_serial = ss;
	c.dst = dst;
	c.dst_offset = doff;
	c.dst_serial = ds;
	c.length = len;
	return ioctl(fd, MF_IOC_OBJ_COPY, &c);
}

int mfo_send_fd(int sock, int fd, char c)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr m = { 0 };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	return sendmsg(sock, &m, 0);
}

int mfo_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr m = { 0 };
	struct cmsghdr *cm;
	int fd;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -2;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

int mfo_ns_info(int fd, const char *ns, struct mf_ns_info *out)
{
	struct mf_ns_info infos[256];
	struct mf_ns_list l;
	uint32_t i;

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	mfo_str(l.pool, sizeof(l.pool), mfo_pool);
	l.namespaces = (uintptr_t)infos;
	l.count = 256;
	l.entry_size = sizeof(infos[0]);
	if (ioctl(fd, MF_IOC_NS_LIST, &l))
		return -1;
	for (i = 0; i < l.count && i < 256; i++)
		if (!strncmp(infos[i].name, ns, sizeof(infos[i].name))) {
			*out = infos[i];
			return 0;
		}
	return -1;
}

void mfo_pattern(void *buf, size_t len, uint64_t seed,
		 uint64_t off)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((off + i) * 131 + seed * 7 + ((off + i) >> 12));
}

int mfo_check_pattern(const void *buf, size_t len,
		      uint64_t seed, uint64_t off)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)((off + i) * 131 + seed * 7 +
					    ((off + i) >> 12)))
			return 0;
	return 1;
}

void *mfo_map(int fd, uint64_t mo, uint64_t off, size_t len,
	      int prot, int flags, void *addr)
{
	return mmap(addr, len, prot, flags, fd, (off_t)(mo + off));
}

int mfo_commit(int fd, void *addr, uint64_t len,
	       const char *ns, const char *secid, const char *id,
	       uint32_t flags, struct mf_obj_commit *out)
{
	struct mf_obj_commit c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = flags;
	c.addr = (uintptr_t)addr;
	c.length = len;
	mfo_str(c.ns, sizeof(c.ns), ns);
	mfo_str(c.secid, sizeof(c.secid), secid);
	mfo_str(c.id, sizeof(c.id), id);
	ret = ioctl(fd, MF_IOC_OBJ_COMMIT, &c);
	if (out)
		*out = c;
	return ret;
}

long long mfo_smaps_kb(const char *field)
{
	char line[256], key[64];
	long long v = -1, kb;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	snprintf(key, sizeof(key), "%s:", field);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, strlen(key)) &&
		    sscanf(line + strlen(key), "%lld", &kb) == 1) {
			v = kb;
			break;
		}
	}
	fclose(f);
	return v;
}

int mfo_begin(const char *argv0, const char *ns,
	      const char *secid, struct mfo_snap *snap)
{
	int fd;

	mft_init(argv0);
	fd = mfp_open();
	mfo_setup_pool(fd);
	mfo_snapshot(snap);
	if (mfo_ns_create(fd, mfo_pool, ns, secid, 0, 0)) {
		fprintf(stderr, "create namespace %s: %s\n", ns,
			strerror(errno));
		exit(2);
	}
	return fd;
}

int mfo_end(int fd, const char *ns, const char *secid,
	    const struct mfo_snap *snap, const char *when)
{
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, ns, secid, 0, NULL),
	       "the namespace is empty again");
	mfo_check_snapshot(snap, when);
	mfo_teardown_pool(fd);
	close(fd);
	return mft_done();
}

int mfo_file_write(const char *path, const char *s)
{
	int f = open(path, O_WRONLY), ret;

	if (f < 0)
		return -1;
	ret = write(f, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(f);
	return ret;
}

long mfo_file_long(const char *path)
{
	char buf[32] = "";
	int f = open(path, O_RDONLY);
	ssize_t n;

	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

int mfo_klog_count(const char *what)
{
	int len = klogctl(10, NULL, 0), n = 0;	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf, *p;

	if (len <= 0)
		return -1;
	buf = calloc(1, len + 1);
	if (!buf)
		return -1;
	len = klogctl(3, buf, len);		/* SYSLOG_ACTION_READ_ALL */
	for (p = buf; len > 0 && (p = strstr(p, what)); p++)
		n++;
	free(buf);
	return len < 0 ? -1 : n;
}
