"""A team's units on raw data (T-UNIT, J-JOINT): who may lead a village's new team, whose
members may join it, and which units may form a joint team. The model states these rules as
constraints (:mod:`optimizer.model.constraints`); the reasons and alternatives ask them of one
village at a time, with these functions."""

from __future__ import annotations

from collections.abc import Iterable

from optimizer.data.domain import Posting, Unit
from optimizer.policy import Policy
from optimizer.rules.eligibility import joint_small
from optimizer.rules.instance import SEC


def members_follow_lead(policy: Policy) -> bool:
    """T-UNIT: the members come from the lead unit (its joint partners included); in
    ``county_townships`` mode they come from townships whatever the lead."""
    return policy.members_from == "lead_unit"


def joint_groups(units: dict[str, Unit], policy: Policy) -> dict[str, frozenset[str]]:
    """J-JOINT: unit → the units it may form a joint team with, itself included: the small
    units (:func:`~optimizer.rules.eligibility.joint_small`) of its level and region. Units
    that may not join a joint team are not listed."""
    groups: dict[tuple, set[str]] = {}
    for uid, u in units.items():
        if joint_small(u, policy):
            groups.setdefault((u.level, u.region), set()).add(uid)
    return {uid: frozenset(g) for g in groups.values() for uid in g}


def team_leads(
    incumbents: list[Posting], candidates: Iterable[str], lead_only: bool
) -> list[str | None]:
    """T-UNIT, L-LEADER: the units that may lead a village's team, sorted; ``[None]`` where an
    incumbent first secretary serves (the team's lead is kept). ``candidates``: units with a
    possible first secretary; ``lead_only`` (:func:`members_follow_lead`): a team of
    incumbents keeps their units, so only those may lead it."""
    if any(p.role == SEC for p in incumbents):
        return [None]
    leads: list[str | None] = sorted(set(candidates))
    inc_units = {p.unit_id for p in incumbents}
    if lead_only and inc_units:
        leads = [u for u in leads if u in inc_units]
    return leads


def team_units(
    lead: str | None,
    incumbents: list[Posting],
    lead_only: bool,
    partners: dict[str, frozenset[str]] | None,
) -> set[str]:
    """T-UNIT, J-JOINT: the units whose members may join a team led by ``lead`` (``None``: the
    incumbents' team), when the members follow the lead (``lead_only``); ``partners``: the
    policy's :func:`joint_groups`, ``None`` without joint teams."""
    inc_units = {p.unit_id for p in incumbents}
    units = {lead} if lead is not None else set(inc_units)
    if lead_only and partners is not None:
        first = lead or min(inc_units, default=None)
        units |= partners.get(first, frozenset()) if first is not None else set()
    return units


__all__ = ["joint_groups", "members_follow_lead", "team_leads", "team_units"]
