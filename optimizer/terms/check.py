"""Before a plan enters the ledger: the dataset and policy it was made from, found and
checked against its ``manifest.json``, and the independent verifier (SPEC §3) run on it.

A plan the ledger records becomes every later plan's history. A posting naming a cadre the
dataset does not have, or a team without its first secretary, would break every later
``solve --ledger``; so approval refuses hard violations unless told, with a note, to record
them, and never records structural ones (unknown ids, duplicate postings, wrong dates)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data import schema as s
from optimizer.data.domain import Dataset, Posting, Recall
from optimizer.data.errors import InputError, Problem
from optimizer.data.loading import load_dataset, load_table
from optimizer.plans.workbook import plan_source
from optimizer.policy import Policy, load_policy
from optimizer.verify import STRUCTURAL, Violation, verify_plan

SHOWN = 15
"""Violations named one per line before the rest are counted (``zhucun verify`` lists all)."""


class PlanRefused(InputError):
    """Approval refused for the plan's hard violations; ``overridable`` when a planner may
    record them anyway (none structural)."""

    def __init__(self, problems: list[Problem], overridable: bool):
        super().__init__(problems)
        self.overridable = overridable


@dataclass
class PlanCheck:
    """The verifier's inputs for one plan folder, found and matched to its manifest."""

    plan_dir: Path
    ds: Dataset
    policy: Policy
    plan_date: date
    uses_ledger: bool
    """The plan was solved with ``--ledger``: its history is the ledger's, read when it is
    locked for writing."""
    repaired: set[str] = field(default_factory=set)
    """Cadres a mid-term repair posts from its repair date (their dates are the repair's)."""
    notes: list[str] = field(default_factory=list)

    def violations(self, history: list[Posting] | None = None) -> list[Violation]:
        ds = self.ds if history is None else replace(self.ds, history=history)
        found = verify_plan(ds, self.plan_dir, self.policy, self.plan_date)
        return [
            v
            for v in found
            if v.severity == "hard" and not (v.rule == "PLAN-DATES" and v.cadre_id in self.repaired)
        ]


@dataclass
class Approval:
    """How to approve: the check, and whether hard violations may be recorded (with a note)."""

    check: PlanCheck
    accept_violations: bool = False
    note: str = ""
    lang: str = "en"

    def judge(self, history: list[Posting] | None = None) -> list[str]:
        """Run the verifier; raise :class:`PlanRefused` naming the violations, or return the
        ones recorded anyway (one line each) when accepted with a note."""
        hard = self.check.violations(history)
        if not hard:
            return []
        structural = [v for v in hard if v.rule in STRUCTURAL]
        accepted = self.accept_violations and bool(self.note.strip())
        if accepted and not structural:
            return [_line(v, "en") for v in hard]
        shown = structural if self.accept_violations and structural else hard
        file = plan_source(Path(self.check.plan_dir))[0].name  # plan.xlsx after an Excel edit
        problems = [Problem(file, _line(v, "en"), zh=_line(v, "zh")) for v in shown[:SHOWN]]
        if len(shown) > SHOWN:
            problems.append(
                Problem(file, f"… and {len(shown) - SHOWN} more (zhucun verify lists all)")
            )
        if structural:
            why = (
                f"refused: {len(structural)} structural violation(s) (unknown ids, duplicate "
                "postings, wrong dates) would break every later plan made from the ledger; "
                "they cannot be recorded even when accepted. Nothing was written"
            )
        elif self.accept_violations:
            why = "refused: recording hard violations needs a note saying why. Nothing was written"
        else:
            why = (
                f"refused: the plan breaks {len(hard)} hard rule(s). Nothing was written; "
                "fix the plan, or record it with the violations accepted and a note saying why"
            )
        raise PlanRefused([*problems, Problem(file, why)], not structural)


def _line(v: Violation, lang: str) -> str:
    where = " ".join(x for x in (v.village_id, v.cadre_id) if x)
    return f"{v.rule}{' ' + where if where else ''}: {v.detail(lang)}"


def prepare_check(
    plan_dir: Path,
    manifest: dict[str, Any],
    plan_date: date,
    term_years: int,
    dataset: Dataset | str | Path | None,
    policy: Policy | str | Path | None,
    repaired: set[str],
) -> PlanCheck:
    """Find the dataset (given, or the one the manifest names) and the policy (given, or
    the one the manifest records in full) and check they are the ones the plan was made
    from; raises :class:`InputError` before anything is written."""
    recorded = manifest.get("input_files")
    recorded = recorded if isinstance(recorded, dict) else {}
    uses_ledger = any(str(k).startswith("ledger:") for k in recorded)
    if dataset is None:
        dataset = _recorded_dataset(manifest)
    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset)
    where = str(dataset if not isinstance(dataset, Dataset) else ds.source or "the dataset")
    _same_files(recorded, ds.file_hashes, uses_ledger, where)
    pol = _policy(manifest, policy, term_years)
    notes = []
    if pol.to_dict() != manifest.get("policy"):
        notes.append(f"verified under policy {pol.name}, not the one the plan was made with")
    recall = plan_dir / "recall.csv"
    if manifest.get("replan") and recall.is_file():
        extra = [Recall(r["cadre_id"], r["reason"] or "") for _, r in load_table(recall, s.RECALL)]
        ds = replace(ds, recall=[*ds.recall, *extra])
    return PlanCheck(plan_dir, ds, pol, plan_date, uses_ledger, repaired, notes)


def _recorded_dataset(manifest: dict[str, Any]) -> Path:
    src = manifest.get("dataset")
    if not isinstance(src, str) or not src.strip():
        raise InputError(
            [
                Problem(
                    "manifest.json",
                    "names no dataset: give the dataset the plan was made from",
                    key="dataset",
                )
            ]
        )
    if not Path(src).exists():
        raise InputError(
            [
                Problem(
                    "manifest.json",
                    "the dataset the plan was made from is not there (any more, or from this "
                    "folder): give where it is now",
                    key="dataset",
                    value=src,
                )
            ]
        )
    return Path(src)


def _same_files(recorded: dict[str, Any], now: dict[str, str], uses_ledger: bool, where: str):
    """Every input file the manifest records, with the same content (SHA-256)."""
    history = set(s.table_names(s.HISTORY))

    def keep(name: str) -> bool:
        return not name.startswith("ledger:") and not (uses_ledger and Path(name).stem in history)

    then = {k: v for k, v in recorded.items() if keep(k)}
    have = {k: v for k, v in now.items() if keep(k)}
    problems = []
    for name in sorted(set(then) | set(have)):
        if name not in have:
            what = "is missing: the plan was made with it"
        elif name not in then:
            what = "was not part of the dataset the plan was made from"
        elif have[name] != then[name]:
            what = "has changed since the plan was made (its SHA-256 differs from manifest.json)"
        else:
            continue
        problems.append(Problem(where, f"{name} {what}"))
    if problems:
        why = "refused: the plan can only be checked against the data it was made from"
        raise InputError([*problems, Problem(where, why)])


def _policy(manifest: dict[str, Any], policy: Policy | str | Path | None, term: int) -> Policy:
    if policy is not None:
        pol = policy if isinstance(policy, Policy) else load_policy(policy)
        if pol.term_years != term:
            raise InputError(
                [
                    Problem(
                        str(policy if not isinstance(policy, Policy) else pol.name),
                        f"has a {pol.term_years}-year term; the plan was made with a "
                        f"{term}-year term (manifest.json)",
                    )
                ]
            )
        return pol
    doc = manifest.get("policy")
    with tempfile.TemporaryDirectory(prefix="zhucun-policy-") as tmp:
        path = Path(tmp) / "policy.yaml"
        path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")  # JSON is YAML
        try:
            return load_policy(path)
        except InputError as exc:
            detail = "; ".join(p.message for p in exc.problems[:3])
            raise InputError(
                [
                    Problem(
                        "manifest.json",
                        f"the recorded policy cannot be read by this zhucun ({detail}): "
                        "give the policy the plan was made with",
                        key="policy",
                    )
                ]
            ) from None


__all__ = ["Approval", "PlanCheck", "PlanRefused", "prepare_check"]
