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
:mod:`optimizer.decompose` hands those units' cadres to the county parts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from .instance import MEM, SEC, Instance
from .model import SOFT_SCALE, cadre_points, fit_points, travel_points


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
    _lp_args: tuple | None = field(default=None, repr=False)


def _cap(inst: Instance, vid: str) -> tuple[int, int]:
    """(new secretary posts, new member posts) the village may still take, as the master."""
    need, incs = inst.need[vid], inst.inc_by_village.get(vid, [])
    pinned = sum(1 for p in inst.ds.pins if p.kind == "require" and p.village_id == vid)
    cap = min(max(need.max, len(incs)), max(need.min, len(incs) + pinned))
    sec = 0 if any(p.role == SEC for p in incs) else 1
    room = max(0, cap - len(incs))
    return min(sec, room), max(0, room - sec)


def _coverable(inst: Instance) -> set[str]:
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


def lp_bound(rel: Relaxation) -> float:
    """The LP bound for plans filling ``rel.max_posts`` posts (see :func:`_lp_bound`)."""
    return _lp_bound(*rel._lp_args) if rel._lp_args is not None else rel.bound


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
    from .model import _allowed_H_CONTINUITY, _allowed_H_PROVVILLAGE

    ds, pol, w = inst.ds, inst.policy, inst.policy.weights
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

    def arcs(t, h, cap, cost) -> None:
        tails.append(np.asarray(t, dtype=np.int32))
        heads.append(np.asarray(h, dtype=np.int32))
        caps.append(np.asarray(cap, dtype=np.int64))
        costs.append(np.asarray(cost, dtype=np.int64))

    # villages → sink; covered villages may be filled from the cover source at no cost
    room = np.array([_cap(inst, v) for v in vids], dtype=np.int64).reshape(-1, 2)
    idx = np.arange(nv)
    arcs(v_sec + idx, np.full(nv, sink), room[:, 0], np.zeros(nv))
    arcs(v_mem + idx, np.full(nv, sink), room[:, 1], np.zeros(nv))
    cov = sorted(vix[v] for v in _coverable(inst))
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
    for uid in uids:
        u, per_role = ds.units[uid], inst.unit_villages[uid]
        k_any, k_sec = len(inst.eligible[uid]), len(inst.sec_eligible.get(uid, ()))
        for role, node, k in ((SEC, u_sec, k_sec), (MEM, u_mem, k_any)):
            vs = [v for v in per_role[role] if _allowed_H_CONTINUITY(inst, uid, v)
                  and _allowed_H_PROVVILLAGE(inst, uid, v)]  # fmt: skip
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
            if role == SEC:
                for n, jj in enumerate(j):
                    v = vids[jj]
                    if (
                        pol.continuity == "soft"
                        and w.continuity
                        and uid in inst.prev_units.get(v, ())
                    ):
                        cost[n] -= w.continuity * SOFT_SCALE
                    if pol.provvillage == "soft" and w.provvillage and u.level == "province" \
                            and v in inst.prev_province:  # fmt: skip
                        cost[n] += w.provvillage * SOFT_SCALE
            arcs(np.full(len(j), node + uix[uid]), (v_sec if role == SEC else v_mem) + j, cap, cost)
            pairs.append((np.full(len(j), uix[uid]), j, np.full(len(j), role == SEC), cap, cost))
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
    if pairs:
        pu, pv, ps, pcap, pcost = (np.concatenate(x) for x in zip(*pairs, strict=True))
        cad_unit = np.array([uix[ds.cadres[c].unit_id] for c in cadres])
        cad_sec = np.array([not inst.sec_failures[c] for c in cadres])
        rel._lp_args = (inst, vids, room, required, cov, pu, pv, ps, pcap, pcost, cad_unit,
                        cad_sec, -np.array(mem_cost), sec_cost, max_posts, nu, rel.bound)  # fmt: skip
    if lp:
        rel.lp_bound = lp_bound(rel)
        rel.bound = min(rel.bound, rel.lp_bound)
    return rel


LP_METHOD = "highs-ds"


def _lp_bound(inst: Instance, vids, room, required, cov, pu, pv, ps, pcap, pcost, cad_unit,
              cad_sec, mem_pts, sec_cost, max_posts, nu, flow_bound) -> float:  # fmt: skip
    """The flow plus T-UNIT's tie: a unit's members go only where it sends the secretary
    (n[u,v] ≤ m_v · t[u,v]), in lead-unit mode, except for small units that may team up
    (J-JOINT) and villages keeping an incumbent secretary (only that unit may add members).
    Solved as an LP with HiGHS; any LP solution bounds every plan filling ``max_posts``."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    ds, pol = inst.ds, inst.policy
    nv, npair, nc = len(vids), len(pu), len(cad_unit)
    sec_idx = np.nonzero(cad_sec)[0]
    ns = len(sec_idx)
    # columns: t/n pairs | x_mem per cadre | x_sec per secretary-capable cadre | filled | cover
    c_pair, c_mem, c_sec, c_fill, c_cov = (
        0,
        npair,
        npair + nc,
        npair + nc + ns,
        npair + nc + ns + nv,
    )
    ncov = len(cov)
    ncol = c_cov + ncov
    obj = np.zeros(ncol)
    obj[c_pair:c_mem] = pcost  # costs are negated points: minimise
    obj[c_mem:c_sec] = -mem_pts
    obj[c_sec:c_fill] = np.asarray(sec_cost, dtype=float)
    ub = np.concatenate([pcap, np.ones(nc), np.ones(ns), np.maximum(required, 0),
                         np.maximum(required[cov], 0) if ncov else np.zeros(0)]).astype(float)  # fmt: skip
    # links: which member pairs must follow a secretary of the same unit
    lead_mode = pol.members_from == "lead_unit"
    # villages keeping an incumbent secretary: new members only from the incumbents' units
    # (several when incumbents already mix units), or small units of their group (J-JOINT)
    inc_units = {v: {p.unit_id for p in inst.inc_by_village.get(v, [])}
                 if any(p.role == SEC for p in inst.inc_by_village.get(v, [])) else set()
                 for v in vids}  # fmt: skip
    uids = sorted(u for u in inst.eligible if inst.eligible[u])
    jt = pol.joint
    small = np.array([jt.enabled and ds.units[u].level in jt.levels and ds.units[u].staff is not None
                      and ds.units[u].staff < jt.staff_max for u in uids])  # fmt: skip
    group = [(ds.units[u].level, ds.units[u].region) for u in uids]
    uix = {u: i for i, u in enumerate(uids)}
    sec_at: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i in np.nonzero(ps)[0]:
        sec_at[int(pv[i])].append((int(pu[i]), int(i)))
    rows, cols, vals, rhs_ub = [], [], [], []
    r = 0
    if lead_mode:
        for i in np.nonzero(~ps)[0]:
            u, v = int(pu[i]), int(pv[i])
            incs = inc_units[vids[v]]
            if incs:
                joins = small[u] and any(
                    w in uix and small[uix[w]] and group[uix[w]] == group[u] for w in incs
                )
                if uids[u] not in incs and not joins:
                    ub[c_pair + i] = 0
                continue
            # the secretary comes from the unit itself or, in a joint team of small units
            # (J-JOINT), from a small unit of the same level and region
            leads = [k for w, k in sec_at.get(v, []) if w == u
                     or (small[u] and small[w] and group[w] == group[u])]  # fmt: skip
            if not leads:
                ub[c_pair + i] = 0
                continue
            rows += [r] * (1 + len(leads))
            cols += [c_pair + i] + [c_pair + k for k in leads]
            vals += [1.0] + [-float(room[v, 1])] * len(leads)
            rhs_ub.append(0.0)
            r += 1
    # village posts: secretary and member rooms
    for role_mask, col in ((ps, 0), (~ps, 1)):
        sel = np.nonzero(role_mask)[0]
        rows += list(r + pv[sel])
        cols += list(c_pair + sel)
        vals += [1.0] * len(sel)
        rhs_ub += list(room[:, col].astype(float))
        r += nv
    # filled_v ≤ new posts at v + cover_v
    rows += list(r + np.arange(nv))
    cols += list(c_fill + np.arange(nv))
    vals += [1.0] * nv
    rows += list(r + pv)
    cols += list(c_pair + np.arange(npair))
    vals += [-1.0] * npair
    if ncov:
        rows += list(r + np.asarray(cov))
        cols += list(c_cov + np.arange(ncov))
        vals += [-1.0] * ncov
    rhs_ub += [0.0] * nv
    r += nv
    # cadre: one role at most
    rows += list(r + np.arange(nc)) + list(r + sec_idx)
    cols += list(c_mem + np.arange(nc)) + list(c_sec + np.arange(ns))
    vals += [1.0] * (nc + ns)
    rhs_ub += [1.0] * nc
    r += nc
    # coverage: at least the posts the plan fills
    inc_filled = sum(min(inst.need[v].min, len(inst.inc_by_village.get(v, []))) for v in vids)
    rows += [r] * nv
    cols += list(c_fill + np.arange(nv))
    vals += [-1.0] * nv
    rhs_ub.append(-float(max_posts - inc_filled))
    r += 1
    a_ub = coo_matrix((vals, (rows, cols)), shape=(r, ncol)).tocsr()
    # unit balance: posts sent == people used, per role
    er, ec, ev = [], [], []
    for role_mask, base in ((ps, 0), (~ps, nu)):
        sel = np.nonzero(role_mask)[0]
        er += list(base + pu[sel])
        ec += list(c_pair + sel)
        ev += [1.0] * len(sel)
    er += list(nu + cad_unit)
    ec += list(c_mem + np.arange(nc))
    ev += [-1.0] * nc
    er += list(cad_unit[sec_idx])
    ec += list(c_sec + np.arange(ns))
    ev += [-1.0] * ns
    a_eq = coo_matrix((ev, (er, ec)), shape=(2 * nu, ncol)).tocsr()
    res = linprog(obj, A_ub=a_ub, b_ub=np.array(rhs_ub), A_eq=a_eq, b_eq=np.zeros(2 * nu),
                  bounds=np.column_stack([np.zeros(ncol), ub]), method=LP_METHOD)  # fmt: skip
    if res.status != 0:
        return flow_bound
    # HiGHS' dual bound is the objective of an optimal basis; round outward to be safe
    return float(np.floor(-res.fun + 1e-6 * max(1.0, abs(res.fun))) + 1)


def team_allocation(inst: Instance) -> dict[str, str]:
    """Province/city cadre → the county where they are wanted, from a team-level flow.

    The cadre-level relaxation may post a wide unit's secretary at one village and its members
    at others; a plan cannot (T-UNIT). Here each unit supplies whole teams (a secretary plus
    the village's member posts, as many as its people allow) at the team's points: travel for
    everyone, fit, continuity, the unit's average cadre points. The county each wide team goes
    to then receives that many secretaries and members of the unit, best points first."""
    from .model import _allowed_H_CONTINUITY, _allowed_H_PROVVILLAGE

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
        u = ds.units[uid]
        people = sorted(
            inst.eligible[uid], key=lambda c: (-sum(cadre_points(inst, c, MEM).values()), c)
        )
        best_pts[uid] = people
        avg = sum(sum(cadre_points(inst, c, MEM).values()) for c in people) / max(1, len(people))
        vs = [v for v in inst.unit_villages[uid][SEC] if v in vix
              and _allowed_H_CONTINUITY(inst, uid, v) and _allowed_H_PROVVILLAGE(inst, uid, v)]  # fmt: skip
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
            if inst.policy.continuity == "soft" and uid in inst.prev_units.get(v, ()):
                pts += w.continuity * SOFT_SCALE
            if (
                inst.policy.provvillage == "soft"
                and u.level == "province"
                and v in inst.prev_province
            ):
                pts -= w.provvillage * SOFT_SCALE
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
        if x > 0 and u0 <= t < v0 and h >= v0:
            teams_in[uids[t - u0]].append(vids[h - v0])
    alloc: dict[str, str] = {}
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
