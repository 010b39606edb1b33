#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_pool_param.sh - the pools= module parameter: pools of all three
# backends attached at load, a persistent pool's extents across a module
# reload, syntax errors (the load fails, nothing is attached), pools that
# cannot be attached (skipped, the load succeeds), and unload with pools
# attached.
#
# Runs as root in a guest with memfabric.ko loaded; leaves it loaded as it
# found it (with pool0 on $MFVM_PMEM if that was attached).

set -u

name=$(basename "$0")
top=$(cd "$(dirname "$0")/../.." && pwd)
ko=$top/build/kmod/$(uname -r)/memfabric.ko
storm=$top/build/tests/guest/t_pool_storm
pools=/sys/kernel/memfabric/pools
pmem=${MFVM_PMEM:-}
node=${MFVM_DAX_NODE:-0}
npass=0
nfail=0
T=$(mktemp -d /tmp/t_pool_param.XXXXXX)

pass() { npass=$((npass + 1)); echo "PASS: $name: $1"; }
fail() { nfail=$((nfail + 1)); echo "FAIL: $name: $1${2:+ ($2)}"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what" "$*"; fi; }
check_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
loaded() { grep -q '^memfabric ' /proc/modules; }
unload() { ! loaded || rmmod memfabric; }

had_pool0=0
[ -d $pools/pool0 ] && had_pool0=1
restore() {
	unload 2>/dev/null
	if [ $had_pool0 = 1 ]; then
		insmod "$ko" "pools=pool0:fsdax:$pmem"
	else
		insmod "$ko"
	fi
	rm -rf "$T"
}
trap restore EXIT

[ -n "$pmem" ] || { fail "\$MFVM_PMEM is set"; exit 1; }

# --- all three backends at load ---
check "rmmod with pools attached" unload
check "no pools directory once unloaded" test ! -e $pools
spec="pool0:fsdax:$pmem,r0:ram:64M:unit=64K,n0:node:$node:32M"
check "insmod pools=$spec" insmod "$ko" "pools=$spec"
check_eq "the parameter reads back" "$(cat /sys/module/memfabric/parameters/pools)" "$spec"
check_eq "three pools are attached" "$(ls $pools | sort | tr '\n' ' ')" "n0 pool0 r0 "
check_eq "pool0 is fsdax" "$(cat $pools/pool0/backend)" fsdax
check_eq "pool0 is on $pmem" "$(cat $pools/pool0/device)" "$pmem"
check_eq "pool0 is persistent" "$(cat $pools/pool0/persistent)" 1
check_eq "r0 is ram" "$(cat $pools/r0/backend)" ram
check_eq "r0 has 64M" "$(cat $pools/r0/capacity)" $((64 << 20))
check_eq "r0 has unit=64K" "$(cat $pools/r0/unit)" 65536
check_eq "n0 is node $node" "$(cat $pools/n0/device)" "node$node"
check_eq "n0 has 32M" "$(cat $pools/n0/capacity)" $((32 << 20))
check_eq "n0 is volatile" "$(cat $pools/n0/persistent)" 0

# --- a persistent pool across a module reload ---
check "a storm of 300 operations on pool0" "$storm" storm pool0 "$T/log" 300
"$storm" dump pool0 >"$T/before"
check "rmmod" unload
check "insmod pools=pool0:fsdax:$pmem" insmod "$ko" "pools=pool0:fsdax:$pmem"
"$storm" dump pool0 >"$T/after"
if cmp -s "$T/before" "$T/after" && grep -q '^extent ' "$T/after"; then
	pass "pool0's uuid, counters and extents are back after the reload"
else
	fail "pool0's uuid, counters and extents are back after the reload" \
		"$(diff "$T/before" "$T/after" | head -5 | tr '\n' ' ')"
fi
check "the log of the storm verifies" "$storm" verify pool0 "$T/log"
check "the volatile pools did not come back" test ! -e $pools/r0 -a ! -e $pools/n0

# --- syntax errors: the load fails ---
check "rmmod" unload
bad=(
	"x:foo:1|an unknown backend"
	"bad name:ram:64M|a bad pool name"
	"abcdefghijklmnopqrstuvwxyz0123456:ram:64M|a 33-character name"
	"r:ram|a ram pool without a size"
	"r:ram:12Q|a bad size"
	"r:ram:0|size 0"
	"n:node:abc:64M|a bad node number"
	"n:node:0|a node pool without a size"
	"p:fsdax|an fsdax pool without a device"
	"p:fsdax:$pmem:unit=3K|a unit that is not a power of two"
	"p:fsdax:$pmem:bogus|an unknown option"
	"p:fsdax:$pmem:format|format (not allowed at load)"
	"r:ram:64M:size=4M|size= on a ram pool"
	"r:ram:64M,|an empty pool specification"
	"ok:ram:4M,r:ram:x|an error after a good pool"
)
for b in "${bad[@]}"; do
	p=${b%%|*}
	what=${b#*|}
	n0=$(dmesg | wc -l)
	if insmod "$ko" "pools=$p" 2>/dev/null; then
		fail "pools=$p ($what) fails the load"
		unload
	else
		pass "pools=$p ($what) fails the load"
		if dmesg | tail -n +$((n0 + 1)) | grep -q 'memfabric: pools=:'; then
			pass "$what: the kernel log says why"
		else
			fail "$what: the kernel log says why"
		fi
	fi
	check "$what: the module is not loaded" eval '! loaded'
done

# --- pools that cannot be attached are skipped ---
n0=$(dmesg | wc -l)
spec="ok:ram:8M,gone:fsdax:/dev/no-such-pmem,dup:ram:4M,dup:ram:2M,odd:ram:3M,pool0:fsdax:$pmem:size=64M"
check "insmod with pools that cannot be attached still loads" insmod "$ko" "pools=$spec"
check_eq "the good pools are attached, the bad ones skipped" \
	"$(ls $pools | sort | tr '\n' ' ')" "dup ok "
check_eq "the first of two pools of one name wins" "$(cat $pools/dup/capacity)" $((4 << 20))
log=$(dmesg | tail -n +$((n0 + 1)))
for p in gone dup odd pool0; do
	if grep -q "cannot attach pool $p" <<<"$log"; then
		pass "the kernel log says pool $p could not be attached"
	else
		fail "the kernel log says pool $p could not be attached"
	fi
done
check "rmmod" unload

# --- back to pool0 alone, emptied ---
check "insmod pools=pool0:fsdax:$pmem" insmod "$ko" "pools=pool0:fsdax:$pmem"
check "pool0 is attached" test -d $pools/pool0
check "free all of pool0's extents" "$storm" clear pool0
check_eq "pool0 has no extents" "$(cat $pools/pool0/extents)" 0
check "rmmod" unload
trap - EXIT
restore

echo "$name: $npass passed, $nfail failed"
[ $nfail -eq 0 ]
