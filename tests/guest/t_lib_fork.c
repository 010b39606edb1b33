// SPDX-License-Identifier: GPL-2.0
/*
 * t_lib_fork.c - libmemfabric across fork() (guest, as root; issue 15,
 * "references of a forked child").  A child's calls work through a
 * session of its own (its own open of /dev/memfabric): the references it
 * takes die with it, SIGKILL included; the mappings it inherited stay
 * valid; the parent's references are untouched.  The parent and several
 * children call BM_* concurrently, the children are killed at random, and
 * the objects' reference counts (BM_StatSec, and MF_IOC_OBJ_STAT through a
 * device fd of the test's own) are exactly what they were before.
 * CUnit via mflib.h.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mflib.h"

#define NS "t_lib_fork"
#define SEC "fork-secret"
#define NOBJ 4
#define SZ (64 * 1024)
#define NCHILD 6
#define ROUNDS 4

static BmInfo objs[NOBJ];

static int setup(void)
{
	return BM_CreateNSSec(NULL, NS, 0, SEC);
}

static int teardown(void)
{
	return BM_DestroyNSSec(NULL, NS, SEC);
}

/* The kernel's references on object @i, seen through the test's own fd
 * (its transient handle not counted); -1 on error. */
static long long kernel_refs(int i, unsigned int *maps)
{
	struct mf_obj_stat st;
	uint64_t mo;
	long long refs = -1;

	if (mfo_get(mfl_fd, NS, SEC, objs[i].bmId, &mo, NULL))
		return -1;
	if (!mfo_stat_obj(mfl_fd, mo, &st)) {
		refs = (long long)st.refs - 1;
		if (maps)
			*maps = st.map_count;
	}
	mfo_put(mfl_fd, mo);
	return refs;
}

static void make_objects(void)
{
	for (int i = 0; i < NOBJ; i++) {
		char id[32];

		snprintf(id, sizeof(id), "f%d", i);
		objs[i] = mfl_info(NS, SEC, id);
		CU_ASSERT_EQUAL_FATAL(mfl_alloc_fill(&objs[i], SZ, 100 + i), 0);
		if (i % 2)
			CU_ASSERT_EQUAL(BM_PublishSec(&objs[i], 0), 0);
	}
}

static void free_objects(void)
{
	for (int i = 0; i < NOBJ; i++)
		CU_ASSERT_EQUAL(BM_FreeSec(&objs[i], 0), 0);
}

/* Wait up to 60 s for one byte on @fd. */
static int wait_byte(int fd, char *c)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 60000) != 1)
		return -1;
	return read(fd, c, 1) == 1 ? 0 : -1;
}

/*
 * The deterministic case: a child takes references (handles and a
 * mapping) and is killed with SIGKILL while holding them.
 */
static void test_kill_holding(void)
{
	int ready[2];
	unsigned int maps = 0;
	long long before[NOBJ];
	BmStat st;
	void *pmap = NULL;
	pid_t pid;
	int status;
	char c;

	make_objects();
	CU_ASSERT_EQUAL_FATAL(pipe(ready), 0);
	/* The parent's own mapping: inherited by the child. */
	CU_ASSERT_EQUAL_FATAL(BM_MapSec(&objs[1], PROT_READ, BM_MAP_SHARED,
					&pmap), 0);
	for (int i = 0; i < NOBJ; i++)
		before[i] = kernel_refs(i, NULL);
	CU_ASSERT_EQUAL(before[0], 1);
	CU_ASSERT_EQUAL(before[1], 2);	/* a handle and the mapping */

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int bad = 0;
		void *p = NULL;

		/* Its mapping of the parent's is valid. */
		MFL_CHILD_CHECK(bad, mfo_check_pattern(pmap, SZ, 101, 0));
		/* None of the parent's references are its own. */
		MFL_CHILD_CHECK(bad, BM_PutSec(&objs[0], 0) == -ENOENT);
		for (int i = 0; i < NOBJ; i++)
			for (int k = 0; k < 3; k++)
				MFL_CHILD_CHECK(bad,
						BM_GetSec(&objs[i], 0) == 0);
		MFL_CHILD_CHECK(bad, BM_StatSec(&objs[0], &st) == 0 &&
					     st.sessionRefs == 3);
		MFL_CHILD_CHECK(bad, BM_MapSec(&objs[0], PROT_READ,
					       BM_MAP_SHARED, &p) == 0);
		MFL_CHILD_CHECK(bad, p && mfo_check_pattern(p, SZ, 100, 0));
		MFL_CHILD_CHECK(bad, write(ready[1], bad ? "E" : "r", 1) == 1);
		pause();
		_exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(wait_byte(ready[0], &c), 0);
	CU_ASSERT_EQUAL(c, 'r');
	/* The child's references are there... */
	CU_ASSERT_EQUAL(kernel_refs(0, &maps), before[0] + 3 + 1);
	CU_ASSERT_EQUAL(maps, 1);
	CU_ASSERT_EQUAL(kernel_refs(1, &maps), before[1] + 3 + 1);
	CU_ASSERT_EQUAL(maps, 2);	/* the parent's, inherited */
	CU_ASSERT_EQUAL(kernel_refs(2, NULL), before[2] + 3);
	/* ...and die with it. */
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (int i = 0; i < NOBJ; i++)
		CU_ASSERT_EQUAL(kernel_refs(i, NULL), before[i]);
	CU_ASSERT_EQUAL(kernel_refs(1, &maps), 2);
	CU_ASSERT_EQUAL(maps, 1);
	/* The parent's references and mapping are untouched. */
	CU_ASSERT(mfo_check_pattern(pmap, SZ, 101, 0));
	for (int i = 0; i < NOBJ; i++) {
		CU_ASSERT_EQUAL(BM_StatSec(&objs[i], &st), 0);
		CU_ASSERT_EQUAL(st.sessionRefs, 1);
		CU_ASSERT(mfl_has_pattern(&objs[i], 0, SZ, 100 + i));
	}
	CU_ASSERT_EQUAL(BM_Unmap(NULL, pmap), 0);
	for (int i = 0; i < NOBJ; i++)
		CU_ASSERT_EQUAL(BM_PutSec(&objs[i], 0), 0);
	CU_ASSERT_EQUAL(BM_PutSec(&objs[0], 0), -ENOENT);
	CU_ASSERT_EQUAL(kernel_refs(0, NULL), 0);
	free_objects();
	close(ready[0]);
	close(ready[1]);
}

/* A child that ends normally, with and without BM_Exit. */
static void test_exit_holding(void)
{
	for (int how = 0; how < 2; how++) {
		pid_t pid;
		int status;

		make_objects();
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			int bad = 0;

			for (int i = 0; i < NOBJ; i++)
				MFL_CHILD_CHECK(bad,
						BM_GetSec(&objs[i], 0) == 0);
			if (how)
				MFL_CHILD_CHECK(bad, BM_Exit() == 0);
			_exit(bad);
		}
		CU_ASSERT_FATAL(pid > 0);
		CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
		CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		for (int i = 0; i < NOBJ; i++)
			CU_ASSERT_EQUAL(kernel_refs(i, NULL), 1);
		free_objects();
	}
}

/* ---- parent and children all calling BM_*, children killed at random ---- */

static atomic_int stop_parent;
static atomic_long parent_calls, parent_bad;

/* A thread of the parent: get/read/write/stat/put, balanced. */
static void *parent_worker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	char buf[256];

	while (!atomic_load(&stop_parent)) {
		int i = rand_r(&seed) % NOBJ;
		BmInfo b = objs[i];
		BmStat st;

		if (BM_GetSec(&b, 0) || !mfl_has_pattern(&b, 0, 4096, 100 + i) ||
		    BM_StatSec(&b, &st) || st.sessionRefs < 2 ||
		    (i % 2 == 0 &&
		     (BM_ReadSec(&b, 8192, sizeof(buf), buf, 0) ||
		      BM_WriteSec(&b, 8192, sizeof(buf), buf, 0))) ||
		    BM_PutSec(&b, 0))
			atomic_fetch_add(&parent_bad, 1);
		atomic_fetch_add(&parent_calls, 6);
	}
	return NULL;
}

/* A child: random calls until it is killed.  Reports failures on @err. */
static void child_loop(unsigned int seed, int err, int ready)
{
	int held[NOBJ] = { 0 };
	void *maps[NOBJ] = { 0 };
	char buf[256];
	int announced = 0;

	for (unsigned long n = 0;; n++) {
		int i = rand_r(&seed) % NOBJ, rc = 0;
		BmInfo b = objs[i];
		BmStat st;

		switch (rand_r(&seed) % 6) {
		case 0:
		case 1:
			if (held[i] < 4 && !(rc = BM_GetSec(&b, 0)))
				held[i]++;
			break;
		case 2:
			if (held[i] && !(rc = BM_PutSec(&b, 0)))
				held[i]--;
			break;
		case 3:
			rc = BM_ReadSec(&b, 0, sizeof(buf), buf, 0);
			if (!rc && !mfo_check_pattern(buf, sizeof(buf),
						      100 + i, 0))
				rc = -EBADMSG;
			break;
		case 4:
			rc = BM_StatSec(&b, &st);
			if (!rc && st.sessionRefs != (uint64_t)held[i])
				rc = -ERANGE;
			break;
		default:
			if (maps[i]) {
				rc = BM_Unmap(NULL, maps[i]);
				maps[i] = NULL;
			} else {
				rc = BM_MapSec(&b, PROT_READ, BM_MAP_SHARED,
					       &maps[i]);
			}
			break;
		}
		if (rc) {
			char msg[96];
			int len = snprintf(msg, sizeof(msg),
					   "# child %d: object %d: %d\n",
					   (int)getpid(), i, rc);
			if (write(err, msg, len) != len)
				_exit(3);
		}
		if (!announced && n == 20) {
			announced = 1;
			if (write(ready, "r", 1) != 1)
				_exit(4);
		}
	}
}

static void test_kill_random(void)
{
	unsigned int seed = (unsigned int)time(NULL);
	int ready[2], err[2];
	pthread_t th[2];
	long long before[NOBJ];
	long kills = 0, exits = 0;
	char msg[512];
	BmStat st;

	printf("# t_lib_fork: seed %u\n", seed);
	make_objects();
	for (int i = 0; i < NOBJ; i++)
		before[i] = kernel_refs(i, NULL);
	CU_ASSERT_EQUAL_FATAL(pipe(ready), 0);
	CU_ASSERT_EQUAL_FATAL(pipe2(err, O_NONBLOCK), 0);
	atomic_store(&stop_parent, 0);
	for (int t = 0; t < 2; t++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[t], NULL,
						     parent_worker,
						     (void *)(uintptr_t)(seed + t)),
				      0);

	for (int round = 0; round < ROUNDS; round++) {
		pid_t pids[NCHILD];

		for (int c = 0; c < NCHILD; c++) {
			unsigned int cs = seed * 131 + round * 17 + c;

			fflush(stdout);
			pids[c] = fork();	/* while the parent's threads run */
			if (pids[c] == 0) {
				close(ready[0]);
				close(err[0]);
				child_loop(cs, err[1], ready[1]);
			}
			CU_ASSERT_FATAL(pids[c] > 0);
		}
		for (int c = 0; c < NCHILD; c++) {
			char ch;

			CU_ASSERT_EQUAL(wait_byte(ready[0], &ch), 0);
		}
		/* Kill them at random moments, one by one. */
		for (int c = 0; c < NCHILD; c++) {
			int status;
			struct timespec ts = {
				0, (long)(rand_r(&seed) % 200) * 1000000L
			};

			nanosleep(&ts, NULL);
			kill(pids[c], SIGKILL);
			CU_ASSERT_EQUAL(waitpid(pids[c], &status, 0), pids[c]);
			if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
				kills++;
			else
				exits++;
		}
	}
	atomic_store(&stop_parent, 1);
	for (int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);

	ssize_t got = read(err[0], msg, sizeof(msg) - 1);
	if (got > 0) {
		msg[got] = '\0';
		printf("%s", msg);
	}
	CU_ASSERT(got <= 0);
	CU_ASSERT_EQUAL(exits, 0);
	CU_ASSERT_EQUAL(atomic_load(&parent_bad), 0);
	printf("# t_lib_fork: %ld children killed, %ld parent calls\n", kills,
	       (long)atomic_load(&parent_calls));
	/* Exactly the references of before: the parent's one each. */
	for (int i = 0; i < NOBJ; i++) {
		unsigned int maps = 99;

		CU_ASSERT_EQUAL(kernel_refs(i, &maps), before[i]);
		CU_ASSERT_EQUAL(maps, 0);
		CU_ASSERT_EQUAL(BM_StatSec(&objs[i], &st), 0);
		CU_ASSERT_EQUAL(st.sessionRefs, 1);
		CU_ASSERT_EQUAL(st.refCount, 1);
	}
	free_objects();
	close(ready[0]);
	close(ready[1]);
	close(err[0]);
	close(err[1]);
}

int main(int argc, char **argv)
{
	static const struct mfl_test tests[] = {
		{ "fork", "a child killed holding references and a mapping",
		  test_kill_holding },
		{ "fork", "a child that exits holding references",
		  test_exit_holding },
		{ "fork", "parent threads and children, children killed at random",
		  test_kill_random },
	};

	(void)argc;
	return mfl_main(argv[0], tests, sizeof(tests) / sizeof(tests[0]), setup,
			teardown);
}
