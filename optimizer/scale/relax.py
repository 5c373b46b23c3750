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
:mod:`optimizer.scale.decompose` hands those units' cadres to the county parts.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from optimizer.model.shape import allowed_H_CONTINUITY, allowed_H_PROVVILLAGE
from optimizer.rules.instance import MEM, SEC, Instance
from optimizer.rules.scoring import cadre_points, fit_points, team_points, travel_points


@dataclass
class Relaxation:
    max_posts: int
    """Required posts the relaxation fills: no plan fills more."""
    bound: float
    """Soft points no plan filling ``max_posts`` posts can exceed."""
    used: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Cadre → [(village, role)] the flow posts them to (one entry per cadre)."""
    lp_bound: float | None = None
    """The tighter bound of the LP with T-UNIT's tie (``relax(inst, lp=True)``)."""
    any_bound: float = math.inf
    """Soft points no plan can exceed, however many posts it fills: the best flow of any
    size (a plan short of ``max_posts`` may leave out a costly posting a maximum flow must
    make)."""
    _lp_args: tuple | None = field(default=None, repr=False)


def _cap(inst: Instance, vid: str) -> tuple[int, int]:
    """(new secretary posts, new member posts) the village may still take, as the master."""
    need, incs = inst.need[vid], inst.inc_by_village.get(vid, [])
    pinned = sum(1 for p in inst.ds.pins if p.kind == "require" and p.village_id == vid)
    sec = 0 if any(p.role == SEC for p in incs) else 1
    base = max(need.min, len(incs) + 1) if incs and sec else need.min  # as shape.cap
    cap = min(max(need.max, len(incs)), max(base, len(incs) + pinned))
    room = max(0, cap - len(incs))
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
            if w in inst.need and not inst.inc_by_village.get(w) and v is not None \
                    and v.categories <= set(cl.coverable):  # fmt: skip
                out.add(w)
    return out


def lp_bound(rel: Relaxation, target: int | None = None,
             teams: dict[str, list[tuple[str, str]]] | None = None,
             retarget: Callable[[], int] | None = None,
             short: Callable[[], None] | None = None) -> float:  # fmt: skip
    """The LP bound on the soft points of plans filling at least ``target`` required posts
    (default ``rel.max_posts``; see :func:`_lp_bound`); ``teams`` receives the villages
    where the LP posts each province and city unit's secretaries. NaN when the LP itself
    cannot fill ``target`` posts — unless ``retarget`` gives a smaller count: the same
    model is then re-solved warm for that many (one cold solve instead of two). ``short`` is
    called once if, after two pricing rounds, the LP still falls short of ``target``: time to
    start computing what ``retarget`` will return."""
    if rel._lp_args is None:
        return rel.bound
    return _lp_bound(*rel._lp_args, target=target, teams=teams, retarget=retarget, short=short)


def lp_max_posts(rel: Relaxation, cancel: threading.Event | None = None) -> int:
    """The most required posts the LP (T-UNIT's tie and T-SEC added) can fill: a proof that
    a plan filling that many fills every fillable post. ``cancel`` stops it between pricing
    rounds (the flow's count is returned then: no proof)."""
    if rel._lp_args is None:
        return rel.max_posts
    got = _lp_bound(*rel._lp_args, coverage=True, cancel=cancel)
    return rel.max_posts if math.isnan(got) else min(rel.max_posts, int(got))


def _fits(inst: Instance, uid: str, vids: list[str]) -> list[int]:
    """S-FIT points per posting, as the master charges them (one call per need set)."""
    cache: dict[frozenset[str], int] = {}
    out = []
    for v in vids:
        needs = inst.ds.villages[v].needs
        if needs not in cache:
            cache[needs] = fit_points(inst, uid, v)
        out.append(cache[needs])
    return out


def relax(inst: Instance, lp: bool = False) -> Relaxation:

    ds, w = inst.ds, inst.policy.weights
    flow = min_cost_flow.SimpleMinCostFlow()
    vids = list(inst.need)
    vix = {v: i for i, v in enumerate(vids)}
    uids = sorted(u for u in inst.eligible if inst.eligible[u])
    uix = {u: i for i, u in enumerate(uids)}
    cadres = [c for u in uids for c in inst.eligible[u]]
    nv, nu, nc = len(vids), len(uids), len(cadres)
    # node numbering: source, sink, villages (sec, mem), units (sec, mem), cadres
    src, sink, cover_src = 0, 1, 2
    v_sec, v_mem = 3, 3 + nv
    u_sec, u_mem = 3 + 2 * nv, 3 + 2 * nv + nu
    c0 = 3 + 2 * nv + 2 * nu
    tails: list[np.ndarray] = []
    heads: list[np.ndarray] = []
    caps: list[np.ndarray] = []
    costs: list[np.ndarray] = []
    n_arcs = [0]

    def arcs(t, h, cap, cost) -> None:
        n_arcs[0] += len(t)
        tails.append(np.asarray(t, dtype=np.int32))
        heads.append(np.asarray(h, dtype=np.int32))
        caps.append(np.asarray(cap, dtype=np.int64))
        costs.append(np.asarray(cost, dtype=np.int64))

    # villages → sink; covered villages may be filled from the cover source at no cost
    room = np.array([_cap(inst, v) for v in vids], dtype=np.int64).reshape(-1, 2)
    idx = np.arange(nv)
    arcs(v_sec + idx, np.full(nv, sink), room[:, 0], np.zeros(nv))
    arcs(v_mem + idx, np.full(nv, sink), room[:, 1], np.zeros(nv))
    cov = sorted(vix[v] for v in coverable(inst))
    if cov:
        c = np.array(cov)
        arcs(np.full(len(c), cover_src), v_sec + c, room[c, 0], np.zeros(len(c)))
        arcs(np.full(len(c), cover_src), v_mem + c, room[c, 1], np.zeros(len(c)))
    # posts above the minimum (pins, incumbents) are optional: a dummy may fill them, so the
    # maximum flow never forces a costly posting a plan could leave out
    required = np.array([inst.need[v].min - len(inst.inc_by_village.get(v, [])) for v in vids])
    extra = np.maximum(0, room.sum(axis=1) - np.maximum(required, 0))
    e = np.nonzero(extra)[0]
    if len(e):
        arcs(np.full(len(e), cover_src), v_mem + e, extra[e], np.zeros(len(e)))
    # cadres: source → cadre → unit supply per role, at the cadre's points for that role
    ci = np.arange(nc)
    arcs(np.full(nc, src), c0 + ci, np.ones(nc), np.zeros(nc))
    sec_t, sec_h, sec_cost, mem_h, mem_cost = [], [], [], [], []
    for i, c in enumerate(cadres):
        u = uix[ds.cadres[c].unit_id]
        mem_h.append(u_mem + u)
        mem_cost.append(-sum(cadre_points(inst, c, MEM).values()))
        if not inst.sec_failures[c]:
            sec_t.append(c0 + i)
            sec_h.append(u_sec + u)
            sec_cost.append(-sum(cadre_points(inst, c, SEC).values()))
    arcs(c0 + ci, mem_h, np.ones(nc), mem_cost)
    arcs(sec_t, sec_h, np.ones(len(sec_t)), sec_cost)
    # unit → village, per role: travel and fit per posting; continuity and prov-village on
    # the secretary, as the master charges them
    pairs: list[tuple[np.ndarray, ...]] = []
    vx = np.array([np.nan if ds.villages[v].x is None else ds.villages[v].x for v in vids])
    vy = np.array([np.nan if ds.villages[v].y is None else ds.villages[v].y for v in vids])
    keepers = set().union(*inst.prev_units.values())  # only they and province units score here
    for uid in uids:
        u, per_role = ds.units[uid], inst.unit_villages[uid]
        k_any, k_sec = len(inst.eligible[uid]), len(inst.sec_eligible.get(uid, ()))
        for role, node, k in ((SEC, u_sec, k_sec), (MEM, u_mem, k_any)):
            vs = [v for v in per_role[role] if allowed_H_CONTINUITY(inst, uid, v)
                  and allowed_H_PROVVILLAGE(inst, uid, v)]  # fmt: skip
            if not vs or not k:
                continue
            j = np.array([vix[v] for v in vs])
            cap = room[j, 0 if role == SEC else 1]
            keep = cap > 0
            j, cap = j[keep], np.minimum(cap[keep], k)
            if not len(j):
                continue
            if u.x is None or u.y is None or not w.travel_per_10km:
                cost = np.zeros(len(j), dtype=np.int64)
            else:
                km = np.hypot(vx[j] - u.x, vy[j] - u.y)
                cost = np.array([0 if np.isnan(d) else travel_points(w.travel_per_10km, d)
                                 for d in km], dtype=np.int64)  # fmt: skip
            fits = _fits(inst, uid, [vids[jj] for jj in j])
            cost = cost - np.array(fits, dtype=np.int64)
            if role == SEC and (u.level == "province" or uid in keepers):
                for n, jj in enumerate(j):
                    cost[n] -= sum(team_points(inst, uid, vids[jj]).values())
            start = n_arcs[0]
            arcs(np.full(len(j), node + uix[uid]), (v_sec if role == SEC else v_mem) + j, cap, cost)
            pairs.append((np.full(len(j), uix[uid]), j, np.full(len(j), role == SEC), cap, cost,
                          np.arange(start, start + len(j))))  # fmt: skip
    t_all, h_all = np.concatenate(tails), np.concatenate(heads)
    cap_all, cost_all = np.concatenate(caps), np.concatenate(costs)
    first = flow.add_arcs_with_capacity_and_unit_cost(t_all, h_all, cap_all, cost_all)
    total = int(room.sum())
    flow.set_node_supply(src, total)
    flow.set_node_supply(cover_src, total)
    flow.set_node_supply(sink, -2 * total)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"relaxation: min-cost flow status {status}")
    flows = flow.flows(np.asarray(first, dtype=np.int32))
    # the flow's posts count toward required posts only up to each village's minimum
    into = np.zeros(nv, dtype=np.int64)
    sel = h_all == sink
    np.add.at(into, (t_all[sel] - v_sec) % nv, flows[sel])
    mins = np.array([inst.need[v].min for v in vids], dtype=np.int64)
    max_posts = int(np.minimum(mins, into + mins - required).sum())
    bound = -float(np.dot(flows, cost_all))
    # which cadre goes where: pair the unit's flowing cadres with its flowing posts, in order
    used: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for role, node, vnode in ((SEC, u_sec, v_sec), (MEM, u_mem, v_mem)):
        sel = (flows > 0) & (t_all >= node) & (t_all < node + nu) & (h_all >= vnode) \
            & (h_all < vnode + nv)  # fmt: skip
        posts: dict[int, list[str]] = defaultdict(list)
        for t, h, f in zip(t_all[sel], h_all[sel], flows[sel], strict=True):
            posts[int(t - node)].extend([vids[int(h - vnode)]] * int(f))
        sel = (flows > 0) & (t_all >= c0) & (h_all >= node) & (h_all < node + nu)
        people: dict[int, list[str]] = defaultdict(list)
        for t, h in zip(t_all[sel], h_all[sel], strict=True):
            people[int(h - node)].append(cadres[int(t - c0)])
        for u, vs in posts.items():
            for c, v in zip(sorted(people[u]), sorted(vs), strict=False):
                used[c].append((v, role))
    rel = Relaxation(max_posts, bound, dict(used))
    # the same network with a free way round: the best points of a flow of any size
    flow.add_arc_with_capacity_and_unit_cost(src, sink, total, 0)
    flow.add_arc_with_capacity_and_unit_cost(cover_src, sink, total, 0)
    rel.any_bound = -float(flow.optimal_cost()) if flow.solve() == flow.OPTIMAL else math.inf
    rel.any_bound = max(rel.any_bound, bound)
    if pairs:
        pu, pv, ps, pcap, pcost, parc = (np.concatenate(x) for x in zip(*pairs, strict=True))
        cad_unit = np.array([uix[ds.cadres[c].unit_id] for c in cadres])
        cad_sec = np.array([not inst.sec_failures[c] for c in cadres])
        rel._lp_args = (inst, vids, room, required, cov, pu, pv, ps, pcap, pcost, cad_unit,
                        cad_sec, -np.array(mem_cost), sec_cost, max_posts, nu, rel.bound,
                        flows[parc] > 0)  # fmt: skip
    if lp:
        rel.lp_bound = lp_bound(rel)
        rel.bound = min(rel.bound, rel.lp_bound)
    return rel


PRICING_ROUNDS = 10

PRICE_IN = 60_000
"""At most this many priced-out columns enter per round, the most negative first: a smaller
LP per round (province seed 3: 6 rounds, 680 k columns, 69 s, against 4 rounds, 750 k
columns, 92 s when every negative one entered; the same bound)."""


def _lp_bound(inst: Instance, vids, room, required, cov, pu, pv, ps, pcap, pcost, cad_unit,
              cad_sec, mem_pts, sec_cost, max_posts, nu, flow_bound, pair_used, *,
              target: int | None = None, coverage: bool = False,
              teams: dict[str, list[tuple[str, str]]] | None = None,
              cancel: threading.Event | None = None,
              retarget: Callable[[], int] | None = None,
              short: Callable[[], None] | None = None) -> float:  # fmt: skip
    """The flow plus T-UNIT's tie: a unit's members go only where it sends the secretary
    (n[u,v] ≤ m_v · t[u,v]) in lead-unit mode, or — small units that may team up (J-JOINT) —
    where a small unit of their level and region does; where an incumbent secretary stays,
    only the incumbents' units (and their small partners) add members.

    Solved as an LP with HiGHS by column generation: every pair of county and township
    units, and the province and city units' pairs the flow used or that are among their
    cheapest; the other pairs are priced with the duals and the worst-priced enter, a few
    rounds. The bound is the Lagrangian one, y·b + Σ ub·min(0, reduced cost) over every
    column, so it holds whatever the duals' accuracy and whichever columns were left out."""
    import os

    from scipy.sparse import csc_matrix

    try:  # HiGHS as scipy ships it: the stand-alone highspy clashes with OR-Tools' own copy
        from scipy.optimize._highspy import _core as highspy
    except ImportError:
        return flow_bound

    ds, pol = inst.ds, inst.policy
    nv, npair, nc = len(vids), len(pu), len(cad_unit)
    if coverage:  # maximise required posts filled: no points, one per filled post
        pcost, mem_pts = np.zeros(npair), np.zeros(nc)
        sec_cost = np.zeros(int(np.count_nonzero(cad_sec)))
    target = max_posts if target is None else target
    uids = sorted(u for u in inst.eligible if inst.eligible[u])
    uix = {u: i for i, u in enumerate(uids)}
    jt = pol.joint
    small = np.array([jt.enabled and ds.units[u].level in jt.levels and ds.units[u].staff is not None
                      and ds.units[u].staff < jt.staff_max for u in uids], dtype=bool)  # fmt: skip
    group = [(ds.units[u].level, ds.units[u].region) for u in uids]
    wide = np.array([ds.units[u].level in ("province", "city") for u in uids], dtype=bool)
    lead_mode = pol.members_from == "lead_unit"
    key = pu.astype(np.int64) * nv + pv
    # pairs that may never carry a member (T-UNIT), and each member pair's own secretary pair
    ub_pair = pcap.astype(float).copy()
    sec_of = np.full(npair, -1, dtype=np.int64)
    sec_keys, sec_pos = key[ps], np.nonzero(ps)[0]
    order = np.argsort(sec_keys)
    mem = np.nonzero(~ps)[0]
    found = np.searchsorted(sec_keys[order], key[mem])
    found = np.minimum(found, max(0, len(order) - 1))
    hit = len(order) > 0
    if hit:
        same = sec_keys[order][found] == key[mem]
        sec_of[mem[same]] = sec_pos[order][found[same]]
    inc_units = {i: {p.unit_id for p in inst.inc_by_village.get(v, [])}
                 for i, v in enumerate(vids)
                 if any(p.role == SEC for p in inst.inc_by_village.get(v, []))}  # fmt: skip
    sec_at: dict[int, list[int]] = defaultdict(list)
    special: list[int] = []  # member pairs linked to other units' secretaries
    for i in mem:
        u, v = int(pu[i]), int(pv[i])
        if not lead_mode:
            continue
        if v in inc_units:
            incs = inc_units[v]
            joins = small[u] and any(w in uix and small[uix[w]] and group[uix[w]] == group[u]
                                     for w in incs)  # fmt: skip
            if uids[u] not in incs and not joins:
                ub_pair[i] = 0
            continue
        if small[u]:
            special.append(int(i))
        elif sec_of[i] < 0:
            ub_pair[i] = 0
    if special:
        for i in sec_pos:
            if small[pu[i]]:
                sec_at[int(pv[i])].append(int(i))
    links: dict[int, list[int]] = {}
    for i in special:
        u, v = int(pu[i]), int(pv[i])
        leads = [k for k in sec_at.get(v, []) if group[int(pu[k])] == group[u]]
        if leads:
            links[i] = leads
        else:
            ub_pair[i] = 0
    # the columns that start in the LP
    keep = ~wide[pu] | small[pu] | pair_used
    # each province/city unit: its cheapest whole teams (secretary + members at one village)
    n_sec = np.bincount(cad_unit[cad_sec], minlength=nu)
    sel = np.nonzero(wide[pu] & ~small[pu] & ps)[0]
    if len(sel):
        team = pcost[sel].astype(float)
        mates = np.nonzero((~ps) & (sec_of >= 0))[0]
        add = np.zeros(npair)
        add[sec_of[mates]] = pcost[mates] * room[pv[mates], 1]
        team = team + add[sel]
        o = sel[np.lexsort((team, pu[sel]))]
        first = np.searchsorted(pu[o], pu[o], side="left")
        keep[o[np.arange(len(o)) - first < 3 * n_sec[pu[o]] + 10]] = True
    keep &= ub_pair > 0

    def close(mask: np.ndarray) -> np.ndarray:
        """A kept member pair keeps its own secretary pair, and the other way round."""
        m2 = mask.copy()
        has = (~ps) & (sec_of >= 0)
        m2[sec_of[has & mask]] = True
        back = np.zeros(npair, dtype=bool)
        back[sec_of[has]] = True
        mates = np.nonzero(has & ~mask & (ub_pair > 0))[0]
        m2[mates[m2[sec_of[mates]]]] = True
        for i, leads in links.items():
            if m2[i]:
                m2[leads] = True
        return m2

    keep = close(keep)
    sec_idx = np.nonzero(cad_sec)[0]
    ns, ncov = len(sec_idx), len(cov)
    # H-NOREPEAT per person: where some of a unit's cadres served at a village before, that
    # pair's posts are filled by explicit (cadre, pair) columns of the others, not from the
    # unit's common pool (which would seat the barred ones: measured, most of the province gap)
    allow = _allowed_people(inst, uids, vids, pu, pv, ps, key, cad_sec, sec_idx, mem_pts,
                            sec_cost)  # fmt: skip
    for i, (people, _) in allow.items():
        if not len(people):
            ub_pair[i] = 0
    cov = np.asarray(cov, dtype=np.int64)
    inc_filled = sum(min(inst.need[v].min, len(inst.inc_by_village.get(v, []))) for v in vids)
    # rows: village sec (nv) | village mem (nv) | filled (nv) | T-SEC (nv) | cadre (nc) |
    # coverage (1) | unit balance sec (nu), mem (nu) | then one linking row per member pair
    r_vs, r_vm, r_f, r_ts, r_c = 0, nv, 2 * nv, 3 * nv, 4 * nv
    r_cov = r_c + nc
    r_eq = r_cov + 1
    n_rows = r_eq + 2 * nu
    inf = np.inf
    # T-SEC: members count only where a first secretary stands (filled ≤ min − 1 + secretary)
    ts_hi = np.where(room[:, 0] > 0, np.maximum(required, 0) - 1, np.inf)
    row_hi = np.concatenate([room[:, 0], room[:, 1], np.zeros(nv), ts_hi, np.ones(nc),
                             [np.inf if coverage else -(target - inc_filled)],
                             np.zeros(2 * nu)]).astype(float)  # fmt: skip
    row_lo = np.concatenate([np.full(r_eq, -inf), np.zeros(2 * nu)])
    h = highspy._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.addRows(n_rows, row_lo, row_hi, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (row, col, value)
    costs: list[np.ndarray] = []
    ubs: list[np.ndarray] = []
    n_cols = [0]

    def add_cols(cost, ub, rows_per_col: list[np.ndarray], vals_per_col: list[np.ndarray]):
        k = len(cost)
        starts = np.zeros(k, dtype=np.int32)
        lens = np.array([len(r) for r in rows_per_col], dtype=np.int32)
        starts[1:] = np.cumsum(lens)[:-1]
        idx = np.concatenate(rows_per_col).astype(np.int32) if k else np.zeros(0, np.int32)
        val = np.concatenate(vals_per_col).astype(float) if k else np.zeros(0)
        h.addCols(k, np.asarray(cost, float), np.zeros(k), np.asarray(ub, float), len(idx),
                  starts, idx, val)  # fmt: skip
        entries.append((idx, np.repeat(np.arange(n_cols[0], n_cols[0] + k), lens), val))
        costs.append(np.asarray(cost, float))
        ubs.append(np.asarray(ub, float))
        n_cols[0] += k

    # other columns: x_mem (nc) | x_sec (ns) | filled (nv) | cover (ncov) | slack (1)
    other_cost = np.concatenate([-mem_pts, np.asarray(sec_cost, float), np.zeros(nv + ncov)])
    one = [np.ones(1)]
    add_cols(-mem_pts, np.ones(nc), [np.array([r_c + i, r_eq + nu + cad_unit[i]]) for i in range(nc)],
             [np.array([1.0, -1.0])] * nc)  # fmt: skip
    add_cols(np.asarray(sec_cost, float), np.ones(ns),
             [np.array([r_c + i, r_eq + cad_unit[i]]) for i in sec_idx], [np.array([1.0, -1.0])] * ns)  # fmt: skip
    add_cols(np.full(nv, -1.0 if coverage else 0.0), np.maximum(required, 0),
             [np.array([r_f + v, r_ts + v, r_cov]) for v in range(nv)],
             [np.array([1.0, 1.0, -1.0])] * nv)  # fmt: skip
    add_cols(np.zeros(ncov), np.maximum(required[cov], 0),
             [np.array([r_f + v, r_ts + v]) for v in cov], [-np.ones(2)] * ncov)  # fmt: skip
    # a costly slack on the coverage row keeps each restricted LP feasible; its dual then
    # prices in the columns coverage needs (the bound never counts the slack)
    big = (
        10.0 * (float(np.abs(pcost).max(initial=0)) + float(np.abs(other_cost).max(initial=0)))
        + 1e3
    )
    slack_col = n_cols[0]
    add_cols([big], [inf], [np.array([r_cov])], [-one[0]])
    col_of = np.full(npair, -1, dtype=np.int64)
    p_role_row = np.where(ps, r_vs + pv, r_vm + pv)
    p_eq_row = np.where(ps, r_eq + pu, r_eq + nu + pu)
    n_link = [0]  # rows added after the first n_rows: T-UNIT links and per-pair people rows
    link_row: list[bool] = []  # which of them are links (≤ 0; the others are = 0)
    triples: list[tuple[int, int, np.ndarray]] = []  # (pair, first column, its cadres)

    def add_pairs(idx: np.ndarray) -> None:
        idx = idx[col_of[idx] < 0]
        if not len(idx):
            return
        eq_row = {int(i): int(p_eq_row[i]) for i in idx}
        own = [int(i) for i in idx if int(i) in allow]
        if own:  # one balance row per such pair: its posts = its explicit people
            k = len(own)
            h.addRows(k, np.zeros(k), np.zeros(k), 0, np.zeros(0, np.int32),
                      np.zeros(0, np.int32), np.zeros(0))  # fmt: skip
            for n, i in enumerate(own):
                eq_row[i] = n_rows + n_link[0] + n
            n_link[0] += k
            link_row.extend([False] * k)
        col_of[idx] = n_cols[0] + np.arange(len(idx))
        rows_ = [np.array([p_role_row[i], r_f + pv[i], eq_row[int(i)], r_ts + pv[i]]) if ps[i]
                 else np.array([p_role_row[i], r_f + pv[i], eq_row[int(i)]]) for i in idx]  # fmt: skip
        vals_ = [np.array([1.0, -1.0, 1.0, -1.0]) if ps[i] else np.array([1.0, -1.0, 1.0])
                 for i in idx]  # fmt: skip
        add_cols(pcost[idx], ub_pair[idx], rows_, vals_)
        for i in own:
            people, cost = allow[i]
            if len(people):
                triples.append((i, n_cols[0], people))
                add_cols(cost, np.ones(len(people)),
                         [np.array([r_c + c, eq_row[i]]) for c in people],
                         [np.array([1.0, -1.0])] * len(people))  # fmt: skip
        if not lead_mode:
            return
        rows_cols, rows_vals = [], []
        for i in idx[~ps[idx]]:
            if i in links:
                leads = links[i]
            elif sec_of[i] >= 0 and int(pv[i]) not in inc_units and not small[pu[i]]:
                leads = [int(sec_of[i])]
            else:
                continue
            m_v = float(room[pv[i], 1])
            rows_cols.append(np.concatenate([[col_of[i]], col_of[leads]]))
            rows_vals.append(np.concatenate([[1.0], np.full(len(leads), -m_v)]))
        k = len(rows_cols)
        if k:
            lens = np.array([len(c) for c in rows_cols], dtype=np.int32)
            starts = np.zeros(k, dtype=np.int32)
            starts[1:] = np.cumsum(lens)[:-1]
            cidx = np.concatenate(rows_cols).astype(np.int32)
            val = np.concatenate(rows_vals)
            h.addRows(k, np.full(k, -inf), np.zeros(k), len(cidx), starts, cidx, val)
            entries.append((np.repeat(n_rows + n_link[0] + np.arange(k), lens), cidx, val))
            n_link[0] += k
            link_row.extend([True] * k)

    own_pairs = np.array(sorted(allow), dtype=np.int64)
    add_pairs(np.nonzero(keep)[0])
    while True:
        bound_min = None
        for n_round in range(PRICING_ROUNDS):
            if cancel is not None and cancel.is_set():
                return float("nan")
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return flow_bound
            sol = h.getSolution()
            if short is not None and n_round >= 1 and sol.col_value[slack_col] > 1e-6:
                short()  # after one round the slack says little (measured: 44 posts, then 0)
                short = None
            y = np.asarray(sol.row_dual, dtype=float)
            m_rows = n_rows + n_link[0]
            hi = np.concatenate([row_hi, np.zeros(n_link[0])])
            y[:r_eq] = np.minimum(y[:r_eq], 0.0)
            y[np.isinf(hi)] = 0.0  # a row with no upper bound never binds
            hi = np.where(np.isinf(hi), 0.0, hi)
            links_ = n_rows + np.nonzero(np.array(link_row, dtype=bool))[0]
            y[links_] = np.minimum(y[links_], 0.0)
            rr, cc, vv = (np.concatenate(x) for x in zip(*entries, strict=True))
            a = csc_matrix((vv, (rr, cc)), shape=(m_rows, n_cols[0]))
            c, ub = np.concatenate(costs), np.concatenate(ubs)
            r = c - a.T @ y
            r[slack_col], ub[slack_col] = 0.0, 0.0
            inside = float(y @ hi) + float(np.minimum(0.0, r) @ ub)
            # price the pairs left out (their linking rows are absent: dual 0)
            rest = np.nonzero((col_of < 0) & (ub_pair > 0))[0]
            # a pair with its own people row: its dual is free, and setting it to the best
            # person's reduced cost prices the pair as "pair + its best person", every person ≥ 0
            eq_dual = y[p_eq_row[rest]]
            for n in np.nonzero(np.isin(rest, own_pairs))[0]:
                people, cost = allow[int(rest[n])]
                eq_dual[n] = -float(np.min(cost - y[r_c + people])) if len(people) else 0.0
            rp = pcost[rest] - y[p_role_row[rest]] - eq_dual + y[r_f + pv[rest]] \
                + np.where(ps[rest], y[r_ts + pv[rest]], 0.0)  # fmt: skip
            bad = rp < -1e-7
            bound_min = inside + float(np.minimum(0.0, rp) @ ub_pair[rest])
            if os.environ.get("ZHUCUN_DEBUG_LP"):
                print("LP round", n_cols[0], "cols", n_link[0], "links", int(bad.sum()), -bound_min,
                      h.getInfo().simplex_iteration_count, flush=True)  # fmt: skip
            if not bad.any():
                break
            grow = np.zeros(npair, dtype=bool)
            if bad.sum() > PRICE_IN:  # the most negative reduced costs first
                grow[rest[np.argsort(rp, kind="stable")[:PRICE_IN]]] = True
            else:
                grow[rest[bad]] = True
            grow = close(grow | (col_of >= 0)) & (col_of < 0)
            add_pairs(np.nonzero(grow)[0])
        if coverage or retarget is None or h.getSolution().col_value[slack_col] <= 1e-6:
            break
        # the LP cannot fill ``target`` posts: re-solve warm for as many as it can
        new, retarget = retarget(), None
        if new >= target:
            break
        target = new
        row_hi[r_cov] = -(target - inc_filled)
        h.changeRowBounds(r_cov, -inf, row_hi[r_cov])
    if teams is not None:  # where the LP posts the province and city units' people
        x = np.asarray(h.getSolution().col_value, dtype=float)
        inside = np.nonzero((col_of >= 0) & wide[pu])[0]
        for i in inside:
            k = int(np.floor(x[col_of[i]] + 0.5))
            role = SEC if ps[i] else MEM
            teams.setdefault(uids[int(pu[i])], []).extend([(vids[int(pv[i])], role)] * k)
        # the people the LP chooses, by role: they go first when posts become cadres
        cadres_ids = [c for u in uids for c in inst.eligible[u]]
        chosen = [(cadres_ids[i], MEM) for i in np.nonzero(x[:nc] > 0.5)[0]]
        chosen += [(cadres_ids[sec_idx[j]], SEC) for j in np.nonzero(x[nc : nc + ns] > 0.5)[0]]
        at = []
        for i, first, people in triples:
            role = SEC if ps[i] else MEM
            for c in people[x[first : first + len(people)] > 0.5]:
                chosen.append((cadres_ids[c], role))
                at.append((cadres_ids[c], vids[int(pv[i])], role))
        teams["__people__"] = chosen
        teams["__at__"] = at
    if not coverage and h.getSolution().col_value[slack_col] > 1e-6:
        return float("nan")  # the LP cannot fill ``target`` posts: no bound for that many
    if coverage:  # an upper bound on the posts filled, incumbents' included
        return float(np.floor(-bound_min + 1e-6) + inc_filled)
    return float(np.floor(-bound_min + 1e-6 * max(1.0, abs(bound_min))) + 1)


def _allowed_people(inst: Instance, uids, vids, pu, pv, ps, key, cad_sec, sec_idx, mem_pts,
                    sec_cost) -> dict[int, tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """Pairs (unit, village, role) where some of the unit's cadres are barred (H-NOREPEAT, a
    forbid pin) → (the cadre indices who may take the role there, their costs in that role)."""
    nv = len(vids)
    uix = {u: i for i, u in enumerate(uids)}
    vix = {v: i for i, v in enumerate(vids)}
    barred = [uix[u] * nv + vix[v] for (u, v) in inst.barred_at if u in uix and v in vix]
    if not barred:
        return {}
    cad_ix = {c: i for i, c in enumerate(c for u in uids for c in inst.eligible[u])}
    sec_pos = np.full(len(cad_sec), -1, dtype=np.int64)
    sec_pos[sec_idx] = np.arange(len(sec_idx))
    sec_cost = np.asarray(sec_cost, float)
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for i in np.nonzero(np.isin(key, np.array(barred, dtype=np.int64)))[0]:
        uid, vid = uids[int(pu[i])], vids[int(pv[i])]
        role = SEC if ps[i] else MEM
        people = np.array([cad_ix[c] for c in inst.pool(uid, vid, role)], dtype=np.int64)
        if role == SEC:
            people = people[sec_pos[people] >= 0]
        cost = sec_cost[sec_pos[people]] if role == SEC else -mem_pts[people]
        out[int(i)] = (people, np.asarray(cost, float))
    return out


def _place_posts(inst: Instance, posts: dict[str, list[tuple[str, str]]],
                 best: dict[str, list[str]]) -> dict[str, str]:  # fmt: skip
    """The LP's postings of province and city units as cadres per county: secretaries from
    the unit's best secretary-capable people, members from the best of the rest."""
    ds = inst.ds
    alloc: dict[str, str] = {}
    chosen = dict(posts.get("__people__", []))
    named: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # the LP's named people
    for c, v, role in posts.get("__at__", []):
        named[(inst.unit_of(c), v, role)].append(c)
    for uid in sorted(k for k in posts if not k.startswith("__")):
        people = best.get(uid) or sorted(inst.eligible.get(uid, []))
        sec_ok = set(inst.sec_eligible.get(uid, []))
        secs = [c for c in people if c in sec_ok]
        secs.sort(key=lambda c: chosen.get(c) != SEC)  # stable: the LP's secretaries first
        mems = [c for c in people if c not in sec_ok] + secs[::-1]
        mems.sort(key=lambda c: chosen.get(c) != MEM)
        taken: set[str] = set()
        for v, role in sorted(posts[uid], key=lambda vr: (vr[1] != SEC, vr[0])):
            pool = named.get((uid, v, role), []) + (secs if role == SEC else mems)
            c = next((c for c in pool if c not in taken and v not in inst.barred.get(c, ())), None)
            if c is not None:
                taken.add(c)
                alloc[c] = ds.villages[v].county
    return alloc


def team_allocation(
    inst: Instance, lp_teams: dict[str, list[tuple[str, str]]] | None = None
) -> dict[str, str]:
    """Province/city cadre → the county where they are wanted, from a team-level flow.

    The cadre-level relaxation may post a wide unit's secretary at one village and its members
    at others; a plan cannot (T-UNIT). Here each unit supplies whole teams (a secretary plus
    the village's member posts, as many as its people allow) at the team's points: travel for
    everyone, fit, continuity, the unit's average cadre points. The county each wide team goes
    to then receives that many secretaries and members of the unit, best points first."""

    ds, w = inst.ds, inst.policy.weights
    lead_mode = inst.policy.members_from == "lead_unit"
    vids = [v for v in inst.need if _cap(inst, v)[0]]
    if not vids:
        return {}
    vix = {v: i for i, v in enumerate(vids)}
    rooms = {v: _cap(inst, v)[1] if lead_mode else 0 for v in vids}
    uids = sorted(u for u in inst.sec_eligible if inst.sec_eligible[u])
    flow = min_cost_flow.SimpleMinCostFlow()
    src, sink, u0, v0 = 0, 1, 2, 2 + len(uids)
    tails, heads, caps, costs = [], [], [], []
    best_pts: dict[str, list[str]] = {}
    for i, uid in enumerate(uids):
        people = sorted(
            inst.eligible[uid], key=lambda c: (-sum(cadre_points(inst, c, MEM).values()), c)
        )
        best_pts[uid] = people
        avg = sum(sum(cadre_points(inst, c, MEM).values()) for c in people) / max(1, len(people))
        vs = [v for v in inst.unit_villages[uid][SEC] if v in vix
              and allowed_H_CONTINUITY(inst, uid, v) and allowed_H_PROVVILLAGE(inst, uid, v)]  # fmt: skip
        if not vs:
            continue
        m = sorted(rooms[v] for v in vs)[len(vs) // 2]
        teams = min(
            len(inst.sec_eligible[uid]), len(people) // (1 + m) if lead_mode else len(people)
        )
        if teams <= 0:
            continue
        tails.append(src)
        heads.append(u0 + i)
        caps.append(teams)
        costs.append(0)
        for v, fp in zip(vs, _fits(inst, uid, vs), strict=True):
            d = inst.distance.get((uid, v))
            k = 1 + rooms[v]
            pts = k * (avg + fp) - (k * travel_points(w.travel_per_10km, d) if d is not None else 0)
            pts += sum(team_points(inst, uid, v).values())
            tails.append(u0 + i)
            heads.append(v0 + vix[v])
            caps.append(1)
            costs.append(-round(pts))
    for v in vids:
        tails.append(v0 + vix[v])
        heads.append(sink)
        caps.append(1)
        costs.append(0)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32), np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64), np.array(costs, dtype=np.int64))  # fmt: skip
    flow.set_node_supply(src, len(vids))
    flow.set_node_supply(sink, -len(vids))
    if flow.solve_max_flow_with_min_cost() != flow.OPTIMAL:
        return {}
    f = flow.flows(np.asarray(arcs, dtype=np.int32))
    teams_in: dict[str, list[str]] = defaultdict(list)
    for t, h, x in zip(tails, heads, f, strict=True):
        if lp_teams is None and x > 0 and u0 <= t < v0 and h >= v0:
            teams_in[uids[t - u0]].append(vids[h - v0])
    alloc: dict[str, str] = {}
    if lp_teams is not None:
        return _place_posts(inst, lp_teams, best_pts)
    for uid, vs in teams_in.items():
        if ds.units[uid].level not in ("province", "city"):
            continue
        secs = [c for c in best_pts[uid] if c in set(inst.sec_eligible[uid])]
        taken: set[str] = set()
        for v in sorted(vs):
            county = ds.villages[v].county
            sec = next((c for c in secs if c not in taken), None)
            if sec is None:
                break
            taken.add(sec)
            alloc[sec] = county
            mems = [c for c in best_pts[uid] if c not in taken and c not in set(secs)]
            mems += [c for c in secs if c not in taken and c not in mems]
            for c in mems[: rooms[v]]:
                taken.add(c)
                alloc[c] = county
    return alloc
