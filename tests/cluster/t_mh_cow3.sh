#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cluster-guests: 3
#
# t_mh_cow3.sh - copy-on-write across three hosts of one multi-host pool
# (issue 17, Documentation/multihost.md, "Objects"): MFVM_NODE 0 the
# manager (host 0, "A"), MFVM_NODE 1 and 2 members (hosts 1 "B" and 2
# "C").
#
#   A: publishes an object with a pattern (build/tests/cluster/mh_cow
#      publish);
#   B: gets it, maps it MAP_PRIVATE, writes some bytes, commits them into
#      a new published object (mh_cow cow);
#   C: gets B's committed object through the directory, reads it and maps
#      it: B's bytes; gets A's object: the pattern (mh_cow check);
#   A: gets B's committed object: B's bytes; its own object still reads
#      the pattern;
#   then: each owner frees its object; the manager deletes both by age:
#      no object, no used unit, no quarantined unit; the namespaces are
#      destroyed, every host detaches and unloads with every counter
#      back; kernel logs clean.
#
# Barriers are files in $MFVM_CLUSTER (the work tree, shared).  Prints
# PASS:/FAIL: lines; exits 77 outside a cluster of 3 guests.

set -u

name=$(basename "$0")
. "$(dirname "$0")/cluster_common.sh"
tool=$top/build/tests/cluster/mh_cow
ttl_ms=1500
size=$((2 * 1024 * 1024 + 3000))
ns=cow3ns
sec=cow3-secret

run_tool() {
	local out rc
	out=$("$tool" "$@" 2>&1)
	rc=$?
	echo "$out" | sed "s/^\(PASS\|FAIL\): /\1: $name[$node]: /"
	npass=$((npass + $(echo "$out" | grep -c '^PASS:')))
	nfail=$((nfail + $(echo "$out" | grep -c '^FAIL:')))
	[ $rc = 0 ] || fail "mh_cow $1 exits 0" "exit $rc"
}

if [ -z "$node" ] || [ -z "$dir" ] || [ "${MFVM_NODES:-0}" -lt 3 ]; then
	echo "SKIP: $name: not in an mfvm cluster of 3 guests (tools/mfvm cluster --guests 3)"
	exit 77
fi
[ -n "$pmem" ] && [ -x "$mfadm" ] && [ -x "$tool" ] && [ -f "$ko" ] || {
	echo "SKIP: $name: no fabric device, mfadm, mh_cow or module"
	exit 77
}
grep -q '^memfabric ' /proc/modules && rmmod memfabric
insmod "$ko" mh_ttl_ms=$ttl_ms || exit 1

if [ "$node" = 0 ]; then
	check "attach as the manager, host 0 (formatted)" \
		"$mfadm" -q pool add mh --pmem "$pmem" --manager --format
	check "the manager's own member joins" await_host "^0 JOINED" 20
	signal manager-ready
	check "host 1 joins" await_host "^1 JOINED" 400
	check "host 2 joins" await_host "^2 JOINED" 400
else
	check "the manager is ready" await manager-ready 400
	check "attach as member host $node" \
		"$mfadm" -q pool add mh --pmem "$pmem" --member --host "$node"
	check "host $node JOINED in its own view" await_host "^$node JOINED" 60
fi
signal joined-$node
for h in 0 1 2; do
	check "host $h joined" await joined-$h 400
done

case $node in
0)
	run_tool publish mh $ns $sec orig $size
	signal published
	check "host 1 committed" await committed 400
	check "host 2 checked" await checked-2 400
	run_tool check mh $ns $sec com1 $size 1 0
	run_tool check mh $ns $sec orig $size 0 1
	check "host 1 checked its own" await checked-1 400
	run_tool free mh $ns $sec orig
	;;
1)
	check "host 0 published" await published 400
	run_tool cow mh $ns $sec orig $size $pools/mh/mh_stats com1
	signal committed
	check "host 2 checked" await checked-2 400
	run_tool check mh $ns $sec com1 $size 1 1
	signal checked-1
	run_tool free mh $ns $sec com1
	;;
2)
	check "host 1 committed" await committed 400
	run_tool check mh $ns $sec com1 $size 1 0
	run_tool check mh $ns $sec orig $size 0 0
	signal checked-2
	;;
esac
signal freed-$node
for h in 0 1 2; do
	check "host $h is past its frees" await freed-$h 300
done

if [ "$node" = 0 ]; then
	check "the manager deletes every object by age: none left" \
		await_empty $((ttl_ms / 1000 + 30))
	signal empty
else
	check "the manager is empty" await empty 200
fi
check "destroy the namespace" "$mfadm" -q ns destroy mh $ns --secid $sec
signal done-$node
for h in 0 1 2; do
	check "host $h is done" await done-$h 200
done
check "detach the pool" "$mfadm" -q pool remove mh
check "every object counter is back to 0" counters_zero
check "unload the module" rmmod memfabric
check "kernel log clean (BUG/WARNING/Oops/KASAN/lockdep/leak)" kernel_clean
echo "$name[$node]: $npass passed, $nfail failed"
[ $nfail = 0 ]
