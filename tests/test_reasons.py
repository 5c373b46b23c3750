"""Issue 15 item 4: one reason everywhere. ``unstaffed.csv``, ``explain --village`` and
``explain --cadre`` (of a free cadre who could have gone there) give the same reason, binding
rule first; ``explain --plan DIR`` explains a plan folder, hand-edited too, without solving."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from factory import DAY, Posting, cadre, dataset, unit, village

from optimizer import explain_cadre, explain_village, load_policy, solve
from optimizer.cli import main
from optimizer.plans.build import write_plan
from optimizer.plans.reasons import view_of
from optimizer.whatif.build import dataset_tables, write_dataset_files

HEBEI = load_policy("hebei-2018")
ROOT = Path(__file__).resolve().parents[1]
SHARED = next(
    (p / "shared" / "instances" for p in ROOT.parents if (p / "shared" / "instances").is_dir()),
    ROOT / "no-shared",
)


def _tight():
    """A county short of people: UO must keep V_CONT (H-CONTINUITY) but has one free cadre; UA
    can staff K1 or E1, not both; UB alone cannot complete E1; UC's F is free."""
    old = Posting("X", "UO", "V_CONT", "county", "secretary", date(2022, 9, 1), date(2024, 9, 1))
    cadres = [cadre("X", "UO"), cadre("O1", "UO"), cadre("F", "UC")]
    cadres += [cadre(f"A{i}", "UA") for i in range(3)] + [cadre(f"B{i}", "UB") for i in range(2)]
    return dataset(
        [unit(u) for u in ("UA", "UB", "UC", "UO")],
        cadres,
        [village("K1", "key"), village("E1", "exited"), village("V_CONT", "exited")],
        history=[old],
    )


def _agree(ds, policy, day, res) -> int:
    """Assert the three reasons agree for every unstaffed village; count cadres checked."""
    inst, checked = res.instance, 0
    posted = {c for c, _, _ in view_of(res).postings}
    for row in res.tables.unstaffed.itertuples():
        ex = explain_village(ds, policy, row.village_id, day, result=res)
        assert ex.reason_en == row.reason and f"Reason: {row.reason}" in ex.render()
        assert row.reason.startswith(ex.rules[0] + ":")
        free = [
            c
            for c in ds.cadres
            if c not in posted
            and c not in inst.busy
            and not inst.failures[c]
            and row.village_id in dict(inst.options(c))
        ]
        for c in free[:3]:
            ce = explain_cadre(ds, policy, c, day, result=res)
            assert ce.short_villages[row.village_id].startswith(row.reason)
            assert row.reason in ce.render()
            checked += 1
    return checked


def test_one_reason_everywhere_on_a_tight_county():
    ds = _tight()
    res = solve(ds, HEBEI, DAY, time_limit=30)
    reasons = dict(zip(res.tables.unstaffed.village_id, res.tables.unstaffed.reason, strict=True))
    assert reasons["V_CONT"].startswith("H-CONTINUITY: the team's unit must stay UO")
    assert reasons["E1"].startswith("PRIORITY: completing it needs 3 more of unit UA's people")
    assert "K1 (key)" in reasons["E1"]
    assert _agree(ds, HEBEI, DAY, res) >= 2  # F, free, could have gone to E1 and V_CONT
    zh = explain_village(ds, HEBEI, "V_CONT", DAY, result=res).render("zh")
    assert "原因：H-CONTINUITY" in zh


@pytest.mark.skipif(not (SHARED / "tight-201").is_dir(), reason="shared instances not present")
def test_one_reason_everywhere_on_an_independent_tight_instance():
    from optimizer.data.loading import load_dataset

    ds, day = load_dataset(SHARED / "tight-201"), date(2025, 9, 1)
    res = solve(ds, HEBEI, day, time_limit=60)
    assert len(res.tables.unstaffed) > 0
    _agree(ds, HEBEI, day, res)


def test_explain_plan_dir_explains_a_hand_edited_plan_without_solving(
    tmp_path, monkeypatch, capsys
):
    ds = dataset([unit("U1")], [cadre(c, "U1") for c in "ABCD"], [village("K1", "key")])
    res = solve(ds, HEBEI, DAY, time_limit=30)
    assert res.tables.unstaffed.empty
    write_plan(res.tables, tmp_path / "plan")
    write_dataset_files(dataset_tables(ds), tmp_path / "data")
    plan = pd.read_csv(tmp_path / "plan" / "plan.csv", dtype=str, keep_default_na=False)
    gone = plan[plan.role == "member"].cadre_id.iloc[0]
    plan[plan.cadre_id != gone].to_csv(tmp_path / "plan" / "plan.csv", index=False)

    def no_solve(*a, **k):
        raise AssertionError("explain --plan must not solve")

    monkeypatch.setattr("optimizer.plans.explain.solve", no_solve)
    ex = explain_village(ds, HEBEI, "K1", None, plan_dir=tmp_path / "plan")
    assert ex.status == "short" and ex.rules == ["PLAN"] and gone in ex.reason_en
    ce = explain_cadre(ds, HEBEI, gone, None, plan_dir=tmp_path / "plan")
    assert ce.posted is None and ce.short_villages["K1"] == ex.reason_en
    args = ["explain", str(tmp_path / "data"), "--policy", "hebei-2018", "--plan",
            str(tmp_path / "plan")]  # fmt: skip
    assert main([*args, "--village", "K1"]) == 0
    assert f"Reason: {ex.reason_en}" in capsys.readouterr().out


def test_explain_plan_dir_bad_rows_are_named(tmp_path, capsys):
    ds = dataset([unit("U1")], [cadre("A", "U1")], [village("K1", "key")])
    write_dataset_files(dataset_tables(ds), tmp_path / "data")
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "plan.csv").write_text(
        "village_id,cadre_id,role\nK1,A,secretary\nK1,Z9,member\n", "utf-8"
    )
    args = ["explain", str(tmp_path / "data"), "--policy", "hebei-2018", "--date", "2026-09-01"]
    assert main([*args, "--plan", str(tmp_path / "plan"), "--village", "K1"]) == 2
    err = capsys.readouterr().err
    assert "plan.csv" in err and "row 3" in err and "Z9" in err and "Traceback" not in err
    assert main([*args, "--plan", str(tmp_path / "nope"), "--village", "K1"]) == 2


def test_the_deletion_filter_asks_only_of_rules_that_bar_someone(monkeypatch):
    """Setting aside a rule that bars no candidate at the village changes nothing, so the
    filter does not ask (a province's reasons: 25,194 asks → 17,239, the same reasons); the
    rule that binds is still found."""
    from optimizer.model.candidates import groups_at
    from optimizer.plans import alone as alone_mod
    from optimizer.rules.instance import build_instance

    inst = build_instance(_tight(), HEBEI, DAY)
    asked: list[set[str]] = []
    real = alone_mod.alone

    def counted(inst_, vid, tab, relaxed):
        asked.append(set(relaxed))
        return real(inst_, vid, tab, relaxed)

    monkeypatch.setattr(alone_mod, "alone", counted)
    tab = groups_at(inst, "V_CONT")
    rules = alone_mod.minimal_rules(inst, "V_CONT", tab)
    assert rules and rules[0] == "H-CONTINUITY"
    # the first ask has every rule set aside; then one per rule that bars someone, and T-UNIT
    assert 1 < len(asked) < 1 + len(alone_mod.ENFORCE)
