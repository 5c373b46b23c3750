"""The LP bounds computed beside the improvement phases of a decomposed solve."""

from __future__ import annotations

import math
import threading

from optimizer.model.params import Tuning
from optimizer.scale.flow import Relaxation
from optimizer.scale.lp import lp_bound, lp_max_posts

LP_THREAD = "zhucun-lp-bounds"


class LpBounds:
    """The LP relaxation (T-UNIT's tie and T-SEC added) on a background thread: most
    required posts, then the soft bound of plans filling that many. HiGHS releases the GIL;
    the thread is a daemon, so an LP still running at the deadline is abandoned, not waited
    for."""

    def __init__(self, rel: Relaxation, tuning: Tuning) -> None:
        self.rel, self.tuning = rel, tuning
        self.posts: int | None = None
        self.bound = math.nan
        self.first = math.nan
        self.thread = threading.Thread(target=self.work, daemon=True, name=LP_THREAD)

    def start(self) -> None:
        self.thread.start()

    @staticmethod
    def running() -> bool:
        """Whether an abandoned LP is still solving (HiGHS's threads then outlive the
        interpreter's shutdown unless the process ends at once)."""
        return any(t.name == LP_THREAD and t.is_alive() for t in threading.enumerate())

    def work(self) -> None:
        posts = lp_max_posts(self.rel, tuning=self.tuning)
        self.posts = posts
        got = lp_bound(self.rel, target=posts, tuning=self.tuning)
        self.first = self.bound = got
