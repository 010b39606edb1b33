# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # its variables are for the tests that source it
#
# crash_common.sh - the crash loop of t_pool_crash.sh and t_obj_crash.sh
# (sourced after host_common.sh, not run).  Each cycle boots a guest
# (mfvm --state, alternately 6.1 and 6.12, each kernel with its own
# backing files) that verifies the log the previous cycle's load left,
# then runs the load until the host kills qemu with SIGKILL 0.2 to 6 s
# into it.  A last boot per kernel verifies the last crash.
#
# The test sets, before crash_main:
#   STORM		the guest program
#   CYCLES		how many crash cycles
#   VERIFY, LOAD	STORM's arguments (before the log's path) that
#			verify the log and run the load
#   VERIFIED		what a verify checks ("pool0", "objects")
#   VERIFY_FAIL_RE	the lines of a failed verify that explain it
#   LOAD_WHAT		the load's name ("storm", "workload")
# and defines:
#   verified_msg FILE	the PASS text of a clean verify (its output FILE)
#   load_detail LOG	what the load logged, for the kill's PASS line

KERNELS=(6.1 6.12)
MFVM_PID=
cleanup() {
	[ -n "$MFVM_PID" ] && kill "$MFVM_PID" 2>/dev/null
	if [ $fail = 0 ]; then rm -rf "$T"; else echo "$name: logs kept in $T"; fi
}

# boot KERNEL CYCLE STORM(0/1): one guest; verifies, then loads until killed.
boot() {
	local k=$1 c=$2 storm=$3 st=$T/state-$1 d=$T/$1 out
	mkdir -p "$d"
	out=$d/cycle-$c
	rm -f "$out.started"
	"$MFVM" run --kernel "$k" --state "$st" --timeout 600 -- bash -c '
		s='"$STORM"'
		rc=0
		if [ -f '"$d"'/log ]; then
			$s '"$VERIFY"' '"$d"'/log >'"$out"'.verify 2>&1 || rc=1
		else
			test -d /sys/kernel/memfabric/pools/pool0 || rc=1
		fi
		[ '"$storm"' = 1 ] || exit $rc
		[ $rc = 0 ] || exit $rc
		touch '"$out"'.started
		exec $s '"$LOAD"' '"$d"'/log' >"$out.mfvm" 2>&1 &
	MFVM_PID=$!
	if [ "$storm" = 1 ]; then
		local i pid
		# Until the load has started and its log exists: a kill
		# before the first cycle's load created its log would leave
		# nothing to verify (a loaded machine starts it slowly).
		for i in $(seq 3000); do	# boots are slow on a busy machine
			[ -e "$out.started" ] && [ -e "$d/log" ] && break
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
			ko "$k cycle $c: $VERIFIED after the crash" "$(grep -E "$VERIFY_FAIL_RE" "$out.verify" | head -5 | tr '\n' ' ')"
		else
			ok "$k cycle $c: $(verified_msg "$out.verify")"
		fi
	elif [ "$c" != 1 ]; then
		ko "$k cycle $c: verify ran" "mfvm status $rc: $(tail -n 3 "$out.mfvm" | tr '\n' ' ')"
	fi
	if [ "$storm" = 1 ]; then
		# SIGKILL of qemu: mfvm says 124 (its timeout saw the kill)
		# or 125 (the guest died).
		if [ -e "$out.started" ] && { [ $rc = 124 ] || [ $rc = 125 ]; }; then
			ok "$k cycle $c: killed during the $LOAD_WHAT ($(load_detail "$d/log"))"
		else
			ko "$k cycle $c: killed during the $LOAD_WHAT" "mfvm status $rc: $(tail -n 3 "$out.mfvm" | tr '\n' ' ')"
		fi
	elif [ $rc != 0 ]; then
		ko "$k: final verify boot" "mfvm status $rc"
	fi
	grep -E -A5 '(BUG:|WARNING:|Oops)' "$out.mfvm" | head -20
}

# crash_main: the cycles, then a last verify per kernel; the tally.
crash_main() {
	[[ $CYCLES =~ ^[1-9][0-9]*$ ]] || { echo "usage: $name [CYCLES]" >&2; exit 2; }
	host_begin "$STORM"
	trap cleanup EXIT
	local c k
	for c in $(seq 1 "$CYCLES"); do
		k=${KERNELS[$(((c - 1) % 2))]}
		boot "$k" $(((c + 1) / 2)) 1
	done
	for k in "${KERNELS[@]}"; do
		[ -d "$T/state-$k" ] && boot "$k" final 0
	done
	echo "$name: $pass passed, $fail failed"
	[ $fail = 0 ]
}
