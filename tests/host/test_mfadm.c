// SPDX-License-Identifier: GPL-2.0
/*
 * test_mfadm.c - mfadm's command line and error paths on the host.
 *
 * Runs build/tools/mfadm (found next to this program's build directory:
 * build/tests/host/test_mfadm -> build/tools/mfadm) and checks exit
 * status, stdout and stderr.  Needs no kernel module: every case that
 * opens a device names one with -c CONFIG.  `mfadm version` against the
 * real module is tested in the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <memfabric/bm.h>

static char mfadm[PATH_MAX];
static char tmpdir[] = "/tmp/mf-test-mfadm.XXXXXX";
static char conf_nodev[PATH_MAX], conf_null[PATH_MAX], conf_bad[PATH_MAX];
static char conf_noperm[PATH_MAX], noperm_dev[PATH_MAX];

struct result {
	int status;	/* exit status, or -1 */
	char out[8192];
	char err[8192];
	int err_lines;
};

static void slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/*
 * Run mfadm with @args (NULL-terminated); stdout to @stdout_path when
 * given.  @as_nobody: drop root first (for permission tests).
 */
static void run_full(struct result *r, const char *stdout_path, int as_nobody,
		     const char *const *args)
{
	char out[PATH_MAX], err[PATH_MAX];
	const char *argv[16] = { mfadm };
	int n = 1, status;
	pid_t pid;

	for (; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	snprintf(out, sizeof(out), "%s/stdout", tmpdir);
	snprintf(err, sizeof(err), "%s/stderr", tmpdir);

	pid = fork();
	if (pid == 0) {
		int o = open(stdout_path ? stdout_path : out,
			     O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		if (as_nobody && (setgid(65534) || setuid(65534)))
			_exit(126);
		execv(mfadm, (char *const *)argv);
		_exit(127);
	}
	r->status = -1;
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	if (stdout_path)
		r->out[0] = '\0';
	else
		slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
	r->err_lines = 0;
	for (const char *p = r->err; *p; p++)
		r->err_lines += *p == '\n';
}

#define RUN(r, ...) \
	run_full((r), NULL, 0, (const char *const[]){ __VA_ARGS__, NULL })

static void write_file(char *path, const char *name, const char *text)
{
	FILE *f;

	snprintf(path, PATH_MAX, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
}

static void test_version_option(void)
{
	struct result r;

	RUN(&r, "--version");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_STRING_EQUAL(r.out, "mfadm " BM_LIB_VERSION "\n");
	CU_ASSERT_STRING_EQUAL(r.err, "");
}

static void test_help(void)
{
	struct result r;

	RUN(&r, "--help");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage: mfadm"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "version"));
	CU_ASSERT_STRING_EQUAL(r.err, "");

	RUN(&r, "help");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage: mfadm"));

	RUN(&r, "-h");
	CU_ASSERT_EQUAL(r.status, 0);

	RUN(&r, "help", "version");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage: mfadm version"));

	RUN(&r, "version", "--help");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage: mfadm version"));
}

static void test_usage_errors(void)
{
	struct result r;

	RUN(&r, "frobnicate");
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_EQUAL(r.err_lines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "unknown command 'frobnicate'"));
	CU_ASSERT_STRING_EQUAL(r.out, "");

	RUN(&r, "help", "frobnicate");
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_EQUAL(r.err_lines, 1);

	RUN(&r, "--frobnicate");
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_EQUAL(r.err_lines, 1);

	RUN(&r, "version", "extra");
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_EQUAL(r.err_lines, 1);

	RUN(&r, "-c");
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_EQUAL(r.err_lines, 1);

	/* No command: usage on stderr. */
	run_full(&r, NULL, 0, (const char *const[]){ NULL });
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "usage: mfadm"));
}

static void test_module_not_loaded(void)
{
	struct result r;

	RUN(&r, "-c", conf_nodev, "version");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_EQUAL(r.err_lines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "mfadm: memfabric module not loaded"));
	CU_ASSERT_STRING_EQUAL(r.out, "");

	RUN(&r, "--config=/nonexistent/mf.conf", "version");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_EQUAL(r.err_lines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/nonexistent/mf.conf"));

	/* Without -c: the default device. */
	if (access(BM_DEFAULT_DEVICE, F_OK) != 0) {
		RUN(&r, "version");
		CU_ASSERT_EQUAL(r.status, 1);
		CU_ASSERT_STRING_EQUAL(r.err, "mfadm: memfabric module not "
					      "loaded (no /dev/memfabric)\n");
	}
}

static void test_not_memfabric(void)
{
	struct result r;

	RUN(&r, "-c", conf_null, "version");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_EQUAL(r.err_lines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "not a memfabric device"));
}

static void test_bad_config(void)
{
	struct result r;

	/* libmemfabric names the line, mfadm the file. */
	RUN(&r, "-c", conf_bad, "version");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, ":2: unknown key 'colour'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "mfadm: invalid config file"));
}

static void test_permission_denied(void)
{
	struct result r;

	if (geteuid() != 0) {
		/* Mode 0 keeps out everybody but root. */
		RUN(&r, "-c", conf_noperm, "version");
	} else {
		run_full(&r, NULL, 1,
			 (const char *const[]){ "-c", conf_noperm, "version",
						NULL });
	}
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_EQUAL(r.err_lines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "mfadm: permission denied"));
}

/* mfadm pool/devices/stats: help and command-line errors need no module. */
static void test_pool_help(void)
{
	struct result r;

	RUN(&r, "help", "pool");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage: mfadm pool COMMAND"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "add"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "check"));

	RUN(&r, "help", "pool", "add");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage: mfadm pool add NAME"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "--cxl-region"));

	RUN(&r, "pool", "remove", "--help");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage: mfadm pool remove NAME"));

	RUN(&r, "pool", "-h");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage: mfadm pool COMMAND"));

	RUN(&r, "--help");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "pool"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "devices"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "stats"));

	/* No subcommand: the group's usage on stderr. */
	RUN(&r, "pool");
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "usage: mfadm pool"));
	CU_ASSERT_STRING_EQUAL(r.out, "");
}

/* Each bad command line: exit 2, one line on stderr, nothing on stdout. */
static void usage_error(const char *want, const char *const *args)
{
	struct result r;

	run_full(&r, NULL, 0, args);
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_EQUAL(r.err_lines, 1);
	CU_ASSERT_STRING_EQUAL(r.out, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, want));
	if (r.status != 2 || !strstr(r.err, want))
		fprintf(stderr, "\n    for %s ...: status %d, stderr %s",
			args[0], r.status, r.err);
}

#define USAGE_ERROR(want, ...) \
	usage_error((want), (const char *const[]){ __VA_ARGS__, NULL })

static void test_pool_usage_errors(void)
{
	USAGE_ERROR("unknown pool command 'frob'", "pool", "frob");
	USAGE_ERROR("unknown pool command 'frob'", "help", "pool", "frob");
	USAGE_ERROR("no pool NAME", "pool", "add");
	USAGE_ERROR("give a backend", "pool", "add", "p");
	USAGE_ERROR("give one backend", "pool", "add", "p", "--ram", "4M",
		    "--pmem", "/dev/pmem0");
	USAGE_ERROR("bad pool name", "pool", "add", "a b", "--ram", "4M");
	USAGE_ERROR("bad pool name", "pool", "add",
		    "abcdefghijklmnopqrstuvwxyz012345", "--ram", "4M");
	USAGE_ERROR("bad size '4X'", "pool", "add", "p", "--ram", "4X");
	USAGE_ERROR("bad size", "pool", "add", "p", "--ram", "-4M");
	USAGE_ERROR("bad size", "pool", "add", "p", "--ram", "");
	USAGE_ERROR("bad size", "pool", "add", "p", "--ram", "0");
	USAGE_ERROR("bad size", "pool", "add", "p", "--ram", "16777216T");
	USAGE_ERROR("not a multiple of 2 MiB", "pool", "add", "p", "--ram",
		    "1M");
	USAGE_ERROR("not a multiple of 2 MiB", "pool", "add", "p", "--pmem",
		    "/dev/pmem0", "--size", "3M");
	USAGE_ERROR("--ram takes the size", "pool", "add", "p", "--ram", "4M",
		    "--size", "4M");
	USAGE_ERROR("bad --unit", "pool", "add", "p", "--ram", "4M", "--unit",
		    "6K");
	USAGE_ERROR("bad --unit", "pool", "add", "p", "--ram", "4M", "--unit",
		    "2K");
	USAGE_ERROR("needs --size", "pool", "add", "p", "--node", "1");
	USAGE_ERROR("bad --node", "pool", "add", "p", "--node", "-1",
		    "--size", "4M");
	USAGE_ERROR("--online goes with --dax", "pool", "add", "p", "--ram",
		    "4M", "--online");
	USAGE_ERROR("unknown option '--frob'", "pool", "add", "p", "--frob");
	USAGE_ERROR("'--ram' needs a value", "pool", "add", "p", "--ram");
	USAGE_ERROR("unexpected argument 'q'", "pool", "add", "p", "q",
		    "--ram", "4M");
	USAGE_ERROR("no pool NAME", "pool", "remove");
	USAGE_ERROR("unexpected argument 'q'", "pool", "check", "p", "q");
	USAGE_ERROR("unknown option '-x'", "pool", "list", "-x");
	USAGE_ERROR("unexpected argument 'x'", "pool", "list", "x");
	USAGE_ERROR("unexpected argument 'x'", "devices", "x");
	USAGE_ERROR("unknown option '--frob'", "stats", "--frob");
}

/* The pool commands say so when there is no module. */
static void test_pool_no_module(void)
{
	static const char *const cmds[][6] = {
		{ "pool", "list" },
		{ "pool", "check", "pool0" },
		{ "pool", "remove", "pool0" },
		{ "-q", "pool", "add", "p", "--ram", "4M" },
		{ "stats" },
	};
	struct result r;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *args[10] = { "-c", conf_nodev };

		for (size_t j = 0; j < 6 && cmds[i][j]; j++)
			args[2 + j] = cmds[i][j];
		run_full(&r, NULL, 0, args);
		CU_ASSERT_EQUAL(r.status, 1);
		CU_ASSERT_EQUAL(r.err_lines, 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.err,
					      "mfadm: memfabric module not loaded"));
		CU_ASSERT_STRING_EQUAL(r.out, "");
	}
}

/* mfadm devices needs no module: a JSON object with every section. */
static void test_devices(void)
{
	static const char *const keys[] = { "\"cxl_memdevs\": [",
		"\"cxl_regions\": [", "\"pmem_regions\": [",
		"\"pmem_namespaces\": [", "\"dax_devices\": [",
		"\"numa_nodes\": [" };
	struct result r;

	RUN(&r, "-c", conf_nodev, "devices");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_STRING_EQUAL(r.err, "");
	CU_ASSERT_EQUAL(r.out[0], '{');
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "}\n"));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, keys[i]));
	if (access("/sys/devices/system/node/node0", F_OK) == 0)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\"node\": 0,"));

	RUN(&r, "devices", "-u");
	CU_ASSERT_EQUAL(r.status, 0);
	if (access("/sys/devices/system/node/node0", F_OK) == 0)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, " MiB\"") ||
				       strstr(r.out, " GiB\""));
}

/*
 * The layout scripts may rely on, which mfadm printed before it used
 * json-c: what python3's json.dumps(indent=2) prints ("key": value, two
 * spaces of indentation, [] and {} for empty ones) and a newline.
 */
static void test_devices_layout(void)
{
	char out[PATH_MAX], cmd[2 * PATH_MAX + 512];
	struct result r;

	if (system("python3 -c '' 2>/dev/null") != 0) {
		fprintf(stderr, "\n    no python3: layout not checked\n");
		return;
	}
	snprintf(out, sizeof(out), "%s/devices.json", tmpdir);
	for (int human = 0; human < 2; human++) {
		run_full(&r, out, 0, (const char *const[]){ "-c", conf_nodev,
			 "devices", human ? "-u" : NULL, NULL });
		CU_ASSERT_EQUAL(r.status, 0);
		snprintf(cmd, sizeof(cmd),
			 "python3 -c 'import json, sys; t = open(sys.argv[1]).read(); "
			 "sys.exit(t != json.dumps(json.loads(t), indent=2, "
			 "ensure_ascii=False) + \"\\n\")' %s", out);
		CU_ASSERT_EQUAL(system(cmd), 0);
	}
	unlink(out);
}

static void test_write_error(void)
{
	struct result r;

	run_full(&r, "/dev/full", 0, (const char *const[]){ "help", NULL });
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "cannot write output"));
}

static int setup(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return -1;
	self[n] = '\0';
	/* build/tests/host/test_mfadm -> build/tools/mfadm */
	snprintf(mfadm, sizeof(mfadm), "%s/../../tools/mfadm", dirname(self));
	if (access(mfadm, X_OK)) {
		fprintf(stderr, "test_mfadm: %s: %s (build tools/ first)\n",
			mfadm, strerror(errno));
		return -1;
	}
	if (!mkdtemp(tmpdir) || chmod(tmpdir, 0755))
		return -1;
	write_file(conf_nodev, "nodev.conf",
		   "device = /nonexistent/memfabric-test\n");
	write_file(conf_null, "null.conf", "device = /dev/null\n");
	write_file(conf_bad, "bad.conf", "device = /dev/null\ncolour = blue\n");
	write_file(noperm_dev, "noperm-dev", "");
	if (chmod(noperm_dev, 0))
		return -1;
	{
		char text[PATH_MAX + 16];

		snprintf(text, sizeof(text), "device = %s\n", noperm_dev);
		write_file(conf_noperm, "noperm.conf", text);
	}
	return 0;
}

static void cleanup(void)
{
	static const char *const names[] = { "nodev.conf", "null.conf",
		"bad.conf", "noperm-dev", "noperm.conf", "stdout", "stderr" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int main(void)
{
	CU_pSuite s;
	unsigned failures;

	if (setup()) {
		cleanup();
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("mfadm", NULL, NULL);
	if (!s || !CU_add_test(s, "--version", test_version_option) ||
	    !CU_add_test(s, "help", test_help) ||
	    !CU_add_test(s, "usage errors", test_usage_errors) ||
	    !CU_add_test(s, "module not loaded", test_module_not_loaded) ||
	    !CU_add_test(s, "not a memfabric device", test_not_memfabric) ||
	    !CU_add_test(s, "bad config", test_bad_config) ||
	    !CU_add_test(s, "permission denied", test_permission_denied) ||
	    !CU_add_test(s, "write error", test_write_error) ||
	    !CU_add_test(s, "pool help", test_pool_help) ||
	    !CU_add_test(s, "pool usage errors", test_pool_usage_errors) ||
	    !CU_add_test(s, "pool without module", test_pool_no_module) ||
	    !CU_add_test(s, "devices", test_devices) ||
	    !CU_add_test(s, "devices layout", test_devices_layout)) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	cleanup();
	return failures ? 1 : 0;
}
