"""Values that parse but cannot be true, or are legal yet unusual.

A village 10¹² km away, a longitude in Paris, a cadre born in 1900 or a unit of a billion staff
all parse; solved, they give a plan that is nonsense or a solve that spends its whole time
limit. Impossible values are refused (one line each); unusual ones give one warning line per
kind with a count, so a planner looks at them without being stopped.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from optimizer.data.domain import completed_years
from optimizer.data.rawtable import Collector, RawTable

Rows = list[tuple[int, dict[str, Any]]]

PLANAR_MAX_KM = 5000.0
"""|x|, |y| beyond this is not a place in one province (China is ~5,000 km across)."""
FAR_KM = 1500.0
"""Farther than this from the middle of the dataset: unusual (a province is ≤ ~2,400 km wide)."""
CHINA_LON, CHINA_LAT = (73.0, 136.0), (18.0, 54.0)
AGE_HARD, AGE_USUAL = (16, 75), (18, 65)
STAFF_HARD, STAFF_USUAL = 1_000_000, 50_000
POP_HARD, POP_USUAL = 1_000_000, 50_000
YEARS_HARD = 60.0


@dataclass
class Unusual:
    """Rows with a legal but unusual value, by kind: reported as one warning with a count."""

    rows: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    raws: dict[tuple[str, str], RawTable] = field(default_factory=dict)

    def note(self, raw: RawTable, kind: str, rownum: int) -> None:
        self.rows.setdefault((raw.table.name, kind), []).append(rownum)
        self.raws[(raw.table.name, kind)] = raw

    def report(self, out: Collector) -> None:
        for (table, kind), rows in self.rows.items():
            shown = ", ".join(str(r) for r in rows[:8]) + (", …" if len(rows) > 8 else "")
            out.add(
                self.raws[(table, kind)], f"{len(rows)} row(s) {kind} (rows {shown})", warn=True
            )


def check_values(
    raws: dict[str, RawTable], parsed: dict[str, Rows], at: date, out: Collector
) -> None:
    """Every plausibility check on the three main tables; ``at`` is the plan date (or today)."""
    unusual = Unusual()
    check_coordinates(raws, parsed, out, unusual)
    _check_numbers(raws["units"], parsed["units"], "staff", STAFF_HARD, STAFF_USUAL, out, unusual)
    _check_numbers(
        raws["villages"], parsed["villages"], "relocated_pop", POP_HARD, POP_USUAL, out, unusual
    )
    _check_cadres(raws["cadres"], parsed["cadres"], at, out, unusual)
    unusual.report(out)


def _check_numbers(
    raw: RawTable, rows: Rows, col: str, hard: int, usual: int, out: Collector, unusual: Unusual
) -> None:
    for rownum, r in rows:
        v = r.get(col)
        if v is None:
            continue
        if v > hard:
            out.add(
                raw,
                f"implausibly large: expected at most {hard:,}; check for extra digits",
                rownum,
                raw.table.column(col),
                str(v),
                kind="implausible",
            )
        elif v > usual:
            unusual.note(raw, f"with {col} above {usual:,}: check for extra digits", rownum)


def _check_cadres(raw: RawTable, rows: Rows, at: date, out: Collector, unusual: Unusual) -> None:
    col = raw.table.column
    for rownum, r in rows:
        birth = r.get("birth_date")
        if birth is not None and birth <= at:
            age = completed_years(birth, at)
            if not AGE_HARD[0] <= age <= AGE_HARD[1]:
                out.add(
                    raw,
                    f"age {age} at {at}: expected a serving cadre aged "
                    f"{AGE_HARD[0]}–{AGE_HARD[1]}; check the year",
                    rownum,
                    col("birth_date"),
                    str(birth),
                    kind="age",
                )
            elif not AGE_USUAL[0] <= age <= AGE_USUAL[1]:
                unusual.note(
                    raw,
                    f"aged under {AGE_USUAL[0]} or over {AGE_USUAL[1]} at {at}: check birth dates",
                    rownum,
                )
        work = r.get("work_date")
        if work is not None and work > max(at, date.today()):
            out.add(
                raw,
                f"work start is in the future (after {max(at, date.today())})",
                rownum,
                col("work_date"),
                str(work),
                kind="future",
            )
        for yr in ("rural_years", "grassroots_years"):
            v = r.get(yr)
            if v is not None and v > YEARS_HARD:
                out.add(
                    raw,
                    f"implausibly large: expected years of work, at most {YEARS_HARD:g}",
                    rownum,
                    col(yr),
                    f"{v:g}",
                    kind="implausible",
                )


# --------------------------------------------------------------------------- coordinates


def _system(r: dict[str, Any]) -> str | None:
    xy = r.get("x") is not None and r.get("y") is not None
    ll = r.get("lon") is not None and r.get("lat") is not None
    return "both" if xy and ll else "xy" if xy else "lonlat" if ll else None


def check_coordinates(
    raws: dict[str, RawTable], parsed: dict[str, Rows], out: Collector, unusual: Unusual
) -> None:
    """Per row: planar km within ±5,000, lon/lat inside China; per table: x/y that are
    really degrees; per dataset: planar x/y mixed with lon/lat (no common frame)."""
    first: dict[str, tuple[RawTable, int]] = {}
    for name in ("units", "cadres", "villages"):
        raw = raws[name]
        for rownum, r in parsed[name]:
            sysname = _system(r)
            if sysname in ("xy", "lonlat"):
                first.setdefault(sysname, (raw, rownum))
            if sysname in ("xy", "both"):
                _planar_row(raw, rownum, r, out)
            if sysname in ("lonlat", "both"):
                _lonlat_row(raw, rownum, r, out)
        _degrees_as_km(raw, parsed[name], out)
    if "xy" in first and "lonlat" in first:
        (xr, xrow), (lr, lrow) = first["xy"], first["lonlat"]
        out.add(
            lr,
            f"lon/lat here, but planar x/y in {xr.file} row {xrow}: the two have no "
            "common frame, so distances would be meaningless; give every table the same "
            "kind of coordinates",
            lrow,
            "lon/lat",
            kind="mixed",
        )
    _far_points(raws, parsed, unusual)


def _planar_row(raw: RawTable, rownum: int, r: dict[str, Any], out: Collector) -> None:
    for c in ("x", "y"):
        if abs(r[c]) > PLANAR_MAX_KM:
            out.add(
                raw,
                f"implausible coordinate: expected planar km within ±{PLANAR_MAX_KM:,.0f} "
                "(a province is a few hundred km across); check units and the decimal point",
                rownum,
                raw.table.column(c),
                f"{r[c]:g}",
                kind="coord",
            )


def _lonlat_row(raw: RawTable, rownum: int, r: dict[str, Any], out: Collector) -> None:
    lon, lat = r["lon"], r["lat"]
    if _in(lon, CHINA_LON) and _in(lat, CHINA_LAT):
        return
    if _in(lat, CHINA_LON) and _in(lon, CHINA_LAT):
        why = "lon and lat look swapped"
    elif abs(lon) > 180 or abs(lat) > 90:
        why = "not degrees (lon −180..180, lat −90..90): are these km? put them in x/y"
    else:
        why = "outside China: check the signs, the digits and which column is which"
    out.add(
        raw,
        f"{why}; expected lon {CHINA_LON[0]:g}–{CHINA_LON[1]:g}, lat "
        f"{CHINA_LAT[0]:g}–{CHINA_LAT[1]:g}",
        rownum,
        "lon/lat",
        f"{lon:g},{lat:g}",
        kind="lonlat",
    )


def _in(v: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= v <= bounds[1]


def _degrees_as_km(raw: RawTable, rows: Rows, out: Collector) -> None:
    """x/y that all lie in China's lon/lat box and spread less than a few units are degrees."""
    pts = [(rownum, r["x"], r["y"]) for rownum, r in rows if _system(r) == "xy"]
    if len(pts) < 2:
        return
    xs, ys = [p[1] for p in pts], [p[2] for p in pts]
    inside = all(_in(x, CHINA_LON) for x in xs) and all(_in(y, CHINA_LAT) for y in ys)
    if inside and max(xs) - min(xs) < 20 and max(ys) - min(ys) < 20:
        out.add(
            raw,
            "x/y look like longitude/latitude degrees (every row between "
            f"{CHINA_LON[0]:g}–{CHINA_LON[1]:g} and {CHINA_LAT[0]:g}–{CHINA_LAT[1]:g}); "
            "x/y are planar km: put degrees in the lon/lat (经度/纬度) columns",
            pts[0][0],
            raw.table.column("x"),
            f"{xs[0]:g}",
            kind="degrees",
        )


def _far_points(raws: dict[str, RawTable], parsed: dict[str, Rows], unusual: Unusual) -> None:
    pts = []
    for name in ("units", "cadres", "villages"):
        for rownum, r in parsed[name]:
            if _system(r) in ("xy", "both") and max(abs(r["x"]), abs(r["y"])) <= PLANAR_MAX_KM:
                pts.append((raws[name], rownum, r["x"], r["y"]))
    if len(pts) < 3:
        return
    mx = statistics.median(p[2] for p in pts)
    my = statistics.median(p[3] for p in pts)
    for raw, rownum, x, y in pts:
        if ((x - mx) ** 2 + (y - my) ** 2) ** 0.5 > FAR_KM:
            unusual.note(
                raw,
                f"more than {FAR_KM:,.0f} km from the middle of the dataset: check the coordinates",
                rownum,
            )
