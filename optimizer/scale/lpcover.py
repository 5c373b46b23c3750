"""C-CLUSTER in the team LP (:mod:`optimizer.scale.lp`): a covered village has no team of its
own, and its cover needs a team at a host next to it.

The flow fills a coverable village's posts from a free source, and the LP took that over: it
could cover a village *and* post a team there for the team's points, and cover villages with
no host team anywhere near. Under hunan-2021 (demo villages host and may be covered) the
province-201 LP covered 414 villages where the plan covers 221, and left out some 190 costly
province teams that way. As the master states the rule
(:func:`~optimizer.model.constraints.rule_C_CLUSTER`), two rows per coverable village ``w``,
with ``c_w`` its covered share (cover posts / required posts):

- ``c_w + Σ_u t[u,w] ≤ 1``: covered, or a first secretary of its own, not both;
- ``c_w − Σ_h Σ_u t[u,h] ≤ 0`` over the hosts ``h`` next to it: a cover needs a host's team
  (left out when such a host has a serving first secretary: its team stands anyway).

Both hold for every plan, so the bound stays a bound.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from optimizer.rules.instance import SEC
from optimizer.scale.lprows import add_row

if TYPE_CHECKING:
    from optimizer.scale.lp import TeamLp


def cover_rows(lp: TeamLp) -> None:
    """The two rows of each coverable village, over its cover column; ``lp.cover_at`` is
    village index → [(row, coefficient)] a new first secretary there enters."""
    a, inst = lp.a, lp.inst
    lp.cover_at = defaultdict(list)
    vix = {v: i for i, v in enumerate(a.vids)}
    host_cats = set(inst.policy.cluster.hosts)
    col0 = lp.nc + len(lp.sec_idx) + lp.nv  # the cover columns, in ``a.cov`` order
    for n, w in enumerate(a.cov):
        col, share = col0 + n, np.array([1.0 / max(1, int(a.required[w]))])
        lp.cover_at[w].append((add_row(lp, [col], share, 1.0), 1.0))
        hosts = [vix[h] for h in sorted(inst.adjacency.get(a.vids[w], ()))
                 if h in vix and inst.ds.villages[h].categories & host_cats]  # fmt: skip
        if any(p.role == SEC for h in hosts for p in inst.inc_by_village.get(a.vids[h], [])):
            continue
        row = add_row(lp, [col], share, 0.0)
        for h in hosts:
            lp.cover_at[h].append((row, -1.0))


def cover_prices(lp: TeamLp, y: np.ndarray) -> np.ndarray:
    """Village index → what its cover rows add to a new first secretary's reduced cost
    there (−coefficient · dual); pricing a pair left out needs them to stay a bound."""
    out = np.zeros(lp.nv)
    for v, rows in lp.cover_at.items():
        out[v] = -sum(c * y[r] for r, c in rows)
    return out


__all__ = ["cover_prices", "cover_rows"]
