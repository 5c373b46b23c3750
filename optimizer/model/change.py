"""Minimal change: with coverage per class held, as few changed postings as possible.

A re-solve after a planner's pins (or any change to the data) should move only what it must.
The tie-break reference stage (:func:`optimizer.plans.reference.agreement`) keeps the soft
objective at its best and only then moves toward the old plan, so it may reshuffle people to
win a point. Here the order is coverage per class, then changes, then points.

Changed postings are counted as ``plan_diff`` and ``changes.csv`` count them: one per cadre
whose (village, role) differs — removed, added or moved. With ``R`` the reference's new
postings (incumbents are fixed on both sides), ``N`` the plan's new postings, ``used`` the
people of ``R`` posted anywhere and ``kept`` those in the same (village, role):

    changes = |R| + N − used − kept

exact in the master model: a cadre is used through ``a[c, r]`` (the unit's common pool) or
``y[c, v, r]`` (named posts); kept through ``y`` or, in the common pool, a seat of that unit at
that village (``t`` / ``n``) the cadre can take. The people stage then seats the reference's
people first (:func:`optimizer.model.people.seat_people` with ``first``), which realises it.

Exact on one master model (a county, ``method="exact"``). A decomposed solve (city, province)
runs this tier in every county part, but the share-out of province and city cadres to the
counties and the county-pairs phase do not count changes: there the count is the fewest
within each part, not proven province-wide.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from optimizer.model.cpsat import Watch, extract, hint_from, run_phase
from optimizer.rules.instance import SEC

if TYPE_CHECKING:
    from optimizer.model.master import PlanModel
    from optimizer.model.result import Progress, SolveResult
    from optimizer.plans.reference import Reference


def changed_postings(pm: PlanModel, ref: Reference) -> tuple[cp_model.LinearExprT, int]:
    """(the master's count of changed postings against ``ref``'s new postings, |R|)."""
    inst, m = pm.inst, pm.m
    fixed = {p.cadre_id for p in inst.incumbents}
    named: dict[str, list] = defaultdict(list)
    for (c, _v, _r), var in pm.y.items():
        named[c].append(var)
    roles = defaultdict(list)
    for (c, _r), var in pm.a.items():
        roles[c].append(var)
    used, kept = [], []
    members: dict[tuple[str, str], list] = defaultdict(list)
    posts = sorted(p for p in ref.postings if p[0] in inst.ds.cadres and p[0] not in fixed)
    for cid, vid, role in posts:
        uid = inst.unit_of(cid)
        used += named.get(cid, []) + roles.get(cid, [])
        if (uid, vid, role) in pm.own:
            if (cid, vid, role) in pm.y:
                kept.append(pm.y[(cid, vid, role)])
            continue
        seat = pm.t.get((uid, vid)) if role == SEC else pm.n.get((uid, vid))
        if seat is None or (cid, role) not in pm.a:
            continue
        k = m.new_bool_var(f"kept[{cid}]")
        m.add(k <= pm.a[(cid, role)])
        if role == SEC:
            m.add(k <= seat)
        else:
            members[(uid, vid)].append(k)
        kept.append(k)
    for (uid, vid), ks in sorted(members.items()):
        m.add(sum(ks) <= pm.n[(uid, vid)])
    new = sum(pm.t.values()) + sum(pm.n.values())
    return len(posts) + new - sum(used) - sum(kept), len(posts)


def fewest_changes(
    pm: PlanModel,
    solver: cp_model.CpSolver,
    res: SolveResult,
    t0: float,
    deadline: float | None,
    seed: int,
    say: Progress | None,
) -> bool:
    """The stage between coverage and points: minimise changed postings, then hold the count
    found. False when no plan came in time (the coverage plan stands, nothing is held)."""
    ref = res.reference
    assert ref is not None
    expr, size = changed_postings(pm, ref)
    pm.m.minimize(expr)
    before = res.status
    watch = Watch("fewest changes", t0, None, None)  # traced, not printed: it has no gap
    status = run_phase(solver, pm.m, res, {"phase": "changes", "reference": size}, watch,
                       seed, deadline)  # fmt: skip
    if status is None:
        res.status = before
        return False
    best = round(solver.objective_value)
    pm.m.add(expr <= best)
    extract(pm, solver, res)
    hint_from(pm, solver)
    if say:
        proof = "proven fewest" if status == cp_model.OPTIMAL else "not proven fewest"
        say(f"[{time.monotonic() - t0:7.1f}s] changes: {best} posting(s) differ from the "
            f"reference plan, {proof}")  # fmt: skip
    return True
