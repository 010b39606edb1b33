// SPDX-License-Identifier: GPL-2.0
/*
 * t_mfadm_scale - `mfadm obj list` with 100,000 objects: they are made
 * with MF_IOC_OBJ_ALLOC in a RAM pool of their own (1 byte each, one
 * 4 KiB unit), and the generic netlink dump behind `mfadm obj list` must
 * return every one of them, once, in order, with its size and refcount;
 * the --pool/--ns filter and the single-object show agree.  Then the
 * namespace is destroyed with MF_NS_FORCE (all freed at once) and the
 * pool detached; counters and pool0 come back as they were.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#include <limits.h>
#include <time.h>

#define NOBJ		100000
#define SCALE_POOL	"t_scale"
#define SCALE_NS	"scale"
#define SECID		"scale-secret"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The directory of this program's source tree, for build/tools/mfadm. */
static void mfadm_path(const char *argv0, char *out, size_t len)
{
	char self[PATH_MAX], *p;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)argv0;
	if (n <= 0) {
		snprintf(out, len, "mfadm");
		return;
	}
	self[n] = '\0';
	/* .../build/tests/guest/t_mfadm_scale -> .../build/tools/mfadm */
	for (int i = 0; i < 3 && (p = strrchr(self, '/')); i++)
		*p = '\0';
	snprintf(out, len, "%s/tools/mfadm", self);
}

int main(int argc, char **argv)
{
	char mfadm[PATH_MAX + 32], cmd[2 * PATH_MAX + 256], id[MF_OBJ_ID_LEN];
	const char *out = "/tmp/t_mfadm_scale.json";
	struct mf_obj_alloc a;
	struct mf_ns_destroy d;
	struct mfo_snap before;
	int fd, fails = 0, rc;
	double t0;

	mft_init(argc > 0 ? argv[0] : "t_mfadm_scale");
	mfadm_path(argv[0], mfadm, sizeof(mfadm));
	fd = mfp_open();
	mfo_setup_pool(fd);
	mfo_snapshot(&before);

	MFT_OK(mfp_attach_ram(fd, SCALE_POOL, 512ULL << 20),
	       "attach a 512 MiB RAM pool");
	MFT_OK(mfo_ns_create(fd, SCALE_POOL, SCALE_NS, SECID, 0, 0),
	       "create the namespace");
	t0 = now();
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	mfo_name(&a.name, SCALE_POOL, SCALE_NS, SECID, NULL);
	a.bytes = 1;
	for (int i = 0; i < NOBJ; i++) {
		memset(a.name.id, 0, sizeof(a.name.id));
		snprintf(a.name.id, sizeof(a.name.id), "s%06d", i);
		a.map_offset = 0;
		a.type = 0;
		if (ioctl(fd, MF_IOC_OBJ_ALLOC, &a))
			fails++;
	}
	MFT_CHECK(!fails, "allocate 100000 objects");
	printf("# 100000 allocations: %.1f s\n", now() - t0);
	/* Their handles go with the file: the objects stay, unreferenced. */
	close(fd);
	fd = mfp_open();

	t0 = now();
	snprintf(cmd, sizeof(cmd), "%s obj list --pool %s > %s", mfadm,
		 SCALE_POOL, out);
	rc = system(cmd);
	MFT_CHECK(rc == 0, "mfadm obj list --pool exits 0");
	printf("# mfadm obj list of 100000 objects: %.1f s\n", now() - t0);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c '\n"
		 "import json, sys\n"
		 "d = json.load(open(sys.argv[1]))\n"
		 "ids = [x[\"id\"] for x in d]\n"
		 "want = [\"s%%06d\" %% i for i in range(%d)]\n"
		 "ok = ids == want and all(x[\"size\"] == 1 and x[\"refcount\"] == 0 and\n"
		 "    x[\"pool\"] == \"%s\" and x[\"ns\"] == \"%s\" and\n"
		 "    x[\"type\"] == \"private-rw\" and x[\"extents\"] == 1 for x in d)\n"
		 "sys.exit(0 if ok else 1)' %s",
		 NOBJ, SCALE_POOL, SCALE_NS, out);
	MFT_CHECK(system(cmd) == 0,
		  "it lists all 100000 objects, each once, in order, size 1, unreferenced");

	snprintf(cmd, sizeof(cmd),
		 "%s obj list --pool %s --ns %s | python3 -c 'import json,sys; sys.exit(len(json.load(sys.stdin)) != %d)'",
		 mfadm, SCALE_POOL, SCALE_NS, NOBJ);
	MFT_CHECK(system(cmd) == 0, "with --ns as well: 100000 objects");
	snprintf(cmd, sizeof(cmd),
		 "%s obj list | python3 -c 'import json,sys; sys.exit(len([x for x in json.load(sys.stdin) if x[\"pool\"] == \"%s\"]) != %d)'",
		 mfadm, SCALE_POOL, NOBJ);
	MFT_CHECK(system(cmd) == 0, "and in the list of every pool");
	snprintf(id, sizeof(id), "s%06d", NOBJ - 1);
	snprintf(cmd, sizeof(cmd),
		 "%s obj show %s %s %s | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)[\"id\"] != \"%s\")'",
		 mfadm, SCALE_POOL, SCALE_NS, id, id);
	MFT_CHECK(system(cmd) == 0, "obj show finds the last one");
	unlink(out);

	t0 = now();
	MFT_OK(mfo_ns_destroy(fd, SCALE_POOL, SCALE_NS, SECID, MF_NS_FORCE, &d),
	       "destroy the namespace with MF_NS_FORCE");
	MFT_CHECK(d.freed == NOBJ && d.deferred == 0,
		  "all 100000 objects freed at once");
	printf("# destroy: %.1f s\n", now() - t0);
	MFT_OK(mfp_detach(fd, SCALE_POOL), "detach the RAM pool");
	mfo_check_snapshot(&before, "end");
	mfo_teardown_pool(fd);
	close(fd);
	return mft_done();
}
