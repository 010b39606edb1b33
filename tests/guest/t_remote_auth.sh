#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_remote_auth.sh - who a remote client is (issue 19; Documentation/
# remote.md "Authentication", "Identities"): mfserverd over soft-RoCE
# (bench/remote/setup-rxe.sh, no etcd) with an identity map of two
# clients, alice as uid 1000 and bob as uid 1001, started the way
# server/mfserverd.service starts it: as its own user (nobody, 65534) in
# the device's group, with CAP_SETUID, CAP_SETGID and CAP_IPC_LOCK as
# ambient capabilities and the bounding set (setpriv), never root:
#   - the permission matrix remotely, cell for cell against the same
#     cells done locally by processes of uid 1000 and 1001 (owner, other
#     uid, wrong and no secId; private, published, freed): bob gets
#     -EACCES on alice's private object and -EPERM on FREE and PUBLISH of
#     it, as uid 1001 does locally; objects made remotely belong to the
#     mapped uid (build/tests/remote/t_remote_auth matrix);
#   - refused, logged at warning level: no key, a wrong key, an unknown
#     name; a request before authentication (t_remote_lib noauth);
#   - rate limit: after three failures the address is locked out for a
#     while, even with the right key, and served again after it;
#   - a server that does not know alice's key (another mfserverd on port
#     7472 with another key under her name) is refused by the client
#     after HELLO, before any other request (no secId sent): that server
#     saw one request only;
#   - the server runs as uid 65534 with CAP_IPC_LOCK only once the bound
#     files are open; so does the second server, started as root with
#     --user 65534:65534.
# Exit 77 when it cannot run (no rxe).  Prints PASS:/FAIL: lines.
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
NAME=t_remote_auth
SRV=$TOP/build/server/mfserverd
CLI=$TOP/build/tests/remote/t_remote_auth
RAW=$TOP/build/tests/remote/t_remote_lib
MFADM=$TOP/build/tools/mfadm
KO=$TOP/build/kmod/$(uname -r)/memfabric.ko
DEV=/dev/memfabric
fails=0
. "$TOP/tests/guest/remote_common.sh"
W=$(mktemp -d /tmp/t_remote_auth.XXXXXX)
chmod 0755 "$W"
SRV_PID=
SRV2_PID=
DEV_MODE=
IB_MODES=()

cleaned=0
cleanup() {
	[ $cleaned = 1 ] && return
	cleaned=1
	stop "$SRV_PID"; SRV_PID=
	stop "$SRV2_PID"; SRV2_PID=
	echo "--- mfserverd log"; tail -n 60 "$W/server.log" 2>/dev/null
	loaded && "$CLI" cleanup
	[ -n "$DEV_MODE" ] && chmod "$DEV_MODE" $DEV
	for m in "${IB_MODES[@]}"; do chmod $m; done
	rxe_teardown
	check "cleanup: mfserverd is stopped" eval '! pgrep -x mfserverd >/dev/null'
	check "cleanup: no namespace t_rauth left" \
		eval '! { loaded && "$MFADM" ns list --pool pool0 2>/dev/null | grep -q "\"t_rauth\""; }'
	remote_restore
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

for x in "$SRV" "$CLI" "$RAW" "$MFADM" "$KO"; do
	[ -e "$x" ] || { fail "$x is built"; exit 1; }
done
remote_need_pool0
case $? in
1) exit 1 ;;
77) echo "SKIP: no pool0 and no \$MFVM_PMEM"; exit 77 ;;
esac
if pgrep -x mfserverd >/dev/null; then
	fail "no mfserverd is running already"; exit 1
fi
"$CLI" cleanup
if ! rxe_setup; then
	echo "SKIP: no soft-RoCE (rxe) here"
	exit 77
fi
echo "kernel $(uname -r)"

# uid 1000 and 1001 must be able to open the device, as in a deployment
# where they are in its group: the group gets rw for the test.
DEVGID=$(stat -c %g $DEV)
DEV_MODE=$(stat -c %a $DEV)
chmod g+rw $DEV

key() { head -c 32 /dev/urandom >"$1"; chmod 0600 "$1"; }
key "$W/alice.key"; key "$W/bob.key"; key "$W/other.key"; key "$W/alice2.key"
# alice2: uid 1000 again, another identity (its own bound file): the
# holder of a handle in the matrix's freed row.
cat >"$W/auth" <<EOA
# client NAME key-file PATH uid UID gid GID
client alice  key-file $W/alice.key  uid 1000 gid $DEVGID
client bob    key-file $W/bob.key    uid 1001 gid $DEVGID
client alice2 key-file $W/alice2.key uid 1000 gid $DEVGID
EOA
# The same name with another key: a server that does not know alice's.
echo "client alice key-file $W/other.key uid 1000 gid $DEVGID" >"$W/auth2"
conf() { # NAME CLIENT KEYFILE [PORT]
	{
		echo "remote = n1 $RXE_SERVER_ADDR:${4:-7471}"
		[ -n "$2" ] && echo "remote_client = $2"
		[ -n "$3" ] && echo "remote_key = $3"
	} >"$W/$1.conf"
}
conf alice alice "$W/alice.key"
conf bob bob "$W/bob.key"
conf alice2 alice2 "$W/alice2.key"
conf nokey "" ""
conf wrongkey alice "$W/bob.key"
conf unknown carol "$W/alice.key"
conf wrongsrv alice "$W/alice.key" 7472

# The server opens the RDMA devices as nobody (after dropping root):
# Debian's udev rules make them 0666; the guest may not have run them.
for d in /dev/infiniband/rdma_cm /dev/infiniband/uverbs*; do
	[ -c "$d" ] || continue
	IB_MODES+=("$(stat -c %a "$d") $d")
	chmod 0666 "$d"
done
# mfserverd.service: User=mfserverd, Group=memfabric, those three
# capabilities ambient and bounding, NoNewPrivileges.  The identity map and
# the keys belong to the server's user (mode 0600 kept).
chmod 0644 "$W/auth"
chown 65534 "$W/auth" "$W/alice.key" "$W/bob.key" "$W/alice2.key"
CAPS=-all,+setuid,+setgid,+ipc_lock
setpriv --reuid=65534 --regid="$DEVGID" --clear-groups --inh-caps=$CAPS \
	--ambient-caps=$CAPS --bounding-set=$CAPS --no-new-privs \
	"$SRV" --listen "$RXE_SERVER_ADDR" --node n1 --pool pool0 --auth "$W/auth" \
	-v >"$W/server.log" 2>&1 &
SRV_PID=$!
for _ in $(seq 100); do
	grep -q 'serving pools' "$W/server.log" && break
	kill -0 "$SRV_PID" 2>/dev/null || break
	sleep 0.1
done
check "mfserverd starts as the unit starts it (uid 65534, ambient capabilities)" grep -q 'serving pools' "$W/server.log" ||
	{ cat "$W/server.log"; exit 1; }
check "mfserverd: alice acts as uid 1000, bob as uid 1001" \
	eval 'grep -q "client alice: acts as uid 1000" "$W/server.log" && grep -q "client bob: acts as uid 1001" "$W/server.log"'
caps_only_ipc_lock() { # LABEL PID
	local st=/proc/$2/status
	grep -E '^(Uid|Gid|Groups|Cap...|NoNewPrivs):' $st | sed "s/^/INFO: $1: /"
	check "$1 runs as uid 65534 (real, effective, saved)" \
		grep -Eq '^Uid:\s+65534\s+65534\s+65534' $st
	check "$1 keeps CAP_IPC_LOCK only (CapEff 0x4000)" \
		grep -Eq '^CapEff:\s+0000000000004000$' $st
	check "$1 has no way back (CapPrm 0x4000, CapInh 0, CapAmb 0, NoNewPrivs)" \
		eval "grep -Eq '^CapPrm:\s+0000000000004000$' $st && grep -Eq '^CapInh:\s+0+$' $st &&
			grep -Eq '^CapAmb:\s+0+$' $st && grep -Eq '^NoNewPrivs:\s+1' $st"
}
caps_only_ipc_lock mfserverd $SRV_PID
check "mfserverd logged that it keeps CAP_IPC_LOCK only" \
	grep -q 'running as uid 65534 gid [0-9]* with CAP_IPC_LOCK only' "$W/server.log"

timeout -k 5 300 "$CLI" matrix "$W/alice.conf" "$W/bob.conf" "$W/alice2.conf" "$DEVGID"
[ $? = 0 ] || fails=$((fails + 1))

"$CLI" denied "$W/nokey.conf" "no key"; [ $? = 0 ] || fails=$((fails + 1))
# The library with a wrong key refuses the server itself (its proof does
# not check out) and sends no AUTH; a raw client that sends AUTH anyway is
# refused by the server.
"$CLI" denied "$W/wrongkey.conf" "alice's name with bob's key"; [ $? = 0 ] || fails=$((fails + 1))
T_REMOTE_CLIENT=alice T_REMOTE_KEY=$W/bob.key T_REMOTE_NOVERIFY=1 timeout -k 5 60 "$RAW" wrongkey
[ $? = 0 ] || fails=$((fails + 1))
check "the server logged the wrong key at warning level" \
	grep -q "warning: .*refused client 'alice': wrong key" "$W/server.log"
check "... and the missing key" grep -q "warning: .*refused client '': no client name" "$W/server.log"
T_REMOTE_CLIENT=alice T_REMOTE_KEY=$W/alice.key timeout -k 5 60 "$RAW" noauth
[ $? = 0 ] || fails=$((fails + 1))
check "... and the request before authentication" \
	grep -q "warning: .*refused client '': GET before authentication" "$W/server.log"
# Last, as it is quick (the raw clients take a while to see their end):
# the fourth failure, which locks the address out for 5 s.
"$CLI" denied "$W/unknown.conf" "a name not in the identity map"; [ $? = 0 ] || fails=$((fails + 1))
check "... and the unknown name" grep -q "warning: .*refused client 'carol': not in the identity map" "$W/server.log"

# Four failures so far: the address is locked out; alice, with the right
# key, is refused too until the lockout ends.
"$CLI" denied "$W/alice.conf" "rate limit: alice is refused while her address is locked out"
[ $? = 0 ] || fails=$((fails + 1))
check "rate limit: logged" grep -q "warning: .*locked out for" "$W/server.log"
sleep 6
"$CLI" ok "$W/alice.conf" "rate limit: after the lockout alice is served again"
[ $? = 0 ] || fails=$((fails + 1))

# A server that does not know alice's key; started as root, dropping to
# nobody with --user.
"$SRV" --listen "$RXE_SERVER_ADDR" --port 7472 --node n1 --pool pool0 \
	--auth "$W/auth2" --user 65534:65534 -v >"$W/server2.log" 2>&1 &
SRV2_PID=$!
for _ in $(seq 100); do
	grep -q 'serving pools' "$W/server2.log" && break
	sleep 0.1
done
caps_only_ipc_lock "mfserverd --user" $SRV2_PID
"$CLI" denied "$W/wrongsrv.conf" "a server that does not know alice's key is refused by the client"
[ $? = 0 ] || fails=$((fails + 1))
sleep 1
stop "$SRV2_PID"; SRV2_PID=
sed 's/^/INFO: server2: /' "$W/server2.log" | grep -v 'cm event' | tail -n 6
check "... before sending anything but HELLO: the server saw 1 request" \
	grep -q 'closed after 1 requests' "$W/server2.log"
check "... and no object request at all" \
	eval '! grep -Eq "NS_CREATE|: GET |ALLOC|AUTH" "$W/server2.log"'

check "mfserverd is still running" kill -0 "$SRV_PID"
cleanup
[ $fails = 0 ]
