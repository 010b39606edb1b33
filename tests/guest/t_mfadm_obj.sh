#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mfadm_obj.sh - `mfadm obj list|show|free` against the module: objects
# made with the ioctls (tests/guest/mfobj.py) in pool0 are listed through
# the generic netlink dump with the right fields (size, type, refcount,
# owner, age...), filters and -u work, show finds one, free needs the
# right secId; and the errors: unknown pool, namespace or object, wrong
# secId, bad names, not root, no module.
#
# Runs as root in a guest with memfabric.ko loaded and pool0 attached;
# leaves the module loaded with the pools= it had, and the counters of
# /sys/kernel/memfabric/stats and pool0's free bytes as it found them.

. "$(dirname "$0")/mfadm_common.sh"

# quiet CMD...: CMD with its stdout (JSON) thrown away.
quiet() { "$@" >/dev/null; }

PY=$top/tests/guest/mfobj.py
S="obj-secret"
NS=t_mo.a
stats=/sys/kernel/memfabric/stats

[ -x "$M" ] || { fail "$M is built"; finish; exit 1; }
[ -d $pools/pool0 ] || { fail "pool0 is attached"; finish; exit 1; }

params=$(sed 's/^(null)$//' /sys/module/memfabric/parameters/pools)
holder=""
counters() { cat $stats/namespaces $stats/objects $stats/handles $stats/refs \
	$stats/extents $stats/extents_shared $pools/pool0/free | tr '\n' ' '; }
before=$(counters)

restore() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	holder=""
	if ! loaded; then
		if [ -n "$params" ]; then insmod "$ko" "pools=$params"; else insmod "$ko"; fi
	fi
	"$M" -q ns destroy pool0 $NS --secid $S --force >/dev/null 2>&1
}
trap restore EXIT

# obj(ID): that object's entry in the last JSON list, as JSON.
o() { j "[x for x in d if x['ns'] == '$NS' and x['id'] == '$1'][0]$2"; }

check "ns create for the test" quiet "$M" -q ns create pool0 $NS --secid $S
check "three objects made with the ioctls" python3 "$PY" alloc pool0 $NS $S \
	o1 1000 o2 8192 o3 3145728
check "o2 published" python3 "$PY" publish pool0 $NS $S o2
python3 "$PY" hold pool0 $NS $S o1 >"$T/held" &
holder=$!
for _ in $(seq 50); do [ -s "$T/held" ] && break; sleep 0.1; done
check_eq "a process holds a handle on o1" "$(cat "$T/held")" held

# --- list ---
m_ok "obj list prints valid JSON" obj list
check_eq "obj list is an array" "$(j 'type(d).__name__')" list
check_eq "it lists the namespace's three objects, by id" \
	"$(j "[x['id'] for x in d if x['ns'] == '$NS']")" '["o1", "o2", "o3"]'
check_eq "each entry has every field" \
	"$(j "sorted(set(['pool','ns','id','size','type','refcount','mappings','owner','age','ctime','extents']) - set(d[0]))")" "[]"
check_eq "o1: pool, size, type" \
	"$(j "(lambda x: [x['pool'], x['size'], x['type']])([x for x in d if x['ns'] == '$NS' and x['id'] == 'o1'][0])")" \
	'["pool0", 1000, "private-rw"]'
check_eq "o1 has one reference (the holder's handle)" "$(o o1 "['refcount']")" 1
check_eq "o3 has none" "$(o o3 "['refcount']")" 0
check_eq "o2 is shared-ro" "$(o o2 "['type']")" shared-ro
check_eq "o3 is 3 MiB, private-rw" "$(o o3 "['size']"):$(o o3 "['type']")" "3145728:private-rw"
check_eq "owner is root's uid, no mappings" "$(o o3 "['owner']"):$(o o3 "['mappings']")" "0:0"
check_eq "age is a few seconds at most" "$(j "all(0 <= x['age'] < 600 for x in d)")" true
check_eq "ctime is now" "$(j "all(abs(x['ctime'] - $(date +%s)) < 600 for x in d)")" true
check_eq "o3 is made of at least one extent" "$(j "[x for x in d if x['id']=='o3' and x['ns']=='$NS'][0]['extents'] >= 1")" true
check_eq "the list is sorted by pool, ns, id" \
	"$(j "[(x['pool'], x['ns'], x['id']) for x in d] == sorted((x['pool'], x['ns'], x['id']) for x in d)")" true

m_ok "obj list --pool --ns" obj list --pool pool0 --ns $NS
check_eq "just the namespace's objects" "$(j "[x['id'] for x in d]")" '["o1", "o2", "o3"]'
m_ok "obj list --ns" obj list --ns $NS
check_eq "--ns alone filters too" "$(j 'len(d)')" 3
m_ok "obj list --ns of a namespace without objects" obj list --ns t_mo.none
check_eq "is an empty array" "$out" "[]"
m_ok "obj list -u" obj list -u --ns $NS
check_eq "-u gives sizes like ndctl" "$(j "[x['size'] for x in d]")" '["1000 B", "8.00 KiB", "3.00 MiB"]'

# --- show ---
m_ok "obj show" obj show pool0 $NS o3
check_eq "show: the object, as in the list" "$(j "[d['pool'], d['ns'], d['id'], d['size'], d['type'], d['refcount']]")" \
	'["pool0", "t_mo.a", "o3", 3145728, "private-rw", 0]'
m_fails "show of an unknown object" 1 "no object 'o9' in namespace 't_mo.a' of pool 'pool0'" obj show pool0 $NS o9
m_fails "show in an unknown namespace" 1 "no object 'o1' in namespace 't_mo.x'" obj show pool0 t_mo.x o1
m_fails "show in an unknown pool" 1 "no such pool 'nosuch'" obj show nosuch $NS o1
m_fails "show without an id" 2 "need POOL NS ID" obj show pool0 $NS

# --- free ---
m_fails "free with a wrong secId" 1 "wrong secId for namespace 't_mo.a'" obj free pool0 $NS o3 --secid nope
m_fails "free without --secid" 2 "--secid is needed" obj free pool0 $NS o3
m_fails "free in an unknown pool" 1 "no such pool 'nosuch'" obj free nosuch $NS o3 --secid $S
m_fails "free of an unknown object" 1 "no namespace 't_mo.a' or no object 'o9'" obj free pool0 $NS o9 --secid $S
m_fails "free with a bad id" 2 "bad object id 'a/b'" obj free pool0 $NS a/b --secid $S
m "obj" free pool0 $NS o3 --secid $S
check_eq "free o3 succeeds quietly on stdout" "$rc:$out" "0:"
m_ok "obj list after the free" obj list --ns $NS
check_eq "o3 is gone" "$(j "[x['id'] for x in d]")" '["o1", "o2"]'
m_fails "freeing it again: no object" 1 "no object 'o3'" obj free pool0 $NS o3 --secid $S

# --- errors ---
m_fails "list of an unknown pool" 1 "obj list: no such pool 'nosuch'" obj list --pool nosuch
m_fails "list with a bad pool name" 2 "bad pool name 'a/b'" obj list --pool a/b
m_fails "list with an extra argument" 2 "unexpected argument 'x'" obj list x
m_fails_as_nobody "list as nobody" 1 "obj list: need CAP_SYS_ADMIN" obj list
m_fails_as_nobody "show as nobody" 1 "obj show: need CAP_SYS_ADMIN" obj show pool0 $NS o1
m_fails_as_nobody "free as nobody without access to the device" 1 "permission denied" \
	obj free pool0 $NS o1 --secid $S

kill "$holder"; wait "$holder" 2>/dev/null; holder=""
m_ok "o1's refcount after its holder exited" obj show pool0 $NS o1
check_eq "is 0" "$(j "d['refcount']")" 0
m "obj" free pool0 $NS o1 --secid $S
check_eq "free o1" "$rc" 0
m "obj" free pool0 $NS o2 --secid $S
check_eq "free o2 (published)" "$rc" 0
m_ok "obj list of the emptied namespace" obj list --pool pool0 --ns $NS
check_eq "is []" "$out" "[]"
check "ns destroy" quiet "$M" -q ns destroy pool0 $NS --secid $S

# --- no module ---
check "rmmod memfabric" rmmod memfabric
m_fails "obj list without the module" 1 'memfabric module not loaded' obj list
m_fails "obj show without the module" 1 'memfabric module not loaded' obj show pool0 $NS o1
m_fails "obj free without the module" 1 'memfabric module not loaded' obj free pool0 $NS o1 --secid $S
if [ -n "$params" ]; then
	check "insmod with pools=$params" insmod "$ko" "pools=$params"
else
	check "insmod" insmod "$ko"
fi
check "pool0 is back" test -d $pools/pool0

for _ in $(seq 20); do [ "$(counters)" = "$before" ] && break; sleep 0.1; done
check_eq "counters and pool0's free bytes are back" "$(counters)" "$before"
trap - EXIT
restore
finish
