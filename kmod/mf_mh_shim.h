/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mf_mh_shim.h - what the multi-host protocol core (mf_mh_*.c) needs from
 * its surroundings, for the kernel (memfabric.ko) and for userspace (the
 * simulator, tests/host/ncsim/).  Device memory is touched only through
 * mf_mh_cache.h; this header is everything else.
 *
 * Both sides get the kernel's u8..u64, __le16..__le64, the cpu_to_le*()
 * and le*_to_cpu() conversions, U32_MAX, and:
 *
 *   mf_mh_crc32c(crc, p, len)
 *		crc32c (Castagnoli) without the final inversion, as
 *		__crc32c_le(); userspace: a table in mf_mh_format.c
 *   mf_mh_zalloc(n, size), mf_mh_free(ptr)
 *		zeroed DRAM for the manager's state, NULL on failure; may sleep
 *   struct mf_mh_lock
 *		the lock of one manager or one member (a mutex in the kernel)
 *   mf_mh_lock_init(l), mf_mh_lock_destroy(l)
 *   mf_mh_lock(l), mf_mh_unlock(l)
 *   mf_mh_lock_held(l)
 *		lockdep_assert_held() in the kernel.  In userspace the lock is
 *		a flag, and locking it twice, unlocking it unheld or asserting
 *		it unheld calls mf_mh_lock_fail(), which the program defines
 *		(the simulator reports a violation): the lock discipline is
 *		checked on every schedule.
 *
 * mf_mh_lock_init() is a macro, so that the kernel gives each call site its
 * own lockdep class: the manager's lock and a member's lock are different
 * classes, as on the manager's host both exist.
 */
#ifndef MF_MH_SHIM_H
#define MF_MH_SHIM_H

#ifdef __KERNEL__

#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

static inline u32 mf_mh_crc32c(u32 crc, const void *p, size_t len)
{
	return __crc32c_le(crc, p, len);
}

#define mf_mh_zalloc(n, size)	kvcalloc((n), (size), GFP_KERNEL)
#define mf_mh_free(ptr)		kvfree(ptr)

struct mf_mh_lock {
	struct mutex mutex;	/* sleeps: never taken in atomic context */
};

#define mf_mh_lock_init(l)	mutex_init(&(l)->mutex)
#define mf_mh_lock_destroy(l)	mutex_destroy(&(l)->mutex)
#define mf_mh_lock(l)		mutex_lock(&(l)->mutex)
#define mf_mh_unlock(l)		mutex_unlock(&(l)->mutex)
#define mf_mh_lock_held(l)	lockdep_assert_held(&(l)->mutex)

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

#define cpu_to_le16(x)	((__le16)htole16(x))
#define cpu_to_le32(x)	((__le32)htole32(x))
#define cpu_to_le64(x)	((__le64)htole64(x))
#define le16_to_cpu(x)	((u16)le16toh(x))
#define le32_to_cpu(x)	((u32)le32toh(x))
#define le64_to_cpu(x)	((u64)le64toh(x))

u32 mf_mh_crc32c(u32 crc, const void *p, size_t len);

#define mf_mh_zalloc(n, size)	calloc((n), (size))
#define mf_mh_free(ptr)		free(ptr)

struct mf_mh_lock {
	int held;
};

/* Defined by the program: a broken lock rule (@what says which). */
void mf_mh_lock_fail(const char *what);

static inline void mf_mh_lock_init(struct mf_mh_lock *l)
{
	l->held = 0;
}

static inline void mf_mh_lock_destroy(struct mf_mh_lock *l)
{
	(void)l;
}

static inline void mf_mh_lock(struct mf_mh_lock *l)
{
	if (l->held)
		mf_mh_lock_fail("lock taken twice");
	l->held = 1;
}

static inline void mf_mh_unlock(struct mf_mh_lock *l)
{
	if (!l->held)
		mf_mh_lock_fail("unlock of a lock not held");
	l->held = 0;
}

static inline void mf_mh_lock_held(const struct mf_mh_lock *l)
{
	if (!l->held)
		mf_mh_lock_fail("lock not held");
}

#endif /* __KERNEL__ */

#endif /* MF_MH_SHIM_H */
