"""What each data edit accepts, and the checks of a scenario's ``edits`` that need no data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.data import schema as s
from optimizer.data.errors import Problem
from optimizer.whatif.filters import (
    CADRE_FIELDS,
    UNIT_FIELDS,
    VILLAGE_FIELDS,
    compile_where,
    show,
)


@dataclass(frozen=True)
class EditSpec:
    """What one kind of edit accepts."""

    keys: dict[str, str]
    """Allowed parameter → what it expects (for messages)."""
    required: tuple[tuple[str, ...], ...] = ()
    """Groups of which at least one key must be given."""
    shorthand: str | None = None
    """A bare value of this kind stands for that parameter (a list of ids, a path)."""


EDITS: dict[str, EditSpec] = {
    "exclude_cadres": EditSpec(
        {"where": "a cadre filter", "ids": "a list of cadre ids"}, (("where", "ids"),), "ids"
    ),
    "drop_units": EditSpec(
        {
            "where": "a unit filter",
            "ids": "a list of unit ids",
            "recall_incumbents": "true or false",
        },
        (("where", "ids"),),
        "ids",
    ),
    "add_units": EditSpec({"path": "a folder with units.csv and cadres.csv"}, (("path",),), "path"),
    "reclassify_villages": EditSpec(
        {
            "where": "a village filter",
            "ids": "a list of village ids",
            "add": "category flags",
            "remove": "category flags",
            "set": "category flags",
            "share": "a number in (0, 1]",
            "seed": "a whole number",
        },
        (("where", "ids"), ("add", "remove", "set")),
    ),
    "scale_candidates": EditSpec(
        {"factor": "a number > 0", "where": "a cadre filter", "seed": "a whole number"},
        (("factor",),),
    ),
    "recall_cadres": EditSpec(
        {"where": "a cadre filter", "ids": "a list of cadre ids", "reason": "text"},
        (("where", "ids"),),
        "ids",
    ),
}


def check_edits(edits: Any, file: str, problems: list[Problem]) -> None:
    """Structure and value checks that need no data (filters, flags, numbers)."""
    if not isinstance(edits, list):
        problems.append(Problem(file, "expected a list of edits", key="edits", value=show(edits)))
        return
    for i, item in enumerate(edits):
        key = f"edits[{i}]"
        if not isinstance(item, dict) or len(item) != 1:
            problems.append(
                Problem(
                    file,
                    f"expected one mapping with a single edit: {', '.join(EDITS)}",
                    key=key,
                    value=show(item),
                )
            )
            continue
        ((kind, params),) = item.items()
        key = f"{key}.{kind}"
        if kind not in EDITS:
            problems.append(
                Problem(file, f"unknown edit; expected one of: {', '.join(EDITS)}", key=key)
            )
            continue
        spec = EDITS[kind]
        params = normalise_params(kind, params)
        if not isinstance(params, dict):
            problems.append(
                Problem(
                    file,
                    "expected a mapping of parameters: " + ", ".join(spec.keys),
                    key=key,
                    value=show(params),
                )
            )
            continue
        for p in params:
            if p not in spec.keys:
                problems.append(
                    Problem(
                        file,
                        f"unknown parameter; expected one of: {', '.join(spec.keys)}",
                        key=f"{key}.{p}",
                    )
                )
        for group in spec.required:
            if not any(g in params for g in group):
                problems.append(Problem(file, f"missing {' or '.join(group)}", key=key))
        _check_params(kind, params, key, file, problems)


def normalise_params(kind: str, params: Any) -> Any:
    short = EDITS[kind].shorthand if kind in EDITS else None
    if short == "ids" and isinstance(params, list):
        return {"ids": params}
    if short == "path" and isinstance(params, str):
        return {"path": params}
    return params


FIELDS_FOR = {
    "exclude_cadres": CADRE_FIELDS,
    "drop_units": UNIT_FIELDS,
    "reclassify_villages": VILLAGE_FIELDS,
    "scale_candidates": CADRE_FIELDS,
    "recall_cadres": CADRE_FIELDS,
}


def _check_params(kind: str, p: dict[str, Any], key: str, file: str, out: list[Problem]) -> None:  # noqa: C901 - one check per edit parameter
    def bad(name: str, msg: str) -> None:
        out.append(Problem(file, msg, key=f"{key}.{name}", value=show(p[name])))

    if "where" in p and kind in FIELDS_FOR:
        compile_where(p["where"], FIELDS_FOR[kind], f"{key}.where", file, out)
    if "where" in p and "ids" in p:
        bad("ids", "give where or ids, not both")
    if "ids" in p and (
        not isinstance(p["ids"], list)
        or not p["ids"]
        or any(isinstance(x, dict | list | bool) or x is None for x in p["ids"])
    ):
        bad("ids", "expected a non-empty list of ids")
    for flag_key in ("add", "remove", "set"):
        if flag_key in p:
            v = p[flag_key]
            flags = v if isinstance(v, list) else [v]
            if not flags or any(s.CATEGORY.lookup(str(x)) is None for x in flags):
                bad(flag_key, f"expected category flags from {s.CATEGORY.describe()}")
    if "set" in p and ("add" in p or "remove" in p):
        bad("set", "give set, or add/remove, not both")
    if "share" in p:
        v = p["share"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 1:
            bad("share", "expected a number in (0, 1]")
    if "factor" in p:
        v = p["factor"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 10:
            bad("factor", "expected a number > 0 (and at most 10)")
    if "seed" in p and (isinstance(p["seed"], bool) or not isinstance(p["seed"], int)):
        bad("seed", "expected a whole number")
    if "recall_incumbents" in p and not isinstance(p["recall_incumbents"], bool):
        bad("recall_incumbents", "expected true or false")
    if "reason" in p and not isinstance(p["reason"], str):
        bad("reason", "expected text")
    if "path" in p:
        if not isinstance(p["path"], str):
            bad("path", "expected a folder path")
        elif not Path(p["path"]).is_dir():
            bad("path", "no such folder: expected a folder with units.csv and cadres.csv")
