// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_pins - issue 15, defect 2: a pin taken on an object's pages through
 * a mapping outlives munmap(), so a check that counts mappings does not see
 * it.  Each kind of pin is taken on a fresh object, the mapping is unmapped,
 * and then one of PUBLISH, DERIVE, COMMIT, EXPAND and FREE is tried:
 *
 *   t_obj_pins [uring|rdma|vmsplice]	(default: all three)
 *
 * - uring: an io_uring fixed buffer (pin_user_pages(FOLL_WRITE |
 *   FOLL_LONGTERM)) on an MF_MAP_LONGTERM mapping.  Linux 6.12 only: 6.1's
 *   io_uring refuses file-backed buffers (EOPNOTSUPP), which is asserted.
 *   The pin can write: IORING_OP_READ_FIXED into the buffer after the call.
 * - rdma: an RDMA memory region with write access (ibv_reg_mr) on soft-RoCE
 *   (rxe on a veth pair of its own), of an ordinary MAP_SHARED read-write
 *   mapping on 6.1 and of an MF_MAP_LONGTERM one on 6.12 (6.5 and later
 *   refuse to pin an ordinary one).  No traffic is sent: the region could
 *   write at any time.
 * - vmsplice: page references in a pipe (get_user_pages()); they can only
 *   be read.
 *
 * Wanted: PUBLISH, DERIVE and COMMIT fail with EBUSY while a write pin
 * (uring, rdma) exists; with a read-only one (vmsplice) they may succeed.
 * EXPAND and FREE may succeed, but must be safe: FREE keeps the pinned
 * memory from being reused (quarantine), EXPAND writes nothing but the
 * object.  Whatever the call did, after a write through the pin (uring) a
 * published object, an object derived or committed from it, a new object
 * allocated after the FREE, and two bystanders (a published object and a
 * private one) have the bytes they had, by checksum.
 *
 * A part that cannot run here (no fsdax pool, no io_uring, no rxe) prints
 * SKIP; run alone (t_obj_pins PART), it then exits 77.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mfring.h"

#include <infiniband/verbs.h>
#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>

#define NS	"t_pins"
#define SECID	"pins-secret"
#define MB	(1UL << 20)
#define LEN	(4 * MB)
#define PINLEN	MB
#define RXE	"rxepin0"

enum { K_URING, K_RDMA, K_SPLICE, K_NR };
static const char *const kname[K_NR] = { "an io_uring fixed buffer",
					  "an RDMA memory region",
					  "a vmsplice() into a pipe" };
enum { O_PUBLISH, O_DERIVE, O_COMMIT, O_EXPAND, O_FREE, O_NR };
static const char *const oname[O_NR] = { "PUBLISH", "DERIVE", "COMMIT",
					 "EXPAND", "FREE" };

static int fd;
static long page;
static int new_gup;		/* Linux 6.5 or later */
static int skipped;
static uint64_t by_pub, by_priv, sum_pub, sum_priv;

static uint64_t osum(uint64_t mo, uint64_t len)
{
	unsigned char *b = malloc(len);
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	if (!b || mfo_read(fd, mo, 0, len, b)) {
		free(b);
		return 0;
	}
	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	free(b);
	return h;
}

static void skip(const char *part, const char *why)
{
	printf("SKIP: t_obj_pins: %s: %s\n", part, why);
	skipped++;
}

/* ---- rdma (rxe) ----------------------------------------------------------------- */

static struct ibv_context *ibctx;
static struct ibv_pd *ibpd;
static int rxe_made;

static int rxe_setup(void)
{
	struct ibv_device **list;
	int i, n, tries;

	if (system("for m in crc32_generic veth ib_core ib_uverbs rdma_rxe; do "
		   "modprobe $m 2>/dev/null || exit 1; done; "
		   "ip link show mfpin0 >/dev/null 2>&1 || "
		   "ip link add mfpin0 type veth peer name mfpin1 || exit 1; "
		   "ip link set mfpin0 up && ip link set mfpin1 up || exit 1; "
		   "rdma link show " RXE "/1 >/dev/null 2>&1 || "
		   "rdma link add " RXE " type rxe netdev mfpin0 >/dev/null 2>&1"))
		return -1;
	rxe_made = 1;
	for (tries = 0; tries < 50 && !ibctx; tries++) {
		list = ibv_get_device_list(&n);
		for (i = 0; list && i < n; i++)
			if (!strcmp(ibv_get_device_name(list[i]), RXE))
				ibctx = ibv_open_device(list[i]);
		if (list)
			ibv_free_device_list(list);
		if (!ibctx)
			usleep(100000);
	}
	if (!ibctx)
		return -1;
	ibpd = ibv_alloc_pd(ibctx);
	return ibpd ? 0 : -1;
}

static void rxe_teardown(void)
{
	if (ibpd)
		ibv_dealloc_pd(ibpd);
	if (ibctx)
		ibv_close_device(ibctx);
	if (rxe_made &&
	    system("rdma link delete " RXE " 2>/dev/null; ip link delete mfpin0 2>/dev/null"))
		printf("INFO: rxe teardown failed\n");
}

/* ---- pins ---------------------------------------------------------------------- */

struct pin {
	int kind;
	struct mft_ring r;
	struct ibv_mr *mr;
	int pipefd[2];
	void *addr;		/* where the pinned range was mapped */
};

/*
 * Map object @mo and pin its first PINLEN bytes as @p->kind says; then
 * unmap.  Returns 0, or -errno (the pin was refused).
 */
static int pin_take(struct pin *p, uint64_t mo)
{
	int longterm = p->kind == K_URING || (p->kind == K_RDMA && new_gup);
	struct iovec iov;
	int ret = 0;

	p->mr = NULL;
	p->pipefd[0] = p->pipefd[1] = -1;
	p->addr = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)(mo | (longterm ? MF_MAP_LONGTERM : 0)));
	if (p->addr == MAP_FAILED)
		return -errno;
	switch (p->kind) {
	case K_URING:
		if (mft_ring_open(&p->r)) {
			ret = -ENOSYS;
			break;
		}
		ret = mft_ring_register(&p->r, p->addr, PINLEN);
		if (ret)
			mft_ring_close(&p->r);
		break;
	case K_RDMA:
		p->mr = ibv_reg_mr(ibpd, p->addr, PINLEN,
				   IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
				   IBV_ACCESS_REMOTE_READ);
		if (!p->mr)
			ret = errno ? -errno : -EINVAL;
		break;
	default:
		if (pipe(p->pipefd)) {
			ret = -errno;
			break;
		}
		fcntl(p->pipefd[1], F_SETPIPE_SZ, 1 << 20);
		iov.iov_base = p->addr;
		iov.iov_len = PINLEN;
		if (vmsplice(p->pipefd[1], &iov, 1, 0) != (ssize_t)PINLEN) {
			ret = -errno;
			close(p->pipefd[0]);
			close(p->pipefd[1]);
		}
		break;
	}
	munmap(p->addr, LEN);
	return ret;
}

/* Write through the pin, if it can: whether it did. */
static int pin_write(struct pin *p)
{
	char path[] = "/tmp/t_obj_pins.XXXXXX";
	unsigned char *buf;
	int file, ret = 0;

	if (p->kind != K_URING)
		return 0;
	buf = malloc(PINLEN);
	file = mkstemp(path);
	if (buf && file >= 0) {
		memset(buf, 0xd6, PINLEN);
		unlink(path);
		if (write(file, buf, PINLEN) == (ssize_t)PINLEN)
			ret = mft_ring_read_fixed(&p->r, file, p->addr, PINLEN) ==
			      (int)PINLEN;
	}
	if (file >= 0)
		close(file);
	free(buf);
	return ret;
}

static void pin_release(struct pin *p)
{
	switch (p->kind) {
	case K_URING:
		syscall(__NR_io_uring_register, p->r.fd,
			IORING_UNREGISTER_BUFFERS, NULL, 0);
		mft_ring_close(&p->r);
		break;
	case K_RDMA:
		if (p->mr)
			ibv_dereg_mr(p->mr);
		break;
	default:
		close(p->pipefd[0]);
		close(p->pipefd[1]);
		break;
	}
}

/* ---- the calls under a pin ---------------------------------------------------- */

static void check_bystanders(const char *when)
{
	char what[200];

	snprintf(what, sizeof(what), "%s: the bystanders (a published and a private object) are unchanged",
		 when);
	mft_report(osum(by_pub, LEN) == sum_pub && osum(by_priv, LEN) == sum_priv,
		   what, "a bystander's checksum changed");
}

/* Returns 0, 1 if the pin was refused (the part is skipped), -1 on error. */
static int pin_op(int kind, int op)
{
	unsigned char *buf = malloc(LEN), *q = MAP_FAILED;
	uint64_t mo, d = 0, after = 0, sum0, sum_after = 0;
	long long q0 = mfo_stat("quarantined");
	struct mf_obj_commit c;
	char id[32], what[240];
	struct pin p = { .kind = kind };
	int ret, err, wrote, rc = 0;

	snprintf(id, sizeof(id), "k%d-%s", kind, oname[op]);
	mfo_pattern(buf, LEN, 30 + op, 0);
	if (mfo_alloc(fd, NS, SECID, id, LEN, &mo, NULL) ||
	    mfo_write(fd, mo, 0, LEN, buf)) {
		MFT_CHECK(0, "allocate and fill the object to pin");
		free(buf);
		return -1;
	}
	sum0 = osum(mo, LEN);
	if (op == O_COMMIT) {
		/* a private view made before the pin, written */
		q = mfo_map(fd, mo, 0, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL);
		if (q != MAP_FAILED)
			memset(q + 2 * MB, 0x3e, page);
	}
	ret = pin_take(&p, mo);
	if (ret) {
		printf("INFO: %s of object %s: %s\n", kname[kind], id, strerror(-ret));
		rc = 1;
		goto out_obj;
	}
	errno = 0;
	switch (op) {
	case O_PUBLISH:
		ret = mfo_publish(fd, NS, SECID, id);
		break;
	case O_DERIVE:
		snprintf(what, sizeof(what), "%s-d", id);
		ret = mfo_derive(fd, mo, NS, SECID, what, &d);
		break;
	case O_COMMIT:
		snprintf(what, sizeof(what), "%s-c", id);
		ret = q == MAP_FAILED ? -1 :
		      mfo_commit(fd, q, LEN, NS, SECID, what, 0, &c);
		if (!ret)
			d = c.map_offset;
		break;
	case O_EXPAND:
		ret = mfo_expand(fd, mo, 2 * LEN);
		break;
	default:
		ret = mfo_free(fd, NS, SECID, id);
		if (!ret)
			ret = mfo_put(fd, mo);
		break;
	}
	err = errno;
	printf("INFO: %s under %s (after munmap): %s\n", oname[op], kname[kind],
	       ret ? strerror(err) : "succeeded");

	if (op == O_PUBLISH || op == O_DERIVE || op == O_COMMIT) {
		snprintf(what, sizeof(what), "%s is refused with EBUSY while %s pins the object",
			 oname[op], kname[kind]);
		if (kind == K_SPLICE)
			mft_report(!ret || err == EBUSY, what, "%s", strerror(err));
		else
			mft_report(ret && err == EBUSY, what, "%s",
				   ret ? strerror(err) : "it succeeded");
	} else {
		snprintf(what, sizeof(what), "%s under %s succeeds or is refused with EBUSY",
			 oname[op], kname[kind]);
		mft_report(!ret || err == EBUSY, what, "%s", strerror(err));
	}
	if (op == O_FREE && !ret) {
		/* the freed units must not come back while pinned */
		long long qn = mfo_stat("quarantined");
		int i;

		for (i = 0; i < 20 && qn <= q0; i++) {
			usleep(100000);
			qn = mfo_stat("quarantined");
		}

		snprintf(what, sizeof(what), "FREE under %s: the pinned memory is quarantined",
			 kname[kind]);
		mft_report(qn > q0, what, "stats/quarantined %lld, was %lld", qn, q0);
		mfo_pattern(buf, LEN, 50, 0);
		if (!mfo_alloc(fd, NS, SECID, "after-free", LEN, &after, NULL) &&
		    !mfo_write(fd, after, 0, LEN, buf))
			sum_after = osum(after, LEN);
	}

	wrote = pin_write(&p);
	if (wrote)
		printf("INFO: a READ_FIXED wrote 1 MiB through %s\n", kname[kind]);
	if (op == O_PUBLISH && !ret) {
		snprintf(what, sizeof(what), "the object published under %s keeps its bytes",
			 kname[kind]);
		mft_report(osum(mo, LEN) == sum0, what,
			   "a write through the pin changed the published object");
	}
	if ((op == O_DERIVE || op == O_COMMIT) && !ret) {
		uint64_t want = sum0;

		if (op == O_COMMIT) {
			mfo_pattern(buf, LEN, 30 + op, 0);
			memset(buf + 2 * MB, 0x3e, page);
			want = 0xcbf29ce484222325ULL;
			for (size_t i = 0; i < LEN; i++)
				want = (want ^ buf[i]) * 0x100000001b3ULL;
		}
		snprintf(what, sizeof(what), "the object %s under %s keeps its bytes",
			 op == O_DERIVE ? "derived" : "committed", kname[kind]);
		mft_report(osum(d, LEN) == want, what,
			   "a write through the pin changed it");
	}
	if (after) {
		snprintf(what, sizeof(what), "an object allocated after the FREE under %s keeps its bytes",
			 kname[kind]);
		mft_report(osum(after, LEN) == sum_after, what,
			   "a write through the pin reached reused memory");
	}
	if (kind == K_SPLICE && op == O_PUBLISH) {
		unsigned char *pb = malloc(PINLEN);

		MFT_CHECK(pb && read(p.pipefd[0], pb, PINLEN) == (ssize_t)PINLEN &&
			  mfo_check_pattern(pb, PINLEN, 30 + op, 0),
			  "the pipe reads the object's bytes");
		free(pb);
	}
	snprintf(what, sizeof(what), "%s under %s", oname[op], kname[kind]);
	check_bystanders(what);
	pin_release(&p);
	if (d) {
		mfo_put(fd, d);
		snprintf(what, sizeof(what), "%s-%c", id, op == O_DERIVE ? 'd' : 'c');
		mfo_free(fd, NS, SECID, what);
	}
	if (after) {
		mfo_put(fd, after);
		mfo_free(fd, NS, SECID, "after-free");
	}
out_obj:
	if (q != MAP_FAILED)
		munmap(q, LEN);
	if (op != O_FREE || rc || ret) {
		mfo_free(fd, NS, SECID, id);
		mfo_put(fd, mo);
	}
	free(buf);
	return rc;
}

static void part(int kind)
{
	int op;

	if (kind == K_URING && !new_gup) {
		/* 6.1: io_uring refuses file-backed buffers: assert it */
		struct pin p = { .kind = K_URING };
		uint64_t mo;
		int ret;

		MFT_OK(mfo_alloc(fd, NS, SECID, "uring61", LEN, &mo, NULL),
		       "allocate an object for io_uring");
		ret = pin_take(&p, mo);
		mft_report(ret == -EOPNOTSUPP,
			   "Linux 6.1's io_uring refuses a fixed buffer on an object's mapping (file-backed)",
			   "%s", ret ? strerror(-ret) : "registered");
		if (!ret)
			pin_release(&p);
		mfo_put(fd, mo);
		mfo_free(fd, NS, SECID, "uring61");
		skip(kname[kind], "Linux 6.1's io_uring cannot pin object pages (asserted above)");
		return;
	}
	if (kind == K_RDMA && rxe_setup()) {
		skip(kname[kind], "no soft-RoCE (rdma_rxe) device");
		rxe_teardown();
		return;
	}
	for (op = 0; op < O_NR; op++) {
		int rc = pin_op(kind, op);

		if (rc == 1) {
			mft_report(kind == K_SPLICE ? 0 : 1, "the pin is taken",
				   "%s was refused", kname[kind]);
			if (kind != K_SPLICE)
				skip(kname[kind], "the kernel refused the pin");
			break;
		}
	}
	if (kind == K_RDMA)
		rxe_teardown();
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;
	char backend[32] = "";
	unsigned char *buf;
	int kind = -1, k, ran = 0;

	if (argc > 1) {
		for (k = 0; k < K_NR; k++)
			if (!strcmp(argv[1], (const char *[]){ "uring", "rdma", "vmsplice" }[k]))
				kind = k;
		if (kind < 0) {
			fprintf(stderr, "usage: t_obj_pins [uring|rdma|vmsplice]\n");
			return 2;
		}
	}
	page = sysconf(_SC_PAGESIZE);
	new_gup = mft_kernel_at_least(6, 5);
	fd = mfo_begin(argv[0], NS, SECID, &snap);
	mfp_sysfs(mfo_pool, "backend", backend, sizeof(backend));

	buf = malloc(LEN);
	mfo_pattern(buf, LEN, 1, 0);
	MFT_OK(mfo_alloc(fd, NS, SECID, "by-pub", LEN, &by_pub, NULL) ||
	       mfo_write(fd, by_pub, 0, LEN, buf) ||
	       mfo_publish(fd, NS, SECID, "by-pub") ? -1 : 0,
	       "a published bystander");
	mfo_pattern(buf, LEN, 2, 0);
	MFT_OK(mfo_alloc(fd, NS, SECID, "by-priv", LEN, &by_priv, NULL) ||
	       mfo_write(fd, by_priv, 0, LEN, buf) ? -1 : 0,
	       "a private bystander");
	free(buf);
	sum_pub = osum(by_pub, LEN);
	sum_priv = osum(by_priv, LEN);

	if (strcmp(backend, "fsdax")) {
		for (k = 0; k < K_NR; k++)
			if (kind < 0 || kind == k)
				skip(kname[k], "the pool is not fsdax: its pages cannot be pinned");
	} else {
		for (k = 0; k < K_NR; k++) {
			if (kind >= 0 && kind != k)
				continue;
			int before = skipped;

			part(k);
			ran += skipped == before;
		}
	}
	check_bystanders("at the end");
	mfo_put(fd, by_pub);
	mfo_free(fd, NS, SECID, "by-pub");
	mfo_put(fd, by_priv);
	mfo_free(fd, NS, SECID, "by-priv");
	k = mfo_end(fd, NS, SECID, &snap, "after t_obj_pins");
	if (kind >= 0 && !ran && !k)
		return 77;
	return k;
}
