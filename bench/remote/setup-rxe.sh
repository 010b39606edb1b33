#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup-rxe.sh - soft-RoCE for the remote fabric tests and benchmark, in an
# mfvm guest (sourced by tests/guest/t_remote.sh and bench/remote/run).
#
# rxe_setup: load the modules (the guest's request_module cannot find
# modprobe, so each is loaded explicitly, dependencies first), make a veth
# pair mfv0 (10.77.0.1) - mfv1 (10.77.0.2) in the initial network namespace
# and put an rxe device on each end (rxe0, rxe1).  The server listens on
# RXE_SERVER_ADDR (10.77.0.1).
#
# What the traffic really crosses (Documentation/remote.md): both
# addresses are local, so rdma_cm resolves the server's address to rxe0
# for the client too, and rxe delivers the packets itself (its loopback
# path: the destination MAC is its own).  Not used, for reasons verified
# in the sources and in a guest:
#  - rxe on lo with 127.0.0.1: rdma_cm gives ENODEV (lo is not
#    ARPHRD_ETHER, so cma_validate_port() looks for an IB GID that a RoCE
#    port does not have);
#  - veth ends in two network namespaces: 6.1's and 6.12's rxe open their
#    UDP tunnel socket (port 4791) in init_net and route with
#    ip_route_output_key(&init_net, ...) (drivers/infiniband/sw/rxe/
#    rxe_net.c), so an rxe device inside another namespace neither sends
#    nor receives.
RXE_SERVER_ADDR=10.77.0.1
RXE_CLIENT_ADDR=10.77.0.2

rxe_setup() {
	local m
	for m in crc32_generic veth ib_core ib_uverbs rdma_cm rdma_ucm rdma_rxe; do
		modprobe "$m" 2>/dev/null || { echo "rxe_setup: modprobe $m failed"; return 1; }
	done
	ip link set lo up
	if ! ip link show mfv0 >/dev/null 2>&1; then
		ip link add mfv0 type veth peer name mfv1 || return 1
		ip addr add $RXE_SERVER_ADDR/24 dev mfv0 || return 1
		ip addr add $RXE_CLIENT_ADDR/24 dev mfv1 || return 1
	fi
	ip link set mfv0 up && ip link set mfv1 up || return 1
	rdma link show rxe0/1 >/dev/null 2>&1 ||
		rdma link add rxe0 type rxe netdev mfv0 || return 1
	rdma link show rxe1/1 >/dev/null 2>&1 ||
		rdma link add rxe1 type rxe netdev mfv1 || return 1
	# rdma_cm binds to an address once its GID is in the table, which
	# rxe fills when the link comes up: ::ffff:10.77.0.1 is ...:0a4d:0001.
	for _ in $(seq 100); do
		cat /sys/class/infiniband/rxe0/ports/1/gids/* 2>/dev/null |
			grep -q 'ffff:0a4d:0001' &&
			cat /sys/class/infiniband/rxe1/ports/1/gids/* 2>/dev/null |
			grep -q 'ffff:0a4d:0002' && return 0
		sleep 0.1
	done
	echo "rxe_setup: the GIDs of rxe0/rxe1 did not appear"
	rdma link show
	return 1
}

rxe_teardown() {
	rdma link delete rxe0 2>/dev/null
	rdma link delete rxe1 2>/dev/null
	ip link delete mfv0 2>/dev/null
}

# etcd_start DIR [tls]: an etcd on 127.0.0.1:$ETCD_CLIENT_PORT (2379) with
# its data in DIR; sets ETCD_URL.  With tls: https only, and only for a
# client with a certificate of the test CA (--client-cert-auth): the
# certificates are made by etcd_certs in DIR/certs, and ETCD_TLS holds
# curl's options for them.
# etcd_value KEY: the value of KEY (empty if none), through the gateway
# with curl (etcdctl takes seconds to start under TCG).
ETCD_CLIENT_PORT=${ETCD_CLIENT_PORT:-2379}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-2380}
ETCD_URL=http://127.0.0.1:$ETCD_CLIENT_PORT
ETCD_TLS=()

# etcd_certs DIR: made with openssl (EC P-256, valid one day) in DIR:
#   ca.pem/ca.key          the test CA;
#   server.pem/server.key  etcd's: IP 127.0.0.1 and localhost, for server
#                          and client use (etcd's gateway dials etcd with
#                          it);
#   client.pem/client.key  a client's (CN mfserverd), signed by the CA;
#   other-ca.pem           another CA, which signed none of these.
etcd_certs() {
	local d=$1
	mkdir -p "$d" || return 1
	(
		set -e
		cd "$d"
		key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
		key ca.key
		openssl req -x509 -new -key ca.key -days 1 -subj /CN=memfabric-test-ca -out ca.pem
		key other-ca.key
		openssl req -x509 -new -key other-ca.key -days 1 -subj /CN=other-ca -out other-ca.pem
		sign() { # NAME CN EXTENSIONS
			key "$1.key"
			openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
			printf '%s\n' "$3" >"$1.ext"
			openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
				-CAcreateserial -days 1 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
		}
		sign server 127.0.0.1 "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth,clientAuth"
		sign client mfserverd "extendedKeyUsage=clientAuth"
	) || { echo "etcd_certs: openssl failed"; return 1; }
}

etcd_start() {
	local dir=$1 tls=${2:-} scheme=http extra=()
	mkdir -p "$dir"
	ETCD_TLS=()
	if [ "$tls" = tls ]; then
		etcd_certs "$dir/certs" || return 1
		scheme=https
		extra=(--cert-file "$dir/certs/server.pem" --key-file "$dir/certs/server.key"
			--client-cert-auth --trusted-ca-file "$dir/certs/ca.pem")
		ETCD_TLS=(--cacert "$dir/certs/ca.pem" --cert "$dir/certs/client.pem"
			--key "$dir/certs/client.key")
	fi
	ETCD_URL=$scheme://127.0.0.1:$ETCD_CLIENT_PORT
	etcd --name mf --data-dir "$dir/data" \
		--listen-client-urls "$ETCD_URL" \
		--advertise-client-urls "$ETCD_URL" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-cluster "mf=http://127.0.0.1:$ETCD_PEER_PORT" \
		"${extra[@]}" >"$dir/etcd.log" 2>&1 &
	ETCD_PID=$!
	for _ in $(seq 150); do
		curl -s -m 2 "${ETCD_TLS[@]}" "$ETCD_URL/health" 2>/dev/null | grep -q '"health":"true"' && return 0
		sleep 0.2
	done
	echo "etcd_start: etcd did not come up"; tail -5 "$dir/etcd.log"
	return 1
}

etcd_value() {
	curl -s -m 5 "${ETCD_TLS[@]}" -X POST "$ETCD_URL/v3/kv/range" \
		-d "{\"key\":\"$(printf %s "$1" | base64 -w0)\"}" |
		sed -n 's/.*"value":"\([^"]*\)".*/\1/p' | base64 -d 2>/dev/null
}
