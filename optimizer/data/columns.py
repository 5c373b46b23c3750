"""Header cells the data contract does not know. They are kept and ignored (SPEC §5), but never
silently: a planner who wrote 是否可派 for 可派 or 特长 for 专业特长 would otherwise plan with
every cadre available and no skills. Each is named, with the known column it most likely
meant.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from optimizer.data import schema as s
from optimizer.data.redact import personal_kind

READ_ELSEWHERE = ("phone", "id_number")
"""Personal-data columns (redact.PERSONAL) the ledger reads from the cadres table."""

_PUNCT = re.compile(r"[\s_\-()（）\[\]【】:：·.,，/、]+")
_VARIANTS = (
    (re.compile("年月日|年月|日期|时间"), "日期"),
    (re.compile("编号|编码|代码|代号"), "编号"),
)
_SHOWN = 12


@dataclass(frozen=True)
class Unused:
    """A header the planner does not read, and the column it likely meant (if any)."""

    header: str
    meant: s.Column | None


def _norm(text: str) -> str:
    """Spelling variants made equal: case, spaces and punctuation, 日期/时间/年月, 编号/编码."""
    t = _PUNCT.sub("", text.strip().lower())
    for pattern, common in _VARIANTS:
        t = pattern.sub(common, t)
    return t


def _long_enough(text: str) -> bool:
    """A spelling specific enough to be found inside another (not 县, x or lat)."""
    return len(text) >= (4 if text.isascii() else 2)


def suggest(header: str, table: s.Table, taken: set[str]) -> s.Column | None:
    """The column (not yet in the file) a header most likely meant: the same after
    normalising, one inside the other (是否可派 ⊃ 可派, 特长 ⊂ 专业特长), or a close spelling."""
    h = _norm(header)
    if not h:
        return None
    spellings = [
        (_norm(n), c)
        for c in table.columns
        if c.name not in taken
        for n in (c.name, c.zh, *c.aliases)
    ]
    same = [c for n, c in spellings if n == h]
    if same:
        return same[0]
    inside = [
        (len(n), c)
        for n, c in spellings
        if _long_enough(n) and _long_enough(h) and (n in h or h in n)
    ]
    if inside:
        return max(inside, key=lambda p: p[0])[1]
    close = difflib.get_close_matches(h, [n for n, _ in spellings], n=1, cutoff=0.75)
    return next(c for n, c in spellings if n == close[0]) if close else None


def unused_headers(table: s.Table, headers: list[str], taken: set[str]) -> list[Unused]:
    """Every named header not mapped to a column, except those kept on purpose: personal data
    the ledger reads, and the informative columns zhucun itself writes into the table."""
    lookup = s.column_lookup(table)
    kept = {k.lower() for k in s.KEPT_COLUMNS.get(table.name, ())}
    out = []
    for h in headers:
        key = h.strip().lower()
        if not key or key in lookup or key in kept or personal_kind(h) in READ_ELSEWHERE:
            continue
        out.append(Unused(h, suggest(h, table, taken)))
    return out


def shown_column(c: s.Column, header: str) -> str:
    """The column in the language of the header the user wrote."""
    return f"{c.name} ({c.zh})" if header.isascii() else f"{c.zh} ({c.name})"


def unused_message(unused: list[Unused]) -> str:
    """One line naming every unused header, each with its likely meaning."""
    items = [
        repr(u.header) + (f" (did you mean {shown_column(u.meant, u.header)}?)" if u.meant else "")
        for u in unused[:_SHOWN]
    ]
    more = f" and {len(unused) - _SHOWN} more" if len(unused) > _SHOWN else ""
    return (
        f"{len(unused)} column(s) not read by the planner (kept, ignored): "
        + ", ".join(items)
        + more
        + "; rename a column to the contract's name to have it read"
    )
