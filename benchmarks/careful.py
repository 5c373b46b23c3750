"""The "careful planner by hand" baseline: what a planner does in a spreadsheet, in seconds.

Independent of the product's model code: it reads only the dataset, the policy and the
instance's eligibility (:func:`optimizer.rules.instance.build_instance`: who is free and eligible,
which levels and regions may serve where, former villages, forbid pins, incumbents, the unit
that keeps each village). No optimisation: one pass, decisions never revisited.

1. Incumbents stay (H-INCUMBENT). Require pins are placed first and their villages' teams
   completed from the pinned cadre's unit (P-PIN, T-UNIT).
2. Each must-send unit (U-PARTICIPATE) that sends nobody yet gets one team: at its
   highest-priority village where it can field a whole minimum team, nearest first.
3. Every other village, in priority class order (weak, key, relocation, problem, exited, red,
   heavy, demo, other), within a class the hardest first (fewest units able to field a whole
   team): the nearest unit that can field a whole minimum team (first secretary first), else
   the unit fielding the most; a village whose unit is fixed (incumbents, hard H-CONTINUITY)
   only from that unit. Members come preferably from people who may not be secretary.

Teams are one unit each (no joint teams, no clusters); they are filled to the minimum only.
Under ``members_from: county_townships`` only first secretaries are posted.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from optimizer.data.domain import CATEGORIES, Dataset
from optimizer.policy import Policy
from optimizer.rules.eligibility import rule_LV_REGION, village_city
from optimizer.rules.instance import MEM, SEC, Instance, build_instance

Posting = tuple[str, str, str]
"""(cadre_id, village_id, role) of a new posting."""


@dataclass
class CarefulPlan:
    """The new postings, and what the planner could not do."""

    postings: list[Posting]
    inst: Instance
    pins_unplaced: list[str] = field(default_factory=list)


class _Pools:
    """Per unit its free people, as insertion-ordered dicts (a used person is deleted)."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.sec: dict[str, dict[str, None]] = {}
        self.mem_only: dict[str, dict[str, None]] = {}
        for uid, cids in inst.eligible.items():
            secs = set(inst.sec_eligible.get(uid, ()))
            self.sec[uid] = dict.fromkeys(c for c in cids if c in secs)
            self.mem_only[uid] = dict.fromkeys(c for c in cids if c not in secs)

    def take(self, cid: str) -> None:
        uid = self.inst.unit_of(cid)
        self.sec.get(uid, {}).pop(cid, None)
        self.mem_only.get(uid, {}).pop(cid, None)

    def count(self, uid: str) -> tuple[int, int]:
        """(free secretary-capable, free in all)."""
        s = len(self.sec.get(uid, ()))
        return s, s + len(self.mem_only.get(uid, ()))

    def may(self, cid: str, vid: str, role: str) -> bool:
        inst = self.inst
        return vid not in inst.barred.get(cid, ()) and (cid, vid, role) not in inst.barred_role


class Careful:
    """One pass of the planner over one instance."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.pools = _Pools(inst)
        self.posts: list[Posting] = []
        self.team: dict[str, list[tuple[str, str]]] = defaultdict(list)
        """Village → its new (cadre, role)."""
        self.unit_at: dict[str, str] = {}
        """Village → the unit of its team (incumbents' or first new posting's)."""
        self.groups = _village_groups(inst)
        self.units_for = _units_by_group(inst, set(self.groups.values()))
        for vid, inc in inst.inc_by_village.items():
            if vid in inst.need:
                self.unit_at[vid] = inc[0].unit_id

    # ----------------------------------------------------------------- what a village needs
    def has_sec(self, vid: str) -> bool:
        inc = self.inst.inc_by_village.get(vid, ())
        return any(p.role == SEC for p in inc) or any(r == SEC for _, r in self.team[vid])

    def size(self, vid: str) -> int:
        return len(self.inst.inc_by_village.get(vid, ())) + len(self.team[vid])

    def wants(self, vid: str) -> tuple[bool, int]:
        """(a first secretary wanted, members wanted) to reach the minimum team."""
        need_sec = not self.has_sec(vid)
        missing = self.inst.need[vid].min - self.size(vid)
        mem = 0 if self.inst.policy.members_from == "county_townships" else missing - need_sec
        return need_sec, max(0, mem)

    def allowed_units(self, vid: str) -> list[str]:
        """Units that may post the new people here (T-UNIT, LV-*, H-CONTINUITY, H-PROVVILLAGE)."""
        inst = self.inst
        inc = inst.inc_by_village.get(vid, ())
        if inc:
            units = sorted({p.unit_id for p in inc})
        elif vid in self.unit_at:
            units = [self.unit_at[vid]]
        else:
            units = self.units_for[(self.groups[vid], SEC)]
        keep = inst.prev_units.get(vid)
        if inst.policy.continuity == "hard" and keep:
            units = [u for u in units if u in keep]
        if inst.policy.provvillage == "hard" and vid in inst.prev_province:
            units = [u for u in units if inst.ds.units[u].level != "province"]
        return units

    # ----------------------------------------------------------------- fielding a team
    def field(self, uid: str, vid: str, need_sec: bool, n_mem: int) -> list[tuple[str, str]]:
        """The people ``uid`` can post at ``vid`` now: its first secretary first, then up
        to ``n_mem`` members (people who may not be secretary preferred)."""
        p, g = self.pools, self.groups[vid]
        out: list[tuple[str, str]] = []
        if need_sec:
            if uid not in self.units_for.get((g, SEC + "-set"), ()):
                return out
            sec = next((c for c in p.sec.get(uid, ()) if p.may(c, vid, SEC)), None)
            if sec is None:
                return out
            out.append((sec, SEC))
        if n_mem and uid in self.units_for.get((g, MEM + "-set"), ()):
            taken = {c for c, _ in out}
            for pool in (p.mem_only.get(uid, {}), p.sec.get(uid, {})):
                for c in pool:
                    if len(out) - need_sec >= n_mem:
                        break
                    if c not in taken and p.may(c, vid, MEM):
                        out.append((c, MEM))
        return out

    def post(self, vid: str, people: list[tuple[str, str]]) -> None:
        for cid, role in people:
            self.pools.take(cid)
            self.posts.append((cid, vid, role))
            self.team[vid].append((cid, role))
            self.unit_at.setdefault(vid, self.inst.unit_of(cid))

    def km(self, uid: str, vid: str) -> float:
        d = self.inst.distance.get((uid, vid))
        return math.inf if d is None else d

    def staff(self, vid: str, prefer: set[str] | None = None) -> None:
        """Give ``vid`` the nearest unit's whole minimum team, else the largest part of one."""
        need_sec, n_mem = self.wants(vid)
        if not need_sec and not n_mem:
            return
        want = need_sec + n_mem
        units = [u for u in self.allowed_units(vid) if self.pools.count(u)[1] > 0]
        if need_sec:
            units = [u for u in units if self.pools.count(u)[0] > 0]
        units.sort(key=lambda u: (u not in (prefer or ()), self.km(u, vid), u))
        best: list[tuple[str, str]] = []
        for uid in units:
            if self.pools.count(uid)[1] < want and best:
                continue
            people = self.field(uid, vid, need_sec, n_mem)
            if len(people) == want:
                best = people
                break
            if len(people) > len(best):
                best = people
        self.post(vid, best)

    # ----------------------------------------------------------------- the three passes
    def place_pins(self) -> list[str]:
        """Require pins (P-PIN); returns the pins that could not be placed."""
        inst, bad = self.inst, []
        for pin in inst.ds.pins:
            if pin.kind != "require":
                continue
            cid, vid = pin.cadre_id, pin.village_id
            if any(
                p.cadre_id == cid and p.village_id == vid for p in inst.inc_by_village.get(vid, ())
            ):
                continue
            roles = inst.roles(cid, vid)
            role = pin.role or (SEC if SEC in roles and not self.has_sec(vid) else MEM)
            used = any(c == cid for v in self.team.values() for c, _ in v)
            if role not in roles or used or (role == SEC and self.has_sec(vid)):
                bad.append(f"{cid}@{vid}")
                continue
            self.post(vid, [(cid, role)])
        for vid in sorted({p.village_id for p in inst.ds.pins if p.kind == "require"}):
            if vid in inst.need and vid in self.team:
                self.staff(vid)
        return bad

    def place_must_send(self) -> None:
        """U-PARTICIPATE: one team for each obliged unit that sends nobody yet."""
        inst = self.inst
        sending = {p.unit_id for p in inst.incumbents} | set(self.unit_at.values())
        rank = {c: i for i, c in enumerate(CATEGORIES)}
        for uid in sorted(inst.must_send - sending):
            if not self.pools.count(uid)[0]:
                continue
            cands = [
                v
                for v in inst.need
                if v not in self.unit_at and not self.team[v] and uid in self.allowed_units(v)
            ]
            cands.sort(key=lambda v: (rank[inst.cls[v]], self.km(uid, v), v))
            best: tuple[str, list] | None = None
            for vid in cands[:200]:
                need_sec, n_mem = self.wants(vid)
                people = self.field(uid, vid, need_sec, n_mem)
                if people and len(people) == need_sec + n_mem:
                    best = (vid, people)
                    break
                if people and (best is None or len(people) > len(best[1])):
                    best = (vid, people)
            if best:
                self.post(*best)

    def order(self) -> list[str]:
        """Villages by priority class, then hardest first: fewest units able to field a
        whole minimum team (fixed-unit villages first), then the larger team first."""
        inst, rank = self.inst, {c: i for i, c in enumerate(CATEGORIES)}
        able: dict[tuple, int] = {}

        def hardness(vid: str) -> int:
            units = self.allowed_units(vid)
            fixed = inst.policy.continuity == "hard" and vid in inst.prev_units
            if vid in inst.inc_by_village or len(units) <= 1 or fixed:
                return len(units) - 1
            key = (self.groups[vid], inst.need[vid].min)
            if key not in able:
                n = inst.need[vid].min
                able[key] = sum(
                    1 for u in units if self.pools.count(u)[0] and self.pools.count(u)[1] >= n
                )
            return able[key]

        pos = {v: i for i, v in enumerate(inst.need)}
        return sorted(
            inst.need, key=lambda v: (rank[inst.cls[v]], hardness(v), -inst.need[v].min, pos[v])
        )

    def run(self) -> list[str]:
        bad = self.place_pins()
        self.place_must_send()
        soft_keep = self.inst.policy.continuity == "soft"
        for vid in self.order():
            keep = self.inst.prev_units.get(vid) if soft_keep else None
            self.staff(vid, prefer=keep)
        return bad


def _village_groups(inst: Instance) -> dict[str, tuple]:
    """Village → (county, city, secretary levels, member levels): villages of one group
    accept the same units in each role."""
    out = {}
    for vid, n in inst.need.items():
        v = inst.ds.villages[vid]
        out[vid] = (v.county, village_city(v), n.secretary_levels, n.member_levels)
    return out


def _units_by_group(inst: Instance, groups: set[tuple]) -> dict[tuple, list | set]:
    """(group, role) → units allowed there in that role (LV-LEVEL, LV-REGION), as a list
    nearest-agnostic, and (group, role + "-set") → the same as a set."""
    ds = inst.ds
    rep: dict[tuple, str] = {}
    for vid, g in _village_groups(inst).items():
        rep.setdefault(g, vid)
    out: dict[tuple, list | set] = {}
    for g in groups:
        v = ds.villages[rep[g]]
        for role, levels in ((SEC, g[2]), (MEM, g[3])):
            units = [u for u, x in ds.units.items() if x.level in levels and rule_LV_REGION(x, v)]
            out[(g, role)] = units
            out[(g, role + "-set")] = set(units)
    return out


def plan_careful(ds: Dataset, policy: Policy, plan_date: date) -> CarefulPlan:
    """The careful planner's new postings for a dataset, policy and plan date."""
    inst = build_instance(ds, policy, plan_date)
    c = Careful(inst)
    bad = c.run()
    return CarefulPlan(c.posts, inst, bad)
