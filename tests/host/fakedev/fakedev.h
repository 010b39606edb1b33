/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fakedev.h - a userspace stand-in for /dev/memfabric, for the library's
 * sanitizer suite (tests/host/t_lib_sanitize.sh).
 *
 * The library objects are linked with -Wl,--wrap=open,--wrap=ioctl,
 * --wrap=mmap,--wrap=munmap,--wrap=close: opening FAKE_DEVICE gives a
 * descriptor (a real one, of /dev/null) whose object ioctls this file
 * emulates with the kernel's rules: per-open-file handle tables keyed by
 * object number, numbers handed out cyclically (xa_alloc_cyclic) from a
 * number space that a test can shrink, never-reused object serials
 * (MF_FEAT_SERIAL, switchable off to play an ABI 1.4 kernel), FREE hiding
 * an object whose number is released with its last reference.
 *
 * Hooks force interleavings: fake_before()/fake_after() run at the entry
 * and exit of every emulated ioctl, in the calling thread, without the
 * fake's lock.  The fake tests the library only; the guest suites stay
 * the truth for the kernel.
 */
#ifndef MEMFABRIC_TESTS_FAKEDEV_H
#define MEMFABRIC_TESTS_FAKEDEV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FAKE_DEVICE "/fake/memfabric"

/* Number space 1..n (the kernel's is MF_MAP_NR_MAX); returns the old n. */
uint64_t fake_set_nr_max(uint64_t n);
/* Whether the fake kernel has MF_FEAT_SERIAL (default 1). */
void fake_set_serial(int on);
/* Change the secId of namespace @ns of @pool (plays a namespace destroyed
 * and made again while a handle on one of its objects is held). */
void fake_change_secid(const char *pool, const char *ns, const char *secid);
/* The hooks (NULL: none), process-wide. */
typedef void (*fake_hook_fn)(unsigned long cmd, void *arg, int rc);
void fake_set_hooks(fake_hook_fn before, fake_hook_fn after);

/* Live objects (not yet destroyed), handles held by all open files,
 * open files, and the kernel references of object @id in namespace @ns
 * of the default pool (-1: no such visible object). */
long fake_nr_objects(void);
long fake_nr_handles(void);
long fake_nr_files(void);
long fake_obj_refs(const char *ns, const char *id);
/* Object-number reuses so far (a number handed out again). */
long fake_nr_reuses(void);
/* Emulated ioctls so far. */
long fake_nr_ioctls(void);

#ifdef __cplusplus
}
#endif

#endif
