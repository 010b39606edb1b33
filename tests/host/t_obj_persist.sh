#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_obj_persist.sh - namespaces and objects of a persistent pool survive a
# module reload and a guest reboot, on both kernels (6.1: CXL pmem region,
# 6.12: NVDIMM), through mfvm --state.  Boot 1 makes a private, a
# published, a derived (copied on write), a grown, a freed object and one
# with a generated id (t_obj_persist setup), reloads the module and checks
# them all (ids, types, sizes, contents, the namespace's TTL and attr,
# the freed one gone); boot 2 checks them again, checks that the secId is
# nowhere on the device in clear, and removes everything.  Two boots per
# kernel.

. "$(dirname "$(readlink -f "$0")")/host_common.sh"
PERSIST=$TOP/build/tests/guest/t_obj_persist
SECID=persist-secret-7f3a9c
# result WHAT RC LOG: one check from a guest phase's status.
result() {
	if [ "$2" = 0 ]; then
		ok "$1"
	else
		ko "$1" "status $2: $(grep -E '^FAIL|mfvm:' "$3" | head -3 | tr '\n' ' ')"
	fi
}

host_begin "$PERSIST"

for k in 6.1 6.12; do
	guest_dirs "$k"
	"$MFVM" run --kernel "$k" --state "$st" -- bash -c '
		set -e
		ko=$PWD/build/kmod/$(uname -r)/memfabric.ko
		p='"$PERSIST"'
		test -d /sys/kernel/memfabric/pools/pool0
		$p setup '"$d"'/ids
		rmmod memfabric
		insmod $ko pools=pool0:fsdax:$MFVM_PMEM
		$p check '"$d"'/ids
		' >"$d/boot1.out" 2>&1
	result "$k: boot 1: make objects, reload the module, check them" $? "$d/boot1.out"
	n=$(grep -c '^PASS: ' "$d/boot1.out")
	if [ "$n" -ge 40 ]; then ok "$k: boot 1 ran its checks ($n)"; else ko "$k: boot 1 ran its checks" "$n PASS lines"; fi

	"$MFVM" run --kernel "$k" --state "$st" -- bash -c '
		set -e
		p='"$PERSIST"'
		dmesg | grep -q "pool pool0: 2 namespaces, 5 objects" && echo REBUILT
		$p check '"$d"'/ids
		if grep -qa -- '"$SECID"' "$MFVM_PMEM"; then
			echo "FAIL: the secId is on the device in clear"
			exit 1
		fi
		$p cleanup
		' >"$d/boot2.out" 2>&1
	result "$k: boot 2: the objects are back after a reboot, the secId is not on the device, cleanup" $? "$d/boot2.out"
	n=$(grep -c '^PASS: ' "$d/boot2.out")
	if [ "$n" -ge 30 ]; then ok "$k: boot 2 ran its checks ($n)"; else ko "$k: boot 2 ran its checks" "$n PASS lines"; fi
	if grep -q '^REBUILT$' "$d/boot2.out"; then
		ok "$k: attach reported the rebuilt namespaces and objects"
	else
		ko "$k: attach reported the rebuilt namespaces and objects" "no such kernel message"
	fi
done

echo "$name: $pass passed, $fail failed"
[ $fail = 0 ]
