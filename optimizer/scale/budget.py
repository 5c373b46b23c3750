"""One clock for a whole solve: every phase asks it how long it may take.

The time limit bounds the whole command (loading, every phase, writing), so the phases of a
decomposed solve share one budget instead of each computing its own deadline; the caller keeps
back what writing the plan will take (:func:`write_reserve`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Budget:
    t0: float
    """When the solve started (``time.monotonic()``)."""
    deadline: float | None
    """When every phase must be done; None: no limit."""
    stop: threading.Event = field(default_factory=threading.Event)
    """Set by Ctrl-C: phases end as if the time were up."""

    def left(self) -> float:
        """Seconds until the deadline (a large number without one); 0 once stopped."""
        if self.stop.is_set():
            return 0.0
        return 1e9 if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def over(self, margin: float = 0.0) -> bool:
        """Whether less than ``margin`` seconds are left (or the user stopped)."""
        return self.left() <= margin

    def take(self, seconds: float) -> None:
        """Bring the deadline ``seconds`` earlier (time the caller will need afterwards)."""
        if self.deadline is not None:
            self.deadline -= seconds

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def share(self, fraction: float) -> float | None:
        """``fraction`` of the time left, as a wall limit for one phase; None without one."""
        return None if self.deadline is None else max(0.0, fraction * self.left())


def process_age() -> float:
    """Seconds since this process started (the interpreter's own start-up and imports
    included), from ``/proc`` where there is one; 0 elsewhere."""
    try:
        import os

        with open("/proc/self/stat", encoding="ascii") as f:
            start = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            up = float(f.read().split()[0])
        return max(0.0, up - start / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def write_reserve(villages: int) -> float:
    """Seconds to keep back for building and writing the plan's tables and workbook, by the
    number of villages, when every post is filled (measured alone, tables and files:
    county-201 0.3 s, city-201 2.3 s, province-201 9.7 s for 250, 2,000 and 7,400 villages;
    kept: 0.9 s, 3.8 s and, doubled at province scale, 25.7 s: there a solve whose LP is not
    done when it ends writes beside it — hunan-2021 province-201: 22 s from the solve's end
    to the command's against 12.8 s kept, 305.5 s for 300). Reasons for short posts cost
    more: a decomposed solve takes that time once its greedy floor has counted them
    (:attr:`~optimizer.model.params.Tuning.write_short_post_village`)."""
    keep = 0.5 + villages / 600
    return 2 * keep if villages >= PROVINCE_VILLAGES else keep


PROVINCE_VILLAGES = 4000
"""From this many villages a dataset is a province (the benchmarks' scale boundary)."""


__all__ = ["Budget", "process_age", "write_reserve"]
