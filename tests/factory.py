"""Tiny datasets built in code, for tests with exact expected plans."""

from __future__ import annotations

from datetime import date

from optimizer.data.domain import Cadre, Dataset, Pin, Posting, Recall, Unit, Village

DAY = date(2026, 9, 1)
COUNTY, CITY = "430121", "430100"


def unit(
    uid: str,
    level: str = "county",
    staff: int = 100,
    kind: str = "organ",
    x: float = 0.0,
    region: str | None = None,
) -> Unit:
    if region is None and level != "province":
        region = CITY if level == "city" else COUNTY
    return Unit(uid, f"单位{uid}", level, region, kind, staff, x, 0.0)


def cadre(cid: str, uid: str, **kw) -> Cadre:
    """An eligible, secretary-capable cadre unless ``kw`` says otherwise."""
    base = dict(
        birth_date=date(1985, 1, 1),
        political_status="member",
        work_date=date(2008, 7, 1),
        party_date=date(2010, 7, 1),
        rank="section",
        middle_manager=True,
        young_pool=False,
    )
    base.update(kw)
    return Cadre(cid, f"干部{cid}", uid, **base)


def village(vid: str, *cats: str, x: float = 0.0, township: str = "甲镇", **kw) -> Village:
    return Village(
        vid, f"村{vid}", COUNTY, frozenset(cats), township=township, city=CITY, x=x, y=0.0, **kw
    )


def dataset(units, cadres, villages, history=(), pins=(), recall=(), adjacency=None) -> Dataset:
    ds = Dataset(
        {u.unit_id: u for u in units},
        {c.cadre_id: c for c in cadres},
        {v.village_id: v for v in villages},
        history=list(history),
        pins=list(pins),
        recall=list(recall),
    )
    if adjacency is not None:
        ds.adjacency = [tuple(sorted(p)) for p in adjacency]
        ds.adjacency_given = True
    return ds


__all__ = ["DAY", "Pin", "Posting", "Recall", "cadre", "dataset", "unit", "village"]


def split_in_two(ds: Dataset, county: str) -> Dataset:
    """``ds`` with the first half of its townships (sorted) moved to ``county``."""
    from dataclasses import replace

    towns = sorted({v.township for v in ds.villages.values()})
    half = set(towns[: len(towns) // 2])
    ds.villages = {k: replace(v, county=county) if v.township in half else v
                   for k, v in ds.villages.items()}  # fmt: skip
    return ds
