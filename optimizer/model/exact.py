"""The exact solve of one instance on the master model, tier by tier (SPEC §3, posts and shortfall):

0. U-PARTICIPATE — every must-send unit that can send does;
1. coverage — required posts filled, lexicographically by priority class (weak first), one
   solve per class whose start does not already fill it;
2. soft terms — with every class held at its coverage, maximise the soft objective;
3. reference — with both held, the plan closest to a reference plan (ties only).

Each solve is hinted with the previous one. Reproducibility: a fixed seed, one search thread
per solve and a deterministic budget where one is given make the search deterministic; a run
stopped by the wall-clock limit is the one thing that can differ between runs, and its status
says so.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.model.build import build_model
from optimizer.model.change import fewest_changes
from optimizer.model.cpsat import (
    Kept,
    Watch,
    extract,
    hint_from,
    ok,
    remaining,
    run_phase,
    set_params,
    spend,
)
from optimizer.model.greedy import add_hint, greedy_coverage, greedy_is_valid
from optimizer.model.interrupt import catch_sigint, follow_stop
from optimizer.model.lexorder import lex, lex_group, lex_weights
from optimizer.model.master import PlanModel
from optimizer.model.objective import soft_objective
from optimizer.model.params import PartStart, SolveParams
from optimizer.model.people import seat_people
from optimizer.model.reference import reference_stage
from optimizer.model.result import Assignment, Progress, SolveResult, Status, filled_by_class
from optimizer.model.shape import build_shape
from optimizer.model.starts import best_start, greedy_only
from optimizer.plans.reference import Reference
from optimizer.rules.instance import Instance, class_order
from optimizer.rules.scoring import posting_points
from optimizer.scale.bounds import fill_bounds


def solve_instance(inst: Instance, params: SolveParams, t0: float, *,
                   progress: Progress | None = None, reference: Reference | None = None,
                   part: PartStart | None = None,
                   stop: threading.Event | None = None) -> SolveResult:  # fmt: skip
    """Solve ``inst`` exactly within ``params.time_limit`` counted from ``t0``. A whole
    problem (``part`` None) also gets its proven bounds; a county part does not. ``stop``:
    set from another thread, it ends the search as Ctrl-C does (the best plan so far kept)."""
    whole, part = part is None, part or PartStart()
    deadline = None if params.time_limit is None else t0 + params.time_limit
    shape = build_shape(inst)
    if (
        deadline is not None
        and time.monotonic() + params.tuning.model_seconds_per_pair * len(shape.sizes) > deadline
    ):
        quick = greedy_only(inst, shape, params.seed, params.workers, params.time_limit)
        if quick is not None:
            fill_bounds(quick, inst)
            quick.wall_time = time.monotonic() - t0
            return quick
    pm = build_model(inst, part.shortlist, part.start)
    if progress:
        progress(f"model: {len(pm.t) + len(pm.n)} unit-village variables, {len(pm.a)} cadre-role variables, {len(inst.need)} villages with a "
                 f"requirement, {len(inst.incumbents)} incumbents kept")  # fmt: skip
    res = SolveResult(Status.UNKNOWN, inst, seed=params.seed, workers=params.workers,
                      time_limit=params.time_limit, notes=list(pm.notes), dtime_left=part.dtime,
                      reference=reference)  # fmt: skip
    solver = cp_model.CpSolver()
    own_stop = stop is None
    stop = threading.Event() if stop is None else stop
    restore = catch_sigint(solver, stop) if params.handle_sigint else None
    follow = None if own_stop else follow_stop(solver, stop)
    try:
        run = ExactSolve(pm, solver, res, t0, deadline, params, progress, stop)
        if run.solve(given=part.start) == "retry":
            pm = build_model(inst)
            res.phases, res.notes = [], list(pm.notes)
            ExactSolve(pm, solver, res, t0, deadline, params, progress, stop).solve(trust=False)
    finally:
        if restore is not None:
            restore()
        if follow is not None:
            follow()
    res.interrupted = stop.is_set()
    if whole:  # the whole problem: how good is the plan
        fill_bounds(res, inst)
    res.wall_time = time.monotonic() - t0
    return res


@dataclass
class ExactSolve:
    """One pass of the tiers on one master model; ``res`` holds the best plan so far."""

    pm: PlanModel
    solver: cp_model.CpSolver
    res: SolveResult
    t0: float
    deadline: float | None
    params: SolveParams
    say: Progress | None
    stop: threading.Event
    classes: list[str] = field(init=False)
    required: dict[str, int] = field(init=False)
    current: dict[str, int] = field(default_factory=dict)
    """Coverage per class of the incumbent, a solution meeting every constraint added so far."""
    solved_any: bool = False
    trusted: bool = False
    hinted: bool = False
    """Whether the model carries a hint (the start's, or the last search's plan)."""
    start: dict = field(default_factory=dict)
    kept: Kept | None = None
    """The last search's plan (:class:`~optimizer.model.cpsat.Kept`)."""
    proven: bool = True
    """Every class's coverage searched so far is proven the most."""

    def __post_init__(self) -> None:
        inst = self.pm.inst
        self.classes = class_order(inst)
        self.required = {k: sum(inst.need[v].min for v, c in inst.cls.items() if c == k)
                         for k in self.classes}  # fmt: skip

    def solve(self, given: dict[str, dict] | None = None, trust: bool = True) -> str | None:
        """All tiers; "retry" when the greedy start promised coverage the model cannot keep
        (a bug guard: the caller rebuilds the model and solves without trusting it)."""
        pm = self.pm
        polish = min(2.0, 0.05 * remaining(self.deadline))
        self.start = best_start(pm, self.classes, given if trust else None, polish)
        self.trusted = trust and greedy_is_valid(pm, self.start)
        self.current = greedy_coverage(pm, self.start) if self.trusted else {}
        if pm.sends and not self.participation():
            return None
        if not self.coverage():
            return None
        res = self.res
        if res.reference is not None and res.reference.minimal_change:
            self.hint()
            if fewest_changes(pm, self.solver, res, self.t0, self.deadline, self.params.seed,
                              self.say):  # fmt: skip
                self.trusted, self.solved_any = False, True  # the plan is the fewest changes'
                self.kept = Kept(self.solver)
        if (self.stop.is_set() or remaining(self.deadline) <= 0.05
                or (res.dtime_left is not None and res.dtime_left <= 0.01)):  # fmt: skip
            res.objective = (float(self.kept.value(soft_objective(pm)))
                             if pm.soft_terms and self.solved_any else None)  # fmt: skip
            res.status = Status.FEASIBLE
            if pm.soft_terms:
                self.start_stands(res.objective)
            self.seat()
            return None
        return self.soft()

    def participation(self) -> bool:
        """Tier 0 (U-PARTICIPATE). False when the run must stop (no plan in time)."""
        pm, m, solver = self.pm, self.pm.m, self.solver
        if self.trusted:
            m.add(sum(pm.sends.values()) == len(pm.sends))
            return True
        m.maximize(sum(pm.sends.values()))
        self.hint()
        status = run_phase(solver, m, self.res, {"phase": "U-PARTICIPATE"}, None,
                           self.params.seed, self.deadline)  # fmt: skip
        if status is None:
            return False
        m.add(sum(pm.sends.values()) >= round(solver.objective_value))
        for uid, var in pm.sends.items():
            if not solver.boolean_value(var):
                self.res.notes.append(
                    f"U-PARTICIPATE: unit {uid} ({pm.inst.ds.units[uid].name}) "
                    "cannot send anyone without breaking another hard rule"
                )
        self.current = {}
        hint_from(pm, solver)
        self.hinted = True
        return True

    def hint(self) -> None:
        """The start as the hint of the next search, set only before a search that follows
        it (the soft stage does not: a county whose start fills every post skips building it,
        0.2–0.4 s)."""
        if not self.hinted:
            add_hint(self.pm, self.start)
            self.hinted = True

    def coverage(self) -> bool:
        """Tier 1, class by class. False when the run must stop (the greedy start stands
        in if the clock ran out)."""
        pm, res = self.pm, self.res
        cov = {k: pm.class_coverage(k) for k in self.classes}
        best_cov: dict[str, int] = {}
        self.proven = True
        for k in self.classes:
            if self.stop.is_set():
                break
            if k in best_cov:  # proven by an earlier class's search
                continue
            if self.current.get(k, 0) >= self.required[k]:
                self.held_by_start(k, cov[k], best_cov)
                continue
            stopped = self.class_search(k, cov, best_cov)
            if stopped is not None:
                return stopped
        if self.say:
            self.say(f"[{time.monotonic() - self.t0:7.1f}s] coverage: {sum(best_cov.values())}/"
                     f"{sum(self.required.values())} required posts, "
                     f"{'proven maximal' if self.proven else 'not proven'} in every class")  # fmt: skip
        res.coverage = {k: (best_cov.get(k, 0), self.required[k]) for k in self.classes}
        res.coverage_proven = self.proven and len(best_cov) == len(self.classes)
        if self.solved_any:
            extract(pm, self.kept, res)
        else:
            res.seats = self.start_seats()
        res.status = Status.OPTIMAL if res.coverage_proven else Status.FEASIBLE
        return True

    def class_search(self, k: str, cov: dict, best_cov: dict[str, int]) -> bool | None:
        """Class ``k`` and every later one CP-SAT's integers hold, in one lexicographic
        objective: an optimum proves them all, and no plan the search keeps is behind its
        hint in class order. None to go on; else what :meth:`coverage` returns."""
        pm, m, solver, res = self.pm, self.pm.m, self.solver, self.res
        rest = lex_group(self.classes[self.classes.index(k) :], self.required)
        weights = lex_weights(rest, self.required)
        m.maximize(sum(weights[j] * cov[j] for j in rest))
        self.hint()
        watch = Watch(f"coverage ({k})", self.t0, self.say, sum(pm.filled.values()))
        # no SAT inprocessing: realistic generated counties under hebei-2018 (shortage),
        # median 0.8x the time to a proven optimum (3.8 s against 7.7 s on the slowest);
        # the same on the shared cities' county parts
        status = run_phase(solver, m, res, {"phase": "coverage", "classes": rest}, watch,
                           self.params.seed, self.deadline, inprocessing=False,
                           keep_hint=True)  # fmt: skip
        if status is None:
            if res.status == Status.UNKNOWN and self.solved_any:
                return self.cut_short(cov)
            if res.status == Status.UNKNOWN and self.trusted:
                self.fallback()
            return False
        self.solved_any, self.kept = True, Kept(solver)
        self.current = {c: int(solver.value(cov[c])) for c in self.classes}
        hint_from(pm, solver)
        self.hinted = True
        for j in rest if status == cp_model.OPTIMAL else [k]:
            best_cov[j] = self.current[j]
            m.add(cov[j] >= best_cov[j])
        if status != cp_model.OPTIMAL:  # the bound may still prove class k
            self.proven &= solver.best_objective_bound < weights[k] * (best_cov[k] + 1)
        return None

    def cut_short(self, cov: dict) -> bool:
        """A class's search cut by the clock before its first plan: the last search's plan
        stands, its coverage held by what follows — unless the start fills more in priority
        order (then it is the plan)."""
        start = greedy_coverage(self.pm, self.start) if self.trusted else {}
        if lex(start) > lex(self.current):
            self.fallback()
            return False
        for k in self.classes:
            self.pm.m.add(cov[k] >= self.current[k])
        res = self.res
        res.coverage = {k: (self.current[k], self.required[k]) for k in self.classes}
        res.coverage_proven, res.status = False, Status.FEASIBLE
        extract(self.pm, self.kept, res)
        return True

    def held_by_start(self, k: str, cov_k, best_cov: dict[str, int]) -> None:
        """The incumbent fills every required post of class ``k``: its own upper bound."""
        best_cov[k] = self.required[k]
        self.pm.m.add(cov_k >= self.required[k])
        self.res.phases.append({"phase": "coverage", "classes": [k], "status": "OPTIMAL",
                                "objective": self.required[k], "bound": self.required[k],
                                "wall": 0.0, "trace": [], "by": "incumbent fills every post"})  # fmt: skip

    def soft(self) -> str | None:
        """Tier 2, then the reference stage and seating."""
        pm, m, solver, res = self.pm, self.pm.m, self.solver, self.res
        if not pm.soft_terms:
            res.objective, res.bound, res.gap = 0.0, 0.0, 0.0
            if self.solved_any:
                self.tie_break()
            self.seat()
            return None
        m.maximize(soft_objective(pm))
        # no hint here: the coverage solution knows nothing of the soft terms and following
        # it costs the LP-guided search more than it saves (county sample: hunan 6.4 s vs
        # 10.6 s, hebei 16.6 s vs 51.7 s); if no soft solution comes in time the coverage
        # plan stands
        m.clear_hints()
        watch = Watch("soft terms", self.t0, self.say, sum(pm.filled.values()))
        # no time is kept back for the reference stage: it runs only in the time the soft
        # stage leaves, so a tie-break never costs the soft objective a point
        # no SAT inprocessing: 14 of 16 county soft stages (three presets) faster to a proven
        # optimum, median 0.76× the deterministic time
        set_params(solver, self.params.seed, self.params.workers, remaining(self.deadline),
                   res.dtime_left, inprocessing=False)  # fmt: skip
        status = solver.solve(m, watch)
        spend(res, solver)
        res.phases.append({"phase": "soft", "status": solver.status_name(status),
                           "objective": solver.objective_value if ok(status) else None,
                           "bound": solver.best_objective_bound, "wall": solver.wall_time,
                           "trace": watch.trace})  # fmt: skip
        if ok(status):
            res.bound = solver.best_objective_bound
            if not self.start_stands(solver.objective_value):
                extract(pm, solver, res)
                res.objective = solver.objective_value
                if status != cp_model.OPTIMAL:
                    res.status = Status.FEASIBLE
                self.tie_break()
            res.gap = abs(res.bound - res.objective) / max(1.0, abs(res.objective))
        elif status == cp_model.INFEASIBLE and not self.solved_any:
            return "retry"
        else:
            res.status = Status.FEASIBLE
            self.start_stands(None)
        self.seat()
        if not res.coverage_proven and res.status == Status.OPTIMAL:
            res.status = Status.FEASIBLE
        return None

    def tie_break(self) -> None:
        reference_stage(self.pm, self.solver, self.res, self.params, self.deadline)

    def start_stands(self, found: float | None) -> bool:
        """The greedy start becomes the plan when it fills every class as much as the plan
        found and scores more (or the search found nothing): a search the clock cuts short
        never ends behind its own start (city-201, central-2021: county parts whose soft
        search, unhinted, had only a first solution)."""
        if not self.trusted:
            return False
        got = greedy_coverage(self.pm, self.start)
        if any(got.get(k, 0) < f for k, (f, _q) in self.res.coverage.items()):
            return False
        inst = self.pm.inst
        points = float(sum(sum(posting_points(inst, c, v, r).values())
                           for c, v, r in self.start["at"]))  # fmt: skip
        if found is not None and found >= points - 0.5:  # whole points; CP-SAT reports floats
            return False
        res = self.res
        res.seats, res.covers, res.objective = self.start_seats(), [], points
        res.status = Status.FEASIBLE
        res.phases.append({"phase": "start", "status": "FEASIBLE", "objective": points,
                           "bound": res.bound, "wall": 0.0, "trace": [],
                           "by": "the greedy start scores more than the search's plan"})  # fmt: skip
        return True

    def start_seats(self) -> dict[tuple[str, str, str], int]:
        return {
            **{(u, v, "secretary"): 1 for (u, v) in self.start["t"]},
            **{(u, v, "member"): k for (u, v), k in self.start["n"].items() if k},
        }

    def fallback(self) -> None:
        """Out of time before CP-SAT found a coverage plan: the greedy start is a valid plan."""
        res = self.res
        got = greedy_coverage(self.pm, self.start)
        res.coverage = {k: (got.get(k, 0), self.required[k]) for k in self.classes}
        res.seats = self.start_seats()
        res.status = Status.FEASIBLE
        res.notes.append("time limit reached during the coverage search: the plan is the greedy "
                         "start, not improved by the solver")  # fmt: skip
        self.seat()

    def seat(self) -> None:
        """People into the master's posts (:mod:`optimizer.model.people`); coverage as seated."""
        pm, res = self.pm, self.res
        ref = res.reference
        triples, notes = seat_people(pm.inst, res.seats, pm.pool, pm.sec_pool,
                                     ref.postings if ref else None, bool(ref and ref.minimal_change))  # fmt: skip
        # T-SEC: new members never serve where no first secretary could be seated (H-NOREPEAT
        # can leave a unit without a secretary allowed at one of its villages): not posted
        led = {p.village_id for p in pm.inst.incumbents if p.role == "secretary"}
        led |= {v for _, v, r in triples if r == "secretary"}
        for v in sorted({v for _, v, r in triples if r != "secretary" and v not in led}):
            notes.append(f"T-SEC: no first secretary could be seated at {v}; its new members "
                         "are not posted")  # fmt: skip
        triples = [t for t in triples if t[2] == "secretary" or t[1] in led]
        res.assignments = [Assignment(c, v, r) for c, v, r in triples]
        res.notes.extend(notes)
        if notes:
            res.coverage_proven = False
        # coverage as actually seated (the master's unless the people stage reported a gap)
        got = filled_by_class(pm.inst, res.assignments, res.covers)
        res.coverage = {k: (got.get(k, 0), req) for k, (_f, req) in res.coverage.items()}
