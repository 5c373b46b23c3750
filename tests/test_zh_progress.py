"""Issue 18 item 4: progress, note and status lines of solve, replan and run in Chinese with
``--lang zh``; no raw English sentence, even for a line the catalog does not know yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.cli import main
from optimizer.cli.ledger import change_line
from optimizer.lang.messages import PROGRESS, english_words, note_line, translate

SAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "sample-county"


@pytest.mark.parametrize(("english", "chinese"), PROGRESS)
def test_every_catalog_entry_reads_as_chinese(english, chinese):
    line = english.replace("{}", "12")
    assert translate(line) != line or not english_words(line)
    assert english_words(translate(line)) == [] and "尚无中文" not in translate(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "[    1.2s] coverage: 316/316 required posts, proven maximal in every class",
            "[    1.2 秒] 覆盖：必配岗位 316/316，各类均已证明为最大",
        ),
        (
            "[   12.0s] coverage (weak): best 5, bound 6, gap 16.67%, posts filled 40",
            "[   12.0 秒] 覆盖（党组织软弱涣散村）：当前最好 5，上界 6，差距 16.67%，已配岗位 40",
        ),
        (
            "[    3.0s] county 430121: OPTIMAL, 40/40 posts, 2.9 s",
            "[    3.0 秒] 430121 县：最优，岗位 40/40，用时 2.9 秒",
        ),
        (
            "county 430121: T-SEC: no first secretary could be seated at V0007; its new members are not posted",
            "430121 县：T-SEC：V0007 无法配第一书记，其新队员不予派出",
        ),
        (
            "decomposition: county 430121 was stopped by the time limit; a rerun on a faster or idler machine may give a different plan",
            "分解求解：430121 县的求解因时限而停止；在更快或更空闲的机器上重算，方案可能不同",
        ),
        (
            "decomposition: 12 county parts, 310 province/city cadres handed to them, placed by the LP",
            "分解求解：分为 12 个县，交给各县的省市干部 310 人，按线性规划分配",
        ),
        (
            "people stage: unit U0017 could seat only 1 of 2 member post(s) at V0003 (H-NOREPEAT / pins leave too few people)",
            "人选阶段：单位 U0017 在 V0003 的队员岗位只能配 1/2 个（H-NOREPEAT 或指定人选使可用人数不足）",
        ),
        (
            "require pin C0001→V0002 dropped: the cadre is recalled: 调离",
            "指定人选 C0001→V0002 已取消：该干部已召回：调离",
        ),
        (
            "base: OPTIMAL, 316/316 required posts, 9.8 s → runs/base",
            "base：最优，必配岗位 316/316，用时 9.8 秒 → runs/base",
        ),
        (
            "edit 1 exclude_cadres: 3 cadres match; 3 candidates marked unavailable (E-AVAIL), 0 serving incumbents stay",
            "修改 1（排除干部）：符合条件的干部 3 人；3 名候选人标为不可派（E-AVAIL），0 名在任人员留任",
        ),
    ],
)
def test_lines_the_library_prints(line, expected):
    assert translate(line) == expected


def test_a_new_english_line_falls_back_to_generic_chinese():
    out = translate("[    4.0s] frobnication: 12 of 30 widgets polished, U0017 left")
    assert out.startswith("[    4.0 秒] （此提示尚无中文译文）") and "12" in out and "U0017" in out
    assert english_words(out) == []
    assert note_line(
        "time limit reached during the coverage search: the plan is the greedy "
        "start, not improved by the solver",
        "zh",
    ).startswith("说明：覆盖搜索时已到时限")
    assert note_line("x y", "en") == "note: x y"


def test_replan_change_lines_in_chinese():
    c = {"kind": "added", "cadre_id": "C0009", "cadre_name": "张三", "old_village_id": "",
         "old_role": "", "new_village_id": "V0003", "new_role": "member",
         "reason": "replaces C0001 (secretary); C0002 (member)"}  # fmt: skip
    assert (
        change_line(c, "zh")
        == "新派 C0009 张三：— → V0003 队员（接替 C0001（第一书记）；C0002（队员））"
    )
    assert change_line(c, "en").startswith("added    C0009 张三: — → V0003 member (replaces")


def test_solve_sample_in_chinese_prints_no_english_word(tmp_path, capsys):
    out = tmp_path / "plan"
    code = main(
        [
            "solve",
            str(SAMPLE),
            "--policy",
            "hunan-2021",
            "--date",
            "2026-09-01",
            "--out",
            str(out),
            "--time-limit",
            "30",
            "--lang",
            "zh",
        ]
    )
    captured = capsys.readouterr()
    text = (captured.out + captured.err).replace(str(out), "")
    assert code in (0, 3), text
    assert "建模：" in text and ("最优" in text or "可行" in text)
    assert english_words(text) == [], text
