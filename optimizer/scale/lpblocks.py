"""A tighter soft bound from the team LP (:mod:`optimizer.scale.lp`), county by county.

The LP's duals price the rows that join counties (province and city people, the class
counts, U-PARTICIPATE, clusters across a border); what is left falls apart into one block
per county — its villages' pairs and rows, its own units' people — and each block is solved
as the integer program the LP relaxes (HiGHS). That is a Lagrangian bound: it holds for any
duals of the right signs, and a block the clock leaves unsolved keeps its LP share. The
LP's distance from a plan was mostly its fractional teams inside counties (a unit's one team
split over two villages), which the counties' exact models prove away: province-201 under
hebei-2018 at the plan's counts, 162,543 → 127,631 against a plan of 95,047."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from optimizer.model.params import Tuning
from optimizer.scale.blockserve import solve_all

if TYPE_CHECKING:
    from optimizer.scale.lp import TeamLp

LOCAL_LEVELS = ("county", "township")


def block_bound(lp: TeamLp, tuning: Tuning, deadline: float | None, workers: int = 1) -> float:
    """The soft bound (points) of the LP's plans by county blocks, or NaN (a coverage LP,
    or its last solve not optimal). Adds to ``lp`` the pairs the blocks need: those left out
    whose reduced cost is under ``tuning.block_price``, at most ``tuning.block_pairs``."""
    optimal = lp.highspy.HighsModelStatus.kOptimal
    if lp.coverage or lp.h.getModelStatus() != optimal or lp.short():
        return math.nan
    y, _hi = lp.duals()
    rest, rp = lp.rest_prices(y)
    solved = lp.n_cols  # the LP's own columns: the blocks' LP shares are theirs
    join = np.zeros(lp.npair, dtype=bool)
    cheap = np.nonzero(rp < tuning.block_price)[0]
    if len(cheap) > tuning.block_pairs:  # the cheapest first: memory
        cheap = cheap[np.argsort(rp[cheap], kind="stable")[: tuning.block_pairs]]
    join[rest[cheap]] = True
    lp.add_pairs(np.nonzero(lp.close(join | (lp.col_of >= 0)) & (lp.col_of < 0))[0])
    out = lp.col_of[rest] < 0  # left out still: each bounds its block's rise
    blocks = Blocks(lp, y, solved)
    blocks.price_rest(rest, rp)
    cut = np.full(blocks.n, np.inf)
    np.minimum.at(cut, blocks.of_village[lp.a.pv[rest[out]]], rp[out])
    return blocks.solve(cut, tuning.block_seconds, deadline, workers)


class Blocks:
    """The LP split by county: column and row → block (−1: none, the rows joining blocks
    priced by the LP's duals), the reduced costs at those duals, each block's LP share."""

    def __init__(self, lp: TeamLp, y_solved: np.ndarray, solved: int) -> None:
        """``y_solved``: the LP's duals (:meth:`~optimizer.scale.lp.TeamLp.duals`) when it had
        ``solved`` columns; the pairs added since are priced by :meth:`price_rest`."""
        self.lp, lp_ = lp, lp.h.getLp()
        m = lp_.a_matrix_
        self.a = sp.csc_matrix((np.asarray(m.value_), np.asarray(m.index_), np.asarray(m.start_)),
                               shape=(lp_.num_row_, lp_.num_col_))  # fmt: skip
        self.cost = np.asarray(lp_.col_cost_, float)
        self.lo, self.up = (
            np.asarray(lp_.col_lower_, float),
            np.asarray(lp_.col_upper_, float).copy(),
        )
        self.up[lp.slacks] = 0.0  # a plan has no slack
        self.rlo, self.rup = np.asarray(lp_.row_lower_, float), np.asarray(lp_.row_upper_, float)
        counties = [lp.inst.ds.villages[v].county for v in lp.a.vids]
        names = sorted(set(counties))
        self.n = len(names)
        self.of_village = np.array([names.index(k) for k in counties], dtype=np.int64)
        self.col = self.columns({k: i for i, k in enumerate(names)})
        self.row = self.rows()
        y = np.zeros(self.a.shape[0])
        y[: len(y_solved)] = y_solved  # rows added since: inside one block (dual 0)
        y[(y > 0) & ~np.isfinite(self.rlo)] = 0.0
        y[(y < 0) & ~np.isfinite(self.rup)] = 0.0
        self.b = np.where(y > 0, self.rlo, np.where(y < 0, self.rup, 0.0))
        joins = self.row < -1
        self.const = float(y[joins] @ self.b[joins])
        self.red = self.cost - self.a.T @ np.where(joins, y, 0.0)  # block objectives
        r = self.cost - self.a.T @ y  # with the blocks' own rows priced too: their LP share
        each = np.where(r >= 0, r * self.lo, r * np.where(r < 0, self.up, 0.0))[:solved]
        self.share = np.bincount(self.col[:solved] + 1, weights=each, minlength=self.n + 1)
        self.share += np.bincount(self.row[~joins] + 1, weights=(y * self.b)[~joins],
                                  minlength=self.n + 1)  # fmt: skip

    def price_rest(self, rest: np.ndarray, rp: np.ndarray) -> None:
        """The pairs the LP had left out, at their reduced costs' lower bounds ``rp``, in
        their blocks' LP shares (nothing once the LP's pricing is done: none negative)."""
        low = np.minimum(0.0, rp) * self.lp.ub_pair[rest]
        np.add.at(self.share, self.of_village[self.lp.a.pv[rest]] + 1, low)

    def columns(self, ix: dict[str, int]) -> np.ndarray:
        """Column → block: a village's columns its county's; a county or township unit's
        people their county's; other people none (−1); a column of a pair's own rows
        (its explicit people) the block it shares those rows with most."""
        lp, a, nv = self.lp, self.a.tocoo(), self.lp.nv
        col = np.full(self.a.shape[1], -2, dtype=np.int64)
        at = a.row < 4 * nv  # the village rows: role, filled, T-SEC
        col[a.col[at]] = self.of_village[a.row[at] % nv]
        units = lp.inst.ds.units
        unit_block = np.array([ix.get(units[u].region, -1) if units[u].level in LOCAL_LEVELS
                               else -1 for u in lp.uids], dtype=np.int64)  # fmt: skip
        people = unit_block[lp.a.cad_unit]
        col[: lp.nc] = people
        col[lp.nc : lp.nc + len(lp.sec_idx)] = people[lp.sec_idx]
        col[lp.slacks] = -1
        todo = np.nonzero(col == -2)[0]
        if len(todo):
            own = (self.a[lp.n_rows :] != 0).astype(np.int64).tocsr()
            known = col >= 0
            hot = sp.csr_matrix((np.ones(int(known.sum())), (np.nonzero(known)[0], col[known])),
                                shape=(len(col), self.n))  # fmt: skip
            votes = (own[:, todo].T @ (own @ hot)).toarray()
            col[todo] = np.where(votes.max(axis=1) > 0, votes.argmax(axis=1), -1)
        return col

    def rows(self) -> np.ndarray:
        """Row → the one block all its columns are in (−1: only columns of none), else −2."""
        live = (self.up > self.lo) | (self.lo != 0)
        a = self.a[:, live].tocsr()
        lab = self.col[live]
        out = np.full(a.shape[0], -1, dtype=np.int64)
        full = np.diff(a.indptr) > 0
        starts = a.indptr[:-1][full]
        of = lab[a.indices]
        lo, hi = np.minimum.reduceat(of, starts), np.maximum.reduceat(of, starts)
        out[full] = np.where(lo == hi, lo, -2)
        return out

    def solve(self, cut: np.ndarray, seconds: float, deadline: float | None,
              workers: int = 1) -> float:  # fmt: skip
        """Each block's integer program while the clock allows, ``workers`` at a time (in
        child processes: :mod:`~optimizer.scale.blockserve`); the bound in points."""
        got = solve_all(self.job, self.n, workers, deadline, seconds)
        share = self.share[1:]
        total = (
            self.const
            + self.share[0]
            + float(np.maximum(share, np.minimum(np.array(got), share + cut)).sum())
        )
        return float(np.floor(-total + 1e-6 * max(1.0, abs(total)))) + 1

    def job(self, k: int, seconds: float) -> tuple:
        """Block ``k``'s integer program for :func:`~optimizer.scale.blockserve.mip_bound`."""
        cols, rows = np.nonzero(self.col == k)[0], np.nonzero(self.row == k)[0]
        sub = self.a[rows][:, cols].tocsc()
        return (self.rlo[rows], self.rup[rows], self.red[cols], self.lo[cols], self.up[cols],
                sub.indptr[:-1].astype(np.int32), sub.indices.astype(np.int32), sub.data,
                float(seconds))  # fmt: skip


__all__ = ["Blocks", "block_bound"]
