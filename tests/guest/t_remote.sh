#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_remote.sh - the remote fabric (guest, as root): mfserverd exporting
# pool0 over soft-RoCE (rxe on a veth pair, bench/remote/setup-rxe.sh),
# registered in etcd, and build/tests/remote/t_remote_lib as its client:
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
# etcd runs with TLS and client-certificate authentication (certificates
# made with openssl in the test's temp dir, bench/remote/setup-rxe.sh
# etcd_certs): mfserverd registers with --etcd-cacert/--etcd-cert/
# --etcd-key, the library finds n1 through a config file with etcd_cacert,
# etcd_cert and etcd_key ($T_REMOTE_CONFIG of t_remote_lib), and a server
# without a client certificate cannot register.
# Part of tests/run-suite's default list (make check, both kernels).
#
# Needs memfabric.ko and pool0; earlier tests reload the module without
# pools (t_module.sh), so it loads the module and attaches pool0 on
# $MFVM_PMEM if they are missing, and leaves them as it found them.  It
# stops etcd and mfserverd, removes rxe0, rxe1 and the veth pair, and
# destroys its namespace (t_remote in pool0) whatever happened, and checks
# that it did.  Prints PASS:/FAIL: lines (tests/run-suite).
# Documentation/remote.md.
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
NAME=t_remote
SRV=$TOP/build/server/mfserverd
CLI=$TOP/build/tests/remote/t_remote_lib
MFADM=$TOP/build/tools/mfadm
KO=$TOP/build/kmod/$(uname -r)/memfabric.ko
# t_remote_lib.c: NS and SEC
NS=t_remote
SEC=remote-secret
fails=0
. "$TOP/tests/guest/remote_common.sh"
W=$(mktemp -d /tmp/t_remote.XXXXXX)
SRV_PID=
ETCD_PID=
CLI_PID=

ns_left() { "$MFADM" ns list --pool pool0 2>/dev/null | grep -q "\"$NS\""; }

# Whatever happened: no processes, no namespace, no rxe or veth left, and
# the module and pool0 as they were found.  Checked, so that a later test
# does not trip over what this one left.  Runs once.
cleaned=0
cleanup() {
	[ $cleaned = 1 ] && return
	cleaned=1
	stop "$CLI_PID"; CLI_PID=
	stop "$SRV_PID"; SRV_PID=
	stop "$ETCD_PID"; ETCD_PID=
	echo "--- mfserverd log"; cat "$W"/server*.log 2>/dev/null | tail -n 40
	if loaded && ns_left; then
		echo "INFO: destroying the namespace $NS that the test left in pool0"
		"$MFADM" -q ns destroy pool0 $NS --secid $SEC --force >/dev/null
	fi
	rxe_teardown
	check "cleanup: etcd and mfserverd are stopped" \
		eval '! pgrep -x etcd >/dev/null && ! pgrep -x mfserverd >/dev/null'
	check "cleanup: no namespace $NS left in pool0" eval '! { loaded && ns_left; }'
	check "cleanup: rxe0, rxe1 and mfv0/mfv1 are gone" \
		eval '! rdma link show 2>/dev/null | grep -q "rxe[01]" && ! ip link show mfv0 >/dev/null 2>&1'
	remote_restore
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

start_server() {
	# Not under timeout(1): the signals of the test must reach it.
	"$SRV" --listen "$RXE_SERVER_ADDR" --node n1 --etcd "$ETCD_URL" \
		"${SRV_TLS[@]}" --auth "$W/auth" --pool pool0 --ttl 3 -v \
		>>"$W/server$1.log" 2>&1 &
	SRV_PID=$!
	for _ in $(seq 100); do
		grep -q 'serving pools' "$W/server$1.log" && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$W/server$1.log"
	return 1
}

# The state it needs, whatever ran before: memfabric.ko loaded, pool0
# attached (mfvm's default), no etcd or mfserverd running, no namespace
# t_remote in pool0 (a persistent pool keeps one across runs).
for x in "$SRV" "$CLI" "$MFADM" "$KO"; do
	[ -e "$x" ] || { fail "$x is built"; exit 1; }
done
remote_need_pool0
case $? in
1) exit 1 ;;
77) fail "pool0 is not attached and \$MFVM_PMEM is not set (run in an mfvm guest)"; exit 1 ;;
esac
check "memfabric is loaded with pool0 attached" test -d $POOLS/pool0
if pgrep -x 'etcd|mfserverd' >/dev/null; then
	fail "no etcd or mfserverd is running already: $(pgrep -a -x 'etcd|mfserverd' | tr '\n' ' ')"
	exit 1
fi
if ns_left; then
	echo "INFO: destroying the namespace $NS that an earlier run left in pool0"
	"$MFADM" -q ns destroy pool0 $NS --secid $SEC --force >/dev/null
fi

check "rxe on a veth pair" rxe_setup || exit 1
echo "kernel $(uname -r)"
# Not dmesg -c: run-suite reads the kernel log after the test by line.
klines=$(dmesg | wc -l)
timeout -k 5 60 "$CLI" regprobe
[ $? = 0 ] || fails=$((fails + 1))
echo "--- kernel log after regprobe"; dmesg | tail -n +$((klines + 1)) | tail -n 20
check "etcd starts (TLS, client certificates)" etcd_start "$W/etcd" tls || exit 1
C=$W/etcd/certs
SRV_TLS=(--etcd-cacert "$C/ca.pem" --etcd-cert "$C/client.pem" --etcd-key "$C/client.key")
# The client's key, in the server's identity map as root (uid 0 through
# an identity-bound file: no capability override; t_remote_auth.sh tests
# other uids) and in the client's config (Documentation/remote.md).
head -c 32 /dev/urandom >"$W/client.key"
chmod 0600 "$W/client.key"
echo "client t_remote key-file $W/client.key uid 0 gid 0" >"$W/auth"
# The library: no scheme, so the TLS files make it https.
cat >"$W/client.conf" <<EOC
etcd        = 127.0.0.1:$ETCD_CLIENT_PORT
etcd_cacert = $C/ca.pem
etcd_cert   = $C/client.pem
etcd_key    = $C/client.key
remote_client = t_remote
remote_key  = $W/client.key
EOC
export T_REMOTE_CONFIG=$W/client.conf T_REMOTE_CLIENT=t_remote T_REMOTE_KEY=$W/client.key
timeout -k 5 60 "$SRV" --listen "$RXE_SERVER_ADDR" --node n0 --etcd "$ETCD_URL" \
	--etcd-cacert "$C/ca.pem" --auth "$W/auth" --pool pool0 >"$W/nocert.log" 2>&1
check "etcd: mfserverd without a client certificate cannot register (status 1)" test $? = 1
check "etcd: ... and says so" grep -q 'cannot register' "$W/nocert.log"
sed 's/^/INFO: /' "$W/nocert.log" | tail -n 2
check "mfserverd starts" start_server 1 || exit 1
rec=$(etcd_value /memfabric/nodes/n1)
echo "etcd: /memfabric/nodes/n1 = $rec"
check "mfserverd registered node n1 in etcd" grep -q "\"addr\":\"$RXE_SERVER_ADDR\"" <<<"$rec"

timeout -k 5 120 "$CLI" api
[ $? = 0 ] || fails=$((fails + 1))
timeout -k 5 60 "$CLI" noauth
[ $? = 0 ] || fails=$((fails + 1))
check "noauth: the server logged the refusal at warning level" \
	grep -q 'warning: .*refused client .*before authentication' "$W/server1.log"
timeout -k 5 60 "$CLI" rkey | tee "$W/rkey.log"
[ "${PIPESTATUS[0]}" = 0 ] || fails=$((fails + 1))
check "the paths of this kernel are known" grep -q '^PATH: ' "$W/rkey.log"
grep '^PATH: ' "$W/rkey.log" | sed 's/^/INFO: /'

# A server restart while a client holds an object.
timeout -k 5 120 "$CLI" restart "$W" &
cli=$!
CLI_PID=$cli
for _ in $(seq 300); do [ -e "$W/ready" ] && break; sleep 0.1; done
check "restart: the client is ready" test -e "$W/ready"
kill -TERM "$SRV_PID"; wait "$SRV_PID"
check "restart: mfserverd stops on SIGTERM, status 0" test $? = 0
check "restart: the server said why it stopped" grep -q 'shutting down' "$W/server1.log"
check "restart: mfserverd starts again" start_server 2
touch "$W/go"
wait $cli
[ $? = 0 ] || fails=$((fails + 1))
CLI_PID=

# A client killed mid-transfer.
"$CLI" hammer >"$W/hammer.log" 2>&1 &
cli=$!
CLI_PID=$cli
for _ in $(seq 300); do grep -q 'hammering\|FAIL' "$W/hammer.log" && break; sleep 0.1; done
sleep 2
kill -KILL $cli; wait $cli 2>/dev/null
CLI_PID=
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

cleanup
[ $fails = 0 ]
