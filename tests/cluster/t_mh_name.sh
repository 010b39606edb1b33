#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cluster-check: no (about 6 minutes per kernel: run by tests/cluster/run without --check)
#
# t_mh_name.sh - names of a multi-host pool's objects across two guests
# (issue 17, Documentation/multihost.md, "Names across hosts"): the
# manager's name index.  MFVM_NODE 0 is the manager's host (A), 1 a
# member (B).
#
#   A publishes nsn/taken, nsn/other and nsa/secret (mh_obj create);
#   B: a private object named nsn/taken is allocated and written, its
#      publish is refused -EEXIST, it stays B's private object and is
#      freed (mh_name dup); A's nsn/taken reads A's pattern on B (mh_obj
#      read: content, one GET request, refused writes); the lookup by
#      name read at most 2 directory slots (mh_stats "dir_reads", of
#      2048); a commit of a private mapping of nsn/taken published as
#      nsn/other is refused -EEXIST by the manager, and nsn/other still
#      reads A's pattern (mh_name commit); a wrong secId for nsa/secret,
#      a namespace B does not have,
#      is -EACCES; a name nobody published is -ENOENT;
#   A frees its objects; once the manager has deleted them by age, B publishes
#      nsn/taken (the name is free again) and A reads B's object;
#   then every object goes, the namespaces are destroyed, both detach
#      and unload with every counter back, both kernel logs clean.
#
# Barriers are files in $MFVM_CLUSTER.  Prints PASS:/FAIL: lines; exits
# 77 outside a cluster.

set -u

name=$(basename "$0")
. "$(dirname "$0")/cluster_common.sh"
obj=$top/build/tests/cluster/mh_obj
tool=$top/build/tests/cluster/mh_name
ttl_ms=1500
size=$((3 * 1024 * 1024 + 1000))
sec=mh-secret

# A helper's PASS/FAIL lines count as ours.
run_tool() {
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	echo "$out" | sed "s/^\(PASS\|FAIL\): /\1: $name[$node]: /"
	npass=$((npass + $(echo "$out" | grep -c '^PASS:')))
	nfail=$((nfail + $(echo "$out" | grep -c '^FAIL:')))
	[ $rc = 0 ] || fail "$(basename "$1") $2 exits 0" "exit $rc"
}
# This host's count $1 of mh_stats (lookups, dir_reads, requests).
hstat() { awk -v k="$1" '$1 == k { print $2 }' $pools/mh/mh_stats; }

if [ -z "$node" ] || [ -z "$dir" ] || [ "${MFVM_NODES:-0}" -lt 2 ]; then
	echo "SKIP: $name: not in an mfvm cluster of 2 guests (tools/mfvm cluster)"
	exit 77
fi
[ -n "$pmem" ] && [ -x "$mfadm" ] && [ -x "$obj" ] && [ -x "$tool" ] &&
	[ -f "$ko" ] || {
	echo "SKIP: $name: no fabric device, mfadm, mh_obj, mh_name or module"
	exit 77
}
grep -q '^memfabric ' /proc/modules && rmmod memfabric
insmod "$ko" mh_ttl_ms=$ttl_ms || exit 1
other=$((1 - node))

if [ "$node" = 0 ]; then
	check "attach as the manager, host 0 (formatted)" \
		"$mfadm" -q pool add mh --pmem "$pmem" --manager --format
	check "the manager's own member joins" await_host "^0 JOINED" 20
	signal manager-ready
	check "host 1 joins" await_host "^1 JOINED" 400
else
	check "the manager is ready" await manager-ready 400
	check "attach as member host 1" \
		"$mfadm" -q pool add mh --pmem "$pmem" --member --host 1
	check "host 1 JOINED in its own view" await_host "^1 JOINED" 60
fi
signal joined-$node
check "the other host joined" await joined-$other 400

if [ "$node" = 0 ]; then
	run_tool "$obj" create mh nsn $sec taken $size
	run_tool "$obj" create mh nsn $sec other $size
	run_tool "$obj" create mh nsa $sec secret $size
	signal a-published
	check "host 1 checked the names" await b-checked 300
	check_eq "the manager has A's three objects, no other" \
		"$(mstat objects)" 3
	run_tool "$obj" free mh nsn $sec taken
	run_tool "$obj" free mh nsn $sec other
	run_tool "$obj" free mh nsa $sec secret
	check "the manager deletes them by age (host 1 put its references)" \
		await_empty $((ttl_ms / 1000 + 20))
	signal a-deleted
	check "host 1 published the freed name" await b-published 300
	run_tool "$obj" read mh nsn $sec taken $size $pools/mh/mh_stats
	signal a-read
	check "host 1 freed its object; the manager is empty" \
		await_empty $((ttl_ms / 1000 + 60))
	signal empty
	check "destroy nsa" "$mfadm" -q ns destroy mh nsa --secid $sec
else
	check "host 0 published" await a-published 300
	run_tool "$tool" dup mh nsn $sec taken $size
	l0=$(hstat lookups)
	d0=$(hstat dir_reads)
	run_tool "$obj" read mh nsn $sec taken $size $pools/mh/mh_stats
	l1=$(hstat lookups)
	d1=$(hstat dir_reads)
	check_eq "the get of A's object was one lookup by name" \
		$((l1 - l0)) 1
	echo "$name[$node]: directory slots read by the first get: $((d1 - d0)) (of 2048)"
	check "the lookup read at most 2 directory slots" \
		[ $((d1 - d0)) -ge 1 -a $((d1 - d0)) -le 2 ]
	run_tool "$tool" commit mh nsn $sec taken other $size
	l1=$(hstat lookups)
	d1=$(hstat dir_reads)
	run_tool "$tool" get mh nsa not-the-secid secret 13
	run_tool "$tool" get mh nsa $sec nothere 2
	l2=$(hstat lookups)
	d2=$(hstat dir_reads)
	echo "$name[$node]: directory slots read by those 2 gets: $((d2 - d1))"
	check "those were 2 lookups by name, of at most 2 slots each" \
		[ $((l2 - l1)) = 2 -a $((d2 - d1)) -le 4 ]
	signal b-checked
	check "host 0's objects are deleted" await a-deleted 300
	run_tool "$obj" create mh nsn $sec taken $size
	signal b-published
	check "host 0 read it" await a-read 300
	run_tool "$obj" free mh nsn $sec taken
	check "the manager is empty" await empty 120
fi
check "destroy nsn" "$mfadm" -q ns destroy mh nsn --secid $sec
signal done-$node
check "the other host is done" await done-$other 120
check "detach the pool" "$mfadm" -q pool remove mh
check "every object counter is back to 0" counters_zero
check "unload the module" rmmod memfabric
check "kernel log clean (BUG/WARNING/Oops/KASAN/lockdep/leak)" kernel_clean
echo "$name[$node]: $npass passed, $nfail failed"
[ $nfail = 0 ]
