"""The oracle for kernels without hist triggers: the fs_dax events recorded in the ftrace buffer
(tests/vm/guest-cases, @@trace and @@trace-stats), turned into the rows the hist triggers give,
so that tests/vm/compare.py runs the same checks on either.

A hist row is (dev, ino, result, hitcount), as strings, the way compare.py's HIST_LINE reads
`{ dev: 271581184, ino: 12, result: 8192 } hitcount: 4`: dev is the kernel's dev_t in decimal,
ino decimal, result the VM_FAULT bits in decimal (None for the events keyed without it).
The text trace prints the same fields differently, on every kernel from 5.10 to 7.x:

    daxload-140 [001] ..... 6.960129: dax_pmd_fault_done: dev 259:0 ino 0xc shared WRITE|...
        address 0x7f4633e00000 vm_start ... pgoff 0x0 max_pgoff 0x800 NEEDDSYNC

dev as MAJ:MIN, ino with %#lx (so 0 is "0", not "0x0"), result with __print_flags: names
joined by "|", bits without a name as a trailing 0x..., nothing at all for 0.
"""
import collections
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import dt_tables  # noqa: E402
from kdev import kdev_encode  # noqa: E402

# The events guest-cases records, as its hist triggers key them: with the result, or without.
DONE = ("dax_pte_fault_done", "dax_pmd_fault_done", "dax_insert_pfn_mkwrite")
PLAIN = ("dax_insert_pfn_mkwrite_no_entry", "dax_load_hole", "dax_pmd_load_hole",
         "dax_writeback_one")
# VM_FAULT names of the print fmt: DT_VM_FAULT_BITS, and WRITE, which 5.10 and 6.1 still
# print (removed in 6.2; the values never changed).
VM_FAULT = dict(dt_tables.vm_fault_bits())
VM_FAULT.setdefault("WRITE", 0x8)
# Every counter must add up; these are the stats lines that say events were lost.
LOSS_STATS = ("overrun", "commit overrun", "dropped events")

LINE = re.compile(r"\s(\d+\.\d+): (\w+): (.*)$")
DEV_INO = re.compile(r"^dev (\d+):(\d+) ino (0x[0-9a-f]+|0)\b")
# the result is the last field, after the last %#lx of the format (pgoff, max_pgoff)
RESULT = re.compile(r"\bpgoff (?:0x[0-9a-f]+|0)(?: max_pgoff (?:0x[0-9a-f]+|0))?(?: (\S+))?\s*$")


class TraceError(ValueError):
    pass


def flags(text):
    """__print_flags text -> the int ("" is 0)."""
    value = 0
    for name in text.split("|") if text else ():
        if name.startswith("0x"):
            value |= int(name, 16)
        elif name in VM_FAULT:
            value |= VM_FAULT[name]
        else:
            raise TraceError("unknown VM_FAULT flag %r in %r" % (name, text))
    return value


def parse_event(line):
    """One text trace line -> (event, dev_t, ino, result or None), or None for another event."""
    m = LINE.search(line)
    if not m:
        raise TraceError("not a trace event line: %r" % line)
    event, rest = m.group(2), m.group(3)
    if event not in DONE and event not in PLAIN:
        return None
    d = DEV_INO.match(rest)
    if not d:
        raise TraceError("no dev/ino in %r" % line)
    dev = kdev_encode("%s:%s" % (d.group(1), d.group(2)))
    ino = int(d.group(3), 16)
    result = None
    if event in DONE:
        r = RESULT.search(rest)
        if not r:
            raise TraceError("no result in %r" % line)
        result = flags(r.group(1) or "")
    return event, dev, ino, result


def hist_rows(lines):
    """Text trace lines -> {event: [(dev, ino, result, hitcount), ...]} for every event of
    DONE and PLAIN (empty lists included), strings as compare.py's HIST_LINE gives them.
    A "[LOST n EVENTS]" line (an overwritten buffer) is an error."""
    counts = collections.Counter()
    for line in lines:
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        if "LOST" in line and "EVENTS" in line:
            raise TraceError("the trace buffer lost events: %r" % line.strip())
        ev = parse_event(line)
        if ev:
            counts[ev] += 1
    rows = {e: [] for e in DONE + PLAIN}
    for (event, dev, ino, result), n in sorted(counts.items(), key=lambda kv: str(kv[0])):
        rows[event].append((str(dev), str(ino), None if result is None else str(result), str(n)))
    return rows


PGOFF = re.compile(r"\bpgoff (0x[0-9a-f]+|0)\b")


def offset_rows(lines):
    """Text trace lines -> {(dev_t, ino): {"fallback": {offset: n}, "race": {offset: n}}}: the
    2 MiB blocks, (pgoff & ~0x1ff) << 12 in bytes, of every dax_pmd_fault_done whose result is
    exactly FALLBACK and of every dax_insert_pfn_mkwrite_no_entry; what daxtrace reports as
    fallback_offsets and race_offsets."""
    out = {}
    for line in lines:
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("#") or ("LOST" in line and "EVENTS" in line):
            continue
        ev = parse_event(line)
        if not ev:
            continue
        event, dev, ino, result = ev
        if event == "dax_pmd_fault_done" and result == VM_FAULT["FALLBACK"]:
            kind = "fallback"
        elif event == "dax_insert_pfn_mkwrite_no_entry":
            kind = "race"
        else:
            continue
        m = PGOFF.search(LINE.search(line).group(3))
        if not m:
            raise TraceError("no pgoff in %r" % line)
        off = (int(m.group(1), 16) & ~0x1ff) << 12
        per = out.setdefault((dev, ino), {"fallback": {}, "race": {}})[kind]
        per[off] = per.get(off, 0) + 1
    return out


def losses(stats):
    """{cpu: [stats lines]} -> the complaints: every loss counter of every CPU must be 0."""
    bad = []
    for cpu, lines in sorted(stats.items()):
        seen = set()
        for line in lines:
            key, _, value = line.partition(":")
            if key.strip() in LOSS_STATS:
                seen.add(key.strip())
                if int(value) != 0:
                    bad.append("%s %s: %s" % (cpu, key.strip(), value.strip()))
        for key in LOSS_STATS:
            if key not in seen and key != "dropped events":  # dropped: not on every kernel
                bad.append("%s: no '%s' line in its stats" % (cpu, key))
    if not stats:
        bad.append("no per-CPU stats")
    return bad


def normalise(hist):
    """{event: rows} -> {event: {(dev, ino, result): n}} with only non-empty counts, for
    comparing the two oracles whatever the order of their rows."""
    return {e: {(int(d), int(i), None if r is None else int(r)): int(n) for d, i, r, n in rows}
            for e, rows in hist.items() if rows}
