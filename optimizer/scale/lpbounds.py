"""The LP's bounds (:mod:`optimizer.scale.lp`): most required posts, the soft bound for a
coverage, and the thread that computes them beside the improvement phases of a decomposed
solve."""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterable

from optimizer.model.params import Tuning
from optimizer.scale.flow import Relaxation
from optimizer.scale.lp import TeamLp, highs
from optimizer.scale.lpblocks import block_bound

DEFAULT = Tuning()


def team_lp(rel: Relaxation, tuning: Tuning, coverage: bool, target: int | None = None,
            deadline: float | None = None,
            classes: dict[str, int] | None = None,
            sends: Iterable[str] = (),
            hint: Iterable[tuple[str, str, bool]] = (),
            only: str | None = None) -> TeamLp | None:  # fmt: skip
    """The LP, or None without the flow's arrays or HiGHS (the flow's bounds stand then)."""
    if rel.arrays is None or highs() is None:
        return None
    return TeamLp(rel, tuning, coverage, target, deadline, classes, sends, hint, only)


def lp_bound(
    rel: Relaxation,
    target: int | None = None,
    retarget: Callable[[], int] | None = None,
    tuning: Tuning = DEFAULT,
    deadline: float | None = None,
    classes: dict[str, int] | None = None,
    sends: Iterable[str] = (),
) -> float:
    """The LP bound on the soft points of plans filling at least ``target`` required posts
    (default ``rel.max_posts``) and, given ``classes``, at least as many of each class;
    ``sends``: must-send units those plans post someone from (U-PARTICIPATE). NaN when the LP itself cannot fill ``target`` posts — unless
    ``retarget`` gives a smaller count: the same model is then re-solved warm for that many
    (one cold solve instead of two). Cut short by ``deadline``: its best round's bound (NaN
    before the first)."""
    lp = team_lp(rel, tuning, False, target, deadline, classes, sends)
    return rel.bound if lp is None else lp.solve(retarget=retarget)


def lp_max_posts(
    rel: Relaxation,
    cancel: threading.Event | None = None,
    tuning: Tuning = DEFAULT,
    deadline: float | None = None,
) -> int:
    """The most required posts the LP (T-UNIT's tie and T-SEC added) can fill: a proof that
    a plan filling that many fills every fillable post. ``cancel`` stops it between pricing
    rounds (its best round's count then, else the flow's)."""
    lp = team_lp(rel, tuning, True, deadline=deadline)
    return rel.max_posts if lp is None else posts_of(rel, lp.solve(cancel=cancel))


def lp_class_posts(rel: Relaxation, only: str, before: dict[str, int] | None = None,
                   tuning: Tuning = DEFAULT, deadline: float | None = None) -> float:  # fmt: skip
    """The most required posts of class ``only`` (incumbents' included) the LP fills while
    filling at least ``before`` of the classes there: a bound on that class for every plan
    as good in those (SPEC §3's order). NaN without HiGHS or before the first round."""
    lp = team_lp(rel, tuning, True, deadline=deadline, classes=before, only=only)
    return math.nan if lp is None else lp.solve()


def posts_of(rel: Relaxation, got: float) -> int:
    return rel.max_posts if math.isnan(got) else min(rel.max_posts, int(got))


LP_THREAD = "zhucun-lp-bounds"
# the county blocks' memory per LP column, theirs and the pairs they add (measured: province-201
# under central-2021 +320 MB for ~0.9 M, under hebei-2018 +200 MB for 0.4 M), with a margin
BLOCK_BYTES_PER_COLUMN = 600


def rss_mb() -> float:
    """This process's resident memory now (MB); 0 where the system does not say."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


LATE_LP = "decomposition: the LP bound was not ready in time; the soft gap is to the flow bound"
PARTIAL_LP = (
    "decomposition: the LP bound is its best pricing round's so far "
    "(column generation not finished in time)"
)


class LpBounds:
    """The LP relaxation (T-UNIT's tie and T-SEC added) on a background thread: the soft
    bound of plans filling at least ``target`` required posts (the greedy plan's count: a
    merged plan filling as many is bounded by it) and, unless ``proven``, the most required
    posts. HiGHS releases the GIL; it is told ``deadline`` (the solve's), so the LP never
    runs on into the writing of the plan; the thread is a daemon besides."""

    def __init__(
        self,
        rel: Relaxation,
        tuning: Tuning,
        target: int,
        proven: bool,
        count_first: bool,
        deadline: float | None = None,
        classes: dict[str, int] | None = None,
        sends: Iterable[str] = (),
        hint: Iterable[tuple[str, str, bool]] = (),
        order: Iterable[str] = (),
        workers: int = 1,
    ) -> None:
        """``proven``: ``target`` is already the most posts (the flow's count, met by a plan);
        the LP's own count is then not needed (city-201: 7.5 of its 17.5 s). ``count_first``:
        the count before the soft bound (many posts in doubt: coverage comes first).
        ``classes``: posts of each class the soft bound's plans fill at least (the bound
        holds for a plan filling as many in every class). ``sends``: must-send units every
        plan posts someone from; ``hint``: (unit, village, secretary?) of the greedy plan's
        postings, among the soft LP's first columns. ``order``: the classes in priority
        order (:meth:`count_classes`). ``workers``: county blocks solved side by side
        (:meth:`tighten`)."""
        self.rel, self.tuning, self.target, self.workers = rel, tuning, target, workers
        self.order, self.doubt, self.reached = list(order), frozenset(), {}
        self.class_posts: dict[str, int] = {}
        self.settled = threading.Event()  # set by :meth:`settle`
        self.classes, self.sends, self.hint = dict(classes or {}), frozenset(sends), list(hint)
        self.posts: int | None = target if proven else None
        self.count_first, self.deadline = count_first, deadline
        self.bound = math.nan
        self.soft: TeamLp | None = None
        self.counting: TeamLp | None = None
        self.thread = threading.Thread(target=self.work, daemon=True, name=LP_THREAD)

    def start(self) -> None:
        self.thread.start()

    @staticmethod
    def running() -> bool:
        """Whether an abandoned LP is still solving (HiGHS's threads then outlive the
        interpreter's shutdown unless the process ends at once)."""
        return any(t.name == LP_THREAD and t.is_alive() for t in threading.enumerate())

    def wait(self, seconds: float) -> None:
        """Give a running LP up to ``seconds`` more (what is left of the time kept back for
        the end of a decomposed solve); an LP not started or done returns at once."""
        if seconds > 0 and self.thread.is_alive():
            self.thread.join(seconds)

    def work(self) -> None:
        if self.posts is None and self.count_first:
            self.posts = self.count()
        self.soft = team_lp(self.rel, self.tuning, False, self.target, self.deadline,
                            self.classes, self.sends, self.hint)  # fmt: skip
        self.bound = self.rel.bound if self.soft is None else self.soft.solve()
        if self.posts is None:
            self.posts = self.count()
        self.count_classes()

    def settle(self, reached: dict[str, int], doubt: Iterable[str]) -> None:
        """The plan's search is over: it fills ``reached`` posts of each class; ``doubt``: the
        classes whose posts it leaves in doubt. The per-class counts may start."""
        self.reached, self.doubt = dict(reached), frozenset(doubt)
        self.settled.set()

    def count_classes(self) -> None:
        """Per class in doubt, in priority order: the most posts of it an LP plan fills while
        filling at least the plan's count of every class before it — a bound on that class for
        every plan as good in the classes before (SPEC §3's order); 13.5 s for four classes
        on province-201 under hebei-2018, where it proves the plan's ``weak`` posts the most and
        leaves 24 ``key`` posts in doubt, not 222. Only once the plan's search is over
        (:meth:`settle`): beside it, on two cores, they slowed the clock-bound county pairs
        enough to lose a post (city-201 under hebei-2018)."""
        if not self.order:
            return
        left = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
        self.settled.wait(left)
        self.aim_soft()
        # the soft bound is the settled plan's now, the count done: their LPs freed before the
        # class counts' LP is built (province-201 under central-2021: 3.7 → 4.5 GB with three),
        # but for the county blocks after them, where memory allows
        done = self.settled.is_set() and self.covers(self.reached)
        blocks = done and self.blocks_fit()
        if done and not blocks:
            self.soft = None
        self.counting = None
        self.count_doubt()
        if blocks:
            self.tighten()
            self.soft = None

    def count_doubt(self) -> None:
        """:meth:`count_classes`' counts: one LP with every class's row, aimed at each class
        in doubt in turn."""
        lp = None
        for n, c in enumerate(self.order):
            if c not in self.doubt:
                continue
            if self.deadline is not None and time.monotonic() >= self.deadline:
                return
            before = {b: self.reached.get(b, 0) for b in self.order[:n]}
            if lp is None:
                lp = team_lp(self.rel, self.tuning, True, deadline=self.deadline,
                             classes=dict.fromkeys(self.order, 0), sends=self.sends,
                             only=c)  # fmt: skip
            if lp is None:
                return
            lp.count_only(c, before)
            got = lp.solve()
            if not math.isnan(got):
                self.class_posts[c] = int(got)

    def aim_soft(self) -> None:
        """The soft bound for the settled plan's counts, when the LP was set up for others
        (what :meth:`bound_for` would re-solve after the class counts had taken the time)."""
        if not self.settled.is_set() or self.soft is None or math.isnan(self.bound):
            return
        if not self.covers(self.reached):
            self.reaim(sum(self.reached.values()), self.reached)

    def blocks_fit(self) -> bool:
        """Whether the county blocks (:meth:`tighten`) may run: the soft LP done at the
        settled plan's counts, and the process under ``tuning.block_memory_mb`` with them
        and the class counts' LP (province-201 under central-2021 had gone 3.7 → 5.1 GB)."""
        return self.covers(self.reached) and self.blocks_ahead()

    def blocks_ahead(self) -> bool:
        """Whether the county blocks look set to run: the soft LP done, and the memory for
        them (:meth:`blocks_fit`, before the plan's counts are known)."""
        lp = self.soft
        if lp is None or math.isnan(self.bound):
            return False
        cols = lp.n_cols + min(lp.npair - int((lp.col_of >= 0).sum()), self.tuning.block_pairs)
        if self.doubt:
            cols += lp.n_cols  # the class counts' LP, beside it
        return rss_mb() + cols * BLOCK_BYTES_PER_COLUMN / 2**20 <= self.tuning.block_memory_mb

    def tighten(self) -> None:
        """The soft bound for the settled plan's counts by county blocks
        (:mod:`optimizer.scale.lpblocks`), after the class counts (coverage first: the soft
        LP kept for it only when :meth:`blocks_fit`), until a second before the deadline;
        not with under ``tuning.block_min_seconds`` left."""
        if self.soft is None:
            return
        end = None if self.deadline is None else self.deadline - 1.0
        if end is not None and end - time.monotonic() < self.tuning.block_min_seconds:
            return
        got = block_bound(self.soft, self.tuning, end, self.workers)
        if got < self.bound:
            self.bound = got

    def reaim(self, filled: int, got: dict[str, int]) -> None:
        """The soft LP aimed at a plan filling ``filled`` posts, ``got`` of each class, and
        solved again warm."""
        self.bound = math.nan  # read meanwhile: not final (the old bound is not this plan's)
        self.soft.aim(filled, got)
        self.target, self.classes = self.soft.target, dict(self.soft.classes)
        self.bound = self.soft.solve()

    def covers(self, got: dict[str, int]) -> bool:
        """Whether the soft bound's plans include a plan filling ``got`` of each class."""
        return sum(got.values()) >= self.target and all(
            got.get(c, 0) >= n for c, n in self.classes.items()
        )

    def class_bound(self, got: dict[str, int]) -> dict[str, int]:
        """Class → the LP's most posts of it (:meth:`count_classes`), for those counted so far
        whose bound holds for a plan filling ``got``: at least the settled plan's count in
        every class before."""
        out = {}
        for n, c in enumerate(self.order):
            if any(got.get(b, 0) < self.reached.get(b, 0) for b in self.order[:n]):
                break
            if c in self.class_posts:
                out[c] = self.class_posts[c]
        return out

    def count(self) -> int:
        self.counting = team_lp(
            self.rel, self.tuning, True, deadline=self.deadline, sends=self.sends
        )
        return posts_of(self.rel, math.nan if self.counting is None else self.counting.solve())

    def bound_now(self) -> tuple[float, bool]:
        """The soft bound now and whether it is final: the LP's, or — still pricing — its
        best round's so far (NaN before its first)."""
        if not self.thread.is_alive() or not math.isnan(self.bound) or self.soft is None:
            return self.bound, True
        return self.soft.best, False

    def bound_for(self, filled: int, got: dict[str, int]) -> tuple[float, bool]:
        """The soft bound for a plan filling ``filled`` required posts, ``got`` of each class,
        and whether it is final: the LP's when its plans include this one; else, the LP done,
        the same LP aimed at this plan's counts and solved again warm until the deadline
        (a county part better in class order may fill fewer of a later class than the greedy
        plan the LP was set up for); NaN when neither."""
        if filled >= self.target and self.covers(got):
            return self.bound_now()
        if self.thread.is_alive() or self.soft is None or math.isnan(self.bound):
            return math.nan, True
        self.reaim(filled, got)
        return self.bound, True

    def posts_now(self) -> int | None:
        """The most required posts now: the LP's count, or its best round's so far."""
        lp, alive = self.counting, self.thread.is_alive()
        if self.posts is not None or not alive or lp is None or math.isnan(lp.best):
            return self.posts
        return posts_of(self.rel, lp.best)
