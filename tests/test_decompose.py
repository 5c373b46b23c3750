"""The decomposition (one model per county, tied by a flow relaxation) against the exact model.

The exact single-model path is the reference on small instances: both must fill the same
posts and reach the same objective, and the relaxation must bound every exact optimum.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from factory import DAY, Posting, cadre, dataset, unit, village
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_property import instances

from optimizer import load_policy, solve
from optimizer.model.params import Tuning
from optimizer.plans.build import write_plan
from optimizer.policy import PRESETS
from optimizer.rules.instance import build_instance
from optimizer.rules.scoring import plan_points
from optimizer.scale.flow import relax
from optimizer.scale.lpbounds import LpBounds, lp_bound, lp_class_posts, lp_max_posts
from optimizer.scale.parts import class_rank
from optimizer.scale.parts import county_coverage as _coverage
from optimizer.verify import verify_plan

A, B = "430121", "430122"


def two_counties():
    """Two counties with their own units, and one province unit nearer to county B."""
    units = [unit("KA", region=A, x=0), unit("KB", region=B, x=50),
             unit("P", "province", x=45, kind="organ", staff=30)]  # fmt: skip
    cadres = [cadre(f"a{i}", "KA") for i in range(5)]
    cadres += [
        cadre(
            f"b{i}",
            "KB",
            political_status="none" if i else "member",
            party_date=None if i else DAY.replace(year=2010),
        )
        for i in range(3)
    ]
    cadres += [cadre(f"p{i}", "P", rank="deputy_division") for i in range(3)]
    villages = [village("VA1", "key", x=1), village("VA2", "other", x=2)]
    villages += [replace(village(f"VB{i}", "key", x=50 + i), county=B) for i in (1, 2)]
    return dataset(units, cadres, villages)


def test_decompose_agrees_with_exact_on_two_counties():
    ds, policy = two_counties(), load_policy("central-2021")
    exact = solve(ds, policy, DAY, method="exact", time_limit=30)
    split = solve(ds, policy, DAY, method="decompose", time_limit=30, workers=2)
    assert exact.status == "OPTIMAL"
    assert split.coverage == exact.coverage
    assert split.objective == plan_points(exact.instance, exact.assignments) == exact.objective
    assert split.status == "OPTIMAL" or split.gap > 0
    # the province unit's people are handed to county B, whose own unit is short of members
    assert {a.cadre_id[0] for a in split.assignments if a.village_id.startswith("VB")} >= {"p"}


def test_decompose_is_reproducible():
    ds, policy = two_counties(), load_policy("central-2021")
    runs = [
        solve(ds, policy, DAY, method="decompose", time_limit=30, workers=w).plan for w in (1, 2, 2)
    ]
    assert runs[1].equals(runs[2])
    assert runs[0].equals(runs[1])


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ds=instances(), preset=st.sampled_from(PRESETS))
def test_relaxation_bounds_every_exact_optimum(ds, preset):
    """No plan fills more posts than the relaxation, nor, filling as many, scores more than
    the flow or the LP bound."""
    policy = load_policy(preset)
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    rel = relax(build_instance(ds, policy, DAY))
    filled = sum(f for f, _ in res.coverage.values())
    assert filled <= lp_max_posts(rel) <= rel.max_posts
    if res.status == "OPTIMAL" and res.objective is not None:
        points = plan_points(res.instance, res.assignments)
        assert points <= lp_bound(rel, target=filled) + 1e-6
        # and as many in every class as the optimum: the bound holds for it too
        got = {c: f for c, (f, _) in res.coverage.items()}
        assert points <= lp_bound(rel, target=filled, classes=got) + 1e-6
        # every unit it sends from bound to send, as U-PARTICIPATE binds must-send units:
        # the bound holds for it too
        inst = res.instance
        sends = {inst.ds.cadres[a.cadre_id].unit_id for a in res.assignments}
        assert points <= lp_bound(rel, target=filled, classes=got, sends=sends) + 1e-6
        # class by class, given the optimum's counts of the classes before (SPEC §3's order),
        # each LP anew and one LP aimed at each class in turn
        order = sorted(got, key=class_rank)
        warm = LpBounds(rel, Tuning(), filled, True, False, order=order)
        warm.settle(got, order)
        warm.count_classes()
        for n, c in enumerate(order):
            before = {b: got[b] for b in order[:n]}
            most_c = lp_class_posts(rel, c, before)  # NaN: no LP (nothing to fill)
            assert got[c] <= most_c + 1e-6 or (rel.arrays is None and math.isnan(most_c))
            assert got[c] <= warm.class_posts.get(c, got[c])
            assert c in warm.class_posts or rel.arrays is None
        # out of the flow's reach, the LP is re-solved warm for the count it can fill
        most = lp_max_posts(rel)
        if filled == most:
            assert points <= lp_bound(rel, retarget=lambda: most) + 1e-6
        if filled == rel.max_posts:
            assert points <= rel.bound + 1e-6


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ds=instances(), preset=st.sampled_from(PRESETS), data=st.data())
def test_P_PIN_lp_bound_holds_for_the_optimum_under_require_pins(ds, preset, data):
    """Require pins enter the LP (their cadre used, their pair carrying them): its bounds
    still hold for the exact optimum that honours them — pins taken from a plan, so they
    can be met, with and without their role."""
    from optimizer.data.domain import Pin

    policy = load_policy(preset)
    first = solve(ds, policy, DAY, method="exact", time_limit=20)
    if not first.assignments:
        return
    picks = data.draw(st.lists(st.sampled_from(first.assignments), min_size=1, max_size=3))
    pins = [Pin(a.cadre_id, a.village_id, "require", data.draw(st.sampled_from([a.role, None])))
            for a in picks]  # fmt: skip
    ds = replace(ds, pins=[*ds.pins, *pins])
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    if res.status != "OPTIMAL" or res.objective is None:
        return
    rel = relax(build_instance(ds, policy, DAY))
    filled = sum(f for f, _ in res.coverage.values())
    got = {c: f for c, (f, _) in res.coverage.items()}
    points = plan_points(res.instance, res.assignments)
    assert points <= lp_bound(rel, target=filled, classes=got) + 1e-6
    # and the counts (pins bind them too): the optimum is lexicographic, SPEC §3's order
    assert lp_max_posts(rel) >= filled
    order = sorted(got, key=class_rank)
    for n, c in enumerate(order):
        assert not lp_class_posts(rel, c, {b: got[b] for b in order[:n]}) < got[c]


def test_P_PIN_a_require_pin_binds_the_lp_as_it_binds_the_plan():
    """A far unit's cadre pinned to a village a near unit could take: the plan pays the
    travel, and so does the LP's bound (without the pin it would not)."""
    from optimizer.data.domain import Pin

    ds = dataset(
        [unit("K", x=0), unit("F", x=300)],
        [cadre("k1", "K"), cadre("f1", "F")],
        [village("V", "weak", x=0)],
    )
    policy = load_policy("central-2021")
    free = lp_bound(relax(build_instance(ds, policy, DAY)), target=1)
    ds = replace(ds, pins=[Pin("f1", "V", "require", "secretary")])
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    assert [a.cadre_id for a in res.assignments] == ["f1"]
    points = plan_points(res.instance, res.assignments)
    pinned = lp_bound(relax(build_instance(ds, policy, DAY)), target=1)
    assert free > points + 250 and points <= pinned <= points + 1


def test_U_PARTICIPATE_binds_the_lp_as_it_binds_the_plan():
    """A must-send province unit far away and a county unit next door, one post: the plan
    sends the province unit's cadre and pays the travel; so does the LP's bound once told
    the unit must send (without, it seats the near one)."""
    ds = dataset(
        [unit("P", "province", staff=120, x=300), unit("K", x=0)],
        [cadre("p1", "P", rank="division"), cadre("k1", "K")],
        [village("V", "weak", x=0)],
    )
    policy = load_policy("hunan-2021")
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    assert [a.cadre_id for a in res.assignments] == ["p1"]
    points = plan_points(res.instance, res.assignments)
    rel = relax(build_instance(ds, policy, DAY))
    assert lp_bound(rel, target=1) > points + 25  # 300 km of travel
    assert points <= lp_bound(rel, target=1, sends={"P"}) <= points + 1


def test_J_JOINT_partners_share_one_lp_row_per_village():
    """A key village (three posts, hunan-2021): a big unit next door has a leader and one
    other person; four small units far away, one leader among them and a member each in the
    others. Filling the posts takes a joint team of the small ones (SPEC §3: coverage
    first), travel and all. With a T-UNIT row per small unit, a quarter of the small leader
    let each partner send half a member and the near leader take three quarters of the
    secretary's post; one row per (village, group) holds the partners to the plan, and the
    near unit, whose two people make no team of three, to one member per secretary."""
    ds = dataset(
        [unit("N", x=0), *(unit(f"S{i}", staff=20, x=200) for i in range(5))],
        [cadre("n1", "N"), cadre("n2", "N", political_status="none", party_date=None),
         cadre("s0", "S0")]
        + [cadre(f"s{i}", f"S{i}", political_status="none", party_date=None)
           for i in range(1, 5)],
        [village("V", "key", x=0)],
    )  # fmt: skip
    policy = load_policy("hunan-2021")
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    assert res.coverage["key"] == (3, 3) and "s0" in {a.cadre_id for a in res.assignments}
    points = plan_points(res.instance, res.assignments)
    bound = lp_bound(relax(build_instance(ds, policy, DAY)), target=3)
    assert points <= bound <= points + 1


def test_U_PARTICIPATE_a_must_send_unit_leads_a_team_in_the_lp():
    """A must-send province unit of three, far away; a county unit of four next door; a
    weak village and a key one (three posts, hunan-2021). Every plan filling the four posts
    sends the province unit's first secretary to the weak village (not ``key``: S-PROVKEY)
    and the county unit's team to the key one. Counting members toward the rule, the LP met
    it with a third of a province team at the key village (300 points above the plan); a
    unit that sends anyone leads a team (T-UNIT), so its row counts first secretaries."""
    ds = dataset(
        [unit("P", "province", staff=120, x=300), unit("K", x=0)],
        [cadre("p1", "P", rank="division"), cadre("p2", "P"), cadre("p3", "P")]
        + [cadre(f"k{i}", "K") for i in range(4)],
        [village("V1", "weak", x=0), village("V2", "key", x=0)],
    )
    policy = load_policy("hunan-2021")
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    leads = {(a.cadre_id[0], a.village_id) for a in res.assignments if a.role == "secretary"}
    assert leads == {("p", "V1"), ("k", "V2")}
    points = plan_points(res.instance, res.assignments)
    assert points <= lp_bound(relax(build_instance(ds, policy, DAY)), target=4, sends={"P"}) \
        <= points + 1  # fmt: skip


def test_T_SEC_the_lp_may_leave_incumbent_members_without_a_secretary():
    """A member serves on at a heavy village with no first secretary; the unit has one
    cadre who may lead and one who may not, and a key village needs two. The plan sends
    both to the key village (two key posts; the serving member's counts only with a
    secretary beside them). The LP once counted the serving member's post as filled and so had to
    seat a secretary beside them: at most one post more, one fewer than the plan fills."""
    ds = dataset(
        [unit("P", "province", staff=20)],
        [cadre("lead", "P", rank="division"),
         cadre("mem", "P", political_status="none", party_date=None),
         cadre("old", "P", political_status="none", party_date=None)],
        [village("V0", "heavy"), village("V1", "key")],
        history=[Posting("old", "P", "V0", "province", "member", DAY.replace(year=2025), None)],
    )  # fmt: skip
    policy = load_policy("central-2021")
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    assert res.coverage == {"key": (2, 2), "heavy": (0, 1)}
    points = plan_points(res.instance, res.assignments)
    rel = relax(build_instance(ds, policy, DAY))
    assert lp_max_posts(rel) == 2
    assert points <= lp_bound(rel, target=2) <= points + 1


def test_J_JOINT_partners_may_join_an_incumbent_unit_with_no_one_left_to_send():
    """A small unit's first secretary serves on at a key village (three posts, hunan-2021);
    the unit has no one else. A small partner of its level and region sends two members to
    that team. The LP once let partners join only units with people of their own to post."""
    ds = dataset(
        [unit("A", staff=20), unit("B", staff=20)],
        [cadre("a0", "A"), *(cadre(f"b{i}", "B", political_status="none", party_date=None)
                             for i in range(2))],
        [village("V", "key")],
        history=[Posting("a0", "A", "V", "county", "secretary", DAY.replace(year=2025), None)],
    )  # fmt: skip
    policy = load_policy("hunan-2021")
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    assert res.coverage == {"key": (3, 3)}
    rel = relax(build_instance(ds, policy, DAY))
    assert lp_max_posts(rel) == 3
    points = plan_points(res.instance, res.assignments)
    assert points <= lp_bound(rel, target=3) <= points + 1


def test_C_CLUSTER_a_cover_in_the_lp_needs_a_hosts_team():
    """Two adjacent demo villages and a weak one (hunan-2021: a demo village hosts and may
    be covered), one first secretary: at most two posts, a host's and the village it
    covers (the plan fills the weak one: weak comes first). The flow fills coverable
    villages from a free source, three posts; the LP once did too."""
    ds = dataset(
        [unit("K", x=0)],
        [cadre("k1", "K")],
        [village("VA", "demo"), village("VB", "demo"), village("VC", "weak")],
        adjacency=[("VA", "VB")],
    )
    policy = load_policy("hunan-2021")
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    assert res.coverage == {"weak": (1, 1), "demo": (0, 2)}
    rel = relax(build_instance(ds, policy, DAY))
    assert rel.max_posts == 3 and lp_max_posts(rel) == 2


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ds=instances(clusters=True))
def test_C_CLUSTER_lp_bounds_hold_for_the_optimum_with_covers(ds):
    """Demo villages, some adjacent (hunan-2021): the LP's count and soft bound hold for the
    exact optimum, whose teams may cover their neighbours."""
    policy = load_policy("hunan-2021")
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    rel = relax(build_instance(ds, policy, DAY))
    filled = sum(f for f, _ in res.coverage.values())
    assert filled <= lp_max_posts(rel)
    if res.status == "OPTIMAL" and res.objective is not None:
        got = {c: f for c, (f, _) in res.coverage.items()}
        points = plan_points(res.instance, res.assignments)
        assert points <= lp_bound(rel, target=filled, classes=got) + 1e-6


def test_the_lp_bound_for_a_plans_classes_keeps_the_costly_post_coverage_chose():
    """One first secretary, a weak village far away and a heavy one next door: coverage
    posts them to the weak one (SPEC §3). The LP bound of one post in total is the near
    village's points; of one weak post, the far one's — the plan's own."""
    ds = dataset(
        [unit("K", x=0)],
        [cadre("a", "K")],
        [village("VW", "weak", x=300), village("VH", "heavy", x=1)],
    )
    policy = load_policy("central-2021")
    res = solve(ds, policy, DAY, method="exact", time_limit=20)
    assert [a.village_id for a in res.assignments] == ["VW"]
    rel = relax(build_instance(ds, policy, DAY))
    points = plan_points(res.instance, res.assignments)
    assert lp_bound(rel, target=1) > points + 250  # travel: 300 km against 1
    assert points <= lp_bound(rel, target=1, classes={"weak": 1, "heavy": 0}) <= points + 1


def test_the_lp_counts_a_class_given_the_classes_before_it():
    """One unit, one person who may lead: the weak village takes them first (SPEC §3), so the
    key village's members, who follow their own unit's secretary, fill nothing. The flow's
    per-class bound (2 key posts) and the LP's total (2) leave 2 posts in doubt; the LP
    counting key posts among plans with the weak post filled proves the plan the most, as
    the exact model does."""
    member = {"political_status": "none", "party_date": None}
    ds = dataset(
        [unit("K", x=0)],
        [cadre("s", "K"), cadre("m1", "K", **member), cadre("m2", "K", **member)],
        [village("W", "weak", x=5), village("V", "key", x=1)],
    )
    policy = load_policy("central-2021")
    rel = relax(build_instance(ds, policy, DAY))
    assert lp_class_posts(rel, "weak") == 1
    assert lp_class_posts(rel, "key") == 2
    assert lp_class_posts(rel, "key", {"weak": 1}) == 0
    exact = solve(ds, policy, DAY, method="exact", time_limit=20)
    split = solve(ds, policy, DAY, method="decompose", time_limit=20, workers=2)
    assert split.coverage == exact.coverage == {"weak": (1, 1), "key": (0, 2)}
    assert split.coverage_bound == exact.coverage_bound == {"weak": 1, "key": 0}
    assert split.coverage_proven and split.posts_bound == 1
    # the same counts from one LP aimed at each class in turn, once the plan is settled
    lp = LpBounds(rel, Tuning(), 1, True, False, order=["weak", "key"])
    lp.start()
    lp.settle({"weak": 1, "key": 0}, ["weak", "key"])
    lp.wait(60.0)
    assert lp.class_posts == {"weak": 1, "key": 0}
    assert lp.class_bound({"weak": 1, "key": 0}) == {"weak": 1, "key": 0}
    assert lp.class_bound({"weak": 0, "key": 2}) == {"weak": 1}  # key's holds for weak ≥ 1


def test_the_lp_bound_is_aimed_at_the_settled_plans_classes_before_the_class_counts():
    """Set up for the greedy plan's classes (the near heavy village), settled with the plan's
    (the far weak one): the soft bound is re-solved for the plan's counts in the LP's own
    thread, before the class counts take the time that is left."""
    ds = dataset(
        [unit("K", x=0)],
        [cadre("a", "K")],
        [village("VW", "weak", x=300), village("VH", "heavy", x=1)],
    )
    rel = relax(build_instance(ds, load_policy("central-2021"), DAY))
    lp = LpBounds(rel, Tuning(), 1, True, False, classes={"weak": 0, "heavy": 1},
                  order=["weak", "heavy"])  # fmt: skip
    lp.start()
    lp.settle({"weak": 1, "heavy": 0}, ["heavy"])
    lp.wait(60.0)
    assert lp.bound == lp_bound(rel, target=1, classes={"weak": 1, "heavy": 0})
    assert lp.bound_for(1, {"weak": 1, "heavy": 0}) == (lp.bound, True)
    assert lp.class_posts == {"heavy": 0}


def test_the_lp_set_up_for_the_greedy_plans_classes_is_aimed_again_at_the_plans():
    """The LP runs beside the parts for the greedy plan's classes; a plan with another mix
    (better in class order) gets the same LP solved again for its own counts."""
    from optimizer.model.params import Tuning
    from optimizer.scale.lpbounds import LpBounds

    ds = dataset(
        [unit("K", x=0)],
        [cadre("a", "K")],
        [village("VW", "weak", x=300), village("VH", "heavy", x=1)],
    )
    inst = build_instance(ds, load_policy("central-2021"), DAY)
    rel = relax(inst)
    lp = LpBounds(rel, Tuning(), 1, True, False, classes={"weak": 0, "heavy": 1})
    lp.start()
    lp.wait(60.0)
    assert lp.bound_for(1, {"weak": 0, "heavy": 1}) == (lp.bound, True)
    near = lp.bound
    far, final = lp.bound_for(1, {"weak": 1, "heavy": 0})
    assert final and lp.classes == {"weak": 1, "heavy": 0}
    assert near > far + 250  # 300 km against 1
    assert far == lp_bound(rel, target=1, classes={"weak": 1, "heavy": 0})


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ds=instances(), preset=st.sampled_from(PRESETS), data=st.data())
def test_every_decomposed_plan_verifies_clean(tmp_path_factory, ds, preset, data):
    # move some villages and county-level units to a second county
    moved = {v for v in ds.villages if data.draw(st.booleans())}
    ds.villages = {k: replace(v, county=B) if k in moved else v for k, v in ds.villages.items()}
    ds.units = {
        k: replace(u, region=B)
        if u.level in ("county", "township") and data.draw(st.booleans())
        else u
        for k, u in ds.units.items()
    }
    policy = load_policy(preset)
    res = solve(ds, policy, DAY, method="decompose", time_limit=20)
    assert res.has_plan, (res.status, res.notes)
    # the county pairs' split counts coverage as the model does: the counties add up
    inst = res.instance
    per = [
        _coverage(inst, res.assignments, res.covers, k)
        for k in sorted({v.county for v in ds.villages.values()})
    ]
    total = {c: tuple(sum(p.get(c, (0, 0))[i] for p in per) for i in (0, 1)) for c in res.coverage}
    assert total == res.coverage, (res.assignments, res.notes)
    out = tmp_path_factory.mktemp("p") / "plan"
    write_plan(res.tables, out)
    hard = [v for v in verify_plan(ds, out, policy, DAY) if v.severity == "hard"]
    stated = {n.split()[4] for n in res.notes if "U-PARTICIPATE" in n}
    hard = [v for v in hard if not (v.rule == "U-PARTICIPATE" and v.detail_en.split()[2] in stated)]
    assert hard == [], [(v.rule, v.village_id, v.cadre_id, v.detail_en) for v in hard]


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        solve(two_counties(), load_policy("central-2021"), DAY, method="decompse")


def test_decomposition_is_decided_by_budgets_not_the_clock():
    """A run with time to spare says nothing about the clock, spends deterministic time, and
    a cancelled coverage LP proves nothing (it returns the flow's count)."""
    import threading

    ds, policy = two_counties(), load_policy("central-2021")
    res = solve(ds, policy, DAY, method="decompose", time_limit=60, workers=2)
    assert res.deterministic_time > 0
    assert not [n for n in res.notes if "time limit" in n]
    rel = relax(build_instance(ds, policy, DAY))
    stop = threading.Event()
    stop.set()
    assert lp_max_posts(rel, stop) == rel.max_posts


def test_part_keeps_the_recall_of_an_incumbent_handed_elsewhere():
    """A recalled incumbent's post is open in its county's part even when the cadre, a wide
    unit's, is not in that part: the part must not count the post as filled."""
    from datetime import timedelta

    from optimizer.data.domain import Posting, Recall
    from optimizer.scale.parts import part_dataset as _part

    ds = two_counties()
    start = DAY - timedelta(days=365)
    ds = replace(
        ds,
        history=[Posting("p0", "P", "VA1", "province", "secretary", start)],
        recall=[Recall("p0")],
    )
    part = _part(ds, A, {"p1": A}, DAY)
    assert "p0" not in part.cadres
    inst = build_instance(part, load_policy("central-2021"), DAY)
    assert inst.inc_by_village.get("VA1", []) == []


def test_a_kept_pair_splits_back_into_its_counties():
    """The pairs phase splits a pair's plan per county: postings by village, coverage as the
    model counts it, the work counted once."""
    from optimizer.scale.pairs import split as _split

    ds, policy = two_counties(), load_policy("central-2021")
    r = solve(ds, policy, DAY, method="exact", time_limit=30)
    a, b = _split(r.instance, r, A, B)
    key = lambda x: (x.cadre_id, x.village_id, x.role)  # noqa: E731
    assert sorted(a.assignments + b.assignments, key=key) == sorted(r.assignments, key=key)
    assert {x.village_id[:2] for x in a.assignments} == {"VA"}
    assert {x.village_id[:2] for x in b.assignments} == {"VB"}
    total = {
        c: tuple(
            x + y for x, y in zip(a.coverage.get(c, (0, 0)), b.coverage.get(c, (0, 0)), strict=True)
        )
        for c in r.coverage
    }
    assert total == r.coverage
    assert (a.deterministic_time, b.deterministic_time) == (r.deterministic_time, 0.0)


def test_U_PARTICIPATE_must_send_home_is_a_county_the_unit_can_lead_in():
    """A must-send unit is homed where one of its handed-in cadres may lead a village: the
    part that carries its obligation can meet it (county-201-like data broke U-PARTICIPATE
    when the home was merely the county of its first cadre by id)."""
    from optimizer.scale.allocation import must_send_homes

    ds = two_counties()
    ds.units["P"] = replace(ds.units["P"], staff=400)
    policy = load_policy("hunan-2021")
    inst = build_instance(ds, policy, DAY)
    assert "P" in inst.must_send
    # p0 handed to county A as a member only would make A its home by id order
    alloc = {"p0": A}
    leads_in_a = [v for v in inst.unit_villages["P"]["secretary"] if v.startswith("VA")]
    if leads_in_a:  # make A impossible to lead in: the unit's A cadres are all barred there
        inst.barred["p0"] = set(leads_in_a)
    home = must_send_homes(inst, alloc)
    k = home["P"]
    led = [v for v in inst.unit_villages["P"]["secretary"] if ds.villages[v].county == k]
    assert any(
        c
        for c, kk in alloc.items()
        if kk == k
        and ds.cadres[c].unit_id == "P"
        and any("secretary" in inst.roles(c, v) for v in led)
    )


def test_T_SEC_part_keeps_a_wide_units_incumbent_it_was_not_handed():
    """An incumbent first secretary from a province unit stays in the part of the village he
    serves, though the allocation hands him to no part (he is busy): read as absent, his
    posting would count as a departed cadre's, vacant, and the part would seat a second
    first secretary there (city-201 under hunan-2021: 108 T-SEC violations)."""
    from datetime import timedelta

    from optimizer.data.domain import Posting
    from optimizer.scale.parts import part_dataset as _part

    ds = two_counties()
    start = DAY - timedelta(days=180)
    ds = replace(ds, history=[Posting("p0", "P", "VA1", "province", "secretary", start)])
    part = _part(ds, A, {"p1": A}, DAY)
    assert "p0" in part.cadres
    inst = build_instance(part, load_policy("central-2021"), DAY)
    assert [p.cadre_id for p in inst.inc_by_village.get("VA1", [])] == ["p0"]
    split = solve(ds, load_policy("central-2021"), DAY, method="decompose", time_limit=30)
    secs = [a for a in split.assignments if a.village_id == "VA1" and a.role == "secretary"]
    assert secs == []


def test_spare_people_phase_offers_a_county_the_wide_cadres_no_part_posted():
    """County B's part was handed only a far province unit's cadre; the near unit's cadre,
    handed to A and left unposted there, is spare: the phase offers it to B, whose plan then
    scores more (S-TRAVEL) with the same coverage, and no cadre is in two counties' plans."""
    import time

    from optimizer.model.params import SolveParams
    from optimizer.scale.budget import Budget
    from optimizer.scale.parts import points_and_cover, solve_part
    from optimizer.scale.pool import SparePool

    units = [unit("KA", region=A, x=0), unit("PN", "province", x=49, kind="organ", staff=30),
             unit("PF", "province", x=0, kind="organ", staff=30)]  # fmt: skip
    cadres = [cadre(f"a{i}", "KA") for i in range(3)]
    cadres += [
        cadre("near", "PN", rank="deputy_division"),
        cadre("far", "PF", rank="deputy_division"),
    ]
    villages = [village("VA1", "weak", x=1), replace(village("VB1", "weak", x=50), county=B)]
    inst = build_instance(dataset(units, cadres, villages), load_policy("central-2021"), DAY)
    alloc = {"near": A, "far": B}
    params = SolveParams(time_limit=30, workers=1, method="exact", handle_sigint=False)
    results = {k: solve_part(inst, k, alloc, set(), params, dtime=20.0) for k in (A, B)}
    assert {a.cadre_id for a in results[B].assignments} == {"far"}
    assert "near" not in {a.cadre_id for a in results[A].assignments}
    before = {k: points_and_cover(inst, r) for k, r in results.items()}
    clock: list[str] = []
    pool = SparePool(inst, results, alloc, {}, replace(params, workers=2),
                     Budget(time.monotonic(), time.monotonic() + 60), clock)  # fmt: skip
    left = pool.run([B, A], 50.0)
    assert 0 <= left < 50.0 and not clock
    assert {a.cadre_id for a in results[B].assignments} == {"near"}
    assert alloc["near"] == B
    for k in (A, B):
        cov, pts = points_and_cover(inst, results[k])
        assert cov == before[k][0] and pts >= before[k][1]
    assert points_and_cover(inst, results[B])[1] > before[B][1]
    posted = [a.cadre_id for r in results.values() for a in r.assignments]
    assert len(posted) == len(set(posted))


def test_H_CONTINUITY_allocation_hands_a_wide_unit_to_the_county_it_keeps():
    """H-CONTINUITY: a province unit whose previous team served a village of county B
    has its free people handed to B even when neither the greedy nor the flow sends it there
    (a part can only keep a village's unit if it holds that unit's people), those who may
    lead a team dealt first and in proportion."""
    from datetime import timedelta

    from optimizer.data.domain import Posting
    from optimizer.scale.allocation import allocation, shares

    ds = two_counties()
    start, end = DAY - timedelta(days=3 * 365), DAY - timedelta(days=365)
    ds = replace(ds, history=[Posting("x9", "P", "VB1", "province", "secretary", start, end)])
    inst = build_instance(ds, load_policy("hunan-2021"), DAY)
    assert inst.prev_units["VB1"] == {"P"}
    alloc = allocation(inst, {}, {})
    assert {alloc[c] for c in ("p0", "p1", "p2")} == {B}
    # the flow sends it to A: A and B share its people
    alloc = allocation(inst, {"p0": A}, {})
    assert {alloc[c] for c in ("p0", "p1", "p2")} == {A, B}
    # a policy without H-CONTINUITY: the flow's county alone
    off = replace(load_policy("hunan-2021"), continuity="off")
    assert {
        allocation(build_instance(ds, off, DAY), {"p0": A}, {})[c] for c in ("p0", "p1", "p2")
    } == {A}
    assert shares({"a": 3, "b": 1}, 8) == ["a"] * 6 + ["b"] * 2
    assert shares({"a": 1, "b": 1, "c": 1}, 4) == ["a", "a", "b", "c"]


def test_spare_people_phase_never_posts_a_cadre_in_two_counties_of_a_wave():
    """A spare cadre handed to A (unposted there) and offered to B, both in one wave: only B
    may post them. (Each county's part once read the old hand-out: province-201 under
    hunan-2021 posted two cadres twice.)"""
    import time

    from optimizer.model.params import SolveParams
    from optimizer.scale.budget import Budget
    from optimizer.scale.parts import solve_part
    from optimizer.scale.pool import SparePool

    units = [unit("KA", region=A, x=0), unit("PN", "province", x=49, kind="organ", staff=30),
             unit("PF", "province", x=0, kind="organ", staff=30)]  # fmt: skip
    cadres = [cadre(f"a{i}", "KA") for i in range(3)]
    cadres += [
        cadre("near", "PN", rank="deputy_division"),
        cadre("far", "PF", rank="deputy_division"),
    ]
    villages = [village("VA1", "weak", x=45), replace(village("VB1", "weak", x=50), county=B)]
    inst = build_instance(dataset(units, cadres, villages), load_policy("central-2021"), DAY)
    params = SolveParams(time_limit=30, workers=1, method="exact", handle_sigint=False)
    results = {k: solve_part(inst, k, {"far": B}, set(), params, dtime=20.0) for k in (A, B)}
    alloc = {"near": A, "far": B}
    pool = SparePool(inst, results, alloc, {}, replace(params, workers=2),
                     Budget(time.monotonic(), time.monotonic() + 60), [])  # fmt: skip
    pool.run([A, B], 50.0)
    posted = [a.cadre_id for r in results.values() for a in r.assignments]
    assert len(posted) == len(set(posted))
    assert "near" in {a.cadre_id for a in results[B].assignments}


def test_U_PARTICIPATE_must_send_home_of_a_serving_unit_is_its_incumbents_county():
    """A must-send unit with a cadre serving on meets U-PARTICIPATE already; homed anywhere
    else, that county's part would have to make it send again, its greedy start would not be
    valid and its search would begin from nothing (the realistic city of seed 1 under
    hunan-2021: four counties whose parts never found a plan better than the greedy's)."""
    from datetime import timedelta

    from optimizer.data.domain import Posting
    from optimizer.scale.allocation import must_send_homes

    ds = two_counties()
    ds.units["P"] = replace(ds.units["P"], staff=400)
    start = DAY - timedelta(days=180)
    ds = replace(ds, history=[Posting("p0", "P", "VB1", "province", "secretary", start)])
    inst = build_instance(ds, load_policy("hunan-2021"), DAY)
    assert "P" in inst.must_send
    # p1 handed to county A, where it may lead: without the incumbent, A would be its home
    assert must_send_homes(inst, {"p1": A})["P"] == B


def serving_unit_sent_elsewhere():
    """A must-send province unit P whose first secretary serves on in county A; county B has
    no units of its own and a city unit Q with one team's people, so the greedy plan also
    sends a team of P's to B."""
    from datetime import timedelta

    units = [unit("KA", region=A, x=0), unit("P", "province", x=45, kind="organ", staff=400),
             unit("Q", "city", x=50, staff=50)]  # fmt: skip
    cadres = [cadre(f"a{i}", "KA") for i in range(3)]
    cadres += [cadre(f"p{i}", "P", rank="deputy_division") for i in range(12)]
    cadres += [cadre(f"q{i}", "Q") for i in range(3)]
    villages = [village("VA1", "key", x=1)]
    villages += [replace(village(f"VB{i}", "key", x=50 + i), county=B) for i in (1, 2)]
    start = DAY - timedelta(days=180)
    history = [Posting("p0", "P", "VA1", "province", "secretary", start)]
    return dataset(units, cadres, villages, history=history)


def test_U_PARTICIPATE_a_serving_unit_stays_homed_with_its_incumbent(tmp_path):
    """P's incumbent meets U-PARTICIPATE; homed in B, where the greedy plan happens to send it,
    B's part (which does not hold the incumbent) would have to send from P whatever it costs,
    and later phases could never drop that team (city-201 under hunan-2021: 44 new province
    first secretaries against the LP's 20, 43 of 54 province teams scoring below zero; soft
    gap 3.68 % → 2.56 % once fixed). Fails on 9607dcb: P homed in B."""
    import time

    from optimizer.model.params import SolveParams
    from optimizer.model.result import SolveResult, Status
    from optimizer.scale.budget import Budget
    from optimizer.scale.decompose import Decomposition
    from optimizer.scale.floor import province_greedy
    from optimizer.scale.pairs import CountyPairs

    ds, policy = serving_unit_sent_elsewhere(), load_policy("hunan-2021")
    inst = build_instance(ds, policy, DAY)
    assert inst.must_send == {"P"} and [p.cadre_id for p in inst.incumbents] == ["p0"]
    floor = province_greedy(inst)
    sent = {k for k, ps in floor.postings.items() for c, _, _ in ps if c.startswith("p")}
    assert floor.valid and B in sent and "P" not in floor.homes
    params = SolveParams(time_limit=30, workers=2, method="decompose")
    now = time.monotonic()
    split = Decomposition(inst, Budget(now, now + 30), params, None, None)
    res = split.solve()
    assert split.home["P"] == A
    res.status = Status.FEASIBLE
    write_plan(res.tables, tmp_path / "plan")
    assert not [v for v in verify_plan(ds, tmp_path / "plan", policy, DAY) if v.severity == "hard"]
    # a kept county pair sending P only in B leaves P's home with its incumbent
    r = SolveResult(Status.OPTIMAL, inst)
    r.assignments = [x for x in res.assignments if x.village_id.startswith("VB")]
    halves = [_coverage(inst, r.assignments, [], k) for k in (A, B)]
    r.coverage = {
        c: tuple(sum(h.get(c, (0, 0))[i] for h in halves) for i in (0, 1))
        for c in halves[0].keys() | halves[1].keys()
    }
    pairs = CountyPairs(inst, {A: res, B: res}, {}, {"P": A}, params, Budget(now, None), [])
    pairs.keep(r, A, B, {})
    assert pairs.home == {"P": A}


def test_county_pair_starts_from_its_two_counties_plans(monkeypatch):
    """A county pair's search starts from the two counties' plans (and is modelled on their
    shortlist): from nothing, its deterministic budget rarely found a plan as good as
    theirs (city-201 under central-2021, 60 s: 14 of 14 pairs kept with the start, soft gap
    0.65 % → 0.35 %). Fails on c2a5605: no start."""
    import time

    from optimizer.model.params import SolveParams
    from optimizer.scale import pairs as pairs_module
    from optimizer.scale.budget import Budget
    from optimizer.scale.parts import points_and_cover, solve_part

    inst = build_instance(two_counties(), load_policy("central-2021"), DAY)
    alloc = {"p0": A, "p1": B, "p2": B}
    params = SolveParams(time_limit=30, workers=1, method="exact", handle_sigint=False)
    results = {k: solve_part(inst, k, alloc, set(), params, dtime=20.0) for k in (A, B)}
    seen = []

    def spy(*args, **kw):
        seen.append(kw.get("start"))
        return solve_part(*args, **kw)

    monkeypatch.setattr(pairs_module, "solve_part", spy)
    now = time.monotonic()
    pairs = pairs_module.CountyPairs(inst, results, alloc, {}, params, Budget(now, now + 60), [])
    pairs.deadline = now + 50
    r = pairs.solve((A, B), 0.01)
    both = {(x.cadre_id, x.village_id, x.role) for k in (A, B) for x in results[k].assignments}
    assert seen and seen[0] is not None and set(seen[0]["at"]) == both
    cov, pts = points_and_cover(inst, r)
    assert cov >= tuple(
        a + b for a, b in zip(*(points_and_cover(inst, results[k])[0] for k in (A, B)), strict=True)
    )
    assert pts >= sum(points_and_cover(inst, results[k])[1] for k in (A, B))


def test_greedy_floor_homes_a_must_send_unit_where_it_sends_members():
    """The greedy floor homes a must-send unit where it sends, a joint team's members
    included (not only where it leads)."""
    from optimizer.scale.floor import province_greedy

    ds, policy = two_counties(), load_policy("hunan-2021")
    ds.units["P"] = replace(ds.units["P"], staff=400)
    inst = build_instance(ds, policy, DAY)
    floor = province_greedy(inst)
    sent = {
        ds.villages[v].county
        for ps in floor.postings.values()
        for c, v, _ in ps
        if ds.cadres[c].unit_id == "P"
    }
    assert floor.valid and floor.homes["P"] in sent


def test_H_CONTINUITY_greedy_tries_the_unit_keeping_a_village_first():
    """Soft H-CONTINUITY in the greedy plan: the unit whose previous team served a village
    is tried there before the others, as a careful planner does (tried last, its people were
    spent elsewhere first: city-201 under hunan-2021 lost 186 kept villages, and the county
    parts are handed the greedy's people where it posts them)."""
    from datetime import timedelta

    from optimizer.data.domain import Posting
    from optimizer.model.greedy import greedy
    from optimizer.model.shape import build_shape

    ds = two_counties()
    start, end = DAY - timedelta(days=3 * 365), DAY - timedelta(days=365)
    ds = replace(ds, history=[Posting("x9", "P", "VB1", "province", "secretary", start, end)])
    shape = build_shape(build_instance(ds, load_policy("hunan-2021"), DAY))

    def leader(sol):
        return next(u for (u, v), x in sol["t"].items() if v == "VB1" and x)

    assert leader(greedy(shape)) == "P"
    assert leader(greedy(shape, near_first=True)) == "P"
    assert leader(greedy(shape, near_first=True, keep_first=False)) == "KB"


@pytest.mark.parametrize(("villages", "beside"), [(2_000, True), (7_400, False)])
def test_lp_count_runs_beside_the_parts_below_lp_beside_villages(monkeypatch, villages, beside):
    """With many posts in doubt the LP's count comes first; below
    ``Tuning.lp_beside_villages`` it starts with the parts (a city's LP started after them was
    often too late), above it waits for them (province-201 under hebei-2018)."""
    from types import SimpleNamespace

    from optimizer.model.params import Tuning
    from optimizer.scale.budget import Budget
    from optimizer.scale.decompose import Decomposition
    from optimizer.scale.lpbounds import LpBounds

    started = []
    monkeypatch.setattr(LpBounds, "start", lambda self: started.append(self.count_first))
    rel = SimpleNamespace(max_posts=1_000, bound=0.0, arrays=None)
    fake = SimpleNamespace(
        posts_bound=1_000,
        class_bound={},
        rel=rel,
        floor=SimpleNamespace(valid=True, class_totals=dict, pairs=list, sends=set),
        tuning=Tuning(),
        workers=2,
        inst=SimpleNamespace(need=dict.fromkeys(range(villages))),
        budget=Budget(0.0, None),
        outer=Budget(0.0, None),
    )
    assert Decomposition.start_lp(fake, got=900) is beside  # 100 of 1,000 in doubt: many
    assert started == ([True] if beside else [])


@pytest.mark.parametrize(("filled", "count_first"), [(998, True), (1_000, False)])
def test_lp_started_after_the_parts_puts_first_what_their_count_leaves_in_doubt(
    filled, count_first
):
    """Set up with the greedy plan's count (many in doubt: the count first), an LP started
    after the parts takes their count: few in doubt then, the soft bound comes first."""
    from types import SimpleNamespace

    from optimizer.scale.decompose import Decomposition

    started = []
    lp = SimpleNamespace(count_first=True, start=lambda: started.append(lp.count_first))
    part = SimpleNamespace(coverage={"key": (filled, 1_000)})
    fake = SimpleNamespace(
        results={"K": part}, posts_bound=1_000, rel=SimpleNamespace(max_posts=1_000), lp=lp
    )
    Decomposition.start_lp_late(fake)
    assert started == [count_first]


def test_lp_wait_gives_a_running_lp_its_time_and_returns_at_once_when_none_runs():
    """The end of a decomposed solve waits, within the time kept back, for an LP still
    running: its bound is then the one stated; an LP never started costs no wait."""
    import math
    import time

    from optimizer.model.params import Tuning
    from optimizer.scale.lpbounds import LpBounds

    rel = relax(build_instance(two_counties(), load_policy("central-2021"), DAY))
    idle = LpBounds(rel, Tuning(), rel.max_posts, proven=True, count_first=False)
    t0 = time.monotonic()
    idle.wait(30.0)
    assert time.monotonic() - t0 < 1.0 and math.isnan(idle.bound)
    lp = LpBounds(rel, Tuning(), rel.max_posts, proven=True, count_first=False)
    lp.start()
    lp.wait(60.0)
    assert not math.isnan(lp.bound) and lp.bound <= rel.bound + 1  # rounded up


def test_lp_past_its_deadline_states_no_bound_of_its_own():
    """An LP out of time gives no bound (NaN), and its count falls back on the flow's: it
    never runs on into the writing of the plan (province-201 under hebei-2018: 26 s over)."""
    import math
    import time

    rel = relax(build_instance(two_counties(), load_policy("hunan-2021"), DAY))
    past = time.monotonic() - 1.0
    assert math.isnan(lp_bound(rel, deadline=past))
    assert lp_max_posts(rel, deadline=past) == rel.max_posts
    assert not math.isnan(lp_bound(rel, deadline=time.monotonic() + 60.0))


def test_the_count_lp_re_solves_by_primal_simplex_the_soft_lp_by_dual():
    """After pricing adds columns the count LP's basis is primal feasible and the LP
    degenerate (no costs but the posts): dual simplex re-solves took 8–130 s, primal
    0.0–0.3 s. The soft LP stays on dual simplex (primal was slower there)."""
    import math

    from optimizer.model.params import Tuning
    from optimizer.scale.lpbounds import team_lp

    rel = relax(build_instance(two_counties(), load_policy("hunan-2021"), DAY))
    count, soft = team_lp(rel, Tuning(), True), team_lp(rel, Tuning(), False)
    assert not math.isnan(count.solve()) and not math.isnan(soft.solve())
    assert count.h.getOptionValue("simplex_strategy")[1] == 4  # primal
    assert soft.h.getOptionValue("simplex_strategy")[1] == 1  # HiGHS's default: dual


def test_an_lp_still_pricing_states_its_best_rounds_bounds(monkeypatch):
    """Every pricing round's Lagrangian bound holds: an LP cut short, or still pricing when
    the plan is written, gives its best round's count and soft bound, not none
    (province-201 under hunan-2021: within 0.1 % of its final bound after 3 of 5 rounds)."""
    import threading
    import time

    import numpy as np

    from optimizer.model.params import Tuning
    from optimizer.scale.lp import TeamLp
    from optimizer.scale.lpbounds import LpBounds

    rel = relax(build_instance(two_counties(), load_policy("hunan-2021"), DAY))
    soft, posts = lp_bound(rel), lp_max_posts(rel)
    assert lp_bound(rel, tuning=Tuning(pricing_rounds=1)) >= soft
    gate, rounds, real_run, real_price = threading.Event(), [], TeamLp.run, TeamLp.price

    def run(self):  # the second round hangs until the gate opens
        rounds.append(self.coverage)
        if len(rounds) > 1:
            gate.wait(30.0)
        return real_run(self)

    def price(self):  # and pricing never ends
        return real_price(self)[0], np.zeros(self.npair, dtype=bool)

    monkeypatch.setattr(TeamLp, "run", run)
    monkeypatch.setattr(TeamLp, "price", price)
    for count_first in (True, False):
        rounds.clear()
        gate.clear()
        lp = LpBounds(rel, Tuning(), rel.max_posts, proven=not count_first, count_first=count_first)
        lp.start()
        for _ in range(300):
            if len(rounds) >= 2:
                break
            time.sleep(0.1)
        if count_first:
            assert lp.posts_now() == posts and lp.posts is None
        else:
            assert lp.bound_now() == (soft, False)
        gate.set()
        lp.wait(60.0)
        assert lp.bound_now() == (soft, True)
        assert lp.posts == (posts if count_first else rel.max_posts)


def test_a_decomposed_solve_keeps_back_time_to_write_the_reasons_of_short_posts():
    import time

    from optimizer.model.params import SolveParams, Tuning
    from optimizer.scale.budget import Budget
    from optimizer.scale.decompose import Decomposition

    ds = two_counties()  # six more key villages in county B: no one left to staff them
    more = [replace(village(f"VB{i}", "key", x=50 + i), county=B) for i in range(3, 9)]
    ds.villages.update({v.village_id: v for v in more})
    inst = build_instance(ds, load_policy("central-2021"), DAY)
    t0 = time.monotonic()
    per_post = 1.0 / len(ds.villages)  # one second per short post
    params = SolveParams(time_limit=30, tuning=Tuning(write_short_post_village=per_post))
    d = Decomposition(inst, Budget(t0, t0 + 30), params, None, None)
    assert d.solve().has_plan
    got = sum(x for cov in d.floor.coverage.values() for x in cov.values())
    short = sum(n.min for n in inst.need.values()) - got
    assert short > 0
    assert d.outer.deadline == pytest.approx(t0 + 30 - short)
