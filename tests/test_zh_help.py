"""Issue 18 item 4: ``--help`` and argparse's own lines in Chinese with ``--lang zh``."""

from __future__ import annotations

import argparse
import re

import pytest

from optimizer.cli import main
from optimizer.cli.lang import HELP_ZH, argv_lang, help_zh
from optimizer.cli.parser import build_parser
from optimizer.lang.messages import english_words

COMMANDS = ["check", "solve", "verify", "explain", "generate", "template", "run", "compare",
            "serve", "replan", "ledger", "anonymize", "ledger import", "ledger approve",
            "ledger revoke", "ledger export"]  # fmt: skip
ALLOWED = {"zhucun", "zh", "en", "mask", "drop", "county", "city", "province", "pip", "install",
           *(c.split()[-1] for c in COMMANDS)}  # fmt: skip
"""Command names, choices and the program's name: what a user types, not prose."""


def _foreign(text: str) -> list[str]:
    return [w for w in english_words(re.sub(r"\{[^}]*\}", "", text)) if w not in ALLOWED]


def _help(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_in_chinese_has_no_english_word(command, capsys):
    text = _help([*command.split(), "--help", "--lang", "zh"], capsys)
    assert text.startswith("用法：zhucun")
    assert _foreign(text) == [], text


def test_help_follows_ZHUCUN_LANG_and_lang_before_the_command(monkeypatch, capsys):
    monkeypatch.setenv("ZHUCUN_LANG", "zh")
    assert "选项" in _help(["solve", "--help"], capsys)
    assert "options:" in _help(["solve", "--help", "--lang", "en"], capsys)
    monkeypatch.delenv("ZHUCUN_LANG")
    assert "生成方案" in _help(["--lang", "zh", "--help"], capsys)
    assert argv_lang(["--lang=zh", "check"]) == "zh" and argv_lang(["--", "--lang", "zh"]) == "en"


def test_help_in_english_is_unchanged(capsys):
    text = _help(["solve", "--help", "--lang", "en"], capsys)
    assert text.startswith("usage: zhucun solve") and "positional arguments:" in text
    assert "output folder (written atomically)" in text


def test_every_help_string_has_its_chinese():
    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser) -> None:
        texts = [parser.description] + [a.help for a in parser._actions]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                texts += [c.help for c in action._choices_actions]
                for sub in action.choices.values():
                    walk(sub)
        missing.extend(t for t in texts if t and help_zh(t) == t and english_words(t))

    walk(build_parser("en"))
    assert missing == [], "add these to optimizer.cli_lang.HELP_ZH"
    assert all(not _foreign(zh) for zh in HELP_ZH.values())


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["solve"], "zhucun solve：错误：缺少必需的参数：数据、--policy、--out"),
        (
            ["check", "d", "--policy", "p", "--lang", "fr"],
            "参数 --lang：无效的取值 'fr'（可选：'zh', 'en'）",
        ),
        (["frobnicate"], "参数 命令：无效的取值 'frobnicate'"),
        (
            ["solve", "d", "--policy", "p", "--out", "o", "--time-limit", "0"],
            "参数 --time-limit：应为大于 0 的秒数（如 60），实际为 '0'",
        ),
        (
            ["solve", "d", "--policy", "p", "--out", "o", "--date", "2021"],
            "参数 --date：'2021'：只有年份：请补上月份",
        ),
        (["explain", "d", "--policy", "p"], "必须给出以下参数之一：--village --cadre"),
        (["check", "d", "--policy", "p", "--bogus"], "无法识别的参数：--bogus"),
    ],
)
def test_argparse_errors_in_chinese(argv, expected, capsys, monkeypatch):
    monkeypatch.setenv("ZHUCUN_LANG", "zh")
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert expected in err, err
    assert err.startswith("用法：") and _foreign(err.splitlines()[-1]) == []
