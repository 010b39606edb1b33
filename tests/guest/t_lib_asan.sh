#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_lib_asan.sh - the library's CUnit guest suites (build/tests/guest/t_lib_*)
# once more, against libmemfabric built with ASan+UBSan
# (build/lib-asan/libmemfabric.so.0, lib/Makefile target asan), loaded with
# LD_LIBRARY_PATH and the ASan runtime in LD_PRELOAD.  Issue 20: once per
# make check, on one kernel (6.1; elsewhere it passes at once).  A sanitizer
# report or a failed check fails it.
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
LIB=$TOP/build/lib-asan
case $(uname -r) in
6.1.*) ;;
*)	echo "PASS: t_lib_asan: runs on the 6.1 kernel only (this is $(uname -r))"
	exit 0 ;;
esac
RT=$(ls /usr/lib/x86_64-linux-gnu/libasan.so.* /lib/x86_64-linux-gnu/libasan.so.* 2>/dev/null | head -n 1)
if [ ! -e "$LIB/libmemfabric.so.0" ] || [ -z "$RT" ]; then
	echo "FAIL: t_lib_asan: no $LIB/libmemfabric.so.0 (make -C lib asan) or no libasan"
	exit 1
fi
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
fail=0
for t in "$TOP"/build/tests/guest/t_lib_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if ! LD_LIBRARY_PATH=$LIB LD_TRACE_LOADED_OBJECTS=1 "$t" | grep -q "$LIB/libmemfabric"; then
		echo "FAIL: t_lib_asan: $name does not load $LIB/libmemfabric.so.0"
		fail=1
		continue
	fi
	start=$(date +%s)
	out=$(LD_LIBRARY_PATH=$LIB LD_PRELOAD=$RT timeout -k 10 600 "$t" 2>&1)
	rc=$?
	p=$(grep -c '^PASS: ' <<<"$out")
	f=$(grep -c '^FAIL: ' <<<"$out")
	if grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' <<<"$out"; then
		grep -E -A 25 'ERROR: AddressSanitizer|runtime error:' <<<"$out" | head -n 40 | sed 's/^/    /'
		echo "FAIL: t_lib_asan: $name: sanitizer report"
		fail=1
	elif [ $rc != 0 ] || [ "$f" != 0 ] || [ "$p" = 0 ]; then
		grep '^FAIL: ' <<<"$out" | sed 's/^FAIL: /    /'
		echo "FAIL: t_lib_asan: $name: status $rc, $p passed, $f failed"
		fail=1
	else
		echo "PASS: t_lib_asan: $name under ASan+UBSan: $p checks ($(($(date +%s) - start)) s)"
	fi
done
exit $fail
