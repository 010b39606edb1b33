#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mfadm_devices.sh - `mfadm devices`: valid JSON that lists the fabric
# memory of the guest as cxl, ndctl and daxctl see it: on 6.1 the CXL
# region and memdev behind $MFVM_PMEM, on 6.12 its NVDIMM namespace;
# with --dax-node the dax device and its CPU-less NUMA node.  Works
# without privilege.
#
# Runs as root in a guest with memfabric.ko loaded and pool0 attached on
# $MFVM_PMEM; changes nothing.

. "$(dirname "$0")/mfadm_common.sh"

[ -x "$M" ] || { fail "$M is built"; finish; exit 1; }
[ -n "$pmem" ] || { fail "\$MFVM_PMEM is set"; finish; exit 1; }
bdev=${pmem#/dev/}
# ndctl's and cxl's own views, to compare with.
ndctl list -N >"$T/ndctl.json" 2>/dev/null
nd() { python3 -c "import json,sys; d=json.load(open('$T/ndctl.json')); print($1)" 2>&1; }

m_ok "devices prints valid JSON" devices
check_eq "devices has every section" "$(j 'sorted(d)')" \
	'["cxl_memdevs", "cxl_regions", "dax_devices", "numa_nodes", "pmem_namespaces", "pmem_regions"]'
check_eq "every section is an array" "$(j 'all(isinstance(v, list) for v in d.values())')" true
ns="[x for x in d['pmem_namespaces'] if x['blockdev'] == '$bdev']"
check_eq "the namespace of $pmem is listed" "$(j "len($ns)")" 1
check_eq "it is fsdax" "$(j "${ns}[0]['mode']")" fsdax
check_eq "its namespace is ndctl's" "$(j "${ns}[0]['namespace']")" \
	"$(nd "[x['dev'] for x in d if x.get('blockdev') == '$bdev'][0]")"
check_eq "its size is ndctl's" "$(j "${ns}[0]['size']")" \
	"$(nd "[x['size'] for x in d if x.get('blockdev') == '$bdev'][0]")"
check_eq "its uuid is ndctl's" "$(j "${ns}[0]['uuid']")" \
	"$(nd "[x['uuid'] for x in d if x.get('blockdev') == '$bdev'][0]")"
if [ -d $pools/pool0 ]; then
	check_eq "it names pool0 as its pool" "$(j "${ns}[0]['pool']")" pool0
fi
nsregion=$(j "${ns}[0]['region']")
check_eq "its region is listed as pmem" \
	"$(j "[x['region'] for x in d['pmem_regions'] if x['region'] == '$nsregion']")" "[\"$nsregion\"]"

case ${MFVM_BACKING:-} in
cxl)
	cxl list -R >"$T/cxl.json" 2>/dev/null
	region=$(python3 -c "import json; print([x['region'] for x in json.load(open('$T/cxl.json')) if 'region' in x][0])" 2>/dev/null)
	check "cxl list shows a region" test -n "$region"
	r="[x for x in d['cxl_regions'] if x['region'] == '$region']"
	check_eq "the CXL region $region is listed" "$(j "len($r)")" 1
	check_eq "it is a pmem region" "$(j "${r}[0]['mode']")" pmem
	check_eq "it is committed and enabled" "$(j "[${r}[0]['committed'], ${r}[0]['enabled']]")" "[true, true]"
	check_eq "its size is cxl's" "$(j "${r}[0]['size']")" \
		"$(python3 -c "import json; print([x['size'] for x in json.load(open('$T/cxl.json')) if x.get('region') == '$region'][0])")"
	check_eq "it maps memdev mem0" "$(j "${r}[0]['memdevs']")" '["mem0"]'
	check_eq "its nvdimm region is that of $pmem" "$(j "${r}[0]['nd_region']")" "$nsregion"
	check_eq "the namespace of $pmem is on CXL region $region" "$(j "${ns}[0]['cxl_region']")" "$region"
	check_eq "the memdev mem0 is listed" "$(j "[x['memdev'] for x in d['cxl_memdevs']]")" '["mem0"]'
	check_eq "mem0 has persistent capacity" "$(j "d['cxl_memdevs'][0]['pmem_size'] > 0")" true
	check_eq "the pmem region is on the CXL bus" \
		"$(j "[x['bus'] for x in d['pmem_regions'] if x['region'] == '$nsregion'][0]")" CXL
	;;
nvdimm)
	check_eq "no CXL regions on an NVDIMM guest" "$(j "d['cxl_regions']")" "[]"
	check_eq "the pmem region is an NFIT one" \
		"$(j "[x['bus'] for x in d['pmem_regions'] if x['region'] == '$nsregion'][0]")" ACPI.NFIT
	check_eq "the namespace is not on CXL" "$(j "${ns}[0]['cxl_region']")" null
	;;
*)
	fail "\$MFVM_BACKING is cxl or nvdimm" "got '${MFVM_BACKING:-}'"
	;;
esac

# NUMA nodes.
nodes=$(ls -d /sys/devices/system/node/node* | sed 's/.*node//' | sort -n | tr '\n' ' ')
check_eq "every NUMA node is listed" "$(j "' '.join(str(x['node']) for x in d['numa_nodes']) + ' '")" "$nodes"
check_eq "node 0 has memory and CPUs" \
	"$(j "[d['numa_nodes'][0]['memory'] > 0, d['numa_nodes'][0]['cpuless']]")" "[true, false]"
if [ -n "${MFVM_DAX_NODE:-}" ]; then
	dn="[x for x in d['numa_nodes'] if x['node'] == $MFVM_DAX_NODE]"
	check_eq "the dax node $MFVM_DAX_NODE is CPU-less with memory" \
		"$(j "[${dn}[0]['cpuless'], ${dn}[0]['memory'] > 0]")" "[true, true]"
	dx="[x for x in d['dax_devices'] if x['target_node'] == $MFVM_DAX_NODE]"
	check_eq "its dax device is system-ram and online" \
		"$(j "[len($dx), ${dx}[0]['mode'], ${dx}[0]['online']]")" '[1, "system-ram", true]'
	check_eq "that is daxctl's device" "$(j "${dx}[0]['device']")" \
		"$(daxctl list | python3 -c "import json,sys; print([x['chardev'] for x in json.load(sys.stdin) if x['target_node'] == $MFVM_DAX_NODE][0])")"
else
	echo "SKIP: $name: dax devices (no --dax-node device in this guest)"
fi

m_ok "devices -u prints valid JSON" devices -u
check_match "-u: sizes like ndctl" "$(j "d['numa_nodes'][0]['memory']")" '^[0-9]+\.[0-9]{2} (MiB|GiB)$'
m_fails "devices takes no arguments" 2 "unexpected argument 'x'" devices x

# Without privilege: no device access needed, no pool names.
m_as_nobody devices
check_eq "devices works as nobody" "$rc:$(json_valid && echo ok)" "0:ok"
check_eq "as nobody, no pool is named" "$(j "${ns}[0]['pool']")" null

finish
