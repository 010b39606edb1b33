#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cluster-check: yes
#
# t_mh_obj.sh - objects of a multi-host pool across two guests (issue 17,
# Documentation/multihost.md, "In the kernel"): run by "mfvm cluster" in
# both guests, MFVM_NODE 0 the manager (host 0), MFVM_NODE 1 a member
# (host 1).  Each host creates an object and the other reads it:
#
#   creator: namespace, object (extents from the manager), the pattern
#            written with BM_WriteSec and through a read-write shared
#            mapping, published (build/tests/cluster/mh_obj create);
#   reader:  a wrong secId refused; BM_GetSec finds it through the
#            device's directory with one GET request, a second get sends
#            none; BM_ReadSec and a read-only shared mapping see every
#            byte; every write path, free and publish refused; a
#            private mapping made (t_mh_cow.sh tests it); put (mh_obj
#            read);
#   solo:    host 0 creates and publishes an object in a namespace host 1
#            does not have; host 1 reads it as above (its get makes the
#            namespace; the wrong secId is refused by the name block);
#   then:    the creator frees its object; the reader's host drops its
#            reference (the reclaim scan); the manager deletes both by
#            age: no object, no used unit, no quarantined unit; the
#            pool check is clean on both; both detach and unload with
#            every counter back; both kernel logs clean.
#
# Barriers are files in $MFVM_CLUSTER (the work tree, shared).  Prints
# PASS:/FAIL: lines; exits 77 outside a cluster.

set -u

name=$(basename "$0")
. "$(dirname "$0")/cluster_common.sh"
tool=$top/build/tests/cluster/mh_obj
ttl_ms=1500
size=$((3 * 1024 * 1024 + 1000))	# several units, not page aligned
ns=mhns
sec=mh-secret

cluster_need 2 "$tool"
load_module mh_ttl_ms=$ttl_ms
other=$((1 - node))

attach_cluster 2
barrier joined 2 400

# Each host creates one object, then reads the other's.
run_tool create mh $ns $sec obj$node $size
signal created-$node
check "the other host published its object" await created-$other 300
run_tool read mh $ns $sec obj$other $size $pools/mh/mh_stats
signal read-$node
check "the other host read this host's object" await read-$other 300
run_tool free mh $ns $sec obj$node
# A namespace only host 0 created: host 1's get makes it implicitly, and
# a wrong secId is refused by the name block's hash.
if [ "$node" = 0 ]; then
	run_tool create mh mhsolo $sec solo $size
	signal solo-created
	check "host 1 read the object of host 0's namespace" await solo-read 300
	run_tool free mh mhsolo $sec solo
else
	check "host 0 published in its own namespace" await solo-created 300
	run_tool read mh mhsolo $sec solo $size $pools/mh/mh_stats
	signal solo-read
fi
signal freed-$node
check "the other host freed its object" await freed-$other 120

if [ "$node" = 0 ]; then
	check "the manager deletes both objects by age: none left" \
		await_empty $((ttl_ms / 1000 + 20))
	check_eq "no unit used" "$(mstat used_units)" 0
	signal empty
else
	check "the manager is empty" await empty 120
fi
check "destroy the namespace" "$mfadm" -q ns destroy mh $ns --secid $sec
check "destroy the other one (made by host 1's get there)" \
	"$mfadm" -q ns destroy mh mhsolo --secid $sec
barrier done 2 120
detach_clean
finish
