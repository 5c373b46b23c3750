"""P-PIN precheck: every require pin a hard rule forbids, found before any model is built.

A pin is the planner's explicit exception: it overrides soft rules and the seeds' 原则上 /
一般 / 主要 defaults (S-PROVKEY, soft H-PROVVILLAGE and H-CONTINUITY, preferences), never a
hard rule. For each require pin the hard rules are tried in one fixed order and the first that
forbids it is reported, with the pins file and row and the data value that decides it:

1. E-AVAIL, E-SERVICE, E-HEALTH, E-EVAL, E-TOWNSHIP, E-AGE (the cadre may not be posted);
2. for a first-secretary pin: E-SEC-PARTY, E-SEC-PARTYYRS, E-SEC-WORKYRS, L-RANK;
3. LV-LEVEL (the unit's level may not take the role there; ``levels.scope`` included);
4. LV-REGION; 5. H-NOREPEAT; 6. T-SIZE (the village gets no team under the policy);
7. H-INCUMBENT (recalled, or serving elsewhere; the village's incumbents already hold the
   role or its maximum); 8. T-UNIT (a member pin at a village whose kept first secretary
   belongs to another unit, no joint team possible);
9. H-CONTINUITY and 10. H-PROVVILLAGE, where the policy makes them hard.

A pin without a role is forbidden only when both roles are; the member role's reason is
given. The predicates are :mod:`optimizer.rules.eligibility`'; this module only orders and words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from optimizer.data.domain import Cadre, Dataset, Pin, Posting, Unit, Village, completed_years
from optimizer.data.errors import InputError, Problem
from optimizer.policy import Policy
from optimizer.rules.eligibility import (
    continuity_units,
    general_failures,
    joint_pair,
    rule_H_INCUMBENT,
    rule_LV_REGION,
    secretary_failures,
    village_need,
)
from optimizer.rules.history import continuity_points, province_before, provvillage_points

SEC, MEM = "secretary", "member"


@dataclass(frozen=True)
class PinBar:
    """A require pin and the one hard rule that forbids it."""

    pin: Pin
    rule: str
    value: str
    """The data that decides it (rank, party standing, level, region, …)."""

    def problem(self) -> Problem:
        role = f" as {self.pin.role}" if self.pin.role else ""
        return Problem(
            self.pin.file,
            f"require pin {self.pin.cadre_id} → {self.pin.village_id}{role} is forbidden by "
            f"{self.rule}: {self.value}. A pin overrides soft rules and preferences, never a "
            "hard rule: drop the pin or correct the data",
            row=self.pin.row,
        )


@dataclass
class _Facts:
    """What the checks need from the dataset, computed once for every pin."""

    ds: Dataset
    policy: Policy
    at: date
    serving: dict[str, list[Posting]]
    """Cadre → current postings kept (H-INCUMBENT)."""
    kept_at: dict[str, list[Posting]]
    """Village → current postings kept."""
    recalled: set[str]
    served: dict[tuple[str, str], Posting]
    """(cadre, village) → the first history row (H-NOREPEAT)."""
    keep_units: dict[str, set[str]]
    prev_province: set[str]


def _facts(ds: Dataset, policy: Policy, at: date) -> _Facts:
    serving: dict[str, list[Posting]] = {}
    kept_at: dict[str, list[Posting]] = {}
    for p in rule_H_INCUMBENT(ds, at):
        serving.setdefault(p.cadre_id, []).append(p)
        kept_at.setdefault(p.village_id, []).append(p)
    served: dict[tuple[str, str], Posting] = {}
    for p in ds.history:
        served.setdefault((p.cadre_id, p.village_id), p)
    return _Facts(
        ds,
        policy,
        at,
        serving,
        kept_at,
        {r.cadre_id for r in ds.recall},
        served,
        continuity_units(ds.history, at),
        province_before(ds.history, at),
    )


def pin_bars(ds: Dataset, policy: Policy, at: date) -> list[PinBar]:
    """Every require pin a hard rule forbids, in pins-file order."""
    f = _facts(ds, policy, at)
    out = []
    for pin in ds.pins:
        if (
            pin.kind != "require"
            or pin.cadre_id not in ds.cadres
            or pin.village_id not in ds.villages
        ):
            continue
        found = [_first_bar(f, pin, role) for role in ([pin.role] if pin.role else [SEC, MEM])]
        if all(found):
            out.append(PinBar(pin, *found[-1]))  # type: ignore[misc]
    return out


def check_pins(ds: Dataset, policy: Policy, at: date) -> None:
    """Raise :class:`InputError` with one line per require pin a hard rule forbids."""
    bars = pin_bars(ds, policy, at)
    if bars:
        raise InputError([b.problem() for b in bars])


def _first_bar(f: _Facts, pin: Pin, role: str) -> tuple[str, str] | None:
    ds, pol = f.ds, f.policy
    c, v = ds.cadres[pin.cadre_id], ds.villages[pin.village_id]
    u = ds.units[c.unit_id]
    if any(p.village_id == v.village_id and p.role == role for p in f.serving.get(c.cadre_id, [])):
        return None  # the pin names the cadre's own current posting: already met
    fails = general_failures(c, u, pol, f.at)
    if role == SEC:
        fails += secretary_failures(c, u, pol, f.at)
    if fails:
        return fails[0], _cadre_value(fails[0], c, u, pol, f.at)
    need = village_need(v, pol)
    if need is not None:
        levels = need.secretary_levels if role == SEC else need.member_levels
        if u.level not in levels:
            return "LV-LEVEL", _level_value(u, v, role, levels, pol)
    if not rule_LV_REGION(u, v):
        return "LV-REGION", (
            f"{u.level}-level unit {u.unit_id} of region {u.region or '(none)'}; "
            f"village in county {v.county}"
        )
    p = f.served.get((c.cadre_id, v.village_id))
    if p is not None:
        return "H-NOREPEAT", f"served there as {p.role} {p.start}–{p.end or 'open'}"
    if need is None:
        cats = ";".join(sorted(v.categories)) or "(none)"
        return "T-SIZE", f"categories {cats}: no team under {pol.name}"
    return _incumbent_bar(f, c, u, v, role, need.max) or _history_bar(f, u, v, role)


def _incumbent_bar(f: _Facts, c: Cadre, u: Unit, v: Village, role: str, most: int):
    if c.cadre_id in f.recalled:
        return "H-INCUMBENT", "the cadre is in the recall list"
    serving = f.serving.get(c.cadre_id)
    if serving:
        p = serving[0]
        return "H-INCUMBENT", f"serves at {p.village_id} as {p.role} {p.start}–{p.end or 'open'}"
    kept = f.kept_at.get(v.village_id, [])
    sec = next((p for p in kept if p.role == SEC), None)
    if role == SEC and sec is not None:
        return (
            "H-INCUMBENT",
            f"incumbent first secretary {sec.cadre_id} ({sec.start}–{sec.end or 'open'})",
        )
    if len(kept) >= most:
        return "H-INCUMBENT", f"{len(kept)} incumbents already fill the maximum team of {most}"
    lead = f.ds.units.get(sec.unit_id) if sec is not None else None
    joint = lead is not None and joint_pair(lead, u, f.policy)
    if (
        role == MEM
        and sec is not None
        and sec.unit_id != u.unit_id
        and not joint
        and f.policy.members_from == "lead_unit"
    ):
        return (
            "T-UNIT",
            f"the kept first secretary {sec.cadre_id} is from unit {sec.unit_id}, the cadre from {u.unit_id}",
        )
    return None


def _history_bar(f: _Facts, u: Unit, v: Village, role: str):
    pol = f.policy
    keep = f.keep_units.get(v.village_id)
    judged = role == SEC or pol.members_from == "lead_unit"
    if judged and continuity_points(pol, keep, u.unit_id, u.level) is None:
        return (
            "H-CONTINUITY",
            f"the village is kept by unit {';'.join(sorted(keep))}, the cadre is from {u.unit_id}",
        )
    if provvillage_points(pol, u.level, v.village_id in f.prev_province) is None:
        return (
            "H-PROVVILLAGE",
            "province-level unit; the village had a province-level team in the previous period",
        )
    return None


def _cadre_value(rule: str, c: Cadre, u: Unit, pol: Policy, at: date) -> str:
    """The cadre's data behind an E-* / E-SEC-* / L-RANK failure."""
    if rule == "E-AGE":
        return f"age {c.age(at)} > max_age {pol.max_age}"
    if rule == "E-SEC-PARTYYRS":
        yrs = completed_years(c.party_date, at) if c.party_date else 0
        return f"party standing {yrs} year(s) (party_date {c.party_date or 'empty'}) < {pol.sec_min_party_years}"
    if rule == "E-SEC-WORKYRS":
        yrs = completed_years(c.work_date, at)
        return f"work experience {yrs} year(s) (work_date {c.work_date}) < {pol.sec_min_work_years}"
    if rule == "L-RANK":
        req = pol.leader_rank[u.level]
        need = [f"rank ≥ {req.min_rank}"] if req.min_rank else []
        if u.kind in req.middle_manager_kinds or (
            u.kind is None and "organ" in req.middle_manager_kinds
        ):
            need.append("a middle manager")
        if req.young_pool:
            need.append("the young-cadre pool")
        return (
            f"rank {c.rank or 'clerk (empty)'}, middle_manager {'yes' if c.middle_manager else 'no'}, "
            f"young_pool {'yes' if c.young_pool else 'no'}; a {u.level}-level {u.kind or 'organ'} "
            f"unit's first secretary needs {' or '.join(need)}"
        )
    values = {
        "E-AVAIL": "available: no",
        "E-SERVICE": f"employment: {c.employment}",
        "E-HEALTH": f"health: {c.health}",
        "E-EVAL": f"eval_recent: {c.eval_recent}",
        "E-TOWNSHIP": "township cadre" if c.township_cadre else f"{u.level}-level unit {u.unit_id}",
        "E-SEC-PARTY": f"political_status: {c.political_status}",
    }
    return values.get(rule, rule)


def _level_value(u: Unit, v: Village, role: str, levels: tuple[str, ...], pol: Policy) -> str:
    cats = ";".join(sorted(v.categories))
    scope = pol.level_scope.get(u.level)
    who = "first secretaries" if role == SEC else "members"
    text = (
        f"{u.level}-level unit {u.unit_id}; village categories {cats} take {who} from "
        f"{', '.join(levels) or 'no level'}"
    )
    if scope and not v.categories & set(scope):
        text += f" (levels.scope.{u.level}: {', '.join(scope)})"
    return text


__all__ = ["PinBar", "check_pins", "pin_bars"]
