// SPDX-License-Identifier: GPL-2.0
//
// lib_stress.cpp - a multi-threaded stress of libmemfabric against the fake
// device (fakedev.h), run under ASan+UBSan and under ThreadSanitizer by
// tests/host/t_lib_sanitize.sh.
//
//   lib_stress [SECONDS [THREADS]]      (default 15 s, 4 threads)
//
// Worker threads each loop over sessions: BM_Init, a random run of alloc,
// free, batch free, get, put, stat, read, write, copy, map/unmap over a few
// shared names, BM_Exit; a cycler thread does short BM_Init/BM_Exit pairs
// and fork()s children that call the library (the workers parked between
// two calls, inside their sessions: see Quiet).  The fake's number space is
// tiny, so object numbers are reused all the time.  Checked: every return
// code is one the call may give, the data read from an object is only ever
// its own (a write that reached another object through a stale handle
// shows up as another name's tag), and at the end no handle, object or
// open file is left.
#include "fakelib.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr int kNames = 6;
constexpr size_t kSize = 4096;
constexpr size_t kTag = 16;

std::atomic<bool> g_stop{ false };
std::atomic<long> g_calls{ 0 }, g_sessions{ 0 }, g_forks{ 0 };

// A quiet point to fork at.  Neither sanitizer runtime of GCC 12 locks its
// allocator around fork(): a child forked while another thread was inside
// malloc() or free() finds that thread's allocator lock held for ever
// (gdb on a hung ASan child: SizeClassAllocator64::GetFromAllocator
// waiting for a size class's region mutex; libcurl and OpenSSL were never
// initialised).  So the cycler forks only while every worker is parked
// here between two calls, in its session with its handles and mappings:
// the child still inherits them, and the library's atfork handlers still
// run, but no other thread is in the allocator.
class Quiet {
public:
	explicit Quiet(int workers) : running_(workers) {}

	// A worker, between two calls: park while the cycler forks.
	void poll()
	{
		if (!want_.load(std::memory_order_relaxed))
			return;
		std::unique_lock<std::mutex> lock(mu_);
		parked_++;
		cv_.notify_all();
		cv_.wait(lock, [this] { return !want_.load(); });
		parked_--;
	}

	// A worker that stops (after its last call).
	void leave()
	{
		std::lock_guard<std::mutex> lock(mu_);
		running_--;
		cv_.notify_all();
	}

	// The cycler: true once every worker is parked (release them with
	// resume()), false if the run is stopping (a worker that left may
	// still be exiting its thread).
	bool hold()
	{
		std::unique_lock<std::mutex> lock(mu_);
		want_ = true;
		cv_.wait(lock,
			 [this] { return parked_ == running_ || g_stop.load(); });
		if (!g_stop)
			return true;
		want_ = false;
		cv_.notify_all();
		return false;
	}

	void resume()
	{
		std::lock_guard<std::mutex> lock(mu_);
		want_ = false;
		cv_.notify_all();
	}

private:
	std::mutex mu_;
	std::condition_variable cv_;
	std::atomic<bool> want_{ false };
	int parked_ = 0, running_;
};

Quiet *g_quiet;

std::string nameOf(int i)
{
	return "o" + std::to_string(i);
}

// The 16-byte tag object @id's data is made of.
void tagOf(const char *id, char *tag)
{
	memset(tag, 0, kTag);
	snprintf(tag, kTag, "<%s>", id);
}

bool okData(const char *id, const char *buf, size_t len)
{
	char tag[kTag], zero[kTag] = { 0 };
	tagOf(id, tag);
	for (size_t o = 0; o + kTag <= len; o += kTag)
		if (memcmp(buf + o, tag, kTag) && memcmp(buf + o, zero, kTag))
			return false;
	return true;
}

#define ALLOWED(call, ...)                                                     \
	do {                                                                   \
		int rc_ = (call);                                              \
		const int ok_[] = { 0, -ENOENT, -ENODEV, ##__VA_ARGS__ };      \
		bool good_ = false;                                            \
		for (int v_ : ok_)                                             \
			good_ |= rc_ == v_;                                    \
		if (!good_ && rc_ < 0) {                                       \
			printf("FAIL: %s:%d: %s = %d\n", __FILE__, __LINE__,   \
			       #call, rc_);                                    \
			fflush(stdout);                                        \
			g_failed++;                                            \
		}                                                              \
		g_calls++;                                                     \
		last = rc_;                                                    \
	} while (0)

void oneOp(std::mt19937 &rng)
{
	int i = static_cast<int>(rng() % kNames);
	std::string id = nameOf(i);
	BmInfo b = fake_info("st", id.c_str());
	char tag[kTag], buf[256];
	int last = 0;
	tagOf(id.c_str(), tag);
	size_t off = (rng() % (kSize / kTag - 16)) * kTag;

	switch (rng() % 13) {
	case 0:
		ALLOWED(BM_AllocSec(&b, kSize, 0, NULL), -EEXIST, -ENOSPC);
		break;
	case 1:
		ALLOWED(BM_FreeSec(&b, 0));
		break;
	case 2: {
		std::string id2 = nameOf((i + 1) % kNames);
		char *ids[] = { const_cast<char *>(id.c_str()),
				const_cast<char *>(id2.c_str()) };
		ALLOWED(BM_BatchFreeSec(ids, 2, 0, "st", "sec"), 1, 2);
		break;
	}
	case 3:
	case 4:
		ALLOWED(BM_GetSec(&b, 0));
		break;
	case 5:
	case 6:
		ALLOWED(BM_PutSec(&b, 0));
		break;
	case 7: {
		BmStat st;
		ALLOWED(BM_StatSec(&b, &st));
		break;
	}
	case 8:
	case 9: {
		size_t n = (1 + rng() % 16) * kTag;
		ALLOWED(BM_ReadSec(&b, off, n, buf, 0));
		if (last == 0 && !okData(id.c_str(), buf, n)) {
			printf("FAIL: object %s holds another's data\n",
			       id.c_str());
			g_failed++;
		}
		break;
	}
	case 10: {
		size_t n = (1 + rng() % 16) * kTag;
		for (size_t o = 0; o < n; o += kTag)
			memcpy(buf + o, tag, kTag);
		ALLOWED(BM_WriteSec(&b, off, n, buf, 0));
		break;
	}
	case 11: {
		// Within the object: its data stays its own.
		size_t dst = (off + 512) % (kSize - 256);
		dst -= dst % kTag;
		if (dst < off + 256 && off < dst + 256)
			break;
		ALLOWED(BM_CopySec(&b, off, &b, dst, 256, 0));
		break;
	}
	default: {
		void *p = NULL;
		ALLOWED(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, &p));
		if (last == 0) {
			if (!okData(id.c_str(), static_cast<char *>(p), kSize)) {
				printf("FAIL: mapping of %s holds another's data\n",
				       id.c_str());
				g_failed++;
			}
			ALLOWED(BM_Unmap(NULL, p));
		}
		break;
	}
	}
}

void worker(unsigned seed)
{
	std::mt19937 rng(seed);
	while (!g_stop) {
		int last = 0;
		g_quiet->poll();
		ALLOWED(fake_init());
		if (last)
			continue;
		g_sessions++;
		int rc = BM_CreateNSSec("", "st", 0, "sec");
		if (rc && rc != -EEXIST) {
			printf("FAIL: BM_CreateNSSec: %d\n", rc);
			g_failed++;
		}
		for (unsigned n = rng() % 400; n && !g_stop; n--) {
			g_quiet->poll();
			oneOp(rng);
		}
		ALLOWED(BM_Exit());
	}
	g_quiet->leave();
}

// A child that uses the library, forked at a quiet point (if the run is
// not stopping).
void forkChild(std::mt19937 &rng)
{
	if (!g_quiet->hold())
		return;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		// Its own session (and its own copy of the fake kernel):
		// everything must work.
		for (int j = 0; j < 50; j++)
			oneOp(rng);
		CHECK_EQ(BM_Exit(), 0);
		fflush(stdout);
		_exit(g_failed ? 1 : 0);
	}
	g_quiet->resume();
	int status = -1;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("FAIL: forked child: status %#x\n", status);
		g_failed++;
	}
	g_forks++;
}

// Short sessions, and children that use the library.
void cycler(unsigned seed)
{
	std::mt19937 rng(seed);
	for (unsigned k = 0; !g_stop; k++) {
		int last = 0;
		ALLOWED(fake_init());
		if (last)
			continue;
		oneOp(rng);
		if (k % 16 == 0)
			forkChild(rng);
		ALLOWED(BM_Exit());
		g_sessions++;
	}
}

} // namespace

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 15;
	int nthreads = argc > 2 ? atoi(argv[2]) : 4;
	const char *label = getenv("LIBSAN_LABEL");
	fake_set_nr_max(kNames + 4); // numbers come back all the time

	Quiet quiet(nthreads);
	g_quiet = &quiet;

	std::vector<std::thread> ts;
	ts.reserve(nthreads + 1);
	for (int t = 0; t < nthreads; t++)
		ts.emplace_back(worker, 1000u + t);
	ts.emplace_back(cycler, 7u);
	std::this_thread::sleep_for(std::chrono::seconds(secs));
	g_stop = true;
	for (std::thread &t : ts)
		t.join();

	// Nothing left: no open file, no handle; after freeing the names,
	// no object.
	CHECK_EQ(fake_nr_files(), 0);
	CHECK_EQ(fake_nr_handles(), 0);
	CHECK_EQ(fake_init(), 0);
	for (int i = 0; i < kNames; i++) {
		BmInfo b = fake_info("st", nameOf(i).c_str());
		int rc = BM_FreeSec(&b, 0);
		CHECK(rc == 0 || rc == -ENOENT);
	}
	CHECK_EQ(BM_DestroyNSSec("", "st", "sec"), 0);
	CHECK_EQ(BM_Exit(), 0);
	CHECK_EQ(fake_nr_objects(), 0);
	CHECK_EQ(fake_nr_files(), 0);

	printf("%s: lib_stress %s%s%d s, %d threads: %ld calls, %ld sessions, "
	       "%ld forks, %ld object-number reuses, %ld ioctls\n",
	       g_failed ? "FAIL" : "PASS", label ? label : "",
	       label ? ": " : "", secs, nthreads, g_calls.load(),
	       g_sessions.load(), g_forks.load(), fake_nr_reuses(),
	       fake_nr_ioctls());
	return g_failed ? 1 : 0;
}
