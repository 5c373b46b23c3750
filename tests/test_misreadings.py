"""Silent misreadings (issue: the planner's workbook, in Chinese): an unknown header is named
with the column it likely meant; a date Excel turned into a number is read by its number
format or refused; CSV outputs carry a byte-order mark so Chinese Excel opens them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import Tables, base_tables, write_tables

from optimizer.cli import main
from optimizer.data import schema as s
from optimizer.data.columns import suggest
from optimizer.data.errors import InputError
from optimizer.data.loading import load_dataset
from optimizer.plans.formulas import read_output_csv, write_csv

DATE = "2026-09-01"


def _renamed(t: Tables, table: str, old: str, new: str) -> Tables:
    t[table] = [{(new if k == old else k): v for k, v in r.items()} for r in t[table]]
    return t


def _warnings(folder: Path) -> list[str]:
    return [str(w) for w in load_dataset(folder).warnings]


# --------------------------------------------------------------------------- unknown columns


def test_unused_column_named_with_did_you_mean_available(tmp_path):
    t = base_tables()
    for r in t["cadres"]:
        r["是否可派"] = "否"
    (line,) = [w for w in _warnings(write_tables(tmp_path, t)) if "not read" in w]
    assert line.startswith("cadres.csv, row 1: 1 column(s) not read by the planner")
    assert "'是否可派' (did you mean 可派 (available)?)" in line


def test_unused_column_skills_misnamed_did_you_mean(tmp_path, capsys):
    t = _renamed(base_tables(), "cadres", "skills", "特长")
    for r in t["cadres"]:
        r["备注"] = "x"
    folder = write_tables(tmp_path / "d", t)
    assert main(["check", str(folder), "--policy", "hunan-2021", "--date", DATE]) == 0
    err = capsys.readouterr().err
    (line,) = [ln for ln in err.splitlines() if "not read by the planner" in ln]
    assert line.startswith("warning: cadres.csv, row 1: 2 column(s)")
    assert "'特长' (did you mean 专业特长 (skills)?)" in line and "'备注';" in line


def test_unused_columns_one_warning_per_table_english_suggestion(tmp_path):
    t = _renamed(base_tables(), "units", "staff", "Staff Count")
    for r in t["villages"]:
        r["remote_area"] = "false"
    lines = [w for w in _warnings(write_tables(tmp_path, t)) if "not read" in w]
    assert len(lines) == 2
    assert any("'remote_area' (did you mean remote (艰苦边远)?)" in w for w in lines)
    assert any("'Staff Count' (did you mean staff (在编在岗人数)?)" in w for w in lines)


def test_unused_column_missing_required_names_the_header(tmp_path):
    t = _renamed(base_tables(), "cadres", "name", "干部姓名")
    with pytest.raises(InputError) as err:
        load_dataset(write_tables(tmp_path, t))
    assert (
        "cadres.csv, row 1: missing required column name (姓名); the file has '干部姓名': "
        "rename it to 姓名 or name"
    ) in [str(p) for p in err.value.problems]


def test_unused_column_kept_columns_are_not_reported(tmp_path):
    t = base_tables()
    for r in t["cadres"]:
        r["联系电话"] = "13800000000"  # read by the ledger
        r["身份证号"] = ""
    assert not [w for w in _warnings(write_tables(tmp_path, t)) if "not read" in w]


def test_unused_column_ledger_export_columns_are_kept_on_purpose():
    from optimizer.data.redact import personal_kind
    from optimizer.terms.history import NAME_COLUMNS, PEOPLE_COLUMNS

    kept = set(s.KEPT_COLUMNS["history"])
    assert all(
        c in kept or personal_kind(c) in ("phone", "id_number")
        for c in NAME_COLUMNS + PEOPLE_COLUMNS
    )


@pytest.mark.parametrize(
    ("header", "meant"),
    [
        ("是否可派", "available"),
        ("特长", "skills"),
        ("出生时间", "birth_date"),
        ("干部编码", "cadre_id"),
        ("Birth Date", "birth_date"),
        ("polital_status", "political_status"),
        ("备注", None),
        ("序号", None),
    ],
)
def test_unused_column_suggestion(header, meant):
    c = suggest(header, s.CADRES, set())
    assert (c.name if c else None) == meant


def test_unused_column_no_suggestion_for_a_column_already_there():
    assert suggest("是否可派", s.CADRES, {"available"}) is None


# --------------------------------------------------------------------------- dates in Excel


def _workbook_with(path: Path, cell: object, number_format: str | None = None) -> Path:
    """The base tables as a workbook; the first cadre's work_date cell set to ``cell``."""
    t = base_tables()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in t.items():
        ws = wb.create_sheet(name)
        cols = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c, "") for c in cols])
        if name == "cadres":
            target = ws.cell(row=2, column=cols.index("work_date") + 1)
            target.value = cell
            if number_format:
                target.number_format = number_format
    wb.save(path)
    return path


def test_excel_number_date_2021_1_refused_with_the_fix(tmp_path, capsys):
    book = _workbook_with(tmp_path / "d.xlsx", 2021.1)
    assert main(["check", str(book), "--policy", "hunan-2021", "--date", DATE]) == 2
    err = capsys.readouterr().err
    assert (
        "d.xlsx [sheet cadres], row 2, column work_date: value '2021.1': 2021.1 looks like a "
        "year.month typed into Excel and turned into a number (2021.10 → 2021.1)"
    ) in err
    assert "format the column as text (文本) and type 2021.10 again, or write 2021-10" in err
    assert "Traceback" not in err and "expected a date" not in err


def test_excel_number_date_read_by_its_number_format(tmp_path):
    ds = load_dataset(_workbook_with(tmp_path / "d.xlsx", 2021.1, "0.00"))
    assert ds.cadres["C1"].work_date == date(2021, 10, 1)


def test_excel_number_date_other_months_read(tmp_path):
    ds = load_dataset(_workbook_with(tmp_path / "d.xlsx", 2021.05))
    assert ds.cadres["C1"].work_date == date(2021, 5, 1)


def test_excel_real_date_cell_read(tmp_path):
    ds = load_dataset(_workbook_with(tmp_path / "d.xlsx", datetime(2021, 10, 8), "yyyy-mm-dd"))
    assert ds.cadres["C1"].work_date == date(2021, 10, 8)


def test_excel_text_2021_10_is_october(tmp_path):
    ds = load_dataset(_workbook_with(tmp_path / "d.xlsx", "2021.10"))
    assert ds.cadres["C1"].work_date == date(2021, 10, 1)


def test_csv_2021_1_stays_january(tmp_path):
    t = base_tables()
    t["cadres"][0]["work_date"] = "2021.1"
    ds = load_dataset(write_tables(tmp_path, t))
    assert ds.cadres["C1"].work_date == date(2021, 1, 1)


# --------------------------------------------------------------------------- BOM outputs


def test_bom_csv_outputs_start_with_the_bom_and_read_back_equal(tmp_path):
    frame = pd.DataFrame({"cadre_id": ["C1", "C2"], "name": ["张三", "=李四"]})
    path = tmp_path / "plan.csv"
    write_csv(frame, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfcadre_id,name\n")
    back = read_output_csv(path, ["cadre_id", "name"], [])
    assert back is not None
    pd.testing.assert_frame_equal(back, frame)


def test_bom_plan_folder_csvs(tmp_path, capsys):
    folder = write_tables(tmp_path / "d", base_tables())
    out = tmp_path / "plan"
    argv = ["solve", str(folder), "--policy", "hunan-2021", "--date", DATE, "--out", str(out)]
    assert main([*argv, "--time-limit", "20", "--quiet"]) in (0, 3)  # 3: a post unstaffed
    for name in ("plan.csv", "teams.csv", "unstaffed.csv"):
        assert (out / name).read_bytes()[:3] == b"\xef\xbb\xbf", name
    verify = ["verify", str(folder), str(out), "--policy", "hunan-2021", "--date", DATE]
    assert main([*verify, "--out", str(tmp_path / "v.csv"), "--quiet"]) == 0
    assert (tmp_path / "v.csv").read_bytes()[:3] == b"\xef\xbb\xbf"


def test_excel_year_month_typed_into_a_date_cell_refused(tmp_path, capsys):
    book = _workbook_with(tmp_path / "d.xlsx", 2021.1, "yyyy-mm-dd")  # shows 1905-07-13
    assert main(["check", str(book), "--policy", "hunan-2021", "--date", DATE]) == 2
    err = capsys.readouterr().err
    assert (
        "column work_date: value '1905-07-13': the number 2021.1 (a year.month typed into a cell "
        "formatted as a date) shows as 1905-07-13: write the date as 2021-MM (e.g. 2021-10)"
    ) in err
