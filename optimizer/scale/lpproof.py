"""Posts proven by the team LP as an integer program with every pair: when the LP's class
count leaves a class in doubt, no integer solution fills more of it.

The coverage LP (:mod:`optimizer.scale.lp`) holds for every plan, and so does its integer
program over all its pairs: if that program cannot fill one more post of a class than the
plan while filling at least the plan's posts in every class before it, the plan's count is
the most (SPEC §3's order). HiGHS is told the plan's count as its objective bound, so it
only has to show that nothing beats it: on city-201 under hebei-2018 the LP's count left
`exited` 1,999 against 2,001 and the program proved 1,999 at its root node in 7 s; city-202,
2,016 against 2,018, in 19 s.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable

import numpy as np

from optimizer.model.params import Tuning
from optimizer.scale.blockserve import solve_one
from optimizer.scale.flow import Relaxation
from optimizer.scale.lp import TeamLp, highs
from optimizer.scale.lpmip import job
from optimizer.scale.parts import plan_counts


def prove_counts(rel: Relaxation, tuning: Tuning, order: list[str], reached: dict[str, int],
                 doubt: Iterable[str], sends: Iterable[str], deadline: float | None,
                 cancel: threading.Event | None = None) -> dict[str, int]:  # fmt: skip
    """Class → the most posts of it, proven, for the classes in ``doubt`` (in ``order``):
    the plan's ``reached`` count, where neither the LP nor its integer program with every
    pair fills more while filling at least ``reached`` of every class before. The classes
    after one not proven are not tried (their proof would assume what is in doubt)."""
    if rel.arrays is None or highs() is None:
        return {}
    doubt, out, lp = set(doubt), {}, None
    for n, c in enumerate(order):
        if c not in doubt:
            continue
        if (cancel is not None and cancel.is_set()) or past(deadline):
            break
        before = {b: reached.get(b, 0) for b in order[:n]}
        if lp is None:
            lp = TeamLp(rel, tuning, True, deadline=deadline, classes=dict.fromkeys(order, 0),
                        only=c, sends=sends)  # fmt: skip
        lp.count_only(c, before)
        if not math.isnan(got := lp.solve(cancel=cancel)) and int(got) <= reached.get(c, 0):
            out[c] = reached.get(c, 0)  # the LP alone
            continue
        if not beaten(lp, reached.get(c, 0), deadline, cancel):
            break
        out[c] = reached.get(c, 0)
    return out


def beaten(lp: TeamLp, count: int, deadline: float | None, cancel) -> bool:
    """Whether the integer program over every pair is shown to fill no more than ``count``
    posts of the LP's counted class (False: a solution filling more, or no answer in time)."""
    lp.add_pairs(np.nonzero((lp.col_of < 0) & (lp.ub_pair > 0))[0])
    # anything at or above the plan's count is cut off: no solution left is the proof
    x, proven = solve_one((*job(lp, deadline), -(count - lp.inc_filled) - 0.5), deadline,
                          cancel)  # fmt: skip
    return x is None and proven


def past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


class CountProof:
    """:func:`prove_counts` on a thread beside the phases after the coverage round, for the
    plan's counts then (``reached``); :meth:`bound` says which proofs hold for the final plan."""

    def __init__(self, dec, reached: dict[str, int], doubt: list[str]) -> None:
        self.reached, self.order = dict(reached), list(dec.lp.order)
        self.cancel = threading.Event()
        self.proven: dict[str, int] = {}
        args = (dec.rel, dec.tuning, self.order, self.reached, doubt, dec.floor.sends(),
                dec.outer.deadline, self.cancel)  # fmt: skip
        self.thread = threading.Thread(target=self.work, args=args, daemon=True,
                                       name="zhucun-count-proof")  # fmt: skip
        self.thread.start()

    def work(self, *args) -> None:
        self.proven = prove_counts(*args)

    def bound(self, got: dict[str, int], seconds: float) -> dict[str, int]:
        """Class → its proven most posts, after up to ``seconds`` more for the proof (then
        stopped), for a plan filling ``got``: those whose proof assumed no more of the classes
        before than ``got`` fills."""
        self.thread.join(max(0.0, seconds))
        self.cancel.set()
        out, proven = {}, dict(self.proven)
        for n, c in enumerate(self.order):
            if any(got.get(b, 0) < self.reached.get(b, 0) for b in self.order[:n]):
                break
            if c in proven:
                out[c] = proven[c]
        return out


def start_proof(dec, got: dict[str, int] | None = None) -> CountProof | None:
    """The proof beside the phases after the coverage program of a
    :class:`~optimizer.scale.decompose.Decomposition`, below ``tuning.mip_villages`` villages,
    for ``got`` (the program's counts; default the parts' plan's), of the classes it may leave
    in doubt: fewer posts than the flow's count of the class and than the most posts less
    the plan's in the classes before."""
    if len(dec.inst.need) >= dec.tuning.mip_villages or dec.budget.over(5.0):
        return None
    got = dict(plan_counts(dec.results)) if got is None else got
    most = min(dec.posts_bound, dec.lp.posts_now() or dec.posts_bound)
    doubt, before = [], 0
    for c in dec.lp.order:
        if got.get(c, 0) < min(dec.class_bound.get(c, 0), most - before):
            doubt.append(c)
        before += got.get(c, 0)
    return CountProof(dec, got, doubt) if doubt else None


__all__ = ["CountProof", "prove_counts", "start_proof"]
