#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mh_zombie.sh - a zombie member of a multi-host pool (issue 17,
# Documentation/multihost.md, "Failure model"): run by "mfvm cluster" in
# both guests, MFVM_NODE 0 the manager (host 0), MFVM_NODE 1 a member
# (host 1), which pauses its own guest past its lease:
#
#   host 0:  publishes an object; once host 1 resumed, the manager shows
#            that it gave host 1 up (leases_expired 1 in mh_stats) and
#            that host 1 came back under a new epoch (hosts: its epoch
#            up by 2, LEAVE then JOIN); it frees its object and the
#            manager ends with no object, no used and no quarantined
#            unit;
#   host 1:  build/tests/cluster/mh_zombie zombie: gets and maps the
#            object read-only (MAP_SHARED) and reads it, makes a private
#            object of its own mapped read-write; "mfctl pause 1 8" (the
#            lease is 3 s); then a touch of either old mapping gets
#            SIGBUS, a write through its own too; BM_ReadSec of the old
#            handles, BM_WriteSec (the security question: a zombie writes
#            neither another host's published object nor its own old
#            one), new mappings of them and BM_PublishSec get -ESTALE;
#            the old mappings and handles go cleanly; the host rejoined by
#            itself, and a fresh BM_GetSec and read see the right bytes;
#   both:    detach, every counter back to 0, unload, kernel log clean.
#
# Needs tests/cluster/mfctl (the cluster controller); skips without it.
# Barriers are files in $MFVM_CLUSTER (the work tree, shared).  Prints
# PASS:/FAIL: lines; exits 77 outside a cluster.

set -u

name=$(basename "$0")
. "$(dirname "$0")/cluster_common.sh"
mh_obj=$top/build/tests/cluster/mh_obj
zombie=$top/build/tests/cluster/mh_zombie
mfctl=$top/tests/cluster/mfctl
lease_ms=3000
pause_s=8
ttl_ms=1500
size=$((3 * 1024 * 1024 + 1000))
ns=zns
sec=zombie-secret

# The manager's count $1 in mh_stats.
host_field() { awk -v h="$1" -v f="$2" '$1 == h { print $f }' $pools/mh/hosts; }
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
given_up_logged() { dmesg | grep -aq "host 1 was given up by the manager"; }

if [ -z "$node" ] || [ -z "$dir" ] || [ "${MFVM_NODES:-0}" -lt 2 ]; then
	echo "SKIP: $name: not in an mfvm cluster of 2 guests (tools/mfvm cluster)"
	exit 77
fi
[ -n "$pmem" ] && [ -x "$mfadm" ] && [ -x "$mh_obj" ] && [ -x "$zombie" ] &&
	[ -f "$ko" ] || {
	echo "SKIP: $name: no fabric device, mfadm, mh_obj, mh_zombie or module"
	exit 77
}
[ -x "$mfctl" ] || {
	echo "SKIP: $name: no cluster controller (tests/cluster/mfctl)"
	exit 77
}
grep -q '^memfabric ' /proc/modules && rmmod memfabric
insmod "$ko" mh_ttl_ms=$ttl_ms mh_lease_ms=$lease_ms || exit 1
other=$((1 - node))

if [ "$node" = 0 ]; then
	check "attach as the manager, host 0 (formatted)" \
		"$mfadm" -q pool add mh --pmem "$pmem" --manager --format
	check "the manager's own member joins" await_host "^0 JOINED" 20
	signal manager-ready
	check "host 1 joins" await_host "^1 JOINED" 400
	e1=$(host_field 1 3)
	run_tool "$mh_obj" create mh $ns $sec zobj $size
	signal created
	check "host 1 paused, resumed and checked its old objects" \
		await zombie-done 300
	echo "$name[$node]: manager: $(tr '\n' ' ' <$pools/mh/mh_stats)"
	check_eq "the manager gave host 1 up once (leases_expired)" \
		"$(mstat leases_expired)" 1
	check "host 1 is JOINED again" await_host "^1 JOINED" 30
	check_eq "host 1's epoch: +1 at LEAVE, +1 at its JOIN" \
		"$(host_field 1 3)" $((e1 + 2))
	run_tool "$mh_obj" free mh $ns $sec zobj
	check "the manager deletes the object by age: none left, nothing quarantined" \
		await_empty $((ttl_ms / 1000 + 30))
	signal empty
else
	check "the manager is ready" await manager-ready 400
	check "attach as member host 1" \
		"$mfadm" -q pool add mh --pmem "$pmem" --member --host 1
	check "host 1 JOINED in its own view" await_host "^1 JOINED" 60
	check "host 0 published its object" await created 300
	run_tool "$zombie" zombie mh $ns $sec zobj $size $pools/mh/mh_stats \
		"$mfctl pause 1 $pause_s"
	echo "$name[$node]: member: $(tr '\n' ' ' <$pools/mh/mh_stats)"
	dmesg | grep -a 'memfabric:.*\(given up\|joined\|left\)' |
		sed "s/^/$name[$node]: dmesg: /"
	check "the kernel said that it was given up" given_up_logged
	signal zombie-done
	check "the manager is empty" await empty 120
fi
check "destroy the namespace" "$mfadm" -q ns destroy mh $ns --secid $sec
signal done-$node
check "the other host is done" await done-$other 120
check "detach the pool" "$mfadm" -q pool remove mh
check "every object counter is back to 0" counters_zero
check "unload the module" rmmod memfabric
check "kernel log clean (BUG/WARNING/Oops/KASAN/lockdep/leak)" kernel_clean
echo "$name[$node]: $npass passed, $nfail failed"
[ $nfail = 0 ]
