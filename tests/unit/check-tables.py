#!/usr/bin/env python3
"""The docs' tables against include/dt_tables.h: every counter, fallback reason, diagnostic,
histogram, text column and Prometheus metric the code has must be in docs/JSON.md,
docs/EVENTS.md and docs/daxtrace.8, and the docs must name no other. Run by `make check-unit`
(tests/run-unit); prints TAP, one case per doc table, and what differs.

usage: check-tables.py [TOPDIR]
"""
import os
import re
import sys

TOP = sys.argv[1] if len(sys.argv) > 1 else \
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import dt_tables  # noqa: E402
import tap  # noqa: E402

COUNTERS = dt_tables.rows("DT_COUNTERS")
KEYS = [r[1] for r in COUNTERS]
REASONS = dt_tables.rows("DT_FALLBACKS")
HISTS = dt_tables.names("DT_HISTS")
DIAGS = dt_tables.names("DT_DIAGS")
ADVICE = dt_tables.rows("DT_ADVICE")


def doc(name):
    return open(os.path.join(TOP, "docs", name)).read()


def md_table(text, header):
    """The rows (lists of cells) of the Markdown table whose header line starts with `header`."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(header))
    rows = []
    for l in lines[start + 2:]:
        if not l.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", l.strip())[1:-1]])
    return rows


def ticked(cell):
    return re.findall(r"`([^`]+)`", cell)


def section(text, start, end):
    """The text from the line matching `start` to the line matching `end` (regexes)."""
    m = re.search(start, text, re.M)
    n = re.search(end, text[m.end():], re.M)
    return text[m.end():m.end() + n.start()]


def roff_words(text):
    """The words of .B/.BR/.RB lines, \\- unescaped and punctuation dropped."""
    out = []
    for l in text.splitlines():
        m = re.match(r"\.(?:B|BR|RB) (.*)", l)
        if m:
            for w in re.findall(r'[A-Za-z_\\][\w\\{},=*-]*', m.group(1).replace("\\-", "-")):
                out.append(w)
    return out


def detail_order():
    """The counters of the text detail line (src/report_text.c details()): those without a
    column, then those sharing a column, each in table order."""
    heads = [r[2][1][0] if isinstance(r[2], tuple) else None for r in COUNTERS]
    alone = [r[1] for r, h in zip(COUNTERS, heads) if h is None]
    shared = [r[1] for r, h in zip(COUNTERS, heads) if h is not None and heads.count(h) > 1]
    return alone + shared


def columns():
    heads = []
    for r in COUNTERS:
        if isinstance(r[2], tuple) and r[2][1][0] not in heads:
            heads.append(r[2][1][0])
    return heads


def metrics():
    """Every metric name as daxtrace.8 lists it: name{dev,label} when split by a label."""
    out = []
    for r in COUNTERS:
        if r[3] == "DT_PROM_NONE":
            continue
        metric, label = r[3][1][0], r[3][1][1]
        name = "%s{dev,%s}" % (metric, label) if label else metric
        if name not in out:
            out.append(name)
    # from the reason and diagnostic tables (src/report_prom.c write_metrics)
    return out + ["daxtrace_fallbacks_total{dev,reason}", "daxtrace_dropped_total{reason}"]


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def same(what, doc_list, code_list):
    if doc_list == code_list:
        return []
    return ["%s: only in the docs %s, only in the code %s" % (
                what, [x for x in doc_list if x not in code_list],
                [x for x in code_list if x not in doc_list]),
            "%s: the docs have %s" % (what, doc_list), "%s: the code has %s" % (what, code_list)]


@case
def tables_are_consistent():
    """include/dt_tables.h: a shared column has one width, a shared metric one help and a label"""
    bad, cols, mets = [], {}, {}
    for r in COUNTERS:
        if isinstance(r[2], tuple):
            cols.setdefault(r[2][1][0], set()).add(r[2][1][1])
        if isinstance(r[3], tuple):
            mets.setdefault(r[3][1][0], []).append(r[3][1])
    bad += ["column %s has widths %s" % (h, sorted(w)) for h, w in cols.items() if len(w) > 1]
    for m, rows in mets.items():
        if len({x[3] for x in rows}) > 1:
            bad.append("metric %s has more than one help" % m)
        if len(rows) > 1 and (len({x[1] for x in rows}) > 1 or None in {x[1] for x in rows} or
                              len({x[2] for x in rows}) < len(rows)):
            bad.append("metric %s: its counters need one label, each a value of its own" % m)
    for r in dt_tables.rows("DT_HISTS"):
        if len(r[3][1]) > dt_tables.constant("DT_NEEDS_MAX"):
            bad.append("histogram %s needs more than DT_NEEDS_MAX hook groups" % r[1])
    return bad


@case
def json_md_inode_counters():
    """docs/JSON.md inode objects: a row per counter with its meaning, in table order"""
    rows = md_table(doc("JSON.md").split("### Inode objects", 1)[1], "| key |")
    keys = [ticked(r[0])[0] if ticked(r[0]) else r[0] for r in rows]
    got = [(k, r[2]) for k, r in zip(keys, rows)][keys.index("pid") + 1:keys.index("fallback_reasons")]
    return same("JSON.md inode counters (key, meaning)", got, [(r[1], r[4]) for r in COUNTERS])


@case
def json_md_fallback_reasons():
    """docs/JSON.md fallback_reasons: the reasons, in table order, and their number"""
    rows = md_table(doc("JSON.md").split("### Inode objects", 1)[1], "| key |")
    cell = next(r[2] for r in rows if r[0] == "`fallback_reasons`")
    bad = same("JSON.md fallback_reasons", ticked(cell.split("→")[0]), [r[1] for r in REASONS])
    if "the %d keys" % len(REASONS) not in cell:
        bad.append("JSON.md fallback_reasons does not say 'the %d keys'" % len(REASONS))
    return bad


@case
def json_md_totals_and_diagnostics():
    """docs/JSON.md: the number of counters in totals, and a row per diagnostic"""
    text = doc("JSON.md")
    bad = []
    if "| the %d counters |" % len(KEYS) not in text:
        bad.append("JSON.md totals does not say 'the %d counters'" % len(KEYS))
    rows = md_table(text.split("### `diagnostics`", 1)[1], "| key |")
    return bad + same("JSON.md diagnostics", [ticked(r[0])[0] for r in rows], DIAGS + ["inflight"])


@case
def json_md_histograms():
    """docs/JSON.md histograms: their number and names, in order"""
    text = doc("JSON.md")
    line = re.search(r"^\| `name` \| string \| (.*)$", text, re.M).group(1)
    bad = same("JSON.md histogram names", ticked(line), HISTS)
    if "| `histograms` | array | always %d objects" % len(HISTS) not in text:
        bad.append("JSON.md histograms does not say 'always %d objects'" % len(HISTS))
    return bad


@case
def events_md_counters():
    """docs/EVENTS.md: a row per counter, in table order"""
    rows = md_table(doc("EVENTS.md"), "| counter | kernel event and condition |")
    return same("EVENTS.md counters", [ticked(r[0])[0] for r in rows], KEYS)


@case
def events_md_fallback_reasons():
    """docs/EVENTS.md: a row per fallback reason, with its meaning"""
    rows = md_table(doc("EVENTS.md"), "| # | reason | condition | meaning |")
    got = sorted((ticked(r[1])[0], r[3]) for r in rows)
    return same("EVENTS.md fallback reasons (name, meaning)", got,
                sorted((r[1], r[2]) for r in REASONS))


@case
def events_md_histograms():
    """docs/EVENTS.md: a row per histogram, in order"""
    rows = md_table(doc("EVENTS.md"), "| histogram | start | end | needs |")
    return same("EVENTS.md histograms", [ticked(r[0])[0] for r in rows], HISTS)


@case
def events_md_vm_fault_bits():
    """docs/EVENTS.md definitions: each VM_FAULT bit named has the table's value"""
    bits, bad = dt_tables.vm_fault_bits(), []
    for r in md_table(doc("EVENTS.md"), "| name | value |"):
        names = [n.replace("VM_FAULT_", "") for n in ticked(r[0])]
        if not r[0].startswith("`VM_FAULT_") or "mask" in r[0]:
            continue
        values = [int(v, 16) for v in re.findall(r"0x[0-9a-f]+", r[1])]
        for n, v in zip(names, values):
            if bits.get(n) != v:
                bad.append("EVENTS.md: VM_FAULT_%s is 0x%x, the table says %s" % (n, v, bits.get(n)))
    return bad


@case
def man_text_columns():
    """daxtrace.8 text report: a column entry per table column, in order"""
    sect = section(doc("daxtrace.8"), r"^\.B INODE$", r"^\.PP$")
    heads = [w for l in re.findall(r"^\.TP\n(\.BR? .*)$", sect, re.M) for w in roff_words(l)]
    return same("daxtrace.8 columns", heads, columns())


@case
def man_detail_counters():
    """daxtrace.8 text report: the counters of the detail line, in their order"""
    sect = section(doc("daxtrace.8"), r'^\.RB \\\(dq counters: \\\(dq$', r"^\(all counters")
    return same("daxtrace.8 detail counters", roff_words(sect), detail_order())


@case
def man_fallback_reasons():
    """daxtrace.8 text report: the fallback reasons, in table order"""
    sect = section(doc("daxtrace.8"), r'^\.RB \\\(dq "fallback reasons:" \\\(dq$', r"^as$")
    words = [w for w in roff_words(sect) if w != "with"]
    return same("daxtrace.8 fallback reasons", words, [r[1] for r in REASONS])


@case
def man_prometheus_metrics():
    """daxtrace.8 --prometheus: every counter metric and every histogram metric"""
    text = doc("daxtrace.8")
    got = roff_words(section(text, r"^\.BR \*_total :$", r"^one histogram per latency stage"))
    bad = same("daxtrace.8 counter metrics", sorted(got), sorted(metrics()))
    got = roff_words(section(text, r"^values are exact decimal seconds:$", r"^The stages nest"))
    return bad + same("daxtrace.8 histogram metrics", got,
                      ["daxtrace_%s_latency_seconds" % h for h in HISTS])


@case
def man_histograms():
    """daxtrace.8 text report: the histograms, in order"""
    sect = section(doc("daxtrace.8"), r"^Then, for every histogram with samples$", r"^a title line")
    return same("daxtrace.8 histograms", roff_words(sect), HISTS)


@case
def events_md_what_to_do():
    """docs/EVENTS.md What to do: every fallback reason and advice topic with its remedy, in order"""
    rows = md_table(section(doc("EVENTS.md"), r"^## What to do$", r"^## "), "| reason or topic |")
    got = [(ticked(r[0])[0], r[1].replace("\\|", "|")) for r in rows]
    return same("EVENTS.md What to do (name, remedy)", got,
                [(r[1], r[-1]) for r in REASONS + ADVICE])


@case
def man_what_to_do():
    """daxtrace.8 WHAT TO DO: every fallback reason and advice topic, in order, each with its remedy"""
    sect = section(doc("daxtrace.8"), r"^\.SH WHAT TO DO$", r"^\.SH ")
    items = re.findall(r"^\.TP\n\.B (\S+)\n(.*)$", sect, re.M)
    got = [(n, t.replace("\\-", "-").replace("\\e", "\\")) for n, t in items]
    return same("daxtrace.8 WHAT TO DO (name, remedy)", got,
                [(r[1], r[-1]) for r in REASONS + ADVICE])


def main():
    return tap.run(CASES)


if __name__ == "__main__":
    sys.exit(main())
