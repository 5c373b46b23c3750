"""Sending units of a synthetic dataset: drawn from the catalogues at four levels, located at
the seat of their region, with staff sizes and candidate pools that grow with staff."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from optimizer.data import domain as d
from optimizer.data import schema
from optimizer.data.generate.catalogue import (
    CITY_SEATS,
    CITY_UNITS,
    COUNTY_UNITS,
    KIND_SHARE,
    PROVINCE_NAME,
    PROVINCE_UNITS,
    STAFF,
    Scale,
)
from optimizer.data.generate.draws import csv_columns, km, quota
from optimizer.data.generate.places import Geo


def _pick(
    catalogue: dict[str, tuple[str, ...]],
    n: int,
    shares: dict[str, float],
    rng: np.random.Generator,
) -> list[tuple[str, str]]:
    """``n`` (template, kind) entries of a catalogue, by kind quota, in catalogue order."""
    out: list[tuple[str, str]] = []
    for kind, k in quota(n, shares).items():
        names = catalogue[kind]
        if k > len(names):
            raise ValueError(f"catalogue has only {len(names)} {kind} units, {k} wanted")
        out.extend((names[i], kind) for i in sorted(rng.choice(len(names), k, replace=False)))
    return out


def _name(template: str, region: str) -> str:
    return template.format(region) if "{}" in template else region + template


def units_table(scale: Scale, geo: Geo, rng: np.random.Generator) -> pd.DataFrame:
    """Sending units at four levels, located at the seat of their region."""
    rows: list[dict[str, object]] = []
    cap_x, cap_y = km(CITY_SEATS[0][2], CITY_SEATS[0][3])

    def add(name: str, level: str, region: str, kind: str, x: float, y: float, jit: float) -> None:
        med, sig, lo, hi = STAFF[(level, kind)]
        staff = int(np.clip(round(med * math.exp(sig * rng.standard_normal())), lo, hi))
        jx, jy = rng.normal(0.0, jit, 2)
        rows.append(
            {
                "name": name,
                "level": level,
                "region": region,
                "kind": kind,
                "staff": staff,
                "x": round(x + jx, 3),
                "y": round(y + jy, 3),
            }
        )

    for template, kind in _pick(PROVINCE_UNITS, scale.province_units, KIND_SHARE["province"], rng):
        name = template.format(PROVINCE_NAME) if "{}" in template else template
        if name.startswith("省"):
            name = PROVINCE_NAME[:-1] + name
        add(name, "province", "", kind, cap_x, cap_y, 4.0)
    for code, cname, x, y in geo.cities:
        for template, kind in _pick(CITY_UNITS, scale.city_units_per_city, KIND_SHARE["city"], rng):
            add(_name(template, cname), "city", code, kind, x, y, 3.0)
    for code, name, _city, x, y in geo.counties:
        k = scale.county_units_per_county
        if scale.counties > 1:
            k += int(rng.integers(-3, 4))
        for template, kind in _pick(COUNTY_UNITS, k, KIND_SHARE["county"], rng):
            add(_name(template, name), "county", code, kind, x, y, 1.5)
    county_name = {c[0]: c[1] for c in geo.counties}
    for code, tname, x, y in geo.townships:
        add(f"{county_name[code]}{tname}人民政府", "township", code, "organ", x, y, 0.3)
    units = pd.DataFrame(rows)
    units.insert(0, "unit_id", [f"U{i:04d}" for i in range(1, len(units) + 1)])
    return units[csv_columns(schema.UNITS)]


def pools(units: pd.DataFrame, scale: Scale, rng: np.random.Generator) -> np.ndarray:
    """Candidates per unit: grows with staff, within level caps, summing to the target."""
    staff = units["staff"].to_numpy().astype(float)
    level = units["level"].to_numpy()
    cap = np.select(
        [level == lv for lv in d.LEVELS], [float(c) for c in scale.pool_cap], default=40.0
    )
    hi = np.minimum(cap, np.maximum(2.0, np.floor(staff * 0.7)))
    lo = np.minimum(np.full_like(hi, 2.0), hi)
    w = staff**0.6 * np.exp(0.25 * rng.standard_normal(len(staff)))

    def total(c: float) -> np.ndarray:
        return np.clip(np.round(c * w), lo, hi).astype(int)

    a, b = 0.0, 100.0
    for _ in range(60):
        m = (a + b) / 2
        a, b = (m, b) if total(m).sum() < scale.cadres else (a, m)
    out = total(b)
    diff = out.sum() - scale.cadres
    order = rng.permutation(len(out))
    for i in order:
        if diff == 0:
            break
        if diff > 0 and out[i] > lo[i]:
            out[i] -= 1
            diff -= 1
        elif diff < 0 and out[i] < hi[i]:
            out[i] += 1
            diff += 1
    return out
