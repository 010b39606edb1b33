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
#      destroyed, the pool check is clean on every host, every host
#      detaches and unloads with every counter
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

cluster_need 3 "$tool"
load_module mh_ttl_ms=$ttl_ms

attach_cluster 3
barrier joined 3 400

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
barrier freed 3 300

if [ "$node" = 0 ]; then
	check "the manager deletes every object by age: none left" \
		await_empty $((ttl_ms / 1000 + 30))
	signal empty
else
	check "the manager is empty" await empty 200
fi
check "destroy the namespace" "$mfadm" -q ns destroy mh $ns --secid $sec
barrier done 3 200
detach_clean
finish
