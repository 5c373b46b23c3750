"""The coverage program (:mod:`optimizer.scale.lpmip`): the team LP as an integer program,
whose province and city people the county parts are solved on again; and its round
(:mod:`optimizer.scale.mipround`), kept only when it fills more in SPEC §3's order."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
from factory import DAY, Pin, cadre, dataset, unit, village

from optimizer import load_policy
from optimizer.model.params import SolveParams, Tuning
from optimizer.rules.instance import build_instance
from optimizer.scale.blockserve import solve_one
from optimizer.scale.budget import Budget
from optimizer.scale.flow import relax
from optimizer.scale.lpmip import coverage_people
from optimizer.scale.mipround import CoverageRound
from optimizer.scale.parts import PartsState, solve_part

A, B = "430121", "430122"
ORDER = ["weak", "key"]


def near_and_far():
    """A weak village in each county; county A's own cadre, and a province cadre nearer to
    A: only the province one can reach county B's village."""
    return dataset(
        [unit("KA", region=A, x=30), unit("P", "province", staff=120, x=0, kind="organ")],
        [cadre("k1", "KA"), cadre("p1", "P", rank="division")],
        [village("VA", "weak", x=0), replace(village("VB", "weak", x=60), county=B)],
    )


def test_the_coverage_program_sends_the_province_cadre_where_no_one_else_can_go():
    inst = build_instance(near_and_far(), load_policy("central-2021"), DAY)
    got = coverage_people(relax(inst), Tuning(), ORDER, (), None)
    assert got.people == {"p1": B} and got.optimal
    assert got.counts == {"weak": 2, "key": 0}  # both villages' one post


def test_P_PIN_the_program_hands_a_pinned_province_cadre_to_the_pins_county():
    """p2 is pinned to county A's village, p1 could stand there as well: the LP may post p1
    at VA and p2 at VB, but the parts would then break the pin; p2 goes to A."""
    ds = dataset(
        [unit("P", "province", staff=120, x=0, kind="organ")],
        [cadre("p1", "P", rank="division"), cadre("p2", "P", rank="division")],
        [village("VA", "weak", x=0), replace(village("VB", "weak", x=60), county=B)],
        pins=[Pin("p2", "VA", "require", "secretary")],
    )
    inst = build_instance(ds, load_policy("central-2021"), DAY)
    assert coverage_people(relax(inst), Tuning(), ORDER, (), None).people == {"p1": B, "p2": A}


def round_on(found: dict[str, str], before: dict[str, str]):
    """The round on ``found``'s people after county parts solved on ``before``'s."""
    ds = near_and_far()
    inst = build_instance(ds, load_policy("central-2021"), DAY)
    params = SolveParams(time_limit=20, workers=1, method="exact")
    results = {k: solve_part(inst, k, before, set(), params) for k in (A, B)}
    alloc, home = dict(before), {}
    state = PartsState(inst, results, alloc, home, params,
                       Budget(time.monotonic(), time.monotonic() + 20), [])  # fmt: skip
    kept = CoverageRound(**vars(state)).run(found, [A, B], {A: None, B: None}, lambda _: None)
    return kept, state


def test_the_round_replaces_a_plan_that_fills_fewer_posts():
    kept, state = round_on({"p1": B}, before={"p1": A})
    assert kept and state.alloc == {"p1": B}
    assert sorted((a.cadre_id, a.village_id) for r in state.results.values()
                  for a in r.assignments) == [("k1", "VA"), ("p1", "VB")]  # fmt: skip


def test_the_round_keeps_a_plan_that_fills_as_many_posts():
    kept, state = round_on({"p1": A}, before={"p1": B})
    assert not kept and state.alloc == {"p1": B}
    assert sum(f for r in state.results.values() for f, _ in r.coverage.values()) == 2


def tiny_program(seconds: float = 5.0) -> tuple:
    """max x + y, x + y ≤ 1.5, both integer in [0, 1]: one of them is 1."""
    return (np.array([-np.inf]), np.array([1.5]), np.array([-1.0, -1.0]), np.zeros(2),
            np.ones(2), np.array([0, 1], np.int32), np.array([0, 0], np.int32),
            np.array([1.0, 1.0]), seconds, np.ones(2, np.uint8))  # fmt: skip


def test_a_child_solves_the_integer_program_and_says_it_is_optimal():
    x, optimal = solve_one(tiny_program(), time.monotonic() + 30)
    assert optimal and sorted(np.round(x).tolist()) == [0.0, 1.0]


def test_a_cancelled_program_returns_no_solution_at_once():
    stop = threading.Event()
    stop.set()
    t0 = time.monotonic()
    assert solve_one(tiny_program(), time.monotonic() + 30, stop) == (None, False)
    assert time.monotonic() - t0 < 5.0


def test_P_PIN_the_lp_names_no_pinned_cadre_at_another_village():
    """Where some of a unit's people are barred (p3 served at VB before: H-NOREPEAT), the LP
    names who may stand there; p1, pinned to VA, is not among them."""
    from factory import Posting

    from optimizer.scale.lpbounds import team_lp

    served = DAY.replace(year=2020)
    ds = dataset(
        [unit("P", "province", staff=120, x=0, kind="organ")],
        [cadre(f"p{i}", "P", rank="division") for i in (1, 2, 3)],
        [village("VA", "weak", x=0), replace(village("VB", "weak", x=60), county=B)],
        history=[Posting("p3", "P", "VB", "province", "secretary", served, served)],
        pins=[Pin("p1", "VA", "require", "secretary")],
    )
    lp = team_lp(relax(build_instance(ds, load_policy("central-2021"), DAY)), Tuning(), True)
    ids = [c for u in lp.uids for c in lp.inst.eligible[u]]
    named = {lp.a.vids[lp.a.pv[i]]: sorted(ids[c] for c in people)
             for i, (people, _) in lp.allow.items()}  # fmt: skip
    assert named == {"VB": ["p2"]}


def test_P_PIN_binds_the_count_lps_as_it_binds_the_plan():
    """p1, the only one who can stand at the weak village, is pinned to the other village:
    no plan fills the weak post, and the LP's counts say so (without the pin they said 1)."""
    from optimizer.scale.lpbounds import lp_class_posts

    ds = dataset(
        [unit("P", "province", staff=120, x=0, kind="organ")],
        [cadre("p1", "P", rank="division")],
        [village("VA", "weak", x=0), village("VB", "key", x=5)],
        pins=[Pin("p1", "VB", "require", "secretary")],
    )
    policy = load_policy("central-2021")
    assert lp_class_posts(relax(build_instance(ds, policy, DAY)), "weak") == 0
    free = replace(ds, pins=[])
    assert lp_class_posts(relax(build_instance(free, policy, DAY)), "weak") == 1
