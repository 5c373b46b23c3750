"""The command line end to end on the bundled sample: outputs, exit codes, reproducibility."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import base_tables, write_tables

from optimizer.cli import main
from optimizer.data import schema as s
from optimizer.data.loading import load_dataset
from optimizer.plans.build import PLAN_COLUMNS, TEAM_COLUMNS, UNSTAFFED_COLUMNS

SAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "sample-county"
DATE = "2026-09-01"


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "plan"
    code = main(
        [
            "solve",
            str(SAMPLE),
            "--policy",
            "central-2021",
            "--date",
            DATE,
            "--out",
            str(out),
            "--quiet",
            "--time-limit",
            "60",
        ]
    )
    assert code == 0
    return out


def test_solve_writes_every_output(solved):
    assert sorted(p.name for p in solved.iterdir()) == [
        "kpis.json",
        "manifest.json",
        "plan.csv",
        "plan.xlsx",
        "teams.csv",
        "unstaffed.csv",
    ]
    plan = pd.read_csv(solved / "plan.csv", dtype=str, keep_default_na=False)
    assert list(plan.columns) == PLAN_COLUMNS
    assert list(pd.read_csv(solved / "teams.csv").columns) == TEAM_COLUMNS
    assert list(pd.read_csv(solved / "unstaffed.csv").columns) == UNSTAFFED_COLUMNS
    assert plan.cadre_id.is_unique
    assert set(plan.status) == {"new", "incumbent"}
    new = plan[plan.status == "new"]
    assert set(new.start) == {DATE} and set(new.end) == {"2028-09-01"}
    wb = openpyxl.load_workbook(solved / "plan.xlsx", read_only=True)
    assert wb.sheetnames == [
        "选派名单",
        "工作队",
        "未覆盖村",
        "指标",
        "单位派出",
        "按单位名单",
        "按乡镇名单",
    ]
    assert next(wb["选派名单"].iter_rows(values_only=True))[0] == "村编码"


def test_manifest_and_kpis(solved):
    man = json.loads((solved / "manifest.json").read_text("utf-8"))
    assert man["status"] == "OPTIMAL" and man["gap"] == 0
    assert man["plan_date"] == DATE and man["policy"]["name"] == "central-2021"
    assert set(man["input_files"]) >= {"units.csv", "cadres.csv", "villages.csv"}
    assert man["seed"] == 0 and man["workers"] == 2 and man["ortools_version"].startswith("9.15")
    k = json.loads((solved / "kpis.json").read_text("utf-8"))
    assert k["posts_filled"] == k["posts_required"] > 0
    assert 0 < k["party_share_members"] <= 1 and k["travel_km_max"] >= k["travel_km_mean"]
    assert k["estimated_annual_cost_yuan"] > 0 and sum(k["unit_load"].values()) == k["postings"]


def test_same_inputs_same_plan_byte_for_byte(solved, tmp_path):
    again = tmp_path / "again"
    main(
        [
            "solve",
            str(SAMPLE),
            "--policy",
            "central-2021",
            "--date",
            DATE,
            "--out",
            str(again),
            "--quiet",
        ]
    )
    for name in ("plan.csv", "teams.csv", "unstaffed.csv"):
        assert (again / name).read_bytes() == (solved / name).read_bytes(), name


def test_unfilled_posts_exit_3_with_reasons(tmp_path):
    out = tmp_path / "hebei"
    code = main(
        [
            "solve",
            str(SAMPLE),
            "--policy",
            "hebei-2018",
            "--date",
            DATE,
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 3
    un = pd.read_csv(out / "unstaffed.csv")
    assert len(un) > 0 and (un.posts_missing > 0).all()
    assert un.reason.str.contains(r"T-SEC|T-UNIT|T-SIZE|H-CONTINUITY|E-|LV-").all()


def test_bad_input_exit_2_and_no_output(tmp_path, capsys):
    tables = base_tables()
    tables["villages"][0]["categories"] = "贫困村"
    folder = write_tables(tmp_path / "bad", tables)
    out = tmp_path / "out"
    code = main(["solve", str(folder), "--policy", "central-2021", "--out", str(out)])
    assert code == 2 and not out.exists()
    assert "villages.csv, row 2, column categories" in capsys.readouterr().err


def test_bad_policy_exit_2(tmp_path, capsys):
    pol = tmp_path / "p.yaml"
    pol.write_text("extends: central-2021\nweights: {party: -3}\n", "utf-8")
    code = main(["check", str(SAMPLE), "--policy", str(pol)])
    assert code == 2 and "key weights.party" in capsys.readouterr().err


def test_existing_output_is_replaced_whole(solved, tmp_path):
    out = tmp_path / "o"
    shutil.copytree(solved, out)
    (out / "changes.csv").write_text("old")  # zhucun's own (a repair's): replaced with the rest
    main(
        [
            "solve",
            str(SAMPLE),
            "--policy",
            "central-2021",
            "--date",
            DATE,
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert not (out / "changes.csv").exists() and (out / "plan.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_check_prints_supply_and_demand(capsys):
    assert main(["check", str(SAMPLE), "--policy", "hunan-2021", "--date", DATE]) == 0
    out = capsys.readouterr().out
    for heading in (
        "Villages per category",
        "Demand per county",
        "Eligible candidates",
        "failing each eligibility rule",
        "Incumbents staying",
    ):
        assert heading in out
    assert "E-SEC-PARTY" in out and "L-RANK" in out


def test_check_reports_shortfall(tmp_path, capsys):
    tables = base_tables()
    tables["villages"].append(
        {"village_id": "V4", "name": "四村", "county": "430121", "categories": "weak"}
    )
    folder = write_tables(tmp_path, tables)
    assert main(["check", str(folder), "--policy", "hebei-2018", "--date", DATE]) == 0
    assert "Where demand exceeds supply" in capsys.readouterr().out


def test_template_has_every_table_and_dropdowns(tmp_path):
    path = tmp_path / "模板.xlsx"
    assert main(["template", "--out", str(path), "--quiet"]) == 0
    wb = openpyxl.load_workbook(path)
    for table in s.TABLES:
        ws = wb[table.zh]
        assert [c.value for c in ws[1]] == [c.zh for c in table.columns]
    assert wb["干部"].data_validations.dataValidation  # drop-downs present
    assert wb["说明"].max_row > sum(len(t.columns) for t in s.TABLES)
    # filled with one row per table, the template loads as a dataset
    ws = wb["单位"]
    ws.append(["U1", "单位一", "县", "430121", "机关", 50])
    wb["干部"].append(
        ["C1", "张三", "U1", "男", "1985-01-01", "中共党员", "2010-01-01", "2008-07-01"]
    )
    wb["村"].append(["V1", "一村", "430121", "甲镇", "430100", "脱贫村"])
    wb.save(path)
    ds = load_dataset(path)
    assert ds.cadres["C1"].political_status == "member" and ds.villages["V1"].categories == {
        "exited"
    }


def test_generate_command(tmp_path):
    out = tmp_path / "gen"
    assert main(["generate", "--scale", "county", "--seed", "7", "--out", str(out), "--quiet"]) == 0
    ds = load_dataset(out)
    assert len(ds.villages) == 250 and len(ds.cadres) > 900 and ds.history


def test_ctrl_c_writes_the_best_plan_marked_interrupted(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "int"
    cmd = [sys.executable, "-m", "optimizer.cli", "solve", str(SAMPLE), "--policy", "wuhai-2023",
           "--date", DATE, "--out", str(out), "--time-limit", "120"]  # fmt: skip
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # wait until the search is under way (the solve takes ~5 s)
        if "coverage:" in line:
            break
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130, rest  # interrupted: its own exit code
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    assert man["interrupted"] is True and (out / "plan.csv").exists()
    assert "Traceback" not in rest


def test_check_report_in_chinese_and_lang_set_once(monkeypatch, capsys):
    from optimizer.cli import main

    monkeypatch.setenv("ZHUCUN_LANG", "zh")
    assert main(["check", str(SAMPLE), "--policy", "hunan-2021", "--date", DATE]) == 0
    out = capsys.readouterr().out
    assert "各类别村数" in out and "乡村振兴重点帮扶村" in out and "可任第一书记" in out
    assert "E-SEC-PARTY(第一书记须为中共正式党员)" in out
    for english in ("Villages per category", "candidates", "province", "secretary", "weak"):
        assert english not in out
    monkeypatch.setenv("ZHUCUN_LANG", "en")
    assert main(["check", str(SAMPLE), "--policy", "hunan-2021", "--date", DATE]) == 0
    assert "Villages per category" in capsys.readouterr().out


def test_verify_table_and_summary_in_chinese(solved, capsys):
    from optimizer.cli import main

    rc = main(
        [
            "verify",
            str(SAMPLE),
            str(solved),
            "--policy",
            "central-2021",
            "--lang",
            "zh",
            "--out",
            str(solved.parent / "verify-zh.csv"),
        ]
    )
    assert rc == 0
    captured = capsys.readouterr()
    assert "方案有效" in captured.err or "违反硬性规则 0 处" in captured.err
    if captured.out:
        assert "规则" in captured.out and "依据" in captured.out and "软性" in captured.out
        assert "severity" not in captured.out and " soft" not in captured.out


def test_solve_summary_in_chinese(tmp_path, capsys):
    from optimizer.cli import main

    out = tmp_path / "zh"
    rc = main(
        [
            "solve",
            str(SAMPLE),
            "--policy",
            "central-2021",
            "--date",
            DATE,
            "--out",
            str(out),
            "--time-limit",
            "60",
            "--lang",
            "zh",
        ]
    )
    assert rc == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(("最优", "可行")) and "必配岗位已派" in last and "秒" in last
    assert "required posts" not in last and "OPTIMAL" not in last
