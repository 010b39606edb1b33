#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memfabric demo: runs inside an mfvm guest (make demo) and walks through
# what memfabric does, step by step.

set -eu
TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
MFADM=$TOP/build/tools/mfadm
n=0

step() {
	n=$((n + 1))
	printf '\n\033[1m== %d. %s\033[0m\n' "$n" "$*"
}
show() {
	printf '$ %s\n' "$*"
	"$@"
}

step "A guest with emulated fabric memory: $(uname -r)"
if [ "${MFVM_BACKING:-}" = cxl ]; then
	echo "The fabric memory is a CXL Type-3 persistent-memory device, assembled into a region:"
	show cxl list -M -R -u
else
	echo "The fabric memory is an NVDIMM (qemu 7.2's CXL device does not probe on this kernel):"
	show ndctl list -R -u
fi

step "The region is an fsdax namespace; memfabric will carve pools out of it"
show ndctl list -N -u
show ls -l "${MFVM_PMEM:-/dev/pmem0}"

step "memfabric.ko is loaded"
show lsmod | grep -E '^(Module|memfabric)' || lsmod | grep memfabric
show modinfo -F version "$TOP/build/kmod/$(uname -r)/memfabric.ko"

step "/dev/memfabric is a misc device (0660; the udev rule gives it to group memfabric)"
show ls -l /dev/memfabric

step "The module's state in sysfs"
for f in /sys/kernel/memfabric/*; do
	printf '%-32s %s\n' "$f" "$(cat "$f")"
done

step "mfadm asks the module for its ABI version and features, through libmemfabric (BM_Init, BM_Version, MF_IOC_VERSION)"
show "$MFADM" version

step "pool0: the fabric memory as a memfabric pool (attached at load by the pools= parameter)"
show cat /sys/module/memfabric/parameters/pools
show "$MFADM" pool list -u
echo "Per-pool state in sysfs:"
for f in backend device capacity used free largest_free extents fragmentation unit persistent; do
	printf '  %-14s %s\n' "$f" "$(cat /sys/kernel/memfabric/pools/pool0/$f)"
done

step "The pool check walks the allocator metadata (superblock, block chain, free lists, journal)"
show "$MFADM" pool check pool0

step "The ioctl ABI refuses bad input instead of guessing"
cat <<'TXT'
Every ioctl struct starts with {size, flags}; the kernel reads it with
copy_struct_from_user: a short size is -EINVAL, unknown non-zero trailing
bytes are -E2BIG, unknown flags or reserved bits are -EINVAL, an unknown
command is -ENOTTY.  tests/guest/t_version.c checks every rule:
TXT
"$TOP/build/tests/guest/t_version" | tail -n 1

step "Seed 001's story through libmemfabric: publish once, share without copies, edit a private copy, commit it (examples/bm_story.c)"
show "$TOP/build/examples/bm_story"

step "Unload and reload: clean"
show rmmod memfabric
show ls /dev/memfabric 2>&1 || true
show insmod "$TOP/build/kmod/$(uname -r)/memfabric.ko"
show ls -l /dev/memfabric
echo
echo "Demo done."
