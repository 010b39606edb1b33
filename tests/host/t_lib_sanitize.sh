#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_lib_sanitize.sh - libmemfabric under sanitizers, against the fake device
# of tests/host/fakedev/ (issue 20).  Runs the programs tests/Makefile
# builds into build/tests/libsan/:
#   asan/lib_unit, tsan/lib_unit     deterministic interleaving tests
#   asan/lib_unit with FAKE_ABI14=1  the same on a kernel without serials
#   asan/lib_stress, tsan/lib_stress multi-threaded stress, $LIBSAN_SECS s each
# Any sanitizer report fails the run (ASan/UBSan abort; TSan exits 66).
# About a minute in all on 2 cores.
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
B=$TOP/build/tests/libsan
SECS=${LIBSAN_SECS:-20}
fail=0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:second_deadlock_stack=1}

# run LABEL PROG ARGS...: PASS/FAIL lines of PROG, and one for its status.
run() {
	local label=$1 t0 t1 rc out
	shift
	if [ ! -x "$1" ]; then
		echo "FAIL: $label: $1 not built (make -C tests libsan)"
		fail=1
		return
	fi
	t0=$(date +%s%N)
	out=$(LIBSAN_LABEL=$label "$@" 2>&1)
	rc=$?
	# TSan on a kernel with many mmap random bits: run it without ASLR.
	if [ $rc != 0 ] && grep -q 'unexpected memory mapping' <<<"$out"; then
		out=$(LIBSAN_LABEL=$label setarch "$(uname -m)" -R "$@" 2>&1)
		rc=$?
	fi
	t1=$(date +%s%N)
	grep -E '^(PASS|FAIL): ' <<<"$out" | sed "s/^\(PASS\|FAIL\): lib_unit /\1: $label lib_unit /"
	if [ $rc != 0 ]; then
		grep -E 'ERROR: |WARNING: ThreadSanitizer|SUMMARY: |runtime error' <<<"$out" | head -20
		echo "FAIL: $label: $(basename "$1") exited with status $rc"
		fail=1
	fi
	local ms=$(((t1 - t0) / 1000000))
	printf '%s: %s took %d.%d s\n' "$label" "$(basename "$1")" \
		$((ms / 1000)) $((ms % 1000 / 100))
}

run asan "$B/asan/lib_unit"
FAKE_ABI14=1 run asan "$B/asan/lib_unit"
run tsan "$B/tsan/lib_unit"
run asan "$B/asan/lib_stress" "$SECS" 4
run tsan "$B/tsan/lib_stress" "$SECS" 4
exit $fail
