// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_unref_ns - issue 15, defect 6: a thread that drops a reference on
 * an object keeps the object's namespace alive until it is done with the
 * namespace's lock.
 *
 * mf_obj_unref_n() locks the namespace, lowers the object's count and
 * unlocks.  Once the count is down another thread can drop the last
 * reference, destroy the object and, for a namespace that was destroyed
 * meanwhile (it lives only as long as its objects), free the namespace:
 * while the first thread may still be inside mutex_unlock(), which can
 * touch the lock after it let it go (Documentation/locking/
 * mutex-design.rst).  The fix holds a namespace reference across the
 * unlock.
 *
 * The window is a few instructions inside mutex_unlock(), so the test
 * widens it with the module's unref_unlock delay point (mf_inject.c): a
 * thread that passes it counts as still unlocking the namespace, and
 * freeing a namespace while one does is a kernel WARNING ("freed while a
 * thread is still unlocking it") instead of a silent use-after-free.
 *
 *   1. namespace N with object O; two open files hold a handle each;
 *   2. O is freed (hidden, kept by the handles) and N is destroyed (kept
 *      by O);
 *   3. thread A closes the first file: its unref sleeps after the unlock;
 *   4. the main thread puts the second handle: the last reference, so O
 *      is destroyed and N's last object goes;
 *   5. no WARNING, the counters of objects and namespaces come back to
 *      what they were, and a new N with the same name works.
 * Exits 77 when the module has no delay points.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/klog.h>
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_unref_ns"
#define NS2	"t_unref_ns_dying"
#define SECID	"unref-ns-secret"
#define INJECT	"/sys/module/memfabric/parameters/inject"
#define HITS	"/sys/module/memfabric/parameters/inject_hits"
#define WARNED	"freed while a thread is still unlocking it"

static int fd1;

static void disarm(void)
{
	mfo_file_write(INJECT, "off");
}

static void *closer(void *arg)
{
	(void)arg;
	close(fd1);
	return NULL;
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;
	long long objs0, ns0;
	uint64_t mo1, mo2;
	int fd, i, warn0;
	pthread_t t;

	(void)argc;
	if (access(INJECT, F_OK)) {
		mft_init(argv[0]);
		printf("SKIP: this memfabric.ko has no delay points (%s)\n", INJECT);
		return 77;
	}
	fd = mfo_begin(argv[0], NS, SECID, &snap);
	atexit(disarm);
	fd1 = mfp_open();
	objs0 = mfo_stat("objects");
	ns0 = mfo_stat("namespaces");
	warn0 = mfo_klog_count(WARNED);

	MFT_OK(mfo_ns_create(fd, mfo_pool, NS2, SECID, 0, 0), "namespace N");
	MFT_OK(mfo_alloc(fd1, NS2, SECID, "o", 4096, &mo1, NULL),
	       "object O, a handle in the first file");
	MFT_OK(mfo_get(fd, NS2, SECID, "o", &mo2, NULL),
	       "a handle in the second file");
	MFT_RET(mfo_refs(fd, mo2), 2, "O has 2 references");
	MFT_OK(mfo_free(fd, NS2, SECID, "o"), "free O: hidden, kept by the handles");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, NS2, SECID, 0, NULL),
	       "destroy N: it lives as long as O");
	MFT_RET(mfo_stat("namespaces"), ns0 + 1, "N is still there");

	MFT_OK(mfo_file_write(INJECT, "unref_unlock 1500"),
	       "arm the delay point after the namespace unlock");
	MFT_OK(pthread_create(&t, NULL, closer, NULL),
	       "thread A closes the first file");
	for (i = 0; i < 1000 && mfo_file_long(HITS) < 1; i++)
		usleep(10000);
	MFT_CHECK(mfo_file_long(HITS) >= 1, "A is past the unlock, inside the window");
	MFT_OK(mfo_put(fd, mo2), "put the last reference: O and N's last object go");
	pthread_join(t, NULL);
	disarm();

	mft_report(mfo_klog_count(WARNED) == warn0,
		   "nobody freed N while A was still unlocking it",
		   "the kernel log says \"%s\"", WARNED);
	MFT_RET(mfo_stat("objects"), objs0, "O is gone");
	MFT_RET(mfo_stat("namespaces"), ns0, "N is gone");
	MFT_OK(mfo_ns_create(fd, mfo_pool, NS2, SECID, 0, 0),
	       "a new namespace of the same name");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, NS2, SECID, 0, NULL), "destroy it");
	return mfo_end(fd, NS, SECID, &snap, "after t_obj_unref_ns");
}
