"""The greedy plan's augmenting swaps (optimizer.model.augment) on tiny exact instances."""

from __future__ import annotations

from datetime import timedelta

from factory import DAY, Posting, cadre, dataset, unit, village
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import load_policy
from optimizer.model.augment import augmented
from optimizer.model.greedy import greedy, greedy_coverage, greedy_is_valid
from optimizer.model.result import Assignment, SolveResult, Status, filled_by_class
from optimizer.model.shape import build_shape
from optimizer.plans.build import write_plan
from optimizer.policy import PRESETS
from optimizer.rules.instance import build_instance
from optimizer.verify import verify_plan

START, END = DAY - timedelta(days=3 * 365), DAY - timedelta(days=365)


def shape_of(ds):
    return build_shape(build_instance(ds, load_policy("hunan-2021"), DAY))


def filled(shape, sol) -> int:
    return sum(greedy_coverage(shape, sol).values())


@st.composite
def scarce(draw):
    """Few people per unit, some barred from some villages (H-NOREPEAT): where the greedy's
    order leaves villages short that swaps can fill."""
    units = [unit(f"K{i}", x=10.0 * i) for i in range(draw(st.integers(1, 3)))]
    cadres = [
        cadre(f"c{u.unit_id}{j}", u.unit_id) for u in units for j in range(draw(st.integers(1, 3)))
    ]
    cats = st.sampled_from(["weak", "key", "exited", "relocation", "other"])
    villages = [
        village(f"V{i}", draw(cats), x=draw(st.floats(0, 30)))
        for i in range(draw(st.integers(2, 5)))
    ]
    barred = draw(
        st.sets(st.tuples(st.sampled_from(cadres), st.sampled_from(villages)), max_size=6)
    )
    history = [
        Posting(c.cadre_id, c.unit_id, v.village_id, "county", "secretary", START, END)
        for c, v in sorted(barred, key=lambda p: (p[0].cadre_id, p[1].village_id))
    ]
    return dataset(units, cadres, villages, history=history)


def test_augment_frees_a_person_whose_colleague_can_take_their_post():
    """W (weak) comes first and gets a0; V, later, may not have a1 (H-NOREPEAT: a1 served
    there). Swapping a1 in at W frees a0 for V: both villages staffed."""
    ds = dataset(
        [unit("K")],
        [cadre("a0", "K"), cadre("a1", "K")],
        [village("W", "weak"), village("V", "exited")],
        history=[Posting("a1", "K", "V", "county", "secretary", START, END)],
    )
    shape = shape_of(ds)
    assert filled(shape, greedy(shape)) == 1
    sol = augmented(shape)
    assert filled(shape, sol) == 2 and greedy_is_valid(shape, sol)
    assert {(c, v) for c, v, _r in sol["at"]} == {("a1", "W"), ("a0", "V")}


def test_augment_hands_a_team_over_to_another_unit():
    """W gets the nearer unit K1's only person; V may only have K1's (H-NOREPEAT bars K2's
    b0). K2 takes W over, so K1's a0 is free for V."""
    ds = dataset(
        [unit("K1", x=0), unit("K2", x=30)],
        [cadre("a0", "K1"), cadre("b0", "K2")],
        [village("W", "weak", x=1), village("V", "exited", x=2)],
        history=[Posting("b0", "K2", "V", "county", "secretary", START, END)],
    )
    shape = shape_of(ds)
    assert filled(shape, greedy(shape, near_first=True)) == 1
    sol = augmented(shape, near_first=True)
    assert filled(shape, sol) == 2 and greedy_is_valid(shape, sol)
    assert {(c, v) for c, v, _r in sol["at"]} == {("b0", "W"), ("a0", "V")}


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ds=scarce(), preset=st.sampled_from(PRESETS), data=st.data())
def test_augmented_plan_fills_at_least_as_much_in_every_class_and_verifies(
    tmp_path_factory, ds, preset, data
):
    """Swaps only add posts: every class at least the plain greedy's, as valid, and a plan
    the independent verifier passes (U-PARTICIPATE judged by ``greedy_is_valid``)."""
    policy = load_policy(preset)
    inst = build_instance(ds, policy, DAY)
    shape = build_shape(inst)
    near, keep = data.draw(st.booleans()), data.draw(st.booleans())
    plain = greedy(shape, near_first=near, keep_first=keep)
    sol = augmented(shape, near_first=near, keep_first=keep)
    before, after = greedy_coverage(shape, plain), greedy_coverage(shape, sol)
    assert all(after.get(c, 0) >= n for c, n in before.items()), (before, after)
    assert greedy_is_valid(shape, sol) >= greedy_is_valid(shape, plain)
    res = SolveResult(Status.FEASIBLE, inst)
    res.assignments = [Assignment(c, v, r) for c, v, r in sorted(sol["at"])]
    got = filled_by_class(inst, res.assignments, [])
    res.coverage = {k: (got.get(k, 0), 0) for k in set(inst.cls.values())}
    out = tmp_path_factory.mktemp("p") / "plan"
    write_plan(res.tables, out)
    hard = [v for v in verify_plan(ds, out, policy, DAY) if v.severity == "hard"]
    hard = [v for v in hard if v.rule != "U-PARTICIPATE"]
    assert hard == [], [(v.rule, v.village_id, v.cadre_id, v.detail_en) for v in hard]
