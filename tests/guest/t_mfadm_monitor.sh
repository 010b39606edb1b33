#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mfadm_monitor.sh - `mfadm monitor` prints the events of a scripted
# scenario, one JSON object per line, in order: a namespace created,
# objects created (tests/guest/mfobj.py), published, freed and reclaimed
# by the TTL, a small RAM pool going low on space and back, namespaces
# destroyed; it exits 0 on SIGINT and on SIGTERM, and refuses to run
# without CAP_SYS_ADMIN or without the module's family.
#
# Runs as root in a guest with memfabric.ko loaded and pool0 attached;
# leaves the counters of /sys/kernel/memfabric/stats, pool0's free bytes
# and the reclaim interval as it found them.

. "$(dirname "$0")/mfadm_common.sh"

# quiet CMD...: CMD with its stdout (JSON) thrown away.
quiet() { "$@" >/dev/null; }

PY=$top/tests/guest/mfobj.py
S="mon-secret"
NS=t_mm.a
LOW=t_mm_low
stats=/sys/kernel/memfabric/stats
reclaim=/sys/module/memfabric/parameters/reclaim_interval_ms

[ -x "$M" ] || { fail "$M is built"; finish; exit 1; }
[ -d $pools/pool0 ] || { fail "pool0 is attached"; finish; exit 1; }

interval=$(cat $reclaim)
mon=""
counters() { cat $stats/namespaces $stats/objects $stats/handles $stats/refs \
	$stats/extents $stats/extents_shared $pools/pool0/free | tr '\n' ' '; }
before=$(counters)

restore() {
	[ -n "$mon" ] && kill "$mon" 2>/dev/null && wait "$mon" 2>/dev/null
	mon=""
	echo "$interval" >$reclaim
	"$M" -q ns destroy pool0 $NS --secid $S --force >/dev/null 2>&1
	"$M" -q ns destroy $LOW low --secid $S --force >/dev/null 2>&1
	[ -d $pools/$LOW ] && "$M" -q pool remove $LOW
}
trap restore EXIT

# start_monitor FILE [ARGS]: mfadm monitor ARGS in the background, ready.
start_monitor() {
	local f=$1
	shift
	"$M" monitor "$@" >"$f" 2>"$f.err" </dev/null &
	mon=$!
	for _ in $(seq 100); do
		grep -q 'monitoring memfabric events' "$f.err" && return 0
		sleep 0.1
	done
	return 1
}
# wait_for FILE EVENT: until FILE has a line with "event": EVENT.
wait_for() {
	for _ in $(seq 100); do
		grep -q "\"event\":\"$2\"" "$1" && return 0
		sleep 0.1
	done
	return 1
}

check "monitor starts and says so on stderr" start_monitor "$T/mon"

# --- the scenario ---
echo 100 >$reclaim
check "ns create $NS (ttl 1)" quiet "$M" -q ns create pool0 $NS --secid $S --ttl 1 --attr 4
check "alloc o1, o2" python3 "$PY" alloc pool0 $NS $S o1 5000 o2 100
check "obj free o2" "$M" -q obj free pool0 $NS o2 --secid $S
check "publish o1" python3 "$PY" publish pool0 $NS $S o1
check "o1 is reclaimed by its TTL" wait_for "$T/mon" obj-reclaimed
check "attach a 4 MiB RAM pool" quiet "$M" -q pool add $LOW --ram 4M
check "ns create in it" quiet "$M" -q ns create $LOW low --secid $S
check "fill it to 64 KiB from full" python3 "$PY" alloc $LOW low $S big $((4 * 1024 * 1024 - 65536))
check "a small object in the low pool" python3 "$PY" alloc $LOW low $S small 4096
check "free the big one" "$M" -q obj free $LOW low big --secid $S
check "ns destroy --force $LOW/low" quiet "$M" -q ns destroy $LOW low --secid $S --force
check "ns destroy $NS" quiet "$M" -q ns destroy pool0 $NS --secid $S
check "the last event arrives" wait_for "$T/mon" ns-destroyed
sleep 0.5
kill -INT "$mon"
wait "$mon"
check_eq "monitor exits 0 on SIGINT" "$?" 0
mon=""
check "pool remove $LOW" "$M" -q pool remove $LOW

cp "$T/mon" "$T/out"
check_eq "every line is one JSON object" \
	"$(python3 -c '
import json, sys
ok = True
for l in open(sys.argv[1]):
    ok = ok and isinstance(json.loads(l), dict)
print(ok)' "$T/mon")" True
check "every line is laid out as before (no spaces, one line)" json_layout "$T/mon"

# ours: the events of our pools and namespaces, as "event id" words.
ev() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("ns") in ("t_mm.a", "low") or e.get("pool") == "t_mm_low":
        print(e["event"] + (":" + e["id"] if "id" in e else "") +
              (":" + e["ns"] if e["event"].startswith("ns-") else ""))
' "$T/mon" | tr '\n' ' '
}
check_eq "the scenario's events, in order" "$(ev)" \
	"ns-created:t_mm.a obj-created:o1 obj-created:o2 obj-freed:o2 obj-published:o1 obj-reclaimed:o1 ns-created:low pool-low obj-created:big obj-created:small obj-freed:big pool-ok obj-freed:small ns-destroyed:low ns-destroyed:t_mm.a "
# jq-like lookups on the events file.
je() {
	python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
f = lambda name, i=None: [e for e in ev if e["event"] == name and (i is None or e.get("id") == i)][0]
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))' "$T/mon" "$1"
}
check_eq "ns-created has pool, ns, ttl, attr" \
	"$(je '[f("ns-created")[k] for k in ("pool", "ns", "ttl", "attr")]')" '["pool0", "t_mm.a", 1, 4]'
check_eq "obj-created has pool, ns, id, size, type, owner" \
	"$(je '[f("obj-created", "o1")[k] for k in ("pool", "ns", "id", "size", "type", "owner")]')" \
	'["pool0", "t_mm.a", "o1", 5000, "private-rw", 0]'
check_eq "obj-published says shared-ro" "$(je 'f("obj-published", "o1")["type"]')" shared-ro
check_eq "obj-reclaimed has the size" "$(je 'f("obj-reclaimed", "o1")["size"]')" 5000
check_eq "pool-low: under 10% free" \
	"$(je '[f("pool-low")["pool"], f("pool-low")["capacity"], f("pool-low")["free"] * 10 < f("pool-low")["capacity"]]')" \
	'["t_mm_low", 4194304, true]'
check_eq "pool-ok: 15% free or more" \
	"$(je 'f("pool-ok")["free"] * 100 >= f("pool-ok")["capacity"] * 15')" true
check_eq "every event has a time" "$(je 'all(isinstance(e["time"], int) for e in ev)')" true

# --- SIGTERM, -u, errors ---
check "monitor -u starts" start_monitor "$T/mon2" -u
check "ns create" quiet "$M" -q ns create pool0 $NS --secid $S
check "obj alloc" python3 "$PY" alloc pool0 $NS $S big 3145728
check "the event arrives" wait_for "$T/mon2" obj-created
kill -TERM "$mon"
wait "$mon"
check_eq "monitor exits 0 on SIGTERM" "$?" 0
mon=""
check_eq "-u gives sizes like ndctl" \
	"$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if "obj-created" in l][0]["size"])' "$T/mon2")" \
	"3.00 MiB"
check "ns destroy --force" quiet "$M" -q ns destroy pool0 $NS --secid $S --force
m_fails_as_nobody "monitor as nobody" 1 "monitor: need CAP_SYS_ADMIN" monitor
m_fails "monitor with an argument" 2 "unexpected argument 'x'" monitor x

echo "$interval" >$reclaim
for _ in $(seq 20); do [ "$(counters)" = "$before" ] && break; sleep 0.1; done
check_eq "counters and pool0's free bytes are back" "$(counters)" "$before"
trap - EXIT
restore
finish
