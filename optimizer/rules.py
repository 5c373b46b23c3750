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

GENERAL_RULES = ("E-AVAIL", "E-SERVICE", "E-HEALTH", "E-EVAL", "E-TOWNSHIP", "E-AGE")
SECRETARY_RULES = ("E-SEC-PARTY", "E-SEC-PARTYYRS", "E-SEC-WORKYRS", "L-RANK")


def general_failures(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> list[str]:
    """Rule ids (E-*) that keep this cadre from any new posting."""
    out = []
    if not cadre.available:
        out.append("E-AVAIL")
    if cadre.employment != "staff":
        out.append("E-SERVICE")
    if cadre.health == "poor":
        out.append("E-HEALTH")
    if policy.eval_ban and cadre.eval_recent in ("basic", "incompetent"):
        out.append("E-EVAL")
    if policy.township_ban and (cadre.township_cadre or unit.level == "township"):
        out.append("E-TOWNSHIP")
    if policy.max_age is not None and cadre.age(at) > policy.max_age:
        out.append("E-AGE")
    return out


def leader_rank_ok(cadre: Cadre, unit: Unit, policy: Policy) -> bool:
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


def secretary_failures(cadre: Cadre, unit: Unit, policy: Policy, at: date) -> list[str]:
    """Rule ids that keep an otherwise eligible cadre from serving as first secretary."""
    out = []
    if cadre.political_status != "member":
        out.append("E-SEC-PARTY")
    elif (
        cadre.party_date is None
        or completed_years(cadre.party_date, at) < policy.sec_min_party_years
    ):
        out.append("E-SEC-PARTYYRS")
    if completed_years(cadre.work_date, at) < policy.sec_min_work_years:
        out.append("E-SEC-WORKYRS")
    if not leader_rank_ok(cadre, unit, policy):
        out.append("L-RANK")
    return out


def off_key(unit: Unit, village: Village) -> bool:
    """S-PROVKEY (000 二(二)): 省派驻村工作队主要派往乡村振兴重点帮扶村 — a province-level team
    at a village without the ``key`` flag. A soft term (``weights.provkey``); a policy that
    wants a bar sets ``levels.scope`` instead (LV-LEVEL)."""
    return unit.level == "province" and "key" not in village.categories


def joint_small(unit: Unit, policy: Policy) -> bool:
    """J-JOINT: the unit may join a joint team (its level allows it, staff < staff_max)."""
    jt = policy.joint
    return jt.enabled and unit.level in jt.levels and unit.staff is not None \
        and unit.staff < jt.staff_max  # fmt: skip


def joint_pair(a: Unit, b: Unit, policy: Policy) -> bool:
    """J-JOINT: two units may serve in one joint team (both small, same level and region)."""
    return joint_small(a, policy) and joint_small(b, policy) and (a.level, a.region) == (
        b.level, b.region)  # fmt: skip


def village_city(village: Village) -> str | None:
    """The village's city code; derived from a 6-digit county code when not given."""
    if village.city:
        return village.city
    c = village.county
    return c[:4] + "00" if len(c) == 6 and c.isdigit() else None


def region_ok(unit: Unit, village: Village) -> bool:
    """LV-REGION: province units anywhere, city units their city, county/township their county."""
    if unit.level == "province":
        return True
    if unit.level == "city":
        return unit.region is not None and unit.region == village_city(village)
    return unit.region is not None and unit.region == village.county


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


def current_postings(ds: Dataset, at: date) -> list[Posting]:
    """History rows in force at ``at`` whose cadre is not recalled (H-INCUMBENT) and still in
    the cadres table: a departed cadre's open posting is vacant, as if recalled."""
    recalled = {r.cadre_id for r in ds.recall}
    return [p for p in ds.history if p.current_at(at) and p.cadre_id not in recalled
            and p.cadre_id in ds.cadres]  # fmt: skip


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
