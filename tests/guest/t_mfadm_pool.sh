#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mfadm_pool.sh - `mfadm pool add|remove|list|check` and `mfadm stats`
# against the module: pools on RAM, on a NUMA node, on a dax device
# (--dax-node guests) and on $MFVM_PMEM (pool0 removed and added back),
# the JSON they print, and the errors: unknown pool, bad sizes and
# arguments, a duplicate, no privilege, no module.
#
# Runs as root in a guest with memfabric.ko loaded and pool0 attached on
# $MFVM_PMEM; leaves the module loaded with the pools= it had, and pool0
# attached as it found it.

. "$(dirname "$0")/mfadm_common.sh"

[ -x "$M" ] || { fail "$M is built"; finish; exit 1; }
[ -n "$pmem" ] || { fail "\$MFVM_PMEM is set"; finish; exit 1; }

params=$(cat /sys/module/memfabric/parameters/pools 2>/dev/null)
[ "$params" = "(null)" ] && params=""
had_pool0=0
[ -d $pools/pool0 ] && had_pool0=1
dev_mode=$(stat -c %a /dev/memfabric)

restore() {
	chmod "$dev_mode" /dev/memfabric 2>/dev/null
	if ! loaded; then
		if [ -n "$params" ]; then
			insmod "$ko" "pools=$params"
		else
			insmod "$ko"
		fi
	fi
	for p in r0 r1 r2 r3 n0 d0; do
		[ -d $pools/$p ] && "$M" -q pool remove $p
	done
	if [ $had_pool0 = 1 ] && [ ! -d $pools/pool0 ]; then
		"$M" -q pool add pool0 --pmem "$pmem" >/dev/null
	fi
}
trap restore EXIT

sysfs() { cat "$pools/$1/$2" 2>&1; }
# Is the list's pool @1 the same as sysfs says?
same_as_sysfs() {
	local p=$1 f
	for f in backend device capacity used free largest_free extents \
		fragmentation unit uuid; do
		[ "$(j "pool('$p')['$f']")" = "$(sysfs "$p" "$f")" ] ||
			return 1
	done
}

# --- list, check, stats with pool0 ---
if [ $had_pool0 = 1 ]; then
	pass "pool0 is attached on $pmem"
else
	fail "pool0 is attached on $pmem"
	"$M" -q pool add pool0 --pmem "$pmem" >/dev/null
fi
m_ok "pool list prints valid JSON" pool list
check_eq "pool list is an array of the attached pools" \
	"$(j 'sorted(x["name"] for x in d)')" "$(ls $pools | python3 -c 'import json,sys; print(json.dumps(sorted(sys.stdin.read().split())))')"
check_eq "pool0's entry has every field" \
	"$(j 'sorted(set(["name","backend","device","capacity","used","free","largest_free","extents","fragmentation","unit","persistent","uuid"]) - set(pool("pool0")))')" "[]"
check_eq "pool0 is fsdax" "$(j 'pool("pool0")["backend"]')" fsdax
check_eq "pool0 is on $pmem" "$(j 'pool("pool0")["device"]')" "$pmem"
check_eq "pool0 is persistent" "$(j 'pool("pool0")["persistent"]')" true
check_eq "capacity = used + free" "$(j 'pool("pool0")["capacity"] == pool("pool0")["used"] + pool("pool0")["free"]')" true
check "pool list agrees with sysfs" same_as_sysfs pool0
pool0_uuid=$(j 'pool("pool0")["uuid"]')

m_ok "pool list -u prints valid JSON" pool list -u
check_match "-u gives sizes like ndctl (\"498.00 MiB\")" "$(j 'pool("pool0")["capacity"]')" '^[0-9]+\.[0-9]{2} (KiB|MiB|GiB)$'
check_match "-u gives the unit in KiB" "$(j 'pool("pool0")["unit"]')" '^[0-9]+\.00 KiB$'

m_ok "pool check pool0 exits 0" pool check pool0
check_eq "pool check: no errors, no multi-host role" "$(j '[d["pool"], d["role"], d["errors"], d["first_error"], d["what"]]')" '["pool0", null, 0, null, ""]'

# --- a RAM pool ---
m_ok "pool add r0 --ram 64M --unit 64K" pool add r0 --ram 64M --unit 64K
check_eq "its JSON is the new pool" \
	"$(j '[d["name"], d["backend"], d["device"], d["capacity"], d["unit"], d["persistent"], d["used"]]')" \
	"[\"r0\", \"ram\", \"ram\", $((64 << 20)), 65536, false, 0]"
check_match "pool add reports its steps on stderr" "$err" 'attaching pool r0: 64.00 MiB of RAM.*pool r0 attached: 64.00 MiB capacity, 64.00 KiB unit'
check "r0 is in sysfs" test -d $pools/r0
m_ok "pool list" pool list
check_eq "pools are listed in order of attachment" "$(j '[x["name"] for x in d][-1]')" r0
check "pool list agrees with sysfs for r0" same_as_sysfs r0
m_ok "pool check r0" pool check r0
m_fails "a duplicate name fails" 1 'r0: a pool of that name is attached already' \
	-q pool add r0 --ram 32M
check_eq "the duplicate changed nothing" "$(sysfs r0 capacity)" $((64 << 20))
m -q pool add r2 --ram 4M
check_eq "-q: no progress lines" "$rc:$err" "0:"
m pool remove r2

m_ok "stats prints valid JSON" stats
check_eq "stats: module version" "$(j 'd["module"]')" "$(cat /sys/kernel/memfabric/version)"
check_eq "stats: ABI" "$(j 'd["abi"]')" "$(cat /sys/kernel/memfabric/abi_version)"
check_eq "stats: pools" "$(j 'd["pools"]')" "$(ls $pools | wc -l)"
check_eq "stats: features name pools" "$(j '"pools" in d["features"]')" true
check_eq "stats: features name file-bind" "$(j '"file-bind" in d["features"]')" true
check_eq "stats: every feature this module has is named" \
	"$(j '[f for f in d["features"] if f.startswith("bit")]')" "[]"
total=0
for p in $pools/*; do total=$((total + $(cat "$p/capacity"))); done
check_eq "stats: total capacity" "$(j 'd["capacity"]')" "$total"
check_eq "stats: capacity = used + free" "$(j 'd["capacity"] == d["used"] + d["free"]')" true
if [ -d /sys/kernel/memfabric/stats ]; then
	check_eq "stats: the counters of /sys/kernel/memfabric/stats" \
		"$(j 'sorted(d["stats"])')" "$(ls /sys/kernel/memfabric/stats | python3 -c 'import json,sys; print(json.dumps(sorted(sys.stdin.read().split())))')"
else
	check_eq "stats: no stats directory, stats is null" "$(j 'd["stats"]')" null
fi
m_ok "stats -u" stats -u
check_match "stats -u: human sizes" "$(j 'd["capacity"]')" ' (B|KiB|MiB|GiB)$'

m pool remove r0
check_eq "pool remove r0" "$rc" 0
check "r0 is gone from sysfs" test ! -e $pools/r0
m_fails "removing it again: no such pool" 1 'pool remove r0: no such pool' pool remove r0

# --- unknown pools, bad sizes and arguments ---
m_fails "pool check of an unknown pool" 1 'no such pool' pool check nosuch
m_fails "pool remove of an unknown pool" 1 'no such pool' pool remove nosuch
m_fails "a bad size" 2 "bad size '12Q'" pool add r1 --ram 12Q
m_fails "a size that is not a multiple of 2M" 2 'not a multiple of 2 MiB' pool add r1 --ram 3M
m_fails "size 0" 2 "bad size '0'" pool add r1 --ram 0
m_fails "a huge size" 2 "bad size" pool add r1 --ram 99999999999999999999
m_fails "--size with --ram" 2 '--ram takes the size' pool add r1 --ram 4M --size 4M
m_fails "a unit that is not a power of two" 2 "bad --unit '3K'" pool add r1 --ram 4M --unit 3K
m_fails "a unit beyond 2M" 2 "bad --unit" pool add r1 --ram 4M --unit 4M
m_fails "no backend" 2 'give a backend' pool add r1
m_fails "two backends" 2 'give one backend' pool add r1 --ram 4M --node 0
m_fails "no name" 2 'no pool NAME' pool add --ram 4M
m_fails "a bad name" 2 "bad pool name 'a/b'" pool add a/b --ram 4M
m_fails "a 32-character name" 2 'bad pool name' pool add abcdefghijklmnopqrstuvwxyz012345 --ram 4M
m_fails "--node without --size" 2 'needs --size' pool add r1 --node 0
m_fails "a bad node" 2 "bad --node 'x'" pool add r1 --node x --size 4M
m_fails "an unknown option" 2 "unknown option '--bogus'" pool add r1 --ram 4M --bogus
m_fails "an option without its value" 2 "'--ram' needs a value" pool add r1 --ram
m_fails "an extra argument" 2 "unexpected argument 'extra'" pool remove r1 extra
m_fails "an unknown pool command" 2 "unknown pool command 'frob'" pool frob
m_fails "a node without memory" 1 'node 7 has no memory|invalid' -q pool add r1 --node 7 --size 4M
m_fails "a device that does not exist" 1 'no such device /dev/no-such-pmem' \
	-q pool add r1 --pmem /dev/no-such-pmem
m_fails "a device that is not a block device" 1 'not a block device' \
	-q pool add r1 --pmem /dev/null
m_fails "more RAM than there is" 1 'not enough memory' -q pool add r1 --ram 1T
check "nothing was attached by the failures" test ! -e $pools/r1

# --- pool0 on pmem: remove it, add it back ---
m pool remove pool0
check_eq "pool remove pool0" "$rc:$err" "0:pool pool0 detached"
check "pool0 is gone from sysfs" test ! -e $pools/pool0
m_ok "pool list" pool list
check_eq "pool0 is not listed" "$(j '[x["name"] for x in d if x["name"] == "pool0"]')" "[]"
m_fails "$pmem under another name is refused (--pmem ${pmem#/dev/})" 1 \
	"$pmem holds a pool formatted under another name" -q pool add r1 --pmem "${pmem#/dev/}"
m_ok "pool add pool0 --pmem $pmem" pool add pool0 --pmem "$pmem"
check_eq "its JSON: fsdax on $pmem, persistent" \
	"$(j '[d["name"], d["backend"], d["device"], d["persistent"]]')" \
	"[\"pool0\", \"fsdax\", \"$pmem\", true]"
check_eq "the same pool came back (uuid)" "$(j 'd["uuid"]')" "$pool0_uuid"
check_match "stderr says it was loaded" "$err" 'existing pool loaded'
check_eq "sysfs agrees" "$(sysfs pool0 uuid):$(sysfs pool0 device)" "$pool0_uuid:$pmem"
m_fails "$pmem is taken by pool0" 1 'pool add r1: .*(busy|another name)' \
	-q pool add r1 --pmem "$pmem" --format

# --- node pools ---
m_ok "pool add n0 --node 0 --size 32M" pool add n0 --node 0 --size 32M
check_eq "its JSON: node 0, volatile" \
	"$(j '[d["backend"], d["device"], d["node"], d["persistent"], d["capacity"]]')" \
	"[\"node\", \"node0\", 0, false, $((32 << 20))]"
m pool remove n0
check_eq "pool remove n0" "$rc" 0

dax=""
if [ -n "${MFVM_DAX_NODE:-}" ]; then
	dax=$(daxctl list 2>/dev/null | python3 -c '
import json, sys
for x in json.load(sys.stdin):
    if x.get("target_node") == int(sys.argv[1]):
        print(x["chardev"]); break' "$MFVM_DAX_NODE")
fi
if [ -n "$dax" ]; then
	m_ok "pool add d0 --dax $dax --size 32M" pool add d0 --dax "$dax" --size 32M
	check_eq "d0 is on node $MFVM_DAX_NODE" "$(j '[d["backend"], d["node"]]')" "[\"node\", $MFVM_DAX_NODE]"
	check_match "stderr names the node" "$err" "$dax is online as NUMA node $MFVM_DAX_NODE"
	m pool remove d0
	check_eq "pool remove d0" "$rc" 0
	# Back to devdax: --dax then needs --online.
	if daxctl reconfigure-device --mode=devdax -f "$dax" >"$T/daxctl" 2>&1; then
		pass "daxctl: $dax back to devdax"
		m_fails "--dax on a devdax device without --online" 1 'add --online' \
			-q pool add d0 --dax "$dax" --size 32M
		m_ok "pool add d0 --dax $dax --online" pool add d0 --dax "$dax" --online
		check_match "it onlined $dax" "$err" "reconfiguring $dax as system-ram"
		check_eq "d0 is on node $MFVM_DAX_NODE" "$(j 'd["node"]')" "$MFVM_DAX_NODE"
		check_eq "the default size is at most 3/4 of the node" \
			"$(j "0 < d['capacity'] <= $(($(sed -n 's/.*MemTotal: *\([0-9]*\) kB/\1/p' /sys/devices/system/node/node$MFVM_DAX_NODE/meminfo) * 1024 * 3 / 4))")" true
		m pool remove d0
		check_eq "pool remove d0" "$rc" 0
	else
		fail "daxctl: $dax back to devdax" "$(cat "$T/daxctl")"
	fi
	check_eq "$dax is system-ram again" "$(daxctl list -d "$dax" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mode"])')" system-ram
	m_fails "--dax of an unknown device" 1 "no dax device 'dax9.9'" -q pool add d0 --dax dax9.9
else
	echo "SKIP: $name: --dax (no --dax-node device in this guest)"
	m_fails "--dax of an unknown device" 1 "no dax device 'dax9.9'" -q pool add d0 --dax dax9.9
fi

# --- no privilege ---
chmod 0666 /dev/memfabric
m_fails_as_nobody "pool add as nobody: need CAP_SYS_ADMIN" 1 'pool add r3: need CAP_SYS_ADMIN' \
	-q pool add r3 --ram 4M
m_fails_as_nobody "pool remove as nobody: need CAP_SYS_ADMIN" 1 'pool remove pool0: need CAP_SYS_ADMIN' \
	pool remove pool0
m_as_nobody pool list
check_eq "pool list as nobody works" "$rc:$(json_valid && echo ok)" "0:ok"
m_as_nobody pool check pool0
check_eq "pool check as nobody works" "$rc" 0
chmod "$dev_mode" /dev/memfabric
check "pool0 is still attached, r3 is not" test -d $pools/pool0 -a ! -e $pools/r3
m_fails_as_nobody "pool list without access to the device" 1 'permission denied opening /dev/memfabric' \
	pool list

# --- no module ---
check "rmmod memfabric" rmmod memfabric
m_fails "pool list without the module" 1 'memfabric module not loaded' pool list
m_fails "pool add without the module" 1 'memfabric module not loaded' -q pool add r1 --ram 4M
m_fails "pool remove without the module" 1 'memfabric module not loaded' pool remove pool0
m_fails "pool check without the module" 1 'memfabric module not loaded' pool check pool0
m_fails "stats without the module" 1 'memfabric module not loaded' stats
m_fails "usage errors come first, module or not" 2 'bad size' pool add r1 --ram 3Q
if [ -n "$params" ]; then
	check "insmod with pools=$params" insmod "$ko" "pools=$params"
else
	check "insmod" insmod "$ko"
fi
check_eq "the pools= parameter is as before" \
	"$(sed 's/^(null)$//' /sys/module/memfabric/parameters/pools)" "$params"
if [ $had_pool0 = 1 ]; then
	check_eq "pool0 is back, the same pool" "$(sysfs pool0 uuid)" "$pool0_uuid"
fi

trap - EXIT
restore
finish
