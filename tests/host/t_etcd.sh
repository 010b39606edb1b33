#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_etcd.sh - the etcd client of net/ (build/tests/host/test_etcd live)
# against a real etcd on the host, on ports of its own:
#   - plain HTTP: registration, lookup, keepalive, revocation;
#   - TLS with client-certificate authentication (certificates made with
#     openssl in a temp dir, bench/remote/setup-rxe.sh etcd_certs): the
#     same with the test CA and a client certificate; a client without a
#     certificate, one that trusts another CA (-EACCES) and one speaking
#     plain HTTP to the TLS port are refused.
# tests/guest/t_remote.sh runs mfserverd and the library through such an
# etcd.  Prints PASS:/FAIL: lines (tests/run-check).
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
T=$TOP/build/tests/host/test_etcd
NAME=t_etcd
# Ports of our own, so that an etcd on 2379 does not matter.
ETCD_CLIENT_PORT=$((24000 + ($$ % 500) * 2))
ETCD_PEER_PORT=$((ETCD_CLIENT_PORT + 1))
. "$TOP/bench/remote/setup-rxe.sh"
W=$(mktemp -d /tmp/t_etcd.XXXXXX)
ETCD_PID=
fails=0

pass() { echo "PASS: $NAME: $*"; }
fail() { echo "FAIL: $NAME: $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
stop_etcd() {
	[ -n "$ETCD_PID" ] || return 0
	kill "$ETCD_PID" 2>/dev/null
	wait "$ETCD_PID" 2>/dev/null
	ETCD_PID=
}
cleanup() { stop_etcd; rm -rf "$W"; }
trap cleanup EXIT

[ -x "$T" ] || { fail "$T is built"; exit 1; }
command -v etcd >/dev/null || { fail "etcd is installed (make deps)"; exit 1; }

check "etcd starts (plain HTTP)" etcd_start "$W/plain" || exit 1
"$T" live "$ETCD_URL" || fails=$((fails + 1))
stop_etcd

check "etcd starts (TLS, client certificates)" etcd_start "$W/tls" tls || exit 1
C=$W/tls/certs
"$T" live "$ETCD_URL" "$C/ca.pem" "$C/client.pem" "$C/client.key" || fails=$((fails + 1))
# Without a scheme, the TLS files make it https.
"$T" live "127.0.0.1:$ETCD_CLIENT_PORT" "$C/ca.pem" "$C/client.pem" "$C/client.key" ||
	fails=$((fails + 1))
# Refused: no client certificate (the handshake or the first read fails),
# another CA (etcd's certificate is not trusted), plain HTTP.
"$T" expect any "$ETCD_URL" "$C/ca.pem" "" "" || fails=$((fails + 1))
"$T" expect 13 "$ETCD_URL" "$C/other-ca.pem" "$C/client.pem" "$C/client.key" ||
	fails=$((fails + 1))
"$T" expect any "http://127.0.0.1:$ETCD_CLIENT_PORT" || fails=$((fails + 1))
stop_etcd
[ $fails = 0 ]
