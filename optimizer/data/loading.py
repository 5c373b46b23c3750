"""Read a dataset (a folder of CSVs or one .xlsx workbook), validate it, return a Dataset.

All problems are collected and raised together as one :class:`InputError`, so a planner fixes
the whole spreadsheet in one pass instead of one error per run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data import domain as d
from optimizer.data import schema as s
from optimizer.data.columns import unused_headers, unused_message
from optimizer.data.contradictions import check_history, check_pins, check_pins_at, check_recall
from optimizer.data.errors import InputError, cap_repeats
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
from optimizer.data.plausible import check_values
from optimizer.data.reading import Collector as _Collector
from optimizer.data.reading import RawTable, read_csv, read_raw, required_list
from optimizer.data.references import References

__all__ = ["RawTable", "extra_columns", "load_dataset", "load_table", "read_raw"]

# --------------------------------------------------------------------------- parsing

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


def _map_headers(raw: RawTable, out: _Collector) -> bool:
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


_ID_COLUMN = {"units": "unit_id", "cadres": "cadre_id", "villages": "village_id"}


def _parse_rows(
    raw: RawTable, out: _Collector, broken: set[str]
) -> list[tuple[int, dict[str, Any]]]:
    """Parse every row; returns (spreadsheet row, {column: value}) for rows without errors.

    Ids of rows that exist but failed go into ``broken``, so references to them are not
    reported a second time as unknown."""
    parsed = []
    id_col = _ID_COLUMN.get(raw.table.name)
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


# --------------------------------------------------------------------------- building


def _xy(
    raw: RawTable, rownum: int, rec: dict[str, Any], out: _Collector, origin: list[float]
) -> tuple[float | None, float | None]:
    """Planar km; lon/lat are projected around the dataset's first coordinate."""
    x, y = rec.get("x"), rec.get("y")
    if (x is None) != (y is None):
        out.add(
            raw, "x and y must be given together", rownum, s.UNITS.column("x" if x is None else "y")
        )
    if x is not None and y is not None:
        return x, y
    lon, lat = rec.get("lon"), rec.get("lat")
    if lon is None or lat is None:
        return None, None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None, None  # reported by plausible.check_coordinates
    if not origin:
        origin.extend([lon, lat])
    kx = 111.32 * math.cos(math.radians(origin[1]))
    return (lon - origin[0]) * kx, (lat - origin[1]) * 110.57


def _unique(
    raw: RawTable, rows: list[tuple[int, dict[str, Any]]], key: str, out: _Collector
) -> list[tuple[int, dict[str, Any]]]:
    seen: dict[str, int] = {}
    kept = []
    for rownum, rec in rows:
        k = rec[key]
        if k in seen:
            out.add(
                raw,
                f"duplicate id: already used on row {seen[k]}",
                rownum,
                raw.table.column(key),
                k,
            )
            continue
        seen[k] = rownum
        kept.append((rownum, rec))
    return kept


def load_dataset(
    source: str | Path, *, today: date | None = None, plan_date: date | None = None
) -> d.Dataset:
    """Load and validate a dataset; raises :class:`InputError` listing every problem.

    With ``plan_date``, rows are also checked against each other at that date (two current
    postings of one cadre, a recall of someone not serving, a history posting not yet begun);
    warnings (legal but unusual values) are kept in ``Dataset.warnings``."""
    source = Path(source)
    out = _Collector()
    raws, hashes = read_raw(source, out)
    parsed: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    broken: set[str] = set()
    for name, raw in raws.items():
        if raw.headers and _map_headers(raw, out):
            if not raw.rows and raw.table.required:
                out.add(raw, "the table has no data rows", file=raw.file)
            parsed[name] = _parse_rows(raw, out, broken)
    if any(t.required and t.name not in parsed for t in s.TABLES):
        raise InputError(out.problems)
    today = today or date.today()
    origin: list[float] = []
    check_values(raws, parsed, plan_date or today, out)
    refs = References(out, broken)

    u_raw = raws["units"]
    units: dict[str, d.Unit] = {}
    for rownum, r in _unique(u_raw, parsed["units"], "unit_id", out):
        if r["staff"] is not None and r["staff"] < 0:
            out.add(
                u_raw, "staff cannot be negative", rownum, s.UNITS.column("staff"), str(r["staff"])
            )
        if r["level"] != "province" and not r["region"]:
            out.add(
                u_raw,
                f"a {r['level']}-level unit needs its region (admin code of its "
                f"{'city' if r['level'] == 'city' else 'county'})",
                rownum,
                s.UNITS.column("region"),
                "",
            )
        x, y = _xy(u_raw, rownum, r, out, origin)
        units[r["unit_id"]] = d.Unit(
            r["unit_id"], r["name"], r["level"], r["region"] or None, r["kind"], r["staff"], x, y
        )

    c_raw = raws["cadres"]
    cadres: dict[str, d.Cadre] = {}
    for rownum, r in _unique(c_raw, parsed["cadres"], "cadre_id", out):
        col = s.CADRES.column
        if r["unit_id"] not in units:
            if r["unit_id"] in broken:
                broken.add(r["cadre_id"])
                continue
            refs.unknown(c_raw, rownum, "unit_id", r["unit_id"], "unit")
            broken.add(r["cadre_id"])  # its history, pins and recall rows would only echo this
            continue
        birth, work, party = r["birth_date"], r["work_date"], r["party_date"]
        bad = False
        if birth > today:
            out.add(c_raw, "birth date is in the future", rownum, col("birth_date"), str(birth))
            bad = True
        elif work < _add_years(birth, 16):
            out.add(
                c_raw,
                f"work start is before the age of 16 (born {birth})",
                rownum,
                col("work_date"),
                str(work),
            )
            bad = True
        if party is not None and party > today:
            out.add(
                c_raw,
                f"party date is in the future (today is {today})",
                rownum,
                col("party_date"),
                str(party),
            )
            bad = True
        elif party is not None and party < _add_years(birth, 18):
            out.add(
                c_raw,
                f"party date is before the age of 18 (born {birth})",
                rownum,
                col("party_date"),
                str(party),
            )
            bad = True
        for yr in ("rural_years", "grassroots_years"):
            if r[yr] is not None and r[yr] < 0:
                out.add(c_raw, "cannot be negative", rownum, col(yr), str(r[yr]))
                bad = True
        if bad:
            broken.add(r["cadre_id"])
            continue
        x, y = _xy(c_raw, rownum, r, out, origin)
        cadres[r["cadre_id"]] = d.Cadre(
            cadre_id=r["cadre_id"],
            name=r["name"],
            unit_id=r["unit_id"],
            birth_date=birth,
            political_status=r["political_status"],
            work_date=work,
            gender=r["gender"],
            party_date=party,
            rank=r["rank"],
            middle_manager=bool(r["middle_manager"]),
            employment=r["employment"] or "staff",
            township_cadre=bool(r["township_cadre"]),
            health=r["health"] or "ok",
            eval_recent=r["eval_recent"],
            young_pool=bool(r["young_pool"]),
            rural_years=r["rural_years"] or 0.0,
            grassroots_years=r["grassroots_years"] or 0.0,
            skills=r["skills"] or frozenset(),
            available=True if r["available"] is None else r["available"],
            x=x,
            y=y,
        )

    v_raw = raws["villages"]
    villages: dict[str, d.Village] = {}
    for rownum, r in _unique(v_raw, parsed["villages"], "village_id", out):
        if not r["categories"]:
            out.add(
                v_raw,
                f"no category given: expected {s.CATEGORY.describe()}",
                rownum,
                s.VILLAGES.column("categories"),
                "",
            )
            broken.add(r["village_id"])
            continue
        if r["relocated_pop"] is not None and r["relocated_pop"] < 0:
            out.add(
                v_raw,
                "cannot be negative",
                rownum,
                s.VILLAGES.column("relocated_pop"),
                str(r["relocated_pop"]),
            )
        x, y = _xy(v_raw, rownum, r, out, origin)
        villages[r["village_id"]] = d.Village(
            village_id=r["village_id"],
            name=r["name"],
            county=r["county"],
            categories=r["categories"],
            township=r["township"],
            city=r["city"],
            relocated_pop=r["relocated_pop"],
            needs=r["needs"] or frozenset(),
            x=x,
            y=y,
            remote=bool(r["remote"]),
        )

    ds = d.Dataset(units, cadres, villages, source=str(source), file_hashes=hashes)
    _load_links(ds, raws, parsed, out, broken, refs)
    _contradictions(ds, raws, parsed, plan_date, out)
    refs.explain({"unit": ds.units, "cadre": ds.cadres, "village": ds.villages})
    if out.problems:
        raise InputError(out.problems)
    ds.warnings = cap_repeats(out.warnings)
    return ds


def _contradictions(
    ds: d.Dataset,
    raws: dict[str, RawTable],
    parsed: dict[str, list[tuple[int, dict[str, Any]]]],
    plan_date: date | None,
    out: _Collector,
) -> None:
    history = parsed.get("history", [])
    if "pins" in parsed:
        check_pins(raws["pins"], parsed["pins"], ds, out)
    if plan_date is None:
        return
    if "history" in parsed:
        check_history(raws["history"], history, ds, plan_date, out)
    if "pins" in parsed:
        check_pins_at(raws["pins"], parsed["pins"], ds, history, plan_date, out)
    if "recall" in parsed:
        check_recall(raws["recall"], parsed["recall"], ds, history, plan_date, out)


def _load_links(
    ds: d.Dataset,
    raws: dict[str, RawTable],
    parsed: dict[str, list[tuple[int, dict[str, Any]]]],
    out: _Collector,
    broken: set[str],
    refs: References,
) -> None:
    """Optional tables that point into units, cadres and villages."""

    def ref(raw: RawTable, rownum: int, r: dict[str, Any], col: str, pool: dict, what: str) -> bool:
        if r[col] in pool:
            return True
        if r[col] in broken:  # already reported where it is defined
            return False
        refs.unknown(raw, rownum, col, r[col], what)
        return False

    if "adjacency" in parsed:
        raw = raws["adjacency"]
        ds.adjacency_given = True
        seen: set[tuple[str, str]] = set()
        for rownum, r in parsed["adjacency"]:
            a = ref(raw, rownum, r, "village_a", ds.villages, "village")
            b = ref(raw, rownum, r, "village_b", ds.villages, "village")
            if not (a and b):
                continue
            if r["village_a"] == r["village_b"]:
                out.add(
                    raw,
                    "a village cannot be adjacent to itself",
                    rownum,
                    raw.table.column("village_b"),
                    r["village_b"],
                )
                continue
            pair = tuple(sorted((r["village_a"], r["village_b"])))
            if pair not in seen:
                seen.add(pair)  # type: ignore[arg-type]
                ds.adjacency.append(pair)  # type: ignore[arg-type]
    if "history" in parsed:
        raw = raws["history"]
        departed = 0
        for rownum, r in parsed["history"]:
            # a cadre no longer in the cadres table (retired, transferred) still counts for
            # the unit and the village (H-CONTINUITY, H-PROVVILLAGE): kept, with one note
            departed += r["cadre_id"] not in ds.cadres and r["cadre_id"] not in broken
            ok = r["cadre_id"] not in broken
            ok &= ref(raw, rownum, r, "unit_id", ds.units, "unit")
            ok &= ref(raw, rownum, r, "village_id", ds.villages, "village")
            if r["end"] is not None and r["end"] < r["start"]:
                out.add(
                    raw,
                    f"end is before start ({r['start']})",
                    rownum,
                    raw.table.column("end"),
                    str(r["end"]),
                )
                ok = False
            if ok:
                ds.history.append(
                    d.Posting(
                        r["cadre_id"],
                        r["unit_id"],
                        r["village_id"],
                        r["level"],
                        r["role"],
                        r["start"],
                        r["end"],
                    )
                )
        if departed:
            out.add(raw, f"{departed} row(s) name cadres not in the cadres table (departed: "
                    "retired or transferred); kept for their unit and village (H-CONTINUITY, "
                    "H-PROVVILLAGE), and a posting still open is vacant",
                    kind="departed", warn=True)  # fmt: skip
    if "pins" in parsed:
        raw = raws["pins"]
        for rownum, r in parsed["pins"]:
            ok = ref(raw, rownum, r, "cadre_id", ds.cadres, "cadre")
            ok &= ref(raw, rownum, r, "village_id", ds.villages, "village")
            if ok:
                where = raw.file + (f" [sheet {raw.sheet}]" if raw.sheet else "")
                pin = d.Pin(r["cadre_id"], r["village_id"], r["kind"], r["role"], where, rownum)
                ds.pins.append(pin)
    if "recall" in parsed:
        raw = raws["recall"]
        for rownum, r in parsed["recall"]:
            if ref(raw, rownum, r, "cadre_id", ds.cadres, "cadre"):
                ds.recall.append(d.Recall(r["cadre_id"], r["reason"] or ""))


def load_table(path: str | Path, table: s.Table) -> list[tuple[int, dict[str, Any]]]:
    """One table from a CSV file of its own (a recall list handed to ``replan``): parsed rows
    with their spreadsheet row numbers. Raises :class:`InputError` listing every problem."""
    path = Path(path)
    out = _Collector()
    rows: list[tuple[int, dict[str, Any]]] = []
    if not path.is_file():
        out.add(None, f"no such file: expected a CSV file of table {table.name}", file=str(path))
    else:
        raw = read_csv(path, table, out)
        if raw is not None and raw.headers and _map_headers(raw, out):
            rows = _parse_rows(raw, out, set())
    if out.problems:
        raise InputError(out.problems)
    return rows


def extra_columns(source: str | Path, table: s.Table) -> dict[str, dict[str, str]]:
    """The columns of a table the data contract does not know (kept by the user, ignored by
    the solver), per row id: e.g. phone or ID-number columns of the cadres table. Empty when
    the table cannot be read; :func:`load_dataset` reports why."""
    raws, _ = read_raw(Path(source), _Collector())
    raw = raws.get(table.name)
    if raw is None or not raw.headers:
        return {}
    lookup = s.column_lookup(table)
    cols = {i: lookup.get(h.strip().lower()) for i, h in enumerate(raw.headers)}
    key = next((i for i, c in cols.items() if c and c.name == _ID_COLUMN.get(table.name)), None)
    if key is None:
        return {}
    known = {i for i, c in cols.items() if c is not None}
    extra = [i for i in range(len(raw.headers)) if i not in known and raw.headers[i].strip()]
    return {
        cells[key]: {raw.headers[i]: cells[i] if i < len(cells) else "" for i in extra}
        for cells in raw.rows
        if key < len(cells) and cells[key]
    }


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
