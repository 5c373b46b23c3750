"""Proven bounds on required posts, per priority class: how far a plan can be from the best.

Every plan is a flow of people to posts that keeps LV-LEVEL, LV-REGION, eligibility, hard
H-CONTINUITY and H-PROVVILLAGE and the posts' room (the :class:`~optimizer.model.shape.Shape`), so
the maximum flow into one class's required posts bounds the posts of that class any plan can
fill, whatever it does elsewhere — and the same flow over every class bounds the total.
(Dropped: which unit's members join which secretary, T-UNIT; one person's history,
H-NOREPEAT; so the bound may be above the best plan — the gap is then "posts in doubt", never
an understatement.) C-CLUSTER is counted generously: a village a cluster could cover is as
good as filled. Max flow on a province (7,400 villages, ~25,000 people) takes seconds.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ortools.graph.python import max_flow

from optimizer.model.shape import Shape, build_shape, cap
from optimizer.rules.instance import SEC, Instance
from optimizer.rules.scoring import plan_points
from optimizer.scale.flow import coverable, relax


def class_bounds(inst: Instance, shape: Shape) -> tuple[dict[str, int], int]:
    """(class → most required posts of that class any plan fills, most in all classes)."""
    net = _PostsNetwork(inst, shape)
    sink_arcs = net.villages(shape)
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(
        np.asarray(net.tails, dtype=np.int32),
        np.asarray(net.heads, dtype=np.int32),
        np.asarray(net.caps, dtype=np.int64),
    )
    total = _solve(flow, net.src, net.sink)
    base = _incumbent_posts(inst)
    out: dict[str, int] = {}
    for cls in sorted(sink_arcs):
        for other, arcs in sink_arcs.items():
            for arc, k in arcs:
                flow.set_arc_capacity(arc, k if other == cls else 0)
        out[cls] = base.get(cls, 0) + _solve(flow, net.src, net.sink)
    for cls, n in base.items():
        out.setdefault(cls, n)
    return out, sum(base.values()) + total


class _PostsNetwork:
    """source → cadre → unit (secretary / member supply) → village posts → sink, over the
    shape's pairs: every plan is a flow of it."""

    def __init__(self, inst: Instance, shape: Shape) -> None:
        ds, self.inst = inst.ds, inst
        self.vids = list(inst.need)
        self.vix = {v: i for i, v in enumerate(self.vids)}
        uids = sorted({u for u, _ in shape.sizes})
        uix = {u: i for i, u in enumerate(uids)}
        people = [c for u in uids for c in inst.eligible.get(u, [])]
        nv, nu = len(self.vids), len(uids)
        self.src, self.sink = 0, 1
        self.v_sec, self.v_mem = 2, 2 + nv
        u_sec, u_mem, c0 = 2 + 2 * nv, 2 + 2 * nv + nu, 2 + 2 * nv + 2 * nu
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.caps: list[int] = []
        for i, c in enumerate(people):
            u = uix[ds.cadres[c].unit_id]
            self.add(self.src, c0 + i, 1)
            self.add(c0 + i, u_mem + u, 1)
            if not inst.sec_failures[c]:
                self.add(c0 + i, u_sec + u, 1)
        for (u, v), k in shape.sec_room.items():
            self.add(u_sec + uix[u], self.v_sec + self.vix[v], k)
        for (u, v), k in shape.mem_room.items():
            self.add(u_mem + uix[u], self.v_mem + self.vix[v], k)

    def add(self, t: int, h: int, k: int) -> None:
        self.tails.append(t)
        self.heads.append(h)
        self.caps.append(k)

    def villages(self, shape: Shape) -> dict[str, list[tuple[int, int]]]:
        """Village posts → sink, per class: class → [(arc, capacity)]."""
        inst = self.inst
        covers = coverable(inst)
        sink_arcs: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for v in self.vids:
            incs = inst.inc_by_village.get(v, [])
            need = inst.need[v].min
            if any(p.role == SEC for p in incs):
                sec, mem = 0, max(0, need - len(incs))
            else:  # members count up to need − 1 without a first secretary, who adds one
                sec, mem = min(1, cap(shape, v) - len(incs)), max(0, need - 1 - len(incs))
            for node, k in ((self.v_sec + self.vix[v], sec), (self.v_mem + self.vix[v], mem)):
                if k <= 0:
                    continue
                if v in covers:  # a cluster team may cover it: as good as filled
                    self.add(self.src, node, k)
                sink_arcs[inst.cls[v]].append((len(self.tails), k))
                self.add(node, self.sink, k)
        return sink_arcs


def _solve(flow: max_flow.SimpleMaxFlow, src: int, sink: int) -> int:
    if flow.solve(src, sink) != flow.OPTIMAL:
        raise RuntimeError("bounds: max flow failed")
    return int(flow.optimal_flow())


def _incumbent_posts(inst: Instance) -> dict[str, int]:
    """Required posts incumbents already fill, per class (counted as a plan counts them)."""
    out: dict[str, int] = defaultdict(int)
    for v, cls in inst.cls.items():
        incs = inst.inc_by_village.get(v, [])
        need = inst.need[v].min
        has_sec = any(p.role == SEC for p in incs)
        out[cls] += min(len(incs), need if has_sec else need - 1)
    return dict(out)


def coverage_gaps(filled: dict[str, int], bounds: dict[str, int]) -> dict[str, int]:
    """Class → posts in doubt: the bound less the posts filled (never below zero)."""
    return {c: max(0, bounds.get(c, f) - f) for c, f in filled.items()}


__all__ = ["class_bounds", "coverage_gaps", "fill_bounds"]


def fill_bounds(res, inst: Instance) -> None:
    """Make sure a result says how good it is: a bound on required posts per class and in
    all (the solve's own proof when coverage is proven, else the max flow), and a soft bound
    for the coverage reached (the solve's, else the flow's best points of any plan)."""
    filled = {c: f for c, (f, _q) in res.coverage.items()}
    if not res.coverage_bound:
        if res.coverage_proven:
            res.coverage_bound = dict(filled)
        else:
            per_class, _total = class_bounds(inst, build_shape(inst))
            res.coverage_bound = {
                c: max(f, min(res.coverage[c][1], per_class.get(c, f))) for c, f in filled.items()
            }
    if res.posts_bound is None:
        res.posts_bound = sum(res.coverage_bound.values())
    if not res.has_plan:
        return
    if res.objective is None:
        res.objective = plan_points(inst, res.assignments)
    if res.bound is None or res.gap is None:
        rel = relax(inst)
        filled_all = sum(filled.values())
        res.bound = max(rel.bound if filled_all >= rel.max_posts else rel.any_bound, res.objective)
        res.gap = (res.bound - res.objective) / max(1.0, abs(res.objective))
