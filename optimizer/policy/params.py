"""The parameters of every rule (SPEC §4) as plain frozen data: what a loaded policy is.

Reading and checking policy files lives in :mod:`optimizer.policy.load` and
:mod:`optimizer.policy.schema`; the model and the checks only ever see these classes.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any

from optimizer.data.domain import KINDS

REQUIREMENT_KEYS = (
    "key",
    "relocation_large",
    "relocation_small",
    "exited",
    "demo",
    "weak",
    "red",
    "problem",
    "heavy",
    "other",
)
"""Team-size rows of SPEC §4. ``relocation`` splits by relocated population (≥ 500 / 100–499)."""


@dataclass(frozen=True)
class Requirement:
    """One category row: team size (first secretary included) and who may fill it (LV-LEVEL)."""

    min: int
    max: int
    secretary_levels: tuple[str, ...] | None = None
    member_levels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LeaderRank:
    """L-RANK for one sending level. Met by any listed alternative; no alternative = no rule."""

    min_rank: str | None = None
    middle_manager_kinds: tuple[str, ...] = ()
    young_pool: bool = False
    applies_to: tuple[str, ...] = KINDS

    @property
    def active(self) -> bool:
        return bool(self.min_rank or self.middle_manager_kinds or self.young_pool)


@dataclass(frozen=True)
class Joint:
    enabled: bool = False
    levels: tuple[str, ...] = ()
    staff_max: int = 40
    max_units: int = 3


@dataclass(frozen=True)
class Cluster:
    hosts: tuple[str, ...] = ()
    coverable: tuple[str, ...] = ()
    max_extra: int = 2
    adjacency_km: float = 5.0


@dataclass(frozen=True)
class Young:
    pool: bool = True
    section_max_age: int | None = None
    deputy_section_max_age: int | None = None
    grassroots_years_below: float | None = None


@dataclass(frozen=True)
class Weights:
    """Soft-term weights, in objective points; only ever traded after coverage (SPEC §3)."""

    party: int = 10
    young: int = 5
    expert: int = 5
    fit: int = 4
    travel_per_10km: int = 1
    provvillage: int = 30
    continuity: int = 40
    provkey: int = 0
    """S-PROVKEY: penalty per new province-level team at a village without the ``key`` flag
    (0 = off; Hunan only)."""


@dataclass(frozen=True)
class Policy:
    name: str
    description: str
    term_years: int
    max_age: int | None
    sec_min_party_years: int
    sec_min_work_years: int
    township_ban: bool
    eval_ban: bool
    requirements: dict[str, Requirement | None]
    secretary_levels: tuple[str, ...]
    member_levels: tuple[str, ...]
    level_scope: dict[str, tuple[str, ...]]
    leader_rank: dict[str, LeaderRank]
    members_from: str
    joint: Joint
    cluster: Cluster
    must_send_staff_min: int | None
    continuity: str
    provvillage: str
    young: Young
    weights: Weights
    resolved: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The fully merged document, as recorded in manifests."""

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.resolved) if self.resolved else asdict(self)
