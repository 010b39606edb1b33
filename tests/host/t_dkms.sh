#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_dkms.sh - DKMS rebuilds memfabric.ko from what `make dkms-install`
# ships, for both kernels (6.1 and 6.12), and the module it builds works.
#
# For each kernel: `make dkms-install DESTDIR=...` into a scratch tree,
# `dkms build` with a private --sourcetree and --dkmstree (nothing of the
# machine's DKMS state is touched), the module's vermagic names that
# kernel, and a guest (mfvm --no-module) loads the DKMS-built module with
# pool0 attached and passes t_version against it.

set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
MFVM=$TOP/tools/mfvm
name=t_dkms.sh
pass=0
fail=0
ok() { echo "PASS: $name: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $name: $1 ($2)"; fail=$((fail + 1)); }
finish() { echo "$name: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

command -v dkms >/dev/null || { ko "dkms is installed" "run make deps"; finish; }
[ -x "$TOP/build/tests/guest/t_version" ] || { ko "t_version is built" "run make"; finish; }
mkdir -p "$TOP/build/tests"
T=$(mktemp -d "$TOP/build/tests/t_dkms.XXXXXX")
trap 'rm -rf "$T"' EXIT

make -s -C "$TOP" dkms-install DESTDIR="$T/dest" >"$T/install.log" 2>&1
src=$(echo "$T"/dest/usr/src/memfabric-*)
ver=${src##*/memfabric-}
if [ -f "$src/dkms.conf" ] && [ -f "$src/include/uapi/linux/memfabric.h" ]; then
	ok "make dkms-install ships dkms.conf, kmod/ and the uapi header (version $ver)"
else
	ko "make dkms-install ships dkms.conf, kmod/ and the uapi header" "$(tail -3 "$T/install.log")"
	finish
fi

for k in 6.1 6.12; do
	rel=$("$MFVM" kernels 2>/dev/null | awk -F': ' -v k="$k" '$1 == k { print $2 }')
	[ -n "$rel" ] || rel=$(ls /lib/modules | grep -E "^${k//./\\.}\.[0-9]" | sort -V | tail -n 1)
	if [ -z "$rel" ] || [ ! -e "/lib/modules/$rel/build/Makefile" ]; then
		ko "$k: kernel headers are installed" "none found"
		continue
	fi
	tree=$T/dkms-$k
	mkdir -p "$tree"
	if dkms build -m memfabric -v "$ver" -k "$rel" --sourcetree "$T/dest/usr/src" \
		--dkmstree "$tree" >"$T/build-$k.log" 2>&1; then
		ok "$k: dkms build -k $rel"
	else
		ko "$k: dkms build -k $rel" "$(tail -3 "$T/build-$k.log" | tr '\n' ' ')"
		continue
	fi
	kofile=$(find "$tree/memfabric/$ver/$rel" -name 'memfabric.ko*' | head -n 1)
	magic=$(modinfo -F vermagic "$kofile" 2>/dev/null)
	if [[ $magic == "$rel "* ]]; then
		ok "$k: the DKMS module's vermagic is $rel"
	else
		ko "$k: the DKMS module's vermagic is $rel" "'$magic' in '$kofile'"
		continue
	fi
	# The guest loads the DKMS-built module instead of build/kmod's.
	"$MFVM" run --kernel "$k" --no-module --timeout 600 -- /bin/sh -c "
		insmod '$kofile' pools=pool0:fsdax:\$MFVM_PMEM || exit 90
		[ -d /sys/kernel/memfabric/pools/pool0 ] || exit 91
		'$TOP/build/tests/guest/t_version' || exit 92
		rmmod memfabric || exit 93" >"$T/guest-$k.log" 2>&1
	rc=$?
	case $rc in
	0) ok "$k: the guest loads the DKMS module, attaches pool0, passes t_version, unloads it" ;;
	90) ko "$k: insmod of the DKMS module" "$(tail -3 "$T/guest-$k.log" | tr '\n' ' ')" ;;
	91) ko "$k: pool0 attached by the DKMS module" "no /sys/kernel/memfabric/pools/pool0" ;;
	92) ko "$k: t_version against the DKMS module" "$(grep '^FAIL' "$T/guest-$k.log" | head -3 | tr '\n' ' ')" ;;
	*) ko "$k: guest run with the DKMS module" "status $rc: $(tail -3 "$T/guest-$k.log" | tr '\n' ' ')" ;;
	esac
done
finish
