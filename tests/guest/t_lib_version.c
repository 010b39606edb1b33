// SPDX-License-Identifier: GPL-2.0
/*
 * t_lib_version.c - libmemfabric against the real module (guest, as root,
 * memfabric loaded): BM_Init/BM_Exit reference counting, BM_Version
 * against MF_IOC_VERSION and /sys/kernel/memfabric/version, and
 * `mfadm version` when the tool is in the build tree next to this test.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/memfabric.h>
#include <memfabric/bm.h>

#include "mftest.h"

#define SYSFS_VERSION "/sys/kernel/memfabric/version"

/* Descriptors of this process open on the default device; -1 on error. */
static int device_fds(int *cloexec)
{
	struct stat dev, st;
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (stat(BM_DEFAULT_DEVICE, &dev))
		return -1;
	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	if (cloexec)
		*cloexec = 1;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		if (stat(path, &st) || !S_ISCHR(st.st_mode) ||
		    st.st_rdev != dev.st_rdev)
			continue;
		n++;
		if (cloexec && !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
			*cloexec = 0;
	}
	closedir(d);
	return n;
}

static BmVersion version_arg(void)
{
	BmVersion v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	return v;
}

static void test_before_init(void)
{
	BmVersion v = version_arg();

	MFT_RET(BM_Exit(), -EINVAL, "BM_Exit without BM_Init");
	MFT_RET(BM_Version(&v), -ENODEV, "BM_Version without BM_Init");
	MFT_CHECK(device_fds(NULL) == 0, "no device fd before BM_Init");
}

static void test_version(void)
{
	struct mf_version k;
	BmVersion v = version_arg();
	char sysfs[64] = "";
	FILE *f;
	int fd, cloexec;

	MFT_RET(BM_Init(NULL, 0), 0, "BM_Init(NULL, 0)");
	MFT_CHECK(device_fds(&cloexec) == 1, "BM_Init opens the device once");
	MFT_CHECK(cloexec, "the device fd is close-on-exec");

	MFT_RET(BM_Version(&v), 0, "BM_Version");
	MFT_CHECK(v.abiMajor == MF_ABI_MAJOR, "ABI major is 1");
	MFT_CHECK(v.moduleVersion[0] != '\0', "module version not empty");
	MFT_CHECK(memchr(v.moduleVersion, '\0', sizeof(v.moduleVersion)),
		  "module version NUL-terminated");
	MFT_CHECK(!strcmp(v.libraryVersion, BM_LIB_VERSION),
		  "library version is BM_LIB_VERSION");
	MFT_CHECK(v.size == sizeof(v) && v.flags == 0,
		  "size and flags unchanged");

	/* The same answer as the ioctl itself. */
	fd = open(BM_DEFAULT_DEVICE, O_RDONLY | O_CLOEXEC);
	memset(&k, 0, sizeof(k));
	k.size = sizeof(k);
	MFT_OK(fd >= 0 ? ioctl(fd, MF_IOC_VERSION, &k) : -1, "MF_IOC_VERSION");
	if (fd >= 0)
		close(fd);
	MFT_CHECK(k.abi_major == v.abiMajor && k.abi_minor == v.abiMinor &&
		  k.features == v.features &&
		  !strcmp(k.module_version, v.moduleVersion),
		  "BM_Version matches MF_IOC_VERSION");

	/* And as sysfs. */
	f = fopen(SYSFS_VERSION, "r");
	MFT_CHECK(f != NULL, SYSFS_VERSION " exists");
	if (f) {
		if (!fgets(sysfs, sizeof(sysfs), f))
			sysfs[0] = '\0';
		fclose(f);
		sysfs[strcspn(sysfs, "\n")] = '\0';
	}
	mft_report(sysfs[0] && !strcmp(sysfs, v.moduleVersion),
		   "module version equals " SYSFS_VERSION,
		   "BM_Version \"%s\", sysfs \"%s\"", v.moduleVersion, sysfs);
	MFT_CHECK(v.features & BM_FEAT_SYSFS, "features has sysfs");

	MFT_RET(BM_Exit(), 0, "BM_Exit");
	MFT_CHECK(device_fds(NULL) == 0, "last BM_Exit closes the device");
}

static void test_version_struct_sizes(void)
{
	struct {
		BmVersion v;
		unsigned char tail[16];
	} big;
	BmVersion v = version_arg();
	int zero = 1;

	MFT_RET(BM_Init(NULL, 0), 0, "BM_Init for size tests");
	v.size = sizeof(v) - 1;
	MFT_RET(BM_Version(&v), -EINVAL, "BM_Version size too small");
	v = version_arg();
	v.flags = 1;
	MFT_RET(BM_Version(&v), -EINVAL, "BM_Version flags != 0");

	/* A newer, larger struct: what we do not know is zeroed. */
	memset(&big, 0xa5, sizeof(big));
	big.v.size = sizeof(big);
	big.v.flags = 0;
	MFT_RET(BM_Version(&big.v), 0, "BM_Version with a larger struct");
	for (size_t i = 0; i < sizeof(big.tail); i++)
		zero &= big.tail[i] == 0;
	MFT_CHECK(zero, "unknown tail of a larger struct is zeroed");
	MFT_CHECK(big.v.abiMajor == MF_ABI_MAJOR, "larger struct filled in");
	MFT_RET(BM_Exit(), 0, "BM_Exit after size tests");
}

static void test_refcount(void)
{
	BmVersion v = version_arg();

	MFT_RET(BM_Init(NULL, 0), 0, "first BM_Init");
	MFT_RET(BM_Init(NULL, 0), 0, "second BM_Init");
	MFT_CHECK(device_fds(NULL) == 1, "two inits share one fd");
	MFT_RET(BM_Exit(), 0, "first BM_Exit");
	MFT_RET(BM_Version(&v), 0, "BM_Version after one of two BM_Exit");
	MFT_CHECK(device_fds(NULL) == 1, "device still open after one exit");
	MFT_RET(BM_Exit(), 0, "second BM_Exit");
	v = version_arg();
	MFT_RET(BM_Version(&v), -ENODEV, "BM_Version after the last BM_Exit");
	MFT_CHECK(device_fds(NULL) == 0, "device closed after the last exit");
	MFT_RET(BM_Exit(), -EINVAL, "one BM_Exit too many");

	/* Init again after a full exit. */
	MFT_RET(BM_Init(NULL, 0), 0, "BM_Init after a full exit");
	MFT_RET(BM_Exit(), 0, "BM_Exit after re-init");
}

static void test_settings(void)
{
	char conf[] = "/tmp/t_lib_version.XXXXXX";
	BmInitAttr a;
	int fd;

	MFT_RET(BM_Init(NULL, 0), 0, "BM_Init with defaults");

	/* Another pool than the session's: refused, no reference taken. */
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.defaultPool = "other";
	MFT_RET(BM_InitWithExtAttr(NULL, 0, &a), -EBUSY,
		"BM_InitWithExtAttr with another pool while initialised");

	/* The same settings spelt out: a reference. */
	a.defaultPool = BM_DEFAULT_POOL;
	a.device = BM_DEFAULT_DEVICE;
	a.logLevel = BM_LOG_DEBUG; /* log level of later calls is ignored */
	MFT_RET(BM_InitWithExtAttr(NULL, 0, &a), 0,
		"BM_InitWithExtAttr with the same settings");
	MFT_RET(BM_Exit(), 0, "BM_Exit of the attr reference");

	/* A config file naming the same settings. */
	fd = mkstemp(conf);
	if (fd >= 0) {
		static const char text[] = "# test\ndevice = /dev/memfabric\n"
					   "default_pool = pool0\n"
					   "log_level = warn\n";
		if (write(fd, text, sizeof(text) - 1) < 0)
			perror(conf);
		close(fd);
	}
	MFT_RET(BM_Init(conf, 0), 0, "BM_Init with a config file");
	MFT_RET(BM_Exit(), 0, "BM_Exit of the config reference");
	unlink(conf);

	MFT_RET(BM_Exit(), 0, "BM_Exit of the defaults reference");
	MFT_RET(BM_Exit(), -EINVAL, "all references dropped");

	/* A fresh session with a config file and an attr. */
	a.defaultPool = "pool7";
	a.logLevel = BM_LOG_UNSET;
	MFT_RET(BM_InitWithExtAttr(NULL, 0, &a), 0,
		"BM_InitWithExtAttr opens a session with another pool");
	MFT_RET(BM_Init(NULL, 0), -EBUSY,
		"BM_Init with the default pool then is refused");
	MFT_RET(BM_Exit(), 0, "BM_Exit of the pool7 session");
}

#define NTHREADS 4
#define NITER 200

static void *init_exit_thread(void *p)
{
	long *bad = p;

	for (int i = 0; i < NITER; i++) {
		BmVersion v = version_arg();

		if (BM_Init(NULL, 0)) {
			(*bad)++;
			continue;
		}
		if (BM_Version(&v) || v.abiMajor != MF_ABI_MAJOR)
			(*bad)++;
		if (BM_Exit())
			(*bad)++;
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[NTHREADS];
	long bad[NTHREADS] = { 0 };
	long total = 0;
	int started = 0;

	for (int i = 0; i < NTHREADS; i++)
		if (!pthread_create(&t[i], NULL, init_exit_thread, &bad[i]))
			started++;
	MFT_CHECK(started == NTHREADS, "threads started");
	for (int i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		total += bad[i];
	}
	mft_report(total == 0, "concurrent BM_Init/BM_Version/BM_Exit",
		   "%ld failed calls", total);
	MFT_RET(BM_Exit(), -EINVAL, "no reference left after the threads");
	MFT_CHECK(device_fds(NULL) == 0, "no device fd left after the threads");
}

static void test_unprivileged(void)
{
	struct stat st;
	int status = -1;
	pid_t pid;

	/* Only meaningful when the node keeps "other" users out. */
	if (stat(BM_DEFAULT_DEVICE, &st) || (st.st_mode & 0006) == 0006)
		return;
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(100);
		_exit(BM_Init(NULL, 0) == -EACCES ? 0 : 1);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	MFT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "BM_Init as nobody gives -EACCES");
}

/* `mfadm version` prints the same versions, when built next to us. */
static void test_mfadm(const char *self)
{
	char exe[PATH_MAX], dir[PATH_MAX], cmd[PATH_MAX + 32], out[512] = "";
	char want[256];
	BmVersion v = version_arg();
	ssize_t n;
	FILE *p;

	n = readlink(self, exe, sizeof(exe) - 1);
	if (n < 0)
		return;
	exe[n] = '\0';
	/* build/tests/guest/t_lib_version -> build/tools/mfadm */
	snprintf(dir, sizeof(dir), "%s", dirname(exe));
	snprintf(cmd, sizeof(cmd), "%s/../../tools/mfadm", dir);
	if (access(cmd, X_OK)) {
		printf("# %s not built: mfadm checks skipped\n", cmd);
		return;
	}
	strcat(cmd, " version");

	if (BM_Init(NULL, 0) == 0) {
		BM_Version(&v);
		BM_Exit();
	}
	snprintf(want, sizeof(want), "{\"module\":\"%s\",\"abi\":\"%u.%u\",",
		 v.moduleVersion, v.abiMajor, v.abiMinor);

	p = popen(cmd, "r");
	MFT_CHECK(p != NULL, "popen mfadm version");
	if (p) {
		if (!fgets(out, sizeof(out), p))
			out[0] = '\0';
		mft_report(pclose(p) == 0, "mfadm version exits 0", "%s", cmd);
	}
	mft_report(!strncmp(out, want, strlen(want)),
		   "mfadm version prints module and ABI",
		   "got %s, want prefix %s", out, want);
	snprintf(want, sizeof(want), "\"library\":\"%s\"}\n", BM_LIB_VERSION);
	mft_report(strstr(out, want) != NULL, "mfadm version prints library",
		   "got %s", out);
}

int main(int argc, char **argv)
{
	(void)argc;
	mft_init(argv[0]);

	test_before_init();
	test_version();
	test_version_struct_sizes();
	test_refcount();
	test_settings();
	test_threads();
	test_unprivileged();
	test_mfadm("/proc/self/exe");
	return mft_done();
}
