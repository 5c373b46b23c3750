"""The soft terms re-derived from SPEC §3 and the policy's weights, for the preference checks
and the report's points per term: what a person brings to a post (S-PARTY, S-YOUNG, S-EXPERT,
S-FIT: the skills of the person posted), what a team's trip costs (S-TRAVEL: unit to village)
and what a new team's unit earns or costs there (S-PROVKEY, soft H-CONTINUITY and
H-PROVVILLAGE). Points are the policy's weights on the planner's one scale
(:data:`optimizer.rules.history.SOFT_SCALE`); only the scale is shared, every term is
re-derived here."""

from __future__ import annotations

import math

from optimizer.data.domain import Cadre, Unit, Village
from optimizer.rules.history import SOFT_SCALE
from optimizer.verify.view import PlanView

PERSON_TERMS = ("S-PARTY", "S-YOUNG", "S-EXPERT", "S-FIT")
"""The terms a one-for-one exchange of people of one unit can change."""
TEAM_TERMS = ("S-PROVKEY", "H-CONTINUITY", "H-PROVVILLAGE")
"""The terms of a new team's unit at its village."""
TERMS_ZH = {"S-PARTY": "党员", "S-YOUNG": "年轻干部", "S-EXPERT": "农村经验或涉农专长",
            "S-FIT": "专长对口", "S-TRAVEL": "路程", "S-PROVKEY": "省派队派往重点帮扶村",
            "H-CONTINUITY": "帮扶村不变", "H-PROVVILLAGE": "省派队不重复驻点"}  # fmt: skip
"""Each term as a Chinese message names it (no rule id in a Chinese line)."""


def young_count(view: PlanView, c: Cadre) -> int:
    """S-YOUNG: 1 for the young-cadre pool (or, Yantai, 正科 ≤ 35 / 副科 ≤ 30), and 1 more for
    grassroots experience below the preset's threshold."""
    y, age = view.pol.young, c.age(view.day)
    young = bool(y.pool and c.young_pool)
    young |= y.section_max_age is not None and c.rank == "section" and age <= y.section_max_age
    young |= (
        y.deputy_section_max_age is not None
        and c.rank == "deputy_section"
        and age <= y.deputy_section_max_age
    )
    green = y.grassroots_years_below is not None and c.grassroots_years < y.grassroots_years_below
    return int(young) + int(green)


def is_expert(c: Cadre) -> bool:
    """S-EXPERT: rural work experience (a year or more) or agriculture expertise."""
    return c.rural_years >= 1 or "agriculture" in c.skills


def person_points(view: PlanView, c: Cadre, role: str, v: Village) -> dict[str, int]:
    """What the person brings to a post, per term: a party member as team member (the first
    secretary is one by rule), a young cadre, rural experience or agriculture expertise, and
    the village needs the person's skills meet."""
    w = view.pol.weights
    party = role == "member" and c.political_status == "member"
    expert = is_expert(c)
    return {
        "S-PARTY": w.party * SOFT_SCALE * party,
        "S-YOUNG": w.young * SOFT_SCALE * young_count(view, c),
        "S-EXPERT": w.expert * SOFT_SCALE * expert,
        "S-FIT": w.fit * SOFT_SCALE * len(c.skills & v.needs),
    }


def km(u: Unit | None, v: Village | None) -> float | None:
    """Straight-line distance unit → village; None without coordinates."""
    if u is None or v is None or None in (u.x, u.y, v.x, v.y):
        return None
    return math.hypot(u.x - v.x, u.y - v.y)  # type: ignore[operator]


def travel_points(view: PlanView, u: Unit | None, v: Village | None) -> int:
    """S-TRAVEL of one posting: minus the weight per 10 km (on the planner's scale)."""
    d = km(u, v)
    return 0 if d is None else -round(view.pol.weights.travel_per_10km * d)


def team_points(view: PlanView, u: Unit, v: Village) -> dict[str, int]:
    """A new team of unit ``u`` at ``v``, per term: S-PROVKEY (a province-level team at a
    village not ``key``), soft H-CONTINUITY (the unit that keeps the village) and soft
    H-PROVVILLAGE (a province-level team where the previous period had one)."""
    pol, w = view.pol, view.pol.weights
    prov = u.level == "province"
    keep = view.keep_rows.get(v.village_id, [])
    leads = {q.unit_id for q in keep if q.role == "secretary"} or {q.unit_id for q in keep}
    again = prov and any(q.level == "province" for q in view.prev_rows.get(v.village_id, []))
    return {
        "S-PROVKEY": -w.provkey * SOFT_SCALE * (prov and "key" not in v.categories),
        "H-CONTINUITY": w.continuity
        * SOFT_SCALE
        * (pol.continuity == "soft" and u.unit_id in leads),
        "H-PROVVILLAGE": -w.provvillage * SOFT_SCALE * (pol.provvillage == "soft" and again),
    }


def plan_points(view: PlanView) -> dict[str, int]:
    """The plan's points per soft term, over its new postings (incumbents are kept as they
    are and earn nothing); the team terms once per new first secretary."""
    out = dict.fromkeys((*PERSON_TERMS, "S-TRAVEL", *TEAM_TERMS), 0)
    for p in view.new_postings:
        if p.village is None:
            continue
        for term, pts in person_points(view, p.cadre, p.row.role, p.village).items():
            out[term] += pts
        out["S-TRAVEL"] += travel_points(view, p.unit, p.village)
        if p.row.role == "secretary" and p.unit is not None:
            for term, pts in team_points(view, p.unit, p.village).items():
                out[term] += pts
    return out


def weighed_terms(view: PlanView) -> list[str]:
    """The soft terms the policy gives points to, in SPEC order."""
    pol, w = view.pol, view.pol.weights
    on = {"S-PARTY": w.party, "S-YOUNG": w.young, "S-EXPERT": w.expert, "S-FIT": w.fit,
          "S-TRAVEL": w.travel_per_10km, "S-PROVKEY": w.provkey,
          "H-CONTINUITY": w.continuity if pol.continuity == "soft" else 0,
          "H-PROVVILLAGE": w.provvillage if pol.provvillage == "soft" else 0}  # fmt: skip
    return [t for t, weight in on.items() if weight]
