"""Eligibility of the person posted (E-*): judged on every new posting, against the cadre's own
unit and the plan date."""

from __future__ import annotations

from collections.abc import Iterator

from optimizer.data import schema as s
from optimizer.data.domain import Cadre, completed_years
from optimizer.verify.registry import Finding, check
from optimizer.verify.view import PlanView


@check("E-AVAIL")
def check_E_AVAIL(view: PlanView) -> Iterator[Finding]:
    for p in view.new_postings:
        if not p.cadre.available:
            cid = p.row.cadre_id
            yield Finding(
                p.row.village_id,
                cid,
                f"{view.cname(cid)} is marked unavailable (available = false)",
                f"{view.cname(cid)} 标记为不可派",
            )


@check("E-SERVICE")
def check_E_SERVICE(view: PlanView) -> Iterator[Finding]:
    for p in view.new_postings:
        c, cid = p.cadre, p.row.cadre_id
        if c.employment != "staff":
            yield Finding(
                p.row.village_id,
                cid,
                f"{view.cname(cid)} employment is {c.employment}; only in-service staff may be posted",
                f"{view.cname(cid)} 编制状态为 {s.EMPLOYMENT.zh[c.employment]}，只能选派在编在岗人员",
            )


@check("E-HEALTH")
def check_E_HEALTH(view: PlanView) -> Iterator[Finding]:
    for p in view.new_postings:
        if p.cadre.health == "poor":
            cid = p.row.cadre_id
            yield Finding(
                p.row.village_id,
                cid,
                f"{view.cname(cid)} health is poor",
                f"{view.cname(cid)} 健康状况较差",
            )


@check("E-EVAL")
def check_E_EVAL(view: PlanView) -> Iterator[Finding]:
    if not view.pol.eval_ban:
        return
    for p in view.new_postings:
        c, cid = p.cadre, p.row.cadre_id
        if c.eval_recent in ("basic", "incompetent"):
            yield Finding(
                p.row.village_id,
                cid,
                f"{view.cname(cid)} worst rating of the last two years is {c.eval_recent}",
                f"{view.cname(cid)} 近两年考核为{s.EVAL.zh[c.eval_recent]}",
            )


@check("E-TOWNSHIP")
def check_E_TOWNSHIP(view: PlanView) -> Iterator[Finding]:
    pol = view.pol
    if not pol.township_ban:
        return
    for p in view.new_postings:
        c, unit, cid = p.cadre, p.own, p.row.cadre_id
        if not (c.township_cadre or unit.level == "township"):
            continue
        why = (
            "is a township cadre"
            if c.township_cadre
            else f"belongs to township unit {unit.unit_id}"
        )
        yield Finding(
            p.row.village_id,
            cid,
            f"{view.cname(cid)} {why}; township cadres may not be posted under {pol.name}",
            f"{view.cname(cid)} 为乡镇干部，{pol.name} 不得选派乡镇干部",
        )


@check("E-AGE")
def check_E_AGE(view: PlanView) -> Iterator[Finding]:
    pol, day = view.pol, view.day
    if pol.max_age is None:
        return
    for p in view.new_postings:
        c, cid = p.cadre, p.row.cadre_id
        age = completed_years(c.birth_date, day)
        if age > pol.max_age:
            yield Finding(
                p.row.village_id,
                cid,
                f"{view.cname(cid)} is {age} at {day} (born {c.birth_date}); max {pol.max_age}",
                f"{view.cname(cid)} 在 {day} 为{age}周岁（{c.birth_date}出生），上限{pol.max_age}岁",
            )


# --------------------------------------------------------------------------- first secretaries


def may_be_secretary(view: PlanView, c: Cadre) -> bool:
    """E-SEC-PARTY, E-SEC-PARTYYRS and E-SEC-WORKYRS hold for ``c`` as first secretary (the
    three checks below, as one test)."""
    pol, day = view.pol, view.day
    return (
        c.political_status == "member"
        and c.party_date is not None
        and completed_years(c.party_date, day) >= pol.sec_min_party_years
        and completed_years(c.work_date, day) >= pol.sec_min_work_years
    )


@check("E-SEC-PARTY")
def check_E_SEC_PARTY(view: PlanView) -> Iterator[Finding]:
    for p in view.new_postings:
        c, cid = p.cadre, p.row.cadre_id
        if p.row.role == "secretary" and c.political_status != "member":
            yield Finding(
                p.row.village_id,
                cid,
                f"first secretary {view.cname(cid)} is {c.political_status}, not a full CPC member",
                f"第一书记 {view.cname(cid)} 政治面貌为{s.POLITICAL.zh[c.political_status]}，不是中共正式党员",
            )


@check("E-SEC-PARTYYRS")
def check_E_SEC_PARTYYRS(view: PlanView) -> Iterator[Finding]:
    """Judged only for full members: a probationary one is E-SEC-PARTY's."""
    pol, day = view.pol, view.day
    for p in view.new_postings:
        c, cid, vid = p.cadre, p.row.cadre_id, p.row.village_id
        if p.row.role != "secretary" or c.political_status != "member":
            continue
        if c.party_date is None:
            yield Finding(
                vid,
                cid,
                f"first secretary {view.cname(cid)} has no party date; needs ≥ "
                f"{pol.sec_min_party_years} years of party standing at {day}",
                f"第一书记 {view.cname(cid)} 无入党时间；需党龄≥{pol.sec_min_party_years}年",
            )
            continue
        yrs = completed_years(c.party_date, day)
        if yrs < pol.sec_min_party_years:
            yield Finding(
                vid,
                cid,
                f"party standing {yrs} years at {day} (joined {c.party_date}); needs ≥ "
                f"{pol.sec_min_party_years}",
                f"{day} 党龄{yrs}年（{c.party_date}入党），需≥{pol.sec_min_party_years}年",
            )


@check("E-SEC-WORKYRS")
def check_E_SEC_WORKYRS(view: PlanView) -> Iterator[Finding]:
    pol, day = view.pol, view.day
    for p in view.new_postings:
        c = p.cadre
        if p.row.role != "secretary":
            continue
        work = completed_years(c.work_date, day)
        if work < pol.sec_min_work_years:
            yield Finding(
                p.row.village_id,
                p.row.cadre_id,
                f"work experience {work} years at {day} (started {c.work_date}); needs ≥ "
                f"{pol.sec_min_work_years}",
                f"{day} 工作年限{work}年（{c.work_date}参加工作），需≥{pol.sec_min_work_years}年",
            )
