"""A whole second plan from the coverage program's people (:mod:`optimizer.scale.lpmip`),
kept when it fills more in SPEC §3's order than the county parts' plan.

Every county part is solved again with the province and city people the integer program
hands it. The new plan is taken whole or not at all: its people are dealt anew, so no county
can keep its old plan beside the others' new ones (a cadre would serve twice). Not when a
part finds no plan."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from optimizer.model.lexorder import lex
from optimizer.model.result import SolveResult, Status
from optimizer.rules.scoring import plan_points
from optimizer.scale.allocation import must_send_homes
from optimizer.scale.lpmip import Program, coverage_people
from optimizer.scale.lpproof import start_proof
from optimizer.scale.parts import PartsState, plan_counts, run_parts, solve_part
from optimizer.scale.softmip import SoftProgram, soft_people


class CoverageProgram:
    """The coverage program (:func:`~optimizer.scale.lpmip.coverage_people`) on a thread
    beside the county parts (its integer program in a child process, HiGHS's LP releasing
    the GIL), until ``tuning.mip_share`` of the time limit: started after the round it took
    11–32 s, more than a city's time left (city-202 under hebei-2018: no solution in time)."""

    def __init__(self, dec) -> None:
        b, tuning = dec.budget, dec.tuning
        self.deadline = None if b.deadline is None else (
            b.t0 + tuning.mip_share * (b.deadline - b.t0))  # fmt: skip
        self.cancel = threading.Event()
        self.got: Program | None = None
        args = (dec.rel, tuning, dec.lp.order, dec.floor.sends(), self.deadline, self.cancel)
        self.thread = threading.Thread(target=self.work, args=args, daemon=True,
                                       name="zhucun-coverage-program")  # fmt: skip
        self.thread.start()

    def work(self, *args) -> None:
        self.got = coverage_people(*args)

    def wait(self) -> Program | None:
        """Its solution, once done (by its deadline); None if none."""
        left = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
        self.thread.join(None if left is None else left + 2.0)
        return None if self.thread.is_alive() else self.got


def start_program(dec, filled: int) -> CoverageProgram | None:
    """The program beside the parts of a :class:`~optimizer.scale.decompose.Decomposition`
    whose greedy plan fills ``filled`` posts: when posts are in doubt and the problem is below
    ``tuning.mip_villages`` villages to staff."""
    if filled >= dec.posts_bound or len(dec.inst.need) >= dec.tuning.mip_villages:
        return None
    return CoverageProgram(dec)


def coverage_round(dec) -> bool:
    """After the county parts of ``dec``: the round on the program's people, when posts are
    still in doubt and the time left holds the round (what the parts took). Whether the plan
    was replaced."""
    prog, b = dec.program, dec.budget
    filled = sum(f for r in dec.results.values() for f, _ in r.coverage.values())
    if prog is None or filled >= dec.posts_bound or b.over(2.0):
        if prog is not None:
            prog.cancel.set()
        return False
    took = round_time(dec)
    got = prog.wait()
    if got is None or b.over(took):  # the clock decided (a rerun may differ)
        why = "no integer solution in time" if got is None else "no time left for its round"
        dec.say(f"coverage program: {why}")
        dec.clock.append(f"the coverage program had {why}")
        return False
    if not got.optimal:
        dec.clock.append("the time limit stopped the coverage program")
    # its counts known: their proof beside what follows, and the soft program for them; the
    # round then on the soft program's people (one round: two did not fit in a city's minute)
    # (not with a solution the clock cut short: its counts may not be the plan's)
    dec.proof = start_proof(dec, got.counts) if got.optimal else None
    soft = dec.soft = soft_program(dec, got.counts, took) if got.optimal else None
    use = got.people if soft is None or b.over(took) else soft.people
    kept = run_round(dec, use)
    if use is not got.people and not kept and not b.over(took):
        kept = run_round(dec, got.people)
    dec.say(f"coverage program: {len(use)} province/city cadres placed"
            f"{' by the soft program' if use is not got.people else ''}, "
            f"its plan {'kept' if kept else 'not better'}")  # fmt: skip
    return kept


def round_time(dec) -> float:
    """About what a round takes: the parts' solves' time over the workers."""
    return sum(r.wall_time for r in dec.results.values()) / max(1, dec.workers)


def run_round(dec, people: dict[str, str]) -> bool:
    """The county parts on these province/city ``people`` (:class:`CoverageRound`); whether
    their plan replaced the parts'."""
    dtime = {k: dec.part_dtime(k) for k in dec.order}
    state = PartsState(dec.inst, dec.results, dec.alloc, dec.home, dec.params, dec.budget,
                       dec.clock, dec.progress, dec.reference)  # fmt: skip
    kept = CoverageRound(**vars(state)).run(people, dec.order, dtime, dec.say)
    dec.used_floor &= not kept  # no county keeps the greedy plan's share now
    return kept


def soft_program(dec, counts: dict[str, int], took: float) -> SoftProgram | None:
    """The soft program (:mod:`optimizer.scale.softmip`) for plans filling ``counts``, until
    the time a round on its people takes (``took``: what the parts took) is all that is left;
    None when too big, out of time, or with no solution."""
    b, tuning, a = dec.budget, dec.tuning, dec.rel.arrays
    if a is None or len(dec.inst.need) >= tuning.mip_villages or len(a.pu) > tuning.soft_mip_pairs:
        return None
    end = None if b.deadline is None else b.deadline - 1.5 * took - 1.0
    if b.over(1.5 * took + 3.0):
        return None
    prog = soft_people(dec.rel, tuning, sum(counts.values()), dict(counts), dec.floor.sends(),
                       dec.floor.pairs(), end, b.stop)  # fmt: skip
    if (prog is None or not prog.optimal) and end is not None and time.monotonic() > end - 1.0:
        dec.clock.append("the time limit stopped the soft program")  # a rerun may differ
    return prog


def soft_round(dec) -> SoftProgram | None:
    """When the coverage program did not lead to one (none, or its solution cut short by the
    clock): the soft program for the plan's counts, and the round on its people, which
    replaces the plan when it fills as many in each class for more points (city-202 under
    hebei-2018: 201,544 → 203,359 points, soft gap 1.88 → 0.01 %). The program (its bound
    holds for such plans) or None."""
    got = plan_counts(dec.results)
    took = round_time(dec)
    soft = soft_program(dec, dict(got), took)
    if soft is not None and not dec.budget.over(took):
        kept = run_round(dec, soft.people)
        dec.say(f"soft program: {len(soft.people)} province/city cadres placed, bound "
                f"{soft.bound:.0f}, its plan {'kept' if kept else 'not better'}")  # fmt: skip
    return soft


@dataclass
class CoverageRound(PartsState):
    """The county parts on the coverage program's people; ``results``, ``alloc`` and
    ``home`` replaced in place when its plan is better."""

    def run(self, found: dict[str, str], counties: list[str], dtime: dict[str, float | None],
            say) -> bool:  # fmt: skip
        """``found``: cadre → county from the program; ``dtime``: each county's
        deterministic budget. Whether the plan was replaced."""
        inst = self.inst
        # only the people it posts: with the rest of their units shared out as well, the
        # parts filled less (city-201 under hebei-2018: key 895 against the program's 908)
        alloc = dict(found)
        home = must_send_homes(inst, alloc, set(found))
        for cid, k in sorted(alloc.items()):
            home.setdefault(inst.unit_of(cid), k)
        results = run_parts(counties, lambda k: self.part(k, alloc, home, dtime[k]),
                            self.params.workers, say)  # fmt: skip
        if not all(r.has_plan for r in results.values()):
            return False
        if self.score(results) <= self.score(self.results):
            return False
        for old, new in ((self.results, results), (self.alloc, alloc), (self.home, home)):
            old.clear()
            old.update(new)
        return True

    def part(self, k: str, alloc: dict[str, str], home: dict[str, str], dtime: float | None):
        """County ``k`` solved exactly on these people (no plan when the clock is out)."""
        left = self.budget.left() - 0.5
        if left <= 0.5:
            return SolveResult(Status.UNKNOWN, self.inst)
        must = {u for u in self.inst.must_send if home.get(u) == k}
        params = replace(self.params, time_limit=left, workers=1, method="exact",
                         handle_sigint=False)  # fmt: skip
        r = solve_part(self.inst, k, alloc, must, params, reference=self.reference, dtime=dtime)
        if r.wall_time >= left - 0.05:
            self.clock.append(f"county {k} was stopped by the time limit (coverage round)")
        return r

    def score(self, results) -> tuple[tuple[int, ...], float]:
        """The plan's posts per class in SPEC §3's order, then its points."""
        return lex(plan_counts(results)), sum(
            plan_points(self.inst, r.assignments) for r in results.values()
        )


__all__ = ["CoverageRound"]
