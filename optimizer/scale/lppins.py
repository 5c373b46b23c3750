"""P-PIN's require pins in the LP (:mod:`optimizer.scale.lp`): the pinned cadre is used and
their unit's pair at the village carries them.

The flow drops pins; left out of the LP too, they made most of its bound's distance from a
proven optimum (county-201: 412 of 534 points under central-2021, 633 of 919 under
hebei-2018 — a pin may send a cadre far, or take a good one from where they score most).
Both parts are relaxations of the pin, so the bound stays a bound: the cadre's row becomes
"used once" (an equality row, its dual free), and the pair (the cadre's unit, the village,
the pin's role) gets a lower bound of one posting — or, a pin without a role, a row asking
one posting of the secretary and member pairs together. A pin the LP cannot carry (no
such pair, a cadre it does not hold) is left out, which only loosens the bound.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from optimizer.rules.instance import SEC
from optimizer.scale.lprows import add_row_at_least

if TYPE_CHECKING:
    from optimizer.scale.lp import TeamLp


def pin_requires(lp: TeamLp) -> None:
    """Add the dataset's require pins to ``lp`` (before its first solve)."""
    inst, a = lp.inst, lp.a
    cad_ix = {c: i for i, c in enumerate(c for u in lp.uids for c in inst.eligible[u])}
    vix = {v: i for i, v in enumerate(a.vids)}
    forced: Counter[int] = Counter()
    either: list[list[int]] = []
    used: set[int] = set()
    for pin in inst.ds.pins:
        c, v = cad_ix.get(pin.cadre_id), vix.get(pin.village_id)
        uid = inst.ds.cadres[pin.cadre_id].unit_id if pin.cadre_id in inst.ds.cadres else None
        if pin.kind != "require" or c is None or v is None or uid not in lp.uix:
            continue
        pairs = _pairs(lp, lp.uix[uid] * lp.nv + v, pin.role)
        if not pairs:
            continue
        used.add(c)
        if len(pairs) == 1:
            forced[pairs[0]] += 1
        else:
            either.append(pairs)
    if not used:
        return
    lp.add_pairs(np.array(sorted({*forced, *(i for pairs in either for i in pairs)})))
    rows = np.array([lp.r_c + c for c in sorted(used)], dtype=np.int32)
    for r in rows.tolist():
        lp.h.changeRowBounds(r, 1.0, 1.0)
    lp.free_rows = rows
    for i, n in sorted(forced.items()):
        col, ub = int(lp.col_of[i]), float(lp.ub_pair[i])
        lp.col_lb[col] = min(float(n), ub)
        lp.h.changeColBounds(col, lp.col_lb[col], ub)
    for pairs in either:
        add_row_at_least(lp, [int(lp.col_of[i]) for i in pairs], 1.0)


def _pairs(lp: TeamLp, key: int, role: str | None) -> list[int]:
    """The LP's pairs of that (unit, village) for the role (both roles without one) that
    may carry a posting."""
    a = lp.a
    found = np.nonzero((lp.key == key) & (lp.ub_pair > 0))[0]
    if role is not None:
        found = found[a.ps[found] == (role == SEC)]
    return [int(i) for i in found]


__all__ = ["pin_requires"]
