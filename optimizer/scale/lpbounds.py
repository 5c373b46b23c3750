"""The LP's bounds (:mod:`optimizer.scale.lp`): most required posts, the soft bound for a
coverage, and the thread that computes them beside the improvement phases of a decomposed
solve."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable

from optimizer.model.params import Tuning
from optimizer.scale.flow import Relaxation
from optimizer.scale.lp import TeamLp, highs

DEFAULT = Tuning()


def team_lp(rel: Relaxation, tuning: Tuning, coverage: bool, target: int | None = None,
            deadline: float | None = None,
            classes: dict[str, int] | None = None,
            sends: Iterable[str] = (),
            hint: Iterable[tuple[str, str, bool]] = ()) -> TeamLp | None:  # fmt: skip
    """The LP, or None without the flow's arrays or HiGHS (the flow's bounds stand then)."""
    if rel.arrays is None or highs() is None:
        return None
    return TeamLp(rel, tuning, coverage, target, deadline, classes, sends, hint)


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


def posts_of(rel: Relaxation, got: float) -> int:
    return rel.max_posts if math.isnan(got) else min(rel.max_posts, int(got))


LP_THREAD = "zhucun-lp-bounds"
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
    ) -> None:
        """``proven``: ``target`` is already the most posts (the flow's count, met by a plan);
        the LP's own count is then not needed (city-201: 7.5 of its 17.5 s). ``count_first``:
        the count before the soft bound (many posts in doubt: coverage comes first).
        ``classes``: posts of each class the soft bound's plans fill at least (the bound
        holds for a plan filling as many in every class). ``sends``: must-send units every
        plan posts someone from; ``hint``: (unit, village, secretary?) of the greedy plan's
        postings, among the soft LP's first columns."""
        self.rel, self.tuning, self.target = rel, tuning, target
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

    def count(self) -> int:
        self.counting = team_lp(self.rel, self.tuning, True, deadline=self.deadline)
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
        if filled >= self.target and all(got.get(c, 0) >= n for c, n in self.classes.items()):
            return self.bound_now()
        if self.thread.is_alive() or self.soft is None or math.isnan(self.bound):
            return math.nan, True
        self.soft.aim(filled, got)
        self.target, self.classes = self.soft.target, dict(self.soft.classes)
        self.bound = self.soft.solve()
        return self.bound, True

    def posts_now(self) -> int | None:
        """The most required posts now: the LP's count, or its best round's so far."""
        lp, alive = self.counting, self.thread.is_alive()
        if self.posts is not None or not alive or lp is None or math.isnan(lp.best):
            return self.posts
        return posts_of(self.rel, lp.best)
