"""The naive reference model: one CP-SAT boolean per (cadre, village, role) triple.

This is what one would write first, and what the product's unit-level master model is
measured against. It is a reference, not a product:

* it uses :func:`optimizer.rules.instance.build_instance`, so every pruning rule (E-*, L-RANK,
  LV-LEVEL, LV-REGION, H-NOREPEAT, forbid pins, busy incumbents) is already applied to
  ``inst.options``;
* it encodes directly on ``x[c,v,r]``: one post per cadre, at most one first secretary per
  village (none new where an incumbent secretary serves), members only with a secretary, team
  size ≤ max(need.max, incumbents), T-UNIT as one unit per team (``z[u,v]``, Σz ≤ 1; where
  incumbents of several units serve, new posts only from those units), and
  ``filled[v] = min(size, need.min)``;
* it keeps hard H-CONTINUITY and H-PROVVILLAGE by pruning, require pins (``x == 1``) and
  U-PARTICIPATE (each must-send unit without an incumbent posts someone), so its plans pass
  the verifier; it skips J-JOINT (joint teams), C-CLUSTER (clusters), the soft H-CONTINUITY
  and H-PROVVILLAGE terms and the ``county_townships`` member mode;
* the objective is ONE weighted solve: coverage lexicographic by class through weights
  (weight_k = product over the lower classes of (required posts + 1)) times a factor larger
  than any soft total, plus soft points per posting: :func:`optimizer.model.master.cadre_points`
  + S-FIT (``fit * weights.fit * 10``, per person, not per unit as in the product) −
  S-TRAVEL (``round(travel_per_10km * km)`` per posting).

Its soft objective is therefore only roughly comparable to ``SolveResult.objective``: the
product caps a team at its minimum (unless pins ask for more), scores S-FIT per unit and
adds continuity terms; the baseline may post up to ``need.max`` people where extra points pay.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from optimizer.data.domain import Dataset
from optimizer.policy import Policy
from optimizer.rules.instance import SEC, build_instance, class_order
from optimizer.rules.scoring import SOFT_SCALE, cadre_points, fit

MAX_BITS = 62
"""Objective coefficients beyond this fall back to flat coverage weights (see ``weights``)."""


class _Trace(cp_model.CpSolverSolutionCallback):
    """Records (t, soft points, bound on soft points) per solution; t from ``t0``."""

    def __init__(self, t0: float, soft: cp_model.LinearExprT, cover_part: cp_model.LinearExprT):
        super().__init__()
        self.t0, self.soft, self.cover_part = t0, soft, cover_part
        self.trace: list[tuple[float, float, float]] = []
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.monotonic() - self.t0
        if self.first is None:
            self.first = now
        soft = float(self.value(self.soft))
        cover = float(self.value(self.cover_part))
        # the bound on the soft part given this solution's coverage (exact once coverage is
        # proven maximal, an over-estimate before)
        self.trace.append((now, soft, self.best_objective_bound - cover))


def _pruned(inst, cid: str, vid: str, role: str) -> bool:
    """Hard H-CONTINUITY (the unit that keeps the village) and hard H-PROVVILLAGE."""
    pol, uid = inst.policy, inst.unit_of(cid)
    keep = inst.prev_units.get(vid)
    judged = role == SEC or pol.members_from == "lead_unit"
    if pol.continuity == "hard" and keep and judged and uid not in keep:
        return True
    return (
        pol.provvillage == "hard"
        and role == SEC
        and vid in inst.prev_province
        and inst.ds.units[uid].level == "province"
    )


def _pins_and_participation(inst, m: cp_model.CpModel, x: dict) -> None:
    """P-PIN require pins and U-PARTICIPATE on the triples' booleans."""
    for pin in inst.ds.pins:
        if pin.kind != "require":
            continue
        if any(p.cadre_id == pin.cadre_id for p in inst.inc_by_village.get(pin.village_id, ())):
            continue
        keys = [
            k
            for k in x
            if k[0] == pin.cadre_id and k[1] == pin.village_id and pin.role in (None, k[2])
        ]
        m.add(sum(x[k] for k in keys) == 1)  # no key: infeasible, as the pin is
    sending = {p.unit_id for p in inst.incumbents}
    by_unit: dict[str, list] = defaultdict(list)
    for (cid, _, _), var in x.items():
        by_unit[inst.unit_of(cid)].append(var)
    for uid in sorted(inst.must_send - sending):
        if by_unit.get(uid):
            m.add(sum(by_unit[uid]) >= 1)


def solve_baseline(  # noqa: C901 - the naive model in one piece
    ds: Dataset,
    policy: Policy,
    plan_date: date,
    time_limit: float,
    seed: int = 0,
) -> dict[str, Any]:
    """Build and solve the naive model. Returns status, posts_filled, posts_required,
    objective (soft points), bound (on soft points), wall (build + solve seconds),
    first_feasible (seconds to the first solution, from the start of the build), trace,
    variables and weights ("lexicographic" or "flat")."""
    t0 = time.monotonic()
    inst = build_instance(ds, policy, plan_date)
    m = cp_model.CpModel()
    x: dict[tuple[str, str, str], cp_model.IntVar] = {}
    soft_pts: dict[tuple[str, str, str], int] = {}
    w = policy.weights
    triples = ((cid, vid, roles) for cid in inst.ds.cadres for vid, roles in inst.options(cid))
    for cid, vid, roles in triples:
        d = inst.distance.get((inst.unit_of(cid), vid))
        travel = round(w.travel_per_10km * d) if d is not None else 0
        for role in roles:
            if _pruned(inst, cid, vid, role):
                continue
            key = (cid, vid, role)
            x[key] = m.new_bool_var(f"x[{cid},{vid},{role[0]}]")
            soft_pts[key] = (
                sum(cadre_points(inst, cid, role).values())
                + fit(inst, cid, vid) * w.fit * SOFT_SCALE
                - travel
            )

    by_cadre: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    secs: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    mems: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    by_unit_village: dict[tuple[str, str], list[cp_model.IntVar]] = defaultdict(list)
    for (cid, vid, role), var in x.items():
        by_cadre[cid].append(var)
        (secs if role == SEC else mems)[vid].append(var)
        by_unit_village[(inst.unit_of(cid), vid)].append(var)
    for vars_ in by_cadre.values():
        if len(vars_) > 1:
            m.add_at_most_one(vars_)  # one post per cadre

    _pins_and_participation(inst, m, x)
    units_at: dict[str, set[str]] = defaultdict(set)
    for uid, vid in by_unit_village:
        units_at[vid].add(uid)
    filled: dict[str, cp_model.IntVar] = {}
    for vid, need in inst.need.items():
        inc = inst.inc_by_village.get(vid, [])
        inc_sec = any(p.role == SEC for p in inc)
        if inc_sec:
            for var in secs[vid]:
                m.add(var == 0)  # an incumbent secretary: no new one
            has_sec: cp_model.LinearExprT = 1
        else:
            m.add_at_most_one(secs[vid])
            has_sec = sum(secs[vid])
        if not inc_sec:
            for var in mems[vid]:
                m.add(var <= has_sec)  # members only with a secretary
        size = len(inc) + sum(secs[vid]) + sum(mems[vid])
        m.add(size <= max(need.max, len(inc)))
        # T-UNIT: one unit per team (incumbents' units take part by definition)
        inc_units = {p.unit_id for p in inc}
        z: dict[str, cp_model.IntVar | int] = {}
        for uid in sorted(units_at[vid] | inc_units):
            if uid in inc_units:
                z[uid] = 1
            else:
                z[uid] = m.new_bool_var(f"z[{uid},{vid}]")
            for var in by_unit_village.get((uid, vid), []):
                if uid in inc_units:
                    continue
                if len(inc_units) > 1:
                    m.add(var == 0)  # several incumbent units: new posts only from them
                else:
                    m.add_implication(var, z[uid])
        if len(inc_units) <= 1:
            m.add(sum(z.values()) <= 1)
        f = m.new_int_var(0, need.min, f"filled[{vid}]")
        m.add(f <= size)
        filled[vid] = f

    classes = class_order(inst)
    required = {k: sum(inst.need[v].min for v, c in inst.cls.items() if c == k) for k in classes}
    cov = {k: sum(filled[v] for v, c in inst.cls.items() if c == k) for k in classes}
    weight: dict[str, int] = {}
    acc = 1
    for k in reversed(classes):  # other … weak: each weight beats all lower classes together
        weight[k] = acc
        acc *= required[k] + 1
    best_soft: dict[str, int] = defaultdict(int)
    worst_soft: dict[str, int] = defaultdict(int)
    for (cid, _, _), p in soft_pts.items():
        best_soft[cid] = max(best_soft[cid], p)
        worst_soft[cid] = min(worst_soft[cid], p)
    big = sum(best_soft.values()) - sum(worst_soft.values()) + 1
    weights = "lexicographic"
    if math.log2(max(1, acc * big)) > MAX_BITS:
        # too many posts for one weighted solve: every post counts the same
        weights = "flat"
        weight = dict.fromkeys(classes, 1)
    cover_part = sum(big * weight[k] * cov[k] for k in classes)
    soft = sum(p * x[key] for key, p in soft_pts.items() if p)
    m.maximize(cover_part + soft)

    solver = cp_model.CpSolver()
    p = solver.parameters
    p.random_seed = seed
    p.num_workers = 1
    p.linearization_level = 2
    p.max_time_in_seconds = max(0.01, time_limit - (time.monotonic() - t0))
    cb = _Trace(t0, soft, cover_part)
    status = solver.solve(m, cb)
    ok = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    chosen = [k for k, var in x.items() if ok and solver.value(var)]
    objective = float(solver.value(soft)) if ok else None
    cover_val = float(solver.value(cover_part)) if ok else None
    bound = solver.best_objective_bound - cover_val if ok else None
    return {
        "status": solver.status_name(status),
        "posts_filled": sum(int(solver.value(f)) for f in filled.values()) if ok else 0,
        "posts_required": sum(required.values()),
        "objective": objective,
        "bound": bound,
        "wall": time.monotonic() - t0,
        "first_feasible": cb.first,
        "trace": cb.trace,
        "variables": len(x),
        "weights": weights,
        "assignments": chosen,
    }
