#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""render.py - turn the JSON lines of bench/run-bench into
bench/results/latest.md and PNG plots (issue 7).

    bench/render.py [--out-dir bench/results] [--command CMD] RAW.jsonl...

One section per input file (one guest run).  Every figure is a median over
the samples with its spread (min-max); a ratio is the median, over the
samples, of ours / baseline, sample i of each having run next to the other
in the same run (median(ours) / median(baseline) where the samples are not
paired).  A row with a target gets PASS or
MISS; a target without data is a MISS, never left out.  Exit status 0 even
with misses: the benchmark reports, `make check` judges nothing here.
"""
import argparse
import json
import os
import statistics
import sys
from collections import defaultdict

MIB = 1 << 20


def load(path):
    env, stats, failed = {"data_env": []}, {}, []
    samples = defaultdict(list)  # (test, metric, variant, x) -> [values]
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if d.get("test") == "env":
                d["data_env"] = env.get("data_env", [])
                env = d
            elif d.get("test") == "data_env":
                env.setdefault("data_env", []).append(d)
            elif d.get("test") == "stats":
                stats = d.get("stats", {})
            elif d.get("failed"):
                failed.append(d["test"])
            elif "metric" in d:
                samples[(d["test"], d["metric"], d["variant"], d["x"])].append(
                    d["value"])
    return env, stats, failed, samples


class Run:
    def __init__(self, path):
        self.path = path
        self.env, self.stats, self.failed, self.s = load(path)
        self.verdicts = []
        self.ratios = {}  # (title, what) -> (ratio, target shown, verdict)

    def vals(self, test, metric, variant, x=None):
        if x is None:
            for (t, m, v, xx), vals in self.s.items():
                if (t, m, v) == (test, metric, variant):
                    return vals
            return []
        return self.s.get((test, metric, variant, x), [])

    def xs(self, test, metric):
        return sorted({k[3] for k in self.s if k[0] == test and k[1] == metric})


def med(v):
    return statistics.median(v) if v else None


def fmt(x, digits=3):
    if x is None:
        return "n/a"
    if isinstance(x, str):
        return x
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1 or a == 0:
        return f"{x:.{digits - 1}f}"
    return f"{x:.{digits}g}"


def cell(v, scale=1.0):
    """median [min-max] (n)"""
    if not v:
        return "n/a"
    v = [x / scale for x in v]
    if len(v) == 1:
        return fmt(v[0])
    return f"{fmt(med(v))} [{fmt(min(v))}–{fmt(max(v))}]"


def size_name(b):
    b = int(b)
    if b >= 1 << 30 and b % (1 << 30) == 0:
        return f"{b >> 30} GiB"
    if b >= MIB and b % MIB == 0:
        return f"{b >> 20} MiB"
    if b >= 1024 and b % 1024 == 0:
        return f"{b >> 10} KiB"
    return f"{b} B"


def verdict(ratio, op, target):
    if target is None:
        return "—"
    if ratio is None:
        return "**MISS** (no data)"
    ok = ratio >= target if op == ">=" else ratio <= target
    return "PASS" if ok else "**MISS**"


class Table:
    HEAD = "| what | ours | baseline | ratio | target | verdict |\n|---|---:|---:|---:|---|---|\n"

    def __init__(self, run, title):
        self.run, self.rows, self.title = run, [], title

    def row(self, what, ours, base, scale=1.0, op=None, target=None,
            ratio=None, tshow=None):
        mo, mb = med(ours), med(base)
        if (ratio is None and len(ours) == len(base) > 1
                and all(b for b in base)):
            # Sample i of ours and of its baseline ran next to each
            # other: the median of the paired ratios.
            ratio = med([o / b for o, b in zip(ours, base)])
        elif ratio is None and mo is not None and mb:
            ratio = mo / mb
        v = verdict(ratio, op, target)
        if target is not None:
            self.run.verdicts.append((self.title, what, v))
        t = tshow if tshow is not None else (
            f"{op} {target}" if target is not None else "—")
        if target is not None:
            self.run.ratios[(self.title, what)] = (ratio, t, v)
        self.rows.append(f"| {what} | {cell(ours, scale)} | {cell(base, scale)} | "
                         f"{fmt(ratio) if ratio is not None else 'n/a'} | {t} | {v} |")

    def text(self):
        return self.HEAD + "\n".join(self.rows) + "\n"


def section_map(r):
    t = Table(r, "1 mapped access")
    size = (r.xs("map", "seq_read") or [0])[0]
    names = {"seq_read": "sequential read, MB/s", "seq_write": "sequential write, MB/s",
             "rand64": "random 64 B reads, Mops/s"}
    same = bool(r.vals("map", "seq_read", "same"))
    if same:
        # The fair baseline: the very frames of the object, mapped raw.
        for m, label in names.items():
            t.row(f"{label}: vs raw mapping of the same frames",
                  r.vals("map", m, "ours"), r.vals("map", m, "same"),
                  op=">=", target=0.97)
    for m, label in names.items():
        t.row(f"{label}: vs raw devdax", r.vals("map", m, "ours"),
              r.vals("map", m, "raw"),
              **({} if same else {"op": ">=", "target": 0.97}))
    for m, label in names.items():
        t.row(f"{label}: vs anonymous memory", r.vals("map", m, "ours"),
              r.vals("map", m, "anon"))
    pmd = r.vals("map", "map_faults_pmd", "ours")
    runs = r.vals("map", "same_runs", "same")
    same_txt = ("The target's baseline is the very frames of the object mapped "
                "raw (mfbraw.ko, 2 MiB entries, found by tags the object's "
                f"pages carry; {fmt(med(runs))} contiguous run(s)), so both read "
                "the same host memory and differ only in the mapping.  " if same
                else "")
    out = (f"### 1. Mapped access ({size_name(size)}, MAP_SHARED, pre-faulted)\n\n"
           + same_txt
           + ("Other baselines" if same else "Baselines") +
           ": the same emulated device mapped raw (a devdax namespace "
           f"{r.env.get('raw_dev', '')} carved from the same nvdimm region as "
           "pool0, 2 MiB aligned), and anonymous memory (THP "
           f"`{r.env.get('thp', '?')}`).  Ours took {fmt(med(pmd))} PMD faults "
           "to map it.\n\n" + t.text())
    return out


def section_faults(r):
    t = Table(r, "2 faults")
    big = (r.xs("faults", "faults_per_2m") or [0])[-1]
    small = None
    for x in r.xs("faults", "ns_per_fault"):
        if r.vals("faults", "ns_per_fault", "memfd", x):
            small = x
    t.row(f"faults per 2 MiB, {size_name(big)} aligned object, PMD mapping",
          r.vals("faults", "faults_per_2m", "pmd", big), [], op="<=", target=1,
          ratio=med(r.vals("faults", "faults_per_2m", "pmd", big)),
          tshow="<= 1 fault / 2 MiB")
    t.row(f"faults taken to first-touch {size_name(big)}: PMD vs 4 KiB",
          r.vals("faults", "faults", "pmd", big), r.vals("faults", "faults", "4k", big))
    t.row(f"time to first-touch {size_name(big)}, ms: PMD vs 4 KiB",
          r.vals("faults", "touch_time", "pmd", big),
          r.vals("faults", "touch_time", "4k", big))
    if small:
        t.row(f"4 KiB fault, ns: ours vs memfd minor fault ({size_name(small)}, "
              "pre-populated, fault-around off)",
              r.vals("faults", "ns_per_fault", "ours_4k_small", small),
              r.vals("faults", "ns_per_fault", "memfd", small), op="<=", target=1.2)
        t.row("faults taken for it (ours vs memfd)",
              r.vals("faults", "minflt", "ours_4k_small", small),
              r.vals("faults", "minflt", "memfd", small))
    else:
        t.row("4 KiB fault: ours vs memfd minor fault", [], [], op="<=", target=1.2)
    return ("### 2. Faults\n\nA read of one byte per 4 KiB page of a fresh "
            "MAP_SHARED mapping; the 4 KiB case maps the same object at a "
            "virtual address 4 KiB off 2 MiB alignment, so no PMD can be used. "
            "Fault counts from /sys/kernel/memfabric/stats (faults + faults_pmd) "
            "and getrusage().\n\n" + t.text())


def section_data(r):
    t = Table(r, "3 ioctl data path")
    fn = {"read": "BM_ReadSec", "write": "BM_WriteSec", "copy": "BM_CopySec"}
    movsq = any(k[0] == "data" and k[2] == "rep_movsq" for k in r.s)
    for op in ("read", "write", "copy"):
        m = "bw_" + op
        for x in r.xs("data", m):
            target = 0.9 if x >= 64 * 1024 else None
            t.row(f"{fn[op]} {size_name(x)}, MB/s", r.vals("data", m, "ours", x),
                  r.vals("data", m, "memcpy", x),
                  op=">=" if target else None, target=target)
        for x in r.xs("data", m) if movsq else []:
            if x >= 64 * 1024:
                t.row(f"(second baseline) {fn[op]} {size_name(x)} vs rep movsq, MB/s",
                      r.vals("data", m, "ours", x), r.vals("data", m, "rep_movsq", x))
    noop = r.vals("data", "op64", "noop_ioctl")
    for v in ("BM_ReadSec", "BM_WriteSec", "BM_CopySec"):
        t.row(f"{v} 64 B, ns per call vs no-op ioctl", r.vals("data", "op64", v),
              noop, op="<=", target=1.5)
    noop2 = r.vals("data", "op64", "noop_ioctl_2")
    for v, io in (("bare_read_ioctl", "READ"), ("bare_write_ioctl", "WRITE"),
                  ("bare_copy_ioctl", "COPY")):
        if r.vals("data", "op64", v):
            t.row(f"(diagnostic) bare MF_IOC_OBJ_{io} 64 B, no library, vs no-op ioctl",
                  r.vals("data", "op64", v), noop2)
    de = r.env.get("data_env") or []
    if de:
        d = de[-1]
        place = (f"The user buffer sat {d.get('buf_skew')} bytes past a 2 MiB "
                 f"boundary (madvise {'MADV_HUGEPAGE' if d.get('buf_madvise') == 1 else 'MADV_NOHUGEPAGE' if d.get('buf_madvise') == 0 else 'none'}, "
                 f"pre-touched; AnonHugePages "
                 f"{', '.join(str(x.get('buf_anon_huge_kb')) for x in de)} KiB "
                 f"before/after, of the process "
                 f"{', '.join(str(x.get('proc_anon_huge_kb')) for x in de)} KiB; THP "
                 f"`{d.get('thp_enabled', '?')}`) and copies wrote "
                 f"{d.get('copy_skew')} bytes past the offset they read: source "
                 "and destination never share a page of qemu's direct-mapped "
                 "software TLB (Documentation/performance.md, \"Why the "
                 "large-transfer ratios were bimodal\").  ")
    else:
        place = ("No placement record: a run before issue 18, whose ≥ 1 MiB "
                 "ratios depend on where the buffers happened to land.  ")
    return ("### 3. ioctl data path\n\nOurs: BM_ReadSec/BM_WriteSec/BM_CopySec "
            "on 64 MiB objects, stepping through them.  Baselines: memcpy()" +
            (", and a `rep movsq` copy (the routine the guest kernel's "
             "copy_mc_to_user() uses on this vCPU, which has REP_GOOD but no "
             "ERMS)," if movsq else "") + " of the same sizes between the same objects' pre-faulted "
            "MAP_SHARED mappings and a local buffer (read: object to buffer; "
            "write: buffer to object; copy: object to object); each sample "
            "rotates 8 blocks of ours and of each baseline, 32 MiB in all for "
            "each.  Targets are against memcpy().  " + place +
            "No-op ioctl: MF_IOC_VERSION (copies its struct in and out, does "
            "nothing).  The 64 B rows alternate 20 blocks of 1000 calls of "
            "each, in rotating order, each block a sample paired with the "
            "other calls' blocks of its round; the diagnostic rows do the same for the "
            "bare ioctls on handles of their own open file, without the "
            "library.  Plot: `bw_vs_size-*.png`.\n\n" + t.text())


def section_share(r):
    t = Table(r, "4 sharing footprint")
    size = med(r.vals("share", "object_mib", "ours"))
    for n in r.xs("share", "node_growth_pct"):
        node = r.vals("share", "node_growth_pct", "ours", n)
        rss = r.vals("share", "rss_growth_pct", "ours", n)
        # The larger of the two, rep by rep: neither hides growth.
        ours = [max(a, b) for a, b in zip(node, rss)] if rss else node
        base = r.vals("share", "node_growth_pct", "base", n)
        t.row(f"N = {n}: local memory growth, % of N × size",
              ours, base, op="<=", target=1.0, ratio=med(ours),
              tshow="ours <= 1 %")
    for n in r.xs("share", "node_growth_mib"):
        t.row(f"N = {n}: node 0 MemUsed growth, MiB",
              r.vals("share", "node_growth_mib", "ours", n),
              r.vals("share", "node_growth_mib", "base", n))
        t.row(f"N = {n}: Σ RSS growth, MiB",
              r.vals("share", "rss_growth_mib", "ours", n),
              r.vals("share", "rss_growth_mib", "base", n))
        t.row(f"N = {n}: Σ PSS growth, MiB",
              r.vals("share", "pss_growth_mib", "ours", n),
              r.vals("share", "pss_growth_mib", "base", n))
    return ("### 4. Sharing footprint (seed 001)\n\nN processes read a "
            f"published shared object of {fmt(size)} MiB: "
            "ours maps it with BM_MapSec(BM_MAP_SHARED) and reads it all; the "
            "baseline reads it with BM_ReadSec into a malloc()ed buffer of its "
            "own.  Growth is measured between all N processes being ready "
            "(BM_Init done) and all having read, after "
            "/proc/sys/vm/stat_refresh: node 0 MemUsed (local memory; blind "
            "to pages taken from or returned to the per-CPU free lists, so "
            "it moves in steps of those lists), and the sums of the "
            "processes' RSS and PSS (which count library and program pages "
            "first touched during the read, too).  The verdict row takes, "
            "rep by rep, the larger of node 0 growth and Σ RSS growth, as % "
            "of N × size; its ratio column is that % for ours.  Plot: "
            "`share_vs_n-*.png`.\n\n" + t.text())


def section_cow(r):
    t = Table(r, "5 copy-on-write")
    size = (r.xs("cow", "time_ms") or [0])[0]
    t.row("time, ms: write 1 % of pages + commit vs alloc + BM_CopySec of all",
          r.vals("cow", "time_ms", "ours"), r.vals("cow", "time_ms", "copy"))
    t.row("  of which the writes (page copies into local memory), ms",
          r.vals("cow", "write_ms", "ours"), [])
    t.row("  of which BM_CommitSec, ms", r.vals("cow", "commit_ms", "ours"), [])
    t.row("bytes copied into the new object (commit_pages × 4 KiB vs all)",
          r.vals("cow", "commit_bytes", "ours"), r.vals("cow", "commit_bytes", "copy"))
    t.row("bytes copied into local memory by the writes (COW)",
          r.vals("cow", "cow_bytes_local", "ours"), [])
    t.row("new fabric bytes (pool0 used growth)", r.vals("cow", "fabric_bytes", "ours"),
          r.vals("cow", "fabric_bytes", "copy"))
    t.row("2 MiB pieces the commit copied (stats cow_pieces)",
          r.vals("cow", "cow_pieces", "ours"), [])
    return (f"### 5. Copy-on-write ({size_name(size)} published object)\n\n"
            "Ours: BM_MapSec(BM_MAP_PRIVATE, PROT_WRITE), write one byte in "
            "every 100th page, BM_CommitSec of the whole mapping into a new "
            "object.  Baseline: BM_AllocSec + BM_CopySec of the whole object.  "
            "No target was set.\n\n" + t.text())


def section_derive(r):
    t = Table(r, "6 derive")
    size = (r.xs("derive", "time_ms") or [0])[0]
    t.row("time, ms: BM_DeriveSec vs BM_AllocSec + BM_CopySec",
          r.vals("derive", "time_ms", "derive"), r.vals("derive", "time_ms", "copy"),
          op="<=", target=0.01)
    ob = r.vals("derive", "fabric_bytes", "derive")
    bb = r.vals("derive", "fabric_bytes", "copy")
    ratio = (med(ob) / med(bb)) if ob and bb and med(bb) else None
    t.row("new fabric bytes (pool0 used growth), MiB", ob, bb, scale=MIB, op="<=",
          target=0.01, ratio=ratio)
    return (f"### 6. Derive ({size_name(size)})\n\n" + t.text())


def section_alloc(r):
    t = Table(r, "7 allocation")
    t.row("alloc + free pairs per second, 64 KiB objects, 1000 live",
          r.vals("alloc", "pairs_per_s", "stack"), r.vals("alloc", "pairs_per_s", "allocator"))
    return ("### 7. Allocation\n\nOurs: BM_FreeSec of a random live object + "
            "BM_AllocSec of a new one (generated id) through the library, the "
            "ioctls, the object records and the allocator on pool0.  Baseline: "
            "the allocator alone (kmod/mf_extent.c built in userspace, as "
            "`make bench-alloc` builds it, no-op persistence) doing the same "
            "pairs in the same guest.  The ratio is the share of the stack's "
            "time the allocator accounts for; no target was set.\n\n" + t.text())


def section_scale(r):
    t = Table(r, "8 scaling")
    t.row("allocation: alloc + free pairs per second, 2 threads vs 1",
          r.vals("scale", "alloc_pairs_per_s", "2 threads"),
          r.vals("scale", "alloc_pairs_per_s", "1 thread"))
    t.row("data path: BM_ReadSec 1 MiB, MB/s in total, 2 threads vs 1",
          r.vals("scale", "read_mb_per_s", "2 threads"),
          r.vals("scale", "read_mb_per_s", "1 thread"))
    return ("### 8. Scaling\n\n'ours' is 2 threads, 'baseline' 1 thread of "
            "one process (one library session), each thread on its own "
            "objects; 2.0 would be perfect scaling.  The guest's 2 vCPUs are "
            "2 TCG threads on a host whose 2 cores are shared with other "
            "guests, so this shows contention inside memfabric at best "
            "roughly.  No target was set.\n\n" + t.text())


def section_lat(r):
    if not r.xs("lat", "cow_us") and not r.xs("lat", "publish_ms") and \
            not r.xs("lat", "stat_p99_us"):
        return ""
    t = Table(r, "9 latency hazards")
    # a. copy-on-write: derived objects of 1 piece (2 MiB) to many
    xs = sorted(r.xs("lat", "cow_us"))
    for x in xs[1:]:
        t.row(f"COW of one 2 MiB chunk, us: {int(x)} pieces vs {int(xs[0])}",
              r.vals("lat", "cow_us", "derived", x),
              r.vals("lat", "cow_us", "derived", xs[0]))
    # b. pin scan
    for m, label in (("publish_ms", "PUBLISH"), ("derive_ms", "DERIVE")):
        sz = sorted(r.xs("lat", m))
        v = lambda x: r.vals("lat", m, label.lower(), x)
        for x in sz[1:]:
            t.row(f"{label} {size_name(x)} vs {size_name(sz[0])}, ms", v(x), v(sz[0]))
        if len(sz) > 1 and med(v(sz[-1])) is not None:
            t.row(f"{label}, ms per MiB at {size_name(sz[-1])}",
                  [x / (sz[-1] / MIB) for x in v(sz[-1])], [])
    for m in ("stat_p50_us", "stat_p99_us", "stat_max_us"):
        t.row(f"STAT of another object, {m[5:8]} us: during 256 MiB PUBLISH vs idle",
              r.vals("lat", m, "during publish 256M"), r.vals("lat", m, "idle"))
    # c. TTL scan
    for x in sorted(set(r.xs("lat", "stat_p99_us")) - {256 * MIB}):
        for m in ("stat_p50_us", "stat_p99_us", "stat_max_us"):
            t.row(f"STAT, {m[5:8]} us, {int(x)} objects: TTL namespace "
                  "(scan every 10 ms) vs no TTL",
                  r.vals("lat", m, "ttl", x), r.vals("lat", m, "no ttl", x))
    return ("### 9. Latency hazards (issue 15, defect 10)\n\n"
            "`mfbench lat`: (a) one byte written into 4 chunks of a derived "
            "object (each write one copy-on-write), by piece count (a derived "
            "object has one piece per 2 MiB); (b) PUBLISH and DERIVE (pin scan) by size, and a second "
            "thread's STAT while a 256 MiB PUBLISH runs vs idle; (c) STAT "
            "latency in a TTL namespace of N objects with reclaim_interval_ms "
            "10 vs a namespace without TTL.  No target.\n\n" + t.text())


def plots(runs, out_dir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("render: no matplotlib (apt-get install python3-matplotlib): no plots",
              file=sys.stderr)
        return []
    made = []
    for r in runs:
        tag = r.env.get("kernel", "guest").split("-")[0]
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), sharey=True)
        for ax, op in zip(axes, ("read", "write", "copy")):
            m = "bw_" + op
            xs = r.xs("data", m)
            for variant, style in (("ours", "o-"), ("memcpy", "s--"),
                                   ("rep_movsq", "^:")):
                ys = [med(r.vals("data", m, variant, x)) for x in xs]
                lo = [min(r.vals("data", m, variant, x) or [0]) for x in xs]
                hi = [max(r.vals("data", m, variant, x) or [0]) for x in xs]
                label = {"ours": f"BM_{op.capitalize()}Sec", "memcpy": "memcpy (mapped)",
                         "rep_movsq": "rep movsq (mapped)"}[variant]
                if xs and all(y is not None for y in ys):
                    ax.plot(xs, ys, style, label=label)
                    ax.fill_between(xs, lo, hi, alpha=0.2)
            ax.set_xscale("log", base=2)
            ax.set_xticks(xs)
            ax.set_xticklabels([size_name(x).replace(" ", "") for x in xs], rotation=45)
            ax.set_title(f"{op}")
            ax.set_xlabel("transfer size")
            ax.grid(True, alpha=0.3)
            ax.legend()
        axes[0].set_ylabel("MB/s (TCG guest: compare the lines, not the values)")
        fig.suptitle(f"ioctl data path vs memcpy, median and min–max of the reps ({r.env.get('kernel', '')})")
        fig.tight_layout()
        name = f"bw_vs_size-{tag}.png"
        fig.savefig(os.path.join(out_dir, name), dpi=90)
        plt.close(fig)
        made.append(name)

        fig, ax = plt.subplots(figsize=(7, 4.5))
        ns = r.xs("share", "node_growth_mib")
        for variant, label, style in (("ours", "ours: BM_MapSec (shared)", "o-"),
                                      ("base", "baseline: own buffer each", "s--")):
            ys = [med(r.vals("share", "node_growth_mib", variant, n)) for n in ns]
            lo = [min(r.vals("share", "node_growth_mib", variant, n) or [0]) for n in ns]
            hi = [max(r.vals("share", "node_growth_mib", variant, n) or [0]) for n in ns]
            if ns:
                ax.plot(ns, ys, style, label=label)
                ax.fill_between(ns, lo, hi, alpha=0.2)
        rss = [med(r.vals("share", "rss_growth_mib", "ours", n)) for n in ns]
        if ns and all(v is not None for v in rss):
            ax.plot(ns, rss, "o:", label="ours: Σ RSS growth of the N processes")
        ax.set_xlabel("processes N")
        ax.set_xticks(ns)
        ax.set_ylabel("node 0 memory growth, MiB")
        ax.set_title(f"sharing footprint, median and min–max ({r.env.get('kernel', '')})")
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        name = f"share_vs_n-{tag}.png"
        fig.savefig(os.path.join(out_dir, name), dpi=90)
        plt.close(fig)
        made.append(name)
    return made


def kernel_name(r):
    k = r.env.get("kernel", "?")
    return k.split("-")[0] if k[:1].isdigit() else k


def summary_table(runs):
    """One row per target, one column per guest run (kernel)."""
    keys = []
    for r in runs:
        for t, w, _ in r.verdicts:
            if (t, w) not in keys:
                keys.append((t, w))
    head = "| measurement | target | " + " | ".join(
        f"{kernel_name(r)} ({r.env.get('backing', '?')})" for r in runs) + " |\n"
    head += "|---|---|" + "---:|" * len(runs) + "\n"
    rows = []
    for t, w in keys:
        tshow = next((r.ratios[(t, w)][1] for r in runs if (t, w) in r.ratios), "—")
        cells = []
        for r in runs:
            if (t, w) in r.ratios:
                ratio, _, v = r.ratios[(t, w)]
                cells.append(f"{fmt(ratio)} {v}" if ratio is not None else v)
            elif any(x[:2] == (t, w) for x in r.verdicts):
                cells.append("**MISS**")
            else:
                cells.append("not run")
        rows.append(f"| {t}: {w} | {tshow} | " + " | ".join(cells) + " |")
    tot = " | ".join(
        f"{sum(1 for v in r.verdicts if v[2] == 'PASS')} PASS, "
        f"{sum(1 for v in r.verdicts if v[2] != 'PASS')} MISS" for r in runs)
    return ("## Verdicts, one column per kernel\n\nEach cell: ratio and verdict "
            "from that kernel's guest run (the sections below have the medians "
            "and spreads).\n\n" + head + "\n".join(rows) +
            f"\n| **total** | | {tot} |\n\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--md", default="latest.md", help="name of the Markdown file in --out-dir")
    ap.add_argument("raw", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    runs = [Run(p) for p in a.raw if os.path.exists(p)]
    if not runs:
        print("render: no results", file=sys.stderr)
        return 1
    made = plots(runs, a.out_dir)
    parts = []
    for r in runs:
        e = r.env
        body = [
            section_map(r), section_faults(r), section_data(r), section_share(r),
            section_cow(r), section_derive(r), section_alloc(r), section_scale(r), section_lat(r)]
        head = (f"## Guest: Linux {e.get('kernel', '?')}, {e.get('backing', '?')} "
                f"fabric\n\n"
                f"- date: {e.get('date', '?')}{' (QUICK run: not the benchmark)' if e.get('quick') else ''}\n"
                f"- guest: {e.get('cpus', '?')} vCPUs ({e.get('cpu', '?')}, qemu TCG), "
                f"{int(e.get('mem_kb', 0)) // 1024} MiB RAM, THP `{e.get('thp', '?')}`\n"
                f"- pool0: {e.get('pool_dev', '?')}, capacity "
                f"{int(e.get('pool_capacity', 0)) / (1 << 30):.2f} GiB (fsdax); raw "
                f"baseline {e.get('raw_dev', '?')} (devdax) on the same region\n"
                f"- module {e.get('module', '?')}; raw samples: `{os.path.relpath(r.path, a.out_dir)}`\n")
        if r.failed:
            head += f"- **FAILED measurements: {', '.join(r.failed)}** (their targets are MISSes)\n"
            for tname in r.failed:
                r.verdicts.append((tname, "the measurement failed", "**MISS**"))
        np_ = sum(1 for v in r.verdicts if v[2] == "PASS")
        nm = sum(1 for v in r.verdicts if v[2] != "PASS")
        summary = f"\n**{np_} PASS, {nm} MISS** of {len(r.verdicts)} targets.\n"
        if nm:
            summary += "\nMisses:\n\n" + "\n".join(
                f"- {t}: {w}" for t, w, v in r.verdicts if v != "PASS") + "\n"
        parts.append(head + summary + "\n" + "\n".join(body))
    md = ("# memfabric benchmark results (`make bench`)\n\n"
          "Generated by bench/render.py; do not edit.  Every figure is the "
          "median over the samples, with the spread [min–max] of the "
          "samples in brackets.  Ours and its baseline ran interleaved "
          "in the same guest run (rep r runs ours first when r is even; "
          "mapped access and the 4 KiB fault take a sample per block or chunk); "
          "ratio = the median over the samples of ours / baseline, sample i "
          "of each having run next to the other.  Absolute times in a TCG "
          "guest mean nothing: read the ratios and the counts.\n\n"
          f"Command: `{a.command}`\n\n"
          + ("Plots: " + ", ".join(f"`{m}`" for m in made) + "\n\n" if made else "")
          + summary_table(runs) + "\n".join(parts))
    with open(os.path.join(a.out_dir, a.md), "w") as f:
        f.write(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
