"""Re-solve a plan after a planner's pins, with minimal change (调整后重算).

A planner reads a plan, pins (指定) someone to a village or forbids (排除) a posting, and wants
the plan again with as little disruption as the pins allow. :func:`resolve_with_pins` adds the
pins to the dataset and solves with the old plan as a *minimal-change* reference
(:mod:`optimizer.model.change`), lexicographically:

1. coverage per priority class — never below what the pins allow (the old plan's, or better);
2. changed postings — as few as possible (one per cadre whose village or role differs: the
   count of ``changes.csv`` and of ``plan_diff``);
3. the soft points, with both held.

Unlike a recall repair (:func:`optimizer.terms.replan.replan`) nothing is frozen: any posting
may change, but each change must pay for itself in coverage. Every difference from the old
plan is one row of ``changes.csv``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from threading import Event

import pandas as pd

from optimizer.data.domain import Dataset, Pin
from optimizer.data.loading import load_dataset
from optimizer.model.result import Progress, SolveResult
from optimizer.model.solve import solve
from optimizer.plans.build import Plan, write_plan
from optimizer.plans.reference import read_reference
from optimizer.policy import Policy, load_policy
from optimizer.terms.changes import CHANGE_COLUMNS, changes
from optimizer.terms.recall import read_base_plan


@dataclass
class Adjusted:
    """The re-solved plan, its change list against the old plan, and the solve's result."""

    plan: Plan | None
    changes: pd.DataFrame
    result: SolveResult

    @property
    def changed(self) -> int:
        """Changed postings: cadres whose village or role differs from the old plan."""
        return len(self.changes)


def with_pins(ds: Dataset, pins: Iterable[Pin]) -> Dataset:
    """The dataset with ``pins`` added: a pin on the same (cadre, village) replaces the old
    one, and a new require pin of a cadre replaces that cadre's earlier require pin."""
    out = list(ds.pins)
    for pin in pins:
        out = [
            p
            for p in out
            if (p.cadre_id, p.village_id) != (pin.cadre_id, pin.village_id)
            and not (pin.kind == "require" == p.kind and p.cadre_id == pin.cadre_id)
        ]
        out.append(pin)
    return dataclasses.replace(ds, pins=out)


def resolve_with_pins(
    dataset: Dataset | str | Path,
    plan_dir: str | Path,
    policy: Policy | str | Path,
    pins: Iterable[Pin] = (),
    at: date | None = None,
    *,
    time_limit: float | None = 60.0,
    seed: int = 0,
    workers: int = 2,
    progress: Progress | None = None,
    stop: Event | None = None,
) -> Adjusted:
    """Re-solve the plan in ``plan_dir`` with ``pins`` added to ``dataset``, changing as few
    postings as coverage allows. ``at``: the plan date (default: the old plan's). Raises only
    :class:`~optimizer.data.errors.InputError` (a pin no rule allows, a plan that does not
    belong to the dataset); a failed solve comes back as ``result.status``."""
    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset)
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    base = read_base_plan(plan_dir, ds)
    reference = dataclasses.replace(read_reference(plan_dir), minimal_change=True)
    pinned = with_pins(ds, pins)
    res = solve(pinned, pol, at or base.plan_date, time_limit=time_limit, seed=seed,
                workers=workers, progress=progress, reference=reference, stop=stop)  # fmt: skip
    if not res.has_plan:
        return Adjusted(None, pd.DataFrame(columns=CHANGE_COLUMNS), res)
    plan = res.tables
    return Adjusted(plan, changes(base, plan.plan, {}, pinned, "pins"), res)


def write_adjusted(adj: Adjusted, out: str | Path) -> None:
    """The plan folder (SPEC §6 outputs) plus ``changes.csv``."""
    if adj.plan is None:
        raise ValueError("no plan to write")
    write_plan(adj.plan, Path(out), extra={"changes.csv": adj.changes})


__all__ = ["Adjusted", "resolve_with_pins", "with_pins", "write_adjusted"]
