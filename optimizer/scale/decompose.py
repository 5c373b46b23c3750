"""City and province scale: one exact model per county, tied together by a flow relaxation.

LV-REGION gives the problem its shape: county and township units serve only their county, so
counties are independent except through the province and city units that may serve many of
them. The flow relaxation (:mod:`optimizer.scale.flow`) solves the whole problem without team
structure in seconds; it says which county each wide unit's people go to. Each county is then
solved by the exact master model (:func:`optimizer.model.solve.solve`) on its own villages, its own
units and the wide units' people handed to it — side by side on ``workers`` threads (CP-SAT
releases the GIL while it searches). The relaxation's optimum is a proven bound on the whole
problem, so the merged plan carries an honest gap.

Determinism: parts are built, solved and merged in county order with fixed seeds, and each
part's result depends only on its inputs. Every CP-SAT search here is stopped by a
*deterministic* budget (CP-SAT's work units, ``Tuning.dtime_per_second`` per second of the time
limit), never by the clock, and the phases run in a fixed order whatever the threads do; so
the same inputs, seed and workers give the same plan on a busy or an idle machine. The time
limit stays as a guard: if it cuts a search or the LP first, the notes say so, since a rerun
may then differ.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

from optimizer.model.params import SolveParams, Tuning
from optimizer.model.result import Assignment, SolveResult, Status
from optimizer.rules.instance import Instance
from optimizer.rules.scoring import plan_points
from optimizer.scale.allocation import allocation, must_send_homes, spare_people
from optimizer.scale.bounds import class_bounds
from optimizer.scale.budget import Budget
from optimizer.scale.floor import WIDE, province_greedy
from optimizer.scale.flow import relax
from optimizer.scale.lpbounds import LpBounds
from optimizer.scale.lpproof import start_proof
from optimizer.scale.mipround import coverage_round, soft_round, start_program
from optimizer.scale.pairs import CountyPairs
from optimizer.scale.parts import (
    PartsState,
    class_order,
    class_rank,
    county_coverage,
    plan_counts,
    points_and_cover,
    run_parts,
    solve_part,
)
from optimizer.scale.planbounds import plan_bounds
from optimizer.scale.pool import SparePool
from optimizer.scale.reseat import reseat


def should_decompose(inst: Instance, tuning: Tuning) -> bool:
    """More than one county with villages to staff, and enough of them to be worth it."""
    counties = {inst.ds.villages[v].county for v in inst.need}
    return len(counties) > 1 and len(inst.need) >= tuning.decompose_villages


def solve_parts(
    inst: Instance, params: SolveParams, budget: Budget, progress=None, reference=None
) -> SolveResult:
    """Solve every county part; returns the merged :class:`SolveResult`. ``reference``: a plan
    each part breaks ties toward (its last stage and its people stage)."""
    return Decomposition(inst, budget, params, progress, reference).solve()


class Decomposition:
    """The phases of a decomposed solve, in order, on one :class:`~optimizer.scale.budget.Budget`:
    relaxation and greedy floor, allocation, county parts, a second round for short counties,
    county pairs, bounds, merge. Each phase checks the clock before it starts, and every
    county has the greedy floor's plan to fall back on, so the clock never leaves a county
    without a valid plan."""

    def __init__(
        self, inst: Instance, budget: Budget, params: SolveParams, progress, reference
    ) -> None:
        self.inst, self.params, self.tuning = inst, params, params.tuning
        # the phases up to the merge end early enough to re-seat people province-wide after
        self.keep_back = 0.5 + self.tuning.reseat_per_village * len(inst.need)
        self.outer = replace(budget)  # a copy: its deadline moves (Budget.take), same stop
        self.budget = (
            budget
            if budget.deadline is None
            else Budget(budget.t0, budget.deadline - self.keep_back, budget.stop)
        )
        self.seed, self.workers = params.seed, params.workers
        self.progress, self.reference = progress, reference
        self.clock: list[str] = []  # where the time limit, not a deterministic budget, decided
        self.results: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.used_floor = False
        self.pending: set[str] = set()
        self.soft = self.proof = None  # the soft program; the proof of the plan's counts
        ds = inst.ds
        self.counties = sorted({ds.villages[v].county for v in inst.need})
        self.size = Counter(ds.villages[v].county for v in inst.need)

    def say(self, text: str) -> None:
        if self.progress:
            self.progress(f"[{self.budget.elapsed():7.1f}s] {text}")

    def solve(self):
        inst = self.inst
        self.rel = relax(inst)
        self.say(f"flow relaxation: at most {self.rel.max_posts} required posts, "
                 f"soft bound {self.rel.bound:.0f}")  # fmt: skip
        # where the flow sends each wide unit's people: tried first by the greedy, and where
        # the unit's people the greedy does not post are handed
        ds = inst.ds
        flow_alloc = {
            c: ds.villages[used[0][0]].county
            for c, used in self.rel.used.items()
            if used and ds.units[inst.unit_of(c)].level in WIDE
        }
        prefer: dict[str, set[str]] = defaultdict(set)
        for c, k in flow_alloc.items():
            prefer[inst.unit_of(c)].add(k)
        span = 60.0 if self.budget.deadline is None else self.budget.deadline - self.budget.t0
        self.floor = province_greedy(inst, prefer, min(20.0, 0.03 * span))
        if not self.floor.complete:
            self.clock.append("the time limit cut short the greedy plan's points pass")
        got = sum(x for cov in self.floor.coverage.values() for x in cov.values())
        # writing the plan gives every short village its reason: time for that comes off now
        short = (self.tuning.write_short_post_village * len(inst.ds.villages)
                 * (sum(n.min for n in inst.need.values()) - got))  # fmt: skip
        self.outer.take(short)
        self.budget.take(short)
        self.say(f"greedy plan: {got} required posts filled"
                 + ("" if self.floor.valid else " (not valid: pins or U-PARTICIPATE unmet)"))  # fmt: skip
        self.class_bound, self.posts_bound = class_bounds(inst, self.floor.shape)
        beside = self.start_lp(got)
        self.program = start_program(self, got)  # the coverage program, beside the parts
        self.alloc = allocation(inst, flow_alloc, self.floor.wide_people(inst))
        # people the greedy floor posts stay where it posts them: its share of each county
        # must remain a plan of that county's part
        self.home = must_send_homes(inst, self.alloc, set(self.floor.wide_people(inst)))
        if self.floor.valid:
            self.home.update(self.floor.homes)
        for cid, k in sorted(self.alloc.items()):
            self.home.setdefault(inst.unit_of(cid), k)
        limit = None if self.budget.deadline is None else self.budget.deadline - self.budget.t0
        per = self.tuning.dtime_per_second
        self.dtime = None if limit is None else per * limit * max(1, self.workers)
        order = self.order = sorted(self.counties, key=lambda k: (-self.size[k], k))
        self.pending = set(order)
        self.results = run_parts(order, self.run, self.workers, self.say)
        self.leave_counts_time()
        late = limit is None or not self.budget.over(max(10.0, limit / 3))
        if not beside and late:
            self.start_lp_late()
        self.second_round(order)
        coverage_round(self)  # may replace the parts' plan (then none is the greedy plan's)
        self.proof = self.proof or start_proof(self)  # posts in doubt, by the integer program
        self.soft = self.soft or soft_round(self)  # the plan for the most points, its bound
        self.improve()
        got = plan_counts(self.results)  # the plan's, settled (re-seating keeps them)
        self.lp.settle(got, [c for c, n in self.class_bound.items() if n > got[c]])
        return self.merge()

    def start_lp(self, got: int) -> bool:
        """Set up the LP (not interruptible: it only tightens the bounds, on a daemon thread
        abandoned if not done by the end; HiGHS releases the GIL) and start it now, beside the
        parts, unless it should wait for them (then False). Few posts in doubt: the soft bound
        first (city-201: ~10 s); many: the count first, beside the parts below
        ``Tuning.lp_beside_villages``, else after them with a third of the time left."""
        most = min(self.posts_bound, self.rel.max_posts)
        proven = self.floor.valid and got >= most
        many = most - got > 0.001 * max(1, most)
        classes = self.floor.class_totals()
        order = sorted(set(self.class_bound) | set(classes), key=class_rank)
        self.lp = LpBounds(self.rel, self.tuning, got, proven, many, self.outer.deadline,
                           classes, self.floor.sends(), self.floor.pairs(),
                           order, self.workers)  # fmt: skip
        beside = not many or len(self.inst.need) < self.tuning.lp_beside_villages
        if beside and not self.budget.over(10.0):
            self.lp.start()
        return beside

    def start_lp_late(self) -> None:
        """The LP after the parts: their count decides what comes first (province-201 under
        hunan-2021: 2 of 8,881 posts in doubt after them, 12 by the greedy plan — the soft
        bound first, ~140 s alone)."""
        filled = sum(f for r in self.results.values() for f, _ in r.coverage.values())
        most = min(self.posts_bound, self.rel.max_posts)
        self.lp.count_first = most - filled > 0.001 * max(1, most)
        self.lp.start()

    def run(self, k: str, ks: frozenset[str] | None = None):
        """County ``k``'s plan: the exact part, or the greedy floor's when out of time or
        when the part's plan fills less in priority order."""
        inst, budget = self.inst, self.budget
        fallback = self.floor_result(k)
        if budget.over(1.0) and fallback is not None:
            self.clock.append(f"county {k} got the greedy plan: no time left for its part")
            self.used_floor = True
            return fallback
        dtime = self.part_dtime(k)
        wall = self.wall_share(k)
        must = {u for u in inst.must_send if self.home.get(u) == k}
        params = replace(self.params, time_limit=wall, workers=1, method="exact",
                         handle_sigint=False)  # fmt: skip
        r = solve_part(inst, k, self.alloc, must, params, reference=self.reference, dtime=dtime,
                       start=self.floor.start(k) if self.floor.valid else None)  # fmt: skip
        if r.wall_time >= wall - 0.05:
            self.clock.append(f"county {k} was stopped by the time limit")
        if fallback is not None and (not r.has_plan or class_order(r) < class_order(fallback)):
            fallback.notes.append("the part's own search filled less than the greedy plan "
                                  "in priority order (or found no plan): the greedy plan stands")  # fmt: skip
            fallback.deterministic_time = r.deterministic_time
            self.used_floor = True
            return fallback
        return r

    def part_dtime(self, k: str) -> float | None:
        """County ``k``'s deterministic budget: its villages' share of the parts' (≥ 5 units)."""
        share = self.size[k] / max(1, sum(self.size.values()))
        return None if self.dtime is None else max(5.0, self.dtime * min(1.0, share))

    def wall_share(self, k: str) -> float:
        """County ``k``'s share of the time left, by its villages among those of the parts
        not yet started, times the workers solving side by side: a big county cannot take
        the time of all the others (a deterministic budget rarely binds first — CP-SAT's
        presolve and LP are counted little in it)."""
        with self.lock:
            waiting = sum(self.size[j] for j in self.pending) or 1
            self.pending.discard(k)
        left = self.budget.left() - 0.5
        share = self.tuning.part_overcommit * max(1, self.workers) * self.size[k] / waiting
        return max(0.01, min(left, left * share))

    def floor_result(self, k: str):
        """County ``k``'s share of the greedy floor as a result (None if the floor is not
        valid: it then cannot stand in for a part)."""
        if not self.floor.valid:
            return None
        res = SolveResult(Status.FEASIBLE, self.inst, seed=self.seed, workers=self.workers)
        res.assignments = [Assignment(c, v, r) for c, v, r in self.floor.postings.get(k, [])]
        res.coverage = county_coverage(self.inst, res.assignments, [], k)
        return res

    def second_round(self, order: list[str]) -> None:
        """Counties short of people get the wide units' cadres no part used (not when the
        bound shows the parts already fill every fillable post)."""
        inst, results = self.inst, self.results
        short = [
            k
            for k in order
            if sum(f for f, _ in results[k].coverage.values())
            < sum(q for _, q in results[k].coverage.values())
        ]
        filled = sum(f for r in results.values() for f, _ in r.coverage.values())
        if not short or self.budget.over(2.0) or filled >= self.posts_bound:
            return
        # the floor's people stay in their county: its share there may still be the plan
        keep = set(self.floor.wide_people(inst))
        extra = spare_people(inst, results, self.alloc, short, keep, self.tuning.spare_per_post)
        if not extra:
            return
        self.alloc.update(extra)
        self.pending = set(short)
        again = run_parts(short, self.run, self.workers, self.say)
        for k, r in again.items():  # kept only if it fills more, or as many for more points
            if points_and_cover(inst, r) > points_and_cover(inst, results[k]):
                results[k] = r

    def improve(self) -> None:
        """Spare people (:mod:`optimizer.scale.pool`), then county pairs, on what is left of
        the parts' deterministic budget. (Not skipped when the LP shows a small gap: whether
        the LP, running beside, is done by now depends on the clock.)"""
        if self.budget.over(2.0):
            return
        inst, results = self.inst, self.results
        points = sum(plan_points(inst, r.assignments) for r in results.values())
        spent = sum(r.deterministic_time for r in results.values())
        self.say(f"county parts: {points:.0f} points, {spent:.1f} deterministic units")
        budget = None if self.dtime is None else self.tuning.pairs_share * self.dtime - spent
        state = PartsState(inst, results, self.alloc, self.home, self.params,
                           self.improve_budget(), self.clock, self.progress, self.reference)  # fmt: skip
        budget = SparePool(**vars(state)).run(self.order, budget)
        CountyPairs(**vars(state)).run(budget)

    def improve_budget(self) -> Budget:
        """The improvement phases' clock: ``tuning.block_share`` of the limit earlier for the
        LP's county blocks (:meth:`LpBounds.blocks_ahead`); not with posts in doubt (coverage)."""
        b = self.budget
        if b.deadline is None or self.in_doubt() or not self.lp.blocks_ahead():
            return b
        return Budget(b.t0, b.deadline - self.tuning.block_share * (self.outer.deadline - b.t0),
                      b.stop)  # fmt: skip

    def in_doubt(self) -> bool:
        """Whether the parts fill fewer posts than the most known so far (the LP's count)."""
        most = min(self.posts_bound, self.lp.posts_now() or self.posts_bound)
        return sum(f for r in self.results.values() for f, _ in r.coverage.values()) < most

    def leave_counts_time(self) -> None:
        """With posts in doubt after the parts, ``tuning.count_share`` of the limit comes off
        the phases after them, for the LP's class counts once the plan is settled (they may
        prove the posts: a realistic city under hebei-2018 had its second round end at 51.7 of
        54.6 s, and 18 ``exited`` posts stayed in doubt that its LP count, 2 s, proves)."""
        if self.budget.deadline is not None and self.in_doubt():
            self.budget.take(self.tuning.count_share * (self.outer.deadline - self.budget.t0))

    def merge(self):
        """One result from the parts, with the bounds known by now."""
        inst = self.inst
        res = SolveResult(Status.UNKNOWN, inst, seed=self.seed, workers=self.workers)
        for text in sorted(set(self.clock)):
            res.notes.append(f"decomposition: {text}; a rerun on a faster or idler machine "
                             "may give a different plan")  # fmt: skip
        cov: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        all_have = True
        for k in self.counties:
            r = self.results[k]
            all_have &= r.has_plan
            res.deterministic_time += r.deterministic_time
            res.assignments.extend(r.assignments)
            res.covers.extend(r.covers)
            res.notes.extend(f"county {k}: {n}" for n in r.notes)
            res.phases.extend({**p, "part": k, "trace": []} for p in r.phases)
            for c, (f, q) in r.coverage.items():
                cov[c][0] += f
                cov[c][1] += q
        if self.used_floor:  # what the parts' models would have said
            res.notes.extend(self.floor.notes)
        res.assignments.sort(key=lambda a: (a.village_id, a.role, a.cadre_id))
        res.covers.sort()
        self.reseat(res)
        res.coverage = {c: (cov[c][0], cov[c][1]) for c in sorted(cov, key=class_rank)}
        res.objective = plan_points(inst, res.assignments)
        plan_bounds(self, res)
        if not all_have:
            res.status = Status.FEASIBLE if res.assignments else Status.UNKNOWN
        else:
            res.status = (
                Status.OPTIMAL
                if res.coverage_proven and res.gap is not None and res.gap < 1e-9
                else Status.FEASIBLE
            )
        res.notes.append(f"decomposition: {len(self.counties)} county parts, {len(self.alloc)} "
                         "province/city cadres handed to them, placed by the greedy plan and "
                         "the flow relaxation")  # fmt: skip
        return res

    def reseat(self, res) -> None:
        """The parts' seats, people chosen province-wide (:mod:`optimizer.scale.reseat`);
        skipped when the clock is nearly out (one flow: seconds at province scale)."""
        if self.outer.over(self.keep_back - 0.5):
            self.clock.append("the time limit left no time to re-seat people province-wide")
            return
        before = plan_points(self.inst, res.assignments)
        new = reseat(self.inst, self.floor.shape, res.assignments, self.reference)
        if new is not None:
            res.assignments = new
            after = plan_points(self.inst, new)
            self.say(f"people re-seated province-wide: {before:.0f} → {after:.0f} points")


__all__ = ["should_decompose", "solve_parts"]
