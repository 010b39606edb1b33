// SPDX-License-Identifier: LGPL-2.1-or-later
//
// handles.hpp - what the local backend's files share: the kernel calls,
// the session's handle table and the pinned handle of a call (Pin), and
// the data calls' per-thread cache of local handles (handles.cpp).
#ifndef MEMFABRIC_LIB_HANDLES_HPP
#define MEMFABRIC_LIB_HANDLES_HPP

#include "backend.hpp"

#include <sys/ioctl.h>

namespace memfabric::detail {

// ---- kernel calls ------------------------------------------------------

inline int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

// A zeroed ioctl struct with its @size set.
template <class T> T arg()
{
	T a{}; // zeroed, padding too; no call to memset()
	a.size = sizeof(a);
	return a;
}

int kernelPut(Session &s, uint64_t mo);
int kernelGet(Session &s, const Name &n, mf_obj_get &g);
int kernelStat(Session &s, uint64_t mo, mf_obj_stat &st);
void putName(mf_obj_name &k, const Name &n);

// ---- the handle table --------------------------------------------------

// The serial to pass with @e's handle: 0 (no check) without
// MF_FEAT_SERIAL.
inline uint64_t serialOf(const Session &s, const Entry &e)
{
	return s.hasFeature(MF_FEAT_SERIAL) ? e.serial : 0;
}

// Drop the kernel references @e holds beyond what it needs; forget it
// when it needs none.  Session::mu held; @e may be freed on return
// unless the caller holds a shared_ptr of its own.
void releaseLocked(Session &s, Entry &e);

// Take @e out of the table (its name now names another object, or was
// freed): the caller's references on it are gone.  Session::mu held.
void orphanLocked(Session &s, const std::shared_ptr<Entry> &e);

// A new user reference on the object @n whose kernel handle reference the
// caller just took (ALLOC, GET, DERIVE, COMMIT gave @mo and @serial).
// Session::mu held.  Strong guarantee: if it throws (std::bad_alloc),
// nothing changed and the caller still owns that kernel reference.
void adoptLocked(Session &s, const Name &n, uint64_t mo, uint64_t serial);

// The entry the table has for @key, or null.
std::shared_ptr<Entry> entryOf(Session &s, const std::string &key);

// A handle in use by a call.
class Pin {
public:
	Pin() = default;
	Pin(const Pin &) = delete;
	Pin &operator=(const Pin &) = delete;
	Pin(Pin &&o) noexcept : s_(o.s_), e_(std::move(o.e_)) {}
	~Pin() { reset(); }

	uint64_t mo() const { return e_->mo; }
	// The serial to pass with mo() (0 without MF_FEAT_SERIAL).
	uint64_t serial() const { return serialOf(*s_, *e_); }
	const Entry &entry() const { return *e_; }
	// Session::gen when the handle was pinned, and whether the caller
	// held references on it then (a handle the fast path may cache).
	uint64_t gen() const { return gen_; }
	bool held() const { return held_; }

	void reset();
	// Pin the session's handle on @n, or take a transient one.
	int acquire(Session &s, const Name &n);

private:
	Session *s_ = nullptr;
	std::shared_ptr<Entry> e_;
	uint64_t gen_ = 0;
	bool held_ = false;
};

// ---- the fast path of the data calls (handles.cpp) ----------------------

// Remember @bi (checked) as naming the pinned handle @pin, if the caller
// holds it.
void fastStore(Session &s, const BmInfo *bi, const Pin &pin);
// BM_ReadSec/BM_WriteSec and BM_CopySec on cached handles: true if they
// ran the call (result in @rc); see Backend::fastIo().
bool cachedIo(const BmInfo *bi, size_t offset, size_t length, char *buf,
	      bool write, int &rc) noexcept;
bool cachedCopy(const BmInfo *srcBM, size_t srcOffset, const BmInfo *dstBM,
		size_t dstOffset, size_t length, int &rc) noexcept;

} // namespace memfabric::detail

#endif // MEMFABRIC_LIB_HANDLES_HPP
