#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_pool_persist.sh - a persistent pool and its extents survive a module
# reload and a guest reboot, on both kernels (6.1: CXL pmem region, 6.12:
# NVDIMM), through mfvm --state.  Boot 1 runs a storm of allocations and
# frees on pool0 (tags recorded in a log), dumps pool0 (uuid, counters,
# every extent with its tag), reloads the module and dumps again; boot 2
# dumps once more and verifies the log and the pool check.  Two boots per
# kernel.

. "$(dirname "$(readlink -f "$0")")/host_common.sh"
STORM=$TOP/build/tests/guest/t_pool_storm

host_begin "$STORM"

for k in 6.1 6.12; do
	guest_dirs "$k"
	"$MFVM" run --kernel "$k" --state "$st" -- bash -c '
		set -e
		ko=$PWD/build/kmod/$(uname -r)/memfabric.ko
		s=$PWD/build/tests/guest/t_pool_storm
		test -d /sys/kernel/memfabric/pools/pool0
		$s storm pool0 '"$d"'/log 400
		$s dump pool0 >'"$d"'/boot1
		rmmod memfabric
		insmod $ko pools=pool0:fsdax:$MFVM_PMEM
		$s dump pool0 >'"$d"'/reload
		' >"$d/boot1.out" 2>&1
	rc=$?
	if [ $rc = 0 ]; then ok "$k: boot 1: storm, dump, reload, dump"; else ko "$k: boot 1: storm, dump, reload, dump" "status $rc: $(tail -n 3 "$d/boot1.out" | tr '\n' ' ')"; fi
	if [ -s "$d/boot1" ] && grep -q '^extent ' "$d/boot1"; then
		ok "$k: pool0 has extents after the storm ($(grep -c '^extent ' "$d/boot1"))"
	else
		ko "$k: pool0 has extents after the storm" "$(head -3 "$d/boot1" 2>/dev/null)"
	fi
	if [ -s "$d/reload" ] && cmp -s "$d/boot1" "$d/reload"; then
		ok "$k: uuid, counters, extents and tags are identical after a module reload"
	else
		ko "$k: uuid, counters, extents and tags are identical after a module reload" "$(diff "$d/boot1" "$d/reload" 2>&1 | head -4 | tr '\n' ' ')"
	fi

	"$MFVM" run --kernel "$k" --state "$st" -- bash -c '
		s=$PWD/build/tests/guest/t_pool_storm
		$s dump pool0 >'"$d"'/boot2 || exit 1
		$s verify pool0 '"$d"'/log
		' >"$d/boot2.out" 2>&1
	rc=$?
	if [ $rc = 0 ]; then ok "$k: boot 2: the storm's log verifies, the pool checks clean"; else ko "$k: boot 2: the storm's log verifies, the pool checks clean" "status $rc: $(grep FAIL "$d/boot2.out" | head -3 | tr '\n' ' ')"; fi
	if [ -s "$d/boot2" ] && cmp -s "$d/boot1" "$d/boot2"; then
		ok "$k: uuid, counters, extents and tags are identical after a reboot"
	else
		ko "$k: uuid, counters, extents and tags are identical after a reboot" "$(diff "$d/boot1" "$d/boot2" 2>&1 | head -4 | tr '\n' ' ')"
	fi
done

echo "$name: $pass passed, $fail failed"
[ $fail = 0 ]
