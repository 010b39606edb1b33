#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mh_cow.sh - private mappings, commit, derive and expand of a
# multi-host pool's objects across two guests (issue 17,
# Documentation/multihost.md, "Objects"): run by "mfvm cluster" in both
# guests, MFVM_NODE 0 the manager (host 0, "A"), MFVM_NODE 1 a member
# (host 1, "B").
#
#   A: publishes an object with a pattern; derives its own published
#      object (DERIVE): a private copy, writable, the original unchanged,
#      expanded (new bytes zero); the published original's expand refused
#      (build/tests/cluster/mh_cow publish);
#   B: gets it; a read-write MAP_PRIVATE mapping reads it in place; its
#      writes stay in B's memory (BM_ReadSec and a shared mapping still
#      read the pattern); a commit with a wrong secId is refused;
#      BM_CommitSec(PUBLISH) makes a new shared object with two requests
#      (DERIVE, PUBLISH) that reads the modified bytes and cannot be
#      written; an id taken is refused; a commit without publish is
#      private and writable; derive of the held object, expanded; the
#      held object's expand refused (mh_cow cow);
#   B: expands an object of its own (EXPAND): the same size and another
#      user refused; its bytes kept, the new ones zero; the pattern
#      written over them; published; its expand refused (mh_cow expand);
#      an object grown past MF_MH_MAX_EXT extents: E2BIG (mh_cow limit);
#   A: gets B's committed object through the directory: the modified
#      bytes, in BM_ReadSec and a shared mapping; every write path, free
#      and publish refused; its own object still reads the pattern, and a
#      private mapping's writes on A stay local too (mh_cow check);
#      B's expanded object reads the pattern byte for byte over its
#      whole new size, and its expand is refused (mh_cow check);
#   then: each frees its object; the manager deletes both by age: no
#      object, no used unit, no quarantined unit; namespaces destroyed,
#      pool check clean on both hosts; both detach and unload with every
#      counter back; kernel logs clean.
#
# Barriers are files in $MFVM_CLUSTER (the work tree, shared).  Prints
# PASS:/FAIL: lines; exits 77 outside a cluster.

set -u

name=$(basename "$0")
. "$(dirname "$0")/cluster_common.sh"
tool=$top/build/tests/cluster/mh_cow
ttl_ms=1500
size=$((3 * 1024 * 1024 + 1000))	# several units, not page aligned
big=$((2 * size + 12345))		# mh_cow expand's new size
ns=cowns
sec=cow-secret

cluster_need 2 "$tool"
load_module mh_ttl_ms=$ttl_ms
other=$((1 - node))

attach_cluster 2
barrier joined 2 400

if [ "$node" = 0 ]; then
	run_tool publish mh $ns $sec orig $size
	signal published
	check "host 1 committed" await committed 300
	run_tool check mh $ns $sec com1 $size 1 0
	run_tool check mh $ns $sec orig $size 0 1
	run_tool check mh $ns $sec exp $big 0 0
	run_tool free mh $ns $sec orig
	signal checked
else
	check "host 0 published" await published 300
	run_tool cow mh $ns $sec orig $size $pools/mh/mh_stats com1
	run_tool expand mh $ns $sec exp $size
	run_tool limit mh $ns $sec lim
	signal committed
	check "host 0 checked" await checked 300
	run_tool check mh $ns $sec com1 $size 1 1
	run_tool free mh $ns $sec com1
	run_tool free mh $ns $sec exp
fi
signal freed-$node
check "the other host freed its object" await freed-$other 120

if [ "$node" = 0 ]; then
	check "the manager deletes every object by age: none left" \
		await_empty $((ttl_ms / 1000 + 20))
	check_eq "no unit used" "$(mstat used_units)" 0
	signal empty
else
	check "the manager is empty" await empty 120
fi
check "destroy the namespace" "$mfadm" -q ns destroy mh $ns --secid $sec
barrier done 2 120
detach_clean
finish
