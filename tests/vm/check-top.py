#!/usr/bin/env python3
"""Checks the cases of tests/vm/guest-top: daxtrace top -C -i 1 while daxload runs.

files (-s sync): the summary's row of every file has exactly daxload's declared PTE, PMD, SYNC
and FALLBK, and the hist triggers' counts (where the kernel has them); the intervals' totals
lines add up to the summary's, exactly; each file's rates times the intervals' seconds add up
to its count (within the rounding of what is printed); every screen is sorted by SYNC; the
hostile file name is one escaped row; no control byte anywhere.
procs (-P -r 1): the one row is the busiest process with exactly its declared faults, its comm
escaped; the other is counted in the "more" line; the totals add up as above.

usage: check-top.py LOG LABEL
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the hist rows and their oracle)
import json  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from checker import Checker  # noqa: E402

HEADER = re.compile(r"^daxtrace top \d\d:\d\d:\d\d  (interval|summary of) (\d+\.\d{3}) s  "
                    r"(files|processes) by (\w+)$")
TOTALS = re.compile(r"^faults (\d+)  pte (\d+)  pmd (\d+)  sync (\d+)  fallbacks (\d+)  sync p99 ")
MORE = re.compile(r"^\((\d+) more (files|processes); -r to show more\)$")
COUNTS = ("pte_faults", "pmd_faults", "sync_faults", "fallbacks")


def parse(text):
    cases, cur, sect = [], None, None
    for line in text.splitlines():
        if line.startswith("@@top "):
            cur = {"name": line[6:], "truth": [], "out": [], "stderr": [], "hist": {}, "oracle": "0"}
            cases.append(cur)
        elif cur is None:
            continue
        elif line.startswith("@@oracle hist="):
            cur["oracle"] = line.split("=", 1)[1]
        elif line.startswith("@@rc "):
            cur["rc"] = int(line[5:])
        elif line in ("@@truth", "@@out", "@@stderr"):
            sect = line[2:]
        elif line.startswith("@@hist "):
            sect = ("hist", line[7:])
            cur["hist"][line[7:]] = []
        elif line == "@@end":
            cur, sect = None, None
        elif sect == "truth":
            if line.startswith("{"):
                cur["truth"].append(json.loads(line))
        elif sect in ("out", "stderr"):
            cur[sect].append(line)
        elif isinstance(sect, tuple):
            m = compare.HIST_LINE.match(line)
            if m:
                cur["hist"][sect[1]].append(m.groups())
    return cases


def screens(lines):
    """[{kind, secs, view, key, totals, columns, rows, more}] of top's output."""
    out, cur = [], None
    for line in lines:
        m = HEADER.match(line)
        if m:
            cur = {"kind": m.group(1), "secs": float(m.group(2)), "view": m.group(3),
                   "key": m.group(4), "totals": None, "columns": None, "rows": [], "more": 0}
            out.append(cur)
            continue
        if cur is None:
            continue
        t = TOTALS.match(line)
        if t and cur["totals"] is None:
            cur["totals"] = dict(zip(("faults",) + COUNTS, map(int, t.groups())))
        elif cur["totals"] is not None and cur["columns"] is None and line.split()[:1] in (["PTE/s"], ["PTE"], ["PID"]):
            cur["columns"] = line.split()
        elif cur["columns"] is not None and MORE.match(line):
            cur["more"] = int(MORE.match(line).group(1))
        elif cur["columns"] is not None and line.strip():
            cur["rows"].append(line)
    return out


def escaped(s):
    """The terminal form src/untrusted.c gives the few control bytes the guest's names use."""
    return s.replace("\\", "\\\\").replace("\x1b", "\\e").replace("\n", "\\n").replace("\a", "\\a")


def num(s):
    return None if s == "-" else float(s)


def file_row(line):
    """PTE, PMD, SYNC, FALLBK, P99, PROCESS, PATH of a file row (COLUMNS=200: all columns)."""
    w = line.split(None, 6)
    return {"pte_faults": num(w[0]), "pmd_faults": num(w[1]), "sync_faults": num(w[2]),
            "fallbacks": num(w[3]), "p99": w[4], "process": w[5], "path": w[6]}


def proc_row(line):
    """PID COMM FAULTS PTE PMD SYNC FALLBK P99 FILES FILE; COMM is one escaped token."""
    w = line.split(None, 9)
    return {"pid": int(w[0]), "comm": w[1], "faults": num(w[2]), "counts": w[3:7], "p99": w[7],
            "files": int(w[8]), "path": w[9] if len(w) > 9 else ""}



def common(ck, case):
    """Exit 0, no control byte, interval screens then one summary; returns the screens."""
    name = case["name"]
    ck.check(name + ": exit 0", case.get("rc") == 0, "rc=%s %s" % (case.get("rc"), case["stderr"][-3:]))
    bad = [l for l in case["out"] if re.search(r"[\x00-\x1f\x7f]", l)]
    ck.check(name + ": no control byte in top's output", not bad, repr(bad[:2]))
    sc = screens(case["out"])
    kinds = [s["kind"] for s in sc]
    # the workloads sleep 2 s between faults: two intervals at least have faults
    busy = [s for s in sc if s["kind"] == "interval" and s["totals"] and s["totals"]["faults"]]
    ck.check(name + ": interval screens (%d, %d with faults), then one summary" % (len(kinds) - 1, len(busy)),
             len(busy) >= 2 and kinds[-1] == "summary of" and set(kinds[:-1]) == {"interval"}, str(kinds))
    ck.check(name + ": every screen has its totals and columns",
             all(s["totals"] is not None and s["columns"] for s in sc), str(sc[:1])[:300])
    if len(sc) >= 2 and all(s["totals"] for s in sc):
        summed = {k: sum(s["totals"][k] for s in sc[:-1]) for k in sc[-1]["totals"]}
        ck.check(name + ": the %d intervals' totals add up to the summary's" % (len(sc) - 1),
                 summed == sc[-1]["totals"], "%s vs %s" % (summed, sc[-1]["totals"]))
        ck.check(name + ": the intervals' seconds add up to the summary's",
                 abs(sum(s["secs"] for s in sc[:-1]) - sc[-1]["secs"]) < 0.002 * len(sc),
                 "%s vs %s" % ([s["secs"] for s in sc[:-1]], sc[-1]["secs"]))
    return sc


def rates_add_up(ck, name, sc, key, get, want, column=""):
    """Sum over the interval screens of rate x seconds of the row `key` == want, within the
    rounding of the rate (0.05) and of the seconds (0.0005 s) printed."""
    total, tol = 0.0, 0.5
    for s in sc[:-1]:
        for r in s["rows"]:
            k, rate = get(r)
            if k == key and rate is not None:
                total += rate * s["secs"]
                tol += 0.05 * s["secs"] + rate * 0.0005
    ck.check("%s: %s: %s rates x seconds add up to %d (%.1f, within %.1f)" % (name, key, column, want, total, tol),
             abs(total - want) <= tol, "")


def check_files(ck, case):
    sc = common(ck, case)
    if not sc or sc[-1]["kind"] != "summary of":
        return
    summ = sc[-1]
    ck.check("files: sorted by sync (-s sync)", all(s["key"] == "sync" for s in sc), "")
    rows = {}
    for s in sc:
        vals = [file_row(r)["sync_faults"] for r in s["rows"]]
        if not ck.check("files: %s screen of %.3f s: rows in decreasing SYNC %s" % (s["kind"], s["secs"], vals),
                        vals == sorted(vals, reverse=True), ""):
            break
    # P99 is the file's own sync-fault histogram (top turns on --hist-by file): shown in the
    # interval rows of files that had sync faults
    synced = [file_row(r) for s in sc if s["kind"] == "interval" for r in s["rows"]
              if (file_row(r)["sync_faults"] or 0) > 0]
    ck.check("files: interval rows with SYNC/s > 0 show a P99 (%d rows)" % len(synced),
             synced and any(r["p99"] != "-" for r in synced),
             str([(r["path"], r["p99"]) for r in synced][:4]))
    for r in summ["rows"]:
        f = file_row(r)
        rows[f["path"]] = f
    truth = [f for t in case["truth"] for f in t["files"]]
    ck.check("files: the summary has a row per file (%d), nothing more" % len(truth),
             len(summ["rows"]) == len(truth) and not summ["more"], str(list(rows)))
    oracle = compare.oracle(case["hist"]) if case["oracle"] == "1" else None
    if oracle is None:
        print("note %s: files: no hist triggers on this kernel: checked against daxload alone" % ck.label)
    for f in truth:
        path = escaped(f["path"])
        row = rows.get(path)
        if not ck.check("files: %s has a summary row" % path, row is not None, str(list(rows))):
            continue
        got = {k: int(row[k]) for k in COUNTS}
        # a count daxload cannot predict is left out of its expect
        want = {k: f["expect"][k] for k in COUNTS if k in f["expect"]}
        ck.check("files: %s: PTE %d PMD %d SYNC %d FALLBK %d == declared %s"
                 % ((path,) + tuple(got[k] for k in COUNTS) + (sorted(want),)),
                 {k: got[k] for k in want} == want and "pte_faults" in want, "declared %s" % want)
        if oracle is not None:
            o = oracle.get((f["dev"], f["ino"]), {})
            ow = {k: o.get(k, 0) for k in COUNTS}
            ck.check("files: %s == the hist triggers" % path, got == ow, "hist %s" % ow)
        rates_add_up(ck, "files", sc, path, lambda r: (file_row(r)["path"], file_row(r)["sync_faults"]),
                     got["sync_faults"], "SYNC/s")
        rates_add_up(ck, "files", sc, path, lambda r: (file_row(r)["path"], file_row(r)["pte_faults"]),
                     got["pte_faults"], "PTE/s")
    ck.check("files: the hostile name is one escaped row",
             any("evil\\e[2J\\nforged" in p for p in rows), str(list(rows)))
    all_truth = {k: sum(f["expect"][k] for f in truth) for k in COUNTS if all(k in f["expect"] for f in truth)}
    ck.check("files: the summary's totals == declared %s" % all_truth,
             {k: summ["totals"][k] for k in all_truth} == all_truth and "pte_faults" in all_truth,
             str(summ["totals"]))
    if oracle is not None:
        ow = {k: sum(o.get(k, 0) for o in oracle.values()) for k in COUNTS}
        ck.check("files: the summary's totals == the hist triggers' %s" % ow,
                 {k: summ["totals"][k] for k in COUNTS} == ow, str(summ["totals"]))


def check_procs(ck, case):
    sc = common(ck, case)
    if not sc or sc[-1]["kind"] != "summary of":
        return
    summ = sc[-1]
    runs = case["truth"]
    faults = [sum(f["expect"]["pte_faults"] + f["expect"]["pmd_faults"] for f in t["files"]) for t in runs]
    ck.check("procs: -r 1: one row, one more process", len(summ["rows"]) == 1 and summ["more"] == 1,
             "%d rows, %d more" % (len(summ["rows"]), summ["more"]))
    ck.check("procs: -P columns", summ["columns"][:3] == ["PID", "COMM", "FAULTS"], str(summ["columns"]))
    if not summ["rows"] or len(runs) != 2:
        return
    r = proc_row(summ["rows"][0])
    busiest = max(range(2), key=lambda i: faults[i])
    ck.check("procs: the busiest process's faults == declared %d" % faults[busiest],
             r["faults"] == faults[busiest], str(r))
    ck.check("procs: its comm escaped (%s)" % r["comm"], r["comm"] == escaped(runs[busiest]["comm"]),
             repr(runs[busiest]["comm"]))
    ck.check("procs: its files (%d)" % r["files"], r["files"] == len(runs[busiest]["files"]), str(r))
    ck.check("procs: per-process PTE, PMD, SYNC, FALLBK not known yet: '-'", r["counts"] == ["-"] * 4,
             str(r["counts"]))
    ck.check("procs: the totals == both processes' faults (%d)" % sum(faults),
             summ["totals"]["faults"] == sum(faults), str(summ["totals"]))
    # (no rates check here: with -r 1 an interval where both processes fault shows one of them)


def main():
    log, label = sys.argv[1], sys.argv[2]
    ck = Checker(label)
    cases = {c["name"]: c for c in parse(open(log, errors="replace").read())}
    for name, fn in (("files", check_files), ("procs", check_procs)):
        if ck.check("top %s ran" % name, name in cases, "no @@top %s in %s" % (name, log)):
            fn(ck, cases[name])
    print("%s: %d passed, %d failed" % (label, ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
