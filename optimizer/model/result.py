"""What a solve returns: a :class:`Status`, the postings, coverage per class and the bounds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from optimizer.rules.instance import Instance

if TYPE_CHECKING:
    from optimizer.plans.build import Plan
    from optimizer.plans.reference import Reference

Progress = Callable[[str], None]
"""Where a solve reports progress: one line of text at a time."""


class Status(StrEnum):
    """How a solve ended. A string enum: ``Status.OPTIMAL == "OPTIMAL"``, and manifests and
    KPI files keep the plain word."""

    OPTIMAL = "OPTIMAL"
    """Coverage and soft points proven best."""
    FEASIBLE = "FEASIBLE"
    """A plan meeting every hard rule, not proven best."""
    INFEASIBLE = "INFEASIBLE"
    """No plan meets the hard rules (require pins that contradict them)."""
    UNKNOWN = "UNKNOWN"
    """No plan in time."""


@dataclass
class Assignment:
    cadre_id: str
    village_id: str
    role: str


@dataclass
class SolveResult:
    """What a solve produced; ``interrupted`` marks a run stopped by the user."""

    status: Status
    instance: Instance
    assignments: list[Assignment] = field(default_factory=list)
    covers: list[tuple[str, str]] = field(default_factory=list)
    """(host village, covered village) pairs (C-CLUSTER)."""
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Priority class → (required posts filled, required posts)."""
    objective: float | None = None
    """Soft objective of the plan, in points (tier 2)."""
    bound: float | None = None
    gap: float | None = None
    coverage_proven: bool = False
    coverage_bound: dict[str, int] = field(default_factory=dict)
    """Priority class → required posts no plan can exceed (a proven bound; empty when the
    coverage is proven by the solve itself)."""
    posts_bound: int | None = None
    """Required posts no plan can exceed, all classes together."""
    wall_time: float = 0.0
    interrupted: bool = False
    seats: dict[tuple[str, str, str], int] = field(default_factory=dict, repr=False)
    """(unit, village, role) → posts the master model gave; people are seated from it."""
    notes: list[str] = field(default_factory=list)
    phases: list[dict[str, Any]] = field(default_factory=list)
    seed: int = 0
    workers: int = 2
    time_limit: float | None = None
    deterministic_time: float = 0.0
    """CP-SAT's deterministic time spent (machine-independent work units)."""
    dtime_left: float | None = field(default=None, repr=False)
    """Deterministic time this solve may still spend (a decomposed part's budget), if any."""
    reference: Reference | None = field(default=None, repr=False)
    """The plan ties were broken toward, if any."""

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @cached_property
    def tables(self) -> Plan:
        """SPEC §6 tables (plan, teams, unstaffed), KPIs and manifest of this result."""
        from optimizer.plans.build import build_plan  # the plan tables are built on demand

        return build_plan(self)

    @property
    def plan(self) -> pd.DataFrame:
        return self.tables.plan

    @property
    def has_plan(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    @property
    def all_filled(self) -> bool:
        return all(f == r for f, r in self.coverage.values())


def filled_by_class(
    inst: Instance, assignments: list[Assignment], covers: list[tuple[str, str]], villages=None
) -> dict[str, int]:
    """Required posts filled per priority class by these postings, counted as the master does
    (T-SIZE, T-SEC, C-CLUSTER): min(team, minimum), one less without a first secretary, all
    when covered; over ``villages`` only, if given."""
    size = {v: len(inst.inc_by_village.get(v, [])) for v in inst.need}
    secs = {p.village_id for p in inst.incumbents if p.role == "secretary"}
    for a in assignments:
        size[a.village_id] += 1
        if a.role == "secretary":
            secs.add(a.village_id)
    covered = {w for _, w in covers}
    got: dict[str, int] = {}
    for v, k in inst.cls.items():
        if villages is not None and v not in villages:
            continue
        need = inst.need[v].min
        got[k] = got.get(k, 0) + (
            need if v in covered else min(need if v in secs else need - 1, size[v])
        )
    return got
