#!/usr/bin/env python3
"""tests/vm/trace_oracle.py, the oracle of kernels without hist triggers, over real trace text
recorded by tests/vm/guest-cases (tests/unit/data/): on 6.1, where the hist triggers ran in the
same run, the trace buffer must give exactly their rows; on 5.10 (no hist triggers), exactly
daxload's declared ground truth. Then the edge cases of the text format, and that a lost event
fails compare.py. Run by `make check-unit` (tests/run-unit); prints TAP.

usage: check-trace-oracle.py [TOPDIR]
"""
import io
import os
import re
import sys
from contextlib import redirect_stdout

TOP = sys.argv[1] if len(sys.argv) > 1 else \
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(TOP, "tests", "vm"))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import compare  # noqa: E402
import trace_oracle as to  # noqa: E402
import tap  # noqa: E402

DATA = os.path.join(TOP, "tests", "unit", "data")
CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def sample(name):
    return compare.parse_cases(open(os.path.join(DATA, name)).read())


def run_compare(cases, label="6.1/ext4"):
    """compare.py's checks over parsed cases: (failed, passed, output)."""
    ck = compare.Checker(label)
    out = io.StringIO()
    with redirect_stdout(out):
        for c in cases:
            compare.compare_case(ck, c, True, "pfn", "")
    return ck.failed, ck.passed, out.getvalue()


@case
def hist_equal_61():
    """6.1 (both oracles in one run): trace buffer rows == hist trigger rows, every case"""
    bad, cases = [], sample("trace-6.1.log")
    if len(cases) < 3:
        return ["only %d cases in the 6.1 sample" % len(cases)]
    for c in cases:
        a, b = to.normalise(to.hist_rows(c["trace"])), to.normalise(c["hist"])
        if a != b or not a:
            bad.append("%s: trace %s, hist %s" % (c["name"], a, b))
    return bad


@case
def compare_cross_check_61():
    """6.1: compare.py passes every check, the cross-check and the loss check among them"""
    failed, passed, out = run_compare(sample("trace-6.1.log"))
    bad = [line for line in out.splitlines() if line.startswith("FAIL")]
    for want in ("oracle: trace buffer == hist triggers", "trace buffer: no event lost"):
        if out.count(want) != len(sample("trace-6.1.log")):
            bad.append("'%s' not checked once per case" % want)
    return bad if bad or failed == 0 and passed else ["%d failed" % failed]


@case
def cross_check_fails_61():
    """6.1: compare.py fails the cross-check when the two oracles differ by one event"""
    bad = []
    for c in sample("trace-6.1.log"):
        event = next(e for e, rows in c["hist"].items() if rows)
        dev, ino, result, n = c["hist"][event][0]
        c["hist"][event][0] = (dev, ino, result, str(int(n) + 1))
        failed, _, out = run_compare([c])
        if not any(x.startswith("FAIL") and "trace buffer == hist triggers" in x
                   for x in out.splitlines()):
            bad.append("%s: one more %s in the hist went unnoticed" % (c["name"], event))
    return bad


@case
def truth_510():
    """5.10 (no hist triggers): the trace buffer oracle == daxload's declared counts"""
    bad, cases, checked = [], sample("trace-5.10.log"), 0
    for c in cases:
        if c["oracles"] != {"hist": "0", "trace": "1"}:
            bad.append("%s: oracles %s" % (c["name"], c["oracles"]))
        orc = compare.oracle(to.hist_rows(c["trace"]))
        for f in c["truth"]["files"]:
            o = orc.get((f["dev"], f["ino"]), {})
            for k, v in f["expect"].items():
                if k in compare.ORACLE_KEYS:
                    checked += 1
                    if o.get(k, 0) != v:
                        bad.append("%s %s: %s, declared %d" % (c["name"], k, o.get(k, 0), v))
    return bad if checked else ["nothing checked"]


@case
def compare_510():
    """5.10: compare.py's oracle-vs-truth lines pass; daxtrace's side is reported as not run"""
    failed, passed, out = run_compare(sample("trace-5.10.log"), "5.10/ext4")
    lines = out.splitlines()
    bad = [x for x in lines if x.startswith("FAIL") and "daxtrace -- daxload ran" not in x]
    if not any(x.startswith("ok") and "oracle (trace buffer)" in x for x in lines):
        bad.append("no oracle (trace buffer) check passed")
    return bad


@case
def text_format():
    """the text fields: MAJ:MIN, %#lx ino (0 is "0"), __print_flags (empty, names, 0x rest)"""
    bad = []
    lines = {
        "  <...>-12 [001] d..1. 5.000001: dax_pte_fault_done: dev 259:3 ino 0 shared WRITE "
        "address 0x1000 pgoff 0x0 ":
            ("dax_pte_fault_done", 259 << 20 | 3, 0, 0),
        " dax-load-7 [000] .... 1.5: dax_pmd_fault_done: dev 259:0 ino 0x1f shared WRITE|USER "
        "address 0x200000 vm_start 0x200000 vm_end 0x400000 pgoff 0x0 max_pgoff 0x3ff "
        "MAJOR|NEEDDSYNC|0x80000":
            ("dax_pmd_fault_done", 259 << 20, 0x1f, 0x2004 | 0x80000),
        "daxload-9 [1] ..... 2.000000: dax_insert_pfn_mkwrite: dev 8:1 ino 0xc shared WRITE "
        "address 0x7f0000000000 pgoff 0x10 WRITE|NOPAGE":
            ("dax_insert_pfn_mkwrite", 8 << 20 | 1, 12, 0x108),
        "daxload-9 [001] ..... 2.000001: dax_writeback_one: dev 259:0 ino 0xc pgoff 0x0 pglen 0x200":
            ("dax_writeback_one", 259 << 20, 12, None),
        "daxload-9 [001] ..... 2.000002: dax_pte_fault: dev 259:0 ino 0xc shared WRITE address 0x0 "
        "pgoff 0x0 ":
            None,
    }
    for line, want in lines.items():
        got = to.parse_event(line)
        if got != want:
            bad.append("%r: %s, want %s" % (line, got, want))
    for broken in ("daxload-9 [001] ..... 2.0: dax_pte_fault_done: dev 259:0 ino 0xc shared "
                   "WRITE address 0x0 pgoff 0x0 NOPAGE|BOGUS",
                   "daxload-9 [001] ..... 2.0: dax_load_hole: ino 0xc",
                   "not a trace line"):
        try:
            to.parse_event(broken)
            bad.append("accepted %r" % broken)
        except to.TraceError:
            pass
    return bad


def formats(name):
    """{event: print fmt} of a recorded formats file (@@format PATH, then the file)."""
    out, cur = {}, None
    for line in open(os.path.join(DATA, name)):
        if line.startswith("@@format "):
            cur = line.split()[1].split("/")[-2]
        elif line.startswith("print fmt: ") and cur:
            out[cur] = line[len("print fmt: "):].strip()
    return out


@case
def print_fmts():
    """the print fmt of each event on 5.10, 6.1, 6.12 and 7 is what the parser reads"""
    bad = []
    for name in ("formats-5.10.txt", "formats-6.1.txt", "formats-6.12.txt", "formats-7.txt"):
        fmts = formats(name)
        for e in to.DONE + to.PLAIN:
            f = fmts.get(e)
            if f is None:
                bad.append("%s: no %s" % (name, e))
                continue
            text = f.split('", ')[0]
            if not re.match(r'"dev %d:%d ino %#ll?x ', text):  # %#llx from 6.x: same text
                bad.append("%s: %s starts %s" % (name, e, text[:30]))
            if e in to.DONE:
                if not re.search(r"pgoff %#lx %s$", text):
                    bad.append("%s: %s does not end with the result: %s" % (name, e, text))
                names = re.findall(r'\{ VM_FAULT_(\w+), "(\w+)" \}', f)
                unknown = [n for _, n in names if n not in to.VM_FAULT]
                if not names or unknown:
                    bad.append("%s: %s: result names %s unknown" % (name, e, unknown or "none"))
    return bad


@case
def losses():
    """a lost event is an error: stats with overrun, commit overrun or dropped events, LOST lines"""
    bad = []
    ok = {"cpu0": ["entries: 3", "overrun: 0", "commit overrun: 0", "dropped events: 0"]}
    if to.losses(ok):
        bad.append("clean stats: %s" % to.losses(ok))
    for key in ("overrun", "commit overrun", "dropped events"):
        lost = {"cpu0": ok["cpu0"], "cpu1": [x if not x.startswith(key + ":") else key + ": 5"
                                             for x in ok["cpu0"]]}
        if not to.losses(lost):
            bad.append("%s 5 not reported" % key)
    if not to.losses({}) or not to.losses({"cpu0": ["entries: 3"]}):
        bad.append("missing stats not reported")
    try:
        to.hist_rows(["CPU:1 [LOST 12 EVENTS]"])
        bad.append("a LOST line was accepted")
    except to.TraceError:
        pass
    return bad


@case
def overrun_fails_compare():
    """compare.py: a case whose buffer overran fails, even where both oracles agree"""
    cases = sample("trace-6.1.log")[:1]
    cases[0]["trace_stats"]["cpu1"] = ["entries: 9", "overrun: 7", "commit overrun: 0"]
    failed, _, out = run_compare(cases)
    want = [x for x in out.splitlines() if x.startswith("FAIL") and "no event lost" in x]
    return [] if failed and want else ["an overrun did not fail: %d failed" % failed]


def main():
    return tap.run(CASES)


if __name__ == "__main__":
    sys.exit(main())
