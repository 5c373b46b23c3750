"""Sweeps: one scenario per combination of the values of dotted keys (``overrides.x.y``)."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data.errors import InputError, Problem
from optimizer.whatif.filters import show
from optimizer.whatif.scenario import Scenario, scenario_from_doc

SWEEPABLE = ("overrides", "plan_date", "policy", "dataset", "edits", "solve", "description")


def check_axes(axes: Any, doc: dict[str, Any], file: str, problems: list[Problem]) -> None:
    """A sweep is a mapping of sweepable dotted keys (an edit parameter must exist in ``doc``)
    to non-empty lists of values."""
    if not isinstance(axes, dict) or not axes:
        problems.append(
            Problem(
                file,
                "expected a mapping of dotted key: list of values",
                key="sweep",
                value=show(axes),
            )
        )
        return
    for path, values in axes.items():
        key = f"sweep.{path}"
        parts = str(path).split(".")
        if parts[0] not in SWEEPABLE:
            problems.append(
                Problem(
                    file,
                    f"expected a dotted key starting with one of: {', '.join(SWEEPABLE)}",
                    key=key,
                )
            )
        elif parts[0] == "edits" and _get_path(doc, parts) is _MISSING:
            problems.append(
                Problem(
                    file,
                    "no such edit parameter to sweep: edits are addressed "
                    "as edits.<index>.<edit>.<parameter>",
                    key=key,
                )
            )
        if not isinstance(values, list) or not values:
            problems.append(
                Problem(file, "expected a non-empty list of values", key=key, value=show(values))
            )


_MISSING = object()


def _get_path(doc: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        elif isinstance(doc, dict) and part in doc:
            doc = doc[part]
        else:
            return _MISSING
    return doc


def _set_path(doc: dict[str, Any], parts: list[str], value: Any) -> None:
    cur: Any = doc
    for i, part in enumerate(parts[:-1]):
        if isinstance(cur, list):
            cur = cur[int(part)]
            continue
        nxt = cur.get(part)
        if nxt is None or not isinstance(nxt, dict | list):
            nxt = [] if parts[i + 1].isdigit() else {}
            cur[part] = nxt
        cur = nxt
    if isinstance(cur, list):
        cur[int(parts[-1])] = value
    else:
        cur[parts[-1]] = value


def _label(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, date):
        return v.isoformat()
    text = str(v)
    return re.sub(r"[\s/\\]+", "_", Path(text).stem if "/" in text else text)


def expand_sweep(
    base: Scenario | dict[str, Any],
    axes: dict[str, list[Any]],
    source: Path | None = None,
    name: str | None = None,
) -> list[Scenario]:
    """One scenario per combination of the axes' values (their product, in order), named
    ``<name>.<key>=<value>`` with the last part of each dotted key; ``name`` defaults to the
    base scenario's."""
    if isinstance(base, Scenario):
        source = base.source
        doc = base.to_doc()
    else:
        doc = copy.deepcopy(base)
    if name is not None:
        doc["name"] = name
    file = str(source) if source else f"scenario {doc.get('name')}"
    problems: list[Problem] = []
    check_axes(axes, doc, file, problems)
    if problems:
        raise InputError(problems)
    leaves = [str(p).split(".")[-1] for p in axes]
    labels = [lf if leaves.count(lf) == 1 else str(p) for lf, p in zip(leaves, axes, strict=True)]
    out: list[Scenario] = []
    for combo in itertools.product(*axes.values()):
        d = copy.deepcopy(doc)
        for path, value in zip(axes, combo, strict=True):
            _set_path(d, str(path).split("."), copy.deepcopy(value))
        d["name"] = ".".join(
            [doc["name"], *(f"{lb}={_label(v)}" for lb, v in zip(labels, combo, strict=True))]
        )
        variant = dict(zip(axes, combo, strict=True))
        try:
            out.append(scenario_from_doc(d, source, variant))
        except InputError as exc:
            note = ", ".join(f"{k}={show(v)}" for k, v in variant.items())
            problems.extend(
                dataclasses.replace(p, message=f"{p.message} (sweep: {note})") for p in exc.problems
            )
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    return out
