#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mfadm_ns.sh - `mfadm ns create|destroy|list` against the module: the
# JSON they print agrees with the generic netlink namespace dump and with
# the objects in it (tests/guest/mfobj.py), --ttl and --attr are kept,
# --force frees objects; and the errors: unknown pool or namespace, a
# duplicate, wrong secId, a namespace with objects, bad names and
# options, no access to the device, no module.
#
# Runs as root in a guest with memfabric.ko loaded and pool0 attached;
# leaves the module loaded with the pools= it had, and the counters of
# /sys/kernel/memfabric/stats and pool0's free bytes as it found them.

. "$(dirname "$0")/mfadm_common.sh"

# quiet CMD...: CMD with its stdout (JSON) thrown away.
quiet() { "$@" >/dev/null; }

PY=$top/tests/guest/mfobj.py
S="ns-secret"
stats=/sys/kernel/memfabric/stats

[ -x "$M" ] || { fail "$M is built"; finish; exit 1; }
[ -d $pools/pool0 ] || { fail "pool0 is attached"; finish; exit 1; }

params=$(sed 's/^(null)$//' /sys/module/memfabric/parameters/pools)
dev_mode=$(stat -c %a /dev/memfabric)
counters() { cat $stats/namespaces $stats/objects $stats/handles $stats/refs \
	$stats/extents $stats/extents_shared $pools/pool0/free | tr '\n' ' '; }
before=$(counters)

restore() {
	chmod "$dev_mode" /dev/memfabric 2>/dev/null
	if ! loaded; then
		if [ -n "$params" ]; then insmod "$ko" "pools=$params"; else insmod "$ko"; fi
	fi
	for n in t_mn.a t_mn.b; do
		"$M" -q ns destroy pool0 $n --secid $S --force >/dev/null 2>&1
	done
}
trap restore EXIT

# ns(NAME): its entry in the last JSON list.
ns() { j "[x for x in d if x['pool'] == 'pool0' and x['name'] == '$1'][0]$2"; }

# --- create ---
m_ok "ns create prints valid JSON" ns create pool0 t_mn.a --secid $S --ttl 60 --attr 5
check_eq "it is the new namespace, ttl 60, attr 5, empty" \
	"$(j "[d['pool'], d['name'], d['ttl'], d['attr'], d['objects'], d['bytes']]")" \
	'["pool0", "t_mn.a", 60, 5, 0, 0]'
check_eq "its ctime is now" "$(j "abs(d['ctime'] - $(date +%s)) < 600")" true
m_ok "ns create with defaults" ns create pool0 t_mn.b --secid $S
check_eq "ttl 0 and attr 0 by default" "$(j "[d['ttl'], d['attr']]")" "[0, 0]"

# --- list ---
check "objects in t_mn.a" python3 "$PY" alloc pool0 t_mn.a $S x1 4096 x2 100
m_ok "ns list prints valid JSON" ns list
check_eq "ns list is an array" "$(j 'type(d).__name__')" list
check_eq "t_mn.a: 2 objects, 4196 bytes, ttl 60, attr 5" \
	"$(ns t_mn.a "['objects']"):$(ns t_mn.a "['bytes']"):$(ns t_mn.a "['ttl']"):$(ns t_mn.a "['attr']")" \
	"2:4196:60:5"
check_eq "t_mn.b is listed after t_mn.a (creation order)" \
	"$(j "[x['name'] for x in d if x['name'].startswith('t_mn.')]")" '["t_mn.a", "t_mn.b"]'
cp "$T/out" "$T/list.json"
check_eq "every entry has every field" \
	"$(j "sorted(set(['pool','name','ttl','attr','objects','bytes','ctime']) - set(d[0]))")" "[]"
m_ok "ns list --pool pool0" ns list --pool pool0
check_eq "--pool pool0 lists the same" "$(j 'len(d)')" \
	"$(python3 -c 'import json,sys; print(len([x for x in json.load(open(sys.argv[1])) if x["pool"] == "pool0"]))' "$T/list.json")"
m_ok "ns list -u" ns list -u
check_eq "-u gives bytes like ndctl" "$(ns t_mn.a "['bytes']")" "4.10 KiB"

# The netlink namespace dump (python3, raw generic netlink) agrees.
nl_dump() {
	python3 - <<'EOF'
import json, socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
s.bind((0, 0))
def req(typ, cmd, flags, attrs=b""):
    body = struct.pack("BBH", cmd, 1, 0) + attrs
    s.send(struct.pack("IHHII", 16 + len(body), typ, flags, 1, 0) + body)
def attrs(b):
    out = {}
    while len(b) >= 4:
        l, t = struct.unpack("HH", b[:4])
        out[t & 0x3fff] = b[4:l]
        b = b[(l + 3) & ~3:]
    return out
name = b"memfabric\0"
a = struct.pack("HH", 4 + len(name), 2) + name
req(0x10, 3, 1, a + b"\0" * ((4 - len(a) % 4) % 4))
m = s.recv(65536)
fam = struct.unpack("H", attrs(m[20:])[1][:2])[0]
req(fam, 2, 1 | 0x300)
res = []
done = False
while not done:
    m = s.recv(1 << 20)
    while m:
        l, t = struct.unpack("IH", m[:6])
        if t == 3 or t == 2:
            done = True
            break
        at = attrs(m[20:l])
        res.append({"pool": at[2][:-1].decode(), "name": at[3][:-1].decode(),
                    "objects": struct.unpack("Q", at[15])[0],
                    "bytes": struct.unpack("Q", at[16])[0]})
        m = m[(l + 3) & ~3:]
print(json.dumps(sorted((x["pool"], x["name"], x["objects"], x["bytes"]) for x in res)))
EOF
}
check_eq "ns list agrees with the netlink namespace dump" "$(nl_dump)" \
	"$(python3 -c 'import json,sys; print(json.dumps(sorted((x["pool"], x["name"], x["objects"], x["bytes"]) for x in json.load(open(sys.argv[1])))))' "$T/list.json")"

# --- create errors ---
m_fails "a duplicate" 1 "pool 'pool0' has a namespace 't_mn.a' already" ns create pool0 t_mn.a --secid x
m_fails "create in an unknown pool" 1 "no such pool 'nosuch'" ns create nosuch t_mn.c --secid $S
m_fails "a bad name" 2 "bad namespace name 'a/b'" ns create pool0 a/b --secid $S
m_fails "a 64-character name" 2 "bad namespace name" ns create pool0 \
	"$(printf 'n%.0s' $(seq 64))" --secid $S
m_fails "no --secid" 2 "--secid is needed" ns create pool0 t_mn.c
m_fails "a secId of 64 bytes" 2 "a secId is 1 to 63 bytes" ns create pool0 t_mn.c \
	--secid "$(printf 's%.0s' $(seq 64))"
m_fails "a bad --ttl" 2 "bad --ttl '1h'" ns create pool0 t_mn.c --secid $S --ttl 1h
m_fails "no NS" 2 "need POOL NS" ns create pool0 --secid $S
m_fails "an extra argument" 2 "unexpected argument 'x'" ns create pool0 t_mn.c x --secid $S
m_fails "list of an unknown pool" 1 "no such pool 'nosuch'" ns list --pool nosuch

# --- destroy ---
m_fails "destroy with a wrong secId" 1 "wrong secId for namespace 't_mn.a'" ns destroy pool0 t_mn.a --secid nope
m_fails "destroy of a namespace with objects" 1 "holds objects \(--force frees them\)" ns destroy pool0 t_mn.a --secid $S
m_fails "destroy of an unknown namespace" 1 "pool 'pool0' has no namespace 't_mn.z'" ns destroy pool0 t_mn.z --secid $S
m_fails "destroy in an unknown pool" 1 "no such pool 'nosuch'" ns destroy nosuch t_mn.a --secid $S
m_fails "destroy without --secid" 2 "--secid is needed" ns destroy pool0 t_mn.a
m_ok "destroy --force" ns destroy pool0 t_mn.a --secid $S --force
check_eq "it freed its 2 objects at once" "$(j "[d['name'], d['freed'], d['deferred']]")" '["t_mn.a", 2, 0]'
m_ok "destroy of an empty namespace" ns destroy pool0 t_mn.b --secid $S
check_eq "freed nothing" "$(j "[d['freed'], d['deferred']]")" "[0, 0]"
m_ok "ns list afterwards" ns list --pool pool0
check_eq "both are gone" "$(j "[x['name'] for x in d if x['name'].startswith('t_mn.')]")" "[]"

# --- privilege and module ---
m_fails_as_nobody "create without access to the device" 1 "permission denied opening /dev/memfabric" \
	ns create pool0 t_mn.n --secid $S
chmod 666 /dev/memfabric
m_as_nobody ns create pool0 t_mn.n --secid $S
check_eq "anyone with the device may create a namespace" "$rc" 0
m_as_nobody ns destroy pool0 t_mn.n --secid $S
check_eq "and destroy it with its secId" "$rc" 0
chmod "$dev_mode" /dev/memfabric
check "rmmod memfabric" rmmod memfabric
m_fails "ns list without the module" 1 'memfabric module not loaded' ns list
m_fails "ns create without the module" 1 'memfabric module not loaded' ns create pool0 t_mn.a --secid $S
if [ -n "$params" ]; then
	check "insmod with pools=$params" insmod "$ko" "pools=$params"
else
	check "insmod" insmod "$ko"
fi

for _ in $(seq 20); do [ "$(counters)" = "$before" ] && break; sleep 0.1; done
check_eq "counters and pool0's free bytes are back" "$(counters)" "$before"
trap - EXIT
restore
finish
