"""City and province scale: one exact model per county, tied together by a flow relaxation.

LV-REGION gives the problem its shape: county and township units serve only their county, so
counties are independent except through the province and city units that may serve many of
them. The flow relaxation (:mod:`optimizer.relax`) solves the whole problem without team
structure in seconds; it says which county each wide unit's people go to. Each county is then
solved by the exact master model (:func:`optimizer.solver.solve`) on its own villages, its own
units and the wide units' people handed to it — side by side on ``workers`` threads (CP-SAT
releases the GIL while it searches). The relaxation's optimum is a proven bound on the whole
problem, so the merged plan carries an honest gap.

Determinism: parts are built, solved and merged in county order with fixed seeds, and each
part's result depends only on its inputs. Every CP-SAT search here is stopped by a
*deterministic* budget (CP-SAT's work units, ``DTIME_PER_SECOND`` per second of the time
limit), never by the clock, and the phases run in a fixed order whatever the threads do; so
the same inputs, seed and workers give the same plan on a busy or an idle machine. The time
limit stays as a guard: if it cuts a search or the LP first, the notes say so, since a rerun
may then differ.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from .domain import Dataset
from .instance import MEM, SEC, Instance
from .model import cadre_points, fit_points, team_points, travel_points
from .relax import lp_bound, lp_max_posts, relax, team_allocation

GAP_GOOD_ENOUGH = 0.001
"""Below this gap to the LP bound the pairwise improvement phase is not run."""

DTIME_PER_SECOND = 0.5
"""CP-SAT deterministic time granted per second of the time limit and per worker. Measured
on the reference machine (2 cores): one CP-SAT thread does 0.5–0.7 units a second."""

PAIRS_SHARE = 0.6
"""Share of that budget the parts and the county pairs may use together: the flow and the LP,
outside it, take about a third of a province run (measured: 85 of 300 s)."""

SPARE_PER_POST = 12
"""The second round hands a short county at most this many spare people per missing post."""

PAIR_ROUNDS = 6
"""Rounds of disjoint county pairs, each pairing counties not paired together before; a kept
pair is split back into its counties, so the next round can pass people on further."""


def should_decompose(inst: Instance) -> bool:
    """More than one county with villages to staff, and enough of them to be worth it."""
    counties = {inst.ds.villages[v].county for v in inst.need}
    return len(counties) > 1 and len(inst.need) >= 600


def _allocation(
    inst: Instance, teams: dict[str, list[tuple[str, str]]] | None = None
) -> dict[str, str]:
    """Wide-unit cadre → county part: whole teams where the team-level flow sends them; the
    unit's other free cadres spread over those same counties (a part then chooses the unit's
    best people, not the flow's guess); require pins win. Must-send units are homed after
    this (:func:`must_send_homes`)."""
    ds = inst.ds
    alloc = team_allocation(inst, teams)
    counties: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cid, k in alloc.items():
        counties[ds.cadres[cid].unit_id][k] += 1
    for uid, ks in sorted(counties.items()):
        order = sorted(ks, key=lambda k: (-ks[k], k))
        rest = [c for c in inst.eligible.get(uid, []) if c not in alloc]
        for i, c in enumerate(rest):
            alloc[c] = order[i % len(order)]
    for pin in ds.pins:
        if pin.kind == "require" and pin.cadre_id in ds.cadres and pin.village_id in ds.villages:
            alloc[pin.cadre_id] = ds.villages[pin.village_id].county
    return alloc


def must_send_homes(inst: Instance, alloc: dict[str, str]) -> dict[str, str]:
    """The county part that carries each must-send unit's U-PARTICIPATE obligation: one where
    the unit has a cadre handed in who may lead one of its villages (T-UNIT: a unit that
    sends anyone leads a team). A unit with no such county gets its cadre able to lead its
    nearest village handed to that village's county (``alloc`` is updated)."""
    ds = inst.ds
    pinned = {p.cadre_id for p in ds.pins if p.kind == "require"}
    home: dict[str, str] = {}
    for uid in sorted(inst.must_send):
        secs = inst.sec_eligible.get(uid, [])
        by_county: dict[str, list[str]] = defaultdict(list)
        for v in inst.unit_villages.get(uid, {}).get(SEC, []):
            by_county[ds.villages[v].county].append(v)
        placed = sorted({alloc[c] for c in secs if c in alloc and any(
            SEC in inst.roles(c, v) for v in by_county.get(alloc[c], ()))})  # fmt: skip
        if placed:
            home[uid] = placed[0]
            continue
        near = sorted((inst.distance.get((uid, v)) or 0.0, v)
                      for vs in by_county.values() for v in vs)  # fmt: skip
        for _, v in near:
            c = next((c for c in secs if c not in pinned and SEC in inst.roles(c, v)), None)
            if c is not None:
                alloc[c] = home[uid] = ds.villages[v].county
                break
    return home


def _part(ds: Dataset, county: str | frozenset[str], alloc: dict[str, str], at: date) -> Dataset:
    """The county's (or counties') own villages and units, plus the wide units' people
    handed to it, plus the incumbents serving (not recalled) at its villages at ``at`` (busy,
    so handed nowhere: without them a part would read their postings as a departed cadre's,
    vacant, and seat a second first secretary)."""
    ks = frozenset([county]) if isinstance(county, str) else county
    villages = {k: v for k, v in ds.villages.items() if v.county in ks}
    recalled = {r.cadre_id for r in ds.recall}
    serving = {p.cadre_id for p in ds.history if p.village_id in villages and p.current_at(at)
               and p.cadre_id not in recalled}  # fmt: skip
    cadres = {
        k: c for k, c in ds.cadres.items()
        if alloc.get(k) in ks or k in serving or (k not in alloc and ds.units[c.unit_id].level
                                  in ("county", "township") and ds.units[c.unit_id].region in ks)
    }  # fmt: skip
    # history rows of its villages (incumbents, continuity) and of its people (H-NOREPEAT);
    # a cadre named in them but handed to another part stays out: no one is in two parts
    history = [p for p in ds.history if p.village_id in villages or p.cadre_id in cadres]
    served = {p.cadre_id for p in history if p.village_id in villages}
    unit_ids = {c.unit_id for c in cadres.values()} | {p.unit_id for p in history
                                                       if p.village_id in villages}  # fmt: skip
    units = {k: u for k, u in ds.units.items() if k in unit_ids}
    return Dataset(
        units=units,
        cadres=cadres,
        villages=villages,
        adjacency=[(a, b) for a, b in ds.adjacency if a in villages and b in villages],
        adjacency_given=ds.adjacency_given,
        history=[p for p in history if p.unit_id in units],
        pins=[p for p in ds.pins if p.cadre_id in cadres and p.village_id in villages],
        # a recalled incumbent of its villages leaves a post open even if the cadre is not here
        recall=[r for r in ds.recall if r.cadre_id in cadres or r.cadre_id in served],
        source=ds.source,
        file_hashes=ds.file_hashes,
    )


def plan_points(inst: Instance, assignments) -> float:
    """The master model's soft objective of a set of new postings, from the whole dataset."""
    w = inst.policy.weights
    total = 0
    for a in assignments:
        uid = inst.unit_of(a.cadre_id)
        total += sum(cadre_points(inst, a.cadre_id, a.role).values())
        d = inst.distance.get((uid, a.village_id))
        if d is not None and w.travel_per_10km:
            total -= travel_points(w.travel_per_10km, d)
        total += fit_points(inst, uid, a.village_id)
        if a.role == SEC:
            total += sum(team_points(inst, uid, a.village_id).values())
    return float(total)


def solve_parts(inst: Instance, *, deadline: float | None, seed: int, workers: int,
                progress, stop: threading.Event, t0: float, reference=None):  # fmt: skip
    """Solve every county part; returns the merged :class:`SolveResult`. ``reference``: a plan
    each part breaks ties toward (its last stage and its people stage)."""
    from .solver import SolveResult, solve

    ds = inst.ds
    rel = relax(inst)
    if progress:
        progress(f"[{time.monotonic() - t0:7.1f}s] flow relaxation: at most {rel.max_posts} "
                 f"required posts, soft bound {rel.bound:.0f}")  # fmt: skip
    # the LP bounds (T-UNIT's tie and T-SEC added) run beside the parts, HiGHS releasing the
    # GIL: first the most required posts any plan can fill, then the soft points of plans
    # filling that many
    lp: dict[str, float] = {}

    teams: dict[str, list[tuple[str, str]]] = {}
    placed = threading.Event()

    posts: dict[str, int] = {}
    cancel = threading.Event()

    def most_posts() -> None:
        posts["lp"] = lp_max_posts(rel, cancel)

    def bounds() -> None:
        # the LP's most fillable posts, needed only when the flow's count is out of the LP's
        # reach (the same LP is then re-solved warm for that many, and places the wide
        # units): started when the first LP still falls short after two pricing rounds, on
        # the core the parts are not yet using (from the start, it slowed the first LP by
        # 40 %, measured: both are memory-bound)
        early = threading.Thread(target=most_posts, daemon=True)

        def start() -> None:
            if early.ident is None:  # not started yet
                early.start()

        def most() -> int:
            start()
            early.join()
            lp["posts"] = posts["lp"]
            return int(posts["lp"])

        t = time.monotonic()
        lp["bound"] = lp_bound(rel, teams=teams, retarget=most, short=start)
        lp["seconds"] = time.monotonic() - t
        lp["first"] = lp["bound"]
        placed.set()
        cancel.set()

    lp_thread = threading.Thread(target=bounds, daemon=True)
    lp_thread.start()
    # the LP's own placement of province and city teams is the better allocation (measured:
    # city gap 0.2 % vs several %, province 1.3 %); wait for it, up to 60 % of the time
    limit = None if deadline is None else deadline - t0
    clock: list[str] = []  # where the time limit, not a deterministic budget, decided
    placed.wait(None if deadline is None else max(0.0, 0.6 * (deadline - time.monotonic())))
    if not placed.is_set():
        clock.append("the LP was not ready at 60 % of the time limit")
    by_lp = placed.is_set() and bool(teams)
    alloc = _allocation(inst, teams if by_lp else None)
    if progress:
        progress(f"[{time.monotonic() - t0:7.1f}s] province and city units placed by the "
                 f"{'LP' if by_lp else 'team-level flow'}")  # fmt: skip
    counties = sorted({ds.villages[v].county for v in inst.need})
    size = {k: sum(1 for v in inst.need if ds.villages[v].county == k) for k in counties}
    home = must_send_homes(inst, alloc)
    for cid, k in sorted(alloc.items()):
        home.setdefault(ds.cadres[cid].unit_id, k)
    parts = {k: _part(ds, k, alloc, inst.plan_date) for k in counties}
    budget = None if limit is None else DTIME_PER_SECOND * limit * max(1, workers)
    total = max(1, sum(size.values()))

    def run(k: str):
        # a deterministic budget by the county's share of the villages; the clock only guards
        dtime = None if budget is None else max(5.0, budget * min(1.0, size[k] / total))
        wall = None if deadline is None else max(0.01, deadline - time.monotonic())
        if stop.is_set():
            wall = 0.01
        must = {u for u in inst.must_send if home.get(u) == k}
        r = solve(parts[k], inst.policy, inst.plan_date, time_limit=wall, seed=seed, workers=1,
                  method="exact", _must_send=must, _skill_rates=inst.skill_rates, _dtime=dtime,
                  reference=reference)  # fmt: skip
        if wall is not None and r.wall_time >= wall - 0.05:
            clock.append(f"county {k} was stopped by the time limit")
        return r

    order = sorted(counties, key=lambda k: (-size[k], k))
    results = _run_parts(order, run, workers, progress, t0)
    # second round: counties short of people get the wide units' cadres no part used
    # (not when the LP proves the parts already fill every fillable post)
    short = [k for k in order if sum(f for f, _ in results[k].coverage.values())
             < sum(q for _, q in results[k].coverage.values())]  # fmt: skip
    filled = sum(f for r in results.values() for f, _ in r.coverage.values())
    if short and not stop.is_set() and filled < lp.get("posts", rel.max_posts):
        posted = {a.cadre_id for r in results.values() for a in r.assignments}
        spare = [c for u in sorted(inst.eligible) if ds.units[u].level in ("province", "city")
                 for c in inst.eligible[u] if c not in posted]  # fmt: skip
        # a short county first gets the spare people of the units already serving in it
        # (T-UNIT: a team's members come from its own unit), then any unit that reaches it
        present = {k: {c.unit_id for c in parts[k].cadres.values()} for k in short}
        extra: dict[str, str] = {}
        # a few people per missing post, nearest units first: every spare cadre of the
        # province in one part makes a model too big to solve in its budget (measured)
        missing = {k: sum(q - f for f, q in results[k].coverage.values()) for k in short}
        got = dict.fromkeys(short, 0)
        short_set = set(short)
        near = {u: min((inst.distance.get((u, v)) or 0.0 for v in inst.unit_villages[u][SEC]
                        if ds.villages[v].county in short_set), default=math.inf)
                for u in {ds.cadres[c].unit_id for c in spare}}  # fmt: skip
        spare.sort(key=lambda c: (near[ds.cadres[c].unit_id], ds.cadres[c].unit_id, c))
        turn = 0
        for c in spare:
            uid = ds.cadres[c].unit_id
            options = [k for k in short if uid in present[k]]
            if not options:
                reach = {ds.villages[v].county for v in inst.unit_villages[uid][MEM]} | {
                    ds.villages[v].county for v in inst.unit_villages[uid][SEC]}  # fmt: skip
                options = [k for k in short if k in reach]
            options = [k for k in options if got[k] < SPARE_PER_POST * missing[k]]
            if options:
                extra[c] = options[turn % len(options)]
                got[extra[c]] += 1
                turn += 1
        if extra:
            alloc.update(extra)
            for k in short:
                parts[k] = _part(ds, k, alloc, inst.plan_date)
            again = _run_parts(short, run, workers, progress, t0)
            for k, r in again.items():  # kept only if it fills more, or as many for more points
                if _points_and_cover(inst, r) > _points_and_cover(inst, results[k]):
                    results[k] = r
    # the pairs run unless the first LP's bound (known or not at this moment, whatever the
    # clock) shows the plan already within GAP_GOOD_ENOUGH: a deterministic decision
    if not stop.is_set():
        first = lp.get("first", math.nan) if by_lp else math.nan
        points = sum(plan_points(inst, r.assignments) for r in results.values())
        if math.isnan(first) or (first - points) / max(1.0, abs(points)) > GAP_GOOD_ENOUGH:
            spent = sum(r.deterministic_time for r in results.values())
            if progress:
                progress(f"[{time.monotonic() - t0:7.1f}s] county parts: {points:.0f} points, "
                         f"{spent:.1f} deterministic units")  # fmt: skip
            _pairs_phase(inst, results, alloc, home, seed, workers, deadline, progress, t0,
                         stop, None if budget is None else PAIRS_SHARE * budget - spent, clock,
                         reference)  # fmt: skip
    lp_thread.join(timeout=None if deadline is None else max(0.0, deadline - time.monotonic()))
    max_posts = int(lp.get("posts", rel.max_posts))
    filled = sum(f for r in results.values() for f, _ in r.coverage.values())
    if "bound" in lp and "posts" not in lp and filled < max_posts and _time_for(lp, deadline, 2.0):
        # short of the flow's count: prove how many posts can be filled, and bound the
        # soft points of plans filling as many as this one
        max_posts = lp_max_posts(rel)
        if filled >= max_posts:
            lp["bound"] = lp_bound(rel, target=filled)
    if "bound" in lp and not math.isnan(lp["bound"]):
        rel.bound = lp["bound"] if max_posts < rel.max_posts else min(rel.bound, lp["bound"])
        if progress:
            progress(f"[{time.monotonic() - t0:7.1f}s] LP relaxation: at most {max_posts} "
                     f"required posts, soft bound {lp['bound']:.0f}")  # fmt: skip
    else:
        lp.pop("bound", None)
        notes_lp = "decomposition: the LP bound was not ready in time; the gap is to the flow bound"
        if progress:
            progress(notes_lp)
    res = SolveResult("UNKNOWN", inst, seed=seed, workers=workers)
    if "bound" not in lp:
        res.notes.append(notes_lp)
    for text in sorted(set(clock)):
        res.notes.append(f"decomposition: {text}; a rerun on a faster or idler machine may "
                         "give a different plan")  # fmt: skip
    cov: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    all_have = True
    for k in counties:
        r = results[k]
        all_have &= r.has_plan
        res.deterministic_time += r.deterministic_time
        res.assignments.extend(r.assignments)
        res.covers.extend(r.covers)
        res.notes.extend(f"county {k}: {n}" for n in r.notes)
        res.phases.extend({**p, "part": k, "trace": []} for p in r.phases)
        for c, (f, q) in r.coverage.items():
            cov[c][0] += f
            cov[c][1] += q
    res.assignments.sort(key=lambda a: (a.village_id, a.role, a.cadre_id))
    res.covers.sort()
    res.coverage = {c: (cov[c][0], cov[c][1]) for c in sorted(cov, key=_class_rank)}
    filled = sum(f for f, _ in res.coverage.values())
    res.coverage_proven = filled >= max_posts
    res.objective = plan_points(inst, res.assignments)
    if res.coverage_proven:
        res.bound = max(rel.bound, res.objective)
        res.gap = (res.bound - res.objective) / max(1.0, abs(res.objective))
    if not all_have:
        res.status = "FEASIBLE" if res.assignments else "UNKNOWN"
    else:
        res.status = "OPTIMAL" if res.coverage_proven and res.gap is not None and res.gap < 1e-9 \
            else "FEASIBLE"  # fmt: skip
    if not res.coverage_proven:
        res.notes.append(f"decomposition: {filled} required posts filled; the relaxation allows "
                         f"at most {max_posts}, so some may be fillable by a wider search")  # fmt: skip
    res.notes.append(f"decomposition: {len(counties)} county parts, {len(alloc)} province/city "
                     f"cadres handed to them, placed by the {'LP' if by_lp else 'flow'}")  # fmt: skip
    return res


def _run_parts(order: list[str], run, workers: int, progress, t0: float) -> dict:
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {k: pool.submit(run, k) for k in order}
        results = {}
        for k in order:
            results[k] = futures[k].result()
            if progress:
                r = results[k]
                got = sum(f for f, _ in r.coverage.values())
                need = sum(q for _, q in r.coverage.values())
                progress(f"[{time.monotonic() - t0:7.1f}s] county {k}: {r.status}, "
                         f"{got}/{need} posts, {r.wall_time:.1f} s")  # fmt: skip
    return results


def _points_and_cover(inst: Instance, r) -> tuple[tuple[int, ...], float]:
    from .domain import CATEGORIES

    cov = tuple(r.coverage.get(c, (0, 0))[0] for c in CATEGORIES)
    return cov, plan_points(inst, r.assignments)


def _pairs_phase(inst: Instance, results: dict, alloc: dict[str, str], home: dict[str, str],
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
    from .solver import SolveResult, solve

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
        r = solve(_part(ds, ks, alloc, inst.plan_date), inst.policy, inst.plan_date, time_limit=left - 1,
                  seed=seed, workers=1, method="exact", _must_send=must,
                  _skill_rates=inst.skill_rates, _dtime=dtime, reference=reference)  # fmt: skip
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
                cov_a, pts_a = _points_and_cover(inst, results[a])
                cov_b, pts_b = _points_and_cover(inst, results[b])
                cov_r, pts_r = _points_and_cover(inst, r)
                before = tuple(x + y for x, y in zip(cov_a, cov_b, strict=True))
                if not (all(x >= y for x, y in zip(cov_r, before, strict=True))
                        and pts_r > pts_a + pts_b):  # fmt: skip
                    continue
                kept += 1
                split = _split(inst, r, a, b)
                if split is None:  # a cluster team across the border: the pair stays whole
                    results[a] = r
                    results[b] = SolveResult("OPTIMAL", r.instance)
                    merged |= {a, b}
                    continue
                results[a], results[b] = split
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


def _split(inst: Instance, r, a: str, b: str):
    """The pair's plan as one result per county, so each may be paired anew next round;
    None when a cluster team covers across the border or the counties' coverage does not add
    up to the pair's (the pair then stays one part)."""
    from .solver import SolveResult

    ds = inst.ds
    county = {v: ds.villages[v].county for v in inst.need}
    if any(county.get(h) != county.get(w) for h, w in r.covers):
        return None
    out = []
    for k in (a, b):
        part = SolveResult(r.status, r.instance, seed=r.seed, workers=r.workers)
        part.assignments = [x for x in r.assignments if county.get(x.village_id) == k]
        part.covers = [c for c in r.covers if county.get(c[0]) == k]
        part.coverage = _coverage(inst, part.assignments, part.covers, k)
        out.append(part)
    total = {c: tuple(x + y for x, y in zip(out[0].coverage.get(c, (0, 0)),
                                            out[1].coverage.get(c, (0, 0)), strict=True))
             for c in r.coverage}  # fmt: skip
    if total != {c: tuple(v) for c, v in r.coverage.items()}:
        return None
    out[0].deterministic_time = r.deterministic_time  # the work is counted once
    out[0].notes, out[0].phases = list(r.notes), list(r.phases)
    return out[0], out[1]


def _coverage(inst: Instance, assignments, covers, k: str) -> dict[str, tuple[int, int]]:
    """Class → (required posts filled, required posts) of county ``k``'s villages."""
    from .solver import filled_by_class

    ds = inst.ds
    mine = {v for v in inst.need if ds.villages[v].county == k}
    got = filled_by_class(inst, assignments, covers, mine)
    need: dict[str, int] = defaultdict(int)
    for v in mine:
        need[inst.cls[v]] += inst.need[v].min
    return {c: (got.get(c, 0), q) for c, q in need.items()}


def _time_for(lp: dict[str, float], deadline: float | None, runs: float) -> bool:
    """Whether ``runs`` more LP solves as long as the first fit before the deadline."""
    return deadline is None or time.monotonic() + runs * lp.get("seconds", 0.0) < deadline


def _class_rank(c: str) -> int:
    from .domain import CATEGORIES

    return CATEGORIES.index(c) if c in CATEGORIES else len(CATEGORIES)


__all__ = ["plan_points", "should_decompose", "solve_parts"]
