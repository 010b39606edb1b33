/* SPDX-License-Identifier: GPL-2.0 */
/* fakelib.h - helpers of the fake-device library tests (lib_unit.cpp,
 * lib_stress.cpp): TAP-like PASS:/FAIL: lines for tests/run-check. */
#ifndef MEMFABRIC_TESTS_FAKELIB_H
#define MEMFABRIC_TESTS_FAKELIB_H

#include "fakedev.h"

#include <memfabric/bm.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

static std::atomic<int> g_failed{ 0 };

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("FAIL: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			fflush(stdout);                                        \
			g_failed++;                                            \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_) {                                                \
			printf("FAIL: %s:%d: %s == %lld, expected %s == %lld\n", \
			       __FILE__, __LINE__, #a, a_, #b, b_);            \
			fflush(stdout);                                        \
			g_failed++;                                            \
		}                                                              \
	} while (0)

static inline int fake_init(void)
{
	BmInitAttr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.device = FAKE_DEVICE;
	a.logLevel = BM_LOG_UNSET;
	return BM_InitWithExtAttr(NULL, 0, &a);
}

static inline BmInfo fake_info(const char *ns, const char *id,
			       const char *secid = "sec")
{
	BmInfo b;
	memset(&b, 0, sizeof(b));
	snprintf(b.ns, sizeof(b.ns), "%s", ns);
	snprintf(b.bmId, sizeof(b.bmId), "%s", id);
	snprintf(b.secId, sizeof(b.secId), "%s", secid);
	return b;
}

static inline long session_refs(BmInfo b)
{
	BmStat st;
	int rc = BM_StatSec(&b, &st);
	return rc ? rc : (long)st.sessionRefs;
}

#endif
