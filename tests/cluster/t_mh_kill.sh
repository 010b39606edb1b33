#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mh_kill.sh - a member of a multi-host pool dies (issue 17,
# Documentation/multihost.md, "Failure model"): run by "mfvm cluster" in
# both guests, MFVM_NODE 0 the manager (host 0), MFVM_NODE 1 a member
# (host 1), whose guest host 0 kills (power loss) and boots again:
#
#   host 1 (first boot): gets and maps host 0's published object, makes
#            a private object of its own, mapped read-write and written
#            (build/tests/cluster/mh_zombie hold), and waits to be killed;
#   host 0:  "mfctl kill 1"; the manager declares host 1 DEAD within the
#            lease + 1 s on its own clock (the figure is printed, with the
#            cluster's clock, "mfctl time"); its private object's units
#            are quarantined (mh_stats quarantined_units > 0); host 0
#            frees its object, and as host 1's reference went, the
#            manager deletes it by age, its units quarantined too (host 1
#            mapped it); "mfctl boot 1";
#   host 1 (MFVM_BOOT=2): attaches as host 1 and joins under a new epoch;
#   host 0:  host 1 JOINED, its epoch up by 2 (LEAVE, JOIN); the
#            quarantine is cleared: no object, no used and no quarantined
#            unit;
#   both:    pool check clean, detach, every counter back to 0, unload,
#            kernel log clean.
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
boot=${MFVM_BOOT:-1}
lease_ms=3000
ttl_ms=1500
size=$((3 * 1024 * 1024 + 1000))
ns=kns
sec=kill-secret

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Wait until the manager's count $1 satisfies "test VALUE $2 $3", $4 s.
await_mstat() {
	local i
	for ((i = 0; i < $4 * 10; i++)); do
		[ "$(mstat "$1")" "$2" "$3" ] 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

cluster_need 2 "$mh_obj" "$zombie" "$mfctl"
load_module mh_ttl_ms=$ttl_ms mh_lease_ms=$lease_ms

if [ "$node" = 0 ]; then
	attach_cluster 2
	e1=$(host_field 1 3)
	run_cmd "$mh_obj" create mh $ns $sec kobj $size
	signal created
	check "host 1 holds the object and a private one" await held 300
	check_eq "nothing is quarantined yet" "$(mstat quarantined_units)" 0
	check_eq "the manager has both objects" "$(mstat objects)" 2
	echo "$name[$node]: cluster clock before the kill: $("$mfctl" time) ms"
	check "mfctl kill 1" "$mfctl" kill 1
	t0=$(now_ms)
	echo "$name[$node]: cluster clock after the kill: $("$mfctl" time) ms"
	dead=""
	for ((i = 0; i < (lease_ms + 10000) / 50; i++)); do
		grep -q "^1 DEAD" $pools/mh/hosts && { dead=$(now_ms); break; }
		sleep 0.05
	done
	check "the manager declares host 1 DEAD" test -n "$dead"
	took=$(( ${dead:-$t0} - t0 ))
	echo "$name[$node]: host 1 declared DEAD $took ms after the kill (the manager's clock; lease $lease_ms ms); cluster clock $("$mfctl" time) ms"
	check "within the lease + 1 s ($took ms)" test "$took" -le $((lease_ms + 1000))
	check_eq "its epoch went up at LEAVE" "$(host_field 1 3)" $((e1 + 1))
	check_eq "the manager gave it up (leases_expired)" "$(mstat leases_expired)" 1
	check_eq "its private object went" "$(mstat objects)" 1
	q1=$(mstat quarantined_units)
	check "its private object's units are quarantined ($q1)" test "${q1:-0}" -gt 0
	run_cmd "$mh_obj" free mh $ns $sec kobj
	check "its reference went: the manager deletes the object by age" \
		await_mstat objects = 0 $((ttl_ms / 1000 + 30))
	q2=$(mstat quarantined_units)
	check "the units host 1 had mapped are quarantined too ($q1 -> $q2)" \
		test "${q2:-0}" -gt "${q1:-0}"
	check_eq "no unit used" "$(mstat used_units)" 0
	check "mfctl boot 1" "$mfctl" boot 1
	check "host 1 joins again" await_host "^1 JOINED" 600
	check_eq "under a new epoch (+1 at its JOIN)" "$(host_field 1 3)" $((e1 + 2))
	check "its quarantine is cleared" await_mstat quarantined_units = 0 10
	check_eq "no object, no used unit" "$(mstat objects) $(mstat used_units)" "0 0"
	signal cleared
	check "destroy the namespace" "$mfadm" -q ns destroy mh $ns --secid $sec
	check "host 1 is done" await done-1 120
elif [ "$boot" = 1 ]; then
	attach_cluster 2
	check "host 0 published its object" await created 300
	# Killed in there: nothing after it runs in this boot.
	run_cmd "$zombie" hold mh $ns $sec kobj $size \
		"echo ok >$dir/held; sleep 900"
	fail "host 1 was not killed"
	exit 1
else
	echo "$name[$node]: boot $boot"
	check "attach as member host 1 again" \
		"$mfadm" -q pool add mh --pmem "$pmem" --member --host 1
	check "host 1 JOINED in its own view" await_host "^1 JOINED" 60
	check "the manager cleared its quarantine" await cleared 120
	signal done-1
fi
detach_clean
finish
