"""`solve()`: dataset + policy → plan. Never raises on infeasible, timeout or Ctrl-C.

Two tiers, solved in order on one model (SPEC §3, posts and shortfall):
1. coverage — required posts filled, lexicographically by priority class (weak first). When the
   weighted sum fits in 50 bits one solve does it; otherwise one solve per class.
2. soft terms — with every class held at its coverage, maximise the soft objective.
Each solve is hinted with the previous one. Reproducibility: a fixed seed, the given worker
count and ``interleave_search`` make CP-SAT's parallel search deterministic; a run stopped by
the wall-clock limit is the one thing that can differ between runs, and its status says so.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from ortools.sat.python import cp_model

from optimizer.bounds import fill_bounds
from optimizer.data.domain import Dataset
from optimizer.decompose import should_decompose, solve_parts
from optimizer.instance import MEM, SEC, Instance, build_instance, class_order
from optimizer.model import PlanModel, build_model, soft_objective
from optimizer.pincheck import check_pins
from optimizer.policy import Policy, load_policy
from optimizer.reference import Reference, agreement
from optimizer.shape import build_shape

if TYPE_CHECKING:
    from optimizer.plan import Plan

Progress = Callable[[str], None]


@dataclass
class Assignment:
    cadre_id: str
    village_id: str
    role: str


@dataclass
class SolveResult:
    """What a solve produced. ``status`` is OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN (no plan
    in time); ``interrupted`` marks a run stopped by the user."""

    status: str
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
    _seats: dict[tuple[str, str, str], int] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)
    phases: list[dict[str, Any]] = field(default_factory=list)
    seed: int = 0
    workers: int = 2
    time_limit: float | None = None
    deterministic_time: float = 0.0
    """CP-SAT's deterministic time spent (machine-independent work units)."""
    _dtime_left: float | None = field(default=None, repr=False)
    reference: Reference | None = field(default=None, repr=False)
    """The plan ties were broken toward, if any."""

    @cached_property
    def tables(self) -> Plan:
        """SPEC §6 tables (plan, teams, unstaffed), KPIs and manifest of this result."""
        from optimizer.plan import build_plan

        return build_plan(self)

    @property
    def plan(self) -> pd.DataFrame:
        return self.tables.plan

    @property
    def has_plan(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def all_filled(self) -> bool:
        return all(f == r for f, r in self.coverage.values())


class _Watch(cp_model.CpSolverSolutionCallback):
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
            self.say(f"[{now:7.1f}s] {self.label}: best {obj:.0f}, bound {bound:.0f}, "
                     f"gap {100 * gap:.2f}%{posts}")  # fmt: skip


def _params(solver: cp_model.CpSolver, seed: int, workers: int, seconds: float,
            dtime: float | None = None) -> None:  # fmt: skip
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
    p.max_time_in_seconds = max(0.01, seconds)
    # a deterministic budget stops the search at the same point on any machine and load
    p.max_deterministic_time = float("inf") if dtime is None else max(0.01, dtime)
    p.log_search_progress = False
    p.catch_sigint_signal = False  # ours: see _catch_sigint


def solve(
    dataset: Dataset | str | Path,
    policy: Policy | str | Path,
    plan_date: date | None = None,
    *,
    time_limit: float | None = 60.0,
    seed: int = 0,
    workers: int = 2,
    progress: Progress | None = None,
    handle_sigint: bool = False,
    method: str = "auto",
    reference: Reference | None = None,
    _must_send: set[str] | None = None,
    _skill_rates: dict[str, dict[str, float]] | None = None,
    _dtime: float | None = None,
    _start: dict[str, dict] | None = None,
) -> SolveResult:
    """Build and solve the plan. Raises only :class:`InputError` (bad data, bad policy, or a
    pin no rule allows); infeasible, timeout and Ctrl-C come back as a status.

    ``method``: ``exact`` — one master model for the whole dataset; ``decompose`` — one per
    county, tied by a flow relaxation that also gives the bound (:mod:`optimizer.decompose`);
    ``auto`` — decompose when several counties hold 600 or more villages to staff.

    ``reference``: a plan to break ties toward (:mod:`optimizer.reference`); coverage and the
    soft objective are never worse for it."""
    from optimizer.data.loading import load_dataset

    if method not in ("auto", "exact", "decompose"):
        raise ValueError(f"method must be auto, exact or decompose, not {method!r}")
    t0 = time.monotonic()
    if not isinstance(dataset, Dataset):
        dataset = load_dataset(dataset)
    if not isinstance(policy, Policy):
        policy = load_policy(policy)
    plan_date = plan_date or date.today()
    if _must_send is None:  # the whole problem, not a part: pins are checked once, up front
        check_pins(dataset, policy, plan_date)
    inst = build_instance(dataset, policy, plan_date, _must_send, _skill_rates)
    deadline = None if time_limit is None else t0 + time_limit
    if method == "decompose" or (method == "auto" and should_decompose(inst)):
        stop = threading.Event()
        restore = _catch_sigint(None, stop) if handle_sigint else None
        try:
            res = solve_parts(inst, deadline=deadline, seed=seed, workers=workers,
                              progress=progress, stop=stop, t0=t0, reference=reference)  # fmt: skip
        finally:
            if restore is not None:
                restore()
        res.time_limit, res.interrupted = time_limit, stop.is_set()
        res.wall_time = time.monotonic() - t0
        return res
    shape = build_shape(inst)
    if (
        deadline is not None
        and time.monotonic() + MODEL_SECONDS_PER_PAIR * len(shape.sizes) > deadline
    ):
        quick = _greedy_only(inst, shape, seed, workers, time_limit)
        if quick is not None:
            fill_bounds(quick, inst)
            quick.wall_time = time.monotonic() - t0
            return quick
    pm = build_model(inst)
    if progress:
        progress(f"model: {len(pm.t) + len(pm.n)} unit-village variables, {len(pm.a)} cadre-role variables, {len(inst.need)} villages with a "
                 f"requirement, {len(inst.incumbents)} incumbents kept")  # fmt: skip
    res = SolveResult("UNKNOWN", inst, seed=seed, workers=workers, time_limit=time_limit,
                      notes=list(pm.notes), _dtime_left=_dtime, reference=reference)  # fmt: skip
    solver = cp_model.CpSolver()
    stop = threading.Event()
    restore = _catch_sigint(solver, stop) if handle_sigint else None
    try:
        _run(pm, solver, res, t0, deadline, seed, workers, progress, stop, given=_start)
        if res.status == "RETRY":
            pm = build_model(inst)
            res.phases, res.notes = [], list(pm.notes)
            _run(pm, solver, res, t0, deadline, seed, workers, progress, stop, trust_greedy=False)
    finally:
        if restore is not None:
            restore()
    res.interrupted = stop.is_set()
    if _must_send is None:  # the whole problem: say how good the plan is
        fill_bounds(res, inst)
    res.wall_time = time.monotonic() - t0
    return res


MODEL_SECONDS_PER_PAIR = 1e-4
"""Building the master model takes about this long per (unit, village) pair (sample county:
11,000 pairs, 0.8–1.1 s): with less time than that left, the greedy plan is the answer."""


def _greedy_only(inst: Instance, shape, seed: int, workers: int,
                 time_limit: float | None) -> SolveResult | None:  # fmt: skip
    """The greedy plan as the result, when there is no time to build the model; None when
    it is not valid (pins or U-PARTICIPATE unmet): the model must then be built."""
    from optimizer.greedy import greedy, greedy_is_valid

    sol = greedy(shape)
    if not greedy_is_valid(shape, sol):
        return None
    res = SolveResult("FEASIBLE", inst, seed=seed, workers=workers, time_limit=time_limit)
    res.assignments = [Assignment(c, v, r) for c, v, r in sorted(sol["at"])]
    got = filled_by_class(inst, res.assignments, [])
    classes = class_order(inst)
    need = {k: sum(inst.need[v].min for v, c in inst.cls.items() if c == k) for k in classes}
    res.coverage = {k: (got.get(k, 0), need[k]) for k in classes}
    res.coverage_proven = all(f >= q for f, q in res.coverage.values())
    res.notes.append("time limit: no time to build the model; the plan is the greedy plan, "
                     "valid but not optimised")  # fmt: skip
    return res


def _catch_sigint(solver: cp_model.CpSolver | None,
                  stop: threading.Event) -> Callable[[], None] | None:  # fmt: skip
    """Ctrl-C stops the search and keeps the best plan so far. The main thread sits inside
    CP-SAT's C++ code, where Python handlers cannot run; the interpreter still writes the
    signal to a wakeup pipe, and a watcher thread turns that into ``stop_search()``."""
    if threading.current_thread() is not threading.main_thread():
        return None
    r, w = os.pipe()
    os.set_blocking(w, False)
    old_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    old_handler = signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            ready, _, _ = select.select([r], [], [], 0.2)
            if ready and os.read(r, 64):
                stop.set()
                if solver is not None:
                    solver.stop_search()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()

    def restore() -> None:
        done.set()
        thread.join()
        signal.set_wakeup_fd(old_fd)
        signal.signal(signal.SIGINT, old_handler)
        os.close(r)
        os.close(w)

    return restore


def _remaining(deadline: float | None) -> float:
    return 1e9 if deadline is None else max(0.0, deadline - time.monotonic())


def _run(pm: PlanModel, solver: cp_model.CpSolver, res: SolveResult, t0: float,
         deadline: float | None, seed: int, workers: int, say: Progress | None,
         stop: threading.Event, trust_greedy: bool = True,
         given: dict[str, dict] | None = None) -> None:  # fmt: skip
    """``given``: a valid start from outside (a county's share of the province-wide greedy
    plan), used instead of the model's own greedy when it fills as much, class by class."""
    inst, m = pm.inst, pm.m
    classes = class_order(inst)
    required = {k: sum(inst.need[v].min for v, c in inst.cls.items() if c == k) for k in classes}
    cov = {k: pm.class_coverage(k) for k in classes}
    total_filled = sum(pm.filled.values())
    # ---- tier 1: coverage, lexicographic by class
    from optimizer.greedy import add_hint, greedy_coverage, greedy_is_valid

    start = _best_start(pm, classes, given if trust_greedy else None)
    add_hint(pm, start)
    trusted = trust_greedy and greedy_is_valid(pm, start)
    current = greedy_coverage(pm, start) if trusted else {}
    solved_any = False
    # ---- tier 0: U-PARTICIPATE, every must-send unit that can send does
    if pm.sends:
        if trusted:
            m.add(sum(pm.sends.values()) == len(pm.sends))
        else:
            m.maximize(sum(pm.sends.values()))
            status = _phase(solver, m, res, {"phase": "U-PARTICIPATE"}, None, seed, deadline)
            if status is None:
                return
            m.add(sum(pm.sends.values()) >= round(solver.objective_value))
            for uid, var in pm.sends.items():
                if not solver.boolean_value(var):
                    res.notes.append(
                        f"U-PARTICIPATE: unit {uid} ({pm.inst.ds.units[uid].name}) "
                        "cannot send anyone without breaking another hard rule"
                    )
            current = {}
            _hint(pm, solver)
    """Coverage per class of the incumbent, a solution meeting every constraint added so far."""
    best_cov: dict[str, int] = {}
    proven = True
    for k in classes:
        if stop.is_set():
            break
        if current.get(k, 0) >= required[k]:
            # the incumbent fills every required post of this class: its own upper bound
            best_cov[k] = required[k]
            m.add(cov[k] >= required[k])
            res.phases.append(
                {
                    "phase": "coverage",
                    "classes": [k],
                    "status": "OPTIMAL",
                    "objective": required[k],
                    "bound": required[k],
                    "wall": 0.0,
                    "trace": [],
                    "by": "incumbent fills every post",
                }
            )
            continue
        # this class first; the later classes as a tie-break, so the solution is a good start
        # for their own solves instead of an empty one
        later = classes[classes.index(k) + 1 :]
        weight = 1 + sum(required[j] for j in later)
        m.maximize(weight * cov[k] + sum(cov[j] for j in later))
        watch = _Watch(f"coverage ({k})", t0, say, total_filled)
        status = _phase(solver, m, res, {"phase": "coverage", "classes": [k]}, watch, seed,
                        deadline)  # fmt: skip
        if status is None:
            if res.status == "UNKNOWN" and trusted:
                _fallback(pm, res, start, classes, required, seed, workers)
            return
        solved_any = True
        proven &= status == cp_model.OPTIMAL
        best_cov[k] = int(solver.value(cov[k]))
        proven &= solver.best_objective_bound < weight * (best_cov[k] + 1)
        m.add(cov[k] >= best_cov[k])
        current = {c: int(solver.value(cov[c])) for c in classes}
        _hint(pm, solver)
    if say:
        filled_now = sum(best_cov.values())
        say(
            f"[{time.monotonic() - t0:7.1f}s] coverage: {filled_now}/{sum(required.values())} "
            f"required posts, {'proven maximal' if proven else 'not proven'} in every class"
        )
    res.coverage = {k: (best_cov.get(k, 0), required[k]) for k in classes}
    res.coverage_proven = proven and len(best_cov) == len(classes)
    if solved_any:
        _extract(pm, solver, res)
    else:
        res._seats = {
            **{(u, v, "secretary"): 1 for (u, v) in start["t"]},
            **{(u, v, "member"): k for (u, v), k in start["n"].items() if k},
        }
    res.status = "OPTIMAL" if res.coverage_proven else "FEASIBLE"
    if (
        stop.is_set()
        or _remaining(deadline) <= 0.05
        or (res._dtime_left is not None and res._dtime_left <= 0.01)
    ):
        res.objective = (
            float(solver.value(soft_objective(pm))) if pm.soft_terms and solved_any else None
        )
        res.status = "FEASIBLE"
        _seat(pm, res, seed, workers, 10.0)
        return
    # ---- tier 2: soft terms with coverage held
    if not pm.soft_terms:
        res.objective, res.bound, res.gap = 0.0, 0.0, 0.0
        if solved_any:
            _tie_break(pm, solver, res, seed, deadline)
        _seat(pm, res, seed, workers, max(5.0, _remaining(deadline)))
        return
    m.maximize(soft_objective(pm))
    # no hint here: the coverage solution knows nothing of the soft terms and following it
    # costs the LP-guided search more than it saves (county sample: hunan 6.4 s vs 10.6 s,
    # hebei 16.6 s vs 51.7 s); if no soft solution comes in time the coverage plan stands
    m.clear_hints()
    watch = _Watch("soft terms", t0, say, total_filled)
    # no time is kept back for the reference stage: it runs only in the time the soft stage
    # leaves, so a tie-break never costs the soft objective a point
    _params(solver, seed, workers, _remaining(deadline), res._dtime_left)
    status = solver.solve(m, watch)
    _spend(res, solver)
    name = solver.status_name(status)
    res.phases.append({"phase": "soft", "status": name,
                       "objective": solver.objective_value if _ok(status) else None,
                       "bound": solver.best_objective_bound, "wall": solver.wall_time,
                       "trace": watch.trace})  # fmt: skip
    if _ok(status):
        _extract(pm, solver, res)
        res.objective = solver.objective_value
        res.bound = solver.best_objective_bound
        res.gap = abs(res.bound - res.objective) / max(1.0, abs(res.objective))
        if status != cp_model.OPTIMAL:
            res.status = "FEASIBLE"
        _tie_break(pm, solver, res, seed, deadline)
    elif status == cp_model.INFEASIBLE and not solved_any:
        res.status = "RETRY"  # the greedy start promised coverage it cannot keep: a bug guard
        return
    else:
        res.status = "FEASIBLE"
    _seat(pm, res, seed, workers, max(5.0, _remaining(deadline)))
    if not res.coverage_proven and res.status == "OPTIMAL":
        res.status = "FEASIBLE"


def _best_start(pm: PlanModel, classes: list[str], given: dict | None) -> dict:
    """The start that fills most in priority order, then scores most: the greedy that
    spares scarce units, the greedy that takes the nearest unit, or ``given`` (if it fits).
    When the time runs out before the soft stage finds a plan, this start is the plan."""
    from optimizer.greedy import greedy, greedy_coverage
    from optimizer.parts import plan_points

    own = greedy(pm)
    options = [own, greedy(pm, near_first=True)]
    if given is not None and _better_start(pm, given, own, classes):
        options.append(given)

    def score(sol: dict) -> tuple:
        cov = greedy_coverage(pm, sol)
        people = [Assignment(c, v, r) for c, v, r in sorted(sol["at"])]
        return [cov.get(k, 0) for k in classes], plan_points(pm.inst, people)

    valid = [o for o in options if o is own or o is given or _better_start(pm, o, own, classes)]
    return max(valid, key=score)


def _better_start(pm: PlanModel, given: dict, own: dict, classes: list[str]) -> bool:
    """Whether ``given`` fits the model's variables, meets pins and U-PARTICIPATE, and fills
    at least as much as ``own`` in priority order."""
    from optimizer.greedy import greedy_coverage, greedy_is_valid

    if any(k not in pm.t for k in given["t"]):
        return False
    inst = pm.inst  # every person must be one this model may post there, in that role
    pools = {SEC: pm.sec_pool, MEM: pm.pool}
    for c, v, r in given["at"]:
        if c not in inst.ds.cadres or c not in pools[r](inst.unit_of(c), v):
            return False
    if any(k not in pm.n or x > pm.mem_room[k] for k, x in given["n"].items()):
        return False
    if not greedy_is_valid(pm, given):
        return False
    a, b = greedy_coverage(pm, given), greedy_coverage(pm, own)
    return [a.get(k, 0) for k in classes] >= [b.get(k, 0) for k in classes]


TIE_SHARE, TIE_MIN, TIE_MAX = 0.5, 10.0, 30.0
"""Deterministic budget of the reference stage: this share of the work spent so far, within
[TIE_MIN, TIE_MAX] units (and never past the time limit). Sample county, age-57 against its
baseline: the stage proves the closest plan in 6.2 units."""


def _tie_break(pm: PlanModel, solver: cp_model.CpSolver, res: SolveResult, seed: int,
               deadline: float | None) -> None:  # fmt: skip
    """Reference stage: coverage per class (already held) and the soft objective at least the
    value found, maximise agreement with the reference plan. The hint is the whole plan found
    (every variable), so the stage starts from it and can only keep it or find an equally
    good plan closer to the reference."""
    ref = res.reference
    if ref is None or _remaining(deadline) <= 0.5:
        return
    found = list(solver.response_proto.solution)
    expr, added = agreement(pm, ref)
    if expr is None or not found:
        return
    budget = min(TIE_MAX, max(TIE_MIN, TIE_SHARE * res.deterministic_time))
    if res._dtime_left is not None:
        budget = min(budget, res._dtime_left)
    if budget <= 0.01:
        return
    m = pm.m
    if pm.soft_terms and res.objective is not None:
        m.add(soft_objective(pm) >= round(res.objective))
    m.clear_hints()
    for i, value in enumerate(found):
        m.add_hint(m.get_int_var_from_proto_index(i), value)
    for var, n, k in added:
        m.add_hint(var, min(k, found[n.index]))
    m.maximize(expr)
    wall = _remaining(deadline)
    _params(solver, seed, 1, wall, budget)
    # agreement needs no LP: without it and probing the stage is ~3x faster (sample county)
    solver.parameters.linearization_level = 0
    solver.parameters.cp_model_probing_level = 0
    status = solver.solve(m)
    _spend(res, solver)
    res.phases.append({"phase": "reference", "status": solver.status_name(status),
                       "objective": solver.objective_value if _ok(status) else None,
                       "bound": solver.best_objective_bound, "wall": solver.wall_time,
                       "trace": []})  # fmt: skip
    # stopped by the clock, the stage's plan depends on the machine: keep the plan found, so
    # the same inputs still give the same plan
    clock = status != cp_model.OPTIMAL and solver.wall_time >= wall - 0.05
    if clock:
        res.phases[-1]["by"] = "time limit: the plan found is kept"
    if _ok(status) and not clock:
        _extract(pm, solver, res)
        if pm.soft_terms and res.objective is not None:
            res.objective = max(res.objective, float(solver.value(soft_objective(pm))))


def _fallback(pm: PlanModel, res: SolveResult, start: dict, classes: list[str],
              required: dict[str, int], seed: int, workers: int) -> None:  # fmt: skip
    """Out of time before CP-SAT found a coverage plan: the greedy start is a valid plan."""
    from optimizer.greedy import greedy_coverage

    got = greedy_coverage(pm, start)
    res.coverage = {k: (got.get(k, 0), required[k]) for k in classes}
    res._seats = {
        **{(u, v, "secretary"): 1 for (u, v) in start["t"]},
        **{(u, v, "member"): k for (u, v), k in start["n"].items() if k},
    }
    res.status = "FEASIBLE"
    res.notes.append("time limit reached during the coverage search: the plan is the greedy "
                     "start, not improved by the solver")  # fmt: skip
    _seat(pm, res, seed, workers, 10.0)


def _phase(solver: cp_model.CpSolver, m: cp_model.CpModel, res: SolveResult,
           record: dict[str, Any], watch: _Watch | None, seed: int,
           deadline: float | None) -> int | None:  # fmt: skip
    """One tier's solve, recorded in ``res.phases``. Returns the status, or None when the run
    must stop: infeasible (contradictory require pins) or no solution in time."""
    _params(solver, seed, 1, _remaining(deadline), res._dtime_left)
    status = solver.solve(m, watch) if watch is not None else solver.solve(m)
    _spend(res, solver)
    res.phases.append({**record, "status": solver.status_name(status),
                       "objective": solver.objective_value if _ok(status) else None,
                       "bound": solver.best_objective_bound, "wall": solver.wall_time,
                       "trace": watch.trace if watch is not None else []})  # fmt: skip
    if status == cp_model.INFEASIBLE:
        res.status = "INFEASIBLE"
        res.notes.append("the require pins contradict each other or the other hard rules "
                         "(P-PIN): no plan satisfies them all")  # fmt: skip
        return None
    if not _ok(status):
        res.status = "UNKNOWN"
        return None
    return status


def _spend(res: SolveResult, solver: cp_model.CpSolver) -> None:
    res.deterministic_time += solver.deterministic_time
    if res._dtime_left is not None:
        res._dtime_left -= solver.deterministic_time


def _ok(status: int) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _hint(pm: PlanModel, solver: cp_model.CpSolver) -> None:
    pm.m.clear_hints()
    for group in (pm.t, pm.n, pm.z, pm.a, pm.y, pm.team, pm.cover, pm.sends):
        for var in group.values():
            pm.m.add_hint(var, solver.value(var))


def _extract(pm: PlanModel, solver: cp_model.CpSolver, res: SolveResult) -> None:
    """Keep the master's decisions; people are seated once, after the last master solve."""
    seats: dict[tuple[str, str, str], int] = {}
    for (u, v), var in pm.t.items():
        if solver.value(var):
            seats[(u, v, "secretary")] = 1
    for (u, v), var in pm.n.items():
        k = solver.value(var)
        if k:
            seats[(u, v, "member")] = int(k)
    res._seats = seats
    res.covers = sorted(k for k, var in pm.cover.items() if solver.boolean_value(var))


def _seat(pm: PlanModel, res: SolveResult, seed: int, workers: int, seconds: float) -> None:
    from optimizer.people import seat_people

    del seed, workers, seconds
    prefer = res.reference.postings if res.reference is not None else None
    triples, notes = seat_people(pm.inst, res._seats, pm.pool, pm.sec_pool, prefer)
    # T-SEC: new members never serve where no first secretary could be seated (H-NOREPEAT can
    # leave a unit without a secretary allowed at one of its villages); they stay unposted
    led = {p.village_id for p in pm.inst.incumbents if p.role == "secretary"}
    led |= {v for _, v, r in triples if r == "secretary"}
    for v in sorted({v for _, v, r in triples if r != "secretary" and v not in led}):
        notes.append(f"T-SEC: no first secretary could be seated at {v}; its new members are "
                     "not posted")  # fmt: skip
    triples = [t for t in triples if t[2] == "secretary" or t[1] in led]
    res.assignments = [Assignment(c, v, r) for c, v, r in triples]
    res.notes.extend(notes)
    if notes:
        res.coverage_proven = False
    # coverage as actually seated (equals the master's unless the people stage reported a gap)
    got = filled_by_class(pm.inst, res.assignments, res.covers)
    res.coverage = {k: (got.get(k, 0), req) for k, (_f, req) in res.coverage.items()}


def filled_by_class(inst: Instance, assignments: list[Assignment],
                    covers: list[tuple[str, str]], villages=None) -> dict[str, int]:  # fmt: skip
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
        got[k] = got.get(k, 0) + (need if v in covered
                                  else min(need if v in secs else need - 1, size[v]))  # fmt: skip
    return got


def stderr_progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
