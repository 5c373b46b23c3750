"""Preferences the verifier reports (soft, unless a policy makes them hard). The other soft
rules (S-PARTY, S-YOUNG, S-EXPERT, S-FIT, S-TRAVEL) only rank valid plans: nothing to verify."""

from __future__ import annotations

from collections.abc import Iterator

from optimizer.verify.registry import Finding, check
from optimizer.verify.view import PlanView


@check("S-PROVKEY")
def check_S_PROVKEY(view: PlanView) -> Iterator[Finding]:
    """A new province-level first secretary at a village not ``key``."""
    if not view.pol.weights.provkey:
        return
    for p in view.new_postings:
        r, u, v = p.row, p.unit, p.village
        if u is None or v is None or r.role != "secretary" or u.level != "province":
            continue
        if "key" in v.categories:
            continue
        flags = ";".join(sorted(v.categories))
        yield Finding(
            v.village_id,
            r.cadre_id,
            f"province-level team from {view.uname(u.unit_id)} at {view.vname(v.village_id)} "
            f"({flags}), not a key village (省派工作队主要派往重点帮扶村)",
            f"省派工作队 {view.uname_zh(u.unit_id)} 派往非重点帮扶村 {view.vname(v.village_id)}（{flags}）",
            "soft",
        )
