#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mutate.sh - the mutation test of the multi-host protocol core: build the
# simulator once per flush/fence/invalidate call site of kmod/mf_mh_*.c
# with that one site disabled (-DMF_MH_MUTATE=<site>; tests/Makefile's ncsim
# rule, so the sources are the same), run it, and report whether
# the simulator found a violation.  A site it does not catch must be listed
# in REDUNDANT below with the reason in Documentation/multihost.md; any other
# miss fails the test.
#
#   tests/host/ncsim/mutate.sh [schedules per site (default 20000)]

set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../../.." && pwd)
N=${1:-20000}
OUT=$TOP/build/tests/ncsim-mut
mkdir -p "$OUT"

# Sites whose removal cannot be observed, and why (multihost.md, "Mutation
# test"): none expected; fill in only with a proof.
REDUNDANT=" PUT_INVAL "

mapfile -t SITES < <(sed -n 's/^\tMF_MH_S_\([A-Z_]*\),.*/\1/p' "$TOP/kmod/mf_mh_cache.h")
printf '%-4s %-16s %-9s %s\n' site name result "first violation (seed, time, invariant)"
bad=0
i=0
for name in "${SITES[@]}"; do
	bin=$OUT/ncsim-$i
	make -s -B -C "$TOP/tests" NCSIM="$bin" MH_CFLAGS=-DMF_MH_MUTATE=$i \
		"$bin" || exit 2
	out=$("$bin" -n "$N" -q)
	v=$(grep -m1 '^VIOLATION' <<<"$out" | sed 's/^VIOLATION //')
	if [ -n "$v" ]; then
		res=caught
	elif [[ $REDUNDANT == *" $name "* ]]; then
		res=redundant
		v="not caught in $N schedules: see multihost.md"
	else
		res=MISSED
		v="not caught in $N schedules"
		bad=$((bad + 1))
	fi
	printf '%-4s %-16s %-9s %s\n' "$i" "$name" "$res" "$v"
	i=$((i + 1))
done
echo "mutate: ${#SITES[@]} sites, $bad missed"
[ "$bad" = 0 ]
