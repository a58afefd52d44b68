"""The tables of include/dt_tables.h for the Python tests and tools: each X-macro list as a
list of rows, read from the header itself, so that no script keeps a copy of a key list.

    import dt_tables                      # with tests/lib on sys.path (see path())
    dt_tables.names("DT_COUNTERS")        # ["pte_faults", "pmd_faults", ...]
    dt_tables.rows("DT_COUNTERS")[0]      # ["PTE_FAULTS", "pte_faults", ("DT_COLUMN", ["PTE", 7]), ...]

An argument is a string (adjacent literals joined), an int, None for NULL, a bare identifier
as a str, or a nested call NAME(args) as (NAME, [args]).
"""
import os
import re

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include",
                      "dt_tables.h")
TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|(0x[0-9a-fA-F]+|\d+)|([A-Za-z_]\w*)|(.))', re.S)
_cache = {}


def _macros(path):
    text = open(path).read().replace("\\\n", " ")
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return {m.group(1): m.group(2) for m in
            re.finditer(r"^#define\s+(DT_\w+)\(X\)(.*)$", text, re.M)}


def _tokens(body):
    for m in TOKEN.finditer(body):
        s, num, ident, punct = m.groups()
        if s is not None:
            yield "str", bytes(s[1:-1], "utf-8").decode("unicode_escape")
        elif num is not None:
            yield "num", int(num, 0)
        elif ident is not None:
            yield "id", ident
        elif punct and not punct.isspace():
            yield "p", punct


def _args(toks):
    """The arguments of a call whose '(' was just read, up to its ')'."""
    args, cur = [], []
    while True:
        kind, val = next(toks)
        if kind == "p" and val in ",)":
            args.append(_value(cur))
            cur = []
            if val == ")":
                return args
        elif kind == "p" and val == "(":
            name = cur.pop()[1]
            cur.append(("call", (name, _args(toks))))
        else:
            cur.append((kind, val))


def _value(parts):
    if parts and all(k == "str" for k, _ in parts):
        return "".join(v for _, v in parts)
    if len(parts) != 1:
        raise ValueError("dt_tables.h: cannot read an argument: %r" % (parts,))
    kind, val = parts[0]
    if kind == "id" and val == "NULL":
        return None
    return val


def rows(table, path=HEADER):
    """The rows of X-macro list `table` (e.g. "DT_COUNTERS"), each a list of arguments."""
    key = (table, path)
    if key not in _cache:
        toks = _tokens(_macros(path)[table])
        out = []
        for kind, val in toks:
            if kind == "id" and val == "X":
                assert next(toks) == ("p", "(")
                out.append(_args(toks))
            else:
                raise ValueError("dt_tables.h: %s: unexpected %r" % (table, val))
        _cache[key] = out
    return _cache[key]


def names(table, path=HEADER):
    """The names (second argument) of a list's rows, in order: the JSON keys of DT_COUNTERS,
    DT_FALLBACKS, DT_DIAGS and DT_HISTS."""
    return [r[1] for r in rows(table, path)]


def vm_fault_bits(path=HEADER):
    """VM_FAULT bit name (without the prefix) -> value."""
    return {r[0]: r[1] for r in rows("DT_VM_FAULT_BITS", path)}


def constant(name, path=HEADER):
    """The value of a plain `#define name number` of the header."""
    return int(re.search(r"^#define\s+%s\s+(\w+)\s*$" % name, open(path).read(), re.M).group(1), 0)
