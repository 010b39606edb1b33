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
lease_ms=3000
pause_s=8
ttl_ms=1500
size=$((3 * 1024 * 1024 + 1000))
ns=zns
sec=zombie-secret

given_up_logged() { dmesg | grep -aq "host 1 was given up by the manager"; }

cluster_need 2 "$mh_obj" "$zombie" "$mfctl"
load_module mh_ttl_ms=$ttl_ms mh_lease_ms=$lease_ms

if [ "$node" = 0 ]; then
	attach_cluster 2
	e1=$(host_field 1 3)
	run_cmd "$mh_obj" create mh $ns $sec zobj $size
	signal created
	check "host 1 paused, resumed and checked its old objects" \
		await zombie-done 300
	echo "$name[$node]: manager: $(tr '\n' ' ' <$pools/mh/mh_stats)"
	check_eq "the manager gave host 1 up once (leases_expired)" \
		"$(mstat leases_expired)" 1
	check "host 1 is JOINED again" await_host "^1 JOINED" 30
	check_eq "host 1's epoch: +1 at LEAVE, +1 at its JOIN" \
		"$(host_field 1 3)" $((e1 + 2))
	run_cmd "$mh_obj" free mh $ns $sec zobj
	check "the manager deletes the object by age: none left, nothing quarantined" \
		await_empty $((ttl_ms / 1000 + 30))
	signal empty
else
	attach_cluster 2
	check "host 0 published its object" await created 300
	run_cmd "$zombie" zombie mh $ns $sec zobj $size $pools/mh/mh_stats \
		"$mfctl pause 1 $pause_s"
	echo "$name[$node]: member: $(tr '\n' ' ' <$pools/mh/mh_stats)"
	dmesg | grep -a 'memfabric:.*\(given up\|joined\|left\)' |
		sed "s/^/$name[$node]: dmesg: /"
	check "the kernel said that it was given up" given_up_logged
	signal zombie-done
	check "the manager is empty" await empty 120
fi
check "destroy the namespace" "$mfadm" -q ns destroy mh $ns --secid $sec
barrier done 2 120
detach_clean
finish
