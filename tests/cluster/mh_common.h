/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mh_common.h - what the cluster tests' per-host helpers (mh_obj.c,
 * mh_cow.c, mh_zombie.c, mh_restart.c) share: PASS:/FAIL: counting, the
 * pattern objects are written with, BmInfo from the command line, the
 * pool's mh_stats values, and main()'s plumbing.  mh_common.c, linked
 * into each of them (tests/Makefile).
 */
#ifndef MH_COMMON_H
#define MH_COMMON_H

#include <stddef.h>

#include <memfabric/bm.h>

/*
 * Count a check and print "PASS: TOOL CMD: WHAT", or "FAIL: ... (got
 * GOT)" (TOOL and CMD as given to mh_main()); flushes, so that a helper
 * killed later has printed everything before.
 */
void check(int ok, const char *what, long got);

/* The helper's command (its argv[1]), "" before mh_main() sets it. */
extern const char *mh_cmd;

/* Byte @i of the pattern mh_obj create writes (mh_cow, mh_zombie too). */
unsigned char mh_pattern(size_t i);

/* @size bytes of mh_pattern() in a new buffer, or NULL (a failed check). */
unsigned char *mh_pattern_buf(size_t size);

/* The first byte of @p that differs from mh_pattern(), or -1. */
long mh_bad_byte(const unsigned char *p, size_t size);

/*
 * The object named by a helper's arguments POOL NS SECID ID (@a[0..3]);
 * @secid and @id, when not NULL, replace SECID and ID.
 */
BmInfo mh_info(char **a, const char *secid, const char *id);

/*
 * Make object @b of @size bytes: its namespace @a[1] with SECID @a[2]
 * (EEXIST is fine), BM_AllocSec, then BM_WriteSec of the first @len bytes
 * of @buf.  Each step is a check; returns 0 or the first error.
 */
int mh_make(BmInfo *b, char **a, size_t size, const unsigned char *buf,
	    size_t len);

/* Value @key of a pool's mh_stats file @stats, or -1. */
long mh_stat(const char *stats, const char *key);

/*
 * A helper's main(): without a command it skips (77).  Otherwise
 * BM_Init (its default pool argv[@pool_arg], if @pool_arg is not 0),
 * then @run(argc, argv), which returns -1 when the command or its
 * arguments are not its own: mh_main() then runs "free POOL NS SECID ID"
 * (BM_FreeSec), or fails a "usage" check; then BM_Exit and the summary.  Returns main()'s exit status: 0 all passed, 1 not.
 */
int mh_main(int argc, char **argv, const char *tool, int pool_arg,
	    int (*run)(int argc, char **argv));

#endif /* MH_COMMON_H */
