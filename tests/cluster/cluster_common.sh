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
