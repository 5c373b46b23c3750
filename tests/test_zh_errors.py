"""Issue 18 item 4: every input-error line reaches a ``--lang zh`` user in Chinese: file, sheet,
row, column, value, what was expected and the fix."""

from __future__ import annotations

import pytest
from conftest import base_tables, write_tables
from test_hostile_input import CASES, DATE

from optimizer.cli import main
from optimizer.data.errors import InputError, Problem
from optimizer.lang.messages import english_words, problem_zh

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_hostile_input_line_in_chinese(case, tmp_path, capsys):
    edit, _ = CASES[case]
    tables = base_tables()
    path = edit(tables, tmp_path / "data") or write_tables(tmp_path / "data", tables)
    code = main(["check", str(path), "--policy", "hunan-2021", "--date", DATE, "--lang", "zh"])
    err = capsys.readouterr().err
    assert code == 2, err
    for line in err.splitlines():  # the file's name is the user's; the rest is ours
        assert "尚无中文" not in line and english_words(line.split("：", 1)[1]) == [], line


def test_problem_place_and_message_in_chinese():
    p = Problem(
        "cadres.csv",
        "expected a whole number",
        row=5,
        column="rural_years",
        value="x",
        sheet="干部",
    )
    assert p.render("zh") == "cadres.csv（工作表 干部），第 5 行，农村工作年限 列：值 'x'：应为整数"
    assert p.render("en") == str(p)
    assert Problem("a.csv", "whatever", zh="自带中文").render("zh") == "a.csv：自带中文"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "expected one of member/中共党员, probationary/中共预备党员, league/共青团员, other/民主党派, none/群众",
            "应为以下之一：中共党员、中共预备党员、共青团员、民主党派、群众",
        ),
        (
            "missing required column birth_date (出生年月); the file has 'birthday': rename it to 出生年月 or birth_date",
            "缺少必需的列 出生年月；文件中有 'birthday'：请改名为 出生年月",
        ),
        (
            "unknown unit: expected a unit_id of the units table",
            "未知的单位：应为单位表中已有的单位编码",
        ),
        (
            "2 column(s) not read by the planner (kept, ignored): '特长' (did you mean 专业特长 (skills)?), "
            "'备注'; rename a column to the contract's name to have it read",
            "有 2 列未被读取（保留但不使用）：'特长'（是否应为 专业特长？），'备注'；要让程序读取，请把列名改为规定的名称",
        ),
        (
            "… and 30 more like this (rows 22–51): expected a number",
            "……另有 30 处同类问题（第 22–51 行）：应为数字",
        ),
        (
            "is inside the input /data/x: choose a folder outside it for the output",
            "位于输入 /data/x 之内：请在其外另选输出目录",
        ),
    ],
)
def test_catalog_messages(english, chinese):
    assert problem_zh(english) == chinese


def test_an_unknown_message_is_never_shown_in_english():
    line = problem_zh("some brand-new check failed for U0017 at row 12")
    assert english_words(line) == [] and "U0017" in line and "12" in line


def test_capped_flood_in_chinese(capsys):
    problems = [
        Problem("cadres.csv", "expected a number", row=r, column="staff") for r in range(2, 60)
    ]
    lines = [p.render("zh") for p in InputError(problems).problems]
    assert lines[-1] == "cadres.csv，在编在岗人数 列：……另有 38 处同类问题（第 22–59 行）：应为数字"
