#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_remote_check - the remote fabric (guest, as root): mfserverd exporting
# pool0 over soft-RoCE (rxe on a veth pair, bench/remote/setup-rxe.sh), registered in etcd, and
# build/tests/remote/t_remote_lib as its client:
#   - every remote call and its errors (t_remote_lib api);
#   - the rkeys: a published object refuses RDMA WRITE, an rkey dies with
#     its PUT, a wrong secId gets no rkey; the staged READ and WRITE (a
#     staged write to a published object is -EACCES); which path, direct
#     or staged, read-write and published objects take on this kernel
#     (t_remote_lib rkey, the PATH: line);
#   - which ibv_reg_mr of memfabric mappings the kernel accepts, and the
#     kernel log after (t_remote_lib regprobe, INFO: lines);
#   - a server restart while a client holds objects (restart);
#   - a client killed with SIGKILL mid-transfer (hammer, afterkill);
#   - the etcd lease: a killed server's record disappears.
# Prints PASS:/FAIL: lines (tests/run-suite).  Documentation/remote.md.
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
NAME=t_remote
SRV=$TOP/build/server/mfserverd
CLI=$TOP/build/tests/remote/t_remote_lib
. "$TOP/bench/remote/setup-rxe.sh"
W=$(mktemp -d /tmp/t_remote.XXXXXX)
SRV_PID=
ETCD_PID=
fails=0

pass() { echo "PASS: $NAME: $*"; }
fail() { echo "FAIL: $NAME: $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	[ -n "$ETCD_PID" ] && kill "$ETCD_PID" 2>/dev/null && wait "$ETCD_PID" 2>/dev/null
	rxe_teardown
	echo "--- mfserverd log"; cat "$W"/server*.log 2>/dev/null | tail -n 40
	rm -rf "$W"
}
trap cleanup EXIT

start_server() {
	# Not under timeout(1): the signals of the test must reach it.
	"$SRV" --listen $RXE_SERVER_ADDR --node n1 --etcd 127.0.0.1:2379 \
		--ttl 3 -v >>"$W/server$1.log" 2>&1 &
	SRV_PID=$!
	for _ in $(seq 100); do
		grep -q 'serving pools' "$W/server$1.log" && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$W/server$1.log"
	return 1
}


check "rxe on a veth pair" rxe_setup || exit 1
echo "kernel $(uname -r)"
dmesg -c >/dev/null 2>&1
timeout -k 5 60 "$CLI" regprobe
[ $? = 0 ] || fails=$((fails + 1))
echo "--- kernel log after regprobe"; dmesg 2>/dev/null | tail -n 20
check "etcd starts" etcd_start "$W/etcd" || exit 1
check "mfserverd starts" start_server 1 || exit 1
rec=$(etcd_value /memfabric/nodes/n1)
echo "etcd: /memfabric/nodes/n1 = $rec"
check "mfserverd registered node n1 in etcd" grep -q "\"addr\":\"$RXE_SERVER_ADDR\"" <<<"$rec"

timeout -k 5 120 "$CLI" api
[ $? = 0 ] || fails=$((fails + 1))
timeout -k 5 60 "$CLI" rkey | tee "$W/rkey.log"
[ "${PIPESTATUS[0]}" = 0 ] || fails=$((fails + 1))
check "the paths of this kernel are known" grep -q '^PATH: ' "$W/rkey.log"
grep '^PATH: ' "$W/rkey.log" | sed 's/^/INFO: /'

# A server restart while a client holds an object.
timeout -k 5 120 "$CLI" restart "$W" &
cli=$!
for _ in $(seq 300); do [ -e "$W/ready" ] && break; sleep 0.1; done
check "restart: the client is ready" test -e "$W/ready"
kill -TERM "$SRV_PID"; wait "$SRV_PID"
check "restart: mfserverd stops on SIGTERM, status 0" test $? = 0
check "restart: the server said why it stopped" grep -q 'shutting down' "$W/server1.log"
check "restart: mfserverd starts again" start_server 2
touch "$W/go"
wait $cli
[ $? = 0 ] || fails=$((fails + 1))

# A client killed mid-transfer.
"$CLI" hammer >"$W/hammer.log" 2>&1 &
cli=$!
for _ in $(seq 300); do grep -q 'hammering\|FAIL' "$W/hammer.log" && break; sleep 0.1; done
sleep 2
kill -KILL $cli; wait $cli 2>/dev/null
grep -q FAIL "$W/hammer.log" && { fail "hammer ran"; cat "$W/hammer.log"; }
sleep 1
check "kill: mfserverd survives a client killed mid-transfer" kill -0 "$SRV_PID"
for _ in $(seq 50); do
	[ "$(grep -c 'closed after' "$W/server2.log")" -ge 2 ] && break
	sleep 0.1
done
check "kill: the server logged the killed client's connection closing" \
	test "$(grep -c 'closed after' "$W/server2.log")" -ge 2
timeout -k 5 60 "$CLI" afterkill
[ $? = 0 ] || fails=$((fails + 1))

# The lease: a dead server's record goes.
kill -KILL "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=
check "lease: the record is there right after the kill" test -n "$(etcd_value /memfabric/nodes/n1)"
for _ in $(seq 40); do [ -z "$(etcd_value /memfabric/nodes/n1)" ] && break; sleep 0.5; done
check "lease: a killed server's record disappears from etcd" test -z "$(etcd_value /memfabric/nodes/n1)"

[ $fails = 0 ]
