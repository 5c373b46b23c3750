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

from optimizer.data.domain import CATEGORIES, Dataset, Posting, Village
from optimizer.policy import Policy
from optimizer.rules.eligibility import (
    VillageNeed,
    continuity_units,
    general_failures,
    priority_class,
    rule_H_INCUMBENT,
    rule_LV_LEVEL,
    rule_LV_REGION,
    secretary_failures,
    village_city,
    village_need,
)
from optimizer.rules.history import province_before

SEC, MEM = "secretary", "member"


class Distances:
    """(unit, village) → km, computed on demand: a dict of every pair is 15M entries at
    province scale. ``get`` returns ``None`` where either side has no coordinates."""

    def __init__(self, ds: Dataset) -> None:
        self._u = {
            k: (u.x, u.y) for k, u in ds.units.items() if u.x is not None and u.y is not None
        }
        self._v = {
            k: (v.x, v.y) for k, v in ds.villages.items() if v.x is not None and v.y is not None
        }

    def get(self, key: tuple[str, str], default: float | None = None) -> float | None:
        a, b = self._u.get(key[0]), self._v.get(key[1])
        if a is None or b is None:
            return default
        return math.hypot(a[0] - b[0], a[1] - b[1])


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
    must_send: set[str] = field(default_factory=set)
    """Units U-PARTICIPATE obliges to send (province level, staff ≥ the preset's minimum)."""
    eligible: dict[str, list[str]] = field(default_factory=dict)
    """Unit → its cadres free and eligible for some posting (E-*, H-INCUMBENT), id order."""
    sec_eligible: dict[str, list[str]] = field(default_factory=dict)
    """Unit → those of them who may also be first secretary (E-SEC-*, L-RANK)."""
    unit_villages: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Unit → role → villages its cadres may serve in that role (LV-LEVEL, LV-REGION)."""
    reach: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    """(unit, role) → the same villages as a set: :meth:`pool` asks it for every candidate
    pair (a list scan there took 17 of the province greedy's 22 s)."""
    barred: dict[str, set[str]] = field(default_factory=dict)
    """Cadre → villages barred in every role (H-NOREPEAT, forbid pins without a role)."""
    barred_role: set[tuple[str, str, str]] = field(default_factory=set)
    """(cadre, village, role) barred by a forbid pin naming the role."""
    barred_at: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """(unit, village) → eligible cadres of the unit barred there (either way)."""
    former: dict[str, set[str]] = field(default_factory=dict)
    """Cadre → villages served before (H-NOREPEAT: any history row)."""
    prev_units: dict[str, set[str]] = field(default_factory=dict)
    """Village → the unit(s) that keep it (H-CONTINUITY): its current team's, recalled or
    not, else the previous period's (:func:`optimizer.rules.eligibility.continuity_units`)."""
    prev_province: set[str] = field(default_factory=set)
    """Villages with a province-level team in the previous period (H-PROVVILLAGE)."""
    skill_rates: dict[str, dict[str, float]] = field(default_factory=dict)
    """Unit → skill → share of its free, eligible cadres holding it (the S-FIT proxy)."""
    adjacency: dict[str, set[str]] = field(default_factory=dict)
    distance: Distances | None = None
    """(unit, village) → km, for units and villages with coordinates."""

    def unit_of(self, cadre_id: str) -> str:
        return self.ds.cadres[cadre_id].unit_id

    def roles(self, cid: str, vid: str) -> list[str]:
        """Roles cadre ``cid`` may take at village ``vid`` after every pruning rule."""
        c = self.ds.cadres.get(cid)
        if c is None or vid not in self.need or vid in self.barred.get(cid, ()):
            return []
        if cid in self.busy or self.failures[cid]:
            return []
        per_role = self.unit_villages.get(c.unit_id, {})
        out = []
        for role in (SEC, MEM):
            if role == SEC and self.sec_failures[cid]:
                continue
            if (cid, vid, role) in self.barred_role or vid not in per_role.get(role, _EMPTY):
                continue
            out.append(role)
        return out

    def options(self, cid: str) -> list[tuple[str, list[str]]]:
        """(village, roles) for every village cadre ``cid`` may serve."""
        c = self.ds.cadres.get(cid)
        if c is None:
            return []
        per_role = self.unit_villages.get(c.unit_id, {})
        vids = sorted(set(per_role.get(SEC, ())) | set(per_role.get(MEM, ())))
        return [(v, r) for v in vids if (r := self.roles(cid, v))]

    def pool(self, uid: str, vid: str, role: str) -> list[str]:
        """The unit's cadres who may take ``role`` at ``vid`` (id order)."""
        if vid not in self.reach.get((uid, role), _EMPTY):
            return []
        src = self.sec_eligible if role == SEC else self.eligible
        out = src.get(uid, [])
        bar = self.barred_at.get((uid, vid))
        if bar:  # few are barred: test them, not the whole unit
            drop = {c for c in bar if role not in self.roles(c, vid)}
            if drop:
                out = [c for c in out if c not in drop]
        return out


_EMPTY: frozenset[str] = frozenset()


def build_instance(
    ds: Dataset,
    policy: Policy,
    plan_date: date,
    must_send: set[str] | None = None,
    skill_rates: dict[str, dict[str, float]] | None = None,
) -> Instance:
    """``must_send`` overrides which units U-PARTICIPATE obliges and ``skill_rates`` the
    units' skill shares: a part of a decomposed problem carries the obligations of the units
    it is given, and scores their people as the whole problem does."""
    need: dict[str, VillageNeed] = {}
    cls: dict[str, str] = {}
    for vid, v in ds.villages.items():
        n = village_need(v, policy)
        if n is not None:
            need[vid] = n
            cls[vid] = priority_class(v)
    incumbents = rule_H_INCUMBENT(ds, plan_date)
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
    inst = Instance(
        ds,
        policy,
        plan_date,
        need,
        cls,
        incumbents,
        dict(inc_by_village),
        busy,
        failures,
        sec_failures,
    )
    limit = policy.must_send_staff_min
    if must_send is not None:
        inst.must_send = set(must_send)
    elif limit is not None:
        inst.must_send = {
            u
            for u, x in ds.units.items()
            if x.level == "province" and x.staff is not None and x.staff >= limit
        }
    _history(inst)
    inst.adjacency = adjacency(ds, policy)
    inst.distance = Distances(ds)
    _pairs(inst)
    inst.skill_rates = skill_rates if skill_rates is not None else _skill_rates(inst)
    return inst


def _skill_rates(inst: Instance) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for uid, cadres in inst.eligible.items():
        counts: dict[str, int] = defaultdict(int)
        for c in cadres:
            for s in inst.ds.cadres[c].skills:
                counts[s] += 1
        out[uid] = {s: k / len(cadres) for s, k in sorted(counts.items())}
    return out


def _history(inst: Instance) -> None:
    """Former villages (H-NOREPEAT), the unit that keeps each village (H-CONTINUITY), and the
    villages with a province-level team in the previous period (H-PROVVILLAGE)."""
    for p in inst.ds.history:
        inst.former.setdefault(p.cadre_id, set()).add(p.village_id)
    inst.prev_units = continuity_units(inst.ds.history, inst.plan_date)
    inst.prev_province |= province_before(inst.ds.history, inst.plan_date)


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


def _pairs(inst: Instance) -> None:  # noqa: C901 - one pruning step per rule (pins, history, levels, region)
    """Who may serve where, kept implicit: per unit its eligible cadres and the villages its
    level and region allow per role, plus the few (cadre, village) exceptions. A list of every
    (cadre, village) pair would hold ~20M entries at province scale.

    Pruned here: E-* (general eligibility), E-SEC-*/L-RANK (secretary role), LV-LEVEL,
    LV-REGION, H-NOREPEAT, H-INCUMBENT (busy cadres), P-PIN forbid, U-NODELEGATE (a cadre is
    posted by its own unit, by construction).
    """
    ds = inst.ds
    for p in ds.pins:
        if p.kind != "forbid":
            continue
        if p.role is None:
            inst.barred.setdefault(p.cadre_id, set()).add(p.village_id)
        else:
            inst.barred_role.add((p.cadre_id, p.village_id, p.role))
    for cid, vs in inst.former.items():
        inst.barred.setdefault(cid, set()).update(vs)
    # villages grouped by (county, city, secretary levels, member levels): a unit's villages
    # are whole groups, so no (unit, village) test runs one pair at a time
    groups: dict[tuple, list[str]] = defaultdict(list)
    for vid, n in inst.need.items():
        v = ds.villages[vid]
        groups[(v.county, village_city(v), n.secretary_levels, n.member_levels)].append(vid)
    order = {v: i for i, v in enumerate(inst.need)}
    for uid, u in ds.units.items():
        per_role: dict[str, list[str]] = {SEC: [], MEM: []}
        for (_county, _city, sec_lv, mem_lv), vids in groups.items():
            if not rule_LV_REGION(u, ds.villages[vids[0]]):  # one county and city per group
                continue
            if rule_LV_LEVEL(u, sec_lv):
                per_role[SEC].extend(vids)
            if rule_LV_LEVEL(u, mem_lv):
                per_role[MEM].extend(vids)
        inst.unit_villages[uid] = {
            r: sorted(vs, key=order.__getitem__) for r, vs in per_role.items()
        }
        for r, vs in per_role.items():
            inst.reach[(uid, r)] = frozenset(vs)
    for cid, c in ds.cadres.items():
        if cid in inst.busy or inst.failures[cid]:
            continue
        inst.eligible.setdefault(c.unit_id, []).append(cid)
        if not inst.sec_failures[cid]:
            inst.sec_eligible.setdefault(c.unit_id, []).append(cid)
        for vid in inst.barred.get(cid, ()):
            inst.barred_at.setdefault((c.unit_id, vid), set()).add(cid)
    for cid, vid, _ in inst.barred_role:
        if cid in ds.cadres and cid not in inst.busy and not inst.failures[cid]:
            inst.barred_at.setdefault((ds.cadres[cid].unit_id, vid), set()).add(cid)


def class_order(inst: Instance) -> list[str]:
    """Priority classes present, weak first."""
    present = set(inst.cls.values())
    return [c for c in CATEGORIES if c in present]
