"""The sending units (U-*): large province units take part; a unit's posts are filled by its
own staff."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from optimizer.data.domain import Cadre, Unit, completed_years
from optimizer.verify.registry import Finding, check
from optimizer.verify.view import PlanView


@check("U-NODELEGATE")
def check_U_NODELEGATE(view: PlanView) -> Iterator[Finding]:
    for p in view.new_postings:
        r, c = p.row, p.cadre
        if r.unit_id != c.unit_id:
            yield Finding(
                r.village_id,
                r.cadre_id,
                f"posted for unit {view.uname(r.unit_id)}, but the cadre belongs to "
                f"{view.uname(c.unit_id)}",
                f"以 {view.uname_zh(r.unit_id)} 名义派出，但干部属于 {view.uname_zh(c.unit_id)}",
            )


@check("U-PARTICIPATE")
def check_U_PARTICIPATE(view: PlanView) -> Iterator[Finding]:
    limit = view.pol.must_send_staff_min
    if limit is None:
        return
    sending = {r.unit_id for r in view.rows}
    by_unit: dict[str, list[Cadre]] = defaultdict(list)
    for c in view.ds.cadres.values():
        by_unit[c.unit_id].append(c)
    for uid, u in view.ds.units.items():
        if u.level != "province" or u.staff is None or u.staff < limit or uid in sending:
            continue
        # nothing can be done for a unit none of whose eligible cadres may legally take
        # any post (level, region, former villages): skip it
        able = [
            c
            for c in by_unit.get(uid, [])
            if generally_eligible(view, c, u)
            and c.cadre_id not in view.busy
            and could_serve_somewhere(view, c, u)
        ]
        if not able:
            continue
        n = len(able)
        yield Finding(
            "",
            "",
            f"province-level unit {view.uname(uid)} has staff {u.staff} (≥ {limit}) and "
            f"{n} eligible cadres but sends nobody",
            f"省直单位 {view.uname_zh(uid)} 在编在岗{u.staff}人（≥{limit}），有{n}名符合条件的干部，"
            "但未选派任何人",
        )


def could_serve_somewhere(view: PlanView, c: Cadre, u: Unit) -> bool:
    """Some village with a requirement takes this unit's level for a role the cadre may
    hold, in the unit's region, and the cadre never served there."""
    former = {p.village_id for p in view.served.get(c.cadre_id, [])}
    for vid, need in view.need.items():
        v = view.ds.villages[vid]
        if need is None or vid in former or not view.region_allows(u, v):
            continue
        if u.level in need.mem_levels and need.max > 1:
            return True
        if u.level in need.sec_levels:
            return True
    return False


def generally_eligible(view: PlanView, c: Cadre, u: Unit) -> bool:
    """The E-* rules every post asks, for a cadre of unit ``u``."""
    pol = view.pol
    if not c.available or c.employment != "staff" or c.health == "poor":
        return False
    if pol.eval_ban and c.eval_recent in ("basic", "incompetent"):
        return False
    if pol.township_ban and (c.township_cadre or u.level == "township"):
        return False
    return not (pol.max_age is not None and completed_years(c.birth_date, view.day) > pol.max_age)
