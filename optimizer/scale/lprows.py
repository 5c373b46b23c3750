"""Rows added to the team LP (:mod:`optimizer.scale.lp`) after its fixed ones — the rules' own
rows (U-PARTICIPATE, P-PIN, C-CLUSTER) — each ``vals · x[cols] ≤ hi``, a dual the Lagrangian
bound keeps ≤ 0."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from optimizer.scale.lp import TeamLp


def add_row(lp: TeamLp, cols: list[int], vals: np.ndarray, hi: float) -> int:
    """The row ``vals · x[cols] ≤ hi`` (columns entering later add their own entries);
    returns its index."""
    row = lp.n_rows + lp.n_link
    vals = np.asarray(vals, float)
    lp.h.addRows(1, np.array([-np.inf]), np.array([hi]), len(cols), np.zeros(1, np.int32),
                 np.array(cols, np.int32), vals)  # fmt: skip
    lp.entries.append((np.full(len(cols), row), np.array(cols), vals))
    if hi:
        lp.row_hi_at[row] = hi
    lp.n_link += 1
    lp.link_row.append(True)
    return row


def add_row_at_least(lp: TeamLp, cols: list[int], rhs: float) -> int:
    """The row: the sum of these columns is at least ``rhs`` (kept as −sum ≤ −rhs)."""
    return add_row(lp, cols, -np.ones(len(cols)), -rhs)


__all__ = ["add_row", "add_row_at_least"]
