"""What SPEC §3 asks of each village, re-derived from the policy (never taken from the
planner): team size bounds and the levels that may send its secretary and members (SPEC §4),
and the city a village lies in (LV-REGION)."""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.data.domain import CATEGORIES, LEVELS, Village
from optimizer.policy import Policy


@dataclass(frozen=True)
class Need:
    """A village's requirement under a policy."""

    min: int
    max: int
    sec_levels: frozenset[str]
    mem_levels: frozenset[str]
    flags: tuple[str, ...]
    """Flags that carry a requirement, in priority order."""


def requirement_key(flag: str, v: Village) -> str | None:
    if flag != "relocation":
        return flag
    pop = v.relocated_pop
    if pop is None or 100 <= pop < 500:
        return "relocation_small"
    return "relocation_large" if pop >= 500 else None


def need(v: Village, pol: Policy) -> Need | None:
    """The requirement of the village's flags together; None when none carries one."""
    found = []
    for flag in CATEGORIES:  # priority order
        if flag not in v.categories:
            continue
        key = requirement_key(flag, v)
        req = pol.requirements.get(key) if key else None
        if req is not None:
            found.append((flag, req))
    if not found:
        return None
    lo = max(r.min for _, r in found)
    above = [r.max for _, r in found if r.max >= lo]
    hi = min(above) if above else lo
    sec = set(LEVELS)
    mem = set(LEVELS)
    for _, r in found:
        sec &= set(r.secretary_levels or pol.secretary_levels)
        mem &= set(r.member_levels or pol.member_levels)
    for level, flags in pol.level_scope.items():
        if not (v.categories & set(flags)):
            sec.discard(level)
            mem.discard(level)
    return Need(lo, hi, frozenset(sec), frozenset(mem), tuple(f for f, _ in found))


def city_of(v: Village) -> str | None:
    if v.city:
        return v.city
    if len(v.county) == 6 and v.county.isdigit():
        return v.county[:4] + "00"
    return None
