"""`solve()`: dataset + policy → plan. Never raises on infeasible, timeout or Ctrl-C: those come
back as a :class:`~optimizer.model.result.Status`.

Small problems are solved exactly on one master model (:mod:`optimizer.model.exact`); large
ones county by county, tied together province-wide (:mod:`optimizer.scale.decompose`).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data.domain import Dataset
from optimizer.model.exact import solve_instance
from optimizer.model.interrupt import catch_sigint
from optimizer.model.params import SolveParams
from optimizer.model.result import Progress, SolveResult
from optimizer.plans.reference import Reference
from optimizer.policy import Policy, load_policy
from optimizer.rules.instance import build_instance
from optimizer.rules.pins import check_pins
from optimizer.scale.budget import Budget
from optimizer.scale.decompose import should_decompose, solve_parts


def solve(
    dataset: Dataset | str | Path,
    policy: Policy | str | Path,
    plan_date: date | None = None,
    params: SolveParams | None = None,
    *,
    progress: Progress | None = None,
    reference: Reference | None = None,
    stop: threading.Event | None = None,
    **settings: Any,
) -> SolveResult:
    """Build and solve the plan. Raises only :class:`InputError` (bad data, bad policy, or a
    pin no rule allows); infeasible, timeout and Ctrl-C come back as a status.

    ``params``: how to solve (:class:`~optimizer.model.params.SolveParams`); keyword
    ``settings`` (``time_limit=``, ``seed=``, ``workers=``, ``method=``, ``handle_sigint=``)
    change single fields of it. ``reference``: a plan to break ties toward
    (:mod:`optimizer.plans.reference`); coverage and the soft objective are never worse for it.
    ``stop``: an event another thread sets to end the search early, as Ctrl-C does (the best
    plan so far is returned, marked interrupted)."""
    from optimizer.data.loading import load_dataset  # pandas' readers: only when given a path

    params = dataclasses.replace(params or SolveParams(), **settings)
    t0 = time.monotonic()
    if not isinstance(dataset, Dataset):
        dataset = load_dataset(dataset)
    if not isinstance(policy, Policy):
        policy = load_policy(policy)
    plan_date = plan_date or date.today()
    check_pins(dataset, policy, plan_date)
    inst = build_instance(dataset, policy, plan_date)
    if params.method == "decompose" or (
        params.method == "auto" and should_decompose(inst, params.tuning)
    ):
        deadline = None if params.time_limit is None else t0 + params.time_limit
        stop = threading.Event() if stop is None else stop
        restore = catch_sigint(None, stop) if params.handle_sigint else None
        try:
            res = solve_parts(inst, params, Budget(t0, deadline, stop), progress, reference)
        finally:
            if restore is not None:
                restore()
        res.time_limit, res.interrupted = params.time_limit, stop.is_set()
        res.wall_time = time.monotonic() - t0
        return res
    return solve_instance(inst, params, t0, progress=progress, reference=reference, stop=stop)
