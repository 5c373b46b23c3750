"""Recall repair: only the damaged team changes, every other row stays byte-identical."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from factory import DAY, Posting, Recall, cadre, dataset, unit, village

from optimizer import load_dataset, load_policy, solve, verify_plan
from optimizer.cli import main
from optimizer.data.errors import InputError
from optimizer.plans.build import write_plan
from optimizer.terms.replan import replan, write_repair

SAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "sample-county"
POLICY = load_policy("central-2021")


def solved(tmp_path: Path, ds, policy=POLICY) -> tuple[Path, pd.DataFrame]:
    res = solve(ds, policy, DAY, time_limit=20)
    assert res.status == "OPTIMAL"
    out = tmp_path / "base"
    write_plan(res.tables, out)
    return out, pd.read_csv(out / "plan.csv", dtype=str, keep_default_na=False)


def lines_by_village(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines()[1:]:
        out.setdefault(line.split(",")[0], []).append(line)
    return out


def changes_of(rep) -> list[tuple[str, str, str, str]]:
    return [
        (c["kind"], c["cadre_id"], c["old_role"], c["new_role"])
        for c in rep.changes.to_dict("records")
    ]


def test_recalled_secretary_is_replaced_and_nothing_else_moves(tmp_path):
    ds = dataset(
        [unit("U1")],
        [cadre(f"A{i}", "U1") for i in range(5)],
        [village("V1", "key"), village("V2", "key")],
    )
    base, plan = solved(tmp_path, ds)
    sec = plan[(plan.village_id == "V1") & (plan.role == "secretary")].cadre_id.iloc[0]
    free = sorted(set(ds.cadres) - set(plan.cadre_id))
    assert len(free) == 1  # two 2-person teams from five people
    rep = replan(ds, base, POLICY, [Recall(sec, "health")])
    assert rep.mode == "freeze" and rep.affected == ["V1"] and rep.all_filled
    assert changes_of(rep) == [
        ("removed", sec, "secretary", ""),
        ("added", free[0], "", "secretary"),
    ]
    assert rep.changes.reason.tolist() == ["recalled: health", f"replaces {sec} (secretary)"]
    out = tmp_path / "fixed"
    write_repair(rep, out)
    before, after = lines_by_village(base / "plan.csv"), lines_by_village(out / "plan.csv")
    assert after["V2"] == before["V2"]
    assert after["V1"][1:] == before["V1"][1:]  # the member's row, byte for byte
    assert after["V1"][0] == before["V1"][0].replace(sec, free[0]).replace(
        f"干部{sec}", f"干部{free[0]}"
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "changes.csv",
        "kpis.json",
        "manifest.json",
        "plan.csv",
        "plan.xlsx",
        "recall.csv",
        "teams.csv",
        "unstaffed.csv",
    ]
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    assert man["plan_date"] == DAY.isoformat() and man["replan"]["mode"] == "freeze"
    assert man["replan"]["recalled"] == [{"cadre_id": sec, "reason": "recalled: health"}]
    fixed = replace(ds, recall=[Recall(sec, "health")])
    assert not [v for v in verify_plan(fixed, out, POLICY) if v.severity == "hard"]


def test_a_member_is_promoted_when_the_unit_has_no_other_secretary(tmp_path):
    """U1's only other secretary-capable cadre is already the team's member: it becomes first
    secretary and the non-party cadre X takes the member post (the replacement's former role)."""
    cadres = [cadre("S1", "U1", young_pool=True), cadre("S2", "U1", young_pool=True),
              cadre("X", "U1", political_status="none", party_date=None)]  # fmt: skip
    ds = dataset([unit("U1")], cadres, [village("V1", "key")])
    base, plan = solved(tmp_path, ds)
    sec = plan[plan.role == "secretary"].cadre_id.iloc[0]
    mem = plan[plan.role == "member"].cadre_id.iloc[0]
    assert {sec, mem} == {"S1", "S2"}
    rep = replan(ds, base, POLICY, [Recall(sec)])
    assert rep.mode == "promote" and rep.all_filled
    assert changes_of(rep) == [
        ("removed", sec, "secretary", ""),
        ("role", mem, "member", "secretary"),
        ("added", "X", "", "member"),
    ]
    assert rep.changes.reason.tolist()[1] == f"member → secretary, replaces {sec} (secretary)"


def test_mid_term_replacement_starts_on_the_repair_date_and_ends_with_the_team(tmp_path):
    ds = dataset([unit("U1")], [cadre(f"A{i}", "U1") for i in range(3)], [village("V1", "key")])
    base, plan = solved(tmp_path, ds)
    mem = plan[plan.role == "member"].cadre_id.iloc[0]
    rep = replan(ds, base, POLICY, [Recall(mem)], date(2027, 3, 1))
    new = rep.plan.plan
    row = new[new.status == "new"].set_index("role")
    assert row.loc["member", ["start", "end"]].tolist() == ["2027-03-01", "2028-09-01"]
    assert row.loc["secretary", ["start", "end"]].tolist() == ["2026-09-01", "2028-09-01"]
    assert rep.plan.manifest["replan"]["repair_date"] == "2027-03-01"


def test_cadres_newly_marked_unavailable_are_replaced_without_a_recall_file(tmp_path):
    ds = dataset([unit("U1")], [cadre(f"A{i}", "U1") for i in range(3)], [village("V1", "key")])
    base, plan = solved(tmp_path, ds)
    mem = plan[plan.role == "member"].cadre_id.iloc[0]
    ds.cadres[mem] = replace(ds.cadres[mem], available=False)
    rep = replan(ds, base, POLICY)
    assert [c[:2] for c in changes_of(rep)] == [
        ("removed", mem),
        ("added", rep.changes.cadre_id[1]),
    ]
    assert rep.changes.reason[0] == "marked unavailable (E-AVAIL)"


def test_incumbent_recall_and_bad_requests_are_input_errors(tmp_path):
    hist = [Posting("I", "U1", "V1", "county", "secretary", date(2025, 9, 1), None)]
    ds = dataset(
        [unit("U1")],
        [cadre(c, "U1") for c in ("I", "A", "B", "C")],
        [village("V1", "weak"), village("V2", "weak")],
        history=hist,
    )
    base, plan = solved(tmp_path, ds)
    assert plan[plan.cadre_id == "I"].status.tolist() == ["incumbent"]
    rep = replan(ds, base, POLICY, [Recall("I", "leave")])
    assert [c[0] for c in changes_of(rep)] == ["removed", "added"]
    assert set(rep.changes.village_id) == {"V1"}
    free = sorted(set(ds.cadres) - set(plan.cadre_id))[0]
    with pytest.raises(InputError) as err:
        replan(
            ds,
            base,
            POLICY,
            [Recall(free), Recall("nobody")],
            date(2026, 1, 1),
            recall_file="recall.csv",
        )
    assert [str(p) for p in err.value.problems] == [
        "date: value '2026-01-01': the repair date is before the plan's date 2026-09-01",
        f"recall.csv, column cadre_id: value '{free}': cadre {free} (干部{free}) is not posted "
        f"in the plan {base}: nothing to recall",
        "recall.csv, column cadre_id: value 'nobody': unknown cadre: expected a cadre_id of "
        "the cadres table",
    ]
    with pytest.raises(InputError, match="nothing to repair"):
        replan(ds, base, POLICY, [])
    with pytest.raises(InputError, match="that is a changeover"):
        replan(ds, base, POLICY, [Recall("A")], date(2028, 9, 1))


def wide_case():
    """V1's last team came from U2 (soft H-CONTINUITY, 400 points). U2's young P and Q lead V1
    and V2; U1's R is free. Recall V1's secretary: the repair gives V1 to R and loses the
    continuity; moving U2's other cadre to V1 and R to V2 keeps it."""
    units = [unit("U1"), unit("U2")]
    cadres = [cadre("P", "U2", young_pool=True), cadre("Q", "U2", young_pool=True),
              cadre("R", "U1"), cadre("Y", "U2", available=False)]  # fmt: skip
    hist = [Posting("Y", "U2", "V1", "county", "secretary", date(2024, 9, 1), DAY)]
    return dataset(units, cadres, [village("V1", "weak"), village("V2", "weak")], history=hist)


@pytest.mark.parametrize(("threshold", "mode"), [(None, "freeze"), (1000, "freeze"), (100, "wide")])
def test_wider_change_only_above_the_threshold(tmp_path, threshold, mode):
    ds = wide_case()
    base, plan = solved(tmp_path, ds)
    at = dict(zip(plan.village_id, plan.cadre_id, strict=True))
    assert {at["V1"], at["V2"]} == {"P", "Q"}
    rep = replan(ds, base, POLICY, [Recall(at["V1"])], threshold=threshold)
    assert rep.mode == mode
    if threshold is not None:
        assert rep.objective_wide - rep.objective_repair == 400  # H-CONTINUITY's 40 × 10
    if mode == "freeze":
        assert changes_of(rep) == [
            ("removed", at["V1"], "secretary", ""),
            ("added", "R", "", "secretary"),
        ]
    else:
        assert changes_of(rep) == [
            ("removed", at["V1"], "secretary", ""),
            ("moved", at["V2"], "secretary", "secretary"),
            ("added", "R", "", "secretary"),
        ]
        assert rep.changes.new_village_id.tolist() == ["", "V1", "V2"]


# --------------------------------------------------------------------------- county sample


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("county") / "plan"
    assert (
        main(
            [
                "solve",
                str(SAMPLE),
                "--policy",
                "central-2021",
                "--date",
                "2026-09-01",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    return out


def test_county_recall_of_one_first_secretary_changes_only_that_team(county, tmp_path):
    plan = pd.read_csv(county / "plan.csv", dtype=str, keep_default_na=False)
    size = plan.groupby("village_id").size()
    new_secs = plan[(plan.role == "secretary") & (plan.status == "new")]
    target = new_secs[new_secs.village_id.map(size) >= 2].iloc[0]
    recall = tmp_path / "recall.csv"
    recall.write_text(f"cadre_id,reason\n{target.cadre_id},召回\n", "utf-8")
    out = tmp_path / "fixed"
    t0 = time.monotonic()
    code = main(
        [
            "replan",
            str(SAMPLE),
            str(county),
            "--recall",
            str(recall),
            "--policy",
            "central-2021",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    elapsed = time.monotonic() - t0
    assert code == 0 and elapsed < 30
    before, after = lines_by_village(county / "plan.csv"), lines_by_village(out / "plan.csv")
    vid = target.village_id
    assert {v: ls for v, ls in after.items() if v != vid} == {
        v: ls for v, ls in before.items() if v != vid
    }
    changes = pd.read_csv(out / "changes.csv", dtype=str, keep_default_na=False)
    assert set(changes.village_id) == {vid} and len(changes) <= 3
    assert changes.kind.tolist()[0] == "removed" and changes.cadre_id.tolist()[0] == target.cadre_id
    assert set(changes.kind) <= {"removed", "role", "added"}
    kept = [ln for ln in before[vid] if f",{target.cadre_id}," not in ln]
    assert len(after[vid]) == len(before[vid])
    changed = set(changes.cadre_id)
    assert [ln for ln in after[vid] if ln.split(",")[3] not in changed] == [
        ln for ln in kept if ln.split(",")[3] not in changed
    ]
    teams_before = (county / "teams.csv").read_text("utf-8").splitlines()
    teams_after = (out / "teams.csv").read_text("utf-8").splitlines()
    assert [t for t in teams_after if f"T-{vid}," not in t] == [
        t for t in teams_before if f"T-{vid}," not in t
    ]
    ds = load_dataset(SAMPLE)
    fixed = replace(ds, recall=[Recall(target.cadre_id, "召回")])
    assert not [v for v in verify_plan(fixed, out, "central-2021") if v.severity == "hard"]


def test_cli_replan_bad_recall_file_is_one_line_per_problem(county, tmp_path, capsys):
    recall = tmp_path / "recall.csv"
    recall.write_text("reason\nx\n", "utf-8")
    code = main(
        [
            "replan",
            str(SAMPLE),
            str(county),
            "--recall",
            str(recall),
            "--policy",
            "central-2021",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2 and not (tmp_path / "o").exists()
    assert capsys.readouterr().err.strip() == (
        "recall.csv, row 1: missing required column cadre_id (干部编号)"
    )
    recall.write_text("cadre_id,reason\n", "utf-8")
    code = main(
        [
            "replan",
            str(SAMPLE),
            str(county),
            "--recall",
            str(recall),
            "--policy",
            "central-2021",
            "--out",
            str(tmp_path / "o"),
            "--date",
            "2026-08-01",
        ]
    )
    assert code == 2 and not (tmp_path / "o").exists()
    assert capsys.readouterr().err.strip().splitlines()[0] == (
        "--date: value '2026-08-01': the repair date is before the plan's date 2026-09-01"
    )


@pytest.mark.parametrize(("at", "closed", "withdrawn"), [(date(2027, 3, 1), 1, 0), (DAY, 0, 1)])
def test_approving_a_repair_ends_the_lost_posting_in_the_ledger(tmp_path, at, closed, withdrawn):
    from optimizer.terms import ledger as L

    ds = dataset([unit("U1")], [cadre(f"A{i}", "U1") for i in range(3)], [village("V1", "key")])
    base, plan = solved(tmp_path, ds)
    sec = plan[plan.role == "secretary"].cadre_id.iloc[0]
    mem = plan[plan.role == "member"].cadre_id.iloc[0]
    db = tmp_path / "l.db"
    L.approve_plan(db, base, ds)
    rep = replan(ds, base, POLICY, [Recall(mem)], at)
    write_repair(rep, tmp_path / "fixed")
    out = L.approve_plan(db, tmp_path / "fixed", ds)
    assert (out.added, out.already, out.closed, out.withdrawn) == (1, 1, closed, withdrawn)
    new = rep.changes.cadre_id.iloc[1]
    with L.Ledger(db) as lg:
        got = sorted((e.cadre_id, e.start, e.end) for e in lg.history())
    end = date(2028, 9, 1)
    want = [(sec, DAY, end), (new, at, end)] + ([(mem, DAY, at)] if closed else [])
    assert got == sorted(want)
