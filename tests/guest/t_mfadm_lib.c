// SPDX-License-Identifier: GPL-2.0
/*
 * t_mfadm_lib - libmemfabric's administration part (<memfabric/admin.h>),
 * which mfadm uses: a context, a RAM pool attached, listed, checked and
 * detached, raw extents, a namespace, the netlink object listing, argument
 * checks, and many threads listing through one context.  Runs as root in
 * a guest with memfabric.ko loaded.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"

#include <pthread.h>

#define POOL	"t_adm"
#define NS	"t_adm.ns"
#define SECID	"t_adm.secid"

static struct mf_admin *ctx;

static int count_obj(const struct mf_admin_obj_info *obj, void *arg)
{
	(void)obj;
	++*(int *)arg;
	return 0;
}

static int stop_at_first(const struct mf_admin_obj_info *obj, void *arg)
{
	(void)obj;
	(void)arg;
	return 42;
}

/* Each thread lists the pools 200 times; how often POOL was missing. */
static void *lister(void *arg)
{
	long bad = 0;

	(void)arg;
	for (int i = 0; i < 200; i++) {
		struct mf_admin_pool_info *p;
		int n = mf_admin_pool_list(ctx, &p), found = 0;

		for (int j = 0; j < n; j++)
			found |= !strcmp(p[j].name, POOL);
		bad += n < 1 || !found;
		free(p);
	}
	return (void *)bad;
}

int main(int argc, char **argv)
{
	struct mf_admin_pool_spec spec = { .backend = MF_ADMIN_BACKEND_RAM,
					   .bytes = 16 << 20 };
	struct mf_admin_module_info v;
	struct mf_admin_pool_info info, *pools;
	struct mf_admin_check_result chk;
	struct mf_admin_extent *ext;
	struct mf_admin_ns_info *nss;
	struct mf_admin *fdctx;
	uint64_t off = 0, len = 0, tag = 0, freed = 9, deferred = 9;
	char longname[80];
	pthread_t t[4];
	long bad = 0;
	int n, objs = 0, fd;

	mft_init(argc > 0 ? argv[0] : "t_mfadm_lib");
	MFT_RET(mf_admin_new(NULL, &ctx), 0, "mf_admin_new: the default device");
	if (!ctx)
		return mft_done();
	MFT_RET(mf_admin_version(ctx, &v), 0, "mf_admin_version");
	MFT_CHECK(v.abi_major == MF_ABI_MAJOR && (v.features & MF_FEAT_POOLS),
		  "the version is the module's");
	fd = mfp_open();
	MFT_RET(mf_admin_new_fd(fd, &fdctx), 0, "mf_admin_new_fd");
	mf_admin_free(fdctx);
	MFT_CHECK(fcntl(fd, F_GETFD) >= 0, "mf_admin_free keeps the caller's fd");
	MFT_RET(mf_admin_new_fd(-1, &fdctx), -EINVAL, "mf_admin_new_fd(-1): EINVAL");
	MFT_RET(mf_admin_new("/nonexistent/mf.conf", &fdctx), -ENOENT,
		"mf_admin_new: a missing config file is ENOENT");

	/* A RAM pool. */
	strcpy(spec.name, POOL);
	MFT_RET(mf_admin_pool_attach(ctx, &spec), 0, "mf_admin_pool_attach: RAM");
	MFT_CHECK(spec.capacity == 16 << 20 && spec.unit_shift ==
		  MF_POOL_UNIT_SHIFT_DEFAULT, "attach fills capacity and unit");
	MFT_RET(mf_admin_pool_attach(ctx, &spec), -EEXIST, "again: EEXIST");
	MFT_RET(mf_admin_pool_get(ctx, POOL, &info), 0, "mf_admin_pool_get");
	MFT_CHECK(info.backend == MF_ADMIN_BACKEND_RAM &&
		  info.capacity == 16 << 20 && !memcmp(info.uuid, spec.uuid, 16),
		  "its entry is the pool attached");
	n = mf_admin_pool_list(ctx, &pools);
	MFT_CHECK(n >= 1 && !strcmp(pools[n - 1].name, POOL),
		  "mf_admin_pool_list: the newest pool is last");
	free(pools);
	MFT_RET(mf_admin_pool_get(ctx, "t_adm.none", &info), -ENOENT,
		"mf_admin_pool_get of an unknown pool: ENOENT");
	MFT_RET(mf_admin_pool_check(ctx, POOL, &chk), 0, "mf_admin_pool_check");
	MFT_CHECK(chk.errors == 0 && !chk.what[0], "the new pool is sound");

	/* Raw extents. */
	MFT_RET(mf_admin_extent_alloc(ctx, POOL, 3 * 4096, 77, &off), 0,
		"mf_admin_extent_alloc");
	n = mf_admin_extent_list(ctx, POOL, &ext);
	MFT_CHECK(n == 1 && ext[0].offset == off && ext[0].len == 3 * 4096 &&
		  ext[0].tag == 77, "mf_admin_extent_list: the extent");
	free(ext);
	MFT_RET(mf_admin_extent_free(ctx, POOL, off, &len, &tag), 0,
		"mf_admin_extent_free");
	MFT_CHECK(len == 3 * 4096 && tag == 77, "free reports length and tag");
	MFT_RET(mf_admin_extent_list(ctx, POOL, &ext), 0, "no extents are left");
	free(ext);

	/* A namespace; its (empty) object listing over netlink. */
	MFT_RET(mf_admin_ns_create(ctx, POOL, NS, SECID, 30, 5), 0,
		"mf_admin_ns_create");
	n = mf_admin_ns_list(ctx, POOL, &nss);
	MFT_CHECK(n == 1 && !strcmp(nss[0].name, NS) && nss[0].ttl == 30 &&
		  nss[0].attr == 5, "mf_admin_ns_list: the namespace");
	free(nss);
	MFT_RET(mf_admin_ns_list(ctx, "t_adm.none", &nss), -ENOENT,
		"mf_admin_ns_list of an unknown pool: ENOENT");
	MFT_RET(mf_admin_obj_list(POOL, NS, count_obj, &objs), 0,
		"mf_admin_obj_list of an empty namespace: 0 objects");
	MFT_RET(mf_admin_obj_list("t_adm.none", NULL, count_obj, &objs),
		-ENOENT, "mf_admin_obj_list of an unknown pool: ENOENT");
	n = mf_admin_obj_list(NULL, NULL, stop_at_first, NULL);
	MFT_CHECK(n == 0 || n == 42, "a callback's non-zero return stops the listing");
	MFT_RET(mf_admin_obj_free(ctx, POOL, NS, SECID, "none"), -ENOENT,
		"mf_admin_obj_free of an unknown object: ENOENT");
	MFT_RET(mf_admin_ns_destroy(ctx, POOL, NS, "wrong", 0, NULL, NULL),
		-EACCES, "mf_admin_ns_destroy with a wrong secId: EACCES");
	MFT_RET(mf_admin_ns_destroy(ctx, POOL, NS, SECID, 0, &freed, &deferred),
		0, "mf_admin_ns_destroy");
	MFT_CHECK(freed == 0 && deferred == 0, "nothing was freed");

	/* Arguments the library refuses before the kernel sees them. */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	MFT_RET(mf_admin_pool_detach(ctx, longname), -EINVAL,
		"a pool name too long for its field: EINVAL");
	MFT_RET(mf_admin_pool_detach(ctx, NULL), -EINVAL, "a NULL name: EINVAL");
	MFT_RET(mf_admin_pool_list(ctx, NULL), -EINVAL, "a NULL out: EINVAL");
	MFT_RET(mf_admin_obj_list(NULL, NULL, NULL, NULL), -EINVAL,
		"mf_admin_obj_list without a callback: EINVAL");

	/* One context, many threads. */
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, lister, NULL);
	for (int i = 0; i < 4; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	MFT_CHECK(bad == 0, "4 threads list the pools through one context");

	MFT_RET(mf_admin_pool_detach(ctx, POOL), 0, "mf_admin_pool_detach");
	MFT_RET(mf_admin_pool_detach(ctx, POOL), -ENOENT, "again: ENOENT");
	mf_admin_free(ctx);
	close(fd);
	return mft_done();
}
