"""One table of a dataset from its raw cells: the header row mapped to contract columns
(Chinese or English spellings, unknown columns kept and named once), then every row parsed
into typed values, each bad cell reported where it sits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from optimizer.data import schema as s
from optimizer.data.columns import unused_headers, unused_message
from optimizer.data.parsing import (
    BadValue,
    check_cell,
    parse_bool,
    parse_date,
    parse_enum,
    parse_float,
    parse_int,
    parse_set,
)
from optimizer.data.rawtable import Collector, RawTable
from optimizer.data.reading import required_list

ParsedRows = list[tuple[int, dict[str, Any]]]
"""(spreadsheet row, {column: value}) of the rows that parsed without an error."""

ID_COLUMN = {"units": "unit_id", "cadres": "cadre_id", "villages": "village_id"}
"""The id column of each table that other tables point into."""

_PARSERS: dict[str, Callable[[str, s.Column], Any]] = {
    "id": lambda t, c: t,
    "text": lambda t, c: t,
    "int": lambda t, c: parse_int(t),
    "float": lambda t, c: parse_float(t),
    "date": lambda t, c: parse_date(t),
    "bool": lambda t, c: parse_bool(t),
    "enum": lambda t, c: parse_enum(t, c.vocab),  # type: ignore[arg-type]
    "set": lambda t, c: parse_set(t, c.vocab),  # type: ignore[arg-type]
}


def map_headers(raw: RawTable, out: Collector) -> bool:
    """Record in ``raw.columns`` where each contract column sits; False (reported) when a
    required column is missing or no header is known."""
    lookup = s.column_lookup(raw.table)
    for i, h in enumerate(raw.headers):
        col = lookup.get(h.strip().lower())
        if col is None:
            continue  # kept and ignored (SPEC §5); named in one warning below
        if col.name in raw.columns:
            out.add(
                raw,
                f"column given twice (also as {raw.headers[raw.columns[col.name]]!r})",
                row=raw.first_row - 1,
                column=h,
            )
            continue
        raw.columns[col.name] = i
    if not raw.columns:
        out.add(
            raw,
            "no known column names in the header row: expected "
            f"{required_list(raw.table)} (a header row above the data)",
            row=raw.first_row - 1,
            value=", ".join(raw.headers[:4]),
        )
        return False
    unused = unused_headers(raw.table, raw.headers, set(raw.columns))
    missing = [c for c in raw.table.columns if c.required and c.name not in raw.columns]
    for col in missing:
        like = next((u for u in unused if u.meant == col), None)
        has = f"; the file has {like.header!r}: rename it to {col.zh} or {col.name}" if like else ""
        out.add(raw, f"missing required column {col.name} ({col.zh}){has}", row=raw.first_row - 1)
        if like is not None:
            unused.remove(like)
    if unused:
        out.add(raw, unused_message(unused), row=raw.first_row - 1, kind="unused", warn=True)
    return not missing


def parse_rows(raw: RawTable, out: Collector, broken: set[str]) -> ParsedRows:
    """Parse every row; returns (spreadsheet row, {column: value}) for rows without errors.

    Ids of rows that exist but failed go into ``broken``, so references to them are not
    reported a second time as unknown."""
    parsed = []
    id_col = ID_COLUMN.get(raw.table.name)
    for offset, cells in enumerate(raw.rows):
        rownum = raw.first_row + offset
        if not any(cells):
            continue
        rec: dict[str, Any] = {}
        ok = True
        for col in raw.table.columns:
            idx = raw.columns.get(col.name)
            text = cells[idx] if idx is not None and idx < len(cells) else ""
            if raw.reported and (offset, idx) in raw.reported:
                ok = False  # a formula without a saved value: said while reading
                continue
            if not text:
                if col.required:
                    out.add(raw, f"required value is empty ({_expected(col)})", rownum, col, "")
                    ok = False
                rec[col.name] = None
                continue
            try:
                check_cell(text, col.kind)
                rec[col.name] = _PARSERS[col.kind](text, col)
            except BadValue as exc:
                out.add(raw, str(exc), rownum, col, text, kind="parse")
                ok = False
        if ok:
            parsed.append((rownum, rec))
        elif id_col and id_col in raw.columns:
            broken.add(cells[raw.columns[id_col]])
    return parsed


def _expected(col: s.Column) -> str:
    if col.vocab is not None:
        return f"expected one of {col.vocab.describe()}"
    return {
        "date": "expected a date",
        "int": "expected a whole number",
        "float": "expected a number",
    }.get(col.kind, "expected a value")
