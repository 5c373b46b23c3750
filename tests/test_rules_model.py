"""The model side of every SPEC §3 rule id: a tiny instance per rule where the rule binds.

Each test is named ``test_<ID>_<what it shows>`` and asserts the exact plan (and, where soft
points decide it, the exact objective) the solver must return; without the rule the solver
would return another plan, so dropping the rule fails the test. The verifier's side (one-line
mutations of a valid plan) lives with the verifier's tests.

Objective points are the preset's weights × 10 (``SOFT_SCALE``): in ``central-2021`` a party
member as team member is 100, a young cadre 50, an expert 50, a matched need 40, continuity
400, and travel costs 1 point per km from the unit to the village.
"""

from __future__ import annotations

import sys
from datetime import date

import pytest
from factory import DAY, Pin, Posting, Recall, cadre, dataset, unit, village

from optimizer import InputError, load_policy, solve
from optimizer.rules.table import RULES

ONE_KEY = {"categories": {"key": {"min": 1, "max": 5}}}
"""Hunan's key villages need 3; a one-post key village keeps an instance to one person."""
LAST = (date(2024, 9, 1), date(2026, 9, 1))
"""The previous period: a posting that ends on the plan date has ended (SPEC §3)."""


def solved(ds, preset="central-2021", overrides=None):
    res = solve(ds, load_policy(preset, overrides), DAY, time_limit=10, seed=0, workers=1)
    assert res.status == "OPTIMAL", res.notes
    return res, {(a.cadre_id, a.village_id, a.role) for a in res.assignments}


def points(res) -> float:
    """The objective, rid of float noise (travel is a real distance)."""
    return round(res.objective, 6)


def one_weak(*cadres, preset="central-2021", overrides=None, units=None):
    """One weak village (a first secretary only) and the given cadres (units: U1 by default)."""
    ds = dataset(units or [unit("U1")], list(cadres), [village("V1", "weak")])
    return solved(ds, preset, overrides)


# --------------------------------------------------------------------------- eligibility


def test_E_SEC_PARTY_a_probationary_member_does_not_lead():
    # A would win the one post (young pool, 50 points) but may not lead
    a = cadre("A", "U1", political_status="probationary", party_date=None, young_pool=True)
    res, plan = one_weak(a, cadre("B", "U1"))
    assert plan == {("B", "V1", "secretary")} and points(res) == 0


def test_E_SEC_PARTY_the_full_member_leads_the_probationary_one_serves():
    # without the rule A leads and B earns S-PARTY as member (100); with it B must lead
    a = cadre("A", "U1", political_status="probationary", party_date=None)
    ds = dataset([unit("U1")], [a, cadre("B", "U1")], [village("V1", "key")])
    res, plan = solved(ds)
    assert plan == {("B", "V1", "secretary"), ("A", "V1", "member")} and points(res) == 0


def test_E_SEC_PARTYYRS_one_day_short_of_a_year_does_not_lead():
    a = cadre("A", "U1", party_date=date(2025, 9, 2), young_pool=True)
    res, plan = one_weak(a, cadre("B", "U1"))
    assert plan == {("B", "V1", "secretary")} and points(res) == 0


def test_E_SEC_PARTYYRS_the_anniversary_counts():
    a = cadre("A", "U1", party_date=date(2025, 9, 1), young_pool=True)
    res, plan = one_weak(a, cadre("B", "U1"))
    assert plan == {("A", "V1", "secretary")} and points(res) == 50


def test_E_SEC_PARTYYRS_follows_the_policy_parameter():
    a = cadre("A", "U1", party_date=date(2024, 9, 1), young_pool=True)  # 2 years
    _, plan = one_weak(a, cadre("B", "U1"), overrides={"eligibility": {"sec_min_party_years": 3}})
    assert plan == {("B", "V1", "secretary")}


def test_E_SEC_WORKYRS_under_two_years_of_work_does_not_lead():
    a = cadre("A", "U1", work_date=date(2024, 9, 2), party_date=date(2020, 1, 1), young_pool=True)
    res, plan = one_weak(a, cadre("B", "U1"))
    assert plan == {("B", "V1", "secretary")} and points(res) == 0


def test_E_SEC_WORKYRS_the_anniversary_counts():
    a = cadre("A", "U1", work_date=date(2024, 9, 1), party_date=date(2020, 1, 1), young_pool=True)
    res, plan = one_weak(a, cadre("B", "U1"))
    assert plan == {("A", "V1", "secretary")} and points(res) == 50


def test_E_AGE_a_cadre_over_the_age_cap_is_not_posted():
    # Yantai caps age at 57: A is 58 on the plan date (one day past the anniversary)
    a = cadre("A", "U1", birth_date=date(1968, 8, 31), young_pool=True, grassroots_years=5)
    b = cadre("B", "U1", grassroots_years=5)
    res, plan = one_weak(a, b, preset="yantai-2021")
    assert plan == {("B", "V1", "secretary")} and points(res) == 0
    _, plan = one_weak(a, b)  # central-2021 has no cap: A's young-pool points win
    assert plan == {("A", "V1", "secretary")}


def test_E_AGE_57_on_the_plan_date_is_within_the_cap():
    a = cadre("A", "U1", birth_date=date(1969, 9, 1), young_pool=True, grassroots_years=5)
    _, plan = one_weak(a, cadre("B", "U1", grassroots_years=5), preset="yantai-2021")
    assert plan == {("A", "V1", "secretary")}


@pytest.mark.parametrize("employment", ["non_staff", "temporary", "worker"])
def test_E_SERVICE_only_in_service_staff_are_posted(employment):
    a = cadre("A", "U1", employment=employment, young_pool=True)
    res, plan = one_weak(a, cadre("B", "U1"))
    assert plan == {("B", "V1", "secretary")} and points(res) == 0


def test_E_SERVICE_not_even_as_a_member():
    a = cadre("A", "U1", employment="temporary")  # a party member: 100 points as a member
    ds = dataset([unit("U1")], [a, cadre("B", "U1")], [village("V1", "key")])
    res, plan = solved(ds)
    assert plan == {("B", "V1", "secretary")} and res.coverage == {"key": (1, 2)}


def test_E_TOWNSHIP_hebei_posts_no_township_cadre():
    a = cadre("A", "U1", township_cadre=True, young_pool=True)
    res, plan = one_weak(a, cadre("B", "U1"), preset="hebei-2018")
    assert plan == {("B", "V1", "secretary")} and points(res) == 0
    _, plan = one_weak(a, cadre("B", "U1"))  # central-2021 has no ban
    assert plan == {("A", "V1", "secretary")}


def test_E_TOWNSHIP_hebei_posts_nobody_from_a_township_unit():
    units = [unit("T1", "township", x=0), unit("U1", x=30)]
    cs = [cadre("A", "T1"), cadre("B", "U1")]
    res, plan = one_weak(*cs, preset="hebei-2018", units=units)
    assert plan == {("B", "V1", "secretary")} and points(res) == -30


def test_E_TOWNSHIP_county_2022_members_come_from_township_units():
    # the county plan's other side of the rule: members are township staff of the county
    units = [unit("C1", x=0), unit("T1", "township", x=40)]
    cs = [cadre("S", "C1"), cadre("M", "C1"), cadre("W", "T1")]
    res, plan = solved(dataset(units, cs, [village("V1", "key")]), "county-2022")
    assert plan == {("S", "V1", "secretary"), ("W", "V1", "member")}
    assert points(res) == 100 - 40


@pytest.mark.parametrize("rating", ["basic", "incompetent"])
def test_E_EVAL_hebei_posts_nobody_rated_basic_or_worse(rating):
    a = cadre("A", "U1", eval_recent=rating, young_pool=True)
    res, plan = one_weak(a, cadre("B", "U1"), preset="hebei-2018")
    assert plan == {("B", "V1", "secretary")} and points(res) == 0
    _, plan = one_weak(a, cadre("B", "U1"))  # central-2021: no such bar
    assert plan == {("A", "V1", "secretary")}


def test_E_HEALTH_a_cadre_in_poor_health_is_not_posted():
    a = cadre("A", "U1", health="poor", young_pool=True)
    res, plan = one_weak(a, cadre("B", "U1"))
    assert plan == {("B", "V1", "secretary")} and points(res) == 0


def test_E_AVAIL_an_unavailable_cadre_is_not_posted():
    a = cadre("A", "U1", available=False, young_pool=True)
    res, plan = one_weak(a, cadre("B", "U1"))
    assert plan == {("B", "V1", "secretary")} and points(res) == 0


# --------------------------------------------------------------------------- team leader


def test_L_LEADER_no_team_without_a_first_secretary_to_lead_it():
    # two members-only cadres could make a key team of two, but nobody may lead it
    cs = [cadre(c, "U1", political_status="probationary", party_date=None) for c in "AB"]
    res, plan = solved(dataset([unit("U1")], cs, [village("V1", "key")]))
    assert plan == set() and res.coverage == {"key": (0, 2)}
    assert list(res.tables.unstaffed.posts_missing) == [2]


def test_L_LEADER_the_lead_unit_is_the_first_secretarys():
    units = [unit("U1", staff=20), unit("U2", staff=20), unit("U3", staff=20)]
    cs = [cadre("A", "U1", political_status="none", party_date=None), cadre("B", "U2"),
          cadre("C", "U3", political_status="none", party_date=None)]  # fmt: skip
    res, plan = solved(dataset(units, cs, [village("V1", "key")]), "hunan-2021")
    assert plan == {("B", "V1", "secretary"), ("A", "V1", "member"), ("C", "V1", "member")}
    (team,) = res.tables.teams.to_dict("records")
    assert team["lead_unit_id"] == "U2" and team["unit_ids"] == "U1;U2;U3"


def test_L_RANK_a_province_leader_is_deputy_division_or_above_in_hunan():
    units = [unit("P1", "province", staff=30)]
    cs = [cadre("clerk", "P1", rank="clerk", middle_manager=False, young_pool=True),
          cadre("chu", "P1", rank="deputy_division", middle_manager=False)]  # fmt: skip
    ds = dataset(units, cs, [village("V1", "key")])
    res, plan = solved(ds, "hunan-2021", ONE_KEY)
    assert plan == {("chu", "V1", "secretary")} and points(res) == 0
    _, plan = solved(ds, "central-2021", ONE_KEY)  # no rank rule: the young clerk leads
    assert plan == {("clerk", "V1", "secretary")}


def test_L_RANK_a_missing_rank_counts_as_a_clerk():
    units = [unit("U1", "city", staff=30, region="430100")]
    cs = [cadre("none", "U1", rank=None, middle_manager=False, young_pool=True),
          cadre("ke", "U1", rank="deputy_section", middle_manager=False)]  # fmt: skip
    res, plan = solved(dataset(units, cs, [village("V1", "key")]), "hunan-2021", ONE_KEY)
    assert plan == {("ke", "V1", "secretary")} and points(res) == 0


def test_L_RANK_a_soe_middle_manager_meets_the_rank_of_any_level():
    units = [unit("P1", "province", staff=30, kind="soe")]
    cs = [cadre("mm", "P1", rank="clerk", middle_manager=True, young_pool=True),
          cadre("chu", "P1", rank="deputy_division", middle_manager=False)]  # fmt: skip
    res, plan = solved(dataset(units, cs, [village("V1", "key")]), "hunan-2021", ONE_KEY)
    assert plan == {("mm", "V1", "secretary")} and points(res) == 50


def test_L_RANK_wuhai_takes_the_young_pool_for_the_rank():
    cs = [cadre("pool", "U1", rank="clerk", middle_manager=False, young_pool=True),
          cadre("clerk", "U1", rank="clerk", middle_manager=False, rural_years=5)]  # fmt: skip
    res, plan = one_weak(
        *cs, preset="wuhai-2023", overrides={"categories": {"weak": {"min": 1, "max": 5}}}
    )
    assert plan == {("pool", "V1", "secretary")} and points(res) == 50


def test_L_RANK_hebei_province_organ_leader_is_division_level_not_middle_manager():
    units = [unit("P1", "province", staff=30)]
    cs = [cadre("mm", "P1", rank="section", middle_manager=True, young_pool=True),
          cadre("chu", "P1", rank="deputy_division", middle_manager=False)]  # fmt: skip
    res, plan = one_weak(*cs, units=units, preset="hebei-2018")
    assert plan == {("chu", "V1", "secretary")} and points(res) == 0


def test_L_RANK_hebei_county_enterprise_leader_is_a_middle_manager():
    cs = [cadre("no", "S1", rank="section", middle_manager=False, young_pool=True),
          cadre("mm", "S1", rank="clerk", middle_manager=True)]  # fmt: skip
    res, plan = one_weak(*cs, units=[unit("S1", kind="soe")], preset="hebei-2018")
    assert plan == {("mm", "V1", "secretary")} and points(res) == 0


def test_L_RANK_hebei_sets_no_rank_for_county_organs():
    cs = [cadre("no", "O1", rank="clerk", middle_manager=False, young_pool=True),
          cadre("mm", "O1", rank="clerk", middle_manager=True)]  # fmt: skip
    res, plan = one_weak(*cs, units=[unit("O1")], preset="hebei-2018")
    assert plan == {("no", "V1", "secretary")} and points(res) == 50


def test_L_RANK_hunan_county_leader_is_a_middle_manager_or_young_pool():
    # the nearer section chief (rural experience, 50) is neither; the far young-pool clerk is
    units = [unit("U1", x=0), unit("U2", x=30)]
    cs = [cadre("no", "U1", rank="section", middle_manager=False, rural_years=5),
          cadre("pool", "U2", rank="clerk", middle_manager=False, young_pool=True)]  # fmt: skip
    res, plan = one_weak(*cs, units=units, preset="hunan-2021")
    assert plan == {("pool", "V1", "secretary")} and points(res) == 50 - 30


# --------------------------------------------------------------------------- teams


def test_T_SIZE_a_key_team_is_its_minimum_of_two():
    # every extra party member would add 100 points; the team stops at its required posts
    ds = dataset([unit("U1")], [cadre(f"C{i}", "U1") for i in range(4)], [village("V1", "key")])
    res, plan = solved(ds)
    assert sorted(r for *_, r in plan) == ["member", "secretary"]
    assert res.coverage == {"key": (2, 2)} and points(res) == 100


def test_T_SIZE_hebei_key_team_is_exactly_three():
    ds = dataset([unit("U1")], [cadre(f"C{i}", "U1") for i in range(5)], [village("V1", "key")])
    res, plan = solved(ds, "hebei-2018")
    assert len(plan) == 3 and res.coverage == {"key": (3, 3)} and points(res) == 200


def test_T_SIZE_a_village_without_a_requirement_gets_nobody():
    ds = dataset([unit("U1")], [cadre("C1", "U1", young_pool=True)], [village("V1", "red")])
    res, plan = solved(ds)  # red has no row in central-2021
    assert plan == set() and res.tables.unstaffed.empty and points(res) == 0


def test_T_SIZE_flags_intersect_yantai_key_and_exited_needs_three():
    # Yantai key 1–1 and exited 3–5 → 3–5 (SPEC §2)
    ds = dataset(
        [unit("U1")], [cadre(f"C{i}", "U1") for i in range(4)], [village("V1", "key", "exited")]
    )
    res, plan = solved(ds, "yantai-2021")
    assert len(plan) == 3 and res.coverage == {"key": (3, 3)}


def test_T_SEC_a_weak_village_gets_one_first_secretary_not_two():
    # both are young (50 each): a second secretary would add points
    units = [unit("U1", x=0), unit("U2", x=30)]
    cs = [cadre("A", "U1", young_pool=True), cadre("B", "U2", young_pool=True)]
    res, plan = one_weak(*cs, units=units)
    assert plan == {("A", "V1", "secretary")} and points(res) == 50


def test_T_SIZE_incumbents_alone_may_exceed_the_maximum():
    # Yantai key 1–1: two serving incumbents stay, and nobody new is added
    hist = [
        Posting(c, "U1", "V1", "county", r, date(2025, 9, 1), None)
        for c, r in (("A", "secretary"), ("B", "member"))
    ]
    cs = [cadre("A", "U1"), cadre("B", "U1"), cadre("C", "U1", young_pool=True)]
    res, plan = solved(
        dataset([unit("U1")], cs, [village("V1", "key")], history=hist), "yantai-2021"
    )
    assert plan == set() and sorted(res.plan.cadre_id) == ["A", "B"] and points(res) == 0


@pytest.mark.parametrize(("pop", "size"), [(600, 3), (300, 1), (None, 1), (50, 0)])
def test_T_SIZE_relocation_rows_follow_the_relocated_population(pop, size):
    # Hunan: ≥ 500 → 3–5; 100–499 (or unknown) → 1–5; under 100 → no requirement
    ds = dataset(
        [unit("U1")],
        [cadre(f"C{i}", "U1") for i in range(4)],
        [village("V1", "relocation", relocated_pop=pop)],
    )
    _, plan = solved(ds, "hunan-2021")
    assert len(plan) == size


def test_T_SEC_never_two_first_secretaries_even_when_each_would_score():
    # continuity pays 400 per new first secretary from U1 or U2 (both led V1 last period), and
    # Hunan lets the two small units team up: two secretaries would outscore one and a member
    hist = [Posting("X", "U1", "V1", "county", "secretary", *LAST),
            Posting("Y", "U2", "V1", "county", "secretary", *LAST)]  # fmt: skip
    units = [unit("U1", staff=20), unit("U2", staff=20)]
    cs = [cadre(c, u) for c, u in (("A1", "U1"), ("A2", "U1"), ("B1", "U2"), ("B2", "U2"))]
    res, plan = solved(dataset(units, cs, [village("V1", "key")], history=hist), "hunan-2021")
    assert sorted(r for *_, r in plan) == ["member", "member", "secretary"]
    assert points(res) == 400 + 2 * 100


def test_T_UNIT_members_come_from_the_secretarys_unit():
    # U2's party member would earn 100 − 20 km as member; T-UNIT keeps the team U1's
    units = [unit("U1", x=0), unit("U2", x=20)]
    cs = [cadre("A", "U1"), cadre("N", "U1", political_status="none", party_date=None),
          cadre("P", "U2", work_date=date(2026, 1, 1))]  # fmt: skip
    res, plan = solved(dataset(units, cs, [village("V1", "key")]))
    assert plan == {("A", "V1", "secretary"), ("N", "V1", "member")} and points(res) == 0


def test_T_UNIT_without_a_second_cadre_the_team_stays_partial():
    units = [unit("U1", x=0), unit("U2", x=0)]
    ds = dataset(
        units, [cadre("A", "U1"), cadre("B", "U2", young_pool=True)], [village("V1", "key")]
    )
    res, plan = solved(ds)
    assert plan == {("B", "V1", "secretary")} and res.coverage == {"key": (1, 2)}
    assert list(res.tables.unstaffed.posts_missing) == [1]


def test_T_UNIT_county_2022_members_are_township_staff_of_the_county():
    units = [unit("C1", x=0), unit("T1", "township", x=10),
             unit("T2", "township", x=0, region="430122")]  # fmt: skip
    cs = [cadre("S", "C1"), cadre("M", "C1"), cadre("W", "T1"), cadre("X", "T2")]
    res, plan = solved(dataset(units, cs, [village("V1", "key")]), "county-2022")
    assert plan == {("S", "V1", "secretary"), ("W", "V1", "member")}
    assert points(res) == 100 - 10


def test_J_JOINT_three_small_units_form_one_team():
    units = [unit(u, staff=20) for u in ("U1", "U2", "U3")]
    cs = [cadre("A", "U1"), cadre("B", "U2"), cadre("C", "U3")]
    res, plan = solved(dataset(units, cs, [village("V1", "key")]), "hunan-2021")
    assert {c for c, *_ in plan} == {"A", "B", "C"} and res.coverage == {"key": (3, 3)}
    assert res.tables.teams.unit_ids.iloc[0] == "U1;U2;U3"
    # the same units under a preset without joint teams: one unit, one post
    res, _ = solved(
        dataset(units, cs, [village("V1", "key")]),
        "hunan-2021",
        {"teams": {"joint": {"enabled": False}}},
    )
    assert res.coverage == {"key": (1, 3)}


def test_J_JOINT_a_unit_at_the_staff_maximum_may_not_join():
    units = [unit("U1", staff=20), unit("U2", staff=20), unit("U3", staff=40)]
    cs = [cadre("A", "U1"), cadre("B", "U2"), cadre("C", "U3"), cadre("D", "U3")]
    res, _ = solved(dataset(units, cs, [village("V1", "key")]), "hunan-2021")
    assert res.coverage == {"key": (2, 3)}


def test_J_JOINT_at_most_three_units():
    units = [unit(f"U{i}", staff=20) for i in range(4)]
    cs = [cadre(f"C{i}", f"U{i}") for i in range(4)]
    res, plan = solved(
        dataset(units, cs, [village("V1", "key")]),
        "hunan-2021",
        {"categories": {"key": {"min": 4, "max": 5}}},
    )
    assert len(plan) == 3 and res.coverage == {"key": (3, 4)}


def test_J_JOINT_only_at_the_levels_the_preset_names():
    # Hunan: joint teams for city and county units; small province units stay alone
    units = [unit(f"P{i}", "province", staff=20) for i in range(3)]
    cs = [cadre(f"C{i}", f"P{i}", rank="division") for i in range(3)]
    res, _ = solved(dataset(units, cs, [village("V1", "key")]), "hunan-2021")
    assert res.coverage == {"key": (1, 3)}


def test_J_JOINT_only_units_of_the_same_level():
    units = [unit("U1", staff=20), unit("U2", staff=20), unit("C1", "city", staff=20)]
    cs = [cadre("A", "U1"), cadre("B", "U2"), cadre("C", "C1")]
    res, _ = solved(dataset(units, cs, [village("V1", "key")]), "hunan-2021")
    assert res.coverage == {"key": (2, 3)}


def test_C_CLUSTER_one_demo_team_covers_an_adjacent_demo_village():
    vs = [village("H", "demo", x=0), village("W", "demo", x=2)]
    res, plan = solved(dataset([unit("U1", x=0)], [cadre("A", "U1")], vs), "hunan-2021")
    assert plan == {("A", "H", "secretary")} and res.covers == [("H", "W")]
    assert res.coverage == {"demo": (2, 2)} and points(res) == 0


def test_C_CLUSTER_at_most_two_extra_villages():
    vs = [village(f"D{i}", "demo", x=i) for i in range(4)]  # all within 5 km of each other
    res, plan = solved(dataset([unit("U1", x=0)], [cadre("A", "U1")], vs), "hunan-2021")
    assert len(plan) == 1 and len(res.covers) == 2 and res.coverage == {"demo": (3, 4)}


def test_C_CLUSTER_only_coverable_villages_are_covered():
    vs = [village("H", "demo", x=0), village("E", "exited", x=2)]
    res, plan = solved(dataset([unit("U1", x=0)], [cadre("A", "U1")], vs), "hunan-2021")
    assert plan == {("A", "E", "secretary")} and res.covers == []
    assert res.coverage == {"exited": (1, 1), "demo": (0, 1)}


def test_C_CLUSTER_an_adjacency_table_decides_not_distance():
    vs = [village("H", "demo", x=0), village("W", "demo", x=30)]
    ds = dataset([unit("U1", x=0)], [cadre("A", "U1")], vs, adjacency=[("H", "W")])
    res, plan = solved(ds, "hunan-2021")
    assert plan == {("A", "H", "secretary")} and res.covers == [("H", "W")]
    assert res.coverage == {"demo": (2, 2)} and points(res) == 0


def test_C_CLUSTER_not_beyond_adjacency():
    vs = [village("H", "demo", x=0), village("W", "demo", x=20)]
    res, plan = solved(dataset([unit("U1", x=0)], [cadre("A", "U1")], vs), "hunan-2021")
    assert plan == {("A", "H", "secretary")} and res.covers == []
    assert res.coverage == {"demo": (1, 2)}


# --------------------------------------------------------------------------- history


def test_H_NOREPEAT_no_return_to_a_former_village():
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2018, 9, 1), date(2020, 9, 1))]
    vs = [village("V1", "weak", x=0), village("V2", "weak", x=30)]
    res, plan = solved(dataset([unit("U1", x=0)], [cadre("A", "U1")], vs, history=hist))
    assert plan == {("A", "V2", "secretary")} and points(res) == -30


def test_H_NOREPEAT_counts_a_recalled_posting_too():
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2025, 9, 1), None)]
    vs = [village("V1", "weak", x=0), village("V2", "weak", x=30)]
    ds = dataset(
        [unit("U1", x=0)],
        [cadre("A", "U1"), cadre("B", "U1")],
        vs,
        history=hist,
        recall=[Recall("A", "study")],
    )
    _, plan = solved(ds)
    assert plan == {("B", "V1", "secretary")}


def test_H_INCUMBENT_a_serving_cadre_stays_even_if_no_longer_eligible():
    # A (now in poor health, far from V1) keeps V1; without the rule C would take V1 (nearer)
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2025, 9, 1), None)]
    vs = [village("V1", "weak", x=0), village("V2", "weak", x=30)]
    ds = dataset(
        [unit("U1", x=0)], [cadre("A", "U1", health="poor"), cadre("C", "U1")], vs, history=hist
    )
    res, plan = solved(ds)
    assert plan == {("C", "V2", "secretary")} and points(res) == -30
    rows = res.plan[["village_id", "cadre_id", "status"]].values.tolist()
    assert ["V1", "A", "incumbent"] in rows


def test_H_INCUMBENT_a_serving_cadre_is_not_posted_a_second_time():
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2025, 9, 1), None)]
    vs = [village("V1", "weak"), village("V2", "weak")]
    ds = dataset(
        [unit("U1")], [cadre("A", "U1", young_pool=True), cadre("C", "U1")], vs, history=hist
    )
    res, plan = solved(ds)
    assert plan == {("C", "V2", "secretary")} and points(res) == 0
    assert sorted(res.plan[["cadre_id", "village_id"]].values.tolist()) == [
        ["A", "V1"],
        ["C", "V2"],
    ]


def test_H_INCUMBENT_a_recalled_cadre_is_replaced_and_appears_nowhere():
    hist = [Posting("B", "U1", "V1", "county", "secretary", date(2025, 9, 1), None)]
    ds = dataset(
        [unit("U1")],
        [cadre("B", "U1"), cadre("C", "U1")],
        [village("V1", "weak")],
        history=hist,
        recall=[Recall("B", "health")],
    )
    res, plan = solved(ds)
    assert plan == {("C", "V1", "secretary")}
    assert "B" not in set(res.plan.cadre_id)


def test_H_INCUMBENT_a_term_ending_on_the_plan_date_has_ended():
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2024, 9, 1), DAY)]
    vs = [village("V1", "weak", x=0), village("V2", "weak", x=30)]
    ds = dataset([unit("U1", x=0)], [cadre("A", "U1"), cadre("C", "U1")], vs, history=hist)
    res, plan = solved(ds)
    assert plan == {("C", "V1", "secretary"), ("A", "V2", "secretary")}
    assert set(res.plan.status) == {"new"}


def test_H_CONTINUITY_soft_the_previous_unit_keeps_its_village():
    hist = [Posting("X", "U2", "V1", "county", "secretary", *LAST)]
    units = [unit("U1", x=0), unit("U2", x=30)]
    ds = dataset(units, [cadre("A", "U1"), cadre("B", "U2")], [village("V1", "weak")], history=hist)
    res, plan = solved(ds)  # 400 points for continuity, 30 km of travel
    assert plan == {("B", "V1", "secretary")} and points(res) == 400 - 30
    res, plan = solved(ds, "central-2021", {"history": {"continuity": "off"}})
    assert plan == {("A", "V1", "secretary")} and points(res) == 0


def test_H_CONTINUITY_soft_a_recalled_teams_unit_sends_the_replacement():
    hist = [Posting("X", "U2", "V1", "county", "secretary", date(2025, 9, 1), None)]
    units = [unit("U1", x=0), unit("U2", x=30)]
    ds = dataset(
        units,
        [cadre("A", "U1"), cadre("B", "U2"), cadre("X", "U2")],
        [village("V1", "weak")],
        history=hist,
        recall=[Recall("X", "")],
    )
    res, plan = solved(ds)
    assert plan == {("B", "V1", "secretary")} and points(res) == 400 - 30


def test_H_CONTINUITY_hard_in_hebei_keeps_the_unit():
    hist = [Posting("X", "U2", "V1", "county", "secretary", date(2023, 9, 1), DAY)]
    units = [unit("U1", x=0), unit("U2", x=50)]
    cs = [cadre(f"A{i}", "U1", young_pool=True) for i in range(3)]
    cs += [cadre(f"B{i}", "U2") for i in range(3)]
    res, plan = solved(dataset(units, cs, [village("V1", "key")], history=hist), "hebei-2018")
    assert {c for c, *_ in plan} == {"B0", "B1", "B2"}
    assert points(res) == 2 * 100 - 3 * 50  # no continuity points: a bar, not a preference


def test_H_CONTINUITY_hard_a_recalled_teams_unit_sends_the_replacement():
    hist = [Posting("X", "U2", "V1", "county", "secretary", date(2025, 9, 1), None)]
    units = [unit("U1", x=0), unit("U2", x=50)]
    cs = [cadre("A", "U1"), cadre("B", "U2"), cadre("X", "U2")]
    ds = dataset(units, cs, [village("V1", "weak")], history=hist, recall=[Recall("X", "")])
    res, plan = solved(ds, "hebei-2018")
    assert plan == {("B", "V1", "secretary")} and points(res) == -50


def test_H_PROVVILLAGE_soft_a_province_team_avoids_last_periods_province_village():
    hist = [Posting("X", "P1", "V1", "province", "secretary", *LAST)]
    units = [unit("P1", "province", staff=30, x=0), unit("U1", x=0)]
    cs = [cadre("P", "P1", rank="division", young_pool=True), cadre("L", "U1")]
    ds = dataset(units, cs, [village("V1", "key")], history=hist)
    off = {**ONE_KEY, "history": {"continuity": "off"}}
    res, plan = solved(ds, "hunan-2021", off)
    assert plan == {("L", "V1", "secretary")} and points(res) == 0
    res, plan = solved(
        ds, "hunan-2021", {**ONE_KEY, "history": {"continuity": "off", "provvillage": "off"}}
    )
    assert plan == {("P", "V1", "secretary")} and points(res) == 50


def test_H_PROVVILLAGE_soft_pays_its_weight_when_no_one_else_can_serve():
    hist = [Posting("X", "P1", "V1", "province", "secretary", *LAST)]
    units = [unit("P1", "province", staff=30, x=0)]
    ds = dataset(units, [cadre("P", "P1", rank="division")], [village("V1", "key")], history=hist)
    res, plan = solved(ds, "hunan-2021", {**ONE_KEY, "history": {"continuity": "off"}})
    assert plan == {("P", "V1", "secretary")} and points(res) == -300


def test_H_PROVVILLAGE_hard_forbids_the_repeat():
    hist = [Posting("X", "P1", "V1", "province", "secretary", *LAST)]
    ds = dataset(
        [unit("P1", "province", staff=30)],
        [cadre("P", "P1", rank="division")],
        [village("V1", "key")],
        history=hist,
    )
    res, plan = solved(ds, "hunan-2021", {**ONE_KEY, "history": {"provvillage": "hard"}})
    assert plan == set() and res.coverage == {"key": (0, 1)}


def test_S_PROVKEY_a_province_team_goes_to_the_key_village():
    # without the term P takes the exited village at its door and L the key one (0 points)
    units = [unit("P1", "province", staff=30, x=0), unit("U1", x=20)]
    cs = [cadre("P", "P1", rank="division"), cadre("L", "U1")]
    vs = [village("E1", "exited", x=0), village("K1", "key", x=20)]
    res, plan = solved(dataset(units, cs, vs), "hunan-2021", ONE_KEY)
    assert plan == {("P", "K1", "secretary"), ("L", "E1", "secretary")}
    assert points(res) == -40


def test_S_PROVKEY_coverage_comes_first_and_pays_the_weight():
    units = [unit("P1", "province", staff=30, x=0)]
    ds = dataset(units, [cadre("P", "P1", rank="division")], [village("E1", "exited")])
    res, plan = solved(ds, "hunan-2021")
    assert plan == {("P", "E1", "secretary")} and points(res) == -300


# --------------------------------------------------------------------------- units, levels


def test_U_PARTICIPATE_a_large_province_unit_sends_someone():
    units = [unit("P1", "province", staff=120, x=50), unit("U1", x=0)]
    cs = [cadre("P", "P1", rank="division"), cadre("L", "U1")]
    res, plan = solved(dataset(units, cs, [village("V1", "key")]), "hunan-2021", ONE_KEY)
    assert plan == {("P", "V1", "secretary")} and points(res) == -50


def test_U_PARTICIPATE_below_the_staff_minimum_it_need_not():
    units = [unit("P1", "province", staff=39, x=50), unit("U1", x=0)]
    cs = [cadre("P", "P1", rank="division"), cadre("L", "U1")]
    res, plan = solved(dataset(units, cs, [village("V1", "key")]), "hunan-2021", ONE_KEY)
    assert plan == {("L", "V1", "secretary")} and points(res) == 0


def test_U_PARTICIPATE_a_unit_already_serving_has_sent():
    hist = [Posting("Z", "P1", "V9", "province", "secretary", date(2025, 9, 1), None)]
    units = [unit("P1", "province", staff=120, x=50), unit("U1", x=0)]
    cs = [cadre("P", "P1", rank="division"), cadre("L", "U1"), cadre("Z", "P1")]
    vs = [village("V1", "key"), village("V9", "weak", x=50)]
    res, plan = solved(dataset(units, cs, vs, history=hist), "hunan-2021", ONE_KEY)
    assert plan == {("L", "V1", "secretary")} and points(res) == 0


def test_U_NODELEGATE_a_unit_posts_only_its_own_staff():
    # P1 must send but its only cadre is hired staff: nobody fills the post in its name
    units = [unit("P1", "province", staff=120, x=0), unit("P2", "province", staff=10, x=50)]
    cs = [cadre("H", "P1", rank="division", employment="temporary"),
          cadre("Q", "P2", rank="division")]  # fmt: skip
    res, plan = solved(dataset(units, cs, [village("V1", "key")]), "hunan-2021", ONE_KEY)
    assert plan == {("Q", "V1", "secretary")}
    assert res.plan[["cadre_id", "unit_id"]].values.tolist() == [["Q", "P2"]]
    assert any(n.startswith("U-PARTICIPATE: unit P1") for n in res.notes)


def test_LV_LEVEL_county_2022_weak_villages_get_county_secretaries():
    units = [unit("C1", "city", x=0), unit("U1", x=40)]
    res, plan = one_weak(cadre("city", "C1"), cadre("cty", "U1"), units=units, preset="county-2022")
    assert plan == {("cty", "V1", "secretary")} and points(res) == -40


def test_LV_LEVEL_a_scope_limits_province_units_to_key_villages():
    units = [unit("P1", "province", staff=30)]
    res, plan = one_weak(
        cadre("P", "P1", rank="division"),
        units=units,
        preset="hunan-2021",
        overrides={"levels": {"scope": {"province": ["key"]}}},
    )
    assert plan == set() and "LV-LEVEL" in res.tables.unstaffed.reason.iloc[0]


def test_LV_LEVEL_county_2022_red_villages_get_county_secretaries():
    units = [unit("C1", "city", x=0), unit("U1", x=40)]
    ds = dataset(units, [cadre("c", "C1"), cadre("k", "U1")], [village("V1", "red")])
    res, plan = solved(ds, "county-2022")
    assert plan == {("k", "V1", "secretary")} and points(res) == -40


def test_LV_REGION_units_serve_their_own_county_or_city():
    units = [unit("K2", region="430122", x=0), unit("C2", "city", region="430200", x=0),
             unit("K1", x=30)]  # fmt: skip
    cs = [cadre("k2", "K2", young_pool=True), cadre("c2", "C2", young_pool=True),
          cadre("k1", "K1")]  # fmt: skip
    res, plan = one_weak(*cs, units=units)
    assert plan == {("k1", "V1", "secretary")} and points(res) == -30


def test_LV_REGION_province_units_serve_anywhere():
    units = [unit("P1", "province", staff=30, x=0), unit("K1", x=30)]
    res, plan = one_weak(cadre("p", "P1"), cadre("k1", "K1"), units=units)
    assert plan == {("p", "V1", "secretary")} and points(res) == 0


def test_P_PIN_a_require_pin_posts_the_cadre_there():
    units = [unit("U1", x=0), unit("U2", x=30)]
    vs = [village("V1", "weak", x=0), village("V2", "weak", x=30)]
    pins = [Pin("A", "V2", "require", "secretary")]
    res, plan = solved(dataset(units, [cadre("A", "U1"), cadre("B", "U2")], vs, pins=pins))
    assert plan == {("A", "V2", "secretary"), ("B", "V1", "secretary")}
    assert points(res) == -60


def test_P_PIN_a_forbid_pin_keeps_the_cadre_out():
    pins = [Pin("A", "V1", "forbid")]
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1", young_pool=True), cadre("B", "U1")],
        [village("V1", "weak")],
        pins=pins,
    )
    res, plan = solved(ds)
    assert plan == {("B", "V1", "secretary")} and points(res) == 0


def test_P_PIN_a_forbid_pin_may_name_the_role():
    # A may not lead V1; V1 is weak (a first secretary only), so U2's B comes from 30 km
    units = [unit("U1", x=0), unit("U2", x=30)]
    ds = dataset(
        units,
        [cadre("A", "U1"), cadre("B", "U2")],
        [village("V1", "weak")],
        pins=[Pin("A", "V1", "forbid", "secretary")],
    )
    res, plan = solved(ds)
    assert plan == {("B", "V1", "secretary")} and points(res) == -30


def test_P_PIN_require_pins_may_grow_a_team_past_its_minimum():
    # a key team is 2 unless pins ask for more: four pins make it four (within its maximum 5)
    cs = [cadre("S", "U1"), cadre("A", "U1"), cadre("B", "U1"),
          cadre("M", "U1", political_status="none", party_date=None)]  # fmt: skip
    pins = [Pin(c, "V1", "require") for c in "SABM"]
    res, plan = solved(dataset([unit("U1")], cs, [village("V1", "key")], pins=pins))
    assert {c for c, *_ in plan} == {"S", "A", "B", "M"} and len(plan) == 4
    assert ("M", "V1", "member") in plan and points(res) == 200


@pytest.mark.parametrize(("flag", "members"), [("key", "ABM"), ("weak", "M")])
def test_P_PIN_member_pins_get_a_first_secretary_to_lead_them(flag, members):
    cs = [cadre("S", "U1"), cadre("A", "U1"), cadre("B", "U1"),
          cadre("M", "U1", political_status="none", party_date=None)]  # fmt: skip
    pins = [Pin(c, "V1", "require", "member") for c in members]
    _, plan = solved(dataset([unit("U1")], cs, [village("V1", flag)], pins=pins))
    assert plan == {("S", "V1", "secretary")} | {(c, "V1", "member") for c in members}


def test_P_PIN_a_require_pin_a_hard_rule_forbids_is_bad_input():
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1", health="poor")],
        [village("V1", "weak")],
        pins=[Pin("A", "V1", "require")],
    )
    with pytest.raises(InputError, match="forbidden by E-HEALTH: health: poor"):
        solve(ds, load_policy("central-2021"), DAY, time_limit=10, seed=0, workers=1)


# --------------------------------------------------------------------------- preferences


def test_S_PARTY_a_party_member_is_preferred_as_team_member():
    # S alone may lead; the member is P (party, 100) rather than young N (50)
    cs = [cadre("S", "U1"), cadre("P", "U1", party_date=date(2026, 3, 1)),
          cadre("N", "U1", political_status="none", party_date=None, young_pool=True)]  # fmt: skip
    res, plan = solved(dataset([unit("U1")], cs, [village("V1", "key")]))
    assert plan == {("S", "V1", "secretary"), ("P", "V1", "member")} and points(res) == 100


def test_S_YOUNG_the_young_cadre_pool_is_preferred():
    res, plan = one_weak(cadre("A", "U1"), cadre("Y", "U1", young_pool=True))
    assert plan == {("Y", "V1", "secretary")} and points(res) == 50


def test_S_YOUNG_yantai_section_chief_up_to_35():
    cs = [cadre("old", "U1", birth_date=date(1986, 1, 1), grassroots_years=5),
          cadre("young", "U1", birth_date=date(1991, 9, 1), grassroots_years=5)]  # fmt: skip
    res, plan = one_weak(*cs, preset="yantai-2021")  # 35 on the plan date
    assert plan == {("young", "V1", "secretary")} and points(res) == 50


def test_S_YOUNG_yantai_little_grassroots_experience():
    cs = [cadre("long", "U1", grassroots_years=5), cadre("new", "U1", grassroots_years=1)]
    res, plan = one_weak(*cs, preset="yantai-2021")
    assert plan == {("new", "V1", "secretary")} and points(res) == 50


def test_S_YOUNG_yantai_deputy_section_chief_up_to_30():
    cs = [cadre("d31", "U1", rank="deputy_section", birth_date=date(1995, 8, 31),
                grassroots_years=5),
          cadre("d30", "U1", rank="deputy_section", birth_date=date(1996, 9, 1),
                grassroots_years=5)]  # fmt: skip
    res, plan = one_weak(*cs, preset="yantai-2021")
    assert plan == {("d30", "V1", "secretary")} and points(res) == 50


def test_S_EXPERT_rural_experience_or_agriculture_is_preferred():
    res, plan = one_weak(cadre("desk", "U1"), cadre("rural", "U1", rural_years=6.0))
    assert plan == {("rural", "V1", "secretary")} and points(res) == 50
    res, plan = one_weak(
        cadre("desk", "U1"), cadre("agri", "U1", skills=frozenset({"agriculture"}))
    )
    assert plan == {("agri", "V1", "secretary")} and points(res) == 50


def test_S_FIT_each_skill_goes_where_it_is_needed():
    units = [unit("U1"), unit("U2")]
    cs = [cadre("law", "U1", skills=frozenset({"law"})),
          cadre("fin", "U2", skills=frozenset({"finance"}))]  # fmt: skip
    vs = [village("V1", "weak", needs=frozenset({"finance"})),
          village("V2", "weak", needs=frozenset({"law"}))]  # fmt: skip
    res, plan = solved(dataset(units, cs, vs))
    assert plan == {("fin", "V1", "secretary"), ("law", "V2", "secretary")}
    assert points(res) == 2 * 40


def test_S_TRAVEL_the_nearer_unit_is_preferred():
    units = [unit("FAR", x=60), unit("NEAR", x=5)]
    res, plan = one_weak(cadre("F", "FAR"), cadre("N", "NEAR"), units=units)
    assert plan == {("N", "V1", "secretary")} and points(res) == -5


# --------------------------------------------------------------------------- the index

NOTHING_TO_SOLVE = {
    "PLAN-DUPLICATE": "a plan file's own form: only the verifier reads plan files",
    "PLAN-UNKNOWN-ID": "a plan file's own form: only the verifier reads plan files",
    "PLAN-TEAM-MISMATCH": "a plan file's own form: only the verifier reads plan files",
    "PLAN-UNSTAFFED-MISMATCH": "a plan file's own form: only the verifier reads plan files",
    "PLAN-DATES": "a plan file's own form: only the verifier reads plan files",
}


def test_every_rule_id_has_a_model_test():
    names = [n for n in dir(sys.modules[__name__]) if n.startswith("test_")]
    missing = [
        r.id
        for r in RULES
        if r.id not in NOTHING_TO_SOLVE
        and not any(n.startswith(f"test_{r.id.replace('-', '_')}_") for n in names)
    ]
    assert missing == []
    assert set(NOTHING_TO_SOLVE) <= {r.id for r in RULES}
