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

set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
MFVM=$TOP/tools/mfvm
STORM=$TOP/build/tests/guest/t_pool_storm
CYCLES=${1:-${MF_CRASH_CYCLES:-2}}
KERNELS=(6.1 6.12)
name=t_pool_crash.sh
pass=0
fail=0
ok() { echo "PASS: $name: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $name: $1 ($2)"; fail=$((fail + 1)); }

[[ $CYCLES =~ ^[1-9][0-9]*$ ]] || { echo "usage: $name [CYCLES]" >&2; exit 2; }
[ -x "$STORM" ] || { ko "t_pool_storm is built" "run make"; echo "$name: $pass passed, $fail failed"; exit 1; }
mkdir -p "$TOP/build/tests"
T=$(mktemp -d "$TOP/build/tests/t_pool_crash.XXXXXX")
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
		s=$PWD/build/tests/guest/t_pool_storm
		rc=0
		if [ -f '"$d"'/log ]; then
			$s verify pool0 '"$d"'/log >'"$out"'.verify 2>&1 || rc=1
		else
			test -d /sys/kernel/memfabric/pools/pool0 || rc=1
		fi
		[ '"$storm"' = 1 ] || exit $rc
		[ $rc = 0 ] || exit $rc
		touch '"$out"'.started
		exec $s storm pool0 '"$d"'/log' >"$out.mfvm" 2>&1 &
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
			ko "$k cycle $c: pool0 after the crash" "$(grep -E '^(FAIL|missing|extra|changed)' "$out.verify" | head -5 | tr '\n' ' ')"
		else
			ok "$k cycle $c: pool0 is exactly what the log says ($(sed -n 's/^verified \([0-9]*\) extents.*/\1/p' "$out.verify") extents$(grep -q '^note: the' "$out.verify" && echo ', the operation in flight completed'))"
		fi
	elif [ "$c" != 1 ]; then
		ko "$k cycle $c: verify ran" "mfvm status $rc: $(tail -n 3 "$out.mfvm" | tr '\n' ' ')"
	fi
	if [ "$storm" = 1 ]; then
		# SIGKILL of qemu: mfvm says 124 (its timeout saw the kill)
		# or 125 (the guest died).
		if [ -e "$out.started" ] && { [ $rc = 124 ] || [ $rc = 125 ]; }; then
			ok "$k cycle $c: killed during the storm ($(grep -c '^[AF] ' "$d/log") operations in the log)"
		else
			ko "$k cycle $c: killed during the storm" "mfvm status $rc: $(tail -n 3 "$out.mfvm" | tr '\n' ' ')"
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
