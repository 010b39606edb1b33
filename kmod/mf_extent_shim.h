/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_extent_shim.h - what mf_extent*.c need from their surroundings, for the
 * kernel (memfabric.ko) and for userspace (tests/host, bench/alloc).
 *
 * Both sides get the kernel's u8..u64 and __le64 types and:
 *
 *   mf_ext_zalloc(size), mf_ext_vfree(ptr)
 *		zeroed DRAM for the free lists, NULL on failure
 *   mf_ext_flush(addr, len)
 *		start writing back the cache lines of [addr, addr + len)
 *   mf_ext_fence()
 *		wait until every line flushed before is durable; a "persist"
 *		is one or more mf_ext_flush() and then one mf_ext_fence()
 *   mf_ext_ld64(ptr), mf_ext_st64(ptr, val)
 *		single-copy-atomic 8-byte load and store of metadata words
 *   mf_ext_fls64(x), mf_ext_ffs64(x)
 *		1-based index of the highest set bit (0 for 0); 0-based index
 *		of the lowest set bit (x != 0)
 *   mf_ext_le64(x), mf_ext_cpu64(x)
 *		CPU to little endian and back
 *   MF_EXT_ASSERT(cond)
 *		internal invariant; compiled out of normal kernel builds,
 *		WARN_ON_ONCE() with MF_DEBUG, assert() in userspace
 *   MF_DEBUG_ASSERT(cond)
 *		(kernel only) the same, for the rest of the module
 *   mf_ext_lock_held(lock)
 *		lockdep assertion that the caller's mutex is held
 *   mf_ext_resched()
 *		a point where a long walk may yield the CPU
 *   mf_ext_prefetch(ptr)
 *		start loading the cache line at ptr
 *
 * In userspace a persist does nothing unless a test or benchmark installs
 * mf_ext_flush_hook and mf_ext_fence_hook: the unit tests count persists
 * and simulate crashes with them, the benchmark can make them clwb/sfence.
 */
#ifndef MF_EXTENT_SHIM_H
#define MF_EXTENT_SHIM_H

#ifdef __KERNEL__

#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/libnvdimm.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/prefetch.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/barrier.h>

static inline void *mf_ext_zalloc(size_t size)
{
	/* kvzalloc() refuses more than INT_MAX bytes; vzalloc() does not. */
	if (size > INT_MAX)
		return vzalloc(size);
	return kvzalloc(size, GFP_KERNEL | __GFP_NOWARN);
}

#define mf_ext_vfree(ptr)	kvfree(ptr)

/*
 * The metadata is in pmem, CXL or DRAM mapped write-back: clwb (or
 * clflush{,opt}) of each line and a store fence, as the pmem driver does.
 */
#define mf_ext_flush(addr, len)	arch_wb_cache_pmem((void *)(addr), (len))
#define mf_ext_fence()		pmem_wmb()

/*
 * Metadata loads survive a media error: copy_mc_to_kernel() turns the
 * machine check into a short copy, and the word reads as all ones, which
 * no header checksum, magic or journal record accepts, so the damage is
 * reported as corrupt metadata (-EUCLEAN) instead of taking the machine
 * down.
 */
static inline u64 mf_ext_ld64_mc(const __le64 *ptr)
{
	u64 v;

	if (unlikely(copy_mc_to_kernel(&v, ptr, sizeof(v)))) {
		pr_err_ratelimited("memfabric: media error in pool metadata\n");
		return ~0ULL;
	}
	return v;
}

#define mf_ext_ld64(ptr)	((__force __le64)mf_ext_ld64_mc(ptr))
#define mf_ext_st64(ptr, val)	WRITE_ONCE(*(ptr), (val))
#define mf_ext_fls64(x)		fls64(x)
#define mf_ext_ffs64(x)		__ffs64(x)
#define mf_ext_le64(x)		cpu_to_le64(x)
#define mf_ext_cpu64(x)		le64_to_cpu(x)

#ifdef MF_DEBUG
#define MF_EXT_ASSERT(cond)	WARN_ON_ONCE(!(cond))
#else
#define MF_EXT_ASSERT(cond)	BUILD_BUG_ON_INVALID(!(cond))
#endif
/*
 * The same for the rest of the module (make DEBUG=1): refcount and
 * counter underflow traps.
 */
#define MF_DEBUG_ASSERT(cond)	MF_EXT_ASSERT(cond)

#define mf_ext_lock_held(lock)	lockdep_assert_held(lock)
#define mf_ext_resched()	cond_resched()
#define mf_ext_prefetch(ptr)	prefetch(ptr)

#else /* !__KERNEL__ */

#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#ifndef U32_MAX
#define U32_MAX		((u32)~0U)
#endif
#ifndef U64_MAX
#define U64_MAX		((u64)~0ULL)
#endif

/* Persist hooks for tests and benchmarks; NULL: a persist does nothing. */
extern void (*mf_ext_flush_hook)(const void *addr, size_t len);
extern void (*mf_ext_fence_hook)(void);

#define mf_ext_zalloc(size)	calloc(1, (size))
#define mf_ext_vfree(ptr)	free(ptr)

#define mf_ext_flush(addr, len)						\
	do {								\
		if (mf_ext_flush_hook)					\
			mf_ext_flush_hook((addr), (len));		\
	} while (0)
#define mf_ext_fence()							\
	do {								\
		if (mf_ext_fence_hook)					\
			mf_ext_fence_hook();				\
		__atomic_signal_fence(__ATOMIC_SEQ_CST);		\
	} while (0)

#define mf_ext_ld64(ptr)	__atomic_load_n((ptr), __ATOMIC_RELAXED)
#define mf_ext_st64(ptr, val)	__atomic_store_n((ptr), (val), __ATOMIC_RELAXED)
#define mf_ext_fls64(x)		((x) ? 64 - __builtin_clzll(x) : 0)
#define mf_ext_ffs64(x)		((unsigned int)__builtin_ctzll(x))
#define mf_ext_le64(x)		((__le64)htole64(x))
#define mf_ext_cpu64(x)		((u64)le64toh(x))

#define MF_EXT_ASSERT(cond)	assert(cond)

#define mf_ext_lock_held(lock)	((void)(lock))
#define mf_ext_resched()	do { } while (0)
#define mf_ext_prefetch(ptr)	__builtin_prefetch(ptr)

#endif /* __KERNEL__ */

#endif /* MF_EXTENT_SHIM_H */
