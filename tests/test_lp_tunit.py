"""T-UNIT in the team LP (:mod:`optimizer.scale.lpties`): a village's current team binds its
unit there, whatever the incumbent's role, as the exact model has it."""

from __future__ import annotations

from datetime import date

from factory import DAY, Posting, cadre, dataset, unit, village

from optimizer import load_policy
from optimizer.model.solve import solve
from optimizer.rules.instance import build_instance
from optimizer.scale.flow import relax
from optimizer.scale.lpbounds import lp_max_posts


def member_only():
    """A key village where W's member serves mid-term and no secretary: W's only other cadre
    may not be a first secretary, so no one fills the team's other posts; U's whole team may
    not come (T-UNIT: W takes part there)."""
    return dataset(
        [unit("W"), unit("U")],
        [cadre("w1", "W"),
         cadre("w2", "W", rank="clerk", middle_manager=False, party_date=None,
               political_status="masses"),
         cadre("u1", "U"), cadre("u2", "U"), cadre("u3", "U")],
        [village("VA", "key", x=0)],
        history=[Posting("w1", "W", "VA", "county", "member", date(2026, 3, 1), None)],
    )  # fmt: skip


def test_T_UNIT_the_lp_counts_no_other_units_team_at_a_member_incumbents_village():
    inst = build_instance(member_only(), load_policy("hunan-2021"), DAY)
    exact = solve(member_only(), "hunan-2021", plan_date=DAY, time_limit=10)
    assert exact.coverage["key"] == (1, 3)
    assert lp_max_posts(relax(inst)) == 1  # was 3: U's secretary and two members
