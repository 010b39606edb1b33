// SPDX-License-Identifier: LGPL-2.1-or-later
//
// admin.cpp - the administration calls of <memfabric/admin.h> that use the
// device's ioctls: the context, pools, raw extents, namespaces and
// freeing an object.  The list ioctls' retry loop lives here, once.
//
// Nothing here throws: memory comes from malloc() (the lists are handed
// to C callers, who free() them) and new (std::nothrow).
#include "internal.hpp"

#include <memfabric/admin.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

#include <sys/ioctl.h>

using namespace memfabric::detail;

// The admin structs that the kernel fills are its own, field for field.
#define SAME_LAYOUT(A, K, f) \
	static_assert(offsetof(A, f) == offsetof(K, f), #A "." #f)
static_assert(sizeof(mf_admin_pool_info) == sizeof(mf_pool_info), "pool info");
SAME_LAYOUT(mf_admin_pool_info, mf_pool_info, backend);
SAME_LAYOUT(mf_admin_pool_info, mf_pool_info, bytes);
SAME_LAYOUT(mf_admin_pool_info, mf_pool_info, frag_permille);
SAME_LAYOUT(mf_admin_pool_info, mf_pool_info, uuid);
static_assert(sizeof(mf_admin_ns_info) == sizeof(mf_ns_info), "ns info");
SAME_LAYOUT(mf_admin_ns_info, mf_ns_info, ttl);
SAME_LAYOUT(mf_admin_ns_info, mf_ns_info, attr);
static_assert(sizeof(mf_admin_extent) == sizeof(mf_extent_info), "extent");
SAME_LAYOUT(mf_admin_extent, mf_extent_info, tag);
static_assert(MF_ADMIN_POOL_NAME_LEN == MF_POOL_NAME_LEN &&
		      MF_ADMIN_PATH_LEN == MF_POOL_PATH_LEN &&
		      MF_ADMIN_NAME_LEN == MF_NS_NAME_LEN &&
		      MF_ADMIN_NAME_LEN == MF_SECID_LEN &&
		      MF_ADMIN_NAME_LEN == MF_OBJ_ID_LEN &&
		      MF_ADMIN_VERSION_LEN == MF_VERSION_LEN,
	      "name sizes");
static_assert(MF_ADMIN_BACKEND_FSDAX == MF_POOL_BACKEND_FSDAX &&
		      MF_ADMIN_BACKEND_NODE == MF_POOL_BACKEND_NODE &&
		      MF_ADMIN_BACKEND_RAM == MF_POOL_BACKEND_RAM &&
		      MF_ADMIN_POOL_FORMAT == MF_POOL_FORMAT &&
		      MF_ADMIN_POOL_FORMATTED == MF_POOL_RESULT_FORMATTED &&
		      MF_ADMIN_POOL_PERSISTENT == MF_POOL_INFO_PERSISTENT &&
		      MF_ADMIN_CHECK_SUPERBLOCK == MF_POOL_CHECK_SUPERBLOCK &&
		      MF_ADMIN_CHECK_MULTIHOST == MF_POOL_CHECK_MULTIHOST &&
		      MF_ADMIN_NS_FORCE == MF_NS_FORCE &&
		      MF_ADMIN_OBJ_PRIVATE_RW == MF_OBJ_PRIVATE_RW &&
		      MF_ADMIN_OBJ_SHARED_RO == MF_OBJ_SHARED_RO,
	      "constants");

struct mf_admin {
	UniqueFd owned;	// the device, unless the caller's
	int fd = -1;
	mf_version version{};
};

namespace {

// Copy the NUL-terminated @src into the zeroed field @dst of @cap bytes:
// 0, or -EINVAL when it is NULL or does not fit.  @empty_ok: "" is fine.
int field(char *dst, size_t cap, const char *src, bool empty_ok = false)
{
	if (!src)
		return -EINVAL;
	size_t n = strnlen(src, cap);
	if (n == cap || (!n && !empty_ok))
		return -EINVAL;
	memcpy(dst, src, n);
	return 0;
}

template <size_t N> int field(char (&dst)[N], const char *src)
{
	return field(dst, N, src);
}

int doIoctl(const mf_admin *ctx, unsigned long cmd, void *arg)
{
	if (!ctx)
		return -EINVAL;
	return ioctl(ctx->fd, cmd, arg) ? -errno : 0;
}

// One of the list ioctls (MF_IOC_POOL_LIST, _EXTENT_LIST, _NS_LIST):
// @arg is its struct, with every input but the array set.  Call it with
// room for @want entries, and again with more room while the kernel has
// more than there was room for.  The entries in a malloc()ed *@out; their
// number, or -errno.
template <class Entry, class Arg, class SetArray>
int listRetry(const mf_admin *ctx, unsigned long cmd, Arg &arg,
	      SetArray setArray, uint32_t want, Entry **out)
{
	if (!out)
		return -EINVAL;
	*out = nullptr;
	for (int tries = 0; tries < 8; tries++) {
		Entry *buf = static_cast<Entry *>(calloc(want ? want : 1,
							 sizeof(Entry)));
		if (!buf)
			return -ENOMEM;
		setArray(arg, reinterpret_cast<uintptr_t>(buf));
		arg.count = want;
		arg.entry_size = sizeof(Entry);
		int rc = doIoctl(ctx, cmd, &arg);
		if (rc) {
			free(buf);
			return rc;
		}
		if (arg.count <= want) {
			*out = buf;
			return static_cast<int>(arg.count);
		}
		// More entries than room (some came meanwhile): again, with
		// room for them all and some more.
		free(buf);
		want = arg.count + 16;
	}
	return -EAGAIN;
}

int newContext(UniqueFd owned, int fd, const mf_version &v, mf_admin **out)
{
	mf_admin *ctx = new (std::nothrow) mf_admin;
	if (!ctx)
		return -ENOMEM;
	ctx->owned = std::move(owned);
	ctx->fd = fd;
	ctx->version = v;
	*out = ctx;
	return 0;
}

} // namespace

// ---- the context -----------------------------------------------------------

extern "C" MF_ADMIN_API int mf_admin_new(const char *config, mf_admin **out)
{
	if (!out)
		return -EINVAL;
	*out = nullptr;
	try {
		// As BM_Init(): the config file names the device.
		Config cfg;
		if (config) {
			int rc = parseConfigFile(config, cfg);
			if (rc)
				return rc;
		}
		UniqueFd fd;
		mf_version v;
		int rc = openDevice(cfg.device.c_str(), fd, v);
		if (rc)
			return rc;
		int raw = fd.get();
		return newContext(std::move(fd), raw, v, out);
	} catch (const std::bad_alloc &) {
		return -ENOMEM;
	}
}

extern "C" MF_ADMIN_API int mf_admin_new_fd(int fd, mf_admin **out)
{
	mf_version v;

	if (!out || fd < 0)
		return -EINVAL;
	*out = nullptr;
	int rc = checkDevice(fd, "memfabric device", v);
	return rc ? rc : newContext(UniqueFd(), fd, v, out);
}

extern "C" MF_ADMIN_API void mf_admin_free(mf_admin *ctx)
{
	delete ctx;
}

extern "C" MF_ADMIN_API int mf_admin_version(const mf_admin *ctx,
					     mf_admin_module_info *out)
{
	if (!ctx || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->abi_major = ctx->version.abi_major;
	out->abi_minor = ctx->version.abi_minor;
	out->features = ctx->version.features;
	memcpy(out->module_version, ctx->version.module_version,
	       sizeof(out->module_version) - 1);
	return 0;
}

// ---- pools -------------------------------------------------------------------

extern "C" MF_ADMIN_API int mf_admin_pool_attach(mf_admin *ctx,
						 mf_admin_pool_spec *a)
{
	mf_pool_attach k{};

	if (!a)
		return -EINVAL;
	k.size = sizeof(k);
	k.flags = a->flags;
	k.backend = a->backend;
	k.node = a->node;
	k.unit_shift = a->unit_shift;
	k.bytes = a->bytes;
	if (field(k.name, a->name) ||
	    field(k.path, sizeof(k.path), a->path, true))
		return -EINVAL;
	int rc = doIoctl(ctx, MF_IOC_POOL_ATTACH, &k);
	if (rc)
		return rc;
	a->unit_shift = k.unit_shift;
	a->bytes = k.bytes;
	a->capacity = k.capacity;
	a->result = k.result;
	memcpy(a->uuid, k.uuid, sizeof(a->uuid));
	return 0;
}

extern "C" MF_ADMIN_API int mf_admin_pool_detach(mf_admin *ctx,
						 const char *name)
{
	mf_pool_detach d{};

	d.size = sizeof(d);
	if (field(d.name, name))
		return -EINVAL;
	return doIoctl(ctx, MF_IOC_POOL_DETACH, &d);
}

extern "C" MF_ADMIN_API int mf_admin_pool_list(mf_admin *ctx,
					       mf_admin_pool_info **out)
{
	mf_pool_list l{};

	l.size = sizeof(l);
	return listRetry(ctx, MF_IOC_POOL_LIST, l,
			 [](mf_pool_list &a, uintptr_t p) { a.pools = p; }, 16,
			 out);
}

extern "C" MF_ADMIN_API int mf_admin_pool_get(mf_admin *ctx, const char *name,
					      mf_admin_pool_info *out)
{
	char want[MF_POOL_NAME_LEN] = {};
	mf_admin_pool_info *infos;

	if (!out || field(want, name))
		return -EINVAL;
	int n = mf_admin_pool_list(ctx, &infos);
	if (n < 0)
		return n;
	int rc = -ENOENT;
	for (int i = 0; i < n; i++) {
		if (!strncmp(infos[i].name, want, sizeof(want))) {
			*out = infos[i];
			rc = 0;
			break;
		}
	}
	free(infos);
	return rc;
}

extern "C" MF_ADMIN_API int mf_admin_pool_check(mf_admin *ctx, const char *name,
						mf_admin_check_result *out)
{
	mf_pool_check c{};

	if (!out)
		return -EINVAL;
	c.size = sizeof(c);
	if (field(c.name, name))
		return -EINVAL;
	int rc = doIoctl(ctx, MF_IOC_POOL_CHECK, &c);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->errors = c.errors;
	out->first_error = c.first_error;
	static_assert(sizeof(out->what) == sizeof(c.what) + 1, "what fits");
	memcpy(out->what, c.what, sizeof(c.what));	// ends with the NUL
	return 0;
}

// ---- raw extents ---------------------------------------------------------

extern "C" MF_ADMIN_API int mf_admin_extent_alloc(mf_admin *ctx,
						  const char *pool,
						  uint64_t len, uint64_t tag,
						  uint64_t *offset)
{
	mf_extent_alloc a{};

	a.size = sizeof(a);
	a.len = len;
	a.tag = tag;
	if (field(a.pool, pool))
		return -EINVAL;
	int rc = doIoctl(ctx, MF_IOC_EXTENT_ALLOC, &a);
	if (!rc && offset)
		*offset = a.offset;
	return rc;
}

extern "C" MF_ADMIN_API int mf_admin_extent_free(mf_admin *ctx,
						 const char *pool,
						 uint64_t offset, uint64_t *len,
						 uint64_t *tag)
{
	mf_extent_free f{};

	f.size = sizeof(f);
	f.offset = offset;
	if (field(f.pool, pool))
		return -EINVAL;
	int rc = doIoctl(ctx, MF_IOC_EXTENT_FREE, &f);
	if (!rc && len)
		*len = f.len;
	if (!rc && tag)
		*tag = f.tag;
	return rc;
}

extern "C" MF_ADMIN_API int mf_admin_extent_list(mf_admin *ctx,
						 const char *pool,
						 mf_admin_extent **out)
{
	mf_extent_list l{};

	l.size = sizeof(l);
	if (field(l.pool, pool))
		return -EINVAL;
	return listRetry(ctx, MF_IOC_EXTENT_LIST, l,
			 [](mf_extent_list &a, uintptr_t p) { a.extents = p; },
			 64, out);
}

// ---- namespaces and objects ----------------------------------------------------

extern "C" MF_ADMIN_API int mf_admin_ns_create(mf_admin *ctx, const char *pool,
					       const char *name,
					       const char *secid, uint64_t ttl,
					       uint32_t attr)
{
	mf_ns_create c{};

	c.size = sizeof(c);
	c.ttl = ttl;
	c.attr = attr;
	if (field(c.pool, pool) || field(c.name, name) ||
	    field(c.secid, secid))
		return -EINVAL;
	int rc = doIoctl(ctx, MF_IOC_NS_CREATE, &c);
	explicit_bzero(c.secid, sizeof(c.secid));
	return rc;
}

extern "C" MF_ADMIN_API int mf_admin_ns_destroy(mf_admin *ctx,
						const char *pool,
						const char *name,
						const char *secid,
						unsigned flags, uint64_t *freed,
						uint64_t *deferred)
{
	mf_ns_destroy d{};

	d.size = sizeof(d);
	d.flags = flags;
	if (field(d.pool, pool) || field(d.name, name) ||
	    field(d.secid, secid))
		return -EINVAL;
	int rc = doIoctl(ctx, MF_IOC_NS_DESTROY, &d);
	explicit_bzero(d.secid, sizeof(d.secid));
	if (!rc && freed)
		*freed = d.freed;
	if (!rc && deferred)
		*deferred = d.deferred;
	return rc;
}

extern "C" MF_ADMIN_API int mf_admin_ns_list(mf_admin *ctx, const char *pool,
					     mf_admin_ns_info **out)
{
	mf_ns_list l{};

	l.size = sizeof(l);
	if (pool && field(l.pool, sizeof(l.pool), pool, true))
		return -EINVAL;
	return listRetry(ctx, MF_IOC_NS_LIST, l,
			 [](mf_ns_list &a, uintptr_t p) { a.namespaces = p; },
			 64, out);
}

extern "C" MF_ADMIN_API int mf_admin_obj_free(mf_admin *ctx, const char *pool,
					      const char *ns,
					      const char *secid, const char *id)
{
	mf_obj_free f{};

	f.size = sizeof(f);
	if (field(f.name.pool, pool) || field(f.name.ns, ns) ||
	    field(f.name.secid, secid) || field(f.name.id, id))
		return -EINVAL;
	int rc = doIoctl(ctx, MF_IOC_OBJ_FREE, &f);
	explicit_bzero(f.name.secid, sizeof(f.name.secid));
	return rc;
}
