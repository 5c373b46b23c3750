"""The soft bound by county blocks (:mod:`optimizer.scale.lpblocks`): a Lagrangian bound
from the team LP's duals, each county's block solved as an integer program. It must hold
for every exact optimum and never be weaker than the LP's own bound."""

from __future__ import annotations

import math

import pytest
from factory import DAY, split_in_two
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_decompose import B, two_counties
from test_property import instances

from optimizer import load_policy, solve
from optimizer.data.generate import generate, write_dataset
from optimizer.data.loading import load_dataset
from optimizer.model.params import Tuning
from optimizer.policy import PRESETS
from optimizer.rules.instance import build_instance
from optimizer.rules.scoring import plan_points
from optimizer.scale.flow import relax
from optimizer.scale.lpblocks import block_bound
from optimizer.scale.lpbounds import team_lp


def bounds(ds, policy, res) -> tuple[float, float]:
    """The LP's soft bound and the blocks' at the plan ``res``'s class counts."""
    got = {c: f for c, (f, _) in res.coverage.items()}
    tuning = Tuning()
    lp = team_lp(relax(build_instance(ds, policy, DAY)), tuning, False, sum(got.values()),
                 classes=got)  # fmt: skip
    if lp is None:
        return math.nan, math.nan
    return lp.solve(), block_bound(lp, tuning, None)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ds=instances(), preset=st.sampled_from(PRESETS))
def test_the_block_bound_holds_for_the_optimum_and_is_never_above_the_lp(ds, preset):
    policy = load_policy(preset)
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    if res.status != "OPTIMAL" or res.objective is None:
        return
    lp, blocks = bounds(ds, policy, res)
    if math.isnan(lp):
        return
    points = plan_points(res.instance, res.assignments)
    assert points <= blocks + 1e-6
    assert blocks <= lp + 1e-6


def test_the_block_bound_holds_across_two_counties_and_a_province_unit():
    ds, policy = two_counties(), load_policy("central-2021")
    res = solve(ds, policy, DAY, method="exact", time_limit=30)
    lp, blocks = bounds(ds, policy, res)
    assert res.objective <= blocks <= lp


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A generated county, half its townships moved to a second county."""
    out = tmp_path_factory.mktemp("blocks") / "d"
    write_dataset(generate("county", 3, DAY), out)
    return split_in_two(load_dataset(out, plan_date=DAY), B)


def test_the_blocks_prove_away_the_lps_split_teams_under_hebei(county):
    """Under hebei-2018 (three-person teams from the lead unit) the LP splits a unit's one
    team over two villages; the blocks, integer, cannot: a tighter bound that still holds
    (33,840 → 33,783 for an optimum of 33,474)."""
    policy = load_policy("hebei-2018")
    res = solve(county, policy, DAY, method="exact", time_limit=60)
    assert res.status == "OPTIMAL"
    lp, blocks = bounds(county, policy, res)
    assert res.objective <= blocks < lp


def test_a_block_out_of_time_keeps_its_lp_share(county):
    """The clock gone before any block: the bound is the LP's own, not a weaker one."""
    policy = load_policy("hebei-2018")
    res = solve(county, policy, DAY, method="exact", time_limit=60)
    got = {c: f for c, (f, _) in res.coverage.items()}
    lp = team_lp(relax(build_instance(county, policy, DAY)), Tuning(), False,
                 sum(got.values()), classes=got)  # fmt: skip
    own = lp.solve()
    assert block_bound(lp, Tuning(), deadline=0.0) == own


def test_blocks_run_in_children_that_print_nothing_and_stop_at_the_deadline(capfd):
    """HiGHS's MIP may print a debug line; the blocks run in child processes whose output
    goes nowhere, and a block still running at the deadline is stopped, not waited for."""
    import time

    import numpy as np

    from optimizer.scale.blockserve import solve_all

    def job(k, seconds):  # max x0 + 2 x1, x0 + x1 ≤ 1.5, integers in [0, 1]
        return (np.array([-np.inf]), np.array([1.5]), np.array([-1.0, -2.0]), np.zeros(2),
                np.ones(2), np.array([0, 1], np.int32), np.array([0, 0], np.int32),
                np.ones(2), seconds)  # fmt: skip

    assert solve_all(job, 3, 2, None, 5.0) == [-2.0, -2.0, -2.0]
    t0 = time.monotonic()
    assert solve_all(job, 3, 1, t0, 5.0) == [-math.inf] * 3
    assert time.monotonic() - t0 < 1.0
    assert capfd.readouterr().out == ""


def test_the_settled_plans_bound_is_tightened_only_where_memory_allows(county):
    """The LP's thread tightens the settled plan's soft bound by county blocks — unless the
    blocks would take the process over its memory budget: then the LP's bound stands."""
    from optimizer.scale.lpbounds import LpBounds
    from optimizer.scale.parts import class_rank

    policy = load_policy("hebei-2018")
    res = solve(county, policy, DAY, method="exact", time_limit=60)
    got = {c: f for c, (f, _) in res.coverage.items()}
    rel = relax(build_instance(county, policy, DAY))
    order = sorted(got, key=class_rank)
    out = {}
    for name, tuning in (("blocks", Tuning()), ("no room", Tuning(block_memory_mb=0.0))):
        lp = LpBounds(rel, tuning, sum(got.values()), True, False, classes=got, order=order)
        lp.settle(got, [])
        lp.work()  # the soft LP, then (settled) its bound tightened and the class counts
        out[name] = lp.bound
    assert res.objective <= out["blocks"] < out["no room"]


def test_the_blocks_are_ahead_once_the_soft_lp_is_done_and_only_with_room(county):
    """:meth:`LpBounds.blocks_ahead` (the county pairs then leave the blocks their share of
    the limit): not before the soft LP is solved, and not without the memory for them."""
    from optimizer.scale.lpbounds import LpBounds

    policy = load_policy("hebei-2018")
    rel = relax(build_instance(county, policy, DAY))
    for tuning, ahead in ((Tuning(), True), (Tuning(block_memory_mb=0.0), False)):
        lp = LpBounds(rel, tuning, rel.max_posts // 2, True, False)
        assert not lp.blocks_ahead()
        lp.work()  # no classes to count: the soft LP is kept
        assert lp.blocks_ahead() is ahead


def test_the_county_pairs_leave_the_blocks_their_share_of_the_limit():
    from types import SimpleNamespace

    from optimizer.scale.budget import Budget
    from optimizer.scale.decompose import Decomposition

    done = {"k": SimpleNamespace(coverage={"weak": (3, 4), "key": (2, 5)})}
    # coverage first: with posts in doubt (at most 6 by the LP, 5 filled) the pairs keep it
    for ahead, most, end in ((True, 5, 85.0), (False, 5, 95.0), (True, 6, 95.0)):
        me = SimpleNamespace(budget=Budget(0.0, 95.0), outer=Budget(0.0, 100.0),
                             tuning=Tuning(block_share=0.1), results=done, posts_bound=9,
                             lp=SimpleNamespace(blocks_ahead=lambda a=ahead: a,
                                                posts_now=lambda m=most: m))  # fmt: skip
        me.in_doubt = lambda me=me: Decomposition.in_doubt(me)
        assert Decomposition.improve_budget(me).deadline == pytest.approx(end)
    me.budget = Budget(0.0, None)
    assert Decomposition.improve_budget(me).deadline is None


def test_with_posts_in_doubt_the_phases_after_the_parts_leave_the_class_counts_their_share():
    from types import SimpleNamespace

    from optimizer.scale.budget import Budget
    from optimizer.scale.decompose import Decomposition

    done = {"k": SimpleNamespace(coverage={"weak": (3, 4), "key": (2, 5)})}
    for most, end in ((5, 95.0), (6, 90.0)):  # 5 filled
        me = SimpleNamespace(budget=Budget(0.0, 95.0), outer=Budget(0.0, 100.0),
                             tuning=Tuning(count_share=0.05), results=done, posts_bound=9,
                             lp=SimpleNamespace(posts_now=lambda m=most: m))  # fmt: skip
        me.in_doubt = lambda me=me: Decomposition.in_doubt(me)
        Decomposition.leave_counts_time(me)
        assert me.budget.deadline == pytest.approx(end)
