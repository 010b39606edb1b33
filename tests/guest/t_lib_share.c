// SPDX-License-Identifier: GPL-2.0
/*
 * t_lib_share.c - the story of Documentation/objects.md across processes
 * (guest, as root).
 * Two processes, each with a session of its own, share a published
 * object; a third writes through a MAP_PRIVATE mapping and commits its
 * copy as a new published object, which the first two then read.  Once
 * through BM_ReadSec only, once through mappings.  CUnit via mflib.h.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <poll.h>

#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"
#include "mflib.h"

#define NS "t_lib_share"
#define SEC "share-secret"
#define SZ (2 * 1024 * 1024 + 3 * 4096)
#define EDIT_OFF 8192
#define EDIT "edited by the writer"

static int setup(void)
{
	return BM_CreateNSSec(NULL, NS, 0, SEC);
}

static int teardown(void)
{
	return BM_DestroyNSSec(NULL, NS, SEC);
}

static int use_maps;		/* the second run: through mappings */
static int ready_pipe[2];	/* readers -> parent: "shared object seen" */
static int id_pipe[2][2];	/* parent -> reader i: the committed id */

/* Does @b hold the original pattern, with @edit (or not) at EDIT_OFF? */
static int check_object(BmInfo *b, int edit)
{
	unsigned char *want = malloc(SZ), *got = NULL;
	void *map = NULL;
	int ok;

	if (!want)
		return 0;
	mfo_pattern(want, SZ, 131, 0);
	if (edit)
		memcpy(want + EDIT_OFF, EDIT, sizeof(EDIT) - 1);
	if (use_maps) {
		if (BM_MapSec(b, PROT_READ, BM_MAP_SHARED, &map)) {
			free(want);
			return 0;
		}
		ok = !memcmp(map, want, SZ) && BM_Unmap(b->bmId, map) == 0;
	} else {
		got = malloc(SZ);
		ok = got && BM_ReadSec(b, 0, SZ, got, 0) == 0 &&
		     !memcmp(got, want, SZ);
	}
	free(got);
	free(want);
	return ok;
}

/* Processes 1 and 2: a session of their own, the shared object, then the
 * committed one. */
static int reader(void *arg)
{
	int i = (int)(long)arg, bad = 0;
	BmInfo orig = mfl_info(NS, SEC, "dataset"), v2;
	char id[BM_ID_LEN] = "";
	BmStat st;

	/* Only the parent writes ids: end of file when it is done. */
	close(id_pipe[0][1]);
	close(id_pipe[1][1]);
	MFL_CHILD_CHECK(bad, BM_Exit() == 0);
	MFL_CHILD_CHECK(bad, mfl_init() == 0);
	MFL_CHILD_CHECK(bad, BM_GetSec(&orig, 0) == 0);
	MFL_CHILD_CHECK(bad, orig.type == BM_TYPE_SHARED_RO && orig.size == SZ);
	MFL_CHILD_CHECK(bad, check_object(&orig, 0));
	MFL_CHILD_CHECK(bad, write(ready_pipe[1], "r", 1) == 1);
	MFL_CHILD_CHECK(bad, read(id_pipe[i][0], id, sizeof(id) - 1) > 0);
	v2 = mfl_info(NS, SEC, id);
	MFL_CHILD_CHECK(bad, BM_GetSec(&v2, 0) == 0);
	MFL_CHILD_CHECK(bad, v2.type == BM_TYPE_SHARED_RO && v2.size == SZ);
	MFL_CHILD_CHECK(bad, check_object(&v2, 1));
	/* The original is unchanged. */
	MFL_CHILD_CHECK(bad, check_object(&orig, 0));
	MFL_CHILD_CHECK(bad, BM_StatSec(&orig, &st) == 0 && st.sessionRefs == 1);
	MFL_CHILD_CHECK(bad, BM_PutSec(&v2, 0) == 0);
	MFL_CHILD_CHECK(bad, BM_PutSec(&orig, 0) == 0);
	MFL_CHILD_CHECK(bad, BM_Exit() == 0);
	return bad;
}

/* Process 3: edits its private copy and commits it (published). */
static int writer(void *arg)
{
	int *out = arg, bad = 0;
	BmInfo orig = mfl_info(NS, SEC, "dataset");
	BmInfo v2 = mfl_info(NS, SEC, use_maps ? "dataset-v2m" : "dataset-v2");
	unsigned char *p = NULL;

	MFL_CHILD_CHECK(bad, BM_GetSec(&orig, 0) == 0);
	if (use_maps) {
		MFL_CHILD_CHECK(bad, BM_MapSec(&orig, PROT_READ | PROT_WRITE,
					       BM_MAP_PRIVATE,
					       (void **)&p) == 0);
		if (!p)
			return bad + 1;
		memcpy(p + EDIT_OFF, EDIT, sizeof(EDIT) - 1);
		MFL_CHILD_CHECK(bad, BM_CommitSec(p, SZ, &v2,
						  BM_COMMIT_PUBLISH) == 0);
		MFL_CHILD_CHECK(bad, BM_Unmap(orig.bmId, p) == 0);
	} else {
		/* Without mappings: derive, write, publish. */
		MFL_CHILD_CHECK(bad, BM_DeriveSec(&orig, &v2, 0) == 0);
		MFL_CHILD_CHECK(bad, BM_WriteSec(&v2, EDIT_OFF, sizeof(EDIT) - 1,
						 EDIT, 0) == 0);
		MFL_CHILD_CHECK(bad, BM_PublishSec(&v2, 0) == 0);
	}
	MFL_CHILD_CHECK(bad, v2.type == BM_TYPE_SHARED_RO);
	MFL_CHILD_CHECK(bad, write(out[1], v2.bmId, strlen(v2.bmId)) > 0);
	MFL_CHILD_CHECK(bad, BM_PutSec(&v2, 0) == 0);
	MFL_CHILD_CHECK(bad, BM_PutSec(&orig, 0) == 0);
	return bad;
}

/* read() that gives up after 120 s, so a dead child cannot hang us. */
static ssize_t read_timeout(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 120000) != 1)
		return -1;
	return read(fd, buf, len);
}

static pid_t start(int (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fn(arg) & 0x7f);
	return pid;
}

static int wait_ok(pid_t pid)
{
	int status;

	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void story(int maps)
{
	BmInfo orig = mfl_info(NS, SEC, "dataset");
	BmInfo v2 = mfl_info(NS, SEC, maps ? "dataset-v2m" : "dataset-v2");
	unsigned char *buf = malloc(SZ);
	char id[BM_ID_LEN] = "", c;
	int out[2];
	pid_t r[2], w;
	BmStat st;

	use_maps = maps;
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL_FATAL(pipe(ready_pipe), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(id_pipe[0]), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(id_pipe[1]), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(out), 0);

	/* The producer: a private object, filled, published. */
	CU_ASSERT_EQUAL_FATAL(BM_AllocSec(&orig, SZ, 0, NULL), 0);
	mfo_pattern(buf, SZ, 131, 0);
	CU_ASSERT_EQUAL(BM_WriteSec(&orig, 0, SZ, buf, 0), 0);
	CU_ASSERT_EQUAL(BM_PublishSec(&orig, 0), 0);

	r[0] = start(reader, (void *)0L);
	r[1] = start(reader, (void *)1L);
	close(ready_pipe[1]);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(read_timeout(ready_pipe[0], &c, 1), 1);
	/* Both hold it now: the producer's reference and theirs. */
	CU_ASSERT_EQUAL(BM_StatSec(&orig, &st), 0);
	CU_ASSERT(st.refCount >= 3);
	if (maps)
		CU_ASSERT_EQUAL(st.mapCount, 0);

	w = start(writer, out);
	close(out[1]);
	CU_ASSERT(wait_ok(w));
	CU_ASSERT(read_timeout(out[0], id, sizeof(id) - 1) > 0);
	CU_ASSERT_STRING_EQUAL(id, v2.bmId);
	/* The id, then end of file: a reader never waits for nothing. */
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(write(id_pipe[i][1], id, strlen(id)),
				(ssize_t)strlen(id));
		close(id_pipe[i][1]);
	}
	CU_ASSERT(wait_ok(r[0]));
	CU_ASSERT(wait_ok(r[1]));

	/* The producer reads the new version too, then cleans up. */
	mfo_str(v2.bmId, sizeof(v2.bmId) - 1, id);
	CU_ASSERT_EQUAL(BM_StatSec(&v2, &st), 0);
	CU_ASSERT_EQUAL(st.type, BM_TYPE_SHARED_RO);
	CU_ASSERT_EQUAL(st.refCount, 0);
	CU_ASSERT(check_object(&v2, 1));
	CU_ASSERT(check_object(&orig, 0));
	CU_ASSERT_EQUAL(BM_FreeSec(&v2, 0), 0);
	CU_ASSERT_EQUAL(BM_FreeSec(&orig, 0), 0);
	close(ready_pipe[0]);
	close(out[0]);
	for (int i = 0; i < 2; i++)
		close(id_pipe[i][0]);
	free(buf);
}

static void test_story_read(void)
{
	story(0);
}

static void test_story_maps(void)
{
	CU_ASSERT_FATAL(mfl_has_mmap());
	story(1);
}

int main(int argc, char **argv)
{
	static const struct mfl_test tests[] = {
		{ "share", "three processes, read/derive/publish",
		  test_story_read },
		{ "share", "three processes, mappings and commit",
		  test_story_maps },
	};

	(void)argc;
	return mfl_main(argv[0], tests, sizeof(tests) / sizeof(tests[0]), setup,
			teardown);
}
