"""Cadres of a synthetic dataset: each unit's candidate pool, with ranks, ages, party
standing, dates, experience, skills and names. A share of cadres (REASONS) fails one
eligibility rule each, and every unit gets enough eligible cadres meeting L-RANK to lead its
own teams.

The draws happen in one fixed order from one generator: the stages below must keep it, or the
same seed stops giving the same dataset."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from faker import Faker

from optimizer.data import domain as d
from optimizer.data import schema
from optimizer.data.generate.catalogue import (
    LEADER_SHARE,
    MIDDLE_P,
    POLITICAL_P,
    RANK_AGE,
    RANK_P,
    REASONS,
    SKILL_KEYWORDS,
)
from optimizer.data.generate.draws import bools, csv_columns, iso_dates, years_before


@dataclass
class Cadres:
    """Cadre columns as arrays, plus the hidden facts the history needs."""

    table: pd.DataFrame
    unit: np.ndarray  # unit row index per cadre
    clean: np.ndarray  # passes every eligibility rule
    leader: np.ndarray  # clean, full member, meets L-RANK of its level
    work: np.ndarray  # work start, proleptic ordinal
    party: np.ndarray  # full party membership, proleptic ordinal (members only)


@dataclass
class _Draft:
    """The pool being drawn: one array per fact, indexed by cadre."""

    unit: np.ndarray
    level: np.ndarray
    kind: np.ndarray
    reason: np.ndarray  # why this cadre is ineligible, if at all ("" = clean)
    clean: np.ndarray
    rank: np.ndarray
    rank_missing: np.ndarray
    age: np.ndarray
    middle: np.ndarray
    young: np.ndarray
    political: np.ndarray


def _unit_skill(name: str) -> int:
    """Index in SKILLS of the skill a unit's staff typically bring, or -1."""
    for skill, words in SKILL_KEYWORDS:
        if any(w in name for w in words):
            return d.SKILLS.index(skill)
    return -1


def _name_pool(fake: Faker, n: int) -> tuple[list[str], list[str]]:
    """Male and female full names, drawn once from Faker and then indexed by the rng (fast).

    zh_CN's ``name_male`` is not gendered, so the given names come from the gendered lists."""
    males = [fake.last_name() + fake.first_name_male() for _ in range(n)]
    return males, [fake.last_name() + fake.first_name_female() for _ in range(n)]


def _ranks(
    u_level: np.ndarray, u_kind: np.ndarray, reason: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank, completed age and whether the rank is missing. Rank goes by level;
    soe/institution staff often have no civil-service rank (missing = 科员)."""
    n = len(reason)
    rank = np.zeros(n, dtype=int)
    for lv, probs in RANK_P.items():
        m = u_level == lv
        rank[m] = rng.choice(len(d.RANKS), size=int(m.sum()), p=probs)
    lo, mode, hi = (np.array(c)[rank] for c in zip(*RANK_AGE, strict=True))
    age = np.floor(rng.triangular(lo, mode, hi)).astype(int)
    young_recruit = reason == "work_years"
    age[young_recruit] = rng.integers(24, 28, int(young_recruit.sum()))
    rank[young_recruit] = 0
    old = reason == "age"
    age[old] = rng.integers(58, 61, int(old.sum()))
    age = np.clip(age, 24, 60)
    rank_missing = (u_kind == "soe") & (rng.random(n) < 0.5) | (u_kind == "institution") & (
        rng.random(n) < 0.3
    )
    return rank, age, rank_missing


def _draft(units: pd.DataFrame, pools: np.ndarray, rng: np.random.Generator) -> _Draft:
    """Who is ineligible and why, ranks, ages, middle managers, the young pool and party
    standing."""
    n = int(pools.sum())
    unit = np.repeat(np.arange(len(units)), pools)
    u_level = units["level"].to_numpy()[unit]
    u_kind = units["kind"].to_numpy()[unit]

    names, shares = zip(*REASONS, strict=True)
    p = np.array([*shares, 1 - sum(shares)])
    reason = np.array([*names, ""])[rng.choice(len(p), size=n, p=p)]
    clean = reason == ""
    rank, age, rank_missing = _ranks(u_level, u_kind, reason, rng)

    middle = rng.random(n) < np.where(rank_missing, 0.3, np.array(MIDDLE_P)[rank])
    under40 = age < 40
    young = under40 & (rng.random(n) < 0.15 / max(under40.mean(), 1e-9))

    political = np.array(list(POLITICAL_P), dtype=object)[
        rng.choice(len(POLITICAL_P), size=n, p=list(POLITICAL_P.values()))
    ]
    political[(political == "league") & (age > 30)] = "none"
    political[reason == "probationary"] = "probationary"
    political[reason == "party_years"] = "member"
    return _Draft(
        unit, u_level, u_kind, reason, clean, rank, rank_missing, age, middle, young, political
    )


def _promote(dr: _Draft, i: int) -> None:
    """Make cadre ``i`` an eligible full member meeting L-RANK of its unit's level."""
    dr.reason[i], dr.clean[i] = "", True
    dr.political[i] = "member"
    level, kind = dr.level[i], dr.kind[i]
    if kind in ("soe", "institution") and level != "county":
        dr.middle[i] = True
    elif level == "province":
        dr.rank[i], dr.rank_missing[i] = max(dr.rank[i], 3), False
        dr.age[i] = max(dr.age[i], 38)
    elif level == "city":
        dr.rank[i], dr.rank_missing[i] = max(dr.rank[i], 1), False
        dr.age[i] = max(dr.age[i], 28)
    else:
        dr.middle[i] = True


def _leaders(dr: _Draft, pools: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """L-RANK (SPEC §3) of each level, topped up so that every unit can lead teams."""
    soe_inst = (dr.kind == "soe") | (dr.kind == "institution")
    rank, rank_missing, middle = dr.rank, dr.rank_missing, dr.middle
    lrank = np.select(
        [dr.level == "province", dr.level == "city", dr.level == "county"],
        [
            (rank >= 3) & ~rank_missing | soe_inst & middle,
            (rank >= 1) & ~rank_missing | soe_inst & middle,
            middle | dr.young,
        ],
        default=True,
    )
    member = dr.political == "member"
    order = rng.permutation(len(dr.unit))
    starts = np.concatenate([[0], np.cumsum(pools)])
    for u in range(len(pools)):
        idx = np.arange(starts[u], starts[u + 1])
        if dr.level[idx[0]] == "township":
            continue
        need = max(1, math.ceil(LEADER_SHARE * len(idx)))
        have = int((dr.clean & member & lrank)[idx].sum())
        if have >= need:
            continue
        # promote clean cadres first; a tiny unit with none gets one made eligible (only reasons
        # whose columns are not drawn yet can be undone)
        cand = [
            int(i)
            for i in idx[np.argsort(order[idx])]
            if not (dr.clean[i] and member[i] and lrank[i])
            and dr.reason[i] not in ("age", "work_years")
        ]
        cand.sort(key=lambda i: (not dr.clean[i], dr.political[i] != "member", -dr.age[i]))
        for i in cand[: need - have]:
            _promote(dr, i)
            lrank[i] = True
    return lrank


def _dates(
    dr: _Draft, plan: date, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Birth from the completed age, work start after education, full party membership (as
    proleptic ordinals)."""
    n = len(dr.unit)
    plan_ord = plan.toordinal()
    anchors = np.array([years_before(plan, a).toordinal() for a in range(0, 80)])
    birth = anchors[dr.age] - rng.integers(0, 364, n)
    start_age = np.clip(rng.normal(22.3, 1.4, n), 18.2, 27.0)
    work = birth + np.round(start_age * 365.2425).astype(int)
    work = np.minimum(work, anchors[2] - rng.integers(0, 45, n))
    young_recruit = dr.reason == "work_years"
    work[young_recruit] = plan_ord - rng.integers(30, 700, int(young_recruit.sum()))
    join_age = 19.5 + rng.gamma(2.0, 3.0, n)
    party = birth + np.round(join_age * 365.2425).astype(int)
    party = np.minimum(party, anchors[1] - rng.integers(0, 90, n))
    late = dr.reason == "party_years"
    party[late] = anchors[1] + rng.integers(1, 360, int(late.sum()))
    return birth, work, party


def _standing(dr: _Draft, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Employment, health, recent evaluation and availability columns."""
    n = len(dr.unit)
    employment = np.full(n, "staff", dtype=object)
    bad_emp = dr.reason == "employment"
    employment[bad_emp] = rng.choice(
        ["non_staff", "temporary", "worker"], size=int(bad_emp.sum()), p=[0.4, 0.35, 0.25]
    )
    health = np.where(dr.reason == "health", "poor", "ok")
    evals = np.array(["excellent", "competent", ""], dtype=object)[
        rng.choice(3, size=n, p=[0.26, 0.72, 0.02])
    ]
    bad_eval = dr.reason == "eval"
    evals[bad_eval] = rng.choice(["basic", "incompetent"], size=int(bad_eval.sum()), p=[0.8, 0.2])
    available = dr.reason != "unavailable"
    return {
        "employment": employment,
        "health": health,
        "eval_recent": evals,
        "available": bools(available),
    }


def _experience(
    dr: _Draft, units: pd.DataFrame, work: np.ndarray, plan: date, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rural and grassroots years and skills: township cadres work at the grassroots;
    agricultural units know the country; a unit's staff often bring its skill."""
    n = len(dr.unit)
    township = dr.level == "township"
    work_years = (plan.toordinal() - work) / 365.2425
    unit_skill = np.array([_unit_skill(s) for s in units["name"].to_numpy()])[dr.unit]
    agri = unit_skill == d.SKILLS.index("agriculture")
    rural = np.where(
        township,
        work_years * rng.uniform(0.4, 1.0, n),
        rng.exponential(np.where(agri, 5.0, 1.8), n),
    )
    rural = np.clip(np.minimum(rural, work_years), 0, 15)
    grass = np.where(township, work_years, rural + rng.exponential(2.0, n))
    grass = np.clip(np.minimum(grass, work_years), 0, 15)

    first = np.where(
        (unit_skill >= 0) & (rng.random(n) < 0.6), unit_skill, rng.integers(0, len(d.SKILLS), n)
    )
    second = rng.integers(0, len(d.SKILLS), n)
    two = (rng.random(n) < 0.5) & (second != first)
    skills = [
        ";".join(d.SKILLS[j] for j in sorted((int(a), int(b)))) if t else d.SKILLS[int(a)]
        for a, b, t in zip(first, second, two, strict=True)
    ]
    return rural, grass, skills


def _names(n: int, rng: np.random.Generator, fake: Faker) -> tuple[np.ndarray, np.ndarray]:
    """Gender (True = male) and a full name to match."""
    male = rng.random(n) < 0.62
    males, females = _name_pool(fake, 3000)
    names_m = np.array(males)[rng.integers(0, len(males), n)]
    names_f = np.array(females)[rng.integers(0, len(females), n)]
    return male, np.where(male, names_m, names_f)


def cadres_table(
    units: pd.DataFrame, pools: np.ndarray, plan: date, rng: np.random.Generator, fake: Faker
) -> Cadres:
    """Each unit's candidate pool (see the module docstring)."""
    dr = _draft(units, pools, rng)
    lrank = _leaders(dr, pools, rng)
    member = dr.political == "member"
    dr.young &= dr.age < 40
    birth, work, party = _dates(dr, plan, rng)
    standing = _standing(dr, rng)
    rural, grass, skills = _experience(dr, units, work, plan, rng)
    n = len(dr.unit)
    male, names = _names(n, rng, fake)
    township = dr.level == "township"
    home = (
        units[["x", "y"]].to_numpy()[dr.unit]
        + rng.normal(0.0, 1.0, (n, 2)) * np.where(township, 1.5, 4.0)[:, None]
    )
    table = pd.DataFrame(
        {
            "cadre_id": [f"C{i:06d}" for i in range(1, n + 1)],
            "name": names,
            "unit_id": units["unit_id"].to_numpy()[dr.unit],
            "gender": np.where(male, "male", "female"),
            "birth_date": iso_dates(birth),
            "political_status": dr.political,
            "party_date": np.where(member, iso_dates(party), ""),
            "work_date": iso_dates(work),
            "rank": np.where(dr.rank_missing, "", np.array(d.RANKS)[dr.rank]),
            "middle_manager": bools(dr.middle),
            "township_cadre": bools(township),
            "young_pool": bools(dr.young),
            "rural_years": np.round(rural, 1),
            "grassroots_years": np.round(grass, 1),
            "skills": skills,
            "x": np.round(home[:, 0], 3),
            "y": np.round(home[:, 1], 3),
            **standing,
        }
    )[csv_columns(schema.CADRES)]
    leader = dr.clean & member & lrank & ~township
    party[~member] = np.iinfo(np.int64).max
    return Cadres(table, dr.unit, dr.clean, leader, work, party)
