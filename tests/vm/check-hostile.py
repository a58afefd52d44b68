#!/usr/bin/env python3
"""Checks what daxtrace printed about files and processes an attacker named
(tests/vm/guest-hostile), whatever the escaping looks like:

- text (the summary, its narrow layout, `trace`, stderr, the Prometheus file): valid UTF-8, no
  C0 control but newline, no DEL, no C1 control (neither a raw 0x80-0x9f byte nor
  U+0080-U+009F), no bidi control or line separator (a name shown as another); one table row per
  file and one TOTAL (no forged row); `trace`: one line per event;
- JSON and `trace --json`: every line parses; paths distinct; names and comms as daxload gave
  them, bytes that are not UTF-8 as U+FFFD;
- the Prometheus file: valid UTF-8, `promtool check metrics` passes, and node_exporter's textfile
  collector (started here, on 127.0.0.1) takes it: node_textfile_scrape_error 0.

usage: check-hostile.py LOG LABEL [--save DIR]
LOG holds guest-hostile's output (after guest-cases', if any); LABEL is "KERNEL/FS ...".
--save DIR writes each output to DIR/NAME, to look at with `cat -v`.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import Checker  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNS = ["text", "narrow", "trace", "json", "trace-json"]
CONTROL_NAMES = {0x07: "BEL", 0x08: "BS", 0x09: "TAB", 0x0d: "CR", 0x1b: "ESC", 0x7f: "DEL"}
BIDI = {0x061c, 0x200e, 0x200f, 0x2028, 0x2029} | set(range(0x202a, 0x202f)) | \
    set(range(0x2066, 0x206a))
ROW = re.compile(rb"^(\d+:\d+)\s+(\d+)\b")


def capture_len():
    """Bytes of a name the BPF side captures: DT_NAME_LEN less its NUL."""
    with open(os.path.join(TOP, "include", "daxtrace.h")) as f:
        return int(re.search(r"#define DT_NAME_LEN (\d+)", f.read()).group(1)) - 1


def parse(data):
    """{name: bytes or None} and {run: rc} from the framed section of the log."""
    start = data.find(b"@@hostile-begin\n")
    out, rc, complete = {}, {}, False
    if start < 0:
        return out, rc, complete
    i = start + len(b"@@hostile-begin\n")
    while i < len(data):
        j = data.find(b"\n", i)
        if j < 0:
            break
        w = data[i:j].decode("ascii", "replace").split()
        i = j + 1
        if w == ["@@hostile-end"]:
            complete = True
            break
        if len(w) == 3 and w[0] == "@@out":
            n = int(w[2])
            out[w[1]] = data[i:i + n] if n >= 0 else None
            i += n + 1 if n >= 0 else 0
        elif len(w) == 3 and w[0] == "@@rc":
            rc[w[1]] = int(w[2])
        else:
            break  # a frame was cut short: stop rather than misread the rest
    return out, rc, complete


def context(b, at):
    return repr(b[max(0, at - 24):at + 24])


def text_problems(b):
    """{check: detail or None}: what of b a terminal would act on or misprint."""
    found = {"valid UTF-8": [], "no C0 control but newline": [], "no DEL": [],
             "no C1 control (raw 0x80-0x9f or U+0080-U+009F)": [],
             "no bidi control or line separator": []}
    keys = list(found)
    s = b.decode("utf-8", "surrogateescape")
    at = 0
    for ch in s:
        c = ord(ch)
        size = 1 if 0xdc80 <= c <= 0xdcff else len(ch.encode())
        if 0xdc80 <= c <= 0xdcff:  # a byte that is not UTF-8
            byte = c - 0xdc00
            found[keys[0]].append((at, "0x%02x" % byte))
            if 0x80 <= byte <= 0x9f:
                found[keys[3]].append((at, "raw byte 0x%02x" % byte))
        elif c < 0x20 and c != 0x0a:
            found[keys[1]].append((at, CONTROL_NAMES.get(c, "0x%02x" % c)))
        elif c == 0x7f:
            found[keys[2]].append((at, "DEL"))
        elif 0x80 <= c <= 0x9f:
            found[keys[3]].append((at, "U+%04X" % c))
        elif c in BIDI:
            found[keys[4]].append((at, "U+%04X" % c))
        at += size
    result = {}
    for k, hits in found.items():
        if not hits:
            result[k] = None
            continue
        kinds = {}
        for _, what in hits:
            kinds[what] = kinds.get(what, 0) + 1
        first = hits[0][0]
        result[k] = "%s; first at byte %d: %s" % (
            ", ".join("%s x%d" % kv for kv in sorted(kinds.items())), first, context(b, first))
    return result


def lines(b):
    return [l for l in b.split(b"\n") if l.strip()]


def truth_files(ck, run, raw):
    """(dev, ino) -> daxload's file record, from its JSON lines."""
    files = {}
    try:
        for l in lines(raw or b""):
            for f in json.loads(l)["files"]:
                files[(f["dev"], f["ino"])] = f
    except ValueError as e:
        ck.check("%s: daxload's ground truth parses" % run, False, str(e))
    return files


def check_table(ck, run, out, files):
    rows = [m.groups() for m in map(ROW.match, out.split(b"\n")) if m]
    got = [(d.decode(), int(i)) for d, i in rows]
    ck.check("%s: one table row per file (%d), no forged row" % (run, len(files)),
             len(got) == len(files),
             "%d rows: %s" % (len(got), [r for r in got if r not in files] or "duplicates"))
    ck.check("%s: the rows are the files faulted" % run, set(got) == set(files),
             "missing %s, not faulted %s" % (sorted(set(files) - set(got)),
                                             sorted(set(got) - set(files))))
    totals = [l for l in out.split(b"\n") if l.startswith(b"TOTAL")]
    ck.check("%s: TOTAL once" % run, len(totals) == 1, repr(totals))


def events_reported(ck, run, err):
    m = re.search(rb"(\d+) events, (\d+) lost", err or b"")
    ck.check("%s: stderr says how many events, none lost" % run, m and m.group(2) == b"0",
             repr((err or b"")[-200:]))
    return int(m.group(1)) if m else -1


def check_trace(ck, run, out, err):
    n = events_reported(ck, run, err)
    body = [l for l in lines(out) if l.split()[0] not in (b"TIME(s)", b"WALL")]
    ck.check("%s: one line per event (%d)" % (run, n), n > 0 and len(body) == n,
             "%d lines" % len(body))


def json_lines(ck, run, out):
    docs = []
    for k, l in enumerate(lines(out)):
        try:
            docs.append(json.loads(l))
        except ValueError as e:
            ck.check("%s: line %d parses" % (run, k + 1), False, "%s: %r" % (e, l[:120]))
            return None
    ck.check("%s: all %d lines parse" % (run, len(docs)), bool(docs))
    return docs


def shown(b):
    """How valid JSON shows bytes: as they are, bytes that are not UTF-8 as U+FFFD."""
    return b.decode("utf-8", "replace")


def check_json(ck, run, out, files, workload, cut):
    docs = json_lines(ck, run, out)
    if not docs:
        return
    inodes = {(r["dev"], r["ino"]): r for r in docs[-1].get("inodes", [])}
    paths = [r.get("path") for r in inodes.values()]
    ck.check("%s: every file reported" % run, set(files) <= set(inodes),
             "missing %s" % sorted(set(files) - set(inodes)))
    ck.check("%s: paths distinct" % run, len(set(paths)) == len(paths), repr(paths))
    names = {n[:3].decode(): n for _, n in workload}  # by tag: h00, h01, ...
    for key, f in files.items():
        r = inodes.get(key)
        d, _, base = f["path"].rpartition("/")
        tag, name = base[:3], names.get(base[:3], b"")
        if not r:
            continue
        if len(name) <= cut:
            want = d + "/" + shown(name)
            ck.check("%s: %s path as named" % (run, tag), r["path"] == want,
                     "%r, not %r" % (r["path"], want))
        else:  # cut by the capture: its mount prefix, its start, the cut marked
            start = shown(name)[:12]
            ck.check("%s: %s path starts as named" % (run, tag), start in r["path"],
                     "%r lacks %r" % (r["path"], start))
            ck.check("%s: %s cut path keeps %s/ and ends in an ellipsis" % (run, tag, d),
                     r["path"].startswith(d + "/" + start) and r["path"].endswith("\u2026")
                     and r.get("path_cut") is True,
                     "%r, path_cut %r" % (r["path"], r.get("path_cut")))
    check_comms(ck, run, inodes.values(), workload)


def check_comms(ck, run, records, workload):
    comms = {shown(c) for c, _ in workload}
    bad = {repr(r.get("comm")) for r in records if r.get("comm") not in comms}
    ck.check("%s: comms as set, invalid bytes as U+FFFD" % run, not bad, ", ".join(sorted(bad)))


def check_trace_json(ck, run, out, err, files, workload, cut):
    n = events_reported(ck, run, err)
    docs = json_lines(ck, run, out)
    if docs is None:
        return
    ck.check("%s: one line per event (%d)" % (run, n), len(docs) == n, "%d lines" % len(docs))
    check_comms(ck, run, docs, workload)
    stray = {(e.get("dev"), e.get("ino")) for e in docs} - set(files)
    ck.check("%s: events of the files faulted only" % run, not stray, repr(stray))
    # every event names its file as the summary does: the hostile name as given (invalid bytes
    # as U+FFFD), or, cut by the capture, its start and the ellipsis
    names = {n[:3].decode(): n for _, n in workload}
    bad = []
    for e in docs:
        f = files.get((e.get("dev"), e.get("ino")))
        if not f:
            continue
        d, _, base = f["path"].rpartition("/")
        name = names.get(base[:3], b"")
        ok = e.get("path") == d + "/" + shown(name) if len(name) <= cut else \
            e.get("path", "").startswith(d + "/" + shown(name)[:12]) and e["path"].endswith("\u2026")
        if not ok or e.get("offset") != e.get("pgoff", -1) * 4096:
            bad.append((e.get("event"), e.get("path"), e.get("offset"), e.get("pgoff")))
    ck.check("%s: every event has its file's path and offset pgoff * 4096" % run, docs and not bad,
             repr(bad[:3]))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_exporter(prom):
    """node_exporter's /metrics with prom as its only textfile, or (None, why)."""
    exe = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
    if not exe:
        return None, "no prometheus-node-exporter (tools/deps --vm installs it)"
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "daxtrace.prom"), "wb") as f:
            f.write(prom)
        port = free_port()
        log = open(os.path.join(d, "log"), "w+")
        p = subprocess.Popen([exe, "--web.listen-address=127.0.0.1:%d" % port,
                              "--collector.disable-defaults", "--collector.textfile",
                              "--collector.textfile.directory=" + d],
                             stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    url = "http://127.0.0.1:%d/metrics" % port
                    return urllib.request.urlopen(url, timeout=2).read(), ""
                except OSError as e:
                    if p.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        return None, "%s: %s %s" % (exe, e, log.read()[-300:])
                    time.sleep(0.1)
        finally:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log.close()


def check_prometheus(ck, prom, files):
    ck.check("text.prom: written", prom is not None)
    if prom is None:
        return
    for what, detail in text_problems(prom).items():
        ck.check("text.prom: %s" % what, detail is None, detail)
    if shutil.which("promtool"):
        r = subprocess.run(["promtool", "check", "metrics"], input=prom, capture_output=True,
                           timeout=30)
        ck.check("text.prom: promtool check metrics", r.returncode == 0,
                 "exit %d: %s" % (r.returncode, (r.stdout + r.stderr).decode("utf-8", "replace")
                                  .strip()[:300]))
    else:
        ck.check("text.prom: promtool check metrics", False,
                 "no promtool (package prometheus; tools/deps --vm installs it)")
    body, why = node_exporter(prom)
    ck.check("node_exporter: serves /metrics", body is not None, why)
    if body is None:
        return
    m = re.search(rb"^node_textfile_scrape_error (\S+)$", body, re.M)
    ck.check("node_exporter: node_textfile_scrape_error 0", m and m.group(1) == b"0",
             m.group(0).decode() if m else "no node_textfile_scrape_error")
    inos = set(re.findall(rb'^daxtrace_inode_faults_total\{[^\n]*ino="(\d+)"', body, re.M))
    ck.check("node_exporter: daxtrace series of every file (%d)" % len(files),
             len(inos) == len(files), "%d inodes" % len(inos))


def main():
    log, label = sys.argv[1], sys.argv[2]
    save = sys.argv[sys.argv.index("--save") + 1] if "--save" in sys.argv else None
    ck = Checker(label)
    with open(log, "rb") as f:
        out, rc, complete = parse(f.read())
    ck.check("guest-hostile ran to the end", complete, "no @@hostile-end in " + log)
    if save:
        os.makedirs(save, exist_ok=True)
        for name, b in out.items():
            with open(os.path.join(save, name), "wb") as f:
                f.write(b or b"")
    ck.check("the channel carries every byte unchanged", out.get("channel") == bytes(range(256)),
             repr(out.get("channel")))
    workload = [tuple(bytes.fromhex(h.decode()) for h in l.split())
                for l in lines(out.get("names") or b"")]
    cut = capture_len()
    for run in RUNS:
        o, e = out.get(run + ".stdout"), out.get(run + ".stderr")
        ck.check("%s: daxtrace exit 0" % run, rc.get(run) == 0, "exit %s" % rc.get(run))
        if o is None:
            continue
        files = truth_files(ck, run, out.get(run + ".truth"))
        ck.check("%s: %d files faulted" % (run, len(workload)), len(files) == len(workload),
                 "%d in daxload's ground truth" % len(files))
        texts = [(run + ".stderr", e or b"")]
        if not run.endswith("json"):
            texts.insert(0, (run + ".stdout", o))
        for name, b in texts:
            for what, detail in text_problems(b).items():
                ck.check("%s: %s" % (name, what), detail is None, detail)
        if run in ("text", "narrow"):
            check_table(ck, run, o, files)
        elif run == "trace":
            check_trace(ck, run, o, e)
        elif run == "json":
            check_json(ck, run, o, files, workload, cut)
        else:
            check_trace_json(ck, run, o, e, files, workload, cut)
        if run == "text":
            check_prometheus(ck, out.get("text.prom"), files)
    print("%s: %d passed, %d failed" % (label, ck.passed, ck.failed))
    return 1 if ck.failed or not ck.passed else 0


if __name__ == "__main__":
    sys.exit(main())
