"""The soft program: where the province and city people go for the most points, and a proven
soft bound, by the team LP at the plan's counts solved as an integer program over every pair.

The county pairs (:mod:`optimizer.scale.pairs`) move wide units' people a pair of counties at
a time; after the coverage round they found nothing on city-201 under hebei-2018 (0 of 2
pairs), 2.12 % under the LP's county-block bound. The soft LP (:mod:`optimizer.scale.lp`) at
the plan's class counts, with every pair, as an integer program: 25,354 pairs, solved in 16 s,
186,860 points — and the county parts solved again on its people filled the same posts and
scored exactly that. The program's dual bound holds for every plan filling as many in each
class (the LP relaxes every plan), so the plan is then proven optimal for its coverage.
Only where it is small enough (``Tuning.soft_mip_pairs``): with 224–340 K pairs (hunan-2021,
central-2021 cities) it found no solution in 60 s, or its teams could not all be formed.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from optimizer.model.params import Tuning
from optimizer.scale.blockserve import solve_with_bound
from optimizer.scale.flow import Relaxation
from optimizer.scale.lp import TeamLp, highs
from optimizer.scale.lpmip import job, people


@dataclass
class SoftProgram:
    """The soft program's best solution: ``people`` (province/city cadre → county), whether
    ``optimal``, and ``bound`` on the points of plans filling at least ``filled`` posts and
    ``counts`` of each class (NaN when none)."""

    people: dict[str, str]
    optimal: bool
    bound: float
    filled: int
    counts: dict[str, int]

    def bound_for(self, filled: int, got: dict[str, int]) -> float:
        """The bound, if it holds for a plan filling ``filled`` posts, ``got`` per class."""
        covers = filled >= self.filled and all(got.get(c, 0) >= n for c, n in self.counts.items())
        return self.bound if covers else math.nan


def soft_people(rel: Relaxation, tuning: Tuning, filled: int, counts: dict[str, int],
                sends: Iterable[str], hint: Iterable[tuple[str, str, bool]],
                deadline: float | None,
                cancel: threading.Event | None = None) -> SoftProgram | None:  # fmt: skip
    """The soft program for plans filling ``filled`` posts, ``counts`` per class; None without
    HiGHS or the flow's arrays, above ``tuning.soft_mip_pairs`` pairs, when the LP does not
    fill those counts, or without an integer solution by ``deadline`` or ``cancel``."""
    a = rel.arrays
    if a is None or highs() is None or len(a.pu) > tuning.soft_mip_pairs:
        return None
    lp = TeamLp(rel, tuning, False, filled, deadline, counts, sends, hint)
    got = lp.solve(cancel=cancel)
    optimal = lp.h.getModelStatus() == lp.highspy.HighsModelStatus.kOptimal
    if math.isnan(got) or not optimal or lp.short():
        return None
    lp.add_pairs(np.nonzero((lp.col_of < 0) & (lp.ub_pair > 0))[0])
    x, optimal, dual = solve_with_bound(job(lp, deadline), deadline, cancel)
    if x is None:
        return None
    # the program's points never exceed its dual bound, nor any plan's (as :meth:`TeamLp.solve`)
    bound = math.floor(-dual + 1e-6 * max(1.0, abs(dual))) + 1 if math.isfinite(dual) else math.nan
    return SoftProgram(people(lp, x), optimal, float(bound), filled, dict(counts))


__all__ = ["SoftProgram", "soft_people"]
