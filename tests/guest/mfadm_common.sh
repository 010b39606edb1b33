# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # its variables are for the tests that source it
#
# mfadm_common.sh - what the t_mfadm_*.sh guest tests share (sourced, not
# run): PASS:/FAIL: reporting as tests/mftest.h does, running mfadm with
# its exit status, stdout and stderr captured, and reading its JSON with
# python3's parser (and checking its layout against python3's json.dumps).

set -u

name=$(basename "$0")
top=$(cd "$(dirname "$0")/../.." && pwd)
M=$top/build/tools/mfadm
ko=$top/build/kmod/$(uname -r)/memfabric.ko
pools=/sys/kernel/memfabric/pools
pmem=${MFVM_PMEM:-}
npass=0
nfail=0
T=$(mktemp -d "/tmp/$name.XXXXXX")

pass() { npass=$((npass + 1)); echo "PASS: $name: $1"; }
fail() { nfail=$((nfail + 1)); echo "FAIL: $name: $1${2:+ ($2)}"; }
# check WHAT CMD...: passes when CMD succeeds.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what" "$*"; fi; }
# check_eq WHAT GOT WANT
check_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
# check_match WHAT TEXT ERE
check_match() {
	if [[ $2 =~ $3 ]]; then pass "$1"; else fail "$1" "'$2' does not match /$3/"; fi
}
finish() {
	rm -rf "$T"
	echo "$name: $npass passed, $nfail failed"
	[ $nfail -eq 0 ]
}

loaded() { grep -q '^memfabric ' /proc/modules; }

# m ARGS...: run mfadm; sets rc, out (stdout), err (stderr), err_lines.
m() {
	"$M" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
	err_lines=$(wc -l <"$T/err")
}
# m_as_nobody ARGS...: the same, as uid/gid 65534 without capabilities.
m_as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$M" "$@" \
		>"$T/out" 2>"$T/err" </dev/null
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
	err_lines=$(wc -l <"$T/err")
}

# json_valid: the last stdout is one valid JSON value.
json_valid() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" 2>/dev/null; }
# json_layout [FILE]: FILE (the last stdout) is laid out as mfadm always
# printed it, which scripts may rely on: one value printed as Python's
# json.dumps(indent=2) prints it ("key": value, two spaces, [] and {}), or
# lines that are each one value on one line without spaces (version,
# monitor); and a newline at the end.
json_layout() {
	python3 -c '
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
def pretty(t):
    return json.dumps(json.loads(t), indent=2, ensure_ascii=False) + "\n"
def line(l):
    return json.dumps(json.loads(l), separators=(",", ":"), ensure_ascii=False)
try:
    ok = text == pretty(text)
except ValueError:
    ok = False
if not ok:
    lines = text.split("\n")
    ok = lines[-1] == "" and len(lines) > 1 and \
        all(l == line(l) for l in lines[:-1])
sys.exit(0 if ok else 1)' "${1:-$T/out}" 2>/dev/null
}
# j EXPR: evaluate a python expression over d, the last stdout's JSON;
# strings print bare, anything else as JSON (true, null, 42, [...]).
# pool(NAME) is the entry of that pool in a list of pools.
j() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
pool = lambda n: [x for x in d if x["name"] == n][0]
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))' "$T/out" "$1" 2>&1
}

# m_ok WHAT ARGS...: mfadm ARGS exits 0 and prints valid JSON, laid out
# as mfadm always printed it (json_layout).
m_ok() {
	local what=$1
	shift
	m "$@"
	if [ $rc = 0 ] && json_valid && json_layout; then
		pass "$what"
	else
		fail "$what" "mfadm $* exited $rc; stderr: $(head -c 300 "$T/err"); stdout: $(head -c 200 "$T/out")"
	fi
}
# m_fails WHAT STATUS ERE ARGS...: mfadm ARGS exits STATUS with nothing on
# stdout and one line on stderr that matches ERE.
m_fails() {
	local what=$1 want=$2 re=$3
	shift 3
	m "$@"
	m_check_fail "$what" "$want" "$re" "$*"
}
m_fails_as_nobody() {
	local what=$1 want=$2 re=$3
	shift 3
	m_as_nobody "$@"
	m_check_fail "$what" "$want" "$re" "$*"
}
m_check_fail() {
	if [ "$rc" = "$2" ] && [ -z "$out" ] && [ "$err_lines" = 1 ] &&
		[[ $err =~ $3 ]]; then
		pass "$1"
	else
		fail "$1" "mfadm $4: status $rc (want $2), stdout '$(head -c 100 "$T/out")', stderr '$err'"
	fi
}
