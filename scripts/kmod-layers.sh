#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmod-layers.sh - checks that kmod/ stays in layers (issue 16,
# Documentation/design.md "kmod's files and layers"):
#   1. the symbol references between memfabric.ko's object files form no
#      cycle: object A depends on object B when one of A's undefined
#      symbols is defined by B; a cycle in that graph is printed and fails;
#   2. no kmod/*.c file is longer than MAX_LINES (900) lines, except the
#      ones in LONG_OK, each with its reason (printed).
# Prints one PASS: or FAIL: line per check, as tests/run-check's parts do,
# and exits non-zero if one failed.
#
#   scripts/kmod-layers.sh [--no-build] [OBJDIR]
#
# OBJDIR is a kmod build directory holding the module's .o files
# (default: build/kmod-layers/<release> of the first kernel in
# /lib/modules/*/build, built here first unless --no-build).

set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
MAX_LINES=${MAX_LINES:-900}
# Files allowed over MAX_LINES, "file:reason", one a line; none now.
LONG_OK=""
BUILD=1
if [ "${1:-}" = --no-build ]; then
	BUILD=""
	shift
fi
OBJDIR=${1:-}
rc=0

if [ -z "$OBJDIR" ]; then
	kdir=$(ls -d /lib/modules/*/build 2>/dev/null | head -n 1)
	if [ -z "$kdir" ]; then
		echo "FAIL: kmod-layers: no kernel headers in /lib/modules/*/build"
		exit 1
	fi
	rel=$(sed -n 's/^.define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$kdir/include/generated/utsrelease.h")
	OBJDIR=$TOP/build/kmod-layers/$rel
	if [ -n "$BUILD" ]; then
		log=$TOP/build/kmod-layers/build.log
		mkdir -p "$TOP/build/kmod-layers"
		if ! make -s -C "$TOP/kmod" KDIR="$kdir" \
				KMOD_OUT="$TOP/build/kmod-layers" >"$log" 2>&1; then
			echo "FAIL: kmod-layers: the module does not build (log: $log)"
			tail -n 20 "$log" | sed 's/^/    /'
			exit 1
		fi
	fi
fi

# The module's objects, from Kbuild's memfabric-y list.
objs=$(sed -n '/^memfabric-y/,/^$/p' "$TOP/kmod/Kbuild" |
	sed 's/^memfabric-y *:=//; s/\\//g' | tr -s ' \t' '\n' | grep '\.o$')
if [ -z "$objs" ]; then
	echo "FAIL: kmod-layers: no objects in kmod/Kbuild's memfabric-y"
	exit 1
fi
symtab=$(mktemp)
trap 'rm -f "$symtab"' EXIT
for o in $objs; do
	if [ ! -f "$OBJDIR/$o" ]; then
		echo "FAIL: kmod-layers: $OBJDIR/$o missing"
		exit 1
	fi
	# "<object> <U|D> <symbol>": undefined and defined global symbols.
	nm -g "$OBJDIR/$o" | awk -v o="${o%.o}" '
		NF == 2 && $1 == "U" { print o, "U", $2; next }
		NF == 3 { print o, "D", $3 }'
done >"$symtab"

if python3 - "$symtab" <<'EOF'; then
import sys
from collections import defaultdict

defs, undef = {}, defaultdict(set)
for line in open(sys.argv[1]):
    obj, kind, sym = line.split()
    if kind == "D":
        defs[sym] = obj
    else:
        undef[obj].add(sym)
# edges[a][b]: the symbols a uses from b
edges = defaultdict(lambda: defaultdict(list))
objs = sorted(set(defs.values()) | set(undef))
for a in objs:
    for s in sorted(undef[a]):
        b = defs.get(s)
        if b and b != a:
            edges[a][b].append(s)

# Tarjan's strongly connected components: any with more than one object
# is a cycle.
index, low, stack, on, sccs = {}, {}, [], set(), []
def visit(v):
    index[v] = low[v] = len(index)
    stack.append(v)
    on.add(v)
    for w in sorted(edges[v]):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in objs:
    if v not in index:
        visit(v)
if not sccs:
    sys.exit(0)
for comp in sccs:
    print("cycle among: " + " ".join(comp))
    for a in comp:
        for b in sorted(edges[a]):
            if b in comp:
                syms = edges[a][b]
                more = f" (+{len(syms) - 4} more)" if len(syms) > 4 else ""
                print(f"    {a} -> {b}: {' '.join(syms[:4])}{more}")
sys.exit(1)
EOF
	echo "PASS: kmod-layers: no cycle in the symbol references between kmod's objects"
else
	echo "FAIL: kmod-layers: kmod's objects reference each other in a cycle (above)"
	rc=1
fi

long=""
for f in "$TOP"/kmod/*.c; do
	n=$(wc -l <"$f")
	[ "$n" -gt "$MAX_LINES" ] || continue
	b=$(basename "$f")
	why=$(printf '%s\n' "$LONG_OK" | sed -n "s/^$b://p")
	if [ -n "$why" ]; then
		echo "note: kmod-layers: $b has $n lines, allowed: $why"
	else
		long="$long $b ($n lines)"
	fi
done
if [ -z "$long" ]; then
	echo "PASS: kmod-layers: no kmod .c file over $MAX_LINES lines"
else
	echo "FAIL: kmod-layers: kmod .c files over $MAX_LINES lines:$long"
	rc=1
fi
exit $rc
