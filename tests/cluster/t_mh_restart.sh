#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cluster-mfvm: --timeout 1500
#
# t_mh_restart.sh - the manager of a multi-host pool killed mid-workload
# and booted again (issue 17, "Failures"; Documentation/multihost.md,
# "The manager restarts").  Run by "mfvm cluster" in both guests: guest 0
# is the manager (host 0), guest 1 a member (host 1) that drives the
# cluster through tests/cluster/mfctl.
#
#   before:  host 0 creates A0 and B0 (published) and P0 (private); host 1
#            creates A1 (published) and P1 (private), and holds A0: it
#            gets it, maps it and reads it in a loop (mh_restart hold);
#   kill:    host 1 kills guest 0 (mfctl kill 0: power loss).  Meanwhile
#            the loop's reads of A0 (its mapping and BM_ReadSec) go on and
#            see the right bytes, a get of the held A0 asks nobody, and a
#            publish of P1, an alloc and a get of B0 fail with -ETIMEDOUT
#            or -EAGAIN within 10 s;
#   boot:    host 1 boots guest 0 again (mfctl boot 0; MFVM_BOOT=2), whose
#            script attaches the pool as its manager, without formatting:
#            the rebuild from the device finds every object, host 1
#            JOINED; host 0 rejoins under a new epoch and its old
#            private object P0 goes;
#   after:   host 1, not restarted, allocates again, its publish of P1
#            succeeds (the timed-out one was served late), it gets B0;
#            both hosts read A0, B0, A1, P1 and host 1's new object with
#            the right bytes; everything is freed and put, the manager
#            deletes it by age and ends empty, pool check clean (on the
#            manager, and on both hosts before each detaches), every
#            counter back to 0 on both hosts, the kernel logs clean.
#   admin:   "mfadm host list" on the manager: both hosts, their roles,
#            epochs, beats and references held; "mfadm obj show" of A1
#            lists the hosts holding it (the manager: 0 and 1; host 1:
#            itself); "mfadm monitor" on the manager reports host 0
#            rejoining and host 1 lost after it detached (netlink
#            host-joined, host-lost), and on host 1 its own join.
#
# Barriers are files in $MFVM_CLUSTER (shared).  Prints PASS:/FAIL:
# lines; exits 77 outside a cluster or without mfctl.

set -u

name=$(basename "$0")
. "$(dirname "$0")/cluster_common.sh"
tool=$top/build/tests/cluster/mh_restart
mfctl=$top/tests/cluster/mfctl
boot=${MFVM_BOOT:-1}
# Long enough that B0, which nobody holds once host 0 rejoined (its
# owner's reference went with its old incarnation), outlives the checks:
# a published object that no host holds is deleted at this age (seed 001).
ttl_ms=40000
size=$((2 * 1024 * 1024 + 333))
ns=rsns
sec=rs-secret

await_stat() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(mstat "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

cluster_need 2 "$tool" "$mfctl"
load_module mh_ttl_ms=$ttl_ms

# ---- guest 0, first boot: the manager until it is killed ------------------
if [ "$node" = 0 ] && [ "$boot" = 1 ]; then
	attach_cluster 2
	run_tool create mh $ns $sec A0 $size publish
	run_tool create mh $ns $sec B0 $size publish
	run_tool create mh $ns $sec P0 $size private
	check_eq "the manager has 3 objects" "$(mstat objects)" 3
	signal created-0
	# Host 1 kills this guest; until then it waits.
	await never 900
	fail "guest 0 was killed (mfctl kill 0)"
	finish
fi

# ---- guest 0, booted again: the manager rebuilds ----------------------------
if [ "$node" = 0 ]; then
	check "this is the boot after the kill" test "$boot" = 2
	"$mfadm" monitor >"$dir/monitor0.out" 2>&1 &
	monitor=$!
	sleep 1
	check "attach as the manager again (no format: a rebuild)" \
		"$mfadm" -q pool add mh --pmem "$pmem" --manager
	check "host 1 is JOINED after the rebuild" await_host "^1 JOINED" 20
	check "host 0 rejoins" await_host "^0 JOINED" 20
	# A0, B0 (host 0's, published), A1 (published), P1 (host 1's): P0,
	# the old incarnation's private object, went with the JOIN.
	check "the rebuilt manager has 4 objects: P0 went" \
		await_stat objects 4 20
	check "pool check clean after the rebuild" pool_check_clean
	signal manager-back
	check "host 1 is done with its requests" await host1-after 300
	for o in A0 B0 A1 P1 N1; do
		run_tool verify mh $ns $sec $o $size
	done
	# Admin: hold A1 here too, then look at the hosts and the holders.
	mkdir -p "$dir/h0"
	"$tool" hold mh $ns $sec A1 $size "$dir/h0" any >"$dir/hold0.out" 2>&1 &
	holder=$!
	sleep 2
	hl=$("$mfadm" host list mh)
	echo "$hl" | sed 's/^/    /'
	check_eq "host list: host 0 is the manager" \
		"$(echo "$hl" | jq -r '.[] | select(.host == 0) | .role')" manager
	check_eq "host list: host 1 is a member" \
		"$(echo "$hl" | jq -r '.[] | select(.host == 1) | .role')" member
	check_eq "host list: host 0's epoch went up with its rejoin" \
		"$(echo "$hl" | jq -r '.[] | select(.host == 0) | .epoch')" 2
	check "host list: host 1 holds A0, A1, P1, N1 (4 references)" \
		test "$(echo "$hl" | jq -r '.[] | select(.host == 1) | .refs')" -ge 4
	check "host list: host 0 holds A1 (at least one reference)" \
		test "$(echo "$hl" | jq -r '.[] | select(.host == 0) | .refs')" -ge 1
	check "host list: host 1's last beat is younger than the lease" \
		test "$(echo "$hl" | jq -r '.[] | select(.host == 1) | .age_ms')" -lt 3000
	check_eq "obj show on the manager: A1 is held by hosts 0 and 1" \
		"$("$mfadm" obj show mh $ns A1 | jq -c .hosts)" "[0,1]"
	signal obj-shown-0
	check "host 1 looked at A1" await obj-shown-1 120
	echo ok >"$dir/h0/hold-stop"
	wait $holder
	check_eq "host 0's holder exits 0" $? 0
	count_file "$dir/hold0.out"
	signal verified-0
	check "host 1 freed and put everything" await freed-1 300
	check "the manager deletes every object by age: none left" \
		await_empty $((ttl_ms / 1000 + 30))
	check "pool check clean at the end" pool_check_clean
	signal empty
	check "host 1 detached" await detached-1 300
	check "the manager gives host 1 up (DEAD)" await_host "^1 DEAD" 20
	sleep 1
	kill $monitor
	wait $monitor 2>/dev/null
	check "netlink: host-joined of host 0, epoch 2 (its rejoin)" \
		grep -q '"event":"host-joined","time":[0-9]*,"pool":"mh","host":0,"epoch":2' "$dir/monitor0.out"
	check "netlink: host-lost of host 1" \
		grep -q '"event":"host-lost","time":[0-9]*,"pool":"mh","host":1' "$dir/monitor0.out"
	check "netlink: no event for the rebuilt state (host 1 joined)" \
		bash -c "! grep -q '\"host-joined\".*\"host\":1' '$dir/monitor0.out'"
	sed 's/^/    monitor: /' "$dir/monitor0.out" 
else
# ---- guest 1: the member, which kills and boots the manager -----------------
	check "the manager is ready" await manager-ready 400
	"$mfadm" monitor >"$dir/monitor1.out" 2>&1 &
	monitor=$!
	sleep 1
	check "attach as member host 1" \
		"$mfadm" -q pool add mh --pmem "$pmem" --member --host 1
	check "host 1 JOINED in its own view" await_host "^1 JOINED" 60
	sleep 1
	kill $monitor
	wait $monitor 2>/dev/null
	check "netlink on host 1: its own host-joined" \
		grep -q '"event":"host-joined","time":[0-9]*,"pool":"mh","host":1,"epoch":1' "$dir/monitor1.out"
	check_eq "host list on a member: only itself, refs unknown" \
		"$("$mfadm" host list mh | jq -c '[.[] | [.host, .role, .refs]]')" \
		'[[1,"member",null]]'
	check "host 0 created its objects" await created-0 300
	run_tool create mh $ns $sec A1 $size publish
	run_tool create mh $ns $sec P1 $size private
	rm -f "$dir/hold-stop" "$dir/manager-down"
	"$tool" hold mh $ns $sec A0 $size "$dir" >"$dir/hold.out" 2>&1 &
	holder=$!
	sleep 2
	check "the holder holds A0" kill -0 $holder
	check "kill guest 0 (mfctl kill 0)" "$mfctl" kill 0
	signal manager-down
	sleep 1
	run_tool down publish mh $ns $sec P1
	run_tool down alloc mh $ns $sec N1 $size
	run_tool down get mh $ns $sec B0
	sleep 3
	check "boot guest 0 again (mfctl boot 0)" "$mfctl" boot 0
	check "the manager is back" await manager-back 600
	rm -f "$dir/manager-down"
	sleep 1
	run_tool create mh $ns $sec N1 $size publish
	run_tool publish mh $ns $sec P1
	run_tool verify mh $ns $sec B0 $size
	run_tool verify mh $ns $sec A0 $size
	check_eq "no request is pending" "$(mstat pending)" 0
	check "a request timed out meanwhile" test "$(mstat timeouts)" -ge 1
	signal host1-after
	check "host 0 looked at A1" await obj-shown-0 300
	check_eq "obj show on a member: A1 is held by this host (all it knows)" \
		"$("$mfadm" obj show mh $ns A1 | jq -c .hosts)" "[1]"
	signal obj-shown-1
	check "host 0 verified every object" await verified-0 300
	signal hold-stop
	wait $holder
	check_eq "the holder exits 0" $? 0
	count_file "$dir/hold.out"
	for o in A1 P1 N1; do
		run_tool free mh $ns $sec $o
	done
	signal freed-1
	check "the manager is empty" await empty 300
fi
check "destroy the namespace" "$mfadm" -q ns destroy mh $ns --secid $sec
if [ "$node" = 1 ]; then
	detach_clean
	signal detached-1
fi
signal done-$node
check "the other host is done" await done-$((1 - node)) 300
[ "$node" = 0 ] && detach_clean
finish
