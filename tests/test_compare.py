"""`compare`: KPI table, the exact plan diff, exports, and the command line, on run folders
written by hand (so every expected row is known) and on two solved scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from factory import cadre, dataset, unit, village

from optimizer import Scenario, compare, comparison, plan_diff, run, village_diff
from optimizer.cli import main
from optimizer.plans.build import PLAN_COLUMNS, TEAM_COLUMNS
from optimizer.whatif.build import dataset_tables, write_dataset_files
from optimizer.whatif.diff import MOVE_COLUMNS, VILLAGE_COLUMNS
from optimizer.whatif.report import write_comparison
from optimizer.whatif.runs import load_runs

KPIS_A = {
    "status": "OPTIMAL",
    "posts_required": 4,
    "posts_filled": 4,
    "postings": 4,
    "new_postings": 3,
    "incumbents_kept": 1,
    "villages_unstaffed_or_short": 0,
    "villages_covered_by_cluster": 1,
    "fit_share": 0.5,
    "travel_km_mean": 10.0,
    "travel_km_max": 20.0,
    "party_share_members": 1.0,
    "young_share": 0.25,
    "unit_load": {"U1": 2, "U2": 2},
    "estimated_annual_cost_yuan": 123_456,
    "coverage_by_category": {
        "key": {"villages": 1, "staffed": 1, "covered": 0, "short": 0},
        "demo": {"villages": 2, "staffed": 1, "covered": 1, "short": 0},
    },
}
KPIS_B = {
    **KPIS_A,
    "status": "FEASIBLE",
    "posts_filled": 3,
    "villages_unstaffed_or_short": 1,
    "villages_covered_by_cluster": 0,
    "unit_load": {"U1": 2, "U2": 1, "U3": 1},
    "estimated_annual_cost_yuan": 100_000,
    "coverage_by_category": {
        "key": {"villages": 1, "staffed": 1, "covered": 0, "short": 0},
        "demo": {"villages": 2, "staffed": 1, "covered": 0, "short": 1},
    },
}


def _row(v, c, u, role, status="new"):
    return {
        "village_id": v,
        "village_name": f"村{v}",
        "team_id": f"T-{v}",
        "cadre_id": c,
        "cadre_name": f"干部{c}",
        "unit_id": u,
        "unit_name": f"单位{u}",
        "level": "county",
        "role": role,
        "status": status,
        "start": "2026-09-01",
        "end": "2028-09-01",
    }


def _team(v, size, covered="", lead="U1"):
    return {
        "team_id": f"T-{v}",
        "host_village_id": v,
        "covered_village_ids": covered,
        "lead_unit_id": lead,
        "unit_ids": lead,
        "size": size,
        "level": "county",
    }


def write_run(folder: Path, plan: list[dict], teams: list[dict], kpis: dict) -> Path:
    folder.mkdir(parents=True)
    pd.DataFrame(plan, columns=PLAN_COLUMNS).to_csv(folder / "plan.csv", index=False)
    pd.DataFrame(teams, columns=TEAM_COLUMNS).to_csv(folder / "teams.csv", index=False)
    (folder / "kpis.json").write_text(json.dumps(kpis), "utf-8")
    (folder / "manifest.json").write_text(json.dumps({"gap": 0.0, "wall_time": 1.5}), "utf-8")
    return folder


@pytest.fixture
def runs(tmp_path) -> tuple[Path, Path]:
    return make_runs(tmp_path)


def make_runs(tmp_path: Path) -> tuple[Path, Path]:
    """Two run folders, ``base`` and ``other``, with the changes the tests below count."""
    a = write_run(
        tmp_path / "runs" / "base",
        [
            _row("V1", "C1", "U1", "secretary"),
            _row("V1", "C2", "U1", "member"),
            _row("V2", "C3", "U2", "secretary", "incumbent"),
            _row("V3", "C4", "U2", "secretary"),
        ],
        [_team("V1", 2), _team("V2", 1, covered="V5", lead="U2"), _team("V3", 1, lead="U2")],
        KPIS_A,
    )
    b = write_run(
        tmp_path / "runs" / "other",
        [
            _row("V1", "C2", "U1", "secretary"),
            _row("V1", "C5", "U3", "member"),
            _row("V2", "C3", "U2", "secretary", "incumbent"),
            _row("V4", "C4", "U2", "secretary"),
        ],
        [_team("V1", 2), _team("V2", 1, lead="U2"), _team("V4", 1, lead="U2")],
        KPIS_B,
    )
    return a, b


def test_plan_diff_exact_rows(runs):
    moves = plan_diff(*runs)
    assert list(moves.columns) == MOVE_COLUMNS
    got = moves[
        ["cadre_id", "change", "village_before", "role_before", "village_after", "role_after"]
    ].values.tolist()
    assert got == [
        ["C2", "moved", "V1", "member", "V1", "secretary"],  # role changed, same village
        ["C4", "moved", "V3", "secretary", "V4", "secretary"],
        ["C5", "added", "", "", "V1", "member"],
        ["C1", "removed", "V1", "secretary", "", ""],
    ]
    assert set(moves.scenario) == {"other"} and "C3" not in set(moves.cadre_id)


def test_village_diff_exact_rows(runs):
    vs = village_diff(*runs)
    assert list(vs.columns) == VILLAGE_COLUMNS
    got = vs[
        [
            "village_id",
            "change",
            "secretary_before",
            "secretary_after",
            "size_before",
            "size_after",
            "covered_by_before",
            "covered_by_after",
        ]
    ].values.tolist()
    assert got == [
        ["V1", "secretary_replaced", "C1", "C2", 2, 2, "", ""],
        ["V3", "loses_team;loses_secretary", "C4", "", 1, 0, "", ""],
        ["V4", "gains_team;gains_secretary", "", "C4", 0, 1, "", ""],
        ["V5", "loses_cover", "", "", 0, 0, "T-V2", ""],
    ]


def test_same_plan_no_diff(runs):
    assert plan_diff(runs[0], runs[0]).empty and village_diff(runs[0], runs[0]).empty


def test_kpi_table_side_by_side(runs):
    table = compare(list(runs))
    assert list(table.columns) == ["base", "other"]
    assert table.loc["required posts filled"].tolist() == [4, 3]
    assert table.loc["required posts filled %"].tolist() == [100.0, 75.0]
    assert table.loc["villages served: demo %"].tolist() == [100.0, 50.0]
    assert table.loc["villages served: key %"].tolist() == [100.0, 100.0]
    assert table.loc["units sending"].tolist() == [2, 3]
    assert table.loc["postings per sending unit, max"].tolist() == [2, 2]
    assert table.loc["estimated annual cost, 10k yuan"].tolist() == [12.3, 10.0]
    assert table.loc["status"].tolist() == ["OPTIMAL", "FEASIBLE"]
    # categories in priority order, and only those present
    cats = [i for i in table.index if i.startswith("villages served")]
    assert cats == ["villages served: key %", "villages served: demo %"]
    zh = compare(list(runs), lang="zh")
    assert "岗位满足率 %" in zh.index


def test_exports_csv_and_excel(runs, tmp_path):
    cmp = comparison(list(runs))
    files = write_comparison(cmp, tmp_path / "cmp")
    assert sorted(p.name for p in files) == sorted(
        [
            "compare-kpis.csv",
            "compare-moves.csv",
            "compare-villages.csv",
            "compare-units.csv",
            "compare.xlsx",
        ]
    )
    moves = pd.read_csv(tmp_path / "cmp" / "compare-moves.csv", dtype=str, keep_default_na=False)
    assert moves.cadre_id.tolist() == ["C2", "C4", "C5", "C1"]
    units = pd.read_csv(tmp_path / "cmp" / "compare-units.csv", index_col=0)
    assert units.loc["U3", "other"] == 1 and units.loc["U3", "base"] == 0
    wb = openpyxl.load_workbook(tmp_path / "cmp" / "compare.xlsx", read_only=True)
    assert wb.sheetnames == ["指标对比", "人员变动", "村变动", "单位负担"]
    assert next(wb["人员变动"].iter_rows(values_only=True))[:3] == ("情景", "干部编号", "姓名")
    assert not [p for p in (tmp_path / "cmp").iterdir() if p.name.startswith(".")]


def test_cli_compare_prints_and_writes(runs, capsys):
    assert main(["compare", str(runs[0]), str(runs[1]), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "other vs base: cadres 2 moved, 1 added, 1 removed" in out
    assert "1 gains_team" in out and "1 loses_cover" in out
    assert "required posts filled %" in out
    assert (runs[0].parent / "compare-kpis.csv").is_file()


def test_run_output_folder_stands_for_its_runs_in_order(runs):
    (runs[0].parent / "runs.json").write_text('{"runs": ["other", "base"]}', "utf-8")
    assert [r.name for r in load_runs(runs[0].parent)] == ["other", "base"]


def test_bad_run_folder_is_exit_2(tmp_path, runs, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["compare", str(runs[0]), str(tmp_path / "empty"), str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert "empty: not a run folder: missing plan.csv, teams.csv, kpis.json" in err[0]
    assert "nope: no such run folder" in err[1]


def test_two_solved_scenarios_diff(tmp_path):
    """Two scenarios whose optimal plans are forced: travel puts C1 in V1 and C2 in V2; the
    other scenario drops C1, takes V2 off the list and puts V3 on it."""
    ds = dataset(
        [unit("U1", x=0.0), unit("U2", x=100.0), unit("U3", x=200.0)],
        [cadre("C1", "U1"), cadre("C2", "U2"), cadre("C4", "U3")],
        [
            village("V1", "weak", x=0.0),
            village("V2", "weak", x=100.0),
            village("V3", "other", x=200.0),
        ],
    )
    write_dataset_files(dataset_tables(ds), tmp_path / "data")
    base = Scenario("base", tmp_path / "data", "central-2021", "2026-09-01", time_limit=20)
    other = Scenario(
        "other",
        tmp_path / "data",
        "central-2021",
        "2026-09-01",
        time_limit=20,
        edits=[
            {"exclude_cadres": {"ids": ["C1"]}},
            {"reclassify_villages": {"ids": ["V2"], "set": ["other"]}},
            {"reclassify_villages": {"ids": ["V3"], "set": ["weak"]}},
        ],
    )
    results = run([base, other], tmp_path / "runs", jobs=1)
    assert [r.status for r in results] == ["OPTIMAL", "OPTIMAL"]
    moves = plan_diff(results[0], results[1])
    assert moves[["cadre_id", "change", "village_before", "village_after"]].values.tolist() == [
        ["C2", "moved", "V2", "V1"],
        ["C4", "added", "", "V3"],
        ["C1", "removed", "V1", ""],
    ]
    vs = village_diff(results[0], results[1])
    assert vs[["village_id", "change"]].values.tolist() == [
        ["V1", "secretary_replaced"],
        ["V2", "loses_team;loses_secretary"],
        ["V3", "gains_team;gains_secretary"],
    ]
