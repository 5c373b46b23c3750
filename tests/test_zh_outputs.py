"""Issue 18 item 4: compare's values, explain's wording, verify's workbook and the ledger's
lines in Chinese with ``--lang zh``; English unchanged with ``--lang en``."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from conftest import base_tables, write_tables
from factory import DAY, cadre, dataset, unit, village
from test_compare import make_runs

from optimizer import explain_cadre, load_policy
from optimizer.cli import main
from optimizer.lang.messages import english_words
from optimizer.whatif.report import comparison, write_comparison

CENTRAL = load_policy("central-2021")
DATE = "2026-09-01"


def _prose(text: str) -> list[str]:
    """English words outside run names, codes and file names."""
    return [w for w in english_words(text) if w not in {"base", "other", "HYPERLINK"}]


def test_compare_values_in_chinese(tmp_path, capsys):
    runs = make_runs(tmp_path)
    assert main(["compare", str(runs[0]), str(runs[1]), "--quiet", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "other 对比 base：干部 调动 2 人，新增 1 人，撤出 1 人" in out
    assert "最优" in out and "覆盖率：乡村振兴重点帮扶村 %" in out and "新增工作队" in out
    assert re.search(r"C2\s.*调动.*队员.*第一书记", out)
    assert _prose(out) == [], out


def test_compare_workbook_values_follow_the_language(tmp_path):
    runs = make_runs(tmp_path)
    for lang, moved in (("zh", "调动"), ("en", "moved")):
        write_comparison(comparison(list(runs), lang), tmp_path / lang)
        wb = openpyxl.load_workbook(tmp_path / lang / "compare.xlsx", read_only=True)
        rows = list(wb["人员变动"].iter_rows(values_only=True))
        assert rows[1][4] == moved
        csv = (tmp_path / lang / "compare-moves.csv").read_text("utf-8-sig")
        assert ",moved," in csv  # the CSV keeps the codes other programs read


def test_explain_wording_in_chinese():
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1", political_status="probationary", party_date=None), cadre("B", "U1")],
        [village("V1", "weak")],
    )
    text = "\n".join(explain_cadre(ds, CENTRAL, c, DAY).render("zh") for c in ("A", "B"))
    assert "政治面貌 中共预备党员" in text or "任队员" in text
    assert "任第一书记" in text
    assert "probationary" not in text and "secretary" not in text and "member" not in text


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("zh")
    data = write_tables(root / "data", base_tables())
    out = root / "plan"
    assert main(
        [
            "solve",
            str(data),
            "--policy",
            "hunan-2021",
            "--date",
            DATE,
            "--out",
            str(out),
            "--quiet",
            "--time-limit",
            "20",
        ]
    ) in (0, 3)
    return data, out


def test_verify_writes_its_table_as_xlsx(plan, capsys):
    data, out = plan
    rows = out / "plan.csv"
    text = rows.read_text("utf-8-sig").splitlines()
    cells = text[1].split(",")
    cells[0] = "=HYPERLINK(1)"  # a village id no dataset has, formula-like
    rows.write_text("\n".join([text[0], ",".join(cells), *text[2:]]) + "\n", "utf-8-sig")
    assert main(["verify", str(data), str(out), "--policy", "hunan-2021", "--lang", "zh"]) == 1
    err = capsys.readouterr().err
    assert "违反硬性规则" in err
    wb = openpyxl.load_workbook(out / "verify.xlsx")
    ws = wb["核查结果"]
    assert [c.value for c in ws[1]] == ["规则", "村编码", "干部编号", "说明", "依据", "性质"]
    assert ws.max_row >= 2 and ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row if c.value)
    assert any(c.value == "=HYPERLINK(1)" for row in ws.iter_rows(min_row=2) for c in row)
    assert {c.value for c in ws["F"][1:]} <= {"硬性", "软性"}
    assert (
        main(["verify", str(data), str(out), "--policy", "hunan-2021", "--lang", "en", "--quiet"])
        == 1
    )
    wb = openpyxl.load_workbook(out / "verify.xlsx", read_only=True)
    assert wb.sheetnames == ["verify"]
    assert next(wb["verify"].iter_rows(values_only=True))[0] == "rule"


def test_verify_leaves_a_users_workbook_alone(plan, tmp_path, capsys):
    data, out = plan
    mine = tmp_path / "verify.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "我的表"
    book.save(mine)
    before = mine.read_bytes()
    code = main(
        [
            "verify",
            str(data),
            str(out),
            "--policy",
            "hunan-2021",
            "--lang",
            "zh",
            "--out",
            str(tmp_path / "verify.csv"),
        ]
    )
    assert code == 2 and mine.read_bytes() == before
    assert "并非本程序写出" in capsys.readouterr().err


def test_ledger_approve_lines_in_chinese(plan, tmp_path, capsys):
    out = plan[1]
    code = main(["ledger", "approve", str(out), "--ledger", str(tmp_path / "l.db"), "--lang", "zh"])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    for line in err.splitlines():
        assert _prose(line.split("：", 1)[-1]) == [], line


def test_generate_and_template_lines_in_chinese(tmp_path, capsys):
    assert (
        main(["generate", "--scale", "county", "--out", str(tmp_path / "d"), "--lang", "zh"]) == 0
    )
    assert main(["template", "--out", str(tmp_path / "t.xlsx"), "--lang", "zh"]) == 0
    err = capsys.readouterr().err.replace(str(tmp_path), "")
    assert "已生成县级数据（种子 1）" in err and "已生成录入模板" in err
    assert _prose(err) == [], err


def test_explain_full_team_names_roles_in_chinese(plan, capsys):
    data, _ = plan
    assert (
        main(
            [
                "explain",
                str(data),
                "--policy",
                "hunan-2021",
                "--date",
                DATE,
                "--village",
                "V1",
                "--quiet",
                "--lang",
                "zh",
                "--time-limit",
                "20",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert _prose(out) == [], out
