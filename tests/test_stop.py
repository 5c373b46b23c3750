"""A caller's stop switch (``solve(stop=...)``): what a desk or a cluster task uses instead of
Ctrl-C, from another thread; the best plan so far comes back, marked interrupted."""

from __future__ import annotations

import threading
import time

from factory import DAY, cadre, dataset, unit, village

from optimizer import load_policy, solve

CENTRAL = load_policy("central-2021")


def _county():
    return dataset(
        [unit("U1")],
        [cadre(f"C{i}", "U1") for i in range(12)],
        [village(f"V{i}", "key") for i in range(4)],
    )


def test_a_stop_set_before_the_solve_returns_the_start_plan_interrupted():
    stop = threading.Event()
    stop.set()
    t = time.monotonic()
    res = solve(_county(), CENTRAL, DAY, time_limit=60, stop=stop)
    assert res.interrupted and res.has_plan and time.monotonic() - t < 10


def test_without_a_stop_the_solve_is_not_interrupted():
    res = solve(_county(), CENTRAL, DAY, time_limit=60, stop=threading.Event())
    assert not res.interrupted and res.status == "OPTIMAL"
