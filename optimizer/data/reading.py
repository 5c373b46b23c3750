"""Read the tables of a dataset as text, before any parsing: a folder of CSV files or one .xlsx
workbook. Everything a user's file can do to a reader is met here with one clear line (or read
correctly and said): wrong encodings, ';' or tab separators, a title row above the header,
formulas Excel never calculated, a workbook saved in the old .xls format, a sheet that is not
there.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from optimizer.data import schema as s
from optimizer.data.parsing import INVISIBLE, cell_text
from optimizer.data.rawtable import Collector, RawTable
from optimizer.data.textdecode import DELIM_NAMES, SAVE_UTF8, decode_text, sniff_delimiter
from optimizer.data.xlsxcells import formula_cells, has_formulas, number_dates, report_formulas


def required_list(table: s.Table) -> str:
    return ", ".join(f"{c.name} ({c.zh})" for c in table.columns if c.required)


def table_for(name: str) -> s.Table | None:
    key = name.strip().lower()
    return next((t for t in s.TABLES if key in s.table_names(t)), None)


# --------------------------------------------------------------------------- CSV


def read_csv(path: Path, table: s.Table, out: Collector) -> RawTable | None:
    if path.is_dir():
        out.add(None, "is a folder: expected a CSV file", file=path.name)
        return None
    text, why = decode_text(path.read_bytes())
    if text is None:
        out.add(None, why, file=path.name)
        return None
    delim = sniff_delimiter(text, table)
    if not text.isascii():
        text = INVISIBLE.sub("", text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        records = [[c.strip() for c in r] for r in reader]
    except csv.Error as exc:
        out.add(
            None,
            f"is not a well-formed CSV file ({exc}, near line {reader.line_num}): {SAVE_UTF8}",
            file=path.name,
        )
        return None
    raw = rows_to_table(table, path.name, None, records, out)
    if raw is not None:
        _overlong_rows(raw, records, out)
    if raw is not None and delim != "," and raw.headers:
        out.add(raw, f"read as {DELIM_NAMES[delim]}-separated", file=path.name, warn=True)
    return raw


def _overlong_rows(raw: RawTable, records: list[list[str]], out: Collector) -> None:
    """A CSV row with values beyond the header: a value holding the separator was not quoted,
    so every later value sits one column off. Said once per row; its cells are not parsed."""
    for offset in range(len(raw.rows)):
        cells = records[raw.first_row - 1 + offset]
        if len(cells) <= raw.width or not any(cells):
            continue
        raw.reported.update((offset, j) for j in range(len(raw.headers)))
        out.add(
            raw,
            f"{len(cells)} values but {raw.width} columns in the header row: a value holding "
            'the separator must be in quotes ("..."), or a column has no name',
            raw.first_row + offset,
            value=",".join(cells[:4]),
            kind="overlong",
        )


def header_index(rows: list[list[str]], table: s.Table) -> int | None:
    """The header row: among the first non-empty rows, the one naming most known columns (a
    title row above the header names none); None when every row is empty."""
    lookup = s.column_lookup(table)
    candidates = [i for i, r in enumerate(rows) if any(r)][:6]
    if not candidates:
        return None

    def score(i: int) -> int:
        return len({lookup[k].name for c in rows[i] if (k := c.strip().lower()) in lookup})

    best = max(candidates, key=lambda i: (score(i), -i))
    return best if score(best) else candidates[0]


def _repeats_header(row: list[str], lookup: dict) -> bool:
    cells = [c for c in row if c]
    named = {lookup[c.strip().lower()].name for c in cells if c.strip().lower() in lookup}
    return len(named) >= 2 and len(named) * 2 >= len(cells)


def rows_to_table(
    table: s.Table, file: str, sheet: str | None, rows: list[list[str]], out: Collector
) -> RawTable | None:
    """Split rows of text into header and data rows, noting a title row above the header."""
    h = header_index(rows, table)
    if h is None:
        what = "sheet" if sheet else "file"
        out.add(
            None,
            f"the {what} is empty: expected a header row with {required_list(table)}",
            file=file,
        )
        return RawTable(table, file, sheet, [], []) if sheet else None
    header = list(rows[h])
    while header and not header[-1]:
        header.pop()
    start = h + 1
    lookup = s.column_lookup(table)
    while start < len(rows) and _repeats_header(rows[start], lookup):
        start += 1  # a second header row (the other language's names), not data
    data = [(r[: len(header)] + [""] * (len(header) - len(r))) for r in rows[start:]]
    while data and not any(data[-1]):
        data.pop()
    raw = RawTable(table, file, sheet, header, data, first_row=start + 1, width=len(rows[h]))
    if start > h + 1:
        out.add(
            raw,
            f"row {h + 2} repeats the column names: read as a second header, not data",
            warn=True,
        )
    above = [c for r in rows[:h] for c in r if c]
    if above:
        out.add(
            raw,
            f"rows 1–{h} above the header skipped ({above[0]!r} looks like a title); "
            f"header read from row {h + 1}",
            warn=True,
        )
    return raw


# --------------------------------------------------------------------------- workbooks

_OLD_FORMATS = {".xls", ".et", ".ods", ".numbers", ".wps", ".xlsb"}


def read_workbook(path: Path, out: Collector) -> tuple[dict[str, RawTable], list[str]]:
    """The tables of a workbook, and the names of all its sheets (to name them when one is
    missing)."""
    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        out.add(None, "is an old .xls workbook renamed to .xlsx: " + _SAVE_XLSX, file=path.name)
        return {}, []
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        out.add(
            None,
            f"cannot be opened as an Excel .xlsx workbook ({type(exc).__name__})",
            file=path.name,
        )
        return {}, []
    wbf = openpyxl.load_workbook(path, read_only=True) if has_formulas(path) else None
    found: dict[str, RawTable] = {}
    for ws in wb.worksheets:
        table = table_for(ws.title)
        if table is None:
            continue
        if table.name in found:
            out.add(
                None,
                f"sheet {ws.title!r} is a second sheet for table {table.name}; already read "
                f"sheet {found[table.name].sheet!r}: delete or rename one",
                file=path.name,
            )
            continue
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        raw = rows_to_table(
            table, path.name, ws.title, [[cell_text(c) for c in r] for r in values], out
        )
        if raw is None:
            continue
        if wbf is not None:
            report_formulas(raw, formula_cells(wbf, ws.title, values), out)
        number_dates(raw, values, ws, out)
        found[table.name] = raw
    sheets = list(wb.sheetnames)
    wb.close()
    if wbf is not None:
        wbf.close()
    return found, sheets


_SAVE_XLSX = "open it in Excel or WPS and save as an .xlsx workbook (Excel 工作簿)"


# --------------------------------------------------------------------------- datasets


def _no_dataset(source: Path) -> str:
    suffix = source.suffix.lower()
    if not source.exists():
        return "no such dataset: expected a folder of CSV files or an .xlsx workbook"
    if suffix in _OLD_FORMATS:
        return f"is a {suffix} file, which zhucun does not read: {_SAVE_XLSX}"
    if suffix == ".csv":
        return (
            "is one CSV file: a dataset is a folder holding units.csv, cadres.csv, "
            f"villages.csv (and optional tables); pass the folder {str(source.parent)!r}"
        )
    return "is not a dataset: expected a folder of CSV files or an .xlsx workbook"


def _folder_has(source: Path) -> str:
    names = sorted(p.name for p in source.iterdir() if p.is_file())
    if not names:
        return "; the folder is empty"
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    hint = ""
    books = [n for n in names if n.lower().endswith((".xlsx", ".xlsm"))]
    if books:
        hint = f"; to read the workbook, pass {books[0]!r} itself"
    elif any(Path(n).suffix.lower() in _OLD_FORMATS for n in names):
        hint = f"; {SAVE_UTF8} (one CSV file per table)"
    return f"; the folder has: {shown}{hint}"


def _read_folder(
    source: Path, out: Collector, hashes: dict[str, str], seen: set[str]
) -> dict[str, RawTable]:
    tables: dict[str, RawTable] = {}
    for path in sorted(source.iterdir()):
        if path.suffix.lower() != ".csv":
            continue
        table = table_for(path.stem)
        if table is None:
            continue
        if table.name in seen:
            prev = tables[table.name].file if table.name in tables else "another file"
            out.add(
                None,
                f"a second file for table {table.name}; already read {prev}",
                file=path.name,
            )
            continue
        if path.is_file():
            hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        seen.add(table.name)
        raw = read_csv(path, table, out)
        if raw is not None:
            tables[table.name] = raw
    return tables


def read_raw(source: Path, out: Collector) -> tuple[dict[str, RawTable], dict[str, str]]:
    """Find and read each table; returns tables and a hash per input file."""
    hashes: dict[str, str] = {}
    seen: set[str] = set()
    sheets: list[str] = []
    if source.is_file() and source.suffix.lower() in {".xlsx", ".xlsm"}:
        hashes[source.name] = hashlib.sha256(source.read_bytes()).hexdigest()
        before = len(out.problems)
        tables, sheets = read_workbook(source, out)
        if not tables and len(out.problems) > before and not sheets:
            return tables, hashes  # unreadable workbook: one line says so, not one per table
        seen = set(tables)
    elif source.is_dir():
        tables = _read_folder(source, out, hashes, seen)
    else:
        out.add(None, _no_dataset(source), file=str(source))
        return {}, hashes
    for table in s.TABLES:
        if table.required and table.name not in tables and table.name not in seen:
            if source.is_file():
                expected = (
                    f"a sheet named {table.name} or {table.zh}; the workbook has sheets: "
                    + ", ".join(repr(n) for n in sheets)
                )
            else:
                expected = f"a file {table.name}.csv or {table.zh}.csv" + _folder_has(source)
            out.add(
                None,
                f"missing table {table.name} ({table.zh}): expected {expected}",
                file=source.name,
            )
    return tables, hashes
