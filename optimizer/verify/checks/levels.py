"""Who leads and from which level (L-*, LV-*): the first secretary leads the team and holds the
rank the sending level asks; a unit's level fits the village's categories and its region."""

from __future__ import annotations

from collections.abc import Iterator

from optimizer.data import schema as s
from optimizer.data.domain import Cadre, Unit, rank_index
from optimizer.verify.need import city_of
from optimizer.verify.registry import Finding, check
from optimizer.verify.view import NewPosting, PlanView
from optimizer.verify.words import LEVEL_ZH, ROLE_ZH, levels_en, levels_zh


@check("L-LEADER")
def check_L_LEADER(view: PlanView) -> Iterator[Finding]:
    """teams.csv's lead unit is the first secretary's (villages with two new secretaries are
    T-SEC's)."""
    for vid, rs in sorted(view.by_village.items()):
        secs = [r for r in rs if r.role == "secretary"]
        if not secs or (len(secs) > 1 and any(r.status == "new" for r in secs)):
            continue
        t = view.team_of.get(vid)
        sec = secs[0]
        if t is not None and t.lead_unit_id != sec.unit_id:
            yield Finding(
                vid,
                sec.cadre_id,
                f"teams.csv names {t.lead_unit_id} as lead unit of {view.vname(vid)}, but the "
                f"first secretary {view.cname(sec.cadre_id)} is from {sec.unit_id}",
                f"teams.csv 中 {view.vname(vid)} 的牵头单位为 {t.lead_unit_id}，但第一书记 "
                f"{view.cname(sec.cadre_id)} 来自 {sec.unit_id}",
            )


@check("L-RANK")
def check_L_RANK(view: PlanView) -> Iterator[Finding]:
    for p in view.new_postings:
        if p.row.role == "secretary" and not rank_fits(view, p.cadre, p.own):
            yield _rank_finding(view, p)


def rank_fits(view: PlanView, c: Cadre, unit: Unit) -> bool:
    """L-RANK: cadre ``c`` of ``unit`` holds the rank the unit's sending level asks of a first
    secretary (or is a middle manager, or in the young pool, where the policy counts them)."""
    lr = view.pol.leader_rank.get(unit.level)
    if lr is None or not (lr.min_rank or lr.middle_manager_kinds or lr.young_pool):
        return True
    kind = unit.kind or "organ"
    if kind not in lr.applies_to:
        return True
    if lr.min_rank and rank_index(c.rank) >= rank_index(lr.min_rank):
        return True
    if c.middle_manager and kind in lr.middle_manager_kinds:
        return True
    return bool(lr.young_pool and c.young_pool)


def _rank_finding(view: PlanView, p: NewPosting) -> Finding:
    c, unit, cid = p.cadre, p.own, p.row.cadre_id
    lr = view.pol.leader_rank[unit.level]
    kind = unit.kind or "organ"
    alts, alts_zh = [], []
    if lr.min_rank:
        alts.append(f"rank ≥ {lr.min_rank}")
        alts_zh.append(f"职级≥{s.RANK.zh[lr.min_rank]}")
    if lr.middle_manager_kinds and kind in lr.middle_manager_kinds:
        alts.append(f"a middle manager ({kind} unit)")
        alts_zh.append("中层以上")
    if lr.young_pool:
        alts.append("young-cadre pool")
        alts_zh.append("优秀年轻干部")
    rank = c.rank or "clerk"
    return Finding(
        p.row.village_id,
        cid,
        f"first secretary {view.cname(cid)} from {unit.level}-level {kind} unit {unit.unit_id}: "
        f"rank {rank}{', not a middle manager' if not c.middle_manager else ''}"
        f"{', not in the young pool' if lr.young_pool else ''}; needs "
        f"{' or '.join(alts) or 'a qualifying rank'}",
        f"第一书记 {view.cname(cid)}（{LEVEL_ZH[unit.level]}单位 {unit.unit_id}）职级为"
        f"{s.RANK.zh[rank]}，需{'或'.join(alts_zh) or '相应职级'}",
    )


@check("LV-LEVEL")
def check_LV_LEVEL(view: PlanView) -> Iterator[Finding]:
    for p in view.new_postings:
        r, u, v = p.row, p.unit, p.village
        need = view.need.get(v.village_id) if v is not None else None
        if u is None or need is None:
            continue
        allowed = need.sec_levels if r.role == "secretary" else need.mem_levels
        if u.level in allowed:
            continue
        yield Finding(
            v.village_id,
            p.cadre.cadre_id,
            f"{r.role} from a {u.level}-level unit {view.uname(u.unit_id)}; "
            f"{view.vname(v.village_id)} ({';'.join(need.flags)}) takes {r.role}s "
            f"from {levels_en(allowed)} units",
            f"{ROLE_ZH[r.role]}来自{LEVEL_ZH[u.level]}单位 {view.uname_zh(u.unit_id)}；"
            f"{view.vname(v.village_id)} 的{ROLE_ZH[r.role]}只能由{levels_zh(allowed)}单位选派",
        )


@check("LV-REGION")
def check_LV_REGION(view: PlanView) -> Iterator[Finding]:
    for p in view.new_postings:
        u, v = p.unit, p.village
        if u is None or v is None or view.region_allows(u, v):
            continue
        if u.level == "city":
            city = city_of(v)
            yield Finding(
                v.village_id,
                p.row.cadre_id,
                f"city-level unit {view.uname(u.unit_id)} of city {u.region} serves "
                f"{view.vname(v.village_id)} in city {city or 'unknown'}",
                f"市派单位 {view.uname_zh(u.unit_id)}（市 {u.region}）不能派往市 {city or '未知'} 的 "
                f"{view.vname(v.village_id)}",
            )
            continue
        yield Finding(
            v.village_id,
            p.row.cadre_id,
            f"{u.level}-level unit {view.uname(u.unit_id)} of county {u.region} serves "
            f"{view.vname(v.village_id)} in county {v.county}",
            f"{LEVEL_ZH[u.level]}单位 {view.uname_zh(u.unit_id)}（县 {u.region}）不能派往县 {v.county} 的 "
            f"{view.vname(v.village_id)}",
        )
