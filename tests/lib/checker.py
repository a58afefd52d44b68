"""One line per check, "ok  LABEL: what" or "FAIL LABEL: what  [detail]", and the counts the
guest checkers (tests/vm/*.py, tests/operator/check-modes.py) end with as "LABEL: N passed, N
failed", which tests/vm/run-matrix adds up."""


class Checker:
    def __init__(self, label):
        self.label, self.passed, self.failed = label, 0, 0

    def check(self, what, ok, detail=""):
        self.passed, self.failed = self.passed + bool(ok), self.failed + (not ok)
        print("%s %s: %s%s" % ("ok  " if ok else "FAIL", self.label, what,
                               "" if ok else "  [%s]" % detail))
        return ok

    def note(self, what):
        print("note %s: %s" % (self.label, what))
