# SPDX-License-Identifier: GPL-2.0
#
# remote_common.sh - what the remote fabric's guest tests share
# (t_remote.sh, t_remote_auth.sh, t_remote_hostile.sh), sourced after they
# set NAME, MFADM and KO and fails=0:
#   pass WHAT, fail WHAT, check WHAT CMD...   PASS:/FAIL: lines, counted
#   loaded                  memfabric is loaded
#   stop PID                SIGTERM, then SIGKILL after 5 s; reaps it
#   remote_need_pool0       load memfabric.ko and attach pool0 on
#                           $MFVM_PMEM if missing (sets LOADED_MODULE,
#                           ATTACHED_POOL0 for remote_restore); 0, 1 (a
#                           FAIL line printed), or 77: pool0 missing and
#                           no $MFVM_PMEM (the caller fails or skips)
#   remote_restore          in the cleanup: detach pool0 and unload the
#                           module if remote_need_pool0 did it (checked)
# It also sources bench/remote/setup-rxe.sh (rxe_setup, etcd_start ...).

. "$(dirname "${BASH_SOURCE[0]}")/../../bench/remote/setup-rxe.sh"
POOLS=/sys/kernel/memfabric/pools
LOADED_MODULE=0
ATTACHED_POOL0=0

pass() { echo "PASS: $NAME: $*"; }
fail() { echo "FAIL: $NAME: $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
loaded() { grep -q '^memfabric ' /proc/modules; }

stop() {
	local pid=$1
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

remote_need_pool0() {
	if ! loaded; then
		echo "INFO: memfabric is not loaded: loading $KO"
		insmod "$KO" || { fail "insmod $KO"; return 1; }
		LOADED_MODULE=1
	fi
	[ -d $POOLS/pool0 ] && return 0
	[ -n "${MFVM_PMEM:-}" ] || return 77
	echo "INFO: pool0 is not attached: attaching it on $MFVM_PMEM"
	"$MFADM" -q pool add pool0 --pmem "$MFVM_PMEM" >/dev/null ||
		{ fail "mfadm pool add pool0 --pmem $MFVM_PMEM"; return 1; }
	ATTACHED_POOL0=1
}

remote_restore() {
	[ $ATTACHED_POOL0 = 1 ] && check "cleanup: detach pool0 again" "$MFADM" -q pool remove pool0
	[ $LOADED_MODULE = 1 ] && check "cleanup: unload memfabric again" rmmod memfabric
	ATTACHED_POOL0=0
	LOADED_MODULE=0
}
