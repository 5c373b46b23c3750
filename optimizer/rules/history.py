"""The rules about a village's past teams, hard or soft as the policy says: one function per
rule id, giving ``None`` where the rule bars the unit (hard) and otherwise the soft points
the unit's new team there earns or costs (0 when the rule is silent)."""

from __future__ import annotations

from optimizer.rules.instance import Instance

SOFT_SCALE = 10
"""Soft weights are multiplied by this so travel can be charged per km in whole points
(the one scale of every soft term; :mod:`optimizer.rules.scoring` uses it too)."""


def rule_H_CONTINUITY(inst: Instance, uid: str, vid: str) -> int | None:
    """H-CONTINUITY: a village assisted in the previous period keeps its unit — a bar (Hebei)
    or a bonus for the unit that keeps it (soft)."""
    pol = inst.policy
    prev = inst.prev_units.get(vid)
    if pol.continuity == "hard":
        if not prev or uid in prev:
            return 0
        # in county_townships mode members come from townships whatever the lead unit
        township = inst.ds.units[uid].level == "township"
        return 0 if pol.members_from == "county_townships" and township else None
    if pol.continuity == "soft" and pol.weights.continuity and uid in (prev or ()):
        return pol.weights.continuity * SOFT_SCALE
    return 0


def rule_H_PROVVILLAGE(inst: Instance, uid: str, vid: str) -> int | None:
    """H-PROVVILLAGE: no province-level team where the previous period had one — a bar or,
    soft, a cost."""
    pol = inst.policy
    again = vid in inst.prev_province and inst.ds.units[uid].level == "province"
    if not again:
        return 0
    if pol.provvillage == "hard":
        return None
    if pol.provvillage == "soft" and pol.weights.provvillage:
        return -pol.weights.provvillage * SOFT_SCALE
    return 0
