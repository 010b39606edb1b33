/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfremote.h - what the remote fabric's test clients share
 * (tests/guest/t_remote_lib.c, t_remote_auth.c, t_remote_hostile.c).
 */
#ifndef MFREMOTE_H
#define MFREMOTE_H

#include <stdio.h>
#include <string.h>

#include <memfabric/bm.h>

/* A BmInfo naming object @id of namespace @ns (secId @sec) in @pool
 * ("NODE:POOL" for a remote one); each field cut to its size. */
static inline BmInfo mfr_info(const char *pool, const char *ns,
			      const char *sec, const char *id)
{
	BmInfo b;

	memset(&b, 0, sizeof(b));
	snprintf(b.poolName, sizeof(b.poolName), "%s", pool);
	snprintf(b.ns, sizeof(b.ns), "%s", ns);
	snprintf(b.secId, sizeof(b.secId), "%s", sec);
	snprintf(b.bmId, sizeof(b.bmId), "%s", id);
	return b;
}

#endif /* MFREMOTE_H */
