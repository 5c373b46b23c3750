"""Per-cadre and per-village rule predicates the planner and `check` build on.

Each function is named after the SPEC §3 rule it decides. The verifier (issue 4) deliberately
re-implements these from the SPEC instead of importing them, so a bug here cannot hide itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from optimizer.data.domain import (
    CATEGORIES,
    LEVELS,
    Cadre,
    Dataset,
    Posting,
    Unit,
    Village,
    completed_years,
    rank_index,
)
from optimizer.policy import Policy, Requirement


def rule_E_AVAIL(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> bool:
    """E-AVAIL: the cadre is available for a posting."""
    return cadre.available


def rule_E_SERVICE(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> bool:
    """E-SERVICE: only staff (在编) cadres are posted."""
    return cadre.employment == "staff"


def rule_E_HEALTH(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> bool:
    """E-HEALTH: a cadre in poor health is not posted."""
    return cadre.health != "poor"


def rule_E_EVAL(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> bool:
    """E-EVAL: where the policy bars them, a recent 基本称职/不称职 evaluation keeps a cadre home."""
    return not (policy.eval_ban and cadre.eval_recent in ("basic", "incompetent"))


def rule_E_TOWNSHIP(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> bool:
    """E-TOWNSHIP: where the policy bars them, township cadres are not posted."""
    return not (policy.township_ban and (cadre.township_cadre or unit.level == "township"))


def rule_E_AGE(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> bool:
    """E-AGE: no older than the policy's age cap on the plan date."""
    return policy.max_age is None or cadre.age(at) <= policy.max_age


GENERAL_RULES = {
    "E-AVAIL": rule_E_AVAIL, "E-SERVICE": rule_E_SERVICE, "E-HEALTH": rule_E_HEALTH,
    "E-EVAL": rule_E_EVAL, "E-TOWNSHIP": rule_E_TOWNSHIP, "E-AGE": rule_E_AGE,
}  # fmt: skip
"""Rule id → the test a cadre must pass for any new posting, in the order reasons list them."""


def general_failures(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> list[str]:
    """Rule ids (E-*) that keep this cadre from any new posting."""
    return [rid for rid, ok in GENERAL_RULES.items() if not ok(cadre, unit, policy, at)]


def rule_E_SEC_PARTY(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> bool:
    """E-SEC-PARTY: a first secretary is a party member."""
    return cadre.political_status == "member"


def rule_E_SEC_PARTYYRS(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> bool:
    """E-SEC-PARTYYRS: a member for the policy's years (judged only for members: a non-member
    fails E-SEC-PARTY alone)."""
    if cadre.political_status != "member":
        return True
    return (
        cadre.party_date is not None
        and completed_years(cadre.party_date, at) >= policy.sec_min_party_years
    )


def rule_E_SEC_WORKYRS(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> bool:
    """E-SEC-WORKYRS: the policy's years of work."""
    return completed_years(cadre.work_date, at) >= policy.sec_min_work_years


def rule_L_RANK(cadre: Cadre, unit: Unit, policy: Policy, at: date | None = None) -> bool:
    """L-RANK: the first secretary's rank suits the sending level (and unit kind)."""
    req = policy.leader_rank.get(unit.level)
    if req is None or not req.active:
        return True
    kind = unit.kind or "organ"
    if kind not in req.applies_to:
        return True
    if req.min_rank and rank_index(cadre.rank) >= rank_index(req.min_rank):
        return True
    if cadre.middle_manager and kind in req.middle_manager_kinds:
        return True
    return bool(req.young_pool and cadre.young_pool)


SECRETARY_RULES = {
    "E-SEC-PARTY": rule_E_SEC_PARTY, "E-SEC-PARTYYRS": rule_E_SEC_PARTYYRS,
    "E-SEC-WORKYRS": rule_E_SEC_WORKYRS, "L-RANK": rule_L_RANK,
}  # fmt: skip
"""Rule id → the test an otherwise eligible cadre must pass to be first secretary."""


def secretary_failures(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> list[str]:
    """Rule ids that keep an otherwise eligible cadre from serving as first secretary."""
    return [rid for rid, ok in SECRETARY_RULES.items() if not ok(cadre, unit, policy, at)]


def joint_small(unit: Unit, policy: Policy) -> bool:
    """J-JOINT: the unit may join a joint team (its level allows it, staff < staff_max)."""
    jt = policy.joint
    return (
        jt.enabled
        and unit.level in jt.levels
        and unit.staff is not None
        and unit.staff < jt.staff_max
    )


def joint_pair(a: Unit, b: Unit, policy: Policy) -> bool:
    """J-JOINT: two units may serve in one joint team (both small, same level and region)."""
    return (
        joint_small(a, policy)
        and joint_small(b, policy)
        and (a.level, a.region) == (b.level, b.region)
    )


def village_city(village: Village) -> str | None:
    """The village's city code; derived from a 6-digit county code when not given."""
    if village.city:
        return village.city
    c = village.county
    return c[:4] + "00" if len(c) == 6 and c.isdigit() else None


def rule_LV_REGION(unit: Unit, village: Village) -> bool:
    """LV-REGION: province units anywhere, city units their city, county/township their county."""
    if unit.level == "province":
        return True
    if unit.level == "city":
        return unit.region is not None and unit.region == village_city(village)
    return unit.region is not None and unit.region == village.county


def rule_LV_LEVEL(unit: Unit, levels: tuple[str, ...]) -> bool:
    """LV-LEVEL: the unit's level is one the village's categories allow for the role
    (``VillageNeed.secretary_levels`` or ``member_levels``, from the policy's section 4)."""
    return unit.level in levels


def requirement_key(flag: str, village: Village) -> str | None:
    """The SPEC §4 row a flag uses; relocation splits on relocated population."""
    if flag != "relocation":
        return flag
    pop = village.relocated_pop
    if pop is None:
        return "relocation_small"
    if pop >= 500:
        return "relocation_large"
    if pop >= 100:
        return "relocation_small"
    return None


@dataclass(frozen=True)
class VillageNeed:
    """What a village requires under a policy (T-SIZE, T-SEC, LV-LEVEL)."""

    min: int
    max: int
    secretary_levels: tuple[str, ...]
    member_levels: tuple[str, ...]


def village_need(village: Village, policy: Policy) -> VillageNeed | None:
    """Combine the village's flags (SPEC §2): min = largest min, max = smallest max ≥ min,
    allowed levels = intersection of each flag's; ``None`` = the village gets no team."""
    reqs: list[Requirement] = []
    for flag in village.categories:
        key = requirement_key(flag, village)
        req = policy.requirements.get(key) if key else None
        if req is not None:
            reqs.append(req)
    if not reqs:
        return None
    lo = max(r.min for r in reqs)
    his = [r.max for r in reqs if r.max >= lo]
    hi = min(his) if his else lo
    sec = set(policy.secretary_levels)
    mem = set(policy.member_levels)
    for r in reqs:
        sec &= set(r.secretary_levels or policy.secretary_levels)
        mem &= set(r.member_levels or policy.member_levels)
    for level, flags in policy.level_scope.items():
        if not village.categories & set(flags):
            sec.discard(level)
            mem.discard(level)
    return VillageNeed(
        lo, hi, tuple(lv for lv in LEVELS if lv in sec), tuple(lv for lv in LEVELS if lv in mem)
    )


def priority_class(village: Village) -> str:
    """The village's highest flag in SPEC order weak > key > … > other."""
    return next(c for c in CATEGORIES if c in village.categories)


def rule_H_INCUMBENT(ds: Dataset, at: date) -> list[Posting]:
    """H-INCUMBENT: the postings that stay — history rows in force at ``at`` whose cadre is not
    recalled and still in the cadres table (a departed cadre's open posting is vacant, as if
    recalled). Their cadres are busy; their villages keep them."""
    recalled = {r.cadre_id for r in ds.recall}
    return [
        p
        for p in ds.history
        if p.current_at(at) and p.cadre_id not in recalled and p.cadre_id in ds.cadres
    ]


def previous_period(history: list[Posting], at: date) -> dict[str, list[Posting]]:
    """Village → its rows of the previous period: ended by ``at``, with the latest end."""
    last: dict[str, date] = {}
    for p in history:
        if p.end is not None and p.end <= at and p.end > last.get(p.village_id, date.min):
            last[p.village_id] = p.end
    out: dict[str, list[Posting]] = {}
    for p in history:
        if p.end is not None and last.get(p.village_id) == p.end:
            out.setdefault(p.village_id, []).append(p)
    return out


def continuity_units(history: list[Posting], at: date) -> dict[str, set[str]]:
    """H-CONTINUITY: village → the unit(s) that keep it. The team in force at ``at`` —
    recalled or not, since the recalled cadre's unit sends the replacement (000 四(二)
    由同级驻村办商派出单位予以调整; 001 一(三)) — else the previous period's team. A team's
    unit is its first secretaries' unit, or its members' where no secretary row is there."""
    teams: dict[str, list[Posting]] = {}
    for p in history:
        if p.current_at(at):
            teams.setdefault(p.village_id, []).append(p)
    for vid, rows in previous_period(history, at).items():
        teams.setdefault(vid, rows)
    return {
        vid: {p.unit_id for p in rows if p.role == "secretary"} or {p.unit_id for p in rows}
        for vid, rows in teams.items()
    }
