"""What the verifier reports: one :class:`Violation` per broken rule, and its table form
(``verify.csv``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from optimizer.plans.formulas import write_csv
from optimizer.plans.io import csv_starts_with, private_file
from optimizer.rules.glossary import rule_source

STRUCTURAL = (
    "PLAN-DUPLICATE",
    "PLAN-UNKNOWN-ID",
    "PLAN-TEAM-MISMATCH",
    "PLAN-UNSTAFFED-MISMATCH",
    "PLAN-DATES",
)
"""Ids of the plan folder's own form (not SPEC §3 rules): checked in
:mod:`optimizer.verify.structure`."""
FRAME_COLUMNS = ["rule", "village_id", "cadre_id", "detail", "source", "severity"]


@dataclass(frozen=True)
class Violation:
    """One broken rule in a plan."""

    rule: str
    """SPEC §3 rule id (``T-SIZE``) or a structural id (``PLAN-DUPLICATE``, …)."""
    village_id: str
    """Empty when the violation is not about one village."""
    cadre_id: str
    """Empty when the violation is not about one cadre."""
    detail_en: str
    detail_zh: str
    source: str
    """The policy documents by title and clause (:func:`optimizer.glossary.rule_source`);
    the plan folder format for structural ones."""
    severity: str = "hard"
    """``hard`` counts as a violation; ``soft`` is informational (a soft rule not met)."""

    def detail(self, lang: str = "en") -> str:
        return self.detail_zh if lang == "zh" else self.detail_en


def violation(rule: str, vid: str, cid: str, en: str, zh: str, severity: str = "hard") -> Violation:
    """A violation of ``rule`` with the rule's sources (in Chinese, as the record keeps them)."""
    return Violation(rule, vid, cid, en, zh, rule_source(rule, "zh"), severity)


def hard_violations(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.severity == "hard"]


def violations_frame(violations: list[Violation], lang: str = "en") -> pd.DataFrame:
    """The violations as a table: rule, village_id, cadre_id, detail, source, severity."""
    return pd.DataFrame(
        [
            {
                "rule": v.rule,
                "village_id": v.village_id,
                "cadre_id": v.cadre_id,
                "detail": v.detail(lang),
                "source": rule_source(v.rule, lang) or v.source,
                "severity": v.severity,
            }
            for v in violations
        ],
        columns=FRAME_COLUMNS,
    )


def write_verify_csv(violations: list[Violation], path: str | Path, lang: str = "en") -> None:
    """Private, atomic, formula-like text escaped; replaces only an earlier ``verify.csv``."""
    with private_file(path, ours=csv_starts_with(FRAME_COLUMNS)) as tmp:
        write_csv(violations_frame(violations, lang), tmp)
