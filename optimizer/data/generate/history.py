"""Posting history of a synthetic dataset: the term before last, the term ending on the plan
date, and incumbents still serving, so that H-NOREPEAT, H-CONTINUITY and H-INCUMBENT bite.

LV-REGION holds throughout: province units anywhere, city units in their city, county units
in their county. Township units are left out of the history: Hebei (E-TOWNSHIP) could not keep
their villages under H-CONTINUITY."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from optimizer.data import schema
from optimizer.data.generate.cadres import Cadres
from optimizer.data.generate.catalogue import CORE
from optimizer.data.generate.draws import csv_columns, years_before

_LEVELS = ("province", "city", "county")


class _Postings:
    """The history being drawn: who served where, and which cadres are taken."""

    def __init__(
        self,
        units: pd.DataFrame,
        cadres: Cadres,
        villages: pd.DataFrame,
        plan: date,
        rng: np.random.Generator,
    ):
        self.units, self.cadres, self.villages, self.plan, self.rng = (
            units,
            cadres,
            villages,
            plan,
            rng,
        )
        self.n_units = len(units)
        self.u_level = units["level"].to_numpy()
        u_region = units["region"].to_numpy()
        self.members_of: list[list[int]] = [[] for _ in range(self.n_units)]
        for i, u in enumerate(cadres.unit.tolist()):
            self.members_of[u].append(i)
        self.v_city = villages["city"].to_numpy()
        self.v_county = villages["county"].to_numpy()
        self.province_units = np.flatnonzero(self.u_level == "province")
        self.by_region: dict[str, np.ndarray] = {
            str(code): np.flatnonzero((u_region == code) & (self.u_level == lv))
            for lv in ("city", "county")
            for code in pd.unique(u_region[self.u_level == lv])
        }
        self.cats = [set(c.split(";")) for c in villages["categories"]]
        self.core = [i for i, c in enumerate(self.cats) if c & set(CORE)]
        self.weak_only = [c <= {"weak", "problem"} for c in self.cats]
        self.rows: list[tuple[int, int, str, date, date | None]] = []
        """cadre, village, role, start, end"""
        self.serving: dict[int, list[int]] = {}
        self.prev_unit: dict[int, int] = {}
        self.free_lead = np.bincount(cadres.unit, weights=cadres.leader, minlength=self.n_units)
        """Eligible leaders per unit not serving now."""

    def choose_unit(self, v: int, weight: np.ndarray) -> int | None:
        """A unit for village v: first its level (province mainly for key villages), then a
        unit of that level weighted by ``weight``; None if no unit has weight left."""
        rng = self.rng
        options = (
            self.province_units,
            self.by_region.get(str(self.v_city[v]), np.array([], dtype=int)),
            self.by_region.get(str(self.v_county[v]), np.array([], dtype=int)),
        )
        prov = 0.3 if "key" in self.cats[v] else 0.1
        lw = np.array([prov, 0.25, 0.75 - prov]) * [weight[o].sum() > 0 for o in options]
        if lw.sum() <= 0:
            return None
        us = options[int(rng.choice(len(_LEVELS), p=lw / lw.sum()))]
        w = weight[us].astype(float)
        return int(us[int(rng.choice(len(us), p=w / w.sum()))])

    def ordinal(self, years: int) -> int:
        """The plan date ``years`` earlier, as a proleptic ordinal."""
        return years_before(self.plan, years).toordinal()

    def team_of(self, pool: list[int], secretaries: list[int], size: int) -> list[int]:
        """A secretary (from ``secretaries`` if any) and up to ``size - 1`` members."""
        rng = self.rng
        sec = int(rng.choice(secretaries if secretaries else pool))
        rest = [i for i in pool if i != sec]
        extra = rng.choice(rest, size=min(size - 1, len(rest)), replace=False) if rest else []
        return [sec, *(int(i) for i in extra)]

    def post(self, team: list[int], v: int, start: date, end: date | None) -> None:
        for j, i in enumerate(team):
            self.rows.append((i, v, "secretary" if j == 0 else "member", start, end))

    def incumbents(self) -> np.ndarray:
        """About 8 % of villages have a team that started a year ago; returns who serves."""
        c, rng = self.cadres, self.rng
        current = np.zeros(len(c.table), dtype=bool)
        k_inc = min(len(self.core), round(0.08 * len(self.villages)))
        for v in sorted(rng.choice(self.core, size=k_inc, replace=False).tolist()):
            u = self.choose_unit(v, self.free_lead)
            if u is None:
                continue
            pool = [i for i in self.members_of[u] if c.clean[i] and not current[i]]
            size = 1 if self.weak_only[v] else int(rng.choice([1, 2, 3], p=[0.2, 0.4, 0.4]))
            leaders = [i for i in pool if c.leader[i]]
            # a secretary with a year of party standing already when the posting began
            seasoned = [i for i in leaders if c.party[i] <= self.ordinal(2)]
            team = self.team_of(pool, seasoned or leaders, size)
            self.serving[v] = team
            for i in team:
                current[i] = True
                self.free_lead[u] -= c.leader[i]
            self.post(team, v, years_before(self.plan, 1), None)
        return current

    def ending_term(self, current: np.ndarray) -> None:
        """The term ending on the plan date: teams of one unit, which may keep the village
        (H-CONTINUITY); a unit takes no more villages than it can staff again with 3-person
        teams, each led by a fresh eligible leader."""
        c, rng = self.cadres, self.rng
        free_clean = np.bincount(c.unit, weights=c.clean & ~current, minlength=self.n_units)
        cap = np.floor(0.85 * np.minimum(self.free_lead, free_clean // 3))
        cap[self.u_level == "township"] = 0
        used = current.copy()
        for v in rng.permutation(self.core).tolist():
            if v in self.serving or rng.random() > 0.9:
                continue
            u = self.choose_unit(v, cap)
            if u is None:
                continue
            # anyone of the unit who was working then; some are no longer eligible today
            pool = [i for i in self.members_of[u] if not used[i] and c.work[i] <= self.ordinal(2)]
            if not pool:
                continue
            cap[u] -= 1
            size = (
                int(rng.choice([1, 2], p=[0.7, 0.3]))
                if self.weak_only[v]
                else int(rng.choice([1, 2, 3], p=[0.1, 0.4, 0.5]))
            )
            team = self.team_of(pool, [i for i in pool if c.party[i] <= self.ordinal(3)], size)
            self.prev_unit[v] = u
            self.serving[v] = self.serving.get(v, []) + team
            used[team] = True
            self.post(team, v, years_before(self.plan, 2), self.plan)

    def older_term(self) -> None:
        """The term before: a few villages, often by the same unit, so H-NOREPEAT matters for
        cadres who are candidates again today."""
        c, rng = self.cadres, self.rng
        used_old = np.zeros(len(c.table), dtype=bool)
        unit_count = np.bincount(c.unit, minlength=self.n_units)
        anyone = (unit_count > 0) & (self.u_level != "township")
        k_old = min(len(self.core), round(0.12 * len(self.villages)))
        for v in sorted(rng.choice(self.core, size=k_old, replace=False).tolist()):
            u = self.prev_unit.get(v) if rng.random() < 0.6 else None
            if u is None:
                u = self.choose_unit(v, anyone.astype(float))
            if u is None:
                continue
            later = self.serving.get(v, [])
            pool = [
                i
                for i in self.members_of[u]
                if c.clean[i]
                and not used_old[i]
                and i not in later
                and c.work[i] <= self.ordinal(4)
            ]
            if not pool:
                continue
            secretaries = [i for i in pool if c.party[i] <= self.ordinal(5)]
            team = self.team_of(pool, secretaries, int(rng.integers(1, 3)))
            used_old[team] = True
            self.post(team, v, years_before(self.plan, 4), years_before(self.plan, 2))

    def table(self) -> pd.DataFrame:
        ids = self.cadres.table["cadre_id"].to_numpy()
        vids = self.villages["village_id"].to_numpy()
        unit_ids = self.units["unit_id"].to_numpy()
        unit = self.cadres.unit
        rows = sorted(self.rows, key=lambda r: (r[3], vids[r[1]], r[2] != "secretary", ids[r[0]]))
        return pd.DataFrame(
            {
                "cadre_id": [ids[c] for c, *_ in rows],
                "unit_id": [unit_ids[unit[c]] for c, *_ in rows],
                "village_id": [vids[v] for _, v, *_ in rows],
                "level": [self.u_level[unit[c]] for c, *_ in rows],
                "role": [r for _, _, r, _, _ in rows],
                "start": [s.isoformat() for *_, s, _ in rows],
                "end": [e.isoformat() if e else "" for *_, e in rows],
            },
            columns=csv_columns(schema.HISTORY),
        )


def history_table(
    units: pd.DataFrame,
    cadres: Cadres,
    villages: pd.DataFrame,
    plan: date,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Older term, the term ending on the plan date, and incumbents still serving."""
    postings = _Postings(units, cadres, villages, plan, rng)
    current = postings.incumbents()
    postings.ending_term(current)
    postings.older_term()
    return postings.table()
