"""`explain`: the binding rules for a short village (minimal), and a cadre's posting or absence."""

from __future__ import annotations

from datetime import date

from factory import DAY, Posting, cadre, dataset, unit, village

from optimizer import explain_cadre, explain_village, load_policy
from optimizer.cli import main
from optimizer.model.candidates import table
from optimizer.plans.alone import alone
from optimizer.rules.instance import build_instance

CENTRAL = load_policy("central-2021")


def test_intrinsic_single_binding_rule():
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1", political_status="probationary", party_date=None)],
        [village("V1", "weak")],
    )
    ex = explain_village(ds, CENTRAL, "V1", DAY)
    assert ex.status == "short" and ex.rules == ["E-SEC-PARTY"] and ex.competitors == []
    assert "E-SEC-PARTY: removes 1 of 1 possible first secretaries" in ex.render()


def test_intrinsic_two_rules_and_minimal():
    # the only cadre is from another county AND joined the party three months ago
    ds = dataset(
        [unit("U1", region="430122")],
        [cadre("A", "U1", party_date=date(2026, 6, 1))],
        [village("V1", "weak")],
    )
    ex = explain_village(ds, CENTRAL, "V1", DAY)
    assert ex.rules == ["E-SEC-PARTYYRS", "LV-REGION"]  # the specific rule first
    inst = build_instance(ds, CENTRAL, DAY)
    need, tab = inst.need["V1"].min, table(inst, "V1")
    assert alone(inst, "V1", tab, set(ex.rules)) >= need  # setting them aside suffices
    for r in ex.rules:  # and each one is needed: minimal
        assert alone(inst, "V1", tab, set(ex.rules) - {r}) < need


def test_competitive_names_the_villages_that_need_the_same_people():
    # two people: the weak village takes one, so the key village (2–5) gets a partial team
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1"), cadre("B", "U1")],
        [village("W", "weak"), village("K", "key"), village("E", "exited")],
    )
    ex = explain_village(ds, CENTRAL, "K", DAY)
    assert ex.rules == ["PRIORITY", "T-UNIT"] and ex.competitors == ["W"]
    assert "K (村K) is short 1 of 2" in ex.render()


def test_not_enough_people_at_all():
    ds = dataset([unit("U1")], [cadre("A", "U1")], [village("K", "key")])
    ex = explain_village(ds, CENTRAL, "K", DAY)
    assert ex.status == "short" and "not enough people in the dataset" in ex.render()


def test_full_covered_and_no_requirement():
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1"), cadre("B", "U1")],
        [village("V1", "key"), village("R", "red")],
    )
    assert explain_village(ds, CENTRAL, "V1", DAY).status == "full"
    ex = explain_village(ds, CENTRAL, "R", DAY)
    assert ex.status == "no-requirement" and ex.rules == ["T-SIZE"]
    hunan = load_policy("hunan-2021")
    ds2 = dataset(
        [unit("U1")],
        [cadre("A", "U1", young_pool=True)],
        [village("H", "demo", x=0), village("C", "demo", x=2)],
    )
    statuses = {explain_village(ds2, hunan, v, DAY).status for v in ("H", "C")}
    assert statuses == {"full", "covered"}


def test_cadre_posted_with_score_and_alternative():
    ds = dataset(
        [unit("U1", x=0)],
        [cadre("A", "U1", rural_years=3.0)],
        [village("V1", "weak", x=1), village("V2", "exited", x=30)],
    )
    ex = explain_cadre(ds, CENTRAL, "A", DAY)
    assert (ex.posted, ex.role) == ("V1", "secretary")
    assert ex.scores["S-EXPERT"] == 50 and ex.scores["S-TRAVEL"] == -1
    assert ex.alternative == "V2" and ex.alternative_delta == 29  # 30 km vs 1 km of travel


def test_cadre_not_posted_names_each_failed_rule_with_its_value():
    ds = dataset(
        [unit("U1")], [cadre("A", "U1", health="poor", available=False)], [village("V1", "weak")]
    )
    ex = explain_cadre(ds, CENTRAL, "A", DAY)
    assert ex.posted is None and ex.failures == ["E-AVAIL", "E-HEALTH"]
    assert "health is poor" in ex.render() and "较差" in ex.render("zh")


def test_cadre_eligible_but_not_needed_and_incumbent():
    hist = [Posting("I", "U1", "V1", "county", "secretary", date(2025, 9, 1), None)]
    ds = dataset(
        [unit("U1")], [cadre("I", "U1"), cadre("A", "U1")], [village("V1", "weak")], history=hist
    )
    assert "eligible but not needed" not in explain_cadre(ds, CENTRAL, "I", DAY).render()
    assert "H-INCUMBENT" in explain_cadre(ds, CENTRAL, "I", DAY).render()
    ds2 = dataset([unit("U1")], [cadre("A", "U1"), cadre("B", "U1")], [village("V1", "weak")])
    out = [explain_cadre(ds2, CENTRAL, c, DAY) for c in ("A", "B")]
    idle = next(e for e in out if e.posted is None)
    assert "eligible but not needed" in idle.render()


def test_cli_explain(capsys, tmp_path):
    from conftest import base_tables, write_tables

    folder = write_tables(tmp_path, base_tables())
    assert (
        main(
            [
                "explain",
                str(folder),
                "--policy",
                "hunan-2021",
                "--date",
                "2026-09-01",
                "--village",
                "V2",
                "--quiet",
            ]
        )
        == 0
    )
    assert "V2" in capsys.readouterr().out
    assert main(["explain", str(folder), "--policy", "hunan-2021", "--cadre", "C9"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "--cadre: value 'C9': no such cadre in the dataset"
    )
    assert main(["explain", str(folder), "--policy", "hunan-2021", "--village", "V9"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "--village: value 'V9': no such village in the dataset"
    )
