#!/usr/bin/env python3
"""Checks the cases of tests/vm/guest-filters: --path FILE (twice among three files), --path DIR
(with --dev PATH) and -c CGROUP (one workload inside, one outside) each select exactly the files they name, and
every selected file's counts equal daxload's declared counts and the kernel's own events (the
trace buffer, recorded over the same window); a file left out did fault, by the oracle.

usage: check-filters.py LOG LABEL
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from checker import Checker  # noqa: E402
import dt_tables  # noqa: E402  (include/dt_tables.h)

COUNTERS = dt_tables.names("DT_COUNTERS")
CASES = ("path-files", "path-dir", "cgroup")


def parse(text):
    cases, cur, sect = [], None, None
    for line in text.splitlines():
        if line.startswith("@@filt "):
            name, *args = line[7:].split()
            cur = {"name": name, "args": args, "truth": [], "daxtrace": [], "stderr": [],
                   "oracle": [], "overrun": None}
            cases.append(cur)
        elif cur is None:
            continue
        elif line.startswith("@@rc "):
            cur["rc"] = int(line[5:])
        elif line.startswith("@@overrun "):
            cur["overrun"] = int(line[10:])
        elif line in ("@@truth", "@@daxtrace", "@@stderr", "@@oracle"):
            sect = line[2:]
        elif line == "@@end":
            cur, sect = None, None
        elif sect in ("truth", "daxtrace") and line.startswith("{"):
            cur[sect].append(json.loads(line))
        elif sect == "oracle":
            # "dax_pte_fault_done: dev 259:0 ino 0xc"
            ev, _, dev, _, ino = line.split()
            cur["oracle"].append((ev.rstrip(":"), dev, int(ino, 16)))
        elif sect == "stderr":
            cur["stderr"].append(line)
    return cases



def oracle_counts(case, f):
    """The kernel's events of one file: faults by size, and the mkwrite steps."""
    evs = [e for e, d, i in case["oracle"] if (d, i) == (f["dev"], f["ino"])]
    return {"pte_faults": evs.count("dax_pte_fault_done"),
            "pmd_faults": evs.count("dax_pmd_fault_done"),
            "upgrades": evs.count("dax_insert_pfn_mkwrite")}


def check_case(ck, case):
    name = "%s %s" % (case["name"], " ".join(case["args"]))
    doc = case["daxtrace"][0]
    files = [f for t in case["truth"] for f in t["files"]]
    if case["name"] == "path-files":
        selected = [f for f in files if f["path"] in case["args"]]
    elif case["name"] == "path-dir":
        selected = files
    else:  # cgroup: the workload in dt-in/sub is inside, the one in /out/ outside
        selected = [f for f in files if "/in/" in f["path"]]
    left_out = [f for f in files if f not in selected]
    ck.check(name + ": the workload declared the files the case needs",
             len(selected) == {"path-files": 2, "path-dir": 2, "cgroup": 1}[case["name"]] and
             len(left_out) == {"path-files": 1, "path-dir": 0, "cgroup": 1}[case["name"]],
             str([f["path"] for f in files]))
    ck.check(name + ": the trace buffer lost nothing", case["overrun"] == 0, str(case["overrun"]))
    bad = [c for c in COUNTERS if doc["totals"][c] != sum(i[c] for i in doc["inodes"])]
    ck.check(name + ": TOTAL == sum of the rows", not bad, str(bad))
    rows = {(i["dev"], i["ino"]): i for i in doc["inodes"]}
    want = {(f["dev"], f["ino"]) for f in selected}
    # --path DIR is the whole filesystem: kworkers may write back a file of an earlier script
    # there, a row with writebacks and no fault; any other filter: the selected files alone
    others = [i for k, i in rows.items() if k not in want and
              (case["name"] != "path-dir" or any(i[c] for c in COUNTERS if c != "writebacks"))]
    ck.check(name + ": every selected file has a row, and no other file%s" %
             (" a fault" if case["name"] == "path-dir" else ""),
             want <= set(rows) and not others,
             "rows %s, selected %s" % (sorted((i["path"]) for i in doc["inodes"]),
                                       [f["path"] for f in selected]))
    for f in selected:
        row = rows.get((f["dev"], f["ino"]))
        if row is None:
            continue
        bad = {c: (row[c], v) for c, v in f["expect"].items() if row[c] != v}
        ck.check(name + ": %s == declared" % f["path"], not bad, str(bad))
        o = oracle_counts(case, f)
        got = {"pte_faults": row["pte_faults"], "pmd_faults": row["pmd_faults"],
               "upgrades": row["pte_upgrades"] + row["pmd_upgrades"]}
        ck.check(name + ": %s == the kernel's events %s" % (f["path"], o), got == o and o["pte_faults"] > 0,
                 "daxtrace %s" % got)
    for f in left_out:
        o = oracle_counts(case, f)
        ck.check(name + ": %s (left out) did fault, %d PTE faults by the kernel's events" %
                 (f["path"], o["pte_faults"]),
                 o["pte_faults"] == f["expect"]["pte_faults"] and o["pte_faults"] > 0, str(o))


def main():
    log, label = sys.argv[1], sys.argv[2]
    ck = Checker(label)
    cases = parse(open(log, errors="replace").read())
    ck.check("guest ran the filter cases", [c["name"] for c in cases] == list(CASES),
             str([c["name"] for c in cases]))
    for case in cases:
        ok = case.get("rc") == 0 and len(case["daxtrace"]) == 1 and case["truth"]
        ck.check("%s: daxtrace ran, its JSON in -o FILE" % case["name"], ok,
                 "rc=%s docs=%d %s" % (case.get("rc"), len(case["daxtrace"]), " | ".join(case["stderr"][-3:])))
        if ok:
            check_case(ck, case)
    print("%s: %d passed, %d failed" % (label, ck.passed, ck.failed))
    return 1 if ck.failed or not ck.passed else 0


if __name__ == "__main__":
    sys.exit(main())
