"""``where`` filters of data edits: a mapping of field: condition over cadres, units or villages.

A condition is a value, a list (any of them) or ``{min, max, not}``; enumerations accept the
data contract's Chinese spellings, set fields match when they contain the value. Filters are
compiled once, with every problem named by file and dotted key, then tested per record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from optimizer.data import schema as s
from optimizer.data.domain import Dataset, rank_index
from optimizer.data.errors import Problem
from optimizer.data.parsing import BadValue, parse_date


@dataclass(frozen=True)
class Field:
    """A field a filter may name: its kind, how to read it off a record, its vocabulary."""

    kind: str
    """text, enum, rank, set, bool, number or date."""
    get: Callable[[Any, Ctx], Any]
    vocab: s.Vocab | None = None


@dataclass
class Ctx:
    """What a test needs beside the record: the dataset (a cadre's unit) and the plan date."""

    ds: Dataset
    day: date


def _attr(name: str) -> Callable[[Any, Ctx], Any]:
    return lambda rec, ctx: getattr(rec, name)


def _unit_attr(name: str) -> Callable[[Any, Ctx], Any]:
    return lambda c, ctx: getattr(ctx.ds.units[c.unit_id], name)


UNIT_FIELDS: dict[str, Field] = {
    "unit_id": Field("text", _attr("unit_id")),
    "name": Field("text", _attr("name")),
    "level": Field("enum", _attr("level"), s.LEVEL),
    "region": Field("text", _attr("region")),
    "kind": Field("enum", _attr("kind"), s.KIND),
    "staff": Field("number", _attr("staff")),
}
CADRE_FIELDS: dict[str, Field] = {
    "cadre_id": Field("text", _attr("cadre_id")),
    "name": Field("text", _attr("name")),
    "unit_id": Field("text", _attr("unit_id")),
    "gender": Field("enum", _attr("gender"), s.GENDER),
    "birth_date": Field("date", _attr("birth_date")),
    "age": Field("number", lambda c, ctx: c.age(ctx.day)),
    "political_status": Field("enum", _attr("political_status"), s.POLITICAL),
    "party_date": Field("date", _attr("party_date")),
    "work_date": Field("date", _attr("work_date")),
    "rank": Field("rank", _attr("rank"), s.RANK),
    "middle_manager": Field("bool", _attr("middle_manager")),
    "employment": Field("enum", _attr("employment"), s.EMPLOYMENT),
    "township_cadre": Field("bool", _attr("township_cadre")),
    "health": Field("enum", _attr("health"), s.HEALTH),
    "eval_recent": Field("enum", _attr("eval_recent"), s.EVAL),
    "young_pool": Field("bool", _attr("young_pool")),
    "rural_years": Field("number", _attr("rural_years")),
    "grassroots_years": Field("number", _attr("grassroots_years")),
    "skills": Field("set", _attr("skills"), s.SKILL),
    "available": Field("bool", _attr("available")),
    "level": Field("enum", _unit_attr("level"), s.LEVEL),
    "kind": Field("enum", _unit_attr("kind"), s.KIND),
    "region": Field("text", _unit_attr("region")),
}
VILLAGE_FIELDS: dict[str, Field] = {
    "village_id": Field("text", _attr("village_id")),
    "name": Field("text", _attr("name")),
    "county": Field("text", _attr("county")),
    "township": Field("text", _attr("township")),
    "city": Field("text", _attr("city")),
    "categories": Field("set", _attr("categories"), s.CATEGORY),
    "relocated_pop": Field("number", _attr("relocated_pop")),
    "needs": Field("set", _attr("needs"), s.SKILL),
    "remote": Field("bool", _attr("remote")),
}
Test = Callable[[Any, Ctx], bool]


class _Bad(Exception):
    def __init__(self, message: str, value: Any = None):
        super().__init__(message)
        self.value = value


def _scalar(f: Field, v: Any) -> Any:  # noqa: C901 - one branch per value type a filter compares
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


def _value_of(f: Field, rec: Any, ctx: Ctx) -> Any:
    got = f.get(rec, ctx)
    return rank_index(got) if f.kind == "rank" else got


def _condition(f: Field, spec: Any) -> Callable[[Any], bool]:
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


def compile_where(
    where: Any, fields: dict[str, Field], key: str, file: str, problems: list[Problem]
) -> Test | None:
    if not isinstance(where, dict) or not where:
        problems.append(
            Problem(file, "expected a mapping of field: condition", key=key, value=show(where))
        )
        return None
    tests: list[tuple[Field, Callable[[Any], bool]]] = []
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
            problems.append(Problem(file, str(exc), key=sub, value=show(exc.value)))
    if len(tests) != len(where):
        return None
    return lambda rec, ctx: all(t(_value_of(f, rec, ctx)) for f, t in tests)


def show(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(show(x) for x in v) + "]"
    if isinstance(v, date):
        return v.isoformat()
    return "null" if v is None else str(v)
