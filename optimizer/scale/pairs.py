"""County pairs: let province and city people move between neighbouring counties.

Each county part is solved alone with the wide units' people handed to it; a pair of
neighbouring counties solved as one part may pass those people across the border. Kept only
when the pair fills no fewer posts in any class and scores more.
"""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from optimizer.model.params import SolveParams
from optimizer.model.result import SolveResult, Status
from optimizer.rules.instance import Instance
from optimizer.rules.scoring import plan_points
from optimizer.scale.parts import (
    county_coverage,
    points_and_cover,
    solve_part,
)

PAIR_ROUNDS = 6
"""Rounds of disjoint county pairs, each pairing counties not paired together before; a kept
pair is split back into its counties, so the next round can pass people on further."""


def pairs_phase(inst: Instance, results: dict, alloc: dict[str, str], home: dict[str, str],
                 seed: int, workers: int, deadline: float | None, progress, t0: float,
                 stop: threading.Event, budget: float | None, clock: list[str],
                 reference=None) -> None:  # fmt: skip
    """Within the deterministic ``budget``, solve neighbouring counties two by two as one
    part, pooling the province and city people handed to either; keep the pair's plan when it
    fills no fewer posts in any class and scores more. This lets wide units' people move
    between counties, which the per-county parts cannot. A kept pair is split back into its
    two counties, and the people it posts now belong to the county they serve; the next
    round pairs each county with another neighbour, so people can move on further (measured,
    province seed 3: one round 2,109,711 points, six rounds 2,113,502). Which pairs run, and
    for how long, is decided from deterministic quantities alone (the parts' own
    deterministic times)."""
    ds = inst.ds
    if deadline is None or budget is None or budget <= 0 or stop.is_set():
        return
    # leave a margin for merging, seating and writing the plan: 3 % of the time left
    deadline -= max(2.0, 0.03 * (deadline - time.monotonic()))
    centre: dict[str, tuple[float, float, str]] = {}
    for k in results:
        vs = [ds.villages[v] for v in inst.need if ds.villages[v].county == k]
        xs = [v.x for v in vs if v.x is not None]
        ys = [v.y for v in vs if v.y is not None]
        city = next((v.city or "" for v in vs), "")
        centre[k] = (sum(xs) / max(1, len(xs)), sum(ys) / max(1, len(ys)), city)
    cand = sorted(
        (math.dist(centre[a][:2], centre[b][:2]), a, b)
        for a in results for b in results if a < b and centre[a][2] == centre[b][2]
    )  # fmt: skip
    merged: set[str] = set()
    # rounds of disjoint pairs, nearest first; each round pairs counties not paired before
    rounds: list[list[tuple[str, str]]] = []
    used: set[tuple[str, str]] = set()
    for _ in range(PAIR_ROUNDS):
        paired: set[str] = set()
        pairs = []
        for _, a, b in cand:
            if a not in paired and b not in paired and (a, b) not in used:
                paired |= {a, b}
                pairs.append((a, b))
        used.update(pairs)
        if pairs:
            rounds.append(pairs)

    def run(pair: tuple[str, str], dtime: float):
        left = deadline - time.monotonic()
        if left < 2.0 or stop.is_set():
            clock.append("the time limit ended the county pairs early")
            return None
        ks = frozenset(pair)
        must = {u for u in inst.must_send if home.get(u) in ks}
        params = SolveParams(time_limit=left - 1, seed=seed, workers=1, method="exact")
        r = solve_part(inst, ks, alloc, must, params, reference=reference, dtime=dtime)
        if r.wall_time >= left - 1.05:
            clock.append("the time limit stopped a county pair")
        return r

    kept = tried = 0
    work = {k: r.deterministic_time for k, r in results.items()}  # each county's own difficulty
    for pairs in rounds:
        # each pair gets 1.5× its two counties' work, a little more, at most 15 units; pairs
        # run while the budget lasts, decided in pair order (not in order of completion)
        plan = []
        for pair in pairs:
            if set(pair) & merged:
                continue
            dtime = min(15.0, 1.0 + 1.5 * sum(work[k] for k in pair))
            if dtime > budget:
                break
            budget -= dtime
            plan.append((pair, dtime))
        if not plan:
            break
        moved: dict[str, str] = {}
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [(pair, dtime, pool.submit(run, pair, dtime)) for pair, dtime in plan]
            for (a, b), dtime, fut in futures:
                r = fut.result()
                tried += r is not None
                if r is not None:
                    budget += max(0.0, dtime - r.deterministic_time)  # the unused part returns
                if r is None or not r.has_plan:
                    continue
                cov_a, pts_a = points_and_cover(inst, results[a])
                cov_b, pts_b = points_and_cover(inst, results[b])
                cov_r, pts_r = points_and_cover(inst, r)
                before = tuple(x + y for x, y in zip(cov_a, cov_b, strict=True))
                if not (all(x >= y for x, y in zip(cov_r, before, strict=True))
                        and pts_r > pts_a + pts_b):  # fmt: skip
                    continue
                kept += 1
                halves = split(inst, r, a, b)
                if halves is None:  # a cluster team across the border: the pair stays whole
                    results[a] = r
                    results[b] = SolveResult(Status.OPTIMAL, r.instance)
                    merged |= {a, b}
                    continue
                results[a], results[b] = halves
                for uid in sorted(u for u in inst.must_send if home.get(u) in (a, b)):
                    sent = sorted({ds.villages[x.village_id].county for x in r.assignments
                                   if inst.unit_of(x.cadre_id) == uid})  # fmt: skip
                    if sent and home[uid] not in sent:
                        home[uid] = sent[0]
                # the wide units' people now belong where the pair's plan posts them (applied
                # after the round, though the round's other pairs, disjoint, read none of them)
                for x in r.assignments:
                    if x.cadre_id in alloc:
                        moved[x.cadre_id] = ds.villages[x.village_id].county
        alloc.update(moved)
    if progress:
        points = sum(plan_points(inst, r.assignments) for r in results.values())
        progress(f"[{time.monotonic() - t0:7.1f}s] county pairs: {kept} of {tried} improved, "
                 f"{points:.0f} points")  # fmt: skip


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
    total = {c: tuple(x + y for x, y in zip(out[0].coverage.get(c, (0, 0)),
                                            out[1].coverage.get(c, (0, 0)), strict=True))
             for c in r.coverage}  # fmt: skip
    if total != {c: tuple(v) for c, v in r.coverage.items()}:
        return None
    out[0].deterministic_time = r.deterministic_time  # the work is counted once
    out[0].notes, out[0].phases = list(r.notes), list(r.phases)
    return out[0], out[1]


__all__ = ["PAIR_ROUNDS", "pairs_phase", "split"]
