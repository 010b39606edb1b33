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
