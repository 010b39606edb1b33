#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# long.sh - the long simulator run of the multi-host protocol core:
# SCHEDULES schedules (default 10^6) of build/tests/host/ncsim, split over
# JOBS processes (default: the number of CPUs), each under nice -n 10.
# Prints each part's result, the total and the wall time; fails on any
# violation (the part's output names the seed and prints its schedule).
#
#   tests/host/ncsim/long.sh [SCHEDULES [JOBS [FIRST_SEED]]]

set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../../.." && pwd)
N=${1:-1000000}
JOBS=${2:-$(nproc)}
FIRST=${3:-1}
BIN=$TOP/build/tests/host/ncsim
LOG=$TOP/build/tests/ncsim-long
make -s -C "$TOP/tests" "$BIN" || exit 2
mkdir -p "$LOG"
start=$(date +%s)
per=$(((N + JOBS - 1) / JOBS))
pids=()
for ((j = 0; j < JOBS; j++)); do
	s=$((FIRST + j * per))
	n=$per
	[ $((j * per + n)) -gt "$N" ] && n=$((N - j * per))
	[ "$n" -gt 0 ] || continue
	nice -n 10 "$BIN" -n "$n" -s "$s" >"$LOG/part$j.log" 2>&1 &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done
end=$(date +%s)
total=0
viol=0
for f in "$LOG"/part*.log; do
	grep -E '^ncsim:' "$f"
	grep -m1 -A0 '^VIOLATION' "$f"
	t=$(sed -n 's/^ncsim: \([0-9]*\) schedules.*/\1/p' "$f")
	v=$(sed -n 's/^ncsim: .*, \([0-9]*\) violations$/\1/p' "$f")
	[ -n "$t" ] || { echo "$f: no result"; rc=1; }
	total=$((total + ${t:-0}))
	viol=$((viol + ${v:-0}))
done
echo "long: $total schedules, $viol violations, $((end - start)) s wall on $JOBS processes"
[ "$rc" = 0 ] && [ "$viol" = 0 ]
