"""P-PIN: the planner's pins hold: each ``require`` pin's cadre is at its village (in its role),
and no ``forbid`` pin's cadre is newly posted there."""

from __future__ import annotations

from collections.abc import Iterator

from optimizer.verify.registry import Finding, check
from optimizer.verify.view import PlanView
from optimizer.verify.words import ROLE_ZH


@check("P-PIN")
def check_P_PIN(view: PlanView) -> Iterator[Finding]:
    for pin in view.ds.pins:
        rs = view.by_cadre.get(pin.cadre_id, [])
        role_en = f" as {pin.role}" if pin.role else ""
        role_zh = f"任{ROLE_ZH[pin.role]}" if pin.role else ""
        hits = [r for r in rs if r.village_id == pin.village_id and pin.role in (None, r.role)]
        who, where = view.cname(pin.cadre_id), view.vname(pin.village_id)
        if pin.kind == "require" and not hits:
            got = ", ".join(f"{r.village_id} as {r.role}" for r in rs) or "nowhere"
            got_zh = "、".join(f"{r.village_id}{ROLE_ZH[r.role]}" for r in rs) or "未安排"
            yield Finding(
                pin.village_id,
                pin.cadre_id,
                f"require pin: {who} at {where}{role_en}; the plan has the cadre {got}",
                f"指定：{who} 派驻 {where}{role_zh}；计划中为 {got_zh}",
            )
        if pin.kind != "forbid":
            continue
        for r in hits:
            if r.status == "new":
                yield Finding(
                    pin.village_id,
                    pin.cadre_id,
                    f"forbid pin: {who} may not go to {where}{role_en}; the plan posts them as {r.role}",
                    f"禁止：{who} 不得派驻 {where}{role_zh}；计划中新派为{ROLE_ZH[r.role]}",
                )
