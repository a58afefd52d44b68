#!/usr/bin/env python3
"""Reads the guest logs of `make bench` (tools/bench/guest-bench output, one per kernel) and
prints the results as Markdown: the overhead table, start-up and RSS, daxtrace's per-program BPF
cost, map memory, the check that the bpftrace script gives daxtrace's numbers, and the contention
of the programs on all CPUs of the host (build/bench/contention).

usage: report.py DIR KERNEL...      (DIR holds KERNEL.log, KERNEL.stderr, meta.txt, host.txt,
                                     contention.txt)
"""
import json
import os
import re
import statistics
import sys

# (name in guest-bench, label): the MAP_SYNC storms first, then the cheap faults (no sync)
WORKLOADS = [("pte1", "PTE sync, 1 thread"), ("pte2", "PTE sync, 2 threads"),
             ("pmd1", "PMD sync, 1 thread"), ("pmd2", "PMD sync, 2 threads"),
             ("rd1", "PTE read, 1 thread"), ("rd2", "PTE read, 2 threads"),
             ("rdpmd1", "PMD read, 1 thread"), ("rdpmd2", "PMD read, 2 threads"),
             ("wr1", "PTE write, 1 thread"), ("wr2", "PTE write, 2 threads")]
# daxtrace / ftrace hist triggers (counts only): in the PTE cells, sync or not, daxtrace must
# cost no more than the hist triggers; in the PMD cells (a few % for every tool), at most twice.
FTRACE_GOAL = {wl: 2.0 if wl.startswith(("pmd", "rdpmd")) else 1.0 for wl, _ in WORKLOADS}
BPFTRACE_GOAL = 0.33
LABELS = {
    "base": "untraced",
    "daxtrace": "daxtrace (aggregate)",
    "daxtrace_tp": "daxtrace --no-func-probes",
    "daxtrace_trace": "daxtrace trace",
    "bpftrace": "bpftrace script",
    "perf": "perf record -e 'fs_dax:*'",
    "tracecmd": "trace-cmd record -e fs_dax",
    "ftrace": "ftrace hist triggers",
    "ftrace_lat": "ftrace hist + latency",
}
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "lib"))
import dt_tables  # noqa: E402  (include/dt_tables.h)
from kdev import kdev_encode  # noqa: E402

COUNTERS = dt_tables.names("DT_COUNTERS")
HISTS = {"pte_fault": "@pte_fault_ns", "pmd_fault": "@pmd_fault_ns", "sync_fault": "@sync_fault_ns",
         "fsync": "@fsync_ns", "mkwrite": "@mkwrite_ns", "writeback_range": "@writeback_range_ns"}


def parse(path):
    g = {"samples": {}, "tools": {}, "checks": {}, "extra": {}, "maps": [], "inodes": [],
         "maxinodes": {}, "cases": [], "errors": []}
    lines = open(path, errors="replace").read().splitlines()
    variant = rep = None
    i = 0
    cur_inode = None
    cur_max = None
    section = None
    while i < len(lines):
        ln = lines[i]
        w = ln.split()
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if ln.startswith("@@kernel "):
            g["kernel"] = w[1]
        elif ln.startswith("@@cpus "):
            g["cpus"] = ln[7:].strip()
        elif ln.startswith("@@clocksource "):
            g["clocksource"] = ln[14:].strip()
        elif ln.startswith("@@error"):
            g["errors"].append(ln[8:])
        elif ln.startswith("@@variant "):
            variant, rep = w[1], int(w[2])
            section = "main"
        elif ln.startswith("@@sample "):
            v, r, wl = w[1], int(w[2]), w[3]
            m = re.match(r"@@run ([\d.]+) (\d+)(?: (\d+))?", nxt)
            truth = lines[i + 2] if i + 2 < len(lines) else ""
            if m:
                if m.group(3):
                    g.setdefault("rusage", {})[(v, r, wl)] = int(m.group(3))
                faults = None
                try:
                    e = json.loads(truth)["expect"]
                    faults = e.get("pte_faults", 0) + e.get("pmd_faults", 0)
                except (ValueError, KeyError):
                    pass
                g["samples"][(v, r, wl)] = (float(m.group(1)), int(m.group(2)), faults)
                i += 2
        elif ln.startswith("@@tool "):
            rc, rss, startup = int(w[1]), int(w[2]), int(w[3])
            if section == "main" and len(w) > 4:
                g.setdefault("cpu", {}).setdefault(variant, []).append(int(w[4]))
            if section == "main":
                g["tools"].setdefault(variant, []).append((rc, rss, startup))
            elif section == "inodes" and cur_inode is not None:
                cur_inode["tool"] = (rc, rss, startup)
            else:
                g["extra"].setdefault("tools", []).append((rc, rss, startup))
        elif ln == "@@json" and section == "main":
            try:
                d = json.loads(nxt)
                t = d["totals"]
                g["checks"].setdefault(variant, []).append(
                    ("daxtrace", rep, t["pte_faults"] + t["pmd_faults"], d["diagnostics"]))
            except (ValueError, KeyError):
                g["checks"].setdefault(variant, []).append(("daxtrace", rep, None, {}))
        elif ln.startswith("@@trace_lines "):
            g["checks"].setdefault(variant, []).append(("trace", rep, int(w[1]), int(w[2])))
        elif ln.startswith("@@stderr ") and section == "main":
            g["checks"].setdefault(variant, []).append(("stderr", rep, ln[9:], None))
        elif ln == "@@bpftrace" and section == "main":
            n = 0
            j = i + 1
            while j < len(lines) and lines[j].startswith("{"):
                try:
                    for mp in json.loads(lines[j])["data"].values():
                        n += sum(mp.values())
                except (ValueError, KeyError, AttributeError):
                    pass
                j += 1
            g["checks"].setdefault(variant, []).append(("bpftrace", rep, n, None))
        elif ln.startswith("@@hist ") and section == "main":
            m = re.search(r"Hits: (\d+).*Dropped: (\d+)", ln)
            if m:
                g["checks"].setdefault(variant, []).append(
                    ("hist", rep, (w[1], int(m.group(1)), int(m.group(2))), None))
        elif ln.startswith("@@end_main"):
            section = None
        elif ln.startswith("@@extra stats"):
            section = "stats"
        elif ln.startswith("@@extra inodes"):
            section = "inodes"
        elif ln.startswith("@@map "):
            rec = dict(zip(["id", "type", "key", "value", "max_entries", "memlock"],
                           [int(x) if x.isdigit() else x for x in w[1:]]))
            if section == "stats":
                g["maps"].append(rec)
            elif cur_max is not None:
                g["maxinodes"][cur_max].append(rec)
            elif cur_inode is not None:
                cur_inode["maps"].append(rec)
        elif ln == "@@bpftool_maps":
            try:
                g["bpftool_maps"] = json.loads(nxt)
            except ValueError:
                pass
        elif ln == "@@bpftool_progs":
            try:
                g["bpftool_progs"] = json.loads(nxt)
            except ValueError:
                pass
        elif ln.startswith("@@case "):
            m = re.match(r"@@run ([\d.]+) (\d+)", nxt)
            g["cases"].append((ln[7:], float(m.group(1)) if m else None,
                               int(m.group(2)) if m else None))
        elif ln == "@@stats_daxtrace":
            try:
                g["stats_daxtrace"] = json.loads(nxt)
            except ValueError:
                pass
        elif ln == "@@stats_bpftrace":
            bt = {}
            j = i + 1
            while j < len(lines) and lines[j].startswith("{"):
                try:
                    o = json.loads(lines[j])
                    if o.get("type") in ("map", "hist"):
                        bt.update(o["data"])
                except ValueError:
                    pass
                j += 1
            g["stats_bpftrace"] = bt
        elif ln.startswith("@@inodes "):
            cur_inode = {"files": int(w[1]), "max_inodes": w[2], "maps": [], "status": []}
            cur_max = None
            g["inodes"].append(cur_inode)
        elif ln.startswith("@@status ") and cur_inode is not None:
            kv = dict(re.findall(r"(\w+): (\d+) kB", ln))
            cur_inode["status"].append({k: int(v) for k, v in kv.items()})
        elif ln.startswith("@@run ") and section == "inodes" and cur_inode is not None:
            cur_inode["run_s"] = float(w[1])
        elif ln.startswith("@@inodes_json "):
            cur_inode["json_bytes"] = int(w[1])
        elif ln.startswith("@@inodes_diag "):
            m = re.match(r"@@inodes_diag (\d+) (\d+) (\{.*\})", ln)
            if m:
                cur_inode["seen"] = int(m.group(1))
                cur_inode["pte_faults"] = int(m.group(2))
                cur_inode["diag"] = json.loads(m.group(3))
        elif ln.startswith("@@maxinodes "):
            cur_max = int(w[1])
            cur_inode = None
            g["maxinodes"][cur_max] = []
        elif ln.startswith("@@done "):
            g["done"] = float(w[1])
        i += 1
    return g


def med(xs):
    return statistics.median(xs) if xs else None


def pct(x):
    return "n/a" if x is None else "%+.0f%%" % (100 * x)


def si(n):
    return "%.0f" % n if n >= 100 else "%.1f" % n


def overheads(g, v, wl):
    """Per round: time under v / untraced time of the same round - 1."""
    out = []
    for (vv, r, w), (t, rc, _) in g["samples"].items():
        if vv != v or w != wl or rc != 0:
            continue
        b = g["samples"].get(("base", r, wl))
        if b and b[1] == 0 and b[0] > 0:
            out.append(t / b[0] - 1)
    return out


def rates(g, v, wl):
    return [f / t for (vv, r, w), (t, rc, f) in g["samples"].items()
            if vv == v and w == wl and rc == 0 and f and t > 0]


def meta(d):
    m = {}
    p = os.path.join(d, "meta.txt")
    if os.path.exists(p):
        for ln in open(p):
            k, _, v = ln.rstrip("\n").partition(" ")
            m.setdefault(k, []).append(v)
    return m


def accel_of(d, k):
    p = os.path.join(d, k + ".stderr")
    if os.path.exists(p):
        m = re.search(r"accel (\w+)", open(p, errors="replace").read())
        if m:
            return m.group(1).upper()
    return "?"


def insn_ns(m):
    """ns of guest time per executed instruction under icount (2^shift), or None on the host's clock."""
    mm = re.search(r"shift=(\d+)", m.get("icount", [""])[0])
    return 2 ** int(mm.group(1)) if mm else None


CONTENTION_GOAL = 1.2


def contention(d, P):
    """The Contention section from DIR/contention.txt (build/bench/contention's output, or a
    contention_skipped / contention_failed line saying why there is none)."""
    path = os.path.join(d, "contention.txt")
    P("## Contention: daxtrace's programs on one CPU and on all at once (host)")
    P("")
    if not os.path.exists(path):
        P("- not run (no %s)" % path)
        P("")
        return
    lines = open(path).read().splitlines()
    why = [ln for ln in lines if ln.startswith(("contention_skipped", "contention_failed"))]
    figs = {}
    for ln in lines:
        x = ln.split()
        if len(x) >= 2 and x[0] == "@@contention":
            figs[x[1]] = dict(kv.split("=", 1) for kv in x[2:] if "=" in kv)
    seqs = [k for k in figs if k not in ("baseline", "selfcheck", "calibration")]
    if why or not seqs:
        P("- not measured: %s" % (" ".join(why[0].split()[1:]) if why else "no figures in contention.txt"))
        P("")
        return
    P("Each fault's events run through BPF_PROG_TEST_RUN on its thread's CPU (one thread per CPU, "
      "pinned), first one thread with the other CPUs idle, then all at once; the cost of the test-run "
      "syscall with a program that only returns, timed alongside, is subtracted. Median of the rounds. "
      "Goal: all/one <= %.1f." % CONTENTION_GOAL)
    P("")
    P("| sequence | CPUs | ns/fault one | ns/fault all | all/one | goal |")
    P("|---|---|---|---|---|---|")
    for k in seqs:
        f = figs[k]
        r = float(f.get("ratio", "nan"))
        P("| %s | %s | %s | %s | %.2f | %s |" % (k, f.get("cpus", "?"), f.get("one", "?"), f.get("all", "?"), r,
                                                "met" if r <= CONTENTION_GOAL else "**not met**"))
    b = figs.get("baseline", {})
    P("")
    P("Test-run syscall alone: one %s ns, all %s ns. Self-check (counters read back through dt_collect): %s." % (
        b.get("one", "?"), b.get("all", "?"), "exact" if "selfcheck" in figs else "**missing**"))
    c = figs.get("calibration")
    if c:
        P("")
        P("What this host charges for a contended cache line: CPUs 0 and %d adding to one counter at once, "
          "%s ns per atomic add; to counters on lines of their own, %s ns (%sx). Near 1x, this host cannot "
          "show contention at all (SMT siblings, or vCPUs run in turn), and the ratios above are a floor; "
          "docs/PERFORMANCE.md models a many-core host." % (
              int(c.get("cpus", "2")) - 1, c.get("shared", "?"), c.get("own", "?"), c.get("ratio", "?")))
    P("")


def main():
    d, kernels = sys.argv[1], sys.argv[2:]
    m = meta(d)
    ins = insn_ns(m)
    guests = {}
    for k in kernels:
        p = os.path.join(d, k + ".log")
        if os.path.exists(p):
            guests[k] = parse(p)
    variants = (m.get("variants", [""])[0] or "").split() or list(LABELS)
    out = []
    P = out.append
    P("# daxtrace overhead benchmark (`make bench`)")
    P("")
    P("- date: %s; commit %s; %s rounds per kernel; host %s, %s CPUs (%s)" % (
        m.get("date", ["?"])[0], m.get("commit", ["?"])[0], m.get("reps", ["?"])[0],
        m.get("host_kernel", ["?"])[0], *(m.get("host_cpu", ["? ?"])[0].split(" ", 1))))
    if ins:
        P("- clock: **icount** (QEMU `-icount %s`): the guest's clock advances %d ns per instruction it "
          "executes, so every time below is an instruction count times %d ns, repeatable whatever the host "
          "does; 1 vCPU, the two threads of the 2-thread workloads take turns on it" % (
              m["icount"][0], ins, ins))
    else:
        P("- clock: the host's (wall time under emulation: as noisy as the host)")
    for k, g in guests.items():
        P("- guest `%s`: kernel %s, accel **%s** (QEMU, single-threaded TCG%s), ext4 -o dax on emulated "
          "pmem (2 GiB), 3 GiB RAM; %s; clocksource %s" % (
              k, g.get("kernel", "?"), accel_of(d, k),
              "" if ins else ": the 2 vCPUs take turns on one host thread",
              g.get("cpus", ""), g.get("clocksource", "?")))
    P("- peers: %s" % "; ".join(m.get("peer", [])))
    par = m.get("parallel", ["1"])[0] == "1"
    P("- guests ran %s" % ("at the same time (one per host core)" if par else "one after the other"))
    for line in m.get("guest", []):
        if not line.endswith("exit 0"):
            P("- **guest %s** (see build/bench/*.stderr)" % line)
    P("")
    P("## Overhead: extra time per fault against untraced (median of the rounds, min..max)")
    P("")
    P("Untraced rows: faults/s, median (min..max). Other rows: time of the fault phase under "
      "the tracer / untraced time in the same round, minus 1.")
    P("")
    P("| kernel | tool | " + " | ".join(lbl for _, lbl in WORKLOADS) + " |")
    P("|---|---|" + "---|" * len(WORKLOADS))
    summary = {}
    for k, g in guests.items():
        for v in variants:
            cells = []
            for wl, _ in WORKLOADS:
                if v == "base":
                    r = rates(g, v, wl)
                    cells.append("%s/s (%s..%s)" % (si(med(r)), si(min(r)), si(max(r))) if r else "n/a")
                else:
                    o = overheads(g, v, wl)
                    summary[(k, v, wl)] = med(o)
                    cells.append("%s (%s..%s)" % (pct(med(o)), pct(min(o)), pct(max(o))) if o
                                 else "failed" if any(e.startswith("start") and v in e for e in g["errors"])
                                 else "n/a")
            P("| %s | %s | %s |" % (k, LABELS.get(v, v), " | ".join(cells)))
    P("")
    # faults per workload
    for k, g in guests.items():
        fl = {}
        for (v, r, w), (t, rc, f) in g["samples"].items():
            if v == "base":
                fl[w] = f
        P("Faults per run (%s): %s. daxload: PTE sync `-s 2 -f 4 -n 2 pte` / `storm -t 2` (4 files written "
          "twice), PMD sync `-s 64 -f 6 pmd` (`-t 2`); no sync, on files written and fsync'd first: PTE read "
          "`-s 16 -f 4 read`, PMD read `-s 16 -f 4 -n 360 readpmd` (360 passes over each file, MADV_DONTNEED between), PTE write "
          "`-s 16 -f 4 write` (`-t 2`: the same)." % (k, ", ".join("%s %s" % (w, fl.get(w)) for w, _ in WORKLOADS)))
        break
    P("")
    P("### Goals")
    P("")
    P("Goals: daxtrace / bpftrace <= %.2f in every cell; daxtrace / ftrace hist <= 1.00 in every PTE cell "
      "(sync or not, 1 and 2 threads: no more than the hist triggers), <= 2 in the PMD cells." % BPFTRACE_GOAL)
    P("")
    P("| kernel | workload | daxtrace | bpftrace | daxtrace / bpftrace (goal <= %.2f) | ftrace hist | "
      "daxtrace / ftrace | goal |" % BPFTRACE_GOAL)
    P("|---|---|---|---|---|---|---|---|")
    for k in guests:
        for wl, lbl in WORKLOADS:
            a, b, f = (summary.get((k, v, wl)) for v in ("daxtrace", "bpftrace", "ftrace"))

            def ratio(x, y, goal):
                if x is None or y is None:
                    return "n/a"
                if y < 0.02:  # below what a round resolves (the PMD cells: every tool +0..3%)
                    return "n/a (peer %s)" % pct(y)
                r = max(x, 0) / y
                return "%.2f" % r if r <= goal else "**%.2f** (missed)" % r
            P("| %s | %s | %s | %s | %s | %s | %s | <= %.2f |" % (
                k, lbl, pct(a), pct(b), ratio(a, b, BPFTRACE_GOAL), pct(f), ratio(a, f, FTRACE_GOAL[wl]),
                FTRACE_GOAL[wl]))
    P("")
    # sanity: did each tracer see the faults?
    P("### Did every tracer see every fault? (per round: events or counts it reported)")
    P("")
    for k, g in guests.items():
        decl = {}
        for (v, r, w), (t, rc, f) in g["samples"].items():
            decl[(v, r)] = decl.get((v, r), 0) + (f or 0)
        notes = []
        ru = g.get("rusage", {})
        odd = [(key, ru[key], g["samples"][key][2]) for key in sorted(ru)
               if g["samples"][key][2] and ru[key] > g["samples"][key][2] + 1000]
        if ru:
            notes.append("timed runs whose page faults (rusage, all kinds) exceed the declared DAX faults "
                         "by more than 1000 (a PMD fallback to PTEs would): %s" % (
                             ", ".join("%s r%d %s: %d vs %d" % (k_[0], k_[1], k_[2], a, b) for k_, a, b in odd) or "none"))
        for v, items in g["checks"].items():
            for kind, r, a, b in items:
                if kind == "daxtrace":
                    notes.append("%s r%d: %s of %s faults%s" % (v, r, a, decl.get((v, r)),
                                 "" if not b or not any(b.get(x) for x in ("inode_map_full", "inflight_map_full", "lost_events")) else " diag %s" % b))
                elif kind == "trace":
                    notes.append("%s r%d: %d lines (%d bytes)" % (v, r, a, b))
                elif kind == "bpftrace":
                    notes.append("%s r%d: %s of %s faults" % (v, r, a, decl.get((v, r))))
                elif kind == "hist" and a[0] in ("dax_pte_fault_done", "dax_pmd_fault_done"):
                    notes.append("%s r%d %s: %d hits, %d dropped" % (v, r, a[0], a[1], a[2]))
                elif kind == "stderr" and b is None and v != "daxtrace_trace":
                    notes.append("%s r%d: %s" % (v, r, a.strip()))
        P("<details><summary>%s</summary>\n\n%s\n\n</details>\n" % (k, "\n".join("- " + n for n in notes)))
        for e in g["errors"]:
            P("- **error (%s)**: %s" % (k, e))
    P("")
    # start-up and RSS
    P("## Start-up (exec to attached) and peak RSS, per start in the rounds above")
    P("")
    P("CPU after attach: the tracer process's own user+system time from attached to exit (the "
      "timed workloads, one warm-up, the stop); under single-threaded TCG it is taken "
      "from the workload's vCPU time." + (" Guest times (icount): start-up includes every "
      "instruction of loading and attaching, at %d ns each." % ins if ins else ""))
    P("")
    P("| kernel | tool | start-up median (min..max) | peak RSS median | CPU after attach, median |")
    P("|---|---|---|---|---|")
    for k, g in guests.items():
        for v in variants:
            ts = g["tools"].get(v)
            if not ts:
                continue
            st = [s / 1e9 for rc, rss, s in ts if s]
            rs = [rss for rc, rss, s in ts]
            cpu = g.get("cpu", {}).get(v, [])
            P("| %s | %s | %s | %s | %s |" % (
                k, LABELS.get(v, v),
                "%.2f s (%.2f..%.2f)" % (med(st), min(st), max(st)) if st else "-",
                "%.1f MiB" % (med(rs) / 1024), "%.2f s" % (med(cpu) / 1000) if cpu else "-"))
    host = [ln.split() for ln in open(os.path.join(d, "host.txt"))] if os.path.exists(os.path.join(d, "host.txt")) else []
    hs = [(int(x[2]), int(x[3])) for x in host if x[0] == "host_daxtrace" and len(x) >= 4]
    if hs:
        P("| host %s (no DAX: tracepoints only, `-d 1`) | daxtrace | %.3f s (%.3f..%.3f) | %.1f MiB | - |" % (
            m.get("host_kernel", ["?"])[0], med([s for _, s in hs]) / 1e9, min(s for _, s in hs) / 1e9,
            max(s for _, s in hs) / 1e9, med([r for r, _ in hs]) / 1024))
    P("")
    # per-program cost
    P("## daxtrace's own cost per BPF program (`--stats`, kernel.bpf_stats_enabled)")
    P("")
    P("From one pass of ten daxload cases (pte, storm -t 2, pmd, pmd -t 2 on 2 files each, then misaligned, noentry, "
      "holes, eof, entry_conflict, rewrite) with daxtrace --stats and the bpftrace script attached "
      "together. " + (
          "ns/run is guest time under icount, %d ns per instruction: instructions/run = ns/run / %d." % (ins, ins)
          if ins else "ns/run is guest time under TCG: tens of times native, for comparison between programs and tools only."))
    P("")
    for k, g in guests.items():
        dt = g.get("stats_daxtrace")
        if not dt or "bpf_stats" not in dt:
            P("- %s: no --stats output" % k)
            continue
        t = dt["totals"]
        faults = t["pte_faults"] + t["pmd_faults"]
        P("**%s** (%d faults, %d sync faults):" % (k, faults, t["sync_faults"]))
        P("")
        P("| program | hook | runs | ns/run |" + (" instructions/run |" if ins else ""))
        P("|---|---|---|---|" + ("---|" if ins else ""))
        tot = 0
        for s in dt["bpf_stats"]:
            if not s["runs"]:
                continue
            tot += s["run_time_ns"]
            P("| %s | %s | %d | %.0f |" % (s["program"], s["hook"], s["runs"], s["run_time_ns"] / s["runs"])
              + (" %.0f |" % (s["run_time_ns"] / s["runs"] / ins) if ins else ""))
        bt_tot = 0
        bt_runs = []
        for p in g.get("bpftool_progs", []):
            if p.get("run_cnt") and not re.match(r"(btf|raw|fe|fx|kp|krp)_", p.get("name", "")):
                bt_tot += p["run_time_ns"]
                bt_runs.append(p)
        P("")
        def per_fault(ns):
            return "**%.1f us**" % (ns / faults / 1e3) + (
                " (%.0f instructions)" % (ns / faults / ins) if ins else "")
        P("BPF time per fault (sum of run_time_ns / faults): daxtrace %s, bpftrace script "
          "%s." % (per_fault(tot), "%s (%d programs, bpftool prog show)" % (
              per_fault(bt_tot), len(bt_runs)) if bt_runs else "n/a"))
        if bt_runs:
            P("")
            P("<details><summary>bpftrace programs (%s)</summary>\n" % k)
            P("| program | runs | ns/run |")
            P("|---|---|---|")
            for p in bt_runs:
                P("| %s | %d | %.0f |" % (p["name"], p["run_cnt"], p["run_time_ns"] / p["run_cnt"]))
            P("\n</details>")
        P("")
    # equivalence
    P("## Does the bpftrace script give daxtrace's numbers?")
    P("")
    for k, g in guests.items():
        dt, bt = g.get("stats_daxtrace"), g.get("stats_bpftrace")
        if not dt or bt is None:
            P("- %s: not compared (missing output)" % k)
            continue
        diffs, n, compared = [], 0, 0
        btkey = lambda dev, ino: "%d,%d" % (kdev_encode(dev), ino)
        tot = {c: 0 for c in COUNTERS}
        # The script keys by (dev, ino); daxtrace by (dev, ino, generation), and the cases
        # delete their files, so ext4 hands an inode number to several files in turn: sum
        # daxtrace's rows of each (dev, ino) first.
        rows = {}
        for ino in dt["inodes"]:
            r = rows.setdefault((ino["dev"], ino["ino"]), {"dev": ino["dev"], "ino": ino["ino"],
                                                          "fallback_reasons": {}})
            for c in COUNTERS:
                r[c] = r.get(c, 0) + ino.get(c, 0)
            for reason, a in ino.get("fallback_reasons", {}).items():
                r["fallback_reasons"][reason] = r["fallback_reasons"].get(reason, 0) + a
        for ino in rows.values():
            key = btkey(ino["dev"], ino["ino"])
            n += 1
            for c in COUNTERS:
                a = ino.get(c, 0)
                b = bt.get("@" + c, {}).get(key, 0) if isinstance(bt.get("@" + c), dict) else 0
                tot[c] += b
                compared += 1
                if a != b:
                    diffs.append("%s ino %s %s: daxtrace %d, bpftrace %d" % (k, ino["ino"], c, a, b))
            for r, a in ino.get("fallback_reasons", {}).items():
                b = bt.get("@fallback_reasons", {}).get("%s,%s" % (key, r), 0)
                compared += 1
                if a != b:
                    diffs.append("%s ino %s reason %s: daxtrace %d, bpftrace %d" % (k, ino["ino"], r, a, b))
        hd = {h["name"]: h["count"] for h in dt.get("histograms", [])}
        hist_cmp = []
        for name, bname in HISTS.items():
            b = sum(x["count"] for x in bt.get(bname, [])) if isinstance(bt.get(bname), list) else 0
            a = hd.get(name, 0)
            hist_cmp.append("%s %d/%d" % (name, a, b))
            compared += 1
            if a != b:
                diffs.append("%s histogram %s samples: daxtrace %d, bpftrace %d" % (k, name, a, b))
        skipped = dt.get("diagnostics", {}).get("bpf_recursion_misses", 0)
        P("- **%s**: %d inodes, %d numbers compared, %d differ. Totals (bpftrace): %s. "
          "Histogram samples daxtrace/bpftrace: %s.%s" % (
              k, n, compared, len(diffs), ", ".join("%s %d" % (c, tot[c]) for c in COUNTERS if tot[c]),
              ", ".join(hist_cmp),
              (" daxtrace reported bpf_recursion_misses %d: runs of its programs the kernel skipped "
               "(from 6.18 a program can be preempted, and the kernel's recursion guard then skips it "
               "for another thread on that CPU; docs/JSON.md)." % skipped) if skipped else ""))
        for x in diffs[:20]:
            P("  - " + x)
    P("")
    # map memory
    for k, g in guests.items():
        if not g["maps"]:
            continue
        names = {x["id"]: x.get("name", "") for x in g.get("bpftool_maps", [])}
        P("## BPF memory of daxtrace at the default sizes (%s, /proc/PID/fdinfo memlock)" % k)
        P("")
        P("| map | type | key | value | max_entries | memlock |")
        P("|---|---|---|---|---|---|")
        for x in g["maps"]:
            P("| %s | %s | %s | %s | %s | %.1f KiB |" % (names.get(x["id"], x["id"]), x["type"], x["key"],
                                                       x["value"], x["max_entries"], x["memlock"] / 1024))
        pm = sum(p.get("bytes_memlock", 0) for p in g.get("bpftool_progs", [])
                 if re.match(r"(btf|raw|fe|fx|kp|krp)_", p.get("name", "")))
        P("| **total maps** | | | | | **%.1f MiB** |" % (sum(x["memlock"] for x in g["maps"]) / 2**20))
        if pm:
            P("| programs (bpftool bytes_memlock) | | | | | %.1f KiB |" % (pm / 1024))
        P("")
        break
    for k, g in guests.items():
        if not g["inodes"]:
            continue
        P("## Memory against the number of inodes (%s; N files of 4 KiB, one sync fault each)" % k)
        P("")
        P("| files | --max-inodes | inodes reported | pte_faults (totals) | inode_map_full | map memlock | "
          "daxtrace VmRSS while tracing | peak RSS (at the report) | JSON size | run time |")
        P("|---|---|---|---|---|---|---|---|---|---|")
        for x in g["inodes"]:
            st = x["status"][-1] if x["status"] else {}
            P("| %d | %s | %s | %s | %s | %.1f MiB | %s | %s | %s | %s |" % (
                x["files"], x["max_inodes"], x.get("seen", "?"), x.get("pte_faults", "?"),
                x.get("diag", {}).get("inode_map_full", "?"),
                sum(m_["memlock"] for m_ in x["maps"]) / 2**20,
                "%.1f MiB" % (st["VmRSS"] / 1024) if "VmRSS" in st else "?",
                "%.1f MiB" % (x["tool"][1] / 1024) if "tool" in x else "?",
                "%d KiB" % (x["json_bytes"] / 1024) if "json_bytes" in x else "?",
                "%.1f s" % x["run_s"] if "run_s" in x else "?"))
        P("")
        if g["maxinodes"]:
            P("Map memlock against --max-inodes (nothing traced): " + ", ".join(
                "%d: %.1f MiB" % (mi, sum(x["memlock"] for x in ms) / 2**20) for mi, ms in sorted(g["maxinodes"].items())))
            P("")
    contention(d, P)
    P("Wall time of `make bench`: %s s." % (m.get("wall_s", ["?"])[0]))
    print("\n".join(out))


if __name__ == "__main__":
    main()
