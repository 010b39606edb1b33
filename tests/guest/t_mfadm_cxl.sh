#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mfadm_cxl.sh - `mfadm pool add --cxl-region`: on a CXL guest (6.1) the
# region's fsdax namespace is found (pool0 loads from it), and created
# when the region has none; on an NVDIMM guest (6.12) the option fails
# with a clear message.
#
# Runs as root in a guest with memfabric.ko loaded and pool0 attached on
# $MFVM_PMEM.  Leaves pool0 attached there, formatted anew (empty) on a
# CXL guest, whose namespace it destroys and recreates (the same
# namespaceN.0, so the same $MFVM_PMEM).

. "$(dirname "$0")/mfadm_common.sh"

[ -x "$M" ] || { fail "$M is built"; finish; exit 1; }
[ -n "$pmem" ] || { fail "\$MFVM_PMEM is set"; finish; exit 1; }

m_fails "an unknown CXL region" 1 "no CXL region 'region9'" -q pool add c9 --cxl-region region9

if [ "${MFVM_BACKING:-}" != cxl ]; then
	m_fails "--cxl-region without CXL: a clear error" 1 \
		"no CXL region 'region0' \(this system has no CXL bus\)" \
		-q pool add cxl0 --cxl-region region0
	check "nothing was attached" test ! -e $pools/cxl0
	echo "SKIP: $name: --cxl-region needs a CXL guest (mfvm --kernel 6.1)"
	finish
	exit
fi

had_pool0=0
[ -d $pools/pool0 ] && had_pool0=1
dev_mode=$(stat -c %a /dev/memfabric)
restore() {
	chmod "$dev_mode" /dev/memfabric
	[ -d $pools/cxl0 ] && "$M" -q pool remove cxl0
	if [ $had_pool0 = 1 ] && [ ! -d $pools/pool0 ]; then
		if [ ! -b "$pmem" ]; then
			"$M" -q pool add pool0 --cxl-region region0 --format >/dev/null
		else
			"$M" -q pool add pool0 --pmem "$pmem" >/dev/null ||
				"$M" -q pool add pool0 --pmem "$pmem" --format >/dev/null
		fi
	fi
}
trap restore EXIT

region=$(cxl list -R | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["region"])')
check_eq "cxl list shows region0" "$region" region0

m_fails "$pmem is busy while pool0 is attached" 1 "busy|another name" \
	-q pool add cxl0 --cxl-region region0
m pool remove pool0
check_eq "pool remove pool0" "$rc" 0

# The region has an fsdax namespace: pool0 loads from it.
m_fails "pool0's device under another name is refused" 1 'another name.*--format' \
	-q pool add cxl0 --cxl-region region0
m_ok "pool add pool0 --cxl-region region0" pool add pool0 --cxl-region region0
check_eq "it is pool0 on $pmem" "$(j '[d["name"], d["backend"], d["device"], d["persistent"]]')" \
	"[\"pool0\", \"fsdax\", \"$pmem\", true]"
check_match "stderr: the CXL region" "$err" "CXL region region0: [0-9.]+ MiB pmem at 0x"
check_match "stderr: its nvdimm region" "$err" "CXL region region0 is nvdimm region region[0-9]+"
check_match "stderr: the fsdax namespace found" "$err" "fsdax namespace namespace[0-9.]+ is $pmem"
check_match "stderr: an existing pool was loaded" "$err" 'existing pool loaded'
m pool remove pool0
check_eq "pool remove pool0" "$rc" 0

# Without a namespace, one is created (2 MiB aligned, fsdax).
ns=$(ndctl list -N | python3 -c "import json,sys; print([x['dev'] for x in json.load(sys.stdin) if x.get('blockdev') == '${pmem#/dev/}'][0])")
check_match "the namespace of $pmem is known" "$ns" '^namespace[0-9]+\.0$'
check "ndctl destroy-namespace -f $ns" ndctl destroy-namespace -f "$ns"
check "$pmem is gone" test ! -b "$pmem"

chmod 0666 /dev/memfabric
m_fails_as_nobody "--cxl-region as nobody: need CAP_SYS_ADMIN" 1 'pool add cxl0: need CAP_SYS_ADMIN' \
	-q pool add cxl0 --cxl-region region0
chmod "$dev_mode" /dev/memfabric
check "and nothing was created" test ! -b "$pmem"

m_ok "pool add cxl0 --cxl-region region0 --format" pool add cxl0 --cxl-region region0 --format
check_match "stderr: a namespace was created" "$err" "creating an fsdax namespace $ns on region[0-9]+: [0-9.]+ MiB, 2 MiB aligned"
check_match "stderr: its block device" "$err" "fsdax namespace created: $pmem"
check_eq "cxl0 is on $pmem again" "$(j '[d["name"], d["device"], d["persistent"]]')" \
	"[\"cxl0\", \"$pmem\", true]"
check_match "stderr: the pool was formatted" "$err" 'formatted \(empty\)'
ndctl list -N >"$T/ndctl.json"
check_eq "ndctl: $ns is fsdax, 2 MiB aligned, named after the pool" \
	"$(python3 -c "import json; x=[x for x in json.load(open('$T/ndctl.json')) if x['dev'] == '$ns'][0]; print(x['mode'], x['align'], x.get('name'))")" \
	"fsdax 2097152 memfabric:cxl0"
m_ok "pool check cxl0" pool check cxl0
check_eq "cxl0 is sound" "$(j 'd["errors"]')" 0

# The namespace exists now: found, not created again.
m pool remove cxl0
check_eq "pool remove cxl0" "$rc" 0
m_ok "pool add cxl0 --cxl-region region0 again" pool add cxl0 --cxl-region region0
check_match "it found the namespace" "$err" "fsdax namespace $ns is $pmem"
check_eq "it loaded cxl0" "$(j 'd["name"]')" cxl0
m pool remove cxl0
check_eq "pool remove cxl0" "$rc" 0

# Back to pool0 on $pmem, as mfvm set it up (formatted anew).
m -q pool add pool0 --pmem "$pmem" --format
check_eq "pool0 on $pmem again (formatted)" "$rc" 0
trap - EXIT
restore
finish
