// SPDX-License-Identifier: LGPL-2.1-or-later
//
// session.cpp - the open memfabric device, and the library's log.
#include "internal.hpp"

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <mutex>
#include <vector>

namespace memfabric::detail {

static_assert(BM_FEAT_EXT_IOCTL == MF_FEAT_EXT_IOCTL, "feature bits");
static_assert(BM_FEAT_SYSFS == MF_FEAT_SYSFS, "feature bits");
static_assert(BM_VERSION_LEN >= MF_VERSION_LEN, "module version fits");

namespace {
std::atomic<int> g_logLevel{ BM_LOG_ERROR };
}

void setLogLevel(BmLogLevel level) noexcept
{
	g_logLevel.store(level, std::memory_order_relaxed);
}

void log(BmLogLevel level, const char *fmt, ...) noexcept
{
	static const char *const names[] = { "", "error", "warn", "info",
					     "debug" };

	if (level > g_logLevel.load(std::memory_order_relaxed))
		return;

	// One fprintf per message, so that lines from threads do not mix.
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "libmemfabric: %s: %s\n", names[level], msg);
}

namespace {
std::atomic<uint64_t> g_nextSerial{ 1 };

// Gates of sessions gone, for the next ones (never freed: see FastGate).
std::mutex g_gatesMu;
std::vector<FastGate *> *g_freeGates;

FastGate *takeGate()
{
	{
		std::lock_guard<std::mutex> lock(g_gatesMu);
		if (g_freeGates && !g_freeGates->empty()) {
			FastGate *g = g_freeGates->back();
			g_freeGates->pop_back();
			return g;
		}
	}
	return new FastGate;
}

void giveGate(FastGate *g) noexcept
{
	std::lock_guard<std::mutex> lock(g_gatesMu);
	try {
		if (!g_freeGates)
			g_freeGates = new std::vector<FastGate *>;
		g_freeGates->push_back(g);
	} catch (...) {
		// Leaked, never freed: a late fastEnter() may still read it.
	}
}
} // namespace

Session::Session(Config cfg, UniqueFd fd, const mf_version &v)
	: serial(g_nextSerial.fetch_add(1)), cfg_(std::move(cfg)),
	  fd_(std::move(fd)), version_(v), gate_(takeGate())
{
}

Session::~Session()
{
	// New entrants fail from here on; wait for this session's threads
	// that are inside (each is in one ioctl or one remote transfer).
	closeFast();
	while (gate_->users.load() != 0)
		sched_yield();
	giveGate(gate_);
}

void Session::publishFast() noexcept
{
	gate_->serial.store(serial);
}

void Session::closeFast() noexcept
{
	gate_->serial.store(0);
}

void Session::detachForkChild() noexcept
{
	// Only the forking thread lives on, outside the fast path.
	gate_->serial.store(0);
	gate_->users.store(0);
	fd_.reset();
}

// Sequentially consistent on both sides: either the session's destructor
// sees this thread counted, or this thread sees the gate closed.  A gate
// recycled for a newer session has another serial: the thread leaves.
void gatesForkPrepare() noexcept
{
	g_gatesMu.lock();
}

void gatesForkParent() noexcept
{
	g_gatesMu.unlock();
}

void gatesForkChild() noexcept
{
	g_gatesMu.unlock();
}

void UniqueFd::reset(int fd) noexcept
{
	if (fd_ >= 0)
		::close(fd_); // Linux closes the fd even when close() fails
	fd_ = fd;
}

int checkDevice(int fd, const char *dev, mf_version &v)
{
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	if (ioctl(fd, MF_IOC_VERSION, &v) < 0) {
		int err = errno;

		log(BM_LOG_INFO, "%s: MF_IOC_VERSION: %s", dev,
		    systemErrorText(err));
		return -err;
	}
	v.module_version[sizeof(v.module_version) - 1] = '\0';
	if (v.abi_major != MF_ABI_MAJOR) {
		log(BM_LOG_ERROR,
		    "%s: module ABI %u.%u, library needs %u.x (module %s)", dev,
		    v.abi_major, v.abi_minor, MF_ABI_MAJOR, v.module_version);
		return -EPROTO;
	}
	log(BM_LOG_DEBUG, "%s: module %s, ABI %u.%u, features %#llx", dev,
	    v.module_version, v.abi_major, v.abi_minor,
	    static_cast<unsigned long long>(v.features));
	return 0;
}

int openDevice(const char *dev, UniqueFd &fd, mf_version &v)
{
	fd.reset(::open(dev, O_RDWR | O_CLOEXEC | O_NOCTTY));
	if (!fd) {
		int err = errno;

		log(BM_LOG_INFO, "cannot open %s: %s", dev,
		    systemErrorText(err));
		// No node, or a node without a driver: the module is not
		// loaded.  -ENOENT stays for unknown objects and files.
		if (err == ENOENT || err == ENXIO || err == ENODEV)
			return -ENODEV;
		return -err;
	}
	return checkDevice(fd.get(), dev, v);
}

void Session::adopt(const Config &cfg, UniqueFd fd, const mf_version &v,
		    std::unique_ptr<Session> &out)
{
	out.reset(new Session(cfg, std::move(fd), v));
}

int Session::open(const Config &cfg, std::unique_ptr<Session> &out)
{
	UniqueFd fd;
	mf_version v;
	int rc = openDevice(cfg.device.c_str(), fd, v);

	if (rc)
		return rc;
	out.reset(new Session(cfg, std::move(fd), v));
	return 0;
}

} // namespace memfabric::detail
