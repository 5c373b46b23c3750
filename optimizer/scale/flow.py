"""A network-flow relaxation of the master model: a proven bound, and where wide units go.

Dropping the rules that tie people together in teams (T-UNIT and J-JOINT: members from the
secretary's unit; T-SEC's "no members without a secretary"; C-CLUSTER's adjacency; U-PARTICIPATE;
pins; H-NOREPEAT per person) leaves a transportation problem:

    source → cadre (1) → unit's secretary / member supply → village's secretary / member posts → sink

Every plan of the master model is a flow of this network with the same soft points, so

* its maximum flow bounds the required posts any plan can fill (every fillable post), and
* among maximum flows, the least cost bounds the soft objective of any plan that fills that
  many posts.

It is solved exactly by OR-Tools' min-cost flow in seconds at province scale (~1M arcs). The
flow also says how many posts each province and city unit takes in each county, which is how
:mod:`optimizer.scale.decompose` hands those units' cadres to the county parts. The same
arrays, with T-UNIT's tie added, are the LP of :mod:`optimizer.scale.lp`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from optimizer.model.shape import village_caps
from optimizer.rules.history import UnitBars
from optimizer.rules.instance import MEM, SEC, Instance
from optimizer.rules.scoring import cadre_points, rule_S_FIT, team_points, travel_costs


@dataclass
class FlowArrays:
    """The network's unit → village pairs and cadre columns, as the LP takes them over."""

    vids: list[str]
    room: np.ndarray
    """Village → (new secretary posts, new member posts) it may take."""
    required: np.ndarray
    """Village → required posts not already filled by incumbents (may be negative)."""
    cov: list[int]
    """Villages a cluster team may cover (indices into ``vids``)."""
    pu: np.ndarray
    """Pair → unit index."""
    pv: np.ndarray
    """Pair → village index."""
    ps: np.ndarray
    """Pair → it carries the secretary (else members)."""
    pcap: np.ndarray
    pcost: np.ndarray
    """Pair → cost per posting (negated points: travel, fit, team terms)."""
    cad_unit: np.ndarray
    cad_sec: np.ndarray
    mem_pts: np.ndarray
    """Cadre → points as a member."""
    sec_cost: list[int]
    """Secretary-capable cadre (in order) → cost as a secretary (negated points)."""
    n_units: int
    pair_used: np.ndarray
    """Pair → the flow used it."""


@dataclass
class Relaxation:
    max_posts: int
    """Required posts the relaxation fills: no plan fills more."""
    bound: float
    """Soft points no plan filling ``max_posts`` posts can exceed."""
    used: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Cadre → [(village, role)] the flow posts them to (one entry per cadre)."""
    any_bound: float = math.inf
    """Soft points no plan can exceed, however many posts it fills: the best flow of any
    size (a plan short of ``max_posts`` may leave out a costly posting a maximum flow must
    make)."""
    arrays: FlowArrays | None = field(default=None, repr=False)
    """The network, for the LP (None when no unit may post anyone)."""
    inst: Instance | None = field(default=None, repr=False)


def village_room(inst: Instance, vid: str, caps: dict[str, int]) -> tuple[int, int]:
    """(new secretary posts, new member posts) the village may still take, as the master
    (``caps``: :func:`~optimizer.model.shape.village_caps`)."""
    incs = inst.inc_by_village.get(vid, [])
    sec = 0 if any(p.role == SEC for p in incs) else 1
    room = max(0, caps[vid] - len(incs))
    return min(sec, room), max(0, room - sec)


def coverable(inst: Instance) -> set[str]:
    """Villages a cluster team might cover (C-CLUSTER), judged generously."""
    cl = inst.policy.cluster
    if not cl.hosts or cl.max_extra <= 0:
        return set()
    out = set()
    for h in inst.need:
        if not inst.ds.villages[h].categories & set(cl.hosts):
            continue
        for w in inst.adjacency.get(h, ()):
            v = inst.ds.villages.get(w)
            if (
                w in inst.need
                and not inst.inc_by_village.get(w)
                and v is not None
                and v.categories <= set(cl.coverable)
            ):
                out.add(w)
    return out


def fits(inst: Instance, uid: str, vids: list[str]) -> list[int]:
    """S-FIT points per posting, as the master charges them (one call per need set)."""
    cache: dict[frozenset[str], int] = {}
    out = []
    for v in vids:
        needs = inst.ds.villages[v].needs
        if needs not in cache:
            cache[needs] = rule_S_FIT(inst, uid, v)
        out.append(cache[needs])
    return out


def relax(inst: Instance) -> Relaxation:
    """The flow relaxation of ``inst`` (:mod:`optimizer.scale.lp` tightens its bounds)."""
    net = _Network(inst)
    net.villages()
    net.cadres()
    net.unit_pairs()
    return net.solve()


class TeamTerms:
    """H-CONTINUITY, H-PROVVILLAGE and the team's soft terms for millions of (unit, village)
    pairs, each asked once per (unit level, village, whether the unit kept the village) —
    all they read of the unit (province-201 under central-2021: the flow built in 16 s, was
    37 s)."""

    def __init__(self, inst: Instance) -> None:
        self.inst, self.bars = inst, UnitBars(inst)
        self.pts: dict[tuple[str, str, bool], int] = {}

    def allowed(self, uid: str, vids: list[str]) -> list[str]:
        """The villages of ``vids`` neither rule bars ``uid`` from."""
        return [v for v in vids if self.bars.barred(uid, v) is None]

    def points(self, uid: str, vid: str) -> int:
        """The team's soft points (:func:`~optimizer.rules.scoring.team_points`) summed."""
        key = self.bars.key(uid, vid)
        if key not in self.pts:
            self.pts[key] = sum(team_points(self.inst, uid, vid).values())
        return self.pts[key]


class _Network:
    """The arcs of the relaxation, added family by family, then one min-cost flow."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.vids = list(inst.need)
        self.vix = {v: i for i, v in enumerate(self.vids)}
        self.uids = sorted(u for u in inst.eligible if inst.eligible[u])
        self.uix = {u: i for i, u in enumerate(self.uids)}
        self.cadre_ids = [c for u in self.uids for c in inst.eligible[u]]
        nv, nu = len(self.vids), len(self.uids)
        # node numbering: source, sink, villages (sec, mem), units (sec, mem), cadres
        self.src, self.sink, self.cover_src = 0, 1, 2
        self.v_sec, self.v_mem = 3, 3 + nv
        self.u_sec, self.u_mem = 3 + 2 * nv, 3 + 2 * nv + nu
        self.c0 = 3 + 2 * nv + 2 * nu
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.n_arcs = 0
        self.pairs: list[tuple[np.ndarray, ...]] = []

    def arcs(self, t, h, cap, cost) -> None:
        self.n_arcs += len(t)
        self.parts.append(
            (
                np.asarray(t, dtype=np.int32),
                np.asarray(h, dtype=np.int32),
                np.asarray(cap, dtype=np.int64),
                np.asarray(cost, dtype=np.int64),
            )
        )

    def villages(self) -> None:
        """Villages → sink; covered villages may be filled from the cover source at no cost;
        posts above the minimum (pins, incumbents) are optional: a dummy may fill them, so the
        maximum flow never forces a costly posting a plan could leave out."""
        inst, vids, nv = self.inst, self.vids, len(self.vids)
        caps = village_caps(inst)
        self.room = np.array([village_room(inst, v, caps) for v in vids], dtype=np.int64)
        self.room = self.room.reshape(-1, 2)
        idx, zeros, sink = np.arange(nv), np.zeros(nv), np.full(nv, self.sink)
        self.arcs(self.v_sec + idx, sink, self.room[:, 0], zeros)
        self.arcs(self.v_mem + idx, sink, self.room[:, 1], zeros)
        self.cov = sorted(self.vix[v] for v in coverable(inst))
        if self.cov:
            c, src = np.array(self.cov), np.full(len(self.cov), self.cover_src)
            self.arcs(src, self.v_sec + c, self.room[c, 0], np.zeros(len(c)))
            self.arcs(src, self.v_mem + c, self.room[c, 1], np.zeros(len(c)))
        self.required = np.array(
            [inst.need[v].min - len(inst.inc_by_village.get(v, [])) for v in vids]
        )
        extra = np.maximum(0, self.room.sum(axis=1) - np.maximum(self.required, 0))
        e = np.nonzero(extra)[0]
        if len(e):
            self.arcs(np.full(len(e), self.cover_src), self.v_mem + e, extra[e], np.zeros(len(e)))

    def cadres(self) -> None:
        """Source → cadre → unit supply per role, at the cadre's points for that role."""
        inst, nc = self.inst, len(self.cadre_ids)
        ci = np.arange(nc)
        self.arcs(np.full(nc, self.src), self.c0 + ci, np.ones(nc), np.zeros(nc))
        sec_t, sec_h, self.sec_cost, mem_h, self.mem_cost = [], [], [], [], []
        for i, c in enumerate(self.cadre_ids):
            u = self.uix[inst.ds.cadres[c].unit_id]
            mem_h.append(self.u_mem + u)
            self.mem_cost.append(-sum(cadre_points(inst, c, MEM).values()))
            if not inst.sec_failures[c]:
                sec_t.append(self.c0 + i)
                sec_h.append(self.u_sec + u)
                self.sec_cost.append(-sum(cadre_points(inst, c, SEC).values()))
        self.arcs(self.c0 + ci, mem_h, np.ones(nc), self.mem_cost)
        self.arcs(sec_t, sec_h, np.ones(len(sec_t)), self.sec_cost)

    def unit_pairs(self) -> None:
        """Unit → village, per role: travel and fit per posting; continuity and prov-village
        on the secretary, as the master charges them."""
        inst, vids = self.inst, self.vids
        ds, w = inst.ds, inst.policy.weights
        vx = np.array([np.nan if ds.villages[v].x is None else ds.villages[v].x for v in vids])
        vy = np.array([np.nan if ds.villages[v].y is None else ds.villages[v].y for v in vids])
        keepers = set().union(*inst.prev_units.values())  # only they and province units score
        terms = TeamTerms(inst)
        for uid in self.uids:
            u, per_role = ds.units[uid], inst.unit_villages[uid]
            k_any, k_sec = len(inst.eligible[uid]), len(inst.sec_eligible.get(uid, ()))
            for role, node, k in ((SEC, self.u_sec, k_sec), (MEM, self.u_mem, k_any)):
                vs = terms.allowed(uid, per_role[role])
                if not vs or not k:
                    continue
                j = np.array([self.vix[v] for v in vs])
                cap = self.room[j, 0 if role == SEC else 1]
                keep = cap > 0
                j, cap = j[keep], np.minimum(cap[keep], k)
                if not len(j):
                    continue
                if u.x is None or u.y is None or not w.travel_per_10km:
                    cost = np.zeros(len(j), dtype=np.int64)
                else:  # no distance (no coordinates): no travel charged
                    km = np.nan_to_num(np.hypot(vx[j] - u.x, vy[j] - u.y))
                    cost = travel_costs(w.travel_per_10km, km)
                cost = cost - np.array(fits(inst, uid, [vids[jj] for jj in j]), dtype=np.int64)
                if role == SEC and (u.level == "province" or uid in keepers):
                    cost -= np.array([terms.points(uid, vids[jj]) for jj in j], dtype=np.int64)
                start = self.n_arcs
                head = (self.v_sec if role == SEC else self.v_mem) + j
                self.arcs(np.full(len(j), node + self.uix[uid]), head, cap, cost)
                self.pairs.append(
                    (
                        np.full(len(j), self.uix[uid]),
                        j,
                        np.full(len(j), role == SEC),
                        cap,
                        cost,
                        np.arange(start, start + len(j)),
                    )
                )

    def solve(self) -> Relaxation:
        """The maximum flow of least cost; then, with a free way round, the best points of a
        flow of any size."""
        t_all, h_all, cap_all, cost_all = (np.concatenate(x) for x in zip(*self.parts, strict=True))
        flow = min_cost_flow.SimpleMinCostFlow()
        first = flow.add_arcs_with_capacity_and_unit_cost(t_all, h_all, cap_all, cost_all)
        total = int(self.room.sum())
        flow.set_node_supply(self.src, total)
        flow.set_node_supply(self.cover_src, total)
        flow.set_node_supply(self.sink, -2 * total)
        status = flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"relaxation: min-cost flow status {status}")
        flows = flow.flows(np.asarray(first, dtype=np.int32))
        # the flow's posts count toward required posts only up to each village's minimum
        nv = len(self.vids)
        into = np.zeros(nv, dtype=np.int64)
        sel = h_all == self.sink
        np.add.at(into, (t_all[sel] - self.v_sec) % nv, flows[sel])
        mins = np.array([self.inst.need[v].min for v in self.vids], dtype=np.int64)
        max_posts = int(np.minimum(mins, into + mins - self.required).sum())
        rel = Relaxation(
            max_posts,
            -float(np.dot(flows, cost_all)),
            self.used(t_all, h_all, flows),
            inst=self.inst,
        )
        flow.add_arc_with_capacity_and_unit_cost(self.src, self.sink, total, 0)
        flow.add_arc_with_capacity_and_unit_cost(self.cover_src, self.sink, total, 0)
        rel.any_bound = -float(flow.optimal_cost()) if flow.solve() == flow.OPTIMAL else math.inf
        rel.any_bound = max(rel.any_bound, rel.bound)
        if self.pairs:
            rel.arrays = self.arrays(flows)
        return rel

    def used(self, t_all, h_all, flows) -> dict[str, list[tuple[str, str]]]:
        """Which cadre goes where: the unit's flowing cadres paired with its flowing posts,
        in order."""
        nv, nu = len(self.vids), len(self.uids)
        used: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for role, node, vnode in ((SEC, self.u_sec, self.v_sec), (MEM, self.u_mem, self.v_mem)):
            sel = (
                (flows > 0)
                & (t_all >= node)
                & (t_all < node + nu)
                & (h_all >= vnode)
                & (h_all < vnode + nv)
            )
            posts: dict[int, list[str]] = defaultdict(list)
            for t, h, f in zip(t_all[sel], h_all[sel], flows[sel], strict=True):
                posts[int(t - node)].extend([self.vids[int(h - vnode)]] * int(f))
            sel = (flows > 0) & (t_all >= self.c0) & (h_all >= node) & (h_all < node + nu)
            people: dict[int, list[str]] = defaultdict(list)
            for t, h in zip(t_all[sel], h_all[sel], strict=True):
                people[int(h - node)].append(self.cadre_ids[int(t - self.c0)])
            for u, vs in posts.items():
                for c, v in zip(sorted(people[u]), sorted(vs), strict=False):
                    used[c].append((v, role))
        return dict(used)

    def arrays(self, flows: np.ndarray) -> FlowArrays:
        pu, pv, ps, pcap, pcost, parc = (np.concatenate(x) for x in zip(*self.pairs, strict=True))
        ds = self.inst.ds
        return FlowArrays(
            vids=self.vids,
            room=self.room,
            required=self.required,
            cov=self.cov,
            pu=pu,
            pv=pv,
            ps=ps,
            pcap=pcap,
            pcost=pcost,
            cad_unit=np.array([self.uix[ds.cadres[c].unit_id] for c in self.cadre_ids]),
            cad_sec=np.array([not self.inst.sec_failures[c] for c in self.cadre_ids]),
            mem_pts=-np.array(self.mem_cost),
            sec_cost=self.sec_cost,
            n_units=len(self.uids),
            pair_used=flows[parc] > 0,
        )
