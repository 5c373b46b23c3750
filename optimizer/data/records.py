"""Units, cadres and villages built from their parsed rows: duplicate ids, values that parse
but cannot be (negative staff, a birth date in the future), coordinates projected to km.

A row that fails here names its id in ``broken``, so the rows pointing at it are not reported
a second time as unknown."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from optimizer.data import domain as d
from optimizer.data import schema as s
from optimizer.data.rawtable import Collector, RawTable
from optimizer.data.references import References
from optimizer.data.tables import ParsedRows


def _xy(
    raw: RawTable, rownum: int, rec: dict[str, Any], out: Collector, origin: list[float]
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


def _unique(raw: RawTable, rows: ParsedRows, key: str, out: Collector) -> ParsedRows:
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


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def build_units(
    raw: RawTable, rows: ParsedRows, out: Collector, origin: list[float]
) -> dict[str, d.Unit]:
    """The sending units by id."""
    units: dict[str, d.Unit] = {}
    for rownum, r in _unique(raw, rows, "unit_id", out):
        if r["staff"] is not None and r["staff"] < 0:
            out.add(
                raw, "staff cannot be negative", rownum, s.UNITS.column("staff"), str(r["staff"])
            )
        if r["level"] != "province" and not r["region"]:
            out.add(
                raw,
                f"a {r['level']}-level unit needs its region (admin code of its "
                f"{'city' if r['level'] == 'city' else 'county'})",
                rownum,
                s.UNITS.column("region"),
                "",
            )
        x, y = _xy(raw, rownum, r, out, origin)
        units[r["unit_id"]] = d.Unit(
            r["unit_id"], r["name"], r["level"], r["region"] or None, r["kind"], r["staff"], x, y
        )
    return units


def _impossible(raw: RawTable, rownum: int, r: dict[str, Any], today: date, out: Collector) -> bool:
    """Report dates and years of a cadre's row that cannot be; True if any."""
    col = s.CADRES.column
    birth, work, party = r["birth_date"], r["work_date"], r["party_date"]
    bad = False
    if birth > today:
        out.add(raw, "birth date is in the future", rownum, col("birth_date"), str(birth))
        bad = True
    elif work < _add_years(birth, 16):
        out.add(
            raw,
            f"work start is before the age of 16 (born {birth})",
            rownum,
            col("work_date"),
            str(work),
        )
        bad = True
    if party is not None and party > today:
        out.add(
            raw,
            f"party date is in the future (today is {today})",
            rownum,
            col("party_date"),
            str(party),
        )
        bad = True
    elif party is not None and party < _add_years(birth, 18):
        out.add(
            raw,
            f"party date is before the age of 18 (born {birth})",
            rownum,
            col("party_date"),
            str(party),
        )
        bad = True
    for yr in ("rural_years", "grassroots_years"):
        if r[yr] is not None and r[yr] < 0:
            out.add(raw, "cannot be negative", rownum, col(yr), str(r[yr]))
            bad = True
    return bad


def _cadre(r: dict[str, Any], x: float | None, y: float | None) -> d.Cadre:
    """The record of a valid row, optional columns at their defaults."""
    return d.Cadre(
        cadre_id=r["cadre_id"],
        name=r["name"],
        unit_id=r["unit_id"],
        birth_date=r["birth_date"],
        political_status=r["political_status"],
        work_date=r["work_date"],
        gender=r["gender"],
        party_date=r["party_date"],
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


def build_cadres(
    raw: RawTable,
    rows: ParsedRows,
    units: dict[str, d.Unit],
    today: date,
    out: Collector,
    broken: set[str],
    refs: References,
    origin: list[float],
) -> dict[str, d.Cadre]:
    """The cadres by id; a cadre of an unknown unit or with impossible dates is left out."""
    cadres: dict[str, d.Cadre] = {}
    for rownum, r in _unique(raw, rows, "cadre_id", out):
        if r["unit_id"] not in units:
            if r["unit_id"] in broken:
                broken.add(r["cadre_id"])
                continue
            refs.unknown(raw, rownum, "unit_id", r["unit_id"], "unit")
            broken.add(r["cadre_id"])  # its history, pins and recall rows would only echo this
            continue
        if _impossible(raw, rownum, r, today, out):
            broken.add(r["cadre_id"])
            continue
        x, y = _xy(raw, rownum, r, out, origin)
        cadres[r["cadre_id"]] = _cadre(r, x, y)
    return cadres


def build_villages(
    raw: RawTable, rows: ParsedRows, out: Collector, broken: set[str], origin: list[float]
) -> dict[str, d.Village]:
    """The villages by id; a village without a category is left out."""
    villages: dict[str, d.Village] = {}
    for rownum, r in _unique(raw, rows, "village_id", out):
        if not r["categories"]:
            out.add(
                raw,
                f"no category given: expected {s.CATEGORY.describe()}",
                rownum,
                s.VILLAGES.column("categories"),
                "",
            )
            broken.add(r["village_id"])
            continue
        if r["relocated_pop"] is not None and r["relocated_pop"] < 0:
            out.add(
                raw,
                "cannot be negative",
                rownum,
                s.VILLAGES.column("relocated_pop"),
                str(r["relocated_pop"]),
            )
        x, y = _xy(raw, rownum, r, out, origin)
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
    return villages
