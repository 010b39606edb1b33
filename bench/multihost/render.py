#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""render.py - bench/results/multihost.md from make bench-multihost's raw
lines: one directory per kernel (DIR/g0.jsonl from host A, DIR/g1.jsonl
from host B, written by bench/multihost/run-guest), a column per kernel.

    render.py --command CMD --out FILE DIR [DIR...]
"""
import argparse
import json
import os
import statistics
import sys

MIB = 1 << 20


def load(d):
    rows, env = [], {}
    for g in (0, 1):
        p = os.path.join(d, "g%d.jsonl" % g)
        if not os.path.exists(p):
            continue
        for line in open(p):
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                r = json.loads(line)
            except ValueError:
                continue
            r["node"] = g
            if r.get("test") == "env":
                env[g] = r
            else:
                rows.append(r)
    return env, rows


def get(rows, metric, variant=None, rep=None, node=None):
    return [r["value"] for r in rows if r.get("metric") == metric
            and (variant is None or r.get("variant") == variant)
            and (rep is None or r.get("rep") == rep)
            and (node is None or r["node"] == node)]


def one(rows, *a, **k):
    v = get(rows, *a, **k)
    return v[0] if v else None


def fmt(x, nd=3):
    if x is None:
        return "–"
    if isinstance(x, float) and not x.is_integer():
        return ("%%.%dg" % nd) % x
    return "{:,}".format(int(x))


def column(d):
    env, rows = load(d)
    e = env.get(1) or env.get(0) or {}
    size = 256 * MIB
    c = {"kernel": e.get("kernel", os.path.basename(d)),
         "date": e.get("date", "")}
    ours = get(rows, "seq_read", "ours", node=1)
    raw = get(rows, "seq_read", "raw", node=1)
    if ours and raw:
        mo, mr = statistics.median(ours), statistics.median(raw)
        ratios = get(rows, "seq_read_ratio", node=1) or \
            [o / r for o, r in zip(ours, raw)]
        mrat = statistics.median(ratios)
        c["seq"] = mrat
        c["seq_txt"] = ("**%.3f** (median of %d per-rep ratios, %.3f–%.3f; "
                        "medians %s vs %s MB/s)" % (
                            mrat, len(ratios), min(ratios), max(ratios),
                            fmt(mo, 4), fmt(mr, 4)))
        c["seq_ok"] = mrat >= 0.97
    pmd = one(rows, "map_faults_pmd", node=1)
    pte = one(rows, "map_faults_4k", node=1)
    runs = one(rows, "raw_runs", node=1)
    c["faults"] = "%s PMD + %s 4 KiB faults; the object is %s device range(s)" % (
        fmt(pmd), fmt(pte), fmt(runs))
    for mode in ("map", "copy"):
        for n in (1, 2):
            g = one(rows, "mem_avail_growth", mode, rep=n, node=1)
            nu = one(rows, "node_used_growth", mode, rep=n, node=1)
            rss = one(rows, "rss_anon_growth", mode, rep=n, node=1)
            pt = one(rows, "page_tables_growth", mode, rep=n, node=1)
            c["mem_%s_%d" % (mode, n)] = (g, nu, rss, pt)
    for h in (1, 2):
        c["units_%d" % h] = one(rows, "fabric_units", rep=h, node=0)
        c["bytes_%d" % h] = one(rows, "fabric_bytes", rep=h, node=0)
    c["unit"] = int((env.get(0) or {}).get("unit") or 0)
    for v in ("remote", "local"):
        c["lat_%s" % v] = (one(rows, "publish_to_get", v, rep=50, node=0),
                           one(rows, "publish_to_get", v, rep=99, node=0),
                           one(rows, "publish_to_get", v, rep=0, node=0),
                           one(rows, "publish_to_get", v, rep=100, node=0))
    c["chan"] = one(rows, "file_oneway", "file", rep=50, node=0)
    c["tries"] = one(rows, "get_tries", node=1)
    c["timeouts"] = (one(rows, "request_timeouts", "lat-a", node=0),
                     one(rows, "request_timeouts", "lat-b", node=1))
    c["req_first"] = one(rows, "get_requests_first", node=1)
    c["req_rep"] = one(rows, "get_requests_repeated", node=1)
    c["req_held_first"] = one(rows, "held_get_requests_first", node=1)
    c["req_held_rep"] = one(rows, "held_get_requests_repeated", node=1)
    c["size"] = size
    return c


def pct(x, whole):
    return "–" if x is None else "%.3f %%" % (100.0 * x / whole)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--command", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    cols = [column(d) for d in a.dirs]
    L = []
    L.append("# make bench-multihost (issue 17)\n")
    L.append("Command: `%s`. Two guests of `tools/mfvm cluster` per kernel on one "
             "NVDIMM backing file; host A (guest 0) manages pool `mh` and "
             "publishes a 256 MiB object, host B (guest 1) reads it. "
             "Documentation/performance.md, \"Multi-host\", says how each row is "
             "measured.\n" % a.command)
    hdr = "| measure | target | " + " | ".join(
        "Linux %s (%s)" % (c["kernel"], c["date"]) for c in cols) + " |"
    L.append(hdr)
    L.append("|---|---|" + "---|" * len(cols))

    def row(name, target, cells):
        L.append("| %s | %s | %s |" % (name, target, " | ".join(cells)))

    row("B's sequential read through its MAP_SHARED mapping / raw mapping of the same device range (mfbraw)",
        "≥ 0.97", [c.get("seq_txt", "–") + (" PASS" if c.get("seq_ok") else " **MISS**")
                   if "seq" in c else "–" for c in cols])
    row("… page table entries of B's mapping", "", [c["faults"] for c in cols])
    for n in (1, 2):
        cells = []
        for c in cols:
            g, nu, rss, pt = c["mem_map_%d" % n]
            cg, cnu, crss, cpt = c["mem_copy_%d" % n]
            whole = n * c["size"]
            worst = max([x for x in (g, nu, (rss or 0) + (pt or 0)) if x is not None] or [0])
            ok = worst <= 0.01 * whole
            cells.append("readers' RssAnon +%s, page tables +%s (together %s of N×size); "
                         "MemAvailable drop %s, node0 MemUsed +%s (%s); copy baseline: RssAnon +%s "
                         "(%s), MemAvailable drop %s, MemUsed +%s %s" % (
                             fmt(rss), fmt(pt), pct((rss or 0) + (pt or 0), whole),
                             fmt(g), fmt(nu), pct(max(g or 0, nu or 0), whole), fmt(crss),
                             pct(crss, whole), fmt(cg), fmt(cnu),
                             "PASS" if ok else "**MISS**"))
        row("B's local memory growth, N = %d reader(s) on each host (bytes)" % n,
            "≤ 1 % of N × size", cells)
    for h in (1, 2):
        cells = []
        for c in cols:
            u, b = c["units_%d" % h], c["bytes_%d" % h]
            exp = c["size"] + (c["unit"] or 0)
            cells.append("%s units × %s B = %s B (size + one name-block unit = %s) %s" % (
                fmt(u), fmt(c["unit"]), fmt(b), fmt(exp),
                "PASS" if b == exp else "**differs**"))
        row("fabric bytes used for the object, %d host(s) holding it" % h,
            "= size (+ name block)", cells)
    cells = []
    for c in cols:
        r, l = c["lat_remote"], c["lat_local"]
        cells.append("p50 %s ms, p99 %s ms (min %s, max %s); A local publish + get: "
                     "p50 %s ms, p99 %s ms; file hop %s ms (A waits for B's file: included); %s failed gets per object; "
                     "requests retried after -ETIMEDOUT: A %s, B %s" % (
                         fmt(r[0]), fmt(r[1]), fmt(r[2]), fmt(r[3]), fmt(l[0]), fmt(l[1]),
                         fmt(c["chan"]), fmt(c["tries"]), fmt(c["timeouts"][0]),
                         fmt(c["timeouts"][1])))
    row("publish on A → BM_GetSec succeeds on B (50 objects, A's clock)", "report", cells)
    cells = []
    for c in cols:
        ok = c["req_rep"] == 0 and c["req_held_first"] == 0 and c["req_held_rep"] == 0
        cells.append("first get %s; 100 repeated gets %s; another process's get while "
                     "B holds it %s, then 100 more %s %s" % (
                         fmt(c["req_first"]), fmt(c["req_rep"]), fmt(c["req_held_first"]),
                         fmt(c["req_held_rep"]), "PASS" if ok else "**MISS**"))
    row("requests to the manager for a repeated GET of a held object on B",
        "0", cells)
    row("member killed → references dropped, extents quarantined", "≤ lease + 1 s",
        ["not measured" for c in cols])
    L.append("")
    open(a.out, "w").write("\n".join(L) + "\n")
    print("\n".join(L))
    return 0


if __name__ == "__main__":
    sys.exit(main())
