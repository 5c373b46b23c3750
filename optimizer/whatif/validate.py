"""Checking one scenario document: its keys and values, before any data is read.

Every problem is collected, naming the file, the dotted key, the value and what was expected;
overrides are checked by the policy schema itself and edits by :mod:`edit_checks`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data.errors import Problem
from optimizer.data.parsing import BadValue, parse_date
from optimizer.policy import PRESETS
from optimizer.policy import SCHEMA as POLICY_SCHEMA
from optimizer.policy import validate as validate_policy
from optimizer.whatif.edit_checks import check_edits
from optimizer.whatif.filters import show

TOP_KEYS = (
    "name",
    "description",
    "extends",
    "dataset",
    "policy",
    "overrides",
    "plan_date",
    "edits",
    "solve",
    "sweep",
)
SOLVE_DEFAULTS = {"time_limit": 60.0, "seed": 0, "workers": 1, "reference": None}
NAME_RE = re.compile(r"^[^\s/\\.][^\s/\\]*$")
"""A run folder name: no spaces or slashes, not starting with a dot."""


def to_date(v: Any) -> date:
    """A plan date in any SPEC §5 form (raises ``BadValue``)."""
    return v if isinstance(v, date) else parse_date(str(v))


def check_doc(doc: Any, file: str, problems: list[Problem], complete: bool) -> None:
    """Keys and values of one scenario document; ``complete`` also requires the must-haves."""
    if not isinstance(doc, dict):
        problems.append(Problem(file, "expected a YAML mapping of scenario keys"))
        return
    _check_keys(doc, file, problems, complete)
    _check_dataset(doc.get("dataset"), file, problems)
    _check_policy(doc.get("policy"), file, problems)
    if doc.get("overrides") is not None:
        validate_policy(doc["overrides"], POLICY_SCHEMA, "overrides", file, problems)
        if isinstance(doc["overrides"], dict) and "extends" in doc["overrides"]:
            problems.append(
                Problem(
                    file,
                    "use the scenario's policy key to choose what to extend",
                    key="overrides.extends",
                )
            )
    if doc.get("plan_date") is not None:
        try:
            to_date(doc["plan_date"])
        except BadValue as exc:
            problems.append(Problem(file, str(exc), key="plan_date", value=show(doc["plan_date"])))
    if doc.get("edits") is not None:
        check_edits(doc["edits"], file, problems)
    if doc.get("solve") is not None:
        _check_solve(doc["solve"], file, problems)


def _check_keys(doc: dict[str, Any], file: str, problems: list[Problem], complete: bool) -> None:
    for k in doc:
        if k not in TOP_KEYS:
            problems.append(
                Problem(file, f"unknown key; expected one of: {', '.join(TOP_KEYS)}", key=str(k))
            )
    if complete:
        for k in ("name", "dataset", "policy", "plan_date"):
            if doc.get(k) in (None, ""):
                problems.append(Problem(file, "missing (required)", key=k))
    for k in ("name", "description", "extends"):
        if k in doc and doc[k] is not None and not isinstance(doc[k], str):
            problems.append(Problem(file, "expected text", key=k, value=show(doc[k])))
    name = doc.get("name")
    if isinstance(name, str) and name and not NAME_RE.match(name):
        problems.append(
            Problem(
                file,
                "expected a name usable as a folder name: no spaces or "
                "slashes, not starting with a dot",
                key="name",
                value=name,
            )
        )


def _check_dataset(ds: Any, file: str, problems: list[Problem]) -> None:
    if ds is None:
        return
    if not isinstance(ds, str | Path):
        problems.append(Problem(file, "expected a path", key="dataset", value=show(ds)))
    elif not (
        Path(ds).is_dir() or (Path(ds).suffix.lower() in (".xlsx", ".xlsm") and Path(ds).is_file())
    ):
        problems.append(
            Problem(
                file,
                "no such dataset: expected a folder of CSV files or an .xlsx workbook",
                key="dataset",
                value=str(ds),
            )
        )


def _check_policy(pol: Any, file: str, problems: list[Problem]) -> None:
    if pol is None:
        return
    if not isinstance(pol, str | Path):
        problems.append(
            Problem(file, "expected a preset name or a policy file", key="policy", value=show(pol))
        )
    elif str(pol) not in PRESETS and not Path(pol).is_file():
        problems.append(
            Problem(
                file,
                f"no such policy: expected a preset name ({', '.join(PRESETS)}) or a YAML file",
                key="policy",
                value=str(pol),
            )
        )


def _check_solve(sv: Any, file: str, problems: list[Problem]) -> None:
    if not isinstance(sv, dict):
        problems.append(
            Problem(
                file,
                "expected a mapping: time_limit, seed, workers, reference",
                key="solve",
                value=show(sv),
            )
        )
        return
    for k, v in sv.items():
        if k not in SOLVE_DEFAULTS:
            problems.append(
                Problem(
                    file,
                    "unknown key; expected one of: time_limit, seed, workers, reference",
                    key=f"solve.{k}",
                )
            )
        elif (
            k == "time_limit"
            and v is not None
            and (isinstance(v, bool) or not isinstance(v, int | float) or v <= 0)
        ):
            problems.append(
                Problem(
                    file,
                    "expected seconds > 0, or null for no limit",
                    key="solve.time_limit",
                    value=show(v),
                )
            )
        elif k in ("seed", "workers") and (
            isinstance(v, bool) or not isinstance(v, int) or v < (k == "workers")
        ):
            problems.append(
                Problem(
                    file,
                    "expected a whole number" + (" ≥ 1" if k == "workers" else ""),
                    key=f"solve.{k}",
                    value=show(v),
                )
            )
        elif k == "reference" and v is not None and not isinstance(v, str | Path):
            problems.append(
                Problem(
                    file,
                    "expected a plan folder (path) or null",
                    key="solve.reference",
                    value=show(v),
                )
            )
