"""The flow's soft bound for plans filling at least a given number of required posts.

The flow relaxation (:mod:`optimizer.scale.flow`) bounds the soft points of plans filling its
most posts, and of plans of any size. A plan short of the most posts (hebei-2018's shortage)
was held only to the second, the loosest: a flow may then leave out every costly posting.
A Lagrangian on the count is tighter: give every new posting a bonus λ ≥ 0 and take the best
flow of any size; a plan making at least ``n`` new postings scores at most that flow's value
less λ·n, for every λ (realistic province of seed 7 under hebei-2018, 14,946 posts: 1,334,699
→ 1,209,331; the LP, not ready in a 300 s run, gives 1,031,823). It stands in where the LP
is late; a bisection on λ, each probe one min-cost flow, each a valid bound.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np
from ortools.graph.python import min_cost_flow

from optimizer.scale.flow import Relaxation

LAMBDA_MAX = 4096


class PostsBound:
    """The probes (λ, best flow's value with the bonus) on a daemon thread, aimed at plans
    filling ``target`` required posts; :meth:`bound` reads them for any count."""

    def __init__(self, rel: Relaxation, target: int, deadline: float | None = None) -> None:
        self.rel, self.net, self.target, self.deadline = rel, rel.network, target, deadline
        self.probes: list[tuple[int, float]] = []
        self.aim = 0 if self.net is None else self.new_postings(target)
        self.thread = threading.Thread(target=self.work, daemon=True, name="zhucun-flow-count")

    def start(self) -> PostsBound:
        """Probing begins, unless the target is the flow's most posts (its own bound holds)."""
        if self.net is not None and self.target < self.rel.max_posts and self.aim > 0:
            self.thread.start()
        return self

    def new_postings(self, posts: int) -> int:
        """The fewest new postings of a plan filling ``posts`` required posts: the rest are
        incumbents' or covered by a cluster team."""
        return posts - self.net.incumbent_posts - self.net.cover_posts

    def value(self, lam: int) -> tuple[float, int]:
        """The best flow of any size with a bonus ``lam`` per new posting: its value and its
        new postings."""
        n = self.net
        cost = n.cost.copy()
        cost[n.postings] -= lam
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(n.tail, n.head, n.cap, cost)
        flow.set_node_supply(n.src, n.total)
        flow.set_node_supply(n.cover_src, n.total)
        flow.set_node_supply(n.sink, -2 * n.total)
        if flow.solve() != flow.OPTIMAL:
            return math.inf, 0
        made = int(flow.flows(np.flatnonzero(n.postings).astype(np.int32)).sum())
        return -float(flow.optimal_cost()), made

    def work(self) -> None:
        """Bisection on λ for the least λ whose best flow makes the aimed postings (the
        bound's minimum over λ is there), until the deadline."""
        lo, hi = 0, LAMBDA_MAX
        while lo < hi:
            if self.deadline is not None and time.monotonic() >= self.deadline:
                return
            lam = (lo + hi) // 2
            got, made = self.value(lam)
            self.probes.append((lam, got))
            if made >= self.aim:
                hi = lam
            else:
                lo = lam + 1

    def bound(self, posts: int) -> float:
        """The best bound on the soft points of plans filling at least ``posts`` required
        posts: the best flow of any size's, or a probe's so far."""
        if self.net is None:
            return self.rel.any_bound
        need = max(0, self.new_postings(posts))
        got = min((v - lam * need for lam, v in list(self.probes)), default=math.inf)
        return min(self.rel.any_bound, got)


__all__ = ["PostsBound"]
