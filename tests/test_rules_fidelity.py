"""Issue 15 (rule fidelity): S-PROVKEY soft, P-PIN checked before solving, H-CONTINUITY through
a recall, history rows of departed cadres."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from factory import DAY, Pin, Posting, Recall, cadre, dataset, unit, village

from optimizer import load_dataset, load_policy, solve, verify_plan
from optimizer.cli import main
from optimizer.data.errors import InputError
from optimizer.plans.build import write_plan
from optimizer.plans.check import check
from optimizer.plans.explain import explain_cadre, explain_village
from optimizer.rules.instance import build_instance
from optimizer.rules.pins import pin_bars
from optimizer.terms.replan import replan
from optimizer.verify import hard_violations

HUNAN = load_policy("hunan-2021")
SCOPE = {"levels": {"scope": {"province": ["key"]}}}
ONE = {"categories": {"exited": {"min": 1, "max": 5}, "key": {"min": 1, "max": 5}}}


def _plan(ds, policy):
    res = solve(ds, policy, DAY, time_limit=20)
    assert res.status == "OPTIMAL", res.notes
    return res, {(a.cadre_id, a.village_id, a.role) for a in res.assignments}


# --------------------------------------------------------------------------- S-PROVKEY


def _provincial(key_village: bool = True):
    units = [unit("P1", "province", staff=30, x=0), unit("U1", x=0)]
    cadres = [cadre("P", "P1", rank="division"), cadre("L", "U1", young_pool=True)]
    vs = [village("E1", "exited")] + ([village("K1", "key")] if key_village else [])
    return dataset(units, cadres, vs)


def test_S_PROVKEY_is_soft_in_hunan_and_has_a_weight():
    assert HUNAN.level_scope == {} and HUNAN.weights.provkey > 0
    assert load_policy("central-2021").weights.provkey == 0
    assert load_policy("hunan-2021", SCOPE).level_scope == {"province": ("key",)}


def test_S_PROVKEY_province_team_goes_to_the_key_village_when_it_can():
    _, plan = _plan(_provincial(), load_policy("hunan-2021", ONE))
    assert plan == {("P", "K1", "secretary"), ("L", "E1", "secretary")}


def test_S_PROVKEY_coverage_comes_first():
    # only the province cadre can serve: it leads the exited village rather than leave it empty
    ds = _provincial(key_village=False)
    ds.cadres.pop("L")
    res, plan = _plan(ds, load_policy("hunan-2021", ONE))
    assert plan == {("P", "E1", "secretary")} and res.all_filled


def test_S_PROVKEY_soft_in_verify_and_explain(tmp_path):
    ds = _provincial(key_village=False)
    ds.cadres.pop("L")
    pol = load_policy("hunan-2021", ONE)
    res, _ = _plan(ds, pol)
    write_plan(res.tables, tmp_path / "p")
    found = [v for v in verify_plan(ds, tmp_path / "p", pol, DAY) if v.rule == "S-PROVKEY"]
    assert [(v.village_id, v.cadre_id, v.severity) for v in found] == [("E1", "P", "soft")]
    text = explain_cadre(ds, pol, "P", DAY, result=res).render("en")
    assert "S-PROVKEY" in text


def test_S_PROVKEY_a_policy_may_make_it_hard():
    ds = _provincial(key_village=False)
    ds.cadres.pop("L")
    res, plan = _plan(ds, load_policy("hunan-2021", {**ONE, **SCOPE}))
    assert plan == set() and "LV-LEVEL" in res.tables.unstaffed.reason.iloc[0]


def test_S_PROVKEY_a_require_pin_overrides_it():
    ds = _provincial()
    ds.pins.append(Pin("P", "E1", "require", "secretary"))
    assert pin_bars(ds, HUNAN, DAY) == []
    _, plan = _plan(ds, load_policy("hunan-2021", ONE))
    assert ("P", "E1", "secretary") in plan


def test_S_PROVKEY_hard_by_scope_rejects_the_pin_up_front():
    ds = _provincial()
    ds.pins.append(Pin("P", "E1", "require", "secretary", "pins.csv", 2))
    (bar,) = pin_bars(ds, load_policy("hunan-2021", SCOPE), DAY)
    assert bar.rule == "LV-LEVEL" and "levels.scope.province: key" in bar.value
    assert "province-level unit P1" in bar.value


# --------------------------------------------------------------------------- P-PIN precheck


@pytest.mark.parametrize(
    ("rule", "kw", "role", "value"),
    [
        ("E-HEALTH", {"health": "poor"}, None, "health: poor"),
        (
            "E-SEC-PARTY",
            {"political_status": "probationary", "party_date": None},
            "secretary",
            "political_status: probationary",
        ),
        ("E-SEC-PARTYYRS", {"party_date": date(2026, 3, 1)}, "secretary", "party standing 0 year"),
        ("L-RANK", {"rank": "section", "middle_manager": False}, "secretary", "rank section"),
    ],
)
def test_P_PIN_precheck_names_the_cadre_rule_and_value(rule, kw, role, value):
    units = [unit("P1", "province")]
    ds = dataset(
        units,
        [cadre("A", "P1", **kw)],
        [village("K1", "key")],
        pins=[Pin("A", "K1", "require", role, "pins.csv", 3)],
    )
    (bar,) = pin_bars(ds, HUNAN, DAY)
    assert bar.rule == rule and value in bar.value
    line = str(bar.problem())
    assert line.startswith("pins.csv, row 3: require pin A → K1") and rule in line


def test_P_PIN_precheck_village_and_history_rules():
    hist = [
        Posting("B", "U1", "V2", "county", "member", date(2021, 9, 1), date(2023, 9, 1)),
        Posting("C", "U1", "V3", "county", "secretary", date(2025, 9, 1), None),
        Posting("X", "U2", "V4", "county", "secretary", date(2025, 9, 1), None),
    ]
    units = [unit("U1"), unit("U2"), unit("F", region="430122")]
    cadres = [cadre(k, "U1") for k in "ABCD"] + [cadre("X", "U2"), cadre("Y", "F")]
    vs = [village(v, "key") for v in ("V1", "V2", "V3", "V4")] + [village("R", "red")]
    pins = [Pin("Y", "V1", "require"), Pin("B", "V2", "require"), Pin("A", "R", "require"),
            Pin("C", "V1", "require"), Pin("D", "V3", "require", "secretary"),
            Pin("D", "V4", "require", "member"), Pin("C", "V3", "require", "secretary")]  # fmt: skip
    ds = dataset(units, cadres, vs, history=hist, pins=pins)
    got = [(b.pin.cadre_id, b.pin.village_id, b.rule) for b in pin_bars(ds, HUNAN, DAY)]
    assert got == [
        ("Y", "V1", "LV-REGION"),
        ("B", "V2", "H-NOREPEAT"),
        ("A", "R", "T-SIZE"),
        ("C", "V1", "H-INCUMBENT"),
        ("D", "V3", "H-INCUMBENT"),
        ("D", "V4", "T-UNIT"),
    ]  # (C at V3 is its own incumbent post: met)
    hebei = load_policy("hebei-2018")
    ds.pins[:] = [Pin("D", "V4", "require", "secretary")]
    ds.history[2] = replace(hist[2], end=date(2025, 9, 1))  # ended: the previous period binds
    (bar,) = pin_bars(ds, hebei, DAY)
    assert bar.rule == "H-CONTINUITY" and "U2" in bar.value


def test_P_PIN_a_pin_on_the_cadres_own_current_posting_is_met():
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2025, 9, 1), None)]
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1")],
        [village("V1", "weak")],
        history=hist,
        pins=[Pin("A", "V1", "require")],
    )
    assert pin_bars(ds, HUNAN, DAY) == []
    res = solve(ds, load_policy("central-2021"), DAY, time_limit=10)
    assert res.status == "OPTIMAL" and res.plan.cadre_id.tolist() == ["A"]


def test_P_PIN_precheck_runs_before_solving_in_check_and_solve():
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1", health="poor")],
        [village("V1", "weak")],
        pins=[Pin("A", "V1", "require", None, "pins.csv", 2)],
    )
    pol = load_policy("central-2021")
    with pytest.raises(InputError, match=r"pins.csv, row 2: .*E-HEALTH: health: poor"):
        check(ds, pol, DAY)
    with pytest.raises(InputError, match="E-HEALTH"):
        solve(ds, pol, DAY, method="decompose")


def test_P_PIN_cli_check_reports_the_pins_row_and_exits_2(tmp_path, capsys):
    folder = _write_sample_with_pin(tmp_path)
    code = main(["check", str(folder), "--policy", "hebei-2018", "--date", "2026-09-01"])
    err = capsys.readouterr().err
    assert code == 2
    (line,) = [x for x in err.splitlines() if "require pin" in x]
    assert "pins.csv, row 2" in line and "E-TOWNSHIP" in line


def _write_sample_with_pin(tmp_path: Path) -> Path:
    sample = Path(__file__).resolve().parents[1] / "scenarios" / "sample-county"
    folder = tmp_path / "ds"
    folder.mkdir()
    for f in sample.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    ds = load_dataset(folder)
    town = next(c for c in ds.cadres.values() if ds.units[c.unit_id].level == "township")
    vid = next(iter(ds.villages))
    with open(folder / "pins.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["cadre_id", "village_id", "role", "kind"])
        w.writerow([town.cadre_id, vid, "", "require"])
    return folder


# --------------------------------------------------------------------------- H-CONTINUITY


def _recalled_case():
    """V1's current team (city unit C1, 2024-09..2026-08 → still serving) has its secretary
    recalled; the previous period was a province unit's. Hebei keeps the current unit."""
    hist = [
        Posting("P0", "P1", "V1", "province", "secretary", date(2021, 9, 1), date(2024, 9, 1)),
        Posting("S", "C1", "V1", "city", "secretary", date(2024, 9, 1), date(2027, 9, 1)),
        Posting("M", "C1", "V1", "city", "member", date(2024, 9, 1), date(2027, 9, 1)),
    ]
    units = [unit("P1", "province", x=0), unit("C1", "city", x=80)]
    cadres = [cadre(f"P{i}", "P1", rank="division") for i in range(1, 4)]
    cadres += [cadre(k, "C1", rank="deputy_division") for k in ("S", "M", "N1", "N2")]
    return dataset(units, cadres, [village("V1", "exited")], history=hist, recall=[Recall("S", "")])


def test_H_CONTINUITY_recalled_team_keeps_its_unit():
    ds = _recalled_case()
    hebei = load_policy("hebei-2018")
    assert build_instance(ds, hebei, DAY).prev_units == {"V1": {"C1"}}
    _, plan = _plan(ds, hebei)
    (sec,) = [c for c, _, r in plan if r == "secretary"]
    assert ds.cadres[sec].unit_id == "C1"


def test_H_CONTINUITY_previous_period_only_without_a_current_team():
    ds = _recalled_case()
    ds.history[1:] = []
    ds.recall = []
    assert build_instance(ds, load_policy("hebei-2018"), DAY).prev_units == {"V1": {"P1"}}


def test_H_CONTINUITY_verifier_agrees(tmp_path):
    ds = _recalled_case()
    hebei = load_policy("hebei-2018")
    res, _ = _plan(ds, hebei)
    write_plan(res.tables, tmp_path / "p")
    assert hard_violations(verify_plan(ds, tmp_path / "p", hebei, DAY)) == []
    # a plan led by the previous period's unit breaks it
    import pandas as pd

    plan = pd.read_csv(tmp_path / "p" / "plan.csv", dtype=str, keep_default_na=False)
    sec = plan.role == "secretary"
    plan.loc[sec, ["cadre_id", "cadre_name", "unit_id", "level"]] = [
        "P1",
        "干部P1",
        "P1",
        "province",
    ]
    plan.to_csv(tmp_path / "p" / "plan.csv", index=False)
    rules = {v.rule for v in hard_violations(verify_plan(ds, tmp_path / "p", hebei, DAY))}
    assert "H-CONTINUITY" in rules


def test_H_CONTINUITY_hebei_sample_maximum():
    sample = Path(__file__).resolve().parents[1] / "scenarios" / "sample-county"
    ds = load_dataset(sample)
    inst = build_instance(ds, load_policy("hebei-2018"), DAY)
    # 430121010: U0044 held 2022–24, U0016's team holds the current term
    assert inst.prev_units["430121010"] == {"U0016"}
    assert inst.prev_units["430121035"] == {"U0030"}


# --------------------------------------------------------------------------- departed cadres


def _departed_ds():
    hist = [
        Posting("GONE", "U2", "V1", "county", "secretary", date(2024, 9, 1), None),  # retired
        Posting("OLD", "U1", "V2", "county", "secretary", date(2022, 9, 1), date(2024, 9, 1)),
        Posting("A", "U1", "V3", "county", "secretary", date(2025, 9, 1), None),
    ]
    units = [unit("U1", x=0), unit("U2", x=60)]
    cadres = [cadre(f"A{i}", "U1") for i in range(4)] + [cadre("A", "U1")]
    cadres += [cadre(f"B{i}", "U2") for i in range(3)]
    vs = [village("V1", "key"), village("V2", "key"), village("V3", "weak")]
    return dataset(units, cadres, vs, history=hist)


def test_H_CONTINUITY_departed_cadre_still_counts_for_the_unit():
    ds = _departed_ds()
    inst = build_instance(ds, load_policy("hebei-2018"), DAY)
    assert inst.prev_units["V1"] == {"U2"} and inst.prev_units["V2"] == {"U1"}
    assert "GONE" not in {p.cadre_id for p in inst.incumbents}


def test_departed_cadres_in_history_load_with_one_note(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    sample = Path(__file__).resolve().parents[1] / "scenarios" / "sample-county"
    for f in sample.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    lines = (folder / "history.csv").read_text("utf-8").splitlines()
    moved = [lines[1].replace(lines[1].split(",")[0], "GONE1", 1),
             lines[2].replace(lines[2].split(",")[0], "GONE2", 1)]  # fmt: skip
    (folder / "history.csv").write_text("\n".join([*lines, *moved]) + "\n", "utf-8")
    ds = load_dataset(folder)
    assert len(ds.history) == len(lines) + 1
    (note,) = [str(w) for w in ds.warnings]
    assert note.startswith("history.csv: 2 row(s) name cadres not in the cadres table")


def test_departed_cadres_solve_verify_explain_replan(tmp_path):
    ds = _departed_ds()
    hebei = load_policy("hebei-2018", {"categories": {"key": {"min": 2, "max": 3}}})
    res, plan = _plan(ds, hebei)
    assert {v for _, v, r in plan if r == "secretary"} == {"V1", "V2"}
    lead = {v: ds.cadres[c].unit_id for c, v, r in plan if r == "secretary"}
    assert lead == {"V1": "U2", "V2": "U1"}  # the departed cadres' units keep their villages
    write_plan(res.tables, tmp_path / "p")
    assert hard_violations(verify_plan(ds, tmp_path / "p", hebei, DAY)) == []
    assert explain_village(ds, hebei, "V1", DAY, result=res).render("en")
    assert explain_cadre(ds, hebei, "B0", DAY, result=res).render("en")
    sec = next(c for c, v, r in plan if v == "V1" and r == "secretary")
    rep = replan(ds, tmp_path / "p", hebei, [Recall(sec, "health")])
    assert rep.affected == ["V1"]
