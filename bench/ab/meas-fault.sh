#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# meas-fault.sh - A/B of the 4 KiB fault in one guest boot (issue 18): the
# module in build/base/RELEASE/ (the tree before) and the one in
# build/kmod/RELEASE/ (after), alternating over 3 rounds; each round runs
# mfbench faults (the bench's own rows: 256 MiB, 5 reps) and
# bench/ab/fault4k (build/prof/fault4k) with fault-around off, and ours
# alone with the default fault-around (test "fault4k_fa<bytes>"), into
# build/prof/fault-RELEASE.jsonl.
# Then, per module, how often the core mm's fault entry points run per
# fault (kprobe events counted by perf stat) and a perf profile of the
# fault loop, ours and memfd's, into build/prof/fault-*-RELEASE-*.txt.
# (the faults of the loop alone: fault-share-*, by bench/ab/stackshare.py).
# ROUNDS=0 runs the profiles alone.  Ends with the "after" module loaded
# as mfvm loads it.  Run inside a guest:
#   tools/mfvm run --kernel 6.12 --backing nvdimm --mem 1G --ram 3G -- \
#       bench/ab/meas-fault.sh
cd "$(dirname "$(readlink -f "$0")")/../.." || exit 1
K=$(uname -r)
OUT=build/prof/fault-$K.jsonl
FAB=/sys/kernel/debug/fault_around_bytes
[ "${ROUNDS:-3}" = 0 ] || : >"$OUT"
swap() {
	rmmod memfabric || exit 1
	insmod "$1" "pools=pool0:fsdax:$MFVM_PMEM" || exit 1
	for _ in $(seq 50); do [ -c /dev/memfabric ] && break; sleep 0.1; done
}
ko() { if [ "$1" = base ]; then echo "build/base/$K/memfabric.ko"; else echo "build/kmod/$K/memfabric.ko"; fi; }
old_fab=$(cat $FAB)
for r in $(seq "${ROUNDS:-3}"); do
	if [ $((r % 2)) = 1 ]; then order="base new"; else order="new base"; fi
	for m in $order; do
		swap "$(ko "$m")"
		echo "round $r: $m" >&2
		# mfbench sets fault_around_bytes itself and restores it.
		build/bench/mf/mfbench faults --reps 5 --size $((64 << 20)) --small $((256 << 20)) |
			grep '"metric":"ns_per_fault"' | grep -E '"variant":"(ours_4k_small|memfd)"' |
			sed "s/^{/{\"mod\":\"$m\",\"round\":$r,/" >>"$OUT"
		echo 4096 >$FAB
		build/prof/fault4k both 256 5 |
			sed -n "s/^fault4k \([a-z]*\) \([0-9]*\) ns.*/{\"mod\":\"$m\",\"round\":$r,\"test\":\"fault4k\",\"name\":\"\1\",\"value\":\2}/p" >>"$OUT"
		echo "$old_fab" >$FAB
		# Ours with the default fault-around (memfd's would map 16 pages).
		build/prof/fault4k ours 256 3 |
			sed -n "s/^fault4k \([a-z]*\) \([0-9]*\) ns.*/{\"mod\":\"$m\",\"round\":$r,\"test\":\"fault4k_fa$old_fab\",\"name\":\"\1\",\"value\":\2}/p" >>"$OUT"
	done
done
wc -l "$OUT"

echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
T=/sys/kernel/tracing
[ -e $T/kprobe_events ] || mount -t tracefs nodev $T
probes=""
for f in handle_mm_fault lock_vma_under_rcu lock_mm_and_find_vma vmf_insert_mixed shmem_fault; do
	if echo "p:mffault/$f $f" >>$T/kprobe_events 2>/dev/null; then
		probes="$probes -e mffault:$f"
	fi
done
echo 4096 >$FAB
for m in base new; do
	swap "$(ko "$m")"
	for w in ours memfd; do
		# shellcheck disable=SC2086
		perf stat -x, $probes -o build/prof/fault-count-$K-$m-$w.txt -- \
			build/prof/fault4k $w 64 1 >/dev/null 2>&1
		perf record -e cpu-clock -F 20000 -g -o /tmp/perf-$m-$w.data -- \
			build/prof/fault4k $w 256 4 >/dev/null 2>&1
		perf report -i /tmp/perf-$m-$w.data --children --sort sym --stdio -g none 2>/dev/null |
			grep "%" | head -80 >build/prof/fault-children-$K-$m-$w.txt
		perf report -i /tmp/perf-$m-$w.data --no-children --sort sym --stdio -g caller,0.5,callee --percent-limit 2 2>/dev/null |
			head -300 >build/prof/fault-graph-$K-$m-$w.txt
		# The faults of the touch loop alone (not the set-up's).
		perf script -i /tmp/perf-$m-$w.data 2>/dev/null |
			python3 bench/ab/stackshare.py asm_exc_page_fault touch 70 \
			>build/prof/fault-share-$K-$m-$w.txt
		rm -f /tmp/perf-$m-$w.data
	done
done
echo "$old_fab" >$FAB
echo >$T/kprobe_events
swap "$(ko new)"
