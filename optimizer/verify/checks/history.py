"""Rules over the posting history (H-*): incumbents stay, nobody returns to a former village,
a unit keeps the village it assists, province teams move on."""

from __future__ import annotations

from collections.abc import Iterator

from optimizer.verify.registry import Finding, check
from optimizer.verify.view import PlanView
from optimizer.verify.words import ROLE_ZH, STATUS_ZH


@check("H-INCUMBENT")
def check_H_INCUMBENT(view: PlanView) -> Iterator[Finding]:
    yield from _incumbents_kept(view)
    yield from _rows_not_kept(view)


def _incumbents_kept(view: PlanView) -> Iterator[Finding]:
    """Every posting in force and not recalled is in the plan, as an incumbent, unchanged."""
    for p in view.kept:
        rs = view.by_cadre.get(p.cadre_id, [])
        if any(
            r.status == "incumbent" and r.village_id == p.village_id and r.role == p.role
            for r in rs
        ):
            continue
        if rs:
            got = ", ".join(f"{r.village_id} as {r.status} {r.role}" for r in rs)
            got_zh = "、".join(f"{r.village_id}{STATUS_ZH[r.status]}{ROLE_ZH[r.role]}" for r in rs)
        else:
            got, got_zh = "nowhere in the plan", "计划中没有"
        yield Finding(
            p.village_id,
            p.cadre_id,
            f"incumbent {p.role} {view.cname(p.cadre_id)} serves at {view.vname(p.village_id)} "
            f"({p.start}–{p.end or 'open'}, not recalled) and must stay there as an incumbent; "
            f"the plan has: {got}",
            f"在任{ROLE_ZH[p.role]} {view.cname(p.cadre_id)} 驻 {view.vname(p.village_id)}"
            f"（{p.start}–{p.end or '至今'}，未召回），应留任；计划中为：{got_zh}",
        )


def _rows_not_kept(view: PlanView) -> Iterator[Finding]:
    """No recalled cadre in the plan; no incumbent row without a posting in force."""
    for r in view.rows:
        if r.cadre_id in view.recalled:
            yield Finding(
                r.village_id,
                r.cadre_id,
                f"cadre {view.cname(r.cadre_id)} is in the recall list but is in the plan "
                f"at {view.vname(r.village_id)} as {r.status} {r.role}",
                f"干部 {view.cname(r.cadre_id)} 在召回名单中，但计划仍安排在 "
                f"{view.vname(r.village_id)}（{STATUS_ZH[r.status]}{ROLE_ZH[r.role]}）",
            )
            continue
        if r.status == "incumbent" and not any(
            p.cadre_id == r.cadre_id and p.village_id == r.village_id and p.role == r.role
            for p in view.current
        ):
            yield Finding(
                r.village_id,
                r.cadre_id,
                f"row marked incumbent, but {view.cname(r.cadre_id)} has no history "
                f"posting as {r.role} at {view.vname(r.village_id)} in force at {view.day}",
                f"标为留任，但 {view.cname(r.cadre_id)} 在 {view.day} 没有驻 "
                f"{view.vname(r.village_id)} 任{ROLE_ZH[r.role]}的在任记录",
            )


@check("H-NOREPEAT")
def check_H_NOREPEAT(view: PlanView) -> Iterator[Finding]:
    for p in view.new_postings:
        c, v = p.cadre, p.village
        if v is None:
            continue
        past = [q for q in view.served.get(c.cadre_id, []) if q.village_id == v.village_id]
        if not past:
            continue
        spans = ", ".join(f"{q.role} {q.start}–{q.end or 'open'}" for q in past)
        spans_zh = "、".join(
            f"{ROLE_ZH.get(q.role, q.role)} {q.start}–{q.end or '至今'}" for q in past
        )
        yield Finding(
            v.village_id,
            c.cadre_id,
            f"{view.cname(c.cadre_id)} served at {view.vname(v.village_id)} before ({spans})",
            f"{view.cname(c.cadre_id)} 曾驻 {view.vname(v.village_id)}（{spans_zh}）",
        )


@check("H-CONTINUITY")
def check_H_CONTINUITY(view: PlanView) -> Iterator[Finding]:
    """A new secretary (hard in a lead-unit policy: any new member) comes from the unit of the
    team the village keeps."""
    pol = view.pol
    if pol.continuity not in ("hard", "soft"):
        return
    for p in view.new_postings:
        r, u, v = p.row, p.unit, p.village
        keep = view.keep_rows.get(v.village_id, []) if v is not None else []
        if u is None or not keep:
            continue
        leads = {q.unit_id for q in keep if q.role == "secretary"} or {q.unit_id for q in keep}
        judged = r.role == "secretary" or (
            pol.continuity == "hard" and pol.members_from == "lead_unit"
        )
        if not judged or u.unit_id in leads:
            continue
        vid = v.village_id
        span = ", ".join(sorted({f"{q.start}–{q.end or 'open'}" for q in keep}))
        yield Finding(
            vid,
            r.cadre_id,
            f"new {r.role} from {view.uname(u.unit_id)}; {view.vname(vid)} is assisted by "
            f"{';'.join(sorted(leads))} (team {span})",
            f"新派{ROLE_ZH[r.role]}来自 {view.uname_zh(u.unit_id)}；{view.vname(vid)} 由 "
            f"{';'.join(sorted(leads))} 帮扶（{span}）",
            "hard" if pol.continuity == "hard" else "soft",
        )


@check("H-PROVVILLAGE")
def check_H_PROVVILLAGE(view: PlanView) -> Iterator[Finding]:
    pol = view.pol
    if pol.provvillage not in ("hard", "soft"):
        return
    for p in view.new_postings:
        r, u, v = p.row, p.unit, p.village
        if u is None or v is None or r.role != "secretary" or u.level != "province":
            continue
        prev = view.prev_rows.get(v.village_id, [])
        prov = sorted({q.unit_id for q in prev if q.level == "province"})
        if not prov:
            continue
        vid, prev_end = v.village_id, prev[0].end
        yield Finding(
            vid,
            r.cadre_id,
            f"province-level team from {view.uname(u.unit_id)} at {view.vname(vid)}, which "
            f"had a province-level team ({';'.join(prov)}) in the previous period (ended {prev_end})",
            f"省派工作队 {view.uname_zh(u.unit_id)} 派往 {view.vname(vid)}，该村上一周期"
            f"（{prev_end}结束）已有省派工作队（{';'.join(prov)}）",
            "hard" if pol.provvillage == "hard" else "soft",
        )
