"""CP-SAT plumbing shared by every exact solve: parameters, one recorded phase, progress lines,
hints and reading the master's decisions."""

from __future__ import annotations

import copy
import time
from typing import Any

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import ResponseHelper

from optimizer.model.master import PlanModel
from optimizer.model.result import Progress, SolveResult, Status


class Watch(cp_model.CpSolverSolutionCallback):
    """Progress on stderr and the stop switch for Ctrl-C."""

    def __init__(self, label: str, t0: float, say: Progress | None, filled: Any | None):
        super().__init__()
        self.label, self.t0, self.say, self.filled = label, t0, say, filled
        self.last = 0.0
        self.trace: list[tuple[float, float, float]] = []

    def on_solution_callback(self) -> None:
        now = time.monotonic() - self.t0
        obj, bound = self.objective_value, self.best_objective_bound
        self.trace.append((now, obj, bound))
        if self.say and (now - self.last >= 1.0 or len(self.trace) == 1):
            self.last = now
            gap = abs(bound - obj) / max(1.0, abs(obj))
            posts = (
                f", posts filled {int(self.value(self.filled))}" if self.filled is not None else ""
            )
            self.say(
                f"[{now:7.1f}s] {self.label}: best {obj:.0f}, bound {bound:.0f}, "
                f"gap {100 * gap:.2f}%{posts}"
            )


def set_params(
    solver: cp_model.CpSolver,
    seed: int,
    workers: int,
    seconds: float,
    dtime: float | None = None,
    inprocessing: bool = True,
    keep_hint: bool = False,
) -> None:
    """One LP-heavy search thread per CP-SAT solve: deterministic (CP-SAT is deterministic
    single-threaded) and, measured on the county sample, 2–5× faster to a proven optimum than
    two interleaved workers (e.g. 5.0 s vs 23–29 s). ``workers`` is spent on solving
    independent parts side by side, not on threads inside one solve."""
    del workers
    p = solver.parameters
    p.random_seed = seed
    p.num_workers = 1
    p.linearization_level = 2
    p.cp_model_probing_level = 2  # CP-SAT's default; the reference stage turns it off
    # two presolve rounds, not three: the third's probing rarely pays for itself (the soft
    # stage of the sample, two generated counties and county-201 under three presets, three
    # runs: median 0.89–0.93× the time to a proven optimum, slowest 6.9 s against 8.2 s)
    p.max_presolve_iterations = 2
    # CP-SAT's default; off in the coverage and soft stages (measured there, see their notes)
    p.use_sat_inprocessing = inprocessing
    # a search from a complete hint: presolve keeps every feasible solution, so the hint
    # survives it (else its symmetry reductions may break the hint, and CP-SAT repairs it
    # into a worse plan: a county of 372 villages under hebei-2018 spent its 38 s below the
    # greedy start it was given; with this, the start at 2.2 s and proven optimal at 4.4 s)
    p.keep_all_feasible_solutions_in_presolve = keep_hint
    p.max_time_in_seconds = max(0.01, seconds)
    # a deterministic budget stops the search at the same point on any machine and load
    p.max_deterministic_time = float("inf") if dtime is None else max(0.01, dtime)
    p.log_search_progress = False
    p.catch_sigint_signal = False  # ours: see optimizer.model.interrupt


def remaining(deadline: float | None) -> float:
    return 1e9 if deadline is None else max(0.0, deadline - time.monotonic())


def run_phase(
    solver: cp_model.CpSolver,
    m: cp_model.CpModel,
    res: SolveResult,
    record: dict[str, Any],
    watch: Watch | None,
    seed: int,
    deadline: float | None,
    inprocessing: bool = True,
    keep_hint: bool = False,
) -> int | None:
    """One tier's solve, recorded in ``res.phases``. Returns the status, or None when the run
    must stop: infeasible (contradictory require pins) or no solution in time."""
    set_params(solver, seed, 1, remaining(deadline), res.dtime_left, inprocessing, keep_hint)
    status = solver.solve(m, watch) if watch is not None else solver.solve(m)
    spend(res, solver)
    res.phases.append(
        {
            **record,
            "status": solver.status_name(status),
            "objective": solver.objective_value if ok(status) else None,
            "bound": solver.best_objective_bound,
            "wall": solver.wall_time,
            "trace": watch.trace if watch is not None else [],
        }
    )
    if status == cp_model.INFEASIBLE:
        res.status = Status.INFEASIBLE
        res.notes.append(
            "the require pins contradict each other or the other hard rules "
            "(P-PIN): no plan satisfies them all"
        )
        return None
    if not ok(status):
        res.status = Status.UNKNOWN
        return None
    return status


def spend(res: SolveResult, solver: cp_model.CpSolver) -> None:
    res.deterministic_time += solver.deterministic_time
    if res.dtime_left is not None:
        res.dtime_left -= solver.deterministic_time


def ok(status: int) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def hint_from(pm: PlanModel, solver: cp_model.CpSolver) -> None:
    """The last search's plan as the next one's hint, every variable set: a complete hint is
    the next search's first solution, where CP-SAT left to complete a partial one starts
    afresh (a realistic county of seed 31 under hebei-2018: the relocation stage's first
    plan filled 246 required posts, not the key stage's 512)."""
    m = pm.m
    m.clear_hints()
    for i, value in enumerate(solver.response_proto.solution):
        m.add_hint(m.get_int_var_from_proto_index(i), value)


class Kept:
    """A search's plan kept after the solver moves on, read as from the solver: a later
    stage the clock cuts before its first plan leaves none of its own, and this one stands
    (a realistic county of seed 31 under hebei-2018: 510 required posts, not the start's
    499)."""

    def __init__(self, solver: cp_model.CpSolver) -> None:
        self.response = copy.deepcopy(solver.response_proto)

    def value(self, expr: Any) -> int:
        return ResponseHelper.value(self.response, expr)

    def boolean_value(self, literal: Any) -> bool:
        return ResponseHelper.boolean_value(self.response, literal)


def extract(pm: PlanModel, solver: cp_model.CpSolver | Kept, res: SolveResult) -> None:
    """Keep the master's decisions; people are seated once, after the last master solve."""
    seats: dict[tuple[str, str, str], int] = {}
    for (u, v), var in pm.t.items():
        if solver.value(var):
            seats[(u, v, "secretary")] = 1
    for (u, v), var in pm.n.items():
        k = solver.value(var)
        if k:
            seats[(u, v, "member")] = int(k)
    res.seats = seats
    res.covers = sorted(k for k, var in pm.cover.items() if solver.boolean_value(var))
