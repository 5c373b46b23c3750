"""Cells of an .xlsx workbook whose values alone misread them: formulas Excel never calculated
(read as empty), and dates Excel turned into numbers (a typed ``2021.10`` is stored as the
number 2021.1, which reads as January). Both need more of the file than the cell values.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from optimizer.data import schema as s
from optimizer.data.parsing import cell_text
from optimizer.data.rawtable import Collector, RawTable


def has_formulas(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(
                b"<f>" in z.read(n) or b"<f " in z.read(n)
                for n in z.namelist()
                if n.startswith("xl/worksheets/") and n.endswith(".xml")
            )
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def formula_cells(wbf, title: str, values: list[list]) -> list[tuple[int, int, str]]:
    """Cells holding a formula whose value Excel never saved (openpyxl reads them as empty)."""
    found = []
    for i, frow in enumerate(wbf[title].iter_rows(values_only=True)):
        for j, v in enumerate(frow):
            formula = isinstance(v, str) and v.startswith("=") and i < len(values)
            if formula and (j >= len(values[i]) or values[i][j] is None):
                found.append((i, j, v))
    return found


def report_formulas(raw: RawTable, cells: list[tuple[int, int, str]], out: Collector) -> None:
    from openpyxl.utils import get_column_letter

    for i, j, formula in cells:
        offset = i - (raw.first_row - 1)
        if offset < 0 or j >= len(raw.headers):
            continue
        raw.reported.add((offset, j))
        out.add(
            raw,
            f"cell {get_column_letter(j + 1)}{i + 1} holds a formula without a saved value "
            "(read as empty): open and save the file in Excel or WPS, or paste the values",
            row=i + 1,
            column=raw.headers[j] or get_column_letter(j + 1),
            value=formula,
            kind="formula",
        )


_DECIMALS = re.compile(r"\.([0#]+)")
_YEAR_DOT_ONE = re.compile(r"\d{4}\.1")
_ONE_DECIMAL = re.compile(r"\d+\.\d")


def shown_number(value: float, number_format: str) -> str:
    """A number as Excel shows it: with the decimals its number format gives (``0.00``
    shows 2021.1 as 2021.10), or as typed under General."""
    m = _DECIMALS.search(number_format or "")
    return f"{value:.{len(m.group(1))}f}" if m else cell_text(value)


def _ambiguous(year: str) -> str:
    return (
        f"{year}.1 looks like a year.month typed into Excel and turned into a number "
        f"({year}.10 → {year}.1), so it may be October or January: format the column as text "
        f"(文本) and type {year}.10 again, or write {year}-10 ({year}-01 for January)"
    )


def number_dates(raw: RawTable, values: list[list[Any]], ws: Any, out: Collector) -> None:
    """Date cells holding a fractional number (a date cell arrives as a date): read as Excel
    shows them, by their number format; ``YYYY.1`` shown as such is refused as ambiguous. A
    year.month typed into a cell formatted as a date is a day in 1905: refused too."""
    lookup = s.column_lookup(raw.table)
    cols = [
        j
        for j, h in enumerate(raw.headers)
        if (c := lookup.get(h.strip().lower())) is not None and c.kind == "date"
    ]
    base = raw.first_row - 1
    found: dict[tuple[int, int], float] = {}
    for i in range(base, min(base + len(raw.rows), len(values))):
        for j in cols:
            v = values[i][j] if j < len(values[i]) else None
            if isinstance(v, float) and not v.is_integer():
                found[(i, j)] = v
            elif isinstance(v, datetime) and _SERIAL_YEARS[0] <= v < _SERIAL_YEARS[1]:
                raw.reported.add((i - base, j))
                out.add(raw, _serial_date(v), i + 1, raw.headers[j], cell_text(v), kind="1905")
    # only one decimal (2021.1) can show otherwise (2021.10 under 0.00): read those formats
    one = {k: v for k, v in found.items() if _ONE_DECIMAL.fullmatch(cell_text(v))}
    formats = _formats(ws, one, min(cols), max(cols)) if one else {}
    for (i, j), value in found.items():
        text = shown_number(value, formats.get((i, j), "General"))
        if _YEAR_DOT_ONE.fullmatch(text):
            raw.reported.add((i - base, j))
            out.add(raw, _ambiguous(text[:4]), i + 1, raw.headers[j], text, kind="number-date")
        else:
            raw.rows[i - base][j] = text


_EPOCH = datetime(1899, 12, 30)
_SERIAL_YEARS = (_EPOCH + timedelta(days=1900), _EPOCH + timedelta(days=2101))
"""Dates whose Excel day number is a year 1900–2100: a year.month typed into a date cell."""


def _serial_date(day: datetime) -> str:
    serial = (day - _EPOCH).total_seconds() / 86400
    number = f"{serial:.4f}".rstrip("0").rstrip(".")
    year = int(serial)
    return (
        f"the number {number} (a year.month typed into a cell formatted as a date) shows as "
        f"{day.date()}: write the date as {year}-MM (e.g. {year}-10), or format the column as "
        f"text (文本) and type {year}.10 again"
    )


def _formats(ws: Any, cells: dict[tuple[int, int], Any], lo: int, hi: int) -> dict:
    """Number formats of the given cells (read again: the values-only pass has none)."""
    out = {}
    for i, row in enumerate(ws.iter_rows(min_col=lo + 1, max_col=hi + 1)):
        for k, cell in enumerate(row):
            if (i, lo + k) in cells:
                out[(i, lo + k)] = getattr(cell, "number_format", "General")
    return out
