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

set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
MFVM=$TOP/tools/mfvm
STORM=$TOP/build/tests/guest/t_conc
CYCLES=${1:-${MF_OBJ_CRASH_CYCLES:-2}}
KERNELS=(6.1 6.12)
name=t_obj_crash.sh
pass=0
fail=0
ok() { echo "PASS: $name: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $name: $1 ($2)"; fail=$((fail + 1)); }

[[ $CYCLES =~ ^[1-9][0-9]*$ ]] || { echo "usage: $name [CYCLES]" >&2; exit 2; }
[ -x "$STORM" ] || { ko "t_conc is built" "run make"; echo "$name: $pass passed, $fail failed"; exit 1; }
mkdir -p "$TOP/build/tests"
T=$(mktemp -d "$TOP/build/tests/t_obj_crash.XXXXXX")
MFVM_PID=
cleanup() {
	[ -n "$MFVM_PID" ] && kill "$MFVM_PID" 2>/dev/null
	if [ $fail = 0 ]; then rm -rf "$T"; else echo "$name: logs kept in $T"; fi
}
trap cleanup EXIT

# boot KERNEL CYCLE STORM(0/1): one guest; verifies, then storms until killed.
boot() {
	local k=$1 c=$2 storm=$3 st=$T/state-$1 d=$T/$1 out
	mkdir -p "$d"
	out=$d/cycle-$c
	rm -f "$out.started"
	"$MFVM" run --kernel "$k" --state "$st" --timeout 600 -- bash -c '
		s=$PWD/build/tests/guest/t_conc
		rc=0
		if [ -f '"$d"'/log ]; then
			$s crash-verify '"$d"'/log >'"$out"'.verify 2>&1 || rc=1
		else
			test -d /sys/kernel/memfabric/pools/pool0 || rc=1
		fi
		[ '"$storm"' = 1 ] || exit $rc
		[ $rc = 0 ] || exit $rc
		touch '"$out"'.started
		exec $s crash-load '"$d"'/log' >"$out.mfvm" 2>&1 &
	MFVM_PID=$!
	if [ "$storm" = 1 ]; then
		local i pid
		for i in $(seq 3000); do	# boots are slow on a busy machine
			[ -e "$out.started" ] && break
			kill -0 $MFVM_PID 2>/dev/null || break
			sleep 0.1
		done
		if [ -e "$out.started" ]; then
			sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.2 + r % 580 / 100 }')"
			pid=$(pgrep -f "^qemu-system-x86_64 .*mem-path=$st/fabric" | head -n 1)
			if [ -n "$pid" ]; then
				kill -9 "$pid"
			else
				ko "$k cycle $c: qemu to kill" "not found"
			fi
		fi
	fi
	wait $MFVM_PID
	local rc=$?
	MFVM_PID=
	if [ -f "$out.verify" ]; then
		if grep -q '^FAIL' "$out.verify" || ! grep -q '^PASS' "$out.verify"; then
			ko "$k cycle $c: objects after the crash" "$(grep -E '^FAIL' "$out.verify" | head -5 | tr '\n' ' ')"
		else
			ok "$k cycle $c: every object logged complete is intact ($(sed -n 's/^verified \([0-9]*\) objects.*/\1/p' "$out.verify") objects, pool check clean)"
		fi
	elif [ "$c" != 1 ]; then
		ko "$k cycle $c: verify ran" "mfvm status $rc: $(tail -n 3 "$out.mfvm" | tr '\n' ' ')"
	fi
	if [ "$storm" = 1 ]; then
		# SIGKILL of qemu: mfvm says 124 (its timeout saw the kill)
		# or 125 (the guest died).
		if [ -e "$out.started" ] && { [ $rc = 124 ] || [ $rc = 125 ]; }; then
			ok "$k cycle $c: killed during the workload ($(grep -c '^C ' "$d/log") steps completed in the log)"
		else
			ko "$k cycle $c: killed during the workload" "mfvm status $rc: $(tail -n 3 "$out.mfvm" | tr '\n' ' ')"
		fi
	elif [ $rc != 0 ]; then
		ko "$k: final verify boot" "mfvm status $rc"
	fi
	grep -E -A5 '(BUG:|WARNING:|Oops)' "$out.mfvm" | head -20
}

for c in $(seq 1 "$CYCLES"); do
	k=${KERNELS[$(((c - 1) % 2))]}
	boot "$k" $(((c + 1) / 2)) 1
done
for k in "${KERNELS[@]}"; do
	[ -d "$T/state-$k" ] && boot "$k" final 0
done

echo "$name: $pass passed, $fail failed"
[ $fail = 0 ]
