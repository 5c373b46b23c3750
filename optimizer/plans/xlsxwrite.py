"""Value-only ``.xlsx`` tables written with XlsxWriter (fast at a million cells, where
openpyxl without lxml takes about a minute).

Why it is safe: every text goes through ``write_string``, never as a formula, so a dataset
value such as ``=HYPERLINK(...)`` is shown as the text it is; only numbers, booleans, dates
(with a date format) and text are written, and the file is created private (0600).

Each sheet is a table: a header row, frozen; an auto-filter over the table; fitted column
widths; printed landscape on A4, fit to one page wide, header repeated on every page;
optional page breaks before given rows."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

DATE_FORMAT = "yyyy-mm-dd"
MAX_CELL = 32_767
"""Characters Excel keeps in one cell."""
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "default_date_format": DATE_FORMAT}  # fmt: skip


@dataclass
class Sheet:
    """One table sheet: ``head`` then ``rows``; ``widths`` per column (characters);
    ``breaks``: 1-based row numbers a printed page starts at."""

    title: str
    head: list[str]
    rows: list[list[Any]]
    widths: list[float]
    breaks: list[int] = field(default_factory=list)


def _text(value: str) -> str:
    """Characters XML cannot hold are dropped; a cell longer than Excel keeps is cut."""
    value = _ILLEGAL.sub("", value)
    if len(value) > MAX_CELL:  # only pathological data gets here
        value = value[: MAX_CELL - 1] + "…"
    return value


def _write(ws: Any, r: int, c: int, value: Any, dates: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        ws.write_datetime(r, c, datetime(day.year, day.month, day.day), dates)
    elif isinstance(value, int | float) and value == value and abs(value) != float("inf"):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, _text(str(value)))


def _sheet(wb: Any, sheet: Sheet, head: Any, dates: Any) -> None:
    ws = wb.add_worksheet(sheet.title)
    for c, w in enumerate(sheet.widths):
        ws.set_column(c, c, w)
    for c, h in enumerate(sheet.head):
        ws.write_string(0, c, _text(h), head)
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row[: len(sheet.head)]):
            _write(ws, r, c, value, dates)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(sheet.rows), max(0, len(sheet.head) - 1))
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    if sheet.breaks:
        ws.set_h_pagebreaks([b - 1 for b in sheet.breaks])


def write_xlsx(sheets: list[Sheet], path: Path) -> None:
    """Write the sheets as a new private (0600) workbook at ``path``."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, _OPTIONS)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "font_name": "等线"})
    dates = wb.add_format({"num_format": DATE_FORMAT})
    for s in sheets:
        _sheet(wb, s, head, dates)
    wb.close()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(buf.getvalue())


__all__ = ["DATE_FORMAT", "Sheet", "write_xlsx"]
