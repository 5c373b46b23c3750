"""The rules form: a preset plus the overrides a planner actually changes, checked exactly as a
policy file is (``load_policy`` with overrides), so a bad value names its key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from starlette.datastructures import FormData

import optimizer
from optimizer import InputError, Policy, Problem
from optimizer.data.parsing import BadValue, parse_date
from optimizer.policy import REQUIREMENT_KEYS, Weights
from optimizer.web.labels import zh_categories

WEIGHT_LABELS = {
    "party": "党员（S-PARTY）", "young": "年轻干部（S-YOUNG）", "expert": "专业对口（S-EXPERT）",
    "fit": "需求匹配（S-FIT）", "travel_per_10km": "每 10 公里路程（S-TRAVEL）",
    "provvillage": "避开原省派驻点村（H-PROVVILLAGE）", "continuity": "原单位续派（H-CONTINUITY）",
    "provkey": "省派队不在重点村（S-PROVKEY）",
}  # fmt: skip
CATEGORY_LABELS = {"relocation_large": "大型安置村（500 人以上）",
                   "relocation_small": "小型安置村（100–499 人）"}  # fmt: skip
SWITCH = {"hard": "硬性（必须）", "soft": "软性（尽量）", "off": "不考虑"}


@dataclass
class RulesForm:
    """What the form shows (values as typed) and what it asks for (overrides of the preset)."""

    preset: str
    plan_date: str
    time_limit: str = "60"
    label: str = ""
    values: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def preset_values(policy: Policy) -> dict[str, str]:
    """The preset's own value for every field of the form."""
    out = {"max_age": "" if policy.max_age is None else str(policy.max_age),
           "joint": "on" if policy.joint.enabled else "off", "continuity": policy.continuity}  # fmt: skip
    for key in REQUIREMENT_KEYS:
        req = policy.requirements.get(key)
        out[f"min_{key}"] = "" if req is None else str(req.min)
        out[f"max_{key}"] = "" if req is None else str(req.max)
    for key in Weights.__dataclass_fields__:
        out[f"w_{key}"] = str(getattr(policy.weights, key))
    return out


def fields_view(policy: Policy) -> dict[str, Any]:
    """Labels for the template: categories the preset uses, weights, switches."""
    cats = [
        (k, CATEGORY_LABELS.get(k) or zh_categories(k))
        for k in REQUIREMENT_KEYS
        if policy.requirements.get(k) is not None
    ]
    return {
        "categories": cats,
        "weights": list(WEIGHT_LABELS.items()),
        "switch": SWITCH,
        "presets": optimizer.PRESETS,
    }


def _int(text: str, key: str, problems: list[Problem]) -> int | None:
    try:
        return int(text)
    except ValueError:
        problems.append(Problem("规则表单", "应为整数", key=key, value=text))
        return None


def read_form(form: FormData) -> RulesForm:
    """Values as typed; overrides = the fields that differ from the preset; problems if any."""
    get = lambda k: str(form.get(k) or "").strip()  # noqa: E731
    preset = get("preset") if get("preset") in optimizer.PRESETS else "central-2021"
    rf = RulesForm(preset, get("plan_date"), get("time_limit") or "60", get("label")[:60])
    base = preset_values(optimizer.load_policy(preset))
    rf.values = {k: get(k) if k in form else base[k] for k in base}
    ov: dict[str, Any] = {}
    for key, text in rf.values.items():
        if text == base[key] or (text == "" and key != "max_age"):
            continue
        if key == "max_age":
            ov.setdefault("eligibility", {})["max_age"] = (
                None if text == "" else _int(text, "eligibility.max_age", rf.problems)
            )
        elif key == "joint":
            ov.setdefault("teams", {}).setdefault("joint", {})["enabled"] = text == "on"
        elif key == "continuity":
            ov.setdefault("history", {})["continuity"] = text
        elif key.startswith(("min_", "max_")):
            bound, cat = key.split("_", 1)
            ov.setdefault("categories", {}).setdefault(cat, {})[bound] = _int(
                text, f"categories.{cat}.{bound}", rf.problems
            )
        else:
            ov.setdefault("weights", {})[key[2:]] = _int(text, f"weights.{key[2:]}", rf.problems)
    rf.overrides = ov
    _check(rf)
    return rf


def _check(rf: RulesForm) -> None:
    """The date, the time limit, and the overrides through the policy file's own checks."""
    try:
        parse_date(rf.plan_date)
    except BadValue as exc:
        rf.problems.append(Problem("规则表单", f"选派日期无法识别：{exc}", value=rf.plan_date))
    try:
        seconds = float(rf.time_limit)
        if not 0 < seconds <= 3600:
            raise ValueError
    except ValueError:
        rf.problems.append(Problem("规则表单", "求解时限应为 1 到 3600 秒", value=rf.time_limit))
    if rf.problems:
        return
    for cat, req in rf.overrides.get("categories", {}).items():  # a partial row needs both
        full = optimizer.load_policy(rf.preset).requirements.get(cat)
        if full is not None:
            req.setdefault("min", full.min)
            req.setdefault("max", full.max)
    try:
        optimizer.load_policy(rf.preset, rf.overrides)
    except InputError as exc:
        rf.problems.extend(exc.problems)


def plan_day(rf: RulesForm) -> date:
    return parse_date(rf.plan_date)
