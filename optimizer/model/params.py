"""How to solve, as data: :class:`SolveParams` (PyVRP's way: parameters are values, not flags)."""

from __future__ import annotations

from dataclasses import dataclass

METHODS = ("auto", "exact", "decompose")


@dataclass(frozen=True)
class SolveParams:
    """``time_limit`` bounds the whole solve in seconds (None: no limit). ``seed`` and
    ``workers`` fix the search, so the same inputs give the same plan. ``method``: ``exact``
    — one master model for the whole dataset; ``decompose`` — one per county, tied by a flow
    relaxation that also gives the bound; ``auto`` — decompose when the dataset is large
    (:attr:`optimizer.scale.settings.ScaleSettings.decompose_villages`). ``handle_sigint``:
    Ctrl-C stops the search and the best plan so far is returned."""

    time_limit: float | None = 60.0
    seed: int = 0
    workers: int = 2
    method: str = "auto"
    handle_sigint: bool = False

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be auto, exact or decompose, not {self.method!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if self.time_limit is not None and self.time_limit < 0:
            raise ValueError(f"time_limit must not be negative, not {self.time_limit}")
