"""A pseudonymised copy of a dataset that a planner can share and that solves to the same plan.

What changes, consistently across every table:
- ids of units, cadres and villages become ``U0001``/``C000001``/``V0001``, numbered in the
  order of the original ids, so every place the solver sorts by id sorts the same way;
- names: cadres get synthetic Chinese names (Faker zh_CN, matching gender), units and villages
  neutral ones; admin codes (county, city, unit region) are renumbered keeping their
  structure (a county's city is its first four digits + ``00``), townships renamed;
- every date moves back by the same whole number of years, a multiple of 4: ages, years of
  party standing and work, terms and "ended on the plan date" all count anniversaries, which
  such a shift keeps exactly (29 February included); the plan date moves with them;
- coordinates move by one common offset (distances, hence S-TRAVEL and adjacency, are kept);
- recall reasons and every column outside the data contract (phone, ID number, notes) are
  dropped.

Everything a rule reads (levels, ranks, categories, skills, staff, dates relative to each
other) is kept, so the copy solves to the same plan under the id mapping.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from faker import Faker

from optimizer.data import domain as d
from optimizer.data import schema as s
from optimizer.data.domain import Dataset
from optimizer.data.errors import InputError, Problem
from optimizer.plans.io import csv_starts_with, private_file, staged_folder, write_text

UNIT_PREFIX = {"province": "省直", "city": "市直", "county": "县直", "township": "乡镇"}


@dataclass
class Anonymized:
    """The copy's tables (CSV-ready text) and the key that maps original → pseudonym."""

    tables: dict[str, pd.DataFrame]
    ids: dict[str, dict[str, str]]
    """``units``/``cadres``/``villages``/``regions``/``townships`` → {original: pseudonym}."""
    shift_years: int
    offset: tuple[float, float]
    seed: int
    dropped: dict[str, list[str]] = field(default_factory=dict)

    def date(self, day: date) -> date:
        """A date of the original (the plan date) as the copy sees it."""
        return _shift(day, self.shift_years)

    def map_plan(self, plan: pd.DataFrame) -> pd.DataFrame:
        """A plan of the original data with its ids replaced by the copy's (to compare)."""
        out = plan.copy()
        for col, table in (
            ("cadre_id", "cadres"),
            ("village_id", "villages"),
            ("unit_id", "units"),
        ):
            if col in out:
                out[col] = out[col].map(self.ids[table])
        for col in ("start", "end"):
            if col in out:
                out[col] = [
                    _shift(date.fromisoformat(v), self.shift_years).isoformat() if v else ""
                    for v in out[col]
                ]
        return out


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a non-leap year (only across 1900 or 2100)
        return day.replace(year=day.year + years, day=28)


def _numbered(ids: list[str], prefix: str, width: int) -> dict[str, str]:
    ordered = sorted(set(ids))
    w = max(width, len(str(len(ordered))))
    return {old: f"{prefix}{i:0{w}d}" for i, old in enumerate(ordered, 1)}


def _regions(codes: set[str]) -> dict[str, str]:
    """Admin codes renumbered, order and structure kept: ``ppcc`` + ``xx`` → ``9nnn`` + ``yy``
    with ``00`` (the city itself) staying ``00``; other codes become ``R001``…"""
    six = sorted(c for c in codes if len(c) == 6 and c.isdigit())
    prefixes = sorted({c[:4] for c in six})
    out: dict[str, str] = {}
    if len(prefixes) <= 999:
        head = {p: f"{9000 + i}" for i, p in enumerate(prefixes, 1)}
        for p in prefixes:
            tails = sorted({c[4:] for c in six if c[:4] == p} - {"00"})
            tail = {"00": "00", **{t: f"{i:02d}" for i, t in enumerate(tails, 1)}}
            if len(tails) > 99:
                break
            for c in six:
                if c[:4] == p:
                    out[c] = head[p] + tail[c[4:]]
    rest = sorted(c for c in codes if c not in out)
    out.update({c: f"R{i:03d}" for i, c in enumerate(rest, 1)})
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _codes(values: frozenset[str], order: tuple[str, ...]) -> str:
    return ";".join(v for v in order if v in values)


def _check_shift(shift_years: int) -> None:
    if shift_years >= 0 or shift_years % 4:
        raise InputError(
            [
                Problem(
                    "shift_years",
                    "expected a negative multiple of 4 (dates "
                    "move back; anniversaries and 29 February stay exact)",
                    value=str(shift_years),
                )
            ]
        )


def _pseudonyms(ds: Dataset) -> dict[str, dict[str, str]]:
    """``units``/``cadres``/``villages``/``regions``/``townships`` → {original: pseudonym}."""
    # departed cadres named only in history get pseudonyms too
    cadres = _numbered(list(ds.cadres) + [p.cadre_id for p in ds.history], "C", 6)
    regions = _regions(
        {u.region for u in ds.units.values() if u.region}
        | {v.county for v in ds.villages.values()}
        | {v.city for v in ds.villages.values() if v.city}
    )
    towns: dict[str, str] = {}
    for county in sorted({v.county for v in ds.villages.values()}):
        names = sorted(
            {v.township for v in ds.villages.values() if v.county == county and v.township}
        )
        for i, t in enumerate(names, 1):
            towns[f"{county}|{t}"] = f"{i:02d}镇"
    return {
        "units": _numbered(list(ds.units), "U", 4),
        "cadres": cadres,
        "villages": _numbered(list(ds.villages), "V", 4),
        "regions": regions,
        "townships": towns,
    }


@dataclass
class _Rewrite:
    """How one value of the original becomes the copy's."""

    ids: dict[str, dict[str, str]]
    shift_years: int
    offset: tuple[float, float]

    def xy(self, x: float | None, y: float | None) -> tuple[str, str]:
        if x is None or y is None:
            return "", ""
        return _text(x + self.offset[0]), _text(y + self.offset[1])

    def day(self, value: date | None) -> str:
        return "" if value is None else _shift(value, self.shift_years).isoformat()


def _unit_rows(ds: Dataset, rw: _Rewrite) -> list[dict[str, str]]:
    units, regions = rw.ids["units"], rw.ids["regions"]
    rows = []
    for u in ds.units.values():
        x, y = rw.xy(u.x, u.y)
        rows.append(
            {
                "unit_id": units[u.unit_id],
                "name": f"{UNIT_PREFIX[u.level]}单位{units[u.unit_id][1:]}",
                "level": u.level,
                "region": regions.get(u.region or "", ""),
                "kind": _text(u.kind),
                "staff": _text(u.staff),
                "x": x,
                "y": y,
            }
        )
    return rows


def _cadre_rows(ds: Dataset, rw: _Rewrite, fake: Faker) -> list[dict[str, str]]:
    rows = []
    for c in ds.cadres.values():
        x, y = rw.xy(c.x, c.y)
        name = {"male": fake.name_male, "female": fake.name_female}.get(c.gender or "", fake.name)()
        rows.append(
            {
                "cadre_id": rw.ids["cadres"][c.cadre_id],
                "name": name,
                "unit_id": rw.ids["units"][c.unit_id],
                "gender": _text(c.gender),
                "birth_date": rw.day(c.birth_date),
                "political_status": c.political_status,
                "party_date": rw.day(c.party_date),
                "work_date": rw.day(c.work_date),
                "rank": _text(c.rank),
                "middle_manager": _text(c.middle_manager),
                "employment": c.employment,
                "township_cadre": _text(c.township_cadre),
                "health": c.health,
                "eval_recent": _text(c.eval_recent),
                "young_pool": _text(c.young_pool),
                "rural_years": _text(c.rural_years),
                "grassroots_years": _text(c.grassroots_years),
                "skills": _codes(c.skills, d.SKILLS),
                "available": _text(c.available),
                "x": x,
                "y": y,
            }
        )
    return rows


def _village_rows(ds: Dataset, rw: _Rewrite) -> list[dict[str, str]]:
    villages, regions = rw.ids["villages"], rw.ids["regions"]
    rows = []
    for v in ds.villages.values():
        x, y = rw.xy(v.x, v.y)
        rows.append(
            {
                "village_id": villages[v.village_id],
                "name": f"村{villages[v.village_id][1:]}",
                "county": regions[v.county],
                "township": rw.ids["townships"].get(f"{v.county}|{v.township}", ""),
                "city": regions.get(v.city or "", ""),
                "categories": _codes(v.categories, d.CATEGORIES),
                "relocated_pop": _text(v.relocated_pop),
                "needs": _codes(v.needs, d.SKILLS),
                "x": x,
                "y": y,
                "remote": _text(v.remote),
            }
        )
    return rows


def _link_rows(ds: Dataset, rw: _Rewrite) -> dict[str, list[dict[str, str]]]:
    """Adjacency, history, pins and recall (its reasons dropped)."""
    cadres, villages = rw.ids["cadres"], rw.ids["villages"]
    adjacency = [{"village_a": villages[a], "village_b": villages[b]} for a, b in ds.adjacency]
    history = [
        {
            "cadre_id": cadres[p.cadre_id],
            "unit_id": rw.ids["units"][p.unit_id],
            "village_id": villages[p.village_id],
            "level": p.level,
            "role": p.role,
            "start": rw.day(p.start),
            "end": rw.day(p.end),
        }
        for p in ds.history
    ]
    pins = [
        {
            "cadre_id": cadres[p.cadre_id],
            "village_id": villages[p.village_id],
            "role": _text(p.role),
            "kind": p.kind,
        }
        for p in ds.pins
    ]
    return {
        "adjacency": adjacency if ds.adjacency_given else [],
        "history": history,
        "pins": pins,
        "recall": [{"cadre_id": cadres[r.cadre_id], "reason": ""} for r in ds.recall],
    }


def anonymize(ds: Dataset, seed: int = 0, shift_years: int | None = None) -> Anonymized:
    """Pseudonymise ``ds``; deterministic for a seed. ``shift_years`` (default from the seed:
    8 to 24 years back) must be a negative multiple of 4."""
    rng = np.random.default_rng(seed)
    if shift_years is None:
        shift_years = -4 * int(rng.integers(2, 7))
    _check_shift(shift_years)
    offset = (float(rng.integers(100, 1000)), float(rng.integers(100, 1000)))
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rw = _Rewrite(_pseudonyms(ds), shift_years, offset)
    tables: dict[str, list[dict[str, str]]] = {
        "units": _unit_rows(ds, rw),
        "cadres": _cadre_rows(ds, rw, fake),
        "villages": _village_rows(ds, rw),
        **_link_rows(ds, rw),
    }
    frames = {}
    for t in s.TABLES:
        rows = tables.get(t.name, [])
        if rows or t.required or (t.name == "adjacency" and ds.adjacency_given):
            cols = [c.name for c in t.columns if c.name not in ("lon", "lat")]
            frames[t.name] = pd.DataFrame(rows, columns=cols)
    return Anonymized(frames, rw.ids, shift_years, offset, seed)


def write_anonymized(
    anon: Anonymized, out: str | Path, plan_date: date | None = None, key: str | Path | None = None
) -> None:
    """Write the copy (a folder of CSVs and a README), atomically; never over an existing
    folder. ``key``: where to keep the original → pseudonym mapping (not for sharing)."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(
            [Problem(str(out), "already exists: choose a new folder for the anonymised copy")]
        )
    if key is not None and Path(key).resolve().is_relative_to(out.resolve()):
        raise InputError(
            [
                Problem(
                    str(key),
                    "the key maps pseudonyms back to real people: keep "
                    "it outside the folder you share",
                )
            ]
        )
    with staged_folder(out) as tmp:
        for name, frame in anon.tables.items():
            frame.to_csv(tmp / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        write_text(tmp / "README.md", _readme(anon, plan_date))
        if key is not None:
            _write_key(anon, Path(key))


def _readme(anon: Anonymized, plan_date: date | None) -> str:
    years = -anon.shift_years
    solve = (
        f"Solve it with `--date {anon.date(plan_date)}` (the original plan date, moved "
        f"back the same {years} years)."
        if plan_date
        else f"Every date is {years} years earlier than in the original: move the plan date "
        "back by as much when solving."
    )
    return (
        "# Anonymised dataset (脱敏数据)\n\n"
        "A pseudonymised copy made by `zhucun anonymize`: ids, names, admin codes and township "
        "names are synthetic; every date is moved back by the same whole number of years; "
        "coordinates are moved by one offset. Rules see the same facts, so it solves to the "
        f"same plan under the id mapping.\n\n{solve}\n\n"
        "Columns outside the data contract (phone numbers, ID numbers, notes) and recall "
        "reasons are not copied. No real person's name or id is in these files.\n"
    )


def _write_key(anon: Anonymized, key: Path) -> None:
    """Private (0600): the key names real people."""
    header = ["table", "original", "pseudonym"]
    with (
        private_file(key, ours=csv_starts_with(header)) as tmp,
        open(tmp, "w", encoding="utf-8", newline="") as fh,
    ):
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for table, mapping in anon.ids.items():
            for old, new in mapping.items():
                w.writerow([table, old, new])
        w.writerow(["shift_years", "", str(anon.shift_years)])


__all__ = ["Anonymized", "anonymize", "write_anonymized"]
