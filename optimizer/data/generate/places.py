"""Geography of a synthetic dataset: cities at Hunan's real seats, counties around them,
townships, villages clustered around those, their adjacency, categories and needs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.data import domain as d
from optimizer.data import schema
from optimizer.data.generate.catalogue import (
    ADJACENCY_KM,
    CATEGORY_COMBOS,
    CITY_SEATS,
    DEMO_ONLY_SHARE,
    NEED_AFFINITY,
    PLACE_FIRST,
    PLACE_SECOND,
    TOPO,
    Scale,
)
from optimizer.data.generate.draws import bools, csv_columns, disc, km, split, spread

County = tuple[str, str, str, float, float]
"""code, name, city code, x, y"""


def _place_name(rng: np.random.Generator, surnames: list[str]) -> str:
    """A two- or three-character place name such as 桃源, 石门 or 张家湾."""
    u = rng.random()
    if u < 0.22:
        return surnames[rng.integers(len(surnames))] + "家" + TOPO[rng.integers(len(TOPO))]
    first = PLACE_FIRST[rng.integers(len(PLACE_FIRST))]
    second = PLACE_SECOND[rng.integers(len(PLACE_SECOND))]
    if u < 0.32:
        return first + PLACE_FIRST[rng.integers(len(PLACE_FIRST))] + TOPO[rng.integers(len(TOPO))]
    return first + second


def _unique_name(
    rng: np.random.Generator, surnames: list[str], taken: set[str], suffix: str
) -> str:
    while True:
        name = _place_name(rng, surnames) + suffix
        if name not in taken:
            taken.add(name)
            return name


@dataclass
class Geo:
    cities: list[tuple[str, str, float, float]]  # code, name, x, y
    counties: list[County]
    townships: list[tuple[str, str, float, float]]  # county code, name, x, y
    villages: pd.DataFrame


def geography(scale: Scale, rng: np.random.Generator, surnames: list[str]) -> Geo:
    """Cities at Hunan's real seats, counties around them, townships, villages around those."""
    cities = [(code, name, *km(lon, lat)) for code, name, lon, lat in CITY_SEATS[: scale.cities]]
    per_city = split(scale.counties, scale.cities, rng, 3 if scale.cities > 1 else 1)
    per_county = split(scale.villages, scale.counties, rng, 40 if scale.counties > 1 else 1)
    counties = _counties(cities, per_city, rng)
    townships, villages = _townships(scale, counties, per_county, rng, surnames)
    return Geo(cities, counties, townships, villages)


def _counties(
    cities: list[tuple[str, str, float, float]], per_city: np.ndarray, rng: np.random.Generator
) -> list[County]:
    """``per_city`` counties around each city seat: districts close by, counties and
    county-level cities further out."""
    counties: list[County] = []
    taken = {name[:-1] for _, name, *_ in cities}
    for (ccode, _cname, cx, cy), k in zip(cities, per_city, strict=True):
        if k == 1:
            kinds = ["县"]
        else:
            n_dist = max(1, k // 4)
            n_city = 1 if k >= 5 else 0
            kinds = ["区"] * n_dist + ["县"] * (k - n_dist - n_city) + ["市"] * n_city
        serial = {"区": 2, "县": 21, "市": 81}
        angles = (np.arange(k) + rng.random(k) * 0.6) * 2 * math.pi / k
        for j, suffix in enumerate(kinds):
            code = ccode[:4] + f"{serial[suffix]:02d}"
            serial[suffix] += 1
            while True:
                base = (
                    PLACE_FIRST[rng.integers(len(PLACE_FIRST))]
                    + PLACE_SECOND[rng.integers(len(PLACE_SECOND))]
                )
                if base not in taken:
                    taken.add(base)
                    break
            r = rng.uniform(3, 10) if suffix == "区" else rng.uniform(35, 75)
            if k == 1:
                r = rng.uniform(20, 35)
            x = cx + r * math.cos(angles[j])
            y = cy + r * math.sin(angles[j])
            counties.append((code, base + suffix, ccode, x, y))
    return counties


def _townships(
    scale: Scale,
    counties: list[County],
    per_county: np.ndarray,
    rng: np.random.Generator,
    surnames: list[str],
) -> tuple[list[tuple[str, str, float, float]], pd.DataFrame]:
    """Townships of each county and the villages around them (with their relative distance
    from the county seat, which makes the remote ones)."""
    townships: list[tuple[str, str, float, float]] = []
    rows: list[tuple[str, str, str, str, str, float, float, float]] = []
    for (code, _name, ccode, x0, y0), nv in zip(counties, per_county, strict=True):
        nt = scale.townships_per_county
        if scale.counties > 1:
            nt = int(np.clip(nt + rng.integers(-3, 4), 5, nv // 4))
        per_t = split(int(nv), nt, rng, 3)
        radius = math.sqrt(nv * 14.0 / math.pi)
        centres = spread(rng, nt, 0.85 * radius)
        t_names: set[str] = set()
        serial = 1
        for t in range(nt):
            suffix = "镇" if t == 0 or rng.random() < 0.7 else "乡"
            tname = _unique_name(rng, surnames, t_names, suffix)
            tx, ty = x0 + centres[t, 0], y0 + centres[t, 1]
            townships.append((code, tname, tx, ty))
            m = int(per_t[t])
            pts = disc(rng, m, math.sqrt(m * 9.0 / math.pi))
            v_names: set[str] = set()
            for i in range(m):
                vname = _unique_name(rng, surnames, v_names, "村")
                if serial > 999:
                    raise ValueError("more than 999 villages in a county")
                vid = f"{code}{serial:03d}"
                serial += 1
                dist = math.hypot(centres[t, 0] + pts[i, 0], centres[t, 1] + pts[i, 1]) / radius
                rows.append((vid, vname, code, tname, ccode, tx + pts[i, 0], ty + pts[i, 1], dist))
    villages = pd.DataFrame(
        rows, columns=["village_id", "name", "county", "township", "city", "x", "y", "dist"]
    )
    # rounded here, so adjacency is computed from the coordinates as written
    villages[["x", "y"]] = villages[["x", "y"]].round(3)
    return townships, villages


def _adjacency(v: pd.DataFrame) -> list[tuple[int, int]]:
    """Index pairs (i < j) of villages in one township within ADJACENCY_KM."""
    pairs: list[tuple[int, int]] = []
    key = v["county"] + "|" + v["township"]
    xy = v[["x", "y"]].to_numpy()
    for idx in v.groupby(key, sort=False).indices.values():
        p = xy[idx]
        dist = np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1])
        a, b = np.nonzero(np.triu(dist <= ADJACENCY_KM, k=1))
        pairs.extend(zip(idx[a].tolist(), idx[b].tolist(), strict=True))
    return pairs


def _categories(
    n: int, neighbours: list[list[int]], rng: np.random.Generator
) -> list[tuple[str, ...]]:
    """Flags per village: demo clusters of adjacent villages first, then the usual mix."""
    cats: list[tuple[str, ...] | None] = [None] * n
    target = round(DEMO_ONLY_SHARE * n)
    demo = 0
    for v in rng.permutation(n).tolist():
        if demo >= target:
            break
        free = [u for u in neighbours[v] if cats[u] is None]
        if cats[v] is not None or not free:
            continue
        extra = rng.choice(free, size=min(len(free), int(rng.integers(1, 3))), replace=False)
        # about half the hosts are also exited: they can host a cluster but not be covered
        cats[v] = ("exited", "demo") if rng.random() < 0.45 else ("demo",)
        for u in sorted(extra.tolist()):
            cats[u] = ("demo",)
        demo += 1 + len(extra)
    combos = [c for c, _ in CATEGORY_COMBOS]
    p = np.array([w for _, w in CATEGORY_COMBOS])
    draws = rng.choice(len(combos), size=n, p=p / p.sum())
    order = {c: i for i, c in enumerate(d.CATEGORIES)}
    return [
        tuple(sorted(c if c is not None else combos[k], key=order.__getitem__))
        for c, k in zip(cats, draws.tolist(), strict=True)
    ]


def _needs(cats: list[tuple[str, ...]], rng: np.random.Generator) -> list[str]:
    """One to three needed skills per village, leaning to what its categories call for."""
    n = len(cats)
    needs = []
    base = np.ones(len(d.SKILLS))
    k_needs = rng.choice([1, 2, 3], size=n, p=[0.3, 0.45, 0.25])
    for i in range(n):
        w = base.copy()
        for c in cats[i]:
            for s in NEED_AFFINITY[c]:
                w[d.SKILLS.index(s)] += 3.0
        pick = rng.choice(len(d.SKILLS), size=int(k_needs[i]), replace=False, p=w / w.sum())
        needs.append(";".join(d.SKILLS[j] for j in sorted(pick.tolist())))
    return needs


def village_tables(geo: Geo, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The villages and adjacency tables."""
    v = geo.villages
    n = len(v)
    pairs = _adjacency(v)
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    cats = _categories(n, neighbours, rng)

    reloc = np.array(["relocation" in c for c in cats])
    band = rng.choice(3, size=n, p=[0.35, 0.45, 0.20])
    pop = np.select(
        [band == 0, band == 1],
        [rng.integers(500, 3200, n), rng.integers(100, 500, n)],
        rng.integers(15, 100, n),
    )
    relocated = np.where(reloc, pop.astype(str), "")
    needs = _needs(cats, rng)
    score = v["dist"].to_numpy() + 0.35 * rng.standard_normal(n)
    remote = score >= np.quantile(score, 0.9)

    villages = pd.DataFrame(
        {
            "village_id": v["village_id"],
            "name": v["name"],
            "county": v["county"],
            "township": v["township"],
            "city": v["city"],
            "categories": [";".join(c) for c in cats],
            "relocated_pop": relocated,
            "needs": needs,
            "x": v["x"],
            "y": v["y"],
            "remote": bools(remote),
        }
    )[csv_columns(schema.VILLAGES)]
    ids = v["village_id"].to_numpy()
    adjacency = pd.DataFrame(
        sorted((ids[a], ids[b]) for a, b in pairs), columns=csv_columns(schema.ADJACENCY)
    )
    return villages, adjacency
