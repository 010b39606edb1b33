#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_remote_hostile.sh - mfserverd against hostile clients (guest, as
# root; Documentation/remote.md, Fair service, Limits, Dead clients):
# build/tests/remote/t_remote_hostile connects with bad parameters,
# floods, withholds receive buffers, replays a request with an RDMA WRITE
# with immediate, disconnects mid-request and dies without a disconnect,
# while a good client measures its STAT latency (the fairness ratio:
# median latency during the attack / median on the idle server, same
# run); the caps of a limits file give their errors; connections that
# never authenticate are ended after auth_timeout_s; a forged etcd record
# is not overwritten and a silent etcd hangs nothing.
# Every mfserverd runs with --auth (mandatory): the library modes use a
# config with remote_client/remote_key ($T_REMOTE_CONFIG), the raw client
# does HELLO and AUTH itself ($T_REMOTE_CLIENT, $T_REMOTE_KEY), so the
# attacks reach the fair service and the limits; a raw client that skips
# AUTH is refused (noauth).
# Prints PASS:/FAIL: lines; exit 77 when it cannot run (no rxe, etcd).
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
NAME=t_remote_hostile
SRV=$TOP/build/server/mfserverd
H=$TOP/build/tests/remote/t_remote_hostile
MFADM=$TOP/build/tools/mfadm
KO=$TOP/build/kmod/$(uname -r)/memfabric.ko
NS=t_hostile
SEC=hostile-secret
# The bound this test holds the server to: a good client's median STAT
# latency under attack at most RATIO_MAX times its idle median.
RATIO_MAX=${RATIO_MAX:-20}
fails=0
. "$TOP/tests/guest/remote_common.sh"
W=$(mktemp -d /tmp/t_hostile.XXXXXX)
SRV_PID=
ETCD_PID=
BG=()
ns_left() { "$MFADM" ns list --pool pool0 2>/dev/null | grep -q "\"$NS\""; }

cleaned=0
cleanup() {
	[ $cleaned = 1 ] && return
	cleaned=1
	for p in "${BG[@]}"; do stop "$p"; done
	stop "$SRV_PID"; SRV_PID=
	stop "$ETCD_PID"; ETCD_PID=
	echo "--- mfserverd log"; cat "$W"/server*.log 2>/dev/null | grep -v 'debug:' | tail -n 60
	if loaded && ns_left; then
		"$MFADM" -q ns destroy pool0 $NS --secid $SEC --force >/dev/null
	fi
	rxe_teardown
	# The client by its command line: a process name is cut to 15
	# characters ("t_remote_hostil"), so pgrep -x could not match it.
	check "cleanup: no mfserverd, etcd or client left" \
		eval '! pgrep -x "etcd|mfserverd" >/dev/null && ! pgrep -f "^$H( |\$)" >/dev/null'
	check "cleanup: no namespace $NS left" eval '! { loaded && ns_left; }'
	remote_restore
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# start_server N LIMITS [ETCD]
start_server() {
	local extra=()
	[ -n "${3:-}" ] && extra=(--etcd "$3" --ttl 3)
	"$SRV" --listen "$RXE_SERVER_ADDR" --node n1 --pool pool0 --limits "$2" \
		--auth "$W/auth" "${extra[@]}" >>"$W/server$1.log" 2>&1 &
	SRV_PID=$!
	for _ in $(seq 100); do
		grep -q 'serving pools' "$W/server$1.log" && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$W/server$1.log"
	return 1
}

for x in "$SRV" "$H" "$MFADM" "$KO"; do
	[ -e "$x" ] || { echo "SKIP: $x is not built"; exit 77; }
done
command -v rdma >/dev/null || { echo "SKIP: no rdma tool"; exit 77; }
remote_need_pool0
case $? in
1) exit 1 ;;
77) echo "SKIP: no pool0 and no \$MFVM_PMEM"; exit 77 ;;
esac
if pgrep -x 'etcd|mfserverd' >/dev/null; then
	fail "no etcd or mfserverd is running already"; exit 1
fi
ns_left && "$MFADM" -q ns destroy pool0 $NS --secid $SEC --force >/dev/null
rxe_setup || { echo "SKIP: soft-RoCE cannot be set up"; exit 77; }
echo "kernel $(uname -r)"

# ---- authentication: the client's key (0600), the identity map ------------------
# As root (uid 0 through an identity-bound file, like t_remote.sh); the
# library reads the key from its config, the raw client from the env.
(umask 077; head -c 32 /dev/urandom >"$W/client.key")
chmod 0600 "$W/client.key"
echo "client t_hostile key-file $W/client.key uid 0 gid 0" >"$W/auth"
cat >"$W/client.conf" <<EOC
remote_client = t_hostile
remote_key    = $W/client.key
EOC
export T_REMOTE_CONFIG=$W/client.conf T_REMOTE_CLIENT=t_hostile T_REMOTE_KEY=$W/client.key
timeout 20 "$SRV" --listen "$RXE_SERVER_ADDR" --pool pool0 >"$W/noauth.log" 2>&1
check "auth: mfserverd without --auth is refused (status 2)" test $? = 2
check "auth: ... and says so" grep -q 'no identity map' "$W/noauth.log"

# ---- caps: small limits ------------------------------------------------------
cat >"$W/caps.conf" <<EOF
# t_remote_hostile.sh: small caps
max_connections_per_host = 6
max_handles_per_connection = 8
max_pinned_per_connection = 2M
max_staging = 4M
auth_timeout_s = 3
EOF
printf 'max_handles = 1x\n' >"$W/bad.conf"
timeout 20 "$SRV" --listen "$RXE_SERVER_ADDR" --pool pool0 --limits "$W/bad.conf" \
	--auth "$W/auth" >"$W/bad.log" 2>&1
check "limits: a bad value is refused (status 2)" test $? = 2
check "limits: ... with its line" grep -q 'bad.conf:1: max_handles' "$W/bad.log"

check "mfserverd starts with the caps" start_server 1 "$W/caps.conf" || exit 1
check "limits: the server logs them" grep -q 'limits: 64 connections (6 per host), 16384 handles (8 per connection)' "$W/server1.log"
sleep 2
timeout -k 5 60 "$H" setup || fails=$((fails + 1))
timeout -k 5 120 "$H" params || fails=$((fails + 1))
timeout -k 5 180 "$H" caps || fails=$((fails + 1))
# Connections that never authenticate are ended after auth_timeout_s
# (3 s here) and give their slots back; a good client is served
# meanwhile.
sleep 1
"$H" unauth 4 3 >"$W/unauth.log" 2>&1 & BG+=($!); UNAUTH=$!
for _ in $(seq 200); do grep -q 'UNAUTH: ready\|FAIL' "$W/unauth.log" && break; sleep 0.1; done
timeout -k 5 60 "$H" good 2 >"$W/unauth-good.log"; rc=$?
cat "$W/unauth-good.log"
check "unauth: a good client is served while they wait" test $rc = 0
wait $UNAUTH || fails=$((fails + 1)); cat "$W/unauth.log"
check "unauth: the server logged each at warning level" \
	test "$(grep -c 'warning: .*not authenticated within 3 s' "$W/server1.log")" -ge 4
# Last on this server (a refusal counts towards the lockout of the
# address; one is far from it): the attacks must not bypass AUTH.
timeout -k 5 60 "$H" noauth || fails=$((fails + 1))
check "noauth: the server logged the refusal at warning level" \
	grep -q 'warning: .*refused client .*before authentication' "$W/server1.log"
stop "$SRV_PID"; SRV_PID=

# ---- fairness, replay, dead clients -------------------------------------------
cat >"$W/fair.conf" <<EOF
keepalive_s = 2
op_timeout_ms = 3000
EOF
check "mfserverd starts (keepalive 2 s)" start_server 2 "$W/fair.conf" || exit 1

timeout -k 5 60 "$H" good 8 >"$W/idle.log"; rc=$?
cat "$W/idle.log"
[ $rc = 0 ] || fails=$((fails + 1))
# The attack: 3 flooding connections (STATs and 32 KiB READs, 4 in
# flight each), one that withholds its receive buffers, a replay, a
# mid-request exit.
"$H" flood 25 3 >"$W/flood.log" 2>&1 & BG+=($!); FLOOD=$!
"$H" withhold 25 >"$W/withhold.log" 2>&1 & BG+=($!); WH=$!
for _ in $(seq 100); do grep -q 'FLOOD: started' "$W/flood.log" && break; sleep 0.1; done
timeout -k 5 60 "$H" replay || fails=$((fails + 1))
timeout -k 5 60 "$H" midreq
timeout -k 5 60 "$H" good 8 >"$W/busy.log"; rc=$?
cat "$W/busy.log"
[ $rc = 0 ] || fails=$((fails + 1))
wait $FLOOD || fails=$((fails + 1)); cat "$W/flood.log"
wait $WH || fails=$((fails + 1)); cat "$W/withhold.log"
idle=$(awk '/^LAT:/ {print $2}' "$W/idle.log")
busy=$(awk '/^LAT:/ {print $2}' "$W/busy.log")
if [ -n "$idle" ] && [ -n "$busy" ] && [ "$idle" -gt 0 ]; then
	ratio=$(awk -v a="$busy" -v b="$idle" 'BEGIN {printf "%.1f", a / b}')
	echo "FAIRNESS: idle median ${idle} us, under attack ${busy} us: ratio $ratio (bound $RATIO_MAX)"
	check "fairness: median latency under attack within $RATIO_MAX x idle" \
		awk -v r="$ratio" -v m="$RATIO_MAX" 'BEGIN {exit !(r <= m)}'
else
	fail "fairness: latencies measured"
fi
check "mfserverd survived the attack" kill -0 "$SRV_PID"

# A live client quiet for 3 keepalive periods keeps its connection.
timeout -k 5 60 "$H" idle 7 || fails=$((fails + 1))
check "keepalive: no live connection ended by a keepalive" \
	eval '! grep -q "completion keepalive" "$W/server2.log"'

# A client that dies without a disconnect (its QP in the error state,
# the process alive): the keepalive finds it, its mapping goes, and
# the owner can publish.
"$H" deadpeer >"$W/dead.log" 2>&1 & BG+=($!); DEAD=$!
for _ in $(seq 200); do grep -q 'DEAD: ready\|FAIL' "$W/dead.log" && break; sleep 0.1; done
cat "$W/dead.log"
timeout -k 5 60 "$H" publish 30 victim || fails=$((fails + 1))
check "deadpeer: the server logged the dead peer" grep -q 'keepalive' "$W/server2.log"
stop $DEAD
# A client killed mid-session (SIGKILL): the owner can publish.
"$H" hold >"$W/hold.log" 2>&1 & BG+=($!); HOLD=$!
for _ in $(seq 200); do grep -q 'HOLD: ready\|FAIL' "$W/hold.log" && break; sleep 0.1; done
kill -KILL $HOLD; wait $HOLD 2>/dev/null
timeout -k 5 60 "$H" publish 20 victim2 || fails=$((fails + 1))
stop "$SRV_PID"; SRV_PID=

# ---- etcd -------------------------------------------------------------------------
if ! command -v etcd >/dev/null; then
	echo "INFO: no etcd: etcd checks skipped"
else
	check "etcd starts" etcd_start "$W/etcd"
	put() { curl -s -m 5 -X POST "$ETCD_URL/v3/kv/put" \
		-d "{\"key\":\"$(printf %s "$1" | base64 -w0)\",\"value\":\"$(printf %s "$2" | base64 -w0)\"}" >/dev/null; }
	forged='{"node":"n1","number":"1","addr":"10.77.0.99","port":"7471","pools":["pool0"]}'
	put /memfabric/nodes/n1 "$forged"
	check "etcd: mfserverd starts beside a forged record of its name" \
		start_server 3 "$W/fair.conf" "$ETCD_URL"
	sleep 2
	check "etcd: ... and does not overwrite it" \
		test "$(etcd_value /memfabric/nodes/n1)" = "$forged"
	check "etcd: ... and says so" grep -q 'belongs to another lease' "$W/server3.log"
	# The forged address: a lookup fails in bounded time.
	timeout -k 5 90 "$H" lookup n1 60 127.0.0.1:$ETCD_CLIENT_PORT || fails=$((fails + 1))
	curl -s -m 5 -X POST "$ETCD_URL/v3/kv/deleterange" \
		-d "{\"key\":\"$(printf %s /memfabric/nodes/n1 | base64 -w0)\"}" >/dev/null
	for _ in $(seq 30); do
		etcd_value /memfabric/nodes/n1 | grep -q "\"addr\":\"$RXE_SERVER_ADDR\"" && break
		sleep 0.5
	done
	check "etcd: the server registers once the forged record is gone" \
		eval 'etcd_value /memfabric/nodes/n1 | grep -q "\"addr\":\"$RXE_SERVER_ADDR\""'
	stop "$SRV_PID"; SRV_PID=
	# A silent etcd: accepts, never answers.
	python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 23799)); s.listen(16)
c = []
while True:
    a, _ = s.accept(); c.append(a)
' & BG+=($!)
	sleep 1
	t0=$(date +%s)
	timeout -k 5 60 "$SRV" --listen "$RXE_SERVER_ADDR" --node n2 --pool pool0 \
		--auth "$W/auth" --etcd 127.0.0.1:23799 >"$W/silent.log" 2>&1
	rc=$?
	t1=$(date +%s)
	echo "INFO: mfserverd with a silent etcd: status $rc after $((t1 - t0)) s"
	check "etcd: a silent etcd fails mfserverd's start in time (status 1, < 30 s)" \
		test $rc = 1 -a $((t1 - t0)) -lt 30
	timeout -k 5 90 "$H" lookup n2 30 127.0.0.1:23799 || fails=$((fails + 1))
fi

cleanup
[ $fails = 0 ]
