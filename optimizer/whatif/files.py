"""Reading scenario files: YAML without implicit dates, ``extends`` chains, sweeps, baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from optimizer.data.errors import InputError, Problem
from optimizer.policy import merge_dicts
from optimizer.whatif.scenario import Scenario, resolve_paths, scenario_from_doc
from optimizer.whatif.sweep import check_axes, expand_sweep
from optimizer.whatif.validate import check_doc


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text and go through the SPEC's date
    parser, so ``2026-13-01`` is a named problem instead of a crash, and ``2026年9月`` works."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in rs if tag != "tag:yaml.org,2002:timestamp"]
    for ch, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_doc(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), f"cannot be read ({exc})")]) from None
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            [
                Problem(
                    str(path),
                    f"not valid YAML ({getattr(exc, 'problem', exc)})",
                    row=mark.line + 1 if mark is not None else None,
                )
            ]
        ) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise InputError([Problem(str(path), "expected a YAML mapping of scenario keys")])
    return doc


def _load_chain(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    """A file with its ``extends`` chain merged underneath; paths already absolute."""
    path = path.resolve()
    if path in chain:
        loop = " → ".join(str(p) for p in (*chain, path))
        raise InputError([Problem(str(path), f"extends loops back on itself: {loop}")])
    if not path.is_file():
        where = str(chain[-1]) if chain else str(path)
        raise InputError(
            [
                Problem(
                    where,
                    "no such scenario file",
                    key="extends" if chain else None,
                    value=str(path) if chain else None,
                )
            ]
        )
    doc = resolve_paths(_read_doc(path), path.parent)
    if not chain:
        doc.setdefault("name", path.stem)
    problems: list[Problem] = []
    # a file that extends nothing must be complete by itself: say what it lacks now, together
    # with its other problems
    check_doc(doc, str(path), problems, complete=not chain and "extends" not in doc)
    if problems:
        raise InputError(problems)
    parent = doc.pop("extends", None)
    if parent is None:
        return doc
    base = _load_chain((path.parent / parent), (*chain, path))
    for k in ("name", "description", "sweep"):  # a file's identity is its own
        base.pop(k, None)
    return merge_dicts(base, doc)


def load_scenario_file(path: str | Path) -> list[Scenario]:
    """The scenarios one file defines: one, or one per combination of its ``sweep`` values."""
    path = Path(path)
    doc = _load_chain(path, ())
    file = str(path.resolve())
    doc.setdefault("name", path.stem)
    axes = doc.pop("sweep", None)
    if axes is None:
        return [scenario_from_doc(doc, path)]
    problems: list[Problem] = []
    check_axes(axes, doc, file, problems)
    if problems:
        raise InputError(problems)
    return expand_sweep(doc, axes, source=path)


def load_scenarios(*paths: str | Path) -> list[Scenario]:
    """Every scenario of every file, in order; all problems of all files reported together."""
    out: list[Scenario] = []
    problems: list[Problem] = []
    for p in paths:
        try:
            out.extend(load_scenario_file(p))
        except InputError as exc:
            problems.extend(p for p in exc.problems if p not in problems)
    check_distinct_names(out, problems)
    if problems:
        raise InputError(problems)
    return out


def check_distinct_names(scenarios: list[Scenario], problems: list[Problem]) -> None:
    """Each scenario gets a run folder named after it: two with one name is a problem."""
    seen: dict[str, Scenario] = {}
    for sc in scenarios:
        if sc.name in seen:
            problems.append(
                Problem(
                    sc.file,
                    f"scenario name {sc.name!r} is also used by "
                    f"{seen[sc.name].file}: run folders need distinct names",
                    key="name",
                )
            )
        seen[sc.name] = sc


def baseline_of(sc: Scenario) -> str | None:
    """The name of the scenario ``sc``'s file extends (its baseline: what a comparison and a
    reference plan default to), or None. A baseline file that is a sweep names no one run."""
    if sc.source is None:
        return None
    try:
        parent = _read_doc(Path(sc.source)).get("extends")
        if not isinstance(parent, str):
            return None
        path = (Path(sc.source).parent / parent).resolve()
        doc = _read_doc(path)
    except (InputError, OSError):
        return None
    if doc.get("sweep"):
        return None
    name = doc.get("name", path.stem)
    return str(name) if name != sc.name else None
