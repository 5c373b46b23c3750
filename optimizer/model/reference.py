"""Tier 3 of the exact solve (:mod:`optimizer.model.exact`): with coverage and the soft
objective held, the plan closest to a reference plan — ties only."""

from __future__ import annotations

from ortools.sat.python import cp_model

from optimizer.model.cpsat import extract, hint_from, ok, remaining, set_params, spend
from optimizer.model.master import PlanModel
from optimizer.model.objective import soft_objective
from optimizer.model.params import SolveParams
from optimizer.model.result import SolveResult
from optimizer.plans.reference import agreement


def reference_stage(
    pm: PlanModel,
    solver: cp_model.CpSolver,
    res: SolveResult,
    params: SolveParams,
    deadline: float | None,
) -> None:
    """Reference stage: coverage per class (already held) and the soft objective at least
    the value found, maximise agreement with the reference plan. The hint is the whole
    plan found (every variable), so the stage starts from it and can only keep it or find
    an equally good plan closer to the reference."""
    ref = res.reference
    if ref is None or ref.minimal_change or remaining(deadline) <= 0.5:
        return
    found = list(solver.response_proto.solution)
    expr, added = agreement(pm, ref)
    if expr is None or not found:
        return
    t = params.tuning
    budget = min(t.tie_max, max(t.tie_min, t.tie_share * res.deterministic_time))
    if res.dtime_left is not None:
        budget = min(budget, res.dtime_left)
    if budget <= 0.01:
        return
    m = pm.m
    if pm.soft_terms and res.objective is not None:
        m.add(soft_objective(pm) >= round(res.objective))
    hint_from(pm, solver)  # the whole plan found
    for var, n, k in added:
        m.add_hint(var, min(k, found[n.index]))
    m.maximize(expr)
    wall = remaining(deadline)
    set_params(solver, params.seed, 1, wall, budget)
    # agreement needs no LP: without it and probing the stage is ~3x faster (sample)
    solver.parameters.linearization_level = 0
    solver.parameters.cp_model_probing_level = 0
    status = solver.solve(m)
    spend(res, solver)
    res.phases.append({"phase": "reference", "status": solver.status_name(status),
                       "objective": solver.objective_value if ok(status) else None,
                       "bound": solver.best_objective_bound, "wall": solver.wall_time,
                       "trace": []})  # fmt: skip
    # stopped by the clock, the stage's plan depends on the machine: keep the plan found,
    # so the same inputs still give the same plan
    clock = status != cp_model.OPTIMAL and solver.wall_time >= wall - 0.05
    if clock:
        res.phases[-1]["by"] = "time limit: the plan found is kept"
    if ok(status) and not clock:
        extract(pm, solver, res)
        if pm.soft_terms and res.objective is not None:
            res.objective = max(res.objective, float(solver.value(soft_objective(pm))))
