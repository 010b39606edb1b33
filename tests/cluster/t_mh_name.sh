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

cluster_need 2 "$obj" "$tool"
load_module mh_ttl_ms=$ttl_ms
other=$((1 - node))

attach_cluster 2
barrier joined 2 400

if [ "$node" = 0 ]; then
	run_cmd "$obj" create mh nsn $sec taken $size
	run_cmd "$obj" create mh nsn $sec other $size
	run_cmd "$obj" create mh nsa $sec secret $size
	signal a-published
	check "host 1 checked the names" await b-checked 300
	check_eq "the manager has A's three objects, no other" \
		"$(mstat objects)" 3
	run_cmd "$obj" free mh nsn $sec taken
	run_cmd "$obj" free mh nsn $sec other
	run_cmd "$obj" free mh nsa $sec secret
	check "the manager deletes them by age (host 1 put its references)" \
		await_empty $((ttl_ms / 1000 + 20))
	signal a-deleted
	check "host 1 published the freed name" await b-published 300
	run_cmd "$obj" read mh nsn $sec taken $size $pools/mh/mh_stats
	signal a-read
	check "host 1 freed its object; the manager is empty" \
		await_empty $((ttl_ms / 1000 + 60))
	signal empty
	check "destroy nsa" "$mfadm" -q ns destroy mh nsa --secid $sec
else
	check "host 0 published" await a-published 300
	run_cmd "$tool" dup mh nsn $sec taken $size
	l0=$(mstat lookups)
	d0=$(mstat dir_reads)
	run_cmd "$obj" read mh nsn $sec taken $size $pools/mh/mh_stats
	l1=$(mstat lookups)
	d1=$(mstat dir_reads)
	check_eq "the get of A's object was one lookup by name" \
		$((l1 - l0)) 1
	echo "$name[$node]: directory slots read by the first get: $((d1 - d0)) (of 2048)"
	check "the lookup read at most 2 directory slots" \
		[ $((d1 - d0)) -ge 1 -a $((d1 - d0)) -le 2 ]
	run_cmd "$tool" commit mh nsn $sec taken other $size
	l1=$(mstat lookups)
	d1=$(mstat dir_reads)
	run_cmd "$tool" get mh nsa not-the-secid secret 13
	run_cmd "$tool" get mh nsa $sec nothere 2
	l2=$(mstat lookups)
	d2=$(mstat dir_reads)
	echo "$name[$node]: directory slots read by those 2 gets: $((d2 - d1))"
	check "those were 2 lookups by name, of at most 2 slots each" \
		[ $((l2 - l1)) = 2 -a $((d2 - d1)) -le 4 ]
	signal b-checked
	check "host 0's objects are deleted" await a-deleted 300
	run_cmd "$obj" create mh nsn $sec taken $size
	signal b-published
	check "host 0 read it" await a-read 300
	run_cmd "$obj" free mh nsn $sec taken
	check "the manager is empty" await empty 120
fi
check "destroy nsn" "$mfadm" -q ns destroy mh nsn --secid $sec
signal done-$node
check "the other host is done" await done-$other 120
detach_clean
finish
