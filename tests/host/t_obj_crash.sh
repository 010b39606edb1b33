#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_obj_crash.sh - the object crash loop (issue 8, part 3): objects in a
# persistent pool survive the guest being killed at a random moment of a
# mixed workload (alloc + write, derive, patch, publish, free).
#
#   tests/host/t_obj_crash.sh [CYCLES]	(default $MF_OBJ_CRASH_CYCLES or 2;
#					 `make stress` runs 50)
#
# Each cycle boots a guest (mfvm --state, alternately 6.1 on its CXL pmem
# region and 6.12 on its NVDIMM, each kernel with its own backing files)
# that first verifies namespace "crash" of pool0 against the log the
# previous cycle's workload left (t_conc crash-verify: every object whose
# creation is logged complete is there with the size, type and checksum
# the log recorded, unless its free is logged complete; at most the one
# step in flight is undecided; nothing else is in the namespace;
# MF_IOC_POOL_CHECK is clean; it then rewrites the log from the pool),
# then runs the workload (t_conc crash-load), which logs each step,
# fdatasync'ed, before its ioctl, when it returned and when it is
# complete.  The host kills qemu with SIGKILL 0.2 to 6 s into the
# workload.  A last boot per kernel verifies the last crash.

. "$(dirname "$(readlink -f "$0")")/host_common.sh"
. "$(dirname "$(readlink -f "$0")")/crash_common.sh"
STORM=$TOP/build/tests/guest/t_conc
CYCLES=${1:-${MF_OBJ_CRASH_CYCLES:-2}}
VERIFY='crash-verify'
LOAD='crash-load'
VERIFIED=objects
VERIFY_FAIL_RE='^FAIL'
LOAD_WHAT=workload
verified_msg() {
	echo "every object logged complete is intact ($(sed -n 's/^verified \([0-9]*\) objects.*/\1/p' "$1") objects, pool check clean)"
}
load_detail() {
	echo "$(grep -c '^C ' "$1") steps completed in the log"
}

crash_main
