"""Issue 18 item 6: one glossary names every rule id in Chinese and English and cites its
source documents by title; docs/rules.md is generated from it and never drifts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from optimizer.rules import glossary
from optimizer.rules.glossary import DOCUMENTS, rule_ids, rule_label, rule_name, rule_source

ROOT = Path(__file__).resolve().parents[1]
RULE_LITERAL = re.compile(r"[\"']((?:E|L|T|J|C|H|S|U|LV|P|PLAN)-[A-Z]+(?:-[A-Z]+)*)[\"']")


def test_every_rule_id_the_code_names_is_in_the_glossary():
    used: set[str] = set()
    for path in (ROOT / "optimizer").rglob("*.py"):
        used |= set(RULE_LITERAL.findall(path.read_text("utf-8")))
    assert used, "the pattern finds the code's rule ids"
    assert used - set(rule_ids()) == set()


def test_every_SPEC_rule_id_is_in_the_glossary():
    spec = next(
        (p for p in (ROOT.parent / "shared", ROOT.parents[1] / "shared") if p.is_dir()), None
    )
    if spec is None or not (spec / "SPEC.md").is_file():
        pytest.skip("the specification is not beside this checkout")
    ids = re.findall(r"^\| ([A-Z]+(?:-[A-Z]+)+) \|", (spec / "SPEC.md").read_text("utf-8"), re.M)
    assert "S-PROVKEY" in ids
    assert set(ids) - set(rule_ids()) == set()


def test_names_are_chinese_and_english():
    for rid in rule_ids():
        assert re.search(r"[\u4e00-\u9fff]", rule_name(rid, "zh")), rid
        assert re.fullmatch(r"[\x20-\x7e]+", rule_name(rid, "en")), rid
    assert rule_name("T-SIZE") == "工作队人数"
    assert rule_label("T-SIZE", "zh") == "T-SIZE(工作队人数)"
    assert rule_label("T-SIZE", "en") == "T-SIZE (team size)"
    assert rule_name("NO-SUCH", "zh") == "NO-SUCH" and rule_source("NO-SUCH") == ""


def test_sources_cite_documents_by_title_not_file_number():
    hunan = "湖南省《关于在乡村振兴中持续向重点乡村选派驻村第一书记和工作队的实施意见》"
    assert rule_source("S-PROVKEY") == hunan + "二(二)"
    assert rule_source("H-CONTINUITY").startswith(
        "河北省《关于加强贫困村驻村工作队选派管理工作的实施意见》一(一)、一(三)；"
    )
    for rid in rule_ids():
        for lang in ("zh", "en"):
            src = rule_source(rid, lang)
            assert src, rid
            assert not re.search(r"\b00[0-4]\b|SPEC|seed", src), (rid, src)
    assert "《" in rule_source("E-AGE", "en") and "2021" in rule_source("E-AGE", "en")


def test_every_source_key_is_a_document():
    for r in glossary.RULES:
        for key, _ in r.sources:
            assert key in DOCUMENTS, (r.id, key)
    presets = {p for d in DOCUMENTS.values() for p in d.presets}
    shipped = {p.stem for p in (ROOT / "optimizer" / "policy" / "presets").glob("*.yaml")}
    assert presets == shipped


def test_docs_rules_md_is_generated_from_the_glossary():
    text = (ROOT / "docs" / "rules.md").read_text("utf-8")
    assert text == glossary.rules_markdown(), (
        "docs/rules.md is out of date: run "
        "python -c 'from optimizer.rules.glossary import write_rules_doc; write_rules_doc()'"
    )
    for rid in rule_ids():
        assert f"| `{rid}` |" in text


def test_chinese_guide_covers_every_command_and_preset():
    """docs/使用说明.md names every zhucun command and every shipped preset with its document,
    and README.md links it."""
    from optimizer.cli.parser import build_parser

    guide = (ROOT / "docs" / "使用说明.md").read_text("utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for command in sub.choices:
        assert f"zhucun {command}" in guide, command
    for doc in DOCUMENTS.values():
        for preset in doc.presets:
            assert f"`{preset}`" in guide and f"《{doc.title}》" in guide, preset
    assert "docs/使用说明.md" in (ROOT / "README.md").read_text("utf-8")
