#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mfserverd_auth.sh - mfserverd's identity map on the host, before it
# needs a device (Documentation/remote.md "Identities"): no --auth, a
# malformed line, a key file others may read, a short key, a client named
# twice are all refused at the start (status 2, with the reason); a good
# map gets as far as BM_Init (status 1 without memfabric).  Prints
# PASS:/FAIL: lines.
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
SRV=$TOP/build/server/mfserverd
NAME=t_mfserverd_auth
fails=0
pass() { echo "PASS: $NAME: $*"; }
fail() { echo "FAIL: $NAME: $*"; fails=$((fails + 1)); }
[ -x "$SRV" ] || { echo "SKIP: $SRV is not built"; exit 77; }
W=$(mktemp -d /tmp/t_mfserverd_auth.XXXXXX)
trap 'rm -rf "$W"' EXIT

# expect STATUS PATTERN WHAT -- ARGS: mfserverd ARGS exits STATUS and
# logs PATTERN.
expect() {
	local want=$1 pat=$2 what=$3; shift 4
	"$SRV" "$@" >"$W/out" 2>&1
	local rc=$?
	if [ $rc = "$want" ] && grep -q -- "$pat" "$W/out"; then
		pass "$what"
	else
		fail "$what (status $rc, want $want; log: $(tr '\n' ' ' <"$W/out"))"
	fi
}

head -c 32 /dev/urandom >"$W/good.key"; chmod 0600 "$W/good.key"
head -c 32 /dev/urandom >"$W/open.key"; chmod 0644 "$W/open.key"
head -c 8 /dev/urandom >"$W/short.key"; chmod 0600 "$W/short.key"
echo "client a key-file $W/good.key uid 1000 gid 1000" >"$W/good"
echo "client a key-file $W/open.key uid 1000 gid 1000" >"$W/open"
echo "client a key-file $W/short.key uid 1000 gid 1000" >"$W/short"
echo "client a key-file $W/good.key uid 1000" >"$W/bad"
printf 'client a key-file %s uid 1 gid 1\nclient a key-file %s uid 2 gid 2\n' \
	"$W/good.key" "$W/good.key" >"$W/twice"
printf '# nobody\n\n' >"$W/empty"

expect 2 "no identity map" "no --auth: refused (status 2)" -- --node n1
expect 2 "want 'client NAME key-file PATH uid UID gid GID'" "a malformed line" -- --auth "$W/bad"
expect 2 "its group or others may access it" "a key file others may read" -- --auth "$W/open"
expect 2 "a key is 16 to 4096 bytes" "a key of 8 bytes" -- --auth "$W/short"
expect 2 "named twice" "a client named twice" -- --auth "$W/twice"
expect 2 "no client" "a map without a client" -- --auth "$W/empty"
expect 2 "No such file" "a missing map" -- --auth "$W/none"
if [ -e /dev/memfabric ]; then
	echo "INFO: $NAME: /dev/memfabric exists here: the good map is not tried"
else
	expect 1 "BM_Init" "a good map gets as far as BM_Init" -- --auth "$W/good"
fi
[ $fails = 0 ]
