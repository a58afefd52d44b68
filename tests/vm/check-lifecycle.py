#!/usr/bin/env python3
"""Checks the output of tests/vm/guest-lifecycle: nothing left after any way of stopping,
summaries on INT/TERM, flat RSS and a bounded inode map under a long storm with more files
than the map holds, and totals equal to the ftrace oracle. usage: check-lifecycle.py LOG LABEL"""
import json
import sys


def main():
    log, label = sys.argv[1], sys.argv[2]
    passed = failed = 0

    def check(what, ok, detail=""):
        nonlocal passed, failed
        passed, failed = passed + ok, failed + (not ok)
        print("%s %s: %s%s" % ("ok  " if ok else "FAIL", label, what, "" if ok else "  [%s]" % detail))

    iters, samples, docs, hist, soak_rc, rb = [], [], [], {}, None, None
    base = None
    for line in open(log, errors="replace"):
        w = line.split()
        if line.startswith("@@baseline"):
            base = dict(zip(w[1::2], map(int, w[2::2])))
        elif line.startswith("@@iter"):
            iters.append(dict(zip(w[1::2], w[2::2])))
        elif line.startswith("@@sample"):
            samples.append(dict(zip(w[1::2], map(int, w[2::2]))))
        elif line.startswith("@@doc "):
            docs.append(json.loads(line[6:]))
        elif line.startswith("@@hist"):
            hist[w[1]] = int(w[2])
        elif line.startswith("@@ringbuf"):
            rb = dict(zip(w[1::2], map(int, w[2::2])))
        elif line.startswith("@@soak rc"):
            soak_rc = int(w[2])
    check("baseline read", base is not None and base["progs"] == 0 and base["maps"] == 0, str(base))
    check("%d stop iterations ran" % len(iters), len(iters) > 0)
    for it in iters:
        sig, rc = it["sig"], int(it["rc"])
        what = "iter %s: SIG%s after %.1f s" % (it["n"], sig, int(it["delay_ds"]) / 10)
        check(what + ": no program, map or link left",
              int(it["progs"]) == 0 and int(it["maps"]) == 0 and int(it["links"]) == base["links"], str(it))
        if sig == "KILL":
            check(what + ": killed (rc 137)", rc == 137, "rc %d" % rc)
        else:
            check(what + ": exit 0 with the summary", rc == 0 and int(it["summary"]) == 1, str(it))
    check("soak: daxtrace exit 0", soak_rc == 0, str(soak_rc))
    check("soak: %d interval documents" % len(docs), len(docs) >= 3)
    if samples:
        rss = [s["rss_kb"] for s in samples]
        half = len(rss) // 2 or 1
        check("soak: RSS flat (first half max %d KB, second half max %d KB)" % (max(rss[:half]), max(rss[half:] or rss)),
              max(rss[half:] or rss) <= max(rss[:half]) * 1.10 + 256, str(rss))
        ent = [s["inode_entries"] for s in samples]
        check("soak: inode map never above --max-inodes 16 (max %d)" % max(ent), 0 < max(ent) <= 16, str(ent))
    if docs:
        check("soak: per-interval inode lists bounded", all(len(d["inodes"]) <= 16 for d in docs))
        full = sum(d["diagnostics"]["inode_map_full"] for d in docs)
        check("soak: overflow counted, not silent (inode_map_full %d)" % full, full > 0)
        tot = {k: sum(d["totals"][k] for d in docs) for k in ("pte_faults", "pmd_faults", "pte_upgrades", "pmd_upgrades")}
        ups = tot["pte_upgrades"] + tot["pmd_upgrades"]
        check("soak: totals == ftrace hist (pte %d/%d, pmd %d/%d)" % (tot["pte_faults"], hist.get("dax_pte_fault_done", -1),
              tot["pmd_faults"], hist.get("dax_pmd_fault_done", -1)),
              tot["pte_faults"] == hist.get("dax_pte_fault_done") and tot["pmd_faults"] == hist.get("dax_pmd_fault_done"))
        check("soak: upgrades == ftrace mkwrite (%d/%d)" % (ups, hist.get("dax_insert_pfn_mkwrite", -1)),
              ups == hist.get("dax_insert_pfn_mkwrite"))
    check("ring buffer overrun measured", rb is not None and "lost" in rb, str(rb))
    if rb and "lost" in rb:
        check("ring buffer overrun counted (%d lost)" % rb["lost"], rb["lost"] > 0, str(rb))
        check("printed + lost == ftrace count of the same events (%d + %d == %d)"
              % (rb["printed"], rb["lost"], rb["oracle"]),
              rb["printed"] == rb["reported"] and rb["printed"] + rb["lost"] == rb["oracle"], str(rb))
    print("%s: %d passed, %d failed" % (label, passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
