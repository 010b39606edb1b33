// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_publish - MF_IOC_OBJ_PUBLISH and the reclaim rule of Documentation/objects.md.
 * Publishing turns a private object shared and read-only, once, by its
 * owner or CAP_SYS_ADMIN; anyone with the secId may then get and read it,
 * nobody may write it.  A published object nothing references is
 * reclaimed once it is older than its namespace's TTL (0: never); private
 * and referenced objects never are.  The scan interval is the module
 * parameter reclaim_interval_ms.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_pub"
#define SECID	"pub-secret"
#define PARAM	"/sys/module/memfabric/parameters/reclaim_interval_ms"

static int fd;

static int write_param(const char *val)
{
	int pfd = open(PARAM, O_WRONLY);
	ssize_t n;

	if (pfd < 0)
		return -1;
	n = write(pfd, val, strlen(val));
	close(pfd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* As nobody: get and read the published object; write, free: refused. */
static int nobody_shared(int fd_, void *arg)
{
	struct mf_obj_get g;
	char buf[5] = "";
	uint64_t mo;

	(void)arg;
	if (mfo_get(fd_, NS, SECID, "pub1", &mo, &g) ||
	    g.type != MF_OBJ_SHARED_RO)
		return 1;
	if (mfo_read(fd_, mo, 0, 5, buf) || memcmp(buf, "hello", 5))
		return 2;
	if (!mfo_write(fd_, mo, 0, 1, "x") || errno != EACCES)
		return 3;
	if (!mfo_free(fd_, NS, SECID, "pub1") || errno != EPERM)
		return 4;
	if (!mfo_get(fd_, NS, "wrong", "pub1", NULL, NULL) || errno != EACCES)
		return 5;
	if (mfo_put(fd_, mo))
		return 6;
	if (!mfo_publish(fd_, NS, SECID, "priv1") || errno != EPERM)
		return 7;
	return 0;
}

static void test_publish(void)
{
	struct mf_obj_stat st;
	struct mf_obj_free f;
	struct mf_obj_get g;
	uint64_t mo, mo2;
	char buf[5] = "";
	int rc;

	MFT_OK(mfo_alloc(fd, NS, SECID, "pub1", 8192, &mo, NULL),
	       "allocate pub1");
	MFT_OK(mfo_write(fd, mo, 0, 5, "hello"), "write it");
	MFT_OK(mfo_alloc(fd, NS, SECID, "priv1", 100, &mo2, NULL),
	       "allocate priv1");
	MFT_OK(mfo_publish(fd, NS, SECID, "pub1"), "its owner publishes pub1");
	MFT_CHECK(!mfo_stat_obj(fd, mo, &st) && st.type == MF_OBJ_SHARED_RO,
		  "it is SHARED_RO");
	MFT_CHECK(!mfo_get(fd, NS, SECID, "pub1", NULL, &g) &&
		  g.type == MF_OBJ_SHARED_RO, "GET says so too");
	MFT_OK(mfo_put(fd, mo), "put that GET");
	MFT_ERRNO(mfo_write(fd, mo, 0, 1, "x"), EACCES,
		  "even its owner cannot write it");
	MFT_ERRNO(mfo_expand(fd, mo, 1 << 20), EACCES,
		  "nor grow it");
	MFT_CHECK(!mfo_read(fd, mo, 0, 5, buf) && !memcmp(buf, "hello", 5),
		  "it reads as it was");
	MFT_ERRNO(mfo_publish(fd, NS, SECID, "pub1"), EALREADY,
		  "publishing again is EALREADY");
	rc = mfo_as_nobody(fd, nobody_shared, NULL);
	mft_report(rc == 0, "nobody may get and read it, not write or free it, nor publish another's object",
		   "step %d failed", rc);
	MFT_ERRNO(mfo_publish(fd, NS, SECID, "nope"), ENOENT,
		  "publishing an unknown id is ENOENT");
	MFT_ERRNO(mfo_publish(fd, NS, "wrong", "priv1"), EACCES,
		  "publishing with a wrong secId is EACCES");
	MFT_CHECK(!mfo_stat_obj(fd, mo2, &st) && st.type == MF_OBJ_PRIVATE_RW,
		  "priv1 is still private");
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	mfo_name(&f.name, mfo_pool, NS, SECID, "nope");
	mfp_abi_checks(fd, MF_IOC_OBJ_PUBLISH, "OBJ_PUBLISH", &f, sizeof(f), 0,
		       offsetof(struct mf_obj_free, reserved), 8, 0);

	MFT_OK(mfo_free(fd, NS, SECID, "pub1"), "its owner frees pub1");
	MFT_OK(mfo_free(fd, NS, SECID, "priv1"), "and priv1");
	MFT_OK(mfo_put(fd, mo), "put pub1");
	MFT_OK(mfo_put(fd, mo2), "put priv1");
}

/* Wait up to @secs for object @id of @ns to be gone; 1 if it went. */
static int wait_gone(const char *ns, const char *id, int secs)
{
	uint64_t mo;
	int i;

	for (i = 0; i < secs * 10; i++) {
		if (mfo_get(fd, ns, SECID, id, &mo, NULL))
			return errno == ENOENT;
		mfo_put(fd, mo);
		usleep(100000);
	}
	return 0;
}

static void test_ttl(void)
{
	long long reclaimed0 = mfo_stat("reclaimed");
	unsigned long long free0;
	struct mf_obj_stat st;
	uint64_t mo, mo2, mo3;

	MFT_ERRNO(write_param("5"), EINVAL,
		  "reclaim_interval_ms below 10 is EINVAL");
	MFT_OK(write_param("50"), "scan every 50 ms");
	MFT_OK(mfo_ns_create(fd, mfo_pool, "t_pub.ttl", SECID, 1, 0),
	       "a namespace with a TTL of 1 s");
	MFT_OK(mfo_ns_create(fd, mfo_pool, "t_pub.forever", SECID, 0, 0),
	       "a namespace with no TTL");
	free0 = mfp_sysfs_u64(mfo_pool, "free");

	MFT_OK(mfo_alloc(fd, "t_pub.ttl", SECID, "short", 1 << 20, &mo, NULL),
	       "allocate short");
	MFT_OK(mfo_alloc(fd, "t_pub.ttl", SECID, "held", 4096, &mo2, NULL),
	       "allocate held");
	MFT_OK(mfo_alloc(fd, "t_pub.ttl", SECID, "private", 4096, &mo3, NULL),
	       "allocate private");
	MFT_OK(mfo_put(fd, mo3), "put private: unreferenced, never published");
	MFT_OK(mfo_publish(fd, "t_pub.ttl", SECID, "short"), "publish short");
	MFT_OK(mfo_publish(fd, "t_pub.ttl", SECID, "held"), "publish held");
	MFT_OK(mfo_put(fd, mo), "put short: unreferenced");
	MFT_CHECK(wait_gone("t_pub.ttl", "short", 5),
		  "short is reclaimed once older than the TTL");
	MFT_CHECK(mfo_stat("reclaimed") == reclaimed0 + 1,
		  "stats/reclaimed counts it");
	usleep(1500000);
	MFT_CHECK(!mfo_stat_obj(fd, mo2, &st) && st.age >= 1 &&
		  !(st.obj_flags & MF_OBJ_STAT_FREED),
		  "held, older than the TTL but referenced, stays");
	MFT_OK(mfo_get(fd, "t_pub.ttl", SECID, "private", &mo3, NULL),
	       "private, old and unreferenced, stays");
	MFT_OK(mfo_put(fd, mo3), "put it again");
	MFT_OK(mfo_put(fd, mo2), "put held");
	MFT_CHECK(wait_gone("t_pub.ttl", "held", 5),
		  "held is reclaimed once unreferenced");

	MFT_OK(mfo_alloc(fd, "t_pub.forever", SECID, "kept", 4096, &mo, NULL),
	       "allocate kept in the namespace without TTL");
	MFT_OK(mfo_publish(fd, "t_pub.forever", SECID, "kept"), "publish it");
	MFT_OK(mfo_put(fd, mo), "put it");
	usleep(1500000);
	MFT_OK(mfo_get(fd, "t_pub.forever", SECID, "kept", &mo, NULL),
	       "a TTL of 0 keeps it");
	MFT_OK(mfo_put(fd, mo), "put it again");

	MFT_OK(mfo_free(fd, "t_pub.ttl", SECID, "private"), "free private");
	MFT_OK(mfo_free(fd, "t_pub.forever", SECID, "kept"), "free kept");
	MFT_CHECK(mfp_sysfs_u64(mfo_pool, "free") == free0,
		  "every byte is back");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, "t_pub.ttl", SECID, 0, NULL),
	       "destroy t_pub.ttl");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, "t_pub.forever", SECID, 0, NULL),
	       "destroy t_pub.forever");
	MFT_OK(write_param("1000"), "back to the default interval");
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;

	(void)argc;
	fd = mfo_begin(argv[0], NS, SECID, &snap);

	test_publish();
	test_ttl();

	return mfo_end(fd, NS, SECID, &snap, "after t_obj_publish");
}
