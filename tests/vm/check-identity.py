#!/usr/bin/env python3
"""Checks the cases of tests/vm/guest-identity: an inode number reused is another file, and each
filter alone selects exactly its rows, with TOTAL their sum and every selected file exact.

usage: check-identity.py LOG LABEL
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from checker import Checker  # noqa: E402
import dt_tables  # noqa: E402  (include/dt_tables.h)
from checker import Checker  # noqa: E402

COUNTERS = dt_tables.names("DT_COUNTERS")


def parse(text):
    cases, cur, sect = [], None, None
    for line in text.splitlines():
        if line.startswith("@@ident "):
            name, _, arg = line[8:].partition(" ")
            cur = {"name": name, "arg": arg, "truth": [], "daxtrace": [], "stderr": [],
                   "texttruth": [], "text": []}
            cases.append(cur)
        elif cur is None:
            continue
        elif line.startswith("@@rc "):
            cur["rc"] = int(line[5:])
        elif line in ("@@truth", "@@daxtrace", "@@stderr", "@@texttruth", "@@text"):
            sect = line[2:]
        elif line == "@@end":
            cur, sect = None, None
        elif sect in ("truth", "daxtrace", "texttruth") and line.startswith("{"):
            cur[sect].append(json.loads(line))
        elif sect == "text":
            cur["text"].append(line)
        elif sect == "stderr":
            cur["stderr"].append(line)
    return cases


def totals_are_rows(ck, name, doc):
    bad = [c for c in COUNTERS if doc["totals"][c] != sum(i[c] for i in doc["inodes"])]
    ck.check(name + ": TOTAL == sum of the rows it selects", not bad,
             ", ".join("%s %d vs %d" % (c, doc["totals"][c], sum(i[c] for i in doc["inodes"]))
                       for c in bad))


def exact(ck, name, row, f, keys=None):
    bad = {c: (row[c], v) for c, v in f["expect"].items() if row[c] != v and (keys is None or c in keys)}
    ck.check(name + ": %s counts == declared" % f["path"], not bad, str(bad))


def files(case):
    return [f for t in case["truth"] for f in t["files"]]


def check_reuse(ck, case):
    doc = case["daxtrace"][0]
    first, second = files(case)
    same = first["ino"] == second["ino"]
    print("note %s: reuse: inode number %s" % (ck.label, "reused (%d)" % first["ino"] if same
                                                else "not reused (%d, %d)" % (first["ino"], second["ino"])))
    rows = [i for i in doc["inodes"] if i["ino"] in (first["ino"], second["ino"])]
    ck.check("reuse: two rows for the two files", len(rows) == 2, str(rows))
    if len(rows) != 2:
        return
    gone = [r for r in rows if r["deleted"]]
    live = [r for r in rows if not r["deleted"]]
    ck.check("reuse: exactly one row is the deleted file", len(gone) == 1 and len(live) == 1,
             str([(r["ino"], r["generation"], r["path"], r["deleted"]) for r in rows]))
    if same:
        ck.check("reuse: the rows differ in generation", rows[0]["generation"] != rows[1]["generation"],
                 str([r["generation"] for r in rows]))
    if len(live) == 1:
        ck.check("reuse: the live row has the path", live[0]["path"] == second["path"], live[0]["path"])
        exact(ck, "reuse (new file)", live[0], second)
        exact(ck, "reuse (deleted file)", gone[0], first)


def check_intervals(ck, case):
    docs = case["daxtrace"]
    (f,) = files(case)
    ck.check("intervals: more than one document, the last one final",
             len(docs) > 1 and [d["final"] for d in docs] == [False] * (len(docs) - 1) + [True],
             str([d["final"] for d in docs]))
    for n, doc in enumerate(docs):
        totals_are_rows(ck, "intervals (document %d)" % n, doc)
    rows = [i for d in docs for i in d["inodes"] if (i["dev"], i["ino"]) == (f["dev"], f["ino"])]
    summed = {c: sum(r[c] for r in rows) for c in COUNTERS}
    bad = {c: (summed[c], v) for c, v in f["expect"].items() if summed[c] != v}
    ck.check("intervals: %d documents add up to the declared counts" % len(docs), not bad, str(bad))


def check_filter(ck, case):
    name = "%s %s" % (case["name"], case["arg"])
    doc = case["daxtrace"][0]
    totals_are_rows(ck, name, doc)
    want = files(case)
    if case["name"] == "dev":
        selected = [f for f in want if f["dev"] == case["arg"]]
        ck.check(name + ": every row is on the device", all(i["dev"] == case["arg"] for i in doc["inodes"]),
                 str({i["dev"] for i in doc["inodes"]}))
    elif case["name"] == "dev-other":
        selected = []
        ck.check(name + ": says nothing matched", any("no DAX fault or writeback matched --dev 1:3" in l
                                                    for l in case["stderr"]), " | ".join(case["stderr"]))
    elif case["name"] == "ino":
        selected = [f for f in want if f["ino"] == int(case["arg"])]
        ck.check(name + ": every row has the inode number", all(i["ino"] == int(case["arg"]) for i in doc["inodes"]),
                 str({i["ino"] for i in doc["inodes"]}))
    else:  # pid: the truth is the traced process's; the other one must not show
        selected = want
        ck.check(name + ": no row of the other process", all("/other/" not in i["path"] for i in doc["inodes"]),
                 str([i["path"] for i in doc["inodes"]]))
    by_key = {(i["dev"], i["ino"], i["path"]): i for i in doc["inodes"]}
    for f in selected:
        row = by_key.get((f["dev"], f["ino"], f["path"]))
        ck.check(name + ": %s is reported" % f["path"], row is not None, str(list(by_key)))
        # Another process syncs at the same time in the pid case: its log force can leave this
        # file's metadata clean for a fault, which then needs no sync. The fault count stands.
        if row:
            exact(ck, name, row, f, ("pte_faults", "pmd_faults") if case["name"] == "pid" else None)
    if case["name"] != "dev":  # system-wide --dev also sees writeback by kworkers of other files
        ck.check(name + ": only the selected files", len(doc["inodes"]) == len(selected),
                 str([i["path"] for i in doc["inodes"]]))


def check_trace(ck, case):
    """`trace`: each event of the workload's file names its path and its file offset, and the
    PTE sync faults are at exactly the pages daxload wrote; in JSON, then in text."""
    (f,) = files(case)
    pages = set(range(0, f["expect"]["pte_faults"] * 4096, 4096))
    evs = [e for e in case["daxtrace"] if (e["dev"], e["ino"]) == (f["dev"], f["ino"])]
    ck.check("trace json: events of %s" % f["path"], len(evs) > 0 and
             {"pmd_done", "pte_done", "mkwrite"} <= {e["event"] for e in evs},
             str(sorted({e["event"] for e in evs})))
    bad = [e for e in evs if e["path"] != f["path"]]
    ck.check("trace json: every event has the path %s" % f["path"], evs and not bad, str(bad[:2]))
    bad = [e for e in evs if e["offset"] != e["pgoff"] * 4096]
    ck.check("trace json: every event's offset == pgoff * 4096", evs and not bad, str(bad[:2]))
    got = {e["offset"] for e in evs if e["event"] == "pte_done"}
    ck.check("trace json: PTE faults at the %d pages written" % len(pages), got == pages,
             "missing %s, extra %s" % (sorted(pages - got)[:4], sorted(got - pages)[:4]))
    (g,) = [f for t in case["texttruth"] for f in t["files"]]
    rows = [l.split() for l in case["text"][1:] if l.split() and l.split()[-1] == g["path"]]
    ck.check("trace text: header has OFFSET and PATH",
             case["text"] and case["text"][0].split()[7] == "OFFSET" and
             case["text"][0].split()[-1] == "PATH", case["text"][:1])
    ck.check("trace text: lines name %s" % g["path"], len(rows) > 0, str(case["text"][:3]))
    bad = [r for r in rows if r[6] != str(g["ino"])]
    ck.check("trace text: those lines have its inode %d" % g["ino"], not bad, str(bad[:2]))
    got = {int(r[7], 16) for r in rows if r[4] == "pte_done"}
    ck.check("trace text: PTE faults at the %d pages written" % len(pages), got == pages,
             "missing %s, extra %s" % (sorted(pages - got)[:4], sorted(got - pages)[:4]))


def main():
    log, label = sys.argv[1], sys.argv[2]
    ck = Checker(label)
    cases = parse(open(log, errors="replace").read())
    ck.check("guest ran the identity cases", len(cases) == 7, str([c["name"] for c in cases]))
    for case in cases:
        docs = len(case["daxtrace"])
        ok = case.get("rc") == 0 and (docs == 1 or case["name"] in ("intervals", "trace") and docs) \
            and case["truth"]
        ck.check("%s: daxtrace ran, its JSON in -o FILE" % case["name"], ok,
                 "rc=%s docs=%d %s" % (case.get("rc"), len(case["daxtrace"]), " | ".join(case["stderr"][-3:])))
        if not ok:
            continue
        {"reuse": check_reuse, "intervals": check_intervals, "trace": check_trace}.get(case["name"], check_filter)(ck, case)
    print("%s: %d passed, %d failed" % (label, ck.passed, ck.failed))
    return 1 if ck.failed or not ck.passed else 0


if __name__ == "__main__":
    sys.exit(main())
