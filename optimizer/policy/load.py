"""Reading policies: YAML files, shipped presets, ``extends`` chains, and building a Policy.

A policy is a YAML file. It may ``extends:`` a shipped preset (or another file) and override
any value; dictionaries merge key by key, everything else replaces. The merged document is
checked against :data:`~optimizer.policy.schema.SCHEMA` so a misspelt key or a bad value
names its full path.
"""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from optimizer.data.domain import LEVELS
from optimizer.data.errors import InputError, Problem
from optimizer.policy.params import (
    REQUIREMENT_KEYS,
    Cluster,
    Joint,
    LeaderRank,
    Policy,
    Requirement,
    Weights,
    Young,
)
from optimizer.policy.schema import SCHEMA, switch_value, validate

PRESETS = ("central-2021", "hunan-2021", "hebei-2018", "yantai-2021", "wuhai-2023", "county-2022")


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
    return (resources.files("optimizer.policy") / "presets" / f"{name}.yaml").read_text(
        encoding="utf-8"
    )


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
    validate(doc, SCHEMA, "", file, problems)
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
        validate(overrides, SCHEMA, "", "overrides", problems)
        if problems:
            raise InputError(problems)
        doc = merge_dicts(doc, overrides)
    return _build(doc, str(ref))


def _tup(v: Any) -> tuple[str, ...]:
    return tuple(v or ())


_SECTIONS = ("name", "term_years", "eligibility", "categories", "levels", "leader_rank",
             "teams", "units", "history", "young", "weights")  # fmt: skip
"""What a policy must have once merged (a file that extends nothing gives them itself)."""


def _requirements(
    doc: dict[str, Any], file: str, problems: list[Problem]
) -> dict[str, Requirement | None]:
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
    return reqs


def _leader_ranks(doc: dict[str, Any]) -> dict[str, LeaderRank]:
    return {
        lv: LeaderRank(
            **{
                k: (_tup(v) if isinstance(v, list) else v)
                for k, v in doc["leader_rank"].get(lv, {}).items()
            }
        )
        for lv in LEVELS
    }


def _joint(jt: dict[str, Any]) -> Joint:
    return Joint(
        jt.get("enabled", False),
        _tup(jt.get("levels")),
        jt.get("staff_max", 40),
        jt.get("max_units", 3),
    )


def _cluster(cl: dict[str, Any]) -> Cluster:
    return Cluster(
        _tup(cl.get("hosts")),
        _tup(cl.get("coverable")),
        cl.get("max_extra", 2),
        float(cl.get("adjacency_km", 5.0)),
    )


def _young(yg: dict[str, Any]) -> Young:
    return Young(
        yg.get("pool", True),
        yg.get("section_max_age"),
        yg.get("deputy_section_max_age"),
        yg.get("grassroots_years_below"),
    )


def _build(doc: dict[str, Any], file: str) -> Policy:
    missing = [k for k in _SECTIONS if k not in doc]
    if missing:
        raise InputError(
            [Problem(file, f"policy is missing {', '.join(missing)} (extend a preset)")]
        )
    problems: list[Problem] = []
    reqs = _requirements(doc, file, problems)
    ranks = _leader_ranks(doc)
    el, teams = doc["eligibility"], doc["teams"]
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
        joint=_joint(teams.get("joint", {})),
        cluster=_cluster(teams.get("cluster", {})),
        must_send_staff_min=doc["units"].get("must_send_staff_min"),
        continuity=switch_value(doc["history"].get("continuity", "soft")),
        provvillage=switch_value(doc["history"].get("provvillage", "off")),
        young=_young(doc["young"]),
        weights=Weights(**doc["weights"]),
        resolved=doc,
    )
