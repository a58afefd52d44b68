#!/usr/bin/env python3
"""Checks what tests/operator/run-modes printed: every run's exit status is one daxtrace
documents (never a signal), as root and as uid 65534; the outputs are what each mode promises
(JSON parses, NDJSON line by line); unprivileged runs are refused with one line; the links
attached while running are the programs daxtrace reports (--stats); nothing is left attached.
Prints one line per check and "LABEL: N passed, N failed"; non-zero exit on any failure.

usage: check-modes.py LOG LABEL      (LOG may hold other lines: only @@op sections count)
       check-modes.py --stats LABEL DOC
       check-modes.py --links LABEL DOC LINKS PROGS HELD
           (those checks alone, for tests/host/run: DOC is daxtrace's --stats --json output,
           LINKS and PROGS bpftool -j link list / prog list taken while it ran, HELD the ids
           of the links it held, one a line)
"""
import json
import re
import sys
import os

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from checker import Checker  # noqa: E402

DOCUMENTED = {0, 1, 2, 64, 67, 69, 77, 126, 127}
USAGE_RUNS = {"bogus", "bad_interval", "bad_hist_by", "top_bad_sort", "top_bad_rows"}
# daxtrace's program names: the flavour prefix of each hook mode (bpf/daxtrace.bpf.c)
PREFIXES = {"tp_btf": ("btf_",), "raw_tp": ("raw_",), "fentry": ("fe_", "fx_"),
            "kprobe": ("kp_", "krp_")}
OURS = re.compile(r"^(btf|raw|fe|fx|kp|krp)_")


def parse(text):
    """{(name, uid): run}, the @@op begin fields, the @@op end fields, skips, thread info."""
    runs, info, sect, cur = {}, {}, None, None
    for line in text.splitlines():
        line = line.rstrip("\r")
        if not line.startswith("@@op "):
            if cur is not None and sect:
                cur[sect].append(line)
            continue
        w = line.split()
        what = w[1]
        if what == "run":
            cur = {"name": w[2], "uid": int(w[3]), "rc": int(w[4][3:]), "stdout": [],
                   "s": float(w[5][2:]) if len(w) > 5 else 0.0,
                   "stderr": [], "file": None, "bpftool-links": [], "bpftool-progs": [], "link-ids": [],
                   "perf-prog-ids": []}
            runs[(cur["name"], cur["uid"])] = cur
            sect = None
        elif what in ("stdout", "stderr", "file", "bpftool-links", "bpftool-progs", "link-ids",
                      "perf-prog-ids") and cur:
            sect = what
            if what == "file":
                cur["file"] = []
        elif what == "done":
            cur, sect = None, None
        elif what in ("begin", "base", "end", "thread"):
            o = w.index("orphans") if "orphans" in w else len(w)  # the last field, with its ids
            info[what] = dict(zip(w[2:o:2], w[3:o:2]))
            if o < len(w):
                info[what]["orphans"], info[what]["orphan_ids"] = w[o + 1], w[o + 2:]
        elif what == "skip":
            info.setdefault("skip", []).append((w[2], " ".join(w[3:])))
    return runs, info




def ndjson(lines):
    """Every non-empty line as JSON, or None if one does not parse."""
    try:
        return [json.loads(l) for l in lines if l.strip()]
    except ValueError:
        return None


def daxtrace_docs(lines):
    """daxtrace's documents among the lines (a traced daxload prints its own JSON line too)."""
    docs = ndjson(lines) or []
    return [d for d in docs if isinstance(d, dict) and "probes" in d]


def tail(lines, n=3):
    return " | ".join(lines[-n:])


def expected_rc(name, uid):
    if name in USAGE_RUNS:
        return 64
    if uid != 0 and not name.startswith("check"):
        return 77
    return {"no_pid": 67, "no_command": 127}.get(name, 0)


def text_modes(lines):
    """HOOK -> MODE from the `check` table (which ends at the empty line before the features)."""
    modes, table = {}, False
    for l in lines:
        w = l.split()
        if w[:2] == ["HOOK", "MODE"]:
            table = True
        elif not w:
            table = False
        elif table and len(w) >= 2:
            modes[w[0]] = w[1]
    return modes


def check_stats(ck, doc, what="--stats"):
    """bpf_stats lists the programs daxtrace attached: those of the hooks its "probes" report
    attached, in the reported flavour, one or two per hook (some hooks attach only an entry or
    only an exit program: src/probes.c drops spare ones). Returns the listed names."""
    stats = doc.get("bpf_stats")
    if not ck.check(what + ": the JSON has bpf_stats", isinstance(stats, list), str(doc)[:200]):
        return None
    ck.check(what + ": each entry has program, hook, runs, run_time_ns",
             all({"program", "hook", "runs", "run_time_ns"} <= set(s) for s in stats), str(stats)[:200])
    per_hook = {}
    for s in stats:
        per_hook.setdefault(s.get("hook"), []).append(s.get("program", ""))
    probes = doc["probes"]
    bad = [(h, m, per_hook.get(h)) for h, m in probes.items()
           if (m == "unavailable") != (h not in per_hook)
           or (h in per_hook and not all(p.startswith(PREFIXES[m]) and p.endswith("_" + h)
                                         for p in per_hook[h]))
           or len(per_hook.get(h, [])) > 2]
    bad += [(h, "not in probes") for h in per_hook if h not in probes]
    ck.check(what + ": bpf_stats lists every attached hook, in its reported flavour",
             not bad, str(bad))
    func = {h: per_hook.get(h, []) for h, m in probes.items() if m in ("fentry", "kprobe")}
    if func:
        ck.note(what + ": function hook programs attached: " + ", ".join(
            "%s %s" % (h, "+".join(p)) for h, p in sorted(func.items())))
    return sorted(s.get("program") for s in stats)


def check_links(ck, doc, links, progs, held, what="links", perf_progs=()):
    """The links daxtrace held while it ran (HELD: their ids, from its fdinfo) are exactly the
    programs its --stats lists, and bpftool sees each of them. PERF_PROGS: programs it attached
    to perf events without a link (kprobes before 5.15), counted with the linked ones."""
    listed = check_stats(ck, doc, what)
    if listed is None:
        return
    names = {p["id"]: p.get("name", "") for p in progs}
    seen = {l["id"]: names.get(l.get("prog_id"), "?") for l in links}
    ck.check(what + ": bpftool lists the %d links daxtrace held" % len(held),
             held and all(i in seen for i in held),
             "held %s (none: daxtrace had not said Tracing within 60 s)" % sorted(held))
    linked = {l.get("prog_id") for l in links if l["id"] in held}
    ours = sorted([seen[i] for i in held if i in seen] +
                  [names.get(p, "?") for p in perf_progs if p not in linked])
    ck.check(what + ": %d attachments (links, perf events) of daxtrace programs == the %d "
             "programs --stats lists"
             % (len(ours), len(listed)), ours == listed,
             "linked only %s, listed only %s" % (sorted(set(ours) - set(listed)),
                                                 sorted(set(listed) - set(ours))))
    loaded = sorted(n for n in names.values() if OURS.match(n))
    if len(loaded) > len(ours):
        ck.note(what + ": %d daxtrace programs loaded (by any process), %d linked by this one "
                "(spare exit programs stay loaded)" % (len(loaded), len(ours)))


def check_run(ck, r, info):
    name, uid, rc = r["name"], r["uid"], r["rc"]
    who = "%s as %s" % (name, "root" if uid == 0 else "uid %d" % uid)
    out, err = r["stdout"], r["stderr"]
    san = [l for l in out + err if "Sanitizer" in l or "runtime error:" in l]
    ck.check(who + ": no sanitizer report", not san, tail(san))
    if not ck.check(who + ": exit status %d is documented, not a signal" % rc,
                    rc in DOCUMENTED and rc < 128, "rc=%d %s" % (rc, tail(err))):
        return
    unknown = [l for l in err if re.search(r"unrecognized option '-o|invalid option -- 'o'", l)]
    if name.startswith("o_") and rc == 64 and unknown:
        ck.check(who + ": -o FILE is known", False,
                 "this daxtrace has no -o (expected to fail until the -o branch is merged): "
                 + unknown[0])
        return
    want = expected_rc(name, uid)
    if name == "pid_thread" and uid == 0:
        return check_thread(ck, r, info)
    if not ck.check(who + ": exit %d" % want, rc == want, "rc=%d %s" % (rc, tail(err))):
        return
    if rc == 77:
        ck.check(who + ": one line saying permission denied",
                 len(err) == 1 and "permission denied" in err[0], tail(err))
        return
    if rc != 0:
        ck.check(who + ": an error message", len(err) >= 1 and err[0].startswith("daxtrace: "),
                 tail(err))
        return
    file = r["file"]
    if name.startswith("check"):
        if name == "check_json":
            docs = ndjson(out)
            if ck.check(who + ": one JSON document", docs is not None and len(docs) == 1, tail(out)):
                ck.check(who + ": verified_by_load is %s" % (uid == 0),
                         docs[0].get("verified_by_load") is (uid == 0), str(docs[0])[:200])
        else:
            modes = text_modes(out)
            ck.check(who + ": lists the fs_dax tracepoints", any(h.startswith("dax_") for h in modes),
                     tail(out))
            if uid != 0:
                ck.check(who + ": says the modes are guesses (not root)",
                         "not root" in (out[0] if out else ""), tail(out, 1))
            if name == "check_kprobes":
                ck.check(who + ": no fentry hook with --kprobes", "fentry" not in modes.values(),
                         str(modes))
        return
    if name in ("summary", "pid", "dev", "ino", "stats"):
        ck.check(who + ": a TOTAL line", any(l.startswith("TOTAL") for l in out), tail(out))
    if name == "stats":
        ck.check(who + ": the BPF cost table", any("BPF cost since start" in l for l in out), tail(out))
    if name == "interval":
        n = sum(l.startswith("TOTAL") for l in out)
        ck.check(who + ": two reports (%d)" % n, n == 2, tail(out))
    if name == "hist_by":
        docs = daxtrace_docs(out)
        ck.check(who + ": one final document with its processes array",
                 ndjson(out) is not None and len(docs) == 1 and isinstance(docs[0].get("processes"), list)
                 and docs[0]["diagnostics"].get("process_map_full") == 0, tail(out))
    if name in ("json", "stats_json", "command", "dev_command"):
        docs = daxtrace_docs(out)
        ck.check(who + ": NDJSON, one final daxtrace document",
                 ndjson(out) is not None and len(docs) == 1 and docs[0].get("final") is True,
                 tail(out))
        if name == "stats_json" and docs:
            check_stats(ck, docs[0], who)
        if name in ("command", "dev_command") and docs and info.get("begin", {}).get("workload") == "daxload":
            n = docs[0]["totals"]["sync_faults"]
            ck.check(who + ": the workload's sync faults counted (%d)" % n, n > 0, str(docs[0]["totals"]))
    if name in ("dev", "ino") or (name == "dev_command" and info.get("begin", {}).get("workload") != "daxload"):
        ck.check(who + ": says the filter matched nothing",
                 any("no DAX fault or writeback matched" in l for l in err), tail(err))
    if name in ("trace", "o_trace"):
        body = file if name == "o_trace" else out
        ck.check(who + ": the trace header", bool(body) and "EVENT" in body[0], tail(body or []))
        ck.check(who + ": events and lost counted", any(re.search(r"\d+ events, \d+ lost", l) for l in err),
                 tail(err))
    if name == "trace_json":
        ck.check(who + ": NDJSON", ndjson(out) is not None, tail(out))
    if name == "prometheus":
        ck.check(who + ": the textfile written", file is not None and any(l.startswith("# TYPE daxtrace_")
                                                                         for l in file), tail(file or []))
    if name.startswith("top"):
        check_top(ck, who, name, out, info)
    if name.startswith("o_"):
        ck.check(who + ": nothing on stdout", not [l for l in out if l.strip()], tail(out))
        if file is None:
            ck.check(who + ": FILE written", False, "no file")
        elif name == "o_text":
            ck.check(who + ": the report in FILE", any(l.startswith("TOTAL") for l in file), tail(file))
        elif name == "o_json":
            docs = daxtrace_docs(file)
            ck.check(who + ": one JSON document in FILE", ndjson(file) is not None and len(docs) == 1,
                     tail(file))


TOP_HEADER = re.compile(r"^daxtrace top \d\d:\d\d:\d\d  (interval|summary of) \d+\.\d{3} s  (files|processes) by (\w+)$")
TOP_TOTALS = re.compile(r"^faults (\d+)  pte (\d+)  pmd (\d+)  sync (\d+)  fallbacks (\d+)  sync p99 ")


def check_top(ck, who, name, out, info):
    """daxtrace top with stdout a file: no escape byte, its screens then one summary, the view
    and sort asked for; with the daxload COMMAND, the summary's totals are its declared ones."""
    ck.check(who + ": no escape or control byte (stdout is not a terminal)",
             not [l for l in out if re.search(r"[\x00-\x1f\x7f]", l)], tail(out))
    heads = [TOP_HEADER.match(l) for l in out if TOP_HEADER.match(l)]
    kinds = [m.group(1) for m in heads]
    want = {"top": 2, "top_procs": 1}.get(name)
    ck.check(who + ": %s interval screens, then one summary (%s)" % (want or "its", kinds),
             kinds and kinds[-1] == "summary of" and kinds.count("summary of") == 1 and
             (want is None and len(kinds) >= 2 or len(kinds) == (want or 0) + 1), tail(out))
    if name == "top_procs":
        ck.check(who + ": -P -s sync: processes by sync, PID first",
                 all(m.group(2, 3) == ("processes", "sync") for m in heads) and
                 any(l.split()[:3] == ["PID", "COMM", "FAULTS"] for l in out), tail(out))
    truth = [d for d in ndjson([l for l in out if l.startswith("{")]) or [] if "files" in d]
    if name == "top_command" and info.get("begin", {}).get("workload") == "daxload":
        totals = [TOP_TOTALS.match(l) for l in out if TOP_TOTALS.match(l)]
        files = [f for d in truth for f in d["files"]]
        declared = tuple(sum(f["expect"][k] for f in files) for k in
                         ("pte_faults", "pmd_faults", "sync_faults", "fallbacks"))
        got = tuple(int(x) for x in totals[-1].groups()[1:]) if totals else None
        ck.check(who + ": the summary's pte, pmd, sync, fallbacks %s == daxload's declared %s"
                 % (got, declared), files and got == declared, tail(out))


def check_thread(ck, r, info):
    """-p TID of a non-leader thread: -p selects processes (the BPF filter compares tgids), so
    daxtrace runs, traces nothing of it, and says so at start-up, naming the process to use."""
    rc, err = r["rc"], r["stderr"]
    t = info.get("thread", {})
    if not ck.check("pid_thread as root: exit 0", rc == 0, "rc=%d %s" % (rc, tail(err))):
        return
    want = "is a thread of process %s" % t.get("process", "?")
    ck.check("pid_thread as root: says the thread id is a thread of its process, use -p %s"
             % t.get("process", "?"), any(want in l and "use -p" in l for l in err), tail(err))
    docs = daxtrace_docs(r["stdout"])
    n = docs[0]["totals"]["pte_faults"] + docs[0]["totals"]["pmd_faults"] if docs else -1
    ck.check("pid_thread as root: and matches nothing (%d faults)" % n, n == 0, tail(err))


def main():
    if sys.argv[1] in ("--links", "--stats"):
        ck = Checker(sys.argv[2])
        docs = daxtrace_docs(open(sys.argv[3]).read().splitlines())
        if not ck.check("one daxtrace JSON document in " + sys.argv[3], len(docs) == 1, ""):
            return 1
        if sys.argv[1] == "--stats":
            check_stats(ck, docs[0])
        else:
            load = lambda p: json.load(open(p))
            held = [int(l) for l in open(sys.argv[6]) if l.strip()]
            check_links(ck, docs[0], load(sys.argv[4]), load(sys.argv[5]), held)
        return 1 if ck.failed else 0
    log, label = sys.argv[1], sys.argv[2]
    ck = Checker(label)
    runs, info = parse(open(log, errors="replace").read())
    begin = info.get("begin")
    if not ck.check("run-modes ran to the end", begin is not None and "end" in info,
                    "no @@op begin/end in " + log):
        print("%s: %d passed, %d failed" % (label, ck.passed, ck.failed))
        return 1
    try:
        slow = sorted(runs.values(), key=lambda r: -r["s"])[:5]
        ck.note("run-modes took %.0f s; slowest: %s" % (
            float(info["end"]["uptime"]) - float(begin["uptime"]),
            ", ".join("%s/%d %.1f s" % (r["name"], r["uid"], r["s"]) for r in slow)))
    except (KeyError, ValueError):
        pass
    for name, why in info.get("skip", []):
        ck.note("%s not run: %s" % (name, why))
    for r in runs.values():
        if not r["name"].startswith("links"):
            check_run(ck, r, info)
    for name in ("check", "check_json"):
        if (name, 0) not in runs:
            ck.check("%s ran" % name, False, "missing")
    for uid in (0, 65534):
        a, b = runs.get(("check", uid)), runs.get(("check_json", uid))
        docs = b and ndjson(b["stdout"])
        if a and docs and a["rc"] == 0:
            ck.check("check as uid %d: the table and --json agree" % uid,
                     text_modes(a["stdout"]) == docs[0]["probes"], "")
    if begin.get("bpftool") == "yes":
        for name in ("links", "links_kprobes"):
            r = runs.get((name, 0))
            if not ck.check(name + " run: exit 0", r is not None and r["rc"] == 0,
                            r and "rc=%d %s" % (r["rc"], tail(r["stderr"]))):
                continue
            docs = daxtrace_docs(r["stdout"])
            try:
                links = json.loads("\n".join(r["bpftool-links"]))
                progs = json.loads("\n".join(r["bpftool-progs"]))
            except ValueError:
                links = progs = None
            if ck.check(name + " run: daxtrace JSON and bpftool JSON", docs and links is not None,
                        tail(r["stdout"]) + tail(r["bpftool-links"])):
                check_links(ck, docs[0], links, progs, [int(l) for l in r["link-ids"] if l.strip()],
                            name, [int(p) for p in r["perf-prog-ids"] if p.strip()])
        base, end = info.get("base", {}), info["end"]
        ck.check("afterwards: no daxtrace program or link that no process holds (%s, before %s)"
                 % (end.get("orphans"), base.get("orphans")), end.get("orphans") == "0/0",
                 "programs/links left: %s %s, before the runs %s %s"
                 % (end.get("orphans"), end.get("orphan_ids"), base.get("orphans"), base.get("orphan_ids")))
    print("%s: %d passed, %d failed" % (label, ck.passed, ck.failed))
    return 1 if ck.failed or not ck.passed else 0


if __name__ == "__main__":
    sys.exit(main())
