"""The policy file's schema (SPEC §4): every key, and what its value must be.

A tiny declarative schema: a mapping per section, each leaf a checker returning an error text
or None. :func:`validate` walks a document against it and names every misspelt key or bad
value by its full dotted path, so scenario overrides are checked exactly like policy files.
"""

from __future__ import annotations

from typing import Any

from optimizer.data.domain import CATEGORIES, KINDS, LEVELS, RANKS
from optimizer.data.errors import Problem
from optimizer.policy.params import REQUIREMENT_KEYS, Weights


def _int(lo: int | None = None, nullable: bool = False):
    def check(v: Any) -> str | None:
        if v is None and nullable:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            return "expected a whole number" + (" or null" if nullable else "")
        if lo is not None and v < lo:
            return f"expected a whole number ≥ {lo}"
        return None

    return check


def _num(lo: float = 0):
    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, int | float) or v < lo:
            return f"expected a number ≥ {lo}"
        return None

    return check


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else "expected true or false"


def _str(v: Any) -> str | None:
    return None if isinstance(v, str) else "expected text"


def _choice(options: tuple[str, ...], nullable: bool = False):
    def check(v: Any) -> str | None:
        if v is None and nullable:
            return None
        return None if v in options else f"expected one of {', '.join(options)}"

    return check


def _switch(v: Any) -> str | None:
    """hard / soft / off; YAML reads a bare ``off`` as false, which means off too."""
    return None if v is False or v in ("hard", "soft", "off") else "expected one of hard, soft, off"


def switch_value(v: Any) -> str:
    """A checked hard / soft / off value as text (YAML's false is off)."""
    return "off" if v is False else str(v)


def _list_of(options: tuple[str, ...], nullable: bool = False):
    def check(v: Any) -> str | None:
        if v is None and nullable:
            return None
        if not isinstance(v, list) or any(x not in options for x in v):
            return f"expected a list drawn from {', '.join(options)}"
        return None

    return check


_REQ = {
    "min": _int(1),
    "max": _int(1),
    "secretary_levels": _list_of(LEVELS, nullable=True),
    "member_levels": _list_of(LEVELS, nullable=True),
}
_RANK = {
    "min_rank": _choice(RANKS, nullable=True),
    "middle_manager_kinds": _list_of(KINDS),
    "young_pool": _bool,
    "applies_to": _list_of(KINDS),
}
SCHEMA: dict[str, Any] = {
    "name": _str,
    "description": _str,
    "extends": _str,
    "term_years": _int(1),
    "eligibility": {
        "max_age": _int(16, nullable=True),
        "sec_min_party_years": _int(0),
        "sec_min_work_years": _int(0),
        "township_ban": _bool,
        "eval_ban": _bool,
    },
    "categories": {k: ("nullable", _REQ) for k in REQUIREMENT_KEYS},
    "levels": {
        "secretary": _list_of(LEVELS),
        "member": _list_of(LEVELS),
        "scope": {lv: _list_of(CATEGORIES, nullable=True) for lv in LEVELS},
    },
    "leader_rank": {lv: _RANK for lv in LEVELS},
    "teams": {
        "members_from": _choice(("lead_unit", "county_townships")),
        "joint": {
            "enabled": _bool,
            "levels": _list_of(LEVELS),
            "staff_max": _int(1),
            "max_units": _int(2),
        },
        "cluster": {
            "hosts": _list_of(CATEGORIES),
            "coverable": _list_of(CATEGORIES),
            "max_extra": _int(0),
            "adjacency_km": _num(0),
        },
    },
    "units": {"must_send_staff_min": _int(0, nullable=True)},
    "history": {
        "continuity": _switch,
        "provvillage": _switch,
    },
    "young": {
        "pool": _bool,
        "section_max_age": _int(16, nullable=True),
        "deputy_section_max_age": _int(16, nullable=True),
        "grassroots_years_below": lambda v: None if v is None else _num(0)(v),
    },
    "weights": {k: _int(0) for k in Weights.__dataclass_fields__},
}


def validate(doc: Any, schema: Any, path: str, file: str, problems: list[Problem]) -> None:
    """Append to ``problems`` every key of ``doc`` not in ``schema`` and every bad value, each
    named by ``file`` and its dotted key below ``path``."""
    if isinstance(schema, tuple) and schema[0] == "nullable":
        if doc is None:
            return
        schema = schema[1]
    if isinstance(schema, dict):
        if not isinstance(doc, dict):
            problems.append(Problem(file, "expected a mapping of keys", key=path or "(top)"))
            return
        for key, value in doc.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in schema:
                known = ", ".join(schema)
                problems.append(Problem(file, f"unknown key; expected one of: {known}", key=sub))
                continue
            validate(value, schema[key], sub, file, problems)
        return
    err = schema(doc)
    if err:
        problems.append(Problem(file, err, key=path, value=str(doc)))
