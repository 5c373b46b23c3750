"""Unknown references, and the one root cause that explains a column of them.

When Excel stores a column of codes as numbers, '004512' becomes 4512 and every row of that
column points nowhere: a thousand 'unknown unit' lines whose cause is one formatting choice.
This says the cause once, at the top of that column's lines; the repeats themselves are capped
by :func:`optimizer.data.errors.cap_repeats`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from optimizer.data.rawtable import Collector, RawTable

_SCI = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


def _norm(code: str) -> str:
    """A code as a number would keep it: no leading zeros, no trailing '.0'."""
    t = code[:-2] if code.endswith(".0") else code
    return t.lstrip("0") or "0"


@dataclass
class _Misses:
    raw: RawTable
    what: str
    first: int
    """Index into the collector's problems of this column's first line."""
    values: list[str] = field(default_factory=list)


class References:
    """Collects unknown-reference lines per (file, column) for :meth:`explain`."""

    def __init__(self, out: Collector, broken: set[str]) -> None:
        self.out = out
        self.broken = broken
        self.misses: dict[tuple[str, str | None, str], _Misses] = {}

    def unknown(self, raw: RawTable, rownum: int, col: str, value: str, what: str) -> None:
        key = (raw.file, raw.sheet, col)
        if key not in self.misses:
            self.misses[key] = _Misses(raw, what, len(self.out.problems))
        self.misses[key].values.append(value)
        self.out.add(
            raw,
            f"unknown {what}: expected a {col} of the {what}s table",
            rownum,
            raw.table.column(col),
            value,
            kind=f"unknown {what}",
        )

    def explain(self, pools: dict[str, dict]) -> None:
        """Insert one cause line before a column's unknown-reference lines when the codes
        look like numbers that lost their leading zeros (or turned into 1.2E+11)."""
        inserts = []
        for (_, _, col), m in self.misses.items():
            line = _cause(col, m, pools[m.what])
            if line:
                inserts.append((m.first, m.raw, col, line))
        for first, raw, col, line in sorted(inserts, key=lambda t: -t[0]):
            self.out.add(raw, line, column=raw.table.column(col), kind="cause")
            self.out.problems.insert(first, self.out.problems.pop())


def _cause(col: str, m: _Misses, pool: dict) -> str | None:
    sci = [v for v in m.values if _SCI.match(v)]
    if sci:
        return (
            f"{len(sci)} code(s) in scientific notation (e.g. {sci[0]!r}): Excel turned long "
            "codes into numbers and may have cut digits; format the column as text (文本) "
            "and enter the codes again"
        )
    by_norm: dict[str, str] = {}
    for k in pool:
        by_norm.setdefault(_norm(str(k)), str(k))
    matched = [(v, by_norm[_norm(v)]) for v in m.values if _norm(v) in by_norm]
    if matched and len(matched) >= len(m.values) / 2:
        v, k = matched[0]
        return (
            f"codes look numeric: {len(matched)} of {len(m.values)} unknown {col} value(s) "
            f"match a {m.what} once leading zeros are restored (e.g. {v!r} → {k!r}): leading "
            "zeros lost? format the column as text (文本) and enter the codes again"
        )
    return None
