"""One tiny instance per SPEC §3 rule, each with the exact plan the rule forces."""

from __future__ import annotations

from datetime import date

import pytest
from factory import DAY, Pin, Posting, Recall, cadre, dataset, unit, village

from optimizer import load_policy, solve
from optimizer.data.errors import InputError
from optimizer.rules.scoring import plan_points


def plan_of(ds, preset="central-2021", overrides=None):
    res = solve(ds, load_policy(preset, overrides), DAY, time_limit=20)
    assert res.status == "OPTIMAL", res.notes
    return res, {(a.cadre_id, a.village_id, a.role) for a in res.assignments}


def test_T_SIZE_minimum_team_and_no_more():
    ds = dataset([unit("U1")], [cadre(f"C{i}", "U1") for i in range(4)], [village("V1", "key")])
    res, plan = plan_of(ds)  # key: 2–5 → exactly the first secretary and one member
    assert len(plan) == 2 and {r for *_, r in plan} == {"secretary", "member"}
    assert res.coverage == {"key": (2, 2)} and res.all_filled


def test_T_SIZE_village_without_requirement_gets_nobody():
    ds = dataset([unit("U1")], [cadre("C1", "U1")], [village("V1", "red")])
    res, plan = plan_of(ds)  # red has no row in central-2021
    assert plan == set() and res.tables.unstaffed.empty


def test_T_SEC_weak_village_gets_exactly_one_secretary():
    ds = dataset([unit("U1")], [cadre("C1", "U1"), cadre("C2", "U1")], [village("V1", "weak")])
    _, plan = plan_of(ds)
    assert plan in ({("C1", "V1", "secretary")}, {("C2", "V1", "secretary")})


@pytest.mark.parametrize(
    ("rule", "kw"),
    [
        ("E-SEC-PARTY", {"political_status": "probationary", "party_date": None}),
        ("E-SEC-PARTYYRS", {"party_date": date(2026, 3, 1)}),
        ("E-SEC-WORKYRS", {"work_date": date(2025, 7, 1), "party_date": date(2020, 1, 1)}),
    ],
)
def test_E_SEC_rules_decide_who_leads(rule, kw):
    ds = dataset([unit("U1")], [cadre("A", "U1", **kw), cadre("B", "U1")], [village("V1", "key")])
    _, plan = plan_of(ds)
    assert plan == {("B", "V1", "secretary"), ("A", "V1", "member")}, rule


@pytest.mark.parametrize(
    ("rule", "preset", "kw"),
    [
        ("E-AVAIL", "central-2021", {"available": False}),
        ("E-SERVICE", "central-2021", {"employment": "temporary"}),
        ("E-HEALTH", "central-2021", {"health": "poor"}),
        ("E-EVAL", "hebei-2018", {"eval_recent": "basic"}),
        ("E-TOWNSHIP", "hebei-2018", {"township_cadre": True}),
        ("E-AGE", "yantai-2021", {"birth_date": date(1968, 8, 31)}),
    ],
)
def test_E_rules_keep_a_cadre_out(rule, preset, kw):
    ds = dataset([unit("U1")], [cadre("A", "U1", **kw)], [village("V1", "weak")])
    res, plan = plan_of(ds, preset)
    assert plan == set(), rule
    (reason,) = res.tables.unstaffed.reason
    assert reason.startswith(f"{rule}: removes 1 of 1 possible first secretaries")


def test_E_AGE_anniversary_counts():
    # born 1969-09-01 is 57 on 2026-09-01: allowed under Yantai's 57
    ds = dataset(
        [unit("U1")], [cadre("A", "U1", birth_date=date(1969, 9, 1))], [village("V1", "weak")]
    )
    _, plan = plan_of(ds, "yantai-2021")
    assert plan == {("A", "V1", "secretary")}


def test_L_RANK_province_leader_needs_deputy_division():
    units = [unit("P1", "province")]
    cadres = [cadre("clerk", "P1", rank="clerk", middle_manager=False),
              cadre("chu", "P1", rank="deputy_division", middle_manager=False)]  # fmt: skip
    _, plan = plan_of(
        dataset(units, cadres, [village("V1", "key")]),
        "hunan-2021",
        {"categories": {"key": {"min": 2, "max": 5}}},
    )
    assert plan == {("chu", "V1", "secretary"), ("clerk", "V1", "member")}


def test_L_RANK_soe_middle_manager_meets_any_level():
    units = [unit("P1", "province", kind="soe")]
    cadres = [cadre("mm", "P1", rank="clerk", middle_manager=True)]
    _, plan = plan_of(
        dataset(units, cadres, [village("V1", "key")]),
        "hunan-2021",
        {"categories": {"key": {"min": 1, "max": 5}}},
    )
    assert plan == {("mm", "V1", "secretary")}


def test_T_UNIT_no_mixed_team_without_joint():
    units = [unit("U1", staff=20), unit("U2", staff=20)]
    ds = dataset(units, [cadre("A", "U1"), cadre("B", "U2")], [village("V1", "key")])
    res, plan = plan_of(ds)  # key needs 2, each unit has 1: a partial team of one
    assert len(plan) == 1 and res.coverage == {"key": (1, 2)}
    assert list(res.tables.unstaffed.posts_missing) == [1]


def test_J_JOINT_small_units_may_combine():
    units = [unit("U1", staff=20), unit("U2", staff=20), unit("U3", staff=30)]
    cadres = [cadre("A", "U1"), cadre("B", "U2"), cadre("C", "U3")]
    res, plan = plan_of(dataset(units, cadres, [village("V1", "key")]), "hunan-2021")
    assert len(plan) == 3 and res.all_filled  # hunan key 3–5 from three small county units
    assert res.tables.teams.unit_ids.iloc[0] == "U1;U2;U3"


def test_J_JOINT_large_unit_may_not_join():
    units = [unit("U1", staff=20), unit("U2", staff=200)]
    cadres = [cadre("A", "U1"), cadre("B", "U2"), cadre("C", "U2")]
    res, plan = plan_of(dataset(units, cadres, [village("V1", "key")]), "hunan-2021")
    assert {c for c, *_ in plan} <= {"B", "C"} or {c for c, *_ in plan} == {"A"}
    assert res.coverage["key"] == (2, 3)


def test_C_CLUSTER_one_team_covers_adjacent_demo_village():
    vs = [village("H", "demo", x=0), village("W", "demo", x=2)]
    ds = dataset([unit("U1")], [cadre("A", "U1")], vs)
    res, plan = plan_of(ds, "hunan-2021")  # demo 1–5: one secretary, two villages
    assert len(plan) == 1 and res.all_filled and len(res.covers) == 1
    assert res.tables.teams.covered_village_ids.iloc[0] in ("H", "W")


def test_C_CLUSTER_not_beyond_adjacency():
    vs = [village("H", "demo", x=0), village("W", "demo", x=20)]  # 20 km apart
    res, plan = plan_of(dataset([unit("U1")], [cadre("A", "U1")], vs), "hunan-2021")
    assert len(plan) == 1 and res.covers == [] and res.coverage["demo"] == (1, 2)


def test_H_NOREPEAT_no_return_to_a_former_village():
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2020, 9, 1), date(2022, 9, 1))]
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1")],
        [village("V1", "weak"), village("V2", "weak")],
        history=hist,
    )
    _, plan = plan_of(ds)
    assert plan == {("A", "V2", "secretary")}


def test_H_NOREPEAT_master_scores_only_people_who_may_serve():
    """A (young pool, more points) served in V1; U1 could send A to V2, but U2 sits there.
    The master must not count A's points at V1: its objective is the points of the plan the
    people stage actually seats (it used to pick A and then seat B)."""
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2020, 9, 1), date(2022, 9, 1))]
    units = [unit("U1", x=0), unit("U2", x=100)]
    cadres = [cadre("A", "U1", young_pool=True), cadre("B", "U1"), cadre("D", "U2")]
    ds = dataset(
        units, cadres, [village("V1", "weak", x=0), village("V2", "weak", x=100)], history=hist
    )
    res, plan = plan_of(ds)
    assert plan == {("B", "V1", "secretary"), ("D", "V2", "secretary")}
    assert res.status == "OPTIMAL"
    assert res.objective == plan_points(res.instance, res.assignments)


def test_H_INCUMBENT_kept_and_recalled_replaced():
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2025, 9, 1), None),
            Posting("B", "U1", "V2", "county", "secretary", date(2025, 9, 1), None)]  # fmt: skip
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1"), cadre("B", "U1"), cadre("C", "U1")],
        [village("V1", "weak"), village("V2", "weak")],
        history=hist,
        recall=[Recall("B", "health")],
    )
    res, plan = plan_of(ds)
    assert plan == {("C", "V2", "secretary")}
    rows = res.plan[["village_id", "cadre_id", "status"]].values.tolist()
    assert ["V1", "A", "incumbent"] in rows and not any(r[1] == "B" for r in rows)


def test_H_CONTINUITY_hard_keeps_the_unit():
    hist = [Posting("X", "U2", "V1", "county", "secretary", date(2023, 9, 1), date(2026, 9, 1))]
    units = [unit("U1", x=0), unit("U2", x=50)]
    cadres = [cadre(f"A{i}", "U1") for i in range(3)] + [cadre(f"B{i}", "U2") for i in range(3)]
    cadres.append(cadre("X", "U2"))
    ds = dataset(units, cadres, [village("V1", "key")], history=hist)
    _, plan = plan_of(ds, "hebei-2018")  # U1 is nearer, but Hebei keeps U2
    assert {c[0] for c, *_ in plan} == {"B"}


def test_H_CONTINUITY_soft_prefers_the_unit():
    hist = [Posting("X", "U2", "V1", "county", "secretary", date(2024, 9, 1), date(2026, 9, 1))]
    units = [unit("U1", x=0), unit("U2", x=30)]
    cadres = [cadre(f"A{i}", "U1") for i in range(2)] + [cadre(f"B{i}", "U2") for i in range(2)]
    ds = dataset(units, cadres, [village("V1", "key")], history=hist)
    _, plan = plan_of(ds)  # 30 km more travel costs less than continuity's 40 points
    assert {c[0] for c, *_ in plan} == {"B"}


def test_H_PROVVILLAGE_soft_avoids_repeat_province_team():
    hist = [Posting("X", "P1", "V1", "province", "secretary", date(2024, 9, 1), date(2026, 9, 1))]
    units = [unit("P1", "province", staff=30, x=0), unit("U1", x=20)]  # below must-send
    cadres = [
        cadre("P", "P1", rank="division"),
        cadre("L", "U1", young_pool=True),
        cadre("X", "P1"),
    ]
    ds = dataset(units, cadres, [village("V1", "key")], history=hist)
    _, plan = plan_of(
        ds,
        "hunan-2021",
        {"categories": {"key": {"min": 1, "max": 5}}, "history": {"continuity": "off"}},
    )
    assert plan == {("L", "V1", "secretary")}


def test_U_PARTICIPATE_large_province_unit_must_send():
    units = [unit("P1", "province", staff=120, x=90), unit("U1", x=0)]
    cadres = [cadre("P", "P1", rank="division"), cadre("L", "U1", young_pool=True)]
    vs = [village("V1", "key"), village("V2", "weak")]
    _, plan = plan_of(
        dataset(units, cadres, vs), "hunan-2021", {"categories": {"key": {"min": 1, "max": 5}}}
    )
    assert ("P", "V1", "secretary") in plan


def test_LV_LEVEL_county_2022_weak_gets_county_secretary():
    units = [unit("C1", "city", x=0), unit("U1", x=40)]
    cadres = [cadre("city", "C1"), cadre("cty", "U1")]
    _, plan = plan_of(dataset(units, cadres, [village("V1", "weak")]), "county-2022")
    assert plan == {("cty", "V1", "secretary")}


def test_LV_LEVEL_hunan_province_only_for_key_when_scope_makes_it_hard():
    # hunan-2021 itself has S-PROVKEY soft (test_rules_fidelity); levels.scope makes it a bar
    units = [unit("P1", "province")]
    cadres = [cadre("P", "P1", rank="division")]
    scope = {"levels": {"scope": {"province": ["key"]}}}
    res, plan = plan_of(dataset(units, cadres, [village("V1", "weak")]), "hunan-2021", scope)
    assert plan == set() and "LV-LEVEL" in res.tables.unstaffed.reason.iloc[0]


def test_LV_REGION_county_unit_serves_its_county_only():
    units = [unit("U1", region="430122")]
    res, plan = plan_of(dataset(units, [cadre("A", "U1")], [village("V1", "weak")]))
    assert plan == set() and "LV-REGION" in res.tables.unstaffed.reason.iloc[0]


def test_P_PIN_require_and_forbid():
    units = [unit("U1", x=0)]
    vs = [village("V1", "weak", x=0), village("V2", "weak", x=30)]
    cadres = [cadre("A", "U1"), cadre("B", "U1")]
    pins = [Pin("A", "V2", "require", "secretary"), Pin("B", "V2", "forbid")]
    _, plan = plan_of(dataset(units, cadres, vs, pins=pins))
    assert plan == {("A", "V2", "secretary"), ("B", "V1", "secretary")}


def test_P_PIN_impossible_require_is_bad_input():
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1", health="poor")],
        [village("V1", "weak")],
        pins=[Pin("A", "V1", "require")],
    )
    with pytest.raises(InputError, match="forbidden by E-HEALTH: health: poor"):
        solve(ds, load_policy("central-2021"), DAY)


def test_priority_weak_before_key_when_short():
    ds = dataset([unit("U1")], [cadre("A", "U1")], [village("K", "key"), village("W", "weak")])
    res, plan = plan_of(ds)
    assert plan == {("A", "W", "secretary")}
    assert res.coverage == {"weak": (1, 1), "key": (0, 2)}


def test_S_TRAVEL_nearer_unit():
    units = [unit("FAR", x=60), unit("NEAR", x=5)]
    ds = dataset(units, [cadre("F", "FAR"), cadre("N", "NEAR")], [village("V1", "weak", x=0)])
    _, plan = plan_of(ds)
    assert plan == {("N", "V1", "secretary")}


def test_S_PARTY_party_member_preferred_as_member():
    cadres = [cadre("S", "U1"), cadre("P", "U1"), cadre("N", "U1", political_status="none",
                                                             party_date=None)]  # fmt: skip
    _, plan = plan_of(dataset([unit("U1")], cadres, [village("V1", "key")]))
    assert ("N", "V1", "member") not in plan and len(plan) == 2


def test_S_FIT_seats_the_skill_where_it_is_needed():
    cadres = [cadre("agri", "U1", skills=frozenset({"agriculture"})),
              cadre("law", "U1", skills=frozenset({"law"}))]  # fmt: skip
    vs = [village("V1", "weak", needs=frozenset({"law"})),
          village("V2", "weak", needs=frozenset({"agriculture"}))]  # fmt: skip
    _, plan = plan_of(dataset([unit("U1")], cadres, vs))
    assert plan == {("law", "V1", "secretary"), ("agri", "V2", "secretary")}


def test_infeasible_is_a_status_not_an_exception():
    # two require pins for the single first-secretary seat of one village
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1"), cadre("B", "U1")],
        [village("V1", "weak")],
        pins=[Pin("A", "V1", "require", "secretary"), Pin("B", "V1", "require", "secretary")],
    )
    res = solve(ds, load_policy("central-2021"), DAY, time_limit=10)
    assert res.status == "INFEASIBLE" and not res.has_plan


def test_S_YOUNG_yantai_age_by_rank():
    # Yantai: 正科 ≤ 35 counts as young; the 40-year-old 正科 does not
    cadres = [cadre("old", "U1", birth_date=date(1986, 1, 1)),
              cadre("young", "U1", birth_date=date(1993, 1, 1))]  # fmt: skip
    _, plan = plan_of(dataset([unit("U1")], cadres, [village("V1", "weak")]), "yantai-2021")
    assert plan == {("young", "V1", "secretary")}


def test_S_EXPERT_rural_experience_preferred():
    cadres = [cadre("desk", "U1"), cadre("rural", "U1", rural_years=6.0)]
    _, plan = plan_of(dataset([unit("U1")], cadres, [village("V1", "weak")]))
    assert plan == {("rural", "V1", "secretary")}


def test_H_PROVVILLAGE_hard_forbids_repeat_province_team():
    hist = [Posting("X", "P1", "V1", "province", "secretary", date(2024, 9, 1), date(2026, 9, 1))]
    units = [unit("P1", "province", staff=30)]
    cadres = [cadre("P", "P1", rank="division"), cadre("X", "P1")]
    res, plan = plan_of(
        dataset(units, cadres, [village("V1", "key")], history=hist),
        "hunan-2021",
        {"history": {"provvillage": "hard"}},
    )
    assert plan == set() and res.coverage["key"] == (0, 3)


def test_tight_instance_reasons_name_the_binding_rule():
    # one secretary-capable cadre, two weak villages: one is filled, the other says why not
    ds = dataset([unit("U1")], [cadre("A", "U1")], [village("V1", "weak"), village("V2", "weak")])
    res, plan = plan_of(ds)
    assert len(plan) == 1
    (row,) = res.tables.unstaffed.to_dict("records")
    assert row["posts_missing"] == 1
    assert row["reason"].startswith("PRIORITY: completing it needs 1 more of unit U1's people")
    assert row["reason"].endswith("equal or higher priority: V1 (weak)")
