#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mfserverd_unit.sh - mfserverd's systemd unit and its limits file
# (server/mfserverd.service.in, server/mfserverd.limits; Documentation/
# remote.md "The systemd unit"): systemd-analyze verify finds nothing to
# say about the unit (with the build's binary as ExecStart); the unit runs
# mfserverd as its own user in group memfabric, never root, with
# CAP_SETUID, CAP_SETGID and CAP_IPC_LOCK only (ambient and bounding: the
# server keeps CAP_IPC_LOCK alone once its bound files are open, which
# tests/guest/t_remote_auth.sh checks on a server started that way), with
# --auth and --limits; the shipped limits file, and the same with every
# key set to its documented default, are accepted.  Prints PASS:/FAIL:
# lines.
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
SRV=$TOP/build/server/mfserverd
UNIT=$TOP/build/server/mfserverd.service
LIMITS=$TOP/server/mfserverd.limits
NAME=t_mfserverd_unit
fails=0
pass() { echo "PASS: $NAME: $*"; }
fail() { echo "FAIL: $NAME: $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
for x in "$SRV" "$UNIT"; do
	[ -e "$x" ] || { echo "SKIP: $x is not built"; exit 77; }
done
W=$(mktemp -d /tmp/t_mfserverd_unit.XXXXXX)
trap 'rm -rf "$W"' EXIT

# The unit's [Service] value of KEY (the last one).
val() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }
check "User=mfserverd (never root)" test "$(val User)" = mfserverd
check "Group=memfabric" test "$(val Group)" = memfabric
check "AmbientCapabilities: CAP_SETUID CAP_SETGID CAP_IPC_LOCK" \
	test "$(val AmbientCapabilities)" = "CAP_SETUID CAP_SETGID CAP_IPC_LOCK"
check "CapabilityBoundingSet: the same, nothing else" \
	test "$(val CapabilityBoundingSet)" = "CAP_SETUID CAP_SETGID CAP_IPC_LOCK"
check "NoNewPrivileges=yes" test "$(val NoNewPrivileges)" = yes
exec_start=$(val ExecStart)
check "ExecStart: --auth /etc/memfabric/mfserverd.auth" \
	eval 'case "$exec_start" in *"--auth /etc/memfabric/mfserverd.auth "*) true ;; *) false ;; esac'
check "ExecStart: --limits /etc/memfabric/mfserverd.limits" \
	eval 'case "$exec_start" in *"--limits /etc/memfabric/mfserverd.limits "*) true ;; *) false ;; esac'
check "ExecStart: no --user (the unit never starts it as root)" \
	eval 'case "$exec_start" in *--user*) false ;; *) true ;; esac'
check "each of them set once; no SecureBits, PermissionsStartOnly or ExecStartPre" \
	test "$(grep -Ec '^(User|Group|AmbientCapabilities|CapabilityBoundingSet|SecureBits|PermissionsStartOnly|ExecStartPre)=' "$UNIT")" = 4

if command -v systemd-analyze >/dev/null; then
	# The build's binary as ExecStart (verify checks that it exists);
	# the man page need not be installed.
	sed "s|^ExecStart=[^ ]*|ExecStart=$SRV|" "$UNIT" >"$W/mfserverd.service"
	systemd-analyze verify --man=no "$W/mfserverd.service" >"$W/verify" 2>&1
	rc=$?
	sed 's/^/INFO: systemd-analyze: /' "$W/verify"
	check "systemd-analyze verify: status 0 and nothing to say" \
		test $rc = 0 -a ! -s "$W/verify"
else
	echo "INFO: $NAME: no systemd-analyze: the unit is not verified"
fi

# The limits file the install puts in /etc/memfabric, and every key of
# it uncommented (the documented defaults): both accepted, so mfserverd
# gets as far as BM_Init (status 1 without /dev/memfabric), not a usage
# error (status 2).
head -c 32 /dev/urandom >"$W/k"; chmod 0600 "$W/k"
echo "client a key-file $W/k uid 1000 gid 1000" >"$W/auth"
sed 's/^#\([a-z_]* = \)/\1/' "$LIMITS" >"$W/defaults"
check "every default in mfserverd.limits is a key = value line" \
	test "$(grep -c '^[a-z_]* = ' "$W/defaults")" = 12
for f in "$LIMITS" "$W/defaults"; do
	"$SRV" --auth "$W/auth" --limits "$f" >"$W/out" 2>&1
	rc=$?
	# With a device here (not on a build host) the start may go on
	# and fail later: only the usage error counts.
	check "$(basename "$f"): accepted (status $rc, not 2)" \
		eval 'test $rc != 2 && ! grep -q "unknown key\|is not a number" "$W/out"'
done
[ $fails = 0 ]
