// SPDX-License-Identifier: LGPL-2.1-or-later
//
// <memfabric/memfabric.hpp> - a thin C++17 layer over <memfabric/bm.h>.
//
// - memfabric::Session    BM_Init() / BM_Exit()
// - memfabric::Namespace  BM_CreateNSSec() / BM_DestroyNSSec()
// - memfabric::Object     a handle that owns one reference on an object
//                         (BM_AllocSec / BM_GetSec / BM_DeriveSec /
//                         BM_CommitSec take it, the destructor BM_PutSec()s)
// - memfabric::Mapping    BM_MapSec(); the destructor BM_Unmap()s
// - memfabric::Span<T>    a view of mapped memory
// - memfabric::Error      a std::system_error carrying the errno
//
// Everything is header-only and calls the C functions; every failure
// throws Error, except in destructors, which cannot report.
#ifndef MEMFABRIC_MEMFABRIC_HPP
#define MEMFABRIC_MEMFABRIC_HPP

#include <memfabric/bm.h>

#include <sys/mman.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace memfabric {

// A failed call: code().value() is the positive errno.
class Error : public std::system_error {
public:
	Error(int err, const char *call)
		: std::system_error(err < 0 ? -err : err,
				    std::generic_category(),
				    std::string(call) + ": " + BM_StrError(err))
	{
	}
	int errnum() const noexcept { return code().value(); }
};

// Throw Error for a negative return value; pass the others through.
inline int check(int rc, const char *call)
{
	if (rc < 0)
		throw Error(rc, call);
	return rc;
}

// A view of @size elements at @data (C++17 has no std::span).
template <class T> class Span {
public:
	Span() noexcept = default;
	Span(T *data, std::size_t size) noexcept : data_(data), size_(size) {}
	T *data() const noexcept { return data_; }
	std::size_t size() const noexcept { return size_; }
	std::size_t size_bytes() const noexcept { return size_ * sizeof(T); }
	bool empty() const noexcept { return size_ == 0; }
	T &operator[](std::size_t i) const noexcept { return data_[i]; }
	T *begin() const noexcept { return data_; }
	T *end() const noexcept { return data_ + size_; }
	Span subspan(std::size_t off, std::size_t n) const noexcept
	{
		return Span(data_ + off, n);
	}

private:
	T *data_ = nullptr;
	std::size_t size_ = 0;
};

// Copy a string into a fixed-size, NUL-terminated BmInfo field.
template <std::size_t N>
inline void setField(char (&field)[N], const std::string &s)
{
	if (s.size() >= N || s.find('\0') != std::string::npos)
		throw Error(EINVAL, "memfabric: name too long");
	std::memset(field, 0, N);
	std::memcpy(field, s.data(), s.size());
}

// A BmInfo naming @id in @ns of @pool ("" = the default pool).
inline BmInfo makeInfo(const std::string &pool, const std::string &ns,
		       const std::string &secId, const std::string &id = "")
{
	BmInfo b;
	std::memset(&b, 0, sizeof(b));
	setField(b.poolName, pool);
	setField(b.ns, ns);
	setField(b.secId, secId);
	setField(b.bmId, id);
	return b;
}

// One BM_Init() reference.
class Session {
public:
	explicit Session(const char *configPath = nullptr)
	{
		check(BM_Init(const_cast<char *>(configPath), 0), "BM_Init");
	}
	Session(const char *configPath, const BmInitAttr &attr)
	{
		BmInitAttr a = attr;
		check(BM_InitWithExtAttr(const_cast<char *>(configPath), 0,
					 &a),
		      "BM_InitWithExtAttr");
	}
	Session(const Session &) = delete;
	Session &operator=(const Session &) = delete;
	Session(Session &&o) noexcept : live_(std::exchange(o.live_, false)) {}
	Session &operator=(Session &&o) noexcept
	{
		if (this != &o) {
			close();
			live_ = std::exchange(o.live_, false);
		}
		return *this;
	}
	~Session() { close(); }

	BmVersion version() const
	{
		BmVersion v;
		std::memset(&v, 0, sizeof(v));
		v.size = sizeof(v);
		check(BM_Version(&v), "BM_Version");
		return v;
	}

	// Every namespace the pools hold (at most @max).
	std::vector<QueryNsCache> namespaces(std::size_t max = 1024) const
	{
		std::vector<QueryNsCache> v(max);
		int n = check(BM_QueryNSCache(v.data(),
					      v.size() * sizeof(QueryNsCache)),
			      "BM_QueryNSCache");
		v.resize(static_cast<std::size_t>(n));
		return v;
	}

private:
	void close() noexcept
	{
		if (live_)
			BM_Exit();
		live_ = false;
	}
	bool live_ = true;
};

// A namespace this object created; destroyed (if empty) by the destructor
// unless release()d.
class Namespace {
public:
	Namespace(std::string pool, std::string name, std::string secId,
		  int attribute = 0)
		: pool_(std::move(pool)), name_(std::move(name)),
		  secId_(std::move(secId))
	{
		check(BM_CreateNSSec(pool_.c_str(), name_.c_str(), attribute,
				     secId_.c_str()),
		      "BM_CreateNSSec");
		live_ = true;
	}
	Namespace(const Namespace &) = delete;
	Namespace &operator=(const Namespace &) = delete;
	Namespace(Namespace &&o) noexcept
		: pool_(std::move(o.pool_)), name_(std::move(o.name_)),
		  secId_(std::move(o.secId_)),
		  live_(std::exchange(o.live_, false))
	{
	}
	~Namespace()
	{
		if (live_)
			BM_DestroyNSSec(pool_.c_str(), name_.c_str(),
					secId_.c_str());
	}

	// Destroy now; throws (e.g. EBUSY while it holds objects).
	void destroy()
	{
		if (live_)
			check(BM_DestroyNSSec(pool_.c_str(), name_.c_str(),
					      secId_.c_str()),
			      "BM_DestroyNSSec");
		live_ = false;
	}
	// Keep it after this object goes.
	void release() noexcept { live_ = false; }

	BmInfo info(const std::string &id = "") const
	{
		return makeInfo(pool_, name_, secId_, id);
	}
	const std::string &pool() const noexcept { return pool_; }
	const std::string &name() const noexcept { return name_; }
	const std::string &secId() const noexcept { return secId_; }

private:
	std::string pool_, name_, secId_;
	bool live_ = false;
};

// A mapping made by BM_MapSec(); munmapped by the destructor.
class Mapping {
public:
	Mapping() noexcept = default;
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;
	Mapping(Mapping &&o) noexcept
		: addr_(std::exchange(o.addr_, nullptr)), size_(o.size_),
		  id_(std::move(o.id_))
	{
	}
	Mapping &operator=(Mapping &&o) noexcept
	{
		if (this != &o) {
			unmap();
			addr_ = std::exchange(o.addr_, nullptr);
			size_ = o.size_;
			id_ = std::move(o.id_);
		}
		return *this;
	}
	~Mapping() { unmap(); }

	void *data() const noexcept { return addr_; }
	std::size_t size() const noexcept { return size_; }
	explicit operator bool() const noexcept { return addr_ != nullptr; }

	Span<std::byte> bytes() const noexcept
	{
		return Span<std::byte>(static_cast<std::byte *>(addr_), size_);
	}
	// The mapping as an array of T (the object's size / sizeof(T)).
	template <class T> Span<T> as() const noexcept
	{
		static_assert(std::is_trivially_copyable<T>::value,
			      "mapped memory holds plain data");
		return Span<T>(static_cast<T *>(addr_), size_ / sizeof(T));
	}

	void unmap() noexcept
	{
		if (addr_)
			BM_Unmap(id_.data(), addr_);
		addr_ = nullptr;
	}

private:
	friend class Object;
	Mapping(void *addr, std::size_t size, std::string id)
		: addr_(addr), size_(size), id_(std::move(id))
	{
	}
	void *addr_ = nullptr;
	std::size_t size_ = 0;
	std::string id_;
};

// A handle that owns one reference on an object.
class Object {
public:
	Object() noexcept = default;

	// BM_AllocSec: a new private object (id "" in @name: generated).
	static Object alloc(const BmInfo &name, std::size_t size,
			    BmAffinity *affinity = nullptr)
	{
		Object o(name);
		check(BM_AllocSec(&o.info_, size, 0, affinity), "BM_AllocSec");
		o.owned_ = true;
		return o;
	}
	// BM_GetSec: a reference on an existing object.
	static Object get(const BmInfo &name)
	{
		Object o(name);
		check(BM_GetSec(&o.info_, 0), "BM_GetSec");
		o.owned_ = true;
		return o;
	}
	// BM_CommitSec: the written pages of a private mapping, as a new
	// object named @name (flags: BM_COMMIT_PUBLISH).
	static Object commit(const Mapping &m, const BmInfo &name,
			     int flags = 0, std::size_t offset = 0,
			     std::size_t length = 0)
	{
		Object o(name);
		char *p = static_cast<char *>(m.data()) + offset;
		check(BM_CommitSec(p, length ? length : m.size() - offset,
				   &o.info_, flags),
		      "BM_CommitSec");
		o.owned_ = true;
		return o;
	}

	Object(const Object &) = delete;
	Object &operator=(const Object &) = delete;
	Object(Object &&o) noexcept
		: info_(o.info_), owned_(std::exchange(o.owned_, false))
	{
	}
	Object &operator=(Object &&o) noexcept
	{
		if (this != &o) {
			reset();
			info_ = o.info_;
			owned_ = std::exchange(o.owned_, false);
		}
		return *this;
	}
	~Object() { reset(); }

	// Drop the reference (BM_PutSec).
	void reset() noexcept
	{
		if (owned_)
			BM_PutSec(&info_, 0);
		owned_ = false;
	}
	// Free the object (BM_FreeSec drops the reference too).
	void free()
	{
		check(BM_FreeSec(&info_, 0), "BM_FreeSec");
		owned_ = false;
	}

	const BmInfo &info() const noexcept { return info_; }
	std::string id() const { return info_.bmId; }
	std::size_t size() const noexcept { return info_.size; }
	bool shared() const noexcept
	{
		return info_.type == BM_TYPE_SHARED_RO;
	}
	explicit operator bool() const noexcept { return owned_; }

	void publish() { check(BM_PublishSec(&info_, 0), "BM_PublishSec"); }
	void expand(std::size_t size)
	{
		check(BM_ExpandSec(&info_, size, 0), "BM_ExpandSec");
	}
	BmStat stat()
	{
		BmStat st;
		check(BM_StatSec(&info_, &st), "BM_StatSec");
		return st;
	}

	void read(std::size_t offset, void *buf, std::size_t len)
	{
		check(BM_ReadSec(&info_, offset, len, buf, 0), "BM_ReadSec");
	}
	void write(std::size_t offset, const void *buf, std::size_t len)
	{
		check(BM_WriteSec(&info_, offset, len, buf, 0), "BM_WriteSec");
	}
	template <class T> std::vector<T> read(std::size_t offset,
					       std::size_t count)
	{
		static_assert(std::is_trivially_copyable<T>::value, "plain");
		std::vector<T> v(count);
		read(offset, v.data(), count * sizeof(T));
		return v;
	}
	template <class T> void write(std::size_t offset, Span<const T> s)
	{
		write(offset, s.data(), s.size_bytes());
	}
	void copyTo(Object &dst, std::size_t srcOffset, std::size_t dstOffset,
		    std::size_t length)
	{
		check(BM_CopySec(&info_, srcOffset, &dst.info_, dstOffset,
				 length, 0),
		      "BM_CopySec");
	}
	void swapIn(DiskFileDesc file, std::size_t offset, std::size_t length)
	{
		check(BM_SpecificObjSwapInSec(&file, &info_, 0, offset, length),
		      "BM_SpecificObjSwapInSec");
	}
	// BM_GatherSec into this object; returns the bytes written.
	std::size_t gather(const std::vector<BmGatherItem> &items,
			   BmOperatorCode op = BM_OP_GATHER)
	{
		std::vector<intptr_t> in;
		in.reserve(items.size() + 1);
		for (const BmGatherItem &it : items)
			in.push_back(reinterpret_cast<intptr_t>(&it));
		in.push_back(0);
		std::size_t len = 0;
		check(BM_GatherSec(in.data(), op, 0, &info_, &len),
		      "BM_GatherSec");
		return len;
	}
	BmGatherItem item(std::size_t offset, std::size_t length) const noexcept
	{
		return BmGatherItem{ &info_, offset, length };
	}

	// BM_DeriveSec: a private copy named @name, sharing memory until
	// written.
	Object derive(const BmInfo &name) const
	{
		Object o(name);
		check(BM_DeriveSec(&info_, &o.info_, 0), "BM_DeriveSec");
		o.owned_ = true;
		return o;
	}

	// BM_MapSec: prot PROT_READ[|PROT_WRITE], flags BM_MAP_*.
	Mapping map(int prot = PROT_READ, int flags = BM_MAP_SHARED,
		    void *addr = nullptr)
	{
		void *p = addr;
		check(BM_MapSec(&info_, prot, flags, &p), "BM_MapSec");
		return Mapping(p, info_.size, info_.bmId);
	}

private:
	explicit Object(const BmInfo &name) : info_(name) {}
	BmInfo info_{};
	bool owned_ = false;
};

} // namespace memfabric

#endif // MEMFABRIC_MEMFABRIC_HPP
