// SPDX-License-Identifier: GPL-2.0
//
// lib_unit.cpp - deterministic regression tests of libmemfabric against the
// fake device (fakedev.h), for issue 20.  Each test forces the interleaving
// of its defect with the fake's ioctl hooks; built and run under
// ASan+UBSan and under ThreadSanitizer by tests/host/t_lib_sanitize.sh.
//
//   lib_unit [TEST...]      (default: all)
#include "fakelib.h"

#include <chrono>
#include <functional>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <linux/memfabric.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

// ---- allocation failures on demand ---------------------------------------

// The calling thread's allocations fail once this reaches 0 (-1: never).
static thread_local long t_failIn = -1;
static thread_local bool t_failed;

void *operator new(size_t n)
{
	if (t_failIn >= 0 && t_failIn-- == 0) {
		t_failed = true;
		throw std::bad_alloc();
	}
	void *p = malloc(n ? n : 1);
	if (!p)
		throw std::bad_alloc();
	return p;
}
void operator delete(void *p) noexcept { free(p); }
void operator delete(void *p, size_t) noexcept { free(p); }

// ---- hooks -----------------------------------------------------------------

static std::function<void(unsigned long, void *, int)> g_before, g_after;
static std::atomic<std::thread::id> g_hookThread;

// The fake kernel's own allocations never fail (the real kernel's are
// not the library's business).
static thread_local long t_failSaved = -1;

static void beforeHook(unsigned long cmd, void *arg, int rc)
{
	t_failSaved = t_failIn;
	t_failIn = -1;
	if (std::this_thread::get_id() == g_hookThread.load() && g_before)
		g_before(cmd, arg, rc);
}

static void afterHook(unsigned long cmd, void *arg, int rc)
{
	t_failIn = t_failSaved;
	if (std::this_thread::get_id() == g_hookThread.load() && g_after)
		g_after(cmd, arg, rc);
}

// Run @f in another thread, to completion.
static void inOtherThread(const std::function<void()> &f)
{
	std::thread t(f);
	t.join();
}

static void clearHooks()
{
	g_before = nullptr;
	g_after = nullptr;
}

static void setup()
{
	clearHooks();
	g_hookThread = std::this_thread::get_id();
	CHECK_EQ(fake_init(), 0);
	int rc = BM_CreateNSSec("", "u", 0, "sec");
	CHECK(rc == 0 || rc == -EEXIST);
}

static void teardown()
{
	clearHooks();
	CHECK_EQ(BM_DestroyNSSec("", "u", "sec"), 0);
	CHECK_EQ(BM_Exit(), 0);
	CHECK_EQ(fake_nr_handles(), 0);
	CHECK_EQ(fake_nr_files(), 0);
}

// ---- the tests ---------------------------------------------------------------

// Defect 1: the last BM_PutSec freed its Entry, then wrote into it (ASan:
// heap-use-after-free in releaseLocked).
static void t_put_last()
{
	setup();
	for (int i = 0; i < 50; i++) {
		BmInfo b = fake_info("u", "put");
		CHECK_EQ(BM_AllocSec(&b, 4096, 0, NULL), 0);
		CHECK_EQ(BM_GetSec(&b, 0), 0);
		CHECK_EQ(BM_PutSec(&b, 0), 0);
		CHECK_EQ(BM_PutSec(&b, 0), 0);
		CHECK_EQ(BM_PutSec(&b, 0), -ENOENT);
		CHECK_EQ(BM_FreeSec(&b, 0), 0);
	}
	CHECK_EQ(fake_nr_objects(), 0);
	teardown();
}

// Defect 2: BM_FreeSec orphaned whatever the name mapped to after the FREE
// ioctl, here another thread's new object under the same name.
static void t_free_vs_alloc()
{
	setup();
	BmInfo x = fake_info("u", "x2");
	CHECK_EQ(BM_AllocSec(&x, 4096, 0, NULL), 0);
	g_after = [&](unsigned long cmd, void *, int rc) {
		if (cmd != MF_IOC_OBJ_FREE || rc)
			return;
		g_after = nullptr;
		inOtherThread([] {
			BmInfo y = fake_info("u", "x2");
			CHECK_EQ(BM_AllocSec(&y, 8192, 0, NULL), 0);
		});
	};
	CHECK_EQ(BM_FreeSec(&x, 0), 0);
	clearHooks();
	BmInfo y = fake_info("u", "x2");
	CHECK_EQ(session_refs(y), 1);
	CHECK_EQ(fake_obj_refs("u", "x2"), 1);
	CHECK_EQ(BM_PutSec(&y, 0), 0);
	CHECK_EQ(BM_FreeSec(&y, 0), 0);

	// The same through BM_BatchFreeSec.
	CHECK_EQ(BM_AllocSec(&x, 4096, 0, NULL), 0);
	g_after = [&](unsigned long cmd, void *, int rc) {
		if (cmd != MF_IOC_OBJ_BATCH_FREE || rc)
			return;
		g_after = nullptr;
		inOtherThread([] {
			BmInfo z = fake_info("u", "x2");
			CHECK_EQ(BM_AllocSec(&z, 8192, 0, NULL), 0);
		});
	};
	char id[] = "x2";
	char *ids[] = { id };
	CHECK_EQ(BM_BatchFreeSec(ids, 1, 0, "u", "sec"), 1);
	clearHooks();
	CHECK_EQ(session_refs(y), 1);
	CHECK_EQ(BM_PutSec(&y, 0), 0);
	CHECK_EQ(BM_FreeSec(&y, 0), 0);
	CHECK_EQ(fake_nr_objects(), 0);
	teardown();
}

// Defect 3: a fast-path call preempted between its generation check and its
// ioctl, while the object is freed and its number handed to a new object
// that the same open file holds, must not reach the new object.
static void t_reuse(bool copy)
{
	setup();
	uint64_t oldMax = fake_set_nr_max(1); // the next object reuses 1
	BmInfo x = fake_info("u", "x3"), s = fake_info("u", "src3");
	char buf[64];
	memset(buf, 'A', sizeof(buf));
	if (copy) {
		// COPY needs two handles: give the source number 1's
		// neighbour (a larger space, then shrink it to the source).
		fake_set_nr_max(2);
		CHECK_EQ(BM_AllocSec(&s, 4096, 0, NULL), 0);
		CHECK_EQ(BM_WriteSec(&s, 0, sizeof(buf), buf, 0), 0);
	}
	CHECK_EQ(BM_AllocSec(&x, 4096, 0, NULL), 0);
	// Twice: the second goes through the fast path.
	for (int i = 0; i < 2; i++) {
		if (copy)
			CHECK_EQ(BM_CopySec(&s, 0, &x, 0, 16, 0), 0);
		else
			CHECK_EQ(BM_WriteSec(&x, 0, 16, buf, 0), 0);
	}
	unsigned long want = copy ? MF_IOC_OBJ_COPY : MF_IOC_OBJ_WRITE;
	bool reused = false;
	g_before = [&](unsigned long cmd, void *, int) {
		if (cmd != want)
			return;
		g_before = nullptr;
		inOtherThread([&] {
			BmInfo old = fake_info("u", "x3");
			BmInfo y = fake_info("u", "y3");
			long r0 = fake_nr_reuses();
			CHECK_EQ(BM_FreeSec(&old, 0), 0);
			CHECK_EQ(BM_AllocSec(&y, 4096, 0, NULL), 0);
			reused = fake_nr_reuses() > r0;
		});
	};
	int rc = copy ? BM_CopySec(&s, 0, &x, 0, 64, 0) :
			BM_WriteSec(&x, 0, 64, buf, 0);
	clearHooks();
	CHECK(reused);
	CHECK_EQ(rc, -ENOENT);
	BmInfo y = fake_info("u", "y3");
	char got[64], zero[64] = { 0 };
	CHECK_EQ(BM_ReadSec(&y, 0, sizeof(got), got, 0), 0);
	CHECK(memcmp(got, zero, sizeof(got)) == 0);
	CHECK_EQ(BM_FreeSec(&y, 0), 0);
	if (copy)
		CHECK_EQ(BM_FreeSec(&s, 0), 0);
	fake_set_nr_max(oldMax);
	CHECK_EQ(fake_nr_objects(), 0);
	teardown();
}

static void t_reuse_write() { t_reuse(false); }
static void t_reuse_copy() { t_reuse(true); }

// Defect 4: a new secId stored for a handle must invalidate the names the
// fast path cached with the old one.
static void t_secid_gen()
{
	setup();
	CHECK_EQ(BM_CreateNSSec("", "sg", 0, "old"), 0);
	BmInfo a = fake_info("sg", "o", "old");
	char buf[8] = "abcdefg";
	CHECK_EQ(BM_AllocSec(&a, 4096, 0, NULL), 0);
	CHECK_EQ(BM_WriteSec(&a, 0, 8, buf, 0), 0);
	CHECK_EQ(BM_WriteSec(&a, 0, 8, buf, 0), 0); // cached
	// The namespace is destroyed and made again with another secId:
	// the held object lives on, reachable through the held handle.
	// (Played here as a secId change, the fake's only way.)
	fake_change_secid(BM_DEFAULT_POOL, "sg", "new");
	BmInfo b = fake_info("sg", "o", "new");
	CHECK_EQ(BM_GetSec(&b, 0), 0); // the same object, secId "new"
	CHECK_EQ(BM_WriteSec(&a, 0, 8, buf, 0), -EACCES);
	CHECK_EQ(BM_PutSec(&b, 0), 0);
	CHECK_EQ(BM_FreeSec(&b, 0), 0);
	CHECK_EQ(BM_DestroyNSSec("", "sg", "new"), 0);
	teardown();
}

// Defect 4: BM_Exit waited, holding the global lock, for every thread in
// any session's fast path: a new session could not even start.
static void t_exit_no_starve()
{
	setup();
	BmInfo x = fake_info("u", "ex");
	char buf[16] = { 0 };
	CHECK_EQ(BM_AllocSec(&x, 4096, 0, NULL), 0);
	std::atomic<int> phase{ 0 };
	std::thread reader([&] {
		g_hookThread = std::this_thread::get_id();
		CHECK_EQ(BM_ReadSec(&x, 0, 16, buf, 0), 0); // slow, caches
		g_before = [&](unsigned long cmd, void *, int) {
			if (cmd != MF_IOC_OBJ_READ)
				return;
			g_before = nullptr;
			phase = 1;
			while (phase != 2) // held in the fast path
				std::this_thread::sleep_for(
					std::chrono::milliseconds(1));
		};
		int rc = BM_ReadSec(&x, 0, 16, buf, 0);
		CHECK(rc == 0 || rc == -ENODEV);
	});
	while (phase != 1)
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	std::thread exiter([&] { CHECK_EQ(BM_Exit(), 0); });
	// A new session and its calls go on meanwhile.
	std::atomic<bool> done{ false };
	std::thread other([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
		CHECK_EQ(fake_init(), 0);
		BmInfo y = fake_info("u", "ex2");
		CHECK_EQ(BM_AllocSec(&y, 4096, 0, NULL), 0);
		CHECK_EQ(BM_WriteSec(&y, 0, 16, buf, 0), 0);
		CHECK_EQ(BM_FreeSec(&y, 0), 0);
		CHECK_EQ(BM_Exit(), 0);
		done = true;
	});
	for (int i = 0; i < 3000 && !done; i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	CHECK(done);
	phase = 2;
	reader.join();
	exiter.join();
	other.join();
	g_hookThread = std::this_thread::get_id();
	CHECK_EQ(fake_init(), 0);
	CHECK_EQ(BM_FreeSec(&x, 0), 0);
	teardown();
}

// Defect 4: a std::bad_alloc must neither leak a kernel reference nor
// leave the table counting one that is gone: after every call, failed or
// not, the kernel's references are the session's.
static void t_bad_alloc()
{
	setup();
	BmInfo x = fake_info("u", "ba"), y = fake_info("u", "ba2");
	CHECK_EQ(BM_AllocSec(&x, 4096, 0, NULL), 0);
	CHECK_EQ(BM_AllocSec(&y, 4096, 0, NULL), 0);
	CHECK_EQ(BM_PutSec(&y, 0), 0); // y: no reference held
	int fails = 0;
	for (long n = 0; n < 5 * 40; n++) {
		BmStat st;
		char buf[8];
		int rc;
		BmInfo z = fake_info("u", "ba3");

		t_failIn = n % 40;
		switch (n / 40) {
		case 0:
			rc = BM_GetSec(&x, 0);
			break;
		case 1:
			rc = BM_StatSec(&y, &st);
			break;
		case 2:
			rc = BM_ReadSec(&y, 0, 8, buf, 0);
			break;
		case 3:
			rc = BM_AllocSec(&z, 4096, 0, NULL);
			break;
		default:
			t_failIn = -1;
			if (!session_refs(x))
				CHECK_EQ(BM_GetSec(&x, 0), 0);
			t_failIn = n % 40;
			rc = BM_PutSec(&x, 0);
			break;
		}
		t_failIn = -1;
		if (rc == -ENOMEM)
			fails++;
		else
			CHECK_EQ(rc, 0);
		CHECK_EQ(fake_obj_refs("u", "ba2"), 0);
		CHECK_EQ(fake_obj_refs("u", "ba"), session_refs(x));
		if (n / 40 == 3) {
			long r = fake_obj_refs("u", "ba3");
			if (!rc)
				CHECK_EQ(r, 1);
			else
				CHECK(r <= 0);
			rc = BM_FreeSec(&z, 0);
			CHECK(rc == 0 || rc == -ENOENT);
		}
		if (n % 40 == 39 && n / 40 == 0)
			while (session_refs(x) > 3)
				BM_PutSec(&x, 0);
	}
	CHECK(fails > 0);
	while (session_refs(x) > 0)
		CHECK_EQ(BM_PutSec(&x, 0), 0);
	CHECK_EQ(BM_FreeSec(&x, 0), 0);
	CHECK_EQ(BM_FreeSec(&y, 0), 0);
	CHECK_EQ(fake_nr_objects(), 0);
	teardown();
}

// Fork: the child works through a session of its own (opened at fork); the parent's
// references are untouched.
static void t_fork()
{
	setup();
	BmInfo x = fake_info("u", "fk");
	CHECK_EQ(BM_AllocSec(&x, 4096, 0, NULL), 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int bad = 0;
		// The inherited descriptor is closed already, and the
		// child has opened its own (no handles in it).
		bad |= fake_nr_files() != 1;
		bad |= (fake_nr_handles() != 0) << 2;
		// Not the parent's reference.
		bad |= (BM_PutSec(&x, 0) != -ENOENT) << 1;
		bad |= (BM_GetSec(&x, 0) != 0) << 3;
		bad |= (session_refs(x) != 1) << 4;
		bad |= (BM_PutSec(&x, 0) != 0) << 5;
		bad |= (BM_Exit() != 0) << 6;
		bad |= (fake_nr_files() != 0) << 7;
		fflush(stdout);
		_exit(bad);
	}
	int status = -1;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	CHECK_EQ(session_refs(x), 1);
	CHECK_EQ(BM_PutSec(&x, 0), 0);
	CHECK_EQ(BM_FreeSec(&x, 0), 0);
	teardown();
}

// BM_SessionOpenFd/Use/Close (mfserverd's identity-bound files): calls
// of a thread that uses a session go through that session's open file
// and handle table only, never through the data calls' cache of another
// session's handles; closing it drops its references.
static void t_session_fd()
{
	setup();
	BmInfo x = fake_info("u", "sfd");
	char buf[4];
	CHECK_EQ(BM_AllocSec(&x, 4096, 0, NULL), 0);
	CHECK_EQ(BM_WriteSec(&x, 0, 4, "abcd", 0), 0); // primes the cache
	CHECK_EQ(BM_ReadSec(&x, 0, 4, buf, 0), 0);
	int fd = open(FAKE_DEVICE, O_RDWR);
	CHECK(fd >= 0);
	BmSession *s = nullptr;
	CHECK_EQ(BM_SessionOpenFd(-1, &s), -EINVAL);
	CHECK_EQ(BM_SessionOpenFd(fd, &s), 0);
	CHECK_EQ(close(fd), 0); // the session has its own descriptor
	CHECK_EQ(fake_nr_files(), 2);
	CHECK_EQ(BM_SessionUse(s), 0);
	// Not the default session's handle.
	CHECK_EQ(BM_PutSec(&x, 0), -ENOENT);
	long before = fake_nr_ioctls();
	CHECK_EQ(BM_ReadSec(&x, 0, 4, buf, 0), 0);
	// GET, READ, PUT through its own file: the cache was not used.
	CHECK(fake_nr_ioctls() - before >= 3);
	CHECK(!memcmp(buf, "abcd", 4));
	CHECK_EQ(BM_GetSec(&x, 0), 0);
	CHECK_EQ(fake_obj_refs("u", "sfd"), 2);
	CHECK_EQ(BM_SessionUse(nullptr), 0);
	CHECK_EQ(BM_PutSec(&x, 0), 0); // the default session's
	CHECK_EQ(fake_obj_refs("u", "sfd"), 1);
	CHECK_EQ(BM_SessionClose(s), 0); // its reference goes with its file
	CHECK_EQ(fake_nr_files(), 1);
	CHECK_EQ(fake_obj_refs("u", "sfd"), 0);
	CHECK_EQ(BM_FreeSec(&x, 0), 0);
	teardown();
}

struct Test {
	const char *name;
	void (*fn)();
};

static const Test tests[] = {
	{ "put_last", t_put_last },
	{ "free_vs_alloc", t_free_vs_alloc },
	{ "reuse_write", t_reuse_write },
	{ "reuse_copy", t_reuse_copy },
	{ "secid_gen", t_secid_gen },
	{ "exit_no_starve", t_exit_no_starve },
	{ "bad_alloc", t_bad_alloc },
	{ "fork", t_fork },
	{ "session_fd", t_session_fd },
};

int main(int argc, char **argv)
{
	fake_set_hooks(beforeHook, afterHook);
	// FAKE_ABI14=1: a kernel without MF_FEAT_SERIAL (the library must
	// work with it; the number-reuse window is open there).
	bool abi14 = getenv("FAKE_ABI14") && atoi(getenv("FAKE_ABI14"));
	fake_set_serial(!abi14);
	int total = 0;
	for (const Test &t : tests) {
		bool want = argc < 2;
		if (abi14 && !strncmp(t.name, "reuse", 5))
			continue;
		for (int i = 1; i < argc; i++)
			want |= strcmp(argv[i], t.name) == 0;
		if (!want)
			continue;
		int before = g_failed;
		t.fn();
		printf("%s: lib_unit %s%s\n", g_failed == before ? "PASS" : "FAIL",
		       t.name, abi14 ? " (ABI 1.4 kernel)" : "");
		fflush(stdout);
		total++;
	}
	return g_failed ? 1 : 0;
}
