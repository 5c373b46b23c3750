"""One solve as plain data: what ``run`` ships to a worker process or a Dask worker, and back.

:func:`solve_job` is top-level so it pickles by reference; each job carries its own edited
dataset and policy, so workers need no access to the input files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from threading import Event

from optimizer.data.domain import Dataset
from optimizer.data.errors import InputError, Problem
from optimizer.model.result import Progress
from optimizer.model.solve import solve
from optimizer.plans.build import Plan
from optimizer.plans.reference import Reference
from optimizer.policy import Policy


@dataclass
class Job:
    """One solve, as shipped to a worker process or a Dask worker."""

    name: str
    dataset: Dataset
    policy: Policy
    plan_date: date
    time_limit: float | None
    seed: int
    workers: int
    reference: Reference | None = None
    """The plan ties are broken toward (:mod:`optimizer.plans.reference`)."""


@dataclass
class Solved:
    name: str
    status: str
    has_plan: bool
    all_filled: bool
    plan: Plan | None
    notes: list[str]
    wall_time: float
    problems: list[Problem] = field(default_factory=list)
    """Bad input found by the solver (a pin no rule allows), carried back as data."""
    reference: str | None = None
    """The folder of the reference plan ties were broken toward, if any."""
    interrupted: bool = False
    """Stopped before its time limit (the plan is the best found by then)."""


def solve_job(job: Job, progress: Progress | None = None, stop: Event | None = None) -> Solved:
    """Solve one job; runs in a worker. ``progress`` gets the solve's progress lines; setting
    ``stop`` ends the search early, the best plan so far kept (``Solved.interrupted``)."""
    try:
        res = solve(
            job.dataset,
            job.policy,
            job.plan_date,
            time_limit=job.time_limit,
            seed=job.seed,
            workers=job.workers,
            reference=job.reference,
            progress=progress,
            stop=stop,
        )
    except InputError as exc:
        return Solved(job.name, "BAD_INPUT", False, False, None, [], 0.0, list(exc.problems))
    plan = res.tables if res.has_plan else None
    ref = job.reference.source if job.reference is not None else None
    return Solved(
        job.name,
        res.status,
        res.has_plan,
        res.all_filled,
        plan,
        list(res.notes),
        res.wall_time,
        reference=ref or None,
        interrupted=res.interrupted,
    )
