"""The soft program (:mod:`optimizer.scale.softmip`): province and city people where they
score most at the plan's counts, and a bound that holds only for plans as good in each class."""

from __future__ import annotations

import math
from dataclasses import replace

from factory import DAY, cadre, dataset, unit, village
from test_lpmip import A, B

from optimizer import load_policy
from optimizer.model.params import Tuning
from optimizer.model.result import Assignment
from optimizer.rules.instance import build_instance
from optimizer.rules.scoring import plan_points
from optimizer.scale.flow import relax
from optimizer.scale.softmip import soft_people


def near_and_far():
    """One province cadre, a weak village near it in county A and one far off in county B:
    either fills the one post the cadre makes, the near one for fewer kilometres."""
    return dataset(
        [unit("P", "province", staff=120, x=0, kind="organ")],
        [cadre("p1", "P", rank="division")],
        [replace(village("VB", "weak", x=300), county=B), village("VA", "weak", x=10)],
    )


def test_the_soft_program_sends_the_cadre_where_the_plan_scores_most():
    inst = build_instance(near_and_far(), load_policy("central-2021"), DAY)
    got = soft_people(relax(inst), Tuning(), 1, {"weak": 1}, (), (), None)
    assert got is not None and got.optimal and got.people == {"p1": A}
    near = plan_points(inst, [Assignment("p1", "VA", "secretary")])
    far = plan_points(inst, [Assignment("p1", "VB", "secretary")])
    assert far < near <= got.bound < near + 2  # the program's bound: the best plan's points


def test_the_soft_bound_holds_only_for_plans_filling_as_many_in_each_class():
    inst = build_instance(near_and_far(), load_policy("central-2021"), DAY)
    got = soft_people(relax(inst), Tuning(), 1, {"weak": 1}, (), (), None)
    assert got.bound_for(1, {"weak": 1}) == got.bound
    assert math.isnan(got.bound_for(0, {"weak": 0}))


def test_the_soft_program_is_not_tried_above_its_size():
    inst = build_instance(near_and_far(), load_policy("central-2021"), DAY)
    assert soft_people(relax(inst), Tuning(soft_mip_pairs=0), 1, {"weak": 1}, (), (), None) is None
