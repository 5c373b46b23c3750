"""The team at each village (T-*, J-JOINT): its size, its one first secretary, and the units it
comes from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from optimizer.verify.planfiles import PlanRow
from optimizer.verify.registry import Finding, check
from optimizer.verify.view import PlanView
from optimizer.verify.words import LEVEL_ZH, ROLE_ZH, levels_en, levels_zh


@check("T-SIZE")
def check_T_SIZE(view: PlanView) -> Iterator[Finding]:
    yield from _posted_without_requirement(view)
    yield from _team_sizes(view)
    yield from _villages_without_team(view)


def _posted_without_requirement(view: PlanView) -> Iterator[Finding]:
    for p in view.new_postings:
        r, c, v = p.row, p.cadre, p.village
        if v is None or view.need.get(v.village_id) is not None:
            continue
        yield Finding(
            v.village_id,
            c.cadre_id,
            f"new {r.role} {view.cname(c.cadre_id)} posted to {view.vname(v.village_id)}, "
            f"whose categories ({';'.join(sorted(v.categories))}) carry no requirement "
            f"under {view.pol.name}: the village gets no team",
            f"{view.vname(v.village_id)} 的村类别在 {view.pol.name} 下无选派要求，"
            f"不应新派{ROLE_ZH[r.role]} {view.cname(c.cadre_id)}",
        )


def _team_sizes(view: PlanView) -> Iterator[Finding]:
    """Too many (unless the incumbents alone are), or too few and not listed short."""
    for vid, rs in sorted(view.by_village.items()):
        need = view.need.get(vid)
        if need is None or vid in view.covered_by:
            continue
        new = [r for r in rs if r.status == "new"]
        inc = [r for r in rs if r.status == "incumbent"]
        size = len(rs)
        want, want_zh = view.need_text(vid)
        if size > need.max and not (len(inc) > need.max and not new):
            yield Finding(
                vid,
                "",
                f"{view.vname(vid)} ({want}) has {size} people ({len(inc)} incumbent, "
                f"{len(new)} new); max {need.max}",
                f"{view.vname(vid)}（{want_zh}）有{size}人（留任{len(inc)}，新派{len(new)}），"
                f"上限{need.max}人",
            )
        elif size < need.min and not view.listed_ok(vid, view.missing_posts(vid, need)):
            missing = view.missing_posts(vid, need)
            yield Finding(
                vid,
                "",
                f"{view.vname(vid)} ({want}) has {size} people, below the minimum {need.min}, "
                f"and unstaffed.csv does not list it with posts_missing {missing}",
                f"{view.vname(vid)}（{want_zh}）只有{size}人，低于最低{need.min}人，"
                f"且 unstaffed.csv 未列明缺{missing}人",
            )


def _villages_without_team(view: PlanView) -> Iterator[Finding]:
    for vid, need in sorted(view.need.items()):
        if need is None or vid in view.covered_by or vid in view.by_village:
            continue
        if view.listed_ok(vid, need.min):
            continue
        want, want_zh = view.need_text(vid)
        yield Finding(
            vid,
            "",
            f"{view.vname(vid)} ({want}) has no team, is not covered by a cluster and "
            f"unstaffed.csv does not list it with posts_missing {need.min}",
            f"{view.vname(vid)}（{want_zh}）无工作队、未被带动，且 unstaffed.csv 未列明缺{need.min}人",
        )


@check("T-SEC")
def check_T_SEC(view: PlanView) -> Iterator[Finding]:
    for vid, rs in sorted(view.by_village.items()):
        secs = [r for r in rs if r.role == "secretary"]
        new = [r for r in rs if r.status == "new"]
        if len(secs) > 1 and any(r.status == "new" for r in secs):
            yield Finding(
                vid,
                "",
                f"{view.vname(vid)} has {len(secs)} first secretaries: "
                f"{', '.join(r.cadre_id for r in secs)}",
                f"{view.vname(vid)} 有{len(secs)}名第一书记：{'、'.join(r.cadre_id for r in secs)}",
            )
        elif not secs:
            # incumbents are kept as they are; a village they leave without a secretary is
            # listed as short, and no new member may join them there
            excused = not new and (vid in view.short_of or view.need.get(vid) is None)
            if not excused:
                yield Finding(
                    vid,
                    "",
                    f"{view.vname(vid)} has {len(rs)} members but no first secretary",
                    f"{view.vname(vid)} 有{len(rs)}名队员，但没有第一书记",
                )


def _incumbents_mix(rs: list[PlanRow]) -> bool:
    """The team mixes units only as its incumbents do: kept as it is, not re-judged (SPEC §3)."""
    inc_units = {r.unit_id for r in rs if r.status == "incumbent"}
    new_units = {r.unit_id for r in rs if r.status == "new"}
    return len(inc_units) > 1 and new_units <= inc_units


def _listing(view: PlanView, rs: list[PlanRow]) -> tuple[list[str], str, str]:
    """The team's units, and them with their head counts in English and Chinese."""
    units = sorted({r.unit_id for r in rs})
    counts = Counter(r.unit_id for r in rs)
    return (
        units,
        ", ".join(f"{view.uname(u)} ×{counts[u]}" for u in units),
        "、".join(f"{view.uname_zh(u)}×{counts[u]}" for u in units),
    )


@check("T-UNIT")
def check_T_UNIT(view: PlanView) -> Iterator[Finding]:
    pol = view.pol
    for vid, rs in sorted(view.by_village.items()):
        if _incumbents_mix(rs):
            continue
        if pol.members_from == "county_townships":
            yield from _township_members(view, vid, rs)
            continue
        units, listing, listing_zh = _listing(view, rs)
        if len(units) < 2 or pol.joint.enabled:
            continue
        yield Finding(
            vid,
            "",
            f"the team at {view.vname(vid)} mixes {len(units)} units ({listing}); all members "
            f"come from the lead unit and {pol.name} has no joint teams",
            f"{view.vname(vid)} 的工作队来自{len(units)}个单位（{listing_zh}），应全部来自牵头单位，"
            f"{pol.name} 不允许联合组队",
        )


def _township_members(view: PlanView, vid: str, rs: list[PlanRow]) -> Iterator[Finding]:
    """county_townships: new members from the county's townships, secretaries from above."""
    v = view.ds.villages[vid]
    for r in rs:
        u = view.ds.units.get(r.unit_id)
        if r.status != "new" or u is None:
            continue
        if r.role == "member" and not (u.level == "township" and u.region == v.county):
            yield Finding(
                vid,
                r.cadre_id,
                f"member from {view.uname(u.unit_id)} (region {u.region}); members of "
                f"{view.vname(vid)} come from township units of county {v.county}",
                f"队员来自 {view.uname_zh(u.unit_id)}；{view.vname(vid)} 的队员应由县 {v.county} 的乡镇选派",
            )
        if r.role == "secretary" and u.level == "township":
            yield Finding(
                vid,
                r.cadre_id,
                f"first secretary from township unit {view.uname(u.unit_id)}; the first "
                "secretary comes from a county or higher unit",
                f"第一书记来自乡镇单位 {view.uname_zh(u.unit_id)}，应由县级及以上单位选派",
            )


@check("J-JOINT")
def check_J_JOINT(view: PlanView) -> Iterator[Finding]:
    pol = view.pol
    if pol.members_from == "county_townships" or not pol.joint.enabled:
        return
    for vid, rs in sorted(view.by_village.items()):
        units, listing, listing_zh = _listing(view, rs)
        if _incumbents_mix(rs) or len(units) < 2:
            continue
        reasons, reasons_zh = _joint_faults(view, units)
        if reasons:
            yield Finding(
                vid,
                "",
                f"the team at {view.vname(vid)} is not a valid joint team ({listing}): "
                + "; ".join(reasons),
                f"{view.vname(vid)} 的工作队不是合规的联合组队（{listing_zh}）："
                + "；".join(reasons_zh),
            )


def _joint_faults(view: PlanView, units: list[str]) -> tuple[list[str], list[str]]:
    """Why these units may not form a joint team, in English and Chinese; empty when they may."""
    jt = view.pol.joint
    reasons, reasons_zh = [], []
    known = [view.ds.units[u] for u in units if u in view.ds.units]
    for u in known:
        if u.staff is None or u.staff >= jt.staff_max:
            staff = u.staff if u.staff is not None else "unknown"
            staff_zh = u.staff if u.staff is not None else "未知"
            reasons.append(f"{u.unit_id} staff {staff} (needs < {jt.staff_max})")
            reasons_zh.append(f"{u.unit_id} 在编人数{staff_zh}（需<{jt.staff_max}）")
        if u.level not in jt.levels:
            reasons.append(
                f"{u.unit_id} is {u.level}-level (joint teams: {levels_en(set(jt.levels))})"
            )
            reasons_zh.append(
                f"{u.unit_id} 为{LEVEL_ZH[u.level]}（联合组队限{levels_zh(set(jt.levels))}）"
            )
    if len({u.level for u in known}) > 1:
        reasons.append("levels differ: " + ";".join(sorted({u.level for u in known})))
        reasons_zh.append("层级不同")
    if len({u.region for u in known}) > 1:
        reasons.append("regions differ: " + ";".join(sorted({str(u.region) for u in known})))
        reasons_zh.append("所属地区不同")
    if len(units) > jt.max_units:
        reasons.append(f"{len(units)} units (at most {jt.max_units})")
        reasons_zh.append(f"{len(units)}个单位（最多{jt.max_units}个）")
    return reasons, reasons_zh
