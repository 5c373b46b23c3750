"""H-NOREPEAT per person in the LP (:mod:`optimizer.scale.lp`): the pairs where some of a
unit's cadres are barred are filled by explicit (cadre, pair) columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from optimizer.rules.instance import MEM, SEC

if TYPE_CHECKING:
    from optimizer.scale.lp import TeamLp


def allowed_people(lp: TeamLp) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """H-NOREPEAT per person: pairs (unit, village, role) where some of the unit's cadres are
    barred (H-NOREPEAT, a forbid pin) → (the cadre indices who may take the role there, their
    costs in that role). Such a pair's posts are filled by explicit (cadre, pair) columns of
    the others, not from the unit's common pool (which would seat the barred ones: measured,
    most of the province gap). A require-pinned cadre is not among them at another village
    (P-PIN): the coverage program placed 10 of city-201's 11 pinned province and city cadres
    away from their pins under hebei-2018."""
    inst, a, uids, vids = lp.inst, lp.a, lp.uids, lp.a.vids
    nv = len(vids)
    vix = {v: i for i, v in enumerate(vids)}
    barred = [lp.uix[u] * nv + vix[v] for (u, v) in inst.barred_at if u in lp.uix and v in vix]
    if not barred:
        return {}
    cad_ix = {c: i for i, c in enumerate(c for u in uids for c in inst.eligible[u])}
    sec_pos = np.full(len(a.cad_sec), -1, dtype=np.int64)
    sec_pos[lp.sec_idx] = np.arange(len(lp.sec_idx))
    sec_cost = np.asarray(lp.sec_cost, float)
    pinned = {p.cadre_id: p.village_id for p in inst.ds.pins if p.kind == "require"}
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for i in np.nonzero(np.isin(lp.key, np.array(barred, dtype=np.int64)))[0]:
        uid, vid = uids[int(a.pu[i])], vids[int(a.pv[i])]
        role = SEC if a.ps[i] else MEM
        people = np.array([cad_ix[c] for c in inst.pool(uid, vid, role)
                           if pinned.get(c, vid) == vid], dtype=np.int64)  # fmt: skip
        if role == SEC:
            people = people[sec_pos[people] >= 0]
        cost = sec_cost[sec_pos[people]] if role == SEC else -lp.mem_pts[people]
        out[int(i)] = (people, np.asarray(cost, float))
    return out
