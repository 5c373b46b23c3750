"""More points for a greedy plan at the same coverage: whole teams moved to a better unit.

The greedy plan (:mod:`optimizer.model.greedy`) chooses units for coverage (the unit with the
most people to spare first), not for points: at city and province scale it sends far units'
teams where a near unit had people to spare, and travel (S-TRAVEL) costs it dearly. Here each
new team whose every new person comes from one unit may move, whole, to another unit that
can field the same team at that village and earns more (travel, fit, the team's terms, the
people's own terms). Each move keeps the village's team size and first secretary, so coverage
per class is unchanged, and every hard rule holds: the other unit's people come from the
shape's pools (E-*, LV-*, H-NOREPEAT, forbid pins), its pairs (H-CONTINUITY, H-PROVVILLAGE,
T-SIZE's room), one unit per team (T-UNIT); villages with incumbents, require pins or a joint
team are left alone, and a must-send unit never gives up its last team (U-PARTICIPATE).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from optimizer.model.shape import Shape
from optimizer.rules.instance import MEM, SEC
from optimizer.rules.scoring import (
    cadre_points,
    rule_S_FIT,
    rule_S_TRAVEL,
    team_points,
)

CANDIDATES = 4
"""Units per team judged person by person: the best by their unit-level points."""


@dataclass
class Team:
    unit: str
    secretary: str
    members: list[str]


def improve(shape: Shape, sol: dict[str, dict], seconds: float) -> tuple[dict[str, dict], bool]:
    """``sol`` (the greedy's format) with teams moved to better units, within ``seconds``
    (a new solution, ``sol`` itself when nothing moves), and whether every team was judged
    (False: the clock cut the pass short, and a rerun may differ)."""
    inst = shape.inst
    if inst.policy.members_from != "lead_unit" or seconds <= 0:
        return sol, seconds > 0
    stop = time.monotonic() + seconds
    teams = movable_teams(shape, sol)
    used = {c for c, _v, _r in sol["at"]}
    used |= {p.cadre_id for p in inst.ds.pins if p.kind == "require"}
    count: dict[str, int] = defaultdict(int)
    for u, _v in sol["t"]:
        count[u] += 1
    moved, complete = 0, True
    prices = Prices(shape)
    for vid in sorted(teams):
        if time.monotonic() > stop:
            complete = False
            break
        team = teams[vid]
        if team.unit in inst.must_send and count[team.unit] <= 1:
            continue
        better = best_move(prices, vid, team, used)
        if better is None:
            continue
        used -= {team.secretary, *team.members}
        used |= {better.secretary, *better.members}
        count[team.unit] -= 1
        count[better.unit] += 1
        teams[vid] = better
        moved += 1
    return (sol if not moved else as_solution(sol, teams)), complete


def movable_teams(shape: Shape, sol: dict[str, dict]) -> dict[str, Team]:
    """Village → its new team, where one unit sends all of it and nothing else ties it."""
    inst = shape.inst
    pinned = {p.village_id for p in inst.ds.pins if p.kind == "require"}
    people: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c, v, r in sol["at"]:
        people[v].append((c, r))
    out: dict[str, Team] = {}
    for vid, rows in people.items():
        units = {inst.unit_of(c) for c, _ in rows}
        secs = [c for c, r in rows if r == SEC]
        if len(units) != 1 or len(secs) != 1 or vid in pinned or inst.inc_by_village.get(vid):
            continue
        out[vid] = Team(units.pop(), secs[0], sorted(c for c, r in rows if r == MEM))
    return out


class Prices:
    """The points of teams, cached: the same cadre, unit and need set are priced many times."""

    def __init__(self, shape: Shape) -> None:
        inst = self.inst = shape.inst
        self.shape = shape
        self.per_10km = inst.policy.weights.travel_per_10km
        self.people: dict[tuple[str, str], int] = {}
        self.fits: dict[tuple[str, frozenset[str]], int] = {}
        pol, w = inst.policy, inst.policy.weights
        # only these units can earn or pay a team's terms (H-CONTINUITY, H-PROVVILLAGE, S-PROVKEY)
        self.team_terms: set[str] = set()
        if pol.continuity == "soft" and w.continuity and inst.prev_units:
            self.team_terms |= set().union(*inst.prev_units.values())
        if (pol.provvillage == "soft" and w.provvillage) or w.provkey:
            self.team_terms |= {u for u, x in inst.ds.units.items() if x.level == "province"}

    def person(self, cid: str, role: str) -> int:
        key = (cid, role)
        if key not in self.people:
            self.people[key] = sum(cadre_points(self.inst, cid, role).values())
        return self.people[key]

    def unit(self, uid: str, vid: str, size: int) -> int:
        """A unit's team of ``size`` at ``vid`` by the unit-level terms alone (travel, fit, the
        team's terms): the cheap test that picks the units worth judging person by person."""
        inst = self.inst
        needs = inst.ds.villages[vid].needs
        key = (uid, needs)
        if key not in self.fits:
            self.fits[key] = rule_S_FIT(inst, uid, vid)
        d = inst.distance.get((uid, vid))
        travel = rule_S_TRAVEL(self.per_10km, d) if d is not None and self.per_10km else 0
        value = size * (self.fits[key] - travel)
        if uid in self.team_terms:
            value += sum(team_points(inst, uid, vid).values())
        return value

    def team(self, vid: str, team: Team) -> int:
        """The team's points: :func:`unit` plus its people's own terms."""
        size = 1 + len(team.members)
        own = self.person(team.secretary, SEC) + sum(self.person(c, MEM) for c in team.members)
        return self.unit(team.unit, vid, size) + own


def best_move(prices: Prices, vid: str, team: Team, used: set[str]) -> Team | None:
    """The best other unit's team for ``vid`` if it earns more than ``team``, else None."""
    shape = prices.shape
    size = 1 + len(team.members)
    here = prices.unit(team.unit, vid, size)
    options = []
    k = len(team.members)
    for uid in shape.units_at[vid]:
        if uid == team.unit or (uid, vid) not in shape.sec_room:
            continue
        if k and shape.mem_room.get((uid, vid), 0) < k:
            continue
        gain = prices.unit(uid, vid, size) - here
        if gain > 0:
            options.append((-gain, uid))
    now = prices.team(vid, team)
    best: tuple[int, Team] | None = None
    for _gain, uid in sorted(options)[:CANDIDATES]:
        other = field_team(prices, uid, vid, k, used)
        if other is None:
            continue
        value = prices.team(vid, other)
        if value > now and (best is None or value > best[0]):
            best = (value, other)
    return None if best is None else best[1]


def field_team(prices: Prices, uid: str, vid: str, k: int, used: set[str]) -> Team | None:
    """Unit ``uid``'s best free people for a secretary and ``k`` members at ``vid``."""
    shape, inst = prices.shape, prices.inst
    secs = [c for c in shape.sec_pool(uid, vid) if c not in used]
    if not secs:
        return None
    sec = min(secs, key=lambda c: (-prices.person(c, SEC), c))
    mems = sorted(
        (c for c in shape.pool(uid, vid) if c not in used and c != sec),
        key=lambda c: (not inst.sec_failures[c], -prices.person(c, MEM), c),
    )
    if len(mems) < k:
        return None
    return Team(uid, sec, mems[:k])


def as_solution(sol: dict[str, dict], teams: dict[str, Team]) -> dict[str, dict]:
    """``sol`` with the teams of ``teams`` written over their villages."""
    changed = set(teams)
    at = {k: x for k, x in sol["at"].items() if k[1] not in changed}
    for vid, team in teams.items():
        at[(team.secretary, vid, SEC)] = 1
        for c in team.members:
            at[(c, vid, MEM)] = 1
    t = {k: x for k, x in sol["t"].items() if k[1] not in changed}
    n: dict[tuple[str, str], int] = defaultdict(int)
    n.update({k: x for k, x in sol["n"].items() if k[1] not in changed})
    for vid, team in teams.items():
        t[(team.unit, vid)] = 1
        if team.members:
            n[(team.unit, vid)] += len(team.members)
    a = {(c, r): 1 for c, _v, r in at}
    return {"t": t, "n": dict(n), "a": a, "at": at}
