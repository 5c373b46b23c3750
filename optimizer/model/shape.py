"""The master model's shape without CP-SAT: which unit may send a first secretary or members
to which village, and how many.

The master (:mod:`optimizer.model.master`) makes one variable per allowed (unit, village) pair; the
greedy (:mod:`optimizer.model.greedy`) needs the same pairs and pools to build a valid plan. At
province scale the CP-SAT variables are the expensive part, so the decomposition builds only
this shape for its province-wide greedy plan, and the master builds its variables on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from optimizer.rules.history import UnitBars, rule_H_CONTINUITY, rule_H_PROVVILLAGE
from optimizer.rules.instance import MEM, SEC, Instance


@dataclass
class Shape:
    inst: Instance
    sizes: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """(unit, village) → how many of the unit's cadres may serve there (any role, secretary)."""
    sec_room: dict[tuple[str, str], int] = field(default_factory=dict)
    """(unit, village) → 1 where the unit may send the village's new first secretary."""
    mem_room: dict[tuple[str, str], int] = field(default_factory=dict)
    """(unit, village) → the most new members the unit may send there."""
    units_at: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    villages_of: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    caps: dict[str, int] = field(default_factory=dict)
    """Village → the largest team it may get (:func:`cap`), computed once."""
    greedy_order: list[str] = field(default_factory=list)
    """The villages in the greedy's order, computed by its first pass (five per province)."""

    def pool(self, uid: str, vid: str) -> list[str]:
        """The unit's cadres who may serve at ``vid`` in some role."""
        if (uid, vid) not in self.sizes:
            return []
        mem = self.inst.pool(uid, vid, MEM)
        if len(mem) == self.sizes[(uid, vid)][0]:
            return mem
        seen = set(mem)
        return mem + [c for c in self.sec_pool(uid, vid) if c not in seen]

    def sec_pool(self, uid: str, vid: str) -> list[str]:
        """The unit's cadres who may be ``vid``'s new first secretary."""
        if not self.sizes.get((uid, vid), (0, 0))[1]:
            return []
        return self.inst.pool(uid, vid, SEC)

    def inc(self, vid: str, role: str | None = None) -> int:
        return sum(1 for p in self.inst.inc_by_village.get(vid, []) if role in (None, p.role))


def build_shape(inst: Instance, shape: Shape | None = None) -> Shape:
    """Fill ``shape`` (a new one by default): pools, then the pairs that may take posts."""
    shape = shape if shape is not None else Shape(inst)
    pools(shape)
    domains(shape)
    return shape


def pools(shape: Shape) -> None:
    """Count, per (unit, village), the unit's cadres who may serve there; apply the hard
    variants of H-CONTINUITY and H-PROVVILLAGE, which also only remove options. Counts, not
    lists: the lists are rebuilt on demand for the few pairs that get posts."""
    inst = shape.inst
    inc_sec = {v for v in inst.need if shape.inc(v, SEC)}
    bars = UnitBars(inst)
    for uid, per_role in inst.unit_villages.items():
        n_any, n_sec = len(inst.eligible.get(uid, ())), len(inst.sec_eligible.get(uid, ()))
        if not n_any:
            continue
        mem_ok = set(per_role[MEM])
        sec_ok = set(per_role[SEC])
        for vid in per_role[SEC] + [v for v in per_role[MEM] if v not in sec_ok]:
            if bars.barred(uid, vid) is not None:
                continue
            if (uid, vid) in inst.barred_at:
                k_sec = len(inst.pool(uid, vid, SEC)) if vid in sec_ok else 0
                mem = inst.pool(uid, vid, MEM) if vid in mem_ok else []
                k_any = len(set(mem) | set(inst.pool(uid, vid, SEC))) if vid in sec_ok else len(mem)
            else:
                k_sec = n_sec if vid in sec_ok else 0
                k_any = n_any if vid in mem_ok else k_sec
            if vid in inc_sec:
                k_sec = 0
            if k_any:
                shape.sizes[(uid, vid)] = (k_any, k_sec)


def unit_barred(inst: Instance, uid: str, vid: str) -> str | None:
    """The hard rule that keeps unit ``uid`` out of village ``vid``'s team (H-CONTINUITY,
    H-PROVVILLAGE), or None: the model's own test, for reasons given to users."""
    if rule_H_CONTINUITY(inst, uid, vid) is None:
        return "H-CONTINUITY"
    if rule_H_PROVVILLAGE(inst, uid, vid) is None:
        return "H-PROVVILLAGE"
    return None


def cap(shape: Shape, vid: str) -> int:
    """Largest team a village may get (:func:`village_caps`)."""
    if not shape.caps:
        shape.caps.update(village_caps(shape.inst))
    return shape.caps[vid]


def village_caps(inst: Instance) -> dict[str, int]:
    """Village → the largest team it may get: its minimum, unless incumbents or require pins
    put more people there, or members (incumbent or pinned) need their first secretary
    (T-SEC; never above the maximum, except incumbents alone, SPEC §3). Filling past the
    minimum adds nothing a plan needs otherwise, so it only happens when a pin asks for it."""
    pins: dict[str, list] = defaultdict(list)
    for p in inst.ds.pins:
        if p.kind == "require":
            pins[p.village_id].append(p)
    out = {}
    for v, need in inst.need.items():
        incs = inst.inc_by_village.get(v, [])
        inc, has_sec = len(incs), any(p.role == SEC for p in incs)
        # incumbent members without a first secretary (recalled, left) leave the secretary's
        # post open even when they number the minimum; so do pinned members (T-SEC)
        base = max(need.min, inc + 1) if inc and not has_sec else need.min
        pinned = pins[v]
        open_sec = bool(pinned) and not has_sec and all(p.role == MEM for p in pinned)
        out[v] = min(max(need.max, inc), max(base, inc + len(pinned) + open_sec))
    return out


def domains(shape: Shape) -> None:
    """Which pairs may take a new secretary and how many members (T-SIZE's room, LV-LEVEL's
    member levels); units with incumbents at a village are listed there too."""
    inst = shape.inst
    incs = {v: (shape.inc(v), shape.inc(v, SEC)) for v in inst.need}
    levels = {u: x.level for u, x in inst.ds.units.items()}
    for (uid, vid), (k_any, k_sec) in sorted(shape.sizes.items(), key=lambda kv: kv[0][::-1]):
        need = inst.need[vid]
        inc, inc_sec = incs[vid]
        room = cap(shape, vid) - inc
        if room <= 0:
            continue
        if k_sec:
            shape.sec_room[(uid, vid)] = 1
        members = min(room - (0 if inc_sec else 1), k_any)
        if levels[uid] in need.member_levels and members > 0:
            shape.mem_room[(uid, vid)] = members
        if (uid, vid) in shape.sec_room or (uid, vid) in shape.mem_room:
            shape.units_at[vid].append(uid)
            shape.villages_of[uid].append(vid)
    for vid in inst.need:
        for p in inst.inc_by_village.get(vid, []):
            if p.unit_id not in shape.units_at[vid]:
                shape.units_at[vid].append(p.unit_id)
        shape.units_at[vid].sort()


__all__ = [
    "Shape",
    "build_shape",
    "cap",
    "unit_barred",
]
