#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_pool_crash.sh - the crash loop: a persistent pool survives the guest
# being killed at a random moment of an allocation storm.
#
#   tests/host/t_pool_crash.sh [CYCLES]	(default $MF_CRASH_CYCLES or 2;
#					 `make crash` runs 20)
#
# Each cycle boots a guest (mfvm --state, alternately 6.1 on its CXL pmem
# region and 6.12 on its NVDIMM, each kernel with its own state) that
# first verifies pool0 against the log the previous cycle's storm left
# (t_pool_storm verify: every allocation logged as completed is there
# with its tag and length, nothing else is allocated but the one
# operation in flight, MF_IOC_POOL_CHECK is clean; it then rewrites the
# log from the pool), then runs an endless storm on pool0 that logs each
# operation, fdatasync'ed, before (intent) and after (completion) its
# ioctl.  The host kills qemu with SIGKILL 0.2 to 6 s into the storm.  A
# last boot per kernel verifies the last crash.  Each boot takes ~30 s.

. "$(dirname "$(readlink -f "$0")")/host_common.sh"
. "$(dirname "$(readlink -f "$0")")/crash_common.sh"
STORM=$TOP/build/tests/guest/t_pool_storm
CYCLES=${1:-${MF_CRASH_CYCLES:-2}}
VERIFY='verify pool0'
LOAD='storm pool0'
VERIFIED=pool0
VERIFY_FAIL_RE='^(FAIL|missing|extra|changed)'
LOAD_WHAT=storm
verified_msg() {
	echo "pool0 is exactly what the log says ($(sed -n 's/^verified \([0-9]*\) extents.*/\1/p' "$1") extents$(grep -q '^note: the' "$1" && echo ', the operation in flight completed'))"
}
load_detail() {
	echo "$(grep -c '^[AF] ' "$1") operations in the log"
}

crash_main
