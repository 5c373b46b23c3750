"""The merged plan's people re-seated province-wide (optimizer.scale.reseat), on tiny exact
instances and on random ones through the independent verifier."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from factory import DAY, Posting, cadre, dataset, unit, village
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import load_policy
from optimizer.data.domain import Pin
from optimizer.model.greedy import greedy
from optimizer.model.result import Assignment, SolveResult, Status, filled_by_class
from optimizer.model.shape import build_shape
from optimizer.plans.build import write_plan
from optimizer.policy import PRESETS
from optimizer.rules.instance import build_instance
from optimizer.rules.scoring import plan_points
from optimizer.scale.reseat import reseat
from optimizer.verify import verify_plan

START, END = DAY - timedelta(days=3 * 365), DAY - timedelta(days=365)
YOUNG = date(DAY.year - 28, 1, 1)


def setup(ds, preset: str = "hunan-2021"):
    inst = build_instance(ds, load_policy(preset), DAY)
    return inst, build_shape(inst)


def two_cadres(**kw):
    return dataset(
        [unit("K")],
        [
            cadre("old", "K", birth_date=date(1970, 1, 1)),
            cadre("new", "K", birth_date=YOUNG, young_pool=True),
        ],
        [village("V", "weak")],
        **kw,
    )


def test_reseat_puts_the_better_free_colleague_in_the_same_post():
    """The plan posts an older cadre; a young one of the same unit is free: S-YOUNG points."""
    inst, shape = setup(two_cadres())
    plan = [Assignment("old", "V", "secretary")]
    new = reseat(inst, shape, plan)
    assert new == [Assignment("new", "V", "secretary")]
    assert plan_points(inst, new) > plan_points(inst, plan)


def test_reseat_keeps_a_require_pin():
    inst, shape = setup(two_cadres(pins=[Pin("old", "V", "require")]))
    assert reseat(inst, shape, [Assignment("old", "V", "secretary")]) is None


def test_reseat_never_seats_a_cadre_where_they_served_before():
    """H-NOREPEAT bars the young cadre from V: the plan stands as it is."""
    history = [Posting("new", "K", "V", "county", "secretary", START, END)]
    inst, shape = setup(two_cadres(history=history))
    assert reseat(inst, shape, [Assignment("old", "V", "secretary")]) is None


@st.composite
def mixed(draw):
    """A few units whose cadres differ in age, party membership and experience."""
    units = [unit(f"K{i}", x=10.0 * i) for i in range(draw(st.integers(1, 3)))]
    cadres = [
        cadre(
            f"c{u.unit_id}{j}",
            u.unit_id,
            birth_date=draw(st.sampled_from([date(1968, 5, 1), date(1985, 1, 1), YOUNG])),
            political_status=draw(st.sampled_from(["member", "member", "masses"])),
            young_pool=draw(st.booleans()),
        )
        for u in units
        for j in range(draw(st.integers(1, 4)))
    ]
    cats = st.sampled_from(["weak", "key", "exited", "relocation", "other"])
    villages = [
        village(f"V{i}", draw(cats), x=draw(st.floats(0, 30)))
        for i in range(draw(st.integers(1, 4)))
    ]
    barred = draw(
        st.sets(st.tuples(st.sampled_from(cadres), st.sampled_from(villages)), max_size=4)
    )
    history = [
        Posting(c.cadre_id, c.unit_id, v.village_id, "county", "member", START, END)
        for c, v in sorted(barred, key=lambda p: (p[0].cadre_id, p[1].village_id))
    ]
    return dataset(units, cadres, villages, history=history)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ds=mixed(), preset=st.sampled_from(PRESETS))
def test_reseated_plan_keeps_the_seats_earns_more_and_verifies(tmp_path_factory, ds, preset):
    """Re-seating a greedy plan keeps every (unit, village, role) seat count, so the coverage;
    it is taken only for more points; the independent verifier finds no hard breach in it
    that the plan before did not have."""
    policy = load_policy(preset)
    inst, shape = setup(ds, preset)
    plan = [Assignment(c, v, r) for c, v, r in sorted(greedy(shape)["at"])]
    new = reseat(inst, shape, plan)
    if new is None:
        return
    seats = Counter((inst.unit_of(a.cadre_id), a.village_id, a.role) for a in plan)
    assert Counter((inst.unit_of(a.cadre_id), a.village_id, a.role) for a in new) == seats
    assert filled_by_class(inst, new, []) == filled_by_class(inst, plan, [])
    assert plan_points(inst, new) > plan_points(inst, plan)

    def hard(assignments):
        res = SolveResult(Status.FEASIBLE, inst)
        res.assignments = assignments
        got = filled_by_class(inst, assignments, [])
        res.coverage = {k: (got.get(k, 0), 0) for k in set(inst.cls.values())}
        out = tmp_path_factory.mktemp("p") / "plan"
        write_plan(res.tables, out)
        found = verify_plan(ds, out, policy, DAY)
        return {(v.rule, v.village_id) for v in found if v.severity == "hard"}

    assert hard(new) <= hard(plan)
