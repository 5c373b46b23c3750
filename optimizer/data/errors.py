"""Bad-input reporting: every problem found, one line each, never a traceback, never a flood."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

REPEAT_CAP = 20
"""Lines shown per file, sheet, column and kind of problem; the rest are counted in one line."""
TOTAL_CAP = 200
"""Lines shown in all; a file wrong in every column gets a count, not a thousand lines."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located the way the user sees it."""

    file: str
    message: str
    row: int | None = None
    """Row number as a spreadsheet shows it (the header is row 1)."""
    column: str | None = None
    value: str | None = None
    sheet: str | None = None
    key: str | None = None
    """For configuration files: the dotted key path (``categories.key.min``)."""
    kind: str | None = field(default=None, compare=False, repr=False)
    """What repeats are grouped by when a column floods (default: the message, digits masked)."""

    zh: str | None = field(default=None, compare=False, repr=False)
    """The message in Chinese, where the code that finds the problem writes it; else the
    catalog in :mod:`optimizer.lang.problems` gives it."""

    def render(self, lang: str = "en") -> str:
        """The line shown to the user, in ``lang`` (``zh``: place and message in Chinese)."""
        if lang != "zh":
            return str(self)
        from optimizer.lang.messages import problem_zh
        from optimizer.lang.problems import field_zh

        where = self.file + (f"（工作表 {self.sheet}）" if self.sheet else "")
        if self.row is not None:
            where += f"，第 {self.row} 行"
        if self.column is not None:
            where += f"，{field_zh(self.column) or self.column} 列"
        if self.key is not None:
            where += f"，键 {self.key}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            where += f"：值 {shown!r}"
        return f"{where}：{self.zh or problem_zh(self.message)}"

    def __str__(self) -> str:
        where = self.file + (f" [sheet {self.sheet}]" if self.sheet else "")
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        if self.key is not None:
            where += f", key {self.key}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            where += f": value {shown!r}"
        return f"{where}: {self.message}"


def _group(p: Problem) -> tuple:
    kind = p.kind if p.kind is not None else re.sub(r"\d+", "#", p.message)
    return (p.file, p.sheet, p.column, kind)


def cap_repeats(problems: list[Problem], limit: int = REPEAT_CAP) -> list[Problem]:
    """Keep the first ``limit`` problems of each (file, sheet, column, kind) and replace the
    rest by one line that counts them: a column typed wrongly throughout must not bury the
    one other mistake in a thousand lines."""
    counts: dict[tuple, list[Problem]] = {}
    for p in problems:
        if p.row is not None:
            counts.setdefault(_group(p), []).append(p)
    out: list[Problem] = []
    seen: dict[tuple, int] = {}
    for p in problems:
        key = _group(p) if p.row is not None else None
        if key is None:
            out.append(p)
            continue
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= limit:
            out.append(p)
        if seen[key] == limit and len(counts[key]) > limit:
            rest = counts[key][limit:]
            rows = [q.row for q in rest if q.row is not None]
            out.append(
                Problem(
                    p.file,
                    f"… and {len(rest)} more like this (rows {min(rows)}–{max(rows)}): {p.message}",
                    column=p.column,
                    sheet=p.sheet,
                    kind="summary",
                )
            )
    if len(out) > TOTAL_CAP:
        rest = len(out) - TOTAL_CAP
        out = out[:TOTAL_CAP]
        out.append(Problem(out[-1].file, f"… and {rest} more problem line(s): fix these first"))
    return out


class InputError(Exception):
    """Raised when input cannot be used; carries every problem found, not just the first
    (repeats within one column capped, see :func:`cap_repeats`)."""

    def __init__(self, problems: list[Problem]):
        self.problems = cap_repeats(list(problems))
        super().__init__("\n".join(str(p) for p in self.problems))
