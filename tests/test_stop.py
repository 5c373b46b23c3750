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


def test_the_stop_watchers_let_a_solve_end_at_once_without_stopping_it():
    """A solve's end does not wait for a watcher's next poll (0.2 s), and ending it is not
    taken for a stop (every county part ends this way)."""
    from ortools.sat.python import cp_model

    from optimizer.model.interrupt import catch_sigint, follow_stop

    for _ in range(3):
        stop = threading.Event()
        restore = catch_sigint(cp_model.CpSolver(), stop)
        t = time.monotonic()
        restore()
        assert time.monotonic() - t < 0.1 and not stop.is_set()
        restore = follow_stop(cp_model.CpSolver(), stop)
        t = time.monotonic()
        restore()
        assert time.monotonic() - t < 0.1 and not stop.is_set()


def test_the_writing_reserve_grows_with_the_villages_and_doubles_at_province_scale():
    from optimizer.scale.budget import PROVINCE_VILLAGES, write_reserve

    county, city = write_reserve(250), write_reserve(2000)
    assert county < 1.0 < city < write_reserve(PROVINCE_VILLAGES - 1)
    assert write_reserve(PROVINCE_VILLAGES) == 2 * (0.5 + PROVINCE_VILLAGES / 600)
