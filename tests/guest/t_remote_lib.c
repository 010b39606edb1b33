// SPDX-License-Identifier: GPL-2.0
/*
 * t_remote_lib.c - the BigMemory calls on remote objects, through
 * mfserverd over soft-RoCE (Documentation/remote.md).  Not a test of its
 * own: tests/guest/t_remote.sh sets up rxe, etcd and the server and runs
 * it (it is built to build/tests/remote/, out of run-suite's way).
 *
 *   t_remote_lib api        every remote call and its errors
 *   t_remote_lib restart DIR  hold objects; wait for DIR/go (the server
 *                           restarts meanwhile, after DIR/ready); use them
 *   t_remote_lib hammer     write and read 4 MiB in a loop until killed
 *   t_remote_lib afterkill  the hammer's object has no handle left
 *   t_remote_lib rkey       a raw verbs client: the rkey of a published
 *                           object refuses RDMA WRITE, works for READ;
 *                           the staged READ and WRITE requests (a staged
 *                           write to a published object: -EACCES); prints
 *                           which path (direct or staged) read-write and
 *                           published objects take on this kernel
 *   t_remote_lib regprobe   local, no server: which of the server's
 *                           ibv_reg_mr calls on memfabric mappings the
 *                           kernel accepts (INFO lines, Documentation/
 *                           remote.md, Status)
 *
 * Node "n1" is found in etcd (127.0.0.1:2379), node "s1" is named in the
 * BmInitAttr; both are the same mfserverd on 10.77.0.1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <rdma/rdma_cma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "mftest.h"
#include "mfremote.h"
#include "../../net/mfproto.h"
#include <memfabric/bm.h>

#define NS "t_remote"
#define SEC "remote-secret"
#define POOL "n1:pool0"
#define SPOOL "s1:pool0"
#define BIG (3u << 20)
/* bench/remote/setup-rxe.sh: RXE_SERVER_ADDR */
#define SERVER_ADDR "10.77.0.1"

static BmInfo info(const char *pool, const char *id, const char *sec)
{
	return mfr_info(pool, NS, sec, id);
}

/* $T_REMOTE_CONFIG: a config file that names etcd and its TLS files
 * (tests/guest/t_remote.sh: etcd with client certificates); otherwise
 * etcd is plain 127.0.0.1:2379. */
static int init(void)
{
	const char *conf = getenv("T_REMOTE_CONFIG");
	BmInitAttr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.remoteNodes = "s1=" SERVER_ADDR ":7471";
	if (!conf || !*conf)
		a.etcd = "127.0.0.1:2379";
	return BM_InitWithExtAttr(conf && *conf ? (char *)conf : NULL, 0, &a);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed + (i >> 12));
}

/* Whether the server gives an rkey for object @id (raw GET, PUT): 1
 * direct, 0 staged, -1 unknown.  Defined with the raw client below. */
static int server_path(const char *id);

static void test_api(void)
{
	unsigned char *buf = malloc(BIG), *back = malloc(BIG);
	BmInfo a = info(POOL, "", SEC), o1 = info(POOL, "obj1", SEC);
	BmInfo o2 = info(POOL, "obj2", SEC), o3 = info(POOL, "obj3", SEC);
	BmInfo bad = info(POOL, "obj1", "wrong-secret");
	BmInfo loc = info("pool0", "obj1", SEC);
	BmStat st;
	void *p = NULL;

	/* Namespaces. */
	BM_DestroyNSSec(POOL, NS, SEC); /* a leftover of an earlier run */
	MFT_RET(BM_CreateNSSec(POOL, NS, 0, SEC), 0, "remote BM_CreateNSSec");
	MFT_RET(BM_CreateNSSec(POOL, NS, 0, SEC), -EEXIST,
		"remote BM_CreateNSSec again: -EEXIST");
	MFT_RET(BM_CreateNSSec("n1:nopool", NS, 0, SEC), -ENOENT,
		"remote BM_CreateNSSec on an unknown pool: -ENOENT");
	MFT_RET(BM_CreateNSSec("n1:", NS, 0, SEC), -EINVAL,
		"remote pool name without a pool: -EINVAL");

	/* Alloc. */
	MFT_RET(BM_AllocSec(&a, 1 << 20, 0, NULL), 0,
		"remote BM_AllocSec with a generated id");
	MFT_CHECK(a.bmId[0] && a.size == 1 << 20 &&
		  a.type == BM_TYPE_PRIVATE_RW && !strcmp(a.poolName, POOL),
		  "remote BM_AllocSec fills the BmInfo");
	MFT_RET(BM_AllocSec(&o1, BIG, 0, NULL), 0, "remote BM_AllocSec obj1");
	int rwDirect = server_path("obj1");
	MFT_CHECK(rwDirect >= 0, "the server says which path obj1 takes");
	printf("INFO: read-write objects take the %s path\n",
	       rwDirect == 1 ? "direct" : "staged");
	MFT_RET(BM_AllocSec(&o1, BIG, 0, NULL), -EEXIST,
		"remote BM_AllocSec of an existing id: -EEXIST");
	BmInfo w = info(POOL, "objw", "wrong-secret");
	MFT_RET(BM_AllocSec(&w, 4096, 0, NULL), -EACCES,
		"remote BM_AllocSec with a wrong secId: -EACCES");
	BmInfo huge = info(POOL, "huge", SEC);
	MFT_RET(BM_AllocSec(&huge, 64ull << 30, 0, NULL), -ENOSPC,
		"remote BM_AllocSec beyond the pool: -ENOSPC");
	MFT_RET(BM_AllocSec(&huge, 0, 0, NULL), -EINVAL,
		"remote BM_AllocSec of 0 bytes: -EINVAL");
	BmInfo nop = info("n1:nopool", "x", SEC);
	MFT_RET(BM_AllocSec(&nop, 4096, 0, NULL), -ENOENT,
		"remote BM_AllocSec on an unknown pool: -ENOENT");
	BmInfo non = info("nosuchnode:pool0", "x", SEC);
	MFT_RET(BM_AllocSec(&non, 4096, 0, NULL), -ENOENT,
		"remote BM_AllocSec on a node etcd does not know: -ENOENT");
	BmInfo viaAff = info("", "objaff", SEC);
	BmAffinity aff = { .numaNode = -1, .poolName = POOL };
	MFT_RET(BM_AllocSec(&viaAff, 8192, 0, &aff), 0,
		"remote BM_AllocSec through BmAffinity.poolName");
	MFT_CHECK(!strcmp(viaAff.poolName, POOL),
		  "BmAffinity allocation reports the remote pool");
	BmInfo mism = info("pool0", "objaff2", SEC);
	MFT_RET(BM_AllocSec(&mism, 8192, 0, &aff), -EINVAL,
		"BmInfo and BmAffinity naming other pools: -EINVAL");

	/* Write and read. */
	fill(buf, BIG, 7);
	MFT_RET(BM_WriteSec(&o1, 0, BIG, buf, 0), 0, "remote BM_WriteSec 3 MiB");
	memset(back, 0, BIG);
	MFT_RET(BM_ReadSec(&o1, 0, BIG, back, 0), 0, "remote BM_ReadSec 3 MiB");
	MFT_CHECK(!memcmp(buf, back, BIG), "remote read returns what was written");
	MFT_RET(BM_WriteSec(&o1, 100, 8, "12345678", 0), 0,
		"remote BM_WriteSec of 8 bytes (inline)");
	char small[9] = { 0 };
	MFT_RET(BM_ReadSec(&o1, 100, 8, small, 0), 0, "remote BM_ReadSec of 8 bytes");
	MFT_CHECK(!strcmp(small, "12345678"), "small remote write lands");
	memcpy(buf + 100, "12345678", 8);
	/* The data is in the pool itself: read it locally. */
	memset(back, 0, BIG);
	MFT_RET(BM_ReadSec(&loc, 0, BIG, back, 0), 0,
		"local BM_ReadSec of the object written remotely");
	MFT_CHECK(!memcmp(buf, back, BIG), "remote writes are in pool memory");
	MFT_RET(BM_ReadSec(&o1, BIG - 10, 20, back, 0), -EINVAL,
		"remote read beyond the object: -EINVAL");
	MFT_RET(BM_WriteSec(&o1, BIG - 10, 20, buf, 0), -EINVAL,
		"remote write beyond the object: -EINVAL");
	MFT_RET(BM_ReadSec(&o1, SIZE_MAX, 2, back, 0), -EOVERFLOW,
		"remote read with offset + length overflowing: -EOVERFLOW");
	MFT_RET(BM_ReadSec(&o1, 0, 8, back, 1), -EINVAL,
		"remote read with flags: -EINVAL");
	MFT_RET(BM_ReadSec(&o1, 0, 8, NULL, 0), -EINVAL,
		"remote read into NULL: -EINVAL");
	MFT_RET(BM_ReadSec(&bad, 0, 8, back, 0), -EACCES,
		"remote read with a wrong secId: -EACCES");
	MFT_RET(BM_WriteSec(&bad, 0, 8, buf, 0), -EACCES,
		"remote write with a wrong secId: -EACCES");
	BmInfo nobj = info(POOL, "nosuch", SEC);
	MFT_RET(BM_ReadSec(&nobj, 0, 8, back, 0), -ENOENT,
		"remote read of a missing object: -ENOENT");
	MFT_RET(BM_ReadSec(&o1, 0, 0, back, 0), 0,
		"remote read of 0 bytes");

	/* An object that is not a 2 MiB multiple, larger than one request
	 * of the staged path (4 MiB), at an odd offset. */
	{
		size_t n5 = (5u << 20) + 3 * 4096 + 77;
		unsigned char *w5 = malloc(n5), *r5 = malloc(n5);
		BmInfo o5 = info(POOL, "obj5", SEC);

		MFT_RET(BM_AllocSec(&o5, n5, 0, NULL), 0,
			"remote BM_AllocSec of 5 MiB + 12365 bytes");
		fill(w5, n5, 11);
		MFT_RET(BM_WriteSec(&o5, 0, n5, w5, 0), 0,
			"remote write of 5 MiB + 12365 bytes");
		MFT_RET(BM_WriteSec(&o5, 4097, n5 - 4097 - 5, w5 + 13, 0), 0,
			"remote write at an odd offset");
		memmove(w5 + 4097, w5 + 13, n5 - 4097 - 5);
		memset(r5, 0, n5);
		MFT_RET(BM_ReadSec(&o5, 0, n5, r5, 0), 0,
			"remote read of 5 MiB + 12365 bytes");
		MFT_CHECK(!memcmp(w5, r5, n5), "the odd-sized object reads back");
		memset(r5, 0, n5);
		MFT_RET(BM_ReadSec(&o5, 4099, n5 - 4099 - 1, r5, 0), 0,
			"remote read at an odd offset");
		MFT_CHECK(!memcmp(w5 + 4099, r5, n5 - 4099 - 1),
			  "the odd-offset read is right");
		MFT_RET(BM_FreeSec(&o5, 0), 0, "free obj5");
		free(w5);
		free(r5);
	}

	/* The static node reaches the same server. */
	BmInfo s1 = info(SPOOL, "obj1", SEC);
	memset(back, 0, 4096);
	MFT_RET(BM_ReadSec(&s1, 0, 4096, back, 0), 0,
		"remote read through the node named in BmInitAttr");
	MFT_CHECK(!memcmp(buf, back, 4096), "both names reach one object");

	/* Stat. */
	MFT_RET(BM_StatSec(&o1, &st), 0, "remote BM_StatSec");
	MFT_CHECK(st.size == BIG && st.type == BM_TYPE_PRIVATE_RW &&
		  st.sessionRefs == 1 && !st.freed &&
		  st.mapCount >= (rwDirect == 1 ? 1u : 0u),
		  "remote BM_StatSec reports size, type, references");
	MFT_RET(BM_StatSec(&bad, &st), -EACCES,
		"remote BM_StatSec with a wrong secId: -EACCES");
	MFT_RET(BM_StatSec(&nobj, &st), -ENOENT,
		"remote BM_StatSec of a missing object: -ENOENT");

	/* Copy: on the server, and between local and remote objects. */
	MFT_RET(BM_AllocSec(&o2, BIG, 0, NULL), 0, "remote BM_AllocSec obj2");
	MFT_RET(BM_CopySec(&o1, 4096, &o2, 0, 1 << 20, 0), 0,
		"remote BM_CopySec on one node");
	MFT_RET(BM_ReadSec(&o2, 0, 1 << 20, back, 0), 0, "read the copy");
	MFT_CHECK(!memcmp(buf + 4096, back, 1 << 20), "remote copy is right");
	MFT_RET(BM_CopySec(&o1, BIG - 10, &o2, 0, 20, 0), -EINVAL,
		"remote copy beyond the source: -EINVAL");
	MFT_RET(BM_CopySec(&bad, 0, &o2, 0, 20, 0), -EACCES,
		"remote copy with a wrong secId: -EACCES");
	BmInfo lo = info("pool0", "local1", SEC);
	BM_CreateNSSec("pool0", NS, 0, SEC); /* the same pool: exists */
	MFT_RET(BM_AllocSec(&lo, 1 << 20, 0, NULL), 0, "a local object");
	MFT_RET(BM_CopySec(&o1, 8192, &lo, 0, 1 << 20, 0), 0,
		"BM_CopySec remote -> local");
	MFT_RET(BM_ReadSec(&lo, 0, 1 << 20, back, 0), 0, "read the local copy");
	MFT_CHECK(!memcmp(buf + 8192, back, 1 << 20), "remote -> local copy");
	MFT_RET(BM_CopySec(&lo, 0, &o2, 1 << 20, 1 << 20, 0), 0,
		"BM_CopySec local -> remote");
	MFT_RET(BM_ReadSec(&o2, 1 << 20, 1 << 20, back, 0), 0, "read it back");
	MFT_CHECK(!memcmp(buf + 8192, back, 1 << 20), "local -> remote copy");

	/* Gather on the server. */
	MFT_RET(BM_AllocSec(&o3, 1 << 20, 0, NULL), 0, "remote BM_AllocSec obj3");
	BmGatherItem g1 = { &o1, 0, 4096 }, g2 = { &o2, 0, 4096 };
	intptr_t items[3] = { (intptr_t)&g1, (intptr_t)&g2, 0 };
	size_t glen = 0;
	MFT_RET(BM_GatherSec(items, BM_OP_GATHER, 0, &o3, &glen), 0,
		"remote BM_GatherSec concatenation");
	MFT_RET(BM_ReadSec(&o3, 0, 8192, back, 0), 0, "read the gather");
	MFT_CHECK(glen == 8192 && !memcmp(back, buf, 4096) &&
		  !memcmp(back + 4096, buf + 4096, 4096),
		  "remote gather is right");
	int64_t v1[4] = { 1, 2, 3, -4 }, v2[4] = { 10, 20, 30, 40 }, sum[4];
	MFT_RET(BM_WriteSec(&o1, 0, sizeof(v1), v1, 0), 0, "vector 1");
	MFT_RET(BM_WriteSec(&o2, 0, sizeof(v2), v2, 0), 0, "vector 2");
	g1.length = g2.length = sizeof(v1);
	MFT_RET(BM_GatherSec(items, BM_OP_SUM_I64, 0, &o3, &glen), 0,
		"remote BM_GatherSec SUM_I64");
	MFT_RET(BM_ReadSec(&o3, 0, sizeof(sum), sum, 0), 0, "read the sum");
	MFT_CHECK(glen == sizeof(sum) && sum[0] == 11 && sum[3] == 36,
		  "remote SUM_I64 is right");
	BmGatherItem gl = { &lo, 0, 4096 };
	intptr_t mixed[2] = { (intptr_t)&gl, 0 };
	MFT_RET(BM_GatherSec(mixed, BM_OP_GATHER, 0, &o3, &glen), -EOPNOTSUPP,
		"gather of local sources into a remote object: -EOPNOTSUPP");
	BmGatherItem gb = { &bad, 0, 4096 };
	intptr_t withBad[2] = { (intptr_t)&gb, 0 };
	MFT_RET(BM_GatherSec(withBad, BM_OP_GATHER, 0, &o3, &glen), -EACCES,
		"remote gather with a wrong secId: -EACCES");

	/* Map: not over the network. */
	MFT_RET(BM_MapSec(&o1, PROT_READ, BM_MAP_SHARED, &p), -EOPNOTSUPP,
		"BM_MapSec of a remote object: -EOPNOTSUPP");

	/* Publish. */
	unsigned char *pre = malloc(BIG);
	MFT_RET(BM_ReadSec(&o2, 0, BIG, pre, 0), 0, "read obj2 before publishing");
	MFT_RET(BM_PublishSec(&bad, 0), -EACCES,
		"remote BM_PublishSec with a wrong secId: -EACCES");
	MFT_RET(BM_PublishSec(&o2, 0), 0, "remote BM_PublishSec");
	MFT_CHECK(o2.type == BM_TYPE_SHARED_RO, "published: SHARED_RO");
	int roDirect = server_path("obj2");
	MFT_CHECK(roDirect >= 0, "the server says which path obj2 takes");
	printf("INFO: published objects take the %s path\n",
	       roDirect == 1 ? "direct" : "staged");
	memset(back, 0, BIG);
	MFT_RET(BM_ReadSec(&o2, 0, BIG, back, 0), 0,
		"remote read of all 3 MiB of the published object (held)");
	MFT_CHECK(!memcmp(pre, back, BIG), "the published object reads back whole");
	free(pre);
	MFT_RET(BM_PublishSec(&o2, 0), -EALREADY,
		"remote BM_PublishSec again: -EALREADY");
	MFT_RET(BM_WriteSec(&o2, 0, 8, buf, 0), -EACCES,
		"remote write to a published object: -EACCES");
	MFT_RET(BM_ReadSec(&o2, 0, sizeof(v2), back, 0), 0,
		"remote read of a published object");
	MFT_CHECK(!memcmp(back, v2, sizeof(v2)), "published data kept");
	MFT_RET(BM_StatSec(&o2, &st), 0, "stat the published object");
	MFT_CHECK(st.type == BM_TYPE_SHARED_RO, "stat says SHARED_RO");
	{
		/* GET of a published object, from a second reference. */
		BmInfo o2b = info(POOL, "obj2", SEC);
		MFT_RET(BM_GetSec(&o2b, 0), 0, "remote BM_GetSec of the published object");
		MFT_CHECK(o2b.type == BM_TYPE_SHARED_RO, "GET says SHARED_RO");
		MFT_RET(BM_ReadSec(&o2b, 8, 8, back, 0), 0,
			"read the published object after GET");
		MFT_CHECK(!memcmp(back, (char *)v2 + 8, 8), "it reads right");
		MFT_RET(BM_WriteSec(&o2b, 8, 8, buf, 0), -EACCES,
			"write after GET of a published object: -EACCES");
		MFT_RET(BM_PutSec(&o2b, 0), 0, "put the second reference");
	}

	/* Get and put. */
	MFT_RET(BM_GetSec(&o1, 0), 0, "remote BM_GetSec");
	MFT_RET(BM_StatSec(&o1, &st), 0, "stat after get");
	MFT_CHECK(st.sessionRefs == 2, "two references");
	MFT_RET(BM_GetSec(&bad, 0), -EACCES,
		"remote BM_GetSec with a wrong secId: -EACCES");
	MFT_RET(BM_GetSec(&nobj, 0), -ENOENT,
		"remote BM_GetSec of a missing object: -ENOENT");
	MFT_RET(BM_PutSec(&bad, 0), -EACCES,
		"remote BM_PutSec with a wrong secId: -EACCES");
	MFT_RET(BM_PutSec(&o1, 0), 0, "remote BM_PutSec");
	MFT_RET(BM_PutSec(&o1, 0), 0, "remote BM_PutSec of the last one");
	MFT_RET(BM_PutSec(&o1, 0), -ENOENT,
		"remote BM_PutSec without a reference: -ENOENT");
	MFT_RET(BM_ReadSec(&o1, 0, sizeof(v1), back, 0), 0,
		"remote read without a reference (transient handle)");
	MFT_CHECK(!memcmp(back, v1, sizeof(v1)), "transient read is right");
	MFT_RET(BM_StatSec(&o1, &st), 0, "stat without a reference");
	MFT_CHECK(st.sessionRefs == 0, "no references");

	/* Free. */
	MFT_RET(BM_FreeSec(&bad, 0), -EACCES,
		"remote BM_FreeSec with a wrong secId: -EACCES");
	MFT_RET(BM_FreeSec(&o1, 0), 0, "remote BM_FreeSec");
	MFT_RET(BM_ReadSec(&o1, 0, 8, back, 0), -ENOENT,
		"remote read of a freed object: -ENOENT");
	MFT_RET(BM_FreeSec(&o1, 0), -ENOENT,
		"remote BM_FreeSec again: -ENOENT");
	MFT_RET(BM_FreeSec(&o2, 0), 0, "free obj2");
	MFT_RET(BM_FreeSec(&o3, 0), 0, "free obj3");
	MFT_RET(BM_FreeSec(&a, 0), 0, "free the generated one");
	MFT_RET(BM_FreeSec(&viaAff, 0), 0, "free the affinity one");
	MFT_RET(BM_FreeSec(&lo, 0), 0, "free the local one");
	MFT_RET(BM_DestroyNSSec(POOL, NS, "wrong-secret"), -EACCES,
		"remote BM_DestroyNSSec with a wrong secId: -EACCES");
	MFT_RET(BM_DestroyNSSec(POOL, NS, SEC), 0, "remote BM_DestroyNSSec");
	free(buf);
	free(back);
}

/* Holds an object across a server restart. */
static void test_restart(const char *dir)
{
	char path[512];
	unsigned char *buf = malloc(1 << 20), *back = malloc(1 << 20);
	BmInfo o = info(POOL, "restart", SEC);
	BmStat st;

	BM_DestroyNSSec(POOL, NS, SEC);
	MFT_RET(BM_CreateNSSec(POOL, NS, 0, SEC), 0, "namespace");
	MFT_RET(BM_AllocSec(&o, 1 << 20, 0, NULL), 0, "alloc before the restart");
	fill(buf, 1 << 20, 3);
	MFT_RET(BM_WriteSec(&o, 0, 1 << 20, buf, 0), 0, "write before the restart");
	snprintf(path, sizeof(path), "%s/ready", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/go", dir);
	for (int i = 0; i < 600 && access(path, F_OK); i++)
		usleep(100000);
	MFT_CHECK(!access(path, F_OK), "the server restarted");
	memset(back, 0, 1 << 20);
	MFT_RET(BM_ReadSec(&o, 0, 1 << 20, back, 0), 0,
		"read through the held reference after the restart");
	MFT_CHECK(!memcmp(buf, back, 1 << 20), "data survives the restart");
	fill(buf, 1 << 20, 4);
	MFT_RET(BM_WriteSec(&o, 0, 1 << 20, buf, 0), 0, "write after the restart");
	MFT_RET(BM_StatSec(&o, &st), 0, "stat after the restart");
	MFT_CHECK(st.sessionRefs == 1, "the reference was taken again");
	MFT_RET(BM_PutSec(&o, 0), 0, "put after the restart");
	MFT_RET(BM_FreeSec(&o, 0), 0, "free after the restart");
	MFT_RET(BM_DestroyNSSec(POOL, NS, SEC), 0, "destroy the namespace");
	free(buf);
	free(back);
}

static void test_hammer(void)
{
	size_t n = 4u << 20;
	unsigned char *buf = malloc(n);
	BmInfo o = info(POOL, "hammer", SEC);

	BM_CreateNSSec(POOL, NS, 0, SEC);
	BM_FreeSec(&o, 0);
	if (BM_AllocSec(&o, n, 0, NULL)) {
		MFT_CHECK(0, "hammer: alloc");
		return;
	}
	fill(buf, n, 9);
	printf("hammering\n");
	fflush(stdout);
	for (;;) {
		if (BM_WriteSec(&o, 0, n, buf, 0) || BM_ReadSec(&o, 0, n, buf, 0)) {
			MFT_CHECK(0, "hammer: transfer");
			return;
		}
	}
}

static void test_afterkill(void)
{
	BmInfo o = info(POOL, "hammer", SEC);
	BmStat st;
	unsigned char b[64];

	MFT_RET(BM_ReadSec(&o, 0, sizeof(b), b, 0), 0,
		"the server serves after a client was killed mid-transfer");
	MFT_RET(BM_StatSec(&o, &st), 0, "stat the killed client's object");
	/* Only this call's transient handle: one handle and, on the direct
	 * path, one mapping (a staged handle has none). */
	int direct = server_path("hammer");
	unsigned maps = direct == 1 ? 1 : 0;
	MFT_CHECK(direct >= 0 && st.mapCount == maps &&
			  st.refCount == 1 + maps,
		  "the killed client's handle and region were released");
	if (st.mapCount != maps || st.refCount != 1 + maps)
		printf("mapCount %u refCount %llu\n", st.mapCount,
		       (unsigned long long)st.refCount);
	MFT_RET(BM_FreeSec(&o, 0), 0, "free the hammer's object");
	MFT_RET(BM_DestroyNSSec(POOL, NS, SEC), 0, "destroy the namespace");
}

/* ---- a raw client: what the server's regions allow ---------------------- */

struct raw {
	struct rdma_event_channel *ec;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	char *buf;
	struct ibv_mr *mr;
	uint64_t seq;
};

static int raw_wait(struct raw *r, enum rdma_cm_event_type want)
{
	struct rdma_cm_event *ev;
	int ok;

	if (rdma_get_cm_event(r->ec, &ev))
		return -1;
	ok = ev->event == want;
	rdma_ack_cm_event(ev);
	return ok ? 0 : -1;
}

static int raw_poll(struct raw *r, struct ibv_wc *wc)
{
	for (long i = 0; i < 200000000; i++) {
		int n = ibv_poll_cq(r->cq, 1, wc);
		if (n)
			return n < 0 ? -1 : 0;
	}
	return -1;
}

static int raw_connect(struct raw *r)
{
	struct addrinfo *ai;
	struct ibv_qp_init_attr qa;
	struct rdma_conn_param p;

	memset(r, 0, sizeof(*r));
	if (getaddrinfo(SERVER_ADDR, "7471", NULL, &ai))
		return -1;
	r->ec = rdma_create_event_channel();
	if (!r->ec || rdma_create_id(r->ec, &r->id, NULL, RDMA_PS_TCP) ||
	    rdma_resolve_addr(r->id, NULL, ai->ai_addr, 5000) ||
	    raw_wait(r, RDMA_CM_EVENT_ADDR_RESOLVED) ||
	    rdma_resolve_route(r->id, 5000) ||
	    raw_wait(r, RDMA_CM_EVENT_ROUTE_RESOLVED))
		return -1;
	freeaddrinfo(ai);
	r->pd = ibv_alloc_pd(r->id->verbs);
	r->cq = ibv_create_cq(r->id->verbs, 16, NULL, NULL, 0);
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = qa.recv_cq = r->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = qa.cap.max_recv_wr = 4;
	qa.cap.max_send_sge = qa.cap.max_recv_sge = 1;
	if (!r->pd || !r->cq || rdma_create_qp(r->id, r->pd, &qa))
		return -1;
	/* Request, reply, and a data area for staged READ and WRITE. */
	r->buf = aligned_alloc(4096, 3 * MFP_MSG_MAX);
	r->mr = ibv_reg_mr(r->pd, r->buf, 3 * MFP_MSG_MAX,
			   IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
				   IBV_ACCESS_REMOTE_READ);
	memset(&p, 0, sizeof(p));
	p.initiator_depth = p.responder_resources = 1;
	p.retry_count = 7;
	if (!r->mr || rdma_connect(r->id, &p) ||
	    raw_wait(r, RDMA_CM_EVENT_ESTABLISHED))
		return -1;
	return 0;
}

/* Send the request at r->buf, reply at r->buf + MFP_MSG_MAX. */
static int raw_call(struct raw *r, size_t len, uint16_t op)
{
	struct mfp_hdr *h = (struct mfp_hdr *)r->buf;
	struct ibv_sge rs = { (uintptr_t)(r->buf + MFP_MSG_MAX), MFP_MSG_MAX,
			      r->mr->lkey };
	struct ibv_sge ss = { (uintptr_t)r->buf, (uint32_t)len, r->mr->lkey };
	struct ibv_recv_wr rw = { .wr_id = 1, .sg_list = &rs, .num_sge = 1 };
	struct ibv_send_wr sw = { .wr_id = 2, .sg_list = &ss, .num_sge = 1,
				  .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED };
	struct ibv_recv_wr *rb;
	struct ibv_send_wr *sb;
	struct ibv_wc wc;
	int got = 0;

	h->magic = MFP_MAGIC;
	h->version = MFP_VERSION;
	h->op = op;
	h->length = (uint32_t)len;
	h->seq = ++r->seq;
	if (ibv_post_recv(r->id->qp, &rw, &rb) ||
	    ibv_post_send(r->id->qp, &sw, &sb))
		return -1;
	while (got < 2) {
		if (raw_poll(r, &wc) || wc.status != IBV_WC_SUCCESS)
			return -1;
		got++;
	}
	return ((struct mfp_hdr *)(r->buf + MFP_MSG_MAX))->status;
}

/*
 * HELLO and AUTH as the library does them (net/mfproto.h, protocol 4),
 * as client $T_REMOTE_CLIENT with the key file $T_REMOTE_KEY, towards
 * node n1.  0, or the refusal's status, or -1.
 */
static void raw_mac(const unsigned char *key, size_t klen, const char *label,
		    const char *client, const uint8_t *cn, const uint8_t *sn,
		    uint8_t *out)
{
	struct mfp_auth_transcript t;
	unsigned len = 0;

	memset(&t, 0, sizeof(t));
	strncpy(t.label, label, sizeof(t.label) - 1);
	strncpy(t.client, client, sizeof(t.client) - 1);
	strcpy(t.node, "n1");
	memcpy(t.client_nonce, cn, MFP_NONCE_LEN);
	memcpy(t.server_nonce, sn, MFP_NONCE_LEN);
	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)&t,
	     sizeof(t), out, &len);
}

static void raw_get(struct raw *r, const char *id, const char *sec);

static int raw_auth(struct raw *r)
{
	const char *client = getenv("T_REMOTE_CLIENT");
	const char *kf = getenv("T_REMOTE_KEY");
	struct mfp_hello *h = (struct mfp_hello *)r->buf;
	const struct mfp_hello *rep =
		(const struct mfp_hello *)(r->buf + MFP_MSG_MAX);
	struct mfp_auth *a = (struct mfp_auth *)r->buf;
	unsigned char key[4096];
	uint8_t cn[MFP_NONCE_LEN], want[MFP_MAC_LEN];
	size_t klen;
	FILE *f;
	int rc;

	if (!client || !kf || !(f = fopen(kf, "r")))
		return -1;
	klen = fread(key, 1, sizeof(key), f);
	fclose(f);
	memset(h, 0, sizeof(*h));
	strcpy(h->node, "n1");
	snprintf(h->client, sizeof(h->client), "%s", client);
	RAND_bytes(cn, sizeof(cn));
	memcpy(h->client_nonce, cn, sizeof(cn));
	rc = raw_call(r, sizeof(*h), MFP_HELLO);
	if (rc)
		return rc;
	raw_mac(key, klen, MFP_AUTH_SERVER, client, cn, rep->server_nonce,
		want);
	/* $T_REMOTE_NOVERIFY: go on to AUTH anyway (a wrong key's AUTH). */
	if (CRYPTO_memcmp(want, rep->mac, MFP_MAC_LEN) &&
	    !getenv("T_REMOTE_NOVERIFY"))
		return -2;
	uint8_t sn[MFP_NONCE_LEN];
	memcpy(sn, rep->server_nonce, sizeof(sn));
	memset(a, 0, sizeof(*a));
	raw_mac(key, klen, MFP_AUTH_CLIENT, client, cn, sn, a->mac);
	return raw_call(r, sizeof(*a), MFP_AUTH);
}

/*
 * A client that does not authenticate: its first request (a GET with the
 * right secId) is refused with -EACCES and nothing else, and the server
 * ends the connection at the next one.
 */
static void test_noauth(void)
{
	struct raw r;
	struct mfp_obj_rep rep;

	if (raw_connect(&r)) {
		MFT_CHECK(0, "raw client connects");
		return;
	}
	raw_get(&r, "pub", SEC);
	MFT_RET(raw_call(&r, sizeof(struct mfp_obj_req), MFP_GET), -EACCES,
		"noauth: a GET before HELLO and AUTH is -EACCES");
	memcpy(&rep, r.buf + MFP_MSG_MAX, sizeof(rep));
	MFT_CHECK(((struct mfp_hdr *)&rep)->length == sizeof(struct mfp_hdr) &&
			  rep.rkey == 0 && rep.handle == 0,
		  "noauth: ... and the reply is a bare header: no handle, no rkey");
	raw_get(&r, "pub", SEC);
	MFT_CHECK(raw_call(&r, sizeof(struct mfp_obj_req), MFP_GET) == -1,
		  "noauth: the next request ends the connection (no reply)");
}

/* AUTH with a wrong key ($T_REMOTE_KEY, $T_REMOTE_NOVERIFY set): -EACCES,
 * and the connection ends at the next request. */
static void test_wrongkey(void)
{
	struct raw r;

	if (raw_connect(&r)) {
		MFT_CHECK(0, "raw client connects");
		return;
	}
	MFT_RET(raw_auth(&r), -EACCES, "wrongkey: AUTH with a wrong key is -EACCES");
	raw_get(&r, "pub", SEC);
	MFT_CHECK(raw_call(&r, sizeof(struct mfp_obj_req), MFP_GET) == -1,
		  "wrongkey: the next request ends the connection (no reply)");
}

/* RDMA @write or read 8 bytes at @addr/@rkey: the completion status. */
static int raw_rdma(struct raw *r, int write, uint64_t addr, uint32_t rkey)
{
	struct ibv_sge s = { (uintptr_t)r->buf, 8, r->mr->lkey };
	struct ibv_send_wr w = { .wr_id = 3, .sg_list = &s, .num_sge = 1,
				 .opcode = write ? IBV_WR_RDMA_WRITE
						 : IBV_WR_RDMA_READ,
				 .send_flags = IBV_SEND_SIGNALED };
	struct ibv_send_wr *b;
	struct ibv_wc wc;

	w.wr.rdma.remote_addr = addr;
	w.wr.rdma.rkey = rkey;
	if (ibv_post_send(r->id->qp, &w, &b) || raw_poll(r, &wc))
		return -1;
	return wc.status;
}

static void raw_get(struct raw *r, const char *id, const char *sec)
{
	struct mfp_obj_req *q = (struct mfp_obj_req *)r->buf;

	memset(q, 0, sizeof(*q));
	strcpy(q->name.pool, "pool0");
	strcpy(q->name.ns, NS);
	strcpy(q->name.secid, sec);
	strcpy(q->name.id, id);
}

/* A staged READ or WRITE of @len bytes at @off of @handle through the
 * raw client's data area: the reply's status. */
static int raw_io(struct raw *r, uint16_t op, uint64_t handle, uint64_t off,
		  uint64_t len)
{
	struct mfp_io_req *q = (struct mfp_io_req *)r->buf;

	memset(q, 0, sizeof(*q));
	q->handle = handle;
	q->offset = off;
	q->length = len;
	q->addr = (uintptr_t)(r->buf + 2 * MFP_MSG_MAX);
	q->rkey = r->mr->rkey;
	return raw_call(r, sizeof(*q), op);
}

/* A staged READ or WRITE with its data in the messages (MFP_IO_INLINE):
 * a WRITE sends @len bytes of @data; a READ's data lands in @data. */
static int raw_io_inline(struct raw *r, uint16_t op, uint64_t handle,
			 uint64_t off, uint64_t len, uint32_t flags, char *data)
{
	struct mfp_io_req *q = (struct mfp_io_req *)r->buf;
	const struct mfp_hdr *rep = (const struct mfp_hdr *)(r->buf + MFP_MSG_MAX);
	size_t extra = op == MFP_WRITE ? len : 0;
	int rc;

	memset(q, 0, sizeof(*q));
	q->handle = handle;
	q->offset = off;
	q->length = len;
	q->flags = flags;
	if (extra > MFP_MSG_MAX - sizeof(*q))
		extra = MFP_MSG_MAX - sizeof(*q);
	if (extra)
		memcpy(r->buf + sizeof(*q), data, extra);
	rc = raw_call(r, sizeof(*q) + extra, op);
	if (!rc && op == MFP_READ) {
		if (rep->length != sizeof(*rep) + len)
			return -EPROTO;
		memcpy(data, (const char *)rep + sizeof(*rep), len);
	}
	return rc;
}

static struct raw g_probe;
static int g_probeUp;

static int server_path(const char *id)
{
	struct mfp_obj_rep rep;
	struct mfp_handle_req *pq;

	if (!g_probeUp) {
		if (raw_connect(&g_probe) || raw_auth(&g_probe))
			return -1;
		g_probeUp = 1;
	}
	raw_get(&g_probe, id, SEC);
	if (raw_call(&g_probe, sizeof(struct mfp_obj_req), MFP_GET))
		return -1;
	memcpy(&rep, g_probe.buf + MFP_MSG_MAX, sizeof(rep));
	pq = (struct mfp_handle_req *)g_probe.buf;
	pq->handle = rep.handle;
	raw_call(&g_probe, sizeof(*pq), MFP_PUT);
	if (!!(rep.flags & MFP_OBJ_STAGED) == !!rep.rkey)
		return -1; /* exactly one of the two */
	return rep.rkey ? 1 : 0;
}

static void test_rkey(void)
{
	BmInfo pub = info(POOL, "pub", SEC), priv = info(POOL, "priv", SEC);
	struct raw r;
	struct mfp_obj_rep rep;
	char *data;
	int roDirect, rwDirect;

	BM_DestroyNSSec(POOL, NS, SEC);
	MFT_RET(BM_CreateNSSec(POOL, NS, 0, SEC), 0, "namespace");
	MFT_RET(BM_AllocSec(&pub, 4096, 0, NULL), 0, "alloc pub");
	MFT_RET(BM_WriteSec(&pub, 0, 8, "abcdefgh", 0), 0, "write pub");
	MFT_RET(BM_PublishSec(&pub, 0), 0, "publish pub");
	MFT_RET(BM_AllocSec(&priv, 4096, 0, NULL), 0, "alloc priv");

	if (raw_connect(&r)) {
		MFT_CHECK(0, "raw client connects");
		return;
	}
	MFT_RET(raw_auth(&r), 0, "raw client authenticates (HELLO, AUTH)");
	data = r.buf + 2 * MFP_MSG_MAX;
	raw_get(&r, "pub", "wrong-secret");
	MFT_RET(raw_call(&r, sizeof(struct mfp_obj_req), MFP_GET), -EACCES,
		"raw GET with a wrong secId: -EACCES, no rkey");
	MFT_CHECK(((struct mfp_obj_rep *)(r.buf + MFP_MSG_MAX))->rkey == 0,
		  "no rkey in a refused reply");
	raw_get(&r, "pub", SEC);
	MFT_RET(raw_call(&r, sizeof(struct mfp_obj_req), MFP_GET), 0,
		"raw GET of the published object");
	memcpy(&rep, r.buf + MFP_MSG_MAX, sizeof(rep));
	MFT_CHECK(rep.type == BM_TYPE_SHARED_RO, "raw GET: SHARED_RO");
	MFT_CHECK(!!(rep.flags & MFP_OBJ_STAGED) != !!rep.rkey,
		  "published object: an rkey or the staged flag, not both");
	roDirect = rep.rkey != 0;
	if (roDirect) {
		MFT_RET(raw_rdma(&r, 0, rep.addr, rep.rkey), IBV_WC_SUCCESS,
			"RDMA READ of a published object works");
		MFT_CHECK(!memcmp(r.buf, "abcdefgh", 8),
			  "RDMA READ returns its data");
		memcpy(r.buf, "XXXXXXXX", 8);
		MFT_RET(raw_rdma(&r, 1, rep.addr, rep.rkey),
			IBV_WC_REM_ACCESS_ERR,
			"RDMA WRITE to a published object: remote access error");
		/* The QP is in error now: a new connection for the rest. */
		rdma_disconnect(r.id);
		if (raw_connect(&r) || raw_auth(&r)) {
			MFT_CHECK(0, "raw client connects again");
			return;
		}
		data = r.buf + 2 * MFP_MSG_MAX;
		raw_get(&r, "pub", SEC);
		MFT_RET(raw_call(&r, sizeof(struct mfp_obj_req), MFP_GET), 0,
			"raw GET of the published object again");
		memcpy(&rep, r.buf + MFP_MSG_MAX, sizeof(rep));
	} else {
		MFT_CHECK(rep.addr == 0, "staged: no address either");
	}
	/* The staged path serves every handle, direct or not. */
	memset(data, 0, 8);
	MFT_RET(raw_io(&r, MFP_READ, rep.handle, 0, 8), 0,
		"staged READ of a published object");
	MFT_CHECK(!memcmp(data, "abcdefgh", 8),
		  "the staged READ brings its data");
	memcpy(data, "XXXXXXXX", 8);
	MFT_RET(raw_io(&r, MFP_WRITE, rep.handle, 0, 8), -EACCES,
		"staged WRITE to a published object: -EACCES");
	MFT_RET(raw_io(&r, MFP_READ, rep.handle, 4090, 8), -EINVAL,
		"staged READ beyond the object: -EINVAL");
	MFT_RET(raw_io(&r, MFP_READ, rep.handle, UINT64_MAX, 2), -EOVERFLOW,
		"staged READ with offset + length overflowing: -EOVERFLOW");
	MFT_RET(raw_io(&r, MFP_READ, rep.handle + 1000, 0, 8), -ENOENT,
		"staged READ of an unknown handle: -ENOENT");
	MFT_RET(raw_io(&r, MFP_READ, rep.handle, 0, (uint64_t)MFP_IO_MAX + 1),
		-EINVAL, "staged READ of more than MFP_IO_MAX: -EINVAL");
	/* Inline staged transfers (protocol 3). */
	{
		char in[16] = { 0 };

		MFT_RET(raw_io_inline(&r, MFP_READ, rep.handle, 2, 6,
				      MFP_IO_INLINE, in), 0,
			"inline staged READ of a published object");
		MFT_CHECK(!memcmp(in, "cdefgh", 6),
			  "the inline READ's reply carries its data");
		memcpy(in, "YYYYYYYY", 8);
		MFT_RET(raw_io_inline(&r, MFP_WRITE, rep.handle, 0, 8,
				      MFP_IO_INLINE, in), -EACCES,
			"inline staged WRITE to a published object: -EACCES");
		MFT_RET(raw_io_inline(&r, MFP_READ, rep.handle, 4090, 8,
				      MFP_IO_INLINE, in), -EINVAL,
			"inline staged READ beyond the object: -EINVAL");
		MFT_RET(raw_io_inline(&r, MFP_READ, rep.handle, 0, 8,
				      MFP_IO_INLINE | 0x80, in), -EINVAL,
			"staged READ with an unknown flag: -EINVAL");
		MFT_RET(raw_io_inline(&r, MFP_READ, rep.handle, 0,
				      MFP_IO_INLINE_MAX + 1, MFP_IO_INLINE,
				      in), -EINVAL,
			"inline staged READ of more than MFP_IO_INLINE_MAX: "
			"-EINVAL");
		MFT_RET(raw_io_inline(&r, MFP_READ, rep.handle + 1000, 0, 8,
				      MFP_IO_INLINE, in), -ENOENT,
			"inline staged READ of an unknown handle: -ENOENT");
	}
	char back[9] = { 0 };
	MFT_RET(BM_ReadSec(&pub, 0, 8, back, 0), 0, "read pub again");
	MFT_CHECK(!strcmp(back, "abcdefgh"), "the published object is unchanged");
	rdma_disconnect(r.id);

	/* A fresh connection: the other connection's rkey is worthless. */
	struct raw r2;
	if (raw_connect(&r2) || raw_auth(&r2)) {
		MFT_CHECK(0, "second raw client connects");
		return;
	}
	data = r2.buf + 2 * MFP_MSG_MAX;
	raw_get(&r2, "priv", SEC);
	MFT_RET(raw_call(&r2, sizeof(struct mfp_obj_req), MFP_GET), 0,
		"raw GET of a private object");
	struct mfp_obj_rep prep;
	memcpy(&prep, r2.buf + MFP_MSG_MAX, sizeof(prep));
	MFT_CHECK(!!(prep.flags & MFP_OBJ_STAGED) != !!prep.rkey,
		  "private object: an rkey or the staged flag, not both");
	rwDirect = prep.rkey != 0;
	MFT_CHECK(rwDirect, "private object: direct (the server registers "
		  "its LONGTERM mapping with remote write access)");
	if (rwDirect)
		MFT_RET(raw_rdma(&r2, 1, prep.addr, prep.rkey), IBV_WC_SUCCESS,
			"RDMA WRITE to a private object with its rkey works");
	memcpy(data, "staged!!", 8);
	MFT_RET(raw_io(&r2, MFP_WRITE, prep.handle, 100, 8), 0,
		"staged WRITE to a private object");
	memset(data, 0, 8);
	MFT_RET(raw_io(&r2, MFP_READ, prep.handle, 100, 8), 0,
		"staged READ of a private object");
	MFT_CHECK(!memcmp(data, "staged!!", 8), "the staged WRITE landed");
	memset(back, 0, sizeof(back));
	MFT_RET(BM_ReadSec(&priv, 100, 8, back, 0), 0, "read priv");
	MFT_CHECK(!strcmp(back, "staged!!"), "the library sees the staged WRITE");
	{
		char in[8];

		memcpy(in, "inline!!", 8);
		MFT_RET(raw_io_inline(&r2, MFP_WRITE, prep.handle, 200, 8,
				      MFP_IO_INLINE, in), 0,
			"inline staged WRITE to a private object");
		memset(back, 0, sizeof(back));
		MFT_RET(BM_ReadSec(&priv, 200, 8, back, 0), 0, "read priv");
		MFT_CHECK(!strcmp(back, "inline!!"),
			  "the library sees the inline WRITE");
		struct mfp_io_req *iq = (struct mfp_io_req *)r2.buf;

		memset(iq, 0, sizeof(*iq));
		iq->handle = prep.handle;
		iq->offset = 200;
		iq->length = 8;
		iq->flags = MFP_IO_INLINE;
		MFT_RET(raw_call(&r2, sizeof(*iq) + 4, MFP_WRITE), -EINVAL,
			"an inline WRITE carrying fewer bytes than its length: "
			"-EINVAL");
		MFT_RET(raw_io_inline(&r2, MFP_READ, prep.handle, 200, 8,
				      MFP_IO_INLINE, in), 0,
			"inline staged READ of a private object");
		MFT_CHECK(!memcmp(in, "inline!!", 8), "and it reads back");
	}
	struct mfp_handle_req *pq = (struct mfp_handle_req *)r2.buf;
	pq->handle = prep.handle;
	MFT_RET(raw_call(&r2, sizeof(*pq), MFP_PUT), 0, "raw PUT");
	MFT_RET(raw_io(&r2, MFP_READ, prep.handle, 0, 8), -ENOENT,
		"after PUT the handle is gone for staged READ (-ENOENT)");
	if (rwDirect)
		MFT_CHECK(raw_rdma(&r2, 0, prep.addr, prep.rkey) ==
				  IBV_WC_REM_ACCESS_ERR,
			  "after PUT the rkey is revoked (remote access error)");
	rdma_disconnect(r2.id);

	struct utsname u;
	uname(&u);
	printf("PATH: kernel %s: read-write objects %s, published objects %s\n",
	       u.release, rwDirect ? "direct" : "staged",
	       roDirect ? "direct" : "staged");

	MFT_RET(BM_FreeSec(&pub, 0), 0, "free pub");
	MFT_RET(BM_FreeSec(&priv, 0), 0, "free priv");
	MFT_RET(BM_DestroyNSSec(POOL, NS, SEC), 0, "destroy the namespace");
}

/* ---- which registrations the kernel accepts (no server) ----------------- */

static void probe_reg(struct ibv_pd *pd, const char *what, void *p, size_t len,
		      int access)
{
	struct ibv_mr *mr = ibv_reg_mr(pd, p, len, access);
	int e = errno;

	printf("INFO: regprobe: %-58s %s\n", what, mr ? "ok" : strerror(e));
	if (mr)
		ibv_dereg_mr(mr);
}

static void test_regprobe(void)
{
	const int rw = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
		       IBV_ACCESS_REMOTE_READ;
	const int ro = IBV_ACCESS_REMOTE_READ;
	struct ibv_device **dl;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	BmInfo big = info("pool0", "probe4m", SEC);
	BmInfo small = info("pool0", "probe12k", SEC);
	BmInfo pubo = info("pool0", "probepub", SEC);
	size_t n4 = 4u << 20, n12 = 3 * 4096;
	void *p = NULL, *q = NULL;
	int num = 0;
	char what[96];

	dl = ibv_get_device_list(&num);
	if (!dl || !num || !(ctx = ibv_open_device(dl[0])) ||
	    !(pd = ibv_alloc_pd(ctx))) {
		MFT_CHECK(0, "regprobe: an RDMA device");
		return;
	}
	BM_CreateNSSec("pool0", NS, 0, SEC);
	BM_FreeSec(&big, 0);
	BM_FreeSec(&small, 0);
	BM_FreeSec(&pubo, 0);
	MFT_RET(BM_AllocSec(&big, n4, 0, NULL), 0, "regprobe: alloc 4 MiB");
	MFT_RET(BM_AllocSec(&small, n12, 0, NULL), 0, "regprobe: alloc 12 KiB");
	MFT_RET(BM_AllocSec(&pubo, n4, 0, NULL), 0, "regprobe: alloc 4 MiB to publish");

	void *anon = malloc(n4);
	memset(anon, 1, n4);
	probe_reg(pd, "control: malloc buffer, read-write", anon, n4, rw);

	MFT_RET(BM_MapSec(&big, PROT_READ | PROT_WRITE, BM_MAP_SHARED, &p), 0,
		"regprobe: map 4 MiB rw shared");
	snprintf(what, sizeof(what), "4 MiB rw shared (at %p, %s), untouched",
		 p, ((uintptr_t)p & ((2u << 20) - 1)) ? "4 KiB-aligned" :
							  "2 MiB-aligned");
	probe_reg(pd, what, p, n4, rw);
	probe_reg(pd, "4 MiB rw shared, untouched, registered read-only", p, n4, ro);
	probe_reg(pd, "4 MiB rw shared, registered LOCAL_WRITE only", p, n4,
		  IBV_ACCESS_LOCAL_WRITE);
	memset(p, 2, n4);
	probe_reg(pd, "4 MiB rw shared, every page written first", p, n4, rw);
	probe_reg(pd, "4 MiB rw shared, written, registered read-only", p, n4, ro);
#ifdef MADV_POPULATE_WRITE
	snprintf(what, sizeof(what), "4 MiB rw shared, MADV_POPULATE_WRITE: %s",
		 madvise(p, n4, MADV_POPULATE_WRITE) ? strerror(errno) : "ok");
	probe_reg(pd, what, p, n4, rw);
#endif
	snprintf(what, sizeof(what), "4 MiB, mprotect(PROT_READ) (%s), read-only",
		 mprotect(p, n4, PROT_READ) ? strerror(errno) : "ok");
	probe_reg(pd, what, p, n4, ro);
	BM_Unmap(NULL, p);

	/* 4 KiB pages only: a mapping at a 2 MiB + 4 KiB address. */
	char *res = mmap(NULL, 8u << 20, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res != MAP_FAILED) {
		char *at = (char *)(((uintptr_t)res + (2u << 20) - 1) &
				    ~(uintptr_t)((2u << 20) - 1)) + 4096;
		munmap(res, 8u << 20);
		q = at;
		int rc = BM_MapSec(&big, PROT_READ | PROT_WRITE,
				   BM_MAP_SHARED | BM_MAP_FIXED, &q);
		if (!rc) {
			memset(q, 3, n4);
			snprintf(what, sizeof(what),
				 "4 MiB rw shared at %p (4 KiB PTEs), written", q);
			probe_reg(pd, what, q, n4, rw);
			BM_Unmap(NULL, q);
		} else {
			printf("INFO: regprobe: BM_MAP_FIXED at %p: %s\n", at,
			       BM_StrError(rc));
		}
	}
	MFT_RET(BM_MapSec(&small, PROT_READ | PROT_WRITE, BM_MAP_SHARED, &p), 0,
		"regprobe: map 12 KiB rw shared");
	memset(p, 4, n12);
	probe_reg(pd, "12 KiB object rw shared, written", p, n12, rw);
	BM_Unmap(NULL, p);
	MFT_RET(BM_MapSec(&small, PROT_READ | PROT_WRITE, BM_MAP_PRIVATE, &p), 0,
		"regprobe: map 12 KiB rw private");
	memset(p, 4, n12);
	probe_reg(pd, "12 KiB object rw private (copied on write), written", p,
		  n12, rw);
	BM_Unmap(NULL, p);

	/* What mfserverd uses: a long-term-pinnable mapping (ABI 1.4). */
	MFT_RET(BM_MapSec(&big, PROT_READ | PROT_WRITE,
			  BM_MAP_SHARED | BM_MAP_LONGTERM, &p), 0,
		"regprobe: map 4 MiB rw shared LONGTERM");
	{
		struct ibv_mr *mr = ibv_reg_mr(pd, p, n4, rw);

		printf("INFO: regprobe: %-58s %s\n",
		       "4 MiB rw shared LONGTERM, untouched",
		       mr ? "ok" : strerror(errno));
		MFT_CHECK(mr, "regprobe: a LONGTERM mapping registers with "
			  "remote write access");
		if (mr) {
			memset(p, 5, n4);
			ibv_dereg_mr(mr);
		}
	}
	BM_Unmap(NULL, p);

	MFT_RET(BM_PublishSec(&pubo, 0), 0, "regprobe: publish");
	MFT_RET(BM_MapSec(&pubo, PROT_READ, BM_MAP_SHARED, &p), 0,
		"regprobe: map the published object read-only");
	probe_reg(pd, "published 4 MiB ro shared, untouched, read-only", p, n4, ro);
	volatile char sum = 0;
	for (size_t i = 0; i < n4; i += 4096)
		sum += ((char *)p)[i];
	(void)sum;
	probe_reg(pd, "published 4 MiB ro shared, every page read, read-only",
		  p, n4, ro);
	BM_Unmap(NULL, p);

	BM_FreeSec(&big, 0);
	BM_FreeSec(&small, 0);
	BM_FreeSec(&pubo, 0);
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	ibv_free_device_list(dl);
	free(anon);
	MFT_RET(BM_DestroyNSSec("pool0", NS, SEC), 0,
		"regprobe: destroy the namespace");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "api";
	char name[64];

	snprintf(name, sizeof(name), "t_remote_%s", mode);
	mft_init(name);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (init()) {
		MFT_CHECK(0, "BM_InitWithExtAttr with remote nodes");
		return mft_done();
	}
	if (!strcmp(mode, "api"))
		test_api();
	else if (!strcmp(mode, "restart") && argc > 2)
		test_restart(argv[2]);
	else if (!strcmp(mode, "hammer"))
		test_hammer();
	else if (!strcmp(mode, "afterkill"))
		test_afterkill();
	else if (!strcmp(mode, "rkey"))
		test_rkey();
	else if (!strcmp(mode, "regprobe"))
		test_regprobe();
	else if (!strcmp(mode, "noauth"))
		test_noauth();
	else if (!strcmp(mode, "wrongkey"))
		test_wrongkey();
	else
		MFT_CHECK(0, "known mode");
	MFT_RET(BM_Exit(), 0, "BM_Exit");
	return mft_done();
}
