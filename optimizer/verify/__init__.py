"""The independent plan verifier (SPEC §7 ``zhucun verify``).

Reads a plan folder (``plan.csv``, ``teams.csv``, ``unstaffed.csv``, ``manifest.json``, SPEC §6)
and checks it against every rule of SPEC §3 for a dataset and a policy. Each broken rule becomes
one :class:`Violation` naming the rule id, the village and cadre, the data values, and the
seed source of the rule.

Independence: the verifier shares no code with the model builder (``model``, ``relax``,
``greedy``, ``decompose``, ``solver``, ``instance``, ``people``, …): only data loading, the
policy parameters, the rule glossary and the soft points' scale. Every rule is re-derived here
from the SPEC, the soft terms too (:mod:`~optimizer.verify.points`), so a bug in the planner
cannot hide itself by being shared with its checker; ``tests/test_verify_rules.py`` keeps it
so.

Layout: :mod:`~optimizer.verify.planfiles` (and ``tables``) read the folder;
:mod:`~optimizer.verify.view` derives the indexes every check shares;
:mod:`~optimizer.verify.structure` checks the folder's own form (PLAN-*);
:mod:`~optimizer.verify.checks` holds one check per rule id, registered in
:mod:`~optimizer.verify.registry`; :mod:`~optimizer.verify.verifier` runs them;
:mod:`~optimizer.verify.report` writes ``verify.xlsx``.
"""

from optimizer.verify.verifier import VerifyReport, verify_plan, verify_report
from optimizer.verify.violation import (
    STRUCTURAL,
    Violation,
    hard_violations,
    violations_frame,
    write_verify_csv,
)

__all__ = [
    "STRUCTURAL",
    "VerifyReport",
    "Violation",
    "hard_violations",
    "verify_plan",
    "verify_report",
    "violations_frame",
    "write_verify_csv",
]
