#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# meas-64b.sh - A/B of the 64 B rows in one guest boot (issue 18): the
# module in build/base/RELEASE/ (the tree before) and the one in
# build/kmod/RELEASE/ (after), alternating over 3 rounds; mfbench data
# --reps 1 (its op64 rows) and bench/ab/op64 (build/prof/op64) each time,
# into build/prof/meas-RELEASE.jsonl; then perf profiles of the "after"
# module into build/prof/after-children-RELEASE-*.txt.  Run inside a guest:
#   tools/mfvm run --kernel 6.1 --backing nvdimm --mem 1G --ram 3G -- \
#       bench/ab/meas-64b.sh
cd "$(dirname "$(readlink -f "$0")")/../.."
K=$(uname -r)
OUT=build/prof/meas-$K.jsonl
: >"$OUT"
swap() {
	rmmod memfabric || exit 1
	insmod "$1" "pools=pool0:fsdax:$MFVM_PMEM" || exit 1
	for _ in $(seq 50); do [ -c /dev/memfabric ] && break; sleep 0.1; done
}
for r in 1 2 3; do
	if [ $((r % 2)) = 1 ]; then order="base new"; else order="new base"; fi
	for m in $order; do
		if [ $m = base ]; then ko=build/base/$K/memfabric.ko; else ko=build/kmod/$K/memfabric.ko; fi
		swap "$ko"
		echo "round $r: $m" >&2
		build/bench/mf/mfbench data --reps 1 | grep '"op64"' |
			sed "s/^{/{\"mod\":\"$m\",\"round\":$r,/" >>"$OUT"
		build/prof/op64 all 50000 | sed -n "s/^op64 \([a-z]*\) \([0-9]*\) ns.*/{\"mod\":\"$m\",\"round\":$r,\"test\":\"op64loop\",\"name\":\"\1\",\"value\":\2}/p" >>"$OUT"
	done
done
cat "$OUT" | wc -l
# the new read and write paths under perf (the module of this branch is loaded last in round 3? load it)
swap build/kmod/$K/memfabric.ko
echo 0 > /proc/sys/kernel/kptr_restrict
echo -1 > /proc/sys/kernel/perf_event_paranoid
for w in read write copy noop; do
  perf record -e cpu-clock -F 20000 -g -o /tmp/perf-$w.data -- build/prof/op64 $w 200000 >/dev/null 2>&1
  perf report -i /tmp/perf-$w.data --children --sort sym --stdio -g none 2>/dev/null | grep "%" | head -60 > build/prof/after-children-$K-$w.txt
done
