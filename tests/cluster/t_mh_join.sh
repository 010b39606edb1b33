#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cluster-check: yes
#
# t_mh_join.sh - a multi-host pool across two guests on one fabric device
# (issue 17, Documentation/multihost.md): run by "mfvm cluster" in both
# guests, MFVM_NODE 0 the manager, MFVM_NODE 1 the member.
#
#   node 0: bad input first (a member of an unformatted device, role
#           flags on a RAM pool, in pools= and through the ioctl); then it
#           formats the pool as the manager (host 0), sees host 1 JOIN and
#           its heartbeats advance, lets it go, and sees it DEAD at once
#           (a clean LEAVE at detach, no lease expired); pool check clean,
#           detach and unload clean.
#   node 1: a second manager (host 0, then host 1) and a member as host 0
#           are refused; it joins as host 1, beats, checks the pool
#           clean, detaches (LEAVE) and unloads clean, and its guest stops.
#
# Barriers are files in $MFVM_CLUSTER (the work tree, shared).  Both scan
# their kernel log.  Prints PASS:/FAIL: lines; exits 77 outside a cluster.

set -u

name=$(basename "$0")
. "$(dirname "$0")/cluster_common.sh"
lease_ms=3000

# Refused with errno NAME: "mfadm -q pool add ..." says strerror's words.
refused() { local want=$1; shift; ! "$mfadm" -q pool add "$@" >/dev/null 2>"$dir/err.$node" || return 1; grep -q "$want" "$dir/err.$node"; }
not() { ! "$@"; }
# The raw attach ioctl: backend, flags, host; prints the errno (0: ok).
raw_attach() {
	python3 - "$@" <<'PY'
import errno, fcntl, os, struct, sys
backend, flags, host = (int(a) for a in sys.argv[1:4])
buf = struct.pack("<II32sIIQIIQ16s128sQII", 232, flags, b"rawmh", backend,
                  0, 64 << 20, 0, 0, 0, b"", b"", 0, host, 0)
nr = (3 << 30) | (224 << 16) | (0xBF << 8) | 1
fd = os.open("/dev/memfabric", os.O_RDWR)
try:
    fcntl.ioctl(fd, nr, bytearray(buf))
    print(0)
except OSError as e:
    print(e.errno)
PY
}
# mfadm host list's state of host $1.
mfadm_state() {
	"$mfadm" host list mh | python3 -c 'import json, sys
print(" ".join(h["state"] for h in json.load(sys.stdin) if h["host"] == int(sys.argv[1])))' "$1"
}

cluster_need 2
grep -q '^memfabric ' /proc/modules || insmod "$ko" || exit 1

if [ "$node" = 0 ]; then
	check "a member of an unformatted device is refused" \
		refused "holds no multi-host pool" mh --pmem "$pmem" --member --host 1
	check "mfadm refuses --manager on a RAM pool" \
		refused "need shared fabric memory" r --ram 64M --manager
	check_eq "the kernel refuses a role on a RAM pool (EINVAL)" \
		"$(raw_attach 3 2 0)" 22
	check_eq "the kernel refuses both roles (EINVAL)" \
		"$(raw_attach 1 6 0)" 22
	check_eq "the kernel refuses a host number without a role (EINVAL)" \
		"$(raw_attach 3 0 1)" 22
	rmmod memfabric
	check "pools= refuses a role on a RAM pool" \
		not insmod "$ko" "pools=r:ram:64M:manager"
	check "insmod with a multi-host manager in pools=" \
		insmod "$ko" "pools=mh:fsdax:$pmem:manager"
	check_eq "the pool is the manager, host 0" "$(cat $pools/mh/role 2>&1)" "manager 0"
	check "the manager's own member joins" await_host "^0 JOINED" 20
	signal manager-ready
	check "host 1 joins" await_host "^1 JOINED" 400
	check_eq "mfadm host list shows host 1 JOINED" "$(mfadm_state 1)" JOINED
	b1=$(host_field 1 4)
	sleep $((lease_ms / 1000 + 1))
	b2=$(host_field 1 4)
	check "host 1's heartbeats advance ($b1 -> $b2)" test "${b2:-0}" -gt "${b1:-0}"
	check "host 1's last beat is younger than the lease" \
		test "$(host_field 1 5)" -lt $lease_ms
	e1=$(host_field 1 3)
	signal member-may-stop
	check "the member detached and unloaded" await member-done 120
	# A clean LEAVE at detach: no need to wait for the lease.
	check "host 1 is DEAD at once: it left cleanly at detach" \
		await_host "^1 DEAD" 1
	check_eq "its epoch went up by one at LEAVE" "$(host_field 1 3)" $((e1 + 1))
	check_eq "no lease expired for it" \
		"$(awk '$1 == "leases_expired" { print $2 }' $pools/mh/mh_stats)" 0
	check_eq "mfadm host list shows host 1 DEAD" "$(mfadm_state 1)" DEAD
	check "the manager stays JOINED" await_host "^0 JOINED" 1
	detach_clean
else
	check "the manager is ready" await manager-ready 400
	check "a second manager as host 0 is refused (EBUSY)" \
		refused "manager is running already" mh --pmem "$pmem" --manager
	check "a manager as host 1 is refused (EBUSY)" \
		refused "manager is running already" mh --pmem "$pmem" --manager --host 1
	check "a member as host 0, the manager's, is refused (EBUSY)" \
		refused "is the pool's manager" mh --pmem "$pmem" --member --host 0
	check "a member as host 16 is refused" \
		not "$mfadm" -q pool add mh --pmem "$pmem" --member --host 16
	check "attach as member host 1" "$mfadm" -q pool add mh --pmem "$pmem" --member --host 1
	check_eq "the pool is a member, host 1" "$(cat $pools/mh/role 2>&1)" "member 1"
	check "host 1 JOINED in its own view" await_host "^1 JOINED" 60
	check "the manager lets it go" await member-may-stop 120
	detach_clean
	signal member-done
fi
finish
