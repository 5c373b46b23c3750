"""County pairs: let province and city people move between neighbouring counties.

Each county part is solved alone with the wide units' people handed to it; a pair of
neighbouring counties solved as one part may pass those people across the border. Kept only
when the pair fills no fewer posts in any class and scores more.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from optimizer.model.result import SolveResult, Status
from optimizer.rules.instance import Instance
from optimizer.rules.scoring import plan_points
from optimizer.scale.parts import (
    PartsState,
    county_coverage,
    points_and_cover,
    solve_part,
)


@dataclass
class CountyPairs(PartsState):
    """Within a deterministic budget, solve neighbouring counties two by two as one part,
    pooling the province and city people handed to either; keep the pair's plan when it
    fills no fewer posts in any class and scores more. This lets wide units' people move
    between counties, which the per-county parts cannot. A kept pair is split back into its
    two counties, and the people it posts now belong to the county they serve; the next
    round pairs each county with another neighbour, so people can move on further (measured,
    province seed 3: one round 2,109,711 points, six rounds 2,113,502). Which pairs run, and
    for how long, is decided from deterministic quantities alone (the parts' own
    deterministic times)."""

    merged: set[str] = field(default_factory=set)
    """Counties kept as one pair (a cluster team across their border)."""

    def run(self, dtime: float | None) -> None:
        """All rounds, within ``dtime`` deterministic units."""
        b = self.budget
        if b.deadline is None or dtime is None or dtime <= 0 or b.stop.is_set():
            return
        # leave a margin for merging, seating and writing the plan: 3 % of the time left
        self.deadline = b.deadline - max(2.0, 0.03 * (b.deadline - time.monotonic()))
        kept = tried = 0
        work = {k: r.deterministic_time for k, r in self.results.items()}  # each county's own
        for pairs in self.rounds():
            # each pair gets 1.5× its two counties' work, a little more, at most 15 units;
            # pairs run while the budget lasts, decided in pair order (not of completion)
            plan = []
            for pair in pairs:
                if set(pair) & self.merged:
                    continue
                need = min(15.0, 1.0 + 1.5 * sum(work[k] for k in pair))
                if need > dtime:
                    break
                dtime -= need
                plan.append((pair, need))
            if not plan:
                break
            dtime, k, t = self.run_round(plan, dtime)
            kept, tried = kept + k, tried + t
        if self.progress:
            points = sum(plan_points(self.inst, r.assignments) for r in self.results.values())
            self.progress(
                f"[{b.elapsed():7.1f}s] county pairs: {kept} of {tried} improved, "
                f"{points:.0f} points"
            )

    def rounds(self) -> list[list[tuple[str, str]]]:
        """Rounds of disjoint pairs of counties of one city, nearest first; each round pairs
        counties not paired before."""
        inst, ds = self.inst, self.inst.ds
        centre: dict[str, tuple[float, float, str]] = {}
        for k in self.results:
            vs = [ds.villages[v] for v in inst.need if ds.villages[v].county == k]
            xs = [v.x for v in vs if v.x is not None]
            ys = [v.y for v in vs if v.y is not None]
            city = next((v.city or "" for v in vs), "")
            centre[k] = (sum(xs) / max(1, len(xs)), sum(ys) / max(1, len(ys)), city)
        cand = sorted(
            (math.dist(centre[a][:2], centre[b][:2]), a, b)
            for a in self.results
            for b in self.results
            if a < b and centre[a][2] == centre[b][2]
        )
        rounds: list[list[tuple[str, str]]] = []
        used: set[tuple[str, str]] = set()
        for _ in range(self.params.tuning.pair_rounds):
            paired: set[str] = set()
            pairs = []
            for _, a, b in cand:
                if a not in paired and b not in paired and (a, b) not in used:
                    paired |= {a, b}
                    pairs.append((a, b))
            used.update(pairs)
            if pairs:
                rounds.append(pairs)
        return rounds

    def run_round(self, plan: list[tuple[tuple[str, str], float]], dtime: float):
        """One round's pairs side by side; returns the budget left, pairs kept and tried."""
        kept = tried = 0
        moved: dict[str, str] = {}
        with ThreadPoolExecutor(max_workers=max(1, self.params.workers)) as pool:
            futures = [(pair, need, pool.submit(self.solve, pair, need)) for pair, need in plan]
            for (a, b), need, fut in futures:
                r = fut.result()
                tried += r is not None
                if r is not None:
                    dtime += max(0.0, need - r.deterministic_time)  # the unused part returns
                if r is not None and r.has_plan and self.better(r, a, b):
                    kept += 1
                    self.keep(r, a, b, moved)
        # the wide units' people now belong where the pairs' plans post them (applied after
        # the round, though the round's other pairs, disjoint, read none of them)
        self.alloc.update(moved)
        return dtime, kept, tried

    def solve(self, pair: tuple[str, str], dtime: float) -> SolveResult | None:
        left = self.deadline - time.monotonic()
        if left < 2.0 or self.budget.stop.is_set():
            self.clock.append("the time limit ended the county pairs early")
            return None
        ks = frozenset(pair)
        must = {u for u in self.inst.must_send if self.home.get(u) in ks}
        params = replace(
            self.params, time_limit=left - 1, workers=1, method="exact", handle_sigint=False
        )
        r = solve_part(self.inst, ks, self.alloc, must, params, reference=self.reference,
                       dtime=dtime, start=self.start(pair))  # fmt: skip
        if r.wall_time >= left - 1.05:
            self.clock.append("the time limit stopped a county pair")
        return r

    def better(self, r: SolveResult, a: str, b: str) -> bool:
        """No fewer posts in any class than the two counties, and more points."""
        cov_a, pts_a = points_and_cover(self.inst, self.results[a])
        cov_b, pts_b = points_and_cover(self.inst, self.results[b])
        cov_r, pts_r = points_and_cover(self.inst, r)
        before = tuple(x + y for x, y in zip(cov_a, cov_b, strict=True))
        return all(x >= y for x, y in zip(cov_r, before, strict=True)) and pts_r > pts_a + pts_b

    def keep(self, r: SolveResult, a: str, b: str, moved: dict[str, str]) -> None:
        inst, ds = self.inst, self.inst.ds
        halves = split(inst, r, a, b)
        if halves is None:  # a cluster team across the border: the pair stays whole
            self.results[a] = r
            self.results[b] = SolveResult(Status.OPTIMAL, r.instance)
            self.merged |= {a, b}
            return
        self.results[a], self.results[b] = halves
        # a must-send unit moves home to where the pair sends it; one with a cadre serving on
        # stays with its incumbent, who meets U-PARTICIPATE for it (elsewhere it must send anew)
        serving = {p.unit_id for p in inst.incumbents}
        for uid in sorted(u for u in inst.must_send - serving if self.home.get(u) in (a, b)):
            sent = sorted(
                {
                    ds.villages[x.village_id].county
                    for x in r.assignments
                    if inst.unit_of(x.cadre_id) == uid
                }
            )
            if sent and self.home[uid] not in sent:
                self.home[uid] = sent[0]
        for x in r.assignments:
            if x.cadre_id in self.alloc:
                moved[x.cadre_id] = ds.villages[x.village_id].county


def split(inst: Instance, r, a: str, b: str):
    """The pair's plan as one result per county, so each may be paired anew next round;
    None when a cluster team covers across the border or the counties' coverage does not add
    up to the pair's (the pair then stays one part)."""
    ds = inst.ds
    county = {v: ds.villages[v].county for v in inst.need}
    if any(county.get(h) != county.get(w) for h, w in r.covers):
        return None
    out = []
    for k in (a, b):
        part = SolveResult(r.status, r.instance, seed=r.seed, workers=r.workers)
        part.assignments = [x for x in r.assignments if county.get(x.village_id) == k]
        part.covers = [c for c in r.covers if county.get(c[0]) == k]
        part.coverage = county_coverage(inst, part.assignments, part.covers, k)
        out.append(part)
    total = {
        c: tuple(
            x + y
            for x, y in zip(
                out[0].coverage.get(c, (0, 0)), out[1].coverage.get(c, (0, 0)), strict=True
            )
        )
        for c in r.coverage
    }
    if total != {c: tuple(v) for c, v in r.coverage.items()}:
        return None
    out[0].deterministic_time = r.deterministic_time  # the work is counted once
    out[0].notes, out[0].phases = list(r.notes), list(r.phases)
    return out[0], out[1]


__all__ = ["CountyPairs", "split"]
