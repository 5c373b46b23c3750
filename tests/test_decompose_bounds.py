"""The merged plan's coverage bounds (:func:`optimizer.scale.planbounds.plan_bounds`) from what the LP and the
flow give, in SPEC §3's order of classes."""

from __future__ import annotations

from types import SimpleNamespace

from optimizer.model.result import SolveResult, Status
from optimizer.scale.budget import Budget
from optimizer.scale.planbounds import plan_bounds


class DoneLp:
    """An LP thread done: at most ``posts`` required posts, no per-class counts."""

    def __init__(self, posts: int) -> None:
        self.posts = posts

    def wait(self, seconds: float) -> None:
        pass

    def posts_now(self) -> int:
        return self.posts

    def bound_for(self, filled, got):
        return 100.0, True

    def class_bound(self, got):
        return {}


def merged(posts: int, flow: dict[str, int], coverage: dict[str, tuple[int, int]], proof=None):
    me = SimpleNamespace(lp=DoneLp(posts), outer=Budget(0.0, None), posts_bound=99, proof=proof, soft=None,
                         class_bound=flow, say=lambda text: None,
                         rel=SimpleNamespace(bound=200.0, max_posts=99, any_bound=300.0))  # fmt: skip
    res = SolveResult(Status.FEASIBLE, None, coverage=coverage, objective=90.0)
    plan_bounds(me, res)
    return res


def test_a_class_is_bounded_by_the_most_posts_less_the_plans_in_the_classes_before():
    # the flow allows 20 key posts alone; but at most 10 posts in all, and a plan as good in
    # weak fills 4 of those: at most 6 key posts (the plan has 5: one in doubt, not 15)
    res = merged(10, {"weak": 5, "key": 20}, {"weak": (4, 5), "key": (5, 30)})
    assert res.coverage_bound == {"weak": 5, "key": 6}
    assert not res.coverage_proven and res.posts_bound == 10


def test_a_class_proven_by_the_integer_program_is_not_in_doubt():
    # as above, and the integer program proves the plan's 5 key posts the most
    proof = SimpleNamespace(bound=lambda got, seconds: {"key": 5})
    res = merged(10, {"weak": 5, "key": 20}, {"weak": (4, 5), "key": (5, 30)}, proof)
    assert res.coverage_bound == {"weak": 5, "key": 5}


def test_a_plan_filling_the_most_posts_has_its_last_class_bounded_by_its_own_count():
    res = merged(9, {"weak": 5, "key": 20}, {"weak": (4, 5), "key": (5, 30)})
    assert res.coverage_bound == {"weak": 5, "key": 5}
    assert res.coverage_proven
