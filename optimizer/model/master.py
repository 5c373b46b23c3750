"""The CP-SAT master model: one builder function per SPEC §3 rule family, named by rule id.

The seeds' own order is 先定村、再定人 — villages and units first, then people (002 二.3). The
master decides, per village, which unit leads the team (``t[u,v]``: it sends the first
secretary), how many members each unit sends there (``n[u,v]``) and which of a unit's cadres it
uses in which role (``a[c,r]``); :mod:`optimizer.model.people` then seats those cadres in villages.
That keeps the model at units × villages instead of cadres × villages (a 20–50× smaller model)
while staying exact for coverage and for every soft term that does not depend on the pairing of
a person with a village. Person-level rules (H-NOREPEAT, forbid pins) are exact in the master
too: where some of a unit's cadres may not serve at a village, that pair's posts are filled by
explicit (cadre, village, role) choices (``y``), not from the unit's common pool, so the
master's points are the points of a plan the people stage can seat.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.model.shape import Shape, cap


@dataclass
class PlanModel(Shape):
    """The CP-SAT model on its :class:`~optimizer.model.shape.Shape` (pairs, pools, rooms)."""

    m: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    t: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    """(unit, village) → the unit sends the village's new first secretary."""
    n: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    """(unit, village) → new members the unit sends there."""
    z: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    """(unit, village) → the unit takes part in the village's team (T-UNIT, J-JOINT)."""
    a: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    """(cadre, role) → the cadre is posted in that role at one of the unit's common-pool
    pairs (every pair not in ``own``)."""
    y: dict[tuple[str, str, str], cp_model.IntVar] = field(default_factory=dict)
    """(cadre, village, role) → the cadre takes that post, at the pairs in ``own``."""
    own: set[tuple[str, str, str]] = field(default_factory=set)
    """(unit, village, role) filled by named people: some of the unit's cadres may not serve
    there (H-NOREPEAT, forbid pins)."""
    team: dict[str, cp_model.IntVar] = field(default_factory=dict)
    cover: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    covered: dict[str, cp_model.LinearExprT] = field(default_factory=dict)
    filled: dict[str, cp_model.IntVar] = field(default_factory=dict)
    joint: dict[str, cp_model.IntVar] = field(default_factory=dict)
    soft_terms: list[tuple[int, cp_model.LinearExprT, str]] = field(default_factory=list)
    """(points, expression, rule id) summed into the soft objective."""
    notes: list[str] = field(default_factory=list)
    pin_role: dict[str, dict[str, cp_model.IntVar]] = field(default_factory=dict)
    """Require-pinned cadre → role choice (one of them is 1)."""
    sends: dict[str, cp_model.IntVar] = field(default_factory=dict)
    """Must-send unit → it sends someone (U-PARTICIPATE)."""
    mixed_incumbents: set[str] = field(default_factory=set)
    """Villages whose serving incumbents come from several units (not re-judged)."""

    def size(self, vid: str) -> cp_model.LinearExprT:
        return self.inc(vid) + sum(self.new_at(u, vid) for u in self.units_at[vid])

    def new_at(self, uid: str, vid: str) -> cp_model.LinearExprT:
        return self.t.get((uid, vid), 0) + self.n.get((uid, vid), 0)

    def class_coverage(self, cls: str) -> cp_model.LinearExprT:
        return sum(self.filled[v] for v, k in self.inst.cls.items() if k == cls)


# --------------------------------------------------------------------------- variables


def variables(pm: PlanModel) -> None:
    """One variable per pair of the shape: ``t`` where the unit may send the secretary, ``n``
    (0..room) where it may send members; in (village, unit) order."""
    for (uid, vid), (k_any, _k_sec) in sorted(
        pm.sizes.items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        if (uid, vid) in pm.sec_room:
            pm.t[(uid, vid)] = pm.m.new_bool_var(f"t[{uid},{vid}]")
        if (uid, vid) in pm.mem_room:
            pm.n[(uid, vid)] = pm.m.new_int_var(0, pm.mem_room[(uid, vid)], f"n[{uid},{vid}]")
        # H-NOREPEAT and forbid pins: never more posts than people who may serve here
        if ((uid, vid) in pm.t or (uid, vid) in pm.n) and k_any < cap(pm, vid) - pm.inc(vid):
            pm.m.add(pm.new_at(uid, vid) <= k_any)
