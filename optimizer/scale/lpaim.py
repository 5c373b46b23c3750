"""A built team LP (:mod:`optimizer.scale.lp`) aimed at other counts and solved again warm:
the soft bound for another plan's counts, and the coverage of one class after another."""

from __future__ import annotations

import numpy as np


class Aims:
    """Re-aiming the LP: its rows' bounds and objective change, its columns stay."""

    def aim(self, target: int, classes: dict[str, int] | None = None) -> None:
        """``target`` posts in all and ``classes`` of each class (those the LP was set up
        with) to fill: the same LP, to be solved again warm, for another plan's counts."""
        self.target, self.best = target, float("nan")
        self.aim_classes(classes or self.classes)
        self.row_hi[self.r_cov] = hi = -(self.target - self.inc_filled)
        self.h.changeRowBounds(self.r_cov, -np.inf, hi)

    def aim_classes(self, classes: dict[str, int]) -> None:
        """Each class row of the LP at least ``classes`` of its posts (0 if not there)."""
        for j, c in enumerate(sorted(self.classes)):
            n = classes.get(c, 0)
            r = self.r_cls + j
            self.row_hi[r] += self.classes[c] - n
            self.classes[c] = n
            self.h.changeRowBounds(r, -np.inf, self.row_hi[r])

    def count_only(self, only: str, before: dict[str, int]) -> None:
        """A coverage LP set up with every class's row (``only`` given): now class ``only``'s
        posts, with at least ``before`` of the classes there; solved again warm, the classes
        one after another (city-61 realistic under hebei-2018: ``exited`` 3.4 s alone)."""
        self.counted = np.array([self.inst.cls[v] == only for v in self.a.vids], dtype=bool)
        self.inc_filled, self.best = int(self.inc[self.counted].sum()), float("nan")
        cost = -self.counted.astype(float)
        cols = np.arange(self.filled_at, self.filled_at + self.nv, dtype=np.int32)
        self.h.changeColsCost(len(cols), cols, cost)
        self.costs[self.filled_block] = cost
        self.aim_classes(before)
        self.h.setOptionValue("simplex_strategy", 1)
