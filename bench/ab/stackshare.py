#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""stackshare - inclusive share of each function in the samples of
`perf script` (from `perf record -g`) whose stack holds a given frame and,
if asked, a given user function: e.g. the page faults of one loop alone,
without its set-up (bench/ab/meas-fault.sh; issue 18).

  perf script -i perf.data | stackshare.py FRAME [USERFN] [TOP]

Prints the number of samples kept and, per function, the percentage of
them whose stack holds it (each function counted once per sample), the
TOP (default 40) largest first.
"""
import collections
import sys


def main():
    frame = sys.argv[1]
    user = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "-" else None
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    count = collections.Counter()
    kept = 0
    stack = []

    def flush():
        nonlocal kept
        syms = set(stack)
        if frame in syms and (user is None or user in syms):
            kept += 1
            count.update(syms)

    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                flush()
            stack = []
            continue
        if line[0] in " \t":
            parts = line.split()
            if len(parts) >= 2:
                stack.append(parts[1].split("+")[0])
    if stack:
        flush()
    print(f"samples with {frame}" + (f" under {user}" if user else "") +
          f": {kept}")
    for sym, n in count.most_common(top):
        print(f"{100.0 * n / max(kept, 1):6.1f}%  {sym}")


if __name__ == "__main__":
    main()
