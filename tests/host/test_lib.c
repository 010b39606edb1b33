// SPDX-License-Identifier: GPL-2.0
/*
 * test_lib.c - libmemfabric on the host, without the kernel module.
 *
 * Covers what does not need /dev/memfabric: BM_StrError, the config file
 * parser, BM_InitWithExtAttr's argument checks, the init/exit state
 * machine and its thread safety.  A config is told apart from a bad one
 * by what BM_Init does next with the device it names:
 *   - a path that does not exist          -> -ENODEV (module not loaded);
 *   - /dev/null or a regular file          -> -ENOTTY (not memfabric);
 *   - a parse error never reaches the device -> -EINVAL.
 * Device behaviour itself is tested in the guest (tests/guest/).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <memfabric/bm.h>

#define NODEV "/nonexistent/memfabric-test"

static char tmpdir[] = "/tmp/mf-test-lib.XXXXXX";
static int nfiles;

/* Write @len bytes of @text to a new file in tmpdir; return its path. */
static char *write_conf_len(const char *text, size_t len)
{
	static char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/conf%d", tmpdir, nfiles++);
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(2);
	}
	return path;
}

static char *write_conf(const char *text)
{
	return write_conf_len(text, strlen(text));
}

/* BM_Init with a config file holding @text. */
static int init_text(const char *text)
{
	int rc = BM_Init(write_conf(text), 0);

	if (rc == 0)
		BM_Exit(); /* not expected on the host; keep state clean */
	return rc;
}

static BmInitAttr attr_with_device(const char *device)
{
	BmInitAttr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.device = device;
	return a;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ---- BM_StrError ------------------------------------------------------ */

static void test_strerror_never_null(void)
{
	int bad = 0;

	for (int e = -5000; e <= 5000; e++) {
		const char *s = BM_StrError(e);

		if (!s || !*s)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_PTR_NOT_NULL(BM_StrError(INT_MIN));
	CU_ASSERT_PTR_NOT_NULL(BM_StrError(INT_MAX));
	CU_ASSERT_PTR_NOT_NULL(BM_StrError(INT_MIN + 1));
	CU_ASSERT_STRING_EQUAL(BM_StrError(0), "success");
}

static void test_strerror_sign(void)
{
	int bad = 0;

	for (int e = 1; e <= 4200; e++)
		if (strcmp(BM_StrError(e), BM_StrError(-e)))
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_STRING_EQUAL(BM_StrError(INT_MAX), BM_StrError(-INT_MAX));
}

static void test_strerror_wording(void)
{
	static const struct {
		int err;
		const char *word;
	} cases[] = {
		{ EACCES, "secId" }, { ENOENT, "pool" },
		{ ENOSPC, "pool" },  { EINVAL, "argument" },
		{ EBUSY, "in use" }, { ENODEV, "module not loaded" },
		{ ENOTTY, "module" }, { EPROTO, "ABI" },
		{ E2BIG, "struct" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = BM_StrError(-cases[i].err);

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_PTR_NOT_NULL(strstr(s, cases[i].word));
		CU_ASSERT_STRING_NOT_EQUAL(s, strerror(cases[i].err));
	}
}

static void test_strerror_fallback(void)
{
	/* Errors the API does not give a meaning of its own: libc text. */
	CU_ASSERT_STRING_EQUAL(BM_StrError(-EIO), strerror(EIO));
	CU_ASSERT_STRING_EQUAL(BM_StrError(ENOMEM), strerror(ENOMEM));
	CU_ASSERT_STRING_EQUAL(BM_StrError(-EISDIR), strerror(EISDIR));
	CU_ASSERT_STRING_EQUAL(BM_StrError(4000), "unknown error");
}

static void *strerror_thread(void *arg)
{
	const char **expect = arg;
	long bad = 0;

	for (int round = 0; round < 200; round++)
		for (int e = 0; e < 150; e++)
			if (BM_StrError(-e) != expect[e] ||
			    BM_StrError(e) != expect[e])
				bad++;
	return (void *)bad;
}

static void test_strerror_threads(void)
{
	const char *expect[150];
	pthread_t t[4];
	long bad = 0;

	for (int e = 0; e < 150; e++)
		expect[e] = BM_StrError(e);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL_FATAL(
			pthread_create(&t[i], NULL, strerror_thread, expect), 0);
	for (int i = 0; i < 4; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	/* Same, constant, pointer in every thread: no shared buffer. */
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---- config file ------------------------------------------------------ */

static void test_conf_good(void)
{
	CU_ASSERT_EQUAL(init_text("device = /dev/null\n"), -ENOTTY);
	CU_ASSERT_EQUAL(init_text("device = " NODEV "\n"
				  "default_pool = pool_1.a-b\n"
				  "log_level = error\n"), -ENODEV);
	/* No final newline, no blanks around '='. */
	CU_ASSERT_EQUAL(init_text("device=/dev/null"), -ENOTTY);
	/* Every log level, case-insensitive. */
	CU_ASSERT_EQUAL(init_text("device=" NODEV "\nlog_level=WARN\n"),
			-ENODEV);
	CU_ASSERT_EQUAL(init_text("device=" NODEV "\nlog_level=Info\n"),
			-ENODEV);
	CU_ASSERT_EQUAL(init_text("device=" NODEV "\nlog_level=debug\n"),
			-ENODEV);
	/* A pool name of BM_POOL_NAME_LEN - 1 characters. */
	CU_ASSERT_EQUAL(init_text("device=" NODEV "\n"
				  "default_pool=0123456789012345678901234567890\n"),
			-ENODEV);
}

static void test_conf_comments(void)
{
	CU_ASSERT_EQUAL(init_text("# memfabric config\n"
				  "\n"
				  "   # indented comment\n"
				  "\t\n"
				  "\tdevice\t=\t/dev/null   # trailing comment\r\n"
				  "default_pool = p # another\n"),
			-ENOTTY);
	/* '#' not after a blank is part of the value. */
	CU_ASSERT_EQUAL(init_text("device = /dev/null#x\n"), -ENODEV);
	/* A later key overrides an earlier one. */
	CU_ASSERT_EQUAL(init_text("device = /dev/null\ndevice = " NODEV "\n"),
			-ENODEV);
	CU_ASSERT_EQUAL(init_text("device = " NODEV "\ndevice = /dev/null\n"),
			-ENOTTY);
}

static void test_conf_unknown_key(void)
{
	CU_ASSERT_EQUAL(init_text("device = /dev/null\ncolour = blue\n"),
			-EINVAL);
	CU_ASSERT_EQUAL(init_text("Device = /dev/null\n"), -EINVAL);
	CU_ASSERT_EQUAL(init_text("device pool = x\n"), -EINVAL);
}

static void test_conf_malformed(void)
{
	CU_ASSERT_EQUAL(init_text("device /dev/null\n"), -EINVAL);
	CU_ASSERT_EQUAL(init_text("= /dev/null\n"), -EINVAL);
	CU_ASSERT_EQUAL(init_text("device =\n"), -EINVAL);
	CU_ASSERT_EQUAL(init_text("device = # only a comment\n"), -EINVAL);
	CU_ASSERT_EQUAL(init_text("log_level = verbose\n"), -EINVAL);
	CU_ASSERT_EQUAL(init_text("log_level = 3\n"), -EINVAL);
	CU_ASSERT_EQUAL(init_text("default_pool = a b\n"), -EINVAL);
	CU_ASSERT_EQUAL(init_text("default_pool = a/b\n"), -EINVAL);
	/* BM_POOL_NAME_LEN characters leave no room for the NUL. */
	CU_ASSERT_EQUAL(init_text("default_pool = "
				  "01234567890123456789012345678901\n"),
			-EINVAL);
	/* A good line before a bad one does not make it good. */
	CU_ASSERT_EQUAL(init_text("device = /dev/null\nnonsense\n"), -EINVAL);
	/* NUL bytes and control characters. */
	CU_ASSERT_EQUAL(BM_Init(write_conf_len("device = /dev/nu\0ll\n", 20), 0),
			-EINVAL);
	CU_ASSERT_EQUAL(init_text("device = /dev/\033null\n"), -EINVAL);
	CU_ASSERT_EQUAL(BM_Init(write_conf_len("log_level = debug\0x\n", 20), 0),
			-EINVAL);
}

static void test_conf_files(void)
{
	char *big;
	size_t len = 70 * 1024;

	CU_ASSERT_EQUAL(BM_Init(tmpdir, 0), -EISDIR);
	CU_ASSERT_EQUAL(BM_Init("/nonexistent/memfabric.conf", 0), -ENOENT);
	CU_ASSERT_EQUAL(BM_Init("", 0), -EINVAL);

	/* Larger than the library's 64 KiB limit. */
	big = malloc(len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	for (size_t i = 0; i < len; i++)
		big[i] = (i % 64 == 63) ? '\n' : '#';
	CU_ASSERT_EQUAL(BM_Init(write_conf_len(big, len), 0), -EFBIG);
	free(big);
	/* Reading a device file is bounded too. */
	CU_ASSERT_EQUAL(BM_Init("/dev/zero", 0), -EFBIG);
}

static void test_init_flags_and_defaults(void)
{
	CU_ASSERT_EQUAL(BM_Init(NULL, 1), -EINVAL);
	CU_ASSERT_EQUAL(BM_Init(NULL, -1), -EINVAL);
	CU_ASSERT_EQUAL(BM_Init(write_conf("device = /dev/null\n"), 4), -EINVAL);
	/* An empty file means defaults, as NULL does. */
	if (access(BM_DEFAULT_DEVICE, F_OK) != 0) {
		CU_ASSERT_EQUAL(BM_Init(NULL, 0), -ENODEV);
		CU_ASSERT_EQUAL(init_text(""), -ENODEV);
		CU_ASSERT_EQUAL(init_text("# nothing\n\n"), -ENODEV);
	}
}

/* ---- BM_InitWithExtAttr ----------------------------------------------- */

static void test_attr_args(void)
{
	struct {
		BmInitAttr a;
		uint64_t tail[4];
	} big;
	BmInitAttr a;

	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, NULL), -EINVAL);

	a = attr_with_device("/dev/null");
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -ENOTTY);
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 1, &a), -EINVAL);

	/* @size: too small, a newer struct, an absurd one. */
	a.size = 0;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);
	a.size = sizeof(a) - 1;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);
	a.size = 4;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);

	memset(&big, 0, sizeof(big));
	big.a = attr_with_device("/dev/null");
	big.a.size = sizeof(big);
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &big), -ENOTTY);
	big.tail[3] = 1;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &big), -E2BIG);
	big.a.size = 1u << 20; /* must not read 1 MiB of our stack */
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &big), -E2BIG);
	big.a.size = UINT32_MAX;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &big), -E2BIG);

	a = attr_with_device("/dev/null");
	a.flags = 1;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);
	a = attr_with_device("/dev/null");
	a.reserved = 1;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);
}

static void test_attr_values(void)
{
	BmInitAttr a;

	a = attr_with_device("");
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);

	a = attr_with_device(NODEV);
	a.logLevel = BM_LOG_DEBUG + 1;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);
	a.logLevel = -1;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);
	a.logLevel = BM_LOG_WARN;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -ENODEV);

	a = attr_with_device(NODEV);
	a.defaultPool = "";
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);
	a.defaultPool = "has space";
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);
	a.defaultPool = "01234567890123456789012345678901"; /* 32 */
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -EINVAL);
	a.defaultPool = "0123456789012345678901234567890"; /* 31 */
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -ENODEV);
}

static void test_attr_overrides_file(void)
{
	BmInitAttr a;
	char *conf;

	conf = write_conf("device = " NODEV "\nlog_level = error\n");
	a = attr_with_device("/dev/null");
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(conf, 0, &a), -ENOTTY);

	conf = write_conf("device = /dev/null\n");
	a = attr_with_device(NODEV);
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(conf, 0, &a), -ENODEV);

	/* NULL fields override nothing. */
	a = attr_with_device(NULL);
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(conf, 0, &a), -ENOTTY);

	/* The file is still checked. */
	conf = write_conf("device = /dev/null\nbogus = 1\n");
	a = attr_with_device("/dev/null");
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(conf, 0, &a), -EINVAL);
	CU_ASSERT_EQUAL(BM_InitWithExtAttr("/nonexistent/memfabric.conf", 0,
					   &a),
			-ENOENT);

	/* A bad attr is reported before the file is read. */
	a.size = 0;
	CU_ASSERT_EQUAL(BM_InitWithExtAttr("/nonexistent/memfabric.conf", 0,
					   &a),
			-EINVAL);
}

static void test_attr_regular_file_device(void)
{
	char path[PATH_MAX];
	BmInitAttr a;
	int fd;

	/* Opens fine, but it is no memfabric device. */
	snprintf(path, sizeof(path), "%s/not-a-device", tmpdir);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	a = attr_with_device(path);
	CU_ASSERT_EQUAL(BM_InitWithExtAttr(NULL, 0, &a), -ENOTTY);
}

/* ---- init / exit / version state -------------------------------------- */

static void test_exit_without_init(void)
{
	CU_ASSERT_EQUAL(BM_Exit(), -EINVAL);
	CU_ASSERT_EQUAL(BM_Exit(), -EINVAL);
	/* A failed init takes no reference. */
	CU_ASSERT_EQUAL(init_text("device = /dev/null\n"), -ENOTTY);
	CU_ASSERT_EQUAL(BM_Exit(), -EINVAL);
}

static void test_version_args(void)
{
	BmVersion v;

	CU_ASSERT_EQUAL(BM_Version(NULL), -EINVAL);

	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL(BM_Version(&v), -EINVAL); /* size 0 */
	v.size = sizeof(v) - 1;
	CU_ASSERT_EQUAL(BM_Version(&v), -EINVAL);
	v.size = sizeof(v);
	v.flags = 1;
	CU_ASSERT_EQUAL(BM_Version(&v), -EINVAL);
	v.flags = 0;
	v.size = 1u << 20;
	CU_ASSERT_EQUAL(BM_Version(&v), -E2BIG);

	/* Good arguments, no BM_Init: nothing is written. */
	memset(&v, 0x5a, sizeof(v));
	v.size = sizeof(v);
	v.flags = 0;
	CU_ASSERT_EQUAL(BM_Version(&v), -ENODEV);
	CU_ASSERT_EQUAL((unsigned char)v.moduleVersion[0], 0x5a);
}

static void test_no_fd_leak(void)
{
	BmInitAttr a = attr_with_device("/dev/null");
	char *conf = write_conf("device = /dev/null\n");
	int before = count_fds();

	CU_ASSERT_FATAL(before > 0);
	for (int i = 0; i < 100; i++) {
		BM_Init(conf, 0);                   /* -ENOTTY after open */
		BM_InitWithExtAttr(NULL, 0, &a);    /* same */
		BM_Init("/nonexistent/memfabric.conf", 0);
		BM_Init(tmpdir, 0);                 /* -EISDIR after open */
	}
	CU_ASSERT_EQUAL(count_fds(), before);
}

#define NTHREADS 8
#define NITER 300

struct thread_arg {
	const char *conf;
	long bad;
};

static void *init_exit_thread(void *p)
{
	struct thread_arg *arg = p;
	BmInitAttr a = attr_with_device(NODEV);
	BmVersion v;

	for (int i = 0; i < NITER; i++) {
		memset(&v, 0, sizeof(v));
		v.size = sizeof(v);
		if (BM_Init((char *)arg->conf, 0) != -ENODEV)
			arg->bad++;
		if (BM_InitWithExtAttr(NULL, 0, &a) != -ENODEV)
			arg->bad++;
		if (BM_Version(&v) != -ENODEV)
			arg->bad++;
		if (BM_Exit() != -EINVAL)
			arg->bad++;
		if (!BM_StrError(-i))
			arg->bad++;
	}
	return NULL;
}

static void test_threads(void)
{
	struct thread_arg args[NTHREADS];
	pthread_t t[NTHREADS];
	char *conf = strdup(write_conf("device = " NODEV "\n"));
	long bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(conf);
	for (int i = 0; i < NTHREADS; i++) {
		args[i].conf = conf;
		args[i].bad = 0;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL,
						     init_exit_thread, &args[i]),
				      0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		bad += args[i].bad;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(BM_Exit(), -EINVAL);
	free(conf);
}

/* ---- main ------------------------------------------------------------- */

static int cleanup_tmpdir(void)
{
	char path[PATH_MAX];

	for (int i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/conf%d", tmpdir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/not-a-device", tmpdir);
	unlink(path);
	return rmdir(tmpdir);
}

/* ---- the BigMemory calls without a session ---------------------------- */

static void test_bm_without_init(void)
{
	BmInfo b;
	BmStat st;
	QueryNsCache q;
	DiskFileDesc f = { .fd = 0, .path = NULL, .fileOffset = 0 };
	BmGatherItem it = { &b, 0, 8 };
	intptr_t in[2] = { (intptr_t)&it, 0 };
	char *ids[1] = { b.bmId };
	void *p = NULL;
	size_t len = 0;
	char c;

	memset(&b, 0, sizeof(b));
	strcpy(b.ns, "ns");
	strcpy(b.secId, "s");
	strcpy(b.bmId, "id");
	CU_ASSERT_EQUAL(BM_CreateNSSec(NULL, "ns", 0, "s"), -ENODEV);
	CU_ASSERT_EQUAL(BM_DestroyNSSec(NULL, "ns", "s"), -ENODEV);
	CU_ASSERT_EQUAL(BM_QueryNSCache(&q, sizeof(q)), -ENODEV);
	CU_ASSERT_EQUAL(BM_AllocSec(&b, 4096, 0, NULL), -ENODEV);
	CU_ASSERT_EQUAL(BM_FreeSec(&b, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_BatchFreeSec(ids, 1, 0, "ns", "s"), -ENODEV);
	CU_ASSERT_EQUAL(BM_ExpandSec(&b, 8192, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_MapSec(&b, 1, BM_MAP_SHARED, &p), -ENODEV);
	CU_ASSERT_EQUAL(BM_CopySec(&b, 0, &b, 8, 1, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_SpecificObjSwapInSec(&f, &b, 0, 0, 1), -ENODEV);
	CU_ASSERT_EQUAL(BM_ReadSec(&b, 0, 1, &c, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_WriteSec(&b, 0, 1, &c, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_GatherSec(in, BM_OP_GATHER, 0, &b, &len), -ENODEV);
	CU_ASSERT_EQUAL(BM_PublishSec(&b, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_GetSec(&b, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_PutSec(&b, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_DeriveSec(&b, &b, 0), -ENODEV);
	CU_ASSERT_EQUAL(BM_StatSec(&b, &st), -ENODEV);
	CU_ASSERT_EQUAL(BM_CommitSec(&c, 1, &b, 0), -ENODEV);
	/* BM_Unmap needs no session; it unmaps only what BM_MapSec mapped. */
	CU_ASSERT_EQUAL(BM_Unmap(NULL, &c), -EINVAL);
	CU_ASSERT_EQUAL(BM_Unmap(b.bmId, NULL), -EINVAL);
}

static void test_strerror_bm_codes(void)
{
	CU_ASSERT_PTR_NOT_NULL(strstr(BM_StrError(-EOVERFLOW), "overflow"));
	CU_ASSERT_PTR_NOT_NULL(strstr(BM_StrError(-EALREADY), "published"));
	CU_ASSERT_PTR_NOT_NULL(strstr(BM_StrError(-ENODATA), "file"));
	CU_ASSERT_PTR_NOT_NULL(strstr(BM_StrError(-EOPNOTSUPP), "module"));
	CU_ASSERT_PTR_NOT_NULL(strstr(BM_StrError(-EEXIST), "exists"));
	CU_ASSERT_PTR_NOT_NULL(strstr(BM_StrError(-EPERM), "another user"));
}

int main(void)
{
	static const struct {
		const char *suite;
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "strerror", "never NULL", test_strerror_never_null },
		{ "strerror", "negative and positive errno", test_strerror_sign },
		{ "strerror", "memfabric wording", test_strerror_wording },
		{ "strerror", "libc fallback", test_strerror_fallback },
		{ "strerror", "threads", test_strerror_threads },
		{ "config", "good files", test_conf_good },
		{ "config", "comments and blanks", test_conf_comments },
		{ "config", "unknown key", test_conf_unknown_key },
		{ "config", "malformed lines", test_conf_malformed },
		{ "config", "missing, directory, too big", test_conf_files },
		{ "config", "flags and defaults", test_init_flags_and_defaults },
		{ "attr", "argument checks", test_attr_args },
		{ "attr", "value checks", test_attr_values },
		{ "attr", "overrides the file", test_attr_overrides_file },
		{ "attr", "regular file as device", test_attr_regular_file_device },
		{ "state", "BM_Exit without BM_Init", test_exit_without_init },
		{ "state", "BM_Version arguments", test_version_args },
		{ "state", "no fd leak on failure", test_no_fd_leak },
		{ "state", "concurrent init/exit", test_threads },
		{ "state", "BigMemory calls without BM_Init",
		  test_bm_without_init },
		{ "strerror", "BigMemory error codes", test_strerror_bm_codes },
	};
	CU_pSuite suite = NULL;
	const char *cur = NULL;
	unsigned failures;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!cur || strcmp(cur, tests[i].suite)) {
			cur = tests[i].suite;
			suite = CU_add_suite(cur, NULL, NULL);
		}
		if (!suite || !CU_add_test(suite, tests[i].name, tests[i].fn)) {
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	cleanup_tmpdir();
	return failures ? 1 : 0;
}
