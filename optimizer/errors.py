"""Bad-input reporting: every problem found, one line each, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass


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


class InputError(Exception):
    """Raised when input cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
