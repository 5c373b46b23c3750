"""Issue 18: plan.xlsx is the document an organisation department files, and edits made in it
are what verify, explain --plan and ledger approve read."""

from __future__ import annotations

import os
import re
import shutil
import time
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.data.errors import InputError
from optimizer.data.loading import load_dataset
from optimizer.plans.explain import explain_village
from optimizer.plans.formulas import read_output_csv
from optimizer.plans.workbook import (
    PLAN_SHEET,
    BookInput,
    build_sheets,
    plan_source,
    read_plan_tables,
    read_workbook,
    reason_zh,
    text_width,
    write_workbook,
)
from optimizer.policy import load_policy
from optimizer.terms.intake import read_plan_for_ledger
from optimizer.verify import verify_plan

SAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "sample-county"
DATE = "2026-09-01"
SHEETS = ["选派名单", "工作队", "未覆盖村", "指标", "单位派出", "按单位名单", "按乡镇名单"]
CODE = re.compile(r"^[A-Z][A-Z0-9-]*\d[A-Z0-9-]*$|^\d+$")
"""Ids and codes (U0017, C000159, T-430121001, 430121) may be Latin; nothing else may."""
ALLOWED = {"hunan-2021"}  # the policy's name is an id


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "plan"
    code = main(
        [
            "solve",
            str(SAMPLE),
            "--policy",
            "hunan-2021",
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


@pytest.fixture
def plan(solved, tmp_path) -> Path:
    return Path(shutil.copytree(solved, tmp_path / "plan"))


def _rows(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _newer(path: Path) -> None:
    """An edit made later than the solve (mtime strictly after plan.csv's)."""
    t = time.time() + 5
    os.utime(path, (t, t))


def _edit(plan: Path, change) -> None:
    book = openpyxl.load_workbook(plan / "plan.xlsx")
    ws = book[PLAN_SHEET]
    head = [c.value for c in ws[1]]
    change(ws, {h: i for i, h in enumerate(head)})
    book.save(plan / "plan.xlsx")
    _newer(plan / "plan.xlsx")


def _probationary() -> set[str]:
    cadres = pd.read_csv(SAMPLE / "cadres.csv", dtype=str)
    return set(cadres.cadre_id[cadres.political_status == "probationary"])


def _make_probationary_secretary(ws, col) -> str:
    """Swap a secretary's cadre id for a probationary cadre's: returns that cadre."""
    prob = sorted(_probationary())
    in_plan = {ws.cell(r, col["干部编号"] + 1).value for r in range(2, ws.max_row + 1)}
    cid = next(c for c in prob if c not in in_plan)
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["职务"] + 1).value == "第一书记":
            ws.cell(r, col["干部编号"] + 1).value = cid
            return cid
    raise AssertionError("no secretary")


# --------------------------------------------------------------------------- item 1


def test_workbook_sheets_headers_and_chinese_values(solved):
    book = openpyxl.load_workbook(solved / "plan.xlsx")
    assert book.sheetnames == SHEETS
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and re.search(r"[A-Za-z]", v) and v not in ALLOWED:
                    words = re.findall(r"[A-Za-z][A-Za-z0-9-]*", v)
                    assert all(CODE.match(w) for w in words), (ws.title, cell.coordinate, v)
    rows = _rows(book[PLAN_SHEET])
    assert {r["职务"] for r in rows} == {"第一书记", "队员"}
    assert {r["状态"] for r in rows} == {"新派", "留任"}
    assert {r["层级"] for r in rows} <= {"省派", "市派", "县派", "乡镇派"}
    assert all(r["乡镇"] and r["县"] for r in rows)


def test_workbook_dates_are_date_cells(solved):
    ws = openpyxl.load_workbook(solved / "plan.xlsx")[PLAN_SHEET]
    head = [c.value for c in ws[1]]
    for name in ("开始日期", "结束日期"):
        cells = [c for c in ws[openpyxl.utils.get_column_letter(head.index(name) + 1)][1:]]
        dated = [c for c in cells if c.value is not None]
        assert dated and all(isinstance(c.value, datetime) for c in dated)
        assert all(c.number_format == "yyyy-mm-dd" for c in dated)
    new = [r for r in _rows(ws) if r["状态"] == "新派"]
    assert {r["开始日期"].date() for r in new} == {date(2026, 9, 1)}


def test_workbook_layout_frozen_filtered_fitted_printable(solved):
    book = openpyxl.load_workbook(solved / "plan.xlsx")
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.print_title_rows == "$1:$1"
        # fit to one page wide: fitToWidth left out means 1 (its default in the file format)
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth in (1, None)
        assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.column_dimensions["A"].width > 4
    ws = book[PLAN_SHEET]
    assert ws.column_dimensions["I"].width >= max(text_width(c.value) for c in ws["I"])
    assert text_width("五宁县") == 6 and text_width("U0017") == 5


def test_workbook_no_formula_cells(solved):
    book = openpyxl.load_workbook(solved / "plan.xlsx")
    assert not [
        c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]


def test_workbook_teams_show_names_beside_codes(solved):
    rows = _rows(openpyxl.load_workbook(solved / "plan.xlsx")["工作队"])
    plan = pd.read_csv(solved / "plan.csv", dtype=str)
    names = dict(zip(plan.unit_id, plan.unit_name, strict=True))
    multi = next(r for r in rows if "；" in r["派出单位"])
    for part in multi["派出单位"].split("；"):
        code, name = part.split(" ", 1)
        assert names[code] == name
    assert re.match(r"^\S+ \S+村$", rows[0]["驻点村"])


def test_workbook_unit_load_and_name_lists(solved):
    book = openpyxl.load_workbook(solved / "plan.xlsx")
    plan = pd.read_csv(solved / "plan.csv", dtype=str)
    load = {r["派出单位编码"]: r for r in _rows(book["单位派出"])}
    assert {u: r["派出人数"] for u, r in load.items()} == plan.unit_id.value_counts().to_dict()
    assert all(r["第一书记"] + r["队员"] == r["派出人数"] for r in load.values())
    by_unit = _rows(book["按单位名单"])
    assert len(by_unit) == len(plan)
    assert [r["派出单位编码"] for r in by_unit] == sorted(r["派出单位编码"] for r in by_unit)
    breaks = [b.id for b in book["按单位名单"].row_breaks.brk]
    assert len(breaks) == plan.unit_id.nunique() - 1
    by_town = _rows(book["按乡镇名单"])
    assert len(by_town) == len(plan)
    keys = [(r["县"], r["乡镇"]) for r in by_town]
    assert keys == sorted(keys)


def test_workbook_kpis_one_value_per_row_no_json(solved):
    rows = _rows(openpyxl.load_workbook(solved / "plan.xlsx")["指标"])
    labels = {r["指标"]: r["值"] for r in rows}
    assert labels["求解状态"] == "最优" and labels["规划日期"].date() == date(2026, 9, 1)
    assert "按优先级／党组织软弱涣散村／已派" in labels
    assert not any(isinstance(v, str) and v.startswith("{") for v in labels.values())


def test_workbook_short_village_reason_in_chinese_with_rule_name():
    plan = pd.DataFrame(
        [
            {
                "village_id": "V1",
                "village_name": "甲村",
                "team_id": "T-V1",
                "cadre_id": "C1",
                "cadre_name": "张三",
                "unit_id": "U1",
                "unit_name": "某局",
                "level": "county",
                "role": "secretary",
                "status": "new",
                "start": "2026-09-01",
                "end": "2028-09-01",
            }
        ]
    )
    short = pd.DataFrame(
        [
            {
                "village_id": "V2",
                "village_name": "乙村",
                "categories": "weak;key",
                "posts_missing": 2,
                "reason": "T-UNIT: english",
            }
        ]
    )
    teams = pd.DataFrame(
        [
            {
                "team_id": "T-V1",
                "host_village_id": "V1",
                "covered_village_ids": "",
                "lead_unit_id": "U1",
                "unit_ids": "U1",
                "size": 1,
                "level": "county",
            }
        ]
    )
    b = BookInput(
        plan,
        teams,
        short,
        {"status": "OPTIMAL"},
        {"V1": ("甲村", "甲镇", "某县"), "V2": ("乙村", "乙镇", "某县")},
        {"V2": "T-UNIT：队员须来自第一书记所在单位"},
    )
    sheet = next(s for s in build_sheets(b) if s.title == "未覆盖村")
    rows = [dict(zip(sheet.head, r, strict=True)) for r in sheet.rows]
    assert rows[0]["原因"].startswith("T-UNIT(") and "队员须来自" in rows[0]["原因"]
    assert rows[0]["村类别"] == "党组织软弱涣散村、乡村振兴重点帮扶村" and rows[0]["缺额"] == 2
    assert reason_zh("PRIORITY：组满需（T-UNIT）") == reason_zh(
        reason_zh("PRIORITY：组满需（T-UNIT）")
    )


def test_workbook_province_scale_writes_every_row(tmp_path):
    n = 25_000
    plan = pd.DataFrame(
        {
            "village_id": [f"V{i // 3:05d}" for i in range(n)],
            "village_name": "某某村",
            "team_id": [f"T-V{i // 3:05d}" for i in range(n)],
            "cadre_id": [f"C{i:06d}" for i in range(n)],
            "cadre_name": "张三",
            "unit_id": [f"U{i % 700:04d}" for i in range(n)],
            "unit_name": "某某局",
            "level": "county",
            "role": ["secretary" if i % 3 == 0 else "member" for i in range(n)],
            "status": "new",
            "start": "2026-09-01",
            "end": "2028-09-01",
        }
    )
    teams = pd.DataFrame(
        columns=[
            "team_id",
            "host_village_id",
            "covered_village_ids",
            "lead_unit_id",
            "unit_ids",
            "size",
            "level",
        ]
    )
    short = pd.DataFrame(
        columns=["village_id", "village_name", "categories", "posts_missing", "reason"]
    )
    villages = {f"V{i:05d}": ("某某村", f"镇{i % 900}", f"县{i % 90}") for i in range(n // 3 + 1)}
    # its time is a benchmark's business, not a test's (XlsxWriter: a few seconds)
    write_workbook(BookInput(plan, teams, short, {}, villages, {}), tmp_path / "plan.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "plan.xlsx", read_only=True)["按单位名单"]
    assert ws.max_row == n + 1


# --------------------------------------------------------------------------- item 2


def test_workbook_round_trip_equals_csv(plan):
    _newer(plan / "plan.xlsx")
    got = read_workbook(plan / "plan.xlsx")
    csv = pd.read_csv(plan / "plan.csv", dtype=str, keep_default_na=False)
    assert got.plan[csv.columns].reset_index(drop=True).equals(csv)
    teams = pd.read_csv(plan / "teams.csv", dtype=str, keep_default_na=False)
    assert got.teams[teams.columns].reset_index(drop=True).equals(teams)
    tables = read_plan_tables(plan, lambda p: read_output_csv(p, [], []))
    assert tables.file == "plan.xlsx (选派名单)"
    assert tables.note == "read plan.xlsx (newer than plan.csv)"
    assert list(tables.plan.index[:2]) == [2, 3]


def test_plan_source_picks_the_newer_or_only_file(plan):
    assert plan_source(plan)[0].name == "plan.csv"  # written together: the CSV
    _newer(plan / "plan.xlsx")
    assert plan_source(plan) == (plan / "plan.xlsx", "read plan.xlsx (newer than plan.csv)")
    (plan / "plan.csv").unlink()
    assert plan_source(plan) == (plan / "plan.xlsx", "read plan.xlsx (there is no plan.csv)")


def test_verify_reads_an_excel_edit_probationary_secretary(plan, capsys):
    cid = {}
    _edit(plan, lambda ws, col: cid.setdefault("c", _make_probationary_secretary(ws, col)))
    assert main(["verify", str(SAMPLE), str(plan), "--policy", "hunan-2021"]) == 1
    out, err = capsys.readouterr()
    assert "E-SEC-PARTY" in out and cid["c"] in out
    assert "read plan.xlsx (newer than plan.csv)" in err
    (plan / "plan.csv").unlink()
    (plan / "verify.csv").unlink()
    assert main(["verify", str(SAMPLE), str(plan), "--policy", "hunan-2021"]) == 1
    out, err = capsys.readouterr()
    assert "E-SEC-PARTY" in out and "read plan.xlsx (there is no plan.csv)" in err


def test_verify_reads_an_excel_role_change_and_deleted_row(plan):
    def change(ws, col):
        rows = _rows(ws)
        prob = _probationary()
        hit = next(
            (i for i, r in enumerate(rows) if r["干部编号"] in prob and r["职务"] == "队员"), None
        )
        if hit is not None:
            ws.cell(hit + 2, col["职务"] + 1).value = "第一书记"
        else:
            _make_probationary_secretary(ws, col)
        ws.delete_rows(ws.max_row)

    _edit(plan, change)
    ds, pol = load_dataset(SAMPLE), load_policy("hunan-2021")
    found = verify_plan(ds, plan, pol)
    assert "E-SEC-PARTY" in {v.rule for v in found}
    csv_rows = len(pd.read_csv(plan / "plan.csv"))
    assert len(read_workbook(plan / "plan.xlsx").plan) == csv_rows - 1


def test_verify_names_the_workbook_in_bad_input(plan):
    def change(ws, col):
        ws.cell(2, col["职务"] + 1).value = "组长"
        ws.cell(3, col["开始日期"] + 1).value = "=NOW()"

    _edit(plan, change)
    with pytest.raises(InputError) as exc:
        verify_plan(load_dataset(SAMPLE), plan, load_policy("hunan-2021"))
    text = str(exc.value)
    assert "plan.xlsx (选派名单)" in text and "组长" in text and "=NOW()" in text


def test_workbook_formula_like_edits_stay_text(plan):
    _edit(plan, lambda ws, col: setattr(ws.cell(2, col["姓名"] + 1), "value", "=1+1"))
    got = read_workbook(plan / "plan.xlsx")
    assert got.plan.cadre_name.iloc[0] == "=1+1"


def test_explain_plan_reads_the_edited_workbook(plan, capsys):
    ws_rows = _rows(openpyxl.load_workbook(plan / "plan.xlsx")[PLAN_SHEET])
    vid = ws_rows[-1]["村编码"]
    n = sum(r["村编码"] == vid for r in ws_rows)

    def drop(ws, col):
        for r in range(ws.max_row, 1, -1):
            if ws.cell(r, col["村编码"] + 1).value == vid:
                ws.delete_rows(r)

    _edit(plan, drop)
    out = explain_village(load_dataset(SAMPLE), load_policy("hunan-2021"), vid, plan_dir=plan)
    assert out.status == "short" and out.filled == 0 and out.required >= n
    assert (
        main(
            [
                "explain",
                str(SAMPLE),
                "--policy",
                "hunan-2021",
                "--village",
                vid,
                "--plan",
                str(plan),
            ]
        )
        == 0
    )
    assert "read plan.xlsx (newer than plan.csv)" in capsys.readouterr().err


def test_ledger_approve_reads_the_edited_workbook(plan, tmp_path, capsys):
    rec = read_plan_for_ledger(plan)
    assert rec.file == "plan.csv" and rec.source.startswith("read plan.csv")
    _edit(plan, lambda ws, col: setattr(ws.cell(2, col["姓名"] + 1), "value", "改名"))
    db = tmp_path / "l.db"
    assert main(["ledger", "approve", str(plan), "--ledger", str(db)]) == 0
    assert "note: read plan.xlsx (newer than plan.csv)" in capsys.readouterr().err
    _edit(plan, lambda ws, col: ws.delete_rows(ws.max_row))
    rec = read_plan_for_ledger(plan)
    assert rec.file == "plan.xlsx (选派名单)"
    assert rec.source == "read plan.xlsx (newer than plan.csv)"
    assert len(rec.entries) == len(pd.read_csv(plan / "plan.csv")) - 1
    assert rec.entries[0][2].cadre_name == "改名"
    _edit(plan, _make_probationary_secretary)
    code = main(["ledger", "approve", str(plan), "--ledger", str(tmp_path / "m.db")])
    assert code == 2  # refused: E-SEC-PARTY, found in the workbook
    assert "plan.xlsx: E-SEC-PARTY" in capsys.readouterr().err


def test_verify_violations_name_the_workbook_sheet_and_row(plan):
    _edit(plan, lambda ws, col: setattr(ws.cell(4, col["干部编号"] + 1), "value", "C999999"))
    found = verify_plan(load_dataset(SAMPLE), plan, load_policy("hunan-2021"))
    unknown = [v for v in found if "C999999" in v.detail_en]
    assert unknown and "plan.xlsx (选派名单) row 4: cadre C999999" in unknown[0].detail_en
    assert not any("plan.csv" in v.detail_en for v in found)


def test_workbook_cells_are_valid_for_excel(tmp_path):
    from optimizer.plans.xlsxwrite import MAX_CELL, Sheet, write_xlsx

    long = "长" * (MAX_CELL + 10)
    rows = [[long, "a\x01b", " x ", "=1+1", 3, 2.5, date(2026, 9, 1), None]]
    write_xlsx([Sheet("表", list("ABCDEFGH"), rows, [10] * 8)], tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["表"]
    got = [c.value for c in ws[2]]
    assert len(got[0]) == MAX_CELL and got[1:4] == ["ab", " x ", "=1+1"]
    assert ws["D2"].data_type == "s" and got[4:7] == [3, 2.5, datetime(2026, 9, 1)]
    assert got[7] is None
