#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# outside-tools.sh - fuzz and stress /dev/memfabric with tools nobody on
# this project wrote: trinity (syscall fuzzer, Debian package trinity) and
# stress-ng's dev stressor (--dev-file /dev/memfabric) and its ioctl
# stressor (--bad-ioctl: illegal read ioctls on every device node).
# Runs inside an mfvm guest.
#
#   tests/stress/outside-tools.sh [-t SECONDS] [TOOL...]
#
# TOOL is trinity-root, trinity-user, stressng-root or stressng-user
# (default: all four).  The tools run two at a time (root with user;
# $MF_OUTSIDE_BATCH at a time if set), each for SECONDS (default
# $MF_OUTSIDE_SECONDS or 600).  The "user" runs are uid 65534 (nobody) with
# /dev/memfabric made 0666 for the run; trinity as root needs --dangerous.
# Trinity sees only /dev/memfabric (-V /dev/memfabric, no other fd
# provider) and calls only ioctl and the mapping syscalls on it.
#
# Before and after: the leak counters of /sys/kernel/memfabric/stats, the
# free bytes and extents of pool0, and MF_IOC_POOL_CHECK (mfadm pool
# check).  Prints PASS:/FAIL: lines; the kernel log is scanned by the
# caller (run-suite or tests/stress/stress-guest.sh).
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
SECS=${MF_OUTSIDE_SECONDS:-600}
BATCH=${MF_OUTSIDE_BATCH:-2}	# tools at a time
if [ "${1:-}" = -t ]; then
	SECS=$2
	shift 2
fi
TOOLS=("$@")
[ ${#TOOLS[@]} = 0 ] && TOOLS=(trinity-root stressng-user trinity-user stressng-root)
name=outside-tools
pass=0
fail=0
ok() { echo "PASS: $name: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $name: $1 ($2)"; fail=$((fail + 1)); }
STATS=/sys/kernel/memfabric/stats
LEAK="namespaces objects handles refs extents extents_shared mappings files"
DEV=/dev/memfabric
W=$(mktemp -d /tmp/outside.XXXXXX)
chmod 0777 "$W"
OUT=${MF_STRESS_OUT:-$TOP/build/stress}
mkdir -p "$OUT"

snap() {
	local s
	for s in $LEAK; do printf '%s=%s ' "$s" "$(cat $STATS/$s 2>/dev/null)"; done
	printf 'pool0_free=%s pool0_extents=%s' \
		"$(cat /sys/kernel/memfabric/pools/pool0/free 2>/dev/null)" \
		"$(cat /sys/kernel/memfabric/pools/pool0/extents 2>/dev/null)"
}

run_tool() {	# TOOL: runs it for SECS in the background, output in $W/TOOL.log
	local t=$1 log=$W/$1.log
	local asuser=()
	case $t in *-user) asuser=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all) ;; esac
	case $t in
	trinity-*)
		local d=$W/$t.d
		mkdir -p "$d"
		chmod 0777 "$d"
		local extra=(--dangerous)
		[ ${#asuser[@]} != 0 ] && extra=()
		# -V: the only file fds are /dev/memfabric; no other provider.
		(cd "$d" && exec timeout -s INT -k 30 "$SECS" "${asuser[@]}" trinity \
			"${extra[@]}" -q -l off -C 4 -V $DEV \
			--disable-fds=sockets,pipes,perf,epoll,eventfd,timerfd,testfile,memfd,drm \
			-c ioctl -c mmap -c munmap -c mprotect -c madvise -c msync -c mremap \
			-c read -c write -c lseek -c fcntl) >"$log" 2>&1 &
		;;
	stressng-*)
		(cd "$W" && exec timeout -s INT -k 30 $((SECS + 60)) "${asuser[@]}" stress-ng \
			--dev 2 --dev-file $DEV --bad-ioctl 1 --timeout "$SECS" \
			--metrics-brief) >"$log" 2>&1 &
		;;
	*) ko "$t" "unknown tool"; return ;;
	esac
	echo $! >"$W/$t.pid"
}

command -v trinity >/dev/null || { ko "trinity is installed" "make deps"; }
command -v stress-ng >/dev/null || { ko "stress-ng is installed" "make deps"; }
[ -c $DEV ] || { ko "$DEV exists" "no device"; echo "$name: $pass passed, $fail failed"; exit 1; }

before=$(snap)
echo "$name: before: $before"
mode=$(stat -c %a $DEV)
chmod 0666 $DEV
i=0
while [ $i -lt ${#TOOLS[@]} ]; do
	batch=("${TOOLS[@]:$i:$BATCH}")
	i=$((i + BATCH))
	start=$(date +%s)
	for t in "${batch[@]}"; do run_tool "$t"; done
	for t in "${batch[@]}"; do
		[ -f "$W/$t.pid" ] || continue
		wait "$(cat "$W/$t.pid")"
		rc=$?
		secs=$(($(date +%s) - start))
		cp "$W/$t.log" "$OUT/$t.log" 2>/dev/null
		case $t in
		trinity-*)
			# timeout's SIGINT ends trinity: status 124 (or 0)
			n=$(grep -oE 'Ran [0-9]+ syscalls.*' "$W/$t.log" | tail -n 1)
			if { [ $rc = 124 ] || [ $rc = 0 ]; } && [ $secs -ge $((SECS - 5)) ] &&
			   [ -n "$n" ] && [[ ! $n =~ ^Ran\ 0\  ]]; then
				ok "$t ran ${secs}s (${n:-no syscall count})"
			else
				ko "$t ran ${secs}s" "status $rc: $(tail -n 3 "$W/$t.log" | tr '\n' ' ')"
			fi
			;;
		stressng-*)
			if [ $rc = 0 ] && [ $secs -ge $((SECS - 5)) ]; then
				ok "$t ran ${secs}s ($(grep -E 'stress-ng: (metrc|info).*(dev|ioctl) ' "$W/$t.log" | awk '{print $4"="$5}' | tr '\n' ' '))"
			else
				ko "$t ran ${secs}s" "status $rc: $(grep -E 'fail|error' "$W/$t.log" | head -n 3 | tr '\n' ' ')"
			fi
			;;
		esac
	done
done
chmod "$mode" $DEV

# Every file the tools opened is closed: the counters must come back.
after=
for try in $(seq 50); do
	after=$(snap)
	[ "$after" = "$before" ] && break
	sleep 0.2
done
echo "$name: after:  $after"
if [ "$after" = "$before" ]; then
	ok "leak counters and pool0 free bytes/extents are back"
else
	ko "leak counters and pool0 free bytes/extents are back" "before: $before; after: $after"
fi
if [ -d /sys/kernel/memfabric/pools/pool0 ]; then
	if "$TOP"/build/tools/mfadm pool check pool0 >"$W/check" 2>&1; then
		ok "pool0 check is clean"
	else
		ko "pool0 check is clean" "$(tr '\n' ' ' <"$W/check")"
	fi
fi
rm -rf "$W"
echo "$name: $pass passed, $fail failed"
[ $fail = 0 ]
