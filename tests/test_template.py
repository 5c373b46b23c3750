"""Issue 18 item 7: the input template's checks cover every row a province needs and refuse
wrong entries with a Chinese message; its 说明 sheet explains every column in Chinese."""

from __future__ import annotations

import re

import openpyxl
import pytest

from optimizer.data import schema as s
from optimizer.data.template import COLUMN_ZH, SHEET_ZH, write_template

PROVINCE_CADRES = 25_000


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "模板.xlsx"
    write_template(path)
    return openpyxl.load_workbook(path)


def test_every_check_reaches_a_province_and_refuses_wrong_entries(workbook):
    for table in s.TABLES:
        ws = workbook[table.zh]
        dvs = ws.data_validations.dataValidation
        assert dvs or table.name == "recall" or table.name == "adjacency", table.name
        for dv in dvs:
            for rng in dv.sqref.ranges:
                assert rng.min_row == 2 and rng.max_row >= PROVINCE_CADRES + 1, (table.zh, rng)
            assert dv.showErrorMessage is True and dv.errorStyle == "stop"
            assert dv.error and re.search(r"[\u4e00-\u9fff]", dv.error) and len(dv.error) <= 255
            assert re.search(r"[\u4e00-\u9fff]", dv.errorTitle)


def test_enum_bool_and_number_columns_all_have_a_check(workbook):
    for table in s.TABLES:
        ws = workbook[table.zh]
        covered = {
            rng.min_col for dv in ws.data_validations.dataValidation for rng in dv.sqref.ranges
        }
        for j, col in enumerate(table.columns, start=1):
            if col.kind in ("enum", "bool", "int", "float"):
                assert j in covered, (table.zh, col.zh)


def test_dropdown_lists_offer_the_chinese_values(workbook):
    ws = workbook["干部"]
    col = next(j for j, c in enumerate(s.CADRES.columns, start=1) if c.name == "political_status")
    dv = next(
        dv
        for dv in ws.data_validations.dataValidation
        if any(r.min_col == col for r in dv.sqref.ranges)
    )
    sheet, cells = dv.formula1.lstrip("=").split("!")
    values = [c.value for row in workbook[sheet][cells.replace("$", "")] for c in row]
    assert values == [s.POLITICAL.zh[c] for c in s.POLITICAL.codes]


def test_guide_sheet_is_chinese(workbook):
    """Every cell of 说明 is Chinese, except the English header names (accepted as aliases),
    codes and examples such as U0001 or 430121001."""
    ws = workbook["说明"]
    english_col = None
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "英文列名":
                english_col = cell.column
    assert english_col is not None
    for row in ws.iter_rows():
        for cell in row:
            if cell.column == english_col or cell.value is None:
                continue
            words = re.findall(r"[A-Za-z]{2,}", str(cell.value))
            assert not words, (cell.coordinate, cell.value)


def test_guide_explains_every_sheet_and_column():
    for table in s.TABLES:
        assert table.name in SHEET_ZH
        for col in table.columns:
            meaning, example = COLUMN_ZH[(table.name, col.name)]
            assert re.search(r"[\u4e00-\u9fff]", meaning) and example, (table.name, col.name)


def test_date_columns_say_which_forms_are_accepted(workbook):
    ws = workbook["说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for form in ("2021-05-01", "2021/5/1", "2021年5月"):
        assert form in text
    cadres = workbook["干部"]
    col = next(j for j, c in enumerate(s.CADRES.columns, start=1) if c.name == "birth_date")
    letter = openpyxl.utils.get_column_letter(col)
    # text, so a typed 2021.10 stays October instead of becoming the number 2021.1
    assert cadres.column_dimensions[letter].number_format == "@"


def test_template_out_refuses_an_existing_workbook(tmp_path) -> None:
    from optimizer.cli import main

    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(b"a planner's filled-in workbook")
    assert main(["template", "--out", str(filled)]) == 2
    assert filled.read_bytes() == b"a planner's filled-in workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["filled.xlsx"]
