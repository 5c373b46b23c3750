"""Where the province and city people go, by the team LP solved as an integer program.

The county parts fill posts in SPEC §3's order county by county, but which county gets a
province or city unit's people is decided before them (the greedy plan, the flow) and moved
only pair by pair after. The coverage LP (:mod:`optimizer.scale.lp`) with every class
weighted above the next, with its require pins and U-PARTICIPATE rows, solved as an integer
program over the columns its pricing kept, says how many of each unit's people each county
should get; the county parts solved exactly with those people then fill what it fills.
Measured on city-201 under hebei-2018: the integer program in 11 s, and the parts on its
people filled weak 314, key 908 (the LP's bound: proven), relocation 314, exited 1,999,
against 314 / 903 / 314 / 2,002 by the greedy plan's people and the county pairs.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from optimizer.model.lexorder import lex_group, lex_weights
from optimizer.model.params import Tuning
from optimizer.scale.blockserve import solve_one
from optimizer.scale.flow import Relaxation
from optimizer.scale.lp import TeamLp, highs


@dataclass
class Program:
    """The coverage program's best integer solution: ``people`` (province/city cadre →
    county), whether ``optimal``, and the required posts it fills per class (``counts``,
    incumbents' included)."""

    people: dict[str, str]
    optimal: bool
    counts: dict[str, int]


def coverage_people(rel: Relaxation, tuning: Tuning, order: list[str], sends: Iterable[str],
                    deadline: float | None,
                    cancel: threading.Event | None = None) -> Program | None:  # fmt: skip
    """The coverage program's best integer solution by ``deadline``; None without HiGHS, the
    flow's arrays, or a solution in time, or once ``cancel`` is set."""
    if rel.arrays is None or highs() is None or not order:
        return None
    lp = TeamLp(rel, tuning, True, deadline=deadline, classes=dict.fromkeys(order, 0),
                only=order[0], sends=sends)  # fmt: skip
    weigh(lp, order)
    lp.solve(cancel=cancel)
    if (
        (cancel is not None and cancel.is_set())
        or lp.h.getModelStatus() != lp.highspy.HighsModelStatus.kOptimal
        or lp.short()
    ):
        return None
    x, optimal = solve_one(job(lp, deadline), deadline, cancel)
    return None if x is None else Program(people(lp, x), optimal, counts(lp, x))


def counts(lp: TeamLp, x: np.ndarray) -> dict[str, int]:
    """Required posts per class the solution ``x`` fills: its class rows' activity (filled
    posts, less those T-SEC takes) and the incumbents'."""
    names = sorted(lp.classes)
    act = lp.matrix()[lp.r_cls : lp.r_cls + len(names)] @ x
    mine = lp.cls_of >= 0
    inc = np.bincount(lp.cls_of[mine], weights=lp.inc[mine], minlength=len(names))
    return {c: round(float(inc[j] - act[j])) for j, c in enumerate(names)}


def weigh(lp: TeamLp, order: list[str]) -> None:
    """Each class's filled posts worth more than every post of the classes after it (as many
    classes as one objective holds: :func:`~optimizer.model.lexorder.lex_group`)."""
    cls = [lp.inst.cls[v] for v in lp.a.vids]
    need: Counter[str] = Counter()
    for n, k in zip(np.maximum(lp.a.required, 0).tolist(), cls, strict=True):
        need[k] += int(n)
    weight = lex_weights(lex_group(order, need), need)
    cost = -np.array([float(weight.get(k, 0)) for k in cls])
    cols = np.arange(lp.filled_at, lp.filled_at + lp.nv, dtype=np.int32)
    lp.h.changeColsCost(len(cols), cols, cost)
    lp.costs[lp.filled_block] = cost


def job(lp: TeamLp, deadline: float | None) -> tuple:
    """The LP's model so far as an integer program (its slacks continuous, held at 0) for
    :func:`~optimizer.scale.blockserve.solve_one`."""
    m = lp.h.getLp()
    a = m.a_matrix_
    up = np.asarray(m.col_upper_, float).copy()
    up[lp.slacks] = 0.0
    integer = np.ones(m.num_col_, dtype=np.uint8)
    integer[lp.slacks] = 0
    # the child's start (its imports, the model) comes off: its answer is due by the deadline
    seconds = 1e9 if deadline is None else max(0.5, deadline - time.monotonic() - 1.5)
    return (np.asarray(m.row_lower_, float), np.asarray(m.row_upper_, float),
            np.asarray(m.col_cost_, float), np.asarray(m.col_lower_, float), up,
            np.asarray(a.start_, np.int32)[:-1], np.asarray(a.index_, np.int32),
            np.asarray(a.value_, float), seconds, integer)  # fmt: skip


def people(lp: TeamLp, x: np.ndarray) -> dict[str, str]:
    """The wide units' cadres the solution ``x`` posts → their county: the named people of
    pairs where some are barred, require-pinned people at their pin's county, then each
    unit's pooled posts per county and role dealt to the people it uses, secretaries first."""
    inst, a = lp.inst, lp.a
    ids = [c for u in lp.uids for c in inst.eligible[u]]
    county = [inst.ds.villages[v].county for v in a.vids]
    out, slots = named(lp, x, ids, county)
    want: dict[int, Counter] = defaultdict(Counter)  # unit → (county, secretary?) → posts
    for i in np.nonzero((lp.col_of >= 0) & lp.wide[a.pu])[0]:
        n = round(float(x[lp.col_of[i]]))
        if n > 0 and int(i) not in lp.allow:
            want[int(a.pu[i])][(county[a.pv[i]], bool(a.ps[i]))] += n
    sec_col = {int(c): lp.nc + n for n, c in enumerate(lp.sec_idx)}
    freed = pin_people(lp, x, ids, out, slots, want, sec_col)
    for u, posts in sorted(want.items()):
        mine = [i for i in np.nonzero(a.cad_unit == u)[0].tolist() if ids[i] not in out]
        for (k, sec), n in sorted(posts.items(), key=lambda t: (not t[0][1], t[0][0])):
            pool = [i for i in mine if i in sec_col] if sec else mine
            # those the solution posts from the pool first, then any freed by a pin
            pool.sort(key=lambda i: (-x[sec_col[i]] if sec else -x[i], i not in freed))
            for i in [i for i in pool if ids[i] not in out][: max(0, n)]:
                out[ids[i]] = k
    return out


def pin_people(lp: TeamLp, x: np.ndarray, ids: list[str], out: dict[str, str],
               slots: dict[tuple[int, int, bool], list[int]], want: dict[int, Counter],
               sec_col: dict[int, int]) -> set[int]:  # fmt: skip
    """P-PIN: the LP posts a require-pinned cadre and one posting of the pin's pair, not
    necessarily the one by the other. The pinned cadre goes to the pin's county and takes the
    pin's posting: a pooled one there (one fewer to deal), else the named one there, whose
    cadre goes back to the pool (returned: dealt first among those it did not post)."""
    inst, a = lp.inst, lp.a
    cix = {c: i for i, c in enumerate(ids)}
    vix = {v: n for n, v in enumerate(a.vids)}
    freed: set[int] = set()
    for pin in inst.ds.pins:
        i = cix.get(pin.cadre_id)
        if pin.kind != "require" or i is None or pin.village_id not in vix or ids[i] in out:
            continue  # not a wide unit's, or named at its pin already (the LP allows no other)
        u = int(a.cad_unit[i])
        if not lp.wide[u]:
            continue
        k = inst.ds.villages[pin.village_id].county
        sec = pin.role == "secretary" or (pin.role is None and x[sec_col.get(i, 0)] > 0.5
                                          and i in sec_col)  # fmt: skip
        named_there = slots.get((u, vix[pin.village_id], sec), [])
        if want[u][(k, sec)] > 0 or not named_there:
            want[u][(k, sec)] -= 1
        else:
            q = named_there.pop()
            del out[ids[q]]
            freed.add(q)
        out[ids[i]] = k
    return freed


def named(lp: TeamLp, x: np.ndarray, ids: list[str], county: list[str]):
    """The explicit (cadre, pair) columns the solution uses, for wide units' pairs: cadre →
    county, and (unit, village, secretary?) → the cadres named there."""
    out: dict[str, str] = {}
    slots: dict[tuple[int, int, bool], list[int]] = defaultdict(list)
    for j, c, i in explicit(lp):
        if x[j] > 0.5 and lp.wide[lp.a.pu[i]]:
            out[ids[c]] = county[lp.a.pv[i]]
            slots[(int(lp.a.pu[i]), int(lp.a.pv[i]), bool(lp.a.ps[i]))].append(c)
    return out, slots


def explicit(lp: TeamLp) -> list[tuple[int, int, int]]:
    """The LP's (cadre, pair) columns — pairs where some of the unit's people are barred —
    as (column, cadre index, pair)."""
    m = lp.matrix().tocsc()
    pair_of_row: dict[int, int] = {}
    for i in np.nonzero(lp.col_of >= 0)[0]:
        j = int(lp.col_of[i])
        for r in m.indices[m.indptr[j] : m.indptr[j + 1]]:
            if r >= lp.n_rows:  # its balance row: posts = its named people
                pair_of_row[int(r)] = int(i)
    pairs = set(lp.col_of[lp.col_of >= 0].tolist())
    out = []
    for j in range(lp.nc + len(lp.sec_idx), lp.n_cols):
        if j in pairs:
            continue
        rows = m.indices[m.indptr[j] : m.indptr[j + 1]]
        cad = [int(r) - lp.r_c for r in rows if lp.r_c <= r < lp.r_c + lp.nc]
        pair = [pair_of_row[int(r)] for r in rows if int(r) in pair_of_row]
        if cad and pair:
            out.append((j, cad[0], pair[0]))
    return out


__all__ = ["Program", "coverage_people"]
