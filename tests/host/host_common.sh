# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # its variables are for the tests that source it
#
# host_common.sh - what the host tests that boot guests through mfvm
# (tests/host/t_*_crash.sh, t_*_persist.sh) share (sourced, not run):
# the paths, PASS:/FAIL: reporting as tests/mftest.h does, and the start
# of a test: its guest program must be built, and it gets a scratch
# directory $T under build/tests.

set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
MFVM=$TOP/tools/mfvm
name=$(basename "$0")
pass=0
fail=0
ok() { echo "PASS: $name: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $name: $1 ($2)"; fail=$((fail + 1)); }

# host_begin PROGRAM: fail (and exit) unless the guest program PROGRAM is
# built; then make the scratch directory $T, removed at exit.
host_begin() {
	[ -x "$1" ] || { ko "$(basename "$1") is built" "run make"; echo "$name: $pass passed, $fail failed"; exit 1; }
	mkdir -p "$TOP/build/tests"
	T=$(mktemp -d "$TOP/build/tests/${name%.sh}.XXXXXX")
	trap 'rm -rf "$T"' EXIT
}

# guest_dirs KERNEL: $st, KERNEL's guest state (mfvm --state), and $d, its
# directory of logs and results, both under $T.
guest_dirs() {
	st=$T/state-$1
	d=$T/$1
	mkdir -p "$d"
}
