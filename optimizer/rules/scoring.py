"""Soft points, defined once (SPEC §3 S-* terms, soft H-CONTINUITY and H-PROVVILLAGE).

The master model's objective, the flow and LP relaxations, the decomposition's plan points,
the people stage and ``explain`` all price a posting with these functions, so a bound, a plan
and an explanation always speak of the same points.
"""

from __future__ import annotations

import math

import numpy as np

from optimizer.data.domain import Unit, Village
from optimizer.rules.history import SOFT_SCALE, rule_H_CONTINUITY, rule_H_PROVVILLAGE
from optimizer.rules.instance import MEM, SEC, Instance


def young(inst: Instance, cid: str) -> bool:
    """S-YOUNG: the young-cadre pool, or the preset's age-by-rank rule (Yantai)."""
    c, y = inst.ds.cadres[cid], inst.policy.young
    if y.pool and c.young_pool:
        return True
    age = c.age(inst.plan_date)
    if y.section_max_age is not None and c.rank == "section" and age <= y.section_max_age:
        return True
    return bool(
        y.deputy_section_max_age is not None
        and c.rank == "deputy_section"
        and age <= y.deputy_section_max_age
    )


def green(inst: Instance, cid: str) -> bool:
    """S-YOUNG (Yantai): grassroots experience below the threshold."""
    limit = inst.policy.young.grassroots_years_below
    return limit is not None and inst.ds.cadres[cid].grassroots_years < limit


def expert(inst: Instance, cid: str) -> bool:
    """S-EXPERT: rural work experience or agriculture expertise."""
    c = inst.ds.cadres[cid]
    return c.rural_years >= 1 or "agriculture" in c.skills


def fit(inst: Instance, cid: str, vid: str) -> int:
    """S-FIT: village needs this cadre's skills meet."""
    return len(inst.ds.cadres[cid].skills & inst.ds.villages[vid].needs)


def rule_S_PARTY(inst: Instance, cid: str, role: str) -> int:
    """S-PARTY: a party member as team member (the secretary is one by E-SEC-PARTY)."""
    member = inst.ds.cadres[cid].political_status == "member"
    return inst.policy.weights.party * SOFT_SCALE if role == MEM and member else 0


def rule_S_YOUNG(inst: Instance, cid: str) -> int:
    """S-YOUNG: young cadres (and, Yantai, those short of grassroots experience) to train."""
    return inst.policy.weights.young * SOFT_SCALE * (young(inst, cid) + green(inst, cid))


def rule_S_EXPERT(inst: Instance, cid: str) -> int:
    """S-EXPERT: rural work experience or agriculture expertise."""
    return inst.policy.weights.expert * SOFT_SCALE if expert(inst, cid) else 0


def rule_S_PROVKEY(inst: Instance, unit: Unit, village: Village) -> int:
    """S-PROVKEY (000 二(二)): 省派驻村工作队主要派往乡村振兴重点帮扶村 — a cost for a
    province-level team at a village without the ``key`` flag. A soft term; a policy that
    wants a bar sets ``levels.scope`` instead (LV-LEVEL)."""
    off = unit.level == "province" and "key" not in village.categories
    return -inst.policy.weights.provkey * SOFT_SCALE if off else 0


def cadre_points(inst: Instance, cid: str, role: str) -> dict[str, int]:
    """Village-independent soft points of posting a cadre in a role (scaled)."""
    return {
        "S-PARTY": rule_S_PARTY(inst, cid, role),
        "S-YOUNG": rule_S_YOUNG(inst, cid),
        "S-EXPERT": rule_S_EXPERT(inst, cid),
    }


def rule_S_FIT(inst: Instance, uid: str, vid: str) -> int:
    """S-FIT points per posting from unit ``uid`` at ``vid``: the village needs one of the
    unit's people meets on average. The people stage then seats the best-fitting people, so
    the plan's real fit is at least this; a share rather than the union of skills keeps a big
    unit from looking like a perfect fit everywhere."""
    w = inst.policy.weights.fit
    needs = inst.ds.villages[vid].needs
    if not w or not needs:
        return 0
    rates = inst.skill_rates.get(uid, {})
    # fsum: exact whatever the set's order (a plain float sum follows the strings' hash
    # order, which differs between processes, and can tip round() at .5: measured, city-202)
    return round(w * SOFT_SCALE * math.fsum(rates.get(s, 0.0) for s in needs))


def team_points(inst: Instance, uid: str, vid: str) -> dict[str, int]:
    """Soft points of a new first secretary from ``uid`` at ``vid``, charged once per team
    (scaled): H-CONTINUITY soft (the unit keeps its village), H-PROVVILLAGE soft and S-PROVKEY
    (a province-level team where the previous period had one / at a village not ``key``).
    The master, the flow relaxation, the decomposition and ``explain`` all use this."""
    out = {}
    keep = rule_H_CONTINUITY(inst, uid, vid)
    if keep:
        out["H-CONTINUITY"] = keep
    again = rule_H_PROVVILLAGE(inst, uid, vid)
    if again:
        out["H-PROVVILLAGE"] = again
    off = rule_S_PROVKEY(inst, inst.ds.units[uid], inst.ds.villages[vid])
    if off:
        out["S-PROVKEY"] = off
    return out


def rule_S_TRAVEL(per_10km: float, km: float) -> int:
    """S-TRAVEL points one posting costs (SOFT_SCALE points per weight unit per 10 km)."""
    return round(per_10km * km)


def travel_costs(per_10km: float, km: np.ndarray) -> np.ndarray:
    """:func:`rule_S_TRAVEL` over an array of distances (``np.rint`` halves to even, as
    ``round`` does: the same points)."""
    return np.rint(per_10km * km).astype(np.int64)


def posting_points(
    inst: Instance, cid: str, vid: str, role: str, *, person_fit: bool = False
) -> dict[str, int]:
    """Points of one new posting, by term: the cadre's own terms, travel from their unit, fit
    and, for a first secretary, the team's terms (:func:`team_points`). Fit is the unit's
    average (:func:`rule_S_FIT`, as the master model charges it) unless ``person_fit`` asks for
    this person's own skills (as ``explain`` shows a posting)."""
    uid = inst.unit_of(cid)
    pts = dict(cadre_points(inst, cid, role))
    if person_fit:
        pts["S-FIT"] = inst.policy.weights.fit * SOFT_SCALE * fit(inst, cid, vid)
    else:
        pts["S-FIT"] = rule_S_FIT(inst, uid, vid)
    d = inst.distance.get((uid, vid))
    pts["S-TRAVEL"] = -rule_S_TRAVEL(inst.policy.weights.travel_per_10km, d) if d is not None else 0
    if role == SEC:
        pts.update(team_points(inst, uid, vid))
    return pts


def plan_points(inst: Instance, assignments) -> float:
    """The master model's soft objective of a set of new postings, from the whole dataset."""
    return float(
        sum(
            sum(posting_points(inst, a.cadre_id, a.village_id, a.role).values())
            for a in assignments
        )
    )
