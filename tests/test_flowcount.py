"""The flow's soft bound for plans filling at least a number of required posts
(:mod:`optimizer.scale.flowcount`): a Lagrangian on the count of new postings. It must hold
for every exact optimum and never be weaker than the best flow of any size."""

from __future__ import annotations

from factory import DAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_property import instances

from optimizer import load_policy, solve
from optimizer.data.generate import generate, write_dataset
from optimizer.data.loading import load_dataset
from optimizer.policy import PRESETS
from optimizer.rules.instance import build_instance
from optimizer.rules.scoring import plan_points
from optimizer.scale.flow import relax
from optimizer.scale.flowcount import PostsBound


def probed(rel, target: int) -> PostsBound:
    """Every probe made, here (not on the thread)."""
    pb = PostsBound(rel, target)
    if pb.net is not None:
        pb.work()
    return pb


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ds=instances(), preset=st.sampled_from(PRESETS))
def test_the_count_bound_holds_for_the_optimum_and_is_never_above_any_size(ds, preset):
    policy = load_policy(preset)
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    if res.status != "OPTIMAL" or res.objective is None:
        return
    filled = sum(f for f, _ in res.coverage.values())
    rel = relax(build_instance(ds, policy, DAY))
    pb = probed(rel, filled)
    got = pb.bound(filled)
    assert plan_points(res.instance, res.assignments) <= got + 1e-6
    assert got <= rel.any_bound


def test_a_short_plan_is_held_tighter_than_by_a_flow_of_any_size(tmp_path):
    """Under hebei-2018 (travel charged, three-person teams) plans filling nearly the flow's
    most posts are held well below the best flow of any size, which may leave out every
    costly posting; the fewer posts, the looser the bound; no probe yet: any size's."""
    write_dataset(generate("county", 3, DAY), tmp_path / "d")
    ds, policy = load_dataset(tmp_path / "d", plan_date=DAY), load_policy("hebei-2018")
    rel = relax(build_instance(ds, policy, DAY))
    n = rel.max_posts - 5
    pb = probed(rel, n)
    assert pb.probes and rel.bound <= pb.bound(n) < rel.any_bound
    assert pb.bound(n - 50) >= pb.bound(n)
    assert PostsBound(rel, n).bound(n) == rel.any_bound
    # the exact optimum (it fills fewer than the flow's most) within the bound at its count
    res = solve(ds, policy, DAY, method="exact", time_limit=60)
    filled = sum(f for f, _ in res.coverage.values())
    assert res.status == "OPTIMAL" and filled < rel.max_posts
    assert res.objective <= probed(rel, filled).bound(filled) < rel.any_bound
