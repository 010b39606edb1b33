// SPDX-License-Identifier: GPL-2.0
//
// fakedev.cpp - /dev/memfabric emulated in userspace for the library's
// sanitizer suite; see fakedev.h.  One lock guards the whole fake kernel
// (the real one has finer locks; the library cannot tell).
#include "fakedev.h"

// The ioctl structs (ABI 1.5), putField().
#include "../../../lib/internal.hpp"

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdarg>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

using namespace memfabric::detail;

extern "C" {
int __real_open(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long cmd, ...);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);
int __real_munmap(void *addr, size_t len);
int __real_close(int fd);
}

namespace {

constexpr unsigned kShift = 12;

struct Obj {
	uint64_t nr = 0, serial = 0;
	std::string pool, ns, id;
	std::vector<unsigned char> data;
	uint32_t type = MF_OBJ_PRIVATE_RW;
	bool freed = false;
	long refs = 0;
	uint32_t maps = 0;
};

struct Handle {
	Obj *obj;
	long refs;
};

struct File {
	std::map<uint64_t, Handle> handles; // object number -> handle
	int fds = 1; // descriptors of it (fcntl F_DUPFD*)
};

struct Fake {
	std::mutex mu;
	std::map<uint64_t, Obj *> numbers;
	std::map<std::string, Obj *> byName;		// visible objects
	std::map<std::string, std::string> nss;		// pool\0ns -> secid
	std::map<int, File *> files;
	std::map<uintptr_t, std::pair<size_t, Obj *>> maps;
	std::set<uint64_t> everUsed;
	uint64_t nrMax = 1 << 20, nextNr = 1, nextSerial = 1;
	long reuses = 0, handles = 0, ioctls = 0;
};

Fake &fk()
{
	static Fake *f = new Fake;
	return *f;
}

std::atomic<bool> g_serial{ true };
std::atomic<fake_hook_fn> g_before{ nullptr }, g_after{ nullptr };

void atPrepare() { fk().mu.lock(); }
void atParent() { fk().mu.unlock(); }
void atChild() { fk().mu.unlock(); }

__attribute__((constructor)) void fakeInit()
{
	fk();
	pthread_atfork(atPrepare, atParent, atChild);
}

std::string nsKey(const std::string &pool, const std::string &ns)
{
	return pool + '\0' + ns;
}

std::string objKey(const std::string &pool, const std::string &ns,
		   const std::string &id)
{
	return pool + '\0' + ns + '\0' + id;
}

std::string field(const char *p, size_t cap)
{
	return std::string(p, strnlen(p, cap));
}

void maybeDestroy(Fake &f, Obj *o)
{
	if (!o->freed || o->refs)
		return;
	f.numbers.erase(o->nr);
	delete o;
}

void handleAdd(Fake &f, File &file, Obj *o)
{
	auto it = file.handles.find(o->nr);
	if (it == file.handles.end())
		file.handles.emplace(o->nr, Handle{ o, 1 });
	else
		it->second.refs++;
	o->refs++;
	f.handles++;
}

void handleDrop(Fake &f, File &file, std::map<uint64_t, Handle>::iterator it)
{
	Obj *o = it->second.obj;
	if (--it->second.refs == 0)
		file.handles.erase(it);
	o->refs--;
	f.handles--;
	maybeDestroy(f, o);
}

// The object of handle @mo in @file, checked against @serial (0: none).
int lookup(File &file, uint64_t mo, uint64_t serial, Obj *&o)
{
	uint64_t nr = mo >> kShift;
	if (mo & ((1ULL << kShift) - 1) || !nr)
		return -EINVAL;
	auto it = file.handles.find(nr);
	if (it == file.handles.end())
		return -ENOENT;
	if (serial && it->second.obj->serial != serial)
		return -ENOENT;
	o = it->second.obj;
	return 0;
}

int allocNr(Fake &f, uint64_t &nr)
{
	if (f.nextNr > f.nrMax)
		f.nextNr = 1;
	for (uint64_t i = 0; i < f.nrMax; i++) {
		uint64_t n = f.nextNr;
		f.nextNr = f.nextNr % f.nrMax + 1;
		if (f.numbers.count(n))
			continue;
		if (f.nrMax <= 65536 && !f.everUsed.insert(n).second)
			f.reuses++;
		nr = n;
		return 0;
	}
	return -ENOSPC;
}

// Read the caller's struct as the kernel does (copy_struct_from_user):
// @base is the size of the ABI 1.4 struct, @K the ABI 1.5 one.
template <class K> int in(void *uarg, K &k, size_t base, size_t first)
{
	uint32_t usize;
	memcpy(&usize, uarg, sizeof(usize));
	size_t ksize = g_serial ? sizeof(K) : base;
	if (usize < first)
		return -EINVAL;
	if (usize > 4096)
		return -E2BIG;
	memset(&k, 0, sizeof(k));
	memcpy(&k, uarg, usize < ksize ? usize : ksize);
	for (size_t i = ksize; i < usize; i++)
		if (static_cast<const char *>(uarg)[i])
			return -E2BIG;
	return 0;
}

template <class K> void out(void *uarg, const K &k, size_t base)
{
	uint32_t usize;
	memcpy(&usize, uarg, sizeof(usize));
	size_t ksize = g_serial ? sizeof(K) : base;
	size_t n = usize < ksize ? usize : ksize;
	memcpy(static_cast<char *>(uarg) + 8, reinterpret_cast<const char *>(&k) + 8,
	       n - 8);
}

// @base: the struct's size in ABI 1.4 (FAKE_ABI14: before the serials).
#define IN(type, base)                                                         \
	type k;                                                                \
	{                                                                      \
		int rc_ = in(arg, k, (base), _IOC_SIZE(cmd));                  \
		if (rc_)                                                       \
			return rc_;                                            \
	}

int checkNs(Fake &f, const std::string &pool, const std::string &ns,
	    const std::string &secid)
{
	auto it = f.nss.find(nsKey(pool, ns));
	if (it == f.nss.end())
		return -ENOENT;
	return it->second == secid ? 0 : -EACCES;
}

int named(Fake &f, const mf_obj_name &n, Obj *&o)
{
	std::string pool = field(n.pool, sizeof(n.pool)),
		    ns = field(n.ns, sizeof(n.ns)),
		    id = field(n.id, sizeof(n.id));
	int rc = checkNs(f, pool, ns, field(n.secid, sizeof(n.secid)));
	if (rc)
		return rc;
	auto it = f.byName.find(objKey(pool, ns, id));
	if (it == f.byName.end())
		return -ENOENT;
	o = it->second;
	return 0;
}

int create(Fake &f, File &file, const std::string &pool,
	   const std::string &ns, std::string &id, uint64_t bytes, Obj *&o)
{
	uint64_t nr;
	if (id.empty())
		id = "fk" + std::to_string(f.nextSerial);
	if (f.byName.count(objKey(pool, ns, id)))
		return -EEXIST;
	int rc = allocNr(f, nr);
	if (rc)
		return rc;
	o = new Obj;
	o->nr = nr;
	o->serial = f.nextSerial++;
	o->pool = pool;
	o->ns = ns;
	o->id = id;
	o->data.assign(bytes, 0);
	f.numbers[nr] = o;
	f.byName[objKey(pool, ns, id)] = o;
	handleAdd(f, file, o);
	return 0;
}

void freeObj(Fake &f, Obj *o)
{
	f.byName.erase(objKey(o->pool, o->ns, o->id));
	o->freed = true;
	maybeDestroy(f, o);
}

int emulate(Fake &f, File &file, unsigned long cmd, void *arg)
{
	switch (cmd) {
	case MF_IOC_VERSION: {
		IN(mf_version, sizeof(mf_version));
		k.abi_major = MF_ABI_MAJOR;
		k.abi_minor = g_serial ? 5 : 4;
		k.features = MF_FEAT_EXT_IOCTL | MF_FEAT_POOLS |
			     MF_FEAT_OBJECTS | MF_FEAT_MMAP |
			     (g_serial ? MF_FEAT_SERIAL : 0);
		snprintf(k.module_version, sizeof(k.module_version), "fake");
		out(arg, k, sizeof(mf_version));
		return 0;
	}
	case MF_IOC_NS_CREATE: {
		IN(mf_ns_create, sizeof(mf_ns_create));
		std::string key = nsKey(field(k.pool, sizeof(k.pool)),
					field(k.name, sizeof(k.name)));
		if (f.nss.count(key))
			return -EEXIST;
		f.nss[key] = field(k.secid, sizeof(k.secid));
		return 0;
	}
	case MF_IOC_NS_DESTROY: {
		IN(mf_ns_destroy, sizeof(mf_ns_destroy));
		std::string pool = field(k.pool, sizeof(k.pool)),
			    ns = field(k.name, sizeof(k.name));
		int rc = checkNs(f, pool, ns, field(k.secid, sizeof(k.secid)));
		if (rc)
			return rc;
		std::vector<Obj *> in;
		for (auto &kv : f.byName)
			if (kv.second->pool == pool && kv.second->ns == ns)
				in.push_back(kv.second);
		if (!in.empty() && !(k.flags & MF_NS_FORCE))
			return -ENOTEMPTY;
		for (Obj *o : in)
			freeObj(f, o);
		f.nss.erase(nsKey(pool, ns));
		return 0;
	}
	case MF_IOC_OBJ_ALLOC: {
		IN(mf_obj_alloc, offsetof(mf_obj_alloc, serial));
		std::string pool = field(k.name.pool, sizeof(k.name.pool)),
			    ns = field(k.name.ns, sizeof(k.name.ns)),
			    id = field(k.name.id, sizeof(k.name.id));
		int rc = checkNs(f, pool, ns,
				 field(k.name.secid, sizeof(k.name.secid)));
		if (rc)
			return rc;
		if (!k.bytes || k.bytes > (64u << 20))
			return -EINVAL;
		Obj *o;
		rc = create(f, file, pool, ns, id, k.bytes, o);
		if (rc)
			return rc;
		memset(k.name.id, 0, sizeof(k.name.id));
		memcpy(k.name.id, id.data(), id.size());
		k.map_offset = o->nr << kShift;
		k.type = o->type;
		k.serial = o->serial;
		out(arg, k, offsetof(mf_obj_alloc, serial));
		return 0;
	}
	case MF_IOC_OBJ_GET: {
		IN(mf_obj_get, offsetof(mf_obj_get, serial));
		Obj *o;
		int rc = named(f, k.name, o);
		if (rc)
			return rc;
		handleAdd(f, file, o);
		k.bytes = o->data.size();
		k.map_offset = o->nr << kShift;
		k.type = o->type;
		k.serial = o->serial;
		out(arg, k, offsetof(mf_obj_get, serial));
		return 0;
	}
	case MF_IOC_OBJ_PUT: {
		IN(mf_obj_put, sizeof(mf_obj_put));
		if (k.reserved)
			return -EINVAL;
		uint64_t nr = k.obj >> kShift;
		auto it = file.handles.find(nr);
		if (!nr || it == file.handles.end())
			return -ENOENT;
		handleDrop(f, file, it);
		return 0;
	}
	case MF_IOC_OBJ_FREE:
	case MF_IOC_OBJ_PUBLISH: {
		IN(mf_obj_free, sizeof(mf_obj_free));
		Obj *o;
		int rc = named(f, k.name, o);
		if (rc)
			return rc;
		if (cmd == MF_IOC_OBJ_FREE) {
			freeObj(f, o);
			return 0;
		}
		if (o->type == MF_OBJ_SHARED_RO)
			return -EALREADY;
		o->type = MF_OBJ_SHARED_RO;
		return 0;
	}
	case MF_IOC_OBJ_BATCH_FREE: {
		IN(mf_obj_batch_free, sizeof(mf_obj_batch_free));
		std::string pool = field(k.pool, sizeof(k.pool)),
			    ns = field(k.ns, sizeof(k.ns));
		int rc = checkNs(f, pool, ns, field(k.secid, sizeof(k.secid)));
		if (rc)
			return rc;
		const char *ids = reinterpret_cast<const char *>(k.ids);
		k.nr_freed = 0;
		k.first_failed = k.count;
		k.first_error = 0;
		for (uint32_t i = 0; i < k.count; i++) {
			auto it = f.byName.find(objKey(
				pool, ns, field(ids + i * MF_OBJ_ID_LEN,
						MF_OBJ_ID_LEN)));
			if (it == f.byName.end()) {
				if (k.first_failed == k.count) {
					k.first_failed = i;
					k.first_error = ENOENT;
				}
				continue;
			}
			freeObj(f, it->second);
			k.nr_freed++;
		}
		out(arg, k, sizeof(mf_obj_batch_free));
		return 0;
	}
	case MF_IOC_OBJ_EXPAND: {
		IN(mf_obj_expand, sizeof(mf_obj_expand));
		Obj *o;
		int rc = lookup(file, k.obj, 0, o);
		if (rc)
			return rc;
		if (k.bytes <= o->data.size() || k.bytes > (64u << 20))
			return -EINVAL;
		if (o->maps)
			return -EBUSY;
		o->data.resize(k.bytes, 0);
		return 0;
	}
	case MF_IOC_OBJ_STAT: {
		IN(mf_obj_stat, offsetof(mf_obj_stat, serial));
		Obj *o;
		int rc = lookup(file, k.obj, 0, o);
		if (rc)
			return rc;
		k.bytes = o->data.size();
		k.type = o->type;
		k.obj_flags = o->freed ? MF_OBJ_STAT_FREED : 0;
		k.refs = o->refs;
		k.map_count = o->maps;
		k.nr_extents = 1;
		putField(k.pool, sizeof(k.pool), o->pool);
		putField(k.ns, sizeof(k.ns), o->ns);
		putField(k.id, sizeof(k.id), o->id);
		k.serial = o->serial;
		out(arg, k, offsetof(mf_obj_stat, serial));
		return 0;
	}
	case MF_IOC_OBJ_DERIVE: {
		IN(mf_obj_derive, offsetof(mf_obj_derive, serial));
		Obj *src, *o;
		int rc = lookup(file, k.src, 0, src);
		if (!rc)
			rc = checkNs(f, src->pool, field(k.ns, sizeof(k.ns)),
				     field(k.secid, sizeof(k.secid)));
		if (rc)
			return rc;
		std::string id = field(k.id, sizeof(k.id));
		rc = create(f, file, src->pool, field(k.ns, sizeof(k.ns)), id,
			    src->data.size(), o);
		if (rc)
			return rc;
		o->data = src->data;
		memset(k.id, 0, sizeof(k.id));
		memcpy(k.id, id.data(), id.size());
		k.bytes = o->data.size();
		k.map_offset = o->nr << kShift;
		k.type = o->type;
		k.serial = o->serial;
		out(arg, k, offsetof(mf_obj_derive, serial));
		return 0;
	}
	case MF_IOC_OBJ_READ:
	case MF_IOC_OBJ_WRITE: {
		IN(mf_obj_io, sizeof(mf_obj_io));
		uint64_t serial = k.serial;
		if (!g_serial && serial)
			return -EINVAL;
		Obj *o;
		int rc = lookup(file, k.obj, serial, o);
		if (rc)
			return rc;
		if (k.offset > o->data.size() ||
		    k.length > o->data.size() - k.offset)
			return -EINVAL;
		char *buf = reinterpret_cast<char *>(k.buf);
		if (cmd == MF_IOC_OBJ_READ) {
			memcpy(buf, o->data.data() + k.offset, k.length);
			return 0;
		}
		if (o->type == MF_OBJ_SHARED_RO)
			return -EPERM;
		memcpy(o->data.data() + k.offset, buf, k.length);
		return 0;
	}
	case MF_IOC_OBJ_COPY: {
		IN(mf_obj_copy, offsetof(mf_obj_copy, src_serial));
		if (k.reserved)
			return -EINVAL;
		Obj *s, *d;
		int rc = lookup(file, k.src, k.src_serial, s);
		if (!rc)
			rc = lookup(file, k.dst, k.dst_serial, d);
		if (rc)
			return rc;
		if (k.src_offset > s->data.size() ||
		    k.length > s->data.size() - k.src_offset ||
		    k.dst_offset > d->data.size() ||
		    k.length > d->data.size() - k.dst_offset)
			return -EINVAL;
		if (d->type == MF_OBJ_SHARED_RO)
			return -EPERM;
		memmove(d->data.data() + k.dst_offset,
			s->data.data() + k.src_offset, k.length);
		return 0;
	}
	}
	return -ENOTTY;
}

File *fileOf(Fake &f, int fd)
{
	auto it = f.files.find(fd);
	return it == f.files.end() ? nullptr : it->second;
}

bool isFake(int fd)
{
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	return fileOf(f, fd) != nullptr;
}

} // namespace

extern "C" {

uint64_t fake_set_nr_max(uint64_t n)
{
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	uint64_t old = f.nrMax;
	f.nrMax = n;
	return old;
}

void fake_change_secid(const char *pool, const char *ns, const char *secid)
{
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	f.nss[nsKey(pool, ns)] = secid;
}

void fake_set_serial(int on) { g_serial = on != 0; }

void fake_set_hooks(fake_hook_fn before, fake_hook_fn after)
{
	g_before = before;
	g_after = after;
}

long fake_nr_objects(void)
{
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	return static_cast<long>(f.numbers.size());
}

long fake_nr_handles(void)
{
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	return f.handles;
}

long fake_nr_files(void)
{
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	return static_cast<long>(f.files.size());
}

long fake_obj_refs(const char *ns, const char *id)
{
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	auto it = f.byName.find(objKey(BM_DEFAULT_POOL, ns, id));
	return it == f.byName.end() ? -1 : it->second->refs;
}

long fake_nr_reuses(void)
{
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	return f.reuses;
}

long fake_nr_ioctls(void)
{
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	return f.ioctls;
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (strcmp(path, FAKE_DEVICE) != 0)
		return __real_open(path, flags, mode);
	int fd = __real_open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	f.files[fd] = new File;
	return fd;
}

int __real_fcntl(int fd, int cmd, ...);

// F_DUPFD and F_DUPFD_CLOEXEC of a fake descriptor: another descriptor of
// the same open file (BM_SessionOpenFd).
int __wrap_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	long a = va_arg(ap, long);
	va_end(ap);
	int rc = __real_fcntl(fd, cmd, a);
	if (rc >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)) {
		Fake &f = fk();
		std::lock_guard<std::mutex> lock(f.mu);
		File *file = fileOf(f, fd);
		if (file) {
			file->fds++;
			f.files[rc] = file;
		}
	}
	return rc;
}

int __wrap_close(int fd)
{
	{
		Fake &f = fk();
		std::lock_guard<std::mutex> lock(f.mu);
		File *file = fileOf(f, fd);
		if (file && --file->fds > 0) {
			f.files.erase(fd);
		} else if (file) {
			// The last descriptor: every reference it held goes.
			while (!file->handles.empty()) {
				auto it = file->handles.begin();
				long extra = it->second.refs - 1;
				it->second.obj->refs -= extra;
				f.handles -= extra;
				it->second.refs = 1;
				handleDrop(f, *file, it);
			}
			f.files.erase(fd);
			delete file;
		}
	}
	return __real_close(fd);
}

int __wrap_ioctl(int fd, unsigned long cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (!isFake(fd))
		return __real_ioctl(fd, cmd, arg);
	fake_hook_fn before = g_before, after = g_after;
	if (before)
		before(cmd, arg, 0);
	int rc;
	{
		Fake &f = fk();
		std::lock_guard<std::mutex> lock(f.mu);
		File *file = fileOf(f, fd);
		f.ioctls++;
		rc = file ? emulate(f, *file, cmd, arg) : -EBADF;
	}
	if (after)
		after(cmd, arg, rc);
	if (rc) {
		errno = -rc;
		return -1;
	}
	return 0;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	if (fd < 0 || !isFake(fd))
		return __real_mmap(addr, len, prot, flags, fd, off);
	Fake &f = fk();
	std::lock_guard<std::mutex> lock(f.mu);
	File *file = fileOf(f, fd);
	Obj *o;
	uint64_t mo = static_cast<uint64_t>(off) & ~MF_MAP_LONGTERM;
	int rc = file ? lookup(*file, mo, 0, o) : -EBADF;
	if (rc) {
		errno = -rc;
		return MAP_FAILED;
	}
	int mflags = MAP_PRIVATE | MAP_ANONYMOUS;
	if (flags & MAP_FIXED_NOREPLACE)
		mflags |= MAP_FIXED_NOREPLACE;
	void *p = __real_mmap(addr, len, prot | PROT_WRITE, mflags, -1, 0);
	if (p == MAP_FAILED)
		return p;
	memcpy(p, o->data.data(), std::min(len, o->data.size()));
	if (!(prot & PROT_WRITE))
		mprotect(p, len, prot);
	o->refs++;
	o->maps++;
	f.maps[reinterpret_cast<uintptr_t>(p)] = { len, o };
	return p;
}

int __wrap_munmap(void *addr, size_t len)
{
	{
		Fake &f = fk();
		std::lock_guard<std::mutex> lock(f.mu);
		auto it = f.maps.find(reinterpret_cast<uintptr_t>(addr));
		if (it != f.maps.end()) {
			Obj *o = it->second.second;
			f.maps.erase(it);
			o->maps--;
			o->refs--;
			maybeDestroy(f, o);
		}
	}
	return __real_munmap(addr, len);
}

} // extern "C"
