// SPDX-License-Identifier: GPL-2.0
/*
 * t_obj_refs - references and lifetime.  Handles of several open files,
 * sharing through fork and exec, references dropped when a file is closed
 * or its process killed with SIGKILL, a freed object's memory returning
 * with its last reference, concurrent users, and pools: a pool with a
 * referenced object (or a volatile pool with any object) cannot be
 * detached; a persistent pool's unreferenced objects survive a detach and
 * come back at the next attach.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

#define NS	"t_refs"
#define SECID	"refs-secret"

static int fd;
static const char *self;

/*
 * The exec'ed child: argv = self "child" FD MAP_OFFSET LEN.  Reads the
 * object through the inherited descriptor, then by name through its own;
 * exits 0 if both read the pattern.
 */
static int exec_child(char **argv)
{
	int cfd = atoi(argv[2]), own;
	uint64_t mo = strtoull(argv[3], NULL, 0), mo2;
	size_t len = strtoul(argv[4], NULL, 0);
	char *buf = malloc(len);

	if (mfo_read(cfd, mo, 0, len, buf) || !mfo_check_pattern(buf, len, 9, 0))
		return 1;
	own = open(MFP_DEV, O_RDWR);
	if (own < 0 || mfo_get(own, NS, SECID, "shared", &mo2, NULL))
		return 2;
	memset(buf, 0, len);
	if (mfo_read(own, mo2, 0, len, buf) ||
	    !mfo_check_pattern(buf, len, 9, 0))
		return 3;
	/* Exit without putting: closing the descriptor drops the handle. */
	return 0;
}

static void test_files(void)
{
	long long handles0 = mfo_stat("handles");
	uint64_t mo, mo2, mo3;
	int fd2;

	MFT_OK(mfo_alloc(fd, NS, SECID, "a", 4096, &mo, NULL), "allocate a");
	fd2 = mfp_open();
	MFT_OK(mfo_get(fd2, NS, SECID, "a", &mo2, NULL), "a second file GETs a");
	MFT_OK(mfo_get(fd2, NS, SECID, "a", &mo3, NULL), "twice");
	MFT_CHECK(mo2 == mo && mo3 == mo, "the same map offset everywhere");
	MFT_CHECK(mfo_refs(fd, mo) == 3, "three references");
	MFT_CHECK(mfo_stat("handles") == handles0 + 3, "stats/handles counts 3");
	MFT_OK(mfo_put(fd, mo), "the first file puts its handle");
	MFT_ERRNO(mfo_put(fd, mo), ENOENT,
		  "it has no other: a second put is ENOENT");
	MFT_CHECK(mfo_refs(fd2, mo) == 2, "the other file still has 2");
	close(fd2);
	MFT_CHECK(mfo_stat("handles") == handles0,
		  "closing it drops its handles");
	MFT_OK(mfo_get(fd, NS, SECID, "a", &mo, NULL), "a is still there");
	MFT_CHECK(mfo_refs(fd, mo) == 1, "with one reference");
	MFT_OK(mfo_free(fd, NS, SECID, "a"), "free a");
	MFT_OK(mfo_put(fd, mo), "put a");
}

static void test_fork_exec(void)
{
	char *buf = malloc(100000), fdstr[16], mostr[32], lenstr[16];
	int status, rc;
	uint64_t mo;
	pid_t pid;
	int xfd;

	MFT_OK(mfo_alloc(fd, NS, SECID, "shared", 100000, &mo, NULL),
	       "allocate shared");
	mfo_pattern(buf, 100000, 9, 0);
	MFT_OK(mfo_write(fd, mo, 0, 100000, buf), "fill it");

	pid = fork();
	if (pid == 0) {
		char b[100000];

		if (mfo_read(fd, mo, 0, sizeof(b), b) ||
		    !mfo_check_pattern(b, sizeof(b), 9, 0))
			_exit(1);
		if (mfo_write(fd, mo, 0, 3, "kid"))
			_exit(2);
		if (mfo_get(fd, NS, SECID, "shared", NULL, NULL))
			_exit(3);
		_exit(0);
	}
	rc = waitpid(pid, &status, 0) == pid && WIFEXITED(status) ?
	     WEXITSTATUS(status) : -1;
	mft_report(rc == 0, "a forked child uses the parent's handle", "rc %d", rc);
	MFT_CHECK(!mfo_read(fd, mo, 0, 3, buf) && !memcmp(buf, "kid", 3),
		  "the parent sees the child's write");
	MFT_CHECK(mfo_refs(fd, mo) == 2,
		  "the child's GET went into the shared file's table");
	MFT_OK(mfo_put(fd, mo), "put the child's GET");
	mfo_pattern(buf, 3, 9, 0);
	MFT_OK(mfo_write(fd, mo, 0, 3, buf), "restore the pattern");

	/* exec: a descriptor without FD_CLOEXEC survives it. */
	xfd = open(MFP_DEV, O_RDWR);
	MFT_OK(mfo_get(xfd, NS, SECID, "shared", &mo, NULL),
	       "a descriptor for exec GETs shared");
	snprintf(fdstr, sizeof(fdstr), "%d", xfd);
	snprintf(mostr, sizeof(mostr), "%#llx", (unsigned long long)mo);
	snprintf(lenstr, sizeof(lenstr), "%d", 100000);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "child", fdstr, mostr, lenstr, (char *)NULL);
		_exit(127);
	}
	rc = waitpid(pid, &status, 0) == pid && WIFEXITED(status) ?
	     WEXITSTATUS(status) : -1;
	mft_report(rc == 0, "an exec'ed program uses the inherited handle and GETs its own",
		   "rc %d", rc);
	MFT_CHECK(mfo_refs(fd, mo) == 2,
		  "the exec'ed program's own file was closed at its exit");
	close(xfd);
	MFT_CHECK(mfo_refs(fd, mo) == 1, "closing ours leaves one reference");
	free(buf);
}

static void test_kill(void)
{
	unsigned long long free0 = mfp_sysfs_u64(mfo_pool, "free");
	long long handles0 = mfo_stat("handles");
	int pfd[2], status;
	uint64_t mo, mo2;
	char c;
	pid_t pid;

	MFT_OK(mfo_get(fd, NS, SECID, "shared", &mo, NULL), "GET shared");
	MFT_OK(mfo_put(fd, mo), "and put it");
	MFT_OK(mfo_alloc(fd, NS, SECID, "doomed", 1 << 20, &mo2, NULL),
	       "allocate doomed");
	MFT_CHECK(pipe(pfd) == 0, "a pipe");
	pid = fork();
	if (pid == 0) {
		int own = open(MFP_DEV, O_RDWR);
		int i;

		close(fd);
		for (i = 0; i < 3; i++)
			if (mfo_get(own, NS, SECID, "shared", NULL, NULL))
				_exit(1);
		if (mfo_get(own, NS, SECID, "doomed", NULL, NULL))
			_exit(2);
		if (write(pfd[1], "r", 1) != 1)
			_exit(3);
		pause();
		_exit(4);
	}
	MFT_CHECK(read(pfd[0], &c, 1) == 1 && c == 'r', "the child took its references");
	MFT_CHECK(mfo_refs(fd, mo) == 4, "shared has 4 references");
	MFT_CHECK(mfo_stat("handles") == handles0 + 5,
		  "stats/handles counts them (and ours on doomed)");
	MFT_OK(mfo_free(fd, NS, SECID, "doomed"), "free doomed");
	MFT_OK(mfo_put(fd, mo2), "put our handle on it: the child's keeps it");
	MFT_CHECK(mfp_sysfs_u64(mfo_pool, "free") < free0 - (1 << 20) + 8192,
		  "doomed's memory is still held");
	kill(pid, SIGKILL);
	MFT_CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status),
		  "the child is killed with SIGKILL");
	MFT_CHECK(mfo_refs(fd, mo) == 1, "its references on shared are gone");
	MFT_CHECK(mfo_stat("handles") == handles0, "and its handles");
	MFT_CHECK(mfp_sysfs_u64(mfo_pool, "free") == free0,
		  "and doomed's memory is back in the pool");
	close(pfd[0]);
	close(pfd[1]);
}

/* Threads sharing one descriptor: GET/PUT and reads while it is freed. */
struct thr {
	uint64_t mo;
	int errors;
	volatile int *stop;
};

static void *getput_thread(void *arg)
{
	struct thr *t = arg;
	uint64_t mo;
	char b[64];
	int i;

	for (i = 0; i < 300; i++) {
		if (mfo_get(fd, NS, SECID, "shared", &mo, NULL) ||
		    mfo_read(fd, mo, 0, sizeof(b), b) || mfo_put(fd, mo))
			t->errors++;
	}
	return NULL;
}

static void *reader_thread(void *arg)
{
	struct thr *t = arg;
	char b[4096];

	while (!*t->stop)
		if (mfo_read(fd, t->mo, 0, sizeof(b), b))
			t->errors++;
	return NULL;
}

static int churn_child(int n)
{
	int own = open(MFP_DEV, O_RDWR), i;
	char id[32], b[256];
	uint64_t mo;

	if (own < 0)
		return 1;
	for (i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "churn%d.%d", n, i);
		if (mfo_alloc(own, NS, SECID, id, 4096 * (1 + i % 5), &mo, NULL))
			return 2;
		if (mfo_write(own, mo, 100, sizeof(b), b))
			return 3;
		if (i % 2 && mfo_put(own, mo))
			return 4;
		if (mfo_free(own, NS, SECID, id))
			return 5;
	}
	/* Half the freed objects are still referenced: the close frees them. */
	return 0;
}

static void test_concurrent(void)
{
	pthread_t th[5];
	struct thr t[5];
	volatile int stop = 0;
	int i, errors = 0, status, bad = 0;
	pid_t pids[4];
	uint64_t mo;

	MFT_OK(mfo_get(fd, NS, SECID, "shared", &mo, NULL), "GET shared");
	for (i = 0; i < 5; i++) {
		t[i] = (struct thr){ .mo = mo, .stop = &stop };
		pthread_create(&th[i], NULL, i < 4 ? getput_thread : reader_thread,
			       &t[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	MFT_OK(mfo_free(fd, NS, SECID, "shared"),
	       "free shared while a thread reads it");
	usleep(100000);
	stop = 1;
	pthread_join(th[4], NULL);
	for (i = 0; i < 5; i++)
		errors += t[i].errors;
	MFT_CHECK(errors == 0, "four threads GET/read/PUT, one reads: no error");
	MFT_CHECK(mfo_refs(fd, mo) == 2, "the references add up (alloc's and our GET)");
	MFT_OK(mfo_put(fd, mo), "put ours");
	MFT_OK(mfo_put(fd, mo), "put the last: shared goes");

	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(churn_child(i));
	}
	for (i = 0; i < 4; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	MFT_CHECK(bad == 0, "four processes allocate, write and free 400 objects");
}

/* Children GET, read and PUT while the parent destroys and remakes. */
static int race_child(void)
{
	int own = open(MFP_DEV, O_RDWR), bad = 0, i;
	struct timespec t0, t;
	char id[8], b[512];
	uint64_t mo;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0;; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= 2)
			break;
		snprintf(id, sizeof(id), "r%d", i % 8);
		if (mfo_get(own, "t_refs.race", SECID, id, &mo, NULL)) {
			bad += errno != ENOENT;
			continue;
		}
		/* The handle works even if the namespace goes meanwhile. */
		bad += mfo_read(own, mo, 1000, sizeof(b), b) != 0;
		bad += mfo_put(own, mo) != 0;
	}
	close(own);
	return bad > 255 ? 255 : bad;
}

static void *race_writer(void *arg)
{
	struct thr *t = arg;
	char b[65536];

	memset(b, 7, sizeof(b));
	while (!*t->stop) {
		if (mfo_write(fd, t->mo, 0, sizeof(b), b)) {
			if (errno != EACCES)
				t->errors++;
			break;
		}
	}
	return NULL;
}

static void test_races(void)
{
	int i, j, status, bad = 0, rounds = 0;
	volatile int stop = 0;
	struct timespec t0, t;
	pthread_t th;
	struct thr tw;
	pid_t pids[3];
	char id[8];
	uint64_t mo;

	for (i = 0; i < 3; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(race_child());
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (mfo_ns_create(fd, mfo_pool, "t_refs.race", SECID, 0, 0))
			bad++;
		for (j = 0; j < 8; j++) {
			snprintf(id, sizeof(id), "r%d", j);
			if (mfo_alloc(fd, "t_refs.race", SECID, id, 65536, &mo,
				      NULL) || mfo_put(fd, mo))
				bad++;
		}
		if (mfo_ns_destroy(fd, mfo_pool, "t_refs.race", SECID,
				   MF_NS_FORCE, NULL))
			bad++;
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 2);
	for (i = 0; i < 3; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	mft_report(bad == 0, "namespaces destroyed with MF_NS_FORCE while three processes GET, read and PUT their objects",
		   "%d unexpected errors in %d rounds", bad, rounds);

	MFT_OK(mfo_alloc(fd, NS, SECID, "pw", 65536, &mo, NULL),
	       "allocate pw");
	tw = (struct thr){ .mo = mo, .stop = &stop };
	pthread_create(&th, NULL, race_writer, &tw);
	usleep(200000);
	MFT_OK(mfo_publish(fd, NS, SECID, "pw"), "publish pw while it is written");
	usleep(100000);
	stop = 1;
	pthread_join(th, NULL);
	MFT_CHECK(tw.errors == 0, "the writer stops with EACCES, nothing else");
	MFT_ERRNO(mfo_write(fd, mo, 0, 1, "x"), EACCES, "pw is read-only now");
	MFT_OK(mfo_free(fd, NS, SECID, "pw"), "free pw");
	MFT_OK(mfo_put(fd, mo), "put pw");
}

static int pool_info_users(const char *name)
{
	struct mf_pool_info info;

	return mfp_info(fd, name, &info) ? -1 : (int)info.users;
}

static void test_volatile_detach(void)
{
	char saved[MF_POOL_NAME_LEN];
	uint64_t mo;

	memcpy(saved, mfo_pool, sizeof(saved));
	MFT_OK(mfp_attach_ram(fd, "t_refs.ram", 8 << 20), "attach a ram pool");
	MFT_OK(mfo_ns_create(fd, "t_refs.ram", "v", "vs", 0, 0),
	       "a namespace in it");
	memcpy(mfo_pool, "t_refs.ram", 11);
	MFT_OK(mfo_alloc(fd, "v", "vs", "obj", 1 << 20, &mo, NULL),
	       "an object in it");
	MFT_ERRNO(mfp_detach(fd, "t_refs.ram"), EBUSY,
		  "detach while an object is referenced is EBUSY");
	MFT_CHECK(pool_info_users("t_refs.ram") == 0,
		  "(object references are not pool handles)");
	MFT_OK(mfo_put(fd, mo), "put it");
	MFT_ERRNO(mfp_detach(fd, "t_refs.ram"), EBUSY,
		  "a volatile pool with an object is EBUSY: it would be lost");
	MFT_OK(mfo_free(fd, "v", "vs", "obj"), "free it");
	MFT_OK(mfp_detach(fd, "t_refs.ram"),
	       "a volatile pool with only namespaces detaches");
	MFT_OK(mfp_attach_ram(fd, "t_refs.ram", 8 << 20), "attach it again");
	MFT_ERRNO(mfo_ns_destroy(fd, "t_refs.ram", "v", "vs", 0, NULL), ENOENT,
		  "its namespace is gone");
	MFT_OK(mfp_detach(fd, "t_refs.ram"), "detach it");
	memcpy(mfo_pool, saved, sizeof(saved));
}

/* pool0 (fsdax): unreferenced objects survive a detach. */
static void test_persistent_detach(void)
{
	const char *pmem = getenv("MFVM_PMEM");
	struct mf_pool_attach out;
	struct mf_obj_get g;
	char buf[5000];
	uint64_t mo, mo2;

	if (!pmem || strcmp(mfo_pool, "pool0")) {
		MFT_CHECK(1, "no fsdax pool0: persistent detach not tested");
		return;
	}
	MFT_OK(mfo_ns_create(fd, mfo_pool, "t_refs.p", SECID, 0, 3),
	       "a namespace in pool0");
	MFT_OK(mfo_alloc(fd, "t_refs.p", SECID, "kept", 5000, &mo, NULL),
	       "an object");
	mfo_pattern(buf, sizeof(buf), 4, 0);
	MFT_OK(mfo_write(fd, mo, 0, sizeof(buf), buf), "with data");
	MFT_OK(mfo_alloc(fd, "t_refs.p", SECID, "pub", 4096, &mo2, NULL),
	       "another");
	MFT_OK(mfo_publish(fd, "t_refs.p", SECID, "pub"), "published");
	MFT_OK(mfo_put(fd, mo2), "put it");
	MFT_ERRNO(mfp_detach(fd, "pool0"), EBUSY,
		  "pool0 with a referenced object is EBUSY");
	MFT_OK(mfo_put(fd, mo), "put the last handle");
	MFT_OK(mfp_detach(fd, "pool0"),
	       "pool0 with unreferenced objects detaches");
	MFT_ERRNO(mfo_get(fd, "t_refs.p", SECID, "kept", NULL, NULL), ENOENT,
		  "its objects are out of reach");
	MFT_OK(mfp_attach_fsdax(fd, "pool0", pmem, 0, &out), "attach pool0 again");
	MFT_CHECK(!(out.result & MF_POOL_RESULT_FORMATTED), "it was loaded");
	MFT_OK(mfo_get(fd, "t_refs.p", SECID, "kept", &mo, &g),
	       "the object is back");
	MFT_CHECK(g.bytes == 5000 && g.type == MF_OBJ_PRIVATE_RW,
		  "with its size and type");
	memset(buf, 0, sizeof(buf));
	MFT_CHECK(!mfo_read(fd, mo, 0, sizeof(buf), buf) &&
		  mfo_check_pattern(buf, sizeof(buf), 4, 0), "and its data");
	MFT_OK(mfo_get(fd, "t_refs.p", SECID, "pub", &mo2, &g),
	       "the published one is back");
	MFT_CHECK(g.type == MF_OBJ_SHARED_RO, "published");
	MFT_ERRNO(mfo_get(fd, "t_refs.p", "wrong", "pub", NULL, NULL), EACCES,
		  "the secId still guards it");
	MFT_OK(mfo_put(fd, mo), "put kept");
	MFT_OK(mfo_put(fd, mo2), "put pub");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, "t_refs.p", SECID, MF_NS_FORCE, NULL),
	       "destroy the namespace and its objects");
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;

	if (argc == 5 && !strcmp(argv[1], "child"))
		return exec_child(argv);
	mft_init(argv[0]);
	self = argv[0];
	fd = open(MFP_DEV, O_RDWR);	/* no O_CLOEXEC: the exec test needs none */
	if (fd < 0) {
		perror(MFP_DEV);
		return 2;
	}
	mfo_setup_pool(fd);
	mfo_snapshot(&snap);
	if (mfo_ns_create(fd, mfo_pool, NS, SECID, 0, 0)) {
		perror("create namespace " NS);
		return 2;
	}

	test_files();
	test_fork_exec();
	test_kill();
	test_concurrent();
	test_races();
	test_volatile_detach();

	MFT_OK(mfo_ns_destroy(fd, mfo_pool, NS, SECID, 0, NULL),
	       "the namespace is empty again");
	test_persistent_detach();
	mfo_check_snapshot(&snap, "after t_obj_refs");
	mfo_teardown_pool(fd);
	close(fd);
	return mft_done();
}
