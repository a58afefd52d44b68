#!/usr/bin/env python3
"""Checks the cases of tests/vm/guest-histby: with --hist-by file, process and device, per inode
and per process (and per device), each histogram's sample count equals its events' counter and
the kernel's count of those events (the trace buffer; where the kernel has hist triggers, keyed
by dev,ino and by common_pid, which must agree with it), in JSON and in text.

usage: check-histby.py LOG LABEL
"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import dt_tables  # noqa: E402  (include/dt_tables.h)
import trace_oracle  # noqa: E402
from checker import Checker  # noqa: E402
from kdev import kdev  # noqa: E402

COUNTERS = dt_tables.names("DT_COUNTERS")
# the trace line's task with options/record-tgid: "daxload-141 (    140) [001] ..." (a comm may
# hold '-': the last one before the pid counts); the tgid is "-------" when unknown
TASK = re.compile(r"^\s*(.*)-(\d+)\s+\(\s*(\d+|-+)\)\s+\[\d+\]")
HIST_FILE = re.compile(r"^\{ dev:\s*(\d+), ino:\s*(\d+) \} hitcount:\s*(\d+)")
HIST_PID = re.compile(r"^\{ common_pid:\s*(\d+) \} hitcount:\s*(\d+)")
# what each histogram's samples are: the end events of its stage
STAGE_EVENTS = {"pte_fault": ("dax_pte_fault_done",), "pmd_fault": ("dax_pmd_fault_done",),
                "sync_fault": ("dax_insert_pfn_mkwrite", "dax_insert_pfn_mkwrite_no_entry")}
COUNTER_OF = {"pte_fault": "pte_faults", "pmd_fault": "pmd_faults"}
EVENTS = ("dax_pte_fault_done", "dax_pmd_fault_done", "dax_insert_pfn_mkwrite",
          "dax_insert_pfn_mkwrite_no_entry")


def parse(text):
    cases, cur, sect, hist, cpu = [], None, None, None, None
    for line in text.splitlines():
        if line.startswith("@@histby "):
            name, fmt = line[9:].split()
            cur = {"name": name, "format": fmt, "truth": [], "daxtrace": [], "stderr": [],
                   "stats": {}, "trace": [], "tgids": [], "hist": {}}
            cases.append(cur)
        elif cur is None:
            continue
        elif line.startswith("@@hb-rc "):
            cur["rc"] = int(line[8:])
        elif line in ("@@hb-truth", "@@hb-daxtrace", "@@hb-stderr", "@@hb-trace", "@@hb-tgids"):
            sect = line[5:]
        elif line.startswith("@@hb-trace-stats "):
            sect, cpu = "stats", line[17:]
            cur["stats"][cpu] = []
        elif line.startswith("@@hb-hist "):
            sect, hist = "hist", line[10:]
            cur["hist"][hist] = []
        elif line == "@@hb-end":
            cur, sect = None, None
        elif sect == "truth" and line.startswith("{"):
            cur["truth"].append(json.loads(line))
        elif sect == "daxtrace":
            cur["daxtrace"].append(line)
        elif sect == "hist":
            cur["hist"][hist].append(line)
        elif sect == "stats":
            cur["stats"][cpu].append(line)
        elif sect in ("stderr", "trace", "tgids"):
            cur[sect].append(line)
    return cases


def oracle(ck, case):
    """{(event, ("file", "MAJ:MIN", ino) or ("pid", pid)): count} from the trace buffer, checked
    against the hist triggers where there are any."""
    name = "%s %s" % (case["name"], case["format"])
    lost = trace_oracle.losses(case["stats"])
    ck.check(name + ": the trace buffer lost nothing", not lost, "; ".join(lost[:4]))
    per = collections.Counter()
    for line in case["trace"]:
        if not line.strip():
            continue
        ev = trace_oracle.parse_event(line)
        task = TASK.match(line)
        if not ev or not task:
            continue
        event, dev, ino, _ = ev
        per[(event, ("file", kdev(dev), ino))] += 1
        per[(event, ("pid", int(task.group(3)) if task.group(3).isdigit() else -1))] += 1
    ck.check(name + ": every traced event names its process (record-tgid)",
             not any(k == ("pid", -1) for (_, k) in per), "")
    # the kernel's own thread -> process map, for the hist triggers' common_pid (a thread id)
    tgid = {}
    for line in case["tgids"]:
        f = line.split()
        if len(f) == 2 and f[0].isdigit() and f[1].isdigit():
            tgid[int(f[0])] = int(f[1])
    if case["hist"]:
        hist = collections.Counter()
        for event, lines in case["hist"].items():
            for line in lines:
                m = HIST_FILE.match(line)
                if m:
                    hist[(event, ("file", kdev(int(m.group(1))), int(m.group(2))))] += int(m.group(3))
                m = HIST_PID.match(line)
                if m:
                    hist[(event, ("pid", tgid.get(int(m.group(1)), -2)))] += int(m.group(2))
        ck.check(name + ": hist triggers (dev,ino and common_pid) == trace buffer", hist == per,
                 "only in hist %s, only in trace %s" % (dict(hist - per), dict(per - hist)))
    return per


def keys_of(per, kind):
    return sorted({k for (_, k) in per if k[0] == kind})


def events(per, key, stage):
    return sum(per[(e, key)] for e in STAGE_EVENTS[stage])


def hist_counts(obj):
    return {h["name"]: h["count"] for h in obj["histograms"]}


def truth_files(case):
    return {(f["dev"], f["ino"]): f for t in case["truth"] for f in t.get("files", [])}


# Runs of daxtrace's programs the kernel skipped in the case at hand (bpf_recursion_misses: from
# 6.18 a program can be preempted mid-run, and another thread of that CPU then meets the kernel's
# recursion guard). A number may fall short of the kernel's by at most that many, as in
# compare.py; with none skipped every number must be exact.
skipped = 0


def close(got, want):
    return got is not None and want - skipped <= got <= want


def check_key(ck, what, obj, per, key):
    """One JSON object (inode, process or device) against the oracle's events of key (a list of
    keys for a device)."""
    keys = key if isinstance(key, list) else [key]
    got = hist_counts(obj)
    for stage in STAGE_EVENTS:
        want = sum(events(per, k, stage) for k in keys)
        ck.check("%s: %s samples == the kernel's %s events (%d)" % (what, stage, "+".join(STAGE_EVENTS[stage]), want),
                 close(got.get(stage), want), "got %s" % got.get(stage))
        if stage in COUNTER_OF:
            ck.check("%s: %s samples == %s" % (what, stage, COUNTER_OF[stage]),
                     close(got.get(stage), obj[COUNTER_OF[stage]]), "%s vs %s" % (got.get(stage), obj[COUNTER_OF[stage]]))
    ck.check("%s: sync_fault samples == pte_upgrades + pmd_upgrades + races + mkwrite_errors" % what,
             got.get("sync_fault") == obj["pte_upgrades"] + obj["pmd_upgrades"] + obj["races"] + obj["mkwrite_errors"],
             str(got))


def check_file_json(ck, case, doc, per):
    name = "file json"
    files = keys_of(per, "file")
    truth = truth_files(case)
    ck.check(name + ": the workload faulted two files", len(files) == 2, str(files))
    rows = {("file", i["dev"], i["ino"]): i for i in doc["inodes"]}
    for key in files:
        row = rows.get(key)
        ck.check(name + ": %s ino %d has a row" % key[1:], row is not None, str(list(rows)))
        if not row:
            continue
        check_key(ck, "%s: ino %d" % (name, key[2]), row, per, key)
        exp = truth.get(key[1:], {}).get("expect", {})
        for c in ("pte_faults", "pmd_faults"):
            if c in exp:
                ck.check("%s: ino %d %s == daxload's %d" % (name, key[2], c, exp[c]), close(row[c], exp[c]), str(row[c]))
    top = hist_counts(doc)
    for stage in STAGE_EVENTS:
        s = sum(hist_counts(i).get(stage, 0) for i in doc["inodes"])
        ck.check(name + ": %s samples of the inodes add up to the host-wide %d" % (stage, top[stage]),
                 s == top[stage], str(s))


def check_process_json(ck, case, doc, per):
    name = "process json"
    pids = keys_of(per, "pid")
    ck.check(name + ": the workload has two faulting processes", len(pids) == 2, str(pids))
    procs = {("pid", p["pid"]): p for p in doc.get("processes", [])}
    for key in pids:
        p = procs.get(key)
        ck.check(name + ": pid %d has a row" % key[1], p is not None, str(list(procs)))
        if not p:
            continue
        ck.check(name + ": pid %d comm daxload" % key[1], p["comm"] == "daxload", p["comm"])
        check_key(ck, "%s: pid %d" % (name, key[1]), p, per, key)
        for c, ev in (("pte_faults", "dax_pte_fault_done"), ("pmd_faults", "dax_pmd_fault_done")):
            ck.check("%s: pid %d %s == the kernel's %d" % (name, key[1], c, per[(ev, key)]),
                     close(p[c], per[(ev, key)]), str(p[c]))
    for c in COUNTERS:
        s = sum(p[c] for p in doc.get("processes", []))
        ck.check(name + ": %s of the processes add up to totals (%d)" % (c, doc["totals"][c]),
                 s == doc["totals"][c], str(s))


def check_device_json(ck, case, doc, per):
    name = "device json"
    files = keys_of(per, "file")
    devs = {d["dev"]: d for d in doc.get("devices", [])}
    ck.check(name + ": one device, the files' own", sorted(devs) == sorted({k[1] for k in files}),
             "%s vs %s" % (sorted(devs), files))
    for dev, d in devs.items():
        check_key(ck, "%s: %s" % (name, dev), d, per, [k for k in files if k[1] == dev])


BLOCK = re.compile(r"^== (?:(\S+) ino (\d+) .*|process (\d+) .*) ==$")
SAMPLES = re.compile(r"^(\w+) latency, (\d+) samples:$")


def text_blocks(lines):
    """{("file", dev, ino) or ("pid", pid): {stage: samples}} of the per-key blocks."""
    blocks, cur = {}, None
    for line in lines:
        m = BLOCK.match(line)
        if m:
            cur = ("file", m.group(1), int(m.group(2))) if m.group(1) else ("pid", int(m.group(3)))
            blocks[cur] = {}
            continue
        m = SAMPLES.match(line)
        if m and cur:
            blocks[cur][m.group(1)] = int(m.group(2))
    return blocks


def check_text(ck, case, per):
    name = "%s text" % case["name"]
    kind = "file" if case["name"] == "file" else "pid"
    blocks = text_blocks(case["daxtrace"])
    keys = keys_of(per, kind)
    ck.check(name + ": a block per %s of the workload, and no other" % kind,
             sorted(blocks) == keys, "%s vs %s" % (sorted(blocks), keys))
    ck.check(name + ": no host-wide histogram before the blocks",
             not any(SAMPLES.match(l) for l in case["daxtrace"][:next((i for i, l in enumerate(case["daxtrace"]) if BLOCK.match(l)), 0)]),
             "")
    for key in keys:
        for stage in STAGE_EVENTS:
            want = events(per, key, stage)
            got = blocks.get(key, {}).get(stage, 0)
            ck.check("%s: %s %s samples == the kernel's %d" % (name, key, stage, want), got == want, str(got))
    if kind == "pid":  # the process table: PID COMM and the counter columns
        head = next((l.split() for l in case["daxtrace"] if l.startswith("PID ")), None)
        ck.check(name + ": process table header", head and head[:2] == ["PID", "COMM"] and "PTE" in head, str(head))
        if head:
            col = {h: i for i, h in enumerate(head)}
            rows = {int(l.split()[0]): l.split() for l in case["daxtrace"]
                    if l.split() and l.split()[0].isdigit() and len(l.split()) == len(head)}
            for key in keys:
                r = rows.get(key[1])
                ck.check(name + ": pid %d row: PTE %d, PMD %d" % (key[1], per[("dax_pte_fault_done", key)], per[("dax_pmd_fault_done", key)]),
                         r and r[1] == "daxload" and int(r[col["PTE"]]) == per[("dax_pte_fault_done", key)]
                         and int(r[col["PMD"]]) == per[("dax_pmd_fault_done", key)], str(r))


def main():
    global skipped
    log, label = sys.argv[1], sys.argv[2]
    ck = Checker(label)
    text = open(log, errors="replace").read()
    cases = parse(text)
    full = re.search(r"^@@hb-oracles hist=\d full=(\d)", text, re.M)
    want = [("file", "json"), ("process", "json")]
    if not full or full.group(1) == "1":
        want += [("device", "json"), ("file", "text"), ("process", "text")]
    ck.check("guest ran the --hist-by cases", [(c["name"], c["format"]) for c in cases] == want,
             str([(c["name"], c["format"]) for c in cases]))
    for case in cases:
        name = "%s %s" % (case["name"], case["format"])
        skipped = 0  # text has no diagnostics: exact
        docs = [json.loads(l) for l in case["daxtrace"] if l.startswith("{")] if case["format"] == "json" else []
        ok = case.get("rc") == 0 and len(case["truth"]) == 2 and (case["format"] == "text" or len(docs) == 1)
        ck.check(name + ": daxtrace and both daxloads ran", ok,
                 "rc=%s truth=%d docs=%d %s" % (case.get("rc"), len(case["truth"]), len(docs), " | ".join(case["stderr"][-3:])))
        if not ok:
            continue
        per = oracle(ck, case)
        if case["format"] == "text":
            check_text(ck, case, per)
            continue
        doc = docs[0]
        skipped = doc["diagnostics"].get("bpf_recursion_misses", 0)
        if skipped:
            print("note %s: %s: the kernel skipped %d runs of daxtrace's programs "
                  "(bpf_recursion_misses): numbers may be short by that many" % (label, name, skipped))
        bad = {d: doc["diagnostics"][d] for d in ("hist_map_full", "process_map_full", "inflight_map_full",
                                                  "stale_sequences", "proc_map_full", "inode_map_full")
               if doc["diagnostics"].get(d)}
        # a skipped run can leave a sequence behind: stale, not dropped
        if bad.get("stale_sequences", 0) <= skipped:
            bad.pop("stale_sequences", None)
        ck.check(name + ": nothing dropped (diagnostics)", not bad, str(bad))
        {"file": check_file_json, "process": check_process_json, "device": check_device_json}[case["name"]](ck, case, doc, per)
    print("%s: %d passed, %d failed" % (label, ck.passed, ck.failed))
    return 1 if ck.failed or not ck.passed else 0


if __name__ == "__main__":
    sys.exit(main())
