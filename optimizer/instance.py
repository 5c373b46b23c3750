"""Everything the model builder needs, precomputed once from a dataset, a policy and a date.

Rules that only ever *remove* options (eligibility, levels, regions, former villages, forbid
pins, busy incumbents) are applied here, so the CP-SAT model never creates a variable for a
pair a rule already rules out. Each filter is named after its SPEC rule id.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from .domain import CATEGORIES, Dataset, Posting, Village
from .policy import Policy
from .rules import (
    VillageNeed,
    current_postings,
    general_failures,
    priority_class,
    region_ok,
    secretary_failures,
    village_need,
)

SEC, MEM = "secretary", "member"


@dataclass
class Instance:
    ds: Dataset
    policy: Policy
    plan_date: date
    need: dict[str, VillageNeed]
    """Villages with a team requirement (T-SIZE), in dataset order."""
    cls: dict[str, str]
    """Priority class of each village with a requirement."""
    incumbents: list[Posting]
    inc_by_village: dict[str, list[Posting]]
    busy: set[str]
    """Cadres not available for a new posting: serving incumbents and recalled cadres."""
    failures: dict[str, list[str]]
    """Cadre → rule ids failed for any posting (E-*)."""
    sec_failures: dict[str, list[str]]
    """Cadre → rule ids failed for the first-secretary role (E-SEC-*, L-RANK)."""
    pairs: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """(cadre, village) → roles the cadre may take there."""
    former: dict[str, set[str]] = field(default_factory=dict)
    """Cadre → villages served before (H-NOREPEAT: any history row)."""
    prev_units: dict[str, set[str]] = field(default_factory=dict)
    """Village → lead units of its team in the previous period (H-CONTINUITY)."""
    prev_province: set[str] = field(default_factory=set)
    """Villages with a province-level team in the previous period (H-PROVVILLAGE)."""
    adjacency: dict[str, set[str]] = field(default_factory=dict)
    distance: dict[tuple[str, str], float] = field(default_factory=dict)
    """(unit, village) → km, for units and villages with coordinates."""

    def unit_of(self, cadre_id: str) -> str:
        return self.ds.cadres[cadre_id].unit_id


def build_instance(ds: Dataset, policy: Policy, plan_date: date) -> Instance:
    need: dict[str, VillageNeed] = {}
    cls: dict[str, str] = {}
    for vid, v in ds.villages.items():
        n = village_need(v, policy)
        if n is not None:
            need[vid] = n
            cls[vid] = priority_class(v)
    incumbents = current_postings(ds, plan_date)
    inc_by_village: dict[str, list[Posting]] = defaultdict(list)
    for p in incumbents:
        inc_by_village[p.village_id].append(p)
    recalled = {r.cadre_id for r in ds.recall}
    busy = {p.cadre_id for p in incumbents} | recalled
    failures: dict[str, list[str]] = {}
    sec_failures: dict[str, list[str]] = {}
    for cid, c in ds.cadres.items():
        unit = ds.units[c.unit_id]
        failures[cid] = general_failures(c, unit, policy, plan_date)
        sec_failures[cid] = secretary_failures(c, unit, policy, plan_date)
    inst = Instance(ds, policy, plan_date, need, cls, incumbents, dict(inc_by_village), busy,
                    failures, sec_failures)  # fmt: skip
    _history(inst)
    inst.adjacency = adjacency(ds, policy)
    _distances(inst)
    _pairs(inst)
    return inst


def _history(inst: Instance) -> None:
    """Former villages, and the previous period's team per village (ended before the date)."""
    last_end: dict[str, date] = {}
    for p in inst.ds.history:
        inst.former.setdefault(p.cadre_id, set()).add(p.village_id)
        ended = p.end is not None and p.end <= inst.plan_date
        if ended and (p.village_id not in last_end or p.end > last_end[p.village_id]):
            last_end[p.village_id] = p.end  # type: ignore[assignment]
    for p in inst.ds.history:
        if p.end is not None and last_end.get(p.village_id) == p.end:
            if p.role == SEC:
                inst.prev_units.setdefault(p.village_id, set()).add(p.unit_id)
            if p.level == "province":
                inst.prev_province.add(p.village_id)


def adjacency(ds: Dataset, policy: Policy) -> dict[str, set[str]]:
    """C-CLUSTER neighbours: the adjacency table, or same township within adjacency_km."""
    adj: dict[str, set[str]] = defaultdict(set)
    if ds.adjacency_given:
        for a, b in ds.adjacency:
            adj[a].add(b)
            adj[b].add(a)
        return dict(adj)
    by_town: dict[tuple[str, str], list[Village]] = defaultdict(list)
    for v in ds.villages.values():
        if v.township and v.x is not None and v.y is not None:
            by_town[(v.county, v.township)].append(v)
    km = policy.cluster.adjacency_km
    for vs in by_town.values():
        for i, a in enumerate(vs):
            for b in vs[i + 1 :]:
                if math.hypot(a.x - b.x, a.y - b.y) <= km:  # type: ignore[operator]
                    adj[a.village_id].add(b.village_id)
                    adj[b.village_id].add(a.village_id)
    return dict(adj)


def _distances(inst: Instance) -> None:
    for uid, u in inst.ds.units.items():
        if u.x is None or u.y is None:
            continue
        for vid in inst.need:
            v = inst.ds.villages[vid]
            if v.x is not None and v.y is not None:
                inst.distance[(uid, vid)] = math.hypot(u.x - v.x, u.y - v.y)


def _pairs(inst: Instance) -> None:
    """Candidate (cadre, village, role) triples after every pruning rule.

    Pruned here: E-* (general eligibility), E-SEC-*/L-RANK (secretary role), LV-LEVEL,
    LV-REGION, H-NOREPEAT, H-INCUMBENT (busy cadres), P-PIN forbid, U-NODELEGATE (a cadre is
    posted by its own unit, by construction). Villages covered by a cluster need no pairs.
    """
    ds = inst.ds
    forbid: set[tuple[str, str, str | None]] = {
        (p.cadre_id, p.village_id, p.role) for p in ds.pins if p.kind == "forbid"
    }
    # villages each unit may serve per role (LV-LEVEL, LV-REGION), computed per unit once
    unit_villages: dict[str, dict[str, list[str]]] = {}
    for uid, u in ds.units.items():
        per_role: dict[str, list[str]] = {SEC: [], MEM: []}
        for vid, n in inst.need.items():
            v = ds.villages[vid]
            if not region_ok(u, v):
                continue
            if u.level in n.secretary_levels:
                per_role[SEC].append(vid)
            if u.level in n.member_levels:
                per_role[MEM].append(vid)
        unit_villages[uid] = per_role
    for cid, c in ds.cadres.items():
        if cid in inst.busy or inst.failures[cid]:
            continue
        former = inst.former.get(cid, set())
        roles_ok = [SEC, MEM] if not inst.sec_failures[cid] else [MEM]
        for role in roles_ok:
            for vid in unit_villages[c.unit_id][role]:
                if vid in former or (cid, vid, None) in forbid or (cid, vid, role) in forbid:
                    continue
                inst.pairs.setdefault((cid, vid), []).append(role)


def class_order(inst: Instance) -> list[str]:
    """Priority classes present, weak first."""
    present = set(inst.cls.values())
    return [c for c in CATEGORIES if c in present]
