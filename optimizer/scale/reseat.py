"""The merged plan's people re-seated province-wide: the same teams, the best people for them.

Each county part seats only the province and city cadres handed to it, and a part the clock
cut short (or that fell back on the greedy plan) seats whoever the greedy took. Here the
merged plan's seats — new posts per (unit, village, role) — are kept and filled again by
:func:`~optimizer.model.people.seat_people` over the whole problem's pools: one exact
min-cost flow, a block per unit, so a unit's free cadre of another county's share may take a
seat. Coverage and every unit-level rule (T-UNIT, J-JOINT, H-CONTINUITY, H-PROVVILLAGE,
U-PARTICIPATE, T-SIZE) stay as they were, because the seats do; the pools keep E-*, LV-*,
H-NOREPEAT and forbid pins; require pins are seated first. The new seating is taken only
when it earns more points and fills every seat.
"""

from __future__ import annotations

from collections import Counter

from optimizer.model.people import seat_people
from optimizer.model.result import Assignment
from optimizer.model.shape import Shape
from optimizer.rules.instance import Instance
from optimizer.rules.scoring import plan_points


def reseat(
    inst: Instance, shape: Shape, assignments: list[Assignment], reference=None
) -> list[Assignment] | None:
    """The same seats with the best people for them; None when that earns no more points
    (or a seat could not be filled again, which the pools make rare)."""
    if not assignments:
        return None
    seats = Counter((inst.unit_of(a.cadre_id), a.village_id, a.role) for a in assignments)
    prefer = reference.postings if reference is not None else None
    first = bool(reference is not None and reference.minimal_change)
    triples, notes = seat_people(inst, dict(seats), shape.pool, shape.sec_pool, prefer, first)
    if notes or len(triples) != len(assignments):
        return None
    new = [Assignment(c, v, r) for c, v, r in triples]
    again = Counter((inst.unit_of(a.cadre_id), a.village_id, a.role) for a in new)
    if again != seats or plan_points(inst, new) <= plan_points(inst, assignments):
        return None
    return sorted(new, key=lambda a: (a.village_id, a.role, a.cadre_id))


__all__ = ["reseat"]
