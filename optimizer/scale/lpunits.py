"""U-PARTICIPATE in the LP (:mod:`optimizer.scale.lp`): a must-send unit posts someone.

The flow drops the rule, and so did the LP: it could leave at home a province unit every
plan must send, often far (the bound, under hunan-2021: city-201 519,865 → 519,373,
province-201 1,518,006 → 1,516,673). One row per such unit, its cadres' postings ≥ 1: every valid plan meets it, so the bound stays a bound.
Over the cadre columns (the unit's common pool, and the explicit people of pairs where some
are barred, which carry the row's entry as they enter), not the pair columns: a province
unit's pairs reach every village, and rows that dense doubled the province LP's time
(province-201 under hunan-2021: 84 → 156 s). A costly slack column keeps each restricted LP
feasible (the bound never counts it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from optimizer.scale.lprows import add_row_at_least

if TYPE_CHECKING:
    from optimizer.scale.lp import TeamLp


def participation_rows(lp: TeamLp, sends: Iterable[str]) -> None:
    """Rows for the units of ``sends`` the LP holds with a pair that may carry a posting;
    ``lp.part_row`` is unit index → its row (−1: none). A unit whose members can only
    follow its own secretary (T-UNIT in lead-unit mode, no joint teams, no incumbent whose
    team it could join) sends a first secretary: its row counts secretaries only. Counting
    members too, a third of a team met the rule (city-201 under hunan-2021: 12 province
    secretaries in the LP where every plan sends at least 35)."""
    lp.part_row = np.full(lp.nu, -1, dtype=np.int64)
    lp.part_lead = np.zeros(lp.nu, dtype=bool)
    can = np.zeros(lp.nu, dtype=bool)
    can[lp.a.pu[lp.ub_pair > 0]] = True
    units = [lp.uix[u] for u in sorted(set(sends)) if u in lp.uix and can[lp.uix[u]]]
    serving = {p.unit_id for p in lp.inst.incumbents}
    cad_unit, nc = lp.a.cad_unit, lp.nc
    for u in units:
        lp.part_row[u] = lp.n_rows + lp.n_link
        lp.part_lead[u] = lp.lead_mode and not lp.small[u] and lp.uids[u] not in serving
        mine = [] if lp.part_lead[u] else np.nonzero(cad_unit == u)[0].tolist()
        secs = (nc + np.nonzero(cad_unit[lp.sec_idx] == u)[0]).tolist()
        add_row_at_least(lp, mine + secs, 1.0)
    if units:
        rows = lp.part_row[units]
        lp.slacks.append(lp.n_cols)
        lp.add_cols([lp.big], [np.inf], [rows], [-np.ones(len(rows))])


def participation_of(lp: TeamLp, pair: int) -> list[int]:
    """The U-PARTICIPATE row the explicit people of ``pair`` count in (none or one)."""
    u, row = lp.a.pu[pair], int(lp.part_row[lp.a.pu[pair]])
    return [row] if row >= 0 and (lp.a.ps[pair] or not lp.part_lead[u]) else []


__all__ = ["participation_of", "participation_rows"]
