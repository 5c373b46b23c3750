"""The rules about a village's past teams, hard or soft as the policy says: one function per
rule id, giving ``None`` where the rule bars the unit (hard) and otherwise the soft points
the unit's new team there earns or costs (0 when the rule is silent)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from optimizer.data.domain import Posting
from optimizer.policy import Policy
from optimizer.rules.eligibility import previous_period

if TYPE_CHECKING:  # the instance is built with these rules: only its type is needed here
    from optimizer.rules.instance import Instance

SOFT_SCALE = 10
"""Soft weights are multiplied by this so travel can be charged per km in whole points
(the one scale of every soft term; :mod:`optimizer.rules.scoring` uses it too)."""


def rule_H_CONTINUITY(inst: Instance, uid: str, vid: str) -> int | None:
    """H-CONTINUITY: a village assisted in the previous period keeps its unit — a bar (Hebei)
    or a bonus for the unit that keeps it (soft)."""
    return continuity_points(inst.policy, inst.prev_units.get(vid), uid, inst.ds.units[uid].level)


def continuity_points(policy: Policy, keep: set[str] | None, uid: str, level: str) -> int | None:
    """H-CONTINUITY for a unit ``uid`` of ``level`` at a village kept by the units ``keep``:
    ``None`` where the policy bars it, else its soft points. The rule on raw values, for the
    pin precheck as for the model."""
    if policy.continuity == "hard":
        if not keep or uid in keep:
            return 0
        # in county_townships mode members come from townships whatever the lead unit
        township = level == "township"
        return 0 if policy.members_from == "county_townships" and township else None
    if policy.continuity == "soft" and policy.weights.continuity and uid in (keep or ()):
        return policy.weights.continuity * SOFT_SCALE
    return 0


def province_before(history: list[Posting], at: date) -> set[str]:
    """H-PROVVILLAGE: the villages whose previous period (ended by ``at``) had a
    province-level team."""
    return {
        vid
        for vid, rows in previous_period(history, at).items()
        if any(p.level == "province" for p in rows)
    }


def provvillage_points(policy: Policy, level: str, had_province: bool) -> int | None:
    """H-PROVVILLAGE for a new team from a ``level`` unit at a village that had (or not) a
    province-level team in the previous period: ``None`` where the policy bars it, else its
    soft points. The rule on raw values, for the pin precheck as for the model."""
    if not (had_province and level == "province"):
        return 0
    if policy.provvillage == "hard":
        return None
    if policy.provvillage == "soft" and policy.weights.provvillage:
        return -policy.weights.provvillage * SOFT_SCALE
    return 0


def rule_H_PROVVILLAGE(inst: Instance, uid: str, vid: str) -> int | None:
    """H-PROVVILLAGE: no province-level team where the previous period had one — a bar or,
    soft, a cost."""
    return provvillage_points(inst.policy, inst.ds.units[uid].level, vid in inst.prev_province)


class UnitBars:
    """H-CONTINUITY and H-PROVVILLAGE over millions of (unit, village) pairs (the flow and the
    shape ask of every pair at province scale): each rule asked once per (unit level,
    village, whether the unit kept the village) — all either reads of the unit."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.seen: dict[tuple[str, str, bool], str | None] = {}

    def key(self, uid: str, vid: str) -> tuple[str, str, bool]:
        return self.inst.ds.units[uid].level, vid, uid in self.inst.prev_units.get(vid, ())

    def barred(self, uid: str, vid: str) -> str | None:
        """The rule that keeps ``uid`` out of ``vid``'s team, or None."""
        key = self.key(uid, vid)
        if key not in self.seen:
            self.seen[key] = (
                "H-CONTINUITY"
                if rule_H_CONTINUITY(self.inst, uid, vid) is None
                else "H-PROVVILLAGE"
                if rule_H_PROVVILLAGE(self.inst, uid, vid) is None
                else None
            )
        return self.seen[key]
