#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t_mfvm.sh - the guest runner's interface: usage errors, the command's exit
# status, the writable work tree and current directory, --state persistence
# on both backings (CXL on 6.1, NVDIMM on 6.12), kernel-problem detection,
# --no-module, --backing and --timeout.  Boots about six guests.

set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
MFVM=$TOP/tools/mfvm
name=t_mfvm.sh
pass=0
fail=0
ok() { echo "PASS: $name: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $name: $1 ($2)"; fail=$((fail + 1)); }
expect_rc() { # WHAT WANT GOT
	if [ "$3" = "$2" ]; then ok "$1"; else ko "$1" "status $3, want $2"; fi
}

mkdir -p "$TOP/build/tests"
T=$(mktemp -d "$TOP/build/tests/t_mfvm.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# Usage errors: no guest boots.
"$MFVM" run >/dev/null 2>&1
expect_rc "run without a command is a usage error" 2 $?
"$MFVM" run --kernel 4.19 -- true >/dev/null 2>&1
expect_rc "an unknown kernel is a usage error" 2 $?
"$MFVM" run --backing foo -- true >/dev/null 2>&1
expect_rc "an unknown backing is a usage error" 2 $?
"$MFVM" run --kernel 6.1 --mem 300M -- true >/dev/null 2>&1
expect_rc "a CXL size that is not a multiple of 256M is refused" 2 $?
"$MFVM" run --bogus -- true >/dev/null 2>&1
expect_rc "an unknown option is a usage error" 2 $?
"$MFVM" frobnicate >/dev/null 2>&1
expect_rc "an unknown subcommand is a usage error" 2 $?
if "$MFVM" kernels | grep -q '^6.1: 6\.1\.' && "$MFVM" kernels | grep -q '^6.12: 6\.12\.'; then
	ok "mfvm kernels lists 6.1 and 6.12"
else
	ko "mfvm kernels lists 6.1 and 6.12" "$("$MFVM" kernels | tr '\n' ' ')"
fi

# persist KERNEL BACKING: two boots on one --state directory.
persist() {
	local k=$1 b=$2 st out rc
	st=$T/state-$k
	out=$("$MFVM" run --kernel "$k" --state "$st" -- bash -c '
		set -e
		test "$PWD" = "'"$T"'"
		test -c /dev/memfabric
		test -b "$MFVM_PMEM"
		test "$MFVM_BACKING" = "'"$b"'"
		if [ "$MFVM_BACKING" = cxl ]; then cxl list -R | grep -q region; fi
		printf "mfvm-%s-data" "$(uname -r)" | dd of="$MFVM_PMEM" bs=4096 seek=37 conv=fsync status=none
		echo written > first-boot
		exit 7' 2>&1)
	rc=$?
	expect_rc "$k: the command's exit status comes back" 7 $rc
	[ "$(cat first-boot 2>/dev/null)" = written ] &&
		ok "$k: the current directory is the work tree, writable" ||
		ko "$k: the current directory is the work tree, writable" "$out"
	ls "$st"/fabric-"$b".img >/dev/null 2>&1 &&
		ok "$k: --state keeps the $b backing image" ||
		ko "$k: --state keeps the $b backing image" "$(ls "$st")"
	out=$("$MFVM" run --kernel "$k" --state "$st" -- bash -c '
		dd if="$MFVM_PMEM" bs=4096 skip=37 count=1 status=none | tr -d "\0"' 2>&1)
	rc=$?
	expect_rc "$k: second boot on the same state" 0 $rc
	[[ $out == *"mfvm-$k."*"-data"* ]] &&
		ok "$k: fabric memory written in the first boot is there in the second" ||
		ko "$k: fabric memory written in the first boot is there in the second" "$out"
}
persist 6.1 cxl
persist 6.12 nvdimm

# A kernel WARNING fails the run, and the trace is shown.
out=$("$MFVM" run --kernel 6.12 -- bash -c 'echo "WARNING: CPU: 0 PID: 1 at t_mfvm.sh fake warning" >/dev/kmsg' 2>&1)
expect_rc "a WARNING in the kernel log fails the run" 121 $?
[[ $out == *"fake warning"* ]] && ok "the WARNING is shown" || ko "the WARNING is shown" "$out"

# --no-module, --backing nvdimm on 6.1.
"$MFVM" run --kernel 6.1 --backing nvdimm --no-module -- bash -c '
	! test -e /dev/memfabric && test "$MFVM_BACKING" = nvdimm && test -b "$MFVM_PMEM" &&
	! lsmod | grep -q "^memfabric "' >/dev/null 2>&1
expect_rc "6.1 with --backing nvdimm --no-module" 0 $?

# --timeout stops a guest that does not finish.
"$MFVM" run --kernel 6.12 --no-module --timeout 45 -- sleep 600 >/dev/null 2>&1
expect_rc "--timeout stops the guest" 124 $?

echo "$name: $pass passed, $fail failed"
[ $fail = 0 ]
