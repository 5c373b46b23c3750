"""Read a dataset (a folder of CSVs or one .xlsx workbook), validate it, return a Dataset.

All problems are collected and raised together as one :class:`InputError`, so a planner fixes
the whole spreadsheet in one pass instead of one error per run. The steps live beside this
module: reading files (``reading``), one table's header and rows (``tables``), plausibility
(``plausible``), records (``records``), the tables linked together (``links``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data import domain as d
from optimizer.data import schema as s
from optimizer.data.errors import InputError, cap_repeats
from optimizer.data.links import check_rows_together, link_tables
from optimizer.data.plausible import check_values
from optimizer.data.rawtable import Collector, RawTable
from optimizer.data.reading import read_csv, read_raw
from optimizer.data.records import build_cadres, build_units, build_villages
from optimizer.data.references import References
from optimizer.data.tables import ID_COLUMN, ParsedRows, map_headers, parse_rows

__all__ = ["RawTable", "extra_columns", "load_dataset", "load_table", "read_raw"]


def load_dataset(
    source: str | Path, *, today: date | None = None, plan_date: date | None = None
) -> d.Dataset:
    """Load and validate a dataset; raises :class:`InputError` listing every problem.

    With ``plan_date``, rows are also checked against each other at that date (two current
    postings of one cadre, a recall of someone not serving, a history posting not yet begun);
    warnings (legal but unusual values) are kept in ``Dataset.warnings``."""
    source = Path(source)
    out = Collector()
    raws, hashes = read_raw(source, out)
    parsed: dict[str, ParsedRows] = {}
    broken: set[str] = set()
    for name, raw in raws.items():
        if raw.headers and map_headers(raw, out):
            if not raw.rows and raw.table.required:
                out.add(raw, "the table has no data rows", file=raw.file)
            parsed[name] = parse_rows(raw, out, broken)
    if any(t.required and t.name not in parsed for t in s.TABLES):
        raise InputError(out.problems)
    today = today or date.today()
    origin: list[float] = []
    check_values(raws, parsed, plan_date or today, out)
    refs = References(out, broken)

    units = build_units(raws["units"], parsed["units"], out, origin)
    cadres = build_cadres(raws["cadres"], parsed["cadres"], units, today, out, broken, refs, origin)
    villages = build_villages(raws["villages"], parsed["villages"], out, broken, origin)
    ds = d.Dataset(units, cadres, villages, source=str(source), file_hashes=hashes)
    link_tables(ds, raws, parsed, out, broken, refs)
    check_rows_together(ds, raws, parsed, plan_date, out)
    refs.explain({"unit": ds.units, "cadre": ds.cadres, "village": ds.villages})
    if out.problems:
        raise InputError(out.problems)
    ds.warnings = cap_repeats(out.warnings)
    return ds


def load_table(path: str | Path, table: s.Table) -> list[tuple[int, dict[str, Any]]]:
    """One table from a CSV file of its own (a recall list handed to ``replan``): parsed rows
    with their spreadsheet row numbers. Raises :class:`InputError` listing every problem."""
    path = Path(path)
    out = Collector()
    rows: list[tuple[int, dict[str, Any]]] = []
    if not path.is_file():
        out.add(None, f"no such file: expected a CSV file of table {table.name}", file=str(path))
    else:
        raw = read_csv(path, table, out)
        if raw is not None and raw.headers and map_headers(raw, out):
            rows = parse_rows(raw, out, set())
    if out.problems:
        raise InputError(out.problems)
    return rows


def extra_columns(source: str | Path, table: s.Table) -> dict[str, dict[str, str]]:
    """The columns of a table the data contract does not know (kept by the user, ignored by
    the solver), per row id: e.g. phone or ID-number columns of the cadres table. Empty when
    the table cannot be read; :func:`load_dataset` reports why."""
    raws, _ = read_raw(Path(source), Collector())
    raw = raws.get(table.name)
    if raw is None or not raw.headers:
        return {}
    lookup = s.column_lookup(table)
    cols = {i: lookup.get(h.strip().lower()) for i, h in enumerate(raw.headers)}
    key = next((i for i, c in cols.items() if c and c.name == ID_COLUMN.get(table.name)), None)
    if key is None:
        return {}
    known = {i for i, c in cols.items() if c is not None}
    extra = [i for i in range(len(raw.headers)) if i not in known and raw.headers[i].strip()]
    return {
        cells[key]: {raw.headers[i]: cells[i] if i < len(cells) else "" for i in extra}
        for cells in raw.rows
        if key < len(cells) and cells[key]
    }
