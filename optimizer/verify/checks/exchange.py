"""Two new teams that could exchange villages (S-TRAVEL).

Teams of the same size, wholly new (no incumbent, no cluster, nobody pinned), could swap
villages with every person keeping their role: each team's units would then serve the other
village. The exchange is reported when both teams are still allowed there by the verifier's
own hard checks (LV-LEVEL and LV-REGION for every unit, H-NOREPEAT and forbid pins for every
person, H-CONTINUITY and H-PROVVILLAGE where the policy makes them hard), the travel of the two
together is strictly shorter, and no other preference is lower (the skills the people bring to
the village they would serve, the team terms of the two lead units).

Cheap on a province: the pairs are screened with numpy, a block of teams at a time against
every team of the same size (distance gain and levels/regions as arrays); only pairs passing
the screen are judged one by one, the largest gain first, each team in one exchange at most.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from optimizer.data.domain import LEVELS, Unit, Village
from optimizer.verify.need import city_of
from optimizer.verify.points import km, person_points, team_points, travel_points
from optimizer.verify.view import NewPosting, PlanView

BLOCK = 256
"""Teams screened at once against all of their size (memory: BLOCK × teams × units)."""
MIN_SAVED_KM = 5.0
"""An exchange is reported when it saves at least this much travel (all people together): a
kilometre or two is no reason to move two teams."""
JUDGED = 5000
"""At most this many screened pairs are judged one by one (the largest gains first)."""


@dataclass(frozen=True)
class Team:
    village: Village
    rows: tuple[NewPosting, ...]
    lead: Unit

    @property
    def units(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for p in self.rows:
            out[p.own.unit_id] += 1
        return dict(out)


@dataclass(frozen=True)
class Exchange:
    a: Team
    b: Team
    gain: int
    """S-TRAVEL points gained (the two teams together)."""
    km_saved: float


def movable_teams(view: PlanView) -> list[Team]:
    """New teams that could move as they are: all rows new, one first secretary, rows naming
    their cadres' own units with coordinates, no cluster, no require pin on anyone."""
    pinned = {p.cadre_id for p in view.ds.pins if p.kind == "require"}
    rows: dict[str, list[NewPosting]] = defaultdict(list)
    for p in view.new_postings:
        rows[p.row.village_id].append(p)
    out = []
    for vid, ps in sorted(rows.items()):
        v = view.ds.villages.get(vid)
        team = view.team_of.get(vid)
        secs = [p for p in ps if p.row.role == "secretary"]
        if v is None or view.need.get(vid) is None or len(ps) != len(view.by_village[vid]):
            continue
        if vid in view.covered_by or (team is not None and team.covered) or len(secs) != 1:
            continue
        if any(p.row.unit_id != p.own.unit_id or p.row.cadre_id in pinned for p in ps):
            continue
        if km(secs[0].own, v) is None or any(km(p.own, v) is None for p in ps):
            continue
        out.append(Team(v, tuple(ps), secs[0].own))
    return out


def best_exchanges(view: PlanView) -> list[Exchange]:
    """The exchanges found, the largest travel gain first; each team in one at most."""
    by_size: dict[int, list[Team]] = defaultdict(list)
    if not view.pol.weights.travel_per_10km:
        return []
    for t in movable_teams(view):
        by_size[len(t.rows)].append(t)
    pairs: list[tuple[float, Team, Team]] = []
    for teams in by_size.values():
        pairs += _screened(view, teams)
    pairs.sort(key=lambda x: (-x[0], x[1].village.village_id, x[2].village.village_id))
    used: set[str] = set()
    out = []
    for _, a, b in pairs[:JUDGED]:
        if a.village.village_id in used or b.village.village_id in used:
            continue
        ex = judge(view, a, b)
        if ex is not None:
            used |= {a.village.village_id, b.village.village_id}
            out.append(ex)
    return out


def _screened(view: PlanView, teams: list[Team]) -> list[tuple[float, Team, Team]]:
    """Pairs (i < j) whose travel gain is positive and whose units' levels and regions allow
    each team at the other's village, by arrays."""
    if len(teams) < 2:
        return []
    arr = _Arrays(view, teams)
    own = arr.cost(np.arange(len(teams)), np.arange(len(teams)), diagonal=True)
    out = []
    for lo in range(0, len(teams), BLOCK):
        idx = np.arange(lo, min(lo + BLOCK, len(teams)))
        there = arr.cost(idx, np.arange(len(teams)))  # team i at village j
        back = arr.cost(np.arange(len(teams)), idx).T  # team j at village i
        gain = own[idx, None] + own[None, :] - there - back  # km saved
        every = np.arange(len(teams))
        ok = (gain >= MIN_SAVED_KM - 1e-6) & arr.allowed(idx, every) & arr.allowed(every, idx).T
        ok &= np.arange(len(teams))[None, :] > idx[:, None]
        rows, cols = np.nonzero(ok)
        if len(rows) > JUDGED:  # a block's best pairs are enough: only JUDGED are judged
            top = np.argpartition(-gain[rows, cols], JUDGED)[:JUDGED]
            rows, cols = rows[top], cols[top]
        out += [
            (float(gain[i, j]), teams[idx[i]], teams[j]) for i, j in zip(rows, cols, strict=True)
        ]
    return out


class _Arrays:
    """The teams' units and villages as arrays: coordinates, head counts, levels, regions."""

    def __init__(self, view: PlanView, teams: list[Team]) -> None:
        width = max(len(t.units) for t in teams)
        n = len(teams)
        self.ux, self.uy, self.cnt = (
            np.zeros((n, width)),
            np.zeros((n, width)),
            np.zeros((n, width)),
        )
        self.lvl = np.full((n, width), -1)
        self.reg = np.full((n, width), -2)
        codes: dict[str | None, int] = {None: -1}
        code = lambda s: codes.setdefault(s, len(codes))  # noqa: E731
        self.mem_bits = np.zeros(n, dtype=np.int64)
        self.sec_bit = np.zeros(n, dtype=np.int64)
        for i, t in enumerate(teams):
            for k, (uid, c) in enumerate(sorted(t.units.items())):
                u = view.ds.units[uid]
                self.ux[i, k], self.uy[i, k], self.cnt[i, k] = u.x, u.y, c
                self.lvl[i, k], self.reg[i, k] = LEVELS.index(u.level), code(u.region)
            self.sec_bit[i] = 1 << LEVELS.index(t.lead.level)
            for p in t.rows:
                if p.row.role == "member":
                    self.mem_bits[i] |= 1 << LEVELS.index(p.own.level)
        self.vx = np.array([t.village.x for t in teams], dtype=float)
        self.vy = np.array([t.village.y for t in teams], dtype=float)
        self.county = np.array([code(t.village.county) for t in teams])
        self.city = np.array([code(city_of(t.village)) for t in teams])
        needs = [view.need[t.village.village_id] for t in teams]
        self.v_sec = np.array([sum(1 << LEVELS.index(lv) for lv in nd.sec_levels) for nd in needs])
        self.v_mem = np.array([sum(1 << LEVELS.index(lv) for lv in nd.mem_levels) for nd in needs])

    def cost(self, ti: np.ndarray, vj: np.ndarray, diagonal: bool = False) -> np.ndarray:
        """Kilometres the people of teams ``ti`` travel to villages ``vj`` (all pairs, or
        only ``ti[k]`` to ``vj[k]`` with ``diagonal``)."""
        if diagonal:
            d = np.hypot(self.ux[ti] - self.vx[vj, None], self.uy[ti] - self.vy[vj, None])
            return (d * self.cnt[ti]).sum(axis=1)
        dx = self.ux[ti][:, None, :] - self.vx[None, vj, None]
        dy = self.uy[ti][:, None, :] - self.vy[None, vj, None]
        return (np.hypot(dx, dy) * self.cnt[ti][:, None, :]).sum(axis=2)

    def allowed(self, ti: np.ndarray, vj: np.ndarray) -> np.ndarray:
        """Teams ``ti`` (rows) allowed at the villages of teams ``vj`` (columns): LV-LEVEL by
        role, LV-REGION by unit."""
        ok = (self.v_sec[None, vj] & self.sec_bit[ti, None]) != 0
        ok &= (self.v_mem[None, vj] & self.mem_bits[ti, None]) == self.mem_bits[ti, None]
        city, county = self.city[None, vj], self.county[None, vj]
        for k in range(self.lvl.shape[1]):
            lvl, reg = self.lvl[ti, k, None], self.reg[ti, k, None]
            here = np.where(lvl == LEVELS.index("city"), city == reg, county == reg)
            ok &= (lvl == -1) | (lvl == LEVELS.index("province")) | (here & (reg >= 0))
        return ok


def judge(view: PlanView, a: Team, b: Team) -> Exchange | None:
    """The exchange of ``a`` and ``b``, when both stay allowed, travel is strictly shorter
    and no other preference is lower; else None."""
    if not (_may_serve(view, a, b.village) and _may_serve(view, b, a.village)):
        return None
    before = _terms(view, a, a.village) + _terms(view, b, b.village)
    after = _terms(view, a, b.village) + _terms(view, b, a.village)
    if any(x < y for x, y in zip(after[1:], before[1:], strict=True)) or after[0] <= before[0]:
        return None
    saved = sum(km(p.own, a.village) or 0.0 for p in a.rows)
    saved += sum(km(p.own, b.village) or 0.0 for p in b.rows)
    saved -= sum(km(p.own, b.village) or 0.0 for p in a.rows)
    saved -= sum(km(p.own, a.village) or 0.0 for p in b.rows)
    return Exchange(a, b, after[0] - before[0], saved) if saved >= MIN_SAVED_KM else None


def _terms(view: PlanView, t: Team, v: Village) -> np.ndarray:
    """Team ``t`` at ``v``: S-TRAVEL, S-FIT, then the lead unit's team terms."""
    travel = sum(travel_points(view, p.own, v) for p in t.rows)
    fit = sum(person_points(view, p.cadre, p.row.role, v)["S-FIT"] for p in t.rows)
    return np.array([travel, fit, *team_points(view, t.lead, v).values()])


def _may_serve(view: PlanView, t: Team, v: Village) -> bool:
    """The hard rules an exchange could break: levels, regions, former villages, forbid pins,
    and H-CONTINUITY / H-PROVVILLAGE where the policy makes them hard."""
    pol, vid, need = view.pol, v.village_id, view.need[v.village_id]
    forbid = {
        (p.cadre_id, p.role) for p in view.ds.pins if p.kind == "forbid" and p.village_id == vid
    }
    keep = view.keep_rows.get(vid, [])
    leads = {q.unit_id for q in keep if q.role == "secretary"} or {q.unit_id for q in keep}
    for p in t.rows:
        role, u, cid = p.row.role, p.own, p.row.cadre_id
        levels = need.sec_levels if role == "secretary" else need.mem_levels
        if u.level not in levels or not view.region_allows(u, v):
            return False
        if (cid, None) in forbid or (cid, role) in forbid:
            return False
        if any(q.village_id == vid for q in view.served.get(cid, ())):
            return False
        judged = role == "secretary" or pol.members_from == "lead_unit"
        if pol.continuity == "hard" and keep and judged and u.unit_id not in leads:
            return False
    again = any(q.level == "province" for q in view.prev_rows.get(vid, []))
    return not (pol.provvillage == "hard" and again and t.lead.level == "province")
