"""Checks registered by the SPEC §3 rule id they judge.

A check is ``check_<ID>(view) -> Iterable[Finding]``; the registry stamps each finding with the
check's rule id and the rule's sources, so a check can only ever report its own rule. The
checks themselves live in :mod:`optimizer.verify.checks`, one module per family of rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from optimizer.verify.view import PlanView
from optimizer.verify.violation import Violation, violation


@dataclass(frozen=True)
class Finding:
    """One breach of the rule its check judges."""

    village_id: str
    cadre_id: str
    en: str
    zh: str
    severity: str = "hard"


Check = Callable[[PlanView], Iterable[Finding]]
CHECKS: dict[str, Check] = {}
"""Rule id → its check, in registration order."""


def check(rule: str) -> Callable[[Check], Check]:
    """Register the decorated function as the one check of ``rule``."""

    def register(fn: Check) -> Check:
        if rule in CHECKS:
            raise ValueError(f"rule {rule} has two checks: {CHECKS[rule].__name__}, {fn.__name__}")
        CHECKS[rule] = fn
        return fn

    return register


def run_check(rule: str, view: PlanView) -> list[Violation]:
    return [
        violation(rule, f.village_id, f.cadre_id, f.en, f.zh, f.severity)
        for f in CHECKS[rule](view)
    ]
