"""The flow relaxation plus T-UNIT's tie, as an LP: tighter bounds on posts and soft points.

A unit's members go only where it sends the secretary (n[u,v] ≤ m_v · t[u,v]) in lead-unit
mode, or — small units that may team up (J-JOINT) — where a small unit of their level and
region does; where an incumbent secretary stays, only the incumbents' units (and their small
partners) add members (:mod:`optimizer.scale.lpties`). The soft bound is for plans filling
at least ``target`` required posts in all and, per class, at least ``classes`` of them.

Solved with HiGHS by column generation: every pair of county and township units, and the
province and city units' pairs the flow used or that are among their cheapest; the other
pairs are priced with the duals and the worst-priced enter, a few rounds. The bound is the
Lagrangian one, y·b + Σ ub·min(0, reduced cost) over every column, so it holds whatever the
duals' accuracy and whichever columns were left out.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from importlib import import_module
from types import ModuleType

import numpy as np

from optimizer.model.params import Tuning
from optimizer.scale.flow import FlowArrays, Relaxation
from optimizer.scale.lpaim import Aims
from optimizer.scale.lpcover import cover_prices, cover_rows
from optimizer.scale.lppeople import allowed_people
from optimizer.scale.lppins import pin_requires
from optimizer.scale.lpties import Ties
from optimizer.scale.lpunits import participation_of, participation_rows


def highs() -> ModuleType | None:
    """HiGHS as scipy ships it (the stand-alone highspy clashes with OR-Tools' own copy).
    Loaded on first use: importing it takes over a second, and only the LP needs it."""
    try:
        return import_module("scipy.optimize._highspy._core")
    except ImportError:  # scipy without HiGHS: the flow's bounds stand
        return None


class TeamLp(Ties, Aims):
    """One LP, built once and grown by pricing; ``coverage`` maximises required posts filled
    (no points) instead of the soft points at ``target`` posts."""

    def __init__(self, rel: Relaxation, tuning: Tuning, coverage: bool,
                 target: int | None = None, deadline: float | None = None,
                 classes: dict[str, int] | None = None,
                 sends: Iterable[str] = (),
                 hint: Iterable[tuple[str, str, bool]] = (),
                 only: str | None = None) -> None:  # fmt: skip
        """``deadline`` (``time.monotonic()``): HiGHS stops there; the LP then has no bound.
        ``classes``: class → required posts (incumbents' included) a plan fills at least, so
        the soft bound is that of plans as good in every class, not only in total: a short
        plan cannot trade a costly post of one class for a cheap one of another
        (province-201 under hebei-2018, the plan's classes: 214,039 → 175,588).
        ``sends``: must-send units every plan posts someone from (U-PARTICIPATE).
        ``hint``: (unit, village, secretary?) pairs of a plan, among the first columns.
        ``only`` (with ``coverage``): count this class's posts alone, the others at least
        ``classes`` (a lexicographic bound: :class:`~optimizer.scale.lpbounds.LpBounds`)."""
        self.tuning, self.deadline = tuning, deadline
        self.classes = {} if coverage and only is None else dict(classes or {})
        a: FlowArrays = rel.arrays
        self.inst, self.a, self.coverage, self.flow_bound = rel.inst, a, coverage, rel.bound
        self.counted = np.array([only in (None, rel.inst.cls[v]) for v in a.vids], dtype=bool)
        self.nv, self.npair, self.nc, self.nu = len(a.vids), len(a.pu), len(a.cad_unit), a.n_units
        self.pcost, self.mem_pts, self.sec_cost = a.pcost, a.mem_pts, a.sec_cost
        if coverage:  # one per filled post, no points
            self.pcost, self.mem_pts = np.zeros(self.npair), np.zeros(self.nc)
            self.sec_cost = np.zeros(int(np.count_nonzero(a.cad_sec)))
        self.target = rel.max_posts if target is None else target
        inst = self.inst
        self.uids = sorted(u for u in inst.eligible if inst.eligible[u])
        self.uix = {u: i for i, u in enumerate(self.uids)}
        self.lead_mode = inst.policy.members_from == "lead_unit"
        self.key = a.pu.astype(np.int64) * self.nv + a.pv
        self.ties()
        self.starting_columns(hint)
        self.sec_idx = np.nonzero(a.cad_sec)[0]
        self.allow = allowed_people(self)
        for i, (people, _) in self.allow.items():
            if not len(people):
                self.ub_pair[i] = 0
        self.rows()
        self.col_lb: dict[int, float] = {}  # columns with a lower bound other than 0
        self.fixed_columns()
        self.col_of = np.full(self.npair, -1, dtype=np.int64)
        self.p_role_row = np.where(a.ps, self.r_vs + a.pv, self.r_vm + a.pv)
        self.p_eq_row = np.where(a.ps, self.r_eq + a.pu, self.r_eq + self.nu + a.pu)
        self.n_link = 0  # rows added after the first n_rows: T-UNIT links and people rows
        self.link_row: list[bool] = []  # which of them are links (≤ 0; the others are = 0)
        self.own_pairs = np.array(sorted(self.allow), dtype=np.int64)
        self.free_rows = np.zeros(0, dtype=np.int64)  # equality rows: their duals unclipped
        self.row_hi_at: dict[int, float] = {}  # rows added later whose upper bound is not 0
        participation_rows(self, sends)  # count LPs pass none
        cover_rows(self)
        self.add_pairs(np.nonzero(self.keep)[0])
        pin_requires(self)  # counts too: a realistic city under hebei-2018, exited 2,603 → 2,585
        self.best = math.nan  # the best round's bound so far (:meth:`keep_best`)

    def starting_columns(self, hint: Iterable[tuple[str, str, bool]]) -> None:
        """The pairs in the first LP: every pair of county and township units, the pairs the
        flow used, each province/city unit's cheapest whole teams (secretary + members at
        one village) and the ``hint`` plan's pairs — with them the first LP fills the plan's
        posts without its slack, so its duals price in useful columns (province-201 under
        hunan-2021, the greedy plan's pairs: 131 → 108 s)."""
        a, pu, ps = self.a, self.a.pu, self.a.ps
        keep = ~self.wide[pu] | self.small[pu] | a.pair_used
        vix = {v: i for i, v in enumerate(a.vids)}
        code = [(self.uix[u] * self.nv + vix[v]) * 2 + int(s)
                for u, v, s in hint if u in self.uix and v in vix]  # fmt: skip
        keep |= np.isin(self.key * 2 + ps, np.array(code, dtype=np.int64))
        n_sec = np.bincount(a.cad_unit[a.cad_sec], minlength=self.nu)
        sel = np.nonzero(self.wide[pu] & ~self.small[pu] & ps)[0]
        if len(sel):
            team = self.pcost[sel].astype(float)
            mates = np.nonzero((~ps) & (self.sec_of >= 0))[0]
            add = np.zeros(self.npair)
            add[self.sec_of[mates]] = self.pcost[mates] * a.room[a.pv[mates], 1]
            team = team + add[sel]
            o = sel[np.lexsort((team, pu[sel]))]
            first = np.searchsorted(pu[o], pu[o], side="left")
            keep[o[np.arange(len(o)) - first < 3 * n_sec[pu[o]] + 10]] = True
        keep &= self.ub_pair > 0
        self.keep = self.close(keep)

    def close(self, mask: np.ndarray) -> np.ndarray:
        """A kept member pair keeps its own secretary pair, and the other way round."""
        ps, sec_of = self.a.ps, self.sec_of
        m2 = mask.copy()
        has = (~ps) & (sec_of >= 0)
        m2[sec_of[has & mask]] = True
        mates = np.nonzero(has & ~mask & (self.ub_pair > 0))[0]
        m2[mates[m2[sec_of[mates]]]] = True
        for i, leads in self.links.items():
            if m2[i]:
                m2[leads] = True
        return m2

    def rows(self) -> None:
        """Rows: village sec (nv) | village mem (nv) | filled (nv) | T-SEC (nv) | cadre (nc) |
        coverage (1) | unit balance sec (nu), mem (nu) | then linking rows as pairs enter."""
        a, nv, nc, inst = self.a, self.nv, self.nc, self.inst
        self.r_vs, self.r_vm, self.r_f, self.r_ts, self.r_c = 0, nv, 2 * nv, 3 * nv, 4 * nv
        self.r_cov = self.r_c + nc
        names = sorted(self.classes)
        self.cls_of = np.array([names.index(inst.cls[v]) if inst.cls[v] in self.classes else -1
                                for v in a.vids], dtype=np.int64)  # fmt: skip
        self.r_cls = self.r_cov + 1  # one row per class in ``classes``: filled ≥ its count
        self.r_eq = self.r_cls + len(names)
        self.n_rows = self.r_eq + 2 * self.nu
        inc = np.array([min(inst.need[v].min, len(inst.inc_by_village.get(v, [])))
                        for v in a.vids], dtype=float)  # fmt: skip
        self.inc, self.inc_filled = inc, int(inc[self.counted].sum())
        mine = self.cls_of >= 0
        cls_inc = np.bincount(self.cls_of[mine], weights=inc[mine], minlength=len(names))
        cls_hi = -(np.array([self.classes[c] for c in names], dtype=float) - cls_inc)
        # T-SEC: members count only where a first secretary stands (filled ≤ min − 1 + sec)
        ts_hi = np.where(a.room[:, 0] > 0, np.maximum(a.required, 0) - 1, np.inf)
        cov_hi = np.inf if self.coverage else -(self.target - self.inc_filled)
        self.row_hi = np.concatenate([a.room[:, 0], a.room[:, 1], np.zeros(nv), ts_hi,
                                      np.ones(nc), [cov_hi], cls_hi,
                                      np.zeros(2 * self.nu)]).astype(float)  # fmt: skip
        row_lo = np.concatenate([np.full(self.r_eq, -np.inf), np.zeros(2 * self.nu)])
        self.highspy = highs()
        self.h = self.highspy._Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("random_seed", 0)
        self.h.addRows(self.n_rows, row_lo, self.row_hi, 0, np.zeros(0, np.int32),
                       np.zeros(0, np.int32), np.zeros(0))  # fmt: skip
        self.entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (row, col, value)
        self.costs: list[np.ndarray] = []
        self.ubs: list[np.ndarray] = []
        self.n_cols = 0

    def add_cols(self, cost, ub, rows_per_col: list[np.ndarray], vals_per_col: list[np.ndarray]):
        k = len(cost)
        starts = np.zeros(k, dtype=np.int32)
        lens = np.array([len(r) for r in rows_per_col], dtype=np.int32)
        starts[1:] = np.cumsum(lens)[:-1]
        idx = np.concatenate(rows_per_col).astype(np.int32) if k else np.zeros(0, np.int32)
        val = np.concatenate(vals_per_col).astype(float) if k else np.zeros(0)
        self.h.addCols(k, np.asarray(cost, float), np.zeros(k), np.asarray(ub, float), len(idx),
                       starts, idx, val)  # fmt: skip
        self.entries.append((idx, np.repeat(np.arange(self.n_cols, self.n_cols + k), lens), val))
        self.costs.append(np.asarray(cost, float))
        self.ubs.append(np.asarray(ub, float))
        self.n_cols += k

    def fixed_columns(self) -> None:
        """x_mem (nc) | x_sec (ns) | filled (nv) | cover (ncov) | slack (1)."""
        a, nc, nv, nu = self.a, self.nc, self.nv, self.nu
        cov = np.asarray(a.cov, dtype=np.int64)
        ns, ncov, pair = len(self.sec_idx), len(cov), [np.array([1.0, -1.0])]
        other_cost = np.concatenate([-self.mem_pts, np.asarray(self.sec_cost, float),
                                     np.zeros(nv + ncov)])  # fmt: skip
        self.add_cols(-self.mem_pts, np.ones(nc),
                      [np.array([self.r_c + i, self.r_eq + nu + a.cad_unit[i]]) for i in range(nc)],
                      pair * nc)  # fmt: skip
        self.add_cols(np.asarray(self.sec_cost, float), np.ones(ns),
                      [np.array([self.r_c + i, self.r_eq + a.cad_unit[i]]) for i in self.sec_idx],
                      pair * ns)  # fmt: skip
        cls_row = [[] if k < 0 else [self.r_cls + k] for k in self.cls_of.tolist()]
        self.filled_at, self.filled_block = self.n_cols, len(self.costs)  # (lpaim)
        self.add_cols(-(self.counted & self.coverage).astype(float), np.maximum(a.required, 0),
                      [np.array([self.r_f + v, self.r_ts + v, self.r_cov, *cls_row[v]])
                       for v in range(nv)],
                      [np.array([1.0, 1.0, -1.0] + [-1.0] * len(cls_row[v])) for v in range(nv)])  # fmt: skip
        # T-SEC: where incumbent members fill the minimum and no secretary serves, a plan
        # sending none loses one of their posts (filled −1 below the incumbents' count)
        for v in np.nonzero((a.room[:, 0] > 0) & (a.required <= 0))[0]:
            self.col_lb[self.n_cols - nv + int(v)] = -1.0
            self.h.changeColBounds(self.n_cols - nv + int(v), -1.0, 0.0)
        self.add_cols(np.zeros(ncov), np.maximum(a.required[cov], 0),
                      [np.array([self.r_f + v, self.r_ts + v]) for v in cov], [-np.ones(2)] * ncov)  # fmt: skip
        # a costly slack on the coverage row keeps each restricted LP feasible; its dual then
        # prices in the columns coverage needs (the bound never counts the slack)
        self.big = 10.0 * (float(np.abs(self.pcost).max(initial=0))
                           + float(np.abs(other_cost).max(initial=0))) + 1e3  # fmt: skip
        self.slack_col = self.n_cols
        self.slacks = [self.slack_col]  # columns the bound leaves out (the LP has no slack)
        slack_rows = np.arange(self.r_cov, self.r_eq)  # coverage and class rows
        self.add_cols([self.big], [np.inf], [slack_rows], [-np.ones(len(slack_rows))])

    def add_pairs(self, idx: np.ndarray) -> None:
        """Columns for these pairs, with their people rows (H-NOREPEAT) and T-UNIT links."""
        idx = idx[self.col_of[idx] < 0]
        if not len(idx):
            return
        eq_row = {int(i): int(self.p_eq_row[i]) for i in idx}
        own = [int(i) for i in idx if int(i) in self.allow]
        if own:  # one balance row per such pair: its posts = its explicit people
            k = len(own)
            self.h.addRows(k, np.zeros(k), np.zeros(k), 0, np.zeros(0, np.int32),
                           np.zeros(0, np.int32), np.zeros(0))  # fmt: skip
            for n, i in enumerate(own):
                eq_row[i] = self.n_rows + self.n_link + n
            self.n_link += k
            self.link_row.extend([False] * k)
        self.col_of[idx] = self.n_cols + np.arange(len(idx))
        rows_, vals_ = zip(*(self.pair_column(int(i), eq_row[int(i)]) for i in idx), strict=True)
        self.add_cols(self.pcost[idx], self.ub_pair[idx], list(rows_), list(vals_))
        for i in own:
            people, cost = self.allow[i]
            part = participation_of(self, i)
            if len(people):
                self.add_cols(cost, np.ones(len(people)),
                              [np.array([self.r_c + c, eq_row[i], *part]) for c in people],
                              [np.array([1.0, -1.0] + [-1.0] * len(part))] * len(people))  # fmt: skip
        if self.lead_mode:
            self.add_links(idx)

    def pair_column(self, i: int, eq: int) -> tuple[np.ndarray, np.ndarray]:
        """Pair ``i``'s rows and coefficients: its village's role and filled rows, its
        balance row ``eq``, and T-SEC for a secretary pair."""
        a = self.a
        if a.ps[i]:  # with its village's C-CLUSTER rows (:mod:`optimizer.scale.lpcover`)
            more = self.cover_at.get(int(a.pv[i]), [])
            return np.array([self.p_role_row[i], self.r_f + a.pv[i], eq, self.r_ts + a.pv[i],
                             *(r for r, _ in more)]), \
                np.array([1.0, -1.0, 1.0, -1.0, *(c for _, c in more)])  # fmt: skip
        return np.array([self.p_role_row[i], self.r_f + a.pv[i], eq]), np.array([1.0, -1.0, 1.0])

    def solve(self, cancel: threading.Event | None = None,
              retarget: Callable[[], int] | None = None) -> float:  # fmt: skip
        """Pricing rounds until no column prices out; then the Lagrangian bound. Cut short
        (cancelled, out of time, out of rounds) it is the best round's bound, NaN before the
        first; NaN too when the LP cannot fill ``target`` posts and ``retarget`` gives none."""
        while True:
            for _ in range(self.tuning.pricing_rounds):
                if (cancel is not None and cancel.is_set()) or not self.clock():
                    return self.best
                failed = self.run()
                if failed is not None:
                    return failed if math.isnan(self.best) else self.best
                bound_min, grow = self.price()
                self.keep_best(bound_min)
                if grow is None:
                    break
                self.add_pairs(np.nonzero(grow)[0])
            if self.coverage or retarget is None or not self.short():
                break
            # the LP cannot fill ``target`` posts: re-solve warm for as many as it can
            new, retarget = retarget(), None
            if new >= self.target:
                break
            self.aim(new)
        if not self.coverage and self.short():
            return float("nan")  # the LP cannot fill ``target`` posts: no bound for that many
        return self.best

    def keep_best(self, bound_min: float) -> None:
        """Every round's Lagrangian bound holds (any duals of the right signs, any columns
        left out): the best so far is kept, read from another thread while the LP goes on
        (province-201 under hunan-2021: within 0.1 % of its final soft bound after three of
        five rounds, 165 of 177 s). Coverage: posts filled, incumbents' included."""
        eps = 1e-6 if self.coverage else 1e-6 * max(1.0, abs(bound_min))
        got = float(np.floor(-bound_min + eps)) + (self.inc_filled if self.coverage else 1)
        if not got >= self.best:  # NaN before the first round
            self.best = got

    def run(self) -> float | None:
        """One HiGHS solve: None when optimal, else what :meth:`solve` returns (NaN out of
        time; the flow's bound if HiGHS failed). The count's re-solves run primal simplex:
        after pricing its basis stays primal feasible, and dual simplex on that degenerate
        LP took 8–130 s where primal takes 0.0–0.3 (city-201 under hunan-2021: the count
        148 → 19 s). Not the first solve, nor the soft LP's (slower there)."""
        self.h.run()
        if self.coverage:
            self.h.setOptionValue("simplex_strategy", 4)
        status = self.h.getModelStatus()
        if status == self.highspy.HighsModelStatus.kTimeLimit:
            return float("nan")
        return None if status == self.highspy.HighsModelStatus.kOptimal else self.flow_bound

    def clock(self) -> bool:
        """Whether time is left before ``deadline``; HiGHS is told how much (an LP still
        running after a solve would slow the writing of its plan: province-201 under
        hebei-2018, 26 s over a 300 s limit)."""
        if self.deadline is None:
            return True
        left = self.deadline - time.monotonic()
        if left <= 0:
            return False
        # HiGHS counts its limit on the run time of all this model's solves so far
        self.h.setOptionValue("time_limit", float(self.h.getRunTime()) + left)
        return True

    def short(self) -> bool:
        return self.h.getSolution().col_value[self.slack_col] > 1e-6

    def duals(self) -> tuple[np.ndarray, np.ndarray]:
        """The last solve's row duals, each of a sign its row allows (a Lagrangian bound
        holds for any such), and the row bounds they multiply (0 where the dual is 0)."""
        y = np.asarray(self.h.getSolution().row_dual, dtype=float)
        hi = np.concatenate([self.row_hi, np.zeros(self.n_link)])
        hi[list(self.row_hi_at)] = list(self.row_hi_at.values())
        free = y[self.free_rows]
        y[: self.r_eq] = np.minimum(y[: self.r_eq], 0.0)
        y[self.free_rows] = free
        y[np.isinf(hi)] = 0.0  # a row with no upper bound never binds
        hi = np.where(np.isinf(hi), 0.0, hi)
        links_ = self.n_rows + np.nonzero(np.array(self.link_row, dtype=bool))[0]
        y[links_] = np.minimum(y[links_], 0.0)
        return y, hi

    def matrix(self):
        """The LP's columns so far as one sparse matrix (rows × columns)."""
        rr, cc, vv = (np.concatenate(x) for x in zip(*self.entries, strict=True))
        return import_module("scipy.sparse").csc_matrix(
            (vv, (rr, cc)), shape=(self.n_rows + self.n_link, self.n_cols)
        )

    def price(self) -> tuple[float, np.ndarray | None]:
        """The Lagrangian bound of this round and the pairs to add (None: none prices out)."""
        y, hi = self.duals()
        c, ub = np.concatenate(self.costs), np.concatenate(self.ubs)
        r = c - self.matrix().T @ y
        r[self.slacks], ub[self.slacks] = 0.0, 0.0
        inside = float(y @ hi) + float(np.minimum(0.0, r) @ ub)
        inside += sum(max(0.0, float(r[col])) * lo for col, lo in self.col_lb.items())
        rest, rp = self.rest_prices(y)
        bad = rp < -1e-7
        bound_min = inside + float(np.minimum(0.0, rp) @ self.ub_pair[rest])
        if not bad.any():
            return bound_min, None
        grow = np.zeros(self.npair, dtype=bool)
        if bad.sum() > self.tuning.price_in:  # the most negative reduced costs first
            grow[rest[np.argsort(rp, kind="stable")[: self.tuning.price_in]]] = True
        else:
            grow[rest[bad]] = True
        return bound_min, self.close(grow | (self.col_of >= 0)) & (self.col_of < 0)

    def rest_prices(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pairs left out of the LP and, for each, a lower bound on its reduced cost at
        the duals ``y`` (:meth:`duals`; its linking rows absent, their duals 0)."""
        a = self.a
        rest = np.nonzero((self.col_of < 0) & (self.ub_pair > 0))[0]
        # a pair with its own people row: its dual is free, and setting it to the best
        # person's reduced cost prices it as "pair + its best person", every person ≥ 0
        eq_dual = y[self.p_eq_row[rest]]
        y_part = np.append(y, 0.0)  # the U-PARTICIPATE dual its people count in, or 0
        for n in np.nonzero(np.isin(rest, self.own_pairs))[0]:
            people, cost = self.allow[int(rest[n])]
            row = (participation_of(self, int(rest[n])) or [-1])[0]
            at = cost - y[self.r_c + people] + y_part[row]
            eq_dual[n] = -float(np.min(at)) if len(people) else 0.0
        rp = self.pcost[rest] - y[self.p_role_row[rest]] - eq_dual + y[self.r_f + a.pv[rest]] \
            + np.where(a.ps[rest], y[self.r_ts + a.pv[rest]] + cover_prices(self, y)[a.pv[rest]],
                       0.0)  # fmt: skip
        joint = self.joint_of[rest]  # a partner whose group's J-JOINT row is in already
        rp[joint >= 0] -= y[joint[joint >= 0]]
        return rest, rp
