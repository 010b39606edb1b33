#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_module.sh - memfabric.ko's life cycle: sysfs attributes, the module
# pinned by an open /dev/memfabric, clean unload and reload.
#
# Runs as root in a guest with memfabric.ko loaded; leaves it loaded.
# Prints PASS:/FAIL: lines like tests/mftest.h and exits 1 on any failure.

set -u

name=$(basename "$0")
top=$(cd "$(dirname "$0")/../.." && pwd)
ko=$top/build/kmod/$(uname -r)/memfabric.ko
header=$top/include/uapi/linux/memfabric.h
sysdir=/sys/kernel/memfabric
dev=/dev/memfabric
npass=0
nfail=0

pass() { npass=$((npass + 1)); echo "PASS: $name: $1"; }
fail() { nfail=$((nfail + 1)); echo "FAIL: $name: $1${2:+ ($2)}"; }
# check WHAT CMD...: passes when CMD succeeds.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what" "$*"; fi; }
# check_eq WHAT GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

loaded() { grep -q '^memfabric ' /proc/modules; }
# Kernel taint bits of a WARN (9) or an oops (7).
bad_taint() { echo $(($(cat /proc/sys/kernel/tainted) & (1 << 9 | 1 << 7))); }

# Whatever happens, leave the module loaded for the tests after this one.
trap 'exec 3<&-; loaded || insmod "$ko"' EXIT

taint0=$(bad_taint)

check "memfabric.ko is built for $(uname -r)" test -f "$ko"
if ! loaded; then
	fail "memfabric is loaded"
	insmod "$ko" || { echo "$name: cannot load $ko"; exit 1; }
else
	pass "memfabric is loaded"
fi

want_version=$(modinfo -F version "$ko")
abi_major=$(sed -n 's/^#define MF_ABI_MAJOR[[:space:]]*\([0-9]*\).*/\1/p' "$header")
abi_minor=$(sed -n 's/^#define MF_ABI_MINOR[[:space:]]*\([0-9]*\).*/\1/p' "$header")

check "modinfo gives a version" test -n "$want_version"
check_eq "$sysdir/version is the module's version" \
	"$(cat $sysdir/version)" "$want_version"
check_eq "/sys/module/memfabric/version is the module's version" \
	"$(cat /sys/module/memfabric/version)" "$want_version"
check_eq "$sysdir/abi_version is MF_ABI_MAJOR.MF_ABI_MINOR" \
	"$(cat $sysdir/abi_version)" "$abi_major.$abi_minor"
features=$(cat $sysdir/features)
if [[ $features =~ ^0x[0-9a-f]+$ ]] && (((features & 3) == 3)); then
	pass "$sysdir/features is a hex mask with EXT_IOCTL and SYSFS ($features)"
else
	fail "$sysdir/features is a hex mask with EXT_IOCTL and SYSFS" "got '$features'"
fi
for attr in version abi_version features; do
	check_eq "$sysdir/$attr is mode 0444" "$(stat -c %a $sysdir/$attr)" 444
	if (echo x >"$sysdir/$attr") 2>/dev/null; then
		fail "$sysdir/$attr cannot be written, even by root"
	else
		pass "$sysdir/$attr cannot be written, even by root"
	fi
done

check "$dev is a character device" test -c $dev
check_eq "$dev is mode 0660" "$(stat -c %a $dev)" 660

# An open descriptor pins the module.
exec 3<$dev
check_eq "an open $dev holds one module reference" \
	"$(cat /sys/module/memfabric/refcnt)" 1
if rmmod memfabric 2>/dev/null; then
	fail "rmmod fails while $dev is open"
else
	pass "rmmod fails while $dev is open"
fi
check "memfabric is still loaded" loaded
check "$dev still works" test -c $dev
exec 3<&-
check_eq "closing $dev drops the reference" \
	"$(cat /sys/module/memfabric/refcnt)" 0

check "rmmod succeeds once $dev is closed" rmmod memfabric
check "memfabric is unloaded" eval '! loaded'
check "$dev is gone" test ! -e $dev
check "$sysdir is gone" test ! -e $sysdir
check "/sys/module/memfabric is gone" test ! -e /sys/module/memfabric

check "insmod works again" insmod "$ko"
check "memfabric is loaded again" loaded
check "$dev is back" test -c $dev
check_eq "$sysdir/version is back" "$(cat $sysdir/version 2>&1)" "$want_version"

# Issue 15, defect 3: the mappings' address_space must not belong to the
# device node the first open went through.  Here the first open after a
# reload goes through a node on a tmpfs (a container's /dev), which is
# then unmounted; the module must hold nothing of it, and a later unload
# must not touch its freed inode.
check "rmmod for the first-opener test" rmmod memfabric
check "insmod for the first-opener test" insmod "$ko"
ctdev=$(mktemp -d /tmp/mfdev.XXXXXX)
mount -t tmpfs mfdev "$ctdev"
devnum=$(stat -c '%t:%T' $dev)
mknod "$ctdev/memfabric" c $((16#${devnum%:*})) $((16#${devnum#*:}))
before=$(dmesg | wc -l)
exec 4<>"$ctdev/memfabric"
check_eq "the first open goes through the tmpfs node" \
	"$(cat /sys/module/memfabric/refcnt)" 1
exec 4<&-
check "the tmpfs with the first opener's node unmounts" umount "$ctdev"
rmdir "$ctdev"
busy=$(dmesg | tail -n +$((before + 1)) | grep -c 'Busy inodes')
check_eq "no busy inodes after that unmount" "$busy" 0
exec 3<$dev
exec 3<&-
check "rmmod after the node's file system is gone" rmmod memfabric
check "insmod after that" insmod "$ko"

check_eq "the kernel did not WARN or oops" "$(bad_taint)" "$taint0"

echo "$name: $npass passed, $nfail failed"
[ $nfail -eq 0 ]
