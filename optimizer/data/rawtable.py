"""A table as read (header spellings and rows of text, before any parsing) and the collector
of problems found in it: what every reading and checking step of the package passes along."""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.data import schema as s
from optimizer.data.errors import Problem


@dataclass
class RawTable:
    """One table as read: header spellings and rows of text, before any parsing."""

    table: s.Table
    file: str
    sheet: str | None
    headers: list[str]
    rows: list[list[str]]
    first_row: int = 2
    """Spreadsheet row number of the first data row."""
    columns: dict[str, int] = field(default_factory=dict)
    """Canonical column name → index into each row."""
    width: int = 0
    """Cells in the header row as read, trailing empty ones included."""
    reported: set[tuple[int, int]] = field(default_factory=set)
    """(row offset, column index) of cells already reported while reading (a formula without
    a saved value): the parser skips them instead of calling them empty."""


class Collector:
    """Problems (refuse the input) and warnings (legal but unusual), located as the user sees
    them."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(
        self,
        raw: RawTable | None,
        message: str,
        row: int | None = None,
        column: s.Column | str | None = None,
        value: str | None = None,
        file: str | None = None,
        kind: str | None = None,
        warn: bool = False,
    ) -> None:
        col_name = None
        if isinstance(column, s.Column):
            col_name = shown_header(raw, column) if raw else column.name
        elif column is not None:
            col_name = column
        problem = Problem(
            file=file or (raw.file if raw else "?"),
            sheet=raw.sheet if raw else None,
            row=row,
            column=col_name,
            value=value,
            message=message,
            kind=kind,
        )
        (self.warnings if warn else self.problems).append(problem)


def shown_header(raw: RawTable | None, column: s.Column) -> str:
    """The column as the user's file spells it (or both spellings when it is absent)."""
    if raw and column.name in raw.columns:
        return raw.headers[raw.columns[column.name]]
    return f"{column.name} ({column.zh})"
