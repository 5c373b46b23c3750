"""Spare people: re-solve each county with the province and city cadres no part posted.

A county part holds only the wide units' people the allocation handed it, so it cannot take a
nearer or better-suited cadre handed to another county and left unposted there. Wide units
have several times more people than posts (city-201: 3,274 for 820 postings), so after the
parts most of them are spare. This phase re-solves the counties, a few side by side, each with
its own people plus the spare ones nearest to it, from its current plan as the start; a plan
is kept when it fills more posts in priority order, or as many and scores more. Measured on city-201
under central-2021, before this phase existed: two counties given every spare wide cadre
gained 1.2 % and 2.4 % of their points, each proven optimal in under 10 s.

Counties run in waves of ``workers``; within a wave each spare cadre is offered to one county
only (where its unit keeps villages, else its unit's nearest), so the plans kept never share
a person. Which
counties run and their budgets follow from deterministic quantities; the clock only guards.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from optimizer.model.result import SolveResult
from optimizer.rules.instance import MEM, SEC
from optimizer.rules.scoring import plan_points
from optimizer.scale.allocation import continuity_counties, shares
from optimizer.scale.floor import WIDE
from optimizer.scale.parts import PartsState, points_and_cover, solve_part


@dataclass
class SparePool(PartsState):
    """The phase's inputs; :meth:`run` updates ``results`` and ``alloc`` in place."""

    def run(self, order: list[str], dtime: float | None) -> float | None:
        """Waves over ``order`` while ``dtime`` deterministic units last; returns what is left."""
        b = self.budget
        if b.deadline is None or dtime is None or dtime <= 0 or b.stop.is_set():
            return dtime
        self.deadline = b.deadline - max(2.0, 0.03 * (b.deadline - time.monotonic()))
        self.reach = self.unit_reach()
        width = max(1, self.params.workers)
        kept = tried = 0
        for i in range(0, len(order), width):
            wave = []
            for k in order[i : i + width]:
                need = min(15.0, 1.0 + 1.5 * self.results[k].deterministic_time)
                if need > dtime:
                    break
                dtime -= need
                wave.append((k, need))
            if not wave:
                break
            if self.deadline - time.monotonic() < 3.0:
                self.clock.append("the time limit ended the spare-people phase early")
                break
            dtime, k_, t_ = self.run_wave(wave, dtime)
            kept, tried = kept + k_, tried + t_
        if self.progress:
            points = sum(plan_points(self.inst, r.assignments) for r in self.results.values())
            self.progress(
                f"[{b.elapsed():7.1f}s] spare people: {kept} of {tried} counties improved, "
                f"{points:.0f} points"
            )
        return dtime

    def unit_reach(self) -> dict[str, dict[str, float]]:
        """Wide unit → county → its nearest village there it may staff (km)."""
        inst, ds = self.inst, self.inst.ds
        out: dict[str, dict[str, float]] = defaultdict(dict)
        for u in sorted(inst.eligible):
            if ds.units[u].level not in WIDE:
                continue
            for role in (SEC, MEM):
                for v in inst.unit_villages.get(u, {}).get(role, []):
                    k = ds.villages[v].county
                    d = inst.distance.get((u, v)) or 0.0
                    out[u][k] = min(out[u].get(k, math.inf), d)
        return out

    def offers(self, wave: list[str]) -> dict[str, list[str]]:
        """County of the wave → the spare wide cadres offered to it, at most
        ``Tuning.pool_per_post`` per required post: the units keeping villages there
        (H-CONTINUITY) first, then the nearest. A unit's spare people go to one county of the
        wave — shared in proportion when it keeps villages in several."""
        inst, ds = self.inst, self.inst.ds
        posted = {a.cadre_id for r in self.results.values() for a in r.assignments}
        pinned = {p.cadre_id for p in ds.pins if p.kind == "require"}
        busy = {p.cadre_id for p in inst.incumbents}
        keeps = continuity_counties(inst)
        by_county: dict[str, list[tuple[int, float, str, str]]] = defaultdict(list)
        for u, near in sorted(self.reach.items()):
            spare = [
                c
                for c in inst.eligible.get(u, [])
                if c not in posted and c not in pinned and c not in busy
            ]
            kept = {k: n for k, n in keeps.get(u, {}).items() if k in wave and k in near}
            if kept:
                for c, k in zip(spare, shares(kept, len(spare)), strict=True):
                    by_county[k].append((0, near[k], u, c))
                continue
            options = [(d, k) for k, d in near.items() if k in wave]
            if options:
                d, k = min(options)
                by_county[k].extend((1, d, u, c) for c in spare)
        per = self.params.tuning.pool_per_post
        out = {}
        for k in wave:
            posts = sum(q for _, q in self.results[k].coverage.values())
            out[k] = [c for *_, c in sorted(by_county.get(k, []))[: per * max(1, posts)]]
        return out

    def run_wave(self, wave: list[tuple[str, float]], dtime: float):
        """The wave's counties side by side; returns the budget left, counties kept, tried."""
        offers = self.offers([k for k, _ in wave])
        # one hand-out for the whole wave: a spare cadre offered to one county leaves the
        # county it was handed to before (both in the wave would post them: measured)
        alloc = {**self.alloc, **{c: k for k, cs in offers.items() for c in cs}}
        kept = tried = 0
        with ThreadPoolExecutor(max_workers=max(1, self.params.workers)) as pool:
            futures = [(k, need, pool.submit(self.solve, k, alloc, need)) for k, need in wave]
            for k, need, fut in futures:
                r = fut.result()
                if r is None:
                    continue
                tried += 1
                dtime += max(0.0, need - r.deterministic_time)
                if r.has_plan and self.better(r, k):
                    kept += 1
                    self.results[k] = r
                    for a in r.assignments:
                        if a.cadre_id in self.alloc:
                            self.alloc[a.cadre_id] = k
        return dtime, kept, tried

    def solve(self, k: str, alloc: dict[str, str], dtime: float) -> SolveResult | None:
        left = self.deadline - time.monotonic()
        if left < 2.0 or self.budget.stop.is_set():
            self.clock.append("the time limit ended the spare-people phase early")
            return None
        must = {u for u in self.inst.must_send if self.home.get(u) == k}
        params = replace(
            self.params, time_limit=left - 1, workers=1, method="exact", handle_sigint=False
        )
        r = solve_part(
            self.inst,
            k,
            alloc,
            must,
            params,
            reference=self.reference,
            dtime=dtime,
            start=self.start([k]),
        )
        if r.wall_time >= left - 1.05:
            self.clock.append("the time limit stopped a county's spare-people solve")
        return r

    def better(self, r: SolveResult, k: str) -> bool:
        """More posts in priority order (SPEC §3: weak first, then key, …; the counties'
        people are disjoint, so a county's gain is the plan's), or as many and more points."""
        return points_and_cover(self.inst, r) > points_and_cover(self.inst, self.results[k])


__all__ = ["SparePool"]
