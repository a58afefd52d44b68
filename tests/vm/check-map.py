#!/usr/bin/env python3
"""Checks tests/vm/guest-map: for every block of every file `daxload layout` made, the answer of
`daxtrace map --json` == daxload's ground truth == the kernel's own events of daxtrace's reads
(the trace buffer, and the hist triggers where the kernel has them: the two must agree); the
text strip of the second run agrees with the first run; the user errors give their line and
exit code; the bad sector is gone afterwards.

usage: check-map.py LOG LABEL [--reasons-unknown]
--reasons-unknown: the kernel has no iomap_iter_dstmap (5.10), so the reasons that need the
extent (entry_conflict, extent_short, direct_access) are reported as "unknown".
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from checker import Checker  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trace_oracle  # noqa: E402

NOPAGE, FALLBACK = 0x100, 0x800
PMD_PAGES = 512
AFTER_EXTENT = ("entry_conflict", "extent_short", "hole_zero_pmd", "unexpected_type", "direct_access")
TRACE = re.compile(r"\s(\d+\.\d+): (dax_pmd_fault_done|dax_pmd_load_hole|dax_pmd_load_hole_fallback): "
                   r"dev \d+:\d+ ino (0x[0-9a-f]+|0) .*?address (0x[0-9a-f]+|0)(.*)$")
DONE_REST = re.compile(r"pgoff (0x[0-9a-f]+|0) max_pgoff (0x[0-9a-f]+|0)(?: (\S+))?\s*$")
HIST = re.compile(r"\{ (.*) \} hitcount:\s*(\d+)(?:\s+address:\s*(\d+))?")


def parse(text):
    """The sections of guest-map, which runs after guest-cases in the same log: only what follows
    its first line counts (guest-cases has @@hist, @@trace and @@oracles sections of its own)."""
    secs, cur, name = {}, None, None
    start = text.find("\n@@map ")
    for line in (text[start + 1:] if start >= 0 else "").splitlines():
        if line.startswith("@@map "):
            name = line[6:]
            cur = secs.setdefault(name, {"lines": [], "rc": None, "out": [], "stderr": []})
            part = "lines"
        elif line.startswith("@@hist "):
            name = "hist " + line[7:]
            cur = secs.setdefault(name, {"lines": []})
            part = "lines"
        elif line in ("@@trace", "@@badblocks"):
            name = line[2:]
            cur = secs.setdefault(name, {"lines": []})
            part = "lines"
        elif line.startswith("@@trace-stats "):
            cur = secs.setdefault("stats", {})
            part = line[14:]
            cur[part] = []
        elif line.startswith("@@oracles "):
            secs["oracles"] = dict(kv.split("=") for kv in line[10:].split())
        elif line == "@@end":
            cur = None
        elif cur is None:
            continue
        elif line.startswith("@@rc "):
            cur["rc"] = int(line[5:])
        elif line in ("@@out", "@@stderr"):
            part = line[2:]
        else:
            cur[part].append(line)
    return secs




def one_json(lines):
    docs = [json.loads(line) for line in lines if line.startswith("{")]
    return docs[0] if len(docs) == 1 else None


def trace_events(lines):
    """-> {ino: {"done": {pgoff: [(result, max_pgoff)]}, "addr": {address: pgoff},
    "hole": set(address), "hole_fb": set(address)}}"""
    ev = {}
    marks = [i for i, line in enumerate(lines) if "tracing_mark_write: daxtrace-map-start" in line]
    if len(marks) != 1:
        raise ValueError("%d start markers in the trace buffer, not 1" % len(marks))
    for line in lines[marks[0] + 1:]:
        m = TRACE.search(line)
        if not m:
            if line.strip():
                raise ValueError("not a trace line: %r" % line)
            continue
        event, ino, address, rest = m.group(2), int(m.group(3), 16), int(m.group(4), 16), m.group(5)
        e = ev.setdefault(ino, {"done": {}, "addr": {}, "hole": set(), "hole_fb": set()})
        if event == "dax_pmd_fault_done":
            d = DONE_REST.search(rest)
            pgoff, max_pgoff = int(d.group(1), 16), int(d.group(2), 16)
            e["done"].setdefault(pgoff, []).append((trace_oracle.flags(d.group(3) or ""), max_pgoff))
            e["addr"][address] = pgoff
        else:
            e["hole" if event == "dax_pmd_load_hole" else "hole_fb"].add(address)
    return ev


def hist_rows(lines):
    rows = []
    for line in lines:
        m = HIST.search(line)
        if m:
            keys = dict((k.strip(), int(v)) for k, v in (kv.split(":") for kv in m.group(1).split(",")))
            if m.group(3) is not None:
                keys["address_sum"] = int(m.group(3))
            rows.append((keys, int(m.group(2))))
    return rows


def hist_events(secs):
    """The same shape as trace_events, from the hist triggers (no max_pgoff there: None)."""
    ev = {}

    def get(ino):
        return ev.setdefault(ino, {"done": {}, "addr": {}, "hole": set(), "hole_fb": set()})
    for keys, n in hist_rows(secs.get("hist done", {}).get("lines", [])):
        get(keys["ino"])["done"].setdefault(keys["pgoff"], []).extend([(keys["result"], None)] * n)
        if n == 1:  # the sum of one address is that address
            get(keys["ino"])["addr"][keys["address_sum"]] = keys["pgoff"]
    for name, key in (("dax_pmd_load_hole", "hole"), ("dax_pmd_load_hole_fallback", "hole_fb")):
        for keys, n in hist_rows(secs.get("hist " + name, {}).get("lines", [])):
            get(keys["ino"])[key].add(keys["address"])
    return ev


def kernel_answer(ev, ino, block):
    """What the kernel's events say about one block: (mapping, attempts, max_pgoff)."""
    e = ev.get(ino, {"done": {}, "addr": {}, "hole": set(), "hole_fb": set()})
    done = e["done"].get(block * PMD_PAGES, [])
    if not done:
        return "not_reached", 0, None
    holes = {e["addr"].get(a) for a in e["hole"]}
    results = {r for r, _ in done}
    if results == {FALLBACK}:
        return "fallback", len(done), done[0][1]
    if results == {NOPAGE}:
        return "hole" if block * PMD_PAGES in holes else "pmd", len(done), None
    return "result %s" % sorted(results), len(done), None


def main():
    args = sys.argv[1:]
    unknown = "--reasons-unknown" in args
    args = [a for a in args if a != "--reasons-unknown"]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    log, label = args
    secs = parse(open(log, errors="replace").read())
    ck = Checker(label + " map")
    truth = one_json(secs.get("truth", {}).get("lines", []))
    if not ck.check("daxload layout printed its ground truth", truth is not None,
                    " / ".join(secs.get("truth", {}).get("lines", []))[:300]):
        print("%s map: %d passed, %d failed" % (label, ck.passed, ck.failed))
        return 1
    bad = ["%s@%d: %s" % (f["path"], b["offset"], b["layout_error"])
           for f in truth["files"] for b in f["blocks"] if "layout_error" in b]
    ck.check("every block is laid out as daxload meant it (FIEMAP)", not bad, "; ".join(bad))

    js = secs.get("json", {})
    doc = one_json(js.get("out", []))
    # the directory, then three paths that cannot be examined
    ck.check("map --json DIR NOTDAX MISSING FIFO: exit 66 (a PATH could not be examined)",
             js.get("rc") == 66, str(js.get("rc")))
    expect_err = [("/tmp/notdax", "not a DAX file: mount the filesystem with -o dax"),
                  ("/mnt/dax/missing", "no such file or directory"),
                  ("/tmp/map-fifo", "not a regular file")]
    err_lines = js.get("stderr", [])
    ck.check("errors: one line each on stderr, in order, saying what and what to do",
             len(err_lines) == 3 and all(line.startswith("daxtrace: map: %s: %s" % e)
                                         for line, e in zip(err_lines, expect_err)),
             " | ".join(err_lines))
    if not ck.check("map --json DIR: one JSON document", doc is not None):
        print("%s map: %d passed, %d failed" % (label, ck.passed, ck.failed))
        return 1
    got = {f["path"]: f for f in doc["files"]}
    want = {f["path"]: f for f in truth["files"]}
    ck.check("the directory gives every regular file, once, and nothing else (FIFO, symlink)",
             sorted(got) == sorted(want) and len(doc["files"]) == len(got),
             "got %s, want %s" % (sorted(got), sorted(want)))
    ck.check("errors: the JSON lists the three paths, and only them",
             [e["path"] for e in doc.get("errors", [])] == [p for p, _ in expect_err] and
             doc.get("errors_not_listed") == 0, str(doc.get("errors")))

    oracles = secs.get("oracles", {})
    try:
        tev = trace_events(secs.get("trace", {}).get("lines", []))
    except ValueError as e:
        ck.check("the trace buffer parses", False, str(e))
        tev = {}
    losses = trace_oracle.losses(secs.get("stats", {}))
    ck.check("the trace buffer lost nothing", not losses, "; ".join(losses))
    hev = hist_events(secs) if oracles.get("hist") == "1" else None

    for path in sorted(want):
        t, m = want[path], got.get(path)
        if not m:
            continue
        name = os.path.basename(path)
        ck.check("%s: dev, ino and size as daxload made it" % name,
                 (m["dev"], m["ino"], m["size"]) == (t["dev"], t["ino"], t["size"]),
                 "%s vs %s" % ((m["dev"], m["ino"], m["size"]), (t["dev"], t["ino"], t["size"])))
        ck.check("%s: one answer per 2 MiB block" % name, len(m["blocks"]) == len(t["blocks"]),
                 "%d vs %d" % (len(m["blocks"]), len(t["blocks"])))
        for i, (tb, mb) in enumerate(zip(t["blocks"], m["blocks"])):
            where = "%s block %d (%d MiB)" % (name, i, tb["offset"] >> 20)
            want_reason = tb["reason"]
            if unknown and want_reason in AFTER_EXTENT:
                want_reason = "unknown"
            ck.check("%s: map says %s/%s, daxload %s/%s" % (where, mb["mapping"], mb["reason"],
                                                          tb["mapping"], want_reason),
                     (mb["mapping"], mb["reason"]) == (tb["mapping"], want_reason) and
                     mb["offset"] == tb["offset"])
            k, attempts, max_pgoff = kernel_answer(tev, t["ino"], i)
            ck.check("%s: the kernel's trace events say %s" % (where, k), k == tb["mapping"])
            ck.check("%s: map's PMD attempts == the kernel's (%d)" % (where, attempts),
                     mb.get("pmd_attempts", 0) == attempts, "map %s" % mb.get("pmd_attempts"))
            if tb["reason"] == "eof":
                ck.check("%s: the kernel's max_pgoff %s puts the block past i_size" % (where, max_pgoff),
                         max_pgoff is not None and (i * PMD_PAGES | (PMD_PAGES - 1)) >= max_pgoff)
            if hev is not None:
                hk = kernel_answer(hev, t["ino"], i)[:2]
                ck.check("%s: the hist triggers agree with the trace buffer" % where,
                         hk == (k, attempts), "hist %s, trace %s" % (hk, (k, attempts)))

    # the text run came second: a block that fell back for a reason found after the i_size
    # check left 4 KiB entries (the PTE fault that read it), so it now falls back with
    # entry_conflict; every other block gives the same answer again
    tx = secs.get("text", {})
    ck.check("map DIR (text): exit 0, nothing on stderr", tx.get("rc") == 0 and not tx.get("stderr"),
             "rc %s, stderr %s" % (tx.get("rc"), tx.get("stderr")))
    out = tx.get("out", [])
    letters = {}
    for line in out:
        for c, r in re.findall(r"(?:^|  )(\S) ([a-z_]+)(?=  |$)", line):
            letters[r] = c
    letters.update({"pmd": "H", "hole": ".", "not_reached": "-"})
    strips, verdicts, cur = {}, {}, None
    for line in out:
        h = re.match(r"^(\S.*?)  \(dev \S+ ino (\d+), (\d+) bytes", line)
        if h and not line.startswith("legend"):
            cur = h.group(1)
            strips[cur] = ""
            continue
        s = re.match(r"^  +(\d+) MiB (\S+)$", line)
        if s and cur is not None:
            ck.check("text: %s: the strip line starts at its offset" % os.path.basename(cur),
                     int(s.group(1)) == 2 * len(strips[cur]))
            strips[cur] += s.group(2)
            continue
        if cur is not None and line.startswith("  ") and "map" in line:
            verdicts[cur] = line.strip()
    for path in sorted(got):
        want_strip = "".join(
            letters.get("entry_conflict") if b["mapping"] == "fallback" and b["reason"] != "eof" and
            not unknown else
            letters.get(b["reason"] if b["mapping"] == "fallback" else b["mapping"], "?")
            for b in got[path]["blocks"])
        name = os.path.basename(path)
        ck.check("text: %s: strip %r == the JSON run's answers, after its 4 KiB entries (%r)" %
                 (name, strips.get(path), want_strip), strips.get(path) == want_strip)
        v = verdicts.get(path, "")
        n = re.match(r"(\d+) of (\d+) blocks? maps? as 2 MiB", v)
        ck.check("text: %s: the verdict counts the strip's H" % name,
                 n is not None and int(n.group(1)) == want_strip.count("H") and
                 int(n.group(2)) == len(want_strip), v)
    ck.check("text: the legend names every fallback reason with its own letter",
             len(letters) >= 3 + 11 and len(set(letters.values())) == len(letters), str(letters))

    npth = secs.get("nopath", {})
    ck.check("no PATH: exit 64 and its line", npth.get("rc") == 64 and
             any("'map' needs a PATH" in line for line in npth.get("stderr", [])), str(npth))
    nob = secs.get("nobody", {})
    ck.check("uid 65534: exit 77 and the permission line", nob.get("rc") == 77 and
             any("permission denied: run as root" in line for line in nob.get("stderr", [])), str(nob))
    # (daxload badblocks, in guest-cases before this, keeps bad ranges of its own on purpose)
    bb = [tuple(map(int, line.split())) for line in secs.get("badblocks", {}).get("lines", [])
          if line.strip()]
    sector = truth.get("badblock", {}).get("sector", -1)
    ck.check("map's bad sector %d is cleared afterwards (not in /sys/block/pmem0/badblocks)" % sector,
             sector >= 0 and not any(start <= sector < start + n for start, n in bb), str(bb))
    print("%s map: %d passed, %d failed" % (label, ck.passed, ck.failed))
    return 0 if ck.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
