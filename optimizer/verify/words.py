"""Words the verifier's messages share: Chinese names of roles, statuses and levels, and lists
of levels in SPEC order."""

from __future__ import annotations

from optimizer.data.domain import LEVELS

ROLE_ZH = {"secretary": "第一书记", "member": "队员"}
STATUS_ZH = {"new": "新派", "incumbent": "留任"}
LEVEL_ZH = {"province": "省派", "city": "市派", "county": "县派", "township": "乡镇"}


def levels_en(levels: frozenset[str] | set[str]) -> str:
    return "/".join(lv for lv in LEVELS if lv in levels) or "none"


def levels_zh(levels: frozenset[str] | set[str]) -> str:
    return "、".join(LEVEL_ZH[lv] for lv in LEVELS if lv in levels) or "无"
