"""County parts of a decomposed problem: their datasets, their plans' points and coverage.

Shared by the decomposition (:mod:`optimizer.scale.decompose`) and its county-pairs phase
(:mod:`optimizer.scale.pairs`).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from optimizer.data.domain import CATEGORIES, Dataset
from optimizer.model.exact import solve_instance
from optimizer.model.lexorder import lex
from optimizer.model.params import PartStart, SolveParams
from optimizer.model.result import SolveResult, filled_by_class
from optimizer.rules.instance import Instance, build_instance
from optimizer.rules.scoring import plan_points
from optimizer.scale.budget import Budget
from optimizer.scale.floor import as_start


@dataclass
class PartsState:
    """What the improvement phases after the county parts (spare people, county pairs) work
    on; they update ``results``, ``alloc`` and ``home`` in place."""

    inst: Instance
    results: dict[str, SolveResult]
    """County → its plan."""
    alloc: dict[str, str]
    """Wide-unit cadre → the county holding them; updated as people move."""
    home: dict[str, str]
    """Must-send unit → the county carrying its obligation; updated as people move."""
    params: SolveParams
    budget: Budget
    clock: list[str]
    """Where the time limit, not a deterministic budget, decided (the notes say so)."""
    progress: Callable[[str], None] | None = None
    reference: object | None = None

    def start(self, counties) -> dict[str, dict]:
        """The counties' current plans as one start for a re-solve of them: its search then
        begins from a plan as good as theirs (and is modelled on its shortlist)."""
        mine = [(a.cadre_id, a.village_id, a.role) for k in counties
                for a in self.results[k].assignments]  # fmt: skip
        return as_start(mine, {c: self.inst.unit_of(c) for c, _, _ in mine})


def part_dataset(
    ds: Dataset, county: str | frozenset[str], alloc: dict[str, str], at: date
) -> Dataset:
    """The county's (or counties') own villages and units, plus the wide units' people
    handed to it, plus the incumbents serving (not recalled) at its villages at ``at`` (busy,
    so handed nowhere: without them a part would read their postings as a departed cadre's,
    vacant, and seat a second first secretary)."""
    ks = frozenset([county]) if isinstance(county, str) else county
    villages = {k: v for k, v in ds.villages.items() if v.county in ks}
    recalled = {r.cadre_id for r in ds.recall}
    serving = {
        p.cadre_id
        for p in ds.history
        if p.village_id in villages and p.current_at(at) and p.cadre_id not in recalled
    }
    cadres = {
        k: c
        for k, c in ds.cadres.items()
        if alloc.get(k) in ks
        or k in serving
        or (
            k not in alloc
            and ds.units[c.unit_id].level in ("county", "township")
            and ds.units[c.unit_id].region in ks
        )
    }
    # history rows of its villages (incumbents, continuity) and of its people (H-NOREPEAT);
    # a cadre named in them but handed to another part stays out: no one is in two parts
    history = [p for p in ds.history if p.village_id in villages or p.cadre_id in cadres]
    served = {p.cadre_id for p in history if p.village_id in villages}
    unit_ids = {c.unit_id for c in cadres.values()} | {
        p.unit_id for p in history if p.village_id in villages
    }
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


def points_and_cover(inst: Instance, r) -> tuple[tuple[int, ...], float]:
    return class_order(r), plan_points(inst, r.assignments)


def county_coverage(inst: Instance, assignments, covers, k: str) -> dict[str, tuple[int, int]]:
    """Class → (required posts filled, required posts) of county ``k``'s villages."""
    ds = inst.ds
    mine = {v for v in inst.need if ds.villages[v].county == k}
    got = filled_by_class(inst, assignments, covers, mine)
    need: dict[str, int] = defaultdict(int)
    for v in mine:
        need[inst.cls[v]] += inst.need[v].min
    return {c: (got.get(c, 0), q) for c, q in need.items()}


def class_order(r) -> tuple[int, ...]:
    """``r``'s required posts filled per class in SPEC §3's order, to compare."""
    return lex({c: f for c, (f, _q) in r.coverage.items()})


def plan_counts(results) -> Counter[str]:
    """Required posts filled per class by the county results ``results`` (county → result)."""
    got: Counter[str] = Counter()
    for r in results.values():
        got.update({c: f for c, (f, _q) in r.coverage.items()})
    return got


def class_rank(c: str) -> int:
    return CATEGORIES.index(c) if c in CATEGORIES else len(CATEGORIES)


__all__ = [
    "PartsState",
    "class_order",
    "class_rank",
    "county_coverage",
    "part_dataset",
    "points_and_cover",
    "run_parts",
    "solve_part",
]


def solve_part(
    inst: Instance,
    ks,
    alloc: dict[str, str],
    must: set[str],
    params: SolveParams,
    *,
    reference=None,
    dtime: float | None = None,
    start: dict | None = None,
):
    """The exact solve of the part of ``inst`` in county (or counties) ``ks``: its villages,
    the people ``alloc`` gives it, the must-send units homed there; the whole instance's skill
    rates, so its points are the whole problem's."""
    ds = part_dataset(inst.ds, ks, alloc, inst.plan_date)
    t0 = time.monotonic()
    part = build_instance(ds, inst.policy, inst.plan_date, must, inst.skill_rates)
    return solve_instance(
        part,
        params,
        t0,
        reference=reference,
        part=PartStart(dtime, start, params.tuning.part_shortlist),
    )


def run_parts(order: list[str], run, workers: int, say) -> dict:
    """Each county of ``order`` solved by ``run``, ``workers`` side by side; a line each."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {k: pool.submit(run, k) for k in order}
        results = {}
        for k in order:
            results[k] = futures[k].result()
            r = results[k]
            got = sum(f for f, _ in r.coverage.values())
            need = sum(q for _, q in r.coverage.values())
            say(f"county {k}: {r.status}, {got}/{need} posts, {r.wall_time:.1f} s")
    return results
