"""Policy presets (SPEC §4): the parameters of every rule, per seed document.

A policy is a YAML file. It may ``extends:`` a shipped preset (or another file) and override
any value; dictionaries merge key by key, everything else replaces. The merged document is
checked against :data:`SCHEMA` so a misspelt key or a bad value names its full path.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from optimizer.data.domain import CATEGORIES, KINDS, LEVELS, RANKS
from optimizer.data.errors import InputError, Problem

PRESETS = ("central-2021", "hunan-2021", "hebei-2018", "yantai-2021", "wuhai-2023", "county-2022")

REQUIREMENT_KEYS = (
    "key",
    "relocation_large",
    "relocation_small",
    "exited",
    "demo",
    "weak",
    "red",
    "problem",
    "heavy",
    "other",
)
"""Team-size rows of SPEC §4. ``relocation`` splits by relocated population (≥ 500 / 100–499)."""


@dataclass(frozen=True)
class Requirement:
    """One category row: team size (first secretary included) and who may fill it (LV-LEVEL)."""

    min: int
    max: int
    secretary_levels: tuple[str, ...] | None = None
    member_levels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LeaderRank:
    """L-RANK for one sending level. Met by any listed alternative; no alternative = no rule."""

    min_rank: str | None = None
    middle_manager_kinds: tuple[str, ...] = ()
    young_pool: bool = False
    applies_to: tuple[str, ...] = KINDS

    @property
    def active(self) -> bool:
        return bool(self.min_rank or self.middle_manager_kinds or self.young_pool)


@dataclass(frozen=True)
class Joint:
    enabled: bool = False
    levels: tuple[str, ...] = ()
    staff_max: int = 40
    max_units: int = 3


@dataclass(frozen=True)
class Cluster:
    hosts: tuple[str, ...] = ()
    coverable: tuple[str, ...] = ()
    max_extra: int = 2
    adjacency_km: float = 5.0


@dataclass(frozen=True)
class Young:
    pool: bool = True
    section_max_age: int | None = None
    deputy_section_max_age: int | None = None
    grassroots_years_below: float | None = None


@dataclass(frozen=True)
class Weights:
    """Soft-term weights, in objective points; only ever traded after coverage (SPEC §3)."""

    party: int = 10
    young: int = 5
    expert: int = 5
    fit: int = 4
    travel_per_10km: int = 1
    provvillage: int = 30
    continuity: int = 40
    provkey: int = 0
    """S-PROVKEY: penalty per new province-level team at a village without the ``key`` flag
    (0 = off; Hunan only)."""


@dataclass(frozen=True)
class Policy:
    name: str
    description: str
    term_years: int
    max_age: int | None
    sec_min_party_years: int
    sec_min_work_years: int
    township_ban: bool
    eval_ban: bool
    requirements: dict[str, Requirement | None]
    secretary_levels: tuple[str, ...]
    member_levels: tuple[str, ...]
    level_scope: dict[str, tuple[str, ...]]
    leader_rank: dict[str, LeaderRank]
    members_from: str
    joint: Joint
    cluster: Cluster
    must_send_staff_min: int | None
    continuity: str
    provvillage: str
    young: Young
    weights: Weights
    resolved: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The fully merged document, as recorded in manifests."""

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.resolved) if self.resolved else asdict(self)


# --------------------------------------------------------------------------- schema
# A tiny declarative schema: each leaf is a checker returning an error text or None.


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


def _switch_value(v: Any) -> str:
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


def _check(doc: Any, schema: Any, path: str, file: str, problems: list[Problem]) -> None:
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
            _check(value, schema[key], sub, file, problems)
        return
    err = schema(doc)
    if err:
        problems.append(Problem(file, err, key=path, value=str(doc)))


# --------------------------------------------------------------------------- loading


def merge_dicts(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` laid on ``base``, nested mappings merged key by key (``extends:``)."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_dicts(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _read_yaml(text: str, file: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InputError(
            [Problem(file, f"not valid YAML ({getattr(exc, 'problem', exc)})", row=row)]
        ) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise InputError([Problem(file, "expected a YAML mapping of policy keys")])
    return doc


def _preset_text(name: str) -> str:
    return (resources.files("optimizer") / "presets" / f"{name}.yaml").read_text(encoding="utf-8")


def _resolve(ref: str, base_dir: Path | None, chain: tuple[str, ...]) -> dict[str, Any]:
    """Load ``ref`` (a preset name or a file) with its ``extends`` chain merged underneath."""
    if ref in chain:
        raise InputError(
            [Problem(ref, f"extends loops back on itself: {' → '.join((*chain, ref))}")]
        )
    if ref in PRESETS:
        doc, file, here = _read_yaml(_preset_text(ref), f"{ref}.yaml"), f"preset {ref}", None
    else:
        path = Path(ref)
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        if not path.is_file():
            raise InputError(
                [
                    Problem(
                        ref,
                        f"no such policy: expected a preset name ({', '.join(PRESETS)}) or a YAML file",
                    )
                ]
            )
        doc, file, here = (
            _read_yaml(path.read_text(encoding="utf-8-sig"), str(path)),
            str(path),
            path.parent,
        )
    problems: list[Problem] = []
    _check(doc, SCHEMA, "", file, problems)
    if problems:
        raise InputError(problems)
    parent = doc.pop("extends", None)
    if parent is None:
        return doc
    return merge_dicts(_resolve(parent, here, (*chain, ref)), doc)


def load_policy(ref: str | Path, overrides: dict[str, Any] | None = None) -> Policy:
    """A preset name or a policy file, plus optional overrides (as a nested mapping)."""
    doc = _resolve(str(ref), None, ())
    if overrides:
        problems: list[Problem] = []
        _check(overrides, SCHEMA, "", "overrides", problems)
        if problems:
            raise InputError(problems)
        doc = merge_dicts(doc, overrides)
    return _build(doc, str(ref))


def _tup(v: Any) -> tuple[str, ...]:
    return tuple(v or ())


def _build(doc: dict[str, Any], file: str) -> Policy:
    problems: list[Problem] = []
    missing = [
        k
        for k in (
            "name",
            "term_years",
            "eligibility",
            "categories",
            "levels",
            "leader_rank",
            "teams",
            "units",
            "history",
            "young",
            "weights",
        )
        if k not in doc
    ]
    if missing:
        raise InputError(
            [Problem(file, f"policy is missing {', '.join(missing)} (extend a preset)")]
        )
    reqs: dict[str, Requirement | None] = {}
    for key in REQUIREMENT_KEYS:
        r = doc["categories"].get(key)
        if r is None:
            reqs[key] = None
            continue
        if "min" not in r or "max" not in r:
            problems.append(
                Problem(file, "a category needs both min and max", key=f"categories.{key}")
            )
            continue
        if r["min"] > r["max"]:
            problems.append(
                Problem(file, f"min {r['min']} is above max {r['max']}", key=f"categories.{key}")
            )
        reqs[key] = Requirement(
            r["min"],
            r["max"],
            r.get("secretary_levels") and _tup(r["secretary_levels"]),
            r.get("member_levels") and _tup(r["member_levels"]),
        )
    ranks = {
        lv: LeaderRank(
            **{
                k: (_tup(v) if isinstance(v, list) else v)
                for k, v in doc["leader_rank"].get(lv, {}).items()
            }
        )
        for lv in LEVELS
    }
    el, teams = doc["eligibility"], doc["teams"]
    jt, cl, yg = teams.get("joint", {}), teams.get("cluster", {}), doc["young"]
    if problems:
        raise InputError(problems)
    return Policy(
        name=doc["name"],
        description=doc.get("description", ""),
        term_years=doc["term_years"],
        max_age=el.get("max_age"),
        sec_min_party_years=el.get("sec_min_party_years", 1),
        sec_min_work_years=el.get("sec_min_work_years", 2),
        township_ban=el.get("township_ban", False),
        eval_ban=el.get("eval_ban", False),
        requirements=reqs,
        secretary_levels=_tup(doc["levels"].get("secretary", LEVELS[:3])),
        member_levels=_tup(doc["levels"].get("member", LEVELS[:3])),
        level_scope={lv: _tup(v) for lv, v in (doc["levels"].get("scope") or {}).items() if v},
        leader_rank=ranks,
        members_from=teams.get("members_from", "lead_unit"),
        joint=Joint(
            jt.get("enabled", False),
            _tup(jt.get("levels")),
            jt.get("staff_max", 40),
            jt.get("max_units", 3),
        ),
        cluster=Cluster(
            _tup(cl.get("hosts")),
            _tup(cl.get("coverable")),
            cl.get("max_extra", 2),
            float(cl.get("adjacency_km", 5.0)),
        ),
        must_send_staff_min=doc["units"].get("must_send_staff_min"),
        continuity=_switch_value(doc["history"].get("continuity", "soft")),
        provvillage=_switch_value(doc["history"].get("provvillage", "off")),
        young=Young(
            yg.get("pool", True),
            yg.get("section_max_age"),
            yg.get("deputy_section_max_age"),
            yg.get("grassroots_years_below"),
        ),
        weights=Weights(**doc["weights"]),
        resolved=doc,
    )
