# SPDX-License-Identifier: GPL-2.0
#
# cluster_common.sh - what the cluster tests (tests/cluster/t_*.sh) share:
# paths, the guest's place in the cluster, PASS:/FAIL: counting, and the
# barriers (files in $MFVM_CLUSTER, the shared work tree).  Sourced, not
# run; the sourcing script sets name= first.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ko=$top/build/kmod/$(uname -r)/memfabric.ko
mfadm=$top/build/tools/mfadm
pools=/sys/kernel/memfabric/pools
stats=/sys/kernel/memfabric/stats
node=${MFVM_NODE:-}
dir=${MFVM_CLUSTER:-}
pmem=${MFVM_PMEM:-}
npass=0
nfail=0

pass() { npass=$((npass + 1)); echo "PASS: $name[$node]: $1"; }
fail() { nfail=$((nfail + 1)); echo "FAIL: $name[$node]: $1${2:+ ($2)}"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what" "$*"; fi; }
check_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
signal() { echo ok >"$dir/$1"; }
# Wait for a barrier file, up to $2 seconds.
await() {
	local i
	for ((i = 0; i < $2 * 2; i++)); do
		[ -e "$dir/$1" ] && return 0
		sleep 0.5
	done
	return 1
}
# Wait until the manager's hosts file has a line matching $1, $2 seconds.
await_host() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -q "$1" $pools/mh/hosts 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# The manager's count $1 of the pool mh (objects, used_units, ...).
mstat() { awk -v k="$1" '$1 == k { print $2 }' $pools/mh/mh_stats; }
# Wait until the manager has no object and no used or quarantined unit,
# up to $1 seconds.
await_empty() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[ "$(mstat objects)" = 0 ] && [ "$(mstat used_units)" = 0 ] &&
			[ "$(mstat quarantined_units)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
# Every counter of /sys/kernel/memfabric/stats that must be back to 0.
counters_zero() {
	local f v bad=0
	for f in namespaces objects handles refs extents mappings; do
		v=$(cat $stats/$f 2>/dev/null)
		[ "$v" = 0 ] || { echo "$f=$v" >&2; bad=1; }
	done
	return $bad
}
# The kernel log has no BUG/WARNING/Oops/lockdep/KASAN/leak report.
kernel_clean() {
	! dmesg | grep -E '(^|[] ])(BUG:|WARNING:|Oops|general protection|KASAN|possible circular locking|inconsistent lock state|memfabric: leak|unreferenced object)' >&2
}
# Host $1's field $2 (2 STATE, 3 EPOCH, 4 BEAT, 5 AGE_MS) in the pool's
# hosts file.
host_field() { awk -v h="$1" -v f="$2" '$1 == h { print $f }' $pools/mh/hosts; }
# Skip (exit 77) unless this is a guest of an mfvm cluster of at least $1
# guests with a fabric device, mfadm and the module, and every program
# named after it is executable.
cluster_need() {
	local guests=$1 p
	shift
	if [ -z "$node" ] || [ -z "$dir" ] || [ "${MFVM_NODES:-0}" -lt "$guests" ]; then
		echo "SKIP: $name: not in an mfvm cluster of $guests guests (tools/mfvm cluster --guests $guests)"
		exit 77
	fi
	[ -n "$pmem" ] && [ -x "$mfadm" ] && [ -f "$ko" ] || {
		echo "SKIP: $name: no fabric device, mfadm or module"
		exit 77
	}
	for p in "$@"; do
		[ -x "$p" ] || { echo "SKIP: $name: no $p"; exit 77; }
	done
}
# Load the module afresh with parameters "$@"; the test stops if it cannot.
load_module() {
	grep -q '^memfabric ' /proc/modules && rmmod memfabric
	insmod "$ko" "$@" || exit 1
}
# Attach the pool mh: host 0 as its manager (formatted), which waits for
# hosts 1..$1-1 to join; any other host as a member once the manager is
# ready.
attach_cluster() {
	local h
	if [ "$node" = 0 ]; then
		check "attach as the manager, host 0 (formatted)" \
			"$mfadm" -q pool add mh --pmem "$pmem" --manager --format
		check "the manager's own member joins" await_host "^0 JOINED" 20
		signal manager-ready
		for ((h = 1; h < $1; h++)); do
			check "host $h joins" await_host "^$h JOINED" 400
		done
	else
		check "the manager is ready" await manager-ready 400
		check "attach as member host $node" \
			"$mfadm" -q pool add mh --pmem "$pmem" --member --host "$node"
		check "host $node JOINED in its own view" await_host "^$node JOINED" 60
	fi
}
# Signal barrier $1-$node, then wait up to $3 s for the other hosts'
# (0..$2-1).
barrier() {
	local h
	signal "$1-$node"
	for ((h = 0; h < $2; h++)); do
		[ "$h" = "$node" ] || check "host $h passed $1" await "$1-$h" "$3"
	done
}
# Run a helper program "$@"; its PASS:/FAIL: lines count as ours.
run_cmd() {
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	echo "$out" | sed "s/^\(PASS\|FAIL\): /\1: $name[$node]: /"
	npass=$((npass + $(echo "$out" | grep -c '^PASS:')))
	nfail=$((nfail + $(echo "$out" | grep -c '^FAIL:')))
	[ $rc = 0 ] || fail "$(basename "$1") $2 exits 0" "exit $rc"
}
# The test's own helper, $tool.
run_tool() { run_cmd "$tool" "$@"; }
# Count the PASS:/FAIL: lines of a helper's output file $1 as ours.
count_file() {
	sed "s/^\(PASS\|FAIL\): /\1: $name[$node]: /" "$1"
	npass=$((npass + $(grep -c '^PASS:' "$1")))
	nfail=$((nfail + $(grep -c '^FAIL:' "$1")))
}
# mfadm pool check of the pool mh is clean on this host: exit 0, no
# error, and this host's role (the manager's state on the manager's host,
# this host's view on a member; Documentation/multihost.md).
pool_check_clean() {
	local out role
	role=$(cut -d' ' -f1 $pools/mh/role)
	out=$("$mfadm" pool check mh 2>&1) &&
		echo "$out" | grep -q '"errors": *0[,}]' &&
		echo "$out" | grep -q "\"role\": *\"$role\"" || {
		echo "$out" >&2
		return 1
	}
}
# The end of every test on every host, once the pool is empty: the pool
# check is clean, the pool detaches, every counter is back, the module
# unloads.
detach_clean() {
	check "mfadm pool check clean ($(cut -d' ' -f1 $pools/mh/role))" pool_check_clean
	check "detach the pool" "$mfadm" -q pool remove mh
	check "every object counter is back to 0" counters_zero
	check "unload the module" rmmod memfabric
}
# The kernel log is clean; print the counts; exit 0 if nothing failed.
finish() {
	check "kernel log clean (BUG/WARNING/Oops/KASAN/lockdep/leak)" kernel_clean
	echo "$name[$node]: $npass passed, $nfail failed"
	[ $nfail = 0 ]
	exit
}
