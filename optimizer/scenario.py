"""What-if scenarios: a base dataset, a policy with overrides, data edits and a plan date.

A scenario file is YAML (format in ``scenarios/README.md``)::

    name: age-57
    description: 年龄上限57岁
    extends: baseline.yaml          # optional: another scenario file, merged underneath
    dataset: ../sample-county       # relative paths resolve against this file's folder
    policy: hunan-2021              # preset name or policy YAML file
    overrides: {eligibility: {max_age: 57}}
    plan_date: 2026-09-01
    edits: [{scale_candidates: {factor: 0.9, seed: 1}}]
    solve: {time_limit: 60, seed: 0, workers: 1}
    sweep: {overrides.eligibility.max_age: [55, 57, 60]}   # optional: one scenario per value

Edits change the dataset in memory and never touch the files; each edit is deterministic
(random choices rank ids by a seeded hash, so dropping 10 % keeps a superset of dropping 20 %).
Validation collects every problem, naming the file, the dotted key, the value and what was
expected, exactly like dataset errors.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import hashlib
import io
import itertools
import math
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from optimizer.data import schema as s
from optimizer.data.domain import Cadre, Dataset, Recall, Unit, rank_index
from optimizer.data.errors import InputError, Problem
from optimizer.data.parsing import BadValue, parse_date
from optimizer.policy import PRESETS, Policy, _check, load_policy, merge_dicts
from optimizer.policy import SCHEMA as POLICY_SCHEMA
from optimizer.rules import current_postings

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
SWEEPABLE = ("overrides", "plan_date", "policy", "dataset", "edits", "solve", "description")
NAME_RE = re.compile(r"^[^\s/\\.][^\s/\\]*$")
"""A run folder name: no spaces or slashes, not starting with a dot."""

# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class _Field:
    kind: str
    """text, enum, rank, set, bool, number or date."""
    get: Callable[[Any, _Ctx], Any]
    vocab: s.Vocab | None = None


@dataclass
class _Ctx:
    ds: Dataset
    day: date


def _attr(name: str) -> Callable[[Any, _Ctx], Any]:
    return lambda rec, ctx: getattr(rec, name)


def _unit_attr(name: str) -> Callable[[Any, _Ctx], Any]:
    return lambda c, ctx: getattr(ctx.ds.units[c.unit_id], name)


UNIT_FIELDS: dict[str, _Field] = {
    "unit_id": _Field("text", _attr("unit_id")),
    "name": _Field("text", _attr("name")),
    "level": _Field("enum", _attr("level"), s.LEVEL),
    "region": _Field("text", _attr("region")),
    "kind": _Field("enum", _attr("kind"), s.KIND),
    "staff": _Field("number", _attr("staff")),
}
CADRE_FIELDS: dict[str, _Field] = {
    "cadre_id": _Field("text", _attr("cadre_id")),
    "name": _Field("text", _attr("name")),
    "unit_id": _Field("text", _attr("unit_id")),
    "gender": _Field("enum", _attr("gender"), s.GENDER),
    "birth_date": _Field("date", _attr("birth_date")),
    "age": _Field("number", lambda c, ctx: c.age(ctx.day)),
    "political_status": _Field("enum", _attr("political_status"), s.POLITICAL),
    "party_date": _Field("date", _attr("party_date")),
    "work_date": _Field("date", _attr("work_date")),
    "rank": _Field("rank", _attr("rank"), s.RANK),
    "middle_manager": _Field("bool", _attr("middle_manager")),
    "employment": _Field("enum", _attr("employment"), s.EMPLOYMENT),
    "township_cadre": _Field("bool", _attr("township_cadre")),
    "health": _Field("enum", _attr("health"), s.HEALTH),
    "eval_recent": _Field("enum", _attr("eval_recent"), s.EVAL),
    "young_pool": _Field("bool", _attr("young_pool")),
    "rural_years": _Field("number", _attr("rural_years")),
    "grassroots_years": _Field("number", _attr("grassroots_years")),
    "skills": _Field("set", _attr("skills"), s.SKILL),
    "available": _Field("bool", _attr("available")),
    "level": _Field("enum", _unit_attr("level"), s.LEVEL),
    "kind": _Field("enum", _unit_attr("kind"), s.KIND),
    "region": _Field("text", _unit_attr("region")),
}
VILLAGE_FIELDS: dict[str, _Field] = {
    "village_id": _Field("text", _attr("village_id")),
    "name": _Field("text", _attr("name")),
    "county": _Field("text", _attr("county")),
    "township": _Field("text", _attr("township")),
    "city": _Field("text", _attr("city")),
    "categories": _Field("set", _attr("categories"), s.CATEGORY),
    "relocated_pop": _Field("number", _attr("relocated_pop")),
    "needs": _Field("set", _attr("needs"), s.SKILL),
    "remote": _Field("bool", _attr("remote")),
}
Test = Callable[[Any, _Ctx], bool]


class _Bad(Exception):
    def __init__(self, message: str, value: Any = None):
        super().__init__(message)
        self.value = value


def _scalar(f: _Field, v: Any) -> Any:
    """A filter value in the field's canonical form; raises _Bad with what was expected."""
    if isinstance(v, dict | list):
        raise _Bad("expected a single value", v)
    if f.kind in ("enum", "set", "rank"):
        code = f.vocab.lookup(str(v)) if f.vocab and v is not None else None  # type: ignore[union-attr]
        if code is None:
            raise _Bad(f"expected one of {f.vocab.describe()}", v)  # type: ignore[union-attr]
        return rank_index(code) if f.kind == "rank" else code
    if f.kind == "bool":
        if isinstance(v, bool):
            return v
        t = str(v).strip().lower()
        if t in s.TRUE_WORDS | s.FALSE_WORDS:
            return t in s.TRUE_WORDS
        raise _Bad("expected true or false", v)
    if f.kind == "number":
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _Bad("expected a number", v)
        return v
    if f.kind == "date":
        if isinstance(v, date):
            return v
        try:
            return parse_date(str(v))
        except BadValue as exc:
            raise _Bad(str(exc), v) from None
    if v is None or isinstance(v, bool):
        raise _Bad("expected text", v)
    return str(v)


def _value_of(f: _Field, rec: Any, ctx: _Ctx) -> Any:
    got = f.get(rec, ctx)
    return rank_index(got) if f.kind == "rank" else got


def _condition(f: _Field, spec: Any) -> Callable[[Any], bool]:
    """One field's test: a value, a list (any of), or {min, max, not}."""
    if isinstance(spec, dict):
        unknown = set(spec) - {"min", "max", "not"}
        if unknown or not spec:
            raise _Bad("expected a value, a list of values, or a mapping with min, max, not", spec)
        tests: list[Callable[[Any], bool]] = []
        for op in ("min", "max"):
            if op in spec:
                if f.kind not in ("number", "date", "rank"):
                    raise _Bad(f"{op} needs a number, date or rank field", spec[op])
                bound = _scalar(f, spec[op])
                if op == "min":
                    tests.append(lambda x, b=bound: x is not None and x >= b)
                else:
                    tests.append(lambda x, b=bound: x is not None and x <= b)
        if "not" in spec:
            inner = _condition(f, spec["not"])
            tests.append(lambda x: not inner(x))
        return lambda x: all(t(x) for t in tests)
    values = spec if isinstance(spec, list) else [spec]
    if not values:
        raise _Bad("expected at least one value", spec)
    wanted = {_scalar(f, v) for v in values}
    if f.kind == "set":
        return lambda x: bool(x and x & wanted)
    return lambda x: x in wanted


def _compile_where(
    where: Any, fields: dict[str, _Field], key: str, file: str, problems: list[Problem]
) -> Test | None:
    if not isinstance(where, dict) or not where:
        problems.append(
            Problem(file, "expected a mapping of field: condition", key=key, value=_show(where))
        )
        return None
    tests: list[tuple[_Field, Callable[[Any], bool]]] = []
    for name, spec in where.items():
        sub = f"{key}.{name}"
        if name not in fields:
            problems.append(
                Problem(file, f"unknown field; expected one of: {', '.join(fields)}", key=sub)
            )
            continue
        try:
            tests.append((fields[name], _condition(fields[name], spec)))
        except _Bad as exc:
            problems.append(Problem(file, str(exc), key=sub, value=_show(exc.value)))
    if len(tests) != len(where):
        return None
    return lambda rec, ctx: all(t(_value_of(f, rec, ctx)) for f, t in tests)


def _show(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, date):
        return v.isoformat()
    return "null" if v is None else str(v)


# --------------------------------------------------------------------------- edits


@dataclass(frozen=True)
class _EditSpec:
    keys: dict[str, str]
    """Allowed parameter → what it expects (for messages)."""
    required: tuple[tuple[str, ...], ...] = ()
    """Groups of which at least one key must be given."""
    shorthand: str | None = None
    """A bare value of this kind stands for that parameter (a list of ids, a path)."""


EDITS: dict[str, _EditSpec] = {
    "exclude_cadres": _EditSpec(
        {"where": "a cadre filter", "ids": "a list of cadre ids"}, (("where", "ids"),), "ids"
    ),
    "drop_units": _EditSpec(
        {
            "where": "a unit filter",
            "ids": "a list of unit ids",
            "recall_incumbents": "true or false",
        },
        (("where", "ids"),),
        "ids",
    ),
    "add_units": _EditSpec(
        {"path": "a folder with units.csv and cadres.csv"}, (("path",),), "path"
    ),
    "reclassify_villages": _EditSpec(
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
    "scale_candidates": _EditSpec(
        {"factor": "a number > 0", "where": "a cadre filter", "seed": "a whole number"},
        (("factor",),),
    ),
    "recall_cadres": _EditSpec(
        {"where": "a cadre filter", "ids": "a list of cadre ids", "reason": "text"},
        (("where", "ids"),),
        "ids",
    ),
}


def _check_edits(edits: Any, file: str, problems: list[Problem]) -> None:
    """Structure and value checks that need no data (filters, flags, numbers)."""
    if not isinstance(edits, list):
        problems.append(Problem(file, "expected a list of edits", key="edits", value=_show(edits)))
        return
    for i, item in enumerate(edits):
        key = f"edits[{i}]"
        if not isinstance(item, dict) or len(item) != 1:
            problems.append(
                Problem(
                    file,
                    f"expected one mapping with a single edit: {', '.join(EDITS)}",
                    key=key,
                    value=_show(item),
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
        params = _normalise_params(kind, params)
        if not isinstance(params, dict):
            problems.append(
                Problem(
                    file,
                    "expected a mapping of parameters: " + ", ".join(spec.keys),
                    key=key,
                    value=_show(params),
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


def _normalise_params(kind: str, params: Any) -> Any:
    short = EDITS[kind].shorthand if kind in EDITS else None
    if short == "ids" and isinstance(params, list):
        return {"ids": params}
    if short == "path" and isinstance(params, str):
        return {"path": params}
    return params


_FIELDS_FOR = {
    "exclude_cadres": CADRE_FIELDS,
    "drop_units": UNIT_FIELDS,
    "reclassify_villages": VILLAGE_FIELDS,
    "scale_candidates": CADRE_FIELDS,
    "recall_cadres": CADRE_FIELDS,
}


def _check_params(kind: str, p: dict[str, Any], key: str, file: str, out: list[Problem]) -> None:
    def bad(name: str, msg: str) -> None:
        out.append(Problem(file, msg, key=f"{key}.{name}", value=_show(p[name])))

    if "where" in p and kind in _FIELDS_FOR:
        _compile_where(p["where"], _FIELDS_FOR[kind], f"{key}.where", file, out)
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


def _rank_key(seed: int, ident: str) -> str:
    """Seeded, order-free ranking: the same ids keep the same order whatever else changes."""
    return hashlib.sha256(f"{seed}:{ident}".encode()).hexdigest()


def _flags(v: Any) -> set[str]:
    return {s.CATEGORY.lookup(str(x)) for x in (v if isinstance(v, list) else [v])}  # type: ignore[misc]


def _copy(ds: Dataset) -> Dataset:
    return Dataset(
        dict(ds.units),
        dict(ds.cadres),
        dict(ds.villages),
        list(ds.adjacency),
        ds.adjacency_given,
        list(ds.history),
        list(ds.pins),
        list(ds.recall),
        ds.source,
        dict(ds.file_hashes),
    )


def apply_edits(
    ds: Dataset, edits: Iterable[dict[str, Any]], plan_date: date, file: str = "scenario"
) -> tuple[Dataset, list[str]]:
    """A new dataset with the edits applied in order, and one line per edit saying what it did.

    The base dataset is not modified. Raises :class:`InputError` for edits the data refuses
    (unknown ids, a village left without a category, a clash with an added unit)."""
    ds = _copy(ds)
    effects: list[str] = []
    problems: list[Problem] = []
    for i, item in enumerate(edits):
        ((kind, params),) = item.items()
        params = _normalise_params(kind, params)
        key = f"edits[{i}].{kind}"
        ctx = _Ctx(ds, plan_date)
        before = len(problems)
        test = None
        if "where" in params:
            test = _compile_where(
                params["where"], _FIELDS_FOR.get(kind, {}), f"{key}.where", file, problems
            )
        if len(problems) > before:
            continue
        text = _EDIT_FUNCS[kind](ds, ctx, params, test, key, file, problems)
        effects.append(f"edit {i + 1} {kind}: {text}")
    if problems:
        raise InputError(problems)
    return ds, effects


def _select(
    pool: dict[str, Any],
    params: dict[str, Any],
    test: Test | None,
    ctx: _Ctx,
    key: str,
    file: str,
    problems: list[Problem],
    what: str,
) -> list[str]:
    if "ids" in params:
        ids = [str(x) for x in params["ids"]]
        unknown = [x for x in ids if x not in pool]
        for x in unknown:
            problems.append(
                Problem(file, f"unknown {what} id: not in the dataset", key=f"{key}.ids", value=x)
            )
        return [x for x in dict.fromkeys(ids) if x in pool]
    assert test is not None
    return [k for k, rec in pool.items() if test(rec, ctx)]


def _candidates(ds: Dataset, day: date) -> set[str]:
    """Cadres who could take a new posting: available, not serving, not recalled."""
    busy = {p.cadre_id for p in current_postings(ds, day)} | {r.cadre_id for r in ds.recall}
    return {cid for cid, c in ds.cadres.items() if c.available and cid not in busy}


def _mark_unavailable(ds: Dataset, ids: Iterable[str]) -> int:
    n = 0
    for cid in ids:
        c = ds.cadres[cid]
        if c.available:
            ds.cadres[cid] = dataclasses.replace(c, available=False)
            n += 1
    return n


def _recall(ds: Dataset, day: date, ids: set[str], reason: str) -> int:
    serving = {p.cadre_id for p in current_postings(ds, day)}
    new = [cid for cid in ds.cadres if cid in ids and cid in serving]
    ds.recall.extend(Recall(cid, reason) for cid in new)
    return len(new)


def _withdraw(ds: Dataset, day: date, ids: list[str]) -> str:
    """Mark candidates unavailable (E-AVAIL); serving incumbents are not re-judged and stay."""
    serving = {p.cadre_id for p in current_postings(ds, day)}
    n = _mark_unavailable(ds, [c for c in ids if c not in serving])
    kept = sum(c in serving for c in ids)
    return f"{n} candidates marked unavailable (E-AVAIL), {kept} serving incumbents stay"


def _edit_exclude(ds, ctx, params, test, key, file, problems) -> str:
    ids = _select(ds.cadres, params, test, ctx, key, file, problems, "cadre")
    return f"{len(ids)} cadres match; {_withdraw(ds, ctx.day, ids)}"


def _edit_drop_units(ds, ctx, params, test, key, file, problems) -> str:
    units = set(_select(ds.units, params, test, ctx, key, file, problems, "unit"))
    cadres = [cid for cid, c in ds.cadres.items() if c.unit_id in units]
    text = f"{len(units)} units send no new cadre"
    if params.get("recall_incumbents"):
        k = _recall(ds, ctx.day, set(cadres), "scenario: unit dropped")
        text += f"; {k} serving incumbents recalled"
    return f"{text}; {_withdraw(ds, ctx.day, cadres)}"


def _edit_recall(ds, ctx, params, test, key, file, problems) -> str:
    ids = set(_select(ds.cadres, params, test, ctx, key, file, problems, "cadre"))
    k = _recall(ds, ctx.day, ids, params.get("reason", "scenario"))
    return f"{len(ids)} cadres match; {k} serving incumbents recalled"


def _edit_reclassify(ds, ctx, params, test, key, file, problems) -> str:
    ids = _select(ds.villages, params, test, ctx, key, file, problems, "village")
    if "share" in params:
        seed = params.get("seed", 0)
        k = round(len(ids) * params["share"])
        order = {vid: n for n, vid in enumerate(ds.villages)}
        ids = sorted(sorted(ids, key=lambda v: _rank_key(seed, v))[:k], key=order.__getitem__)
    changed = 0
    for vid in ids:
        v = ds.villages[vid]
        cats = set(v.categories)
        if "set" in params:
            cats = _flags(params["set"])
        cats |= _flags(params["add"]) if "add" in params else set()
        cats -= _flags(params["remove"]) if "remove" in params else set()
        if not cats:
            problems.append(Problem(file, f"leaves village {vid} with no category", key=key))
            continue
        if cats != v.categories:
            ds.villages[vid] = dataclasses.replace(v, categories=frozenset(cats))
            changed += 1
    return f"{len(ids)} villages selected, {changed} reclassified"


def _edit_scale(ds, ctx, params, test, key, file, problems) -> str:
    seed, factor = params.get("seed", 0), params["factor"]
    free = _candidates(ds, ctx.day)
    pool = [cid for cid, c in ds.cadres.items() if cid in free and (test is None or test(c, ctx))]
    ranked = sorted(pool, key=lambda c: _rank_key(seed, c))
    if factor <= 1:
        keep = round(len(pool) * factor)
        n = _mark_unavailable(ds, ranked[keep:])
        return f"{len(pool)} candidates in the pool; {n} marked unavailable, {keep} remain"
    extra = round(len(pool) * (factor - 1))
    for j in range(extra):
        src = ds.cadres[ranked[j % len(ranked)]]
        new_id = f"{src.cadre_id}-copy{j // len(ranked) + 1}"
        if new_id in ds.cadres:
            problems.append(Problem(file, f"clone id {new_id} already exists", key=key))
            continue
        ds.cadres[new_id] = dataclasses.replace(src, cadre_id=new_id)
    return f"{len(pool)} candidates in the pool; {extra} look-alike candidates added (id -copyN)"


def _edit_add_units(ds, ctx, params, test, key, file, problems) -> str:
    units, cadres = read_additions(Path(params["path"]), problems)
    n_before = len(problems)
    for u in units:
        if u.unit_id in ds.units:
            problems.append(
                Problem(
                    file,
                    f"adds unit {u.unit_id}, which is already in the dataset",
                    key=f"{key}.path",
                )
            )
    for c in cadres:
        if c.cadre_id in ds.cadres:
            problems.append(
                Problem(
                    file,
                    f"adds cadre {c.cadre_id}, which is already in the dataset",
                    key=f"{key}.path",
                )
            )
    if len(problems) == n_before:
        ds.units.update((u.unit_id, u) for u in units)
        ds.cadres.update((c.cadre_id, c) for c in cadres)
    return f"{len(units)} units with {len(cadres)} cadres added from {params['path']}"


_EDIT_FUNCS = {
    "exclude_cadres": _edit_exclude,
    "drop_units": _edit_drop_units,
    "add_units": _edit_add_units,
    "reclassify_villages": _edit_reclassify,
    "scale_candidates": _edit_scale,
    "recall_cadres": _edit_recall,
}


def read_additions(folder: Path, problems: list[Problem]) -> tuple[list[Unit], list[Cadre]]:
    """New units and their candidates from ``units.csv`` and ``cadres.csv`` (Chinese names too).

    Validated by the dataset loader itself (a one-village stub stands in for the villages
    table), so every message names the user's file, row and column. The cadres must belong to
    the added units; coordinates are x/y km in the base dataset's grid."""
    from optimizer.data.loading import load_dataset

    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        for table in (s.UNITS, s.CADRES):
            if path.suffix.lower() == ".csv" and path.stem.strip().lower() in s.table_names(table):
                found[table.name] = path
    for table in (s.UNITS, s.CADRES):
        if table.name not in found:
            problems.append(
                Problem(str(folder), f"missing {table.name}.csv ({table.zh}.csv) for add_units")
            )
    if len(found) < 2:
        return [], []
    header = found["units"].read_bytes().split(b"\n", 1)[0].decode("utf-8-sig", "replace").lower()
    if ("lon" in header or "经度" in header) and not re.search(
        r"(^|,)\s*(x|x坐标)\s*(,|$)", header
    ):
        problems.append(
            Problem(
                str(found["units"]),
                "give x, y (km, in the base dataset's grid) for added units, not lon/lat",
            )
        )
        return [], []
    with tempfile.TemporaryDirectory(prefix="zhucun-add-") as tmp:
        t = Path(tmp)
        (t / "units.csv").write_bytes(found["units"].read_bytes())
        (t / "cadres.csv").write_bytes(found["cadres"].read_bytes())
        (t / "villages.csv").write_text(
            "village_id,name,county,categories\nstub,stub,0,key\n", encoding="utf-8"
        )
        try:
            extra = load_dataset(t)
        except InputError as exc:
            names = {"units.csv": found["units"], "cadres.csv": found["cadres"]}
            problems.extend(
                dataclasses.replace(p, file=str(names.get(p.file, folder))) for p in exc.problems
            )
            return [], []
    return list(extra.units.values()), list(extra.cadres.values())


# --------------------------------------------------------------------------- scenario


@dataclass(frozen=True)
class Scenario:
    """One what-if: solve ``dataset`` under ``policy`` + ``overrides`` after ``edits``.

    Build one in Python or load files with :func:`load_scenarios`. Relative paths resolve
    against the scenario file's folder (``source``), or the working directory without one."""

    name: str
    dataset: str | Path
    policy: str | Path
    plan_date: date | str
    description: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    edits: list[dict[str, Any]] = field(default_factory=list)
    time_limit: float | None = 60.0
    seed: int = 0
    workers: int = 1
    source: Path | None = None
    """The scenario file this came from, if any."""
    variant: dict[str, Any] = field(default_factory=dict)
    """For a scenario expanded from a sweep: the swept keys and their values."""
    reference: str | Path | None = None
    """A plan folder to break ties toward (``solve.reference``); default: the baseline's run."""

    def __post_init__(self) -> None:
        file = str(self.source) if self.source else f"scenario {self.name}"
        base = self.source.parent if self.source else Path.cwd()
        doc = _resolve_paths(self.to_doc(), base)
        problems: list[Problem] = []
        _check_doc(doc, file, problems, complete=True)
        if problems:
            raise InputError(problems)
        set_ = object.__setattr__
        set_(self, "dataset", Path(doc["dataset"]))
        set_(self, "policy", doc["policy"])
        set_(self, "plan_date", _date(doc["plan_date"]))
        set_(self, "overrides", copy.deepcopy(doc.get("overrides") or {}))
        set_(self, "edits", [_canonical_edit(e) for e in doc.get("edits") or []])
        ref = (doc.get("solve") or {}).get("reference")
        set_(self, "reference", None if ref is None else Path(ref))
        if self.source is not None:
            set_(self, "source", Path(self.source).resolve())

    @property
    def file(self) -> str:
        """How messages name this scenario."""
        return str(self.source) if self.source else f"scenario {self.name}"

    def to_doc(self) -> dict[str, Any]:
        """The scenario as a YAML-ready mapping (what ``scenario.yaml`` in a run folder holds)."""
        doc: dict[str, Any] = {"name": self.name}
        if self.description:
            doc["description"] = self.description
        doc["dataset"] = str(self.dataset)
        doc["policy"] = str(self.policy)
        if self.overrides:
            doc["overrides"] = copy.deepcopy(self.overrides)
        doc["plan_date"] = self.plan_date
        if self.edits:
            doc["edits"] = copy.deepcopy(self.edits)
        doc["solve"] = {"time_limit": self.time_limit, "seed": self.seed, "workers": self.workers}
        if self.reference is not None:
            doc["solve"]["reference"] = str(self.reference)
        return doc

    def load_policy(self) -> Policy:
        """The policy with overrides; errors in the overrides name this scenario's keys."""
        try:
            return load_policy(self.policy, self.overrides or None)
        except InputError as exc:
            raise InputError([_blame_overrides(p, self) for p in exc.problems]) from None


def _blame_overrides(p: Problem, sc: Scenario) -> Problem:
    if p.key and sc.overrides and _has_path(sc.overrides, p.key.split(".")):
        return dataclasses.replace(
            p,
            file=sc.file,
            key=f"overrides.{p.key}",
            message=f"{p.message} (merged into policy {sc.policy})",
        )
    return p


def _has_path(doc: Any, parts: list[str]) -> bool:
    for part in parts:
        if not isinstance(doc, dict) or part not in doc:
            return False
        doc = doc[part]
    return True


def _date(v: Any) -> date:
    return v if isinstance(v, date) else parse_date(str(v))


def _canonical_edit(item: dict[str, Any]) -> dict[str, Any]:
    ((kind, params),) = item.items()
    return {kind: copy.deepcopy(_normalise_params(kind, params))}


def _resolve_paths(doc: dict[str, Any], base: Path) -> dict[str, Any]:
    """Make dataset, policy file and add_units paths absolute against ``base``."""
    doc = copy.deepcopy(doc)

    def absolute(p: Any) -> Any:
        if not isinstance(p, str | Path) or str(p) in PRESETS:
            return p
        path = Path(p).expanduser()
        return str(path if path.is_absolute() else (base / path).resolve())

    for k in ("dataset", "policy"):
        if k in doc:
            doc[k] = absolute(doc[k])
    sv = doc.get("solve")
    if isinstance(sv, dict) and isinstance(sv.get("reference"), str | Path):
        sv["reference"] = absolute(sv["reference"])
    for item in doc.get("edits") or []:
        if isinstance(item, dict) and len(item) == 1 and "add_units" in item:
            params = _normalise_params("add_units", item["add_units"])
            if isinstance(params, dict) and "path" in params:
                params = {**params, "path": absolute(params["path"])}
            item["add_units"] = params
    return doc


def _check_doc(doc: Any, file: str, problems: list[Problem], complete: bool) -> None:
    """Keys and values of one scenario document; ``complete`` also requires the must-haves."""
    if not isinstance(doc, dict):
        problems.append(Problem(file, "expected a YAML mapping of scenario keys"))
        return
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
            problems.append(Problem(file, "expected text", key=k, value=_show(doc[k])))
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
    ds = doc.get("dataset")
    if ds is not None:
        if not isinstance(ds, str | Path):
            problems.append(Problem(file, "expected a path", key="dataset", value=_show(ds)))
        elif not (
            Path(ds).is_dir()
            or (Path(ds).suffix.lower() in (".xlsx", ".xlsm") and Path(ds).is_file())
        ):
            problems.append(
                Problem(
                    file,
                    "no such dataset: expected a folder of CSV files or an .xlsx workbook",
                    key="dataset",
                    value=str(ds),
                )
            )
    pol = doc.get("policy")
    if pol is not None:
        if not isinstance(pol, str | Path):
            problems.append(
                Problem(
                    file, "expected a preset name or a policy file", key="policy", value=_show(pol)
                )
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
    if doc.get("overrides") is not None:
        _check(doc["overrides"], POLICY_SCHEMA, "overrides", file, problems)
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
            _date(doc["plan_date"])
        except BadValue as exc:
            problems.append(Problem(file, str(exc), key="plan_date", value=_show(doc["plan_date"])))
    if doc.get("edits") is not None:
        _check_edits(doc["edits"], file, problems)
    sv = doc.get("solve")
    if sv is not None:
        if not isinstance(sv, dict):
            problems.append(
                Problem(
                    file,
                    "expected a mapping: time_limit, seed, workers, reference",
                    key="solve",
                    value=_show(sv),
                )
            )
        else:
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
                            value=_show(v),
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
                            value=_show(v),
                        )
                    )
                elif k == "reference" and v is not None and not isinstance(v, str | Path):
                    problems.append(Problem(file, "expected a plan folder (path) or null",
                                            key="solve.reference", value=_show(v)))  # fmt: skip


# --------------------------------------------------------------------------- files


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
    doc = _resolve_paths(_read_doc(path), path.parent)
    if not chain:
        doc.setdefault("name", path.stem)
    problems: list[Problem] = []
    # a file that extends nothing must be complete by itself: say what it lacks now, together
    # with its other problems
    _check_doc(doc, str(path), problems, complete=not chain and "extends" not in doc)
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
        return [_from_doc(doc, path)]
    problems: list[Problem] = []
    _check_axes(axes, doc, file, problems)
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


def _from_doc(doc: dict[str, Any], source: Path | None, variant: dict | None = None) -> Scenario:
    sv = {**SOLVE_DEFAULTS, **(doc.get("solve") or {})}
    return Scenario(
        name=doc.get("name", ""),
        dataset=doc.get("dataset", ""),
        policy=doc.get("policy", ""),
        plan_date=doc.get("plan_date", ""),
        description=doc.get("description") or "",
        overrides=doc.get("overrides") or {},
        edits=doc.get("edits") or [],
        time_limit=sv["time_limit"],
        seed=sv["seed"],
        workers=sv["workers"],
        reference=sv["reference"],
        source=source.resolve() if source else None,
        variant=variant or {},
    )


# --------------------------------------------------------------------------- sweeps


def _check_axes(axes: Any, doc: dict[str, Any], file: str, problems: list[Problem]) -> None:
    if not isinstance(axes, dict) or not axes:
        problems.append(
            Problem(
                file,
                "expected a mapping of dotted key: list of values",
                key="sweep",
                value=_show(axes),
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
                Problem(file, "expected a non-empty list of values", key=key, value=_show(values))
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
    _check_axes(axes, doc, file, problems)
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
            out.append(_from_doc(d, source, variant))
        except InputError as exc:
            note = ", ".join(f"{k}={_show(v)}" for k, v in variant.items())
            problems.extend(
                dataclasses.replace(p, message=f"{p.message} (sweep: {note})") for p in exc.problems
            )
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    return out


# --------------------------------------------------------------------------- datasets


def _cell(v: Any, vocab: s.Vocab | None = None) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, frozenset | set):
        order = vocab.codes if vocab else sorted(v)
        return ";".join(x for x in order if x in v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ""
    return str(v)


def dataset_tables(ds: Dataset) -> dict[str, bytes]:
    """The dataset as CSV files (canonical English headers and codes) that load back equal."""
    out: dict[str, bytes] = {}

    def table(t: s.Table, records: list[Any], cols: list[str] | None = None) -> None:
        columns = [c for c in t.columns if c.name not in ("lon", "lat")]
        if cols is not None:
            columns = [c for c in columns if c.name in cols]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([c.name for c in columns])
        for r in records:
            w.writerow([_cell(getattr(r, c.name), c.vocab) for c in columns])
        out[f"{t.name}.csv"] = buf.getvalue().encode("utf-8")

    table(s.UNITS, list(ds.units.values()))
    table(s.CADRES, list(ds.cadres.values()))
    table(s.VILLAGES, list(ds.villages.values()))
    if ds.adjacency_given:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["village_a", "village_b"])
        w.writerows(ds.adjacency)
        out["adjacency.csv"] = buf.getvalue().encode("utf-8")
    if ds.history:
        table(s.HISTORY, ds.history)
    if ds.pins:
        table(s.PINS, ds.pins)
    if ds.recall:
        table(s.RECALL, ds.recall)
    return out


def write_dataset_files(files: dict[str, bytes], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


# --------------------------------------------------------------------------- preparing


@dataclass
class Prepared:
    """A scenario made concrete: the edited dataset and the policy, ready to ship to a solver.

    Everything here is plain data, so it pickles to a worker process or a Dask worker."""

    scenario: Scenario
    dataset: Dataset
    policy: Policy
    files: dict[str, bytes]
    """The edited dataset as CSV files: what the run folder's ``dataset/`` holds."""
    effects: list[str]


def prepare(
    scenario: Scenario, cache: dict[Path, Dataset] | None = None, source: str = "dataset"
) -> Prepared:
    """Load the base dataset (once per path with ``cache``), apply the edits, load the policy.

    The edited dataset's ``source`` and file hashes describe its CSV files, so the manifest of
    the run names exactly what was solved."""
    from optimizer.data.loading import load_dataset

    path = Path(scenario.dataset)
    cache = {} if cache is None else cache
    if path not in cache:
        cache[path] = load_dataset(path)
    policy = scenario.load_policy()
    ds, effects = apply_edits(
        cache[path],
        scenario.edits,
        scenario.plan_date,  # type: ignore[arg-type]
        scenario.file,
    )
    files = dataset_tables(ds)
    ds.source = source
    ds.file_hashes = {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())}
    return Prepared(scenario, ds, policy, files, effects)


__all__ = [
    "CADRE_FIELDS",
    "EDITS",
    "UNIT_FIELDS",
    "VILLAGE_FIELDS",
    "Prepared",
    "Scenario",
    "apply_edits",
    "dataset_tables",
    "expand_sweep",
    "load_scenario_file",
    "load_scenarios",
    "prepare",
]


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
