#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stress-guest.sh - one phase of `make stress`, inside an mfvm guest.
#
#   tests/stress/stress-guest.sh [--debug] PHASE SECONDS
#
# --debug: first replace the module mfvm loaded with the debug build
# (build/kmod-debug/<release>/memfabric.ko, make DEBUG=1: allocator checked
# after every operation, refcount underflow traps), pool0 attached again.
# PHASE:
#   outside  tests/stress/outside-tools.sh -t SECONDS: trinity and stress-ng,
#            each as root and as nobody, each for SECONDS
#   fuzz     t_fuzz as root for SECONDS, then as nobody for SECONDS
#   conc     t_conc for SECONDS (workers killed with SIGKILL)
#   smoke    all three, briefly
#   debug    (on the debug kernel, scripts/build-debug-kernel.sh) the whole
#            guest suite (tests/run-suite, its short t_fuzz and t_conc
#            included), then t_fuzz (SECONDS/2 as root, SECONDS/2 as
#            nobody, two threads) and t_conc for SECONDS; lockdep, KASAN,
#            KFENCE and DEBUG_VM reports fail the test they follow
# Every test's kernel log is scanned (tests/run-suite).  Then the module is
# unloaded: rmmod must succeed and the kernel must report no leak.
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
debug=0
if [ "${1:-}" = --debug ]; then
	debug=1
	shift
fi
PHASE=${1:?usage: stress-guest.sh [--debug] PHASE SECONDS}
SECS=${2:-600}
REL=$(uname -r)
fail=0
say() { echo "stress-guest: $*"; }

if [ $debug = 1 ]; then
	ko=$TOP/build/kmod-debug/$REL/memfabric.ko
	rmmod memfabric || { echo "FAIL: stress-guest: rmmod of the normal module"; exit 1; }
	insmod "$ko" pools=pool0:fsdax:$MFVM_PMEM ||
		{ echo "FAIL: stress-guest: insmod $ko"; exit 1; }
	say "debug module loaded: $ko"
fi

export MF_TEST_TIMEOUT=$((3 * SECS + 600))
case $PHASE in
outside) tests=("$TOP/tests/stress/outside-tools.sh") ; export MF_OUTSIDE_SECONDS=$SECS ;;
fuzz) tests=(t_fuzz) ; export MF_FUZZ_SECONDS=$((2 * SECS)) MF_FUZZ_THREADS=2 ;;
conc) tests=(t_conc) ; export MF_CONC_SECONDS=$SECS ;;
smoke) tests=(t_perm t_fuzz t_conc "$TOP/tests/stress/outside-tools.sh")
	export MF_FUZZ_SECONDS=$SECS MF_CONC_SECONDS=$SECS MF_OUTSIDE_SECONDS=$SECS ;;
debug) tests=(t_fuzz t_conc) ; export MF_FUZZ_SECONDS=$SECS MF_FUZZ_THREADS=2 MF_CONC_SECONDS=$SECS ;;
*) echo "stress-guest: unknown phase $PHASE" >&2; exit 2 ;;
esac
if [ "$PHASE" = debug ]; then
	case $REL in
	*-mfdebug) ;;
	*) say "warning: the debug phase runs on $REL, not on the debug kernel" ;;
	esac
	# The whole suite first, with its own (short) durations.
	say "the whole guest suite on $REL"
	env -u MF_FUZZ_SECONDS -u MF_FUZZ_THREADS -u MF_CONC_SECONDS \
		"$TOP"/tests/run-suite -v || fail=1
	say "t_fuzz and t_conc, $SECS s each, on $REL"
fi
"$TOP"/tests/run-suite -v "${tests[@]}" || fail=1

# The module unloads, and reports no leak.
before=$(dmesg | wc -l)
if rmmod memfabric; then
	echo "PASS: stress-guest: rmmod memfabric after the $PHASE phase"
else
	echo "FAIL: stress-guest: rmmod memfabric after the $PHASE phase"
	fail=1
fi
if dmesg | tail -n +$((before + 1)) | grep -E 'leak|still (has|referenced)|BUG|WARNING'; then
	echo "FAIL: stress-guest: the unload reported a leak"
	fail=1
else
	echo "PASS: stress-guest: the unload reported no leak"
fi
exit $fail
