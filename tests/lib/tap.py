"""The TAP runner of the Python checks that `make check-unit` runs (tests/run-unit counts their
"ok" and "not ok" lines). A case is a function whose docstring names it and which returns the
list of what is wrong, empty when it passes."""


def run(cases):
    """Runs every case, prints TAP; returns the exit status (1 if any failed)."""
    print("1..%d" % len(cases))
    failed = 0
    for i, fn in enumerate(cases, 1):
        try:
            bad = fn()
        except Exception as e:  # a table or sample the check cannot read is a failure too
            bad = ["%s: %s" % (type(e).__name__, e)]
        print("%s %d - %s" % ("not ok" if bad else "ok", i, fn.__doc__))
        for b in bad:
            print("# " + b)
        failed += bool(bad)
    return 1 if failed else 0
