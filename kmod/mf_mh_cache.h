/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_mh_cache.h - the one way the multi-host protocol core (mf_mh_*.c)
 * touches shared device memory, for the kernel and for userspace (the
 * non-coherent cache simulator of tests/host/ncsim/).  The rest of the
 * core's surroundings (types, crc32c, allocation, locks) is mf_mh_shim.h.
 *
 * CXL 2.0 memory shared by several hosts is not coherent between them: a
 * host's caches can hold stale or dirty lines of the device.  So the
 * protocol never dereferences a device pointer.  It copies whole records
 * in and out and says explicitly when lines must reach the device or be
 * dropped:
 *
 *   mf_mh_ld(dst, dev, len)	copy device bytes into local memory
 *   mf_mh_st(dev, src, len)	store local bytes into the device range
 *				(into this host's cache)
 *   mf_mh_wb(site, dev, len)	start writing back the lines of the range
 *				(they stay cached, clean)
 *   mf_mh_fence(site)		wait until every write-back started before
 *				has reached the device
 *   mf_mh_inval(site, dev, len) write back the dirty lines of the range and
 *				drop all of them; complete on return, so the
 *				next load comes from the device
 *   mf_mh_wbinval_all(site)	the same for the whole cache of this host
 *				(before it rejoins under a new epoch)
 *
 * The kernel uses arch_wb_cache_pmem(), pmem_wmb(), arch_invalidate_pmem()
 * (mb; clflushopt...; mb) and wbinvd_on_all_cpus(); loads go through
 * copy_mc_to_kernel() so that a media error reads as all ones, which no
 * checksum accepts.
 *
 * Every call names its site, one of enum mf_mh_site, one per call site of
 * the protocol.  Building with -DMF_MH_MUTATE=<site> turns that one site
 * into nothing: tests/host/ncsim/mutate.sh builds the simulator once per
 * site and checks that each removal is caught.
 */
#ifndef MF_MH_CACHE_H
#define MF_MH_CACHE_H

#include "mf_mh_shim.h"

enum mf_mh_site {
	MF_MH_S_FMT_WB,		/* manager: format */
	MF_MH_S_FMT_FENCE,
	MF_MH_S_LOG_ENT_WB,	/* manager: log entry, before the head */
	MF_MH_S_LOG_ENT_FENCE,
	MF_MH_S_LOG_HEAD_WB,	/* manager: log head, the commit point */
	MF_MH_S_LOG_HEAD_FENCE,
	MF_MH_S_DIR_WB,		/* manager: directory slot */
	MF_MH_S_DIR_FENCE,
	MF_MH_S_RESP_WB,	/* manager: response slot */
	MF_MH_S_RESP_FENCE,
	MF_MH_S_REQ_INVAL,	/* manager: reads a request slot */
	MF_MH_S_HB_INVAL,	/* manager: reads a heartbeat line */
	MF_MH_S_ATTACH_INVAL,	/* member: superblock and own slots */
	MF_MH_S_REQ_WB,		/* member: request slot */
	MF_MH_S_REQ_FENCE,
	MF_MH_S_RESP_INVAL,	/* member: reads its response slot */
	MF_MH_S_DIR_INVAL,	/* member: reads a directory slot */
	MF_MH_S_HB_WB,		/* member: heartbeat */
	MF_MH_S_HB_FENCE,
	MF_MH_S_EPOCH_INVAL,	/* member: its epoch, at each heartbeat */
	MF_MH_S_PUB_WB,		/* owner: object range before publish */
	MF_MH_S_PUB_FENCE,
	MF_MH_S_MAP_INVAL,	/* reader: first map of a generation */
	MF_MH_S_FREE_INVAL,	/* owner: before freeing a private object */
	MF_MH_S_PUT_INVAL,	/* reader: before its host's last put */
	MF_MH_S_REJOIN_WBINV,	/* member: whole cache, before rejoining */
	MF_MH_S_LEAVE_WBINV,	/* member: whole cache, before a clean LEAVE */
	MF_MH_NR_SITES
};

/* The site a mutation build removes; none by default. */
#ifndef MF_MH_MUTATE
#define MF_MH_MUTATE	(-1)
#endif

static inline int mf_mh_site_on(enum mf_mh_site site)
{
	return (int)site != MF_MH_MUTATE;
}

#ifdef __KERNEL__

#include <linux/libnvdimm.h>
#include <linux/uaccess.h>
#include <asm/barrier.h>
#include <asm/smp.h>

static inline void mf_mh_ld(void *dst, const void *dev, size_t len)
{
	if (unlikely(copy_mc_to_kernel(dst, dev, len)))
		memset(dst, 0xff, len);
}

static inline void mf_mh_st(void *dev, const void *src, size_t len)
{
	memcpy(dev, src, len);
}

static inline void mf_mh_wb(enum mf_mh_site site, void *dev, size_t len)
{
	if (mf_mh_site_on(site))
		arch_wb_cache_pmem(dev, len);
}

static inline void mf_mh_fence(enum mf_mh_site site)
{
	if (mf_mh_site_on(site))
		pmem_wmb();
}

static inline void mf_mh_inval(enum mf_mh_site site, void *dev, size_t len)
{
	if (mf_mh_site_on(site))
		arch_invalidate_pmem(dev, len);
}

static inline void mf_mh_wbinval_all(enum mf_mh_site site)
{
	if (mf_mh_site_on(site))
		wbinvd_on_all_cpus();
}

#else /* !__KERNEL__ */

/*
 * The simulator's model of this host's caches; NULL: plain memory, every
 * flush a no-op.  The simulator knows which host runs from its scheduler.
 */
struct mf_mh_cache_ops {
	void (*ld)(void *dst, const void *dev, size_t len);
	void (*st)(void *dev, const void *src, size_t len);
	void (*wb)(int site, const void *dev, size_t len);
	void (*fence)(int site);
	void (*inval)(int site, const void *dev, size_t len);
	void (*wbinval_all)(int site);
};

extern const struct mf_mh_cache_ops *mf_mh_cache;

static inline void mf_mh_ld(void *dst, const void *dev, size_t len)
{
	if (mf_mh_cache)
		mf_mh_cache->ld(dst, dev, len);
	else
		memcpy(dst, dev, len);
}

static inline void mf_mh_st(void *dev, const void *src, size_t len)
{
	if (mf_mh_cache)
		mf_mh_cache->st(dev, src, len);
	else
		memcpy(dev, src, len);
}

static inline void mf_mh_wb(enum mf_mh_site site, void *dev, size_t len)
{
	if (mf_mh_site_on(site) && mf_mh_cache)
		mf_mh_cache->wb(site, dev, len);
}

static inline void mf_mh_fence(enum mf_mh_site site)
{
	if (mf_mh_site_on(site) && mf_mh_cache)
		mf_mh_cache->fence(site);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void mf_mh_inval(enum mf_mh_site site, void *dev, size_t len)
{
	if (mf_mh_site_on(site) && mf_mh_cache)
		mf_mh_cache->inval(site, dev, len);
}

static inline void mf_mh_wbinval_all(enum mf_mh_site site)
{
	if (mf_mh_site_on(site) && mf_mh_cache)
		mf_mh_cache->wbinval_all(site);
}

#endif /* __KERNEL__ */

#endif /* MF_MH_CACHE_H */
